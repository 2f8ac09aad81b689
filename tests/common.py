"""Shared test helpers: test data, and codec parameters drawn from the registry."""

import functools
import math
import os
import threading
import time

import numpy
import pytest

import ndcodecs


def codec_params(kind=None, *, encode=None, module_prefix=None):
    """Return pytest params, one per registered codec, skipping unavailable ones."""
    params = []
    for name in ndcodecs.list_codecs(kind=kind):
        codec = ndcodecs.get_codec(name)
        if encode is not None and codec.can_encode != encode:
            continue
        if module_prefix and not codec.module.startswith(module_prefix):
            continue
        marks = () if codec.available else pytest.mark.skip(reason=codec.reason)
        params.append(pytest.param(codec, id=name, marks=marks))
    return params


@functools.cache
def image_bytes(size: int) -> bytes:
    """Return `size` bytes of 16-bit image-like data: smooth structure and noise."""
    rng = numpy.random.default_rng(42)
    side = 1024
    y, x = numpy.mgrid[:side, :side].astype(numpy.float32) / side
    image = 1000 + 800 * numpy.sin(6 * x) * numpy.cos(4 * y) + rng.normal(0, 20, (side, side))
    tile = image.astype(numpy.uint16).tobytes()
    reps = size // len(tile) + 1
    return (tile * reps)[:size]


@functools.cache
def text_bytes(size: int) -> bytes:
    """Return `size` bytes of English-like text."""
    words = (
        'the of and to in is that for it as with was on be by this are or '
        'microscopy image data array chunk codec compression sample pixel '
        'frame tile stack volume signal noise detector channel'
    ).split()
    rng = numpy.random.default_rng(7)
    weights = 1.0 / numpy.arange(1, len(words) + 1)
    idx = rng.choice(len(words), size=size // 3 + 10, p=weights / weights.sum())
    text = ' '.join(words[i] for i in idx).encode()
    return text[:size]


def payload(kind: str, size: int) -> bytes:
    """Return test bytes of a kind ('image', 'text', 'random', 'zeros')."""
    if kind == 'image':
        return image_bytes(size)
    if kind == 'text':
        return text_bytes(size)
    if kind == 'zeros':
        return bytes(size)
    return numpy.random.default_rng(size).integers(0, 256, size, numpy.uint8).tobytes()


def assert_runs_in_parallel(func, *, attempts=3):
    """Assert that two threads calling func() together take clearly less
    wall time (below 0.8) than two calls in a row: the codec releases the
    GIL and its work runs on two cores. Skips, saying why, on fewer than
    2 cores or when other processes keep the cores busy."""
    cores = len(os.sched_getaffinity(0))
    if cores < 2:
        pytest.skip('needs 2 cores')
    func()  # warm up caches and thread pools
    sequential = parallel = math.inf
    for _ in range(attempts):
        start = time.perf_counter()
        func()
        func()
        sequential = min(sequential, time.perf_counter() - start)
        threads = [threading.Thread(target=func) for _ in range(2)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        parallel = min(parallel, time.perf_counter() - start)
        if parallel < 0.8 * sequential:
            return
    result = f'2 threads took {parallel:.3f} s, 2 calls in a row {sequential:.3f} s'
    load = os.getloadavg()[0]
    if load > cores - 0.5:
        pytest.skip(f'the machine is busy (load {load:.1f} on {cores} cores): {result}')
    pytest.fail(result)

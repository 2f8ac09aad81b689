"""Shared test helpers: test data, and codec parameters drawn from the registry."""

import functools
import gc
import math
import os
import sys
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


def max_gap_while(func):
    """Run func in a thread; return (its duration, the longest pause of this thread)."""
    done = threading.Event()
    duration = []

    def work():
        start = time.perf_counter()
        try:
            func()
        finally:
            duration.append(time.perf_counter() - start)
            done.set()

    thread = threading.Thread(target=work)
    # a garbage collection pass in this loop would pause it like a held GIL
    enabled = gc.isenabled()
    gc.disable()
    try:
        last = time.perf_counter()
        gap = 0.0
        thread.start()
        while not done.is_set():
            now = time.perf_counter()
            gap = max(gap, now - last)
            last = now
        thread.join()
    finally:
        if enabled:
            gc.enable()
    return duration[0], gap


def assert_releases_gil(*funcs, min_duration=None, too_fast='pass'):
    """Assert that this thread keeps running (longest pause below half the
    call) while another thread calls each func. A call shorter than
    min_duration seconds (default: 4 switch intervals, at least 0.02 s)
    cannot tell a held GIL from a switch interval; too_fast says what it
    does then: 'pass' (go on), 'skip' or 'fail'."""
    if min_duration is None:
        min_duration = max(0.02, 4 * sys.getswitchinterval())
    for func in funcs:
        for _ in range(3):  # a held GIL pauses every try; the scheduler only some
            duration, gap = max_gap_while(func)
            if duration < min_duration or gap < duration / 2:
                break
        if duration < min_duration:
            message = f'a {duration:.3f} s call is too fast to tell a held GIL from a switch interval'
            if too_fast == 'fail':
                pytest.fail(message)
            if too_fast == 'skip':
                pytest.skip(message)
            continue
        assert gap < duration / 2, f'paused {gap:.3f} s during a {duration:.3f} s call'


def rss():
    """Return the resident set size of this process in bytes."""
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def assert_memory_flat(func, *, warmup, repeat, limit):
    """Call func() warmup times, then repeat times more; assert that the
    resident set size grew by less than limit bytes over the latter."""
    for _ in range(warmup):
        func()
    before = rss()
    for _ in range(repeat):
        func()
    grown = rss() - before
    assert grown < limit, f'RSS grew by {grown} bytes in {repeat} calls'


def run_in_threads(func, count=4):
    """Call func(i) for i in range(count), each in its own thread, all
    starting together; raise the first exception of any thread, else
    return the results in thread order."""
    barrier = threading.Barrier(count)
    results = [None] * count
    errors = []

    def work(i):
        try:
            barrier.wait()
            results[i] = func(i)
        except BaseException as exc:  # raised below, in the calling thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def imagecodecs_with(name):
    """Return the imagecodecs module, skipping the test unless its codec
    `name` is built."""
    module = pytest.importorskip('imagecodecs')
    if not getattr(getattr(module, name.upper(), None), 'available', False):
        pytest.skip(f'imagecodecs was built without {name}')
    return module


def smooth_image(shape, dtype=numpy.uint8, seed=0):
    """Return smooth image-like data with noise, over most of the dtype's range."""
    rng = numpy.random.default_rng(seed)
    dtype = numpy.dtype(dtype)
    height, width = shape[:2]
    y, x = numpy.mgrid[:height, :width] / max(height, width, 2)
    base = 0.5 + 0.4 * numpy.sin(7 * x) * numpy.cos(5 * y)
    if len(shape) == 3:
        base = base[..., None] * numpy.linspace(0.6, 1.0, shape[2])
    info = numpy.iinfo(dtype)
    span = float(info.max) - float(info.min)
    noisy = info.min + base * span + rng.normal(0, span / 200, base.shape)
    return numpy.clip(noisy, info.min, info.max).astype(dtype)


def psnr(a, b, peak=255):
    """Return the peak signal-to-noise ratio of b against a in dB (inf if equal)."""
    mse = numpy.mean((numpy.asarray(a, numpy.float64) - numpy.asarray(b, numpy.float64)) ** 2)
    return float('inf') if mse == 0 else 10 * numpy.log10(peak * peak / mse)


def decode_corrupted(decode, data, error, *, count, start=0, seed=0):
    """Call decode on count copies of data, each with one random byte at or
    after start changed; each call must return or raise error."""
    rng = numpy.random.default_rng(seed)
    for _ in range(count):
        bad = bytearray(data)
        bad[rng.integers(start, len(bad))] = rng.integers(0, 256)
        try:
            decode(bytes(bad))
        except error:
            pass

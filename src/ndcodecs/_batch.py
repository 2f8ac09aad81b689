"""Batch decoding and encoding of many chunks on parallel threads.

Every ndcodecs function releases the GIL for its C work, so a pool of
threads calling them decodes chunks in parallel on all cores, into the
caller's preallocated buffers. One process-wide pool serves all callers.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from ._registry import Codec, get_codec

__all__ = ['decode_many', 'encode_many', 'numthreads', 'run_many']

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_size = 0


def numthreads() -> int:
    """Return the default number of threads: NDCODECS_NUMTHREADS, else
    the cores this process may use."""
    value = os.environ.get('NDCODECS_NUMTHREADS')
    if value:
        return max(int(value), 1)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _executor(size: int) -> ThreadPoolExecutor:
    """Return the shared pool, grown to at least `size` threads."""
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size < size:
            # a smaller pool still in use by other callers is left to finish
            # its tasks; its idle threads exit once it is unreferenced
            _pool = ThreadPoolExecutor(size, thread_name_prefix='ndcodecs')
            _pool_size = size
        return _pool


def _callable(codec, attr: str) -> tuple[Callable, str]:
    """Return the function to call per chunk and the codec's name."""
    if isinstance(codec, str):
        codec = get_codec(codec)
    if isinstance(codec, Codec):
        return getattr(codec, attr), codec.name
    func = getattr(codec, attr, None)  # a numcodecs or zarr-like codec object
    if func is None:
        raise TypeError(f'expected a codec name, Codec or codec object, not {codec!r}')
    return func, getattr(codec, 'codec_id', type(codec).__name__)


def run_many(func: Callable, name: str, chunks: Sequence, out: Sequence | None = None,
             threads: int | None = None, kwargs: dict | None = None) -> list:
    """Return ``func(chunk, [out=buffer,] **kwargs)`` for every chunk, on the
    shared pool; errors get a note naming `name` and the chunk."""
    kwargs = kwargs or {}
    chunks = list(chunks)
    n = len(chunks)
    if out is not None:
        if len(out) != n:
            raise ValueError(f'out holds {len(out)} buffers for {n} chunks')
        outs = list(out)
    else:
        outs = [None] * n
    threads = numthreads() if threads is None else int(threads)
    if threads < 1:
        raise ValueError(f'numthreads must be >= 1, not {threads}')

    def one(i: int):
        try:
            if outs[i] is None:
                return func(chunks[i], **kwargs)
            return func(chunks[i], out=outs[i], **kwargs)
        except Exception as exc:
            exc.add_note(f'{name}: chunk {i} of {n}')
            raise

    if threads == 1 or n < 2:
        results = [one(i) for i in range(n)]
    else:
        pool = _executor(threads)
        # a few large tasks instead of one per chunk: less pool overhead
        step = max(1, n // (threads * 4))

        def run(start: int):
            return [one(i) for i in range(start, min(start + step, n))]

        futures = [pool.submit(run, s) for s in range(0, n, step)]
        results = []
        errors = []
        for f in futures:
            try:
                results.extend(f.result())
            except BaseException as exc:  # finish all before raising
                errors.append(exc)
        if errors:
            raise errors[0]
    return results


def decode_many(codec, chunks: Sequence, out: Sequence | None = None, *,
                numthreads: int | None = None, **kwargs) -> list:
    """Return the decoded chunks, decoded on parallel threads.

    codec : str, ndcodecs.Codec, or an object with a ``decode`` method
        The codec, e.g. 'zstd' or a numcodecs codec instance.
    chunks : sequence of buffers
        Encoded chunks.
    out : sequence of writable buffers, optional
        One preallocated buffer per chunk to decode into (passed as
        ``out=``), e.g. the rows of one array.
    numthreads : int, optional
        Threads to use; default all cores (or NDCODECS_NUMTHREADS).
    kwargs
        Further arguments of the codec's decode function.

    The first error, e.g. the codec's XError for a corrupt chunk, is raised
    after all chunks are done.
    """
    func, name = _callable(codec, 'decode')
    return run_many(func, name, chunks, out, numthreads, kwargs)


def encode_many(codec, chunks: Sequence, out: Sequence | None = None, *,
                numthreads: int | None = None, **kwargs) -> list:
    """Return the encoded chunks, encoded on parallel threads.

    Arguments as in `decode_many`; kwargs go to the encode function, e.g.
    ``level=5``.
    """
    func, name = _callable(codec, 'encode')
    return run_many(func, name, chunks, out, numthreads, kwargs)

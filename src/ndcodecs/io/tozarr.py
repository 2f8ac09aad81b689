"""Images, stacks and multi-page files to a Zarr 3 store, through dask.

The frames of the inputs (every frame of every file, in order) become
one array with a leading frame axis. Each frame is read by a delayed task
(``reader[k]`` decodes that page alone), so that memory stays bounded by
the frames in flight, and dask writes the chunks in parallel, locally with
a progress bar on stderr or on a dask.distributed cluster.

The store is written to a temporary directory beside the output and
renamed when complete; any failure or interruption removes it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import secrets
import threading
import time

import numpy
import zarr
from zarr.storage import LocalStore

from .._registry import get_codec
from .v3 import open_reader

__all__ = ['to_zarr']


def _frames(inputs: list[str], index: int | None):
    """Return [(file, k)] of the frames to write, and one frame's shape and dtype.

    Only the first file of a folder of single-image files is opened here;
    the others are read by the tasks, which check their shape and dtype.
    """
    frames = []
    layout = None
    for name in inputs:
        with open_reader(name) as reader:
            count = reader.n_frames
            props = reader.properties(0 if index is None else index)
            if layout is None:
                layout = (props.shape, props.dtype)
            elif (props.shape, props.dtype) != layout:
                raise ValueError(
                    f'{name}: frames of shape {props.shape} and dtype {props.dtype} differ from '
                    f'the first input ({layout[0]}, {layout[1]})'
                )
            multiframe = reader.codec.multiframe
        if index is not None:
            frames.append((name, index))
        else:
            frames.extend((name, k) for k in range(count))
        if not multiframe and index is None and len(inputs) > 1:
            # single-image inputs: one frame each, checked when read
            frames.extend((other, 0) for other in inputs[1:])
            break
    return frames, layout


def _read_frame(name: str, index: int, shape: tuple, dtype: numpy.dtype) -> numpy.ndarray:
    with open_reader(name) as reader:
        frame = reader[index]
    if frame.shape != shape or frame.dtype != dtype:
        raise ValueError(
            f'{name}: frame {index} of shape {frame.shape} and dtype {frame.dtype} differs '
            f'from the first ({shape}, {dtype})'
        )
    return frame


def _codecs(codec: str | None, level: int | None) -> dict:
    """Return the create_array arguments that encode chunks with `codec`."""
    from .. import zarr as ndzarr

    kwargs = {} if level is None else {'level': level}
    spec = get_codec(codec or 'zstd')
    cls = ndzarr.codec_class(spec.name)
    if kwargs and 'level' not in cls.__dataclass_fields__:
        raise ValueError(f'{spec.name} takes no level')
    if spec.kind == 'compressor':
        return {'compressors': cls(**kwargs)}
    if spec.kind in ('image', 'array') and spec.can_encode:
        return {'serializer': cls(**kwargs), 'compressors': None}
    if spec.kind == 'filter':
        return {'filters': cls(**kwargs)}
    raise ValueError(f'{spec.name} cannot encode Zarr chunks')


def _chunks(chunks, shape: tuple) -> tuple:
    """Return the chunk shape: one frame per chunk, or `chunks` ('4,256,256';
    missing trailing axes take the whole axis, -1 too)."""
    if not chunks:
        return (1, *shape[1:])
    if isinstance(chunks, str):
        try:
            chunks = [int(c) for c in chunks.replace('x', ',').split(',') if c.strip()]
        except ValueError:
            raise ValueError(f'invalid chunks {chunks!r}, expected e.g. 1,256,256') from None
    chunks = list(chunks)
    if len(chunks) > len(shape):
        raise ValueError(f'chunks {tuple(chunks)} have more axes than the array {shape}')
    chunks += [-1] * (len(shape) - len(chunks))
    result = tuple(n if c == -1 else c for c, n in zip(chunks, shape))
    if any(c < 1 for c in result):
        raise ValueError(f'invalid chunks {tuple(chunks)}')
    return result


def _temporary_sibling(output: str) -> str:
    """Create and return an empty directory beside `output` (same file system,
    so that the final rename is atomic), with the umask's permissions."""
    output = os.path.abspath(output.rstrip('/\\'))
    parent, base = os.path.split(output)
    for _ in range(100):
        path = os.path.join(parent, f'.{base}.{secrets.token_hex(6)}.tmp')
        try:
            os.mkdir(path)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f'cannot create a temporary directory beside {output}')


def to_zarr(inputs: list[str], output: str, *, codec: str | None = None, level: int | None = None,
            chunks=None, index: int | None = None, scheduler: str | None = None,
            progress: bool = True) -> tuple:
    """Write the frames of `inputs` to a new Zarr 3 store at `output`;
    return the array's shape.

    codec : an ndcodecs codec for the chunks: a compressor (after zarr's
        bytes serializer), or an image or array codec as the serializer;
        default zstd.
    chunks : chunk shape (tuple or '1,256,256'); default one frame per chunk.
    scheduler : address of a dask.distributed scheduler; default dask's
        local threads.
    """
    import dask
    import dask.array

    if os.path.exists(output):
        raise FileExistsError(f'{output} exists: remove it first')
    frames, (shape, dtype) = _frames(inputs, index)
    full = (len(frames), *shape)
    chunk_shape = _chunks(chunks, full)
    encoding = _codecs(codec, level)
    read = dask.delayed(_read_frame, pure=True)
    stack = dask.array.stack([
        dask.array.from_delayed(read(name, k, shape, dtype), shape, dtype)
        for name, k in frames
    ]).rechunk(chunk_shape)  # dask chunks on zarr chunks: no chunk is written twice

    tmp = _temporary_sibling(output)
    store = _AbortableStore(tmp)
    try:
        array = zarr.create_array(
            store, shape=full, chunks=chunk_shape, dtype=dtype,
            attributes={'ndcodecs': {'sources': [f'{n}[{k}]' for n, k in frames[:10000]]}},
            **encoding,
        )
        # store, not to_zarr: dask 2026.8's to_zarr merges all frames into one
        # chunk when the last zarr chunk is partial, which would hold the
        # whole array in memory; these dask chunks are the zarr chunks, so
        # no two tasks write the same chunk and no lock is needed
        task = dask.array.store(stack, array, lock=False, compute=False)
        if scheduler:
            _run_distributed(task, scheduler, progress)
        elif progress:
            from dask.diagnostics import ProgressBar

            with ProgressBar(out=sys.stderr):
                dask.compute(task)
        else:
            dask.compute(task)
        if os.path.exists(output):
            raise FileExistsError(f'{output} appeared while it was written')
        os.rename(tmp, output)
    except BaseException:
        store.abort()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return full


class _AbortableStore(LocalStore):
    """A local store that refuses writes once aborted, so that tasks still
    running after a failure cannot recreate the removed directory."""

    def __init__(self, root, **kwargs) -> None:
        super().__init__(root, **kwargs)
        self._setup()

    def _setup(self) -> None:
        self._guard = threading.Lock()
        self._busy = 0
        self.aborted = False

    def __getstate__(self):
        state = dict(super().__getstate__() if hasattr(super(), '__getstate__') else self.__dict__)
        for key in ('_guard', '_busy', 'aborted'):
            state.pop(key, None)
        return state

    def __setstate__(self, state) -> None:
        self.__dict__.update(state)
        self._setup()

    async def set(self, key, value) -> None:
        with self._guard:
            if self.aborted:
                raise RuntimeError('the conversion was aborted')
            self._busy += 1
        try:
            await super().set(key, value)
        finally:
            with self._guard:
                self._busy -= 1

    def abort(self, timeout: float = 10.0) -> None:
        """Refuse further writes and wait (up to `timeout`) for running ones."""
        with self._guard:
            self.aborted = True
        deadline = time.monotonic() + timeout
        while self._busy and time.monotonic() < deadline:
            time.sleep(0.01)


def _run_distributed(task, address: str, progress: bool) -> None:
    import distributed

    with distributed.Client(address, timeout=30) as client:
        future = client.compute(task)
        try:
            if progress:
                with contextlib.redirect_stdout(sys.stderr):  # the bar, like dask's, on stderr
                    distributed.progress(future)
                print(file=sys.stderr)
            future.result()
        except BaseException:
            client.cancel(future)
            raise

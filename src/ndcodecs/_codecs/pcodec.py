"""pcodec (Pco) standalone streams through the optional `pcodec` package."""

import numpy
import pcodec
from pcodec import ChunkConfig, PagingSpec, standalone

from .._errors import error_class

__all__ = ['PCODEC', 'PcodecError', 'pcodec_version', 'pcodec_check', 'pcodec_encode', 'pcodec_decode']


class PCODEC:
    """Pcodec constants."""

    available = True
    DEFAULT_LEVEL = pcodec.DEFAULT_COMPRESSION_LEVEL


PcodecError = error_class('pcodec')

_MAGIC = b'pco!'


def pcodec_version():
    """Return the pcodec package version string."""
    return f'pcodec {pcodec.__version__}'


def pcodec_check(data, /):
    """Return True if `data` starts with the magic bytes of a Pco stream."""
    return bytes(data[:4]) == _MAGIC


def pcodec_encode(data, /, level=None, *, pagesize=None, out=None):
    """Return a numeric array compressed as a standalone Pco stream.

    `level` is 0 to 12 (default 8); `pagesize` the values per page.
    The array is flattened: pass its shape and dtype to pcodec_decode.
    """
    array = numpy.asarray(data)
    if array.ndim == 0 or array.dtype.kind not in 'uif' or array.dtype.itemsize == 1:
        raise ValueError(f'pcodec encodes 16 to 64-bit numeric arrays, not {array.dtype} {array.shape}')
    array = numpy.ascontiguousarray(array).reshape(-1)
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder('='))
    kwargs = {'compression_level': PCODEC.DEFAULT_LEVEL if level is None else int(level)}
    if pagesize is not None:
        kwargs['paging_spec'] = PagingSpec.equal_pages_up_to(int(pagesize))
    try:
        encoded = standalone.simple_compress(array, ChunkConfig(**kwargs))
    except (RuntimeError, TypeError) as exc:
        raise PcodecError(f'simple_compress failed: {exc}') from None
    if out is bytearray:
        return bytearray(encoded)
    return encoded


def pcodec_decode(data, /, shape=None, dtype=None, *, out=None, max_output=None):
    """Return the array of a standalone Pco stream.

    `dtype` must be given (the stream's number type is checked against it)
    unless `out` is an array; `shape` defaults to 1-D. Without a shape the
    output grows up to `max_output` bytes (default ndcodecs.get_max_output()).
    """
    from .._ext._shared import get_max_output

    if isinstance(data, str) or data is None:
        raise TypeError(f'expected a bytes-like object, not {type(data).__name__}')
    data = bytes(data)
    if out is not None:
        out = numpy.asarray(out)
        dtype, shape = out.dtype, out.shape
    if dtype is None:
        raise ValueError('pcodec_decode needs the dtype')
    dtype = numpy.dtype(dtype)
    limit = get_max_output() if max_output is None else int(max_output)
    if shape is not None:
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        count = int(numpy.prod(shape, dtype=numpy.int64))
        if count * dtype.itemsize > limit:
            raise PcodecError(f'decoded size {count * dtype.itemsize} exceeds max_output={limit}')
        result = out if out is not None else numpy.empty(shape, dtype)
        done = _decompress_into(data, result.reshape(-1))
        if done != count:
            raise PcodecError(f'stream holds {done} values, shape {shape} needs {count}')
        return result
    count = max(1024, 8 * len(data) // dtype.itemsize)
    while True:
        count = min(count, limit // dtype.itemsize)
        result = numpy.empty(count, dtype)
        done = _decompress_into(data, result, partial=True)
        if done is not None:
            return result[:done].copy() if done < count else result
        if count >= limit // dtype.itemsize:
            raise PcodecError(f'decoded size exceeds max_output={limit}')
        count *= 2


def _decompress_into(data: bytes, dst, partial: bool = False):
    """Decode into dst; return the values decoded, or None if dst was too small."""
    if not data.startswith(_MAGIC):
        raise PcodecError('not a Pco stream')
    try:
        progress = standalone.simple_decompress_into(data, dst)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise PcodecError(f'simple_decompress_into failed: {exc}') from None
    if not progress.finished:
        if partial:
            return None
        raise PcodecError('the stream holds more values than the shape')
    return progress.n_processed

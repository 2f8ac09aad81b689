# cython: language_level=3, boundscheck=False, wraparound=False
"""Bitshuffle (our own C), bit-compatible with the bitshuffle library, and
the layout of its HDF5 filter (id 32008) with LZ4 or zstd compression."""

import numpy

from ._shared cimport (
    Input, Output, read_input, encode_output, decode_output, output_limit, level_arg,
)
from .bitshuffle cimport *

from .. import __version__
from .._errors import error_class

__all__ = [
    'BITSHUFFLE', 'BitshuffleError', 'bitshuffle_version', 'bitshuffle_check',
    'bitshuffle_encode', 'bitshuffle_decode',
    'BITSHUFFLEH5', 'Bitshuffleh5Error', 'bitshuffleh5_version', 'bitshuffleh5_check',
    'bitshuffleh5_encode', 'bitshuffleh5_decode',
]


class BITSHUFFLE:
    """Bitshuffle constants."""

    available = True


class BITSHUFFLEH5:
    """Constants of bitshuffle in the HDF5 filter layout."""

    available = True
    FILTER_ID = 32008

    class COMPRESSION:
        LZ4 = 'lz4'
        ZSTD = 'zstd'


BitshuffleError = error_class('bitshuffle')
Bitshuffleh5Error = error_class('bitshuffleh5')


def bitshuffle_version():
    """Return the version of the ndcodecs bitshuffle code."""
    return f'ndcodecs {__version__}'


def bitshuffleh5_version():
    """Return the version of the ndcodecs bitshuffle code."""
    return f'ndcodecs {__version__}'


def bitshuffle_check(data, /):
    """Return None: bitshuffled data have no signature."""
    return None


def bitshuffleh5_check(data, /):
    """Return None: the layout has no signature."""
    return None


cdef size_t _size_arg(object value, str name) except? 0:
    cdef object v = 0 if value is None else value.__index__()
    if v < 0:
        raise ValueError(f'{name} must be >= 0, not {v}')
    if v > (1 << 62):
        raise ValueError(f'{name} too large: {v}')
    return <size_t>v


cdef object _shuffle(object data, object itemsize, object blocksize, object out, bint inverse, object max_output):
    cdef size_t isize, bsize
    cdef Input src
    cdef Output dst
    cdef ssize_t ret
    cdef object error = BitshuffleError
    if isinstance(data, numpy.ndarray):
        if data.ndim == 0:
            raise ValueError('expected a buffer, not a 0-d array')
        data = numpy.ascontiguousarray(data)
        itemsize = data.dtype.itemsize
        if out is None:
            out = numpy.empty(data.shape, data.dtype)
    isize = _size_arg(itemsize, 'itemsize')
    bsize = _size_arg(blocksize, 'blocksize')
    if isize == 0:
        raise ValueError('invalid item size')
    src = read_input(data)
    if <size_t>src.size % isize:
        raise ValueError('data size not a multiple of item size')
    if bsize % 8:
        raise error('blocksize must be a multiple of 8')
    if inverse:
        dst = decode_output(out, src.size, error, True, max_output)
    else:
        dst = encode_output(out, src.size, error)
        if dst.size < src.size:
            raise error(f'output too small: {src.size} bytes needed, out= holds {dst.size}')
    with nogil:
        ret = ndc_bitshuffle(src.data, dst.data, src.size, isize, bsize, inverse)
    if ret == -3:
        raise MemoryError('ndc_bitshuffle failed to allocate memory')
    if ret < 0:
        raise error(f'ndc_bitshuffle returned {ret}')
    return dst.finish(ret)


def bitshuffle_encode(data, /, *, itemsize=1, blocksize=0, out=None):
    """Return `data` bitshuffled as the bitshuffle library does.

    An array gives an array of its shape and dtype, whose itemsize is used;
    bytes are shuffled in items of `itemsize` bytes. `blocksize`, in items,
    must be a multiple of 8; 0 is the library's default (8192 bytes).
    """
    return _shuffle(data, itemsize, blocksize, out, False, None)


def bitshuffle_decode(data, /, *, itemsize=1, blocksize=0, out=None, max_output=None):
    """Return `data` un-bitshuffled; the arguments are as in encoding."""
    return _shuffle(data, itemsize, blocksize, out, True, max_output)


cdef int _compression_arg(object compression, bint decode) except -1:
    if compression is None:
        return NDC_BSHUF_NONE if decode else NDC_BSHUF_LZ4
    name = str(compression).lower()
    if name == 'lz4' or compression == 2:
        return NDC_BSHUF_LZ4
    if name == 'zstd' or compression == 3:
        return NDC_BSHUF_ZSTD
    raise ValueError(f'invalid compression {compression!r}: expected lz4 or zstd')


def bitshuffleh5_encode(data, /, level=None, *, itemsize=1, blocksize=0, compression='lz4', out=None):
    """Return `data` bitshuffled and compressed as the bitshuffle HDF5 filter does.

    `compression` is 'lz4' (LZ4_compress_default, `level` ignored) or 'zstd'
    (`level` default 3, as hdf5plugin). Bytes are taken in items of
    `itemsize` bytes (the HDF5 dataset's element size); `blocksize` in items,
    0 for the library's default.
    """
    cdef Input src = read_input(data)
    cdef size_t isize = _size_arg(itemsize, 'itemsize')
    cdef size_t bsize = _size_arg(blocksize, 'blocksize')
    cdef int comp = _compression_arg(compression, False)
    cdef int clevel = level_arg(level, 3, ZSTD_minCLevel(), ZSTD_maxCLevel())
    cdef size_t bound
    cdef Output dst
    cdef ssize_t ret
    if isize == 0:
        raise ValueError('invalid item size')
    if <size_t>src.size % isize:
        raise ValueError('data size not a multiple of item size')
    if bsize % 8:
        raise Bitshuffleh5Error('blocksize must be a multiple of 8')
    bound = ndc_bshuf_compress_bound(src.size, isize, bsize, comp)
    if bound == 0 or bound > <size_t>(1 << 62):
        raise Bitshuffleh5Error('blocksize too large')
    dst = encode_output(out, bound, Bitshuffleh5Error)
    with nogil:
        ret = ndc_bshuf_compress(src.data, src.size, dst.data, dst.size, isize, bsize, comp, clevel)
    if ret == -3:
        raise MemoryError('ndc_bshuf_compress failed to allocate memory')
    if ret == -2:
        raise Bitshuffleh5Error('ndc_bshuf_compress returned NDC_ERR_OUTPUT: output too small')
    if ret < 0:
        raise Bitshuffleh5Error(f'ndc_bshuf_compress returned {ret}')
    return dst.finish(ret)


def bitshuffleh5_decode(data, /, *, itemsize=1, compression=None, out=None, max_output=None):
    """Return the bytes of a bitshuffle HDF5 filter stream.

    `itemsize` must be the element size used in encoding; `compression`
    None detects zstd frames, else LZ4.
    """
    cdef Input src = read_input(data)
    cdef size_t isize = _size_arg(itemsize, 'itemsize')
    cdef int comp = _compression_arg(compression, True)
    cdef Py_ssize_t limit = output_limit(max_output)
    cdef Output dst
    cdef ssize_t ret
    if isize == 0:
        raise ValueError('invalid item size')
    if out is not None and out is not bytes and out is not bytearray:
        limit = (1 << 62)
    with nogil:
        ret = ndc_bshuf_decompressed_size(src.data, src.size, isize, <size_t>limit)
    if ret == -2:
        raise Bitshuffleh5Error(f'decoded size exceeds max_output={limit} bytes')
    if ret < 0:
        raise Bitshuffleh5Error('ndc_bshuf_decompressed_size: invalid or truncated stream')
    dst = decode_output(out, ret, Bitshuffleh5Error, True, max_output)
    with nogil:
        ret = ndc_bshuf_decompress(src.data, src.size, dst.data, dst.size, isize, comp)
    if ret == -3:
        raise MemoryError('ndc_bshuf_decompress failed to allocate memory')
    if ret < 0:
        raise Bitshuffleh5Error('ndc_bshuf_decompress: invalid or truncated stream')
    return dst.finish(ret)

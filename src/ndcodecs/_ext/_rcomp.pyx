# cython: language_level=3, boundscheck=False, wraparound=False
"""Rice compression as FITS tile compression RICE_1, our own C.

The stream holds neither the number of pixels nor their size: the decoder
needs `shape` and `dtype` (or an `out` array). Pixels are coded from their
native byte order, as imagecodecs does.
"""

import numpy

from libc.stdint cimport uint8_t, uintptr_t

from ._shared cimport Input, Output, read_input, encode_output, array_output, ssize_t
from .rcomp cimport *

from .. import __version__
from .._errors import error_class

__all__ = ['RCOMP', 'RcompError', 'rcomp_version', 'rcomp_check', 'rcomp_encode', 'rcomp_decode']


class RCOMP:
    """RCOMP codec constants."""

    available = True


RcompError = error_class('rcomp')


def rcomp_version():
    """Return the version of the ndcodecs Rice code."""
    return f'ndcodecs {__version__}'


def rcomp_check(data, /):
    """Return None: a Rice stream has no signature."""
    return None


cdef size_t _nblock_arg(object nblock) except 0:
    cdef Py_ssize_t n
    if nblock is None:
        return 32
    n = nblock.__index__()
    if n < 1 or n > 2**30:
        raise ValueError(f'invalid nblock={n}')
    return <size_t>n


cdef int _bpp(object dtype) except -1:
    if dtype.kind not in 'iu' or dtype.itemsize not in (1, 2, 4):
        raise ValueError(f'invalid dtype {dtype!r}: int8, uint8, int16, uint16, int32 or uint32 expected')
    return dtype.itemsize


def rcomp_encode(data, /, *, nblock=None, out=None):
    """Return the pixels of an integer array Rice-coded as FITS RICE_1.

    `data` is a numpy array of int8, uint8, int16, uint16, int32 or uint32
    (coded in native byte order); `nblock` is the pixels per block, 32 by
    default (FITS' BLOCKSIZE).
    """
    cdef size_t nb = _nblock_arg(nblock)
    cdef int bpp
    cdef Input src
    cdef Output dst
    cdef ssize_t ret
    cdef size_t n, bound
    if not isinstance(data, numpy.ndarray):
        raise TypeError(f'data must be a numpy integer array, not {type(data).__name__}')
    bpp = _bpp(data.dtype)
    data = numpy.ascontiguousarray(data)
    src = read_input(data.reshape(-1).view(numpy.uint8))
    n = <size_t>src.size // bpp
    bound = ndc_rcomp_encode_bound(n, bpp, nb)
    dst = encode_output(out, <Py_ssize_t>min(bound, <size_t>0x7FFFFFFFFFFFFFFF), RcompError)
    with nogil:
        ret = ndc_rcomp_encode(src.data, n, bpp, nb, dst.data, dst.size)
    if ret < 0:
        if ret == NDC_ERR_OUTPUT:
            raise RcompError(f'ndc_rcomp_encode: output too small ({dst.size} bytes)')
        raise RcompError(f'ndc_rcomp_encode returned {ret}')
    return dst.finish(ret)


def rcomp_decode(data, /, shape=None, dtype=None, *, nblock=None, out=None, max_output=None):
    """Return the integer array of a FITS RICE_1 stream.

    `shape` and `dtype` (one of int8, uint8, int16, uint16, int32, uint32)
    give the pixels to decode, else those of the numpy array `out`;
    `nblock` must be the encoder's. The decoded array is at most
    `max_output` bytes. Bytes after the stream are ignored.
    """
    cdef size_t nb = _nblock_arg(nblock)
    cdef int bpp
    cdef Input src = read_input(data)
    cdef ssize_t ret
    cdef size_t n
    cdef uint8_t *ptr
    if shape is None and dtype is None and isinstance(out, numpy.ndarray):
        shape, dtype = out.shape, out.dtype
    if shape is None or dtype is None:
        raise TypeError('missing shape or dtype')
    try:
        shape = (shape.__index__(),)
    except AttributeError:
        shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f'invalid shape={shape}')
    dtype = numpy.dtype(dtype)
    bpp = _bpp(dtype)
    result = array_output(out, shape, dtype, RcompError, max_output)
    n = <size_t>result.size
    ptr = <uint8_t *><uintptr_t>result.__array_interface__['data'][0]
    with nogil:
        ret = ndc_rcomp_decode(src.data, <size_t>src.size, ptr, n, bpp, nb)
    if ret < 0:
        raise RcompError('ndc_rcomp_decode: truncated or corrupt Rice stream')
    return result

# cython: language_level=3, boundscheck=False, wraparound=False
"""Array filters, our own C: delta, xor, floatpred (TIFF predictor 3) and
byteshuffle, along any axis of numpy arrays, as imagecodecs has them.

Results are numpy arrays of the input's shape and dtype; bytes-like input is
filtered as a 1-D uint8 array and gives bytes. ``out=`` may be an array of
the same shape and dtype (or a writable buffer of the same size), the input
itself for in-place filtering. Where imagecodecs raises NotImplementedError
(dist > 1 for delta, dist > 2 or not dividing the row for floatpred and
byteshuffle, some axes) these functions give the natural result instead.
"""

import math
import sys

import numpy

from ._shared cimport array_output, Input, Output, encode_output, read_input
from .filters cimport ndc_byteshuffle, ndc_delta, ndc_xor

from .. import __version__
from .._errors import error_class

__all__ = [
    'DELTA', 'DeltaError', 'delta_version', 'delta_check', 'delta_encode', 'delta_decode',
    'XOR', 'XorError', 'xor_version', 'xor_check', 'xor_encode', 'xor_decode',
    'FLOATPRED', 'FloatpredError', 'floatpred_version', 'floatpred_check',
    'floatpred_encode', 'floatpred_decode',
    'BYTESHUFFLE', 'ByteshuffleError', 'byteshuffle_version', 'byteshuffle_check',
    'byteshuffle_encode', 'byteshuffle_decode',
]

cdef extern from 'ndc_status.h':
    int NDC_ERR_MEMORY

cdef bint _BIG = sys.byteorder == 'big'

cdef enum:
    DELTA_ = 0
    XOR_ = 1
    SHUFFLE = 2


class DELTA:
    """DELTA constants."""

    available = True


class XOR:
    """XOR constants."""

    available = True


class FLOATPRED:
    """FLOATPRED constants."""

    available = True


class BYTESHUFFLE:
    """BYTESHUFFLE constants."""

    available = True


DeltaError = error_class('delta')
XorError = error_class('xor')
FloatpredError = error_class('floatpred')
ByteshuffleError = error_class('byteshuffle')


def delta_version():
    """Return the version of the ndcodecs delta filter."""
    return f'ndcodecs {__version__}'


def xor_version():
    """Return the version of the ndcodecs xor filter."""
    return f'ndcodecs {__version__}'


def floatpred_version():
    """Return the version of the ndcodecs floating point predictor."""
    return f'ndcodecs {__version__}'


def byteshuffle_version():
    """Return the version of the ndcodecs byte shuffle filter."""
    return f'ndcodecs {__version__}'


def delta_check(data, /):
    """Return None: filtered data has no signature."""
    return None


def xor_check(data, /):
    """Return None: filtered data has no signature."""
    return None


def floatpred_check(data, /):
    """Return None: filtered data has no signature."""
    return None


def byteshuffle_check(data, /):
    """Return None: filtered data has no signature."""
    return None


cdef Py_ssize_t _index(object value, str name) except? -1:
    try:
        return value.__index__()
    except AttributeError:
        raise TypeError(f'{name} must be an int, not {type(value).__name__}') from None


cdef int _axis_arg(object axis, int ndim) except -1:
    cdef Py_ssize_t a = _index(axis, 'axis')
    if a < -ndim or a >= ndim:
        raise ValueError(f'invalid axis={axis} for an array of {ndim} dimensions')
    return <int>(a + ndim if a < 0 else a)


cdef size_t _dist_arg(object dist) except 0:
    cdef Py_ssize_t d = _index(dist, 'dist')
    if d < 1:
        raise ValueError(f'invalid dist={dist}: must be >= 1')
    return <size_t>d


cdef int _raise(int status, object error, str func) except -1:
    if status == NDC_ERR_MEMORY:
        raise MemoryError(f'{func} failed to allocate memory')
    raise error(f'{func} returned {status}')


cdef int _run(int kind, void *dst, const void *src, size_t outer, size_t n,
              size_t inner, size_t dist, int itemsize, int flag, int flag2,
              int decode, object error, str func) except -1:
    cdef int ret
    with nogil:
        if kind == DELTA_:
            ret = ndc_delta(dst, src, outer, n, inner, dist, itemsize, flag, decode)
        elif kind == XOR_:
            ret = ndc_xor(dst, src, outer, n, inner, dist, itemsize, decode)
        else:
            ret = ndc_byteshuffle(dst, src, outer, n, itemsize, dist, flag, flag2, decode)
    if ret < 0:
        _raise(ret, error, func)
    return 0


cdef object _bytes_filter(int kind, object data, object out, object axis,
                          size_t dist, int flag, int flag2, int decode,
                          object error, str func):
    """Filter bytes-like `data` as a 1-D uint8 array; return bytes."""
    cdef Input src = read_input(data)
    _axis_arg(axis, 1)
    cdef Output dst = encode_output(out, src.size, error)
    if dst.size < src.size:
        raise ValueError(f'out= holds {dst.size} bytes, {src.size} needed')
    _run(kind, dst.data, src.data, 1, <size_t>src.size, 1, dist, 1, flag, flag2,
         decode, error, func)
    return dst.finish(src.size)


cdef size_t _address(object array):
    return <size_t>array.__array_interface__['data'][0]


cdef object _array_filter(int kind, object data, object out, object axis,
                          size_t dist, int flag, int flag2, int decode,
                          object error, str func):
    """Filter numpy array `data` along `axis`; return the output array."""
    cdef int ax, itemsize
    cdef size_t outer, n, inner
    cdef size_t sp, dp
    if data.ndim == 0:
        raise ValueError('expected an array, not a 0-d array')
    dtype = data.dtype
    if dtype.hasobject:
        raise TypeError(f'{func} cannot filter dtype {dtype}')
    itemsize = dtype.itemsize
    if kind != SHUFFLE:
        if dtype.kind not in 'uif' or itemsize not in (1, 2, 4, 8):
            raise ValueError(f'not an integer or floating-point array: dtype {dtype}')
    elif itemsize < 1:
        raise ValueError(f'{func} cannot filter dtype {dtype}')
    ax = _axis_arg(axis, data.ndim)
    src = data if data.flags.c_contiguous else numpy.ascontiguousarray(data)
    dst = array_output(out, src.shape, src.dtype, error, None)
    shape = src.shape
    outer = math.prod(shape[:ax])
    n = shape[ax]
    inner = math.prod(shape[ax + 1:])
    if dist > n:
        dist = n  # all a copy
    if kind == SHUFFLE:
        # rows are the axes from `axis` on; bytes differ dist * inner apart
        n *= inner
        dist *= inner
        inner = 1
    if outer == 0 or n == 0 or inner == 0:
        return dst
    sp = _address(src)
    dp = _address(dst)
    if sp != dp and numpy.may_share_memory(src, dst):
        src = src.copy()  # partial overlap: filter from a copy
        sp = _address(src)
    if kind == DELTA_:
        flag = not dtype.isnative
    elif kind == SHUFFLE and flag2:
        # reorder: most significant byte first
        flag2 = not (dtype.byteorder == '>' or (dtype.byteorder in '=|' and _BIG))
    _run(kind, <void *>dp, <const void *>sp, outer, n, inner, dist, itemsize,
         flag, flag2, decode, error, func)
    return dst


cdef object _filter(int kind, object data, object out, object axis, object dist,
                    int flag, int flag2, int decode, object error, str func):
    cdef size_t d = _dist_arg(dist)
    if isinstance(data, numpy.ndarray):
        return _array_filter(kind, data, out, axis, d, flag, flag2, decode, error, func)
    return _bytes_filter(kind, data, out, axis, d, flag if kind == SHUFFLE else 0,
                         flag2 if kind == SHUFFLE else 0, decode, error, func)


def delta_encode(data, /, *, axis=-1, dist=1, out=None):
    """Return the differences of `data`'s samples along `axis`, `dist` apart.

    Integers wrap around; floating point samples are differenced as their
    integer bit patterns, as imagecodecs does. Bytes give bytes.
    """
    return _filter(DELTA_, data, out, axis, dist, 0, 0, 0, DeltaError, 'ndc_delta')


def delta_decode(data, /, *, axis=-1, dist=1, out=None):
    """Return the running sums of `data` along `axis`: delta_encode undone."""
    return _filter(DELTA_, data, out, axis, dist, 0, 0, 1, DeltaError, 'ndc_delta')


def xor_encode(data, /, *, axis=-1, out=None):
    """Return `data` with each sample XORed with the previous one along `axis`.

    Floating point samples are XORed as their integer bit patterns.
    """
    return _filter(XOR_, data, out, axis, 1, 0, 0, 0, XorError, 'ndc_xor')


def xor_decode(data, /, *, axis=-1, out=None):
    """Return `data` with xor_encode undone."""
    return _filter(XOR_, data, out, axis, 1, 0, 0, 1, XorError, 'ndc_xor')


def floatpred_encode(data, /, *, axis=-1, dist=1, out=None):
    """Return `data` with the TIFF floating point predictor (3) applied.

    Each row (the axes from `axis` on) is byte-shuffled, most significant
    bytes first, and its bytes differenced `dist` samples of `axis` apart
    (for an image of shape (length, width, samples): axis=-2, dist=1).
    """
    return _filter(SHUFFLE, data, out, axis, dist, 1, 1, 0, FloatpredError, 'ndc_byteshuffle')


def floatpred_decode(data, /, *, axis=-1, dist=1, out=None):
    """Return `data` with the TIFF floating point predictor (3) undone."""
    return _filter(SHUFFLE, data, out, axis, dist, 1, 1, 1, FloatpredError, 'ndc_byteshuffle')


def byteshuffle_encode(data, /, *, axis=-1, dist=1, delta=False, reorder=False, out=None):
    """Return `data` with each row's bytes shuffled into planes.

    Planes follow the memory byte order, or most significant first if
    `reorder`; if `delta`, the shuffled bytes are differenced `dist` apart.
    """
    return _filter(SHUFFLE, data, out, axis, dist, bool(delta), bool(reorder), 0,
                   ByteshuffleError, 'ndc_byteshuffle')


def byteshuffle_decode(data, /, *, axis=-1, dist=1, delta=False, reorder=False, out=None):
    """Return `data` with byteshuffle_encode undone."""
    return _filter(SHUFFLE, data, out, axis, dist, bool(delta), bool(reorder), 1,
                   ByteshuffleError, 'ndc_byteshuffle')

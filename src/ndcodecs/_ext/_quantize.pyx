# cython: language_level=3, boundscheck=False, wraparound=False
"""Lossy quantization of floating-point arrays, our own C (c/quantize.c).

The modes of NetCDF-C's nc_quantize (BitGroom, Granular BitRound,
BitRound) and numcodecs' Quantize (scale), bit-exact with imagecodecs.
"""

import enum
import math

import numpy

from ._shared cimport array_output, Input, Output, read_input, encode_output
from .quantize cimport *

from .. import __version__
from .._errors import error_class

__all__ = [
    'QUANTIZE', 'QuantizeError', 'quantize_version', 'quantize_check',
    'quantize_encode', 'quantize_decode',
]


class QUANTIZE:
    """Quantize constants."""

    available = True

    class MODE(enum.IntEnum):
        """Quantization modes."""

        NOQUANTIZE = 0
        BITGROOM = 1
        GRANULARBR = 2
        BITROUND = 3
        SCALE = 100


QuantizeError = error_class('quantize')

_MODES = {
    'noquantize': 0, 'bitgroom': 1, 'granularbr': 2, 'gbr': 2,
    'bitround': 3, 'scale': 100,
}


def quantize_version():
    """Return the version of the ndcodecs quantize code."""
    return f'ndcodecs {__version__}'


def quantize_check(data, /):
    """Return None: quantized data has no signature."""
    return None


cdef int _mode_arg(object mode) except -1:
    if isinstance(mode, str):
        if mode in _MODES:
            return _MODES[mode]
    elif mode is not None and not isinstance(mode, bool):
        try:
            if mode in (0, 1, 2, 3, 100):
                return int(mode)
        except TypeError:
            pass
    raise ValueError(f'invalid quantize mode={mode!r}')


cdef double _scale(int digits):
    """Return 2**bits as numcodecs' Quantize derives it from `digits`."""
    precision = 10.0 ** -digits
    exp = math.log10(precision)
    exp = int(math.floor(exp)) if exp < 0 else int(math.ceil(exp))
    return 2.0 ** math.ceil(math.log2(10.0 ** -exp))


def quantize_encode(data, /, mode, nsd, *, out=None):
    """Return float32 or float64 `data` quantized to `nsd` significant digits.

    `mode` (QUANTIZE.MODE or its name in lower case) decides what `nsd`
    counts: decimal digits for 'bitgroom', 'granularbr' and 'scale', bits
    of the significand for 'bitround'. Values equal to NetCDF's default
    fill value are left alone by the NetCDF modes. `out` may be an array
    of the data's shape and dtype, or a writable buffer of its size.
    """
    cdef int cmode = _mode_arg(mode)
    cdef int cnsd
    cdef double scale = 1.0
    cdef Input src
    cdef Output dst
    cdef size_t n
    cdef int ret
    cdef bint f32

    arr = numpy.asarray(data)
    if arr.dtype.kind != 'f' or arr.dtype.itemsize not in (4, 8):
        raise ValueError('not a floating-point array')
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder('='))
    if arr.ndim == 0:
        arr = arr.reshape(1)
    f32 = arr.dtype.itemsize == 4
    cnsd = nsd.__index__() if not isinstance(nsd, float) else int(nsd)
    if cnsd < 0 or cnsd > (31 if f32 else 63):
        raise ValueError(f'invalid number of significant digits {nsd}')
    if cmode == NDC_QUANTIZE_SCALE:
        scale = _scale(cnsd)
    src = read_input(arr)
    n = <size_t>arr.size

    result = array_output(out, arr.shape, arr.dtype, QuantizeError, None)
    dst = encode_output(result, src.size, QuantizeError)
    if dst.size < src.size:
        raise ValueError(f'out holds {dst.size} bytes, {src.size} needed')
    with nogil:
        if f32:
            ret = ndc_quantize_f32(<const float *>src.data, <float *>dst.data, n, cmode, cnsd, scale)
        else:
            ret = ndc_quantize_f64(<const double *>src.data, <double *>dst.data, n, cmode, cnsd, scale)
    if ret != 0:
        raise QuantizeError(f'ndc_quantize returned {ret}')
    return result


def quantize_decode(data, /, mode, nsd, *, out=None):
    """Return `data` unchanged for mode NOQUANTIZE; other modes are lossy
    and raise QuantizeError, as in imagecodecs."""
    cdef int cmode = _mode_arg(mode)
    if cmode != NDC_QUANTIZE_NOQUANTIZE:
        raise QuantizeError(f'Quantize mode={mode!r} is lossy.')
    if out is None:
        return data
    return quantize_encode(data, cmode, nsd, out=out)

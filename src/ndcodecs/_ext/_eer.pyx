# cython: language_level=3, boundscheck=False, wraparound=False
"""Thermo Fisher EER electron counting frames, decode only, our own C."""

import numpy

from libc.stdint cimport uint8_t, uintptr_t

from ._shared cimport Input, read_input, array_output, output_limit, ssize_t
from .eer cimport *

from .. import __version__
from .._errors import error_class

__all__ = ['EER', 'EerError', 'eer_version', 'eer_check', 'eer_decode']


class EER:
    """EER codec constants."""

    available = True


EerError = error_class('eer')


def eer_version():
    """Return the version of the ndcodecs EER code."""
    return f'ndcodecs {__version__}'


def eer_check(data, /):
    """Return None: an EER frame has no signature."""
    return None


def eer_decode(data, /, shape, skipbits, horzbits, vertbits, *, superres=0, out=None, max_output=None):
    """Return the electron counts of an EER frame as a boolean image.

    `shape` is (height, width) of the result, the sensor size times
    2**superres (superres is at most horzbits and vertbits; for superres > 0
    width must be a multiple of 2**horzbits and height of 2**vertbits).
    Codes are run lengths of `skipbits` bits, each followed (unless the
    largest) by an electron's subpixel position in horzbits + vertbits bits.
    Given `out` (bool, uint8 or int8), electrons are added to it.
    """
    cdef Input src = read_input(data)
    cdef int sk = skipbits.__index__(), hb = horzbits.__index__(), vb = vertbits.__index__()
    cdef int sr = superres.__index__()
    cdef Py_ssize_t height, width
    cdef ssize_t ret
    cdef uint8_t *ptr
    if not (1 <= hb <= 4 and 1 <= vb <= 4 and 9 <= sk + hb + vb <= 16):
        raise ValueError(f'invalid skipbits={sk}, horzbits={hb}, or vertbits={vb}')
    if sr < 0:
        raise ValueError(f'invalid superres={sr}')
    shape = tuple(int(s) for s in shape)
    if len(shape) != 2 or shape[0] < 0 or shape[1] < 0:
        raise ValueError(f'invalid shape={shape}, expected (height, width)')
    height, width = shape
    if sr > 0 and (width % (1 << hb) or height % (1 << vb)):
        raise ValueError('shape not compatible with superresolution')
    dtype = numpy.bool_
    if isinstance(out, numpy.ndarray) and out.dtype in (numpy.uint8, numpy.int8):
        dtype = out.dtype
    if out is None:
        # zeroed pages from calloc, within max_output
        if shape[0] * shape[1] > output_limit(max_output):
            raise EerError(f'decoded size {shape[0] * shape[1]} exceeds max_output={output_limit(max_output)} bytes')
        result = numpy.zeros(shape, dtype)
    else:
        result = array_output(out, shape, dtype, EerError, max_output)
    ptr = <uint8_t *><uintptr_t>result.__array_interface__['data'][0]
    with nogil:
        ret = ndc_eer_decode(src.data, <size_t>src.size, ptr, height, width, sk, hb, vb, sr)
    if ret < 0:
        raise EerError('ndc_eer_decode: corrupt EER frame (odd size, or a run past the end of the image)')
    return result

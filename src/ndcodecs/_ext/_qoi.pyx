# cython: language_level=3, boundscheck=False, wraparound=False
"""QOI image codec, our own C.

Images are uint8 numpy arrays of shape (H, W, 3) RGB or (H, W, 4) RGBA.
"""

import enum

import numpy

from ._shared cimport Input, Output, array_output, decode_output, encode_output, read_input
from .qoi cimport *

from .. import __version__
from .._errors import error_class

__all__ = ['QOI', 'QoiError', 'qoi_version', 'qoi_check', 'qoi_encode', 'qoi_decode']


class QOI:
    """QOI constants."""

    available = True

    class COLORSPACE(enum.IntEnum):
        """Colorspace byte of the QOI header."""

        SRGB = 0
        LINEAR = 1


QoiError = error_class('qoi')


def qoi_version():
    """Return the version of the ndcodecs QOI code."""
    return f'ndcodecs {__version__}'


def qoi_check(data, /):
    """Return True if `data` starts with the QOI magic b'qoif'."""
    return bytes(data[:4]) == b'qoif'


def qoi_encode(data, /, *, out=None):
    """Return a (H, W, 3) or (H, W, 4) uint8 image encoded as QOI.

    The colorspace byte is SRGB for RGB and LINEAR for RGBA, as imagecodecs
    writes it.
    """
    if isinstance(data, str) or data is None:
        raise TypeError(f'expected an image array, not {type(data).__name__}')
    arr = numpy.ascontiguousarray(data)
    if arr.dtype != numpy.uint8 or arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ValueError(f'expected a (H, W, 3) or (H, W, 4) uint8 image, not {arr.shape} {arr.dtype}')
    if not 0 < arr.shape[0] <= 0xFFFFFFFF or not 0 < arr.shape[1] <= 0xFFFFFFFF:
        raise ValueError(f'invalid image shape {arr.shape}')
    cdef Input src = read_input(arr)
    cdef uint32_t height = <uint32_t>arr.shape[0], width = <uint32_t>arr.shape[1]
    cdef int channels = arr.shape[2]
    cdef size_t bound = ndc_qoi_encode_bound(width, height, channels)
    if bound == 0:
        raise ValueError(f'image shape {arr.shape} too large')
    cdef Output dst = encode_output(out, <Py_ssize_t>bound, QoiError)
    cdef ssize_t ret
    with nogil:
        ret = ndc_qoi_encode(src.data, width, height, channels, 0 if channels == 3 else 1, dst.data, <size_t>dst.size)
    if ret == NDC_ERR_OUTPUT:
        raise QoiError(f'output too small: {bound} bytes needed, out= holds {dst.size}')
    if ret < 0:
        raise QoiError(f'ndc_qoi_encode returned {ret}')
    return dst.finish(ret)


def qoi_decode(data, /, *, out=None, max_output=None):
    """Return a QOI image as a (H, W, 3) or (H, W, 4) uint8 array.

    The stream must end with the QOI end marker. The image is limited to
    `max_output` bytes (default: ndcodecs.get_max_output()).
    """
    cdef Input src = read_input(data)
    cdef ndc_qoi_info info
    cdef ssize_t ret
    with nogil:
        ret = ndc_qoi_read_header(src.data, <size_t>src.size, &info)
    if ret != 0:
        raise QoiError('ndc_qoi_read_header: not a QOI stream or an invalid header')
    shape = (<Py_ssize_t>info.height, <Py_ssize_t>info.width, info.channels)
    result = array_output(out, shape, numpy.uint8, QoiError, max_output)
    cdef Output dst = decode_output(result, result.nbytes, QoiError, True, None)
    with nogil:
        ret = ndc_qoi_decode(src.data, <size_t>src.size, dst.data, <size_t>dst.size)
    if ret < 0:
        raise QoiError('ndc_qoi_decode returned NDC_ERR_CORRUPT: invalid or truncated stream, or no end marker')
    return result

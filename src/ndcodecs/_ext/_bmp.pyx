# cython: language_level=3, boundscheck=False, wraparound=False
"""BMP (Windows bitmap) image codec, our own C.

Decodes 1, 4 and 8-bit palette images (also RLE4 and RLE8), 16-bit and
32-bit bit fields, 24 and 32-bit RGB, bottom-up and top-down, with any of
the BITMAPCOREHEADER, BITMAPINFOHEADER and V2 to V5 headers. Encodes
uint8 gray (as 8-bit with a gray palette), RGB and RGBA, as imagecodecs.
"""

import numpy

from libc.stdint cimport int32_t, uint8_t, uint32_t

from ._shared cimport Input, Output, array_output, decode_output, encode_output, read_input
from .bmp cimport *

from .. import __version__
from .._errors import error_class

__all__ = ['BMP', 'BmpError', 'bmp_version', 'bmp_check', 'bmp_encode', 'bmp_decode']


class BMP:
    """BMP constants."""

    available = True


BmpError = error_class('bmp')

cdef tuple _HEADER_SIZES = (12, 40, 52, 56, 108, 124)


def bmp_version():
    """Return the version of the ndcodecs BMP code."""
    return f'ndcodecs {__version__}'


def bmp_check(data, /):
    """Return True if `data` starts with b'BM' and, if that much is given,
    a known info header size."""
    head = bytes(data[:18])
    if head[:2] != b'BM':
        return False
    return len(head) < 18 or int.from_bytes(head[14:18], 'little') in _HEADER_SIZES


def bmp_encode(data, /, *, ppm=None, out=None):
    """Return a uint8 image encoded as BMP, rows bottom-up.

    (H, W) or (H, W, 1) gray is written as 8-bit with a gray palette,
    (H, W, 3) as 24-bit RGB, (H, W, 4) as 32-bit BI_BITFIELDS with alpha in
    a BITMAPV4HEADER. `ppm` is the resolution in pixels per meter (default
    3780, about 96 dpi; at least 1).
    """
    if isinstance(data, str) or data is None:
        raise TypeError(f'expected an image array, not {type(data).__name__}')
    arr = numpy.asarray(data)
    if arr.dtype != numpy.uint8 or arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (1, 3, 4)):
        raise ValueError(f'expected a uint8 image of shape (H, W) or (H, W, 1, 3 or 4), not {arr.shape} {arr.dtype}')
    arr = numpy.ascontiguousarray(arr)
    cdef int32_t cppm = 3780
    if ppm is not None:
        if isinstance(ppm, float):
            ppm = int(ppm)
        elif not hasattr(ppm, '__index__'):
            raise TypeError(f'ppm must be a number, not {type(ppm).__name__}')
        cppm = <int32_t>max(1, min(ppm.__index__(), 0x7FFFFFFF))
    cdef int samples = 1 if arr.ndim == 2 else arr.shape[2]
    if arr.shape[0] > 0x7FFFFFFF or arr.shape[1] > 0x7FFFFFFF:
        raise ValueError(f'image shape {arr.shape} too large for BMP')
    cdef uint32_t height = <uint32_t>arr.shape[0], width = <uint32_t>arr.shape[1]
    cdef size_t size = ndc_bmp_encoded_size(width, height, samples)
    if size == 0:
        raise ValueError(f'image shape {arr.shape} too large for BMP')
    cdef Input src = read_input(arr)
    cdef Output dst = encode_output(out, <Py_ssize_t>size, BmpError)
    cdef ssize_t ret
    with nogil:
        ret = ndc_bmp_encode(src.data, width, height, samples, cppm, dst.data, <size_t>dst.size)
    if ret == NDC_ERR_OUTPUT:
        raise BmpError(f'output too small: {size} bytes needed, out= holds {dst.size}')
    if ret < 0:
        raise BmpError(f'ndc_bmp_encode returned {ret}')
    return dst.finish(ret)


def bmp_decode(data, /, *, asrgb=None, out=None, max_output=None):
    """Return a BMP image as a uint8 array of shape (H, W), (H, W, 3) or
    (H, W, 4), top row first.

    Palette images whose palette maps every index i to gray i give (H, W)
    gray, others RGB; `asrgb` True always gives RGB, False gives the
    indices of 8-bit images and the palette's red of 1 and 4-bit ones, as
    imagecodecs. Bit fields with an alpha mask give RGBA, all else RGB.
    The image is limited to `max_output` bytes (default:
    ndcodecs.get_max_output()).
    """
    cdef Input src = read_input(data)
    cdef ndc_bmp_info info
    cdef int ret, mode
    cdef ssize_t size
    with nogil:
        ret = ndc_bmp_read_header(src.data, <size_t>src.size, &info)
    if ret != 0:
        raise BmpError('ndc_bmp_read_header: not a BMP, or an invalid or truncated header')
    if info.bpp <= 8:
        if asrgb:
            mode = NDC_BMP_OUT_RGB
        elif asrgb is not None:
            mode = NDC_BMP_OUT_INDEX if info.bpp == 8 else NDC_BMP_OUT_RED
        else:
            mode = NDC_BMP_OUT_INDEX if info.gray else NDC_BMP_OUT_RGB
    elif info.masks[3] and (info.compression == NDC_BMP_BITFIELDS or info.compression == NDC_BMP_ALPHABITFIELDS):
        mode = NDC_BMP_OUT_RGBA
    else:
        mode = NDC_BMP_OUT_RGB
    if mode == NDC_BMP_OUT_INDEX or mode == NDC_BMP_OUT_RED:
        shape = (<Py_ssize_t>info.height, <Py_ssize_t>info.width)
    else:
        shape = (<Py_ssize_t>info.height, <Py_ssize_t>info.width, mode)
    result = array_output(out, shape, numpy.uint8, BmpError, max_output)
    cdef Output dst = decode_output(result, result.nbytes, BmpError, True, None)
    with nogil:
        size = ndc_bmp_decode(src.data, <size_t>src.size, &info, mode, dst.data, <size_t>dst.size)
    if size == NDC_ERR_MEMORY:
        raise MemoryError('ndc_bmp_decode: out of memory')
    if size < 0:
        raise BmpError('ndc_bmp_decode returned NDC_ERR_CORRUPT: truncated pixels or a palette index beyond the palette')
    return result

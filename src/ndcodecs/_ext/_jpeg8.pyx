# cython: language_level=3, boundscheck=False, wraparound=False
"""JPEG codec through libjpeg-turbo (8-bit, baseline and progressive).

Images are uint8 numpy arrays: (H, W) gray, (H, W, 3) RGB or YCbCr,
(H, W, 4) CMYK. CMYK samples are stored and returned as they are, without
the Adobe inversion, as imagecodecs does. libjpeg's warnings about corrupt
or truncated data are raised as Jpeg8Error, where imagecodecs returns the
partial image. 12-bit and lossless (SOF3) streams are not supported by the
8-bit library: ljpeg_decode reads lossless JPEG.
"""

import enum

import numpy

from libc.stdint cimport uint8_t, uint32_t
from libc.stdlib cimport free
from libc.string cimport memcpy

from ._shared cimport as_array, Input, Output, array_output, decode_output, encode_output, level_arg, output_limit, read_input
from .jpeglib cimport *

from .._errors import error_class

__all__ = ['JPEG8', 'Jpeg8Error', 'jpeg8_version', 'jpeg8_check', 'jpeg8_encode', 'jpeg8_decode']


class JPEG8:
    """JPEG8 constants."""

    available = True
    legacy = False
    all_precisions = False

    class CS(enum.IntEnum):
        """Color spaces (libjpeg's J_COLOR_SPACE)."""

        UNKNOWN = 0
        GRAYSCALE = 1
        RGB = 2
        YCbCr = 3
        CMYK = 4
        YCCK = 5
        EXT_RGB = 6
        EXT_RGBX = 7
        EXT_BGR = 8
        EXT_BGRX = 9
        EXT_XBGR = 10
        EXT_XRGB = 11
        EXT_RGBA = 12
        EXT_BGRA = 13
        EXT_ABGR = 14
        EXT_ARGB = 15
        RGB565 = 16


Jpeg8Error = error_class('jpeg8')

# TIFF photometric names besides the libjpeg names
_CS_ALIASES = {'GRAY': 1, 'MINISBLACK': 1, 'MINISWHITE': 1, 'SEPARATED': 4}

# luma sampling factors (horizontal, vertical) by imagecodecs' names
_SUBSAMPLING = {'444': (1, 1), '422': (2, 1), '420': (2, 2), '411': (4, 1), '440': (1, 2)}


def jpeg8_version():
    """Return the libjpeg-turbo version string."""
    return ndc_jpeg8_version().decode()


def jpeg8_check(data, /):
    """Return True if `data` starts with a JPEG SOI and marker."""
    return bytes(data[:3]) == b'\xff\xd8\xff'


cdef int _colorspace(object value, str name) except -1:
    """Return a J_COLOR_SPACE from None (0), an int or a name."""
    if value is None:
        return 0
    if isinstance(value, str):
        key = value.upper()
        if key in _CS_ALIASES:
            return _CS_ALIASES[key]
        for member in JPEG8.CS:
            if member.name.upper() == key:
                return member.value
        raise ValueError(f'invalid {name}={value!r}')
    try:
        cs = value.__index__()
    except AttributeError:
        raise TypeError(f'{name} must be an int or str, not {type(value).__name__}') from None
    if not 0 <= cs <= 16:
        raise ValueError(f'invalid {name}={value!r}')
    return cs


cdef object _subsampling(object value):
    """Return the luma sampling factors (h, v), (0, 0) for the default."""
    if value is None:
        return (0, 0)
    if isinstance(value, str):
        try:
            return _SUBSAMPLING[value]
        except KeyError:
            raise ValueError(f'invalid subsampling={value!r}') from None
    try:
        h, v = value
        h, v = h.__index__(), v.__index__()
    except (TypeError, ValueError, AttributeError):
        raise TypeError(f'subsampling must be a str or (h, v) tuple, not {value!r}') from None
    if h not in (1, 2, 4) or v not in (1, 2, 4):
        raise ValueError(f'invalid subsampling={value!r}')
    return (h, v)


cdef object _image_array(object data):
    """Return `data` as a C-contiguous uint8 image array."""
    arr = as_array(data)
    if arr.dtype != numpy.uint8:
        raise ValueError(f'expected uint8 samples, not {arr.dtype}')
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (3, 4)):
        raise ValueError(f'expected an image of shape (H, W), (H, W, 3) or (H, W, 4), not {arr.shape}')
    if arr.shape[0] < 1 or arr.shape[1] < 1 or arr.shape[0] > 65500 or arr.shape[1] > 65500:
        raise ValueError(f'image shape {arr.shape} exceeds the JPEG limits of 1 to 65500')
    return numpy.ascontiguousarray(arr)


def jpeg8_encode(
    data, /, level=None, *, colorspace=None, outcolorspace=None,
    subsampling=None, optimize=None, smoothing=None, lossless=None,
    predictor=None, bitspersample=None, progressive=None,
    restartinterval=None, out=None,
):
    """Return an 8-bit image array encoded as JPEG.

    `level` is the quality, 0 to 100 (default 95). `colorspace` is that of
    the samples (default gray, RGB or CMYK by the number of samples),
    `outcolorspace` that of the stream (default YCbCr for RGB), as JPEG8.CS
    values or names. `subsampling` of the chroma: '444', '422', '420'
    (default), '411', '440' or luma factors (h, v). `optimize` computes
    optimal Huffman tables; `smoothing` is True or a factor 1 to 100.
    `progressive` writes a progressive stream; `restartinterval` is a
    number of MCUs, or of MCU rows if negative. Lossless and 12-bit JPEG
    are not supported by the 8-bit library (Jpeg8Error).
    """
    cdef ndc_jpeg8_params params
    cdef Input src
    cdef Output dst
    cdef uint8_t *buffer
    cdef size_t size
    cdef int ret
    if lossless:
        raise Jpeg8Error(f'lossless JPEG is not supported by {jpeg8_version()}')
    if predictor is not None:
        raise Jpeg8Error('predictor needs lossless JPEG, which is not supported')
    if bitspersample is not None and bitspersample != 8:
        raise Jpeg8Error(f'{bitspersample}-bit JPEG is not supported by {jpeg8_version()}')
    arr = _image_array(data)
    src = read_input(arr)
    params.width = <uint32_t>arr.shape[1]
    params.height = <uint32_t>arr.shape[0]
    params.components = 1 if arr.ndim == 2 else arr.shape[2]
    if colorspace is None:
        # as imagecodecs, CMYK is stored as is (components 0 to 3, no Adobe
        # marker), which decoders read as CMYK that is not inverted
        params.incolorspace = (JCS_GRAYSCALE, 0, JCS_RGB, JCS_UNKNOWN)[params.components - 1]
    else:
        params.incolorspace = _colorspace(colorspace, 'colorspace')
    params.jpegcolorspace = -1 if outcolorspace is None else _colorspace(outcolorspace, 'outcolorspace')
    params.quality = level_arg(level, 95, 0, 100)
    params.hsamp, params.vsamp = _subsampling(subsampling)
    params.optimize = bool(optimize)
    params.progressive = bool(progressive)
    if smoothing is True:
        params.smoothing = 10
    else:
        params.smoothing = level_arg(smoothing or 0, 0, 0, 100)
    params.restartinterval = level_arg(restartinterval, 0, -65535, 65535)

    dst = encode_output(out, src.size + 4096, Jpeg8Error)
    buffer = dst.data
    size = <size_t>dst.size
    with nogil:
        ret = ndc_jpeg8_encode(src.data, &buffer, &size, &params)
    if ret != 0:
        raise Jpeg8Error(f'ndc_jpeg8_encode failed: {params.message.decode(errors="replace")}')
    if buffer != dst.data:
        # libjpeg outgrew the output and made its own buffer
        try:
            if size > <size_t>dst.size:
                dst.grow(<Py_ssize_t>size)  # raises for a fixed out=
            with nogil:
                memcpy(dst.data, buffer, size)
        finally:
            free(buffer)
    return dst.finish(<Py_ssize_t>size)


def jpeg8_decode(
    data, /, *, tables=None, colorspace=None, outcolorspace=None, shape=None,
    out=None, max_output=None,
):
    """Return a JPEG image as a uint8 numpy array.

    `tables` is a tables-only stream (TIFF JPEGTables) preceding an
    abbreviated `data`. `colorspace` overrides the stream's color space,
    `outcolorspace` is that of the result (default RGB for color, CMYK for
    CMYK and YCCK), as JPEG8.CS values or names. `shape`, if given, is the
    shape the result must have. The image is limited to `max_output` bytes.
    """
    cdef Input src = read_input(data)
    cdef Input tab
    cdef const uint8_t *tdata = NULL
    cdef size_t tsize = 0
    cdef ndc_jpeg8_info info
    cdef Py_ssize_t limit
    cdef ndc_jpeg8_decoder *dec
    cdef Output dst
    cdef int ret
    if tables is not None:
        tab = read_input(tables)
        tdata = tab.data
        tsize = <size_t>tab.size
    info.colorspace = _colorspace(colorspace, 'colorspace')
    info.outcolorspace = _colorspace(outcolorspace, 'outcolorspace')
    if out is None:
        limit = output_limit(max_output)
    else:
        limit = numpy.asarray(out).nbytes if hasattr(out, '__array_interface__') else memoryview(out).nbytes
    # progressive streams keep all coefficients (2 bytes per sample) in memory
    info.memlimit = <size_t>limit * 3 + (16 << 20)
    if src.size == 0:
        raise Jpeg8Error('ndc_jpeg8_open failed: empty input')
    with nogil:
        dec = ndc_jpeg8_open(tdata, tsize, src.data, <size_t>src.size, &info)
    if dec == NULL:
        raise Jpeg8Error(f'ndc_jpeg8_open failed: {info.message.decode(errors="replace")}')
    try:
        if info.components == 1:
            dshape = (<Py_ssize_t>info.height, <Py_ssize_t>info.width)
        else:
            dshape = (<Py_ssize_t>info.height, <Py_ssize_t>info.width, info.components)
        if shape is not None:
            shape = tuple(shape)
            if numpy.prod(shape) != numpy.prod(dshape):
                raise Jpeg8Error(f'the image of shape {dshape} does not fit shape={shape}')
            dshape = shape
        result = array_output(out, dshape, numpy.uint8, Jpeg8Error, max_output)
        dst = decode_output(result, result.nbytes, Jpeg8Error, True, None)
        with nogil:
            ret = ndc_jpeg8_read(dec, dst.data, <size_t>dst.size, &info)
        if ret != 0:
            raise Jpeg8Error(f'ndc_jpeg8_read failed: {info.message.decode(errors="replace")}')
    finally:
        ndc_jpeg8_close(dec)
    return result

# cython: language_level=3, boundscheck=False, wraparound=False
"""OpenEXR codec through the C API of OpenEXRCore (c/exr.c).

Images are numpy arrays of float16 (half), float32 (float) or uint32:
(H, W) with channel Y, (H, W, 2) with Y and A, (H, W, 3) with R, G, B and
(H, W, 4) with R, G, B, A. Other channel sets decode in the file's
(alphabetical) channel order. The first part of a file is read; scanline
and tiled images (their full resolution level) decode, deep images do not.
Files are read from and written to memory, never through a file.
"""

import enum

import numpy

from libc.stdint cimport uint8_t, int32_t
from libc.stdlib cimport free
from libc.string cimport memcpy

from ._shared cimport Input, Output, read_input, encode_output, array_output
from .openexr cimport *

from .._errors import error_class

__all__ = ['EXR', 'ExrError', 'exr_version', 'exr_check', 'exr_encode', 'exr_decode']


class EXR:
    """OpenEXR constants."""

    available = True

    class COMPRESSION(enum.IntEnum):
        """Compression of the pixel data: lossless NONE to PIZ, lossy
        PXR24 (float32 rounded to 24 bit), B44, B44A (half), DWAA and
        DWAB. DWAA and DWAB need OpenEXR 3.2 or later."""

        NONE = 0
        RLE = 1
        ZIPS = 2
        ZIP = 3
        PIZ = 4
        PXR24 = 5
        B44 = 6
        B44A = 7
        DWAA = 8
        DWAB = 9

    class PIXEL_TYPE(enum.IntEnum):
        """Sample types: uint32, float16, float32."""

        UINT = 0
        HALF = 1
        FLOAT = 2


ExrError = error_class('exr')

cdef dict _DTYPES = {0: numpy.dtype(numpy.uint32), 1: numpy.dtype(numpy.float16), 2: numpy.dtype(numpy.float32)}
cdef dict _TYPES = {v: k for k, v in _DTYPES.items()}


def exr_version():
    """Return the OpenEXRCore version string."""
    cdef int major = 0, minor = 0, patch = 0
    cdef const char *extra = NULL
    with nogil:
        exr_get_library_version(&major, &minor, &patch, &extra)
    return f'openexr {major}.{minor}.{patch}{extra.decode() if extra != NULL else ""}'


def exr_check(data, /):
    """Return True if `data` starts with the OpenEXR magic number."""
    return bytes(data[:4]) == b'\x76\x2f\x31\x01'


cdef int _compression_arg(object compression) except -1:
    if compression is None:
        return EXR.COMPRESSION.ZIP
    if isinstance(compression, str):
        try:
            return EXR.COMPRESSION[compression.upper()]
        except KeyError:
            raise ValueError(f'invalid compression={compression!r}') from None
    try:
        return EXR.COMPRESSION(compression.__index__())
    except AttributeError:
        raise TypeError(f'invalid compression={compression!r}') from None
    except ValueError:
        raise ValueError(f'invalid compression={compression!r}') from None


def exr_encode(data, /, *, compression=None, tile=None, out=None):
    """Return an image array encoded as a single-part OpenEXR file.

    `data` is float16, float32 or uint32: (H, W) or (H, W, 1) as Y,
    (H, W, 2) as Y A, (H, W, 3) as R G B, (H, W, 4) as R G B A.
    `compression` is an EXR.COMPRESSION or its name (default ZIP): NONE,
    RLE, ZIPS, ZIP, PIZ (lossless) or PXR24 (float32 rounded to 24 bit);
    B44, B44A, DWAA and DWAB files are decoded but not written.
    `tile` (height, width) writes tiles instead of scanlines.
    """
    if isinstance(data, str) or data is None:
        raise TypeError(f'expected an image array, not {type(data).__name__}')
    arr = numpy.asarray(data)
    dtype = arr.dtype.newbyteorder('=') if arr.dtype.byteorder not in '=|' else arr.dtype
    if dtype not in _TYPES:
        raise ValueError(f'expected float16, float32 or uint32 samples, not {arr.dtype}')
    if arr.ndim == 2:
        arr = arr[..., None]
    if arr.ndim != 3 or not 1 <= arr.shape[2] <= 4 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f'invalid image shape {numpy.shape(data)}')
    if arr.shape[0] > 0x3FFFFFFF or arr.shape[1] > 0x3FFFFFFF:
        raise ValueError(f'image shape {arr.shape} too large')
    arr = numpy.ascontiguousarray(arr, dtype)
    cdef int ccompression = _compression_arg(compression)
    if ccompression >= EXR.COMPRESSION.B44:
        # OpenEXRCore 3.1 cannot write DWA, and writes B44 blocks at the
        # image edges and B44 float channels that OpenEXR's C++ reader
        # decodes differently
        raise ExrError(f'compression {EXR.COMPRESSION(ccompression).name} is read, not written, by this OpenEXR')
    cdef int32_t tile_h = 0, tile_w = 0
    if tile is not None:
        tile_h, tile_w = (int(t) for t in tile)
        if tile_h < 1 or tile_w < 1:
            raise ValueError(f'invalid tile={tile!r}')
    cdef Input src = read_input(arr)
    cdef int32_t height = arr.shape[0], width = arr.shape[1], nchannels = arr.shape[2]
    cdef int32_t ptype = _TYPES[dtype]
    cdef uint8_t *encoded = NULL
    cdef size_t size = 0
    cdef char error[512]
    cdef int rv
    cdef Output dst
    error[0] = 0
    with nogil:
        rv = ndc_exr_encode(src.data, width, height, nchannels, ptype, ccompression,
                            tile_w, tile_h, &encoded, &size, error, sizeof(error))
    try:
        if rv != 0:
            msg = error.decode(errors='replace')
            if 'out of memory' in msg:
                raise MemoryError(msg)
            raise ExrError(msg)
        dst = encode_output(out, <Py_ssize_t>size, ExrError)
        if <size_t>dst.size < size:
            raise ExrError(f'output too small: {size} bytes needed, out= holds {dst.size}')
        with nogil:
            memcpy(dst.data, encoded, size)
        return dst.finish(<Py_ssize_t>size)
    finally:
        free(encoded)


def exr_decode(data, /, *, out=None, max_output=None):
    """Return the first part of an OpenEXR file as a numpy array.

    float16, float32 or uint32; (H, W) for one channel, else
    (H, W, channels) ordered R, G, B, A or Y, A.
    """
    cdef Input src = read_input(data)
    cdef ndc_exr_reader *reader = NULL
    cdef ndc_exr_info info
    cdef char error[512]
    cdef int rv
    cdef uint8_t *dst
    error[0] = 0
    if src.size < 8 or not exr_check(data):
        raise ExrError('not an OpenEXR file')
    with nogil:
        rv = ndc_exr_open(src.data, <size_t>src.size, &reader, &info, error, sizeof(error))
    if rv != 0:
        raise ExrError(error.decode(errors='replace'))
    try:
        if info.nchannels == 1:
            shape = (<object>info.height, <object>info.width)
        else:
            shape = (<object>info.height, <object>info.width, <object>info.nchannels)
        result = array_output(out, shape, _DTYPES[info.pixel_type], ExrError, max_output)
        dst = <uint8_t *><size_t>result.ctypes.data
        with nogil:
            rv = ndc_exr_decode(reader, dst, error, sizeof(error))
        if rv != 0:
            raise ExrError(error.decode(errors='replace'))
        return result
    finally:
        with nogil:
            ndc_exr_close(reader)

# cython: language_level=3, boundscheck=False, wraparound=False
"""BC1 to BC7 block compressed textures and the DDS container, our own C.

Decoded images are numpy arrays: (height, width, 4) RGBA uint8 for BC1, BC2,
BC3 and BC7, (height, width) for BC4, (height, width, 2) for BC5 (int8 for
the signed variants), and (height, width, 3) float16 for BC6H; several
frames (volume slices, array elements) carry a leading axis.
"""

import enum
import operator
import struct

import numpy

from cpython.buffer cimport PyBUF_WRITABLE, PyBuffer_Release, PyObject_GetBuffer
from libc.stdint cimport uint8_t

from ._shared cimport Input, array_output, read_input
from .bcn cimport *

from .. import __version__
from .._errors import error_class

__all__ = [
    'BCN', 'BcnError', 'bcn_version', 'bcn_check', 'bcn_encode', 'bcn_decode',
    'DDS', 'DdsError', 'dds_version', 'dds_check', 'dds_encode', 'dds_decode',
]


class BCN:
    """BCn constants."""

    available = True

    class FORMAT(enum.IntEnum):
        """Block compression formats; negative values are signed variants."""

        BC1 = 1  # DXT1
        BC2 = 2  # DXT3
        BC3 = 3  # DXT5
        BC4 = 4  # BC4_UNORM
        BC4S = -4  # BC4_SNORM
        BC5 = 5  # BC5_UNORM
        BC5S = -5  # BC5_SNORM
        BC6HU = 6  # BC6H_UF16
        BC6HS = -6  # BC6H_SF16
        BC7 = 7  # BC7_UNORM


class DDS:
    """DDS constants."""

    available = True


BcnError = error_class('bcn')
DdsError = error_class('dds')


def bcn_version():
    """Return the version of the ndcodecs BCn decoders."""
    return f'ndcodecs {__version__}'


def dds_version():
    """Return the version of the ndcodecs DDS decoder."""
    return f'ndcodecs {__version__}'


def bcn_check(data, /):
    """Return None: BCn blocks have no signature."""
    return None


def dds_check(data, /):
    """Return True if `data` starts with the DDS signature."""
    return bytes(data[:4]) == b'DDS '


def bcn_encode(data, /, *, out=None):
    """Not implemented: BCn is decode only, as in imagecodecs."""
    raise NotImplementedError('bcn_encode')


def dds_encode(data, /, *, out=None):
    """Not implemented: DDS is decode only, as in imagecodecs."""
    raise NotImplementedError('dds_encode')


_UINT8 = numpy.dtype(numpy.uint8)
_INT8 = numpy.dtype(numpy.int8)
_FLOAT16 = numpy.dtype(numpy.float16)


cdef object _dtype(int format):
    if format == 6 or format == -6:
        return _FLOAT16
    if format < 0:
        return _INT8
    return _UINT8


cdef object _decode(Input src, size_t offset, int format, tuple shape, size_t frames, size_t height, size_t width, object out, object error, object max_output, int simd=1):
    """Decode `frames` images of blocks at src.data + offset into an array;
    `simd` 0 forces the portable C code instead of the vector kernels."""
    cdef size_t need = ndc_bcn_encoded_size(format, frames, height, width)
    cdef ssize_t ret
    cdef Py_buffer dst
    if offset > <size_t>src.size or need > <size_t>src.size - offset:
        raise error(
            f'input too short: {shape} pixels of BC{format} need '
            f'{need} bytes of blocks, {src.size - offset if <size_t>src.size > offset else 0} given'
        )
    result = array_output(out, shape, _dtype(format), error, max_output)
    if result.size == 0:
        return result
    PyObject_GetBuffer(result, &dst, PyBUF_WRITABLE)  # C-contiguous: array_output checked
    try:
        with nogil:
            ret = ndc_bcn_decode(format, src.data + offset, src.size - offset, <uint8_t *>dst.buf, dst.len, frames, height, width, simd)
    finally:
        PyBuffer_Release(&dst)
    if ret < 0:
        raise error(f'ndc_bcn_decode returned {ret}')
    return result


def bcn_decode(data, /, format, *, shape=None, out=None, max_output=None):
    """Return an image decoded from BCn blocks.

    `format` is a BCN.FORMAT; `shape` the image shape, (height, width,
    samples) or with a leading frame axis, for BC4 (height, width) or
    (frames, height, width); taken from `out` if None.
    """
    return _bcn_decode(data, format, shape, out, max_output, 1)


def _bcn_decode_portable(data, /, format, *, shape=None, out=None, max_output=None):
    """bcn_decode without the vector kernels, to test the portable code."""
    return _bcn_decode(data, format, shape, out, max_output, 0)


cdef object _bcn_decode(data, format, shape, out, max_output, int simd):
    cdef Input src = read_input(data)
    cdef int fmt, samples
    fmt = operator.index(format)
    if ndc_bcn_block_size(fmt) == 0:
        raise BcnError(f'BC{fmt} not supported')
    if shape is None:
        if out is None or not hasattr(out, 'shape'):
            raise TypeError("bcn_decode missing required argument 'shape' or 'out'")
        shape = out.shape
    shape = tuple(map(int, shape))
    samples = ndc_bcn_samples(fmt)
    ndim = len(shape)
    # the shape is (frames,) height, width (, samples); indexed only once
    # its length is known: this module is compiled without wraparound
    if samples == 1:
        ok = ndim == 2 or ndim == 3
    else:
        ok = (ndim == 3 or ndim == 4) and shape[ndim - 1] == samples
    if not ok or min(shape) < 0:
        raise ValueError(f'invalid shape={shape} for BC{fmt}')
    if samples == 1:
        frames = shape[0] if ndim == 3 else 1
        height, width = shape[ndim - 2], shape[ndim - 1]
    else:
        frames = shape[0] if ndim == 4 else 1
        height, width = shape[ndim - 3], shape[ndim - 2]
    return _decode(src, 0, fmt, shape, frames, height, width, out, BcnError, max_output, simd)


# DDS pixel formats: legacy FourCC codes and DXGI_FORMAT values.
_FOURCC = {
    b'DXT1': 1, b'DXT2': 2, b'DXT3': 2, b'DXT4': 3, b'DXT5': 3,
    b'ATI1': 4, b'BC4U': 4, b'BC4S': -4,
    b'ATI2': 5, b'BC5U': 5, b'BC5S': -5,
}
_DXGI = {
    70: 1, 71: 1, 72: 1, 73: 2, 74: 2, 75: 2, 76: 3, 77: 3, 78: 3,
    79: 4, 80: 4, 81: -4, 82: 5, 83: 5, 84: -5,
    94: 6, 95: 6, 96: -6, 97: 7, 98: 7, 99: 7,
}

_HEADER = struct.Struct('<7I')
_PIXELFORMAT = struct.Struct('<I4s')

cdef enum:
    DDSD_MIPMAPCOUNT = 0x20000
    DDSD_DEPTH = 0x800000
    DDPF_FOURCC = 0x4
    DDS_MISC_TEXTURECUBE = 0x4


def dds_decode(data, /, *, mipmap=0, out=None, max_output=None):
    """Return the image of a DDS file with BCn-compressed pixels.

    `mipmap` selects the mipmap level. Volume textures return all slices,
    texture arrays all elements along a leading axis; cube maps return
    their first face, as imagecodecs does.
    """
    cdef Input src = read_input(data)
    cdef size_t offset
    cdef int fmt
    level = operator.index(mipmap)
    if src.size < 128:
        raise DdsError('not a DDS file')
    header = src.data[:128]
    if header[:4] != b'DDS ':
        raise DdsError('not a DDS file')
    (hsize, flags, height, width, _, depth, mipcount) = _HEADER.unpack_from(header, 4)
    (pfflags, fourcc) = _PIXELFORMAT.unpack_from(header, 80)
    if hsize != 124:
        raise DdsError(f'invalid DDS header size {hsize}')
    offset = 128
    count = 1
    if not pfflags & DDPF_FOURCC:
        raise DdsError('uncompressed DDS pixel formats are not supported')
    if fourcc == b'DX10':
        if src.size < 148:
            raise DdsError('truncated DX10 header')
        dxgi, _, misc, arraysize = struct.unpack_from('<4I', src.data[:148], 128)
        offset = 148
        if dxgi not in _DXGI:
            raise DdsError(f'DXGI_FORMAT {dxgi} not supported')
        fmt = _DXGI[dxgi]
        if not misc & DDS_MISC_TEXTURECUBE:
            count = max(arraysize, 1)
    elif fourcc in _FOURCC:
        fmt = _FOURCC[fourcc]
    else:
        raise DdsError(f'FourCC {fourcc!r} not supported')
    depth = depth if flags & DDSD_DEPTH and depth > 1 else 1
    if height == 0 or width == 0:
        raise DdsError(f'invalid DDS image size {height}x{width}')
    # levels beyond 1x1x1 cannot exist; a header claiming more still decodes
    mipcount = min(max(mipcount if flags & DDSD_MIPMAPCOUNT else 1, 1), max(height, width, depth).bit_length())
    if not 0 <= level < mipcount:
        raise ValueError(f'mipmap={level} out of range: the file has {mipcount} levels')
    # where the level starts within one element (an array element or cube
    # face), and the size of an element with all its levels
    level_offset = element_size = 0
    for k in range(mipcount):
        level_size = ndc_bcn_encoded_size(fmt, max(depth >> k, 1), max(height >> k, 1), max(width >> k, 1))
        if k < level:
            level_offset += level_size
        element_size += level_size
    if level_offset + (count - 1) * element_size > src.size - offset:
        raise DdsError(f'input too short for mipmap {level} of {count} element(s)')
    depth, height, width = max(depth >> level, 1), max(height >> level, 1), max(width >> level, 1)
    samples = ndc_bcn_samples(fmt)
    shape = (height, width) if samples == 1 else (height, width, samples)
    if count == 1:
        if depth > 1:
            shape = (depth,) + shape
        return _decode(src, offset + level_offset, fmt, shape, depth, height, width, out, DdsError, max_output)
    # array elements are stored one after the other, each with its mipmaps
    result = array_output(out, (count,) + shape, _dtype(fmt), DdsError, max_output)
    for i in range(count):
        _decode(src, offset + i * element_size + level_offset, fmt, shape, 1, height, width, result[i], DdsError, None)
    return result

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


cdef object _dtype(int format):
    if format == 6 or format == -6:
        return numpy.float16
    if format < 0:
        return numpy.int8
    return numpy.uint8


cdef object _decode(Input src, size_t offset, int format, tuple shape, size_t frames, size_t height, size_t width, object out, object error, object max_output):
    """Decode `frames` images of blocks at src.data + offset into an array."""
    cdef size_t need = ndc_bcn_encoded_size(format, frames, height, width)
    cdef ssize_t ret
    cdef uint8_t[::1] dst
    if offset > <size_t>src.size or need > <size_t>src.size - offset:
        raise error(
            f'input too short: {shape} pixels of BC{format} need '
            f'{need} bytes of blocks, {src.size - offset if <size_t>src.size > offset else 0} given'
        )
    result = array_output(out, shape, _dtype(format), error, max_output)
    if result.size == 0:
        return result
    dst = result.reshape(-1).view(numpy.uint8)
    with nogil:
        ret = ndc_bcn_decode(format, src.data + offset, src.size - offset, &dst[0], dst.shape[0], frames, height, width)
    if ret < 0:
        raise error(f'ndc_bcn_decode returned {ret}')
    return result


def bcn_decode(data, /, format, *, shape=None, out=None, max_output=None):
    """Return an image decoded from BCn blocks.

    `format` is a BCN.FORMAT; `shape` the image shape, (height, width,
    samples) or with a leading frame axis, for BC4 (height, width) or
    (frames, height, width); taken from `out` if None.
    """
    cdef Input src = read_input(data)
    cdef int fmt, samples
    fmt = operator.index(format)
    if ndc_bcn_block_size(fmt) == 0:
        raise BcnError(f'BC{fmt} not supported')
    if shape is None:
        if out is None or not hasattr(out, 'shape'):
            raise TypeError("bcn_decode missing required argument 'shape' or 'out'")
        shape = out.shape
    shape = tuple(int(n) for n in shape)
    samples = ndc_bcn_samples(fmt)
    ndim = len(shape)
    # the shape is (frames,) height, width (, samples); no negative indices
    # here: this module is compiled without wraparound
    if samples == 1:
        ok = ndim in (2, 3)
        frames = shape[0] if ndim == 3 else 1
        height, width = shape[ndim - 2], shape[ndim - 1]
    else:
        ok = ndim in (3, 4) and shape[ndim - 1] == samples
        frames = shape[0] if ndim == 4 else 1
        height, width = (shape[ndim - 3], shape[ndim - 2]) if ok else (0, 0)
    if not ok or any(n < 0 for n in shape):
        raise ValueError(f'invalid shape={shape} for BC{fmt}')
    return _decode(src, 0, fmt, shape, frames, height, width, out, BcnError, max_output)


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

cdef enum:
    DDSD_MIPMAPCOUNT = 0x20000
    DDSD_DEPTH = 0x800000
    DDPF_FOURCC = 0x4
    DDSCAPS2_CUBEMAP = 0x200
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
    if src.size < 128 or bytes(src.data[:4]) != b'DDS ':
        raise DdsError('not a DDS file')
    (hsize, flags, height, width, _, depth, mipcount) = struct.unpack_from('<7I', src.data[:32], 4)
    (pfflags, fourcc) = struct.unpack_from('<I4s', src.data[:128], 80)
    (caps2,) = struct.unpack_from('<I', src.data[:128], 112)
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

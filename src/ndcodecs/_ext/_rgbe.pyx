# cython: language_level=3, boundscheck=False, wraparound=False
"""Radiance RGBE (.hdr) image codec, our own C.

Images are float32 numpy arrays of shape (H, W, 3).
"""

import numpy

from libc.string cimport memcpy

from ._shared cimport Input, Output, array_output, decode_output, encode_output, read_input
from .rgbe cimport *

from .. import __version__
from .._errors import error_class

__all__ = ['RGBE', 'RgbeError', 'rgbe_version', 'rgbe_check', 'rgbe_encode', 'rgbe_decode']


class RGBE:
    """RGBE constants."""

    available = True


RgbeError = error_class('rgbe')

# The text header may hold any number of variables; stop looking after this.
cdef Py_ssize_t _MAX_HEADER = 1 << 16
cdef tuple _FORMATS = (b'32-bit_rle_rgbe', b'32-bit_rle_xyze')


def rgbe_version():
    """Return the version of the ndcodecs RGBE code."""
    return f'ndcodecs {__version__}'


def rgbe_check(data, /):
    """Return True if `data` starts like a Radiance header, b'#?'."""
    return bytes(data[:2]) == b'#?'


cdef str _status(ssize_t ret):
    if ret == NDC_ERR_MEMORY:
        raise MemoryError('out of memory')
    return 'NDC_ERR_OUTPUT: output too small' if ret == NDC_ERR_OUTPUT else 'NDC_ERR_CORRUPT: invalid or truncated pixels'


cdef tuple _read_header(Input src):
    """Return (offset of the pixels, slow axis, its size and sign, fast
    axis size and sign) from the text header and resolution line."""
    cdef Py_ssize_t n = min(src.size, _MAX_HEADER)
    head = bytes(src.data[:n]) if n > 0 else b''
    pos = 0
    while True:
        end = head.find(b'\n', pos)
        if end < 0:
            raise RgbeError('no end of the RGBE header')
        line = head[pos:end].rstrip(b'\r')
        pos = end + 1
        if not line:
            break
        if line.startswith(b'FORMAT='):
            if line[7:].strip() not in _FORMATS:
                raise RgbeError(f'unsupported RGBE format {line[7:]!r}')
    end = head.find(b'\n', pos)
    if end < 0:
        raise RgbeError('no RGBE resolution line')
    parts = head[pos:end].split()
    try:
        slow, nslow, fast, nfast = parts
        nslow = int(nslow)
        nfast = int(nfast)
    except ValueError:
        raise RgbeError(f'invalid RGBE resolution line {head[pos:end][:40]!r}') from None
    if (
        len(slow) != 2 or len(fast) != 2 or slow[0] not in b'+-' or fast[0] not in b'+-'
        or {slow[1:], fast[1:]} != {b'X', b'Y'} or nslow < 0 or nfast < 0
    ):
        raise RgbeError(f'invalid RGBE resolution line {head[pos:end][:40]!r}')
    return end + 1, slow, nslow, fast, nfast


def rgbe_encode(data, /, *, header=None, rle=None, out=None):
    """Return a float32 RGB image of shape (..., W, 3) encoded as RGBE.

    `header` (default True) writes the Radiance text header with the
    '-Y H +X W' orientation, H the product of the leading dimensions.
    `rle` (default: `header`) run-length encodes scanlines 8 to 32767
    pixels wide.
    """
    if isinstance(data, str) or data is None:
        raise TypeError(f'expected an image array, not {type(data).__name__}')
    arr = numpy.asarray(data)
    if arr.dtype.kind != 'f' or arr.dtype.itemsize != 4 or arr.ndim < 2 or arr.shape[arr.ndim - 1] != 3:
        raise ValueError(f'expected a float32 array of shape (..., W, 3), not {arr.shape} {arr.dtype}')
    arr = numpy.ascontiguousarray(arr, numpy.float32)
    header = True if header is None else bool(header)
    rle = header if rle is None else bool(rle)
    cdef size_t width = arr.shape[arr.ndim - 2]
    cdef size_t height = arr.size // 3 // width if width else 0
    cdef Input src = read_input(arr)
    head = f'#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y {height} +X {width}\n'.encode() if header else b''
    cdef Py_ssize_t hsize = len(head)
    cdef size_t bound = ndc_rgbe_encode_bound(width, height)
    if bound == 0 and width and height:
        raise ValueError(f'image shape {arr.shape} too large')
    cdef Output dst = encode_output(out, hsize + <Py_ssize_t>bound, RgbeError)
    cdef ssize_t ret = 0
    cdef int crle = rle
    if dst.size < hsize + <Py_ssize_t>bound:
        raise RgbeError(f'output too small: {hsize + bound} bytes needed, out= holds {dst.size}')
    memcpy(dst.data, <const char *>head, hsize)
    with nogil:
        ret = ndc_rgbe_encode(<const float *>src.data, width, height, crle, dst.data + hsize, bound)
    if ret < 0:
        raise RgbeError(f'ndc_rgbe_encode returned {_status(ret)}')
    return dst.finish(hsize + ret)


def rgbe_decode(data, /, *, header=None, rle=None, out=None, max_output=None):
    """Return a Radiance RGBE image as a float32 array of shape (H, W, 3).

    `header` (default: whether `data` starts with b'#?') says whether a text
    header gives the size and orientation, which is then turned to rows top
    to bottom and columns left to right; without it, `out` must be a float32
    array of shape (..., W, 3) to fill. `rle` False reads flat pixels only;
    else run-length encoded scanlines are recognized. The image is limited
    to `max_output` bytes (default: ndcodecs.get_max_output()).
    """
    cdef Input src = read_input(data)
    cdef Py_ssize_t offset = 0
    cdef size_t width, height
    cdef int crle = rle is None or bool(rle)
    cdef ssize_t ret = 0
    if header is None:
        header = src.size >= 2 and src.data[0] == 35 and src.data[1] == 63  # b'#?'
    if header:
        offset, slow, nslow, fast, nfast = _read_header(src)
        height, width = nslow, nfast
        shape = (nslow, nfast, 3)
        plain = slow == b'-Y' and fast == b'+X'
        result = array_output(out if plain else None, shape, numpy.float32, RgbeError, max_output)
    else:
        if not isinstance(out, numpy.ndarray) or out.ndim < 2 or out.shape[out.ndim - 1] != 3:
            raise RgbeError('no RGBE header found: out= must be a float32 array of shape (..., W, 3)')
        width = out.shape[out.ndim - 2]
        height = out.size // 3 // width if width else 0
        result = array_output(out, out.shape, numpy.float32, RgbeError, max_output)
        plain = True
    cdef Output dst
    if width and height:
        dst = decode_output(result, result.nbytes, RgbeError, True, None)
        with nogil:
            ret = ndc_rgbe_decode(src.data + offset, <size_t>(src.size - offset), width, height, crle, <float *>dst.data)
        if ret < 0:
            raise RgbeError(f'ndc_rgbe_decode returned {_status(ret)}')
    if plain:
        return result
    # scanlines were columns (X first) or ran bottom to top or right to left
    if slow[1:] == b'X':
        result = result.transpose(1, 0, 2)
    if (slow if slow[1:] == b'Y' else fast) == b'+Y':
        result = result[::-1]
    if (slow if slow[1:] == b'X' else fast) == b'-X':
        result = result[:, ::-1]
    final = array_output(out, result.shape, numpy.float32, RgbeError, None)
    final[...] = result
    return final

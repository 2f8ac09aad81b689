# cython: language_level=3, boundscheck=False, wraparound=False
"""Lossless JPEG (SOF3), our own C: codecs ljpeg (encode and decode) and
jpegsof3 (decode).

2 to 16 bits per sample, 1 to 4 components, all seven predictors, point
transform, restart intervals, interleaved or one scan per component, as
written by DNG, DICOM and libjpeg-turbo. Images are returned as uint8
(up to 8 bits) or uint16 arrays of shape (H, W) or (H, W, components);
two-component DNG tiles thus keep their interleaved sample order.
"""

import numpy

from libc.stdint cimport uint8_t, uint16_t, uint32_t

from ._shared cimport Input, Output, array_output, decode_output, encode_output, read_input, ssize_t
from .ljpeg cimport *

from .. import __version__
from .._errors import error_class

__all__ = [
    'LJPEG', 'LjpegError', 'ljpeg_version', 'ljpeg_check', 'ljpeg_encode', 'ljpeg_decode',
    'JPEGSOF3', 'Jpegsof3Error', 'jpegsof3_version', 'jpegsof3_check', 'jpegsof3_decode',
]

cdef extern from 'ndc_status.h':
    int NDC_ERR_OUTPUT
    int NDC_ERR_MEMORY


class LJPEG:
    """LJPEG constants."""

    available = True


LjpegError = error_class('ljpeg')


class JPEGSOF3:
    """JPEGSOF3 constants."""

    available = True


Jpegsof3Error = error_class('jpegsof3')


def ljpeg_version():
    """Return the version of the ndcodecs lossless JPEG codec."""
    return f'ndcodecs {__version__}'


def jpegsof3_version():
    """Return the version of the ndcodecs lossless JPEG codec."""
    return f'ndcodecs {__version__}'


cdef object _sof3(object data):
    """Return True if the markers before the first scan include SOF3, False
    if they include another frame type or `data` is not JPEG, else None."""
    cdef Input inp = read_input(data)
    head = (<const char *>inp.data)[:min(inp.size, 65536)]
    if head[:2] != b'\xff\xd8':
        return False
    pos = 2
    while pos + 4 <= len(head):
        if head[pos] != 0xFF:
            return False
        marker = head[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker == 0xC3:
            return True
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC) or marker == 0xDA:
            return False
        pos += 2 + ((head[pos + 2] << 8) | head[pos + 3])
    return None


def ljpeg_check(data, /):
    """Return True if `data` is lossless JPEG, False if not, None if its
    first bytes do not tell."""
    return _sof3(data)


def jpegsof3_check(data, /):
    """Return True if `data` is lossless JPEG, False if not, None if its
    first bytes do not tell."""
    return _sof3(data)


def ljpeg_encode(data, /, *, bitspersample=None, delinearize=None, predictor=None, out=None):
    """Return a uint8 or uint16 image array encoded as lossless JPEG.

    `data` has shape (H, W) or (H, W, 1 to 4 components). `bitspersample`
    is 2 to 16 (default 8 for uint8, 16 for uint16); higher bits of the
    samples are ignored. `delinearize` is a table of uint16 that maps the
    samples before encoding. `predictor` is 1 to 7 (default 1).
    """
    cdef Input src
    cdef Output dst
    cdef ssize_t ret
    cdef uint32_t width, height
    cdef int components, itemsize, precision, pred
    if isinstance(data, str) or data is None:
        raise TypeError(f'expected an image array, not {type(data).__name__}')
    arr = numpy.asarray(data)
    if arr.dtype not in (numpy.uint8, numpy.uint16):
        raise ValueError(f'expected uint8 or uint16 samples, not {arr.dtype}')
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and not 1 <= arr.shape[2] <= 4):
        raise ValueError(f'expected an image of shape (H, W) or (H, W, 1 to 4), not {arr.shape}')
    if not (1 <= arr.shape[0] <= 65535 and 1 <= arr.shape[1] <= 65535):
        raise ValueError(f'image shape {arr.shape} exceeds the JPEG limits of 1 to 65535')
    if delinearize is not None:
        table = numpy.asarray(delinearize)
        if table.ndim != 1 or table.size == 0:
            raise ValueError('delinearize must be a 1-D table')
        if int(arr.max()) >= table.size:
            raise ValueError(f'samples exceed the delinearize table of {table.size} entries')
        arr = table[arr].astype(arr.dtype)
    itemsize = arr.dtype.itemsize
    precision = 8 * itemsize if bitspersample is None else bitspersample.__index__()
    if not 2 <= precision <= 8 * itemsize:
        raise ValueError(f'invalid bitspersample={bitspersample} for {arr.dtype}')
    pred = 1 if predictor is None else predictor.__index__()
    if not 1 <= pred <= 7:
        raise ValueError(f'invalid predictor={predictor}')
    arr = numpy.ascontiguousarray(arr.astype(arr.dtype.newbyteorder('='), copy=False))
    height = <uint32_t>arr.shape[0]
    width = <uint32_t>arr.shape[1]
    components = 1 if arr.ndim == 2 else arr.shape[2]
    src = read_input(arr)
    # natural images need less than their samples; noise a little more
    dst = encode_output(out, src.size + src.size // 4 + 4096, LjpegError)
    with nogil:
        ret = ndc_ljpeg_encode(
            src.data, itemsize, width, height, components, precision, pred,
            dst.data, <size_t>dst.size
        )
    if ret == NDC_ERR_OUTPUT and not dst.fixed:
        dst.resize(<Py_ssize_t>ndc_ljpeg_encode_bound(width, height, components))
        with nogil:
            ret = ndc_ljpeg_encode(
                src.data, itemsize, width, height, components, precision, pred,
                dst.data, <size_t>dst.size
            )
    if ret == NDC_ERR_MEMORY:
        raise MemoryError('ndc_ljpeg_encode failed to allocate memory')
    if ret == NDC_ERR_OUTPUT:
        raise LjpegError('ndc_ljpeg_encode returned NDC_ERR_OUTPUT: output too small')
    if ret < 0:
        raise LjpegError(f'ndc_ljpeg_encode failed ({ret})')
    return dst.finish(ret)


cdef object _decode(object data, object linearize, object out, object max_output, object error):
    cdef Input src = read_input(data)
    cdef Input lut
    cdef const uint16_t *lutdata = NULL
    cdef size_t lutsize = 0
    cdef ndc_ljpeg_info info
    cdef ssize_t ret
    cdef Output dst
    cdef int itemsize
    if linearize is not None:
        table = numpy.ascontiguousarray(linearize, dtype=numpy.uint16)
        if table.ndim != 1 or table.size == 0:
            raise ValueError('linearize must be a 1-D table of uint16')
        lut = read_input(table)
        lutdata = <const uint16_t *>lut.data
        lutsize = <size_t>table.size
    with nogil:
        ret = ndc_ljpeg_header(src.data, <size_t>src.size, &info)
    if ret < 0:
        raise error('ndc_ljpeg_header returned NDC_ERR_CORRUPT: not a lossless JPEG stream')
    itemsize = 1 if info.precision <= 8 else 2
    if info.components == 1:
        shape = (<Py_ssize_t>info.height, <Py_ssize_t>info.width)
    else:
        shape = (<Py_ssize_t>info.height, <Py_ssize_t>info.width, info.components)
    result = array_output(out, shape, numpy.uint8 if itemsize == 1 else numpy.uint16, error, max_output)
    dst = decode_output(result, result.nbytes, error, True, None)
    with nogil:
        ret = ndc_ljpeg_decode(src.data, <size_t>src.size, dst.data, <size_t>dst.size, itemsize, lutdata, lutsize)
    if ret == NDC_ERR_MEMORY:
        raise MemoryError('ndc_ljpeg_decode failed to allocate memory')
    if ret < 0:
        raise error(f'ndc_ljpeg_decode returned NDC_ERR_CORRUPT: invalid or truncated stream')
    return result


def ljpeg_decode(data, /, *, linearize=None, out=None, max_output=None):
    """Return a lossless JPEG image as a uint8 or uint16 numpy array.

    `linearize` is a table of uint16 that maps the decoded samples (DNG
    LinearizationTable); samples beyond its end raise LjpegError. The image
    is limited to `max_output` bytes.
    """
    return _decode(data, linearize, out, max_output, LjpegError)


def jpegsof3_decode(data, /, *, out=None, max_output=None):
    """Return a lossless JPEG image as a uint8 or uint16 numpy array.

    The image is limited to `max_output` bytes.
    """
    return _decode(data, None, out, max_output, Jpegsof3Error)

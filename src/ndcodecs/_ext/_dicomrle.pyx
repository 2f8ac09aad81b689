# cython: language_level=3, boundscheck=False, wraparound=False
"""DICOM RLE Lossless decoder, our own C."""

import sys

import numpy

from ._shared cimport Input, Output, decode_output, output_limit, read_input
from .dicomrle cimport *

from .. import __version__
from .._errors import error_class

__all__ = ['DICOMRLE', 'DicomrleError', 'dicomrle_version', 'dicomrle_check', 'dicomrle_encode', 'dicomrle_decode']


class DICOMRLE:
    """DICOM RLE constants."""

    available = True


DicomrleError = error_class('dicomrle')


def dicomrle_version():
    """Return the version of the ndcodecs DICOM RLE code."""
    return f'ndcodecs {__version__}'


def dicomrle_check(data, /):
    """Return True if `data` starts with a plausible DICOM RLE header: 1 to
    15 segments, the first at offset 64, offsets increasing, unused ones 0."""
    head = bytes(data[:64])
    if len(head) < 64:
        return False
    values = [int.from_bytes(head[i:i + 4], 'little') for i in range(0, 64, 4)]
    n = values[0]
    if not 1 <= n <= 15 or values[1] != 64:
        return False
    offsets = values[1:n + 1]
    return all(a < b for a, b in zip(offsets, offsets[1:])) and not any(values[n + 1:])


def dicomrle_encode(data, /, *, out=None):
    """Not implemented, as in imagecodecs: DICOM RLE is decode only."""
    raise NotImplementedError('dicomrle_encode')


def dicomrle_decode(data, /, dtype, *, out=None, max_output=None):
    """Return the bytes of a DICOM RLE frame of samples of `dtype`.

    The frame has itemsize segments per sample, most significant byte
    first; the result holds the sample planes one after the other, each
    value in the byte order of `dtype`. The result is limited to
    `max_output` bytes (default: ndcodecs.get_max_output()).
    """
    dtype = numpy.dtype(dtype)
    cdef int itemsize = dtype.itemsize
    cdef int bigendian = dtype.byteorder == '>' or (dtype.byteorder == '=' and sys.byteorder == 'big')
    cdef Input src = read_input(data)
    cdef Py_ssize_t limit = output_limit(max_output)
    cdef ssize_t ret
    cdef Output dst
    if itemsize < 1 or itemsize > 8:
        raise ValueError(f'invalid dtype {dtype!r}')
    if out is not None and out is not bytes and out is not bytearray:
        limit = 0x7FFFFFFFFFFFFFFF  # the out= size decides
    with nogil:
        ret = ndc_dicomrle_decoded_size(src.data, <size_t>src.size, itemsize, <size_t>limit)
    if ret == NDC_ERR_OUTPUT:
        raise DicomrleError(f'decoded size exceeds max_output={limit} bytes')
    if ret < 0:
        raise DicomrleError(
            'ndc_dicomrle_decoded_size returned NDC_ERR_CORRUPT: invalid header, '
            f'segments not a multiple of itemsize={itemsize}, or segments of unequal length'
        )
    dst = decode_output(out, ret, DicomrleError, True, max_output)
    with nogil:
        ret = ndc_dicomrle_decode(src.data, <size_t>src.size, itemsize, bigendian, dst.data, <size_t>ret)
    if ret < 0:
        raise DicomrleError('ndc_dicomrle_decode returned NDC_ERR_CORRUPT')
    return dst.finish(ret)

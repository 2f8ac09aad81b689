# cython: language_level=3, boundscheck=False, wraparound=False
"""Number-format filters, our own C: bit order reversal, packed integers,
24-bit floats and bfloat16, as imagecodecs' bitorder, packints, float24 and
bfloat16 codecs."""

import enum
import sys

import numpy

from libc.stdint cimport uint8_t, uint16_t, uint32_t

from ._shared cimport Input, Output, array_output, read_input, encode_output, decode_output
from .numformats cimport *

from .. import __version__
from .._errors import error_class

__all__ = [
    'BITORDER', 'BitorderError', 'bitorder_version', 'bitorder_check', 'bitorder_encode', 'bitorder_decode',
    'PACKINTS', 'PackintsError', 'packints_version', 'packints_check', 'packints_encode', 'packints_decode',
    'FLOAT24', 'Float24Error', 'float24_version', 'float24_check', 'float24_encode', 'float24_decode',
    'BFLOAT16', 'Bfloat16Error', 'bfloat16_version', 'bfloat16_check', 'bfloat16_encode', 'bfloat16_decode',
]

cdef bint _BIG = sys.byteorder == 'big'


class _ROUND(enum.IntEnum):
    """Rounding modes (imagecodecs' values, the x86 FE_* constants)."""

    TONEAREST = 0
    UPWARD = 2048
    DOWNWARD = 1024
    TOWARDZERO = 3072


class BITORDER:
    """Bit order reversal constants."""

    available = True


class PACKINTS:
    """Packed integer constants."""

    available = True


class FLOAT24:
    """24-bit float constants."""

    available = True
    ROUND = _ROUND


class BFLOAT16:
    """bfloat16 constants."""

    available = True
    ROUND = _ROUND


BitorderError = error_class('bitorder')
PackintsError = error_class('packints')
Float24Error = error_class('float24')
Bfloat16Error = error_class('bfloat16')


def bitorder_version():
    """Return the version of the ndcodecs bit order code."""
    return f'ndcodecs {__version__}'


def packints_version():
    """Return the version of the ndcodecs packed integer code."""
    return f'ndcodecs {__version__}'


def float24_version():
    """Return the version of the ndcodecs float24 code."""
    return f'ndcodecs {__version__}'


def bfloat16_version():
    """Return the version of the ndcodecs bfloat16 code."""
    return f'ndcodecs {__version__}'


def bitorder_check(data, /):
    """Return None: bit-reversed data has no signature."""
    return None


def packints_check(data, /):
    """Return None: packed integers have no signature."""
    return None


def float24_check(data, /):
    """Return None: float24 data has no signature."""
    return None


def bfloat16_check(data, /):
    """Return None: bfloat16 data has no signature."""
    return None


# helpers

cdef bint _bigendian_arg(object byteorder) except -1:
    """Return True for big-endian: None, '=', '<', '>' (else ValueError)."""
    if byteorder is None or byteorder == '=':
        return _BIG
    if byteorder == '<':
        return False
    if byteorder == '>':
        return True
    raise ValueError(f'invalid byteorder={byteorder!r}')


cdef int _rounding_arg(object rounding) except? -1:
    """Return the rounding mode; unknown values round to nearest, as imagecodecs."""
    if rounding is None:
        return 0
    return <int>rounding.__index__()


cdef object _float32_input(object data):
    """Return `data` as a contiguous native float32 array, or raise ValueError."""
    if (
        not isinstance(data, numpy.ndarray)
        or data.dtype.char != 'f'
        or not data.dtype.isnative
    ):
        raise ValueError('not a numpy.float32 array with native byte order')
    return numpy.ascontiguousarray(data)


# bitorder

def bitorder_encode(data, /, *, out=None):
    """Return `data` with the bits of every byte reversed.

    Bytes-like input gives bytes; an array gives an array of its shape and
    dtype. `out` may be the input itself (in place).
    """
    cdef Input src
    cdef Output dst
    cdef Py_ssize_t n
    if isinstance(data, numpy.ndarray) and (out is None or isinstance(out, numpy.ndarray)):
        if data.ndim == 0:
            raise ValueError('expected a buffer, not a 0-d array')
        if out is None:
            out = numpy.empty(data.shape, data.dtype)
        elif out.nbytes != data.nbytes or not out.flags.c_contiguous:
            raise ValueError('out must be a C-contiguous array of the size of data')
        src = read_input(data)
        dst = encode_output(out, src.size, BitorderError)
        n = src.size
        with nogil:
            ndc_bitorder_reverse(src.data, dst.data, n)
        return out
    src = read_input(data)
    n = src.size
    dst = encode_output(out, n, BitorderError)
    if dst.size < n:
        raise BitorderError(f'output too small: {n} bytes needed, out= holds {dst.size}')
    with nogil:
        ndc_bitorder_reverse(src.data, dst.data, n)
    return dst.finish(n)


def bitorder_decode(data, /, *, out=None):
    """Return `data` with the bits of every byte reversed (as encode)."""
    return bitorder_encode(data, out=out)


# bfloat16

def bfloat16_encode(data, /, *, byteorder=None, rounding=None, out=None):
    """Return a native float32 array as bfloat16 bytes.

    Rounds to nearest, ties to even, unless `rounding` is a BFLOAT16.ROUND
    mode; NaNs become quiet NaNs keeping their sign.
    """
    cdef bint swap = _bigendian_arg(byteorder) != _BIG
    cdef int mode = _rounding_arg(rounding)
    cdef Input src = read_input(_float32_input(data))
    cdef size_t n = src.size // 4
    cdef Output dst = encode_output(out, n * 2, Bfloat16Error)
    if <size_t>dst.size < n * 2:
        raise Bfloat16Error(f'output too small: {n * 2} bytes needed, out= holds {dst.size}')
    with nogil:
        ndc_bfloat16_encode(<const uint32_t *>src.data, dst.data, n, mode, swap)
    return dst.finish(n * 2)


def bfloat16_decode(data, /, *, byteorder=None, out=None, max_output=None):
    """Return bfloat16 bytes as a 1-D float32 array (or in `out`)."""
    cdef bint swap = _bigendian_arg(byteorder) != _BIG
    cdef Input src = read_input(data)
    cdef size_t n = src.size // 2
    cdef Output dst
    if src.size % 2:
        raise Bfloat16Error(f'data size {src.size} is not a multiple of 2')
    result = array_output(out, (n,), numpy.float32, Bfloat16Error, max_output, True)
    dst = decode_output(result, 0, Bfloat16Error, False, None)
    with nogil:
        ndc_bfloat16_decode(src.data, <uint32_t *>dst.data, n, swap)
    return result


# float24

def float24_encode(data, /, *, byteorder=None, rounding=None, out=None):
    """Return a native float32 array as float24 bytes (1 sign, 7 exponent,
    16 mantissa bits; little-endian unless `byteorder` is '>').

    Rounds to nearest, ties to even, unless `rounding` is a FLOAT24.ROUND
    mode. Values too large become infinities in every mode, as imagecodecs.
    Unlike imagecodecs, values below the smallest float24 denormal (2**-78)
    and just below the smallest normal (2**-62) are rounded exactly.
    """
    cdef bint big = _bigendian_arg(byteorder)
    cdef int mode = _rounding_arg(rounding)
    cdef Input src = read_input(_float32_input(data))
    cdef size_t n = src.size // 4
    cdef Output dst = encode_output(out, n * 3, Float24Error)
    if <size_t>dst.size < n * 3:
        raise Float24Error(f'output too small: {n * 3} bytes needed, out= holds {dst.size}')
    with nogil:
        ndc_float24_encode(<const uint32_t *>src.data, dst.data, n, mode, big)
    return dst.finish(n * 3)


def float24_decode(data, /, *, byteorder=None, out=None, max_output=None):
    """Return float24 bytes as a 1-D float32 array (or in `out`)."""
    cdef bint big = _bigendian_arg(byteorder)
    cdef Input src = read_input(data)
    cdef size_t n = src.size // 3
    cdef Output dst
    if src.size % 3:
        raise Float24Error(f'data size {src.size} is not a multiple of 3')
    result = array_output(out, (n,), numpy.float32, Float24Error, max_output, True)
    dst = decode_output(result, 0, Float24Error, False, None)
    with nogil:
        ndc_float24_decode(src.data, <uint32_t *>dst.data, n, big)
    return result


# packints

cdef int _packints_args(int bps, object dtype, object bitorder, Py_ssize_t runlen) except -1:
    if bitorder is not None:
        if bitorder not in ('<', '>'):
            raise ValueError(f'invalid bitorder={bitorder!r}')
        if runlen:
            raise ValueError('runlen is not supported with bitorder')
        if bitorder == '<' and not 9 <= bps <= 14:
            raise ValueError(f"bitspersample {bps} out of range for bitorder='<' (9 to 14)")
        if bitorder == '>' and bps not in (10, 12):
            raise ValueError(f"bitspersample must be 10 or 12 for bitorder='>', not {bps}")
        if dtype.kind not in 'ui' or dtype.itemsize != 2 or not dtype.isnative:
            raise ValueError(f'bitorder={bitorder!r} needs native 16-bit integers, not {dtype}')
        return 0
    if bps < 1 or bps > 32:
        raise ValueError(f'bitspersample {bps} out of range')
    if dtype.itemsize != (1 if bps <= 8 else 2 if bps <= 16 else 4):
        raise ValueError('dtype.itemsize does not fit bitspersample')
    if runlen < 0:
        raise ValueError(f'runlen must be >= 0, not {runlen}')
    return 0


def packints_decode(data, dtype, bitspersample, /, *, bitorder=None, runlen=0, out=None, max_output=None):
    """Return packed integers of `bitspersample` bits (1 to 32, most
    significant bit first) as a 1-D array of `dtype` (itemsize 1 for up to
    8 bits, 2 for up to 16, 4 for up to 32).

    With `runlen`, the data are rows of `runlen` samples, each padded to
    whole bytes; a partial last row is dropped. As imagecodecs, 8, 16 and
    32 bits are copied as they are. `out` (an array of `dtype`) gets as many
    samples as it holds; PackintsError if the data holds fewer.

    `bitorder` selects a camera packing into uint16 instead: '<' the GenICam
    LSB-first stream (9 to 14 bits, e.g. Mono12p), '>' GigE Vision paired
    pixels (10 or 12 bits, two samples in three bytes, e.g. Mono12Packed).
    """
    cdef int bps = bitspersample.__index__()
    cdef Py_ssize_t rl = runlen.__index__()
    cdef Input src
    cdef Output dst
    cdef size_t count
    cdef ssize_t ret
    cdef int itemsize, order
    dtype = numpy.dtype(dtype)
    _packints_args(bps, dtype, bitorder, rl)
    order = 0 if bitorder is None else 1 if bitorder == '<' else 2
    itemsize = dtype.itemsize
    src = read_input(data)
    if bitorder == '>':
        if src.size % 3:
            raise PackintsError(f"data size {src.size} is not a multiple of 3 for bitorder='>'")
        count = src.size // 3 * 2
    else:
        count = ndc_packints_decoded_count(src.size, bps, rl)
    if out is not None:
        if not isinstance(out, numpy.ndarray):
            raise ValueError(f'out must be a numpy array of {dtype}, not {type(out).__name__}')
        count = out.size
    result = array_output(out, (count,), dtype, PackintsError, max_output, True)
    dst = decode_output(result, 0, PackintsError, False, None)
    with nogil:
        if order == 0:
            ret = ndc_packints_decode(src.data, src.size, dst.data, count, bps, rl, itemsize)
        elif order == 1:
            ret = ndc_packints_decode_lsb(src.data, src.size, <uint16_t *>dst.data, count, bps)
        else:
            ret = ndc_packints_decode_paired(src.data, src.size, <uint16_t *>dst.data, count, bps)
    if ret < 0:
        raise PackintsError(
            f'ndc_packints_decode returned NDC_ERR_CORRUPT: {src.size} bytes hold '
            f'fewer than {count} samples of {bps} bits'
        )
    if not dtype.isnative and bps not in (8, 16, 24, 32):
        # values in the dtype's byte order; as imagecodecs, 16, 24 and 32
        # bits stay in the native order
        result.byteswap(inplace=True)
    return result


def packints_encode(data, bitspersample, /, *, bitorder=None, runlen=0, out=None):
    """Return the low `bitspersample` bits of each item of an integer array
    packed most significant bit first (rows of `runlen` samples padded to
    whole bytes; a partial last row is dropped).

    `bitorder` '<' or '>' packs a 16-bit integer array as packints_decode
    reads it (for '>' an even number of samples).
    """
    cdef int bps = bitspersample.__index__()
    cdef Py_ssize_t rl = runlen.__index__()
    cdef Input src
    cdef Output dst
    cdef size_t count, size
    cdef ssize_t ret
    cdef int itemsize, order
    if isinstance(data, numpy.ndarray):
        if data.ndim == 0:
            raise ValueError('expected a buffer, not a 0-d array')
    else:
        read_input(data)  # TypeError/ValueError for what is no buffer
        data = numpy.frombuffer(data, numpy.uint8)
    _packints_args(bps, data.dtype, bitorder, rl)
    order = 0 if bitorder is None else 1 if bitorder == '<' else 2
    itemsize = data.dtype.itemsize
    src = read_input(data)
    count = src.size // itemsize
    if bitorder == '>':
        if count % 2:
            raise ValueError("bitorder='>' packs an even number of samples")
        size = count // 2 * 3
    else:
        size = ndc_packints_encoded_size(count, bps, rl)
    dst = encode_output(out, size, PackintsError)
    with nogil:
        if order == 0:
            ret = ndc_packints_encode(src.data, count, dst.data, dst.size, bps, rl, itemsize)
        elif order == 1:
            ret = ndc_packints_encode_lsb(<const uint16_t *>src.data, count, dst.data, dst.size, bps)
        else:
            ret = ndc_packints_encode_paired(<const uint16_t *>src.data, count, dst.data, dst.size, bps)
    if ret < 0:
        raise PackintsError(f'output too small: {size} bytes needed, out= holds {dst.size}')
    return dst.finish(ret)

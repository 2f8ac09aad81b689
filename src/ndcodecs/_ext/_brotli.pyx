# cython: language_level=3, boundscheck=False, wraparound=False
"""Brotli codec through libbrotlienc and libbrotlidec."""

import enum
import operator

from libc.stdint cimport uint8_t, uint32_t

from ._shared cimport Input, Output, read_input, encode_output, decode_output, level_arg
from .brotli cimport *

from .._errors import error_class

__all__ = [
    'BROTLI', 'BrotliError', 'brotli_version', 'brotli_check',
    'brotli_encode', 'brotli_decode',
]


class BROTLI:
    """Brotli constants."""

    available = True

    class MODE(enum.IntEnum):
        GENERIC = BROTLI_MODE_GENERIC
        TEXT = BROTLI_MODE_TEXT
        FONT = BROTLI_MODE_FONT


BrotliError = error_class('brotli')

cdef enum:
    # imagecodecs' default quality: fast, unlike the library's default of 11
    DEFAULT_QUALITY = 4


def brotli_version():
    """Return the libbrotli version string."""
    cdef uint32_t v = BrotliEncoderVersion()
    return f'brotli {v >> 24}.{(v >> 12) & 0xFFF}.{v & 0xFFF}'


def brotli_check(data, /):
    """Return None: a brotli stream has no signature."""
    return None


def brotli_encode(data, /, level=None, *, mode=None, lgwin=None, out=None):
    """Return `data` compressed as one brotli stream.

    `level` (quality) is clamped to [0, 11], default 4. `mode` is a
    BROTLI.MODE, default GENERIC. `lgwin`, the base-2 logarithm of the
    window size, is clamped to [10, 24], default 22.
    """
    cdef Input src = read_input(data)
    cdef int quality = level_arg(level, DEFAULT_QUALITY, BROTLI_MIN_QUALITY, BROTLI_MAX_QUALITY)
    cdef int window = level_arg(lgwin, BROTLI_DEFAULT_WINDOW, BROTLI_MIN_WINDOW_BITS, BROTLI_MAX_WINDOW_BITS)
    cdef BrotliEncoderMode cmode = BROTLI_MODE_GENERIC
    cdef size_t bound = BrotliEncoderMaxCompressedSize(<size_t>src.size)
    cdef size_t size
    cdef BROTLI_BOOL ok
    cdef Output dst
    if mode is not None:
        cmode = <BrotliEncoderMode>_mode_arg(mode)
    if bound == 0:
        raise BrotliError(f'BrotliEncoderMaxCompressedSize: input of {src.size} bytes too large')
    dst = encode_output(out, <Py_ssize_t>bound, BrotliError)
    size = <size_t>dst.size
    with nogil:
        ok = BrotliEncoderCompress(quality, window, cmode, <size_t>src.size, src.data, &size, dst.data)
    if not ok:
        if dst.fixed and <size_t>dst.size < bound:
            raise BrotliError(f'BrotliEncoderCompress failed: out= holds {dst.size} bytes, up to {bound} needed')
        raise BrotliError('BrotliEncoderCompress failed')
    return dst.finish(<Py_ssize_t>size)


cdef int _mode_arg(object mode) except -1:
    cdef int value = operator.index(mode)
    if value != BROTLI_MODE_GENERIC and value != BROTLI_MODE_TEXT and value != BROTLI_MODE_FONT:
        raise ValueError(f'invalid brotli mode {mode!r}')
    return value


def brotli_decode(data, /, *, out=None, max_output=None):
    """Return the content of a brotli stream.

    Bytes after the end of the stream are ignored. The result is limited to
    `max_output` bytes (default: ndcodecs.get_max_output()).
    """
    cdef Input src = read_input(data)
    cdef Output dst
    cdef BrotliDecoderState *state
    cdef BrotliDecoderResult result
    cdef const uint8_t *next_in = src.data
    cdef uint8_t *next_out
    cdef size_t avail_in = <size_t>src.size, avail_out, pos = 0
    if src.size == 0:
        raise BrotliError('brotli_decode: empty input')
    # the size is not stored: start at four times the input and grow
    dst = decode_output(out, max(src.size * 4, 1 << 16), BrotliError, False, max_output)
    state = BrotliDecoderCreateInstance(NULL, NULL, NULL)
    if state == NULL:
        raise MemoryError('BrotliDecoderCreateInstance failed')
    try:
        while True:
            next_out = dst.data + pos
            avail_out = <size_t>dst.size - pos
            with nogil:
                result = BrotliDecoderDecompressStream(
                    state, &avail_in, &next_in, &avail_out, &next_out, NULL
                )
            pos = <size_t>dst.size - avail_out
            if result == BROTLI_DECODER_RESULT_SUCCESS:
                break
            if result == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
                dst.grow()
            elif result == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
                raise BrotliError('BrotliDecoderDecompressStream: truncated stream')
            else:
                raise BrotliError(
                    'BrotliDecoderDecompressStream returned BROTLI_DECODER_RESULT_ERROR: '
                    + BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state)).decode()
                )
    finally:
        BrotliDecoderDestroyInstance(state)
    return dst.finish(<Py_ssize_t>pos)

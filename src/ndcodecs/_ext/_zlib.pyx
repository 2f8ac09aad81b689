# cython: language_level=3, boundscheck=False, wraparound=False
"""zlib codec through zlib itself, byte-identical with Python's zlib module."""

import enum
import operator

from libc.limits cimport UINT_MAX
from libc.string cimport memset

from ._shared cimport checksum_arg, Input, Output, read_input, encode_output, decode_output, level_arg
from .zlib cimport *

from .._errors import error_class

__all__ = [
    'ZLIB', 'ZlibError', 'zlib_version', 'zlib_check', 'zlib_encode',
    'zlib_decode', 'zlib_crc32', 'zlib_adler32',
]


class ZLIB:
    """zlib constants."""

    available = True

    class COMPRESSION(enum.IntEnum):
        DEFAULT = Z_DEFAULT_COMPRESSION
        NO = Z_NO_COMPRESSION
        BEST = Z_BEST_COMPRESSION
        SPEED = Z_BEST_SPEED

    class STRATEGY(enum.IntEnum):
        DEFAULT = Z_DEFAULT_STRATEGY
        FILTERED = Z_FILTERED
        HUFFMAN_ONLY = Z_HUFFMAN_ONLY
        RLE = Z_RLE
        FIXED = Z_FIXED


ZlibError = error_class('zlib')

cdef enum:
    # zlib's default memLevel (DEF_MEM_LEVEL in zutil.h), which Python's zlib uses
    DEF_MEM_LEVEL = 8


def zlib_version():
    """Return the zlib version string."""
    return 'zlib ' + zlibVersion().decode()


def zlib_check(data, /):
    """Return True if `data` starts with a valid zlib header, else False.

    The header says deflate with a window of at most 32 KiB, and its check
    bits make it a multiple of 31.
    """
    cdef Input src = read_input(data)
    if src.size < 2:
        return False
    return (
        src.data[0] & 0x0F == 8 and src.data[0] >> 4 <= 7
        and ((src.data[0] << 8) | src.data[1]) % 31 == 0
    )


cdef dict _RET_NAMES = {
    Z_OK: 'Z_OK', Z_STREAM_END: 'Z_STREAM_END', Z_NEED_DICT: 'Z_NEED_DICT',
    Z_ERRNO: 'Z_ERRNO', Z_STREAM_ERROR: 'Z_STREAM_ERROR',
    Z_DATA_ERROR: 'Z_DATA_ERROR', Z_MEM_ERROR: 'Z_MEM_ERROR',
    Z_BUF_ERROR: 'Z_BUF_ERROR', Z_VERSION_ERROR: 'Z_VERSION_ERROR',
}


cdef object _error(object error, str func, int ret, z_stream *strm):
    """Return the exception for zlib's return code, with zlib's message."""
    cdef str name = _RET_NAMES.get(ret, str(ret))
    cdef str msg
    if ret == Z_MEM_ERROR:
        return MemoryError(f'{func} returned {name}')
    if strm != NULL and strm.msg != NULL:
        msg = strm.msg.decode(errors='replace')
    elif ret == Z_NEED_DICT:
        msg = 'a preset dictionary is needed'
    else:
        msg = zError(ret).decode(errors='replace')
    return error(f'{func} returned {name}: {msg}')


# The output block sizes of CPython's zlib.compress (BUFFER_BLOCK_SIZE in
# pycore_blocks_output_buffer.h). Level 0 sizes its stored blocks by the
# output space of each deflate call, so calls end where Python's do.
cdef size_t[17] _PY_BLOCKS = [
    32 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20, 8 << 20, 16 << 20,
    16 << 20, 32 << 20, 32 << 20, 32 << 20, 32 << 20, 64 << 20, 64 << 20,
    128 << 20, 128 << 20, 256 << 20,
]


def zlib_encode(data, /, level=None, *, strategy=None, out=None):
    """Return `data` compressed as one zlib stream.

    The result is byte-identical with Python's ``zlib.compress(data, level)``
    (for level 0 only if out= holds that many bytes). `level` is clamped to
    [-1, 9], default -1 (zlib's default, 6). `strategy` is a ZLIB.STRATEGY,
    default DEFAULT.
    """
    cdef Input src = read_input(data)
    cdef int clevel = level_arg(level, Z_DEFAULT_COMPRESSION, -1, 9)
    cdef int cstrategy = Z_DEFAULT_STRATEGY
    cdef Output dst
    cdef z_stream strm
    cdef int ret, flush = Z_NO_FLUSH, block = 0
    cdef size_t in_left, chunk_in, avail, end, pos = 0, block_end = 0
    if strategy is not None:
        cstrategy = operator.index(strategy)
        if cstrategy < Z_DEFAULT_STRATEGY or cstrategy > Z_FIXED:
            raise ValueError(f'invalid zlib strategy {strategy!r}')
    # compressBound is deflateBound for the default window and memLevel
    dst = encode_output(out, <Py_ssize_t>compressBound(<uLong>src.size), ZlibError)
    memset(&strm, 0, sizeof(z_stream))
    try:
        with nogil:
            ret = deflateInit2(
                &strm, clevel, Z_DEFLATED, MAX_WBITS, DEF_MEM_LEVEL, cstrategy
            )
            strm.next_in = src.data
            in_left = <size_t>src.size
            while ret == Z_OK or ret == Z_BUF_ERROR:
                if strm.avail_in == 0 and flush != Z_FINISH:
                    # input in chunks of at most UINT_MAX bytes, as Python does
                    chunk_in = in_left if in_left < UINT_MAX else UINT_MAX
                    strm.avail_in = <uInt>chunk_in
                    in_left -= chunk_in
                    flush = Z_FINISH if in_left == 0 else Z_NO_FLUSH
                if pos == block_end:
                    block_end += _PY_BLOCKS[block]
                    if block < 16:
                        block += 1
                if pos == <size_t>dst.size:
                    with gil:
                        dst.grow()  # past the bound; raises for a full out=
                end = block_end if block_end < <size_t>dst.size else <size_t>dst.size
                avail = end - pos
                if avail > UINT_MAX:
                    avail = UINT_MAX
                chunk_in = strm.avail_in
                strm.next_out = dst.data + pos
                strm.avail_out = <uInt>avail
                ret = deflate(&strm, flush)
                pos += avail - strm.avail_out
                if chunk_in == strm.avail_in and avail == strm.avail_out and ret != Z_STREAM_END:
                    ret = Z_STREAM_ERROR - 100  # no progress
        if ret != Z_STREAM_END:
            if ret == Z_STREAM_ERROR - 100:
                raise ZlibError('deflate made no progress')
            raise _error(ZlibError, 'deflateInit2' if strm.state == NULL else 'deflate', ret, &strm)
    finally:
        deflateEnd(&strm)
    return dst.finish(<Py_ssize_t>pos)


cdef object zlib_inflate(
    Input src, object out, object max_output, int wbits, object error
):
    """Return the content of the deflate stream in `src`, as zlib_decode.

    `wbits` is passed to inflateInit2: 15 for zlib, -15 for raw deflate,
    47 for zlib or gzip. Decoding stops at the end of the (first) stream;
    bytes after it are ignored, as by ``zlib.decompress``. The output grows
    up to `max_output`. Errors are raised as `error`.
    """
    cdef Output dst
    cdef z_stream strm
    cdef int ret
    cdef size_t in_left, chunk_in, avail, pos = 0
    cdef Py_ssize_t guess
    if src.size == 0:
        raise error('inflate: empty input')
    # Deflate streams typically shrink data 2-4 times; the output grows
    # (cheaply for big buffers, which realloc moves with mremap). Staying
    # below glibc's largest mmap threshold (32 MiB) lets repeated calls
    # reuse heap pages rather than fault in fresh ones.
    guess = src.size * 4 if src.size < (1 << 60) else src.size
    if guess > (24 << 20):
        guess = src.size + src.size // 4
        if guess < (24 << 20):
            guess = 24 << 20
    elif guess < 1024:
        guess = 1024
    dst = decode_output(out, guess, error, False, max_output)
    memset(&strm, 0, sizeof(z_stream))
    try:
        with nogil:
            ret = inflateInit2(&strm, wbits)
            strm.next_in = src.data
            in_left = <size_t>src.size
            while ret == Z_OK or ret == Z_BUF_ERROR:
                if strm.avail_in == 0:
                    if in_left == 0:
                        if pos != <size_t>dst.size:
                            ret = Z_BUF_ERROR - 100  # truncated
                            break
                    else:
                        chunk_in = in_left if in_left < UINT_MAX else UINT_MAX
                        strm.avail_in = <uInt>chunk_in
                        in_left -= chunk_in
                if pos == <size_t>dst.size:
                    with gil:
                        dst.grow()
                avail = <size_t>dst.size - pos
                if avail > UINT_MAX:
                    avail = UINT_MAX
                chunk_in = strm.avail_in
                strm.next_out = dst.data + pos
                strm.avail_out = <uInt>avail
                # Z_FINISH lets a stream decoded in one call skip the window
                ret = inflate(&strm, Z_FINISH)
                pos += avail - strm.avail_out
                if ret == Z_BUF_ERROR and chunk_in == strm.avail_in and avail == strm.avail_out:
                    ret = Z_BUF_ERROR - 100
                    break
        if ret != Z_STREAM_END:
            if ret == Z_BUF_ERROR - 100:
                raise error('inflate returned Z_BUF_ERROR: truncated stream')
            raise _error(error, 'inflateInit2' if strm.state == NULL else 'inflate', ret, &strm)
    finally:
        inflateEnd(&strm)
    return dst.finish(<Py_ssize_t>pos)


def zlib_decode(data, /, *, out=None, max_output=None):
    """Return the content of a zlib stream.

    Bytes after the end of the stream are ignored, as by ``zlib.decompress``.
    The result is limited to `max_output` bytes (default:
    ndcodecs.get_max_output()).
    """
    return zlib_inflate(read_input(data), out, max_output, MAX_WBITS, ZlibError)


def zlib_crc32(data, /, value=None):
    """Return the CRC-32 of `data`, continuing from `value` (default 0)."""
    cdef Input src = read_input(data)
    cdef uLong crc = checksum_arg(value, 0)
    with nogil:
        crc = crc32_z(crc, src.data, <z_size_t>src.size)
    return crc


def zlib_adler32(data, /, value=None):
    """Return the Adler-32 of `data`, continuing from `value` (default 1)."""
    cdef Input src = read_input(data)
    cdef uLong adler = checksum_arg(value, 1)
    with nogil:
        adler = adler32_z(adler, src.data, <z_size_t>src.size)
    return adler

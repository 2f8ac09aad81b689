# cython: language_level=3, boundscheck=False, wraparound=False
"""bzip2 codec through libbzip2, byte-identical with Python's bz2 module."""

from libc.limits cimport UINT_MAX
from libc.string cimport memset

from ._shared cimport Input, Output, read_input, encode_output, decode_output, level_arg
from .bz2 cimport *

from .._errors import error_class

__all__ = ['BZ2', 'Bz2Error', 'bz2_version', 'bz2_check', 'bz2_encode', 'bz2_decode']


class BZ2:
    """bzip2 constants."""

    available = True


Bz2Error = error_class('bz2')


def bz2_version():
    """Return the libbzip2 version string."""
    # BZ2_bzlibVersion gives e.g. '1.0.8, 13-Jul-2019'
    return 'libbzip2 ' + BZ2_bzlibVersion().decode().split(',')[0]


def bz2_check(data, /):
    """Return True if `data` starts with a bzip2 stream header ('BZh1'..'BZh9')."""
    cdef Input src = read_input(data)
    return (
        src.size >= 4 and src.data[0] == b'B' and src.data[1] == b'Z'
        and src.data[2] == b'h' and b'1' <= src.data[3] <= b'9'
    )

cdef dict _RET_NAMES = {
    BZ_OK: 'BZ_OK', BZ_RUN_OK: 'BZ_RUN_OK', BZ_FLUSH_OK: 'BZ_FLUSH_OK',
    BZ_FINISH_OK: 'BZ_FINISH_OK', BZ_STREAM_END: 'BZ_STREAM_END',
    BZ_SEQUENCE_ERROR: 'BZ_SEQUENCE_ERROR', BZ_PARAM_ERROR: 'BZ_PARAM_ERROR',
    BZ_MEM_ERROR: 'BZ_MEM_ERROR', BZ_DATA_ERROR: 'BZ_DATA_ERROR',
    BZ_DATA_ERROR_MAGIC: 'BZ_DATA_ERROR_MAGIC', BZ_IO_ERROR: 'BZ_IO_ERROR',
    BZ_UNEXPECTED_EOF: 'BZ_UNEXPECTED_EOF', BZ_OUTBUFF_FULL: 'BZ_OUTBUFF_FULL',
    BZ_CONFIG_ERROR: 'BZ_CONFIG_ERROR',
}


cdef object _error(str func, int ret):
    """Return the exception for a libbzip2 return code."""
    cdef str name = _RET_NAMES.get(ret, str(ret))
    if ret == BZ_MEM_ERROR:
        return MemoryError(f'{func} returned {name}')
    if ret == BZ_DATA_ERROR_MAGIC:
        return Bz2Error(f'{func} returned {name}: not a bzip2 stream')
    if ret == BZ_DATA_ERROR:
        return Bz2Error(f'{func} returned {name}: corrupt stream')
    return Bz2Error(f'{func} returned {name}')


def bz2_encode(data, /, level=None, *, out=None):
    """Return `data` compressed as one bzip2 stream.

    The result is byte-identical with Python's ``bz2.compress(data, level)``.
    `level`, the block size in units of 100 kB, is clamped to [1, 9],
    default 9.
    """
    cdef Input src = read_input(data)
    cdef int clevel = level_arg(level, 9, 1, 9)
    # the bzip2 manual's bound: 1% more than the input, plus 600 bytes
    cdef Output dst = encode_output(out, src.size + src.size // 100 + 600, Bz2Error)
    cdef bz_stream strm
    cdef int ret, action
    cdef size_t in_left = <size_t>src.size, avail_in, avail_out, pos = 0
    memset(&strm, 0, sizeof(bz_stream))
    with nogil:
        ret = BZ2_bzCompressInit(&strm, clevel, 0, 0)
    if ret != BZ_OK:
        raise _error('BZ2_bzCompressInit', ret)
    try:
        strm.next_in = <char *>src.data
        while True:
            # avail_in is 32-bit: feed at most UINT_MAX bytes at a time; once
            # BZ_FINISH is given, libbzip2 wants avail_in left as it is
            if strm.avail_in == 0 and in_left > 0:
                strm.avail_in = <unsigned int>(in_left if in_left < UINT_MAX else UINT_MAX)
                in_left -= strm.avail_in
            action = BZ_FINISH if in_left == 0 else BZ_RUN
            avail_in = strm.avail_in
            avail_out = <size_t>dst.size - pos
            if avail_out > UINT_MAX:
                avail_out = UINT_MAX
            strm.next_out = <char *>dst.data + pos
            strm.avail_out = <unsigned int>avail_out
            with nogil:
                ret = BZ2_bzCompress(&strm, action)
            pos += avail_out - strm.avail_out
            if ret == BZ_STREAM_END:
                break
            if ret != BZ_RUN_OK and ret != BZ_FINISH_OK:
                raise _error('BZ2_bzCompress', ret)
            if pos == <size_t>dst.size:
                dst.grow()  # past the bound; raises for a full out=
            elif avail_in == strm.avail_in and avail_out == strm.avail_out:
                raise Bz2Error(f'BZ2_bzCompress returned {_RET_NAMES[ret]} without progress')
    finally:
        BZ2_bzCompressEnd(&strm)
    return dst.finish(<Py_ssize_t>pos)


def bz2_decode(data, /, *, out=None, max_output=None):
    """Return the content of one or more concatenated bzip2 streams.

    As with Python's ``bz2.decompress``, data after the first stream that
    is not a valid bzip2 stream is ignored, while a truncated stream raises
    Bz2Error. The result is limited to `max_output` bytes (default:
    ndcodecs.get_max_output()).
    """
    cdef Input src = read_input(data)
    cdef Output dst
    cdef bz_stream strm
    cdef int ret = BZ_OK
    cdef size_t in_pos = 0, pos = 0, stream_start = 0, avail_in, avail_out
    cdef size_t size = <size_t>src.size
    cdef bint first = True
    if src.size == 0:
        raise Bz2Error('bz2_decode: empty input')
    # the size is not stored: start at four times the input and grow
    dst = decode_output(out, max(src.size * 4, 1 << 16), Bz2Error, False, max_output)
    while in_pos < size:
        memset(&strm, 0, sizeof(bz_stream))
        with nogil:
            ret = BZ2_bzDecompressInit(&strm, 0, 0)
        if ret != BZ_OK:
            raise _error('BZ2_bzDecompressInit', ret)
        try:
            while True:
                avail_in = size - in_pos if size - in_pos < UINT_MAX else UINT_MAX
                avail_out = <size_t>dst.size - pos
                if avail_out > UINT_MAX:
                    avail_out = UINT_MAX
                strm.next_in = <char *>src.data + in_pos
                strm.avail_in = <unsigned int>avail_in
                strm.next_out = <char *>dst.data + pos
                strm.avail_out = <unsigned int>avail_out
                with nogil:
                    ret = BZ2_bzDecompress(&strm)
                in_pos += avail_in - strm.avail_in
                pos += avail_out - strm.avail_out
                if ret != BZ_OK:
                    break  # the end of the stream, or an error
                if avail_in == strm.avail_in and avail_out == strm.avail_out:
                    # no progress: a full output grows; all input used is
                    # a truncated stream (the end needs no output space)
                    if pos == <size_t>dst.size:
                        dst.grow()
                    elif in_pos == size:
                        raise Bz2Error('BZ2_bzDecompress: truncated stream')
                    else:
                        raise Bz2Error('BZ2_bzDecompress returned BZ_OK without progress')
        finally:
            BZ2_bzDecompressEnd(&strm)
        if ret != BZ_STREAM_END:
            if first or ret == BZ_MEM_ERROR:
                raise _error('BZ2_bzDecompress', ret)
            pos = stream_start  # not a stream: drop what it gave, and stop
            break
        first = False
        stream_start = pos
    return dst.finish(<Py_ssize_t>pos)

# cython: language_level=3, boundscheck=False, wraparound=False
"""LZF blocks through liblzf, optionally with imagecodecs' 4-byte size header."""

from libc.errno cimport E2BIG, EINVAL
from libc.stdint cimport uint8_t, uint32_t

from ._shared cimport Input, Output, read_input, encode_output, decode_output
from .lzf cimport *

from .._errors import error_class

__all__ = ['LZF', 'LzfError', 'lzf_version', 'lzf_check', 'lzf_encode', 'lzf_decode']


# lzf.h only knows its API version (LZF_VERSION 0x0105); meson passes the
# release (3.6) from pkg-config.
cdef extern from *:
    const char *NDCODECS_LIBRARY_VERSION


# lzf_decompress tells why it failed through errno only.
cdef extern from *:
    """
    #include <errno.h>
    static unsigned int ndcodecs_lzf_decompress(
        const void *in_data, unsigned int in_len,
        void *out_data, unsigned int out_len, int *error
    ) {
        unsigned int ret;
        errno = 0;
        ret = lzf_decompress(in_data, in_len, out_data, out_len);
        *error = errno;
        return ret;
    }
    """
    unsigned int ndcodecs_lzf_decompress(
        const void *in_data, unsigned int in_len,
        void *out_data, unsigned int out_len, int *error
    ) nogil


class LZF:
    """LZF constants."""

    available = True


LzfError = error_class('lzf')

# liblzf counts in unsigned int.
cdef size_t MAX_SIZE = 0xFFFFFFFF

# The most a compressed byte can expand to: a 3-byte back reference makes
# 264 bytes.
cdef size_t MAX_RATIO = 88


def lzf_version():
    """Return the liblzf version string."""
    return 'liblzf ' + NDCODECS_LIBRARY_VERSION.decode()


def lzf_check(data, /):
    """Return None: LZF blocks have no signature."""
    return None


def lzf_encode(data, /, *, header=False, out=None):
    """Return `data` compressed as an LZF block.

    With `header`, the block is preceded by the decoded size as a 4-byte
    little-endian integer. Incompressible data grows by up to 1/32.
    Empty data gives an empty block (only the header with `header`).
    """
    cdef Input src = read_input(data)
    cdef size_t n = src.size
    cdef size_t hdr = 4 if header else 0
    cdef size_t bound, room
    cdef unsigned int size = 0
    cdef Output dst
    if n > MAX_SIZE:
        raise LzfError(f'input of {n} bytes exceeds the 4 GiB limit of liblzf')
    # one control byte per 32 literals, and slack for the end checks
    bound = n + n // 32 + 16
    dst = encode_output(out, hdr + bound, LzfError)
    if <size_t>dst.size < hdr:
        raise LzfError(f'output too small: out= holds {dst.size} bytes')
    room = dst.size - hdr
    if room > MAX_SIZE:
        room = MAX_SIZE
    if n > 0:
        with nogil:
            size = lzf_compress(src.data, <unsigned int>n, dst.data + hdr, <unsigned int>room)
        if size == 0:
            raise LzfError(f'lzf_compress returned 0: output too small, out= holds {dst.size} bytes')
    if header:
        dst.data[0] = n & 0xFF
        dst.data[1] = (n >> 8) & 0xFF
        dst.data[2] = (n >> 16) & 0xFF
        dst.data[3] = (n >> 24) & 0xFF
    return dst.finish(hdr + size)


cdef Py_ssize_t _decoded_size(const uint8_t *ip, size_t n) noexcept nogil:
    """Return the decoded size of an LZF block, or -1 if it is malformed.

    Walks the control bytes without copying anything, with the checks of
    lzf_decompress, so that the output can be allocated exactly.
    """
    cdef const uint8_t *end = ip + n
    cdef size_t op = 0, ctrl, length, offset
    while ip < end:
        ctrl = ip[0]
        ip += 1
        if ctrl < 32:  # literal run of ctrl + 1 bytes
            ctrl += 1
            if <size_t>(end - ip) < ctrl:
                return -1
            ip += ctrl
            op += ctrl
        else:  # back reference of length + 2 bytes
            length = ctrl >> 5
            offset = ((ctrl & 0x1F) << 8) + 1
            if ip >= end:
                return -1
            if length == 7:
                length += ip[0]
                ip += 1
                if ip >= end:
                    return -1
            offset += ip[0]
            ip += 1
            if offset > op:
                return -1
            op += length + 2
    return <Py_ssize_t>op


def lzf_decode(data, /, *, header=False, out=None, max_output=None):
    """Return the content of an LZF block.

    With `header`, the block starts with its decoded size (4 bytes,
    little-endian), which must match the content. Without, a first guess
    of four times the block size is tried; a block expanding more is
    walked to find its exact size and decoded again. The result is limited
    to `max_output` bytes (default: ndcodecs.get_max_output()).
    """
    cdef Input src = read_input(data)
    cdef const uint8_t *ip = src.data
    cdef size_t n = src.size
    cdef Py_ssize_t size
    cdef unsigned int used = 0
    cdef int err = 0
    cdef Output dst
    if header:
        if n < 4:
            raise LzfError(f'LZF header needs 4 bytes, got {n}')
        size = <Py_ssize_t>(ip[0] | (ip[1] << 8) | (ip[2] << 16) | (<uint32_t>ip[3] << 24))
        ip += 4
        n -= 4
        if n > MAX_SIZE:
            raise LzfError('LZF block exceeds the 4 GiB limit of liblzf')
        if <size_t>size > MAX_RATIO * n:
            raise LzfError(f'header claims {size} bytes, more than {n} compressed bytes can hold')
        if n == 0 or size == 0:
            if n != 0:
                raise LzfError('header says 0 bytes, but the block is not empty')
            return decode_output(out, 0, LzfError, True, max_output).finish(0)
        dst = decode_output(out, size, LzfError, True, max_output)
        with nogil:
            used = ndcodecs_lzf_decompress(ip, <unsigned int>n, dst.data, <unsigned int>size, &err)
        if used == 0 and err == E2BIG:
            raise LzfError(f'lzf_decompress: the block holds more than the {size} bytes its header says')
    else:
        if n > MAX_SIZE:
            raise LzfError('LZF block exceeds the 4 GiB limit of liblzf')
        if n == 0:
            return decode_output(out, 0, LzfError, True, max_output).finish(0)
        size = <Py_ssize_t>min(4 * n + 64, MAX_SIZE)
        dst = decode_output(out, size, LzfError, False, max_output)
        with nogil:
            used = ndcodecs_lzf_decompress(
                ip, <unsigned int>n, dst.data, <unsigned int>min(<size_t>dst.size, MAX_SIZE), &err
            )
        if used == 0 and err == E2BIG:
            # the guess was too small: find the exact size and decode again
            with nogil:
                size = _decoded_size(ip, n)
            if size < 0:
                raise LzfError('lzf_decompress: corrupt LZF block')
            if <size_t>size > MAX_SIZE:
                raise LzfError('LZF block exceeds the 4 GiB limit of liblzf')
            dst = decode_output(out, size, LzfError, True, max_output)
            with nogil:
                used = ndcodecs_lzf_decompress(ip, <unsigned int>n, dst.data, <unsigned int>size, &err)
        else:
            size = used
    if used == 0:
        if err == EINVAL:
            raise LzfError('lzf_decompress: corrupt LZF block')
        raise LzfError(f'lzf_decompress failed (errno {err})')
    if used != <size_t>size:
        raise LzfError(f'lzf_decompress returned {used} bytes, header says {size}')
    return dst.finish(used)

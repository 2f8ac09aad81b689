# cython: language_level=3, boundscheck=False, wraparound=False
"""LZO1X blocks through liblzo2, optionally with python-lzo's 5-byte header."""

from libc.stdint cimport uint8_t, uint32_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

from ._shared cimport Input, Output, read_input, encode_output, decode_output, level_arg
from .lzo cimport *

from .._errors import error_class

__all__ = ['LZO', 'LzoError', 'lzo_version', 'lzo_check', 'lzo_encode', 'lzo_decode']


if lzo_init() != LZO_E_OK:
    raise ImportError('lzo_init failed: liblzo2 does not match its headers')


class LZO:
    """LZO constants."""

    available = True


LzoError = error_class('lzo')

# The header: 0xF0 (LZO1X-1) or 0xF1 (LZO1X-999), then the decoded size as a
# 4-byte big-endian integer, as python-lzo writes it.
cdef enum:
    HEADER_SIZE = 5

cdef size_t MAX_SIZE = 0xFFFFFFFF

# The most a compressed byte can expand to: each zero byte extending a
# match length adds 255 bytes.
cdef size_t MAX_RATIO = 256

_ERRORS = {
    LZO_E_ERROR: 'LZO_E_ERROR',
    LZO_E_OUT_OF_MEMORY: 'LZO_E_OUT_OF_MEMORY',
    LZO_E_NOT_COMPRESSIBLE: 'LZO_E_NOT_COMPRESSIBLE',
    LZO_E_INPUT_OVERRUN: 'LZO_E_INPUT_OVERRUN',
    LZO_E_OUTPUT_OVERRUN: 'LZO_E_OUTPUT_OVERRUN',
    LZO_E_LOOKBEHIND_OVERRUN: 'LZO_E_LOOKBEHIND_OVERRUN',
    LZO_E_EOF_NOT_FOUND: 'LZO_E_EOF_NOT_FOUND',
    LZO_E_INPUT_NOT_CONSUMED: 'LZO_E_INPUT_NOT_CONSUMED',
    LZO_E_NOT_YET_IMPLEMENTED: 'LZO_E_NOT_YET_IMPLEMENTED',
    LZO_E_INVALID_ARGUMENT: 'LZO_E_INVALID_ARGUMENT',
    LZO_E_INVALID_ALIGNMENT: 'LZO_E_INVALID_ALIGNMENT',
    LZO_E_OUTPUT_NOT_CONSUMED: 'LZO_E_OUTPUT_NOT_CONSUMED',
    LZO_E_INTERNAL_ERROR: 'LZO_E_INTERNAL_ERROR',
}


cdef str _error_name(int ret):
    return _ERRORS.get(ret, f'error {ret}')


def lzo_version():
    """Return the liblzo2 version string."""
    return 'lzo ' + lzo_version_string().decode()


def lzo_check(data, /):
    """Return None: LZO1X blocks have no signature."""
    return None


def lzo_encode(data, /, level=None, *, header=False, out=None):
    """Return `data` compressed as an LZO1X block.

    `level` 1 (default) uses the fast LZO1X-1 compressor; 2 to 9 use
    LZO1X-999 at that level, slower and smaller. With `header`, the block
    is preceded by 0xF0 (0xF1 for LZO1X-999) and the decoded size as a
    4-byte big-endian integer, as python-lzo writes it.
    """
    cdef Input src = read_input(data)
    cdef size_t n = src.size
    cdef int clevel = level_arg(level, 1, 1, 9)
    cdef size_t hdr = HEADER_SIZE if header else 0
    cdef size_t bound = n + n // 16 + 64 + 3  # the worst case of LZO1X
    cdef Output dst
    cdef unsigned char *target
    cdef unsigned char *tmp = NULL
    cdef void *wrkmem
    cdef lzo_uint size = 0
    cdef int ret = LZO_E_OK
    cdef bint fits = True
    if header and n > MAX_SIZE:
        raise LzoError(f'input of {n} bytes exceeds the 4 GiB limit of the header')
    dst = encode_output(out, hdr + bound, LzoError)
    if <size_t>dst.size < hdr:
        raise LzoError(f'output too small: out= holds {dst.size} bytes')
    wrkmem = malloc(LZO1X_1_MEM_COMPRESS if clevel == 1 else LZO1X_999_MEM_COMPRESS)
    if wrkmem == NULL:
        raise MemoryError()
    # the compressors do not check the output size: a smaller out= gets a copy
    if <size_t>dst.size - hdr < bound:
        tmp = <unsigned char *>malloc(bound)
        if tmp == NULL:
            free(wrkmem)
            raise MemoryError()
    target = tmp if tmp != NULL else dst.data + hdr
    with nogil:
        if clevel == 1:
            ret = lzo1x_1_compress(src.data, n, target, &size, wrkmem)
        else:
            ret = lzo1x_999_compress_level(src.data, n, target, &size, wrkmem, NULL, 0, NULL, clevel)
        if tmp != NULL and ret == LZO_E_OK:
            fits = size <= <size_t>dst.size - hdr
            if fits:
                memcpy(dst.data + hdr, tmp, size)
        free(tmp)
        free(wrkmem)
    if ret != LZO_E_OK:
        func = 'lzo1x_1_compress' if clevel == 1 else 'lzo1x_999_compress_level'
        raise LzoError(f'{func} returned {_error_name(ret)}')
    if not fits:
        raise LzoError(f'output too small: {hdr + size} bytes needed, out= holds {dst.size}')
    if header:
        dst.data[0] = 0xF0 if clevel == 1 else 0xF1
        dst.data[1] = (n >> 24) & 0xFF
        dst.data[2] = (n >> 16) & 0xFF
        dst.data[3] = (n >> 8) & 0xFF
        dst.data[4] = n & 0xFF
    return dst.finish(hdr + size)


def lzo_decode(data, /, *, header=False, out=None, max_output=None):
    """Return the content of an LZO1X block.

    With `header`, the block starts with 0xF0 or 0xF1 and its decoded size
    (4 bytes, big-endian), which must match the content. Without, the
    output grows until the block fits. The result is limited to
    `max_output` bytes (default: ndcodecs.get_max_output()).
    """
    cdef Input src = read_input(data)
    cdef const unsigned char *ip = src.data
    cdef size_t n = src.size
    cdef size_t size, cap
    cdef lzo_uint used = 0
    cdef int ret
    cdef Output dst
    if header:
        if n < HEADER_SIZE:
            raise LzoError(f'LZO header needs {HEADER_SIZE} bytes, got {n}')
        if ip[0] != 0xF0 and ip[0] != 0xF1:
            raise LzoError(f'invalid LZO header byte 0x{ip[0]:02X}, expected 0xF0 or 0xF1')
        size = (<uint32_t>ip[1] << 24) | (ip[2] << 16) | (ip[3] << 8) | ip[4]
        ip += HEADER_SIZE
        n -= HEADER_SIZE
        if size > MAX_RATIO * n:
            raise LzoError(f'header claims {size} bytes, more than {n} compressed bytes can hold')
        dst = decode_output(out, <Py_ssize_t>size, LzoError, True, max_output)
        used = size
        with nogil:
            ret = lzo1x_decompress_safe(ip, n, dst.data, &used, NULL)
        if ret == LZO_E_OUTPUT_OVERRUN:
            raise LzoError(f'lzo1x_decompress_safe: the block holds more than the {size} bytes its header says')
        if ret != LZO_E_OK:
            raise LzoError(f'lzo1x_decompress_safe returned {_error_name(ret)}')
        if used != size:
            raise LzoError(f'lzo1x_decompress_safe returned {used} bytes, header says {size}')
        return dst.finish(used)

    if n == 0:
        raise LzoError('no LZO1X block in empty input')
    cap = MAX_RATIO * n + 64
    dst = decode_output(out, <Py_ssize_t>min(4 * n + 64, cap), LzoError, False, max_output)
    while True:
        used = dst.size
        with nogil:
            ret = lzo1x_decompress_safe(ip, n, dst.data, &used, NULL)
        if ret != LZO_E_OUTPUT_OVERRUN:
            break
        if not dst.fixed and <size_t>dst.size >= cap:
            raise LzoError(f'corrupt LZO1X block: it expands beyond what {n} bytes can hold')
        dst.grow()
    if ret != LZO_E_OK:
        raise LzoError(f'lzo1x_decompress_safe returned {_error_name(ret)}')
    return dst.finish(used)

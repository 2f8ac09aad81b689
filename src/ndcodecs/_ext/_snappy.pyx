# cython: language_level=3, boundscheck=False, wraparound=False
"""Snappy raw blocks through libsnappy's C interface."""

from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

from ._shared cimport Input, Output, read_input, encode_output, decode_output
from .snappy cimport *

from .._errors import error_class

__all__ = ['SNAPPY', 'SnappyError', 'snappy_version', 'snappy_check', 'snappy_encode', 'snappy_decode']


# libsnappy has no version call: meson passes the pkg-config version.
cdef extern from *:
    const char *NDCODECS_LIBRARY_VERSION


class SNAPPY:
    """Snappy constants."""

    available = True


SnappyError = error_class('snappy')

# A raw block stores its length as a 32-bit varint.
cdef size_t MAX_SIZE = 0xFFFFFFFF

# The most a compressed byte can expand to: a 3-byte copy makes 64 bytes.
cdef size_t MAX_RATIO = 22


def snappy_version():
    """Return the libsnappy version string."""
    return 'snappy ' + NDCODECS_LIBRARY_VERSION.decode()


def snappy_check(data, /):
    """Return True if `data` is a valid snappy raw block.

    Raw blocks have no signature: the whole block is validated, without
    decompressing it.
    """
    cdef Input src = read_input(data)
    cdef snappy_status status
    if src.size == 0:
        return False
    with nogil:
        status = snappy_validate_compressed_buffer(<const char *>src.data, src.size)
    return status == SNAPPY_OK


cdef str _status_name(snappy_status status):
    if status == SNAPPY_INVALID_INPUT:
        return 'SNAPPY_INVALID_INPUT'
    if status == SNAPPY_BUFFER_TOO_SMALL:
        return 'SNAPPY_BUFFER_TOO_SMALL'
    return f'snappy_status {<int>status}'


def snappy_encode(data, /, *, out=None):
    """Return `data` compressed as a snappy raw block (no framing)."""
    cdef Input src = read_input(data)
    cdef size_t bound, size
    cdef Output dst
    cdef snappy_status status
    cdef char *tmp = NULL
    if <size_t>src.size > MAX_SIZE:
        raise SnappyError(f'input of {src.size} bytes exceeds the 4 GiB limit of a raw block')
    bound = snappy_max_compressed_length(src.size)
    dst = encode_output(out, bound, SnappyError)
    size = bound
    if <size_t>dst.size >= bound:
        with nogil:
            status = snappy_compress(<const char *>src.data, src.size, <char *>dst.data, &size)
    else:
        # snappy_compress wants room for the worst case; a smaller out=
        # may still hold the result
        tmp = <char *>malloc(bound)
        if tmp == NULL:
            raise MemoryError()
        try:
            with nogil:
                status = snappy_compress(<const char *>src.data, src.size, tmp, &size)
                if status == SNAPPY_OK and size <= <size_t>dst.size:
                    memcpy(dst.data, tmp, size)
        finally:
            free(tmp)
        if status == SNAPPY_OK and size > <size_t>dst.size:
            raise SnappyError(f'output too small: {size} bytes needed, out= holds {dst.size}')
    if status != SNAPPY_OK:
        raise SnappyError(f'snappy_compress returned {_status_name(status)}')
    return dst.finish(size)


def snappy_decode(data, /, *, out=None, max_output=None):
    """Return the content of a snappy raw block.

    The decoded size stored in the block is checked against `max_output`
    (default: ndcodecs.get_max_output()) and against the most the block
    could expand to before any allocation.
    """
    cdef Input src = read_input(data)
    cdef size_t size = 0, used
    cdef Output dst
    cdef snappy_status status
    with nogil:
        status = snappy_uncompressed_length(<const char *>src.data, src.size, &size)
    if status != SNAPPY_OK:
        raise SnappyError(f'snappy_uncompressed_length returned {_status_name(status)}')
    if size > MAX_RATIO * <size_t>src.size:
        raise SnappyError(
            f'block claims {size} bytes, more than {src.size} compressed bytes can hold'
        )
    dst = decode_output(out, <Py_ssize_t>size, SnappyError, True, max_output)
    used = size
    with nogil:
        status = snappy_uncompress(<const char *>src.data, src.size, <char *>dst.data, &used)
    if status != SNAPPY_OK:
        raise SnappyError(f'snappy_uncompress returned {_status_name(status)}')
    if used != size:
        raise SnappyError(f'snappy_uncompress returned {used} bytes, block says {size}')
    return dst.finish(used)

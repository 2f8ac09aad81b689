# cython: language_level=3, boundscheck=False, wraparound=False
"""deflate (zlib or raw) and gzip codecs through libdeflate.

libdeflate works on whole buffers: it needs the output size up front.
Decoders therefore start from a guess (the gzip ISIZE trailer, else a
multiple of the input size) and grow the output and decode again when it
does not fit, up to max_output.

Allocating a libdeflate compressor costs more than compressing a few KiB
at the higher levels, so each thread keeps its last compressor (one level)
and a decompressor, freed when the thread ends.
"""


from libc.stdint cimport uint8_t, uint32_t
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcpy

from ._shared cimport checksum_arg, Input, Output, read_input, encode_output, decode_output, level_arg
from .deflate cimport *
from .tls cimport ThreadSlot, slot_get, slot_init

from .._errors import error_class

__all__ = [
    'DEFLATE', 'DeflateError', 'deflate_version', 'deflate_check',
    'deflate_encode', 'deflate_decode', 'deflate_crc32', 'deflate_adler32',
    'GZIP', 'GzipError', 'gzip_version', 'gzip_check', 'gzip_encode',
    'gzip_decode',
]


class DEFLATE:
    """libdeflate constants."""

    available = True


class GZIP:
    """gzip constants."""

    available = True


DeflateError = error_class('deflate')
GzipError = error_class('gzip')


# Per-thread cache of one compressor and one decompressor

ctypedef struct _Cache:
    libdeflate_compressor *compressor
    int level
    libdeflate_decompressor *decompressor


cdef void *_new_cache() noexcept nogil:
    return calloc(1, sizeof(_Cache))


cdef void _free_cache(void *ptr) noexcept nogil:
    """Free a thread's cache when the thread exits."""
    cdef _Cache *cache = <_Cache *>ptr
    libdeflate_free_compressor(cache.compressor)
    libdeflate_free_decompressor(cache.decompressor)
    free(cache)


cdef ThreadSlot _cache_slot
slot_init(&_cache_slot, _new_cache, _free_cache)


cdef libdeflate_compressor *_compressor(int level, _Cache **owner) noexcept nogil:
    """Return a compressor of `level`, owned by `owner[0]` unless that is NULL,
    in which case the caller frees it."""
    cdef _Cache *cache = <_Cache *>slot_get(&_cache_slot)
    cdef libdeflate_compressor *c
    owner[0] = cache
    if cache == NULL:
        return libdeflate_alloc_compressor(level)
    if cache.compressor != NULL and cache.level == level:
        return cache.compressor
    libdeflate_free_compressor(cache.compressor)
    cache.compressor = c = libdeflate_alloc_compressor(level)
    cache.level = level
    return c


cdef libdeflate_decompressor *_decompressor(_Cache **owner) noexcept nogil:
    """Return a decompressor, owned by `owner[0]` unless that is NULL."""
    cdef _Cache *cache = <_Cache *>slot_get(&_cache_slot)
    owner[0] = cache
    if cache == NULL:
        return libdeflate_alloc_decompressor()
    if cache.decompressor == NULL:
        cache.decompressor = libdeflate_alloc_decompressor()
    return cache.decompressor


# Functions

cdef enum Format:
    FORMAT_RAW = 0
    FORMAT_ZLIB = 1
    FORMAT_GZIP = 2


cdef str _result_name(libdeflate_result ret):
    if ret == LIBDEFLATE_BAD_DATA:
        return 'LIBDEFLATE_BAD_DATA'
    if ret == LIBDEFLATE_SHORT_OUTPUT:
        return 'LIBDEFLATE_SHORT_OUTPUT'
    if ret == LIBDEFLATE_INSUFFICIENT_SPACE:
        return 'LIBDEFLATE_INSUFFICIENT_SPACE'
    return str(<int>ret)


cdef size_t _compress_into(
    libdeflate_compressor *c, Format fmt, const uint8_t *src, size_t srcsize,
    uint8_t *dst, size_t dstsize
) noexcept nogil:
    if fmt == FORMAT_ZLIB:
        return libdeflate_zlib_compress(c, src, srcsize, dst, dstsize)
    if fmt == FORMAT_GZIP:
        return libdeflate_gzip_compress(c, src, srcsize, dst, dstsize)
    return libdeflate_deflate_compress(c, src, srcsize, dst, dstsize)


cdef size_t _compress_via_bound(
    libdeflate_compressor *c, Format fmt, const uint8_t *src, size_t srcsize,
    uint8_t *dst, size_t dstsize, size_t bound
) noexcept nogil:
    """Compress into a temporary buffer of the bound and copy the result if
    it fits: libdeflate fails with less room than a few bytes above the
    result."""
    cdef uint8_t *tmp = <uint8_t *>malloc(bound)
    cdef size_t size
    if tmp == NULL:
        return 0
    size = _compress_into(c, fmt, src, srcsize, tmp, bound)
    if size > dstsize:
        size = 0
    elif size > 0:
        memcpy(dst, tmp, size)
    free(tmp)
    return size


cdef object _compress(object data, object level, Format fmt, object out, object error):
    """Return `data` compressed in format `fmt`."""
    cdef Input src = read_input(data)
    cdef int clevel = level_arg(level, 6, 0, 12)
    cdef libdeflate_compressor *c
    cdef _Cache *owner
    cdef size_t bound, size = 0
    cdef Output dst
    with nogil:
        c = _compressor(clevel, &owner)
    if c == NULL:
        raise MemoryError('libdeflate_alloc_compressor failed')
    try:
        if fmt == FORMAT_ZLIB:
            bound = libdeflate_zlib_compress_bound(c, <size_t>src.size)
        elif fmt == FORMAT_GZIP:
            bound = libdeflate_gzip_compress_bound(c, <size_t>src.size)
        else:
            bound = libdeflate_deflate_compress_bound(c, <size_t>src.size)
        dst = encode_output(out, <Py_ssize_t>bound, error)
        with nogil:
            size = _compress_into(c, fmt, src.data, <size_t>src.size, dst.data, <size_t>dst.size)
            if size == 0 and <size_t>dst.size < bound:
                size = _compress_via_bound(
                    c, fmt, src.data, <size_t>src.size, dst.data, <size_t>dst.size, bound
                )
    finally:
        if owner == NULL:
            libdeflate_free_compressor(c)
    if size == 0:
        raise error(
            'libdeflate_{}_compress returned 0: output too small ({} bytes)'.format(
                ('deflate', 'zlib', 'gzip')[<int>fmt], dst.size
            )
        )
    return dst.finish(<Py_ssize_t>size)


cdef Py_ssize_t _bound_guess(Py_ssize_t guess, Py_ssize_t insize) noexcept:
    """Limit a guessed decoded size to what deflate can expand `insize` bytes
    to (at most 258 bytes for 2 bits, 1032 to 1)."""
    if insize > (1 << 52):
        return guess
    if guess > insize * 1032 + 1024:
        return insize * 1032 + 1024
    return guess


cdef Py_ssize_t _first_guess(Py_ssize_t insize) noexcept:
    """Return the output size to try first for a stream of unknown size.

    Deflate typically shrinks data 2-4 times, and a guess too small costs
    a second decoding, so try 8 times the input, but at most 24 MiB unless
    the input is bigger: staying below glibc's largest mmap threshold
    (32 MiB) lets repeated calls reuse heap pages rather than fault in
    fresh ones.
    """
    cdef Py_ssize_t guess
    if insize >= (3 << 20):
        guess = insize + insize // 4
        return guess if guess > (24 << 20) else (24 << 20)
    guess = insize * 8
    return guess if guess > 4096 else 4096


def deflate_version():
    """Return the libdeflate version string."""
    return 'libdeflate ' + LIBDEFLATE_VERSION_STRING.decode()


def deflate_check(data, /):
    """Return True if `data` starts with a valid zlib header, else None
    (raw deflate has no signature)."""
    cdef Input src = read_input(data)
    if (
        src.size >= 2 and src.data[0] & 0x0F == 8 and src.data[0] >> 4 <= 7
        and ((src.data[0] << 8) | src.data[1]) % 31 == 0
    ):
        return True
    return None


def deflate_encode(data, /, level=None, *, raw=False, out=None):
    """Return `data` compressed as one zlib stream, or raw deflate if `raw`.

    `level` is clamped to [0, 12], default 6; 0 stores, 12 is slowest.
    """
    return _compress(data, level, FORMAT_RAW if raw else FORMAT_ZLIB, out, DeflateError)


def deflate_decode(data, /, *, raw=False, out=None, max_output=None):
    """Return the content of a zlib stream, or of raw deflate if `raw`.

    Bytes after the end of the stream are ignored. The result is limited to
    `max_output` bytes (default: ndcodecs.get_max_output()).
    """
    cdef Input src = read_input(data)
    cdef Output dst
    cdef libdeflate_decompressor *d
    cdef _Cache *owner
    cdef libdeflate_result ret
    cdef size_t in_used = 0, out_used = 0
    cdef Py_ssize_t guess
    cdef bint zlib = not raw
    if src.size == 0:
        raise DeflateError('no deflate stream in empty input')
    guess = _first_guess(src.size)
    dst = decode_output(out, guess, DeflateError, False, max_output)
    with nogil:
        d = _decompressor(&owner)
    if d == NULL:
        raise MemoryError('libdeflate_alloc_decompressor failed')
    try:
        while True:
            with nogil:
                if zlib:
                    ret = libdeflate_zlib_decompress_ex(
                        d, src.data, <size_t>src.size, dst.data, <size_t>dst.size,
                        &in_used, &out_used
                    )
                else:
                    ret = libdeflate_deflate_decompress_ex(
                        d, src.data, <size_t>src.size, dst.data, <size_t>dst.size,
                        &in_used, &out_used
                    )
            if ret != LIBDEFLATE_INSUFFICIENT_SPACE:
                break
            dst.grow()  # and decode again
    finally:
        if owner == NULL:
            libdeflate_free_decompressor(d)
    if ret != LIBDEFLATE_SUCCESS:
        raise DeflateError(
            'libdeflate_{}_decompress returned {}'.format(
                'zlib' if zlib else 'deflate', _result_name(ret)
            )
        )
    return dst.finish(<Py_ssize_t>out_used)


def deflate_crc32(data, /, value=None):
    """Return the CRC-32 of `data`, continuing from `value` (default 0)."""
    cdef Input src = read_input(data)
    cdef uint32_t crc = checksum_arg(value, 0)
    with nogil:
        crc = libdeflate_crc32(crc, src.data, <size_t>src.size)
    return crc


def deflate_adler32(data, /, value=None):
    """Return the Adler-32 of `data`, continuing from `value` (default 1)."""
    cdef Input src = read_input(data)
    cdef uint32_t adler = checksum_arg(value, 1)
    with nogil:
        adler = libdeflate_adler32(adler, src.data, <size_t>src.size)
    return adler


def gzip_version():
    """Return the libdeflate version string."""
    return deflate_version()


def gzip_check(data, /):
    """Return True if `data` starts with the gzip magic bytes, else False."""
    cdef Input src = read_input(data)
    return src.size >= 2 and src.data[0] == 0x1F and src.data[1] == 0x8B


def gzip_encode(data, /, level=None, *, out=None):
    """Return `data` compressed as one gzip member (MTIME 0, no name).

    `level` is clamped to [0, 12], default 6.
    """
    return _compress(data, level, FORMAT_GZIP, out, GzipError)


def gzip_decode(data, /, *, out=None, max_output=None):
    """Return the content of one or more concatenated gzip members.

    Zero bytes between and after members are skipped, as by
    ``gzip.decompress``; other bytes after the last member are ignored. The
    result is limited to `max_output` bytes (default:
    ndcodecs.get_max_output()).
    """
    cdef Input src = read_input(data)
    cdef Output dst
    cdef libdeflate_decompressor *d
    cdef _Cache *owner
    cdef libdeflate_result ret = LIBDEFLATE_SUCCESS
    cdef size_t in_used = 0, out_used = 0, pos = 0, opos = 0
    cdef size_t size = <size_t>src.size
    cdef const uint8_t *p
    cdef Py_ssize_t guess = 0
    if size == 0:
        raise GzipError('no gzip member in empty input')
    if size >= 18:
        # ISIZE of the last member, modulo 2**32: a hint, not to be trusted
        p = src.data + size - 4
        guess = _bound_guess(
            <Py_ssize_t>(p[0] | (p[1] << 8) | (p[2] << 16) | (<uint32_t>p[3] << 24)),
            src.size,
        )
    dst = decode_output(out, guess, GzipError, False, max_output)
    with nogil:
        d = _decompressor(&owner)
    if d == NULL:
        raise MemoryError('libdeflate_alloc_decompressor failed')
    try:
        while True:
            with nogil:
                ret = libdeflate_gzip_decompress_ex(
                    d, src.data + pos, size - pos, dst.data + opos,
                    <size_t>dst.size - opos, &in_used, &out_used
                )
            if ret == LIBDEFLATE_INSUFFICIENT_SPACE:
                dst.grow()  # and decode this member again
                continue
            if ret != LIBDEFLATE_SUCCESS:
                break
            pos += in_used
            opos += out_used
            while pos < size and src.data[pos] == 0:
                pos += 1
            if size - pos < 2 or src.data[pos] != 0x1F or src.data[pos + 1] != 0x8B:
                break  # no further member
    finally:
        if owner == NULL:
            libdeflate_free_decompressor(d)
    if ret != LIBDEFLATE_SUCCESS:
        raise GzipError(f'libdeflate_gzip_decompress returned {_result_name(ret)}')
    return dst.finish(<Py_ssize_t>opos)

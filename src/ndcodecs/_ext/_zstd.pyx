# cython: language_level=3, boundscheck=False, wraparound=False
"""Zstandard codec through libzstd."""

from ._shared cimport Input, Output, read_input, encode_output, decode_output, level_arg, numthreads_arg
from .tls cimport ThreadSlot, slot_get, slot_init
from .zstd cimport *

from .._errors import error_class

__all__ = ['ZSTD', 'ZstdError', 'zstd_version', 'zstd_check', 'zstd_encode', 'zstd_decode']


class ZSTD:
    """Zstd constants."""

    available = True


ZstdError = error_class('zstd')


def zstd_version():
    """Return the libzstd version string."""
    return 'zstd ' + ZSTD_versionString().decode()


def zstd_check(data, /):
    """Return True if `data` starts with a zstd frame's magic number."""
    return bytes(data[:4]) == b'\x28\xb5\x2f\xfd'


cdef str _error_name(size_t ret):
    return ZSTD_getErrorName(ret).decode()


# Contexts are cached per thread: creating one costs more than compressing
# a small chunk, and still a tenth of the time at chunk sizes zarr uses (a
# 2 MiB chunk at level 3). Inputs above 16 MiB get a fresh context so that
# no thread keeps a big workspace alive.
cdef enum:
    CACHE_LIMIT = 16 << 20

cdef void *_new_cctx() noexcept nogil:
    return ZSTD_createCCtx()


cdef void _free_cctx(void *cctx) noexcept nogil:
    ZSTD_freeCCtx(<ZSTD_CCtx *>cctx)


cdef void *_new_dctx() noexcept nogil:
    return ZSTD_createDCtx()


cdef void _free_dctx(void *dctx) noexcept nogil:
    ZSTD_freeDCtx(<ZSTD_DCtx *>dctx)


cdef ThreadSlot _cctx_slot
cdef ThreadSlot _dctx_slot
slot_init(&_cctx_slot, _new_cctx, _free_cctx)
slot_init(&_dctx_slot, _new_dctx, _free_dctx)


cdef ZSTD_CCtx *_cached_cctx() noexcept nogil:
    cdef ZSTD_CCtx *cctx = <ZSTD_CCtx *>slot_get(&_cctx_slot)
    if cctx != NULL:
        ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters)
    return cctx


def zstd_encode(data, /, level=None, *, numthreads=None, out=None):
    """Return `data` compressed as one zstd frame with its content size.

    `level` is clamped to [ZSTD_minCLevel, ZSTD_maxCLevel], default 3;
    negative levels are faster. `numthreads` > 1 compresses in parallel.
    """
    cdef Input src = read_input(data)
    cdef int clevel = level_arg(level, 3, ZSTD_minCLevel(), ZSTD_maxCLevel())
    cdef int nthreads = numthreads_arg(numthreads)
    cdef Output dst = encode_output(out, ZSTD_compressBound(src.size), ZstdError)
    cdef ZSTD_CCtx *cctx
    cdef size_t ret = 0
    cdef bint cached = src.size <= CACHE_LIMIT and nthreads == 1
    with nogil:
        cctx = _cached_cctx() if cached else ZSTD_createCCtx()
        if cctx != NULL:
            ret = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, clevel)
            if nthreads > 1 and not ZSTD_isError(ret):
                # a library built without threads rejects this; go on single-threaded
                ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, nthreads)
            if not ZSTD_isError(ret):
                ret = ZSTD_compress2(cctx, dst.data, dst.size, src.data, src.size)
            if not cached:
                ZSTD_freeCCtx(cctx)
    if cctx == NULL:
        raise MemoryError('ZSTD_createCCtx failed')
    if ZSTD_isError(ret):
        raise ZstdError(f'ZSTD_compress2 returned {_error_name(ret)}')
    return dst.finish(ret)


cdef unsigned long long _content_size(const unsigned char *src, size_t size) noexcept nogil:
    """Sum the content sizes of all frames; UNKNOWN or ERROR if any lacks one."""
    cdef unsigned long long total = 0, fcs
    cdef size_t pos = 0, csize
    while pos < size:
        fcs = ZSTD_getFrameContentSize(src + pos, size - pos)
        if fcs == ZSTD_CONTENTSIZE_ERROR or fcs == ZSTD_CONTENTSIZE_UNKNOWN:
            return fcs
        csize = ZSTD_findFrameCompressedSize(src + pos, size - pos)
        if ZSTD_isError(csize):
            return ZSTD_CONTENTSIZE_ERROR
        total += fcs
        pos += csize
    return total


def zstd_decode(data, /, *, out=None, max_output=None):
    """Return the content of one or more concatenated zstd frames.

    Frames without a content size are decoded as a stream. The result is
    limited to `max_output` bytes (default: ndcodecs.get_max_output()).
    """
    cdef Input src = read_input(data)
    cdef unsigned long long size
    cdef Output dst
    cdef ZSTD_DCtx *dctx
    cdef ZSTD_inBuffer inbuf
    cdef ZSTD_outBuffer outbuf
    cdef size_t ret = 0
    if src.size == 0:
        raise ZstdError('no zstd frame in empty input')
    with nogil:
        size = _content_size(src.data, src.size)
    if size == ZSTD_CONTENTSIZE_ERROR:
        raise ZstdError('ZSTD_getFrameContentSize returned ZSTD_CONTENTSIZE_ERROR')
    if size != ZSTD_CONTENTSIZE_UNKNOWN:
        dst = decode_output(out, <Py_ssize_t>min(size, <unsigned long long>(1ULL << 62)), ZstdError, True, max_output)
        with nogil:
            dctx = <ZSTD_DCtx *>slot_get(&_dctx_slot)
            if dctx != NULL:
                ret = ZSTD_decompressDCtx(dctx, dst.data, <size_t>size, src.data, src.size)
        if dctx == NULL:
            raise MemoryError('ZSTD_createDCtx failed')
        if ZSTD_isError(ret):
            raise ZstdError(f'ZSTD_decompressDCtx returned {_error_name(ret)}')
        if ret != size:
            raise ZstdError(f'ZSTD_decompressDCtx returned {ret} bytes, frame says {size}')
        return dst.finish(ret)

    dst = decode_output(out, max(4 * src.size, 1 << 17), ZstdError, False, max_output)
    inbuf.src = src.data
    inbuf.size = src.size
    inbuf.pos = 0
    outbuf.pos = 0
    dctx = ZSTD_createDCtx()
    if dctx == NULL:
        raise MemoryError('ZSTD_createDCtx failed')
    try:
        while True:
            outbuf.dst = dst.data
            outbuf.size = dst.size
            with nogil:
                ret = ZSTD_decompressStream(dctx, &outbuf, &inbuf)
            if ZSTD_isError(ret):
                raise ZstdError(f'ZSTD_decompressStream returned {_error_name(ret)}')
            if ret == 0 and inbuf.pos == inbuf.size:
                break  # the last frame is complete
            if outbuf.pos == outbuf.size:
                dst.grow()
            elif inbuf.pos == inbuf.size:
                raise ZstdError('ZSTD_decompressStream: truncated frame')
    finally:
        ZSTD_freeDCtx(dctx)
    return dst.finish(outbuf.pos)

# cython: language_level=3, boundscheck=False, wraparound=False
"""LZ4 codecs through liblz4: raw blocks (lz4), frames (lz4f), HDF5 filter (lz4h5)."""

import enum

from libc.stdint cimport uint8_t, uint32_t, uint64_t
from libc.string cimport memcpy, memset

from ._shared cimport Input, Output, read_input, encode_output, decode_output, level_arg, output_limit
from .tls cimport ThreadSlot, slot_get, slot_init
from .lz4 cimport *

from .._errors import error_class

__all__ = [
    'LZ4', 'Lz4Error', 'lz4_version', 'lz4_check', 'lz4_encode', 'lz4_decode',
    'LZ4F', 'Lz4fError', 'lz4f_version', 'lz4f_check', 'lz4f_encode', 'lz4f_decode',
    'LZ4H5', 'Lz4h5Error', 'lz4h5_version', 'lz4h5_check', 'lz4h5_encode', 'lz4h5_decode',
]

# An LZ4 sequence of n bytes never decodes to more than 255 * n bytes: a
# size claimed beyond that is corrupt, whatever max_output allows.
DEF MAX_RATIO = 255
DEF INT_MAX = 0x7FFFFFFF


cdef inline uint32_t _le32(const uint8_t *p) noexcept nogil:
    return p[0] | (<uint32_t>p[1] << 8) | (<uint32_t>p[2] << 16) | (<uint32_t>p[3] << 24)


cdef inline uint32_t _be32(const uint8_t *p) noexcept nogil:
    return (<uint32_t>p[0] << 24) | (<uint32_t>p[1] << 16) | (<uint32_t>p[2] << 8) | p[3]


cdef inline uint64_t _be64(const uint8_t *p) noexcept nogil:
    return (<uint64_t>_be32(p) << 32) | _be32(p + 4)


cdef inline void _put_be32(uint8_t *p, uint32_t v) noexcept nogil:
    p[0] = <uint8_t>(v >> 24)
    p[1] = <uint8_t>(v >> 16)
    p[2] = <uint8_t>(v >> 8)
    p[3] = <uint8_t>v


cdef str _version():
    return 'lz4 ' + LZ4_versionString().decode()


# LZ4 #########################################################################


class LZ4:
    """LZ4 block constants."""

    available = True

    class CLEVEL(enum.IntEnum):
        """Compression levels of the HC (high compression) mode."""

        DEFAULT = LZ4HC_CLEVEL_DEFAULT
        MIN = LZ4HC_CLEVEL_MIN
        MAX = LZ4HC_CLEVEL_MAX
        OPT_MIN = LZ4HC_CLEVEL_OPT_MIN


Lz4Error = error_class('lz4')


def lz4_version():
    """Return the liblz4 version string."""
    return _version()


def lz4_check(data, /):
    """Return None: a raw LZ4 block has no signature."""
    return None


# HC states are cached per thread: initializing one clears 256 KiB of
# tables, while a reset of a used state is free (the library's own
# fast-reset path), and the output is the same as LZ4_compress_HC's.
cdef void *_new_hc() noexcept nogil:
    return LZ4_createStreamHC()


cdef void _free_hc(void *state) noexcept nogil:
    LZ4_freeStreamHC(<LZ4_streamHC_t *>state)


cdef ThreadSlot _hc_slot
slot_init(&_hc_slot, _new_hc, _free_hc)


def lz4_encode(data, /, level=None, *, hc=False, header=False, out=None):
    """Return `data` compressed as one LZ4 block.

    Without `hc`, `level` is the acceleration (default 1, up to 65537:
    faster, larger). With `hc`, it is the HC level, clamped to
    [LZ4.CLEVEL.MIN, LZ4.CLEVEL.MAX], default 9. `header` prefixes the
    uncompressed size as 4 bytes little-endian (the numcodecs LZ4 layout).
    """
    cdef Input src = read_input(data)
    cdef bint use_hc = bool(hc)
    cdef int offset = 4 if header else 0
    cdef int clevel
    cdef int size, capacity, ret = 0
    cdef Output dst
    cdef LZ4_streamHC_t *state = NULL
    if src.size > LZ4_MAX_INPUT_SIZE:
        raise Lz4Error(f'input of {src.size} bytes exceeds LZ4_MAX_INPUT_SIZE')
    if use_hc:
        clevel = level_arg(level, LZ4HC_CLEVEL_DEFAULT, LZ4HC_CLEVEL_MIN, LZ4HC_CLEVEL_MAX)
    else:
        clevel = level_arg(level, 1, 1, 65537)
    size = <int>src.size
    dst = encode_output(out, <Py_ssize_t>LZ4_compressBound(size) + offset, Lz4Error)
    if dst.size < offset + 1:
        raise Lz4Error(f'output too small: out= holds {dst.size} bytes')
    capacity = <int>min(dst.size - offset, INT_MAX)
    with nogil:
        if use_hc:
            state = <LZ4_streamHC_t *>slot_get(&_hc_slot)
            if state != NULL:
                LZ4_resetStreamHC_fast(state, clevel)
                ret = LZ4_compress_HC_continue(
                    state, <const char *>src.data, <char *>dst.data + offset, size, capacity
                )
        else:
            ret = LZ4_compress_fast(
                <const char *>src.data, <char *>dst.data + offset, size, capacity, clevel
            )
    if use_hc and state == NULL:
        raise MemoryError('LZ4_createStreamHC failed')
    if ret <= 0:
        func = 'LZ4_compress_HC_continue' if use_hc else 'LZ4_compress_fast'
        raise Lz4Error(f'{func} returned {ret}: output too small')
    if offset:
        dst.data[0] = <uint8_t>size
        dst.data[1] = <uint8_t>(size >> 8)
        dst.data[2] = <uint8_t>(size >> 16)
        dst.data[3] = <uint8_t>(size >> 24)
    return dst.finish(ret + offset)


cdef Py_ssize_t _block_size(const uint8_t *src, size_t n, Py_ssize_t limit) noexcept nogil:
    """Return the decoded size of an LZ4 block by walking its sequences.

    Only lengths are read: no data is touched. Returns -1 if the block
    is malformed, -2 if the size exceeds `limit`. Offsets are checked by
    the decoder.
    """
    cdef size_t pos = 0, length
    cdef size_t total = 0
    cdef uint8_t token, b
    if n == 0:
        return -1
    while True:
        token = src[pos]
        pos += 1
        length = token >> 4
        if length == 15:
            while True:
                if pos >= n:
                    return -1
                b = src[pos]
                pos += 1
                length += b
                if b != 255:
                    break
        if length > n - pos:
            return -1
        pos += length
        total += length
        if pos == n:
            break  # the last sequence has literals only
        if n - pos < 3:  # an offset and the next token at least
            return -1
        pos += 2
        length = token & 15
        if length == 15:
            while True:
                if pos >= n:
                    return -1
                b = src[pos]
                pos += 1
                length += b
                if b != 255:
                    break
        total += length + 4  # at most 255 * n: no overflow
        if pos >= n:
            return -1  # a block ends with literals
    if total > <size_t>limit:
        return -2
    return <Py_ssize_t>total


# Without a size header, a block is first decoded into a buffer of 4 times
# its size, enough for most data; the buffer shrinks to fit afterwards. Past
# GUESS_MAX that buffer would be fresh memory from the system, whose page
# faults cost more than finding the exact size first by walking the block.
DEF GUESS_MAX = 8 << 20


def lz4_decode(data, /, *, header=False, out=None, max_output=None):
    """Return the content of one LZ4 block.

    With `header`, the block follows its size as 4 bytes little-endian.
    Without, the output grows as needed; the block's sequences tell its
    exact size, or that it is corrupt. The result is limited to
    `max_output` bytes (default: ndcodecs.get_max_output()).
    """
    cdef Input src = read_input(data)
    cdef int offset = 4 if header else 0
    cdef Py_ssize_t n = src.size - offset
    cdef Py_ssize_t size, limit = 0
    cdef Output dst
    cdef int ret
    if src.size > INT_MAX:
        raise Lz4Error(f'input of {src.size} bytes is too large for an LZ4 block')
    if n <= 0:
        raise Lz4Error(f'no LZ4 block in {src.size} bytes of input')
    if header:
        size = _le32(src.data)
        if size > MAX_RATIO * n or size > INT_MAX:
            raise Lz4Error(f'corrupt header: {size} bytes cannot be decoded from {n} bytes')
        dst = decode_output(out, size, Lz4Error, True, max_output)
    else:
        limit = min(output_limit(max_output), INT_MAX)  # LZ4_decompress_safe's limit
        size = min(max(4 * n, 1 << 16), MAX_RATIO * n, limit)
        if size > GUESS_MAX and (out is None or out is bytes or out is bytearray):
            with nogil:
                size = _block_size(src.data, <size_t>n, limit)
            if size == -1:
                raise Lz4Error('corrupt LZ4 block: truncated or malformed sequence')
            if size == -2:
                raise Lz4Error(f'decoded size exceeds max_output={limit} bytes')
        dst = decode_output(out, size, Lz4Error, False, max_output)
        size = min(dst.size, INT_MAX)
    with nogil:
        ret = LZ4_decompress_safe(<const char *>src.data + offset, <char *>dst.data, <int>n, <int>size)
    if ret < 0 and not header:
        # too small, or corrupt: the sequences tell
        with nogil:
            size = _block_size(src.data, <size_t>n, limit if not dst.fixed else dst.size)
        if size == -1 or (size >= 0 and size <= dst.size):
            raise Lz4Error(f'LZ4_decompress_safe returned {ret}: corrupt LZ4 block')
        if size == -2:
            if dst.fixed:
                raise Lz4Error(f'output too small: out= holds {dst.size} bytes')
            raise Lz4Error(f'decoded size exceeds max_output={limit} bytes')
        dst.resize(size)
        with nogil:
            ret = LZ4_decompress_safe(<const char *>src.data + offset, <char *>dst.data, <int>n, <int>size)
    if ret < 0:
        raise Lz4Error(f'LZ4_decompress_safe returned {ret}: corrupt LZ4 block')
    if header and ret != size:
        raise Lz4Error(f'LZ4_decompress_safe decoded {ret} bytes, the header says {size}')
    return dst.finish(ret)


# LZ4F ########################################################################


class LZ4F:
    """LZ4 frame constants."""

    available = True

    VERSION = LZ4F_VERSION


Lz4fError = error_class('lz4f')


def lz4f_version():
    """Return the liblz4 version string."""
    return _version()


def lz4f_check(data, /):
    """Return True if `data` starts with the LZ4 frame magic number."""
    return bytes(data[:4]) == b'\x04\x22\x4d\x18'


cdef str _lz4f_error(str func, size_t ret):
    return f'{func} returned {LZ4F_getErrorName(ret).decode()}'


def lz4f_encode(
    data, /, level=None, *, blocksizeid=None, contentchecksum=None,
    blockchecksum=None, out=None
):
    """Return `data` compressed as one LZ4 frame holding its content size.

    `level` is clamped to [-1, 12]: below 3 the fast mode (default 0), HC
    levels above. `blocksizeid` is 4 (64 KiB, default), 5 (256 KiB),
    6 (1 MiB) or 7 (4 MiB); `contentchecksum` and `blockchecksum` add
    xxHash32 checksums.
    """
    cdef Input src = read_input(data)
    cdef LZ4F_preferences_t prefs
    cdef Output dst
    cdef size_t bound, ret
    memset(&prefs, 0, sizeof(prefs))
    prefs.frameInfo.contentSize = <unsigned long long>src.size
    if level is not None:
        prefs.compressionLevel = level_arg(level, 0, -1, LZ4HC_CLEVEL_MAX)
    if blocksizeid is not None:
        if blocksizeid not in (0, 4, 5, 6, 7):
            raise ValueError(f'invalid blocksizeid {blocksizeid!r}, expected 4, 5, 6 or 7')
        prefs.frameInfo.blockSizeID = <LZ4F_blockSizeID_t><int>blocksizeid
    if contentchecksum:
        prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
    if blockchecksum:
        prefs.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled
    bound = LZ4F_compressFrameBound(<size_t>src.size, &prefs)
    if LZ4F_isError(bound):
        raise Lz4fError(_lz4f_error('LZ4F_compressFrameBound', bound))
    dst = encode_output(out, <Py_ssize_t>bound, Lz4fError)
    with nogil:
        ret = LZ4F_compressFrame(dst.data, <size_t>dst.size, src.data, <size_t>src.size, &prefs)
    if LZ4F_isError(ret):
        raise Lz4fError(_lz4f_error('LZ4F_compressFrame', ret))
    return dst.finish(ret)


# Decompression contexts are cached per thread for inputs up to 1 MiB;
# their buffers grow with the frames' block size.
cdef enum:
    CACHE_LIMIT = 1 << 20

cdef void *_new_dctx() noexcept nogil:
    cdef LZ4F_dctx *dctx = NULL
    if LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)):
        return NULL
    return dctx


cdef void _free_dctx(void *dctx) noexcept nogil:
    LZ4F_freeDecompressionContext(<LZ4F_dctx *>dctx)


cdef ThreadSlot _dctx_slot
slot_init(&_dctx_slot, _new_dctx, _free_dctx)


cdef LZ4F_dctx *_cached_dctx() noexcept nogil:
    cdef LZ4F_dctx *dctx = <LZ4F_dctx *>slot_get(&_dctx_slot)
    if dctx != NULL:
        LZ4F_resetDecompressionContext(dctx)  # after an error, or a previous truncated frame
    return dctx


cdef unsigned long long _frame_content_size(const uint8_t *src, size_t n) noexcept nogil:
    """Return the content size written in a frame header, or 0 if none."""
    if n < 14 or _le32(src) != 0x184D2204 or not (src[4] & 0x08):
        return 0
    return (<unsigned long long>_le32(src + 6)) | (<unsigned long long>_le32(src + 10) << 32)


def lz4f_decode(data, /, *, out=None, max_output=None):
    """Return the content of one or more concatenated LZ4 frames.

    Frames with and without content size are decoded; skippable frames are
    skipped. The result is limited to `max_output` bytes (default:
    ndcodecs.get_max_output()).
    """
    cdef Input src = read_input(data)
    cdef unsigned long long claimed
    cdef Py_ssize_t guess
    cdef Output dst
    cdef LZ4F_dctx *dctx
    cdef size_t spos = 0, dpos = 0, ssize, dsize, ret = 0
    cdef bint cached = src.size <= CACHE_LIMIT
    if src.size == 0:
        raise Lz4fError('no LZ4 frame in empty input')
    claimed = _frame_content_size(src.data, <size_t>src.size)
    if claimed:
        if claimed > <unsigned long long>src.size * MAX_RATIO:
            raise Lz4fError(
                f'corrupt frame header: {claimed} bytes cannot be decoded '
                f'from {src.size} bytes'
            )
        dst = decode_output(out, <Py_ssize_t>claimed, Lz4fError, False, max_output)
        if out is None or out is bytes or out is bytearray:
            if <unsigned long long>dst.size < claimed:
                raise Lz4fError(f'decoded size {claimed} exceeds max_output={dst.limit} bytes')
    else:
        guess = 4 * src.size if src.size < (1 << 40) else src.size
        dst = decode_output(out, max(guess, 1 << 16), Lz4fError, False, max_output)
    with nogil:
        dctx = _cached_dctx() if cached else <LZ4F_dctx *>_new_dctx()
    if dctx == NULL:
        raise MemoryError('LZ4F_createDecompressionContext failed')
    try:
        while True:
            ssize = <size_t>src.size - spos
            dsize = <size_t>dst.size - dpos
            with nogil:
                ret = LZ4F_decompress(
                    dctx, dst.data + dpos, &dsize, src.data + spos, &ssize, NULL
                )
            if LZ4F_isError(ret):
                raise Lz4fError(_lz4f_error('LZ4F_decompress', ret))
            spos += ssize
            dpos += dsize
            if ret == 0 and spos == <size_t>src.size:
                break  # the last frame is complete
            if dpos == <size_t>dst.size and not (ret == 0 and (ssize or dsize)):
                # full; when a frame just ended, the next may need no room
                dst.grow()
            elif spos == <size_t>src.size:
                raise Lz4fError('LZ4F_decompress: truncated frame')
            elif ssize == 0 and dsize == 0 and ret != 0:
                raise Lz4fError('LZ4F_decompress made no progress')
    finally:
        if not cached:
            LZ4F_freeDecompressionContext(dctx)
    return dst.finish(dpos)


# LZ4H5 #######################################################################

# The layout of HDF5's LZ4 filter (H5Z_FILTER_LZ4, id 32004): the total
# uncompressed size as 8 bytes big-endian, the block size as 4 bytes
# big-endian, then per block its compressed size as 4 bytes big-endian and
# the LZ4 block, or the block's bytes as they are when compressing did not
# make them smaller (compressed size == block size).


class LZ4H5:
    """LZ4H5 constants."""

    available = True

    CLEVEL = LZ4.CLEVEL


Lz4h5Error = error_class('lz4h5')


def lz4h5_version():
    """Return the liblz4 version string."""
    return _version()


def lz4h5_check(data, /):
    """Return False if `data` is too short for the LZ4H5 header, else None."""
    return False if read_input(data).size < 12 else None


def lz4h5_encode(data, /, level=None, *, blocksize=None, out=None):
    """Return `data` compressed in the layout of HDF5's LZ4 filter.

    `level` is the LZ4 acceleration (default 1). `blocksize` defaults to
    the input size (at most 1 GiB - 1).
    """
    cdef Input src = read_input(data)
    cdef int acceleration = level_arg(level, 1, 1, 65537)
    cdef Py_ssize_t blksize, nblocks, nfull, rest, bound, srcpos = 0, dstpos = 12
    cdef int length, capacity, ret
    cdef Output dst
    cdef bint overflow = False
    if blocksize is None:
        blksize = min(src.size, (1 << 30) - 1) if src.size > 0 else 1
    else:
        blksize = blocksize
        if not 0 < blksize <= LZ4_MAX_INPUT_SIZE:
            raise ValueError(f'invalid blocksize {blocksize}')
    nfull = src.size // blksize
    rest = src.size - nfull * blksize
    nblocks = nfull + (rest > 0)
    bound = 12 + 4 * nblocks + nfull * <Py_ssize_t>LZ4_compressBound(<int>blksize)
    if rest:
        bound += LZ4_compressBound(<int>rest)
    dst = encode_output(out, bound, Lz4h5Error)
    if dst.size < 12:
        raise Lz4h5Error(f'output too small: out= holds {dst.size} bytes')
    with nogil:
        _put_be32(dst.data, <uint32_t>(<uint64_t>src.size >> 32))
        _put_be32(dst.data + 4, <uint32_t>src.size)
        _put_be32(dst.data + 8, <uint32_t>blksize)
        while srcpos < src.size:
            length = <int>min(blksize, src.size - srcpos)
            if dst.size - dstpos < 5:
                overflow = True
                break
            dstpos += 4
            capacity = <int>min(dst.size - dstpos, INT_MAX)
            ret = LZ4_compress_fast(
                <const char *>src.data + srcpos, <char *>dst.data + dstpos,
                length, capacity, acceleration
            )
            if ret >= length or (ret <= 0 and length <= capacity):
                # not smaller: store the bytes as they are
                memcpy(dst.data + dstpos, src.data + srcpos, length)
                ret = length
            elif ret <= 0:
                overflow = True
                break
            _put_be32(dst.data + dstpos - 4, <uint32_t>ret)
            srcpos += length
            dstpos += ret
    if overflow:
        raise Lz4h5Error(f'output too small: out= holds {dst.size} bytes')
    return dst.finish(dstpos)


def lz4h5_decode(data, /, *, out=None, max_output=None):
    """Return the content of data in the layout of HDF5's LZ4 filter.

    The result is limited to `max_output` bytes (default:
    ndcodecs.get_max_output()).
    """
    cdef Input src = read_input(data)
    cdef uint64_t total
    cdef Py_ssize_t blksize, srcpos = 12, dstpos = 0
    cdef int length, csize, ret
    cdef Output dst
    cdef int err = 0
    if src.size < 12:
        raise Lz4h5Error(f'LZ4H5 header needs 12 bytes, got {src.size}')
    total = _be64(src.data)
    blksize = _be32(src.data + 8)
    if blksize <= 0 or blksize > LZ4_MAX_INPUT_SIZE:
        raise Lz4h5Error(f'corrupt LZ4H5 header: block size {blksize}')
    if total > <uint64_t>(src.size - 12) * MAX_RATIO:
        raise Lz4h5Error(
            f'corrupt LZ4H5 header: {total} bytes cannot be decoded from {src.size} bytes'
        )
    dst = decode_output(out, <Py_ssize_t>total, Lz4h5Error, True, max_output)
    with nogil:
        while dstpos < <Py_ssize_t>total:
            if src.size - srcpos < 4:
                err = 1
                break
            csize = <int>_be32(src.data + srcpos)
            srcpos += 4
            length = <int>min(blksize, <Py_ssize_t>total - dstpos)
            if csize <= 0 or csize > src.size - srcpos:
                err = 2
                break
            if csize == length:
                memcpy(dst.data + dstpos, src.data + srcpos, length)
            else:
                ret = LZ4_decompress_safe(
                    <const char *>src.data + srcpos, <char *>dst.data + dstpos, csize, length
                )
                if ret != length:
                    err = 3
                    break
            srcpos += csize
            dstpos += length
    if err == 1:
        raise Lz4h5Error(f'truncated LZ4H5 data: {dstpos} of {total} bytes decoded')
    if err == 2:
        raise Lz4h5Error(f'corrupt LZ4H5 block size {csize} at offset {srcpos - 4}')
    if err == 3:
        if ret < 0:
            raise Lz4h5Error(f'LZ4_decompress_safe returned {ret}: corrupt block at offset {srcpos}')
        raise Lz4h5Error(f'LZ4_decompress_safe decoded {ret} bytes, block holds {length}')
    return dst.finish(dstpos)

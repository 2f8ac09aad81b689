# cython: language_level=3, boundscheck=False, wraparound=False
"""Blosc 1 chunks through c-blosc.

Only the context functions (blosc_compress_ctx, blosc_decompress_ctx) are
called: they keep no global state, so calls from several Python threads run
in parallel with the GIL released. Chunk headers are checked here before
c-blosc sees them, because blosc_decompress_ctx trusts the sizes it reads.
"""

import enum

from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t

from ._shared cimport Input, Output, read_input, encode_output, decode_output, level_arg, numthreads_arg
from .blosc cimport *

from .._errors import error_class

__all__ = ['BLOSC', 'BloscError', 'blosc_version', 'blosc_check', 'blosc_encode', 'blosc_decode']


class BLOSC:
    """Blosc constants."""

    available = True

    class COMPRESSOR(enum.IntEnum):
        """Internal compressors; not every build has all of them."""

        BLOSCLZ = BLOSC_BLOSCLZ
        LZ4 = BLOSC_LZ4
        LZ4HC = BLOSC_LZ4HC
        SNAPPY = BLOSC_SNAPPY
        ZLIB = BLOSC_ZLIB
        ZSTD = BLOSC_ZSTD

    class SHUFFLE(enum.IntEnum):
        """Filters applied before compression."""

        NOSHUFFLE = BLOSC_NOSHUFFLE
        SHUFFLE = BLOSC_SHUFFLE
        BITSHUFFLE = BLOSC_BITSHUFFLE


BloscError = error_class('blosc')

cdef enum:
    _NCOMP = 6  # compressor codes 0..5

# C names by compressor code, usable without the GIL
cdef const char *_COMPNAMES[_NCOMP]
_COMPNAMES[0] = b'blosclz'
_COMPNAMES[1] = b'lz4'
_COMPNAMES[2] = b'lz4hc'
_COMPNAMES[3] = b'snappy'
_COMPNAMES[4] = b'zlib'
_COMPNAMES[5] = b'zstd'

_CODES = {m.name.lower(): int(m) for m in BLOSC.COMPRESSOR}
_SHUFFLES = {m.name.lower(): int(m) for m in BLOSC.SHUFFLE}

# what this build of c-blosc can compress and decompress
_AVAILABLE = frozenset(blosc_list_compressors().decode().split(','))

# the compressor name for each format code in a chunk's flags (bits 5-7)
_FORMATS = {
    BLOSC_BLOSCLZ_FORMAT: 'blosclz',
    BLOSC_LZ4_FORMAT: 'lz4',
    BLOSC_SNAPPY_FORMAT: 'snappy',
    BLOSC_ZLIB_FORMAT: 'zlib',
    BLOSC_ZSTD_FORMAT: 'zstd',
}

cdef enum:
    HEADER = 16
    RESERVED_FLAG = 0x08  # no c-blosc 1 writes it
    DONT_SPLIT = 0x10
    MAX_SPLITS = 16  # as in blosc.c
    MIN_BUFFERSIZE = 128  # as in blosc.c
    # blosclz sums 255-valued length bytes into an int32: a run of this many
    # 0xff bytes can wrap it to negative and make it memset ~2**64 bytes.
    # Real matches are at most BLOSC_MAX_BLOCKSIZE long, < 2**22 such bytes.
    FF_RUN_LIMIT = 1 << 23


def blosc_version():
    """Return the c-blosc version string."""
    return 'c-blosc ' + BLOSC_VERSION_STRING.decode()


cdef inline uint32_t _u32(const uint8_t *p) noexcept nogil:
    return p[0] | (<uint32_t>p[1] << 8) | (<uint32_t>p[2] << 16) | (<uint32_t>p[3] << 24)


def blosc_check(data, /):
    """Return True if `data` starts with a consistent Blosc 1 chunk header."""
    cdef bytes head = bytes(data[:HEADER])
    cdef const uint8_t *p = head
    cdef uint32_t nbytes, blocksize, cbytes
    if len(head) < HEADER or p[0] != BLOSC_VERSION_FORMAT or p[3] == 0 or p[2] & RESERVED_FLAG:
        return False
    nbytes = _u32(p + 4)
    blocksize = _u32(p + 8)
    cbytes = _u32(p + 12)
    if nbytes > <uint32_t>BLOSC_MAX_BUFFERSIZE or cbytes < HEADER:
        return False
    if p[2] & BLOSC_MEMCPYED:
        return cbytes == nbytes + HEADER
    if nbytes == 0:
        return True
    return p[1] == 1 and 0 < blocksize <= nbytes


cdef int _compressor_arg(object compressor) except -1:
    """Return the code of `compressor`: enum, int or name; BloscError if absent."""
    cdef long code
    if compressor is None:
        return BLOSC_BLOSCLZ
    if isinstance(compressor, bytes):
        compressor = compressor.decode('ascii', 'replace')
    if isinstance(compressor, str):
        try:
            code = _CODES[compressor.lower()]
        except KeyError:
            raise BloscError(
                f'unknown compressor {compressor!r}, expected one of {", ".join(_CODES)}'
            ) from None
    else:
        try:
            code = compressor.__index__()
        except AttributeError:
            raise TypeError(f'compressor must be a name or int, not {compressor!r}') from None
        if not 0 <= code < _NCOMP:
            raise BloscError(f'unknown compressor code {code}, expected 0 to {_NCOMP - 1}')
    name = _COMPNAMES[code].decode()
    if name not in _AVAILABLE:
        raise BloscError(
            f'this c-blosc was built without the {name!r} compressor '
            f'(available: {", ".join(sorted(_AVAILABLE))})'
        )
    return <int>code


cdef int _shuffle_arg(object shuffle) except -1:
    """Return the shuffle mode: None means SHUFFLE; bool, int 0-2 or name."""
    cdef long value
    if shuffle is None:
        return BLOSC_SHUFFLE
    if isinstance(shuffle, str):
        try:
            return _SHUFFLES[shuffle.lower()]
        except KeyError:
            raise ValueError(
                f'unknown shuffle {shuffle!r}, expected one of {", ".join(_SHUFFLES)}'
            ) from None
    try:
        value = shuffle.__index__()
    except AttributeError:
        raise TypeError(f'shuffle must be a name or int, not {shuffle!r}') from None
    if not 0 <= value <= 2:
        raise ValueError(f'shuffle must be 0, 1 or 2, not {value}')
    return <int>value


def blosc_encode(
    data, /, level=None, *, compressor=None, shuffle=None, typesize=None,
    blocksize=None, numthreads=None, out=None,
):
    """Return `data` compressed as one Blosc 1 chunk.

    `level` is clamped to [0, 9], default 9; 0 stores the data uncompressed.
    `compressor` is a BLOSC.COMPRESSOR, its code or name (default blosclz).
    `shuffle` is a BLOSC.SHUFFLE, its code or name (default SHUFFLE).
    `typesize` defaults to the item size of `data` (1 for bytes, or for items
    larger than 255 bytes). `blocksize` 0 or None lets c-blosc choose.
    `numthreads` > 1 compresses blocks in parallel, 0 uses all cores.
    """
    cdef Input src = read_input(data)
    cdef int clevel = level_arg(level, 9, 0, 9)
    cdef int compcode = _compressor_arg(compressor)
    cdef int doshuffle = _shuffle_arg(shuffle)
    cdef int nthreads = numthreads_arg(numthreads)
    cdef size_t ctypesize, cblocksize = 0, destsize
    cdef Py_ssize_t value
    cdef Output dst
    cdef const char *compname = _COMPNAMES[compcode]
    cdef int ret
    if typesize is None:
        value = src.view.itemsize
    else:
        value = typesize.__index__()
        if value < 1:
            raise ValueError(f'typesize must be >= 1, not {value}')
    # c-blosc treats larger types as a stream of bytes; do so before its int32 cast
    ctypesize = <size_t>value if value <= BLOSC_MAX_TYPESIZE else 1
    if blocksize is not None:
        value = blocksize.__index__()
        if value < 0:
            raise ValueError(f'blocksize must be >= 0, not {value}')
        # c-blosc clamps to this but casts to int32 first
        cblocksize = <size_t>min(value, <Py_ssize_t>BLOSC_MAX_BLOCKSIZE)
    if nthreads > BLOSC_MAX_THREADS:
        nthreads = BLOSC_MAX_THREADS  # c-blosc fails above its static thread arrays
    if src.size > BLOSC_MAX_BUFFERSIZE:
        raise BloscError(
            f'input of {src.size} bytes exceeds the Blosc 1 limit of {BLOSC_MAX_BUFFERSIZE}'
        )
    dst = encode_output(out, src.size + BLOSC_MAX_OVERHEAD, BloscError)
    # never more than the bound: c-blosc stores destsize in an int32
    destsize = <size_t>min(dst.size, src.size + BLOSC_MAX_OVERHEAD)
    with nogil:
        ret = blosc_compress_ctx(
            clevel, doshuffle, ctypesize, <size_t>src.size, src.data,
            dst.data, destsize, compname, cblocksize, nthreads,
        )
    if ret == 0:
        raise BloscError(f'output too small: out= holds {dst.size} bytes')
    if ret < 0:
        raise BloscError(f'blosc_compress_ctx returned {ret}')
    return dst.finish(ret)


cdef bint _ff_run(const uint8_t *p, size_t n) noexcept nogil:
    """Return True if `p[:n]` holds FF_RUN_LIMIT consecutive 0xff bytes.

    Any such run covers an index i with i % FF_RUN_LIMIT == FF_RUN_LIMIT - 1,
    so only those are probed and widened.
    """
    cdef size_t i, lo, hi
    i = FF_RUN_LIMIT - 1
    while i < n:
        if p[i] == 0xff:
            lo = i
            while lo > 0 and p[lo - 1] == 0xff:
                lo -= 1
            hi = i + 1
            while hi < n and p[hi] == 0xff and hi - lo < FF_RUN_LIMIT:
                hi += 1
            if hi - lo >= FF_RUN_LIMIT:
                return True
        i += FF_RUN_LIMIT
    return False


cdef int _blosclz_overflow(
    const uint8_t *src, uint32_t cbytes, uint32_t nbytes, uint32_t blocksize,
    uint32_t typesize, int flags,
) noexcept nogil:
    """Return 1 if a compressed blosclz split could overflow a match length.

    Walks the blocks and splits as blosc_d does. Returns -1 where the layout
    is inconsistent (c-blosc fails there, but only after decoding the blocks
    before it), 0 if every split was checked.
    """
    cdef uint32_t nblocks = nbytes // blocksize + (1 if nbytes % blocksize else 0)
    cdef uint32_t leftover = nbytes % blocksize
    cdef uint32_t j, k, bsize, nsplits, neblock
    cdef int64_t offset, csize
    for j in range(nblocks):
        bsize = blocksize
        if j == nblocks - 1 and leftover:
            bsize = leftover
            nsplits = 1
        elif (not (flags & DONT_SPLIT) and typesize <= MAX_SPLITS
              and bsize // typesize >= MIN_BUFFERSIZE):
            nsplits = typesize
        else:
            nsplits = 1
        neblock = bsize // nsplits
        offset = <int32_t>_u32(src + HEADER + 4 * j)
        for k in range(nsplits):
            if offset < 0 or offset + 4 > cbytes:
                return -1
            csize = <int32_t>_u32(src + offset)
            offset += 4
            if csize < 0 or csize > cbytes - offset:
                return -1
            if csize != neblock and csize >= FF_RUN_LIMIT and _ff_run(src + offset, <size_t>csize):
                return 1
            offset += csize
    return 0


def blosc_decode(data, /, *, numthreads=None, out=None, max_output=None):
    """Return the content of one Blosc 1 chunk.

    Bytes after the chunk's compressed size are ignored. The result is
    limited to `max_output` bytes (default: ndcodecs.get_max_output()).
    `numthreads` > 1 decompresses blocks in parallel, 0 uses all cores.
    """
    cdef Input src = read_input(data)
    cdef int nthreads = numthreads_arg(numthreads)
    cdef const uint8_t *p = src.data
    cdef int flags, typesize, compformat
    cdef uint32_t nbytes, blocksize, cbytes, nblocks
    cdef Output dst
    cdef int overflow = 0
    cdef int ret
    if nthreads > BLOSC_MAX_THREADS:
        nthreads = BLOSC_MAX_THREADS  # c-blosc fails above its static thread arrays
    # c-blosc reads the 16-byte header without knowing the input length
    if src.size < HEADER:
        raise BloscError(f'truncated chunk: {src.size} bytes, the header has {HEADER}')
    flags = p[2]
    typesize = p[3]
    nbytes = _u32(p + 4)
    blocksize = _u32(p + 8)
    cbytes = _u32(p + 12)
    compformat = flags >> 5
    # c-blosc 1 writes and reads format version 2 only
    if p[0] != BLOSC_VERSION_FORMAT:
        raise BloscError(f'unsupported Blosc format version {p[0]}, expected {BLOSC_VERSION_FORMAT}')
    # flag bit 3 is reserved: chunks from a future format
    if flags & RESERVED_FLAG:
        raise BloscError(f'unsupported Blosc flags 0x{flags:02x}')
    # blosc_decompress_ctx reads up to the header's cbytes, trusting it: never past our input
    if cbytes < HEADER or cbytes > <uint64_t>src.size:
        raise BloscError(f'truncated chunk: header says {cbytes} bytes, input has {src.size}')
    # c-blosc works in int32; larger claims are corrupt
    if nbytes > <uint32_t>BLOSC_MAX_BUFFERSIZE:
        raise BloscError(f'corrupt header: {nbytes} decoded bytes exceed the Blosc 1 limit')
    if nbytes:
        # c-blosc's own limits, checked before any allocation
        if typesize == 0 or blocksize == 0 or blocksize > nbytes or blocksize > <uint32_t>BLOSC_MAX_BLOCKSIZE:
            raise BloscError(f'corrupt header: blocksize {blocksize}, typesize {typesize}, nbytes {nbytes}')
        if flags & BLOSC_MEMCPYED:
            # a stored chunk is its header and the data
            if cbytes != nbytes + HEADER:
                raise BloscError(f'corrupt header: stored chunk of {nbytes} bytes has cbytes {cbytes}')
        else:
            # name the compressor instead of c-blosc's bare -5 or -9
            name = _FORMATS.get(compformat)
            if name not in _AVAILABLE:
                raise BloscError(
                    f'chunk compressed with {name or f"unknown format {compformat}"}, '
                    f'which this c-blosc lacks'
                )
            if p[1] != 1:
                raise BloscError(f'unsupported {name} format version {p[1]}')
            # the block offsets must fit before any allocation the size implies
            nblocks = nbytes // blocksize + (1 if nbytes % blocksize else 0)
            if nblocks > (cbytes - HEADER) // 4:
                raise BloscError(f'truncated chunk: {nblocks} block offsets do not fit in {cbytes} bytes')
            # only large blosclz splits can hold the length overflow
            if compformat == BLOSC_BLOSCLZ_FORMAT and cbytes > FF_RUN_LIMIT:
                with nogil:
                    overflow = _blosclz_overflow(p, cbytes, nbytes, blocksize, typesize, flags)
                    if overflow < 0:  # where the walk gets lost, look everywhere
                        overflow = _ff_run(p + HEADER, cbytes - HEADER)
                if overflow:
                    raise BloscError('corrupt blosclz stream: match length overflows')
    dst = decode_output(out, nbytes, BloscError, True, max_output)
    if nbytes == 0:
        return dst.finish(0)
    with nogil:
        ret = blosc_decompress_ctx(p, dst.data, nbytes, nthreads)
    if ret < 0:
        raise BloscError(f'blosc_decompress_ctx returned {ret}')
    # blocks whose splits do not add up leave output unwritten
    if <uint32_t>ret != nbytes:
        raise BloscError(f'blosc_decompress_ctx returned {ret} bytes, header says {nbytes}')
    return dst.finish(nbytes)


def _init():
    """Let c-blosc pick its shuffle implementation now, under the GIL.

    It does so lazily in an unguarded static on the first shuffle, which
    threads calling at once would race on.
    """
    blosc_encode(bytes(256), 1, typesize=4, shuffle=BLOSC_SHUFFLE)
    blosc_decode(blosc_encode(bytes(256), 1, typesize=4, shuffle=BLOSC_BITSHUFFLE))


_init()

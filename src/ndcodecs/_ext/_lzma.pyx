# cython: language_level=3, boundscheck=False, wraparound=False
"""LZMA codec through liblzma: .xz, legacy .lzma and raw LZMA2 streams.

The xz and alone formats are byte-identical with Python's lzma module at
the same preset and check (both use liblzma's stream encoders).
"""

import enum
import operator

from libc.stdint cimport int64_t, uint8_t, uint32_t, uint64_t
from libc.string cimport memcmp, memcpy, memset

from ._shared cimport (
    Input, Output, read_input, encode_output, decode_output, output_limit,
    level_arg, numthreads_arg,
)
from .lzma cimport *

from .._errors import error_class

__all__ = ['LZMA', 'LzmaError', 'lzma_version', 'lzma_check', 'lzma_encode', 'lzma_decode']


cdef enum:
    # container formats, numbered as Python's lzma.FORMAT_*
    FMT_AUTO = 0
    FMT_XZ = 1
    FMT_ALONE = 2
    FMT_RAW = 3
    # the largest dictionary of presets 0..9, which raw LZMA2 decoding uses
    RAW_DICT_MAX = 1 << 26
    # memory allowed for the indexes read to size xz output in advance
    INDEX_MEMLIMIT = 1 << 26
    # where a full output's next bytes go before it grows
    SCRATCH_SIZE = 256


class LZMA:
    """LZMA constants."""

    available = True

    class CHECK(enum.IntEnum):
        NONE = LZMA_CHECK_NONE
        CRC32 = LZMA_CHECK_CRC32
        CRC64 = LZMA_CHECK_CRC64
        SHA256 = LZMA_CHECK_SHA256

    class FORMAT(enum.IntEnum):
        AUTO = FMT_AUTO  # decoding only: xz or alone, from the first bytes
        XZ = FMT_XZ
        ALONE = FMT_ALONE
        RAW = FMT_RAW


LzmaError = error_class('lzma')

cdef bytes _XZ_MAGIC = b'\xfd7zXZ\x00'

cdef dict _FORMAT_NAMES = {'auto': FMT_AUTO, 'xz': FMT_XZ, 'alone': FMT_ALONE, 'raw': FMT_RAW}
cdef tuple _ENCODER_NAMES = (None, 'lzma_easy_encoder', 'lzma_alone_encoder', 'lzma_raw_encoder')
cdef tuple _DECODER_NAMES = ('lzma_auto_decoder', 'lzma_stream_decoder', 'lzma_alone_decoder', 'lzma_raw_decoder')

cdef dict _RET_NAMES = {
    LZMA_OK: 'LZMA_OK', LZMA_STREAM_END: 'LZMA_STREAM_END',
    LZMA_NO_CHECK: 'LZMA_NO_CHECK', LZMA_UNSUPPORTED_CHECK: 'LZMA_UNSUPPORTED_CHECK',
    LZMA_GET_CHECK: 'LZMA_GET_CHECK', LZMA_MEM_ERROR: 'LZMA_MEM_ERROR',
    LZMA_MEMLIMIT_ERROR: 'LZMA_MEMLIMIT_ERROR', LZMA_FORMAT_ERROR: 'LZMA_FORMAT_ERROR',
    LZMA_OPTIONS_ERROR: 'LZMA_OPTIONS_ERROR', LZMA_DATA_ERROR: 'LZMA_DATA_ERROR',
    LZMA_BUF_ERROR: 'LZMA_BUF_ERROR', LZMA_PROG_ERROR: 'LZMA_PROG_ERROR',
}

cdef dict _RET_TEXT = {
    LZMA_MEMLIMIT_ERROR: 'the stream needs more memory than max_output allows',
    LZMA_FORMAT_ERROR: 'unknown file format',
    LZMA_OPTIONS_ERROR: 'unsupported options',
    LZMA_DATA_ERROR: 'corrupt data',
    LZMA_BUF_ERROR: 'truncated or corrupt data',
}


cdef object _error(str func, lzma_ret ret):
    """Return the exception for a liblzma return code."""
    cdef str name = _RET_NAMES.get(ret, str(<int>ret))
    if ret == LZMA_MEM_ERROR:
        return MemoryError(f'{func} returned {name}')
    if ret in _RET_TEXT:
        return LzmaError(f'{func} returned {name}: {_RET_TEXT[ret]}')
    return LzmaError(f'{func} returned {name}')


def lzma_version():
    """Return the liblzma version string."""
    return 'liblzma ' + lzma_version_string().decode()


def lzma_check(data, /):
    """Return True if `data` starts with an .xz or a plausible .lzma header.

    A .lzma header is accepted as liblzma's own format detection does: valid
    lc/lp/pb, a dictionary size of 2**n or 2**n + 2**(n-1) (here at least
    4 KiB, as every encoder writes), and an unknown or plausible
    uncompressed size. Raw streams are not recognized.
    """
    cdef Input src = read_input(data)
    cdef const uint8_t *p = src.data
    cdef uint32_t dict_size, rounded
    cdef uint64_t size = 0
    cdef int i
    if src.size >= 6 and memcmp(p, <const char *>_XZ_MAGIC, 6) == 0:
        return True
    if src.size < 13 or p[0] >= 9 * 5 * 5:
        return False
    dict_size = p[1] | (<uint32_t>p[2] << 8) | (<uint32_t>p[3] << 16) | (<uint32_t>p[4] << 24)
    for i in range(8):
        size |= <uint64_t>p[5 + i] << (8 * i)
    if dict_size < LZMA_DICT_SIZE_MIN:
        return False
    if dict_size != 0xFFFFFFFF:
        # round up to 2**n or 2**n + 2**(n-1); a valid size is unchanged
        rounded = dict_size - 1
        rounded |= rounded >> 2
        rounded |= rounded >> 3
        rounded |= rounded >> 4
        rounded |= rounded >> 8
        rounded |= rounded >> 16
        rounded += 1
        if rounded != dict_size:
            return False
    return size == 0xFFFFFFFFFFFFFFFF or size < (<uint64_t>1 << 38)


cdef int _format_arg(object format, bint decode) except -1:
    """Return FMT_* for a str, LZMA.FORMAT or int; None is XZ, or AUTO to decode."""
    cdef int fmt
    if format is None:
        return FMT_AUTO if decode else FMT_XZ
    if isinstance(format, str):
        fmt = _FORMAT_NAMES.get(format.lower(), -1)
    else:
        fmt = operator.index(format)
    if fmt < FMT_AUTO or fmt > FMT_RAW or (fmt == FMT_AUTO and not decode):
        raise ValueError(f'invalid lzma format {format!r}')
    return fmt


cdef lzma_check_t _check_arg(object check) except *:
    cdef int value = operator.index(check)
    if value not in (LZMA_CHECK_NONE, LZMA_CHECK_CRC32, LZMA_CHECK_CRC64, LZMA_CHECK_SHA256):
        raise ValueError(f'invalid lzma check {check!r}')
    if not lzma_check_is_supported(<lzma_check_t>value):
        raise LzmaError(f'liblzma was built without check {check!r}')
    return <lzma_check_t>value


cdef int _preset_options(lzma_options_lzma *opt, uint32_t preset) except -1:
    if lzma_lzma_preset(opt, preset):
        raise LzmaError(f'lzma_lzma_preset: invalid preset {preset}')
    return 0


def lzma_encode(data, /, level=None, *, check=None, format=None, numthreads=None, out=None):
    """Return `data` compressed as one .xz, legacy .lzma or raw LZMA2 stream.

    `level` is the preset, clamped to [0, 9], default 6. `check` is an
    LZMA.CHECK for the xz format, default CRC64. `format` is an LZMA.FORMAT
    or 'xz' (default), 'alone' or 'raw'; raw LZMA2 uses the preset's filter
    and needs the same to decode (lzma_decode uses one that fits all
    presets). The xz and alone results are byte-identical with Python's
    ``lzma.compress(data, format, check, preset)``. `numthreads` > 1
    compresses xz in parallel blocks (a different, larger stream).
    """
    cdef Input src = read_input(data)
    cdef uint32_t preset = <uint32_t>level_arg(level, LZMA_PRESET_DEFAULT, 0, 9)
    cdef int fmt = _format_arg(format, False)
    cdef int nthreads = numthreads_arg(numthreads)
    cdef lzma_check_t ccheck = LZMA_CHECK_CRC64
    cdef size_t size = <size_t>src.size, bound, avail_in, avail_out, pos = 0
    cdef uint64_t block_size = 0
    cdef lzma_stream strm
    cdef lzma_options_lzma opt
    cdef lzma_filter filters[2]
    cdef lzma_mt mt
    cdef lzma_ret ret
    cdef Output dst
    if check is not None:
        if fmt != FMT_XZ:
            raise ValueError('an integrity check needs the xz format')
        ccheck = _check_arg(check)
    if fmt != FMT_XZ:
        _preset_options(&opt, preset)
    bound = lzma_stream_buffer_bound(size)
    if fmt == FMT_ALONE:
        bound += size // 32  # LZMA1 has no stored chunks: incompressible data grows
    elif fmt == FMT_XZ and nthreads > 1:
        _preset_options(&opt, preset)
        # blocks of 3 dictionaries as liblzma's default, smaller if that
        # leaves threads idle, but at least 1 MiB
        block_size = max(<uint64_t>opt.dict_size * 3, <uint64_t>1 << 20)
        if size < block_size * nthreads:
            block_size = max(<uint64_t>1 << 20, (size + nthreads - 1) // nthreads)
        bound += (size // block_size + 1) * 64  # block headers and index records
    if bound == 0:
        raise LzmaError(f'lzma_stream_buffer_bound: input of {size} bytes too large')
    dst = encode_output(out, <Py_ssize_t>bound, LzmaError)
    memset(&strm, 0, sizeof(lzma_stream))
    with nogil:
        if fmt == FMT_XZ and nthreads > 1:
            memset(&mt, 0, sizeof(lzma_mt))
            mt.threads = <uint32_t>nthreads
            mt.block_size = block_size
            mt.preset = preset
            mt.check = ccheck
            ret = lzma_stream_encoder_mt(&strm, &mt)
        elif fmt == FMT_XZ:
            ret = lzma_easy_encoder(&strm, preset, ccheck)
        elif fmt == FMT_ALONE:
            ret = lzma_alone_encoder(&strm, &opt)
        else:
            filters[0].id = LZMA_FILTER_LZMA2
            filters[0].options = &opt
            filters[1].id = LZMA_VLI_UNKNOWN
            filters[1].options = NULL
            ret = lzma_raw_encoder(&strm, filters)
    if ret != LZMA_OK:
        lzma_end(&strm)
        raise _error('lzma_stream_encoder_mt' if fmt == FMT_XZ and nthreads > 1 else _ENCODER_NAMES[fmt], ret)
    try:
        strm.next_in = src.data
        strm.avail_in = size
        while True:
            avail_in = strm.avail_in
            avail_out = <size_t>dst.size - pos
            strm.next_out = dst.data + pos
            strm.avail_out = avail_out
            with nogil:
                ret = lzma_code(&strm, LZMA_FINISH)
            pos += avail_out - strm.avail_out
            if ret == LZMA_STREAM_END:
                break
            if ret != LZMA_OK:
                raise _error('lzma_code', ret)
            if pos == <size_t>dst.size:
                dst.grow()  # past the bound; raises for a full out=
            elif avail_in == strm.avail_in and avail_out == strm.avail_out:
                raise LzmaError('lzma_code returned LZMA_OK without progress')
    finally:
        lzma_end(&strm)
    return dst.finish(<Py_ssize_t>pos)


cdef int64_t _xz_size(const uint8_t *data, size_t size) noexcept nogil:
    """Return the decoded size of concatenated .xz streams, or -1 if unknown.

    Reads each stream's footer and index from the end, so that the output
    can be allocated once. The decoder checks the indexes against the data.
    """
    cdef lzma_stream_flags flags
    cdef lzma_index *index
    cdef uint64_t memlimit, total = 0, usize, blocks
    cdef size_t end = size, index_start, in_pos
    cdef lzma_ret ret
    while end > 0:
        # stream padding: null bytes in groups of four
        while end >= 4 and (data[end - 1] | data[end - 2] | data[end - 3] | data[end - 4]) == 0:
            end -= 4
        if end < 2 * LZMA_STREAM_HEADER_SIZE:
            return -1
        if lzma_stream_footer_decode(&flags, data + end - LZMA_STREAM_HEADER_SIZE) != LZMA_OK:
            return -1
        if flags.backward_size > end - 2 * LZMA_STREAM_HEADER_SIZE:
            return -1
        index_start = end - LZMA_STREAM_HEADER_SIZE - <size_t>flags.backward_size
        in_pos = index_start
        index = NULL
        memlimit = INDEX_MEMLIMIT
        ret = lzma_index_buffer_decode(
            &index, &memlimit, NULL, data, &in_pos, end - LZMA_STREAM_HEADER_SIZE
        )
        if ret != LZMA_OK:
            return -1
        usize = lzma_index_uncompressed_size(index)
        blocks = lzma_index_total_size(index)
        lzma_index_end(index, NULL)
        if in_pos != end - LZMA_STREAM_HEADER_SIZE or blocks > index_start - LZMA_STREAM_HEADER_SIZE:
            return -1
        end = index_start - <size_t>blocks - LZMA_STREAM_HEADER_SIZE
        if memcmp(data + end, <const char *>b'\xfd7zXZ\x00', 6) != 0:
            return -1
        total += usize
        if total >= (<uint64_t>1 << 62):
            return -1
    return <int64_t>total


cdef lzma_ret _decoder_init(
    lzma_stream *strm, int fmt, uint64_t memlimit, const lzma_filter *filters
) noexcept nogil:
    if fmt == FMT_AUTO:
        return lzma_auto_decoder(strm, memlimit, 0)
    if fmt == FMT_XZ:
        return lzma_stream_decoder(strm, memlimit, 0)
    if fmt == FMT_ALONE:
        return lzma_alone_decoder(strm, memlimit)
    return lzma_raw_decoder(strm, filters)


cdef inline bint _null_quad(const uint8_t *p) noexcept nogil:
    return (p[0] | p[1] | p[2] | p[3]) == 0


def lzma_decode(data, /, *, format=None, out=None, max_output=None):
    """Return the content of one or more concatenated LZMA streams.

    `format` is an LZMA.FORMAT or 'xz', 'alone' or 'raw'; None detects xz
    or alone from the first bytes. Stream padding between and after xz
    streams is skipped; as with Python's ``lzma.decompress``, data after
    the first stream that is not a valid stream is ignored, while a
    truncated stream raises LzmaError. Raw LZMA2 is decoded with a
    dictionary that fits every preset (up to `max_output`). The result is
    limited to `max_output` bytes (default: ndcodecs.get_max_output()); the
    decoder's memory is limited to about the same.
    """
    cdef Input src = read_input(data)
    cdef int fmt = _format_arg(format, True)
    cdef Py_ssize_t limit = output_limit(max_output)
    # enough for every preset's dictionary, else about max_output: a larger
    # dictionary cannot be needed for an output that fits the cap
    cdef uint64_t memlimit = <uint64_t>max(limit, RAW_DICT_MAX) + (1 << 24)
    cdef int64_t size = -1
    cdef lzma_stream strm
    cdef lzma_options_lzma opt
    cdef lzma_filter filters[2]
    cdef lzma_ret ret
    cdef size_t avail_in, avail_out, produced, pos = 0, stream_start = 0
    cdef uint8_t scratch[SCRATCH_SIZE]
    cdef bint first = True, full
    cdef Output dst
    if src.size == 0:
        raise LzmaError('lzma_decode: empty input')
    if fmt == FMT_RAW:
        _preset_options(&opt, LZMA_PRESET_DEFAULT)
        opt.dict_size = <uint32_t>max(min(limit, RAW_DICT_MAX), LZMA_DICT_SIZE_MIN)
        filters[0].id = LZMA_FILTER_LZMA2
        filters[0].options = &opt
        filters[1].id = LZMA_VLI_UNKNOWN
        filters[1].options = NULL
    elif src.size >= 32 and memcmp(src.data, <const char *>_XZ_MAGIC, 6) == 0:
        with nogil:
            size = _xz_size(src.data, <size_t>src.size)
    if size >= 0:
        dst = decode_output(out, <Py_ssize_t>size, LzmaError, True, max_output)
    else:
        # the size is not known: start at four times the input and grow
        dst = decode_output(out, max(src.size * 4, 1 << 16), LzmaError, False, max_output)
    memset(&strm, 0, sizeof(lzma_stream))
    strm.next_in = src.data
    strm.avail_in = <size_t>src.size
    try:
        while True:  # one stream at a time
            with nogil:
                ret = _decoder_init(&strm, fmt, memlimit, filters)
            if ret != LZMA_OK:
                raise _error(_DECODER_NAMES[fmt], ret)
            while True:
                avail_in = strm.avail_in
                full = pos == <size_t>dst.size
                if not full:
                    strm.next_out = dst.data + pos
                    strm.avail_out = avail_out = <size_t>dst.size - pos
                else:
                    # the output is full: liblzma reads an end marker only
                    # with room to write, so try a scratch buffer before growing
                    strm.next_out = scratch
                    strm.avail_out = avail_out = SCRATCH_SIZE
                with nogil:
                    ret = lzma_code(&strm, LZMA_RUN)
                produced = avail_out - strm.avail_out
                if full and produced:
                    dst.grow(pos + produced)
                    memcpy(dst.data + pos, scratch, produced)
                pos += produced
                if ret != LZMA_OK:
                    break  # the end of the stream, or an error
                if produced == 0 and avail_in == strm.avail_in:
                    if strm.avail_in == 0:
                        raise LzmaError('lzma_code: truncated stream')
                    raise LzmaError('lzma_code returned LZMA_OK without progress')
            if ret != LZMA_STREAM_END:
                if first or ret == LZMA_MEM_ERROR:
                    raise _error('lzma_code', ret)
                pos = stream_start  # not a stream: drop what it gave, and stop
                break
            first = False
            if fmt != FMT_RAW and fmt != FMT_ALONE:
                while strm.avail_in >= 4 and _null_quad(strm.next_in):
                    strm.next_in += 4
                    strm.avail_in -= 4
            if strm.avail_in == 0:
                break
            stream_start = pos
    finally:
        lzma_end(&strm)
    return dst.finish(<Py_ssize_t>pos)

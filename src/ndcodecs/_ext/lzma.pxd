# Declarations from lzma.h used by _lzma.pyx.

from libc.stdint cimport uint8_t, uint32_t, uint64_t


cdef extern from 'lzma.h' nogil:
    ctypedef uint64_t lzma_vli
    ctypedef unsigned char lzma_bool

    lzma_vli LZMA_VLI_UNKNOWN
    uint32_t LZMA_PRESET_DEFAULT
    uint32_t LZMA_CONCATENATED
    size_t LZMA_STREAM_HEADER_SIZE
    lzma_vli LZMA_FILTER_LZMA2
    uint32_t LZMA_DICT_SIZE_MIN

    ctypedef enum lzma_ret:
        LZMA_OK
        LZMA_STREAM_END
        LZMA_NO_CHECK
        LZMA_UNSUPPORTED_CHECK
        LZMA_GET_CHECK
        LZMA_MEM_ERROR
        LZMA_MEMLIMIT_ERROR
        LZMA_FORMAT_ERROR
        LZMA_OPTIONS_ERROR
        LZMA_DATA_ERROR
        LZMA_BUF_ERROR
        LZMA_PROG_ERROR

    ctypedef enum lzma_action:
        LZMA_RUN
        LZMA_FINISH

    # renamed: lzma_check is also the name of the Python function
    ctypedef enum lzma_check_t "lzma_check":
        LZMA_CHECK_NONE
        LZMA_CHECK_CRC32
        LZMA_CHECK_CRC64
        LZMA_CHECK_SHA256

    ctypedef struct lzma_stream:
        const uint8_t *next_in
        size_t avail_in
        uint64_t total_in
        uint8_t *next_out
        size_t avail_out
        uint64_t total_out

    ctypedef struct lzma_filter:
        lzma_vli id
        void *options

    ctypedef struct lzma_options_lzma:
        uint32_t dict_size

    ctypedef struct lzma_mt:
        uint32_t flags
        uint32_t threads
        uint64_t block_size
        uint32_t timeout
        uint32_t preset
        const lzma_filter *filters
        lzma_check_t check

    ctypedef struct lzma_stream_flags:
        uint32_t version
        lzma_vli backward_size
        lzma_check_t check

    ctypedef struct lzma_index:
        pass

    const char *lzma_version_string()
    lzma_bool lzma_check_is_supported(lzma_check_t check)

    lzma_ret lzma_code(lzma_stream *strm, lzma_action action)
    void lzma_end(lzma_stream *strm)

    lzma_bool lzma_lzma_preset(lzma_options_lzma *options, uint32_t preset)
    size_t lzma_stream_buffer_bound(size_t uncompressed_size)
    lzma_ret lzma_easy_encoder(lzma_stream *strm, uint32_t preset, lzma_check_t check)
    lzma_ret lzma_stream_encoder_mt(lzma_stream *strm, const lzma_mt *options)
    lzma_ret lzma_alone_encoder(lzma_stream *strm, const lzma_options_lzma *options)
    lzma_ret lzma_raw_encoder(lzma_stream *strm, const lzma_filter *filters)

    lzma_ret lzma_auto_decoder(lzma_stream *strm, uint64_t memlimit, uint32_t flags)
    lzma_ret lzma_stream_decoder(lzma_stream *strm, uint64_t memlimit, uint32_t flags)
    lzma_ret lzma_alone_decoder(lzma_stream *strm, uint64_t memlimit)
    lzma_ret lzma_raw_decoder(lzma_stream *strm, const lzma_filter *filters)

    lzma_ret lzma_stream_footer_decode(lzma_stream_flags *options, const uint8_t *in_)
    lzma_ret lzma_index_buffer_decode(
        lzma_index **i, uint64_t *memlimit, const void *allocator,
        const uint8_t *in_, size_t *in_pos, size_t in_size
    )
    lzma_vli lzma_index_uncompressed_size(const lzma_index *i)
    lzma_vli lzma_index_total_size(const lzma_index *i)
    void lzma_index_end(lzma_index *i, const void *allocator)

# Declarations from spng.h and from our own c/pngcodec.h, used by _png.pyx.

from libc.stdint cimport uint8_t, uint16_t, uint32_t

from ._shared cimport ssize_t


cdef extern from 'spng.h' nogil:
    int SPNG_VERSION_MAJOR
    int SPNG_VERSION_MINOR
    int SPNG_VERSION_PATCH

    ctypedef struct spng_ctx:
        pass

    enum spng_errno:
        SPNG_IO_ERROR
        SPNG_IO_EOF
        SPNG_OK
        SPNG_EMEM
        SPNG_EUSER_WIDTH
        SPNG_EUSER_HEIGHT
        SPNG_ECHUNKAVAIL

    enum spng_color_type:
        SPNG_COLOR_TYPE_GRAYSCALE
        SPNG_COLOR_TYPE_TRUECOLOR
        SPNG_COLOR_TYPE_INDEXED
        SPNG_COLOR_TYPE_GRAYSCALE_ALPHA
        SPNG_COLOR_TYPE_TRUECOLOR_ALPHA

    enum spng_filter_choice:
        SPNG_DISABLE_FILTERING
        SPNG_FILTER_CHOICE_NONE
        SPNG_FILTER_CHOICE_SUB
        SPNG_FILTER_CHOICE_UP
        SPNG_FILTER_CHOICE_AVG
        SPNG_FILTER_CHOICE_PAETH
        SPNG_FILTER_CHOICE_ALL

    enum spng_interlace_method:
        SPNG_INTERLACE_NONE
        SPNG_INTERLACE_ADAM7

    enum spng_format:
        SPNG_FMT_RGBA8
        SPNG_FMT_RGBA16
        SPNG_FMT_RGB8
        SPNG_FMT_GA8
        SPNG_FMT_GA16
        SPNG_FMT_G8
        SPNG_FMT_PNG
        SPNG_FMT_RAW

    enum spng_ctx_flags:
        SPNG_CTX_IGNORE_ADLER32
        SPNG_CTX_ENCODER

    enum spng_decode_flags:
        SPNG_DECODE_TRNS

    enum spng_encode_flags:
        SPNG_ENCODE_FINALIZE

    enum spng_option:
        SPNG_IMG_COMPRESSION_LEVEL
        SPNG_IMG_WINDOW_BITS
        SPNG_IMG_COMPRESSION_STRATEGY
        SPNG_FILTER_CHOICE

    struct spng_ihdr:
        uint32_t width
        uint32_t height
        uint8_t bit_depth
        uint8_t color_type
        uint8_t compression_method
        uint8_t filter_method
        uint8_t interlace_method

    struct spng_trns:
        uint16_t gray
        uint16_t red
        uint16_t green
        uint16_t blue
        uint32_t n_type3_entries
        uint8_t type3_alpha[256]

    ctypedef int (*spng_rw_fn_ptr 'spng_rw_fn *')(
        spng_ctx *ctx, void *user, void *dst_src, size_t length
    ) noexcept nogil

    spng_ctx *spng_ctx_new(int flags)
    void spng_ctx_free(spng_ctx *ctx)

    int spng_set_png_buffer(spng_ctx *ctx, const void *buf, size_t size)
    int spng_set_png_stream(spng_ctx *ctx, spng_rw_fn_ptr rw_func, void *user)

    int spng_set_image_limits(spng_ctx *ctx, uint32_t width, uint32_t height)
    int spng_set_chunk_limits(spng_ctx *ctx, size_t chunk_size, size_t cache_size)
    int spng_set_option(spng_ctx *ctx, spng_option option, int value)

    int spng_get_ihdr(spng_ctx *ctx, spng_ihdr *ihdr)
    int spng_get_trns(spng_ctx *ctx, spng_trns *trns)
    int spng_set_ihdr(spng_ctx *ctx, spng_ihdr *ihdr)

    int spng_decoded_image_size(spng_ctx *ctx, int fmt, size_t *len)
    int spng_decode_image(spng_ctx *ctx, void *out, size_t len, int fmt, int flags)
    int spng_decode_chunks(spng_ctx *ctx)
    int spng_encode_image(spng_ctx *ctx, const void *img, size_t len, int fmt, int flags)

    const char *spng_strerror(int err)
    const char *spng_version_string()


# Our own PNG path (c/pngcodec.h): 8 and 16-bit images over libdeflate.

cdef extern from 'pngcodec.h' nogil:
    int NDC_PNG_UNSUPPORTED
    int NDC_ERR_CORRUPT
    int NDC_ERR_OUTPUT
    int NDC_ERR_MEMORY

    ctypedef struct ndc_png_info:
        uint32_t width
        uint32_t height
        uint8_t depth
        uint8_t color
        uint8_t interlace
        uint8_t has_trns
        uint8_t has_plte
        uint8_t has_actl
        size_t idat
        size_t idat_end
        size_t idat_size
        size_t idat_count

    unsigned ndc_png_channels(unsigned color)
    int ndc_png_read_info(const uint8_t *src, size_t size, ndc_png_info *info, const char **msg)
    int ndc_png_decode_image(
        const uint8_t *src, size_t size, const ndc_png_info *info, uint8_t *dst, const char **msg
    )
    size_t ndc_png_zlib_bound(size_t raw, int level, int strategy)
    ssize_t ndc_png_deflate_image(
        const uint8_t *src, uint32_t height, size_t rowbytes, unsigned bpp, int swap16,
        int level, int strategy, unsigned filters, uint8_t *dst, size_t dstsize
    )
    uint32_t ndc_png_crc(const uint8_t *data, size_t size)


cdef extern from 'libdeflate.h' nogil:
    const char *LIBDEFLATE_VERSION_STRING

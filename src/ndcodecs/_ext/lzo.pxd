# Declarations from liblzo2's lzo/lzoconf.h and lzo/lzo1x.h used by _lzo.pyx.

cdef extern from 'lzo/lzoconf.h' nogil:
    ctypedef size_t lzo_uint  # lzo_uint matches size_t

    enum:
        LZO_E_OK
        LZO_E_ERROR
        LZO_E_OUT_OF_MEMORY
        LZO_E_NOT_COMPRESSIBLE
        LZO_E_INPUT_OVERRUN
        LZO_E_OUTPUT_OVERRUN
        LZO_E_LOOKBEHIND_OVERRUN
        LZO_E_EOF_NOT_FOUND
        LZO_E_INPUT_NOT_CONSUMED
        LZO_E_NOT_YET_IMPLEMENTED
        LZO_E_INVALID_ARGUMENT
        LZO_E_INVALID_ALIGNMENT
        LZO_E_OUTPUT_NOT_CONSUMED
        LZO_E_INTERNAL_ERROR

    int lzo_init()  # a macro checking the ABI of the library
    const char *lzo_version_string()


cdef extern from 'lzo/lzo1x.h' nogil:
    enum:
        LZO1X_1_MEM_COMPRESS
        LZO1X_999_MEM_COMPRESS

    int lzo1x_1_compress(
        const unsigned char *src, lzo_uint src_len,
        unsigned char *dst, lzo_uint *dst_len, void *wrkmem
    )
    int lzo1x_999_compress_level(
        const unsigned char *src, lzo_uint src_len,
        unsigned char *dst, lzo_uint *dst_len, void *wrkmem,
        const unsigned char *dict, lzo_uint dict_len,
        void *cb, int compression_level
    )
    int lzo1x_decompress_safe(
        const unsigned char *src, lzo_uint src_len,
        unsigned char *dst, lzo_uint *dst_len, void *wrkmem
    )

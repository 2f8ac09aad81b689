# libaec: CCSDS 121.0 adaptive entropy coding (libaec.h) and its SZIP
# compatible interface (szlib.h). Only what _aec.pyx uses.

cdef extern from '<libaec.h>' nogil:

    struct aec_stream:
        const unsigned char *next_in
        size_t avail_in
        size_t total_in
        unsigned char *next_out
        size_t avail_out
        size_t total_out
        unsigned int bits_per_sample
        unsigned int block_size
        unsigned int rsi
        unsigned int flags

    int AEC_DATA_SIGNED
    int AEC_DATA_3BYTE
    int AEC_DATA_MSB
    int AEC_DATA_PREPROCESS
    int AEC_RESTRICTED
    int AEC_PAD_RSI
    int AEC_NOT_ENFORCE

    int AEC_OK
    int AEC_CONF_ERROR
    int AEC_STREAM_ERROR
    int AEC_DATA_ERROR
    int AEC_MEM_ERROR

    int AEC_NO_FLUSH
    int AEC_FLUSH

    int aec_encode_init(aec_stream *strm)
    int aec_encode_c "aec_encode"(aec_stream *strm, int flush)
    int aec_encode_end(aec_stream *strm)
    int aec_decode_init(aec_stream *strm)
    int aec_decode_c "aec_decode"(aec_stream *strm, int flush)
    int aec_decode_end(aec_stream *strm)


cdef extern from '<szlib.h>' nogil:

    int SZ_ALLOW_K13_OPTION_MASK
    int SZ_CHIP_OPTION_MASK
    int SZ_EC_OPTION_MASK
    int SZ_LSB_OPTION_MASK
    int SZ_MSB_OPTION_MASK
    int SZ_NN_OPTION_MASK
    int SZ_RAW_OPTION_MASK

    int SZ_OK
    int SZ_OUTBUFF_FULL
    int SZ_NO_ENCODER_ERROR
    int SZ_PARAM_ERROR
    int SZ_MEM_ERROR

    int SZ_MAX_PIXELS_PER_BLOCK
    int SZ_MAX_BLOCKS_PER_SCANLINE
    int SZ_MAX_PIXELS_PER_SCANLINE

    ctypedef struct SZ_com_t:
        int options_mask
        int bits_per_pixel
        int pixels_per_block
        int pixels_per_scanline

    int SZ_BufftoBuffCompress(
        void *dest, size_t *destLen, const void *source, size_t sourceLen,
        SZ_com_t *param)
    int SZ_BufftoBuffDecompress(
        void *dest, size_t *destLen, const void *source, size_t sourceLen,
        SZ_com_t *param)

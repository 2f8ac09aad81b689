# Declarations from lz4.h, lz4hc.h and lz4frame.h used by _lz4.pyx.

cdef extern from 'lz4.h' nogil:
    int LZ4_MAX_INPUT_SIZE

    int LZ4_versionNumber()
    const char *LZ4_versionString()
    int LZ4_compressBound(int inputSize)
    int LZ4_compress_fast(
        const char *src, char *dst, int srcSize, int dstCapacity,
        int acceleration
    )
    int LZ4_decompress_safe(
        const char *src, char *dst, int compressedSize, int dstCapacity
    )


cdef extern from 'lz4hc.h' nogil:
    int LZ4HC_CLEVEL_MIN
    int LZ4HC_CLEVEL_DEFAULT
    int LZ4HC_CLEVEL_OPT_MIN
    int LZ4HC_CLEVEL_MAX

    ctypedef struct LZ4_streamHC_t:
        pass

    LZ4_streamHC_t *LZ4_createStreamHC()
    int LZ4_freeStreamHC(LZ4_streamHC_t *streamHCPtr)
    void LZ4_resetStreamHC_fast(LZ4_streamHC_t *streamHCPtr, int compressionLevel)
    int LZ4_compress_HC_continue(
        LZ4_streamHC_t *streamHCPtr, const char *src, char *dst,
        int srcSize, int maxDstSize
    )


cdef extern from 'lz4frame.h' nogil:
    int LZ4F_VERSION
    int LZ4F_HEADER_SIZE_MIN
    int LZ4F_HEADER_SIZE_MAX

    ctypedef size_t LZ4F_errorCode_t

    ctypedef enum LZ4F_blockSizeID_t:
        LZ4F_default
        LZ4F_max64KB
        LZ4F_max256KB
        LZ4F_max1MB
        LZ4F_max4MB

    ctypedef enum LZ4F_blockMode_t:
        LZ4F_blockLinked
        LZ4F_blockIndependent

    ctypedef enum LZ4F_contentChecksum_t:
        LZ4F_noContentChecksum
        LZ4F_contentChecksumEnabled

    ctypedef enum LZ4F_blockChecksum_t:
        LZ4F_noBlockChecksum
        LZ4F_blockChecksumEnabled

    ctypedef enum LZ4F_frameType_t:
        LZ4F_frame
        LZ4F_skippableFrame

    ctypedef struct LZ4F_frameInfo_t:
        LZ4F_blockSizeID_t blockSizeID
        LZ4F_blockMode_t blockMode
        LZ4F_contentChecksum_t contentChecksumFlag
        LZ4F_frameType_t frameType
        unsigned long long contentSize
        unsigned dictID
        LZ4F_blockChecksum_t blockChecksumFlag

    ctypedef struct LZ4F_preferences_t:
        LZ4F_frameInfo_t frameInfo
        int compressionLevel
        unsigned autoFlush
        unsigned favorDecSpeed

    ctypedef struct LZ4F_dctx:
        pass

    unsigned LZ4F_isError(LZ4F_errorCode_t code)
    const char *LZ4F_getErrorName(LZ4F_errorCode_t code)

    size_t LZ4F_compressFrameBound(
        size_t srcSize, const LZ4F_preferences_t *preferencesPtr
    )
    size_t LZ4F_compressFrame(
        void *dstBuffer, size_t dstCapacity,
        const void *srcBuffer, size_t srcSize,
        const LZ4F_preferences_t *preferencesPtr
    )

    LZ4F_errorCode_t LZ4F_createDecompressionContext(
        LZ4F_dctx **dctxPtr, unsigned version
    )
    LZ4F_errorCode_t LZ4F_freeDecompressionContext(LZ4F_dctx *dctx)
    void LZ4F_resetDecompressionContext(LZ4F_dctx *dctx)
    size_t LZ4F_headerSize(const void *src, size_t srcSize)
    size_t LZ4F_getFrameInfo(
        LZ4F_dctx *dctx, LZ4F_frameInfo_t *frameInfoPtr,
        const void *srcBuffer, size_t *srcSizePtr
    )
    size_t LZ4F_decompress(
        LZ4F_dctx *dctx, void *dstBuffer, size_t *dstSizePtr,
        const void *srcBuffer, size_t *srcSizePtr,
        const void *dOptPtr
    )

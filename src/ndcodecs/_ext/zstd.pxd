# Declarations from zstd.h used by _zstd.pyx.

cdef extern from 'zstd.h' nogil:
    int ZSTD_VERSION_MAJOR
    int ZSTD_VERSION_MINOR
    int ZSTD_VERSION_RELEASE
    unsigned long long ZSTD_CONTENTSIZE_UNKNOWN
    unsigned long long ZSTD_CONTENTSIZE_ERROR

    ctypedef struct ZSTD_CCtx:
        pass

    ctypedef struct ZSTD_DCtx:
        pass

    ctypedef enum ZSTD_cParameter:
        ZSTD_c_compressionLevel
        ZSTD_c_nbWorkers

    ctypedef enum ZSTD_ResetDirective:
        ZSTD_reset_session_and_parameters

    ctypedef enum ZSTD_EndDirective:
        ZSTD_e_end

    ctypedef struct ZSTD_inBuffer:
        const void *src
        size_t size
        size_t pos

    ctypedef struct ZSTD_outBuffer:
        void *dst
        size_t size
        size_t pos

    const char *ZSTD_versionString()
    unsigned ZSTD_isError(size_t code)
    const char *ZSTD_getErrorName(size_t code)
    int ZSTD_minCLevel()
    int ZSTD_maxCLevel()
    size_t ZSTD_compressBound(size_t srcSize)
    unsigned long long ZSTD_getFrameContentSize(const void *src, size_t srcSize)
    size_t ZSTD_findFrameCompressedSize(const void *src, size_t srcSize)

    ZSTD_CCtx *ZSTD_createCCtx()
    size_t ZSTD_freeCCtx(ZSTD_CCtx *cctx)
    size_t ZSTD_CCtx_reset(ZSTD_CCtx *cctx, ZSTD_ResetDirective reset)
    size_t ZSTD_CCtx_setParameter(ZSTD_CCtx *cctx, ZSTD_cParameter param, int value)
    size_t ZSTD_compress2(
        ZSTD_CCtx *cctx, void *dst, size_t dstCapacity,
        const void *src, size_t srcSize
    )

    ZSTD_DCtx *ZSTD_createDCtx()
    size_t ZSTD_freeDCtx(ZSTD_DCtx *dctx)
    size_t ZSTD_decompressDCtx(
        ZSTD_DCtx *dctx, void *dst, size_t dstCapacity,
        const void *src, size_t srcSize
    )
    size_t ZSTD_decompressStream(
        ZSTD_DCtx *zds, ZSTD_outBuffer *output, ZSTD_inBuffer *input
    )

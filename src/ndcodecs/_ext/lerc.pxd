# Declarations of liblerc's C API (Lerc_c_api.h) used by _lerc.pyx.


cdef extern from 'Lerc_c_api.h' nogil:
    int LERC_VERSION_MAJOR
    int LERC_VERSION_MINOR
    int LERC_VERSION_PATCH

    ctypedef unsigned int lerc_status

    lerc_status lerc_computeCompressedSizeForVersion(
        const void *pData, int codecVersion, unsigned int dataType, int nDepth,
        int nCols, int nRows, int nBands, int nMasks,
        const unsigned char *pValidBytes, double maxZErr, unsigned int *numBytes)

    lerc_status lerc_encodeForVersion(
        const void *pData, int codecVersion, unsigned int dataType, int nDepth,
        int nCols, int nRows, int nBands, int nMasks,
        const unsigned char *pValidBytes, double maxZErr,
        unsigned char *pOutBuffer, unsigned int outBufferSize,
        unsigned int *nBytesWritten)

    lerc_status lerc_getBlobInfo(
        const unsigned char *pLercBlob, unsigned int blobSize,
        unsigned int *infoArray, double *dataRangeArray,
        int infoArraySize, int dataRangeArraySize)

    lerc_status c_lerc_decode "lerc_decode"(
        const unsigned char *pLercBlob, unsigned int blobSize, int nMasks,
        unsigned char *pValidBytes, int nDepth, int nCols, int nRows,
        int nBands, unsigned int dataType, void *pData)

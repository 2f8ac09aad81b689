# Declarations from giflib's gif_lib.h used by _gif.pyx.

from libc.stdint cimport uint8_t


cdef extern from 'gif_lib.h' nogil:
    int GIFLIB_MAJOR
    int GIFLIB_MINOR
    int GIFLIB_RELEASE
    int GIF_OK
    int GIF_ERROR
    int GRAPHICS_EXT_FUNC_CODE

    ctypedef uint8_t GifByteType
    ctypedef uint8_t GifPixelType
    ctypedef int GifWord

    ctypedef struct GifColorType:
        GifByteType Red
        GifByteType Green
        GifByteType Blue

    ctypedef struct ColorMapObject:
        int ColorCount
        int BitsPerPixel
        bint SortFlag
        GifColorType *Colors

    ctypedef struct GifImageDesc:
        GifWord Left
        GifWord Top
        GifWord Width
        GifWord Height
        bint Interlace
        ColorMapObject *ColorMap

    ctypedef struct GifFileType:
        GifWord SWidth
        GifWord SHeight
        ColorMapObject *SColorMap
        GifImageDesc Image
        int Error
        void *UserData

    ctypedef enum GifRecordType:
        IMAGE_DESC_RECORD_TYPE
        EXTENSION_RECORD_TYPE
        TERMINATE_RECORD_TYPE

    ctypedef int (*InputFunc)(GifFileType *gif, GifByteType *buf, int size) noexcept nogil
    ctypedef int (*OutputFunc)(GifFileType *gif, const GifByteType *buf, int size) noexcept nogil

    GifFileType *DGifOpen(void *userPtr, InputFunc readFunc, int *Error)
    int DGifCloseFile(GifFileType *GifFile, int *ErrorCode)
    int DGifGetRecordType(GifFileType *GifFile, GifRecordType *GifType)
    int DGifGetImageDesc(GifFileType *GifFile)
    int DGifGetExtension(GifFileType *GifFile, int *GifExtCode, GifByteType **GifExtension)
    int DGifGetExtensionNext(GifFileType *GifFile, GifByteType **GifExtension)
    int DGifGetCode(GifFileType *GifFile, int *GifCodeSize, GifByteType **GifCodeBlock)
    int DGifGetCodeNext(GifFileType *GifFile, GifByteType **GifCodeBlock)

    GifFileType *EGifOpen(void *userPtr, OutputFunc writeFunc, int *Error)
    int EGifCloseFile(GifFileType *GifFile, int *ErrorCode)
    int EGifPutScreenDesc(GifFileType *GifFile, const int GifWidth, const int GifHeight, const int GifColorRes, const int GifBackGround, const ColorMapObject *GifColorMap)
    int EGifPutImageDesc(GifFileType *GifFile, const int GifLeft, const int GifTop, const int GifWidth, const int GifHeight, const bint GifInterlace, const ColorMapObject *GifColorMap)
    int EGifPutLine(GifFileType *GifFile, GifPixelType *GifLine, int GifLineLen)

    const char *GifErrorString(int ErrorCode)

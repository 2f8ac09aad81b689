# Declarations of libavif's C API (avif/avif.h) used by _avif.pyx.

from libc.stdint cimport uint8_t, uint16_t, uint32_t, uint64_t


cdef extern from 'avif/avif.h' nogil:
    ctypedef int avifBool
    int AVIF_TRUE
    int AVIF_FALSE

    int AVIF_QUANTIZER_LOSSLESS
    int AVIF_QUANTIZER_WORST_QUALITY

    ctypedef uint32_t avifPlanesFlags
    int AVIF_PLANES_YUV
    int AVIF_PLANES_A

    ctypedef enum avifResult:
        AVIF_RESULT_OK
        AVIF_RESULT_NO_CONTENT
        AVIF_RESULT_OUT_OF_MEMORY

    const char *avifVersion()
    void avifCodecVersions(char outBuffer[256])
    const char *avifResultToString(avifResult result)

    ctypedef struct avifRWData:
        uint8_t *data
        size_t size

    void avifRWDataFree(avifRWData *raw)

    ctypedef enum avifPixelFormat:
        AVIF_PIXEL_FORMAT_NONE
        AVIF_PIXEL_FORMAT_YUV444
        AVIF_PIXEL_FORMAT_YUV422
        AVIF_PIXEL_FORMAT_YUV420
        AVIF_PIXEL_FORMAT_YUV400

    ctypedef enum avifRange:
        AVIF_RANGE_LIMITED
        AVIF_RANGE_FULL

    ctypedef uint16_t avifMatrixCoefficients
    int AVIF_MATRIX_COEFFICIENTS_IDENTITY
    int AVIF_MATRIX_COEFFICIENTS_BT601

    ctypedef struct avifDiagnostics:
        char error[256]

    ctypedef struct avifImage:
        uint32_t width
        uint32_t height
        uint32_t depth
        avifPixelFormat yuvFormat
        avifRange yuvRange
        uint8_t *yuvPlanes[3]
        uint32_t yuvRowBytes[3]
        uint8_t *alphaPlane
        uint32_t alphaRowBytes
        uint16_t colorPrimaries
        uint16_t transferCharacteristics
        avifMatrixCoefficients matrixCoefficients

    avifImage *avifImageCreate(uint32_t width, uint32_t height, uint32_t depth, avifPixelFormat yuvFormat)
    void avifImageDestroy(avifImage *image)
    avifResult avifImageAllocatePlanes(avifImage *image, avifPlanesFlags planes)

    ctypedef enum avifRGBFormat:
        AVIF_RGB_FORMAT_RGB
        AVIF_RGB_FORMAT_RGBA

    ctypedef enum avifChromaUpsampling:
        AVIF_CHROMA_UPSAMPLING_AUTOMATIC
        AVIF_CHROMA_UPSAMPLING_FASTEST
        AVIF_CHROMA_UPSAMPLING_BEST_QUALITY
        AVIF_CHROMA_UPSAMPLING_NEAREST
        AVIF_CHROMA_UPSAMPLING_BILINEAR

    ctypedef struct avifRGBImage:
        uint32_t width
        uint32_t height
        uint32_t depth
        avifRGBFormat format
        avifChromaUpsampling chromaUpsampling
        avifBool ignoreAlpha
        uint8_t *pixels
        uint32_t rowBytes

    void avifRGBImageSetDefaults(avifRGBImage *rgb, const avifImage *image)
    avifResult avifImageRGBToYUV(avifImage *image, const avifRGBImage *rgb)
    avifResult avifImageYUVToRGB(const avifImage *image, avifRGBImage *rgb)

    ctypedef enum avifCodecChoice:
        AVIF_CODEC_CHOICE_AUTO
        AVIF_CODEC_CHOICE_AOM
        AVIF_CODEC_CHOICE_DAV1D
        AVIF_CODEC_CHOICE_LIBGAV1
        AVIF_CODEC_CHOICE_RAV1E
        AVIF_CODEC_CHOICE_SVT

    ctypedef uint32_t avifCodecFlags
    int AVIF_CODEC_FLAG_CAN_DECODE
    int AVIF_CODEC_FLAG_CAN_ENCODE

    const char *avifCodecName(avifCodecChoice choice, avifCodecFlags requiredFlags)

    ctypedef struct avifDecoder:
        avifCodecChoice codecChoice
        int maxThreads
        avifBool ignoreExif
        avifBool ignoreXMP
        uint32_t imageSizeLimit
        uint32_t imageDimensionLimit
        avifImage *image
        int imageIndex
        int imageCount
        avifBool alphaPresent
        avifDiagnostics diag

    avifDecoder *avifDecoderCreate()
    void avifDecoderDestroy(avifDecoder *decoder)
    avifResult avifDecoderSetIOMemory(avifDecoder *decoder, const uint8_t *data, size_t size)
    avifResult avifDecoderParse(avifDecoder *decoder)
    avifResult avifDecoderNextImage(avifDecoder *decoder)
    avifResult avifDecoderNthImage(avifDecoder *decoder, uint32_t frameIndex)

    ctypedef struct avifEncoder:
        avifCodecChoice codecChoice
        int maxThreads
        int speed
        int keyframeInterval
        uint64_t timescale
        int minQuantizer
        int maxQuantizer
        int minQuantizerAlpha
        int maxQuantizerAlpha
        int tileRowsLog2
        int tileColsLog2
        avifDiagnostics diag

    ctypedef uint32_t avifAddImageFlags
    int AVIF_ADD_IMAGE_FLAG_NONE
    int AVIF_ADD_IMAGE_FLAG_SINGLE

    avifEncoder *avifEncoderCreate()
    void avifEncoderDestroy(avifEncoder *encoder)
    avifResult avifEncoderAddImage(avifEncoder *encoder, const avifImage *image, uint64_t durationInTimescales, avifAddImageFlags addImageFlags)
    avifResult avifEncoderFinish(avifEncoder *encoder, avifRWData *output)

    void avifEncoderSetCodecSpecificOption(avifEncoder *encoder, const char *key, const char *value)

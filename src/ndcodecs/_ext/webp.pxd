# Declarations from libwebp's decode.h, encode.h, demux.h and mux.h used by
# _webp.pyx.

from libc.stdint cimport uint8_t, uint32_t


cdef extern from 'webp/decode.h' nogil:
    ctypedef enum WEBP_CSP_MODE:
        MODE_RGB
        MODE_RGBA

    ctypedef enum VP8StatusCode:
        VP8_STATUS_OK

    ctypedef struct WebPRGBABuffer:
        uint8_t *rgba
        int stride
        size_t size

    ctypedef union _WebPDecBufferUnion:
        WebPRGBABuffer RGBA

    ctypedef struct WebPDecBuffer:
        WEBP_CSP_MODE colorspace
        int width
        int height
        int is_external_memory
        _WebPDecBufferUnion u

    ctypedef struct WebPBitstreamFeatures:
        int width
        int height
        int has_alpha
        int has_animation
        int format

    ctypedef struct WebPDecoderOptions:
        int use_threads

    ctypedef struct WebPDecoderConfig:
        WebPBitstreamFeatures input
        WebPDecBuffer output
        WebPDecoderOptions options

    VP8StatusCode WebPGetFeatures(const uint8_t *data, size_t data_size, WebPBitstreamFeatures *features)
    int WebPInitDecoderConfig(WebPDecoderConfig *config)
    VP8StatusCode WebPDecode(const uint8_t *data, size_t data_size, WebPDecoderConfig *config)


cdef extern from 'webp/encode.h' nogil:
    int WEBP_MAX_DIMENSION

    ctypedef struct WebPConfig:
        int lossless
        float quality
        int method
        int thread_level
        int exact

    ctypedef struct WebPMemoryWriter:
        uint8_t *mem
        size_t size

    ctypedef int (*WebPWriterFunction)(const uint8_t *data, size_t data_size, const WebPPicture *picture) noexcept nogil

    ctypedef struct WebPPicture:
        int use_argb
        int width
        int height
        WebPWriterFunction writer
        void *custom_ptr
        int error_code  # a WebPEncodingError

    int WebPGetEncoderVersion()
    int WebPConfigInit(WebPConfig *config)
    int WebPValidateConfig(const WebPConfig *config)
    int WebPPictureInit(WebPPicture *picture)
    void WebPPictureFree(WebPPicture *picture)
    int WebPPictureImportRGB(WebPPicture *picture, const uint8_t *rgb, int rgb_stride)
    int WebPPictureImportRGBA(WebPPicture *picture, const uint8_t *rgba, int rgba_stride)
    void WebPMemoryWriterInit(WebPMemoryWriter *writer)
    void WebPMemoryWriterClear(WebPMemoryWriter *writer)
    int WebPMemoryWrite(const uint8_t *data, size_t data_size, const WebPPicture *picture)
    int WebPEncode(const WebPConfig *config, WebPPicture *picture)


cdef extern from 'webp/mux_types.h' nogil:
    ctypedef struct WebPData:
        const uint8_t *bytes
        size_t size

    void WebPDataInit(WebPData *webp_data)
    void WebPDataClear(WebPData *webp_data)


cdef extern from 'webp/demux.h' nogil:
    ctypedef struct WebPDemuxer:
        pass

    ctypedef enum WebPFormatFeature:
        WEBP_FF_CANVAS_WIDTH
        WEBP_FF_CANVAS_HEIGHT
        WEBP_FF_FRAME_COUNT

    WebPDemuxer *WebPDemux(const WebPData *data)
    void WebPDemuxDelete(WebPDemuxer *dmux)
    uint32_t WebPDemuxGetI(const WebPDemuxer *dmux, WebPFormatFeature feature)

    ctypedef struct WebPAnimDecoder:
        pass

    ctypedef struct WebPAnimDecoderOptions:
        WEBP_CSP_MODE color_mode
        int use_threads

    int WebPAnimDecoderOptionsInit(WebPAnimDecoderOptions *dec_options)
    WebPAnimDecoder *WebPAnimDecoderNew(const WebPData *webp_data, const WebPAnimDecoderOptions *dec_options)
    int WebPAnimDecoderGetNext(WebPAnimDecoder *dec, uint8_t **buf, int *timestamp)
    void WebPAnimDecoderDelete(WebPAnimDecoder *dec)


cdef extern from 'webp/mux.h' nogil:
    ctypedef struct WebPAnimEncoder:
        pass

    ctypedef struct WebPAnimEncoderOptions:
        pass

    int WebPAnimEncoderOptionsInit(WebPAnimEncoderOptions *enc_options)
    WebPAnimEncoder *WebPAnimEncoderNew(int width, int height, const WebPAnimEncoderOptions *enc_options)
    int WebPAnimEncoderAdd(WebPAnimEncoder *enc, WebPPicture *frame, int timestamp_ms, const WebPConfig *config)
    int WebPAnimEncoderAssemble(WebPAnimEncoder *enc, WebPData *webp_data)
    const char *WebPAnimEncoderGetError(WebPAnimEncoder *enc)
    void WebPAnimEncoderDelete(WebPAnimEncoder *enc)

# Declarations of c/jxr_shim.h, our interface to jxrlib, used by _jpegxr.pyx.

from libc.stdint cimport uint8_t, uint32_t


cdef extern from 'jxr_shim.h' nogil:
    ctypedef struct ndc_jxr_format:
        const char *name
        int samples
        int stored
        int itemsize
        char kind
        int fraction
        int bgr
        int alpha

    ctypedef struct ndc_jxr_request:
        uint32_t width, height
        int format
        size_t stride
        long err

    void *ndc_jxr_serve_request(void *head, const uint8_t *body, size_t size, size_t *replysize) noexcept
    const ndc_jxr_format *ndc_jxr_format_at(int index)
    int ndc_jxr_format_find(const char *name)
    long ndc_jxr_info(const uint8_t *src, size_t size, uint32_t *width, uint32_t *height, int *format)
    long ndc_jxr_decode(
        const uint8_t *src, size_t size, uint32_t width, uint32_t height, int format,
        uint8_t *dst, size_t stride, int *detail
    )
    long ndc_jxr_encode(
        const uint8_t *src, uint32_t width, uint32_t height, size_t stride,
        int format, double quality, float resx, float resy,
        uint8_t *dst, size_t dstsize, size_t *used
    )

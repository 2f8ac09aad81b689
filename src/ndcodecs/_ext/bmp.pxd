# Declarations of our BMP codec, c/bmp.h.

from libc.stdint cimport int32_t, uint8_t, uint32_t

from ._shared cimport ssize_t


cdef extern from 'bmp.h' nogil:
    int NDC_ERR_CORRUPT
    int NDC_ERR_OUTPUT
    int NDC_ERR_MEMORY

    int NDC_BMP_BITFIELDS
    int NDC_BMP_ALPHABITFIELDS
    int NDC_BMP_OUT_INDEX
    int NDC_BMP_OUT_RED
    int NDC_BMP_OUT_RGB
    int NDC_BMP_OUT_RGBA

    ctypedef struct ndc_bmp_info:
        uint32_t width
        uint32_t height
        int topdown
        int bpp
        int compression
        int header_size
        uint32_t masks[4]
        int ncolors
        int gray
        size_t offset

    int ndc_bmp_read_header(const uint8_t *src, size_t srcsize, ndc_bmp_info *info)
    ssize_t ndc_bmp_decode(const uint8_t *src, size_t srcsize, const ndc_bmp_info *info, int mode, uint8_t *dst, size_t dstsize)
    size_t ndc_bmp_encoded_size(uint32_t width, uint32_t height, int samples)
    ssize_t ndc_bmp_encode(const uint8_t *src, uint32_t width, uint32_t height, int samples, int32_t ppm, uint8_t *dst, size_t dstsize)

# Declarations of our QOI codec, c/qoi.h.

from libc.stdint cimport uint8_t, uint32_t

from ._shared cimport ssize_t


cdef extern from 'qoi.h' nogil:
    int NDC_ERR_CORRUPT
    int NDC_ERR_OUTPUT

    ctypedef struct ndc_qoi_info:
        uint32_t width
        uint32_t height
        int channels
        int colorspace

    int ndc_qoi_read_header(const uint8_t *src, size_t srcsize, ndc_qoi_info *info)
    ssize_t ndc_qoi_decode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize)
    size_t ndc_qoi_encode_bound(uint32_t width, uint32_t height, int channels)
    ssize_t ndc_qoi_encode(const uint8_t *src, uint32_t width, uint32_t height, int channels, int colorspace, uint8_t *dst, size_t dstsize)

# Declarations of our Radiance RGBE codec, c/rgbe.h.

from libc.stdint cimport uint8_t

from ._shared cimport ssize_t


cdef extern from 'rgbe.h' nogil:
    int NDC_ERR_CORRUPT
    int NDC_ERR_OUTPUT
    int NDC_ERR_MEMORY

    ssize_t ndc_rgbe_decode(const uint8_t *src, size_t srcsize, size_t width, size_t height, int rle, float *dst)
    size_t ndc_rgbe_encode_bound(size_t width, size_t height)
    ssize_t ndc_rgbe_encode(const float *src, size_t width, size_t height, int rle, uint8_t *dst, size_t dstsize)

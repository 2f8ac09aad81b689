# Declarations of our Rice (FITS RICE_1) codec, c/rcomp.h.

from libc.stdint cimport uint8_t

from ._shared cimport ssize_t


cdef extern from 'rcomp.h' nogil:
    size_t ndc_rcomp_encode_bound(size_t n, int bpp, size_t nblock)
    ssize_t ndc_rcomp_encode(const void *src, size_t n, int bpp, size_t nblock, uint8_t *dst, size_t dstsize)
    ssize_t ndc_rcomp_decode(const uint8_t *src, size_t srcsize, void *dst, size_t n, int bpp, size_t nblock)
    int NDC_ERR_CORRUPT
    int NDC_ERR_OUTPUT

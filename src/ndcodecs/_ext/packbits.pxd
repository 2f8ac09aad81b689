# Declarations of our PackBits codec, c/packbits.h.

from libc.stdint cimport uint8_t

from ._shared cimport ssize_t


cdef extern from 'packbits.h' nogil:
    ssize_t ndc_packbits_decoded_size(const uint8_t *src, size_t srcsize, size_t limit)
    ssize_t ndc_packbits_decode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize)
    size_t ndc_packbits_encode_bound(size_t srcsize)
    ssize_t ndc_packbits_encode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize)

# Declarations of our TIFF LZW codec, c/lzw.h.

from libc.stdint cimport uint8_t

from ._shared cimport ssize_t


cdef extern from 'lzw.h' nogil:
    ssize_t ndc_lzw_decoded_size(const uint8_t *src, size_t srcsize, size_t limit)
    ssize_t ndc_lzw_decode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize)
    size_t ndc_lzw_encode_bound(size_t srcsize)
    ssize_t ndc_lzw_encode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize)

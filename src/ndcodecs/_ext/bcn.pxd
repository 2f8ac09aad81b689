# Declarations of our block compression (BCn) decoders, c/bcn.h.

from libc.stdint cimport uint8_t

from ._shared cimport ssize_t


cdef extern from 'bcn.h' nogil:
    size_t ndc_bcn_block_size(int format)
    int ndc_bcn_samples(int format)
    int ndc_bcn_itemsize(int format)
    size_t ndc_bcn_encoded_size(int format, size_t frames, size_t height, size_t width)
    ssize_t ndc_bcn_decode(
        int format, const uint8_t *src, size_t srcsize, uint8_t *dst,
        size_t dstsize, size_t frames, size_t height, size_t width, int simd)

# Declarations of our number-format filters, c/numformats.h.

from libc.stdint cimport uint8_t, uint16_t, uint32_t

from ._shared cimport ssize_t


cdef extern from 'numformats.h' nogil:
    void ndc_bitorder_reverse(const uint8_t *src, uint8_t *dst, size_t n)
    void ndc_bfloat16_encode(const uint32_t *src, uint8_t *dst, size_t n, int rounding, int swap)
    void ndc_bfloat16_decode(const uint8_t *src, uint32_t *dst, size_t n, int swap)
    void ndc_float24_encode(const uint32_t *src, uint8_t *dst, size_t n, int rounding, int bigendian)
    void ndc_float24_decode(const uint8_t *src, uint32_t *dst, size_t n, int bigendian)
    ssize_t ndc_packints_decode(const uint8_t *src, size_t srcsize, void *dst, size_t nsamples, int bps, size_t runlen, int itemsize)
    size_t ndc_packints_decoded_count(size_t srcsize, int bps, size_t runlen)
    size_t ndc_packints_encoded_size(size_t nsamples, int bps, size_t runlen)
    ssize_t ndc_packints_encode(const void *src, size_t nsamples, uint8_t *dst, size_t dstsize, int bps, size_t runlen, int itemsize)
    ssize_t ndc_packints_decode_lsb(const uint8_t *src, size_t srcsize, uint16_t *dst, size_t nsamples, int bps)
    ssize_t ndc_packints_encode_lsb(const uint16_t *src, size_t nsamples, uint8_t *dst, size_t dstsize, int bps)
    ssize_t ndc_packints_decode_paired(const uint8_t *src, size_t srcsize, uint16_t *dst, size_t nsamples, int bps)
    ssize_t ndc_packints_encode_paired(const uint16_t *src, size_t nsamples, uint8_t *dst, size_t dstsize, int bps)

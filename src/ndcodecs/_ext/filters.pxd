# Declarations of our array filters, c/filters.h.

cdef extern from 'filters.h' nogil:
    int ndc_delta(void *dst, const void *src, size_t outer, size_t n, size_t inner, size_t dist, int itemsize, int swap, int decode)
    int ndc_xor(void *dst, const void *src, size_t outer, size_t n, size_t inner, size_t dist, int itemsize, int decode)
    int ndc_byteshuffle(void *dst, const void *src, size_t outer, size_t n, int itemsize, size_t dist, int delta, int reverse, int decode)

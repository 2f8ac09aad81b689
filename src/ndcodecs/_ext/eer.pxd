# Declarations of our Thermo Fisher EER decoder, c/eer.h.

from libc.stdint cimport uint8_t

from ._shared cimport ssize_t


cdef extern from 'eer.h' nogil:
    ssize_t ndc_eer_decode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t height, size_t width, int skipbits, int horzbits, int vertbits, int superres)

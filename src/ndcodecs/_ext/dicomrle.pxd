# Declarations of our DICOM RLE decoder, c/dicomrle.h.

from libc.stdint cimport uint8_t

from ._shared cimport ssize_t


cdef extern from 'dicomrle.h' nogil:
    int NDC_ERR_CORRUPT
    int NDC_ERR_OUTPUT
    int NDC_ERR_MEMORY

    ssize_t ndc_dicomrle_decoded_size(const uint8_t *src, size_t srcsize, int itemsize, size_t limit)
    ssize_t ndc_dicomrle_decode(const uint8_t *src, size_t srcsize, int itemsize, int bigendian, uint8_t *dst, size_t dstsize)

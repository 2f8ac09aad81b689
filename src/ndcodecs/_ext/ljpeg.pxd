# Declarations from our lossless JPEG codec (c/ljpeg.h), used by _ljpeg.pyx.

from libc.stdint cimport uint8_t, uint16_t, uint32_t

from ._shared cimport ssize_t


cdef extern from 'ljpeg.h' nogil:
    ctypedef struct ndc_ljpeg_info:
        uint32_t width
        uint32_t height
        int components
        int precision

    ssize_t ndc_ljpeg_header(const uint8_t *src, size_t srcsize, ndc_ljpeg_info *info)
    size_t ndc_ljpeg_encode_bound(uint32_t width, uint32_t height, int components)
    ssize_t ndc_ljpeg_encode(
        const uint8_t *src, int itemsize, uint32_t width, uint32_t height,
        int components, int precision, int predictor, uint8_t *dst,
        size_t dstsize
    )
    ssize_t ndc_ljpeg_decode(
        const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize,
        int itemsize, const uint16_t *lut, size_t lutsize
    )

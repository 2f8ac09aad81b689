# Declarations from jpeglib.h and from our shim over it (c/jpeg8_shim.h),
# used by _jpeg8.pyx. libjpeg is only called through the shim, which keeps
# its setjmp/longjmp error handling in C.

from libc.stdint cimport uint8_t, uint32_t


cdef extern from 'jpeglib.h' nogil:
    ctypedef enum J_COLOR_SPACE:
        JCS_UNKNOWN
        JCS_GRAYSCALE
        JCS_RGB


cdef extern from 'jpeg8_shim.h' nogil:
    ctypedef struct ndc_jpeg8_info:
        int colorspace
        int outcolorspace
        size_t memlimit
        uint32_t width
        uint32_t height
        int components
        char message[256]

    ctypedef struct ndc_jpeg8_params:
        uint32_t width
        uint32_t height
        int components
        int incolorspace
        int jpegcolorspace
        int quality
        int hsamp
        int vsamp
        int optimize
        int progressive
        int smoothing
        int restartinterval
        char message[256]

    const char *ndc_jpeg8_version()

    ctypedef struct ndc_jpeg8_decoder:
        pass

    ndc_jpeg8_decoder *ndc_jpeg8_open(
        const uint8_t *tables, size_t tablessize, const uint8_t *src,
        size_t srcsize, ndc_jpeg8_info *info
    )
    int ndc_jpeg8_read(
        ndc_jpeg8_decoder *dec, uint8_t *dst, size_t dstsize, ndc_jpeg8_info *info
    )
    void ndc_jpeg8_close(ndc_jpeg8_decoder *dec)
    int ndc_jpeg8_encode(
        const uint8_t *src, uint8_t **dst, size_t *dstsize,
        ndc_jpeg8_params *params
    )

# Declarations of our OpenEXRCore wrapper (c/exr.h) used by _exr.pyx.

from libc.stdint cimport uint8_t, int32_t


cdef extern from 'openexr.h' nogil:
    ctypedef int32_t exr_result_t
    void exr_get_library_version(int *maj, int *min, int *patch, const char **extra)


cdef extern from 'exr.h' nogil:
    ctypedef struct ndc_exr_reader

    ctypedef struct ndc_exr_info:
        int32_t width
        int32_t height
        int32_t nchannels
        int32_t pixel_type
        int32_t tiled
        int32_t compression

    int ndc_exr_open(const uint8_t *data, size_t size, ndc_exr_reader **reader, ndc_exr_info *info, char *error, size_t errorsize)
    int ndc_exr_decode(ndc_exr_reader *reader, uint8_t *dst, char *error, size_t errorsize)
    void ndc_exr_close(ndc_exr_reader *reader)
    int ndc_exr_encode(const uint8_t *src, int32_t width, int32_t height, int32_t nchannels, int32_t pixel_type, int32_t compression, int32_t tile_w, int32_t tile_h, uint8_t **out, size_t *outsize, char *error, size_t errorsize)

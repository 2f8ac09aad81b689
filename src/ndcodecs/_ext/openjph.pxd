# Declarations of c/htj2k.h, our exception-free shim over OpenJPH's C++
# encoder API (ojph::codestream), used by _htj2k.pyx.

from libc.stdint cimport uint8_t, uint32_t


cdef extern from 'openjph/ojph_version.h':
    int OPENJPH_VERSION_MAJOR
    int OPENJPH_VERSION_MINOR
    int OPENJPH_VERSION_PATCH


cdef extern from 'htj2k.h' nogil:
    int NDC_HTJ2K_ERROR
    int NDC_HTJ2K_NOMEM

    ctypedef struct ndc_htj2k_params:
        uint32_t width
        uint32_t height
        uint32_t ncomps
        uint32_t bitdepth
        int is_signed
        int itemsize
        int planar
        int reversible
        float qstep
        uint32_t decompositions
        uint32_t tile_width
        uint32_t tile_height
        int color_transform
        uint32_t block_width
        uint32_t block_height
        const char *progression

    int ndc_htj2k_encode(const void *src, const ndc_htj2k_params *params, uint8_t **out, size_t *outsize, char *msg, size_t msgsize)
    void ndc_htj2k_free(void *ptr)
    void ndc_htj2k_init()

# Declarations of our bitshuffle codec, c/bitshuffle.h.

from libc.stdint cimport uint8_t

from ._shared cimport ssize_t


cdef extern from 'bitshuffle.h' nogil:
    int NDC_BSHUF_NONE
    int NDC_BSHUF_LZ4
    int NDC_BSHUF_ZSTD
    size_t ndc_bitshuffle_default_blocksize(size_t itemsize)
    ssize_t ndc_bitshuffle(const uint8_t *src, uint8_t *dst, size_t size, size_t itemsize, size_t blocksize, int inverse)
    size_t ndc_bshuf_compress_bound(size_t srcsize, size_t itemsize, size_t blocksize, int compression)
    ssize_t ndc_bshuf_compress(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize, size_t itemsize, size_t blocksize, int compression, int level)
    ssize_t ndc_bshuf_decompressed_size(const uint8_t *src, size_t srcsize, size_t itemsize, size_t limit)
    ssize_t ndc_bshuf_decompress(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize, size_t itemsize, int compression)


cdef extern from 'zstd.h' nogil:
    int ZSTD_minCLevel()
    int ZSTD_maxCLevel()

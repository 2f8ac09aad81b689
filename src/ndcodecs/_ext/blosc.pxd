# Declarations from blosc.h (c-blosc 1) used by _blosc.pyx.
# Only the context functions are used: they keep no global state.

cdef extern from 'blosc.h' nogil:
    const char *BLOSC_VERSION_STRING
    int BLOSC_VERSION_FORMAT
    int BLOSC_MIN_HEADER_LENGTH
    int BLOSC_MAX_OVERHEAD
    int BLOSC_MAX_BUFFERSIZE
    int BLOSC_MAX_TYPESIZE
    int BLOSC_MAX_BLOCKSIZE
    int BLOSC_MAX_THREADS

    int BLOSC_NOSHUFFLE
    int BLOSC_SHUFFLE
    int BLOSC_BITSHUFFLE

    int BLOSC_DOSHUFFLE
    int BLOSC_MEMCPYED
    int BLOSC_DOBITSHUFFLE

    int BLOSC_BLOSCLZ
    int BLOSC_LZ4
    int BLOSC_LZ4HC
    int BLOSC_SNAPPY
    int BLOSC_ZLIB
    int BLOSC_ZSTD

    int BLOSC_BLOSCLZ_FORMAT
    int BLOSC_LZ4_FORMAT
    int BLOSC_SNAPPY_FORMAT
    int BLOSC_ZLIB_FORMAT
    int BLOSC_ZSTD_FORMAT

    const char *blosc_list_compressors()

    int blosc_compress_ctx(
        int clevel, int doshuffle, size_t typesize, size_t nbytes,
        const void *src, void *dest, size_t destsize,
        const char *compressor, size_t blocksize, int numinternalthreads
    )
    int blosc_decompress_ctx(
        const void *src, void *dest, size_t destsize, int numinternalthreads
    )

# Declarations from zopfli/zopfli.h used by _zopfli.pyx.

cdef extern from 'zopfli/zopfli.h' nogil:
    ctypedef struct ZopfliOptions:
        int verbose
        int verbose_more
        int numiterations
        int blocksplitting
        int blocksplittinglast
        int blocksplittingmax

    ctypedef enum ZopfliFormat:
        ZOPFLI_FORMAT_GZIP
        ZOPFLI_FORMAT_ZLIB
        ZOPFLI_FORMAT_DEFLATE

    void ZopfliInitOptions(ZopfliOptions *options)
    void ZopfliCompress(
        const ZopfliOptions *options, ZopfliFormat output_type,
        const unsigned char *src, size_t insize,
        unsigned char **out, size_t *outsize
    )

# Declarations from zlib.h used by _zlib.pyx.

cdef extern from 'zlib.h' nogil:
    int Z_NO_FLUSH
    int Z_FINISH
    int Z_OK
    int Z_STREAM_END
    int Z_NEED_DICT
    int Z_ERRNO
    int Z_STREAM_ERROR
    int Z_DATA_ERROR
    int Z_MEM_ERROR
    int Z_BUF_ERROR
    int Z_VERSION_ERROR
    int Z_NO_COMPRESSION
    int Z_BEST_SPEED
    int Z_BEST_COMPRESSION
    int Z_DEFAULT_COMPRESSION
    int Z_FILTERED
    int Z_HUFFMAN_ONLY
    int Z_RLE
    int Z_FIXED
    int Z_DEFAULT_STRATEGY
    int Z_DEFLATED
    int MAX_WBITS
    int MAX_MEM_LEVEL

    ctypedef unsigned char Bytef
    ctypedef unsigned int uInt
    ctypedef unsigned long uLong
    ctypedef size_t z_size_t

    ctypedef struct z_stream:
        const Bytef *next_in
        uInt avail_in
        uLong total_in
        Bytef *next_out
        uInt avail_out
        uLong total_out
        const char *msg
        void *state
        void *zalloc
        void *zfree
        void *opaque

    const char *zlibVersion()
    const char *zError(int err)

    int deflateInit2(
        z_stream *strm, int level, int method, int windowBits, int memLevel,
        int strategy
    )
    int deflate(z_stream *strm, int flush)
    int deflateEnd(z_stream *strm)
    uLong deflateBound(z_stream *strm, uLong sourceLen)
    uLong compressBound(uLong sourceLen)

    int inflateInit2(z_stream *strm, int windowBits)
    int inflate(z_stream *strm, int flush)
    int inflateEnd(z_stream *strm)

    uLong crc32_z(uLong crc, const Bytef *buf, z_size_t len)
    uLong adler32_z(uLong adler, const Bytef *buf, z_size_t len)

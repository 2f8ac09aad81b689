# Declarations of libzfp (zfp.h, zfp/bitstream.h) used by _zfp.pyx.

from libc.stdint cimport uint64_t


cdef extern from 'zfp.h' nogil:
    ctypedef struct bitstream:
        pass

    int ZFP_HEADER_MAGIC
    int ZFP_HEADER_META
    int ZFP_HEADER_MODE
    int ZFP_HEADER_FULL
    int ZFP_HEADER_MAX_BITS
    const char *ZFP_VERSION_STRING
    const unsigned int zfp_codec_version
    const char *const zfp_version_string

    ctypedef int zfp_bool

    ctypedef enum zfp_exec_policy:
        zfp_exec_serial
        zfp_exec_omp
        zfp_exec_cuda

    ctypedef enum zfp_mode:
        zfp_mode_null
        zfp_mode_expert
        zfp_mode_fixed_rate
        zfp_mode_fixed_precision
        zfp_mode_fixed_accuracy
        zfp_mode_reversible

    ctypedef enum zfp_type:
        zfp_type_none
        zfp_type_int32
        zfp_type_int64
        zfp_type_float
        zfp_type_double

    ctypedef struct zfp_stream:
        unsigned int minbits
        unsigned int maxbits
        unsigned int maxprec
        int minexp

    ctypedef struct zfp_field:
        zfp_type type
        size_t nx, ny, nz, nw
        ptrdiff_t sx, sy, sz, sw
        void *data

    zfp_stream *zfp_stream_open(bitstream *stream)
    void zfp_stream_close(zfp_stream *stream)
    zfp_mode zfp_stream_compression_mode(const zfp_stream *stream)
    size_t zfp_stream_maximum_size(const zfp_stream *stream, const zfp_field *field)
    void zfp_stream_rewind(zfp_stream *stream)
    void zfp_stream_set_bit_stream(zfp_stream *stream, bitstream *bs)
    void zfp_stream_set_reversible(zfp_stream *stream)
    double zfp_stream_set_rate(zfp_stream *stream, double rate, zfp_type type, unsigned int dims, zfp_bool align)
    unsigned int zfp_stream_set_precision(zfp_stream *stream, unsigned int precision)
    double zfp_stream_set_accuracy(zfp_stream *stream, double tolerance)
    zfp_bool zfp_stream_set_params(zfp_stream *stream, unsigned int minbits, unsigned int maxbits, unsigned int maxprec, int minexp)
    zfp_bool zfp_stream_set_execution(zfp_stream *stream, zfp_exec_policy policy)
    zfp_bool zfp_stream_set_omp_threads(zfp_stream *stream, unsigned int threads)
    zfp_bool zfp_stream_set_omp_chunk_size(zfp_stream *stream, unsigned int chunk_size)

    zfp_field *zfp_field_alloc()
    void zfp_field_free(zfp_field *field)
    unsigned int zfp_field_dimensionality(const zfp_field *field)
    void zfp_field_set_pointer(zfp_field *field, void *pointer)
    zfp_type zfp_field_set_type(zfp_field *field, zfp_type type)
    void zfp_field_set_size_1d(zfp_field *field, size_t nx)
    void zfp_field_set_size_2d(zfp_field *field, size_t nx, size_t ny)
    void zfp_field_set_size_3d(zfp_field *field, size_t nx, size_t ny, size_t nz)
    void zfp_field_set_size_4d(zfp_field *field, size_t nx, size_t ny, size_t nz, size_t nw)
    void zfp_field_set_stride_4d(zfp_field *field, ptrdiff_t sx, ptrdiff_t sy, ptrdiff_t sz, ptrdiff_t sw)

    size_t zfp_compress(zfp_stream *stream, const zfp_field *field)
    size_t zfp_decompress(zfp_stream *stream, zfp_field *field)
    size_t zfp_write_header(zfp_stream *stream, const zfp_field *field, unsigned int mask)
    size_t zfp_read_header(zfp_stream *stream, zfp_field *field, unsigned int mask)


cdef extern from 'zfp/bitstream.h' nogil:
    bitstream *stream_open(void *buffer, size_t bytes)
    void stream_close(bitstream *stream)

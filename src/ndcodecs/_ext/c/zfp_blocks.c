/* Block-by-block zfp decoding that stops at the end of the input.

zfp's decoder reads its bit stream without bounds checks: in a corrupt
stream every block may claim up to maxbits bits, so the whole field may
read far more than the stream holds. Checking the position before each
block bounds any read to the input plus one block's maxbits. */

#include "zfp_blocks.h"

#include <stddef.h>
#include "zfp/bitstream.h"

#define MIN4(n, i) ((n) - (i) < 4 ? (n) - (i) : 4)

#define DEFINE_DECODE(T, S)                                                  \
static int64_t decode_##S(zfp_stream *zs, const zfp_field *f, uint64_t limit)\
{                                                                            \
    bitstream *bs = zfp_stream_bit_stream(zs);                              \
    uint64_t start = stream_rtell(bs);                                       \
    unsigned dims = zfp_field_dimensionality(f);                             \
    size_t nx = f->nx, ny = dims > 1 ? f->ny : 1;                            \
    size_t nz = dims > 2 ? f->nz : 1, nw = dims > 3 ? f->nw : 1;             \
    ptrdiff_t s[4] = {0, 0, 0, 0};                                           \
    size_t x, y, z, w;                                                       \
    T *data = (T *)f->data;                                                  \
    zfp_field_stride(f, s);                                                  \
    for (w = 0; w < nw; w += 4)                                              \
    for (z = 0; z < nz; z += 4)                                              \
    for (y = 0; y < ny; y += 4)                                              \
    for (x = 0; x < nx; x += 4) {                                            \
        T *p = data + (ptrdiff_t)x * s[0] + (ptrdiff_t)y * s[1]              \
                    + (ptrdiff_t)z * s[2] + (ptrdiff_t)w * s[3];             \
        size_t bx = MIN4(nx, x), by = MIN4(ny, y);                           \
        size_t bz = MIN4(nz, z), bw = MIN4(nw, w);                           \
        if (stream_rtell(bs) >= limit)                                       \
            return -1;                                                       \
        switch (dims) {                                                      \
        case 1:                                                              \
            if (bx == 4) zfp_decode_block_strided_##S##_1(zs, p, s[0]);      \
            else zfp_decode_partial_block_strided_##S##_1(zs, p, bx, s[0]);  \
            break;                                                           \
        case 2:                                                              \
            if (bx == 4 && by == 4)                                          \
                zfp_decode_block_strided_##S##_2(zs, p, s[0], s[1]);         \
            else zfp_decode_partial_block_strided_##S##_2(                   \
                zs, p, bx, by, s[0], s[1]);                                  \
            break;                                                           \
        case 3:                                                              \
            if (bx == 4 && by == 4 && bz == 4)                               \
                zfp_decode_block_strided_##S##_3(zs, p, s[0], s[1], s[2]);   \
            else zfp_decode_partial_block_strided_##S##_3(                   \
                zs, p, bx, by, bz, s[0], s[1], s[2]);                        \
            break;                                                           \
        default:                                                             \
            if (bx == 4 && by == 4 && bz == 4 && bw == 4)                    \
                zfp_decode_block_strided_##S##_4(                            \
                    zs, p, s[0], s[1], s[2], s[3]);                          \
            else zfp_decode_partial_block_strided_##S##_4(                   \
                zs, p, bx, by, bz, bw, s[0], s[1], s[2], s[3]);              \
            break;                                                           \
        }                                                                    \
    }                                                                        \
    return (int64_t)(stream_rtell(bs) - start);                              \
}

DEFINE_DECODE(int32, int32)
DEFINE_DECODE(int64, int64)
DEFINE_DECODE(float, float)
DEFINE_DECODE(double, double)

int64_t ndc_zfp_decode_blocks(zfp_stream *stream, const zfp_field *field, uint64_t limit)
{
    unsigned dims = zfp_field_dimensionality(field);
    if (dims < 1 || dims > 4)
        return -1;
    switch (zfp_field_type(field)) {
    case zfp_type_int32: return decode_int32(stream, field, limit);
    case zfp_type_int64: return decode_int64(stream, field, limit);
    case zfp_type_float: return decode_float(stream, field, limit);
    case zfp_type_double: return decode_double(stream, field, limit);
    default: return -1;
    }
}

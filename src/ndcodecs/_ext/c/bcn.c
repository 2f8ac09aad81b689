/* Block compression decoders; see bcn.h. Each block is decoded straight
   into the output rows: indices come from one 64-bit load, palettes are
   computed once per block, and BC6H/BC7 indices are widened to a fixed
   number of bits per pixel so that the pixel loops carry no anchor tests.
   Blocks on the image's right or bottom edge decode into a small pixel
   array whose visible part is copied, so that images of any size decode
   without reading or writing out of bounds. */

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "bcn.h"

#if defined(__GNUC__)
#define ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE static inline
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define FROM_LE64(v) __builtin_bswap64(v)
#define FROM_LE32(v) __builtin_bswap32(v)
#define FROM_LE16(v) __builtin_bswap16(v)
#else
#define FROM_LE64(v) (v)
#define FROM_LE32(v) (v)
#define FROM_LE16(v) (v)
#endif

static inline uint64_t le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return FROM_LE64(v);
}

static inline uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t le32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return FROM_LE32(v);
}

static inline void put64(uint8_t *p, uint64_t v)
{
    v = FROM_LE64(v);
    memcpy(p, &v, 8);
}

static inline void put32(uint8_t *p, uint32_t v)
{
    v = FROM_LE32(v);
    memcpy(p, &v, 4);
}

static inline void put16(uint8_t *p, uint16_t v)
{
    v = FROM_LE16(v);
    memcpy(p, &v, 2);
}

/* Subset of each pixel (bit i) in the 64 two-subset partitions of BC6H/BC7. */
static const uint16_t P2[64] = {
    0xcccc, 0x8888, 0xeeee, 0xecc8, 0xc880, 0xfeec, 0xfec8, 0xec80,
    0xc800, 0xffec, 0xfe80, 0xe800, 0xffe8, 0xff00, 0xfff0, 0xf000,
    0xf710, 0x008e, 0x7100, 0x08ce, 0x008c, 0x7310, 0x3100, 0x8cce,
    0x088c, 0x3110, 0x6666, 0x366c, 0x17e8, 0x0ff0, 0x718e, 0x399c,
    0xaaaa, 0xf0f0, 0x5a5a, 0x33cc, 0x3c3c, 0x55aa, 0x9696, 0xa55a,
    0x73ce, 0x13c8, 0x324c, 0x3bdc, 0x6996, 0xc33c, 0x9966, 0x0660,
    0x0272, 0x04e4, 0x4e40, 0x2720, 0xc936, 0x936c, 0x39c6, 0x639c,
    0x9336, 0x9cc6, 0x817e, 0xe718, 0xccf0, 0x0fcc, 0x7744, 0xee22,
};

/* Subset of each pixel (bits 2i, 2i+1) in the 64 three-subset partitions. */
static const uint32_t P3[64] = {
    0xaa685050, 0x6a5a5040, 0x5a5a4200, 0x5450a0a8, 0xa5a50000, 0xa0a05050, 0x5555a0a0, 0x5a5a5050,
    0xaa550000, 0xaa555500, 0xaaaa5500, 0x90909090, 0x94949494, 0xa4a4a4a4, 0xa9a59450, 0x2a0a4250,
    0xa5945040, 0x0a425054, 0xa5a5a500, 0x55a0a0a0, 0xa8a85454, 0x6a6a4040, 0xa4a45000, 0x1a1a0500,
    0x0050a4a4, 0xaaa59090, 0x14696914, 0x69691400, 0xa08585a0, 0xaa821414, 0x50a4a450, 0x6a5a0200,
    0xa9a58000, 0x5090a0a8, 0xa8a09050, 0x24242424, 0x00aa5500, 0x24924924, 0x24499224, 0x50a50a50,
    0x500aa550, 0xaaaa4444, 0x66660000, 0xa5a0a5a0, 0x50a050a0, 0x69286928, 0x44aaaa44, 0x66666600,
    0xaa444444, 0x54a854a8, 0x95809580, 0x96969600, 0xa85454a8, 0x80959580, 0xaa141414, 0x96960000,
    0xaaaa1414, 0xa05050a0, 0xa0a5a5a0, 0x96000000, 0x40804080, 0xa9a8a9a8, 0xaaaaaa44, 0x2a4a5254,
};

/* Anchor pixel of the second subset of two-subset partitions. */
static const uint8_t A2[64] = {
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
    15, 2, 8, 2, 2, 8, 8, 15, 2, 8, 2, 2, 8, 8, 2, 2,
    15, 15, 6, 8, 2, 8, 15, 15, 2, 8, 2, 2, 2, 15, 15, 6,
    6, 2, 6, 8, 15, 15, 2, 2, 15, 15, 15, 15, 15, 2, 2, 15,
};

/* Anchor pixels of the second and third subsets of three-subset partitions. */
static const uint8_t A3[2][64] = {
    {
        3, 3, 15, 15, 8, 3, 15, 15, 8, 8, 6, 6, 6, 5, 3, 3,
        3, 3, 8, 15, 3, 3, 6, 10, 5, 8, 8, 6, 8, 5, 15, 15,
        8, 15, 3, 5, 6, 10, 8, 15, 15, 3, 15, 5, 15, 15, 15, 15,
        3, 15, 5, 5, 5, 8, 5, 10, 5, 10, 8, 13, 15, 12, 3, 3,
    },
    {
        15, 8, 8, 3, 15, 15, 3, 8, 15, 15, 15, 15, 15, 15, 15, 8,
        15, 8, 15, 3, 15, 8, 15, 8, 3, 15, 6, 10, 15, 15, 10, 8,
        15, 3, 15, 10, 10, 8, 9, 10, 6, 15, 8, 15, 3, 6, 6, 8,
        15, 3, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 3, 15, 15, 8,
    },
};

/* Interpolation weights (of 64) for 2, 3 and 4-bit indices of BC6H/BC7. */
static const uint8_t W2[4] = {0, 21, 43, 64};
static const uint8_t W3[8] = {0, 9, 18, 27, 37, 46, 55, 64};
static const uint8_t W4[16] = {0, 4, 9, 13, 17, 21, 26, 30, 34, 38, 43, 47, 51, 55, 60, 64};

static const uint8_t *weights(unsigned bits)
{
    return bits == 2 ? W2 : bits == 3 ? W3 : W4;
}

/* A 128-bit block read LSB first; past bit 127 reads zeros. */
typedef struct {
    uint64_t lo, hi;
} bits128;

static inline void bits_init(bits128 *b, const uint8_t *src)
{
    b->lo = le64(src);
    b->hi = le64(src + 8);
}

/* The next n (<= 63) bits. */
static inline uint64_t bits_get(bits128 *b, unsigned n)
{
    uint64_t v = b->lo & ((1ull << n) - 1);
    /* (hi << 1) << (63 - n) is hi << (64 - n), defined also for n = 0 */
    b->lo = (b->lo >> n) | ((b->hi << 1) << (63 - n));
    b->hi >>= n;
    return v;
}

/* Skip n (< 128) bits. */
static inline void bits_skip(bits128 *b, unsigned n)
{
    if (n >= 64) {
        b->lo = b->hi >> (n - 64);
        b->hi = 0;
    } else {
        bits_get(b, n);
    }
}

/* Insert a zero bit at bit `pos`: widens an anchor pixel's index. */
static inline uint64_t insert_zero(uint64_t v, unsigned pos)
{
    uint64_t low = v & ((1ull << pos) - 1);
    return low | ((v ^ low) << 1);
}

/* Bit i of a 16-bit mask moved to bit 2i. */
static inline uint32_t spread16(uint32_t v)
{
    v = (v | (v << 8)) & 0x00ff00ffu;
    v = (v | (v << 4)) & 0x0f0f0f0fu;
    v = (v | (v << 2)) & 0x33333333u;
    v = (v | (v << 1)) & 0x55555555u;
    return v;
}

/* BC1 colors as 0xAABBGGRR with alpha 0; `four` is set if the block uses
   four colors (always for BC2 and BC3). Endpoints expand to
   round(v * 255 / 31) (or / 63); the interpolated colors are fixed-point
   forms of the exact thirds and halves, rounded as imagecodecs (bcdec)
   rounds them, so that both decode bit-identically. Both forms of the
   third color are computed and one selected: random data would make a
   branch mispredict half the time. */
ALWAYS_INLINE uint32_t bc1_palette(const uint8_t *src, uint32_t pal[4], int opaque)
{
    uint32_t c0 = (uint32_t)src[0] | ((uint32_t)src[1] << 8);
    uint32_t c1 = (uint32_t)src[2] | ((uint32_t)src[3] << 8);
    uint32_t r0 = c0 >> 11, g0 = (c0 >> 5) & 63, b0 = c0 & 31;
    uint32_t r1 = c1 >> 11, g1 = (c1 >> 5) & 63, b1 = c1 & 31;
    uint32_t four = -(uint32_t)(opaque || c0 > c1);
    uint32_t thirds, thirds2, half;
    pal[0] = ((r0 * 527 + 23) >> 6) | (((g0 * 259 + 33) >> 6) << 8) | (((b0 * 527 + 23) >> 6) << 16);
    pal[1] = ((r1 * 527 + 23) >> 6) | (((g1 * 259 + 33) >> 6) << 8) | (((b1 * 527 + 23) >> 6) << 16);
    thirds = (((2 * r0 + r1) * 351 + 61) >> 7) | ((((2 * g0 + g1) * 2763 + 1039) >> 11) << 8) |
             ((((2 * b0 + b1) * 351 + 61) >> 7) << 16);
    thirds2 = (((r0 + 2 * r1) * 351 + 61) >> 7) | ((((g0 + 2 * g1) * 2763 + 1039) >> 11) << 8) |
              ((((b0 + 2 * b1) * 351 + 61) >> 7) << 16);
    half = (((r0 + r1) * 1053 + 128) >> 8) | ((((g0 + g1) * 4145 + 1019) >> 11) << 8) |
           ((((b0 + b1) * 1053 + 128) >> 8) << 16);
    pal[2] = (thirds & four) | (half & ~four);
    pal[3] = thirds2 & four;
    return four;
}

/* Blocks are written to rows `stride` bytes apart. */
ALWAYS_INLINE void bc1_block(const uint8_t *src, uint8_t *out, size_t stride)
{
    uint32_t pal[4];
    uint32_t idx = le32(src + 4);
    int y;
    /* the fourth color is opaque, or transparent black in three-color blocks */
    uint32_t four = bc1_palette(src, pal, 0);
    pal[3] |= four & 0xff000000u;
    pal[0] |= 0xff000000u;
    pal[1] |= 0xff000000u;
    pal[2] |= 0xff000000u;
    for (y = 0; y < 4; y++, out += stride, idx >>= 8) {
        put32(out, pal[idx & 3]);
        put32(out + 4, pal[(idx >> 2) & 3]);
        put32(out + 8, pal[(idx >> 4) & 3]);
        put32(out + 12, pal[(idx >> 6) & 3]);
    }
}

ALWAYS_INLINE void bc2_block(const uint8_t *src, uint8_t *out, size_t stride)
{
    uint32_t pal[4];
    uint64_t alpha = le64(src);
    uint32_t idx = le32(src + 12);
    int i;
    bc1_palette(src + 8, pal, 1);
    for (i = 0; i < 16; i++, idx >>= 2, alpha >>= 4)
        put32(out + (i >> 2) * stride + (i & 3) * 4, pal[idx & 3] | ((uint32_t)(alpha & 15) * 17) << 24);
}

/* The eight values of a BC3 alpha or BC4 channel block, as the bytes of a
   64-bit word. The (8 - k) * a0 + (k - 1) * a1 sums of both modes are
   formed in eight 16-bit lanes and divided exactly: x / 7 is
   (x * 9363) >> 16 for x <= 1785, x / 5 is (x * 13108) >> 16 for x <= 1275.
   Computing both modes and selecting one avoids a branch that random data
   mispredicts half the time. */
#if defined(__SSE2__)
/* The palette in the low 8 bytes of a vector. */
ALWAYS_INLINE __m128i bc4_palette_sse2(const uint8_t *src)
{
    const __m128i k7a = _mm_setr_epi16(7, 0, 6, 5, 4, 3, 2, 1), k7b = _mm_setr_epi16(0, 7, 1, 2, 3, 4, 5, 6);
    const __m128i k5a = _mm_setr_epi16(5, 0, 4, 3, 2, 1, 0, 0), k5b = _mm_setr_epi16(0, 5, 1, 2, 3, 4, 0, 0);
    const __m128i ends = _mm_setr_epi16(0, 0, 0, 0, 0, 0, 0, 255);
    __m128i a0 = _mm_set1_epi16(src[0]), a1 = _mm_set1_epi16(src[1]);
    __m128i p7 = _mm_add_epi16(_mm_mullo_epi16(a0, k7a), _mm_mullo_epi16(a1, k7b));
    __m128i p5 = _mm_add_epi16(_mm_mullo_epi16(a0, k5a), _mm_mullo_epi16(a1, k5b));
    __m128i sel = _mm_cmpgt_epi16(a0, a1);
    p7 = _mm_mulhi_epu16(p7, _mm_set1_epi16(9363));
    p5 = _mm_or_si128(_mm_mulhi_epu16(p5, _mm_set1_epi16(13108)), ends);
    p7 = _mm_or_si128(_mm_and_si128(sel, p7), _mm_andnot_si128(sel, p5));
    return _mm_packus_epi16(p7, p7);
}

ALWAYS_INLINE uint64_t bc4_palette(const uint8_t *src)
{
    return (uint64_t)_mm_cvtsi128_si64(bc4_palette_sse2(src));
}
#else
ALWAYS_INLINE uint64_t bc4_palette(const uint8_t *src)
{
    uint64_t a0 = src[0], a1 = src[1];
    if (a0 > a1)
        return a0 | a1 << 8 | ((6 * a0 + a1) / 7) << 16 | ((5 * a0 + 2 * a1) / 7) << 24 |
               ((4 * a0 + 3 * a1) / 7) << 32 | ((3 * a0 + 4 * a1) / 7) << 40 |
               ((2 * a0 + 5 * a1) / 7) << 48 | ((a0 + 6 * a1) / 7) << 56;
    return a0 | a1 << 8 | ((4 * a0 + a1) / 5) << 16 | ((3 * a0 + 2 * a1) / 5) << 24 |
           ((2 * a0 + 3 * a1) / 5) << 32 | ((a0 + 4 * a1) / 5) << 40 | 255ull << 56;
}
#endif

/* Signed values: int8, -128 read as -127, rounded half away from zero. */
static inline int snorm_div(int num, int den)
{
    return num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den);
}

ALWAYS_INLINE uint64_t bc4s_palette(const uint8_t *src)
{
    uint8_t pal[8];
    uint64_t v;
    int a0 = (int8_t)src[0], a1 = (int8_t)src[1], i;
    a0 = a0 == -128 ? -127 : a0;
    a1 = a1 == -128 ? -127 : a1;
    pal[0] = (uint8_t)(int8_t)a0;
    pal[1] = (uint8_t)(int8_t)a1;
    if (a0 > a1) {
        for (i = 1; i < 7; i++)
            pal[i + 1] = (uint8_t)(int8_t)snorm_div((7 - i) * a0 + i * a1, 7);
    } else {
        for (i = 1; i < 5; i++)
            pal[i + 1] = (uint8_t)(int8_t)snorm_div((5 - i) * a0 + i * a1, 5);
        pal[6] = (uint8_t)(int8_t)-127;
        pal[7] = 127;
    }
    memcpy(&v, pal, 8);
    return FROM_LE64(v);
}

ALWAYS_INLINE uint64_t bc4_channel(const uint8_t *src, int is_signed)
{
    return is_signed ? bc4s_palette(src) : bc4_palette(src);
}

/* Entry i of a palette of eight bytes. */
#define PAL8(pal, i) ((uint32_t)((pal) >> (8 * (i))) & 0xff)

ALWAYS_INLINE void bc3_block(const uint8_t *src, uint8_t *out, size_t stride)
{
    uint32_t pal[4];
    uint64_t apal = bc4_palette(src);
    uint64_t alpha = le64(src) >> 16;
    uint32_t idx = le32(src + 12);
    int i;
    bc1_palette(src + 8, pal, 1);
    for (i = 0; i < 16; i++, idx >>= 2, alpha >>= 3)
        put32(out + (i >> 2) * stride + (i & 3) * 4, pal[idx & 3] | PAL8(apal, alpha & 7) << 24);
}

ALWAYS_INLINE void bc4_block(const uint8_t *src, uint8_t *out, size_t stride, int is_signed)
{
    uint64_t pal = bc4_channel(src, is_signed);
    uint64_t idx = le64(src) >> 16;
    int y;
    for (y = 0; y < 4; y++, out += stride, idx >>= 12)
        put32(out, PAL8(pal, idx & 7) | PAL8(pal, (idx >> 3) & 7) << 8 | PAL8(pal, (idx >> 6) & 7) << 16 |
                       PAL8(pal, (idx >> 9) & 7) << 24);
}

ALWAYS_INLINE void bc5_block(const uint8_t *src, uint8_t *out, size_t stride, int is_signed)
{
    uint64_t pr = bc4_channel(src, is_signed), pg = bc4_channel(src + 8, is_signed);
    uint64_t ir = le64(src) >> 16, ig = le64(src + 8) >> 16;
    int y, x;
    for (y = 0; y < 4; y++, out += stride) {
        uint64_t row = 0;
        for (x = 0; x < 4; x++, ir >>= 3, ig >>= 3)
            row |= (uint64_t)(PAL8(pr, ir & 7) | PAL8(pg, ig & 7) << 8) << (16 * x);
        put64(out, row);
    }
}

/* BC7 mode properties: subsets, partition bits, rotation bits, index
   selection bits, color bits, alpha bits, endpoint P-bits, shared P-bits,
   index bits, secondary index bits. */
static const uint8_t BC7_MODES[8][10] = {
    {3, 4, 0, 0, 4, 0, 1, 0, 3, 0},
    {2, 6, 0, 0, 6, 0, 0, 1, 3, 0},
    {3, 6, 0, 0, 5, 0, 0, 0, 2, 0},
    {2, 6, 0, 0, 7, 0, 1, 0, 2, 0},
    {1, 0, 2, 1, 5, 6, 0, 0, 2, 3},
    {1, 0, 2, 0, 7, 8, 0, 0, 2, 2},
    {1, 0, 0, 0, 7, 7, 1, 0, 4, 0},
    {2, 6, 0, 0, 5, 5, 1, 0, 2, 0},
};

/* Read the index bits of a block with `ns` subsets in partition `part`,
   `ib` bits per pixel, and widen the anchors' indices to `ib` bits. */
static inline uint64_t read_indices(bits128 *b, unsigned ns, unsigned part, unsigned ib)
{
    uint64_t v = bits_get(b, 16 * ib - ns);
    v = insert_zero(v, ib - 1);
    if (ns == 2) {
        v = insert_zero(v, A2[part] * ib + ib - 1);
    } else if (ns == 3) {
        unsigned a = A3[0][part], c = A3[1][part];
        v = insert_zero(v, (a < c ? a : c) * ib + ib - 1);
        v = insert_zero(v, (a < c ? c : a) * ib + ib - 1);
    }
    return v;
}

/* Channels packed as 16-bit lanes (r | g << 16 | b << 32 | a << 48) are
   interpolated all at once: (64 - w) * e0 + w * e1 + 32 stays below 2^16. */
#define LANES_32 0x0020002000200020ull

/* Lanes >> 6 to the bytes of an RGBA pixel. */
static inline uint32_t lanes_pixel(uint64_t v)
{
    v = (v >> 6) & 0x00ff00ff00ff00ffull;
    v = (v | (v >> 8)) & 0x0000ffff0000ffffull;
    return (uint32_t)(v | (v >> 16));
}

static void bc7_block(const uint8_t *src, uint8_t *out, size_t stride)
{
    bits128 b;
    const uint8_t *m, *w1, *w2;
    unsigned mode, ns, part, rot, isb, cb, ab, ib, ib2, i, s, e, c;
    unsigned ep[3][2][4]; /* subset, endpoint, channel */
    uint64_t lanes[3][2], idx1, idx2 = 0, alane;
    uint32_t sub;

    if (src[0] == 0) {
        for (i = 0; i < 4; i++)
            memset(out + i * stride, 0, 16);
        return;
    }
    mode = (unsigned)__builtin_ctz(src[0]);
    m = BC7_MODES[mode];
    bits_init(&b, src);
    bits_get(&b, mode + 1);
    ns = m[0];
    part = (unsigned)bits_get(&b, m[1]);
    rot = (unsigned)bits_get(&b, m[2]);
    isb = (unsigned)bits_get(&b, m[3]);
    cb = m[4];
    ab = m[5];
    for (c = 0; c < 3; c++)
        for (s = 0; s < ns; s++)
            for (e = 0; e < 2; e++)
                ep[s][e][c] = (unsigned)bits_get(&b, cb);
    for (s = 0; s < ns; s++)
        for (e = 0; e < 2; e++)
            ep[s][e][3] = ab ? (unsigned)bits_get(&b, ab) : 255;
    if (m[6] || m[7]) {
        unsigned pb[3][2];
        for (s = 0; s < ns; s++) {
            pb[s][0] = (unsigned)bits_get(&b, 1);
            pb[s][1] = m[6] ? (unsigned)bits_get(&b, 1) : pb[s][0];
        }
        for (s = 0; s < ns; s++)
            for (e = 0; e < 2; e++)
                for (c = 0; c < (ab ? 4u : 3u); c++)
                    ep[s][e][c] = (ep[s][e][c] << 1) | pb[s][e];
        cb++;
        ab += ab != 0;
    }
    /* expand to 8 bits by replicating the top bits; pack in lanes */
    for (s = 0; s < ns; s++)
        for (e = 0; e < 2; e++) {
            uint64_t v = 0;
            for (c = 0; c < 4; c++) {
                unsigned n = c < 3 ? cb : ab, x = ep[s][e][c];
                if (n) {
                    x <<= 8 - n;
                    x |= x >> n;
                }
                v |= (uint64_t)x << (16 * c);
            }
            lanes[s][e] = v;
        }
    ib = m[8];
    idx1 = read_indices(&b, ns, part, ib);
    w1 = weights(ib);
    sub = ns == 2 ? spread16(P2[part]) : ns == 3 ? P3[part] : 0;
    if (!m[9]) {
        unsigned mask = (1u << ib) - 1;
        for (i = 0; i < 16; i++, idx1 >>= ib, sub >>= 2) {
            uint64_t w = w1[idx1 & mask];
            s = sub & 3;
            put32(out + (i >> 2) * stride + (i & 3) * 4,
                  lanes_pixel((64 - w) * lanes[s][0] + w * lanes[s][1] + LANES_32));
        }
        return;
    }
    /* modes 4 and 5: separate color and alpha indices, and a rotation that
       swaps alpha with a color channel, done here on the endpoints: the
       alpha weight then applies to the lane the alpha ends in */
    ib2 = m[9];
    idx2 = insert_zero(bits_get(&b, 16 * ib2 - 1), ib2 - 1);
    w2 = weights(ib2);
    alane = 0xffffull << 48;
    if (rot) {
        unsigned sh = 16 * (rot - 1);
        for (e = 0; e < 2; e++) {
            uint64_t v = lanes[0][e], t = ((v >> 48) ^ (v >> sh)) & 0xffff;
            lanes[0][e] = v ^ (t << 48) ^ (t << sh);
        }
        alane = 0xffffull << sh;
    }
    {
        unsigned mask1 = (1u << ib) - 1, mask2 = (1u << ib2) - 1;
        uint64_t e0 = lanes[0][0], e1 = lanes[0][1];
        for (i = 0; i < 16; i++, idx1 >>= ib, idx2 >>= ib2) {
            uint64_t a = w1[idx1 & mask1], c2 = w2[idx2 & mask2];
            uint64_t wc = isb ? c2 : a, wa = isb ? a : c2;
            uint64_t v = (((64 - wc) * e0 + wc * e1) & ~alane) | (((64 - wa) * e0 + wa * e1) & alane);
            put32(out + (i >> 2) * stride + (i & 3) * 4, lanes_pixel(v + LANES_32));
        }
    }
}

/* BC6H: where the bits of each mode's endpoints are. A field {v, a, b} moves
   the next |a-b|+1 bits into bits b..a of endpoint value v (r0..r3 = 0..3,
   g0..g3 = 4..7, b0..b3 = 8..11), reversed when a < b. */
enum { R0, R1, R2, R3, G0, G1, G2, G3, B0, B1, B2, B3, END = 255 };

typedef struct {
    uint8_t v, a, b;
} field;

typedef struct {
    uint8_t transformed, partition, epb, delta[3];
    field fields[32];
} bc6_mode;

static const bc6_mode BC6_MODES[14] = {
    {1, 1, 10, {5, 5, 5}, {{G2, 4, 4}, {B2, 4, 4}, {B3, 4, 4}, {R0, 9, 0}, {G0, 9, 0}, {B0, 9, 0}, {R1, 4, 0}, {G3, 4, 4}, {G2, 3, 0}, {G1, 4, 0}, {B3, 0, 0}, {G3, 3, 0}, {B1, 4, 0}, {B3, 1, 1}, {B2, 3, 0}, {R2, 4, 0}, {B3, 2, 2}, {R3, 4, 0}, {B3, 3, 3}, {END, 0, 0}}},
    {1, 1, 7, {6, 6, 6}, {{G2, 5, 5}, {G3, 4, 4}, {G3, 5, 5}, {R0, 6, 0}, {B3, 0, 0}, {B3, 1, 1}, {B2, 4, 4}, {G0, 6, 0}, {B2, 5, 5}, {B3, 2, 2}, {G2, 4, 4}, {B0, 6, 0}, {B3, 3, 3}, {B3, 5, 5}, {B3, 4, 4}, {R1, 5, 0}, {G2, 3, 0}, {G1, 5, 0}, {G3, 3, 0}, {B1, 5, 0}, {B2, 3, 0}, {R2, 5, 0}, {R3, 5, 0}, {END, 0, 0}}},
    {1, 1, 11, {5, 4, 4}, {{R0, 9, 0}, {G0, 9, 0}, {B0, 9, 0}, {R1, 4, 0}, {R0, 10, 10}, {G2, 3, 0}, {G1, 3, 0}, {G0, 10, 10}, {B3, 0, 0}, {G3, 3, 0}, {B1, 3, 0}, {B0, 10, 10}, {B3, 1, 1}, {B2, 3, 0}, {R2, 4, 0}, {B3, 2, 2}, {R3, 4, 0}, {B3, 3, 3}, {END, 0, 0}}},
    {1, 1, 11, {4, 5, 4}, {{R0, 9, 0}, {G0, 9, 0}, {B0, 9, 0}, {R1, 3, 0}, {R0, 10, 10}, {G3, 4, 4}, {G2, 3, 0}, {G1, 4, 0}, {G0, 10, 10}, {G3, 3, 0}, {B1, 3, 0}, {B0, 10, 10}, {B3, 1, 1}, {B2, 3, 0}, {R2, 3, 0}, {B3, 0, 0}, {B3, 2, 2}, {R3, 3, 0}, {G2, 4, 4}, {B3, 3, 3}, {END, 0, 0}}},
    {1, 1, 11, {4, 4, 5}, {{R0, 9, 0}, {G0, 9, 0}, {B0, 9, 0}, {R1, 3, 0}, {R0, 10, 10}, {B2, 4, 4}, {G2, 3, 0}, {G1, 3, 0}, {G0, 10, 10}, {B3, 0, 0}, {G3, 3, 0}, {B1, 4, 0}, {B0, 10, 10}, {B2, 3, 0}, {R2, 3, 0}, {B3, 1, 1}, {B3, 2, 2}, {R3, 3, 0}, {B3, 4, 4}, {B3, 3, 3}, {END, 0, 0}}},
    {1, 1, 9, {5, 5, 5}, {{R0, 8, 0}, {B2, 4, 4}, {G0, 8, 0}, {G2, 4, 4}, {B0, 8, 0}, {B3, 4, 4}, {R1, 4, 0}, {G3, 4, 4}, {G2, 3, 0}, {G1, 4, 0}, {B3, 0, 0}, {G3, 3, 0}, {B1, 4, 0}, {B3, 1, 1}, {B2, 3, 0}, {R2, 4, 0}, {B3, 2, 2}, {R3, 4, 0}, {B3, 3, 3}, {END, 0, 0}}},
    {1, 1, 8, {6, 5, 5}, {{R0, 7, 0}, {G3, 4, 4}, {B2, 4, 4}, {G0, 7, 0}, {B3, 2, 2}, {G2, 4, 4}, {B0, 7, 0}, {B3, 3, 3}, {B3, 4, 4}, {R1, 5, 0}, {G2, 3, 0}, {G1, 4, 0}, {B3, 0, 0}, {G3, 3, 0}, {B1, 4, 0}, {B3, 1, 1}, {B2, 3, 0}, {R2, 5, 0}, {R3, 5, 0}, {END, 0, 0}}},
    {1, 1, 8, {5, 6, 5}, {{R0, 7, 0}, {B3, 0, 0}, {B2, 4, 4}, {G0, 7, 0}, {G2, 5, 5}, {G2, 4, 4}, {B0, 7, 0}, {G3, 5, 5}, {B3, 4, 4}, {R1, 4, 0}, {G3, 4, 4}, {G2, 3, 0}, {G1, 5, 0}, {G3, 3, 0}, {B1, 4, 0}, {B3, 1, 1}, {B2, 3, 0}, {R2, 4, 0}, {B3, 2, 2}, {R3, 4, 0}, {B3, 3, 3}, {END, 0, 0}}},
    {1, 1, 8, {5, 5, 6}, {{R0, 7, 0}, {B3, 1, 1}, {B2, 4, 4}, {G0, 7, 0}, {B2, 5, 5}, {G2, 4, 4}, {B0, 7, 0}, {B3, 5, 5}, {B3, 4, 4}, {R1, 4, 0}, {G3, 4, 4}, {G2, 3, 0}, {G1, 4, 0}, {B3, 0, 0}, {G3, 3, 0}, {B1, 5, 0}, {B2, 3, 0}, {R2, 4, 0}, {B3, 2, 2}, {R3, 4, 0}, {B3, 3, 3}, {END, 0, 0}}},
    {0, 1, 6, {6, 6, 6}, {{R0, 5, 0}, {G3, 4, 4}, {B3, 0, 0}, {B3, 1, 1}, {B2, 4, 4}, {G0, 5, 0}, {G2, 5, 5}, {B2, 5, 5}, {B3, 2, 2}, {G2, 4, 4}, {B0, 5, 0}, {G3, 5, 5}, {B3, 3, 3}, {B3, 5, 5}, {B3, 4, 4}, {R1, 5, 0}, {G2, 3, 0}, {G1, 5, 0}, {G3, 3, 0}, {B1, 5, 0}, {B2, 3, 0}, {R2, 5, 0}, {R3, 5, 0}, {END, 0, 0}}},
    {0, 0, 10, {10, 10, 10}, {{R0, 9, 0}, {G0, 9, 0}, {B0, 9, 0}, {R1, 9, 0}, {G1, 9, 0}, {B1, 9, 0}, {END, 0, 0}}},
    {1, 0, 11, {9, 9, 9}, {{R0, 9, 0}, {G0, 9, 0}, {B0, 9, 0}, {R1, 8, 0}, {R0, 10, 10}, {G1, 8, 0}, {G0, 10, 10}, {B1, 8, 0}, {B0, 10, 10}, {END, 0, 0}}},
    {1, 0, 12, {8, 8, 8}, {{R0, 9, 0}, {G0, 9, 0}, {B0, 9, 0}, {R1, 7, 0}, {R0, 10, 11}, {G1, 7, 0}, {G0, 10, 11}, {B1, 7, 0}, {B0, 10, 11}, {END, 0, 0}}},
    {1, 0, 16, {4, 4, 4}, {{R0, 9, 0}, {G0, 9, 0}, {B0, 9, 0}, {R1, 3, 0}, {R0, 10, 15}, {G1, 3, 0}, {G0, 10, 15}, {B1, 3, 0}, {B0, 10, 15}, {END, 0, 0}}},
};

static inline int sign_extend(int v, int bits)
{
    return v - ((v & (1 << (bits - 1))) << 1);
}

/* Selections rather than branches: the endpoint precision changes from
   block to block. */
ALWAYS_INLINE int bc6_unquantize(int x, int epb, int is_signed)
{
    if (!is_signed) {
        int r = ((x << 15) + 0x4000) >> (epb - 1);
        r = x == 0 ? 0 : r;
        r = x == (1 << epb) - 1 ? 0xFFFF : r;
        return epb >= 15 ? x : r;
    } else {
        int a = x < 0 ? -x : x;
        int r = ((a << 15) + 0x4000) >> (epb - 1);
        r = a == 0 ? 0 : r;
        r = a >= (1 << (epb - 1)) - 1 ? 0x7FFF : r;
        r = x < 0 ? -r : r;
        return epb >= 16 ? x : r;
    }
}

/* The half float of an interpolated value; signed zero becomes +0. */
ALWAYS_INLINE uint16_t bc6_half(int x, int is_signed)
{
    unsigned h;
    if (!is_signed)
        return (uint16_t)((x * 31) >> 6);
    h = ((unsigned)(x < 0 ? -x : x) * 31) >> 5;
    return (uint16_t)(h | ((unsigned)(x < 0 && h) << 15));
}

/* The half floats of every subset and index of a block, from the
   unquantized endpoints v (r0..r3, g0..g3, b0..b3), as r | g << 16 | b << 32. */
#if defined(__SSE2__)
/* Four indices at a time, in float: every product and sum is an integer
   below 2^23, exact in float; the floor is a truncation corrected by one
   where it rounded up (negative values). */
ALWAYS_INLINE __m128i floor_shift6(__m128 x)
{
    __m128i t;
    x = _mm_mul_ps(x, _mm_set1_ps(1.0f / 64));
    t = _mm_cvttps_epi32(x);
    return _mm_add_epi32(t, _mm_castps_si128(_mm_cmpgt_ps(_mm_cvtepi32_ps(t), x)));
}

ALWAYS_INLINE void bc6_palette(const int *v, int ns, int ib, const uint8_t *w, uint64_t pal[2][16], int is_signed)
{
    int s, c, k;
    for (s = 0; s < ns; s++) {
        for (k = 0; k < (1 << ib); k += 4) {
            __m128 wk = _mm_setr_ps(w[k], w[k + 1], w[k + 2], w[k + 3]);
            __m128 wk0 = _mm_sub_ps(_mm_set1_ps(64), wk);
            __m128i h[3];
            for (c = 0; c < 3; c++) {
                __m128 e0 = _mm_set1_ps((float)v[4 * c + 2 * s]), e1 = _mm_set1_ps((float)v[4 * c + 2 * s + 1]);
                __m128 x = _mm_add_ps(_mm_add_ps(_mm_mul_ps(wk0, e0), _mm_mul_ps(wk, e1)), _mm_set1_ps(32));
                __m128i q = floor_shift6(x);
                if (!is_signed) {
                    h[c] = _mm_srli_epi32(_mm_sub_epi32(_mm_slli_epi32(q, 5), q), 6);
                } else {
                    __m128i sgn = _mm_srai_epi32(q, 31);
                    __m128i a = _mm_sub_epi32(_mm_xor_si128(q, sgn), sgn);
                    __m128i hh = _mm_srli_epi32(_mm_sub_epi32(_mm_slli_epi32(a, 5), a), 5);
                    __m128i neg = _mm_and_si128(sgn, _mm_cmpgt_epi32(hh, _mm_setzero_si128()));
                    h[c] = _mm_or_si128(hh, _mm_and_si128(neg, _mm_set1_epi32(0x8000)));
                }
            }
            h[0] = _mm_or_si128(h[0], _mm_slli_epi32(h[1], 16));
            _mm_storeu_si128((__m128i *)&pal[s][k], _mm_unpacklo_epi32(h[0], h[2]));
            _mm_storeu_si128((__m128i *)&pal[s][k + 2], _mm_unpackhi_epi32(h[0], h[2]));
        }
    }
}
#else
ALWAYS_INLINE void bc6_palette(const int *v, int ns, int ib, const uint8_t *w, uint64_t pal[2][16], int is_signed)
{
    int s, c, k;
    for (s = 0; s < ns; s++) {
        for (k = 0; k < (1 << ib); k++) {
            uint64_t entry = 0;
            for (c = 0; c < 3; c++) {
                int e0 = v[4 * c + 2 * s], e1 = v[4 * c + 2 * s + 1];
                entry |= (uint64_t)bc6_half(((64 - w[k]) * e0 + w[k] * e1 + 32) >> 6, is_signed) << (16 * c);
            }
            pal[s][k] = entry;
        }
    }
}
#endif

/* Read the endpoint fields of a mode into v and return the bit position
   after them. Called with constant arguments, the loop unrolls and the
   table reads fold away. Each field is read at its own offset from a
   padded copy of the block, so the reads do not wait on each other. */
ALWAYS_INLINE unsigned bc6_fields(int mode, int nfields, const uint8_t *blk, int *v)
{
    const field *fields = BC6_MODES[mode].fields;
    unsigned pos = mode < 2 ? 2 : 5;
    int j, k;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 32
#endif
    for (j = 0; j < nfields; j++) {
        const field *f = &fields[j];
        if (f->a >= f->b) {
            unsigned n = f->a - f->b + 1u;
            v[f->v] |= (int)((le64(blk + (pos >> 3)) >> (pos & 7)) & ((1u << n) - 1)) << f->b;
            pos += n;
        } else {
            for (k = f->b; k >= f->a; k--, pos++)
                v[f->v] |= (int)((blk[pos >> 3] >> (pos & 7)) & 1) << k;
        }
    }
    return pos;
}

ALWAYS_INLINE void bc6_block(const uint8_t *src, uint8_t *out, size_t stride, int is_signed)
{
    bits128 b;
    const bc6_mode *m;
    int mode, ns, part, ib, i, c, k, v[12];
    uint64_t pal[2][16]; /* subset, index: r | g << 16 | b << 32 */
    const uint8_t *w;
    uint64_t idx;
    uint32_t sub, mask;
    uint8_t blk[24];
    unsigned pos;

    memcpy(blk, src, 16);
    memset(blk + 16, 0, 8);
    bits_init(&b, src);
    mode = (int)bits_get(&b, 2);
    if (mode >= 2) {
        static const int8_t MAP[32] = {
            0, 1, 2, 10, 0, 1, 3, 11, 0, 1, 4, 12, 0, 1, 5, 13,
            0, 1, 6, -1, 0, 1, 7, -1, 0, 1, 8, -1, 0, 1, 9, -1,
        };
        mode = MAP[mode | (bits_get(&b, 3) << 2)];
        if (mode < 0) {
            for (i = 0; i < 4; i++)
                memset(out + i * stride, 0, 4 * 3 * sizeof(uint16_t));
            return;
        }
    }
    m = &BC6_MODES[mode];
    memset(v, 0, sizeof(v));
    switch (mode) {
    case 0: pos = bc6_fields(0, 19, blk, v); break;
    case 1: pos = bc6_fields(1, 23, blk, v); break;
    case 2: pos = bc6_fields(2, 18, blk, v); break;
    case 3: pos = bc6_fields(3, 20, blk, v); break;
    case 4: pos = bc6_fields(4, 20, blk, v); break;
    case 5: pos = bc6_fields(5, 19, blk, v); break;
    case 6: pos = bc6_fields(6, 19, blk, v); break;
    case 7: pos = bc6_fields(7, 21, blk, v); break;
    case 8: pos = bc6_fields(8, 21, blk, v); break;
    case 9: pos = bc6_fields(9, 23, blk, v); break;
    case 10: pos = bc6_fields(10, 6, blk, v); break;
    case 11: pos = bc6_fields(11, 9, blk, v); break;
    case 12: pos = bc6_fields(12, 9, blk, v); break;
    default: pos = bc6_fields(13, 9, blk, v); break;
    }
    bits_init(&b, src);
    bits_skip(&b, pos);
    ns = m->partition ? 2 : 1;
    part = m->partition ? (int)bits_get(&b, 5) : 0;
    for (c = 0; c < 3; c++) {
        int *e = v + 4 * c, epb = m->epb, emask = (1 << epb) - 1;
        if (is_signed)
            e[0] = sign_extend(e[0], epb);
        for (k = 1; k < 2 * ns; k++) {
            if (m->transformed) {
                e[k] = sign_extend(e[k], m->delta[c]);
                e[k] = (e[0] + e[k]) & emask;
                if (is_signed)
                    e[k] = sign_extend(e[k], epb);
            } else if (is_signed) {
                e[k] = sign_extend(e[k], epb);
            }
        }
        for (k = 0; k < 2 * ns; k++)
            e[k] = bc6_unquantize(e[k], epb, is_signed);
    }
    ib = ns == 2 ? 3 : 4;
    w = weights((unsigned)ib);
    bc6_palette(v, ns, ib, w, pal, is_signed);
    idx = read_indices(&b, (unsigned)ns, (unsigned)part, (unsigned)ib);
    sub = ns == 2 ? P2[part] : 0;
    mask = (1u << ib) - 1;
    for (i = 0; i < 16; i += 4, out += stride) {
        /* 8-byte stores, in order, each overwriting the previous one's
           last two bytes; the fourth pixel stores its 6 bytes exactly */
        put64(out, pal[sub & 1][idx & mask]);
        put64(out + 6, pal[(sub >> 1) & 1][(idx >> ib) & mask]);
        put64(out + 12, pal[(sub >> 2) & 1][(idx >> (2 * ib)) & mask]);
        put32(out + 18, (uint32_t)pal[(sub >> 3) & 1][(idx >> (3 * ib)) & mask]);
        put16(out + 22, (uint16_t)(pal[(sub >> 3) & 1][(idx >> (3 * ib)) & mask] >> 32));
        idx >>= 4 * ib;
        sub >>= 4;
    }
}

size_t ndc_bcn_block_size(int format)
{
    switch (format) {
    case NDC_BC1:
    case NDC_BC4:
    case NDC_BC4S:
        return 8;
    case NDC_BC2:
    case NDC_BC3:
    case NDC_BC5:
    case NDC_BC5S:
    case NDC_BC6HU:
    case NDC_BC6HS:
    case NDC_BC7:
        return 16;
    default:
        return 0;
    }
}

int ndc_bcn_samples(int format)
{
    switch (format) {
    case NDC_BC4:
    case NDC_BC4S:
        return 1;
    case NDC_BC5:
    case NDC_BC5S:
        return 2;
    case NDC_BC6HU:
    case NDC_BC6HS:
        return 3;
    default:
        return 4;
    }
}

int ndc_bcn_itemsize(int format)
{
    return (format == NDC_BC6HU || format == NDC_BC6HS) ? 2 : 1;
}

size_t ndc_bcn_encoded_size(int format, size_t frames, size_t height, size_t width)
{
    size_t bw = width / 4 + (width % 4 != 0), bh = height / 4 + (height % 4 != 0);
    size_t n = ndc_bcn_block_size(format);
    if (bw && bh && (frames > SIZE_MAX / bw / bh || frames * bw * bh > SIZE_MAX / 16))
        return SIZE_MAX;
    return frames * bw * bh * n;
}

/* Decode one block to `out`, rows `stride` bytes apart; inlined into
   decode_image with a constant format, so the switch disappears. */
ALWAYS_INLINE void decode_block(int format, const uint8_t *src, uint8_t *out, size_t stride)
{
    switch (format) {
    case NDC_BC1:
        bc1_block(src, out, stride);
        break;
    case NDC_BC2:
        bc2_block(src, out, stride);
        break;
    case NDC_BC3:
        bc3_block(src, out, stride);
        break;
    case NDC_BC4:
        bc4_block(src, out, stride, 0);
        break;
    case NDC_BC4S:
        bc4_block(src, out, stride, 1);
        break;
    case NDC_BC5:
        bc5_block(src, out, stride, 0);
        break;
    case NDC_BC5S:
        bc5_block(src, out, stride, 1);
        break;
    case NDC_BC6HU:
        bc6_block(src, out, stride, 0);
        break;
    case NDC_BC6HS:
        bc6_block(src, out, stride, 1);
        break;
    default:
        bc7_block(src, out, stride);
        break;
    }
}

#if defined(__SSE2__) && defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define HAVE_SSSE3_PATH 1
#include <tmmintrin.h>

/* The 16 3-bit indices of 24 + 24 bits, one per byte. */
static inline __m128i bc4_index_bytes(uint64_t idx)
{
    uint64_t x[2];
    int h;
    for (h = 0; h < 2; h++, idx >>= 24) {
        uint64_t v = idx & 0xffffff;
        v = (v & 0xfff) | ((v & 0xfff000) << 20);
        v = (v & 0x0000003f0000003full) | ((v & 0x00000fc000000fc0ull) << 10);
        x[h] = (v & 0x0007000700070007ull) | ((v & 0x0038003800380038ull) << 5);
    }
    return _mm_set_epi64x((long long)x[1], (long long)x[0]);
}

/* BC4 and BC5 rows of `n` whole blocks: one byte shuffle looks up all 16
   values of a channel block. */
__attribute__((target("ssse3"))) static void bc4_row_ssse3(
    const uint8_t *src, uint8_t *out, size_t n, size_t stride)
{
    size_t i;
    for (i = 0; i < n; i++, src += 8, out += 4) {
        __m128i v = _mm_shuffle_epi8(bc4_palette_sse2(src), bc4_index_bytes(le64(src) >> 16));
        put32(out, (uint32_t)_mm_cvtsi128_si32(v));
        put32(out + stride, (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(v, 4)));
        put32(out + 2 * stride, (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(v, 8)));
        put32(out + 3 * stride, (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(v, 12)));
    }
}

__attribute__((target("ssse3"))) static void bc5_row_ssse3(
    const uint8_t *src, uint8_t *out, size_t n, size_t stride)
{
    size_t i;
    for (i = 0; i < n; i++, src += 16, out += 8) {
        __m128i r = _mm_shuffle_epi8(bc4_palette_sse2(src), bc4_index_bytes(le64(src) >> 16));
        __m128i g = _mm_shuffle_epi8(bc4_palette_sse2(src + 8), bc4_index_bytes(le64(src + 8) >> 16));
        __m128i lo = _mm_unpacklo_epi8(r, g), hi = _mm_unpackhi_epi8(r, g);
        _mm_storel_epi64((__m128i *)out, lo);
        _mm_storel_epi64((__m128i *)(out + stride), _mm_srli_si128(lo, 8));
        _mm_storel_epi64((__m128i *)(out + 2 * stride), hi);
        _mm_storel_epi64((__m128i *)(out + 3 * stride), _mm_srli_si128(hi, 8));
    }
}

/* The 16 2-bit indices of a BC1 color block, one per byte, times 4:
   the offset of each pixel's color in a vector of four. */
static inline __m128i bc1_offsets(uint32_t idx)
{
    uint64_t x[2];
    int h;
    for (h = 0; h < 2; h++, idx >>= 16) {
        uint64_t v = idx & 0xffff;
        v = (v & 0xff) | ((v & 0xff00) << 24);
        v = (v & 0x0000000f0000000full) | ((v & 0x000000f0000000f0ull) << 12);
        x[h] = (v & 0x0003000300030003ull) | ((v & 0x000c000c000c000cull) << 6);
    }
    return _mm_slli_epi16(_mm_set_epi64x((long long)x[1], (long long)x[0]), 2);
}

/* The BC1 palette (alpha 0) in a vector, the same values as bc1_palette:
   each color channel is (a * v0 + b * v1) * m + c >> s, here formed for
   all channels by one multiply-add per color with m and c scaled by
   2^(11 - s), so that every lane shifts by 11. */
ALWAYS_INLINE __m128i bc1_palette_sse2(const uint8_t *src, __m128i four)
{
    const __m128i masks = _mm_setr_epi16(
        (short)0xf800, (short)0xf800, 0x07e0, 0x07e0, 0x001f, 0x001f, 0, 0);
    const __m128i shifts = _mm_setr_epi16(32, 32, 2048, 2048, 0, 0, 0, 0);
    const __m128i low = _mm_setr_epi16(0, 0, 0, 0, -1, -1, 0, 0);
    __m128i c = _mm_and_si128(_mm_set1_epi32((int)le32(src)), masks);
    __m128i v = _mm_or_si128(_mm_mulhi_epu16(c, shifts), _mm_and_si128(c, low));
    __m128i p0 = _mm_madd_epi16(v, _mm_setr_epi16(16864, 0, 8288, 0, 16864, 0, 0, 0));
    __m128i p1 = _mm_madd_epi16(v, _mm_setr_epi16(0, 16864, 0, 8288, 0, 16864, 0, 0));
    __m128i t2 = _mm_madd_epi16(v, _mm_setr_epi16(11232, 5616, 5526, 2763, 11232, 5616, 0, 0));
    __m128i t3 = _mm_madd_epi16(v, _mm_setr_epi16(5616, 11232, 2763, 5526, 5616, 11232, 0, 0));
    __m128i h2 = _mm_madd_epi16(v, _mm_setr_epi16(8424, 8424, 4145, 4145, 8424, 8424, 0, 0));
    __m128i ends = _mm_setr_epi32(736, 1056, 736, 0);
    p0 = _mm_srli_epi32(_mm_add_epi32(p0, ends), 11);
    p1 = _mm_srli_epi32(_mm_add_epi32(p1, ends), 11);
    t2 = _mm_srli_epi32(_mm_add_epi32(t2, _mm_setr_epi32(976, 1039, 976, 0)), 11);
    t3 = _mm_srli_epi32(_mm_add_epi32(t3, _mm_setr_epi32(976, 1039, 976, 0)), 11);
    h2 = _mm_srli_epi32(_mm_add_epi32(h2, _mm_setr_epi32(1024, 1019, 1024, 0)), 11);
    t2 = _mm_or_si128(_mm_and_si128(four, t2), _mm_andnot_si128(four, h2));
    t3 = _mm_and_si128(four, t3);
    return _mm_packus_epi16(_mm_packs_epi32(p0, p1), _mm_packs_epi32(t2, t3));
}

/* BC1, BC2 and BC3 rows of `n` whole blocks (`bc` 1, 2 or 3): per row of
   pixels, one shuffle spreads each pixel's color offset over its four
   bytes and one looks the colors up (and one more places the alpha). */
__attribute__((target("ssse3"))) ALWAYS_INLINE void bc123_row(const uint8_t *src, uint8_t *out, size_t n, size_t stride, int bc)
{
    const __m128i spread[4] = {
        _mm_setr_epi8(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3),
        _mm_setr_epi8(4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7),
        _mm_setr_epi8(8, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 10, 11, 11, 11, 11),
        _mm_setr_epi8(12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 15),
    };
    const __m128i place[4] = {
        _mm_setr_epi8(-1, -1, -1, 0, -1, -1, -1, 1, -1, -1, -1, 2, -1, -1, -1, 3),
        _mm_setr_epi8(-1, -1, -1, 4, -1, -1, -1, 5, -1, -1, -1, 6, -1, -1, -1, 7),
        _mm_setr_epi8(-1, -1, -1, 8, -1, -1, -1, 9, -1, -1, -1, 10, -1, -1, -1, 11),
        _mm_setr_epi8(-1, -1, -1, 12, -1, -1, -1, 13, -1, -1, -1, 14, -1, -1, -1, 15),
    };
    const __m128i bytes = _mm_setr_epi8(0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3);
    size_t i;
    int y;
    for (i = 0; i < n; i++, out += 16) {
        const uint8_t *c = bc == 1 ? src : src + 8;
        __m128i vpal, offsets, alpha = _mm_setzero_si128();
        if (bc == 3) {
            vpal = bc1_palette_sse2(c, _mm_set1_epi32(-1));
            alpha = _mm_shuffle_epi8(bc4_palette_sse2(src), bc4_index_bytes(le64(src) >> 16));
        } else if (bc == 2) {
            /* 4-bit alpha, one per byte, times 17 */
            __m128i a = _mm_loadl_epi64((const __m128i *)src), nibbles = _mm_set1_epi8(15);
            vpal = bc1_palette_sse2(c, _mm_set1_epi32(-1));
            alpha = _mm_unpacklo_epi8(_mm_and_si128(a, nibbles), _mm_and_si128(_mm_srli_epi16(a, 4), nibbles));
            alpha = _mm_or_si128(alpha, _mm_slli_epi16(alpha, 4));
        } else {
            /* opaque, but the fourth color of three-color blocks is transparent black */
            __m128i four = _mm_set1_epi32(-(int)(le16(c) > le16(c + 2)));
            __m128i opaque = _mm_or_si128(four, _mm_setr_epi32(-1, -1, -1, 0));
            vpal = _mm_or_si128(bc1_palette_sse2(c, four), _mm_and_si128(opaque, _mm_set1_epi32(-16777216)));
        }
        offsets = bc1_offsets(le32(c + 4));
        for (y = 0; y < 4; y++) {
            __m128i v = _mm_shuffle_epi8(vpal, _mm_add_epi8(_mm_shuffle_epi8(offsets, spread[y]), bytes));
            if (bc != 1)
                v = _mm_or_si128(v, _mm_shuffle_epi8(alpha, place[y]));
            _mm_storeu_si128((__m128i *)(out + y * stride), v);
        }
        src += bc == 1 ? 8 : 16;
    }
}

__attribute__((target("ssse3"))) static void bc1_row_ssse3(
    const uint8_t *src, uint8_t *out, size_t n, size_t stride)
{
    bc123_row(src, out, n, stride, 1);
}

__attribute__((target("ssse3"))) static void bc2_row_ssse3(
    const uint8_t *src, uint8_t *out, size_t n, size_t stride)
{
    bc123_row(src, out, n, stride, 2);
}

__attribute__((target("ssse3"))) static void bc3_row_ssse3(
    const uint8_t *src, uint8_t *out, size_t n, size_t stride)
{
    bc123_row(src, out, n, stride, 3);
}

static int have_ssse3(void)
{
    return __builtin_cpu_supports("ssse3");
}
#else
#define HAVE_SSSE3_PATH 0
#endif

/* A row of `n` whole blocks with a vector kernel, if there is one for the
   format (BC1 to BC5); returns the number of blocks done. BC6H and BC7
   spend their time in mode decoding, which vectors do not shorten. */
ALWAYS_INLINE size_t simd_row(int format, const uint8_t *src, uint8_t *out, size_t n, size_t stride)
{
#if HAVE_SSSE3_PATH
    if (format == NDC_BC1) {
        bc1_row_ssse3(src, out, n, stride);
        return n;
    }
    if (format == NDC_BC2) {
        bc2_row_ssse3(src, out, n, stride);
        return n;
    }
    if (format == NDC_BC3) {
        bc3_row_ssse3(src, out, n, stride);
        return n;
    }
    if (format == NDC_BC4) {
        bc4_row_ssse3(src, out, n, stride);
        return n;
    }
    if (format == NDC_BC5) {
        bc5_row_ssse3(src, out, n, stride);
        return n;
    }
#endif
    (void)format, (void)src, (void)out, (void)n, (void)stride;
    return 0;
}

ALWAYS_INLINE void decode_image(
    int format, int simd, const uint8_t *src, uint8_t *dst, size_t frames, size_t height, size_t width)
{
    size_t blocksize = ndc_bcn_block_size(format);
    size_t pixelsize = (size_t)ndc_bcn_samples(format) * (size_t)ndc_bcn_itemsize(format);
    size_t rowsize = width * pixelsize, bw = (width + 3) / 4, bh = (height + 3) / 4;
    size_t f, by, bx, y;
    uint8_t px[16 * 4 * 2];

    for (f = 0; f < frames; f++) {
        uint8_t *frame = dst + f * height * rowsize;
        for (by = 0; by < bh; by++) {
            size_t rows = height - 4 * by < 4 ? height - 4 * by : 4;
            uint8_t *corner = frame + 4 * by * rowsize;
            if (rows == 4) {
                bx = simd ? simd_row(format, src, corner, width / 4, rowsize) : 0;
                src += bx * blocksize;
                corner += bx * 4 * pixelsize;
                for (; bx < width / 4; bx++, src += blocksize, corner += 4 * pixelsize)
                    decode_block(format, src, corner, rowsize);
            } else {
                bx = 0;
            }
            for (; bx < bw; bx++, src += blocksize, corner += 4 * pixelsize) {
                /* an edge block: decode aside, copy what is visible */
                size_t cols = width - 4 * bx < 4 ? width - 4 * bx : 4;
                decode_block(format, src, px, 4 * pixelsize);
                for (y = 0; y < rows; y++)
                    memcpy(corner + y * rowsize, px + 4 * y * pixelsize, cols * pixelsize);
            }
        }
    }
}

ssize_t ndc_bcn_decode(
    int format, const uint8_t *src, size_t srcsize, uint8_t *dst,
    size_t dstsize, size_t frames, size_t height, size_t width, int simd)
{
    size_t pixelsize;

    if (ndc_bcn_block_size(format) == 0)
        return NDC_ERR_CORRUPT;
    pixelsize = (size_t)ndc_bcn_samples(format) * (size_t)ndc_bcn_itemsize(format);
    if (ndc_bcn_encoded_size(format, frames, height, width) > srcsize)
        return NDC_ERR_CORRUPT;
    if (height && width && frames > SIZE_MAX / height / width / pixelsize)
        return NDC_ERR_OUTPUT;
    if (frames * height * width * pixelsize > dstsize)
        return NDC_ERR_OUTPUT;
#if HAVE_SSSE3_PATH
    simd = simd && have_ssse3();
#else
    simd = 0;
#endif
    switch (format) {
    case NDC_BC1:
        decode_image(NDC_BC1, simd, src, dst, frames, height, width);
        break;
    case NDC_BC2:
        decode_image(NDC_BC2, simd, src, dst, frames, height, width);
        break;
    case NDC_BC3:
        decode_image(NDC_BC3, simd, src, dst, frames, height, width);
        break;
    case NDC_BC4:
        decode_image(NDC_BC4, simd, src, dst, frames, height, width);
        break;
    case NDC_BC4S:
        decode_image(NDC_BC4S, simd, src, dst, frames, height, width);
        break;
    case NDC_BC5:
        decode_image(NDC_BC5, simd, src, dst, frames, height, width);
        break;
    case NDC_BC5S:
        decode_image(NDC_BC5S, simd, src, dst, frames, height, width);
        break;
    case NDC_BC6HU:
        decode_image(NDC_BC6HU, simd, src, dst, frames, height, width);
        break;
    case NDC_BC6HS:
        decode_image(NDC_BC6HS, simd, src, dst, frames, height, width);
        break;
    default:
        decode_image(NDC_BC7, simd, src, dst, frames, height, width);
        break;
    }
    return (ssize_t)(frames * height * width * pixelsize);
}

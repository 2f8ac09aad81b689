/* Block compression decoders; see bcn.h. Blocks inside the image decode in
   place; blocks on its right or bottom edge decode into a small pixel array
   whose visible part is copied, so that images of any size decode without
   reading or writing out of bounds. */

#include <string.h>

#include "bcn.h"

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

static const uint8_t *weights(int bits)
{
    return bits == 2 ? W2 : bits == 3 ? W3 : W4;
}

/* A 128-bit block read LSB first. */
typedef struct {
    uint64_t lo, hi;
    unsigned pos;
} bits128;

static void bits_init(bits128 *b, const uint8_t *src)
{
    int i;
    b->lo = b->hi = 0;
    for (i = 7; i >= 0; i--) {
        b->lo = (b->lo << 8) | src[i];
        b->hi = (b->hi << 8) | src[8 + i];
    }
    b->pos = 0;
}

/* The next n (<= 32) bits; past bit 127 reads zeros. */
static uint32_t bits_get(bits128 *b, unsigned n)
{
    uint64_t v;
    unsigned pos = b->pos;
    b->pos += n;
    if (n == 0 || pos >= 128)
        return 0;
    if (pos >= 64)
        v = b->hi >> (pos - 64);
    else if (pos == 0)
        v = b->lo;
    else
        v = (b->lo >> pos) | (b->hi << (64 - pos));
    return (uint32_t)(v & ((1ull << n) - 1));
}

static inline uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint32_t rgba(unsigned r, unsigned g, unsigned b, unsigned a)
{
    uint8_t p[4] = {(uint8_t)r, (uint8_t)g, (uint8_t)b, (uint8_t)a};
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* BC1 colors: 4 RGBA entries; `opaque` forces the four-color mode (BC2, BC3).
   Endpoints expand to round(v * 255 / 31) (or / 63); the interpolated
   colors are fixed-point forms of the exact thirds and halves, rounded as
   imagecodecs (bcdec) rounds them, so that both decode bit-identically. */
static void bc1_palette(const uint8_t *src, uint32_t pal[4], int opaque)
{
    unsigned c0 = le16(src), c1 = le16(src + 2);
    unsigned r0 = c0 >> 11, g0 = (c0 >> 5) & 63, b0 = c0 & 31;
    unsigned r1 = c1 >> 11, g1 = (c1 >> 5) & 63, b1 = c1 & 31;
    pal[0] = rgba((r0 * 527 + 23) >> 6, (g0 * 259 + 33) >> 6, (b0 * 527 + 23) >> 6, 255);
    pal[1] = rgba((r1 * 527 + 23) >> 6, (g1 * 259 + 33) >> 6, (b1 * 527 + 23) >> 6, 255);
    if (c0 > c1 || opaque) {
        pal[2] = rgba(((2 * r0 + r1) * 351 + 61) >> 7, ((2 * g0 + g1) * 2763 + 1039) >> 11,
                      ((2 * b0 + b1) * 351 + 61) >> 7, 255);
        pal[3] = rgba(((r0 + 2 * r1) * 351 + 61) >> 7, ((g0 + 2 * g1) * 2763 + 1039) >> 11,
                      ((b0 + 2 * b1) * 351 + 61) >> 7, 255);
    } else {
        pal[2] = rgba(((r0 + r1) * 1053 + 128) >> 8, ((g0 + g1) * 4145 + 1019) >> 11,
                      ((b0 + b1) * 1053 + 128) >> 8, 255);
        pal[3] = 0;
    }
}

/* Blocks are written to rows `stride` bytes apart. */
static void bc1_block(const uint8_t *src, uint8_t *out, size_t stride, int opaque)
{
    uint32_t pal[4];
    uint32_t idx = le32(src + 4);
    int x, y;
    bc1_palette(src, pal, opaque);
    for (y = 0; y < 4; y++, out += stride)
        for (x = 0; x < 4; x++, idx >>= 2)
            memcpy(out + 4 * x, &pal[idx & 3], 4);
}

/* A BC3 alpha / BC4 channel block: pixels `step` bytes apart. */
static void bc4_block(const uint8_t *src, uint8_t *out, size_t stride, int step)
{
    unsigned a0 = src[0], a1 = src[1];
    uint8_t pal[8];
    uint64_t idx = 0;
    int i;
    pal[0] = (uint8_t)a0;
    pal[1] = (uint8_t)a1;
    if (a0 > a1) {
        for (i = 1; i < 7; i++)
            pal[i + 1] = (uint8_t)(((7 - i) * a0 + i * a1) / 7);
    } else {
        for (i = 1; i < 5; i++)
            pal[i + 1] = (uint8_t)(((5 - i) * a0 + i * a1) / 5);
        pal[6] = 0;
        pal[7] = 255;
    }
    for (i = 7; i >= 2; i--)
        idx = (idx << 8) | src[i];
    for (i = 0; i < 16; i++, idx >>= 3)
        out[(i >> 2) * stride + (i & 3) * step] = pal[idx & 7];
}

/* A signed BC4 channel block: int8 values, -128 read as -127. */
static int snorm_div(int num, int den)
{
    return num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den);
}

static void bc4s_block(const uint8_t *src, uint8_t *out, size_t stride, int step)
{
    int a0 = (int8_t)src[0], a1 = (int8_t)src[1];
    int8_t pal[8];
    uint64_t idx = 0;
    int i;
    if (a0 == -128)
        a0 = -127;
    if (a1 == -128)
        a1 = -127;
    pal[0] = (int8_t)a0;
    pal[1] = (int8_t)a1;
    if (a0 > a1) {
        for (i = 1; i < 7; i++)
            pal[i + 1] = (int8_t)snorm_div((7 - i) * a0 + i * a1, 7);
    } else {
        for (i = 1; i < 5; i++)
            pal[i + 1] = (int8_t)snorm_div((5 - i) * a0 + i * a1, 5);
        pal[6] = -127;
        pal[7] = 127;
    }
    for (i = 7; i >= 2; i--)
        idx = (idx << 8) | src[i];
    for (i = 0; i < 16; i++, idx >>= 3)
        out[(i >> 2) * stride + (i & 3) * step] = (uint8_t)pal[idx & 7];
}

static void bc2_block(const uint8_t *src, uint8_t *out, size_t stride)
{
    int i;
    bc1_block(src + 8, out, stride, 1);
    for (i = 0; i < 16; i++)
        out[(i >> 2) * stride + (i & 3) * 4 + 3] = (uint8_t)(((src[i / 2] >> (4 * (i & 1))) & 15) * 17);
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

/* Subset of pixel i in partition `part` of a block with `ns` subsets. */
static inline int subset_of(int ns, int part, int i)
{
    if (ns == 2)
        return (P2[part] >> i) & 1;
    if (ns == 3)
        return (P3[part] >> (2 * i)) & 3;
    return 0;
}

/* Whether pixel i is an anchor (its index has one bit less). */
static inline int is_anchor(int ns, int part, int i)
{
    if (i == 0)
        return 1;
    if (ns == 2)
        return i == A2[part];
    if (ns == 3)
        return i == A3[0][part] || i == A3[1][part];
    return 0;
}

static void bc7_block(const uint8_t *src, uint8_t *out, size_t stride)
{
    bits128 b;
    const uint8_t *m;
    int mode, ns, part, rot, isb, cb, ab, i, s, e, c;
    int ep[3][2][4]; /* subset, endpoint, channel */
    int idx1[16], idx2[16];
    const uint8_t *w1, *w2;

    if (src[0] == 0) {
        for (i = 0; i < 4; i++)
            memset(out + i * stride, 0, 16);
        return;
    }
    bits_init(&b, src);
    mode = 0;
    while (!bits_get(&b, 1))
        mode++;
    m = BC7_MODES[mode];
    ns = m[0];
    part = (int)bits_get(&b, m[1]);
    rot = (int)bits_get(&b, m[2]);
    isb = (int)bits_get(&b, m[3]);
    cb = m[4];
    ab = m[5];
    for (c = 0; c < 3; c++)
        for (s = 0; s < ns; s++)
            for (e = 0; e < 2; e++)
                ep[s][e][c] = (int)bits_get(&b, cb);
    for (s = 0; s < ns; s++)
        for (e = 0; e < 2; e++)
            ep[s][e][3] = ab ? (int)bits_get(&b, ab) : 255;
    if (m[6] || m[7]) {
        int pb[3][2];
        for (s = 0; s < ns; s++) {
            if (m[6]) {
                pb[s][0] = (int)bits_get(&b, 1);
                pb[s][1] = (int)bits_get(&b, 1);
            } else {
                pb[s][0] = pb[s][1] = (int)bits_get(&b, 1);
            }
        }
        for (s = 0; s < ns; s++)
            for (e = 0; e < 2; e++)
                for (c = 0; c < 4; c++)
                    if (c < 3 || ab)
                        ep[s][e][c] = (ep[s][e][c] << 1) | pb[s][e];
        cb++;
        if (ab)
            ab++;
    }
    /* expand to 8 bits by replicating the top bits */
    for (s = 0; s < ns; s++)
        for (e = 0; e < 2; e++)
            for (c = 0; c < 4; c++) {
                int n = c < 3 ? cb : ab;
                int v = ep[s][e][c];
                if (n == 0)
                    continue;
                v <<= 8 - n;
                ep[s][e][c] = v | (v >> n);
            }
    for (i = 0; i < 16; i++)
        idx1[i] = (int)bits_get(&b, m[8] - is_anchor(ns, part, i));
    for (i = 0; i < 16; i++)
        idx2[i] = m[9] ? (int)bits_get(&b, m[9] - (i == 0)) : 0;
    w1 = weights(m[8]);
    w2 = weights(m[9] ? m[9] : 2);
    for (i = 0; i < 16; i++) {
        int wc, wa, t;
        uint8_t *p = out + (i >> 2) * stride + (i & 3) * 4;
        s = subset_of(ns, part, i);
        if (!m[9]) {
            wc = wa = w1[idx1[i]];
        } else if (isb) {
            wc = w2[idx2[i]];
            wa = w1[idx1[i]];
        } else {
            wc = w1[idx1[i]];
            wa = w2[idx2[i]];
        }
        for (c = 0; c < 4; c++) {
            int w = c < 3 ? wc : wa;
            p[c] = (uint8_t)(((64 - w) * ep[s][0][c] + w * ep[s][1][c] + 32) >> 6);
        }
        if (rot) {
            t = p[3];
            p[3] = p[rot - 1];
            p[rot - 1] = (uint8_t)t;
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
    return (v & (1 << (bits - 1))) ? v - (1 << bits) : v;
}

static int bc6_unquantize(int x, int epb, int is_signed)
{
    if (!is_signed) {
        if (epb >= 15 || x == 0)
            return x;
        if (x == (1 << epb) - 1)
            return 0xFFFF;
        return ((x << 15) + 0x4000) >> (epb - 1);
    } else {
        int s = 0, unq;
        if (epb >= 16)
            return x;
        if (x < 0) {
            s = 1;
            x = -x;
        }
        if (x == 0)
            unq = 0;
        else if (x >= (1 << (epb - 1)) - 1)
            unq = 0x7FFF;
        else
            unq = ((x << 15) + 0x4000) >> (epb - 1);
        return s ? -unq : unq;
    }
}

static void bc6_block(const uint8_t *src, uint8_t *out, size_t stride, int is_signed)
{
    bits128 b;
    const bc6_mode *m;
    const field *f;
    int mode, ns, part, ib, i, s, c, k, v[12];
    uint16_t pal[2][16][3];
    const uint8_t *w;

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
    for (f = m->fields; f->v != END; f++) {
        if (f->a >= f->b) {
            v[f->v] |= (int)bits_get(&b, f->a - f->b + 1) << f->b;
        } else {
            int k;
            for (k = f->b; k >= f->a; k--)
                v[f->v] |= (int)bits_get(&b, 1) << k;
        }
    }
    ns = m->partition ? 2 : 1;
    part = m->partition ? (int)bits_get(&b, 5) : 0;
    for (c = 0; c < 3; c++) {
        int *e = v + 4 * c, epb = m->epb, mask = (1 << epb) - 1, k;
        if (is_signed)
            e[0] = sign_extend(e[0], epb);
        for (k = 1; k < 2 * ns; k++) {
            if (m->transformed) {
                e[k] = sign_extend(e[k], m->delta[c]);
                e[k] = (e[0] + e[k]) & mask;
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
    w = weights(ib);
    /* the final half floats of every subset and index */
    for (s = 0; s < ns; s++) {
        for (k = 0; k < (1 << ib); k++) {
            for (c = 0; c < 3; c++) {
                int e0 = v[4 * c + 2 * s], e1 = v[4 * c + 2 * s + 1];
                int x = ((64 - w[k]) * e0 + w[k] * e1 + 32) >> 6;
                uint16_t h;
                if (!is_signed)
                    h = (uint16_t)((x * 31) >> 6);
                else if (x < 0 && (((-x) * 31) >> 5))
                    h = (uint16_t)(0x8000 | (((-x) * 31) >> 5));
                else if (x < 0)
                    h = 0; /* not -0 */
                else
                    h = (uint16_t)((x * 31) >> 5);
                pal[s][k][c] = h;
            }
        }
    }
    for (i = 0; i < 16; i++) {
        int idx = (int)bits_get(&b, ib - is_anchor(ns, part, i));
        memcpy(out + (i >> 2) * stride + (i & 3) * 6, pal[subset_of(ns, part, i)][idx], 6);
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

/* Decode one block to `out`, rows `stride` bytes apart. */
static void decode_block(int format, const uint8_t *src, uint8_t *out, size_t stride)
{
    switch (format) {
    case NDC_BC1:
        bc1_block(src, out, stride, 0);
        break;
    case NDC_BC2:
        bc2_block(src, out, stride);
        break;
    case NDC_BC3:
        bc1_block(src + 8, out, stride, 1);
        bc4_block(src, out + 3, stride, 4);
        break;
    case NDC_BC4:
        bc4_block(src, out, stride, 1);
        break;
    case NDC_BC4S:
        bc4s_block(src, out, stride, 1);
        break;
    case NDC_BC5:
        bc4_block(src, out, stride, 2);
        bc4_block(src + 8, out + 1, stride, 2);
        break;
    case NDC_BC5S:
        bc4s_block(src, out, stride, 2);
        bc4s_block(src + 8, out + 1, stride, 2);
        break;
    case NDC_BC6HU:
    case NDC_BC6HS:
        bc6_block(src, out, stride, format == NDC_BC6HS);
        break;
    default:
        bc7_block(src, out, stride);
        break;
    }
}

ssize_t ndc_bcn_decode(
    int format, const uint8_t *src, size_t srcsize, uint8_t *dst,
    size_t dstsize, size_t frames, size_t height, size_t width)
{
    size_t blocksize = ndc_bcn_block_size(format);
    size_t pixelsize, rowsize, bw, bh, f, by, bx, y;
    uint8_t px[16 * 4 * 2];

    if (blocksize == 0)
        return NDC_ERR_CORRUPT;
    pixelsize = (size_t)ndc_bcn_samples(format) * (size_t)ndc_bcn_itemsize(format);
    if (ndc_bcn_encoded_size(format, frames, height, width) > srcsize)
        return NDC_ERR_CORRUPT;
    if (height && width && frames > SIZE_MAX / height / width / pixelsize)
        return NDC_ERR_OUTPUT;
    rowsize = width * pixelsize;
    if (frames * height * rowsize > dstsize)
        return NDC_ERR_OUTPUT;
    bw = (width + 3) / 4;
    bh = (height + 3) / 4;
    for (f = 0; f < frames; f++) {
        uint8_t *frame = dst + f * height * rowsize;
        for (by = 0; by < bh; by++) {
            size_t rows = height - 4 * by < 4 ? height - 4 * by : 4;
            for (bx = 0; bx < bw; bx++) {
                size_t cols = width - 4 * bx < 4 ? width - 4 * bx : 4;
                uint8_t *corner = frame + 4 * by * rowsize + 4 * bx * pixelsize;
                if (rows == 4 && cols == 4) {
                    decode_block(format, src, corner, rowsize);
                } else {
                    /* an edge block: decode aside, copy what is visible */
                    decode_block(format, src, px, 4 * pixelsize);
                    for (y = 0; y < rows; y++)
                        memcpy(corner + y * rowsize, px + 4 * y * pixelsize, cols * pixelsize);
                }
                src += blocksize;
            }
        }
    }
    return (ssize_t)(frames * height * rowsize);
}

/* Number formats, written from the format descriptions:

   - bit order: the bits of each byte reversed (TIFF FillOrder 2);
   - packed integers: samples of 1 to 32 bits, most significant bit first,
     rows padded to whole bytes (TIFF BitsPerSample);
   - float24: 1 sign bit, 7 exponent bits (bias 63), 16 mantissa bits, with
     denormals, infinities and NaNs (TIFF SampleFormat 3, 24 bits);
   - bfloat16: the upper half of a float32.

   The loops are written so that gcc -O3 vectorises them: one loop per
   rounding mode and byte order, no calls, selects instead of branches. */

#include "numformats.h"

#include <string.h>

#if defined(__GNUC__)
typedef uint16_t __attribute__((aligned(1), may_alias)) u16_unaligned;
typedef uint32_t __attribute__((aligned(1), may_alias)) u32_unaligned;
#define NDC_INLINE static inline __attribute__((always_inline))
#else
typedef uint16_t u16_unaligned;
typedef uint32_t u32_unaligned;
#define NDC_INLINE static inline
#endif

#define RESTRICT __restrict

NDC_INLINE uint16_t bswap16(uint16_t x) { return (uint16_t)((x >> 8) | (x << 8)); }

/* ---- bit order ---- */

void ndc_bitorder_reverse(const uint8_t *src, uint8_t *dst, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        uint8_t x = src[i];
        x = (uint8_t)(((x & 0xF0u) >> 4) | ((x & 0x0Fu) << 4));
        x = (uint8_t)(((x & 0xCCu) >> 2) | ((x & 0x33u) << 2));
        x = (uint8_t)(((x & 0xAAu) >> 1) | ((x & 0x55u) << 1));
        dst[i] = x;
    }
}

/* ---- bfloat16 ---- */

NDC_INLINE uint32_t bf16_round(uint32_t u, int mode)
{
    uint32_t r, lo = u & 0xFFFFu, neg = u >> 31;
    switch (mode) {
    case NDC_ROUND_TOWARDZERO: r = u >> 16; break;
    case NDC_ROUND_UPWARD: r = (u >> 16) + (uint32_t)(lo != 0 && !neg); break;
    case NDC_ROUND_DOWNWARD: r = (u >> 16) + (uint32_t)(lo != 0 && neg); break;
    default: r = (u + 0x7FFFu + ((u >> 16) & 1u)) >> 16; break;
    }
    /* NaN: a quiet NaN keeping the sign */
    return (u & 0x7FFFFFFFu) > 0x7F800000u ? ((u >> 16) & 0x8000u) | 0x7FC0u : r;
}

#define BF16_ENCODE_LOOP(MODE, SWAP)                                   \
    for (i = 0; i < n; i++) {                                          \
        uint16_t r = (uint16_t)bf16_round(src[i], MODE);               \
        d[i] = SWAP ? bswap16(r) : r;                                  \
    }

#define BF16_ENCODE_MODE(MODE)                                         \
    if (swap) { BF16_ENCODE_LOOP(MODE, 1) } else { BF16_ENCODE_LOOP(MODE, 0) }

void ndc_bfloat16_encode(const uint32_t *RESTRICT src, uint8_t *RESTRICT dst, size_t n, int rounding, int swap)
{
    u16_unaligned *RESTRICT d = (u16_unaligned *)dst;
    size_t i;
    switch (rounding) {
    case NDC_ROUND_TOWARDZERO: BF16_ENCODE_MODE(NDC_ROUND_TOWARDZERO) break;
    case NDC_ROUND_UPWARD: BF16_ENCODE_MODE(NDC_ROUND_UPWARD) break;
    case NDC_ROUND_DOWNWARD: BF16_ENCODE_MODE(NDC_ROUND_DOWNWARD) break;
    default: BF16_ENCODE_MODE(NDC_ROUND_TONEAREST) break;
    }
}

void ndc_bfloat16_decode(const uint8_t *RESTRICT src, uint32_t *RESTRICT dst, size_t n, int swap)
{
    const u16_unaligned *RESTRICT s = (const u16_unaligned *)src;
    size_t i;
    if (swap) {
        for (i = 0; i < n; i++)
            dst[i] = (uint32_t)bswap16(s[i]) << 16;
    } else {
        for (i = 0; i < n; i++)
            dst[i] = (uint32_t)s[i] << 16;
    }
}

/* ---- float24 ---- */

/* Exact conversion with rounding; infinities for overflow in every mode,
   as imagecodecs does. Handles every input, including denormals. */
NDC_INLINE uint32_t f24_from_f32(uint32_t u, int mode)
{
    const uint32_t neg = u >> 31, exp = (u >> 23) & 0xFFu, man = u & 0x7FFFFFu;
    const uint32_t eff = exp ? exp : 1u;
    const uint32_t sig = exp ? man | 0x800000u : man;
    uint32_t shift = eff >= 65u ? 7u : 72u - eff;
    uint32_t q, rem, half, base, inc, r;
    if (shift > 31u)
        shift = 31u; /* sig < 2**24: nothing remains, all is remainder */
    q = sig >> shift;
    rem = sig & ((1u << shift) - 1u);
    half = 1u << (shift - 1u);
    base = (eff >= 65u ? (eff - 65u) << 16 : 0u) + q;
    switch (mode) {
    case NDC_ROUND_TOWARDZERO: inc = 0; break;
    case NDC_ROUND_UPWARD: inc = rem != 0 && !neg; break;
    case NDC_ROUND_DOWNWARD: inc = rem != 0 && neg; break;
    default: inc = rem > half || (rem == half && (q & 1u)); break;
    }
    r = base + inc;
    if (r > 0x7F0000u)
        r = 0x7F0000u;
    if (exp == 0xFFu)
        r = man ? 0x7F8000u : 0x7F0000u;
    return r | (neg << 23);
}

/* The common case, exponents 65..254 (normal float24 or overflow), without
   variable shifts, so that it vectorises. */
NDC_INLINE uint32_t f24_from_f32_normal(uint32_t u, int mode)
{
    const uint32_t neg = u >> 31;
    const uint32_t rem = u & 0x7Fu;
    const uint32_t base = ((u & 0x7FFFFFFFu) >> 7) - (64u << 16);
    uint32_t inc, r;
    switch (mode) {
    case NDC_ROUND_TOWARDZERO: inc = 0; break;
    case NDC_ROUND_UPWARD: inc = rem != 0 && !neg; break;
    case NDC_ROUND_DOWNWARD: inc = rem != 0 && neg; break;
    default: inc = rem > 0x40u || (rem == 0x40u && (base & 1u)); break;
    }
    r = base + inc;
    r = r > 0x7F0000u ? 0x7F0000u : r;
    return r | (neg << 23);
}

#define F24_BLOCK 64

NDC_INLINE void f24_encode_block(const uint32_t *RESTRICT src, uint8_t *RESTRICT dst, size_t n, int mode, int bigendian)
{
    uint32_t tmp[F24_BLOCK];
    uint32_t special = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        const uint32_t u = src[i];
        special |= (uint32_t)((((u >> 23) & 0xFFu) - 65u) > 189u);
        tmp[i] = f24_from_f32_normal(u, mode);
    }
    if (special) {
        for (i = 0; i < n; i++) {
            const uint32_t e = (src[i] >> 23) & 0xFFu;
            if (e < 65u || e == 0xFFu)
                tmp[i] = f24_from_f32(src[i], mode);
        }
    }
    if (bigendian) {
        for (i = 0; i < n; i++) {
            dst[3 * i] = (uint8_t)(tmp[i] >> 16);
            dst[3 * i + 1] = (uint8_t)(tmp[i] >> 8);
            dst[3 * i + 2] = (uint8_t)tmp[i];
        }
    } else {
        for (i = 0; i < n; i++) {
            dst[3 * i] = (uint8_t)tmp[i];
            dst[3 * i + 1] = (uint8_t)(tmp[i] >> 8);
            dst[3 * i + 2] = (uint8_t)(tmp[i] >> 16);
        }
    }
}

#define F24_ENCODE_MODE(MODE)                                                          \
    for (i = 0; i < n; i += F24_BLOCK) {                                               \
        const size_t k = n - i < F24_BLOCK ? n - i : F24_BLOCK;                        \
        if (bigendian)                                                                 \
            f24_encode_block(src + i, dst + 3 * i, k, MODE, 1);                        \
        else                                                                           \
            f24_encode_block(src + i, dst + 3 * i, k, MODE, 0);                        \
    }

void ndc_float24_encode(const uint32_t *RESTRICT src, uint8_t *RESTRICT dst, size_t n, int rounding, int bigendian)
{
    size_t i;
    switch (rounding) {
    case NDC_ROUND_TOWARDZERO: F24_ENCODE_MODE(NDC_ROUND_TOWARDZERO) break;
    case NDC_ROUND_UPWARD: F24_ENCODE_MODE(NDC_ROUND_UPWARD) break;
    case NDC_ROUND_DOWNWARD: F24_ENCODE_MODE(NDC_ROUND_DOWNWARD) break;
    default: F24_ENCODE_MODE(NDC_ROUND_TONEAREST) break;
    }
}

NDC_INLINE uint32_t f32_from_f24(uint32_t v)
{
    const uint32_t sign = (v >> 23) << 31, exp = (v >> 16) & 0x7Fu, man = v & 0xFFFFu;
    const float tiny = (float)(int32_t)man * 0x1p-78f; /* exact */
    uint32_t tinybits, r;
    memcpy(&tinybits, &tiny, 4);
    r = sign | ((exp + 64u) << 23) | (man << 7);
    r = exp == 0x7Fu ? sign | (man ? 0x7FC00000u : 0x7F800000u) : r;
    r = exp == 0 ? sign | tinybits : r;
    return r;
}

void ndc_float24_decode(const uint8_t *RESTRICT src, uint32_t *RESTRICT dst, size_t n, int bigendian)
{
    size_t i;
    if (bigendian) {
        for (i = 0; i < n; i++)
            dst[i] = f32_from_f24(((uint32_t)src[3 * i] << 16) | ((uint32_t)src[3 * i + 1] << 8) | src[3 * i + 2]);
    } else {
        for (i = 0; i < n; i++)
            dst[i] = f32_from_f24(((uint32_t)src[3 * i + 2] << 16) | ((uint32_t)src[3 * i + 1] << 8) | src[3 * i]);
    }
}

/* ---- packed integers ---- */

static size_t row_bytes(int bps, size_t runlen)
{
    return (runlen * (size_t)bps + 7) / 8;
}

size_t ndc_packints_decoded_count(size_t srcsize, int bps, size_t runlen)
{
    if (bps < 1 || bps > 32)
        return 0;
    if (runlen == 0)
        return srcsize / (size_t)bps * 8 + (srcsize % (size_t)bps) * 8 / (size_t)bps;
    return srcsize / row_bytes(bps, runlen) * runlen;
}

size_t ndc_packints_encoded_size(size_t nsamples, int bps, size_t runlen)
{
    if (runlen == 0)
        return nsamples / 8 * (size_t)bps + (nsamples % 8 * (size_t)bps + 7) / 8;
    return nsamples / runlen * row_bytes(bps, runlen);
}

NDC_INLINE void store_item(void *dst, size_t i, uint32_t v, int itemsize)
{
    if (itemsize == 1)
        ((uint8_t *)dst)[i] = (uint8_t)v;
    else if (itemsize == 2)
        ((u16_unaligned *)dst)[i] = (uint16_t)v;
    else
        ((u32_unaligned *)dst)[i] = v;
}

NDC_INLINE uint32_t load_item(const void *src, size_t i, int itemsize)
{
    if (itemsize == 1)
        return ((const uint8_t *)src)[i];
    if (itemsize == 2)
        return ((const u16_unaligned *)src)[i];
    return ((const u32_unaligned *)src)[i];
}

/* Unpack n samples of one row starting at src, which holds srcsize bytes
   (at least the row). */
NDC_INLINE void unpack_row(const uint8_t *RESTRICT src, size_t srcsize, uint8_t *RESTRICT dst, size_t n,
                           int bps, int itemsize)
{
    size_t i = 0, j;
    const uint64_t one = 1;
    if (itemsize == 1 && (bps == 1 || bps == 2 || bps == 4)) {
        /* whole bytes: 8 / bps samples each */
        const size_t per = (size_t)(8 / bps);
        const size_t nb = n / per;
        const uint8_t mask = (uint8_t)((1u << bps) - 1u);
        if (bps == 1) {
            for (j = 0; j < nb; j++)
                for (size_t k = 0; k < 8; k++)
                    dst[8 * j + k] = (uint8_t)((src[j] >> (7 - k)) & 1u);
        } else if (bps == 2) {
            for (j = 0; j < nb; j++)
                for (size_t k = 0; k < 4; k++)
                    dst[4 * j + k] = (uint8_t)((src[j] >> (6 - 2 * k)) & 3u);
        } else {
            for (j = 0; j < nb; j++) {
                dst[2 * j] = (uint8_t)(src[j] >> 4);
                dst[2 * j + 1] = (uint8_t)(src[j] & 15u);
            }
        }
        i = nb * per;
        for (; i < n; i++)
            dst[i] = (uint8_t)((src[i / per] >> (8 - bps - (int)(i % per) * bps)) & mask);
        return;
    }
    if (itemsize == 2 && bps == 12) {
        /* two samples in three bytes */
        u16_unaligned *RESTRICT d = (u16_unaligned *)dst;
        const size_t ng = n / 2;
        for (j = 0; j < ng; j++) {
            const uint32_t b0 = src[3 * j], b1 = src[3 * j + 1], b2 = src[3 * j + 2];
            d[2 * j] = (uint16_t)((b0 << 4) | (b1 >> 4));
            d[2 * j + 1] = (uint16_t)(((b1 & 15u) << 8) | b2);
        }
        i = ng * 2;
    } else if (itemsize == 2 && bps == 10) {
        /* four samples in five bytes */
        u16_unaligned *RESTRICT d = (u16_unaligned *)dst;
        const size_t ng = n / 4;
        for (j = 0; j < ng; j++) {
            const uint32_t b0 = src[5 * j], b1 = src[5 * j + 1], b2 = src[5 * j + 2];
            const uint32_t b3 = src[5 * j + 3], b4 = src[5 * j + 4];
            d[4 * j] = (uint16_t)((b0 << 2) | (b1 >> 6));
            d[4 * j + 1] = (uint16_t)(((b1 & 63u) << 4) | (b2 >> 4));
            d[4 * j + 2] = (uint16_t)(((b2 & 15u) << 6) | (b3 >> 2));
            d[4 * j + 3] = (uint16_t)(((b3 & 3u) << 8) | b4);
        }
        i = ng * 4;
    }
    for (; i < n; i++) {
        const size_t pos = i * (size_t)bps;
        const size_t byte = pos >> 3;
        const unsigned bit = (unsigned)(pos & 7);
        uint64_t w = 0;
        if (byte + 8 <= srcsize) {
            uint64_t t;
            memcpy(&t, src + byte, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            w = __builtin_bswap64(t);
#else
            w = t;
#endif
        } else {
            const size_t need = (bit + (unsigned)bps + 7) / 8;
            for (j = 0; j < 8; j++)
                w = (w << 8) | (j < need ? src[byte + j] : 0u);
        }
        store_item(dst, i, (uint32_t)((w << bit) >> (64 - bps)) & (uint32_t)((one << bps) - 1u), itemsize);
    }
}

ssize_t ndc_packints_decode(const uint8_t *src, size_t srcsize, void *dst, size_t nsamples,
                            int bps, size_t runlen, int itemsize)
{
    size_t rowlen, rb, row, nrows;
    if (bps < 1 || bps > 32 || (itemsize != 1 && itemsize != 2 && itemsize != 4) || bps > 8 * itemsize)
        return NDC_ERR_CORRUPT;
    if (nsamples > ndc_packints_decoded_count(srcsize, bps, runlen))
        return NDC_ERR_CORRUPT;
    if (nsamples == 0)
        return 0;
    if (bps == 8 * itemsize) {
        /* whole bytes, no padding: copied as they are (as imagecodecs) */
        memcpy(dst, src, nsamples * (size_t)itemsize);
        return (ssize_t)nsamples;
    }
    rowlen = runlen ? runlen : nsamples;
    rb = row_bytes(bps, rowlen);
    nrows = (nsamples + rowlen - 1) / rowlen;
    for (row = 0; row < nrows; row++) {
        const size_t n = row + 1 < nrows ? rowlen : nsamples - row * rowlen;
        const uint8_t *s = src + row * rb;
        uint8_t *d = (uint8_t *)dst + row * rowlen * (size_t)itemsize;
        const size_t room = srcsize - row * rb;
        if (itemsize == 1)
            unpack_row(s, room, d, n, bps, 1);
        else if (itemsize == 2)
            unpack_row(s, room, d, n, bps, 2);
        else
            unpack_row(s, room, d, n, bps, 4);
    }
    return (ssize_t)nsamples;
}

NDC_INLINE uint8_t *pack_row(const void *src, size_t first, size_t n, uint8_t *dst, int bps, int itemsize)
{
    const uint32_t mask = (uint32_t)((((uint64_t)1) << bps) - 1u);
    uint64_t acc = 0;
    unsigned nbits = 0;
    size_t i = 0, j;
    if (itemsize == 1 && (bps == 1 || bps == 2 || bps == 4)) {
        const uint8_t *RESTRICT s = (const uint8_t *)src + first;
        const size_t per = (size_t)(8 / bps), nb = n / per;
        const uint8_t m = (uint8_t)mask;
        if (bps == 1) {
            for (j = 0; j < nb; j++) {
                uint8_t b = 0;
                for (size_t k = 0; k < 8; k++)
                    b |= (uint8_t)((s[8 * j + k] & 1u) << (7 - k));
                dst[j] = b;
            }
        } else if (bps == 2) {
            for (j = 0; j < nb; j++)
                dst[j] = (uint8_t)(((s[4 * j] & m) << 6) | ((s[4 * j + 1] & m) << 4) | ((s[4 * j + 2] & m) << 2) | (s[4 * j + 3] & m));
        } else {
            for (j = 0; j < nb; j++)
                dst[j] = (uint8_t)(((s[2 * j] & m) << 4) | (s[2 * j + 1] & m));
        }
        dst += nb;
        i = nb * per;
    } else if (itemsize == 2 && bps == 12) {
        const u16_unaligned *RESTRICT s = (const u16_unaligned *)src + first;
        const size_t ng = n / 2;
        for (j = 0; j < ng; j++) {
            const uint32_t a = s[2 * j] & 0xFFFu, b = s[2 * j + 1] & 0xFFFu;
            dst[3 * j] = (uint8_t)(a >> 4);
            dst[3 * j + 1] = (uint8_t)((a << 4) | (b >> 8));
            dst[3 * j + 2] = (uint8_t)b;
        }
        dst += 3 * ng;
        i = ng * 2;
    }
    for (; i < n; i++) {
        acc = (acc << bps) | (load_item(src, first + i, itemsize) & mask);
        nbits += (unsigned)bps;
        while (nbits >= 8) {
            nbits -= 8;
            *dst++ = (uint8_t)(acc >> nbits);
        }
    }
    if (nbits)
        *dst++ = (uint8_t)(acc << (8 - nbits));
    return dst;
}

ssize_t ndc_packints_encode(const void *src, size_t nsamples, uint8_t *dst, size_t dstsize,
                            int bps, size_t runlen, int itemsize)
{
    size_t size, rowlen, nrows, row;
    uint8_t *d = dst;
    if (bps < 1 || bps > 32 || (itemsize != 1 && itemsize != 2 && itemsize != 4) || bps > 8 * itemsize)
        return NDC_ERR_CORRUPT;
    size = ndc_packints_encoded_size(nsamples, bps, runlen);
    if (size > dstsize)
        return NDC_ERR_OUTPUT;
    if (runlen)
        nsamples = nsamples / runlen * runlen;
    if (nsamples == 0)
        return 0;
    if (bps == 8 * itemsize) {
        memcpy(dst, src, nsamples * (size_t)itemsize);
        return (ssize_t)size;
    }
    rowlen = runlen ? runlen : nsamples;
    nrows = nsamples / rowlen;
    for (row = 0; row < nrows; row++) {
        if (itemsize == 1)
            d = pack_row(src, row * rowlen, rowlen, d, bps, 1);
        else if (itemsize == 2)
            d = pack_row(src, row * rowlen, rowlen, d, bps, 2);
        else
            d = pack_row(src, row * rowlen, rowlen, d, bps, 4);
    }
    return (ssize_t)(d - dst);
}

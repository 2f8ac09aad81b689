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

#if defined(__x86_64__) && defined(__GNUC__)
#include <emmintrin.h>
/* Eight floats at a time, in SSE2: the same rounding as bf16_round, as a
   bias added to the 32 bits before their upper half is taken. */
static size_t bf16_encode_sse2(const uint32_t *src, uint8_t *dst, size_t n, int mode, int swap)
{
    const __m128i one = _mm_set1_epi32(1), lowmask = _mm_set1_epi32(0xFFFF);
    const __m128i half = _mm_set1_epi32(0x7FFF), absmask = _mm_set1_epi32(0x7FFFFFFF);
    const __m128i inf = _mm_set1_epi32(0x7F800000), qnan = _mm_set1_epi32(0x7FC00000);
    const __m128i sign = _mm_set1_epi32((int)0x80000000u);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i v[2], r;
        for (int h = 0; h < 2; h++) {
            __m128i u = _mm_loadu_si128((const __m128i *)(src + i + 4 * h)), bias, nan;
            switch (mode) {
            case NDC_ROUND_TOWARDZERO: bias = _mm_setzero_si128(); break;
            case NDC_ROUND_UPWARD: bias = _mm_andnot_si128(_mm_srai_epi32(u, 31), lowmask); break;
            case NDC_ROUND_DOWNWARD: bias = _mm_and_si128(_mm_srai_epi32(u, 31), lowmask); break;
            default: bias = _mm_add_epi32(half, _mm_and_si128(_mm_srli_epi32(u, 16), one)); break;
            }
            nan = _mm_cmpgt_epi32(_mm_and_si128(u, absmask), inf);
            r = _mm_add_epi32(u, bias);
            r = _mm_or_si128(_mm_andnot_si128(nan, r),
                             _mm_and_si128(nan, _mm_or_si128(_mm_and_si128(u, sign), qnan)));
            v[h] = _mm_srai_epi32(r, 16); /* exact in int16: packs does not saturate */
        }
        r = _mm_packs_epi32(v[0], v[1]);
        if (swap)
            r = _mm_or_si128(_mm_slli_epi16(r, 8), _mm_srli_epi16(r, 8));
        _mm_storeu_si128((__m128i *)(dst + 2 * i), r);
    }
    return i;
}
#endif

void ndc_bfloat16_encode(const uint32_t *RESTRICT src, uint8_t *RESTRICT dst, size_t n, int rounding, int swap)
{
    u16_unaligned *RESTRICT d = (u16_unaligned *)dst;
    size_t i;
#if defined(__x86_64__) && defined(__GNUC__)
    {
        size_t done;
        switch (rounding) {
        case NDC_ROUND_TOWARDZERO: done = bf16_encode_sse2(src, dst, n, NDC_ROUND_TOWARDZERO, swap); break;
        case NDC_ROUND_UPWARD: done = bf16_encode_sse2(src, dst, n, NDC_ROUND_UPWARD, swap); break;
        case NDC_ROUND_DOWNWARD: done = bf16_encode_sse2(src, dst, n, NDC_ROUND_DOWNWARD, swap); break;
        default: done = bf16_encode_sse2(src, dst, n, NDC_ROUND_TONEAREST, swap); break;
        }
        src += done;
        d += done;
        n -= done;
    }
#endif
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
#if defined(__x86_64__) && defined(__GNUC__)
/* Bytes of 1, 2 or 4 bit samples, 16 at a time, to one byte per sample:
   the samples of each position in a byte are separated into planes, then
   the planes interleaved; returns the bytes done. */
static size_t unpack_small_sse2(const uint8_t *src, uint8_t *dst, size_t nb, int bps)
{
    const __m128i m1 = _mm_set1_epi8(1), m2 = _mm_set1_epi8(3), m4 = _mm_set1_epi8(15);
    size_t j = 0;
    for (; j + 16 <= nb; j += 16) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(src + j));
        if (bps == 4) {
            const __m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), m4), lo = _mm_and_si128(v, m4);
            _mm_storeu_si128((__m128i *)(dst + 2 * j), _mm_unpacklo_epi8(hi, lo));
            _mm_storeu_si128((__m128i *)(dst + 2 * j + 16), _mm_unpackhi_epi8(hi, lo));
        } else if (bps == 2) {
            const __m128i p0 = _mm_and_si128(_mm_srli_epi16(v, 6), m2), p1 = _mm_and_si128(_mm_srli_epi16(v, 4), m2);
            const __m128i p2 = _mm_and_si128(_mm_srli_epi16(v, 2), m2), p3 = _mm_and_si128(v, m2);
            const __m128i a0 = _mm_unpacklo_epi8(p0, p1), a1 = _mm_unpackhi_epi8(p0, p1);
            const __m128i b0 = _mm_unpacklo_epi8(p2, p3), b1 = _mm_unpackhi_epi8(p2, p3);
            _mm_storeu_si128((__m128i *)(dst + 4 * j), _mm_unpacklo_epi16(a0, b0));
            _mm_storeu_si128((__m128i *)(dst + 4 * j + 16), _mm_unpackhi_epi16(a0, b0));
            _mm_storeu_si128((__m128i *)(dst + 4 * j + 32), _mm_unpacklo_epi16(a1, b1));
            _mm_storeu_si128((__m128i *)(dst + 4 * j + 48), _mm_unpackhi_epi16(a1, b1));
        } else {
            __m128i p[8], a[8], b[8];
            for (int k = 0; k < 8; k++)
                p[k] = _mm_and_si128(_mm_srli_epi16(v, 7 - k), m1);
            for (int k = 0; k < 4; k++) {
                a[2 * k] = _mm_unpacklo_epi8(p[2 * k], p[2 * k + 1]);
                a[2 * k + 1] = _mm_unpackhi_epi8(p[2 * k], p[2 * k + 1]);
            }
            /* a[2k], a[2k+1]: pairs of samples 2k, 2k+1 of bytes 0-7, 8-15 */
            for (int h = 0; h < 2; h++) {
                b[4 * h] = _mm_unpacklo_epi16(a[h], a[2 + h]);
                b[4 * h + 1] = _mm_unpackhi_epi16(a[h], a[2 + h]);
                b[4 * h + 2] = _mm_unpacklo_epi16(a[4 + h], a[6 + h]);
                b[4 * h + 3] = _mm_unpackhi_epi16(a[4 + h], a[6 + h]);
            }
            for (int h = 0; h < 2; h++) {
                /* samples 0-3 with 4-7, bytes 8h .. 8h+7 */
                _mm_storeu_si128((__m128i *)(dst + 8 * j + 64 * h), _mm_unpacklo_epi32(b[4 * h], b[4 * h + 2]));
                _mm_storeu_si128((__m128i *)(dst + 8 * j + 64 * h + 16), _mm_unpackhi_epi32(b[4 * h], b[4 * h + 2]));
                _mm_storeu_si128((__m128i *)(dst + 8 * j + 64 * h + 32), _mm_unpacklo_epi32(b[4 * h + 1], b[4 * h + 3]));
                _mm_storeu_si128((__m128i *)(dst + 8 * j + 64 * h + 48), _mm_unpackhi_epi32(b[4 * h + 1], b[4 * h + 3]));
            }
        }
    }
    return j;
}
#endif

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
        size_t j0 = 0;
#if defined(__x86_64__) && defined(__GNUC__)
        j0 = bps == 1 ? unpack_small_sse2(src, dst, nb, 1)
           : bps == 2 ? unpack_small_sse2(src, dst, nb, 2) : unpack_small_sse2(src, dst, nb, 4);
#endif
        if (bps == 1) {
            for (j = j0; j < nb; j++)
                for (size_t k = 0; k < 8; k++)
                    dst[8 * j + k] = (uint8_t)((src[j] >> (7 - k)) & 1u);
        } else if (bps == 2) {
            for (j = j0; j < nb; j++)
                for (size_t k = 0; k < 4; k++)
                    dst[4 * j + k] = (uint8_t)((src[j] >> (6 - 2 * k)) & 3u);
        } else {
            for (j = j0; j < nb; j++) {
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
    } else if (itemsize == 2 && bps == 14) {
        /* four samples in seven bytes, read as one big-endian 64-bit word */
        u16_unaligned *RESTRICT d = (u16_unaligned *)dst;
        const size_t ng = n / 4;
        for (j = 0; j < ng && 7 * j + 8 <= srcsize; j++) {
            uint64_t w;
            memcpy(&w, src + 7 * j, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            w = __builtin_bswap64(w);
#endif
            d[4 * j] = (uint16_t)(w >> 50);
            d[4 * j + 1] = (uint16_t)((w >> 36) & 0x3FFFu);
            d[4 * j + 2] = (uint16_t)((w >> 22) & 0x3FFFu);
            d[4 * j + 3] = (uint16_t)((w >> 8) & 0x3FFFu);
        }
        i = j * 4;
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

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* 1-bit packing of 32 bytes at a time in AVX2: bit 0 of each byte to bit
   7, the bytes of each group of 8 reversed (first sample to the most
   significant bit), then gathered; returns the output bytes done. */
__attribute__((target("avx2"))) static size_t pack1_avx2(const uint8_t *s, uint8_t *dst, size_t nb)
{
    const __m256i rev = _mm256_setr_epi8(7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8,
                                         7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    size_t j = 0;
    for (; j + 4 <= nb; j += 4) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(s + 8 * j));
        uint32_t bits = (uint32_t)_mm256_movemask_epi8(_mm256_shuffle_epi8(_mm256_slli_epi16(v, 7), rev));
        memcpy(dst + j, &bits, 4);
    }
    return j;
}

static int cpu_avx2(void)
{
    static volatile int cached = -1; /* a race writes the same value */
    if (cached < 0)
        cached = __builtin_cpu_supports("avx2") ? 1 : 0;
    return cached;
}
#endif

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
            j = 0;
#if defined(__x86_64__) && defined(__GNUC__)
            if (cpu_avx2())
                j = pack1_avx2(s, dst, nb);
            /* bit 0 of 16 bytes moved to bit 7 and gathered; the first
               sample goes to the most significant bit, so reverse them */
            for (; j + 2 <= nb; j += 2) {
                const __m128i v = _mm_loadu_si128((const __m128i *)(s + 8 * j));
                uint32_t bits = (uint32_t)_mm_movemask_epi8(_mm_slli_epi16(v, 7));
                bits = ((bits & 0x5555u) << 1) | ((bits >> 1) & 0x5555u);
                bits = ((bits & 0x3333u) << 2) | ((bits >> 2) & 0x3333u);
                bits = ((bits & 0x0F0Fu) << 4) | ((bits >> 4) & 0x0F0Fu);
                dst[j] = (uint8_t)bits;
                dst[j + 1] = (uint8_t)(bits >> 8);
            }
#endif
            for (; j < nb; j++) {
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
    } else if (itemsize == 2 && (bps == 10 || bps == 14)) {
        /* four samples in bps / 2 bytes, built in one 64-bit word */
        const u16_unaligned *RESTRICT s = (const u16_unaligned *)src + first;
        const size_t ng = n / 4, gb = (size_t)bps / 2;
        for (j = 0; j < ng; j++) {
            uint64_t w = ((uint64_t)(s[4 * j] & mask) << (64 - bps)) | ((uint64_t)(s[4 * j + 1] & mask) << (64 - 2 * bps))
                       | ((uint64_t)(s[4 * j + 2] & mask) << (64 - 3 * bps)) | ((uint64_t)(s[4 * j + 3] & mask) << (64 - 4 * bps));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            w = __builtin_bswap64(w);
#endif
            if (bps == 10)
                memcpy(dst + 5 * j, &w, 5);
            else
                memcpy(dst + 7 * j, &w, 7);
        }
        dst += gb * ng;
        i = ng * 4;
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

/* ---- GenICam LSB-first and GigE Vision paired packing (16-bit samples) ---- */

/* Sample i of an LSB-first stream holds stream bits i*bps .. i*bps+bps-1,
   with bit k of a byte at stream bit 8*byte+k; bps is 9 to 14, so a
   sample spans at most three bytes. */
ssize_t ndc_packints_decode_lsb(const uint8_t *src, size_t srcsize, uint16_t *dst, size_t nsamples, int bps)
{
    const uint32_t mask = (1u << bps) - 1u;
    size_t i = 0;
    if (bps < 9 || bps > 14 || nsamples > ndc_packints_decoded_count(srcsize, bps, 0))
        return NDC_ERR_CORRUPT;
    if (bps == 12) {
        for (; i + 2 <= nsamples; i += 2) {
            const uint8_t *s = src + i / 2 * 3;
            dst[i] = (uint16_t)(s[0] | ((s[1] & 15u) << 8));
            dst[i + 1] = (uint16_t)((s[1] >> 4) | ((uint32_t)s[2] << 4));
        }
    }
    for (; i < nsamples; i++) {
        const size_t pos = i * (size_t)bps, byte = pos >> 3;
        uint32_t w = src[byte];
        if (byte + 1 < srcsize)
            w |= (uint32_t)src[byte + 1] << 8;
        if (byte + 2 < srcsize)
            w |= (uint32_t)src[byte + 2] << 16;
        dst[i] = (uint16_t)((w >> (pos & 7)) & mask);
    }
    return (ssize_t)nsamples;
}

ssize_t ndc_packints_encode_lsb(const uint16_t *src, size_t nsamples, uint8_t *dst, size_t dstsize, int bps)
{
    const uint32_t mask = (1u << bps) - 1u;
    const size_t size = ndc_packints_encoded_size(nsamples, bps, 0);
    uint32_t acc = 0;
    unsigned nbits = 0;
    size_t i = 0;
    uint8_t *d = dst;
    if (bps < 9 || bps > 14)
        return NDC_ERR_CORRUPT;
    if (size > dstsize)
        return NDC_ERR_OUTPUT;
    if (bps == 12) {
        for (; i + 2 <= nsamples; i += 2, d += 3) {
            const uint32_t a = src[i] & mask, b = src[i + 1] & mask;
            d[0] = (uint8_t)a;
            d[1] = (uint8_t)((a >> 8) | (b << 4));
            d[2] = (uint8_t)(b >> 4);
        }
    }
    for (; i < nsamples; i++) {
        acc |= (src[i] & mask) << nbits;
        nbits += (unsigned)bps;
        while (nbits >= 8) {
            *d++ = (uint8_t)acc;
            acc >>= 8;
            nbits -= 8;
        }
    }
    if (nbits)
        *d++ = (uint8_t)acc;
    return (ssize_t)(d - dst);
}

/* Two samples of 10 or 12 bits in three bytes: the high 8 bits of the
   first, the low bits of both (second in the upper nibble), the high 8
   bits of the second. */
ssize_t ndc_packints_decode_paired(const uint8_t *src, size_t srcsize, uint16_t *dst, size_t nsamples, int bps)
{
    const int lo = bps - 8;
    const uint32_t lowmask = (1u << lo) - 1u;
    if ((bps != 10 && bps != 12) || nsamples % 2 || nsamples / 2 > srcsize / 3)
        return NDC_ERR_CORRUPT;
    for (size_t j = 0; j < nsamples / 2; j++) {
        const uint32_t b0 = src[3 * j], b1 = src[3 * j + 1], b2 = src[3 * j + 2];
        dst[2 * j] = (uint16_t)((b0 << lo) | (b1 & lowmask));
        dst[2 * j + 1] = (uint16_t)((b2 << lo) | ((b1 >> 4) & lowmask));
    }
    return (ssize_t)nsamples;
}

ssize_t ndc_packints_encode_paired(const uint16_t *src, size_t nsamples, uint8_t *dst, size_t dstsize, int bps)
{
    const int lo = bps - 8;
    const uint32_t lowmask = (1u << lo) - 1u;
    if ((bps != 10 && bps != 12) || nsamples % 2)
        return NDC_ERR_CORRUPT;
    if (nsamples / 2 * 3 > dstsize)
        return NDC_ERR_OUTPUT;
    for (size_t j = 0; j < nsamples / 2; j++) {
        const uint32_t a = src[2 * j], b = src[2 * j + 1];
        dst[3 * j] = (uint8_t)(a >> lo);
        dst[3 * j + 1] = (uint8_t)(((b & lowmask) << 4) | (a & lowmask));
        dst[3 * j + 2] = (uint8_t)(b >> lo);
    }
    return (ssize_t)(nsamples / 2 * 3);
}

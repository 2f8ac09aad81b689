/* Array filters: delta, xor, byte shuffle and the TIFF floating point
   predictor. Written so that gcc -O3 vectorises the inner loops: one
   function per sample type (macros), contiguous loops on restrict
   pointers, in-place work through a small temporary. */

#include <stdlib.h>
#include <string.h>

#include "filters.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define NDC_X86 1
#endif

#define RESTRICT __restrict
#define TMPBYTES 8192 /* bytes of the stack temporary of in-place encoding */

#define OP_SUB(a, b) ((a) - (b))
#define OP_ADD(a, b) ((a) + (b))
#define OP_XOR(a, b) ((a) ^ (b))

/* Running sum (or xor) of one row, d[k] = s[k] OP d[k-1], in SIMD
   registers: a log-step prefix inside each vector, then the carry of the
   previous vector added. SSE2 is the x86-64 baseline; AVX2 is chosen at
   run time. d may equal s. */
#ifdef NDC_X86

/* every element set to the last element of its 128-bit lane */
static inline __m128i last8_sse2(__m128i x)
{
    x = _mm_unpackhi_epi8(x, x);
    x = _mm_unpackhi_epi16(x, x);
    return _mm_shuffle_epi32(x, 0xFF);
}
static inline __m128i last16_sse2(__m128i x)
{
    return _mm_shuffle_epi32(_mm_shufflehi_epi16(x, 0xFF), 0xFF);
}
static inline __m128i last32_sse2(__m128i x) { return _mm_shuffle_epi32(x, 0xFF); }
static inline __m128i last64_sse2(__m128i x) { return _mm_shuffle_epi32(x, 0xEE); }

__attribute__((target("avx2"))) static inline __m256i last8_avx2(__m256i x)
{
    return _mm256_shuffle_epi8(x, _mm256_set1_epi8(15));
}
__attribute__((target("avx2"))) static inline __m256i last16_avx2(__m256i x)
{
    return _mm256_shuffle_epi8(x, _mm256_set1_epi16(0x0F0E));
}
__attribute__((target("avx2"))) static inline __m256i last32_avx2(__m256i x)
{
    return _mm256_shuffle_epi32(x, 0xFF);
}
__attribute__((target("avx2"))) static inline __m256i last64_avx2(__m256i x)
{
    return _mm256_shuffle_epi32(x, 0xEE);
}

static int have_avx2(void)
{
    static volatile int cached = -1; /* idempotent: a race writes the same value */
    if (cached < 0)
        cached = __builtin_cpu_supports("avx2") ? 1 : 0;
    return cached;
}

#define SSE_XOR(W) _mm_xor_si128
#define AVX_XOR(W) _mm256_xor_si256
#define SSE_ADD(W) _mm_add_epi##W
#define AVX_ADD(W) _mm256_add_epi##W

/* NAME##_scan_sse2 / _avx2 on uintW_t, OPF the intrinsic family, SOP the
   scalar operation for the tail */
#define DEFINE_SCAN(NAME, W, OPF, SOP)                                         \
    static void NAME##_scan_sse2(uint##W##_t *d, const uint##W##_t *s,         \
                                 size_t L)                                     \
    {                                                                          \
        const size_t V = 16 / (W / 8);                                         \
        __m128i c = _mm_setzero_si128();                                       \
        uint##W##_t acc;                                                       \
        size_t k = 0;                                                          \
        for (; k + V <= L; k += V) {                                           \
            __m128i x = _mm_loadu_si128((const __m128i *)(s + k));             \
            x = SSE_##OPF(W)(x, _mm_slli_si128(x, W / 8));                     \
            if (W <= 32)                                                       \
                x = SSE_##OPF(W)(x, _mm_slli_si128(x, W / 4 & 15));            \
            if (W <= 16)                                                       \
                x = SSE_##OPF(W)(x, _mm_slli_si128(x, W / 2 & 15));            \
            if (W <= 8)                                                        \
                x = SSE_##OPF(W)(x, _mm_slli_si128(x, W & 15));                \
            x = SSE_##OPF(W)(x, c);                                            \
            _mm_storeu_si128((__m128i *)(d + k), x);                           \
            c = last##W##_sse2(x);                                             \
        }                                                                      \
        memcpy(&acc, &c, sizeof(acc));                                         \
        for (; k < L; k++)                                                     \
            d[k] = acc = (uint##W##_t)SOP(s[k], acc);                          \
    }                                                                          \
    __attribute__((target("avx2"))) static void NAME##_scan_avx2(              \
        uint##W##_t *d, const uint##W##_t *s, size_t L)                        \
    {                                                                          \
        const size_t V = 32 / (W / 8);                                         \
        __m256i c = _mm256_setzero_si256();                                    \
        uint##W##_t acc;                                                       \
        size_t k = 0;                                                          \
        for (; k + V <= L; k += V) {                                           \
            __m256i x = _mm256_loadu_si256((const __m256i *)(s + k));          \
            x = AVX_##OPF(W)(x, _mm256_slli_si256(x, W / 8));                  \
            if (W <= 32)                                                       \
                x = AVX_##OPF(W)(x, _mm256_slli_si256(x, W / 4 & 15));         \
            if (W <= 16)                                                       \
                x = AVX_##OPF(W)(x, _mm256_slli_si256(x, W / 2 & 15));         \
            if (W <= 8)                                                        \
                x = AVX_##OPF(W)(x, _mm256_slli_si256(x, W & 15));             \
            /* the low lane's total into the high lane, then the carry */     \
            x = AVX_##OPF(W)(x, last##W##_avx2(                                \
                                    _mm256_permute2x128_si256(x, x, 0x08)));   \
            x = AVX_##OPF(W)(x, c);                                            \
            _mm256_storeu_si256((__m256i *)(d + k), x);                        \
            c = last##W##_avx2(_mm256_permute2x128_si256(x, x, 0x11));         \
        }                                                                      \
        memcpy(&acc, &c, sizeof(acc));                                         \
        for (; k < L; k++)                                                     \
            d[k] = acc = (uint##W##_t)SOP(s[k], acc);                          \
    }                                                                          \
    static void NAME##_scan(uint##W##_t *d, const uint##W##_t *s, size_t L)    \
    {                                                                          \
        if (have_avx2())                                                       \
            NAME##_scan_avx2(d, s, L);                                         \
        else                                                                   \
            NAME##_scan_sse2(d, s, L);                                         \
    }

#define OP_ADD_(a, b) ((a) + (b))
#define OP_XOR_(a, b) ((a) ^ (b))
DEFINE_SCAN(delta8, 8, ADD, OP_ADD_)
DEFINE_SCAN(delta16, 16, ADD, OP_ADD_)
DEFINE_SCAN(delta32, 32, ADD, OP_ADD_)
DEFINE_SCAN(delta64, 64, ADD, OP_ADD_)
DEFINE_SCAN(xor8, 8, XOR, OP_XOR_)
DEFINE_SCAN(xor16, 16, XOR, OP_XOR_)
DEFINE_SCAN(xor32, 32, XOR, OP_XOR_)
DEFINE_SCAN(xor64, 64, XOR, OP_XOR_)
#define HAVE_SCAN(NAME) 1
#define SCAN(NAME, d, s, L) NAME##_scan(d, s, L)
#else
#define HAVE_SCAN(NAME) 0
#define SCAN(NAME, d, s, L) ((void)0)
#endif

/* One filter on one sample type: encode x[k] ENC x[k - D], decode the
   inverse, on blocks of L = n * inner contiguous samples, D = dist * inner. */
#define DEFINE_FILTER(NAME, T, ENC, DEC)                                       \
    static void NAME##_enc3(T *RESTRICT d, const T *RESTRICT a,                \
                            const T *RESTRICT b, size_t m)                     \
    {                                                                          \
        for (size_t j = 0; j < m; j++)                                         \
            d[j] = (T)ENC(a[j], b[j]);                                         \
    }                                                                          \
    static void NAME##_dec3(T *RESTRICT d, const T *RESTRICT a,                \
                            const T *RESTRICT b, size_t m)                     \
    {                                                                          \
        for (size_t j = 0; j < m; j++)                                         \
            d[j] = (T)DEC(a[j], b[j]);                                         \
    }                                                                          \
    static void NAME##_dec2(T *RESTRICT d, const T *RESTRICT b, size_t m)      \
    {                                                                          \
        for (size_t j = 0; j < m; j++)                                         \
            d[j] = (T)DEC(d[j], b[j]);                                         \
    }                                                                          \
    static void NAME##_encode(T *d, const T *s, size_t outer, size_t L,        \
                              size_t D)                                        \
    {                                                                          \
        T tmp[TMPBYTES / sizeof(T)];                                           \
        const size_t B = TMPBYTES / sizeof(T);                                 \
        for (size_t o = 0; o < outer; o++, d += L, s += L) {                   \
            if (D >= L) {                                                      \
                if (d != s)                                                    \
                    memcpy(d, s, L * sizeof(T));                               \
                continue;                                                      \
            }                                                                  \
            if (d != s) {                                                      \
                memcpy(d, s, D * sizeof(T));                                   \
                NAME##_enc3(d + D, s + D, s, L - D);                           \
                continue;                                                      \
            }                                                                  \
            /* in place: from the end, through tmp, so that every sample  */  \
            /* read is still the original */                                   \
            for (size_t hi = L; hi > D;) {                                     \
                size_t lo = hi - D > B ? hi - B : D;                           \
                NAME##_enc3(tmp, s + lo, s + lo - D, hi - lo);                 \
                memcpy(d + lo, tmp, (hi - lo) * sizeof(T));                    \
                hi = lo;                                                       \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    static void NAME##_decode(T *d, const T *s, size_t outer, size_t L,        \
                              size_t D, size_t inner)                          \
    {                                                                          \
        size_t o = 0;                                                          \
        if (inner >= 16) {                                                     \
            /* rows of inner samples: one vector loop per row */               \
            for (; o < outer; o++, d += L, s += L) {                           \
                size_t k = D < L ? D : L;                                      \
                if (d != s)                                                    \
                    memcpy(d, s, k * sizeof(T));                               \
                for (; k < L; k += inner) {                                    \
                    if (d == s)                                                \
                        NAME##_dec2(d + k, d + k - D, inner);                  \
                    else                                                       \
                        NAME##_dec3(d + k, s + k, d + k - D, inner);           \
                }                                                              \
            }                                                                  \
            return;                                                            \
        }                                                                      \
        if (D == 1 && HAVE_SCAN(NAME)) {                                       \
            for (; o < outer; o++, d += L, s += L)                             \
                SCAN(NAME, d, s, L);                                           \
            return;                                                            \
        }                                                                      \
        if (D == 1) {                                                          \
            /* a running sum: four blocks at a time for parallel chains */    \
            for (; o + 4 <= outer; o += 4, d += 4 * L, s += 4 * L) {           \
                T a0 = 0, a1 = 0, a2 = 0, a3 = 0;                              \
                for (size_t k = 0; k < L; k++) {                               \
                    a0 = (T)DEC(s[k], a0);                                     \
                    a1 = (T)DEC(s[k + L], a1);                                 \
                    a2 = (T)DEC(s[k + 2 * L], a2);                             \
                    a3 = (T)DEC(s[k + 3 * L], a3);                             \
                    d[k] = a0;                                                 \
                    d[k + L] = a1;                                             \
                    d[k + 2 * L] = a2;                                         \
                    d[k + 3 * L] = a3;                                         \
                }                                                              \
            }                                                                  \
            for (; o < outer; o++, d += L, s += L) {                           \
                T a0 = 0;                                                      \
                for (size_t k = 0; k < L; k++) {                               \
                    a0 = (T)DEC(s[k], a0);                                     \
                    d[k] = a0;                                                 \
                }                                                              \
            }                                                                  \
            return;                                                            \
        }                                                                      \
        for (; o < outer; o++, d += L, s += L) {                               \
            size_t k = D < L ? D : L;                                          \
            if (d != s)                                                        \
                memcpy(d, s, k * sizeof(T));                                   \
            for (; k < L; k++)                                                 \
                d[k] = (T)DEC(s[k], d[k - D]);                                 \
        }                                                                      \
    }

DEFINE_FILTER(delta8, uint8_t, OP_SUB, OP_ADD)
DEFINE_FILTER(delta16, uint16_t, OP_SUB, OP_ADD)
DEFINE_FILTER(delta32, uint32_t, OP_SUB, OP_ADD)
DEFINE_FILTER(delta64, uint64_t, OP_SUB, OP_ADD)
DEFINE_FILTER(xor8, uint8_t, OP_XOR, OP_XOR)
DEFINE_FILTER(xor16, uint16_t, OP_XOR, OP_XOR)
DEFINE_FILTER(xor32, uint32_t, OP_XOR, OP_XOR)
DEFINE_FILTER(xor64, uint64_t, OP_XOR, OP_XOR)

static int too_large(size_t outer, size_t n, size_t inner, size_t itemsize)
{
    size_t total;
    if (n && inner > SIZE_MAX / n)
        return 1;
    total = n * inner;
    if (outer && total > SIZE_MAX / outer)
        return 1;
    total *= outer;
    return itemsize && total > SIZE_MAX / itemsize;
}

#define DISPATCH(NAME, SIZE, DECODE, ...)                                      \
    switch (SIZE) {                                                            \
    case 1:                                                                    \
        if (DECODE)                                                            \
            NAME##8_decode(__VA_ARGS__, inner);                                \
        else                                                                   \
            NAME##8_encode(__VA_ARGS__);                                       \
        break;                                                                 \
    case 2:                                                                    \
        if (DECODE)                                                            \
            NAME##16_decode(__VA_ARGS__, inner);                               \
        else                                                                   \
            NAME##16_encode(__VA_ARGS__);                                      \
        break;                                                                 \
    case 4:                                                                    \
        if (DECODE)                                                            \
            NAME##32_decode(__VA_ARGS__, inner);                               \
        else                                                                   \
            NAME##32_encode(__VA_ARGS__);                                      \
        break;                                                                 \
    case 8:                                                                    \
        if (DECODE)                                                            \
            NAME##64_decode(__VA_ARGS__, inner);                               \
        else                                                                   \
            NAME##64_encode(__VA_ARGS__);                                      \
        break;                                                                 \
    default:                                                                   \
        return NDC_ERR_CORRUPT;                                                \
    }

static void bswap_copy(void *dst, const void *src, size_t count, int itemsize)
{
    size_t i;
    switch (itemsize) {
    case 2: {
        uint16_t *d = (uint16_t *)dst;
        const uint16_t *s = (const uint16_t *)src;
        for (i = 0; i < count; i++)
            d[i] = __builtin_bswap16(s[i]);
        break;
    }
    case 4: {
        uint32_t *d = (uint32_t *)dst;
        const uint32_t *s = (const uint32_t *)src;
        for (i = 0; i < count; i++)
            d[i] = __builtin_bswap32(s[i]);
        break;
    }
    case 8: {
        uint64_t *d = (uint64_t *)dst;
        const uint64_t *s = (const uint64_t *)src;
        for (i = 0; i < count; i++)
            d[i] = __builtin_bswap64(s[i]);
        break;
    }
    default:
        if (dst != src)
            memcpy(dst, src, count * (size_t)itemsize);
    }
}

int ndc_delta(void *dst, const void *src, size_t outer, size_t n, size_t inner,
              size_t dist, int itemsize, int swap, int decode)
{
    size_t L, D;
    if (dist < 1 || too_large(outer, n, inner, (size_t)itemsize))
        return NDC_ERR_CORRUPT;
    L = n * inner;
    D = dist > n ? L : dist * inner;
    if (L == 0 || outer == 0)
        return 0;
    if (swap && itemsize > 1) {
        bswap_copy(dst, src, outer * L, itemsize);
        src = dst;
    }
    DISPATCH(delta, itemsize, decode, dst, src, outer, L, D)
    if (swap && itemsize > 1)
        bswap_copy(dst, dst, outer * L, itemsize);
    return 0;
}

int ndc_xor(void *dst, const void *src, size_t outer, size_t n, size_t inner,
            size_t dist, int itemsize, int decode)
{
    size_t L, D;
    if (dist < 1 || too_large(outer, n, inner, (size_t)itemsize))
        return NDC_ERR_CORRUPT;
    L = n * inner;
    D = dist > n ? L : dist * inner;
    if (L == 0 || outer == 0)
        return 0;
    DISPATCH(xor, itemsize, decode, dst, src, outer, L, D)
    return 0;
}

/* Byte shuffle of n samples of S bytes: plane p holds byte p of every
   sample (byte S-1-p if reversed). */
#define DEFINE_SHUFFLE(S)                                                      \
    static void shuffle##S(uint8_t *RESTRICT d, const uint8_t *RESTRICT s,     \
                           size_t n, int reverse)                              \
    {                                                                          \
        if (reverse) {                                                         \
            for (size_t j = 0; j < n; j++)                                     \
                for (int p = 0; p < S; p++)                                    \
                    d[(size_t)p * n + j] = s[j * S + (S - 1 - p)];             \
        }                                                                      \
        else {                                                                 \
            for (size_t j = 0; j < n; j++)                                     \
                for (int p = 0; p < S; p++)                                    \
                    d[(size_t)p * n + j] = s[j * S + p];                       \
        }                                                                      \
    }                                                                          \
    static void unshuffle##S(uint8_t *RESTRICT d, const uint8_t *RESTRICT s,   \
                             size_t n, int reverse)                            \
    {                                                                          \
        if (reverse) {                                                         \
            for (size_t j = 0; j < n; j++)                                     \
                for (int p = 0; p < S; p++)                                    \
                    d[j * S + (S - 1 - p)] = s[(size_t)p * n + j];             \
        }                                                                      \
        else {                                                                 \
            for (size_t j = 0; j < n; j++)                                     \
                for (int p = 0; p < S; p++)                                    \
                    d[j * S + p] = s[(size_t)p * n + j];                       \
        }                                                                      \
    }

DEFINE_SHUFFLE(2)
DEFINE_SHUFFLE(4)
DEFINE_SHUFFLE(8)

static void shuffle(uint8_t *RESTRICT d, const uint8_t *RESTRICT s, size_t n,
                    int S, int reverse)
{
    switch (S) {
    case 1:
        memcpy(d, s, n);
        return;
    case 2:
        shuffle2(d, s, n, reverse);
        return;
    case 4:
        shuffle4(d, s, n, reverse);
        return;
    case 8:
        shuffle8(d, s, n, reverse);
        return;
    }
    for (int p = 0; p < S; p++) {
        const uint8_t *sp = s + (reverse ? S - 1 - p : p);
        uint8_t *dp = d + (size_t)p * n;
        for (size_t j = 0; j < n; j++)
            dp[j] = sp[j * (size_t)S];
    }
}

static void unshuffle(uint8_t *RESTRICT d, const uint8_t *RESTRICT s, size_t n,
                      int S, int reverse)
{
    switch (S) {
    case 1:
        memcpy(d, s, n);
        return;
    case 2:
        unshuffle2(d, s, n, reverse);
        return;
    case 4:
        unshuffle4(d, s, n, reverse);
        return;
    case 8:
        unshuffle8(d, s, n, reverse);
        return;
    }
    for (int p = 0; p < S; p++) {
        const uint8_t *sp = s + (size_t)p * n;
        uint8_t *dp = d + (reverse ? S - 1 - p : p);
        for (size_t j = 0; j < n; j++)
            dp[j * (size_t)S] = sp[j];
    }
}

int ndc_byteshuffle(void *dst, const void *src, size_t outer, size_t n,
                    int itemsize, size_t dist, int delta, int reverse,
                    int decode)
{
    uint8_t *d = (uint8_t *)dst;
    const uint8_t *s = (const uint8_t *)src;
    uint8_t *tmp = NULL;
    size_t L, k;
    if (itemsize < 1 || dist < 1 || too_large(outer, n, 1, (size_t)itemsize))
        return NDC_ERR_CORRUPT;
    L = n * (size_t)itemsize;
    if (L == 0 || outer == 0)
        return 0;
    if (delta || d == s) {
        tmp = (uint8_t *)malloc(L);
        if (tmp == NULL)
            return NDC_ERR_MEMORY;
    }
    for (size_t o = 0; o < outer; o++, d += L, s += L) {
        if (!decode) {
            if (tmp == NULL) {
                shuffle(d, s, n, itemsize, reverse);
                continue;
            }
            shuffle(tmp, s, n, itemsize, reverse);
            if (!delta) {
                memcpy(d, tmp, L);
                continue;
            }
            k = dist < L ? dist : L;
            memcpy(d, tmp, k);
            if (k < L)
                delta8_enc3(d + k, tmp + k, tmp, L - k);
            continue;
        }
        if (!delta) {
            if (tmp == NULL) {
                unshuffle(d, s, n, itemsize, reverse);
            }
            else {
                memcpy(tmp, s, L);
                unshuffle(d, tmp, n, itemsize, reverse);
            }
            continue;
        }
        if (dist == 1) {
            uint8_t acc = 0;
            for (k = 0; k < L; k++) {
                acc = (uint8_t)(acc + s[k]);
                tmp[k] = acc;
            }
        }
        else {
            k = dist < L ? dist : L;
            memcpy(tmp, s, k);
            for (; k < L; k++)
                tmp[k] = (uint8_t)(s[k] + tmp[k - dist]);
        }
        unshuffle(d, tmp, n, itemsize, reverse);
    }
    free(tmp);
    return 0;
}

/* Bitshuffle: see bitshuffle.h. Our own implementation: bytes are first
   grouped by byte position (a byte transpose), then each 8x8 bit matrix is
   transposed, with SSE2 movemask (forward) and 64-bit delta swaps in SIMD
   lanes (inverse), and AVX2 where the CPU has it. */

#include "bitshuffle.h"

#include <stdlib.h>
#include <string.h>

#include <lz4.h>
#include <zstd.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define NDC_X86 1
#endif

#define TARGET_BLOCK_BYTES 8192
#define MIN_BLOCK 128
#define STACK_TMP 16384

size_t ndc_bitshuffle_default_blocksize(size_t itemsize)
{
    size_t n = TARGET_BLOCK_BYTES / (itemsize ? itemsize : 1);
    n -= n % 8;
    return n < MIN_BLOCK ? MIN_BLOCK : n;
}

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

static inline void store64(uint8_t *p, uint64_t x) { memcpy(p, &x, 8); }

/* transpose an 8x8 bit matrix: bit 8*r+c <-> bit 8*c+r */
static inline uint64_t transpose8(uint64_t x)
{
    uint64_t t;
    t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAULL;
    x ^= t ^ (t << 7);
    t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCULL;
    x ^= t ^ (t << 14);
    t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ULL;
    x ^= t ^ (t << 28);
    return x;
}

/* ---- bit stage: one byte row of n bytes (n % 8 == 0) <-> 8 rows of n/8 ---- */

static void bits_fwd_scalar(const uint8_t *in, uint8_t *out, size_t n, size_t j0)
{
    size_t m = n / 8;
    for (size_t j = j0; j < m; j++) {
        uint64_t x = transpose8(load64(in + 8 * j));
        for (int k = 0; k < 8; k++)
            out[k * m + j] = (uint8_t)(x >> (8 * k));
    }
}

static void bits_inv_scalar(const uint8_t *in, uint8_t *out, size_t n, size_t j0)
{
    size_t m = n / 8;
    for (size_t j = j0; j < m; j++) {
        uint64_t x = 0;
        for (int k = 0; k < 8; k++)
            x |= (uint64_t)in[k * m + j] << (8 * k);
        store64(out + 8 * j, transpose8(x));
    }
}

#ifdef NDC_X86

static void bits_fwd_sse2(const uint8_t *in, uint8_t *out, size_t n)
{
    size_t m = n / 8, j = 0;
    for (; j + 2 <= m; j += 2) {
        __m128i v = _mm_loadu_si128((const __m128i *)(in + 8 * j));
        for (int k = 7; k >= 0; k--) {
            uint16_t bits = (uint16_t)_mm_movemask_epi8(v);
            memcpy(out + k * m + j, &bits, 2);
            v = _mm_add_epi8(v, v);
        }
    }
    bits_fwd_scalar(in, out, n, j);
}

__attribute__((target("avx2")))
static void bits_fwd_avx2(const uint8_t *in, uint8_t *out, size_t n)
{
    size_t m = n / 8, j = 0;
    for (; j + 4 <= m; j += 4) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(in + 8 * j));
        for (int k = 7; k >= 0; k--) {
            uint32_t bits = (uint32_t)_mm256_movemask_epi8(v);
            memcpy(out + k * m + j, &bits, 4);
            v = _mm256_add_epi8(v, v);
        }
    }
    bits_fwd_scalar(in, out, n, j);
}
#endif

#ifdef NDC_X86

#define T8_SSE(x, sh, c)                                                   \
    do {                                                                   \
        __m128i t_ = _mm_and_si128(_mm_xor_si128(x, _mm_srli_epi64(x, sh)), c); \
        x = _mm_xor_si128(x, _mm_xor_si128(t_, _mm_slli_epi64(t_, sh)));  \
    } while (0)

static inline __m128i transpose8_sse2(__m128i x)
{
    T8_SSE(x, 7, _mm_set1_epi64x(0x00AA00AA00AA00AALL));
    T8_SSE(x, 14, _mm_set1_epi64x(0x0000CCCC0000CCCCLL));
    T8_SSE(x, 28, _mm_set1_epi64x(0x00000000F0F0F0F0LL));
    return x;
}

static void bits_inv_sse2(const uint8_t *in, uint8_t *out, size_t n)
{
    size_t m = n / 8, j = 0;
    for (; j + 16 <= m; j += 16) {
        __m128i r[8], a[8], b[8], d[8];
        for (int k = 0; k < 8; k++)
            r[k] = _mm_loadu_si128((const __m128i *)(in + k * m + j));
        for (int k = 0; k < 8; k += 2) {
            a[k] = _mm_unpacklo_epi8(r[k], r[k + 1]);
            a[k + 1] = _mm_unpackhi_epi8(r[k], r[k + 1]);
        }
        /* b[0..3]: rows 0-3 of columns 0-3, 4-7, 8-11, 12-15; b[4..7]: rows 4-7 */
        for (int h = 0; h < 2; h++) {
            b[4 * h + 0] = _mm_unpacklo_epi16(a[4 * h + 0], a[4 * h + 2]);
            b[4 * h + 1] = _mm_unpackhi_epi16(a[4 * h + 0], a[4 * h + 2]);
            b[4 * h + 2] = _mm_unpacklo_epi16(a[4 * h + 1], a[4 * h + 3]);
            b[4 * h + 3] = _mm_unpackhi_epi16(a[4 * h + 1], a[4 * h + 3]);
        }
        for (int q = 0; q < 4; q++) {
            d[2 * q] = _mm_unpacklo_epi32(b[q], b[4 + q]);
            d[2 * q + 1] = _mm_unpackhi_epi32(b[q], b[4 + q]);
        }
        for (int p = 0; p < 8; p++)
            _mm_storeu_si128((__m128i *)(out + 8 * (j + 2 * p)), transpose8_sse2(d[p]));
    }
    bits_inv_scalar(in, out, n, j);
}

#define T8_AVX(x, sh, c)                                                        \
    do {                                                                        \
        __m256i t_ = _mm256_and_si256(_mm256_xor_si256(x, _mm256_srli_epi64(x, sh)), c); \
        x = _mm256_xor_si256(x, _mm256_xor_si256(t_, _mm256_slli_epi64(t_, sh)));      \
    } while (0)

__attribute__((target("avx2")))
static void bits_inv_avx2(const uint8_t *in, uint8_t *out, size_t n)
{
    size_t m = n / 8, j = 0;
    const __m256i c1 = _mm256_set1_epi64x(0x00AA00AA00AA00AALL);
    const __m256i c2 = _mm256_set1_epi64x(0x0000CCCC0000CCCCLL);
    const __m256i c3 = _mm256_set1_epi64x(0x00000000F0F0F0F0LL);
    for (; j + 32 <= m; j += 32) {
        __m256i r[8], a[8], b[8], d[8];
        for (int k = 0; k < 8; k++)
            r[k] = _mm256_loadu_si256((const __m256i *)(in + k * m + j));
        for (int k = 0; k < 8; k += 2) {
            a[k] = _mm256_unpacklo_epi8(r[k], r[k + 1]);
            a[k + 1] = _mm256_unpackhi_epi8(r[k], r[k + 1]);
        }
        for (int h = 0; h < 2; h++) {
            b[4 * h + 0] = _mm256_unpacklo_epi16(a[4 * h + 0], a[4 * h + 2]);
            b[4 * h + 1] = _mm256_unpackhi_epi16(a[4 * h + 0], a[4 * h + 2]);
            b[4 * h + 2] = _mm256_unpacklo_epi16(a[4 * h + 1], a[4 * h + 3]);
            b[4 * h + 3] = _mm256_unpackhi_epi16(a[4 * h + 1], a[4 * h + 3]);
        }
        for (int q = 0; q < 4; q++) {
            d[2 * q] = _mm256_unpacklo_epi32(b[q], b[4 + q]);
            d[2 * q + 1] = _mm256_unpackhi_epi32(b[q], b[4 + q]);
        }
        for (int p = 0; p < 8; p++) {
            __m256i x = d[p];
            T8_AVX(x, 7, c1);
            T8_AVX(x, 14, c2);
            T8_AVX(x, 28, c3);
            /* lane 0: columns j+2p, j+2p+1; lane 1: 16 columns later */
            _mm_storeu_si128((__m128i *)(out + 8 * (j + 2 * p)), _mm256_castsi256_si128(x));
            _mm_storeu_si128((__m128i *)(out + 8 * (j + 16 + 2 * p)), _mm256_extracti128_si256(x, 1));
        }
    }
    bits_inv_scalar(in, out, n, j);
}

static int have_avx2(void)
{
    static int cached = -1;
    if (cached < 0)
        cached = __builtin_cpu_supports("avx2") ? 1 : 0;
    return cached;
}

static void bits_fwd(const uint8_t *in, uint8_t *out, size_t n)
{
    if (have_avx2())
        bits_fwd_avx2(in, out, n);
    else
        bits_fwd_sse2(in, out, n);
}

static void bits_inv(const uint8_t *in, uint8_t *out, size_t n)
{
    if (have_avx2())
        bits_inv_avx2(in, out, n);
    else
        bits_inv_sse2(in, out, n);
}

#else

static void bits_fwd(const uint8_t *in, uint8_t *out, size_t n) { bits_fwd_scalar(in, out, n, 0); }
static void bits_inv(const uint8_t *in, uint8_t *out, size_t n) { bits_inv_scalar(in, out, n, 0); }

#endif

/* ---- byte stage: n elements of s bytes <-> s rows of n bytes ---- */

#define BYTE_FWD(S)                                 \
    for (size_t i = 0; i < n; i++)                  \
        for (size_t b = 0; b < (S); b++)            \
            out[b * n + i] = in[i * (S) + b];

#define BYTE_INV(S)                                 \
    for (size_t i = 0; i < n; i++)                  \
        for (size_t b = 0; b < (S); b++)            \
            out[i * (S) + b] = in[b * n + i];

#ifdef NDC_X86
/* One round of byte interleaving over S vectors (S = 2, 4 or 8): viewing
   the 16 * S bytes as one array, each round rotates the bits of a byte's
   index left by one. */
static inline __attribute__((always_inline)) void interleave_round(__m128i *v, const int S)
{
    __m128i t[8];
    for (int k = 0; k < S / 2; k++) {
        t[2 * k] = _mm_unpacklo_epi8(v[k], v[k + S / 2]);
        t[2 * k + 1] = _mm_unpackhi_epi8(v[k], v[k + S / 2]);
    }
    for (int k = 0; k < S; k++)
        v[k] = t[k];
}

/* n elements of S bytes to S rows of n bytes, 16 elements at a time: the
   index e * S + b becomes b * 16 + e after four rounds */
static inline __attribute__((always_inline)) size_t bytes_fwd_sse2(const uint8_t *in, uint8_t *out, size_t n, const int S)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i v[8];
        for (int k = 0; k < S; k++)
            v[k] = _mm_loadu_si128((const __m128i *)(in + i * S + 16 * k));
        for (int r = 0; r < 4; r++)
            interleave_round(v, S);
        for (int k = 0; k < S; k++)
            _mm_storeu_si128((__m128i *)(out + k * n + i), v[k]);
    }
    return i;
}

/* the inverse: log2(S) rounds turn b * 16 + e into e * S + b */
static inline __attribute__((always_inline)) size_t bytes_inv_sse2(const uint8_t *in, uint8_t *out, size_t n, const int S)
{
    const int rounds = S == 2 ? 1 : S == 4 ? 2 : 3;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i v[8];
        for (int k = 0; k < S; k++)
            v[k] = _mm_loadu_si128((const __m128i *)(in + k * n + i));
        for (int r = 0; r < rounds; r++)
            interleave_round(v, S);
        for (int k = 0; k < S; k++)
            _mm_storeu_si128((__m128i *)(out + i * S + 16 * k), v[k]);
    }
    return i;
}
#endif

#define BYTE_FWD_FROM(S, I0)                        \
    for (size_t i = (I0); i < n; i++)               \
        for (size_t b = 0; b < (S); b++)            \
            out[b * n + i] = in[i * (S) + b];

#define BYTE_INV_FROM(S, I0)                        \
    for (size_t i = (I0); i < n; i++)               \
        for (size_t b = 0; b < (S); b++)            \
            out[i * (S) + b] = in[b * n + i];

static void bytes_fwd(const uint8_t *in, uint8_t *out, size_t n, size_t s)
{
#ifdef NDC_X86
    if (s == 2 || s == 4 || s == 8) {
        /* constant S, so that the rounds unroll into registers */
        size_t i0 = s == 2 ? bytes_fwd_sse2(in, out, n, 2)
                  : s == 4 ? bytes_fwd_sse2(in, out, n, 4) : bytes_fwd_sse2(in, out, n, 8);
        BYTE_FWD_FROM(s, i0)
        return;
    }
#endif
    switch (s) {
    case 2: BYTE_FWD(2) break;
    case 4: BYTE_FWD(4) break;
    case 8: BYTE_FWD(8) break;
    default: BYTE_FWD(s) break;
    }
}

static void bytes_inv(const uint8_t *in, uint8_t *out, size_t n, size_t s)
{
#ifdef NDC_X86
    if (s == 2 || s == 4 || s == 8) {
        size_t i0 = s == 2 ? bytes_inv_sse2(in, out, n, 2)
                  : s == 4 ? bytes_inv_sse2(in, out, n, 4) : bytes_inv_sse2(in, out, n, 8);
        BYTE_INV_FROM(s, i0)
        return;
    }
#endif
    switch (s) {
    case 2: BYTE_INV(2) break;
    case 4: BYTE_INV(4) break;
    case 8: BYTE_INV(8) break;
    default: BYTE_INV(s) break;
    }
}

/* one block of n elements (n % 8 == 0); tmp holds n * s bytes */
static void block_fwd(const uint8_t *src, uint8_t *dst, uint8_t *tmp, size_t n, size_t s)
{
    if (s == 1) {
        bits_fwd(src, dst, n);
        return;
    }
    bytes_fwd(src, tmp, n, s);
    for (size_t b = 0; b < s; b++)
        bits_fwd(tmp + b * n, dst + b * n, n);
}

static void block_inv(const uint8_t *src, uint8_t *dst, uint8_t *tmp, size_t n, size_t s)
{
    if (s == 1) {
        bits_inv(src, dst, n);
        return;
    }
    for (size_t b = 0; b < s; b++)
        bits_inv(src + b * n, tmp + b * n, n);
    bytes_inv(tmp, dst, n, s);
}

/* a scratch buffer of size bytes: on the stack if small */
typedef struct {
    uint8_t *p;
    uint8_t stack[STACK_TMP];
    int heap;
} scratch_t;

static int scratch_get(scratch_t *s, size_t size)
{
    s->heap = size > STACK_TMP;
    s->p = s->heap ? (uint8_t *)malloc(size) : s->stack;
    return s->p != NULL;
}

static void scratch_free(scratch_t *s)
{
    if (s->heap)
        free(s->p);
}

ssize_t ndc_bitshuffle(const uint8_t *src, uint8_t *dst, size_t size,
                       size_t itemsize, size_t blocksize, int inverse)
{
    size_t nelem, done = 0, n;
    scratch_t tmp;
    if (itemsize == 0 || size % itemsize)
        return NDC_ERR_CORRUPT;
    if (blocksize == 0)
        blocksize = ndc_bitshuffle_default_blocksize(itemsize);
    if (blocksize % 8)
        return NDC_ERR_CORRUPT;
    nelem = size / itemsize;
    n = blocksize < nelem ? blocksize : nelem - nelem % 8;
    if (!scratch_get(&tmp, n * itemsize))
        return NDC_ERR_MEMORY;
    while (done < nelem) {
        n = nelem - done;
        if (n > blocksize)
            n = blocksize;
        n -= n % 8;
        if (n == 0)
            break;
        if (inverse)
            block_inv(src + done * itemsize, dst + done * itemsize, tmp.p, n, itemsize);
        else
            block_fwd(src + done * itemsize, dst + done * itemsize, tmp.p, n, itemsize);
        done += n;
    }
    if (done < nelem)
        memcpy(dst + done * itemsize, src + done * itemsize, (nelem - done) * itemsize);
    scratch_free(&tmp);
    return (ssize_t)size;
}

/* ---- the framed layout ---- */

static inline void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static inline uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static size_t block_bound(size_t nbytes, int compression)
{
    if (compression == NDC_BSHUF_ZSTD)
        return ZSTD_compressBound(nbytes);
    if (nbytes > LZ4_MAX_INPUT_SIZE)
        return 0;
    return (size_t)LZ4_compressBound((int)nbytes);
}

size_t ndc_bshuf_compress_bound(size_t srcsize, size_t itemsize,
                                size_t blocksize, int compression)
{
    size_t nelem, nfull, rest, bound;
    if (itemsize == 0)
        return 0;
    if (blocksize == 0)
        blocksize = ndc_bitshuffle_default_blocksize(itemsize);
    if (blocksize % 8 || blocksize > SIZE_MAX / itemsize)
        return 0;
    nelem = srcsize / itemsize;
    nfull = nelem / blocksize;
    rest = nelem % blocksize;
    bound = 12 + srcsize;
    if (nfull) {
        size_t b = block_bound(blocksize * itemsize, compression);
        if (b == 0)
            return 0;
        bound = 12 + nfull * (4 + b);
        if (bound / nfull < 4 + b)
            return 0;
        bound += rest * itemsize + 4 + srcsize % itemsize;
    }
    if (rest >= 8) {
        size_t b = block_bound((rest - rest % 8) * itemsize, compression);
        if (b == 0)
            return 0;
        bound += 4 + b;
    }
    return bound;
}

ssize_t ndc_bshuf_compress(const uint8_t *src, size_t srcsize, uint8_t *dst,
                           size_t dstsize, size_t itemsize, size_t blocksize,
                           int compression, int level)
{
    size_t nelem, done = 0, pos = 12, n, nbytes, left, half;
    uint64_t total = srcsize;
    ZSTD_CCtx *cctx = NULL;
    scratch_t tmp;
    ssize_t ret = NDC_ERR_OUTPUT;
    if (itemsize == 0 || srcsize % itemsize)
        return NDC_ERR_CORRUPT;
    if (blocksize == 0)
        blocksize = ndc_bitshuffle_default_blocksize(itemsize);
    if (blocksize % 8 || blocksize > UINT32_MAX / itemsize)
        return NDC_ERR_CORRUPT;
    if (compression != NDC_BSHUF_ZSTD && blocksize > LZ4_MAX_INPUT_SIZE / itemsize
        && srcsize / itemsize >= 8 && (srcsize / itemsize < blocksize ? srcsize - srcsize / itemsize % 8 * itemsize : blocksize * itemsize) > LZ4_MAX_INPUT_SIZE)
        return NDC_ERR_CORRUPT;
    if (dstsize < 12)
        return NDC_ERR_OUTPUT;
    for (int i = 0; i < 8; i++)
        dst[i] = (uint8_t)(total >> (56 - 8 * i));
    put_be32(dst + 8, (uint32_t)(blocksize * itemsize));
    nelem = srcsize / itemsize;
    n = blocksize < nelem ? blocksize : nelem - nelem % 8;
    half = n * itemsize;
    if (!scratch_get(&tmp, 2 * half))
        return NDC_ERR_MEMORY;
    if (compression == NDC_BSHUF_ZSTD && n) {
        cctx = ZSTD_createCCtx();
        if (cctx == NULL) {
            scratch_free(&tmp);
            return NDC_ERR_MEMORY;
        }
    }
    while (done < nelem) {
        size_t csize;
        n = nelem - done;
        if (n > blocksize)
            n = blocksize;
        n -= n % 8;
        if (n == 0)
            break;
        nbytes = n * itemsize;
        block_fwd(src + done * itemsize, tmp.p, tmp.p + half, n, itemsize);
        if (dstsize - pos < 4)
            goto fail;
        if (compression == NDC_BSHUF_ZSTD) {
            csize = ZSTD_compressCCtx(cctx, dst + pos + 4, dstsize - pos - 4, tmp.p, nbytes, level);
            if (ZSTD_isError(csize))
                goto fail;
        } else {
            size_t cap = dstsize - pos - 4;
            int r = LZ4_compress_default((const char *)tmp.p, (char *)dst + pos + 4, (int)nbytes,
                                         cap > INT32_MAX ? INT32_MAX : (int)cap);
            if (r <= 0)
                goto fail;
            csize = (size_t)r;
        }
        if (csize > UINT32_MAX)
            goto fail;
        put_be32(dst + pos, (uint32_t)csize);
        pos += 4 + csize;
        done += n;
    }
    left = srcsize - done * itemsize;
    if (dstsize - pos < left)
        goto fail;
    memcpy(dst + pos, src + done * itemsize, left);
    ret = (ssize_t)(pos + left);
fail:
    ZSTD_freeCCtx(cctx);
    scratch_free(&tmp);
    return ret;
}

/* header fields: total size and block size in elements; 0 or an error */
static ssize_t read_header(const uint8_t *src, size_t srcsize, size_t itemsize,
                           uint64_t *total, size_t *blocksize)
{
    uint64_t t = 0;
    uint32_t bbytes;
    if (itemsize == 0 || srcsize < 12)
        return NDC_ERR_CORRUPT;
    for (int i = 0; i < 8; i++)
        t = (t << 8) | src[i];
    bbytes = get_be32(src + 8);
    if (t % itemsize || bbytes % itemsize)
        return NDC_ERR_CORRUPT;
    *blocksize = bbytes / itemsize;
    if (*blocksize == 0)
        *blocksize = ndc_bitshuffle_default_blocksize(itemsize);
    if (*blocksize % 8)
        return NDC_ERR_CORRUPT;
    *total = t;
    return 0;
}

ssize_t ndc_bshuf_decompressed_size(const uint8_t *src, size_t srcsize,
                                    size_t itemsize, size_t limit)
{
    uint64_t total;
    size_t blocksize;
    ssize_t ret = read_header(src, srcsize, itemsize, &total, &blocksize);
    if (ret < 0)
        return ret;
    if (total > (uint64_t)(SIZE_MAX / 2))
        return NDC_ERR_CORRUPT;
    if (total > limit)
        return NDC_ERR_OUTPUT;
    /* every block needs at least 4 bytes: a cheap plausibility check */
    {
        uint64_t nelem = total / itemsize;
        uint64_t nblocks = nelem / blocksize + ((nelem % blocksize) >= 8);
        if (nblocks > (srcsize - 12) / 4)
            return NDC_ERR_CORRUPT;
    }
    return (ssize_t)total;
}

static int detect(const uint8_t *src, size_t srcsize)
{
    /* a zstd frame starts with its magic number; an LZ4 block cannot be
       told apart, so it is the default */
    if (srcsize >= 20 && src[16] == 0x28 && src[17] == 0xB5 && src[18] == 0x2F && src[19] == 0xFD)
        return NDC_BSHUF_ZSTD;
    return NDC_BSHUF_LZ4;
}

ssize_t ndc_bshuf_decompress(const uint8_t *src, size_t srcsize, uint8_t *dst,
                             size_t dstsize, size_t itemsize, int compression)
{
    uint64_t total;
    size_t blocksize, nelem, done = 0, pos = 12, n, nbytes, left, half;
    ZSTD_DCtx *dctx = NULL;
    scratch_t tmp;
    ssize_t ret = read_header(src, srcsize, itemsize, &total, &blocksize);
    if (ret < 0)
        return ret;
    if (total > dstsize)
        return NDC_ERR_OUTPUT;
    if (compression == NDC_BSHUF_NONE)
        compression = detect(src, srcsize);
    nelem = (size_t)total / itemsize;
    n = blocksize < nelem ? blocksize : nelem - nelem % 8;
    half = n * itemsize;
    if (!scratch_get(&tmp, 2 * half))
        return NDC_ERR_MEMORY;
    ret = NDC_ERR_CORRUPT;
    if (compression == NDC_BSHUF_ZSTD && n) {
        dctx = ZSTD_createDCtx();
        if (dctx == NULL) {
            ret = NDC_ERR_MEMORY;
            goto fail;
        }
    }
    while (done < nelem) {
        size_t csize;
        n = nelem - done;
        if (n > blocksize)
            n = blocksize;
        n -= n % 8;
        if (n == 0)
            break;
        nbytes = n * itemsize;
        if (srcsize - pos < 4)
            goto fail;
        csize = get_be32(src + pos);
        pos += 4;
        if (csize > srcsize - pos)
            goto fail;
        if (compression == NDC_BSHUF_ZSTD) {
            size_t r = ZSTD_decompressDCtx(dctx, tmp.p, nbytes, src + pos, csize);
            if (ZSTD_isError(r) || r != nbytes)
                goto fail;
        } else {
            int r;
            if (csize > INT32_MAX || nbytes > INT32_MAX)
                goto fail;
            r = LZ4_decompress_safe((const char *)src + pos, (char *)tmp.p, (int)csize, (int)nbytes);
            if (r < 0 || (size_t)r != nbytes)
                goto fail;
        }
        block_inv(tmp.p, dst + done * itemsize, tmp.p + half, n, itemsize);
        pos += csize;
        done += n;
    }
    left = (size_t)total - done * itemsize;
    if (srcsize - pos != left)
        goto fail;
    memcpy(dst + done * itemsize, src + pos, left);
    ret = (ssize_t)total;
fail:
    ZSTD_freeDCtx(dctx);
    scratch_free(&tmp);
    return ret;
}

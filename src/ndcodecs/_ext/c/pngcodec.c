/* PNG filters, chunks and deflate; see pngcodec.h. */

#include "pngcodec.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <zlib.h>

/* ------------------------------------------------------------------ */
/* Per-thread libdeflate contexts                                     */
/* ------------------------------------------------------------------ */

/* A compressor costs more to set up than deflating a small image, so each
   thread keeps one (of its last level) and a decompressor. */
typedef struct {
    struct libdeflate_compressor *compressor;
    int level;
    struct libdeflate_decompressor *decompressor;
} png_contexts;

static pthread_key_t contexts_key;
static pthread_once_t contexts_once = PTHREAD_ONCE_INIT;
static int contexts_ok;

static void contexts_free(void *ptr)
{
    png_contexts *c = (png_contexts *)ptr;
    libdeflate_free_compressor(c->compressor);
    libdeflate_free_decompressor(c->decompressor);
    free(c);
}

static void contexts_init(void)
{
    contexts_ok = pthread_key_create(&contexts_key, contexts_free) == 0;
}

static png_contexts *contexts_get(void)
{
    png_contexts *c;
    pthread_once(&contexts_once, contexts_init);
    if (!contexts_ok)
        return NULL;
    c = (png_contexts *)pthread_getspecific(contexts_key);
    if (c == NULL) {
        c = (png_contexts *)calloc(1, sizeof(png_contexts));
        if (c != NULL && pthread_setspecific(contexts_key, c) != 0) {
            free(c);
            c = NULL;
        }
    }
    return c;
}

static struct libdeflate_compressor *get_compressor(int level)
{
    png_contexts *c = contexts_get();
    if (c == NULL)
        return NULL;
    if (c->compressor == NULL || c->level != level) {
        libdeflate_free_compressor(c->compressor);
        c->compressor = libdeflate_alloc_compressor(level);
        c->level = level;
    }
    return c->compressor;
}

static struct libdeflate_decompressor *get_decompressor(void)
{
    png_contexts *c = contexts_get();
    if (c == NULL)
        return NULL;
    if (c->decompressor == NULL)
        c->decompressor = libdeflate_alloc_decompressor();
    return c->decompressor;
}

/* ------------------------------------------------------------------ */
/* Chunks                                                             */
/* ------------------------------------------------------------------ */

static inline uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint32_t ndc_png_crc(const uint8_t *data, size_t size)
{
    return libdeflate_crc32(0, data, size);
}

unsigned ndc_png_channels(unsigned color)
{
    switch (color) {
    case 0: return 1;
    case 2: return 3;
    case 3: return 1;
    case 4: return 2;
    case 6: return 4;
    default: return 0;
    }
}

static inline int chunk_is(const uint8_t *chunk, const char *type)
{
    return memcmp(chunk + 4, type, 4) == 0;
}

/* Is the chunk at pos complete (header, data, CRC) within size? */
static inline int chunk_fits(size_t pos, size_t size, uint32_t length)
{
    return size - pos >= 12 && length <= 0x7FFFFFFFu && size - pos - 12 >= length;
}

static inline int chunk_crc_ok(const uint8_t *chunk, uint32_t length)
{
    return ndc_png_crc(chunk + 4, (size_t)length + 4) == be32(chunk + 8 + length);
}

int ndc_png_read_info(const uint8_t *src, size_t size, ndc_png_info *info, const char **msg)
{
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    const uint8_t *h;
    size_t pos;
    uint32_t length;

    memset(info, 0, sizeof(*info));
    *msg = "invalid or truncated stream";
    if (size < 8 || memcmp(src, signature, 8) != 0) {
        *msg = "no PNG signature";
        return NDC_ERR_CORRUPT;
    }
    if (size < 33 || be32(src + 8) != 13 || !chunk_is(src + 8, "IHDR")) {
        *msg = "no IHDR chunk";
        return NDC_ERR_CORRUPT;
    }
    if (!chunk_crc_ok(src + 8, 13)) {
        *msg = "IHDR chunk checksum mismatch";
        return NDC_ERR_CORRUPT;
    }
    h = src + 16;
    info->width = be32(h);
    info->height = be32(h + 4);
    info->depth = h[8];
    info->color = h[9];
    info->interlace = h[12];
    if (info->width == 0 || info->height == 0 || info->width > 0x7FFFFFFFu ||
        info->height > 0x7FFFFFFFu) {
        *msg = "invalid image dimensions";
        return NDC_ERR_CORRUPT;
    }
    if (h[10] != 0 || h[11] != 0 || h[12] > 1 || ndc_png_channels(info->color) == 0) {
        *msg = "invalid IHDR";
        return NDC_ERR_CORRUPT;
    }
    switch (info->depth) {
    case 1: case 2: case 4:
        if (info->color != 0 && info->color != 3) {
            *msg = "invalid bit depth for the color type";
            return NDC_ERR_CORRUPT;
        }
        break;
    case 8:
        break;
    case 16:
        if (info->color == 3) {
            *msg = "invalid bit depth for the color type";
            return NDC_ERR_CORRUPT;
        }
        break;
    default:
        *msg = "invalid bit depth";
        return NDC_ERR_CORRUPT;
    }

    pos = 33;
    for (;;) {
        if (size - pos < 12)
            return NDC_PNG_UNSUPPORTED; /* truncated: libspng reports it */
        length = be32(src + pos);
        if (!chunk_fits(pos, size, length))
            return NDC_PNG_UNSUPPORTED;
        if (chunk_is(src + pos, "IDAT"))
            break;
        if (chunk_is(src + pos, "tRNS"))
            info->has_trns = 1;
        else if (chunk_is(src + pos, "PLTE"))
            info->has_plte = 1;
        else if (chunk_is(src + pos, "acTL"))
            info->has_actl = 1;
        else if (chunk_is(src + pos, "IEND") || chunk_is(src + pos, "IHDR"))
            return NDC_PNG_UNSUPPORTED;
        else if (!(src[pos + 4] & 0x20) && !chunk_is(src + pos, "fcTL"))
            return NDC_PNG_UNSUPPORTED; /* unknown critical chunk */
        pos += 12 + (size_t)length;
    }
    info->idat = pos;
    while (size - pos >= 12) {
        length = be32(src + pos);
        if (!chunk_is(src + pos, "IDAT"))
            break;
        if (!chunk_fits(pos, size, length) || !chunk_crc_ok(src + pos, length))
            return NDC_PNG_UNSUPPORTED;
        info->idat_size += length;
        info->idat_count++;
        pos += 12 + (size_t)length;
    }
    if (size - pos < 12 && size - pos >= 8 && chunk_is(src + pos, "IDAT"))
        return NDC_PNG_UNSUPPORTED; /* a truncated IDAT */
    info->idat_end = pos;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Filters                                                            */
/* ------------------------------------------------------------------ */

static inline int absi(int v)
{
    return v < 0 ? -v : v;
}

static inline uint8_t paeth(int a, int b, int c)
{
    int pa = absi(b - c), pb = absi(a - c), pc = absi(a + b - 2 * c);
    return (uint8_t)((pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c));
}

/* A filtered row's cost, as libpng measures it: the sum of its bytes as
   signed magnitudes. Each function computes it without writing the row. */
static inline unsigned magnitude(unsigned d)
{
    d &= 0xFF;
    return d < 128 ? d : 256 - d;
}

static size_t cost_none(const uint8_t *restrict x, const uint8_t *restrict p, size_t n,
                        unsigned bpp)
{
    size_t sum = 0, i;
    (void)p;
    (void)bpp;
    for (i = 0; i < n; i++)
        sum += magnitude(x[i]);
    return sum;
}

static size_t cost_sub(const uint8_t *restrict x, const uint8_t *restrict p, size_t n,
                       unsigned bpp)
{
    size_t sum = 0, i;
    (void)p;
    for (i = 0; i < bpp && i < n; i++)
        sum += magnitude(x[i]);
    for (i = bpp; i < n; i++)
        sum += magnitude((unsigned)x[i] - x[i - bpp]);
    return sum;
}

static size_t cost_up(const uint8_t *restrict x, const uint8_t *restrict p, size_t n,
                      unsigned bpp)
{
    size_t sum = 0, i;
    (void)bpp;
    for (i = 0; i < n; i++)
        sum += magnitude((unsigned)x[i] - p[i]);
    return sum;
}

static size_t cost_avg(const uint8_t *restrict x, const uint8_t *restrict p, size_t n,
                       unsigned bpp)
{
    size_t sum = 0, i;
    for (i = 0; i < bpp && i < n; i++)
        sum += magnitude((unsigned)x[i] - (p[i] >> 1));
    for (i = bpp; i < n; i++)
        sum += magnitude((unsigned)x[i] - ((x[i - bpp] + p[i]) >> 1));
    return sum;
}

static size_t cost_paeth(const uint8_t *restrict x, const uint8_t *restrict p, size_t n,
                         unsigned bpp)
{
    size_t sum = 0, i;
    for (i = 0; i < bpp && i < n; i++)
        sum += magnitude((unsigned)x[i] - p[i]);
    for (i = bpp; i < n; i++) {
        int a = x[i - bpp], b = p[i], c = p[i - bpp];
        int pa = absi(b - c), pb = absi(a - c), pc = absi(a + b - 2 * c);
        int pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
        sum += magnitude((unsigned)(x[i] - pred));
    }
    return sum;
}

typedef size_t (*cost_func)(const uint8_t *, const uint8_t *, size_t, unsigned);

#if defined(__SSE2__)
#include <emmintrin.h>

static inline __m128i magnitude16(__m128i v)
{
    return _mm_min_epu8(v, _mm_sub_epi8(_mm_setzero_si128(), v));
}

/* The costs of None, Sub and Up in one pass, 16 bytes at a time. */
static void cost_fast(const uint8_t *restrict x, const uint8_t *restrict p, size_t n,
                      unsigned bpp, size_t sums[3])
{
    const __m128i zero = _mm_setzero_si128();
    __m128i none = zero, sub = zero, up = zero;
    uint64_t lanes[2];
    size_t i, head = bpp < n ? bpp : n;
    sums[0] = sums[1] = sums[2] = 0;
    for (i = 0; i < head; i++) {
        sums[0] += magnitude(x[i]);
        sums[1] += magnitude(x[i]);
        sums[2] += magnitude((unsigned)x[i] - p[i]);
    }
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(x + i));
        __m128i left = _mm_loadu_si128((const __m128i *)(const void *)(x + i - bpp));
        __m128i above = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        none = _mm_add_epi64(none, _mm_sad_epu8(magnitude16(v), zero));
        sub = _mm_add_epi64(sub, _mm_sad_epu8(magnitude16(_mm_sub_epi8(v, left)), zero));
        up = _mm_add_epi64(up, _mm_sad_epu8(magnitude16(_mm_sub_epi8(v, above)), zero));
    }
    for (; i < n; i++) {
        sums[0] += magnitude(x[i]);
        sums[1] += magnitude((unsigned)x[i] - x[i - bpp]);
        sums[2] += magnitude((unsigned)x[i] - p[i]);
    }
    _mm_storeu_si128((__m128i *)(void *)lanes, none);
    sums[0] += lanes[0] + lanes[1];
    _mm_storeu_si128((__m128i *)(void *)lanes, sub);
    sums[1] += lanes[0] + lanes[1];
    _mm_storeu_si128((__m128i *)(void *)lanes, up);
    sums[2] += lanes[0] + lanes[1];
}
#define HAVE_COST_FAST 1
#endif

static void filter_sub(uint8_t *restrict d, const uint8_t *restrict x, size_t n, unsigned bpp)
{
    size_t i;
    memcpy(d, x, bpp < n ? bpp : n);
    for (i = bpp; i < n; i++)
        d[i] = (uint8_t)(x[i] - x[i - bpp]);
}

static void filter_up(uint8_t *restrict d, const uint8_t *restrict x, const uint8_t *restrict p,
                      size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        d[i] = (uint8_t)(x[i] - p[i]);
}

static void filter_avg(uint8_t *restrict d, const uint8_t *restrict x, const uint8_t *restrict p,
                       size_t n, unsigned bpp)
{
    size_t i;
    for (i = 0; i < bpp && i < n; i++)
        d[i] = (uint8_t)(x[i] - (p[i] >> 1));
    for (i = bpp; i < n; i++)
        d[i] = (uint8_t)(x[i] - ((x[i - bpp] + p[i]) >> 1));
}

static void filter_paeth(uint8_t *restrict d, const uint8_t *restrict x,
                         const uint8_t *restrict p, size_t n, unsigned bpp)
{
    size_t i;
    for (i = 0; i < bpp && i < n; i++)
        d[i] = (uint8_t)(x[i] - p[i]);
    for (i = bpp; i < n; i++) {
        int a = x[i - bpp], b = p[i], c = p[i - bpp];
        int pa = absi(b - c), pb = absi(a - c), pc = absi(a + b - 2 * c);
        int pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
        d[i] = (uint8_t)(x[i] - pred);
    }
}

static void filter_one(int type, uint8_t *d, const uint8_t *x, const uint8_t *p, size_t n,
                       unsigned bpp)
{
    switch (type) {
    case 0: memcpy(d, x, n); break;
    case 1: filter_sub(d, x, n, bpp); break;
    case 2: filter_up(d, x, p, n); break;
    case 3: filter_avg(d, x, p, n, bpp); break;
    default: filter_paeth(d, x, p, n, bpp); break;
    }
}

static void swap16_copy(uint8_t *restrict d, const uint8_t *restrict s, size_t n)
{
    size_t i;
    for (i = 0; i + 1 < n; i += 2) {
        d[i] = s[i + 1];
        d[i + 1] = s[i];
    }
}

/* Filter all rows into dst (height * (rowbytes + 1)); scratch holds
   3 * rowbytes bytes. */
static void filter_image(const uint8_t *src, uint32_t height, size_t rowbytes, unsigned bpp,
                         int swap16, unsigned filters, uint8_t *dst, uint8_t *scratch)
{
    static const cost_func costs[5] = {cost_none, cost_sub, cost_up, cost_avg, cost_paeth};
    uint8_t *zero = scratch, *rows[2] = {scratch + rowbytes, scratch + 2 * rowbytes};
    const uint8_t *prev = zero, *cur;
    int types[5], ntypes = 0, t, i;
    uint32_t y;

    memset(zero, 0, rowbytes);
    for (t = 0; t < 5; t++)
        if (filters & (8u << t))
            types[ntypes++] = t;
    if (ntypes == 0)
        types[ntypes++] = 0;

    for (y = 0; y < height; y++) {
        uint8_t *out = dst + (size_t)y * (rowbytes + 1);
        int best = types[0];
        if (swap16) {
            uint8_t *row = rows[y & 1];
            swap16_copy(row, src + (size_t)y * rowbytes, rowbytes);
            cur = row;
        } else {
            cur = src + (size_t)y * rowbytes;
        }
#ifdef HAVE_COST_FAST
        if (filters == (NDC_PNG_FILTER_NONE | NDC_PNG_FILTER_SUB | NDC_PNG_FILTER_UP)) {
            size_t sums[3];
            cost_fast(cur, prev, rowbytes, bpp, sums);
            best = sums[1] < sums[0] ? 1 : 0;
            if (sums[2] < sums[best])
                best = 2;
        } else
#endif
        if (ntypes > 1) {
            /* the cheapest row by libpng's measure; ties go to the lower type */
            size_t bestcost = (size_t)-1, cost;
            for (i = 0; i < ntypes; i++) {
                cost = costs[types[i]](cur, prev, rowbytes, bpp);
                if (cost < bestcost) {
                    bestcost = cost;
                    best = types[i];
                }
            }
        }
        out[0] = (uint8_t)best;
        filter_one(best, out + 1, cur, prev, rowbytes, bpp);
        prev = cur;
    }
}

/* Reverse the filters in place: raw holds height rows of 1 + rowbytes. The
   loops are specialized by bytes per pixel so the compiler can unroll them. */
#define UNFILTER_ROW(BPP)                                                              \
    static int unfilter_row_##BPP(uint8_t *restrict x, const uint8_t *restrict p,       \
                                  size_t n, int type, unsigned bppv)                   \
    {                                                                                  \
        const size_t bpp = (BPP) ? (BPP) : bppv;                                       \
        size_t i;                                                                      \
        switch (type) {                                                                \
        case 0:                                                                        \
            break;                                                                     \
        case 1:                                                                        \
            for (i = bpp; i < n; i++)                                                  \
                x[i] = (uint8_t)(x[i] + x[i - bpp]);                                   \
            break;                                                                     \
        case 2:                                                                        \
            for (i = 0; i < n; i++)                                                    \
                x[i] = (uint8_t)(x[i] + p[i]);                                         \
            break;                                                                     \
        case 3:                                                                        \
            for (i = 0; i < bpp && i < n; i++)                                         \
                x[i] = (uint8_t)(x[i] + (p[i] >> 1));                                  \
            for (i = bpp; i < n; i++)                                                  \
                x[i] = (uint8_t)(x[i] + ((x[i - bpp] + p[i]) >> 1));                   \
            break;                                                                     \
        case 4:                                                                        \
            for (i = 0; i < bpp && i < n; i++)                                         \
                x[i] = (uint8_t)(x[i] + p[i]);                                         \
            for (i = bpp; i < n; i++)                                                  \
                x[i] = (uint8_t)(x[i] + paeth(x[i - bpp], p[i], p[i - bpp]));          \
            break;                                                                     \
        default:                                                                       \
            return -1;                                                                 \
        }                                                                              \
        return 0;                                                                      \
    }

UNFILTER_ROW(0)
UNFILTER_ROW(1)
#if !defined(__SSE2__)
UNFILTER_ROW(2)
UNFILTER_ROW(3)
UNFILTER_ROW(4)
UNFILTER_ROW(6)
UNFILTER_ROW(8)
#endif

#if defined(__SSE2__)
#include <emmintrin.h>

/* Sub, Avg and Paeth depend on the pixel to the left, so they run one pixel
   at a time; SSE2 does all bytes of a pixel at once. A pixel of 2 or 3 (6)
   bytes is loaded and stored as 4 (8): the extra byte is the next pixel's, or
   after a row's end the next row's filter type or padding, and is stored
   back unchanged because its lane of the predictor is masked to zero. The
   next pixel is loaded before this one is stored, since a load overlapping
   a store just made stalls the CPU. */
#define LOAD32(p) _mm_cvtsi32_si128(load32(p))
#define LOAD64(p) _mm_loadl_epi64((const __m128i *)(const void *)(p))

static inline int load32(const uint8_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline void store32(uint8_t *p, __m128i v)
{
    int32_t w = _mm_cvtsi128_si32(v);
    memcpy(p, &w, 4);
}

static inline __m128i abs16(__m128i v)
{
    return _mm_max_epi16(v, _mm_sub_epi16(_mm_setzero_si128(), v));
}

static inline __m128i select128(__m128i mask, __m128i yes, __m128i no)
{
    return _mm_or_si128(_mm_and_si128(mask, yes), _mm_andnot_si128(mask, no));
}

#define UNFILTER_SIMD(BPP, LOAD, STORE)                                                  \
    static int unfilter_simd_##BPP(uint8_t *restrict x, const uint8_t *restrict p,        \
                                   size_t n, int type, unsigned bppv)                    \
    {                                                                                    \
        const size_t bpp = (BPP);                                                        \
        const __m128i zero = _mm_setzero_si128();                                        \
        const __m128i keep = _mm_unpacklo_epi8(                                          \
            (BPP) == 2 ? _mm_cvtsi32_si128(0xFFFF) : (BPP) == 3 ? _mm_cvtsi32_si128(0xFFFFFF) \
            : (BPP) == 6 ? _mm_set_epi32(0, 0, 0xFFFF, -1) : _mm_set1_epi32(-1),         \
            zero);                                                                       \
        const __m128i keep8 = _mm_packus_epi16(keep, zero);                              \
        __m128i a = zero, c = zero, b, v, next, pred;                                    \
        size_t i;                                                                        \
        (void)bppv;                                                                      \
        switch (type) {                                                                  \
        case 0:                                                                          \
            break;                                                                       \
        case 2:                                                                          \
            for (i = 0; i < n; i++)                                                      \
                x[i] = (uint8_t)(x[i] + p[i]);                                           \
            break;                                                                       \
        case 1: /* in bytes: no carry between samples is wanted */                       \
            next = LOAD(x);                                                              \
            for (i = 0; i < n; i += bpp) {                                               \
                v = next;                                                                \
                next = LOAD(x + i + bpp);                                                \
                a = _mm_add_epi8(v, _mm_and_si128(a, keep8));                            \
                STORE(x + i, a);                                                         \
            }                                                                            \
            break;                                                                       \
        case 3:                                                                          \
            next = LOAD(x);                                                              \
            for (i = 0; i < n; i += bpp) {                                               \
                v = _mm_unpacklo_epi8(next, zero);                                       \
                next = LOAD(x + i + bpp);                                                \
                b = _mm_unpacklo_epi8(LOAD(p + i), zero);                                \
                pred = _mm_and_si128(_mm_srli_epi16(_mm_add_epi16(a, b), 1), keep);      \
                a = _mm_and_si128(_mm_add_epi16(v, pred),                                \
                                  _mm_set1_epi16(255));                                  \
                STORE(x + i, _mm_packus_epi16(a, zero));                                 \
            }                                                                            \
            break;                                                                       \
        case 4:                                                                          \
            next = LOAD(x);                                                              \
            for (i = 0; i < n; i += bpp) {                                               \
                __m128i q, r, pa, pb, pc;                                                \
                v = _mm_unpacklo_epi8(next, zero);                                       \
                next = LOAD(x + i + bpp);                                                \
                b = _mm_unpacklo_epi8(LOAD(p + i), zero);                                \
                q = _mm_sub_epi16(b, c);                                                 \
                r = _mm_sub_epi16(a, c);                                                 \
                pa = abs16(q);                                                           \
                pb = abs16(r);                                                           \
                pc = abs16(_mm_add_epi16(q, r));                                         \
                pred = select128(_mm_cmpgt_epi16(pb, pc), c, b);                         \
                pred = select128(_mm_or_si128(_mm_cmpgt_epi16(pa, pb),                   \
                                              _mm_cmpgt_epi16(pa, pc)), pred, a);        \
                pred = _mm_and_si128(pred, keep);                                        \
                a = _mm_and_si128(_mm_add_epi16(v, pred), _mm_set1_epi16(255));          \
                STORE(x + i, _mm_packus_epi16(a, zero));                                 \
                c = b;                                                                   \
            }                                                                            \
            break;                                                                       \
        default:                                                                         \
            return -1;                                                                   \
        }                                                                                \
        return 0;                                                                        \
    }

#define STORE64(p, v) _mm_storel_epi64((__m128i *)(void *)(p), (v))

UNFILTER_SIMD(2, LOAD32, store32)
UNFILTER_SIMD(3, LOAD32, store32)
UNFILTER_SIMD(4, LOAD32, store32)
UNFILTER_SIMD(6, LOAD64, STORE64)
UNFILTER_SIMD(8, LOAD64, STORE64)
#define UNFILTER_2 unfilter_simd_2
#define UNFILTER_3 unfilter_simd_3
#define UNFILTER_4 unfilter_simd_4
#define UNFILTER_6 unfilter_simd_6
#define UNFILTER_8 unfilter_simd_8
#else
#define UNFILTER_2 unfilter_row_2
#define UNFILTER_3 unfilter_row_3
#define UNFILTER_4 unfilter_row_4
#define UNFILTER_6 unfilter_row_6
#define UNFILTER_8 unfilter_row_8
#endif

typedef int (*unfilter_func)(uint8_t *, const uint8_t *, size_t, int, unsigned);

/* Unfilter raw rows (1 + rowbytes each) into dst rows (rowbytes each). */
static int unfilter_image(uint8_t *raw, uint32_t height, size_t rowbytes, unsigned bpp,
                          int swap16, uint8_t *dst, const uint8_t *zero)
{
    unfilter_func f;
    const uint8_t *prev = zero;
    uint32_t y;
    switch (bpp) {
    case 1: f = unfilter_row_1; break;
    case 2: f = UNFILTER_2; break;
    case 3: f = UNFILTER_3; break;
    case 4: f = UNFILTER_4; break;
    case 6: f = UNFILTER_6; break;
    case 8: f = UNFILTER_8; break;
    default: f = unfilter_row_0; break;
    }
    for (y = 0; y < height; y++) {
        uint8_t *row = raw + (size_t)y * (rowbytes + 1);
        if (f(row + 1, prev, rowbytes, row[0], bpp) != 0)
            return -1;
        prev = row + 1;
        if (swap16)
            swap16_copy(dst + (size_t)y * rowbytes, row + 1, rowbytes);
        else
            memcpy(dst + (size_t)y * rowbytes, row + 1, rowbytes);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Decoding                                                           */
/* ------------------------------------------------------------------ */

/* Decode one zlib stream of filtered rows, in `parts` pieces (part i at
   src + offsets[i], lengths[i] bytes), into dst rows; 16-bit samples (if
   swap16) become native. */
static int decode_rows(const uint8_t *src, const size_t *offsets, const uint32_t *lengths,
                       size_t parts, uint32_t height, size_t rowbytes, unsigned bpp,
                       int swap16, uint8_t *dst, const char **msg)
{
    struct libdeflate_decompressor *d;
    enum libdeflate_result ret;
    const uint8_t *zdata;
    uint8_t *joined = NULL, *raw;
    size_t zsize = 0, rawsize, i;
    int status = 0;

    *msg = "";
    if (rowbytes > (SIZE_MAX - 64) / 2 || height > (SIZE_MAX - 64) / (rowbytes + 1) / 2)
        return NDC_ERR_MEMORY;
    rawsize = (size_t)height * (rowbytes + 1);
    if (parts == 1) {
        zdata = src + offsets[0];
        zsize = lengths[0];
    } else {
        for (i = 0; i < parts; i++)
            zsize += lengths[i];
        joined = (uint8_t *)malloc(zsize ? zsize : 1);
        if (joined == NULL)
            return NDC_ERR_MEMORY;
        zsize = 0;
        for (i = 0; i < parts; i++) {
            memcpy(joined + zsize, src + offsets[i], lengths[i]);
            zsize += lengths[i];
        }
        zdata = joined;
    }
    /* the rows, then a zero row as the first's previous, and padding for
       unfilter_simd's wide loads */
    raw = (uint8_t *)malloc(rawsize + rowbytes + 16);
    d = get_decompressor();
    if (raw == NULL || d == NULL) {
        free(joined);
        free(raw);
        return NDC_ERR_MEMORY;
    }
    memset(raw + rawsize, 0, rowbytes + 16);
    ret = libdeflate_zlib_decompress(d, zdata, zsize, raw, rawsize, NULL);
    if (ret != LIBDEFLATE_SUCCESS) {
        /* INSUFFICIENT_SPACE: more data than rows; libpng and libspng
           differ on whether that is an error, so let libspng decide */
        status = NDC_PNG_UNSUPPORTED;
        *msg = ret == LIBDEFLATE_SHORT_OUTPUT ? "image data too short" : "invalid zlib stream";
    } else if (unfilter_image(raw, height, rowbytes, bpp, swap16, dst, raw + rawsize) != 0) {
        status = NDC_ERR_CORRUPT;
        *msg = "invalid filter type";
    }
    free(joined);
    free(raw);
    return status;
}

int ndc_png_decode_image(const uint8_t *src, size_t size, const ndc_png_info *info,
                         uint8_t *dst, const char **msg)
{
    size_t offsets_small[16], *offsets = offsets_small;
    uint32_t lengths_small[16], *lengths = lengths_small;
    size_t pos = info->idat, i;
    unsigned bpp = ndc_png_channels(info->color) * (info->depth / 8);
    int status;

    *msg = "";
    if (info->depth < 8 || info->color == 3 || info->interlace || info->has_trns ||
        info->idat_count == 0)
        return NDC_PNG_UNSUPPORTED;
    if (info->idat_count > 16) {
        offsets = (size_t *)malloc(info->idat_count * sizeof(size_t));
        lengths = (uint32_t *)malloc(info->idat_count * sizeof(uint32_t));
        if (offsets == NULL || lengths == NULL) {
            free(offsets);
            free(lengths);
            return NDC_ERR_MEMORY;
        }
    }
    for (i = 0; i < info->idat_count && pos < size; i++) {
        lengths[i] = be32(src + pos);
        offsets[i] = pos + 8;
        pos += 12 + (size_t)lengths[i];
    }
    status = decode_rows(src, offsets, lengths, info->idat_count, info->height,
                                 (size_t)info->width * bpp, bpp, info->depth == 16, dst, msg);
    if (offsets != offsets_small) {
        free(offsets);
        free(lengths);
    }
    return status;
}

/* ------------------------------------------------------------------ */
/* Encoding                                                           */
/* ------------------------------------------------------------------ */

size_t ndc_png_zlib_bound(size_t raw, int level, int strategy)
{
    struct libdeflate_compressor *c;
    if (strategy == 0) {
        c = get_compressor(level < 0 ? 6 : level > 9 ? 9 : level);
        if (c != NULL)
            return libdeflate_zlib_compress_bound(c, raw);
    }
    /* zlib's stored blocks cost 5 bytes per 16 KiB; header, trailer, slack */
    return raw + raw / 1000 + 5 * (raw / 16384 + 1) + 256;
}

static ssize_t zlib_deflate(const uint8_t *raw, size_t rawsize, int level, int strategy,
                            uint8_t *dst, size_t dstsize)
{
    z_stream z;
    int wbits = 15, ret;
    ssize_t result;
    /* a window just larger than the image, as libpng chooses it */
    while (wbits > 9 && rawsize + 262 <= ((size_t)1 << (wbits - 1)))
        wbits--;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, level, Z_DEFLATED, wbits, 8, strategy) != Z_OK)
        return NDC_ERR_MEMORY;
    z.next_out = dst;
    result = 0;
    /* zlib counts in unsigned int: feed and drain in pieces */
    for (;;) {
        size_t inleft = rawsize - (size_t)(z.next_in ? (const uint8_t *)z.next_in - raw : 0);
        size_t outleft = dstsize - (size_t)(z.next_out - dst);
        if (z.next_in == NULL)
            z.next_in = (Bytef *)raw;
        z.avail_in = inleft > 0x40000000u ? 0x40000000u : (unsigned)inleft;
        z.avail_out = outleft > 0x40000000u ? 0x40000000u : (unsigned)outleft;
        if (z.avail_out == 0) {
            result = NDC_ERR_OUTPUT;
            break;
        }
        ret = deflate(&z, inleft > z.avail_in ? Z_NO_FLUSH : Z_FINISH);
        if (ret == Z_STREAM_END) {
            result = (ssize_t)(z.next_out - dst);
            break;
        }
        if (ret != Z_OK && ret != Z_BUF_ERROR) {
            result = NDC_ERR_MEMORY;
            break;
        }
    }
    deflateEnd(&z);
    if (result >= 2 && rawsize <= 16384) {
        /* as libpng: the header claims the smallest window that holds the
           data, which zlib cannot go below 512 bytes for; the stream is the
           same */
        unsigned cinfo = 7, half = 1u << 14, cmf, flg;
        while (cinfo > 0 && rawsize <= half) {
            cinfo--;
            half >>= 1;
        }
        if ((unsigned)(dst[0] >> 4) > cinfo) {
            cmf = (cinfo << 4) | 8;
            flg = dst[1] & 0xE0u;
            flg += (31 - (cmf * 256 + flg) % 31) % 31;
            dst[0] = (uint8_t)cmf;
            dst[1] = (uint8_t)flg;
        }
    }
    return result;
}

ssize_t ndc_png_deflate_image(const uint8_t *src, uint32_t height, size_t rowbytes, unsigned bpp,
                              int swap16, int level, int strategy, unsigned filters,
                              uint8_t *dst, size_t dstsize)
{
    struct libdeflate_compressor *c = NULL;
    uint8_t *raw, *tmp = NULL;
    size_t rawsize, bound, zsize;
    ssize_t result;

    if (rowbytes > (SIZE_MAX - 64) / 8 || height > (SIZE_MAX / 2) / (rowbytes + 1))
        return NDC_ERR_MEMORY;
    rawsize = (size_t)height * (rowbytes + 1);
    raw = (uint8_t *)malloc(rawsize + 3 * rowbytes);
    if (raw == NULL)
        return NDC_ERR_MEMORY;
    filter_image(src, height, rowbytes, bpp, swap16, filters, raw, raw + rawsize);

    if (level < 0)
        level = 6;
    if (level > 9)
        level = 9;
    if (strategy != 0) {
        result = zlib_deflate(raw, rawsize, level, strategy, dst, dstsize);
        free(raw);
        return result;
    }
    c = get_compressor(level);
    if (c == NULL) {
        free(raw);
        return NDC_ERR_MEMORY;
    }
    /* libdeflate wants room for its bound; else use a temporary buffer */
    bound = libdeflate_zlib_compress_bound(c, rawsize);
    if (dstsize >= bound) {
        zsize = libdeflate_zlib_compress(c, raw, rawsize, dst, dstsize);
        result = zsize ? (ssize_t)zsize : NDC_ERR_OUTPUT;
    } else {
        tmp = (uint8_t *)malloc(bound);
        if (tmp == NULL) {
            free(raw);
            return NDC_ERR_MEMORY;
        }
        zsize = libdeflate_zlib_compress(c, raw, rawsize, tmp, bound);
        if (zsize == 0 || zsize > dstsize) {
            result = NDC_ERR_OUTPUT;
        } else {
            memcpy(dst, tmp, zsize);
            result = (ssize_t)zsize;
        }
        free(tmp);
    }
    free(raw);
    return result;
}

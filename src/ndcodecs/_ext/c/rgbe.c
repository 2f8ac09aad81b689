/* Radiance RGBE pixels, written from the description of the Radiance
   picture file format (Greg Ward, "Real Pixels", Graphics Gems II). */

#include "rgbe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { RLE_MIN_WIDTH = 8, RLE_MAX_WIDTH = 0x7FFF, MIN_RUN = 4, MAX_RUN = 127, MAX_LITERAL = 128 };

/* The float of each exponent byte: 2**(e - 136), built from its bits
   (subnormal below e = 10), and 0 for e = 0. */
static void make_scales(float *scale)
{
    int e;
    for (e = 0; e < 256; e++) {
        uint32_t bits = e >= 10 ? (uint32_t)(e - 9) << 23 : e > 0 ? 1u << (e + 13) : 0;
        memcpy(scale + e, &bits, 4);
    }
}

/* Pixels from RGBE bytes r[i * step], g[...], b[...], e[...]: c * 2**(e - 136),
   exact in float32 for every mantissa byte c. */
static void to_float(
    const uint8_t *r, const uint8_t *g, const uint8_t *b, const uint8_t *e, size_t step, size_t n, float *rgb)
{
    float scale[256];
    size_t i;
    make_scales(scale);
    for (i = 0; i < n; i++, rgb += 3) {
        float f = scale[e[i * step]];
        rgb[0] = r[i * step] * f;
        rgb[1] = g[i * step] * f;
        rgb[2] = b[i * step] * f;
    }
}

/* The mantissa byte of c scaled by s, as a C cast on x86-64 gives it:
   NaN and values beyond int32 become 0, negative ones wrap. */
static inline uint8_t mantissa(float c, float s)
{
    float x = c * s;
    x = (x > -2147483648.0f && x < 2147483648.0f) ? x : 0.0f;
    return (uint8_t)(int32_t)x;
}

/* The smallest float not below the double 1e-32, under which pixels are 0. */
static float zero_threshold(void)
{
    float t = (float)1e-32;
    return (double)t < 1e-32 ? nextafterf(t, 1.0f) : t;
}

/* Pixels to RGBE bytes, written to r[i * step], g[...], b[...], e[...]:
   interleaved with step 4, planes with step 1. Selects instead of
   branches, which noisy images would mispredict. */
static void to_rgbe(const float *rgb, size_t n, float thr, uint8_t *r, uint8_t *g, uint8_t *b, uint8_t *e, size_t step)
{
    size_t i;
    for (i = 0; i < n; i++, rgb += 3) {
        float v = rgb[0], s;
        uint32_t bits, sbits;
        int x, zero, special;
        uint8_t m0, m1, m2, m3;
        v = rgb[1] > v ? rgb[1] : v;
        v = rgb[2] > v ? rgb[2] : v;
        zero = v < thr;
        special = !(v <= 3.40282347e38f); /* inf or NaN: frexp gives no exponent */
        /* v = m * 2**x with 0.5 <= m < 1 and v normal: x is in its exponent
           bits, and the scale m * 256 / v is exactly 2**(8 - x) */
        memcpy(&bits, &v, 4);
        x = (int)((bits >> 23) & 0xFF) - 126;
        sbits = ((uint32_t)(8 - x + 127) & 0xFF) << 23;
        memcpy(&s, &sbits, 4);
        m0 = mantissa(rgb[0], s);
        m1 = mantissa(rgb[1], s);
        m2 = mantissa(rgb[2], s);
        m3 = (uint8_t)(x + 128);
        r[i * step] = (zero | special) ? 0 : m0;
        g[i * step] = (zero | special) ? 0 : m1;
        b[i * step] = (zero | special) ? 0 : m2;
        e[i * step] = zero ? 0 : special ? 128 : m3;
    }
}

/* One run-length encoded scanline, its 4-byte marker already read:
   the four components one after the other, each as runs and literals. */
static ssize_t decode_scanline(const uint8_t *src, size_t srcsize, size_t width, uint8_t *line)
{
    const uint8_t *p = src, *end = src + srcsize;
    int c;
    for (c = 0; c < 4; c++) {
        uint8_t *d = line + (size_t)c * width, *dend = d + width;
        while (d < dend) {
            size_t count;
            if (p >= end)
                return NDC_ERR_CORRUPT;
            count = *p++;
            if (count > 128) {
                count -= 128;
                if (count > (size_t)(dend - d) || p >= end)
                    return NDC_ERR_CORRUPT;
                memset(d, *p++, count);
            } else {
                if (count == 0 || count > (size_t)(dend - d) || count > (size_t)(end - p))
                    return NDC_ERR_CORRUPT;
                memcpy(d, p, count);
                p += count;
            }
            d += count;
        }
    }
    return p - src;
}

ssize_t ndc_rgbe_decode(
    const uint8_t *src, size_t srcsize, size_t width, size_t height, int rle, float *dst)
{
    const uint8_t *p = src;
    size_t y, npix;
    uint8_t *line;

    if (width == 0 || height == 0)
        return 0;
    if (height > SIZE_MAX / 4 / width)
        return NDC_ERR_CORRUPT;
    npix = width * height;
    /* run-length encoded scanlines start with 2, 2 and the width */
    if (rle && width >= RLE_MIN_WIDTH && width <= RLE_MAX_WIDTH && srcsize >= 4 && src[0] == 2 &&
        src[1] == 2 && !(src[2] & 0x80)) {
        ssize_t status = 0;
        line = (uint8_t *)malloc(4 * width);
        if (line == NULL)
            return NDC_ERR_MEMORY;
        for (y = 0; y < height && status == 0; y++) {
            size_t left = srcsize - (size_t)(p - src);
            ssize_t used;
            float *row = dst + y * width * 3;
            if (left < 4 || p[0] != 2 || p[1] != 2 || ((size_t)p[2] << 8 | p[3]) != width) {
                status = NDC_ERR_CORRUPT;
                break;
            }
            used = decode_scanline(p + 4, left - 4, width, line);
            if (used < 0) {
                status = used;
                break;
            }
            p += 4 + used;
            to_float(line, line + width, line + 2 * width, line + 3 * width, 1, width, row);
        }
        free(line);
        return status < 0 ? status : p - src;
    }
    if (srcsize / 4 < npix)
        return NDC_ERR_CORRUPT;
    to_float(src, src + 1, src + 2, src + 3, 4, npix, dst);
    return (ssize_t)(npix * 4);
}

size_t ndc_rgbe_encode_bound(size_t width, size_t height)
{
    /* a scanline: its marker, each component as literals of at most 128
       bytes with one count byte each */
    size_t row;
    if (width == 0 || height == 0)
        return 0;
    if (width > (SIZE_MAX - 64) / 8)
        return 0;
    row = 4 + 4 * (width + width / MAX_LITERAL + 1);
    if (row < 4 * width)
        row = 4 * width;
    if (height > SIZE_MAX / row)
        return 0;
    return row * height;
}

static inline uint64_t load_le64(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static inline int lowest_bit(uint64_t x)
{
#if defined(__GNUC__)
    return __builtin_ctzll(x);
#else
    int n = 0;
    while (!(x & 1)) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

/* First i >= pos where s[i..i+3] are equal, or n. Eight bytes at a time:
   byte k of w ^ (w >> 8) is 0 where s[i+k] == s[i+k+1]. */
static size_t find_run4(const uint8_t *s, size_t pos, size_t n)
{
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
    size_t i = pos;
    while (i + 8 <= n) {
        uint64_t w = load_le64(s + i), e = w ^ (w >> 8);
        uint64_t zero = ~(((e & low7) + low7) | e | low7); /* 0x80 in zero bytes */
        uint64_t hit = zero & (zero >> 8) & (zero >> 16) & 0x0000008080808080ULL;
        if (hit)
            return i + (size_t)(lowest_bit(hit) >> 3);
        i += 5;
    }
    for (; i + 3 < n; i++)
        if (s[i] == s[i + 1] && s[i] == s[i + 2] && s[i] == s[i + 3])
            return i;
    return n;
}

/* One component of a scanline: runs of at least MIN_RUN equal bytes
   (at most MAX_RUN) become a count above 128 and the byte; what lies
   between them is written as literals of at most MAX_LITERAL bytes,
   except that a short run filling all of it is written as a run. The
   runs are searched from the start of each stretch of equal bytes, as
   the Radiance writer does, so that the output is the same. */
static uint8_t *encode_component(const uint8_t *s, size_t n, uint8_t *d)
{
    size_t pos = 0;
    while (pos < n) {
        /* the first such run starts a stretch of equal bytes (or is at pos) */
        size_t start = find_run4(s, pos, n), len = 0, prev, prevlen;
        if (start < n) {
            len = 1;
            while (start + len < n && len < MAX_RUN && s[start + len] == s[start])
                len++;
        }
        /* the stretch of equal bytes just before the run, after pos */
        prev = start;
        while (prev > pos && s[prev - 1] == s[start - 1])
            prev--;
        prevlen = start - prev;
        if (prevlen > 1 && prev == pos) {
            *d++ = (uint8_t)(128 + prevlen);
            *d++ = s[pos];
            pos = start;
        }
        while (pos < start) {
            size_t k = start - pos;
            if (k > MAX_LITERAL)
                k = MAX_LITERAL;
            *d++ = (uint8_t)k;
            memcpy(d, s + pos, k);
            d += k;
            pos += k;
        }
        if (len >= MIN_RUN) {
            *d++ = (uint8_t)(128 + len);
            *d++ = s[start];
            pos += len;
        }
    }
    return d;
}

ssize_t ndc_rgbe_encode(
    const float *src, size_t width, size_t height, int rle, uint8_t *dst, size_t dstsize)
{
    size_t y, bound = ndc_rgbe_encode_bound(width, height);
    uint8_t *d = dst, *line;
    float thr = zero_threshold();

    if (width == 0 || height == 0)
        return 0;
    if (bound == 0)
        return NDC_ERR_MEMORY;
    if (dstsize < bound)
        return NDC_ERR_OUTPUT;
    if (!rle || width < RLE_MIN_WIDTH || width > RLE_MAX_WIDTH) {
        size_t npix = width * height;
        to_rgbe(src, npix, thr, dst, dst + 1, dst + 2, dst + 3, 4);
        return (ssize_t)(npix * 4);
    }
    line = (uint8_t *)malloc(4 * width);
    if (line == NULL)
        return NDC_ERR_MEMORY;
    for (y = 0; y < height; y++) {
        const float *row = src + y * width * 3;
        int c;
        to_rgbe(row, width, thr, line, line + width, line + 2 * width, line + 3 * width, 1);
        d[0] = 2;
        d[1] = 2;
        d[2] = (uint8_t)(width >> 8);
        d[3] = (uint8_t)width;
        d += 4;
        for (c = 0; c < 4; c++)
            d = encode_component(line + (size_t)c * width, width, d);
    }
    free(line);
    return d - dst;
}

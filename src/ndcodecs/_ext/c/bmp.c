/* BMP codec, written from Microsoft's documentation of the bitmap file
   format (BITMAPFILEHEADER, BITMAPINFOHEADER to BITMAPV5HEADER, bitmap
   compression). */

#include "bmp.h"

#include <stdlib.h>
#include <string.h>

enum { FILE_HEADER = 14 };

static inline uint32_t le16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }

static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Bytes per stored row: padded to 32 bits. */
static inline uint64_t row_stride(uint32_t width, int bpp)
{
    return ((uint64_t)width * (uint64_t)bpp + 31) / 32 * 4;
}

/* Byte shuffles of whole rows: BGR <-> RGB (3 to 3 bytes a pixel),
   BGRA <-> RGBA (4 to 4) and BGRX -> RGB (4 to 3). With SSSE3, checked at
   run time, 16 bytes at a time; each returns how many pixels it did, and
   the plain loops below do the rest. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <tmmintrin.h>
#define HAVE_SSSE3_PATH 1

__attribute__((target("ssse3"))) static size_t swap3_ssse3(const uint8_t *s, uint8_t *d, size_t n)
{
    const __m128i order = _mm_setr_epi8(2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9, 14, 13, 12, 15);
    size_t i = 0;
    /* 16 bytes are read and written for 5 pixels: the 16th is the first
       byte of the next pixel, which is written again later */
    for (; i + 6 <= n; i += 5)
        _mm_storeu_si128((__m128i *)(d + 3 * i), _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(s + 3 * i)), order));
    return i;
}

__attribute__((target("ssse3"))) static size_t swap4_ssse3(const uint8_t *s, uint8_t *d, size_t n)
{
    const __m128i order = _mm_setr_epi8(2, 1, 0, 3, 6, 5, 4, 7, 10, 9, 8, 11, 14, 13, 12, 15);
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        _mm_storeu_si128((__m128i *)(d + 4 * i), _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(s + 4 * i)), order));
    return i;
}

__attribute__((target("ssse3"))) static size_t pack43_ssse3(const uint8_t *s, uint8_t *d, size_t n)
{
    const __m128i order = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    size_t i = 0;
    /* 12 bytes of 4 pixels are written with 16: the rest is overwritten later */
    for (; i + 6 <= n; i += 4)
        _mm_storeu_si128((__m128i *)(d + 3 * i), _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(s + 4 * i)), order));
    return i;
}
#endif

static void swap3(const uint8_t *s, uint8_t *d, size_t n)
{
    size_t i = 0;
#ifdef HAVE_SSSE3_PATH
    if (__builtin_cpu_supports("ssse3"))
        i = swap3_ssse3(s, d, n);
#endif
    for (; i < n; i++) {
        d[3 * i] = s[3 * i + 2];
        d[3 * i + 1] = s[3 * i + 1];
        d[3 * i + 2] = s[3 * i];
    }
}

static void swap4(const uint8_t *s, uint8_t *d, size_t n)
{
    size_t i = 0;
#ifdef HAVE_SSSE3_PATH
    if (__builtin_cpu_supports("ssse3"))
        i = swap4_ssse3(s, d, n);
#endif
    for (; i < n; i++) {
        d[4 * i] = s[4 * i + 2];
        d[4 * i + 1] = s[4 * i + 1];
        d[4 * i + 2] = s[4 * i];
        d[4 * i + 3] = s[4 * i + 3];
    }
}

static void pack43(const uint8_t *s, uint8_t *d, size_t n)
{
    size_t i = 0;
#ifdef HAVE_SSSE3_PATH
    if (__builtin_cpu_supports("ssse3"))
        i = pack43_ssse3(s, d, n);
#endif
    for (; i < n; i++) {
        d[3 * i] = s[4 * i + 2];
        d[3 * i + 1] = s[4 * i + 1];
        d[3 * i + 2] = s[4 * i];
    }
}

int ndc_bmp_read_header(const uint8_t *src, size_t srcsize, ndc_bmp_info *info)
{
    const uint8_t *h = src + FILE_HEADER;
    uint32_t hsize, clrused = 0;
    size_t palpos, stride;
    int i, entry;

    memset(info, 0, sizeof(*info));
    if (srcsize < FILE_HEADER + 4 || src[0] != 'B' || src[1] != 'M')
        return NDC_ERR_CORRUPT;
    hsize = le32(h);
    if (hsize != 12 && hsize != 40 && hsize != 52 && hsize != 56 && hsize != 108 && hsize != 124)
        return NDC_ERR_CORRUPT;
    if (srcsize < FILE_HEADER + (size_t)hsize)
        return NDC_ERR_CORRUPT;
    info->header_size = (int)hsize;
    if (hsize == 12) {
        info->width = le16(h + 4);
        info->height = le16(h + 6);
        info->bpp = (int)le16(h + 10);
        info->compression = NDC_BMP_RGB;
        entry = 3;
    } else {
        int32_t width = (int32_t)le32(h + 4), height = (int32_t)le32(h + 8);
        uint32_t compression = le32(h + 16);
        if (width <= 0 || height == 0 || height == INT32_MIN)
            return NDC_ERR_CORRUPT;
        info->width = (uint32_t)width;
        info->topdown = height < 0;
        info->height = (uint32_t)(height < 0 ? -height : height);
        info->bpp = (int)le16(h + 14);
        if (compression > NDC_BMP_ALPHABITFIELDS)
            return NDC_ERR_CORRUPT;
        info->compression = (int)compression;
        clrused = le32(h + 32);
        entry = 4;
    }
    if (info->width == 0 || info->height == 0)
        return NDC_ERR_CORRUPT;
    switch (info->bpp) {
    case 1:
    case 4:
    case 8:
    case 24:
        break;
    case 16:
    case 32:
        if (hsize == 12)
            return NDC_ERR_CORRUPT;
        break;
    default:
        return NDC_ERR_CORRUPT;
    }
    switch (info->compression) {
    case NDC_BMP_RGB:
        break;
    case NDC_BMP_RLE8:
        if (info->bpp != 8)
            return NDC_ERR_CORRUPT;
        break;
    case NDC_BMP_RLE4:
        if (info->bpp != 4)
            return NDC_ERR_CORRUPT;
        break;
    case NDC_BMP_BITFIELDS:
    case NDC_BMP_ALPHABITFIELDS:
        if (info->bpp != 16 && info->bpp != 32)
            return NDC_ERR_CORRUPT;
        break;
    default:
        return NDC_ERR_CORRUPT; /* BI_JPEG, BI_PNG */
    }

    palpos = FILE_HEADER + hsize;
    if (info->compression == NDC_BMP_BITFIELDS || info->compression == NDC_BMP_ALPHABITFIELDS) {
        int nmasks = info->compression == NDC_BMP_ALPHABITFIELDS ? 4 : 3;
        if (hsize == 40) {
            /* the masks follow the header */
            if (srcsize - palpos < (size_t)(4 * nmasks))
                return NDC_ERR_CORRUPT;
            for (i = 0; i < nmasks; i++)
                info->masks[i] = le32(src + palpos + 4 * i);
            palpos += (size_t)(4 * nmasks);
        } else {
            for (i = 0; i < 3; i++)
                info->masks[i] = le32(h + 40 + 4 * i);
            if (hsize >= 56)
                info->masks[3] = le32(h + 52);
        }
    } else if (info->bpp == 16) {
        info->masks[0] = 0x7C00;
        info->masks[1] = 0x03E0;
        info->masks[2] = 0x001F;
    } else if (info->bpp == 32) {
        info->masks[0] = 0x00FF0000;
        info->masks[1] = 0x0000FF00;
        info->masks[2] = 0x000000FF;
    }
    if (info->bpp == 16 && ((info->masks[0] | info->masks[1] | info->masks[2] | info->masks[3]) >> 16))
        return NDC_ERR_CORRUPT;

    if (info->bpp <= 8) {
        int n = 1 << info->bpp;
        size_t offset = le32(src + 10);
        if (clrused != 0 && clrused < (uint32_t)n)
            n = (int)clrused;
        /* core headers have no count: the palette fills the gap up to the pixels */
        if (hsize == 12 && offset > palpos && (offset - palpos) / 3 >= 1 && (offset - palpos) / 3 < (size_t)n)
            n = (int)((offset - palpos) / 3);
        if (palpos > srcsize || (srcsize - palpos) / (size_t)entry < (size_t)n)
            return NDC_ERR_CORRUPT;
        info->ncolors = n;
        info->gray = 1;
        for (i = 0; i < n; i++) {
            const uint8_t *p = src + palpos + (size_t)i * entry;
            info->palette[i][0] = p[2];
            info->palette[i][1] = p[1];
            info->palette[i][2] = p[0];
            if (p[0] != i || p[1] != i || p[2] != i)
                info->gray = 0;
        }
    }

    info->offset = le32(src + 10);
    if (info->offset < FILE_HEADER + hsize || info->offset >= srcsize)
        return NDC_ERR_CORRUPT;
    if (info->compression == NDC_BMP_RLE4 || info->compression == NDC_BMP_RLE8)
        return 0;
    /* every row must be there, except the padding of the last */
    {
        size_t avail = srcsize - info->offset;
        size_t rowbytes = (size_t)(((uint64_t)info->width * info->bpp + 7) / 8);
        stride = (size_t)row_stride(info->width, info->bpp);
        if (avail < rowbytes || (size_t)(info->height - 1) > (avail - rowbytes) / stride)
            return NDC_ERR_CORRUPT;
    }
    return 0;
}

/* A bit field of a 16 or 32-bit pixel, scaled to 8 bits. */
typedef struct {
    uint32_t mask;
    int shift;
    uint32_t top; /* largest value of the field */
} bitfield;

static void field_init(bitfield *f, uint32_t mask)
{
    f->mask = mask;
    f->shift = 0;
    f->top = 0;
    if (mask == 0)
        return;
    while (!((mask >> f->shift) & 1))
        f->shift++;
    f->top = mask >> f->shift;
}

static inline uint8_t field_get(const bitfield *f, uint32_t v)
{
    uint32_t x;
    if (f->top == 0)
        return 0;
    x = (v & f->mask) >> f->shift;
    if (f->top == 255)
        return (uint8_t)x;
    return (uint8_t)((uint64_t)x * 255 / f->top);
}

/* Palette indices (or the palette's colors) of one row of 1, 4 or 8 bits. */
static int palette_row(const ndc_bmp_info *info, const uint8_t *s, uint8_t *d, int mode)
{
    uint32_t x, w = info->width;
    int bpp = info->bpp, n = info->ncolors;
    if (bpp == 8 && mode == NDC_BMP_OUT_INDEX) {
        memcpy(d, s, w);
        return 0;
    }
    for (x = 0; x < w; x++) {
        unsigned v;
        if (bpp == 8)
            v = s[x];
        else if (bpp == 4)
            v = (x & 1) ? s[x >> 1] & 15 : s[x >> 1] >> 4;
        else
            v = (s[x >> 3] >> (7 - (x & 7))) & 1;
        if (mode == NDC_BMP_OUT_INDEX) {
            d[x] = (uint8_t)v;
            continue;
        }
        if ((int)v >= n)
            return NDC_ERR_CORRUPT;
        if (mode == NDC_BMP_OUT_RED) {
            d[x] = info->palette[v][0];
        } else {
            d[3 * x] = info->palette[v][0];
            d[3 * x + 1] = info->palette[v][1];
            d[3 * x + 2] = info->palette[v][2];
        }
    }
    return 0;
}

/* Runs of RLE8 or RLE4 into a plane of palette indices, top row first,
   that starts as zeros: what deltas and line ends skip stays 0. Pixels
   beyond the right edge are dropped; the stream ends with its end of
   bitmap code, or after the last row. */
static int rle_decode(const ndc_bmp_info *info, const uint8_t *p, const uint8_t *end, uint8_t *plane)
{
    size_t w = info->width, h = info->height, x = 0, y = 0;
    int rle4 = info->compression == NDC_BMP_RLE4;
    while (y < h) {
        uint8_t *row = plane + (info->topdown ? y : h - 1 - y) * w;
        unsigned a, b, k;
        if (end - p < 2)
            return NDC_ERR_CORRUPT;
        a = p[0];
        b = p[1];
        p += 2;
        if (a > 0) {
            if (!rle4) {
                if (x < w)
                    memset(row + x, (int)b, a < w - x ? a : w - x);
            } else {
                for (k = 0; k < a && x + k < w; k++)
                    row[x + k] = (uint8_t)((k & 1) ? b & 15 : b >> 4);
            }
            x += a;
        } else if (b == 0) {
            x = 0;
            y++;
        } else if (b == 1) {
            return 0;
        } else if (b == 2) {
            if (end - p < 2)
                return NDC_ERR_CORRUPT;
            x += p[0];
            y += p[1];
            p += 2;
        } else {
            size_t nbytes = rle4 ? (b + 1) / 2 : b;
            if ((size_t)(end - p) < nbytes)
                return NDC_ERR_CORRUPT;
            for (k = 0; k < b && x + k < w; k++)
                row[x + k] = rle4 ? (uint8_t)((k & 1) ? p[k >> 1] & 15 : p[k >> 1] >> 4) : p[k];
            x += b;
            /* absolute runs are padded to 16 bits */
            nbytes += nbytes & 1;
            p += nbytes < (size_t)(end - p) ? nbytes : (size_t)(end - p);
        }
    }
    return 0;
}

static ssize_t decode_rle(
    const uint8_t *src, size_t srcsize, const ndc_bmp_info *info, int mode, uint8_t *dst)
{
    size_t w = info->width, h = info->height, i, npix = w * h;
    uint8_t *plane = mode == NDC_BMP_OUT_INDEX ? dst : (uint8_t *)malloc(npix);
    int status;
    if (plane == NULL)
        return NDC_ERR_MEMORY;
    memset(plane, 0, npix);
    status = rle_decode(info, src + info->offset, src + srcsize, plane);
    if (status == 0 && mode != NDC_BMP_OUT_INDEX) {
        for (i = 0; i < npix; i++) {
            unsigned v = plane[i];
            if ((int)v >= info->ncolors) {
                status = NDC_ERR_CORRUPT;
                break;
            }
            if (mode == NDC_BMP_OUT_RED) {
                dst[i] = info->palette[v][0];
            } else {
                dst[3 * i] = info->palette[v][0];
                dst[3 * i + 1] = info->palette[v][1];
                dst[3 * i + 2] = info->palette[v][2];
            }
        }
    }
    if (plane != dst)
        free(plane);
    return status;
}

ssize_t ndc_bmp_decode(
    const uint8_t *src, size_t srcsize, const ndc_bmp_info *info, int mode,
    uint8_t *dst, size_t dstsize)
{
    size_t w = info->width, h = info->height, y, x, px, total, stride;
    bitfield f[4];
    int c, fast32;

    if (info->bpp <= 8) {
        if (mode != NDC_BMP_OUT_INDEX && mode != NDC_BMP_OUT_RED && mode != NDC_BMP_OUT_RGB)
            return NDC_ERR_CORRUPT;
    } else if (mode != NDC_BMP_OUT_RGB && mode != NDC_BMP_OUT_RGBA) {
        return NDC_ERR_CORRUPT;
    }
    px = mode == NDC_BMP_OUT_INDEX ? 1 : (size_t)mode;
    if (h > SIZE_MAX / px / w)
        return NDC_ERR_OUTPUT;
    total = w * h * px;
    if (total > dstsize || total > (size_t)PTRDIFF_MAX)
        return NDC_ERR_OUTPUT;
    if (info->offset >= srcsize)
        return NDC_ERR_CORRUPT;

    if (info->compression == NDC_BMP_RLE8 || info->compression == NDC_BMP_RLE4) {
        int status = (int)decode_rle(src, srcsize, info, mode, dst);
        return status < 0 ? status : (ssize_t)total;
    }

    stride = (size_t)row_stride(info->width, info->bpp);
    for (c = 0; c < 4; c++)
        field_init(&f[c], info->masks[c]);
    fast32 = info->bpp == 32 && info->masks[0] == 0x00FF0000 && info->masks[1] == 0x0000FF00 &&
             info->masks[2] == 0x000000FF && (info->masks[3] == 0 || info->masks[3] == 0xFF000000);

    for (y = 0; y < h; y++) {
        const uint8_t *s = src + info->offset + y * stride;
        uint8_t *d = dst + (info->topdown ? y : h - 1 - y) * w * px;
        switch (info->bpp) {
        case 1:
        case 4:
        case 8:
            if (palette_row(info, s, d, mode) != 0)
                return NDC_ERR_CORRUPT;
            break;
        case 24:
            swap3(s, d, w);
            break;
        case 32:
            if (fast32 && px == 3) {
                pack43(s, d, w);
                break;
            }
            if (fast32 && px == 4 && info->masks[3]) {
                swap4(s, d, w);
                break;
            }
            /* fall through */
        default:
            for (x = 0; x < w; x++, d += px) {
                uint32_t v;
                if (info->bpp == 16) {
                    v = le16(s);
                    s += 2;
                } else {
                    v = le32(s);
                    s += 4;
                }
                d[0] = field_get(&f[0], v);
                d[1] = field_get(&f[1], v);
                d[2] = field_get(&f[2], v);
                if (px == 4)
                    d[3] = info->masks[3] ? field_get(&f[3], v) : 255;
            }
            break;
        }
    }
    return (ssize_t)total;
}

size_t ndc_bmp_encoded_size(uint32_t width, uint32_t height, int samples)
{
    uint64_t header, size;
    if (samples != 1 && samples != 3 && samples != 4)
        return 0;
    if (width > 0x7FFFFFFF || height > 0x7FFFFFFF)
        return 0;
    header = FILE_HEADER + (samples == 4 ? 108 : 40) + (samples == 1 ? 1024 : 0);
    size = header + row_stride(width, samples * 8) * height;
    if (size > 0xFFFFFFFFu)
        return 0;
    return (size_t)size;
}

ssize_t ndc_bmp_encode(
    const uint8_t *src, uint32_t width, uint32_t height, int samples, int32_t ppm,
    uint8_t *dst, size_t dstsize)
{
    size_t size = ndc_bmp_encoded_size(width, height, samples), stride, x, y, header, rowbytes;
    uint8_t *h = dst + FILE_HEADER;
    int bpp = samples * 8;
    if (size == 0)
        return NDC_ERR_CORRUPT;
    if (dstsize < size)
        return NDC_ERR_OUTPUT;
    header = FILE_HEADER + (samples == 4 ? 108 : 40);
    memset(dst, 0, header);
    stride = (size_t)row_stride(width, bpp);
    rowbytes = (size_t)width * samples;
    dst[0] = 'B';
    dst[1] = 'M';
    put32(dst + 2, (uint32_t)size);
    put32(dst + 10, (uint32_t)(header + (samples == 1 ? 1024 : 0)));
    put32(h, (uint32_t)(header - FILE_HEADER));
    put32(h + 4, width);
    put32(h + 8, height); /* bottom-up */
    put16(h + 12, 1);
    put16(h + 14, (uint32_t)bpp);
    put32(h + 16, samples == 4 ? NDC_BMP_BITFIELDS : NDC_BMP_RGB);
    put32(h + 20, (uint32_t)(stride * height));
    put32(h + 24, (uint32_t)ppm);
    put32(h + 28, (uint32_t)ppm);
    if (samples == 4) {
        put32(h + 40, 0x00FF0000);
        put32(h + 44, 0x0000FF00);
        put32(h + 48, 0x000000FF);
        put32(h + 52, 0xFF000000);
    }
    if (samples == 1) {
        /* a gray ramp; the unused byte of each entry is 255, as imagecodecs writes it */
        uint8_t *p = dst + header;
        for (x = 0; x < 256; x++, p += 4) {
            p[0] = p[1] = p[2] = (uint8_t)x;
            p[3] = 255;
        }
        header += 1024;
    }
    for (y = 0; y < height; y++) {
        const uint8_t *s = src + (size_t)(height - 1 - y) * rowbytes;
        uint8_t *d = dst + header + y * stride;
        if (samples == 1) {
            memcpy(d, s, rowbytes);
        } else if (samples == 3) {
            swap3(s, d, width);
        } else {
            swap4(s, d, width);
        }
        memset(dst + header + y * stride + rowbytes, 0, stride - rowbytes);
    }
    return (ssize_t)size;
}

/* QOI codec, written from the QOI specification 1.0 (qoiformat.org). */

#include "qoi.h"

#include <string.h>

enum {
    QOI_HEADER = 14,
    QOI_MARKER = 8,
    OP_INDEX = 0x00, /* 00iiiiii */
    OP_DIFF = 0x40,  /* 01rrggbb, each difference -2..1 stored + 2 */
    OP_LUMA = 0x80,  /* 10gggggg rrrrbbbb, green -32..31, red and blue -8..7 relative */
    OP_RUN = 0xC0,   /* 11llllll, 1..62 repeats stored - 1 */
    OP_RGB = 0xFE,
    OP_RGBA = 0xFF,
};

static const uint8_t end_marker[QOI_MARKER] = {0, 0, 0, 0, 0, 0, 0, 1};

/* A pixel is held as one word, r in the low byte and a in the high one. */
#define R(p) ((p) & 0xFFu)
#define G(p) (((p) >> 8) & 0xFFu)
#define B(p) (((p) >> 16) & 0xFFu)
#define A(p) ((p) >> 24)
#define PIXEL(r, g, b, a) \
    ((uint32_t)(r) | (uint32_t)(g) << 8 | (uint32_t)(b) << 16 | (uint32_t)(a) << 24)

static inline unsigned slot(uint32_t p)
{
    return (R(p) * 3 + G(p) * 5 + B(p) * 7 + A(p) * 11) & 63;
}

static inline uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

int ndc_qoi_read_header(const uint8_t *src, size_t srcsize, ndc_qoi_info *info)
{
    if (srcsize < QOI_HEADER || memcmp(src, "qoif", 4) != 0)
        return NDC_ERR_CORRUPT;
    info->width = be32(src + 4);
    info->height = be32(src + 8);
    info->channels = src[12];
    info->colorspace = src[13];
    if (info->width == 0 || info->height == 0 || (info->channels != 3 && info->channels != 4) ||
        info->colorspace > 1)
        return NDC_ERR_CORRUPT;
    return 0;
}

/* Store a pixel of n (3 or 4) bytes. */
static inline void put_pixel(uint8_t *d, uint32_t p, int n)
{
    d[0] = (uint8_t)R(p);
    d[1] = (uint8_t)G(p);
    d[2] = (uint8_t)B(p);
    if (n == 4)
        d[3] = (uint8_t)A(p);
}

/* The ops of a stream of n-byte pixels (n a constant where inlined);
   end is where the end marker may start at the latest. */
static inline ssize_t decode_ops(const uint8_t *p, const uint8_t *end, uint8_t *dst, size_t total, const int n)
{
    uint32_t seen[64] = {0};
    uint32_t px = PIXEL(0, 0, 0, 255);
    size_t pos = 0, safe = total >= 4 ? total - 4 : 0; /* below it, 4-byte stores fit */

    while (pos < total) {
        unsigned op;
        if (p >= end)
            return NDC_ERR_CORRUPT;
        op = *p++;
        if (op < OP_DIFF) {
            px = seen[op];
        } else if (op < OP_LUMA) {
            px = PIXEL((R(px) + ((op >> 4) & 3) - 2) & 0xFF, (G(px) + ((op >> 2) & 3) - 2) & 0xFF,
                       (B(px) + (op & 3) - 2) & 0xFF, A(px));
        } else if (op < OP_RUN) {
            int dg, dr, db;
            if (p >= end)
                return NDC_ERR_CORRUPT;
            dg = (int)(op & 63) - 32;
            dr = dg + (int)(*p >> 4) - 8;
            db = dg + (int)(*p & 15) - 8;
            p++;
            px = PIXEL((R(px) + dr) & 0xFF, (G(px) + dg) & 0xFF, (B(px) + db) & 0xFF, A(px));
        } else if (op < OP_RGB) {
            size_t run = (size_t)(op & 63) + 1;
            if (run > (total - pos) / n)
                return NDC_ERR_CORRUPT; /* a run past the last pixel */
            seen[slot(px)] = px;
            {
                const uint8_t b[4] = {(uint8_t)R(px), (uint8_t)G(px), (uint8_t)B(px), (uint8_t)A(px)};
                size_t last = pos + run * n;
                for (; pos < last && (n == 4 || pos < safe); pos += n)
                    memcpy(dst + pos, b, 4);
                for (; pos < last; pos += n)
                    memcpy(dst + pos, b, 3);
            }
            continue;
        } else if (op == OP_RGB) {
            if (end - p < 3)
                return NDC_ERR_CORRUPT;
            px = PIXEL(p[0], p[1], p[2], A(px));
            p += 3;
        } else {
            if (end - p < 4)
                return NDC_ERR_CORRUPT;
            px = PIXEL(p[0], p[1], p[2], p[3]);
            p += 4;
        }
        seen[slot(px)] = px;
        put_pixel(dst + pos, px, n);
        pos += n;
    }
    /* p <= end, so the marker's eight bytes are within the stream */
    if (memcmp(p, end_marker, QOI_MARKER) != 0)
        return NDC_ERR_CORRUPT;
    return (ssize_t)total;
}

ssize_t ndc_qoi_decode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize)
{
    ndc_qoi_info info;
    size_t total;
    int n;

    if (ndc_qoi_read_header(src, srcsize, &info) != 0)
        return NDC_ERR_CORRUPT;
    n = info.channels;
    if ((size_t)info.height > SIZE_MAX / n / info.width)
        return NDC_ERR_OUTPUT;
    total = (size_t)info.width * info.height * n;
    if (total > dstsize || total > (size_t)PTRDIFF_MAX)
        return NDC_ERR_OUTPUT;
    /* every op takes at least one byte, the end marker eight */
    if (srcsize < QOI_HEADER + QOI_MARKER + 1)
        return NDC_ERR_CORRUPT;
    if (n == 3)
        return decode_ops(src + QOI_HEADER, src + srcsize - QOI_MARKER, dst, total, 3);
    return decode_ops(src + QOI_HEADER, src + srcsize - QOI_MARKER, dst, total, 4);
}

size_t ndc_qoi_encode_bound(uint32_t width, uint32_t height, int channels)
{
    size_t npix;
    if (width == 0 || height == 0)
        return 0;
    if ((size_t)height > (SIZE_MAX - QOI_HEADER - QOI_MARKER) / (channels + 1) / width)
        return 0;
    npix = (size_t)width * height;
    return QOI_HEADER + npix * (size_t)(channels + 1) + QOI_MARKER;
}

/* The ops of npix pixels of `channels` bytes (a constant where inlined);
   returns the end of what was written. */
static inline uint8_t *encode_ops(const uint8_t *s, size_t npix, uint8_t *d, const int channels)
{
    uint32_t seen[64] = {0};
    uint32_t prev = PIXEL(0, 0, 0, 255), px;
    size_t i;
    unsigned run = 0;

    for (i = 0; i < npix; i++, s += channels) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        /* one load; for RGB the fourth byte read is the next pixel's red */
        if (channels == 4 || i + 1 < npix) {
            memcpy(&px, s, 4);
            if (channels == 3)
                px |= 0xFF000000u;
        } else {
            px = PIXEL(s[0], s[1], s[2], 255);
        }
#else
        px = PIXEL(s[0], s[1], s[2], channels == 4 ? s[3] : 255);
#endif
        if (px == prev) {
            /* runs end at 62 pixels and at the image's end */
            if (++run == 62 || i + 1 == npix) {
                *d++ = (uint8_t)(OP_RUN | (run - 1));
                run = 0;
            }
            continue;
        }
        if (run) {
            *d++ = (uint8_t)(OP_RUN | (run - 1));
            run = 0;
        }
        {
            unsigned k = slot(px);
            if (seen[k] == px) {
                *d++ = (uint8_t)(OP_INDEX | k);
            } else {
                seen[k] = px;
                if (A(px) == A(prev)) {
                    int dr = (int8_t)(uint8_t)(R(px) - R(prev));
                    int dg = (int8_t)(uint8_t)(G(px) - G(prev));
                    int db = (int8_t)(uint8_t)(B(px) - B(prev));
                    int rg = dr - dg, bg = db - dg;
                    if (dr >= -2 && dr <= 1 && dg >= -2 && dg <= 1 && db >= -2 && db <= 1) {
                        *d++ = (uint8_t)(OP_DIFF | (dr + 2) << 4 | (dg + 2) << 2 | (db + 2));
                    } else if (dg >= -32 && dg <= 31 && rg >= -8 && rg <= 7 && bg >= -8 && bg <= 7) {
                        d[0] = (uint8_t)(OP_LUMA | (dg + 32));
                        d[1] = (uint8_t)((rg + 8) << 4 | (bg + 8));
                        d += 2;
                    } else {
                        d[0] = OP_RGB;
                        d[1] = (uint8_t)R(px);
                        d[2] = (uint8_t)G(px);
                        d[3] = (uint8_t)B(px);
                        d += 4;
                    }
                } else {
                    d[0] = OP_RGBA;
                    d[1] = (uint8_t)R(px);
                    d[2] = (uint8_t)G(px);
                    d[3] = (uint8_t)B(px);
                    d[4] = (uint8_t)A(px);
                    d += 5;
                }
            }
        }
        prev = px;
    }
    return d;
}

ssize_t ndc_qoi_encode(
    const uint8_t *src, uint32_t width, uint32_t height, int channels,
    int colorspace, uint8_t *dst, size_t dstsize)
{
    size_t npix, bound = ndc_qoi_encode_bound(width, height, channels);
    uint8_t *d = dst;

    if (bound == 0 || (channels != 3 && channels != 4))
        return NDC_ERR_CORRUPT;
    if (dstsize < bound)
        return NDC_ERR_OUTPUT;
    npix = (size_t)width * height;
    memcpy(d, "qoif", 4);
    put_be32(d + 4, width);
    put_be32(d + 8, height);
    d[12] = (uint8_t)channels;
    d[13] = (uint8_t)colorspace;
    d += QOI_HEADER;
    d = channels == 3 ? encode_ops(src, npix, d, 3) : encode_ops(src, npix, d, 4);
    memcpy(d, end_marker, QOI_MARKER);
    d += QOI_MARKER;
    return (ssize_t)(d - dst);
}

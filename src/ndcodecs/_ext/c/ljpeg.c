/* Lossless JPEG (SOF3) decoder. See ljpeg.h. */

#include <stdlib.h>
#include <string.h>

#include "ljpeg.h"

#define LOOKAHEAD 9
#define FASTBITS 11

typedef struct {
    int defined;
    /* codes of up to LOOKAHEAD bits: (length << 8) | symbol, 0 if longer */
    uint16_t fast[1 << LOOKAHEAD];
    /* codes and their extra bits of up to FASTBITS bits together: the
       difference and the bits used, 0 if longer */
    int32_t fastdiff[1 << FASTBITS];
    uint8_t fastlen[1 << FASTBITS];
    /* canonical decoding of longer codes, by length 1..16 */
    int32_t maxcode[18];
    int32_t valoffset[17];
    uint8_t symbols[256];
} huffman_table;

typedef struct {
    int id;
    int index; /* in the frame */
} scan_component;

typedef struct {
    const uint8_t *src;
    size_t size;
    size_t pos;
    /* frame */
    uint32_t width;
    uint32_t height;
    int components;
    int precision;
    int ids[4];
    int have_frame;
    unsigned restart;
    huffman_table tables[4];
    /* bit reader over the entropy-coded segment */
    uint64_t bits;  /* left-aligned */
    int nbits;      /* valid bits in `bits` */
    int zerobits;   /* of those, zero bits appended past the segment's end */
    int marker;     /* the marker that ended the segment, or 0 */
} decoder;

static int read_u16(decoder *d, unsigned *value)
{
    if (d->size - d->pos < 2)
        return NDC_ERR_CORRUPT;
    *value = ((unsigned)d->src[d->pos] << 8) | d->src[d->pos + 1];
    d->pos += 2;
    return 0;
}

/* Return the next marker code (after 0xFF fill bytes), or -1 at the end. */
static int next_marker(decoder *d)
{
    for (;;) {
        while (d->pos < d->size && d->src[d->pos] != 0xFF)
            d->pos++; /* garbage between segments, as libjpeg tolerates */
        while (d->pos < d->size && d->src[d->pos] == 0xFF)
            d->pos++;
        if (d->pos >= d->size)
            return -1;
        if (d->src[d->pos] != 0x00)
            return d->src[d->pos++];
        d->pos++; /* a stuffed 0xFF in entropy-coded data */
    }
}

/* Enter code `code` of `len` bits for category `ssss` with every value of
   its extra bits into the table of whole differences, where they fit. */
static void fill_fastdiff(huffman_table *t, unsigned code, unsigned len, unsigned ssss)
{
    unsigned extra = (ssss > 0 && ssss < 16) ? ssss : 0, total = len + extra, v, j;
    if (ssss > 16 || total > FASTBITS)
        return;
    for (v = 0; v < (1u << extra); v++) {
        int32_t diff = (int32_t)v;
        unsigned first = ((code << extra) | v) << (FASTBITS - total);
        if (ssss == 16)
            diff = 32768;
        else if (extra && diff < (1 << (extra - 1)))
            diff -= (1 << extra) - 1;
        for (j = 0; j < (1u << (FASTBITS - total)); j++) {
            t->fastdiff[first + j] = diff;
            t->fastlen[first + j] = (uint8_t)total;
        }
    }
}

static int parse_dht(decoder *d, size_t end)
{
    while (d->pos < end) {
        unsigned tc_th = d->src[d->pos++];
        unsigned counts[17];
        unsigned total = 0, i, len, k;
        huffman_table *t = &d->tables[tc_th & 3];
        int32_t code;
        if ((tc_th & 0x0F) > 3 || (tc_th >> 4) > 1)
            return NDC_ERR_CORRUPT;
        if ((tc_th >> 4) == 1) {
            /* AC tables have no use in lossless JPEG: skipped */
            if (end - d->pos < 16)
                return NDC_ERR_CORRUPT;
            for (len = 0; len < 16; len++)
                total += d->src[d->pos + len];
            if (end - d->pos - 16 < total)
                return NDC_ERR_CORRUPT;
            d->pos += 16 + total;
            continue;
        }
        t->defined = 0;
        if (end - d->pos < 16)
            return NDC_ERR_CORRUPT;
        for (len = 1; len <= 16; len++) {
            counts[len] = d->src[d->pos++];
            total += counts[len];
        }
        if (total > 256 || end - d->pos < total)
            return NDC_ERR_CORRUPT;
        memcpy(t->symbols, d->src + d->pos, total);
        d->pos += total;
        memset(t->fast, 0, sizeof(t->fast));
        memset(t->fastlen, 0, sizeof(t->fastlen));
        code = 0;
        k = 0;
        for (len = 1; len <= 16; len++) {
            t->valoffset[len] = (int32_t)k - code;
            if (counts[len]) {
                for (i = 0; i < counts[len]; i++, k++, code++) {
                    if (code >= (1 << len))
                        return NDC_ERR_CORRUPT; /* more codes than the length allows */
                    if (len <= LOOKAHEAD) {
                        unsigned shift = LOOKAHEAD - len, j;
                        unsigned first = (unsigned)code << shift;
                        for (j = 0; j < (1u << shift); j++)
                            t->fast[first + j] = (uint16_t)((len << 8) | t->symbols[k]);
                    }
                    fill_fastdiff(t, (unsigned)code, len, t->symbols[k]);
                }
                t->maxcode[len] = code - 1;
            } else {
                t->maxcode[len] = -1;
            }
            code <<= 1;
        }
        t->maxcode[17] = 0x7FFFFFFF;
        t->defined = 1;
    }
    return 0;
}

static int parse_sof(decoder *d, size_t end)
{
    int i;
    if (end - d->pos < 6 || d->have_frame)
        return NDC_ERR_CORRUPT;
    d->precision = d->src[d->pos];
    d->height = ((uint32_t)d->src[d->pos + 1] << 8) | d->src[d->pos + 2];
    d->width = ((uint32_t)d->src[d->pos + 3] << 8) | d->src[d->pos + 4];
    d->components = d->src[d->pos + 5];
    d->pos += 6;
    if (d->precision < 2 || d->precision > 16 || d->height == 0 || d->width == 0 ||
        d->components < 1 || d->components > 4 || end - d->pos < (size_t)d->components * 3)
        return NDC_ERR_CORRUPT;
    for (i = 0; i < d->components; i++) {
        d->ids[i] = d->src[d->pos];
        if (d->src[d->pos + 1] != 0x11)
            return NDC_ERR_CORRUPT; /* subsampled components are not supported */
        d->pos += 3;
    }
    d->have_frame = 1;
    return 0;
}

/* Parse markers until SOS (returns 1), EOI or the end of data (returns 0). */
static int parse_markers(decoder *d)
{
    for (;;) {
        int marker = next_marker(d);
        unsigned length;
        size_t end;
        int ret = 0;
        if (marker < 0 || marker == 0xD9)
            return 0;
        if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01)
            continue; /* markers without a length */
        if (read_u16(d, &length) != 0 || length < 2 || d->size - d->pos < length - 2)
            return NDC_ERR_CORRUPT;
        end = d->pos + length - 2;
        switch (marker) {
        case 0xC4:
            ret = parse_dht(d, end);
            break;
        case 0xC3:
            ret = parse_sof(d, end);
            break;
        case 0xC0: case 0xC1: case 0xC2: case 0xC5: case 0xC6: case 0xC7:
        case 0xC9: case 0xCA: case 0xCB: case 0xCD: case 0xCE: case 0xCF:
            return NDC_ERR_CORRUPT; /* not a lossless Huffman frame */
        case 0xDD:
            if (end - d->pos < 2)
                return NDC_ERR_CORRUPT;
            d->restart = ((unsigned)d->src[d->pos] << 8) | d->src[d->pos + 1];
            break;
        case 0xDA:
            d->pos -= 2;
            return 1; /* the caller parses the scan header at d->pos */
        default:
            break; /* APPn, COM, DQT, DNL...: skipped */
        }
        if (ret != 0)
            return ret;
        d->pos = end;
    }
}

ssize_t ndc_ljpeg_header(const uint8_t *src, size_t srcsize, ndc_ljpeg_info *info)
{
    decoder d;
    int ret;
    memset(&d, 0, sizeof(d));
    d.src = src;
    d.size = srcsize;
    if (srcsize < 4 || src[0] != 0xFF || src[1] != 0xD8)
        return NDC_ERR_CORRUPT;
    d.pos = 2;
    ret = parse_markers(&d);
    if (ret < 0)
        return ret;
    if (!d.have_frame || ret == 0)
        return NDC_ERR_CORRUPT;
    info->width = d.width;
    info->height = d.height;
    info->components = d.components;
    info->precision = d.precision;
    return 0;
}

/* Bit reader. Past the end of the segment (a marker other than RSTn, or
   the end of data), zero bits are fed and counted. */
static void fill_bits(decoder *d)
{
    /* the common case: no marker or stuffing in the next bytes */
    if (d->marker == 0) {
        while (d->nbits <= 56 && d->pos < d->size && d->src[d->pos] != 0xFF) {
            d->bits |= (uint64_t)d->src[d->pos++] << (56 - d->nbits);
            d->nbits += 8;
        }
    }
    while (d->nbits <= 56) {
        uint64_t byte = 0;
        if (d->marker == 0 && d->pos < d->size) {
            byte = d->src[d->pos];
            if (byte == 0xFF) {
                size_t next = d->pos + 1;
                while (next < d->size && d->src[next] == 0xFF)
                    next++; /* fill bytes */
                if (next < d->size && d->src[next] == 0x00) {
                    d->pos = next + 1;
                } else {
                    d->marker = next < d->size ? d->src[next] : -1;
                    d->pos = next < d->size ? next + 1 : next;
                    byte = 0;
                    d->zerobits += 8;
                }
            } else {
                d->pos++;
            }
        } else {
            d->zerobits += 8;
        }
        d->bits |= byte << (56 - d->nbits);
        d->nbits += 8;
    }
}

/* Refill from 8 bytes at once when none of them is 0xFF. The bits below
   the valid ones then hold the data that follows, which later refills
   OR in again unchanged. */
static inline void refill(decoder *d)
{
    if (d->marker == 0 && d->size - d->pos >= 8) {
        uint64_t w, v;
        memcpy(&w, d->src + d->pos, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        w = __builtin_bswap64(w);
#endif
        v = ~w;
        if (((v - 0x0101010101010101ULL) & ~v & 0x8080808080808080ULL) == 0) {
            int k = (63 - d->nbits) >> 3;
            d->bits |= w >> d->nbits;
            d->pos += (size_t)k;
            d->nbits += 8 * k;
            return;
        }
    }
    fill_bits(d);
}

static inline int overrun(const decoder *d)
{
    return d->nbits < d->zerobits;
}

/* Decode one difference; returns 0 or NDC_ERR_CORRUPT. */
static inline int decode_diff(decoder *d, const huffman_table *t, int32_t *diff)
{
    unsigned fast, ssss;
    int len;
    if (d->nbits < 32)
        refill(d);
    fast = t->fastlen[d->bits >> (64 - FASTBITS)];
    if (fast) {
        *diff = t->fastdiff[d->bits >> (64 - FASTBITS)];
        d->bits <<= fast;
        d->nbits -= (int)fast;
        return 0;
    }
    fast = t->fast[d->bits >> (64 - LOOKAHEAD)];
    if (fast) {
        len = fast >> 8;
        ssss = fast & 0xFF;
    } else {
        int32_t code;
        len = LOOKAHEAD + 1;
        code = (int32_t)(d->bits >> (64 - len));
        while (code > t->maxcode[len]) {
            len++;
            if (len > 16)
                return NDC_ERR_CORRUPT;
            code = (int32_t)(d->bits >> (64 - len));
        }
        ssss = t->symbols[(code + t->valoffset[len]) & 0xFF];
    }
    d->bits <<= len;
    d->nbits -= len;
    if (ssss == 0) {
        *diff = 0;
    } else if (ssss < 16) {
        /* at least 32 bits were there: code and extra bits fit */
        int32_t v = (int32_t)(d->bits >> (64 - ssss));
        d->bits <<= ssss;
        d->nbits -= (int)ssss;
        if (v < (1 << (ssss - 1)))
            v -= (1 << ssss) - 1;
        *diff = v;
    } else if (ssss == 16) {
        *diff = 32768; /* no extra bits follow, which some encoders get wrong */
    } else {
        return NDC_ERR_CORRUPT;
    }
    return 0;
}

/* Skip to and past an RSTn marker, resetting the bit reader. */
static int restart(decoder *d)
{
    if (overrun(d))
        return NDC_ERR_CORRUPT;
    if (d->marker == 0) {
        /* the reader stopped before the marker: find it */
        while (d->pos < d->size && d->src[d->pos] != 0xFF)
            d->pos++;
        while (d->pos < d->size && d->src[d->pos] == 0xFF)
            d->pos++;
        d->marker = d->pos < d->size ? d->src[d->pos++] : -1;
    }
    if (d->marker < 0xD0 || d->marker > 0xD7)
        return NDC_ERR_CORRUPT;
    d->marker = 0;
    d->bits = 0;
    d->nbits = 0;
    d->zerobits = 0;
    return 0;
}

static inline int32_t prediction(unsigned predictor, int32_t ra, int32_t rb, int32_t rc)
{
    switch (predictor) {
    case 1: return ra;
    case 2: return rb;
    case 3: return rc;
    case 4: return ra + rb - rc;
    case 5: return ra + ((rb - rc) >> 1);
    case 6: return rb + ((ra - rc) >> 1);
    case 7: return (ra + rb) >> 1;
    default: return 0; /* 0: no prediction (hierarchical processes only) */
    }
}

/* Decode samples x0 * ns to width * ns of a row that is neither the first
   row nor interrupted by a restart: the common case, kept tight. */
static int decode_interior(decoder *d, const huffman_table *const *tab, unsigned ns,
                           unsigned predictor, uint16_t *cur, const uint16_t *prev,
                           uint32_t x0, uint32_t width)
{
    size_t k, end = (size_t)width * ns;
    unsigned i = 0;
    /* one loop per predictor, so that none tests it per sample */
#define INTERIOR(PREDICTOR)                                                              \
    for (k = (size_t)x0 * ns; k < end; k++) {                                            \
        int32_t diff;                                                                    \
        if (decode_diff(d, tab[i], &diff) != 0)                                          \
            return NDC_ERR_CORRUPT;                                                      \
        cur[k] = (uint16_t)(prediction(PREDICTOR, cur[k - ns], prev[k], prev[k - ns]) + diff); \
        if (++i == ns)                                                                   \
            i = 0;                                                                       \
    }                                                                                    \
    return 0;
    switch (predictor) {
    case 1: INTERIOR(1)
    case 2: INTERIOR(2)
    case 3: INTERIOR(3)
    case 4: INTERIOR(4)
    case 5: INTERIOR(5)
    case 6: INTERIOR(6)
    case 7: INTERIOR(7)
    default: INTERIOR(0)
    }
#undef INTERIOR
}

static int decode_scan(decoder *d, uint16_t *rows, uint8_t *dst, int itemsize,
                       const uint16_t *lut, size_t lutsize)
{
    scan_component sc[4];
    const huffman_table *tab[4];
    unsigned ns, i, predictor, pt, ss, se, ahl;
    unsigned length;
    uint16_t *prev, *cur, *buffers[2];
    uint32_t x, y;
    int c, first_row, direct;
    int32_t initial;
    unsigned long restart_left;
    size_t nc = (size_t)d->components;
    size_t end;

    if (read_u16(d, &length) != 0 || length < 3 || d->size - d->pos < length - 2)
        return NDC_ERR_CORRUPT;
    end = d->pos + length - 2;
    ns = d->src[d->pos++];
    if (ns < 1 || ns > (unsigned)d->components || end - d->pos != ns * 2 + 3)
        return NDC_ERR_CORRUPT;
    for (i = 0; i < ns; i++) {
        int id = d->src[d->pos], td = d->src[d->pos + 1] >> 4;
        sc[i].index = -1;
        for (c = 0; c < d->components; c++)
            if (d->ids[c] == id)
                sc[i].index = c;
        if (sc[i].index < 0 || td > 3 || !d->tables[td].defined)
            return NDC_ERR_CORRUPT;
        tab[i] = &d->tables[td];
        d->pos += 2;
    }
    ss = d->src[d->pos];
    se = d->src[d->pos + 1];
    ahl = d->src[d->pos + 2];
    d->pos += 3;
    predictor = ss;
    pt = ahl & 0x0F;
    (void)se;
    if (predictor > 7 || pt >= (unsigned)d->precision)
        return NDC_ERR_CORRUPT;
    initial = (int32_t)1 << (d->precision - pt - 1);
    /* 16-bit samples of all components in order are decoded in place */
    direct = itemsize == 2 && lut == NULL && pt == 0 && ns == nc;
    for (i = 0; i < ns; i++)
        if (sc[i].index != (int)i)
            direct = 0;

    d->bits = 0;
    d->nbits = 0;
    d->zerobits = 0;
    d->marker = 0;
    restart_left = d->restart;
    buffers[0] = rows;
    buffers[1] = rows + (size_t)d->width * ns;
    first_row = 1;
    for (y = 0; y < d->height; y++) {
        int reset = first_row; /* the row starts like the first one */
        if (direct) {
            cur = (uint16_t *)dst + (size_t)y * d->width * nc;
            prev = cur - (size_t)d->width * nc; /* used from the second row on */
        } else {
            cur = buffers[y & 1];
            prev = buffers[(y & 1) ^ 1];
        }
        for (x = 0; x < d->width; x++) {
            uint16_t *p = cur + (size_t)x * ns;
            const uint16_t *q = prev + (size_t)x * ns;
            if (x > 0 && !first_row && (d->restart == 0 || restart_left >= d->width - x)) {
                if (decode_interior(d, tab, ns, predictor, cur, prev, x, d->width) != 0)
                    return NDC_ERR_CORRUPT;
                if (d->restart)
                    restart_left -= d->width - x;
                break;
            }
            if (d->restart) {
                if (restart_left == 0) {
                    if (restart(d) != 0)
                        return NDC_ERR_CORRUPT;
                    restart_left = d->restart;
                    reset = 1;
                    first_row = 1; /* the rest of this row predicts from the left */
                }
                restart_left--;
            }
            for (i = 0; i < ns; i++) {
                int32_t diff, pred;
                if (decode_diff(d, tab[i], &diff) != 0)
                    return NDC_ERR_CORRUPT;
                if (reset)
                    pred = initial;
                else if (first_row)
                    pred = p[(int)i - (int)ns];
                else if (x == 0)
                    pred = q[i];
                else
                    pred = prediction(predictor, p[(int)i - (int)ns], q[i], q[(int)i - (int)ns]);
                p[i] = (uint16_t)(pred + diff);
            }
            reset = 0;
        }
        if (overrun(d))
            return NDC_ERR_CORRUPT; /* truncated */
        if (!direct) {
            for (x = 0; x < d->width; x++) {
                for (i = 0; i < ns; i++) {
                    uint32_t v = (uint32_t)cur[(size_t)x * ns + i] << pt;
                    size_t k = ((size_t)y * d->width + x) * nc + (size_t)sc[i].index;
                    if (lut != NULL) {
                        if (v >= lutsize)
                            return NDC_ERR_CORRUPT;
                        v = lut[v];
                    }
                    if (itemsize == 1)
                        dst[k] = (uint8_t)v;
                    else
                        ((uint16_t *)dst)[k] = (uint16_t)v;
                }
            }
        }
        first_row = 0;
    }
    /* continue after the scan's data: at its marker */
    if (d->marker < 0)
        d->pos = d->size;
    else if (d->marker != 0)
        d->pos -= 2;
    return 0;
}

ssize_t ndc_ljpeg_decode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize,
                         int itemsize, const uint16_t *lut, size_t lutsize)
{
    decoder *d;
    uint16_t *rows = NULL;
    size_t needed = 0;
    int ret, scans = 0;
    unsigned done = 0; /* components decoded, as bits */

    if (srcsize < 4 || src[0] != 0xFF || src[1] != 0xD8)
        return NDC_ERR_CORRUPT;
    d = (decoder *)calloc(1, sizeof(decoder));
    if (d == NULL)
        return NDC_ERR_MEMORY;
    d->src = src;
    d->size = srcsize;
    d->pos = 2;
    for (;;) {
        ret = parse_markers(d);
        if (ret <= 0)
            break;
        if (!d->have_frame) {
            ret = NDC_ERR_CORRUPT;
            break;
        }
        if (rows == NULL) {
            needed = (size_t)d->height * d->width * (size_t)d->components * (size_t)itemsize;
            if ((itemsize != 1 && itemsize != 2) || (itemsize == 1) != (d->precision <= 8) ||
                needed > dstsize) {
                ret = NDC_ERR_OUTPUT;
                break;
            }
            rows = (uint16_t *)malloc((size_t)d->width * (size_t)d->components * 2 * sizeof(uint16_t));
            if (rows == NULL) {
                ret = NDC_ERR_MEMORY;
                break;
            }
        }
        {
            size_t start = d->pos;
            ret = decode_scan(d, rows, dst, itemsize, lut, lutsize);
            if (ret != 0)
                break;
            /* components of this scan */
            {
                unsigned ns = src[start + 2], i;
                int c;
                for (i = 0; i < ns; i++)
                    for (c = 0; c < d->components; c++)
                        if (d->ids[c] == src[start + 3 + 2 * i])
                            done |= 1u << c;
            }
        }
        if (++scans > 16) {
            ret = NDC_ERR_CORRUPT;
            break;
        }
        if (done == (1u << d->components) - 1)
            break; /* every component is decoded */
    }
    if (ret >= 0 && (rows == NULL || done != (1u << d->components) - 1))
        ret = NDC_ERR_CORRUPT; /* no scan, or components missing */
    free(rows);
    free(d);
    if (ret < 0)
        return ret;
    return (ssize_t)needed;
}

/* Encoder */

typedef struct {
    uint8_t *dst;
    size_t size;
    size_t pos;
    uint64_t acc; /* bits not yet written, right-aligned */
    int nacc;
    int full;
} bit_writer;

static void put_byte(bit_writer *w, uint8_t byte)
{
    if (w->pos >= w->size) {
        w->full = 1;
        return;
    }
    w->dst[w->pos++] = byte;
}

/* Append the low `n` (at most 32) bits of `value`. */
static inline void put_bits(bit_writer *w, uint32_t value, int n)
{
    w->acc = (w->acc << n) | (value & (uint32_t)((1ULL << n) - 1));
    w->nacc += n;
    while (w->nacc >= 8) {
        uint8_t byte = (uint8_t)(w->acc >> (w->nacc - 8));
        put_byte(w, byte);
        if (byte == 0xFF)
            put_byte(w, 0x00); /* stuffing */
        w->nacc -= 8;
    }
}

static void put_u16(bit_writer *w, unsigned value)
{
    put_byte(w, (uint8_t)(value >> 8));
    put_byte(w, (uint8_t)value);
}

/* Load row y masked to the precision, as the decoder sees it, into `cur`
   and the differences to its predictions into `diffs`. */
static void row_diffs(const uint8_t *src, int itemsize, size_t rowlen, uint32_t y, size_t nc,
                      unsigned predictor, uint32_t mask, int32_t initial, uint16_t *cur,
                      const uint16_t *prev, int32_t *diffs)
{
    size_t k;
    if (itemsize == 1) {
        const uint8_t *row = src + (size_t)y * rowlen;
        for (k = 0; k < rowlen; k++)
            cur[k] = (uint16_t)(row[k] & mask);
    } else {
        const uint16_t *row = (const uint16_t *)src + (size_t)y * rowlen;
        for (k = 0; k < rowlen; k++)
            cur[k] = (uint16_t)(row[k] & mask);
    }
    for (k = 0; k < nc && k < rowlen; k++)
        diffs[k] = (int32_t)cur[k] - (y == 0 ? initial : (int32_t)prev[k]);
    if (y == 0) {
        for (k = nc; k < rowlen; k++)
            diffs[k] = (int32_t)cur[k] - (int32_t)cur[k - nc];
    } else {
        switch (predictor) {
#define DIFFS(PREDICTOR)                                                                     \
    for (k = nc; k < rowlen; k++)                                                            \
        diffs[k] = (int32_t)cur[k] - prediction(PREDICTOR, cur[k - nc], prev[k], prev[k - nc]); \
    break;
        case 1: DIFFS(1)
        case 2: DIFFS(2)
        case 3: DIFFS(3)
        case 4: DIFFS(4)
        case 5: DIFFS(5)
        case 6: DIFFS(6)
        default: DIFFS(7)
#undef DIFFS
        }
    }
    /* modulo 2**16, in -32768..32767 */
    for (k = 0; k < rowlen; k++)
        diffs[k] = (int32_t)(int16_t)(uint16_t)(diffs[k] & 0xFFFF);
}

/* Return the category of a difference and its extra bits. */
static inline int diff_category(int32_t diff, uint32_t *extra)
{
    int ssss;
    uint32_t magnitude;
    if (diff == 0) {
        *extra = 0;
        return 0;
    }
    if (diff == -32768) {
        *extra = 0;
        return 16;
    }
    magnitude = (uint32_t)(diff < 0 ? -diff : diff);
    ssss = 32 - __builtin_clz(magnitude);
    *extra = (uint32_t)(diff < 0 ? diff - 1 : diff) & ((1u << ssss) - 1u);
    return ssss;
}

/* Huffman code lengths limited to 16 bits for 17 symbols (T.81 annex K.2). */
static void code_lengths(const uint64_t *counts, uint8_t *bits, uint8_t *symbols, int *nsymbols)
{
    uint64_t freq[18];
    int size[18], others[18], nbits[40];
    int i, j, k, v1, v2;
    for (i = 0; i < 17; i++)
        freq[i] = counts[i];
    freq[17] = 1; /* reserves the all-ones code */
    for (i = 0; i < 18; i++) {
        size[i] = 0;
        others[i] = -1;
    }
    for (;;) {
        v1 = v2 = -1;
        for (i = 0; i < 18; i++)
            if (freq[i] && (v1 < 0 || freq[i] <= freq[v1]))
                v1 = i;
        for (i = 0; i < 18; i++)
            if (freq[i] && i != v1 && (v2 < 0 || freq[i] <= freq[v2]))
                v2 = i;
        if (v2 < 0)
            break;
        freq[v1] += freq[v2];
        freq[v2] = 0;
        size[v1]++;
        while (others[v1] >= 0) {
            v1 = others[v1];
            size[v1]++;
        }
        others[v1] = v2;
        size[v2]++;
        while (others[v2] >= 0) {
            v2 = others[v2];
            size[v2]++;
        }
    }
    memset(nbits, 0, sizeof(nbits));
    for (i = 0; i < 18; i++)
        if (size[i])
            nbits[size[i]]++;
    for (i = 39; i > 16; i--) {
        while (nbits[i] > 0) {
            j = i - 2;
            while (nbits[j] == 0)
                j--;
            nbits[i] -= 2;
            nbits[i - 1]++;
            nbits[j + 1] += 2;
            nbits[j]--;
        }
    }
    i = 16;
    while (nbits[i] == 0)
        i--;
    nbits[i]--; /* drop the reserved code */
    for (i = 1; i <= 16; i++)
        bits[i] = (uint8_t)nbits[i];
    /* symbols by increasing code size, as their order in the table */
    k = 0;
    for (i = 1; i < 40; i++)
        for (j = 0; j < 17; j++)
            if (size[j] == i)
                symbols[k++] = (uint8_t)j;
    *nsymbols = k;
}

size_t ndc_ljpeg_encode_bound(uint32_t width, uint32_t height, int components)
{
    /* at most 32 bits per sample, each byte possibly stuffed */
    return (size_t)width * height * (size_t)components * 8 + 1024;
}

ssize_t ndc_ljpeg_encode(const uint8_t *src, int itemsize, uint32_t width, uint32_t height,
                         int components, int precision, int predictor, uint8_t *dst,
                         size_t dstsize)
{
    uint64_t counts[17];
    uint8_t bits[17], symbols[17];
    uint16_t code[17];
    uint8_t length[17];
    int nsymbols, i, c, len;
    uint32_t y, extra, mask;
    int32_t initial, *diffs;
    uint16_t *rows;
    size_t rowlen, k;
    unsigned next;
    bit_writer w;

    if (width == 0 || height == 0 || width > 65535 || height > 65535 || components < 1 ||
        components > 4 || precision < 2 || precision > 16 || predictor < 1 || predictor > 7 ||
        (itemsize != 1 && itemsize != 2))
        return NDC_ERR_CORRUPT;
    initial = (int32_t)1 << (precision - 1);
    mask = (precision == 16) ? 0xFFFFu : ((1u << precision) - 1u);
    rowlen = (size_t)width * (size_t)components;
    rows = (uint16_t *)malloc(rowlen * 2 * sizeof(uint16_t));
    diffs = (int32_t *)malloc(rowlen * sizeof(int32_t));
    if (rows == NULL || diffs == NULL) {
        free(rows);
        free(diffs);
        return NDC_ERR_MEMORY;
    }
    memset(counts, 0, sizeof(counts));
    for (y = 0; y < height; y++) {
        row_diffs(src, itemsize, rowlen, y, (size_t)components, (unsigned)predictor, mask,
                  initial, rows + (y & 1) * rowlen, rows + ((y & 1) ^ 1) * rowlen, diffs);
        for (k = 0; k < rowlen; k++)
            counts[diff_category(diffs[k], &extra)]++;
    }
    code_lengths(counts, bits, symbols, &nsymbols);
    /* canonical codes */
    memset(length, 0, sizeof(length));
    memset(code, 0, sizeof(code));
    next = 0;
    i = 0;
    for (len = 1; len <= 16; len++) {
        int n;
        for (n = 0; n < bits[len]; n++, i++) {
            length[symbols[i]] = (uint8_t)len;
            code[symbols[i]] = (uint16_t)next++;
        }
        next <<= 1;
    }

    memset(&w, 0, sizeof(w));
    w.dst = dst;
    w.size = dstsize;
    put_u16(&w, 0xFFD8);
    put_u16(&w, 0xFFC3);
    put_u16(&w, 8 + 3 * (unsigned)components);
    put_byte(&w, (uint8_t)precision);
    put_u16(&w, height);
    put_u16(&w, width);
    put_byte(&w, (uint8_t)components);
    for (c = 0; c < components; c++) {
        put_byte(&w, (uint8_t)c);
        put_byte(&w, 0x11);
        put_byte(&w, 0);
    }
    put_u16(&w, 0xFFC4);
    put_u16(&w, 2 + 1 + 16 + (unsigned)nsymbols);
    put_byte(&w, 0);
    for (len = 1; len <= 16; len++)
        put_byte(&w, bits[len]);
    for (i = 0; i < nsymbols; i++)
        put_byte(&w, symbols[i]);
    put_u16(&w, 0xFFDA);
    put_u16(&w, 6 + 2 * (unsigned)components);
    put_byte(&w, (uint8_t)components);
    for (c = 0; c < components; c++) {
        put_byte(&w, (uint8_t)c);
        put_byte(&w, 0);
    }
    put_byte(&w, (uint8_t)predictor);
    put_byte(&w, 0);
    put_byte(&w, 0);
    for (y = 0; y < height && !w.full; y++) {
        row_diffs(src, itemsize, rowlen, y, (size_t)components, (unsigned)predictor, mask,
                  initial, rows + (y & 1) * rowlen, rows + ((y & 1) ^ 1) * rowlen, diffs);
        for (k = 0; k < rowlen; k++) {
            int ssss = diff_category(diffs[k], &extra);
            if (ssss > 0 && ssss < 16)
                put_bits(&w, ((uint32_t)code[ssss] << ssss) | extra, length[ssss] + ssss);
            else
                put_bits(&w, code[ssss], length[ssss]);
        }
    }
    free(rows);
    free(diffs);
    if (w.nacc > 0)
        put_bits(&w, 0x7F, 8 - w.nacc); /* pad with ones */
    put_u16(&w, 0xFFD9);
    if (w.full)
        return NDC_ERR_OUTPUT;
    return (ssize_t)w.pos;
}

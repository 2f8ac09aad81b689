/* TIFF LZW codec, written from the TIFF 6.0 specification, section 13. */

#include "lzw.h"

#include <stdlib.h>
#include <string.h>

enum {
    LZW_CLEAR = 256,
    LZW_EOI = 257,
    LZW_FIRST = 258, /* first code that stands for a string */
    LZW_MINBITS = 9,
    LZW_MAXBITS = 12,
    LZW_CODES = 1 << LZW_MAXBITS,
};

/* ------------------------------------------------------------------ */
/* Decoder                                                             */
/* ------------------------------------------------------------------ */

/* Bit reader. buf holds cnt valid bits at its top (MSB-first) or bottom
   (LSB-first). The word-wise refill may leave bits of the next unread byte
   next to the valid ones; they equal what that byte contributes when it is
   loaded again, so OR-ing it in later changes nothing. */
typedef struct {
    const uint8_t *p;
    const uint8_t *end;
    uint64_t buf;
    unsigned cnt;
} lzw_reader;

static inline uint64_t load_be64(const uint8_t *p)
{
    return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
           (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
           (uint64_t)p[6] << 8 | (uint64_t)p[7];
}

static inline uint64_t load_le64(const uint8_t *p)
{
    return (uint64_t)p[7] << 56 | (uint64_t)p[6] << 48 | (uint64_t)p[5] << 40 |
           (uint64_t)p[4] << 32 | (uint64_t)p[3] << 24 | (uint64_t)p[2] << 16 |
           (uint64_t)p[1] << 8 | (uint64_t)p[0];
}

/* Next code of nbits bits, or -1 when fewer bits than that are left. */
static inline int read_code(lzw_reader *r, unsigned nbits, int lsb)
{
    int code;
    if (r->end - r->p >= 8) {
        /* Refilling every time is cheaper than a hard-to-predict branch. */
        r->buf |= lsb ? load_le64(r->p) << r->cnt : load_be64(r->p) >> r->cnt;
        r->p += (63 - r->cnt) >> 3;
        r->cnt |= 56;
    } else if (r->cnt < nbits) {
        while (r->cnt <= 56 && r->p < r->end) {
            r->buf |= lsb ? (uint64_t)*r->p << r->cnt : (uint64_t)*r->p << (56 - r->cnt);
            r->p++;
            r->cnt += 8;
        }
        if (r->cnt < nbits)
            return -1;
    }
    if (lsb) {
        code = (int)(r->buf & ((1u << nbits) - 1));
        r->buf >>= nbits;
    } else {
        code = (int)(r->buf >> (64 - nbits));
        r->buf <<= nbits;
    }
    r->cnt -= nbits;
    return code;
}

/* Append the string of len bytes at str to dst[pos]. */
static inline void copy_string(uint8_t *dst, size_t pos, const uint8_t *str, size_t len, size_t dstsize)
{
    if (len <= 16 && dstsize - pos >= 16) {
        /* Short strings dominate; a fixed-size copy beats memcpy(len). The
           bytes past len are overwritten by later codes or left in dst's
           unused tail. Load first: source and destination may be closer
           than 16 bytes. */
        uint8_t tmp[16];
        memcpy(tmp, str, 16);
        memcpy(dst + pos, tmp, 16);
    } else {
        memcpy(dst + pos, str, len);
    }
}

/* Decode loop shared by decode and decoded_size: with dst == NULL it only
   counts, with dstsize as the limit. Each string is kept as a pointer to
   its latest occurrence in the output (single bytes point into roots) and
   its length, so decoding is O(output) with no table walks. Called with
   constant dst == NULL and lsb so that each use gets a lean copy. */
static inline ssize_t lzw_decode_impl(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize, int lsb)
{
    const uint8_t *str[LZW_CODES];
    uint16_t length[LZW_CODES];
    uint8_t roots[256 + 16]; /* + 16: copy_string reads 16 bytes */
    /* Codes widen when next reaches widen; pre-5.0 streams one step later. */
    const unsigned early = lsb ? 0 : 1;
    lzw_reader r;
    unsigned nbits = LZW_MINBITS, next = LZW_FIRST, widen = (1u << LZW_MINBITS) - early, i;
    size_t pos = 0, prevpos = 0, prevlen = 0; /* prevlen 0: no previous code */

    memset(roots + 256, 0, 16);
    for (i = 0; i < 256; i++) {
        roots[i] = (uint8_t)i;
        str[i] = roots + i;
        length[i] = 1;
    }
    r.p = src;
    r.end = src + srcsize;
    r.buf = 0;
    r.cnt = 0;
    for (;;) {
        const int code = read_code(&r, nbits, lsb);
        unsigned defined;
        size_t len;
        /* A missing EOI is accepted, as libtiff does. */
        if (code < 0 || code == LZW_EOI)
            break;
        if (code == LZW_CLEAR) {
            nbits = LZW_MINBITS;
            next = LZW_FIRST;
            widen = (1u << LZW_MINBITS) - early;
            prevlen = 0;
            continue;
        }
        if (prevlen == 0) {
            /* First code after ClearCode: a single byte, no new entry. */
            if (code > 255)
                return NDC_ERR_CORRUPT;
            if (pos == dstsize)
                return NDC_ERR_OUTPUT;
            if (dst != NULL)
                dst[pos] = (uint8_t)code;
            prevpos = pos++;
            prevlen = 1;
            continue;
        }
        /* New entry: previous string plus the first byte of this one. A
           full table is kept as is until the next ClearCode. */
        defined = next;
        if (next < LZW_CODES) {
            if (dst != NULL)
                str[next] = dst + prevpos;
            length[next] = (uint16_t)(prevlen + 1);
            if (++next == widen && nbits < LZW_MAXBITS) {
                nbits++;
                widen = (1u << nbits) - early;
            }
        }
        if ((unsigned)code >= next)
            return NDC_ERR_CORRUPT;
        len = length[code];
        if (dstsize - pos < len)
            return NDC_ERR_OUTPUT;
        if (dst != NULL) {
            if ((unsigned)code == defined) {
                /* KwKwK: the string ends with its own first byte, which
                   is not in the output yet. */
                memcpy(dst + pos, dst + prevpos, prevlen);
                dst[pos + prevlen] = dst[prevpos];
            } else {
                copy_string(dst, pos, str[code], len, dstsize);
            }
        }
        prevpos = pos;
        prevlen = len;
        pos += len;
    }
    return (ssize_t)pos;
}

/* Pre-5.0 streams are LSB-first and start with ClearCode, i.e. bytes 0x00
   and 0x?1. Same test as libtiff. */
static inline int lzw_is_lsb(const uint8_t *src, size_t srcsize)
{
    return srcsize >= 2 && src[0] == 0 && (src[1] & 1);
}

ssize_t ndc_lzw_decoded_size(const uint8_t *src, size_t srcsize, size_t limit)
{
    /* Every encoder writes at least a ClearCode and EOI: empty is corrupt. */
    if (srcsize == 0)
        return NDC_ERR_CORRUPT;
    /* The size is returned as ssize_t, the signed twin of size_t. */
    if (limit > SIZE_MAX / 2)
        limit = SIZE_MAX / 2;
    if (lzw_is_lsb(src, srcsize))
        return lzw_decode_impl(src, srcsize, NULL, limit, 1);
    return lzw_decode_impl(src, srcsize, NULL, limit, 0);
}

ssize_t ndc_lzw_decode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize)
{
    if (lzw_is_lsb(src, srcsize))
        return lzw_decode_impl(src, srcsize, dst, dstsize, 1);
    return lzw_decode_impl(src, srcsize, dst, dstsize, 0);
}

/* ------------------------------------------------------------------ */
/* Encoder                                                             */
/* ------------------------------------------------------------------ */

/* Open-addressing hash table from (prefix code, byte) to code. A slot packs
   key << 12 | code; 0 marks an empty slot since no stored code is below
   258. Probe collisions mispredict, so the table is kept at least 8 times
   larger than the entries it can get: 32768 slots (128 KiB) for the 3837
   entries of a full table, fewer for small inputs, which have fewer
   entries and for which zeroing the table would dominate. */
enum { HASH_MINBITS = 10, HASH_MAXBITS = 15 };

static inline unsigned hash_bits(size_t srcsize)
{
    unsigned bits = HASH_MINBITS;
    while (bits < HASH_MAXBITS && ((size_t)1 << bits) / 8 < srcsize)
        bits++;
    return bits;
}

/* MSB-first bit writer; acc holds nacc (< 8 between codes) pending bits at
   its top. */
typedef struct {
    uint8_t *dst;
    size_t size;
    size_t pos;
    uint64_t acc;
    unsigned nacc;
} lzw_writer;

/* Move the complete bytes of acc to the output; 0 when it is full. */
static inline int flush_bytes(lzw_writer *w)
{
    const unsigned n = w->nacc >> 3;
    unsigned i;
    if (w->size - w->pos >= 8) {
        /* One unconditional 8-byte store; the surplus bytes are rewritten
           by later codes or left in dst's unused tail. */
        for (i = 0; i < 8; i++)
            w->dst[w->pos + i] = (uint8_t)(w->acc >> (56 - 8 * i));
    } else {
        if (w->size - w->pos < n)
            return 0;
        for (i = 0; i < n; i++)
            w->dst[w->pos + i] = (uint8_t)(w->acc >> (56 - 8 * i));
    }
    w->pos += n;
    w->acc <<= 8 * n;
    w->nacc &= 7;
    return 1;
}

/* Append a code of nbits bits to acc, without flushing. */
static inline void add_code(lzw_writer *w, unsigned code, unsigned nbits)
{
    w->acc |= (uint64_t)code << (64 - nbits - w->nacc);
    w->nacc += nbits;
}

/* Greedy LZW of src into dst, with a zeroed table of 1 << bits slots. */
static ssize_t lzw_encode_impl(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize, uint32_t *table,
                               unsigned bits)
{
    const uint32_t mask = (1u << bits) - 1;
    lzw_writer w;
    unsigned nbits = LZW_MINBITS, next = LZW_FIRST, widen = 1u << LZW_MINBITS;

    w.dst = dst;
    w.size = dstsize;
    w.pos = 0;
    w.acc = 0;
    w.nacc = 0;
    add_code(&w, LZW_CLEAR, nbits);
    if (srcsize > 0) {
        uint32_t ent = src[0];
        size_t i;
        for (i = 1; i < srcsize; i++) {
            const uint32_t c = src[i];
            const uint32_t key = ent << 8 | c;
            /* Fibonacci hash of key, (ent << 8 | c) * 0x9E3779B1, split so
               that one multiply waits for the previous lookup, not three
               operations. */
            uint32_t h = (ent * 0x3779B100u + c * 0x9E3779B1u) >> (32 - bits), slot;
            while ((slot = table[h]) != 0 && slot >> 12 != key)
                h = (h + 1) & mask;
            if (slot != 0) {
                ent = slot & (LZW_CODES - 1);
                continue;
            }
            /* ent + c is new: emit ent, give ent + c the next code and
               restart from c. */
            add_code(&w, ent, nbits);
            table[h] = key << 12 | next;
            ent = c;
            if (++next == widen) {
                if (nbits == LZW_MAXBITS) {
                    /* Code 4095 was just assigned, so the table is full:
                       start over. imagecodecs resets at this very point. */
                    add_code(&w, LZW_CLEAR, nbits);
                    memset(table, 0, ((size_t)mask + 1) * sizeof *table);
                    nbits = LZW_MINBITS;
                    next = LZW_FIRST;
                } else {
                    nbits++;
                }
                widen = 1u << nbits;
            }
            if (!flush_bytes(&w))
                return NDC_ERR_OUTPUT;
        }
        add_code(&w, ent, nbits);
        /* The decoder still defines an entry after this code; EOI must use
           the width it will expect then, as in imagecodecs. */
        if (++next == widen && nbits < LZW_MAXBITS)
            nbits++;
    }
    add_code(&w, LZW_EOI, nbits);
    if (!flush_bytes(&w))
        return NDC_ERR_OUTPUT;
    /* Like imagecodecs, end with one more byte even if it holds no bits:
       the output stays byte-identical. */
    if (w.pos == w.size)
        return NDC_ERR_OUTPUT;
    dst[w.pos++] = (uint8_t)(w.acc >> 56);
    return (ssize_t)w.pos;
}

size_t ndc_lzw_encode_bound(size_t srcsize)
{
    /* At most one 12-bit code per byte, a ClearCode per 3837 codes, plus
       ClearCode, EOI and the final byte. */
    const size_t extra = srcsize / 2 + srcsize / 1024 + 8;
    return srcsize > SIZE_MAX - extra ? SIZE_MAX : srcsize + extra;
}

ssize_t ndc_lzw_encode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize)
{
    const unsigned bits = hash_bits(srcsize);
    ssize_t ret;
    uint32_t *table = calloc((size_t)1 << bits, sizeof *table);
    if (table == NULL)
        return NDC_ERR_MEMORY;
    ret = lzw_encode_impl(src, srcsize, dst, dstsize, table, bits);
    free(table);
    return ret;
}

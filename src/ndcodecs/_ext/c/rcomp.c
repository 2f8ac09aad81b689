/* Rice compression as FITS RICE_1; see rcomp.h for the stream layout. */

#include "rcomp.h"

#include <string.h>

/* code bits, largest split (fs) code, pixel bits, per bytes per pixel */
typedef struct {
    int fsbits;
    int fsmax;
    int bbits;
} rc_param;

static int rc_params(int bpp, rc_param *p)
{
    switch (bpp) {
    case 1: p->fsbits = 3; p->fsmax = 6; p->bbits = 8; return 0;
    case 2: p->fsbits = 4; p->fsmax = 14; p->bbits = 16; return 0;
    case 4: p->fsbits = 5; p->fsmax = 25; p->bbits = 32; return 0;
    default: return -1;
    }
}

static inline uint32_t rc_load(const uint8_t *p, size_t i, int bpp)
{
    if (bpp == 1) return p[i];
    if (bpp == 2) { uint16_t v; memcpy(&v, p + 2 * i, 2); return v; }
    uint32_t v; memcpy(&v, p + 4 * i, 4); return v;
}

static inline void rc_store(uint8_t *p, size_t i, int bpp, uint32_t v)
{
    if (bpp == 1) { p[i] = (uint8_t)v; return; }
    if (bpp == 2) { uint16_t w = (uint16_t)v; memcpy(p + 2 * i, &w, 2); return; }
    memcpy(p + 4 * i, &v, 4);
}

/* ------------------------------------------------------------ bit writer */

typedef struct {
    uint64_t acc;   /* the low nacc bits are pending, MSB first */
    int nacc;       /* < 32 between calls */
    uint8_t *dst;
    size_t pos, size;
    int overflow;
} rc_writer;

/* append the low n (<= 32) bits of v */
static inline void rc_put(rc_writer *w, uint32_t v, int n)
{
    if (n == 0) return;
    w->acc = (w->acc << n) | v;
    w->nacc += n;
    if (w->nacc >= 32) {
        uint32_t word = (uint32_t)(w->acc >> (w->nacc - 32));
        w->nacc -= 32;
        if (w->size - w->pos < 4) {
            w->overflow = 1;
            w->pos = w->size;
            return;
        }
        w->dst[w->pos] = (uint8_t)(word >> 24);
        w->dst[w->pos + 1] = (uint8_t)(word >> 16);
        w->dst[w->pos + 2] = (uint8_t)(word >> 8);
        w->dst[w->pos + 3] = (uint8_t)word;
        w->pos += 4;
    }
}

static void rc_flush(rc_writer *w)
{
    while (w->nacc > 0) {
        int shift = w->nacc - 8;
        uint8_t byte = (uint8_t)(shift >= 0 ? w->acc >> shift : w->acc << -shift);
        if (w->pos >= w->size) {
            w->overflow = 1;
            return;
        }
        w->dst[w->pos++] = byte;
        w->nacc -= 8;
    }
    w->nacc = 0;
}

/* --------------------------------------------------------------- encoder */

size_t ndc_rcomp_encode_bound(size_t n, int bpp, size_t nblock)
{
    rc_param p;
    if (rc_params(bpp, &p) != 0 || nblock == 0) return 0;
    /* a coded difference takes at most fsmax + 2.5 bits more or less than
       bbits + 1 bits on average; a raw block bbits per pixel */
    size_t nblocks = n / nblock + 1;
    if (n > (SIZE_MAX - 64) / 8 / (size_t)(p.bbits + 2)) return SIZE_MAX;
    return (n * (size_t)(p.bbits + 2) + nblocks * (size_t)p.fsbits) / 8 + (size_t)bpp + 16;
}

ssize_t ndc_rcomp_encode(const void *src, size_t n, int bpp, size_t nblock,
                         uint8_t *dst, size_t dstsize)
{
    rc_param p;
    if (rc_params(bpp, &p) != 0 || nblock == 0) return NDC_ERR_CORRUPT;
    if (dstsize > (size_t)PTRDIFF_MAX) dstsize = (size_t)PTRDIFF_MAX;
    const uint8_t *a = (const uint8_t *)src;
    const int bbits = p.bbits;
    const uint32_t mask = bbits == 32 ? 0xFFFFFFFFu : ((1u << bbits) - 1u);
    const uint32_t signbit = bbits - 1;
    rc_writer w = {0, 0, dst, 0, dstsize, 0};

    uint32_t last = n ? rc_load(a, 0, bpp) : 0;
    rc_put(&w, last, bbits);

    for (size_t i = 0; i < n; i += nblock) {
        size_t count = n - i < nblock ? n - i : nblock;
        /* sum of the mapped differences */
        uint64_t isum = 0;
        double dsum = 0.0;
        int use_double = count > ((size_t)1 << 20);
        uint32_t prev = last;
        for (size_t j = 0; j < count; j++) {
            uint32_t next = rc_load(a, i + j, bpp);
            uint32_t d = (next - prev) & mask;
            uint32_t z = ((d << 1) ^ (0u - (d >> signbit))) & mask;
            if (use_double) dsum += (double)z; else isum += z;
            prev = next;
        }
        double pixelsum = use_double ? dsum : (double)isum;
        double dpsum = (pixelsum - (double)(count / 2) - 1.0) / (double)count;
        if (dpsum < 0.0) dpsum = 0.0;
        uint32_t psum = ((uint32_t)dpsum) >> 1;
        int fs = 0;
        while (psum > 0) { fs++; psum >>= 1; }

        if (fs >= p.fsmax) {
            rc_put(&w, (uint32_t)(p.fsmax + 1), p.fsbits);
            for (size_t j = 0; j < count; j++) {
                uint32_t next = rc_load(a, i + j, bpp);
                uint32_t d = (next - last) & mask;
                rc_put(&w, ((d << 1) ^ (0u - (d >> signbit))) & mask, bbits);
                last = next;
            }
        } else if (pixelsum == 0.0) {
            rc_put(&w, 0, p.fsbits);
            /* all differences zero: last is unchanged */
        } else {
            rc_put(&w, (uint32_t)(fs + 1), p.fsbits);
            const uint32_t fsmask = (1u << fs) - 1u;
            for (size_t j = 0; j < count; j++) {
                uint32_t next = rc_load(a, i + j, bpp);
                uint32_t d = (next - last) & mask;
                uint32_t z = ((d << 1) ^ (0u - (d >> signbit))) & mask;
                uint32_t top = z >> fs;
                last = next;
                if (top + 1 + (uint32_t)fs <= 32) {
                    rc_put(&w, (1u << fs) | (z & fsmask), (int)top + 1 + fs);
                } else {
                    while (top >= 32) { rc_put(&w, 0, 32); top -= 32; }
                    rc_put(&w, 1, (int)top + 1);
                    rc_put(&w, z & fsmask, fs);
                }
            }
        }
        if (w.overflow) return NDC_ERR_OUTPUT;
    }
    rc_flush(&w);
    if (w.overflow) return NDC_ERR_OUTPUT;
    return (ssize_t)w.pos;
}

/* --------------------------------------------------------------- decoder */

typedef struct {
    uint64_t acc;  /* the low nacc bits are unread, MSB first */
    int nacc;
    const uint8_t *src;
    size_t pos, size;
} rc_reader;

static inline void rc_refill(rc_reader *r)
{
    while (r->nacc <= 56 && r->pos < r->size) {
        r->acc = (r->acc << 8) | r->src[r->pos++];
        r->nacc += 8;
    }
}

/* read n (1..32) bits; -1 past the end */
static inline int rc_get(rc_reader *r, int n, uint32_t *v)
{
    if (r->nacc < n) {
        rc_refill(r);
        if (r->nacc < n) return -1;
    }
    r->nacc -= n;
    *v = (uint32_t)((r->acc >> r->nacc) & ((n == 32) ? 0xFFFFFFFFull : ((1ull << n) - 1)));
    return 0;
}

/* count zeros up to and including a one; -1 past the end or above limit */
static inline int rc_unary(rc_reader *r, uint64_t limit, uint64_t *zeros)
{
    uint64_t nz = 0;
    for (;;) {
        if (r->nacc == 0) {
            rc_refill(r);
            if (r->nacc == 0) return -1;
        }
        uint64_t bits = r->nacc == 64 ? r->acc : (r->acc & ((1ull << r->nacc) - 1));
        if (bits == 0) {
            nz += (uint64_t)r->nacc;
            r->nacc = 0;
            if (nz >= limit) return -1;
            continue;
        }
        int len = 64 - __builtin_clzll(bits);
        nz += (uint64_t)(r->nacc - len);
        r->nacc = len - 1;
        if (nz >= limit) return -1;
        *zeros = nz;
        return 0;
    }
}

ssize_t ndc_rcomp_decode(const uint8_t *src, size_t srcsize, void *dst,
                         size_t n, int bpp, size_t nblock)
{
    rc_param p;
    if (rc_params(bpp, &p) != 0 || nblock == 0) return NDC_ERR_CORRUPT;
    if (n == 0) return 0;
    uint8_t *out = (uint8_t *)dst;
    const int bbits = p.bbits;
    const uint32_t mask = bbits == 32 ? 0xFFFFFFFFu : ((1u << bbits) - 1u);
    rc_reader r = {0, 0, src, 0, srcsize};
    uint32_t last, code, v;

    if (rc_get(&r, bbits, &last) != 0) return NDC_ERR_CORRUPT;
    for (size_t i = 0; i < n;) {
        size_t end = n - i < nblock ? n : i + nblock;
        if (rc_get(&r, p.fsbits, &code) != 0) return NDC_ERR_CORRUPT;
        int fs = (int)code - 1;
        if (fs < 0) {
            for (; i < end; i++) rc_store(out, i, bpp, last);
        } else if (fs == p.fsmax) {
            for (; i < end; i++) {
                if (rc_get(&r, bbits, &v) != 0) return NDC_ERR_CORRUPT;
                uint32_t d = (v & 1u) ? ~(v >> 1) : (v >> 1);
                last = (last + d) & mask;
                rc_store(out, i, bpp, last);
            }
        } else if (fs > p.fsmax) {
            return NDC_ERR_CORRUPT;
        } else {
            /* a valid top is below 2^(bbits - fs) */
            const uint64_t limit = (uint64_t)1 << (bbits - fs);
            for (; i < end; i++) {
                uint64_t top;
                uint32_t low = 0;
                if (rc_unary(&r, limit, &top) != 0) return NDC_ERR_CORRUPT;
                if (fs > 0 && rc_get(&r, fs, &low) != 0) return NDC_ERR_CORRUPT;
                v = (uint32_t)((top << fs) | low);
                uint32_t d = (v & 1u) ? ~(v >> 1) : (v >> 1);
                last = (last + d) & mask;
                rc_store(out, i, bpp, last);
            }
        }
    }
    /* bytes used: the whole bytes read, less those still unread */
    return (ssize_t)(r.pos - (size_t)(r.nacc / 8));
}

/* Quantization: see quantize.h. */

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off", "no-trapping-math")
#endif

#include "quantize.h"

#include <limits.h>
#include <math.h>
#include <string.h>

/* log2(10) and log10(2), as NetCDF-C computes them: M_LN10 / M_LN2 and
   M_LN2 / M_LN10 (M_LN* are not ISO C) */
#define NDC_LN2 0.69314718055994530942
#define NDC_LN10 2.30258509299404568402
#define BIT_PER_DGT (NDC_LN10 / NDC_LN2)
#define DGT_PER_BIT (NDC_LN2 / NDC_LN10)

/* NC_FILL_FLOAT and NC_FILL_DOUBLE, which NetCDF-C does not quantize */
#define FILL_F32 0x7CF00000u
#define FILL_F64 0x479E000000000000ull

/* (int)x as x86-64 converts: out of range or NaN gives INT_MIN */
static inline int to_int(double x)
{
    if (x >= -2147483648.0 && x < 2147483648.0)
        return (int)x;
    return INT_MIN;
}

/* a - b and |a| with two's complement wrap-around */
static inline int sub_wrap(int a, int b)
{
    return (int)(unsigned int)((unsigned int)a - (unsigned int)b);
}

static inline unsigned int abs_wrap(int a)
{
    return a < 0 ? 0u - (unsigned int)a : (unsigned int)a;
}

/* the double value of float32 (f32) or float64 bits */
static inline double gbr_value(uint64_t bits, int f32)
{
    if (f32) {
        uint32_t u = (uint32_t)bits;
        float f;
        memcpy(&f, &u, 4);
        return f;
    }
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

/* Binary digits to keep, by Granular BitRound, for a nonzero value */
static inline int granular_bits(double val, int nsd)
{
    int xpn, dgt, qnt;
    double mnt = frexp(val, &xpn);
    double mnt_fabs = fabs(mnt);
    double mnt_log10 = log10(mnt_fabs);
    unsigned int prc;
    dgt = (int)((unsigned int)to_int(floor(xpn * DGT_PER_BIT + mnt_log10)) + 1u);
    qnt = to_int(floor(BIT_PER_DGT * sub_wrap(dgt, nsd)));
    if (mnt_fabs == 0.0)
        prc = 0;
    else
        prc = (unsigned short)abs_wrap(sub_wrap(to_int(floor(xpn - BIT_PER_DGT * mnt_log10)), qnt));
    return (int)prc - 1;
}

/* Granular BitRound keeps, for the values of one binary exponent, bits that
   step down at most once as the significand grows (the decimal digit count
   steps up at most once), so one threshold per exponent, found by a binary
   search of the exact computation, gives every value's bits without log10.
   Exponents are filled in as they are met. */
typedef struct {
    uint64_t thresh; /* first significand with bits `hi` */
    short lo, hi;
    char known;
} gbr_band;

static void gbr_fill(gbr_band *b, uint64_t expbits, int manbits, uint64_t mlow, int nsd, int f32)
{
    const uint64_t mmax = (((uint64_t)1) << manbits) - 1;
    uint64_t a = mlow, z = mmax;
    int lo, hi;
#define GBR_AT(M) granular_bits(gbr_value(expbits | (M), f32), nsd)
    lo = GBR_AT(a);
    hi = GBR_AT(z);
    b->lo = (short)lo;
    b->hi = (short)hi;
    b->thresh = lo == hi ? a : z;
    if (lo != hi) {
        /* smallest m with bits(m) == hi, in (a, z] */
        while (z - a > 1) {
            uint64_t m = a + (z - a) / 2;
            if (GBR_AT(m) == hi)
                z = m;
            else
                a = m;
        }
        b->thresh = z;
    }
#undef GBR_AT
    b->known = 1;
}

/* float32 ---------------------------------------------------------------- */

static void bitgroom_f32(const uint32_t *src, uint32_t *dst, size_t n, int nsd)
{
    int keep = (int)ceil(nsd * BIT_PER_DGT) + 1;
    uint32_t shave = 0xFFFFFFFFu << ((23 - keep) & 31);
    uint32_t set = ~shave;
    size_t i;
    for (i = 0; i + 1 < n; i += 2) {
        uint32_t u = src[i], v = src[i + 1];
        dst[i] = u == FILL_F32 ? u : u & shave;
        dst[i + 1] = (v == FILL_F32 || v == 0) ? v : v | set;
    }
    if (i < n) {
        uint32_t u = src[i];
        dst[i] = u == FILL_F32 ? u : u & shave;
    }
}

static void bitround_f32(const uint32_t *src, uint32_t *dst, size_t n, int nsd)
{
    uint32_t shave = 0xFFFFFFFFu << ((23 - nsd) & 31);
    uint32_t half = ~shave & (shave >> 1);
    size_t i;
    for (i = 0; i < n; i++) {
        uint32_t u = src[i];
        dst[i] = u == FILL_F32 ? u : (u + half) & shave;
    }
}

static void granularbr_f32(const uint32_t *src, uint32_t *dst, size_t n, int nsd)
{
    gbr_band bands[256];
    size_t i;
    memset(bands, 0, sizeof(bands));
    for (i = 0; i < n; i++) {
        uint32_t u = src[i], shave, e = (u >> 23) & 0xFFu, m = u & 0x7FFFFFu;
        int bits;
        if (u == FILL_F32 || u == 0) {
            dst[i] = u;
            continue;
        }
        if (e == 0 || e == 0xFFu || m == 0) {
            float f;
            memcpy(&f, &u, 4);
            bits = granular_bits(f, nsd);
        }
        else {
            gbr_band *b = &bands[e];
            if (!b->known)
                gbr_fill(b, (uint64_t)e << 23, 23, 1, nsd, 1);
            bits = m < b->thresh ? b->lo : b->hi;
        }
        shave = 0xFFFFFFFFu << ((23 - bits) & 31);
        dst[i] = (u + (~shave & (shave >> 1))) & shave;
    }
}

static void scale_f32(const float *src, float *dst, size_t n, float scale)
{
    const float big = 8388608.0f; /* 2**23: from here on floats are integers */
    float inv = 1.0f / scale;
    size_t i;
    for (i = 0; i < n; i++) {
        /* round(x * scale) / scale, halves away from zero, exact in float:
           for |v| >= 2**23, x*scale is an integer (or overflows, where
           double arithmetic gives x back), and the result is x */
        float x = src[i], v = x * scale, a = fabsf(v);
        float t = (a + big) - big; /* halves to even */
        t += (a - t == 0.5f) ? 1.0f : 0.0f;
        dst[i] = a < big ? copysignf(t, v) * inv : (v != v ? v : x); /* NaN quieted */
    }
}

/* float64 ---------------------------------------------------------------- */

static void bitgroom_f64(const uint64_t *src, uint64_t *dst, size_t n, int nsd)
{
    int keep = (int)ceil(nsd * BIT_PER_DGT) + 1;
    uint64_t shave = 0xFFFFFFFFFFFFFFFFull << ((52 - keep) & 63);
    uint64_t set = ~shave;
    size_t i;
    for (i = 0; i + 1 < n; i += 2) {
        uint64_t u = src[i], v = src[i + 1];
        dst[i] = u == FILL_F64 ? u : u & shave;
        dst[i + 1] = (v == FILL_F64 || v == 0) ? v : v | set;
    }
    if (i < n) {
        uint64_t u = src[i];
        dst[i] = u == FILL_F64 ? u : u & shave;
    }
}

static void bitround_f64(const uint64_t *src, uint64_t *dst, size_t n, int nsd)
{
    uint64_t shave = 0xFFFFFFFFFFFFFFFFull << ((52 - nsd) & 63);
    uint64_t half = ~shave & (shave >> 1);
    size_t i;
    for (i = 0; i < n; i++) {
        uint64_t u = src[i];
        dst[i] = u == FILL_F64 ? u : (u + half) & shave;
    }
}

/* the float64 values handled by bands (exponents as float32's, significands
   not just above a power of two, where log10 rounds the other way), checked
   against the exact computation; the rest are computed exactly */
#define GBR_F64_RANGE 126
#define GBR_F64_MLOW (((uint64_t)1) << 24)

static void granularbr_f64(const uint64_t *src, uint64_t *dst, size_t n, int nsd)
{
    gbr_band bands[2048];
    size_t i;
    memset(bands, 0, sizeof(bands));
    for (i = 0; i < n; i++) {
        uint64_t u = src[i], shave, e = (u >> 52) & 0x7FFu, m = u & 0xFFFFFFFFFFFFFull;
        int bits;
        if (u == FILL_F64 || u == 0) {
            dst[i] = u;
            continue;
        }
        if (e < 1023 - GBR_F64_RANGE || e > 1023 + GBR_F64_RANGE || m < GBR_F64_MLOW) {
            double f;
            memcpy(&f, &u, 8);
            bits = granular_bits(f, nsd);
        }
        else {
            gbr_band *b = &bands[e];
            if (!b->known)
                gbr_fill(b, e << 52, 52, GBR_F64_MLOW, nsd, 0);
            bits = m < b->thresh ? b->lo : b->hi;
        }
        shave = 0xFFFFFFFFFFFFFFFFull << ((52 - bits) & 63);
        dst[i] = (u + (~shave & (shave >> 1))) & shave;
    }
}

static void scale_f64(const double *src, double *dst, size_t n, double scale)
{
    const double big = 4503599627370496.0; /* 2**52 */
    double inv = 1.0 / scale;
    size_t i;
    for (i = 0; i < n; i++) {
        /* round(x * scale) / scale, halves away from zero; overflows to inf */
        double v = src[i] * scale, a = fabs(v);
        double t = (a + big) - big;
        t += (a - t == 0.5) ? 1.0 : 0.0;
        dst[i] = (a < big ? copysign(t, v) : v) * inv;
    }
}

/* ------------------------------------------------------------------------ */

int ndc_quantize_f32(const float *src, float *dst, size_t n, int mode, int nsd, double scale)
{
    switch (mode) {
    case NDC_QUANTIZE_NOQUANTIZE:
        if (dst != src)
            memcpy(dst, src, n * sizeof(float));
        return 0;
    case NDC_QUANTIZE_BITGROOM:
        bitgroom_f32((const uint32_t *)src, (uint32_t *)dst, n, nsd);
        return 0;
    case NDC_QUANTIZE_GRANULARBR:
        granularbr_f32((const uint32_t *)src, (uint32_t *)dst, n, nsd);
        return 0;
    case NDC_QUANTIZE_BITROUND:
        bitround_f32((const uint32_t *)src, (uint32_t *)dst, n, nsd);
        return 0;
    case NDC_QUANTIZE_SCALE:
        scale_f32(src, dst, n, (float)scale);
        return 0;
    }
    return -1;
}

int ndc_quantize_f64(const double *src, double *dst, size_t n, int mode, int nsd, double scale)
{
    switch (mode) {
    case NDC_QUANTIZE_NOQUANTIZE:
        if (dst != src)
            memcpy(dst, src, n * sizeof(double));
        return 0;
    case NDC_QUANTIZE_BITGROOM:
        bitgroom_f64((const uint64_t *)src, (uint64_t *)dst, n, nsd);
        return 0;
    case NDC_QUANTIZE_GRANULARBR:
        granularbr_f64((const uint64_t *)src, (uint64_t *)dst, n, nsd);
        return 0;
    case NDC_QUANTIZE_BITROUND:
        bitround_f64((const uint64_t *)src, (uint64_t *)dst, n, nsd);
        return 0;
    case NDC_QUANTIZE_SCALE:
        scale_f64(src, dst, n, scale);
        return 0;
    }
    return -1;
}

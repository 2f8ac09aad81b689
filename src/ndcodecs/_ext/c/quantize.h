/* Lossy quantization of float32 and float64 data, bit-exact with NetCDF-C's
   nc4_quantize_data (BitGroom, Granular BitRound, BitRound; the fill value
   NC_FILL_FLOAT/NC_FILL_DOUBLE is left alone) and with imagecodecs' scale
   mode (numcodecs' Quantize: round(x * 2**bits) / 2**bits, but halves
   away from zero, and float32 without overflow).

   Shift counts outside the word are taken modulo the word size, as x86-64
   builds of NetCDF-C (and so imagecodecs) do, so that large nsd values give
   the same bits too. src and dst may be the same buffer, not otherwise
   overlap. Pure functions, no allocation. */

#ifndef NDC_QUANTIZE_H
#define NDC_QUANTIZE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NDC_QUANTIZE_NOQUANTIZE 0
#define NDC_QUANTIZE_BITGROOM 1
#define NDC_QUANTIZE_GRANULARBR 2
#define NDC_QUANTIZE_BITROUND 3
#define NDC_QUANTIZE_SCALE 100

/** Quantize n values in mode (a NDC_QUANTIZE_* value) keeping nsd digits
    (decimal for BITGROOM and GRANULARBR, binary for BITROUND); SCALE
    uses `scale`, a power of two (numcodecs: 2**ceil(log2(10**nsd))).
    Returns 0, or -1 for an unknown mode. */
int ndc_quantize_f32(const float *src, float *dst, size_t n, int mode, int nsd, double scale);
int ndc_quantize_f64(const double *src, double *dst, size_t n, int mode, int nsd, double scale);

#ifdef __cplusplus
}
#endif

#endif

/* Number formats: bit order reversal, packed integers, 24-bit floats and
   bfloat16. All functions are pure and thread-safe, read and write only the
   sizes given, and may be called without the GIL. Destinations may be
   unaligned. */

#ifndef NDC_NUMFORMATS_H
#define NDC_NUMFORMATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ndc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Rounding modes, with the values of imagecodecs' ROUND enums (the x86
   FE_* constants); other values round to nearest, ties to even. */
#define NDC_ROUND_TONEAREST 0
#define NDC_ROUND_DOWNWARD 1024
#define NDC_ROUND_UPWARD 2048
#define NDC_ROUND_TOWARDZERO 3072

/** Reverse the bits of each of n bytes; dst may equal src. */
void ndc_bitorder_reverse(const uint8_t *src, uint8_t *dst, size_t n);

/** float32 bits (native order) to n bfloat16 (2 bytes each, swapped if bigendian != host). */
void ndc_bfloat16_encode(const uint32_t *src, uint8_t *dst, size_t n, int rounding, int swap);

/** n bfloat16 (2 bytes each) to float32 bits in native order. */
void ndc_bfloat16_decode(const uint8_t *src, uint32_t *dst, size_t n, int swap);

/** float32 bits to n float24 (3 bytes each, little-endian unless bigendian). */
void ndc_float24_encode(const uint32_t *src, uint8_t *dst, size_t n, int rounding, int bigendian);

/** n float24 (3 bytes each) to float32 bits in native order. */
void ndc_float24_decode(const uint8_t *src, uint32_t *dst, size_t n, int bigendian);

/** Unpack rows of runlen samples of bps bits (1..32, MSB first, rows padded
    to whole bytes; runlen 0: one row of all samples) into nsamples items of
    itemsize 1, 2 or 4 bytes (native order; bps 16 and 32 are copied as
    they are). Returns nsamples, or NDC_ERR_CORRUPT if src holds fewer. */
ssize_t ndc_packints_decode(const uint8_t *src, size_t srcsize, void *dst, size_t nsamples,
                            int bps, size_t runlen, int itemsize);

/** Number of whole samples src holds (whole rows if runlen). */
size_t ndc_packints_decoded_count(size_t srcsize, int bps, size_t runlen);

/** Encoded size of nsamples items (whole rows only if runlen). */
size_t ndc_packints_encoded_size(size_t nsamples, int bps, size_t runlen);

/** Pack nsamples items (itemsize 1, 2 or 4, the low bps bits of each) into
    dst of dstsize bytes. Returns the size written or NDC_ERR_OUTPUT. */
ssize_t ndc_packints_encode(const void *src, size_t nsamples, uint8_t *dst, size_t dstsize,
                            int bps, size_t runlen, int itemsize);

/** Unpack nsamples of bps bits (9..14) from a GenICam LSB-first stream
    (sample i at stream bits i*bps.., least significant first, bytes
    filled from their least significant bit). Returns nsamples or
    NDC_ERR_CORRUPT if src holds fewer. */
ssize_t ndc_packints_decode_lsb(const uint8_t *src, size_t srcsize, uint16_t *dst, size_t nsamples, int bps);

/** Pack nsamples as an LSB-first stream (the last byte zero-padded).
    Returns the size written or NDC_ERR_OUTPUT. */
ssize_t ndc_packints_encode_lsb(const uint16_t *src, size_t nsamples, uint8_t *dst, size_t dstsize, int bps);

/** Unpack GigE Vision paired pixels: two samples of bps = 10 or 12 bits in
    three bytes. nsamples must be even and at most 2 * (srcsize / 3). */
ssize_t ndc_packints_decode_paired(const uint8_t *src, size_t srcsize, uint16_t *dst, size_t nsamples, int bps);

/** Pack an even number of samples as GigE Vision paired pixels. */
ssize_t ndc_packints_encode_paired(const uint16_t *src, size_t nsamples, uint8_t *dst, size_t dstsize, int bps);

#ifdef __cplusplus
}
#endif

#endif

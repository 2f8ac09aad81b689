/* Rice compression as FITS tile compression RICE_1 (Pence, White & Seaman,
   "Optimal compression of floating-point astronomical images without
   significant loss of information"; FITS standard, section 10.4.1).

   Stream: the first pixel raw (8, 16 or 32 bits, MSB first), then for each
   block of `nblock` pixels (the last may be shorter) a code of fsbits
   (3, 4 or 5 bits for 1, 2 or 4-byte pixels) and the zigzag-mapped
   differences of consecutive pixels: code 0 is a block of zero
   differences, code fsmax + 1 (7, 15 or 26) a block of raw differences,
   else each difference is (v >> fs) zeros, a one, and the fs = code - 1
   low bits. Bits are MSB first; the last byte is zero-padded.

   Pixels are native-endian unsigned or signed integers of bpp = 1, 2 or 4
   bytes (the arithmetic is modulo 2^(8 bpp), so signedness does not
   matter). All functions are pure and thread-safe; they return a byte
   count or a negative NDC_ERR_* code from ndc_status.h. */

#ifndef NDC_RCOMP_H
#define NDC_RCOMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ndc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Upper bound of the encoded size of n pixels (saturates at SIZE_MAX). */
size_t ndc_rcomp_encode_bound(size_t n, int bpp, size_t nblock);

/** Encode n pixels of bpp bytes; returns the size, or NDC_ERR_OUTPUT.
    n = 0 gives a zero first pixel and no block. */
ssize_t ndc_rcomp_encode(const void *src, size_t n, int bpp, size_t nblock,
                         uint8_t *dst, size_t dstsize);

/** Decode n pixels of bpp bytes into dst (n * bpp bytes); returns the
    number of input bytes used, or NDC_ERR_CORRUPT for a truncated or
    invalid stream. Bytes after the stream are ignored. */
ssize_t ndc_rcomp_decode(const uint8_t *src, size_t srcsize, void *dst,
                         size_t n, int bpp, size_t nblock);

#ifdef __cplusplus
}
#endif

#endif

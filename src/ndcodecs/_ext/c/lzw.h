/* TIFF LZW (compression=5): 8-bit data, MSB-first codes of 9..12 bits with
   early change. Old-style (pre-TIFF 5.0, LSB-first) streams are decoded too.
   All functions are pure and thread-safe; they return a byte count or a
   negative NDC_ERR_* code from ndc_status.h. The decoders use about 40 KiB
   of stack; the encoder allocates one hash table of at most 128 KiB. */

#ifndef NDC_LZW_H
#define NDC_LZW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ndc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Exact decoded size of src; NDC_ERR_OUTPUT as soon as it exceeds limit. */
ssize_t ndc_lzw_decoded_size(const uint8_t *src, size_t srcsize, size_t limit);

/** Decode src into dst; returns the size; dst past it may be clobbered. */
ssize_t ndc_lzw_decode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize);

/** Upper bound of the encoded size of srcsize bytes (saturates at SIZE_MAX). */
size_t ndc_lzw_encode_bound(size_t srcsize);

/** Encode src like imagecodecs; returns the size; dst past it may be clobbered. */
ssize_t ndc_lzw_encode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize);

#ifdef __cplusplus
}
#endif

#endif

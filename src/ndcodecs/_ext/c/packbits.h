/* Apple PackBits (TIFF compression=32773). All functions are pure and
   thread-safe; they return a byte count or a negative NDC_ERR_* code from
   ndc_status.h. */

#ifndef NDC_PACKBITS_H
#define NDC_PACKBITS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ndc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Exact decoded size of src; NDC_ERR_OUTPUT as soon as it exceeds limit. */
ssize_t ndc_packbits_decoded_size(const uint8_t *src, size_t srcsize, size_t limit);

/** Decode src into dst; returns the size; dst past it may be clobbered. */
ssize_t ndc_packbits_decode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize);

/** Upper bound of the encoded size of srcsize bytes (saturates at SIZE_MAX). */
size_t ndc_packbits_encode_bound(size_t srcsize);

/** Encode src like imagecodecs; returns the size; dst past it may be clobbered. */
ssize_t ndc_packbits_encode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize);

#ifdef __cplusplus
}
#endif

#endif

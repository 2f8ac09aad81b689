/* Radiance RGBE pixels (the part of an .hdr file after its text header):
   flat 4-byte pixels or adaptive run-length encoded scanlines, converted
   from and to float32 RGB. All functions are pure and thread-safe; they
   return a byte count or a negative NDC_ERR_* code from ndc_status.h. */

#ifndef NDC_RGBE_H
#define NDC_RGBE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ndc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Decode height scanlines of width pixels into dst (width * height * 3
    floats). With rle, the first scanline tells whether the pixels are
    run-length encoded or flat; without, they are flat. Returns the number
    of bytes of src used. */
ssize_t ndc_rgbe_decode(
    const uint8_t *src, size_t srcsize, size_t width, size_t height, int rle, float *dst);

/** Upper bound of the encoded size of width * height pixels, or 0 if it
    does not fit a size_t. */
size_t ndc_rgbe_encode_bound(size_t width, size_t height);

/** Encode width * height float RGB pixels, run-length encoding scanlines
    if rle and 8 <= width <= 32767; returns the size. */
ssize_t ndc_rgbe_encode(
    const float *src, size_t width, size_t height, int rle, uint8_t *dst, size_t dstsize);

#ifdef __cplusplus
}
#endif

#endif

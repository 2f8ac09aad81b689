/* LZW decoding of GIF image data: LSB-first codes of (mincode + 1) to 12
   bits, clear and end codes, no early change. Pure and thread-safe; uses
   about 24 KiB of stack. */

#ifndef NDC_GIF_LZW_H
#define NDC_GIF_LZW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ndc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Room dst needs past dstsize: copies run in blocks of this many bytes. */
#define NDC_GIF_LZW_SLACK 16

/** Decode the sub-block payloads `src` (without their length bytes) of an
    image with LZW minimum code size `mincode` (1 to 8) into at most
    `dstsize` pixels. Returns the number of pixels decoded, which is less
    than dstsize if the data ends early, or NDC_ERR_CORRUPT. `dst` must hold
    dstsize + NDC_GIF_LZW_SLACK bytes; bytes past the result are clobbered. */
ssize_t ndc_gif_lzw_decode(const uint8_t *src, size_t srcsize, int mincode, uint8_t *dst, size_t dstsize);

#ifdef __cplusplus
}
#endif

#endif

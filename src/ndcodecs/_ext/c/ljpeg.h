/* Lossless JPEG (ITU T.81 process 14, SOF3) decoder and encoder.

   2 to 16 bits per sample, 1 to 4 components without subsampling, all
   seven predictors, point transform, restart intervals, interleaved or
   one scan per component. Functions return >= 0 on success or a negative
   NDC_ERR_* status (ndc_status.h). */

#ifndef NDC_LJPEG_H
#define NDC_LJPEG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ndc_status.h"

typedef struct {
    uint32_t width;
    uint32_t height;
    int components;
    int precision; /* bits per sample, 2 to 16 */
} ndc_ljpeg_info;

/* Parse the markers up to the frame header and fill `info`. */
ssize_t ndc_ljpeg_header(const uint8_t *src, size_t srcsize, ndc_ljpeg_info *info);

/* Decode into `dst`: height * width * components samples, interleaved, of
   `itemsize` 1 (precision <= 8) or 2 bytes in native byte order. Samples
   are mapped through `lut` of `lutsize` entries if not NULL (values past
   its end take its last entry). Returns the bytes written. */
ssize_t ndc_ljpeg_decode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize,
                         int itemsize, const uint16_t *lut, size_t lutsize);

/* Encode `height` * `width` * `components` interleaved samples of
   `itemsize` bytes (native byte order) at `precision` bits with
   `predictor` 1 to 7 and optimal Huffman codes. Returns the bytes written
   to `dst`, NDC_ERR_OUTPUT if it is too small. */
ssize_t ndc_ljpeg_encode(const uint8_t *src, int itemsize, uint32_t width, uint32_t height,
                         int components, int precision, int predictor, uint8_t *dst,
                         size_t dstsize);

/* A size for `dst` that ndc_ljpeg_encode never exceeds. */
size_t ndc_ljpeg_encode_bound(uint32_t width, uint32_t height, int components);

#endif

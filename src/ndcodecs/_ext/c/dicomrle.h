/* DICOM RLE Lossless (PS3.5 annex G) frames: a 64-byte header of up to 15
   segment offsets, PackBits segments holding one byte plane each, most
   significant plane first, sample after sample. All functions are pure and
   thread-safe; they return a byte count or a negative NDC_ERR_* code. */

#ifndef NDC_DICOMRLE_H
#define NDC_DICOMRLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ndc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Decoded size of a frame of samples of itemsize bytes: the segments
    must all decode to the same length and come in whole samples.
    NDC_ERR_OUTPUT as soon as the size exceeds limit. */
ssize_t ndc_dicomrle_decoded_size(const uint8_t *src, size_t srcsize, int itemsize, size_t limit);

/** Decode a frame into dst of exactly its decoded size, sample planes one
    after the other, each value in little-endian (bigendian = 0) or
    big-endian byte order. */
ssize_t ndc_dicomrle_decode(
    const uint8_t *src, size_t srcsize, int itemsize, int bigendian, uint8_t *dst, size_t dstsize);

#ifdef __cplusplus
}
#endif

#endif

/* Block compression (BC1 to BC7, also known as DXTn, RGTC and BPTC) decoders,
   written from the Direct3D and Khronos format descriptions. Pure functions
   without global mutable state: safe to call from many threads at once. */

#ifndef NDC_BCN_H
#define NDC_BCN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ndc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Formats, as imagecodecs' BCN.FORMAT; negative values are signed variants. */
#define NDC_BC1 1
#define NDC_BC2 2
#define NDC_BC3 3
#define NDC_BC4 4
#define NDC_BC4S (-4)
#define NDC_BC5 5
#define NDC_BC5S (-5)
#define NDC_BC6HU 6
#define NDC_BC6HS (-6)
#define NDC_BC7 7

/** Bytes per 4x4 block of a format, or 0 if the format is unknown. */
size_t ndc_bcn_block_size(int format);

/** Samples per pixel a format decodes to: 4 (RGBA), 3 (BC6H), 2 or 1. */
int ndc_bcn_samples(int format);

/** Bytes per sample a format decodes to: 2 (float16 for BC6H) or 1. */
int ndc_bcn_itemsize(int format);

/** Bytes of blocks that `frames` images of height x width need. */
size_t ndc_bcn_encoded_size(int format, size_t frames, size_t height, size_t width);

/** Decode `frames` images of height x width pixels, each stored as rows of
    blocks, into dst (frames, height, width, samples), C-contiguous. Blocks
    beyond the image's edge are cropped. With `simd` nonzero, vector kernels
    are used where the CPU has them (chosen at run time); zero forces the
    portable code, which gives identical results. Returns the bytes written
    or NDC_ERR_CORRUPT if src is too short, NDC_ERR_OUTPUT if dst is. */
ssize_t ndc_bcn_decode(
    int format, const uint8_t *src, size_t srcsize, uint8_t *dst,
    size_t dstsize, size_t frames, size_t height, size_t width, int simd);

#ifdef __cplusplus
}
#endif

#endif

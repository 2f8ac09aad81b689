/* Thermo Fisher EER (electron event representation) frame decoding.

   A frame is a little-endian bitstream (LSB first) of codes: a run length
   of skipbits bits, the number of pixels skipped; unless it is the largest
   value (2^skipbits - 1, a skip without electron), an electron follows in
   the next pixel, its position inside the pixel in horzbits + vertbits
   bits. Electrons are counted (a byte incremented, wrapping) in an image
   of height x width pixels, upsampled 2^superres times along each axis
   (at most 2^horzbits and 2^vertbits).

   Pure and thread-safe; returns the number of electrons or a negative
   NDC_ERR_* code from ndc_status.h. */

#ifndef NDC_EER_H
#define NDC_EER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ndc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Decode an EER frame into dst, height x width bytes (the upsampled
    size), adding one per electron. NDC_ERR_CORRUPT for an odd size, a
    run past the end of the image, or invalid parameters. */
ssize_t ndc_eer_decode(const uint8_t *src, size_t srcsize, uint8_t *dst,
                       size_t height, size_t width, int skipbits,
                       int horzbits, int vertbits, int superres);

#ifdef __cplusplus
}
#endif

#endif

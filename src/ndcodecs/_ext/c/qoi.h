/* QOI ("Quite OK Image") images, 8-bit RGB or RGBA, written from the
   QOI specification 1.0. All functions are pure and thread-safe; they
   return a byte count or a negative NDC_ERR_* code from ndc_status.h. */

#ifndef NDC_QOI_H
#define NDC_QOI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ndc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint32_t width;
    uint32_t height;
    int channels;   /* 3 or 4 */
    int colorspace; /* 0 sRGB with linear alpha, 1 all linear */
} ndc_qoi_info;

/** Read the 14-byte header; 0 or NDC_ERR_CORRUPT. */
int ndc_qoi_read_header(const uint8_t *src, size_t srcsize, ndc_qoi_info *info);

/** Decode the pixels of src (header included) into dst, which holds
    width * height * channels bytes; returns that size. The stream must end
    with the 8-byte end marker right after the last pixel. */
ssize_t ndc_qoi_decode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize);

/** Upper bound of the encoded size; 0 if it does not fit a size_t. */
size_t ndc_qoi_encode_bound(uint32_t width, uint32_t height, int channels);

/** Encode width * height pixels of channels (3 or 4) bytes each. */
ssize_t ndc_qoi_encode(
    const uint8_t *src, uint32_t width, uint32_t height, int channels,
    int colorspace, uint8_t *dst, size_t dstsize);

#ifdef __cplusplus
}
#endif

#endif

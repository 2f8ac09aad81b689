/* Windows bitmaps (BMP): 1, 4, 8, 16, 24 and 32-bit pixels, palettes,
   bit fields, RLE4 and RLE8, with BITMAPCOREHEADER, BITMAPINFOHEADER and
   its V2 to V5 extensions; encoding of gray, RGB and RGBA. All functions
   are pure and thread-safe; they return a byte count or a negative
   NDC_ERR_* code from ndc_status.h. */

#ifndef NDC_BMP_H
#define NDC_BMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ndc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    NDC_BMP_RGB = 0,       /* BI_RGB */
    NDC_BMP_RLE8 = 1,      /* BI_RLE8 */
    NDC_BMP_RLE4 = 2,      /* BI_RLE4 */
    NDC_BMP_BITFIELDS = 3, /* BI_BITFIELDS */
    NDC_BMP_ALPHABITFIELDS = 6,
};

/* What ndc_bmp_decode writes per pixel. */
enum {
    NDC_BMP_OUT_INDEX = 0, /* the palette index, one byte */
    NDC_BMP_OUT_RED = 1,   /* the red of the palette entry, one byte */
    NDC_BMP_OUT_RGB = 3,
    NDC_BMP_OUT_RGBA = 4,
};

typedef struct {
    uint32_t width;
    uint32_t height;
    int topdown;
    int bpp;
    int compression;
    int header_size;
    uint32_t masks[4];   /* red, green, blue, alpha bit fields (16 and 32 bit) */
    int ncolors;         /* palette entries (1 to 8 bit) */
    int gray;            /* the palette maps every index i to (i, i, i) */
    size_t offset;       /* of the pixel data */
    uint8_t palette[256][3]; /* red, green, blue */
} ndc_bmp_info;

/** Read and check the headers and the palette; 0 or NDC_ERR_CORRUPT. */
int ndc_bmp_read_header(const uint8_t *src, size_t srcsize, ndc_bmp_info *info);

/** Decode the pixels, top row first, `mode` (NDC_BMP_OUT_*) bytes per
    pixel (INDEX and RED one) into dst of width * height * that size. */
ssize_t ndc_bmp_decode(
    const uint8_t *src, size_t srcsize, const ndc_bmp_info *info, int mode,
    uint8_t *dst, size_t dstsize);

/** Size of the BMP of a width x height image of 1, 3 or 4 samples, or 0
    if too large for the format. */
size_t ndc_bmp_encoded_size(uint32_t width, uint32_t height, int samples);

/** Encode 8-bit gray (samples 1), RGB (3) or RGBA (4) pixels; ppm is the
    resolution in pixels per meter. */
ssize_t ndc_bmp_encode(
    const uint8_t *src, uint32_t width, uint32_t height, int samples, int32_t ppm,
    uint8_t *dst, size_t dstsize);

#ifdef __cplusplus
}
#endif

#endif

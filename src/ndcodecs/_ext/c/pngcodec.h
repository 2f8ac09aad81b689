/* PNG row filters, chunk walking and whole-image deflate for 8 and 16-bit
   gray, gray+alpha, RGB and RGBA images, written from the PNG specification
   (ISO/IEC 15948, W3C PNG 3rd edition). Everything else (interlacing, 1, 2
   and 4-bit samples, palettes, tRNS) is left to libspng by the caller.

   All functions are thread-safe; deflate contexts are cached per thread. */

#ifndef NDC_PNGCODEC_H
#define NDC_PNGCODEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ndc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Filter choice flags, as PNG_FILTER_* of libpng */
#define NDC_PNG_FILTER_NONE 8
#define NDC_PNG_FILTER_SUB 16
#define NDC_PNG_FILTER_UP 32
#define NDC_PNG_FILTER_AVG 64
#define NDC_PNG_FILTER_PAETH 128
#define NDC_PNG_FILTER_ALL 248

/* Not an error: the caller should decode with a full PNG library. */
#define NDC_PNG_UNSUPPORTED -10

typedef struct {
    uint32_t width;
    uint32_t height;
    uint8_t depth;
    uint8_t color;
    uint8_t interlace;
    uint8_t has_trns;
    uint8_t has_plte;
    uint8_t has_actl;
    size_t idat;      /* offset of the first IDAT chunk */
    size_t idat_end;  /* offset after the last chunk of the first IDAT run */
    size_t idat_size; /* the data bytes of that run */
    size_t idat_count;
} ndc_png_info;

/** Samples per pixel of a color type (0 if invalid). */
unsigned ndc_png_channels(unsigned color);

/** Read the header and find the IDAT run, checking the CRCs of IHDR and of
    every IDAT. Returns 0, NDC_ERR_CORRUPT (with *msg set) or
    NDC_PNG_UNSUPPORTED for streams the caller should hand to libspng. */
int ndc_png_read_info(const uint8_t *src, size_t size, ndc_png_info *info, const char **msg);

/** Decode the image of `info` (8 or 16-bit, not interlaced) into dst of
    height * width * channels * depth/8 bytes; 16-bit samples in native
    order. Returns 0, NDC_ERR_MEMORY, NDC_ERR_CORRUPT (with *msg set) or
    NDC_PNG_UNSUPPORTED. */
int ndc_png_decode_image(const uint8_t *src, size_t size, const ndc_png_info *info,
                         uint8_t *dst, const char **msg);

/** Upper bound of the zlib stream of `raw` filtered bytes, as deflated by
    ndc_png_deflate_image with `level` and `strategy`. */
size_t ndc_png_zlib_bound(size_t raw, int level, int strategy);

/** Filter and deflate an image (rows of rowbytes, bpp bytes per pixel,
    16-bit native samples swapped to big-endian if swap16) into one zlib
    stream at dst. `level` 0..9 (or -1 for 6); `strategy` 0 uses libdeflate,
    1..4 zlib with that strategy. Returns the stream size, NDC_ERR_OUTPUT
    if it does not fit, or NDC_ERR_MEMORY. */
ssize_t ndc_png_deflate_image(const uint8_t *src, uint32_t height, size_t rowbytes, unsigned bpp,
                              int swap16, int level, int strategy, unsigned filters,
                              uint8_t *dst, size_t dstsize);

/** CRC-32 of a chunk's type and data. */
uint32_t ndc_png_crc(const uint8_t *data, size_t size);

#ifdef __cplusplus
}
#endif

#endif

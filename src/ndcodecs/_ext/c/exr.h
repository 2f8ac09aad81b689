/* OpenEXR images in memory through OpenEXRCore: reading from a buffer,
 * writing to a growable buffer, pixels interleaved in one array. */

#ifndef NDC_EXR_H
#define NDC_EXR_H

#include <stddef.h>
#include <stdint.h>

#define NDC_EXR_MAX_CHANNELS 64

typedef struct ndc_exr_reader ndc_exr_reader;

typedef struct ndc_exr_info {
    int32_t width;
    int32_t height;
    int32_t nchannels;
    int32_t pixel_type;  /* 0 uint32, 1 half, 2 float */
    int32_t tiled;
    int32_t compression;
} ndc_exr_info;

/* Open the first part of an EXR file in `data`, which must outlive the
 * reader; return 0 or an exr_result_t, with a message in `error`. */
int ndc_exr_open(const uint8_t *data, size_t size, ndc_exr_reader **reader,
                 ndc_exr_info *info, char *error, size_t errorsize);

/* Decode all pixels into `dst`, (height, width, nchannels) of the pixel
 * type, channels ordered R, G, B, A or Y, A, else as in the file. */
int ndc_exr_decode(ndc_exr_reader *reader, uint8_t *dst, char *error, size_t errorsize);

void ndc_exr_close(ndc_exr_reader *reader);

/* Encode (height, width, nchannels) samples of `pixel_type` with
 * `compression`, in scanlines or, if tile_w and tile_h > 0, in tiles,
 * into a new buffer (*out, *outsize; free() it). Channels are named Y,
 * Y A, R G B or R G B A. */
int ndc_exr_encode(const uint8_t *src, int32_t width, int32_t height, int32_t nchannels,
                   int32_t pixel_type, int32_t compression, int32_t tile_w, int32_t tile_h,
                   uint8_t **out, size_t *outsize, char *error, size_t errorsize);

#endif

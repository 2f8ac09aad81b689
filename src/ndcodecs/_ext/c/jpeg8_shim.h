/* JPEG encode and decode through libjpeg(-turbo), with the library's
   longjmp error handling kept inside C. Functions return 0 on success or
   -1 with the library's message in `message`. */

#ifndef NDC_JPEG8_SHIM_H
#define NDC_JPEG8_SHIM_H

#include <stddef.h>
#include <stdint.h>

#define NDC_JPEG8_MSGSIZE 256

typedef struct {
    /* decoder input: the color space of the stream (0: as the file says)
       and of the output (0: the library's default for that space) */
    int colorspace;
    int outcolorspace;
    size_t memlimit; /* cap on the library's work memory, 0: none */
    /* decoder results */
    uint32_t width;
    uint32_t height;
    int components; /* of the output */
    char message[NDC_JPEG8_MSGSIZE];
} ndc_jpeg8_info;

typedef struct {
    uint32_t width;
    uint32_t height;
    int components;
    int incolorspace;  /* J_COLOR_SPACE of the samples */
    int jpegcolorspace; /* J_COLOR_SPACE of the stream, -1: default */
    int quality;
    int hsamp; /* luma sampling factors, 0: library default */
    int vsamp;
    int optimize;
    int progressive;
    int smoothing;
    int restartinterval; /* in MCU rows if < 0, in MCUs if > 0 */
    char message[NDC_JPEG8_MSGSIZE];
} ndc_jpeg8_params;

/* The library name and version. */
const char *ndc_jpeg8_version(void);

typedef struct ndc_jpeg8_decoder ndc_jpeg8_decoder;

/* Read the header (after the tables, if any), fill `info` and return a
   decoder, or NULL with the message in `info`. */
ndc_jpeg8_decoder *ndc_jpeg8_open(const uint8_t *tables, size_t tablessize, const uint8_t *src,
                                  size_t srcsize, ndc_jpeg8_info *info);

/* Decode the image into `dst` of height * width * components bytes, rows
   packed. `info` is the one given to ndc_jpeg8_open. */
int ndc_jpeg8_read(ndc_jpeg8_decoder *dec, uint8_t *dst, size_t dstsize, ndc_jpeg8_info *info);

/* Free a decoder (NULL is fine). */
void ndc_jpeg8_close(ndc_jpeg8_decoder *dec);

/* Encode rows of width * components bytes. The output buffer `*dst` of
   `*dstsize` bytes is used if large enough, else the library allocates
   one, returned in `*dst`, which the caller frees with free(). */
int ndc_jpeg8_encode(const uint8_t *src, uint8_t **dst, size_t *dstsize,
                     ndc_jpeg8_params *params);

#endif

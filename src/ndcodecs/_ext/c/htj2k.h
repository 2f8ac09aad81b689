/* HTJ2K encoding through OpenJPH's C++ API, behind plain functions that
 * never throw: OpenJPH reports errors by C++ exceptions, which are caught
 * here and turned into a status and a message. */

#ifndef NDC_HTJ2K_H
#define NDC_HTJ2K_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NDC_HTJ2K_ERROR (-1)
#define NDC_HTJ2K_NOMEM (-2)

typedef struct {
    uint32_t width;
    uint32_t height;
    uint32_t ncomps;
    uint32_t bitdepth;
    int is_signed;
    int itemsize;      /* 1 or 2 */
    int planar;        /* source is (ncomps, height, width), else interleaved */
    int reversible;
    float qstep;       /* quantization step of the irreversible transform */
    uint32_t decompositions;
    uint32_t tile_width;   /* 0: one tile */
    uint32_t tile_height;
    int color_transform;
    uint32_t block_width;
    uint32_t block_height;
    const char *progression;
} ndc_htj2k_params;

/* Encode; on success *out is a malloc'ed codestream of *outsize bytes. */
int ndc_htj2k_encode(
    const void *src, const ndc_htj2k_params *params, uint8_t **out,
    size_t *outsize, char *msg, size_t msgsize);

void ndc_htj2k_free(void *ptr);

/* Route OpenJPH's messages: errors into exceptions, no printing. */
void ndc_htj2k_init(void);

#ifdef __cplusplus
}
#endif

#endif

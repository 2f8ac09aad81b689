/* JPEG XR through jxrlib, behind a small interface that keeps jxrlib's
   large structs and macros out of Cython. */

#ifndef NDC_JXR_SHIM_H
#define NDC_JXR_SHIM_H

#include <stddef.h>
#include <stdint.h>

/* What a pixel format holds: `samples` in the result, `stored` per pixel
   in the codestream's layout (with padding), `itemsize` bytes each (0: one
   bit), `kind` 'u', 'i' (fixed point with `fraction` bits) or 'f'. */
typedef struct {
    const char *name;
    int samples;
    int stored;
    int itemsize;
    char kind;
    int fraction;
    int bgr;
    int alpha;
} ndc_jxr_format;

/* Results of ndc_jxr_decode besides jxrlib's errors, with `detail`. */
#define NDC_JXR_ERR_SIGNAL -1001 /* the decoding process was killed by signal `detail` */
#define NDC_JXR_ERR_EXIT -1002   /* it ended without a result (exit status `detail`) */
#define NDC_JXR_ERR_SYSTEM -1003 /* mmap, fork or waitpid failed with errno `detail` */

/* The pixel format table: entry `index` (NULL if out of range), and the
   index of a format by name (-1 if unknown). */
const ndc_jxr_format *ndc_jxr_format_at(int index);
int ndc_jxr_format_find(const char *name);

/* Read the size and pixel format from the container, without jxrlib.
   Returns 0 or a jxrlib error (negative). */
long ndc_jxr_info(const uint8_t *src, size_t size, uint32_t *width, uint32_t *height, int *format);

/* Decode an image of the size and format ndc_jxr_info gave into `dst`,
   `height` rows of `stride` bytes in the stored layout. jxrlib runs in a
   forked child writing to a shared mapping, so that jxrlib crashing or
   hanging on a corrupt stream ends the child only. Returns 0, a jxrlib
   error, or an NDC_JXR_ERR_ code. Safe to call from several threads. */
long ndc_jxr_decode(const uint8_t *src, size_t size, uint32_t width, uint32_t height, int format,
                    uint8_t *dst, size_t stride, int *detail);

/* Encode `height` rows of `width` pixels of `format`, `stride` bytes apart.
   `quality` in (0, 1) is lossy, else lossless. Returns the encoded size,
   or a jxrlib error (negative; WMP_errBufferOverflow: dst too small). */
long ndc_jxr_encode(const uint8_t *src, uint32_t width, uint32_t height, size_t stride,
                    int format, double quality, float resx, float resy,
                    uint8_t *dst, size_t dstsize, size_t *used);

#endif

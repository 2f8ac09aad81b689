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

/* The pixel format table: entry `index` (NULL if out of range), and the
   index of a format by name (-1 if unknown). */
const ndc_jxr_format *ndc_jxr_format_at(int index);
int ndc_jxr_format_find(const char *name);

/* Read the size and pixel format from the container, without jxrlib.
   Returns 0 or a jxrlib error (negative). */
long ndc_jxr_info(const uint8_t *src, size_t size, uint32_t *width, uint32_t *height, int *format);

/* Decode an image of the size and format ndc_jxr_info gave into `dst`,
   `height` rows of `stride` bytes in the stored layout. jxrlib runs in a
   forked child (isolate.h), so that jxrlib crashing or hanging on a
   corrupt stream ends the child only. Returns 0, a jxrlib error, or an
   NDC_ISOLATED_ code with `detail`. Safe to call from several threads. */
long ndc_jxr_decode(const uint8_t *src, size_t size, uint32_t width, uint32_t height, int format,
                    uint8_t *dst, size_t stride, int *detail);

/* A request to a helper process (isolate.h) decoding an image of the size
   and format ndc_jxr_info gave, `stride` bytes a row; the reply's head has
   jxrlib's result in `err`, and its body the rows if it is 0. */
typedef struct {
    uint32_t width, height;
    int format;
    size_t stride;
    long err;
} ndc_jxr_request;

/* The helper's handler (an ndc_handler) for those requests. */
void *ndc_jxr_serve_request(void *head, const uint8_t *body, size_t size, size_t *replysize);

/* Encode `height` rows of `width` pixels of `format`, `stride` bytes apart.
   `quality` in (0, 1) is lossy, else lossless. Returns the encoded size,
   or a jxrlib error (negative; WMP_errBufferOverflow: dst too small). */
long ndc_jxr_encode(const uint8_t *src, uint32_t width, uint32_t height, size_t stride,
                    int format, double quality, float resx, float resy,
                    uint8_t *dst, size_t dstsize, size_t *used);

#endif

/* Array filters: delta, xor and byte shuffle (with TIFF floating point
   predictor 3 as byte shuffle + byte delta), along one axis of a C-order
   array seen as outer x n x inner samples. dst may equal src (in place);
   other overlaps are not allowed. Functions return 0 or a negative
   NDC_ERR_* code from ndc_status.h; they are pure and thread-safe. */

#ifndef NDC_FILTERS_H
#define NDC_FILTERS_H

#include <stddef.h>
#include <stdint.h>

#include "ndc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Delta along the middle axis at distance dist (>= 1): encode
    x[i] - x[i-dist], decode the inverse, as unsigned integers of itemsize
    1, 2, 4 or 8 (floats as their bit patterns); swap: the samples are
    byte-swapped (non-native byte order). */
int ndc_delta(void *dst, const void *src, size_t outer, size_t n, size_t inner,
              size_t dist, int itemsize, int swap, int decode);

/** XOR with the sample dist before along the middle axis. */
int ndc_xor(void *dst, const void *src, size_t outer, size_t n, size_t inner,
            size_t dist, int itemsize, int decode);

/** Byte shuffle each of `outer` rows of n samples of itemsize bytes into
    itemsize planes (memory byte order, reversed if `reverse`), then, if
    `delta`, difference the shuffled row's bytes at distance dist. */
int ndc_byteshuffle(void *dst, const void *src, size_t outer, size_t n,
                    int itemsize, size_t dist, int delta, int reverse,
                    int decode);

#ifdef __cplusplus
}
#endif

#endif

/* Block-by-block zfp decoding that stops at the end of the input. */
#ifndef NDC_ZFP_BLOCKS_H
#define NDC_ZFP_BLOCKS_H

#include <stdint.h>
#include "zfp.h"

/* Decode `field` from `stream` (positioned after the header) as
   zfp_decompress does serially, but return -1 before decoding a block that
   would start at or past bit `limit`; else return the bits read. Each block
   reads at most the stream's maxbits, so a buffer of limit + maxbits bits
   (plus a word read ahead) is never read past. */
int64_t ndc_zfp_decode_blocks(zfp_stream *stream, const zfp_field *field, uint64_t limit);

#endif

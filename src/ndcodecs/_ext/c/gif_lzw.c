/* LZW decoding of GIF image data.

   Every string in the code table is a run of pixels already decoded: a new
   entry is the previous string plus the first pixel of the current one,
   and those lie next to each other in the output. So the table holds only
   where each string first appeared and its length, and decoding a code is
   a copy from earlier output, not a walk along a chain of prefixes. */

#include <string.h>

#include "gif_lzw.h"

#define MAX_BITS 12
#define MAX_CODES (1 << MAX_BITS)

ssize_t ndc_gif_lzw_decode(const uint8_t *src, size_t srcsize, int mincode, uint8_t *dst, size_t dstsize)
{
    uint32_t position[MAX_CODES];
    uint16_t length[MAX_CODES];
    const uint8_t *end = src + srcsize;
    uint64_t bits = 0;
    int nbits = 0;
    int width, clear, eoi, next, code;
    size_t out = 0, prev_pos = 0, prev_len = 0, from, len, i;
    int have_prev = 0;

    if (mincode < 1 || mincode > 8)
        return NDC_ERR_CORRUPT;
    if (dstsize > UINT32_MAX)
        return NDC_ERR_OUTPUT;
    clear = 1 << mincode;
    eoi = clear + 1;
    next = eoi + 1;
    width = mincode + 1;

    while (out < dstsize) {
        while (nbits < width) {
            if (src == end)
                return (ssize_t)out;  /* the data ends early */
            bits |= (uint64_t)*src++ << nbits;
            nbits += 8;
        }
        code = (int)(bits & ((1u << width) - 1));
        bits >>= width;
        nbits -= width;

        if (code == clear) {
            next = eoi + 1;
            width = mincode + 1;
            have_prev = 0;
            continue;
        }
        if (code == eoi)
            break;
        if (code < clear) {
            dst[out] = (uint8_t)code;
            len = 1;
        } else if (!have_prev) {
            return NDC_ERR_CORRUPT;  /* a string code with no table */
        } else {
            if (code < next)
                from = position[code], len = length[code];
            else if (code == next && next < MAX_CODES)
                from = prev_pos, len = prev_len + 1;  /* previous + its first */
            else
                return NDC_ERR_CORRUPT;
            if (len > dstsize - out)
                len = dstsize - out;  /* the image is complete */
            /* the source ends before out; blocks may write into the slack */
            for (i = 0; i < len; i += NDC_GIF_LZW_SLACK)
                memmove(dst + out + i, dst + from + i, NDC_GIF_LZW_SLACK);
            if (code == next && len == prev_len + 1)
                dst[out + prev_len] = dst[out];
        }
        if (have_prev && next < MAX_CODES) {
            position[next] = (uint32_t)prev_pos;
            length[next] = (uint16_t)(prev_len + 1);
            next++;
            if (next == (1 << width) && width < MAX_BITS)
                width++;
        }
        have_prev = 1;
        prev_pos = out;
        prev_len = len;
        out += len;
    }
    return (ssize_t)out;
}

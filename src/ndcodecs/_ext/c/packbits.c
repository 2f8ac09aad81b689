/* PackBits codec, written from the TIFF 6.0 specification, section 9.

   Header byte n: 0..127 copies the next n + 1 bytes, -127..-1 repeats the
   next byte 1 - n times, -128 does nothing. */

#include "packbits.h"

#include <string.h>

/* Copy n bytes from src to dst, which have srcroom and dstroom bytes. Like
   the fills below, it may write up to 15 bytes past n: later packets
   overwrite them, and any past the end are in dst's unused tail. */
static inline void copy_literal(uint8_t *dst, size_t dstroom, const uint8_t *src, size_t srcroom, size_t n)
{
    if (srcroom >= n + 15 && dstroom >= n + 15) {
        /* Literals are short: 16-byte blocks beat a memcpy call. */
        size_t k;
        for (k = 0; k < n; k += 16)
            memcpy(dst + k, src + k, 16);
    } else {
        memcpy(dst, src, n);
    }
}

/* Decode loop shared by decode and decoded_size: with dst == NULL it only
   counts, with dstsize as the limit. */
static ssize_t packbits_decode_impl(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize)
{
    size_t i = 0, pos = 0;
    while (i < srcsize) {
        const unsigned h = src[i++];
        if (h < 128) {
            const size_t n = h + 1;
            if (srcsize - i < n)
                return NDC_ERR_CORRUPT;
            if (dstsize - pos < n)
                return NDC_ERR_OUTPUT;
            if (dst != NULL)
                copy_literal(dst + pos, dstsize - pos, src + i, srcsize - i, n);
            i += n;
            pos += n;
        } else if (h > 128) {
            const size_t n = 257 - h;
            if (i == srcsize)
                return NDC_ERR_CORRUPT;
            if (dstsize - pos < n)
                return NDC_ERR_OUTPUT;
            if (dst != NULL) {
                /* Short runs dominate: a fixed-size fill beats a call. */
                if (n <= 16 && dstsize - pos >= 16)
                    memset(dst + pos, src[i], 16);
                else
                    memset(dst + pos, src[i], n);
            }
            i++;
            pos += n;
        }
    }
    return (ssize_t)pos;
}

ssize_t ndc_packbits_decoded_size(const uint8_t *src, size_t srcsize, size_t limit)
{
    /* The size is returned as ssize_t, the signed twin of size_t. */
    if (limit > SIZE_MAX / 2)
        limit = SIZE_MAX / 2;
    return packbits_decode_impl(src, srcsize, NULL, limit);
}

ssize_t ndc_packbits_decode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize)
{
    return packbits_decode_impl(src, srcsize, dst, dstsize);
}

size_t ndc_packbits_encode_bound(size_t srcsize)
{
    /* All literal packets: one header per 128 bytes. */
    const size_t extra = srcsize / 128 + (srcsize % 128 != 0);
    return srcsize > SIZE_MAX - extra ? SIZE_MAX : srcsize + extra;
}

/* Whether any of the 8 bytes of x is zero. */
static inline int has_zero_byte(uint64_t x)
{
    return ((x - 0x0101010101010101u) & ~x & 0x8080808080808080u) != 0;
}

/* First i in [from, end - 1) with src[i] == src[i + 1], or end if none. */
static inline size_t find_pair(const uint8_t *src, size_t from, size_t end)
{
    size_t i = from;
    /* Literal data: skip 8 positions at a time while no byte equals the
       next one. */
    while (i + 9 <= end) {
        uint64_t a, b;
        memcpy(&a, src + i, 8);
        memcpy(&b, src + i + 1, 8);
        if (has_zero_byte(a ^ b))
            break;
        i += 8;
    }
    for (; i + 1 < end; i++) {
        if (src[i] == src[i + 1])
            return i;
    }
    return end;
}

/* Length of the run of src[i] starting at i, at most 128. */
static inline size_t run_length(const uint8_t *src, size_t i, size_t srcsize)
{
    const size_t end = srcsize - i > 128 ? i + 128 : srcsize;
    size_t j = i + 1;
    while (j < end && src[j] == src[i])
        j++;
    return j - i;
}

/* The encoding of imagecodecs, which output must match byte for byte: at
   each position a run of two or more bytes becomes a repeat packet;
   otherwise a literal packet extends to the first pair of equal bytes found
   within 129 bytes, except that a lone two-byte run followed by more
   literal bytes is taken into the literal. Returns -1 if the packets do not
   fit in cap bytes; *literal_last tells the kind of the last packet. */
static ptrdiff_t packbits_greedy(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t cap, int *literal_last)
{
    size_t i = 0, pos = 0;
    *literal_last = 0;
    while (i < srcsize) {
        const size_t window = srcsize - i > 129 ? i + 129 : srcsize;
        size_t p = find_pair(src, i, window), n;
        if (p == i) {
            n = run_length(src, i, srcsize);
            if (cap - pos < 2)
                return -1;
            dst[pos++] = (uint8_t)(257 - n);
            dst[pos++] = src[i];
            i += n;
            *literal_last = 0;
            continue;
        }
        if (p == window) {
            n = srcsize - i;
        } else {
            if (p + 2 == srcsize || src[p + 2] != src[p]) {
                const size_t q = find_pair(src, p + 2, window);
                if (q != window && q > p + 2)
                    p = q;
            }
            n = p - i;
        }
        if (n > 128)
            n = 128;
        if (cap - pos < n + 1)
            return -1;
        dst[pos++] = (uint8_t)(n - 1);
        copy_literal(dst + pos, cap - pos, src + i, srcsize - i, n);
        pos += n;
        i += n;
        *literal_last = 1;
    }
    return (ptrdiff_t)pos;
}

ssize_t ndc_packbits_encode(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize)
{
    const size_t worst = ndc_packbits_encode_bound(srcsize);
    const size_t cap = dstsize < worst ? dstsize : worst;
    size_t i = 0, pos = 0;
    int literal_last;
    const ptrdiff_t ret = packbits_greedy(src, srcsize, dst, cap, &literal_last);
    /* imagecodecs re-encodes with literal packets only if the packets above
       exceed the all-literal size, or reach it with a literal packet last
       (its bounds check is one byte strict there). Same size, other bytes. */
    if (ret >= 0 && !((size_t)ret == worst && literal_last))
        return (ssize_t)ret;
    if (dstsize < worst)
        return NDC_ERR_OUTPUT;
    while (i < srcsize) {
        const size_t n = srcsize - i < 128 ? srcsize - i : 128;
        dst[pos++] = (uint8_t)(n - 1);
        memcpy(dst + pos, src + i, n);
        pos += n;
        i += n;
    }
    return (ssize_t)pos;
}

/* Thermo Fisher EER frame decoding; see eer.h. */

#include "eer.h"

ssize_t ndc_eer_decode(const uint8_t *src, size_t srcsize, uint8_t *dst,
                       size_t height, size_t width, int skipbits,
                       int horzbits, int vertbits, int superres)
{
    if (skipbits < 4 || horzbits < 1 || horzbits > 4 || vertbits < 1 ||
        vertbits > 4 || skipbits + horzbits + vertbits > 16 || superres < 0)
        return NDC_ERR_CORRUPT;
    if (srcsize % 2) return NDC_ERR_CORRUPT;
    const int sx = superres < horzbits ? superres : horzbits;
    const int sy = superres < vertbits ? superres : vertbits;
    const size_t bw = width >> sx, bh = height >> sy;
    const size_t npix = bw * bh;
    if (npix == 0 || (bw << sx) != width || (bh << sy) != height) return NDC_ERR_CORRUPT;
    const int subbits = horzbits + vertbits;
    const uint64_t codebits = (uint64_t)(skipbits + subbits);
    const uint64_t totalbits = (uint64_t)srcsize * 8;
    const uint32_t maxrle = (1u << skipbits) - 1u;
    const uint32_t hmask = (1u << horzbits) - 1u, vmask = (1u << vertbits) - 1u;
    /* the subpixel codes are stored offset; measured on imagecodecs */
    const uint32_t hflip = (uint32_t)horzbits, vflip = (uint32_t)vertbits;
    uint64_t bitpos = 0;
    size_t pos = 0;
    ssize_t count = 0;

    while (bitpos + codebits < totalbits) {
        /* a code of at most 16 bits lies within 3 bytes; the loop
           condition keeps them inside src */
        size_t byte = (size_t)(bitpos >> 3);
        uint32_t word = src[byte];
        if (byte + 1 < srcsize) word |= (uint32_t)src[byte + 1] << 8;
        if (byte + 2 < srcsize) word |= (uint32_t)src[byte + 2] << 16;
        word >>= (bitpos & 7);
        uint32_t rle = word & maxrle;
        bitpos += (uint64_t)skipbits;
        if (rle > npix - pos) return NDC_ERR_CORRUPT;
        pos += rle;
        if (pos == npix) break;
        if (rle == maxrle) continue;
        uint32_t sub = (word >> skipbits) & ((1u << subbits) - 1u);
        bitpos += (uint64_t)subbits;
        size_t index;
        if (superres == 0) {
            index = pos;
        } else {
            size_t row = pos / bw, col = pos - row * bw;
            uint32_t x = ((sub & hmask) ^ hflip) >> (horzbits - sx);
            uint32_t y = (((sub >> horzbits) & vmask) ^ vflip) >> (vertbits - sy);
            index = ((row << sy) + y) * width + (col << sx) + x;
        }
        dst[index] = (uint8_t)(dst[index] + 1);
        count++;
        pos++;
    }
    return count;
}

/* DICOM RLE Lossless decoder, written from DICOM PS3.5 annex G. */

#include "dicomrle.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum { HEADER = 64, MAX_SEGMENTS = 15 };

static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Segment i spans [start[i], start[i + 1]) or to the end of the data. */
static int segments(const uint8_t *src, size_t srcsize, size_t *start, size_t *end)
{
    uint32_t n, i;
    if (srcsize < HEADER)
        return NDC_ERR_CORRUPT;
    n = le32(src);
    if (n < 1 || n > MAX_SEGMENTS)
        return NDC_ERR_CORRUPT;
    for (i = 0; i < n; i++) {
        start[i] = le32(src + 4 + 4 * i);
        if (start[i] < HEADER || start[i] >= srcsize || (i > 0 && start[i] <= start[i - 1]))
            return NDC_ERR_CORRUPT;
        if (i > 0)
            end[i - 1] = start[i];
    }
    end[n - 1] = srcsize;
    return (int)n;
}

/* Size of a PackBits segment decoded, or an error; a literal count
   without data at the end is padding (segments have an even size).
   Stops with NDC_ERR_OUTPUT beyond limit. */
static ssize_t segment_size(const uint8_t *p, const uint8_t *end, size_t limit)
{
    size_t size = 0;
    while (p < end) {
        int n = (int8_t)*p++;
        if (n >= 0) {
            if (p == end)
                break;
            if ((size_t)(end - p) < (size_t)n + 1)
                return NDC_ERR_CORRUPT;
            p += n + 1;
            size += (size_t)n + 1;
        } else if (n != -128) {
            if (p == end)
                return NDC_ERR_CORRUPT;
            p++;
            size += (size_t)(1 - n);
        }
        if (size > limit)
            return NDC_ERR_OUTPUT;
    }
    return (ssize_t)size;
}

/* A PackBits segment decoded piece by piece: what is left of the
   current literal (lit) or run (run, of value). */
typedef struct {
    const uint8_t *p;
    const uint8_t *end;
    size_t lit;
    size_t run;
    uint8_t value;
} unpacker;

/* Decode the next want bytes of a segment to d, with the padding rule
   of segment_size; 0 or NDC_ERR_CORRUPT if the segment ends first. */
static int unpack(unpacker *u, uint8_t *d, size_t want)
{
    while (want) {
        size_t k;
        if (u->lit) {
            k = u->lit < want ? u->lit : want;
            memcpy(d, u->p, k);
            u->p += k;
            u->lit -= k;
        } else if (u->run) {
            k = u->run < want ? u->run : want;
            memset(d, u->value, k);
            u->run -= k;
        } else {
            int n;
            if (u->p >= u->end)
                return NDC_ERR_CORRUPT;
            n = (int8_t)*u->p++;
            if (n >= 0) {
                if (u->p == u->end || (size_t)(u->end - u->p) < (size_t)n + 1)
                    return NDC_ERR_CORRUPT;
                u->lit = (size_t)n + 1;
            } else if (n != -128) {
                if (u->p == u->end)
                    return NDC_ERR_CORRUPT;
                u->run = (size_t)(1 - n);
                u->value = *u->p++;
            }
            continue;
        }
        d += k;
        want -= k;
    }
    return 0;
}

/* True if nothing but padding is left of a segment. */
static int unpacked(const unpacker *u)
{
    const uint8_t *p = u->p;
    if (u->lit || u->run)
        return 0;
    while (p < u->end && *p == 0x80)
        p++;
    return p == u->end || (p + 1 == u->end && (int8_t)*p >= 0);
}

/* Byte planes of count values, most significant first, to values of k
   bytes in little or big-endian order. */
static void interleave(const uint8_t *planes, size_t count, int k, int bigendian, uint8_t *out)
{
    size_t i;
    int b;
    if (k == 2) {
        /* the byte that comes first in memory, and the second */
        const uint8_t *a = bigendian ? planes : planes + count, *z = bigendian ? planes + count : planes;
        i = 0;
#ifdef __SSE2__
        for (; i + 16 <= count; i += 16) {
            __m128i va = _mm_loadu_si128((const __m128i *)(a + i)), vz = _mm_loadu_si128((const __m128i *)(z + i));
            _mm_storeu_si128((__m128i *)(out + 2 * i), _mm_unpacklo_epi8(va, vz));
            _mm_storeu_si128((__m128i *)(out + 2 * i + 16), _mm_unpackhi_epi8(va, vz));
        }
#endif
        for (; i < count; i++) {
            out[2 * i] = a[i];
            out[2 * i + 1] = z[i];
        }
        return;
    }
    for (b = 0; b < k; b++) {
        const uint8_t *plane = planes + (size_t)b * count;
        uint8_t *o = out + (bigendian ? b : k - 1 - b);
        for (i = 0; i < count; i++)
            o[(size_t)k * i] = plane[i];
    }
}

ssize_t ndc_dicomrle_decoded_size(const uint8_t *src, size_t srcsize, int itemsize, size_t limit)
{
    size_t start[MAX_SEGMENTS], end[MAX_SEGMENTS];
    ssize_t first = 0;
    int n = segments(src, srcsize, start, end), i;
    if (n < 0)
        return n;
    if (itemsize < 1 || n % itemsize != 0)
        return NDC_ERR_CORRUPT;
    for (i = 0; i < n; i++) {
        ssize_t size = segment_size(src + start[i], src + end[i], limit / (size_t)n);
        if (size == NDC_ERR_OUTPUT)
            return NDC_ERR_OUTPUT;
        if (size <= 0 || (i > 0 && size != first))
            return NDC_ERR_CORRUPT;
        first = size;
    }
    return first * n;
}

ssize_t ndc_dicomrle_decode(
    const uint8_t *src, size_t srcsize, int itemsize, int bigendian, uint8_t *dst, size_t dstsize)
{
    enum { CHUNK = 2048 };
    size_t start[MAX_SEGMENTS], end[MAX_SEGMENTS], count;
    uint8_t planes[MAX_SEGMENTS * CHUNK];
    int n = segments(src, srcsize, start, end), i, b;
    if (n < 0)
        return n;
    if (itemsize < 1 || n % itemsize != 0 || dstsize % (size_t)n != 0 || dstsize == 0)
        return NDC_ERR_CORRUPT;
    count = dstsize / (size_t)n; /* values per sample plane */
    for (i = 0; i < n; i += itemsize) {
        /* the byte planes of one sample, CHUNK values at a time */
        unpacker u[MAX_SEGMENTS];
        uint8_t *out = dst + (size_t)i * count;
        size_t done = 0;
        for (b = 0; b < itemsize; b++) {
            u[b].p = src + start[i + b];
            u[b].end = src + end[i + b];
            u[b].lit = u[b].run = 0;
        }
        while (done < count) {
            size_t k = count - done < CHUNK ? count - done : CHUNK;
            if (itemsize == 1) {
                if (unpack(&u[0], out + done, k) != 0)
                    return NDC_ERR_CORRUPT;
            } else {
                for (b = 0; b < itemsize; b++)
                    if (unpack(&u[b], planes + (size_t)b * k, k) != 0)
                        return NDC_ERR_CORRUPT;
                interleave(planes, k, itemsize, bigendian, out + done * (size_t)itemsize);
            }
            done += k;
        }
        for (b = 0; b < itemsize; b++)
            if (!unpacked(&u[b]))
                return NDC_ERR_CORRUPT;
    }
    return (ssize_t)dstsize;
}

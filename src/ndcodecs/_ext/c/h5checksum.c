/* HDF5 checksums: see h5checksum.h. */

#include "h5checksum.h"

#include <string.h>

/* Fletcher-32 ------------------------------------------------------------ */

#define FLETCHER_BLOCK 360 /* words between folds, as HDF5: no overflow */
#define LANES 8

static inline uint32_t be16(const uint8_t *p)
{
    return ((uint32_t)p[0] << 8) | (uint32_t)p[1];
}

uint32_t ndc_fletcher32(const uint8_t *data, size_t size)
{
    size_t words = size / 2;
    uint32_t sum1 = 0, sum2 = 0;
    const uint8_t *p = data;

    while (words) {
        size_t block = words > FLETCHER_BLOCK ? FLETCHER_BLOCK : words;
        size_t chunks = block / LANES, rest = block % LANES, i, l;
        words -= block;
        if (chunks) {
            /* Per lane: a = sum of its words, c = sum of a after each chunk.
               For the n = 8*chunks words w_i of the sub-block,
               sum2 grows by n*sum1 + sum_i (n - i) w_i
                             = n*sum1 + 8*sum(c) - sum_l l*a[l]. */
            uint32_t a[LANES] = {0}, c[LANES] = {0}, s = 0, t = 0;
            uint32_t n = (uint32_t)(chunks * LANES);
            for (i = 0; i < chunks; i++) {
                for (l = 0; l < LANES; l++) {
                    uint16_t v;
                    memcpy(&v, p + 2 * l, 2);
                    a[l] += (uint16_t)((v << 8) | (v >> 8));
                    c[l] += a[l];
                }
                p += 2 * LANES;
            }
            for (l = 0; l < LANES; l++) {
                s += a[l];
                t += LANES * c[l] - (uint32_t)l * a[l];
            }
            sum2 += n * sum1 + t;
            sum1 += s;
        }
        for (i = 0; i < rest; i++) {
            sum1 += be16(p);
            sum2 += sum1;
            p += 2;
        }
        sum1 = (sum1 & 0xFFFF) + (sum1 >> 16);
        sum2 = (sum2 & 0xFFFF) + (sum2 >> 16);
    }
    if (size % 2) {
        sum1 += (uint32_t)*p << 8;
        sum2 += sum1;
        sum1 = (sum1 & 0xFFFF) + (sum1 >> 16);
        sum2 = (sum2 & 0xFFFF) + (sum2 >> 16);
    }
    sum1 = (sum1 & 0xFFFF) + (sum1 >> 16);
    sum2 = (sum2 & 0xFFFF) + (sum2 >> 16);
    return (sum2 << 16) | sum1;
}

/* lookup3 ---------------------------------------------------------------- */

static inline uint32_t rotl32(uint32_t x, int k)
{
    return (x << k) | (x >> (32 - k));
}

static inline uint32_t le32(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
#else
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
#endif
}

/* Little-endian value of the first n (<= 4) bytes of p. */
static inline uint32_t le_partial(const uint8_t *p, size_t n)
{
    uint32_t v = 0;
    size_t i;
    for (i = 0; i < n; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

uint32_t ndc_lookup3(const uint8_t *data, size_t size, uint32_t initval)
{
    uint32_t a, b, c;
    const uint8_t *p = data;
    size_t left = size;

    a = b = c = 0xDEADBEEFu + (uint32_t)size + initval;
    while (left > 12) {
        a += le32(p);
        b += le32(p + 4);
        c += le32(p + 8);
        /* mix */
        a -= c; a ^= rotl32(c, 4);  c += b;
        b -= a; b ^= rotl32(a, 6);  a += c;
        c -= b; c ^= rotl32(b, 8);  b += a;
        a -= c; a ^= rotl32(c, 16); c += b;
        b -= a; b ^= rotl32(a, 19); a += c;
        c -= b; c ^= rotl32(b, 4);  b += a;
        p += 12;
        left -= 12;
    }
    if (left == 0)
        return c;
    /* 1..12 bytes: missing bytes count as zeros */
    if (left >= 8) {
        a += le32(p);
        b += le32(p + 4);
        c += le_partial(p + 8, left - 8);
    } else if (left >= 4) {
        a += le32(p);
        b += le_partial(p + 4, left - 4);
    } else {
        a += le_partial(p, left);
    }
    /* final */
    c ^= b; c -= rotl32(b, 14);
    a ^= c; a -= rotl32(c, 11);
    b ^= a; b -= rotl32(a, 25);
    c ^= b; c -= rotl32(b, 16);
    a ^= c; a -= rotl32(c, 4);
    b ^= a; b -= rotl32(a, 14);
    c ^= b; c -= rotl32(b, 24);
    return c;
}

/* CRC -------------------------------------------------------------------- */

static uint32_t crc_table[8][256];

void ndc_h5crc_init(void)
{
    uint32_t n, k, c;
    for (n = 0; n < 256; n++) {
        c = n;
        for (k = 0; k < 8; k++)
            c = (c & 1) ? 0x04C11DB7u ^ (c >> 1) : c >> 1;
        crc_table[0][n] = c;
    }
    for (n = 0; n < 256; n++)
        for (k = 1; k < 8; k++)
            crc_table[k][n] = (crc_table[k - 1][n] >> 8) ^
                              crc_table[0][crc_table[k - 1][n] & 0xFF];
}

uint32_t ndc_h5crc(const uint8_t *data, size_t size)
{
    uint32_t crc = 0xFFFFFFFFu;
    const uint8_t *p = data;
    while (size >= 8) {
        uint32_t lo = le32(p) ^ crc, hi = le32(p + 4);
        crc = crc_table[7][lo & 0xFF] ^ crc_table[6][(lo >> 8) & 0xFF] ^
              crc_table[5][(lo >> 16) & 0xFF] ^ crc_table[4][lo >> 24] ^
              crc_table[3][hi & 0xFF] ^ crc_table[2][(hi >> 8) & 0xFF] ^
              crc_table[1][(hi >> 16) & 0xFF] ^ crc_table[0][hi >> 24];
        p += 8;
        size -= 8;
    }
    while (size--)
        crc = crc_table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

/* string hash ------------------------------------------------------------ */

uint32_t ndc_hash_string(const uint8_t *data, size_t size)
{
    uint32_t hash = 5381;
    size_t i;
    for (i = 0; i < size && data[i]; i++)
        hash = hash * 33u + (uint32_t)(int32_t)(int8_t)data[i];
    return hash;
}

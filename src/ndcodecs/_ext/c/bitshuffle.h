/* Bitshuffle, bit-compatible with the bitshuffle library (K. Masui) and its
   HDF5 filter (id 32008) with LZ4 or zstd compression.

   Data are `nelem` elements of `itemsize` bytes, processed in blocks of
   `blocksize` elements (a multiple of 8; 0 selects the library's default).
   Within a block, bit k of byte b of every element goes to bit row 8*b+k,
   element i at bit i%8 of byte i/8 of its row. The last partial block is
   shuffled in its largest multiple of 8 elements; the remaining elements
   are copied unchanged.

   The framed (HDF5 filter) layout: an 8-byte big-endian uncompressed size,
   a 4-byte big-endian block size in bytes, then for each block a 4-byte
   big-endian compressed size and the LZ4 block (or zstd frame) of the
   bitshuffled block, then the remaining bytes unchanged.

   Functions return a byte count or a negative NDC_ERR_* code; all are
   thread-safe. */

#ifndef NDC_BITSHUFFLE_H
#define NDC_BITSHUFFLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ndc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NDC_BSHUF_NONE 0
#define NDC_BSHUF_LZ4 1
#define NDC_BSHUF_ZSTD 2

/** The library's default block size, in elements, for itemsize. */
size_t ndc_bitshuffle_default_blocksize(size_t itemsize);

/** Bitshuffle (or, if inverse, unshuffle) size bytes of src into dst;
    size must be a multiple of itemsize. Returns size, NDC_ERR_CORRUPT for
    a blocksize not a multiple of 8, or NDC_ERR_MEMORY. */
ssize_t ndc_bitshuffle(const uint8_t *src, uint8_t *dst, size_t size,
                       size_t itemsize, size_t blocksize, int inverse);

/** Upper bound of the framed size of srcsize bytes (0 on overflow). */
size_t ndc_bshuf_compress_bound(size_t srcsize, size_t itemsize,
                                size_t blocksize, int compression);

/** Bitshuffle and compress src into the framed layout. */
ssize_t ndc_bshuf_compress(const uint8_t *src, size_t srcsize, uint8_t *dst,
                           size_t dstsize, size_t itemsize, size_t blocksize,
                           int compression, int level);

/** The uncompressed size of a framed stream, validated against srcsize,
    itemsize and limit (NDC_ERR_OUTPUT above limit). */
ssize_t ndc_bshuf_decompressed_size(const uint8_t *src, size_t srcsize,
                                    size_t itemsize, size_t limit);

/** Decompress a framed stream (compression NONE detects it) into dst of
    at least the decompressed size. */
ssize_t ndc_bshuf_decompress(const uint8_t *src, size_t srcsize, uint8_t *dst,
                             size_t dstsize, size_t itemsize, int compression);

#ifdef __cplusplus
}
#endif

#endif

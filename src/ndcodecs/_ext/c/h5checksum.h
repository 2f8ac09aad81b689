/* The checksums of HDF5 (H5checksum.c), bit-exact: Fletcher-32 over
   big-endian 16-bit words, Bob Jenkins' lookup3 "hashlittle", HDF5's
   CRC (a reflected CRC driven by the unreflected polynomial 0x04C11DB7),
   and the djb2 string hash. Pure functions; call ndc_h5crc_init() once
   before ndc_h5crc(). */

#ifndef NDC_H5CHECKSUM_H
#define NDC_H5CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** HDF5's Fletcher-32: 16-bit words big-endian, an odd last byte as the
    high byte of a word, sums folded after every 360 words. */
uint32_t ndc_fletcher32(const uint8_t *data, size_t size);

/** lookup3 hashlittle of data, seeded with initval (length taken mod 2**32). */
uint32_t ndc_lookup3(const uint8_t *data, size_t size, uint32_t initval);

/** Build the CRC tables; call once before ndc_h5crc. */
void ndc_h5crc_init(void);

/** HDF5's CRC: start 0xFFFFFFFF, final xor 0xFFFFFFFF. */
uint32_t ndc_h5crc(const uint8_t *data, size_t size);

/** HDF5's string hash (djb2 over signed chars, up to the first NUL). */
uint32_t ndc_hash_string(const uint8_t *data, size_t size);

#ifdef __cplusplus
}
#endif

#endif

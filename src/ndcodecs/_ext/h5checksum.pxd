# Declarations of our HDF5 checksums, c/h5checksum.h.

from libc.stdint cimport uint8_t, uint32_t


cdef extern from 'h5checksum.h' nogil:
    uint32_t ndc_fletcher32(const uint8_t *data, size_t size)
    uint32_t ndc_lookup3(const uint8_t *data, size_t size, uint32_t initval)
    void ndc_h5crc_init()
    uint32_t ndc_h5crc(const uint8_t *data, size_t size)
    uint32_t ndc_hash_string(const uint8_t *data, size_t size)

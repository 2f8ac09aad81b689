# cython: language_level=3, boundscheck=False, wraparound=False
"""The checksums of HDF5, our own C (c/h5checksum.c), bit-exact with HDF5.

Each function takes any buffer and returns an int in [0, 2**32). `value`
is the lookup3 seed ('initval'); Fletcher-32, CRC and the string hash have
none and ignore it, as imagecodecs does.
"""

from libc.stdint cimport uint32_t

from ._shared cimport Input, read_input, checksum_arg
from .h5checksum cimport *

from .. import __version__
from .._errors import error_class

__all__ = [
    'H5CHECKSUM', 'H5checksumError', 'h5checksum_version',
    'h5checksum_fletcher32', 'h5checksum_lookup3', 'h5checksum_crc',
    'h5checksum_metadata', 'h5checksum_hash_string',
]

ndc_h5crc_init()


class H5CHECKSUM:
    """H5checksum constants."""

    available = True


H5checksumError = error_class('h5checksum')


def h5checksum_version():
    """Return the version of the ndcodecs HDF5 checksum code."""
    return f'ndcodecs {__version__}'


def h5checksum_fletcher32(data, /, value=None):
    """Return the Fletcher-32 checksum of `data` as HDF5 computes it.

    16-bit words are read big-endian; `value` is ignored.
    """
    cdef Input src = read_input(data)
    cdef uint32_t result
    with nogil:
        result = ndc_fletcher32(src.data, <size_t>src.size)
    return result


def h5checksum_lookup3(data, /, value=None):
    """Return the Jenkins lookup3 (hashlittle) checksum of `data`.

    `value` is the seed (initval, default 0).
    """
    cdef uint32_t initval = checksum_arg(value, 0)
    cdef Input src = read_input(data)
    cdef uint32_t result
    with nogil:
        result = ndc_lookup3(src.data, <size_t>src.size, initval)
    return result


def h5checksum_crc(data, /, value=None):
    """Return HDF5's CRC of `data`; `value` is ignored."""
    cdef Input src = read_input(data)
    cdef uint32_t result
    with nogil:
        result = ndc_h5crc(src.data, <size_t>src.size)
    return result


def h5checksum_metadata(data, /, value=None):
    """Return HDF5's metadata checksum (lookup3 seeded by `value`, default 0)."""
    return h5checksum_lookup3(data, value)


def h5checksum_hash_string(data, /, value=None):
    """Return HDF5's hash of a byte string (up to its first NUL byte).

    `value` is ignored.
    """
    cdef Input src = read_input(data)
    cdef uint32_t result
    with nogil:
        result = ndc_hash_string(src.data, <size_t>src.size)
    return result

# What _zlib.pyx shares with other modules (_zopfli.pyx decodes through it).

from ._shared cimport Input


cdef object zlib_inflate(
    Input src, object out, object max_output, int wbits, object error
)

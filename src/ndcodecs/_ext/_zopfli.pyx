# cython: language_level=3, boundscheck=False, wraparound=False
"""zopfli codec: dense deflate streams made by libzopfli, decoded by zlib."""

import enum

from libc.stdlib cimport free
from libc.string cimport memcpy

from ._shared cimport Input, Output, read_input, encode_output, level_arg
from ._zlib cimport zlib_inflate
from .zopfli cimport *

from .._errors import error_class

__all__ = [
    'ZOPFLI', 'ZopfliError', 'zopfli_version', 'zopfli_check',
    'zopfli_encode', 'zopfli_decode',
]


class ZOPFLI:
    """zopfli constants."""

    available = True

    class FORMAT(enum.IntEnum):
        GZIP = ZOPFLI_FORMAT_GZIP
        ZLIB = ZOPFLI_FORMAT_ZLIB
        DEFLATE = ZOPFLI_FORMAT_DEFLATE


ZopfliError = error_class('zopfli')

_OPTIONS = frozenset((
    'format', 'verbose', 'verbose_more', 'numiterations', 'blocksplitting',
    'blocksplittinglast', 'blocksplittingmax',
))


def zopfli_version():
    """Return the zopfli version string."""
    return 'zopfli 1.0.3'  # the library has no version in its header or API


def zopfli_check(data, /):
    """Return True if `data` starts with a zlib header or the gzip magic,
    else None (the raw deflate format has no signature)."""
    cdef Input src = read_input(data)
    if src.size >= 2 and (
        (src.data[0] == 0x1F and src.data[1] == 0x8B) or (
            src.data[0] & 0x0F == 8 and src.data[0] >> 4 <= 7
            and ((src.data[0] << 8) | src.data[1]) % 31 == 0
        )
    ):
        return True
    return None


cdef int _format_arg(object format) except -1:
    """Return a ZopfliFormat from a ZOPFLI.FORMAT, int or name."""
    if isinstance(format, str):
        try:
            return ZOPFLI.FORMAT[format.upper()]
        except KeyError:
            raise ValueError(f'invalid zopfli format {format!r}') from None
    return level_arg(format, ZOPFLI_FORMAT_ZLIB, 0, 2)


def zopfli_encode(data, /, level=None, *, out=None, **kwargs):
    """Return `data` compressed by zopfli, as a zlib stream by default.

    `level` is accepted for compatibility and ignored, as by imagecodecs;
    the effort is set by keyword options of ZopfliOptions:

    - format: ZOPFLI.FORMAT (or its name), default ZLIB;
    - numiterations: 1 to 255, default 15;
    - blocksplitting: bool, default True;
    - blocksplittingmax: 0 (unlimited) to 32767, default 15;
    - verbose, verbose_more: print statistics to stderr;
    - blocksplittinglast: no longer used by zopfli.
    """
    cdef Input src = read_input(data)
    cdef ZopfliOptions options
    cdef ZopfliFormat fmt = ZOPFLI_FORMAT_ZLIB
    cdef unsigned char *buffer = NULL
    cdef size_t size = 0
    cdef Output dst
    ZopfliInitOptions(&options)
    if kwargs:
        unknown = kwargs.keys() - _OPTIONS
        if unknown:
            raise TypeError(f'zopfli_encode got unexpected keyword arguments {sorted(unknown)}')
        if kwargs.get('format') is not None:
            fmt = <ZopfliFormat>_format_arg(kwargs['format'])
        if 'verbose' in kwargs:
            options.verbose = bool(kwargs['verbose'])
        if 'verbose_more' in kwargs:
            options.verbose_more = bool(kwargs['verbose_more'])
        if 'numiterations' in kwargs:
            options.numiterations = level_arg(kwargs['numiterations'], 15, 1, 255)
        if 'blocksplitting' in kwargs:
            options.blocksplitting = bool(kwargs['blocksplitting'])
        if 'blocksplittingmax' in kwargs:
            options.blocksplittingmax = level_arg(
                kwargs['blocksplittingmax'], 15, 0, 32767
            )
    with nogil:
        ZopfliCompress(&options, fmt, src.data, <size_t>src.size, &buffer, &size)
    if buffer == NULL:
        raise ZopfliError('ZopfliCompress returned no output')
    try:
        dst = encode_output(out, <Py_ssize_t>size, ZopfliError)
        if <size_t>dst.size < size:
            raise ZopfliError(f'output too small: {size} bytes needed, out= holds {dst.size}')
        with nogil:
            memcpy(dst.data, buffer, size)
    finally:
        free(buffer)
    return dst.finish(<Py_ssize_t>size)


def zopfli_decode(data, /, *, format=None, out=None, max_output=None):
    """Return the content of a zlib stream (or gzip member) through zlib.

    `format` None accepts zlib or gzip, as zopfli_encode makes them; the raw
    deflate format needs ZOPFLI.FORMAT.DEFLATE. Bytes after the end of the
    stream are ignored. The result is limited to `max_output` bytes
    (default: ndcodecs.get_max_output()).
    """
    cdef int wbits = 47  # zlib or gzip, by the header
    if format is not None:
        fmt = _format_arg(format)
        wbits = 15 if fmt == ZOPFLI_FORMAT_ZLIB else 31 if fmt == ZOPFLI_FORMAT_GZIP else -15
    return zlib_inflate(read_input(data), out, max_output, wbits, ZopfliError)

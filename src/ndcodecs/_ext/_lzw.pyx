# cython: language_level=3, boundscheck=False, wraparound=False
"""LZW as in TIFF (compression 5), our own C."""

from ._shared cimport ndc_decode, ndc_encode
from .lzw cimport *

from .. import __version__
from .._errors import error_class

__all__ = ['LZW', 'LzwError', 'lzw_version', 'lzw_check', 'lzw_encode', 'lzw_decode']


class LZW:
    """LZW constants."""

    available = True


LzwError = error_class('lzw')


def lzw_version():
    """Return the version of the ndcodecs LZW code."""
    return f'ndcodecs {__version__}'


def lzw_check(data, /):
    """Return True if `data` starts with a ClearCode (or old-style LZW)."""
    head = bytes(data[:2])
    return head[:1] == b'\x80' or head == b'\x00\x01'


def lzw_encode(data, /, *, out=None):
    """Return `data` LZW-encoded as TIFF does: 8-bit, MSB-first, early change."""
    return ndc_encode(data, out, LzwError, 'lzw', ndc_lzw_encode_bound, ndc_lzw_encode)


def lzw_decode(data, /, *, buffersize=0, out=None, max_output=None):
    """Return the bytes of a TIFF LZW stream (old-style LSB streams too).

    The decoded size is computed exactly before decoding, so `buffersize`
    (imagecodecs' first guess of it) is accepted and not needed.
    """
    return ndc_decode(data, out, max_output, LzwError, 'lzw', ndc_lzw_decoded_size, ndc_lzw_decode)

"""The generic checksums crc32 and adler32, kind 'checksum'.

Thin names over the functions the deflate module (libdeflate) already
has, with zlib's as the fallback: ``crc32(data, /, value=None)`` and
``adler32(data, /, value=None)`` continue from `value` like zlib.crc32.
"""

from __future__ import annotations

from .._errors import error_class

__all__ = [
    'CRC32', 'Crc32Error', 'crc32_version', 'crc32',
    'ADLER32', 'Adler32Error', 'adler32_version', 'adler32',
]


def _backend():
    """Return the module providing the checksums: _deflate, else _zlib."""
    try:
        from .._ext import _deflate

        return _deflate, 'deflate'
    except ImportError:
        from .._ext import _zlib

        return _zlib, 'zlib'


_module, _prefix = _backend()


class CRC32:
    """CRC-32 constants."""

    available = True


class ADLER32:
    """Adler-32 constants."""

    available = True


Crc32Error = error_class('crc32')
Adler32Error = error_class('adler32')

crc32 = getattr(_module, f'{_prefix}_crc32')
adler32 = getattr(_module, f'{_prefix}_adler32')


def crc32_version():
    """Return the version of the library computing crc32."""
    return getattr(_module, f'{_prefix}_version')()


adler32_version = crc32_version

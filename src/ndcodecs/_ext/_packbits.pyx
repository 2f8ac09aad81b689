# cython: language_level=3, boundscheck=False, wraparound=False
"""PackBits run-length encoding (TIFF compression 32773), our own C."""

from ._shared cimport ndc_decode, ndc_encode
from .packbits cimport *

from .. import __version__
from .._errors import error_class

__all__ = ['PACKBITS', 'PackbitsError', 'packbits_version', 'packbits_check', 'packbits_encode', 'packbits_decode']


class PACKBITS:
    """PackBits constants."""

    available = True


PackbitsError = error_class('packbits')


def packbits_version():
    """Return the version of the ndcodecs PackBits code."""
    return f'ndcodecs {__version__}'


def packbits_check(data, /):
    """Return None: PackBits streams have no signature."""
    return None


def packbits_encode(data, /, *, axis=None, out=None):
    """Return `data` PackBits-encoded.

    Arrays are encoded in independent segments, as TIFF encodes each row:
    the segments span the axes from `axis` on (default -1, the rows).
    Bytes are one segment.
    """
    if not hasattr(data, 'ndim') or data.ndim < 2 and axis is None:
        return ndc_encode(data, out, PackbitsError, 'packbits', ndc_packbits_encode_bound, ndc_packbits_encode)
    import numpy

    data = numpy.ascontiguousarray(data)
    if data.ndim == 0:
        raise ValueError('expected a buffer, not a 0-d array')
    axis = -1 if axis is None else axis
    if not -data.ndim <= axis < data.ndim:
        raise ValueError(f'axis {axis} out of range for {data.ndim} dimensions')
    rows = data.reshape(int(numpy.prod(data.shape[:axis % data.ndim])), -1).view(numpy.uint8)
    encoded = b''.join(
        ndc_encode(row, None, PackbitsError, 'packbits', ndc_packbits_encode_bound, ndc_packbits_encode)
        for row in rows
    )
    if out is None or out is bytes:
        return encoded
    if out is bytearray:
        return bytearray(encoded)
    raise ValueError('out= is supported for bytes input only')


def packbits_decode(data, /, *, out=None, max_output=None):
    """Return the bytes of a PackBits stream."""
    return ndc_decode(data, out, max_output, PackbitsError, 'packbits', ndc_packbits_decoded_size, ndc_packbits_decode)

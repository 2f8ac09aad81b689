"""JPEG of any kind: jpeg8 (libjpeg-turbo) for 8-bit lossy streams, ljpeg
(our own decoder) for lossless ones, as imagecodecs' jpeg_decode does.

12-bit lossy JPEG needs a libjpeg built for it, which Debian's 8-bit
libjpeg-turbo 2.1.5 is not; such streams raise JpegError. Lossless
encoding is not supported either.
"""

from .._errors import error_class
from .._ext._jpeg8 import JPEG8, Jpeg8Error, jpeg8_check, jpeg8_decode, jpeg8_encode, jpeg8_version
from .._ext._ljpeg import LjpegError, ljpeg_check, ljpeg_decode, ljpeg_version

__all__ = ['JPEG', 'JpegError', 'jpeg_version', 'jpeg_check', 'jpeg_encode', 'jpeg_decode']


class JPEG(JPEG8):
    """JPEG constants (those of JPEG8)."""

    available = True


JpegError = error_class('jpeg')


def jpeg_version():
    """Return the versions of the JPEG libraries."""
    return f'{jpeg8_version()}, ljpeg {ljpeg_version().split()[-1]}'


def jpeg_check(data, /):
    """Return True if `data` starts with a JPEG SOI and marker."""
    return jpeg8_check(data)


def jpeg_encode(
    data, /, level=None, *, colorspace=None, outcolorspace=None,
    subsampling=None, optimize=None, smoothing=None, lossless=None,
    predictor=None, bitspersample=None, progressive=None,
    restartinterval=None, out=None,
):
    """Return an image array encoded as JPEG by jpeg8_encode (see there).

    Lossless and 12-bit JPEG raise JpegError.
    """
    try:
        return jpeg8_encode(
            data, level, colorspace=colorspace, outcolorspace=outcolorspace,
            subsampling=subsampling, optimize=optimize, smoothing=smoothing,
            lossless=lossless, predictor=predictor, bitspersample=bitspersample,
            progressive=progressive, restartinterval=restartinterval, out=out,
        )
    except Jpeg8Error as exc:
        raise JpegError(str(exc)) from exc


def jpeg_decode(
    data, /, *, tables=None, header=None, colorspace=None, outcolorspace=None,
    shape=None, bitspersample=None, out=None, max_output=None,
):
    """Return a JPEG image as a numpy array.

    8-bit lossy streams are decoded by jpeg8_decode (see there for `tables`,
    `colorspace`, `outcolorspace` and `shape`), lossless ones by
    ljpeg_decode. `header` is prepended to an abbreviated `data` (and an EOI
    marker appended). `bitspersample` is accepted for compatibility and not
    needed: the stream tells. The image is limited to `max_output` bytes.
    """
    del bitspersample
    if header is not None:
        data = b''.join((bytes(header), bytes(data), b'\xff\xd9'))
    try:
        return jpeg8_decode(
            data, tables=tables, colorspace=colorspace,
            outcolorspace=outcolorspace, shape=shape, out=out,
            max_output=max_output,
        )
    except Jpeg8Error as exc:
        error = exc
    if ljpeg_check(data) and tables is None:
        try:
            return ljpeg_decode(data, out=out, max_output=max_output)
        except LjpegError as exc:
            raise JpegError(str(exc)) from exc
    message = str(error)
    if 'precision' in message:
        message += f' ({jpeg8_version()} reads 8-bit lossy JPEG only)'
    raise JpegError(message) from error

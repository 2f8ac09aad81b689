# cython: language_level=3, boundscheck=False, wraparound=False
"""JPEG XR codec through jxrlib.

jxrlib crashes on some corrupt streams, so decoding runs in a helper
process (ndcodecs._isolation), or where none can start, in a forked child;
a crash there raises JpegxrError.

Images are numpy arrays: (H, W) gray of bool, uint8, uint16, float16 or
float32; (H, W, 3) RGB and (H, W, 4) RGBA of uint8, uint16, float16 or
float32; (H, W, N) with up to 8 channels of uint8 or uint16. Fixed-point
formats decode to float32, or to int16/int32 with `fp2int`.
"""

import enum

import numpy

from libc.stdint cimport uint8_t, uint32_t

from ._shared cimport as_array, Input, Output, array_output, encode_output, output_limit, read_input
from .isolate cimport *
from .jxrlib cimport *

from .. import _isolation
from .._errors import error_class

__all__ = ['JPEGXR', 'JpegxrError', 'jpegxr_version', 'jpegxr_check', 'jpegxr_encode', 'jpegxr_decode']


class JPEGXR:
    """JPEG XR constants."""

    available = True

    class PI(enum.IntEnum):
        """Photometric interpretations."""

        W0 = 0
        B0 = 1
        RGB = 2
        RGBPalette = 3
        TransparencyMask = 4
        CMYK = 5
        YCbCr = 6
        CIELab = 8
        NCH = 100
        RGBE = 101


JpegxrError = error_class('jpegxr')

cdef dict _ERRORS = {
    -1: 'WMP_errFail', -2: 'WMP_errNotYetImplemented', -3: 'WMP_errAbstractMethod',
    -101: 'WMP_errOutOfMemory', -102: 'WMP_errFileIO', -103: 'WMP_errBufferOverflow',
    -104: 'WMP_errInvalidParameter', -105: 'WMP_errInvalidArgument',
    -106: 'WMP_errUnsupportedFormat', -107: 'WMP_errIncorrectCodecVersion',
    -108: 'WMP_errIndexNotFound', -109: 'WMP_errOutOfSequence',
    -110: 'WMP_errNotInitialized', -111: 'WMP_errMustBeMultipleOf16LinesUntilLastCall',
    -112: 'WMP_errPlanarAlphaBandedEncRequiresTempFile',
    -113: 'WMP_errAlphaModeCannotBeTranscoded', -114: 'WMP_errIncorrectCodecSubVersion',
}


cdef str _error(str func, long err):
    return f'{func} returned {_ERRORS.get(err, err)}'


def jpegxr_version():
    """Return the jxrlib version string."""
    return 'jxrlib ' + NDCODECS_LIBRARY_VERSION.decode()


cdef extern from *:
    const char *NDCODECS_LIBRARY_VERSION


def jpegxr_check(data, /):
    """Return True if `data` starts with the JPEG XR (HD Photo) signature."""
    return bytes(data[:3]) == b'II\xbc'


cdef object _dtype(const ndc_jxr_format *f, bint fp2int):
    if f.itemsize == 0:
        return numpy.dtype(numpy.bool_)
    if f.kind == b'i':
        return numpy.dtype(('i' if fp2int else 'f') + ('4' if fp2int and f.itemsize == 4 else '2' if fp2int else '4'))
    return numpy.dtype(chr(f.kind) + str(f.itemsize))


def jpegxr_decode(data, /, *, fp2int=False, out=None, max_output=None):
    """Return a JPEG XR image as a numpy array.

    Gray images give (H, W) arrays, others (H, W, samples); padding samples
    are dropped and BGR is reordered to RGB. Fixed-point samples give
    float32, or the raw int16/int32 with `fp2int`. The image is limited to
    `max_output` bytes.
    """
    cdef Input src = read_input(data)
    cdef Py_ssize_t limit = output_limit(max_output) if out is None else 0x7FFFFFFFFFFFFFFF
    cdef const ndc_jxr_format *f
    cdef uint32_t width = 0, height = 0
    cdef int fmt = 0, detail = 0
    cdef long err
    cdef size_t stride
    cdef uint8_t *buf
    if src.size < 4 or src.data[0] != 0x49 or src.data[1] != 0x49 or src.data[2] != 0xBC:
        raise JpegxrError('not a JPEG XR stream')
    with nogil:
        err = ndc_jxr_info(src.data, <size_t>src.size, &width, &height, &fmt)
        f = ndc_jxr_format_at(fmt)
    if err != 0 or f == NULL:
        raise JpegxrError(_error('PKImageDecode_Initialize', err))
    dtype = _dtype(f, fp2int)
    w, h = int(width), int(height)
    nstride = (w + 7) // 8 if f.itemsize == 0 else w * f.stored * f.itemsize
    # jxrlib writes whole macroblocks of 16 rows, which the child's buffer holds
    if nstride * ((h + 15) // 16 * 16) > limit or w * h * f.samples * dtype.itemsize > limit:
        raise JpegxrError(f'image of {width}x{height} pixels exceeds max_output={limit} bytes')
    stride = nstride
    shape = (h, w) if f.samples == 1 else (h, w, int(f.samples))
    result = array_output(out, shape, dtype, JpegxrError, max_output)
    if f.itemsize > 0 and f.stored == f.samples and not f.bgr and f.kind != b'i':
        raw = result
    else:
        raw = numpy.empty(height * stride, numpy.uint8)
    buf = <uint8_t *><size_t>raw.ctypes.data
    helper = _isolation.acquire(__name__)
    if helper is not None:
        err = _decode_in_helper(helper, src, width, height, fmt, stride, buf)
    else:
        with nogil:
            err = ndc_jxr_decode(src.data, <size_t>src.size, width, height, fmt, buf, stride, &detail)
        exc = isolated_error(err, detail, 'jxrlib', JpegxrError)
        if exc is not None:
            raise exc
    if err != 0:
        raise JpegxrError(_error('PKImageDecode_Copy', err))
    if raw is result:
        return result
    if f.itemsize == 0:
        result[...] = numpy.unpackbits(raw.reshape(height, stride), axis=1, count=width).view(numpy.bool_)
        return result
    pixels = raw.view(('i' if f.kind == b'i' else chr(f.kind)) + str(f.itemsize)).reshape(height, width, f.stored)
    pixels = pixels[..., :f.samples]
    if f.bgr:
        pixels = pixels[..., [2, 1, 0] + list(range(3, f.samples))]
    if f.kind == b'i' and not fp2int:
        pixels = pixels * numpy.float32(1.0 / (1 << f.fraction))
    result[...] = pixels.reshape(shape)
    return result


cdef long _decode_in_helper(object helper, Input src, uint32_t width, uint32_t height, int fmt, size_t stride,
                            uint8_t *dst) except? -9999:
    """Decode in a helper process: return jxrlib's result, or raise."""
    cdef ndc_jxr_request request
    cdef int fd = helper.fd, status
    cdef size_t size = 0, expected = <size_t>height * stride
    # generous: jxrlib decodes tens of megabytes per second
    cdef unsigned seconds = 20 + <unsigned>(expected >> 22)
    cdef int timeout = <int>min(seconds * 1000, 0x7FFFFFFF)
    request.width = width
    request.height = height
    request.format = fmt
    request.stride = stride
    request.err = 0
    complete = False
    try:
        with nogil:
            status = ndc_message_send(fd, &request, sizeof(request), src.data, <size_t>src.size, timeout)
            if status == 0:
                status = ndc_message_head(fd, &request, sizeof(request), &size, timeout)
            if status == 0 and request.err == 0 and size == expected:
                status = ndc_message_body(fd, dst, size, timeout)
        if status != 0:
            raise _isolation.failed(helper, status == NDC_MESSAGE_TIMEOUT, 'jxrlib', seconds, JpegxrError)
        if size != (expected if request.err == 0 else 0):
            raise JpegxrError('the decoding process returned an inconsistent image')
        complete = True
        return request.err
    finally:
        _isolation.finish(helper, complete)


def serve_helper():
    """The loop of a helper process decoding JPEG XR."""
    with nogil:
        ndc_serve(0, sizeof(ndc_jxr_request), ndc_jxr_serve_request)


cdef int _format(arr, photometric, hasalpha) except -1:
    """Return the index of the pixel format that stores `arr`."""
    samples = 1 if arr.ndim == 2 else arr.shape[2]
    kind = arr.dtype.kind
    size = arr.dtype.itemsize
    if isinstance(photometric, str):
        names = {k.upper(): v for k, v in JPEGXR.PI.__members__.items()}
        if photometric.upper() not in names:
            raise ValueError(f'invalid photometric {photometric!r}')
        photometric = names[photometric.upper()]
    elif photometric is not None:
        photometric = JPEGXR.PI(photometric)
    alpha = (samples == 4 and photometric != JPEGXR.PI.CMYK) if hasalpha is None else bool(hasalpha)
    name = None
    if kind == 'b':
        if samples == 1:
            name = 'BlackWhite'
    elif samples == 1:
        name = {('u', 1): '8bppGray', ('u', 2): '16bppGray', ('f', 2): '16bppGrayHalf', ('f', 4): '32bppGrayFloat'}.get((kind, size))
    elif photometric in (None, JPEGXR.PI.RGB) and samples in (3, 4) and samples - alpha == 3:
        name = {
            ('u', 1, 3): '24bppRGB', ('u', 1, 4): '32bppRGBA',
            ('u', 2, 3): '48bppRGB', ('u', 2, 4): '64bppRGBA',
            ('f', 2, 3): '48bppRGBHalf', ('f', 2, 4): '64bppRGBAHalf',
            ('f', 4, 3): '96bppRGBFloat', ('f', 4, 4): '128bppRGBAFloat',
        }.get((kind, size, samples))
    elif photometric == JPEGXR.PI.CMYK and kind == 'u' and samples - alpha == 4:
        name = f'{(samples * size * 8)}bppCMYK' + ('Alpha' if alpha else '')
    elif kind == 'u' and size in (1, 2) and 3 <= samples - alpha <= 8:
        name = f'{samples * size * 8}bpp{samples - alpha}Channels' + ('Alpha' if alpha else '')
    cdef int index = -1
    cdef bytes cname
    cdef const char *pname
    if name is not None:
        cname = name.encode()
        pname = cname
        with nogil:
            index = ndc_jxr_format_find(pname)
    if index < 0:
        raise ValueError(f'JPEG XR does not store {samples} samples of {arr.dtype}' + (' with alpha' if alpha else ''))
    return index


def jpegxr_encode(data, /, level=None, *, photometric=None, hasalpha=None, resolution=None, out=None):
    """Return an image array encoded as JPEG XR.

    `level` is the quality: 0 < level < 1, or 1 < level < 100 as a
    percentage, is lossy; None, 0, 1, 100 and beyond are lossless.
    `photometric` is a JPEGXR.PI: CMYK for 4 or 5 samples, else RGB or
    n-channel. `hasalpha` makes the last sample alpha (default: True for 4
    samples unless CMYK). `resolution` is (x, y) in dots per inch.
    """
    arr = as_array(data)
    if arr.ndim not in (2, 3) or min(arr.shape) < 1 or max(arr.shape[:2]) > 0x7FFFFFFF:
        raise ValueError(f'invalid image shape {arr.shape}')
    if arr.dtype.kind not in 'buf':
        raise ValueError(f'JPEG XR does not store {arr.dtype} samples')
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder('='))
    cdef int fmt = _format(arr, photometric, hasalpha)
    cdef double quality = 1.0 if level is None else float(level)
    cdef float resx = 96.0, resy = 96.0
    cdef uint32_t height = arr.shape[0], width = arr.shape[1]
    cdef size_t stride, used = 0
    cdef long err
    cdef Input src
    cdef Output dst
    if quality > 1.0:
        quality /= 100.0
    if resolution is not None:
        resx, resy = resolution
    if arr.dtype.kind == 'b':
        arr = numpy.packbits(arr, axis=1)
    arr = numpy.ascontiguousarray(arr)
    if height % 16:
        # jxrlib reads whole macroblock rows of 16 lines
        padded = numpy.zeros(((height + 15) // 16 * 16,) + arr.shape[1:], arr.dtype)
        padded[:height] = arr
        arr = padded
    stride = arr.strides[0]
    src = read_input(arr)
    # lossless noise takes up to about three times its raw size
    bound = src.size * 2 + 65536
    while True:
        dst = encode_output(out, bound, JpegxrError)
        with nogil:
            err = ndc_jxr_encode(src.data, width, height, stride, fmt, quality, resx, resy, dst.data, <size_t>dst.size, &used)
        if err != -103 or out not in (None, bytes, bytearray):
            break
        bound *= 2
    if err != 0:
        raise JpegxrError(_error('PKImageEncode_WritePixels', err))
    return dst.finish(<Py_ssize_t>used)

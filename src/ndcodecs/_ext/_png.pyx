# cython: language_level=3, boundscheck=False, wraparound=False
"""PNG codec through libspng.

Images are numpy arrays: (H, W) gray, (H, W, 2) gray with alpha,
(H, W, 3) RGB or (H, W, 4) RGBA, of uint8 or uint16 in native byte order.
"""

import enum

import numpy

from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF, Py_XDECREF
from libc.stdint cimport uint8_t, uint32_t
from libc.string cimport memcmp, memcpy

from ._shared cimport array_output, Input, Output, read_input, encode_output, decode_output, output_limit, level_arg
from .spng cimport *

from .._errors import error_class

__all__ = ['PNG', 'PngError', 'png_version', 'png_check', 'png_encode', 'png_decode']


class PNG:
    """PNG constants."""

    available = True

    class COLOR_TYPE(enum.IntEnum):
        """PNG color types of encoded images."""

        GRAY = 0
        GRAY_ALPHA = 4
        RGB = 2
        RGB_ALPHA = 6

    class COMPRESSION(enum.IntEnum):
        """Deflate levels."""

        DEFAULT = -1
        NO = 0
        BEST = 9
        SPEED = 1

    class FILTER(enum.IntEnum):
        """Row filters the encoder may choose from, or'ed together."""

        NO = 0
        NONE = 8
        SUB = 16
        UP = 32
        AVG = 64
        PAETH = 128
        FAST = 56  # NONE | SUB | UP
        ALL = 248

    class STRATEGY(enum.IntEnum):
        """Deflate strategies."""

        DEFAULT = 0
        FILTERED = 1
        HUFFMAN_ONLY = 2
        RLE = 3
        FIXED = 4


PngError = error_class('png')

cdef bytes _SIGNATURE = b'\x89PNG\r\n\x1a\n'

# Metadata chunks (text, ICC profiles) are cached by libspng; cap them
# here, independent of the image size (which max_output caps).
cdef size_t _CHUNK_CACHE_LIMIT = 64 << 20


def png_version():
    """Return the libspng version string."""
    return 'libspng ' + spng_version_string().decode()


def png_check(data, /):
    """Return True if `data` starts with the PNG signature."""
    return bytes(data[:8]) == _SIGNATURE


cdef extern from 'zlib.h' nogil:
    unsigned long crc32(unsigned long crc, const uint8_t *buf, unsigned int len)


cdef inline uint32_t _crc32(const uint8_t *data, size_t size) noexcept nogil:
    """Return the CRC-32 of a PNG chunk (chunks are under 2**31 bytes)."""
    return <uint32_t>crc32(0, data, <unsigned int>size)


cdef inline void _put_be32(uint8_t *p, uint32_t value) noexcept nogil:
    p[0] = value >> 24
    p[1] = (value >> 16) & 0xFF
    p[2] = (value >> 8) & 0xFF
    p[3] = value & 0xFF


cdef void _shrink_zlib_window(uint8_t *png, size_t size, size_t raw) noexcept nogil:
    """Make the zlib header of a small image claim the smallest window that
    holds its `raw` filtered bytes, as libpng writes it, so that our PNGs
    match libpng's byte for byte; the deflate data is unchanged."""
    cdef size_t length
    cdef unsigned cinfo = 7, half = 1 << 14
    cdef uint8_t cmf, flg
    if raw > 16384 or size < 33 + 14 or memcmp(png + 37, b'IDAT', 4) != 0:
        return
    length = _be32(png + 33)
    if length < 2 or length > size - 33 - 12:
        return
    while cinfo > 0 and raw <= half:
        cinfo -= 1
        half >>= 1
    cmf = png[41]
    if (cmf & 0x0F) != 8 or (cmf >> 4) <= cinfo:
        return
    cmf = <uint8_t>((cinfo << 4) | 8)
    flg = png[42] & 0xE0
    flg = flg + <uint8_t>((31 - (cmf * 256 + flg) % 31) % 31)
    png[41] = cmf
    png[42] = flg
    _put_be32(png + 41 + length, _crc32(png + 37, length + 4))


cdef inline uint32_t _be32(const uint8_t *p) noexcept nogil:
    return (<uint32_t>p[0] << 24) | (<uint32_t>p[1] << 16) | (<uint32_t>p[2] << 8) | p[3]


cdef bint _last_idat_intact(const uint8_t *data, size_t size) noexcept nogil:
    """Return True if the last chunk of the first IDAT run is complete and
    its CRC matches. Only called when reading past the image failed: libspng
    does not check that CRC until it reads on, and libpng checks it but
    ignores what follows, so a PNG lacking (part of) its IEND decodes."""
    cdef size_t pos = 8, last = 0, length
    while size - pos >= 8:
        length = _be32(data + pos)
        if memcmp(data + pos + 4, b'IDAT', 4) == 0:
            last = pos
        elif last:
            break
        if length > size - pos - 8:
            break
        pos += 8 + length
        if size - pos < 4:
            break
        pos += 4
    if not last:
        return False
    length = _be32(data + last)
    if length > size - last - 8 or size - last - 8 - length < 4:
        return False
    return _crc32(data + last + 4, length + 4) == _be32(data + last + 8 + length)


cdef str _error(const char *func, int ret):
    return f'{func.decode()} returned {spng_strerror(ret).decode()}'


cdef struct _Sink:
    # where the encoder's write callback puts the PNG: an Output's buffer
    uint8_t *data
    size_t size
    size_t pos
    PyObject *output  # borrowed Output
    PyObject *error  # owned exception raised while growing, or NULL


cdef int _sink_grow(_Sink *sink, size_t minsize) noexcept with gil:
    cdef Output dst = <Output>sink.output
    try:
        dst.grow(<Py_ssize_t>minsize)
    except BaseException as exc:
        Py_INCREF(exc)
        sink.error = <PyObject *>exc
        return -1
    sink.data = dst.data
    sink.size = <size_t>dst.size
    return 0


cdef int _sink_write(spng_ctx *ctx, void *user, void *src, size_t length) noexcept nogil:
    cdef _Sink *sink = <_Sink *>user
    if length > sink.size - sink.pos:
        if _sink_grow(sink, sink.pos + length) != 0:
            return SPNG_IO_ERROR
    memcpy(sink.data + sink.pos, src, length)
    sink.pos += length
    return 0


cdef object _image_array(object data):
    """Return `data` as a C-contiguous uint8 or uint16 image array."""
    if isinstance(data, numpy.ndarray):
        arr = data
    elif isinstance(data, str) or data is None:
        raise TypeError(f'expected an image array, not {type(data).__name__}')
    else:
        try:
            arr = numpy.asarray(memoryview(data))  # keeps a buffer's shape
        except TypeError:
            arr = numpy.asarray(data)  # e.g. nested lists
    if arr.ndim not in (2, 3):
        raise ValueError(f'expected a 2-D or 3-D image array, not {arr.ndim}-D')
    if arr.ndim == 3 and not 1 <= arr.shape[2] <= 4:
        raise ValueError(f'expected 1 to 4 samples per pixel, not {arr.shape[2]}')
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f'invalid image shape {arr.shape}')
    if arr.shape[0] > 0x7FFFFFFF or arr.shape[1] > 0x7FFFFFFF:
        raise ValueError(f'image shape {arr.shape} exceeds the PNG limit of 2**31-1')
    if arr.dtype.kind != 'u' or arr.dtype.itemsize not in (1, 2):
        raise ValueError(f'expected uint8 or uint16 samples, not {arr.dtype}')
    if arr.dtype.itemsize == 2 and arr.dtype.byteorder == '<' and not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder('='))  # big-endian host
    elif not arr.flags.c_contiguous:
        arr = numpy.ascontiguousarray(arr)
    return arr


def png_encode(data, /, level=None, *, strategy=None, filter=None, out=None):
    """Return an image array encoded as PNG.

    `data` is a uint8 or uint16 array of shape (H, W), (H, W, 1) gray,
    (H, W, 2) gray with alpha, (H, W, 3) RGB or (H, W, 4) RGBA.
    `level` is the deflate level, -1 (default: 6) to 9. `strategy` is a
    PNG.STRATEGY (default: DEFAULT). `filter` is PNG.FILTER flags or'ed
    together (default: ALL, the encoder picks the best for each row);
    bits other than the flags are ignored.
    """
    arr = _image_array(data)
    cdef Input src = read_input(arr)
    cdef int clevel = level_arg(level, -1, -1, 9)
    cdef int cstrategy = level_arg(strategy, 0, 0, 4)
    cdef int cfilter = level_arg(filter, SPNG_FILTER_CHOICE_ALL, -1, 0x7FFFFFFF)
    cdef spng_ihdr ihdr
    cdef int fmt = SPNG_FMT_PNG
    cdef int channels = 1 if arr.ndim == 2 else arr.shape[2]
    cdef int itemsize = arr.dtype.itemsize
    cdef Py_ssize_t raw, zbound, bound, window
    cdef int wbits = 15
    cdef Output dst
    cdef _Sink sink
    cdef spng_ctx *ctx
    cdef const char *func = b'spng_ctx_new'
    cdef int ret = 0

    if cfilter < 0:
        cfilter = SPNG_FILTER_CHOICE_ALL
    cfilter &= SPNG_FILTER_CHOICE_ALL
    cdef int chosen = cfilter
    # as libpng: no filter that looks at the previous row for a single row,
    # none that looks at the previous pixel for a single column
    if arr.shape[0] == 1:
        cfilter &= ~(SPNG_FILTER_CHOICE_UP | SPNG_FILTER_CHOICE_AVG | SPNG_FILTER_CHOICE_PAETH)
    if arr.shape[1] == 1:
        cfilter &= ~(SPNG_FILTER_CHOICE_SUB | SPNG_FILTER_CHOICE_AVG | SPNG_FILTER_CHOICE_PAETH)
    if cfilter == 0 and chosen != 0:
        cfilter = SPNG_FILTER_CHOICE_NONE
    if itemsize == 2 and arr.dtype.byteorder == '>':
        fmt = SPNG_FMT_RAW  # big-endian samples, as stored in PNG

    ihdr.width = <uint32_t>arr.shape[1]
    ihdr.height = <uint32_t>arr.shape[0]
    ihdr.bit_depth = 8 * itemsize
    ihdr.color_type = (
        SPNG_COLOR_TYPE_GRAYSCALE, SPNG_COLOR_TYPE_GRAYSCALE_ALPHA,
        SPNG_COLOR_TYPE_TRUECOLOR, SPNG_COLOR_TYPE_TRUECOLOR_ALPHA,
    )[channels - 1]
    ihdr.compression_method = 0
    ihdr.filter_method = 0
    ihdr.interlace_method = SPNG_INTERLACE_NONE

    # A bound on the PNG size, so that the output never grows: the filtered
    # rows, deflate's worst case, 8 KiB IDAT chunks, signature, IHDR, IEND.
    raw = <Py_ssize_t>ihdr.height * (<Py_ssize_t>ihdr.width * channels * itemsize + 1)
    zbound = raw + (raw >> 3) + (raw >> 6) + 64
    # A window just larger than small images makes deflate's set-up cheaper
    # without changing its output (libpng does the same).
    window = 1 << 14
    while wbits > 9 and raw + 262 <= window:
        window >>= 1
        wbits -= 1
    bound = 8 + 25 + zbound + 12 * (zbound // 8192 + 1) + 12
    dst = encode_output(out, bound, PngError)
    sink.data = dst.data
    sink.size = <size_t>dst.size
    sink.pos = 0
    sink.output = <PyObject *>dst
    sink.error = NULL

    with nogil:
        ctx = spng_ctx_new(SPNG_CTX_ENCODER)
        if ctx != NULL:
            func = b'spng_set_option'
            ret = spng_set_option(ctx, SPNG_IMG_COMPRESSION_LEVEL, clevel)
            if ret == 0:
                ret = spng_set_option(ctx, SPNG_IMG_COMPRESSION_STRATEGY, cstrategy)
            if ret == 0:
                ret = spng_set_option(ctx, SPNG_FILTER_CHOICE, cfilter)
            if ret == 0:
                ret = spng_set_option(ctx, SPNG_IMG_WINDOW_BITS, wbits)
            if ret == 0:
                func = b'spng_set_png_stream'
                ret = spng_set_png_stream(ctx, _sink_write, &sink)
            if ret == 0:
                func = b'spng_set_ihdr'
                ret = spng_set_ihdr(ctx, &ihdr)
            if ret == 0:
                func = b'spng_encode_image'
                ret = spng_encode_image(ctx, src.data, <size_t>src.size, fmt, SPNG_ENCODE_FINALIZE)
            spng_ctx_free(ctx)
    if ctx == NULL:
        raise MemoryError('spng_ctx_new failed')
    if sink.error != NULL:
        exc = <object>sink.error
        Py_XDECREF(sink.error)
        raise exc
    if ret != 0:
        raise PngError(_error(func, ret))
    _shrink_zlib_window(sink.data, sink.pos, <size_t>raw)
    return dst.finish(<Py_ssize_t>sink.pos)


def png_decode(data, /, *, out=None, max_output=None):
    """Return a PNG image as a numpy array.

    Gray images give (H, W) arrays, gray with alpha (H, W, 2), RGB (H, W, 3),
    RGBA (H, W, 4); palette images are expanded to RGB, or RGBA if they have
    a tRNS chunk, which also adds alpha to gray and RGB images. 16-bit images
    give uint16 in native byte order, all others uint8; gray images of 1, 2
    or 4 bits are scaled to 0..255. The image is limited to `max_output`
    bytes (default: ndcodecs.get_max_output()).
    """
    cdef Input src = read_input(data)
    # the cap on the image: max_output, or the out= buffer checked later
    cdef Py_ssize_t limit = output_limit(max_output) if out is None else 0x7FFFFFFFFFFFFFFF
    cdef uint32_t dimlimit = <uint32_t>min(max(limit, 1), 0x7FFFFFFF)
    cdef size_t cachelimit = min(max(<size_t>limit, <size_t>(1 << 20)), _CHUNK_CACHE_LIMIT)
    cdef spng_ctx *ctx
    cdef spng_ihdr ihdr
    cdef spng_trns trns
    cdef const char *func = b'spng_ctx_new'
    cdef int ret = 0, has_trns = 0, fmt = SPNG_FMT_PNG, flags = 0, channels
    cdef size_t size = 0
    cdef bint tail_bad = False
    cdef Output dst
    if src.size == 0:
        raise PngError('no PNG signature in empty input')

    with nogil:
        ctx = spng_ctx_new(0)
    if ctx == NULL:
        raise MemoryError('spng_ctx_new failed')
    try:
        with nogil:
            func = b'spng_set_image_limits'
            ret = spng_set_image_limits(ctx, dimlimit, dimlimit)
            if ret == 0:
                func = b'spng_set_chunk_limits'
                ret = spng_set_chunk_limits(ctx, cachelimit, cachelimit)
            if ret == 0:
                func = b'spng_set_png_buffer'
                ret = spng_set_png_buffer(ctx, src.data, <size_t>src.size)
            if ret == 0:
                func = b'spng_get_ihdr'
                ret = spng_get_ihdr(ctx, &ihdr)
            if ret == 0:
                func = b'spng_get_trns'  # reads all chunks before the image
                ret = spng_get_trns(ctx, &trns)
                if ret == 0:
                    has_trns = 1
                elif ret == SPNG_ECHUNKAVAIL:
                    ret = 0
        if ret == SPNG_EUSER_WIDTH or ret == SPNG_EUSER_HEIGHT:
            raise PngError(f'{_error(func, ret)}: image exceeds max_output={limit} bytes')
        if ret != 0:
            raise PngError(_error(func, ret))

        color_type = ihdr.color_type
        if color_type == SPNG_COLOR_TYPE_GRAYSCALE:
            if has_trns:
                fmt = SPNG_FMT_GA16 if ihdr.bit_depth == 16 else SPNG_FMT_GA8
                channels = 2
            else:
                fmt = SPNG_FMT_G8 if ihdr.bit_depth < 8 else SPNG_FMT_PNG
                channels = 1
        elif color_type == SPNG_COLOR_TYPE_TRUECOLOR:
            if has_trns:
                fmt = SPNG_FMT_RGBA16 if ihdr.bit_depth == 16 else SPNG_FMT_RGBA8
                channels = 4
            else:
                channels = 3
        elif color_type == SPNG_COLOR_TYPE_INDEXED:
            fmt = SPNG_FMT_RGBA8 if has_trns else SPNG_FMT_RGB8
            channels = 4 if has_trns else 3
        elif color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA:
            channels = 2
        else:
            channels = 4
        if has_trns:
            flags = SPNG_DECODE_TRNS
        dtype = numpy.dtype(numpy.uint16 if ihdr.bit_depth == 16 else numpy.uint8)
        if channels == 1:
            shape = (<Py_ssize_t>ihdr.height, <Py_ssize_t>ihdr.width)
        else:
            shape = (<Py_ssize_t>ihdr.height, <Py_ssize_t>ihdr.width, channels)

        with nogil:
            ret = spng_decoded_image_size(ctx, fmt, &size)
        if ret != 0:
            raise PngError(_error(b'spng_decoded_image_size', ret))
        if size != <size_t>ihdr.height * ihdr.width * channels * dtype.itemsize:
            raise PngError(f'spng_decoded_image_size returned {size} bytes for {shape} {dtype}')

        result = array_output(out, shape, dtype, PngError, max_output)
        dst = decode_output(result, <Py_ssize_t>size, PngError, True, None)
        with nogil:
            ret = spng_decode_image(ctx, dst.data, size, fmt, flags)
            # check the CRC of the last IDAT chunk, as libpng does
            if ret == 0 and spng_decode_chunks(ctx) != 0:
                tail_bad = not _last_idat_intact(src.data, <size_t>src.size)
        if tail_bad:
            raise PngError('the last IDAT chunk is truncated or fails its CRC check')
        if ret != 0:
            raise PngError(_error(b'spng_decode_image', ret))
    finally:
        spng_ctx_free(ctx)
    return result

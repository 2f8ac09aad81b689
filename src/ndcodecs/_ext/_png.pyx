# cython: language_level=3, boundscheck=False, wraparound=False
"""PNG and APNG codecs.

8 and 16-bit gray, gray+alpha, RGB and RGBA images without interlacing
are filtered, deflated and inflated by our own C (c/pngcodec.c) over
libdeflate, which is much faster than libpng over zlib; libspng decodes
everything else (interlacing, 1, 2 and 4-bit samples, palettes, tRNS).

Images are numpy arrays: (H, W) gray, (H, W, 2) gray with alpha,
(H, W, 3) RGB or (H, W, 4) RGBA, of uint8 or uint16 in native byte order;
animations have a leading frame axis.

The decoders check the CRCs of IHDR, IDAT and the APNG chunks, and ignore
those of ancillary chunks they do not use (as libpng and libspng do).
"""

import enum
import operator

import numpy

from libc.stdint cimport uint8_t, uint32_t
from libc.string cimport memcmp, memcpy, memmove, memset

from ._shared cimport as_array, array_output, Input, Output, read_input, encode_output, decode_output, output_limit, level_arg, ssize_t
from .spng cimport *

from .._errors import error_class

__all__ = [
    'PNG', 'PngError', 'png_version', 'png_check', 'png_encode', 'png_decode',
    'APNG', 'ApngError', 'apng_version', 'apng_check', 'apng_encode', 'apng_decode',
]


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
        """Deflate strategies: DEFAULT deflates with libdeflate, the others
        with zlib and that strategy."""

        DEFAULT = 0
        FILTERED = 1
        HUFFMAN_ONLY = 2
        RLE = 3
        FIXED = 4


class APNG:
    """APNG constants."""

    available = True

    COLOR_TYPE = PNG.COLOR_TYPE
    COMPRESSION = PNG.COMPRESSION
    FILTER = PNG.FILTER
    STRATEGY = PNG.STRATEGY

    class DISPOSE_OP(enum.IntEnum):
        """What becomes of a frame's region before the next frame."""

        NONE = 0
        BACKGROUND = 1
        PREVIOUS = 2

    class BLEND_OP(enum.IntEnum):
        """How a frame is drawn onto the canvas."""

        SOURCE = 0
        OVER = 1


PngError = error_class('png')
ApngError = error_class('apng')

cdef bytes _SIGNATURE = b'\x89PNG\r\n\x1a\n'

# Metadata chunks (text, ICC profiles) are cached by libspng; cap them
# here, independent of the image size (which max_output caps).
cdef size_t _CHUNK_CACHE_LIMIT = 64 << 20

# The largest IDAT chunk written; longer image data is split.
cdef size_t _IDAT_MAX = 1 << 30


def png_version():
    """Return the versions of the libraries used."""
    return f'libspng {spng_version_string().decode()}, libdeflate {LIBDEFLATE_VERSION_STRING.decode()}'


def png_check(data, /):
    """Return True if `data` starts with the PNG signature."""
    return bytes(data[:8]) == _SIGNATURE


def apng_version():
    """Return the versions of the libraries used."""
    return png_version()


def apng_check(data, /):
    """Return True if `data` is a PNG with an acTL chunk before its image
    data, among the chunks in `data` (a file's first bytes suffice)."""
    cdef Input src = read_input(data)
    cdef ndc_png_info info
    cdef const char *msg
    cdef size_t size = min(<size_t>src.size, 1 << 16)
    with nogil:
        ndc_png_read_info(src.data, size, &info, &msg)
    return bool(info.has_actl)


cdef inline void _put_be32(uint8_t *p, uint32_t value) noexcept nogil:
    p[0] = value >> 24
    p[1] = (value >> 16) & 0xFF
    p[2] = (value >> 8) & 0xFF
    p[3] = value & 0xFF


cdef inline uint32_t _be32(const uint8_t *p) noexcept nogil:
    return (<uint32_t>p[0] << 24) | (<uint32_t>p[1] << 16) | (<uint32_t>p[2] << 8) | p[3]


cdef inline size_t _put_chunk(uint8_t *p, const char *ctype, const uint8_t *data, uint32_t length) noexcept nogil:
    """Write a chunk at `p` (data may already be in place); return its size."""
    _put_be32(p, length)
    memcpy(p + 4, ctype, 4)
    if data != NULL and data != p + 8:
        memcpy(p + 8, data, length)
    _put_be32(p + 8 + length, ndc_png_crc(p + 4, length + 4))
    return 12 + <size_t>length


cdef inline void _put_be16(uint8_t *p, uint32_t value) noexcept nogil:
    p[0] = (value >> 8) & 0xFF
    p[1] = value & 0xFF


cdef object _image_array(object data):
    """Return `data` as a C-contiguous uint8 or uint16 image array."""
    arr = as_array(data)
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
    if not arr.flags.c_contiguous:
        arr = numpy.ascontiguousarray(arr)
    return arr


cdef struct _Layout:
    # an image to encode: its rows and how to filter them
    uint32_t width
    uint32_t height
    unsigned bpp
    size_t rowbytes
    bint swap16  # 16-bit samples in little-endian order
    unsigned filters
    uint8_t ihdr[13]


cdef _Layout _layout(object arr, object filter, int level) except *:
    """Return how to encode the image array `arr` with the `filter` flags
    at deflate `level`."""
    cdef _Layout lay
    cdef int channels = 1 if arr.ndim == 2 else arr.shape[2]
    cdef int itemsize = arr.dtype.itemsize
    cdef int chosen = level_arg(filter, -1, -1, 0x7FFFFFFF)
    cdef int cfilter
    if chosen < 0:
        chosen = _default_filter(level)
    cfilter = chosen & PNG.FILTER.ALL
    lay.width = <uint32_t>arr.shape[1]
    lay.height = <uint32_t>arr.shape[0]
    # as libpng: no filter that looks at the previous row for a single row,
    # none that looks at the previous pixel for a single column
    if lay.height == 1:
        cfilter &= ~(PNG.FILTER.UP | PNG.FILTER.AVG | PNG.FILTER.PAETH)
    if lay.width == 1:
        cfilter &= ~(PNG.FILTER.SUB | PNG.FILTER.AVG | PNG.FILTER.PAETH)
    if cfilter == 0:
        cfilter = PNG.FILTER.NONE
    lay.filters = cfilter
    lay.bpp = channels * itemsize
    lay.rowbytes = <size_t>lay.width * lay.bpp
    lay.swap16 = itemsize == 2 and (
        arr.dtype.byteorder == '<' or (arr.dtype.byteorder == '=' and _LITTLE_ENDIAN)
    )
    _put_be32(lay.ihdr, lay.width)
    _put_be32(lay.ihdr + 4, lay.height)
    lay.ihdr[8] = 8 * itemsize
    lay.ihdr[9] = (0, 4, 2, 6)[channels - 1]
    lay.ihdr[10] = lay.ihdr[11] = lay.ihdr[12] = 0
    return lay


cdef int _default_filter(int level):
    """Return the filters tried for each row by default at `level`: FAST.
    Trying Avg and Paeth too (ALL, libpng's default) costs time in encoding
    and decoding and made our sample photos larger, not smaller."""
    return PNG.FILTER.NONE if level == 0 else PNG.FILTER.FAST


cdef bint _LITTLE_ENDIAN = numpy.little_endian


cdef int _deflate_error(ssize_t ret, Output dst, object error) except -1:
    if ret == NDC_ERR_MEMORY:
        raise MemoryError('ndc_png_deflate_image failed to allocate memory')
    raise error(f'ndc_png_deflate_image returned NDC_ERR_OUTPUT: output too small ({dst.size} bytes)')


def png_encode(data, /, level=None, *, strategy=None, filter=None, out=None):
    """Return an image array encoded as PNG.

    `data` is a uint8 or uint16 array of shape (H, W), (H, W, 1) gray,
    (H, W, 2) gray with alpha, (H, W, 3) RGB or (H, W, 4) RGBA.
    `level` is the deflate level, -1 (default: 6) to 9. `strategy` is a
    PNG.STRATEGY: DEFAULT (default) deflates with libdeflate, the others
    with zlib and that strategy. `filter` is PNG.FILTER flags or'ed
    together: each row gets the cheapest of them, as libpng chooses
    (default: FAST, NONE at level 0); bits other than the flags are
    ignored.
    """
    arr = _image_array(data)
    cdef int clevel = level_arg(level, -1, -1, 9)
    cdef _Layout lay = _layout(arr, filter, clevel)
    cdef Input src = read_input(arr)
    cdef int cstrategy = level_arg(strategy, 0, 0, 4)
    cdef size_t raw = <size_t>lay.height * (lay.rowbytes + 1)
    cdef size_t zbound, bound, pos, start, length, k, nchunks
    cdef ssize_t zsize = NDC_ERR_OUTPUT
    cdef Output dst
    with nogil:
        zbound = ndc_png_zlib_bound(raw, clevel, cstrategy)
    bound = 33 + zbound + 12 * (zbound // _IDAT_MAX + 1) + 12
    dst = encode_output(out, <Py_ssize_t>bound, PngError)
    with nogil:
        if <size_t>dst.size >= 33 + 12 + 12 + 8:
            memcpy(dst.data, b'\x89PNG\r\n\x1a\n', 8)
            _put_chunk(dst.data + 8, b'IHDR', lay.ihdr, 13)
            zsize = ndc_png_deflate_image(
                src.data, lay.height, lay.rowbytes, lay.bpp, lay.swap16, clevel,
                cstrategy, lay.filters, dst.data + 41, <size_t>dst.size - 41 - 16
            )
        if zsize > 0:
            nchunks = (<size_t>zsize + _IDAT_MAX - 1) // _IDAT_MAX
            if 33 + <size_t>zsize + 12 * nchunks + 12 > <size_t>dst.size:
                zsize = NDC_ERR_OUTPUT
    if zsize <= 0:
        _deflate_error(zsize, dst, PngError)
    with nogil:
        # split data longer than _IDAT_MAX into chunks, the last first
        k = nchunks
        while k > 0:
            k -= 1
            start = k * _IDAT_MAX
            length = min(_IDAT_MAX, <size_t>zsize - start)
            pos = 33 + k * (_IDAT_MAX + 12)
            if pos + 8 != 41 + start:
                memmove(dst.data + pos + 8, dst.data + 41 + start, length)
            _put_chunk(dst.data + pos, b'IDAT', NULL, <uint32_t>length)
        pos = 33 + <size_t>zsize + 12 * nchunks
        pos += _put_chunk(dst.data + pos, b'IEND', NULL, 0)
    return dst.finish(<Py_ssize_t>pos)


cdef tuple _frames(object data, object photometric):
    """Return the frames of `data` as a list of image arrays, as imagecodecs
    reads them: 3-D data is one image with samples unless `photometric` is
    'minisblack' or the last axis is too long for samples."""
    data = as_array(data)
    if photometric is None:
        gray = False
    elif isinstance(photometric, str) and photometric.lower() in ('minisblack', 'gray', 'grey'):
        gray = True
    elif (isinstance(photometric, str) and photometric.lower() == 'rgb') or photometric == 2:
        gray = False
    else:
        raise ValueError(f'photometric={photometric!r} not supported')
    if data.ndim == 2:
        frames = [data]
    elif data.ndim == 3:
        frames = list(data) if gray or not 1 <= data.shape[2] <= 4 else [data]
    elif data.ndim == 4:
        frames = list(data)
    else:
        raise ValueError(f'expected a 2-D to 4-D image array, not {data.ndim}-D')
    if not frames:
        raise ValueError('no frames')
    return tuple(_image_array(f) for f in frames)


def apng_encode(data, /, level=None, *, strategy=None, filter=None, photometric=None, delay=None, out=None):
    """Return an image array, or a sequence of frames, encoded as APNG.

    `data` is one image as for png_encode or frames along a leading axis
    (see `photometric`, 'minisblack' or 'rgb', for 3-D data). `delay` is the
    display time of each frame in milliseconds, one for all or one per
    frame (default: 1000). `level`, `strategy` and `filter` are as for
    png_encode. Frames are stored whole (no cropping, dispose NONE, blend
    SOURCE) and loop forever.
    """
    frames = _frames(data, photometric)
    first = frames[0]
    for f in frames:
        if f.shape != first.shape or f.dtype != first.dtype:
            raise ValueError('all frames must have the same shape and dtype')
    cdef Py_ssize_t n = len(frames)
    if n > 0x7FFFFFFF // 2:
        raise ValueError('too many frames')
    if delay is None:
        delays = [1000] * n
    elif isinstance(delay, (int, numpy.integer, float)):
        delays = [int(delay)] * n
    else:
        delays = [int(d) for d in delay]
        if len(delays) != n:
            raise ValueError(f'expected {n} delays, not {len(delays)}')
    for d in delays:
        if not 0 <= d <= 65535:
            raise ValueError(f'delay must be 0 to 65535 ms, not {d}')
    cdef int clevel = level_arg(level, -1, -1, 9)
    cdef _Layout lay = _layout(first, filter, clevel)
    cdef int cstrategy = level_arg(strategy, 0, 0, 4)
    cdef size_t raw = <size_t>lay.height * (lay.rowbytes + 1)
    cdef size_t zbound, pos, datapos
    cdef ssize_t zsize = 0
    cdef uint32_t seq = 0
    cdef uint8_t fctl[26]
    cdef Input src
    cdef Output dst
    with nogil:
        zbound = ndc_png_zlib_bound(raw, clevel, cstrategy)
    # room for the first frame; grown for the others as needed
    dst = encode_output(out, <Py_ssize_t>(33 + 20 + zbound + 38 + 16 + 12), ApngError)
    if dst.size < 33 + 20:
        raise ApngError(f'output too small ({dst.size} bytes)')
    _put_be32(fctl, <uint32_t>n)
    _put_be32(fctl + 4, 0)
    with nogil:
        memcpy(dst.data, b'\x89PNG\r\n\x1a\n', 8)
        _put_chunk(dst.data + 8, b'IHDR', lay.ihdr, 13)
        pos = 33 + _put_chunk(dst.data + 33, b'acTL', fctl, 8)
    memcpy(fctl + 4, lay.ihdr, 8)  # width, height
    memset(fctl + 12, 0, 8)  # offsets
    _put_be16(fctl + 22, 1000)
    fctl[24] = fctl[25] = 0
    for i in range(n):
        src = read_input(frames[i])
        _put_be32(fctl, seq)
        _put_be16(fctl + 20, delays[i])
        datapos = pos + 38 + (8 if i == 0 else 12)
        if datapos + zbound + 16 > <size_t>dst.size and not dst.fixed:
            dst.grow(<Py_ssize_t>(datapos + zbound + 16))
        if datapos + 16 > <size_t>dst.size:
            _deflate_error(NDC_ERR_OUTPUT, dst, ApngError)
        with nogil:
            pos += _put_chunk(dst.data + pos, b'fcTL', fctl, 26)
            seq += 1
            zsize = ndc_png_deflate_image(
                src.data, lay.height, lay.rowbytes, lay.bpp, lay.swap16, clevel,
                cstrategy, lay.filters, dst.data + datapos, <size_t>dst.size - datapos - 16
            )
        if zsize <= 0:
            _deflate_error(zsize, dst, ApngError)
        if zsize > 0x7FFFFFFF - 4:
            raise ApngError(f'frame {i} compresses to more than 2**31 bytes')
        with nogil:
            if i == 0:
                pos += _put_chunk(dst.data + pos, b'IDAT', NULL, <uint32_t>zsize)
            else:
                _put_be32(dst.data + pos + 8, seq)
                seq += 1
                pos += _put_chunk(dst.data + pos, b'fdAT', NULL, <uint32_t>zsize + 4)
    with nogil:
        pos += _put_chunk(dst.data + pos, b'IEND', NULL, 0)
    return dst.finish(<Py_ssize_t>pos)


# Decoding

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
    return ndc_png_crc(data + last + 4, length + 4) == _be32(data + last + 8 + length)


cdef str _error(const char *func, int ret):
    return f'{func.decode()} returned {spng_strerror(ret).decode()}'


cdef object _spng_decode(Input src, object out, object max_output, object error):
    """Decode any PNG with libspng."""
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
            raise error(f'{_error(func, ret)}: image exceeds max_output={limit} bytes')
        if ret != 0:
            raise error(_error(func, ret))

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
            raise error(_error(b'spng_decoded_image_size', ret))
        if size != <size_t>ihdr.height * ihdr.width * channels * dtype.itemsize:
            raise error(f'spng_decoded_image_size returned {size} bytes for {shape} {dtype}')

        result = array_output(out, shape, dtype, error, max_output)
        dst = decode_output(result, <Py_ssize_t>size, error, True, None)
        with nogil:
            ret = spng_decode_image(ctx, dst.data, size, fmt, flags)
            # check the CRC of the last IDAT chunk, as libpng does
            if ret == 0 and spng_decode_chunks(ctx) != 0:
                tail_bad = not _last_idat_intact(src.data, <size_t>src.size)
        if tail_bad:
            raise error('the last IDAT chunk is truncated or fails its CRC check')
        if ret != 0:
            raise error(_error(b'spng_decode_image', ret))
    finally:
        spng_ctx_free(ctx)
    return result


cdef object _decode(Input src, object out, object max_output, object error):
    """Decode a PNG: 8 and 16-bit images without palette, tRNS or
    interlacing by our own path, all others by libspng."""
    cdef ndc_png_info info
    cdef const char *msg = b''
    cdef int ret
    cdef unsigned channels
    cdef Output dst
    if src.size == 0:
        raise error('no PNG signature in empty input')
    with nogil:
        ret = ndc_png_read_info(src.data, <size_t>src.size, &info, &msg)
    if ret == NDC_ERR_CORRUPT:
        raise error(f'ndc_png_read_info returned NDC_ERR_CORRUPT: {msg.decode()}')
    if ret == 0 and info.depth >= 8 and info.color != 3 and not info.interlace and not info.has_trns:
        channels = ndc_png_channels(info.color)
        dtype = numpy.dtype(numpy.uint16 if info.depth == 16 else numpy.uint8)
        if channels == 1:
            shape = (<Py_ssize_t>info.height, <Py_ssize_t>info.width)
        else:
            shape = (<Py_ssize_t>info.height, <Py_ssize_t>info.width, <Py_ssize_t>channels)
        result = array_output(out, shape, dtype, error, max_output)
        dst = decode_output(result, result.nbytes, error, True, None)
        with nogil:
            ret = ndc_png_decode_image(src.data, <size_t>src.size, &info, dst.data, &msg)
        if ret == 0:
            return result
        if ret == NDC_ERR_MEMORY:
            raise MemoryError('ndc_png_decode_image failed to allocate memory')
        if ret == NDC_ERR_CORRUPT:
            raise error(f'ndc_png_decode_image returned NDC_ERR_CORRUPT: {msg.decode()}')
    return _spng_decode(src, out, max_output, error)


def png_decode(data, /, *, out=None, max_output=None):
    """Return a PNG image as a numpy array.

    Gray images give (H, W) arrays, gray with alpha (H, W, 2), RGB (H, W, 3),
    RGBA (H, W, 4); palette images are expanded to RGB, or RGBA if they have
    a tRNS chunk, which also adds alpha to gray and RGB images. 16-bit images
    give uint16 in native byte order, all others uint8; gray images of 1, 2
    or 4 bits are scaled to 0..255. The image is limited to `max_output`
    bytes (default: ndcodecs.get_max_output()).
    """
    return _decode(read_input(data), out, max_output, PngError)


# APNG

cdef bytes _chunk(bytes ctype, bytes data):
    cdef bytes body = ctype + data
    cdef const uint8_t *p = <const uint8_t *>body
    cdef size_t size = len(body)
    cdef uint32_t crc
    with nogil:
        crc = ndc_png_crc(p, size)
    return len(data).to_bytes(4, 'big') + body + crc.to_bytes(4, 'big')


cdef bint _crc_ok(Input src, size_t pos, uint32_t length):
    cdef uint32_t crc
    with nogil:
        crc = ndc_png_crc(src.data + pos + 4, length + 4)
    return crc == _be32(src.data + pos + 8 + length)


cdef bytes _span(Input src, size_t pos, size_t length):
    return (<const char *>src.data)[pos:pos + length]


def apng_decode(data, /, index=None, *, out=None, max_output=None):
    """Return the frames of an APNG as a numpy array.

    With `index` None (default), all frames, composed onto the canvas by
    their dispose and blend operations, along a leading axis (left out
    for a single frame); a default image that is not part of the animation
    comes first, as is. With an `index`, only that frame, on a black
    background, its dispose and blend operations ignored. Samples are as
    png_decode gives them; a PNG without animation decodes as by png_decode.
    The result is limited to `max_output` bytes.
    """
    cdef Input src = read_input(data)
    cdef size_t size = <size_t>src.size, pos = 33
    cdef uint32_t length, width, height, fx, fy, fw, fh, nframes = 0
    cdef const uint8_t *p
    if size == 0:
        raise ApngError('no PNG signature in empty input')
    if size < 33 or memcmp(src.data, b'\x89PNG\r\n\x1a\n', 8) != 0 or _be32(src.data + 8) != 13 \
            or memcmp(src.data + 12, b'IHDR', 4) != 0:
        raise ApngError('no PNG signature and IHDR chunk')
    if not _crc_ok(src, 8, 13):
        raise ApngError('IHDR chunk checksum mismatch')
    width = _be32(src.data + 16)
    height = _be32(src.data + 20)
    header = []  # PLTE and tRNS, for every frame
    frames = []  # [fcTL fields or None for a hidden default image, data parts]
    current = None
    animated = seen_idat = False
    while size - pos >= 12:
        p = src.data + pos
        length = _be32(p)
        if length > 0x7FFFFFFF or size - pos - 12 < length:
            raise ApngError(f'chunk at offset {pos} is truncated')
        ctype = _span(src, pos + 4, 4)
        if ctype == b'IEND':
            break
        if ctype in (b'acTL', b'fcTL', b'fdAT', b'IDAT') and not _crc_ok(src, pos, length):
            raise ApngError(f'{ctype.decode()} chunk checksum mismatch')
        if ctype == b'acTL':
            if length != 8:
                raise ApngError('invalid acTL chunk length')
            if not seen_idat:
                animated = True
                nframes = _be32(p + 8)
        elif ctype == b'fcTL':
            if length != 26:
                raise ApngError('invalid fcTL chunk length')
            fw, fh, fx, fy = _be32(p + 12), _be32(p + 16), _be32(p + 20), _be32(p + 24)
            if fw == 0 or fh == 0 or fw > width or fh > height or fx > width - fw or fy > height - fh:
                raise ApngError(f'fcTL frame {fw}x{fh} at ({fx}, {fy}) exceeds the {width}x{height} canvas')
            if seen_idat and not frames:
                raise ApngError('fcTL after IDAT without a frame')
            current = [(fx, fy, fw, fh, p[32], p[33]), []]
            frames.append(current)
        elif ctype == b'IDAT':
            if not seen_idat and current is None:
                current = [None, []]  # the default image, not part of the animation
                frames.append(current)
            if current is not None and current is frames[0]:
                current[1].append(_span(src, pos + 8, length))
            seen_idat = True
        elif ctype == b'fdAT':
            if current is None or length < 4 or not seen_idat or current is frames[0]:
                raise ApngError('fdAT chunk without its fcTL')
            current[1].append(_span(src, pos + 12, length - 4))
        elif ctype in (b'PLTE', b'tRNS') and not seen_idat:
            header.append(_span(src, pos, 12 + length))
        pos += 12 + length
    if not animated:
        return _decode(src, out, max_output, ApngError)
    if size - pos < 12 and size != pos:
        raise ApngError(f'chunk at offset {pos} is truncated')
    found = sum(1 for f in frames if f[0] is not None and f[1])
    if found != nframes:
        raise ApngError(f'acTL claims {nframes} frames, the file has {found} (truncated?)')
    frames = [f for f in frames if f[1]]
    if index is not None:
        index = operator.index(index)
        if not -len(frames) <= index < len(frames):
            raise IndexError(f'index={index} out of range [0, {len(frames)})')
        frames = [frames[index]]

    # the first frame gives the sample layout; the others must match it
    ihdr = _span(src, 16, 13)
    prefix = _SIGNATURE + _span(src, 8, 25)
    images = []
    for params, parts in frames:
        if params is None:
            png = prefix
        else:
            png = _SIGNATURE + _chunk(b'IHDR', params[2].to_bytes(4, 'big') + params[3].to_bytes(4, 'big') + ihdr[8:])
        png += b''.join(header) + _chunk(b'IDAT', b''.join(parts)) + _chunk(b'IEND', b'')
        image = _decode(read_input(png), None, max_output, ApngError)
        if images and image.dtype != images[0].dtype or images and image.shape[2:] != images[0].shape[2:]:
            raise ApngError('frames differ in sample layout')
        images.append(image)
        if len(images) == 1:
            shape = (<Py_ssize_t>height, <Py_ssize_t>width) + image.shape[2:]
            if index is None and len(frames) > 1:
                shape = (len(frames),) + shape
            result = array_output(out, shape, image.dtype, ApngError, max_output)
    if index is not None:
        result[...] = 0
        params = frames[0][0]
        if params is None:
            result[...] = images[0]
        else:
            result[params[1]:params[1] + params[3], params[0]:params[0] + params[2]] = images[0]
        return result
    # one frame has no leading axis: compose into a view that has it
    _compose(result if len(frames) > 1 else result[None], [f[0] for f in frames], images)
    return result


def _compose(result, params, images):
    """Render frames onto a canvas by their dispose and blend operations."""
    canvas = numpy.zeros(result.shape[1:], result.dtype)
    alpha = canvas.ndim == 3 and canvas.shape[2] in (2, 4)
    first = True
    for i, (frame, image) in enumerate(zip(params, images)):
        if frame is None:
            result[i] = image  # the default image, not part of the animation
            continue
        x, y, w, h, dispose, blend = frame
        if first:
            # nothing to go back to, nor to draw over (as Pillow and imagecodecs)
            dispose = 1 if dispose == 2 else dispose
            blend = 0
        first = False
        region = canvas[y:y + h, x:x + w]
        saved = region.copy() if dispose == 2 else None
        if blend == 1 and alpha:
            _blend_over(region, image)
        else:
            region[...] = image
        result[i] = canvas
        if dispose == 1:
            region[...] = 0
        elif dispose == 2:
            region[...] = saved


def _blend_over(dst, src):
    """Draw `src` over `dst` in place (both with alpha last): each sample,
    alpha included, is mixed by the frame's alpha and rounded, as Pillow
    and imagecodecs do. Over an opaque canvas this is the APNG
    specification's formula; over a translucent one that formula would
    give a more opaque result."""
    top = numpy.iinfo(dst.dtype).max
    alpha = src[..., -1:].astype(numpy.int64)
    mixed = src.astype(numpy.int64) * alpha + dst.astype(numpy.int64) * (top - alpha)
    dst[...] = (mixed + top // 2) // top

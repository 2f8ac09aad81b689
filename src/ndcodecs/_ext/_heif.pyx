# cython: language_level=3, boundscheck=False, wraparound=False
"""HEIF codec (HEIC, AVIF and other HEIF brands) through libheif.

Images are numpy arrays of uint8, or uint16 for 10 and 12-bit images:
(H, W, 3) RGB, (H, W, 4) RGBA, or with ``photometric=HEIF.COLORSPACE.MONOCHROME``
(H, W) gray and (H, W, 2) gray with alpha.

What libheif can encode depends on the codec plugins it was built or
installed with: HEIF.encoders lists them by compression; encoding to a
compression without one raises HeifError naming it.
"""

import enum

import numpy

from libc.stdint cimport uint8_t, uint16_t
from libc.stdlib cimport free, realloc
from libc.string cimport memcpy

from ._shared cimport Input, Output, read_input, encode_output, array_output, level_arg, numthreads_arg
from .libheif cimport *

from .._errors import error_class

__all__ = ['HEIF', 'HeifError', 'heif_version', 'heif_check', 'heif_encode', 'heif_decode']


class HEIF:
    """HEIF constants."""

    available = True

    class COMPRESSION(enum.IntEnum):
        """Compression of encoded images."""

        UNDEFINED = 0
        HEVC = 1
        AVC = 2
        JPEG = 3
        AV1 = 4
        VVC = 5
        EVC = 6
        JPEG2000 = 7

    class COLORSPACE(enum.IntEnum):
        """Color space of decoded images (photometric)."""

        UNDEFINED = 99
        YCBCR = 0
        RGB = 1
        MONOCHROME = 2


HeifError = error_class('heif')

cdef heif_error _init_error = heif_init(NULL)


def _encoders():
    cdef const heif_encoder_descriptor *desc[32]
    cdef int n = heif_get_encoder_descriptors(heif_compression_undefined, NULL, desc, 32)
    result = {}
    for i in range(n):
        fmt = HEIF.COMPRESSION(<int>heif_encoder_descriptor_get_compression_format(desc[i]))
        name = heif_encoder_descriptor_get_id_name(desc[i])
        result.setdefault(fmt.name, []).append(name.decode() if name != NULL else '?')
    return {k: tuple(v) for k, v in result.items()}


# compression name -> encoder plugin ids, e.g. {'HEVC': ('x265',), 'AV1': ('aom',)}
HEIF.encoders = _encoders()
HEIF.decoders = tuple(
    c.name for c in HEIF.COMPRESSION if c and heif_have_decoder_for_format(<heif_compression_format>(<int>c))
)


def heif_version():
    """Return the libheif version string."""
    cdef const char *version
    with nogil:
        version = heif_get_version()
    return f'libheif {version.decode()}'


# brands of HEIF still images and sequences, HEVC, AVC, AV1 and generic
cdef tuple _BRANDS = (
    b'heic', b'heix', b'heim', b'heis', b'hevc', b'hevx', b'hevm', b'hevs',
    b'mif1', b'mif2', b'msf1', b'avci', b'avcs', b'avif', b'avis',
)


def heif_check(data, /):
    """Return True if `data` starts with an ftyp box of a HEIF brand."""
    head = bytes(data[:64])
    if len(head) < 12 or head[4:8] != b'ftyp':
        return False
    if head[8:12] in _BRANDS:
        return True
    end = min(int.from_bytes(head[:4], 'big'), len(head))
    return any(head[i:i + 4] in _BRANDS for i in range(16, end - 3, 4))


cdef int _check(heif_error err, str func) except -1:
    if err.code == heif_error_Ok:
        return 0
    # libheif reports its security limits as allocation errors: no MemoryError
    raise HeifError(f'{func} failed: {err.message.decode(errors="replace") if err.message != NULL else err.code}')


cdef bint _gray(object photometric) except -1:
    if photometric is None:
        return False
    if isinstance(photometric, str):
        key = photometric.lower()
        if key in ('monochrome', 'minisblack', 'gray', 'grey'):
            return True
        if key in ('rgb', 'ycbcr', 'undefined'):
            return False
        raise ValueError(f'invalid photometric={photometric!r}')
    try:
        value = HEIF.COLORSPACE(photometric.__index__())
    except (AttributeError, ValueError):
        raise ValueError(f'invalid photometric={photometric!r}') from None
    return value == HEIF.COLORSPACE.MONOCHROME


def heif_decode(data, /, index=None, *, photometric=None, numthreads=None, out=None, max_output=None):
    """Return an image of a HEIF file as a numpy array.

    `index` selects a top-level image; None is the primary image.
    `photometric` HEIF.COLORSPACE.MONOCHROME (or 'gray') returns gray
    (H, W) or (H, W, 2) with alpha; otherwise RGB (H, W, 3) or RGBA
    (H, W, 4). uint8 for 8-bit images, uint16 for deeper ones.
    `numthreads` is libheif's thread count for grid tiles (0: all cores).
    """
    cdef Input src = read_input(data)
    cdef bint gray = _gray(photometric)
    cdef int nthreads = numthreads_arg(numthreads)
    cdef heif_context *ctx = NULL
    cdef heif_image_handle *handle = NULL
    cdef heif_image *image = NULL
    cdef heif_decoding_options *options = NULL
    cdef heif_error err
    cdef heif_item_id *ids = NULL
    cdef int count, idx, width, height, bits, samples, itemsize, stride, astride
    cdef bint alpha, from_rgb = False
    cdef heif_colorspace native
    cdef int planewidth, planeheight
    cdef heif_colorspace cspace
    cdef heif_chroma chroma
    cdef const uint8_t *plane
    cdef const uint8_t *aplane
    cdef uint8_t *dst
    cdef size_t rowbytes, y, x
    if src.size == 0:
        raise HeifError('empty input')
    try:
        with nogil:
            ctx = heif_context_alloc()
        if ctx == NULL:
            raise MemoryError('heif_context_alloc failed')
        with nogil:
            heif_context_set_max_decoding_threads(ctx, nthreads)
            err = heif_context_read_from_memory_without_copy(ctx, src.data, <size_t>src.size, NULL)
        _check(err, 'heif_context_read_from_memory_without_copy')
        if index is None:
            with nogil:
                err = heif_context_get_primary_image_handle(ctx, &handle)
            _check(err, 'heif_context_get_primary_image_handle')
        else:
            idx = index.__index__()
            with nogil:
                count = heif_context_get_number_of_top_level_images(ctx)
            if not 0 <= idx < count:
                raise IndexError(f'index {idx} out of range of {count} images')
            ids_array = numpy.empty(count, numpy.uint32)
            ids = <heif_item_id *><size_t>ids_array.ctypes.data
            with nogil:
                heif_context_get_list_of_top_level_image_IDs(ctx, ids, count)
                err = heif_context_get_image_handle(ctx, ids[idx], &handle)
            _check(err, 'heif_context_get_image_handle')
        with nogil:
            width = heif_image_handle_get_width(handle)
            height = heif_image_handle_get_height(handle)
            bits = heif_image_handle_get_luma_bits_per_pixel(handle)
            alpha = heif_image_handle_has_alpha_channel(handle)
        if width <= 0 or height <= 0 or not 1 <= bits <= 16:
            raise HeifError(f'invalid image: {width}x{height}, {bits} bit')
        itemsize = 1 if bits <= 8 else 2
        samples = (1 if gray else 3) + (1 if alpha else 0)
        shape = (<object>height, <object>width) if samples == 1 else (<object>height, <object>width, <object>samples)
        result = array_output(out, shape, numpy.uint8 if itemsize == 1 else numpy.uint16, HeifError, max_output)
        dst = <uint8_t *><size_t>result.ctypes.data
        if gray:
            cspace, chroma = heif_colorspace_monochrome, heif_chroma_monochrome
            # a gray image stored as YCbCr (x265 has no 4:0:0) converts to
            # monochrome only through RGB, whose first sample is taken
            with nogil:
                err = heif_decode_image(handle, &image, heif_colorspace_undefined, heif_chroma_undefined, NULL)
            _check(err, 'heif_decode_image')
            with nogil:
                native = heif_image_get_colorspace(image)
            if native != heif_colorspace_monochrome:
                from_rgb = True
                cspace = heif_colorspace_RGB
                if itemsize == 1:
                    chroma = heif_chroma_interleaved_RGBA if alpha else heif_chroma_interleaved_RGB
                else:
                    chroma = heif_chroma_interleaved_RRGGBBAA_LE if alpha else heif_chroma_interleaved_RRGGBB_LE
            with nogil:
                heif_image_release(image)
            image = NULL
        elif itemsize == 1:
            cspace = heif_colorspace_RGB
            chroma = heif_chroma_interleaved_RGBA if alpha else heif_chroma_interleaved_RGB
        else:
            cspace = heif_colorspace_RGB
            chroma = heif_chroma_interleaved_RRGGBBAA_LE if alpha else heif_chroma_interleaved_RRGGBB_LE
        with nogil:
            options = heif_decoding_options_alloc()
        if options == NULL:
            raise MemoryError('heif_decoding_options_alloc failed')
        options.strict_decoding = 1
        with nogil:
            err = heif_decode_image(handle, &image, cspace, chroma, options)
        _check(err, 'heif_decode_image')
        rowbytes = <size_t>width * samples * itemsize
        if from_rgb:
            return _gray_from_rgb(image, result, width, height, alpha)
        with nogil:
            if gray:
                plane = heif_image_get_plane_readonly(image, heif_channel_Y, &stride)
                aplane = heif_image_get_plane_readonly(image, heif_channel_Alpha, &astride) if alpha else NULL
                planewidth = heif_image_get_width(image, heif_channel_Y)
                planeheight = heif_image_get_height(image, heif_channel_Y)
            else:
                plane = heif_image_get_plane_readonly(image, heif_channel_interleaved, &stride)
                aplane = NULL
                planewidth = heif_image_get_width(image, heif_channel_interleaved)
                planeheight = heif_image_get_height(image, heif_channel_interleaved)
        if (plane == NULL or (gray and alpha and aplane == NULL) or planewidth != width
                or planeheight != height or (not gray and <size_t>stride < rowbytes)):
            raise HeifError('heif_decode_image returned an image of unexpected layout')
        with nogil:
            if not gray:
                for y in range(<size_t>height):
                    memcpy(dst + y * rowbytes, plane + y * <size_t>stride, rowbytes)
            elif itemsize == 1:
                for y in range(<size_t>height):
                    for x in range(<size_t>width):
                        dst[y * rowbytes + x * samples] = plane[y * <size_t>stride + x]
                        if alpha:
                            dst[y * rowbytes + x * 2 + 1] = aplane[y * <size_t>astride + x]
            else:
                for y in range(<size_t>height):
                    for x in range(<size_t>width):
                        (<uint16_t *>(dst + y * rowbytes))[x * samples] = (<const uint16_t *>(plane + y * <size_t>stride))[x]
                        if alpha:
                            (<uint16_t *>(dst + y * rowbytes))[x * 2 + 1] = (<const uint16_t *>(aplane + y * <size_t>astride))[x]
        return result
    finally:
        with nogil:
            if image != NULL:
                heif_image_release(image)
            if options != NULL:
                heif_decoding_options_free(options)
            if handle != NULL:
                heif_image_handle_release(handle)
            if ctx != NULL:
                heif_context_free(ctx)


cdef object _gray_from_rgb(heif_image *image, object result, int width, int height, bint alpha):
    """Fill `result` (H, W) or (H, W, 2) from the R (and A) samples of an
    interleaved RGB(A) `image`."""
    cdef int stride = 0, planewidth, planeheight
    cdef const uint8_t *plane
    with nogil:
        plane = heif_image_get_plane_readonly(image, heif_channel_interleaved, &stride)
        planewidth = heif_image_get_width(image, heif_channel_interleaved)
        planeheight = heif_image_get_height(image, heif_channel_interleaved)
    if plane == NULL or planewidth != width or planeheight != height or stride < width * (4 if alpha else 3) * result.dtype.itemsize:
        raise HeifError('heif_decode_image returned an image of unexpected layout')
    itemsize = result.dtype.itemsize
    samples = 4 if alpha else 3
    rows = numpy.frombuffer(<const uint8_t[:<size_t>stride * height]>plane, numpy.uint8)
    rows = rows.reshape(height, stride)[:, :width * samples * itemsize]
    pixels = rows.view('<u2' if itemsize == 2 else 'u1').reshape(height, width, samples)
    if alpha:
        result[..., 0] = pixels[..., 0]
        result[..., 1] = pixels[..., 3]
    else:
        result[...] = pixels[..., 0]
    return result


cdef struct _Buffer:
    uint8_t *data
    size_t size
    size_t capacity


cdef heif_error _write(heif_context *ctx, const void *data, size_t size, void *userdata) noexcept nogil:
    """heif_writer callback appending to a _Buffer."""
    cdef _Buffer *buf = <_Buffer *>userdata
    cdef heif_error err
    cdef size_t capacity
    cdef uint8_t *grown
    err.code = heif_error_Ok
    err.subcode = 0
    err.message = b'Success'
    if buf.size + size > buf.capacity:
        capacity = max(buf.capacity * 2, buf.size + size)
        grown = <uint8_t *>realloc(buf.data, capacity)
        if grown == NULL:
            err.code = heif_error_Memory_allocation_error
            err.message = b'out of memory'
            return err
        buf.data = grown
        buf.capacity = capacity
    memcpy(buf.data + buf.size, data, size)
    buf.size += size
    return err


cdef _Buffer _buffer():
    cdef _Buffer buf
    buf.data = NULL
    buf.size = buf.capacity = 0
    return buf


def heif_encode(data, /, level=None, *, bitspersample=None, photometric=None, compression=None, numthreads=None, out=None):
    """Return an image array encoded as HEIF.

    `data` is uint8, or uint16 with `bitspersample` 10 or 12 (default 10):
    (H, W) or (H, W, 2) gray, (H, W, 3) RGB or (H, W, 4) RGBA. `level` is
    the quality, 0 to 99 (default 90); 100 is lossless (RGB as YUV 4:4:4
    with the identity matrix) where the encoder supports it. `compression` is a HEIF.COMPRESSION with an
    encoder in HEIF.encoders (default HEVC, else AV1). `photometric` is
    ignored (the samples decide). `numthreads` is the encoder's thread
    count where it has one (0: all cores).
    """
    if isinstance(data, str) or data is None:
        raise TypeError(f'expected an image array, not {type(data).__name__}')
    arr = numpy.asarray(data)
    if arr.dtype not in (numpy.uint8, numpy.uint16):
        raise ValueError(f'expected uint8 or uint16 samples, not {arr.dtype}')
    if arr.ndim == 2:
        arr = arr[..., None]
    if arr.ndim != 3 or not 1 <= arr.shape[2] <= 4 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f'invalid image shape {arr.shape}')
    if arr.shape[0] > 0x7FFF or arr.shape[1] > 0x7FFF:
        raise ValueError(f'image shape {arr.shape} too large')
    arr = numpy.ascontiguousarray(arr, arr.dtype.newbyteorder('<'))
    cdef int itemsize = arr.dtype.itemsize
    cdef int samples = arr.shape[2]
    cdef int height = arr.shape[0], width = arr.shape[1]
    cdef int bits = 8 if itemsize == 1 else 10
    if bitspersample is not None:
        bits = bitspersample.__index__()
    if (itemsize == 1) != (bits == 8) or bits not in (8, 10, 12):
        raise ValueError(f'bitspersample={bits} not supported for {arr.dtype}: 8 for uint8, 10 or 12 for uint16')
    cdef int quality = level_arg(level, 90, 0, 100)
    cdef int nthreads = numthreads_arg(numthreads)
    if compression is None:
        fmt = HEIF.COMPRESSION.HEVC if 'HEVC' in HEIF.encoders else HEIF.COMPRESSION.AV1
    elif isinstance(compression, str):
        try:
            fmt = HEIF.COMPRESSION[compression.upper()]
        except KeyError:
            raise ValueError(f'invalid compression={compression!r}') from None
    else:
        fmt = HEIF.COMPRESSION(compression.__index__())
    if fmt.name not in HEIF.encoders:
        raise HeifError(
            f'libheif has no encoder plugin for {fmt.name} '
            f'(encoders: {", ".join(f"{k}: {v[0]}" for k, v in HEIF.encoders.items()) or "none"})'
        )
    cdef heif_compression_format cfmt = <heif_compression_format>(<int>fmt)
    cdef bint gray = samples <= 2
    cdef bint alpha = samples in (2, 4)
    cdef heif_colorspace cspace = heif_colorspace_monochrome if gray else heif_colorspace_RGB
    cdef heif_chroma chroma
    if gray:
        chroma = heif_chroma_monochrome
    elif itemsize == 1:
        chroma = heif_chroma_interleaved_RGBA if alpha else heif_chroma_interleaved_RGB
    else:
        chroma = heif_chroma_interleaved_RRGGBBAA_LE if alpha else heif_chroma_interleaved_RRGGBB_LE
    cdef heif_context *ctx = NULL
    cdef heif_image *image = NULL
    cdef heif_encoder *encoder = NULL
    cdef heif_image_handle *handle = NULL
    cdef heif_writer writer
    cdef heif_color_profile_nclx *nclx = NULL
    cdef _Buffer buf = _buffer()
    cdef heif_error err
    cdef Input src = read_input(arr)
    cdef Output dst
    cdef uint8_t *plane
    cdef uint8_t *aplane = NULL
    cdef int stride = 0, astride = 0
    cdef size_t rowbytes = <size_t>width * samples * itemsize, y, x
    threads = str(nthreads).encode()
    cdef const char *cthreads = threads
    try:
        with nogil:
            ctx = heif_context_alloc()
        if ctx == NULL:
            raise MemoryError('heif_context_alloc failed')
        with nogil:
            err = heif_image_create(width, height, cspace, chroma, &image)
        _check(err, 'heif_image_create')
        with nogil:
            err = heif_image_add_plane(image, heif_channel_Y if gray else heif_channel_interleaved, width, height, bits)
            if err.code == heif_error_Ok and gray and alpha:
                err = heif_image_add_plane(image, heif_channel_Alpha, width, height, bits)
        _check(err, 'heif_image_add_plane')
        with nogil:
            plane = heif_image_get_plane(image, heif_channel_Y if gray else heif_channel_interleaved, &stride)
            if gray and alpha:
                aplane = heif_image_get_plane(image, heif_channel_Alpha, &astride)
        if plane == NULL or (gray and alpha and aplane == NULL):
            raise HeifError('heif_image_get_plane returned no plane')
        with nogil:
            if not gray:
                for y in range(<size_t>height):
                    memcpy(plane + y * <size_t>stride, src.data + y * rowbytes, rowbytes)
            elif itemsize == 1:
                for y in range(<size_t>height):
                    for x in range(<size_t>width):
                        plane[y * <size_t>stride + x] = src.data[y * rowbytes + x * samples]
                        if alpha:
                            aplane[y * <size_t>astride + x] = src.data[y * rowbytes + x * 2 + 1]
            else:
                for y in range(<size_t>height):
                    for x in range(<size_t>width):
                        (<uint16_t *>(plane + y * <size_t>stride))[x] = (<const uint16_t *>(src.data + y * rowbytes))[x * samples]
                        if alpha:
                            (<uint16_t *>(aplane + y * <size_t>astride))[x] = (<const uint16_t *>(src.data + y * rowbytes))[x * 2 + 1]
            err = heif_context_get_encoder_for_format(ctx, cfmt, &encoder)
        _check(err, 'heif_context_get_encoder_for_format')
        with nogil:
            heif_encoder_set_logging_level(encoder, 0)
            if quality >= 100:
                err = heif_encoder_set_lossless(encoder, 1)
                if err.code == heif_error_Ok and not gray:
                    # lossless RGB: no chroma subsampling, identity matrix
                    heif_encoder_set_parameter(encoder, b'chroma', b'444')
                    nclx = heif_nclx_color_profile_alloc()
                    if nclx == NULL:
                        err.code = heif_error_Memory_allocation_error
                        err.message = b'heif_nclx_color_profile_alloc failed'
                    else:
                        nclx.matrix_coefficients = 0
                        nclx.full_range_flag = 1
                        err = heif_image_set_nclx_color_profile(image, nclx)
                        heif_nclx_color_profile_free(nclx)
            else:
                err = heif_encoder_set_lossy_quality(encoder, quality)
        _check(err, 'heif_encoder_set_lossless' if quality >= 100 else 'heif_encoder_set_lossy_quality')
        with nogil:
            # not every plugin has a thread option; its absence is no error
            heif_encoder_set_parameter(encoder, b'threads', cthreads)
            err = heif_context_encode_image(ctx, image, encoder, NULL, &handle)
        _check(err, 'heif_context_encode_image')
        writer.writer_api_version = 1
        writer.write = _write
        with nogil:
            err = heif_context_write(ctx, &writer, &buf)
        _check(err, 'heif_context_write')
        dst = encode_output(out, <Py_ssize_t>buf.size, HeifError)
        if <size_t>dst.size < buf.size:
            raise HeifError(f'output too small: {buf.size} bytes needed, out= holds {dst.size}')
        with nogil:
            memcpy(dst.data, buf.data, buf.size)
        return dst.finish(<Py_ssize_t>buf.size)
    finally:
        with nogil:
            free(buf.data)
            if handle != NULL:
                heif_image_handle_release(handle)
            if encoder != NULL:
                heif_encoder_release(encoder)
            if image != NULL:
                heif_image_release(image)
            if ctx != NULL:
                heif_context_free(ctx)

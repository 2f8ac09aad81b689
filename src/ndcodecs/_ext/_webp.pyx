# cython: language_level=3, boundscheck=False, wraparound=False
"""WebP codec through libwebp, libwebpdemux and libwebpmux.

Images are uint8 numpy arrays: (H, W, 3) RGB or (H, W, 4) RGBA; gray
(H, W) images are encoded as RGB. Animations have a leading frame axis.
"""

from libc.stdint cimport uint8_t, uint32_t
from libc.string cimport memcpy

from ._shared cimport as_array, Input, Output, array_output, encode_output, numthreads_arg, output_limit, read_input
from .webp cimport *

import operator

import numpy

from .._errors import error_class

__all__ = ['WEBP', 'WebpError', 'webp_version', 'webp_check', 'webp_encode', 'webp_decode']


class WEBP:
    """WebP constants."""

    available = True


WebpError = error_class('webp')

# Display time of each frame of an encoded animation, in milliseconds.
cdef int _FRAME_DURATION = 100

_STATUS = (
    'VP8_STATUS_OK', 'VP8_STATUS_OUT_OF_MEMORY', 'VP8_STATUS_INVALID_PARAM',
    'VP8_STATUS_BITSTREAM_ERROR', 'VP8_STATUS_UNSUPPORTED_FEATURE',
    'VP8_STATUS_SUSPENDED', 'VP8_STATUS_USER_ABORT', 'VP8_STATUS_NOT_ENOUGH_DATA',
)

_ENC_ERRORS = (
    'VP8_ENC_OK', 'VP8_ENC_ERROR_OUT_OF_MEMORY', 'VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY',
    'VP8_ENC_ERROR_NULL_PARAMETER', 'VP8_ENC_ERROR_INVALID_CONFIGURATION',
    'VP8_ENC_ERROR_BAD_DIMENSION', 'VP8_ENC_ERROR_PARTITION0_OVERFLOW',
    'VP8_ENC_ERROR_PARTITION_OVERFLOW', 'VP8_ENC_ERROR_BAD_WRITE',
    'VP8_ENC_ERROR_FILE_TOO_BIG', 'VP8_ENC_ERROR_USER_ABORT',
)


cdef str _name(tuple names, int code):
    return names[code] if 0 <= code < len(names) else f'error {code}'


def webp_version():
    """Return the libwebp version string."""
    cdef int v = WebPGetEncoderVersion()
    return f'libwebp {v >> 16}.{(v >> 8) & 0xFF}.{v & 0xFF}'


def webp_check(data, /):
    """Return True if `data` starts with a RIFF WEBP header."""
    head = bytes(data[:12])
    return head[:4] == b'RIFF' and head[8:12] == b'WEBP'


cdef object _image_array(object data):
    """Return `data` as a C-contiguous uint8 array of RGB(A) images."""
    arr = as_array(data)
    if arr.dtype != numpy.uint8:
        raise ValueError(f'expected uint8 samples, not {arr.dtype}')
    if arr.ndim == 2:
        arr = numpy.repeat(arr[..., None], 3, axis=2)  # gray as RGB
    elif arr.ndim not in (3, 4) or arr.shape[arr.ndim - 1] not in (3, 4):
        raise ValueError(f'expected an (H, W), (H, W, 3|4) or (frames, H, W, 3|4) array, not {arr.shape}')
    if arr.ndim == 4 and arr.shape[0] == 1:
        arr = arr[0]
    if 0 in arr.shape:
        raise ValueError(f'invalid image shape {arr.shape}')
    if max(arr.shape[arr.ndim - 3:arr.ndim - 1]) > WEBP_MAX_DIMENSION:
        raise ValueError(f'image shape {arr.shape} exceeds the WebP limit of {WEBP_MAX_DIMENSION}')
    return numpy.ascontiguousarray(arr)


cdef int _import(WebPPicture *pic, const uint8_t *pixels, int width, int height, int channels, bint argb) noexcept nogil:
    """Initialize `pic` and copy RGB(A) pixels into it; 0 on failure."""
    if not WebPPictureInit(pic):
        return 0
    pic.width = width
    pic.height = height
    pic.use_argb = argb
    if channels == 4:
        return WebPPictureImportRGBA(pic, pixels, width * 4)
    return WebPPictureImportRGB(pic, pixels, width * 3)


def webp_encode(data, /, level=None, *, lossless=None, method=None, numthreads=None, out=None):
    """Return an image, or frames of an animation, encoded as WebP.

    `data` is a uint8 array of shape (H, W, 3) RGB, (H, W, 4) RGBA or
    (H, W) gray, or (frames, H, W, 3|4) for an animation (100 ms a frame).
    `level` is the quality, 0 to 100 (default 75); for lossless encoding it
    is the effort. `lossless` (default True, also if `level` < 0) keeps the
    pixels exactly, RGB under transparent pixels included. `method` trades
    speed for size, 0 (fast) to 6 (default 4). `numthreads` > 1 lets libwebp
    use threads. Fully opaque alpha is dropped by libwebp.
    """
    arr = _image_array(data)
    cdef Input src = read_input(arr)
    cdef WebPConfig config
    cdef WebPPicture pic
    cdef WebPMemoryWriter writer
    cdef WebPAnimEncoderOptions anim_options
    cdef WebPAnimEncoder *enc = NULL
    cdef WebPData assembled
    cdef Output dst
    cdef int nframes = arr.shape[0] if arr.ndim == 4 else 1
    cdef int height = arr.shape[arr.ndim - 3], width = arr.shape[arr.ndim - 2], channels = arr.shape[arr.ndim - 1]
    cdef size_t frame_size = <size_t>height * width * channels
    cdef int threads = numthreads_arg(numthreads)
    cdef int ok = 0, i, error_code = 0
    cdef const char *func = b'WebPConfigInit'
    cdef const char *anim_error = NULL
    cdef float quality = 75.0
    cdef bint clossless = True if lossless is None else bool(lossless)
    cdef int cmethod = 4

    if level is not None:
        level = float(level)
        if level < 0:
            clossless = True
        else:
            quality = <float>min(level, 100.0)
    if method is not None:
        cmethod = min(max(operator.index(method), 0), 6)

    with nogil:
        ok = WebPConfigInit(&config)
        if ok:
            config.lossless = clossless
            config.exact = clossless
            config.quality = quality
            config.method = cmethod
            config.thread_level = threads > 1
            func = b'WebPValidateConfig'
            ok = WebPValidateConfig(&config)
    if not ok:
        raise WebpError(f'{func.decode()} failed')

    if nframes == 1:
        WebPMemoryWriterInit(&writer)
        with nogil:
            func = b'WebPPictureImport'
            ok = _import(&pic, src.data, width, height, channels, clossless)
            if ok:
                pic.writer = WebPMemoryWrite
                pic.custom_ptr = &writer
                func = b'WebPEncode'
                ok = WebPEncode(&config, &pic)
            error_code = pic.error_code
            WebPPictureFree(&pic)
        try:
            if not ok:
                raise WebpError(f'{func.decode()} returned {_name(_ENC_ERRORS, error_code)}')
            dst = encode_output(out, <Py_ssize_t>writer.size, WebpError)
            if <size_t>dst.size < writer.size:
                raise WebpError(f'output too small: {writer.size} bytes needed, out= holds {dst.size}')
            memcpy(dst.data, writer.mem, writer.size)
            return dst.finish(<Py_ssize_t>writer.size)
        finally:
            WebPMemoryWriterClear(&writer)

    WebPDataInit(&assembled)
    with nogil:
        func = b'WebPAnimEncoderOptionsInit'
        ok = WebPAnimEncoderOptionsInit(&anim_options)
        if ok:
            func = b'WebPAnimEncoderNew'
            enc = WebPAnimEncoderNew(width, height, &anim_options)
            ok = enc != NULL
        i = 0
        while ok and i < nframes:
            func = b'WebPPictureImport'
            ok = _import(&pic, src.data + i * frame_size, width, height, channels, True)
            if ok:
                func = b'WebPAnimEncoderAdd'
                ok = WebPAnimEncoderAdd(enc, &pic, i * _FRAME_DURATION, &config)
                if not ok:
                    anim_error = WebPAnimEncoderGetError(enc)
            WebPPictureFree(&pic)
            i += 1
        if ok:
            ok = WebPAnimEncoderAdd(enc, NULL, nframes * _FRAME_DURATION, NULL)
            if ok:
                func = b'WebPAnimEncoderAssemble'
                ok = WebPAnimEncoderAssemble(enc, &assembled)
            if not ok:
                anim_error = WebPAnimEncoderGetError(enc)
    try:
        if not ok:
            detail = f': {anim_error.decode(errors="replace")}' if anim_error != NULL else ''
            raise WebpError(f'{func.decode()} failed{detail}')
        dst = encode_output(out, <Py_ssize_t>assembled.size, WebpError)
        if <size_t>dst.size < assembled.size:
            raise WebpError(f'output too small: {assembled.size} bytes needed, out= holds {dst.size}')
        memcpy(dst.data, assembled.bytes, assembled.size)
        return dst.finish(<Py_ssize_t>assembled.size)
    finally:
        if enc != NULL:
            WebPAnimEncoderDelete(enc)
        WebPDataClear(&assembled)


cdef void _copy_frame(uint8_t *dst, const uint8_t *rgba, size_t npixels, int channels) noexcept nogil:
    """Copy an RGBA canvas to RGBA or RGB pixels."""
    cdef size_t i
    if channels == 4:
        memcpy(dst, rgba, npixels * 4)
        return
    for i in range(npixels):
        dst[0] = rgba[0]
        dst[1] = rgba[1]
        dst[2] = rgba[2]
        dst += 3
        rgba += 4


def webp_decode(data, /, index=0, *, hasalpha=None, numthreads=None, out=None, max_output=None):
    """Return a WebP image as a uint8 array of shape (H, W, 3) or (H, W, 4).

    `index` selects a frame of an animation (negative counts from the end);
    None gives all frames of an animation, (frames, H, W, 3|4). `hasalpha`
    forces an alpha channel on or off (default: as the file says; libwebpmux
    marks animations of RGB frames as having alpha where frames blend).
    `numthreads` > 1 lets libwebp use threads. The image is limited to
    `max_output` bytes (default: ndcodecs.get_max_output()), and so is
    libwebp's canvas of 4 bytes a pixel.
    """
    cdef Input src = read_input(data)
    cdef Py_ssize_t limit = output_limit(max_output)
    cdef WebPBitstreamFeatures features
    cdef WebPDecoderConfig config
    cdef WebPData wdata
    cdef WebPDemuxer *demux
    cdef WebPAnimDecoderOptions anim_options
    cdef WebPAnimDecoder *dec = NULL
    cdef uint8_t *canvas = NULL
    cdef uint8_t *dstptr
    cdef uint8_t[::1] flat
    cdef int status, ok, timestamp, channels, threads = numthreads_arg(numthreads)
    cdef uint32_t width, height, nframes = 1, i, first = 0, last = 0
    cdef size_t npixels
    cdef const char *func = b'WebPAnimDecoderNew'

    if index is not None:
        index = operator.index(index)
    if src.size == 0:
        raise WebpError('WebPGetFeatures: empty input')
    with nogil:
        status = WebPGetFeatures(src.data, <size_t>src.size, &features)
    if status != VP8_STATUS_OK:
        raise WebpError(f'WebPGetFeatures returned {_name(_STATUS, status)}')
    has_alpha = features.has_alpha if hasalpha is None else hasalpha
    channels = 4 if has_alpha else 3

    if features.width <= 0 or features.height <= 0:
        raise WebpError(f'WebPGetFeatures returned an image of {features.width}x{features.height} pixels')
    if not features.has_animation:
        if index not in (None, 0, -1):
            raise IndexError(f'index={index} out of range [0, 0]')
        width = <uint32_t>features.width
        height = <uint32_t>features.height
        if <size_t>width * height * 4 > <size_t>limit:
            raise WebpError(f'image of {width}x{height} pixels exceeds max_output={limit} bytes')
        result = array_output(out, (height, width, channels), numpy.uint8, WebpError, max_output)
        flat = result.reshape(-1)
        with nogil:
            ok = WebPInitDecoderConfig(&config)
        if not ok:
            raise WebpError('WebPInitDecoderConfig failed')
        config.output.colorspace = MODE_RGBA if channels == 4 else MODE_RGB
        config.output.is_external_memory = 1
        config.output.u.RGBA.rgba = &flat[0]
        config.output.u.RGBA.stride = <int>(width * channels)
        config.output.u.RGBA.size = <size_t>width * height * channels
        config.options.use_threads = threads > 1
        with nogil:
            status = WebPDecode(src.data, <size_t>src.size, &config)
        if status != VP8_STATUS_OK:
            raise WebpError(f'WebPDecode returned {_name(_STATUS, status)}')
        return result

    wdata.bytes = src.data
    wdata.size = <size_t>src.size
    with nogil:
        demux = WebPDemux(&wdata)
        if demux != NULL:
            width = WebPDemuxGetI(demux, WEBP_FF_CANVAS_WIDTH)
            height = WebPDemuxGetI(demux, WEBP_FF_CANVAS_HEIGHT)
            nframes = WebPDemuxGetI(demux, WEBP_FF_FRAME_COUNT)
            WebPDemuxDelete(demux)
    if demux == NULL:
        raise WebpError('WebPDemux failed: invalid or truncated animation')
    if nframes == 0 or width == 0 or height == 0:
        raise WebpError('WebPDemux found no frames')
    npixels = <size_t>width * height
    # WebPAnimDecoder keeps two RGBA canvases
    if npixels * 8 > <size_t>limit:
        raise WebpError(f'canvas of {width}x{height} pixels exceeds max_output={limit} bytes')
    shape = (height, width, channels)
    if index is None:
        last = nframes - 1
        if nframes > 1:
            shape = (nframes, *shape)
    else:
        if index < 0:
            index += nframes
        if not 0 <= index < nframes:
            raise IndexError(f'index={index - nframes if index < 0 else index} out of range [0, {nframes - 1}]')
        first = last = index
    result = array_output(out, shape, numpy.uint8, WebpError, max_output)
    flat = result.reshape(-1)
    dstptr = &flat[0]
    with nogil:
        ok = WebPAnimDecoderOptionsInit(&anim_options)
        if ok:
            anim_options.color_mode = MODE_RGBA
            anim_options.use_threads = threads > 1
            dec = WebPAnimDecoderNew(&wdata, &anim_options)
            ok = dec != NULL
        i = 0
        while ok and i <= last:
            func = b'WebPAnimDecoderGetNext'
            ok = WebPAnimDecoderGetNext(dec, &canvas, &timestamp)
            if ok and i >= first:
                _copy_frame(dstptr, canvas, npixels, channels)
                dstptr += npixels * channels
            i += 1
        if dec != NULL:
            WebPAnimDecoderDelete(dec)
    if not ok:
        raise WebpError(f'{func.decode()} failed: invalid or truncated frame {i - 1}')
    return result

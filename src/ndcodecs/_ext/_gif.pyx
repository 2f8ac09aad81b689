# cython: language_level=3, boundscheck=False, wraparound=False
"""GIF codec through giflib.

Decoding composites the frames of an animation onto the logical screen as
imagecodecs does: offsets, global and local color tables, transparency and
the disposal methods (restore to background, restore to previous). The
encoder writes gray or indexed uint8 images, a leading axis for frames.
"""

from libc.stdint cimport uint8_t, uint32_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memchr, memcpy, memset

from ._shared cimport (
    as_array, Input, Output, Sink, array_output, encode_output, output_limit, read_input, sink_finish, sink_init,
    sink_write, ssize_t,
)
from .gif cimport *


import operator

import numpy

from .._errors import error_class

__all__ = ['GIF', 'GifError', 'gif_version', 'gif_check', 'gif_encode', 'gif_decode']


class GIF:
    """GIF constants."""

    available = True


GifError = error_class('gif')

cdef enum:
    DISPOSE_BACKGROUND = 2
    DISPOSE_PREVIOUS = 3
    # the decoders' own errors, beside giflib's codes
    ERR_NO_COLORMAP = -1
    ERR_MEMORY = -2
    ERR_NO_IMAGE = -3
    ERR_CHANGED = -4
    ERR_LZW = -5
    ERR_SHORT = -6
    ERR_LIMIT = -7


def gif_version():
    """Return the giflib version string."""
    return f'giflib {GIFLIB_MAJOR}.{GIFLIB_MINOR}.{GIFLIB_RELEASE}'


def gif_check(data, /):
    """Return True if `data` starts with a GIF87a or GIF89a signature."""
    return bytes(data[:6]) in (b'GIF87a', b'GIF89a')


cdef str _message(const char *func, int code):
    """Return an error message for giflib's or our error `code`."""
    cdef const char *text
    if code == ERR_NO_COLORMAP:
        return f'{func.decode()}: an image has no color table'
    if code == ERR_NO_IMAGE:
        return f'{func.decode()}: no image in the file'
    if code == ERR_LZW:
        return 'ndc_gif_lzw_decode: invalid LZW image data'
    if code == ERR_SHORT:
        return 'ndc_gif_lzw_decode: the LZW image data ends early'
    if code == ERR_LIMIT:
        return f'{func.decode()}: an image exceeds max_output'
    if code == ERR_CHANGED:
        return f'{func.decode()}: the images changed while reading'
    text = GifErrorString(code)
    if text == NULL:
        return f'{func.decode()} returned error {code}'
    return f'{func.decode()} returned {code}: {text.decode(errors="replace")}'


# Reading: giflib pulls bytes from memory through its input callback.

cdef struct _Reader:
    const uint8_t *data
    size_t size
    size_t pos


cdef int _read(GifFileType *gif, GifByteType *buf, int size) noexcept nogil:
    cdef _Reader *reader = <_Reader *>gif.UserData
    cdef size_t count = <size_t>size if size > 0 else 0
    if count > reader.size - reader.pos:
        count = reader.size - reader.pos
    memcpy(buf, reader.data + reader.pos, count)
    reader.pos += count
    return <int>count


cdef struct _Image:
    # the image descriptor of the frame at hand and its graphic control
    int left, top, width, height
    bint interlace
    int disposal
    int transparent  # palette index, or -1
    ColorMapObject *colormap  # local or global table, owned by giflib


cdef int _next_image(GifFileType *gif, _Reader *reader, _Image *image, bint *done) noexcept nogil:
    """Read records up to the next image descriptor; set `done` at the end.

    A file that ends after a complete image, without its trailer, ends there.
    Returns GIF_OK or GIF_ERROR.
    """
    cdef GifRecordType rtype
    cdef GifByteType *ext
    cdef int code
    cdef size_t start
    image.disposal = 0
    image.transparent = -1
    done[0] = False
    while True:
        start = reader.pos
        if DGifGetRecordType(gif, &rtype) == GIF_ERROR:
            if start == reader.size:
                done[0] = True
                return GIF_OK
            return GIF_ERROR
        if rtype == IMAGE_DESC_RECORD_TYPE:
            if DGifGetImageDesc(gif) == GIF_ERROR:
                return GIF_ERROR
            image.left = gif.Image.Left
            image.top = gif.Image.Top
            image.width = gif.Image.Width
            image.height = gif.Image.Height
            image.interlace = gif.Image.Interlace
            image.colormap = gif.Image.ColorMap if gif.Image.ColorMap != NULL else gif.SColorMap
            return GIF_OK
        if rtype == EXTENSION_RECORD_TYPE:
            if DGifGetExtension(gif, &code, &ext) == GIF_ERROR:
                return GIF_ERROR
            if code == GRAPHICS_EXT_FUNC_CODE and ext != NULL and ext[0] >= 4:
                image.disposal = (ext[1] >> 2) & 7
                image.transparent = ext[4] if ext[1] & 1 else -1
            while ext != NULL:
                if DGifGetExtensionNext(gif, &ext) == GIF_ERROR:
                    return GIF_ERROR
        elif rtype == TERMINATE_RECORD_TYPE:
            done[0] = True
            return GIF_OK


cdef int _skip_image(GifFileType *gif) noexcept nogil:
    """Skip the compressed data of the image at hand."""
    cdef GifByteType *block
    cdef int codesize
    if DGifGetCode(gif, &codesize, &block) == GIF_ERROR:
        return GIF_ERROR
    while block != NULL:
        if DGifGetCodeNext(gif, &block) == GIF_ERROR:
            return GIF_ERROR
    return GIF_OK


cdef extern from 'gif_lzw.h' nogil:
    int NDC_GIF_LZW_SLACK
    ssize_t ndc_gif_lzw_decode(const uint8_t *src, size_t srcsize, int mincode, uint8_t *dst, size_t dstsize)


cdef struct _Pixels:
    # the palette indices of the image at hand, rows in stream order
    uint8_t *data
    size_t size
    # its LZW data, the sub-blocks joined
    uint8_t *code
    size_t codesize


cdef int _grow(uint8_t **buffer, size_t *size, size_t needed) noexcept nogil:
    """Make `buffer` hold at least `needed` bytes; 0, or ERR_MEMORY."""
    cdef uint8_t *larger
    if needed <= size[0]:
        return 0
    if needed < 2 * size[0]:
        needed = 2 * size[0]
    larger = <uint8_t *>realloc(buffer[0], needed)
    if larger == NULL:
        return ERR_MEMORY
    buffer[0] = larger
    size[0] = needed
    return 0


cdef int _read_pixels(GifFileType *gif, _Image *image, _Pixels *p) noexcept nogil:
    """Read and decompress the image at hand: 0, giflib's error or ours.

    giflib hands over the sub-blocks; our decoder expands them, which is
    faster than giflib's line by line decoding."""
    cdef GifByteType *block
    cdef int mincode
    cdef size_t used = 0, npixels = <size_t>image.width * image.height
    cdef ssize_t decoded
    if DGifGetCode(gif, &mincode, &block) == GIF_ERROR:
        return gif.Error
    while block != NULL:
        if _grow(&p.code, &p.codesize, used + block[0]) != 0:
            return ERR_MEMORY
        memcpy(p.code + used, block + 1, block[0])
        used += block[0]
        if DGifGetCodeNext(gif, &block) == GIF_ERROR:
            return gif.Error
    if npixels == 0:
        return 0
    if _grow(&p.data, &p.size, npixels + NDC_GIF_LZW_SLACK) != 0:
        return ERR_MEMORY
    decoded = ndc_gif_lzw_decode(p.code, used, mincode, p.data, npixels)
    if decoded < 0:
        return ERR_LZW
    if <size_t>decoded < npixels:
        return ERR_SHORT
    return 0


cdef struct _Decoder:
    _Reader reader
    const char *func
    int error
    # from the scan: frames, the canvas holding all of them, alpha
    int nframes
    int width
    int height
    bint alpha
    size_t limit  # the most pixels the scan may decompress


cdef GifFileType *_open(_Decoder *d) noexcept nogil:
    cdef GifFileType *gif
    d.reader.pos = 0
    d.func = b'DGifOpen'
    gif = DGifOpen(&d.reader, _read, &d.error)
    return gif


cdef int _close(GifFileType *gif) noexcept nogil:
    cdef int error = 0
    DGifCloseFile(gif, &error)
    return 0


cdef int _scan(_Decoder *d) noexcept nogil:
    """Count the images and size the canvas without decompressing."""
    cdef GifFileType *gif = _open(d)
    cdef _Image image
    cdef _Pixels pixels
    cdef bint done = False
    cdef int ret = 0
    if gif == NULL:
        return -1
    memset(&pixels, 0, sizeof(pixels))
    d.width = gif.SWidth
    d.height = gif.SHeight
    d.nframes = 0
    d.alpha = False
    while True:
        d.func = b'DGifGetRecordType'
        if _next_image(gif, &d.reader, &image, &done) == GIF_ERROR:
            break
        if done:
            break
        if image.left + image.width > d.width:
            d.width = image.left + image.width
        if image.top + image.height > d.height:
            d.height = image.top + image.height
        if d.nframes == 0 and image.transparent >= 0:
            # frames have alpha if the first image uses its transparent index
            d.func = b'DGifGetCode'
            ret = ERR_LIMIT if <size_t>image.width * image.height > d.limit else _read_pixels(gif, &image, &pixels)
            if ret != 0:
                d.error = ret
                break
            d.alpha = image.width > 0 and image.height > 0 and memchr(
                pixels.data, image.transparent, <size_t>image.width * image.height) != NULL
        else:
            d.func = b'DGifGetCode'
            if _skip_image(gif) == GIF_ERROR:
                break
        d.nframes += 1
    if not done and ret == 0:
        d.error = gif.Error
    elif done and d.nframes == 0:
        d.error = ERR_NO_IMAGE
    free(pixels.data)
    free(pixels.code)
    _close(gif)
    return 0 if done and d.nframes > 0 else -1


cdef void _fill_rect(uint8_t *canvas, int stride, int channels, int left, int top, int width, int height) noexcept nogil:
    """Set a rectangle of the canvas to the background: zero."""
    cdef int y
    for y in range(top, top + height):
        memset(canvas + <size_t>y * stride + <size_t>left * channels, 0, <size_t>width * channels)


cdef void _copy_rect(uint8_t *dst, int dststride, const uint8_t *src, int srcstride, int rowsize, int height) noexcept nogil:
    cdef int y
    for y in range(height):
        memcpy(dst + <size_t>y * dststride, src + <size_t>y * srcstride, <size_t>rowsize)


cdef int _decode(_Decoder *d, uint8_t *out, int index, int channels, bint composite) noexcept nogil:
    """Decode all images (index < 0) or one into `out`, of `channels`
    samples: 1 for palette indices, 3 for RGB, 4 for RGBA."""
    cdef GifFileType *gif = _open(d)
    cdef _Image image, previous
    cdef bint done = False
    cdef uint8_t *canvas = out
    cdef _Pixels pixels
    cdef const uint8_t *row
    cdef uint8_t *saved = NULL
    cdef uint8_t *dst
    cdef uint8_t lut[256 * 4]
    cdef int stride = d.width * channels
    cdef size_t framesize = <size_t>d.height * stride
    cdef uint32_t colors[256]
    cdef uint32_t color
    cdef int frame = 0, y, x, i, row_index, pass_, step, ncolors, ret
    cdef int status = -1
    if gif == NULL:
        return -1
    memset(&pixels, 0, sizeof(pixels))
    previous.disposal = 0
    while True:
        d.func = b'DGifGetRecordType'
        if _next_image(gif, &d.reader, &image, &done) == GIF_ERROR:
            d.error = gif.Error
            break
        if done or frame >= d.nframes:
            if frame != d.nframes or (index >= 0 and frame <= index):
                d.error = ERR_CHANGED
            else:
                status = 0
            break
        if image.left + image.width > d.width or image.top + image.height > d.height:
            d.error = ERR_CHANGED
            break
        if index >= 0 and frame != index:
            d.func = b'DGifGetCode'
            if _skip_image(gif) == GIF_ERROR:
                d.error = gif.Error
                break
            frame += 1
            continue

        if channels > 1:
            if image.colormap == NULL:
                d.error = ERR_NO_COLORMAP
                d.func = b'DGifGetImageDesc'
                break
            ncolors = image.colormap.ColorCount
            if ncolors > 256:
                ncolors = 256
            memset(lut, 0, sizeof(lut))
            for i in range(256):
                lut[i * 4 + 3] = 255
            for i in range(ncolors if ncolors > 0 else 0):
                lut[i * 4] = image.colormap.Colors[i].Red
                lut[i * 4 + 1] = image.colormap.Colors[i].Green
                lut[i * 4 + 2] = image.colormap.Colors[i].Blue
            memcpy(colors, lut, sizeof(lut))

        # the canvas this frame is drawn on
        if index >= 0 or frame == 0 or not composite or previous.disposal > DISPOSE_PREVIOUS:
            # reserved disposal methods clear the canvas, as in imagecodecs
            memset(canvas, 0, framesize)
        else:
            memcpy(canvas, canvas - framesize, framesize)
            if previous.disposal == DISPOSE_BACKGROUND:
                _fill_rect(canvas, stride, channels, previous.left, previous.top, previous.width, previous.height)
            elif previous.disposal == DISPOSE_PREVIOUS and saved != NULL:
                _copy_rect(canvas + <size_t>previous.top * stride + <size_t>previous.left * channels, stride,
                           saved, previous.width * channels, previous.width * channels, previous.height)
        if composite and index < 0 and image.disposal == DISPOSE_PREVIOUS:
            free(saved)
            saved = <uint8_t *>malloc(<size_t>image.width * image.height * channels + 1)
            if saved == NULL:
                d.error = ERR_MEMORY
                break
            _copy_rect(saved, image.width * channels,
                       canvas + <size_t>image.top * stride + <size_t>image.left * channels, stride,
                       image.width * channels, image.height)

        d.func = b'DGifGetCode'
        ret = _read_pixels(gif, &image, &pixels)
        if ret != 0:
            d.error = ret
            break
        pass_ = 0
        row_index = 0
        step = 8 if image.interlace else 1
        for y in range(image.height):
            row = pixels.data + <size_t>y * image.width
            dst = canvas + <size_t>(image.top + row_index) * stride + <size_t>image.left * channels
            if channels == 1:
                memcpy(dst, row, <size_t>image.width)
            elif image.transparent < 0 and channels == 4:
                for x in range(image.width):
                    memcpy(dst + 4 * x, &colors[row[x]], 4)
            elif image.transparent < 0:
                for x in range(image.width):
                    memcpy(dst + 3 * x, &colors[row[x]], 3)
            else:
                for x in range(image.width):
                    i = row[x]
                    if i != image.transparent:
                        memcpy(dst + channels * x, &colors[i], channels)
            row_index += step
            while image.interlace and row_index >= image.height and pass_ < 3:
                # interlaced rows come in four passes: every 8th from 0,
                # every 8th from 4, every 4th from 2, every 2nd from 1
                pass_ += 1
                row_index = 8 >> pass_
                step = 16 >> pass_
        previous = image
        frame += 1
        if index >= 0:
            status = 0
            break
        canvas += framesize
    free(pixels.data)
    free(pixels.code)
    free(saved)
    _close(gif)
    return status


def gif_decode(data, /, index=None, *, asrgb=True, out=None, max_output=None):
    """Return a GIF image or animation as a uint8 array.

    With `index` None, all images of the file, composited onto the canvas
    one after the other, (frames, H, W, 3|4), or (H, W, 3|4) for a single
    image; else image `index` alone on a black background (negative counts
    from the end). Frames are RGBA if the first image has a transparent
    color, else RGB. With `asrgb` False, the palette indices of the images,
    uncomposited, (frames, H, W) or (H, W). The canvas is the logical screen,
    grown to hold every image. The result is limited to `max_output` bytes
    (default: ndcodecs.get_max_output()).
    """
    cdef Input src = read_input(data)
    cdef _Decoder d
    cdef int ret, channels, cindex = -1
    cdef bint composite = bool(asrgb)
    cdef uint8_t[::1] flat
    if index is not None:
        index = operator.index(index)
    if src.size == 0:
        raise GifError('DGifOpen: empty input')
    d.reader.data = src.data
    d.reader.size = <size_t>src.size
    d.error = 0
    d.limit = <size_t>output_limit(max_output) if out is None else <size_t>-1
    with nogil:
        ret = _scan(&d)
    if ret != 0:
        if d.error == ERR_MEMORY:
            raise MemoryError(f'{d.func.decode()}: out of memory')
        raise GifError(_message(d.func, d.error))
    if index is not None:
        if index < 0:
            index += d.nframes
        if not 0 <= index < d.nframes:
            raise IndexError(f'index={index if index >= 0 else index - d.nframes} out of range [0, {d.nframes - 1}]')
        cindex = index
    channels = (4 if d.alpha else 3) if composite else 1
    shape = (d.height, d.width)
    if channels > 1:
        shape = (*shape, channels)
    if index is None and d.nframes > 1:
        shape = (d.nframes, *shape)
    result = array_output(out, shape, numpy.uint8, GifError, max_output)
    flat = result.reshape(-1)
    with nogil:
        ret = _decode(&d, &flat[0], cindex, channels, composite)
    if ret != 0:
        if d.error == ERR_MEMORY:
            raise MemoryError(f'{d.func.decode()}: out of memory')
        raise GifError(_message(d.func, d.error))
    return result


# Writing: giflib pushes bytes through its output callback into a Sink.

cdef int _write(GifFileType *gif, const GifByteType *buf, int size) noexcept nogil:
    if size <= 0:
        return 0
    if sink_write(<Sink *>gif.UserData, buf, <size_t>size) != 0:
        return 0
    return size


def gif_encode(data, /, level=None, *, colormap=None, out=None):
    """Return gray or indexed images encoded as GIF.

    `data` is a uint8 array (H, W), or (frames, H, W) for an animation.
    `colormap` is a uint8 array of up to 256 RGB colors, (N, 3); by default
    a gray ramp, index i being gray level i. `level` is ignored: GIF has one
    compression.
    """
    arr = as_array(data)
    if arr.dtype != numpy.uint8:
        raise ValueError(f'expected uint8 samples, not {arr.dtype}')
    if arr.ndim not in (2, 3):
        raise ValueError(f'expected an (H, W) or (frames, H, W) array, not {arr.ndim}-D')
    if 0 in arr.shape or max(arr.shape[arr.ndim - 2:]) > 0xFFFF:
        raise ValueError(f'invalid image shape {arr.shape} for GIF (1 to 65535 pixels a side)')
    cdef Input src = read_input(arr)
    cdef GifColorType colors[256]
    cdef ColorMapObject cmap
    cdef int nframes = arr.shape[0] if arr.ndim == 3 else 1
    cdef int height = arr.shape[arr.ndim - 2], width = arr.shape[arr.ndim - 1]
    cdef size_t npixels = <size_t>width * height
    cdef size_t bound
    cdef int i, y, ret = GIF_OK, error = 0
    cdef const char *func = b'EGifOpen'
    cdef GifFileType *gif
    cdef uint8_t *row
    cdef Sink sink
    cdef Output dst

    if colormap is None:
        for i in range(256):
            colors[i].Red = colors[i].Green = colors[i].Blue = i
    else:
        table = numpy.asarray(colormap)
        if table.dtype != numpy.uint8 or table.ndim != 2 or table.shape[1] != 3 or not 1 <= table.shape[0] <= 256:
            raise ValueError(f'expected a uint8 colormap of shape (N <= 256, 3), not {table.shape} {table.dtype}')
        table = numpy.ascontiguousarray(table)
        memset(colors, 0, sizeof(colors))
        memcpy(colors, <const uint8_t *><size_t>table.ctypes.data, table.shape[0] * 3)
    cmap.ColorCount = 256
    cmap.BitsPerPixel = 8
    cmap.SortFlag = False
    cmap.Colors = colors

    # LZW codes are at most 12 bits a pixel, in sub-blocks of 255 bytes
    bound = 800 + nframes * (npixels * 3 // 2 + npixels // 128 + 32)
    dst = encode_output(out, <Py_ssize_t>bound, GifError)
    sink_init(&sink, dst)
    row = <uint8_t *>malloc(<size_t>width)
    if row == NULL:
        raise MemoryError('gif_encode: out of memory')
    try:
        with nogil:
            gif = EGifOpen(&sink, _write, &error)
            if gif != NULL:
                func = b'EGifPutScreenDesc'
                ret = EGifPutScreenDesc(gif, width, height, 8, 0, &cmap)
                i = 0
                while ret == GIF_OK and i < nframes:
                    func = b'EGifPutImageDesc'
                    ret = EGifPutImageDesc(gif, 0, 0, width, height, False, NULL)
                    func = b'EGifPutLine'
                    y = 0
                    while ret == GIF_OK and y < height:
                        # giflib masks the pixels in place: give it a copy
                        memcpy(row, src.data + i * npixels + <size_t>y * width, <size_t>width)
                        ret = EGifPutLine(gif, row, width)
                        y += 1
                    i += 1
                if ret != GIF_OK:
                    error = gif.Error
                    EGifCloseFile(gif, &y)
                else:
                    func = b'EGifCloseFile'
                    if EGifCloseFile(gif, &error) == GIF_ERROR:
                        ret = GIF_ERROR
    finally:
        free(row)
    if sink.error == NULL and (gif == NULL or ret != GIF_OK):
        raise GifError(_message(func, error))
    return sink_finish(&sink)

# cython: language_level=3, boundscheck=False, wraparound=False
"""AVIF codec through libavif and the AV1 codecs it was built with.

Images are numpy arrays of uint8 (8 bit) or uint16 (10 or 12 bit):
(H, W) gray, (H, W, 2) gray with alpha, (H, W, 3) RGB or (H, W, 4) RGBA;
image sequences have a leading frame axis.

Lossless encoding (the default, level None or 100) stores RGB as YUV 4:4:4
with the identity matrix in full range, so that Y, U and V are G, B and R
unchanged; gray images are stored as YUV 4:0:0.
"""

import enum

import numpy

from libc.stdint cimport uint8_t, uint16_t, uint32_t, uint64_t
from libc.string cimport memcpy

from ._shared cimport as_array, Input, Output, read_input, encode_output, array_output, output_limit, level_arg, numthreads_arg
from .avif cimport *

from .._errors import error_class

__all__ = ['AVIF', 'AvifError', 'avif_version', 'avif_check', 'avif_encode', 'avif_decode']


class AVIF:
    """AVIF constants."""

    available = True

    class PIXEL_FORMAT(enum.IntEnum):
        """YUV sampling of encoded images."""

        NONE = 0
        YUV444 = 1
        YUV422 = 2
        YUV420 = 3
        YUV400 = 4

    class QUALITY(enum.IntEnum):
        """Quality levels: 0 worst to 100 lossless."""

        DEFAULT = -1
        LOSSLESS = 100
        WORST = 0
        BEST = 100

    class SPEED(enum.IntEnum):
        """Encoder speeds."""

        DEFAULT = -1
        SLOWEST = 0
        FASTEST = 10

    class CHROMA_UPSAMPLING(enum.IntEnum):
        """How 4:2:0 and 4:2:2 chroma is upsampled when decoding."""

        AUTOMATIC = 0
        FASTEST = 1
        BEST_QUALITY = 2
        NEAREST = 3
        BILINEAR = 4

    class CODEC_CHOICE(enum.IntEnum):
        """AV1 codecs libavif may use; see `codecs` for those built in."""

        AUTO = 0
        AOM = 1
        DAV1D = 2
        LIBGAV1 = 3
        RAV1E = 4
        SVT = 5

    class COLOR_PRIMARIES(enum.IntEnum):
        """CICP color primaries written to the file."""

        UNKNOWN = 0
        BT709 = 1
        SRGB = 1
        UNSPECIFIED = 2
        BT470M = 4
        BT470BG = 5
        BT601 = 6
        SMPTE240 = 7
        GENERIC_FILM = 8
        BT2020 = 9
        XYZ = 10
        SMPTE431 = 11
        SMPTE432 = 12
        EBU3213 = 22

    class TRANSFER_CHARACTERISTICS(enum.IntEnum):
        """CICP transfer characteristics written to the file."""

        UNKNOWN = 0
        BT709 = 1
        UNSPECIFIED = 2
        BT470M = 4
        BT470BG = 5
        BT601 = 6
        SMPTE240 = 7
        LINEAR = 8
        LOG100 = 9
        LOG100_SQRT10 = 10
        IEC61966 = 11
        BT1361 = 12
        SRGB = 13
        BT2020_10BIT = 14
        BT2020_12BIT = 15
        PQ = 16
        SMPTE428 = 17
        HLG = 18

    class MATRIX_COEFFICIENTS(enum.IntEnum):
        """CICP matrix coefficients of the RGB to YUV conversion."""

        IDENTITY = 0
        BT709 = 1
        UNSPECIFIED = 2
        FCC = 4
        BT470BG = 5
        BT601 = 6
        SMPTE240 = 7
        YCGCO = 8
        BT2020_NCL = 9
        BT2020_CL = 10
        SMPTE2085 = 11
        CHROMA_DERIVED_NCL = 12
        CHROMA_DERIVED_CL = 13
        ICTCP = 14


AvifError = error_class('avif')

cdef dict _CODEC_NAMES = {
    'auto': 0, 'aom': 1, 'libaom': 1, 'dav1d': 2, 'libgav1': 3, 'gav1': 3,
    'rav1e': 4, 'svt': 5, 'svt-av1': 5,
}

# brands of AVIF images and image sequences
cdef tuple _BRANDS = (b'avif', b'avis')


def _codec_names(int flag):
    names = []
    cdef const char *name
    cdef int value
    for choice in AVIF.CODEC_CHOICE:
        value = choice
        if value == 0:
            continue
        with nogil:
            name = avifCodecName(<avifCodecChoice>value, flag)
        if name != NULL:
            names.append(choice.name.lower())
    return tuple(names)


AVIF.encoders = _codec_names(AVIF_CODEC_FLAG_CAN_ENCODE)
AVIF.decoders = _codec_names(AVIF_CODEC_FLAG_CAN_DECODE)


def avif_version():
    """Return the libavif version and its AV1 codecs' versions."""
    cdef char buf[256]
    cdef const char *version
    with nogil:
        avifCodecVersions(buf)
        version = avifVersion()
    return f'libavif {version.decode()} ({buf.decode(errors="replace")})'


def avif_check(data, /):
    """Return True if `data` starts with an ftyp box of an AVIF brand."""
    head = bytes(data[:64])
    if len(head) < 16 or head[4:8] != b'ftyp':
        return False
    size = int.from_bytes(head[:4], 'big')
    if head[8:12] in _BRANDS:
        return True
    end = min(size, len(head))
    return any(head[i:i + 4] in _BRANDS for i in range(16, end - 3, 4))


cdef int _raise(str func, avifResult res, const char *diag) except -1:
    msg = f'{func} returned {avifResultToString(res).decode()}'
    if diag != NULL and diag[0] != 0:
        msg += f': {diag.decode(errors="replace")}'
    if res == AVIF_RESULT_OUT_OF_MEMORY:
        raise MemoryError(msg)
    raise AvifError(msg)


cdef int _enum_arg(object value, object enum_type, int default, str name, dict names=None) except? -999:
    """Return an enum argument given as member, int, name or None."""
    if value is None:
        return default
    if isinstance(value, str):
        key = value.lower()
        if names is not None and key in names:
            return names[key]
        key = value.upper()
        if key.isdigit():
            key = 'YUV' + key
        try:
            return enum_type[key.replace('-', '_')]
        except KeyError:
            raise ValueError(f'invalid {name}={value!r}') from None
    try:
        return enum_type(value.__index__())
    except AttributeError:
        raise TypeError(f'invalid {name}={value!r}') from None
    except ValueError:
        raise ValueError(f'invalid {name}={value!r}') from None


cdef tuple _frames(object data):
    """Return the frames of `data` as C-contiguous image arrays."""
    data = as_array(data)
    if data.dtype not in (numpy.uint8, numpy.uint16):
        raise ValueError(f'expected uint8 or uint16 samples, not {data.dtype}')
    if data.ndim == 2:
        frames = [data]
    elif data.ndim == 3:
        frames = [data] if 1 <= data.shape[2] <= 4 else list(data)
    elif data.ndim == 4:
        frames = list(data)
    else:
        raise ValueError(f'expected a 2-D to 4-D image array, not {data.ndim}-D')
    if not frames or frames[0].shape[0] < 1 or frames[0].shape[1] < 1:
        raise ValueError(f'invalid image shape {data.shape}')
    if frames[0].ndim == 3 and not 1 <= frames[0].shape[2] <= 4:
        raise ValueError(f'expected 1 to 4 samples per pixel, not {frames[0].shape[2]}')
    if frames[0].shape[0] > 65536 or frames[0].shape[1] > 65536:
        raise ValueError(f'image shape {data.shape} exceeds the AV1 limit of 65536')
    return tuple(numpy.ascontiguousarray(f, f.dtype.newbyteorder('=')) for f in frames)


cdef int _fill_image(avifImage *image, const uint8_t *src, int samples, int itemsize, avifRange yuvrange) except -1 nogil:
    """Set the planes of `image` from interleaved samples; return 0 or an avifResult."""
    cdef avifRGBImage rgb
    cdef avifResult res
    cdef uint32_t y, x, w = image.width, h = image.height
    cdef size_t stride = <size_t>w * samples * itemsize
    cdef int planes = AVIF_PLANES_YUV | (AVIF_PLANES_A if samples == 2 else 0)
    if samples >= 3:
        avifRGBImageSetDefaults(&rgb, image)
        rgb.format = AVIF_RGB_FORMAT_RGBA if samples == 4 else AVIF_RGB_FORMAT_RGB
        rgb.depth = image.depth
        rgb.pixels = <uint8_t *>src
        rgb.rowBytes = <uint32_t>stride
        return <int>avifImageRGBToYUV(image, &rgb)
    res = avifImageAllocatePlanes(image, planes)
    if res != AVIF_RESULT_OK:
        return <int>res
    image.yuvRange = yuvrange
    for y in range(h):
        if itemsize == 1:
            for x in range(w):
                image.yuvPlanes[0][y * image.yuvRowBytes[0] + x] = src[y * stride + x * samples]
                if samples == 2:
                    image.alphaPlane[y * image.alphaRowBytes + x] = src[y * stride + x * 2 + 1]
        else:
            for x in range(w):
                (<uint16_t *>(image.yuvPlanes[0] + y * image.yuvRowBytes[0]))[x] = (<const uint16_t *>(src + y * stride))[x * samples]
                if samples == 2:
                    (<uint16_t *>(image.alphaPlane + y * image.alphaRowBytes))[x] = (<const uint16_t *>(src + y * stride))[x * 2 + 1]
    return 0


def avif_encode(
    data, /, level=None, *, speed=None, tilelog2=None, bitspersample=None,
    pixelformat=None, codec=None, primaries=None, transfer=None, matrix=None,
    numthreads=None, out=None,
):
    """Return an image array, or a sequence of frames, encoded as AVIF.

    `data` is uint8 or uint16, (H, W), (H, W, 1 to 4) or frames along a
    leading axis. `level` is the quality, 0 to 100 (None or 100: lossless,
    RGB as YUV 4:4:4 with the identity matrix). `speed` is 0 (slowest) to
    10 (fastest), -1 the codec's default (default 6; at most 6 for sequences
    through aom, which crashes on some at 7 to 10). `tilelog2` is (rows, columns) of
    log2 tiles. `bitspersample` is 8 (uint8), 10 or 12 (uint16; default 12
    for uint16), and uint16 samples must fit it. `pixelformat` is an AVIF.PIXEL_FORMAT or '444', '422',
    '420', '400' for lossy RGB (default 444). `codec` picks the AV1 encoder
    (AVIF.CODEC_CHOICE or a name from AVIF.encoders). `primaries`,
    `transfer` and `matrix` are the CICP values written. `numthreads` is
    the encoder's thread count (0: all cores).
    """
    frames = _frames(data)
    first = frames[0]
    for f in frames:
        if f.shape != first.shape or f.dtype != first.dtype:
            raise ValueError('all frames must have the same shape and dtype')
    cdef int quality = level_arg(level, 100, -1, 100)
    if quality < 0:
        quality = 100
    cdef bint lossless = quality == 100
    # None is avifenc's default speed 6; -1 leaves the codec's default,
    # for aom its slowest, which takes seconds for a megapixel
    cdef int cspeed = level_arg(speed, 6, -1, 10)
    cdef int itemsize = first.dtype.itemsize
    cdef int samples = 1 if first.ndim == 2 else first.shape[2]
    cdef int depth
    if bitspersample is None:
        depth = 8 if itemsize == 1 else 12
    else:
        depth = bitspersample.__index__()
    if (itemsize == 1) != (depth == 8) or depth not in (8, 10, 12):
        raise ValueError(f'bitspersample={depth} not supported for {first.dtype}: 8 for uint8, 10 or 12 for uint16')
    if depth > 8:
        # libaom asserts (aborting the process) on samples past the depth
        top = max(int(f.max()) for f in frames)
        if top >= 1 << depth:
            raise ValueError(f'a sample of {top} does not fit bitspersample={depth}')
    cdef int fmt = _enum_arg(pixelformat, AVIF.PIXEL_FORMAT, 1, 'pixelformat')
    if samples <= 2:
        fmt = AVIF_PIXEL_FORMAT_YUV400
    elif lossless or fmt == 0:
        fmt = AVIF_PIXEL_FORMAT_YUV444
    cdef int choice = _enum_arg(codec, AVIF.CODEC_CHOICE, 0, 'codec', _CODEC_NAMES)
    if choice and choice in (2, 3):
        raise ValueError(f'codec={codec!r} cannot encode; encoders: {AVIF.encoders}')
    cdef bint aom = choice == AVIF_CODEC_CHOICE_AOM or (choice == 0 and AVIF.encoders[:1] == ('aom',))
    if aom and len(frames) > 1 and cspeed > 6:
        # libaom 3.6 crashes (SIGSEGV at speed 7, failed assertions in its
        # rate control at 8 to 10) on sequences of monochrome planes: gray
        # frames, and the alpha of RGBA frames
        cspeed = 6
    cdef int cprim = _enum_arg(primaries, AVIF.COLOR_PRIMARIES, 2, 'primaries')
    cdef int ctrans = _enum_arg(transfer, AVIF.TRANSFER_CHARACTERISTICS, 2, 'transfer')
    cdef int cmatrix = _enum_arg(
        matrix, AVIF.MATRIX_COEFFICIENTS,
        AVIF_MATRIX_COEFFICIENTS_IDENTITY if lossless else AVIF_MATRIX_COEFFICIENTS_BT601, 'matrix'
    )
    if lossless and samples >= 3:
        cmatrix = AVIF_MATRIX_COEFFICIENTS_IDENTITY
    cdef int tilerows = 0, tilecols = 0
    if tilelog2 is not None:
        tilerows, tilecols = (int(tilelog2), int(tilelog2)) if not hasattr(tilelog2, '__len__') else (int(v) for v in tilelog2)
        tilerows = min(max(tilerows, 0), 6)
        tilecols = min(max(tilecols, 0), 6)
    cdef int nthreads = numthreads_arg(numthreads)
    # quality to AV1 quantizer, 0 (lossless) to 63, as libavif 1.x maps it
    cdef int quantizer = ((100 - quality) * AVIF_QUANTIZER_WORST_QUALITY + 50) // 100
    cdef uint32_t width = first.shape[1], height = first.shape[0]
    cdef Py_ssize_t n = len(frames)
    cdef avifEncoder *encoder = NULL
    cdef avifImage *image = NULL
    cdef avifRWData output
    cdef avifResult res = AVIF_RESULT_OK
    cdef int ret
    cdef Input src
    cdef Output dst
    cdef avifAddImageFlags flags = AVIF_ADD_IMAGE_FLAG_SINGLE if n == 1 else AVIF_ADD_IMAGE_FLAG_NONE
    output.data = NULL
    output.size = 0
    try:
        with nogil:
            encoder = avifEncoderCreate()
            image = avifImageCreate(width, height, depth, <avifPixelFormat>fmt)
        if encoder == NULL or image == NULL:
            raise MemoryError('avifEncoderCreate failed')
        encoder.codecChoice = <avifCodecChoice>choice
        encoder.maxThreads = nthreads
        encoder.speed = cspeed
        encoder.minQuantizer = encoder.maxQuantizer = quantizer
        encoder.minQuantizerAlpha = encoder.maxQuantizerAlpha = quantizer
        if 0 < quantizer and aom:
            # constant quality with adaptive quantizers, as libavif 1.x
            # encodes a quality with aom, rather than one fixed quantizer
            encoder.minQuantizer = encoder.minQuantizerAlpha = 0
            encoder.maxQuantizer = encoder.maxQuantizerAlpha = AVIF_QUANTIZER_WORST_QUALITY
            cqlevel = str(quantizer).encode()
            avifEncoderSetCodecSpecificOption(encoder, b'end-usage', b'q')
            avifEncoderSetCodecSpecificOption(encoder, b'cq-level', cqlevel)
            avifEncoderSetCodecSpecificOption(encoder, b'alpha:cq-level', cqlevel)
        encoder.tileRowsLog2 = tilerows
        encoder.tileColsLog2 = tilecols
        encoder.timescale = 1
        image.yuvRange = AVIF_RANGE_FULL
        image.colorPrimaries = cprim
        image.transferCharacteristics = ctrans
        image.matrixCoefficients = cmatrix
        for i in range(n):
            src = read_input(frames[i])
            with nogil:
                ret = _fill_image(image, src.data, samples, itemsize, AVIF_RANGE_FULL)
                if ret == 0:
                    res = avifEncoderAddImage(encoder, image, 1, flags)
            if ret != 0:
                _raise('avifImageRGBToYUV', <avifResult>ret, NULL)
            if res != AVIF_RESULT_OK:
                _raise('avifEncoderAddImage', res, encoder.diag.error)
        with nogil:
            res = avifEncoderFinish(encoder, &output)
        if res != AVIF_RESULT_OK:
            _raise('avifEncoderFinish', res, encoder.diag.error)
        dst = encode_output(out, <Py_ssize_t>output.size, AvifError)
        if <size_t>dst.size < output.size:
            raise AvifError(f'output too small: {output.size} bytes needed, out= holds {dst.size}')
        with nogil:
            memcpy(dst.data, output.data, output.size)
        return dst.finish(<Py_ssize_t>output.size)
    finally:
        with nogil:
            avifRWDataFree(&output)
            if image != NULL:
                avifImageDestroy(image)
            if encoder != NULL:
                avifEncoderDestroy(encoder)


cdef int _copy_frame(avifImage *image, uint8_t *dst, int samples, int itemsize, bint alpha) except -1 nogil:
    """Write the decoded `image` as interleaved samples; return 0 or an avifResult."""
    cdef avifRGBImage rgb
    cdef uint32_t y, x, w = image.width, h = image.height
    cdef size_t stride = <size_t>w * samples * itemsize
    cdef int v, lo, hi, maxval = (1 << image.depth) - 1
    cdef const uint8_t *row
    if samples >= 3:
        avifRGBImageSetDefaults(&rgb, image)
        rgb.format = AVIF_RGB_FORMAT_RGBA if samples == 4 else AVIF_RGB_FORMAT_RGB
        rgb.depth = image.depth
        rgb.pixels = dst
        rgb.rowBytes = <uint32_t>stride
        return <int>avifImageYUVToRGB(image, &rgb)
    if image.yuvPlanes[0] == NULL or (alpha and image.alphaPlane == NULL):
        return <int>AVIF_RESULT_NO_CONTENT
    # limited range gray is stretched to full range, as libavif does for RGB
    lo = 0 if image.yuvRange == AVIF_RANGE_FULL else 16 << (image.depth - 8)
    hi = maxval if image.yuvRange == AVIF_RANGE_FULL else 235 << (image.depth - 8)
    for y in range(h):
        row = image.yuvPlanes[0] + y * image.yuvRowBytes[0]
        for x in range(w):
            v = row[x] if itemsize == 1 else (<const uint16_t *>row)[x]
            if lo != 0 or hi != maxval:
                v = ((v - lo) * maxval + (hi - lo) // 2) // (hi - lo)
                v = 0 if v < 0 else maxval if v > maxval else v
            if itemsize == 1:
                dst[y * stride + x * samples] = <uint8_t>v
            else:
                (<uint16_t *>(dst + y * stride))[x * samples] = <uint16_t>v
        if alpha:
            row = image.alphaPlane + y * image.alphaRowBytes
            if itemsize == 1:
                for x in range(w):
                    dst[y * stride + x * 2 + 1] = row[x]
            else:
                for x in range(w):
                    (<uint16_t *>(dst + y * stride))[x * 2 + 1] = (<const uint16_t *>row)[x]
    return 0


def avif_decode(data, /, index=None, *, numthreads=None, codec=None, out=None, max_output=None):
    """Return the image of an AVIF file as a numpy array.

    `index` selects a frame of an image sequence; None returns all frames
    along a leading axis (a single image has none). uint8 for 8-bit
    images, uint16 for 10 and 12 bit; (H, W) gray, (H, W, 2) gray with
    alpha, (H, W, 3) RGB, (H, W, 4) RGBA. `numthreads` is the AV1
    decoder's thread count (0: all cores); `codec` picks the decoder
    (AVIF.CODEC_CHOICE or a name from AVIF.decoders).
    """
    cdef Input src = read_input(data)
    cdef int nthreads = numthreads_arg(numthreads)
    cdef int choice = _enum_arg(codec, AVIF.CODEC_CHOICE, 0, 'codec', _CODEC_NAMES)
    if choice in (4, 5):
        raise ValueError(f'codec={codec!r} cannot decode; decoders: {AVIF.decoders}')
    cdef Py_ssize_t limit = output_limit(max_output)
    cdef avifDecoder *decoder = NULL
    cdef avifResult res
    cdef int ret = 0
    cdef int frame, nframes, first, samples, itemsize
    cdef uint32_t width, height, depth
    cdef bint alpha, gray
    cdef uint8_t *dst
    cdef size_t framesize
    cdef bint sequential = index is None
    if index is not None:
        index = index.__index__()
    try:
        with nogil:
            decoder = avifDecoderCreate()
        if decoder == NULL:
            raise MemoryError('avifDecoderCreate failed')
        decoder.maxThreads = nthreads
        decoder.codecChoice = <avifCodecChoice>choice
        decoder.ignoreExif = decoder.ignoreXMP = AVIF_TRUE
        # the AV1 decoder refuses frames of more pixels than the output may hold
        if <uint64_t>limit < <uint64_t>decoder.imageSizeLimit:
            decoder.imageSizeLimit = <uint32_t>(limit if limit > 0 else 1)
        with nogil:
            res = avifDecoderSetIOMemory(decoder, src.data, <size_t>src.size)
            if res == AVIF_RESULT_OK:
                res = avifDecoderParse(decoder)
        if res != AVIF_RESULT_OK:
            _raise('avifDecoderParse', res, decoder.diag.error)
        width = decoder.image.width
        height = decoder.image.height
        depth = decoder.image.depth
        gray = decoder.image.yuvFormat == AVIF_PIXEL_FORMAT_YUV400
        alpha = bool(decoder.alphaPresent)
        if width == 0 or height == 0 or depth not in (8, 10, 12) or decoder.imageCount < 1:
            raise AvifError(f'invalid image: {width}x{height}, {depth} bit, {decoder.imageCount} frames')
        samples = (1 if gray else 3) + (1 if alpha else 0)
        itemsize = 1 if depth == 8 else 2
        shape = (<object>height, <object>width) if samples == 1 else (<object>height, <object>width, <object>samples)
        if index is None:
            nframes = decoder.imageCount
            first = 0
            if nframes > 1:
                shape = (nframes,) + shape
        else:
            if not 0 <= index < decoder.imageCount:
                raise IndexError(f'index {index} out of range of {decoder.imageCount} frames')
            nframes = 1
            first = index
        result = array_output(out, shape, numpy.uint8 if itemsize == 1 else numpy.uint16, AvifError, max_output)
        dst = <uint8_t *><size_t>result.ctypes.data
        framesize = <size_t>width * height * samples * itemsize
        for frame in range(first, first + nframes):
            with nogil:
                if sequential:
                    res = avifDecoderNextImage(decoder)
                else:
                    res = avifDecoderNthImage(decoder, <uint32_t>frame)
            if res != AVIF_RESULT_OK:
                _raise('avifDecoderNextImage', res, decoder.diag.error)
            if (decoder.image.width != width or decoder.image.height != height
                    or decoder.image.depth != depth
                    or (decoder.image.yuvFormat == AVIF_PIXEL_FORMAT_YUV400) != gray):
                raise AvifError('frame differs in size, depth or format from the first')
            with nogil:
                ret = _copy_frame(decoder.image, dst + (frame - first) * framesize, samples, itemsize, alpha)
            if ret != 0:
                _raise('avifImageYUVToRGB', <avifResult>ret, NULL)
        return result
    finally:
        if decoder != NULL:
            with nogil:
                avifDecoderDestroy(decoder)

# cython: language_level=3, boundscheck=False, wraparound=False
"""JPEG XL codec through libjxl.

Images are numpy arrays of uint8, uint16, float16 or float32: (H, W) gray,
(H, W, 2) gray with alpha, (H, W, 3) RGB, (H, W, 4) RGBA, with a leading
frame axis for animations. In planar mode, (C, H, W) holds a gray image
followed by C - 1 extra channels.
"""

import enum
import operator

import numpy

cimport cython
from libc.stdint cimport uint8_t, uint32_t

from ._shared cimport as_array, Input, Output, array_output, decode_output, encode_output, level_arg, numthreads_arg, output_limit, read_input
from .jxl cimport *

from .._errors import error_class

__all__ = [
    'JPEGXL', 'JpegxlError', 'jpegxl_version', 'jpegxl_check', 'jpegxl_encode',
    'jpegxl_decode', 'jpegxl_encode_jpeg', 'jpegxl_decode_jpeg',
]


class JPEGXL:
    """JPEG XL constants."""

    available = True

    class COLOR_SPACE(enum.IntEnum):
        """Color spaces of encoded images."""

        UNKNOWN = 3
        RGB = 0
        GRAY = 1
        XYB = 2

    class CHANNEL(enum.IntEnum):
        """Types of extra channels."""

        UNKNOWN = 15
        ALPHA = 0
        DEPTH = 1
        SPOT_COLOR = 2
        SELECTION_MASK = 3
        BLACK = 4
        CFA = 5
        THERMAL = 6
        OPTIONAL = 16


JpegxlError = error_class('jpegxl')

cdef dict _ENC_ERRORS = {
    JXL_ENC_ERR_OK: 'JXL_ENC_ERR_OK',
    JXL_ENC_ERR_GENERIC: 'JXL_ENC_ERR_GENERIC',
    JXL_ENC_ERR_OOM: 'JXL_ENC_ERR_OOM',
    JXL_ENC_ERR_JBRD: 'JXL_ENC_ERR_JBRD',
    JXL_ENC_ERR_BAD_INPUT: 'JXL_ENC_ERR_BAD_INPUT',
    JXL_ENC_ERR_NOT_SUPPORTED: 'JXL_ENC_ERR_NOT_SUPPORTED',
    JXL_ENC_ERR_API_USAGE: 'JXL_ENC_ERR_API_USAGE',
}

cdef dict _DTYPES = {
    'u1': JXL_TYPE_UINT8, 'u2': JXL_TYPE_UINT16,
    'f2': JXL_TYPE_FLOAT16, 'f4': JXL_TYPE_FLOAT,
}


def jpegxl_version():
    """Return the libjxl version string."""
    cdef uint32_t v = JxlDecoderVersion()
    return f'libjxl {v // 1000000}.{v // 1000 % 1000}.{v % 1000}'


def jpegxl_check(data, /):
    """Return True if `data` starts with a JPEG XL codestream or container."""
    cdef Input src = read_input(data)
    cdef JxlSignature sig
    with nogil:
        sig = JxlSignatureCheck(src.data, <size_t>src.size)
    return sig == JXL_SIG_CODESTREAM or sig == JXL_SIG_CONTAINER


cdef class _Runner:
    """A libjxl thread pool for one call, or none for a single thread."""
    cdef void *ptr

    def __cinit__(self, numthreads):
        cdef int n = numthreads_arg(numthreads)
        if n > 1:
            with nogil:
                self.ptr = JxlThreadParallelRunnerCreate(NULL, <size_t>n)
            if self.ptr == NULL:
                raise MemoryError('JxlThreadParallelRunnerCreate failed')

    def __dealloc__(self):
        if self.ptr != NULL:
            with nogil:
                JxlThreadParallelRunnerDestroy(self.ptr)


cdef class _Encoder:
    cdef JxlEncoder *enc
    cdef JxlEncoderFrameSettings *settings

    def __cinit__(self, _Runner runner):
        cdef JxlEncoderStatus estatus
        with nogil:
            self.enc = JxlEncoderCreate(NULL)
        if self.enc == NULL:
            raise MemoryError('JxlEncoderCreate failed')
        if runner.ptr != NULL:
            with nogil:
                estatus = JxlEncoderSetParallelRunner(self.enc, JxlThreadParallelRunner, runner.ptr)
            self.check(estatus, 'JxlEncoderSetParallelRunner')
        with nogil:
            self.settings = JxlEncoderFrameSettingsCreate(self.enc, NULL)
        if self.settings == NULL:
            raise MemoryError('JxlEncoderFrameSettingsCreate failed')

    def __dealloc__(self):
        if self.enc != NULL:
            with nogil:
                JxlEncoderDestroy(self.enc)

    cdef int check(self, JxlEncoderStatus status, str func) except -1:
        if status != JXL_ENC_SUCCESS:
            err = JxlEncoderGetError(self.enc)
            raise JpegxlError(f'{func} returned {_ENC_ERRORS.get(err, err)}')
        return 0

    cdef object output(self, object out, Py_ssize_t guess):
        """Run the encoder into `out`; return the encoded stream."""
        cdef Output dst = encode_output(out, guess, JpegxlError)
        cdef uint8_t *next_out
        cdef size_t avail, used = 0
        cdef JxlEncoderStatus status
        while True:
            next_out = dst.data + used
            avail = <size_t>dst.size - used
            with nogil:
                status = JxlEncoderProcessOutput(self.enc, &next_out, &avail)
            used = <size_t>(next_out - dst.data)
            if status != JXL_ENC_NEED_MORE_OUTPUT:
                break
            dst.grow()
        self.check(status, 'JxlEncoderProcessOutput')
        return dst.finish(<Py_ssize_t>used)


@cython.wraparound(True)
def _image(data, planar):
    """Return `data` as a native C-contiguous array and its (frames, height,
    width, samples, extra channels) layout."""
    arr = as_array(data)
    if arr.dtype.str[1:] not in _DTYPES:
        raise ValueError(f'expected uint8, uint16, float16 or float32 samples, not {arr.dtype}')
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder('='))
    arr = numpy.ascontiguousarray(arr)
    shape = arr.shape
    if planar:
        if arr.ndim == 2:
            layout = (1, shape[0], shape[1], 1, 0)
        elif arr.ndim in (3, 4):
            layout = (shape[0] if arr.ndim == 4 else 1, shape[-2], shape[-1], 1, shape[-3] - 1)
        else:
            raise ValueError(f'expected a 2-D to 4-D planar image array, not {arr.ndim}-D')
    elif arr.ndim == 2:
        layout = (1, shape[0], shape[1], 1, 0)
    elif arr.ndim == 3 and shape[2] <= 4:
        layout = (1, shape[0], shape[1], shape[2], 0)
    elif arr.ndim == 3:
        layout = (shape[0], shape[1], shape[2], 1, 0)
    elif arr.ndim == 4 and shape[3] <= 4:
        layout = shape + (0,)
    else:
        raise ValueError(f'invalid image shape {shape}')
    if min(layout[:4]) < 1 or max(layout[1:3]) > 0x3FFFFFFF or layout[4] > 255:
        raise ValueError(f'invalid image shape {shape}')
    return arr, layout


cdef float _distance(object level):
    """Return the butteraugli distance for a quality 0 to 100, as cjxl maps it."""
    cdef double q = float(level)
    if q >= 100:
        return 0.0
    if q >= 30:
        return <float>(0.1 + (100 - q) * 0.09)
    if q < 0:
        q = 0
    return <float>(53.0 / 3000.0 * q * q - 23.0 / 20.0 * q + 25.0)


# Images with fewer pixels encode with effort 7 at most: at 8 and 9
# libjxl 0.7's ANS encoder fails an assertion on some of up to 6 pixels.
cdef Py_ssize_t _SMALL_IMAGE = 256


def jpegxl_encode(
    data, /, level=None, *, effort=None, distance=None, lossless=None,
    decodingspeed=None, photometric=None, bitspersample=None, planar=None,
    usecontainer=None, numthreads=None, out=None,
):
    """Return an image array encoded as JPEG XL.

    `data` is a uint8, uint16, float16 or float32 array: (H, W), (H, W, 1 to
    4), or frames of those: (F, H, W) with W > 4, or (F, H, W, 1 to 4). With
    `planar`, (C, H, W) or (F, C, H, W) is a gray image with C - 1 extra
    channels. Float samples are nominally in [0, 1]. libjxl stores half
    floats from 2**-15 to 2**-14 (the larger subnormals) wrong, even
    lossless: they come back smaller.
    `lossless` defaults to True unless `level` (quality 0 to 100) or
    `distance` (butteraugli distance 0 to 25) is given. `effort` is 1 to 9
    (default 7; at most 7 for images under 256 pixels, on which libjxl 0.7
    aborts the process at 8 and 9), `decodingspeed` 0 to 4. `photometric` is a
    JPEGXL.COLOR_SPACE: lossy images are encoded in the XYB space
    unless it is RGB or GRAY. `bitspersample` is the precision of integer
    samples (default: their size). `usecontainer` wraps the codestream in
    the ISO BMFF container. `numthreads` (0: all cores) sets libjxl's
    threads.
    """
    arr, layout = _image(data, planar)
    nframes, height, width, samples, extra = layout
    cdef bint clossless = (level is None and distance is None) if lossless is None else bool(lossless)
    cdef float cdistance = 1.0
    cdef int ceffort = level_arg(effort, 0, 1, 9)
    if ceffort > 7 and height * width < _SMALL_IMAGE:
        ceffort = 7
    cdef int cspeed = level_arg(decodingspeed, -1, 0, 4)
    cdef int itemsize = arr.dtype.itemsize
    cdef int bits
    cdef JxlDataType dtype = _DTYPES[arr.dtype.str[1:]]
    cdef JxlBasicInfo info
    cdef JxlExtraChannelInfo ecinfo
    cdef JxlColorEncoding color
    cdef JxlFrameHeader header
    cdef JxlPixelFormat fmt
    cdef JxlPixelFormat planefmt
    cdef Py_ssize_t framesize, planesize
    cdef Input src
    cdef const uint8_t *frame
    cdef uint32_t i
    cdef bint original = False

    if distance is not None:
        cdistance = float(distance)
    elif level is not None:
        cdistance = _distance(level)
    if not 0.0 <= cdistance <= 25.0:
        raise ValueError(f'distance must be in 0 to 25, not {cdistance}')
    if photometric is not None:
        if isinstance(photometric, str):
            photometric = JPEGXL.COLOR_SPACE[photometric.upper()]
        original = JPEGXL.COLOR_SPACE(photometric) in (JPEGXL.COLOR_SPACE.RGB, JPEGXL.COLOR_SPACE.GRAY)
    if dtype == JXL_TYPE_FLOAT16:
        bits = 16
    elif dtype == JXL_TYPE_FLOAT:
        bits = 32
    else:
        bits = level_arg(bitspersample, 8 * itemsize, 1, 8 * itemsize)
        if bits < 8 * itemsize:
            # libjxl 0.7 reads full-range integers: scale to the range the
            # codestream stores at `bits`, exactly invertible by the decoder
            full = (1 << (8 * itemsize)) - 1
            top = (1 << bits) - 1
            arr = ((numpy.minimum(arr, top).astype(numpy.uint64) * full + top // 2) // top).astype(arr.dtype)

    cdef _Runner runner = _Runner(numthreads)
    cdef _Encoder enc = _Encoder(runner)
    JxlEncoderInitBasicInfo(&info)
    info.xsize = <uint32_t>width
    info.ysize = <uint32_t>height
    info.bits_per_sample = bits
    info.exponent_bits_per_sample = 5 if dtype == JXL_TYPE_FLOAT16 else 8 if dtype == JXL_TYPE_FLOAT else 0
    info.num_color_channels = 3 if samples >= 3 else 1
    info.num_extra_channels = extra + (1 if samples in (2, 4) else 0)
    if samples in (2, 4):
        info.alpha_bits = bits
        info.alpha_exponent_bits = info.exponent_bits_per_sample
    info.uses_original_profile = clossless or original
    if nframes > 1:
        info.have_animation = 1
        info.animation.tps_numerator = 10
        info.animation.tps_denominator = 1
        info.animation.num_loops = 0
        info.animation.have_timecodes = 0
    cdef bint isfloat = dtype == JXL_TYPE_FLOAT16 or dtype == JXL_TYPE_FLOAT
    cdef bint gray = info.num_color_channels == 1
    cdef bint container = bool(usecontainer)
    # libjxl 0.7 corrupts lossless 32-bit float images of under about 100
    # pixels unless the zero predictor is used
    cdef bint zeropredictor = clossless and dtype == JXL_TYPE_FLOAT and width * height < 256
    cdef JxlExtraChannelType ectype = JXL_CHANNEL_ALPHA if samples in (2, 4) else JXL_CHANNEL_OPTIONAL
    cdef uint32_t nextra = info.num_extra_channels
    cdef bint animated = nframes > 1
    cdef const char *func = b'JxlEncoderSetBasicInfo'
    cdef JxlEncoderStatus status
    with nogil:
        status = JxlEncoderSetBasicInfo(enc.enc, &info)
        if status == JXL_ENC_SUCCESS:
            if isfloat:
                JxlColorEncodingSetToLinearSRGB(&color, gray)
            else:
                JxlColorEncodingSetToSRGB(&color, gray)
            func = b'JxlEncoderSetColorEncoding'
            status = JxlEncoderSetColorEncoding(enc.enc, &color)
        i = 0
        while status == JXL_ENC_SUCCESS and i < nextra:
            JxlEncoderInitExtraChannelInfo(ectype, &ecinfo)
            ecinfo.bits_per_sample = bits
            ecinfo.exponent_bits_per_sample = info.exponent_bits_per_sample
            func = b'JxlEncoderSetExtraChannelInfo'
            status = JxlEncoderSetExtraChannelInfo(enc.enc, i, &ecinfo)
            i += 1
        if status == JXL_ENC_SUCCESS and container:
            func = b'JxlEncoderUseContainer'
            status = JxlEncoderUseContainer(enc.enc, 1)
        if status == JXL_ENC_SUCCESS and ceffort:
            func = b'JxlEncoderFrameSettingsSetOption'
            status = JxlEncoderFrameSettingsSetOption(enc.settings, JXL_ENC_FRAME_SETTING_EFFORT, ceffort)
        if status == JXL_ENC_SUCCESS and cspeed >= 0:
            func = b'JxlEncoderFrameSettingsSetOption'
            status = JxlEncoderFrameSettingsSetOption(enc.settings, JXL_ENC_FRAME_SETTING_DECODING_SPEED, cspeed)
        if status == JXL_ENC_SUCCESS and clossless:
            func = b'JxlEncoderSetFrameLossless'
            status = JxlEncoderSetFrameLossless(enc.settings, 1)
            if status == JXL_ENC_SUCCESS and zeropredictor:
                func = b'JxlEncoderFrameSettingsSetOption'
                status = JxlEncoderFrameSettingsSetOption(enc.settings, JXL_ENC_FRAME_SETTING_MODULAR_PREDICTOR, 0)
        elif status == JXL_ENC_SUCCESS:
            func = b'JxlEncoderSetFrameDistance'
            status = JxlEncoderSetFrameDistance(enc.settings, cdistance)
        if status == JXL_ENC_SUCCESS and animated:
            JxlEncoderInitFrameHeader(&header)
            header.duration = 1
            func = b'JxlEncoderSetFrameHeader'
            status = JxlEncoderSetFrameHeader(enc.settings, &header)
    enc.check(status, func.decode())

    src = read_input(arr)
    fmt.num_channels = <uint32_t>samples
    fmt.data_type = dtype
    fmt.endianness = JXL_NATIVE_ENDIAN
    fmt.align = 0
    planefmt = fmt
    planefmt.num_channels = 1
    planesize = <Py_ssize_t>height * width * itemsize
    framesize = planesize * (samples + extra)
    cdef Py_ssize_t f, cframes = nframes, csamples = samples, cextra = extra
    for f in range(cframes):
        frame = src.data + f * framesize
        with nogil:
            status = JxlEncoderAddImageFrame(enc.settings, &fmt, frame, <size_t>(planesize * csamples))
        enc.check(status, 'JxlEncoderAddImageFrame')
        for i in range(cextra):
            with nogil:
                status = JxlEncoderSetExtraChannelBuffer(enc.settings, &planefmt, frame + (i + 1) * planesize, <size_t>planesize, i)
            enc.check(status, 'JxlEncoderSetExtraChannelBuffer')
    with nogil:
        JxlEncoderCloseInput(enc.enc)
    return enc.output(out, framesize * nframes // 2 + 4096)


def jpegxl_encode_jpeg(data, /, *, usecontainer=None, numthreads=None, out=None):
    """Return a JPEG stream transcoded losslessly to JPEG XL.

    The reconstruction data is stored, so that jpegxl_decode_jpeg returns
    the original JPEG byte for byte. `usecontainer` is implied by it.
    """
    cdef Input src = read_input(data)
    cdef _Runner runner = _Runner(numthreads)
    cdef _Encoder enc = _Encoder(runner)
    cdef JxlEncoderStatus status, estatus
    if src.size < 2 or src.data[0] != 0xFF or src.data[1] != 0xD8:
        raise JpegxlError('not a JPEG stream')
    if usecontainer is None or usecontainer:
        with nogil:
            estatus = JxlEncoderUseContainer(enc.enc, 1)
        enc.check(estatus, 'JxlEncoderUseContainer')
    with nogil:
        estatus = JxlEncoderStoreJPEGMetadata(enc.enc, 1)
    enc.check(estatus, 'JxlEncoderStoreJPEGMetadata')
    with nogil:
        status = JxlEncoderAddJPEGFrame(enc.settings, src.data, <size_t>src.size)
    enc.check(status, 'JxlEncoderAddJPEGFrame')
    with nogil:
        JxlEncoderCloseInput(enc.enc)
    return enc.output(out, src.size + 4096)


cdef class _Decoder:
    cdef JxlDecoder *dec
    cdef Input src

    def __cinit__(self, Input src, _Runner runner, int events, bint keeporientation):
        cdef JxlDecoderStatus dstatus
        self.src = src
        with nogil:
            self.dec = JxlDecoderCreate(NULL)
        if self.dec == NULL:
            raise MemoryError('JxlDecoderCreate failed')
        if runner.ptr != NULL:
            with nogil:
                dstatus = JxlDecoderSetParallelRunner(self.dec, JxlThreadParallelRunner, runner.ptr)
            self.check(dstatus, 'JxlDecoderSetParallelRunner')
        if keeporientation:
            with nogil:
                dstatus = JxlDecoderSetKeepOrientation(self.dec, 1)
            self.check(dstatus, 'JxlDecoderSetKeepOrientation')
        with nogil:
            dstatus = JxlDecoderSubscribeEvents(self.dec, events)
        self.check(dstatus, 'JxlDecoderSubscribeEvents')
        with nogil:
            dstatus = JxlDecoderSetInput(self.dec, src.data, <size_t>src.size)
        self.check(dstatus, 'JxlDecoderSetInput')
        with nogil:
            JxlDecoderCloseInput(self.dec)

    def __dealloc__(self):
        if self.dec != NULL:
            with nogil:
                JxlDecoderDestroy(self.dec)

    cdef int check(self, JxlDecoderStatus status, str func) except -1:
        if status != JXL_DEC_SUCCESS:
            raise JpegxlError(f'{func} returned {_dec_status(status)}')
        return 0

    cdef JxlDecoderStatus next(self) except JXL_DEC_ERROR:
        """Return the next event; raise on errors and truncated input."""
        cdef JxlDecoderStatus status
        with nogil:
            status = JxlDecoderProcessInput(self.dec)
        if status == JXL_DEC_ERROR:
            raise JpegxlError('JxlDecoderProcessInput returned JXL_DEC_ERROR: invalid stream')
        if status == JXL_DEC_NEED_MORE_INPUT:
            raise JpegxlError('JxlDecoderProcessInput returned JXL_DEC_NEED_MORE_INPUT: truncated stream')
        return status


cdef str _dec_status(int status):
    return {
        JXL_DEC_SUCCESS: 'JXL_DEC_SUCCESS', JXL_DEC_ERROR: 'JXL_DEC_ERROR',
        JXL_DEC_NEED_MORE_INPUT: 'JXL_DEC_NEED_MORE_INPUT',
    }.get(status, str(status))


cdef str _dtype(uint32_t bits, uint32_t exponent_bits):
    if exponent_bits:
        return 'float16' if bits <= 16 and exponent_bits <= 5 else 'float32'
    return 'uint8' if bits <= 8 else 'uint16' if bits <= 16 else 'float32'


cdef _rescale(arr, uint32_t bits):
    """Scale full-range integer samples in place to `bits` (libjxl 0.7 has
    no way to ask for the codestream's own range)."""
    if arr.dtype.kind != 'u' or bits >= 8 * arr.dtype.itemsize:
        return
    full = (1 << (8 * arr.dtype.itemsize)) - 1
    top = (1 << bits) - 1
    arr[...] = (arr.astype(numpy.uint64) * top + full // 2) // full


cdef Py_ssize_t _count_frames(Input src, Py_ssize_t framesize, Py_ssize_t limit) except -1:
    """Return the number of frames, skipping their pixels; raise if all
    frames would exceed `limit` bytes."""
    cdef _Decoder dec = _Decoder(src, _Runner(1), JXL_DEC_FRAME, False)
    cdef Py_ssize_t nframes = 0
    while dec.next() != JXL_DEC_SUCCESS:
        nframes += 1
        if nframes * framesize > limit:
            raise JpegxlError(f'{nframes} frames exceed max_output={limit} bytes')
    return nframes


@cython.wraparound(True)
def jpegxl_decode(data, /, index=None, *, keeporientation=None, numthreads=None, out=None, max_output=None):
    """Return a JPEG XL image as a numpy array.

    Gray images give (H, W) arrays, gray with alpha (H, W, 2), RGB (H, W, 3)
    and RGBA (H, W, 4); a gray image with other extra channels gives
    (C, H, W). Animations give all frames along a leading axis, or only the
    frame `index`. The dtype follows the stored precision: uint8, uint16
    (up to 16 bit), float16 or float32. `keeporientation` leaves the
    stored orientation unapplied; `numthreads` (0: all cores) sets libjxl's
    threads. The result is limited to `max_output` bytes.
    """
    cdef Input src = read_input(data)
    cdef Py_ssize_t limit = output_limit(max_output) if out is None else 0x7FFFFFFFFFFFFFFF
    cdef _Runner runner = _Runner(numthreads)
    cdef bint keep = bool(keeporientation)
    cdef _Decoder dec
    cdef JxlBasicInfo info
    cdef JxlExtraChannelInfo ecinfo
    cdef JxlPixelFormat fmt
    cdef JxlDecoderStatus status, dstatus
    cdef size_t size, planesize
    cdef uint32_t i, nextra = 0, alpha = 0, nchannels, xsize, ysize
    cdef Py_ssize_t cindex = 0, nframes = 1, frame = 0, framesize, pixels
    cdef bint planar = False, frames_axis = False
    cdef uint8_t *buf
    if index is not None:
        cindex = operator.index(index)
        if cindex < 0:
            raise IndexError(f'frame index {cindex} out of range')
    if src.size == 0:
        raise JpegxlError('empty input')

    dec = _Decoder(src, runner, JXL_DEC_BASIC_INFO | JXL_DEC_FULL_IMAGE, keep)
    if dec.next() != JXL_DEC_BASIC_INFO:
        raise JpegxlError('no basic info in stream')
    with nogil:
        dstatus = JxlDecoderGetBasicInfo(dec.dec, &info)
    dec.check(dstatus, 'JxlDecoderGetBasicInfo')
    if info.num_color_channels not in (1, 3):
        raise JpegxlError(f'{info.num_color_channels} color channels not supported')
    xsize, ysize = info.xsize, info.ysize
    if not keep and info.orientation >= JXL_ORIENT_TRANSPOSE:
        xsize, ysize = ysize, xsize
    dtype = numpy.dtype(_dtype(info.bits_per_sample, info.exponent_bits_per_sample))
    pixels = <Py_ssize_t>xsize * ysize
    if pixels * dtype.itemsize * info.num_color_channels > limit:
        raise JpegxlError(f'image of {xsize}x{ysize} pixels exceeds max_output={limit} bytes')
    bits = [info.bits_per_sample]
    for i in range(info.num_extra_channels):
        with nogil:
            dstatus = JxlDecoderGetExtraChannelInfo(dec.dec, i, &ecinfo)
        dec.check(dstatus, 'JxlDecoderGetExtraChannelInfo')
        if ecinfo.type == JXL_CHANNEL_ALPHA and not alpha and info.num_color_channels == 3:
            alpha = 1
            bits.append(ecinfo.bits_per_sample)
        elif info.num_color_channels == 1:
            if ecinfo.type == JXL_CHANNEL_ALPHA and not alpha and info.num_extra_channels == 1:
                alpha = 1
            else:
                nextra += 1
            bits.append(ecinfo.bits_per_sample)
    planar = nextra > 0
    if planar:
        alpha = 0
        nextra = info.num_extra_channels
    nchannels = info.num_color_channels + alpha
    framesize = pixels * dtype.itemsize * (nchannels + nextra)
    if framesize > limit:
        raise JpegxlError(f'image of {xsize}x{ysize}x{nchannels + nextra} samples exceeds max_output={limit} bytes')
    if info.have_animation and index is None:
        nframes = _count_frames(src, framesize, limit)
        frames_axis = nframes > 1
    if cindex:
        with nogil:
            JxlDecoderSkipFrames(dec.dec, <size_t>cindex)

    shape = (ysize, xsize)
    if planar:
        shape = (nchannels + nextra,) + shape
    elif nchannels > 1:
        shape = shape + (nchannels,)
    if frames_axis:
        shape = (nframes,) + shape
    result = array_output(out, shape, dtype, JpegxlError, max_output)
    fmt.num_channels = 1 if planar else nchannels
    fmt.data_type = _DTYPES[dtype.str[1:]]
    fmt.endianness = JXL_NATIVE_ENDIAN
    fmt.align = 0
    planesize = <size_t>(pixels * dtype.itemsize)
    buf = <uint8_t *><size_t>result.ctypes.data
    while frame < nframes:
        status = dec.next()
        if status == JXL_DEC_NEED_IMAGE_OUT_BUFFER:
            with nogil:
                dstatus = JxlDecoderImageOutBufferSize(dec.dec, &fmt, &size)
            dec.check(dstatus, 'JxlDecoderImageOutBufferSize')
            if size != planesize * fmt.num_channels:
                raise JpegxlError(f'JxlDecoderImageOutBufferSize returned {size}, expected {planesize * fmt.num_channels}')
            with nogil:
                dstatus = JxlDecoderSetImageOutBuffer(dec.dec, &fmt, buf + frame * framesize, size)
            dec.check(dstatus, 'JxlDecoderSetImageOutBuffer')
            for i in range(nextra):
                with nogil:
                    dstatus = JxlDecoderExtraChannelBufferSize(dec.dec, &fmt, &size, i)
                dec.check(dstatus, 'JxlDecoderExtraChannelBufferSize')
                if size != planesize:
                    raise JpegxlError(f'JxlDecoderExtraChannelBufferSize returned {size}, expected {planesize}')
                with nogil:
                    dstatus = JxlDecoderSetExtraChannelBuffer(dec.dec, &fmt, buf + frame * framesize + (i + 1) * planesize, size, i)
                dec.check(dstatus, 'JxlDecoderSetExtraChannelBuffer')
        elif status == JXL_DEC_FULL_IMAGE:
            frame += 1
        elif status == JXL_DEC_SUCCESS:
            if cindex:
                raise IndexError(f'frame index {cindex} out of range')
            raise JpegxlError(f'stream holds {frame} of {nframes} frames')
    if dtype.kind == 'u' and any(b < 8 * dtype.itemsize for b in bits):
        if planar:
            for c, b in enumerate(bits):
                _rescale(result[..., c, :, :], b)
        elif nchannels in (2, 4) and bits[0] != bits[-1]:
            _rescale(result[..., :-1], bits[0])
            _rescale(result[..., -1:], bits[-1])
        else:
            _rescale(result, bits[0])
    return result


def jpegxl_decode_jpeg(data, /, *, numthreads=None, out=None, max_output=None):
    """Return the JPEG stream reconstructed from a JPEG XL transcoding."""
    cdef Input src = read_input(data)
    cdef _Runner runner = _Runner(numthreads)
    cdef _Decoder dec
    cdef Output dst
    cdef JxlDecoderStatus status
    cdef size_t used = 0, left
    cdef JxlDecoderStatus dstatus
    cdef bint started = False
    if src.size == 0:
        raise JpegxlError('empty input')
    dec = _Decoder(src, runner, JXL_DEC_JPEG_RECONSTRUCTION | JXL_DEC_FULL_IMAGE, False)
    dst = decode_output(out, src.size + 4096, JpegxlError, False, max_output)
    while True:
        status = dec.next()
        if status == JXL_DEC_JPEG_RECONSTRUCTION:
            with nogil:
                dstatus = JxlDecoderSetJPEGBuffer(dec.dec, dst.data, <size_t>dst.size)
            dec.check(dstatus, 'JxlDecoderSetJPEGBuffer')
            started = True
        elif status == JXL_DEC_JPEG_NEED_MORE_OUTPUT:
            # the buffer given last ran from `used` to the end
            with nogil:
                left = JxlDecoderReleaseJPEGBuffer(dec.dec)
            used = <size_t>dst.size - left
            dst.grow()
            with nogil:
                dstatus = JxlDecoderSetJPEGBuffer(dec.dec, dst.data + used, <size_t>dst.size - used)
            dec.check(dstatus, 'JxlDecoderSetJPEGBuffer')
        elif status == JXL_DEC_NEED_IMAGE_OUT_BUFFER:
            raise JpegxlError('the stream holds no JPEG reconstruction data')
        elif status == JXL_DEC_FULL_IMAGE or status == JXL_DEC_SUCCESS:
            if not started:
                raise JpegxlError('the stream holds no JPEG reconstruction data')
            with nogil:
                left = JxlDecoderReleaseJPEGBuffer(dec.dec)
            used = <size_t>dst.size - left
            break
    return dst.finish(<Py_ssize_t>used)

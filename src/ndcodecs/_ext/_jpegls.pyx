# cython: language_level=3, boundscheck=False, wraparound=False
"""JPEG-LS codec through CharLS's C API.

Images are numpy arrays of uint8 (2 to 8 bits) or uint16 (9 to 16 bits):
(H, W) gray, (H, W, 3) RGB or (H, W, 4) RGBA.
"""

import enum

import numpy

from libc.stdint cimport int32_t, uint32_t

from ._shared cimport as_array, Input, Output, array_output, decode_output, encode_output, level_arg, read_input
from .charls cimport *

from .._errors import error_class

__all__ = ['JPEGLS', 'JpeglsError', 'jpegls_version', 'jpegls_check', 'jpegls_encode', 'jpegls_decode']


class JPEGLS:
    """JPEG-LS constants."""

    available = True

    class INTERLEAVE(enum.IntEnum):
        """How the components of a color image are interleaved in scans."""

        NONE = 0
        LINE = 1
        SAMPLE = 2


JpeglsError = error_class('jpegls')


def jpegls_version():
    """Return the CharLS version string."""
    return 'charls ' + charls_get_version_string().decode()


def jpegls_check(data, /):
    """Return True if `data` starts like a JPEG-LS image: SOI followed by a
    JPEG-LS frame header, or by a SPIFF header declaring JPEG-LS."""
    head = bytes(data[:32])
    if head[:4] == b'\xff\xd8\xff\xf7':
        return True
    # SPIFF: APP8 'SPIFF\0', version, profile, components, height, width,
    # color space, bits per sample, then the compression type (6: JPEG-LS)
    return head[:4] == b'\xff\xd8\xff\xe8' and head[6:12] == b'SPIFF\x00' and len(head) > 26 and head[26] == 6


cdef str _error(const char *func, charls_jpegls_errc err):
    return f'{func.decode()} returned {<int>err}: {charls_get_error_message(err).decode()}'


cdef object _image_array(object data):
    arr = as_array(data)
    if arr.dtype.kind != 'u' or arr.dtype.itemsize not in (1, 2):
        raise ValueError(f'expected uint8 or uint16 samples, not {arr.dtype}')
    if arr.ndim == 2:
        arr = arr[..., None]
    if arr.ndim != 3 or arr.shape[2] not in (1, 3, 4):
        raise ValueError(f'expected an (H, W), (H, W, 3) or (H, W, 4) image, not shape {arr.shape}')
    if not 1 <= arr.shape[0] <= 0xFFFFFFFF or not 1 <= arr.shape[1] <= 0xFFFFFFFF:
        raise ValueError(f'invalid image shape {arr.shape}')
    return numpy.ascontiguousarray(arr, arr.dtype.newbyteorder('='))


cdef charls_interleave_mode _interleave(object interleave, int ncomps) except *:
    if ncomps == 1:
        return CHARLS_INTERLEAVE_MODE_NONE
    if interleave is None:  # as imagecodecs
        return CHARLS_INTERLEAVE_MODE_SAMPLE if ncomps == 3 else CHARLS_INTERLEAVE_MODE_LINE
    if isinstance(interleave, str):
        interleave = JPEGLS.INTERLEAVE[interleave.upper()]  # KeyError if unknown
    return (
        CHARLS_INTERLEAVE_MODE_NONE, CHARLS_INTERLEAVE_MODE_LINE,
        CHARLS_INTERLEAVE_MODE_SAMPLE,
    )[JPEGLS.INTERLEAVE(interleave)]


def jpegls_encode(data, /, level=None, *, interleave=None, bitspersample=None, out=None):
    """Return an image array encoded as JPEG-LS, in a SPIFF file.

    `data` is a uint8 or uint16 array, (H, W), (H, W, 3) or (H, W, 4).
    `level` is the near-lossless error bound, the largest difference of a
    decoded sample (default: 0, lossless). `interleave` is a
    JPEGLS.INTERLEAVE or its name (default: SAMPLE for RGB, else
    LINE). `bitspersample` is the
    precision, 2 to 8 for uint8 and 9 to 16 for uint16 (default: 8 or 16);
    samples must fit it.
    """
    arr = _image_array(data)
    cdef int itemsize = arr.dtype.itemsize
    cdef int bits = itemsize * 8 if bitspersample is None else bitspersample
    cdef charls_frame_info info
    cdef charls_interleave_mode ilv
    cdef charls_spiff_color_space space
    cdef charls_jpegls_encoder *encoder
    cdef charls_jpegls_errc err = CHARLS_JPEGLS_ERRC_SUCCESS
    cdef const char *func = b'charls_jpegls_encoder_set_frame_info'
    cdef size_t bound = 0, written = 0
    cdef Input src
    cdef Output dst
    if not (2 if itemsize == 1 else 9) <= bits <= itemsize * 8:
        raise ValueError(f'bitspersample={bits} does not suit {arr.dtype}')
    if bits < itemsize * 8 and arr.size and int(arr.max()) >> bits:
        raise ValueError(f'samples exceed bitspersample={bits}')
    cdef int near = level_arg(level, 0, 0, (1 << bits) // 2 - 1)
    info.height = <uint32_t>arr.shape[0]
    info.width = <uint32_t>arr.shape[1]
    info.component_count = <int32_t>arr.shape[2]
    info.bits_per_sample = bits
    ilv = _interleave(interleave, info.component_count)
    if ilv == CHARLS_INTERLEAVE_MODE_NONE and info.component_count > 1:
        arr = numpy.ascontiguousarray(numpy.moveaxis(arr, -1, 0))  # planes
    space = (
        CHARLS_SPIFF_COLOR_SPACE_GRAYSCALE if info.component_count == 1
        else CHARLS_SPIFF_COLOR_SPACE_RGB if info.component_count == 3
        else CHARLS_SPIFF_COLOR_SPACE_NONE
    )
    src = read_input(arr)
    with nogil:
        encoder = charls_jpegls_encoder_create()
        if encoder != NULL:
            err = charls_jpegls_encoder_set_frame_info(encoder, &info)
            if err == CHARLS_JPEGLS_ERRC_SUCCESS:
                func = b'charls_jpegls_encoder_set_near_lossless'
                err = charls_jpegls_encoder_set_near_lossless(encoder, near)
            if err == CHARLS_JPEGLS_ERRC_SUCCESS:
                func = b'charls_jpegls_encoder_set_interleave_mode'
                err = charls_jpegls_encoder_set_interleave_mode(encoder, ilv)
            if err == CHARLS_JPEGLS_ERRC_SUCCESS:
                func = b'charls_jpegls_encoder_get_estimated_destination_size'
                err = charls_jpegls_encoder_get_estimated_destination_size(encoder, &bound)
    if encoder == NULL:
        raise MemoryError('charls_jpegls_encoder_create failed')
    try:
        if err != CHARLS_JPEGLS_ERRC_SUCCESS:
            raise JpeglsError(_error(func, err))
        # room for the SPIFF header and its end of directory
        dst = encode_output(out, <Py_ssize_t>bound + 256, JpeglsError)
        with nogil:
            func = b'charls_jpegls_encoder_set_destination_buffer'
            err = charls_jpegls_encoder_set_destination_buffer(encoder, dst.data, <size_t>dst.size)
            if err == CHARLS_JPEGLS_ERRC_SUCCESS:
                func = b'charls_jpegls_encoder_write_standard_spiff_header'
                err = charls_jpegls_encoder_write_standard_spiff_header(
                    encoder, space, CHARLS_SPIFF_RESOLUTION_UNITS_DOTS_PER_INCH, 300, 300)
            if err == CHARLS_JPEGLS_ERRC_SUCCESS:
                func = b'charls_jpegls_encoder_encode_from_buffer'
                err = charls_jpegls_encoder_encode_from_buffer(encoder, src.data, <size_t>src.size, 0)
            if err == CHARLS_JPEGLS_ERRC_SUCCESS:
                func = b'charls_jpegls_encoder_get_bytes_written'
                err = charls_jpegls_encoder_get_bytes_written(encoder, &written)
        if err != CHARLS_JPEGLS_ERRC_SUCCESS:
            raise JpeglsError(_error(func, err))
    finally:
        with nogil:
            charls_jpegls_encoder_destroy(encoder)
    return dst.finish(<Py_ssize_t>written)


def jpegls_decode(data, /, *, out=None, max_output=None):
    """Return a JPEG-LS image as a numpy array.

    One component gives (H, W), several (H, W, S), of uint8 for up to 8
    bits per sample, else uint16. The image is limited to `max_output`
    bytes (default: ndcodecs.get_max_output()).
    """
    cdef Input src = read_input(data)
    cdef charls_jpegls_decoder *decoder
    cdef charls_jpegls_errc err = CHARLS_JPEGLS_ERRC_SUCCESS
    cdef const char *func = b'charls_jpegls_decoder_set_source_buffer'
    cdef charls_frame_info info
    cdef charls_interleave_mode ilv = CHARLS_INTERLEAVE_MODE_NONE
    cdef size_t size = 0
    cdef Py_ssize_t nbytes
    cdef Output dst
    if src.size == 0:
        raise JpeglsError('no JPEG-LS stream in empty input')
    if src.size < 2 or src.data[src.size - 2] != 0xFF or src.data[src.size - 1] != 0xD9:
        # CharLS takes seconds to fail on scans that run to the end of the
        # buffer: end them with a marker (EOI), as valid streams do
        data = bytes(src.data[:src.size]) + b'\xff\xd9'
        src = read_input(data)
    with nogil:
        decoder = charls_jpegls_decoder_create()
        if decoder != NULL:
            err = charls_jpegls_decoder_set_source_buffer(decoder, src.data, <size_t>src.size)
            if err == CHARLS_JPEGLS_ERRC_SUCCESS:
                func = b'charls_jpegls_decoder_read_header'
                err = charls_jpegls_decoder_read_header(decoder)
            if err == CHARLS_JPEGLS_ERRC_SUCCESS:
                func = b'charls_jpegls_decoder_get_frame_info'
                err = charls_jpegls_decoder_get_frame_info(decoder, &info)
            if err == CHARLS_JPEGLS_ERRC_SUCCESS:
                func = b'charls_jpegls_decoder_get_interleave_mode'
                err = charls_jpegls_decoder_get_interleave_mode(decoder, &ilv)
    if decoder == NULL:
        raise MemoryError('charls_jpegls_decoder_create failed')
    try:
        if err != CHARLS_JPEGLS_ERRC_SUCCESS:
            raise JpeglsError(_error(func, err))
        if not 2 <= info.bits_per_sample <= 16 or info.component_count < 1:
            raise JpeglsError(
                f'unsupported frame: {info.component_count} components of {info.bits_per_sample} bits')
        ncomps = info.component_count
        dtype = numpy.uint8 if info.bits_per_sample <= 8 else numpy.uint16
        planes = ilv == CHARLS_INTERLEAVE_MODE_NONE and ncomps > 1
        if ncomps == 1:
            shape = (<Py_ssize_t>info.height, <Py_ssize_t>info.width)
        else:
            shape = (<Py_ssize_t>info.height, <Py_ssize_t>info.width, ncomps)
        result = array_output(out, shape, dtype, JpeglsError, max_output)
        # scans without interleaving decode to planes, transposed below
        target = numpy.empty((ncomps, shape[0], shape[1]), dtype) if planes else result
        nbytes = target.nbytes
        dst = decode_output(target, nbytes, JpeglsError, True, None)
        with nogil:
            func = b'charls_jpegls_decoder_get_destination_size'
            err = charls_jpegls_decoder_get_destination_size(decoder, 0, &size)
            if err == CHARLS_JPEGLS_ERRC_SUCCESS and size == <size_t>nbytes:
                func = b'charls_jpegls_decoder_decode_to_buffer'
                err = charls_jpegls_decoder_decode_to_buffer(decoder, dst.data, size, 0)
        if err != CHARLS_JPEGLS_ERRC_SUCCESS:
            raise JpeglsError(_error(func, err))
        if size != <size_t>nbytes:
            raise JpeglsError(f'charls_jpegls_decoder_get_destination_size returned {size}, not {nbytes} bytes')
        if planes:
            result[...] = numpy.moveaxis(target, 0, -1)
    finally:
        with nogil:
            charls_jpegls_decoder_destroy(decoder)
    return result


# cython: language_level=3, boundscheck=False, wraparound=False
"""CCSDS 121.0 adaptive entropy coding (AEC) and SZIP through libaec.

aec: a raw CCSDS 121.0 stream, through libaec's streaming API.
szip: the SZIP compatible coding of libaec's szlib interface
(SZ_BufftoBuffCompress, SZ_BufftoBuffDecompress), as HDF5's SZIP filter
uses it; with ``header=True`` the stream is preceded by the decoded size as
4 bytes little-endian, which is the chunk layout of HDF5's H5Z_FILTER_SZIP.
"""

import enum

from libc.stdint cimport uint8_t
from libc.string cimport memset

from ._shared cimport Input, Output, read_input, encode_output, decode_output, output_limit
from .aec cimport *

from .._errors import error_class

__all__ = [
    'AEC', 'AecError', 'aec_version', 'aec_check', 'aec_encode', 'aec_decode',
    'SZIP', 'SzipError', 'szip_version', 'szip_check', 'szip_encode',
    'szip_decode', 'szip_params',
]

cdef extern from *:
    """
    #ifndef NDCODECS_LIBRARY_VERSION
    #define NDCODECS_LIBRARY_VERSION "unknown"
    #endif
    """
    const char *NDCODECS_LIBRARY_VERSION


def _libaec_version():
    # libaec has no version call and Debian's libaec-dev no pkg-config file
    version = NDCODECS_LIBRARY_VERSION.decode()
    return 'libaec' if version == 'unknown' else f'libaec {version}'


# ---------------------------------------------------------------------- aec

class AEC:
    """AEC constants."""

    available = True

    class FLAG(enum.IntEnum):
        """Flags of the aec stream (libaec's AEC_* sample description)."""

        DATA_SIGNED = AEC_DATA_SIGNED
        DATA_3BYTE = AEC_DATA_3BYTE
        DATA_MSB = AEC_DATA_MSB
        DATA_PREPROCESS = AEC_DATA_PREPROCESS
        RESTRICTED = AEC_RESTRICTED
        PAD_RSI = AEC_PAD_RSI
        NOT_ENFORCE = AEC_NOT_ENFORCE
        MSB = AEC_DATA_MSB  # alias


AecError = error_class('aec')


def aec_version():
    """Return the libaec version string."""
    return _libaec_version()


def aec_check(data, /):
    """Return None: a raw AEC stream has no signature."""
    return None


cdef str _aec_status(int ret):
    if ret == AEC_CONF_ERROR:
        return 'AEC_CONF_ERROR'
    if ret == AEC_STREAM_ERROR:
        return 'AEC_STREAM_ERROR'
    if ret == AEC_DATA_ERROR:
        return 'AEC_DATA_ERROR'
    if ret == AEC_MEM_ERROR:
        return 'AEC_MEM_ERROR'
    return str(ret)


cdef int _raise_aec(int ret, str func, object error) except -1:
    if ret == AEC_MEM_ERROR:
        raise MemoryError(f'{func} returned AEC_MEM_ERROR')
    if ret == AEC_CONF_ERROR:
        raise ValueError(f'{func} returned AEC_CONF_ERROR: invalid parameters')
    raise error(f'{func} returned {_aec_status(ret)}')


cdef int _sample_bytes(int bits, int flags) noexcept:
    """Return the bytes libaec reads or writes per sample."""
    if bits <= 8:
        return 1
    if bits <= 16:
        return 2
    if bits <= 24 and flags & AEC_DATA_3BYTE:
        return 3
    return 4


cdef _aec_params(object array, object bitspersample, object flags,
                 object blocksize, object rsi, aec_stream *strm):
    """Fill the parameters of `strm`; defaults as imagecodecs.

    The defaults: bitspersample is 8 times the itemsize of a numpy array
    (8 for other buffers), flags DATA_PREPROCESS, plus DATA_SIGNED for
    arrays of signed integers or floats of 2 or 4 bytes, plus DATA_MSB for a
    big-endian array; blocksize 8, rsi 2.
    """
    cdef int bits, flg, bs, r
    dtype = getattr(array, 'dtype', None)
    if bitspersample is None:
        bits = 8 if dtype is None else dtype.itemsize * 8
    else:
        bits = bitspersample.__index__()
    if not 1 <= bits <= 32:
        raise ValueError(f'invalid bits_per_sample={bits}')
    if flags is None:
        flg = AEC_DATA_PREPROCESS
        if dtype is not None and dtype.itemsize > 1:
            # as imagecodecs: signed for 16 and 32-bit signed integers and floats
            if dtype.kind in 'if':
                flg |= AEC_DATA_SIGNED
            if dtype.byteorder == '>':
                flg |= AEC_DATA_MSB
    else:
        flg = flags.__index__()
        if flg < 0 or flg > 127:
            raise ValueError(f'invalid flags={flg}')
    bs = 8 if blocksize is None else blocksize.__index__()
    r = 2 if rsi is None else rsi.__index__()
    if flg & AEC_NOT_ENFORCE:
        if not (2 <= bs <= 64 and bs % 2 == 0):
            raise ValueError(f'invalid blocksize={bs}')
    elif bs not in (8, 16, 32, 64):
        raise ValueError(f'invalid blocksize={bs}, expected 8, 16, 32 or 64')
    if not 1 <= r <= 4096:
        raise ValueError(f'invalid rsi={r}, expected 1 to 4096')
    memset(strm, 0, sizeof(aec_stream))
    strm.bits_per_sample = bits
    strm.flags = flg
    strm.block_size = bs
    strm.rsi = r


cdef Py_ssize_t _aec_bound(Py_ssize_t size, aec_stream *strm) noexcept:
    """Return the most bytes an aec stream of `size` input bytes can take.

    Each block takes at most its samples uncoded (block_size *
    bits_per_sample bits, the reference sample included) plus an option ID
    of at most 5 bits; the last block is padded; PAD_RSI adds up to a byte
    per RSI.
    """
    cdef Py_ssize_t nsamples = size // _sample_bytes(strm.bits_per_sample, strm.flags)
    cdef Py_ssize_t nblocks = (nsamples + strm.block_size - 1) // strm.block_size
    cdef Py_ssize_t bits = nblocks * (<Py_ssize_t>strm.block_size * strm.bits_per_sample + 5)
    return bits // 8 + nblocks // strm.rsi + 64


_PAD_RSI_OK = None


def _pad_rsi_works():
    """Return True if libaec round-trips a PAD_RSI stream (libaec >= 1.1)."""
    global _PAD_RSI_OK
    if _PAD_RSI_OK is None:
        sample = bytes(range(7, 250, 3)) * 4
        kw = dict(bitspersample=8, flags=AEC_PAD_RSI | AEC_DATA_PREPROCESS, blocksize=8, rsi=1)
        _PAD_RSI_OK = True  # lets the encoder run, once
        try:
            _PAD_RSI_OK = aec_decode(aec_encode(sample, **kw), out=len(sample), **kw) == sample
        except (AecError, ValueError):
            _PAD_RSI_OK = False
    return _PAD_RSI_OK


def aec_encode(data, /, *, bitspersample=None, flags=None, blocksize=None,
               rsi=None, out=None):
    """Return `data` encoded as a raw CCSDS 121.0 (AEC) stream.

    The defaults follow imagecodecs: `bitspersample` 8 times the itemsize
    of an array (8 for bytes), `flags` AEC.FLAG.DATA_PREPROCESS (plus
    DATA_SIGNED for 2 and 4-byte signed integers and floats, and DATA_MSB
    for a big-endian array: imagecodecs codes those as little-endian),
    `blocksize` 8, `rsi` 2. `data` must hold whole samples. The stream
    does not record the number of samples: the last block is padded.
    """
    cdef aec_stream strm
    cdef Input src = read_input(data)
    cdef Output dst
    cdef int ret = AEC_OK, sbytes
    _aec_params(data, bitspersample, flags, blocksize, rsi, &strm)
    sbytes = _sample_bytes(strm.bits_per_sample, strm.flags)
    if src.size % sbytes:
        raise ValueError(
            f'the data size {src.size} is not a multiple of the sample size '
            f'{sbytes} (bitspersample={strm.bits_per_sample})'
        )
    if strm.flags & AEC_PAD_RSI and not _pad_rsi_works():
        raise ValueError(
            'this libaec encodes PAD_RSI wrongly (fixed in libaec 1.1); '
            'PAD_RSI is meant for decoding only'
        )
    dst = encode_output(out, _aec_bound(src.size, &strm), AecError)
    strm.next_in = src.data
    strm.avail_in = src.size
    with nogil:
        ret = aec_encode_init(&strm)
    if ret != AEC_OK:
        _raise_aec(ret, 'aec_encode_init', AecError)
    try:
        while True:
            strm.next_out = dst.data + strm.total_out
            strm.avail_out = dst.size - strm.total_out
            with nogil:
                ret = aec_encode_c(&strm, AEC_FLUSH)
            if ret != AEC_OK:
                _raise_aec(ret, 'aec_encode', AecError)
            if strm.avail_in == 0 and strm.avail_out > 0:
                break  # all input read and all output flushed
            dst.grow()  # out= too small raises AecError
    finally:
        aec_encode_end(&strm)
    return dst.finish(strm.total_out)


def aec_decode(data, /, *, bitspersample=None, flags=None, blocksize=None,
               rsi=None, out=None, max_output=None):
    """Return the samples of a raw CCSDS 121.0 (AEC) stream.

    The parameters must be those of the encoder; their defaults are those
    of aec_encode for an array like `out` (8-bit for bytes). The stream does
    not record its length: given a numpy array `out`, exactly its size is
    decoded (an error if the stream is shorter); given a buffer or an int,
    at most that many bytes; otherwise all samples of the stream, which
    include the padding of the last block (up to blocksize - 1 samples
    more than were encoded), up to `max_output` bytes.
    """
    cdef aec_stream strm
    cdef Input src = read_input(data)
    cdef Output dst
    cdef int ret = AEC_OK, sbytes
    cdef bint exact = hasattr(out, '__array_interface__')
    cdef bint fixed
    cdef Py_ssize_t used, limit
    _aec_params(out, bitspersample, flags, blocksize, rsi, &strm)
    sbytes = _sample_bytes(strm.bits_per_sample, strm.flags)
    dst = decode_output(out, max(src.size * 4, 4096), AecError, False, max_output)
    fixed = out is not None and out is not bytes and out is not bytearray
    limit = dst.size if fixed else output_limit(max_output)
    if src.size == 0:
        if exact and dst.size > 0:
            raise AecError('no AEC stream in empty input')
        if not fixed:
            raise AecError('no AEC stream in empty input')
        return dst.finish(0)
    if exact and dst.size % sbytes:
        raise ValueError(f'the out size {dst.size} is not a multiple of the sample size {sbytes}')
    strm.next_in = src.data
    strm.avail_in = src.size
    with nogil:
        ret = aec_decode_init(&strm)
    if ret != AEC_OK:
        _raise_aec(ret, 'aec_decode_init', AecError)
    try:
        while True:
            # whole samples only: libaec writes a sample at once
            strm.next_out = dst.data + strm.total_out
            strm.avail_out = (dst.size - strm.total_out) // sbytes * sbytes
            if strm.avail_out == 0:
                if fixed or (strm.total_out >= limit - sbytes + 1 and strm.avail_in == 0):
                    break
                # more input: grow, raising AecError past max_output
                dst.grow()
                continue
            with nogil:
                ret = aec_decode_c(&strm, AEC_FLUSH)
            if ret != AEC_OK:
                _raise_aec(ret, 'aec_decode', AecError)
            if strm.avail_out > 0:
                break  # all input decoded
    finally:
        aec_decode_end(&strm)
    used = strm.total_out
    if exact and used != dst.size:
        raise AecError(f'truncated AEC stream: {used} of {dst.size} bytes decoded')
    if used == 0 and not (fixed and dst.size == 0):
        raise AecError('aec_decode: no sample in the stream')
    return dst.finish(used)


# --------------------------------------------------------------------- szip

class SZIP:
    """SZIP constants."""

    available = True

    class OPTION_MASK(enum.IntEnum):
        """Options of SZ_com_t.options_mask (szlib's SZ_*_OPTION_MASK)."""

        ALLOW_K13 = SZ_ALLOW_K13_OPTION_MASK
        CHIP = SZ_CHIP_OPTION_MASK
        EC = SZ_EC_OPTION_MASK
        LSB = SZ_LSB_OPTION_MASK
        MSB = SZ_MSB_OPTION_MASK
        NN = SZ_NN_OPTION_MASK
        RAW = SZ_RAW_OPTION_MASK


SzipError = error_class('szip')

_CODING = {'ec': SZ_EC_OPTION_MASK, 'nn': SZ_NN_OPTION_MASK}


def szip_version():
    """Return the libaec version string."""
    return _libaec_version()


def szip_check(data, /):
    """Return None: an SZIP stream has no signature."""
    return None


cdef int _coding_mask(object options_mask, object coding, int default) except -1:
    """Return options_mask, or the mask of `coding` ('ec' or 'nn')."""
    if coding is not None:
        if options_mask is not None:
            raise TypeError('give options_mask or coding, not both')
        try:
            return _CODING[str(coding).lower()]
        except KeyError:
            raise ValueError(f"invalid coding={coding!r}, expected 'ec' or 'nn'") from None
    if options_mask is None:
        return default
    return options_mask.__index__()


def szip_params(data, /, options_mask=4, pixels_per_block=32, *, coding=None):
    """Return the szip_encode parameters for the numpy array `data`.

    As imagecodecs (and like HDF5's SZIP filter): the byte order bit of
    `options_mask` follows the array (LSB or MSB), bits_per_pixel is 8 times
    the itemsize (of the last dimension if that makes 32 or 64 bits),
    pixels_per_scanline the last dimension, at least pixels_per_block and
    at most 128 blocks (HDF5 differs for short rows: it takes up to 128
    blocks of the whole chunk). `coding` ('ec' or 'nn') may
    replace `options_mask`. Bytes and other buffers count as uint8.
    """
    cdef int mask = _coding_mask(None if coding is not None else options_mask, coding, 4)
    cdef Py_ssize_t ppb = pixels_per_block.__index__()
    cdef Py_ssize_t npoints, scanline
    if not hasattr(data, 'dtype') or not hasattr(data, 'shape'):
        data = memoryview(data).cast('B')
        itemsize, bigendian, npoints = 1, False, data.nbytes
        scanline = npoints
    else:
        itemsize = data.dtype.itemsize
        bigendian = data.dtype.byteorder == '>' and itemsize > 1
        shape = tuple(data.shape) or (1,)
        npoints = data.size
        if len(shape) > 1 and shape[len(shape) - 1] * itemsize in (4, 8):
            # as imagecodecs: a short last dimension makes 32 or 64-bit pixels
            itemsize *= shape[len(shape) - 1]
            npoints //= shape[len(shape) - 1]
            shape = shape[:len(shape) - 1]
        scanline = shape[len(shape) - 1]
    if ppb < 2:
        raise ValueError(f'invalid pixels_per_block={ppb}')
    if scanline < ppb:
        if npoints < ppb:
            ppb = max(2, npoints - npoints % 2)
        scanline = ppb
    elif scanline > ppb * SZ_MAX_BLOCKS_PER_SCANLINE:
        scanline = ppb * SZ_MAX_BLOCKS_PER_SCANLINE
    mask &= ~(SZ_LSB_OPTION_MASK | SZ_MSB_OPTION_MASK)
    mask |= SZ_MSB_OPTION_MASK if bigendian else SZ_LSB_OPTION_MASK
    return {
        'options_mask': mask,
        'pixels_per_block': int(ppb),
        'bits_per_pixel': int(itemsize * 8),
        'pixels_per_scanline': int(scanline),
    }


cdef int _szip_com(SZ_com_t *param, object array, object options_mask,
                   object pixels_per_block, object bits_per_pixel,
                   object pixels_per_scanline, object coding) except -1:
    """Fill `param`; parameters not given come from szip_params(array)."""
    if (options_mask is None or pixels_per_block is None or bits_per_pixel is None
            or pixels_per_scanline is None):
        if array is None:
            array = b'\x00' * 4096
        params = szip_params(
            array, _coding_mask(options_mask, coding, 4),
            32 if pixels_per_block is None else pixels_per_block,
        )
        if options_mask is None:
            options_mask = params['options_mask']
        elif coding is not None:
            raise TypeError('give options_mask or coding, not both')
        if pixels_per_block is None:
            pixels_per_block = params['pixels_per_block']
        if bits_per_pixel is None:
            bits_per_pixel = params['bits_per_pixel']
        if pixels_per_scanline is None:
            pixels_per_scanline = params['pixels_per_scanline']
    elif coding is not None:
        raise TypeError('give options_mask or coding, not both')
    param.options_mask = options_mask.__index__()
    param.pixels_per_block = pixels_per_block.__index__()
    param.bits_per_pixel = bits_per_pixel.__index__()
    param.pixels_per_scanline = pixels_per_scanline.__index__()
    if not (1 <= param.bits_per_pixel <= 24 or param.bits_per_pixel in (32, 64)):
        raise ValueError(f'invalid bits_per_pixel={param.bits_per_pixel}')
    if not (2 <= param.pixels_per_block <= SZ_MAX_PIXELS_PER_BLOCK
            and param.pixels_per_block % 2 == 0):
        raise ValueError(f'invalid pixels_per_block={param.pixels_per_block}')
    if not 1 <= param.pixels_per_scanline <= SZ_MAX_PIXELS_PER_SCANLINE:
        raise ValueError(f'invalid pixels_per_scanline={param.pixels_per_scanline}')
    if param.options_mask < 0 or param.options_mask > 255:
        raise ValueError(f'invalid options_mask={param.options_mask}')
    return 0


cdef int _pixel_bytes(int bits) noexcept:
    """Return the bytes per pixel of libaec's szlib: 17 to 24 bits take 4."""
    if bits <= 8:
        return 1
    if bits <= 16:
        return 2
    if bits <= 32:
        return 4
    return 8


cdef Py_ssize_t _szip_bound(Py_ssize_t size, SZ_com_t *param) noexcept:
    """Return the most bytes SZ_BufftoBuffCompress can write for `size`.

    libaec pads every scanline to whole blocks; 32 and 64-bit pixels are
    coded as 8-bit samples. A block takes at most its samples uncoded plus
    a 5-bit option ID.
    """
    cdef Py_ssize_t pbytes = _pixel_bytes(param.bits_per_pixel)
    cdef Py_ssize_t ppb = param.pixels_per_block
    cdef Py_ssize_t pixels = size // pbytes
    cdef Py_ssize_t rsi = (param.pixels_per_scanline + ppb - 1) // ppb
    cdef Py_ssize_t lines = (pixels + param.pixels_per_scanline - 1) // param.pixels_per_scanline
    cdef Py_ssize_t samples = lines * rsi * ppb
    cdef Py_ssize_t bits = param.bits_per_pixel
    if bits == 32 or bits == 64:
        samples *= bits // 8
        bits = 8
    return (samples // ppb) * (ppb * bits + 5) // 8 + lines + 64


cdef str _sz_status(int ret):
    if ret == SZ_OUTBUFF_FULL:
        return 'SZ_OUTBUFF_FULL'
    if ret == SZ_PARAM_ERROR:
        return 'SZ_PARAM_ERROR'
    if ret == SZ_MEM_ERROR:
        return 'SZ_MEM_ERROR'
    return _aec_status(ret)


cdef int _raise_sz(int ret, str func) except -1:
    if ret == SZ_MEM_ERROR:
        raise MemoryError(f'{func} returned SZ_MEM_ERROR')
    if ret == SZ_PARAM_ERROR:
        raise ValueError(f'{func} returned SZ_PARAM_ERROR: invalid parameters')
    raise SzipError(f'{func} returned {_sz_status(ret)}')


def szip_encode(data, /, options_mask=None, pixels_per_block=None,
                bits_per_pixel=None, pixels_per_scanline=None, *,
                coding=None, header=False, out=None):
    """Return `data` SZIP encoded by libaec.

    The positional parameters are imagecodecs' (and SZ_com_t's); those not
    given come from szip_params(data), for bytes as uint8. `coding` ('ec'
    or 'nn', entropy coding or nearest neighbor preprocessing) may replace
    `options_mask`, whose byte order bit then follows the array. With
    `header`, the stream starts with its decoded size as 4 bytes
    little-endian, as HDF5's SZIP filter writes a chunk.
    """
    cdef SZ_com_t param
    cdef Input src = read_input(data)
    cdef Output dst
    cdef size_t destlen
    cdef Py_ssize_t offset = 4 if header else 0
    cdef int ret = 0, pbytes
    cdef uint8_t *p
    _szip_com(&param, data, options_mask, pixels_per_block, bits_per_pixel,
              pixels_per_scanline, coding)
    pbytes = _pixel_bytes(param.bits_per_pixel)
    if src.size % pbytes:
        raise ValueError(
            f'the data size {src.size} is not a multiple of the pixel size {pbytes}'
        )
    if header and src.size > 0xFFFFFFFF:
        raise ValueError('the data is too large for a 4-byte size header')
    dst = encode_output(out, _szip_bound(src.size, &param) + offset, SzipError)
    if dst.size < offset:
        raise SzipError(f'output too small: out= holds {dst.size} bytes')
    if src.size == 0:
        # libaec writes nothing for no pixels
        destlen = 0
    else:
        destlen = dst.size - offset
        with nogil:
            ret = SZ_BufftoBuffCompress(dst.data + offset, &destlen, src.data, src.size, &param)
        if ret != SZ_OK:
            _raise_sz(ret, 'SZ_BufftoBuffCompress')
    if header:
        p = dst.data
        p[0] = src.size & 0xFF
        p[1] = (src.size >> 8) & 0xFF
        p[2] = (src.size >> 16) & 0xFF
        p[3] = (src.size >> 24) & 0xFF
    return dst.finish(destlen + offset)


# The most an SZIP stream can expand: a run of zero blocks to the end of a
# 64-block segment takes at least 9 bits, and codes up to 64 blocks of 32
# samples of up to 4 bytes (32 and 64-bit pixels are coded bytewise, 17 to
# 24-bit ones take 4 bytes).
cdef enum:
    SZIP_MAX_RATIO = 64 * 32 * 4 * 8 // 9 + 1


def szip_decode(data, /, options_mask=None, pixels_per_block=None,
                bits_per_pixel=None, pixels_per_scanline=None, *,
                coding=None, header=False, out=None, max_output=None):
    """Return the decoded bytes of an SZIP stream.

    The parameters must be those of the encoder; those not given come from
    szip_params(out) for a numpy `out`, else from szip_params of a 4096-byte
    uint8 buffer: options_mask EC|LSB, 32 pixels per block, 8 bits per
    pixel, 4096 pixels per scanline. With `header` the decoded size is read
    from the first 4 bytes (and checked against `max_output` and the most
    SZIP can compress); else it is the size of `out` (a numpy array, a
    writable buffer or an int), and SzipError is raised without it, since
    an SZIP stream does not record its length (imagecodecs guesses 8 times
    the stream size). libaec fills the output past the end of a short
    stream with zeros, so truncation is only detected with a header.
    """
    cdef SZ_com_t param
    cdef Input src = read_input(data)
    cdef Output dst
    cdef const uint8_t *p = src.data
    cdef const uint8_t *stream = src.data
    cdef size_t streamlen = src.size
    cdef size_t destlen = 0, size = 0
    cdef int ret = 0, pbytes
    cdef bint fixed = out is not None and out is not bytes and out is not bytearray
    _szip_com(&param, out if hasattr(out, '__array_interface__') else None,
              options_mask, pixels_per_block, bits_per_pixel,
              pixels_per_scanline, coding)
    pbytes = _pixel_bytes(param.bits_per_pixel)
    if header:
        if src.size < 4:
            raise SzipError(f'SZIP stream too short for its size header: {src.size} bytes')
        size = p[0] | (<size_t>p[1] << 8) | (<size_t>p[2] << 16) | (<size_t>p[3] << 24)
        stream += 4
        streamlen -= 4
        if size % pbytes:
            raise SzipError(f'decoded size {size} is not a multiple of the pixel size {pbytes}')
        if size > 0 and size > <size_t>streamlen * SZIP_MAX_RATIO + 4096:
            raise SzipError(
                f'decoded size {size} is implausible for a {streamlen}-byte SZIP stream'
            )
        dst = decode_output(out, size, SzipError, True, max_output)
        if size == 0:
            return dst.finish(0)
        if streamlen == 0:
            raise SzipError('no SZIP stream after the size header')
        destlen = size
        with nogil:
            ret = SZ_BufftoBuffDecompress(dst.data, &destlen, stream, streamlen, &param)
        if ret != SZ_OK:
            _raise_sz(ret, 'SZ_BufftoBuffDecompress')
        if destlen != size:
            raise SzipError(f'SZIP stream decoded to {destlen} bytes, header says {size}')
        return dst.finish(destlen)

    if streamlen == 0:
        if fixed and not hasattr(out, '__array_interface__'):
            return decode_output(out, 0, SzipError, False, max_output).finish(0)
        raise SzipError('no SZIP stream in empty input')
    if fixed:
        dst = decode_output(out, 0, SzipError, False, max_output)
        destlen = dst.size // pbytes * pbytes
        with nogil:
            ret = SZ_BufftoBuffDecompress(dst.data, &destlen, stream, streamlen, &param)
        if ret != SZ_OK:
            _raise_sz(ret, 'SZ_BufftoBuffDecompress')
        if hasattr(out, '__array_interface__') and destlen != <size_t>dst.size:
            raise SzipError(f'SZIP stream decoded to {destlen} bytes, out= holds {dst.size}')
        return dst.finish(destlen)
    # libaec's szlib fills any output it is given (past the end of the
    # stream with zeros), so the size must be known
    raise SzipError(
        'the decoded size is unknown: pass header=True (HDF5 layout) or '
        'out= (an array, a buffer or a size in bytes)'
    )

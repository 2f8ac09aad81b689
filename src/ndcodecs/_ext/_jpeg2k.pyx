# cython: language_level=3, boundscheck=False, wraparound=False
"""JPEG 2000 codec through openjpeg: J2K codestreams and JP2 files.

Images are numpy arrays of (u)int8 or (u)int16: (H, W) with one component,
(H, W, S) with S components, or (S, H, W) with ``planar=True``.
"""

import enum
import sys

import numpy

from cpython.mem cimport PyMem_Calloc, PyMem_Free
from libc.stdint cimport int8_t, int16_t, uint8_t, uint16_t, uint32_t
from libc.stdio cimport snprintf
from libc.stdlib cimport free, malloc
from libc.string cimport memcmp, memcpy, memset, strlen

from ._shared cimport (
    as_array, Input, Output, Sink, array_output, encode_output, numthreads_arg, output_limit, read_input, sink_finish, sink_init,
    sink_move, sink_write,
)
from .isolate cimport *
from .openjpeg cimport *

from .. import _isolation
from .._errors import error_class

__all__ = ['JPEG2K', 'Jpeg2kError', 'jpeg2k_version', 'jpeg2k_check', 'jpeg2k_encode', 'jpeg2k_decode']


class JPEG2K:
    """JPEG 2000 constants."""

    available = True

    class CODEC(enum.IntEnum):
        """Formats: a raw codestream or a JP2 file."""

        JP2 = 2
        J2K = 0

    class CLRSPC(enum.IntEnum):
        """Color spaces of JP2 files."""

        UNSPECIFIED = 0
        SRGB = 1
        GRAY = 2
        SYCC = 3
        EYCC = 4
        CMYK = 5

    class PROG(enum.IntEnum):
        """Progression orders."""

        LRCP = 0
        RLCP = 1
        RPCL = 2
        PCRL = 3
        CPRL = 4


Jpeg2kError = error_class('jpeg2k')

cdef bytes _JP2_SIGNATURE = b'\x00\x00\x00\x0cjP  \r\n\x87\n'
cdef bytes _J2K_SIGNATURE = b'\xff\x4f\xff\x51'


def jpeg2k_version():
    """Return the openjpeg version string."""
    return 'openjpeg ' + opj_version().decode()


def jpeg2k_check(data, /):
    """Return True if `data` starts like a JP2 file or a J2K codestream."""
    head = bytes(data[:12])
    return head == _JP2_SIGNATURE or head[:4] == _J2K_SIGNATURE


# Messages of one call: openjpeg's callbacks append to a buffer on the
# caller's stack, so that calls in several threads never share state.
cdef struct _Messages:
    char text[1024]
    size_t size
    int verbose


cdef void _append(_Messages *msg, const char *text) noexcept nogil:
    cdef size_t n = strlen(text)
    while n and (text[n - 1] == b'\n' or text[n - 1] == b' '):
        n -= 1
    if msg.size and msg.size + 2 < sizeof(msg.text) - 1:
        memcpy(msg.text + msg.size, b'; ', 2)
        msg.size += 2
    if n > sizeof(msg.text) - 1 - msg.size:
        n = sizeof(msg.text) - 1 - msg.size
    memcpy(msg.text + msg.size, text, n)
    msg.size += n
    msg.text[msg.size] = 0


cdef void _on_error(const char *text, void *user) noexcept nogil:
    _append(<_Messages *>user, text)


cdef void _on_warning(const char *text, void *user) noexcept nogil:
    if (<_Messages *>user).verbose > 0:
        _append(<_Messages *>user, text)


cdef void _on_info(const char *text, void *user) noexcept nogil:
    if (<_Messages *>user).verbose > 1:
        _append(<_Messages *>user, text)


cdef void _set_handlers(opj_codec_t *codec, _Messages *msg) noexcept nogil:
    opj_set_error_handler(codec, _on_error, msg)
    opj_set_warning_handler(codec, _on_warning, msg)
    opj_set_info_handler(codec, _on_info, msg)


cdef object _failed(const char *cfunc, _Messages *msg, object error=Jpeg2kError):
    func = cfunc.decode()
    text = msg.text[:msg.size].decode('utf-8', 'replace')
    return error(f'{func} failed: {text}' if text else f'{func} failed')


cdef void _report(_Messages *msg):
    if msg.verbose > 0 and msg.size:
        print(msg.text[:msg.size].decode('utf-8', 'replace'), file=sys.stderr)


# Reading from the input buffer.

cdef struct _Source:
    const uint8_t *data
    size_t size
    size_t pos


cdef OPJ_SIZE_T _src_read(void *buffer, OPJ_SIZE_T nbytes, void *user) noexcept nogil:
    cdef _Source *src = <_Source *>user
    if src.pos >= src.size:
        return <OPJ_SIZE_T>-1
    if nbytes > src.size - src.pos:
        nbytes = src.size - src.pos
    memcpy(buffer, src.data + src.pos, nbytes)
    src.pos += nbytes
    return nbytes


cdef OPJ_OFF_T _src_skip(OPJ_OFF_T nbytes, void *user) noexcept nogil:
    cdef _Source *src = <_Source *>user
    if nbytes < 0:
        if <size_t>(-nbytes) > src.pos:
            return -1
        src.pos -= <size_t>(-nbytes)
        return nbytes
    if <size_t>nbytes > src.size - src.pos:
        nbytes = <OPJ_OFF_T>(src.size - src.pos)
    src.pos += <size_t>nbytes
    return nbytes


cdef OPJ_BOOL _src_seek(OPJ_OFF_T pos, void *user) noexcept nogil:
    cdef _Source *src = <_Source *>user
    if pos < 0 or <size_t>pos > src.size:
        return OPJ_FALSE
    src.pos = <size_t>pos
    return OPJ_TRUE


# Writing into a Sink, for openjpeg's stream callbacks.

cdef OPJ_SIZE_T _sink_write(void *buffer, OPJ_SIZE_T nbytes, void *user) noexcept nogil:
    if sink_write(<Sink *>user, buffer, nbytes) != 0:
        return <OPJ_SIZE_T>-1
    return nbytes


cdef OPJ_OFF_T _sink_skip(OPJ_OFF_T nbytes, void *user) noexcept nogil:
    cdef Sink *sink = <Sink *>user
    if nbytes < 0 and <size_t>(-nbytes) > sink.pos:
        return -1
    if sink_move(sink, <size_t>(<OPJ_OFF_T>sink.pos + nbytes)) != 0:
        return -1
    return nbytes


cdef OPJ_BOOL _sink_seek(OPJ_OFF_T pos, void *user) noexcept nogil:
    if pos < 0 or sink_move(<Sink *>user, <size_t>pos) != 0:
        return OPJ_FALSE
    return OPJ_TRUE


# Samples between numpy arrays and openjpeg's int32 component planes.

cdef void _to_planes(const uint8_t *src, opj_image_t *image, int itemsize, bint signed, size_t stride, size_t step) noexcept nogil:
    """Copy samples into the component planes; sample i of component c is
    at src[(c * stride + i * step) * itemsize]."""
    cdef uint32_t c
    cdef size_t i, n = <size_t>image.comps[0].w * image.comps[0].h
    cdef OPJ_INT32 *plane
    for c in range(image.numcomps):
        plane = image.comps[c].data
        if itemsize == 1 and signed:
            for i in range(n):
                plane[i] = (<const int8_t *>src)[c * stride + i * step]
        elif itemsize == 1:
            for i in range(n):
                plane[i] = src[c * stride + i * step]
        elif signed:
            for i in range(n):
                plane[i] = (<const int16_t *>src)[c * stride + i * step]
        else:
            for i in range(n):
                plane[i] = (<const uint16_t *>src)[c * stride + i * step]


cdef void _from_planes(opj_image_t *image, uint8_t *dst, int itemsize, size_t stride, size_t step) noexcept nogil:
    """Copy the component planes into dst, as _to_planes reads them,
    clipping samples to their precision."""
    cdef uint32_t c, prec = image.comps[0].prec
    cdef size_t i, n = <size_t>image.comps[0].w * image.comps[0].h
    cdef const OPJ_INT32 *plane
    cdef OPJ_INT32 v, lo = 0, hi = <OPJ_INT32>((1u << prec) - 1)
    if image.comps[0].sgnd:
        lo = -(1 << (prec - 1))
        hi = (1 << (prec - 1)) - 1
    for c in range(image.numcomps):
        plane = image.comps[c].data
        if itemsize == 1:
            for i in range(n):
                v = plane[i]
                dst[c * stride + i * step] = <uint8_t>(lo if v < lo else hi if v > hi else v)
        else:
            for i in range(n):
                v = plane[i]
                (<uint16_t *>dst)[c * stride + i * step] = <uint16_t>(lo if v < lo else hi if v > hi else v)


cdef object _image_array(object data, object planar):
    """Return `data` as a C-contiguous (H, W, S) or, if planar, (S, H, W)
    array of 8 or 16-bit integers."""
    arr = as_array(data)
    if arr.dtype.kind not in 'ui' or arr.dtype.itemsize not in (1, 2):
        raise ValueError(f'expected (u)int8 or (u)int16 samples, not {arr.dtype}')
    if arr.ndim == 2:
        arr = arr[None] if planar else arr[..., None]
    elif arr.ndim != 3:
        raise ValueError(f'expected a 2-D or 3-D image array, not {arr.ndim}-D')
    if min(arr.shape) < 1 or max(arr.shape) > 0x7FFFFFFF:
        raise ValueError(f'invalid image shape {arr.shape}')
    if (arr.shape[0] if planar else arr.shape[2]) > 16384:
        raise ValueError('JPEG 2000 allows at most 16384 components')
    return numpy.ascontiguousarray(arr, arr.dtype.newbyteorder('='))


cdef int _codec_format(object codecformat) except -1:
    if codecformat is None:
        return OPJ_CODEC_JP2
    if isinstance(codecformat, str):
        name = codecformat.lower().lstrip('.')
        if name in ('jp2', 'jpx'):
            return OPJ_CODEC_JP2
        if name in ('j2k', 'j2c', 'jpc', 'jhc'):
            return OPJ_CODEC_J2K
        raise ValueError(f'invalid codecformat={codecformat!r}')
    value = JPEG2K.CODEC(codecformat)  # ValueError if unknown
    return OPJ_CODEC_JP2 if value == JPEG2K.CODEC.JP2 else OPJ_CODEC_J2K


cdef OPJ_COLOR_SPACE _color_space(object colorspace, int ncomps):
    if colorspace is None:
        return OPJ_CLRSPC_SRGB if ncomps in (3, 4) else OPJ_CLRSPC_GRAY
    if isinstance(colorspace, str):
        colorspace = JPEG2K.CLRSPC[colorspace.upper()]  # KeyError if unknown
    return (
        OPJ_CLRSPC_UNSPECIFIED, OPJ_CLRSPC_SRGB, OPJ_CLRSPC_GRAY,
        OPJ_CLRSPC_SYCC, OPJ_CLRSPC_EYCC, OPJ_CLRSPC_CMYK,
    )[JPEG2K.CLRSPC(colorspace)]


cdef OPJ_PROG_ORDER _progression(object progression):
    if progression is None:
        return OPJ_LRCP
    if isinstance(progression, str):
        progression = JPEG2K.PROG[progression.upper()]  # KeyError if unknown
    return (OPJ_LRCP, OPJ_RLCP, OPJ_RPCL, OPJ_PCRL, OPJ_CPRL)[JPEG2K.PROG(progression)]


cdef tuple _pair(object value, str name):
    """Return (height, width) from an int or a pair of ints."""
    if isinstance(value, (int, numpy.integer)):
        return int(value), int(value)
    try:
        h, w = value
        return int(h), int(w)
    except (TypeError, ValueError):
        raise TypeError(f'{name} must be an int or (height, width), not {value!r}') from None


def jpeg2k_encode(
    data, /, level=None, *, codecformat=None, colorspace=None, planar=None,
    tile=None, bitspersample=None, resolutions=None, reversible=None,
    mct=True, verbose=None, numthreads=None, codeblock=None,
    progression=None, out=None,
):
    """Return an image array encoded as JPEG 2000.

    `data` is a (u)int8 or (u)int16 array, (H, W), (H, W, S) or, if
    `planar`, (S, H, W). `level` is the quality in dB PSNR of one layer, or
    a sequence of increasing PSNRs, one quality layer each; None or 0 is
    lossless. `codecformat` is JPEG2K.CODEC or 'jp2' (default), 'j2k'.
    `colorspace` is a JPEG2K.CLRSPC (default: SRGB for 3 or 4 components,
    else GRAY). `tile` is the (height, width) of tiles (default: one tile).
    `bitspersample` is the precision (default: the dtype's). `resolutions`
    is the number of resolution levels (default: 6, fewer for small
    images; the smallest level keeps at least 8 pixels). `reversible` selects
    the 5/3 wavelet (default: when lossless). `mct` applies the multiple
    component transform to RGB images. `numthreads` is the number of encoder threads, 0 for all
    cores. `codeblock` is the (height, width) of code blocks, powers of two
    from 4 to 1024 with at most 4096 samples (default: 64 x 64).
    `progression` is a JPEG2K.PROG or its name (default: LRCP, or RPCL
    with `level`).
    """
    cdef bint isplanar = bool(planar)
    arr = _image_array(data, isplanar)
    cdef int itemsize = arr.dtype.itemsize
    cdef bint signed = arr.dtype.kind == 'i'
    cdef uint32_t ncomps, height, width, c
    if isplanar:
        ncomps, height, width = arr.shape
    else:
        height, width, ncomps = arr.shape
    cdef int fmt = _codec_format(codecformat)
    cdef OPJ_COLOR_SPACE clrspc = _color_space(colorspace, ncomps)
    cdef opj_cparameters_t params
    cdef opj_image_cmptparm_t *cmptparms = NULL
    cdef opj_image_t *image = NULL
    cdef opj_codec_t *codec = NULL
    cdef opj_stream_t *stream = NULL
    cdef _Messages msg
    cdef Sink sink
    cdef Output dst
    cdef const uint8_t *src = <const uint8_t *>(<size_t>arr.ctypes.data)
    cdef size_t stride = (<size_t>height * width) if isplanar else 1
    cdef size_t step = 1 if isplanar else ncomps
    cdef int prec = itemsize * 8 if bitspersample is None else bitspersample
    cdef int nthreads = numthreads_arg(numthreads)
    cdef int nres, th, tw, ok = 0, i
    cdef const char *func = b'opj_image_create'

    if not 1 <= prec <= itemsize * 8:
        raise ValueError(f'bitspersample must be 1 to {itemsize * 8}, not {prec}')
    if level is None:
        layers = []
    elif isinstance(level, (int, float, numpy.number)):
        layers = [float(level)] if level > 0 else []
    else:
        layers = [float(q) for q in level]
        if not 1 <= len(layers) <= 100 or min(layers) <= 0 or layers != sorted(set(layers)):
            raise ValueError(f'level must be up to 100 increasing positive PSNRs, not {level!r}')
    lossless = not layers
    if reversible is None:
        reversible = lossless

    opj_set_default_encoder_parameters(&params)
    params.tcp_numlayers = 1
    params.tcp_rates[0] = 0
    params.cp_disto_alloc = 1
    if layers:
        params.cp_disto_alloc = 0
        params.cp_fixed_quality = 1
        params.tcp_numlayers = len(layers)
        for i, q in enumerate(layers):
            params.tcp_distoratio[i] = q
    params.irreversible = 0 if reversible else 1
    params.tcp_mct = 1 if (mct and ncomps == 3) else 0
    params.prog_order = _progression(progression)
    if layers:
        # as imagecodecs: lossy streams have 256 x 256 precincts, and are
        # resolution-major unless said otherwise
        if progression is None:
            params.prog_order = OPJ_RPCL
        params.csty |= 0x01
    th, tw = height, width
    if tile is not None:
        th, tw = _pair(tile, 'tile')
        if th < 1 or tw < 1:
            raise ValueError(f'invalid tile={tile!r}')
        params.tile_size_on = OPJ_TRUE
        params.cp_tx0 = params.cp_ty0 = 0
        params.cp_tdx = min(tw, width)
        params.cp_tdy = min(th, height)
        th, tw = params.cp_tdy, params.cp_tdx
    if codeblock is not None:
        params.cblockh_init, params.cblockw_init = _pair(codeblock, 'codeblock')
        for n in (params.cblockh_init, params.cblockw_init):
            if n < 4 or n > 1024 or n & (n - 1):
                raise ValueError(f'invalid codeblock={codeblock!r}')
        if params.cblockh_init * params.cblockw_init > 4096:
            raise ValueError(f'invalid codeblock={codeblock!r}: more than 4096 samples')
    nres = 6 if resolutions is None else resolutions
    if not 1 <= nres <= 32:
        raise ValueError(f'resolutions must be 1 to 32, not {nres}')
    # each level halves the tile: keep the smallest at 8 pixels or more
    while nres > 1 and (min(th, tw) >> (nres - 1)) < 8:
        nres -= 1
    params.numresolution = nres
    if layers:
        params.res_spec = nres
        for i in range(nres):
            params.prcw_init[i] = params.prch_init[i] = 256

    msg.size = 0
    msg.text[0] = 0
    msg.verbose = 0 if not verbose else int(verbose)
    dst = encode_output(out, <Py_ssize_t>arr.nbytes // 2 + 1024, Jpeg2kError)
    sink_init(&sink, dst)  # borrows dst, kept alive here
    cmptparms = <opj_image_cmptparm_t *>PyMem_Calloc(ncomps, sizeof(opj_image_cmptparm_t))
    if cmptparms == NULL:
        raise MemoryError()
    try:
        for c in range(ncomps):
            cmptparms[c].dx = cmptparms[c].dy = 1
            cmptparms[c].w = width
            cmptparms[c].h = height
            cmptparms[c].prec = prec
            cmptparms[c].sgnd = signed
        with nogil:
            image = opj_image_create(ncomps, cmptparms, clrspc)
            if image != NULL:
                image.x0 = image.y0 = 0
                image.x1 = width
                image.y1 = height
                _to_planes(src, image, itemsize, signed, stride, step)
                func = b'opj_create_compress'
                codec = opj_create_compress(<OPJ_CODEC_FORMAT>fmt)
            if codec != NULL:
                _set_handlers(codec, &msg)
                func = b'opj_setup_encoder'
                ok = opj_setup_encoder(codec, &params, image)
            if ok and nthreads > 1:
                opj_codec_set_threads(codec, nthreads)
            if ok:
                func = b'opj_stream_create'
                stream = opj_stream_create(1 << 20, OPJ_FALSE)
                ok = stream != NULL
            if ok:
                opj_stream_set_write_function(stream, _sink_write)
                opj_stream_set_skip_function(stream, _sink_skip)
                opj_stream_set_seek_function(stream, _sink_seek)
                opj_stream_set_user_data(stream, &sink, NULL)
                func = b'opj_start_compress'
                ok = opj_start_compress(codec, image, stream)
                if ok:
                    func = b'opj_encode'
                    ok = opj_encode(codec, stream)
                if ok:
                    func = b'opj_end_compress'
                    ok = opj_end_compress(codec, stream)
        if sink.error == NULL and (image == NULL or codec == NULL):
            raise MemoryError(f'{func.decode()} failed')
        if sink.error == NULL and not ok:
            raise _failed(func, &msg)
    finally:
        with nogil:
            _close(codec, stream, image)
        PyMem_Free(cmptparms)
    result = sink_finish(&sink)
    _report(&msg)
    return result


def jpeg2k_decode(data, /, *, planar=None, verbose=None, numthreads=None, reduce=None, out=None, max_output=None):
    """Return a JPEG 2000 image (JP2 file or J2K codestream) as an array.

    One component gives (H, W), several (H, W, S), or (S, H, W) if
    `planar`. Samples of up to 8 bits give (u)int8, up to 16 bits
    (u)int16. `numthreads` is the number of decoder threads, 0 for all
    cores. `reduce` discards that many of the highest resolution levels,
    halving the size each. The decoder's int32 working planes are limited
    to `max_output` bytes (default: ndcodecs.get_max_output()).
    """
    return _decode(data, planar, verbose, numthreads, reduce, True, False, out, max_output, Jpeg2kError)


# Decoding. Debian's openjpeg aborts the process (failed assertions) on some
# corrupt HT code blocks, so HT codestreams decode in a helper process
# (ndcodecs._isolation), or where none can start, in a forked child
# (isolate.h); the others in this process. All run the same steps.

cdef struct _Decode:
    _Source source
    _Messages msg
    int fmt
    OPJ_BOOL strict
    uint32_t reduce
    int nthreads
    size_t limit  # bytes the int32 working planes may take
    bint planar
    char func[40]  # the openjpeg call that failed, if any
    char problem[200]  # else what is wrong, if anything
    size_t samples  # in the working planes, from the header
    # the decoded image
    uint32_t ncomps, width, height, prec
    int sgnd
    # in a child: where its pixels go, and their room
    uint8_t *pixels
    size_t room


cdef int _fail(_Decode *job, const char *func, const char *problem) noexcept nogil:
    if func != NULL:
        snprintf(job.func, sizeof(job.func), b'%s', func)
    if problem != NULL:
        snprintf(job.problem, sizeof(job.problem), b'%s', problem)
    return -1


cdef object _job_error(_Decode *job, object error):
    if job.func[0]:
        return _failed(job.func, &job.msg, error)
    return error(job.problem.decode('utf-8', 'replace'))


cdef int _open(_Decode *job, opj_codec_t **codec, opj_stream_t **stream, opj_image_t **image, int nthreads) noexcept nogil:
    """Create the decoder and read the header; 0, or -1 with the failure
    in `job`."""
    cdef opj_dparameters_t params
    cdef size_t c, chunk = min(max(job.source.size, 4096), 1 << 20)
    opj_set_default_decoder_parameters(&params)
    params.cp_reduce = job.reduce
    job.source.pos = 0
    codec[0] = opj_create_decompress(<OPJ_CODEC_FORMAT>job.fmt)
    if codec[0] == NULL:
        return _fail(job, b'opj_create_decompress', NULL)
    _set_handlers(codec[0], &job.msg)
    if not opj_setup_decoder(codec[0], &params):
        return _fail(job, b'opj_setup_decoder', NULL)
    opj_decoder_set_strict_mode(codec[0], job.strict)
    if nthreads > 1:
        opj_codec_set_threads(codec[0], nthreads)
    stream[0] = opj_stream_create(chunk, OPJ_TRUE)
    if stream[0] == NULL:
        return _fail(job, b'opj_stream_create', NULL)
    opj_stream_set_read_function(stream[0], _src_read)
    opj_stream_set_skip_function(stream[0], _src_skip)
    opj_stream_set_seek_function(stream[0], _src_seek)
    opj_stream_set_user_data(stream[0], &job.source, NULL)
    opj_stream_set_user_data_length(stream[0], job.source.size)
    if not opj_read_header(stream[0], codec[0], image) or image[0] == NULL:
        return _fail(job, b'opj_read_header', NULL)
    if image[0].numcomps < 1:
        return _fail(job, NULL, b'opj_read_header returned an image without components')
    # openjpeg decodes into int32 planes of the full components: check
    # their size before it allocates them
    job.samples = 0
    for c in range(image[0].numcomps):
        if image[0].comps[c].dx == 0 or image[0].comps[c].dy == 0:
            return _fail(job, NULL, b'invalid component subsampling')
        job.samples += (_ceil_div(image[0].x1 - image[0].x0, image[0].comps[c].dx)
                        * _ceil_div(image[0].y1 - image[0].y0, image[0].comps[c].dy))
    if job.samples > job.limit // 4:
        snprintf(job.problem, sizeof(job.problem), b'decoding needs %zu bytes, more than max_output=%zu bytes',
                 job.samples * 4, job.limit)
        return -1
    return 0


cdef int _decode_image(_Decode *job, opj_codec_t *codec, opj_stream_t *stream, opj_image_t *image) noexcept nogil:
    """Decode the image _open read the header of, and check that numpy can
    hold its components; 0, or -1 with the failure in `job`."""
    cdef uint32_t c
    if not opj_decode(codec, stream, image):
        return _fail(job, b'opj_decode', NULL)
    if not opj_end_decompress(codec, stream):
        return _fail(job, b'opj_end_decompress', NULL)
    job.ncomps = image.numcomps
    job.width = image.comps[0].w
    job.height = image.comps[0].h
    job.prec = image.comps[0].prec
    job.sgnd = image.comps[0].sgnd
    for c in range(job.ncomps):
        if image.comps[c].w != job.width or image.comps[c].h != job.height or image.comps[c].data == NULL:
            return _fail(job, NULL, b'components of different sizes are not supported')
        if image.comps[c].prec != job.prec or image.comps[c].sgnd != <uint32_t>job.sgnd:
            return _fail(job, NULL, b'components of different precisions are not supported')
    if job.prec < 1 or job.prec > 16:
        snprintf(job.problem, sizeof(job.problem), b'%u-bit samples are not supported', job.prec)
        return -1
    return 0


cdef inline int _itemsize(_Decode *job) noexcept nogil:
    return 1 if job.prec <= 8 else 2


cdef void _write_pixels(_Decode *job, opj_image_t *image, uint8_t *dst) noexcept nogil:
    """Copy the decoded components into dst, interleaved or planar."""
    if job.planar:
        _from_planes(image, dst, _itemsize(job), <size_t>job.height * job.width, 1)
    else:
        _from_planes(image, dst, _itemsize(job), 1, job.ncomps)


cdef void _close(opj_codec_t *codec, opj_stream_t *stream, opj_image_t *image) noexcept nogil:
    if stream != NULL:
        opj_stream_destroy(stream)
    if codec != NULL:
        opj_destroy_codec(codec)
    if image != NULL:
        opj_image_destroy(image)


cdef object _result(_Decode *job, object out, object max_output, object error):
    """Return the array for the decoded image, from array_output."""
    cdef Py_ssize_t h = job.height, w = job.width, s = job.ncomps
    dtype = f'{"i" if job.sgnd else "u"}{_itemsize(job)}'
    if s == 1:
        shape = (h, w)
    elif job.planar:
        shape = (s, h, w)
    else:
        shape = (h, w, s)
    return array_output(out, shape, dtype, error, max_output)


cdef object _decode_here(_Decode *job, object out, object max_output, object error):
    cdef opj_codec_t *codec = NULL
    cdef opj_stream_t *stream = NULL
    cdef opj_image_t *image = NULL
    cdef int failed
    cdef uint8_t *dst
    try:
        with nogil:
            failed = _open(job, &codec, &stream, &image, job.nthreads)
            if not failed:
                failed = _decode_image(job, codec, stream, image)
        if failed:
            raise _job_error(job, error)
        result = _result(job, out, max_output, error)
        dst = <uint8_t *><size_t>result.ctypes.data
        with nogil:
            _write_pixels(job, image, dst)
        _report(&job.msg)
    finally:
        with nogil:
            _close(codec, stream, image)
    return result


cdef long _decode_in_child(void *arg) noexcept nogil:
    """The work of a forked child: decode into the shared pixels."""
    cdef _Decode *job = <_Decode *>arg
    cdef opj_codec_t *codec = NULL
    cdef opj_stream_t *stream = NULL
    cdef opj_image_t *image = NULL
    if _open(job, &codec, &stream, &image, job.nthreads) or _decode_image(job, codec, stream, image):
        return -1
    if <size_t>job.ncomps * job.height * job.width * _itemsize(job) > job.room:
        return _fail(job, NULL, b'the decoded image is larger than its header said')
    _write_pixels(job, image, job.pixels)
    return 0  # the child exits: no need to free


cdef object _decode_isolated(_Decode *job, object out, object max_output, object error):
    """Read the header here, decode in a helper process, or if helpers
    cannot start here, in a forked child."""
    cdef opj_codec_t *codec = NULL
    cdef opj_stream_t *stream = NULL
    cdef opj_image_t *image = NULL
    cdef int failed
    with nogil:
        failed = _open(job, &codec, &stream, &image, 0)
        _close(codec, stream, image)
    if failed:
        raise _job_error(job, error)
    job.msg.size = 0
    job.msg.text[0] = 0
    job.room = job.samples * 2  # components at most this size, 2 bytes a sample
    # generous: openjpeg decodes tens of millions of samples a second
    cdef unsigned seconds = 20 + <unsigned>(job.samples >> 20)
    helper = _isolation.acquire(__name__)
    if helper is None:
        return _decode_forked(job, seconds, out, max_output, error)
    return _decode_in_helper(job, helper, seconds, out, max_output, error)


cdef object _decode_in_helper(_Decode *job, object helper, unsigned seconds, object out, object max_output, object error):
    cdef _Decode reply
    cdef int fd = helper.fd, status, timeout = <int>min(seconds * 1000, 0x7FFFFFFF)
    cdef size_t size = 0
    cdef uint8_t *dst
    complete = False
    try:
        with nogil:
            status = ndc_message_send(fd, job, sizeof(_Decode), job.source.data, job.source.size, timeout)
            if status == 0:
                status = ndc_message_head(fd, &reply, sizeof(_Decode), &size, timeout)
        if status == 0 and (reply.func[0] or reply.problem[0]):
            complete = size == 0
            raise _job_error(&reply, error)
        if status == 0:
            if size != <size_t>reply.ncomps * reply.height * reply.width * _itemsize(&reply) or size > job.room:
                raise error('the decoding process returned an inconsistent image')
            result = _result(&reply, out, max_output, error)
            dst = <uint8_t *><size_t>result.ctypes.data
            with nogil:
                status = ndc_message_body(fd, dst, size, timeout)
        if status != 0:
            raise _isolation.failed(helper, status == NDC_MESSAGE_TIMEOUT, 'openjpeg', seconds, error)
        complete = True
        _report(&reply.msg)
    finally:
        _isolation.finish(helper, complete)
    return result


cdef void *_decode_request(void *head, const uint8_t *body, size_t size, size_t *replysize) noexcept nogil:
    """Decode a request of _decode_in_helper in a helper process: the
    pixels, or NULL with the failure in the job."""
    cdef _Decode *job = <_Decode *>head
    cdef opj_codec_t *codec = NULL
    cdef opj_stream_t *stream = NULL
    cdef opj_image_t *image = NULL
    cdef uint8_t *pixels = NULL
    job.source.data = body
    job.source.size = size
    job.msg.size = 0
    job.msg.text[0] = 0
    job.func[0] = 0
    job.problem[0] = 0
    if _open(job, &codec, &stream, &image, job.nthreads) == 0 and _decode_image(job, codec, stream, image) == 0:
        replysize[0] = <size_t>job.ncomps * job.height * job.width * _itemsize(job)
        pixels = <uint8_t *>malloc(replysize[0])
        if pixels == NULL:
            _fail(job, NULL, b'out of memory for the decoded image')
        else:
            _write_pixels(job, image, pixels)
    _close(codec, stream, image)
    return pixels


def serve_helper():
    """The loop of a helper process decoding HT codestreams."""
    with nogil:
        ndc_serve(0, sizeof(_Decode), _decode_request)


cdef object _decode_forked(_Decode *header, unsigned seconds, object out, object max_output, object error):
    cdef _Decode *job = NULL
    cdef long status
    cdef int detail = 0
    cdef size_t size
    cdef uint8_t *dst
    try:
        job = <_Decode *>ndc_shared_alloc(sizeof(_Decode))
        if job == NULL:
            raise MemoryError('could not map memory shared with the decoding process')
        memcpy(job, header, sizeof(_Decode))
        job.pixels = <uint8_t *>ndc_shared_alloc(job.room)
        if job.pixels == NULL:
            raise MemoryError('could not map memory shared with the decoding process')
        with nogil:
            status = ndc_isolated_run(_decode_in_child, job, seconds, &detail)
        exc = isolated_error(status, detail, 'openjpeg', error)
        if exc is not None:
            raise exc
        if status != 0:
            raise _job_error(job, error)
        size = <size_t>job.ncomps * job.height * job.width * _itemsize(job)
        if size > job.room:
            raise error('the decoding process returned an inconsistent image')
        result = _result(job, out, max_output, error)
        dst = <uint8_t *><size_t>result.ctypes.data
        with nogil:
            memcpy(dst, job.pixels, size)
        _report(&job.msg)
    finally:
        if job != NULL:
            ndc_shared_free(job.pixels, job.room)
            ndc_shared_free(job, sizeof(_Decode))
    return result


def _decode(data, planar, verbose, numthreads, reduce, strict, ht, out, max_output, error):
    """jpeg2k_decode, raising `error`; not `strict`, truncated codestreams
    decode as far as they go; `ht` lets HT code blocks through and decodes
    in another process (htj2k_decode uses this)."""
    cdef Input inp = read_input(data)
    cdef _Decode job
    cdef size_t offset
    cdef int uses_ht
    memset(&job, 0, sizeof(job))
    if reduce is not None:
        if not 0 <= reduce <= 32:
            raise ValueError(f'reduce must be 0 to 32, not {reduce}')
        job.reduce = reduce
    if inp.size >= 12 and memcmp_bytes(inp.data, _JP2_SIGNATURE, 12):
        job.fmt = OPJ_CODEC_JP2
    elif inp.size >= 4 and memcmp_bytes(inp.data, _J2K_SIGNATURE, 4):
        job.fmt = OPJ_CODEC_J2K
    else:
        raise error('not a JPEG 2000 stream: no JP2 signature or SOC/SIZ markers')
    offset = _codestream_offset(inp.data, <size_t>inp.size) if job.fmt == OPJ_CODEC_JP2 else 0
    if job.fmt == OPJ_CODEC_JP2 and offset == 0:
        raise error('no codestream box in the JP2 file')
    if not ht:
        uses_ht = _uses_ht(inp.data + offset, <size_t>inp.size - offset)
        if uses_ht < 0:
            raise error('invalid or truncated codestream: broken marker segments')
        if uses_ht:
            raise error('HTJ2K code blocks: use htj2k_decode')
    job.source.data = inp.data
    job.source.size = <size_t>inp.size
    job.msg.verbose = 0 if not verbose else int(verbose)
    job.strict = OPJ_TRUE if strict else OPJ_FALSE
    job.nthreads = numthreads_arg(numthreads)
    job.limit = <size_t>output_limit(max_output)
    job.planar = bool(planar)
    if ht:
        return _decode_isolated(&job, out, max_output, error)
    return _decode_here(&job, out, max_output, error)


cdef inline uint32_t _be16(const uint8_t *p) noexcept nogil:
    return (<uint32_t>p[0] << 8) | p[1]


cdef int _uses_ht(const uint8_t *data, size_t size) noexcept nogil:
    """Return 1 if a codestream's main or tile-part headers ask for HT
    code blocks (Rsiz, CAP, or the code-block style of COD or COC), 0 if
    not, -1 if its marker structure is broken."""
    cdef size_t pos = 2, end, csiz_bytes = 1, tile_end = 0
    cdef uint32_t marker, length
    if size < 44 or _be16(data) != 0xFF4F or _be16(data + 2) != 0xFF51:
        return -1
    if _be16(data + 6) & 0x4000:
        return 1
    csiz_bytes = 2 if _be16(data + 40) > 256 else 1
    while size - pos >= 4:
        marker = _be16(data + pos)
        if marker == 0xFF93:  # SOD: skip the tile-part's data
            if tile_end == 0:
                return 0  # the last tile-part runs to the end
            pos = tile_end
            tile_end = 0
            continue
        if marker == 0xFFD9:
            return 0
        if marker < 0xFF30:
            return -1
        length = _be16(data + pos + 2)
        if length < 2 or length > size - pos - 2:
            return -1
        end = pos + 2 + length
        if marker == 0xFF50:  # CAP
            return 1
        if marker == 0xFF52 and length >= 12 and data[pos + 12] & 0x40:  # COD
            return 1
        if marker == 0xFF53 and length >= 9 + csiz_bytes and data[pos + 9 + csiz_bytes] & 0x40:  # COC
            return 1
        if marker == 0xFF90:  # SOT: Psot is the tile-part's length
            if length != 10:
                return -1
            tile_end = (<size_t>_be16(data + pos + 6) << 16) | _be16(data + pos + 8)
            if tile_end:
                if tile_end < 14 or tile_end > size - pos:
                    return -1
                tile_end += pos
        pos = end
    return 0


cdef size_t _codestream_offset(const uint8_t *data, size_t size) noexcept nogil:
    """Return where the codestream box's content starts in a JP2 file, or 0."""
    cdef size_t pos = 0, length, header
    while size - pos >= 8:
        length = (<size_t>_be16(data + pos) << 16) | _be16(data + pos + 2)
        header = 8
        if length == 1:
            if size - pos < 16 or _be16(data + pos + 8) or _be16(data + pos + 10):
                return 0
            length = (<size_t>_be16(data + pos + 12) << 16) | _be16(data + pos + 14)
            header = 16
        elif length == 0:
            length = size - pos
        if length < header or length > size - pos:
            return 0
        if memcmp(data + pos + 4, b'jp2c', 4) == 0:
            return pos + header
        pos += length
    return 0


cdef inline size_t _ceil_div(size_t a, size_t b) noexcept nogil:
    return (a + b - 1) // b


cdef inline bint memcmp_bytes(const uint8_t *data, bytes expected, size_t n):
    return memcmp(data, <const char *>expected, n) == 0


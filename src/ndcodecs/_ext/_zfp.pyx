# cython: language_level=3, boundscheck=False, wraparound=False
"""ZFP codec through libzfp: lossy and lossless compression of 1-D to 4-D
arrays of float32, float64, int32 and int64.

Compression mode
----------------
``zfp_encode`` takes the mode in one of two spellings, which cannot be mixed:

- imagecodecs': ``mode`` (a ZFP.MODE, its value, or one of 'r'/'rate',
  'p'/'precision', 'a'/'accuracy', 'R'/'reversible'/'lossless',
  'expert') with ``level`` its parameter: the rate in compressed bits per
  value, the precision in uncompressed bits per value (default 64), the
  absolute error tolerance, nothing, or a tuple (minbits, maxbits,
  maxprec, minexp). Without a mode the stream is reversible (lossless) and
  ``level`` is ignored, as in imagecodecs;
- direct keywords: ``rate=``, ``precision=``, ``tolerance=`` or
  ``reversible=True``, at most one, without ``mode`` or ``level``.

Any other combination raises ValueError.

Stream format
-------------
As written by imagecodecs: with ``header=True`` (default) the stream starts
with zfp's full header (magic, type and shape, mode; ZFP_HEADER_FULL), so
``zfp_decode(data)`` needs nothing else. With ``header=False`` the type and
shape are left out but the magic and the mode are kept (ZFP_HEADER_MAGIC |
ZFP_HEADER_MODE), so decoding needs ``shape`` and ``dtype`` only; the mode
always comes from the stream.

Non-finite values
-----------------
zfp's lossy modes cannot represent NaN or infinity (they come back as
arbitrary finite numbers, silently in imagecodecs); ``zfp_encode`` raises
ZfpError on them. The reversible mode keeps every bit, NaN and infinity
included.
"""

import enum
import math

import numpy

from libc.stdint cimport int64_t, uint8_t, uint32_t, uint64_t, uintptr_t
from libc.stdlib cimport calloc, malloc, free
from libc.string cimport memcpy, memset

from ._shared cimport as_array, array_output, Input, Output, read_input, encode_output, numthreads_arg
from .zfp cimport *

from .._errors import error_class

__all__ = ['ZFP', 'ZfpError', 'zfp_version', 'zfp_check', 'zfp_encode', 'zfp_decode']


cdef extern from 'zfp.h' nogil:
    const unsigned int zfp_library_version


cdef extern from 'zfp_blocks.h' nogil:
    int64_t ndc_zfp_decode_blocks(zfp_stream *stream, const zfp_field *field, uint64_t limit)


class ZFP:
    """ZFP constants."""

    available = True

    class EXEC(enum.IntEnum):
        """Execution policies; zfp decompresses serially only."""

        SERIAL = 0
        OMP = 1
        CUDA = 2

    class MODE(enum.IntEnum):
        """Compression modes; NONE means the default, REVERSIBLE."""

        NONE = 0
        EXPERT = 1
        FIXED_RATE = 2
        FIXED_PRECISION = 3
        FIXED_ACCURACY = 4
        REVERSIBLE = 5

    class HEADER(enum.IntEnum):
        """Parts of zfp's stream header."""

        MAGIC = 1
        META = 2
        MODE = 4
        FULL = 7


ZfpError = error_class('zfp')

_MODE_NAMES = {
    'r': 2, 'rate': 2,
    'p': 3, 'precision': 3,
    'a': 4, 'accuracy': 4,
    'R': 5, 'reversible': 5, 'lossless': 5,
    'expert': 1,
}

# numpy dtype -> zfp type, and back
_TYPES = {
    numpy.dtype(numpy.int32): zfp_type_int32,
    numpy.dtype(numpy.int64): zfp_type_int64,
    numpy.dtype(numpy.float32): zfp_type_float,
    numpy.dtype(numpy.float64): zfp_type_double,
}
_DTYPES = {v: k for k, v in _TYPES.items()}


def zfp_version():
    """Return the libzfp version string."""
    cdef unsigned int v = zfp_library_version
    return f'zfp {(v >> 12) & 0xF}.{(v >> 8) & 0xF}.{(v >> 4) & 0xF}'


def zfp_check(data, /):
    """Return True if `data` starts with zfp's magic ('zfp' and codec 5)."""
    return bytes(data[:4]) == b'zfp\x05'


cdef object _zfp_dtype(object dtype):
    """Return the native dtype of a zfp type, or raise ValueError."""
    dt = numpy.dtype(dtype)
    native = dt.newbyteorder('=')
    if native not in _TYPES:
        raise ValueError(f'data type {dt} not supported by ZFP: use float32, float64, int32 or int64')
    return native


cdef int _mode_arg(object mode) except -1:
    if mode is None:
        return 0
    if isinstance(mode, str):
        try:
            return _MODE_NAMES[mode]
        except KeyError:
            raise ValueError(f'invalid ZFP mode={mode!r}') from None
    try:
        value = int(mode)
    except (TypeError, ValueError):
        raise ValueError(f'invalid ZFP mode={mode!r}') from None
    if not 0 <= value <= 5:
        raise ValueError(f'invalid ZFP mode={mode!r}')
    return value


cdef tuple _resolve_mode(level, rate, precision, tolerance, reversible, mode):
    """Return (zfp mode, parameter) from either spelling of the mode."""
    direct = [
        (name, value) for name, value in (
            ('rate', rate), ('precision', precision), ('tolerance', tolerance),
        ) if value is not None
    ]
    if reversible is not None and reversible is not False:
        if reversible is not True:
            raise ValueError(f'reversible must be True, False or None, not {reversible!r}')
        direct.append(('reversible', True))
    if len(direct) > 1:
        raise ValueError('conflicting ZFP modes: ' + ', '.join(n for n, _ in direct))
    if direct:
        if mode is not None:
            raise ValueError(f'{direct[0][0]}= conflicts with mode={mode!r}')
        if level is not None:
            raise ValueError(f'{direct[0][0]}= conflicts with level={level!r}')
        name, value = direct[0]
        return {'rate': 2, 'precision': 3, 'tolerance': 4, 'reversible': 5}[name], value
    m = _mode_arg(mode)
    if m == 0:
        return 5, None  # imagecodecs: no mode is reversible, level ignored
    return m, level


cdef int _set_mode(zfp_stream *stream, int mode, object param, zfp_type ztype, unsigned int dims) except -1:
    cdef double value
    cdef long ivalue
    if mode == 5:
        zfp_stream_set_reversible(stream)
    elif mode == 2:
        if param is None:
            raise ValueError('fixed-rate mode needs a rate (level=)')
        value = float(param)
        if not value > 0 or not math.isfinite(value):
            raise ValueError(f'the rate must be > 0, not {param!r}')
        zfp_stream_set_rate(stream, value, ztype, dims, 0)
    elif mode == 3:
        ivalue = 64 if param is None else int(param)
        if ivalue < 1:
            raise ValueError(f'the precision must be >= 1, not {param!r}')
        zfp_stream_set_precision(stream, <unsigned int>min(ivalue, 64))
    elif mode == 4:
        if param is None:
            raise ValueError('fixed-accuracy mode needs a tolerance (level=)')
        value = float(param)
        if not value >= 0 or not math.isfinite(value):
            raise ValueError(f'the tolerance must be >= 0, not {param!r}')
        zfp_stream_set_accuracy(stream, value)
    elif mode == 1:
        try:
            minbits, maxbits, maxprec, minexp = param
        except (TypeError, ValueError):
            raise ValueError('expert mode needs level=(minbits, maxbits, maxprec, minexp)') from None
        if (minbits < 0 or maxbits < 0 or maxprec < 0 or minbits > 0xFFFFFFFF or maxbits > 0xFFFFFFFF
                or maxprec > 0xFFFFFFFF or not -0x80000000 <= minexp <= 0x7FFFFFFF):
            raise ValueError(f'invalid expert parameters {param!r}')
        if not zfp_stream_set_params(stream, minbits, maxbits, maxprec, minexp):
            raise ValueError(f'zfp_stream_set_params rejected {param!r}')
    return 0


cdef bint _has_nonfinite(object arr):
    """Return True if a float array holds NaN or infinity."""
    cdef const uint32_t *p32
    cdef const uint64_t *p64
    cdef size_t i, n = arr.size, bad = 0
    cdef uintptr_t ptr
    if not arr.flags.c_contiguous:
        return not bool(numpy.isfinite(arr).all())
    ptr = arr.__array_interface__['data'][0]
    if arr.dtype.itemsize == 4:
        p32 = <const uint32_t *>ptr
        with nogil:
            for i in range(n):
                bad += (p32[i] & 0x7F800000U) == 0x7F800000U
    else:
        p64 = <const uint64_t *>ptr
        with nogil:
            for i in range(n):
                bad += (p64[i] & 0x7FF0000000000000ULL) == 0x7FF0000000000000ULL
    return bad != 0


cdef int _set_field(zfp_field *field, tuple shape, tuple strides, Py_ssize_t itemsize) except -1:
    """Set a field's size (zfp: x fastest) and, if not C order, strides."""
    cdef size_t n[4]
    cdef ptrdiff_t s[4]
    cdef int i, ndim = len(shape)
    cdef bint contiguous = True
    cdef Py_ssize_t expect = itemsize
    for i in range(4):
        n[i] = 0
        s[i] = 0
    for i in range(ndim):
        n[i] = shape[ndim - 1 - i]
        if strides is not None:
            s[i] = strides[ndim - 1 - i] // itemsize
            if strides[ndim - 1 - i] != expect:
                contiguous = False
            expect *= shape[ndim - 1 - i]
    if ndim == 1:
        zfp_field_set_size_1d(field, n[0])
    elif ndim == 2:
        zfp_field_set_size_2d(field, n[0], n[1])
    elif ndim == 3:
        zfp_field_set_size_3d(field, n[0], n[1], n[2])
    else:
        zfp_field_set_size_4d(field, n[0], n[1], n[2], n[3])
    if strides is not None and not contiguous:
        zfp_field_set_stride_4d(field, s[0], s[1], s[2], s[3])
    return 0


cdef object _input_array(object data):
    """Return `data` as a native array of a zfp type, 1-D to 4-D, not empty,
    with strides that are whole elements (else a contiguous copy)."""
    arr = as_array(data, 'an array')
    dtype = _zfp_dtype(arr.dtype)
    if arr.dtype != dtype:
        arr = arr.astype(dtype)
    if not 1 <= arr.ndim <= 4:
        raise ValueError(f'data shape {arr.shape} not supported by ZFP: 1 to 4 dimensions')
    if arr.size == 0:
        raise ValueError(f'empty data shape {arr.shape} not supported by ZFP')
    if not arr.flags.c_contiguous and any(s % arr.itemsize or s == 0 for s in arr.strides):
        arr = numpy.ascontiguousarray(arr)
    return arr


def zfp_encode(
    data, /, level=None, *, rate=None, precision=None, tolerance=None,
    reversible=None, mode=None, execution=None, chunksize=None, header=True,
    numthreads=None, out=None,
):
    """Return a 1-D to 4-D float32, float64, int32 or int64 array ZFP encoded.

    The mode is given either as imagecodecs does, `mode` (ZFP.MODE or
    'r', 'p', 'a', 'R'/'lossless', 'expert') with `level` its rate,
    precision, tolerance or (minbits, maxbits, maxprec, minexp), or by one
    of `rate`, `precision`, `tolerance`, `reversible=True`; mixing them
    raises ValueError. No mode at all means reversible (lossless), as in
    imagecodecs; `level` alone is then ignored. In accuracy mode every
    decoded value is within `tolerance` of the input. Lossy modes raise
    ZfpError on NaN or infinity.

    `header=True` writes zfp's full header; False leaves out the type and
    shape (not the magic and mode), so decoding needs shape and dtype.
    `numthreads` > 1 or `execution=ZFP.EXEC.OMP` compress with OpenMP if
    libzfp has it (else serially, with the same result), in chunks of
    `chunksize` blocks (default: one per thread); fixed-rate mode is always
    serial (zfp 1.0.0's OpenMP fixed-rate path corrupts memory).
    """
    arr = _input_array(data)
    cdef int zmode
    zmode, param = _resolve_mode(level, rate, precision, tolerance, reversible, mode)
    cdef int nthreads = numthreads_arg(numthreads)
    cdef int policy = 0 if execution is None else int(execution)
    cdef long chunk = 0 if chunksize is None else int(chunksize)
    if policy not in (0, 1):
        raise ValueError(f'execution={execution!r} not supported: use ZFP.EXEC.SERIAL or OMP')
    if chunk < 0 or chunk > 0xFFFFFFFF:
        raise ValueError(f'invalid chunksize={chunksize!r}')
    if nthreads > 1 and execution is None:
        policy = 1
    cdef zfp_type ztype = _TYPES[arr.dtype]
    cdef unsigned int mask = ZFP_HEADER_FULL if header else (ZFP_HEADER_MAGIC | ZFP_HEADER_MODE)
    if zmode != 5 and ztype in (zfp_type_float, zfp_type_double) and _has_nonfinite(arr):
        raise ZfpError('zfp cannot encode NaN or infinity in lossy modes; use reversible mode')

    cdef uintptr_t ptr = arr.__array_interface__['data'][0]
    cdef zfp_field *field = zfp_field_alloc()
    cdef zfp_stream *stream = zfp_stream_open(NULL)
    cdef bitstream *bs = NULL
    cdef size_t bound, size = 0, bits = 0
    cdef uint8_t *buf = NULL
    cdef uint8_t *tmp = NULL
    cdef Output dst
    if field == NULL or stream == NULL:
        zfp_field_free(field)
        zfp_stream_close(stream)
        raise MemoryError('zfp_field_alloc or zfp_stream_open failed')
    try:
        zfp_field_set_type(field, ztype)
        _set_field(field, arr.shape, arr.strides, arr.itemsize)
        zfp_field_set_pointer(field, <void *>ptr)
        _set_mode(stream, zmode, param, ztype, arr.ndim)
        # zfp 1.0.0 corrupts memory compressing fixed-rate streams with
        # OpenMP after a header (not word aligned): that mode stays serial
        if policy == 1 and zmode != 2 and zfp_stream_set_execution(stream, zfp_exec_omp):
            if nthreads > 1:
                zfp_stream_set_omp_threads(stream, nthreads)
            zfp_stream_set_omp_chunk_size(stream, <unsigned int>chunk)
        with nogil:
            bound = zfp_stream_maximum_size(stream, field)
        if bound == 0:
            raise ZfpError('zfp_stream_maximum_size returned 0')
        dst = encode_output(out, <Py_ssize_t>bound, ZfpError)
        buf = dst.data
        if <size_t>dst.size < bound:  # out= too small for the worst case
            tmp = <uint8_t *>malloc(bound)
            if tmp == NULL:
                raise MemoryError(f'failed to allocate {bound} bytes')
            buf = tmp
        with nogil:
            bs = stream_open(buf, bound)
            if bs != NULL:
                zfp_stream_set_bit_stream(stream, bs)
                zfp_stream_rewind(stream)
                bits = zfp_write_header(stream, field, mask)
                if bits != 0:
                    size = zfp_compress(stream, field)
        if bs == NULL:
            raise MemoryError('stream_open failed')
        if bits == 0:
            raise ZfpError(f'zfp_write_header failed: shape {arr.shape} does not fit its header')
        if size == 0:
            raise ZfpError('zfp_compress failed')
        # whole 64-bit words, as zfp writes them and imagecodecs returns
        while size % 8 != 0 and size < bound:
            buf[size] = 0
            size += 1
        if tmp != NULL:
            if size > <size_t>dst.size:
                raise ZfpError(f'output too small: {size} bytes needed, out= holds {dst.size}')
            memcpy(dst.data, tmp, size)
        return dst.finish(<Py_ssize_t>size)
    finally:
        free(tmp)
        zfp_stream_close(stream)
        if bs != NULL:
            stream_close(bs)
        zfp_field_free(field)


cdef tuple _field_shape(const zfp_field *field):
    cdef unsigned int dims = zfp_field_dimensionality(field)
    cdef size_t n[4]
    n[0] = field.nx
    n[1] = field.ny
    n[2] = field.nz
    n[3] = field.nw
    return tuple(n[i] for i in range(<int>dims - 1, -1, -1))


cdef object _decode_target(object out, tuple shape, object dtype, object max_output):
    """Return the array to decode into: new, `out`, or a view of `out`."""
    if isinstance(out, numpy.ndarray) and not out.flags.c_contiguous:
        # zfp writes through strides: a strided `out` of whole elements will do
        if out.shape != shape or out.dtype != dtype:
            raise ValueError(f'invalid out {out.shape} {out.dtype}, expected {shape} {dtype}')
        if not out.flags.writeable:
            raise TypeError('the out array is read-only')
        if any(s % dtype.itemsize or s == 0 for s in out.strides):
            raise ValueError('the out array strides are not whole, nonzero elements')
        return out
    return array_output(out, shape, dtype, ZfpError, max_output)


cdef size_t _read_header(const uint8_t *data, size_t size, zfp_stream *stream, zfp_field *field, unsigned int mask) noexcept nogil:
    """Read a header from a zero-padded copy of the first bytes, so that a
    short input is never read past; return the bits read, 0 on failure."""
    cdef uint64_t head[8]
    cdef size_t n = size if size < sizeof(head) else sizeof(head), bits
    cdef bitstream *bs
    cdef int i
    for i in range(8):
        head[i] = 0
    memcpy(head, data, n)
    bs = stream_open(head, sizeof(head))
    if bs == NULL:
        return 0
    zfp_stream_set_bit_stream(stream, bs)
    zfp_stream_rewind(stream)
    bits = zfp_read_header(stream, field, mask)
    zfp_stream_set_bit_stream(stream, NULL)
    stream_close(bs)
    return bits


def zfp_decode(data, /, shape=None, dtype=None, *, strides=None, numthreads=None, out=None, max_output=None):
    """Return a ZFP stream decoded as a numpy array.

    A stream with a full header needs no arguments. A headerless stream
    (``zfp_encode(..., header=False)``, which keeps the magic and mode)
    needs `shape` and `dtype`; given both, a full header is still used if
    its type and shape are exactly these, else the stream is read as
    headerless, as imagecodecs does. Given one of them, the stream must
    have a full header of that dtype or number of values (the result then
    has `shape`).
    `out` is an array of the shape and dtype, which may be strided, or a
    writable buffer. `strides` and `numthreads` are accepted as in
    imagecodecs and ignored: zfp decompresses serially into C order (or
    into `out`'s layout). The result is limited to `max_output` bytes
    (default: ndcodecs.get_max_output()); truncated or corrupt streams
    raise ZfpError and are never read past their end.
    """
    cdef Input src = read_input(data)
    cdef zfp_field *field = zfp_field_alloc()
    cdef zfp_field *scratch = zfp_field_alloc()
    cdef zfp_stream *stream = zfp_stream_open(NULL)
    cdef bitstream *bs = NULL
    cdef unsigned int mask = ZFP_HEADER_FULL
    cdef size_t bits = 0, padded, nbytes
    cdef int64_t decoded = -1
    cdef uint8_t *tmp = NULL
    cdef const uint8_t *buf
    cdef uintptr_t ptr
    if field == NULL or scratch == NULL or stream == NULL:
        zfp_field_free(field)
        zfp_field_free(scratch)
        zfp_stream_close(stream)
        raise MemoryError('zfp_field_alloc or zfp_stream_open failed')
    try:
        if shape is not None:
            shape = tuple(int(n) for n in ((shape,) if isinstance(shape, int) else shape))
            if not 1 <= len(shape) <= 4 or min(shape) < 1:
                raise ValueError(f'shape {shape} not supported by ZFP: 1 to 4 dimensions of size >= 1')
        if dtype is not None:
            dtype = _zfp_dtype(dtype)
        if src.size == 0:
            raise ZfpError('no zfp stream in empty input')
        with nogil:
            bits = _read_header(src.data, src.size, stream, field, ZFP_HEADER_FULL)
        if bits != 0:
            hdtype = _DTYPES.get(field.type)
            hshape = _field_shape(field)
            if hdtype is None:
                bits = 0
            elif shape is not None and dtype is not None and (
                hdtype != dtype or hshape != shape or bits > <size_t>src.size * 8
            ):
                bits = 0  # not a full header: read it as headerless below
            elif dtype is not None and hdtype != dtype:
                raise ZfpError(f'dtype={dtype} does not match the stream, {hdtype}')
            elif shape is not None and math.prod(hshape) != math.prod(shape):
                raise ZfpError(f'shape={shape} does not match the stream, {hshape}')
        if bits == 0:
            if shape is None or dtype is None:
                raise ZfpError('zfp_read_header failed: not a zfp stream with a full header'
                               + ('' if shape is None and dtype is None else
                                  '; a headerless stream needs both shape and dtype'))
            mask = ZFP_HEADER_MAGIC | ZFP_HEADER_MODE
            zfp_field_set_type(field, _TYPES[dtype])
            _set_field(field, shape, None, dtype.itemsize)
            with nogil:
                bits = _read_header(src.data, src.size, stream, scratch, mask)
            if bits == 0:
                raise ZfpError('zfp_read_header failed: not a zfp stream')
            hshape = shape
            hdtype = dtype
        if bits > <size_t>src.size * 8:
            raise ZfpError(f'truncated zfp header: {src.size} bytes')
        if shape is None:
            shape = hshape
        result = _decode_target(out, shape, hdtype, max_output)
        nbytes = <size_t>(math.prod(shape) * hdtype.itemsize)
        # the zfp field: the header's layout over the result's memory
        if result.flags.c_contiguous:
            _set_field(field, hshape, None, hdtype.itemsize)
        elif result.shape == hshape:
            _set_field(field, hshape, result.strides, hdtype.itemsize)
        else:
            raise ValueError('a strided out= needs the shape of the stream')
        ptr = result.__array_interface__['data'][0]
        zfp_field_set_pointer(field, <void *>ptr)

        # zfp reads its bit stream without bounds checks, and a corrupt
        # block may claim up to maxbits bits: decode block by block from a
        # copy padded by that much, stopping at a block past the input
        if stream.maxbits > (1 << 20):
            raise ZfpError(f'invalid zfp mode: maxbits={stream.maxbits}')
        padded = ((<size_t>src.size + stream.maxbits // 8 + 256) | 7) + 1
        tmp = <uint8_t *>malloc(padded)
        if tmp == NULL:
            raise MemoryError(f'failed to allocate {padded} bytes')
        with nogil:
            memcpy(tmp, src.data, <size_t>src.size)
            memset(tmp + src.size, 0, padded - <size_t>src.size)
            bs = stream_open(<void *>tmp, padded)
            if bs != NULL:
                zfp_stream_set_bit_stream(stream, bs)
                zfp_stream_rewind(stream)
                bits = zfp_read_header(stream, scratch, mask)
                if bits != 0:
                    decoded = ndc_zfp_decode_blocks(stream, field, <uint64_t>src.size * 8)
        if bs == NULL:
            raise MemoryError('stream_open failed')
        if bits == 0 or decoded < 0:
            raise ZfpError(f'truncated or corrupt zfp stream of {src.size} bytes')
        if (bits + <size_t>decoded + 7) // 8 > <size_t>src.size:
            raise ZfpError(f'truncated zfp stream: {src.size} bytes, decoding needs {(bits + decoded + 7) // 8}')
        return result
    finally:
        free(tmp)
        zfp_stream_close(stream)
        if bs != NULL:
            stream_close(bs)
        zfp_field_free(field)
        zfp_field_free(scratch)

# cython: language_level=3, boundscheck=False, wraparound=False
"""LERC (Limited Error Raster Compression) through liblerc's C API.

Layout, as imagecodecs lays arrays out
--------------------------------------
LERC encodes ``nBands`` planes of ``nRows`` x ``nCols`` pixels of ``nDepth``
values each. Arrays map to it as follows:

- 1-D ``(cols,)``: one row (decodes as ``(1, cols)``);
- 2-D ``(rows, cols)``;
- 3-D ``(rows, cols, depth)``, or with ``planar=True`` ``(bands, rows, cols)``;
- 4-D ``(bands, rows, cols, depth)``.

Decoding returns ``(rows, cols)``, ``(rows, cols, depth)``,
``(bands, rows, cols)`` or ``(bands, rows, cols, depth)``, dropping a
depth or band count of 1.

Masks
-----
``masks`` in ``lerc_encode`` is a boolean array of the valid pixels:
``(rows, cols)`` (one mask for all bands) or ``(bands, rows, cols)``. Invalid
pixels decode as 0. NaN in float data is moved to the mask by liblerc.
``masks`` in ``lerc_decode``: None or False return the array only; True
returns ``(array, masks)`` with ``masks`` a new bool array, or None if the
blob has no mask; an array (bool or uint8, C-contiguous) is filled and
returned as ``(array, masks)`` (all True if the blob has no mask).

Error bound
-----------
``level`` (or its synonym ``tolerance``) is LERC's maxZError: every decoded
value is within it of the input (integers: within floor(level)); 0, None
or a negative value is lossless.

Compression
-----------
``compression='zstd'`` or ``'deflate'`` wraps the LERC blob in a zstd frame
or a zlib stream (``compressionargs`` go to ndcodecs' zstd_encode or
zlib_encode), as imagecodecs does; ``lerc_decode`` recognizes both.
"""

import math

import numpy

from libc.stdint cimport uint8_t, uintptr_t
from libc.string cimport memset

from ._shared cimport as_array, Input, Output, read_input, encode_output, array_output, output_limit
from .lerc cimport *

from .._errors import CodecError, error_class

__all__ = ['LERC', 'LercError', 'lerc_version', 'lerc_check', 'lerc_encode', 'lerc_decode']


class LERC:
    """LERC constants."""

    available = True


LercError = error_class('lerc')

# numpy dtype <-> LERC data type
_TYPES = {
    numpy.dtype(numpy.int8): 0,
    numpy.dtype(numpy.uint8): 1,
    numpy.dtype(numpy.int16): 2,
    numpy.dtype(numpy.uint16): 3,
    numpy.dtype(numpy.int32): 4,
    numpy.dtype(numpy.uint32): 5,
    numpy.dtype(numpy.float32): 6,
    numpy.dtype(numpy.float64): 7,
}
_DTYPES = {v: k for k, v in _TYPES.items()}

_ERRORS = {1: 'Failed', 2: 'WrongParam', 3: 'BufferTooSmall', 4: 'NaN', 5: 'HasNoData'}

_DEFAULT_VERSION = 4  # imagecodecs' default codec version (Lerc2 v4)
_INT_MAX = 0x7FFFFFFF
_UINT_MAX = 0xFFFFFFFF


cdef _raise(str func, lerc_status status):
    raise LercError(f'{func} returned {_ERRORS.get(status, status)}')


def lerc_version():
    """Return the liblerc version string."""
    return f'lerc {LERC_VERSION_MAJOR}.{LERC_VERSION_MINOR}.{LERC_VERSION_PATCH}'


def lerc_check(data, /):
    """Return True if `data` starts with a Lerc2 or Lerc1 (CntZImage) magic."""
    head = bytes(data[:9])
    return head.startswith(b'Lerc2') or head.startswith(b'CntZImage')


cdef object _input_array(object data):
    """Return `data` as a C-contiguous native array of a LERC type."""
    arr = as_array(data, 'an array')
    dtype = arr.dtype.newbyteorder('=') if arr.dtype.byteorder not in '=|' else arr.dtype
    if dtype not in _TYPES:
        raise ValueError(f'data type {arr.dtype} not supported by LERC')
    if not 1 <= arr.ndim <= 4:
        raise ValueError(f'data shape {arr.shape} not supported by LERC: 1 to 4 dimensions')
    if arr.size == 0:
        raise ValueError(f'empty data shape {arr.shape} not supported by LERC')
    return numpy.ascontiguousarray(arr, dtype=dtype)


cdef double _level_arg(object level, object tolerance) except? -1:
    if tolerance is not None:
        if level is not None:
            raise ValueError('level and tolerance are synonyms: give one of them')
        level = tolerance
    if level is None:
        return 0.0
    if isinstance(level, (str, bytes)):
        raise TypeError(f'invalid level={level!r}')
    value = float(level)
    if math.isnan(value):
        raise ValueError('level must not be NaN')
    return value if value > 0.0 else 0.0


def lerc_encode(
    data, /, level=None, *, tolerance=None, masks=None, version=None,
    planar=None, compression=None, compressionargs=None, out=None,
):
    """Return a 1-D to 4-D numeric array LERC encoded.

    `level` (or `tolerance`, not both) is the maximum error per value
    (maxZError); None or 0 is lossless. `masks` is a boolean array of the
    valid pixels, ``(rows, cols)`` or ``(bands, rows, cols)``. `version` is
    the Lerc2 codec version, 2 to 6 or -1 for the latest (default 4, as
    imagecodecs; versions 2 and 3 cannot encode a depth > 1). `planar`
    reads a 3-D array as ``(bands, rows, cols)`` instead of
    ``(rows, cols, depth)``. `compression` 'zstd' or 'deflate' wraps the
    blob (with `compressionargs` for ndcodecs' zstd_encode or zlib_encode).
    """
    cdef double maxzerr = _level_arg(level, tolerance)
    cdef int codec = _DEFAULT_VERSION
    if version is not None:
        codec = int(version)
        if codec != -1 and not 2 <= codec <= 6:
            raise ValueError(f'invalid LERC version={version!r}: 2 to 6, or -1 for the latest')
    if compression is not None and compression not in ('zstd', 'deflate'):
        raise ValueError(f'compression={compression!r} not supported')
    if compressionargs is None:
        compressionargs = {}

    arr = _input_array(data)
    shape = arr.shape
    cdef Py_ssize_t nbands = 1, nrows = 1, ncols, ndepth = 1
    if arr.ndim == 1:
        ncols = shape[0]
    elif arr.ndim == 2:
        nrows, ncols = shape
    elif arr.ndim == 3:
        if planar:
            nbands, nrows, ncols = shape
        else:
            nrows, ncols, ndepth = shape
    else:
        nbands, nrows, ncols, ndepth = shape
    if nbands > _INT_MAX or nrows > _INT_MAX or ncols > _INT_MAX or ndepth > _INT_MAX:
        raise ValueError(f'data shape {shape} too large for LERC')
    cdef unsigned int dtype = _TYPES[arr.dtype]

    cdef int nmasks = 0
    cdef const uint8_t *validp = NULL
    cdef uintptr_t mptr = 0
    if masks is not None:
        if not isinstance(masks, numpy.ndarray):
            masks = numpy.asarray(masks)
        if masks.dtype != numpy.bool_:
            raise ValueError('masks array must be of dtype bool')
        mshape = masks.shape
        if mshape == (nrows, ncols) or mshape == (1, nrows, ncols):
            nmasks = 1
        elif mshape == (nbands, nrows, ncols):
            nmasks = <int>nbands
        else:
            raise ValueError(f'masks.shape {mshape} does not match data: '
                             f'({nrows}, {ncols}) or ({nbands}, {nrows}, {ncols}) expected')
        masks = numpy.ascontiguousarray(masks)
        mptr = masks.__array_interface__['data'][0]
        validp = <const uint8_t *>mptr

    cdef uintptr_t ptr = arr.__array_interface__['data'][0]
    cdef const void *src = <const void *>ptr
    cdef Py_ssize_t nbytes = arr.nbytes
    cdef Py_ssize_t bound = nbytes + nbytes // 8 + nmasks * nrows * ncols + 4096
    cdef unsigned int written = 0, exact = 0
    cdef lerc_status status
    cdef Output dst
    if bound > _UINT_MAX:
        bound = _UINT_MAX
    target = None if compression is not None else out
    dst = encode_output(target, bound, LercError)
    cdef unsigned int obufsize = <unsigned int>(dst.size if dst.size < bound else bound)
    # liblerc 4.0 leaves the blob's last 4 bytes unwritten yet counts them in
    # its checksum: zeroed, the blob is the same whatever the buffer held
    with nogil:
        memset(dst.data, 0, obufsize)
        status = lerc_encodeForVersion(
            src, codec, dtype, <int>ndepth, <int>ncols, <int>nrows, <int>nbands,
            nmasks, validp, maxzerr, dst.data,
            obufsize, &written)
    if status == 3:  # BufferTooSmall: ask for the exact size
        with nogil:
            status = lerc_computeCompressedSizeForVersion(
                src, codec, dtype, <int>ndepth, <int>ncols, <int>nrows, <int>nbands,
                nmasks, validp, maxzerr, &exact)
        if status != 0:
            _raise('lerc_computeCompressedSizeForVersion', status)
        if dst.fixed:
            raise LercError(f'output too small: {exact} bytes needed, out= holds {dst.size}')
        dst.resize(exact)
        with nogil:
            memset(dst.data, 0, exact)
            status = lerc_encodeForVersion(
                src, codec, dtype, <int>ndepth, <int>ncols, <int>nrows, <int>nbands,
                nmasks, validp, maxzerr, dst.data, exact, &written)
    if status != 0:
        _raise('lerc_encodeForVersion', status)
    blob = dst.finish(written)
    if compression is None:
        return blob
    import ndcodecs
    if compression == 'zstd':
        return ndcodecs.zstd_encode(blob, out=out, **compressionargs)
    return ndcodecs.zlib_encode(blob, out=out, **compressionargs)


cdef bint _is_zlib(const uint8_t *p, Py_ssize_t size):
    return size >= 2 and (p[0] & 0x0F) == 8 and (p[0] >> 4) <= 7 and ((p[0] << 8) | p[1]) % 31 == 0


cdef object _unwrap(str name, object data, object max_output):
    """Return the LERC blob in a zstd frame or zlib stream."""
    import ndcodecs
    try:
        decode = getattr(ndcodecs, name + '_decode')
        return decode(data, max_output=max_output)
    except CodecError as exc:
        raise LercError(f'LERC blob in {name}: {exc}') from exc


def lerc_decode(data, /, *, masks=None, out=None, max_output=None):
    """Return a LERC blob decoded as a numpy array, or (array, masks).

    `masks`: None or False return the array; True returns (array, masks),
    masks a new bool array or None if the blob has none; a bool or uint8
    array is filled (all True without a mask in the blob) and returned as
    (array, masks). Blobs wrapped in zstd or zlib (lerc_encode's
    `compression`) are recognized. The result, and an unwrapped blob, are
    limited to `max_output` bytes (default: ndcodecs.get_max_output());
    corrupt or truncated blobs raise LercError.
    """
    cdef Input src = read_input(data)
    if src.size == 0:
        raise LercError('no LERC blob in empty input')
    if src.size >= 4 and src.data[0] == 0x28 and src.data[1] == 0xB5 and src.data[2] == 0x2F and src.data[3] == 0xFD:
        src = read_input(_unwrap('zstd', data, max_output))
    elif _is_zlib(src.data, src.size):
        src = read_input(_unwrap('zlib', data, max_output))

    cdef unsigned int info[11]
    cdef double ranges[3]
    cdef lerc_status status
    cdef unsigned int blobsize = <unsigned int>(src.size if src.size < _UINT_MAX else _UINT_MAX)
    cdef int i
    for i in range(11):
        info[i] = 0
    with nogil:
        status = lerc_getBlobInfo(src.data, blobsize, info, ranges, 11, 3)
    if status != 0:
        _raise('lerc_getBlobInfo', status)
    cdef unsigned int dtype = info[1]
    cdef unsigned int ndepth = info[2], ncols = info[3], nrows = info[4], nbands = info[5]
    cdef unsigned int nmasks = info[8]
    if dtype not in _DTYPES:
        raise LercError(f'unknown LERC data type {dtype}')
    if (ndepth == 0 or ncols == 0 or nrows == 0 or nbands == 0 or ndepth > _INT_MAX
            or ncols > _INT_MAX or nrows > _INT_MAX or nbands > _INT_MAX
            or (nmasks != 0 and nmasks != 1 and nmasks != nbands)):
        raise LercError(f'invalid LERC blob info {[info[i] for i in range(11)]}')
    bands, rows, cols, depth = int(nbands), int(nrows), int(ncols), int(ndepth)
    shape = (rows, cols)
    if bands > 1:
        shape = (bands,) + shape
    if depth > 1:
        shape = shape + (depth,)
    mshape = (rows, cols) if nmasks <= 1 else (bands, rows, cols)
    cdef bint zeroed = False
    if out is None:
        # new arrays come zeroed (calloc: no extra pass), see below
        nbytes_ = math.prod(shape) * _DTYPES[dtype].itemsize
        if nbytes_ > output_limit(max_output):
            raise LercError(f'decoded size {nbytes_} exceeds max_output={output_limit(max_output)} bytes')
        result = numpy.zeros(shape, _DTYPES[dtype])
        zeroed = True
    else:
        result = array_output(out, shape, _DTYPES[dtype], LercError, max_output)

    cdef Py_ssize_t msize = <Py_ssize_t>nmasks * nrows * ncols
    mresult = None
    if masks is True:
        if nmasks:
            if msize > output_limit(max_output):
                raise LercError(f'masks size {msize} exceeds max_output')
            mresult = numpy.empty(mshape, numpy.bool_)
    elif masks is not None and masks is not False:
        if not isinstance(masks, numpy.ndarray) or masks.dtype not in (numpy.bool_, numpy.uint8):
            raise ValueError('masks must be None, a bool, or a bool or uint8 array')
        if not masks.flags.c_contiguous or not masks.flags.writeable:
            raise ValueError('the masks array must be C-contiguous and writable')
        if nmasks and masks.size != msize:
            raise ValueError(f'invalid masks.shape={masks.shape}, expected {mshape}')
        mresult = masks
        if not nmasks:
            mresult[...] = 1

    cdef uintptr_t ptr = result.__array_interface__['data'][0]
    cdef uintptr_t mptr = 0
    cdef int dmasks = 0
    if nmasks:  # liblerc needs the masks of a blob that has them
        mbuf = mresult if mresult is not None else numpy.zeros(msize, numpy.uint8)
        mptr = mbuf.__array_interface__['data'][0]
        dmasks = <int>nmasks
    cdef size_t nbytes = result.nbytes
    with nogil:
        # invalid pixels are not written, and a corrupt blob may leave
        # others unwritten: start from zeros
        if not zeroed:
            memset(<void *>ptr, 0, nbytes)
        status = c_lerc_decode(
            src.data, blobsize, dmasks, <unsigned char *>mptr, <int>ndepth,
            <int>ncols, <int>nrows, <int>nbands, dtype, <void *>ptr)
    if status != 0:
        _raise('lerc_decode', status)
    if masks is None or masks is False:
        return result
    return result, mresult

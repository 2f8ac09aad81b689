# cython: language_level=3, boundscheck=False, wraparound=False
"""High-Throughput JPEG 2000 (HTJ2K) codec: OpenJPH encodes, openjpeg decodes.

Images are numpy arrays of (u)int8 or (u)int16: (H, W) with one component,
(H, W, S) with S components, or (S, H, W) with ``planar=True``. Streams are
J2C codestreams; a JPH file (JP2 boxes) decodes from its codestream box.
"""

import enum

import numpy

from libc.stdint cimport uint8_t, uint32_t, uint64_t
from libc.string cimport memcpy

from ._shared cimport as_array, Input, Output, encode_output, read_input
from .openjph cimport *

from . import _jpeg2k
from .._errors import error_class

__all__ = ['HTJ2K', 'Htj2kError', 'htj2k_version', 'htj2k_check', 'htj2k_encode', 'htj2k_decode']


class HTJ2K:
    """HTJ2K constants."""

    available = True

    class TILEPART(enum.IntEnum):
        """Divisions of tiles into tile-parts."""

        RESOLUTIONS = 1
        COMPONENTS = 2


Htj2kError = error_class('htj2k')

ndc_htj2k_init()

cdef bytes _JP2_SIGNATURE = b'\x00\x00\x00\x0cjP  \r\n\x87\n'
cdef tuple _PROGRESSIONS = ('LRCP', 'RLCP', 'RPCL', 'PCRL', 'CPRL')


def htj2k_version():
    """Return the OpenJPH version string."""
    return f'openjph {OPENJPH_VERSION_MAJOR}.{OPENJPH_VERSION_MINOR}.{OPENJPH_VERSION_PATCH}'


def htj2k_check(data, /):
    """Return True if `data` starts like an HTJ2K codestream: SOC, SIZ with
    the HT capability bit set in Rsiz, or like a JPH file."""
    head = bytes(data[:32])
    if head[:4] == b'\xff\x4f\xff\x51':
        return len(head) >= 8 and bool(head[6] & 0x40)
    return head[:12] == _JP2_SIGNATURE and head[20:24] == b'jph '


cdef object _codestream(object data):
    """Return the codestream in a JPH file, else `data`."""
    head = bytes(data[:12])
    if head != _JP2_SIGNATURE:
        return data
    view = memoryview(data).cast('B')
    pos, size = 0, len(view)
    while size - pos >= 8:
        length = int.from_bytes(view[pos:pos + 4], 'big')
        kind = bytes(view[pos + 4:pos + 8])
        start = pos + 8
        if length == 1:
            if size - pos < 16:
                break
            length = int.from_bytes(view[pos + 8:pos + 16], 'big')
            start = pos + 16
        elif length == 0:
            length = size - pos
        if length < start - pos or length > size - pos:
            break
        if kind == b'jp2c':
            return view[start:pos + length]
        pos += length
    raise Htj2kError('no codestream box in JPH file')


cdef str _message(char *msg):
    text = msg.decode('utf-8', 'replace')
    if text.endswith(': ojph error'):  # OpenJPH 0.9 gives no details
        text += ' (invalid parameters)'
    return text


# OpenJPH 0.9 fails assertions in its code block encoder (missing_msbs)
# with coarse quantization steps on some images: seen from 0.5 up, never
# up to 0.45 in 12,000 random encodes of odd sizes, tiles and code blocks.
cdef double _MAX_QSTEP = 0.25


cdef bint _irreversible_safe(uint32_t height, uint32_t width, uint32_t tile_height, uint32_t tile_width,
                             uint32_t decompositions):
    """Return whether OpenJPH 0.9's irreversible wavelet can take these
    tiles: on tiles no taller than 2**decompositions, or under 16 samples
    on a side, it reads memory it never wrote (the codestream changes from
    call to call, and decodes badly wrong)."""
    cdef uint32_t th = tile_height or height, tw = tile_width or width
    heights = {th, height % th} - {0}
    widths = {tw, width % tw} - {0}
    return (all(t >= 16 and t > (<uint64_t>1 << min(decompositions, 63)) for t in heights)
            and all(t >= 16 for t in widths))


def htj2k_encode(
    data, /, level=None, *, rgb=None, planar=None, tile=None,
    resolutions=None, reversible=None, tlm=None, tilepart=None,
    codeblock=None, progression=None, out=None,
):
    """Return an image array encoded as an HTJ2K codestream.

    `data` is a (u)int8 or (u)int16 array, (H, W), (H, W, S) or, if
    `planar`, (S, H, W). `level` is the quantization step of the
    irreversible wavelet relative to the sample range, lossy; None is
    lossless. Steps above 0.25 are taken as 0.25: OpenJPH 0.9 aborts the
    process on coarser steps for some images (from 0.5 up, in testing),
    and 0.25 already leaves four levels per sample. Tiles under 16 samples
    on a side, or no taller than 2**(resolutions - 1), are encoded
    losslessly: OpenJPH 0.9's irreversible wavelet gets them wrong. Its
    code block encoder also reads memory it never wrote, so lossy
    codestreams of small images can differ from call to call in their
    least significant bits. `reversible` selects
    the 5/3 wavelet (default: when `level` is None). `rgb` applies the
    color transform to the first three components (default: with 3 or
    more components). `tile` is the (height, width) of tiles (default: one
    tile). `resolutions` is the number of resolution levels (default: 6).
    `codeblock` is the (height, width) of code blocks (default: 64 x 64),
    `progression` the progression order's name (default: 'RPCL').
    `tlm` and `tilepart` need a newer OpenJPH and raise ValueError if set.
    """
    cdef bint isplanar = bool(planar)
    if tlm or tilepart:
        raise ValueError(f'tlm and tilepart are not supported by {htj2k_version()}')
    arr = as_array(data)
    if arr.dtype.kind not in 'ui' or arr.dtype.itemsize not in (1, 2):
        raise ValueError(f'expected (u)int8 or (u)int16 samples, not {arr.dtype}')
    if arr.ndim == 2:
        arr = arr[None] if isplanar else arr[..., None]
    elif arr.ndim != 3:
        raise ValueError(f'expected a 2-D or 3-D image array, not {arr.ndim}-D')
    if min(arr.shape) < 1 or max(arr.shape) > 0x7FFFFFFF:
        raise ValueError(f'invalid image shape {arr.shape}')
    arr = numpy.ascontiguousarray(arr, arr.dtype.newbyteorder('='))
    cdef ndc_htj2k_params params
    cdef Input src = read_input(arr)
    cdef uint8_t *encoded = NULL
    cdef size_t size = 0
    cdef char msg[512]
    cdef int ret
    cdef Output dst
    if isplanar:
        params.ncomps, params.height, params.width = arr.shape
    else:
        params.height, params.width, params.ncomps = arr.shape
    if params.ncomps > 16384:
        raise ValueError('JPEG 2000 allows at most 16384 components')
    params.itemsize = arr.dtype.itemsize
    params.bitdepth = params.itemsize * 8
    params.is_signed = arr.dtype.kind == 'i'
    params.planar = isplanar
    if level is not None and not isinstance(level, (int, float, numpy.number)):
        raise TypeError(f'level must be a number, not {level!r}')
    if level is not None and level <= 0:
        level = None
    params.reversible = (level is None) if reversible is None else bool(reversible)
    params.qstep = 1.0 / (1 << params.bitdepth) if level is None else min(float(level), _MAX_QSTEP)
    params.color_transform = (params.ncomps >= 3) if rgb is None else (bool(rgb) and params.ncomps >= 3)
    nres = 6 if resolutions is None else resolutions
    if not 1 <= nres <= 33:
        raise ValueError(f'resolutions must be 1 to 33, not {nres}')
    params.tile_width = params.tile_height = 0
    if tile is not None:
        th, tw = (tile, tile) if isinstance(tile, int) else tile
        if th < 1 or tw < 1:
            raise ValueError(f'invalid tile={tile!r}')
        params.tile_height = min(th, params.height)
        params.tile_width = min(tw, params.width)
    params.decompositions = nres - 1
    if not params.reversible and not _irreversible_safe(
            params.height, params.width, params.tile_height, params.tile_width, params.decompositions):
        params.reversible = True
    bh, bw = (64, 64) if codeblock is None else ((codeblock, codeblock) if isinstance(codeblock, int) else codeblock)
    for n in (bh, bw):
        if n < 4 or n > 1024 or n & (n - 1):
            raise ValueError(f'invalid codeblock={codeblock!r}')
    if bh * bw > 4096:
        raise ValueError(f'invalid codeblock={codeblock!r}: more than 4096 samples')
    params.block_height, params.block_width = bh, bw
    prog = 'RPCL' if progression is None else str(progression).upper()
    if prog not in _PROGRESSIONS:
        raise ValueError(f'invalid progression={progression!r}')
    cdef bytes cprog = prog.encode()
    params.progression = cprog
    msg[0] = 0
    with nogil:
        ret = ndc_htj2k_encode(src.data, &params, &encoded, &size, msg, sizeof(msg))
    try:
        if ret == NDC_HTJ2K_NOMEM:
            raise MemoryError(_message(msg))
        if ret != 0:
            raise Htj2kError(_message(msg))
        dst = encode_output(out, <Py_ssize_t>size, Htj2kError)
        if <size_t>dst.size < size:
            raise Htj2kError(f'output too small: {size} bytes needed, out= holds {dst.size}')
        with nogil:
            memcpy(dst.data, encoded, size)
    finally:
        ndc_htj2k_free(encoded)
    return dst.finish(<Py_ssize_t>size)


def htj2k_decode(data, /, *, planar=None, skipres=None, resilient=False, numthreads=None, out=None, max_output=None):
    """Return an HTJ2K codestream (or JPH file) as a numpy array.

    One component gives (H, W), several (H, W, S), or (S, H, W) if
    `planar`. Samples of up to 8 bits give (u)int8, up to 16 bits
    (u)int16. `skipres` is the number of highest resolution levels to
    skip. `resilient` decodes truncated codestreams as far as they go.
    `numthreads` is the number of decoder threads, 0 for all cores. The
    image is limited to `max_output` bytes (default:
    ndcodecs.get_max_output()).

    openjpeg decodes (it is multi-threaded, and decodes small tiles that
    OpenJPH 0.9 gets wrong) in a helper process (ndcodecs._isolation): as
    built by Debian, it aborts the process that runs it (failed
    assertions) on some corrupt HT code blocks. Such a stream raises
    Htj2kError, and the next call starts a new helper.
    """
    cdef Input src = read_input(data)
    if src.size >= 12 and (<const char *>src.data)[:12] == _JP2_SIGNATURE:
        data = _codestream(data)
        src = read_input(data)
    if src.size < 4 or (<const char *>src.data)[:4] != b'\xff\x4f\xff\x51':
        raise Htj2kError('not a JPEG 2000 codestream: no SOC and SIZ markers')
    if skipres is not None and not isinstance(skipres, int):
        skipres = skipres[0]  # (levels not read, levels not reconstructed)
    return _jpeg2k._decode(data, planar, None, numthreads, skipres, not resilient, True, out, max_output, Htj2kError)

"""Drop-ins for numcodecs' own codec ids, byte-compatible with its streams.

Each class derives from the numcodecs class of the same id, so that
parameters, ``get_config``, ``repr`` and equality are numcodecs' own, and
replaces the work with ndcodecs' functions: libdeflate for zlib and gzip,
multi-threaded c-blosc, our C for delta and the checksums. Options that a
faster path does not cover (zstd checksums, lzma filter chains, float
deltas) fall back to numcodecs itself. ``ndcodecs.numcodecs.
register_numcodecs_ids()`` registers them.
"""

from __future__ import annotations

import numcodecs
import numpy
from numcodecs.compat import (
    ensure_contiguous_ndarray,
    ensure_contiguous_ndarray_like,
    ndarray_copy,
)

from .. import _registry

__all__ = [
    'CLASSES', 'Adler32', 'AsType', 'BZ2', 'BitRound', 'Blosc', 'CRC32', 'Delta',
    'FixedScaleOffset', 'Fletcher32', 'GZip', 'JenkinsLookup3', 'LZ4', 'LZMA',
    'PackBits', 'Quantize', 'Shuffle', 'Zlib', 'Zstd',
]


def _function(name: str):
    """Return an ndcodecs function by its public name, e.g. 'zstd_encode'."""
    return _registry.get_codec(name.split('_')[0]).function(name)


def _decode_into(decoded, out):
    """Return `decoded`, or `out` filled with it."""
    if out is None:
        return decoded
    return ndarray_copy(decoded, out)


def _decode(func, buf, out, **kwargs):
    """Decode `buf` by `func`, directly into `out` where it is a buffer."""
    buf = ensure_contiguous_ndarray(buf)
    if out is None:
        return func(buf, **kwargs)
    dst = ensure_contiguous_ndarray_like(out).view('u1')
    result = func(buf, out=dst, **kwargs)
    if result is not dst and len(result) != dst.nbytes:
        raise RuntimeError(f'decoded {len(result)} bytes, out holds {dst.nbytes}')
    return out


class Zstd(numcodecs.Zstd):
    """numcodecs' Zstd through ndcodecs' zstd (same frames)."""

    __doc__ = numcodecs.Zstd.__doc__

    def encode(self, buf):
        if self.checksum:
            return super().encode(buf)
        return _function('zstd_encode')(ensure_contiguous_ndarray(buf), self.level)

    def decode(self, buf, out=None):
        return _decode(_function('zstd_decode'), buf, out)


class Zlib(numcodecs.Zlib):
    """numcodecs' Zlib through libdeflate (zlib streams)."""

    __doc__ = numcodecs.Zlib.__doc__

    def encode(self, buf):
        if not self.level:
            return super().encode(buf)  # level 0 stores: zlib's own framing
        level = 6 if self.level == -1 else self.level
        return _function('deflate_encode')(ensure_contiguous_ndarray(buf), level)

    def decode(self, buf, out=None):
        return _decode(_function('deflate_decode'), buf, out)


class GZip(numcodecs.GZip):
    """numcodecs' GZip through libdeflate (gzip members, mtime 0)."""

    __doc__ = numcodecs.GZip.__doc__

    def encode(self, buf):
        if not self.level:
            return super().encode(buf)
        return _function('gzip_encode')(ensure_contiguous_ndarray(buf), self.level)

    def decode(self, buf, out=None):
        return _decode(_function('gzip_decode'), buf, out)


class BZ2(numcodecs.BZ2):
    """numcodecs' BZ2 through ndcodecs' bz2 (libbz2, same streams)."""

    __doc__ = numcodecs.BZ2.__doc__

    def encode(self, buf):
        return _function('bz2_encode')(ensure_contiguous_ndarray(buf), self.level)

    def decode(self, buf, out=None):
        return _decode(_function('bz2_decode'), buf, out)


class LZMA(numcodecs.LZMA):
    """numcodecs' LZMA through ndcodecs' lzma (liblzma) for the xz and
    alone formats without custom filters."""

    __doc__ = numcodecs.LZMA.__doc__

    def _native(self) -> bool:
        return self.filters is None and self.format in (1, 2)

    def encode(self, buf):
        if not self._native():
            return super().encode(buf)
        check = None if self.check == -1 or self.format != 1 else self.check
        return _function('lzma_encode')(
            ensure_contiguous_ndarray(buf), self.preset, check=check, format=self.format
        )

    def decode(self, buf, out=None):
        if not self._native():
            return super().decode(buf, out)
        return _decode(_function('lzma_decode'), buf, out, format=self.format)


class LZ4(numcodecs.LZ4):
    """numcodecs' LZ4: one LZ4 block after a 4-byte little-endian size."""

    __doc__ = numcodecs.LZ4.__doc__

    def encode(self, buf):
        return _function('lz4_encode')(
            ensure_contiguous_ndarray(buf), max(int(self.acceleration), 1), header=True
        )

    def decode(self, buf, out=None):
        return _decode(_function('lz4_decode'), buf, out, header=True)


class Blosc(numcodecs.Blosc):
    """numcodecs' Blosc through c-blosc, on all cores for large chunks."""

    __doc__ = numcodecs.Blosc.__doc__

    def encode(self, buf):
        buf = ensure_contiguous_ndarray(buf)
        typesize = self._typesize or buf.dtype.itemsize
        shuffle = self.shuffle
        if shuffle == numcodecs.Blosc.AUTOSHUFFLE:
            shuffle = numcodecs.Blosc.BITSHUFFLE if buf.dtype.itemsize == 1 else numcodecs.Blosc.SHUFFLE
        heavy = self.cname in ('zstd', 'zlib', 'lz4hc')
        return _function('blosc_encode')(
            buf, self.clevel, compressor=self.cname, shuffle=shuffle, typesize=typesize,
            blocksize=self.blocksize, numthreads=_blosc_threads(buf.nbytes, heavy),
        )

    def decode(self, buf, out=None):
        head = ensure_contiguous_ndarray(buf).view('u1')
        nbytes, heavy = 0, False
        if head.size >= 16:
            # the header's flags hold the compressor (3 zlib, 4 zstd), bytes 4-7 the size
            nbytes = int(head[4:8].view('<u4')[0])
            heavy = head[2] >> 5 in (3, 4)
        return _decode(_function('blosc_decode'), buf, out,
                       numthreads=_blosc_threads(nbytes, heavy))


def _blosc_threads(nbytes: int, heavy: bool) -> int:
    """Return 0 (all cores) where c-blosc's per-call threads pay off, else 1."""
    return 0 if nbytes >= (256 << 10 if heavy else 4 << 20) else 1


class Delta(numcodecs.Delta):
    """numcodecs' Delta; integer data of one type through our C filter."""

    __doc__ = numcodecs.Delta.__doc__

    def _native(self) -> bool:
        return self.dtype == self.astype and self.dtype.kind in 'iu'

    def encode(self, buf):
        if not self._native():
            return super().encode(buf)
        arr = ensure_contiguous_ndarray_like(buf).view(self.dtype).reshape(-1)
        return _function('delta_encode')(arr)

    def decode(self, buf, out=None):
        if not self._native():
            return super().decode(buf, out)
        enc = ensure_contiguous_ndarray_like(buf).view(self.astype).reshape(-1)
        if out is not None:
            dst = ensure_contiguous_ndarray_like(out).view(self.dtype).reshape(-1)
            if dst.shape == enc.shape:
                _function('delta_decode')(enc, out=dst)
                return out
        return _decode_into(_function('delta_decode')(enc), out)


class Shuffle(numcodecs.Shuffle):
    """numcodecs' Shuffle; encoding as one strided copy."""

    __doc__ = numcodecs.Shuffle.__doc__

    def _planes(self, buf, out):
        src = ensure_contiguous_ndarray(buf).view('u1').reshape(-1)
        size = int(self.elementsize)
        if size > 1 and src.nbytes % size:
            raise ValueError('Shuffle buffer is not an integer multiple of elementsize')
        dst = numpy.empty(src.nbytes, 'u1') if out is None else ensure_contiguous_ndarray(out).view('u1')
        if size <= 1:
            dst[: src.nbytes] = src
        else:
            dst.reshape(size, -1)[...] = src.reshape(-1, size).T
        return dst if out is None else out

    def encode(self, buf, out=None):
        return self._planes(buf, out)

    def decode(self, buf, out=None):
        return super().decode(buf, out)  # numcodecs' loop beats a strided numpy copy here


def _checksum(name: str):
    func = _registry.get_codec(name).checksum
    return staticmethod(lambda data, value=None: func(data, value))


class CRC32(numcodecs.CRC32):
    """numcodecs' CRC32 through libdeflate."""

    __doc__ = numcodecs.CRC32.__doc__
    checksum = _checksum('crc32')


class Adler32(numcodecs.Adler32):
    """numcodecs' Adler32 through libdeflate."""

    __doc__ = numcodecs.Adler32.__doc__
    checksum = _checksum('adler32')


class _Trailing:
    """A 4-byte little-endian checksum after the data, as numcodecs'
    Fletcher32 and JenkinsLookup3 write it."""

    def _value(self, data) -> int:
        raise NotImplementedError

    def encode(self, buf):
        data = ensure_contiguous_ndarray(buf).view('u1').reshape(-1)
        enc = numpy.empty(data.nbytes + 4, 'u1')
        enc[:-4] = data
        enc[-4:].view('<u4')[0] = self._value(data)
        return enc.tobytes()

    def decode(self, buf, out=None):
        data = ensure_contiguous_ndarray(buf).view('u1').reshape(-1)
        if data.nbytes < 4:
            raise ValueError('Input buffer is too short to contain a 32-bit checksum.')
        payload = data[:-4]
        found = int(data[-4:].view('<u4')[0])
        value = self._value(payload)
        if value != found:
            raise RuntimeError(
                f'The {self.codec_id} checksum of the data ({value}) did not match '
                f'the expected checksum ({found}); the data may be corrupt.'
            )
        return _decode_into(payload, out)


class Fletcher32(_Trailing, numcodecs.Fletcher32):
    """numcodecs' Fletcher32 (HDF5's) through our C."""

    __doc__ = numcodecs.Fletcher32.__doc__

    def _value(self, data) -> int:
        return _function('h5checksum_fletcher32')(data)


class JenkinsLookup3(_Trailing, numcodecs.JenkinsLookup3):
    """numcodecs' JenkinsLookup3 (HDF5's lookup3) through our C."""

    __doc__ = numcodecs.JenkinsLookup3.__doc__

    def _value(self, data) -> int:
        if self.prefix is not None:
            data = numpy.concatenate((self.prefix, data))
        return _function('h5checksum_lookup3')(data, self.initval)


class FixedScaleOffset(numcodecs.FixedScaleOffset):
    """numcodecs' FixedScaleOffset (numpy arithmetic, as numcodecs)."""

    __doc__ = numcodecs.FixedScaleOffset.__doc__


class Quantize(numcodecs.Quantize):
    """numcodecs' Quantize (numpy arithmetic, as numcodecs)."""

    __doc__ = numcodecs.Quantize.__doc__


class BitRound(numcodecs.BitRound):
    """numcodecs' BitRound (numpy bit operations, as numcodecs)."""

    __doc__ = numcodecs.BitRound.__doc__


class PackBits(numcodecs.PackBits):
    """numcodecs' PackBits (numpy's packbits, as numcodecs)."""

    __doc__ = numcodecs.PackBits.__doc__


class AsType(numcodecs.AsType):
    """numcodecs' AsType (a numpy cast, as numcodecs)."""

    __doc__ = numcodecs.AsType.__doc__


CLASSES = (
    Zstd, Zlib, GZip, BZ2, LZMA, LZ4, Blosc, Delta, FixedScaleOffset, Quantize,
    BitRound, PackBits, Shuffle, AsType, CRC32, Adler32, Fletcher32, JenkinsLookup3,
)

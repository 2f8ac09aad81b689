"""zarr-python 3 codecs for every ndcodecs codec, derived from the registry.

Each registered codec ``x`` has a frozen dataclass here, created on first
use, named ``ndcodecs.x`` in array metadata: filters are
``ArrayArrayCodec``, image and array codecs ``ArrayBytesCodec``
serializers, compressors and checksums ``BytesBytesCodec``. Parameters
are those of ``ndcodecs.numcodecs`` (the functions' keyword arguments).
The ``zarr.codecs`` entry points register them; ``register_codecs()``
does so for an uninstalled source tree.

Both the sync (``_decode_sync``, ``_encode_sync``) and the async methods
are implemented. A batch of chunks (zarr's ``codec_pipeline.batch_size``)
is decoded or encoded by `ndcodecs.decode_many`'s thread pool in one
hand-off from the event loop.

    import zarr, ndcodecs.zarr
    zarr.create_array(store, shape=..., chunks=..., dtype='uint16',
                      compressors=ndcodecs.zarr.Zstd(level=5))
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from typing import Any, ClassVar

import numpy
from zarr.abc.codec import ArrayArrayCodec, ArrayBytesCodec, BytesBytesCodec
from zarr.core.common import parse_named_configuration

from . import _batch, _registry
from .numcodecs import _image_view, _jsonable, call, class_name, lazy_classes, parameters

__all__ = ['PREFIX', 'codec_class', 'register_codecs']

PREFIX = 'ndcodecs.'

_lock = threading.RLock()
_classes: dict[str, type] = {}


def _native_dtype(spec) -> numpy.dtype:
    """Return the numpy dtype of a chunk spec (zarr >= 3.1 wraps it)."""
    dtype = spec.dtype
    to_native = getattr(dtype, 'to_native_dtype', None)
    return numpy.dtype(to_native() if to_native else dtype)


def _hashable(value):
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


class _Mixin:
    """What all ndcodecs zarr codecs share."""

    registry_codec: ClassVar[_registry.Codec]
    codec_name: ClassVar[str]
    _parameters: ClassVar[dict]

    def __post_init__(self):
        for name in self._parameters:
            object.__setattr__(self, name, _hashable(getattr(self, name)))

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        """Return the codec of a ``{'name': ..., 'configuration': ...}`` dict."""
        _, config = parse_named_configuration(data, cls.codec_name, require_configuration=False)
        return cls(**(config or {}))

    def to_dict(self) -> dict[str, Any]:
        """Return the codec as zarr metadata: name and every parameter."""
        return {
            'name': self.codec_name,
            'configuration': {k: _jsonable(getattr(self, k)) for k in self._parameters},
        }

    def _call(self, attr: str, data, **extra):
        return call(self, attr, data, extra)

    def _error(self, exc: Exception, action: str) -> Exception:
        """Return the codec's error for a failed chunk, naming the codec."""
        return self.registry_codec.error(f'{self.codec_name}: cannot {action} chunk: {exc}')

    async def _decode_single(self, chunk, chunk_spec):
        return await asyncio.to_thread(self._decode_sync, chunk, chunk_spec)

    async def _encode_single(self, chunk, chunk_spec):
        return await asyncio.to_thread(self._encode_sync, chunk, chunk_spec)

    async def decode(self, chunks_and_specs):
        items = list(chunks_and_specs)
        if len(items) < 2:
            return [None if c is None else await self._decode_single(c, s) for c, s in items]
        return await asyncio.to_thread(self._many, self._decode_sync, items)

    async def encode(self, chunks_and_specs):
        items = list(chunks_and_specs)
        if len(items) < 2:
            return [None if c is None else await self._encode_single(c, s) for c, s in items]
        return await asyncio.to_thread(self._many, self._encode_sync, items)

    def _many(self, func, items):
        """Run `func` over (chunk, spec) pairs on the batch pool."""
        def one(item):
            chunk, spec = item
            return None if chunk is None else func(chunk, spec)

        return _batch.run_many(one, self.codec_name, items)


class _BytesBytes(_Mixin, BytesBytesCodec):
    """A compressor as a bytes to bytes codec."""

    is_fixed_size = False

    def _decode_sync(self, chunk_bytes, chunk_spec):
        try:
            decoded = self._call('decode', chunk_bytes.as_numpy_array())
        except Exception as exc:
            raise self._error(exc, 'decode') from exc
        return chunk_spec.prototype.buffer.from_bytes(decoded)

    def _encode_sync(self, chunk_bytes, chunk_spec):
        # zarr hands over bytes: shuffling compressors get the item size
        encoded = self._call('encode', chunk_bytes.as_numpy_array(),
                             typesize=_native_dtype(chunk_spec).itemsize)
        return chunk_spec.prototype.buffer.from_bytes(encoded)

    def compute_encoded_size(self, input_byte_length, chunk_spec):
        raise NotImplementedError


class _Checksum(_Mixin, BytesBytesCodec):
    """A checksum as a bytes to bytes codec: 4 bytes little-endian at the
    start or end of the data."""

    is_fixed_size = True

    def __post_init__(self):
        super().__post_init__()
        if self.location not in ('start', 'end'):
            raise ValueError(f'invalid checksum location {self.location!r}')

    def _decode_sync(self, chunk_bytes, chunk_spec):
        data = chunk_bytes.as_numpy_array().view('u1').reshape(-1)
        if data.size < 4:
            raise self.registry_codec.error(f'{self.codec_name}: {data.size} bytes hold no checksum')
        if self.location == 'start':
            stored, payload = data[:4], data[4:]
        else:
            stored, payload = data[-4:], data[:-4]
        if int(stored.view('<u4')[0]) != self.registry_codec.checksum(payload) & 0xFFFFFFFF:
            raise self.registry_codec.error(f'{self.codec_name}: checksum mismatch, the chunk is corrupt')
        return chunk_spec.prototype.buffer.from_array_like(payload)

    def _encode_sync(self, chunk_bytes, chunk_spec):
        data = chunk_bytes.as_numpy_array().view('u1').reshape(-1)
        head = numpy.array([self.registry_codec.checksum(data) & 0xFFFFFFFF], '<u4').view('u1')
        parts = (head, data) if self.location == 'start' else (data, head)
        return chunk_spec.prototype.buffer.from_array_like(numpy.concatenate(parts))

    def compute_encoded_size(self, input_byte_length, chunk_spec):
        return input_byte_length + 4


class _ArrayBytes(_Mixin, ArrayBytesCodec):
    """An image or array codec as a serializer."""

    is_fixed_size = False

    def _decode_sync(self, chunk_bytes, chunk_spec):
        dtype = _native_dtype(chunk_spec)
        shape = tuple(chunk_spec.shape)
        try:
            decoded = self._call(
                'decode', chunk_bytes.as_numpy_array(), shape=shape, dtype=dtype
            )
            arr = numpy.asarray(decoded)
            if arr.dtype != dtype:
                arr = arr.reshape(-1).view('u1').view(dtype)
            arr = arr.reshape(shape)
        except Exception as exc:
            raise self._error(exc, 'decode') from exc
        return chunk_spec.prototype.nd_buffer.from_numpy_array(arr)

    def _encode_sync(self, chunk_array, chunk_spec):
        arr = numpy.ascontiguousarray(chunk_array.as_numpy_array())
        if self.registry_codec.kind == 'image':
            arr = _image_view(self.registry_codec, arr)
        encoded = self._call('encode', arr)
        return chunk_spec.prototype.buffer.from_bytes(encoded)

    def compute_encoded_size(self, input_byte_length, chunk_spec):
        raise NotImplementedError


class _ArrayArray(_Mixin, ArrayArrayCodec):
    """A filter as an array to array codec of unchanged shape and dtype."""

    is_fixed_size = True

    def _same(self, result, arr: numpy.ndarray, action: str) -> numpy.ndarray:
        out = numpy.asarray(result)
        if out.nbytes != arr.nbytes:
            raise self.registry_codec.error(
                f'{self.codec_name} changes the size of chunks ({arr.nbytes} to '
                f'{out.nbytes} bytes) and cannot {action} as an array to array codec'
            )
        return out.reshape(-1).view('u1').view(arr.dtype).reshape(arr.shape)

    def _decode_sync(self, chunk_array, chunk_spec):
        arr = numpy.ascontiguousarray(chunk_array.as_numpy_array())
        if not self.registry_codec.can_decode:
            return chunk_array
        try:
            decoded = self._same(self._call('decode', arr), arr, 'decode')
        except Exception as exc:
            raise self._error(exc, 'decode') from exc
        return chunk_spec.prototype.nd_buffer.from_numpy_array(decoded)

    def _encode_sync(self, chunk_array, chunk_spec):
        arr = numpy.ascontiguousarray(chunk_array.as_numpy_array())
        encoded = self._same(self._call('encode', arr), arr, 'encode')
        return chunk_spec.prototype.nd_buffer.from_numpy_array(encoded)

    def compute_encoded_size(self, input_byte_length, chunk_spec):
        return input_byte_length


_BASES = {
    'compressor': _BytesBytes,
    'checksum': _Checksum,
    'image': _ArrayBytes,
    'array': _ArrayBytes,
    'filter': _ArrayArray,
}


def codec_class(name: str) -> type:
    """Return the zarr 3 codec class of a registered codec (name or alias)."""
    codec = _registry.get_codec(name)
    with _lock:
        cls = _classes.get(codec.name)
        if cls is None:
            params = parameters(codec)
            fields = [
                (p.name, Any, dataclasses.field(default=_hashable(p.default)))
                for p in params.values()
            ]
            cls = dataclasses.make_dataclass(
                class_name(codec.name), fields, bases=(_BASES[codec.kind],),
                frozen=True, kw_only=True,
                namespace={
                    '__module__': __name__,
                    'registry_codec': codec,
                    'codec_name': PREFIX + codec.name,
                    '_parameters': params,
                    '__doc__': f'{codec.description or codec.name} (zarr 3 codec '
                               f'{PREFIX + codec.name}).',
                },
            )
            _classes[codec.name] = cls
    return cls


def register_codecs() -> None:
    """Register every ``ndcodecs.<name>`` codec with zarr now (the entry
    points make this unnecessary where the package is installed)."""
    from zarr.registry import register_codec

    for name in _registry.list_codecs():
        register_codec(PREFIX + name, codec_class(name))


__getattr__, __dir__ = lazy_classes(globals(), codec_class)

"""numcodecs codecs for every ndcodecs codec, derived from the registry.

Each registered codec ``x`` has a class here, created on first use:
``ndcodecs.numcodecs.Zstd`` with ``codec_id = 'ndcodecs_zstd'``. Its
keyword-only parameters are those of ``x_encode`` and ``x_decode`` (read
from their signatures), stored as plain attributes, and ``get_config()``
is plain JSON. The ``numcodecs.codecs`` entry points make
``numcodecs.get_codec({'id': 'ndcodecs_zstd'})`` work without importing
ndcodecs first.

Two opt-in switches map other ids to ndcodecs:

- ``register_numcodecs_ids()``: numcodecs' own ids (``zstd``, ``zlib``,
  ``blosc``, ``delta``, ...) use the byte-compatible, faster drop-ins of
  ``ndcodecs._compat.numcodecs_ids``;
- ``register_imagecodecs_ids()``: ``imagecodecs_<name>`` ids decode data
  written by ``imagecodecs.numcodecs`` codecs without imagecodecs. Setting
  the environment variable ``NDCODECS_IMAGECODECS_IDS=1`` does the same
  when this module is imported.
"""

from __future__ import annotations

import functools
import inspect
import json
import keyword
import os
import threading

import numpy
from numcodecs.abc import Codec as _Codec
from numcodecs.compat import ensure_contiguous_ndarray_like, ndarray_copy
from numcodecs.registry import codec_registry, register_codec

from . import _registry

__all__ = [
    'PREFIX',
    'call',
    'class_name',
    'codec_class',
    'image_view',
    'parameters',
    'register_imagecodecs_ids',
    'register_numcodecs_ids',
]

PREFIX = 'ndcodecs_'

# arguments of the codec functions that are not codec parameters
_NOT_PARAMETERS = frozenset({'out', 'max_output'})

_lock = threading.RLock()
_classes: dict[str, type] = {}


def class_name(name: str) -> str:
    """Return the class name for a registered codec name: 'zstd' -> 'Zstd',
    'none' -> 'None_' (a keyword cannot be an attribute in source code)."""
    cls = name[:1].upper() + name[1:]
    return cls + '_' if keyword.iskeyword(cls) else cls


def parameters(codec: _registry.Codec) -> dict[str, inspect.Parameter]:
    """Return the codec parameters of a registered codec, in order.

    They are the arguments of its ``x_encode`` and ``x_decode`` after the
    data, without ``out`` and ``max_output``; checksums have ``location``.
    An argument whose default differs between the two functions defaults
    to None, meaning each function's own default; the registry's
    `decode_args` set decoder defaults that give back the encoded chunk.
    """
    if codec.kind == 'checksum':
        return {'location': inspect.Parameter(
            'location', inspect.Parameter.KEYWORD_ONLY, default='start')}
    params: dict[str, inspect.Parameter] = {}
    for attr, can in (('encode', codec.can_encode), ('decode', codec.can_decode)):
        if not can:
            continue
        for p in _signature(codec, attr)[1:]:
            if p.name in _NOT_PARAMETERS or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
                continue
            default = None if p.default is p.empty else p.default
            if attr == 'decode':
                default = codec.decode_args.get(p.name, default)
            if p.name in params and params[p.name].default != default:
                default = None
            params[p.name] = inspect.Parameter(p.name, p.KEYWORD_ONLY, default=default)
    return params


def _signature(codec: _registry.Codec, attr: str) -> list[inspect.Parameter]:
    """Return the parameters of ``x_<attr>``; none if it has no signature."""
    func = codec.function(f'{codec.name}_{attr}')
    try:
        return list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return []


@functools.cache
def _plan(name: str, attr: str) -> tuple:
    """Return a codec's ``x_<attr>`` and its arguments after the data, as
    (name, positional-only) pairs: looked up once, not per chunk."""
    codec = _registry.get_codec(name)
    func = codec.function(f'{codec.name}_{attr}')
    args = tuple(
        (p.name, p.kind == p.POSITIONAL_ONLY) for p in _signature(codec, attr)[1:]
        if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    )
    return func, args


def call(obj, attr: str, data, extra: dict):
    """Call ``x_<attr>`` of `obj`'s codec on `data` with the parameters of
    `obj` that it takes; `extra` fills arguments that are unset (None)."""
    func, args = _plan(obj.registry_codec.name, attr)
    params = obj._parameters
    positional = []
    kwargs = {}
    for name, posonly in args:
        value = getattr(obj, name) if name in params else None
        if value is None:
            value = extra.get(name)
        if isinstance(value, tuple) and name != 'shape':
            value = list(value)
        if posonly:
            positional.append(value)
        elif value is not None:
            kwargs[name] = value
    return func(data, *positional, **kwargs)


def _jsonable(value):
    """Return `value` as plain JSON types (enums as ints, dtypes as str)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, numpy.integer)):
        return int(value)
    if isinstance(value, (float, numpy.floating)):
        return float(value)
    if isinstance(value, numpy.dtype) or (
        isinstance(value, type) and issubclass(value, numpy.generic)
    ):
        return numpy.dtype(value).str
    if isinstance(value, (bytes, bytearray)):
        return value.decode('latin-1')
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    raise TypeError(f'{value!r} is not a JSON-compatible codec parameter')


def image_view(arr: numpy.ndarray, multiframe: bool = False,
               samples: tuple[int, ...] = ()) -> numpy.ndarray:
    """Return a chunk as an image of shape (height, width[, samples]).

    Zarr hands image codecs chunks of any rank, e.g. (1, 256, 256) of a
    stack. Leading axes are stacked into the height (multi-frame codecs
    keep them as frames); a last axis whose length is one of `samples`
    (the codec's samples per pixel above 1; default 2 to 4) is the samples.
    The element count, hence zarr's reshape on decoding, is unchanged.
    """
    arr = numpy.asarray(arr)
    if arr.ndim < 2:
        return arr.reshape(1, -1)
    if arr.ndim == 2:
        return arr
    has_samples = arr.shape[-1] in ([s for s in samples if s > 1] or (2, 3, 4))
    if multiframe:
        if arr.ndim == 3 and not has_samples:
            return arr
        lead = arr.shape[: -3 if has_samples else -2]
        if len(lead) == 1:
            return arr
        return arr.reshape(-1, *arr.shape[len(lead):])
    if has_samples:
        return arr.reshape(-1, arr.shape[-2], arr.shape[-1])
    return arr.reshape(-1, arr.shape[-1])


def _image_view(codec: _registry.Codec, arr) -> numpy.ndarray:
    """Return `arr` as an image for a registered image codec."""
    return image_view(arr, codec.multiframe, codec.samples)


class NdcodecsCodec(_Codec):
    """Base of the numcodecs classes of ndcodecs codecs.

    Instances hold only their parameters, so they pickle, compare and hash
    by value and may be shared by threads.
    """

    codec_id: str = ''
    registry_codec: _registry.Codec
    _parameters: dict[str, inspect.Parameter] = {}
    _view_dtype = False

    def __init__(self, **kwargs):
        unknown = set(kwargs) - set(self._parameters)
        if unknown:
            raise TypeError(
                f'{type(self).__name__} got unexpected parameters {sorted(unknown)}; '
                f'it takes {list(self._parameters)}'
            )
        for name, p in self._parameters.items():
            setattr(self, name, kwargs.get(name, p.default))

    def get_config(self) -> dict:
        """Return the codec's id and every parameter, as plain JSON."""
        config = {'id': self.codec_id}
        for name in self._parameters:
            config[name] = _jsonable(getattr(self, name))
        return config

    def __repr__(self) -> str:
        args = ', '.join(
            f'{k}={getattr(self, k)!r}' for k, p in self._parameters.items()
            if getattr(self, k) != p.default
        )
        return f'{type(self).__name__}({args})'

    def __hash__(self) -> int:
        return hash(json.dumps(self.get_config(), sort_keys=True))

    def __reduce__(self):
        return _from_config, (self.get_config(),)

    def _call(self, attr: str, data, **extra):
        return call(self, attr, data, extra)

    def encode(self, buf):
        """Return `buf` encoded."""
        kind = self.registry_codec.kind
        if kind == 'compressor':
            return self._call('encode', buf)
        arr = ensure_contiguous_ndarray_like(buf, flatten=False)
        if kind == 'image':
            arr = _image_view(self.registry_codec, arr)
        elif kind == 'filter':
            arr = self._filter_input(arr)
        return self._call('encode', arr)

    def _filter_input(self, buf) -> numpy.ndarray:
        """Return a filter's input flat, as `dtype` where the adapter added
        that parameter (zarr format 2 hands filters plain bytes)."""
        arr = ensure_contiguous_ndarray_like(buf, flatten=False)
        if self._view_dtype and self.dtype is not None:
            arr = arr.reshape(-1).view('u1').view(self.dtype)
        return arr.reshape(-1)

    def decode(self, buf, out=None):
        """Return `buf` decoded, in `out` if given."""
        try:
            return self._decode(buf, out)
        except self.registry_codec.error as exc:
            raise self.registry_codec.error(f'{self.codec_id}: {exc}') from exc

    def _decode(self, buf, out):
        kind = self.registry_codec.kind
        if kind == 'compressor' and out is not None:
            dst = ensure_contiguous_ndarray_like(out).view('u1')
            result = self._call('decode', buf, out=dst)
            if result is dst:
                return out
            if numpy.may_share_memory(result, dst):  # a part of out
                raise self.registry_codec.error(
                    f'{self.codec_id}: decoded {len(memoryview(result).cast("B"))} bytes, '
                    f'out holds {dst.nbytes}'
                )
            return ndarray_copy(result, out)  # a codec without out=
        extra = {}
        if out is not None and kind == 'array':
            # shapeless streams take the shape and dtype from out
            dst = numpy.asarray(out)
            extra = {'shape': dst.shape, 'dtype': dst.dtype}
        if kind == 'filter':
            buf = self._filter_input(buf)
            if not self.registry_codec.can_decode:
                return ndarray_copy(buf, out)
        result = self._call('decode', buf, **extra)
        if out is not None:
            return ndarray_copy(result, out)
        return result


class _ChecksumCodec(NdcodecsCodec):
    """Base of checksum codecs: the 4-byte little-endian checksum of the
    data at its start or end, as numcodecs' CRC32."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.location not in ('start', 'end'):
            raise ValueError(f'invalid checksum location {self.location!r}')

    def encode(self, buf):
        data = ensure_contiguous_ndarray_like(buf).view('u1').reshape(-1)
        value = self.registry_codec.checksum(data) & 0xFFFFFFFF
        head = numpy.array([value], '<u4').view('u1')
        parts = (head, data) if self.location == 'start' else (data, head)
        return numpy.concatenate(parts)

    def decode(self, buf, out=None):
        data = ensure_contiguous_ndarray_like(buf).view('u1').reshape(-1)
        if data.size < 4:
            raise self.registry_codec.error(f'{self.codec_id}: {data.size} bytes hold no checksum')
        if self.location == 'start':
            stored, payload = data[:4], data[4:]
        else:
            stored, payload = data[-4:], data[:-4]
        value = self.registry_codec.checksum(payload) & 0xFFFFFFFF
        if int(stored.view('<u4')[0]) != value:
            raise self.registry_codec.error(
                f'{self.codec_id}: stored checksum {int(stored.view("<u4")[0]):#010x} '
                f'does not match computed {value:#010x}'
            )
        return ndarray_copy(payload, out)


def codec_class(name: str) -> type:
    """Return the numcodecs class of a registered codec (name or alias)."""
    codec = _registry.get_codec(name)
    with _lock:
        cls = _classes.get(codec.name)
        if cls is None:
            base = _ChecksumCodec if codec.kind == 'checksum' else NdcodecsCodec
            params = parameters(codec)
            view_dtype = codec.kind == 'filter' and 'dtype' not in params
            if view_dtype:
                # as numcodecs' filters: the dtype of the data, to decode bytes
                params['dtype'] = inspect.Parameter(
                    'dtype', inspect.Parameter.KEYWORD_ONLY, default=None)
            cls = type(class_name(codec.name), (base,), {
                '__module__': __name__,
                '__qualname__': class_name(codec.name),
                '__doc__': (
                    f'{codec.description or codec.name} ({codec.kind}).\n\n'
                    f'Parameters: {", ".join(params) or "none"}.'
                ),
                'codec_id': PREFIX + codec.name,
                'registry_codec': codec,
                '_parameters': params,
                '_view_dtype': view_dtype,
            })
            _classes[codec.name] = cls
    return cls


def _from_config(config: dict):
    """Return the codec instance for a config of one of our ids."""
    config = dict(config)
    codec_id = config.pop('id')
    return codec_class(codec_id[len(PREFIX):])(**config)


def register_codecs() -> None:
    """Register every ndcodecs_<name> class with numcodecs now (the entry
    points make this unnecessary where the package is installed)."""
    for name in _registry.list_codecs():
        cls = codec_class(name)
        if codec_registry.get(cls.codec_id) is not cls:
            register_codec(cls)


def register_numcodecs_ids() -> None:
    """Make numcodecs' own ids (zstd, zlib, gzip, bz2, lzma, lz4, blosc,
    delta, ...) use ndcodecs' byte-compatible drop-ins."""
    from ._compat import numcodecs_ids

    for cls in numcodecs_ids.CLASSES:
        register_codec(cls)


def register_imagecodecs_ids() -> None:
    """Make the ids ``imagecodecs_<name>`` of imagecodecs' numcodecs codecs
    use ndcodecs, for every registered codec of that name.

    Configs written by imagecodecs may hold parameters the ndcodecs
    functions do not take; they are kept in the config and not used.
    """
    for name in _registry.list_codecs():
        cls = codec_class(name)
        alias = type(cls.__name__, (cls,), {
            '__module__': __name__,
            '__qualname__': cls.__qualname__,
            'codec_id': 'imagecodecs_' + name,
            '__init__': _alias_init,
            'get_config': _alias_config,
            '__reduce__': _alias_reduce,
        })
        register_codec(alias)


def _alias_init(self, **kwargs):
    params = type(self)._parameters
    NdcodecsCodec.__init__(self, **{k: v for k, v in kwargs.items() if k in params})
    self._extra = {k: v for k, v in kwargs.items() if k not in params}


def _alias_config(self) -> dict:
    return {**NdcodecsCodec.get_config(self), **self._extra}


def _alias_reduce(self):
    return _alias_from_config, (self.get_config(),)


def _alias_from_config(config: dict):
    """Return the codec of an imagecodecs_<name> config, registering the
    ids in this process first (e.g. on a dask worker)."""
    if codec_registry.get(config['id']) is None or not issubclass(
        codec_registry[config['id']], NdcodecsCodec
    ):
        register_imagecodecs_ids()
    config = dict(config)
    return codec_registry[config.pop('id')](**config)


def lazy_classes(namespace: dict, make) -> tuple:
    """Return a module's __getattr__ and __dir__ that create the class of a
    codec, `make(name)`, on first access, and keep it in `namespace`."""

    def __getattr__(name: str):
        for codec_name in _registry.list_codecs():
            if class_name(codec_name) == name:
                namespace[name] = cls = make(codec_name)
                return cls
        raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*namespace, *(class_name(n) for n in _registry.list_codecs())})

    return __getattr__, __dir__


__getattr__, __dir__ = lazy_classes(globals(), codec_class)


if os.environ.get('NDCODECS_IMAGECODECS_IDS', '').lower() in ('1', 'true', 'yes'):
    register_imagecodecs_ids()

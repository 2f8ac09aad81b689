"""The imageio v2 names: mimread, volread, get_reader, get_writer, ...

Arrays returned here are `Array`, a numpy array with a `.meta` dict.
"""

from __future__ import annotations

import re

import numpy

from .formats import codec_arg, image_codecs, write_codec
from .readers import Reader
from .resources import open_sink, target_name
from .v3 import open_reader
from .writers import make_writer

__all__ = [
    'Array', 'get_reader', 'get_writer', 'help', 'mimread', 'mimwrite', 'mvolread',
    'mvolwrite', 'show_formats', 'volread', 'volwrite',
]

_MODES = ('i', 'I', 'v', 'V', '?')


class Array(numpy.ndarray):
    """A numpy array with a `.meta` dict of the image's metadata."""

    def __new__(cls, array, meta=None):
        obj = numpy.asarray(array).view(cls)
        obj._meta = dict(meta or {})
        return obj

    def __array_finalize__(self, obj) -> None:
        self._meta = dict(getattr(obj, '_meta', None) or {})

    @property
    def meta(self) -> dict:
        return self._meta


_SIZE = re.compile(r'\s*(\d+(?:\.\d*)?)\s*(?:([kmgt])(i?))?b?\s*', re.IGNORECASE)


def parse_size(value, default: int) -> int | None:
    """Return a byte count from 1000, '1kB', '250MiB' ('kB' is 1000 bytes,
    'KiB' 1024); None or False mean no limit, True the default."""
    if value is None or value is False:
        return None
    if value is True:
        return default
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        match = _SIZE.fullmatch(value)
        if match:
            number, unit, binary = match.groups()
            power = 'kmgt'.index(unit.lower()) + 1 if unit else 0
            return int(float(number) * (1024 if binary else 1000) ** power)
    raise ValueError(f'invalid memory size {value!r}, expected e.g. 1000, "1kB" or "250MiB"')


def _mode(mode: str) -> str:
    if mode not in _MODES:
        raise ValueError(f'mode must be one of {", ".join(_MODES)}, not {mode!r}')
    return mode


def _is_volume(frame: numpy.ndarray) -> bool:
    return frame.ndim > 3 or (frame.ndim == 3 and frame.shape[2] > 4)


class LegacyReader:
    """The reader of imageio v2: get_data, get_length, iter_data, ..."""

    def __init__(self, reader: Reader, mode: str = '?') -> None:
        self._reader = reader
        self.mode = mode
        self.format = reader.codec
        self._index = 0
        self.closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __iter__(self):
        return self.iter_data()

    def __len__(self) -> int:
        return self.get_length()

    def close(self) -> None:
        self.closed = True
        self._reader.close()

    def _volume_mode(self) -> bool:
        # a stack of 2-D images read as one volume
        return self.mode in 'vV' and not _is_volume(self._reader.frame(0))

    def get_length(self) -> int:
        """Return the number of images (or volumes)."""
        return 1 if self._volume_mode() else self._reader.n_frames

    def get_data(self, index: int, **kwargs) -> Array:
        """Return image (or volume) `index` with its `.meta`."""
        if self._volume_mode():
            if index not in (0, -1):
                raise IndexError(f'volume index {index} out of range for 1 volume')
            data = self._reader.read(...)
        else:
            data = self._reader.frame(index)
        return Array(data, self._reader.metadata(index))

    def get_meta_data(self, index=None) -> dict:
        """Return the metadata of the file, or of image `index`."""
        return self._reader.metadata(index)

    def iter_data(self):
        """Yield each image with its `.meta`."""
        if self._volume_mode():
            yield self.get_data(0)
            return
        meta = self._reader.metadata()
        for frame in self._reader.iter():
            yield Array(frame, meta)

    def get_next_data(self, **kwargs) -> Array:
        """Return the image after the last one returned, and advance."""
        data = self.get_data(self._index, **kwargs)
        self._index += 1
        return data

    def set_image_index(self, index: int, **kwargs) -> None:
        """Set the index of the image that get_next_data returns next."""
        if not 0 <= index <= self.get_length():
            raise IndexError(f'image index {index} out of range')
        self._index = index


class LegacyWriter:
    """The writer of imageio v2: append_data, set_meta_data, close."""

    def __init__(self, writer, mode: str = '?') -> None:
        self._writer = writer
        self.mode = mode
        self.format = writer.codec
        self._meta: dict = {}

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self._writer.abort()

    @property
    def closed(self) -> bool:
        return self._writer.closed

    def append_data(self, im, meta=None) -> None:
        """Append one image (or volume); `meta` is merged into the file's
        metadata as by `set_meta_data`."""
        if meta:
            if not isinstance(meta, dict):
                raise TypeError('meta must be a dict')
            self._meta.update(meta)
            self._writer.text = dict(self._meta)
        self._writer.write(im)

    def set_meta_data(self, meta: dict) -> None:
        """Set the file's metadata: PNG and APNG store it as text chunks
        (read back by get_meta_data()['text']); other formats keep it on
        the writer only, since their encoders take no free-form metadata."""
        if not isinstance(meta, dict):
            raise TypeError('meta must be a dict')
        self._meta = dict(meta)
        self._writer.text = dict(meta)

    def get_meta_data(self) -> dict:
        return dict(self._meta)

    def close(self):
        """Encode and write; return bytes for '<bytes>', else None."""
        return self._writer.close()


def get_reader(uri, format=None, mode='?', **kwargs) -> LegacyReader:
    """Return a LegacyReader of `uri` (mode 'i', 'I', 'v', 'V' or '?')."""
    return LegacyReader(open_reader(uri, format, **kwargs), _mode(mode))


def get_writer(uri, format=None, mode='?', **kwargs) -> LegacyWriter:
    """Return a LegacyWriter to `uri`; kwargs go to the codec's encoder."""
    _mode(mode)
    codec = write_codec(target_name(uri), format)
    return LegacyWriter(make_writer(open_sink(uri), codec, **kwargs), mode)


def mimread(uri, format=None, memtest='256MB', **kwargs) -> list[Array]:
    """Return the frames of `uri` as a list; raise RuntimeError once they
    exceed `memtest` bytes (e.g. '256MB', '1GiB', 1000; False for no limit)."""
    limit = parse_size(memtest, 256_000_000)
    result, total = [], 0
    with open_reader(uri, format, **kwargs) as reader:
        meta = reader.metadata()
        for frame in reader.iter():
            total += frame.nbytes
            if limit is not None and total > limit:
                raise RuntimeError(
                    f'mimread read over {limit} bytes of image data and stopped: use '
                    'imiter or get_reader, or a larger memtest'
                )
            result.append(Array(frame, meta))
    return result


def volread(uri, format=None, **kwargs) -> Array:
    """Return the volume in `uri`: its frames stacked (an NPY volume as stored)."""
    with open_reader(uri, format, **kwargs) as reader:
        return Array(reader.read(...) if reader.n_frames > 1 else reader.read(), reader.metadata())


def mvolread(uri, format=None, memtest='1GB', **kwargs) -> list[Array]:
    """Return the volumes in `uri` as a list (one, unless its frames are volumes)."""
    limit = parse_size(memtest, 1_000_000_000)
    with open_reader(uri, format, **kwargs) as reader:
        meta = reader.metadata()
        legacy = LegacyReader(reader, 'V')
        result, total = [], 0
        for volume in legacy.iter_data():
            total += volume.nbytes
            if limit is not None and total > limit:
                raise RuntimeError(f'mvolread read over {limit} bytes of image data and stopped')
            result.append(Array(volume, meta))
    return result


def mimwrite(uri, ims, format=None, **kwargs):
    """Write the images `ims` as frames of one file; bytes for '<bytes>'."""
    with get_writer(uri, format, 'I', **kwargs) as writer:
        for im in ims:
            writer.append_data(im)
    return writer._writer.result


def volwrite(uri, vol, format=None, **kwargs):
    """Write the volume `vol` (frames along its first axis)."""
    vol = numpy.asarray(vol)
    if vol.ndim < 3:
        raise ValueError(f'a volume has at least 3 dimensions, not {vol.ndim}')
    return mimwrite(uri, vol, format, **kwargs)


def mvolwrite(uri, vols, format=None, **kwargs):
    """Write the volumes `vols`, each as one frame."""
    return mimwrite(uri, vols, format, **kwargs)


def _capabilities(codec) -> str:
    modes = ('r' if codec.can_decode else '') + ('w' if codec.can_encode else '')
    return modes + ('  multi-frame' if codec.multiframe else '')


def show_formats() -> None:
    """Print the image formats: name, extensions, modes and description."""
    for codec in image_codecs():
        state = '' if codec.available else '  [unavailable]'
        print(f'{codec.name:<10} {" ".join(codec.extensions) or "-":<22} '
              f'{_capabilities(codec):<16} {codec.description}{state}')


def help(name=None) -> None:
    """Print what a format (name, alias or extension) reads and writes."""
    if name is None:
        show_formats()
        return
    for codec in codec_arg(name):
        print(f'{codec.name}: {codec.description}')
        print(f'  kind: {codec.kind}, library: {codec.library}')
        print(f'  extensions: {" ".join(codec.extensions) or "none"}')
        print(f'  modes: {_capabilities(codec)}')
        print(f'  available: {"yes, " + str(codec.version) if codec.available else codec.reason}')
        for verb in ('decode', 'encode'):
            func = codec.function(f'{codec.name}_{verb}')
            if getattr(codec, f'can_{verb}') and func.__doc__:
                print(f'\n{codec.name}_{verb}: {func.__doc__.strip()}')

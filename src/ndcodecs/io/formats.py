"""Which codec reads or writes a resource, derived from the registry alone.

Reading tries, in order: the codecs named by ``format=``/``codec=`` (a name,
an alias or an extension), else the codecs claiming the file's extension
(longest first, so '.ome.tif' before '.tif'), then those whose magic bytes
match the first 512 bytes, then those without a signature. Only codecs of
kind 'image' or 'array' take part. NDCODECS_FORMAT_ORDER, a comma-separated
list of codec names, moves the named codecs to the front of each group, and
names prefixed with '-' to its end, as IMAGEIO_FORMAT_ORDER does in imageio.
"""

from __future__ import annotations

import functools
import os

from .._errors import CodecError
from .._registry import Codec, _codecs, get_codec, has_codec

__all__ = ['IMAGE_KINDS', 'FormatError', 'codec_arg', 'image_codecs', 'read_candidates', 'write_codec']

IMAGE_KINDS = ('image', 'array')


class FormatError(CodecError, ValueError):
    """No codec could read or write a resource; the message says what was tried."""


def image_codecs() -> list[Codec]:
    """Return the registered image and array codecs in preference order."""
    return list(_image_codecs(os.environ.get('NDCODECS_FORMAT_ORDER', ''), tuple(_codecs)))


@functools.lru_cache(maxsize=16)
def _image_codecs(order: str, names: tuple) -> tuple:
    return tuple(_ordered([c for c in _codecs.values() if c.kind in IMAGE_KINDS]))


def _ordered(codecs: list[Codec]) -> list[Codec]:
    order = [n.strip().lower() for n in os.environ.get('NDCODECS_FORMAT_ORDER', '').split(',')]
    front = [n for n in order if n and not n.startswith('-')]
    back = [n[1:] for n in order if n.startswith('-')]

    def rank(codec: Codec):
        names = {codec.name.lower(), *(a.lower() for a in codec.aliases)}
        for i, name in enumerate(front):
            if name in names:
                return (0, i)
        for i, name in enumerate(back):
            if name in names:
                return (2, i)
        return (1, 0)

    return sorted(codecs, key=rank)


def codec_arg(value) -> list[Codec]:
    """Return the codecs a ``format=``/``codec=`` value names: a Codec, a name
    or alias, an extension ('.png' or 'png'), or a sequence of these."""
    if isinstance(value, Codec):
        return [value]
    if isinstance(value, (list, tuple)):
        return [c for v in value for c in codec_arg(v)]
    if not isinstance(value, str):
        raise TypeError(f'format must be a codec name or extension, not {type(value).__name__}')
    if has_codec(value):
        return [get_codec(value)]
    ext = value.lower() if value.startswith('.') else '.' + value.lower()
    found = [c for c in image_codecs() if ext in c.extensions]
    if not found:
        raise FormatError(f'no codec is named {value!r} or reads {ext!r} files')
    return found


def by_extension(name: str, codecs: list[Codec]) -> list[Codec]:
    """Return the codecs claiming the end of `name`, longest extension first."""
    name = name.lower()
    hits = []
    for codec in codecs:
        lengths = [len(e) for e in codec.extensions if name.endswith(e)]
        if lengths:
            hits.append((-max(lengths), codec))
    hits.sort(key=lambda hit: hit[0])  # stable: keeps the preference order
    return [codec for _, codec in hits]


def read_candidates(name: str, head: bytes, format=None):
    """Yield (codec, why) pairs in the order they should be tried; lazily,
    since the first usually succeeds."""
    if format is not None:
        yield from ((c, 'format= override') for c in codec_arg(format))
        return
    codecs = [c for c in image_codecs() if c.can_decode]
    seen = set()
    for codec in by_extension(name, codecs) if name else ():
        seen.add(codec.name)
        yield codec, 'extension'
    rest = []
    for codec in codecs:
        if codec.name in seen or codec.unavailable:
            continue
        try:
            match = codec.check(head)
        except Exception:
            match = None
        if match:
            yield codec, 'magic bytes'
        elif match is None and codec.available:
            rest.append((codec, 'no signature'))
    yield from rest


def write_codec(name: str, format=None) -> Codec:
    """Return the codec that writes `name` (by extension), or the ``format=`` one."""
    if format is not None:
        found = codec_arg(format)
    else:
        found = by_extension(name, image_codecs()) if name else []
        if not found:
            what = f'{name!r}' if name else 'this target'
            raise FormatError(
                f'cannot choose a format for {what} by its extension: pass format= '
                f'(writers: {", ".join(c.name for c in image_codecs() if c.can_encode)})'
            )
    encoders = [c for c in found if c.can_encode]
    if not encoders:
        raise FormatError(f'{", ".join(c.name for c in found)} cannot encode')
    for codec in encoders:
        if codec.available:
            return codec
    raise FormatError('; '.join(c.reason or f'{c.name} is not available' for c in encoders))

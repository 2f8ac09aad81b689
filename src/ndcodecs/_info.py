"""Versions and availability of every codec."""

from __future__ import annotations

from . import __version__
from ._registry import _codecs


def codec_table() -> list[dict]:
    """Return one dict per codec: name, kind, available, version, reason."""
    rows = []
    for codec in _codecs.values():
        rows.append({
            'name': codec.name,
            'kind': codec.kind,
            'available': codec.available,
            'version': codec.version if codec.available else None,
            'library': codec.library,
            'debian': codec.debian,
            'reason': codec.reason,
        })
    return rows


def version(astype=None):
    """Return the versions of ndcodecs, numpy and the codecs' libraries.

    `astype` str (default) gives one comma-separated line, as imagecodecs
    does, naming unavailable codecs too; dict maps each codec name to its
    library version or None; tuple gives those (name, version) pairs.
    """
    import numpy

    items = [('ndcodecs', f'ndcodecs {__version__}'), ('numpy', f'numpy {numpy.__version__}')]
    items += [(row['name'], row['version']) for row in codec_table()]
    if astype is None or astype is str:
        parts = []
        for name, ver in items:
            text = ver if ver is not None else f'{name} unavailable'
            if text and text not in parts:
                parts.append(text)
        return ', '.join(parts)
    if astype is dict:
        return dict(items)
    if astype is tuple:
        return tuple(items)
    raise TypeError(f'invalid astype {astype!r}')

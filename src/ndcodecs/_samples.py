"""The bundled sample images and arrays."""

from __future__ import annotations

import importlib.resources
import pathlib

from ._errors import CodecError
from ._registry import codec_for_path


def _folder() -> pathlib.Path:
    return pathlib.Path(str(importlib.resources.files('ndcodecs') / 'samples'))


def sample_names() -> list[str]:
    """Return the names of the bundled samples, e.g. 'camera'."""
    return sorted(
        p.stem for p in _folder().iterdir()
        if p.is_file() and codec_for_path(p) is not None
    )


def sample_path(name: str) -> pathlib.Path:
    """Return the file of sample `name` (with or without its extension)."""
    folder = _folder()
    for path in folder.iterdir():
        if name in (path.name, path.stem) and codec_for_path(path) is not None:
            return path
    raise ValueError(f'no sample named {name!r}; samples: {", ".join(sample_names())}')


def sample(name: str, *, raw: bool = False):
    """Return sample `name` as a numpy array, or its file's bytes if `raw`.

    Samples: photographs and microscopy as PNG ('astronaut', 'camera',
    'cell', 'chelsea', 'text'), a 12-bit microscopy-like uint16 image
    ('microscopy16') and a smooth float32 field ('field32').
    """
    path = sample_path(name)
    data = path.read_bytes()
    if raw:
        return data
    codec = codec_for_path(path)
    if not codec.available:
        raise CodecError(f'sample {name!r} needs the {codec.name} codec: {codec.reason}')
    return codec.decode(data)

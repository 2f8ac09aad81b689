"""ndcodecs: image and scientific-array codecs.

The codec functions follow imagecodecs: ``zstd_encode``, ``zstd_decode``,
``zstd_check``, ``zstd_version``, the constants class ``ZSTD`` with
``available``, and ``ZstdError``. They are loaded on first use, so that
``import ndcodecs`` stays light. The registry (``get_codec``,
``list_codecs``, ``codec_for_path``, ``codec_for_bytes``) describes every
codec once; ``decode_many`` and ``encode_many`` run a codec over many
chunks on a thread pool. Image file I/O in the style of imageio (``imread``,
``imwrite``, ``imiter``, ``improps``, ``immeta``, ``imopen`` and the v2
names) lives in ``ndcodecs.io`` and is re-exported here.
"""

from ._errors import CodecError, DelayedImportError
from ._registry import (
    KINDS,
    Codec,
    codec_for_bytes,
    codec_for_path,
    get_codec,
    has_codec,
    list_codecs,
)

__version__ = '0.1.0'

__all__ = [
    'KINDS',
    'Codec',
    'CodecError',
    'DelayedImportError',
    'codec_for_bytes',
    'codec_for_path',
    'decode_many',
    'encode_many',
    'get_codec',
    'get_max_output',
    'get_reader',
    'get_writer',
    'has_codec',
    'imiter',
    'immeta',
    'imopen',
    'imread',
    'improps',
    'imwrite',
    'list_codecs',
    'mimread',
    'mimwrite',
    'mvolread',
    'mvolwrite',
    'sample',
    'set_max_output',
    'show_formats',
    'version',
    'volread',
    'volwrite',
]

_IO = (
    'imread', 'imwrite', 'imiter', 'improps', 'immeta', 'imopen', 'mimread', 'mimwrite',
    'volread', 'volwrite', 'mvolread', 'mvolwrite', 'get_reader', 'get_writer',
    'show_formats', 'ImageProperties',
)

# Names defined outside the registry, loaded on first use.
_LAZY = {
    'decode_many': '._batch',
    'encode_many': '._batch',
    'get_max_output': '._ext._shared',
    'set_max_output': '._ext._shared',
    'sample': '._samples',
    'sample_names': '._samples',
    'version': '._info',
    **{name: '.io' for name in _IO},
}


def __getattr__(name: str):
    from . import _registry

    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    else:
        codec = _registry.public_names().get(name)
        if codec is None:
            raise AttributeError(f"module 'ndcodecs' has no attribute {name!r}")
        if name == codec.name.upper():
            value = codec.constants
        elif name == codec.error.__name__:
            value = codec.error
        else:
            value = codec.function(name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    from . import _registry

    return sorted({*globals(), *_LAZY, *_registry.public_names()})

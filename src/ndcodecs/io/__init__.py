"""Image file I/O in the style of imageio, driven by the codec registry.

The v3 functions (`imread`, `imwrite`, `imiter`, `improps`, `immeta`,
`imopen`) are primary; the v2 names (`mimread`, `volread`, `get_reader`,
...) are provided too. Modules: `resources` (where data comes from and
goes to), `formats` (which codec), `readers` and `writers` (frames through
one codec), `headers` (bounded header parsers), `v3`, `legacy`,
`imageio_plugin`, and `tozarr` (the Zarr output of ``ndcodecs convert``).

Importing this package registers ndcodecs as an imageio v3 plugin if
imageio is installed: ``imageio.v3.imread(uri, plugin='ndcodecs')``.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import sys

from .formats import FormatError
from .legacy import (
    Array,
    get_reader,
    get_writer,
    help,
    mimread,
    mimwrite,
    mvolread,
    mvolwrite,
    show_formats,
    volread,
    volwrite,
)
from .readers import ImageProperties, Reader
from .v3 import imiter, immeta, imopen, imread, improps, imwrite
from .writers import Writer

__all__ = [
    'Array', 'FormatError', 'ImageProperties', 'Reader', 'Writer', 'get_reader',
    'get_writer', 'help', 'imiter', 'immeta', 'imopen', 'imread', 'improps', 'imwrite',
    'mimread', 'mimwrite', 'mvolread', 'mvolwrite', 'register_imageio_plugin',
    'show_formats', 'volread', 'volwrite',
]


def register_imageio_plugin() -> bool:
    """Add ndcodecs to imageio's known plugins; False if imageio is not imported.

    imageio has no entry point for plugins of other packages. So that
    ``import ndcodecs.io`` does not import imageio, the plugin is added now
    if imageio is loaded, else as soon as ``imageio.config`` is imported.
    """
    if 'imageio.config' not in sys.modules:
        return False
    from imageio.config import known_plugins
    from imageio.config.plugins import PluginConfig

    if 'ndcodecs' not in known_plugins:
        known_plugins['ndcodecs'] = PluginConfig(
            name='ndcodecs', class_name='NdcodecsPlugin',
            module_name='ndcodecs.io.imageio_plugin',
        )
    return True


class _RegisterWhenImported(importlib.abc.MetaPathFinder):
    """Runs register_imageio_plugin right after imageio.config is loaded."""

    def find_spec(self, name, path=None, target=None):
        if name != 'imageio.config':
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, 'exec_module'):
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_register(module):
            exec_module(module)
            register_imageio_plugin()

        spec.loader.exec_module = exec_and_register
        return spec


if not register_imageio_plugin() and importlib.util.find_spec('imageio') is not None:
    sys.meta_path.insert(0, _RegisterWhenImported())

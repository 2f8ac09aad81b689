"""ndcodecs as an imageio v3 plugin: ``imageio.v3.imread(uri, plugin='ndcodecs')``.

imageio 2.x finds plugins only in its ``imageio.config.known_plugins``
dict and has no entry point for other packages, so the plugin is added to
that dict when ``ndcodecs.io`` is imported (``import ndcodecs.io``, or the
first use of ``ndcodecs.imread`` and friends). Without that import, pass
the class itself: ``plugin=ndcodecs.io.imageio_plugin.NdcodecsPlugin``.
"""

from __future__ import annotations

import numpy
from imageio.core.request import URI_BYTES, InitializationError, IOMode
from imageio.core.v3_plugin_api import ImageProperties, PluginV3

from .._errors import CodecError
from .formats import FormatError, write_codec
from .resources import StreamResource, open_sink
from .v3 import open_reader
from .writers import make_writer

__all__ = ['NdcodecsPlugin']


class NdcodecsPlugin(PluginV3):
    """Reads and writes every image format of the ndcodecs registry."""

    def __init__(self, request, **kwargs) -> None:
        super().__init__(request)
        self._reader = None
        self._codec = None
        self._name = request.filename if request._uri_type != URI_BYTES else ''
        if request.extension and not self._name.lower().endswith(request.extension.lower()):
            self._name += request.extension
        try:
            if request.mode.io_mode == IOMode.read:
                resource = StreamResource(request.get_file(), self._name)
                self._reader = open_reader(resource, **kwargs)
            else:
                self._codec = write_codec(self._name)
        except (CodecError, FormatError) as exc:
            raise InitializationError(f'ndcodecs cannot handle {self._name or "the data"}: {exc}') from None

    def read(self, *, index=None, **kwargs) -> numpy.ndarray:
        """Return the natural image (None), frame k, or all frames (...)."""
        return self._reader.read(index)

    def iter(self, **kwargs):
        """Yield the frames one at a time."""
        yield from self._reader.iter()

    def write(self, ndimage, *, is_batch=False, **kwargs):
        """Write an image, or frames if `is_batch` or a list; return bytes
        when the target is '<bytes>'."""
        fh = self.request.get_file()
        writer = make_writer(open_sink(fh, self._name), self._codec, **kwargs)
        with writer:
            if is_batch or isinstance(ndimage, list):
                for frame in ndimage:
                    writer.write(frame)
            else:
                writer.write_image(ndimage)
        if self.request._uri_type == URI_BYTES:
            return fh.getvalue()
        return None

    def properties(self, index=None) -> ImageProperties:
        """Return imageio's ImageProperties of `read(index)`."""
        props = self._reader.properties(index)
        return ImageProperties(
            shape=props.shape, dtype=props.dtype, n_images=props.n_images,
            is_batch=props.is_batch, spacing=props.spacing,
        )

    def metadata(self, index=None, exclude_applied=True) -> dict:
        """Return the metadata dict of ndcodecs.immeta."""
        return self._reader.metadata(index)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
        super().close()


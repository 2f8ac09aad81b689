"""Writers: images and frames encoded by one codec into one Sink.

`Writer` serves every codec: the codecs' encoders take a whole image or a
whole stack, so frames are kept until `close()` and then encoded at once
(a stack for multi-frame codecs; single-image codecs take one frame).
'numpy' has a writer of its own (WRITERS): an NPY file is streamed frame by
frame, with its header rewritten at the end, so that memory stays bounded.
`Writer.text` (the legacy writer's `set_meta_data`) goes into PNG and APNG
files as text chunks; other codecs' encoders take no free-form metadata.
"""

from __future__ import annotations

import shutil
import struct
import tempfile
import zlib

import numpy

from .._registry import Codec
from .formats import FormatError
from .resources import Sink

__all__ = ['WRITERS', 'Writer', 'make_writer']


class Writer:
    """Frames appended by `write` and encoded by ``X_encode`` on `close`."""

    def __init__(self, sink: Sink, codec: Codec, **kwargs) -> None:
        self.sink = sink
        self.codec = codec
        self.kwargs = kwargs
        self.closed = False
        self.result = None
        self._frames: list[numpy.ndarray] = []
        self._image = None
        self.text: dict = {}  # written as tEXt/iTXt chunks by PNG and APNG

    def __repr__(self) -> str:
        return f'<{type(self).__name__} {self.codec.name} {self.sink.name!r}>'

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def _check(self, frame: numpy.ndarray) -> None:
        if self.closed:
            raise ValueError('the writer is closed')
        if frame.dtype.hasobject or frame.ndim == 0:
            raise ValueError(f'cannot write an array of shape {frame.shape} and dtype {frame.dtype}')
        if self._frames and (frame.shape, frame.dtype) != (self._frames[0].shape, self._frames[0].dtype):
            raise ValueError(
                f'frame of shape {frame.shape} and dtype {frame.dtype} differs from the first '
                f'({self._frames[0].shape}, {self._frames[0].dtype})'
            )

    def write(self, frame) -> None:
        """Append one frame."""
        frame = numpy.asarray(frame)
        self._check(frame)
        if self._image is not None or (self._frames and not self.codec.multiframe):
            raise FormatError(
                f'{self.codec.name} holds one image per file: use a multi-frame format'
            )
        self._frames.append(frame)

    def write_image(self, image) -> None:
        """Set the whole content: one image, or a stack for multi-frame codecs."""
        image = numpy.asarray(image)
        if self._frames or self._image is not None:
            raise ValueError('the writer already holds data')
        self._check(image)
        self._image = image

    def _encode(self):
        if self._image is not None:
            image = self._image
        elif not self._frames:
            raise ValueError('no image was written')
        elif len(self._frames) == 1 and not self.codec.multiframe:
            image = self._frames[0]
        else:
            image = numpy.stack(self._frames)
        data = self.codec.encode(image, **self.kwargs)
        if self.text and self.codec.name in ('png', 'apng'):
            data = png_with_text(data, self.text)
        return data

    def _finish(self) -> None:
        self.sink.file.write(self._encode())

    def close(self):
        """Encode, write and commit; return bytes for '<bytes>', else None."""
        if self.closed:
            return self.result
        try:
            self._finish()
            self.result = self.sink.commit()
        except BaseException:
            self.sink.discard()
            raise
        finally:
            self.closed = True
            self._frames = []
            self._image = None
        return self.result

    def abort(self) -> None:
        """Discard everything written; a path target is left untouched."""
        if not self.closed:
            self.closed = True
            self._frames = []
            self._image = None
            self.sink.discard()


def _png_chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack('>I', len(body)) + ctype + body + struct.pack('>I', zlib.crc32(ctype + body))


def png_with_text(data, text: dict) -> bytes:
    """Return PNG `data` with the items of `text` as chunks after IHDR (and
    after acTL, which APNG detection expects early): tEXt where key and
    value are Latin-1, else iTXt (UTF-8, uncompressed)."""
    data = bytes(data)
    if data[:8] != b'\x89PNG\r\n\x1a\n' or data[12:16] != b'IHDR':
        raise ValueError('not a PNG starting with IHDR')
    chunks = []
    for key, value in text.items():
        key, value = str(key), str(value)
        if not 1 <= len(key) <= 79 or '\0' in key or '\0' in value:
            raise ValueError(f'invalid PNG text key {key!r}: 1 to 79 characters, no NUL')
        try:
            body = key.encode('latin1') + b'\0' + value.encode('latin1')
            chunks.append(_png_chunk(b'tEXt', body))
        except UnicodeEncodeError:
            body = key.encode('latin1', 'replace') + b'\0\0\0\0\0' + value.encode('utf-8')
            chunks.append(_png_chunk(b'iTXt', body))
    end = 8 + 12 + struct.unpack('>I', data[8:12])[0]
    if data[end + 4:end + 8] == b'acTL':
        end += 12 + struct.unpack('>I', data[end:end + 4])[0]
    return data[:end] + b''.join(chunks) + data[end:]


def _npy_header(shape: tuple, dtype: numpy.dtype, size: int | None = None) -> bytes:
    """Return an NPY 1.0 header, padded with spaces to `size` bytes (or to 64)."""
    from numpy.lib import format as npformat

    text = "{'descr': %r, 'fortran_order': False, 'shape': %r, }" % (
        npformat.dtype_to_descr(dtype), tuple(int(n) for n in shape)
    )
    body = text.encode('latin1')
    minimum = 10 + len(body) + 1
    if size is None:
        size = -(-minimum // 64) * 64
    if size < minimum or size - 10 > 0xFFFF:
        raise ValueError('NPY header does not fit')
    body += b' ' * (size - minimum) + b'\n'
    return b'\x93NUMPY\x01\x00' + struct.pack('<H', len(body)) + body


class NumpyWriter(Writer):
    """NPY streamed frame by frame; NPZ (by extension or ``level``) at close."""

    def __init__(self, sink, codec, **kwargs) -> None:
        super().__init__(sink, codec, **kwargs)
        self.npz = bool(kwargs.get('level')) or sink.name.lower().endswith('.npz')
        self._stream = None
        self._count = 0
        self._header_size = 0

    def write(self, frame) -> None:
        frame = numpy.asarray(frame)
        if self._image is not None:
            return super().write(frame)
        self._check(frame)
        if self.npz:
            self._frames.append(frame)
            return
        if self._stream is None:
            self._stream = self.sink.file if self.sink.seekable else tempfile.TemporaryFile()
            self._start = self._stream.tell()
            # shape and dtype of the first frame, without keeping its data
            self._frames = [numpy.broadcast_to(numpy.zeros((), frame.dtype), frame.shape)]
            placeholder = _npy_header((1 << 62, *frame.shape), frame.dtype)
            self._header_size = len(placeholder)
            self._stream.write(placeholder)
        self._stream.write(memoryview(numpy.ascontiguousarray(frame)).cast('B'))
        self._count += 1

    def _encode(self):
        if self.npz and self._image is None:
            if not self._frames:
                raise ValueError('no image was written')
            return self.codec.encode(numpy.stack(self._frames), level=self.kwargs.get('level') or 1)
        if self.npz:
            return self.codec.encode(self._image, level=self.kwargs.get('level') or 1)
        return super()._encode()

    def _finish(self) -> None:
        if self._stream is None:
            return super()._finish()
        first = self._frames[0]
        header = _npy_header((self._count, *first.shape), first.dtype, self._header_size)
        self._stream.seek(self._start)
        self._stream.write(header)
        if self._stream is not self.sink.file:
            self._stream.seek(0)
            shutil.copyfileobj(self._stream, self.sink.file)
            self._stream.close()
        else:
            self._stream.seek(0, 2)


WRITERS: dict[str, type[Writer]] = {
    'numpy': NumpyWriter,
}


def make_writer(sink: Sink, codec: Codec, **kwargs) -> Writer:
    """Return the writer of `codec` into `sink`."""
    return WRITERS.get(codec.name, Writer)(sink, codec, **kwargs)

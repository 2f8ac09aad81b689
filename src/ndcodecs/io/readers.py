"""Readers: frames, properties and metadata of one resource through one codec.

`Reader` serves every codec by decoding the whole buffer with the codec's
``X_decode``: single-image codecs have one frame, multi-frame codecs
(``Codec.multiframe``) give frame k with ``X_decode(data, index=k)`` and
signal the end of the frames with IndexError, as imagecodecs does.

A few formats allow more than that, and only they have a reader class of
their own, in READERS below, keyed by codec name:

- 'numpy': the NPY header gives shape and dtype without reading the data,
  frame k is read as one byte range (a Range request over http), and a
  local NPY file can be memory-mapped (``memmap=True``);
- 'png': the chunks before the image data give shape, dtype and metadata
  without decoding pixels;
- 'tiff': the IFD chain gives the page count, and the first IFD shape,
  dtype and tags, without decoding pixels; page k decodes alone;
- 'gif', 'apng', 'webp': the frame count comes from the file's structure
  (GIF blocks, the acTL chunk, ANMF chunks), and shape and dtype from the
  first frame, so that no call decodes all frames unless asked to;
- 'jpeg', 'jpeg8': the markers before the scan give size and EXIF presence.
"""

from __future__ import annotations

import dataclasses
import io
import math
import struct
import zlib

import numpy

from .._errors import CodecError
from .._registry import Codec
from . import headers
from .resources import Resource

__all__ = ['READERS', 'ImageProperties', 'Reader', 'make_reader']


@dataclasses.dataclass(frozen=True)
class ImageProperties:
    """Shape and dtype of what `read(index)` returns, as in imageio v3.

    `n_images` is the number of frames for ``index=...``, else None;
    `is_batch` says whether the first axis counts frames.
    """

    shape: tuple
    dtype: numpy.dtype
    n_images: int | None = None
    is_batch: bool = False
    spacing: tuple | None = None


def _frame_index(index, count: int) -> int:
    if isinstance(index, bool) or not isinstance(index, (int, numpy.integer)):
        raise TypeError(f'index must be None, an int or ..., not {type(index).__name__}')
    index = int(index)
    if index < 0:
        index += count
    if not 0 <= index < count:
        raise IndexError(f'frame index {index} out of range for {count} frame(s)')
    return index


class Reader:
    """Frames of a resource decoded by a codec's ``X_decode`` (see module doc)."""

    def __init__(self, resource: Resource, codec: Codec, **kwargs) -> None:
        kwargs.pop('memmap', None)  # only NumpyReader maps files
        self.resource = resource
        self.codec = codec
        self.kwargs = kwargs
        self._natural = None
        self._all = None
        self._count = None
        self.owns_resource = False

    def __repr__(self) -> str:
        return f'<{type(self).__name__} {self.codec.name} {self.resource.name!r}>'

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __iter__(self):
        return self.iter()

    def __len__(self) -> int:
        return self.n_frames

    def __getitem__(self, index) -> numpy.ndarray:
        return self.read(index)

    @property
    def shape(self) -> tuple:
        """Shape of `read()`."""
        return self.properties().shape

    @property
    def dtype(self) -> numpy.dtype:
        """Dtype of `read()`."""
        return self.properties().dtype

    def validate(self) -> None:
        """Raise unless the codec reads this resource: magic bytes that match
        are enough, else the default image is decoded (and kept)."""
        if not self.codec.available:
            raise CodecError(self.codec.reason)
        if self.codec.check(self.resource.head(64)) is not True:
            self.natural()

    def close(self) -> None:
        """Drop decoded data; close the resource if the reader opened it."""
        self._natural = self._all = None
        if self.owns_resource:
            self.resource.close()

    def _decode(self, **kwargs):
        data = self.resource.read_all()
        result = self.codec.decode(data, **{**self.kwargs, **kwargs})
        if not isinstance(result, numpy.ndarray):
            raise self.codec.error(f'{self.codec.name} did not return an image')
        return result

    def natural(self) -> numpy.ndarray:
        """Return what the codec decodes with its default arguments."""
        if self._natural is None:
            self._natural = self._decode()
        return self._natural

    def _stack(self) -> numpy.ndarray:
        """Return all frames with a leading frame axis."""
        if self._all is None:
            if not self.codec.multiframe:
                self._all = self.natural()[numpy.newaxis]
                self._count = 1
            else:
                full = self._decode(index=None)
                first = self.frame(0)
                # one frame comes back without the frame axis
                self._all = full[numpy.newaxis] if full.shape == first.shape else full
                self._count = self._all.shape[0]
        return self._all

    @property
    def n_frames(self) -> int:
        """Number of frames (multi-frame codecs decode all frames once)."""
        if self._count is None:
            if self.codec.multiframe:
                self._stack()
            else:
                self._count = 1
        return self._count

    def frame(self, index: int) -> numpy.ndarray:
        """Return frame `index`."""
        if not self.codec.multiframe:
            image = self.natural()  # decoded first: a codec that cannot read it says so
            _frame_index(index, 1)
            return image
        if self._all is not None:
            return self._all[_frame_index(index, self._count)]
        if index < 0:
            index = _frame_index(index, self.n_frames)
        try:
            return self._decode(index=int(index))
        except CodecError:
            # codecs that do not raise IndexError past the last frame
            if index > 0 and index >= self.n_frames:
                raise IndexError(f'frame index {index} out of range for {self._count} frame(s)') from None
            raise

    def read(self, index=None) -> numpy.ndarray:
        """Return the natural image (None), frame k (int) or all frames (...)."""
        if index is None:
            return self.natural()
        if index is Ellipsis:
            return self._stack()
        return self.frame(index)

    def iter(self):
        """Yield the frames one at a time."""
        k = 0
        while True:
            if self._count is not None and k >= self._count:
                return
            try:
                frame = self.frame(k)
            except IndexError:
                if k == 0:
                    raise
                return
            yield frame
            k += 1
            if not self.codec.multiframe:
                return

    def properties(self, index=None) -> ImageProperties:
        """Return ImageProperties of `read(index)`."""
        if index is Ellipsis:
            first = self.frame(0) if self._all is None else self._all[0]
            count = self.n_frames
            return ImageProperties((count, *first.shape), first.dtype, count, True)
        image = self.read(index)
        batch = self.codec.multiframe and index is None and image.ndim > self.frame(0).ndim
        return ImageProperties(
            image.shape, image.dtype, image.shape[0] if batch else None, batch
        )

    def metadata(self, index=None) -> dict:
        """Return a dict of what is known about the file beyond its pixels."""
        return {'codec': self.codec.name, 'library': self.codec.version}


class NumpyReader(Reader):
    """NPY read from its header and by byte ranges; NPZ members are frames.

    An NPY array is a stack of frames along its first axis when it has more
    than three axes, or three with more than four samples on the last (so
    that an RGB(A) image (H, W, 3|4) stays one image).
    """

    _MAX_HEADER = 65536

    def __init__(self, resource, codec, *, memmap: bool = False, **kwargs) -> None:
        super().__init__(resource, codec, **kwargs)
        self.memmap = memmap
        self._npy = None  # (shape, dtype, fortran, offset)
        self._members = None
        self._zip = None

    def validate(self) -> None:
        if self.is_npz:
            self._member_names()
        else:
            self._header()

    def _header(self):
        if self._npy is None:
            from numpy.lib import format as npformat

            fh = io.BytesIO(self.resource.head(self._MAX_HEADER + 12))
            try:
                version = npformat.read_magic(fh)
                if version == (1, 0):
                    header = npformat.read_array_header_1_0(fh, max_header_size=self._MAX_HEADER)
                else:
                    header = npformat.read_array_header_2_0(fh, max_header_size=self._MAX_HEADER)
            except Exception as exc:  # numpy raises ValueError, SyntaxError, TokenError, ...
                raise self.codec.error(f'invalid NPY header: {exc!r}') from None
            shape, fortran, dtype = header
            if dtype.hasobject:
                raise self.codec.error('NPY holds Python objects, which are not loaded')
            offset = fh.tell()
            nbytes = math.prod(shape) * dtype.itemsize
            size = self.resource.size()
            if size is not None and size != offset + nbytes:
                raise self.codec.error(
                    f'NPY header says {nbytes} bytes of data, found {size - offset}'
                )
            self._npy = (tuple(shape), dtype, fortran, offset)
        return self._npy

    def _member_names(self) -> list[str]:
        if self._members is None:
            import zipfile

            try:
                with zipfile.ZipFile(io.BytesIO(self.resource.read_all())) as zf:
                    self._members = [n for n in zf.namelist() if n.endswith('.npy')]
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                raise self.codec.error(f'invalid NPZ file: {exc}') from None
            if not self._members:
                raise self.codec.error('NPZ file holds no arrays')
        return self._members

    @staticmethod
    def _is_stack(shape) -> bool:
        return len(shape) > 3 or (len(shape) == 3 and shape[2] > 4)

    @property
    def is_npz(self) -> bool:
        if self._zip is None:
            head = self.resource.head(8)
            if head[:6] != b'\x93NUMPY' and head[:4] != b'PK\x03\x04':
                raise self.codec.error('not a NPY or NPZ file')
            self._zip = head[:4] == b'PK\x03\x04'
        return self._zip

    def natural(self):
        if self._natural is None:
            if self.is_npz and len(self._member_names()) > 1:
                frames = [self._decode(index=k) for k in range(len(self._members))]
                if len({(f.shape, f.dtype) for f in frames}) > 1:
                    raise ValueError('the NPZ arrays differ in shape or dtype: read them with index=k')
                self._natural = numpy.stack(frames)
            elif self.memmap and self.resource.path is not None and not self.is_npz:
                shape, dtype, fortran, offset = self._header()
                self._natural = numpy.memmap(
                    self.resource.path, dtype, 'r', offset, shape, 'F' if fortran else 'C'
                )
            else:
                self._natural = self._decode(index=0)
        return self._natural

    @property
    def n_frames(self) -> int:
        if self.is_npz and len(self._member_names()) > 1:
            return len(self._members)
        shape = self._header()[0] if not self.is_npz else self.natural().shape
        return shape[0] if self._is_stack(shape) else 1

    def frame(self, index):
        count = self.n_frames
        index = _frame_index(index, count)
        if self.is_npz:
            if len(self._members) > 1:
                return self._decode(index=index)
            array = self.natural()
            return array[index] if self._is_stack(array.shape) else array
        shape, dtype, fortran, offset = self._header()
        if not self._is_stack(shape):
            return self.natural()
        if fortran or self._natural is not None:
            return numpy.array(self.natural()[index])
        from .._ext._shared import get_max_output

        size = math.prod(shape[1:]) * dtype.itemsize
        if size > get_max_output():
            raise self.codec.error(f'frame of {size} bytes exceeds max_output={get_max_output()}')
        data = self.resource.read_at(offset + index * size, size)
        if len(data) != size:
            raise self.codec.error(f'NPY data truncated: frame {index} has {len(data)} of {size} bytes')
        out = numpy.empty(shape[1:], dtype)
        out.reshape(-1).view(numpy.uint8)[:] = numpy.frombuffer(data, numpy.uint8)
        return out

    def _stack(self):
        array = self.natural()
        return array if self.n_frames > 1 or self._is_stack(array.shape) else array[numpy.newaxis]

    def iter(self):
        for k in range(self.n_frames):
            yield self.frame(k)

    def properties(self, index=None):
        if self.is_npz:
            return super().properties(index)
        shape, dtype, _, _ = self._header()
        stack = self._is_stack(shape)
        if index is None:
            return ImageProperties(shape, dtype, shape[0] if stack else None, stack)
        if index is Ellipsis:
            shape = shape if stack else (1, *shape)
            return ImageProperties(shape, dtype, shape[0], True)
        _frame_index(index, self.n_frames)
        return ImageProperties(shape[1:] if stack else shape, dtype)

    def metadata(self, index=None):
        meta = super().metadata(index)
        meta['compression'] = 'zip' if self.is_npz else 'none'
        if self.is_npz:
            meta['members'] = list(self._member_names())
        else:
            shape, dtype, fortran, offset = self._header()
            meta.update(shape=shape, dtype=str(dtype), fortran_order=fortran, header_size=offset)
        return meta

class CountedReader(Reader):
    """A multi-frame format whose frame count is read from its structure
    (`_count_frames`); every frame has the shape and dtype of the first.

    `natural_stack` says whether the codec's default decode (index=None)
    returns all frames, as gif_decode and apng_decode do.
    """

    natural_stack = True

    def _count_frames(self) -> int:
        raise NotImplementedError

    def validate(self) -> None:
        if not self.codec.available:
            raise CodecError(self.codec.reason)
        _ = self.n_frames

    @property
    def n_frames(self) -> int:
        if self._count is None:
            try:
                count = self._count_frames()
            except ValueError as exc:
                raise self.codec.error(str(exc)) from None
            if count < 1:
                raise self.codec.error('the file holds no frame')
            self._count = count
        return self._count

    def frame(self, index) -> numpy.ndarray:
        index = _frame_index(index, self.n_frames)
        if self._all is not None:
            return self._all[index]
        return self._decode_frame(index)

    def _decode_frame(self, index: int) -> numpy.ndarray:
        try:
            return self._decode(index=index)
        except IndexError as exc:
            # the file's structure promised more frames than the codec finds
            raise self.codec.error(f'frame {index} of {self._count} cannot be read: {exc}') from None

    def _stack(self) -> numpy.ndarray:
        if self._all is None:
            full = self._decode(index=None) if self.natural_stack or self.n_frames == 1 else None
            if full is None or (self.n_frames > 1 and full.ndim == self.frame(0).ndim):
                full = numpy.stack([self.frame(k) for k in range(self.n_frames)])
            elif self.n_frames == 1:
                full = full[numpy.newaxis]
            self._all = full
        return self._all

    def iter(self):
        for k in range(self.n_frames):
            yield self.frame(k)

    def _first(self) -> tuple:
        """Return shape and dtype of one frame (decoding the first only)."""
        first = self.frame(0)
        return first.shape, first.dtype

    def properties(self, index=None):
        count = self.n_frames
        shape, dtype = self._first()
        if index is Ellipsis or (index is None and self.natural_stack and count > 1):
            return ImageProperties((count, *shape), dtype, count, True)
        if index is not None:
            _frame_index(index, count)
        return ImageProperties(shape, dtype)

    def metadata(self, index=None):
        meta = super().metadata(index)
        meta['frames'] = self.n_frames
        return meta


class GifReader(CountedReader):
    """GIF: images are counted by skipping the blocks of compressed data."""

    def _count_frames(self) -> int:
        self._gif = headers.gif_frames(self.resource.read_all())
        return self._gif['frames']

    def metadata(self, index=None):
        meta = super().metadata(index)
        meta.update(compression='lzw', canvas=(self._gif['height'], self._gif['width']))
        return meta


class WebpReader(CountedReader):
    """WebP: frames are the ANMF chunks of an animation, else one."""

    natural_stack = False

    def _count_frames(self) -> int:
        self._webp = headers.webp_info(self.resource.read_at, self.resource.size())
        return self._webp['frames']

    def metadata(self, index=None):
        meta = super().metadata(index)
        info = self._webp
        meta['animated'] = info['animated']
        if 'lossless' in info:
            meta['compression'] = 'vp8l' if info['lossless'] else 'vp8'
        if 'width' in info:
            meta['canvas'] = (info['height'], info['width'])
        return meta


class PngChunks:
    """Reads IHDR and the ancillary chunks before the first IDAT."""

    _SIGNATURE = b'\x89PNG\r\n\x1a\n'
    _MAX_CHUNKS = 256

    def _chunks(self) -> dict:
        """Read IHDR and the ancillary chunks before the first IDAT."""
        if self._info is not None:
            return self._info
        error = self.codec.error
        if self.resource.head(8) != self._SIGNATURE:
            raise error('not a PNG file')
        info: dict = {'text': {}}
        pos = 8
        for _ in range(self._MAX_CHUNKS):
            head = self.resource.read_at(pos, 8)
            if len(head) < 8:
                raise error('PNG truncated before its image data')
            length, ctype = struct.unpack('>I4s', head)
            if length > 1 << 24 and ctype != b'IDAT':
                raise error(f'PNG chunk {ctype!r} claims {length} bytes')
            if ctype == b'IDAT' or ctype == b'IEND':
                break
            body = self.resource.read_at(pos + 8, length + 4)
            if len(body) < length + 4:
                raise error('PNG truncated before its image data')
            if zlib.crc32(ctype + body[:length]) != struct.unpack('>I', body[length:])[0]:
                raise error(f'PNG chunk {ctype.decode("latin1")} has a bad CRC')
            self._chunk(info, ctype, body[:length])
            pos += 12 + length
        if 'ihdr' not in info:
            raise error('PNG has no IHDR chunk')
        self._info = info
        return info

    def _chunk(self, info: dict, ctype: bytes, body: bytes) -> None:
        if ctype == b'IHDR':
            if len(body) != 13:
                raise self.codec.error('invalid PNG IHDR chunk')
            width, height, depth, color, _, _, interlace = struct.unpack('>IIBBBBB', body)
            if not width or not height or color not in (0, 2, 3, 4, 6):
                raise self.codec.error('invalid PNG IHDR chunk')
            info['ihdr'] = (width, height, depth, color, interlace)
        elif ctype == b'tRNS':
            info['trns'] = True
        elif ctype == b'gAMA' and len(body) == 4:
            info['gamma'] = struct.unpack('>I', body)[0] / 100000
        elif ctype == b'pHYs' and len(body) == 9:
            x, y, unit = struct.unpack('>IIB', body)
            if unit == 1:
                info['dpi'] = (x * 0.0254, y * 0.0254)
            info['aspect'] = (x, y)
        elif ctype == b'tEXt' and b'\0' in body:
            key, value = body.split(b'\0', 1)
            info['text'][key.decode('latin1')] = value.decode('latin1')
        elif ctype == b'iTXt' and body.count(b'\0') >= 3:
            key, rest = body.split(b'\0', 1)
            if rest[:1] == b'\0':  # not compressed
                _, _, value = rest[2:].split(b'\0', 2)
                info['text'][key.decode('latin1')] = value.decode('utf-8', 'replace')
        elif ctype == b'sRGB':
            info['srgb'] = True
        elif ctype == b'iCCP':
            info['icc_profile'] = True
        elif ctype == b'acTL' and len(body) == 8:
            info['num_frames'] = struct.unpack('>I', body[:4])[0]

    def _png_metadata(self, meta: dict) -> dict:
        info = self._chunks()
        width, height, depth, color, interlace = info['ihdr']
        meta.update(
            bit_depth=depth,
            color_type={0: 'gray', 2: 'rgb', 3: 'palette', 4: 'gray+alpha', 6: 'rgba'}[color],
            interlace=bool(interlace),
            compression='deflate',
        )
        for key in ('gamma', 'dpi', 'aspect', 'srgb', 'icc_profile', 'num_frames'):
            if key in info:
                meta[key] = info[key]
        if info['text']:
            meta['text'] = dict(info['text'])
        return meta


class ApngReader(PngChunks, CountedReader):
    """APNG: the acTL chunk counts the frames (a PNG without one has one)."""

    def __init__(self, resource, codec, **kwargs) -> None:
        super().__init__(resource, codec, **kwargs)
        self._info = None

    def _count_frames(self) -> int:
        return self._chunks().get('num_frames', 1)  # a still PNG is one frame

    def metadata(self, index=None):
        return self._png_metadata(super().metadata(index))


class PngReader(PngChunks, Reader):
    """PNG whose chunks before IDAT give shape, dtype and metadata."""

    def __init__(self, resource, codec, **kwargs) -> None:
        super().__init__(resource, codec, **kwargs)
        self._info = None

    def validate(self) -> None:
        if not self.codec.available:
            raise CodecError(self.codec.reason)
        self._chunks()

    def _shape(self):
        width, height, depth, color, _ = self._chunks()['ihdr']
        trns = self._info.get('trns', False)
        samples = {0: 2 if trns else 1, 2: 4 if trns else 3, 3: 4 if trns else 3, 4: 2, 6: 4}[color]
        shape = (height, width) if samples == 1 else (height, width, samples)
        return shape, numpy.dtype(numpy.uint16 if depth == 16 else numpy.uint8)

    def properties(self, index=None):
        shape, dtype = self._shape()
        if index is Ellipsis:
            return ImageProperties((1, *shape), dtype, 1, True)
        if index is not None:
            _frame_index(index, 1)
        return ImageProperties(shape, dtype)

    def metadata(self, index=None):
        return self._png_metadata(super().metadata(index))


class TiffReader(CountedReader):
    """TIFF: the IFD chain counts the pages, the IFDs give shape, dtype and
    tags; page k is decoded alone by ``tiff_decode(data, index=k)``.

    Opening reads the first IFD only; the page count walks the chain
    without reading tags; the tags of other pages are read when asked for.
    ``read(...)`` stacks the pages of the first page's shape and dtype, as
    ``tiff_decode(data, index=None)`` does, so its `n_images` counts those.
    """

    natural_stack = False

    def __init__(self, resource, codec, **kwargs) -> None:
        super().__init__(resource, codec, **kwargs)
        self._pages = None  # all pages with their tags, when needed
        self._page0 = None

    def _walk(self, **kwargs) -> list:
        try:
            return headers.tiff_pages(self.resource.read_at, self.resource.size(), **kwargs)
        except ValueError as exc:
            raise self.codec.error(str(exc)) from None

    def validate(self) -> None:
        if not self.codec.available:
            raise CodecError(self.codec.reason)
        self._page(0)

    def _count_frames(self) -> int:
        return len(self._pages) if self._pages is not None else len(self._walk(tags=False))

    def _page(self, index) -> headers.TiffPage:
        """Return the tags of page `index` (an int, or None for the first)."""
        if index is None or index is Ellipsis or index == 0:
            if self._pages is None:
                if self._page0 is None:
                    self._page0 = self._walk(limit=1)[0]
                return self._page0
            return self._pages[0]
        index = _frame_index(index, self.n_frames)
        if self._pages is None:
            self._pages = self._walk()
        return self._pages[index]

    def _page_layout(self, page: headers.TiffPage) -> tuple:
        """Return (shape, dtype) that tiff_decode gives the page."""
        error = self.codec.error
        width, length = page.first('width'), page.first('length')
        if not width or not length:
            raise error('TIFF page has no image size')
        samples = page.first('samplesperpixel', 1) or 1
        bits = page.first('bitspersample', 1)
        sampleformat = page.first('sampleformat', 1)
        photometric = page.first('photometric', 1)
        compression = page.first('compression', 1)
        if self.kwargs.get('asrgb') or (photometric == 6 and not (compression == 7 and bits == 8)):
            return (length, width, 4), numpy.dtype(numpy.uint8)
        if bits == 1 and sampleformat == 1:
            dtype = numpy.dtype(bool)
        else:
            kind = {1: 'u', 2: 'i', 3: 'f', 6: 'c'}.get(sampleformat)
            if kind is None or bits not in (8, 16, 32, 64, 128):
                raise error(f'{bits}-bit samples of SampleFormat {sampleformat} not supported')
            dtype = numpy.dtype(f'{kind}{bits // 8}')
        if samples == 1:
            return (length, width), dtype
        if page.first('planarconfig', 1) == 2:
            return (samples, length, width), dtype
        return (length, width, samples), dtype

    def _first(self) -> tuple:
        return self._page_layout(self._page(0))

    def natural(self):
        if self._natural is None:
            _ = self.n_frames  # a corrupt chain fails before libtiff reads it
            self._natural = self._decode()
        return self._natural

    def _stack(self):
        if self._all is None:
            stack = self._decode(index=None)
            self._all = stack if self._stacked() > 1 else stack[numpy.newaxis]
        return self._all

    def _stacked(self) -> int:
        """Return the number of pages that ``read(...)`` stacks."""
        first = self._first()
        if self._pages is None:
            self._pages = self._walk()
        return sum(1 for page in self._pages if self._layout_or_none(page) == first)

    def _layout_or_none(self, page):
        try:
            return self._page_layout(page)
        except CodecError:
            return None

    def frame(self, index) -> numpy.ndarray:
        if self._count is None and isinstance(index, (int, numpy.integer)) and index >= 0:
            # libtiff finds page k itself: no need to count the pages first
            return self._decode(index=int(index))
        return self._decode_frame(_frame_index(index, self.n_frames))

    def properties(self, index=None):
        if index is Ellipsis:
            shape, dtype = self._first()
            stacked = self._stacked()
            return ImageProperties((stacked, *shape), dtype, stacked, True)
        shape, dtype = self._page_layout(self._page(index))
        return ImageProperties(shape, dtype)

    def metadata(self, index=None):
        meta = super().metadata(index)
        page = self._page(index)
        order, big, _ = headers.tiff_header(self.resource.read_at)
        code = page.first('compression', 1)
        meta.update(
            compression=headers.TIFF_COMPRESSION.get(code, f'compression {code}'),
            byteorder='little' if order == '<' else 'big',
            bigtiff=big,
            pages=self.n_frames,
            tags=page['ntags'],
        )
        names = {
            'photometric': 'photometric', 'bitspersample': 'bits_per_sample',
            'samplesperpixel': 'samples_per_pixel', 'sampleformat': 'sample_format',
            'planarconfig': 'planar_config', 'predictor': 'predictor',
            'tilewidth': 'tile_width', 'tilelength': 'tile_length',
        }
        for tag, key in names.items():
            if page.get(tag) is not None:
                meta[key] = page.first(tag)
        for tag in ('description', 'software', 'datetime', 'make', 'model'):
            if isinstance(page.get(tag), str):
                meta[tag] = page[tag]
        if page.get('xresolution') and page.get('yresolution'):
            meta['resolution'] = (page.first('xresolution'), page.first('yresolution'))
            meta['resolution_unit'] = {1: 'none', 2: 'inch', 3: 'cm'}.get(page.first('resolutionunit', 2))
        meta['exif'] = page.get('exif_ifd') is not None
        return meta


class JpegReader(Reader):
    """JPEG: the markers before the first scan give size, process and
    whether EXIF and ICC data are present."""

    def metadata(self, index=None):
        meta = super().metadata(index)
        try:
            info = headers.jpeg_info(self.resource.read_at)
        except ValueError as exc:
            raise self.codec.error(str(exc)) from None
        meta.update(
            compression='jpeg ' + info['process'], width=info['width'], height=info['height'],
            components=info['components'], bits=info['bits'], exif=info['exif'],
            icc_profile=info['icc_profile'], jfif=info['jfif'],
        )
        return meta


# Readers beyond "decode the whole buffer", by codec name (see module doc).
READERS: dict[str, type[Reader]] = {
    'numpy': NumpyReader,
    'png': PngReader,
    'apng': ApngReader,
    'gif': GifReader,
    'webp': WebpReader,
    'tiff': TiffReader,
    'jpeg': JpegReader,
    'jpeg8': JpegReader,
}


def make_reader(resource: Resource, codec: Codec, **kwargs) -> Reader:
    """Return the reader of `codec` for `resource` (not yet validated)."""
    return READERS.get(codec.name, Reader)(resource, codec, **kwargs)

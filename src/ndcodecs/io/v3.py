"""The imageio v3 style functions: imread, imwrite, imiter, improps, immeta, imopen."""

from __future__ import annotations

import numpy

from .._errors import CodecError
from .._registry import Codec
from .formats import FormatError, read_candidates, write_codec
from .readers import ImageProperties, Reader, make_reader
from .resources import open_resource, open_sink, target_name
from .writers import Writer, make_writer

__all__ = ['ImageProperties', 'imiter', 'immeta', 'imopen', 'imread', 'improps', 'imwrite', 'open_reader']

# What a codec raises when it cannot read the data: try the next one.
_NOT_MINE = (CodecError, ValueError, TypeError)


def _check_index(index) -> None:
    if index is None or index is Ellipsis:
        return
    if isinstance(index, bool) or not isinstance(index, (int, numpy.integer)):
        raise TypeError(f'index must be None, an int or ..., not {type(index).__name__}')


def _format(format, codec, extension):
    given = [v for v in (format, codec, extension) if v is not None]
    if len(given) > 1:
        raise TypeError('pass only one of format=, codec= and extension=')
    return given[0] if given else None


def _failure(resource, tried: list[str], format) -> FormatError:
    name = resource.name or 'the data'
    others = '' if format is not None else '; no other codec claims its extension or magic bytes'
    if not tried:
        return FormatError(f'no codec can read {name}{others}')
    return FormatError(f'no codec could read {name}; tried: ' + '; '.join(tried) + others)


def _tried(codec: Codec, why: str, exc: BaseException) -> str:
    return f'{codec.name} ({why}): {type(exc).__name__}: {exc}'


def _candidates(resource, format):
    return read_candidates(resource.name, resource.head(512), format)


def open_reader(uri, format=None, **kwargs) -> Reader:
    """Return a validated Reader for `uri`; the reader owns what it opened."""
    resource = open_resource(uri)
    try:
        tried = []
        for codec, why in _candidates(resource, format):
            if not codec.available:
                tried.append(f'{codec.name} ({why}): {codec.reason}')
                continue
            reader = make_reader(resource, codec, **kwargs)
            try:
                reader.validate()
            except _NOT_MINE as exc:
                tried.append(_tried(codec, why, exc))
                continue
            reader.owns_resource = resource is not uri
            return reader
        raise _failure(resource, tried, format)
    except BaseException:
        if resource is not uri:
            resource.close()
        raise


def imread(uri, codec=None, *, index=None, format=None, extension=None,
           return_codec=False, **kwargs):
    """Return the image in `uri` as a numpy array.

    uri : path, pathlib.Path, 'file://' or http(s) URL, 'archive.zip/member',
        'ndcodecs:sample.png', bytes-like, or file object.
    codec, format, extension : the codec to use, by name, alias or extension
        (or a list of them); by default it is chosen by the file's extension,
        then its magic bytes, then by trying the codecs without a signature.
    index : None for the format's natural default (all frames for most
        multi-frame codecs), k for frame k, ... for all frames stacked.
    return_codec : also return the decode function that read the image
        (``ndcodecs.png_decode``), as imagecodecs.imread does.
    kwargs : passed to the codec's decode function (``memmap=True`` maps a
        local NPY file).
    """
    _check_index(index)
    format = _format(format, codec, extension)
    if callable(format) and not isinstance(format, Codec):
        with open_resource(uri) as resource:
            return format(resource.read_all(), **kwargs)
    resource = open_resource(uri)
    with resource:
        tried = []
        for codec, why in _candidates(resource, format):
            if not codec.available:
                tried.append(f'{codec.name} ({why}): {codec.reason}')
                continue
            reader = make_reader(resource, codec, **kwargs)
            try:
                image = reader.read(index)
            except _NOT_MINE as exc:
                tried.append(_tried(codec, why, exc))
                continue
            if return_codec:
                return image, codec.function(f'{codec.name}_decode')
            return image
        raise _failure(resource, tried, format)


def imwrite(uri, image, codec=None, *, format=None, extension=None, **kwargs):
    """Write `image` to `uri`; return the encoded bytes if `uri` is '<bytes>'.

    uri : path, pathlib.Path, file object or '<bytes>'. A path is written
        to a temporary file, renamed when complete.
    codec, format, extension : the codec, by name, alias or extension;
        by default chosen by the extension of `uri`.
    kwargs : passed to the codec's encode function, e.g. ``level``.
    """
    chosen = write_codec(target_name(uri), _format(format, codec, extension))
    with make_writer(open_sink(uri), chosen, **kwargs) as writer:
        writer.write_image(image)
    return writer.result


def imiter(uri, *, format=None, **kwargs):
    """Yield the frames of `uri` one at a time."""
    with open_reader(uri, format, **kwargs) as reader:
        yield from reader.iter()


def improps(uri, *, index=None, format=None, **kwargs) -> ImageProperties:
    """Return ImageProperties of ``imread(uri, index=index)``.

    PNG, NPY and TIFF are described from their headers, without decoding
    pixels; GIF, APNG and WebP count their frames from the file's structure
    and decode the first frame only; other formats are decoded.
    """
    _check_index(index)
    with open_reader(uri, format, **kwargs) as reader:
        return reader.properties(index)


def immeta(uri, *, index=None, format=None, exclude_applied=True, **kwargs) -> dict:
    """Return a dict of the file's metadata: codec, library and what the
    format's header tells (PNG chunks and text, NPY header, TIFF tags of
    page `index` or the first, JPEG markers, frame counts)."""
    _check_index(index)
    with open_reader(uri, format, **kwargs) as reader:
        return reader.metadata(index)


def imopen(uri, io_mode='r', *, format=None, codec=None, extension=None, **kwargs):
    """Return a Reader (io_mode 'r') or Writer ('w') context manager.

    A Reader has `shape`, `dtype`, `n_frames`, iteration, ``reader[k]``,
    `read(index)`, `properties(index)` and `metadata(index)`. A Writer has
    `write(frame)`, which appends frames, and `close()`, which returns the
    bytes for '<bytes>'.
    """
    format = _format(format, codec, extension)
    if io_mode == 'r':
        return open_reader(uri, format, **kwargs)
    if io_mode == 'w':
        chosen = write_codec(target_name(uri), format)
        return make_writer(open_sink(uri), chosen, **kwargs)
    raise ValueError(f"io_mode must be 'r' or 'w', not {io_mode!r}")


__all__ += ['Reader', 'Writer']

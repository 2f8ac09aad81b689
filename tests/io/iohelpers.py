"""Test data shared by the I/O tests."""

import functools

import numpy
import pytest

import ndcodecs


@functools.cache
def rgb(shape=(37, 53, 3), dtype='uint8', seed=0):
    """Return a random image; cached, so treat it as read-only."""
    rng = numpy.random.default_rng(seed)
    info = numpy.iinfo(dtype)
    return rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)


def stack(frames=5, shape=(24, 31), dtype='uint16'):
    """Return a stack of frames that differ from each other."""
    return numpy.stack([rgb(shape, dtype, seed=k) for k in range(frames)])


def multiframe_codecs():
    """Multi-frame codecs that can encode: new registry entries are picked up."""
    codecs = [ndcodecs.get_codec(n) for n in ndcodecs.list_codecs()]
    return [
        pytest.param(c, id=c.name) for c in codecs
        if c.multiframe and c.can_encode and c.available
    ]


# A multi-frame codec with imagecodecs' conventions (index=None gives all
# frames, one frame without the frame axis; IndexError past the last frame),
# so the generic multi-frame reader is tested before gif, apng or tiff exist.

# what fakestack_decode raises past the last frame; the fixture varies it
OUT_OF_RANGE = IndexError


class FAKESTACK:
    available = True


def fakestack_version():
    return 'fakestack 1'


def fakestack_check(data):
    return bytes(data[:4]) == b'FAKE'


def fakestack_encode(data, level=None, **kwargs):
    data = numpy.asarray(data)
    if data.ndim == 2:
        data = data[None]
    return b'FAKE' + ndcodecs.numpy_encode(data)


def fakestack_decode(data, index=None, **kwargs):
    if bytes(data[:4]) != b'FAKE':
        raise ndcodecs.CodecError('not a fakestack')
    frames = ndcodecs.numpy_decode(memoryview(data)[4:])
    if index is None:
        return frames if len(frames) > 1 else frames[0]
    if not 0 <= index < len(frames):
        raise OUT_OF_RANGE(f'{index=} out of range')
    return frames[index]


@pytest.fixture(params=[IndexError, ndcodecs.CodecError], ids=['IndexError', 'CodecError'])
def fakestack(request, monkeypatch):
    """Register the fakestack codec for one test; past the last frame it
    raises IndexError (as imagecodecs) or its own error."""
    import sys

    from ndcodecs import _registry

    monkeypatch.setattr(sys.modules[__name__], 'OUT_OF_RANGE', request.param)

    codec = _registry.Codec(
        'fakestack', 'image', 'iohelpers', 'fake', None,
        extensions=('.fake',), magic=(b'FAKE',), multiframe=True,
    )
    monkeypatch.setitem(_registry._codecs, 'fakestack', codec)
    monkeypatch.setitem(_registry._names, 'fakestack', codec)
    return codec

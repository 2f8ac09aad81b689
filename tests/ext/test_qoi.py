"""QOI specifics: every op, byte-identical encoding with imagecodecs, the
end marker, and malformed streams."""

import importlib.resources
import struct
import time

import numpy
import pytest

import ndcodecs
from ndcodecs import QOI, QoiError, qoi_check, qoi_decode, qoi_encode, qoi_version
from common import assert_releases_gil, decode_corrupted

MARKER = bytes(7) + b'\x01'


def header(width, height, channels=3, colorspace=0):
    return b'qoif' + struct.pack('>IIBB', width, height, channels, colorspace)


def image(shape, seed=0, levels=256):
    """Random pixels with runs, repeats and small differences, so that the
    encoder uses every op."""
    rng = numpy.random.default_rng(seed)
    data = rng.integers(0, levels, shape).astype(numpy.uint8)
    flat = data.reshape(-1, shape[-1])
    flat[len(flat) // 3:len(flat) // 2] = flat[len(flat) // 3]  # a long run
    flat[1::7] = flat[0::7][:len(flat[1::7])] + rng.integers(-2, 2, flat[1::7].shape).astype(numpy.uint8)
    return data


def sample(name):
    return ndcodecs.png_decode((importlib.resources.files('ndcodecs') / 'samples' / name).read_bytes())


def test_constants_version_check():
    assert QOI.available is True
    assert {m.name: m.value for m in QOI.COLORSPACE} == {'SRGB': 0, 'LINEAR': 1}
    assert qoi_version().startswith('ndcodecs ')
    assert qoi_check(b'qoif') is True
    assert qoi_check(b'qoi') is False and qoi_check(b'') is False
    assert ndcodecs.codec_for_bytes(header(1, 1)).name == 'qoi'
    assert ndcodecs.codec_for_path('x.qoi').name == 'qoi'


def test_constants_match_imagecodecs():
    imagecodecs = pytest.importorskip('imagecodecs')
    assert {m.name: m.value for m in QOI.COLORSPACE} == {m.name: m.value for m in imagecodecs.QOI.COLORSPACE}


@pytest.mark.parametrize('channels', [3, 4])
@pytest.mark.parametrize('size', [(1, 1), (1, 7), (7, 1), (3, 5), (4097, 3), (64, 97)])
@pytest.mark.parametrize('levels', [2, 8, 256])
def test_roundtrip_and_parity(size, channels, levels):
    data = image((*size, channels), seed=sum(size), levels=levels)
    encoded = qoi_encode(data)
    assert encoded[:14] == header(size[1], size[0], channels, 0 if channels == 3 else 1)
    assert encoded.endswith(MARKER)
    numpy.testing.assert_array_equal(qoi_decode(encoded), data)
    imagecodecs = pytest.importorskip('imagecodecs')
    assert encoded == imagecodecs.qoi_encode(data)
    numpy.testing.assert_array_equal(imagecodecs.qoi_decode(encoded), data)


@pytest.mark.parametrize('name', ['astronaut.png', 'chelsea.png', 'camera.png', 'cell.png', 'text.png'])
def test_samples(name):
    data = sample(name)
    if data.ndim == 2:
        data = numpy.stack([data] * 3, axis=-1)
    for arr in (data, numpy.concatenate([data, data[..., :1]], axis=-1)):
        encoded = qoi_encode(arr)
        numpy.testing.assert_array_equal(qoi_decode(encoded), arr)
        imagecodecs = pytest.importorskip('imagecodecs')
        assert encoded == imagecodecs.qoi_encode(arr)


def test_alpha_changes():
    data = image((20, 30, 4), seed=1)
    data[..., 3] = numpy.where(numpy.arange(30) % 5 == 0, 255, 7)
    numpy.testing.assert_array_equal(qoi_decode(qoi_encode(data)), data)


def test_decode_ops():
    """A stream written by hand with every op, and index hits."""
    ops = bytes([
        0xFE, 10, 20, 30,  # RGB
        0x40 | 3 << 4 | 1 << 2 | 2,  # DIFF +1 -1 0
        0x80 | (32 + 5), (8 + 2) << 4 | (8 - 3),  # LUMA dg 5, dr-dg 2, db-dg -3
        0xC0 | 2,  # RUN 3
        0xFF, 1, 2, 3, 4,  # RGBA
    ])
    first = (10, 20, 30, 255)
    second = (11, 19, 30, 255)
    third = (11 + 7, 19 + 5, 30 + 2, 255)
    slot = (first[0] * 3 + first[1] * 5 + first[2] * 7 + 255 * 11) % 64
    ops += bytes([slot])  # INDEX back to the first pixel
    expected = numpy.array([first, second, third, third, third, third, (1, 2, 3, 4), first], numpy.uint8)
    decoded = qoi_decode(header(8, 1, 4) + ops + MARKER)
    numpy.testing.assert_array_equal(decoded[0], expected)
    numpy.testing.assert_array_equal(qoi_decode(header(4, 2, 3) + ops + MARKER), expected[:, :3].reshape(2, 4, 3))


def test_trailing_data_and_out():
    data = image((10, 12, 3))
    encoded = qoi_encode(data)
    numpy.testing.assert_array_equal(qoi_decode(encoded + b'more'), data)
    out = numpy.empty_like(data)
    assert qoi_decode(encoded, out=out) is out
    numpy.testing.assert_array_equal(out, data)
    buffer = bytearray(data.nbytes)
    numpy.testing.assert_array_equal(qoi_decode(encoded, out=buffer), data)
    with pytest.raises(ValueError):
        qoi_decode(encoded, out=numpy.empty((10, 12, 4), numpy.uint8))
    with pytest.raises(ValueError):
        qoi_decode(encoded, out=bytearray(10))
    assert qoi_encode(data, out=bytearray) == bytearray(encoded)
    assert bytes(qoi_encode(data, out=bytearray(len(encoded) * 3))) == encoded
    with pytest.raises(QoiError):
        qoi_encode(data, out=bytearray(10))
    for buf in (bytearray(encoded), memoryview(encoded), numpy.frombuffer(encoded, numpy.uint8)):
        numpy.testing.assert_array_equal(qoi_decode(buf), data)


def test_encode_invalid():
    for data, error in [
        (numpy.zeros((2, 3), numpy.uint8), ValueError),
        (numpy.zeros((2, 3, 1), numpy.uint8), ValueError),
        (numpy.zeros((2, 3, 2), numpy.uint8), ValueError),
        (numpy.zeros((2, 3, 3), numpy.uint16), ValueError),
        (numpy.zeros((0, 3, 3), numpy.uint8), ValueError),
        (numpy.zeros((1, 2, 3, 3), numpy.uint8), ValueError),
        ('image', TypeError),
        (None, TypeError),
    ]:
        with pytest.raises(error):
            qoi_encode(data)
    data = image((5, 6, 3))
    assert qoi_encode(numpy.asfortranarray(data)) == qoi_encode(data)


def test_end_marker():
    """The decoder checks the end marker, which imagecodecs does not."""
    encoded = qoi_encode(image((8, 8, 3)))
    for bad in (encoded[:-8], encoded[:-1], encoded[:-1] + b'\x02', encoded[:-8] + b'\xc0' + MARKER):
        with pytest.raises(QoiError):
            qoi_decode(bad)


def test_empty_truncated_corrupt():
    for data in (b'', b'q', b'qoif', header(1, 1), header(1, 1) + MARKER, b'GIF89a' + bytes(30)):
        with pytest.raises(QoiError):
            qoi_decode(data)
    for bad in (header(0, 5), header(5, 0), header(5, 5, 5), header(5, 5, 3, 2)):
        with pytest.raises(QoiError):
            qoi_decode(bad + b'\xfe\x00\x00\x00' * 25 + MARKER)
    encoded = qoi_encode(image((16, 16, 4)))
    for size in range(len(encoded)):
        with pytest.raises(QoiError):
            qoi_decode(encoded[:size])
    # a run past the last pixel
    with pytest.raises(QoiError):
        qoi_decode(header(2, 1) + b'\xc5' + MARKER)
    decode_corrupted(qoi_decode, encoded, QoiError, count=500, start=14)


@pytest.mark.parametrize('width, height', [(100_000, 100_000), (0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 1)])
def test_huge_claimed_size(width, height):
    start = time.perf_counter()
    with pytest.raises(QoiError, match='max_output'):
        qoi_decode(header(width, height) + b'\xfd' * 100 + MARKER)
    assert time.perf_counter() - start < 0.1


def test_max_output():
    data = image((16, 16, 3))
    encoded = qoi_encode(data)
    assert qoi_decode(encoded, max_output=data.nbytes).shape == data.shape
    with pytest.raises(QoiError, match='max_output'):
        qoi_decode(encoded, max_output=data.nbytes - 1)


def test_threads():
    from concurrent.futures import ThreadPoolExecutor

    images = [image((100 + i, 200, 3 + i % 2), seed=i) for i in range(8)]
    single = [qoi_encode(a) for a in images]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(qoi_encode, images)) == single
        for decoded, data in zip(pool.map(qoi_decode, single), images):
            numpy.testing.assert_array_equal(decoded, data)


def test_releases_gil():
    data = image((3000, 3000, 3))
    encoded = qoi_encode(data)
    assert_releases_gil(lambda: qoi_encode(data), lambda: qoi_decode(encoded))

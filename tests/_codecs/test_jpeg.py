"""The jpeg dispatch: jpeg8 for lossy streams, ljpeg for lossless ones,
headers and tables, registry entries and errors, as imagecodecs' jpeg_*."""

import numpy
import pytest

import ndcodecs
from ndcodecs import JPEG, JpegError, jpeg_check, jpeg_decode, jpeg_encode, jpeg_version


def image(shape, dtype=numpy.uint8, seed=0):
    rng = numpy.random.default_rng(seed)
    y, x = numpy.mgrid[:shape[0], :shape[1]] / max(shape[:2])
    base = 0.5 + 0.4 * numpy.sin(6 * x) * numpy.cos(4 * y)
    if len(shape) == 3:
        base = base[..., None] * numpy.linspace(0.6, 1.0, shape[2])
    top = numpy.iinfo(dtype).max
    return numpy.clip(base * top + rng.normal(0, top / 200, base.shape), 0, top).astype(dtype)


def test_registry():
    codec = ndcodecs.get_codec('jpeg')
    assert codec.available and codec.kind == 'image'
    assert ndcodecs.get_codec('jpg') is codec
    for name in ('a.jpg', 'b.JPEG', 'c.jpe', 'd.jfif'):
        assert ndcodecs.codec_for_path(name) is codec
    assert ndcodecs.codec_for_bytes(jpeg_encode(image((8, 8)))) is codec
    assert codec.error is JpegError
    assert JPEG.available is True and JPEG.CS.RGB == 2
    assert jpeg_version().startswith('libjpeg-turbo ')
    assert 'ljpeg' in jpeg_version()


def test_check():
    assert jpeg_check(jpeg_encode(image((8, 8)))) is True
    assert jpeg_check(b'\x89PNG') is False


@pytest.mark.parametrize('shape', [(1, 1), (3, 5), (4097, 3), (40, 60, 3), (17, 9, 4)])
def test_roundtrip(shape):
    data = image(shape)
    encoded = jpeg_encode(data, 95)
    assert encoded == ndcodecs.jpeg8_encode(data, 95)
    numpy.testing.assert_array_equal(jpeg_decode(encoded), ndcodecs.jpeg8_decode(encoded))


@pytest.mark.parametrize('bits', [2, 8, 12, 16])
def test_lossless_fallback(bits):
    """Lossless streams are read by ljpeg, as by imagecodecs.jpeg_decode."""
    imagecodecs = pytest.importorskip('imagecodecs')
    dtype = numpy.uint8 if bits <= 8 else numpy.uint16
    data = image((20, 30, 3), dtype) >> (8 * numpy.dtype(dtype).itemsize - bits)
    encoded = imagecodecs.jpeg8_encode(data, lossless=True, predictor=3, bitspersample=bits)
    numpy.testing.assert_array_equal(jpeg_decode(encoded), data)
    numpy.testing.assert_array_equal(jpeg_decode(encoded), imagecodecs.jpeg_decode(encoded))
    out = numpy.zeros_like(data)
    assert jpeg_decode(encoded, out=out) is out
    numpy.testing.assert_array_equal(out, data)
    numpy.testing.assert_array_equal(jpeg_decode(ndcodecs.ljpeg_encode(data, bitspersample=bits)), data)


def test_header():
    """`header` holds what precedes an abbreviated image (the EOI is added)."""
    data = image((32, 32, 3))
    encoded = jpeg_encode(data)
    sos = encoded.index(b'\xff\xda')
    header, body = encoded[:sos], encoded[sos:-2]
    expected = jpeg_decode(encoded)
    numpy.testing.assert_array_equal(jpeg_decode(body, header=header), expected)
    imagecodecs = pytest.importorskip('imagecodecs')
    numpy.testing.assert_array_equal(imagecodecs.jpeg_decode(body, header=header), expected)


def test_bitspersample_accepted():
    data = image((8, 8))
    encoded = jpeg_encode(data)
    numpy.testing.assert_array_equal(jpeg_decode(encoded, bitspersample=8), jpeg_decode(encoded))


def test_unsupported():
    data = image((8, 8))
    with pytest.raises(JpegError, match='lossless'):
        jpeg_encode(data, lossless=True)
    with pytest.raises(JpegError):
        jpeg_encode(data, bitspersample=12)
    imagecodecs = pytest.importorskip('imagecodecs')
    twelve = imagecodecs.jpeg8_encode(data.astype(numpy.uint16) * 16, bitspersample=12)
    with pytest.raises(JpegError, match='precision 12.*8-bit'):
        jpeg_decode(twelve)


def test_bad_input():
    encoded = jpeg_encode(image((30, 40, 3)))
    lossless = ndcodecs.ljpeg_encode(image((30, 40), numpy.uint16))
    for bad in (b'', b'\xff\xd8', b'\xff\xd8\xff', b'abc' * 10, encoded[:len(encoded) // 2],
                lossless[:len(lossless) // 2], lossless[:40]):
        with pytest.raises(JpegError):
            jpeg_decode(bad)
    with pytest.raises(TypeError):
        jpeg_decode('abc')
    with pytest.raises(TypeError):
        jpeg_encode(None)


def test_threads():
    from concurrent.futures import ThreadPoolExecutor

    streams = [jpeg_encode(image((64, 64, 3), seed=i)) for i in range(4)]
    streams += [ndcodecs.ljpeg_encode(image((64, 64), numpy.uint16, seed=i)) for i in range(4)]
    expected = [jpeg_decode(s).tobytes() for s in streams]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            assert list(pool.map(lambda s: jpeg_decode(s).tobytes(), streams)) == expected

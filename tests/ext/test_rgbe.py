"""RGBE specifics: the Radiance header, run-length encoded and flat
scanlines, orientations, byte-identical encoding and identical decoding
with imagecodecs, and malformed files."""

import time

import numpy
import pytest

import ndcodecs
from ndcodecs import RGBE, RgbeError, rgbe_check, rgbe_decode, rgbe_encode, rgbe_version
from common import assert_releases_gil, decode_corrupted


def image(shape, seed=0):
    """HDR-like values over many exponents, with flat areas that make runs."""
    rng = numpy.random.default_rng(seed)
    data = (rng.random(shape) ** 3 * 10.0 ** rng.integers(-4, 5, shape)).astype(numpy.float32)
    if shape[-2] > 6:
        data[..., 2:shape[-2] // 2, :] = 0.5
    return data


def header(height, width, orientation='-Y {h} +X {w}', extra=''):
    return f'#?RADIANCE\n{extra}FORMAT=32-bit_rle_rgbe\n\n{orientation.format(h=height, w=width)}\n'.encode()


def reference(data):
    """float32 values an RGBE round trip gives, computed with numpy."""
    top = data.max(axis=-1, keepdims=True)
    mantissa, exponent = numpy.frexp(top)
    scale = (mantissa * 256.0 / top).astype(numpy.float32)
    rgb = numpy.where(top < 1e-32, 0, (data * scale).astype(numpy.int64) & 0xFF)
    e = numpy.where(top < 1e-32, 0, exponent + 128)
    return numpy.where(e == 0, 0, rgb * numpy.ldexp(1.0, e - 136)).astype(numpy.float32)


def test_constants_version_check():
    assert RGBE.available is True
    assert rgbe_version().startswith('ndcodecs ')
    assert rgbe_check(b'#?RADIANCE\n') is True
    assert rgbe_check(b'#?RGBE\n') is True
    assert rgbe_check(b'FORMAT') is False and rgbe_check(b'') is False
    assert ndcodecs.codec_for_bytes(header(1, 1)).name == 'rgbe'
    assert ndcodecs.codec_for_path('x.hdr').name == 'rgbe'


@pytest.mark.parametrize('size', [(1, 1), (1, 7), (7, 1), (3, 5), (4097, 3), (5, 8), (9, 300), (2, 0x7FFF), (2, 0x8000)])
def test_roundtrip(size):
    data = image((*size, 3), seed=sum(size))
    encoded = rgbe_encode(data)
    assert encoded.startswith(header(*size))
    decoded = rgbe_decode(encoded)
    assert decoded.dtype == numpy.float32 and decoded.shape == data.shape
    numpy.testing.assert_array_equal(decoded, reference(data))
    assert rgbe_encode(decoded) == encoded


@pytest.mark.parametrize('options', [{}, {'header': False}, {'header': True, 'rle': True}, {'header': False, 'rle': False}])
@pytest.mark.parametrize('size', [(1, 1), (3, 5), (4097, 3), (5, 8), (9, 300), (20, 1000)])
def test_parity_with_imagecodecs(size, options):
    imagecodecs = pytest.importorskip('imagecodecs')
    data = image((*size, 3), seed=7)
    ours = rgbe_encode(data, **options)
    assert ours == imagecodecs.rgbe_encode(data, **options)
    if options.get('header', True):
        numpy.testing.assert_array_equal(rgbe_decode(ours), imagecodecs.rgbe_decode(ours))
    else:
        out = numpy.empty(data.shape, numpy.float32)
        numpy.testing.assert_array_equal(rgbe_decode(ours, out=out), imagecodecs.rgbe_decode(ours, out=out.copy()))


def test_runs_match_imagecodecs():
    """Scanlines of few values and long stretches: runs of every length,
    short runs before literals, runs longer than 127."""
    imagecodecs = pytest.importorskip('imagecodecs')
    rng = numpy.random.default_rng(1)
    for i in range(300):
        width = int(rng.integers(8, 400))
        data = (rng.integers(0, int(rng.integers(1, 6)), (2, width, 3)) * 0.25 + 0.5).astype(numpy.float32)
        if i % 3 == 0:
            data[:, :int(rng.integers(0, width))] = 1.0
        if i % 5 == 0:
            data = numpy.repeat(data[:, :max(1, width // 4)], int(rng.integers(1, 200)), axis=1)[:, :0x7FFF]
        assert rgbe_encode(data) == imagecodecs.rgbe_encode(data)


def test_special_values_match_imagecodecs():
    imagecodecs = pytest.importorskip('imagecodecs')
    values = numpy.array([0, 1e-30, 1e-38, 1e-45, 0.5, 1, 1.5, 255.9, 1e30, 3e38, numpy.inf, -1, numpy.nan, 0.99999], numpy.float32)
    data = numpy.stack([values, values * 0.5, values * 0.001], axis=-1)[None]
    mixed = numpy.array([[[-1, 2, 0], [numpy.nan, 1, 1], [1, numpy.inf, 0], [-1e30, 1, 1], [0.3, -0.2, 0.1]]], numpy.float32)
    for arr in (data, mixed):
        assert rgbe_encode(arr, header=False) == imagecodecs.rgbe_encode(arr, header=False)


def test_decode_values():
    """c * 2**(e - 136), exactly, and 0 for exponent 0."""
    pixels = bytes([1, 2, 255, 128, 0, 0, 0, 0, 5, 5, 5, 0, 128, 64, 32, 136, 1, 1, 1, 1, 1, 1, 1, 255])
    decoded = rgbe_decode(header(1, 6) + pixels)
    expected = [[1 / 256, 2 / 256, 255 / 256], [0, 0, 0], [0, 0, 0], [128, 64, 32], [2.0**-135] * 3, [2.0**119] * 3]
    numpy.testing.assert_array_equal(decoded[0], numpy.array(expected, numpy.float32))


def test_every_exponent_and_mantissa():
    """Each (mantissa, exponent) pair decodes bit for bit as imagecodecs does."""
    exponent, mantissa = numpy.mgrid[:256, :256].astype(numpy.uint8)
    pixels = numpy.stack([mantissa, 255 - mantissa, mantissa // 3, exponent], axis=-1)
    ours = rgbe_decode(pixels.tobytes(), header=False, out=numpy.empty((256, 256, 3), numpy.float32))
    expected = pixels[..., :3] * numpy.ldexp(1.0, exponent.astype(int) - 136)[..., None]
    expected[exponent == 0] = 0
    numpy.testing.assert_array_equal(ours, expected.astype(numpy.float32))
    imagecodecs = pytest.importorskip('imagecodecs')
    theirs = imagecodecs.rgbe_decode(pixels.tobytes(), header=False, out=numpy.empty((256, 256, 3), numpy.float32))
    assert ours.tobytes() == theirs.tobytes()


def test_shapes_and_layouts():
    data = image((2, 3, 9, 3))
    encoded = rgbe_encode(data)
    assert encoded.startswith(header(6, 9))
    numpy.testing.assert_array_equal(rgbe_decode(encoded), reference(data).reshape(6, 9, 3))
    assert rgbe_encode(data[0, 0]).startswith(header(1, 9))
    assert rgbe_encode(data.astype('>f4')) == encoded
    assert rgbe_encode(numpy.asfortranarray(data[0])) == rgbe_encode(data[0])
    assert rgbe_encode(numpy.zeros((0, 9, 3), numpy.float32)) == header(0, 9)
    assert rgbe_decode(header(0, 9)).shape == (0, 9, 3)
    for bad, error in [
        (numpy.zeros((2, 9, 3), numpy.float64), ValueError),
        (numpy.zeros((2, 9, 4), numpy.float32), ValueError),
        (numpy.zeros((2, 9), numpy.float32), ValueError),
        (numpy.zeros((2, 9, 3), numpy.uint8), ValueError),
        ('image', TypeError),
        (None, TypeError),
    ]:
        with pytest.raises(error):
            rgbe_encode(bad)


def test_rle_option():
    data = image((4, 50, 3))
    rle = rgbe_encode(data)
    flat = rgbe_encode(data, rle=False)
    assert len(flat) == len(header(4, 50)) + 4 * 50 * 4 and len(rle) < len(flat)
    numpy.testing.assert_array_equal(rgbe_decode(flat), rgbe_decode(rle))
    numpy.testing.assert_array_equal(rgbe_decode(flat, rle=False), rgbe_decode(rle))
    with pytest.raises(RgbeError):
        rgbe_decode(rle, rle=False)  # run-length data read as flat is too short
    # headerless, run-length encoded scanlines (imagecodecs cannot write them)
    body = rgbe_encode(data, header=False, rle=True)
    assert body[:4] == b'\x02\x02\x00\x32'
    out = numpy.empty(data.shape, numpy.float32)
    numpy.testing.assert_array_equal(rgbe_decode(body, out=out), rgbe_decode(rle))


def test_headerless_needs_out():
    data = image((3, 10, 3))
    flat = rgbe_encode(data, header=False)
    with pytest.raises(RgbeError, match='header'):
        rgbe_decode(flat)
    out = numpy.empty((30, 3), numpy.float32)
    numpy.testing.assert_array_equal(rgbe_decode(flat, out=out).reshape(3, 10, 3), reference(data))
    with pytest.raises(RgbeError):
        rgbe_decode(flat, header=True)


@pytest.mark.parametrize('extra', ['', 'EXPOSURE=2.0\nGAMMA=1\n# comment\nSOFTWARE=x\n'])
@pytest.mark.parametrize('magic', [b'#?RADIANCE', b'#?RGBE', b'#?'])
def test_header_variants(magic, extra):
    data = image((3, 10, 3))
    encoded = rgbe_encode(data)
    variant = encoded.replace(b'#?RADIANCE\n', magic + b'\n' + extra.encode())
    numpy.testing.assert_array_equal(rgbe_decode(variant), reference(data))
    crlf = variant.replace(b'\n-Y', b'\r\n-Y').replace(b'RGBE\n', b'RGBE\r\n')
    numpy.testing.assert_array_equal(rgbe_decode(crlf), reference(data))
    xyze = variant.replace(b'rle_rgbe', b'rle_xyze')
    numpy.testing.assert_array_equal(rgbe_decode(xyze), reference(data))
    numpy.testing.assert_array_equal(rgbe_decode(variant.replace(b'FORMAT=32-bit_rle_rgbe\n', b'')), reference(data))
    with pytest.raises(RgbeError, match='format'):
        rgbe_decode(variant.replace(b'rle_rgbe', b'rle_cmyk'))


@pytest.mark.parametrize('orientation', ['-Y {h} +X {w}', '+Y {h} +X {w}', '-Y {h} -X {w}', '+Y {h} -X {w}',
                                         '+X {w} -Y {h}', '+X {w} +Y {h}', '-X {w} -Y {h}', '-X {w} +Y {h}'])
def test_orientations(orientation):
    """Scanlines in any of the eight orders give the same image."""
    data = reference(image((4, 9, 3)))
    stored = data
    first, second = orientation.split()[0], orientation.split()[2]
    if first[1] == 'X':
        stored = stored.transpose(1, 0, 2)  # scanlines are columns
    ysign = first if first[1] == 'Y' else second
    xsign = first if first[1] == 'X' else second
    if ysign[0] == '+':
        stored = stored[::-1] if first[1] == 'Y' else stored[:, ::-1]
    if xsign[0] == '-':
        stored = stored[:, ::-1] if first[1] == 'Y' else stored[::-1]
    stored = numpy.ascontiguousarray(stored)
    pixels = rgbe_encode(stored, header=False, rle=False)
    decoded = rgbe_decode(header(4, 9, orientation) + pixels)
    numpy.testing.assert_array_equal(decoded, data)
    out = numpy.empty_like(data)
    assert rgbe_decode(header(4, 9, orientation) + pixels, out=out) is out
    numpy.testing.assert_array_equal(out, data)


def test_out():
    data = image((5, 20, 3))
    encoded = rgbe_encode(data)
    out = numpy.empty(data.shape, numpy.float32)
    assert rgbe_decode(encoded, out=out) is out
    numpy.testing.assert_array_equal(out, reference(data))
    with pytest.raises(ValueError):
        rgbe_decode(encoded, out=numpy.empty((6, 20, 3), numpy.float32))
    assert rgbe_encode(data, out=bytearray) == bytearray(encoded)
    assert bytes(rgbe_encode(data, out=bytearray(len(encoded) * 2))) == encoded
    with pytest.raises(RgbeError):
        rgbe_encode(data, out=bytearray(10))
    for buf in (bytearray(encoded), memoryview(encoded), numpy.frombuffer(encoded, numpy.uint8)):
        numpy.testing.assert_array_equal(rgbe_decode(buf), reference(data))


def test_empty_truncated_corrupt():
    for data in (b'', b'#', b'#?', b'#?RADIANCE', b'#?RADIANCE\n', b'#?RADIANCE\n\n', b'#?RADIANCE\n\n-Y 2\n'):
        with pytest.raises(RgbeError):
            rgbe_decode(data)
    for line in ('-Y 2 +Y 3', '-Z 2 +X 3', '-Y -2 +X 3', '-Y x +X 3', 'Y 2 X 3', '-Y 2 +X 3 4'):
        with pytest.raises(RgbeError):
            rgbe_decode(f'#?RADIANCE\n\n{line}\n'.encode() + bytes(100))
    for size in ((3, 5), (3, 50)):
        encoded = rgbe_encode(image((*size, 3)))
        for end in range(len(encoded) - 1, -1, -1):
            with pytest.raises(RgbeError):
                rgbe_decode(encoded[:end])
    # bad scanline markers and counts
    body = bytearray(rgbe_encode(image((2, 10, 3)), header=False, rle=True))
    for index, value in ((3, 11), (4, 0), (4, 128 + 11), (49, 3)):  # 48: second scanline
        bad = bytearray(body)
        bad[index] = value
        with pytest.raises(RgbeError):
            rgbe_decode(header(2, 10) + bytes(bad))
    encoded = rgbe_encode(image((6, 40, 3)))
    decode_corrupted(rgbe_decode, encoded, RgbeError, count=500)


@pytest.mark.parametrize('height, width', [(100_000, 100_000), (2**62, 2**62), (1, 2**40)])
def test_huge_claimed_size(height, width):
    start = time.perf_counter()
    with pytest.raises(RgbeError):
        rgbe_decode(header(height, width) + bytes(1000))
    assert time.perf_counter() - start < 0.1


def test_threads():
    from concurrent.futures import ThreadPoolExecutor

    images = [image((50 + i, 300, 3), seed=i) for i in range(8)]
    single = [rgbe_encode(a) for a in images]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(rgbe_encode, images)) == single
        for decoded, data in zip(pool.map(rgbe_decode, single), images):
            numpy.testing.assert_array_equal(decoded, reference(data))


def test_releases_gil():
    data = image((3000, 3000, 3))
    encoded = rgbe_encode(data)
    assert_releases_gil(lambda: rgbe_encode(data), lambda: rgbe_decode(encoded))

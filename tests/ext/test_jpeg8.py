"""JPEG (libjpeg-turbo) specifics: color spaces, quality, subsampling,
progressive and optimized streams, restart intervals, abbreviated streams
with tables, parity with imagecodecs and Pillow, and malformed streams."""

import glob
import importlib.resources
import io
import struct

import numpy
import pytest

import ndcodecs
from ndcodecs import JPEG8, Jpeg8Error, jpeg8_check, jpeg8_decode, jpeg8_encode, jpeg8_version
from common import assert_releases_gil, decode_corrupted, psnr

SHAPES = [(1, 1), (1, 17), (17, 1), (3, 5), (4097, 3), (3, 4097), (61, 83)]


def image(shape, seed=0):
    """Smooth photo-like uint8 samples with a little noise."""
    rng = numpy.random.default_rng(seed)
    height, width = shape[:2]
    y, x = numpy.mgrid[:height, :width] / max(height, width, 2)
    base = 0.5 + 0.4 * numpy.sin(7 * x + 1) * numpy.cos(5 * y)
    if len(shape) == 3:
        base = base[..., None] * numpy.linspace(0.6, 1.0, shape[2])
    return numpy.clip(base * 255 + rng.normal(0, 2, base.shape), 0, 255).astype(numpy.uint8)


def sample_files():
    folder = importlib.resources.files('ndcodecs') / 'samples'
    files = [str(p) for p in folder.iterdir() if p.name.endswith(('.jpg', '.jpeg'))]
    return sorted(files + glob.glob('/work/shared/data/images/*.jpg'))


def sample_images():
    """The PNG samples, decoded, as images to compress."""
    folder = importlib.resources.files('ndcodecs') / 'samples'
    result = []
    for p in sorted(folder.iterdir(), key=lambda p: p.name):
        if p.name.endswith('.png'):
            data = ndcodecs.png_decode(p.read_bytes())
            if data.dtype == numpy.uint8 and (data.ndim == 2 or data.shape[2] in (3, 4)):
                result.append((p.name, data if data.ndim == 2 or data.shape[2] == 3 else data[..., :3]))
    return result


def sof(stream):
    """The frame header: (marker, precision, height, width, components)."""
    pos = stream.find(b'\xff\xc0')
    for marker in (b'\xff\xc1', b'\xff\xc2', b'\xff\xc3'):
        if pos < 0:
            pos = stream.find(marker)
    precision, height, width, ncomp = struct.unpack('>BHHB', stream[pos + 4:pos + 10])
    comps = [stream[pos + 10 + 3 * i:pos + 13 + 3 * i] for i in range(ncomp)]
    return stream[pos + 1], precision, height, width, comps


# constants, version, check

def test_constants_and_version():
    assert JPEG8.available is True
    assert JPEG8.all_precisions is False
    assert jpeg8_version().startswith('libjpeg-turbo 2.')
    assert ndcodecs.get_codec('jpeg8').version == jpeg8_version()
    imagecodecs = pytest.importorskip('imagecodecs')
    assert {m.name: m.value for m in JPEG8.CS} == {m.name: m.value for m in imagecodecs.JPEG8.CS}


def test_check():
    assert jpeg8_check(jpeg8_encode(numpy.zeros((4, 4), numpy.uint8))) is True
    assert jpeg8_check(b'\xff\xd8\xff') is True
    for data in (b'', b'\xff\xd8', b'\x89PNG\r\n\x1a\n', b'GIF89a'):
        assert jpeg8_check(data) is False


# round trips

@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('samples', [None, 3, 4])
def test_roundtrip(shape, samples):
    data = image(shape if samples is None else shape + (samples,))
    encoded = jpeg8_encode(data)
    assert isinstance(encoded, bytes) and encoded[:3] == b'\xff\xd8\xff'
    decoded = jpeg8_decode(encoded)
    assert decoded.shape == data.shape and decoded.dtype == numpy.uint8
    if min(shape) > 8:
        assert psnr(decoded, data) > 35
    else:
        assert psnr(decoded, data) > 25  # chroma of tiny images suffers most
    if samples is None:
        numpy.testing.assert_array_equal(jpeg8_decode(jpeg8_encode(data[..., None])), decoded)


def test_quality():
    data = image((128, 160, 3))
    sizes = [len(jpeg8_encode(data, level)) for level in (10, 50, 90, 100)]
    assert sizes == sorted(sizes)
    quality = [psnr(jpeg8_decode(jpeg8_encode(data, level)), data) for level in (10, 50, 90)]
    assert quality == sorted(quality)
    assert jpeg8_encode(data) == jpeg8_encode(data, 95)
    assert jpeg8_encode(data, 150) == jpeg8_encode(data, 100)


@pytest.mark.parametrize('subsampling,factors', [
    ('444', (1, 1)), ('422', (2, 1)), ('420', (2, 2)), ('411', (4, 1)), ('440', (1, 2)),
    ((2, 1), (2, 1)), (None, (2, 2)),
])
def test_subsampling(subsampling, factors):
    data = image((37, 45, 3))
    encoded = jpeg8_encode(data, subsampling=subsampling)
    comps = sof(encoded)[4]
    assert comps[0][1] == factors[0] << 4 | factors[1]
    assert comps[1][1] == comps[2][1] == 0x11
    assert psnr(jpeg8_decode(encoded), data) > 30


def test_subsampling_invalid():
    data = image((8, 8, 3))
    for bad in ('423', (3, 1), (0, 1)):
        with pytest.raises(ValueError):
            jpeg8_encode(data, subsampling=bad)
    with pytest.raises(TypeError):
        jpeg8_encode(data, subsampling=4.5)


@pytest.mark.parametrize('shape', [(100, 120, 3), (100, 120), (37, 29)])
def test_progressive_optimize_restart(shape):
    data = image(shape)
    baseline = jpeg8_encode(data)
    progressive = jpeg8_encode(data, progressive=True)
    assert sof(progressive)[0] == 0xC2 and sof(baseline)[0] == 0xC0
    optimized = jpeg8_encode(data, optimize=True)
    assert len(optimized) < len(baseline)
    numpy.testing.assert_array_equal(jpeg8_decode(optimized), jpeg8_decode(baseline))
    numpy.testing.assert_array_equal(jpeg8_decode(progressive), jpeg8_decode(baseline))
    restart = jpeg8_encode(data, restartinterval=4)
    assert b'\xff\xdd\x00\x04\x00\x04' in restart and b'\xff\xd0' in restart
    numpy.testing.assert_array_equal(jpeg8_decode(restart), jpeg8_decode(baseline))
    rows = jpeg8_encode(data, restartinterval=-1)
    assert b'\xff\xd1' in rows
    numpy.testing.assert_array_equal(jpeg8_decode(rows), jpeg8_decode(baseline))
    smooth = jpeg8_encode(data, smoothing=True)
    assert smooth != baseline and psnr(jpeg8_decode(smooth), data) > 30


def test_colorspaces():
    rgb = image((40, 48, 3))
    # RGB stored as RGB (Adobe marker), gray output, YCbCr output
    stored_rgb = jpeg8_encode(rgb, outcolorspace='RGB')
    assert b'Adobe' in stored_rgb and [c[0] for c in sof(stored_rgb)[4]] == [ord('R'), ord('G'), ord('B')]
    assert psnr(jpeg8_decode(stored_rgb), rgb) > 35
    gray = jpeg8_decode(jpeg8_encode(rgb), outcolorspace='GRAY')
    assert gray.shape == (40, 48)
    ycbcr = jpeg8_decode(jpeg8_encode(rgb), outcolorspace=JPEG8.CS.YCbCr)
    assert ycbcr.shape == (40, 48, 3) and abs(ycbcr[..., 1].mean() - 128) < 40
    # the samples may be YCbCr already
    again = jpeg8_encode(ycbcr, colorspace='YCbCr')
    assert psnr(jpeg8_decode(again), jpeg8_decode(jpeg8_encode(rgb))) > 30
    # gray to one component
    assert sof(jpeg8_encode(rgb[..., 0]))[4][0][1] == 0x11
    assert len(sof(jpeg8_encode(rgb[..., 0]))[4]) == 1
    # RGBA output
    rgba = jpeg8_decode(jpeg8_encode(rgb), outcolorspace='EXT_RGBA')
    assert rgba.shape == (40, 48, 4) and (rgba[..., 3] == 255).all()
    for bad in ('NOSUCH', -1, 99):
        with pytest.raises(ValueError):
            jpeg8_decode(stored_rgb, outcolorspace=bad)
    with pytest.raises(TypeError):
        jpeg8_decode(stored_rgb, colorspace=1.5)
    with pytest.raises(Jpeg8Error):
        jpeg8_decode(jpeg8_encode(rgb[..., 0]), outcolorspace='CMYK')  # no such conversion


def test_cmyk():
    """CMYK is stored as is, without the Adobe inversion, as imagecodecs does."""
    cmyk = image((33, 47, 4))
    encoded = jpeg8_encode(cmyk, level=100, subsampling='444')
    assert b'Adobe' not in encoded and b'JFIF' not in encoded
    decoded = jpeg8_decode(encoded)
    assert decoded.shape == cmyk.shape and psnr(decoded, cmyk) > 40
    ycck = jpeg8_encode(cmyk, colorspace='CMYK', outcolorspace='YCCK')
    assert b'Adobe' in ycck
    assert psnr(jpeg8_decode(ycck), cmyk) > 30
    Image = pytest.importorskip('PIL.Image')
    # Pillow reads CMYK as Adobe-inverted
    pil = numpy.asarray(Image.open(io.BytesIO(encoded)))
    assert psnr(255 - pil, decoded) > 40


def test_tables():
    """Abbreviated streams with the tables apart (TIFF JPEGTables)."""
    data = image((64, 64, 3))
    full = jpeg8_encode(data)
    # split into a tables-only stream and an abbreviated image stream
    pos, tables, image_part = 2, b'\xff\xd8', b'\xff\xd8'
    while True:
        marker = full[pos + 1]
        length = struct.unpack('>H', full[pos + 2:pos + 4])[0]
        segment = full[pos:pos + 2 + length]
        if marker == 0xDA:
            image_part += full[pos:]
            break
        if marker in (0xDB, 0xC4):
            tables += segment
        else:
            image_part += segment
        pos += 2 + length
    tables += b'\xff\xd9'
    expected = jpeg8_decode(full)
    numpy.testing.assert_array_equal(jpeg8_decode(image_part, tables=tables), expected)
    with pytest.raises(Jpeg8Error):
        jpeg8_decode(image_part)  # no tables
    numpy.testing.assert_array_equal(ndcodecs.jpeg_decode(image_part, tables=tables), expected)
    imagecodecs = pytest.importorskip('imagecodecs')
    numpy.testing.assert_array_equal(imagecodecs.jpeg8_decode(image_part, tables=tables), expected)


def test_shape():
    data = image((16, 24, 3))
    encoded = jpeg8_encode(data)
    assert jpeg8_decode(encoded, shape=(16, 24, 3)).shape == (16, 24, 3)
    assert jpeg8_decode(encoded, shape=(16, 72)).shape == (16, 72)
    with pytest.raises(Jpeg8Error):
        jpeg8_decode(encoded, shape=(16, 16, 3))


def test_unsupported():
    data = image((8, 8))
    for kwargs in ({'lossless': True}, {'bitspersample': 12}, {'predictor': 1}):
        with pytest.raises(Jpeg8Error, match='not supported|lossless'):
            jpeg8_encode(data, **kwargs)
    imagecodecs = pytest.importorskip('imagecodecs')
    with pytest.raises(Jpeg8Error, match='SOF type 0xc3'):
        jpeg8_decode(imagecodecs.jpeg8_encode(data, lossless=True))
    with pytest.raises(Jpeg8Error, match='precision 12'):
        jpeg8_decode(imagecodecs.jpeg8_encode(data.astype(numpy.uint16) * 16, bitspersample=12))


# parity with imagecodecs and Pillow

@pytest.mark.parametrize('samples', [None, 3, 4])
@pytest.mark.parametrize('kwargs', [
    {}, {'level': 30}, {'level': 100, 'subsampling': '444'}, {'subsampling': '422'},
    {'subsampling': '411'}, {'subsampling': '440'}, {'optimize': True}, {'smoothing': 40},
])
def test_parity_imagecodecs(samples, kwargs):
    imagecodecs = pytest.importorskip('imagecodecs')
    data = image((67, 93) if samples is None else (67, 93, samples), seed=2)
    ours = jpeg8_encode(data, **kwargs)
    theirs = imagecodecs.jpeg8_encode(data, **kwargs)
    assert ours == theirs  # the same library defaults give the same bytes
    numpy.testing.assert_array_equal(jpeg8_decode(theirs), imagecodecs.jpeg8_decode(theirs))
    numpy.testing.assert_array_equal(imagecodecs.jpeg8_decode(ours), jpeg8_decode(ours))


@pytest.mark.parametrize('path', sample_files())
def test_sample_files(path):
    data = open(path, 'rb').read()
    decoded = jpeg8_decode(data)
    imagecodecs = pytest.importorskip('imagecodecs')
    numpy.testing.assert_array_equal(decoded, imagecodecs.jpeg8_decode(data))
    Image = pytest.importorskip('PIL.Image')
    pil = numpy.asarray(Image.open(io.BytesIO(data)))
    assert pil.shape == decoded.shape and psnr(pil, decoded) > 40  # Pillow may upsample differently


@pytest.mark.parametrize('name,data', sample_images(), ids=lambda v: v if isinstance(v, str) else '')
def test_sample_images(name, data):
    encoded = jpeg8_encode(data, 90)
    decoded = jpeg8_decode(encoded)
    assert psnr(decoded, data) > 28
    Image = pytest.importorskip('PIL.Image')
    pil = numpy.asarray(Image.open(io.BytesIO(encoded)))
    assert psnr(pil, decoded) > 40


# out=, bad arguments and input

def test_out():
    data = image((20, 30, 3))
    encoded = jpeg8_encode(data)
    out = numpy.zeros((20, 30, 3), numpy.uint8)
    assert jpeg8_decode(encoded, out=out) is out
    numpy.testing.assert_array_equal(out, jpeg8_decode(encoded))
    buffer = bytearray(20 * 30 * 3)
    jpeg8_decode(encoded, out=buffer)
    assert bytes(buffer) == jpeg8_decode(encoded).tobytes()
    with pytest.raises(ValueError):
        jpeg8_decode(encoded, out=numpy.zeros((20, 30), numpy.uint8))
    with pytest.raises(ValueError):
        jpeg8_decode(encoded, out=bytearray(10))
    # encoder out=
    assert isinstance(jpeg8_encode(data, out=bytearray), bytearray)
    buffer = bytearray(len(encoded) + 100)
    view = jpeg8_encode(data, out=buffer)
    assert bytes(view) == encoded
    assert jpeg8_encode(data, out=len(encoded)) == encoded
    with pytest.raises(Jpeg8Error):
        jpeg8_encode(data, out=100)
    with pytest.raises(Jpeg8Error):
        jpeg8_encode(data, out=bytearray(100))
    # noise at quality 100 outgrows the first guess of the output size
    noise = numpy.random.default_rng(0).integers(0, 256, (64, 64, 3), numpy.uint8)
    big = jpeg8_encode(noise, 100, subsampling='444')
    assert len(big) > noise.nbytes
    numpy.testing.assert_array_equal(jpeg8_decode(big), jpeg8_decode(bytes(big)))


def test_bad_arguments():
    for bad in ('abc', None):
        with pytest.raises(TypeError):
            jpeg8_encode(bad)
        with pytest.raises(TypeError):
            jpeg8_decode(bad)
    for bad in (numpy.zeros((4, 4), numpy.uint16), numpy.zeros((4, 4, 2), numpy.uint8),
                numpy.zeros((4,), numpy.uint8), numpy.zeros((0, 4), numpy.uint8),
                numpy.zeros((70000, 1), numpy.uint8)):
        with pytest.raises(ValueError):
            jpeg8_encode(bad)
    with pytest.raises(TypeError):
        jpeg8_encode(image((4, 4)), level='high')


def test_bad_input():
    data = image((40, 50, 3))
    encoded = jpeg8_encode(data)
    for bad in (b'', b'\xff', b'\xff\xd8', b'\xff\xd8\xff\xd9', b'\x00' * 100, encoded[:100]):
        with pytest.raises(Jpeg8Error):
            jpeg8_decode(bad)
    for size in range(len(encoded) // 3, len(encoded) - 2, 97):
        with pytest.raises(Jpeg8Error):
            jpeg8_decode(encoded[:size])
    bad = bytearray(encoded)
    bad[len(bad) // 2:len(bad) // 2 + 8] = b'\xff\x00\x12\x34\xff\xd7\x00\x00'
    with pytest.raises(Jpeg8Error):
        jpeg8_decode(bytes(bad))
    decode_corrupted(jpeg8_decode, encoded, Jpeg8Error, count=200, start=2)


def test_huge_header():
    """A header claiming 65535x65535 with 4 components fails before the
    image is allocated, when that is over max_output."""
    encoded = bytearray(jpeg8_encode(image((16, 16, 4))))
    pos = encoded.find(b'\xff\xc0')
    encoded[pos + 5:pos + 9] = struct.pack('>HH', 65535, 65535)
    with pytest.raises(Jpeg8Error, match='65500'):  # libjpeg's own limit
        jpeg8_decode(bytes(encoded))
    encoded[pos + 5:pos + 9] = struct.pack('>HH', 65500, 65500)
    with pytest.raises(Jpeg8Error, match='max_output'):
        jpeg8_decode(bytes(encoded))
    with pytest.raises(Jpeg8Error, match='max_output'):
        jpeg8_decode(bytes(encoded), max_output=1 << 30)
    with pytest.raises(ndcodecs.JpegError):
        ndcodecs.jpeg_decode(bytes(encoded))


# threads and the GIL

def test_threads():
    from concurrent.futures import ThreadPoolExecutor

    data = [image((96, 128, c), seed=c) for c in (1, 3, 4)] + [image((96, 128))]
    streams = [jpeg8_encode(d) for d in data]
    expected = [jpeg8_decode(s).tobytes() for s in streams]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(5):
            assert list(pool.map(lambda s: jpeg8_decode(s).tobytes(), streams)) == expected
            assert list(pool.map(jpeg8_encode, data)) == streams
            bad = [s[:len(s) // 2] for s in streams]
            errors = list(pool.map(lambda s: _error(jpeg8_decode, s), bad))
            assert all(isinstance(e, Jpeg8Error) for e in errors)


def _error(func, data):
    try:
        func(data)
    except Exception as exc:
        return exc
    return None


def test_releases_gil():
    data = image((2000, 3000, 3))
    encoded = jpeg8_encode(data, progressive=True)
    # a few calls in a row, so that each measurement lasts long enough
    assert_releases_gil(lambda: [jpeg8_encode(data, optimize=True) for _ in range(3)], lambda: [jpeg8_decode(encoded) for _ in range(3)], too_fast='skip')

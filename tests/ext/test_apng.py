"""APNG: frames, delays, dispose and blend ops, parity with imagecodecs and
Pillow, malformed files."""

import io
import struct
import zlib

import numpy
import pytest

import ndcodecs
from ndcodecs import APNG, ApngError, apng_check, apng_decode, apng_encode, png_decode, png_encode

SIGNATURE = b'\x89PNG\r\n\x1a\n'


def chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack('>I', len(data)) + ctype + data + struct.pack('>I', zlib.crc32(ctype + data))


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    pos, found = 8, []
    while pos < len(png):
        (length,) = struct.unpack('>I', png[pos:pos + 4])
        found.append((png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]))
        pos += 12 + length
    return found


def fctl_fields(png: bytes) -> list[tuple]:
    return [struct.unpack('>IIIIIHHBB', d) for t, d in chunks(png) if t == b'fcTL']


def frames(n=3, shape=(20, 30, 4), dtype=numpy.uint8, seed=0):
    rng = numpy.random.default_rng(seed)
    return rng.integers(0, numpy.iinfo(dtype).max, (n, *shape), dtype=dtype, endpoint=True)


def idat_of(image, ctype, depth=8):
    """zlib data of unfiltered rows of an (H, W, C) image."""
    dtype = '>u2' if depth == 16 else numpy.uint8
    rows = b''.join(b'\0' + row.astype(dtype).tobytes() for row in image.reshape(image.shape[0], -1))
    return zlib.compress(rows)


def make_apng(canvas, parts, ctype=6, default_hidden=None, plays=0):
    """An APNG of `parts`: (image, x, y, dispose, blend), 8-bit RGBA or RGB."""
    height, width = canvas
    png = SIGNATURE + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, ctype, 0, 0, 0))
    png += chunk(b'acTL', struct.pack('>II', len(parts), plays))
    seq = 0
    if default_hidden is not None:
        png += chunk(b'IDAT', idat_of(default_hidden, ctype))
    for i, (image, x, y, dispose, blend) in enumerate(parts):
        h, w = image.shape[:2]
        png += chunk(b'fcTL', struct.pack('>IIIIIHHBB', seq, w, h, x, y, 100, 1000, dispose, blend))
        seq += 1
        if i == 0 and default_hidden is None:
            png += chunk(b'IDAT', idat_of(image, ctype))
        else:
            png += chunk(b'fdAT', struct.pack('>I', seq) + idat_of(image, ctype))
            seq += 1
    return png + chunk(b'IEND', b'')


def test_constants_and_check():
    assert APNG.available is True
    imagecodecs = pytest.importorskip('imagecodecs')
    for name in ('COLOR_TYPE', 'COMPRESSION', 'FILTER', 'STRATEGY'):
        assert {m.name: m.value for m in getattr(APNG, name)} == {
            m.name: m.value for m in getattr(imagecodecs.APNG, name)
        }
    assert ndcodecs.apng_version() == ndcodecs.png_version()
    apng = apng_encode(frames())
    assert apng_check(apng) is True
    assert apng_check(apng[:64]) is True  # what the registry's magic test sees
    assert apng_check(png_encode(frames()[0])) is False
    assert apng_check(b'') is False and apng_check(b'GIF89a') is False
    assert ndcodecs.codec_for_bytes(apng).name == 'apng'
    assert ndcodecs.codec_for_bytes(png_encode(frames()[0])).name == 'png'
    assert ndcodecs.codec_for_path('a/b.APNG').name == 'apng'


@pytest.mark.parametrize('dtype', [numpy.uint8, numpy.uint16])
@pytest.mark.parametrize('shape', [(1, 1), (1, 7), (3, 5, 1), (3, 5, 2), (5, 3, 3), (17, 9, 4), (4097, 3, 3)])
@pytest.mark.parametrize('n', [1, 2, 5])
def test_roundtrip(n, shape, dtype):
    data = frames(n, shape, dtype, seed=n)
    if len(shape) == 3 and shape[2] == 1:
        data = data[..., 0]
        shape = shape[:2]
    apng = apng_encode(data, photometric='minisblack' if len(shape) == 2 else None)
    decoded = apng_decode(apng)
    expected = data[0] if n == 1 else data
    assert decoded.dtype == dtype and decoded.shape == expected.shape
    numpy.testing.assert_array_equal(decoded, expected)
    for i in (0, n - 1, -1):
        numpy.testing.assert_array_equal(apng_decode(apng, index=i), data[i])
    # the first frame is the default image
    numpy.testing.assert_array_equal(png_decode(apng), data[0])


def test_photometric_and_shapes():
    """3-D data is one image with samples, unless photometric says gray
    frames or the last axis is too long for samples (as imagecodecs)."""
    data = frames(4, (5, 3), numpy.uint8)
    assert apng_decode(apng_encode(data)).shape == (4, 5, 3)
    assert len(fctl_fields(apng_encode(data))) == 1
    assert len(fctl_fields(apng_encode(data, photometric='minisblack'))) == 4
    assert len(fctl_fields(apng_encode(data, photometric='rgb'))) == 1
    assert len(fctl_fields(apng_encode(frames(4, (5, 6))[..., 0, :]))) == 1
    assert len(fctl_fields(apng_encode(numpy.zeros((4, 5, 6), numpy.uint8)))) == 4
    with pytest.raises(ValueError):
        apng_encode(data, photometric='cmyk')
    with pytest.raises(ValueError):
        apng_encode(numpy.zeros((2, 2, 2, 2, 2), numpy.uint8))
    with pytest.raises(ValueError):
        apng_encode(numpy.zeros((2, 3, 3), numpy.float32))
    with pytest.raises(TypeError):
        apng_encode('frames')
    with pytest.raises(TypeError):
        apng_encode(data, level='best')


def test_delays():
    data = frames(3)
    assert [f[5:7] for f in fctl_fields(apng_encode(data))] == [(1000, 1000)] * 3
    assert [f[5:7] for f in fctl_fields(apng_encode(data, delay=40))] == [(40, 1000)] * 3
    assert [f[5] for f in fctl_fields(apng_encode(data, delay=[10, 20, 30]))] == [10, 20, 30]
    with pytest.raises(ValueError):
        apng_encode(data, delay=[10, 20])
    with pytest.raises(ValueError):
        apng_encode(data, delay=70000)
    # sequence numbers count fcTL and fdAT chunks
    apng = apng_encode(data)
    seqs = [struct.unpack('>I', d[:4])[0] for t, d in chunks(apng) if t in (b'fcTL', b'fdAT')]
    assert seqs == list(range(5))
    assert struct.unpack('>II', dict(chunks(apng))[b'acTL']) == (3, 0)


def test_encode_options_and_out():
    data = frames(3, (40, 50, 3)) // 64 * 64  # compressible
    for options in ({'level': 1}, {'level': 9}, {'strategy': 3}, {'filter': 16}, {'level': 0}):
        numpy.testing.assert_array_equal(apng_decode(apng_encode(data, **options)), data)
    assert len(apng_encode(data, level=0)) > len(apng_encode(data, level=9))
    expected = apng_encode(data)
    assert apng_encode(data, out=bytearray) == bytearray(expected)
    buffer = bytearray(len(expected) + 10)
    assert bytes(apng_encode(data, out=buffer)) == expected
    with pytest.raises(ApngError, match='too small'):
        apng_encode(data, out=len(expected) // 2)
    many = frames(40, (32, 33, 3))  # the output grows frame by frame
    encoded = apng_encode(many, level=1)
    numpy.testing.assert_array_equal(apng_decode(encoded), many)
    assert bytes(apng_encode(many, level=1, out=bytearray(len(encoded)))) == encoded
    out = numpy.empty_like(data)
    assert apng_decode(expected, out=out) is out
    numpy.testing.assert_array_equal(out, data)
    with pytest.raises(ValueError):
        apng_decode(expected, out=numpy.empty((3, 40, 50, 4), numpy.uint8))


@pytest.mark.parametrize('dtype', [numpy.uint8, numpy.uint16])
def test_imagecodecs_parity(dtype):
    imagecodecs = pytest.importorskip('imagecodecs')
    data = frames(4, (33, 21, 4), dtype)
    ours = apng_encode(data, delay=25)
    numpy.testing.assert_array_equal(imagecodecs.apng_decode(ours), data)
    theirs = imagecodecs.apng_encode(data, delay=25)
    numpy.testing.assert_array_equal(apng_decode(theirs), data)
    assert fctl_fields(ours) == fctl_fields(theirs)
    for i in range(4):
        numpy.testing.assert_array_equal(apng_decode(theirs, index=i), imagecodecs.apng_decode(theirs, index=i))


def pillow_apng(disposal, blend, mode='RGBA', seed=0):
    """An APNG written by Pillow: frames that differ in growing bands, so
    that Pillow stores cropped frames."""
    Image = pytest.importorskip('PIL.Image')
    rng = numpy.random.default_rng(seed)
    images = []
    base = rng.integers(0, 256, (20, 30, 4), dtype=numpy.uint8)
    for i in range(4):
        image = base.copy()
        image[:5 + i * 3] = 0
        image[5 + i * 3:, :, 3] = rng.choice([0, 128, 255], (15 - i * 3, 30))
        image[5 + i * 3:, :, :3] = rng.integers(0, 256, (15 - i * 3, 30, 3))
        image = Image.fromarray(image, 'RGBA').convert(mode if mode != 'P' else 'RGB')
        if mode == 'P':
            image = image.quantize(palette=images[0]) if images else image.quantize(64)
        images.append(image)
    buffer = io.BytesIO()
    images[0].save(
        buffer, 'PNG', save_all=True, append_images=images[1:], duration=[10, 20, 30, 40],
        disposal=disposal, blend=blend,
    )
    return buffer.getvalue()


def pillow_frames(apng, mode='RGBA'):
    Image = pytest.importorskip('PIL.Image')
    image = Image.open(io.BytesIO(apng))
    result = []
    for i in range(image.n_frames):
        image.seek(i)
        result.append(numpy.asarray(image.convert(mode)))
    return numpy.stack(result)


@pytest.mark.parametrize('disposal, blend', [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0)])
def test_pillow_apng(disposal, blend):
    """Pillow's APNGs (cropped frames) compose as Pillow and imagecodecs
    compose them. Pillow does not restore the canvas for dispose PREVIOUS
    with blend OVER, and imagecodecs differs from it there too, so that
    case is tested against the specification below."""
    apng = pillow_apng(disposal, blend)
    fields = fctl_fields(apng)
    assert len(fields) == 4 and any(f[2] < 20 for f in fields)  # cropped
    ours = apng_decode(apng)
    numpy.testing.assert_array_equal(ours, pillow_frames(apng))
    imagecodecs = pytest.importorskip('imagecodecs')
    numpy.testing.assert_array_equal(ours, imagecodecs.apng_decode(apng))


def test_pillow_reads_ours():
    data = frames(3, (10, 12, 4))
    apng = apng_encode(data, delay=[10, 20, 30])
    numpy.testing.assert_array_equal(pillow_frames(apng), data)
    Image = pytest.importorskip('PIL.Image')
    image = Image.open(io.BytesIO(apng))
    durations = []
    for i in range(3):
        image.seek(i)
        durations.append(image.info['duration'])
    assert durations == [10, 20, 30]


def test_compose_by_specification():
    """Dispose NONE, BACKGROUND and PREVIOUS and blend SOURCE and OVER on a
    canvas built up by hand."""
    red = numpy.zeros((4, 4, 4), numpy.uint8)
    red[..., 0] = 200
    red[..., 3] = 255
    half = numpy.zeros((2, 2, 4), numpy.uint8)
    half[..., 2] = 100
    half[..., 3] = 128
    opaque = numpy.full((2, 2, 4), 255, numpy.uint8)
    parts = [
        (red, 0, 0, 0, 1),  # the first frame: OVER acts as SOURCE
        (half, 1, 1, 2, 1),  # PREVIOUS: back to red afterwards
        (opaque, 2, 2, 1, 0),  # BACKGROUND: cleared afterwards
        (half, 0, 0, 0, 0),  # SOURCE: replaces
    ]
    result = apng_decode(make_apng((4, 4), parts))
    assert result.shape == (4, 4, 4, 4)
    numpy.testing.assert_array_equal(result[0], red)
    mixed = result[1][1:3, 1:3]
    expected = (half.astype(int) * 128 + red[:2, :2].astype(int) * 127 + 127) // 255
    numpy.testing.assert_array_equal(mixed, expected)
    numpy.testing.assert_array_equal(result[1][0], red[0])
    numpy.testing.assert_array_equal(result[2][:2, :2], red[:2, :2])  # restored
    numpy.testing.assert_array_equal(result[2][2:, 2:], opaque)
    numpy.testing.assert_array_equal(result[3][2:, 2:], 0)  # cleared
    numpy.testing.assert_array_equal(result[3][:2, :2], half)
    numpy.testing.assert_array_equal(result[3][:2, 2:], red[:2, 2:])
    # index: the frame alone on black
    single = apng_decode(make_apng((4, 4), parts), index=2)
    numpy.testing.assert_array_equal(single[2:, 2:], opaque)
    numpy.testing.assert_array_equal(single[:2], 0)


def test_hidden_default_image():
    hidden = numpy.full((3, 4, 3), 7, numpy.uint8)
    part = numpy.full((3, 4, 3), 9, numpy.uint8)
    apng = make_apng((3, 4), [(part, 0, 0, 0, 0), (part + 1, 0, 0, 0, 0)], ctype=2, default_hidden=hidden)
    result = apng_decode(apng)
    assert result.shape == (3, 3, 4, 3)
    numpy.testing.assert_array_equal(result[0], hidden)
    numpy.testing.assert_array_equal(result[1], part)
    numpy.testing.assert_array_equal(result[2], part + 1)
    numpy.testing.assert_array_equal(png_decode(apng), hidden)
    imagecodecs = pytest.importorskip('imagecodecs')
    numpy.testing.assert_array_equal(result, imagecodecs.apng_decode(apng))


def test_plain_png_and_palette():
    data = frames(1, (6, 7, 3))[0]
    numpy.testing.assert_array_equal(apng_decode(png_encode(data)), data)
    pytest.importorskip('PIL.Image')
    apng = pillow_apng(0, 0, mode='P')
    assert dict(chunks(apng)).get(b'IHDR')[9] == 3  # palette
    numpy.testing.assert_array_equal(apng_decode(apng)[..., :3], pillow_frames(apng, 'RGB'))


def test_index_errors():
    apng = apng_encode(frames(3))
    with pytest.raises(IndexError):
        apng_decode(apng, index=3)
    with pytest.raises(TypeError):
        apng_decode(apng, index='1')
    numpy.testing.assert_array_equal(apng_decode(apng, index=-3), frames(3)[0])


def test_bad_input():
    apng = apng_encode(frames(3, (16, 16, 3)))
    for data in (b'', b'\x89PNG', SIGNATURE, SIGNATURE + bytes(40), b'GIF89a' + bytes(100)):
        with pytest.raises(ApngError):
            apng_decode(data)
    with pytest.raises(TypeError):
        apng_decode('apng')
    with pytest.raises(TypeError):
        apng_decode(None)
    iend = len(apng) - 12
    for size in range(0, iend, 3):
        with pytest.raises(ApngError):
            apng_decode(apng[:size])
    for offset in range(33, len(apng) - 12, 11):
        corrupt = bytearray(apng)
        corrupt[offset] ^= 0x04
        try:
            apng_decode(bytes(corrupt))
        except ApngError:
            continue
        name = [t for t, _ in chunks(apng) if t][0]
        pytest.fail(f'a flipped bit at {offset} went unnoticed ({name})')


def test_bad_frames():
    part = numpy.zeros((2, 2, 4), numpy.uint8)
    with pytest.raises(ApngError, match='exceeds'):
        apng_decode(make_apng((4, 4), [(part, 0, 0, 0, 0), (part, 3, 3, 0, 0)]))
    # huge canvas: fails before allocating
    png = SIGNATURE + chunk(b'IHDR', struct.pack('>IIBBBBB', 100000, 100000, 8, 6, 0, 0, 0))
    png += chunk(b'acTL', struct.pack('>II', 1, 0))
    png += chunk(b'fcTL', struct.pack('>IIIIIHHBB', 0, 100000, 100000, 0, 0, 1, 10, 0, 0))
    png += chunk(b'IDAT', zlib.compress(bytes(1000))) + chunk(b'IEND', b'')
    with pytest.raises(ApngError, match='max_output'):
        apng_decode(png)


def test_max_output():
    data = frames(3, (10, 10, 4))
    apng = apng_encode(data)
    assert apng_decode(apng, max_output=data.nbytes).shape == data.shape
    with pytest.raises(ApngError, match='max_output'):
        apng_decode(apng, max_output=data.nbytes - 1)

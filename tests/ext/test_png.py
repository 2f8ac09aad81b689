"""PNG specifics: color types, bit depths, palettes, transparency, interlacing,
encoder options, parity with imagecodecs (libpng), and malformed files.

Test PNGs are built here by hand with the zlib module, so that every color
type, bit depth and interlace method is covered without a reference encoder.
"""

import glob
import importlib.resources
import os
import struct
import sys
import time
import zlib

import numpy
import pytest

import ndcodecs
from ndcodecs import PNG, PngError, png_check, png_decode, png_encode, png_version
from common import assert_releases_gil

SIGNATURE = b'\x89PNG\r\n\x1a\n'
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


# PNG building and parsing with the zlib module

def chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack('>I', len(data)) + ctype + data + struct.pack('>I', zlib.crc32(ctype + data))


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    pos, found = 8, []
    while pos < len(png):
        (length,) = struct.unpack('>I', png[pos:pos + 4])
        found.append((png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]))
        pos += 12 + length
    return found


def raw_rows(png: bytes) -> bytes:
    """The filtered rows: the concatenated IDAT data inflated."""
    return zlib.decompress(b''.join(d for t, d in chunks(png) if t == b'IDAT'))


def row_filters(png: bytes) -> list[int]:
    width, height, depth, ctype = struct.unpack('>IIBB', chunks(png)[0][1][:10])
    stride = (width * CHANNELS[ctype] * depth + 7) // 8 + 1
    raw = raw_rows(png)
    assert len(raw) == stride * height
    return [raw[i * stride] for i in range(height)]


def pack_rows(samples: numpy.ndarray, depth: int) -> list[bytes]:
    """Rows of an (H, W*C) sample array packed at `depth` bits, big-endian."""
    if depth == 16:
        return [row.astype('>u2').tobytes() for row in samples]
    if depth == 8:
        return [row.astype(numpy.uint8).tobytes() for row in samples]
    rows = []
    for row in samples:
        bits = numpy.unpackbits(row.astype(numpy.uint8)[:, None], axis=1)[:, 8 - depth:]
        rows.append(numpy.packbits(bits.reshape(-1)).tobytes())
    return rows


def make_png(samples, ctype, depth, interlace=0, plte=None, trns=None, extra=b'', idat_size=None):
    """Return a PNG of `samples` (H, W, C), every row unfiltered (type 0)."""
    samples = numpy.asarray(samples)
    height, width, nchannels = samples.shape
    assert nchannels == CHANNELS[ctype]
    raw = b''
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    for x0, y0, dx, dy in passes:
        sub = samples[y0::dy, x0::dx]
        if sub.shape[0] and sub.shape[1]:
            raw += b''.join(b'\0' + row for row in pack_rows(sub.reshape(sub.shape[0], -1), depth))
    data = zlib.compress(raw)
    idat_size = idat_size or len(data) or 1
    png = SIGNATURE + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, depth, ctype, 0, 0, interlace))
    png += extra
    if plte is not None:
        png += chunk(b'PLTE', numpy.asarray(plte, numpy.uint8).tobytes())
    if trns is not None:
        png += chunk(b'tRNS', trns)
    for i in range(0, len(data), idat_size):
        png += chunk(b'IDAT', data[i:i + idat_size])
    return png + chunk(b'IEND', b'')


def scaled(samples, depth):
    """Gray samples of 1, 2 or 4 bits as libpng expands them to 8 bits."""
    return (numpy.asarray(samples) * 255 // ((1 << depth) - 1)).astype(numpy.uint8)


def image(shape, dtype=numpy.uint8, seed=0):
    """Smooth image-like data with noise."""
    rng = numpy.random.default_rng(seed)
    height, width = shape[:2]
    y, x = numpy.mgrid[:height, :width] / max(height, width, 2)
    base = 0.5 + 0.4 * numpy.sin(7 * x) * numpy.cos(5 * y)
    if len(shape) == 3:
        base = base[..., None] * numpy.linspace(0.6, 1.0, shape[2])
    top = numpy.iinfo(dtype).max
    noisy = base * top + rng.normal(0, top / 100, base.shape)
    return numpy.clip(noisy, 0, top).astype(dtype)


def sample_files():
    """The PNG samples bundled with ndcodecs and in the shared data folder."""
    folder = importlib.resources.files('ndcodecs') / 'samples'
    files = [str(p) for p in folder.iterdir() if p.name.endswith('.png')]
    files += glob.glob('/work/shared/data/images/*.png')
    return sorted(files)


# constants, version, check

def test_constants():
    assert PNG.available is True
    assert {m.name: m.value for m in PNG.COLOR_TYPE} == {'GRAY': 0, 'GRAY_ALPHA': 4, 'RGB': 2, 'RGB_ALPHA': 6}
    assert {m.name: m.value for m in PNG.COMPRESSION} == {'DEFAULT': -1, 'NO': 0, 'BEST': 9, 'SPEED': 1}
    assert {m.name: m.value for m in PNG.FILTER} == {
        'NO': 0, 'NONE': 8, 'SUB': 16, 'UP': 32, 'AVG': 64, 'PAETH': 128, 'FAST': 56, 'ALL': 248,
    }
    assert {m.name: m.value for m in PNG.STRATEGY} == {
        'DEFAULT': 0, 'FILTERED': 1, 'HUFFMAN_ONLY': 2, 'RLE': 3, 'FIXED': 4,
    }
    assert PNG.FILTER.FAST == PNG.FILTER.NONE | PNG.FILTER.SUB | PNG.FILTER.UP
    assert PNG.FILTER.ALL == PNG.FILTER.FAST | PNG.FILTER.AVG | PNG.FILTER.PAETH


def test_constants_match_imagecodecs():
    imagecodecs = pytest.importorskip('imagecodecs')
    for name in ('COLOR_TYPE', 'COMPRESSION', 'FILTER', 'STRATEGY'):
        ours = {m.name: m.value for m in getattr(PNG, name)}
        theirs = {m.name: m.value for m in getattr(imagecodecs.PNG, name)}
        assert ours == theirs, name


def test_version_and_check():
    assert png_version().startswith('libspng ')
    assert ndcodecs.get_codec('png').version == png_version()
    assert png_check(SIGNATURE) is True
    assert png_check(png_encode(numpy.zeros((2, 2), numpy.uint8))) is True
    assert png_check(memoryview(SIGNATURE + b'rest')) is True
    for data in (b'', b'\x89PNG', b'GIF89a', b'\x89PNG\r\n\x1a\x00'):
        assert png_check(data) is False
    assert ndcodecs.codec_for_bytes(SIGNATURE + bytes(20)).name == 'png'
    assert ndcodecs.codec_for_path('x/y.PNG').name == 'png'


# round trips

@pytest.mark.parametrize('dtype', [numpy.uint8, numpy.uint16])
@pytest.mark.parametrize('channels', [None, 1, 2, 3, 4])
@pytest.mark.parametrize('size', [(1, 1), (1, 7), (7, 1), (3, 5), (4097, 3), (64, 97)])
def test_roundtrip(size, channels, dtype):
    shape = size if channels is None else (*size, channels)
    data = image(shape, dtype, seed=sum(shape))
    encoded = png_encode(data)
    assert isinstance(encoded, bytes) and png_check(encoded)
    ihdr = chunks(encoded)[0][1]
    assert struct.unpack('>IIBB', ihdr[:10]) == (
        size[1], size[0], 8 * numpy.dtype(dtype).itemsize, {None: 0, 1: 0, 2: 4, 3: 2, 4: 6}[channels],
    )
    decoded = png_decode(encoded)
    assert decoded.dtype == dtype and decoded.dtype.isnative
    assert decoded.shape == (size if channels in (None, 1) else shape)
    numpy.testing.assert_array_equal(decoded, data.reshape(decoded.shape))


@pytest.mark.parametrize('level', [None, -1, 0, 1, 6, 9, -100, 100])
@pytest.mark.parametrize('strategy', [None, *PNG.STRATEGY])
def test_levels_and_strategies(level, strategy):
    data = image((40, 50, 3))
    encoded = png_encode(data, level, strategy=strategy)
    numpy.testing.assert_array_equal(png_decode(encoded), data)
    header = b''.join(d for t, d in chunks(encoded) if t == b'IDAT')[:2]
    assert header[0] & 0x0F == 8 and (header[0] << 8 | header[1]) % 31 == 0


def test_level_changes_size():
    data = image((256, 256, 3))
    sizes = {level: len(png_encode(data, level)) for level in (0, 1, 9)}
    assert sizes[0] > sizes[1] > sizes[9]
    assert sizes[0] >= data.size  # stored
    assert len(png_encode(data, PNG.COMPRESSION.DEFAULT)) == len(png_encode(data))


@pytest.mark.parametrize('choice', [*PNG.FILTER, 8 | 128, 16 | 64])
def test_filter_choice(choice):
    data = image((30, 40, 3))
    filters = set(row_filters(png_encode(data, filter=choice)))
    allowed = {0} if choice == 0 else {i for i in range(5) if choice & (8 << i)}
    assert filters <= allowed
    if choice in (PNG.FILTER.NONE, PNG.FILTER.SUB, PNG.FILTER.UP, PNG.FILTER.AVG, PNG.FILTER.PAETH):
        assert filters == allowed
    numpy.testing.assert_array_equal(png_decode(png_encode(data, filter=choice)), data)


def test_filter_default_by_level():
    """By default FAST (None, Sub, Up) is tried for each row, NONE at
    level 0; an explicit filter wins."""
    data = image((200, 200, 3))
    for level in (None, -1, 1, 2, 5, 6, 8, 9):
        assert png_encode(data, level) == png_encode(data, level, filter=PNG.FILTER.FAST)
    assert png_encode(data, 0) == png_encode(data, 0, filter=PNG.FILTER.NONE)
    assert len(set(row_filters(png_encode(data, filter=PNG.FILTER.ALL)))) > 1
    assert set(row_filters(png_encode(data))) <= {0, 1, 2}
    # bits other than the flags are ignored; negative means the default
    assert png_encode(data, filter=PNG.FILTER.UP | 7) == png_encode(data, filter=PNG.FILTER.UP)
    assert png_encode(data, filter=-1) == png_encode(data)
    assert row_filters(png_encode(data, filter=256)) == [0] * 200


def test_single_row_and_column_filters():
    """Like libpng: no UP/AVG/PAETH for one row, no SUB/AVG/PAETH for one column."""
    assert set(row_filters(png_encode(image((1, 500, 3))))) <= {0, 1}
    assert set(row_filters(png_encode(image((500, 1, 3))))) <= {0, 2}
    assert set(row_filters(png_encode(image((1, 1)), filter=PNG.FILTER.PAETH))) == {0}


def test_input_layouts():
    data = image((33, 47, 3), numpy.uint16)
    expected = png_encode(data)
    assert png_encode(data.astype('>u2')) == expected  # encoded without a copy
    assert png_encode(numpy.asfortranarray(data)) == expected
    assert png_encode(memoryview(data)) == expected
    assert png_encode(data[:, ::-1]) == png_encode(numpy.ascontiguousarray(data[:, ::-1]))
    assert png_encode(data[::2, 1::3]) == png_encode(numpy.ascontiguousarray(data[::2, 1::3]))
    gray = image((20, 30))
    assert png_encode(gray[..., None]) == png_encode(gray)


@pytest.mark.parametrize('data, error', [
    (numpy.zeros((), numpy.uint8), ValueError),
    (numpy.zeros(5, numpy.uint8), ValueError),
    (numpy.zeros((1, 2, 3, 4), numpy.uint8), ValueError),
    (numpy.zeros((2, 3, 5), numpy.uint8), ValueError),
    (numpy.zeros((2, 3, 0), numpy.uint8), ValueError),
    (numpy.zeros((0, 3), numpy.uint8), ValueError),
    (numpy.zeros((3, 0, 3), numpy.uint16), ValueError),
    (numpy.zeros((2, 3), numpy.int8), ValueError),
    (numpy.zeros((2, 3), numpy.int16), ValueError),
    (numpy.zeros((2, 3), bool), ValueError),
    (numpy.zeros((2, 3), numpy.float32), ValueError),
    (numpy.zeros((2, 3), numpy.uint32), ValueError),
    ([[1, 2], [3, 4]], ValueError),
    (b'\x00' * 16, ValueError),
    ('image', TypeError),
    (None, TypeError),
])
def test_encode_invalid_input(data, error):
    with pytest.raises(error):
        png_encode(data)


def test_encode_invalid_options():
    data = image((4, 4))
    for option in ({'level': 1.5}, {'level': 'best'}, {'strategy': 'rle'}, {'filter': 1.5}):
        with pytest.raises(TypeError):
            png_encode(data, **option)
    # out-of-range values are clamped, as zlib levels are elsewhere
    assert png_encode(data, strategy=99) == png_encode(data, strategy=PNG.STRATEGY.FIXED)
    assert png_encode(data, strategy=-1) == png_encode(data)
    assert png_encode(data, 99) == png_encode(data, 9)


def test_encode_out():
    data = image((50, 60, 4))
    expected = png_encode(data)
    assert png_encode(data, out=bytearray) == bytearray(expected)
    assert isinstance(png_encode(data, out=bytearray), bytearray)
    assert png_encode(data, out=len(expected)) == expected
    buffer = bytearray(len(expected) + 100)
    view = png_encode(data, out=buffer)
    assert bytes(view) == expected and buffer[:len(expected)] == expected
    array = numpy.zeros(len(expected), numpy.uint8)
    assert png_encode(data, out=array) is array
    assert array.tobytes() == expected
    for small in (len(expected) - 1, bytearray(100), 0):
        with pytest.raises(PngError, match='too small'):
            png_encode(data, out=small)
    with pytest.raises(TypeError):
        png_encode(data, out=bytes(len(expected)))


# decoding every color type and bit depth

GRAY_DEPTHS = [1, 2, 4, 8, 16]


@pytest.mark.parametrize('interlace', [0, 1])
@pytest.mark.parametrize('shape', [(1, 1), (3, 5), (9, 17), (1, 13), (13, 1), (8, 8)])
@pytest.mark.parametrize('ctype, depth', [
    *((0, d) for d in GRAY_DEPTHS), (2, 8), (2, 16), (4, 8), (4, 16), (6, 8), (6, 16),
])
def test_decode_color_types(ctype, depth, shape, interlace):
    rng = numpy.random.default_rng(depth * 10 + ctype)
    samples = rng.integers(0, 1 << depth, (*shape, CHANNELS[ctype]))
    decoded = png_decode(make_png(samples, ctype, depth, interlace))
    if ctype == 0:
        samples = samples[..., 0]
    if depth < 8:
        expected = scaled(samples, depth)
    else:
        expected = samples.astype(numpy.uint16 if depth == 16 else numpy.uint8)
    assert decoded.dtype == expected.dtype and decoded.dtype.isnative
    assert decoded.shape == expected.shape
    numpy.testing.assert_array_equal(decoded, expected)


@pytest.mark.parametrize('interlace', [0, 1])
@pytest.mark.parametrize('depth', [1, 2, 4, 8])
def test_decode_palette(depth, interlace):
    rng = numpy.random.default_rng(depth)
    entries = 1 << depth
    plte = rng.integers(0, 256, (entries, 3))
    index = rng.integers(0, entries, (11, 19, 1))
    decoded = png_decode(make_png(index, 3, depth, interlace, plte=plte))
    assert decoded.dtype == numpy.uint8 and decoded.shape == (11, 19, 3)
    numpy.testing.assert_array_equal(decoded, plte[index[..., 0]])
    # tRNS gives alpha; entries beyond it are opaque
    for count in sorted({1, max(1, entries // 2), entries}):
        alpha = rng.integers(0, 256, count)
        png = make_png(index, 3, depth, interlace, plte=plte, trns=alpha.astype(numpy.uint8).tobytes())
        decoded = png_decode(png)
        full = numpy.full(entries, 255)
        full[:count] = alpha
        expected = numpy.concatenate([plte[index[..., 0]], full[index]], axis=-1)
        assert decoded.shape == (11, 19, 4)
        numpy.testing.assert_array_equal(decoded, expected)


@pytest.mark.parametrize('depth', GRAY_DEPTHS)
def test_decode_gray_trns(depth):
    """A tRNS key color adds an alpha channel: 0 where the gray equals it."""
    rng = numpy.random.default_rng(depth)
    samples = rng.integers(0, 1 << depth, (7, 9, 1))
    key = int(samples[0, 0, 0])
    decoded = png_decode(make_png(samples, 0, depth, trns=struct.pack('>H', key)))
    top = 65535 if depth == 16 else 255
    gray = samples[..., 0] if depth >= 8 else scaled(samples[..., 0], depth)
    alpha = numpy.where(samples[..., 0] == key, 0, top)
    assert decoded.shape == (7, 9, 2)
    assert decoded.dtype == (numpy.uint16 if depth == 16 else numpy.uint8)
    numpy.testing.assert_array_equal(decoded[..., 0], gray)
    numpy.testing.assert_array_equal(decoded[..., 1], alpha)


@pytest.mark.parametrize('depth', [8, 16])
def test_decode_rgb_trns(depth):
    rng = numpy.random.default_rng(depth)
    samples = rng.integers(0, 4, (7, 9, 3)) * ((1 << depth) // 4)
    key = samples[0, 0]
    decoded = png_decode(make_png(samples, 2, depth, trns=struct.pack('>HHH', *map(int, key))))
    assert decoded.shape == (7, 9, 4)
    numpy.testing.assert_array_equal(decoded[..., :3], samples)
    numpy.testing.assert_array_equal(decoded[..., 3], numpy.where((samples == key).all(-1), 0, (1 << depth) - 1))


def test_decode_ignores_metadata():
    """gAMA, sBIT, text and unknown ancillary chunks do not change samples."""
    samples = numpy.random.default_rng(0).integers(0, 65536, (5, 7, 3))
    extra = (
        chunk(b'gAMA', struct.pack('>I', 45455)) + chunk(b'sBIT', bytes([12, 12, 12]))
        + chunk(b'tEXt', b'Title\0test') + chunk(b'zTXt', b'Comment\0\0' + zlib.compress(b'x' * 1000))
        + chunk(b'prVt', b'private ancillary chunk')
    )
    png = make_png(samples, 2, 16, extra=extra)
    numpy.testing.assert_array_equal(png_decode(png), samples)


def test_decode_many_idat_chunks():
    samples = image((64, 64, 4))
    for size in (1, 7, 1000):
        numpy.testing.assert_array_equal(png_decode(make_png(samples, 6, 8, idat_size=size)), samples)


def test_decode_all_filters():
    """Rows filtered by the encoder with each filter type decode exactly."""
    for depth, channels in ((8, 1), (8, 3), (8, 4), (16, 2), (16, 3)):
        data = image((40, 33, channels), numpy.uint8 if depth == 8 else numpy.uint16)
        for choice in (PNG.FILTER.NONE, PNG.FILTER.SUB, PNG.FILTER.UP, PNG.FILTER.AVG, PNG.FILTER.PAETH):
            decoded = png_decode(png_encode(data, filter=choice))
            numpy.testing.assert_array_equal(decoded, data.reshape(decoded.shape))


def test_decode_input_buffers():
    png = png_encode(image((10, 12, 3)))
    expected = png_decode(png)
    for data in (bytearray(png), memoryview(png), numpy.frombuffer(png, numpy.uint8), png + b'trailing'):
        numpy.testing.assert_array_equal(png_decode(data), expected)


def test_decode_out():
    data = image((20, 30, 3), numpy.uint16)
    png = png_encode(data)
    out = numpy.empty((20, 30, 3), numpy.uint16)
    assert png_decode(png, out=out) is out
    numpy.testing.assert_array_equal(out, data)
    for buffer in (bytearray(data.nbytes), bytearray(data.nbytes + 10), memoryview(bytearray(data.nbytes))):
        result = png_decode(png, out=buffer)
        assert isinstance(result, numpy.ndarray) and result.shape == data.shape
        numpy.testing.assert_array_equal(result, data)
        assert bytes(memoryview(buffer)[:data.nbytes]) == data.tobytes()
    with pytest.raises(ValueError, match='shape'):
        png_decode(png, out=numpy.empty(data.size, numpy.uint16))
    with pytest.raises(ValueError, match='dtype'):
        png_decode(png, out=numpy.empty(data.shape, numpy.uint8))
    with pytest.raises(ValueError):
        png_decode(png, out=bytearray(data.nbytes - 1))
    with pytest.raises((TypeError, ValueError)):
        png_decode(png, out=bytes(data.nbytes))
    with pytest.raises((TypeError, ValueError)):
        png_decode(png, out=numpy.empty((20, 60, 3), numpy.uint16)[:, ::2])


def test_max_output():
    data = image((16, 16, 3))
    png = png_encode(data)
    assert png_decode(png, max_output=data.nbytes).shape == data.shape
    with pytest.raises(PngError, match='max_output'):
        png_decode(png, max_output=data.nbytes - 1)
    # out= decides the size, not max_output
    out = numpy.empty_like(data)
    assert png_decode(png, out=out, max_output=10) is out
    old = ndcodecs.get_max_output()
    try:
        ndcodecs.set_max_output(100)
        with pytest.raises(PngError, match='max_output'):
            png_decode(png)
    finally:
        ndcodecs.set_max_output(old)


# malformed input

def small_png():
    return png_encode(image((16, 16, 3), seed=1))


def test_empty_and_garbage():
    for data in (b'', b'\x89', SIGNATURE, SIGNATURE + b'\0' * 30, b'GIF89a' + bytes(100)):
        with pytest.raises(PngError):
            png_decode(data)
    rng = numpy.random.default_rng(0)
    for size in (1, 8, 33, 100, 1000):
        for _ in range(20):
            data = rng.integers(0, 256, size, numpy.uint8).tobytes()
            with pytest.raises(PngError):
                png_decode(data)
            with pytest.raises(PngError):
                png_decode(SIGNATURE + data)


def test_truncated():
    """Every truncation fails, except inside IEND, which libpng does not read."""
    png = small_png()
    iend = len(png) - 12
    for size in range(iend):
        with pytest.raises(PngError):
            png_decode(png[:size])
    expected = png_decode(png)
    for size in range(iend, len(png)):
        numpy.testing.assert_array_equal(png_decode(png[:size]), expected)


def test_truncated_multi_idat():
    samples = image((40, 40, 3))
    png = make_png(samples, 2, 8, idat_size=500)
    iend = len(png) - 12
    for size in list(range(0, iend, 7)) + list(range(iend - 20, iend)):
        with pytest.raises(PngError):
            png_decode(png[:size])


def corrupt(png, offset):
    data = bytearray(png)
    data[offset] ^= 0x10
    return bytes(data)


def test_bad_crc():
    png = small_png()
    with pytest.raises(PngError, match='checksum'):
        png_decode(corrupt(png, 8 + 8 + 13))  # IHDR CRC
    with pytest.raises(PngError):
        png_decode(corrupt(png, len(png) - 13))  # CRC of the last IDAT
    multi = make_png(image((40, 40, 3)), 2, 8, idat_size=500)
    with pytest.raises(PngError):
        png_decode(corrupt(multi, 33 + 8 + 500))  # CRC of the first IDAT
    with pytest.raises(PngError):
        png_decode(corrupt(multi, len(multi) - 13))
    # a bad CRC of IEND or an ancillary chunk is ignored, as by libpng
    numpy.testing.assert_array_equal(png_decode(corrupt(png, len(png) - 1)), png_decode(png))
    text = make_png(image((4, 4, 3)), 2, 8, extra=chunk(b'tEXt', b'a\0b'))
    assert png_decode(corrupt(text, 33 + 8 + 3)).shape == (4, 4, 3)


def test_corrupt_image_data():
    png = small_png()
    for offset in range(33 + 8, len(png) - 16, 37):
        try:
            png_decode(corrupt(png, offset))
        except PngError:
            continue
        pytest.fail(f'a flipped bit at {offset} went unnoticed')  # the CRC covers it


def fix_crcs(png):
    return SIGNATURE + b''.join(chunk(t, d) for t, d in chunks(png))


def test_invalid_headers():
    samples = numpy.zeros((2, 2, 3), numpy.uint8)
    good = make_png(samples, 2, 8)
    ihdr = chunks(good)[0][1]
    for field, value in [
        (8, 3), (8, 17),  # bit depth
        (9, 1), (9, 5),  # color type
        (10, 1),  # compression method
        (11, 1),  # filter method
        (12, 2),  # interlace method
    ]:
        bad = bytearray(ihdr)
        bad[field] = value
        png = good.replace(ihdr, bytes(bad))
        with pytest.raises(PngError):
            png_decode(fix_crcs(png))
    # palette image without PLTE; 16-bit palette; bad filter type
    with pytest.raises(PngError):
        png_decode(make_png(numpy.zeros((2, 2, 1)), 3, 8))
    with pytest.raises(PngError):
        png_decode(make_png(numpy.zeros((2, 2, 1)), 3, 16, plte=numpy.zeros((4, 3))))
    raw = zlib.compress(b'\x05' + bytes(6) + b'\x00' + bytes(6))
    png = SIGNATURE + chunk(b'IHDR', ihdr) + chunk(b'IDAT', raw) + chunk(b'IEND', b'')
    with pytest.raises(PngError):
        png_decode(png)
    # image data too short, or no IDAT at all
    png = SIGNATURE + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(bytes(5))) + chunk(b'IEND', b'')
    with pytest.raises(PngError):
        png_decode(png)
    with pytest.raises(PngError):
        png_decode(SIGNATURE + chunk(b'IHDR', ihdr) + chunk(b'IEND', b''))


@pytest.mark.parametrize('width, height', [
    (100_000, 100_000), ((1 << 31) - 1, 1), (1, (1 << 31) - 1), ((1 << 31) - 1, (1 << 31) - 1),
    (1 << 31, 1), (0, 5), (5, 0),
])
def test_huge_or_empty_ihdr(width, height):
    """A header claiming a huge image fails at once, before any allocation."""
    ihdr = struct.pack('>IIBBBBB', width, height, 16, 6, 0, 0, 0)
    png = SIGNATURE + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(bytes(1000))) + chunk(b'IEND', b'')
    start = time.perf_counter()
    with pytest.raises(PngError):
        png_decode(png)
    assert time.perf_counter() - start < 0.1


def test_bomb_metadata():
    """A compressed text chunk inflating to 80 MiB is never inflated by our
    own path (it reads no metadata); through libspng (a palette image) it is
    stopped at the chunk cache limit (64 MiB) and the decoder fails."""
    compressor = zlib.compressobj(9)
    zeros = bytes(1 << 20)
    bomb = b''.join(compressor.compress(zeros) for _ in range(80)) + compressor.flush()
    data = image((4, 4, 3))
    png = make_png(data, 2, 8, extra=chunk(b'zTXt', b'Comment\0\0' + bomb))
    start = time.perf_counter()
    numpy.testing.assert_array_equal(png_decode(png), data)
    assert time.perf_counter() - start < 1
    plte = numpy.arange(48).reshape(16, 3)
    png = make_png(numpy.zeros((4, 4, 1)), 3, 8, plte=plte, extra=chunk(b'zTXt', b'Comment\0\0' + bomb))
    start = time.perf_counter()
    with pytest.raises(PngError, match='limit'):
        png_decode(png)
    assert time.perf_counter() - start < 1


# parity with imagecodecs (libpng) and the bundled samples

@pytest.mark.parametrize('path', sample_files(), ids=os.path.basename)
def test_samples_match_imagecodecs(path):
    imagecodecs = pytest.importorskip('imagecodecs')
    with open(path, 'rb') as fh:
        data = fh.read()
    ours = png_decode(data)
    theirs = imagecodecs.png_decode(data)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    numpy.testing.assert_array_equal(ours, theirs)
    # and they round-trip through our encoder
    numpy.testing.assert_array_equal(png_decode(png_encode(ours)), ours)


def test_sample_function():
    camera = ndcodecs.sample('camera')
    assert camera.shape == (512, 512) and camera.dtype == numpy.uint8


@pytest.mark.parametrize('ctype, depth', [(0, d) for d in GRAY_DEPTHS] + [(2, 8), (2, 16), (3, 1), (3, 2), (3, 4), (3, 8), (4, 8), (4, 16), (6, 8), (6, 16)])
@pytest.mark.parametrize('trns', [False, True])
@pytest.mark.parametrize('interlace', [0, 1])
def test_decode_matches_imagecodecs(ctype, depth, trns, interlace):
    imagecodecs = pytest.importorskip('imagecodecs')
    if trns and ctype in (4, 6):
        pytest.skip('no tRNS with an alpha channel')
    rng = numpy.random.default_rng(ctype * 100 + depth)
    samples = rng.integers(0, 1 << depth, (13, 21, CHANNELS[ctype]))
    plte = rng.integers(0, 256, (1 << depth, 3)) if ctype == 3 else None
    trns_chunk = None
    if trns:
        if ctype == 3:
            trns_chunk = rng.integers(0, 256, max(1, (1 << depth) // 2)).astype(numpy.uint8).tobytes()
        else:
            trns_chunk = struct.pack('>' + 'H' * CHANNELS[ctype], *map(int, samples[0, 0]))
    png = make_png(samples, ctype, depth, interlace, plte=plte, trns=trns_chunk)
    ours = png_decode(png)
    theirs = imagecodecs.png_decode(png)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    numpy.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize('shape, dtype', [
    ((512, 512, 3), numpy.uint8), ((100, 77), numpy.uint8), ((64, 65, 2), numpy.uint16),
    ((33, 31, 4), numpy.uint16), ((1, 1), numpy.uint8), ((3, 5, 3), numpy.uint8), ((1, 300, 3), numpy.uint8),
    ((300, 1), numpy.uint16),
])
@pytest.mark.parametrize('options', [
    {}, {'level': 1}, {'level': 9}, {'level': 0}, {'strategy': PNG.STRATEGY.FILTERED},
    {'level': 1, 'strategy': PNG.STRATEGY.RLE, 'filter': PNG.FILTER.SUB}, {'filter': PNG.FILTER.NO},
    {'filter': PNG.FILTER.FAST}, {'filter': PNG.FILTER.PAETH}, {'strategy': PNG.STRATEGY.HUFFMAN_ONLY},
    {'level': 9, 'strategy': PNG.STRATEGY.FIXED, 'filter': PNG.FILTER.AVG},
])
def test_encode_matches_imagecodecs(shape, dtype, options):
    """With the same filter flags (imagecodecs' default is ALL) our rows are
    libpng's; with a zlib strategy the zlib stream is libpng's too, byte for
    byte (libpng splits it into 8 KiB IDAT chunks, we do not)."""
    imagecodecs = pytest.importorskip('imagecodecs')
    data = image(shape, dtype)
    ours = png_encode(data, **{'filter': PNG.FILTER.ALL, **options})
    try:
        theirs = imagecodecs.png_encode(data, **options)
    except imagecodecs.PngError as exc:  # its output bound is too tight for some
        pytest.skip(f'imagecodecs cannot encode this: {exc}')
    assert raw_rows(ours) == raw_rows(theirs)
    numpy.testing.assert_array_equal(imagecodecs.png_decode(ours).reshape(shape), data)
    numpy.testing.assert_array_equal(png_decode(theirs).reshape(shape), data)
    numpy.testing.assert_array_equal(png_decode(png_encode(data, **options)).reshape(shape), data)
    if options.get('strategy') and zlib.ZLIB_RUNTIME_VERSION == '1.2.13':  # the zlib both link here
        assert idat(ours) == idat(theirs)


def idat(png: bytes) -> bytes:
    return b''.join(d for t, d in chunks(png) if t == b'IDAT')


def test_strategy_default_is_libdeflate():
    """DEFAULT deflates with libdeflate, a different stream from zlib's; the
    zlib strategies differ from each other."""
    data = image((128, 128, 3))
    streams = {s: idat(png_encode(data, strategy=s)) for s in PNG.STRATEGY}
    assert len(set(streams.values())) == len(streams)
    assert streams[PNG.STRATEGY.DEFAULT][:1] == b'\x78'  # 32 KiB window
    for stream in streams.values():
        assert len(zlib.decompress(stream)) == 128 * (128 * 3 + 1)


def test_imagecodecs_decodes_ours():
    imagecodecs = pytest.importorskip('imagecodecs')
    for shape in ((1, 1), (1, 9), (9, 1), (3, 5, 2), (4097, 3), (50, 60, 4)):
        for dtype in (numpy.uint8, numpy.uint16):
            data = image(shape, dtype)
            decoded = imagecodecs.png_decode(png_encode(data))
            numpy.testing.assert_array_equal(decoded.reshape(shape), data)


def test_imagecodecs_interlaced_and_16bit():
    """PNGs from the stdlib-only builder, checked against imagecodecs' view of the
    bytes: 16-bit samples come back in native order, interlacing removed."""
    imagecodecs = pytest.importorskip('imagecodecs')
    samples = numpy.random.default_rng(3).integers(0, 65536, (37, 23, 4))
    png = make_png(samples, 6, 16, interlace=1)
    numpy.testing.assert_array_equal(png_decode(png), imagecodecs.png_decode(png))
    assert png_decode(png).dtype.byteorder in ('=', '<' if sys.byteorder == 'little' else '>')


# our own path against Pillow, threads, the GIL

def test_pillow_reads_ours_and_we_read_pillow():
    Image = pytest.importorskip('PIL.Image')
    import io
    for shape, mode in (((31, 17), 'L'), ((31, 17, 3), 'RGB'), ((31, 17, 4), 'RGBA'), ((5, 4097, 3), 'RGB')):
        data = image(shape)
        for level in (0, 1, 6, 9):
            decoded = numpy.asarray(Image.open(io.BytesIO(png_encode(data, level))).convert(mode))
            numpy.testing.assert_array_equal(decoded, data)
        buffer = io.BytesIO()
        Image.fromarray(data, mode).save(buffer, 'PNG', compress_level=6)
        numpy.testing.assert_array_equal(png_decode(buffer.getvalue()), data)
    data = image((20, 30), numpy.uint16)
    decoded = numpy.asarray(Image.open(io.BytesIO(png_encode(data))))
    numpy.testing.assert_array_equal(decoded, data)


def test_filtered_stream_matches_a_reference_filter():
    """Our rows, unfiltered by a plain Python reference, give the image."""
    data = image((9, 11, 3))
    for choice in (PNG.FILTER.SUB, PNG.FILTER.UP, PNG.FILTER.AVG, PNG.FILTER.PAETH, PNG.FILTER.ALL):
        png = png_encode(data, filter=choice)
        raw = raw_rows(png)
        stride, bpp = 11 * 3, 3
        prev = bytearray(stride)
        rows = []
        for y in range(9):
            ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                if ftype == 1:
                    line[i] = (line[i] + a) & 255
                elif ftype == 2:
                    line[i] = (line[i] + b) & 255
                elif ftype == 3:
                    line[i] = (line[i] + (a + b) // 2) & 255
                elif ftype == 4:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            rows.append(bytes(line))
            prev = line
        assert b''.join(rows) == data.tobytes()


@pytest.mark.parametrize('path', sample_files(), ids=os.path.basename)
@pytest.mark.parametrize('level', [1, 6, 9])
def test_samples_roundtrip(path, level):
    with open(path, 'rb') as fh:
        data = png_decode(fh.read())
    encoded = png_encode(data, level)
    numpy.testing.assert_array_equal(png_decode(encoded), data)
    imagecodecs = pytest.importorskip('imagecodecs')
    numpy.testing.assert_array_equal(imagecodecs.png_decode(encoded), data)


def test_threads():
    from concurrent.futures import ThreadPoolExecutor
    inputs = [image((97 + i, 131, 1 + i % 4), (numpy.uint8, numpy.uint16)[i % 2], seed=i) for i in range(16)]
    options = [{'level': i % 10, 'strategy': (0, 0, 1, 3)[i % 4]} for i in range(16)]
    expected = [png_encode(d, **o) for d, o in zip(inputs, options)]
    decoded = [png_decode(e) for e in expected]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            assert list(pool.map(lambda a: png_encode(a[0], **a[1]), zip(inputs, options))) == expected
            for ours, theirs in zip(pool.map(png_decode, expected), decoded):
                numpy.testing.assert_array_equal(ours, theirs)


def test_releases_gil():
    data = image((2048, 2048, 3))
    encoded = png_encode(data, 9)
    assert_releases_gil(lambda: png_encode(data, 9), lambda: png_decode(encoded), min_duration=0.02, too_fast='fail')

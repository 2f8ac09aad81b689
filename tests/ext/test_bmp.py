"""BMP specifics: bit depths, palettes, bit fields, RLE4 and RLE8, headers,
row order, parity with imagecodecs and Pillow, and malformed files.

Files imagecodecs and Pillow cannot write (1/4/16-bit, RLE, core and V5
headers) are built here with struct.
"""

import importlib.resources
import io
import struct
import time

import numpy
import pytest

import ndcodecs
from ndcodecs import BMP, BmpError, bmp_check, bmp_decode, bmp_encode, bmp_version
from common import assert_releases_gil


def build(width, height, bpp, pixels, palette=None, compression=0, masks=None,
          header=40, clrused=None, topdown=False, offset=None):
    """Return a BMP of already packed and padded `pixels` (rows as stored)."""
    pal = b''
    if palette is not None:
        entry = (lambda r, g, b: bytes([b, g, r])) if header == 12 else (lambda r, g, b: bytes([b, g, r, 0]))
        pal = b''.join(entry(*rgb) for rgb in palette)
    if header == 12:
        info = struct.pack('<IHHHH', 12, width, height, 1, bpp)
    else:
        count = len(palette) if palette is not None and clrused is None else (clrused or 0)
        info = struct.pack('<IiiHHIIiiII', header, width, -height if topdown else height, 1, bpp,
                           compression, len(pixels), 2835, 2835, count, 0)
        extra = struct.pack(f'<{len(masks)}I', *masks) if masks else b''
        if header > 40:
            extra = extra.ljust(header - 40, b'\0')
        info += extra
    start = 14 + len(info) + len(pal) if offset is None else offset
    body = info + pal
    return b'BM' + struct.pack('<IHHI', 14 + len(body) + len(pixels), 0, 0, start) + body + pixels


def pack(values, bpp, topdown=False):
    """Rows of (H, W) integers or (H, W, C) bytes, stored bottom-up unless topdown."""
    rows = []
    for row in (values if topdown else values[::-1]):
        row = numpy.asarray(row)
        if bpp < 8:
            bits = numpy.unpackbits(row.astype(numpy.uint8)[:, None], axis=1)[:, 8 - bpp:]
            data = numpy.packbits(bits.reshape(-1)).tobytes()
        elif bpp in (16, 32) and row.ndim == 1:
            data = row.astype(f'<u{bpp // 8}').tobytes()
        else:
            data = row.astype(numpy.uint8).tobytes()
        rows.append(data + bytes(-len(data) % 4))
    return b''.join(rows)


def random_palette(n, seed=0):
    return [tuple(int(v) for v in c) for c in numpy.random.default_rng(seed).integers(0, 256, (n, 3))]


def image(shape, seed=0):
    rng = numpy.random.default_rng(seed)
    return rng.integers(0, 256, shape, numpy.uint8)


def samples():
    folder = importlib.resources.files('ndcodecs') / 'samples'
    return sorted(p.name for p in folder.iterdir() if p.name.endswith('.png'))


def sample(name):
    return ndcodecs.png_decode((importlib.resources.files('ndcodecs') / 'samples' / name).read_bytes())


# constants, version, check

def test_constants_version_check():
    assert BMP.available is True
    assert bmp_version().startswith('ndcodecs ')
    encoded = bmp_encode(image((2, 3)))
    assert bmp_check(encoded) is True
    assert bmp_check(b'BM') is True
    assert bmp_check(b'BA' + bytes(30)) is False
    assert bmp_check(b'') is False
    assert bmp_check(b'BM' + bytes(12) + b'\x07\x00\x00\x00') is False
    assert ndcodecs.codec_for_bytes(encoded).name == 'bmp'
    assert ndcodecs.codec_for_path('a/b.BMP').name == 'bmp'
    assert ndcodecs.codec_for_path('a/b.dib').name == 'bmp'


# round trips and encoder parity

SHAPES = [(1, 1), (1, 7), (7, 1), (3, 5), (4097, 3), (33, 31)]


@pytest.mark.parametrize('samples_', [None, 1, 3, 4])
@pytest.mark.parametrize('size', SHAPES)
def test_roundtrip(size, samples_):
    shape = size if samples_ is None else (*size, samples_)
    data = image(shape, seed=sum(shape))
    encoded = bmp_encode(data)
    assert isinstance(encoded, bytes)
    decoded = bmp_decode(encoded)
    assert decoded.dtype == numpy.uint8
    assert decoded.shape == (size if samples_ in (None, 1) else shape)
    numpy.testing.assert_array_equal(decoded, data.reshape(decoded.shape))


@pytest.mark.parametrize('samples_', [None, 1, 3, 4])
@pytest.mark.parametrize('size', SHAPES)
def test_encode_matches_imagecodecs(size, samples_):
    imagecodecs = pytest.importorskip('imagecodecs')
    shape = size if samples_ is None else (*size, samples_)
    data = image(shape, seed=3)
    ours = bmp_encode(data)
    assert ours == imagecodecs.bmp_encode(data)
    numpy.testing.assert_array_equal(imagecodecs.bmp_decode(ours), bmp_decode(ours))
    numpy.testing.assert_array_equal(bmp_decode(imagecodecs.bmp_encode(data)), data.reshape(bmp_decode(ours).shape))


@pytest.mark.parametrize('ppm', [None, 1, 2835, 1.5, -5, 0x7FFFFFFF])
def test_ppm(ppm):
    imagecodecs = pytest.importorskip('imagecodecs')
    data = image((4, 5, 3))
    ours = bmp_encode(data, ppm=ppm)
    assert ours == imagecodecs.bmp_encode(data, ppm=ppm)
    expected = 3780 if ppm is None else max(1, int(ppm))
    assert struct.unpack('<ii', ours[38:46]) == (expected, expected)


@pytest.mark.parametrize('name', samples())
def test_samples(name):
    data = sample(name)
    if data.ndim == 3 and data.shape[2] == 2:
        data = data[..., 0]
    encoded = bmp_encode(data)
    numpy.testing.assert_array_equal(bmp_decode(encoded), data.reshape(bmp_decode(encoded).shape))
    imagecodecs = pytest.importorskip('imagecodecs')
    assert encoded == imagecodecs.bmp_encode(data)


def test_encode_invalid():
    for data, error in [
        (numpy.zeros((2, 3), numpy.uint16), ValueError),
        (numpy.zeros((2, 3, 2), numpy.uint8), ValueError),
        (numpy.zeros((2, 3), numpy.float32), ValueError),
        (numpy.zeros(5, numpy.uint8), ValueError),
        (numpy.zeros((1, 2, 3, 3), numpy.uint8), ValueError),
        ('image', TypeError),
        (None, TypeError),
    ]:
        with pytest.raises(error):
            bmp_encode(data)
    with pytest.raises(TypeError):
        bmp_encode(image((2, 2)), ppm='high')


def test_encode_layouts_and_out():
    data = image((20, 30, 3))
    expected = bmp_encode(data)
    assert bmp_encode(numpy.asfortranarray(data)) == expected
    assert bmp_encode(data[:, ::-1]) == bmp_encode(numpy.ascontiguousarray(data[:, ::-1]))
    assert bmp_encode(data, out=bytearray) == bytearray(expected)
    buffer = bytearray(len(expected) + 10)
    assert bytes(bmp_encode(data, out=buffer)) == expected
    array = numpy.zeros(len(expected), numpy.uint8)
    assert bmp_encode(data, out=array) is array
    with pytest.raises(BmpError, match='too small'):
        bmp_encode(data, out=bytearray(100))


def test_decode_out():
    data = image((20, 30, 4))
    encoded = bmp_encode(data)
    out = numpy.empty_like(data)
    assert bmp_decode(encoded, out=out) is out
    numpy.testing.assert_array_equal(out, data)
    buffer = bytearray(data.nbytes)
    numpy.testing.assert_array_equal(bmp_decode(encoded, out=buffer), data)
    assert bytes(buffer) == data.tobytes()
    with pytest.raises(ValueError):
        bmp_decode(encoded, out=numpy.empty((20, 30, 3), numpy.uint8))
    with pytest.raises(ValueError):
        bmp_decode(encoded, out=bytearray(10))
    with pytest.raises(TypeError):
        bmp_decode(encoded, out=bytes(data.nbytes))


def test_decode_input_types():
    encoded = bmp_encode(image((5, 6, 3)))
    expected = bmp_decode(encoded)
    for data in (bytearray(encoded), memoryview(encoded), numpy.frombuffer(encoded, numpy.uint8)):
        numpy.testing.assert_array_equal(bmp_decode(data), expected)
    for data, error in (('BM', TypeError), (None, TypeError), (123, TypeError)):
        with pytest.raises(error):
            bmp_decode(data)


# decoding every kind of BMP

@pytest.mark.parametrize('topdown', [False, True])
@pytest.mark.parametrize('bpp', [1, 4, 8])
@pytest.mark.parametrize('header', [12, 40, 56, 108, 124])
def test_palette(bpp, header, topdown):
    if header == 12 and topdown:
        pytest.skip('core headers have no top-down rows')
    rng = numpy.random.default_rng(bpp)
    n = 1 << bpp
    palette = random_palette(n, seed=bpp)
    index = rng.integers(0, n, (7, 13))
    data = build(13, 7, bpp, pack(index, bpp, topdown), palette, header=header, topdown=topdown)
    expected = numpy.array(palette, numpy.uint8)[index]
    numpy.testing.assert_array_equal(bmp_decode(data), expected)
    numpy.testing.assert_array_equal(bmp_decode(data, asrgb=True), expected)
    # as imagecodecs: indices of 8-bit images, the red of 1 and 4-bit ones
    numpy.testing.assert_array_equal(bmp_decode(data, asrgb=False), index if bpp == 8 else expected[..., 0])


@pytest.mark.parametrize('bpp', [1, 4, 8])
def test_gray_palette(bpp):
    """A palette mapping i to (i, i, i) gives gray, of the indices."""
    n = 1 << bpp
    index = numpy.random.default_rng(0).integers(0, n, (5, 9))
    data = build(9, 5, bpp, pack(index, bpp), [(i, i, i) for i in range(n)])
    decoded = bmp_decode(data)
    assert decoded.shape == (5, 9)
    numpy.testing.assert_array_equal(decoded, index)
    assert bmp_decode(data, asrgb=True).shape == (5, 9, 3)
    # another gray palette is not the identity: RGB
    data = build(9, 5, bpp, pack(index, bpp), [(n - 1 - i,) * 3 for i in range(n)])
    assert bmp_decode(data).shape == (5, 9, 3)


def test_short_palette():
    index = numpy.array([[0, 1, 2], [2, 1, 0]])
    palette = random_palette(3)
    numpy.testing.assert_array_equal(
        bmp_decode(build(3, 2, 8, pack(index, 8), palette)), numpy.array(palette, numpy.uint8)[index]
    )
    with pytest.raises(BmpError):
        bmp_decode(build(3, 2, 8, pack(index + 1, 8), palette))  # index 3 beyond the palette


FIELDS = [
    (16, None), (16, (0x7C00, 0x3E0, 0x1F)), (16, (0xF800, 0x7E0, 0x1F)), (16, (0xF00, 0xF0, 0xF, 0xF000)),
    (32, None), (32, (0xFF0000, 0xFF00, 0xFF)), (32, (0xFF0000, 0xFF00, 0xFF, 0xFF000000)),
    (32, (0xFF, 0xFF00, 0xFF0000, 0xFF000000)), (32, (0x3FF00000, 0xFFC00, 0x3FF, 0xC0000000)),
]


def expand(values, mask):
    if not mask:
        return numpy.zeros(values.shape, numpy.uint8)
    shift = (mask & -mask).bit_length() - 1
    top = mask >> shift
    return ((values & mask) >> shift) * 255 // top


@pytest.mark.parametrize('header', [40, 56, 108, 124])
@pytest.mark.parametrize('bpp, masks', FIELDS)
def test_bitfields(bpp, masks, header):
    values = numpy.random.default_rng(bpp).integers(0, 1 << bpp, (5, 7), numpy.uint64)
    if masks is None:
        data = build(7, 5, bpp, pack(values, bpp), header=header)
        masks = (0x7C00, 0x3E0, 0x1F) if bpp == 16 else (0xFF0000, 0xFF00, 0xFF)
    else:
        used = masks if header > 40 else masks[:3]
        data = build(7, 5, bpp, pack(values, bpp), compression=3, masks=used, header=header)
        masks = used if header >= 56 else masks[:3]
    decoded = bmp_decode(data)
    channels = 4 if len(masks) == 4 else 3
    assert decoded.shape == (5, 7, channels)
    for c in range(channels):
        numpy.testing.assert_array_equal(decoded[..., c], expand(values, masks[c]), err_msg=f'channel {c}')


@pytest.mark.parametrize('bpp, masks', FIELDS)
def test_bitfields_match_imagecodecs(bpp, masks):
    """imagecodecs agrees, except where it truncates fields of more than 8
    bits instead of scaling them, and where it reads an alpha mask beyond
    the three that follow a BITMAPINFOHEADER."""
    imagecodecs = pytest.importorskip('imagecodecs')
    if masks and max(bin(m).count('1') for m in masks) > 8:
        pytest.skip('imagecodecs keeps the low 8 bits of wider fields')
    values = numpy.random.default_rng(bpp).integers(0, 1 << bpp, (5, 7), numpy.uint64)
    if masks is None:
        data = build(7, 5, bpp, pack(values, bpp), header=124)
    else:
        data = build(7, 5, bpp, pack(values, bpp), compression=3, masks=masks, header=124)
    numpy.testing.assert_array_equal(bmp_decode(data), imagecodecs.bmp_decode(data))


@pytest.mark.parametrize('topdown', [False, True])
def test_24bit(topdown):
    data = image((9, 11, 3))
    bmp = build(11, 9, 24, pack(data[..., ::-1], 24, topdown), topdown=topdown)
    numpy.testing.assert_array_equal(bmp_decode(bmp), data)
    core = build(11, 9, 24, pack(data[..., ::-1], 24), header=12)
    numpy.testing.assert_array_equal(bmp_decode(core), data)


def test_32bit_bgrx_is_rgb():
    data = image((3, 4, 4))
    decoded = bmp_decode(build(4, 3, 32, pack(data, 32)))
    numpy.testing.assert_array_equal(decoded, data[..., 2::-1])


# RLE

def rle8_stream(index):
    """RLE8 of (H, W) indices, bottom-up: runs of equal pixels, else absolute runs."""
    out = bytearray()
    for row in index[::-1]:
        row = [int(v) for v in row]
        x = 0
        while x < len(row):
            run = 1
            while x + run < len(row) and run < 255 and row[x + run] == row[x]:
                run += 1
            if run >= 3 or len(row) - x < 3:
                out += bytes([run, row[x]])
                x += run
            else:
                n = min(len(row) - x, 255)
                out += bytes([0, n, *row[x:x + n]]) + bytes(n & 1)
                x += n
        out += b'\x00\x00'
    return bytes(out + b'\x00\x01')


def test_rle8():
    rng = numpy.random.default_rng(8)
    index = rng.integers(0, 5, (9, 21))
    index[2, 3:15] = 4
    palette = random_palette(5)
    data = build(21, 9, 8, rle8_stream(index), palette, compression=1)
    expected = numpy.array(palette, numpy.uint8)[index]
    numpy.testing.assert_array_equal(bmp_decode(data), expected)
    numpy.testing.assert_array_equal(bmp_decode(data, asrgb=False), index)
    Image = pytest.importorskip('PIL.Image')
    numpy.testing.assert_array_equal(bmp_decode(data), numpy.asarray(Image.open(io.BytesIO(data)).convert('RGB')))


def test_rle_escapes():
    """Delta and end-of-line skip pixels, which stay index 0; pixels past
    the right edge are dropped; the end of bitmap ends the image."""
    palette = [(0, 0, 0), (10, 10, 10), (20, 20, 20), (30, 30, 30)]
    stream = bytes([
        2, 1,  # bottom row: 1 1
        0, 2, 1, 1,  # delta: right 1, up 1 -> row 1, x 3
        3, 2,  # 2 2 2 at x 3..5, dropping one past the edge
        0, 0,  # end of line -> row 2
        0, 3, 3, 1, 3, 0,  # absolute 3 1 3, padded
        0, 1,  # end of bitmap
    ])
    data = build(5, 4, 8, stream, palette, compression=1)
    expected = numpy.zeros((4, 5), numpy.uint8)
    expected[3, :2] = 1
    expected[2, 3:] = 2
    expected[1, :3] = [3, 1, 3]
    numpy.testing.assert_array_equal(bmp_decode(data, asrgb=False), expected)


def test_rle4():
    palette = random_palette(16, seed=4)
    stream = bytes([
        5, 0x12,  # 1 2 1 2 1
        0, 0,
        0, 5, 0x34, 0x56, 0x70, 0,  # absolute 3 4 5 6 7, padded to 16 bits
        0, 0,
        3, 0xAB,  # A B A
        0, 1,
    ])
    data = build(5, 3, 4, stream, palette, compression=2)
    index = numpy.array([[10, 11, 10, 0, 0], [3, 4, 5, 6, 7], [1, 2, 1, 2, 1]])
    numpy.testing.assert_array_equal(bmp_decode(data), numpy.array(palette, numpy.uint8)[index])
    # Pillow reads it too once the last row is complete
    Image = pytest.importorskip('PIL.Image')
    data = build(5, 3, 4, stream[:-2] + bytes([2, 0xCD, 0, 1]), palette, compression=2)
    index[0] = [10, 11, 10, 12, 13]
    numpy.testing.assert_array_equal(bmp_decode(data), numpy.array(palette, numpy.uint8)[index])
    numpy.testing.assert_array_equal(bmp_decode(data), numpy.asarray(Image.open(io.BytesIO(data)).convert('RGB')))


def test_rle_malformed():
    palette = random_palette(4)
    for stream in (b'', b'\x02', b'\x00\x02\x01', b'\x00\x05\x01\x02', b'\x02\x01\x00\x00', b'\x00'):
        with pytest.raises(BmpError):
            bmp_decode(build(4, 2, 8, stream, palette, compression=1))
    # a run of an index beyond the palette
    with pytest.raises(BmpError):
        bmp_decode(build(4, 1, 8, b'\x04\x09\x00\x01', palette, compression=1))
    # huge deltas end the image; rows past the last are dropped
    data = build(4, 2, 8, b'\x00\x02\xff\xff\x04\x01\x00\x01', palette, compression=1)
    numpy.testing.assert_array_equal(bmp_decode(data, asrgb=False), numpy.zeros((2, 4)))


# parity with Pillow and imagecodecs on files they write

@pytest.mark.parametrize('mode', ['1', 'L', 'P', 'RGB', 'RGBA'])
def test_pillow_files(mode):
    Image = pytest.importorskip('PIL.Image')
    data = image((17, 23, 3), seed=5)
    im = Image.fromarray(data).convert(mode) if mode != 'RGBA' else Image.fromarray(image((17, 23, 4)))
    buffer = io.BytesIO()
    im.save(buffer, 'BMP')
    decoded = bmp_decode(buffer.getvalue(), asrgb=True)
    expected = numpy.asarray(im.convert('RGBA' if mode == 'RGBA' else 'RGB'))
    if mode == 'RGBA' and decoded.shape[2] == 3:
        expected = expected[..., :3]  # Pillow writes BI_RGB: no alpha
    numpy.testing.assert_array_equal(decoded, expected)
    imagecodecs = pytest.importorskip('imagecodecs')
    numpy.testing.assert_array_equal(bmp_decode(buffer.getvalue()), imagecodecs.bmp_decode(buffer.getvalue()))


@pytest.mark.parametrize('bpp', [1, 4, 8, 24])
@pytest.mark.parametrize('asrgb', [None, True, False])
def test_decode_matches_imagecodecs(bpp, asrgb):
    imagecodecs = pytest.importorskip('imagecodecs')
    rng = numpy.random.default_rng(bpp)
    for palette in (random_palette(1 << min(bpp, 8)), [(i, i, i) for i in range(1 << min(bpp, 8))]):
        if bpp == 24:
            data = build(13, 7, 24, pack(image((7, 13, 3)), 24))
        else:
            data = build(13, 7, bpp, pack(rng.integers(0, 1 << bpp, (7, 13)), bpp), palette, header=124)
        ours = bmp_decode(data, asrgb=asrgb)
        theirs = imagecodecs.bmp_decode(data, asrgb=asrgb)
        assert ours.shape == theirs.shape
        numpy.testing.assert_array_equal(ours, theirs)


# malformed headers

def good():
    return build(4, 3, 8, pack(numpy.arange(12).reshape(3, 4), 8), random_palette(12))


def patched(data, offset, fmt, value):
    data = bytearray(data)
    struct.pack_into(fmt, data, offset, value)
    return bytes(data)


@pytest.mark.parametrize('offset, fmt, value', [
    (14, '<I', 0), (14, '<I', 41), (14, '<I', 0xFFFFFFFF), (14, '<I', 64),  # header size
    (18, '<i', 0), (18, '<i', -4), (18, '<i', 100_000), (18, '<i', 0x7FFFFFFF),  # width
    (22, '<i', 0), (22, '<i', 100_000), (22, '<i', -100_000), (22, '<i', -(2**31)),  # height
    (28, '<H', 0), (28, '<H', 7), (28, '<H', 2), (28, '<H', 64),  # bits per pixel
    (30, '<I', 2), (30, '<I', 3), (30, '<I', 4), (30, '<I', 5), (30, '<I', 99),  # compression
    (46, '<I', 255), (46, '<I', 0xFFFFFFFF),  # colors used: beyond the file
    (10, '<I', 0), (10, '<I', 0xFFFFFFFF), (10, '<I', 5000),  # pixel offset
])
def test_malformed_header(offset, fmt, value):
    data = patched(good(), offset, fmt, value)
    start = time.perf_counter()
    with pytest.raises(BmpError):
        bmp_decode(data)
    assert time.perf_counter() - start < 0.1


def test_huge_claimed_size_rle():
    """RLE images are not bounded by the file size, but by max_output."""
    data = build(100_000, 100_000, 8, b'\x00\x01', random_palette(2), compression=1)
    with pytest.raises(BmpError, match='max_output'):
        bmp_decode(data)
    data = build(1000, 1000, 8, b'\x00\x01', random_palette(2), compression=1)
    with pytest.raises(BmpError, match='max_output'):
        bmp_decode(data, max_output=1000 * 1000 * 3 - 1)
    assert bmp_decode(data, max_output=1000 * 1000 * 3).shape == (1000, 1000, 3)


def test_empty_truncated_corrupt():
    for data in (b'', b'B', b'BM', b'BM' + bytes(50), b'GIF89a' + bytes(100)):
        with pytest.raises(BmpError):
            bmp_decode(data)
    encoded = bmp_encode(image((16, 16, 3)))
    for size in range(len(encoded) - 3):  # the last row's padding is optional
        with pytest.raises(BmpError):
            bmp_decode(encoded[:size])
    rng = numpy.random.default_rng(0)
    for _ in range(300):
        data = bytearray(encoded[:rng.integers(1, 200)])
        data[rng.integers(0, len(data))] = rng.integers(0, 256)
        try:
            bmp_decode(bytes(data))
        except BmpError:
            pass
    for size in (1, 20, 100, 1000):
        with pytest.raises(BmpError):
            bmp_decode(b'BM' + rng.integers(0, 256, size, numpy.uint8).tobytes())


# threads and the GIL

def test_threads():
    from concurrent.futures import ThreadPoolExecutor

    images = [image((200 + i, 300, 3), seed=i) for i in range(8)]
    single = [bmp_encode(a) for a in images]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(bmp_encode, images)) == single
        for decoded, data in zip(pool.map(bmp_decode, single), images):
            numpy.testing.assert_array_equal(decoded, data)


def test_releases_gil():
    data = image((4000, 4000, 3))
    encoded = bmp_encode(data)
    rle = build(4000, 4000, 8, b'\x00\x01', random_palette(2), compression=1)
    assert_releases_gil(lambda: bmp_encode(data), lambda: bmp_decode(encoded), lambda: bmp_decode(rle))

"""TIFF decoding through libtiff: every sample type, strips and tiles,
contiguous and planar samples, compressions, BigTIFF, both byte orders and
page selection, against tifffile and imagecodecs; bad input, threads and
the GIL.
"""

import io
import struct

import numpy
import pytest

import ndcodecs
from ndcodecs import TIFF, TiffError, tiff_check, tiff_decode, tiff_version
from common import assert_releases_gil, run_in_threads

tifffile = pytest.importorskip('tifffile', reason='tifffile writes the test files')

DTYPES = ['u1', 'i1', 'u2', 'i2', 'u4', 'i4', 'u8', 'i8', 'f2', 'f4', 'f8', 'c8', 'c16']

LAYOUTS = [
    {},
    {'rowsperstrip': 3},
    {'tile': (16, 16)},
    {'planarconfig': 'separate'},
    {'planarconfig': 'separate', 'tile': (16, 32)},
    {'bigtiff': True},
    {'byteorder': '>'},
    {'byteorder': '>', 'tile': (16, 16), 'planarconfig': 'separate'},
]

COMPRESSIONS = [
    {'compression': 'zlib'},
    {'compression': 'lzw', 'predictor': True},
    {'compression': 'packbits'},
    {'compression': 'zstd'},
    {'compression': 'lzma'},
    {'compression': 'zlib', 'predictor': True, 'tile': (16, 16)},
]


def write(data, **kwargs) -> bytes:
    buf = io.BytesIO()
    tifffile.imwrite(buf, data, **kwargs)
    return buf.getvalue()


def read(data: bytes, key=0):
    return tifffile.imread(io.BytesIO(data), key=key)


def image(dtype, shape, seed=0):
    rng = numpy.random.default_rng(seed)
    dtype = numpy.dtype(dtype)
    if dtype.kind in 'fc':
        return (rng.normal(0, 100, shape) + (1j * rng.normal(0, 1, shape) if dtype.kind == 'c' else 0)).astype(dtype)
    info = numpy.iinfo(dtype)
    return rng.integers(info.min, info.max, shape, dtype, endpoint=True)


def test_names():
    assert TIFF.available and TIFF.COMPRESSION.ZSTD == 50000
    assert tiff_version().startswith('libtiff 4.')
    for head in (b'II*\x00', b'MM\x00*', b'II+\x00', b'MM\x00+'):
        assert tiff_check(head + bytes(4))
        assert ndcodecs.get_codec('tiff').check(head)
    assert not tiff_check(b'\x89PNG')
    codec = ndcodecs.get_codec('tiff')
    assert codec.multiframe and not codec.can_encode
    with pytest.raises(NotImplementedError):
        ndcodecs.tiff_encode(numpy.zeros((2, 2), 'u1'))


@pytest.mark.parametrize('dtype', DTYPES)
def test_dtypes(dtype):
    data = image(dtype, (19, 33))
    encoded = write(data)
    result = tiff_decode(encoded)
    assert result.dtype == data.dtype
    numpy.testing.assert_array_equal(result, data)


@pytest.mark.parametrize('layout', LAYOUTS, ids=str)
@pytest.mark.parametrize('dtype', ['u1', 'u2', 'f4', 'f8'])
def test_layouts(layout, dtype):
    """Strips, tiles and planes decode as tifffile reads them."""
    rgb = image(dtype, (3, 37, 41) if 'planarconfig' in layout else (37, 41, 3), 1)
    encoded = write(rgb, photometric='rgb', **layout)
    result = tiff_decode(encoded)
    expected = read(encoded)
    assert result.shape == expected.shape and result.dtype == expected.dtype
    numpy.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize('compression', COMPRESSIONS, ids=str)
def test_compressions(compression):
    data = image('u2', (45, 50, 3), 2) >> 6
    encoded = write(data, photometric='rgb', **compression)
    numpy.testing.assert_array_equal(tiff_decode(encoded), data)


def test_float_predictor_and_jpeg():
    data = image('f4', (40, 48), 3)
    encoded = write(data, compression='zlib', predictor=3)
    numpy.testing.assert_array_equal(tiff_decode(encoded), data)
    rgb = numpy.dstack([numpy.linspace(0, 255, 48 * 40).reshape(40, 48).astype('u1')] * 3)
    try:
        encoded = write(rgb, photometric='rgb', compression='jpeg')
    except Exception as exc:  # tifffile needs imagecodecs for JPEG
        pytest.skip(f'cannot write JPEG TIFF: {exc}')
    result = tiff_decode(encoded)
    assert result.shape == (40, 48, 3)
    assert numpy.abs(result.astype(int) - rgb).mean() < 3


def test_bilevel():
    data = image('u1', (23, 37), 4) > 127
    for kwargs in ({}, {'tile': (16, 16)}, {'compression': 'packbits'}):
        encoded = write(data, **kwargs)
        result = tiff_decode(encoded)
        assert result.dtype == numpy.bool_
        numpy.testing.assert_array_equal(result, data)


def test_extra_samples():
    for shape in [(17, 21, 4), (17, 21, 2), (17, 21, 5)]:
        data = image('u1', shape, 5)
        kwargs = {'photometric': 'rgb'} if shape[2] == 4 else {'photometric': 'minisblack', 'planarconfig': 'contig'}
        encoded = write(data, **kwargs)
        numpy.testing.assert_array_equal(tiff_decode(encoded), data)


def test_pages():
    pages = image('u2', (5, 16, 24), 6)
    encoded = write(pages)
    numpy.testing.assert_array_equal(tiff_decode(encoded), pages[0])
    numpy.testing.assert_array_equal(tiff_decode(encoded, index=3), pages[3])
    numpy.testing.assert_array_equal(tiff_decode(encoded, index=None), pages)
    numpy.testing.assert_array_equal(tiff_decode(encoded, index=slice(1, None, 2)), pages[1::2])
    numpy.testing.assert_array_equal(tiff_decode(encoded, index=[4, 0]), pages[[4, 0]])
    numpy.testing.assert_array_equal(tiff_decode(encoded, index=(2,)), pages[2:3])
    with pytest.raises(IndexError):
        tiff_decode(encoded, index=5)
    with pytest.raises(IndexError):
        tiff_decode(encoded, index=[0, 7])
    with pytest.raises(TypeError):
        tiff_decode(encoded, index='0')


def test_pages_of_different_kinds():
    buf = io.BytesIO()
    with tifffile.TiffWriter(buf) as tif:
        tif.write(image('u1', (8, 9), 1))
        tif.write(image('u2', (8, 9), 2))
        tif.write(image('u1', (8, 9), 3))
    encoded = buf.getvalue()
    assert tiff_decode(encoded, index=None).shape == (2, 8, 9)  # pages 0 and 2
    assert tiff_decode(encoded, index=1).dtype == numpy.uint16
    with pytest.raises(TiffError):
        tiff_decode(encoded, index=[0, 1])


def test_asrgb():
    rgb = image('u1', (12, 14, 3), 7)
    result = tiff_decode(write(rgb, photometric='rgb'), asrgb=True)
    assert result.shape == (12, 14, 4) and result.dtype == numpy.uint8
    numpy.testing.assert_array_equal(result[..., :3], rgb)
    assert (result[..., 3] == 255).all()
    gray = image('u1', (12, 14), 8)
    result = tiff_decode(write(gray), asrgb=True)
    numpy.testing.assert_array_equal(result[..., 1], gray)


def test_imagecodecs_parity():
    imagecodecs = pytest.importorskip('imagecodecs')
    cases = [
        (image('u1', (3, 17, 23)), {'photometric': 'minisblack'}),
        (image('u2', (2, 17, 23, 3)), {'photometric': 'rgb', 'tile': (16, 16)}),
        (image('f4', (2, 3, 17, 23)), {'photometric': 'rgb', 'planarconfig': 'separate', 'compression': 'zlib'}),
        (image('i8', (17, 23)), {'byteorder': '>'}),
        (image('u1', (17, 23)) > 100, {}),
    ]
    for data, kwargs in cases:
        encoded = write(data, **kwargs)
        for index in (0, None, slice(0, 2)):
            expected = imagecodecs.tiff_decode(encoded, index=index)
            result = tiff_decode(encoded, index=index)
            assert result.shape == expected.shape and result.dtype == expected.dtype
            numpy.testing.assert_array_equal(result, expected)
    # a file written by imagecodecs' libtiff
    data = image('u2', (30, 40, 3), 9)
    try:
        encoded = imagecodecs.tiff_encode(data, photometric='rgb', compression='deflate')
    except Exception as exc:
        pytest.skip(f'imagecodecs cannot write TIFF: {exc}')
    numpy.testing.assert_array_equal(tiff_decode(encoded), data)


def test_out():
    data = image('u2', (20, 30), 10)
    encoded = write(data)
    out = numpy.empty((20, 30), 'u2')
    assert tiff_decode(encoded, out=out) is out
    numpy.testing.assert_array_equal(out, data)
    buf = bytearray(20 * 30 * 2)
    tiff_decode(encoded, out=buf)
    assert bytes(buf) == data.tobytes()
    with pytest.raises(ValueError):
        tiff_decode(encoded, out=numpy.empty((20, 31), 'u2'))


def header_claiming(width, height) -> bytes:
    """A classic TIFF whose one strip claims a huge uncompressed image."""
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1),
               (262, 3, 1, 1), (273, 4, 1, 8 + 2 + 12 * 9 + 4), (277, 3, 1, 1),
               (278, 4, 1, height), (279, 4, 1, 16)]
    ifd = struct.pack('<H', len(entries))
    for tag, typ, count, value in entries:
        ifd += struct.pack('<HHI', tag, typ, count) + (struct.pack('<HH', value, 0) if typ == 3 else struct.pack('<I', value))
    return b'II*\x00' + struct.pack('<I', 8) + ifd + bytes(4) + bytes(16)


def test_huge_dimensions():
    with pytest.raises(TiffError, match='max_output'):
        tiff_decode(header_claiming(100000, 100000))
    with pytest.raises(TiffError):
        tiff_decode(header_claiming(4, 4), max_output=8)
    # the tiny valid file decodes
    assert tiff_decode(header_claiming(4, 4)).shape == (4, 4)


def test_bad_input():
    encoded = write(image('u2', (40, 50), 11), compression='zlib', rowsperstrip=8)
    for bad in (b'', b'II', b'II*\x00', b'II*\x00' + bytes(8), b'MM\x00*\xff\xff\xff\xff', encoded[:100], encoded[:len(encoded) // 2]):
        with pytest.raises(TiffError):
            tiff_decode(bad)
    with pytest.raises(TiffError, match='TIFF'):
        tiff_decode(b'GIF89a' + bytes(100))
    for bad in ('text', None, 1.5):
        with pytest.raises(TypeError):
            tiff_decode(bad)
    rng = numpy.random.default_rng(12)
    for _ in range(300):
        data = bytearray(encoded)
        for _ in range(rng.integers(1, 8)):
            data[rng.integers(0, len(data))] = rng.integers(0, 256)
        try:
            tiff_decode(bytes(data), index=None, max_output=1 << 22)
        except (TiffError, IndexError):
            pass


def test_error_message():
    encoded = write(image('u2', (40, 50), 11), compression='zlib', rowsperstrip=8)
    # corrupt the deflate stream of the first strip
    offset = read_offset(encoded)
    corrupt = encoded[:offset] + b'\xff' * 8 + encoded[offset + 8:]
    with pytest.raises(TiffError, match='TIFFReadEncodedStrip failed: .+'):
        tiff_decode(corrupt)


def read_offset(encoded):
    with tifffile.TiffFile(io.BytesIO(encoded)) as tif:
        return tif.pages[0].dataoffsets[0]


def test_threads():
    """Four threads decode (and fail on bad files) as one does."""
    files = [write(image('u2', (256, 256, 3), i), photometric='rgb', compression='zlib', tile=(64, 64)) for i in range(4)]
    bad = files[0][:len(files[0]) // 2]
    expected = [tiff_decode(f) for f in files]
    errors = []

    def work(i):
        for _ in range(10):
            result = tiff_decode(files[i])
            try:
                tiff_decode(bad)
            except TiffError as exc:
                errors.append(str(exc))
        return result

    results = run_in_threads(work)
    for result, exp in zip(results, expected):
        numpy.testing.assert_array_equal(result, exp)
    assert len(errors) == 40 and len(set(errors)) == 1


def test_releases_gil():
    encoded = write(image('u2', (2048, 2048), 13) >> 4, compression='zlib')
    assert_releases_gil(lambda: tiff_decode(encoded), too_fast='skip')

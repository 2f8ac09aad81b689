"""Tests of the HEIF codec (libheif): HEVC and AV1 encoding where plugins
exist, lossless and lossy round trips, gray, alpha, 10 and 12 bit, AVIF
files of libavif and imagecodecs, bad input, threads, the GIL and memory.
imagecodecs 2026.3.6 ships no HEIF codec to compare with."""

from concurrent.futures import ThreadPoolExecutor

import numpy
import pytest

import ndcodecs

pytest.importorskip('ndcodecs._ext._heif')
from ndcodecs._ext._heif import HEIF, HeifError, heif_check, heif_decode, heif_encode, heif_version  # noqa: E402
from common import assert_memory_flat, assert_releases_gil, assert_runs_in_parallel, psnr

COMPRESSIONS = [c for c in ('HEVC', 'AV1') if c in HEIF.encoders]


def image(shape, dtype=numpy.uint8, bits=8, seed=0):
    rng = numpy.random.default_rng(seed)
    y, x = numpy.mgrid[:shape[0], :shape[1]]
    base = 0.5 + 0.4 * numpy.sin(x / 7.0 + y / 11.0)
    if len(shape) == 3:
        base = base[..., None] * numpy.linspace(0.6, 1.0, shape[2])
    base = numpy.clip(base + rng.normal(0, 0.02, shape), 0, 1)
    return numpy.round(base * ((1 << bits) - 1)).astype(dtype)


def encoder(compression):
    if compression not in HEIF.encoders:
        pytest.skip(f'libheif has no {compression} encoder plugin here')


def test_version_and_plugins():
    assert heif_version().startswith('libheif ')
    assert 'HEVC' in HEIF.decoders
    for name, plugins in HEIF.encoders.items():
        assert name in HEIF.COMPRESSION.__members__ and plugins


def test_missing_encoder_is_named():
    missing = [c for c in HEIF.COMPRESSION if c.name not in HEIF.encoders and c]
    with pytest.raises(HeifError, match=f'no encoder plugin for {missing[0].name}'):
        heif_encode(image((16, 16, 3)), compression=missing[0])


@pytest.mark.parametrize('compression', ['HEVC', 'AV1'])
@pytest.mark.parametrize('samples', [1, 2, 3, 4])
def test_lossless_roundtrip(compression, samples):
    encoder(compression)
    data = image((40, 56) if samples == 1 else (40, 56, samples))
    encoded = heif_encode(data, 100, compression=compression)
    assert heif_check(encoded)
    gray = samples <= 2
    decoded = heif_decode(encoded, photometric=HEIF.COLORSPACE.MONOCHROME if gray else None)
    assert decoded.dtype == numpy.uint8 and decoded.shape == data.shape
    numpy.testing.assert_array_equal(decoded, data)


@pytest.mark.parametrize('compression', ['HEVC', 'AV1'])
def test_lossy(compression):
    encoder(compression)
    data = image((64, 80, 3))
    sizes = []
    for level in (30, 60, 90):
        encoded = heif_encode(data, level, compression=compression)
        sizes.append(len(encoded))
        decoded = heif_decode(encoded)
        assert decoded.shape == data.shape
        assert psnr(data, decoded) > 28
    assert sizes == sorted(sizes)
    assert len(heif_encode(data, compression=compression)) == sizes[-1]  # default 90


@pytest.mark.parametrize('bits', [10, 12])
def test_high_bit_depth(bits):
    encoder('HEVC')
    data = image((48, 64, 3), numpy.uint16, bits)
    decoded = heif_decode(heif_encode(data, 100, bitspersample=bits))
    assert decoded.dtype == numpy.uint16
    numpy.testing.assert_array_equal(decoded, data)
    lossy = heif_decode(heif_encode(data, 80, bitspersample=bits))
    assert psnr(data, lossy, (1 << bits) - 1) > 30


def test_gray_as_rgb_and_photometric():
    encoder('HEVC')
    data = image((32, 48))
    encoded = heif_encode(data, 100)
    rgb = heif_decode(encoded)
    assert rgb.shape == (32, 48, 3)
    numpy.testing.assert_array_equal(heif_decode(encoded, photometric='gray'), data)
    numpy.testing.assert_array_equal(heif_decode(encoded, photometric=2), data)
    with pytest.raises(ValueError):
        heif_decode(encoded, photometric='cmyk')


def test_reads_avif():
    """libheif reads AVIF files of libavif and of imagecodecs."""
    data = image((40, 48, 3))
    if ndcodecs.get_codec('avif').available:
        numpy.testing.assert_array_equal(heif_decode(ndcodecs.avif_encode(data)), data)
        lossy = ndcodecs.avif_encode(data, 70)
        # the same YUV; libheif and libavif round differently to RGB
        diff = heif_decode(lossy).astype(int) - ndcodecs.avif_decode(lossy)
        assert numpy.abs(diff).max() <= 2
    imagecodecs = pytest.importorskip('imagecodecs')
    theirs = imagecodecs.avif_encode(data, 100)
    numpy.testing.assert_array_equal(heif_decode(theirs), data)


def test_avif_reads_ours():
    encoder('AV1')
    data = image((40, 48, 4))
    encoded = heif_encode(data, 100, compression='AV1')
    if ndcodecs.get_codec('avif').available:
        numpy.testing.assert_array_equal(ndcodecs.avif_decode(encoded), data)
    imagecodecs = pytest.importorskip('imagecodecs')
    numpy.testing.assert_array_equal(imagecodecs.avif_decode(encoded), data)


def test_pillow_reads_ours():
    Image = pytest.importorskip('PIL.Image')
    import io
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        pytest.skip('needs pillow-heif')
    register_heif_opener()
    data = image((32, 32, 3))
    numpy.testing.assert_array_equal(numpy.asarray(Image.open(io.BytesIO(heif_encode(data, 100)))), data)


def test_index():
    encoder('HEVC')
    encoded = heif_encode(image((16, 16, 3)))
    assert heif_decode(encoded, index=0).shape == (16, 16, 3)
    with pytest.raises(IndexError):
        heif_decode(encoded, index=1)


def test_check():
    assert heif_check(b'\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic') is True
    assert heif_check(b'\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic') is True
    assert heif_check(b'\0' * 64) is False
    assert heif_check(b'') is False
    assert ndcodecs.codec_for_path('a.HEIC').name == 'heif'


def test_wrong_arguments():
    data = image((8, 8, 3))
    with pytest.raises(TypeError):
        heif_encode('text')
    with pytest.raises(TypeError):
        heif_encode(None)
    with pytest.raises(TypeError):
        heif_decode('text')
    with pytest.raises(ValueError):
        heif_encode(data.astype(numpy.float32))
    with pytest.raises(ValueError):
        heif_encode(numpy.zeros((8, 8, 5), numpy.uint8))
    with pytest.raises(ValueError):
        heif_encode(data, bitspersample=10)
    with pytest.raises(ValueError):
        heif_encode(data, compression='zip')


def test_out_and_max_output():
    encoder('HEVC')
    data = image((20, 30, 3))
    encoded = heif_encode(data, 100)
    out = numpy.zeros_like(data)
    assert heif_decode(encoded, out=out) is out
    numpy.testing.assert_array_equal(out, data)
    with pytest.raises(ValueError):
        heif_decode(encoded, out=numpy.zeros((20, 30, 4), numpy.uint8))
    assert heif_encode(data, 100, out=bytearray) == bytearray(encoded)
    with pytest.raises(HeifError):
        heif_encode(data, out=10)
    with pytest.raises(HeifError, match='max_output'):
        heif_decode(encoded, max_output=data.nbytes - 1)


def test_bad_input():
    rng = numpy.random.default_rng(0)
    for data in (b'', b'\0', bytes(100), b'\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic' + bytes(40),
                 rng.integers(0, 256, 1000, numpy.uint8).tobytes()):
        with pytest.raises(HeifError):
            heif_decode(data)


def test_truncated_and_corrupt():
    encoder('HEVC')
    encoded = heif_encode(image((32, 32, 3)), 80)
    for size in range(0, len(encoded) - 1, 9):
        with pytest.raises(HeifError):
            heif_decode(encoded[:size])
    rng = numpy.random.default_rng(1)
    for _ in range(200):
        data = bytearray(encoded)
        data[rng.integers(0, len(data))] ^= 1 << int(rng.integers(0, 8))
        try:
            heif_decode(bytes(data))
        except HeifError:
            pass


# threads, GIL, memory

def test_threads():
    encoder('HEVC')
    inputs = [image((40 + i, 48, 3 + i % 2), seed=i) for i in range(8)]
    expected = [heif_encode(d, 100) for d in inputs]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda d: heif_encode(d, 100), inputs)) == expected
        for ours, data in zip(pool.map(heif_decode, expected), inputs):
            numpy.testing.assert_array_equal(ours, data)


def test_releases_gil():
    encoder('HEVC')
    data = image((512, 512, 3))
    encoded = heif_encode(data, 80, numthreads=1)
    assert_releases_gil(lambda: heif_encode(data, 80, numthreads=1), lambda: heif_decode(encoded), min_duration=0.02, too_fast='fail')


def test_two_threads_faster_than_sequential():
    encoder('HEVC')
    encoded = heif_encode(image((768, 1024, 3)), 80)
    assert_runs_in_parallel(lambda: heif_decode(encoded))


def test_memory_flat():
    encoder('HEVC')
    data = image((32, 32, 3))
    assert_memory_flat(lambda: heif_decode(heif_encode(data, 80)), warmup=100, repeat=600, limit=8 << 20)

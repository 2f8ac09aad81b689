"""JPEG 2000 specifics: formats, bit depths, components, lossless and lossy,
tiles, resolutions, code blocks, progressions, reduced decoding, threads,
parity with imagecodecs, malformed streams and memory."""

import time

import numpy
import pytest

import ndcodecs
from ndcodecs import JPEG2K, Jpeg2kError, jpeg2k_check, jpeg2k_decode, jpeg2k_encode, jpeg2k_version
from common import assert_memory_flat, assert_releases_gil, assert_runs_in_parallel, psnr, run_in_threads, smooth_image

JP2 = b'\x00\x00\x00\x0cjP  \r\n\x87\n'


def strip_version(stream):
    """The stream without openjpeg's version in its comment."""
    i = stream.find(b'OpenJPEG version ')
    return stream if i < 0 else stream[:i] + stream[i + 22:]


def test_constants_version_check():
    assert JPEG2K.available is True
    assert {m.name: m.value for m in JPEG2K.CODEC} == {'JP2': 2, 'J2K': 0}
    assert JPEG2K.CLRSPC.SRGB == 1 and JPEG2K.CLRSPC.GRAY == 2
    assert jpeg2k_version().startswith('openjpeg 2.')
    data = smooth_image((8, 8))
    assert jpeg2k_check(jpeg2k_encode(data)) is True
    assert jpeg2k_check(jpeg2k_encode(data, codecformat='j2k')) is True
    for head in (b'', b'\xff\x4f', bytes(16), b'\x89PNG\r\n\x1a\n'):
        assert jpeg2k_check(head) is False
    assert ndcodecs.codec_for_bytes(JP2 + bytes(20)).name == 'jpeg2k'


def test_constants_match_imagecodecs():
    imagecodecs = pytest.importorskip('imagecodecs')
    for name in ('CODEC', 'CLRSPC'):
        ours = {m.name: m.value for m in getattr(JPEG2K, name)}
        theirs = {m.name: m.value for m in getattr(imagecodecs.JPEG2K, name)}
        assert ours == theirs, name


@pytest.mark.parametrize('dtype', ['uint8', 'int8', 'uint16', 'int16'])
@pytest.mark.parametrize('samples', [1, 2, 3, 4, 5])
@pytest.mark.parametrize('codecformat', ['jp2', 'j2k'])
def test_lossless_roundtrip(dtype, samples, codecformat):
    data = smooth_image((37, 51, samples) if samples > 1 else (37, 51), dtype)
    encoded = jpeg2k_encode(data, codecformat=codecformat)
    assert encoded.startswith(JP2 if codecformat == 'jp2' else b'\xff\x4f\xff\x51')
    decoded = jpeg2k_decode(encoded)
    assert decoded.dtype == data.dtype
    numpy.testing.assert_array_equal(decoded, data)


@pytest.mark.parametrize('bits', [1, 2, 5, 8, 12, 16])
def test_bitspersample(bits):
    dtype = numpy.uint8 if bits <= 8 else numpy.uint16
    data = (smooth_image((20, 30), numpy.uint16) >> (16 - bits)).astype(dtype)
    decoded = jpeg2k_decode(jpeg2k_encode(data, bitspersample=bits))
    assert decoded.dtype == dtype
    numpy.testing.assert_array_equal(decoded, data)


def test_planar():
    data = smooth_image((3, 20, 30))
    encoded = jpeg2k_encode(data, planar=True)
    numpy.testing.assert_array_equal(jpeg2k_decode(encoded, planar=True), data)
    numpy.testing.assert_array_equal(jpeg2k_decode(encoded), numpy.moveaxis(data, 0, -1))


@pytest.mark.parametrize('level', [30, 40, 50, [25, 35, 45]])
def test_lossy(level):
    data = smooth_image((64, 80, 3))
    lossless = jpeg2k_encode(data)
    encoded = jpeg2k_encode(data, level=level)
    assert len(encoded) < len(lossless)
    target = level if isinstance(level, int) else level[-1]
    assert psnr(jpeg2k_decode(encoded), data, 255) >= min(target, 45) - 3


def test_lossy_irreversible_at_full_rate():
    data = smooth_image((64, 80), numpy.uint16)
    decoded = jpeg2k_decode(jpeg2k_encode(data, reversible=False))
    assert not numpy.array_equal(decoded, data)
    assert psnr(decoded, data, 65535) > 60


@pytest.mark.parametrize('kwargs', [
    {'tile': (32, 48)}, {'tile': 16}, {'resolutions': 1}, {'resolutions': 4},
    {'codeblock': (16, 32)}, {'codeblock': 8}, {'progression': 'RPCL'},
    {'progression': JPEG2K.PROG.CPRL}, {'mct': False}, {'colorspace': 'sycc'},
    {'numthreads': 2}, {'numthreads': 0}, {'verbose': 0},
])
def test_encoder_options(kwargs):
    data = smooth_image((70, 90, 3), numpy.uint16)
    encoded = jpeg2k_encode(data, **kwargs)
    numpy.testing.assert_array_equal(jpeg2k_decode(encoded), data)


def test_options_reach_the_codestream():
    data = smooth_image((64, 64))
    cod = lambda s: s[s.find(b'\xff\x52'):][:14]  # noqa: E731
    default = jpeg2k_encode(data, codecformat='j2k')
    assert cod(default)[5] == 0 and cod(default)[9] == 3  # LRCP, 3 levels
    assert cod(jpeg2k_encode(data, codecformat='j2k', progression='PCRL'))[5] == 3
    assert cod(jpeg2k_encode(data, codecformat='j2k', resolutions=2))[9] == 1
    assert cod(jpeg2k_encode(data, codecformat='j2k', codeblock=(16, 32)))[10:12] == bytes([3, 2])
    tiled = jpeg2k_encode(data, codecformat='j2k', tile=(16, 32))
    assert tiled.count(b'\xff\x90') >= 8


@pytest.mark.parametrize('reduce', [0, 1, 2, 3])
def test_reduce(reduce):
    data = smooth_image((100, 75, 3))
    decoded = jpeg2k_decode(jpeg2k_encode(data), reduce=reduce)
    assert decoded.shape == (-(-100 // 2**reduce), -(-75 // 2**reduce), 3)
    if reduce == 0:
        numpy.testing.assert_array_equal(decoded, data)
    else:
        coarse = data[::2**reduce, ::2**reduce].astype(float)
        assert numpy.abs(decoded - coarse).mean() < 20


def test_decode_numthreads_identical():
    data = smooth_image((300, 400, 3))
    encoded = jpeg2k_encode(data)
    for n in (1, 2, 0):
        numpy.testing.assert_array_equal(jpeg2k_decode(encoded, numthreads=n), data)


def test_out():
    data = smooth_image((30, 40, 3))
    encoded = jpeg2k_encode(data)
    out = numpy.zeros_like(data)
    assert jpeg2k_decode(encoded, out=out) is out
    numpy.testing.assert_array_equal(out, data)
    buf = bytearray(data.nbytes)
    jpeg2k_decode(encoded, out=buf)
    assert bytes(buf) == data.tobytes()
    with pytest.raises(ValueError):
        jpeg2k_decode(encoded, out=numpy.zeros((30, 40), numpy.uint8))
    encoded_out = jpeg2k_encode(data, out=bytearray)
    assert isinstance(encoded_out, bytearray) and bytes(encoded_out) == encoded
    with pytest.raises(Jpeg2kError):
        jpeg2k_encode(data, out=10)


def test_wrong_arguments():
    data = smooth_image((8, 8))
    for bad in ('text', None):
        with pytest.raises(TypeError):
            jpeg2k_encode(bad)
        with pytest.raises(TypeError):
            jpeg2k_decode(bad)
    for dtype in (numpy.float32, numpy.uint32, numpy.bool_):
        with pytest.raises(ValueError):
            jpeg2k_encode(data.astype(dtype))
    with pytest.raises(ValueError):
        jpeg2k_encode(numpy.zeros((2, 2, 2, 2), numpy.uint8))
    with pytest.raises(ValueError):
        jpeg2k_encode(data, codecformat='png')
    with pytest.raises(ValueError):
        jpeg2k_encode(data, bitspersample=9)
    with pytest.raises(ValueError):
        jpeg2k_encode(data, codeblock=(3, 64))
    with pytest.raises(KeyError):
        jpeg2k_encode(data, progression='XYZW')
    with pytest.raises(TypeError):
        jpeg2k_encode(data, tile='big')
    with pytest.raises(ValueError):
        jpeg2k_decode(jpeg2k_encode(data), reduce=-1)


def test_bad_input():
    encoded = jpeg2k_encode(smooth_image((64, 64, 3)), codecformat='j2k')
    jp2 = jpeg2k_encode(smooth_image((64, 64, 3)))
    bad = [b'', b'\0', bytes(100), JP2, JP2 + bytes(100), b'\xff\x4f\xff\x51',
           encoded[:20], encoded[:200], jp2[:60], jp2[:300]]
    for cut in range(1, len(encoded), max(1, len(encoded) // 50)):
        bad.append(encoded[:cut])
    siz_huge = bytearray(encoded)
    siz_huge[8:16] = b'\x7f\xff\xff\xff\x7f\xff\xff\xff'  # Xsiz, Ysiz
    bad.append(bytes(siz_huge))
    marker_len = bytearray(encoded)
    i = encoded.find(b'\xff\x52')
    marker_len[i + 2:i + 4] = b'\xff\xf0'  # COD length past the end
    bad.append(bytes(marker_len))
    for data in bad:
        start = time.perf_counter()
        with pytest.raises(Jpeg2kError):
            jpeg2k_decode(data)
        assert time.perf_counter() - start < 2


def test_max_output():
    data = smooth_image((64, 64, 3))
    encoded = jpeg2k_encode(data)
    with pytest.raises(Jpeg2kError, match='max_output'):
        jpeg2k_decode(encoded, max_output=1000)
    numpy.testing.assert_array_equal(jpeg2k_decode(encoded, max_output=4 * data.size), data)


def test_ht_codestream_refused():
    htj2k = ndcodecs.get_codec('htj2k')
    if not htj2k.available:
        pytest.skip(htj2k.reason)
    with pytest.raises(Jpeg2kError, match='htj2k_decode'):
        jpeg2k_decode(ndcodecs.htj2k_encode(smooth_image((16, 16))))


def test_imagecodecs_parity():
    imagecodecs = pytest.importorskip('imagecodecs')
    cases = [
        (smooth_image((64, 80)), {}), (smooth_image((64, 80, 3)), {}), (smooth_image((33, 17, 4)), {}),
        (smooth_image((64, 80, 3), numpy.uint16), {'codecformat': 'j2k'}),
        (smooth_image((40, 30), numpy.int16), {'resolutions': 3}), (smooth_image((5, 7)), {}),
        (smooth_image((64, 80, 3)), {'mct': False}), (smooth_image((64, 80, 3)), {'level': 40}),
        (smooth_image((64, 80)), {'level': 30}),
    ]
    for data, kwargs in cases:
        ours = jpeg2k_encode(data, **kwargs)
        theirs = imagecodecs.jpeg2k_encode(data, **kwargs)
        # the same openjpeg settings: the same stream but for the version
        assert strip_version(ours) == strip_version(theirs), (data.shape, kwargs)
        if 'level' in kwargs:
            assert psnr(imagecodecs.jpeg2k_decode(ours), data, 255) >= kwargs['level'] - 3
            assert psnr(jpeg2k_decode(theirs), data, 255) >= kwargs['level'] - 3
        else:
            numpy.testing.assert_array_equal(imagecodecs.jpeg2k_decode(ours), data)
            numpy.testing.assert_array_equal(jpeg2k_decode(theirs), data)


def test_threads_same_results():
    data = smooth_image((128, 160, 3))
    encoded = jpeg2k_encode(data)
    results = []

    def work(_):
        for _ in range(5):
            assert jpeg2k_encode(data) == encoded
            results.append(jpeg2k_decode(encoded))
            with pytest.raises(Jpeg2kError):
                jpeg2k_decode(encoded[:100])

    run_in_threads(work)
    assert len(results) == 20
    for r in results:
        numpy.testing.assert_array_equal(r, data)


def test_two_threads_decode_in_parallel():
    encoded = jpeg2k_encode(smooth_image((512, 512, 3)))
    assert_runs_in_parallel(lambda: jpeg2k_decode(encoded))


def test_releases_gil():
    encoded = jpeg2k_encode(smooth_image((1024, 1024, 3)))
    assert_releases_gil(lambda: (jpeg2k_decode(encoded), jpeg2k_encode(smooth_image((512, 512, 3)))), too_fast='fail')


def test_no_leak():
    data = smooth_image((16, 16, 3))
    encoded = jpeg2k_encode(data)

    def step():
        jpeg2k_decode(jpeg2k_encode(data))
        with pytest.raises(Jpeg2kError):
            jpeg2k_decode(encoded[:60])

    assert_memory_flat(step, warmup=500, repeat=10000, limit=4 << 20)

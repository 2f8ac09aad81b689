"""JPEG-LS specifics: bit depths 2 to 16, gray, RGB and RGBA, interleave
modes, near-lossless, SPIFF headers, parity with imagecodecs, threads,
malformed streams and memory."""

import resource
import threading
import time

import numpy
import pytest

import ndcodecs
from ndcodecs import JPEGLS, JpeglsError, jpegls_check, jpegls_decode, jpegls_encode, jpegls_version
from common import assert_runs_in_parallel


def image(shape, dtype=numpy.uint8, seed=0):
    """Smooth image-like data with noise, over most of the dtype's range."""
    rng = numpy.random.default_rng(seed)
    dtype = numpy.dtype(dtype)
    height, width = shape[:2]
    y, x = numpy.mgrid[:height, :width] / max(height, width, 2)
    base = 0.5 + 0.4 * numpy.sin(7 * x) * numpy.cos(5 * y)
    if len(shape) == 3:
        base = base[..., None] * numpy.linspace(0.6, 1.0, shape[2])
    info = numpy.iinfo(dtype)
    span = float(info.max) - float(info.min)
    noisy = info.min + base * span + rng.normal(0, span / 200, base.shape)
    return numpy.clip(noisy, info.min, info.max).astype(dtype)


def psnr(a, b, peak):
    mse = numpy.mean((numpy.asarray(a, float) - numpy.asarray(b, float)) ** 2)
    return float('inf') if mse == 0 else 10 * numpy.log10(peak * peak / mse)



def _timed(func, nthreads):
    threads = [threading.Thread(target=func) for _ in range(nthreads)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start



def _rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize()

def test_constants_version_check():
    assert JPEGLS.available is True
    assert {m.name: m.value for m in JPEGLS.INTERLEAVE} == {'NONE': 0, 'LINE': 1, 'SAMPLE': 2}
    assert jpegls_version().startswith('charls 2.')
    encoded = jpegls_encode(image((8, 8)))
    assert jpegls_check(encoded) is True
    assert jpegls_check(b'\xff\xd8\xff\xf7\x00\x0b') is True
    for head in (b'', b'\xff\xd8\xff\xe0\x00\x10JFIF\x00', bytes(32)):
        assert jpegls_check(head) is False
    assert ndcodecs.codec_for_bytes(encoded).name == 'jpegls'


@pytest.mark.parametrize('dtype', ['uint8', 'uint16'])
@pytest.mark.parametrize('samples', [1, 3, 4])
@pytest.mark.parametrize('interleave', [None, 'none', 'line', 'sample', JPEGLS.INTERLEAVE.LINE])
def test_lossless_roundtrip(dtype, samples, interleave):
    data = image((37, 51, samples) if samples > 1 else (37, 51), dtype)
    decoded = jpegls_decode(jpegls_encode(data, interleave=interleave))
    assert decoded.dtype == data.dtype
    numpy.testing.assert_array_equal(decoded, data)


@pytest.mark.parametrize('bits', [2, 3, 5, 8, 9, 12, 16])
def test_bitspersample(bits):
    dtype = numpy.uint8 if bits <= 8 else numpy.uint16
    data = (image((20, 30, 3), numpy.uint16) >> (16 - bits)).astype(dtype)
    encoded = jpegls_encode(data, bitspersample=bits)
    assert encoded[encoded.find(b'\xff\xf7') + 4] == bits
    numpy.testing.assert_array_equal(jpegls_decode(encoded), data)


@pytest.mark.parametrize('shape', [(1, 1), (1, 9), (9, 1), (4097, 3)])
def test_odd_sizes(shape):
    data = image(shape)
    numpy.testing.assert_array_equal(jpegls_decode(jpegls_encode(data)), data)


@pytest.mark.parametrize('near', [1, 2, 5])
@pytest.mark.parametrize('interleave', ['none', 'line', 'sample'])
def test_near_lossless(near, interleave):
    data = image((40, 50, 3), numpy.uint16)
    decoded = jpegls_decode(jpegls_encode(data, level=near, interleave=interleave))
    assert numpy.abs(decoded.astype(int) - data).max() <= near
    assert not numpy.array_equal(decoded, data) or near == 0


def test_out():
    data = image((30, 40, 3))
    encoded = jpegls_encode(data, interleave='none')
    out = numpy.zeros_like(data)
    assert jpegls_decode(encoded, out=out) is out
    numpy.testing.assert_array_equal(out, data)
    buf = bytearray(data.nbytes)
    jpegls_decode(encoded, out=buf)
    assert bytes(buf) == data.tobytes()
    assert bytes(jpegls_encode(data, out=bytearray, interleave='none')) == encoded
    with pytest.raises(JpeglsError):
        jpegls_encode(data, out=10)


def test_wrong_arguments():
    data = image((8, 8))
    for bad in ('text', None):
        with pytest.raises(TypeError):
            jpegls_encode(bad)
        with pytest.raises(TypeError):
            jpegls_decode(bad)
    for dtype in (numpy.int8, numpy.float32, numpy.uint32):
        with pytest.raises(ValueError):
            jpegls_encode(data.astype(dtype))
    with pytest.raises(ValueError):
        jpegls_encode(numpy.zeros((4, 4, 2), numpy.uint8))
    with pytest.raises(ValueError):
        jpegls_encode(data, bitspersample=12)
    with pytest.raises(KeyError):
        jpegls_encode(numpy.dstack([data] * 3), interleave='diagonal')
    with pytest.raises(ValueError):
        jpegls_encode(data, bitspersample=2)  # samples exceed 2 bits


def test_bad_input():
    encoded = jpegls_encode(image((64, 64, 3)), level=1)
    bad = [b'', b'\0', bytes(100), b'\xff\xd8', b'\xff\xd8\xff\xf7', encoded[:30]]
    for cut in range(1, len(encoded) - 2, max(1, len(encoded) // 60)):
        bad.append(encoded[:cut])
    huge = bytearray(encoded)
    i = encoded.find(b'\xff\xf7')
    huge[i + 5:i + 9] = b'\xff\xff\xff\xff'  # height, width
    bad.append(bytes(huge))
    for data in bad:
        start = time.perf_counter()
        with pytest.raises(JpeglsError):
            jpegls_decode(data)
        assert time.perf_counter() - start < 2
    with pytest.raises(JpeglsError, match='max_output'):
        jpegls_decode(encoded, max_output=1000)


def test_imagecodecs_parity():
    imagecodecs = pytest.importorskip('imagecodecs')
    for data in (image((64, 80, 3)), image((33, 17, 4)), image((64, 80, 3), numpy.uint16), image((30, 20))):
        for level in (None, 2):
            ours = jpegls_encode(data, level=level)
            theirs = imagecodecs.jpegls_encode(data, level=level)
            if data.ndim == 3 and data.shape[2] == 3:
                assert ours == theirs
            else:
                # SPIFF color space: imagecodecs writes RGB (10) for any image
                assert ours[:24] + ours[25:] == theirs[:24] + theirs[25:]
            numpy.testing.assert_array_equal(jpegls_decode(theirs), imagecodecs.jpegls_decode(theirs))
            numpy.testing.assert_array_equal(imagecodecs.jpegls_decode(ours), jpegls_decode(ours))
        for interleave in ('none', 'line'):
            ours = jpegls_encode(data, interleave=interleave)
            numpy.testing.assert_array_equal(imagecodecs.jpegls_decode(ours), data)


def test_threads_same_results():
    data = image((128, 160, 3))
    encoded = jpegls_encode(data)
    results, errors = [], []

    def work():
        try:
            for _ in range(5):
                assert jpegls_encode(data) == encoded
                results.append(jpegls_decode(encoded))
                with pytest.raises(JpeglsError):
                    jpegls_decode(encoded[:100])
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(results) == 20
    for r in results:
        numpy.testing.assert_array_equal(r, data)


@pytest.mark.parametrize('which', ['encode', 'decode'])
def test_two_threads_in_parallel(which):
    data = image((1024, 1024, 3))
    encoded = jpegls_encode(data)
    assert_runs_in_parallel(
        (lambda: jpegls_encode(data)) if which == 'encode' else (lambda: jpegls_decode(encoded)))


def test_no_leak():
    data = image((16, 16, 3))
    encoded = jpegls_encode(data)
    for _ in range(500):
        jpegls_decode(jpegls_encode(data))
    before = _rss()
    for _ in range(10000):
        jpegls_decode(jpegls_encode(data))
        try:
            jpegls_decode(encoded[:40])
        except JpeglsError:
            pass
    assert _rss() - before < 4 << 20

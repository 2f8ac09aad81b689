"""JPEG-LS specifics: bit depths 2 to 16, gray, RGB and RGBA, interleave
modes, near-lossless, SPIFF headers, parity with imagecodecs, threads,
malformed streams and memory."""

import time

import numpy
import pytest

import ndcodecs
from ndcodecs import JPEGLS, JpeglsError, jpegls_check, jpegls_decode, jpegls_encode, jpegls_version
from common import assert_memory_flat, assert_runs_in_parallel, run_in_threads, smooth_image


def test_constants_version_check():
    assert JPEGLS.available is True
    assert {m.name: m.value for m in JPEGLS.INTERLEAVE} == {'NONE': 0, 'LINE': 1, 'SAMPLE': 2}
    assert jpegls_version().startswith('charls 2.')
    encoded = jpegls_encode(smooth_image((8, 8)))
    assert jpegls_check(encoded) is True
    assert jpegls_check(b'\xff\xd8\xff\xf7\x00\x0b') is True
    for head in (b'', b'\xff\xd8\xff\xe0\x00\x10JFIF\x00', bytes(32)):
        assert jpegls_check(head) is False
    assert ndcodecs.codec_for_bytes(encoded).name == 'jpegls'


@pytest.mark.parametrize('dtype', ['uint8', 'uint16'])
@pytest.mark.parametrize('samples', [1, 3, 4])
@pytest.mark.parametrize('interleave', [None, 'none', 'line', 'sample', JPEGLS.INTERLEAVE.LINE])
def test_lossless_roundtrip(dtype, samples, interleave):
    data = smooth_image((37, 51, samples) if samples > 1 else (37, 51), dtype)
    decoded = jpegls_decode(jpegls_encode(data, interleave=interleave))
    assert decoded.dtype == data.dtype
    numpy.testing.assert_array_equal(decoded, data)


@pytest.mark.parametrize('bits', [2, 3, 5, 8, 9, 12, 16])
def test_bitspersample(bits):
    dtype = numpy.uint8 if bits <= 8 else numpy.uint16
    data = (smooth_image((20, 30, 3), numpy.uint16) >> (16 - bits)).astype(dtype)
    encoded = jpegls_encode(data, bitspersample=bits)
    assert encoded[encoded.find(b'\xff\xf7') + 4] == bits
    numpy.testing.assert_array_equal(jpegls_decode(encoded), data)


@pytest.mark.parametrize('shape', [(1, 1), (1, 9), (9, 1), (4097, 3)])
def test_odd_sizes(shape):
    data = smooth_image(shape)
    numpy.testing.assert_array_equal(jpegls_decode(jpegls_encode(data)), data)


@pytest.mark.parametrize('near', [1, 2, 5])
@pytest.mark.parametrize('interleave', ['none', 'line', 'sample'])
def test_near_lossless(near, interleave):
    data = smooth_image((40, 50, 3), numpy.uint16)
    decoded = jpegls_decode(jpegls_encode(data, level=near, interleave=interleave))
    assert numpy.abs(decoded.astype(int) - data).max() <= near
    assert not numpy.array_equal(decoded, data) or near == 0


def test_out():
    data = smooth_image((30, 40, 3))
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
    data = smooth_image((8, 8))
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
    encoded = jpegls_encode(smooth_image((64, 64, 3)), level=1)
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
    for data in (smooth_image((64, 80, 3)), smooth_image((33, 17, 4)), smooth_image((64, 80, 3), numpy.uint16), smooth_image((30, 20))):
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
    data = smooth_image((128, 160, 3))
    encoded = jpegls_encode(data)
    results = []

    def work(_):
        for _ in range(5):
            assert jpegls_encode(data) == encoded
            results.append(jpegls_decode(encoded))
            with pytest.raises(JpeglsError):
                jpegls_decode(encoded[:100])

    run_in_threads(work)
    assert len(results) == 20
    for r in results:
        numpy.testing.assert_array_equal(r, data)


@pytest.mark.parametrize('which', ['encode', 'decode'])
def test_two_threads_in_parallel(which):
    data = smooth_image((1024, 1024, 3))
    encoded = jpegls_encode(data)
    assert_runs_in_parallel(
        (lambda: jpegls_encode(data)) if which == 'encode' else (lambda: jpegls_decode(encoded)))


def test_no_leak():
    data = smooth_image((16, 16, 3))
    encoded = jpegls_encode(data)

    def step():
        jpegls_decode(jpegls_encode(data))
        with pytest.raises(JpeglsError):
            jpegls_decode(encoded[:40])

    assert_memory_flat(step, warmup=500, repeat=10000, limit=4 << 20)

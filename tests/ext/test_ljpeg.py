"""Lossless JPEG (SOF3) specifics: every precision, predictor and component
count, point transform, restart intervals, several scans, the DNG and DICOM
flavours, exact parity with imagecodecs both ways, and malformed streams.

Reference streams come from imagecodecs: ljpeg_encode (liblj92) and
jpeg8_encode(lossless=True) (its bundled libjpeg-turbo 3). Streams with
features those encoders lack are written here by a small reference encoder.
"""

import struct

import numpy
import pytest

import ndcodecs
from ndcodecs import (
    JPEGSOF3, LJPEG, Jpegsof3Error, LjpegError, jpegsof3_check, jpegsof3_decode,
    jpegsof3_version, ljpeg_check, ljpeg_decode, ljpeg_encode, ljpeg_version,
)
from common import assert_releases_gil, decode_corrupted

PREDICTORS = range(1, 8)


def image(shape, bits, seed=0):
    """Smooth image-like samples with noise, `bits` deep."""
    rng = numpy.random.default_rng(seed)
    height, width = shape[:2]
    y, x = numpy.mgrid[:height, :width] / max(height, width, 2)
    base = 0.5 + 0.4 * numpy.sin(7 * x) * numpy.cos(5 * y)
    if len(shape) == 3:
        base = base[..., None] * numpy.linspace(0.6, 1.0, shape[2])
    top = (1 << bits) - 1
    noisy = base * top + rng.normal(0, top / 50, base.shape)
    return numpy.clip(noisy, 0, top).astype(numpy.uint8 if bits <= 8 else numpy.uint16)


# A reference encoder for what the imagecodecs encoders do not write:
# point transform, restart intervals, one scan per component, code 16.

def _category(diff):
    diff = (diff + 32768) % 65536 - 32768
    if diff == -32768:
        return 16, 0, 0
    ssss = int(abs(diff)).bit_length()
    extra = (diff - 1 if diff < 0 else diff) & ((1 << ssss) - 1)
    return ssss, extra, ssss


def _predict(plane, x, y, predictor, initial, first):
    if first and x == 0:
        return initial
    if first:
        return int(plane[y, x - 1])
    if x == 0:
        return int(plane[y - 1, x])
    ra, rb, rc = int(plane[y, x - 1]), int(plane[y - 1, x]), int(plane[y - 1, x - 1])
    return [0, ra, rb, rc, ra + rb - rc, ra + ((rb - rc) >> 1), rb + ((ra - rc) >> 1), (ra + rb) >> 1][predictor]


class _Bits:
    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, value, n):
        for i in range(n - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0)
                self.acc = self.n = 0

    def flush(self):
        if self.n:
            self.put(0x7F, 8 - self.n)


def reference_encode(image, bits, predictor=1, pt=0, restart_rows=0, separate=False):
    """Return a SOF3 stream of `image` (H, W[, C]): a fixed Huffman table in
    which every category has a 5-bit code, so that category 16 occurs."""
    planes = image.reshape(image.shape[0], image.shape[1], -1).astype(numpy.int64) >> pt
    height, width, ncomp = planes.shape
    initial = 1 << (bits - pt - 1)
    codes = {s: s for s in range(17)}  # 5-bit codes 0..16
    dht = b'\x00' + bytes([0, 0, 0, 0, 17] + [0] * 11) + bytes(range(17))
    out = b'\xff\xd8'
    out += b'\xff\xc3' + struct.pack('>HBHHB', 8 + 3 * ncomp, bits, height, width, ncomp)
    out += b''.join(bytes([c + 1, 0x11, 0]) for c in range(ncomp))
    out += b'\xff\xc4' + struct.pack('>H', 2 + len(dht)) + dht
    if restart_rows:
        out += b'\xff\xdd' + struct.pack('>HH', 4, restart_rows * width)
    scans = [[c] for c in range(ncomp)] if separate else [list(range(ncomp))]
    for comps in scans:
        out += b'\xff\xda' + struct.pack('>HB', 6 + 2 * len(comps), len(comps))
        out += b''.join(bytes([c + 1, 0]) for c in comps) + bytes([predictor, 0, pt])
        bitw = _Bits()
        rst = 0
        for y in range(height):
            first = y == 0
            if restart_rows and y and y % restart_rows == 0:
                bitw.flush()
                bitw.out += bytes([0xFF, 0xD0 + rst % 8])
                rst += 1
                first = True
            for x in range(width):
                for c in comps:
                    diff = int(planes[y, x, c]) - _predict(planes[:, :, c], x, y, predictor, initial, first)
                    ssss, extra, n = _category(diff)
                    bitw.put(codes[ssss], 5)
                    if 0 < ssss < 16:
                        bitw.put(extra, n)
        bitw.flush()
        out += bytes(bitw.out)
    return out + b'\xff\xd9'


# constants, version, check

def test_constants_and_version():
    assert LJPEG.available is True and JPEGSOF3.available is True
    assert ljpeg_version().startswith('ndcodecs ')
    assert jpegsof3_version() == ljpeg_version()
    assert ndcodecs.get_codec('ljpeg').version == ljpeg_version()
    assert issubclass(LjpegError, ndcodecs.CodecError)
    assert issubclass(Jpegsof3Error, RuntimeError)


def test_check():
    stream = ljpeg_encode(image((8, 8), 12), bitspersample=12)
    assert ljpeg_check(stream) is True
    assert jpegsof3_check(stream) is True
    lossy = ndcodecs.jpeg8_encode(numpy.zeros((8, 8), numpy.uint8))
    assert ljpeg_check(lossy) is False
    assert ljpeg_check(b'') is False
    assert ljpeg_check(b'GIF89a') is False
    assert ljpeg_check(b'\xff\xd8') is None


# our encoder and decoder

@pytest.mark.parametrize('bits', [2, 5, 8, 10, 12, 14, 16])
@pytest.mark.parametrize('shape', [(1, 1), (1, 9), (9, 1), (3, 5), (33, 17), (7, 5, 2), (9, 4, 3), (6, 5, 4)])
def test_roundtrip(bits, shape):
    data = image(shape, bits, seed=bits)
    for predictor in PREDICTORS:
        encoded = ljpeg_encode(data, bitspersample=bits, predictor=predictor)
        assert isinstance(encoded, bytes)
        decoded = ljpeg_decode(encoded)
        assert decoded.dtype == data.dtype and decoded.shape == data.shape
        numpy.testing.assert_array_equal(decoded, data)
        numpy.testing.assert_array_equal(jpegsof3_decode(encoded), data)


def test_roundtrip_4097x3():
    data = image((4097, 3), 16)
    numpy.testing.assert_array_equal(ljpeg_decode(ljpeg_encode(data)), data)
    data = image((3, 4097, 3), 12)
    numpy.testing.assert_array_equal(ljpeg_decode(ljpeg_encode(data, bitspersample=12)), data)


def test_encode_options():
    data = image((16, 16), 16)
    assert ljpeg_decode(ljpeg_encode(data, bitspersample=12)).max() < 4096  # high bits dropped
    numpy.testing.assert_array_equal(ljpeg_decode(ljpeg_encode(data, bitspersample=12)), data & 4095)
    table = numpy.arange(65536, dtype=numpy.uint16)[::-1]
    numpy.testing.assert_array_equal(ljpeg_decode(ljpeg_encode(data, delinearize=table)), 65535 - data)
    numpy.testing.assert_array_equal(ljpeg_decode(ljpeg_encode(data[..., None])), data)  # (H, W, 1)
    assert isinstance(ljpeg_encode(data, out=bytearray), bytearray)
    buffer = bytearray(100000)
    view = ljpeg_encode(data, out=buffer)
    numpy.testing.assert_array_equal(ljpeg_decode(view), data)
    with pytest.raises(LjpegError):
        ljpeg_encode(data, out=10)
    # noise: the stream is larger than the samples
    noise = numpy.random.default_rng(0).integers(0, 65536, (64, 64, 3)).astype(numpy.uint16)
    big = ljpeg_encode(noise)
    assert len(big) > noise.nbytes
    numpy.testing.assert_array_equal(ljpeg_decode(big), noise)


def test_encode_bad_arguments():
    for bad in ('abc', None):
        with pytest.raises(TypeError):
            ljpeg_encode(bad)
    with pytest.raises(ValueError):
        ljpeg_encode(numpy.zeros((4, 4), numpy.float32))
    with pytest.raises(ValueError):
        ljpeg_encode(numpy.zeros((4, 4, 5), numpy.uint8))
    with pytest.raises(ValueError):
        ljpeg_encode(numpy.zeros((4,), numpy.uint8))
    with pytest.raises(ValueError):
        ljpeg_encode(numpy.zeros((0, 4), numpy.uint8))
    with pytest.raises(ValueError):
        ljpeg_encode(numpy.zeros((4, 4), numpy.uint8), bitspersample=9)
    with pytest.raises(ValueError):
        ljpeg_encode(numpy.zeros((4, 4), numpy.uint8), bitspersample=1)
    with pytest.raises(ValueError):
        ljpeg_encode(numpy.zeros((4, 4), numpy.uint8), predictor=8)


# parity with imagecodecs

@pytest.mark.parametrize('bits', [2, 6, 8, 12, 16])
@pytest.mark.parametrize('shape', [(1, 1), (5, 7), (31, 17), (5, 7, 2), (9, 4, 3), (6, 5, 4)])
def test_decode_imagecodecs_libjpeg_turbo(bits, shape):
    """Streams of libjpeg-turbo 3 (bundled with imagecodecs), all predictors."""
    imagecodecs = pytest.importorskip('imagecodecs')
    data = image(shape, bits, seed=3)
    for predictor in PREDICTORS:
        encoded = imagecodecs.jpeg8_encode(data, lossless=True, predictor=predictor, bitspersample=bits)
        for decode in (ljpeg_decode, jpegsof3_decode):
            decoded = decode(encoded)
            assert decoded.dtype == data.dtype and decoded.shape == data.shape
            numpy.testing.assert_array_equal(decoded, data)


@pytest.mark.parametrize('bits', [2, 8, 12, 16])
@pytest.mark.parametrize('shape', [(1, 1), (5, 7), (64, 48), (1, 300)])
def test_decode_imagecodecs_liblj92(bits, shape):
    imagecodecs = pytest.importorskip('imagecodecs')
    data = image(shape, bits, seed=4)
    encoded = imagecodecs.ljpeg_encode(data, bitspersample=bits)
    numpy.testing.assert_array_equal(ljpeg_decode(encoded), data)
    if shape[0] > 1:  # liblj92 does not read some of its own one-row images
        numpy.testing.assert_array_equal(ljpeg_decode(encoded), imagecodecs.ljpeg_decode(encoded))


@pytest.mark.parametrize('bits', [2, 8, 12, 16])
@pytest.mark.parametrize('shape', [(1, 1), (5, 7), (40, 24), (5, 7, 2), (9, 4, 3), (6, 5, 4)])
def test_imagecodecs_decodes_ours(bits, shape):
    imagecodecs = pytest.importorskip('imagecodecs')
    data = image(shape, bits, seed=5)
    for predictor in PREDICTORS:
        encoded = ljpeg_encode(data, bitspersample=bits, predictor=predictor)
        numpy.testing.assert_array_equal(imagecodecs.jpeg8_decode(encoded), data)
        numpy.testing.assert_array_equal(imagecodecs.jpegsof3_decode(encoded), data)
    if len(shape) == 2 and shape[0] * shape[1] > 1:
        # liblj92 reads single-component streams (and not 1x1 images)
        numpy.testing.assert_array_equal(imagecodecs.ljpeg_decode(ljpeg_encode(data, bitspersample=bits)), data)


def test_linearize():
    imagecodecs = pytest.importorskip('imagecodecs')
    data = image((8, 9), 8)
    encoded = imagecodecs.ljpeg_encode(data, bitspersample=8)
    table = (numpy.arange(256, dtype=numpy.uint16) * 3) % 251
    expected = imagecodecs.ljpeg_decode(encoded, linearize=table)
    numpy.testing.assert_array_equal(ljpeg_decode(encoded, linearize=table), expected)
    with pytest.raises(LjpegError):
        ljpeg_decode(encoded, linearize=table[:10])
    with pytest.raises(ValueError):
        ljpeg_decode(encoded, linearize=numpy.zeros((2, 2), numpy.uint16))


# features of the format

@pytest.mark.parametrize('predictor', PREDICTORS)
@pytest.mark.parametrize('pt', [0, 1, 3])
def test_point_transform(predictor, pt):
    data = image((6, 7, 2), 12, seed=pt) >> pt << pt
    encoded = reference_encode(data, 12, predictor, pt=pt)
    numpy.testing.assert_array_equal(ljpeg_decode(encoded), data)


@pytest.mark.parametrize('predictor', [1, 4, 7])
def test_restart_intervals(predictor):
    data = image((9, 5, 3), 10)
    encoded = reference_encode(data, 10, predictor, restart_rows=2)
    assert b'\xff\xd0' in encoded
    numpy.testing.assert_array_equal(ljpeg_decode(encoded), data)


def test_separate_scans():
    data = image((7, 6, 3), 16)
    encoded = reference_encode(data, 16, 6, separate=True)
    assert encoded.count(b'\xff\xda') == 3
    numpy.testing.assert_array_equal(ljpeg_decode(encoded), data)


def test_dicom_difference_32768():
    """Category 16 (a difference of 32768) carries no extra bits; DICOM
    16-bit images with large jumps have it."""
    data = numpy.array([[0, 32768, 0, 65535, 32767, 0]], numpy.uint16)
    encoded = reference_encode(data, 16, 1)
    numpy.testing.assert_array_equal(ljpeg_decode(encoded), data)
    numpy.testing.assert_array_equal(jpegsof3_decode(encoded), data)
    numpy.testing.assert_array_equal(ljpeg_decode(ljpeg_encode(data)), data)
    imagecodecs = pytest.importorskip('imagecodecs')
    numpy.testing.assert_array_equal(imagecodecs.jpeg8_decode(ljpeg_encode(data)), data)


def test_dicom_flavour():
    """Predictor 1 (selection value 1), 16 bits, one component, as DICOM's
    transfer syntax 1.2.840.10008.1.2.4.70 stores it."""
    imagecodecs = pytest.importorskip('imagecodecs')
    data = image((64, 80), 16)
    encoded = imagecodecs.jpeg8_encode(data, lossless=True, predictor=1, bitspersample=16)
    numpy.testing.assert_array_equal(jpegsof3_decode(encoded), imagecodecs.jpegsof3_decode(encoded))


def test_dng_flavour():
    """DNG tiles store a row of a Bayer image as two interleaved components
    of half the width; the result keeps that layout, as imagecodecs does."""
    imagecodecs = pytest.importorskip('imagecodecs')
    raw = image((16, 32), 14)
    tile = raw.reshape(16, 16, 2)
    encoded = imagecodecs.jpeg8_encode(tile, lossless=True, predictor=1, bitspersample=14)
    decoded = ljpeg_decode(encoded)
    numpy.testing.assert_array_equal(decoded, imagecodecs.ljpeg_decode(encoded))
    numpy.testing.assert_array_equal(decoded.reshape(16, 32), raw)


# out=, bad input, limits

def test_out():
    data = image((10, 12, 3), 12)
    encoded = ljpeg_encode(data, bitspersample=12)
    out = numpy.zeros((10, 12, 3), numpy.uint16)
    assert ljpeg_decode(encoded, out=out) is out
    numpy.testing.assert_array_equal(out, data)
    buffer = bytearray(data.nbytes)
    result = jpegsof3_decode(encoded, out=buffer)
    numpy.testing.assert_array_equal(result, data)
    assert bytes(buffer) == data.tobytes()
    with pytest.raises(ValueError):
        ljpeg_decode(encoded, out=numpy.zeros((10, 12, 3), numpy.uint8))
    with pytest.raises(ValueError):
        ljpeg_decode(encoded, out=bytearray(10))
    with pytest.raises(TypeError):
        ljpeg_decode(encoded, out=bytes(data.nbytes))


def test_bad_arguments():
    for decode in (ljpeg_decode, jpegsof3_decode):
        with pytest.raises(TypeError):
            decode('abc')
        with pytest.raises(TypeError):
            decode(None)


def test_bad_input():
    data = image((20, 30, 2), 12)
    encoded = ljpeg_encode(data, bitspersample=12)
    for decode, error in ((ljpeg_decode, LjpegError), (jpegsof3_decode, Jpegsof3Error)):
        for bad in (b'', b'\xff', b'\xff\xd8', b'\xff\xd8\xff\xd9', encoded[:30], b'\x00' * 100):
            with pytest.raises(error):
                decode(bad)
        for size in range(len(encoded) // 2, len(encoded) - 2, 7):
            with pytest.raises(error):
                decode(encoded[:size])
        lossy = ndcodecs.jpeg8_encode(numpy.zeros((8, 8), numpy.uint8))
        with pytest.raises(error):
            decode(lossy)
    # corrupt entropy-coded data: decodes or raises, never crashes
    decode_corrupted(ljpeg_decode, encoded, LjpegError, count=200, start=40)


def test_huge_header():
    """A header claiming 65535x65535 with 4 components of 16 bits fails
    before the image is allocated."""
    header = b'\xff\xd8\xff\xc3' + struct.pack('>HBHHB', 20, 16, 65535, 65535, 4)
    header += b''.join(bytes([c, 0x11, 0]) for c in range(4))
    stream = header + b'\xff\xc4\x00\x14\x00' + bytes([1] + [0] * 15) + b'\x00' + b'\xff\xda\x00\x0e\x04\x00\x00\x01\x00\x02\x00\x03\x00\x01\x00\x00' + bytes(100) + b'\xff\xd9'
    with pytest.raises(LjpegError, match='max_output'):
        ljpeg_decode(stream)
    with pytest.raises(LjpegError):
        ljpeg_decode(stream, max_output=1 << 20)
    # within the cap, the missing data is reported
    small = stream.replace(struct.pack('>HH', 65535, 65535), struct.pack('>HH', 300, 300))
    with pytest.raises(LjpegError):
        ljpeg_decode(small)


# threads and the GIL

def test_threads():
    from concurrent.futures import ThreadPoolExecutor

    data = [image((64, 64, c), 12, seed=c) for c in (1, 2, 3, 4)]
    streams = [ljpeg_encode(d, bitspersample=12) for d in data]
    expected = [ljpeg_decode(s).tobytes() for s in streams]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(5):
            assert list(pool.map(lambda s: ljpeg_decode(s).tobytes(), streams)) == expected
            assert list(pool.map(lambda d: ljpeg_encode(d, bitspersample=12), data)) == streams


def test_releases_gil():
    data = image((2048, 2048), 16)
    encoded = ljpeg_encode(data)
    # a few calls in a row, so that each measurement lasts long enough
    assert_releases_gil(lambda: [ljpeg_encode(data) for _ in range(4)], lambda: [ljpeg_decode(encoded) for _ in range(8)], too_fast='skip')

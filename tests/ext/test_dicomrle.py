"""DICOM RLE Lossless decoding: segments, byte planes, samples, byte
order, padding, parity with imagecodecs and pydicom, malformed frames.

Frames are made by a small PackBits encoder here (imagecodecs has no
DICOM RLE encoder), and by pydicom's encoder where pydicom is installed.
"""

import struct
import sys
import time

import numpy
import pytest

import ndcodecs
from ndcodecs import DICOMRLE, DicomrleError, dicomrle_check, dicomrle_decode, dicomrle_version
from common import assert_releases_gil


def packbits(data: bytes) -> bytes:
    """PackBits: runs of 3 to 128 equal bytes, literals of at most 128."""
    out, i, n = bytearray(), 0, len(data)
    while i < n:
        run = 1
        while i + run < n and run < 128 and data[i + run] == data[i]:
            run += 1
        if run >= 3:
            out += bytes([257 - run, data[i]])
            i += run
            continue
        start = i
        while i < n and i - start < 128:
            if i + 2 < n and data[i] == data[i + 1] == data[i + 2]:
                break
            i += 1
        out += bytes([i - start - 1]) + data[start:i]
    return bytes(out)


def frame(segments, pad=True) -> bytes:
    """A frame of encoded segments, each padded to an even size."""
    if pad:
        segments = [s + b'\x00' * (len(s) & 1) for s in segments]
    offsets, pos = [], 64
    for seg in segments:
        offsets.append(pos)
        pos += len(seg)
    return struct.pack('<16I', len(segments), *offsets, *[0] * (15 - len(segments))) + b''.join(segments)


def encode(array) -> bytes:
    """DICOM RLE of an (N,) or (N, samples) integer array."""
    array = numpy.asarray(array)
    values = array.reshape(array.shape[0], -1)
    itemsize = array.dtype.itemsize
    big = values.astype(array.dtype.newbyteorder('>'))
    planes = big.view(numpy.uint8).reshape(values.shape[0], values.shape[1], itemsize)
    return frame([packbits(planes[:, s, b].tobytes()) for s in range(values.shape[1]) for b in range(itemsize)])


def planar(array) -> numpy.ndarray:
    """What the decoder returns: sample planes one after the other."""
    array = numpy.asarray(array)
    return numpy.ascontiguousarray(array.reshape(array.shape[0], -1).T).reshape(-1)


def data(n, dtype, samples=1, seed=0):
    rng = numpy.random.default_rng(seed)
    dtype = numpy.dtype(dtype)
    info = numpy.iinfo(dtype)
    values = rng.integers(info.min, info.max, (n, samples), dtype=dtype.newbyteorder('='), endpoint=True)
    values[n // 4:n // 2] = values[n // 4]  # runs
    values[n // 2:n // 2 + 40] >>= 4 * dtype.itemsize  # runs in the high bytes
    return values if samples > 1 else values[:, 0]


DTYPES = ['u1', 'i1', '<u2', '>u2', '<i2', '>i4', '<u4', '<f4', '>u8']


def test_constants_version_check():
    assert DICOMRLE.available is True
    assert dicomrle_version().startswith('ndcodecs ')
    encoded = encode(data(100, 'u2'))
    assert dicomrle_check(encoded) is True
    assert dicomrle_check(encoded[:63]) is False
    assert dicomrle_check(b'') is False
    assert dicomrle_check(bytes(64)) is False
    assert dicomrle_check(struct.pack('<16I', 16, 64, *[0] * 14)) is False
    assert dicomrle_check(struct.pack('<16I', 2, 64, 64, *[0] * 13)) is False
    assert not ndcodecs.get_codec('dicomrle').can_encode
    with pytest.raises(NotImplementedError):
        ndcodecs.dicomrle_encode(b'')


@pytest.mark.parametrize('samples', [1, 3])
@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('n', [1, 2, 3, 127, 128, 129, 1000, 4097 * 3])
def test_decode(n, dtype, samples):
    dtype = numpy.dtype(dtype)
    if dtype.itemsize * samples > 15:
        pytest.skip('more than 15 segments')
    values = data(n, f'u{dtype.itemsize}' if dtype.kind == 'f' else dtype, samples).astype(dtype.newbyteorder('='))
    if dtype.kind == 'f':
        values = values.view(dtype.newbyteorder('='))
    encoded = encode(values)
    decoded = dicomrle_decode(encoded, dtype)
    assert isinstance(decoded, bytes)
    assert decoded == planar(values).astype(dtype).tobytes()
    # the other byte order gives the same values
    other = dtype.newbyteorder('S')
    numpy.testing.assert_array_equal(numpy.frombuffer(dicomrle_decode(encoded, other), other), planar(values))
    imagecodecs = pytest.importorskip('imagecodecs')
    assert decoded == imagecodecs.dicomrle_decode(encoded, dtype)


def test_native_byte_order():
    values = data(50, 'u2')
    encoded = encode(values)
    assert dicomrle_decode(encoded, 'u2') == dicomrle_decode(encoded, numpy.uint16)
    assert dicomrle_decode(encoded, 'u2') == dicomrle_decode(encoded, '<u2' if sys.byteorder == 'little' else '>u2')


@pytest.mark.parametrize('bits, samples', [(8, 1), (8, 3), (16, 1), (16, 3)])
def test_pydicom_frames(bits, samples):
    encoders = pytest.importorskip('pydicom.pixels.encoders')
    dtype = numpy.dtype(f'<u{bits // 8}')
    rng = numpy.random.default_rng(bits + samples)
    shape = (13, 17, samples) if samples > 1 else (13, 17)
    array = rng.integers(0, 4, shape).astype(dtype) * (2 ** (bits - 3))
    array[3:6] = 7
    encoded = encoders.RLELosslessEncoder.encode(
        array, rows=13, columns=17, samples_per_pixel=samples, bits_allocated=bits, bits_stored=bits,
        pixel_representation=0, photometric_interpretation='RGB' if samples > 1 else 'MONOCHROME2',
        number_of_frames=1, planar_configuration=0,
    )
    decoded = numpy.frombuffer(dicomrle_decode(encoded, dtype), dtype)
    numpy.testing.assert_array_equal(decoded, planar(array.reshape(13 * 17, samples)))
    imagecodecs = pytest.importorskip('imagecodecs')
    assert dicomrle_decode(encoded, dtype) == imagecodecs.dicomrle_decode(encoded, dtype)


def test_packbits_codes():
    """Literals, runs, the no-op -128, and a trailing pad byte."""
    segment = bytes([2, 1, 2, 3, 0xFD, 7, 0x80, 0, 9, 0])
    assert dicomrle_decode(frame([segment]), 'u1') == bytes([1, 2, 3, 7, 7, 7, 7, 9])
    assert dicomrle_decode(frame([bytes([0xFD, 7, 0x00])], pad=False), 'u1') == b'\x07' * 4
    assert dicomrle_decode(frame([bytes([0x81, 5])]), 'u1') == b'\x05' * 128


def test_out_and_max_output():
    values = data(1000, '<u2')
    encoded = encode(values)
    expected = planar(values).tobytes()
    assert dicomrle_decode(encoded, '<u2', out=bytearray) == bytearray(expected)
    buffer = bytearray(len(expected) + 10)
    assert bytes(dicomrle_decode(encoded, '<u2', out=buffer)) == expected
    array = numpy.empty(1000, '<u2')
    assert dicomrle_decode(encoded, '<u2', out=array) is array
    numpy.testing.assert_array_equal(array, values)
    with pytest.raises(DicomrleError):
        dicomrle_decode(encoded, '<u2', out=bytearray(100))
    assert dicomrle_decode(encoded, '<u2', max_output=2000) == expected
    with pytest.raises(DicomrleError, match='max_output'):
        dicomrle_decode(encoded, '<u2', max_output=1999)


def test_input_types_and_arguments():
    encoded = encode(data(10, 'u1'))
    expected = dicomrle_decode(encoded, 'u1')
    for buf in (bytearray(encoded), memoryview(encoded), numpy.frombuffer(encoded, numpy.uint8)):
        assert dicomrle_decode(buf, 'u1') == expected
    for bad, error in (('text', TypeError), (None, TypeError)):
        with pytest.raises(error):
            dicomrle_decode(bad, 'u1')
    with pytest.raises(TypeError):
        dicomrle_decode(encoded, 'no such dtype')
    with pytest.raises(TypeError):
        dicomrle_decode(encoded)
    with pytest.raises(ValueError):
        dicomrle_decode(encoded, 'V16')


def test_malformed():
    good = encode(data(100, '<u2'))
    header = list(struct.unpack('<16I', good[:64]))
    bad_headers = [
        [0] + header[1:], [16] + header[1:], [3] + header[1:],  # segment counts
        [2, 10, header[2]] + header[3:], [2, header[2], header[1]] + header[3:],  # offsets
        [2, 64, len(good)] + header[3:], [2, 64, 0xFFFFFFFF] + header[3:], [2, 64, 64] + header[3:],
    ]
    for values in bad_headers:
        with pytest.raises(DicomrleError):
            dicomrle_decode(struct.pack('<16I', *values) + good[64:], '<u2')
    # three segments for 2-byte samples; segments of unequal length
    with pytest.raises(DicomrleError, match='itemsize'):
        dicomrle_decode(frame([b'\x00\x01'] * 3), '<u2')
    with pytest.raises(DicomrleError):
        dicomrle_decode(frame([b'\x01\x01\x02', b'\x00\x01']), '<u2')
    # truncated literal, run without its byte, empty segment
    for segment in (bytes([5, 1, 2]), bytes([0xFD]), b'', bytes([0x80])):
        with pytest.raises(DicomrleError):
            dicomrle_decode(frame([segment], pad=False) if segment else struct.pack('<16I', 1, 64, *[0] * 14), 'u1')
    for size in range(len(good) - 10):
        try:
            dicomrle_decode(good[:size], '<u2')
        except DicomrleError:
            continue
        assert size > 64  # a cut segment may still decode: it must then match in length
    for empty in (b'', bytes(10), bytes(64)):
        with pytest.raises(DicomrleError):
            dicomrle_decode(empty, 'u1')


def test_huge_runs_bounded():
    """A tiny frame of many long runs decodes only within max_output."""
    segment = bytes([0x81, 0]) * 50_000  # 6.4 MB from 100 kB
    start = time.perf_counter()
    with pytest.raises(DicomrleError, match='max_output'):
        dicomrle_decode(frame([segment]), 'u1', max_output=1 << 20)
    assert time.perf_counter() - start < 0.5
    assert len(dicomrle_decode(frame([segment]), 'u1')) == 6_400_000


def test_threads():
    from concurrent.futures import ThreadPoolExecutor

    frames = [encode(data(20000 + i, '<u2', 3, seed=i)) for i in range(8)]
    single = [dicomrle_decode(f, '<u2') for f in frames]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda f: dicomrle_decode(f, '<u2'), frames)) == single


def test_releases_gil():
    encoded = frame([bytes([0x81, 1, 0x7F] + list(range(128))) * 100_000] * 4)
    assert_releases_gil(lambda: dicomrle_decode(encoded, '<u4', max_output=1 << 30), too_fast='skip')

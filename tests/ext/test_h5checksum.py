"""HDF5 checksums and the generic crc32/adler32: bit-exact with imagecodecs,
numcodecs and zlib."""

import zlib

import numpy
import pytest

import ndcodecs

imagecodecs = pytest.importorskip('imagecodecs')

NAMES = ('fletcher32', 'lookup3', 'crc', 'metadata', 'hash_string')

SIZES = [0, 1, 2, 3, 4, 5, 7, 8, 11, 12, 13, 15, 16, 17, 23, 24, 25, 255, 256, 257,
         719, 720, 721, 722, 1023, 1024, 1025, 4095, 65537, 1 << 20]


def _data(size, seed=0):
    return numpy.random.default_rng(seed + size).integers(0, 256, size, numpy.uint8).tobytes()


@pytest.mark.parametrize('name', NAMES)
@pytest.mark.parametrize('size', SIZES)
def test_parity_imagecodecs(name, size):
    ours = getattr(ndcodecs, f'h5checksum_{name}')
    ref = getattr(imagecodecs, f'h5checksum_{name}')
    for data in (_data(size), b'\xff' * size, bytes(size)):
        if name == 'hash_string':
            data = data.replace(b'\x00', b'\x01')  # else it ends at the first NUL
        assert ours(data) == ref(data)
        for value in (0, 1, 0xDEADBEEF, 0xFFFFFFFF):
            assert ours(data, value) == ref(data, value)
            assert ours(data, value=value) == ref(data, value)


def test_fletcher32_numcodecs():
    numcodecs = pytest.importorskip('numcodecs')
    codec = numcodecs.Fletcher32()
    for size in SIZES[1:]:  # numcodecs fails on empty data
        data = _data(size, 1)
        stored = int.from_bytes(bytes(codec.encode(data))[-4:], 'little')
        assert ndcodecs.h5checksum_fletcher32(data) == stored


def test_lookup3_numcodecs():
    numcodecs = pytest.importorskip('numcodecs')
    for initval in (0, 1, 12345):
        codec = numcodecs.JenkinsLookup3(initval=initval)
        for size in SIZES[1:]:
            data = _data(size, 2)
            stored = int.from_bytes(bytes(codec.encode(data))[-4:], 'little')
            assert ndcodecs.h5checksum_lookup3(data, initval) == stored
            assert ndcodecs.h5checksum_metadata(data, initval) == stored


def test_known_values():
    # HDF5 values, cross-checked with imagecodecs
    assert ndcodecs.h5checksum_fletcher32(b'') == 0
    assert ndcodecs.h5checksum_fletcher32(b'a') == 0x61006100
    assert ndcodecs.h5checksum_lookup3(b'') == 0xDEADBEEF
    assert ndcodecs.h5checksum_crc(b'') == 0
    assert ndcodecs.h5checksum_hash_string(b'') == 5381
    assert ndcodecs.h5checksum_hash_string(b'\xff') == 5381 * 33 - 1  # signed char
    assert ndcodecs.h5checksum_hash_string(b'ab\x00cd') == ndcodecs.h5checksum_hash_string(b'ab')


def _crc_reference(data):
    """HDF5's CRC, bit by bit."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x04C11DB7 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def test_crc_reference():
    for size in (0, 1, 7, 8, 9, 100):
        data = _data(size, 3)
        assert ndcodecs.h5checksum_crc(data) == _crc_reference(data)


def test_fletcher32_saturated():
    """All-ones words stress the folding (0xFFFF vs 0 representations)."""
    for size in (718, 719, 720, 721, 1440, 1441, 100000, 100001):
        for data in (b'\xff' * size, b'\xff\xfe' * (size // 2), b'\x00\x01' * (size // 2)):
            assert ndcodecs.h5checksum_fletcher32(data) == imagecodecs.h5checksum_fletcher32(data)


def test_inputs():
    arr = numpy.arange(1000, dtype=numpy.uint16).reshape(10, 100)
    for name in NAMES[:4]:
        ours = getattr(ndcodecs, f'h5checksum_{name}')
        ref = getattr(imagecodecs, f'h5checksum_{name}')
        assert ours(arr) == ref(arr)
        assert ours(arr[:, ::3]) == ref(arr[:, ::3])  # non-contiguous: copied
        assert ours(memoryview(arr.tobytes())) == ref(arr.tobytes())
        assert ours(bytearray(arr.tobytes())) == ref(arr.tobytes())
        with pytest.raises(TypeError):
            ours('abc')
        with pytest.raises(TypeError):
            ours(None)
    with pytest.raises(TypeError):
        ndcodecs.h5checksum_hash_string('abc')
    with pytest.raises(TypeError):
        ndcodecs.h5checksum_lookup3(b'abc', 'x')


def test_registry():
    codec = ndcodecs.get_codec('h5checksum')
    assert codec.kind == 'checksum' and not codec.can_encode and not codec.can_decode
    assert codec.checksum(b'abc') == imagecodecs.h5checksum_fletcher32(b'abc')
    assert 'h5checksum_lookup3' in dir(ndcodecs)
    assert 'h5checksum_encode' not in codec.names()
    assert ndcodecs.h5checksum_version().startswith('ndcodecs')
    assert ndcodecs.H5CHECKSUM.available


@pytest.mark.parametrize('name', ['crc32', 'adler32'])
def test_generic_checksums(name):
    func = getattr(ndcodecs, name)
    ref = getattr(zlib, name)
    codec = ndcodecs.get_codec(name)
    assert codec.kind == 'checksum'
    assert codec.available and codec.version
    for size in SIZES:
        data = _data(size, 4)
        assert func(data) == ref(data)
        assert codec.checksum(data) == ref(data)
        half = size // 2
        assert func(data[half:], func(data[:half])) == ref(data)
        assert func(data, 12345) == ref(data, 12345)

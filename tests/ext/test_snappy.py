"""Snappy specifics: raw block format, python-snappy and imagecodecs parity, untrusted lengths."""

import time

import pytest

import ndcodecs
from ndcodecs import SnappyError, snappy_check, snappy_decode, snappy_encode

from common import payload

CASES = [('image', 1), ('text', 100), ('text', 5000), ('image', 70_000), ('text', 1 << 20), ('zeros', 1 << 20), ('random', 100_000)]


def _varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def test_block_format():
    """A raw block: the length as a varint, then literal and copy elements."""
    assert snappy_encode(b'') == b'\x00'
    assert snappy_encode(b'a') == b'\x01\x00a'
    data = payload('text', 300)
    assert snappy_encode(data).startswith(_varint(300))
    # a literal element of 3 bytes followed by a 1-byte-offset copy of 6
    block = _varint(9) + b'\x08abc' + bytes([0x01 | (6 - 4) << 2, 3])
    assert snappy_decode(block) == b'abcabcabc'


@pytest.mark.parametrize('kind,size', CASES)
def test_python_snappy_parity(kind, size):
    snappy = pytest.importorskip('snappy')
    data = payload(kind, size)
    ours = snappy_encode(data)
    assert snappy.decompress(ours) == data
    assert snappy_decode(snappy.compress(data)) == data
    assert len(ours) <= len(snappy.compress(data)) * 1.02 + 8


@pytest.mark.parametrize('kind,size', CASES)
def test_imagecodecs_parity(kind, size):
    imagecodecs = pytest.importorskip('imagecodecs')
    data = payload(kind, size)
    ours = snappy_encode(data)
    theirs = imagecodecs.snappy_encode(data)
    assert imagecodecs.snappy_decode(ours) == data
    assert snappy_decode(theirs) == data
    if imagecodecs.snappy_version() == ndcodecs.snappy_version():
        assert ours == theirs


def test_check():
    assert snappy_check(snappy_encode(b'')) is True
    assert snappy_check(snappy_encode(payload('text', 10_000))) is True
    assert snappy_check(b'') is False
    assert snappy_check(b'\x03abc') is False  # claims 3 bytes, holds none
    assert snappy_check(snappy_encode(payload('text', 10_000))[:-1]) is False


def test_version():
    version = ndcodecs.snappy_version()
    assert version.startswith('snappy 1.') and version != 'snappy unknown'
    assert ndcodecs.SNAPPY.available


def test_encode_out_smaller_than_bound():
    """snappy_compress wants room for the worst case; a smaller out= still works."""
    data = payload('text', 100_000)
    encoded = snappy_encode(data)
    assert len(encoded) < len(data)
    assert snappy_encode(data, out=len(encoded)) == encoded
    buf = bytearray(len(encoded) + 1)
    assert bytes(snappy_encode(data, out=buf)) == encoded
    with pytest.raises(SnappyError, match='too small'):
        snappy_encode(data, out=len(encoded) - 1)


@pytest.mark.parametrize('claimed', [2**32 - 1, 100_000, 1 << 20])
def test_claimed_size_beyond_expansion(claimed):
    """A length no block of this size can expand to fails before allocating."""
    block = _varint(claimed) + b'\x08abc' + b'\x00' * 40
    start = time.perf_counter()
    with pytest.raises(SnappyError, match='can hold'):
        snappy_decode(block, max_output=1 << 40)
    assert time.perf_counter() - start < 0.1


def test_claimed_size_beyond_max_output():
    block = _varint(1000) + b'\x08abc' + b'\x00' * 100
    with pytest.raises(SnappyError, match='max_output'):
        snappy_decode(block, max_output=999)


def test_claimed_100gb():
    """A varint beyond 32 bits is not a snappy length."""
    with pytest.raises(SnappyError):
        snappy_decode(_varint(100 << 30) + b'\x08abc')


@pytest.mark.parametrize('block', [
    b'', b'\x80', b'\xff\xff\xff\xff\xff\x01',
    _varint(4) + b'\x08abc',  # one byte short
    _varint(3) + b'\x08abcd',  # one byte too many
    _varint(4) + b'\x00a' + bytes([0x01, 2]),  # copy from before the start
    _varint(6) + b'\x08abc' + bytes([0x01 | (4 - 4) << 2]),  # truncated copy
])
def test_malformed(block):
    with pytest.raises(SnappyError):
        snappy_decode(block)
    assert snappy_check(block) is False


def test_highest_expansion():
    """Copies of 64 bytes with 2-byte offsets: the densest valid block decodes."""
    count = 1000
    block = _varint(1 + 64 * count) + b'\x00a' + bytes([0x02 | 63 << 2, 1, 0]) * count
    assert snappy_decode(block) == b'a' * (1 + 64 * count)

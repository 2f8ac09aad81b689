"""LZF specifics: the optional size header, incompressible and empty data,
blocks without header of unknown size, imagecodecs parity, malformed blocks."""

import struct
import time

import pytest

import ndcodecs
from ndcodecs import LzfError, lzf_check, lzf_decode, lzf_encode

from common import payload

CASES = [('image', 1), ('text', 100), ('text', 5000), ('image', 70_000), ('text', 1 << 20), ('zeros', 1 << 20), ('random', 100_000)]


@pytest.mark.parametrize('kind,size', CASES)
def test_header(kind, size):
    data = payload(kind, size)
    plain = lzf_encode(data)
    framed = lzf_encode(data, header=True)
    assert framed == struct.pack('<I', size) + plain
    assert lzf_decode(framed, header=True) == data
    assert lzf_decode(plain) == data


@pytest.mark.parametrize('kind,size', CASES)
@pytest.mark.parametrize('header', [False, True])
def test_imagecodecs_parity(kind, size, header):
    """The same liblzf gives the same bytes; each decodes the other's blocks."""
    imagecodecs = pytest.importorskip('imagecodecs')
    data = payload(kind, size)
    ours = lzf_encode(data, header=header)
    assert ours == imagecodecs.lzf_encode(data, header=header)
    # imagecodecs guesses the size of blocks without header
    out = None if header else size
    assert imagecodecs.lzf_decode(ours, header=header, out=out) == data
    assert lzf_decode(imagecodecs.lzf_encode(data, header=header), header=header) == data


def test_incompressible():
    """lzf_compress fails unless the output may grow: random data expands by 1/32."""
    data = payload('random', 1 << 20)
    encoded = lzf_encode(data)
    assert len(data) < len(encoded) <= len(data) + len(data) // 32 + 16
    assert lzf_decode(encoded) == data
    assert lzf_decode(lzf_encode(data, header=True), header=True) == data
    with pytest.raises(LzfError, match='too small'):
        lzf_encode(data, out=len(data))


def test_empty():
    assert lzf_encode(b'') == b''
    assert lzf_encode(b'', header=True) == b'\x00\x00\x00\x00'
    assert lzf_decode(b'') == b''
    assert lzf_decode(b'\x00\x00\x00\x00', header=True) == b''
    assert lzf_decode(b'', out=bytearray) == bytearray()
    with pytest.raises(LzfError, match='header'):
        lzf_decode(b'', header=True)
    with pytest.raises(LzfError):
        lzf_decode(b'\x00\x00\x00\x00\x00a', header=True)  # says 0, holds 1


def test_no_header_high_ratio():
    """Without header, the size of a block expanding 80 times is found exactly."""
    data = payload('zeros', 16 << 20)
    encoded = lzf_encode(data)
    assert len(encoded) * 80 < len(data)
    assert lzf_decode(encoded) == data
    assert lzf_decode(encoded, out=len(data)) == data
    with pytest.raises(LzfError, match='max_output'):
        lzf_decode(encoded, max_output=len(data) - 1)
    with pytest.raises(LzfError, match='too small'):
        lzf_decode(encoded, out=bytearray(len(data) - 1))
    with pytest.raises(LzfError, match='corrupt'):
        lzf_decode(encoded + b'\x1f')  # a literal run of 32 missing its bytes


def test_header_mismatch():
    data = payload('text', 10_000)
    block = lzf_encode(data)
    with pytest.raises(LzfError, match='holds more'):
        lzf_decode(struct.pack('<I', len(data) - 1) + block, header=True)
    with pytest.raises(LzfError, match='header says'):
        lzf_decode(struct.pack('<I', len(data) + 1) + block, header=True)


def test_claimed_4gb():
    """The largest size the header can claim fails at once for a small block."""
    block = b'\xff\xff\xff\xff' + lzf_encode(payload('text', 1000))
    start = time.perf_counter()
    with pytest.raises(LzfError, match='can hold'):
        lzf_decode(block, header=True, max_output=1 << 40)
    assert time.perf_counter() - start < 0.1
    honest = struct.pack('<I', 100_000) + lzf_encode(bytes(100_000))
    with pytest.raises(LzfError, match='max_output'):
        lzf_decode(honest, header=True, max_output=99_999)


@pytest.mark.parametrize('header', [False, True])
@pytest.mark.parametrize('block', [
    b'\x00',  # a literal run missing its byte
    b'\x05abc',  # a literal run of 6 with 3 bytes
    b'\x00a\x20',  # a back reference missing its offset byte
    b'\x00a\xe0\x05',  # a long back reference missing its offset byte
    b'\x00a\x20\x01',  # a back reference to before the start
    b'\x20\x00',  # a back reference into nothing
])
def test_malformed(block, header):
    if header:
        block = struct.pack('<I', 10) + block
    with pytest.raises(LzfError):
        lzf_decode(block, header=header)


def test_back_reference_formats():
    """Short (2-byte) and long (3-byte) back references, overlapping the output."""
    assert lzf_decode(b'\x01ab' + bytes([(5 - 2) << 5, 1])) == b'ab' + b'ababa'
    assert lzf_decode(b'\x00a' + bytes([7 << 5, 255 + 9 - 7 - 2, 0])) == b'a' * 265


def test_check_and_version():
    assert lzf_check(lzf_encode(b'abc')) is None
    assert lzf_check(b'') is None
    assert ndcodecs.lzf_version().startswith('liblzf ')
    assert ndcodecs.LZF.available

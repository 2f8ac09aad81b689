"""LZO specifics: LZO1X through liblzo2, python-lzo's header, levels,
blocks without header of unknown size, imagecodecs parity, malformed blocks."""

import ctypes
import ctypes.util
import inspect
import struct
import time

import pytest

import ndcodecs
from ndcodecs import LzoError, lzo_check, lzo_decode, lzo_encode

from common import payload

CASES = [('image', 1), ('text', 100), ('text', 5000), ('image', 70_000), ('text', 1 << 20), ('zeros', 1 << 20), ('random', 100_000)]


def _liblzo2():
    name = ctypes.util.find_library('lzo2')
    if name is None:
        pytest.skip('liblzo2 not found by ctypes')
    return ctypes.CDLL(name)


def lzo1x_1_compress(data):
    """Compress with liblzo2 directly (LZO1X-1), independent of ndcodecs."""
    lib = _liblzo2()
    size = len(data)
    dst = ctypes.create_string_buffer(size + size // 16 + 64 + 3)
    dst_len = ctypes.c_size_t(len(dst))
    wrkmem = ctypes.create_string_buffer(16384 * ctypes.sizeof(ctypes.c_void_p))
    ret = lib.lzo1x_1_compress(data, ctypes.c_size_t(size), dst, ctypes.byref(dst_len), wrkmem)
    assert ret == 0
    return dst.raw[:dst_len.value]


def test_signature_as_imagecodecs():
    imagecodecs = pytest.importorskip('imagecodecs')
    for name in ('lzo_encode', 'lzo_decode'):
        ours = inspect.signature(getattr(ndcodecs, name)).parameters
        theirs = inspect.signature(getattr(imagecodecs, name)).parameters
        assert [(p.name, p.kind, p.default) for p in theirs.values()] == [
            (p.name, p.kind, p.default) for p in ours.values() if p.name != 'max_output'
        ]


@pytest.mark.parametrize('kind,size', CASES)
def test_liblzo2_parity(kind, size):
    data = payload(kind, size)
    reference = lzo1x_1_compress(data)
    assert lzo_encode(data) == reference
    assert lzo_decode(reference) == data
    framed = b'\xf0' + struct.pack('>I', size) + reference
    assert lzo_encode(data, header=True) == framed
    assert lzo_decode(framed, header=True) == data


@pytest.mark.parametrize('kind,size', CASES)
def test_imagecodecs_parity(kind, size):
    """imagecodecs (lzokay) decodes ours, with header or with out=."""
    imagecodecs = pytest.importorskip('imagecodecs')
    data = payload(kind, size)
    for level in (1, 9):
        assert imagecodecs.lzo_decode(lzo_encode(data, level, header=True), header=True) == data
        assert imagecodecs.lzo_decode(lzo_encode(data, level), out=size) == data


@pytest.mark.parametrize('level', [None, -1, 0, 1, 2, 5, 8, 9, 100])
def test_levels(level):
    data = payload('text', 200_000)
    encoded = lzo_encode(data, level, header=True)
    assert encoded[0] == (0xF1 if level is not None and level > 1 else 0xF0)
    assert lzo_decode(encoded, header=True) == data
    assert lzo_decode(encoded[5:]) == data


def test_higher_level_is_smaller():
    data = payload('text', 200_000)
    assert len(lzo_encode(data, 9)) < len(lzo_encode(data, 1)) * 0.9


def test_empty():
    assert lzo_encode(b'') == b'\x11\x00\x00'  # just the end marker
    assert lzo_decode(b'\x11\x00\x00') == b''
    assert lzo_decode(lzo_encode(b'', header=True), header=True) == b''
    with pytest.raises(LzoError):
        lzo_decode(b'')
    with pytest.raises(LzoError, match='header'):
        lzo_decode(b'\xf0\x00\x00\x00', header=True)


def test_no_header_high_ratio():
    """Without header, the output grows until a block expanding 200 times fits."""
    data = payload('zeros', 16 << 20)
    encoded = lzo_encode(data)
    assert len(encoded) * 200 < len(data)
    assert lzo_decode(encoded) == data
    assert lzo_decode(encoded, out=len(data)) == data
    with pytest.raises(LzoError, match='max_output'):
        lzo_decode(encoded, max_output=len(data) - 1)
    with pytest.raises(LzoError, match='too small'):
        lzo_decode(encoded, out=bytearray(len(data) - 1))


def test_encode_out_smaller_than_bound():
    """The compressors do not check the output size: a smaller out= is safe."""
    data = payload('text', 100_000)
    encoded = lzo_encode(data, header=True)
    assert lzo_encode(data, header=True, out=len(encoded)) == encoded
    with pytest.raises(LzoError, match='too small'):
        lzo_encode(data, header=True, out=len(encoded) - 1)
    with pytest.raises(LzoError, match='too small'):
        lzo_encode(data, header=True, out=4)


def test_header_mismatch():
    data = payload('text', 10_000)
    block = lzo_encode(data)
    with pytest.raises(LzoError, match='holds more'):
        lzo_decode(b'\xf0' + struct.pack('>I', len(data) - 1) + block, header=True)
    with pytest.raises(LzoError, match='header says'):
        lzo_decode(b'\xf0' + struct.pack('>I', len(data) + 1) + block, header=True)
    with pytest.raises(LzoError, match='header byte'):
        lzo_decode(b'\xf2' + struct.pack('>I', len(data)) + block, header=True)


def test_trailing_bytes():
    block = lzo_encode(payload('text', 1000))
    with pytest.raises(LzoError, match='INPUT_NOT_CONSUMED'):
        lzo_decode(block + b'\x00')


def test_claimed_4gb():
    """The largest size the header can claim fails at once for a small block."""
    block = b'\xf0\xff\xff\xff\xff' + lzo_encode(payload('text', 1000))
    start = time.perf_counter()
    with pytest.raises(LzoError, match='can hold'):
        lzo_decode(block, header=True, max_output=1 << 40)
    assert time.perf_counter() - start < 0.1
    honest = lzo_encode(bytes(100_000), header=True)
    with pytest.raises(LzoError, match='max_output'):
        lzo_decode(honest, header=True, max_output=99_999)


@pytest.mark.parametrize('block', [
    b'\x11\x00',  # truncated end marker
    b'\x00',  # a literal run without its length
    b'\x12abc',  # literals without the end marker
    b'\x15ab',  # fewer literals than announced
    b'\x12a\x20\x00\x00\x11\x00\x00',  # a match before the start
])
def test_malformed(block):
    with pytest.raises(LzoError):
        lzo_decode(block)
    with pytest.raises(LzoError):
        lzo_decode(b'\xf0\x00\x00\x00\x10' + block, header=True)


def test_check_and_version():
    assert lzo_check(lzo_encode(b'abc')) is None
    assert lzo_check(b'') is None
    assert ndcodecs.lzo_version().startswith('lzo 2.')
    assert ndcodecs.LZO.available

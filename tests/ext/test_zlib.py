"""zlib specifics: byte parity with Python's zlib, strategies, constants,
stream ends and trailing bytes, checksums."""

import time
import tracemalloc
import zlib

import numpy
import pytest

from ndcodecs import (
    ZLIB, ZlibError, zlib_adler32, zlib_check, zlib_crc32, zlib_decode,
    zlib_encode, zlib_version,
)

from common import payload

KINDS = ['image', 'text', 'random', 'zeros']


def test_version():
    assert zlib_version() == 'zlib ' + zlib.ZLIB_RUNTIME_VERSION


@pytest.mark.parametrize('kind', KINDS)
@pytest.mark.parametrize('level', range(-1, 10))
def test_identical_with_stdlib(kind, level):
    data = payload(kind, 70_000)
    assert zlib_encode(data, level) == zlib.compress(data, level)


@pytest.mark.parametrize('size', [0, 1, 100, 1 << 16, 1 << 20])
def test_identical_with_stdlib_sizes(size):
    data = payload('image', size)
    assert zlib_encode(data) == zlib.compress(data)
    assert zlib_encode(numpy.frombuffer(data, numpy.uint8), 9) == zlib.compress(data, 9)


@pytest.mark.parametrize('level,same', [(None, -1), (-100, -1), (10, 9), (1000, 9), (5.0, 5)])
def test_level_clamped(level, same):
    data = payload('text', 20_000)
    assert zlib_encode(data, level) == zlib.compress(data, same)


def test_identical_with_imagecodecs():
    imagecodecs = pytest.importorskip('imagecodecs')
    if imagecodecs.zlib_version() != zlib_version():
        pytest.skip('different zlib versions')
    data = payload('image', 100_000)
    for level in (None, -1, 1, 6, 9, 10):
        assert zlib_encode(data, level) == imagecodecs.zlib_encode(data, level)
    # Level 0 sizes stored blocks by the output space of each deflate call:
    # imagecodecs gives all at once, Python (and we) 32 KiB first
    assert zlib_encode(data[:30_000], 0) == imagecodecs.zlib_encode(data[:30_000], 0)
    assert zlib_encode(data, 0) != imagecodecs.zlib_encode(data, 0)
    encoded = imagecodecs.zlib_encode(data)
    assert zlib_decode(encoded) == imagecodecs.zlib_decode(encoded) == data


@pytest.mark.parametrize('strategy', list(ZLIB.STRATEGY))
@pytest.mark.parametrize('level', [0, 1, 6, 9])
def test_strategy(strategy, level):
    data = payload('image', 50_000)
    encoded = zlib_encode(data, level, strategy=strategy)
    assert zlib_encode(data, level, strategy=int(strategy)) == encoded
    assert zlib_decode(encoded) == zlib.decompress(encoded) == data
    if level == 0:
        return  # stored blocks; compressobj flushes in other sizes
    cobj = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS, 8, strategy)
    assert encoded == cobj.compress(data) + cobj.flush()


@pytest.mark.parametrize('size', [32767, 32768, 100_000, 3 << 20])
def test_stored_blocks_as_stdlib(size):
    data = payload('random', size)
    assert zlib_encode(data, 0) == zlib.compress(data, 0)
    assert zlib_encode(data, 0, out=bytearray(size + 1000)) == zlib.compress(data, 0)


@pytest.mark.parametrize('strategy', [-1, 5, 'rle'])
def test_strategy_invalid(strategy):
    with pytest.raises((ValueError, TypeError)):
        zlib_encode(b'data', strategy=strategy)


def test_constants():
    assert ZLIB.available is True
    assert dict(ZLIB.COMPRESSION.__members__) == {
        'DEFAULT': zlib.Z_DEFAULT_COMPRESSION, 'NO': zlib.Z_NO_COMPRESSION,
        'BEST': zlib.Z_BEST_COMPRESSION, 'SPEED': zlib.Z_BEST_SPEED,
    }
    assert dict(ZLIB.STRATEGY.__members__) == {
        'DEFAULT': zlib.Z_DEFAULT_STRATEGY, 'FILTERED': zlib.Z_FILTERED,
        'HUFFMAN_ONLY': zlib.Z_HUFFMAN_ONLY, 'RLE': zlib.Z_RLE,
        'FIXED': zlib.Z_FIXED,
    }


def test_constants_as_imagecodecs():
    imagecodecs = pytest.importorskip('imagecodecs')
    for name in ('COMPRESSION', 'STRATEGY'):
        ours = getattr(ZLIB, name)
        theirs = getattr(imagecodecs.ZLIB, name)
        assert {k: int(v) for k, v in ours.__members__.items()} == {
            k: int(v) for k, v in theirs.__members__.items()
        }


@pytest.mark.parametrize('wbits', range(9, 16))
@pytest.mark.parametrize('memlevel', [1, 9])
def test_decode_any_window(wbits, memlevel):
    data = payload('text', 100_000)
    cobj = zlib.compressobj(9, zlib.DEFLATED, wbits, memlevel)
    assert zlib_decode(cobj.compress(data) + cobj.flush()) == data


def test_decode_flushed_stream():
    # sync and full flushes leave empty stored blocks inside the stream
    data = payload('image', 200_000)
    cobj = zlib.compressobj()
    parts = []
    for i in range(0, len(data), 30_000):
        parts.append(cobj.compress(data[i:i + 30_000]))
        parts.append(cobj.flush(zlib.Z_SYNC_FLUSH if i % 60_000 else zlib.Z_FULL_FLUSH))
    parts.append(cobj.flush())
    assert zlib_decode(b''.join(parts)) == data


@pytest.mark.parametrize('trailing', [b'\0', b'junk', zlib.compress(b'second stream')])
def test_trailing_bytes_ignored(trailing):
    # as zlib.decompress: decoding stops at the end of the first stream
    data = payload('text', 5000)
    stream = zlib.compress(data) + trailing
    assert zlib_decode(stream) == zlib.decompress(stream) == data


def test_truncated():
    encoded = zlib.compress(payload('text', 10_000))
    for size in (1, 2, 3, len(encoded) // 2, len(encoded) - 4, len(encoded) - 1):
        with pytest.raises(ZlibError):
            zlib_decode(encoded[:size])


@pytest.mark.parametrize('stream', [
    b'',
    b'\x78',
    b'\x78\x9d',  # bad header check
    b'\x79\x9c\x00\x00',  # not deflate
    b'\x78\x9c\x07\x00',  # invalid block type
    zlib.compress(b'abc', wbits=-15),  # raw deflate
    zlib.compress(b'abc', wbits=31),  # gzip
])
def test_invalid(stream):
    with pytest.raises(ZlibError):
        zlib_decode(stream)


def test_bad_checksum():
    encoded = bytearray(zlib.compress(payload('text', 1000)))
    encoded[-1] ^= 1
    with pytest.raises(ZlibError, match='incorrect data check'):
        zlib_decode(encoded)


def test_preset_dictionary():
    cobj = zlib.compressobj(zdict=b'some dictionary')
    stream = cobj.compress(b'some data') + cobj.flush()
    with pytest.raises(ZlibError, match='Z_NEED_DICT'):
        zlib_decode(stream)


def test_bomb_limited_quickly():
    bomb = zlib.compress(bytes(64 << 20), 1)  # 64 MiB in ~300 KB
    tracemalloc.start()
    try:
        start = time.perf_counter()
        with pytest.raises(ZlibError, match='max_output'):
            zlib_decode(bomb, max_output=1 << 20)
        assert time.perf_counter() - start < 1.0
        assert tracemalloc.get_traced_memory()[1] < 4 << 20
    finally:
        tracemalloc.stop()


def test_grows_from_small_guess():
    data = bytes(10 << 20)
    assert zlib_decode(zlib.compress(data)) == data
    assert zlib_decode(zlib.compress(data), max_output=len(data)) == data


def test_exact_out():
    data = payload('image', 100_000)
    encoded = zlib.compress(data)
    out = bytearray(len(data))
    assert zlib_decode(encoded, out=out) is out
    assert out == data
    with pytest.raises(ZlibError):
        zlib_decode(encoded, out=bytearray(len(data) - 1))


def test_encode_out_too_small():
    data = payload('random', 10_000)
    with pytest.raises(ZlibError):
        zlib_encode(data, out=bytearray(100))
    # an out= larger than needed returns a view of the used part
    out = bytearray(20_000)
    result = zlib_encode(data, out=out)
    assert bytes(result) == zlib.compress(data)


def test_check():
    for level in range(-1, 10):
        assert zlib_check(zlib.compress(b'x', level)) is True
    for wbits in range(9, 16):
        assert zlib_check(zlib.compressobj(6, zlib.DEFLATED, wbits).flush()) is True
    assert zlib_check(zlib.compress(b'x', wbits=31)) is False
    assert zlib_check(b'\x78') is False
    assert zlib_check(b'') is False
    assert zlib_check(b'\x78\x9d') is False
    assert zlib_check(numpy.frombuffer(zlib.compress(b'x'), numpy.uint8)) is True


@pytest.mark.parametrize('size', [0, 1, 1000, 1 << 20])
@pytest.mark.parametrize('value', [None, 0, 1, 0xDEADBEEF, 0xFFFFFFFF])
def test_checksums(size, value):
    data = payload('random', size)
    start_crc = 0 if value is None else value
    start_adler = 1 if value is None else value
    assert zlib_crc32(data, value) == zlib.crc32(data, start_crc)
    assert zlib_adler32(data, value) == zlib.adler32(data, start_adler)
    assert zlib_crc32(data) == zlib.crc32(data)


def test_checksums_continue():
    data = payload('text', 100_000)
    assert zlib_crc32(data[5000:], zlib_crc32(data[:5000])) == zlib.crc32(data)
    assert zlib_adler32(data[5000:], zlib_adler32(data[:5000])) == zlib.adler32(data)
    assert zlib_crc32(numpy.frombuffer(data, numpy.uint16)) == zlib.crc32(data)
    # values are taken modulo 2**32, as by the zlib module
    assert zlib_crc32(data, -1) == zlib.crc32(data, -1)
    assert zlib_adler32(data, 1 << 32) == zlib.adler32(data, 1 << 32)


def test_checksums_as_imagecodecs():
    imagecodecs = pytest.importorskip('imagecodecs')
    data = payload('image', 10_000)
    assert zlib_crc32(data) == imagecodecs.zlib_crc32(data)
    assert zlib_adler32(data) == imagecodecs.zlib_adler32(data)
    assert zlib_crc32(data, 123) == imagecodecs.zlib_crc32(data, 123)
    assert zlib_adler32(data, 123) == imagecodecs.zlib_adler32(data, 123)

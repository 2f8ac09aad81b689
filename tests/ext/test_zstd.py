"""Zstd specifics: levels, threads, frames without content size, concatenation."""

import struct

import pytest

import ndcodecs
from ndcodecs import ZstdError, zstd_check, zstd_decode, zstd_encode

from common import payload

zstandard = pytest.importorskip('zstandard')


@pytest.mark.parametrize('level', [-131072, -100, -5, -1, 0, 1, 3, 10, 22, 100])
def test_levels(level):
    data = payload('image', 100_000)
    encoded = zstd_encode(data, level)
    assert zstd_decode(encoded) == data
    assert zstandard.ZstdDecompressor().decompress(encoded) == data


def test_level_matches_zstandard():
    data = payload('text', 300_000)
    for level in (-3, 1, 3, 9):
        ours = zstd_encode(data, level)
        theirs = zstandard.ZstdCompressor(level=level, write_content_size=True).compress(data)
        assert len(ours) == pytest.approx(len(theirs), rel=0.02)


@pytest.mark.parametrize('numthreads', [None, 1, 2, 0])
def test_numthreads(numthreads):
    data = payload('image', 8 << 20)
    encoded = zstd_encode(data, 3, numthreads=numthreads)
    assert zstd_decode(encoded) == data


def test_concatenated_frames():
    parts = [payload('text', 1000), payload('image', 50_000), b'', b'x']
    stream = b''.join(zstd_encode(p) for p in parts)
    assert zstd_decode(stream) == b''.join(parts)


def test_frames_without_content_size():
    data = payload('image', 3 << 20)
    cctx = zstandard.ZstdCompressor(write_content_size=False)
    chunker = cctx.compressobj()
    streamed = chunker.compress(data) + chunker.flush()
    assert zstandard.get_frame_parameters(streamed).content_size == zstandard.CONTENTSIZE_UNKNOWN
    assert zstd_decode(streamed) == data
    mixed = zstd_encode(b'abc') + streamed + zstd_encode(b'def')
    assert zstd_decode(mixed) == b'abc' + data + b'def'
    with pytest.raises(ZstdError, match='truncated'):
        zstd_decode(streamed[:-5])
    with pytest.raises(ZstdError):
        zstd_decode(streamed, max_output=1 << 20)


def test_skippable_frame():
    skippable = struct.pack('<II', 0x184D2A50, 4) + b'meta'
    assert zstd_decode(skippable + zstd_encode(b'data')) == b'data'


def test_claimed_huge_size():
    """A frame header claiming 100 GB fails before any allocation."""
    # descriptor: 8-byte content size; window byte; one raw last block of 3 bytes
    header = b'\x28\xb5\x2f\xfd\xc0\x00' + struct.pack('<Q', 100 << 30)
    block = bytes([0x19, 0, 0]) + b'abc'
    with pytest.raises(ZstdError, match='max_output'):
        zstd_decode(header + block)
    honest = b'\x28\xb5\x2f\xfd\xc0\x00' + struct.pack('<Q', 3) + block
    assert zstd_decode(honest) == b'abc'


def test_bomb_fails_fast():
    """A small stream inflating beyond the cap raises instead of allocating."""
    chunk = bytes(1 << 20)
    cctx = zstandard.ZstdCompressor(level=1, write_content_size=False)
    obj = cctx.compressobj()
    bomb = b''.join(obj.compress(chunk) for _ in range(256)) + obj.flush()
    assert len(bomb) < 100_000  # 256 MiB of zeros
    with pytest.raises(ZstdError, match='max_output'):
        zstd_decode(bomb, max_output=16 << 20)


def test_check_and_version():
    assert zstd_check(zstd_encode(b'')) is True
    assert zstd_check(b'\x00\x01\x02\x03') is False
    assert ndcodecs.zstd_version().startswith('zstd 1.')
    assert ndcodecs.ZSTD.available

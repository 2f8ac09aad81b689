"""libdeflate specifics: levels, zlib and raw formats, gzip members and the
ISIZE hint, output growth, checksums, the per-thread compressor cache."""

import gzip
import io
import struct
import time
import tracemalloc
import zlib

import numpy
import pytest

from ndcodecs import (
    DEFLATE, GZIP, DeflateError, GzipError, deflate_adler32, deflate_check,
    deflate_crc32, deflate_decode, deflate_encode, deflate_version, gzip_check,
    gzip_decode, gzip_encode, gzip_version,
)

from common import payload, run_in_threads

KINDS = ['image', 'text', 'random', 'zeros']


def test_version():
    assert deflate_version().startswith('libdeflate 1.')
    assert gzip_version() == deflate_version()
    assert DEFLATE.available is True
    assert GZIP.available is True


# zlib format header FLEVEL by libdeflate level: 0-1 fastest, 2-5 fast,
# 6-7 default, 8-12 slowest
FLEVEL = [0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3]


@pytest.mark.parametrize('kind', KINDS)
@pytest.mark.parametrize('level', range(13))
def test_levels(kind, level):
    data = payload(kind, 60_000)
    encoded = deflate_encode(data, level)
    assert zlib.decompress(encoded) == data
    assert deflate_decode(encoded) == data
    assert encoded[1] >> 6 == FLEVEL[level]
    raw = deflate_encode(data, level, raw=True)
    assert zlib.decompress(raw, -15) == data
    assert deflate_decode(raw, raw=True) == data
    assert encoded[2:-4] == raw  # the same deflate stream in both wrappers
    member = gzip_encode(data, level)
    assert gzip.decompress(member) == data
    assert gzip_decode(member) == data
    assert member[10:-8] == raw


@pytest.mark.parametrize('level,same', [(None, 6), (-1, 0), (13, 12), (100, 12), (9.0, 9)])
def test_level_clamped(level, same):
    data = payload('text', 30_000)
    assert deflate_encode(data, level) == deflate_encode(data, same)
    assert gzip_encode(data, level) == gzip_encode(data, same)


def test_level_default_as_imagecodecs():
    imagecodecs = pytest.importorskip('imagecodecs')
    data = payload('text', 30_000)
    # the zlib header's FLEVEL and the gzip header's XFL tell the level
    assert deflate_encode(data)[:2] == imagecodecs.deflate_encode(data)[:2]
    assert gzip_encode(data)[:10] == imagecodecs.gzip_encode(data)[:10]


@pytest.mark.parametrize('level', [None, 0, 1, 6, 9, 12])
def test_imagecodecs_parity(level):
    imagecodecs = pytest.importorskip('imagecodecs')
    data = payload('image', 200_000)
    ours = deflate_encode(data, level)
    theirs = imagecodecs.deflate_encode(data, level)
    if imagecodecs.deflate_version() == deflate_version():
        assert ours == theirs
    assert imagecodecs.deflate_decode(ours) == deflate_decode(theirs) == data
    ours = gzip_encode(data, level)
    theirs = imagecodecs.gzip_encode(data, level)
    if imagecodecs.deflate_version() == deflate_version():
        assert ours == theirs
    assert imagecodecs.gzip_decode(ours) == gzip_decode(theirs) == data


def test_gzip_header():
    member = gzip_encode(b'content')
    assert member[:4] == b'\x1f\x8b\x08\x00'  # magic, deflate, no flags
    assert member[4:8] == b'\0\0\0\0'  # MTIME
    assert struct.unpack('<II', member[-8:]) == (zlib.crc32(b'content'), 7)


@pytest.mark.parametrize('kind', KINDS)
@pytest.mark.parametrize('wbits', [9, 12, 15])
@pytest.mark.parametrize('strategy', [zlib.Z_DEFAULT_STRATEGY, zlib.Z_HUFFMAN_ONLY, zlib.Z_FIXED])
def test_decode_stdlib(kind, wbits, strategy):
    data = payload(kind, 100_000)
    cobj = zlib.compressobj(6, zlib.DEFLATED, wbits, 9, strategy)
    assert deflate_decode(cobj.compress(data) + cobj.flush()) == data
    cobj = zlib.compressobj(6, zlib.DEFLATED, -wbits, 9, strategy)
    assert deflate_decode(cobj.compress(data) + cobj.flush(), raw=True) == data
    cobj = zlib.compressobj(6, zlib.DEFLATED, 16 + wbits, 9, strategy)
    assert gzip_decode(cobj.compress(data) + cobj.flush()) == data


@pytest.mark.parametrize('kind', ['zeros', 'text', 'random'])
@pytest.mark.parametrize('size', [0, 1, 1000, 5 << 20])
def test_decode_unknown_size(kind, size):
    # the output grows (and libdeflate decodes again) until it fits
    data = payload(kind, size)
    encoded = zlib.compress(data, 1)
    assert deflate_decode(encoded) == data
    assert deflate_decode(encoded, max_output=size) == data
    assert deflate_decode(encoded[2:], raw=True) == data


def test_decode_max_output():
    encoded = zlib.compress(bytes(50 << 20))
    with pytest.raises(DeflateError, match='max_output'):
        deflate_decode(encoded, max_output=(50 << 20) - 1)
    with pytest.raises(DeflateError, match='output too small'):
        deflate_decode(encoded, out=bytearray(1000))
    out = bytearray(50 << 20)
    assert deflate_decode(encoded, out=out) is out


@pytest.mark.parametrize('trailing', [b'\0', b'junk' * 100, zlib.compress(b'next')])
def test_decode_trailing_bytes_ignored(trailing):
    data = payload('text', 10_000)
    assert deflate_decode(zlib.compress(data) + trailing) == data
    assert deflate_decode(zlib.compress(data, wbits=-15) + trailing, raw=True) == data


def test_decode_truncated_and_corrupt():
    data = payload('text', 20_000)
    encoded = zlib.compress(data)
    for size in (0, 1, 2, 10, len(encoded) // 2, len(encoded) - 1):
        with pytest.raises(DeflateError):
            deflate_decode(encoded[:size])
    bad = bytearray(encoded)
    bad[-1] ^= 0xFF  # Adler-32
    with pytest.raises(DeflateError, match='BAD_DATA'):
        deflate_decode(bad)
    with pytest.raises(DeflateError):
        deflate_decode(gzip.compress(data))  # not zlib
    with pytest.raises(DeflateError):
        deflate_decode(zlib.compress(data, wbits=-15))  # raw is not zlib


def test_deflate_bomb_limited_quickly():
    bomb = deflate_encode(bytes(64 << 20), 1)
    tracemalloc.start()
    try:
        start = time.perf_counter()
        with pytest.raises(DeflateError, match='max_output'):
            deflate_decode(bomb, max_output=1 << 20)
        assert time.perf_counter() - start < 1.0
        assert tracemalloc.get_traced_memory()[1] < 4 << 20
    finally:
        tracemalloc.stop()


def _gzip_with_header(data, **kwargs):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode='wb', **kwargs) as f:
        f.write(data)
    return buf.getvalue()


def test_gzip_decode_header_fields():
    data = payload('text', 10_000)
    assert gzip_decode(_gzip_with_header(data, filename='name.txt', mtime=12345)) == data
    # FEXTRA, FNAME, FCOMMENT and FHCRC, made by hand
    deflated = zlib.compress(data, wbits=-15)
    header = b'\x1f\x8b\x08\x1e' + b'\0\0\0\0\0\xff'
    header += struct.pack('<H', 6) + b'ab\x02\x00xy' + b'name\0' + b'comment\0'
    header += struct.pack('<H', zlib.crc32(header) & 0xFFFF)
    member = header + deflated + struct.pack('<II', zlib.crc32(data), len(data))
    assert gzip.decompress(member) == data
    assert gzip_decode(member) == data


def test_gzip_multiple_members():
    parts = [payload('text', 1000), b'', payload('image', 300_000), payload('zeros', 5 << 20), b'x']
    stream = b''.join(gzip.compress(p) for p in parts)
    assert gzip_decode(stream) == gzip.decompress(stream) == b''.join(parts)
    # the ISIZE hint is the last member's: the output grows for the others
    stream = gzip_encode(parts[3]) + gzip_encode(parts[0])
    assert gzip_decode(stream) == parts[3] + parts[0]


def test_gzip_zero_padding_and_trailing_bytes():
    data = payload('text', 10_000)
    member = gzip_encode(data)
    # zero padding between and after members is skipped, as by gzip.decompress
    padded = member + bytes(7) + member + bytes(3)
    assert gzip_decode(padded) == gzip.decompress(padded) == data + data
    # other trailing bytes are ignored, as by imagecodecs and the gzip tool
    assert gzip_decode(member + b'junk') == data
    assert gzip_decode(member + b'\x1f') == data
    # but what starts like a member must be one
    with pytest.raises(GzipError):
        gzip_decode(member + b'\x1f\x8b')
    with pytest.raises(GzipError):
        gzip_decode(member + member[:-1])


def test_gzip_truncated_and_corrupt():
    data = payload('text', 20_000)
    member = gzip_encode(data)
    for size in (0, 1, 2, 10, 18, len(member) // 2, len(member) - 1):
        with pytest.raises(GzipError):
            gzip_decode(member[:size])
    for index in (3, -8, -1):  # flags, CRC-32, ISIZE
        bad = bytearray(member)
        bad[index] ^= 0x40
        with pytest.raises(GzipError):
            gzip_decode(bad)
    with pytest.raises(GzipError):
        gzip_decode(zlib.compress(data))


@pytest.mark.parametrize('isize', [0, 1, 1 << 20, 0xFFFFFFFF])
def test_gzip_isize_is_only_a_hint(isize):
    data = payload('image', 100_000)
    member = bytearray(gzip_encode(data))
    member[-4:] = struct.pack('<I', isize)
    tracemalloc.start()
    try:
        with pytest.raises(GzipError):
            gzip_decode(member)  # libdeflate checks ISIZE
        assert tracemalloc.get_traced_memory()[1] < 200 << 20
    finally:
        tracemalloc.stop()
    # a member of 5 GB would have ISIZE 5 GB mod 2**32: the hint is too small
    stream = gzip_encode(bytes(3 << 20)) + gzip_encode(b'')
    assert gzip_decode(stream) == bytes(3 << 20)


def test_gzip_huge_isize_claim_fails_fast():
    # a tiny stream claiming 4 GiB allocates at most ~1032 times its size
    member = bytearray(gzip_encode(b'abc'))
    member[-4:] = b'\xff\xff\xff\xff'
    tracemalloc.start()
    try:
        start = time.perf_counter()
        with pytest.raises(GzipError):
            gzip_decode(member)
        assert time.perf_counter() - start < 0.5
        assert tracemalloc.get_traced_memory()[1] < 1 << 20
    finally:
        tracemalloc.stop()


def test_gzip_bomb_limited_quickly():
    bomb = gzip_encode(bytes(64 << 20), 1)
    start = time.perf_counter()
    with pytest.raises(GzipError, match='max_output'):
        gzip_decode(bomb, max_output=1 << 20)
    with pytest.raises(GzipError, match='max_output'):
        gzip_decode(bomb + bomb, max_output=(64 << 20) + 1)
    assert time.perf_counter() - start < 2.0


def test_gzip_out():
    data = payload('image', 100_000)
    member = gzip_encode(data)
    out = bytearray(len(data))
    assert gzip_decode(member, out=out) is out
    assert out == data
    with pytest.raises(GzipError):
        gzip_decode(member, out=bytearray(len(data) - 1))
    out = numpy.zeros(len(data) * 2 + 10, numpy.uint8)
    result = gzip_decode(member + member, out=out)
    assert result.tobytes() == data + data


def test_encode_out_too_small():
    data = payload('random', 10_000)
    for encode in (deflate_encode, gzip_encode):
        with pytest.raises((DeflateError, GzipError), match='output too small'):
            encode(data, out=bytearray(100))
    # out= need only hold the result, not the bound
    for kind in KINDS:
        data = payload(kind, 100_000)
        for encode in (deflate_encode, gzip_encode):
            encoded = encode(data)
            out = bytearray(len(encoded))
            assert encode(data, out=out) is out
            assert out == encoded
            with pytest.raises((DeflateError, GzipError)):
                encode(data, out=bytearray(len(encoded) - 1))


def test_check():
    data = payload('text', 1000)
    for level in range(13):
        assert deflate_check(deflate_encode(data, level)) is True
        assert gzip_check(gzip_encode(data, level)) is True
    assert deflate_check(zlib.compress(data)) is True
    assert deflate_check(deflate_encode(data, raw=True)) is None
    assert deflate_check(b'') is None
    assert gzip_check(deflate_encode(data)) is False
    assert gzip_check(b'\x1f') is False
    assert gzip_check(b'') is False


@pytest.mark.parametrize('size', [0, 1, 1000, 1 << 20])
@pytest.mark.parametrize('value', [None, 0, 1, 0xDEADBEEF, 0xFFFFFFFF])
def test_checksums(size, value):
    data = payload('random', size)
    assert deflate_crc32(data, value) == zlib.crc32(data, 0 if value is None else value)
    if value is None or (value >> 16 < 65521 and value & 0xFFFF < 65521):
        # libdeflate does not reduce an invalid start value for empty data
        assert deflate_adler32(data, value) == zlib.adler32(data, 1 if value is None else value)


def test_checksums_continue():
    data = payload('text', 100_000)
    assert deflate_crc32(data[777:], deflate_crc32(data[:777])) == zlib.crc32(data)
    assert deflate_adler32(data[777:], deflate_adler32(data[:777])) == zlib.adler32(data)
    assert deflate_crc32(numpy.frombuffer(data, numpy.uint16)) == zlib.crc32(data)
    assert deflate_crc32(data, -1) == zlib.crc32(data, -1)


def test_checksums_as_imagecodecs():
    imagecodecs = pytest.importorskip('imagecodecs')
    data = payload('image', 10_000)
    assert deflate_crc32(data) == imagecodecs.deflate_crc32(data)
    assert deflate_adler32(data, 7) == imagecodecs.deflate_adler32(data, 7)


def test_thread_cache_levels():
    # each thread keeps one compressor: switching levels, and many threads
    # starting and ending (which frees their caches), give the same streams
    data = payload('text', 5000)
    expected = {level: deflate_encode(data, level) for level in range(13)}

    def work(seed):
        rng = numpy.random.default_rng(seed)
        for level in rng.integers(0, 13, 10):
            level = int(level)
            assert deflate_encode(data, level) == expected[level]
            assert deflate_decode(expected[level]) == data
            assert gzip_decode(gzip_encode(data, level)) == data

    for batch in range(3):
        run_in_threads(lambda i, batch=batch: work(batch * 10 + i), 8)

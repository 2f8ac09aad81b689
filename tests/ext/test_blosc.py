"""Blosc specifics: compressors, shuffles, typesize, threads, header checks."""

import struct
import time
from concurrent.futures import ThreadPoolExecutor

import numpy
import pytest

import ndcodecs
from ndcodecs import BLOSC, BloscError, blosc_check, blosc_decode, blosc_encode

from common import payload

COMPRESSORS = [m.name.lower() for m in BLOSC.COMPRESSOR]
SHUFFLES = list(BLOSC.SHUFFLE)
NUMTHREADS = [1, 2, 0]


def header(chunk):
    """Return (version, versionlz, flags, typesize, nbytes, blocksize, cbytes)."""
    return tuple(chunk[:4]) + struct.unpack('<III', bytes(chunk[4:16]))


def make_header(nbytes, blocksize, cbytes, *, flags=0x01, typesize=2, version=2, versionlz=1):
    return bytes([version, versionlz, flags, typesize]) + struct.pack('<III', nbytes, blocksize, cbytes)


def image(dtype='u2', size=1 << 20):
    """Image-like array: smooth structure and noise."""
    return numpy.frombuffer(payload('image', size), 'u2').astype(dtype)


def compressor_available(name):
    try:
        blosc_encode(b'x', compressor=name)
    except BloscError:
        return False
    return True


@pytest.fixture(params=COMPRESSORS)
def compressor(request):
    if not compressor_available(request.param):
        pytest.skip(f'c-blosc built without {request.param}')
    return request.param


def test_version():
    assert ndcodecs.blosc_version().startswith('c-blosc 1.')


def test_enums():
    assert BLOSC.available is True
    assert {m.name: int(m) for m in BLOSC.COMPRESSOR} == {
        'BLOSCLZ': 0, 'LZ4': 1, 'LZ4HC': 2, 'SNAPPY': 3, 'ZLIB': 4, 'ZSTD': 5,
    }
    assert {m.name: int(m) for m in BLOSC.SHUFFLE} == {
        'NOSHUFFLE': 0, 'SHUFFLE': 1, 'BITSHUFFLE': 2,
    }


def test_enums_match_imagecodecs():
    imagecodecs = pytest.importorskip('imagecodecs')
    for ours, theirs in [(BLOSC.COMPRESSOR, imagecodecs.BLOSC.COMPRESSOR),
                         (BLOSC.SHUFFLE, imagecodecs.BLOSC.SHUFFLE)]:
        assert {m.name: int(m) for m in ours} == {m.name: int(m) for m in theirs}


def test_debian_build_has_all_compressors():
    """Debian's libblosc1 links lz4, snappy, zlib and zstd."""
    assert all(compressor_available(name) for name in COMPRESSORS)


@pytest.mark.parametrize('code', list(BLOSC.COMPRESSOR))
def test_compressor_forms(code):
    """A compressor may be an enum, its int, or its name in any case."""
    if not compressor_available(code.name.lower()):
        with pytest.raises(BloscError, match='built without'):
            blosc_encode(b'abc', compressor=code)
        return
    data = image(size=50_000)
    expected = blosc_encode(data, compressor=code)
    for form in (int(code), code.name, code.name.lower(), code.name.lower().encode()):
        assert blosc_encode(data, compressor=form) == expected
    # lz4hc writes the lz4 format
    fmt = {0: 0, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}[int(code)]
    assert header(expected)[2] >> 5 == fmt


def test_unavailable_compressor(monkeypatch):
    """A build without a compressor names it, encoding and decoding."""
    from ndcodecs._ext import _blosc

    chunk = blosc_encode(image(size=10_000), compressor='zstd')
    monkeypatch.setattr(_blosc, '_AVAILABLE', frozenset({'blosclz', 'lz4'}))
    with pytest.raises(BloscError, match="built without the 'zstd' compressor"):
        blosc_encode(b'abc', compressor=BLOSC.COMPRESSOR.ZSTD)
    with pytest.raises(BloscError, match='compressed with zstd, which this c-blosc lacks'):
        blosc_decode(chunk)
    assert blosc_decode(blosc_encode(b'abc' * 100, compressor='lz4')) == b'abc' * 100


def test_compressor_default_is_blosclz():
    data = image(size=50_000)
    assert blosc_encode(data) == blosc_encode(data, compressor='blosclz')


@pytest.mark.parametrize('bad', ['bogus', 'lz5', '', 6, -1, 99])
def test_unknown_compressor(bad):
    with pytest.raises(BloscError, match='unknown compressor'):
        blosc_encode(b'abc', compressor=bad)


@pytest.mark.parametrize('bad', [1.0, [1], object()])
def test_compressor_type(bad):
    with pytest.raises(TypeError):
        blosc_encode(b'abc', compressor=bad)


@pytest.mark.parametrize('forms, flag', [
    ((None, True, 1, 'shuffle', 'SHUFFLE', BLOSC.SHUFFLE.SHUFFLE), 0x01),
    ((False, 0, 'noshuffle', BLOSC.SHUFFLE.NOSHUFFLE), 0x00),
    ((2, 'bitshuffle', 'BitShuffle', BLOSC.SHUFFLE.BITSHUFFLE), 0x04),
])
def test_shuffle_forms(forms, flag):
    data = image(size=100_000)
    chunks = {blosc_encode(data, shuffle=form) for form in forms}
    assert len(chunks) == 1
    assert header(chunks.pop())[2] & 0x05 == flag


@pytest.mark.parametrize('bad, error', [
    (3, ValueError), (-1, ValueError), ('bogus', ValueError), (1.5, TypeError),
])
def test_shuffle_invalid(bad, error):
    with pytest.raises(error):
        blosc_encode(b'abc', shuffle=bad)


@pytest.mark.parametrize('shuffle', SHUFFLES)
@pytest.mark.parametrize('typesize', [1, 2, 3, 4, 8, 16, 17])
def test_matrix(compressor, shuffle, typesize):
    """Every compressor x shuffle x typesize round trips, with any thread count."""
    data = payload('image', 300_001)
    for numthreads in NUMTHREADS:
        chunk = blosc_encode(data, 5, compressor=compressor, shuffle=shuffle,
                             typesize=typesize, numthreads=numthreads)
        assert header(chunk)[3] == typesize
        assert header(chunk)[6] == len(chunk)
        assert blosc_check(chunk) is True
        for dthreads in NUMTHREADS:
            assert blosc_decode(chunk, numthreads=dthreads) == data
    # no byte comparison across thread counts: threaded c-blosc writes
    # blocks in the order they finish


@pytest.mark.parametrize('shuffle', SHUFFLES)
@pytest.mark.parametrize('typesize', [1, 2, 4, 8])
@pytest.mark.parametrize('level', [0, 1, 5, 9])
def test_imagecodecs(compressor, shuffle, typesize, level):
    """Cross-decoding both ways; byte-identical where the code is c-blosc's own.

    imagecodecs bundles c-blosc 1.21.6 with its own lz4, zlib, zstd and
    snappy, so only blosclz and stored (level 0) chunks must be identical.
    """
    imagecodecs = pytest.importorskip('imagecodecs')
    data = image(numpy.dtype(f'u{typesize}') if typesize > 1 else 'u1', 200_000)
    ours = blosc_encode(data, level, compressor=compressor, shuffle=shuffle)
    theirs = imagecodecs.blosc_encode(data, level, compressor=compressor, shuffle=shuffle)
    assert header(ours)[3] == header(theirs)[3] == data.itemsize
    assert imagecodecs.blosc_decode(ours) == data.tobytes()
    assert blosc_decode(theirs) == data.tobytes()
    if compressor == 'blosclz' or level == 0:
        assert ours == theirs


@pytest.mark.parametrize('numthreads', [1, 2])
def test_imagecodecs_threads(numthreads):
    imagecodecs = pytest.importorskip('imagecodecs')
    data = image(size=4 << 20)
    ours = blosc_encode(data, compressor='lz4', numthreads=numthreads)
    theirs = imagecodecs.blosc_encode(data, compressor='lz4', numthreads=numthreads)
    assert blosc_decode(theirs, numthreads=numthreads) == data.tobytes()
    assert imagecodecs.blosc_decode(ours, numthreads=numthreads) == data.tobytes()


@pytest.mark.parametrize('shuffle', [0, 1, 2])
@pytest.mark.parametrize('blocksize', [0, 4096, 1 << 17])
def test_numcodecs(compressor, shuffle, blocksize, monkeypatch):
    """numcodecs.Blosc streams decode here, and ours there."""
    numcodecs = pytest.importorskip('numcodecs')
    if compressor not in numcodecs.blosc.list_compressors():
        pytest.skip(f'numcodecs lacks {compressor}')
    data = image('u4', 300_000)
    # threaded c-blosc writes blocks in the order they finish
    monkeypatch.setattr(numcodecs.blosc, 'use_threads', False)
    codec = numcodecs.Blosc(cname=compressor, clevel=5, shuffle=shuffle, blocksize=blocksize)
    theirs = codec.encode(data)
    assert blosc_decode(theirs) == data.tobytes()
    ours = blosc_encode(data, 5, compressor=compressor, shuffle=shuffle, blocksize=blocksize)
    assert header(ours)[:4] == header(theirs)[:4]
    assert bytes(codec.decode(ours)) == data.tobytes()
    if compressor == 'blosclz':
        assert ours == bytes(theirs)


@pytest.mark.parametrize('dtype, typesize', [
    ('u1', 1), ('u2', 2), ('f4', 4), ('f8', 8), ('c16', 16), ('S5', 5), ('V300', 1),
])
def test_typesize_from_itemsize(dtype, typesize):
    """Without typesize, an array's item size is used, as imagecodecs does."""
    array = numpy.zeros(1000, dtype)
    assert header(blosc_encode(array))[3] == typesize
    assert header(blosc_encode(memoryview(array)))[3] == typesize
    assert header(blosc_encode(array[::2]))[3] == typesize  # copied, same dtype
    assert header(blosc_encode(array.tobytes()))[3] == 1


def test_typesize_argument():
    """typesize overrides the item size (imagecodecs 2026.3.6 ignores it)."""
    array = image(size=100_000)
    assert header(blosc_encode(array, typesize=4))[3] == 4
    assert header(blosc_encode(array.tobytes(), typesize=2)) == header(blosc_encode(array))
    assert blosc_encode(array.tobytes(), typesize=2) == blosc_encode(array)
    assert header(blosc_encode(array, typesize=255))[3] == 255
    assert header(blosc_encode(array, typesize=256))[3] == 1  # a stream of bytes
    assert blosc_decode(blosc_encode(array, typesize=1 << 40)) == array.tobytes()
    for bad in (0, -2):
        with pytest.raises(ValueError):
            blosc_encode(array, typesize=bad)


def test_blocksize():
    data = image(size=1 << 20)
    assert header(blosc_encode(data, 5, blocksize=1 << 16, compressor='zstd'))[5] == 1 << 16
    # splitting codecs multiply the blocksize by the typesize
    assert header(blosc_encode(data, 5, blocksize=1 << 16, compressor='lz4'))[5] == 1 << 17
    assert header(blosc_encode(data, blocksize=0)) == header(blosc_encode(data))
    assert header(blosc_encode(data, blocksize=1))[5] == 128  # c-blosc's minimum
    assert header(blosc_encode(data, blocksize=1 << 40, compressor='zstd'))[5] == data.nbytes
    for blocksize in (1, 1000, 1 << 16, 1 << 40):
        assert blosc_decode(blosc_encode(data, blocksize=blocksize)) == data.tobytes()
    with pytest.raises(ValueError):
        blosc_encode(data, blocksize=-1)


def test_levels():
    data = image(size=200_000)
    stored = blosc_encode(data, 0)
    assert header(stored)[2] & 0x02  # BLOSC_MEMCPYED
    assert len(stored) == data.nbytes + 16
    assert blosc_encode(data, -5) == stored
    assert blosc_encode(data, 100) == blosc_encode(data, 9) == blosc_encode(data)
    sizes = [len(blosc_encode(data, level, compressor='zstd')) for level in (1, 5, 9)]
    assert sizes[0] >= sizes[1] >= sizes[2]


def test_small_and_empty():
    for data in (b'', b'x', b'abc' * 10):
        chunk = blosc_encode(data)
        assert header(chunk)[2] & 0x02  # too small to compress: stored
        assert len(chunk) == len(data) + 16
        assert blosc_decode(chunk) == data
    assert blosc_decode(blosc_encode(b''), out=bytearray) == bytearray()


def test_out():
    data = image(size=100_000)
    chunk = blosc_encode(data, compressor='zstd')
    out = numpy.empty_like(data)
    assert blosc_decode(chunk, out=out) is out
    numpy.testing.assert_array_equal(out, data)
    with pytest.raises(BloscError, match='too small'):
        blosc_decode(chunk, out=bytearray(1000))
    buffer = bytearray(len(chunk) + 100)
    result = blosc_encode(data, compressor='zstd', out=buffer)
    assert blosc_decode(result) == data.tobytes()  # c-blosc adapts to the space
    with pytest.raises(BloscError, match='too small'):
        blosc_encode(payload('random', 10_000), out=100)


def test_trailing_bytes_ignored():
    """As imagecodecs: the header's cbytes ends the chunk."""
    data = image(size=10_000)
    chunk = blosc_encode(data, compressor='lz4')
    assert blosc_decode(chunk + b'trailing garbage') == data.tobytes()


def test_check():
    chunk = blosc_encode(b'some data' * 100)
    assert blosc_check(chunk) is True
    assert blosc_check(chunk[:16]) is True  # the header only
    assert blosc_check(blosc_encode(b'')) is True
    assert blosc_check(b'') is False
    assert blosc_check(chunk[:15]) is False
    assert blosc_check(b'\x28\xb5\x2f\xfd' + bytes(20)) is False
    assert blosc_check(b'\x03' + chunk[1:]) is False


def test_concurrent_contexts():
    """The context API has no shared state: mixed calls in threads agree.

    With numthreads > 1 c-blosc writes blocks in the order they finish, so
    only single-threaded chunks are compared byte for byte.
    """
    data = image(size=256 << 10)
    jobs = [(c, s) for c in ('lz4', 'zstd', 'blosclz', 'zlib') for s in (0, 1, 2)]
    expected = [blosc_encode(data, compressor=c, shuffle=s) for c, s in jobs]

    def work(i):
        comp, shuf = jobs[i % len(jobs)]
        nthreads = 1 + i % 2
        chunk = blosc_encode(data, compressor=comp, shuffle=shuf, numthreads=nthreads)
        if nthreads == 1 and chunk != expected[i % len(jobs)]:
            return False
        return blosc_decode(chunk, numthreads=1 + i % 3) == data.tobytes()

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(work, range(4 * len(jobs))))


# malformed chunks

def valid_chunk():
    return blosc_encode(image(size=100_000), 5, compressor='lz4', blocksize=1 << 14)


@pytest.mark.parametrize('size', [0, 1, 4, 15])
def test_shorter_than_header(size):
    with pytest.raises(BloscError, match='truncated'):
        blosc_decode(valid_chunk()[:size])


@pytest.mark.parametrize('cut', [1, 16, 1000])
def test_truncated(cut):
    chunk = valid_chunk()
    with pytest.raises(BloscError, match='truncated'):
        blosc_decode(chunk[:-cut])


@pytest.mark.parametrize('nbytes', [0x7FFFFFF0, 0x80000000, 0xFFFFFFFF])
def test_huge_claimed_size(nbytes):
    """A 36-byte chunk claiming up to 4 GB (the header's limit) fails fast."""
    chunk = make_header(nbytes, 1 << 16, 36) + struct.pack('<i', 20) + bytes(16)
    start = time.perf_counter()
    with pytest.raises(BloscError):
        blosc_decode(chunk)
    assert time.perf_counter() - start < 0.1


def test_claimed_size_over_max_output():
    data = bytes(1 << 20)
    chunk = blosc_encode(data, 9)
    assert len(chunk) < 10_000
    with pytest.raises(BloscError, match='max_output'):
        blosc_decode(chunk, max_output=(1 << 20) - 1)
    assert blosc_decode(chunk, max_output=1 << 20) == data
    stored = make_header(1 << 30, 1 << 16, 16 + 64, flags=0x02) + bytes(64)
    with pytest.raises(BloscError):
        blosc_decode(stored)


@pytest.mark.parametrize('field, value, match', [
    (0, 1, 'format version'),
    (0, 3, 'format version'),
    (0, 0xFF, 'format version'),
    (1, 2, 'lz4 format version'),
    (2, 0x29, 'flags'),  # reserved bit 3
    (2, 0xA1, 'unknown format 5'),
    (2, 0xE1, 'unknown format 7'),
    (3, 0, 'typesize 0'),
])
def test_bad_header_byte(field, value, match):
    chunk = bytearray(valid_chunk())
    chunk[field] = value
    with pytest.raises(BloscError, match=match):
        blosc_decode(chunk)


@pytest.mark.parametrize('blocksize', [0, 100_001, 0x80000000, 0xFFFFFFFF])
def test_bad_blocksize(blocksize):
    chunk = bytearray(valid_chunk())
    chunk[8:12] = struct.pack('<I', blocksize)
    with pytest.raises(BloscError, match='blocksize'):
        blosc_decode(chunk)


@pytest.mark.parametrize('cbytes', [0, 15, 0x80000000, 0xFFFFFFFF])
def test_bad_cbytes(cbytes):
    chunk = bytearray(valid_chunk())
    chunk[12:16] = struct.pack('<I', cbytes)
    with pytest.raises(BloscError, match='truncated'):
        blosc_decode(chunk)


def test_stored_size_mismatch():
    chunk = bytearray(blosc_encode(b'x' * 1000, 0))
    chunk[4:12] = struct.pack('<II', 999, 999)
    with pytest.raises(BloscError, match='stored'):
        blosc_decode(chunk)


def test_block_offsets_do_not_fit():
    """1 MB in 128-byte blocks needs 32 KB of offsets; 100 bytes are given."""
    chunk = make_header(1 << 20, 128, 100) + bytes(84)
    with pytest.raises(BloscError, match='block offsets'):
        blosc_decode(chunk)


@pytest.mark.parametrize('offset', [0, 15, 0x7FFFFFFF, -1])
def test_bad_block_offset(offset):
    chunk = bytearray(valid_chunk())
    chunk[16:20] = struct.pack('<i', offset)
    with pytest.raises(BloscError):
        blosc_decode(chunk)


@pytest.mark.parametrize('compressor', ['blosclz', 'lz4', 'snappy', 'zlib', 'zstd'])
def test_corrupt_payload(compressor):
    data = image(size=100_000)
    chunk = bytearray(blosc_encode(data, 5, compressor=compressor, shuffle=0))
    start = 16 + 4 + 4
    chunk[start:start + 200] = bytes(range(200))
    try:
        assert blosc_decode(chunk) != data.tobytes()
    except BloscError:
        pass


def test_splits_that_do_not_fill_the_block():
    """Blocks of 385 bytes, typesize 3: c-blosc writes 3 x 128 and returns short.

    The byte left over would be uninitialized memory in the result.
    """
    nblocks, blocksize, body, offsets = 2, 385, b'', []
    pos = 16 + 4 * nblocks
    for j in range(nblocks):
        offsets.append(pos)
        for k in range(3):
            body += struct.pack('<i', 128) + bytes([j * 3 + k + 1]) * 128
            pos += 132
    payload_ = b''.join(struct.pack('<i', o) for o in offsets) + body
    chunk = make_header(nblocks * blocksize, blocksize, 16 + len(payload_), flags=0x00, typesize=3) + payload_
    with pytest.raises(BloscError, match='returned 768 bytes'):
        blosc_decode(chunk)


def blosclz_bomb(typesize=1, split=0, nsplits=1, run=8_500_000, lost=False):
    """A blosclz chunk whose match length wraps c-blosc's int32 to negative.

    c-blosc 1.21.3 (and imagecodecs' 1.21.6) then memset ~2**64 bytes.
    The bomb sits in split `split` of the last block; other splits are
    stored. With `lost`, a first block with a bad offset precedes it, which
    threads decode independently.
    """
    neblock = 256
    blocksize = neblock * nsplits
    stream = b'\x03AAAA' + b'\xe0' + b'\xff' * run + b'\x00\x00\x00'
    splits = [bytes(neblock)] * nsplits
    splits[split] = stream
    body = b''.join(struct.pack('<i', len(s)) + s for s in splits)
    nblocks = 2 if lost else 1
    offsets = [0x7FFFFFFF, 16 + 8] if lost else [16 + 4]
    payload_ = b''.join(struct.pack('<i', o) for o in offsets) + body
    flags = 0x00 if nsplits > 1 else 0x10  # blosclz format, split or not
    return make_header(
        nblocks * blocksize, blocksize, 16 + len(payload_), flags=flags, typesize=typesize
    ) + payload_


@pytest.mark.parametrize('lost', [False, True])
@pytest.mark.parametrize('typesize, split, nsplits', [(1, 0, 1), (4, 2, 4), (16, 15, 16)])
def test_blosclz_length_overflow(typesize, split, nsplits, lost):
    chunk = blosclz_bomb(typesize, split, nsplits, lost=lost)
    for numthreads in (1, 2):
        with pytest.raises(BloscError, match='overflow'):
            blosc_decode(chunk, numthreads=numthreads)


def test_blosclz_long_runs_allowed():
    """Long runs of 0xff below the overflow decode normally."""
    data = b'\xff' * (40 << 20)
    for blocksize in (0, 16 << 20):
        chunk = blosc_encode(data, 9, blocksize=blocksize, shuffle=0)
        assert blosc_decode(chunk) == data
    # stored splits of 0xff (random data before them defeats compression)
    data = payload('random', 12 << 20) + b'\xff' * (10 << 20)
    chunk = blosc_encode(data, 1, typesize=1, blocksize=32 << 20, shuffle=0)
    assert blosc_decode(chunk) == data

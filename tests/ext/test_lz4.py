"""LZ4 specifics: blocks with and without size header, frames, the HDF5 filter layout.

Compatibility with the lz4 package (lz4.block, lz4.frame), numcodecs.LZ4
and imagecodecs. imagecodecs bundles liblz4 1.10.0, Debian 1.9.4; the
outputs are the same except at level 2 of lz4f and of lz4 with hc=True,
which 1.10 made a new HC level (1.9 clamps HC levels to 3 and up).
"""

import struct
import threading
import time

import numpy
import pytest

import ndcodecs
from ndcodecs import (
    LZ4, LZ4F, LZ4H5, Lz4Error, Lz4fError, Lz4h5Error,
    lz4_check, lz4_decode, lz4_encode, lz4_version,
    lz4f_check, lz4f_decode, lz4f_encode, lz4f_version,
    lz4h5_check, lz4h5_decode, lz4h5_encode, lz4h5_version,
)

from common import payload

MAGIC = b'\x04\x22\x4d\x18'
KINDS = ['image', 'text', 'zeros', 'random']


def _data(kind, size):
    return payload(kind, size)


def _mixed():
    """Compressible and incompressible stretches: some LZ4H5 blocks are stored."""
    return payload('image', 150_000) + payload('random', 70_000) + payload('text', 90_000)


def _imagecodecs():
    imagecodecs = pytest.importorskip('imagecodecs')
    if not imagecodecs.LZ4.available:
        pytest.skip('imagecodecs has no lz4')
    return imagecodecs


def _library_version(imagecodecs):
    return imagecodecs.lz4_version() == lz4_version()


# constants, versions, checks #################################################


def test_constants():
    assert LZ4.available and LZ4F.available and LZ4H5.available
    assert LZ4.CLEVEL.DEFAULT == 9
    assert LZ4.CLEVEL.MAX == 12
    assert LZ4.CLEVEL.OPT_MIN == 10
    assert LZ4.CLEVEL.MIN in (2, 3)  # 3 up to liblz4 1.9, 2 from 1.10
    assert LZ4H5.CLEVEL is LZ4.CLEVEL
    assert LZ4F.VERSION == 100
    assert ndcodecs.Lz4Error.__name__ == 'Lz4Error'
    assert issubclass(Lz4fError, ndcodecs.CodecError)


def test_constants_match_imagecodecs():
    imagecodecs = _imagecodecs()
    theirs = {e.name: e.value for e in imagecodecs.LZ4.CLEVEL}
    ours = {e.name: e.value for e in LZ4.CLEVEL}
    assert ours.keys() == theirs.keys()
    for name in ('DEFAULT', 'MAX', 'OPT_MIN'):
        assert ours[name] == theirs[name]
    assert LZ4F.VERSION == imagecodecs.LZ4F.VERSION


def test_versions():
    version = lz4_version()
    assert version.startswith('lz4 1.')
    assert lz4f_version() == lz4h5_version() == version


@pytest.mark.parametrize('data', [b'', b'\x04', MAGIC, MAGIC + b'\x64\x40\xa7', b'\x28\xb5\x2f\xfd', bytes(12), bytes(100)])
def test_checks(data):
    assert lz4_check(data) is None
    assert lz4f_check(data) is data.startswith(MAGIC)
    assert lz4h5_check(data) is (False if len(data) < 12 else None)
    imagecodecs = pytest.importorskip('imagecodecs')
    assert lz4f_check(data) == imagecodecs.lz4f_check(data)
    assert lz4h5_check(data) == imagecodecs.lz4h5_check(data)
    assert lz4_check(data) == imagecodecs.lz4_check(data)


# lz4 block ###################################################################


@pytest.mark.parametrize('header', [False, True])
@pytest.mark.parametrize('level', [None, -5, 0, 1, 2, 8, 100, 65537, 1 << 40])
@pytest.mark.parametrize('kind', KINDS)
def test_lz4_fast_matches_imagecodecs(kind, level, header):
    imagecodecs = _imagecodecs()
    data = _data(kind, 200_000)
    ours = lz4_encode(data, level, header=header)
    assert ours == imagecodecs.lz4_encode(data, level, header=header)
    assert lz4_decode(ours, header=header) == data


@pytest.mark.parametrize('header', [False, True])
@pytest.mark.parametrize('level', [None, 3, 4, 9, 10, 12, 99])
@pytest.mark.parametrize('kind', KINDS)
def test_lz4_hc_matches_imagecodecs(kind, level, header):
    imagecodecs = _imagecodecs()
    data = _data(kind, 100_000)
    ours = lz4_encode(data, level, hc=True, header=header)
    assert ours == imagecodecs.lz4_encode(data, level, hc=True, header=header)
    assert imagecodecs.lz4_decode(ours, header=header) == data


@pytest.mark.parametrize('level', [-1, 0, 1, 2])
def test_lz4_hc_low_levels(level):
    """HC levels below CLEVEL.MIN count as CLEVEL.MIN."""
    data = _data('text', 50_000)
    ours = lz4_encode(data, level, hc=True)
    assert ours == lz4_encode(data, LZ4.CLEVEL.MIN, hc=True)
    assert lz4_decode(ours) == data


def test_lz4_levels_order():
    data = _data('text', 1 << 20)
    fast = [len(lz4_encode(data, a)) for a in (1, 8, 64)]
    assert fast == sorted(fast)
    high = [len(lz4_encode(data, c, hc=True)) for c in (3, 9, 12)]
    assert high == sorted(high, reverse=True)
    assert high[0] < fast[0]


@pytest.mark.parametrize('size', [0, 1, 13, 1000, 65546, 65547, 300_000])
@pytest.mark.parametrize('kind', ['image', 'text'])
def test_lz4_python_lz4(kind, size):
    """lz4.block: store_size is our header; output is the same except that
    lz4.block's fast mode compresses blocks below 64 KiB differently."""
    block = pytest.importorskip('lz4.block')
    data = _data(kind, size)
    for store_size in (False, True):
        ours = lz4_encode(data, header=store_size)
        theirs = block.compress(data, mode='fast', store_size=store_size)
        if size > 65546:
            assert ours == theirs
        kwargs = {} if store_size else {'uncompressed_size': size}
        assert block.decompress(ours, **kwargs) == data
        assert lz4_decode(theirs, header=store_size) == data
        for level in (3, 9, 12):
            ours = lz4_encode(data, level, hc=True, header=store_size)
            theirs = block.compress(data, mode='high_compression', compression=level, store_size=store_size)
            assert ours == theirs
            assert block.decompress(ours, **kwargs) == data


@pytest.mark.parametrize('acceleration', [1, 3, 100])
@pytest.mark.parametrize('kind', KINDS)
def test_lz4_numcodecs(kind, acceleration):
    """numcodecs.LZ4 is a 4-byte little-endian size, then the block."""
    numcodecs = pytest.importorskip('numcodecs')
    codec = numcodecs.LZ4(acceleration=acceleration)
    data = _data(kind, 100_000)
    ours = lz4_encode(data, acceleration, header=True)
    assert ours == codec.encode(data)
    assert ours[:4] == struct.pack('<I', len(data))
    assert bytes(codec.decode(ours)) == data
    assert lz4_decode(codec.encode(data), header=True) == data
    array = numpy.frombuffer(data, numpy.uint16).reshape(-1, 100)
    assert lz4_decode(codec.encode(array), header=True) == data


def test_lz4_empty():
    assert lz4_encode(b'') == b'\x00'
    assert lz4_encode(b'', header=True) == b'\x00' * 5
    assert lz4_decode(b'\x00') == b''
    assert lz4_decode(b'\x00' * 5, header=True) == b''
    for bad, header in ((b'', False), (b'', True), (b'\x00\x00\x00', True), (b'\x00\x00\x00\x00', True)):
        with pytest.raises(Lz4Error):
            lz4_decode(bad, header=header)


@pytest.mark.parametrize(
    'data',
    [
        b'abcdefghijklmnop' * 10,
        bytes(1 << 20),                        # ratio 255: decoded after walking the block
        bytes(40 << 20),                       # beyond the first guess
        b'0123456789' * 100_000,               # ratio above the first guess
        payload('text', 3 << 20),
        payload('random', 1 << 20),            # ratio below 1
        payload('image', 16 << 20),
    ],
    ids=['small', 'zeros', 'zeros-large', 'ratio-high', 'text', 'random', 'image-large'],
)
def test_lz4_decode_without_header(data):
    """Without a header the output grows; its size is exact."""
    encoded = lz4_encode(data)
    decoded = lz4_decode(encoded)
    assert decoded == data
    assert lz4_decode(encoded, out=bytearray) == data
    assert lz4_decode(encoded, max_output=len(data)) == data
    with pytest.raises(Lz4Error, match='max_output'):
        lz4_decode(encoded, max_output=len(data) - 1)
    out = numpy.zeros(len(data) + 10, numpy.uint8)
    assert bytes(lz4_decode(encoded, out=out)) == data
    with pytest.raises(Lz4Error, match='too small'):
        lz4_decode(encoded, out=len(data) - 1)


def test_lz4_decode_header_out():
    data = _data('image', 10_000)
    encoded = lz4_encode(data, header=True)
    out = bytearray(20_000)
    view = lz4_decode(encoded, header=True, out=out)
    assert bytes(view) == data and len(view) == len(data)
    with pytest.raises(Lz4Error, match='too small'):
        lz4_decode(encoded, header=True, out=bytearray(9_999))
    with pytest.raises(Lz4Error, match='max_output'):
        lz4_decode(encoded, header=True, max_output=9_999)


def test_lz4_header_claims_too_much():
    """A header claiming more than 255 times the block fails before allocating."""
    block = lz4_encode(b'abc')
    start = time.perf_counter()
    with pytest.raises(Lz4Error, match='corrupt header'):
        lz4_decode(struct.pack('<I', 0xFFFFFFFF) + block, header=True)
    assert time.perf_counter() - start < 0.1
    # plausible for the ratio, beyond the cap
    bomb = lz4_encode(bytes(64 << 20), header=True)
    with pytest.raises(Lz4Error, match='max_output'):
        lz4_decode(bomb, header=True, max_output=1 << 20)
    # the block decodes to fewer bytes than the header says
    with pytest.raises(Lz4Error, match='header says'):
        lz4_decode(struct.pack('<I', 4) + block, header=True)
    with pytest.raises(Lz4Error):
        lz4_decode(struct.pack('<I', 2) + block, header=True)


def test_lz4_bomb_fails_fast():
    """A 300 MiB block of zeros (1.2 MB) fails fast under a small cap."""
    bomb = lz4_encode(bytes(300 << 20))
    start = time.perf_counter()
    with pytest.raises(Lz4Error, match='max_output'):
        lz4_decode(bomb, max_output=1 << 20)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    'bad',
    [
        b'\xf0',                        # literal length extension missing
        b'\xf0\xff',                    # ... truncated
        b'\x50abc',                     # fewer literals than announced
        b'\x11a\x01',                   # truncated offset
        b'\x11a\x01\x00',               # a block ending with a match
        b'\x1fa\x01\x00\xff',           # match length extension truncated
        b'\x10a\x05\x00\x10b',          # offset before the start
        b'\x00\x00',                    # bytes after the last sequence
    ],
)
def test_lz4_corrupt_blocks(bad):
    with pytest.raises(Lz4Error):
        lz4_decode(bad)
    with pytest.raises(Lz4Error):
        lz4_decode(bad, out=bytearray(1000))
    with pytest.raises(Lz4Error):
        lz4_decode(struct.pack('<I', 10) + bad, header=True)


def test_lz4_truncated_and_mutated():
    data = _data('text', 100_000)
    encoded = lz4_encode(data)
    for cut in (1, 2, 5, 100, len(encoded) // 2, len(encoded) - 1):
        with pytest.raises(Lz4Error):
            lz4_decode(encoded[:cut])
    rng = numpy.random.default_rng(3)
    for _ in range(500):
        mutated = bytearray(encoded)
        mutated[int(rng.integers(len(mutated)))] ^= int(rng.integers(1, 256))
        try:
            lz4_decode(bytes(mutated), max_output=1 << 22)
        except Lz4Error:
            pass


def test_lz4_encode_out():
    data = _data('text', 10_000)
    expected = lz4_encode(data, header=True)
    out = bytearray(len(expected) + 100)
    view = lz4_encode(data, header=True, out=out)
    assert bytes(view) == expected
    with pytest.raises(Lz4Error, match='too small'):
        lz4_encode(data, header=True, out=bytearray(3))
    with pytest.raises(Lz4Error, match='too small'):
        lz4_encode(data, hc=True, out=bytearray(100))
    # the cached HC state is reset after a failure
    assert lz4_encode(data, hc=True) == lz4_encode(data, 9, hc=True)


def test_lz4_hc_threads():
    """The per-thread HC states give the same output as one thread."""
    datas = [_data(kind, size) for kind in ('image', 'text') for size in (1000, 70_000, 300_000)]
    expected = [lz4_encode(d, level, hc=True) for d in datas for level in (3, 9, 12)]
    results = {}

    def work(index):
        results[index] = [lz4_encode(d, level, hc=True) for d in datas for level in (3, 9, 12)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[i] == expected for i in range(4))


# lz4f frame ##################################################################


def _flags(frame):
    """Return the frame descriptor: FLG bits and the BD block size id."""
    flg, bd = frame[4], frame[5]
    return {
        'independent': bool(flg & 0x20),
        'blockchecksum': bool(flg & 0x10),
        'contentsize': bool(flg & 0x08),
        'contentchecksum': bool(flg & 0x04),
        'blocksizeid': (bd >> 4) & 7,
    }


@pytest.mark.parametrize('blockchecksum', [None, False, True])
@pytest.mark.parametrize('contentchecksum', [None, False, True])
@pytest.mark.parametrize('blocksizeid', [None, 0, 4, 5, 6, 7])
def test_lz4f_options(blocksizeid, contentchecksum, blockchecksum):
    data = _data('image', 3 << 20)
    frame = lz4f_encode(data, blocksizeid=blocksizeid, contentchecksum=contentchecksum, blockchecksum=blockchecksum)
    flags = _flags(frame)
    assert frame[:4] == MAGIC
    assert flags['contentsize']
    assert struct.unpack('<Q', frame[6:14])[0] == len(data)
    assert flags['contentchecksum'] is bool(contentchecksum)
    assert flags['blockchecksum'] is bool(blockchecksum)
    assert flags['blocksizeid'] == (blocksizeid or 4)
    assert lz4f_decode(frame) == data
    frame2 = lz4f_encode(data[:1000], blocksizeid=blocksizeid)
    assert _flags(frame2)['blocksizeid'] == 4  # the smallest size that holds the content
    assert _flags(frame2)['independent']  # one block needs no link


@pytest.mark.parametrize('blocksizeid', [-1, 1, 3, 8, 100])
def test_lz4f_invalid_blocksizeid(blocksizeid):
    with pytest.raises(ValueError):
        lz4f_encode(b'abc', blocksizeid=blocksizeid)


@pytest.mark.parametrize('blockchecksum', [None, True])
@pytest.mark.parametrize('contentchecksum', [None, True])
@pytest.mark.parametrize('blocksizeid', [None, 5, 7])
@pytest.mark.parametrize('level', [None, -5, -1, 0, 1, 3, 9, 12, 20])
@pytest.mark.parametrize('kind', ['image', 'text'])
def test_lz4f_matches_imagecodecs(kind, level, blocksizeid, contentchecksum, blockchecksum):
    imagecodecs = _imagecodecs()
    data = _data(kind, 300_000)
    kwargs = dict(blocksizeid=blocksizeid, contentchecksum=contentchecksum, blockchecksum=blockchecksum)
    ours = lz4f_encode(data, level, **kwargs)
    assert ours == imagecodecs.lz4f_encode(data, level, **kwargs)
    assert imagecodecs.lz4f_decode(ours) == data


def test_lz4f_level2_imagecodecs():
    """liblz4 1.10 made level 2 an HC level; 1.9 compresses it in fast mode."""
    imagecodecs = _imagecodecs()
    data = _data('text', 300_000)
    ours = lz4f_encode(data, 2)
    theirs = imagecodecs.lz4f_encode(data, 2)
    if LZ4.CLEVEL.MIN == imagecodecs.LZ4.CLEVEL.MIN:
        assert ours == theirs
    else:
        assert ours == lz4f_encode(data, 1)
    assert imagecodecs.lz4f_decode(ours) == data
    assert lz4f_decode(theirs) == data


@pytest.mark.parametrize('level', [0, 3, 9])
@pytest.mark.parametrize('size', [0, 3, 1000, 300_000, 1_200_000])
def test_lz4f_python_lz4(size, level):
    """lz4.frame writes the same frames; each side reads the other's."""
    frame = pytest.importorskip('lz4.frame')
    data = _data('text', size)
    for block_size, blocksizeid in ((frame.BLOCKSIZE_DEFAULT, None), (frame.BLOCKSIZE_MAX256KB, 5), (frame.BLOCKSIZE_MAX4MB, 7)):
        for checksum in (False, True):
            theirs = frame.compress(data, compression_level=level, block_size=block_size, content_checksum=checksum, store_size=True)
            ours = lz4f_encode(data, level, blocksizeid=blocksizeid, contentchecksum=checksum)
            assert ours == theirs
            assert frame.decompress(ours) == data
    for linked in (False, True):
        for store_size in (False, True):
            theirs = frame.compress(data, level, block_linked=linked, store_size=store_size, block_checksum=True)
            assert lz4f_decode(theirs) == data


def test_lz4f_streamed_without_content_size():
    """A frame written in pieces, without content size, grows the output."""
    frame = pytest.importorskip('lz4.frame')
    data = _data('image', 5 << 20) + bytes(20 << 20)
    compressor = frame.LZ4FrameCompressor(block_size=frame.BLOCKSIZE_MAX64KB, block_linked=True)
    stream = compressor.begin() + b''.join(
        compressor.compress(data[i:i + 100_000]) for i in range(0, len(data), 100_000)
    ) + compressor.flush()
    assert not _flags(stream)['contentsize']
    assert lz4f_decode(stream) == data
    assert lz4f_decode(stream, out=bytearray) == data
    assert lz4f_decode(stream, max_output=len(data)) == data
    with pytest.raises(Lz4fError, match='max_output'):
        lz4f_decode(stream, max_output=len(data) - 1)
    with pytest.raises(Lz4fError, match='truncated'):
        lz4f_decode(stream[:-3])


def test_lz4f_concatenated_frames():
    frame = pytest.importorskip('lz4.frame')
    parts = [b'', b'x', _data('text', 100_000), _data('image', 300_000), b'abc']
    frames = [lz4f_encode(p) for p in parts]
    frames[2] = frame.compress(parts[2], store_size=False)
    assert lz4f_decode(b''.join(frames)) == b''.join(parts)
    # the first frame's content size is only a first guess
    assert lz4f_decode(frames[1] + frames[3]) == parts[1] + parts[3]
    out = numpy.zeros(500_000, numpy.uint8)
    result = lz4f_decode(b''.join(frames), out=out)
    assert bytes(result) == b''.join(parts)
    with pytest.raises(Lz4fError):
        lz4f_decode(frames[3] + b'\x00' * 8)  # trailing bytes that are no frame


def test_lz4f_skippable_frame():
    skippable = struct.pack('<II', 0x184D2A53, 6) + b'ignore'
    frame = lz4f_encode(b'payload')
    assert lz4f_decode(skippable + frame + skippable) == b'payload'


def test_lz4f_empty():
    frame = lz4f_encode(b'')
    assert frame[:4] == MAGIC
    assert not _flags(frame)['contentsize']  # content size 0 means unknown
    assert lz4f_decode(frame) == b''
    with pytest.raises(Lz4fError):
        lz4f_decode(b'')


@pytest.mark.parametrize('kwargs', [{}, {'contentchecksum': True}, {'blockchecksum': True}])
def test_lz4f_truncated(kwargs):
    frame = lz4f_encode(_data('text', 200_000), blocksizeid=4, **kwargs)
    for cut in (1, 4, 6, 10, 15, 100, len(frame) // 2, len(frame) - 4, len(frame) - 1):
        with pytest.raises(Lz4fError):
            lz4f_decode(frame[:cut])


def test_lz4f_checksums():
    data = _data('text', 100_000)
    frame = bytearray(lz4f_encode(data, contentchecksum=True))
    frame[-1] ^= 1
    with pytest.raises(Lz4fError, match='ontentChecksum'):
        lz4f_decode(bytes(frame))
    frame = bytearray(lz4f_encode(data, blockchecksum=True))
    frame[-5] ^= 1  # the last block's checksum, before the end mark
    with pytest.raises(Lz4fError, match='lockChecksum'):
        lz4f_decode(bytes(frame))


def test_lz4f_content_size_lies():
    data = _data('text', 10_000)
    frame = bytearray(lz4f_encode(data))
    for claimed in (len(data) - 1, len(data) + 1, 1):
        lie = bytearray(frame)
        lie[6:14] = struct.pack('<Q', claimed)
        lie[14] = _header_checksum(lie[4:14])
        with pytest.raises(Lz4fError):
            lz4f_decode(bytes(lie))


def _header_checksum(descriptor):
    """The frame header checksum: the second byte of xxHash32 of the descriptor."""
    return _xxh32(bytes(descriptor)) >> 8 & 0xFF


def _xxh32(data, seed=0):
    """xxHash32, as the LZ4 frame format uses it."""
    p1, p2, p3, p4, p5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393
    mask = 0xFFFFFFFF

    def rotl(x, r):
        return ((x << r) | (x >> (32 - r))) & mask

    n = len(data)
    i = 0
    if n >= 16:
        v = [(seed + p1 + p2) & mask, (seed + p2) & mask, seed, (seed - p1) & mask]
        while i + 16 <= n:
            for j in range(4):
                lane = int.from_bytes(data[i:i + 4], 'little')
                v[j] = (rotl((v[j] + lane * p2) & mask, 13) * p1) & mask
                i += 4
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & mask
    else:
        h = (seed + p5) & mask
    h = (h + n) & mask
    while i + 4 <= n:
        h = (rotl((h + int.from_bytes(data[i:i + 4], 'little') * p3) & mask, 17) * p4) & mask
        i += 4
    while i < n:
        h = (rotl((h + data[i] * p5) & mask, 11) * p1) & mask
        i += 1
    h ^= h >> 15
    h = (h * p2) & mask
    h ^= h >> 13
    h = (h * p3) & mask
    h ^= h >> 16
    return h


def test_lz4f_claimed_huge_size():
    """A frame header claiming 100 GB fails before any allocation."""
    descriptor = bytes([0x68, 0x40]) + struct.pack('<Q', 100 << 30)
    frame = MAGIC + descriptor + bytes([_header_checksum(descriptor)])
    frame += struct.pack('<I', 0x80000003) + b'abc' + b'\x00' * 4  # a stored block, end mark
    start = time.perf_counter()
    with pytest.raises(Lz4fError, match='corrupt frame header'):
        lz4f_decode(frame)
    assert time.perf_counter() - start < 0.1
    honest = MAGIC + bytes([0x68, 0x40]) + struct.pack('<Q', 3)
    honest += bytes([_header_checksum(honest[4:])]) + frame[15:]
    assert lz4f_decode(honest) == b'abc'


def test_lz4f_bomb_fails_fast():
    bomb = lz4f_encode(bytes(300 << 20))
    start = time.perf_counter()
    with pytest.raises(Lz4fError, match='max_output'):
        lz4f_decode(bomb, max_output=1 << 20)
    assert time.perf_counter() - start < 0.1
    frame = pytest.importorskip('lz4.frame')
    bomb = frame.compress(bytes(300 << 20), store_size=False)
    start = time.perf_counter()
    with pytest.raises(Lz4fError, match='max_output'):
        lz4f_decode(bomb, max_output=1 << 20)
    assert time.perf_counter() - start < 0.5


def test_lz4f_out():
    data = _data('image', 100_000)
    frame = lz4f_encode(data)
    with pytest.raises(Lz4fError, match='too small'):
        lz4f_decode(frame, out=bytearray(99_999))
    assert bytes(lz4f_decode(frame, out=bytearray(100_001))) == data
    with pytest.raises(Lz4fError):
        lz4f_encode(data, out=bytearray(100))


# lz4h5: the HDF5 LZ4 filter ##################################################


def _h5_blocks(encoded):
    """Return the header and the (compressed size, payload) of each block."""
    total, blocksize = struct.unpack('>qi', encoded[:12])
    blocks, pos = [], 12
    while pos < len(encoded):
        (csize,) = struct.unpack('>i', encoded[pos:pos + 4])
        blocks.append((csize, encoded[pos + 4:pos + 4 + csize]))
        pos += 4 + csize
    assert pos == len(encoded)
    return total, blocksize, blocks


@pytest.mark.parametrize('blocksize', [None, 1, 100, 65536, 1 << 20, (1 << 30) - 1])
def test_lz4h5_layout(blocksize):
    data = _mixed() if blocksize != 1 else b'abcd' * 100
    encoded = lz4h5_encode(data, blocksize=blocksize)
    total, stored_blocksize, blocks = _h5_blocks(encoded)
    assert total == len(data)
    assert stored_blocksize == (blocksize or len(data))
    decoded = b''
    for i, (csize, block) in enumerate(blocks):
        size = min(stored_blocksize, len(data) - i * stored_blocksize)
        if csize == size:
            decoded += block  # stored: compressing did not make it smaller
        else:
            assert csize < size
            decoded += lz4_decode(block)
    assert decoded == data
    assert lz4h5_decode(encoded) == data
    if blocksize in (100, 65536):
        assert any(csize == min(blocksize, len(data)) for csize, _ in blocks)  # random stretch


def test_lz4h5_default_blocksize():
    assert lz4h5_encode(b'') == struct.pack('>qi', 0, 1)
    assert lz4h5_decode(lz4h5_encode(b'')) == b''
    assert lz4h5_encode(b'abc') == struct.pack('>qii', 3, 3, 3) + b'abc'
    data = _data('text', 5000)
    assert _h5_blocks(lz4h5_encode(data))[1] == 5000


@pytest.mark.parametrize('blocksize', [0, -1, 0x7E000001, 1 << 40])
def test_lz4h5_invalid_blocksize(blocksize):
    with pytest.raises((ValueError, OverflowError)):
        lz4h5_encode(b'abc', blocksize=blocksize)


@pytest.mark.parametrize('blocksize', [None, 1, 777, 65536, 1 << 20])
@pytest.mark.parametrize('level', [None, 1, 8, 1000])
def test_lz4h5_matches_imagecodecs(level, blocksize):
    imagecodecs = _imagecodecs()
    data = _mixed() if blocksize != 1 else _data('text', 3000)
    ours = lz4h5_encode(data, level, blocksize=blocksize)
    assert ours == imagecodecs.lz4h5_encode(data, level, blocksize=blocksize)
    assert imagecodecs.lz4h5_decode(ours) == data
    assert lz4h5_decode(imagecodecs.lz4h5_encode(data, level, blocksize=blocksize)) == data


def test_lz4h5_levels():
    data = _data('text', 1 << 20)
    sizes = [len(lz4h5_encode(data, level)) for level in (1, 8, 64)]
    assert sizes == sorted(sizes)


def test_lz4h5_out():
    data = _mixed()
    encoded = lz4h5_encode(data, blocksize=65536)
    assert bytes(lz4h5_encode(data, blocksize=65536, out=bytearray(len(encoded) + 7))) == encoded
    with pytest.raises(Lz4h5Error, match='too small'):
        lz4h5_encode(data, blocksize=65536, out=bytearray(len(encoded) // 2))
    with pytest.raises(Lz4h5Error, match='too small'):
        lz4h5_encode(data, out=bytearray(5))
    assert bytes(lz4h5_decode(encoded, out=bytearray(len(data) + 1))) == data
    with pytest.raises(Lz4h5Error, match='too small'):
        lz4h5_decode(encoded, out=bytearray(len(data) - 1))
    with pytest.raises(Lz4h5Error, match='max_output'):
        lz4h5_decode(encoded, max_output=len(data) - 1)


def test_lz4h5_corrupt():
    data = _data('text', 100_000)
    encoded = lz4h5_encode(data, blocksize=10_000)
    start = time.perf_counter()
    with pytest.raises(Lz4h5Error, match='cannot be decoded'):
        lz4h5_decode(struct.pack('>qi', 100 << 30, 65536) + encoded[12:])
    assert time.perf_counter() - start < 0.1
    for blocksize in (0, -1, 0x7E000001):
        with pytest.raises(Lz4h5Error, match='block size'):
            lz4h5_decode(struct.pack('>qi', len(data), blocksize) + encoded[12:])
    with pytest.raises(Lz4h5Error, match='12 bytes'):
        lz4h5_decode(encoded[:11])
    for cut in (12, 15, 16, 100, len(encoded) - 1):
        with pytest.raises(Lz4h5Error):
            lz4h5_decode(encoded[:cut])
    bad = bytearray(encoded)
    bad[12:16] = struct.pack('>i', len(encoded))  # block larger than the input
    with pytest.raises(Lz4h5Error, match='block size'):
        lz4h5_decode(bytes(bad))
    bad[12:16] = struct.pack('>i', 0)
    with pytest.raises(Lz4h5Error, match='block size'):
        lz4h5_decode(bytes(bad))
    # a total size smaller than the blocks: only the announced bytes
    short = struct.pack('>q', 10_000) + encoded[8:]
    assert lz4h5_decode(short) == data[:10_000]
    # a total size larger than the blocks hold
    with pytest.raises(Lz4h5Error, match='truncated'):
        lz4h5_decode(struct.pack('>q', 100_001) + encoded[8:])


def test_lz4h5_bomb_fails_fast():
    bomb = lz4h5_encode(bytes(300 << 20))
    start = time.perf_counter()
    with pytest.raises(Lz4h5Error, match='max_output'):
        lz4h5_decode(bomb, max_output=1 << 20)
    assert time.perf_counter() - start < 0.1

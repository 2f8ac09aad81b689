"""bzip2 specifics: parity with Python's bz2 module, levels, concatenated
streams and what follows them, malformed streams."""

import bz2
import time

import numpy
import pytest

import ndcodecs
from ndcodecs import BZ2, Bz2Error, bz2_check, bz2_decode, bz2_encode, bz2_version

from common import payload


@pytest.mark.parametrize('level', range(1, 10))
@pytest.mark.parametrize('kind', ['image', 'text', 'random'])
def test_identical_with_stdlib(level, kind):
    """The same library and settings give the same bytes as bz2.compress."""
    data = payload(kind, 150_000)
    encoded = bz2_encode(data, level)
    assert encoded == bz2.compress(data, level)
    assert bz2.decompress(encoded) == data


@pytest.mark.parametrize('size', [0, 1, 1000, 2_000_000])
def test_default_level(size):
    data = payload('text', size)
    assert bz2_encode(data) == bz2.compress(data) == bz2_encode(data, 9)
    assert bz2_encode(data, level=None) == bz2_encode(data, 9)


@pytest.mark.parametrize('level, clamped', [(-5, 1), (0, 1), (10, 9), (100, 9), (5.0, 5)])
def test_level_clamped(level, clamped):
    data = payload('image', 10_000)
    assert bz2_encode(data, level) == bz2.compress(data, clamped)


@pytest.mark.parametrize('kind', ['image', 'text', 'zeros'])
def test_decode_stdlib_streams(kind):
    data = payload(kind, 1_500_000)
    assert bz2_decode(bz2.compress(data, 3)) == data
    # a stream written in pieces is the same format
    compressor = bz2.BZ2Compressor(7)
    chunks = [compressor.compress(data[i:i + 65536]) for i in range(0, len(data), 65536)]
    assert bz2_decode(b''.join(chunks) + compressor.flush()) == data


def test_concatenated_streams():
    parts = [payload('text', 1000), b'', payload('image', 300_000), b'x']
    stream = b''.join(bz2.compress(p, 1 + i) for i, p in enumerate(parts))
    assert bz2_decode(stream) == b''.join(parts) == bz2.decompress(stream)


@pytest.mark.parametrize('tail', [
    b'garbage after the stream',
    b'xx',
    b'\x00' * 100,
    b'BZh9',  # a truncated second stream
    b'BZh91AY&SY',
    b'BZh0 not a header',
    'second',  # a whole second stream
    'second-truncated',
    'second-corrupt',
])
def test_data_after_stream_as_stdlib(tail):
    """What follows the first stream is ignored or raises as in bz2.decompress."""
    data = payload('text', 20_000)
    first = bz2.compress(data)
    second = bz2.compress(payload('image', 5000))
    if tail == 'second':
        tail = second
    elif tail == 'second-truncated':
        tail = second[:-10]
    elif tail == 'second-corrupt':
        tail = second[:50] + bytes(20) + second[70:]
    stream = first + tail
    try:
        expected = bz2.decompress(stream)
    except (OSError, ValueError):
        with pytest.raises(Bz2Error):
            bz2_decode(stream)
    else:
        assert bz2_decode(stream) == expected


def test_empty_input():
    """Unlike bz2.decompress(b''), empty input is an error, as for every codec."""
    with pytest.raises(Bz2Error, match='empty'):
        bz2_decode(b'')
    assert bz2_decode(bz2_encode(b'')) == b''


@pytest.mark.parametrize('cut', [1, 3, 4, 10, 100, -10, -1])
def test_truncated(cut):
    encoded = bz2_encode(payload('text', 50_000))
    with pytest.raises(Bz2Error, match='truncated'):
        bz2_decode(encoded[:cut])


def test_corrupt():
    encoded = bytearray(bz2_encode(payload('text', 50_000)))
    with pytest.raises(Bz2Error, match='BZ_DATA_ERROR_MAGIC'):
        bz2_decode(b'BZx9' + bytes(encoded[4:]))
    with pytest.raises(Bz2Error, match='BZ_DATA_ERROR_MAGIC'):
        bz2_decode(b'not a bzip2 stream')
    encoded[len(encoded) // 2] ^= 0x55
    with pytest.raises(Bz2Error, match='BZ_DATA_ERROR'):
        bz2_decode(bytes(encoded))
    # the stream's combined CRC (the last bytes before padding) is checked
    encoded = bytearray(bz2_encode(b'abc' * 100))
    encoded[-3] ^= 0xFF
    with pytest.raises(Bz2Error):
        bz2_decode(bytes(encoded))


def test_bomb_fails_fast():
    """A small stream inflating beyond the cap raises instead of allocating."""
    bomb = bz2.compress(bytes(64 << 20), 9)
    assert len(bomb) < 100
    start = time.perf_counter()
    with pytest.raises(Bz2Error, match='max_output'):
        bz2_decode(bomb, max_output=4 << 20)
    assert time.perf_counter() - start < 5
    with pytest.raises(Bz2Error, match='too small'):
        bz2_decode(bomb, out=bytearray(1 << 20))


def test_exact_out_sizes():
    """An out= buffer of exactly the decoded size is enough."""
    for size in (0, 1, 4096, 900_000, 900_001):
        data = payload('image', size)
        buf = numpy.empty(size, numpy.uint8)
        assert bz2_decode(bz2.compress(data, 9), out=buf) is buf
        assert buf.tobytes() == data
        assert bz2_decode(bz2.compress(data), max_output=size) == data


def test_encode_out_too_small():
    data = payload('random', 10_000)
    with pytest.raises(Bz2Error, match='too small'):
        bz2_encode(data, out=100)
    assert bz2_encode(data, out=bytearray(20_000)) == bz2.compress(data)


def test_check_and_version():
    for level in range(1, 10):
        assert bz2_check(bz2.compress(b'x', level)) is True
    assert bz2_check(numpy.frombuffer(bz2.compress(b'x'), numpy.uint8)) is True
    for head in (b'', b'BZ', b'BZh', b'BZh0', b'BZha', b'bzh9', b'\x1f\x8b'):
        assert bz2_check(head) is False
    assert bz2_version().startswith('libbzip2 1.')
    assert bz2_version() == ndcodecs.get_codec('bz2').version
    assert BZ2.available is True


def test_imagecodecs():
    """imagecodecs links the same libbzip2: the same bytes, both ways."""
    imagecodecs = pytest.importorskip('imagecodecs')
    for kind, size in [('text', 1), ('image', 100_000), ('text', 1_000_000)]:
        data = payload(kind, size)
        assert imagecodecs.bz2_decode(bz2_encode(data)) == data
        assert bz2_decode(imagecodecs.bz2_encode(data)) == data
        if imagecodecs.bz2_version() == bz2_version():
            assert bz2_encode(data) == imagecodecs.bz2_encode(data)
            for level in (1, 5, 9):
                assert bz2_encode(data, level) == imagecodecs.bz2_encode(data, level)

"""LZMA specifics: parity with Python's lzma module for the xz, alone and raw
formats, presets, checks, threads, concatenated streams, malformed streams."""

import lzma
import struct
import time
import zlib

import numpy
import pytest

import ndcodecs
from ndcodecs import LZMA, LzmaError, lzma_check, lzma_decode, lzma_encode, lzma_version

from common import payload


def raw_filters(preset):
    return [{'id': lzma.FILTER_LZMA2, 'preset': preset}]


def test_enums_match_stdlib():
    assert LZMA.CHECK.NONE == lzma.CHECK_NONE
    assert LZMA.CHECK.CRC32 == lzma.CHECK_CRC32
    assert LZMA.CHECK.CRC64 == lzma.CHECK_CRC64
    assert LZMA.CHECK.SHA256 == lzma.CHECK_SHA256
    assert LZMA.FORMAT.AUTO == lzma.FORMAT_AUTO
    assert LZMA.FORMAT.XZ == lzma.FORMAT_XZ
    assert LZMA.FORMAT.ALONE == lzma.FORMAT_ALONE
    assert LZMA.FORMAT.RAW == lzma.FORMAT_RAW


@pytest.mark.parametrize('preset', range(10))
@pytest.mark.parametrize('kind', ['image', 'text', 'random'])
def test_xz_identical_with_stdlib(preset, kind):
    data = payload(kind, 100_000)
    encoded = lzma_encode(data, preset)
    assert encoded == lzma.compress(data, preset=preset)
    assert lzma.decompress(encoded) == data
    assert lzma_decode(lzma.compress(data, preset=preset | lzma.PRESET_EXTREME)) == data


@pytest.mark.parametrize('check', list(LZMA.CHECK))
def test_checks(check):
    data = payload('text', 50_000)
    encoded = lzma_encode(data, check=check)
    assert encoded == lzma.compress(data, check=int(check))
    assert encoded[7] == int(check)  # the stream flags
    assert lzma_encode(data, check=int(check)) == encoded
    assert lzma_decode(encoded) == data
    if check != LZMA.CHECK.NONE:
        corrupt = bytearray(encoded)
        corrupt[-40] ^= 1  # in the last block's check field or index
        with pytest.raises(LzmaError):
            lzma_decode(bytes(corrupt))


@pytest.mark.parametrize('check', [2, 3, 11, 16, -1])
def test_invalid_check(check):
    with pytest.raises(ValueError, match='check'):
        lzma_encode(b'data', check=check)


@pytest.mark.parametrize('preset', [0, 1, 6, 9])
@pytest.mark.parametrize('kind', ['image', 'text', 'random'])
def test_alone_identical_with_stdlib(preset, kind):
    data = payload(kind, 100_000)
    encoded = lzma_encode(data, preset, format='alone')
    assert encoded == lzma.compress(data, format=lzma.FORMAT_ALONE, preset=preset)
    assert lzma_encode(data, preset, format=LZMA.FORMAT.ALONE) == encoded
    assert lzma.decompress(encoded, format=lzma.FORMAT_ALONE) == data
    assert lzma_decode(encoded) == data
    assert lzma_decode(encoded, format='alone') == data


@pytest.mark.parametrize('preset', [0, 3, 6, 9])
@pytest.mark.parametrize('kind', ['image', 'text', 'random'])
def test_raw_identical_with_stdlib(preset, kind):
    """Raw LZMA2 with the preset's filter, as lzma.FORMAT_RAW with that filter."""
    data = payload(kind, 100_000)
    encoded = lzma_encode(data, preset, format='raw')
    theirs = lzma.compress(data, format=lzma.FORMAT_RAW, filters=raw_filters(preset))
    assert encoded == theirs
    assert lzma.decompress(encoded, format=lzma.FORMAT_RAW, filters=raw_filters(preset)) == data
    assert lzma_decode(theirs, format='raw') == data
    assert lzma_decode(theirs, format=LZMA.FORMAT.RAW) == data


def test_raw_long_distance():
    """Raw decoding uses a dictionary that fits preset 9 (64 MiB), not 6 (8 MiB)."""
    block = payload('random', 100_000)
    data = block + bytes(9 << 20) + block  # a match 9 MiB back
    encoded = lzma_encode(data, 7, format='raw')  # 16 MiB dictionary
    assert len(encoded) < 150_000
    assert lzma_decode(encoded, format='raw') == data
    with pytest.raises(lzma.LZMAError):
        lzma.decompress(encoded, format=lzma.FORMAT_RAW, filters=raw_filters(6))


@pytest.mark.parametrize('level, clamped', [(-5, 0), (10, 9), (100, 9), (3.0, 3)])
def test_level_clamped(level, clamped):
    data = payload('text', 10_000)
    assert lzma_encode(data, level) == lzma.compress(data, preset=clamped)


def test_defaults():
    data = payload('image', 200_000)
    assert lzma_encode(data) == lzma_encode(data, 6, check=LZMA.CHECK.CRC64, format='xz')
    assert lzma_encode(data) == lzma.compress(data)
    assert lzma_decode(lzma_encode(data), format=None) == data


@pytest.mark.parametrize('format', ['xz', 'XZ', 'alone', 'raw', 1, 2, 3, LZMA.FORMAT.XZ])
def test_format_names(format):
    data = payload('text', 10_000)
    assert lzma_decode(lzma_encode(data, format=format), format=format) == data


@pytest.mark.parametrize('format', ['zip', 'auto', 'lzip', 0, 4, -1, LZMA.FORMAT.AUTO])
def test_invalid_encode_format(format):
    with pytest.raises(ValueError, match='format'):
        lzma_encode(b'data', format=format)


def test_invalid_decode_format():
    encoded = lzma_encode(b'data')
    assert lzma_decode(encoded, format='auto') == b'data'
    for format in ('zip', 4, -1):
        with pytest.raises(ValueError, match='format'):
            lzma_decode(encoded, format=format)


@pytest.mark.parametrize('format', ['alone', 'raw'])
def test_check_needs_xz(format):
    with pytest.raises(ValueError, match='xz'):
        lzma_encode(b'data', check=LZMA.CHECK.CRC32, format=format)


def test_wrong_format_raises():
    data = payload('text', 10_000)
    xz = lzma_encode(data)
    alone = lzma_encode(data, format='alone')
    raw = lzma_encode(data, format='raw')
    for encoded, format in [(xz, 'alone'), (xz, 'raw'), (alone, 'xz'), (alone, 'raw'), (raw, 'xz')]:
        with pytest.raises(LzmaError):
            lzma_decode(encoded, format=format)
    with pytest.raises(LzmaError):
        lzma_decode(raw)


@pytest.mark.parametrize('numthreads', [None, 1, 2, 4, 0])
def test_numthreads(numthreads):
    data = payload('image', 3 << 20)
    encoded = lzma_encode(data, 0, numthreads=numthreads)
    if numthreads in (None, 1):
        assert encoded == lzma.compress(data, preset=0)
    assert lzma.decompress(encoded) == data
    assert lzma_decode(encoded) == data
    assert lzma_decode(encoded, out=len(data)) == data


def test_numthreads_blocks():
    """Threads split the stream into blocks, each with its sizes."""
    data = payload('text', 4 << 20)
    one = lzma_encode(data, 0)
    two = lzma_encode(data, 0, numthreads=2, check=LZMA.CHECK.CRC32)
    assert one != two
    assert lzma.decompress(two) == data
    assert lzma_decode(two) == data
    assert lzma_encode(b'', numthreads=2) and lzma_decode(lzma_encode(b'', numthreads=2)) == b''
    with pytest.raises(ValueError):
        lzma_encode(data, numthreads=-1)
    # other formats have no threads and ignore the argument
    assert lzma_encode(data[:1000], format='alone', numthreads=2) == lzma_encode(data[:1000], format='alone')


def test_concatenated_streams_and_padding():
    parts = [payload('text', 1000), b'', payload('image', 300_000), b'x']
    streams = [
        lzma.compress(parts[0], check=lzma.CHECK_NONE),
        lzma.compress(parts[1]),
        lzma.compress(parts[2], preset=0, check=lzma.CHECK_SHA256),
        lzma.compress(parts[3]),
    ]
    joined = b''.join(parts)
    assert lzma_decode(b''.join(streams)) == joined == lzma.decompress(b''.join(streams))
    # stream padding: null bytes in groups of four, between and after streams
    padded = streams[0] + bytes(8) + streams[1] + streams[2] + bytes(4) + streams[3] + bytes(12)
    assert lzma_decode(padded) == joined
    assert lzma_decode(padded, format='xz') == joined
    # alone and xz streams may follow each other, as in lzma.decompress
    mixed = lzma.compress(parts[0], format=lzma.FORMAT_ALONE) + streams[2]
    assert lzma_decode(mixed) == parts[0] + parts[2] == lzma.decompress(mixed)


@pytest.mark.parametrize('tail', [
    b'garbage after the stream',
    b'\xfd7zXZ\x00',
    b'\x00\x00\x00',
    'second',
    'second-truncated',
    'second-corrupt',
    'alone',
])
def test_data_after_stream_as_stdlib(tail):
    """What follows the first stream is ignored or raises as in lzma.decompress."""
    data = payload('text', 20_000)
    first = lzma.compress(data)
    second = lzma.compress(payload('image', 5000))
    tails = {
        'second': second,
        'second-truncated': second[:-10],
        'second-corrupt': second[:40] + bytes(20) + second[60:],
        'alone': lzma.compress(b'abc', format=lzma.FORMAT_ALONE),
    }
    stream = first + tails.get(tail, tail)
    try:
        expected = lzma.decompress(stream)
    except lzma.LZMAError:
        with pytest.raises(LzmaError):
            lzma_decode(stream)
    else:
        assert lzma_decode(stream) == expected


def test_empty_input():
    for format in (None, 'xz', 'alone', 'raw'):
        with pytest.raises(LzmaError, match='empty'):
            lzma_decode(b'', format=format)


@pytest.mark.parametrize('format', ['xz', 'alone', 'raw'])
def test_truncated(format):
    encoded = lzma_encode(payload('text', 50_000), format=format)
    for cut in (1, 5, 12, 13, 100, len(encoded) // 2, len(encoded) - 1):
        with pytest.raises(LzmaError):
            lzma_decode(encoded[:cut], format=format)


def test_error_messages():
    with pytest.raises(LzmaError, match='LZMA_FORMAT_ERROR'):
        lzma_decode(b'\xfd7zXZ\x01' + bytes(30))
    with pytest.raises(LzmaError, match='truncated'):
        lzma_decode(lzma_encode(b'abc' * 100)[:-1])
    corrupt = bytearray(lzma_encode(payload('text', 10_000), format='raw'))
    corrupt[100] ^= 0xFF
    with pytest.raises(LzmaError, match='LZMA_DATA_ERROR'):
        lzma_decode(bytes(corrupt), format='raw')


def _vli(value):
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _read_vli(buf, pos):
    value = shift = 0
    while True:
        byte = buf[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        shift += 7
        if byte < 0x80:
            return value, pos


def _xz_with_claimed_size(stream, claimed):
    """Return a one-block .xz `stream` whose index claims `claimed` bytes."""
    footer = stream[-12:]
    backward = (struct.unpack('<I', footer[4:8])[0] + 1) * 4
    index_start = len(stream) - 12 - backward
    index = stream[index_start:-12]
    assert index[0] == 0 and index[1] == 1  # one record
    unpadded, pos = _read_vli(index, 2)
    body = b'\x00\x01' + _vli(unpadded) + _vli(claimed)
    body += bytes(-len(body) % 4)
    body += struct.pack('<I', zlib.crc32(body))
    fields = struct.pack('<I', len(body) // 4 - 1) + footer[8:10]
    return stream[:index_start] + body + struct.pack('<I', zlib.crc32(fields)) + fields + b'YZ'


def test_claimed_huge_size():
    """An index claiming 100 GB fails at once; a claim smaller than the data fails too."""
    stream = lzma_encode(payload('text', 10_000))
    honest = _xz_with_claimed_size(stream, 10_000)
    assert honest == stream
    start = time.perf_counter()
    with pytest.raises(LzmaError, match='max_output'):
        lzma_decode(_xz_with_claimed_size(stream, 100 << 30))
    assert time.perf_counter() - start < 1
    with pytest.raises(LzmaError):
        lzma_decode(_xz_with_claimed_size(stream, 5_000))
    with pytest.raises(LzmaError):
        lzma_decode(_xz_with_claimed_size(stream, 20_000))


def test_alone_claimed_size():
    """A .lzma header's size is not trusted for allocation."""
    data = payload('text', 10_000)
    encoded = lzma_encode(data, format='alone')
    assert encoded[5:13] == b'\xff' * 8  # size unknown, as lzma.compress writes
    lying = encoded[:5] + struct.pack('<Q', 100 << 30) + encoded[13:]
    start = time.perf_counter()
    with pytest.raises(LzmaError):
        lzma_decode(lying)
    assert time.perf_counter() - start < 1
    known = encoded[:5] + struct.pack('<Q', len(data)) + encoded[13:]
    assert lzma_decode(known) == data


def test_memlimit():
    """A dictionary beyond max_output (and all presets) is refused before allocation."""
    encoded = lzma_encode(b'abc', format='alone')
    huge_dict = encoded[:1] + struct.pack('<I', 3 << 30) + encoded[5:]
    with pytest.raises(LzmaError, match='LZMA_MEMLIMIT_ERROR'):
        lzma_decode(huge_dict)
    # every preset decodes even with a small max_output
    data = payload('text', 1000)
    for preset in (6, 9):
        assert lzma_decode(lzma_encode(data, preset), max_output=1000) == data
        assert lzma_decode(lzma_encode(data, preset, format='alone'), max_output=1000) == data


@pytest.mark.parametrize('format', ['xz', 'alone'])
def test_bomb_fails_fast(format):
    bomb = lzma.compress(bytes(64 << 20), preset=0, format=lzma.FORMAT_XZ if format == 'xz' else lzma.FORMAT_ALONE)
    assert len(bomb) < 20_000
    start = time.perf_counter()
    with pytest.raises(LzmaError, match='max_output'):
        lzma_decode(bomb, max_output=4 << 20)
    with pytest.raises(LzmaError, match='too small'):
        lzma_decode(bomb, out=bytearray(1 << 20))
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize('format', ['xz', 'alone', 'raw'])
def test_exact_out_sizes(format):
    """An out= buffer of exactly the decoded size is enough for every format."""
    for size in (0, 1, 4096, 65536, 300_001):
        data = payload('image', size)
        encoded = lzma_encode(data, format=format)
        buf = numpy.empty(size, numpy.uint8)
        assert lzma_decode(encoded, format=format, out=buf) is buf
        assert buf.tobytes() == data
        assert lzma_decode(encoded, format=format, max_output=size) == data
        if size:
            with pytest.raises(LzmaError):
                lzma_decode(encoded, format=format, max_output=size - 1)


def test_encode_out_too_small():
    data = payload('random', 10_000)
    with pytest.raises(LzmaError, match='too small'):
        lzma_encode(data, out=100)
    assert lzma_encode(data, out=bytearray(20_000)) == lzma.compress(data)


def test_check_and_version():
    assert lzma_check(lzma.compress(b'x')) is True
    assert lzma_check(lzma.compress(b'x', format=lzma.FORMAT_ALONE)) is True
    assert lzma_check(numpy.frombuffer(lzma.compress(b'x'), numpy.uint8)) is True
    assert lzma_check(lzma_encode(b'x' * 100, 9, format='alone')) is True
    header = lzma.compress(b'x', format=lzma.FORMAT_ALONE)[:13]
    assert lzma_check(header[:12]) is False
    assert lzma_check(header[:1] + struct.pack('<I', 3 << 20 | 1) + header[5:]) is False  # dictionary
    assert lzma_check(b'\xff' + header[1:]) is False  # lc/lp/pb
    assert lzma_check(header[:5] + struct.pack('<Q', 1 << 40)) is False  # size
    for head in (b'', b'\xfd7zXZ', bytes(20), b'BZh9', lzma_encode(b'x' * 100, format='raw')):
        assert lzma_check(head) is False
    assert lzma_version().startswith('liblzma 5.')
    assert lzma_version() == ndcodecs.get_codec('lzma').version
    assert LZMA.available is True


def test_imagecodecs():
    """imagecodecs decodes our xz and we decode theirs; the same bytes as the stdlib."""
    imagecodecs = pytest.importorskip('imagecodecs')
    for kind, size, levels in [('text', 1, (0, 6)), ('image', 100_000, (0, 6)), ('text', 1_000_000, (0,))]:
        data = payload(kind, size)
        for level in levels:
            for check in (None, LZMA.CHECK.NONE, LZMA.CHECK.SHA256):
                ours = lzma_encode(data, level, check=check)
                assert imagecodecs.lzma_decode(ours) == data
                theirs = imagecodecs.lzma_encode(data, level, check=check)
                assert lzma_decode(theirs) == data
                if theirs == lzma.compress(data, preset=level, check=-1 if check is None else check):
                    assert ours == theirs

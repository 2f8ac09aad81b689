"""Brotli specifics: parity with the brotli package, quality, mode, window,
and malformed streams."""

import time

import numpy
import pytest

import ndcodecs
from ndcodecs import BROTLI, BrotliError, brotli_check, brotli_decode, brotli_encode, brotli_version

from common import payload

brotli = pytest.importorskip('brotli')

# the package bundles its own libbrotli: the same bytes only for the same version
SAME_LIBRARY = brotli_version() == f'brotli {brotli.__version__}'


def test_mode_enum():
    assert BROTLI.MODE.GENERIC == brotli.MODE_GENERIC == 0
    assert BROTLI.MODE.TEXT == brotli.MODE_TEXT == 1
    assert BROTLI.MODE.FONT == brotli.MODE_FONT == 2


@pytest.mark.parametrize('quality', range(12))
@pytest.mark.parametrize('kind', ['image', 'text'])
def test_quality_with_package(quality, kind):
    """The package decodes ours and we decode the package's, at every quality."""
    data = payload(kind, 100_000)
    encoded = brotli_encode(data, quality)
    assert brotli.decompress(encoded) == data
    theirs = brotli.compress(data, quality=quality)
    assert brotli_decode(theirs) == data
    if SAME_LIBRARY:
        assert encoded == theirs


@pytest.mark.parametrize('mode', list(BROTLI.MODE))
@pytest.mark.parametrize('lgwin', [10, 16, 22, 24])
def test_mode_and_window(mode, lgwin):
    data = payload('text', 300_000)
    encoded = brotli_encode(data, 5, mode=mode, lgwin=lgwin)
    assert brotli_encode(data, 5, mode=int(mode), lgwin=lgwin) == encoded
    assert brotli.decompress(encoded) == data
    assert brotli_decode(encoded) == data
    theirs = brotli.compress(data, quality=5, mode=int(mode), lgwin=lgwin)
    assert brotli_decode(theirs) == data
    if SAME_LIBRARY:
        assert encoded == theirs


def test_window_in_stream_header():
    """The window size is the first field of the stream: lgwin 16 is a single 0 bit."""
    data = payload('text', 10_000)
    assert brotli_encode(data, lgwin=16)[0] & 1 == 0
    assert brotli_encode(data, lgwin=22)[0] & 1 == 1


@pytest.mark.parametrize('lgwin, clamped', [(0, 10), (5, 10), (25, 24), (30, 24)])
def test_window_clamped(lgwin, clamped):
    data = payload('image', 50_000)
    assert brotli_encode(data, lgwin=lgwin) == brotli_encode(data, lgwin=clamped)


@pytest.mark.parametrize('level, clamped', [(-5, 0), (12, 11), (100, 11), (3.0, 3)])
def test_quality_clamped(level, clamped):
    data = payload('text', 20_000)
    assert brotli_encode(data, level) == brotli_encode(data, clamped)


def test_defaults():
    """imagecodecs' defaults: quality 4, GENERIC, a 4 MiB window."""
    data = payload('text', 200_000)
    encoded = brotli_encode(data)
    assert encoded == brotli_encode(data, 4, mode=BROTLI.MODE.GENERIC, lgwin=22)
    assert encoded != brotli_encode(data, 11)
    if SAME_LIBRARY:
        assert encoded == brotli.compress(data, quality=4)


@pytest.mark.parametrize('mode', [3, -1, 'text', 1.5])
def test_invalid_mode(mode):
    with pytest.raises((ValueError, TypeError)):
        brotli_encode(b'data', mode=mode)


def test_empty():
    encoded = brotli_encode(b'')
    assert brotli.decompress(encoded) == b''
    assert brotli_decode(encoded) == b''
    with pytest.raises(BrotliError, match='empty'):
        brotli_decode(b'')


def test_trailing_data_ignored():
    data = payload('text', 5000)
    assert brotli_decode(brotli_encode(data) + b'trailing bytes') == data


@pytest.mark.parametrize('cut', [1, 2, 10, 100, -10, -1])
def test_truncated(cut):
    encoded = brotli_encode(payload('text', 50_000))
    with pytest.raises(BrotliError, match='truncated'):
        brotli_decode(encoded[:cut])


@pytest.mark.parametrize('data, reason', [
    (b'\xff' * 10, 'PADDING'),
    (bytes(10), 'CL_SPACE'),
])
def test_corrupt(data, reason):
    with pytest.raises(BrotliError, match=f'BROTLI_DECODER_RESULT_ERROR: .*{reason}'):
        brotli_decode(data)


def test_bomb_fails_fast():
    bomb = brotli.compress(bytes(64 << 20), quality=1)
    assert len(bomb) < 100_000
    start = time.perf_counter()
    with pytest.raises(BrotliError, match='max_output'):
        brotli_decode(bomb, max_output=4 << 20)
    with pytest.raises(BrotliError, match='too small'):
        brotli_decode(bomb, out=bytearray(1 << 20))
    assert time.perf_counter() - start < 5


def test_exact_out_sizes():
    for size in (0, 1, 4096, 65536, 1 << 20):
        data = payload('image', size)
        encoded = brotli_encode(data)
        buf = numpy.empty(size, numpy.uint8)
        assert brotli_decode(encoded, out=buf) is buf
        assert buf.tobytes() == data
        assert brotli_decode(encoded, max_output=size) == data


def test_encode_out_too_small():
    data = payload('random', 10_000)
    with pytest.raises(BrotliError, match='out='):
        brotli_encode(data, out=100)
    assert brotli_decode(brotli_encode(data, out=bytearray(20_000))) == data


def test_check_and_version():
    assert brotli_check(brotli_encode(b'data')) is None
    assert brotli_check(b'') is None
    assert brotli_version().startswith('brotli 1.')
    assert brotli_version() == ndcodecs.get_codec('brotli').version
    assert BROTLI.available is True


def test_imagecodecs():
    """imagecodecs decodes ours and we decode theirs, with all options."""
    imagecodecs = pytest.importorskip('imagecodecs')
    same = imagecodecs.brotli_version() == brotli_version()
    options = [(None, None, None), (0, 1, 16), (9, 2, 24), (11, 0, 10)]
    for kind, size, count in [('text', 1, 4), ('image', 100_000, 4), ('text', 1_000_000, 2)]:
        data = payload(kind, size)
        for level, mode, lgwin in options[:count]:
            ours = brotli_encode(data, level, mode=mode, lgwin=lgwin)
            assert imagecodecs.brotli_decode(ours) == data
            theirs = imagecodecs.brotli_encode(data, level, mode=mode, lgwin=lgwin)
            assert brotli_decode(theirs) == data
            if same:
                assert ours == theirs

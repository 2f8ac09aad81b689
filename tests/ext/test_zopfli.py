"""zopfli specifics: options, formats, parity with imagecodecs, decoding
through zlib."""

import gzip
import zlib

import numpy
import pytest

from ndcodecs import (
    ZOPFLI, ZopfliError, zopfli_check, zopfli_decode, zopfli_encode,
    zopfli_version,
)

from common import payload

OPTIONS = [
    {},
    {'numiterations': 1},
    {'numiterations': 40},
    {'blocksplitting': False},
    {'blocksplittingmax': 1},
    {'blocksplittingmax': 0},
    {'blocksplittinglast': True},
    {'format': ZOPFLI.FORMAT.GZIP},
    {'format': ZOPFLI.FORMAT.ZLIB},
    {'format': ZOPFLI.FORMAT.DEFLATE},
    {'format': 0, 'numiterations': 2, 'blocksplitting': True},
]


def test_version():
    assert zopfli_version() == 'zopfli 1.0.3'


def test_constants():
    assert ZOPFLI.available is True
    assert {k: int(v) for k, v in ZOPFLI.FORMAT.__members__.items()} == {
        'GZIP': 0, 'ZLIB': 1, 'DEFLATE': 2,
    }


@pytest.mark.parametrize('kwargs', OPTIONS)
def test_options(kwargs):
    data = payload('text', 8000)
    encoded = zopfli_encode(data, **kwargs)
    fmt = kwargs.get('format', ZOPFLI.FORMAT.ZLIB)
    if fmt == ZOPFLI.FORMAT.GZIP:
        assert gzip.decompress(encoded) == data
    elif fmt == ZOPFLI.FORMAT.ZLIB:
        assert zlib.decompress(encoded) == data
    else:
        assert zlib.decompress(encoded, -15) == data
    assert zopfli_decode(encoded, format=fmt) == data


@pytest.mark.parametrize('kwargs', OPTIONS)
def test_identical_with_imagecodecs(kwargs):
    imagecodecs = pytest.importorskip('imagecodecs')
    if imagecodecs.zopfli_version() != zopfli_version():
        pytest.skip('different zopfli versions')
    data = payload('text', 4000)
    assert zopfli_encode(data, **kwargs) == imagecodecs.zopfli_encode(data, **kwargs)
    encoded = imagecodecs.zopfli_encode(data)
    assert zopfli_decode(encoded) == imagecodecs.zopfli_decode(encoded) == data


def test_default_is_zlib():
    data = payload('text', 5000)
    encoded = zopfli_encode(data)
    assert encoded == zopfli_encode(data, format=ZOPFLI.FORMAT.ZLIB)
    assert zopfli_check(encoded) is True
    assert zlib.decompress(encoded) == data


@pytest.mark.parametrize('level', [None, 0, 1, 9, 12])
def test_level_ignored(level):
    # as by imagecodecs; numiterations sets the effort
    data = payload('text', 5000)
    assert zopfli_encode(data, level) == zopfli_encode(data)


@pytest.mark.parametrize('name', ['gzip', 'ZLIB', 'deflate'])
def test_format_by_name(name):
    data = payload('text', 3000)
    fmt = ZOPFLI.FORMAT[name.upper()]
    assert zopfli_encode(data, format=name) == zopfli_encode(data, format=fmt)
    assert zopfli_decode(zopfli_encode(data, format=name), format=name) == data


@pytest.mark.parametrize('fmt,same', [(-1, 0), (3, 2), (None, 1)])
def test_format_clamped(fmt, same):
    data = payload('text', 3000)
    assert zopfli_encode(data, format=fmt) == zopfli_encode(data, format=same)


def test_invalid_options():
    with pytest.raises(TypeError, match='iterations'):
        zopfli_encode(b'data', iterations=5)
    with pytest.raises(ValueError):
        zopfli_encode(b'data', format='brotli')


def test_denser_than_zlib():
    data = payload('text', 20_000)
    assert len(zopfli_encode(data)) < len(zlib.compress(data, 9))


@pytest.mark.parametrize('kind', ['image', 'text', 'random', 'zeros'])
@pytest.mark.parametrize('size', [0, 1, 1000, 30_000])
def test_roundtrip(kind, size):
    data = payload(kind, size)
    encoded = zopfli_encode(data, numiterations=1)
    assert zopfli_decode(encoded) == data
    assert zopfli_decode(numpy.frombuffer(encoded, numpy.uint8)) == data


def test_decode_any_zlib_or_gzip():
    data = payload('image', 50_000)
    # format None accepts zlib and gzip by their headers, not raw deflate
    assert zopfli_decode(zlib.compress(data)) == data
    assert zopfli_decode(gzip.compress(data)) == data
    with pytest.raises(ZopfliError):
        zopfli_decode(zlib.compress(data, wbits=-15))
    assert zopfli_decode(zlib.compress(data, wbits=-15), format=ZOPFLI.FORMAT.DEFLATE) == data
    with pytest.raises(ZopfliError):
        zopfli_decode(gzip.compress(data), format=ZOPFLI.FORMAT.ZLIB)
    with pytest.raises(ZopfliError):
        zopfli_decode(zlib.compress(data), format=ZOPFLI.FORMAT.GZIP)


def test_decode_errors():
    data = payload('text', 20_000)
    encoded = zopfli_encode(data, numiterations=1)
    for size in (0, 1, 2, len(encoded) // 2, len(encoded) - 1):
        with pytest.raises(ZopfliError):
            zopfli_decode(encoded[:size])
    with pytest.raises(ZopfliError, match='max_output'):
        zopfli_decode(encoded, max_output=len(data) - 1)
    assert zopfli_decode(encoded, max_output=len(data)) == data
    assert zopfli_decode(encoded + b'trailing') == data


def test_encode_out():
    data = payload('text', 5000)
    encoded = zopfli_encode(data, numiterations=1)
    out = bytearray(len(encoded))
    assert zopfli_encode(data, numiterations=1, out=out) is out
    assert out == encoded
    with pytest.raises(ZopfliError, match='output too small'):
        zopfli_encode(data, numiterations=1, out=bytearray(len(encoded) - 1))


def test_check():
    assert zopfli_check(zopfli_encode(b'abc')) is True
    assert zopfli_check(zopfli_encode(b'abc', format='gzip')) is True
    assert zopfli_check(zopfli_encode(b'abc', format='deflate')) is None
    assert zopfli_check(b'') is None

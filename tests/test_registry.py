"""The codec registry: lookup by name, alias, extension and magic bytes."""

import pathlib
import pickle
import shutil
import subprocess

import pytest

import ndcodecs
from ndcodecs import codec_for_bytes, codec_for_path, get_codec, has_codec, list_codecs

DEBIAN_LIST = pathlib.Path(__file__).parents[1] / 'deps' / 'debian.txt'


def test_list_and_get():
    names = list_codecs()
    assert 'zstd' in names and 'numpy' in names
    assert set(list_codecs(kind='compressor')) <= set(names)
    for name in names:
        codec = get_codec(name)
        assert codec.name == name
        assert codec.kind in ndcodecs.KINDS
        assert get_codec(name.upper()) is codec
        for alias in codec.aliases:
            assert get_codec(alias) is codec
            assert has_codec(alias)
    assert not has_codec('no-such-codec')
    assert not has_codec(None)
    with pytest.raises(ValueError):
        get_codec('no-such-codec')


def test_codec_object():
    codec = get_codec('zstd')
    assert codec.available and codec.can_encode and codec.can_decode
    assert codec.version == ndcodecs.zstd_version()
    assert codec.decode(codec.encode(b'abc', 5)) == b'abc'
    assert codec.check(codec.encode(b'abc')) is True
    assert codec.error is ndcodecs.ZstdError
    assert '.zst' in codec.extensions
    assert pickle.loads(pickle.dumps(codec)) is codec


@pytest.mark.parametrize('path, name', [
    ('a.zst', 'zstd'),
    ('dir.x/A.ZSTD', 'zstd'),
    ('a.tar.gz', 'gzip'),
    ('a.tgz', 'gzip'),
    ('a.bz2', 'bz2'),
    ('a.tar.xz', 'lzma'),
    ('a.npy', 'numpy'),
    ('a.npz', 'numpy'),
    (pathlib.Path('x/a.lz4'), 'lz4f'),
])
def test_codec_for_path(path, name):
    assert codec_for_path(path).name == name


def test_codec_for_path_unknown():
    assert codec_for_path('a.unknown') is None
    assert codec_for_path('gz') is None


@pytest.mark.parametrize('head, name', [
    (b'\x28\xb5\x2f\xfd\x00', 'zstd'),
    (b'\x1f\x8b\x08\x00', 'gzip'),
    (b'BZh9', 'bz2'),
    (b'\xfd7zXZ\x00\x00', 'lzma'),
    (b'\x04\x22\x4d\x18', 'lz4f'),
    (b'\x93NUMPY\x01\x00', 'numpy'),
    (b'x\x9c\x03\x00', 'zlib'),
])
def test_codec_for_bytes(head, name):
    assert codec_for_bytes(head).name == name


def test_codec_for_bytes_unknown():
    assert codec_for_bytes(b'') is None
    assert codec_for_bytes(b'hello world') is None


def test_unavailable_codec(monkeypatch):
    """A codec whose module was not built reports why and raises on use."""
    from ndcodecs._registry import Codec

    codec = Codec('fake', 'compressor', '._ext._no_such_module', 'libfake', 'libfake-dev')
    assert codec.available is False
    assert 'libfake-dev' in codec.reason
    assert codec.version is None
    assert codec.constants.available is False
    with pytest.raises(ndcodecs.DelayedImportError, match='libfake'):
        codec.function('fake_encode')(b'abc')
    with pytest.raises(ndcodecs.CodecError):
        codec.decode(b'abc')


def _installed(package):
    if shutil.which('dpkg-query') is None:
        return False
    out = subprocess.run(
        ['dpkg-query', '-W', '-f=${Status}', package], capture_output=True, text=True
    )
    return 'install ok installed' in out.stdout


def test_installed_libraries_are_built():
    """Every codec whose Debian package is installed must have been built."""
    listed = {line.strip() for line in DEBIAN_LIST.read_text().splitlines()}
    for name in list_codecs():
        codec = get_codec(name)
        if codec.debian:
            assert codec.debian in listed, f'{codec.debian} missing from deps/debian.txt'
            if _installed(codec.debian):
                assert codec.available, codec.reason


def test_codec_for_bytes_by_check_function():
    """A codec without a good prefix answers through its own check function."""
    blosc = get_codec('blosc')
    if not blosc.available:
        pytest.skip(blosc.reason)
    assert codec_for_bytes(blosc.encode(b'some bytes to compress' * 10)) is blosc
    assert codec_for_bytes(b'\x02\x01\x00\x01' + bytes(12)) is None


def test_unavailable_python_package():
    from ndcodecs._registry import Codec

    codec = Codec('fake2', 'array', '._codecs.no_such_module', 'fakepkg', pypi='fakepkg')
    assert not codec.available
    assert 'pip install fakepkg' in codec.reason


@pytest.mark.parametrize('name', ['sperr', 'sz3', 'jetraw'])
def test_unavailable_by_design(name):
    codec = get_codec(name)
    assert not codec.available
    assert codec.reason.startswith(f'{name} is not available: ')
    with pytest.raises(ndcodecs.DelayedImportError, match=codec.reason.split(':')[1].strip()[:20]):
        getattr(ndcodecs, f'{name}_encode')(b'data')
    assert getattr(ndcodecs, name.upper()).available is False

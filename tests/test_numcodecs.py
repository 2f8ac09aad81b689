"""ndcodecs.numcodecs: a class per registered codec, the numcodecs-id
drop-ins, the imagecodecs ids and the entry points."""

import json
import os
import pickle
import subprocess
import sys
import threading

import numpy
import pytest

import ndcodecs

numcodecs = pytest.importorskip('numcodecs', reason='numcodecs is not installed')
ndnc = pytest.importorskip('ndcodecs.numcodecs')
from numcodecs.tests.common import (  # noqa: E402
    check_backwards_compatibility,
    check_config,
    check_encode_decode,
    check_repr,
)

from numcodecs.compat import ensure_contiguous_ndarray  # noqa: E402

from ndcodecs._compat import numcodecs_ids  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, 'tests', 'data', 'numcodecs')

# Parameters that codecs need and cannot default, by codec name; shape and
# dtype are what zarr 3 passes from the chunk spec.
REQUIRED = {
    'quantize': {'mode': 'bitround', 'nsd': 12},
    'packints': {'bitspersample': 12, 'dtype': 'uint16'},
    'szip': {'header': True},
    'rcomp': {'shape': [24, 32], 'dtype': 'uint16'},
    'pcodec': {'dtype': 'uint16'},
}

CANDIDATES = [
    numpy.add.outer(numpy.arange(24, dtype='u2') * 40, numpy.arange(32, dtype='u2') * 7),
    numpy.linspace(0, 1, 24 * 32, dtype='f4').reshape(24, 32),
    (numpy.arange(24 * 32) % 251).astype('u1').reshape(24, 32),
    numpy.arange(-384, 384, dtype='i4').reshape(24, 32),
    # images with samples, for codecs that take only RGB(A)
    numpy.stack([numpy.add.outer(numpy.arange(24), numpy.arange(32)).astype('u1') * k
                 for k in (1, 2, 3)], axis=-1),
    numpy.dstack([numpy.add.outer(numpy.arange(24), numpy.arange(32)).astype('u1')] * 4),
    numpy.stack([numpy.linspace(0.1, 2, 24 * 32, dtype='f4').reshape(24, 32) * k
                 for k in (1, 2, 3)], axis=-1),
]


def close(decoded, arr, name) -> bool:
    """Return True if `decoded` holds `arr`'s values: within 1% for
    lossless codecs (some quantize), within 2% of the range on average for
    lossy ones (the registry's `lossless`)."""
    decoded = numpy.asarray(decoded).reshape(-1)
    arr = arr.reshape(-1)
    if decoded.size != arr.size:
        return False
    if ndcodecs.get_codec(name).lossless:
        return bool(numpy.allclose(decoded, arr, rtol=1e-2, atol=1e-2))
    error = numpy.abs(decoded.astype('f8') - arr.astype('f8')).mean()
    return bool(error <= 0.02 * (float(arr.max()) - float(arr.min()) + 1))


def sample(name):
    """Return (codec instance, array) for a codec: the first candidate
    array the codec encodes and decodes to the same values."""
    cls = ndnc.codec_class(name)
    codec = cls(**REQUIRED.get(name, {}))
    for arr in CANDIDATES:
        try:
            decoded = codec.decode(codec.encode(arr))
            decoded = numpy.frombuffer(memoryview(numpy.ascontiguousarray(decoded)).cast('B'), arr.dtype)
        except Exception:
            continue
        if close(decoded, arr, name):
            return codec, arr
    return codec, None


def codecs(**filters):
    params = []
    for name in ndcodecs.list_codecs(**filters):
        c = ndcodecs.get_codec(name)
        marks = () if c.available else pytest.mark.skip(reason=c.reason)
        params.append(pytest.param(name, id=name, marks=marks))
    return params


@pytest.mark.parametrize('name', codecs())
def test_class_config(name):
    """Every codec has a class with keyword parameters and a JSON config."""
    cls = getattr(ndnc, ndnc.class_name(name))
    assert cls is ndnc.codec_class(name)
    assert cls.codec_id == f'ndcodecs_{name}'
    codec = cls(**REQUIRED.get(name, {}))
    config = codec.get_config()
    assert config == json.loads(json.dumps(config))
    params = ndnc.parameters(ndcodecs.get_codec(name))
    assert list(config) == ['id', *params] or list(config) == ['id', *params, 'dtype']
    for key in config.keys() - {'id'}:
        assert getattr(codec, key) == config[key] or config[key] == ndnc._jsonable(getattr(codec, key))
    again = numcodecs.get_codec(config)
    assert again == codec and type(again) is cls
    assert pickle.dumps(codec) == pickle.dumps(pickle.loads(pickle.dumps(codec)))
    assert hash(again) == hash(codec)
    with pytest.raises(TypeError):
        cls(no_such_parameter=1)


def test_parameters_from_signatures():
    """Parameters come from the functions' signatures (Cython binding)."""
    params = ndnc.parameters(ndcodecs.get_codec('zstd'))
    assert list(params) == ['level', 'numthreads']
    assert all(p.kind == p.KEYWORD_ONLY for p in params.values())
    assert list(ndnc.parameters(ndcodecs.get_codec('png'))) == ['level', 'strategy', 'filter']
    assert ndnc.Zstd(level=5).level == 5


@pytest.mark.parametrize('name', codecs())
def test_round_trip(name):
    codec, arr = sample(name)
    c = ndcodecs.get_codec(name)
    if not c.can_encode and c.kind != 'checksum':
        pytest.skip(f'{name} cannot encode')
    if arr is None:
        pytest.fail(f'{name}: no candidate array round-trips')
    encoded = codec.encode(arr)
    out = numpy.empty_like(arr)
    result = codec.decode(encoded, out=out)
    assert close(result, arr, name)


@pytest.mark.parametrize('name', codecs(kind='compressor'))
def test_corrupt(name):
    """Corrupt, empty and truncated chunks raise the codec's error, if any."""
    codec = ndnc.codec_class(name)()
    c = ndcodecs.get_codec(name)
    encoded = bytes(codec.encode(CANDIDATES[0]))
    for bad in (b'', encoded[: len(encoded) // 2], b'\xff' * 64, encoded[:1] + b'\x00' * 40):
        try:
            codec.decode(bad)
        except c.error:
            pass
        except Exception as exc:
            pytest.fail(f'{name}: {type(exc).__name__}: {exc}')


@pytest.mark.parametrize('shape', [(1, 64, 48), (3, 64, 48), (64, 48), (2, 1, 16, 16), (1, 16, 16, 3), (5,)])
def test_image_chunk_shapes(shape):
    """png takes chunks as zarr hands them over and decodes to their size."""
    arr = (numpy.arange(numpy.prod(shape)) * 7 % 65536).astype('u2').reshape(shape)
    codec = ndnc.Png()
    encoded = codec.encode(arr)
    assert ndcodecs.png_check(encoded)
    decoded = numpy.asarray(codec.decode(encoded))
    assert decoded.size == arr.size
    numpy.testing.assert_array_equal(decoded.reshape(shape), arr)
    out = numpy.empty_like(arr)
    codec.decode(encoded, out=out)
    numpy.testing.assert_array_equal(out, arr)


def test_image_view():
    assert ndnc.image_view(numpy.zeros((1, 256, 256))).shape == (256, 256)
    assert ndnc.image_view(numpy.zeros((4, 256, 256))).shape == (1024, 256)
    assert ndnc.image_view(numpy.zeros((2, 8, 8, 3))).shape == (16, 8, 3)
    assert ndnc.image_view(numpy.zeros((2, 8, 8, 3)), multiframe=True).shape == (2, 8, 8, 3)
    assert ndnc.image_view(numpy.zeros((2, 3, 8, 8)), multiframe=True).shape == (6, 8, 8)
    assert ndnc.image_view(numpy.zeros((2, 8, 8, 4)), samples=(1, 3)).shape == (128, 4)
    assert ndnc.image_view(numpy.zeros((2, 8, 8, 3)), samples=(1, 3)).shape == (16, 8, 3)


def test_threads():
    """16 threads sharing one instance give the results of one."""
    codec = ndnc.Zstd(level=3)
    chunks = [numpy.full((64, 64), i, 'u2') + numpy.arange(64, dtype='u2') for i in range(64)]
    expected = [bytes(codec.encode(c)) for c in chunks]
    results = [None] * 16

    def work(k):
        results[k] = [bytes(codec.encode(c)) for c in chunks] == expected and all(
            numpy.array_equal(numpy.frombuffer(codec.decode(e), 'u2').reshape(64, 64), c)
            for e, c in zip(expected, chunks)
        )

    threads = [threading.Thread(target=work, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results)


def test_dask_tokenize():
    tokenize = pytest.importorskip('dask.base').tokenize
    assert tokenize(ndnc.Zstd(level=5)) == tokenize(ndnc.Zstd(level=5))
    assert tokenize(ndnc.Zstd(level=5)) != tokenize(ndnc.Zstd(level=6))


def test_checksum_codec():
    codec = ndnc.Crc32()
    data = numpy.arange(100, dtype='u1')
    encoded = codec.encode(data)
    assert bytes(encoded) == bytes(numcodecs.CRC32().encode(data))
    bad = bytearray(encoded)
    bad[10] ^= 1
    with pytest.raises(ndcodecs.Crc32Error):
        codec.decode(bad)
    with pytest.raises(ValueError):
        ndnc.Crc32(location='middle')


def _fresh(code: str, env=None) -> str:
    return subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True, check=True,
        env={**os.environ, **(env or {})}, cwd='/',
    ).stdout.strip()


def test_entry_points_fresh_interpreter():
    """numcodecs finds ndcodecs ids without ndcodecs being imported first."""
    out = _fresh(
        'import sys, numcodecs\n'
        'assert "ndcodecs" not in sys.modules\n'
        'c = numcodecs.get_codec({"id": "ndcodecs_zstd", "level": 7})\n'
        'print(type(c).__module__, c.level, bytes(c.decode(c.encode(b"abc" * 100)))[:3])\n'
    )
    assert out == "ndcodecs.numcodecs 7 b'abc'"


def test_pyproject_matches_registry():
    """pyproject.toml lists one entry point per registered codec."""
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools', 'entry_points.py'), '--check'],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    from importlib.metadata import entry_points

    eps = {e.name: e.value for e in entry_points(group='numcodecs.codecs') if e.name.startswith('ndcodecs_')}
    assert set(eps) == {f'ndcodecs_{n}' for n in ndcodecs.list_codecs()}
    for name, value in eps.items():
        assert value == f'ndcodecs.numcodecs:{ndnc.class_name(name[9:])}'


# The numcodecs-id drop-ins

DROPINS = {cls.codec_id: cls for cls in numcodecs_ids.CLASSES}


def _numcodecs_class(cls):
    """Return the numcodecs class a drop-in derives from."""
    return next(c for c in cls.__mro__ if c.__module__.startswith('numcodecs.'))


def test_dropins_complete():
    assert set(DROPINS) == {
        'zstd', 'zlib', 'gzip', 'bz2', 'lzma', 'lz4', 'blosc', 'delta', 'fixedscaleoffset',
        'quantize', 'bitround', 'packbits', 'shuffle', 'astype', 'crc32', 'adler32',
        'fletcher32', 'jenkins_lookup3',
    }
    for codec_id, cls in DROPINS.items():
        assert _numcodecs_class(cls).codec_id == cls.codec_id == codec_id


_ARGS = {
    'delta': {'dtype': '<i4'},
    'fixedscaleoffset': {'offset': 1000, 'scale': 10, 'dtype': '<f8', 'astype': '<i4'},
    'quantize': {'digits': 3, 'dtype': '<f8'},
    'bitround': {'keepbits': 10},
    'astype': {'encode_dtype': '<i2', 'decode_dtype': '<i4'},
}


def _reference(codec_id, config):
    """Return numcodecs' own codec for a config."""
    return _numcodecs_class(DROPINS[codec_id])(**config)


def _data_for(codec_id):
    rng = numpy.random.default_rng(1)
    if codec_id in ('fixedscaleoffset', 'quantize'):
        return numpy.linspace(1000, 1001, 5000, dtype='<f8')
    if codec_id == 'bitround':
        return rng.random(5000).astype('f4')
    if codec_id == 'packbits':
        return rng.random(5001) > 0.5
    if codec_id in ('delta', 'astype'):
        return rng.integers(-1000, 1000, 5000, dtype='<i4')
    return numpy.add.outer(numpy.arange(50, dtype='u2') * 31, numpy.arange(100, dtype='u2'))


CONFIGS = [
    ('zstd', {}), ('zstd', {'level': 9}), ('zstd', {'level': 3, 'checksum': True}),
    ('zlib', {}), ('zlib', {'level': 6}), ('gzip', {}), ('gzip', {'level': 9}),
    ('bz2', {}), ('lzma', {}), ('lzma', {'format': 2, 'preset': 1}),
    ('lz4', {}), ('lz4', {'acceleration': 5}),
    ('blosc', {}), ('blosc', {'cname': 'zstd', 'clevel': 3, 'shuffle': 2}),
    ('blosc', {'cname': 'blosclz', 'shuffle': -1, 'blocksize': 2048}),
    ('delta', _ARGS['delta']), ('delta', {'dtype': '<i4', 'astype': '<i8'}),
    ('fixedscaleoffset', _ARGS['fixedscaleoffset']), ('quantize', _ARGS['quantize']),
    ('bitround', _ARGS['bitround']), ('packbits', {}), ('shuffle', {}), ('shuffle', {'elementsize': 2}),
    ('astype', _ARGS['astype']), ('crc32', {}), ('crc32', {'location': 'end'}), ('adler32', {}),
    ('fletcher32', {}), ('jenkins_lookup3', {}), ('jenkins_lookup3', {'initval': 3}),
]

# streams that the drop-ins write byte for byte as numcodecs does
IDENTICAL = {
    'zstd', 'bz2', 'lzma', 'lz4', 'blosc', 'delta', 'fixedscaleoffset', 'quantize', 'bitround',
    'packbits', 'shuffle', 'astype', 'crc32', 'adler32', 'fletcher32', 'jenkins_lookup3',
}


@pytest.mark.parametrize('codec_id,config', CONFIGS, ids=[f'{c}-{i}' for i, (c, _) in enumerate(CONFIGS)])
def test_dropin_parity(codec_id, config):
    """Each drop-in reads numcodecs' streams and numcodecs reads its streams."""
    ours = DROPINS[codec_id](**config)
    ref = _reference(codec_id, config)
    assert ours.get_config() == ref.get_config()
    assert repr(ours) == repr(ref)
    data = _data_for(codec_id)
    precision = {'fixedscaleoffset': 1, 'quantize': 2, 'bitround': 2}.get(codec_id)
    if codec_id != 'bitround':  # numcodecs' BitRound itself takes only float arrays
        check_encode_decode(data, ours, precision=precision)
    check_config(ours)
    if codec_id != 'blosc':  # its repr names constants that check_repr cannot evaluate
        check_repr(repr(ours))  # evaluated as numcodecs' class: the reprs agree
    mine, theirs = ours.encode(data), ref.encode(data)
    if codec_id in IDENTICAL:
        assert _u1(mine).tobytes() == _u1(theirs).tobytes()
    for enc in (mine, theirs):
        numpy.testing.assert_array_equal(_u1(ours.decode(enc)), _u1(ref.decode(enc)))


def _u1(buf):
    return ensure_contiguous_ndarray(buf).view('u1').reshape(-1)


@pytest.mark.parametrize('codec_id', ['zstd', 'zlib', 'gzip', 'bz2', 'lzma', 'lz4', 'blosc',
                                      'crc32', 'adler32', 'fletcher32', 'jenkins_lookup3'])
def test_dropin_corrupt(codec_id):
    """Truncated, garbage and (for checksums) altered streams raise
    RuntimeError or ValueError, as numcodecs' own codecs do."""
    ours = DROPINS[codec_id]()
    enc = bytes(memoryview(ours.encode(_data_for(codec_id))).cast('B'))
    bad = [enc[:3], enc[: len(enc) // 2], b'\x00\xff' * 40]
    if codec_id in ('crc32', 'adler32', 'fletcher32', 'jenkins_lookup3'):
        flipped = bytearray(enc)
        flipped[len(enc) // 2] ^= 1
        bad = [enc[:3], bytes(flipped)]
    for data in bad:
        with pytest.raises((RuntimeError, ValueError)):
            ours.decode(data)


@pytest.mark.parametrize('codec_id', sorted(DROPINS))
def test_dropin_backwards_compatibility(codec_id, monkeypatch):
    """Drop-ins decode the fixture streams that numcodecs wrote
    (tests/data/numcodecs, written by tools/numcodecs_fixtures.py)."""
    folder = os.path.join(FIXTURES, 'fixture', codec_id)
    assert os.path.isdir(folder), f'missing fixtures for {codec_id}'
    configs = []
    for j in range(10):
        path = os.path.join(folder, f'codec.{j:02d}', 'config.json')
        if not os.path.exists(path):
            break
        with open(path) as fh:
            config = json.load(fh)
        config.pop('id')
        configs.append(DROPINS[codec_id](**config))
    precision = {
        'fixedscaleoffset': [0, 1], 'quantize': [0, 2], 'bitround': [2, None],
    }.get(codec_id)
    monkeypatch.chdir(FIXTURES)
    saved = numcodecs.registry.codec_registry.get(codec_id)
    numcodecs.registry.register_codec(DROPINS[codec_id])
    try:
        check_backwards_compatibility(codec_id, [], configs, precision=precision)
    finally:
        numcodecs.registry.register_codec(saved)


def test_register_numcodecs_ids():
    code = (
        'import numcodecs, ndcodecs.numcodecs\n'
        'ndcodecs.numcodecs.register_numcodecs_ids()\n'
        'c = numcodecs.get_codec({"id": "zlib", "level": 5})\n'
        'print(type(c).__module__, type(c).__name__)\n'
    )
    assert _fresh(code) == 'ndcodecs._compat.numcodecs_ids Zlib'


def test_imagecodecs_ids_without_imagecodecs(tmp_path):
    """A zarr store written with imagecodecs' numcodecs codecs is read by
    ndcodecs in an interpreter where imagecodecs cannot be imported."""
    zarr = pytest.importorskip('zarr')
    imagecodecs_numcodecs = pytest.importorskip('imagecodecs.numcodecs')
    imagecodecs_numcodecs.register_codecs()
    arr = numpy.add.outer(numpy.arange(64, dtype='u2') * 50, numpy.arange(48, dtype='u2'))
    stack = numpy.stack([arr, arr + 1, arr * 2])
    path = str(tmp_path / 'ic.zarr')
    root = zarr.open_group(path, mode='w', zarr_format=2)
    root.create_array('zstd', data=stack, chunks=(1, 32, 48),
                      compressors=imagecodecs_numcodecs.Zstd(level=5))
    root.create_array('png', data=stack, chunks=(1, 64, 48),
                      compressors=imagecodecs_numcodecs.Png())
    numpy.save(tmp_path / 'expected.npy', stack)
    code = (
        'import sys, numpy, zarr\n'
        'sys.modules["imagecodecs"] = None\n'
        'import ndcodecs.numcodecs\n'
        f'root = zarr.open_group({path!r}, mode="r")\n'
        f'expected = numpy.load({str(tmp_path / "expected.npy")!r})\n'
        'for name in ("zstd", "png"):\n'
        '    assert numpy.array_equal(root[name][:], expected), name\n'
        'import pickle, numcodecs\n'
        'c = numcodecs.get_codec({"id": "imagecodecs_zstd", "level": 5, "other": 1})\n'
        'assert c.get_config() == {"id": "imagecodecs_zstd", "level": 5, "numthreads": None, "other": 1}\n'
        'assert pickle.loads(pickle.dumps(c)).get_config() == c.get_config()\n'
        'print("ok", "imagecodecs" in sys.modules and sys.modules["imagecodecs"] is not None)\n'
    )
    assert _fresh(code, {'NDCODECS_IMAGECODECS_IDS': '1'}) == 'ok False'
    code = code.replace('import ndcodecs.numcodecs\n',
                        'import ndcodecs.numcodecs\nndcodecs.numcodecs.register_imagecodecs_ids()\n')
    assert _fresh(code) == 'ok False'

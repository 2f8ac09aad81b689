"""ndcodecs.zarr: zarr 3 codecs from the registry; zarr format 2 through
ndcodecs.numcodecs; batches, corrupt chunks and threads."""

import pickle
import subprocess
import sys
import threading

import numpy
import pytest

import ndcodecs

zarr = pytest.importorskip('zarr', minversion='3', reason='zarr 3 is not installed')
ndzarr = pytest.importorskip('ndcodecs.zarr')
ndnc = pytest.importorskip('ndcodecs.numcodecs')
import numcodecs  # noqa: E402

from zarr.abc.codec import ArrayArrayCodec, ArrayBytesCodec, BytesBytesCodec  # noqa: E402

from test_numcodecs import REQUIRED, close, codecs, sample  # noqa: E402

FAMILY = {
    'compressor': BytesBytesCodec, 'checksum': BytesBytesCodec,
    'image': ArrayBytesCodec, 'array': ArrayBytesCodec, 'filter': ArrayArrayCodec,
}


def zarr_args(name):
    """Return the required parameters of a codec less what zarr 3 passes."""
    return {k: v for k, v in REQUIRED.get(name, {}).items()
            if k not in ('shape', 'dtype') or ndcodecs.get_codec(name).kind == 'filter'}


def _codec_args(codec):
    """Return zarr.create_array arguments placing a zarr 3 codec."""
    family = FAMILY[ndcodecs.get_codec(codec.registry_codec.name).kind]
    if family is ArrayBytesCodec:
        return {'serializer': codec, 'compressors': None}
    if family is ArrayArrayCodec:
        return {'filters': [codec], 'compressors': None}
    return {'compressors': [codec]}


@pytest.mark.parametrize('name', codecs())
def test_class_to_dict(name):
    cls = getattr(ndzarr, ndnc.class_name(name))
    assert issubclass(cls, FAMILY[ndcodecs.get_codec(name).kind])
    codec = cls(**zarr_args(name))
    d = codec.to_dict()
    assert d['name'] == f'ndcodecs.{name}'
    assert set(d['configuration']) == set(ndnc.parameters(ndcodecs.get_codec(name)))
    again = cls.from_dict(d)
    assert again == codec and hash(again) == hash(codec)
    assert pickle.loads(pickle.dumps(codec)) == codec
    assert pickle.dumps(codec) == pickle.dumps(again)
    assert zarr.registry.get_codec_class(d['name']) is cls


def _write_read(path, arr, zarr_format, **kwargs):
    a = zarr.create_array(path, shape=arr.shape, dtype=arr.dtype, chunks=(12, 16, *arr.shape[2:]),
                          zarr_format=zarr_format, fill_value=0, **kwargs)
    a[:] = arr
    return zarr.open_array(path, mode='r')[:]


@pytest.mark.parametrize('name', codecs())
def test_write_read_format3(name, tmp_path):
    c = ndcodecs.get_codec(name)
    if not c.can_encode and c.kind != 'checksum':
        pytest.skip(f'{name} cannot encode')
    nc_codec, arr = sample(name)
    codec = getattr(ndzarr, ndnc.class_name(name))(**zarr_args(name))
    if c.kind == 'filter':
        encoded = numpy.asarray(nc_codec.encode(arr))
        if encoded.nbytes != arr.nbytes:
            with pytest.raises(c.error, match='changes the size'):
                _write_read(str(tmp_path / 'a.zarr'), arr, 3, **_codec_args(codec))
            return
    result = _write_read(str(tmp_path / 'a.zarr'), arr, 3, **_codec_args(codec))
    assert close(result, arr, name)


@pytest.mark.parametrize('name', codecs())
def test_write_read_format2(name, tmp_path):
    c = ndcodecs.get_codec(name)
    if not c.can_encode and c.kind != 'checksum':
        pytest.skip(f'{name} cannot encode')
    codec, arr = sample(name)
    if 'shape' in REQUIRED.get(name, {}):  # a shapeless stream: the chunk shape
        codec = numcodecs.get_codec({**codec.get_config(), 'shape': [12, 16]})
    if c.kind == 'filter':
        if 'dtype' in ndnc.parameters(c):
            config = codec.get_config()
        else:  # zarr format 2 hands filters bytes: they need the dtype
            config = {**codec.get_config(), 'dtype': arr.dtype.str}
        codec = numcodecs.get_codec(config)
        kwargs = {'filters': [codec], 'compressors': None}
    else:
        kwargs = {'compressors': codec}
    result = _write_read(str(tmp_path / 'a.zarr'), arr, 2, **kwargs)
    assert close(result, arr, name)


@pytest.mark.parametrize('zarr_format', [2, 3])
def test_png_stack(zarr_format, tmp_path):
    """A 3-D uint16 stack in (1, 256, 256) chunks through png, with
    partial chunks at the edges."""
    stack = (numpy.arange(3 * 300 * 280, dtype='u4') * 2654435761 % 4096).astype('u2').reshape(3, 300, 280)
    codec = ndzarr.Png() if zarr_format == 3 else ndnc.Png()
    args = {'serializer': codec, 'compressors': None} if zarr_format == 3 else {'compressors': codec}
    a = zarr.create_array(str(tmp_path / 's.zarr'), shape=stack.shape, dtype='u2',
                          chunks=(1, 256, 256), zarr_format=zarr_format, **args)
    a[:] = stack
    numpy.testing.assert_array_equal(zarr.open_array(str(tmp_path / 's.zarr'), mode='r')[:], stack)
    chunk = (tmp_path / 's.zarr' / ('c/0/0/0' if zarr_format == 3 else '0.0.0')).read_bytes()
    assert ndcodecs.png_check(chunk)


@pytest.mark.parametrize('batch_size', [1, 16])
def test_batches(batch_size, tmp_path):
    """Batched and single-chunk pipelines write the same chunks and read
    the same array."""
    arr = numpy.add.outer(numpy.arange(200, dtype='u2') * 13, numpy.arange(150, dtype='u2'))
    with zarr.config.set({'codec_pipeline.batch_size': batch_size}):
        a = zarr.create_array(str(tmp_path / 'b.zarr'), shape=arr.shape, dtype='u2', chunks=(32, 32),
                              compressors=[ndzarr.Zstd(level=3), ndzarr.Crc32()])
        a[:] = arr
        numpy.testing.assert_array_equal(zarr.open_array(str(tmp_path / 'b.zarr'))[:], arr)
    chunk = (tmp_path / 'b.zarr' / 'c' / '1' / '2').read_bytes()
    expected = ndcodecs.zstd_encode(numpy.ascontiguousarray(arr[32:64, 64:96]), 3)
    assert chunk[4:] == expected


@pytest.mark.parametrize('zarr_format', [2, 3])
@pytest.mark.parametrize('batch_size', [1, 8])
def test_corrupt_chunk(zarr_format, batch_size, tmp_path):
    """A corrupt chunk raises an error naming the codec."""
    arr = numpy.arange(64 * 64, dtype='u2').reshape(64, 64)
    path = tmp_path / 'c.zarr'
    codec = ndzarr.Zstd() if zarr_format == 3 else ndnc.Zstd()
    a = zarr.create_array(str(path), shape=arr.shape, dtype='u2', chunks=(16, 16),
                          zarr_format=zarr_format, compressors=codec)
    a[:] = arr
    key = path / ('c/1/1' if zarr_format == 3 else '1.1')
    data = bytearray(key.read_bytes())
    data[8:] = b'\xff' * (len(data) - 8)
    key.write_bytes(bytes(data))
    with zarr.config.set({'codec_pipeline.batch_size': batch_size}):
        with pytest.raises(ndcodecs.ZstdError, match='zstd'):
            zarr.open_array(str(path))[:]
        numpy.testing.assert_array_equal(zarr.open_array(str(path))[:16, :16], arr[:16, :16])


def test_threads(tmp_path):
    """16 threads reading one array give identical results."""
    arr = numpy.add.outer(numpy.arange(256, dtype='u2') * 7, numpy.arange(256, dtype='u2'))
    a = zarr.create_array(str(tmp_path / 't.zarr'), shape=arr.shape, dtype='u2', chunks=(32, 32),
                          compressors=ndzarr.Blosc(compressor='zstd', level=3))
    a[:] = arr
    a = zarr.open_array(str(tmp_path / 't.zarr'), mode='r')
    results = [None] * 16

    def work(k):
        results[k] = all(numpy.array_equal(a[:], arr) for _ in range(3))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results)


def test_sync_and_async_methods():
    import asyncio

    from zarr.core.array_spec import ArrayConfig, ArraySpec
    from zarr.core.buffer import default_buffer_prototype
    from zarr.core.dtype import get_data_type_from_native_dtype

    spec = ArraySpec(shape=(8, 8), dtype=get_data_type_from_native_dtype(numpy.dtype('u2')),
                     fill_value=0, config=ArrayConfig(order='C', write_empty_chunks=True),
                     prototype=default_buffer_prototype())
    codec = ndzarr.Zstd(level=1)
    raw = spec.prototype.buffer.from_bytes(numpy.arange(64, dtype='u2').tobytes())
    enc = codec._encode_sync(raw, spec)
    assert codec._decode_sync(enc, spec).to_bytes() == raw.to_bytes()
    enc2 = asyncio.run(codec._encode_single(raw, spec))
    assert enc2.to_bytes() == enc.to_bytes()
    many = asyncio.run(codec.decode([(enc, spec), (None, spec), (enc2, spec)]))
    assert many[1] is None and many[0].to_bytes() == many[2].to_bytes() == raw.to_bytes()


def test_entry_points_fresh_interpreter(tmp_path):
    """zarr opens an array written with ndcodecs codecs without an import
    of ndcodecs, through the zarr.codecs entry points."""
    path = str(tmp_path / 'e.zarr')
    a = zarr.create_array(path, shape=(10, 10), dtype='i4', chunks=(5, 5),
                          compressors=ndzarr.Lz4(level=2))
    a[:] = numpy.arange(100).reshape(10, 10)
    code = (
        'import sys, zarr\n'
        f'a = zarr.open_array({path!r})\n'
        'print(int(a[:].sum()), a.metadata.codecs[-1].to_dict()["name"])\n'
    )
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         check=True, cwd='/').stdout.strip()
    assert out == '4950 ndcodecs.lz4'


def test_entry_points_match_registry():
    from importlib.metadata import entry_points

    eps = {e.name: e.value for e in entry_points(group='zarr.codecs') if e.name.startswith('ndcodecs.')}
    assert eps == {f'ndcodecs.{n}': f'ndcodecs.zarr:{ndnc.class_name(n)}' for n in ndcodecs.list_codecs()}


def test_register_codecs_idempotent():
    ndzarr.register_codecs()
    assert zarr.registry.get_codec_class('ndcodecs.zstd') is ndzarr.Zstd

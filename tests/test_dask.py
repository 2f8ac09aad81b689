"""dask.array with ndcodecs codecs on a local cluster of 2 worker processes."""

import numpy
import pytest

da = pytest.importorskip('dask.array', reason='dask[array] is not installed')
distributed = pytest.importorskip('distributed', reason='distributed is not installed')
zarr = pytest.importorskip('zarr', minversion='3', reason='zarr 3 is not installed')


@pytest.fixture(scope='module')
def client():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        worker_dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.mark.parametrize('zarr_format', [2, 3])
def test_to_zarr_from_zarr(client, tmp_path, zarr_format):
    """Workers write and read chunks through ndcodecs codecs."""
    import ndcodecs.numcodecs
    import ndcodecs.zarr

    rng = numpy.random.default_rng(0)
    data = numpy.cumsum(rng.integers(0, 8, (4, 128, 96)), axis=2).astype('u2')
    arr = da.from_array(data, chunks=(1, 64, 48))
    path = str(tmp_path / f'd{zarr_format}.zarr')
    if zarr_format == 3:
        kwargs = {'serializer': ndcodecs.zarr.Png(), 'compressors': None}
    else:
        kwargs = {'compressors': ndcodecs.numcodecs.Zstd(level=5)}
    z = zarr.create_array(path, shape=data.shape, dtype='u2', chunks=(1, 64, 48),
                          zarr_format=zarr_format, **kwargs)
    da.to_zarr(arr, z, compute=True)
    back = da.from_zarr(path)
    assert back.dtype == data.dtype
    total = client.compute((back.astype('u8') * 3).sum()).result()
    assert total == int(data.astype('u8').sum()) * 3
    numpy.testing.assert_array_equal(client.compute(back).result(), data)
    # the workers used ndcodecs
    assert all(client.run(lambda: 'ndcodecs' in __import__('sys').modules).values())


def test_corrupt_chunk_on_worker(client, tmp_path):
    """A corrupt chunk fails the task with the codec's error; the worker lives."""
    import ndcodecs.zarr

    path = tmp_path / 'bad.zarr'
    z = zarr.create_array(str(path), shape=(64, 64), dtype='u2', chunks=(32, 32),
                          compressors=ndcodecs.zarr.Lz4())
    z[:] = numpy.arange(64 * 64, dtype='u2').reshape(64, 64)
    (path / 'c' / '0' / '1').write_bytes(b'\xff' * 64)
    workers = set(client.scheduler_info()['workers'])
    with pytest.raises(ndcodecs.Lz4Error, match='lz4'):
        client.compute(da.from_zarr(str(path)).sum()).result()
    assert set(client.scheduler_info()['workers']) == workers

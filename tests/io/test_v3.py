"""The v3 functions: imread, imwrite, imiter, improps, immeta, imopen."""

import concurrent.futures

import numpy
import pytest

import ndcodecs
from iohelpers import rgb, stack
from ndcodecs.io import ImageProperties

imagecodecs = pytest.importorskip('imagecodecs')


@pytest.mark.parametrize('shape', [(1, 1), (1, 17), (3, 5), (4097, 3), (37, 53, 3), (9, 8, 4), (6, 5, 2)])
@pytest.mark.parametrize('dtype', ['uint8', 'uint16'])
def test_png_round_trip(tmp_path, shape, dtype):
    image = rgb(shape, dtype)
    path = tmp_path / 'x.png'
    ndcodecs.imwrite(path, image)
    assert numpy.array_equal(ndcodecs.imread(path), image)


@pytest.mark.parametrize('ext', ['.npy', '.npz'])
@pytest.mark.parametrize('dtype', ['uint8', 'int32', 'float64'])
def test_numpy_round_trip(tmp_path, ext, dtype):
    image = rgb((13, 9, 3), 'uint8').astype(dtype)
    path = tmp_path / f'x{ext}'
    ndcodecs.imwrite(path, image)
    assert numpy.array_equal(ndcodecs.imread(path), image)


def test_function_level_signature(tmp_path):
    path = tmp_path / 'x.png'
    ndcodecs.imwrite(path, rgb(), 'png')  # positional codec, as imagecodecs
    image, codec = ndcodecs.imread(path, 'png', return_codec=True)
    assert codec is ndcodecs.png_decode and numpy.array_equal(image, rgb())
    assert numpy.array_equal(ndcodecs.imread(path, codec=['npy', 'png']), rgb())
    assert numpy.array_equal(ndcodecs.imread(path, extension='.png'), rgb())
    assert numpy.array_equal(ndcodecs.imread(path, ndcodecs.png_decode), rgb())
    with pytest.raises(TypeError):
        ndcodecs.imread(path, 'png', format='png')


def test_decode_arguments_reach_the_codec(tmp_path):
    with pytest.raises(ndcodecs.CodecError, match="unexpected keyword argument 'nosuch'"):
        ndcodecs.imread(ndcodecs.imwrite('<bytes>', rgb(), format='png'), format='png', nosuch=1)
    data = ndcodecs.imwrite('<bytes>', rgb(), format='png', level=1)
    assert data != ndcodecs.imwrite('<bytes>', rgb(), format='png', level=9)


def test_parity_with_imagecodecs(tmp_path):
    """imagecodecs reads what ndcodecs writes, and the other way round."""
    for ext, image in (('.png', rgb()), ('.png', rgb((20, 30), 'uint16')), ('.npy', stack(3))):
        ours, theirs = tmp_path / f'ours{ext}', tmp_path / f'theirs{ext}'
        ndcodecs.imwrite(ours, image)
        imagecodecs.imwrite(theirs, image)
        assert numpy.array_equal(imagecodecs.imread(ours), image)
        assert numpy.array_equal(ndcodecs.imread(theirs), image)


def test_imiter_is_lazy(monkeypatch):
    data = ndcodecs.mimwrite('<bytes>', stack(5), format='npy')
    frames = ndcodecs.imiter(data)
    first = next(frames)
    assert first.shape == (24, 31) and first.base is None or first.base.nbytes <= first.nbytes
    assert len(list(frames)) == 4


def test_improps_and_immeta():
    data = ndcodecs.mimwrite('<bytes>', stack(4), format='npy')
    assert ndcodecs.improps(data) == ImageProperties((4, 24, 31), numpy.dtype('uint16'), 4, True)
    assert ndcodecs.improps(data, index=1) == ImageProperties((24, 31), numpy.dtype('uint16'))
    meta = ndcodecs.immeta(data)
    assert meta['codec'] == 'numpy' and meta['shape'] == (4, 24, 31)
    meta = ndcodecs.immeta('ndcodecs:astronaut.png')
    assert meta['codec'] == 'png' and meta['compression'] == 'deflate'


def test_imopen(tmp_path):
    path = tmp_path / 'frames.npy'
    with ndcodecs.imopen(path, 'w') as writer:
        for frame in stack(3):
            writer.write(frame)
    with ndcodecs.imopen(path, 'r') as reader:
        assert reader.codec.name == 'numpy'
        assert reader.shape == (3, 24, 31) and reader.n_frames == 3
        assert numpy.array_equal(reader.read(), stack(3))
        assert numpy.array_equal(reader[1], stack(3)[1])
        assert reader.metadata()['dtype'] == 'uint16'
        assert reader.properties(index=...).n_images == 3
    with pytest.raises(ValueError):
        ndcodecs.imopen(path, 'x')


def test_memory_limit_applies():
    data = ndcodecs.imwrite('<bytes>', rgb(), format='png')
    ndcodecs.set_max_output(100)
    try:
        with pytest.raises(ndcodecs.CodecError):
            ndcodecs.imread(data)
    finally:
        ndcodecs.set_max_output(1 << 30)


def test_threads(tmp_path):
    paths = []
    for k in range(8):
        path = tmp_path / f'{k}.png'
        ndcodecs.imwrite(path, rgb(seed=k))
        paths.append(path)
    single = [ndcodecs.imread(p) for p in paths]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(ndcodecs.imread, paths * 4))
    assert all(numpy.array_equal(a, b) for a, b in zip(results, single * 4))


def test_top_level_names():
    import ndcodecs.io

    for name in ndcodecs.io.__all__:
        if name in ndcodecs.__all__:
            assert getattr(ndcodecs, name) is getattr(ndcodecs.io, name)
    assert ndcodecs.imread is ndcodecs.io.imread


def test_mutated_files_raise_codec_errors():
    """Flipped, cut and extended PNG, NPY and NPZ files raise CodecError or
    IndexError from every function, nothing else."""
    import random

    rng = random.Random(5)
    seeds = [
        ndcodecs.imwrite('<bytes>', rgb((9, 11, 3), 'uint8'), format='png'),
        ndcodecs.mimwrite('<bytes>', stack(3), format='npy'),
        ndcodecs.mimwrite('<bytes>', stack(2), format='npz'),
    ]
    for _ in range(300):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.5 and data:
                data[rng.randrange(len(data))] = rng.randrange(256)
            elif rng.random() < 0.5:
                data = data[:rng.randrange(len(data) + 1)]
            else:
                data += bytes(rng.randrange(256) for _ in range(rng.randrange(9)))
        data = bytes(data)
        for call in (
            lambda: ndcodecs.imread(data, index=rng.choice([None, 0, 2, ...])),
            lambda: ndcodecs.improps(data, index=rng.choice([None, 0, ...])),
            lambda: ndcodecs.immeta(data),
            lambda: list(ndcodecs.imiter(data)),
        ):
            try:
                call()
            except (ndcodecs.CodecError, IndexError):
                pass

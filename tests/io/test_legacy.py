"""The imageio v2 names and the .meta of the arrays they return."""

import numpy
import pytest

import ndcodecs
from iohelpers import rgb, stack
from ndcodecs.io import legacy


@pytest.mark.parametrize('value, expected', [
    ('1kB', 1000), ('250MiB', 250 << 20), ('256MB', 256_000_000), ('1.5 GB', 1_500_000_000),
    ('2KiB', 2048), (1000, 1000), ('77', 77), (None, None), (False, None), (True, 256_000_000),
])
def test_parse_size(value, expected):
    assert legacy.parse_size(value, 256_000_000) == expected


@pytest.mark.parametrize('value', ['lots', '1XB', '-5MB', ''])
def test_parse_size_invalid(value):
    with pytest.raises(ValueError):
        legacy.parse_size(value, 0)


def test_mimread_and_memtest(tmp_path):
    path = tmp_path / 'frames.npy'
    ndcodecs.mimwrite(path, stack(4))
    frames = ndcodecs.mimread(path)
    assert len(frames) == 4 and numpy.array_equal(numpy.stack(frames), stack(4))
    assert frames[0].meta['codec'] == 'numpy'
    with pytest.raises(RuntimeError, match='memtest'):
        ndcodecs.mimread(path, memtest='3kB')  # each frame is 1488 bytes
    assert len(ndcodecs.mimread(path, memtest=False)) == 4


def test_volumes(tmp_path):
    volume = stack(5)
    path = tmp_path / 'vol.npy'
    assert ndcodecs.volwrite(path, volume) is None
    result = ndcodecs.volread(path)
    assert numpy.array_equal(result, volume) and result.meta['shape'] == volume.shape
    volumes = ndcodecs.mvolread(path)
    assert len(volumes) == 1 and numpy.array_equal(volumes[0], volume)
    data = ndcodecs.mvolwrite('<bytes>', [volume, volume + 1], format='npz')
    volumes = ndcodecs.mvolread(data)
    assert len(volumes) == 2 and numpy.array_equal(volumes[1], volume + 1)
    with pytest.raises(ValueError):
        ndcodecs.volwrite(path, rgb((4, 4), 'uint8'))


def test_get_reader(tmp_path):
    path = tmp_path / 'frames.npy'
    ndcodecs.mimwrite(path, stack(3))
    with ndcodecs.get_reader(path) as reader:
        assert reader.get_length() == len(reader) == 3
        assert reader.format.name == 'numpy'
        assert numpy.array_equal(reader.get_data(2), stack(3)[2])
        assert reader.get_data(0).meta['dtype'] == 'uint16'
        assert reader.get_meta_data()['shape'] == (3, 24, 31)
        assert [f.shape for f in reader.iter_data()] == [(24, 31)] * 3
        assert numpy.array_equal(reader.get_next_data(), stack(3)[0])
        assert numpy.array_equal(reader.get_next_data(), stack(3)[1])
        reader.set_image_index(0)
        assert numpy.array_equal(reader.get_next_data(), stack(3)[0])
        with pytest.raises(IndexError):
            reader.set_image_index(9)
    with ndcodecs.get_reader(path, mode='v') as reader:
        assert reader.get_length() == 1 and reader.get_data(0).shape == (3, 24, 31)
    with pytest.raises(ValueError):
        ndcodecs.get_reader(path, mode='x')


def test_get_writer(tmp_path):
    path = tmp_path / 'out.npy'
    with ndcodecs.get_writer(path) as writer:
        writer.set_meta_data({'note': 'kept'})
        for frame in stack(2):
            writer.append_data(frame, meta={'frame': True})
        assert writer.get_meta_data() == {'note': 'kept', 'frame': True}
    assert writer.closed
    assert numpy.array_equal(numpy.load(path), stack(2))
    with pytest.raises(TypeError):
        writer.set_meta_data('x')
    data = ndcodecs.get_writer('<bytes>', format='png')
    data.append_data(rgb())
    assert data.close().startswith(b'\x89PNG')


def test_mimwrite_returns_bytes():
    data = ndcodecs.mimwrite('<bytes>', stack(2), format='npy')
    assert isinstance(data, bytes)
    assert numpy.array_equal(ndcodecs.imread(data), stack(2))


def test_array_meta_survives_views():
    array = legacy.Array(numpy.zeros((3, 4)), {'a': 1})
    assert array[1:].meta == {'a': 1}
    assert legacy.Array(numpy.zeros(2)).meta == {}


def test_help_and_show_formats(capsys):
    ndcodecs.show_formats()
    out = capsys.readouterr().out
    assert 'png' in out and '.npy' in out and 'zstd' not in out
    ndcodecs.io.help('png')
    out = capsys.readouterr().out
    assert out.startswith('png: ') and 'png_decode' in out
    ndcodecs.io.help('.npz')
    assert capsys.readouterr().out.startswith('numpy: ')

"""ndcodecs as an imageio v3 plugin."""

import subprocess
import sys

import numpy
import pytest

import ndcodecs
from iohelpers import rgb, stack

iio = pytest.importorskip('imageio.v3', reason='the imageio plugin needs imageio')


@pytest.mark.parametrize('first', ['imageio', 'ndcodecs.io'])
def test_registered_on_import(first):
    """Registered whichever of imageio and ndcodecs.io is imported first,
    and importing ndcodecs.io alone does not import imageio."""
    second = 'ndcodecs.io' if first == 'imageio' else 'imageio'
    code = (
        f'import sys, {first}; '
        'assert "imageio" not in sys.modules or "ndcodecs.io" not in sys.modules '
        'or "ndcodecs" in sys.modules["imageio.config"].known_plugins; '
        f'import {second}, imageio.v3 as iio, imageio.config as c; '
        'assert "ndcodecs" in c.known_plugins; '
        'from ndcodecs._samples import sample_path; '
        'print(iio.imread(sample_path("camera"), plugin="ndcodecs").shape)'
    )
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == '(512, 512)'
    out = subprocess.run(
        [sys.executable, '-c', 'import sys, ndcodecs.io; print("imageio" in sys.modules)'],
        capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == 'False'


def test_read(tmp_path):
    import ndcodecs.io  # noqa: F401  registers the plugin

    path = tmp_path / 'x.png'
    ndcodecs.imwrite(path, rgb())
    assert numpy.array_equal(iio.imread(path, plugin='ndcodecs'), rgb())
    assert numpy.array_equal(iio.imread(path.read_bytes(), plugin='ndcodecs'), rgb())
    props = iio.improps(path, plugin='ndcodecs')
    assert props.shape == rgb().shape and props.dtype == numpy.uint8
    assert iio.immeta(path, plugin='ndcodecs')['codec'] == 'png'


def test_frames(tmp_path):
    import ndcodecs.io  # noqa: F401

    path = tmp_path / 'frames.npy'
    ndcodecs.mimwrite(path, stack(3))
    assert numpy.array_equal(iio.imread(path, plugin='ndcodecs', index=1), stack(3)[1])
    assert numpy.array_equal(iio.imread(path, plugin='ndcodecs', index=...), stack(3))
    assert len(list(iio.imiter(path, plugin='ndcodecs'))) == 3


def test_write(tmp_path):
    from ndcodecs.io.imageio_plugin import NdcodecsPlugin

    data = iio.imwrite('<bytes>', rgb(), plugin='ndcodecs', extension='.png')
    assert numpy.array_equal(ndcodecs.imread(data), rgb())
    path = tmp_path / 'y.npy'
    iio.imwrite(path, stack(2), plugin=NdcodecsPlugin, is_batch=True)
    assert numpy.array_equal(numpy.load(path), stack(2))


def test_cannot_handle(tmp_path):
    import ndcodecs.io  # noqa: F401

    path = tmp_path / 'noise.png'
    path.write_bytes(b'not an image')
    with pytest.raises(OSError, match='can not handle'):
        iio.imread(path, plugin='ndcodecs')

"""The bundled samples."""

import numpy
import pytest

import ndcodecs


def test_sample_names():
    names = ndcodecs.sample_names()
    assert {'camera', 'astronaut', 'microscopy16', 'field32'} <= set(names)


def test_scientific_samples():
    image = ndcodecs.sample('microscopy16')
    assert image.dtype == numpy.uint16 and image.shape == (512, 512)
    assert 0 < image.min() < 200 and image.max() <= 4095
    field = ndcodecs.sample('field32.npy')
    assert field.dtype == numpy.float32 and field.shape == (256, 256)
    assert numpy.isfinite(field).all()
    # smooth: neighbours differ little compared with the range
    assert numpy.abs(numpy.diff(field, axis=1)).max() < 0.05 * numpy.ptp(field)


def test_image_samples():
    if not (ndcodecs.has_codec('png') and ndcodecs.get_codec('png').available):
        pytest.skip('no png codec')
    camera = ndcodecs.sample('camera')
    assert camera.shape == (512, 512) and camera.dtype == numpy.uint8
    assert ndcodecs.sample('astronaut').shape == (512, 512, 3)


def test_raw_and_unknown():
    assert ndcodecs.sample('microscopy16', raw=True)[:6] == b'\x93NUMPY'
    with pytest.raises(ValueError, match='no sample'):
        ndcodecs.sample('nothing')


def test_total_size():
    from ndcodecs._samples import _folder

    assert sum(p.stat().st_size for p in _folder().iterdir()) < 5 << 20

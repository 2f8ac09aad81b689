"""pcodec through the optional pcodec package."""

import numpy
import pytest

import ndcodecs

pytest.importorskip('pcodec')

from ndcodecs import PcodecError, pcodec_check, pcodec_decode, pcodec_encode  # noqa: E402


@pytest.mark.parametrize('dtype', ['u2', 'i2', 'u4', 'i4', 'f4', 'u8', 'i8', 'f8', 'f2', '>f4'])
@pytest.mark.parametrize('shape', [(1,), (1000,), (31, 17), (2, 3, 4, 5)])
def test_roundtrip(dtype, shape):
    rng = numpy.random.default_rng(0)
    array = (rng.normal(100, 10, shape)).astype(dtype)
    encoded = pcodec_encode(array)
    assert pcodec_check(encoded)
    decoded = pcodec_decode(encoded, shape=shape, dtype=array.dtype.newbyteorder('='))
    numpy.testing.assert_array_equal(decoded, array)
    flat = pcodec_decode(encoded, dtype=array.dtype.newbyteorder('='))
    numpy.testing.assert_array_equal(flat, array.reshape(-1))


def test_levels_and_pages():
    field = ndcodecs.sample('field32')
    sizes = [len(pcodec_encode(field, level)) for level in (0, 4, 8, 12)]
    assert sizes[0] >= sizes[-1]
    encoded = pcodec_encode(field, pagesize=1000)
    numpy.testing.assert_array_equal(pcodec_decode(encoded, shape=field.shape, dtype='f4'), field)


def test_out():
    array = numpy.arange(1000, dtype='i4')
    out = numpy.empty(1000, 'i4')
    assert pcodec_decode(pcodec_encode(array), out=out) is out
    numpy.testing.assert_array_equal(out, array)


def test_imagecodecs_parity():
    imagecodecs = pytest.importorskip('imagecodecs')
    if not imagecodecs.PCODEC.available:
        pytest.skip('imagecodecs has no pcodec')
    array = ndcodecs.sample('microscopy16')
    theirs = imagecodecs.pcodec_encode(array)
    numpy.testing.assert_array_equal(pcodec_decode(theirs, shape=array.shape, dtype='u2'), array)
    numpy.testing.assert_array_equal(
        imagecodecs.pcodec_decode(pcodec_encode(array), shape=array.shape, dtype='u2'), array
    )


def test_bad_input():
    array = numpy.arange(1000, dtype='f8')
    encoded = pcodec_encode(array)
    with pytest.raises(ValueError):
        pcodec_decode(encoded)  # no dtype
    with pytest.raises(PcodecError):
        pcodec_decode(encoded, dtype='i4')
    with pytest.raises(PcodecError):
        pcodec_decode(encoded, shape=(10,), dtype='f8')
    with pytest.raises(PcodecError):
        pcodec_decode(encoded, shape=(10**12,), dtype='f8')
    for bad in (b'', b'pco!', encoded[:10], b'xxxx' + encoded[4:]):
        with pytest.raises(PcodecError):
            pcodec_decode(bad, dtype='f8')
    with pytest.raises(ValueError):
        pcodec_encode(numpy.array(5.0))
    with pytest.raises(ValueError):
        pcodec_encode(b'bytes')
    constant = numpy.zeros(10**7, 'f8')
    with pytest.raises(PcodecError, match='max_output'):
        pcodec_decode(pcodec_encode(constant), dtype='f8', max_output=1 << 20)

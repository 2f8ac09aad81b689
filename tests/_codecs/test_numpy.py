"""NPY and NPZ through numpy_encode and numpy_decode."""

import io

import numpy
import pytest

from ndcodecs import NumpyError, numpy_check, numpy_decode, numpy_encode


@pytest.mark.parametrize('dtype', ['u1', '<u2', '>i4', 'f4', 'f8', 'c8', '?'])
@pytest.mark.parametrize('shape', [(0,), (1,), (3, 5), (2, 3, 4), ()])
def test_roundtrip(dtype, shape):
    array = (numpy.arange(int(numpy.prod(shape))) % 7).astype(dtype).reshape(shape)
    for level in (None, 5):
        decoded = numpy_decode(numpy_encode(array, level))
        assert decoded.dtype == array.dtype and decoded.shape == array.shape
        numpy.testing.assert_array_equal(decoded, array)
        assert decoded.flags.writeable


def test_fortran_order_and_numpy_load():
    array = numpy.asfortranarray(numpy.arange(12, dtype='u2').reshape(3, 4))
    encoded = numpy_encode(array)
    numpy.testing.assert_array_equal(numpy_decode(encoded), array)
    numpy.testing.assert_array_equal(numpy.load(io.BytesIO(encoded)), array)
    fh = io.BytesIO()
    numpy.save(fh, array)
    numpy.testing.assert_array_equal(numpy_decode(fh.getvalue()), array)


def test_npz_members():
    fh = io.BytesIO()
    numpy.savez(fh, a=numpy.arange(3), b=numpy.ones((2, 2)))
    data = fh.getvalue()
    assert numpy_check(data) is None
    numpy.testing.assert_array_equal(numpy_decode(data), numpy.arange(3))
    numpy.testing.assert_array_equal(numpy_decode(data, 1), numpy.ones((2, 2)))
    numpy.testing.assert_array_equal(numpy_decode(data, 'b'), numpy.ones((2, 2)))
    with pytest.raises(NumpyError):
        numpy_decode(data, 'c')


def test_out():
    array = numpy.arange(10, dtype='f4')
    out = numpy.empty(10, 'f4')
    assert numpy_decode(numpy_encode(array), out=out) is out
    numpy.testing.assert_array_equal(out, array)


def test_imagecodecs_parity():
    imagecodecs = pytest.importorskip('imagecodecs')
    array = numpy.arange(24, dtype='u2').reshape(4, 6)
    numpy.testing.assert_array_equal(imagecodecs.numpy_decode(numpy_encode(array)), array)
    numpy.testing.assert_array_equal(numpy_decode(imagecodecs.numpy_encode(array, 3)), array)


def test_bad_input():
    array = numpy.arange(1000, dtype='u4')
    encoded = numpy_encode(array)
    assert numpy_check(encoded) is True
    assert numpy_check(b'abc') is False
    for bad in (b'', b'abc', encoded[:20], encoded[:-1], encoded + b'x'):
        with pytest.raises(NumpyError):
            numpy_decode(bad)
    huge = encoded.replace(b"(1000,)", b"(100000000000,)")
    with pytest.raises(NumpyError):
        numpy_decode(huge)
    with pytest.raises(TypeError):
        numpy_decode('text')
    with pytest.raises(ValueError):
        numpy_encode(numpy.array([object()]))
    fh = io.BytesIO()
    numpy.save(fh, numpy.array([{}], dtype=object), allow_pickle=True)
    with pytest.raises(NumpyError, match='objects'):
        numpy_decode(fh.getvalue())

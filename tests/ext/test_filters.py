"""Tests of the array filters of _filters.pyx: delta, xor, floatpred, byteshuffle."""

import threading

import numpy
import pytest

import ndcodecs
from common import assert_releases_gil

imagecodecs = pytest.importorskip('imagecodecs')

pytestmark = pytest.mark.skipif(
    not ndcodecs.get_codec('delta').available, reason='_filters not built'
)

DTYPES = ['u1', 'i1', 'u2', 'i2', 'u4', 'i4', 'u8', 'i8', 'f2', 'f4', 'f8',
          '>u2', '>i4', '>u8', '>f2', '>f4', '>f8']
SHAPES = [(1,), (7,), (1, 1), (5, 6), (3, 1, 5), (3, 4, 5), (2, 3, 1, 5), (2, 3, 4, 5)]
NAMES = ['delta', 'xor', 'floatpred', 'byteshuffle']


def array(shape, dtype, seed=0):
    rng = numpy.random.default_rng(seed)
    dtype = numpy.dtype(dtype)
    if dtype.kind == 'f':
        return (rng.normal(100, 30, shape)).astype(dtype)
    info = numpy.iinfo(dtype)
    return rng.integers(info.min, info.max, shape, dtype=dtype.newbyteorder('=')).astype(dtype)


def kwargs(name, shape):
    """Yield the parameter sets of filter `name`."""
    for axis in range(-len(shape), len(shape)):
        if name == 'xor':
            yield {'axis': axis}
            continue
        for dist in (1, 2, 3):
            if name == 'byteshuffle':
                for delta in (False, True):
                    for reorder in (False, True):
                        yield {'axis': axis, 'dist': dist, 'delta': delta, 'reorder': reorder}
            else:
                yield {'axis': axis, 'dist': dist}


def funcs(name, module=ndcodecs):
    return getattr(module, name + '_encode'), getattr(module, name + '_decode')


def same(a, b):
    a = numpy.ascontiguousarray(a)
    b = numpy.ascontiguousarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and numpy.array_equal(
        a.view('u1'), b.view('u1'))


def ref_delta(a, axis, dist):
    """Delta along axis of the samples' native integer bit patterns, in numpy."""
    native = a.astype(a.dtype.newbyteorder('='))
    u = numpy.moveaxis(native.view(f'u{a.dtype.itemsize}'), axis, -1)
    r = u.copy()
    r[..., dist:] = u[..., dist:] - u[..., :-dist]
    return numpy.moveaxis(r, -1, axis).view(native.dtype).astype(a.dtype)


@pytest.mark.parametrize('name', NAMES)
@pytest.mark.parametrize('dtype', DTYPES)
def test_roundtrip_parity(name, dtype):
    """Round trips, and identical arrays to imagecodecs both ways."""
    enc, dec = funcs(name)
    ienc, idec = funcs(name, imagecodecs)
    for shape in SHAPES:
        data = array(shape, dtype)
        for kw in kwargs(name, shape):
            encoded = enc(data, **kw)
            assert isinstance(encoded, numpy.ndarray)
            assert encoded.shape == data.shape and encoded.dtype == data.dtype
            assert same(dec(encoded, **kw), data), (shape, kw)
            try:
                expected = ienc(data, **kw)
            except (NotImplementedError, RuntimeError, ValueError):
                continue  # imagecodecs has no such dist/axis
            assert same(encoded, expected), (shape, kw)
            assert same(dec(expected, **kw), idec(expected, **kw)), (shape, kw)


@pytest.mark.parametrize('dtype', ['u1', 'i2', 'u4', '>i8', 'f4', '>f8'])
def test_delta_reference(dtype):
    for shape in SHAPES:
        data = array(shape, dtype, 1)
        for axis in range(len(shape)):
            for dist in (1, 2, 5):
                assert same(ndcodecs.delta_encode(data, axis=axis, dist=dist),
                            ref_delta(data, axis, dist))


@pytest.mark.parametrize('dtype', ['u1', 'i2', 'u4', 'i8'])
def test_numcodecs_delta(dtype):
    numcodecs = pytest.importorskip('numcodecs')
    data = array((1000,), dtype)
    codec = numcodecs.Delta(dtype=dtype)
    assert same(ndcodecs.delta_encode(data), codec.encode(data))
    assert same(ndcodecs.delta_decode(codec.encode(data)), data)
    # a 2-D array flattened
    data = array((30, 17), dtype)
    assert same(ndcodecs.delta_encode(data.ravel()), codec.encode(data))


def test_floatpred_tiff_image():
    """An RGB float32 image as libtiff writes it: axis=-2 (width), samples=3."""
    data = array((31, 17, 3), 'f4')
    encoded = ndcodecs.floatpred_encode(data, axis=-2)
    row = data[0].astype('>f4').view('u1').reshape(17 * 3, 4).T.ravel()  # planes, MSB first
    expected = row.copy()
    expected[3:] = row[3:] - row[:-3]
    assert numpy.array_equal(encoded[0].view('u1').ravel(), expected)
    assert same(ndcodecs.floatpred_decode(encoded, axis=-2), data)


@pytest.mark.parametrize('name', NAMES)
def test_bytes_input(name):
    enc, dec = funcs(name)
    data = bytes(range(256)) * 3 + b'\x07'
    for kind in (bytes, bytearray, memoryview):
        encoded = enc(kind(data))
        assert isinstance(encoded, bytes)
        assert dec(encoded) == data
    if name in ('delta', 'xor'):
        ienc, idec = funcs(name, imagecodecs)
        assert enc(data) == ienc(data)
        assert dec(data) == idec(data)
    buf = bytearray(data)
    assert enc(buf, out=buf) is buf
    assert bytes(dec(buf, out=buf)) == data


@pytest.mark.parametrize('name', NAMES)
@pytest.mark.parametrize('dtype', ['u2', '>f4', 'f8'])
def test_out_and_in_place(name, dtype):
    enc, dec = funcs(name)
    data = array((9, 10, 11), dtype)
    for kw in kwargs(name, data.shape):
        expected = enc(data, **kw)
        out = numpy.empty_like(data)
        assert enc(data, out=out, **kw) is out
        assert same(out, expected)
        buf = bytearray(data.nbytes)
        result = enc(data, out=buf, **kw)
        assert same(result, expected)
        work = data.copy()
        assert enc(work, out=work, **kw) is work
        assert same(work, expected)
        assert dec(work, out=work, **kw) is work
        assert same(work, data)
        # non-contiguous input
        wide = numpy.zeros((9, 10, 22), dtype)
        wide[..., ::2] = data
        assert same(enc(wide[..., ::2], **kw), expected)


@pytest.mark.parametrize('name', NAMES)
def test_large_in_place(name):
    """In-place encoding across the C temporary's blocks, 1-D and 2-D."""
    enc, dec = funcs(name)
    for shape in ((100003,), (3, 20001)):
        data = array(shape, 'u2', 5)
        for dist in (1, 7):
            kw = {} if name == 'xor' else {'dist': dist}
            expected = enc(data, **kw)
            work = data.copy()
            enc(work, out=work, **kw)
            assert same(work, expected)
            dec(work, out=work, **kw)
            assert same(work, data)


@pytest.mark.parametrize('name', NAMES)
def test_threads(name):
    enc, dec = funcs(name)
    data = [array((64, 257, 3), 'f4', i) for i in range(8)]
    single = [enc(d) for d in data]
    results = [None] * 8

    def work(i):
        for _ in range(5):
            results[i] = dec(enc(data[i]))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(8):
        assert same(results[i], data[i])
        assert same(enc(data[i]), single[i])


@pytest.mark.parametrize('name', NAMES)
def test_wrong_input(name):
    enc, dec = funcs(name)
    data = array((4, 5), 'u2')
    for func in (enc, dec):
        with pytest.raises(ValueError):
            func(numpy.array(5, 'u2'))
        with pytest.raises(ValueError):
            func(data, axis=2)
        with pytest.raises(ValueError):
            func(data, axis=-3)
        with pytest.raises(TypeError):
            func(data, axis=1.5)
        with pytest.raises(TypeError):
            func('abc')
        with pytest.raises(TypeError):
            func(None)
        with pytest.raises(TypeError):
            func(numpy.array([None, 1], object))
        with pytest.raises(ValueError):
            func(data, out=numpy.empty((5, 4), 'u2'))
        with pytest.raises(ValueError):
            func(data, out=numpy.empty((4, 5), 'i2'))
        with pytest.raises(ValueError):
            func(data, out=bytearray(3))
        with pytest.raises((TypeError, ValueError)):
            func(data, out=bytes(40))
        if name != 'xor':
            with pytest.raises(ValueError):
                func(data, dist=0)
        if name in ('delta', 'xor'):
            for dtype in ('c8', '?', 'M8[s]', 'U1', 'f16' if hasattr(numpy, 'float128') else 'c16'):
                with pytest.raises(ValueError):
                    func(numpy.zeros(4, dtype))


@pytest.mark.parametrize('name', NAMES)
def test_api(name):
    assert getattr(ndcodecs, name + '_check')(b'abc') is None
    assert getattr(ndcodecs, name + '_version')().startswith('ndcodecs ')
    assert getattr(ndcodecs, name.upper()).available
    assert issubclass(getattr(ndcodecs, name.capitalize() + 'Error'), ndcodecs.CodecError)
    # empty arrays
    enc, dec = funcs(name)
    for shape in ((0,), (3, 0), (0, 4)):
        data = numpy.zeros(shape, 'u2')
        assert same(enc(data), data) and same(dec(data), data)


@pytest.mark.parametrize('name', ['delta', 'xor'])
@pytest.mark.parametrize('dtype', ['u1', 'i2', 'u4', 'i8', 'f4', 'f8', '>u2', '>i4'])
def test_long_rows(name, dtype):
    """Rows long enough for the vector code: every tail length, in place too."""
    enc, dec = funcs(name)
    ienc, idec = funcs(name, imagecodecs)
    for n in list(range(1, 70)) + [1000, 4099]:
        data = array((3, n), dtype, n)
        encoded = enc(data)
        assert same(encoded, ienc(data)), n
        assert same(dec(encoded), data), n
        assert same(dec(encoded), idec(encoded)), n
        work = encoded.copy()
        assert dec(work, out=work) is work
        assert same(work, data), n


def test_numcodecs_shuffle_and_packbits():
    """numcodecs' Shuffle is a byte shuffle of the whole buffer; its PackBits
    is one header byte (the padding bits) and 1-bit packints."""
    numcodecs = pytest.importorskip('numcodecs')
    for dtype in ('u2', 'f4', 'i8'):
        data = array((1001,), dtype)
        codec = numcodecs.Shuffle(elementsize=data.itemsize)
        assert ndcodecs.byteshuffle_encode(data).tobytes() == bytes(codec.encode(data))
        assert same(ndcodecs.byteshuffle_decode(numpy.frombuffer(codec.encode(data), dtype)), data)
    bits = numpy.random.default_rng(0).integers(0, 2, 1003).astype(bool)
    packed = numcodecs.PackBits().encode(bits)
    assert ndcodecs.packints_encode(bits.view('u1'), 1) == bytes(packed[1:])
    assert numpy.array_equal(ndcodecs.packints_decode(bytes(packed[1:]), 'u1', 1)[:bits.size], bits)


@pytest.mark.parametrize('name', NAMES)
def test_releases_gil(name):
    """A Python thread keeps running while a long C call filters."""
    enc, dec = funcs(name)
    data = array((4096, 8192), 'u2')
    encoded = enc(data)
    assert_releases_gil(lambda: enc(data), lambda: dec(encoded))

"""ZFP specifics: both spellings of the mode, error bounds, reversible
round trips, shapes, headers, byte parity with imagecodecs both ways, and
malformed streams."""


import numpy
import pytest

import ndcodecs

zfp = pytest.importorskip('ndcodecs._ext._zfp')

from ndcodecs import ZFP, ZfpError, zfp_check, zfp_decode, zfp_encode, zfp_version  # noqa: E402
from common import imagecodecs_with

DTYPES = ('float32', 'float64', 'int32', 'int64')
SHAPES = [(1,), (7,), (1000,), (1, 1), (5, 3), (33, 17), (1, 1, 1), (3, 5, 7), (9, 1, 13),
          (1, 1, 1, 1), (2, 3, 4, 5), (5, 1, 6, 3)]


def field(shape=(64, 96), dtype='float32'):
    """A smooth field of `shape`."""
    grids = numpy.meshgrid(*[numpy.linspace(0, 3, n) for n in shape], indexing='ij')
    return (numpy.sin(sum((i + 1) * g for i, g in enumerate(grids))) * 100).astype(dtype)


def noise(shape=(64, 96), dtype='float32', seed=0):
    rng = numpy.random.default_rng(seed)
    if numpy.dtype(dtype).kind == 'i':
        info = numpy.iinfo(dtype)
        return rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
    return (rng.standard_normal(shape) * 1000).astype(dtype)


@pytest.fixture(scope='module')
def imagecodecs():
    return imagecodecs_with('zfp')


def test_version_check():
    assert zfp_version().startswith('zfp 1.')
    assert zfp_check(zfp_encode(field()))
    assert zfp_check(zfp_encode(field(), header=False))
    assert not zfp_check(b'\x00' * 8)
    assert ZFP.MODE.FIXED_ACCURACY == 4 and ZFP.EXEC.OMP == 1 and ZFP.HEADER.FULL == 7


# the mode: both spellings


@pytest.mark.parametrize('ours, theirs', [
    ({}, {}),
    (dict(reversible=True), dict(mode='R')),
    (dict(mode='lossless'), dict(mode='reversible')),
    (dict(level=5), {}),  # level without mode is ignored, as in imagecodecs
    (dict(mode=ZFP.MODE.NONE), {}),
    (dict(rate=8), dict(mode='r', level=8)),
    (dict(rate=2.25), dict(mode=ZFP.MODE.FIXED_RATE, level=2.25)),
    (dict(precision=12), dict(mode='p', level=12)),
    (dict(mode='precision'), dict(mode='p', level=64)),
    (dict(tolerance=1e-3), dict(mode='a', level=1e-3)),
    (dict(tolerance=0), dict(mode='accuracy', level=0)),
    (dict(mode='expert', level=(16, 256, 24, 2)), dict(mode=ZFP.MODE.EXPERT, level=(16, 256, 24, 2))),
])
def test_mode_spellings(ours, theirs):
    data = field()
    assert zfp_encode(data, **ours) == zfp_encode(data, **theirs)


@pytest.mark.parametrize('kwargs', [
    dict(rate=8, precision=4),
    dict(rate=8, tolerance=1e-3),
    dict(precision=8, reversible=True),
    dict(rate=8, mode='r'),
    dict(tolerance=1e-3, mode='R'),
    dict(reversible=True, mode='R'),
    dict(tolerance=1e-3, level=1e-3),
    dict(mode='x'),
    dict(mode='A', level=1),
    dict(mode=9),
    dict(mode='r'),  # no rate
    dict(mode='a'),  # no tolerance
    dict(rate=0),
    dict(rate=-1),
    dict(tolerance=-1),
    dict(tolerance=float('nan')),
    dict(precision=0),
    dict(reversible='yes'),
    dict(mode='expert', level=3),
    dict(execution=ZFP.EXEC.CUDA),
    dict(chunksize=-1),
])
def test_mode_errors(kwargs):
    with pytest.raises(ValueError):
        zfp_encode(field(), **kwargs)


def test_reversible_false_is_default():
    data = field()
    assert zfp_encode(data, reversible=False) == zfp_encode(data)
    assert zfp_encode(data, reversible=False, tolerance=0.5) == zfp_encode(data, tolerance=0.5)


# error bounds and exactness


@pytest.mark.parametrize('tolerance', [1e-1, 1e-3, 1e-5])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('kind', ['sample', 'smooth', 'noise', 'constant'])
def test_accuracy_bound(kind, dtype, tolerance):
    if kind == 'sample':
        data = ndcodecs.sample('field32').astype(dtype)
    elif kind == 'smooth':
        data = field((17, 31, 9), dtype)
    elif kind == 'noise':
        data = noise((50, 70), dtype) / 1000
    else:
        data = numpy.full((13, 29), 3.14159, dtype)
    if dtype == 'float32' and tolerance < numpy.abs(data).max() * 2e-7:
        pytest.skip('below float32 resolution')
    encoded = zfp_encode(data, tolerance=tolerance)
    decoded = zfp_decode(encoded)
    assert decoded.dtype == data.dtype and decoded.shape == data.shape
    assert numpy.abs(decoded.astype('f8') - data).max() <= tolerance


def test_accuracy_compresses_and_rate_is_fixed():
    data = ndcodecs.sample('field32')
    assert len(zfp_encode(data, tolerance=1e-3)) < data.nbytes / 2
    size = len(zfp_encode(data, rate=4, header=False))
    assert abs(size - data.size * 4 / 8) <= 16


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('shape', SHAPES)
def test_reversible_exact(dtype, shape):
    for data in (noise(shape, dtype), field(shape, dtype)):
        decoded = zfp_decode(zfp_encode(data))
        assert decoded.dtype == data.dtype and decoded.shape == data.shape
        assert decoded.tobytes() == data.tobytes()


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('shape', [(7,), (5, 3), (3, 5, 7), (2, 3, 4, 5)])
def test_lossy_shapes(dtype, shape):
    data = field(shape, 'float64') * 1000
    data = data.astype(dtype)
    for kwargs in (dict(rate=16), dict(precision=20), dict(tolerance=0.5)):
        if 'tolerance' in kwargs and dtype.startswith('int'):
            continue
        decoded = zfp_decode(zfp_encode(data, **kwargs))
        assert decoded.shape == shape and decoded.dtype == data.dtype


def test_reversible_bit_patterns():
    bits = numpy.array([0, 1, 0x7F800000, 0xFF800000, 0x7FC00001, 0x80000000, 0x7F7FFFFF], 'u4')
    data = bits.view('f4')
    assert zfp_decode(zfp_encode(data)).view('u4').tolist() == bits.tolist()
    data = numpy.array([numpy.nan, -numpy.inf, 5e-324, -0.0, 1e308], 'f8')
    assert zfp_decode(zfp_encode(data)).tobytes() == data.tobytes()
    ints = numpy.array([numpy.iinfo('i8').min, -1, 0, numpy.iinfo('i8').max], 'i8')
    assert (zfp_decode(zfp_encode(ints)) == ints).all()


@pytest.mark.parametrize('value', [numpy.nan, numpy.inf, -numpy.inf])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_nonfinite_lossy(value, dtype):
    data = field((9, 9), dtype)
    data[4, 5] = value
    for kwargs in (dict(tolerance=1e-3), dict(rate=8), dict(precision=16), dict(mode='a', level=1)):
        with pytest.raises(ZfpError):
            zfp_encode(data, **kwargs)
    with pytest.raises(ZfpError):
        zfp_encode(data[:, 1::2], tolerance=1)  # strided
    assert zfp_decode(zfp_encode(data)).tobytes() == data.tobytes()


def test_input_kinds():
    data = field((20, 30), 'float64')
    expected = zfp_encode(data)
    assert zfp_encode(data.astype('>f8')) == expected
    assert zfp_encode(numpy.asfortranarray(data)) == expected
    assert zfp_encode(memoryview(data)) == expected
    assert zfp_encode(data.tolist()) == expected
    strided = field((40, 60), 'float32')[::2, 1::3]
    assert zfp_encode(strided) == zfp_encode(numpy.ascontiguousarray(strided))
    reverse = field((40, 60), 'float32')[::-1, ::-1]
    assert zfp_encode(reverse, tolerance=1e-2) == zfp_encode(reverse.copy(), tolerance=1e-2)
    odd = numpy.zeros(41, 'u1')[1:].view('f4')  # unaligned
    assert zfp_decode(zfp_encode(odd)).tobytes() == odd.tobytes()


@pytest.mark.parametrize('data, error', [
    (numpy.zeros((2, 2, 2, 2, 2), 'f4'), ValueError),
    (numpy.zeros(0, 'f4'), ValueError),
    (numpy.zeros((3, 0), 'f8'), ValueError),
    (numpy.zeros(4, 'u4'), ValueError),
    (numpy.zeros(4, 'f2'), ValueError),
    (numpy.zeros(4, 'i2'), ValueError),
    (b'abcd', ValueError),
    ('abcd', TypeError),
    (None, TypeError),
    (numpy.float32(1), ValueError),
])
def test_encode_bad_input(data, error):
    with pytest.raises(error):
        zfp_encode(data)


# headers, decode arguments and out=


def test_headerless():
    data = field((19, 23), 'float32')
    for kwargs in ({}, dict(tolerance=1e-2), dict(rate=5), dict(precision=9)):
        full = zfp_encode(data, **kwargs)
        bare = zfp_encode(data, header=False, **kwargs)
        assert len(bare) <= len(full)
        expected = zfp_decode(full)
        assert zfp_decode(bare, data.shape, data.dtype).tobytes() == expected.tobytes()
        assert zfp_decode(bare, shape=data.shape, dtype='float32').tobytes() == expected.tobytes()
        # a full header is used when shape and dtype are given and match
        assert zfp_decode(full, shape=data.shape, dtype=data.dtype).tobytes() == expected.tobytes()
        assert zfp_decode(full, shape=(23 * 19,)).tobytes() == expected.tobytes()
        for args in ((), (data.shape,), (None, data.dtype)):
            with pytest.raises(ZfpError):
                zfp_decode(bare, *args)
    with pytest.raises(ZfpError):
        zfp_decode(full, dtype='float64')
    with pytest.raises(ZfpError):
        zfp_decode(full, shape=(5, 5))
    with pytest.raises(ValueError):
        zfp_decode(bare, shape=(1, 2, 3, 4, 5), dtype='f4')
    with pytest.raises(ValueError):
        zfp_decode(bare, shape=(19, 23), dtype='u2')
    with pytest.raises(ValueError):
        zfp_decode(bare, shape=(0, 23), dtype='f4')


def test_out():
    data = field((19, 23), 'float64')
    encoded = zfp_encode(data, tolerance=1e-4)
    expected = zfp_decode(encoded)
    out = numpy.empty_like(data)
    assert zfp_decode(encoded, out=out) is out
    assert (out == expected).all()
    out = numpy.zeros((23, 19), 'f8').T  # strided out
    assert zfp_decode(encoded, out=out) is out
    assert (out == expected).all()
    buf = bytearray(data.nbytes + 8)
    result = zfp_decode(encoded, out=buf)
    assert result.shape == data.shape and (result == expected).all()
    assert bytes(buf[:data.nbytes]) == expected.tobytes()
    with pytest.raises(ValueError):
        zfp_decode(encoded, out=numpy.empty((19, 22)))
    with pytest.raises(ValueError):
        zfp_decode(encoded, out=numpy.empty((19, 23), 'f4'))
    with pytest.raises(ValueError):
        zfp_decode(encoded, out=bytearray(10))
    with pytest.raises(TypeError):
        zfp_decode(encoded, out=bytes(data.nbytes))
    # encoder out=
    assert bytes(zfp_encode(data, out=bytearray(len(encoded) * 4), tolerance=1e-4)) == encoded
    assert zfp_encode(data, out=len(encoded), tolerance=1e-4) == encoded
    assert isinstance(zfp_encode(data, out=bytearray, tolerance=1e-4), bytearray)
    with pytest.raises(ZfpError):
        zfp_encode(data, out=len(encoded) - 8, tolerance=1e-4)


def test_strides_numthreads_ignored_in_decode():
    data = field((19, 23), 'float32')
    encoded = zfp_encode(data)
    assert zfp_decode(encoded, strides=(4, 76), numthreads=4).tobytes() == data.tobytes()


@pytest.mark.parametrize('kwargs', [{}, dict(tolerance=1e-3), dict(rate=6), dict(precision=14)])
def test_threads_same_result(kwargs):
    data = numpy.tile(ndcodecs.sample('field32'), (4, 2))
    expected = zfp_encode(data, **kwargs)
    assert zfp_encode(data, numthreads=2, **kwargs) == expected
    assert zfp_encode(data, numthreads=0, **kwargs) == expected
    assert zfp_encode(data, execution=ZFP.EXEC.OMP, chunksize=7, **kwargs) == expected
    assert zfp_encode(data, execution=ZFP.EXEC.SERIAL, numthreads=4, **kwargs) == expected
    one = field((1000,), 'float64')
    assert zfp_encode(one, numthreads=2, chunksize=3, **kwargs) == zfp_encode(one, **kwargs)


# parity with imagecodecs (zfp 1.0.1), both ways


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('shape', [(1,), (77,), (5, 3), (31, 33), (3, 5, 7), (2, 3, 4, 5)])
@pytest.mark.parametrize('header', [True, False])
@pytest.mark.parametrize('mode, level', [(None, None), ('r', 8), ('r', 3.25), ('p', 10), ('a', 1e-2)])
def test_imagecodecs_parity(imagecodecs, dtype, shape, header, mode, level):
    if mode == 'a' and dtype.startswith('int'):
        pytest.skip('accuracy mode is for floats')
    data = field(shape, 'float64') * 100
    data = data.astype(dtype)
    ours = zfp_encode(data, level, mode=mode, header=header)
    theirs = imagecodecs.zfp_encode(data, level, mode=mode, header=header)
    assert ours == theirs
    args = {} if header else dict(shape=shape, dtype=numpy.dtype(dtype))
    expected = imagecodecs.zfp_decode(theirs, **args)
    assert zfp_decode(theirs, **args).tobytes() == expected.tobytes()
    assert imagecodecs.zfp_decode(ours, **args).tobytes() == expected.tobytes()


def test_imagecodecs_parity_sample(imagecodecs):
    data = ndcodecs.sample('field32')
    for kwargs, theirs in (({}, {}), (dict(tolerance=1e-3), dict(mode='a', level=1e-3)),
                           (dict(rate=4), dict(mode='r', level=4))):
        encoded = zfp_encode(data, **kwargs)
        assert encoded == imagecodecs.zfp_encode(data, **theirs)
        assert (imagecodecs.zfp_decode(encoded) == zfp_decode(encoded)).all()


# malformed streams


def test_decode_bad_input():
    with pytest.raises(ZfpError):
        zfp_decode(b'')
    with pytest.raises(ZfpError):
        zfp_decode(b'zfp')
    with pytest.raises(ZfpError):
        zfp_decode(b'\x00' * 100)
    with pytest.raises(TypeError):
        zfp_decode('zfp\x05')
    with pytest.raises(TypeError):
        zfp_decode(None)


@pytest.mark.parametrize('kwargs', [{}, dict(tolerance=1e-3), dict(rate=7), dict(precision=12)])
@pytest.mark.parametrize('dtype', DTYPES)
def test_truncated(kwargs, dtype):
    if 'tolerance' in kwargs and dtype.startswith('int'):
        return
    data = noise((9, 11, 5), dtype) if dtype.startswith('int') else field((9, 11, 5), dtype)
    encoded = zfp_encode(data, **kwargs)
    expected = zfp_decode(encoded)
    for n in range(len(encoded)):
        try:
            result = zfp_decode(encoded[:n])
        except ZfpError:
            continue
        assert n >= len(encoded) - 8 and result.shape == data.shape  # only the padding may go
    assert zfp_decode(encoded + b'\x00' * 5).tobytes() == expected.tobytes()


def header_with_shape(shape, dtype='f8'):
    """A valid full header claiming `shape`, followed by little data."""
    small = zfp_encode(numpy.zeros((1,) * len(shape), dtype), tolerance=1)
    meta_type = {'i4': 0, 'i8': 1, 'f4': 2, 'f8': 3}[numpy.dtype(dtype).str[1:]]
    dims = len(shape)
    bits = 48 // dims
    meta = meta_type | (dims - 1) << 2
    for i, n in enumerate(reversed(shape)):
        meta |= (n - 1) << (4 + i * bits)
    word = int.from_bytes(small[:16], 'little')
    word &= ~(((1 << 52) - 1) << 32)
    word |= meta << 32
    return word.to_bytes(16, 'little') + small[16:]


def test_huge_header_shape():
    stream = header_with_shape((1 << 24, 1 << 24))
    assert zfp_check(stream)
    with pytest.raises(ZfpError, match='max_output'):
        zfp_decode(stream)
    with pytest.raises(ZfpError, match='max_output'):
        zfp_decode(header_with_shape((1 << 40,)), max_output=1 << 30)
    with pytest.raises(ZfpError, match='max_output'):
        zfp_decode(header_with_shape((4096, 4096, 4096, 4096), 'i4'))
    # within max_output but the stream is far too short
    with pytest.raises(ZfpError):
        zfp_decode(header_with_shape((1000, 1000)), max_output=1 << 24)
    assert zfp_decode(header_with_shape((3, 2))).shape == (3, 2)


def test_random_streams():
    rng = numpy.random.default_rng(1)
    good = zfp_encode(field((16, 16), 'float32'), tolerance=1e-3)
    for _ in range(3000):
        data = bytearray(good)
        for _ in range(rng.integers(1, 6)):
            data[rng.integers(len(data))] = rng.integers(256)
        data = bytes(data[:rng.integers(1, len(data) + 1)])
        try:
            zfp_decode(data, max_output=1 << 22)
        except ZfpError:
            pass

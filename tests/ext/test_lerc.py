"""LERC specifics: lossless and error-bounded round trips over dtypes and
layouts, masks, versions, zstd/deflate wrapping, byte parity with
imagecodecs both ways, limits and malformed blobs."""

import numpy
import pytest

import ndcodecs

lerc = pytest.importorskip('ndcodecs._ext._lerc')

from ndcodecs import LERC, LercError, lerc_check, lerc_decode, lerc_encode, lerc_version  # noqa: E402
from common import imagecodecs_with

DTYPES = ('int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64')
SHAPES = [(1,), (7,), (1, 1), (4, 5), (33, 17), (1, 9, 1), (3, 4, 5), (17, 9, 3), (2, 3, 4, 5), (1, 1, 1, 1)]


def noise(shape, dtype, seed=0):
    rng = numpy.random.default_rng(seed)
    if numpy.dtype(dtype).kind in 'iu':
        info = numpy.iinfo(dtype)
        return rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
    return (rng.standard_normal(shape) * 1000).astype(dtype)


def smooth(shape=(64, 96), dtype='float32'):
    grids = numpy.meshgrid(*[numpy.linspace(0, 3, n) for n in shape], indexing='ij')
    return (numpy.sin(sum((i + 1) * g for i, g in enumerate(grids))) * 100).astype(dtype)


def decoded_shape(shape, planar=False):
    """The shape lerc_decode gives an array of `shape`."""
    if len(shape) == 1:
        return (1,) + shape
    if len(shape) == 3 and planar:
        bands, rows, cols, depth = shape + (1,)
    elif len(shape) == 3:
        bands, rows, cols, depth = (1,) + shape
    elif len(shape) == 2:
        bands, rows, cols, depth = (1,) + shape + (1,)
    else:
        bands, rows, cols, depth = shape
    return ((bands,) if bands > 1 else ()) + (rows, cols) + ((depth,) if depth > 1 else ())


@pytest.fixture(scope='module')
def imagecodecs():
    return imagecodecs_with('lerc')


def test_version_check():
    assert lerc_version().startswith('lerc 4.')
    assert LERC.available
    assert lerc_check(lerc_encode(smooth()))
    assert lerc_check(b'CntZImage ')
    assert not lerc_check(b'')
    assert not lerc_check(b'\x28\xb5\x2f\xfd')
    assert not lerc_check(lerc_encode(smooth(), compression='zstd'))


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('shape', SHAPES)
def test_lossless(dtype, shape):
    data = noise(shape, dtype)
    blob = lerc_encode(data)
    assert isinstance(blob, bytes) and lerc_check(blob)
    result = lerc_decode(blob)
    assert result.dtype == data.dtype
    assert result.shape == decoded_shape(shape)
    assert numpy.array_equal(result.reshape(shape), data)


@pytest.mark.parametrize('dtype', DTYPES)
def test_planar(dtype):
    data = noise((3, 10, 11), dtype)
    blob = lerc_encode(data, planar=True)
    assert blob != lerc_encode(data)
    result = lerc_decode(blob)
    assert result.shape == (3, 10, 11)
    assert numpy.array_equal(result, data)


def test_special_floats():
    data = numpy.array([[0.0, -0.0, numpy.inf, -numpy.inf, 1e-300, numpy.finfo('f8').max]])
    result = lerc_decode(lerc_encode(data))
    assert numpy.array_equal(result.view('u8'), data.view('u8'))


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('tolerance', [1e-3, 0.01, 0.5, 10.0])
def test_error_bound(dtype, tolerance):
    for data in (ndcodecs.sample('field32').astype(dtype), noise((50, 70), dtype), smooth((40, 30, 3), dtype)):
        blob = lerc_encode(data, tolerance=tolerance)
        assert blob == lerc_encode(data, tolerance)
        result = lerc_decode(blob).reshape(data.shape)
        # liblerc quantizes in double: a float32 result may be off by its rounding
        slack = numpy.spacing(numpy.abs(data)).astype('f8')
        assert numpy.all(numpy.abs(result.astype('f8') - data.astype('f8')) <= tolerance + slack)
    assert len(lerc_encode(smooth(dtype=dtype), tolerance=tolerance)) < len(lerc_encode(smooth(dtype=dtype)))


@pytest.mark.parametrize('dtype', ['int16', 'uint8', 'int32'])
def test_error_bound_integers(dtype):
    data = noise((60, 50), dtype)
    result = lerc_decode(lerc_encode(data, level=3))
    assert numpy.max(numpy.abs(result.astype('i8') - data.astype('i8'))) <= 3


def test_level_args():
    data = smooth()
    lossless = lerc_encode(data)
    assert lerc_encode(data, None) == lerc_encode(data, 0) == lerc_encode(data, -1) == lossless
    assert lerc_encode(data, tolerance=0.1) == lerc_encode(data, level=0.1)
    with pytest.raises(ValueError):
        lerc_encode(data, 0.1, tolerance=0.1)
    with pytest.raises(ValueError):
        lerc_encode(data, float('nan'))
    with pytest.raises(TypeError):
        lerc_encode(data, 'x')


@pytest.mark.parametrize('version', [2, 3, 4, 5, 6, -1])
def test_versions(version):
    data = noise((20, 30), 'float32')
    blob = lerc_encode(data, version=version)
    assert blob[6] == (6 if version == -1 else version)
    assert numpy.array_equal(lerc_decode(blob), data)
    if version in (2, 3):
        with pytest.raises(LercError):
            lerc_encode(noise((5, 6, 3), 'uint8'), version=version)


@pytest.mark.parametrize('version', [0, 1, 7, 'x'])
def test_bad_version(version):
    with pytest.raises(ValueError):
        lerc_encode(smooth(), version=version)


@pytest.mark.parametrize('compression', ['zstd', 'deflate'])
def test_compression(compression):
    data = smooth()
    blob = lerc_encode(data, compression=compression)
    assert not lerc_check(blob)
    assert numpy.array_equal(lerc_decode(blob), data)
    level9 = lerc_encode(data, compression=compression, compressionargs={'level': 9})
    assert numpy.array_equal(lerc_decode(level9), data)
    if compression == 'zstd':
        assert ndcodecs.zstd_decode(blob) == lerc_encode(data)
    else:
        assert ndcodecs.zlib_decode(blob) == lerc_encode(data)
    with pytest.raises(LercError):
        lerc_decode(blob, max_output=100)


@pytest.mark.parametrize('compression', ['zlib', 'none', 'ZSTD'])
def test_bad_compression(compression):
    with pytest.raises(ValueError):
        lerc_encode(smooth(), compression=compression)


def test_masks_2d():
    data = noise((20, 30), 'float32')
    masks = numpy.ones((20, 30), bool)
    masks[3, 4] = masks[7, :] = False
    blob = lerc_encode(data, masks=masks)
    assert numpy.array_equal(lerc_decode(blob, masks=None), numpy.where(masks, data, 0))
    assert isinstance(lerc_decode(blob, masks=False), numpy.ndarray)
    result, mresult = lerc_decode(blob, masks=True)
    assert mresult.dtype == bool and numpy.array_equal(mresult, masks)
    assert numpy.array_equal(result, numpy.where(masks, data, 0))
    for dtype in (bool, numpy.uint8):
        mout = numpy.zeros((20, 30), dtype)
        result, mresult = lerc_decode(blob, masks=mout)
        assert mresult is mout and numpy.array_equal(mout.astype(bool), masks)
    # no mask in the blob
    plain = lerc_encode(data)
    assert lerc_decode(plain, masks=True)[1] is None
    mout = numpy.zeros((20, 30), bool)
    assert lerc_decode(plain, masks=mout)[1].all()
    with pytest.raises(ValueError):
        lerc_decode(blob, masks=numpy.zeros((5, 5), bool))
    with pytest.raises(ValueError):
        lerc_decode(blob, masks=numpy.zeros((20, 30), 'f4'))


def test_masks_bands():
    data = noise((3, 10, 12), 'int16')
    masks = numpy.ones((3, 10, 12), bool)
    masks[0, 0, 0] = masks[2, 5, :] = False
    blob = lerc_encode(data, masks=masks, planar=True)
    result, mresult = lerc_decode(blob, masks=True)
    assert mresult.shape == (3, 10, 12) and numpy.array_equal(mresult, masks)
    assert numpy.array_equal(result, numpy.where(masks, data, 0))
    # one mask for all bands, and for depth
    result, mresult = lerc_decode(lerc_encode(data, masks=masks[2], planar=True), masks=True)
    assert mresult.shape == (10, 12) and numpy.array_equal(result, numpy.where(masks[2], data, 0))
    data3 = noise((10, 12, 4), 'uint16')
    result, mresult = lerc_decode(lerc_encode(data3, masks=masks[2]), masks=True)
    assert numpy.array_equal(mresult, masks[2])
    assert numpy.array_equal(result, numpy.where(masks[2][..., None], data3, 0))


@pytest.mark.parametrize('masks', [
    numpy.ones((20, 30), 'u1'), numpy.ones((20, 31), bool), numpy.ones((2, 20, 30), bool), numpy.ones((20, 30), 'f4'),
])
def test_bad_masks(masks):
    with pytest.raises(ValueError):
        lerc_encode(noise((20, 30), 'float32'), masks=masks)


def test_nan_to_mask():
    data = smooth((16, 16))
    data[2, 3] = numpy.nan
    result, masks = lerc_decode(lerc_encode(data), masks=True)
    assert not masks[2, 3] and masks.sum() == 16 * 16 - 1
    assert numpy.array_equal(result[masks], data[masks])


def test_inputs():
    assert numpy.array_equal(lerc_decode(lerc_encode(bytearray(b'abcd'))), [[97, 98, 99, 100]])
    assert numpy.array_equal(lerc_decode(lerc_encode(b'abc')), [[97, 98, 99]])
    big = smooth().astype('>f4')
    assert numpy.array_equal(lerc_decode(lerc_encode(big)), big)
    strided = noise((40, 60), 'int32')[::2, ::3]
    assert numpy.array_equal(lerc_decode(lerc_encode(strided)), strided)
    for bad in (numpy.zeros((0, 5), 'f4'), numpy.zeros((2, 2, 2, 2, 2), 'f4'), numpy.zeros(5, 'i8'),
                numpy.zeros(5, 'f2'), numpy.zeros(5, bool), numpy.zeros(5, 'c8')):
        with pytest.raises(ValueError):
            lerc_encode(bad)
    for bad in ('abc', None):
        with pytest.raises(TypeError):
            lerc_encode(bad)


def test_out():
    data = noise((20, 30), 'float32')
    blob = lerc_encode(data)
    buf = bytearray(len(blob) + 100)
    view = lerc_encode(data, out=buf)
    assert bytes(view) == blob
    with pytest.raises(LercError):
        lerc_encode(data, out=bytearray(10))
    assert lerc_encode(data, out=bytearray) == bytearray(blob)
    out = numpy.zeros((20, 30), 'float32')
    assert lerc_decode(blob, out=out) is out and numpy.array_equal(out, data)
    with pytest.raises(ValueError):
        lerc_decode(blob, out=numpy.zeros((20, 31), 'float32'))
    zblob = lerc_encode(data, compression='zstd', out=bytearray(len(blob) + 100))
    assert numpy.array_equal(lerc_decode(zblob), data)


def test_max_output():
    data = noise((100, 100), 'float64')
    blob = lerc_encode(data)
    assert lerc_decode(blob, max_output=data.nbytes).shape == (100, 100)
    with pytest.raises(LercError):
        lerc_decode(blob, max_output=data.nbytes - 1)


def test_malformed():
    blob = lerc_encode(noise((30, 40), 'float32'))
    for bad in (b'', b'L', b'Lerc2 ', b'Lerc2 \x04\x00\x00\x00', blob[:20], blob[:60], blob[:-1],
                b'CntZImage ' + bytes(100), b'\x00' * 100, bytes(range(256))):
        with pytest.raises(LercError):
            lerc_decode(bad)
    corrupt = bytearray(blob)
    corrupt[40] ^= 0xFF
    with pytest.raises(LercError):
        lerc_decode(bytes(corrupt))
    with pytest.raises(TypeError):
        lerc_decode('abc')


# parity with imagecodecs


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('kwargs', [
    {}, dict(planar=True), dict(level=0.5), dict(version=-1), dict(version=3),
    dict(compression='zstd'), dict(compression='deflate', compressionargs={'level': 9}),
])
def test_parity(imagecodecs, dtype, kwargs):
    for shape in ((33, 17), (3, 10, 12), (2, 5, 6, 3)):
        if kwargs.get('version') == 3 and len(shape) == 4:
            continue
        data = noise(shape, dtype) if dtype[0] != 'f' else smooth(shape, dtype)
        if kwargs.get('version') == 3 and len(shape) == 3 and not kwargs.get('planar'):
            kwargs = dict(kwargs, planar=True)
        ours = lerc_encode(data, **kwargs)
        theirs = imagecodecs.lerc_encode(data, **kwargs)
        assert ours == theirs
        a, b = lerc_decode(theirs), imagecodecs.lerc_decode(ours)
        assert a.shape == b.shape and a.dtype == b.dtype and numpy.array_equal(a, b)


def test_parity_masks(imagecodecs):
    data = noise((3, 10, 12), 'float32')
    masks = numpy.ones((3, 10, 12), bool)
    masks[1, 2, 3] = False
    ours = lerc_encode(data, masks=masks, planar=True)
    assert ours == imagecodecs.lerc_encode(data, masks=masks, planar=True)
    a, ma = lerc_decode(ours, masks=True)
    b, mb = imagecodecs.lerc_decode(ours, masks=True)
    assert numpy.array_equal(a, b) and numpy.array_equal(ma, mb)

"""Tests of the rcomp codec (Rice as FITS RICE_1, our own C)."""

import numpy
import pytest

import ndcodecs

pytestmark = pytest.mark.skipif(
    not ndcodecs.get_codec('rcomp').available, reason='_rcomp not built'
)

DTYPES = ['u1', 'i1', 'u2', 'i2', 'u4', 'i4']
SHAPES = [(), (1,), (7,), (32,), (33,), (37, 41), (3, 33, 5), (2, 3, 4, 5), (1, 1, 1, 1)]
NBLOCKS = [None, 1, 2, 7, 16, 32, 33, 64, 1000]


def _imagecodecs():
    return pytest.importorskip('imagecodecs')


def _array(dtype, shape, kind='smooth', seed=0):
    """Integer test data: smooth, random, constant, sparse or tiny steps."""
    rng = numpy.random.default_rng(seed)
    info = numpy.iinfo(dtype)
    size = int(numpy.prod(shape))
    if kind == 'random':
        a = rng.integers(info.min, info.max, size, dtype=dtype, endpoint=True)
    elif kind == 'constant':
        a = numpy.full(size, info.max // 3, dtype)
    elif kind == 'sparse':
        a = numpy.zeros(size, dtype)
        a[rng.integers(0, size, max(1, size // 50))] = info.max
    elif kind == 'steps':
        a = rng.integers(-3, 4, size).astype(dtype)
    else:
        scale = 2.0 ** (info.bits // 2)
        a = numpy.cumsum(rng.normal(0, scale, size)).astype(numpy.int64).astype(dtype)
    return a.reshape(shape)


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('dtype', DTYPES)
def test_rcomp_roundtrip(dtype, shape):
    for kind in ('smooth', 'random', 'constant', 'sparse', 'steps'):
        x = _array(dtype, shape, kind)
        encoded = ndcodecs.rcomp_encode(x)
        assert isinstance(encoded, bytes)
        result = ndcodecs.rcomp_decode(encoded, shape, dtype)
        assert result.shape == x.shape and result.dtype == x.dtype
        numpy.testing.assert_array_equal(result, x)
        out = numpy.zeros_like(x)
        assert ndcodecs.rcomp_decode(encoded, out=out) is out
        numpy.testing.assert_array_equal(out, x)


@pytest.mark.parametrize('nblock', NBLOCKS)
@pytest.mark.parametrize('dtype', DTYPES)
def test_rcomp_nblock(dtype, nblock):
    for kind in ('smooth', 'random', 'sparse', 'steps'):
        x = _array(dtype, (1001,), kind, seed=3)
        encoded = ndcodecs.rcomp_encode(x, nblock=nblock)
        result = ndcodecs.rcomp_decode(encoded, x.shape, x.dtype, nblock=nblock)
        numpy.testing.assert_array_equal(result, x)


def test_rcomp_format():
    # first pixel raw (big-endian), then fs codes and Rice codes
    x = numpy.arange(10, dtype='i2')
    assert ndcodecs.rcomp_encode(x) == bytes.fromhex('000019249249')
    assert ndcodecs.rcomp_encode(x.astype('u1')) == bytes.fromhex('0032492492')
    assert ndcodecs.rcomp_encode(x.astype('i4')) == bytes.fromhex('000000000c92492480')
    # a zero block is one code of zeros
    assert ndcodecs.rcomp_encode(numpy.full(32, 5, 'u1')) == b'\x05\x00'
    # an empty array: a zero first pixel, no block
    assert ndcodecs.rcomp_encode(numpy.zeros(0, 'u2')) == b'\x00\x00'
    assert ndcodecs.rcomp_decode(b'', 0, 'u2').shape == (0,)
    # native byte order, as imagecodecs
    y = x.astype('>i2')
    assert ndcodecs.rcomp_encode(y) == ndcodecs.rcomp_encode(y.view('<i2'))


def test_rcomp_args():
    x = numpy.arange(100, dtype='u2') ** 2
    encoded = ndcodecs.rcomp_encode(x)
    # shape and dtype from an int, a list, numpy types or out=
    assert ndcodecs.rcomp_decode(encoded, 100, numpy.uint16).shape == (100,)
    assert ndcodecs.rcomp_decode(encoded, [10, 10], 'u2').shape == (10, 10)
    assert ndcodecs.rcomp_decode(encoded, (4, 5), 'u2').tolist() == x[:20].reshape(4, 5).tolist()
    buf = bytearray(200)
    result = ndcodecs.rcomp_decode(encoded, 100, 'u2', out=buf)
    assert numpy.shares_memory(result, numpy.frombuffer(buf, 'u1'))
    assert bytes(buf) == x.tobytes()
    # non-contiguous input is copied
    assert ndcodecs.rcomp_encode(x[::2]) == ndcodecs.rcomp_encode(x[::2].copy())
    # out= for the encoder
    assert ndcodecs.rcomp_encode(x, out=bytearray) == bytearray(encoded)
    with pytest.raises(ndcodecs.RcompError):
        ndcodecs.rcomp_encode(x, out=bytearray(3))
    with pytest.raises(TypeError):
        ndcodecs.rcomp_decode(encoded)
    with pytest.raises(TypeError):
        ndcodecs.rcomp_decode(encoded, 100)
    with pytest.raises(TypeError):
        ndcodecs.rcomp_decode(encoded, dtype='u2')
    with pytest.raises(TypeError):
        ndcodecs.rcomp_decode(encoded, out=bytearray(200))
    for dtype in ('f4', 'i8', 'u8', 'bool', 'f8'):
        with pytest.raises(ValueError):
            ndcodecs.rcomp_decode(encoded, 100, dtype)
        with pytest.raises(ValueError):
            ndcodecs.rcomp_encode(numpy.zeros(4, dtype))
    for nblock in (0, -1):
        with pytest.raises(ValueError):
            ndcodecs.rcomp_encode(x, nblock=nblock)
        with pytest.raises(ValueError):
            ndcodecs.rcomp_decode(encoded, 100, 'u2', nblock=nblock)
    with pytest.raises(TypeError):
        ndcodecs.rcomp_encode(b'abcd')
    with pytest.raises(TypeError):
        ndcodecs.rcomp_decode('abcd', 2, 'u2')
    with pytest.raises(ValueError):
        ndcodecs.rcomp_decode(encoded, -1, 'u2')
    with pytest.raises(ValueError):
        ndcodecs.rcomp_decode(encoded, out=numpy.zeros(10, 'f4'))


def test_rcomp_max_output():
    x = numpy.arange(1000, dtype='u4')
    encoded = ndcodecs.rcomp_encode(x)
    assert ndcodecs.rcomp_decode(encoded, 1000, 'u4', max_output=4000).size == 1000
    with pytest.raises(ndcodecs.RcompError):
        ndcodecs.rcomp_decode(encoded, 1000, 'u4', max_output=3999)
    with pytest.raises(ndcodecs.RcompError):
        ndcodecs.rcomp_decode(encoded, (1 << 40,), 'u4')


@pytest.mark.parametrize('dtype', DTYPES)
def test_rcomp_malformed(dtype):
    x = _array(dtype, (500,), 'smooth')
    encoded = ndcodecs.rcomp_encode(x)
    with pytest.raises(ndcodecs.RcompError):
        ndcodecs.rcomp_decode(b'', x.shape, dtype)
    with pytest.raises(ndcodecs.RcompError):
        ndcodecs.rcomp_decode(encoded[:-2], x.shape, dtype)
    with pytest.raises(ndcodecs.RcompError):
        ndcodecs.rcomp_decode(encoded, (1000,), dtype)  # too few pixels
    # trailing bytes are ignored
    numpy.testing.assert_array_equal(ndcodecs.rcomp_decode(encoded + b'xyz', x.shape, dtype), x)
    # an invalid fs code (above the high-entropy code) for 32-bit pixels
    if numpy.dtype(dtype).itemsize == 4:
        with pytest.raises(ndcodecs.RcompError):
            ndcodecs.rcomp_decode(b'\0\0\0\0\xff\xff', (4,), dtype)
    # a run of zeros too long for any pixel, with the largest split code
    itemsize = numpy.dtype(dtype).itemsize
    code = {1: b'\xc0', 2: b'\xe0', 4: b'\xc8'}[itemsize]
    with pytest.raises(ndcodecs.RcompError):
        ndcodecs.rcomp_decode(bytes(itemsize) + code + bytes(40) + b'\xff' * 8, (4,), dtype)
    rng = numpy.random.default_rng(5)
    for _ in range(300):
        data = bytearray(encoded)
        for _ in range(rng.integers(1, 4)):
            data[rng.integers(len(data))] = rng.integers(256)
        try:
            ndcodecs.rcomp_decode(bytes(data[: rng.integers(len(data) + 1)]), x.shape, dtype)
        except ndcodecs.RcompError:
            pass


@pytest.mark.parametrize('dtype', DTYPES)
def test_rcomp_imagecodecs(dtype):
    imagecodecs = _imagecodecs()
    for kind in ('smooth', 'random', 'constant', 'sparse', 'steps'):
        for nblock in (None, 16, 32, 64):
            for shape in ((1,), (33,), (37, 41), (2, 3, 4, 5)):
                x = _array(dtype, shape, kind, seed=7)
                ours = ndcodecs.rcomp_encode(x, nblock=nblock)
                if len(ours) > x.nbytes:
                    # imagecodecs' output buffer is too small (and overflows)
                    continue
                theirs = imagecodecs.rcomp_encode(x, nblock=nblock)
                assert ours == theirs, (kind, nblock, shape)
                numpy.testing.assert_array_equal(
                    ndcodecs.rcomp_decode(theirs, shape, dtype, nblock=nblock), x
                )
                numpy.testing.assert_array_equal(
                    imagecodecs.rcomp_decode(ours, shape, dtype, nblock=nblock), x
                )


def test_rcomp_imagecodecs_image():
    imagecodecs = _imagecodecs()
    image = ndcodecs.sample('microscopy16') if hasattr(ndcodecs, 'sample') else None
    if image is None or image.dtype.kind not in 'iu':
        pytest.skip('no integer sample image')
    ours = ndcodecs.rcomp_encode(image)
    assert ours == imagecodecs.rcomp_encode(image)
    numpy.testing.assert_array_equal(
        ndcodecs.rcomp_decode(ours, image.shape, image.dtype), image
    )

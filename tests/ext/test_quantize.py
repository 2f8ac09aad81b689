"""Quantization: bit-exact with imagecodecs (NetCDF-C) and numcodecs."""

import numpy
import pytest

import ndcodecs
from common import assert_releases_gil

imagecodecs = pytest.importorskip('imagecodecs')

MODES = ('bitgroom', 'granularbr', 'bitround', 'scale')


def _values(dtype, n=20000, seed=0):
    """Return floats over the whole range: specials, denormals, powers of 2
    and 10, and random bit patterns."""
    dtype = numpy.dtype(dtype)
    info = numpy.finfo(dtype)
    utype = numpy.uint32 if dtype.itemsize == 4 else numpy.uint64
    rng = numpy.random.default_rng(seed)
    special = numpy.array([
        0.0, -0.0, numpy.nan, -numpy.nan, numpy.inf, -numpy.inf, 1.0, -1.0, 0.5, 1.5,
        1.25, 1.375, 0.1, 0.3, 2.0 / 3, 1e3, 1e-3, 10.0, 100.0, 9.9692099683868690e36,
        -9.9692099683868690e36, 9.969e36, info.max, -info.max, info.tiny, -info.tiny,
        info.smallest_subnormal, -info.smallest_subnormal, info.eps, 123456.789,
    ], dtype)
    powers = numpy.concatenate([
        2.0 ** numpy.arange(info.minexp - info.nmant, info.maxexp, dtype=numpy.float64),
        10.0 ** numpy.arange(-40, 39, dtype=numpy.float64),
    ]).astype(dtype)
    bits = rng.integers(0, numpy.iinfo(utype).max, n, utype, endpoint=True).view(dtype)
    normal = (rng.standard_normal(n) * 10.0 ** rng.integers(-30, 30, n)).astype(dtype)
    uniform = rng.uniform(-1000, 1000, n).astype(dtype)
    with numpy.errstate(all='ignore'):
        near = numpy.concatenate([numpy.nextafter(powers, numpy.inf), numpy.nextafter(powers, 0)]).astype(dtype)
    return numpy.concatenate([special, powers, -powers, near, bits, normal, uniform])


def _same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    utype = 'u4' if a.dtype.itemsize == 4 else 'u8'
    bad = numpy.nonzero(a.view(utype) != b.view(utype))[0]
    assert bad.size == 0, (
        f'{bad.size} differ, e.g. {a.ravel()[bad[:3]]!r} != {b.ravel()[bad[:3]]!r} '
        f'from index {bad[:3]}'
    )


@pytest.mark.parametrize('dtype', ['f4', 'f8'])
@pytest.mark.parametrize('mode', MODES)
def test_parity_imagecodecs(mode, dtype):
    data = _values(dtype)
    top = 31 if dtype == 'f4' else 63
    for nsd in range(0, top + 1):
        if mode in ('bitgroom', 'granularbr') and nsd > (7 if dtype == 'f4' else 15):
            continue  # beyond NetCDF's limits: see test_parity_out_of_range
        ours = ndcodecs.quantize_encode(data, mode, nsd)
        ref = imagecodecs.quantize_encode(data, mode, nsd)
        _same(ours, ref)


@pytest.mark.parametrize('dtype', ['f4', 'f8'])
@pytest.mark.parametrize('mode', ['bitgroom', 'granularbr'])
def test_parity_out_of_range(mode, dtype):
    """nsd beyond NetCDF's limits: undefined shifts, emulated as x86 does."""
    data = _values(dtype, 2000)
    top = 31 if dtype == 'f4' else 63
    for nsd in range(8 if dtype == 'f4' else 16, top + 1):
        _same(ndcodecs.quantize_encode(data, mode, nsd), imagecodecs.quantize_encode(data, mode, nsd))


@pytest.mark.parametrize('mode', [0, 1, 2, 3, 100, 'gbr', 'noquantize', 2.0])
def test_mode_values(mode):
    data = _values('f4', 1000)
    _same(ndcodecs.quantize_encode(data, mode, 3), imagecodecs.quantize_encode(data, mode, 3))
    assert ndcodecs.QUANTIZE.MODE(imagecodecs.QUANTIZE.MODE.BITROUND) == 3


@pytest.mark.parametrize('shape', [(1,), (7,), (3, 5), (2, 3, 5), (2, 1, 3, 5), (1, 1)])
@pytest.mark.parametrize('dtype', ['f4', 'f8'])
def test_shapes_and_out(shape, dtype):
    data = (numpy.random.default_rng(1).standard_normal(shape) * 100).astype(dtype)
    ref = imagecodecs.quantize_encode(data, 'bitround', 7)
    result = ndcodecs.quantize_encode(data, 'bitround', 7)
    assert result.shape == shape and result.flags.c_contiguous
    _same(result, ref)
    out = numpy.empty_like(data)
    assert ndcodecs.quantize_encode(data, 'bitround', 7, out=out) is out
    _same(out, ref)
    buf = bytearray(data.nbytes)
    result = ndcodecs.quantize_encode(data, 'bitround', 7, out=buf)
    _same(result, ref)
    assert bytes(buf) == ref.tobytes()
    inplace = data.copy()
    assert ndcodecs.quantize_encode(inplace, 'granularbr', 3, out=inplace) is inplace
    _same(inplace, imagecodecs.quantize_encode(data, 'granularbr', 3))


def test_inputs():
    data = (numpy.arange(60, dtype='f4') * 1.2345).reshape(6, 10)
    _same(ndcodecs.quantize_encode(data[:, ::3], 'scale', 2), imagecodecs.quantize_encode(data[:, ::3], 'scale', 2))
    _same(ndcodecs.quantize_encode(data.T, 'bitgroom', 2), imagecodecs.quantize_encode(data.T, 'bitgroom', 2))
    _same(ndcodecs.quantize_encode([1.2345, 2.0], 'bitround', 3), imagecodecs.quantize_encode([1.2345, 2.0], 'bitround', 3))
    _same(ndcodecs.quantize_encode(numpy.float32(1.2345), 'bitround', 3), imagecodecs.quantize_encode(numpy.float32(1.2345), 'bitround', 3))
    _same(ndcodecs.quantize_encode(numpy.empty(0, 'f4'), 'bitround', 3), numpy.empty(0, 'f4'))
    # big-endian data is quantized by value (imagecodecs quantizes its raw bits)
    result = ndcodecs.quantize_encode(data.astype('>f4'), 'bitround', 3)
    _same(result, ndcodecs.quantize_encode(data, 'bitround', 3))


@pytest.mark.parametrize('args, exc', [
    ((numpy.ones(3, 'f4'), 'bitround', -1), ValueError),
    ((numpy.ones(3, 'f4'), 'bitround', 32), ValueError),
    ((numpy.ones(3, 'f8'), 'bitround', 64), ValueError),
    ((numpy.ones(3, 'f4'), 'BITROUND', 3), ValueError),
    ((numpy.ones(3, 'f4'), 4, 3), ValueError),
    ((numpy.ones(3, 'f4'), None, 3), ValueError),
    ((numpy.ones(3, 'f2'), 'bitround', 3), ValueError),
    ((numpy.ones(3, 'i4'), 'bitround', 3), ValueError),
    ((numpy.ones(3, 'c8'), 'bitround', 3), ValueError),
    ((b'abcd', 'bitround', 3), ValueError),
    ((numpy.ones(3, 'f4'), 'bitround', 'x'), (TypeError, AttributeError)),
])
def test_bad_arguments(args, exc):
    with pytest.raises(exc):
        ndcodecs.quantize_encode(*args)


def test_bad_out():
    data = numpy.ones(5, 'f4')
    for out in (numpy.empty(5, 'f8'), numpy.empty(6, 'f4'), bytearray(19), b'x' * 20):
        with pytest.raises((ValueError, TypeError)):
            ndcodecs.quantize_encode(data, 'bitround', 3, out=out)


def test_decode():
    data = numpy.ones(5, 'f4')
    assert ndcodecs.quantize_decode(data, 0, 3) is data
    out = numpy.empty_like(data)
    assert ndcodecs.quantize_decode(data, 0, 3, out=out) is out
    assert (out == data).all()
    for mode in ('bitround', 'scale', 1, 2):
        with pytest.raises(ndcodecs.QuantizeError):
            ndcodecs.quantize_decode(data, mode, 3)
        with pytest.raises(imagecodecs.QuantizeError):
            imagecodecs.quantize_decode(data, mode, 3)


def test_scale_numcodecs():
    """numcodecs' Quantize rounds halves to even (imagecodecs away from zero)
    and overflows float32 to inf; both agree elsewhere."""
    numcodecs = pytest.importorskip('numcodecs')
    for dtype in ('f4', 'f8'):
        data = _values(dtype)
        data = data[numpy.isfinite(data) & (numpy.abs(data) < 1e20)]
        for digits in range(0, 12):
            scale = 2.0 ** numpy.ceil(numpy.log2(10.0 ** digits))
            frac = numpy.abs(data.astype('f8') * scale) % 1.0
            keep = frac != 0.5
            ref = numcodecs.Quantize(digits=digits, dtype=dtype).encode(data)
            _same(ndcodecs.quantize_encode(data, 'scale', digits)[keep], ref[keep])


def test_bitround_numcodecs():
    """numcodecs' BitRound rounds ties to even, NetCDF's half away from zero;
    both agree off ties."""
    numcodecs = pytest.importorskip('numcodecs')
    for dtype, bits in (('f4', 23), ('f8', 52)):
        utype = 'u4' if dtype == 'f4' else 'u8'
        data = _values(dtype)
        data = data[numpy.isfinite(data) & (data.view(utype) != (0x7CF00000 if dtype == 'f4' else 0x479E000000000000))]
        for keepbits in range(1, bits):
            drop = bits - keepbits
            low = data.view(utype) & ((1 << drop) - 1)
            ties = low == (1 << (drop - 1))
            ref = numcodecs.BitRound(keepbits=keepbits).encode(data).view(dtype)
            ours = ndcodecs.quantize_encode(data, 'bitround', keepbits)
            _same(ours[~ties], ref[~ties])


def test_registry():
    codec = ndcodecs.get_codec('quantize')
    assert codec.kind == 'filter' and codec.can_encode and not codec.can_decode
    data = numpy.linspace(0, 1, 100, dtype='f4')
    _same(codec.encode(data, 'bitround', 5), imagecodecs.quantize_encode(data, 'bitround', 5))
    assert ndcodecs.quantize_check(b'abc') is None
    assert ndcodecs.quantize_version().startswith('ndcodecs')


@pytest.mark.parametrize('dtype', ['f4', 'f8'])
def test_granularbr_fields(dtype):
    """Granular BitRound of smooth fields spanning decades, every nsd, as imagecodecs."""
    rng = numpy.random.default_rng(3)
    x = numpy.linspace(-12, 12, 200001)
    fields = [
        (numpy.sin(x) * 10.0 ** (x / 3)).astype(dtype),
        (10.0 ** rng.uniform(-30, 30, 100000) * rng.choice([-1, 1], 100000)).astype(dtype),
    ]
    for data in fields:
        for nsd in range(1, 8 if dtype == 'f4' else 16):
            _same(ndcodecs.quantize_encode(data, 'granularbr', nsd),
                  imagecodecs.quantize_encode(data, 'granularbr', nsd))


def test_releases_gil():
    """A Python thread keeps running while a long C call quantizes."""
    data = numpy.random.default_rng(0).normal(0, 1, 1 << 23).astype('f4')
    assert_releases_gil(*(lambda mode=mode: ndcodecs.quantize_encode(data, mode, 3) for mode in ('granularbr', 'scale')))

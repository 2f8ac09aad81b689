"""bitorder, packints, float24 and bfloat16 filters (_numformats): parity
with imagecodecs and with numpy reference conversions."""

import sys

import numpy
import pytest

import ndcodecs
from common import assert_releases_gil, run_in_threads

ic = pytest.importorskip('imagecodecs')

ROUNDINGS = [None, 0, 1024, 2048, 3072]
MODES = {None: 'rne', 0: 'rne', 1024: 'down', 2048: 'up', 3072: 'tz'}


def _float_bits(n, seed=0):
    """Random float32 bit patterns, dense near rounding ties and with every
    special value."""
    rng = numpy.random.default_rng(seed)
    u = rng.integers(0, 2**32, n, dtype=numpy.uint64).astype(numpy.uint32)
    exp = rng.integers(0, 256, n).astype(numpy.uint32)
    ties = rng.choice(numpy.array([0, 1, 0x3F, 0x40, 0x41, 0x7F, 0x7FFF, 0x8000, 0x8001, 0xFFFF], numpy.uint32), n)
    special = numpy.array([
        0, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7F800001,
        0xFFBFFFFF, 0x7F7FFFFF, 0xFF7FFFFF, 0x00000001, 0x80000001, 0x007FFFFF,
        0x00800000, 0x3F800000, 0x3F808000, 0x3F818000, 0x5F7FFFFF, 0x1F800000,
    ], numpy.uint32)
    return numpy.concatenate([u, (u & 0x807FFFFF) | (exp << 23), (u & ~numpy.uint32(0xFFFF)) | ties, special])


def ref_bfloat16(u, mode):
    u = u.astype(numpy.uint64)
    hi, lo, neg = u >> 16, u & 0xFFFF, (u >> 31) == 1
    if mode == 'rne':
        r = (u + 0x7FFF + (hi & 1)) >> 16
    elif mode == 'tz':
        r = hi
    elif mode == 'up':
        r = hi + ((lo != 0) & ~neg)
    else:
        r = hi + ((lo != 0) & neg)
    r = numpy.where((u & 0x7FFFFFFF) > 0x7F800000, (hi & 0x8000) | 0x7FC0, r)
    return r.astype(numpy.uint16)


def ref_float24(u, mode):
    """Exact rounding of float32 to float24; overflow gives infinity."""
    u = u.astype(numpy.int64)
    s, e, m = (u >> 31) & 1, (u >> 23) & 0xFF, u & 0x7FFFFF
    sig = numpy.where(e == 0, m, m | (1 << 23))
    eff = numpy.maximum(e, 1)
    shift = numpy.minimum(numpy.where(eff >= 65, 7, 72 - eff), 40)
    q = sig >> shift
    rem = sig - (q << shift)
    half = numpy.int64(1) << (shift - 1)
    base = numpy.where(eff >= 65, (eff - 65) << 16, 0) + q
    inc = {
        'rne': (rem > half) | ((rem == half) & (q & 1 == 1)),
        'tz': numpy.zeros(u.shape, bool),
        'up': (rem != 0) & (s == 0),
        'down': (rem != 0) & (s == 1),
    }[mode]
    r = numpy.minimum(base + inc, 0x7F0000)
    r = numpy.where(e == 255, numpy.where(m == 0, 0x7F0000, 0x7F8000), r)
    return (r | (s << 23)).astype(numpy.uint32)


def f24_bits(data, big=False):
    b = numpy.frombuffer(data, numpy.uint8).reshape(-1, 3).astype(numpy.uint32)
    if big:
        b = b[:, ::-1]
    return b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)


def imagecodecs_float24_agrees(u):
    """Where imagecodecs 2026.3.6 rounds float24 exactly: it loses the carry
    of a mantissa rounding up past 0xFFFF, and mishandles values below 2**-79."""
    e = (u >> 23) & 0xFF
    return ~(((e >= 1) & (e <= 48)) | (e == 64) | (((u >> 7) & 0xFFFF) == 0xFFFF))


# common


@pytest.mark.parametrize('name', ['bitorder', 'packints', 'float24', 'bfloat16'])
def test_module_api(name):
    codec = ndcodecs.get_codec(name)
    assert codec.kind == 'filter' and codec.available
    assert getattr(ndcodecs, f'{name}_version')() == f'ndcodecs {ndcodecs.__version__}'
    assert getattr(ndcodecs, f'{name}_check')(b'abc') is None
    assert getattr(ndcodecs, name.upper()).available is True
    assert issubclass(getattr(ndcodecs, name.capitalize() + 'Error'), ndcodecs.CodecError)


def test_round_enums():
    for name in ('FLOAT24', 'BFLOAT16'):
        ours, theirs = getattr(ndcodecs, name).ROUND, getattr(ic, name).ROUND
        assert {k: int(v) for k, v in ours.__members__.items()} == {k: int(v) for k, v in theirs.__members__.items()}


# bitorder


def test_bitorder_all_bytes():
    data = bytes(range(256))
    ref = bytes(int(f'{b:08b}'[::-1], 2) for b in range(256))
    assert ndcodecs.bitorder_encode(data) == ref == ic.bitorder_encode(data)
    assert ndcodecs.bitorder_decode(ref) == data


@pytest.mark.parametrize('shape', [(1,), (7,), (3, 5), (2, 3, 4), (2, 1, 3, 5)])
@pytest.mark.parametrize('dtype', ['u1', 'u2', 'i4', 'f8'])
def test_bitorder_arrays(shape, dtype):
    rng = numpy.random.default_rng(1)
    a = rng.integers(0, 255, shape).astype(dtype)
    r = ndcodecs.bitorder_encode(a)
    assert isinstance(r, numpy.ndarray) and r.shape == a.shape and r.dtype == a.dtype
    numpy.testing.assert_array_equal(r, ic.bitorder_encode(a))
    numpy.testing.assert_array_equal(ndcodecs.bitorder_decode(r), a)


def test_bitorder_types_and_out():
    assert type(ndcodecs.bitorder_encode(bytearray(b'\x01'))) is bytes
    assert ndcodecs.bitorder_encode(memoryview(b'\x01\x02')) == b'\x80\x40'
    a = numpy.arange(10, dtype='u1')
    r = ndcodecs.bitorder_encode(a, out=a)  # in place
    assert r is a and a[1] == 0x80
    b = bytearray(b'\x01\x02')
    assert ndcodecs.bitorder_encode(b, out=b) is b and b == b'\x80\x40'
    assert ndcodecs.bitorder_encode(b'\x01\x02', out=bytearray) == bytearray(b'\x80\x40')
    nc = numpy.arange(12, dtype='u1').reshape(3, 4)[:, ::2]
    numpy.testing.assert_array_equal(ndcodecs.bitorder_encode(nc), ic.bitorder_encode(nc))
    assert ndcodecs.bitorder_encode(b'') == b''
    with pytest.raises(ndcodecs.BitorderError):
        ndcodecs.bitorder_encode(b'abc', out=bytearray(2))
    with pytest.raises(TypeError):
        ndcodecs.bitorder_encode('abc')
    with pytest.raises(ValueError):
        ndcodecs.bitorder_encode(numpy.uint8(1))


# bfloat16


def test_bfloat16_decode_all_values():
    v = numpy.arange(2**16, dtype=numpy.uint16)
    for byteorder in (None, '<', '>', '='):
        ours = ndcodecs.bfloat16_decode(v.tobytes(), byteorder=byteorder)
        assert ours.dtype == numpy.float32 and ours.shape == (2**16,)
        assert ours.tobytes() == ic.bfloat16_decode(v.tobytes(), byteorder=byteorder).tobytes()
    ref = (v.astype(numpy.uint32) << 16).view(numpy.float32)
    assert ndcodecs.bfloat16_decode(v.tobytes()).tobytes() == ref.tobytes()


@pytest.mark.parametrize('rounding', ROUNDINGS)
def test_bfloat16_encode(rounding):
    u = _float_bits(300_000)
    x = u.view(numpy.float32)
    ours = ndcodecs.bfloat16_encode(x, rounding=rounding)
    assert ours == ic.bfloat16_encode(x, rounding=rounding)
    assert ours == ref_bfloat16(u, MODES[rounding]).tobytes()
    assert ndcodecs.bfloat16_encode(x, rounding=rounding, byteorder='>') == ic.bfloat16_encode(
        x, rounding=rounding, byteorder='>'
    )


def test_bfloat16_rne_matches_float_rounding():
    # finite values round like float64 -> float32 with 8 mantissa bits
    x = numpy.random.default_rng(2).normal(0, 1e3, 10000).astype(numpy.float32)
    dec = ndcodecs.bfloat16_decode(ndcodecs.bfloat16_encode(x))
    assert numpy.all(numpy.abs(dec - x) <= numpy.abs(x) * 2.0**-8)


def test_bfloat16_shapes_out_errors():
    x = numpy.linspace(-5, 5, 24, dtype=numpy.float32).reshape(2, 3, 4)
    enc = ndcodecs.bfloat16_encode(x)
    assert enc == ic.bfloat16_encode(x) and len(enc) == 48
    assert ndcodecs.bfloat16_encode(x[:, ::2]) == ic.bfloat16_encode(x[:, ::2])
    out = numpy.zeros((2, 12), numpy.float32)
    assert ndcodecs.bfloat16_decode(enc, out=out) is out
    assert out.tobytes() == ic.bfloat16_decode(enc).tobytes()
    buf = bytearray(48)
    r = ndcodecs.bfloat16_encode(x, out=buf)
    assert bytes(buf) == enc and len(r) == 48
    assert ndcodecs.bfloat16_encode(x, out=bytearray) == bytearray(enc)
    assert ndcodecs.bfloat16_decode(b'').shape == (0,)
    with pytest.raises(ndcodecs.Bfloat16Error):
        ndcodecs.bfloat16_decode(b'abc')
    with pytest.raises(ndcodecs.Bfloat16Error):
        ndcodecs.bfloat16_encode(x, out=bytearray(47))
    with pytest.raises(ndcodecs.Bfloat16Error):
        ndcodecs.bfloat16_decode(enc, max_output=10)
    for bad in (x.astype('f8'), x.astype('>f4'), x.tobytes(), x.astype('u4')):
        with pytest.raises(ValueError):
            ndcodecs.bfloat16_encode(bad)
    with pytest.raises(ValueError):
        ndcodecs.bfloat16_encode(x, byteorder='!')
    with pytest.raises(ValueError):
        ndcodecs.bfloat16_decode(enc, out=numpy.zeros(24, 'f8'))
    with pytest.raises(ValueError):
        ndcodecs.bfloat16_decode(enc, out=numpy.zeros(23, 'f4'))
    with pytest.raises(TypeError):
        ndcodecs.bfloat16_decode('abc')


# float24


def test_float24_decode_all_values():
    v = numpy.arange(2**24, dtype=numpy.uint32)
    data = v.view(numpy.uint8).reshape(-1, 4)[:, :3].tobytes() if sys.byteorder == 'little' else None
    if data is None:
        pytest.skip('little-endian host assumed')
    ours = ndcodecs.float24_decode(data)
    assert ours.tobytes() == ic.float24_decode(data).tobytes()
    assert ndcodecs.float24_decode(data, byteorder='>').tobytes() == ic.float24_decode(data, byteorder='>').tobytes()
    # normal values against numpy: (1 + m / 2**16) * 2**(e - 63)
    s, e, m = v >> 23, (v >> 16) & 0x7F, v & 0xFFFF
    normal = (e > 0) & (e < 127)
    ref = (1 + m / 65536.0) * numpy.exp2(e.astype(numpy.float64) - 63) * numpy.where(s, -1, 1)
    numpy.testing.assert_array_equal(ours[normal], ref[normal].astype(numpy.float32))
    tiny = e == 0
    numpy.testing.assert_array_equal(ours[tiny], (m * 2.0**-78 * numpy.where(s, -1, 1))[tiny].astype(numpy.float32))


@pytest.mark.parametrize('rounding', ROUNDINGS)
def test_float24_encode(rounding):
    u = _float_bits(300_000, seed=rounding or 5)
    x = u.view(numpy.float32)
    for byteorder, big in ((None, sys.byteorder == 'big'), ('<', False), ('>', True)):
        ours = ndcodecs.float24_encode(x, rounding=rounding, byteorder=byteorder)
        theirs = ic.float24_encode(x, rounding=rounding, byteorder=byteorder)
        bits = f24_bits(ours, big)
        numpy.testing.assert_array_equal(bits, ref_float24(u, MODES[rounding]))
        agree = imagecodecs_float24_agrees(u)
        numpy.testing.assert_array_equal(bits[agree], f24_bits(theirs, big)[agree])


def test_float24_roundtrip_exact():
    # every float24 value decodes to a float32 that encodes back to it
    v = numpy.arange(0, 2**24, 7, dtype=numpy.uint32)
    v = v[~(((v >> 16) & 0x7F == 0x7F) & (v & 0xFFFF != 0))]  # not NaN
    data = v.view(numpy.uint8).reshape(-1, 4)[:, :3].tobytes()
    for rounding in ROUNDINGS:
        assert ndcodecs.float24_encode(ndcodecs.float24_decode(data), rounding=rounding) == data


def test_float24_shapes_out_errors():
    x = numpy.linspace(-5, 5, 30, dtype=numpy.float32).reshape(5, 6)
    enc = ndcodecs.float24_encode(x)
    assert enc == ic.float24_encode(x) and len(enc) == 90
    out = numpy.empty(30, numpy.float32)
    assert ndcodecs.float24_decode(enc, out=out) is out
    numpy.testing.assert_allclose(out, x.ravel(), rtol=2.0**-16)
    assert ndcodecs.float24_encode(x[:, 1::2]) == ic.float24_encode(x[:, 1::2])
    with pytest.raises(ndcodecs.Float24Error):
        ndcodecs.float24_decode(b'ab')
    with pytest.raises(ndcodecs.Float24Error):
        ndcodecs.float24_encode(x, out=bytearray(89))
    with pytest.raises(ValueError):
        ndcodecs.float24_encode(x.astype('f8'))
    with pytest.raises(ValueError):
        ndcodecs.float24_decode(enc, byteorder='x')


# packints


def _dtype(bps):
    return 'u1' if bps <= 8 else 'u2' if bps <= 16 else 'u4'


@pytest.mark.parametrize('bps', range(1, 33))
def test_packints_decode_parity(bps):
    rng = numpy.random.default_rng(bps)
    for size in (0, 1, 3, 5, 17, 1000):
        data = rng.integers(0, 256, size, numpy.uint8).tobytes()
        for runlen in (0, 1, 2, 3, 7, 8, 13, 100, 2000):
            theirs = ic.packints_decode(data, _dtype(bps), bps, runlen=runlen)
            ours = ndcodecs.packints_decode(data, _dtype(bps), bps, runlen=runlen)
            assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
            assert ours.tobytes() == theirs.tobytes()


@pytest.mark.parametrize('bps', range(1, 33))
def test_packints_encode_parity(bps):
    rng = numpy.random.default_rng(100 + bps)
    for size in (0, 1, 9, 64, 1001):
        values = rng.integers(0, 2**32, size, numpy.uint64).astype(_dtype(bps))
        for runlen in (0, 1, 3, 8, 13, 500):
            enc = ndcodecs.packints_encode(values, bps, runlen=runlen)
            assert enc == ic.packints_encode(values, bps, runlen=runlen)
            dec = ndcodecs.packints_decode(enc, _dtype(bps), bps, runlen=runlen)
            n = size // runlen * runlen if runlen else size
            mask = (1 << bps) - 1
            numpy.testing.assert_array_equal(dec[:n], values[:n] & mask)


def test_packints_reference_msb_first():
    # numpy reference: unpackbits, then bits grouped MSB first
    rng = numpy.random.default_rng(7)
    data = rng.integers(0, 256, 777, numpy.uint8)
    bits = numpy.unpackbits(data).astype(numpy.uint64)
    for bps in (1, 3, 7, 12, 21, 31):
        n = len(bits) // bps
        weights = numpy.uint64(1) << numpy.arange(bps - 1, -1, -1, dtype=numpy.uint64)
        ref = (bits[:n * bps].reshape(n, bps) * weights).sum(1)
        numpy.testing.assert_array_equal(ndcodecs.packints_decode(data, _dtype(bps), bps), ref)


@pytest.mark.parametrize('dtype', ['>u2', '<u2', 'i2', '>u4', '>i4', 'f4', '>f4', 'i1', 'b'])
def test_packints_dtypes(dtype):
    data = numpy.random.default_rng(3).integers(0, 256, 999, numpy.uint8).tobytes()
    for bps in range(1, 33):
        try:
            theirs = ic.packints_decode(data, dtype, bps)
        except ValueError:
            with pytest.raises(ValueError):
                ndcodecs.packints_decode(data, dtype, bps)
            continue
        ours = ndcodecs.packints_decode(data, dtype, bps)
        assert ours.dtype == theirs.dtype and ours.tobytes() == theirs.tobytes()


def test_packints_out_truncated_errors():
    data = bytes(range(30))
    out = numpy.zeros(20, numpy.uint16)
    r = ndcodecs.packints_decode(data, 'u2', 12, out=out)
    assert r is out
    numpy.testing.assert_array_equal(out, ndcodecs.packints_decode(data, 'u2', 12))
    short = numpy.zeros(5, numpy.uint16)
    numpy.testing.assert_array_equal(ndcodecs.packints_decode(data, 'u2', 12, out=short), out[:5])
    with pytest.raises(ndcodecs.PackintsError):  # more samples than the data holds
        ndcodecs.packints_decode(data, 'u2', 12, out=numpy.zeros(21, numpy.uint16))
    with pytest.raises(ndcodecs.PackintsError):
        ndcodecs.packints_decode(data[:5], 'u1', 3, runlen=7, out=numpy.zeros(14, numpy.uint8))
    with pytest.raises(ndcodecs.PackintsError):
        ndcodecs.packints_decode(data, 'u2', 12, max_output=10)
    with pytest.raises(ValueError):
        ndcodecs.packints_decode(data, 'u2', 12, out=numpy.zeros(5, numpy.uint8))
    for args in (('u1', 0), ('u1', 33), ('u2', 4), ('u1', 12), ('u8', 32)):
        with pytest.raises(ValueError):
            ndcodecs.packints_decode(data, *args)
    with pytest.raises(ValueError):
        ndcodecs.packints_decode(data, 'u2', 12, bitorder='x')
    with pytest.raises(ValueError):
        ndcodecs.packints_decode(data, 'u2', 12, runlen=-1)
    with pytest.raises(TypeError):
        ndcodecs.packints_decode('abc', 'u1', 1)
    with pytest.raises(ValueError):
        ndcodecs.packints_encode(numpy.zeros(4, 'u2'), 4)
    assert ndcodecs.packints_encode(b'\x01\x00\x01', 1) == b'\xa0'
    with pytest.raises(ndcodecs.PackintsError):
        ndcodecs.packints_encode(numpy.ones(16, 'u1'), 1, out=bytearray(1))
    buf = bytearray(4)
    r = ndcodecs.packints_encode(numpy.ones(16, 'u1'), 1, out=buf)
    assert bytes(r) == b'\xff\xff'


def test_threads():
    x = numpy.random.default_rng(0).normal(0, 1, 1 << 20).astype(numpy.float32)
    expected = (ndcodecs.float24_encode(x), ndcodecs.bfloat16_encode(x))
    data = numpy.random.default_rng(1).integers(0, 256, 1 << 20, numpy.uint8).tobytes()
    unpacked = ndcodecs.packints_decode(data, 'u2', 12)

    def work(_):
        for _ in range(5):
            assert ndcodecs.float24_encode(x) == expected[0]
            assert ndcodecs.bfloat16_encode(x) == expected[1]
            assert numpy.array_equal(ndcodecs.packints_decode(data, 'u2', 12), unpacked)
            assert ndcodecs.bitorder_decode(ndcodecs.bitorder_encode(data)) == data

    run_in_threads(work)


# packints bitorder: GenICam LSB-first ('<') and GigE Vision paired ('>')

@pytest.mark.parametrize('bitorder,bps', [('<', b) for b in range(9, 15)] + [('>', 10), ('>', 12)])
def test_packints_bitorder_parity(bitorder, bps):
    rng = numpy.random.default_rng(bps)
    for n in list(range(0, 20)) + [1000, 4097]:
        if bitorder == '>' and n % 2:
            with pytest.raises(ValueError):
                ndcodecs.packints_encode(numpy.zeros(n, 'u2'), bps, bitorder=bitorder)
            continue
        for high in (1 << bps, 1 << 16):  # in range, and bits above bps ignored
            x = rng.integers(0, high, n, dtype=numpy.uint16)
            packed = ndcodecs.packints_encode(x, bps, bitorder=bitorder)
            assert packed == ic.packints_encode(x, bps, bitorder=bitorder)
            decoded = ndcodecs.packints_decode(packed, 'u2', bps, bitorder=bitorder)
            assert numpy.array_equal(decoded, x & ((1 << bps) - 1))
        # every truncation decodes as imagecodecs, or raises PackintsError where it raises
        for m in range(min(len(packed), 12) + 1):
            try:
                theirs = ic.packints_decode(packed[:m], 'u2', bps, bitorder=bitorder)
            except ValueError:
                with pytest.raises(ndcodecs.PackintsError):
                    ndcodecs.packints_decode(packed[:m], 'u2', bps, bitorder=bitorder)
                continue
            ours = ndcodecs.packints_decode(packed[:m], 'u2', bps, bitorder=bitorder)
            assert ours.tobytes() == theirs.tobytes()


def test_packints_bitorder_layout():
    """Mono12p (LSB first) and Mono12Packed (paired) of two known pixels."""
    x = numpy.array([0x123, 0xABC], numpy.uint16)
    assert ndcodecs.packints_encode(x, 12, bitorder='<') == bytes([0x23, 0xC1, 0xAB])
    assert ndcodecs.packints_encode(x, 12, bitorder='>') == bytes([0x12, 0xC3, 0xAB])
    assert ndcodecs.packints_encode(x & 0x3FF, 10, bitorder='>') == bytes([0x48, 0x03, 0xAF])


def test_packints_bitorder_errors_and_out():
    data = bytes(range(30))
    out = numpy.zeros(20, numpy.uint16)
    assert ndcodecs.packints_decode(data, 'u2', 12, bitorder='>', out=out) is out
    assert numpy.array_equal(out, ic.packints_decode(data, 'u2', 12, bitorder='>'))
    with pytest.raises(ndcodecs.PackintsError):
        ndcodecs.packints_decode(data, 'u2', 12, bitorder='>', out=numpy.zeros(22, numpy.uint16))
    with pytest.raises(ndcodecs.PackintsError):
        ndcodecs.packints_decode(data, 'u2', 12, bitorder='<', out=numpy.zeros(21, numpy.uint16))
    with pytest.raises(ndcodecs.PackintsError):
        ndcodecs.packints_decode(data, 'u2', 12, bitorder='<', max_output=10)
    for args, kwargs in (
        (('u2', 8), {'bitorder': '<'}), (('u2', 15), {'bitorder': '<'}), (('u2', 14), {'bitorder': '>'}),
        (('u1', 12), {'bitorder': '<'}), (('u4', 12), {'bitorder': '>'}), (('>u2', 12), {'bitorder': '<'}),
        (('u2', 12), {'bitorder': '<', 'runlen': 4}), (('u2', 12), {'bitorder': '!'}),
    ):
        with pytest.raises(ValueError):
            ndcodecs.packints_decode(data, *args, **kwargs)
    with pytest.raises(ValueError):
        ndcodecs.packints_encode(numpy.zeros(4, 'u4'), 12, bitorder='<')
    with pytest.raises(ndcodecs.PackintsError):
        ndcodecs.packints_encode(numpy.zeros(4, 'u2'), 12, bitorder='>', out=bytearray(5))


def test_bfloat16_encode_vector_tails():
    """Every length around the vector width, every rounding, both byte orders."""
    bits = _float_bits(1000, seed=5)
    for n in list(range(0, 20)) + [len(bits)]:
        x = bits[:n].view(numpy.float32)
        for rounding in ROUNDINGS:
            for byteorder in ('<', '>'):
                assert ndcodecs.bfloat16_encode(x, rounding=rounding, byteorder=byteorder) == ic.bfloat16_encode(
                    x, rounding=rounding, byteorder=byteorder)


def test_releases_gil():
    """A Python thread keeps running while a long C call works."""
    x = numpy.random.default_rng(0).normal(0, 1, 1 << 24).astype(numpy.float32)
    packed = ndcodecs.packints_encode(numpy.zeros(1 << 25, 'u2'), 12, bitorder='<')
    assert_releases_gil(lambda: ndcodecs.bfloat16_encode(x), lambda: ndcodecs.float24_encode(x),
                        lambda: ndcodecs.packints_decode(packed, 'u2', 12, bitorder='<'))

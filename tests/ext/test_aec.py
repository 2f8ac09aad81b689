"""Tests of the aec and szip codecs (libaec)."""

import io

import numpy
import pytest

import ndcodecs

pytestmark = pytest.mark.skipif(
    not ndcodecs.get_codec('aec').available, reason='libaec not built'
)

DTYPES = ['u1', 'i1', 'u2', 'i2', 'u4', 'i4', 'f4']
SHAPES = [(1,), (7,), (37, 41), (3, 33, 5), (2, 3, 4, 5), (1, 1, 1, 1)]


def _array(dtype, shape, seed=0):
    rng = numpy.random.default_rng(seed)
    return rng.normal(0, 300, shape).astype(dtype)


def _imagecodecs():
    return pytest.importorskip('imagecodecs')


# ---------------------------------------------------------------- aec

@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('dtype', DTYPES + ['>u2', '>i4'])
def test_aec_roundtrip(dtype, shape):
    x = _array(dtype, shape)
    encoded = ndcodecs.aec_encode(x)
    assert isinstance(encoded, bytes)
    out = numpy.empty_like(x)
    result = ndcodecs.aec_decode(encoded, out=out)
    assert result is out
    assert out.tobytes() == x.tobytes()
    # without out: all samples, including the padding of the last block
    flags = ndcodecs.AEC.FLAG.DATA_PREPROCESS
    if x.dtype.kind in 'if' and x.itemsize > 1:
        flags |= ndcodecs.AEC.FLAG.DATA_SIGNED
    if x.dtype.byteorder == '>':
        flags |= ndcodecs.AEC.FLAG.DATA_MSB
    decoded = ndcodecs.aec_decode(encoded, bitspersample=x.itemsize * 8, flags=flags)
    assert decoded[: x.nbytes] == x.tobytes()
    assert len(decoded) - x.nbytes < 8 * x.itemsize
    assert ndcodecs.aec_decode(encoded, bitspersample=x.itemsize * 8, flags=flags, out=x.nbytes) == x.tobytes()


@pytest.mark.parametrize('blocksize', [8, 16, 32, 64])
@pytest.mark.parametrize('rsi', [1, 2, 64, 4096])
@pytest.mark.parametrize("flags", [0, 8, 8 | 16, 8 | 64])
def test_aec_parameters(blocksize, rsi, flags):
    x = _array('u2', (33, 47)) & 0x0FFF
    kw = dict(blocksize=blocksize, rsi=rsi, flags=flags)
    encoded = ndcodecs.aec_encode(x, **kw)
    assert ndcodecs.aec_decode(encoded, out=numpy.empty_like(x), **kw).tobytes() == x.tobytes()
    encoded = ndcodecs.aec_encode(x, bitspersample=12, **kw)
    assert ndcodecs.aec_decode(encoded, bitspersample=12, out=numpy.empty_like(x), **kw).tobytes() == x.tobytes()


@pytest.mark.parametrize('bits', [1, 3, 7, 8, 9, 13, 16, 17, 24, 25, 31, 32])
def test_aec_random_never_overflows(bits):
    """Incompressible data of many sizes: the bound holds (run under valgrind)."""
    rng = numpy.random.default_rng(bits)
    dtype = 'u1' if bits <= 8 else 'u2' if bits <= 16 else 'u4'
    for size in [1, 2, 7, 8, 9, 63, 64, 65, 1000, 4097, 100_000]:
        x = rng.integers(0, 1 << bits, size, dtype=numpy.uint64).astype(dtype)
        for blocksize, rsi in [(8, 1), (64, 4096), (16, 128)]:
            for flags in [0, 8, 8 | 64] + ([8 | 16] if bits <= 4 else []):
                encoded = ndcodecs.aec_encode(x, bitspersample=bits, flags=flags, blocksize=blocksize, rsi=rsi)
                decoded = ndcodecs.aec_decode(
                    encoded, bitspersample=bits, flags=flags, blocksize=blocksize, rsi=rsi,
                    out=numpy.empty_like(x),
                )
                assert decoded.tobytes() == x.tobytes()
    # 3-byte samples
    x = rng.integers(0, 1 << 24, 999, dtype=numpy.uint32)
    data = x.view('u1').reshape(-1, 4)[:, :3].tobytes()
    encoded = ndcodecs.aec_encode(data, bitspersample=24, flags=8 | 2)
    assert ndcodecs.aec_decode(encoded, bitspersample=24, flags=8 | 2, out=len(data)) == data


def test_aec_pad_rsi():
    """PAD_RSI streams decode; libaec < 1.1 encodes them wrongly: refused."""
    x = _array('u2', (33, 47)) & 0x0FFF
    kw = dict(blocksize=16, rsi=2, flags=8 | 32)
    try:
        encoded = ndcodecs.aec_encode(x, **kw)
    except ValueError:
        imagecodecs = _imagecodecs()
        encoded = imagecodecs.aec_encode(x, **kw)
    assert ndcodecs.aec_decode(encoded, out=numpy.empty_like(x), **kw).tobytes() == x.tobytes()


def test_aec_out_encode():
    x = _array('u2', (50, 50))
    encoded = ndcodecs.aec_encode(x)
    buf = bytearray(len(encoded) + 10)
    view = ndcodecs.aec_encode(x, out=buf)
    assert bytes(view) == encoded
    assert ndcodecs.aec_encode(x, out=bytearray) == encoded
    with pytest.raises(ndcodecs.AecError):
        ndcodecs.aec_encode(x, out=bytearray(len(encoded) - 1))
    with pytest.raises(ndcodecs.AecError):
        ndcodecs.aec_encode(x, out=10)


def test_aec_arguments():
    with pytest.raises(ValueError):
        ndcodecs.aec_encode(numpy.zeros(4, 'f8'))
    with pytest.raises(ValueError):
        ndcodecs.aec_encode(b'abc', bitspersample=16)  # not whole samples
    with pytest.raises(ValueError):
        ndcodecs.aec_encode(b'ab', bitspersample=33)
    with pytest.raises(ValueError):
        ndcodecs.aec_encode(b'ab', blocksize=12)
    with pytest.raises(ValueError):
        ndcodecs.aec_encode(b'ab', rsi=0)
    with pytest.raises(TypeError):
        ndcodecs.aec_encode('abc')
    with pytest.raises(TypeError):
        ndcodecs.aec_decode(None)
    assert ndcodecs.aec_check(b'abc') is None
    assert ndcodecs.aec_version().startswith('libaec')
    assert set(ndcodecs.AEC.FLAG.__members__) >= {
        'DATA_SIGNED', 'DATA_3BYTE', 'DATA_MSB', 'DATA_PREPROCESS', 'RESTRICTED',
        'PAD_RSI', 'NOT_ENFORCE', 'MSB',
    }


def test_aec_empty():
    encoded = ndcodecs.aec_encode(b'')
    assert ndcodecs.aec_decode(encoded, out=0) == b''
    assert ndcodecs.aec_decode(b'', out=numpy.empty(0, 'u2')).size == 0
    with pytest.raises(ndcodecs.AecError):
        ndcodecs.aec_decode(b'')
    with pytest.raises(ndcodecs.AecError):
        ndcodecs.aec_decode(b'', out=numpy.empty(3, 'u2'))


def test_aec_malformed():
    x = _array('u2', (64, 64))
    encoded = ndcodecs.aec_encode(x)
    with pytest.raises(ndcodecs.AecError):  # truncated, into an array
        ndcodecs.aec_decode(encoded[: len(encoded) // 2], out=numpy.empty_like(x))
    rng = numpy.random.default_rng(1)
    for i in range(300):
        data = rng.integers(0, 256, int(rng.integers(1, 2000)), numpy.uint8).tobytes()
        for kw in [{}, {'bitspersample': 16}, {'bitspersample': 32, 'blocksize': 64, 'rsi': 4096}]:
            try:
                ndcodecs.aec_decode(data, max_output=1 << 20, **kw)
            except ndcodecs.AecError:
                pass
            try:
                ndcodecs.aec_decode(data, out=numpy.empty_like(x), **kw)
            except ndcodecs.AecError:
                pass


def test_aec_max_output():
    kw = dict(blocksize=64, rsi=4096)
    zeros = ndcodecs.aec_encode(bytes(1 << 20), **kw)
    assert len(zeros) < 1 << 10
    assert ndcodecs.aec_decode(zeros, **kw)[: 1 << 20] == bytes(1 << 20)
    with pytest.raises(ndcodecs.AecError, match='max_output'):
        ndcodecs.aec_decode(zeros, max_output=1000, **kw)


def test_aec_imagecodecs_parity():
    imagecodecs = _imagecodecs()
    for dtype in DTYPES:
        for shape in SHAPES:
            x = _array(dtype, shape)
            encoded = ndcodecs.aec_encode(x)
            assert encoded == imagecodecs.aec_encode(x), (dtype, shape)
            for kw in [dict(blocksize=32, rsi=128), dict(flags=0), dict(blocksize=64, rsi=4096, flags=9)]:
                ours = ndcodecs.aec_encode(x, **kw)
                assert ours == imagecodecs.aec_encode(x, **kw)
            ours = ndcodecs.aec_decode(imagecodecs.aec_encode(x, blocksize=16), blocksize=16, out=numpy.empty_like(x))
            assert ours.tobytes() == x.tobytes()


# --------------------------------------------------------------- szip

SZIP_DTYPES = DTYPES + ['>u2', 'f8', 'u8']


@pytest.mark.parametrize('shape', SHAPES + [(3, 5000)])
@pytest.mark.parametrize('dtype', SZIP_DTYPES)
def test_szip_roundtrip(dtype, shape):
    x = _array(dtype, shape)
    params = ndcodecs.szip_params(x)
    encoded = ndcodecs.szip_encode(x, **params)
    assert encoded == ndcodecs.szip_encode(x)  # parameters from the array
    assert ndcodecs.szip_decode(encoded, out=numpy.empty_like(x)).tobytes() == x.tobytes()
    assert ndcodecs.szip_decode(encoded, out=x.nbytes, **params) == x.tobytes()
    with_header = ndcodecs.szip_encode(x, header=True)
    assert with_header[4:] == encoded
    assert int.from_bytes(with_header[:4], 'little') == x.nbytes
    assert ndcodecs.szip_decode(with_header, header=True, **params) == x.tobytes()
    with pytest.raises(ndcodecs.SzipError, match='unknown'):
        ndcodecs.szip_decode(encoded, **params)


@pytest.mark.parametrize('coding', ['ec', 'nn', 'NN'])
def test_szip_coding(coding):
    x = _array('u2', (64, 64))
    mask = ndcodecs.SZIP.OPTION_MASK[coding.upper()] | ndcodecs.SZIP.OPTION_MASK.LSB
    encoded = ndcodecs.szip_encode(x, coding=coding, pixels_per_block=16)
    assert encoded == ndcodecs.szip_encode(x, mask, 16, 16, 64)
    assert ndcodecs.szip_params(x, coding=coding)['options_mask'] == mask
    assert ndcodecs.szip_decode(encoded, coding=coding, pixels_per_block=16, out=numpy.empty_like(x)).tobytes() == x.tobytes()
    with pytest.raises(TypeError):
        ndcodecs.szip_encode(x, 4, coding=coding)
    with pytest.raises(ValueError):
        ndcodecs.szip_encode(x, coding='xx')


def test_szip_params_imagecodecs():
    imagecodecs = _imagecodecs()
    for dtype in SZIP_DTYPES + ['c8']:
        for shape in SHAPES + [(31,), (4097,), (100, 2), (7, 1), (1, 5000), (2, 33)]:
            x = numpy.zeros(shape, dtype)
            for mask, ppb in [(4, 32), (32, 8), (185, 2), (4, 16)]:
                assert ndcodecs.szip_params(x, mask, ppb) == imagecodecs.szip_params(x, mask, ppb)
    assert ndcodecs.szip_params(b'abcd')['bits_per_pixel'] == 8


def test_szip_imagecodecs_parity():
    imagecodecs = _imagecodecs()
    for dtype in SZIP_DTYPES:
        for shape in SHAPES + [(100, 5000)]:
            x = _array(dtype, shape)
            params = imagecodecs.szip_params(x)
            for header in (False, True):
                theirs = imagecodecs.szip_encode(x, header=header, **params)
                assert ndcodecs.szip_encode(x, header=header, **params) == theirs
            assert ndcodecs.szip_decode(theirs, header=True, **params) == x.tobytes()
            assert imagecodecs.szip_decode(ndcodecs.szip_encode(x, header=True), header=True, **params) == x.tobytes()


def test_szip_hdf5_parity():
    h5py = pytest.importorskip('h5py')
    if not h5py.h5z.filter_avail(h5py.h5z.FILTER_SZIP):
        pytest.skip('HDF5 without SZIP')
    rng = numpy.random.default_rng(0)
    for dtype, shape, opts in [
        ('u2', (64, 100), ('nn', 16)), ('i4', (50, 50), ('ec', 32)),
        ('f4', (40, 7), ('nn', 32)), ('>u2', (32, 64), ('ec', 32)),
        ('u2', (3, 5000), ('nn', 32)), ('f8', (20, 20), ('nn', 8)),
    ]:
        x = rng.normal(100, 3, shape).astype(dtype)
        f = io.BytesIO()
        with h5py.File(f, 'w') as h:
            ds = h.create_dataset('x', data=x, chunks=shape, compression='szip', compression_opts=opts)
            mask, ppb, bits, scanline = ds.id.get_create_plist().get_filter(0)[2][:4]
            filter_mask, raw = ds.id.read_direct_chunk((0, 0))
            assert filter_mask == 0
            ours = ndcodecs.szip_encode(x, mask, ppb, bits, scanline, header=True)
            assert ours == raw
            assert ndcodecs.szip_decode(raw, mask, ppb, bits, scanline, header=True) == x.tobytes()
            ds2 = h.create_dataset('y', shape=shape, dtype=x.dtype, chunks=shape, compression='szip', compression_opts=opts)
            ds2.id.write_direct_chunk((0, 0), ours)
            assert ds2[...].tobytes() == x.tobytes()


@pytest.mark.parametrize('bits', [1, 5, 8, 12, 16, 20, 24, 32, 64])
def test_szip_random_never_overflows(bits):
    rng = numpy.random.default_rng(bits)
    dtype = 'u1' if bits <= 8 else 'u2' if bits <= 16 else 'u4' if bits <= 32 else 'u8'
    for npixels in [1, 2, 3, 31, 32, 33, 1000, 4097, 50_000]:
        pixels = rng.integers(0, 1 << 63, npixels, numpy.uint64) >> numpy.uint64(64 - bits)
        for ppb, scanline in [(2, 3), (8, 1000), (32, 4096), (32, 33)]:
            for mask in [4 | 8, 32 | 8, 4 | 128 | 1 | 8, 32 | 16]:
                order = '>' if mask & 16 else '<'
                data = pixels.astype(order + dtype).tobytes()
                encoded = ndcodecs.szip_encode(data, mask, ppb, bits, scanline, header=True)
                assert ndcodecs.szip_decode(encoded, mask, ppb, bits, scanline, header=True) == data


def test_szip_arguments():
    with pytest.raises(ValueError):
        ndcodecs.szip_encode(b'abc', 12, 32, 16, 64)  # not whole pixels
    with pytest.raises(ValueError):
        ndcodecs.szip_encode(b'abc', 12, 32, 20, 64)  # 17 to 24 bits take 4 bytes
    for args in [(12, 33, 8, 64), (12, 64, 8, 64), (12, 32, 0, 64), (12, 32, 40, 64), (12, 32, 8, 0), (12, 32, 8, 5000)]:
        with pytest.raises(ValueError):
            ndcodecs.szip_encode(b'abcd', *args)
    with pytest.raises(TypeError):
        ndcodecs.szip_encode('abc', 12, 32, 8, 64)
    assert ndcodecs.szip_check(b'abc') is None
    assert ndcodecs.szip_version().startswith('libaec')
    assert ndcodecs.szip_encode(b'', 12, 32, 8, 64) == b''
    assert ndcodecs.szip_encode(b'', 12, 32, 8, 64, header=True) == bytes(4)
    assert ndcodecs.szip_decode(bytes(4), 12, 32, 8, 64, header=True) == b''


def test_szip_malformed():
    x = _array('u2', (64, 64))
    params = ndcodecs.szip_params(x)
    encoded = ndcodecs.szip_encode(x, header=True)
    for bad in [b'', b'\x01', b'\x00\x20\x00', encoded[:4], b'\xff\xff\xff\x7f' + encoded[4:],
                encoded[:4] + b'\x00']:
        with pytest.raises(ndcodecs.SzipError):
            ndcodecs.szip_decode(bad, header=True, **params)
    with pytest.raises(ndcodecs.SzipError, match='max_output'):
        ndcodecs.szip_decode(encoded, header=True, max_output=100, **params)
    with pytest.raises(ndcodecs.SzipError):
        ndcodecs.szip_decode(b'', out=numpy.empty_like(x))
    rng = numpy.random.default_rng(2)
    for i in range(300):
        data = rng.integers(0, 256, int(rng.integers(1, 3000)), numpy.uint8).tobytes()
        for header in (True, False):
            try:
                ndcodecs.szip_decode(data, header=header, out=None if header else 8192, max_output=1 << 22, **params)
            except ndcodecs.SzipError:
                pass
        try:
            ndcodecs.szip_decode(encoded[:4] + data, header=True, **params)
        except ndcodecs.SzipError:
            pass

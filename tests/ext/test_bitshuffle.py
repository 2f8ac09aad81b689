"""Bitshuffle specifics: parity with imagecodecs (plain) and with the bitshuffle
library and its HDF5 filter through hdf5plugin (framed LZ4/zstd layout)."""

import io

import numpy
import pytest

import ndcodecs
from ndcodecs import (
    BITSHUFFLE, BitshuffleError, Bitshuffleh5Error,
    bitshuffle_check, bitshuffle_decode, bitshuffle_encode, bitshuffle_version,
    bitshuffleh5_decode, bitshuffleh5_encode,
)

ITEMSIZES = [1, 2, 3, 4, 8, 16, 5]
COUNTS = [0, 1, 7, 8, 9, 17, 128, 1000, 1031, 4096, 8200, 20001]


def _bytes(n, seed=0):
    rng = numpy.random.default_rng(seed)
    return (1000 + numpy.cumsum(rng.integers(-3, 4, n))).astype('<u8').view('u1')[:n].tobytes()


def test_constants():
    assert BITSHUFFLE.available
    assert bitshuffle_check(b'abc') is None
    assert bitshuffle_version().startswith('ndcodecs ')
    assert issubclass(BitshuffleError, ndcodecs.CodecError)


@pytest.mark.parametrize('itemsize', ITEMSIZES)
def test_imagecodecs_parity(itemsize):
    imagecodecs = pytest.importorskip('imagecodecs')
    for n in COUNTS:
        data = _bytes(n * itemsize, n)
        for blocksize in (0, 8, 64, 136):
            ours = bitshuffle_encode(data, itemsize=itemsize, blocksize=blocksize)
            theirs = imagecodecs.bitshuffle_encode(data, itemsize=itemsize, blocksize=blocksize)
            assert ours == theirs, (n, blocksize)
            assert bitshuffle_decode(theirs, itemsize=itemsize, blocksize=blocksize) == data
            assert imagecodecs.bitshuffle_decode(ours, itemsize=itemsize, blocksize=blocksize) == data


@pytest.mark.parametrize('shape', [(1,), (7,), (33, 5), (4, 5, 6), (2, 3, 4, 5), (300, 301)])
@pytest.mark.parametrize('dtype', ['u1', 'i2', 'f4', 'u8', 'c16', 'V3'])
def test_arrays(shape, dtype):
    raw = numpy.frombuffer(_bytes(int(numpy.prod(shape)) * numpy.dtype(dtype).itemsize), 'u1')
    array = raw.view(dtype).reshape(shape)
    encoded = bitshuffle_encode(array)
    assert isinstance(encoded, numpy.ndarray) and encoded.shape == shape and encoded.dtype == array.dtype
    decoded = bitshuffle_decode(encoded)
    assert decoded.tobytes() == array.tobytes()
    imagecodecs = pytest.importorskip('imagecodecs')
    if dtype != 'V3':
        assert encoded.tobytes() == imagecodecs.bitshuffle_encode(array).tobytes()
    out = numpy.empty_like(array)
    assert bitshuffle_decode(encoded, out=out) is out and out.tobytes() == array.tobytes()


def test_noncontiguous():
    array = numpy.arange(4000, dtype='u2').reshape(40, 100)[:, ::3]
    assert bitshuffle_decode(bitshuffle_encode(array)).tobytes() == numpy.ascontiguousarray(array).tobytes()


def test_errors():
    with pytest.raises(ValueError):
        bitshuffle_encode(bytes(7), itemsize=2)
    with pytest.raises(ValueError):
        bitshuffle_encode(bytes(8), itemsize=0)
    with pytest.raises(BitshuffleError):
        bitshuffle_encode(bytes(64), blocksize=7)
    with pytest.raises(BitshuffleError):
        bitshuffle_encode(bytes(64), out=10)
    with pytest.raises(TypeError):
        bitshuffle_encode('abc')
    assert bitshuffle_encode(b'') == b''


# the HDF5 filter layout ######################################################


@pytest.mark.parametrize('compression', ['lz4', 'zstd'])
@pytest.mark.parametrize('itemsize', ITEMSIZES)
def test_h5_roundtrip(compression, itemsize):
    for n in COUNTS:
        data = _bytes(n * itemsize, n)
        for blocksize in (0, 8, 64):
            encoded = bitshuffleh5_encode(data, itemsize=itemsize, blocksize=blocksize, compression=compression)
            assert int.from_bytes(encoded[:8], 'big') == len(data)
            assert bitshuffleh5_decode(encoded, itemsize=itemsize) == data
            assert bitshuffleh5_decode(encoded, itemsize=itemsize, compression=compression) == data


@pytest.mark.parametrize('compression', ['lz4', 'zstd'])
def test_h5_bitshuffle_library(compression):
    """The stream after the 12-byte header is bitshuffle.compress_lz4/zstd's."""
    bitshuffle = pytest.importorskip('bitshuffle')
    for dtype in ('u1', 'u2', 'u4', 'u8', 'V3'):
        itemsize = numpy.dtype(dtype).itemsize
        for n in (8, 9, 1000, 4099, 20001):
            data = _bytes(n * itemsize, n)
            array = numpy.frombuffer(data, dtype)
            for blocksize in (0, 64):
                ours = bitshuffleh5_encode(data, itemsize=itemsize, blocksize=blocksize, compression=compression)
                if compression == 'lz4':
                    theirs = bitshuffle.compress_lz4(array, blocksize).tobytes()
                    assert ours[12:] == theirs
                    back = bitshuffle.decompress_lz4(numpy.frombuffer(ours[12:], 'u1'), array.shape, array.dtype, blocksize)
                else:  # zstd output depends on the zstd version
                    theirs = bitshuffle.compress_zstd(array, blocksize, 3).tobytes()
                    back = bitshuffle.decompress_zstd(numpy.frombuffer(ours[12:], 'u1'), array.shape, array.dtype, blocksize)
                assert back.tobytes() == data
                assert bitshuffleh5_decode(ours[:12] + theirs, itemsize=itemsize) == data


@pytest.mark.parametrize('compression', ['lz4', 'zstd'])
def test_h5_hdf5plugin(compression):
    h5py = pytest.importorskip('h5py')
    hdf5plugin = pytest.importorskip('hdf5plugin')
    for dtype in ('u1', 'u2', 'f4', 'u8'):
        array = (numpy.frombuffer(_bytes(30001 * 8), 'u8') % 50000).astype(dtype)
        with h5py.File(io.BytesIO(), 'w') as f:
            dset = f.create_dataset('x', data=array, chunks=array.shape, **hdf5plugin.Bitshuffle(cname=compression))
            chunk = dset.id.read_direct_chunk((0,))[1]
            ours = bitshuffleh5_encode(array.tobytes(), itemsize=array.itemsize, compression=compression)
            assert ours[:12] == chunk[:12]
            if compression == 'lz4' or dtype != 'u1':
                assert ours == chunk or compression == 'zstd'
            assert bitshuffleh5_decode(chunk, itemsize=array.itemsize) == array.tobytes()
            dset.id.write_direct_chunk((0,), ours)
            assert (dset[:] == array).all()


def test_h5_malformed():
    data = _bytes(20000)
    encoded = bitshuffleh5_encode(data, itemsize=2)
    for bad in (b'', encoded[:11], encoded[:12], encoded[:-1], encoded + b'x',
                b'\x00' * 7 + b'\x10' + encoded[8:],
                encoded[:8] + b'\x00\x00\x00\x07' + encoded[12:],
                b'\x7f' + b'\xff' * 7 + encoded[8:]):
        with pytest.raises(Bitshuffleh5Error):
            bitshuffleh5_decode(bad, itemsize=2)
    with pytest.raises(Bitshuffleh5Error):
        bitshuffleh5_decode(encoded, itemsize=2, max_output=1000)
    with pytest.raises(ValueError):
        bitshuffleh5_encode(data, compression='gzip')
    with pytest.raises(ValueError):
        bitshuffleh5_encode(bytes(7), itemsize=2)


@pytest.mark.parametrize('dtype', ['u2', 'f4', 'i8'])
def test_large_parity(dtype):
    """Several default blocks and a tail, through the vector byte transposes."""
    imagecodecs = pytest.importorskip('imagecodecs')
    data = numpy.frombuffer(_bytes(8 * (3 * 8192 + 37)), dtype)
    encoded = bitshuffle_encode(data)
    assert numpy.asarray(encoded).tobytes() == numpy.asarray(imagecodecs.bitshuffle_encode(data)).tobytes()
    assert numpy.array_equal(bitshuffle_decode(encoded), data)

"""ndcodecs.decode_many and encode_many: parallel threads, preallocated
buffers, errors naming the chunk, the GIL released."""

import threading

import numpy
import pytest

import ndcodecs
from common import assert_releases_gil


def _chunks(n=64, side=128):
    base = numpy.add.outer(numpy.arange(side, dtype='u2') * 9, numpy.arange(side, dtype='u2'))
    return [base + i for i in range(n)]


@pytest.mark.parametrize('name', ['zstd', 'lz4', 'blosc', 'zlib', 'png'])
def test_same_as_serial(name):
    codec = ndcodecs.get_codec(name)
    if not codec.available:
        pytest.skip(codec.reason)
    chunks = _chunks()
    encoded = ndcodecs.encode_many(name, chunks)
    assert [bytes(e) for e in encoded] == [bytes(codec.encode(c)) for c in chunks]
    decoded = ndcodecs.decode_many(codec, encoded)
    for d, c in zip(decoded, chunks):
        assert numpy.array_equal(numpy.frombuffer(d, 'u2').reshape(c.shape) if isinstance(d, bytes) else d, c)
    assert ndcodecs.decode_many(name, encoded, numthreads=1)[5] is not None


def test_out_preallocated():
    """Chunks decode into the rows of one array, in place."""
    chunks = _chunks(32, 64)
    encoded = ndcodecs.encode_many('zstd', chunks, level=1)
    out = numpy.zeros((32, 64, 64), 'u2')
    result = ndcodecs.decode_many('zstd', encoded, out=list(out))
    assert all(r is o or numpy.shares_memory(r, o) for r, o in zip(result, out))
    numpy.testing.assert_array_equal(out, numpy.stack(chunks))
    with pytest.raises(ValueError):
        ndcodecs.decode_many('zstd', encoded, out=list(out)[:3])


def test_numcodecs_instance():
    ndnc = pytest.importorskip('ndcodecs.numcodecs')
    codec = ndnc.Lz4()
    chunks = _chunks(16)
    encoded = ndcodecs.encode_many(codec, chunks)
    decoded = ndcodecs.decode_many(codec, encoded)
    assert all(bytes(d) == c.tobytes() for d, c in zip(decoded, chunks))


def test_errors():
    encoded = ndcodecs.encode_many('zstd', _chunks(20))
    encoded[13] = b'\x28\xb5\x2f\xfd' + b'\xff' * 40
    with pytest.raises(ndcodecs.ZstdError) as info:
        ndcodecs.decode_many('zstd', encoded, numthreads=4)
    assert 'zstd: chunk 13 of 20' in info.value.__notes__
    with pytest.raises(TypeError):
        ndcodecs.decode_many(42, encoded)
    with pytest.raises(ValueError):
        ndcodecs.decode_many('zstd', encoded, numthreads=0)
    assert ndcodecs.decode_many('zstd', []) == []


def test_threads_agree():
    chunks = _chunks(48)
    encoded = ndcodecs.encode_many('zstd', chunks, numthreads=1)
    for n in (2, 4, 16):
        assert [bytes(e) for e in ndcodecs.encode_many('zstd', chunks, numthreads=n)] == \
            [bytes(e) for e in encoded]


def test_releases_gil():
    """While decode_many runs, this thread keeps running."""
    chunks = [numpy.random.default_rng(i).integers(0, 4000, 1 << 20, 'u2') for i in range(8)]
    encoded = ndcodecs.encode_many('zstd', chunks, level=1)
    assert_releases_gil(lambda: [ndcodecs.decode_many('zstd', encoded, numthreads=2) for _ in range(5)], too_fast='skip')


def test_concurrent_callers_grow_the_pool():
    """Callers asking for more threads while others run all finish."""
    chunks = _chunks(32, 64)
    encoded = ndcodecs.encode_many('lz4', chunks, numthreads=1)
    results = {}

    def work(k):
        results[k] = ndcodecs.decode_many('lz4', encoded, numthreads=2 + k % 6)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 12
    assert all([bytes(r) for r in v] == [c.tobytes() for c in chunks] for v in results.values())

"""sz3: registered unavailable, because pysz's decoder lets a stream decide
how much memory it takes; the test below keeps checking that reason."""

import subprocess
import sys

import pytest

import ndcodecs
from ndcodecs import get_codec


def test_unavailable_with_reason():
    codec = get_codec('sz3')
    assert not codec.available
    assert codec.reason.startswith('sz3 is not available: ')
    assert 'pysz' in codec.reason and 'SZ_decompress' in codec.reason
    assert ndcodecs.SZ3.available is False
    with pytest.raises(ndcodecs.DelayedImportError, match='pysz'):
        ndcodecs.sz3_encode(b'data')
    with pytest.raises(ndcodecs.DelayedImportError, match='pysz'):
        ndcodecs.sz3_decode(b'data', (1,), 'f4')


# A float64 stream from pysz with four bytes changed, as the fuzzer found it;
# run under a 2 GiB address-space limit, its decoding must fail to allocate.
_REPRODUCER = r'''
import random, resource
import numpy as np
from pysz import sz, szConfig, szErrorBoundMode
rng = np.random.default_rng(0)
for shape, dt in (((1000,), 'f4'), ((40, 50), 'f8')):
    x = (np.sin(np.arange(np.prod(shape)) / 30) * 100 + rng.normal(0, 1, np.prod(shape))).astype(dt).reshape(shape)
c = szConfig(); c.errorBoundMode = szErrorBoundMode.ABS; c.absErrorBound = 1e-2; c.cmprAlgo = 0
stream = bytearray(bytes(sz.compress(x, c)[0]))
r = random.Random(11956)
r.random()
for _ in range(r.randint(1, 8)):
    p = r.randrange(len(stream))
    if r.random() < 0.5:
        stream[p] = r.randrange(256)
    else:
        stream[p] ^= 1 << r.randrange(8)
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
try:
    sz.decompress(np.frombuffer(bytes(stream), np.uint8).copy(), np.float64, (40, 50))
except MemoryError:
    print('MemoryError')
except Exception as exc:
    print('raised', type(exc).__name__, exc)
else:
    print('decoded')
'''


def test_pysz_decoder_allocation_unbounded():
    """If this fails, pysz now bounds its decoder: sz3 may be provided."""
    pytest.importorskip('pysz', reason='pysz is not installed (the reason is checked with it)')
    result = subprocess.run([sys.executable, '-c', _REPRODUCER], capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 or 'MemoryError' in result.stdout, (result.stdout, result.stderr[-500:])

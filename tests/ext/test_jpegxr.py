"""JPEG XR (jxrlib) specifics: pixel formats, lossless and lossy modes,
parity with imagecodecs, malformed streams, threads and memory."""

import os
import resource
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy
import pytest

import ndcodecs
from ndcodecs import JPEGXR, JpegxrError, jpegxr_check, jpegxr_decode, jpegxr_encode, jpegxr_version
from common import assert_runs_in_parallel, imagecodecs_with, psnr


def image(shape, dtype=numpy.uint8, seed=0):
    """Smooth photo-like samples with a little noise, in the dtype's range."""
    rng = numpy.random.default_rng(seed)
    height, width = shape[:2]
    y, x = numpy.mgrid[:height, :width] / max(height, width, 2)
    base = 0.5 + 0.4 * numpy.sin(7 * x + 1) * numpy.cos(5 * y)
    if len(shape) == 3:
        base = base[..., None] * numpy.linspace(0.6, 1.0, shape[2])
    base = numpy.clip(base + rng.normal(0, 0.01, base.shape), 0, 1)
    dtype = numpy.dtype(dtype)
    if dtype.kind == 'f':
        return base.astype(dtype)
    if dtype.kind == 'b':
        return base > 0.5
    return (base * numpy.iinfo(dtype).max).round().astype(dtype)


def test_constants_and_version():
    assert JPEGXR.available
    assert JPEGXR.PI.CMYK == 5
    assert jpegxr_version().startswith('jxrlib ')
    assert issubclass(JpegxrError, ndcodecs.CodecError)


def test_constants_match_imagecodecs():
    ic = imagecodecs_with('jpegxr')
    assert {k: int(v) for k, v in JPEGXR.PI.__members__.items()} == {
        k: int(v) for k, v in ic.JPEGXR.PI.__members__.items()}


def test_check():
    encoded = jpegxr_encode(image((8, 8)))
    assert encoded.startswith(b'II\xbc')
    assert jpegxr_check(encoded)
    assert not jpegxr_check(b'')
    assert not jpegxr_check(b'\x89PNG')
    assert ndcodecs.get_codec('jpegxr').check(encoded)
    assert ndcodecs.get_codec('jpegxr').name == ndcodecs.codec_for_bytes(encoded).name


# round trips

@pytest.mark.parametrize('dtype', ['uint8', 'uint16', 'float16'])
@pytest.mark.parametrize('shape', [(1, 1), (17, 3), (33, 65), (16, 16), (23, 19, 3), (16, 32, 4), (5, 70, 4)])
def test_lossless_roundtrip(shape, dtype):
    data = image(shape, dtype)
    decoded = jpegxr_decode(jpegxr_encode(data))
    assert decoded.dtype == data.dtype
    numpy.testing.assert_array_equal(decoded, data)


@pytest.mark.parametrize('shape', [(17, 3), (33, 65), (23, 19, 3), (16, 32, 4)])
def test_float32(shape):
    data = image(shape, numpy.float32)
    decoded = jpegxr_decode(jpegxr_encode(data))
    assert decoded.dtype == numpy.float32
    # JPEG XR stores float32 with a shortened mantissa
    numpy.testing.assert_allclose(decoded, data, atol=1e-4)


def test_bool():
    data = image((37, 45), bool)
    decoded = jpegxr_decode(jpegxr_encode(data))
    assert decoded.dtype == bool
    numpy.testing.assert_array_equal(decoded, data)


@pytest.mark.parametrize('dtype', ['uint8', 'uint16'])
@pytest.mark.parametrize('samples,hasalpha', [(5, None), (6, False), (8, None), (5, True), (9, True)])
def test_channels(samples, hasalpha, dtype):
    data = image((20, 24, samples), dtype)
    decoded = jpegxr_decode(jpegxr_encode(data, hasalpha=hasalpha))
    numpy.testing.assert_array_equal(decoded, data)


@pytest.mark.parametrize('dtype', ['uint8', 'uint16'])
def test_cmyk(dtype):
    data = image((20, 24, 4), dtype)
    numpy.testing.assert_array_equal(jpegxr_decode(jpegxr_encode(data, photometric=JPEGXR.PI.CMYK)), data)
    data = image((20, 24, 5), dtype)
    numpy.testing.assert_array_equal(jpegxr_decode(jpegxr_encode(data, photometric='CMYK', hasalpha=True)), data)


def test_rgb_without_alpha():
    data = image((20, 24, 4))
    encoded = jpegxr_encode(data, hasalpha=False)
    numpy.testing.assert_array_equal(jpegxr_decode(encoded), data)
    assert encoded != jpegxr_encode(data)


def test_lossy():
    data = image((64, 80, 3))
    sizes = []
    for level in (0.1, 0.5, 0.9):
        encoded = jpegxr_encode(data, level=level)
        decoded = jpegxr_decode(encoded)
        assert decoded.shape == data.shape
        sizes.append(len(encoded))
    assert sizes == sorted(sizes)
    assert psnr(jpegxr_decode(jpegxr_encode(data, level=0.9)), data) > 38
    assert psnr(jpegxr_decode(jpegxr_encode(data, level=0.5)), data) > 28
    # percentages
    assert jpegxr_encode(data, level=90) == jpegxr_encode(data, level=0.9)
    lossless = jpegxr_encode(data)
    for level in (None, 0, 1, 1.0, 100, -1):
        assert jpegxr_encode(data, level=level) == lossless
    for dtype in ('uint16', 'float16', 'float32'):
        data = image((40, 48, 3), dtype)
        top = 65535.0 if dtype == 'uint16' else 1.0
        assert psnr(jpegxr_decode(jpegxr_encode(data, level=0.8)), data, top) > 30


def test_resolution():
    data = image((16, 16))
    encoded = jpegxr_encode(data, resolution=(300.0, 150.0))
    assert encoded != jpegxr_encode(data)
    numpy.testing.assert_array_equal(jpegxr_decode(encoded), data)


# parity with imagecodecs

@pytest.mark.parametrize('shape,dtype', [
    ((31, 33), 'uint8'), ((31, 33, 3), 'uint8'), ((31, 33, 4), 'uint8'),
    ((31, 33), 'uint16'), ((31, 33, 3), 'uint16'), ((31, 33, 4), 'uint16'),
    ((31, 33), 'float16'), ((31, 33, 3), 'float16'), ((31, 33, 4), 'float16'),
    ((31, 33), 'float32'), ((31, 33, 3), 'float32'), ((31, 33, 4), 'float32'),
    ((31, 33), 'bool'), ((31, 33, 5), 'uint8'),
])
def test_parity_imagecodecs(shape, dtype):
    ic = imagecodecs_with('jpegxr')
    data = image(shape, dtype)
    ours = jpegxr_encode(data)
    theirs = ic.jpegxr_encode(data)
    numpy.testing.assert_array_equal(jpegxr_decode(theirs), ic.jpegxr_decode(theirs))
    numpy.testing.assert_array_equal(ic.jpegxr_decode(ours), jpegxr_decode(ours))
    if dtype != 'float32':
        numpy.testing.assert_array_equal(ic.jpegxr_decode(ours), data)
        numpy.testing.assert_array_equal(jpegxr_decode(theirs), data)


@pytest.mark.parametrize('level', [0.5, 0.9])
def test_parity_imagecodecs_lossy(level):
    ic = imagecodecs_with('jpegxr')
    data = image((64, 72, 3))
    ours = jpegxr_encode(data, level=level)
    theirs = ic.jpegxr_encode(data, level=level)
    numpy.testing.assert_array_equal(jpegxr_decode(theirs), ic.jpegxr_decode(theirs))
    assert psnr(ic.jpegxr_decode(ours), data) > 28
    assert psnr(jpegxr_decode(theirs), data) > 28


# out=, arguments, bad input

def test_out():
    data = image((20, 30, 3))
    encoded = jpegxr_encode(data)
    out = numpy.zeros((20, 30, 3), numpy.uint8)
    assert jpegxr_decode(encoded, out=out) is out
    numpy.testing.assert_array_equal(out, data)
    out = numpy.zeros((32, 48), numpy.uint16)
    encoded16 = jpegxr_encode(image((32, 48), numpy.uint16))
    assert jpegxr_decode(encoded16, out=out) is out
    numpy.testing.assert_array_equal(out, image((32, 48), numpy.uint16))
    buffer = bytearray(data.nbytes)
    jpegxr_decode(encoded, out=buffer)
    assert bytes(buffer) == data.tobytes()
    with pytest.raises(ValueError):
        jpegxr_decode(encoded, out=numpy.zeros((20, 30), numpy.uint8))
    assert isinstance(jpegxr_encode(data, out=bytearray), bytearray)
    buffer = bytearray(len(encoded) + 100)
    assert bytes(jpegxr_encode(data, out=buffer)) == encoded
    assert jpegxr_encode(data, out=len(encoded)) == encoded
    with pytest.raises(JpegxrError):
        jpegxr_encode(data, out=10)
    noise = numpy.random.default_rng(0).integers(0, 256, (64, 64, 3), numpy.uint8)
    numpy.testing.assert_array_equal(jpegxr_decode(jpegxr_encode(noise)), noise)


def test_bad_arguments():
    for bad in ('abc', None):
        with pytest.raises(TypeError):
            jpegxr_encode(bad)
        with pytest.raises(TypeError):
            jpegxr_decode(bad)
    for bad in (numpy.zeros((4, 4), numpy.int16), numpy.zeros((4, 4), numpy.float64),
                numpy.zeros((4,), numpy.uint8), numpy.zeros((0, 4), numpy.uint8),
                numpy.zeros((4, 4, 2), numpy.uint8), numpy.zeros((4, 4, 10), numpy.uint8),
                numpy.zeros((2, 4, 4, 3), numpy.uint8), numpy.zeros((4, 4, 5), numpy.float32)):
        with pytest.raises(ValueError):
            jpegxr_encode(bad)
    with pytest.raises(ValueError):
        jpegxr_encode(image((4, 4, 3)), photometric=99)


def test_bad_input():
    data = image((40, 50, 3))
    encoded = jpegxr_encode(data)
    for bad in (b'', b'II', b'II\xbc', b'II\xbc\x01', b'\x00' * 100, encoded[:20], b'II\xbc\x01' + bytes(200)):
        with pytest.raises(JpegxrError):
            jpegxr_decode(bad)
    for size in range(1, len(encoded) - 1, max(1, len(encoded) // 60)):
        try:
            jpegxr_decode(encoded[:size])
        except JpegxrError:
            pass
    # corrupt container and image headers (the first bytes, before the
    # entropy-coded data)
    rng = numpy.random.default_rng(0)
    header = encoded.find(b'WMPHOTO') + 24
    for _ in range(300):
        bad = bytearray(encoded)
        bad[rng.integers(4, header)] = rng.integers(0, 256)
        try:
            jpegxr_decode(bytes(bad))
        except JpegxrError:
            pass


def _corrupt_streams(count, seed=0):
    """Streams with 1 to 3 random bytes changed; many corrupt the
    entropy-coded data that crashes jxrlib."""
    y, x = numpy.mgrid[:40, :50]
    data = (128 + 100 * numpy.sin(x / 5) * numpy.cos(y / 7)).astype(numpy.uint8)
    encoded = jpegxr_encode(numpy.dstack([data, data.T[:40, :40].repeat(2, 1)[:, :50], 255 - data]))
    rng = numpy.random.default_rng(seed)
    streams = []
    for _ in range(count):
        bad = bytearray(encoded)
        for _ in range(rng.integers(1, 4)):
            bad[rng.integers(0, len(bad))] = rng.integers(0, 256)
        streams.append(bytes(bad))
    return streams


def _outcome(stream):
    try:
        return jpegxr_decode(stream).tobytes()
    except JpegxrError as exc:
        return str(exc)


def _crashing_stream():
    for stream in _corrupt_streams(200):
        outcome = _outcome(stream)
        if isinstance(outcome, str) and 'crashed' in outcome:
            return stream
    pytest.fail('none of 200 corrupt streams crashes jxrlib')


def test_corrupt_payload_does_not_crash():
    """Streams that crash jxrlib raise JpegxrError; run in a child process so
    that a regression fails this test only."""
    code = (
        'import sys\n'
        f'sys.path[:0] = [{os.path.dirname(__file__)!r}, {os.path.dirname(os.path.dirname(__file__))!r}]\n'
        'import test_jpegxr as t\n'
        'outcomes = [t._outcome(s) for s in t._corrupt_streams(500)]\n'
        'print(sum("crashed on this stream (signal" in o for o in outcomes if isinstance(o, str)))\n'
    )
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, timeout=300, text=True)
    assert result.returncode == 0, f'the process died with status {result.returncode}: {result.stderr[-2000:]}'
    # the crash path was taken, not only jxrlib's own error returns
    assert int(result.stdout.split()[-1]) > 0


def test_crash_message(isolation):
    stream = _crashing_stream()
    for _ in range(3):
        with pytest.raises(JpegxrError, match=r'jxrlib crashed on this stream \(signal \d+: SIG\w+\)'):
            jpegxr_decode(stream)
    # the process is fine: it still decodes
    data = image((20, 30, 3))
    numpy.testing.assert_array_equal(jpegxr_decode(jpegxr_encode(data)), data)


def _children():
    """{pid: state} of the processes whose parent is this process."""
    found = {}
    for task in os.listdir('/proc/self/task'):
        with open(f'/proc/self/task/{task}/children') as f:
            for pid in f.read().split():
                with open(f'/proc/{pid}/stat') as stat:
                    found[pid] = stat.read().rsplit(')', 1)[1].split()[0]
    return found


def test_crashes_in_threads_and_no_zombies(isolation):
    streams = _corrupt_streams(60, seed=1) + [jpegxr_encode(image((40, 50, 3), seed=i)) for i in range(4)]
    expected = [_outcome(s) for s in streams]
    assert any('crashed' in o for o in expected if isinstance(o, str))
    before = _children()
    with ThreadPoolExecutor(4) as pool:
        for _ in range(2):
            assert list(pool.map(_outcome, streams)) == expected
    after = _children()
    assert 'Z' not in after.values()
    # no more than the idle helpers, one per core
    assert len(set(after) - set(before)) <= max(2, os.cpu_count())


def test_interrupted_wait(isolation):
    """Signals arriving while the parent waits for the child (EINTR) do not
    fail the decode."""
    import signal
    data = image((1024, 1024, 3))
    encoded = jpegxr_encode(data)
    ticks = []
    old = signal.signal(signal.SIGALRM, lambda *args: ticks.append(1))
    signal.setitimer(signal.ITIMER_REAL, 0.002, 0.002)
    try:
        for _ in range(3):
            numpy.testing.assert_array_equal(jpegxr_decode(encoded), data)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert ticks


def test_max_output():
    data = image((64, 64, 3), numpy.uint16)
    encoded = jpegxr_encode(data)
    with pytest.raises(JpegxrError, match='max_output'):
        jpegxr_decode(encoded, max_output=data.nbytes - 1)
    numpy.testing.assert_array_equal(jpegxr_decode(encoded, max_output=data.nbytes), data)


def test_huge_header():
    """Width and height tags claiming a huge image fail before allocating."""
    encoded = bytearray(jpegxr_encode(image((16, 16))))
    # the IFD entries 0xBC80 (width) and 0xBC81 (height), LONG
    for tag in (0xBC80, 0xBC81):
        pos = encoded.find(struct.pack('<H', tag))
        assert pos > 0
        encoded[pos + 8:pos + 12] = struct.pack('<I', 1 << 30)
    with pytest.raises(JpegxrError):
        jpegxr_decode(bytes(encoded))


# threads, the GIL, memory

def test_threads():
    data = [image((64, 48 + i, 3), seed=i) for i in range(8)]
    streams = [jpegxr_encode(d) for d in data]
    lossy = [jpegxr_encode(d, level=0.7) for d in data]
    expected = [jpegxr_decode(s).tobytes() for s in lossy]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            assert list(pool.map(lambda s: jpegxr_decode(s).tobytes(), streams)) == [d.tobytes() for d in data]
            assert list(pool.map(lambda s: jpegxr_decode(s).tobytes(), lossy)) == expected
            assert list(pool.map(jpegxr_encode, data)) == streams
            assert list(pool.map(lambda d: jpegxr_encode(d, level=0.7), data)) == lossy


def _max_gap_while(func):
    done = threading.Event()
    duration = []

    def work():
        start = time.perf_counter()
        func()
        duration.append(time.perf_counter() - start)
        done.set()

    thread = threading.Thread(target=work)
    last = time.perf_counter()
    gap = 0.0
    thread.start()
    while not done.is_set():
        now = time.perf_counter()
        gap = max(gap, now - last)
        last = now
    thread.join()
    return duration[0], gap


def test_releases_gil():
    data = image((1024, 1024, 3))
    encoded = jpegxr_encode(data)
    for func in (lambda: jpegxr_encode(data), lambda: [jpegxr_decode(encoded) for _ in range(2)]):
        duration, gap = _max_gap_while(func)
        if duration < 0.05:
            pytest.skip('too fast to tell a held GIL from a switch interval')
        assert gap < duration / 2, f'paused {gap:.3f} s during a {duration:.3f} s call'


def _cpu():
    """CPU time of this process and its finished children, which decode."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def test_two_threads_faster_than_sequential():
    encoded = jpegxr_encode(image((1024, 1024, 3)))
    assert_runs_in_parallel(lambda: jpegxr_decode(encoded))


def _rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def test_memory_flat():
    data = image((16, 16, 3))
    for _ in range(300):
        jpegxr_decode(jpegxr_encode(data))
    start = _rss()
    # each decode forks a child: a few thousand are enough to show a leak
    for i in range(3000):
        jpegxr_decode(jpegxr_encode(data, level=0.5 if i % 2 else None))
        try:
            jpegxr_decode(b'II\xbc\x01' + bytes(40))
        except JpegxrError:
            pass
    grown = _rss() - start
    assert grown < 4 << 20, f'RSS grew by {grown} bytes'

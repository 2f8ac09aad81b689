"""A long-lived benchmark worker: one process per library family.

    python bench/worker.py ndcodecs|imagecodecs|opencodecs|python

The coordinator (run.py) sends length-prefixed pickled requests on stdin
and reads the replies on the original stdout; anything a library prints
goes to stderr. Libraries with bundled copies of the same C libraries
never share a process, so they cannot clash.

Requests:
    {'cmd': 'hello'}
    {'cmd': 'setup', 'lib', 'codec', 'info', 'level', 'threads', 'dataset', 'stream', 'want_stream', 'min_time'}
        load and checksum the dataset, build the library's calls, check that
        decode(encode(data)) and decode(stream) give the original bytes back
        (or, for lossy settings, an array within the PSNR of the setting),
        and estimate the time of one call of each operation
    {'cmd': 'time', 'lib', 'op', 'n'}    run n calls, return the total seconds
    {'cmd': 'clear'}
"""

from __future__ import annotations

import gc
import itertools
import os
import pickle
import struct
import sys
import time
import traceback

import bench_data
import peers

WORKER_LIBS = {
    name: tuple(lib for lib, worker in peers.WORKER_OF.items() if worker == name)
    for name in set(peers.WORKER_OF.values())
}


def timed(func, arg, n: int) -> float:
    """Return the seconds that n calls of func(arg) take, garbage collector off."""
    loop = itertools.repeat(None, n)
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in loop:
            func(arg)
        return time.perf_counter() - start
    finally:
        if enabled:
            gc.enable()


def same_bytes(result, data: bytes) -> bool:
    try:
        view = memoryview(result)
    except TypeError:
        return False
    return view.nbytes == len(data) and view.tobytes() == data


def estimate(func, arg, first: float, min_time: float) -> float:
    """Return the time of one call, repeating short calls to min_time."""
    if first >= min_time:
        return first
    n = 1
    while True:
        n = max(n * 2, int(min_time / max(first, 1e-7) * 1.2))
        first = timed(func, arg, n) / n
        if first * n >= min_time or n > 10_000_000:
            return first


class Worker:
    def __init__(self, name: str) -> None:
        self.name = name
        self.libs = WORKER_LIBS[name]
        self.state: dict[str, dict] = {}
        self.data_key = None
        self.data = None

    def hello(self, msg):
        versions, codecs = {}, {}
        for lib in self.libs:
            try:
                versions[lib] = peers.versions(lib)
            except Exception as exc:  # a missing library is reported, not fatal
                versions[lib] = f'unavailable: {exc!r}'
        if self.name == 'ndcodecs':
            import ndcodecs

            for name in ndcodecs.list_codecs():
                c = ndcodecs.get_codec(name)
                codecs[name] = peers.codec_info(c)
        return {'versions': versions, 'codecs': codecs, 'pid': os.getpid(),
                'executable': sys.executable}

    def dataset(self, entry) -> bytes:
        if self.data_key != entry['sha256']:
            self.data = None  # free the previous one first
            self.data = bench_data.read_checked(entry)
            self.data_key = entry['sha256']
        return self.data

    def setup(self, msg):
        lib = msg['lib']
        self.state.pop(lib, None)
        data = self.dataset(msg['dataset'])
        codec, lv, info = msg['codec'], msg['level'], msg['info']
        array = None
        if peers.spec(codec, info['kind']).get('input') == 'array':
            array = bench_data.as_array(msg['dataset'], data)
        try:
            calls = peers.make(lib, codec, lv, msg['threads'],
                               msg['dataset']['itemsize'], len(data), array, info)
        except peers.Unsupported as exc:
            return {'unsupported': str(exc)}
        arg = array if array is not None else data
        arg = calls.prepare(arg) if calls.prepare else arg
        psnr = peers.is_lossy(codec, lv, info)

        def check(decoded, what):
            if psnr is None:
                if not same_bytes(decoded, data):
                    raise AssertionError(f'{what} != data')
            elif (value := bench_data.psnr(array, decoded)) < psnr:
                raise AssertionError(f'{what}: PSNR {value:.1f} dB < {psnr} dB')

        min_time = msg.get('min_time', 0.01)
        reply = {'labels': {'encode': calls.encode_label, 'decode': calls.decode_label},
                 'version': calls.version}
        state = {'calls': calls, 'arg': arg}
        stream = msg.get('stream')
        # encode, and check that our own decoder gives the data back
        if calls.encode is not None:
            try:
                start = time.perf_counter()
                encoded = calls.encode(arg)
                first = time.perf_counter() - start
                size = memoryview(encoded).nbytes
                check(calls.decode(encoded), 'decode(encode(data))')
                reply['encode'] = {'ok': True, 'size': size,
                                   'time': estimate(calls.encode, arg, first, min_time)}
                if stream is None:  # arrays (filters) travel as arrays
                    stream = encoded.copy() if hasattr(encoded, 'dtype') else bytes(encoded)
                del encoded
            except Exception as exc:
                reply['encode'] = {'ok': False, 'error': _error(exc)}
        # decode the common stream, and check that it gives the data back
        if stream is not None:
            try:
                start = time.perf_counter()
                decoded = calls.decode(stream)
                first = time.perf_counter() - start
                check(decoded, 'decode(stream)')
                del decoded
                reply['decode'] = {'ok': True, 'time': estimate(calls.decode, stream, first, min_time)}
                state['stream'] = stream
            except Exception as exc:
                reply['decode'] = {'ok': False, 'error': _error(exc)}
        if msg.get('want_stream') and stream is not None:
            reply['stream'] = stream
        self.state[lib] = state
        return reply

    def time(self, msg):
        state = self.state[msg['lib']]
        calls = state['calls']
        if msg['op'] == 'encode':
            seconds = timed(calls.encode, state['arg'], msg['n'])
        else:
            seconds = timed(calls.decode, state['stream'], msg['n'])
        return {'seconds': seconds}

    def clear(self, msg):
        self.state.clear()
        if msg.get('data'):
            self.data = self.data_key = None
        gc.collect()
        return {}


def _error(exc: BaseException) -> str:
    text = f'{type(exc).__name__}: {exc}'
    return text if len(text) < 300 else text[:300] + '...'


def main() -> None:
    name = sys.argv[1]
    # Replies go to the original stdout; whatever else prints goes to stderr.
    reply_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    inp = sys.stdin.buffer
    out = os.fdopen(reply_fd, 'wb')
    worker = Worker(name)
    while True:
        head = inp.read(8)
        if len(head) < 8:
            return
        (length,) = struct.unpack('<Q', head)
        msg = pickle.loads(inp.read(length))
        if msg['cmd'] == 'exit':
            return
        try:
            reply = getattr(worker, msg['cmd'])(msg)
        except Exception as exc:
            traceback.print_exc()
            reply = {'error': _error(exc)}
        payload = pickle.dumps(reply, protocol=5)
        out.write(struct.pack('<Q', len(payload)))
        out.write(payload)
        out.flush()


if __name__ == '__main__':
    main()

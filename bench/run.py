"""Time ndcodecs against its peers, same data, same run.

    python bench/run.py [--codecs zstd,lz4] [--quick] [--record] [--rounds N] [--threads N]

Each library runs in a long-lived worker subprocess of its own (run.py
imports no codec library): ndcodecs, imagecodecs, opencodecs, and one for
numcodecs and the standard library. For every row (codec, level, dataset,
size) every worker first checks that its decoder returns the original
bytes, from its own encoding and from the common stream (the one
ndcodecs wrote); then the coordinator times encode and decode round by
round, one library after the other, in a rotating order, and keeps the
median of the rounds. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import pathlib
import pickle
import platform
import select
import shlex
import statistics
import struct
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_data  # noqa: E402
import peers  # noqa: E402
import report  # noqa: E402
from bench_data import KiB, MiB  # noqa: E402

# (dataset, size): the default level of each codec runs FULL, other levels LEVELS.
FULL = [
    ('micro16', KiB), ('micro16', 64 * KiB), ('micro16', MiB), ('micro16', 16 * MiB), ('micro16', 64 * MiB),
    ('text', KiB), ('text', 64 * KiB), ('text', MiB), ('text', 16 * MiB),
    ('field32', 64 * KiB), ('field32', 4 * MiB),
    ('photos', None),
]
LEVELS = [('micro16', 64 * KiB), ('micro16', MiB), ('text', MiB)]
QUICK_FULL = [
    ('micro16', KiB), ('micro16', 64 * KiB), ('micro16', MiB),
    ('text', KiB), ('text', MiB), ('field32', 64 * KiB),
]
QUICK_LEVELS = [('micro16', 64 * KiB)]


class WorkerError(Exception):
    pass


class WorkerProcess:
    """A worker subprocess speaking length-prefixed pickles."""

    def __init__(self, name: str, logdir: pathlib.Path) -> None:
        self.name = name
        self.logdir = logdir
        self.restarts = 0
        self.proc = None
        self.start()

    def start(self) -> None:
        self.log = open(self.logdir / f'worker-{self.name}.log', 'ab')
        env = dict(os.environ, PYTHONUNBUFFERED='1', PYTHONDONTWRITEBYTECODE='1')
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / 'worker.py'), self.name],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
            cwd=str(self.logdir), env=env,
        )

    def restart(self) -> None:
        self.close(kill=True)
        self.restarts += 1
        self.start()

    def request(self, msg: dict, timeout: float = 600.0) -> dict:
        payload = pickle.dumps(msg, protocol=5)
        try:
            self.proc.stdin.write(struct.pack('<Q', len(payload)))
            self.proc.stdin.write(payload)
            self.proc.stdin.flush()
            head = self._read(8, timeout)
            (length,) = struct.unpack('<Q', head)
            reply = pickle.loads(self._read(length, timeout))
        except (OSError, EOFError, WorkerError, pickle.UnpicklingError) as exc:
            code = self.proc.poll()
            why = f'exited with {code}' if code is not None else str(exc)
            self.restart()
            raise WorkerError(f'worker {self.name} {why} (log: {self.log.name})') from None
        if 'error' in reply:
            raise WorkerError(f'worker {self.name}: {reply["error"]}')
        return reply

    def _read(self, n: int, timeout: float) -> bytes:
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        chunks, got = [], 0
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise WorkerError(f'no reply within {timeout:.0f} s')
            chunk = os.read(fd, min(n - got, 1 << 22))
            if not chunk:
                raise EOFError('worker closed its output')
            chunks.append(chunk)
            got += len(chunk)
        return b''.join(chunks)

    def close(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        try:
            if not kill:
                payload = pickle.dumps({'cmd': 'exit'})
                self.proc.stdin.write(struct.pack('<Q', len(payload)) + payload)
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def cpu_info() -> dict:
    model = platform.processor() or platform.machine()
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    memory = None
    try:
        for line in open('/proc/meminfo'):
            if line.startswith('MemTotal'):
                memory = f'{int(line.split()[1]) / 2**20:.0f} GiB'
                break
    except OSError:
        pass
    return {'cpu': model, 'cores': os.cpu_count(), 'usable_cores': usable, 'memory': memory,
            'system': f'{platform.system()} {platform.release()}', 'python': platform.python_version()}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--codecs', help='comma-separated ndcodecs codec names (default: every compressor, '
                   'image codec, and the filters and scientific codecs of peers.CODECS)')
    p.add_argument('--libs', help='comma-separated peers to run (default: all of ' + ', '.join(peers.LIBS[1:]) + ')')
    p.add_argument('--datasets', help='comma-separated datasets (' + ', '.join(bench_data.DATASETS) + ')')
    p.add_argument('--max-size', type=float, help='largest payload in MiB')
    p.add_argument('--quick', action='store_true', help='small sizes, few rounds: a smoke test (< 2 min)')
    p.add_argument('--rounds', type=int, help='rounds per measurement (default 7, quick 3)')
    p.add_argument('--budget', type=float, help='seconds per library per measurement (default 0.2, quick 0.03)')
    p.add_argument('--row-limit', type=float, help='skip a row whose estimated time exceeds this (s; default 20, quick 3)')
    p.add_argument('--threads', type=int, default=1, help='threads for codecs that have them (zstd, blosc)')
    p.add_argument('--out', help='output folder (default bench/out)')
    p.add_argument('--record', action='store_true', help='also write bench/RESULTS.md')
    p.add_argument('--dry-run', action='store_true', help='list the rows and exit')
    args = p.parse_args(argv)
    args.rounds = args.rounds or (3 if args.quick else 7)
    args.budget = args.budget or (0.03 if args.quick else 0.2)
    args.row_limit = args.row_limit or (3.0 if args.quick else 20.0)
    args.min_time = 0.005 if args.quick else 0.01
    args.out = pathlib.Path(args.out) if args.out else HERE / 'out'
    return args


def plan_rows(args, codec_info):
    """Return (rows, skipped): rows are (codec, Level, threads, dataset, size)."""
    import ndcodecs

    skipped = {}
    if args.codecs:
        names = []
        for name in args.codecs.split(','):
            name = name.strip()
            if not ndcodecs.has_codec(name):
                skipped[name] = 'no such ndcodecs codec'
                continue
            names.append(ndcodecs.get_codec(name).name)
    else:
        # compressors, image codecs, and the filters and scientific codecs listed in peers
        names = [name for name in ndcodecs.list_codecs()
                 if ndcodecs.get_codec(name).kind in ('compressor', 'image') or name in peers.CODECS]
    datasets = set(args.datasets.split(',')) if args.datasets else None
    max_size = int(args.max_size * MiB) if args.max_size else None
    full, levels = (QUICK_FULL, QUICK_LEVELS) if args.quick else (FULL, LEVELS)
    rows = []
    for codec in names:
        info = codec_info.get(codec)
        if info is None or not info['available']:
            skipped[codec] = (info or {}).get('reason') or 'not available'
            continue
        spec = peers.spec(codec, info['kind'])
        threads = args.threads if spec.get('threads') else 1
        for lv in spec['levels']:
            if spec.get('input') == 'array':
                data = spec['quick'] if args.quick else spec['data']
                plan = data if lv.default else data[:1]
            else:
                plan = full if lv.default else levels
            for name, size in plan:
                if datasets and name not in datasets:
                    continue
                if size is not None and ((lv.max_size and size > lv.max_size) or (max_size and size > max_size)):
                    continue
                if size is None and lv.max_size and lv.max_size < 4 * MiB:
                    continue  # natural-size datasets are a few MiB
                rows.append((codec, lv, threads, name, size))
    return rows, skipped


class Runner:
    def __init__(self, args) -> None:
        self.args = args
        self.out = args.out
        self.out.mkdir(parents=True, exist_ok=True)
        self.cache = bench_data.Cache(self.out / 'cache')
        wanted = peers.LIBS if not args.libs else ('ndcodecs', *[x.strip() for x in args.libs.split(',')])
        self.libs = [lib for lib in peers.LIBS if lib in wanted]
        names = []
        for lib in self.libs:
            if peers.WORKER_OF[lib] not in names:
                names.append(peers.WORKER_OF[lib])
        self.workers = {name: WorkerProcess(name, self.out) for name in names}
        self.versions = {}
        self.codec_info = {}
        for name, worker in list(self.workers.items()):
            try:
                reply = worker.request({'cmd': 'hello'}, timeout=120)
            except WorkerError as exc:
                if name == 'ndcodecs':
                    raise
                print(f'warning: {exc}', file=sys.stderr)
                worker.close(kill=True)
                del self.workers[name]
                continue
            self.versions.update(reply['versions'])
            self.codec_info.update(reply['codecs'])
        for lib in list(self.libs):
            version = self.versions.get(lib)
            if version is None or version.startswith('unavailable'):
                self.libs.remove(lib)
        self.records = []
        self.skipped_rows = []
        self.datasets = {}
        self.speed = {}  # (codec, level, threads, dataset) -> seconds per byte of the reference, enc + dec
        self.participants = {}  # codec -> how many libraries took part in its last row

    def worker(self, lib):
        return self.workers[peers.WORKER_OF[lib]]

    def close(self):
        for worker in self.workers.values():
            worker.close()

    def entry(self, name, size):
        key = (name, size)
        if key not in self.datasets:
            self.datasets[key] = self.cache.get(name, size)
        return self.datasets[key]

    def setup_row(self, codec, lv, threads, entry):
        """Set every library up; return (stream, setups).

        The common stream comes from ndcodecs, or for a decode-only codec
        from the first peer that can encode. Raises TooSlow.
        """
        info = self.codec_info[codec]
        base = {'cmd': 'setup', 'codec': codec, 'info': info, 'level': lv, 'threads': threads,
                'dataset': entry, 'min_time': self.args.min_time}
        decode_only = peers.spec(codec, info['kind']).get('decode_only') or not info['can_encode']
        candidates = [lib for lib in self.libs if lib != 'ndcodecs'] if decode_only else ['ndcodecs']
        setups, stream, ref = {}, None, None
        for lib in candidates:
            try:
                reply = self.worker(lib).request({**base, 'lib': lib, 'want_stream': True})
            except WorkerError as exc:
                reply = {'crash': str(exc)}
            if 'stream' in reply:
                stream, ref = reply.pop('stream'), lib
                setups[lib] = reply
                break
            if not decode_only:
                setups[lib] = reply  # ndcodecs could not encode: no row
        if stream is None:
            return None, setups
        seconds = sum(setups[ref].get(op, {}).get('time', 0) for op in ('encode', 'decode'))
        if entry['size'] >= 64 * KiB:  # below, fixed costs per call would distort the estimate
            self.speed[(codec, lv.label, threads, entry['name'])] = seconds / entry['size']
        self.check_time(codec, seconds)
        for lib in self.libs:
            if lib == ref:
                continue
            try:
                setups[lib] = self.worker(lib).request({**base, 'lib': lib, 'stream': stream})
            except WorkerError as exc:
                setups[lib] = {'crash': str(exc)}
        setups = {lib: setups[lib] for lib in self.libs if lib in setups}
        self.participants[codec] = sum(
            1 for s in setups.values() if s.get('encode', {}).get('ok') or s.get('decode', {}).get('ok'))
        setups['_stream_size'] = memoryview(stream).nbytes
        setups['_ref'] = ref
        return stream, setups

    def check_time(self, codec, seconds):
        """Raise TooSlow if a row whose reference calls take `seconds` would exceed the limit."""
        libs = self.participants.get(codec, len(self.libs))
        estimate = seconds * libs * (min(3, self.args.rounds) + 1)
        if estimate > self.args.row_limit:
            raise TooSlow(f'estimated {estimate:.0f} s > {self.args.row_limit:.0f} s')

    def measure(self, op, setups):
        """Time op for every library set up for it; return {lib: result}."""
        args = self.args
        libs = [lib for lib in self.libs if setups.get(lib, {}).get(op, {}).get('ok')]
        if not libs:
            return {}
        est = {lib: max(setups[lib][op]['time'], 1e-8) for lib in libs}
        rounds = args.rounds
        slowest = max(est.values())
        if slowest * rounds > args.budget:
            rounds = min(rounds, max(min(3, rounds), math.ceil(args.budget / slowest)))
        target = args.budget / rounds
        n = {lib: max(1, round(target / est[lib])) for lib in libs}
        samples = {lib: [] for lib in libs}
        failed = {}
        for r in range(rounds):
            live = [lib for lib in libs if lib not in failed]
            shift = r % len(live) if live else 0
            for lib in live[shift:] + live[:shift]:
                try:
                    reply = self.worker(lib).request(
                        {'cmd': 'time', 'lib': lib, 'op': op, 'n': n[lib]},
                        timeout=max(120.0, 50 * est[lib] * n[lib]),
                    )
                except WorkerError as exc:
                    failed[lib] = str(exc)
                    continue
                samples[lib].append(reply['seconds'] / n[lib])
        results = {}
        for lib in libs:
            if lib in failed:
                results[lib] = {'ok': False, 'error': failed[lib]}
                continue
            median = statistics.median(samples[lib])
            results[lib] = {'ok': True, 'seconds': median, 'samples': samples[lib], 'n': n[lib]}
        return results

    def run_row(self, codec, lv, threads, name, size):
        entry = self.entry(name, size)
        if entry is None:
            self.skipped_rows.append((codec, lv.label, name, size, self.cache.note(name, size) or 'no data'))
            return
        if not peers.fits(self.codec_info[codec], entry):
            return  # the encoder takes other dtypes or samples
        nbytes = entry['size']
        try:
            per_byte = self.speed.get((codec, lv.label, threads, name))
            if per_byte is not None:  # known from a smaller payload of this row
                self.check_time(codec, per_byte * nbytes)
            stream, setups = self.setup_row(codec, lv, threads, entry)
        except TooSlow as exc:
            self.skipped_rows.append((codec, lv.label, name, nbytes, f'too slow: {exc}'))
            self.clear()
            return
        if stream is None and not setups:
            self.skipped_rows.append((codec, lv.label, name, nbytes, 'no library can write the stream'
                                      + (' (pip install python-lzo)' if codec == 'lzo' else '')))
            return
        info = self.codec_info[codec]
        spec = peers.spec(codec, info['kind'])
        ops = ('decode',) if spec.get('decode_only') or not info['can_encode'] else \
            ('encode',) if spec.get('encode_only') else ('encode', 'decode')
        for op in ops:
            record = {
                'codec': codec, 'level': lv.label, 'threads': threads, 'dataset': name,
                'size': nbytes, 'op': op, 'libs': {},
                'encoded_size': setups.get('_stream_size') if stream is not None else None,
                'stream_from': setups.get('_ref'),
            }
            results = self.measure(op, setups) if stream is not None else {}
            for lib in self.libs:
                s = setups.get(lib)
                if s is None:
                    continue
                if 'unsupported' in s:
                    record['libs'][lib] = {'ok': None, 'note': s['unsupported']}
                    continue
                if 'crash' in s:
                    record['libs'][lib] = {'ok': False, 'error': s['crash']}
                    continue
                info = dict(s.get(op) or {})
                res = results.get(lib)
                if res is not None:
                    info.update(res)
                    if res.get('ok'):
                        info['mbps'] = nbytes / res['seconds'] / 1e6
                elif info.get('ok'):
                    info = {'ok': False, 'error': 'not measured'}
                elif not info:
                    info = {'ok': None, 'note': f'no {op}'}
                info['label'] = s['labels'].get(op)
                if s.get('version'):
                    info['version'] = s['version']
                info.pop('time', None)
                record['libs'][lib] = info
            self.records.append(record)
            self.progress(record)
        self.clear()

    def clear(self):
        for worker in self.workers.values():
            try:
                worker.request({'cmd': 'clear'}, timeout=60)
            except WorkerError:
                pass

    def progress(self, record):
        nd = record['libs'].get('ndcodecs', {})
        parts = []
        for lib, info in record['libs'].items():
            if info.get('mbps'):
                parts.append(f"{peers.SHORT[lib]} {info['mbps']:.4g}")
            elif info.get('ok') is False:
                parts.append(f'{peers.SHORT[lib]} FAIL')
        best = report.best_peer(record)
        ratio = f" nd/best {nd['mbps'] / best[1]:.2f}" if nd.get('mbps') and best else ''
        cr = ''
        if record['encoded_size']:
            cr = f" cr {record['size'] / record['encoded_size']:.2f}"
        print(f"{record['codec']:8} {record['level']:>14} {record['dataset']:8} "
              f"{bench_data.size_label(record['size']):>5} {record['op'][:3]}  "
              f"{'  '.join(parts)} MB/s{ratio}{cr}", flush=True)


class TooSlow(Exception):
    pass


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.time()
    command = 'python bench/run.py ' + ' '.join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
    runner = Runner(args)
    try:
        rows, skipped = plan_rows(args, runner.codec_info)
        load = os.getloadavg()[0]
        if load > 0.25 * len(os.sched_getaffinity(0)):
            print(f'warning: load average {load:.1f}: other processes are running, the numbers will be noisy',
                  flush=True)
        print(f'{len(rows)} rows; libraries: {", ".join(runner.libs)}; rounds {args.rounds}, '
              f'{args.budget} s per library per measurement', flush=True)
        for codec, reason in skipped.items():
            print(f'skip {codec}: {reason}', flush=True)
        if args.dry_run:
            for codec, lv, threads, name, size in rows:
                print(f'{codec:8} {lv.label:>20} thr {threads} {name:8} '
                      f'{bench_data.size_label(size) if size else "natural"}')
            return 0
        meta = {
            'command': command.strip(),
            'date': datetime.datetime.now().astimezone().isoformat(timespec='seconds'),
            'machine': cpu_info(),
            'versions': runner.versions,
            'args': {k: (str(v) if isinstance(v, pathlib.Path) else v) for k, v in vars(args).items()},
            'skipped_codecs': skipped,
            'libs': runner.libs,
            'load_start': f'{os.getloadavg()[0]:.1f}',
            'codec_versions': {k: v.get('version') for k, v in runner.codec_info.items() if v.get('version')},
        }
        last_codec = None
        for row in rows:
            if last_codec is not None and row[0] != last_codec:
                write_outputs(runner, meta, started, final=False)
            last_codec = row[0]
            runner.run_row(*row)
        write_outputs(runner, meta, started, final=True)
    finally:
        runner.close()
    print(f'done in {time.time() - started:.0f} s: {args.out / "results.md"}', flush=True)
    return 0


def write_outputs(runner, meta, started, final):
    load = meta.get('load_start', '?')
    try:
        load = f'{load} at the start, {os.getloadavg()[0]:.1f} at the end'
    except OSError:
        pass
    meta = {**meta, 'seconds': round(time.time() - started, 1), 'complete': final, 'load': load,
            'datasets': {f'{k[0]}-{k[1]}': v for k, v in runner.datasets.items() if v},
            'skipped_rows': runner.skipped_rows}
    out = runner.args.out
    (out / 'results.json').write_text(json.dumps({'meta': meta, 'records': runner.records}, indent=1))
    (out / 'results.md').write_text(report.markdown(meta, runner.records))
    if final and runner.args.record:
        path = HERE / 'RESULTS.md'
        path.write_text(report.markdown(meta, runner.records, record=True))
        print(f'recorded {path}', flush=True)


if __name__ == '__main__':
    sys.exit(main())

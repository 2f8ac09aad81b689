"""Thread scaling of the multi-threaded image decoders.

Decodes a 4-megapixel 16-bit gray image (micro16frame) and an 8-bit RGB
image (photo4mp) with one thread and with all cores (numthreads=0), in
ndcodecs and the peers that take a thread count (imagecodecs,
opencodecs), on the stream ndcodecs encoded (lossless; AVIF at level 90). Calls are timed in
interleaved rounds; the table gives medians.

    python bench/scaling.py [--codecs jpeg2k,htj2k,jpegxl,avif] [--rounds 7]
                            [--images micro16frame,photo4mp]
                            [--write bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import pathlib
import platform
import statistics
import sys
import time

import numpy

import ndcodecs

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import bench_data  # noqa: E402

IMAGES = ('micro16frame', 'photo4mp')
CODECS = ('jpeg2k', 'htj2k', 'jpegxl', 'avif')
PEERS = ('imagecodecs', 'opencodecs')
ENCODE_ARGS = {'avif': {'level': 90}}  # lossy, as AVIF is mostly used
HEADING = '# Thread scaling of image decoders'


def image(name: str) -> numpy.ndarray:
    data, note, meta = bench_data.make(name, None)
    if data is None:
        raise SystemExit(f'{name}: {note}')
    return numpy.frombuffer(data, meta['dtype']).reshape(meta['shape'])


def decoders(codec: str) -> dict:
    """Return {library: decode(data, numthreads)} for the libraries that
    have `codec` with a thread count."""
    found = {'ndcodecs': getattr(ndcodecs, f'{codec}_decode')}
    for peer in PEERS:
        try:
            module = importlib.import_module(peer)
        except ImportError:
            continue
        if peer == 'opencodecs':
            try:
                c = module.get_codec(codec)
            except Exception:  # noqa: BLE001 - not built there
                continue
            found[peer] = lambda data, n, c=c: c.decode(data, numthreads=n)
        elif hasattr(module, f'{codec}_decode'):
            found[peer] = getattr(module, f'{codec}_decode')
    return found


def call(decode, data, threads, library):
    if library == 'opencodecs':
        return decode(data, threads)
    return decode(data, numthreads=threads)


def measure(codec: str, name: str, rounds: int) -> list[dict]:
    array = image(name)
    kwargs = dict(ENCODE_ARGS.get(codec, {}))
    if codec == 'avif' and array.dtype == numpy.uint16:
        kwargs['bitspersample'] = 12  # the 12-bit micrograph
    data = getattr(ndcodecs, f'{codec}_encode')(array, **kwargs)
    times = {}
    found_decoders = decoders(codec)
    for library, decode in found_decoders.items():
        for threads in (1, 0):
            try:
                call(decode, data, threads, library)
            except Exception as exc:  # noqa: BLE001 - reported, not fatal
                print(f'{codec} {name} {library}: {exc}', file=sys.stderr)
                break
            times[library, threads] = []
    for _ in range(rounds):
        for (library, threads), found in times.items():
            decode = found_decoders[library]
            start = time.perf_counter()
            call(decode, data, threads, library)
            found.append(time.perf_counter() - start)
    rows = []
    for library in dict.fromkeys(lib for lib, _ in times):
        if (library, 0) not in times:
            continue
        one = statistics.median(times[library, 1])
        every = statistics.median(times[library, 0])
        rows.append({'codec': codec, 'image': name, 'library': library,
                     'one': one, 'all': every, 'speedup': one / every})
    return rows


def table(rows: list[dict]) -> str:
    lines = ['| codec | image | library | 1 thread ms | all cores ms | speedup | nd/best peer (1 / all) |',
             '|---|---|---|---:|---:|---:|---:|']
    for row in rows:
        peers = [r for r in rows if r['codec'] == row['codec'] and r['image'] == row['image']
                 and r['library'] != 'ndcodecs']
        versus = ''
        if row['library'] == 'ndcodecs' and peers:
            best_one = min(r['one'] for r in peers)
            best_all = min(r['all'] for r in peers)
            versus = f"{best_one / row['one']:.2f} / {best_all / row['all']:.2f}"
        lines.append(f"| {row['codec']} | {row['image']} | {row['library']} | {row['one'] * 1e3:.1f} | "
                     f"{row['all'] * 1e3:.1f} | {row['speedup']:.2f} | {versus} |")
    return '\n'.join(lines)


def targets(rows: list[dict]) -> list[str]:
    """The target lines: ndcodecs' jpeg2k and jpegxl decode with all cores
    at least 1.6x the one-thread speed."""
    lines = []
    for codec in ('jpeg2k', 'jpegxl'):
        found = [r for r in rows if r['codec'] == codec and r['library'] == 'ndcodecs']
        if found:
            met = all(r['speedup'] >= 1.6 for r in found)
            speedups = ', '.join(f"{r['image']} {r['speedup']:.2f}x" for r in found)
            lines.append(f"- Target, {codec} decode with all cores at least 1.6x one thread: "
                         f"{'met' if met else 'missed'} ({speedups}).")
    return lines


def section(rows: list[dict], rounds: int, images=IMAGES) -> str:
    cores = os.cpu_count()
    versions = ', '.join(f'{c} {getattr(ndcodecs, c + "_version")()}' for c in dict.fromkeys(r['codec'] for r in rows))
    return '\n'.join([
        HEADING, '',
        f'Decode time with `numthreads=1` and `numthreads=0` (all {cores} cores), medians of {rounds} '
        'interleaved rounds, on the stream ndcodecs encoded (lossless; AVIF lossy at level 90). Speedup is the 1-thread time over '
        'the all-cores time; nd/best peer is the fastest peer\'s time over ndcodecs\' (above 1: ndcodecs is '
        'faster). Images: ' + ', '.join(f'{name} ({bench_data.DATASETS[name]["description"]})' if name in bench_data.DATASETS else name for name in images) + '.',
        '', f'- Date: {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}; '
        f'load average {os.getloadavg()[0]:.1f} at the end',
        f'- Machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}; {versions}',
        '- Command: `python bench/scaling.py --write bench/RESULTS.md`',
        *targets(rows),
        '- AVIF: an image encoded as one tile (the default) decodes on one thread in every library; '
        'dav1d runs tiles in parallel, so `tilelog2=(1, 1)` at encode lets `numthreads` help.', '',
        table(rows), ''])


def write(path: pathlib.Path, text: str) -> None:
    """Replace the section in `path`, or append it."""
    old = path.read_text() if path.exists() else ''
    start = old.find(HEADING)
    if start >= 0:
        end = old.find('\n# ', start + len(HEADING))
        old = old[:start] + (old[end + 1:] if end >= 0 else '')
    path.write_text(old.rstrip('\n') + '\n\n' + text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--codecs', default=','.join(CODECS))
    parser.add_argument('--rounds', type=int, default=7)
    parser.add_argument('--images', default=','.join(IMAGES), help='bench_data image datasets')
    parser.add_argument('--write', type=pathlib.Path, help='replace or add the section in this Markdown file')
    args = parser.parse_args(argv)
    rows = []
    for codec in args.codecs.split(','):
        if not ndcodecs.get_codec(codec).available:
            print(f'{codec}: not available', file=sys.stderr)
            continue
        for name in args.images.split(','):
            rows += measure(codec, name, args.rounds)
            print(table([r for r in rows if r['codec'] == codec and r['image'] == name]).split('\n', 2)[2], flush=True)
    text = section(rows, args.rounds, args.images.split(','))
    print(text)
    if args.write:
        write(args.write, text)
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""Zarr 3 reads and writes through ndcodecs codecs and numcodecs' codecs.

A microscopy-like uint16 image stack (frames of 1024 x 1024, chunks of
1 x 256 x 256) is written, read in full and read chunk by chunk at random,
once per codec (zstd, lz4, blosc-zstd) and library, with the same zarr
settings. numcodecs' codecs are the zarr 3 wrappers zarr ships for them
(zarr.codecs.numcodecs); ndcodecs' are ndcodecs.zarr. ndcodecs also runs
with zarr's codec_pipeline.batch_size raised, which hands whole batches
of chunks to `ndcodecs.decode_many`.

    python bench/zarr_bench.py [--size MiB] [--codecs zstd,lz4,blosc-zstd]
                               [--random N] [--batch-size N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import tempfile
import time

import numpy
import zarr

import ndcodecs
import ndcodecs.zarr as ndzarr

MiB = 1 << 20
SIDE = 1024
CHUNKS = (1, 256, 256)


def stack(size: int) -> numpy.ndarray:
    """Return a uint16 stack of about `size` bytes: smooth 12-bit cells,
    drifting from frame to frame, with detector noise."""
    frames = max(1, size // (SIDE * SIDE * 2))
    rng = numpy.random.default_rng(1)
    y, x = numpy.mgrid[:SIDE, :SIDE].astype(numpy.float32) / SIDE
    noise = [rng.normal(0, 12, (SIDE, SIDE)).astype(numpy.float32) for _ in range(4)]
    data = numpy.empty((frames, SIDE, SIDE), numpy.uint16)
    for f in range(frames):
        phase = f * 0.05
        frame = 900 + 700 * numpy.sin(9 * x + phase) * numpy.cos(7 * y - phase)
        frame += noise[f % 4]
        numpy.clip(frame, 0, 4095, out=frame)
        data[f] = frame
    return data


def codecs(name: str):
    """Return {library: codecs list} for a codec name, same settings."""
    from zarr.codecs import numcodecs as znc

    if name == 'zstd':
        return {'numcodecs': [znc.Zstd(level=3)], 'ndcodecs': [ndzarr.Zstd(level=3)]}
    if name == 'lz4':
        return {'numcodecs': [znc.LZ4(acceleration=1)], 'ndcodecs': [ndzarr.Lz4(level=1, header=True)]}
    if name == 'blosc-zstd':
        return {
            'numcodecs': [znc.Blosc(cname='zstd', clevel=5, shuffle=1, typesize=2)],
            'ndcodecs': [ndzarr.Blosc(level=5, compressor='zstd', shuffle=1, typesize=2)],
        }
    raise ValueError(f'unknown codec {name!r}')


def run(data, compressors, folder, batch_size, nrandom, rounds):
    """Return write, full read and random chunk read timings (seconds)."""
    times = {'write': [], 'read': [], 'random': []}
    path = os.path.join(folder, 'a.zarr')
    rng = numpy.random.default_rng(7)
    picks = [
        (int(rng.integers(data.shape[0])), int(rng.integers(SIDE // 256)) * 256, int(rng.integers(SIDE // 256)) * 256)
        for _ in range(nrandom)
    ]
    with zarr.config.set({'codec_pipeline.batch_size': batch_size}):
        for _ in range(rounds):
            shutil.rmtree(path, ignore_errors=True)
            t = time.perf_counter()
            a = zarr.create_array(path, shape=data.shape, dtype=data.dtype, chunks=CHUNKS,
                                  compressors=compressors, zarr_format=3)
            a[:] = data
            times['write'].append(time.perf_counter() - t)
            os.sync()
            a = zarr.open_array(path, mode='r')
            t = time.perf_counter()
            result = a[:]
            times['read'].append(time.perf_counter() - t)
            if not numpy.array_equal(result, data):
                raise RuntimeError('the array read back differs')
            del result
            t = time.perf_counter()
            for f, y0, x0 in picks:
                a[f, y0:y0 + 256, x0:x0 + 256]
            times['random'].append(time.perf_counter() - t)
    stored = sum(
        os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs
    )
    return {k: statistics.median(v) for k, v in times.items()}, stored


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--size', type=int, default=1024, help='array size in MiB (default 1024)')
    parser.add_argument('--codecs', default='zstd,lz4,blosc-zstd')
    parser.add_argument('--random', type=int, default=500, help='random chunk reads (default 500)')
    parser.add_argument('--batch-size', type=int, default=64,
                        help='codec_pipeline.batch_size for the batched ndcodecs run (default 64)')
    parser.add_argument('--rounds', type=int, default=1)
    parser.add_argument('--dir', default=None, help='folder for the stores (default a temporary one)')
    parser.add_argument('--json', default=None, help='write all results to this file')
    args = parser.parse_args(argv)

    data = stack(args.size * MiB)
    nbytes = data.nbytes
    rows = []
    folder = tempfile.mkdtemp(prefix='zarr_bench_', dir=args.dir)
    try:
        for name in args.codecs.split(','):
            variants = codecs(name)
            runs = [
                ('numcodecs', variants['numcodecs'], 1),
                ('ndcodecs', variants['ndcodecs'], 1),
                ('numcodecs', variants['numcodecs'], args.batch_size),
                ('ndcodecs', variants['ndcodecs'], args.batch_size),
            ]
            for lib, comp, batch in runs:
                t, stored = run(data, comp, folder, batch, args.random, args.rounds)
                rows.append({
                    'codec': name, 'library': lib, 'batch_size': batch,
                    'write_MBps': nbytes / t['write'] / 1e6,
                    'read_MBps': nbytes / t['read'] / 1e6,
                    'random_chunks_per_s': args.random / t['random'],
                    'ratio': nbytes / stored,
                    'seconds': t,
                })
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    header = (
        f'{nbytes / MiB:.0f} MiB uint16 stack {data.shape}, chunks {CHUNKS}, zarr {zarr.__version__}, '
        f'ndcodecs {ndcodecs.__version__}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, '
        f'{platform.python_implementation()} {platform.python_version()}'
    )
    print(header)
    print()
    print('| codec | library | batch | ratio | write MB/s | full read MB/s | random chunks/s | read nd/nc |')
    print('|---|---|---|---|---|---|---|---|')
    base = {}
    for r in rows:
        key = (r['codec'], r['batch_size'])
        if r['library'] == 'numcodecs':
            base[key] = r
        ref = base.get(key)
        rel = f"{r['read_MBps'] / ref['read_MBps']:.2f}" if ref and r['library'] == 'ndcodecs' else ''
        print(
            f"| {r['codec']} | {r['library']} | {r['batch_size']} | {r['ratio']:.2f} | "
            f"{r['write_MBps']:.0f} | {r['read_MBps']:.0f} | {r['random_chunks_per_s']:.0f} | {rel} |"
        )
    if args.json:
        with open(args.json, 'w') as fh:
            json.dump({'header': header, 'rows': rows}, fh, indent=1)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())

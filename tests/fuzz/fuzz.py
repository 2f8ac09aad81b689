"""Fuzz every decoder in the registry with mutated valid streams.

Seeds are valid streams made by each codec's own encoder (or given in
SEEDS for decode-only codecs); mutations flip bits, overwrite bytes with
boundary values, truncate, extend, repeat and splice. A decoder may return
a result or raise its own error; anything else is a finding, and a crash
kills the process, which is why tests run this in a subprocess.

    python tests/fuzz/fuzz.py [--codec NAME ...] [--seconds S | --iterations N] [--seed K]
    python tests/fuzz/fuzz.py --atheris --codec NAME   # coverage-guided, needs atheris
"""

from __future__ import annotations

import argparse
import random
import sys
import time

import numpy

import ndcodecs

# Decoders never produce more than this while fuzzing.
MAX_OUTPUT = 64 << 20

# Valid streams for codecs whose encoders take no bytes; module-level so tests can add.
SEEDS: dict[str, list[bytes]] = {
    'bfloat16': [numpy.linspace(-3, 3, 100, dtype=numpy.float32).view(numpy.uint16)[1::2].tobytes()],
    'float24': [bytes(range(256)) * 3],
    'packints': [bytes(range(256)) * 3],
}

def _zfp_seeds() -> list[bytes]:
    """ZFP streams of float and int arrays, 1-D to 4-D, in every mode."""
    if not ndcodecs.get_codec('zfp').available:
        return []
    rng = numpy.random.default_rng(1)
    y, x = numpy.mgrid[:24, :40]
    smooth = numpy.sin(x / 5.0) * numpy.cos(y / 7.0) * 100
    arrays = [
        smooth.astype(numpy.float32), smooth[:7, :9],
        rng.normal(0, 1000, 37).astype(numpy.float32),
        rng.integers(-(2**31), 2**31, (3, 5, 7), numpy.int32),
        rng.integers(-(2**40), 2**40, (2, 3, 4, 5), numpy.int64),
        smooth.reshape(2, 3, 4, 40),
    ]
    modes = [{}, {'tolerance': 1e-2}, {'rate': 5}, {'precision': 12},
             {'mode': 'expert', 'level': (8, 200, 20, 0)}]
    return [bytes(ndcodecs.zfp_encode(a, **m)) for a in arrays for m in modes
            if 'tolerance' not in m or a.dtype.kind == 'f']


SEEDS['zfp'] = _zfp_seeds()


def _lerc_seeds() -> list[bytes]:
    """LERC blobs of every data type, bands and depth, masks, versions and
    error bounds, raw and zstd/zlib wrapped."""
    if not ndcodecs.get_codec('lerc').available:
        return []
    rng = numpy.random.default_rng(2)
    y, x = numpy.mgrid[:12, :17]
    smooth = numpy.sin(x / 5.0) * numpy.cos(y / 7.0) * 100
    masks = numpy.ones((12, 17), bool)
    masks[3, 4:9] = False
    seeds = []
    for dtype in ('int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64'):
        seeds.append(ndcodecs.lerc_encode(smooth.astype(dtype)))
        seeds.append(ndcodecs.lerc_encode(smooth.astype(dtype), masks=masks))
    data = rng.normal(0, 100, (3, 12, 17)).astype(numpy.float32)
    seeds += [
        ndcodecs.lerc_encode(data),
        ndcodecs.lerc_encode(data, planar=True, masks=numpy.stack([masks, ~masks, masks])),
        ndcodecs.lerc_encode(data, level=0.5, planar=True),
        ndcodecs.lerc_encode(data[None], level=0.01, masks=masks[:3, :12]),
        ndcodecs.lerc_encode(smooth, version=2, level=0.1),
        ndcodecs.lerc_encode(smooth, version=3, masks=masks),
        ndcodecs.lerc_encode(smooth, version=-1),
        ndcodecs.lerc_encode(smooth.astype(numpy.int16), level=2, version=5),
        ndcodecs.lerc_encode(smooth, compression='zstd'),
        ndcodecs.lerc_encode(smooth, compression='deflate'),
    ]
    return seeds


SEEDS['lerc'] = _lerc_seeds()


def _rcomp_seeds() -> list[bytes]:
    """Rice streams of 64x64 uint16 arrays: random, constant, sparse, steps."""
    if not ndcodecs.get_codec('rcomp').available:
        return []
    rng = numpy.random.default_rng(2)
    sparse = numpy.zeros((64, 64), numpy.uint16)
    sparse[::9, ::7] = 65535
    arrays = [
        rng.integers(0, 65536, (64, 64), numpy.uint16),
        numpy.full((64, 64), 1234, numpy.uint16),
        sparse,
        rng.integers(-3, 4, (64, 64)).astype(numpy.uint16),
    ]
    return [ndcodecs.rcomp_encode(a) for a in arrays]


SEEDS['rcomp'] = _rcomp_seeds()


def _eer_seeds() -> list[bytes]:
    """EER frames of 7-bit runs and 2+2-bit subpixels (DECODE_ARGS['eer'])."""
    rng = random.Random(3)
    seeds = []
    for nbytes, longrun in ((64, 0.0), (256, 0.05), (1024, 0.01)):
        acc = nbits = 0
        while nbits < nbytes * 8:
            rle = rng.randrange(128) if rng.random() < longrun else rng.randrange(6)
            acc |= rle << nbits
            nbits += 7
            if rle != 127:
                acc |= rng.randrange(16) << nbits
                nbits += 4
        seeds.append((acc & ((1 << (nbytes * 8)) - 1)).to_bytes(nbytes, 'little'))
    return seeds


SEEDS['eer'] = _eer_seeds()

# Arguments (positional, keyword) of decoders that need more than the data.
DECODE_ARGS: dict[str, tuple[tuple, dict]] = {
    'packints': (('uint16', 12), {}),
    'pcodec': ((), {'dtype': 'uint16'}),
    'szip': ((), {'header': True}),
    'rcomp': (((64, 64), 'uint16'), {}),
    'eer': (((64, 64), 7, 2, 2), {'superres': 1}),
}

# Arguments of encoders whose seeds need more than the data.
ENCODE_ARGS: dict[str, dict] = {'szip': {'header': True}}


def _payloads() -> list:
    """Return bytes for compressors and small arrays for image codecs."""
    rng = numpy.random.default_rng(0)
    y, x = numpy.mgrid[:64, :64]
    image = 1000 + 500 * numpy.sin(x / 5.0) * numpy.cos(y / 7.0) + rng.normal(0, 10, (64, 64))
    image16 = image.astype(numpy.uint16)
    image8 = (image16 >> 4).astype(numpy.uint8)
    return [
        b'',
        b'a',
        b'hello hello hello hello world',
        bytes(1000),
        image16.tobytes(),
        rng.integers(0, 256, 3000, numpy.uint8).tobytes(),
        b'abcdefgh' * 2000,
        image8,
        image16,
        numpy.stack([image8, image8[::-1], image8.T], axis=-1),
        numpy.dstack([image8] * 4)[:5, :7],
    ]


def seeds(codec) -> list[bytes]:
    """Return valid streams for `codec`."""
    found = list(SEEDS.get(codec.name, []))
    if codec.can_encode:
        for data in _payloads():
            try:
                found.append(bytes(codec.encode(data, **ENCODE_ARGS.get(codec.name, {}))))
            except (TypeError, ValueError, ndcodecs.CodecError):
                pass  # e.g. an image codec given bytes
    return [s for s in found if s]


_INTERESTING = (0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE)


def mutate(data: bytes, rng: random.Random, pool: list[bytes]) -> bytes:
    """Return a mutated copy of `data`."""
    buf = bytearray(data)
    for _ in range(rng.choice((1, 1, 1, 2, 4, 8))):
        op = rng.randrange(9)
        n = len(buf)
        if op == 0 and n:
            i = rng.randrange(n)
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1 and n:
            buf[rng.randrange(n)] = rng.choice(_INTERESTING)
        elif op == 2 and n:
            del buf[rng.randrange(n):]
        elif op == 3:
            buf[rng.randrange(n + 1):rng.randrange(n + 1)] = rng.randbytes(rng.randrange(1, 16))
        elif op == 4 and n > 1:
            i = rng.randrange(n)
            del buf[i:i + rng.randrange(1, 32)]
        elif op == 5 and n:
            i = rng.randrange(n)
            buf[i:i] = buf[i:i + rng.randrange(1, 64)] * rng.randrange(1, 4)
        elif op == 6 and pool:
            other = rng.choice(pool)
            buf = buf[:rng.randrange(n + 1)] + other[rng.randrange(len(other) + 1):]
        elif op == 7 and n >= 4:
            # a size field set to a large value, wherever it may be
            i = rng.randrange(n - 3)
            buf[i:i + 4] = rng.choice((b'\xff\xff\xff\x7f', b'\x7f\xff\xff\xff', b'\x00\x00\x00\x80'))
        elif op == 8:
            buf = bytearray(rng.randbytes(rng.randrange(64)))
    return bytes(buf)


def decode_one(codec, data: bytes):
    """Decode `data`; return None or the unexpected exception."""
    args, kwargs = DECODE_ARGS.get(codec.name, ((), {}))
    try:
        try:
            codec.decode(data, *args, max_output=MAX_OUTPUT, **kwargs)
        except TypeError as exc:
            if 'max_output' not in str(exc):
                raise
            codec.decode(data, *args, **kwargs)
    except codec.error:
        return None
    except Exception as exc:  # a finding: decoders raise their own error only
        return exc
    return None


def fuzz(codec, *, iterations=None, seconds=None, seed=0, log=print) -> list[str]:
    """Fuzz one codec; return descriptions of findings."""
    pool = seeds(codec)
    rng = random.Random(seed)
    findings = []
    if not pool:
        pool = [b'\x00']
    deadline = time.monotonic() + seconds if seconds else None
    slowest = (0.0, b'')
    count = 0
    while True:
        if iterations is not None and count >= iterations:
            break
        if deadline is not None and time.monotonic() > deadline:
            break
        data = mutate(rng.choice(pool), rng, pool)
        start = time.perf_counter()
        exc = decode_one(codec, data)
        elapsed = time.perf_counter() - start
        if elapsed > slowest[0]:
            slowest = (elapsed, data)
        if exc is not None:
            findings.append(f'{codec.name}: {type(exc).__name__}: {exc} on input {data[:64]!r}...')
            if len(findings) >= 10:
                break
        count += 1
    log(f'{codec.name}: {count} inputs, {len(pool)} seeds, slowest {slowest[0] * 1e3:.1f} ms, {len(findings)} findings')
    if slowest[0] > 2.0:
        findings.append(f'{codec.name}: an input took {slowest[0]:.1f} s: {slowest[1][:64]!r}')
    return findings


def decoders(names=None):
    """Return the available codecs that can decode, optionally by name."""
    result = []
    for name in names or ndcodecs.list_codecs():
        codec = ndcodecs.get_codec(name)
        if codec.can_decode and codec.available and codec.name not in ('none',):
            result.append(codec)
    return result


def _atheris(codec) -> None:
    import atheris

    def target(data: bytes) -> None:
        exc = decode_one(codec, data)
        if exc is not None:
            raise exc

    argv = [sys.argv[0], '-max_len=65536']
    atheris.Setup(argv, target)
    atheris.Fuzz()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--codec', action='append', help='codec name (repeatable); default all')
    parser.add_argument('--seconds', type=float, help='total time, shared by the codecs')
    parser.add_argument('--iterations', type=int, help='inputs per codec')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--atheris', action='store_true', help='coverage-guided fuzzing of one codec')
    args = parser.parse_args(argv)
    codecs = decoders(args.codec)
    if args.atheris:
        _atheris(codecs[0])
        return 0
    if args.seconds is None and args.iterations is None:
        args.iterations = 2000
    seconds = args.seconds / len(codecs) if args.seconds else None
    findings = []
    for codec in codecs:
        findings += fuzz(codec, iterations=args.iterations, seconds=seconds, seed=args.seed)
        sys.stdout.flush()
    for line in findings:
        print('FINDING', line)
    return 1 if findings else 0


if __name__ == '__main__':
    sys.exit(main())

"""`ndcodecs demo`: every bundled sample through every available codec."""

from __future__ import annotations

import functools
import inspect
import time

import numpy

from ._registry import _codecs
from ._samples import sample, sample_names

# Stop timing a slow codec once it has spent this long, in seconds.
BUDGET = 3.0


def _load_samples(names):
    samples, skipped = [], []
    for name in names or sample_names():
        try:
            samples.append((name, sample(name)))
        except Exception as exc:  # reported, not fatal: the demo goes on
            skipped.append(f'{name} ({exc})')
    samples.sort(key=lambda item: item[1].nbytes)
    return samples, skipped


def best_time(func, arg, repeat):
    """Return (shortest time of `repeat` calls of func(arg), its result)."""
    best, result = float('inf'), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func(arg)
        best = min(best, time.perf_counter() - start)
    return best, result


def _max_error(array, decoded) -> float:
    if not hasattr(decoded, 'dtype'):
        # raw sample streams (aec) carry no length: the last block may be padded
        if len(decoded) < array.nbytes:
            return float('nan')
        decoded = numpy.frombuffer(decoded, array.dtype, count=array.size)
    decoded = numpy.asarray(decoded)
    if decoded.dtype == numpy.uint8 and array.dtype != numpy.uint8 and decoded.ndim == 1:
        decoded = decoded.view(array.dtype)
    decoded = decoded.reshape(array.shape)
    return float(numpy.max(numpy.abs(decoded.astype(numpy.float64) - array)))


def measure(codec, samples, repeat: int):
    """Return (raw, encoded, encode s, decode s, max error, samples used), or None."""
    raw = enc = 0
    t_enc = t_dec = 0.0
    error = 0.0
    used = 0
    for _, array in samples:
        if t_enc + t_dec > BUDGET:
            break
        if not codec.accepts(array):
            continue
        data = array.tobytes() if codec.kind == 'compressor' else array
        decode = functools.partial(codec.decode, **codec.decode_args)
        if 'dtype' in inspect.signature(codec.function(f'{codec.name}_decode')).parameters:
            # array codecs whose streams do not say their shape and type
            decode = functools.partial(decode, shape=array.shape, dtype=array.dtype)
        try:
            te, encoded = best_time(codec.encode, data, repeat)
            td, decoded = best_time(decode, encoded, repeat)
        except (TypeError, ValueError, RuntimeError):
            continue  # this codec does not take this kind of array
        if codec.kind == 'compressor':
            if bytes(decoded) != data:
                error = float('nan')
        else:
            try:
                error = max(error, _max_error(array, decoded))
            except ValueError:  # decoded to another size
                error = float('nan')
        raw += array.nbytes
        enc += encoded.nbytes if hasattr(encoded, 'nbytes') else len(encoded)
        t_enc += te
        t_dec += td
        used += 1
    return (raw, enc, t_enc, t_dec, error, used) if used else None


def run(samples=None, repeat: int = 3, out=print) -> int:
    """Print the demo table; return 0 if every round trip kept its promise."""
    loaded, skipped = _load_samples(samples)
    if not loaded:
        out('no samples could be loaded: ' + '; '.join(skipped))
        return 1
    out('samples: ' + ', '.join(
        f'{n} {a.shape} {a.dtype}' for n, a in loaded
    ))
    for item in skipped:
        out(f'skipped sample: {item}')
    out('')
    header = f'{"codec":<12} {"kind":<10} {"ratio":>7} {"enc MB/s":>9} {"dec MB/s":>9}  result'
    out(header)
    out('-' * len(header))
    status = 0
    unavailable = []
    for codec in _codecs.values():
        if codec.name == 'none' or codec.kind == 'checksum':
            continue
        if not codec.available:
            unavailable.append(codec.name)
            continue
        if not (codec.can_encode and codec.can_decode):
            only = ('decode only' if codec.can_decode else 'encode only' if codec.can_encode
                    else 'functions only: ' + ', '.join(codec.exports))
            out(f'{codec.name:<12} {codec.kind:<10} {"":>7} {"":>9} {"":>9}  {only}')
            continue
        row = measure(codec, loaded, repeat)
        if row is None:
            out(f'{codec.name:<12} {codec.kind:<10} {"":>7} {"":>9} {"":>9}  no sample fits')
            continue
        raw, enc, t_enc, t_dec, error, used = row
        if error != error:  # NaN: a lossless codec changed the data
            result, status = 'FAILED: data changed', 1
        elif error == 0:
            result = 'lossless'
        else:
            result = f'max error {error:g}'
        if used < len(loaded):
            result += f' ({used}/{len(loaded)} samples)'
        out(
            f'{codec.name:<12} {codec.kind:<10} {raw / max(enc, 1):7.2f} '
            f'{raw / 1e6 / max(t_enc, 1e-9):9.1f} {raw / 1e6 / max(t_dec, 1e-9):9.1f}  {result}'
        )
    if unavailable:
        out('')
        out('unavailable: ' + ', '.join(unavailable) + ' (see: ndcodecs show-config)')
    return status

"""Print the README's table of scientific codecs: each codec's lossless and
lossy modes on the bundled float32 field (integer codecs on the 16-bit
micrograph), with compression ratio, largest error and speed.

    python tools/science_table.py [--repeat N]

Run it on a quiet machine; speeds are the best of N calls.
"""

from __future__ import annotations

import argparse
import functools

import numpy

import ndcodecs
from ndcodecs._demo import _max_error, best_time

# (codec, mode, lossless, sample, encode keywords, decode needs shape and dtype)
ROWS = [
    ('zfp', 'reversible', True, 'field32', {'reversible': True}, False),
    ('zfp', 'accuracy, tolerance 1e-3', False, 'field32', {'tolerance': 1e-3}, False),
    ('zfp', 'precision 16 bits', False, 'field32', {'precision': 16}, False),
    ('zfp', 'fixed rate 8 bits/value', False, 'field32', {'rate': 8}, False),
    ('lerc', 'lossless', True, 'field32', {'tolerance': 0}, False),
    ('lerc', 'tolerance 1e-3', False, 'field32', {'tolerance': 1e-3}, False),
    ('sz3', 'absolute error 1e-3', False, 'field32', {'tolerance': 1e-3}, True),
    ('sperr', 'point-wise error 1e-3', False, 'field32', {'mode': 'pwe', 'quality': 1e-3}, True),
    ('pcodec', 'lossless, level 8', True, 'field32', {'level': 8}, True),
    ('aec', 'lossless (integers)', True, 'microscopy16', {'bitspersample': 16}, False),
    ('szip', 'lossless (integers, HDF5 layout)', True, 'microscopy16', {}, False),
    ('rcomp', 'lossless (integers)', True, 'microscopy16', {}, True),
]


def _row(name, mode, lossless, sample, kwargs, shaped, repeat):
    codec = ndcodecs.get_codec(name)
    if not codec.available:
        return f'| {name} | {mode} | — | — | — | unavailable | (see `ndcodecs show-config`) |'
    array = ndcodecs.sample(sample)
    if name == 'szip':
        kwargs = ndcodecs.szip_params(array)
    encode = functools.partial(codec.encode, **kwargs)
    decode = codec.decode
    if shaped:
        decode = functools.partial(decode, shape=array.shape, dtype=array.dtype)
    if name in ('aec', 'szip'):
        decode = functools.partial(decode, **kwargs, out=array.nbytes)
    t_enc, encoded = best_time(encode, array, repeat)
    t_dec, decoded = best_time(decode, encoded, repeat)
    if name in ('aec', 'szip'):
        decoded = numpy.frombuffer(decoded, array.dtype)
    error = _max_error(array, decoded)
    if lossless and error:
        raise AssertionError(f'{name} {mode}: lossless mode has error {error}')
    mb = array.nbytes / 1e6
    return (f'| {name} | {mode} | {"yes" if lossless else "no"} | '
            f'{array.nbytes / len(encoded):.2f} | {error:.2g} | '
            f'{mb / t_enc:.0f} | {mb / t_dec:.0f} |')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=20)
    args = parser.parse_args(argv)
    print('| codec | mode | lossless | ratio | max error | encode MB/s | decode MB/s |')
    print('|---|---|---|---|---|---|---|')
    for row in ROWS:
        if ndcodecs.has_codec(row[0]):
            print(_row(*row, args.repeat))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())

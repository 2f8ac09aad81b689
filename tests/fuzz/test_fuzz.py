"""A short seeded fuzz pass over every decoder, each in its own process,
so that a crash fails the test instead of the run."""

import pathlib
import subprocess
import sys

import pytest

from common import codec_params

FUZZER = pathlib.Path(__file__).with_name('fuzz.py')


@pytest.mark.parametrize('codec', [p for p in codec_params() if p.values[0].can_decode and p.values[0].name != 'none'])
def test_fuzz(codec):
    proc = subprocess.run(
        [sys.executable, str(FUZZER), '--codec', codec.name, '--iterations', '3000', '--seed', '1'],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, (
        f'exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}'
    )


def test_mutations_are_seeded():
    sys.path.insert(0, str(FUZZER.parent))
    import random

    import fuzz

    pool = [b'abcdef' * 10]
    first = [fuzz.mutate(pool[0], random.Random(3), pool) for _ in range(5)]
    again = [fuzz.mutate(pool[0], random.Random(3), pool) for _ in range(5)]
    assert first == again

"""Write the numcodecs fixture data that tests/test_numcodecs.py reads.

numcodecs' wheels do not ship the ``fixture/`` folder that its
``check_backwards_compatibility`` reads, so this writes one from numcodecs'
own codecs into tests/data/numcodecs (run with numcodecs installed and
ndcodecs' drop-ins not registered). Existing files are kept.

    python tools/numcodecs_fixtures.py
"""

from __future__ import annotations

import os

import numcodecs
import numpy
from numcodecs.tests.common import check_backwards_compatibility

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDER = os.path.join(ROOT, 'tests', 'data', 'numcodecs')


def arrays():
    """Return the fixture arrays, keyed by a dtype family."""
    rng = numpy.random.default_rng(42)
    ints = [
        numpy.arange(1000, dtype='<i4'),
        rng.integers(-500, 500, 1200, dtype='<i4').reshape(30, 40),
        numpy.repeat(numpy.arange(100, dtype='<i4'), 10),
    ]
    floats = [
        numpy.linspace(1000, 1001, 1000, dtype='<f8'),
        rng.normal(1000, 1, 1000).astype('<f8'),
        numpy.linspace(0, 1, 600, dtype='<f8').reshape(20, 30),
    ]
    float32 = [a.astype('<f4') / 1000 for a in floats]
    mixed = [ints[0], floats[0], rng.integers(0, 256, 3000, dtype='u1'),
             (rng.random((40, 50)) * 4096).astype('<u2'), float32[1]]
    bools = [rng.random(1000) > 0.5, rng.random(333) > 0.9]
    return {'ints': ints, 'floats': floats, 'float32': float32, 'mixed': mixed, 'bools': bools}


def cases():
    """Return (codec_id, array family, codecs, precision) per numcodecs id."""
    B = numcodecs.Blosc
    return [
        ('zstd', 'mixed', [numcodecs.Zstd(level=1), numcodecs.Zstd(level=5),
                           numcodecs.Zstd(level=3, checksum=True)], None),
        ('zlib', 'mixed', [numcodecs.Zlib(level=1), numcodecs.Zlib(level=6), numcodecs.Zlib(level=9)], None),
        ('gzip', 'mixed', [numcodecs.GZip(level=1), numcodecs.GZip(level=6), numcodecs.GZip(level=9)], None),
        ('bz2', 'mixed', [numcodecs.BZ2(level=1), numcodecs.BZ2(level=9)], None),
        ('lzma', 'mixed', [numcodecs.LZMA(), numcodecs.LZMA(preset=1), numcodecs.LZMA(format=2),
                           numcodecs.LZMA(check=0)], None),
        ('lz4', 'mixed', [numcodecs.LZ4(), numcodecs.LZ4(acceleration=10)], None),
        ('blosc', 'mixed', [B(cname='lz4', clevel=5, shuffle=B.SHUFFLE),
                            B(cname='zstd', clevel=3, shuffle=B.BITSHUFFLE),
                            B(cname='blosclz', clevel=9, shuffle=B.NOSHUFFLE),
                            B(cname='zlib', clevel=1, shuffle=B.AUTOSHUFFLE),
                            B(cname='lz4hc', clevel=5, shuffle=B.SHUFFLE, blocksize=256)], None),
        ('delta', 'ints', [numcodecs.Delta(dtype='<i4'), numcodecs.Delta(dtype='<i4', astype='<i8')], None),
        ('fixedscaleoffset', 'floats', [numcodecs.FixedScaleOffset(offset=1000, scale=10, dtype='<f8', astype='<i4'),
                                        numcodecs.FixedScaleOffset(offset=0, scale=100, dtype='<f8', astype='<i4')],
         [0, 1]),
        ('quantize', 'floats', [numcodecs.Quantize(digits=1, dtype='<f8'),
                                numcodecs.Quantize(digits=3, dtype='<f8', astype='<f4')], [0, 2]),
        ('bitround', 'float32', [numcodecs.BitRound(keepbits=10), numcodecs.BitRound(keepbits=23)], [2, None]),
        ('packbits', 'bools', [numcodecs.PackBits()], None),
        ('shuffle', 'mixed', [numcodecs.Shuffle(elementsize=4), numcodecs.Shuffle(elementsize=8),
                              numcodecs.Shuffle(elementsize=1)], None),
        ('astype', 'ints', [numcodecs.AsType(encode_dtype='<i2', decode_dtype='<i4'),
                            numcodecs.AsType(encode_dtype='<f8', decode_dtype='<i4')], None),
        ('crc32', 'mixed', [numcodecs.CRC32(), numcodecs.CRC32(location='end')], None),
        ('adler32', 'mixed', [numcodecs.Adler32(), numcodecs.Adler32(location='end')], None),
        ('fletcher32', 'mixed', [numcodecs.Fletcher32()], None),
        ('jenkins_lookup3', 'mixed', [numcodecs.JenkinsLookup3(), numcodecs.JenkinsLookup3(initval=7)],
         None),
    ]


def main() -> None:
    families = arrays()
    os.makedirs(FOLDER, exist_ok=True)
    os.chdir(FOLDER)
    for codec_id, family, codecs, precision in cases():
        check_backwards_compatibility(codec_id, families[family], codecs, precision=precision)


if __name__ == '__main__':
    main()

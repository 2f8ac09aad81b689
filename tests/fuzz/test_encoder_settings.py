"""Image encoders on small, odd and multi-frame images with extreme settings.

Debian's libraries abort the process on some of these (OpenJPH on coarse
steps, libaom on gray sequences at high speeds and on samples past the bit
depth, libjxl on tiny images at high effort); the encoders avoid them.
Each codec runs in a subprocess, so that an abort fails its test only and
names the last case tried.
"""

import itertools
import os
import subprocess
import sys

import numpy
import pytest

import ndcodecs

SHAPES = [(1, 1), (1, 2), (2, 1), (3, 5), (7, 3), (16, 1), (1, 17), (9, 9), (33, 2), (64, 3), (100, 7), (2, 300)]
SEQUENCES = [(2, 8, 8), (11, 16, 16), (3, 1, 5), (16, 1, 1), (4, 9, 7, 3), (12, 5, 5, 4), (17, 2, 300)]
DTYPES = ['uint8', 'uint16', 'int16', 'float16', 'float32']

SETTINGS = {
    'jpeg2k': [{'level': level} for level in (0.5, 10, 99, 100)]
    + [{'level': 5, 'resolutions': r} for r in (1, 2, 12)] + [{'tile': (4, 4)}, {'codeblock': (4, 4)}],
    'htj2k': [{'level': level} for level in (0.001, 0.25, 1, 90)]
    + [{'level': 0.1, 'resolutions': r} for r in (1, 2, 9)] + [{'tile': (16, 16)}],
    'jpegxl': [{'level': level} for level in (0, 50, 100)] + [{'distance': d} for d in (0.01, 25)]
    + [{'effort': e} for e in (1, 8, 9)] + [{'decodingspeed': 4}],
    'avif': [{'level': level} for level in (0, 50)] + [{'speed': s} for s in (0, 7, 8, 10)]
    + [{'bitspersample': 10}, {'tilelog2': (1, 1)}],
    'webp': [{'level': level} for level in (0, 100)] + [{'lossless': True, 'method': m} for m in (0, 6)],
    'jpegls': [{'level': level} for level in (0, 5, 255)],
    'jpegxr': [{'level': level} for level in (0.0, 0.5, 1.0)],
    'jpeg8': [{'level': level} for level in (0, 100)] + [{'subsampling': '420'}, {'progressive': True}],
    'heif': [{'level': level} for level in (0, 100)],
    'exr': [{'compression': c} for c in ('none', 'rle', 'zips', 'zip', 'piz', 'pxr24')],
    'lerc': [{'level': level} for level in (0, 0.5, 100)],
}
MULTIFRAME = {'avif', 'jpegxl', 'webp', 'heif'}


def image(shape, dtype):
    """Smooth samples over most of the dtype's range (12 bits for uint16,
    which AVIF holds at most)."""
    y = numpy.linspace(0, 1, int(numpy.prod(shape))).reshape(shape)
    if numpy.dtype(dtype).kind == 'f':
        return y.astype(dtype)
    info = numpy.iinfo(dtype)
    top = 4095 if dtype == 'uint16' else info.max
    return (info.min + y * (top - info.min)).astype(dtype)


def sweep(name):
    """Encode and decode every case of `name`, printing each first."""
    encode = getattr(ndcodecs, f'{name}_encode')
    decode = getattr(ndcodecs, f'{name}_decode')
    shapes = SHAPES + [s + (n,) for s in SHAPES for n in (2, 3, 4, 5)]
    if name in MULTIFRAME:
        shapes += SEQUENCES
    for shape, kwargs, dtype in itertools.product(shapes, SETTINGS[name], DTYPES):
        print(name, shape, dtype, kwargs, flush=True)
        try:
            decode(encode(image(shape, dtype), **kwargs))
        except (ValueError, TypeError, ndcodecs.CodecError):
            pass  # settings or data the codec refuses


@pytest.mark.parametrize('name', sorted(SETTINGS))
def test_encoder_settings(name):
    if not ndcodecs.get_codec(name).available:
        pytest.skip(f'{name} is not built')
    code = f'import sys; sys.path.insert(0, {os.path.dirname(__file__)!r}); import test_encoder_settings as t; t.sweep({name!r})'
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=600)
    last = result.stdout.strip().splitlines()[-1:] or ['(none)']
    assert result.returncode == 0, f'status {result.returncode} at {last[0]}: {result.stderr[-500:]}'

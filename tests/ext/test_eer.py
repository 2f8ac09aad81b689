"""Tests of the eer decoder (Thermo Fisher EER frames, our own C)."""

import numpy
import pytest

import ndcodecs

pytestmark = pytest.mark.skipif(
    not ndcodecs.get_codec('eer').available, reason='_eer not built'
)

CONFIGS = [(7, 2, 2), (8, 2, 2), (12, 2, 2), (8, 4, 4), (8, 3, 1), (6, 1, 3), (4, 1, 4), (9, 2, 3)]


def pack(fields, nbytes=None):
    """Return (value, nbits) fields as an LSB-first little-endian stream."""
    acc = nbits = 0
    for value, bits in fields:
        acc |= value << nbits
        nbits += bits
    if nbytes is None:
        nbytes = (nbits + 15) // 16 * 2
    return (acc & ((1 << (nbytes * 8)) - 1)).to_bytes(nbytes, 'little')


def frame(rng, nbytes, skipbits, horzbits, vertbits):
    """Return a random frame of mostly short runs."""
    fields = []
    nbits = 0
    maxrle = (1 << skipbits) - 1
    while nbits < nbytes * 8:
        rle = int(rng.integers(0, maxrle + 1)) if rng.random() < 0.1 else int(rng.integers(0, 8))
        fields.append((rle, skipbits))
        nbits += skipbits
        if rle != maxrle:
            fields.append((int(rng.integers(0, 1 << (horzbits + vertbits))), horzbits + vertbits))
            nbits += horzbits + vertbits
    return pack(fields, nbytes)


def test_eer_codes():
    # run of 3, electron; the rest of the 16 bits is too short for a code
    result = ndcodecs.eer_decode(pack([(3, 7), (0, 4)], 2), (4, 8), 7, 2, 2)
    assert result.dtype == numpy.bool_ and result.shape == (4, 8)
    assert numpy.flatnonzero(result).tolist() == [3]
    # the largest run skips without an electron
    data = pack([(127, 7), (2, 7), (5, 4)], 4)
    assert numpy.flatnonzero(ndcodecs.eer_decode(data, (16, 16), 7, 2, 2)).tolist() == [129, 130]  # then a code of zeros
    # a code is read only if it ends before the last bit
    assert ndcodecs.eer_decode(bytes(22), (32, 32), 7, 2, 2).sum() == 15
    assert ndcodecs.eer_decode(bytes(6), (32, 32), 8, 2, 2).sum() == 3
    # empty frame
    assert not ndcodecs.eer_decode(b'', (4, 8), 7, 2, 2).any()
    # a run to the end of the image stops decoding
    data = pack([(32, 7), (0, 4), (5, 7), (0, 4)])
    assert not ndcodecs.eer_decode(data, (4, 8), 7, 2, 2).any()
    # superresolution: the subpixel position, horizontal bits first
    data = pack([(3, 7), (8, 4)], 2)
    assert numpy.argwhere(ndcodecs.eer_decode(data, (4, 8), 7, 2, 2, superres=1)).tolist() == [[0, 7]]
    # electrons add to out
    out = numpy.ones((4, 8), numpy.uint8)
    assert ndcodecs.eer_decode(pack([(3, 7), (0, 4)], 2), (4, 8), 7, 2, 2, out=out) is out
    assert out.ravel()[:5].tolist() == [1, 1, 1, 2, 1]


def test_eer_errors():
    with pytest.raises(ndcodecs.EerError):
        ndcodecs.eer_decode(b'\0', (4, 8), 7, 2, 2)  # odd size
    with pytest.raises(ndcodecs.EerError):
        ndcodecs.eer_decode(pack([(40, 7), (0, 4)]), (4, 8), 7, 2, 2)  # past the end
    with pytest.raises(ndcodecs.EerError):
        ndcodecs.eer_decode(pack([(31, 7), (0, 4), (5, 7), (0, 4)]), (4, 8), 7, 2, 2)
    with pytest.raises(ndcodecs.EerError):
        ndcodecs.eer_decode(b'\0\0', (0, 8), 7, 2, 2)
    with pytest.raises(ndcodecs.EerError):
        ndcodecs.eer_decode(b'', (1 << 20, 1 << 20), 7, 2, 2)  # max_output
    with pytest.raises(ndcodecs.EerError):
        ndcodecs.eer_decode(b'', (1 << 40, 1 << 40), 7, 2, 2)
    with pytest.raises(ndcodecs.EerError):
        ndcodecs.eer_decode(b'', (64, 64), 7, 2, 2, max_output=4095)
    assert ndcodecs.eer_decode(b'', (64, 64), 7, 2, 2, max_output=4096).shape == (64, 64)
    for sk, h, v in [(5, 1, 1), (6, 1, 1), (13, 2, 2), (8, 5, 1), (8, 0, 2), (8, 8, 8)]:
        with pytest.raises(ValueError):
            ndcodecs.eer_decode(b'', (4, 8), sk, h, v)
    with pytest.raises(ndcodecs.EerError):
        ndcodecs.eer_decode(b'\0\0', (4, 8), 3, 3, 3)
    with pytest.raises(ValueError):
        ndcodecs.eer_decode(b'', (2, 2), 7, 2, 2, superres=1)
    with pytest.raises(ValueError):
        ndcodecs.eer_decode(b'', (32,), 7, 2, 2)
    with pytest.raises(ValueError):
        ndcodecs.eer_decode(b'', (4, 8), 7, 2, 2, superres=-1)
    with pytest.raises(ValueError):
        ndcodecs.eer_decode(b'', (4, 8), 7, 2, 2, out=numpy.zeros((4, 8), 'u2'))
    with pytest.raises(TypeError):
        ndcodecs.eer_decode('abcd', (4, 8), 7, 2, 2)


@pytest.mark.parametrize('config', CONFIGS)
def test_eer_imagecodecs(config):
    imagecodecs = pytest.importorskip('imagecodecs')
    sk, h, v = config
    rng = numpy.random.default_rng(sum(config))
    for i in range(300):
        sr = i % 4
        height = int(rng.integers(1, 20)) << (v if sr else 0)
        width = int(rng.integers(1, 20)) << (h if sr else 0)
        data = frame(rng, int(rng.integers(0, 40)) * 2, sk, h, v)
        try:
            expected = imagecodecs.eer_decode(data, (height, width), sk, h, v, superres=sr)
        except Exception:
            with pytest.raises(ndcodecs.EerError):
                ndcodecs.eer_decode(data, (height, width), sk, h, v, superres=sr)
            continue
        result = ndcodecs.eer_decode(data, (height, width), sk, h, v, superres=sr)
        assert result.dtype == expected.dtype
        numpy.testing.assert_array_equal(result.view('u1'), expected.view('u1'))
        out = numpy.full((height, width), 3, numpy.uint8)
        expected = imagecodecs.eer_decode(data, (height, width), sk, h, v, superres=sr, out=out.copy())
        numpy.testing.assert_array_equal(
            ndcodecs.eer_decode(data, (height, width), sk, h, v, superres=sr, out=out), expected
        )

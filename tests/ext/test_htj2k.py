"""HTJ2K specifics: OpenJPH encoding of every supported depth and component
count, lossless and lossy, tiles and options, JPH files, reduced decoding,
threads, parity with imagecodecs, malformed streams and memory."""

import struct
import time

import numpy
import pytest

import ndcodecs
from ndcodecs import HTJ2K, Htj2kError, htj2k_check, htj2k_decode, htj2k_encode, htj2k_version
from common import assert_memory_flat, assert_runs_in_parallel, psnr, run_in_threads, smooth_image


def jph(codestream):
    """A minimal JPH file around a codestream."""
    box = lambda kind, data: struct.pack('>I', 8 + len(data)) + kind + data  # noqa: E731
    return (b'\x00\x00\x00\x0cjP  \r\n\x87\n' + box(b'ftyp', b'jph \x00\x00\x00\x00jph ')
            + box(b'jp2h', box(b'ihdr', bytes(14))) + box(b'jp2c', codestream))


def test_constants_version_check():
    assert HTJ2K.available is True
    assert {m.name: m.value for m in HTJ2K.TILEPART} == {'RESOLUTIONS': 1, 'COMPONENTS': 2}
    assert htj2k_version().startswith('openjph 0.')
    encoded = htj2k_encode(smooth_image((8, 8)))
    assert htj2k_check(encoded) is True
    assert htj2k_check(jph(encoded)) is True
    assert htj2k_check(ndcodecs.jpeg2k_encode(smooth_image((8, 8)), codecformat='j2k')) is False
    for head in (b'', b'\xff\x4f\xff\x51', bytes(16)):
        assert htj2k_check(head) is False
    assert ndcodecs.codec_for_bytes(encoded).name == 'htj2k'


@pytest.mark.parametrize('dtype', ['uint8', 'int8', 'uint16', 'int16'])
@pytest.mark.parametrize('samples', [1, 2, 3, 4, 5])
def test_lossless_roundtrip(dtype, samples):
    data = smooth_image((37, 51, samples) if samples > 1 else (37, 51), dtype)
    decoded = htj2k_decode(htj2k_encode(data))
    assert decoded.dtype == data.dtype
    numpy.testing.assert_array_equal(decoded, data)


@pytest.mark.parametrize('shape', [(1, 1), (1, 9), (9, 1), (2, 2), (5, 7), (17, 17), (4097, 3)])
def test_odd_sizes(shape):
    data = smooth_image(shape)
    numpy.testing.assert_array_equal(htj2k_decode(htj2k_encode(data)), data)


@pytest.mark.parametrize('level', [0.002, 0.01, 0.05])
@pytest.mark.parametrize('dtype', ['uint8', 'uint16'])
def test_lossy(level, dtype):
    data = smooth_image((64, 80, 3), dtype)
    lossless = htj2k_encode(data)
    encoded = htj2k_encode(data, level=level)
    assert len(encoded) < len(lossless)
    peak = numpy.iinfo(dtype).max
    assert psnr(htj2k_decode(encoded), data, peak) > {0.002: 45, 0.01: 35, 0.05: 25}[level]


@pytest.mark.parametrize('shape', [(64, 3), (1, 253, 3), (4, 253, 3), (9, 2), (100, 40, 3)])
@pytest.mark.parametrize('dtype', ['uint8', 'int16'])
def test_coarse_steps_are_capped(shape, dtype):
    """OpenJPH 0.9 aborts the process on steps from 0.5 up for some of
    these images: steps above 0.25 are taken as 0.25."""
    data = smooth_image(shape, dtype)
    info = numpy.iinfo(dtype)
    for level in (0.25, 0.5, 1, 90):
        for resolutions in (1, 2, 6):
            decoded = htj2k_decode(htj2k_encode(data, level=level, resolutions=resolutions))
            assert decoded.shape == shape
            assert numpy.abs(decoded.astype(int) - data).max() <= (info.max - info.min) * 0.5 + 1


@pytest.mark.parametrize('shape, kwargs', [
    ((15, 300), {}), ((300, 15), {}), ((32, 300), {}), ((40, 40), {'resolutions': 7}),
    ((100, 100), {'tile': 48}), ((100, 100, 3), {'tile': (64, 90)}),
])
def test_small_tiles_lossless(shape, kwargs):
    """OpenJPH 0.9's irreversible wavelet gets tiles under 16 samples on a
    side, or no taller than 2**decompositions, badly wrong: those encode
    losslessly."""
    data = smooth_image(shape)
    encoded = htj2k_encode(data, level=0.01, **kwargs)
    numpy.testing.assert_array_equal(htj2k_decode(encoded), data)
    assert htj2k_encode(data, level=0.01, **kwargs) == encoded


@pytest.mark.parametrize('kwargs', [
    {'tile': (32, 48)}, {'tile': 16}, {'resolutions': 1}, {'resolutions': 3},
    {'codeblock': (32, 32)}, {'progression': 'LRCP'}, {'rgb': False},
    {'reversible': True, 'level': 0.01},
])
def test_encoder_options(kwargs):
    data = smooth_image((70, 90, 3), numpy.uint16)
    numpy.testing.assert_array_equal(htj2k_decode(htj2k_encode(data, **kwargs)), data)


def test_planar_and_jph():
    data = smooth_image((3, 20, 30))
    encoded = htj2k_encode(data, planar=True)
    numpy.testing.assert_array_equal(htj2k_decode(encoded, planar=True), data)
    numpy.testing.assert_array_equal(htj2k_decode(jph(encoded), planar=True), data)


def test_skipres():
    data = smooth_image((100, 75))
    assert htj2k_decode(htj2k_encode(data), skipres=1).shape == (50, 38)
    assert htj2k_decode(htj2k_encode(data), skipres=(2, 2)).shape == (25, 19)


def test_out():
    data = smooth_image((30, 40, 3))
    encoded = htj2k_encode(data)
    out = numpy.zeros_like(data)
    assert htj2k_decode(encoded, out=out) is out
    numpy.testing.assert_array_equal(out, data)
    assert bytes(htj2k_encode(data, out=bytearray)) == encoded
    with pytest.raises(Htj2kError):
        htj2k_encode(data, out=10)


def test_wrong_arguments():
    data = smooth_image((8, 8))
    for bad in ('text', None):
        with pytest.raises(TypeError):
            htj2k_encode(bad)
        with pytest.raises(TypeError):
            htj2k_decode(bad)
    for dtype in (numpy.float32, numpy.uint32):
        with pytest.raises(ValueError):
            htj2k_encode(data.astype(dtype))
    with pytest.raises(ValueError):
        htj2k_encode(data, codeblock=(3, 64))
    with pytest.raises(ValueError):
        htj2k_encode(data, progression='XYZW')
    with pytest.raises(ValueError):
        htj2k_encode(data, tlm=True)
    with pytest.raises(TypeError):
        htj2k_encode(data, level='high')


def test_bad_input():
    encoded = htj2k_encode(smooth_image((64, 64, 3)))
    bad = [b'', b'\0', bytes(100), b'\xff\x4f\xff\x51', encoded[:20], encoded[:80],
           jph(b''), jph(encoded)[:40]]
    main_header = encoded.find(b'\xff\x90')
    for cut in range(1, main_header, 4):
        bad.append(encoded[:cut])
    siz_huge = bytearray(encoded)
    siz_huge[8:16] = b'\x7f\xff\xff\xff\x7f\xff\xff\xff'
    bad.append(bytes(siz_huge))
    for data in bad:
        start = time.perf_counter()
        with pytest.raises(Htj2kError):
            htj2k_decode(data)
        assert time.perf_counter() - start < 2
    with pytest.raises(Htj2kError, match='max_output'):
        htj2k_decode(encoded, max_output=1000)


def aborting_stream():
    """A codestream on which Debian's openjpeg 2.5.0 fails an assertion in
    its HT block decoder (0xFF followed by a byte above 0x8F in the MEL
    segment) and aborts the process that runs it."""
    encoded = bytearray(htj2k_encode(smooth_image((64, 64))))
    body = encoded.find(b'\xff\x93') + 2
    encoded[body + 60:body + 64] = b'\xff\xff\xff\x7f'
    return bytes(encoded)


def expected_crash():
    """The message for aborting_stream(): openjpeg 2.5.0 aborts, later
    versions report an error."""
    if ndcodecs.jpeg2k_version() == 'openjpeg 2.5.0':
        return r'openjpeg crashed on this stream \(signal 6: SIGABRT\)'
    return 'opj_decode'


def test_abort_ends_only_the_decoding_process(isolation):
    data = smooth_image((64, 64))
    for _ in range(3):
        with pytest.raises(Htj2kError, match=expected_crash()):
            htj2k_decode(aborting_stream())
        numpy.testing.assert_array_equal(htj2k_decode(htj2k_encode(data)), data)


def test_truncated_tail():
    data = smooth_image((64, 64))
    encoded = htj2k_encode(data)
    with pytest.raises(Htj2kError):
        htj2k_decode(encoded[:-10])
    assert htj2k_decode(encoded[:-10], resilient=True).shape == data.shape


def test_imagecodecs_parity():
    imagecodecs = pytest.importorskip('imagecodecs')
    cases = [smooth_image((64, 80)), smooth_image((64, 80, 3)), smooth_image((33, 17, 4)),
             smooth_image((64, 80, 3), numpy.uint16), smooth_image((40, 30), numpy.int16), smooth_image((5, 7))]
    for data in cases:
        ours = htj2k_encode(data)
        theirs = imagecodecs.htj2k_encode(data)
        decoded = imagecodecs.htj2k_decode(ours)
        if decoded.shape != data.shape:
            decoded = numpy.moveaxis(decoded, 0, -1)  # imagecodecs: planar
        numpy.testing.assert_array_equal(decoded, data)
        numpy.testing.assert_array_equal(htj2k_decode(theirs), data)
        # OpenJPH 0.9 and imagecodecs' newer OpenJPH differ in CAP and QCD
        assert abs(len(ours) - len(theirs)) < 16
    data = smooth_image((64, 80, 3))
    ours = htj2k_encode(data, level=0.01)
    theirs = imagecodecs.htj2k_encode(data, level=0.01)
    assert psnr(imagecodecs.htj2k_decode(ours), data, 255) > 35
    assert psnr(htj2k_decode(theirs), data, 255) > 35


def test_threads_same_results():
    data = smooth_image((128, 160, 3))
    encoded = htj2k_encode(data)
    results = []

    def work(_):
        for _ in range(5):
            assert htj2k_encode(data) == encoded
            results.append(htj2k_decode(encoded))
            with pytest.raises(Htj2kError):
                htj2k_decode(encoded[:80])

    run_in_threads(work)
    assert len(results) == 20
    for r in results:
        numpy.testing.assert_array_equal(r, data)


@pytest.mark.parametrize('which', ['encode', 'decode'])
def test_two_threads_in_parallel(which):
    data = smooth_image((1536, 1536, 3))
    encoded = htj2k_encode(data)
    assert_runs_in_parallel(
        (lambda: htj2k_encode(data)) if which == 'encode' else (lambda: htj2k_decode(encoded)))


def test_no_leak():
    data = smooth_image((16, 16, 3))

    def step():
        htj2k_decode(htj2k_encode(data))
        with pytest.raises(ValueError):
            htj2k_encode(data, codeblock=(4096, 4))

    assert_memory_flat(step, warmup=500, repeat=10000, limit=4 << 20)

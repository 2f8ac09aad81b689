"""WebP specifics: lossless and lossy encoding, alpha, options, animations
(encoded with libwebpmux, decoded with libwebpdemux), parity with
imagecodecs and Pillow, and malformed files."""

import io

import numpy
import pytest

import ndcodecs
from ndcodecs import WEBP, WebpError, webp_check, webp_decode, webp_encode, webp_version
from common import assert_releases_gil, psnr, run_in_threads


def image(shape, seed=0):
    """Smooth image-like uint8 data with noise."""
    rng = numpy.random.default_rng(seed)
    height, width = shape[:2]
    y, x = numpy.mgrid[:height, :width] / max(height, width, 2)
    base = 0.5 + 0.4 * numpy.sin(7 * x) * numpy.cos(5 * y)
    if len(shape) == 3:
        base = base[..., None] * numpy.linspace(0.6, 1.0, shape[2])
    return numpy.clip(base * 255 + rng.normal(0, 3, base.shape), 0, 255).astype(numpy.uint8)


def animation(nframes=4, channels=4, shape=(64, 80)):
    first = image((*shape, channels), 1)
    if channels == 4:
        first[..., 3] = numpy.arange(shape[1]) * 3 % 256  # zero alpha included
    return numpy.stack([numpy.roll(first, 5 * i, 1) for i in range(nframes)])


def photos():
    return {name: ndcodecs.sample(name) for name in ('astronaut', 'chelsea')}


def test_constants_version_check():
    assert WEBP.available is True
    assert webp_version().startswith('libwebp ')
    assert ndcodecs.get_codec('webp').version == webp_version()
    encoded = webp_encode(image((4, 4, 3)))
    assert webp_check(encoded) is True
    assert webp_check(memoryview(encoded)) is True
    for data in (b'', b'RIFF', b'RIFF\0\0\0\0WAVE', b'GIF89a'):
        assert webp_check(data) is False
    assert ndcodecs.codec_for_bytes(encoded).name == 'webp'
    assert ndcodecs.codec_for_path('x/y.WEBP').name == 'webp'


# lossless

@pytest.mark.parametrize('channels', [3, 4])
@pytest.mark.parametrize('size', [(1, 1), (1, 7), (7, 1), (3, 5), (4097, 3), (64, 97), (1, 16383)])
def test_lossless_roundtrip(size, channels):
    data = image((*size, channels), sum(size))
    if channels == 4:
        data[..., 3] = numpy.random.default_rng(0).integers(0, 256, size)
        data[0, 0, 3] = 0  # RGB under transparent pixels is kept too
    encoded = webp_encode(data)
    assert encoded[12:16] == b'VP8L'
    decoded = webp_decode(encoded)
    assert decoded.dtype == numpy.uint8 and decoded.shape == data.shape
    numpy.testing.assert_array_equal(decoded, data)


def test_lossless_samples():
    for name, data in photos().items():
        for level in (None, 0, 100):
            numpy.testing.assert_array_equal(webp_decode(webp_encode(data, level)), data, err_msg=name)


def test_lossless_options():
    data = image((60, 70, 3))
    default = webp_encode(data)
    assert webp_encode(data, lossless=True) == default
    assert webp_encode(data, 75) == default  # level is the effort
    assert webp_encode(data, -1, lossless=False) == default  # negative level: lossless
    assert webp_encode(data, method=4) == default
    for method in (0, 6):
        numpy.testing.assert_array_equal(webp_decode(webp_encode(data, method=method)), data)
    assert webp_encode(data, method=100) == webp_encode(data, method=6)


def test_gray_is_encoded_as_rgb():
    gray = image((30, 40))
    decoded = webp_decode(webp_encode(gray))
    numpy.testing.assert_array_equal(decoded, numpy.repeat(gray[..., None], 3, axis=2))


def test_opaque_alpha_is_dropped():
    data = image((10, 12, 4))
    data[..., 3] = 255
    assert webp_decode(webp_encode(data)).shape == (10, 12, 3)
    numpy.testing.assert_array_equal(webp_decode(webp_encode(data), hasalpha=True), data)


# lossy

@pytest.mark.parametrize('level, threshold', [(None, 30), (50, 30), (90, 35), (100, 38)])
def test_lossy_samples(level, threshold):
    for name, data in photos().items():
        encoded = webp_encode(data, level, lossless=False)
        assert encoded[12:16] == b'VP8 '
        decoded = webp_decode(encoded)
        assert decoded.shape == data.shape
        assert psnr(data, decoded) > threshold, name


def test_lossy_options():
    data = photos()['chelsea']
    sizes = [len(webp_encode(data, level, lossless=False)) for level in (0, 50, 100)]
    assert sizes[0] < sizes[1] < sizes[2]
    assert webp_encode(data, 200, lossless=False) == webp_encode(data, 100, lossless=False)
    assert webp_encode(data, lossless=False) == webp_encode(data, 75, lossless=False)
    for method in (0, 3, 6):
        assert psnr(data, webp_decode(webp_encode(data, lossless=False, method=method))) > 30
    threaded = webp_encode(data, lossless=False, numthreads=2)
    assert psnr(data, webp_decode(threaded)) > 30


@pytest.mark.parametrize('size', [(1, 1), (1, 7), (3, 5), (4097, 3)])
def test_lossy_odd_sizes(size):
    data = image((*size, 4), 2)
    decoded = webp_decode(webp_encode(data, lossless=False))
    assert decoded.shape == data.shape
    assert numpy.abs(decoded.astype(int) - data).max() < 100


def test_lossy_alpha_is_lossless():
    data = image((40, 50, 4), 3)
    data[..., 3] = numpy.arange(50) * 5
    numpy.testing.assert_array_equal(webp_decode(webp_encode(data, 80, lossless=False))[..., 3], data[..., 3])


# decode options

def test_hasalpha():
    rgb = webp_encode(image((20, 30, 3)))
    rgba = webp_encode(animation(1)[0])
    assert webp_decode(rgb).shape == (20, 30, 3)
    decoded = webp_decode(rgb, hasalpha=True)
    assert decoded.shape == (20, 30, 4) and (decoded[..., 3] == 255).all()
    assert webp_decode(rgba).shape == (64, 80, 4)
    numpy.testing.assert_array_equal(webp_decode(rgba, hasalpha=False), webp_decode(rgba)[..., :3])


def test_index_of_still_image():
    encoded = webp_encode(image((5, 6, 3)))
    expected = webp_decode(encoded)
    for index in (None, 0, -1):
        numpy.testing.assert_array_equal(webp_decode(encoded, index=index), expected)
    for index in (1, -2):
        with pytest.raises(IndexError):
            webp_decode(encoded, index=index)
    with pytest.raises(TypeError):
        webp_decode(encoded, index=0.5)


def test_decode_numthreads():
    data = photos()['astronaut']
    for lossless in (False, True):
        encoded = webp_encode(data, lossless=lossless)
        numpy.testing.assert_array_equal(webp_decode(encoded, numthreads=2), webp_decode(encoded))


def test_decode_out():
    data = image((20, 30, 4), 4)
    encoded = webp_encode(data)
    out = numpy.zeros_like(data)
    assert webp_decode(encoded, out=out) is out
    numpy.testing.assert_array_equal(out, data)
    buffer = bytearray(data.nbytes)
    result = webp_decode(encoded, out=buffer)
    assert numpy.shares_memory(result, numpy.frombuffer(buffer, numpy.uint8))
    numpy.testing.assert_array_equal(result, data)
    with pytest.raises(ValueError):
        webp_decode(encoded, out=numpy.zeros((20, 30, 3), numpy.uint8))
    with pytest.raises(TypeError):
        webp_decode(encoded, out=bytes(data.nbytes))
    frames = animation(3)
    encoded = webp_encode(frames)
    out = numpy.zeros_like(frames)
    assert webp_decode(encoded, index=None, out=out) is out
    numpy.testing.assert_array_equal(out, frames)


def test_decode_input_buffers():
    encoded = webp_encode(image((10, 12, 3)))
    expected = webp_decode(encoded)
    for data in (bytearray(encoded), memoryview(encoded), numpy.frombuffer(encoded, numpy.uint8)):
        numpy.testing.assert_array_equal(webp_decode(data), expected)


def test_encode_out():
    data = image((50, 60, 3))
    expected = webp_encode(data)
    assert webp_encode(data, out=bytearray) == bytearray(expected)
    buffer = bytearray(len(expected) + 10)
    assert bytes(webp_encode(data, out=buffer)) == expected
    array = numpy.zeros(len(expected), numpy.uint8)
    assert webp_encode(data, out=array) is array and array.tobytes() == expected
    with pytest.raises(WebpError):
        webp_encode(data, out=bytearray(10))
    with pytest.raises(TypeError):
        webp_encode(data, out=bytes(len(expected)))


def test_encode_input_layouts():
    data = image((33, 47, 4))
    expected = webp_encode(data)
    assert webp_encode(numpy.asfortranarray(data)) == expected
    assert webp_encode(memoryview(data)) == expected
    assert webp_encode(data[:, ::-1]) == webp_encode(numpy.ascontiguousarray(data[:, ::-1]))
    rgb = data[..., :3]  # not contiguous
    numpy.testing.assert_array_equal(webp_decode(webp_encode(rgb)), rgb)


@pytest.mark.parametrize('data, error', [
    (numpy.zeros((), numpy.uint8), ValueError),
    (numpy.zeros(5, numpy.uint8), ValueError),
    (numpy.zeros((2, 3, 2), numpy.uint8), ValueError),
    (numpy.zeros((2, 3, 5), numpy.uint8), ValueError),
    (numpy.zeros((0, 3, 3), numpy.uint8), ValueError),
    (numpy.zeros((1, 2, 3, 4, 3), numpy.uint8), ValueError),
    (numpy.zeros((2, 3, 3), numpy.uint16), ValueError),
    (numpy.zeros((2, 3, 3), numpy.float32), ValueError),
    (numpy.zeros((1, 16384, 3), numpy.uint8), ValueError),
    ('image', TypeError),
    (None, TypeError),
])
def test_encode_invalid_input(data, error):
    with pytest.raises(error):
        webp_encode(data)


def test_encode_invalid_options():
    data = image((4, 4, 3))
    with pytest.raises(TypeError):
        webp_encode(data, method=1.5)
    with pytest.raises((TypeError, ValueError)):
        webp_encode(data, 'best')
    with pytest.raises(ValueError):
        webp_encode(data, numthreads=-1)


# animations

@pytest.mark.parametrize('channels', [3, 4])
def test_animation_roundtrip(channels):
    frames = animation(4, channels)
    encoded = webp_encode(frames)
    # libwebpmux marks animations as having alpha where frames blend
    hasalpha = channels == 4
    decoded = webp_decode(encoded, index=None, hasalpha=hasalpha)
    assert decoded.shape == frames.shape
    numpy.testing.assert_array_equal(decoded, frames)
    assert webp_decode(encoded, index=None).shape[-1] == 4
    numpy.testing.assert_array_equal(webp_decode(encoded, hasalpha=hasalpha), frames[0])  # index=0 by default
    for index in range(-4, 4):
        numpy.testing.assert_array_equal(webp_decode(encoded, index=index, hasalpha=hasalpha), frames[index])
    for index in (4, -5):
        with pytest.raises(IndexError):
            webp_decode(encoded, index=index)


def test_animation_lossy():
    frames = numpy.stack([numpy.roll(photos()['chelsea'], 7 * i, 0) for i in range(3)])
    decoded = webp_decode(webp_encode(frames, lossless=False), index=None, hasalpha=False)
    assert decoded.shape == frames.shape
    for i in range(3):
        assert psnr(frames[i], decoded[i]) > 30


def test_single_frame_animation_input():
    frames = animation(1, 3)
    encoded = webp_encode(frames)
    numpy.testing.assert_array_equal(webp_decode(encoded, index=None), frames[0])


def test_animation_max_output():
    encoded = webp_encode(animation(4))
    with pytest.raises(WebpError, match='max_output'):
        webp_decode(encoded, index=None, max_output=64 * 80 * 4 * 3)
    with pytest.raises(WebpError, match='max_output'):
        webp_decode(encoded, max_output=1000)


def _pillow_animation(frames, **options):
    Image = pytest.importorskip('PIL.Image')
    buffer = io.BytesIO()
    images = [Image.fromarray(f) for f in frames]
    images[0].save(buffer, 'WEBP', save_all=True, append_images=images[1:], duration=100, **options)
    return buffer.getvalue()


@pytest.mark.parametrize('channels', [3, 4])
def test_pillow_animations(channels):
    """Animations written by Pillow decode as Pillow shows them."""
    Image = pytest.importorskip('PIL.Image')
    frames = animation(4, channels)
    for options in ({'lossless': True}, {'quality': 80}):
        encoded = _pillow_animation(frames, **options)
        decoded = webp_decode(encoded, index=None, hasalpha=channels == 4)
        assert decoded.shape == frames.shape
        with Image.open(io.BytesIO(encoded)) as im:
            for i in range(im.n_frames):
                im.seek(i)
                theirs = numpy.asarray(im.convert('RGBA' if channels == 4 else 'RGB'))
                numpy.testing.assert_array_equal(decoded[i], theirs)
        if 'lossless' in options and channels == 3:
            numpy.testing.assert_array_equal(decoded, frames)


def test_pillow_reads_ours():
    Image = pytest.importorskip('PIL.Image')
    data = image((30, 40, 4))
    with Image.open(io.BytesIO(webp_encode(data))) as im:
        numpy.testing.assert_array_equal(numpy.asarray(im), data)
    frames = animation(3)
    with Image.open(io.BytesIO(webp_encode(frames))) as im:
        assert im.n_frames == 3
        for i in range(3):
            im.seek(i)
            numpy.testing.assert_array_equal(numpy.asarray(im.convert('RGBA')), frames[i])


# parity with imagecodecs

def test_imagecodecs_parity():
    imagecodecs = pytest.importorskip('imagecodecs')
    for name, data in photos().items():
        for kwargs in ({}, {'lossless': False}, {'level': 90, 'lossless': False, 'method': 6}):
            ours = webp_encode(data, **kwargs)
            theirs = imagecodecs.webp_encode(data, **kwargs)
            numpy.testing.assert_array_equal(imagecodecs.webp_decode(ours), webp_decode(ours))
            numpy.testing.assert_array_equal(webp_decode(theirs), imagecodecs.webp_decode(theirs))
            if not kwargs:
                numpy.testing.assert_array_equal(imagecodecs.webp_decode(ours), data)
                numpy.testing.assert_array_equal(webp_decode(theirs), data)
    data = animation(1)[0]
    for hasalpha in (None, True, False):
        theirs = imagecodecs.webp_encode(data)
        numpy.testing.assert_array_equal(webp_decode(theirs, hasalpha=hasalpha),
                                         imagecodecs.webp_decode(theirs, hasalpha=hasalpha))


def test_imagecodecs_animation_parity():
    imagecodecs = pytest.importorskip('imagecodecs')
    frames = animation(4)
    for encoded in (webp_encode(frames), _pillow_animation(frames, quality=70)):
        for index in range(-4, 4):
            numpy.testing.assert_array_equal(webp_decode(encoded, index=index),
                                             imagecodecs.webp_decode(encoded, index=index))


# malformed input

def test_decode_invalid_types():
    for data in ('RIFF', None, 1):
        with pytest.raises(TypeError):
            webp_decode(data)


@pytest.mark.parametrize('kind', ['lossless', 'lossy', 'animation'])
def test_decode_truncated_and_corrupt(kind):
    if kind == 'animation':
        encoded = webp_encode(animation(3))
    else:
        encoded = webp_encode(image((64, 80, 4), 5), lossless=kind == 'lossless')
    for cut in (1, 11, 12, 20, 30, len(encoded) // 2, len(encoded) - 1):
        with pytest.raises(WebpError):
            webp_decode(encoded[:cut], index=None)
    rng = numpy.random.default_rng(0)
    for _ in range(50):
        corrupt = bytearray(encoded)
        at = rng.integers(12, len(corrupt), 8)
        corrupt[at[0]:at[0] + 8] = rng.integers(0, 256, 8, numpy.uint8).tobytes()
        try:
            webp_decode(bytes(corrupt), index=None)
        except WebpError:
            pass


def test_decode_bad_input():
    rng = numpy.random.default_rng(0)
    for data in (b'', b'R', b'RIFF\0\0\0\0WEBP', b'RIFF\xff\xff\xff\xffWEBPVP8 ', bytes(100),
                 rng.integers(0, 256, 3000, numpy.uint8).tobytes()):
        with pytest.raises(WebpError):
            webp_decode(data)


def test_decode_huge_claimed_size():
    """A header claiming 16383 x 16383 pixels fails before allocating."""
    encoded = bytearray(webp_encode(image((4, 4, 3)), lossless=False))
    assert encoded[12:16] == b'VP8 '
    encoded[26:30] = b'\xff\x3f\xff\x3f'  # 14-bit width and height
    with pytest.raises(WebpError, match='max_output'):
        webp_decode(bytes(encoded), max_output=1 << 20)


# threads and the GIL

def test_threads():
    data = photos()['chelsea']
    results = []
    encoded = {lossless: webp_encode(data, lossless=lossless) for lossless in (False, True)}
    expected = {k: webp_decode(v) for k, v in encoded.items()}

    def work(_):
        for lossless in (False, True):
            assert webp_encode(data, lossless=lossless) == encoded[lossless]
            results.append((lossless, webp_decode(encoded[lossless])))

    run_in_threads(work)
    assert len(results) == 8
    for lossless, r in results:
        numpy.testing.assert_array_equal(r, expected[lossless])


def test_releases_gil():
    data = numpy.tile(photos()['astronaut'], (3, 3, 1))
    encoded = webp_encode(data)
    frames = animation(8, 4, (256, 256))
    animated = webp_encode(frames)
    # decoding is fast: three calls make each measured span long enough
    assert_releases_gil(lambda: webp_encode(data), lambda: [webp_decode(encoded) for _ in range(3)],
                        lambda: webp_encode(frames),
                        lambda: [webp_decode(animated, index=None) for _ in range(3)], too_fast='fail')

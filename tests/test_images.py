"""Tests every registered image codec: round trips of synthetic images of odd
sizes and of the bundled samples, signatures and extensions, bad input,
threads, and cross-decoding with imagecodecs. A new image codec is tested by
its registry entry (dtypes, samples, lossless)."""

import zlib

import numpy
import pytest

import ndcodecs

from common import codec_params, imagecodecs_with, run_in_threads

IMAGE_CODECS = codec_params('image')
ENCODERS = codec_params('image', encode=True)

# Odd sizes: a pixel, a row, a column-ish block, a tall thin image.
SHAPES = [(1, 1), (1, 7), (3, 5), (4097, 3), (48, 64)]

# Lossy encoders at their default setting reach this PSNR on the samples.
MIN_PSNR = 28.0


def decode(codec, data, **kwargs):
    """Decode to what the encoder took (GIF: indices, not RGB)."""
    return codec.decode(data, **codec.decode_args, **kwargs)


def synthetic(shape, samples, dtype):
    """Return a deterministic image: smooth gradients plus noise, full range."""
    dtype = numpy.dtype(dtype)
    rng = numpy.random.default_rng(zlib.crc32(repr((shape, samples, dtype.str)).encode()))
    full = shape if samples == 1 else (*shape, samples)
    y, x = numpy.meshgrid(
        numpy.linspace(0, 1, shape[0]), numpy.linspace(0, 1, shape[1]), indexing='ij')
    base = (0.5 + 0.4 * numpy.sin(5 * x + 3 * y))
    if samples > 1:
        base = base[..., None] * numpy.linspace(0.6, 1.0, samples)
    base = base + rng.normal(0, 0.02, full)
    if dtype.kind == 'f':
        return base.astype(dtype)
    hi = numpy.iinfo(dtype).max
    return numpy.clip(base * hi, 0, hi).astype(dtype)


def combos(codec):
    """The (dtype, samples) pairs the codec's encoder takes."""
    return [(d, s) for d in (codec.dtypes or ('uint8',)) for s in (codec.samples or (1,))]


def psnr(a, b):
    a = numpy.asarray(a, numpy.float64)
    b = numpy.asarray(b, numpy.float64)
    mse = numpy.mean((a - b) ** 2)
    peak = 255.0 if numpy.asarray(a).max() <= 255 else 65535.0
    return float('inf') if mse == 0 else 10 * numpy.log10(peak * peak / mse)


def assert_decoded(codec, image, decoded):
    assert decoded.shape == image.shape, (decoded.shape, image.shape)
    assert decoded.dtype == image.dtype
    if codec.lossless:
        numpy.testing.assert_array_equal(decoded, image)


def samples():
    """The bundled samples (images, a 16-bit micrograph, a float field) as arrays."""
    return {name: ndcodecs.sample(name) for name in ndcodecs.sample_names()}


@pytest.fixture(scope='module')
def sample_images():
    return samples()


def small_encoded(codec):
    dtype, nsamples = combos(codec)[0]
    image = synthetic((32, 40), nsamples, dtype)
    return image, codec.encode(image)


@pytest.mark.parametrize('codec', ENCODERS)
def test_roundtrip_synthetic(codec):
    for dtype, nsamples in combos(codec):
        for shape in SHAPES:
            image = synthetic(shape, nsamples, dtype)
            encoded = codec.encode(image)
            assert isinstance(encoded, bytes) and encoded
            assert_decoded(codec, image, decode(codec, encoded))


@pytest.mark.parametrize('codec', ENCODERS)
def test_roundtrip_samples(codec, sample_images):
    tried = 0
    for name, image in sample_images.items():
        if not codec.accepts(image):
            continue
        tried += 1
        decoded = decode(codec, codec.encode(image))
        assert_decoded(codec, image, decoded)
        if not codec.lossless:
            assert psnr(image, decoded) >= MIN_PSNR, name
    if not tried:
        pytest.skip(f'no bundled sample fits {codec.name}')


@pytest.mark.parametrize('codec', ENCODERS)
def test_signature_and_extensions(codec):
    _, encoded = small_encoded(codec)
    if codec.check(encoded) is not None:
        assert codec.check(encoded) is True
        assert codec.check(b'\0' * 64) is False
        found = ndcodecs.codec_for_bytes(encoded)
        assert found is not None and found.can_decode
        found.decode(encoded)  # the codec found by magic reads the stream
    for ext in codec.extensions:
        assert ndcodecs.codec_for_path('image' + ext.upper()) is codec


@pytest.mark.parametrize('codec', ENCODERS)
def test_out_argument(codec):
    image, encoded = small_encoded(codec)
    out = numpy.zeros_like(image)
    result = decode(codec, encoded, out=out)
    assert numpy.shares_memory(result, out)
    assert_decoded(codec, image, out)


@pytest.mark.parametrize('codec', ENCODERS)
def test_encode_wrong_types(codec):
    with pytest.raises(TypeError):
        codec.encode('text')
    with pytest.raises(TypeError):
        codec.encode(None)
    if 'complex128' not in codec.dtypes:
        with pytest.raises((ValueError, TypeError, ndcodecs.CodecError)):
            codec.encode(numpy.zeros((8, 8), numpy.complex128))


@pytest.mark.parametrize('codec', IMAGE_CODECS)
def test_decode_bad_input(codec):
    if not codec.can_decode:
        pytest.skip('encode only')
    with pytest.raises(TypeError):
        codec.decode('text')
    with pytest.raises(TypeError):
        codec.decode(None)
    rng = numpy.random.default_rng(0)
    for data in (b'', b'\0', bytes(100), rng.integers(0, 256, 3000, numpy.uint8).tobytes()):
        with pytest.raises(codec.error):
            codec.decode(data)
    if codec.can_encode:
        _, encoded = small_encoded(codec)
        for cut in (1, 8, 16, len(encoded) // 2):
            try:
                codec.decode(encoded[:cut])
            except codec.error:
                pass  # some formats decode a truncated tail as missing pixels


@pytest.mark.parametrize('codec', ENCODERS)
def test_threads(codec, sample_images):
    images = [im for im in sample_images.values() if codec.accepts(im)]
    image = images[0] if images else synthetic((300, 200), *combos(codec)[0][::-1])
    encoded = codec.encode(image)
    expected = decode(codec, encoded)
    results = []

    def work(_):
        for _ in range(3):
            assert codec.encode(image) == encoded
            results.append(decode(codec, encoded))

    run_in_threads(work)
    assert len(results) == 12
    for r in results:
        numpy.testing.assert_array_equal(r, expected)


def _imagecodecs_pair(codec):
    imagecodecs = imagecodecs_with(codec.name)
    return (getattr(imagecodecs, f'{codec.name}_encode', None),
            getattr(imagecodecs, f'{codec.name}_decode'))


@pytest.mark.parametrize('codec', ENCODERS)
def test_imagecodecs_cross_decode(codec, sample_images):
    ic_encode, ic_decode = _imagecodecs_pair(codec)
    images = [im for im in sample_images.values() if codec.accepts(im)]
    images += [synthetic((37, 23), s, d) for d, s in combos(codec)]
    for image in images:
        ours = codec.encode(image)
        theirs_of_ours = ic_decode(ours, **codec.decode_args)
        if codec.lossless:
            numpy.testing.assert_array_equal(numpy.asarray(theirs_of_ours).reshape(image.shape), image)
        if ic_encode is not None:
            theirs = ic_encode(image)
            numpy.testing.assert_array_equal(codec.decode(theirs), ic_decode(theirs))

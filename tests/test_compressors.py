"""Tests every registered compressor: round trips, out=, bad input, threads,
and parity with imagecodecs. A new compressor is tested by its registry entry."""

import numpy
import pytest

import ndcodecs

from common import assert_releases_gil, codec_params, payload, run_in_threads

ENCODERS = codec_params('compressor', encode=True, module_prefix='._ext')
DECODERS = codec_params('compressor', module_prefix='._ext')

# Levels to round-trip for each codec; None is the default level.
LEVELS = {
    'zlib': [None, 0, 1, 6, 9],
    'deflate': [None, 0, 1, 6, 12],
    'gzip': [None, 1, 9],
    'zopfli': [None],
    'zstd': [None, -5, 1, 9, 19],
    'lz4': [None, 1, 8],
    'lz4f': [None, 1, 9],
    'lz4h5': [None, 1, 9],
    'brotli': [None, 0, 5],
    'bz2': [None, 1, 9],
    'lzma': [None, 0, 6],
    'blosc': [None, 1, 5, 9],
    'lzo': [None, 1, 9],
}

# Sizes of the round trips; slow codecs stop early.
SIZES = [0, 1, 7, 1000, 65537, 1 << 20, 16 << 20]
MAX_SIZE = {'zopfli': 65537, 'brotli': 1 << 20, 'lzma': 1 << 20, 'bz2': 1 << 20}

# Formats whose streams carry an end marker, a length or a checksum, so that
# a truncated stream is always detected.
STRICT = {'zlib', 'deflate', 'gzip', 'zopfli', 'zstd', 'lz4f', 'lz4h5', 'brotli', 'bz2', 'lzma', 'blosc', 'snappy'}


def _encode(codec, data, level=None, **kwargs):
    if level is None:
        return codec.encode(data, **kwargs)
    return codec.encode(data, level, **kwargs)


@pytest.mark.parametrize('size', SIZES)
@pytest.mark.parametrize('codec', ENCODERS)
def test_roundtrip(codec, size, payload_kind):
    if size > MAX_SIZE.get(codec.name, size):
        pytest.skip('slow codec')
    data = payload(payload_kind, size)
    levels = LEVELS.get(codec.name, [None])
    if size > 1 << 20:
        levels = levels[:1]
    for level in levels:
        encoded = _encode(codec, data, level)
        assert isinstance(encoded, bytes)
        assert codec.decode(encoded) == data, f'level {level}'


@pytest.mark.parametrize('codec', ENCODERS)
def test_input_buffers(codec):
    """Any contiguous buffer is read as bytes; non-contiguous arrays are copied."""
    array = numpy.frombuffer(payload('image', 4000), numpy.uint16).reshape(40, 50)
    expected = codec.decode(codec.encode(array.tobytes()))
    for data in (
        array,
        bytearray(array.tobytes()),
        memoryview(array.tobytes()),
        array.view(numpy.uint8),
        numpy.asfortranarray(array),  # copied to C order
    ):
        assert codec.decode(codec.encode(data)) == expected
    sliced = numpy.ascontiguousarray(array[:, ::2])
    assert codec.decode(codec.encode(array[:, ::2])) == sliced.tobytes()


@pytest.mark.parametrize('codec', ENCODERS)
def test_output_arguments(codec):
    data = payload('image', 10000)
    encoded = codec.encode(data)
    size = len(data)

    assert type(codec.decode(encoded, out=bytes)) is bytes
    result = codec.decode(encoded, out=bytearray)
    assert type(result) is bytearray and result == data
    assert codec.decode(encoded, out=size) == data
    assert codec.decode(encoded, out=size + 100) == data
    with pytest.raises(codec.error):
        codec.decode(encoded, out=size // 2)

    buf = bytearray(size)
    assert codec.decode(encoded, out=buf) is buf and buf == data
    buf = bytearray(size + 10)
    view = codec.decode(encoded, out=buf)
    assert isinstance(view, memoryview) and view == data
    arr = numpy.zeros(size + 10, numpy.uint8)
    view = codec.decode(encoded, out=arr)
    assert isinstance(view, numpy.ndarray) and numpy.shares_memory(view, arr)
    assert view.tobytes() == data
    arr16 = numpy.zeros(size // 2, numpy.uint16)
    assert codec.decode(encoded, out=arr16) is arr16 and arr16.tobytes() == data
    with pytest.raises(codec.error):
        codec.decode(encoded, out=bytearray(size // 2))
    with pytest.raises(TypeError):
        codec.decode(encoded, out=bytes(size))
    with pytest.raises(ValueError):
        codec.decode(encoded, out=numpy.zeros((size, 2), numpy.uint8)[:, 0])

    result = codec.encode(data, out=bytearray)
    assert type(result) is bytearray and result == encoded
    buf = bytearray(len(encoded) + 1000)
    view = codec.encode(data, out=buf)
    assert bytes(view) == encoded
    assert codec.encode(data, out=len(encoded) + 1000) == encoded


@pytest.mark.parametrize('codec', ENCODERS)
def test_max_output(codec):
    data = bytes(1 << 20)
    encoded = codec.encode(data)
    with pytest.raises(codec.error, match='max_output|too small'):
        codec.decode(encoded, max_output=1000)
    assert codec.decode(encoded, max_output=1 << 20) == data


@pytest.mark.parametrize('codec', ENCODERS)
def test_default_max_output(codec):
    data = bytes(1 << 20)
    encoded = codec.encode(data)
    default = ndcodecs.get_max_output()
    ndcodecs.set_max_output(1 << 19)
    try:
        with pytest.raises(codec.error):
            codec.decode(encoded)
    finally:
        ndcodecs.set_max_output(default)
    assert codec.decode(encoded) == data


@pytest.mark.parametrize('codec', DECODERS)
def test_wrong_types(codec):
    func = codec.function(f'{codec.name}_decode')
    for bad in ('text', None, 1.5, object()):
        with pytest.raises(TypeError):
            func(bad)
    with pytest.raises(ValueError):
        func(numpy.array(5, numpy.uint8))
    if codec.can_encode:
        func = codec.function(f'{codec.name}_encode')
        for bad in ('text', None, 1.5, object()):
            with pytest.raises(TypeError):
                func(bad)
        with pytest.raises(ValueError):
            func(numpy.array(5, numpy.uint8))


@pytest.mark.parametrize('codec', ENCODERS)
def test_empty_and_truncated(codec):
    if codec.encode(b'') == b'':
        assert codec.decode(b'') == b''
    else:
        with pytest.raises(codec.error):
            codec.decode(b'')
    data = payload('text', 5000)
    encoded = codec.encode(data)
    for cut in sorted({1, 2, 5, len(encoded) // 2, len(encoded) - 1}):
        if cut >= len(encoded):
            continue
        try:
            result = codec.decode(encoded[:cut])
        except codec.error:
            continue
        # formats without an end marker may decode a prefix, or all of it
        # when only padding was cut
        assert codec.name not in STRICT, f'truncated at {cut} decoded'
        assert isinstance(result, bytes)


@pytest.mark.parametrize('codec', DECODERS)
def test_random_input(codec):
    rng = numpy.random.default_rng(1)
    for size in (1, 2, 3, 4, 8, 16, 100, 1000, 10000):
        for _ in range(20):
            data = rng.integers(0, 256, size, numpy.uint8).tobytes()
            try:
                codec.decode(data)
            except codec.error:
                pass


@pytest.mark.parametrize('codec', ENCODERS)
def test_threads(codec):
    """Eight threads encoding and decoding at once give single-thread results."""
    inputs = [payload(kind, 200_000 + i * 1000) for i, kind in enumerate(['image', 'text'] * 4)]
    expected = [codec.encode(data) for data in inputs]

    def work(i):
        for _ in range(3):
            encoded = codec.encode(inputs[i])
            result = (encoded, codec.decode(encoded))
        return result

    results = run_in_threads(work, len(inputs))
    for i, (encoded, decoded) in enumerate(results):
        assert encoded == expected[i]
        assert decoded == inputs[i]


@pytest.mark.parametrize('codec', DECODERS)
def test_imagecodecs_parity(codec):
    """imagecodecs decodes our streams and we decode theirs."""
    imagecodecs = pytest.importorskip('imagecodecs')
    name = codec.name
    if not getattr(getattr(imagecodecs, name.upper(), None), 'available', False):
        pytest.skip(f'imagecodecs has no {name}')
    their_encode = getattr(imagecodecs, f'{name}_encode')
    their_decode = getattr(imagecodecs, f'{name}_decode')
    for kind, size in [('image', 1), ('text', 1000), ('image', 300_000), ('text', 1 << 20)]:
        data = payload(kind, size)
        if codec.can_encode:
            for level in LEVELS.get(name, [None]):
                ours = _encode(codec, data, level)
                # imagecodecs cannot size headerless lzo and lzf output itself
                assert their_decode(ours, out=len(data)) == data, (size, level)
        try:
            theirs = their_encode(data)
        except Exception:  # imagecodecs cannot encode this format
            continue
        assert codec.decode(theirs) == data


@pytest.mark.parametrize('codec', DECODERS)
def test_public_names(codec):
    """Each codec has the five public names of imagecodecs at the top level."""
    name = codec.name
    assert getattr(ndcodecs, name.upper()).available is True
    error = getattr(ndcodecs, f'{name.capitalize()}Error')
    assert issubclass(error, ndcodecs.CodecError)
    assert issubclass(error, RuntimeError)
    version = getattr(ndcodecs, f'{name}_version')()
    assert isinstance(version, str) and version
    assert codec.version == version
    check = getattr(ndcodecs, f'{name}_check')
    assert check(b'') in (None, False)
    if codec.can_encode:
        assert check(codec.encode(b'some data to check')) in (True, None)


@pytest.mark.parametrize('codec', ENCODERS)
def test_releases_gil(codec):
    """While a thread encodes or decodes, this thread keeps running."""
    data = payload('image', MAX_SIZE.get(codec.name, 32 << 20))
    encoded = codec.encode(data)
    assert_releases_gil(lambda: codec.encode(data), lambda: codec.decode(encoded))

"""GIF specifics: compositing of animations (offsets, color tables,
transparency, disposal), interlacing, the encoder, parity with imagecodecs
and Pillow, and malformed files.

Test GIFs are built here by hand: their LZW data holds literal codes only,
with a clear code before the code width would grow, so that every feature
of the format is covered without a reference encoder.
"""

import io
import struct

import numpy
import pytest

import ndcodecs
from ndcodecs import GIF, GifError, gif_check, gif_decode, gif_encode, gif_version
from common import assert_releases_gil, run_in_threads

PALETTE = numpy.array([
    [0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255],
    [10, 20, 30], [200, 200, 200], [1, 2, 3], [4, 5, 6],
], numpy.uint8)


# GIF building

def lzw_literal(indices, mincode):
    """Return image data: `indices` as literal LZW codes in sub-blocks."""
    clear, end = 1 << mincode, (1 << mincode) + 1
    run = (1 << mincode) - 2
    flat = [int(i) for i in numpy.asarray(indices).reshape(-1)]
    codes = []
    for i in range(0, len(flat), run):
        codes.append(clear)
        codes.extend(flat[i:i + run])
    codes.append(end)
    acc = nbits = 0
    packed = bytearray()
    for code in codes:
        acc |= code << nbits
        nbits += mincode + 1
        while nbits >= 8:
            packed.append(acc & 255)
            acc >>= 8
            nbits -= 8
    if nbits:
        packed.append(acc)
    blocks = bytearray([mincode])
    for i in range(0, len(packed), 255):
        blocks += bytes([len(packed[i:i + 255])]) + packed[i:i + 255]
    return bytes(blocks + b'\0')


def lzw_compress(indices, mincode, clear_when_full=True):
    """Return image data: `indices` LZW compressed with variable code widths,
    the table cleared when full or, if not `clear_when_full`, kept full."""
    clear, end = 1 << mincode, (1 << mincode) + 1
    table, width, following = {}, mincode + 1, end + 1
    codes = [(clear, width)]
    current = None
    for pixel in (int(i) for i in numpy.asarray(indices).reshape(-1)):
        if current is None:
            current = (pixel,)
            continue
        candidate = current + (pixel,)
        if candidate in table or len(candidate) == 1:
            current = candidate
            continue
        codes.append((table[current] if len(current) > 1 else current[0], width))
        if following < 4096:
            table[candidate] = following
            following += 1
            if following > (1 << width) and width < 12:
                width += 1
        elif clear_when_full:
            codes.append((clear, width))
            table, width, following = {}, mincode + 1, end + 1
        current = (pixel,)
    if current is not None:
        codes.append((table[current] if len(current) > 1 else current[0], width))
    codes.append((end, width))
    acc = nbits = 0
    packed = bytearray()
    for code, bits in codes:
        acc |= code << nbits
        nbits += bits
        while nbits >= 8:
            packed.append(acc & 255)
            acc >>= 8
            nbits -= 8
    if nbits:
        packed.append(acc)
    blocks = bytearray([mincode])
    for i in range(0, len(packed), 255):
        blocks += bytes([len(packed[i:i + 255])]) + packed[i:i + 255]
    return bytes(blocks + b'\0')


def color_table(colors):
    colors = numpy.asarray(colors, numpy.uint8).reshape(-1, 3)
    bits = max(1, (len(colors) - 1).bit_length())
    table = numpy.zeros((1 << bits, 3), numpy.uint8)
    table[:len(colors)] = colors
    return bits, table.tobytes()


def image_block(indices, left=0, top=0, colors=None, interlace=False, disposal=None, transparent=None):
    indices = numpy.asarray(indices, numpy.uint8)
    height, width = indices.shape
    block = b''
    if disposal is not None or transparent is not None:
        flags = ((disposal or 0) << 2) | (transparent is not None)
        block += b'!\xf9\x04' + struct.pack('<BHB', flags, 10, transparent or 0) + b'\0'
    flags, table, mincode = 0, b'', 8
    if colors is not None:
        bits, table = color_table(colors)
        flags = 0x80 | (bits - 1)
        mincode = max(2, bits, int(indices.max()).bit_length())
    if interlace:
        flags |= 0x40
        order = [*range(0, height, 8), *range(4, height, 8), *range(2, height, 4), *range(1, height, 2)]
        indices = indices[order]
    block += b',' + struct.pack('<HHHHB', left, top, width, height, flags) + table
    return block + lzw_literal(indices, mincode)


def make_gif(width, height, images, colors=PALETTE, background=0, trailer=True):
    flags, table = 0, b''
    if colors is not None:
        bits, table = color_table(colors)
        flags = 0xF0 | (bits - 1)
    head = b'GIF89a' + struct.pack('<HHBBB', width, height, flags, background, 0) + table
    return head + b''.join(images) + (b';' if trailer else b'')


def composite(width, height, frames, colors=PALETTE):
    """Reference compositing: frames are dicts of image_block's arguments."""
    table = numpy.zeros((256, 3), numpy.uint8)
    table[:len(colors)] = colors
    first = frames[0]
    alpha = first.get('transparent') is not None and (numpy.asarray(first['indices']) == first['transparent']).any()
    channels = 4 if alpha else 3
    canvas = numpy.zeros((height, width, channels), numpy.uint8)
    result, previous, saved = [], None, None
    for f in frames:
        if previous is not None:
            y0, x0 = previous.get('top', 0), previous.get('left', 0)
            h, w = numpy.asarray(previous['indices']).shape
            disposal = previous.get('disposal') or 0
            if disposal == 2:
                canvas[y0:y0 + h, x0:x0 + w] = 0
            elif disposal == 3:
                canvas[y0:y0 + h, x0:x0 + w] = saved
            elif disposal > 3:
                canvas[:] = 0
        indices = numpy.asarray(f['indices'])
        y0, x0 = f.get('top', 0), f.get('left', 0)
        h, w = indices.shape
        saved = canvas[y0:y0 + h, x0:x0 + w].copy()
        ftable = table
        if f.get('colors') is not None:
            ftable = numpy.zeros((256, 3), numpy.uint8)
            ftable[:len(f['colors'])] = f['colors']
        pixels = numpy.concatenate([ftable[indices], numpy.full((h, w, 1), 255, numpy.uint8)], axis=-1)
        drawn = indices != f['transparent'] if f.get('transparent') is not None else numpy.ones((h, w), bool)
        region = canvas[y0:y0 + h, x0:x0 + w]
        region[drawn] = pixels[drawn][:, :channels]
        result.append(canvas.copy())
        previous = f
    return numpy.stack(result)


def gif_of(width, height, frames, **kwargs):
    return make_gif(width, height, [image_block(**f) for f in frames], **kwargs)


def random_image(shape, seed=0, high=256):
    return numpy.random.default_rng(seed).integers(0, high, shape, numpy.uint8)


ANIMATION = [
    {'indices': numpy.full((6, 7), 5), 'disposal': 1},
    {'indices': [[1, 2, 3], [3, 2, 1]], 'left': 1, 'top': 1, 'disposal': 2, 'transparent': 2},
    {'indices': [[3, 3], [4, 4]], 'left': 4, 'top': 3, 'disposal': 3},
    {'indices': [[6, 7, 6], [7, 6, 7], [1, 1, 1]], 'left': 3, 'top': 2, 'colors': PALETTE[::-1], 'disposal': 0},
    {'indices': [[0]], 'left': 6, 'top': 5, 'disposal': 5},
    {'indices': [[1, 2]], 'left': 0, 'top': 0},
]


# constants, version, check

def test_constants_version_check():
    assert GIF.available is True
    assert gif_version().startswith('giflib ')
    assert ndcodecs.get_codec('gif').version == gif_version()
    assert gif_check(b'GIF89a') and gif_check(b'GIF87a\x01\x00')
    assert gif_check(memoryview(b'GIF89a...'))
    for data in (b'', b'GIF8', b'GIF88a', b'\x89PNG\r\n\x1a\n'):
        assert not gif_check(data)
    assert ndcodecs.codec_for_bytes(gif_encode(numpy.zeros((2, 2), numpy.uint8))).name == 'gif'
    assert ndcodecs.codec_for_path('a/b.GIF').name == 'gif'


# encoding

@pytest.mark.parametrize('shape', [(1, 1), (1, 7), (7, 1), (3, 5), (4097, 3), (64, 97), (3, 20, 30), (2, 1, 1)])
def test_roundtrip(shape):
    data = random_image(shape, sum(shape))
    encoded = gif_encode(data)
    assert isinstance(encoded, bytes) and encoded.startswith(b'GIF87a')
    decoded = gif_decode(encoded)
    assert decoded.shape == (*shape, 3) and decoded.dtype == numpy.uint8
    for c in range(3):
        numpy.testing.assert_array_equal(decoded[..., c], data)
    numpy.testing.assert_array_equal(gif_decode(encoded, asrgb=False), data)


def test_roundtrip_colormap():
    rng = numpy.random.default_rng(1)
    colormap = rng.integers(0, 256, (256, 3), numpy.uint8)
    data = random_image((3, 21, 33), 2)
    decoded = gif_decode(gif_encode(data, colormap=colormap))
    numpy.testing.assert_array_equal(decoded, colormap[data])
    # fewer colors: the table is padded with black
    small = rng.integers(0, 256, (5, 3), numpy.uint8)
    data = random_image((9, 11), 3, high=5)
    numpy.testing.assert_array_equal(gif_decode(gif_encode(data, colormap=small)), small[data])


def test_roundtrip_samples():
    for name in ('camera', 'text', 'cell'):
        image = ndcodecs.sample(name)
        encoded = gif_encode(image)
        numpy.testing.assert_array_equal(gif_decode(encoded, asrgb=False), image)
        assert len(encoded) < image.size


def test_encode_input_not_modified_and_layouts():
    data = random_image((30, 40), 4)
    data.flags.writeable = False
    expected = gif_encode(data)
    assert gif_encode(numpy.asfortranarray(data)) == expected
    assert gif_encode(memoryview(numpy.ascontiguousarray(data))) == expected
    with pytest.raises(ValueError):  # nested lists give int64
        gif_encode(data.tolist())
    assert gif_encode(data, 9) == expected  # level is ignored
    assert (data == random_image((30, 40), 4)).all()


@pytest.mark.parametrize('data, error', [
    (numpy.zeros((), numpy.uint8), ValueError),
    (numpy.zeros(5, numpy.uint8), ValueError),
    (numpy.zeros((1, 2, 3, 4), numpy.uint8), ValueError),
    (numpy.zeros((0, 3), numpy.uint8), ValueError),
    (numpy.zeros((2, 0, 3), numpy.uint8), ValueError),
    (numpy.zeros((2, 70000), numpy.uint8), ValueError),
    (numpy.zeros((2, 3), numpy.uint16), ValueError),
    (numpy.zeros((2, 3), numpy.float32), ValueError),
    ('image', TypeError),
    (None, TypeError),
])
def test_encode_invalid_input(data, error):
    with pytest.raises(error):
        gif_encode(data)


def test_encode_invalid_colormap():
    data = numpy.zeros((2, 3), numpy.uint8)
    for colormap in (numpy.zeros((257, 3), numpy.uint8), numpy.zeros((4, 4), numpy.uint8),
                     numpy.zeros((4, 3), numpy.uint16), numpy.zeros(768, numpy.uint8)):
        with pytest.raises(ValueError):
            gif_encode(data, colormap=colormap)


def test_encode_out():
    data = random_image((50, 60), 5)
    expected = gif_encode(data)
    assert gif_encode(data, out=bytearray) == bytearray(expected)
    assert isinstance(gif_encode(data, out=bytearray), bytearray)
    buffer = bytearray(len(expected) + 10)
    assert bytes(gif_encode(data, out=buffer)) == expected
    assert buffer[:len(expected)] == expected
    array = numpy.zeros(len(expected), numpy.uint8)
    assert gif_encode(data, out=array) is array and array.tobytes() == expected
    with pytest.raises(GifError):
        gif_encode(data, out=bytearray(100))
    with pytest.raises(TypeError):
        gif_encode(data, out=bytes(len(expected)))


# decoding: compositing

def test_decode_animation():
    gif = gif_of(7, 6, ANIMATION)
    expected = composite(7, 6, ANIMATION)
    decoded = gif_decode(gif)
    assert decoded.shape == (6, 6, 7, 3)
    numpy.testing.assert_array_equal(decoded, expected)
    # frame 1 is restored to the background, and the reserved disposal 5
    # of frame 4 clears the whole canvas
    assert (decoded[2, 1:3, 1:4] == 0).all()
    assert (decoded[5][1:] == 0).all()


def test_decode_index():
    gif = gif_of(7, 6, ANIMATION)
    for i, f in enumerate(ANIMATION):
        # one image alone on a black canvas, transparent pixels black
        alone = composite(7, 6, [{**f, 'disposal': 0}])[0][..., :3]  # the first image has no alpha
        numpy.testing.assert_array_equal(gif_decode(gif, index=i), alone)
        numpy.testing.assert_array_equal(gif_decode(gif, index=i - len(ANIMATION)), alone)
    for index in (len(ANIMATION), -len(ANIMATION) - 1, 1000):
        with pytest.raises(IndexError):
            gif_decode(gif, index=index)
    with pytest.raises(TypeError):
        gif_decode(gif, index=1.5)


def test_decode_indices():
    gif = gif_of(7, 6, ANIMATION)
    decoded = gif_decode(gif, asrgb=False)
    assert decoded.shape == (6, 6, 7)
    for i, f in enumerate(ANIMATION):
        expected = numpy.zeros((6, 7), numpy.uint8)
        indices = numpy.asarray(f['indices'])
        y, x = f.get('top', 0), f.get('left', 0)
        expected[y:y + indices.shape[0], x:x + indices.shape[1]] = indices
        numpy.testing.assert_array_equal(decoded[i], expected)
        numpy.testing.assert_array_equal(gif_decode(gif, index=i, asrgb=False), expected)


def test_decode_alpha():
    """RGBA if the first image uses its transparent index, else RGB."""
    frames = [{'indices': [[1, 2], [3, 1]], 'left': 1, 'top': 1, 'transparent': 1},
              {'indices': [[4]], 'left': 3, 'top': 2, 'transparent': 3, 'disposal': 3}]
    decoded = gif_decode(gif_of(4, 3, frames))
    assert decoded.shape == (2, 3, 4, 4)
    numpy.testing.assert_array_equal(decoded, composite(4, 3, frames))
    assert decoded[0, 1, 1, 3] == 0 and decoded[0, 1, 2, 3] == 255 and decoded[0, 0, 0, 3] == 0
    assert gif_decode(gif_of(4, 3, frames), index=1).shape == (3, 4, 4)
    # a transparent index the first image does not use
    frames[0]['transparent'] = 7
    assert gif_decode(gif_of(4, 3, frames)).shape == (2, 3, 4, 3)


def test_decode_single_image_shape():
    gif = gif_of(5, 4, [{'indices': [[1, 2, 3], [3, 2, 1]], 'left': 1, 'top': 1}])
    assert gif_decode(gif).shape == (4, 5, 3)
    assert gif_decode(gif, asrgb=False).shape == (4, 5)
    assert gif_decode(gif, index=0).shape == (4, 5, 3)


@pytest.mark.parametrize('height', [1, 2, 3, 4, 5, 8, 9, 13, 21])
def test_decode_interlaced(height):
    indices = random_image((height, 5), height, high=8)
    gif = gif_of(5, height, [{'indices': indices, 'interlace': True}])
    numpy.testing.assert_array_equal(gif_decode(gif, asrgb=False), indices)
    numpy.testing.assert_array_equal(gif_decode(gif), PALETTE[indices])


def test_decode_canvas_grows_to_hold_images():
    frames = [{'indices': numpy.full((2, 2), 1)}, {'indices': random_image((3, 4), 1, 8), 'left': 2, 'top': 1}]
    decoded = gif_decode(gif_of(4, 3, frames))
    assert decoded.shape == (2, 4, 6, 3)
    numpy.testing.assert_array_equal(decoded, composite(6, 4, frames))


def test_decode_color_tables():
    """Local tables win over the global one; indices past a table are black."""
    indices = numpy.arange(12).reshape(3, 4) % 8
    gif = gif_of(4, 3, [{'indices': indices, 'colors': PALETTE[4:6]}, {'indices': indices}], colors=PALETTE[:4])
    decoded = gif_decode(gif)
    table = numpy.zeros((8, 3), numpy.uint8)
    table[:2] = PALETTE[4:6]
    numpy.testing.assert_array_equal(decoded[0], table[indices])
    table = numpy.zeros((8, 3), numpy.uint8)
    table[:4] = PALETTE[:4]
    numpy.testing.assert_array_equal(decoded[1], table[indices])
    # no table at all: indices only
    gif = gif_of(4, 3, [{'indices': indices}], colors=None)
    with pytest.raises(GifError, match='color table'):
        gif_decode(gif)
    numpy.testing.assert_array_equal(gif_decode(gif, asrgb=False), indices)


@pytest.mark.parametrize('clear_when_full', [True, False])
@pytest.mark.parametrize('high, mincode', [(2, 2), (4, 2), (16, 4), (256, 8)])
def test_decode_lzw(high, mincode, clear_when_full):
    """Variable code widths, repeats (the KwKwK case) and a full table."""
    rng = numpy.random.default_rng(high)
    indices = rng.integers(0, high, (150, 170), numpy.uint8)
    indices[10:30] = 1  # long runs
    indices[50, :] = numpy.arange(170) % high
    head = b'GIF89a' + struct.pack('<HHBBB', 170, 150, 0xF7, 0, 0) + bytes(range(256)) * 3
    desc = b',' + struct.pack('<HHHHB', 0, 0, 170, 150, 0)
    gif = head + desc + lzw_compress(indices, mincode, clear_when_full) + b';'
    numpy.testing.assert_array_equal(gif_decode(gif, asrgb=False), indices)
    imagecodecs = pytest.importorskip('imagecodecs')
    numpy.testing.assert_array_equal(imagecodecs.gif_decode(gif, asrgb=False), indices)
    # the image data ending early, or a code not yet in the table
    with pytest.raises(GifError, match='LZW'):
        gif_decode(head + desc + lzw_compress(indices[:100], mincode, clear_when_full) + b';')
    bad = bytearray(head + desc + bytes([mincode, 2, 0xFF, 0xFF, 0]) + b';')
    with pytest.raises(GifError, match='LZW'):
        gif_decode(bytes(bad))


def test_decode_nonzero_background_is_black():
    """The canvas starts black (transparent), whatever the background index
    says; imagecodecs puts that index into the red channel instead."""
    gif = gif_of(5, 4, [{'indices': [[1]], 'left': 2, 'top': 2}], background=5)
    decoded = gif_decode(gif)
    assert decoded[0, 0].tolist() == [0, 0, 0]


def test_decode_missing_trailer():
    gif = gif_of(7, 6, ANIMATION)
    numpy.testing.assert_array_equal(gif_decode(gif[:-1]), gif_decode(gif))


def test_decode_out():
    gif = gif_of(7, 6, ANIMATION)
    expected = gif_decode(gif)
    out = numpy.zeros_like(expected)
    assert gif_decode(gif, out=out) is out
    numpy.testing.assert_array_equal(out, expected)
    buffer = bytearray(expected.nbytes)
    result = gif_decode(gif, out=buffer)
    assert numpy.shares_memory(result, numpy.frombuffer(buffer, numpy.uint8))
    numpy.testing.assert_array_equal(result, expected)
    with pytest.raises(ValueError):
        gif_decode(gif, out=numpy.zeros((6, 6, 7, 4), numpy.uint8))
    with pytest.raises(ValueError):
        gif_decode(gif, out=bytearray(10))
    with pytest.raises(TypeError):
        gif_decode(gif, out=bytes(expected.nbytes))


def test_decode_input_buffers():
    gif = gif_of(7, 6, ANIMATION)
    expected = gif_decode(gif)
    for data in (bytearray(gif), memoryview(gif), numpy.frombuffer(gif, numpy.uint8)):
        numpy.testing.assert_array_equal(gif_decode(data), expected)


# malformed input

def test_decode_invalid_types():
    for data in ('GIF89a', None, 1):
        with pytest.raises(TypeError):
            gif_decode(data)


def test_decode_bad_input():
    gif = gif_of(7, 6, ANIMATION)
    encoded = gif_encode(random_image((40, 50), 7))
    rng = numpy.random.default_rng(0)
    for data in (b'', b'G', b'GIF89a', b'GIF89a' + bytes(5), bytes(100), b'NOTAGIF' * 10,
                 rng.integers(0, 256, 3000, numpy.uint8).tobytes()):
        with pytest.raises(GifError):
            gif_decode(data)
    # truncated inside the header or inside an image
    for cut in (1, 6, 12, 13 + 100, len(encoded) // 2, len(encoded) - 3):
        with pytest.raises(GifError):
            gif_decode(encoded[:cut])
    for cut in range(13 + 24, len(gif) - 1, 3):
        try:
            gif_decode(gif[:cut])
        except GifError:
            pass
    # no image at all
    with pytest.raises(GifError, match='no image'):
        gif_decode(make_gif(4, 3, []))


def test_decode_corrupt_lzw():
    gif = bytearray(gif_encode(random_image((40, 50), 7)))
    gif[800:810] = b'\xff' * 10
    with pytest.raises(GifError):
        gif_decode(bytes(gif))


def test_decode_huge_screen():
    """A huge claimed screen fails before anything that large is allocated."""
    for width, height in ((65535, 65535), (40000, 100)):
        gif = make_gif(width, height, [image_block([[1]])])
        with pytest.raises(GifError, match='max_output'):
            gif_decode(gif, max_output=1 << 20)
    gif = make_gif(2, 2, [image_block([[1]], left=65535, top=65535)])
    with pytest.raises(GifError, match='max_output'):
        gif_decode(gif)
    # the first image is decompressed early when it has a transparent index
    gif = make_gif(2, 2, [image_block([[1]], transparent=1)])
    gif = gif.replace(struct.pack('<HHHH', 0, 0, 1, 1), struct.pack('<HHHH', 0, 0, 60000, 60000))
    with pytest.raises(GifError, match='max_output'):
        gif_decode(gif, max_output=1 << 20)
    # many frames add up
    gif = make_gif(100, 100, [image_block([[1]])] * 200)
    with pytest.raises(GifError, match='max_output'):
        gif_decode(gif, max_output=1 << 20)
    assert gif_decode(gif, index=199, max_output=1 << 20).shape == (100, 100, 3)


# parity with imagecodecs and Pillow

def test_imagecodecs_encoder_parity():
    imagecodecs = pytest.importorskip('imagecodecs')
    rng = numpy.random.default_rng(3)
    colormap = rng.integers(0, 256, (256, 3), numpy.uint8)
    for data in (random_image((1, 1)), random_image((3, 5)), random_image((2, 20, 30)),
                 ndcodecs.sample('camera'), ndcodecs.sample('text')):
        assert gif_encode(data) == imagecodecs.gif_encode(data)
        assert gif_encode(data, colormap=colormap) == imagecodecs.gif_encode(data, colormap=colormap)
        numpy.testing.assert_array_equal(imagecodecs.gif_decode(gif_encode(data), asrgb=False), data)


def _same_as_imagecodecs(gif, nframes):
    imagecodecs = pytest.importorskip('imagecodecs')
    for kwargs in ({}, {'asrgb': False}, *({'index': i} for i in range(nframes)),
                   *({'index': i, 'asrgb': False} for i in range(nframes))):
        theirs = imagecodecs.gif_decode(gif, **kwargs)
        ours = gif_decode(gif, **kwargs)
        assert ours.shape == theirs.shape, kwargs
        numpy.testing.assert_array_equal(ours, theirs, err_msg=str(kwargs))


def test_imagecodecs_decoder_parity():
    _same_as_imagecodecs(gif_of(7, 6, ANIMATION), len(ANIMATION))
    for disposal in range(8):
        frames = [{'indices': numpy.full((4, 5), 5), 'disposal': 1, 'transparent': 5 if disposal % 2 else None},
                  {'indices': [[1, 2], [3, 1]], 'left': 1, 'top': 1, 'disposal': disposal, 'transparent': 2},
                  {'indices': [[3]], 'left': 3, 'top': 2}]
        _same_as_imagecodecs(gif_of(5, 4, frames), 3)
    _same_as_imagecodecs(gif_of(3, 21, [{'indices': random_image((21, 3), 1, 8), 'interlace': True},
                                        {'indices': random_image((3, 2), 2, 8), 'left': 1, 'top': 2}]), 2)


def _pillow_animation(disposal, optimize):
    Image = pytest.importorskip('PIL.Image')
    rng = numpy.random.default_rng(4)
    base = rng.integers(0, 255, (60, 80, 3), numpy.uint8)
    frames = []
    for i in range(6):
        f = base.copy()
        f[5 + i:20 + i, 3:30 + i] = [255, 0, 0]
        f[30:40, 10 * i:10 * i + 8] = [0, 255 * (i % 2), 255]
        frames.append(Image.fromarray(f).quantize(64) if i % 2 else Image.fromarray(f))
    buffer = io.BytesIO()
    frames[0].save(buffer, format='GIF', save_all=True, append_images=frames[1:], duration=100,
                   loop=0, disposal=disposal, optimize=optimize)
    return buffer.getvalue()


@pytest.mark.parametrize('optimize', [False, True])
@pytest.mark.parametrize('disposal', [0, 1, 2, [0, 1, 2, 3, 2, 1]])
def test_pillow_animations(disposal, optimize):
    """Animations written by Pillow decode as Pillow and imagecodecs show them."""
    Image = pytest.importorskip('PIL.Image')
    gif = _pillow_animation(disposal, optimize)
    decoded = gif_decode(gif)
    with Image.open(io.BytesIO(gif)) as im:
        assert decoded.shape[0] == im.n_frames
        for i in range(im.n_frames):
            im.seek(i)
            numpy.testing.assert_array_equal(decoded[i][..., :3], numpy.asarray(im.convert('RGB')))
    _same_as_imagecodecs(gif, 2)


def test_pillow_reads_ours():
    Image = pytest.importorskip('PIL.Image')
    data = random_image((3, 20, 30), 5)
    with Image.open(io.BytesIO(gif_encode(data))) as im:
        assert im.n_frames == 3
        for i in range(3):
            im.seek(i)
            numpy.testing.assert_array_equal(numpy.asarray(im.convert('L')), data[i])


# threads and the GIL

def test_threads():
    data = random_image((4, 200, 300), 6, high=64)
    encoded = gif_encode(data)
    expected = gif_decode(encoded)
    results = []

    def work(_):
        for _ in range(3):
            assert gif_encode(data) == encoded
            results.append(gif_decode(encoded))

    run_in_threads(work)
    assert len(results) == 12
    for r in results:
        numpy.testing.assert_array_equal(r, expected)


def test_releases_gil():
    data = random_image((8, 1000, 1000), 8)
    encoded = gif_encode(data)
    assert_releases_gil(lambda: gif_encode(data), lambda: gif_decode(encoded), too_fast='fail')

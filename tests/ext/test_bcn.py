"""BCn blocks and DDS files: every format and BC6H/BC7 mode against
imagecodecs on random blocks, blocks of known content, the DDS container
(FourCC and DX10 headers, mipmaps, volumes, arrays, cube maps), bad input,
threads and the GIL.
"""

import io
import struct
import threading

import numpy
import pytest

import ndcodecs
from ndcodecs import BCN, DDS, BcnError, DdsError, bcn_check, bcn_decode, bcn_version, dds_check, dds_decode, dds_version
from common import assert_releases_gil

FORMATS = [1, 2, 3, 4, 5, 6, -6, 7]
SAMPLES = {1: 4, 2: 4, 3: 4, 4: 1, -4: 1, 5: 2, -5: 2, 6: 3, -6: 3, 7: 4}
BLOCKSIZE = {1: 8, 4: 8, -4: 8}


def shape_of(fmt, height, width, frames=None):
    shape = (height, width) if SAMPLES[fmt] == 1 else (height, width, SAMPLES[fmt])
    return shape if frames is None else (frames,) + shape


def nbytes(fmt, height, width, frames=1):
    return frames * -(-height // 4) * -(-width // 4) * BLOCKSIZE.get(fmt, 16)


def random_blocks(fmt, count, seed=0):
    """Random blocks; BC6H and BC7 ones cycle through all modes."""
    rng = numpy.random.default_rng(seed)
    blocks = rng.integers(0, 256, (count, BLOCKSIZE.get(fmt, 16)), numpy.uint8)
    if fmt == 7:
        for i in range(count):
            mode = i % 8
            blocks[i, 0] = ((int(blocks[i, 0]) << (mode + 1)) | (1 << mode)) & 0xFF
    elif abs(fmt) == 6:
        modes = [0, 1, 2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31]
        for i in range(count):
            mode = modes[i % len(modes)]
            bits = 2 if mode < 2 else 5
            blocks[i, 0] = (int(blocks[i, 0]) & (0xFF << bits) & 0xFF) | mode
    return blocks.tobytes()


def dds_file(width, height, blocks, fourcc=b'DXT1', dxgi=None, mipmaps=0, depth=0, cubemap=False, arraysize=1, misc=0):
    """Return a DDS file of `blocks` with a legacy or DX10 header."""
    flags = 0x1 | 0x2 | 0x4 | 0x1000 | (0x20000 if mipmaps else 0) | (0x800000 if depth else 0)
    if dxgi is not None:
        fourcc = b'DX10'
    pixelformat = struct.pack('<II4s5I', 32, 4, fourcc, 0, 0, 0, 0, 0)
    caps2 = (0x200 | 0xFC00) if cubemap else (0x200000 if depth else 0)
    header = struct.pack('<7I44x', 124, flags, height, width, 0, depth, mipmaps) + pixelformat
    header += struct.pack('<5I', 0x1000, caps2, 0, 0, 0)
    data = b'DDS ' + header
    if dxgi is not None:
        data += struct.pack('<5I', dxgi, 3, misc, arraysize, 0)
    return data + blocks


def test_names():
    assert BCN.available and DDS.available
    assert BCN.FORMAT.BC6HS == -6 and BCN.FORMAT.BC7 == 7
    assert bcn_version().startswith('ndcodecs') and dds_version().startswith('ndcodecs')
    assert bcn_check(b'anything') is None
    assert dds_check(b'DDS \x7c\x00') is True and dds_check(b'II*\x00') is False
    assert ndcodecs.get_codec('dds').extensions == ('.dds',)
    with pytest.raises(NotImplementedError):
        ndcodecs.bcn_encode(b'')


@pytest.mark.parametrize('fmt', FORMATS)
def test_imagecodecs_parity_random_blocks(fmt):
    """Random blocks (all BC6H and BC7 modes) decode exactly as imagecodecs."""
    imagecodecs = pytest.importorskip('imagecodecs')
    for seed, (frames, height, width) in enumerate([(None, 64, 64), (None, 4, 4), (None, 128, 96), (3, 16, 8)]):
        if frames and fmt in (5, 6, -6):
            continue  # imagecodecs takes no frame axis for these
        shape = shape_of(fmt, height, width, frames)
        data = random_blocks(fmt, nbytes(fmt, height, width, frames or 1) // BLOCKSIZE.get(fmt, 16), seed)
        expected = imagecodecs.bcn_decode(data, fmt, shape=shape)
        result = bcn_decode(data, fmt, shape=shape)
        assert result.dtype == expected.dtype and result.shape == expected.shape
        numpy.testing.assert_array_equal(result.view(numpy.uint8), expected.view(numpy.uint8))


@pytest.mark.parametrize('fmt', FORMATS + [-4, -5])
def test_portable_code_matches_vector_kernels(fmt):
    """The portable C gives what the run-time selected kernels give, whole
    and edge blocks, and (where imagecodecs has the format) what it gives."""
    from ndcodecs._ext._bcn import _bcn_decode_portable

    imagecodecs = pytest.importorskip('imagecodecs')
    for seed, (height, width) in enumerate([(256, 256), (61, 90), (4, 36)]):
        shape = shape_of(fmt, height, width)
        data = random_blocks(fmt, nbytes(fmt, height, width) // BLOCKSIZE.get(fmt, 16), 100 + seed)
        result = bcn_decode(data, fmt, shape=shape)
        portable = _bcn_decode_portable(data, fmt, shape=shape)
        numpy.testing.assert_array_equal(result.view(numpy.uint8), portable.view(numpy.uint8))
        if fmt in (-4, -5) or height % 4 or width % 4:
            continue  # imagecodecs decodes neither signed variants nor partial blocks
        expected = imagecodecs.bcn_decode(data, fmt, shape=shape)
        numpy.testing.assert_array_equal(result.view(numpy.uint8), expected.view(numpy.uint8))


@pytest.mark.parametrize('fmt', [3, 4, 5])
def test_every_bc4_endpoint_pair(fmt):
    """All 65536 pairs of BC4 endpoints, each block showing all eight values."""
    from ndcodecs._ext._bcn import _bcn_decode_portable

    imagecodecs = pytest.importorskip('imagecodecs')
    pairs = numpy.stack(numpy.meshgrid(numpy.arange(256), numpy.arange(256), indexing='ij'), -1).reshape(-1, 2)
    indices = sum(k << (3 * k) for k in range(8)) | sum(k << (3 * (15 - k)) for k in range(8))
    channel = numpy.empty((65536, 8), numpy.uint8)
    channel[:, :2] = pairs
    channel[:, 2:] = numpy.frombuffer(indices.to_bytes(6, 'little'), numpy.uint8)
    rng = numpy.random.default_rng(11)
    if fmt == 3:
        blocks = numpy.concatenate([channel, rng.integers(0, 256, (65536, 8), numpy.uint8)], 1)
    elif fmt == 5:
        blocks = numpy.concatenate([channel, channel[::-1]], 1)
    else:
        blocks = channel
    shape = shape_of(fmt, 1024, 256)
    data = blocks.tobytes()
    expected = imagecodecs.bcn_decode(data, fmt, shape=shape)
    numpy.testing.assert_array_equal(bcn_decode(data, fmt, shape=shape), expected)
    numpy.testing.assert_array_equal(_bcn_decode_portable(data, fmt, shape=shape), expected)


def test_bc1_known_blocks():
    # four-color block: c0 > c1, red endpoints 31 and 0
    block = struct.pack('<HHI', 0xF800, 0x0000, 0b11100100)
    pixels = bcn_decode(block, 1, shape=(4, 4, 4))
    assert pixels[0, 0].tolist() == [255, 0, 0, 255]
    assert pixels[0, 1].tolist() == [0, 0, 0, 255]
    assert pixels[0, 2, 0] == 170 and pixels[0, 3, 0] == 85
    # three-color block: c0 <= c1, index 3 is transparent black
    block = struct.pack('<HHI', 0x001F, 0xF800, 0xFFFFFFFF)
    assert (bcn_decode(block, 1, shape=(4, 4, 4)) == 0).all()
    # BC2 and BC3 always use four colors
    block = bytes(8) + struct.pack('<HHI', 0x001F, 0xF800, 0xFFFFFFFF)
    assert bcn_decode(block, 2, shape=(4, 4, 4))[0, 0].tolist() == [170, 0, 85, 0]


def test_bc4_bc5_known_blocks():
    # eight values between 200 and 100 and six with 0 and 255
    block = bytes([200, 100]) + (0b001_000 | (0b011_010 << 6)).to_bytes(6, 'little')
    assert bcn_decode(block, 4, shape=(4, 4))[0, :4].tolist() == [200, 100, 185, 171]
    block = bytes([100, 200]) + (0b111_110 | (0b111_110 << 6)).to_bytes(6, 'little')
    assert bcn_decode(block, 4, shape=(4, 4))[0, :4].tolist() == [0, 255, 0, 255]
    red = bytes([10, 10]) + bytes(6)
    green = bytes([250, 250]) + bytes(6)
    pixels = bcn_decode(red + green, 5, shape=(4, 4, 2))
    assert (pixels[..., 0] == 10).all() and (pixels[..., 1] == 250).all()


def test_signed_bc4_bc5():
    block = bytes([0x80, 0x7F]) + bytes(6)  # -128 reads as -127
    pixels = bcn_decode(block, -4, shape=(4, 4))
    assert pixels.dtype == numpy.int8 and (pixels == -127).all()
    # first mode (a0 > a1): eight values, rounded half away from zero
    block = struct.pack('<bb', 100, -100) + (0b111_110 | (0b011_010 << 6)).to_bytes(6, 'little')
    pixels = bcn_decode(block, -4, shape=(4, 4))
    assert pixels[0, :4].tolist() == [-43, -71, 71, 43]
    # second mode (a0 <= a1): six values, then -127 and 127
    block = struct.pack('<bb', -100, 100) + block[2:]
    pixels = bcn_decode(block, -4, shape=(4, 4))
    assert pixels[0, :4].tolist() == [-127, 127, -60, -20]
    pixels = bcn_decode(block + block, -5, shape=(4, 4, 2))
    assert pixels.dtype == numpy.int8 and pixels.shape == (4, 4, 2)
    numpy.testing.assert_array_equal(pixels[..., 0], pixels[..., 1])


def test_bc7_known_blocks():
    # mode 6 block with endpoints 127 and P-bits 1: opaque white
    bits = 1 << 6
    for i in range(8):  # R0 R1 G0 G1 B0 B1 A0 A1, 7 bits each
        bits |= 0x7F << (7 + 7 * i)
    bits |= 0b11 << 63
    pixels = bcn_decode(bits.to_bytes(16, 'little'), 7, shape=(4, 4, 4))
    assert (pixels == 255).all()
    # reserved mode (no mode bit) decodes to zeros
    assert (bcn_decode(bytes(16), 7, shape=(4, 4, 4)) == 0).all()


def test_bc6h_known_blocks():
    # mode 3 (one subset, 10-bit endpoints), both endpoints 0: zeros;
    # a reserved mode decodes to zeros too
    for fmt in (6, -6):
        assert (bcn_decode(bytes([3]) + bytes(15), fmt, shape=(4, 4, 3)) == 0).all()
        assert (bcn_decode(bytes([19]) + b'\xff' * 15, fmt, shape=(4, 4, 3)) == 0).all()
    # unsigned maximum endpoint decodes to the largest finite half (65504 * 31/64)
    block = int(3 | (0x3FF << 5) | (0x3FF << 15) | (0x3FF << 25) | (0x3FF << 35) | (0x3FF << 45) | (0x3FF << 55))
    pixels = bcn_decode(block.to_bytes(16, 'little'), 6, shape=(4, 4, 3))
    assert pixels.dtype == numpy.float16
    assert (pixels.view(numpy.uint16) == (0xFFFF * 31) >> 6).all()


@pytest.mark.parametrize('fmt', FORMATS + [-4, -5])
def test_odd_sizes_crop(fmt):
    """Images of any size decode to the top-left of the padded blocks."""
    data = random_blocks(fmt, 6, 3)
    full = bcn_decode(data, fmt, shape=shape_of(fmt, 8, 12))
    for height, width in [(1, 1), (5, 9), (8, 10), (7, 12)]:
        part = bcn_decode(data[:nbytes(fmt, height, width)], fmt, shape=shape_of(fmt, height, width))
        if -(-width // 4) == 3:
            numpy.testing.assert_array_equal(part, full[:height, :width])
        assert part.shape == shape_of(fmt, height, width)


def test_out_and_arguments():
    data = random_blocks(7, 16)
    expected = bcn_decode(data, 7, shape=(16, 16, 4))
    out = numpy.zeros((16, 16, 4), numpy.uint8)
    assert bcn_decode(data, 7, out=out) is out
    numpy.testing.assert_array_equal(out, expected)
    assert bcn_decode(data, BCN.FORMAT.BC7, shape=[16, 16, 4]).shape == (16, 16, 4)
    with pytest.raises(TypeError):
        bcn_decode(data, 7)  # neither shape nor out
    with pytest.raises(TypeError):
        bcn_decode('text', 7, shape=(4, 4, 4))
    with pytest.raises(TypeError):
        bcn_decode(data, 'BC7', shape=(4, 4, 4))
    with pytest.raises(ValueError):
        bcn_decode(data, 7, shape=(16, 16, 3))
    with pytest.raises(ValueError):
        bcn_decode(data, 4, shape=(4, 4, 4, 4))
    with pytest.raises(BcnError, match='BC8 not supported'):
        bcn_decode(data, 8, shape=(4, 4, 4))
    with pytest.raises(BcnError):
        bcn_decode(data, 7, shape=(16, 16, 4), max_output=100)


@pytest.mark.parametrize('fmt', FORMATS)
def test_short_input(fmt):
    shape = shape_of(fmt, 8, 8)
    data = random_blocks(fmt, 4)
    for size in (0, 1, len(data) - 1):
        with pytest.raises(BcnError, match='too short'):
            bcn_decode(data[:size], fmt, shape=shape)


def test_dds_fourcc_parity():
    imagecodecs = pytest.importorskip('imagecodecs')
    for fourcc, fmt in [(b'DXT1', 1), (b'DXT3', 2), (b'DXT5', 3), (b'ATI1', 4), (b'BC4U', 4), (b'ATI2', 5), (b'BC5U', 5)]:
        data = dds_file(16, 8, random_blocks(fmt, 8, fmt))
        data = data[:84] + fourcc + data[88:]
        expected = imagecodecs.dds_decode(data)
        result = dds_decode(data)
        assert result.shape == expected.shape
        numpy.testing.assert_array_equal(result, expected)
        numpy.testing.assert_array_equal(result, bcn_decode(data[128:], fmt, shape=result.shape))


def test_dds_dx10_parity():
    imagecodecs = pytest.importorskip('imagecodecs')
    for dxgi, fmt in [(80, 4), (82, 5), (83, 5), (95, 6), (96, -6), (97, 7), (98, 7), (99, 7)]:
        data = dds_file(12, 8, random_blocks(fmt, 6, dxgi), dxgi=dxgi)
        expected = imagecodecs.dds_decode(data)
        result = dds_decode(data)
        assert result.dtype == expected.dtype and result.shape == expected.shape
        numpy.testing.assert_array_equal(result.view(numpy.uint8), expected.view(numpy.uint8))


def test_dds_formats_beyond_imagecodecs():
    """BC1-BC3 and signed BC4/BC5 in DX10 headers, and the signed FourCCs."""
    for dxgi, fmt in [(71, 1), (72, 1), (74, 2), (77, 3), (81, -4), (84, -5)]:
        blocks = random_blocks(fmt, 6, dxgi)
        result = dds_decode(dds_file(12, 8, blocks, dxgi=dxgi))
        numpy.testing.assert_array_equal(result, bcn_decode(blocks, fmt, shape=shape_of(fmt, 8, 12)))
    blocks = random_blocks(-5, 4)
    result = dds_decode(dds_file(8, 8, blocks, fourcc=b'BC5S'))
    assert result.dtype == numpy.int8 and result.shape == (8, 8, 2)


def test_dds_pillow():
    """Pillow's DXT1 and DXT5 files decode as imagecodecs decodes them."""
    image = pytest.importorskip('PIL.Image')
    imagecodecs = pytest.importorskip('imagecodecs')
    rng = numpy.random.default_rng(5)
    rgba = rng.integers(0, 256, (16, 20, 4), numpy.uint8)
    for pixel_format in ('DXT1', 'DXT3', 'DXT5'):
        buf = io.BytesIO()
        try:
            image.fromarray(rgba).save(buf, 'DDS', pixel_format=pixel_format)
        except (OSError, ValueError, KeyError) as exc:
            pytest.skip(f'this Pillow cannot write {pixel_format}: {exc}')
        data = buf.getvalue()
        numpy.testing.assert_array_equal(dds_decode(data), imagecodecs.dds_decode(data))


def test_dds_mipmaps():
    blocks = random_blocks(1, 4 + 1 + 1, 7)  # 8x8, 4x4, 2x2 and 1x1 share a block
    data = dds_file(8, 8, blocks + blocks[-8:], mipmaps=4)
    numpy.testing.assert_array_equal(dds_decode(data), bcn_decode(blocks[:32], 1, shape=(8, 8, 4)))
    assert dds_decode(data, mipmap=1).shape == (4, 4, 4)
    numpy.testing.assert_array_equal(dds_decode(data, mipmap=1), bcn_decode(blocks[32:40], 1, shape=(4, 4, 4)))
    numpy.testing.assert_array_equal(dds_decode(data, mipmap=2), bcn_decode(blocks[40:48], 1, shape=(2, 2, 4)))
    assert dds_decode(data, mipmap=3).shape == (1, 1, 4)
    with pytest.raises(ValueError):
        dds_decode(data, mipmap=4)
    with pytest.raises(DdsError):
        dds_decode(data[:-9], mipmap=3)


def test_dds_volume_array_cube():
    imagecodecs = pytest.importorskip('imagecodecs')
    blocks = random_blocks(3, 4 * 6, 8)
    volume = dds_file(8, 8, blocks[:16 * 12], fourcc=b'DXT5', depth=3)
    result = dds_decode(volume)
    assert result.shape == (3, 8, 8, 4)
    numpy.testing.assert_array_equal(result, imagecodecs.dds_decode(volume))
    cube = dds_file(8, 8, blocks, fourcc=b'DXT5', cubemap=True)
    numpy.testing.assert_array_equal(dds_decode(cube), imagecodecs.dds_decode(cube))
    array = dds_file(8, 8, random_blocks(7, 12), dxgi=98, arraysize=3)
    result = dds_decode(array)
    assert result.shape == (3, 8, 8, 4)
    numpy.testing.assert_array_equal(result[2], bcn_decode(array[148 + 128:], 7, shape=(8, 8, 4)))
    assert dds_decode(dds_file(8, 8, random_blocks(7, 24), dxgi=98, misc=4)).shape == (8, 8, 4)


def test_dds_bad_input():
    good = dds_file(8, 8, random_blocks(1, 4))
    for bad in (b'', b'DDS ', good[:127], good[:-1], b'XXXX' + good[4:], good[:4] + b'\x00' + good[5:]):
        with pytest.raises(DdsError):
            dds_decode(bad)
    with pytest.raises(DdsError, match='not supported'):
        dds_decode(good[:84] + b'DXT9' + good[88:])
    with pytest.raises(DdsError, match='not supported'):
        dds_decode(dds_file(8, 8, bytes(64), dxgi=28))
    huge = dds_file(100000, 100000, bytes(64))
    with pytest.raises(DdsError):
        dds_decode(huge)
    with pytest.raises(TypeError):
        dds_decode('text')
    rng = numpy.random.default_rng(9)
    for _ in range(300):
        data = bytearray(good)
        for _ in range(4):
            data[rng.integers(0, len(data))] = rng.integers(0, 256)
        try:
            dds_decode(bytes(data), max_output=1 << 20)
        except (DdsError, ValueError):
            pass


def test_threads():
    data = [random_blocks(7, 4096, seed) for seed in range(4)]
    expected = [bcn_decode(d, 7, shape=(256, 256, 4)) for d in data]
    results = [None] * 4
    barrier = threading.Barrier(4)

    def work(i):
        barrier.wait()
        for _ in range(5):
            results[i] = bcn_decode(data[i], 7, shape=(256, 256, 4))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for result, exp in zip(results, expected):
        numpy.testing.assert_array_equal(result, exp)


def test_releases_gil():
    """A Python thread keeps running while a large image decodes."""
    data = random_blocks(7, 512 * 512)
    assert_releases_gil(lambda: bcn_decode(data, 7, shape=(2048, 2048, 4)), too_fast='skip')

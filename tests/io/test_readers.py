"""Readers: frames, properties and metadata; header-only reads for PNG and NPY."""

import numpy
import pytest

import ndcodecs
from iohelpers import multiframe_codecs, rgb, stack
from ndcodecs.io import readers


def test_png_properties_without_decoding(monkeypatch):
    data = ndcodecs.imwrite('<bytes>', rgb((9, 7, 4), 'uint16'), format='png')
    png = ndcodecs.get_codec('png')

    def no_decode(*args, **kwargs):
        raise AssertionError('pixels were decoded')

    monkeypatch.setattr(png._module(), 'png_decode', no_decode)
    props = ndcodecs.improps(data)
    assert props == readers.ImageProperties((9, 7, 4), numpy.dtype('uint16'))
    assert ndcodecs.improps(data, index=...).shape == (1, 9, 7, 4)
    meta = ndcodecs.immeta(data)
    assert meta['codec'] == 'png' and meta['bit_depth'] == 16 and meta['color_type'] == 'rgba'


@pytest.mark.parametrize('shape', [(5, 6), (5, 6, 2), (5, 6, 3), (5, 6, 4)])
@pytest.mark.parametrize('dtype', ['uint8', 'uint16'])
def test_png_properties_match_decode(shape, dtype):
    data = ndcodecs.imwrite('<bytes>', rgb(shape, dtype), format='png')
    image = ndcodecs.imread(data)
    props = ndcodecs.improps(data)
    assert (props.shape, props.dtype) == (image.shape, image.dtype)


def test_png_corrupt_header():
    data = bytearray(ndcodecs.imwrite('<bytes>', rgb(), format='png'))
    data[20] ^= 0xFF  # inside IHDR: the CRC no longer matches
    with pytest.raises(ndcodecs.CodecError, match='CRC'):
        ndcodecs.improps(bytes(data), format='png')


def test_npy_stack_frames_and_header():
    frames = stack(7)
    data = ndcodecs.mimwrite('<bytes>', frames, format='npy')
    with ndcodecs.imopen(data) as reader:
        assert reader.n_frames == len(reader) == 7
        assert reader.shape == frames.shape and reader.dtype == frames.dtype
        assert numpy.array_equal(reader[3], frames[3])
        assert numpy.array_equal(reader[-1], frames[-1])
        assert numpy.array_equal(reader.read(...), frames)
        assert all(numpy.array_equal(a, b) for a, b in zip(reader, frames))
        with pytest.raises(IndexError):
            reader[7]
        assert reader.metadata()['shape'] == frames.shape


def test_npy_rgb_is_one_image():
    data = ndcodecs.imwrite('<bytes>', rgb(), format='npy')
    props = ndcodecs.improps(data)
    assert props.shape == rgb().shape and not props.is_batch
    assert [f.shape for f in ndcodecs.imiter(data)] == [rgb().shape]


def test_npy_memmap(tmp_path):
    path = tmp_path / 'stack.npy'
    ndcodecs.imwrite(path, stack(3))
    image = ndcodecs.imread(path, memmap=True)
    assert isinstance(image, numpy.memmap) and not image.flags.writeable
    assert numpy.array_equal(image, stack(3))
    assert not isinstance(ndcodecs.imread(path), numpy.memmap)


def test_npz_members_are_frames(tmp_path):
    path = tmp_path / 'frames.npz'
    numpy.savez(path, *stack(4))
    assert ndcodecs.improps(path, index=...).n_images == 4
    assert numpy.array_equal(ndcodecs.imread(path, index=2), stack(4)[2])
    assert numpy.array_equal(ndcodecs.imread(path), stack(4))
    assert numpy.array_equal(numpy.stack(list(ndcodecs.imiter(path))), stack(4))


@pytest.mark.parametrize('cut', [0, 5, 60, -3])
def test_truncated_npy(cut):
    data = ndcodecs.mimwrite('<bytes>', stack(2), format='npy')
    with pytest.raises(ndcodecs.CodecError):
        ndcodecs.imread(data[:cut] if cut else b'', format='npy')
    with pytest.raises(ndcodecs.CodecError):
        ndcodecs.improps(data[:cut] if cut else b'')


@pytest.mark.parametrize('cut', [0, 8, 30, 100, -20])
def test_truncated_png(cut):
    data = ndcodecs.imwrite('<bytes>', rgb(), format='png')
    with pytest.raises(ndcodecs.CodecError):
        ndcodecs.imread(data[:cut] if cut else b'')


def test_corrupt_png():
    data = bytearray(ndcodecs.imwrite('<bytes>', rgb(), format='png'))
    data[len(data) // 2:len(data) // 2 + 40] = b'\xff' * 40
    with pytest.raises(ndcodecs.CodecError):
        ndcodecs.imread(bytes(data))


def test_npy_huge_claimed_shape():
    header = "{'descr': '<u2', 'fortran_order': False, 'shape': (100000, 100000, 100000), }"
    body = header.encode() + b' ' * (117 - len(header)) + b'\n'
    data = b'\x93NUMPY\x01\x00' + len(body).to_bytes(2, 'little') + body + bytes(64)
    with pytest.raises(ndcodecs.CodecError):
        ndcodecs.imread(data, index=1)
    with pytest.raises(ndcodecs.CodecError):
        ndcodecs.improps(data)


def test_single_image_frames():
    data = ndcodecs.imwrite('<bytes>', rgb(), format='png')
    assert numpy.array_equal(ndcodecs.imread(data, index=0), rgb())
    assert ndcodecs.imread(data, index=...).shape == (1, *rgb().shape)
    with pytest.raises(IndexError):
        ndcodecs.imread(data, index=1)
    with pytest.raises(TypeError):
        ndcodecs.imread(data, index='0')


def check_multiframe(codec, count=4):
    """Write `count` frames of a dtype and samples the encoder takes, read them back."""
    dtypes = getattr(codec, 'dtypes', ()) or ('uint8',)
    samples = getattr(codec, 'samples', ()) or (3,)
    nsamples = 3 if 3 in samples else samples[0]
    shape = (16, 20) if nsamples == 1 else (16, 20, nsamples)
    frames = stack(count, shape, dtypes[0])
    data = ndcodecs.mimwrite('<bytes>', frames, format=codec.name)
    with ndcodecs.imopen(data, format=codec.name) as reader:
        assert reader.n_frames == count
        first = reader[0]
        assert first.shape[:2] == (16, 20)
        assert [f.shape for f in reader] == [first.shape] * count
        assert reader.read(...).shape == (count, *first.shape)
        with pytest.raises(IndexError):
            reader[count]
    props = ndcodecs.improps(data, format=codec.name, index=...)
    assert props.n_images == count and props.is_batch
    assert len(ndcodecs.mimread(data, format=codec.name)) == count
    assert len(list(ndcodecs.imiter(data, format=codec.name))) == count
    if getattr(codec, 'lossless', False):
        decode_args = getattr(codec, 'decode_args', {})
        assert numpy.array_equal(ndcodecs.imread(data, format=codec.name, index=..., **decode_args), frames)
    return frames, data


@pytest.mark.parametrize('codec', multiframe_codecs())
def test_multiframe_codecs(codec):
    """Every multi-frame codec of the registry, by its own encoder."""
    check_multiframe(codec)
    check_multiframe(codec, 1)


def test_generic_multiframe_reader(fakestack, tmp_path):
    frames, data = check_multiframe(fakestack)
    # lossless: the frames come back exactly, chosen by magic bytes alone
    assert numpy.array_equal(ndcodecs.imread(data, index=...), frames)
    assert numpy.array_equal(ndcodecs.imread(data, index=2), frames[2])
    _, one = check_multiframe(fakestack, 1)
    assert ndcodecs.imread(one).shape == (16, 20, 3)
    assert ndcodecs.imread(one, index=...).shape == (1, 16, 20, 3)
    path = tmp_path / 'x.fake'
    ndcodecs.mimwrite(path, frames)
    assert numpy.array_equal(ndcodecs.volread(path), frames)

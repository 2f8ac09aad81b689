"""Writers: streaming NPY, NPZ, single-image codecs, aborted writes."""

import io

import numpy
import pytest

import ndcodecs
from iohelpers import rgb, stack
from ndcodecs.io import FormatError


class WriteOnly(io.RawIOBase):
    """A target that cannot seek, like a pipe."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data += bytes(b)
        return len(b)


def test_npy_is_streamed(tmp_path):
    path = tmp_path / 'stream.npy'
    with ndcodecs.imopen(path, 'w') as writer:
        for frame in stack(6):
            writer.write(frame)
            # frames go to the file at once; the writer keeps no pixel data
            assert all(f.strides == (0,) * f.ndim for f in writer._frames)
    loaded = numpy.load(path)
    assert numpy.array_equal(loaded, stack(6))
    assert [p.name for p in tmp_path.iterdir()] == ['stream.npy']


def test_npy_to_non_seekable_target():
    target = WriteOnly()
    ndcodecs.mimwrite(target, stack(3), format='npy')
    assert numpy.array_equal(numpy.load(io.BytesIO(bytes(target.data))), stack(3))


@pytest.mark.parametrize('dtype', ['uint8', 'int16', 'float32', '>u2', 'complex64'])
def test_npy_dtypes(dtype):
    frames = stack(2).astype(dtype)
    data = ndcodecs.mimwrite('<bytes>', frames, format='npy')
    assert numpy.array_equal(numpy.load(io.BytesIO(data)), frames)
    assert numpy.array_equal(ndcodecs.imread(data), frames)


def test_npz(tmp_path):
    path = tmp_path / 'frames.npz'
    ndcodecs.mimwrite(path, stack(3))
    with numpy.load(path) as npz:
        assert numpy.array_equal(npz['arr_0'], stack(3))
    assert numpy.array_equal(ndcodecs.imread(path), stack(3))
    assert numpy.array_equal(ndcodecs.imread(path, index=1), stack(3)[1])


def test_single_image_codec_takes_one_frame():
    with pytest.raises(FormatError, match='one image'):
        ndcodecs.mimwrite('<bytes>', stack(2, (8, 8), 'uint8'), format='png')
    data = ndcodecs.mimwrite('<bytes>', stack(1, (8, 8), 'uint8'), format='png')
    assert numpy.array_equal(ndcodecs.imread(data), stack(1, (8, 8), 'uint8')[0])


def test_frames_must_match():
    writer = ndcodecs.imopen('<bytes>', 'w', format='npy')
    writer.write(numpy.zeros((4, 5), 'uint8'))
    with pytest.raises(ValueError, match='differs'):
        writer.write(numpy.zeros((4, 6), 'uint8'))
    with pytest.raises(ValueError, match='differs'):
        writer.write(numpy.zeros((4, 5), 'uint16'))
    writer.write(numpy.ones((4, 5), 'uint8'))
    data = writer.close()
    assert ndcodecs.imread(data).shape == (2, 4, 5)
    with pytest.raises(ValueError, match='closed'):
        writer.write(numpy.zeros((4, 5), 'uint8'))


def test_aborted_writer_leaves_nothing(tmp_path):
    path = tmp_path / 'partial.npy'
    with pytest.raises(KeyboardInterrupt):
        with ndcodecs.imopen(path, 'w') as writer:
            writer.write(stack(1)[0])
            assert len(list(tmp_path.iterdir())) == 1  # the temporary file
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_existing_file_survives_a_failed_write(tmp_path):
    path = tmp_path / 'keep.png'
    ndcodecs.imwrite(path, rgb())
    before = path.read_bytes()
    with pytest.raises((ndcodecs.CodecError, ValueError, TypeError)):
        ndcodecs.imwrite(path, numpy.zeros((3, 3, 9), 'uint8'))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ['keep.png']


def test_bad_images():
    with pytest.raises(ValueError):
        ndcodecs.imwrite('<bytes>', numpy.array(1), format='npy')
    with pytest.raises(ValueError):
        ndcodecs.imwrite('<bytes>', numpy.array([object()]), format='npy')
    with pytest.raises(ValueError, match='no image'):
        ndcodecs.imopen('<bytes>', 'w', format='png').close()

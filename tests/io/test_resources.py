"""Where images come from and go to: ndcodecs.io.resources through imread/imwrite."""

import io
import pathlib
import zipfile

import numpy
import pytest

import ndcodecs
from iohelpers import rgb
from ndcodecs.io import resources


@pytest.fixture
def png_file(tmp_path):
    path = tmp_path / 'image.png'
    ndcodecs.imwrite(path, rgb())
    return path


class NonSeekable(io.RawIOBase):
    """A stream that can only be read forward, like a pipe."""

    def __init__(self, data):
        self._fh = io.BytesIO(data)

    def readable(self):
        return True

    def seekable(self):
        return False

    def readinto(self, buffer):
        return self._fh.readinto(buffer)


def test_path_str_and_pathlib(png_file):
    assert numpy.array_equal(ndcodecs.imread(str(png_file)), rgb())
    assert numpy.array_equal(ndcodecs.imread(pathlib.Path(png_file)), rgb())


def test_file_uri(png_file):
    assert numpy.array_equal(ndcodecs.imread(png_file.as_uri()), rgb())


@pytest.mark.parametrize('kind', [bytes, bytearray, memoryview])
def test_buffers(png_file, kind):
    assert numpy.array_equal(ndcodecs.imread(kind(png_file.read_bytes())), rgb())


def test_mmap(png_file):
    import mmap

    with open(png_file, 'rb') as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        assert numpy.array_equal(ndcodecs.imread(mm), rgb())


def test_file_objects(png_file):
    data = png_file.read_bytes()
    with open(png_file, 'rb') as fh:
        assert numpy.array_equal(ndcodecs.imread(fh), rgb())
    fh = io.BytesIO(b'xxxx' + data)
    fh.seek(4)  # reading starts at the current position
    assert numpy.array_equal(ndcodecs.imread(fh), rgb())
    assert numpy.array_equal(ndcodecs.imread(NonSeekable(data)), rgb())


def test_non_seekable_stream_is_bounded(png_file):
    ndcodecs.set_max_output(1000)
    try:
        with pytest.raises(OSError, match='max_output'):
            ndcodecs.imread(NonSeekable(png_file.read_bytes()))
    finally:
        ndcodecs.set_max_output(1 << 30)


def test_sample():
    image = ndcodecs.imread('ndcodecs:astronaut.png')
    assert numpy.array_equal(image, ndcodecs.sample('astronaut'))
    with pytest.raises(ValueError, match='no sample'):
        ndcodecs.imread('ndcodecs:nothing.png')


def test_zip_member(tmp_path, png_file):
    archive = tmp_path / 'a.zip'
    with zipfile.ZipFile(archive, 'w') as zf:
        zf.write(png_file, 'inner/x.png')
        zf.writestr('inner/x.npy', ndcodecs.imwrite('<bytes>', rgb(), format='npy'))
    assert numpy.array_equal(ndcodecs.imread(f'{archive}/inner/x.png'), rgb())
    assert numpy.array_equal(ndcodecs.imread(archive / 'inner' / 'x.npy'), rgb())
    with pytest.raises(FileNotFoundError, match='no member'):
        ndcodecs.imread(f'{archive}/inner/missing.png')


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        ndcodecs.imread(tmp_path / 'missing.png')
    with pytest.raises(IsADirectoryError):
        ndcodecs.imread(tmp_path)


def test_wrong_types():
    with pytest.raises(TypeError):
        ndcodecs.imread(12345)
    with pytest.raises(TypeError):
        ndcodecs.imread(None)
    with pytest.raises(ValueError):
        ndcodecs.imread('<bytes>')
    with pytest.raises(TypeError):
        ndcodecs.imwrite(3.5, rgb(), format='png')


def test_http(http_root):
    url, folder, _ = http_root
    (folder / 'web.png').write_bytes(ndcodecs.imwrite('<bytes>', rgb(), format='png'))
    assert numpy.array_equal(ndcodecs.imread(f'{url}/web.png'), rgb())
    with pytest.raises(FileNotFoundError):
        ndcodecs.imread(f'{url}/missing.png')


def test_http_range_requests(http_root):
    """Frame k of a remote NPY stack is one Range request, not the whole file."""
    url, folder, handler = http_root
    frames = numpy.arange(6 * 50 * 40, dtype=numpy.uint16).reshape(6, 50, 40)
    (folder / 'stack.npy').write_bytes(ndcodecs.mimwrite('<bytes>', frames, format='npy'))
    handler.ranges.clear()
    assert numpy.array_equal(ndcodecs.imread(f'{url}/stack.npy', index=4), frames[4])
    props = ndcodecs.improps(f'{url}/stack.npy', index=...)
    assert props.shape == frames.shape and props.n_images == 6
    served = [r for r in handler.ranges if r[0] == 'stack.npy']
    assert served and max(stop - start for _, start, stop in served) <= 65536 + 12
    assert any(stop - start == 50 * 40 * 2 for _, start, stop in served)


def test_http_server_closes_early(http_root):
    url, folder, _ = http_root
    (folder / 'cut.png').write_bytes(ndcodecs.imwrite('<bytes>', rgb(), format='png'))
    with pytest.raises(OSError, match='closed early'):
        ndcodecs.imread(f'{url}/early/cut.png', format='png')


def test_http_timeout_setting(monkeypatch, http_root):
    monkeypatch.setenv('NDCODECS_REQUEST_TIMEOUT', '2.5')
    assert resources.request_timeout() == 2.5
    monkeypatch.setenv('NDCODECS_REQUEST_TIMEOUT', 'soon')
    with pytest.raises(ValueError, match='NDCODECS_REQUEST_TIMEOUT'):
        ndcodecs.imread(f'{http_root[0]}/web.png')


def test_no_internet(monkeypatch, http_root):
    monkeypatch.setenv('NDCODECS_NO_INTERNET', '1')
    with pytest.raises(OSError, match='NDCODECS_NO_INTERNET'):
        ndcodecs.imread(f'{http_root[0]}/web.png')


def test_write_targets(tmp_path):
    data = ndcodecs.imwrite('<bytes>', rgb(), format='png')
    assert isinstance(data, bytes) and data.startswith(b'\x89PNG')
    fh = io.BytesIO()
    assert ndcodecs.imwrite(fh, rgb(), format='.png') is None
    assert fh.getvalue() == data
    assert ndcodecs.imwrite(tmp_path / 'out.png', rgb()) is None
    assert (tmp_path / 'out.png').read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == ['out.png']


def test_write_read_only_target(tmp_path):
    existing = tmp_path / 'x.png'
    existing.write_bytes(b'old')
    with open(existing, 'rb') as fh, pytest.raises(OSError):
        ndcodecs.imwrite(fh, rgb(), format='png')
    assert existing.read_bytes() == b'old'
    with pytest.raises(OSError):
        ndcodecs.imwrite('/proc/ndcodecs-test.png', rgb())  # read-only even for root
    with pytest.raises(OSError):
        ndcodecs.imwrite(tmp_path / 'no' / 'such' / 'dir.png', rgb())


def test_failed_write_leaves_nothing(tmp_path):
    target = tmp_path / 'bad.png'
    with pytest.raises((ndcodecs.CodecError, ValueError, TypeError)):
        ndcodecs.imwrite(target, numpy.zeros((4, 4, 7), 'uint8'))
    assert list(tmp_path.iterdir()) == []

"""Choosing the codec: override, extension, magic bytes, NDCODECS_FORMAT_ORDER."""

import numpy
import pytest

import ndcodecs
from iohelpers import rgb
from ndcodecs.io import formats


def names(pairs):
    return [c.name for c, _ in pairs]


def candidates(*args):
    return list(formats.read_candidates(*args))


def test_override_by_name_alias_and_extension():
    assert formats.codec_arg('png') == [ndcodecs.get_codec('png')]
    assert formats.codec_arg('npz') == [ndcodecs.get_codec('numpy')]
    assert formats.codec_arg('.PNG') == [ndcodecs.get_codec('png')]
    assert formats.codec_arg(ndcodecs.get_codec('png')) == [ndcodecs.get_codec('png')]
    with pytest.raises(formats.FormatError, match='no codec'):
        formats.codec_arg('.nosuchext')
    with pytest.raises(TypeError):
        formats.codec_arg(3)


def test_extension_then_magic():
    png = ndcodecs.imwrite('<bytes>', rgb(), format='png')
    found = candidates('x.npy', png)
    assert found[0] == (ndcodecs.get_codec('numpy'), 'extension')
    assert found[1] == (ndcodecs.get_codec('png'), 'magic bytes')
    # only image and array codecs take part, never compressors
    assert all(c.kind in ('image', 'array') for c, _ in found)
    assert 'zstd' not in names(candidates('x.zst', b'\x28\xb5\x2f\xfd'))


def test_longest_extension_first(monkeypatch):
    png, numpy_codec = ndcodecs.get_codec('png'), ndcodecs.get_codec('numpy')
    monkeypatch.setattr(png, 'extensions', ('.png', '.ome.npy'))
    assert formats.by_extension('a.OME.npy', [numpy_codec, png]) == [png, numpy_codec]
    assert formats.by_extension('a.npy', [numpy_codec, png]) == [numpy_codec]


def test_format_order(monkeypatch):
    codecs = [ndcodecs.get_codec(n) for n in ('png', 'numpy', 'zfp', 'lerc')]
    monkeypatch.setenv('NDCODECS_FORMAT_ORDER', 'lerc,-png')
    order = [c.name for c in formats._ordered(codecs)]
    assert order == ['lerc', 'numpy', 'zfp', 'png']
    monkeypatch.setattr(ndcodecs.get_codec('png'), 'extensions', ('.png', '.npy'))
    assert names(candidates('a.npy', b''))[:2] == ['numpy', 'png']


def test_misnamed_file_is_read_by_magic(tmp_path):
    path = tmp_path / 'really_a_png.npy'
    ndcodecs.imwrite(path, rgb(), format='png')
    image, codec = ndcodecs.imread(path, return_codec=True)
    assert codec is ndcodecs.png_decode and numpy.array_equal(image, rgb())


def test_unknown_format_lists_what_was_tried(tmp_path):
    path = tmp_path / 'noise.png'
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ndcodecs.CodecError) as info:
        ndcodecs.imread(path)
    message = str(info.value)
    assert 'png (extension): PngError' in message and 'tried' in message


def test_write_codec():
    assert formats.write_codec('a.png').name == 'png'
    assert formats.write_codec('a.NPZ').name == 'numpy'
    assert formats.write_codec('', 'png').name == 'png'
    with pytest.raises(formats.FormatError, match='extension'):
        formats.write_codec('a.unknown')
    with pytest.raises(formats.FormatError, match='extension'):
        ndcodecs.imwrite('<bytes>', rgb())

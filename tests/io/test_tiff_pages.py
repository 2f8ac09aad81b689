"""Multi-page TIFF written by tifffile, read page by page; header-only
properties and metadata of TIFF, GIF, APNG, WebP and JPEG."""

import io
import random
import struct

import numpy
import pytest

import ndcodecs
from iohelpers import rgb, stack
from ndcodecs.io import headers, readers

tifffile = pytest.importorskip('tifffile', reason='tifffile writes the TIFF test files')

pytestmark = pytest.mark.skipif(
    not ndcodecs.get_codec('tiff').available, reason='ndcodecs was built without libtiff'
)


def tiff_bytes(data, **kwargs) -> bytes:
    fh = io.BytesIO()
    kwargs.setdefault('photometric', 'minisblack')
    tifffile.imwrite(fh, data, **kwargs)
    return fh.getvalue()


@pytest.fixture
def decode_calls(monkeypatch):
    """Record the `index` of every tiff_decode call."""
    module = ndcodecs.get_codec('tiff')._module()
    decode = module.tiff_decode
    calls = []

    def recording(data, index=0, **kwargs):
        calls.append(index)
        return decode(data, index, **kwargs)

    monkeypatch.setattr(module, 'tiff_decode', recording)
    return calls


@pytest.mark.parametrize('options', [
    {},
    {'bigtiff': True},
    {'byteorder': '>'},
    {'bigtiff': True, 'byteorder': '>'},
    {'compression': 'zlib'},
    {'tile': (16, 16)},
], ids=['classic', 'bigtiff', 'bigendian', 'bigtiff-bigendian', 'zlib', 'tiled'])
@pytest.mark.parametrize('dtype', ['uint8', 'uint16', 'float32'])
def test_multipage(options, dtype, decode_calls):
    frames = stack(5, (24, 31), dtype) if dtype != 'float32' else stack(5, (24, 31), 'uint16').astype('float32')
    data = tiff_bytes(frames, **options)
    props = ndcodecs.improps(data)
    assert props == readers.ImageProperties((24, 31), numpy.dtype(dtype))
    assert ndcodecs.improps(data, index=...) == readers.ImageProperties(
        (5, 24, 31), numpy.dtype(dtype), 5, True
    )
    assert decode_calls == []  # properties came from the IFDs alone
    with ndcodecs.imopen(data) as reader:
        assert reader.n_frames == len(reader) == 5
        for k in (3, 0, -1, 2):  # random access, each page alone
            assert numpy.array_equal(reader[k], frames[k])
        with pytest.raises(IndexError):
            reader[5]
    assert None not in decode_calls
    assert numpy.array_equal(ndcodecs.imread(data, index=...), frames)
    assert numpy.array_equal(ndcodecs.imread(data), frames[0])


def test_rgb_and_planar():
    frames = stack(3, (16, 20, 3), 'uint8')
    data = tiff_bytes(frames, photometric='rgb')
    assert ndcodecs.improps(data).shape == (16, 20, 3)
    assert numpy.array_equal(ndcodecs.imread(data, index=2), frames[2])
    planar = numpy.ascontiguousarray(frames.transpose(0, 3, 1, 2))
    data = tiff_bytes(planar, photometric='rgb', planarconfig='separate')
    assert ndcodecs.improps(data).shape == (3, 16, 20)
    assert numpy.array_equal(ndcodecs.imread(data, index=1), planar[1])


def test_imiter_reads_one_page_at_a_time(decode_calls):
    frames = stack(6, (32, 32), 'uint16')
    data = tiff_bytes(frames)
    for k, page in enumerate(ndcodecs.imiter(data)):
        assert numpy.array_equal(page, frames[k])
    assert decode_calls == list(range(6))


def test_mimread_memtest(tmp_path):
    frames = stack(4, (64, 64), 'uint16')
    path = tmp_path / 'stack.tif'
    tifffile.imwrite(path, frames, photometric='minisblack')
    pages = ndcodecs.io.mimread(path)
    assert len(pages) == 4 and all(numpy.array_equal(a, b) for a, b in zip(pages, frames))
    assert pages[0].meta['codec'] == 'tiff' and pages[0].meta['pages'] == 4
    with pytest.raises(RuntimeError, match='memtest|mimread'):
        ndcodecs.io.mimread(path, memtest=frames[0].nbytes * 2)
    assert len(ndcodecs.io.mimread(path, memtest='1MB')) == 4


def test_pages_of_another_shape():
    """A thumbnail page: frames and random access see it, read(...) stacks
    the pages of the first page's shape, as tiff_decode(index=None) does."""
    fh = io.BytesIO()
    with tifffile.TiffWriter(fh) as tif:
        tif.write(stack(1, (32, 32), 'uint8')[0])
        tif.write(stack(1, (8, 8), 'uint8')[0])
        tif.write(stack(1, (32, 32), 'uint8')[0])
    data = fh.getvalue()
    with ndcodecs.imopen(data) as reader:
        assert reader.n_frames == 3
        assert reader[1].shape == (8, 8)
        assert reader.properties(1).shape == (8, 8)
        props = reader.properties(...)
        assert props.shape == (2, 32, 32) and props.n_images == 2
        assert reader.read(...).shape == (2, 32, 32)


def test_metadata():
    frames = stack(2, (16, 20), 'uint16')
    data = tiff_bytes(
        frames, compression='zlib', description='a test stack', software='writer 1', metadata=None
    )
    meta = ndcodecs.immeta(data)
    assert meta['codec'] == 'tiff' and meta['pages'] == meta['frames'] == 2
    assert meta['compression'] == 'adobe_deflate' and meta['bits_per_sample'] == 16
    assert meta['description'] == 'a test stack' and meta['software'] == 'writer 1'
    assert meta['byteorder'] == 'little' and not meta['bigtiff']
    assert ndcodecs.immeta(tiff_bytes(frames, bigtiff=True, byteorder='>'))['byteorder'] == 'big'


def classic_tiff(ifds: list[tuple[int, list]], order='<') -> bytes:
    """Return a classic TIFF whose IFDs sit at the given offsets with
    (tag, type, count, value) entries; each IFD points to the next one."""
    size = max(offset for offset, _ in ifds) + 512
    data = bytearray(size)
    data[:8] = (b'II' if order == '<' else b'MM') + struct.pack(order + 'HI', 42, ifds[0][0])
    for i, (offset, entries) in enumerate(ifds):
        nxt = ifds[i + 1][0] if i + 1 < len(ifds) else 0
        raw = struct.pack(order + 'H', len(entries))
        for tag, dtype, count, value in entries:
            raw += struct.pack(order + 'HHII', tag, dtype, count, value) if dtype == 4 else \
                struct.pack(order + 'HHIHH', tag, dtype, count, value, 0)
        raw += struct.pack(order + 'I', nxt)
        data[offset:offset + len(raw)] = raw
    return bytes(data)


IMAGE = [(256, 3, 1, 4), (257, 3, 1, 4), (258, 3, 1, 8), (273, 4, 1, 8), (279, 4, 1, 16)]


def test_ifd_walker():
    data = classic_tiff([(100, IMAGE), (200, IMAGE)])
    pages = headers.tiff_pages(lambda o, n: data[o:o + n], len(data))
    assert [p.first('width') for p in pages] == [4, 4]
    big = classic_tiff([(100, IMAGE)], order='>')
    assert headers.tiff_pages(lambda o, n: big[o:o + n], len(big))[0].first('length') == 4


@pytest.mark.parametrize('ifds, message', [
    ([(100, [])], 'holds 0 tags'),
    ([(100000, IMAGE)], 'outside'),
], ids=['empty-ifd', 'outside'])
def test_corrupt_first_ifd(ifds, message):
    data = classic_tiff([(100, IMAGE)] if message == 'outside' else ifds)
    if message == 'outside':
        data = data[:4] + struct.pack('<I', 100000) + data[8:]
    with pytest.raises(ValueError, match=message):
        headers.tiff_pages(lambda o, n: data[o:o + n], len(data))
    with pytest.raises(ndcodecs.CodecError):
        ndcodecs.improps(data)
    with pytest.raises(ndcodecs.CodecError):
        ndcodecs.imread(data, index=...)


@pytest.mark.parametrize('damage', ['loop', 'outside', 'zero-tags', 'truncated'])
def test_damaged_ifd_chain_ends_it(damage):
    """After the first page, a damaged chain ends, as libtiff ends it;
    strict=True raises instead."""
    data = classic_tiff([(100, IMAGE), (200, IMAGE), (300, IMAGE)])
    end = 200 + 2 + 12 * len(IMAGE)  # the second IFD's next-IFD offset
    if damage == 'loop':
        data = data[:end] + struct.pack('<I', 100) + data[end + 4:]
    elif damage == 'outside':
        data = data[:end] + struct.pack('<I', 1 << 30) + data[end + 4:]
    elif damage == 'zero-tags':
        data = data[:300] + b'\0\0' + data[302:]
    else:
        data = data[:310]
    with pytest.raises(ValueError):
        headers.tiff_pages(lambda o, n: data[o:o + n], len(data), strict=True)
    assert len(headers.tiff_pages(lambda o, n: data[o:o + n], len(data))) == 2
    with ndcodecs.imopen(data) as reader:
        assert reader.n_frames == 2


def test_page_limit():
    data = classic_tiff([(100 * k, IMAGE) for k in range(1, 6)])
    assert len(headers.tiff_pages(lambda o, n: data[o:o + n], len(data), limit=3)) == 3
    with pytest.raises(ValueError, match='more than 3'):
        headers.tiff_pages(lambda o, n: data[o:o + n], len(data), limit=3, strict=True)


@pytest.mark.parametrize('cut', [0, 4, 9, 60, 300, 400])
def test_truncated_tiff(cut):
    data = tiff_bytes(stack(3, (16, 16), 'uint8'))
    data = data[:cut] if cut else b''
    with pytest.raises(ndcodecs.CodecError):
        ndcodecs.imread(data, format='tiff', index=...)
    if cut < 100:  # within the first IFD; improps does not read pixel data
        with pytest.raises(ndcodecs.CodecError):
            ndcodecs.improps(data, format='tiff')


def mutations(data: bytes, count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        buf = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        yield bytes(buf[:rng.randint(1, len(buf))]) if rng.random() < 0.3 else bytes(buf)


def test_header_parsers_on_corrupt_data():
    """The header parsers raise ValueError or succeed, quickly, on any input."""
    tif = tiff_bytes(stack(3, (8, 8), 'uint8'), bigtiff=True)
    gif = ndcodecs.mimwrite('<bytes>', stack(3, (8, 8), 'uint8'), format='gif')
    webp = ndcodecs.mimwrite('<bytes>', stack(3, (8, 8, 3), 'uint8'), format='webp')
    jpeg = ndcodecs.imwrite('<bytes>', rgb((8, 8, 3)), format='jpeg')
    parsers = [
        (tif, lambda d: headers.tiff_pages(lambda o, n: d[o:o + n], len(d))),
        (gif, headers.gif_frames),
        (webp, lambda d: headers.webp_info(lambda o, n: d[o:o + n], len(d))),
        (jpeg, lambda d: headers.jpeg_info(lambda o, n: d[o:o + n])),
    ]
    for seed, (data, parse) in enumerate(parsers):
        for mutated in mutations(data, 400, seed):
            try:
                parse(mutated)
            except ValueError:
                pass


@pytest.fixture
def no_full_decode(monkeypatch):
    """Make every multi-frame codec fail when asked for all frames at once."""
    for name in ('gif', 'apng', 'webp'):
        module = ndcodecs.get_codec(name)._module()
        decode = getattr(module, f'{name}_decode')

        def single(data, index=0, *, _decode=decode, **kwargs):
            if index is None:
                raise AssertionError('all frames were decoded')
            return _decode(data, index, **kwargs)

        monkeypatch.setattr(module, f'{name}_decode', single)


@pytest.mark.parametrize('name, shape', [
    ('gif', (16, 20)), ('apng', (16, 20, 3)), ('webp', (16, 20, 3)),
])
def test_counted_frames_without_decoding_all(name, shape, no_full_decode):
    if not ndcodecs.get_codec(name).available:
        pytest.skip(f'{name} is not available in this build')
    frames = stack(4, shape, 'uint8')
    # encoded before the fixture's patch matters: only decode is patched
    data = ndcodecs.mimwrite('<bytes>', frames, format=name)
    props = ndcodecs.improps(data, index=...)
    assert props.n_images == 4 and props.shape[:3] == (4, 16, 20)
    meta = ndcodecs.immeta(data)
    assert meta['frames'] == 4
    with ndcodecs.imopen(data) as reader:
        assert reader.n_frames == 4
        assert reader[3].shape[:2] == (16, 20)


def test_webp_still_image():
    data = ndcodecs.imwrite('<bytes>', rgb((16, 20, 3)), format='webp')
    assert ndcodecs.immeta(data)['frames'] == 1
    assert ndcodecs.improps(data, index=...).shape == (1, 16, 20, 3)


def test_jpeg_metadata():
    data = ndcodecs.imwrite('<bytes>', rgb((16, 20, 3)), format='jpeg')
    meta = ndcodecs.immeta(data)
    assert (meta['width'], meta['height'], meta['components']) == (20, 16, 3)
    assert meta['compression'] == 'jpeg baseline' and meta['exif'] is False
    pil = pytest.importorskip('PIL.Image', reason='Pillow writes a JPEG with EXIF')
    exif = pil.Exif()
    exif[0x010F] = 'camera maker'
    fh = io.BytesIO()
    pil.fromarray(rgb((16, 20, 3))).save(fh, 'jpeg', exif=exif)
    assert ndcodecs.immeta(fh.getvalue())['exif'] is True


def test_png_text_from_set_meta_data(tmp_path):
    path = tmp_path / 'x.png'
    with ndcodecs.io.get_writer(path) as writer:
        writer.set_meta_data({'Title': 'a title', 'Comment': 'naïve Ωmega'})
        writer.append_data(rgb())
    assert ndcodecs.immeta(path)['text'] == {'Title': 'a title', 'Comment': 'naïve Ωmega'}
    assert numpy.array_equal(ndcodecs.imread(path), rgb())
    with ndcodecs.io.get_reader(path) as reader:
        assert reader.get_meta_data()['text']['Title'] == 'a title'
    data = ndcodecs.io.mimwrite('<bytes>', stack(2, (8, 8, 3), 'uint8'), format='apng')
    writer = ndcodecs.io.get_writer('<bytes>', format='apng')
    writer.set_meta_data({'Software': 'test'})
    for frame in stack(2, (8, 8, 3), 'uint8'):
        writer.append_data(frame)
    data = writer.close()
    assert ndcodecs.immeta(data)['text'] == {'Software': 'test'}
    assert ndcodecs.immeta(data)['codec'] == 'apng'
    with pytest.raises(ValueError, match='key'):
        with ndcodecs.io.get_writer('<bytes>', format='png') as writer:
            writer.set_meta_data({'': 'empty key'})
            writer.append_data(rgb())

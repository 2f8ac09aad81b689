"""Fuzz every decoder in the registry with mutated valid streams.

Seeds are valid streams made by each codec's own encoder (or given in
SEEDS for decode-only codecs); mutations flip bits, overwrite bytes with
boundary values, truncate, extend, repeat and splice. A decoder may return
a result or raise its own error; anything else is a finding, and a crash
kills the process, which is why tests run this in a subprocess.

    python tests/fuzz/fuzz.py [--codec NAME ...] [--seconds S | --iterations N] [--seed K]
    python tests/fuzz/fuzz.py --atheris --codec NAME   # coverage-guided, needs atheris
"""

from __future__ import annotations

import argparse
import random
import struct
import sys
import time

import numpy

import ndcodecs

# Decoders never produce more than this while fuzzing.
MAX_OUTPUT = 64 << 20

# Valid streams for codecs whose encoders take no bytes; module-level so tests can add.
SEEDS: dict[str, list[bytes]] = {
    'bfloat16': [numpy.linspace(-3, 3, 100, dtype=numpy.float32).view(numpy.uint16)[1::2].tobytes()],
    'float24': [bytes(range(256)) * 3],
    'packints': [bytes(range(256)) * 3],
}

def _zfp_seeds() -> list[bytes]:
    """ZFP streams of float and int arrays, 1-D to 4-D, in every mode."""
    if not ndcodecs.get_codec('zfp').available:
        return []
    rng = numpy.random.default_rng(1)
    y, x = numpy.mgrid[:24, :40]
    smooth = numpy.sin(x / 5.0) * numpy.cos(y / 7.0) * 100
    arrays = [
        smooth.astype(numpy.float32), smooth[:7, :9],
        rng.normal(0, 1000, 37).astype(numpy.float32),
        rng.integers(-(2**31), 2**31, (3, 5, 7), numpy.int32),
        rng.integers(-(2**40), 2**40, (2, 3, 4, 5), numpy.int64),
        smooth.reshape(2, 3, 4, 40),
    ]
    modes = [{}, {'tolerance': 1e-2}, {'rate': 5}, {'precision': 12},
             {'mode': 'expert', 'level': (8, 200, 20, 0)}]
    return [bytes(ndcodecs.zfp_encode(a, **m)) for a in arrays for m in modes
            if 'tolerance' not in m or a.dtype.kind == 'f']


SEEDS['zfp'] = _zfp_seeds()


def _lerc_seeds() -> list[bytes]:
    """LERC blobs of every data type, bands and depth, masks, versions and
    error bounds, raw and zstd/zlib wrapped."""
    if not ndcodecs.get_codec('lerc').available:
        return []
    rng = numpy.random.default_rng(2)
    y, x = numpy.mgrid[:12, :17]
    smooth = numpy.sin(x / 5.0) * numpy.cos(y / 7.0) * 100
    masks = numpy.ones((12, 17), bool)
    masks[3, 4:9] = False
    seeds = []
    for dtype in ('int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64'):
        seeds.append(ndcodecs.lerc_encode(smooth.astype(dtype)))
        seeds.append(ndcodecs.lerc_encode(smooth.astype(dtype), masks=masks))
    data = rng.normal(0, 100, (3, 12, 17)).astype(numpy.float32)
    seeds += [
        ndcodecs.lerc_encode(data),
        ndcodecs.lerc_encode(data, planar=True, masks=numpy.stack([masks, ~masks, masks])),
        ndcodecs.lerc_encode(data, level=0.5, planar=True),
        ndcodecs.lerc_encode(data[None], level=0.01, masks=masks[:3, :12]),
        ndcodecs.lerc_encode(smooth, version=2, level=0.1),
        ndcodecs.lerc_encode(smooth, version=3, masks=masks),
        ndcodecs.lerc_encode(smooth, version=-1),
        ndcodecs.lerc_encode(smooth.astype(numpy.int16), level=2, version=5),
        ndcodecs.lerc_encode(smooth, compression='zstd'),
        ndcodecs.lerc_encode(smooth, compression='deflate'),
    ]
    return seeds


SEEDS['lerc'] = _lerc_seeds()


def _rcomp_seeds() -> list[bytes]:
    """Rice streams of 64x64 uint16 arrays: random, constant, sparse, steps."""
    if not ndcodecs.get_codec('rcomp').available:
        return []
    rng = numpy.random.default_rng(2)
    sparse = numpy.zeros((64, 64), numpy.uint16)
    sparse[::9, ::7] = 65535
    arrays = [
        rng.integers(0, 65536, (64, 64), numpy.uint16),
        numpy.full((64, 64), 1234, numpy.uint16),
        sparse,
        rng.integers(-3, 4, (64, 64)).astype(numpy.uint16),
    ]
    return [ndcodecs.rcomp_encode(a) for a in arrays]


SEEDS['rcomp'] = _rcomp_seeds()


def _eer_seeds() -> list[bytes]:
    """EER frames of 7-bit runs and 2+2-bit subpixels (DECODE_ARGS['eer'])."""
    rng = random.Random(3)
    seeds = []
    for nbytes, longrun in ((64, 0.0), (256, 0.05), (1024, 0.01)):
        acc = nbits = 0
        while nbits < nbytes * 8:
            rle = rng.randrange(128) if rng.random() < longrun else rng.randrange(6)
            acc |= rle << nbits
            nbits += 7
            if rle != 127:
                acc |= rng.randrange(16) << nbits
                nbits += 4
        seeds.append((acc & ((1 << (nbytes * 8)) - 1)).to_bytes(nbytes, 'little'))
    return seeds


SEEDS['eer'] = _eer_seeds()

def _dds_file(width, height, blocks, fourcc=b'DXT1', dxgi=None, mipmaps=0, depth=0, arraysize=1) -> bytes:
    """A DDS file of `blocks` with a legacy FourCC or a DX10 header."""
    flags = 0x1007 | (0x20000 if mipmaps else 0) | (0x800000 if depth else 0)
    pixelformat = struct.pack('<II4s5I', 32, 4, b'DX10' if dxgi is not None else fourcc, 0, 0, 0, 0, 0)
    data = b'DDS ' + struct.pack('<7I44x', 124, flags, height, width, 0, depth, mipmaps) + pixelformat
    data += struct.pack('<5I', 0x1000, 0x200000 if depth else 0, 0, 0, 0)
    if dxgi is not None:
        data += struct.pack('<5I', dxgi, 3, 0, arraysize, 0)
    return data + blocks


def _dds_seeds() -> list[bytes]:
    """DDS files of every BCn format, with mipmaps, volumes and arrays."""
    rng = random.Random(4)
    blocks = rng.randbytes(16 * 64)
    seeds = [_dds_file(16, 8, blocks[:64], fourcc) for fourcc in (b'DXT1', b'ATI1', b'BC4U', b'BC4S')]
    seeds += [_dds_file(12, 8, blocks[:96], fourcc) for fourcc in (b'DXT3', b'DXT5', b'ATI2', b'BC5U', b'BC5S')]
    seeds += [_dds_file(8, 8, blocks[:64], dxgi=dxgi) for dxgi in (71, 74, 77, 80, 81, 83, 84, 95, 96, 98)]
    seeds += [
        _dds_file(8, 8, blocks[:64], mipmaps=4),
        _dds_file(8, 8, blocks[:16 * 12], b'DXT5', depth=3),
        _dds_file(8, 8, blocks[:16 * 12], dxgi=98, arraysize=3),
        _dds_file(6, 5, blocks[:16 * 4], dxgi=97),
    ]
    return seeds


SEEDS['dds'] = _dds_seeds()
SEEDS['bcn'] = [random.Random(5).randbytes(64)]


def _tiff_seeds() -> list[bytes]:
    """Small TIFFs: strips and tiles, planar, compressed, BigTIFF, pages."""
    try:
        import tifffile
    except ImportError:
        return []
    import io

    rng = numpy.random.default_rng(6)
    rgb = rng.integers(0, 256, (2, 20, 24, 3), numpy.uint8)
    cases = [
        (rgb, {'photometric': 'rgb'}),
        (rgb[0], {'photometric': 'rgb', 'tile': (16, 16), 'compression': 'zlib'}),
        (rgb[0].transpose(2, 0, 1).copy(), {'photometric': 'rgb', 'planarconfig': 'separate', 'compression': 'lzw'}),
        (rgb[0].astype(numpy.uint16) * 5, {'photometric': 'rgb', 'compression': 'packbits', 'rowsperstrip': 4}),
        (rgb[0, :, :, 0].astype(numpy.float32), {'compression': 'zlib', 'predictor': 3, 'bigtiff': True}),
        (rgb[0, :, :, 0] > 128, {}),
        (rgb[0, :, :, 0].astype(numpy.int16), {'byteorder': '>', 'compression': 'zstd'}),
        (rgb[:, :, :, 0], {'photometric': 'minisblack', 'compression': 'lzma', 'tile': (16, 16)}),
    ]
    seeds = []
    for data, kwargs in cases:
        buf = io.BytesIO()
        try:
            tifffile.imwrite(buf, data, **kwargs)
        except Exception:  # a compression tifffile cannot write here
            continue
        seeds.append(buf.getvalue())
    return seeds


SEEDS['tiff'] = _tiff_seeds()


def _bmp_file(width, height, bpp, pixels, palette=b'', compression=0, extra=b'', header=40):
    """A BMP of packed `pixels`, with a palette of BGR0 (BGR for header 12)."""
    import struct
    if header == 12:
        info = struct.pack('<IHHHH', 12, width, height, 1, bpp)
    else:
        info = struct.pack('<IiiHHIIiiII', header, width, height, 1, bpp, compression,
                           len(pixels), 2835, 2835, 0, 0) + extra
        info += bytes(header + len(extra) - len(info)) if header > 40 else b''
    offset = 14 + len(info) + len(palette)
    return b'BM' + struct.pack('<IHHI', offset + len(pixels), 0, 0, offset) + info + palette + pixels


def _bmp_seeds() -> list[bytes]:
    """BMPs the encoder does not write: 1, 4 and 16 bit, RLE4 and RLE8,
    bit fields, BITMAPCOREHEADER and V5 headers."""
    import struct
    pal16 = bytes(b for i in range(16) for b in (i * 16, 255 - i * 16, i * 3, 0))
    pal256 = bytes(b for i in range(256) for b in (i, 255 - i, i // 2, 0))
    rle8 = bytes([3, 7, 0, 4, 1, 2, 3, 9, 0, 0, 0, 2, 1, 1, 2, 5, 0, 0, 5, 200, 0, 1])
    rle4 = bytes([5, 0x12, 0, 5, 0x34, 0x56, 0x70, 0, 0, 0, 0, 2, 2, 1, 3, 0xAB, 0, 1])
    return [
        _bmp_file(10, 3, 1, bytes(range(12)), bytes([0, 0, 0, 0, 255, 255, 255, 0])),
        _bmp_file(9, 4, 4, bytes(range(32)), pal16),
        _bmp_file(8, 4, 8, rle8, pal256, compression=1),
        _bmp_file(8, 4, 4, rle4, pal16, compression=2),
        _bmp_file(5, 2, 16, bytes(range(24)), extra=struct.pack('<3I', 0xF800, 0x7E0, 0x1F), compression=3),
        _bmp_file(3, 2, 32, bytes(range(24)), compression=3, header=124,
                  extra=struct.pack('<4I', 0xFF0000, 0xFF00, 0xFF, 0xFF000000)),
        _bmp_file(4, 2, 16, bytes(range(16))),
        _bmp_file(4, 3, 24, bytes(range(48)), header=12),
        _bmp_file(4, 3, 8, bytes(range(12)), bytes(range(48)), header=12),
    ]


SEEDS['bmp'] = _bmp_seeds()


def _rgbe_seeds() -> list[bytes]:
    """Radiance files, run-length encoded and flat, and headerless pixels."""
    if not ndcodecs.get_codec('rgbe').available:
        return []
    y, x = numpy.mgrid[:6, :40]
    image = numpy.stack([numpy.sin(x / 5.0) ** 2 * 10, y / 3.0, x * y / 50.0], axis=-1).astype(numpy.float32)
    image[2, 5:30] = 1.0
    return [
        ndcodecs.rgbe_encode(image),
        ndcodecs.rgbe_encode(image, rle=False),
        ndcodecs.rgbe_encode(image[:, :5]),
        b'#?RADIANCE\nEXPOSURE=1\n\n+X 3 -Y 2\n' + bytes(range(24)),
    ]


SEEDS['rgbe'] = _rgbe_seeds()


def _dicomrle_seeds() -> list[bytes]:
    """DICOM RLE frames of 2, 4 and 6 PackBits segments (DECODE_ARGS['dicomrle'])."""
    import struct

    def frame(*segments):
        offsets, pos = [], 64
        for seg in segments:
            offsets.append(pos)
            pos += len(seg)
        return struct.pack('<16I', len(segments), *offsets, *[0] * (15 - len(segments))) + b''.join(segments)

    literal = bytes([5, 1, 2, 3, 4, 5, 6])
    run = bytes([0xFB, 9, 0x80, 0])
    mixed = bytes([1, 7, 8, 0xFD, 3, 0])
    return [frame(literal, run), frame(run, literal, mixed, mixed), frame(*[mixed] * 6)]


SEEDS['dicomrle'] = _dicomrle_seeds()


def _gif_seeds() -> list[bytes]:
    """GIF animations: encoder output spliced with graphic control extensions
    (disposal, transparency), offsets, a local color table and interlacing."""
    if not ndcodecs.get_codec('gif').available:
        return []
    rng = numpy.random.default_rng(4)
    big = ndcodecs.gif_encode(rng.integers(0, 8, (20, 30), numpy.uint8))
    small = ndcodecs.gif_encode(rng.integers(0, 256, (9, 7), numpy.uint8))
    # the encoder writes a 781-byte header with a global table of 256 colors
    head, first, block = big[:781], big[781:-1], small[781:-1]
    moved = bytearray(block)
    moved[1:5] = b'\x05\x00\x03\x00'  # left 5, top 3
    moved[9] |= 0x40  # interlaced
    local = bytearray(block[:10])
    local[9] = 0x81  # a local table of 4 colors
    local += bytes(range(12)) + block[10:]
    seeds = []
    for disposal in range(5):
        for transparent in (None, 3):
            gce = b'!\xf9\x04' + bytes([disposal << 2 | (transparent is not None), 10, 0, transparent or 0, 0])
            seeds.append(head + gce + first + gce + bytes(moved) + gce + bytes(local) + b';')
    seeds.append(ndcodecs.gif_encode(rng.integers(0, 256, (3, 16, 16), numpy.uint8),
                                     colormap=rng.integers(0, 256, (256, 3), numpy.uint8)))
    return seeds


SEEDS['gif'] = _gif_seeds()


def _webp_seeds() -> list[bytes]:
    """WebP animations, lossless and lossy, with and without alpha."""
    if not ndcodecs.get_codec('webp').available:
        return []
    rng = numpy.random.default_rng(5)
    y, x = numpy.mgrid[:24, :32]
    base = numpy.stack([x * 8, y * 10, (x + y) * 4, x * 9 % 256], axis=-1).astype(numpy.uint8)
    frames = numpy.stack([numpy.roll(base, 3 * i, 1) for i in range(3)])
    frames[1, 5:9, 5:9] = rng.integers(0, 256, (4, 4, 4), numpy.uint8)
    return [
        ndcodecs.webp_encode(frames),
        ndcodecs.webp_encode(frames[..., :3], lossless=False),
        ndcodecs.webp_encode(frames, 50, lossless=False),
        ndcodecs.webp_encode(base, 30, lossless=False, method=0),
    ]


SEEDS['webp'] = _webp_seeds()


def _exr_seeds() -> list[bytes]:
    """OpenEXR files of half, float and uint32 images, Y to RGBA, in every
    compression OpenEXRCore writes, scanline and tiled."""
    if not ndcodecs.get_codec('exr').available:
        return []
    y, x = numpy.mgrid[:19, :23]
    smooth = numpy.sin(x / 5.0) * numpy.cos(y / 7.0) * 100
    seeds = []
    for dtype, samples in (('float16', 3), ('float32', 1), ('uint32', 4), ('float16', 2)):
        data = numpy.dstack([smooth] * samples).astype(dtype)
        for compression in ('none', 'rle', 'zips', 'zip', 'piz', 'pxr24'):
            seeds.append(ndcodecs.exr_encode(data, compression=compression))
        seeds.append(ndcodecs.exr_encode(data, compression='zip', tile=(8, 16)))
    return seeds


SEEDS['exr'] = _exr_seeds()


def _heif_seeds() -> list[bytes]:
    """HEIF files of every encoder plugin libheif has (HEVC, AV1), lossy
    and lossless, RGB, RGBA, and AVIF files through libavif."""
    seeds = []
    y, x = numpy.mgrid[:24, :32]
    image = (128 + 100 * numpy.sin(x / 5.0) * numpy.cos(y / 7.0)).astype(numpy.uint8)
    rgb = numpy.dstack([image, image[::-1], 255 - image])
    if ndcodecs.get_codec('heif').available:
        for compression in ndcodecs.HEIF.encoders:
            for level in (50, 100):
                seeds.append(ndcodecs.heif_encode(rgb, level, compression=compression))
            seeds.append(ndcodecs.heif_encode(numpy.dstack([rgb, image]), compression=compression))
    if ndcodecs.get_codec('avif').available:
        seeds.append(ndcodecs.avif_encode(rgb, 60))
    return seeds


SEEDS['heif'] = _heif_seeds()


def _avif_seeds() -> list[bytes]:
    """AVIF lossy 4:2:0 and 4:4:4, 10 and 12 bit, gray with alpha, and a
    three-frame sequence."""
    if not ndcodecs.get_codec('avif').available:
        return []
    y, x = numpy.mgrid[:24, :32]
    image = (128 + 100 * numpy.sin(x / 5.0) * numpy.cos(y / 7.0)).astype(numpy.uint8)
    rgb = numpy.dstack([image, image[::-1], 255 - image])
    return [
        ndcodecs.avif_encode(rgb, 50, pixelformat='420', speed=9),
        ndcodecs.avif_encode(numpy.dstack([rgb, image]), 80, speed=9),
        ndcodecs.avif_encode(rgb.astype(numpy.uint16) * 4, 70, bitspersample=10, speed=9),
        ndcodecs.avif_encode(image.astype(numpy.uint16) * 16, bitspersample=12, speed=9),
        ndcodecs.avif_encode(numpy.dstack([image, image[::-1]]), speed=9),
        ndcodecs.avif_encode(numpy.stack([rgb, rgb[::-1], rgb[:, ::-1]]), 60, speed=9),
    ]


SEEDS['avif'] = _avif_seeds()


def _jpeg2000_seeds() -> dict[str, list[bytes]]:
    """JPEG 2000, HTJ2K and JPEG-LS streams in their other modes: J2K
    codestreams, tiles, lossy layers, progressions, 16-bit and signed
    samples, interleave modes, near-lossless."""
    y, x = numpy.mgrid[:40, :56]
    gray = (128 + 100 * numpy.sin(x / 5.0) * numpy.cos(y / 7.0)).astype(numpy.uint8)
    rgb = numpy.dstack([gray, gray[::-1], gray[:, ::-1]])
    deep = gray.astype(numpy.uint16) * 251
    found: dict[str, list[bytes]] = {}
    if ndcodecs.get_codec('jpeg2k').available:
        enc = ndcodecs.jpeg2k_encode
        found['jpeg2k'] = [
            enc(gray, codecformat='j2k'), enc(rgb, level=35), enc(rgb, level=[25, 35, 45]),
            enc(deep, tile=(16, 24), codecformat='j2k'), enc(gray.astype(numpy.int8), reversible=False),
            enc(rgb, progression='CPRL', codeblock=(16, 32), resolutions=3),
            enc(numpy.dstack([rgb, gray]), planar=False, mct=False),
        ]
    if ndcodecs.get_codec('htj2k').available:
        enc = ndcodecs.htj2k_encode
        found['htj2k'] = [
            enc(gray), enc(rgb, level=0.02), enc(deep, tile=(16, 24)),
            enc(gray.astype(numpy.int16) - 100, resolutions=2), enc(rgb, reversible=False, rgb=False),
        ]
    if ndcodecs.get_codec('jpegls').available:
        enc = ndcodecs.jpegls_encode
        found['jpegls'] = [
            enc(gray), enc(rgb, interleave='none'), enc(rgb, interleave='line', level=2),
            enc(deep >> 4, bitspersample=12), enc(numpy.dstack([rgb, gray]), level=1),
        ]
    return found


SEEDS.update(_jpeg2000_seeds())


def _jpegxl_seeds() -> list[bytes]:
    """JPEG XL streams: lossless and lossy, every precision, alpha, frames,
    extra channels, the container, and a transcoded JPEG."""
    if not ndcodecs.get_codec('jpegxl').available:
        return []
    y, x = numpy.mgrid[:24, :20]
    smooth = 0.5 + 0.4 * numpy.sin(x / 4.0) * numpy.cos(y / 5.0)
    rgb = numpy.dstack([smooth, smooth[::-1], 1 - smooth])
    image8 = (rgb * 255).astype(numpy.uint8)
    seeds = [
        ndcodecs.jpegxl_encode(image8),
        ndcodecs.jpegxl_encode(image8, level=80),
        ndcodecs.jpegxl_encode(image8[..., 0], distance=3, effort=3),
        ndcodecs.jpegxl_encode((rgb * 65535).astype(numpy.uint16), usecontainer=True),
        ndcodecs.jpegxl_encode((smooth * 4095).astype(numpy.uint16), bitspersample=12),
        ndcodecs.jpegxl_encode(numpy.dstack([rgb, smooth]).astype(numpy.float16)),
        ndcodecs.jpegxl_encode(rgb.astype(numpy.float32), distance=1),
        ndcodecs.jpegxl_encode(numpy.stack([image8, image8[::-1], 255 - image8])),
        ndcodecs.jpegxl_encode(numpy.stack([image8[..., 0]] * 3), planar=True),
        ndcodecs.jpegxl_encode(numpy.dstack([image8[..., :1], image8[..., :1]])),
    ]
    if ndcodecs.has_codec('jpeg8') and ndcodecs.get_codec('jpeg8').available:
        seeds.append(ndcodecs.jpegxl_encode_jpeg(ndcodecs.jpeg8_encode(image8)))
    return [bytes(s) for s in seeds]


SEEDS['jpegxl'] = _jpegxl_seeds()


def _jpegxr_seeds() -> list[bytes]:
    """JPEG XR images of every pixel format the encoder writes, lossless and lossy."""
    if not ndcodecs.get_codec('jpegxr').available:
        return []
    y, x = numpy.mgrid[:24, :40]
    smooth = 0.5 + 0.4 * numpy.sin(x / 4.0) * numpy.cos(y / 5.0)
    rgba = numpy.dstack([smooth, smooth[::-1], 1 - smooth, smooth.T[:24, :24].repeat(2, 1)[:, :40]])
    seeds = []
    for dtype, top in (('uint8', 255), ('uint16', 65535), ('float16', 1), ('float32', 1)):
        data = (rgba * top).astype(dtype)
        seeds += [ndcodecs.jpegxr_encode(data[..., 0]), ndcodecs.jpegxr_encode(data[..., :3]),
                  ndcodecs.jpegxr_encode(data), ndcodecs.jpegxr_encode(data[..., :3], level=0.5)]
    data = (numpy.dstack([rgba, smooth]) * 255).astype(numpy.uint8)
    seeds += [ndcodecs.jpegxr_encode(data), ndcodecs.jpegxr_encode(data[..., :4], photometric='CMYK'),
              ndcodecs.jpegxr_encode(smooth > 0.5), ndcodecs.jpegxr_encode(data[..., :3], level=0.2)]
    return [bytes(s) for s in seeds]


SEEDS['jpegxr'] = _jpegxr_seeds()


# Arguments (positional, keyword) of decoders that need more than the data.
DECODE_ARGS: dict[str, tuple[tuple, dict]] = {
    'packints': (('uint16', 12), {}),
    'pcodec': ((), {'dtype': 'uint16'}),
    'szip': ((), {'header': True}),
    'rcomp': (((64, 64), 'uint16'), {}),
    'eer': (((64, 64), 7, 2, 2), {'superres': 1}),
    'bcn': ((7,), {'shape': (8, 8, 4)}),
    'tiff': ((), {'index': None}),
    'dicomrle': (('<u2',), {}),
    'webp': ((None,), {}),
}

# Arguments of encoders whose seeds need more than the data.
ENCODE_ARGS: dict[str, dict] = {'szip': {'header': True}}


def _jpeg_seeds() -> dict[str, list[bytes]]:
    """Lossless JPEG of every component count and several precisions and
    predictors; progressive, optimized, restart-interval and YCCK JPEG."""
    if not ndcodecs.get_codec('ljpeg').available:
        return {}
    rng = numpy.random.default_rng(2)
    y, x = numpy.mgrid[:24, :20]
    smooth = 1000 + 800 * numpy.sin(x / 4.0) * numpy.cos(y / 5.0)
    lossless = []
    for bits, pred, comps in ((16, 1, 1), (12, 7, 2), (8, 4, 3), (10, 6, 4), (2, 1, 1), (14, 5, 3)):
        data = (smooth[..., None] * numpy.linspace(0.5, 1, comps) + rng.normal(0, 5, (24, 20, comps))).astype(numpy.uint16)
        data = data >> max(0, 11 - bits) & ((1 << bits) - 1)
        data = data.astype(numpy.uint8 if bits <= 8 else numpy.uint16)
        lossless.append(bytes(ndcodecs.ljpeg_encode(data, bitspersample=bits, predictor=pred)))
    seeds = {'jpegsof3': lossless, 'ljpeg': list(lossless), 'jpeg': list(lossless)}
    if ndcodecs.get_codec('jpeg8').available:
        image = (smooth / 8).astype(numpy.uint8)
        rgb = numpy.dstack([image, image[::-1], 255 - image])
        lossy = [
            ndcodecs.jpeg8_encode(rgb, progressive=True),
            ndcodecs.jpeg8_encode(rgb, restartinterval=2, subsampling='422'),
            ndcodecs.jpeg8_encode(image, optimize=True, progressive=True),
            ndcodecs.jpeg8_encode(numpy.dstack([rgb, image]), outcolorspace='YCCK', colorspace='CMYK'),
        ]
        seeds['jpeg8'] = lossy
        seeds['jpeg'] += lossy
    return seeds


SEEDS.update(_jpeg_seeds())


def _png_seeds() -> dict[str, list[bytes]]:
    """PNGs of every filter and a zlib strategy; APNGs of several frames,
    and one with cropped, blended and disposed frames written by Pillow."""
    if not ndcodecs.get_codec('png').available:
        return {}
    rng = numpy.random.default_rng(4)
    rgb = rng.integers(0, 256, (12, 9, 3), numpy.uint8) // 32 * 32
    gray16 = rng.integers(0, 65536, (7, 5), numpy.uint16)
    png = [ndcodecs.png_encode(rgb, filter=f) for f in (8, 16, 32, 64, 128)]
    png += [ndcodecs.png_encode(gray16, strategy=1), ndcodecs.png_encode(rgb[..., :2], 0)]
    apng = [
        ndcodecs.apng_encode(numpy.stack([rgb, rgb[::-1], rgb // 2])),
        ndcodecs.apng_encode(numpy.stack([gray16, gray16[::-1]]), delay=[5, 9]),
    ]
    try:
        import io

        from PIL import Image
    except ImportError:
        return {'png': png, 'apng': apng}
    frames = []
    for i in range(3):
        rgba = numpy.dstack([rgb, numpy.full((12, 9), 127 * i, numpy.uint8)])
        rgba[:3 * i] = 0
        frames.append(Image.fromarray(rgba, 'RGBA'))
    for disposal, blend in ((1, 1), (2, 0)):
        buffer = io.BytesIO()
        frames[0].save(buffer, 'PNG', save_all=True, append_images=frames[1:], disposal=disposal, blend=blend)
        apng.append(buffer.getvalue())
    return {'png': png, 'apng': apng}


SEEDS.update(_png_seeds())


def _payloads() -> list:
    """Return bytes for compressors and small arrays for image codecs."""
    rng = numpy.random.default_rng(0)
    y, x = numpy.mgrid[:64, :64]
    image = 1000 + 500 * numpy.sin(x / 5.0) * numpy.cos(y / 7.0) + rng.normal(0, 10, (64, 64))
    image16 = image.astype(numpy.uint16)
    image8 = (image16 >> 4).astype(numpy.uint8)
    return [
        b'',
        b'a',
        b'hello hello hello hello world',
        bytes(1000),
        image16.tobytes(),
        rng.integers(0, 256, 3000, numpy.uint8).tobytes(),
        b'abcdefgh' * 2000,
        image8,
        image16,
        numpy.stack([image8, image8[::-1], image8.T], axis=-1),
        numpy.dstack([image8] * 4)[:5, :7],
    ]


def seeds(codec) -> list[bytes]:
    """Return valid streams for `codec`."""
    found = list(SEEDS.get(codec.name, []))
    if codec.can_encode:
        for data in _payloads():
            try:
                found.append(bytes(codec.encode(data, **ENCODE_ARGS.get(codec.name, {}))))
            except (TypeError, ValueError, ndcodecs.CodecError):
                pass  # e.g. an image codec given bytes
    return [s for s in found if s]


_INTERESTING = (0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE)


def mutate(data: bytes, rng: random.Random, pool: list[bytes]) -> bytes:
    """Return a mutated copy of `data`."""
    buf = bytearray(data)
    for _ in range(rng.choice((1, 1, 1, 2, 4, 8))):
        op = rng.randrange(9)
        n = len(buf)
        if op == 0 and n:
            i = rng.randrange(n)
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1 and n:
            buf[rng.randrange(n)] = rng.choice(_INTERESTING)
        elif op == 2 and n:
            del buf[rng.randrange(n):]
        elif op == 3:
            buf[rng.randrange(n + 1):rng.randrange(n + 1)] = rng.randbytes(rng.randrange(1, 16))
        elif op == 4 and n > 1:
            i = rng.randrange(n)
            del buf[i:i + rng.randrange(1, 32)]
        elif op == 5 and n:
            i = rng.randrange(n)
            buf[i:i] = buf[i:i + rng.randrange(1, 64)] * rng.randrange(1, 4)
        elif op == 6 and pool:
            other = rng.choice(pool)
            buf = buf[:rng.randrange(n + 1)] + other[rng.randrange(len(other) + 1):]
        elif op == 7 and n >= 4:
            # a size field set to a large value, wherever it may be
            i = rng.randrange(n - 3)
            buf[i:i + 4] = rng.choice((b'\xff\xff\xff\x7f', b'\x7f\xff\xff\xff', b'\x00\x00\x00\x80'))
        elif op == 8:
            buf = bytearray(rng.randbytes(rng.randrange(64)))
    return bytes(buf)


def decode_one(codec, data: bytes):
    """Decode `data`; return None or the unexpected exception."""
    args, kwargs = DECODE_ARGS.get(codec.name, ((), {}))
    try:
        try:
            codec.decode(data, *args, max_output=MAX_OUTPUT, **kwargs)
        except TypeError as exc:
            if 'max_output' not in str(exc):
                raise
            codec.decode(data, *args, **kwargs)
    except codec.error:
        return None
    except Exception as exc:  # a finding: decoders raise their own error only
        return exc
    return None


def fuzz(codec, *, iterations=None, seconds=None, seed=0, log=print) -> list[str]:
    """Fuzz one codec; return descriptions of findings."""
    pool = seeds(codec)
    rng = random.Random(seed)
    findings = []
    if not pool:
        pool = [b'\x00']
    deadline = time.monotonic() + seconds if seconds else None
    slowest = (0.0, b'')
    count = 0
    while True:
        if iterations is not None and count >= iterations:
            break
        if deadline is not None and time.monotonic() > deadline:
            break
        data = mutate(rng.choice(pool), rng, pool)
        start = time.perf_counter()
        exc = decode_one(codec, data)
        elapsed = time.perf_counter() - start
        if elapsed > slowest[0]:
            slowest = (elapsed, data)
        if exc is not None:
            findings.append(f'{codec.name}: {type(exc).__name__}: {exc} on input {data[:64]!r}...')
            if len(findings) >= 10:
                break
        count += 1
    log(f'{codec.name}: {count} inputs, {len(pool)} seeds, slowest {slowest[0] * 1e3:.1f} ms, {len(findings)} findings')
    if slowest[0] > 2.0:
        findings.append(f'{codec.name}: an input took {slowest[0]:.1f} s: {slowest[1][:64]!r}')
    return findings


def decoders(names=None):
    """Return the available codecs that can decode, optionally by name."""
    result = []
    for name in names or ndcodecs.list_codecs():
        codec = ndcodecs.get_codec(name)
        if codec.can_decode and codec.available and codec.name not in ('none',):
            result.append(codec)
    return result


def _atheris(codec) -> None:
    import atheris

    def target(data: bytes) -> None:
        exc = decode_one(codec, data)
        if exc is not None:
            raise exc

    argv = [sys.argv[0], '-max_len=65536']
    atheris.Setup(argv, target)
    atheris.Fuzz()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--codec', action='append', help='codec name (repeatable); default all')
    parser.add_argument('--seconds', type=float, help='total time, shared by the codecs')
    parser.add_argument('--iterations', type=int, help='inputs per codec')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--atheris', action='store_true', help='coverage-guided fuzzing of one codec')
    args = parser.parse_args(argv)
    codecs = decoders(args.codec)
    if args.atheris:
        _atheris(codecs[0])
        return 0
    if args.seconds is None and args.iterations is None:
        args.iterations = 2000
    seconds = args.seconds / len(codecs) if args.seconds else None
    findings = []
    for codec in codecs:
        findings += fuzz(codec, iterations=args.iterations, seconds=seconds, seed=args.seed)
        sys.stdout.flush()
    for line in findings:
        print('FINDING', line)
    return 1 if findings else 0


if __name__ == '__main__':
    sys.exit(main())

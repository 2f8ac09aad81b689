"""Bounded parsers of file headers: what a file holds, without decoding pixels.

Each parser reads through a `read_at(offset, size)` callable, so that a
local file or a Range-capable URL is read only where needed, and raises
ValueError on anything malformed; every loop has a fixed bound, so that a
corrupt or hostile file cannot make them run long or allocate much.

- `tiff_pages`: the IFD chain of classic TIFF and BigTIFF, in both byte
  orders, with loop detection, and the tags of each page that matter here;
- `gif_frames`: the number of images in a GIF (by skipping data sub-blocks);
- `webp_info`: canvas size, animation flag and ANMF frame count;
- `jpeg_info`: size, components, process and EXIF presence from the markers.
"""

from __future__ import annotations

import struct

__all__ = ['TIFF_COMPRESSION', 'TiffPage', 'gif_frames', 'jpeg_info', 'tiff_pages', 'webp_info']

MAX_PAGES = 1 << 16
MAX_TAGS = 4096
MAX_VALUE = 1 << 16  # bytes of one tag value that are read

TIFF_COMPRESSION = {
    1: 'none', 2: 'ccittrle', 3: 'ccittfax3', 4: 'ccittfax4', 5: 'lzw', 6: 'ojpeg',
    7: 'jpeg', 8: 'adobe_deflate', 32773: 'packbits', 32946: 'deflate', 34676: 'sgilog',
    34712: 'jpeg2000', 34887: 'lerc', 34925: 'lzma', 50000: 'zstd', 50001: 'webp',
    50002: 'jpegxl', 52546: 'jpegxl',
}

# (size in bytes, struct code) of the TIFF field types
_TYPES = {
    1: (1, 'B'), 2: (1, 's'), 3: (2, 'H'), 4: (4, 'I'), 5: (8, 'II'), 6: (1, 'b'),
    7: (1, 'B'), 8: (2, 'h'), 9: (4, 'i'), 10: (8, 'ii'), 11: (4, 'f'), 12: (8, 'd'),
    13: (4, 'I'), 16: (8, 'Q'), 17: (8, 'q'), 18: (8, 'Q'),
}

# tags whose values are read; others are only counted
_TAGS = {
    254: 'subfiletype', 256: 'width', 257: 'length', 258: 'bitspersample',
    259: 'compression', 262: 'photometric', 270: 'description', 271: 'make',
    272: 'model', 277: 'samplesperpixel', 282: 'xresolution', 283: 'yresolution',
    284: 'planarconfig', 296: 'resolutionunit', 305: 'software', 306: 'datetime',
    317: 'predictor', 322: 'tilewidth', 323: 'tilelength', 338: 'extrasamples',
    339: 'sampleformat', 34665: 'exif_ifd',
}


class TiffPage(dict):
    """The tags of one IFD by name (see _TAGS), and `ntags`, the tag count."""

    def first(self, name: str, default=None):
        value = self.get(name, default)
        return value[0] if isinstance(value, tuple) and value else value


def tiff_header(read_at) -> tuple:
    """Return (byte order '<' or '>', is BigTIFF, offset of the first IFD)."""
    head = read_at(0, 16)
    if len(head) < 8 or head[:2] not in (b'II', b'MM'):
        raise ValueError('not a TIFF file')
    order = '<' if head[:2] == b'II' else '>'
    version = struct.unpack(order + 'H', head[2:4])[0]
    if version == 42:
        return order, False, struct.unpack(order + 'I', head[4:8])[0]
    if version == 43 and len(head) >= 16:
        size, zero, offset = struct.unpack(order + 'HHQ', head[4:16])
        if size != 8 or zero != 0:
            raise ValueError('invalid BigTIFF header')
        return order, True, offset
    raise ValueError(f'not a TIFF file (version {version})')


def _tag_value(read_at, order, big, entry: bytes, filesize):
    dtype, count = struct.unpack(order + ('HQ' if big else 'HI'), entry[2:12 if big else 8])
    if dtype not in _TYPES:
        return None
    size, code = _TYPES[dtype]
    nbytes = size * count
    if nbytes > MAX_VALUE:
        return None
    inline = 8 if big else 4
    field = entry[12:20] if big else entry[8:12]
    if nbytes <= inline:
        raw = field[:nbytes]
    else:
        offset = struct.unpack(order + ('Q' if big else 'I'), field)[0]
        if filesize is not None and offset + nbytes > filesize:
            raise ValueError('TIFF tag value beyond the end of the file')
        raw = read_at(offset, nbytes)
        if len(raw) < nbytes:
            raise ValueError('TIFF tag value truncated')
    if code == 's':
        return raw.split(b'\0', 1)[0].decode('latin1')
    values = struct.unpack(order + code * count, raw)
    if dtype in (5, 10):
        values = tuple(n / d if d else float('nan') for n, d in zip(values[::2], values[1::2]))
    return values


def tiff_pages(read_at, filesize=None, *, tags=True, strict=False,
               limit: int = MAX_PAGES) -> list[TiffPage]:
    """Return the pages of a TIFF file in IFD-chain order.

    With ``tags=False`` only the chain is walked (entries are not read).
    Raises ValueError on a malformed header or first IFD; a later malformed
    IFD, a loop, or more than `limit` pages end the chain, as in libtiff,
    unless `strict`. An IFD offset of 0 ends the chain.
    """
    order, big, offset = tiff_header(read_at)
    seen: set = set()
    pages: list[TiffPage] = []
    while offset:
        try:
            offset = _tiff_ifd(read_at, filesize, order, big, offset, seen, pages, tags, limit)
        except ValueError:
            if strict or not pages:
                raise
            break
    if not pages:
        raise ValueError('TIFF file has no IFD')
    return pages


def _tiff_ifd(read_at, filesize, order, big, offset, seen, pages, tags, limit) -> int:
    """Append the page of the IFD at `offset` to `pages`; return the next offset."""
    countsize, entrysize, nextsize = (8, 20, 8) if big else (2, 12, 4)
    if offset in seen:
        raise ValueError(f'TIFF IFD chain loops back to offset {offset}')
    if len(pages) >= limit:
        raise ValueError(f'TIFF file has more than {limit} pages')
    if offset < 8 or (filesize is not None and offset + countsize > filesize):
        raise ValueError(f'TIFF IFD offset {offset} outside the file')
    seen.add(offset)
    raw = read_at(offset, countsize)
    if len(raw) < countsize:
        raise ValueError('TIFF IFD truncated')
    count = struct.unpack(order + ('Q' if big else 'H'), raw)[0]
    if count == 0 or count > MAX_TAGS:
        raise ValueError(f'TIFF IFD holds {count} tags')
    start = offset + countsize
    page = TiffPage(ntags=count)
    if tags:
        entries = read_at(start, count * entrysize)
        if len(entries) < count * entrysize:
            raise ValueError('TIFF IFD truncated')
        for i in range(count):
            entry = entries[i * entrysize:(i + 1) * entrysize]
            code = struct.unpack(order + 'H', entry[:2])[0]
            name = _TAGS.get(code)
            if name is not None:
                page[name] = _tag_value(read_at, order, big, entry, filesize)
    raw = read_at(start + count * entrysize, nextsize)
    if len(raw) < nextsize:
        raise ValueError('TIFF IFD truncated')
    pages.append(page)
    return struct.unpack(order + ('Q' if big else 'I'), raw)[0]


def gif_frames(data, limit: int = MAX_PAGES) -> dict:
    """Return width, height and the number of images of a GIF in `data`."""
    data = memoryview(data)
    if bytes(data[:6]) not in (b'GIF87a', b'GIF89a') or len(data) < 13:
        raise ValueError('not a GIF file')
    width, height, flags = struct.unpack('<HHB', data[6:11])
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    frames = 0
    end = len(data)
    while True:
        if pos >= end:
            raise ValueError('GIF truncated')
        block = data[pos]
        if block == 0x3B:  # trailer
            break
        if block == 0x2C:  # image descriptor, then LZW data
            if pos + 11 > end:
                raise ValueError('GIF truncated')
            local = data[pos + 9]
            pos += 10 + (3 << ((local & 7) + 1) if local & 0x80 else 0) + 1
            frames += 1
            if frames > limit:
                raise ValueError(f'GIF has more than {limit} images')
        elif block == 0x21:  # extension: label, then sub-blocks
            pos += 2
        else:
            raise ValueError(f'invalid GIF block 0x{block:02x}')
        while True:  # data sub-blocks; each step advances, so this ends
            if pos >= end:
                raise ValueError('GIF truncated')
            size = data[pos]
            pos += 1 + size
            if size == 0:
                break
    if not frames:
        raise ValueError('GIF has no image')
    return {'width': width, 'height': height, 'frames': frames}


def webp_info(read_at, filesize=None, limit: int = MAX_PAGES) -> dict:
    """Return canvas size, whether animated, and frame count of a WebP file."""
    head = read_at(0, 12)
    if len(head) < 12 or head[:4] != b'RIFF' or head[8:12] != b'WEBP':
        raise ValueError('not a WebP file')
    riffsize = struct.unpack('<I', head[4:8])[0] + 8
    end = riffsize if filesize is None else min(riffsize, filesize)
    info = {'animated': False, 'frames': 0}
    pos = 12
    for _ in range(limit + 16):
        if pos + 8 > end:
            break
        chunk = read_at(pos, 8)
        if len(chunk) < 8:
            break
        fourcc, size = chunk[:4], struct.unpack('<I', chunk[4:])[0]
        if fourcc == b'VP8X':
            body = read_at(pos + 8, 10)
            if len(body) < 10:
                raise ValueError('WebP VP8X chunk truncated')
            info['animated'] = bool(body[0] & 2)
            info['alpha'] = bool(body[0] & 16)
            info['width'] = 1 + int.from_bytes(body[4:7], 'little')
            info['height'] = 1 + int.from_bytes(body[7:10], 'little')
        elif fourcc == b'ANMF':
            info['frames'] += 1
        elif fourcc in (b'VP8 ', b'VP8L') and not info['animated']:
            info['frames'] = 1
            info['lossless'] = fourcc == b'VP8L'
        pos += 8 + size + (size & 1)
    else:
        raise ValueError(f'WebP file has more than {limit} chunks')
    if not info['frames']:
        raise ValueError('WebP file has no image')
    return info


def jpeg_info(read_at, limit: int = 1024) -> dict:
    """Return size, components, process and EXIF presence of a JPEG from
    the markers before its first scan."""
    if read_at(0, 2) != b'\xff\xd8':
        raise ValueError('not a JPEG file')
    info = {'exif': False, 'icc_profile': False, 'jfif': False}
    pos = 2
    for _ in range(limit):
        marker = read_at(pos, 4)
        if len(marker) < 4 or marker[0] != 0xFF:
            raise ValueError('JPEG marker expected')
        code = marker[1]
        if code == 0xFF:  # fill byte
            pos += 1
            continue
        if code in (0xD9, 0xDA):  # end of image, start of scan
            break
        size = struct.unpack('>H', marker[2:])[0]
        if size < 2:
            raise ValueError('invalid JPEG segment length')
        if 0xC0 <= code <= 0xCF and code not in (0xC4, 0xC8, 0xCC):
            body = read_at(pos + 4, 6)
            if len(body) < 6:
                raise ValueError('JPEG frame header truncated')
            precision, height, width, components = struct.unpack('>BHHB', body)
            info.update(
                bits=precision, height=height, width=width, components=components,
                process={0xC0: 'baseline', 0xC1: 'extended', 0xC2: 'progressive',
                         0xC3: 'lossless'}.get(code, f'SOF{code - 0xC0}'),
            )
        elif code == 0xE1:
            info['exif'] = info['exif'] or read_at(pos + 4, 6) == b'Exif\0\0'
        elif code == 0xE2:
            info['icc_profile'] = info['icc_profile'] or read_at(pos + 4, 12) == b'ICC_PROFILE\0'
        elif code == 0xE0:
            info['jfif'] = info['jfif'] or read_at(pos + 4, 5) == b'JFIF\0'
        pos += 2 + size
    if 'width' not in info:
        raise ValueError('JPEG has no frame header before its scan')
    return info

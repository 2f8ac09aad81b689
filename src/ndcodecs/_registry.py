"""The codec registry: one entry per codec, from which every table derives.

Looking up a codec never imports its native module; that happens on first
use of a function, so that ``import ndcodecs`` stays light.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable, Iterable

from ._errors import DelayedImportError, error_class

__all__ = [
    'Codec',
    'KINDS',
    'codec_for_bytes',
    'codec_for_path',
    'get_codec',
    'has_codec',
    'list_codecs',
]

KINDS = ('compressor', 'image', 'array', 'filter', 'checksum')

FUNCTIONS = ('encode', 'decode', 'check', 'version')


class Codec:
    """A registered codec: what it is, where its functions live, what it can do.

    Parameters
    ----------
    name : str
        Function prefix, as in imagecodecs: ``zstd`` gives ``zstd_encode``.
    kind : str
        One of KINDS.
    module : str
        Module holding the functions, relative to the ndcodecs package.
    library : str
        What the module links, as named in messages, e.g. ``libzstd``.
    debian : str or None
        Debian package that enables the codec at build time.
    pypi : str or None
        Python package the codec module needs at run time, if any.
    unavailable : str or None
        Why the codec cannot be had at all (then `module` is never loaded).
    aliases, extensions : iterable of str
        Other names, and file extensions with their leading dot.
    magic : bytes prefixes, a callable(head) -> bool, or 'check'
        Recognizes the format from its first bytes; 'check' asks the
        module's ``X_check`` (loading the module) where prefixes are too weak.
    can_encode, can_decode, multiframe : bool
        Capabilities.
    dtypes : iterable of str
        For image codecs: the dtypes the encoder takes (empty: any).
    samples : iterable of int
        For image codecs: the samples per pixel the encoder takes, 1 for
        (height, width) arrays, 2 to 4 for a trailing samples axis.
    lossless : bool
        True if the default encoding decodes to the identical array.
    decode_args : dict
        Decoder keywords that give back what the encoder took, where the
        decoder's defaults differ (GIF decodes to RGB unless asrgb=False).
    exports : iterable of str
        Further public names the module provides.
    """

    __slots__ = (
        'name', 'kind', 'module', 'library', 'debian', 'aliases', 'extensions',
        '_magic', 'can_encode', 'can_decode', 'multiframe', 'exports',
        'description', 'pypi', 'unavailable', 'dtypes', 'samples', 'lossless',
        'decode_args', '_loaded', '_reason',
    )

    def __init__(
        self,
        name: str,
        kind: str,
        module: str,
        library: str,
        debian: str | None = None,
        *,
        aliases: Iterable[str] = (),
        extensions: Iterable[str] = (),
        magic: tuple[bytes, ...] | Callable[[bytes], bool] | str = (),
        can_encode: bool = True,
        can_decode: bool = True,
        multiframe: bool = False,
        dtypes: Iterable[str] = (),
        samples: Iterable[int] = (),
        lossless: bool = True,
        decode_args: dict | None = None,
        exports: Iterable[str] = (),
        description: str = '',
        pypi: str | None = None,
        unavailable: str | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f'invalid kind {kind!r}')
        self.name = name
        self.kind = kind
        self.module = module
        self.library = library
        self.debian = debian
        self.aliases = tuple(aliases)
        self.extensions = tuple(e.lower() for e in extensions)
        self._magic = magic
        self.can_encode = can_encode
        self.can_decode = can_decode
        self.multiframe = multiframe
        self.dtypes = tuple(dtypes)
        self.samples = tuple(samples)
        self.lossless = lossless
        self.decode_args = dict(decode_args or {})
        self.exports = tuple(exports)
        self.description = description
        self.pypi = pypi
        self.unavailable = unavailable
        self._loaded = None
        self._reason = None

    def __repr__(self) -> str:
        return f'<ndcodecs.Codec {self.name!r}>'

    def __reduce__(self):
        return get_codec, (self.name,)

    @property
    def error(self) -> type:
        """The codec's error class, e.g. ZstdError."""
        return error_class(self.name)

    def _module(self):
        """Return the loaded module, or None if it was not built."""
        if self._loaded is None:
            with _lock:
                if self._loaded is None and self.unavailable:
                    self._reason = f'{self.name} is not available: {self.unavailable}'
                    self._loaded = False
                elif self._loaded is None:
                    try:
                        self._loaded = importlib.import_module(
                            self.module, __package__
                        )
                    except ImportError as exc:
                        self._reason = self._missing(exc)
                        self._loaded = False
        return self._loaded or None

    def _missing(self, exc: ImportError) -> str:
        if self.debian:
            msg = (
                f'{self.name} is not available: {self.library} was not found when '
                f'ndcodecs was built (apt install {self.debian}, then rebuild)'
            )
        elif self.pypi:
            msg = (
                f'{self.name} is not available: it needs the Python package '
                f'{self.pypi} (pip install {self.pypi})'
            )
        else:
            msg = f'{self.name} is not available: its module {self.module} was not built'
        if os.environ.get('NDCODECS_DEBUG'):
            msg += f' [{exc!r}]'
        return msg

    @property
    def available(self) -> bool:
        """True if the codec's module was built and its library loads."""
        module = self._module()
        return module is not None and bool(
            getattr(module, self.name.upper()).available
        )

    @property
    def reason(self) -> str | None:
        """Why the codec is unavailable, or None."""
        self._module()
        return self._reason

    @property
    def version(self) -> str | None:
        """Version string of the backing library, or None if unavailable."""
        module = self._module()
        if module is None:
            return None
        return getattr(module, f'{self.name}_version')()

    @property
    def constants(self) -> type:
        """The constants class, e.g. ZSTD, with `available`."""
        module = self._module()
        if module is None:
            return type(self.name.upper(), (), {
                'available': False, '__module__': 'ndcodecs',
                '__doc__': self._reason,
            })
        return getattr(module, self.name.upper())

    def function(self, attr: str) -> Callable:
        """Return a public function of the codec, e.g. 'zstd_encode'.

        An unavailable codec gives a function raising DelayedImportError.
        """
        module = self._module()
        if module is not None:
            func = getattr(module, attr, None)
            if func is None and attr in (f'{self.name}_encode', f'{self.name}_decode'):
                return self._not_implemented(attr)
            return getattr(module, attr)
        reason = self._reason

        def unavailable(*args, **kwargs):
            raise DelayedImportError(f'{attr}: {reason}')

        unavailable.__name__ = unavailable.__qualname__ = attr
        return unavailable

    def _not_implemented(self, attr: str) -> Callable:
        # a decode-only (or encode-only) codec still has both names, as in imagecodecs
        def not_implemented(*args, **kwargs):
            raise NotImplementedError(f'{attr}: {self.name} has no {attr.rsplit("_", 1)[1]}r')

        not_implemented.__name__ = not_implemented.__qualname__ = attr
        return not_implemented

    def names(self) -> tuple[str, ...]:
        """The public names this codec adds to the ndcodecs namespace."""
        functions = ('version',) if self.kind == 'checksum' else FUNCTIONS
        return (
            self.name.upper(),
            self.error.__name__,
            *(f'{self.name}_{f}' for f in functions),
            *self.exports,
        )

    def accepts(self, array) -> bool:
        """Return True if the encoder takes an array of this dtype and
        samples per pixel (image codecs; other codecs take any array)."""
        if self.kind != 'image':
            return True
        if array.ndim not in (2, 3):
            return False
        samples = 1 if array.ndim == 2 else array.shape[-1]
        return ((not self.dtypes or array.dtype.name in self.dtypes)
                and (not self.samples or samples in self.samples))

    def checksum(self, data, value=None) -> int:
        """Return the checksum of `data` by the first of `exports` (codecs of
        kind 'checksum'), continuing from or seeded by `value`."""
        if self.kind != 'checksum':
            raise self.error(f'{self.name} is not a checksum')
        return self.function(self.exports[0])(data, value)

    def encode(self, data, *args, **kwargs):
        """Return `data` encoded by the codec's ``X_encode``."""
        if not self.can_encode:
            raise self.error(f'{self.name} cannot encode')
        return self.function(f'{self.name}_encode')(data, *args, **kwargs)

    def decode(self, data, *args, **kwargs):
        """Return `data` decoded by the codec's ``X_decode``."""
        if not self.can_decode:
            raise self.error(f'{self.name} cannot decode')
        return self.function(f'{self.name}_decode')(data, *args, **kwargs)

    def check(self, head) -> bool | None:
        """Return True if `head` starts like this format, False if not,
        None if the format has no signature to tell."""
        if self._magic == 'check':
            if not self.available:
                return None
            return bool(self.function(f'{self.name}_check')(bytes(head[:64])))
        if callable(self._magic):
            return bool(self._magic(bytes(head[:64])))
        if self._magic:
            head = bytes(head[: max(len(m) for m in self._magic)])
            return any(head.startswith(m) for m in self._magic)
        return None


_lock = threading.RLock()
_codecs: dict[str, Codec] = {}
_names: dict[str, Codec] = {}


def register(codec: Codec) -> Codec:
    """Add a codec to the registry; names and aliases must be new."""
    for key in (codec.name, *codec.aliases):
        key = key.lower()
        if key in _names:
            raise ValueError(f'codec name {key!r} is already registered')
        _names[key] = codec
    _codecs[codec.name] = codec
    return codec


def list_codecs(kind: str | None = None, available: bool | None = None) -> list[str]:
    """Return the names of registered codecs, optionally filtered."""
    return [
        c.name for c in _codecs.values()
        if (kind is None or c.kind == kind)
        and (available is None or c.available == available)
    ]


def has_codec(name: str) -> bool:
    """Return True if `name` is a registered codec name or alias."""
    return isinstance(name, str) and name.lower() in _names


def get_codec(name: str) -> Codec:
    """Return the Codec registered under a name or alias."""
    try:
        return _names[name.lower()]
    except (KeyError, AttributeError):
        raise ValueError(f'no codec named {name!r}') from None


def codec_for_path(path) -> Codec | None:
    """Return the codec for a file name by its extension, longest first,
    so that '.tar.gz' is gzip. None if no codec claims the extension."""
    name = os.fspath(path).lower()
    best = None
    for codec in _codecs.values():
        for ext in codec.extensions:
            if name.endswith(ext) and (best is None or len(ext) > best[0]):
                best = (len(ext), codec)
    return best[1] if best else None


def codec_for_bytes(head) -> Codec | None:
    """Return the first codec whose magic bytes match `head`, or None."""
    head = bytes(memoryview(head)[:64])
    for codec in _codecs.values():
        if codec._magic and codec.check(head):
            return codec
    return None


def public_names() -> dict[str, Codec]:
    """Map every codec-provided public name to its codec."""
    return {n: c for c in _codecs.values() for n in c.names()}


# Magic tests that are not plain prefixes.

def _is_zlib(head: bytes) -> bool:
    # CMF says deflate with a window <= 32K; FCHECK makes CMF*256+FLG a multiple of 31
    return (
        len(head) >= 2 and head[0] & 0x0F == 8 and head[0] >> 4 <= 7
        and (head[0] << 8 | head[1]) % 31 == 0
    )


def _is_apng(head: bytes) -> bool:
    # a PNG with an acTL chunk before IDAT, among the chunks in head
    if not head.startswith(b'\x89PNG\r\n\x1a\n'):
        return False
    pos = 8
    while pos + 8 <= len(head):
        ctype = head[pos + 4:pos + 8]
        if ctype == b'acTL':
            return True
        if ctype in (b'IDAT', b'IEND'):
            return False
        pos += 12 + int.from_bytes(head[pos:pos + 4], 'big')
    return False


def _is_webp(head: bytes) -> bool:
    return head[:4] == b'RIFF' and head[8:12] == b'WEBP'


# The codecs. Module paths are relative to the ndcodecs package.

register(Codec(
    'zlib', 'compressor', '._ext._zlib', 'zlib', 'zlib1g-dev',
    extensions=('.zz', '.zlib'), magic=_is_zlib,
    exports=('zlib_crc32', 'zlib_adler32'),
    description='zlib stream (RFC 1950), byte-identical with the zlib module',
))
register(Codec(
    'deflate', 'compressor', '._ext._deflate', 'libdeflate', 'libdeflate-dev',
    extensions=('.deflate',),
    exports=('deflate_crc32', 'deflate_adler32'),
    description='zlib or raw deflate stream through libdeflate',
))
register(Codec(
    'gzip', 'compressor', '._ext._deflate', 'libdeflate', 'libdeflate-dev',
    aliases=('gz',), extensions=('.gz', '.gzip', '.tgz'),
    magic=(b'\x1f\x8b',),
    description='gzip member(s) (RFC 1952) through libdeflate',
))
register(Codec(
    'zopfli', 'compressor', '._ext._zopfli', 'libzopfli', 'libzopfli-dev',
    description='zlib stream compressed densely by zopfli; decoded by zlib',
))
register(Codec(
    'zstd', 'compressor', '._ext._zstd', 'libzstd', 'libzstd-dev',
    aliases=('zstandard',), extensions=('.zst', '.zstd', '.tzst'),
    magic=(b'\x28\xb5\x2f\xfd',),
    description='Zstandard frames',
))
register(Codec(
    'lz4', 'compressor', '._ext._lz4', 'liblz4', 'liblz4-dev',
    description='LZ4 block, optionally with a 4-byte size header',
))
register(Codec(
    'lz4f', 'compressor', '._ext._lz4', 'liblz4', 'liblz4-dev',
    extensions=('.lz4',), magic=(b'\x04\x22\x4d\x18',),
    description='LZ4 frame format',
))
register(Codec(
    'lz4h5', 'compressor', '._ext._lz4', 'liblz4', 'liblz4-dev',
    description="LZ4 blocks in the layout of HDF5's LZ4 filter (id 32004)",
))
register(Codec(
    'brotli', 'compressor', '._ext._brotli', 'libbrotli', 'libbrotli-dev',
    extensions=('.br',),
    description='Brotli stream',
))
register(Codec(
    'snappy', 'compressor', '._ext._snappy', 'libsnappy', 'libsnappy-dev',
    description='Snappy raw block',
))
register(Codec(
    'bz2', 'compressor', '._ext._bz2', 'libbzip2', 'libbz2-dev',
    aliases=('bzip2',), extensions=('.bz2', '.tbz2', '.tbz'),
    magic=(b'BZh',),
    description='bzip2 stream',
))
register(Codec(
    'lzma', 'compressor', '._ext._lzma', 'liblzma', 'liblzma-dev',
    aliases=('xz',), extensions=('.xz', '.lzma', '.txz'),
    magic=(b'\xfd7zXZ\x00', b'\x5d\x00\x00'),
    description='xz, lzma-alone or raw lzma2 stream',
))
register(Codec(
    'lzf', 'compressor', '._ext._lzf', 'liblzf', 'liblzf-dev',
    extensions=('.lzf',),
    description='LZF block, optionally with a size header',
))
register(Codec(
    'blosc', 'compressor', '._ext._blosc', 'c-blosc', 'libblosc-dev',
    extensions=('.blosc',), magic='check',
    description='Blosc 1 chunk with shuffle and an internal compressor',
))
register(Codec(
    'lzw', 'compressor', '._ext._lzw', 'ndcodecs', None,
    description='LZW as in TIFF (compression 5)',
))
register(Codec(
    'packbits', 'compressor', '._ext._packbits', 'ndcodecs', None,
    description='PackBits run-length encoding (TIFF compression 32773)',
))
register(Codec(
    'lzo', 'compressor', '._ext._lzo', 'liblzo2', 'liblzo2-dev',
    description='LZO1X block (LZO1X-1; LZO1X-999 at levels 2-9)',
))
register(Codec(
    'none', 'compressor', '._codecs.none', 'ndcodecs', None,
    description='Returns the data unchanged',
))
register(Codec(
    'numpy', 'array', '._codecs.numpy', 'numpy', None,
    aliases=('npy', 'npz'), extensions=('.npy', '.npz'),
    magic=(b'\x93NUMPY',),
    description='NumPy NPY and NPZ files',
))
register(Codec(
    'apng', 'image', '._ext._png', 'libspng', 'libspng-dev',
    extensions=('.apng',), magic=_is_apng, multiframe=True,
    dtypes=('uint8', 'uint16'), samples=(1, 2, 3, 4),
    description='Animated PNG: frames with delays, dispose and blend ops',
))
register(Codec(
    'png', 'image', '._ext._png', 'libspng', 'libspng-dev',
    extensions=('.png',), magic=(b'\x89PNG\r\n\x1a\n',),
    dtypes=('uint8', 'uint16'), samples=(1, 2, 3, 4),
    description='PNG image, all color types and bit depths; our own path over libdeflate, else libspng',
))
register(Codec(
    'gif', 'image', '._ext._gif', 'giflib', 'libgif-dev',
    extensions=('.gif',), magic=(b'GIF87a', b'GIF89a'), multiframe=True,
    dtypes=('uint8',), samples=(1,), decode_args={'asrgb': False},
    description='GIF image or animation, composited to RGB(A) frames, through giflib',
))
register(Codec(
    'webp', 'image', '._ext._webp', 'libwebp', 'libwebp-dev',
    extensions=('.webp',), magic=_is_webp, multiframe=True,
    dtypes=('uint8',), samples=(3, 4),
    description='WebP image or animation, lossy or lossless, through libwebp',
))
register(Codec(
    'jpegls', 'image', '._ext._jpegls', 'CharLS', 'libcharls-dev',
    aliases=('jls',), extensions=('.jls',), magic='check',
    dtypes=('uint8', 'uint16'), samples=(1, 3, 4),
    description='JPEG-LS lossless and near-lossless images through CharLS',
))
register(Codec(
    'jpeg', 'image', '._codecs.jpeg', 'libjpeg-turbo', 'libjpeg62-turbo-dev',
    aliases=('jpg',), extensions=('.jpg', '.jpeg', '.jpe', '.jfif'),
    magic=(b'\xff\xd8\xff',), dtypes=('uint8',), samples=(1, 3, 4), lossless=False,
    description='JPEG: jpeg8, falling back to ljpeg for lossless streams',
))
register(Codec(
    'jpeg8', 'image', '._ext._jpeg8', 'libjpeg-turbo', 'libjpeg62-turbo-dev',
    magic=(b'\xff\xd8\xff',), dtypes=('uint8',), samples=(1, 3, 4), lossless=False,
    description='JPEG image, 8-bit baseline and progressive, through libjpeg-turbo',
))
register(Codec(
    'ljpeg', 'image', '._ext._ljpeg', 'ndcodecs', None,
    # the encoder takes 1 to 4 samples; imagecodecs' ljpeg_encode only 1
    dtypes=('uint8', 'uint16'), samples=(1,),
    description='Lossless JPEG (SOF3), 2 to 16 bit, as in DNG and DICOM',
))
register(Codec(
    'jpegsof3', 'image', '._ext._ljpeg', 'ndcodecs', None,
    can_encode=False,
    description='Lossless JPEG (SOF3) as imagecodecs.jpegsof3_decode',
))
register(Codec(
    'bmp', 'image', '._ext._bmp', 'ndcodecs', None,
    extensions=('.bmp', '.dib'), magic=(b'BM',), dtypes=('uint8',), samples=(1, 3, 4),
    description='Windows bitmap: 1 to 32 bit, palettes, bit fields, RLE4 and RLE8',
))
register(Codec(
    'qoi', 'image', '._ext._qoi', 'ndcodecs', None,
    extensions=('.qoi',), magic=(b'qoif',), dtypes=('uint8',), samples=(3, 4),
    description='QOI (Quite OK Image) RGB and RGBA',
))
register(Codec(
    'rgbe', 'image', '._ext._rgbe', 'ndcodecs', None,
    aliases=('hdr', 'radiance'), extensions=('.hdr', '.rgbe', '.pic'),
    magic=(b'#?RADIANCE', b'#?RGBE'), dtypes=('float32',), samples=(3,), lossless=False,
    description='Radiance RGBE high dynamic range image, flat or run-length encoded',
))
register(Codec(
    'dicomrle', 'array', '._ext._dicomrle', 'ndcodecs', None, can_encode=False,
    description='DICOM RLE Lossless frames of 8 to 64-bit samples (decode only)',
))
register(Codec(
    'dds', 'image', '._ext._bcn', 'ndcodecs', None, can_encode=False,
    extensions=('.dds',), magic=(b'DDS ',),
    description='DirectDraw Surface textures with BCn-compressed pixels (decode only)',
))
register(Codec(
    'bcn', 'array', '._ext._bcn', 'ndcodecs', None, can_encode=False,
    description='BC1 to BC7 (DXTn, RGTC, BPTC) compressed texture blocks (decode only)',
))
register(Codec(
    'tiff', 'image', '._ext._tiff', 'libtiff', 'libtiff-dev', can_encode=False,
    aliases=('tif',), extensions=('.tif', '.tiff'),
    magic=(b'II*\x00', b'MM\x00*', b'II+\x00', b'MM\x00+'), multiframe=True,
    description='TIFF and BigTIFF images, any page or all pages, through libtiff (decode only)',
))
register(Codec(
    'cms', 'array', '._ext._cms', 'lcms2', 'liblcms2-dev',
    can_encode=False, can_decode=False,
    exports=('cms_transform', 'cms_profile', 'cms_profile_validate'),
    description='Color management: transforms between ICC profiles through Little CMS 2',
))
register(Codec(
    'htj2k', 'image', '._ext._htj2k', 'OpenJPH', 'libopenjph-dev',
    extensions=('.jhc',), magic='check',
    dtypes=('uint8', 'int8', 'uint16', 'int16'), samples=(1, 3, 4),
    description='High-Throughput JPEG 2000 codestreams: OpenJPH encodes, openjpeg decodes (also JPH files)',
))
register(Codec(
    'jpeg2k', 'image', '._ext._jpeg2k', 'openjpeg', 'libopenjp2-7-dev',
    aliases=('jpeg2000', 'jp2', 'j2k'), extensions=('.jp2', '.j2k', '.j2c', '.jpc', '.jpx'),
    magic=(b'\x00\x00\x00\x0cjP  \r\n\x87\n', b'\xff\x4f\xff\x51'),
    dtypes=('uint8', 'int8', 'uint16', 'int16'), samples=(1, 2, 3, 4),
    description='JPEG 2000 JP2 files and J2K codestreams through openjpeg',
))
register(Codec(
    'jpegxl', 'image', '._ext._jpegxl', 'libjxl', 'libjxl-dev',
    aliases=('jxl',), extensions=('.jxl',),
    magic=(b'\xff\x0a', b'\x00\x00\x00\x0cJXL \r\n\x87\n'), multiframe=True,
    dtypes=('uint8', 'uint16', 'float16', 'float32'), samples=(1, 2, 3, 4),
    exports=('jpegxl_encode_jpeg', 'jpegxl_decode_jpeg'),
    description='JPEG XL, lossless and lossy, animations and JPEG transcoding, through libjxl',
))
register(Codec(
    'jpegxr', 'image', '._ext._jpegxr', 'jxrlib', 'libjxr-dev',
    aliases=('jxr',), extensions=('.jxr', '.hdp', '.wdp'), magic=(b'II\xbc',),
    dtypes=('uint8', 'uint16', 'float16'), samples=(1, 3, 4),
    description='JPEG XR (HD Photo), lossless and lossy, through jxrlib (decoding in a child process)',
))
register(Codec(
    'avif', 'image', '._ext._avif', 'libavif', 'libavif-dev',
    extensions=('.avif', '.avifs'), magic='check', multiframe=True,
    dtypes=('uint8',), samples=(1, 2, 3, 4),
    description='AVIF image (AV1 in HEIF) through libavif: lossless, lossy, 8 to 12 bit, sequences',
))
register(Codec(
    'heif', 'image', '._ext._heif', 'libheif', 'libheif-dev',
    extensions=('.heic', '.heif', '.heics', '.heifs', '.hif'), magic='check',
    dtypes=('uint8',), samples=(3, 4), lossless=False,
    description='HEIF image (HEIC, AVIF) through libheif and its codec plugins',
))
register(Codec(
    'exr', 'image', '._ext._exr', 'OpenEXRCore', 'libopenexr-dev',
    extensions=('.exr',), magic=(b'\x76\x2f\x31\x01',),
    dtypes=('float16', 'float32', 'uint32'), samples=(1, 2, 3, 4),
    description='OpenEXR image (scanline, tiled read) through OpenEXRCore: half, float, uint32',
))
register(Codec(
    'pcodec', 'array', '._codecs.pcodec', 'pcodec', None, pypi='pcodec',
    magic=(b'pco!',),
    description='Pco standalone streams of numeric arrays (optional pcodec package)',
))
register(Codec(
    'delta', 'filter', '._ext._filters', 'ndcodecs', None,
    description='Differences of samples along an axis (integer bit patterns)',
))
register(Codec(
    'xor', 'filter', '._ext._filters', 'ndcodecs', None,
    description='XOR of each sample with the previous one along an axis',
))
register(Codec(
    'floatpred', 'filter', '._ext._filters', 'ndcodecs', None,
    description='TIFF floating point predictor (3): byte shuffle and byte differences',
))
register(Codec(
    'byteshuffle', 'filter', '._ext._filters', 'ndcodecs', None,
    description='Byte shuffle of the samples of rows, optionally with byte differences',
))
register(Codec(
    'bitshuffle', 'filter', '._ext._bitshuffle', 'ndcodecs', None,
    description='Bitshuffle (bit transposition in blocks), as the bitshuffle library',
))
register(Codec(
    'bitshuffleh5', 'compressor', '._ext._bitshuffle', 'ndcodecs', None,
    aliases=('bshuf',),
    description='Bitshuffle with LZ4 or zstd blocks, in the layout of the bitshuffle HDF5 filter (id 32008)',
))
register(Codec(
    'h5checksum', 'checksum', '._ext._h5checksum', 'ndcodecs', None,
    can_encode=False, can_decode=False,
    exports=(
        'h5checksum_fletcher32', 'h5checksum_lookup3', 'h5checksum_crc',
        'h5checksum_metadata', 'h5checksum_hash_string',
    ),
    description="HDF5's checksums: Fletcher-32, lookup3, CRC, string hash",
))
register(Codec(
    'crc32', 'checksum', '._codecs.checksum', 'libdeflate', None,
    can_encode=False, can_decode=False, exports=('crc32',),
    description='CRC-32 (zlib, gzip, PNG) through libdeflate, else zlib',
))
register(Codec(
    'adler32', 'checksum', '._codecs.checksum', 'libdeflate', None,
    can_encode=False, can_decode=False, exports=('adler32',),
    description='Adler-32 (zlib) through libdeflate, else zlib',
))
register(Codec(
    'quantize', 'filter', '._ext._quantize', 'ndcodecs', None,
    can_decode=False,
    description='Lossy float quantization: BitGroom, Granular BitRound, BitRound, scale',
))
register(Codec(
    'bitorder', 'filter', '._ext._numformats', 'ndcodecs', None,
    description='Reverses the bit order of every byte (TIFF FillOrder 2)',
))
register(Codec(
    'packints', 'filter', '._ext._numformats', 'ndcodecs', None,
    description='Integers of 1 to 32 bits packed MSB first, rows padded to bytes',
))
register(Codec(
    'float24', 'filter', '._ext._numformats', 'ndcodecs', None,
    description='24-bit floats (1 sign, 7 exponent, 16 mantissa bits) from float32',
))
register(Codec(
    'bfloat16', 'filter', '._ext._numformats', 'ndcodecs', None,
    description='bfloat16 (upper half of float32), rounded to nearest even',
))
register(Codec(
    'aec', 'array', '._ext._aec', 'libaec', 'libaec-dev',
    description='CCSDS 121.0 adaptive entropy coding (raw AEC stream) through libaec',
))
register(Codec(
    'szip', 'array', '._ext._aec', 'libaec', 'libaec-dev',
    exports=('szip_params',),
    description="SZIP (libaec's szlib), optionally with HDF5's 4-byte size header",
))
register(Codec(
    'zfp', 'array', '._ext._zfp', 'libzfp', 'libzfp-dev',
    extensions=('.zfp',), magic=(b'zfp\x05',),
    description='ZFP compressed 1-D to 4-D float32, float64, int32 or int64 arrays',
))
register(Codec(
    'lerc', 'image', '._ext._lerc', 'liblerc', 'liblerc-dev',
    extensions=('.lerc', '.lerc1', '.lerc2'), magic=(b'Lerc2 ', b'CntZImage '),
    dtypes=('uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'),
    samples=(1, 2, 3, 4),
    description='LERC limited error raster compression: images and 1-D to 4-D numeric arrays',
))
register(Codec(
    'rcomp', 'array', '._ext._rcomp', 'ndcodecs', None,
    description='Rice compression of 8, 16 and 32-bit integers as FITS tile compression RICE_1',
))
register(Codec(
    'eer', 'array', '._ext._eer', 'ndcodecs', None, can_encode=False,
    description='Thermo Fisher EER electron counting frames (decode only)',
))
register(Codec(
    'sperr', 'array', '', 'SPERR', None,
    unavailable='SPERR has no Debian package and no maintained Python package to link',
    description='SPERR wavelet compression of floating point arrays',
))
register(Codec(
    'sz3', 'array', '', 'SZ3', None,
    unavailable=(
        'its only maintained package, pysz 1.1.0 (the SZ3 team\'s bindings), lets a corrupt stream decide '
        'what its decoder allocates: a 2910-byte stream with 4 changed bytes made '
        'SZ_decompress take 14 GB and 23 s, which no max_output can bound'
    ),
    description='SZ3 error-bounded lossy compression of numeric arrays',
))
register(Codec(
    'jetraw', 'image', '', 'Jetraw', None,
    unavailable='Jetraw is proprietary: its library is not distributed by Debian or PyPI',
    description='Jetraw camera image compression',
))

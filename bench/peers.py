"""What is compared with what: levels per codec, and each library's calls.

Nothing here imports a codec library at module level: the coordinator
reads the tables, and each worker imports only its own library through
``make()``.

A row compares the same format at the same level and thread count. Each
library's adapter returns the exact calls it times, and their labels
appear in the report ("Pairs compared").
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass, field

KiB = 1024
MiB = 1024 * KiB

# Libraries, in the order of the table columns, and the worker process of each.
LIBS = ('ndcodecs', 'imagecodecs', 'opencodecs', 'pillow', 'numcodecs', 'stdlib', 'python-lzo')
WORKER_OF = {
    'ndcodecs': 'ndcodecs',
    'imagecodecs': 'imagecodecs',
    'opencodecs': 'opencodecs',
    'pillow': 'python',
    'numcodecs': 'python',
    'stdlib': 'python',
    'python-lzo': 'python',
}
SHORT = {
    'ndcodecs': 'nd', 'imagecodecs': 'ic', 'opencodecs': 'oc', 'pillow': 'pil',
    'numcodecs': 'nc', 'stdlib': 'std', 'python-lzo': 'pylzo',
}


@dataclass(frozen=True)
class Level:
    """One compression setting of a codec, the same for every library."""

    label: str
    level: int | None = None
    options: dict = field(default_factory=dict)  # extra encode keywords, ndcodecs names
    default: bool = False  # the default setting gets every dataset and size
    max_size: int | None = None  # larger payloads are not run at this setting

    def key(self) -> str:
        return self.label


def L(level, *, label=None, default=False, max_size=None, **options) -> Level:
    if label is None:
        label = 'default' if level is None else str(level)
    return Level(label, level, options, default, max_size)


# Levels per ndcodecs codec. Sizes above max_size are left out at that level;
# the run also skips a row whose estimated time exceeds its budget.
CODECS: dict[str, dict] = {
    'zstd': {'levels': [
        L(3, default=True), L(-1), L(1), L(9, max_size=16 * MiB), L(19, max_size=MiB),
    ], 'threads': True},
    'zlib': {'levels': [L(6, default=True), L(1), L(9, max_size=16 * MiB)]},
    'deflate': {'levels': [L(6, default=True), L(1), L(9, max_size=16 * MiB), L(12, max_size=MiB)]},
    'gzip': {'levels': [L(6, default=True), L(1), L(9, max_size=16 * MiB)]},
    'zopfli': {'levels': [L(None, default=True, max_size=64 * KiB)]},
    'lz4': {'levels': [
        L(1, default=True, header=True), L(9, label='hc 9', hc=True, header=True, max_size=16 * MiB),
    ]},
    'lz4f': {'levels': [L(1, default=True), L(9, max_size=16 * MiB)]},
    'lz4h5': {'levels': [L(1, default=True)]},
    'brotli': {'levels': [L(5, default=True, max_size=16 * MiB), L(1), L(11, max_size=64 * KiB)]},
    'snappy': {'levels': [L(None, default=True)]},
    'bz2': {'levels': [L(9, default=True, max_size=16 * MiB), L(1, max_size=16 * MiB)]},
    'lzma': {'levels': [L(6, default=True, max_size=MiB), L(1, max_size=16 * MiB), L(9, max_size=MiB)]},
    'lzf': {'levels': [L(None, default=True, header=True)]},
    'blosc': {'levels': [
        L(5, label='lz4 5 shuffle', default=True, compressor='lz4', shuffle=1),
        L(5, label='zstd 5 shuffle', compressor='zstd', shuffle=1),
        L(9, label='blosclz 9 bitshuffle', compressor='blosclz', shuffle=2),
    ], 'threads': True},
    'lzw': {'levels': [L(None, default=True, max_size=16 * MiB)]},
    'packbits': {'levels': [L(None, default=True)]},
    'lzo': {'levels': [L(1, default=True)], 'decode_only': True},
    'none': {'levels': [L(None, default=True, max_size=KiB)]},
}

# Codecs that take arrays (filters, image and scientific codecs) name their
# datasets: 'data' for a full run, 'quick' for --quick; (dataset, size or None
# for the natural size). 'psnr' marks a lossy setting: the decoded array must
# come within that PSNR (dB, peak = the data's range) of the original.
ARRAYS = [('micro16', 64 * MiB), ('field32', 64 * MiB)]
ARRAYS_QUICK = [('micro16', 8 * MiB), ('field32', 4 * MiB)]
FLOATS = [('field32', 64 * MiB)]
FLOATS_QUICK = [('field32', 4 * MiB)]
FIELD = [('field32frame', None), ('field32', 16 * MiB)]
IMAGES = [('photo4mp', None), ('img-astronaut', None), ('img-camera', None), ('img-cell', None),
          ('img-chelsea', None), ('img-text', None)]
IMAGES16 = IMAGES + [('micro16frame', None)]
IMAGES_QUICK = [('img-astronaut', None), ('img-camera', None)]


def _arrays(levels, data=ARRAYS, quick=ARRAYS_QUICK, **extra) -> dict:
    return {'levels': levels, 'input': 'array', 'data': data, 'quick': quick, **extra}


def _images(levels, data=IMAGES, quick=IMAGES_QUICK, **extra) -> dict:
    return _arrays(levels, data, quick, **extra)


AXES = [L(None, label='axis -1', default=True, axis=-1), L(None, label='axis 0', axis=0)]

CODECS.update({
    'delta': _arrays(AXES),
    'xor': _arrays(AXES),
    'floatpred': _arrays(AXES[:1], FLOATS, FLOATS_QUICK),  # imagecodecs has only the last axis
    'byteshuffle': _arrays(AXES[:1], FLOATS, FLOATS_QUICK),
    'bitshuffle': _arrays([L(None, default=True)]),
    'bitorder': _arrays([L(None, default=True)], ARRAYS[:1], ARRAYS_QUICK[:1]),
    'float24': _arrays([L(None, default=True)], FLOATS, FLOATS_QUICK, psnr=60),
    'bfloat16': _arrays([L(None, default=True)], FLOATS, FLOATS_QUICK, psnr=40),
    'quantize': _arrays([
        L(None, label='bitround 8', default=True, mode='bitround', nsd=8, psnr=40),
        L(None, label='bitgroom 3', mode='bitgroom', nsd=3, psnr=40),
        L(None, label='granularbr 3', mode='granularbr', nsd=3, psnr=40),
        L(None, label='scale 3', mode='scale', nsd=3, psnr=40),
    ], FLOATS, FLOATS_QUICK, encode_only=True),
    'zfp': _arrays([
        L(None, label='reversible', default=True),
        L(1e-3, label='tolerance 1e-3', mode='accuracy', psnr=60),
        L(8, label='rate 8', mode='rate', psnr=40),
    ], FIELD, FIELD[:1]),
    'lerc': _arrays([
        L(0.0, label='lossless', default=True),
        L(1e-3, label='tolerance 1e-3', psnr=60),
    ], FIELD + [('micro16frame', None)], FIELD[:1]),
    'rcomp': _arrays([L(None, default=True)], [('micro16frame', None), ('micro16', 64 * MiB)],
                     [('micro16frame', None)]),
    'aec': _arrays([L(None, default=True)], [('micro16frame', None), ('micro16', 64 * MiB)],
                   [('micro16frame', None)]),
    'pcodec': _arrays([L(None, default=True)], FIELD + [('micro16frame', None)], FIELD[:1]),
    'png': _images([L(6, default=True), L(1), L(9)], IMAGES16),
    'jpeg8': _images([L(90, default=True, psnr=30)]),
    'webp': _images([L(None, label='lossless', default=True, lossless=True),
                     L(75, label='lossy 75', psnr=28)]),
    # the libraries' default speeds differ (imagecodecs takes libaom's slowest)
    'avif': _images([L(None, label='speed 6', default=True, speed=6)]),
})

# Keywords of the encode options that decode needs too, per codec ('encode_only'
# codecs such as quantize have no decode: their encoded array is the result).
DECODE_OPTIONS = {'lz4': ('header',), 'lzf': ('header',), 'delta': ('axis',), 'xor': ('axis',),
                  'floatpred': ('axis',), 'byteshuffle': ('axis',)}
# Decoders that need the array's shape and dtype, or its bits per sample.
DECODE_SHAPE = ('rcomp', 'pcodec')
DECODE_BITS = ('aec',)

# Unknown codecs (registered later) are compared at their default level,
# compressors on the compressor datasets, image codecs on the images.
GENERIC = {'levels': [L(None, default=True)]}
GENERIC_IMAGE = _images([L(None, default=True)], IMAGES16 + [('hdr', None)],
                        IMAGES_QUICK + [('hdr', None)])


def spec(codec: str, kind: str = 'compressor') -> dict:
    if codec in CODECS:
        return CODECS[codec]
    return GENERIC_IMAGE if kind == 'image' else GENERIC


# PSNR that lossy image codecs reach at their default setting.
DEFAULT_PSNR = 30


def is_lossy(codec: str, lv: Level, info: dict) -> float | None:
    """Return the PSNR a lossy setting must reach, or None if lossless."""
    psnr = lv.options.get('psnr', spec(codec, info['kind']).get('psnr'))
    if psnr is None and codec not in CODECS and not info.get('lossless', True):
        psnr = DEFAULT_PSNR
    return psnr


def fits(info: dict, entry: dict) -> bool:
    """Return True if an image codec's encoder takes a dataset's dtype and
    samples per pixel (as the registry says)."""
    if info['kind'] != 'image' or not entry.get('dtype'):
        return True
    shape = entry['shape']
    samples = shape[2] if len(shape) == 3 else 1
    return ((not info['dtypes'] or entry['dtype'] in info['dtypes'])
            and (not info['samples'] or samples in info['samples']) and len(shape) in (2, 3))


def codec_info(codec) -> dict:
    """What the benchmark needs of a registered ndcodecs Codec."""
    return {
        'kind': codec.kind, 'available': codec.available, 'reason': codec.reason,
        'can_encode': codec.can_encode, 'version': codec.version if codec.available else None,
        'lossless': codec.lossless, 'dtypes': codec.dtypes, 'samples': codec.samples,
        'decode_args': codec.decode_args,
    }


def encode_options(lv: Level) -> dict:
    """The encode keywords of a setting (without bench-only ones)."""
    return {k: v for k, v in lv.options.items() if k != 'psnr'}


class Unsupported(Exception):
    """The library has no like-for-like call for this row."""


@dataclass
class Calls:
    """The timed calls of one library for one row."""

    encode: object | None  # callable(input) -> encoded, or None (decode only)
    decode: object  # callable(encoded) -> decoded
    encode_label: str
    decode_label: str
    prepare: object = None  # callable(bytes) -> the object passed to encode
    version: str | None = None  # the backing library's version, where the package tells


def _kwargs_text(kwargs: dict) -> str:
    return ', '.join(f'{k}={v!r}' for k, v in kwargs.items())


def _call(func, label: str, kwargs: dict):
    """Return (callable, 'label(data, k=v)') with keywords bound."""
    text = f'{label}(data{", " if kwargs else ""}{_kwargs_text(kwargs)})'
    return (functools.partial(func, **kwargs) if kwargs else func), text


THREADED_DECODE = ('blosc',)


def _identity(data):
    return data


def _imagecodecs_like(module, modname: str, codec: str, lv: Level, threads: int,
                      itemsize: int, size: int, array=None, info=None) -> Calls:
    """ndcodecs and imagecodecs have the same function API."""
    constants = getattr(module, codec.upper(), None)
    if constants is None or not getattr(constants, 'available', False):
        raise Unsupported(f'{modname} has no {codec}')
    encode = getattr(module, f'{codec}_encode', None)
    decode = getattr(module, f'{codec}_decode', None)
    if spec(codec).get('encode_only'):
        decode = _identity  # the encoded array is the data
    if decode is None:
        raise Unsupported(f'{modname} has no {codec}_decode')
    ekw = {}
    if lv.level is not None:
        ekw['level'] = lv.level
    ekw.update(encode_options(lv))
    dkw = {k: ekw[k] for k in DECODE_OPTIONS.get(codec, ()) if k in ekw}
    dkw.update((info or {}).get('decode_args', {}))
    if array is not None and codec in DECODE_SHAPE:
        dkw.update(shape=array.shape, dtype=array.dtype)
    if array is not None and codec in DECODE_BITS:
        ekw['bitspersample'] = dkw['bitspersample'] = array.dtype.itemsize * 8
    if codec == 'blosc':
        ekw['typesize'] = itemsize
    if codec == 'lzo':
        dkw['out'] = size  # raw LZO1X has no size header
    if threads > 1 or codec == 'blosc':
        if not spec(codec).get('threads'):
            raise Unsupported(f'{codec} is single-threaded')
        for func, kw, needed in ((encode, ekw, True), (decode, dkw, codec in THREADED_DECODE)):
            if func is None or not needed:
                continue
            try:
                params = inspect.signature(func).parameters
            except (TypeError, ValueError):
                params = {}
            if 'numthreads' not in params:
                raise Unsupported(f'{modname}.{func.__name__} has no numthreads')
            kw['numthreads'] = threads
    calls = Calls(None, None, '', '')
    if codec == 'blosc':
        import numpy

        # imagecodecs takes blosc's typesize from the array, ignoring typesize=
        calls.prepare = lambda data: numpy.frombuffer(data, f'u{itemsize}')
    version = getattr(module, f'{codec}_version', None)
    try:
        calls.version = version() if version is not None else None
    except Exception:  # a version is only informative
        calls.version = None
    if encode is not None and not spec(codec).get('decode_only'):
        calls.encode, calls.encode_label = _call(encode, f'{modname}.{codec}_encode', ekw)
    calls.decode, calls.decode_label = _call(decode, f'{modname}.{codec}_decode', dkw)
    return calls


def _ndcodecs(codec, lv, threads, itemsize, size, array=None, info=None):
    import ndcodecs

    if not ndcodecs.has_codec(codec) or not ndcodecs.get_codec(codec).available:
        raise Unsupported(f'ndcodecs {codec} is not built')
    return _imagecodecs_like(ndcodecs, 'ndcodecs', codec, lv, threads, itemsize, size, array, info)


def _imagecodecs(codec, lv, threads, itemsize, size, array=None, info=None):
    import imagecodecs

    return _imagecodecs_like(imagecodecs, 'imagecodecs', codec, lv, threads, itemsize, size, array, info)


# ndcodecs codec -> opencodecs codec of the same format (its lz4 is the frame format;
# its deflate is libdeflate, like ndcodecs.deflate; it has no blosc 1, lzf, lzw...).
# Array and image codecs are compared only at settings given by a level alone.
OPENCODECS = {
    'zstd': 'zstd', 'deflate': 'deflate', 'gzip': 'gzip', 'lz4f': 'lz4',
    'brotli': 'brotli', 'snappy': 'snappy', 'bz2': 'bz2', 'lzma': 'lzma', 'none': 'none',
    'png': 'png', 'jpeg8': 'jpeg', 'webp': 'webp', 'bmp': 'bmp', 'qoi': 'qoi',
    'rgbe': 'rgbe', 'tiff': 'tiff', 'jpeg2k': 'jpeg2k', 'jpegxl': 'jxl', 'jpegls': 'jpegls',
    'avif': 'avif', 'htj2k': 'htj2k',
}


def _opencodecs(codec, lv, threads, itemsize, size, array=None, info=None):
    import opencodecs

    name = OPENCODECS.get(codec)
    if name is None or encode_options(lv):
        raise Unsupported(f'opencodecs has no {codec}' + (' with these options' if lv.options else ''))
    c = opencodecs.get_codec(name)
    ekw = {} if lv.level is None else {'level': lv.level}
    if threads > 1:
        if 'numthreads' not in inspect.signature(c.encode).parameters:
            raise Unsupported(f'opencodecs {name} has no numthreads')
        ekw['numthreads'] = threads
    calls = Calls(None, None, '', '')
    calls.encode, calls.encode_label = _call(c.encode, f"opencodecs.get_codec('{name}').encode", ekw)
    calls.decode, calls.decode_label = _call(c.decode, f"opencodecs.get_codec('{name}').decode", {})
    return calls


def _numcodecs(codec, lv, threads, itemsize, size, array=None, info=None):
    import numpy
    import numcodecs

    lvl = lv.level
    if codec == 'zstd' and not lv.options and threads == 1:
        obj, text = numcodecs.Zstd(level=lvl), f'numcodecs.Zstd(level={lvl})'
    elif codec == 'zlib' and not lv.options and threads == 1:
        obj, text = numcodecs.Zlib(level=lvl), f'numcodecs.Zlib(level={lvl})'
    elif codec == 'gzip' and not lv.options and threads == 1:
        obj, text = numcodecs.GZip(level=lvl), f'numcodecs.GZip(level={lvl})'
    elif codec == 'bz2' and not lv.options and threads == 1:
        obj, text = numcodecs.BZ2(level=lvl), f'numcodecs.BZ2(level={lvl})'
    elif codec == 'lzma' and not lv.options and threads == 1:
        obj, text = numcodecs.LZMA(preset=lvl), f'numcodecs.LZMA(preset={lvl})'
    elif codec == 'lz4' and lv.options == {'header': True} and threads == 1:
        # numcodecs' LZ4 block has the same 4-byte size header; level is acceleration
        obj, text = numcodecs.LZ4(acceleration=lvl), f'numcodecs.LZ4(acceleration={lvl})'
    elif codec == 'blosc':
        from numcodecs import blosc

        blosc.set_nthreads(threads)
        blosc.use_threads = threads > 1
        cname, shuffle = lv.options['compressor'], lv.options['shuffle']
        obj = numcodecs.Blosc(cname=cname, clevel=lvl, shuffle=shuffle, blocksize=0)
        text = f'numcodecs.Blosc(cname={cname!r}, clevel={lvl}, shuffle={shuffle}) [{threads} thread(s)]'
        dtype = numpy.dtype(f'u{itemsize}')
        # numcodecs takes the typesize from the array's itemsize
        return Calls(obj.encode, obj.decode, f'{text}.encode(array)', f'{text}.decode',
                     prepare=lambda data: numpy.frombuffer(data, dtype))
    else:
        raise Unsupported(f'numcodecs has no like-for-like {codec}')
    return Calls(obj.encode, obj.decode, f'{text}.encode', f'{text}.decode')


def _stdlib(codec, lv, threads, itemsize, size, array=None, info=None):
    if lv.options or threads != 1:
        raise Unsupported('no such options in the standard library')
    lvl = lv.level
    if codec == 'zlib':
        import zlib

        return Calls(functools.partial(zlib.compress, level=lvl), zlib.decompress,
                     f'zlib.compress(data, level={lvl})', 'zlib.decompress')
    if codec == 'gzip':
        import gzip

        return Calls(functools.partial(gzip.compress, compresslevel=lvl, mtime=0), gzip.decompress,
                     f'gzip.compress(data, compresslevel={lvl}, mtime=0)', 'gzip.decompress')
    if codec == 'bz2':
        import bz2

        return Calls(functools.partial(bz2.compress, compresslevel=lvl), bz2.decompress,
                     f'bz2.compress(data, compresslevel={lvl})', 'bz2.decompress')
    if codec == 'lzma':
        import lzma

        return Calls(functools.partial(lzma.compress, preset=lvl), lzma.decompress,
                     f'lzma.compress(data, preset={lvl})', 'lzma.decompress')
    raise Unsupported(f'the standard library has no {codec}')


def _python_lzo(codec, lv, threads, itemsize, size, array=None, info=None):
    if codec != 'lzo':
        raise Unsupported('python-lzo is only an lzo peer')
    try:
        import lzo
    except ImportError:
        raise Unsupported('python-lzo is not installed') from None
    lvl = lv.level or 1
    # python-lzo takes positional arguments only
    return Calls(
        lambda data: lzo.compress(data, lvl, False),
        lambda data: lzo.decompress(data, False, size),
        f'lzo.compress(data, {lvl}, False)',
        f'lzo.decompress(data, False, {size})',
    )


# ndcodecs codec -> Pillow format; its level keyword; whether Pillow writes it.
PILLOW = {
    'png': ('PNG', 'compress_level', True), 'jpeg8': ('JPEG', 'quality', True),
    'webp': ('WEBP', 'quality', True), 'gif': ('GIF', None, True), 'bmp': ('BMP', None, True),
    'tiff': ('TIFF', None, False), 'dds': ('DDS', None, False), 'qoi': ('QOI', None, False),
    'jpeg2k': ('JPEG2000', None, True),
}


def _pillow(codec, lv, threads, itemsize, size, array=None, info=None):
    if codec not in PILLOW or array is None or threads != 1:
        raise Unsupported(f'Pillow has no like-for-like {codec}')
    import io

    import numpy
    from PIL import Image, features

    fmt, level_key, writes = PILLOW[codec]
    options = encode_options(lv)
    kwargs = {}
    if lv.level is not None:
        if level_key is None:
            raise Unsupported(f'Pillow {fmt} has no level')
        kwargs[level_key] = lv.level
    elif codec == 'png':
        kwargs['compress_level'] = 6
    if options.pop('lossless', False) and codec == 'webp':
        kwargs['lossless'] = True
    if options:
        raise Unsupported(f'Pillow {fmt} has no {", ".join(options)}')
    if fmt == 'WEBP' and not features.check('webp'):
        raise Unsupported('Pillow was built without WebP')

    def encode(a):
        buf = io.BytesIO()
        Image.fromarray(a).save(buf, fmt, **kwargs)
        return buf.getvalue()

    def decode(data):
        with Image.open(io.BytesIO(data)) as image:
            return numpy.asarray(image)

    text = _kwargs_text(kwargs)
    import PIL

    return Calls(encode if writes else None, decode,
                 f'Image.fromarray(a).save(buf, {fmt!r}{", " if text else ""}{text})',
                 'numpy.asarray(Image.open(buf))', version=f'Pillow {PIL.__version__}')


ADAPTERS = {
    'ndcodecs': _ndcodecs,
    'imagecodecs': _imagecodecs,
    'opencodecs': _opencodecs,
    'pillow': _pillow,
    'numcodecs': _numcodecs,
    'stdlib': _stdlib,
    'python-lzo': _python_lzo,
}


def make(lib: str, codec: str, lv: Level, threads: int, itemsize: int, size: int,
         array=None, info=None) -> Calls:
    """Return the calls of `lib` for a row, or raise Unsupported. `array` is
    the dataset as an array, for codecs that take arrays; `info` what the
    ndcodecs registry says of the codec (see `codec_info`)."""
    return ADAPTERS[lib](codec, lv, threads, itemsize, size, array, info)


def versions(lib: str) -> str:
    """Return the version line of a library (imported in its own worker)."""
    if lib == 'ndcodecs':
        import ndcodecs

        return ndcodecs.version()
    if lib == 'imagecodecs':
        import imagecodecs

        return imagecodecs.version()
    if lib == 'opencodecs':
        import opencodecs

        return f'opencodecs {opencodecs.__version__}'
    if lib == 'numcodecs':
        import numcodecs

        return f'numcodecs {numcodecs.__version__}'
    if lib == 'pillow':
        import PIL

        return f'Pillow {PIL.__version__}'
    if lib == 'stdlib':
        import sys
        import zlib

        return f'python {sys.version.split()[0]}, zlib {zlib.ZLIB_RUNTIME_VERSION}'
    if lib == 'python-lzo':
        import lzo

        def text(value):
            return value.decode() if isinstance(value, bytes) else str(value)

        return f'python-lzo {text(getattr(lzo, "__version__", "?"))}, lzo {text(getattr(lzo, "LZO_VERSION_STRING", "?"))}'
    raise ValueError(lib)

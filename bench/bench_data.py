"""Deterministic benchmark data: same seed, same bytes, on every machine.

Datasets (``DATASETS``):

micro16
    12-bit fluorescence-microscopy-like uint16 frames, 2048x2048 (8 MiB
    each): a time series of cells (cytoplasm, brighter nuclei and puncta)
    that drift a little from frame to frame, on an uneven background,
    with Poisson shot noise, Gaussian read noise and a camera offset.
    Payloads smaller than a frame are central tiles of frame 0 (1 KiB is a
    16x32 tile, as a chunk of a chunked array would be); larger payloads
    are whole consecutive frames.
field32
    A smooth float32 field, 1024x1024 (4 MiB) per frame: a sum of
    sinusoids and Gaussian bumps, like a simulated temperature or height
    map; the phases move from frame to frame. Tiled like micro16.
text
    English-like text: words from a fixed list of common English words
    drawn with a Zipf-like distribution, with capitalized sentences,
    commas, full stops and paragraphs. Made in independent 1 MiB chunks,
    so every size is a prefix of the larger ones.
photos
    The bundled sample images (``src/ndcodecs/samples/*.png``) decoded to
    pixels and concatenated, at their natural size. Decoding them needs a
    PNG codec: ndcodecs' own when it is built, else imagecodecs', each in
    a subprocess of its own; without either the dataset is skipped.
img-<name>
    One bundled sample image as an array (``img-astronaut``: 512x512 RGB,
    ``img-camera``: 512x512 gray, ...), for image codecs.
photo4mp
    A 4-megapixel photo-like RGB image (2048x2048x3 uint8): the astronaut
    sample enlarged 4x by bilinear interpolation, with Gaussian sensor
    noise (sigma 2) so that it is not unnaturally smooth.
micro16frame, field32frame
    Frame 0 of micro16 (2048x2048 uint16) and of field32 (1024x1024
    float32), as 2-D images.
hdr
    The astronaut sample as linear float32 RGB radiance from 0 to 4, for
    high dynamic range formats.

Every dataset also has a dtype and a shape, for the codecs that take
arrays (filters, image and scientific codecs): micro16 and field32 are
whole frames (frames, height, width) where the size is a multiple of a
frame, else flat.

The coordinator writes each (dataset, size) once into the cache folder
with its sha256 in ``manifest.json``; the workers read the files and
check the checksum before they time anything.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import pathlib
import subprocess
import sys

import numpy

KiB = 1024
MiB = 1024 * KiB

# Bump when a generator changes: cached files of older versions are remade.
VERSION = 2

DATASETS = {
    'micro16': {'itemsize': 2, 'description': '12-bit fluorescence-like uint16 frames 2048x2048, Poisson noise'},
    'field32': {'itemsize': 4, 'description': 'smooth float32 field 1024x1024 (sinusoids and Gaussians)'},
    'text': {'itemsize': 1, 'description': 'English-like text, Zipf-distributed words'},
    'photos': {'itemsize': 1, 'description': 'bundled sample PNG images, decoded pixels concatenated'},
    'photo4mp': {'itemsize': 1, 'description': 'astronaut sample enlarged to 2048x2048 RGB, with sensor noise'},
    'micro16frame': {'itemsize': 2, 'description': 'micro16 frame 0 as a 2048x2048 uint16 image'},
    'field32frame': {'itemsize': 4, 'description': 'field32 frame 0 as a 1024x1024 float32 image'},
    'hdr': {'itemsize': 4, 'description': 'astronaut sample as linear float32 RGB radiance (0 to 4)'},
}
# The bundled sample images, one dataset each ('img-astronaut', ...).
SAMPLE_IMAGES = ('astronaut', 'camera', 'cell', 'chelsea', 'text')
for _name in SAMPLE_IMAGES:
    DATASETS[f'img-{_name}'] = {'itemsize': 1, 'description': f'bundled sample {_name}.png as an array'}

REPO = pathlib.Path(__file__).resolve().parents[1]


def size_label(size: int) -> str:
    """Return '1K', '64K', '16M', or '1.9M' for a byte count."""
    for unit, scale in (('G', 1 << 30), ('M', MiB), ('K', KiB)):
        if size >= scale:
            value = size / scale
            return f'{value:.0f}{unit}' if value == int(value) else f'{value:.1f}{unit}'
    return f'{size}B'


# ---------------------------------------------------------------- microscopy

FRAME16 = 2048


def _gauss1d(center: float, sigma: float, lo: int, hi: int) -> numpy.ndarray:
    x = numpy.arange(lo, hi, dtype=numpy.float32)
    return numpy.exp(-0.5 * ((x - center) / sigma) ** 2)


def _add_blob(image: numpy.ndarray, cy: float, cx: float, sigma: float, amplitude: float) -> None:
    """Add a separable Gaussian blob, drawn only within 4 sigma."""
    side = image.shape[0]
    reach = 4 * sigma
    y0, y1 = max(int(cy - reach), 0), min(int(cy + reach) + 1, side)
    x0, x1 = max(int(cx - reach), 0), min(int(cx + reach) + 1, side)
    if y0 >= y1 or x0 >= x1:
        return
    gy = _gauss1d(cy, sigma, y0, y1) * numpy.float32(amplitude)
    gx = _gauss1d(cx, sigma, x0, x1)
    image[y0:y1, x0:x1] += gy[:, None] * gx[None, :]


def micro16_frames(count: int, seed: int = 1) -> numpy.ndarray:
    """Return `count` uint16 frames (count, 2048, 2048) of a cell time series."""
    side = FRAME16
    rng = numpy.random.default_rng(seed)
    ncells, npuncta = 220, 1500
    cells = {
        'y': rng.uniform(0, side, ncells), 'x': rng.uniform(0, side, ncells),
        'sigma': rng.uniform(10, 32, ncells), 'amp': rng.uniform(150, 900, ncells),
        'vy': rng.normal(0, 3, ncells), 'vx': rng.normal(0, 3, ncells),
        'ny': rng.normal(0, 3, ncells), 'nx': rng.normal(0, 3, ncells),
        'namp': rng.uniform(400, 2200, ncells),
    }
    puncta = {
        'y': rng.uniform(0, side, npuncta), 'x': rng.uniform(0, side, npuncta),
        'sigma': rng.uniform(1.0, 2.5, npuncta), 'amp': rng.uniform(80, 600, npuncta),
    }
    # uneven illumination: a broad vignette, separable
    ramp = numpy.linspace(-1, 1, side, dtype=numpy.float32)
    background = 60 + 50 * numpy.outer(1 - 0.5 * ramp**2, 1 - 0.4 * ramp**2)
    frames = numpy.empty((count, side, side), numpy.uint16)
    for f in range(count):
        frng = numpy.random.default_rng([seed, f])
        signal = background.copy()
        for i in range(ncells):
            cy = cells['y'][i] + f * cells['vy'][i]
            cx = cells['x'][i] + f * cells['vx'][i]
            _add_blob(signal, cy, cx, cells['sigma'][i], cells['amp'][i])
            _add_blob(signal, cy + cells['ny'][i], cx + cells['nx'][i],
                      0.4 * cells['sigma'][i], cells['namp'][i])
        blink = frng.uniform(0.5, 1.5, npuncta)
        for i in range(npuncta):
            _add_blob(signal, puncta['y'][i] + frng.normal(0, 0.5), puncta['x'][i] + frng.normal(0, 0.5),
                      puncta['sigma'][i], puncta['amp'][i] * blink[i])
        counts = frng.poisson(signal).astype(numpy.float32)
        counts += frng.normal(100, 3, (side, side)).astype(numpy.float32)  # offset + read noise
        numpy.clip(numpy.rint(counts), 0, 4095, out=counts)
        frames[f] = counts
    return frames


# ---------------------------------------------------------------- float field

FRAME32 = 1024


def field32_frames(count: int, seed: int = 2) -> numpy.ndarray:
    """Return `count` smooth float32 fields (count, 1024, 1024)."""
    side = FRAME32
    rng = numpy.random.default_rng(seed)
    nwaves, nbumps = 6, 10
    waves = {
        'ky': rng.uniform(-4, 4, nwaves), 'kx': rng.uniform(-4, 4, nwaves),
        'amp': rng.uniform(0.5, 4, nwaves), 'phase': rng.uniform(0, 2 * math.pi, nwaves),
        'speed': rng.uniform(-0.3, 0.3, nwaves),
    }
    bumps = {
        'y': rng.uniform(0, 1, nbumps), 'x': rng.uniform(0, 1, nbumps),
        'w': rng.uniform(0.04, 0.2, nbumps), 'amp': rng.uniform(-6, 6, nbumps),
    }
    y, x = numpy.mgrid[:side, :side].astype(numpy.float64) / side
    frames = numpy.empty((count, side, side), numpy.float32)
    for f in range(count):
        field = numpy.full((side, side), 15.0)
        for i in range(nwaves):
            field += waves['amp'][i] * numpy.sin(
                2 * math.pi * (waves['ky'][i] * y + waves['kx'][i] * x)
                + waves['phase'][i] + f * waves['speed'][i]
            )
        for i in range(nbumps):
            d2 = (y - bumps['y'][i] - 0.01 * f) ** 2 + (x - bumps['x'][i]) ** 2
            field += bumps['amp'][i] * numpy.exp(-d2 / bumps['w'][i] ** 2)
        frames[f] = field
    return frames


_FRAMES: dict = {}


def _frames(func, count: int) -> numpy.ndarray:
    """Memoized frames: the first frames do not depend on how many are made."""
    have = _FRAMES.get(func)
    if have is None or len(have) < count:
        have = _FRAMES[func] = func(count)
    return have[:count]


def _tiled(frames_func, frame_side: int, itemsize: int, size: int) -> bytes:
    """A central tile of frame 0 below a frame's size, else whole frames."""
    frame_bytes = frame_side * frame_side * itemsize
    if size < frame_bytes and size % itemsize == 0:
        n = size // itemsize
        h = 1 << int(math.log2(math.isqrt(n)))
        w = n // h
        if h * w == n and w <= frame_side:
            frame = _frames(frames_func, 1)[0]
            y0, x0 = (frame_side - h) // 2, (frame_side - w) // 2
            return frame[y0:y0 + h, x0:x0 + w].tobytes()
    count = -(-size // frame_bytes)
    return _frames(frames_func, count).tobytes()[:size]


# ---------------------------------------------------------------- text

# Common English words, roughly most frequent first.
WORDS = """
the of and to a in is it you that he was for on are with as I his they be at
one have this from or had by hot but some what there we can out other were all
your when up use word how said an each she which do their time if will way
about many then them would write like so these her long make thing see him two
has look more day could go come did my sound no most number who over know water
than call first people may down side been now find any new work part take get
place made live where after back little only round man year came show every
good me give our under name very through just form much great think say help
low line before turn cause same mean differ move right boy old too does tell
sentence set three want air well also play small end put home read hand port
large spell add even land here must big high such follow act why ask men change
went light kind off need house picture try us again animal point mother world
near build self earth father head stand own page should country found answer
school grow study still learn plant cover food sun four thought let keep eye
never last door between city tree cross since hard start might story saw far sea
draw left late run while press close night real life few stop open seem together
next white children begin got walk example ease paper often always music those
both mark book letter until mile river car feet care second group carry took
rain eat room friend began idea fish mountain north once base hear horse cut
sure watch color face wood main enough plain girl usual young ready above ever
red list though feel talk bird soon body dog family direct pose leave song
measure state product black short numeral class wind question happen complete
ship area half rock order fire south problem piece told knew pass farm top whole
king size heard best hour better true during hundred am remember step early hold
west ground interest reach fast five sing listen six table travel less morning
ten simple several vowel toward war lay against pattern slow center love person
money serve appear road map science rule govern pull cold notice voice fall
power town fine certain fly unit lead cry dark machine note wait plan figure
star box noun field rest correct able pound done beauty drive stood contain
front teach week final gave green oh quick develop sleep warm free minute strong
special mind behind clear tail produce fact street inch lot nothing course stay
wheel full force blue object decide surface deep moon island foot yet busy test
record boat common gold possible plane age dry wonder laugh thousand ago ran
check game shape yes cool miss brought heat snow bed bring sit perhaps fill east
weight language among
""".split()


def text_chunk(index: int, seed: int = 3, size: int = MiB) -> bytes:
    """Return `size` bytes of English-like text; chunk `index` of a stream."""
    rng = numpy.random.default_rng([seed, index])
    nwords = len(WORDS)
    weights = 1.0 / numpy.arange(1, nwords + 1) ** 1.05
    count = size // 4 + 64
    idx = rng.choice(nwords, size=count, p=weights / weights.sum())
    sentence = rng.integers(4, 24, size=count // 4 + 2)
    comma = rng.random(count) < 0.07
    para = rng.random(len(sentence)) < 0.15
    words = WORDS
    capital = [w[:1].upper() + w[1:] for w in WORDS]
    parts = []
    pos = 0
    for s, length in enumerate(sentence):
        end = min(pos + int(length), count)
        if pos >= end:
            break
        tokens = [capital[idx[pos]]]
        for j in range(pos + 1, end):
            tokens.append(words[idx[j]] + ',' if comma[j] and j < end - 1 else words[idx[j]])
        parts.append(' '.join(tokens) + ('.\n\n' if para[s] else '. '))
        pos = end
    text = ''.join(parts).encode('ascii')
    while len(text) < size:  # never with the defaults; keeps the contract
        text += text
    return text[:size]


def text_bytes(size: int, seed: int = 3) -> bytes:
    """Return `size` bytes of English-like text, a prefix of any longer size."""
    chunks = [text_chunk(i, seed) for i in range(-(-size // MiB))]
    return b''.join(chunks)[:size]


# ---------------------------------------------------------------- photos

def samples_folder() -> pathlib.Path | None:
    """Return the folder of the bundled samples, in the tree or installed."""
    folder = REPO / 'src' / 'ndcodecs' / 'samples'
    if folder.is_dir():
        return folder
    import importlib.util

    spec = importlib.util.find_spec('ndcodecs')
    for location in (spec.submodule_search_locations or []) if spec else []:
        folder = pathlib.Path(location) / 'samples'
        if folder.is_dir():
            return folder
    return None


def _decode_photos(via: str, folder: str, out: str) -> None:
    """Subprocess entry: decode every PNG in `folder` with `via`, write an NPZ."""
    paths = sorted(pathlib.Path(folder).glob('*.png'))
    if not paths:
        raise SystemExit('no PNG samples')
    if via == 'ndcodecs':
        import ndcodecs

        decode = ndcodecs.get_codec('png').decode
    else:
        import imagecodecs

        decode = imagecodecs.png_decode
    numpy.savez(out, **{path.stem: numpy.ascontiguousarray(decode(path.read_bytes())) for path in paths})
    print(f'decoded {len(paths)} PNG samples with {via}')


_SAMPLES: dict = {}


def sample_images() -> tuple[dict | None, str]:
    """Return ({stem: array} of the decoded sample PNGs, how), or (None, why)."""
    if 'arrays' in _SAMPLES:
        return _SAMPLES['arrays'], _SAMPLES['note']
    folder = samples_folder()
    if folder is None or not list(folder.glob('*.png')):
        return None, 'no bundled PNG samples found'
    import tempfile

    reasons = []
    for via in ('ndcodecs', 'imagecodecs'):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, 'photos.npz')
            proc = subprocess.run(
                [sys.executable, __file__, 'photos', via, str(folder), out],
                capture_output=True, text=True, cwd=tmp, timeout=300,
            )
            if proc.returncode == 0:
                with numpy.load(out) as npz:
                    arrays = {name: npz[name] for name in sorted(npz.files)}
                _SAMPLES.update(arrays=arrays, note=f'decoded by {via}')
                return arrays, _SAMPLES['note']
            last = (proc.stderr.strip().splitlines() or ['?'])[-1]
            reasons.append(f'{via}: {last}')
    return None, 'cannot decode the PNG samples (' + '; '.join(reasons) + ')'


def photos_bytes() -> tuple[bytes | None, str]:
    """Return the decoded sample photos concatenated, and how they were decoded."""
    arrays, note = sample_images()
    if arrays is None:
        return None, note
    return b''.join(a.tobytes() for a in arrays.values()), note


def _enlarge(image: numpy.ndarray, factor: int) -> numpy.ndarray:
    """Bilinear enlargement of an (h, w, c) image by an integer factor."""
    h, w = image.shape[:2]
    ys = numpy.clip((numpy.arange(h * factor) + 0.5) / factor - 0.5, 0, h - 1)
    xs = numpy.clip((numpy.arange(w * factor) + 0.5) / factor - 0.5, 0, w - 1)
    y0, x0 = ys.astype(int), xs.astype(int)
    y1, x1 = numpy.minimum(y0 + 1, h - 1), numpy.minimum(x0 + 1, w - 1)
    fy, fx = (ys - y0)[:, None, None], (xs - x0)[None, :, None]
    img = image.astype(numpy.float32)
    top = img[y0][:, x0] * (1 - fx) + img[y0][:, x1] * fx
    bottom = img[y1][:, x0] * (1 - fx) + img[y1][:, x1] * fx
    return top * (1 - fy) + bottom * fy


def photo4mp() -> tuple[numpy.ndarray | None, str]:
    """Return the 2048x2048 RGB photo-like image, or (None, why)."""
    arrays, note = sample_images()
    if arrays is None:
        return None, note
    image = _enlarge(arrays['astronaut'], 4)
    image += numpy.random.default_rng(4).normal(0, 2, image.shape).astype(numpy.float32)
    return numpy.clip(numpy.rint(image), 0, 255).astype(numpy.uint8), note


def _frames_shape(frame_side: int, itemsize: int, size: int) -> tuple:
    frame_bytes = frame_side * frame_side * itemsize
    if size % frame_bytes == 0:
        return (size // frame_bytes, frame_side, frame_side)
    return (size // itemsize,)


# ---------------------------------------------------------------- cache

# sha256 of the generated data as made with numpy 2.4 (version 1 of the
# generators). Another numpy may draw other random numbers: such data are
# flagged in the report, as their results do not compare with recorded ones.
REFERENCE = {
    ('micro16', 1024): '3f229e761165f1b0a6be0cd06fc04e77921d39a71b35f8aff6a2857ed58b7666',
    ('micro16', 65536): '52e6a38f08df8299d1f04d7b975c476f278c450eb43772c1183b46643ebc6472',
    ('micro16', 1048576): 'f8225d5d1e6237780c2a0a41f11086f26fc4a24f50494f54d80144d32876819e',
    ('micro16', 4194304): 'f0876af0478ab3cd996f10859ac3a921d7d1a4c2e68d5b26275662d57ee61773',
    ('micro16', 16777216): 'd736f09aff1b29d43470a8cb9b98335d2fbcbc8c828f4ff1c9991fa007dfe6b0',
    ('micro16', 67108864): '31632f5fb86155ade675f877dada3bf296bd4189eeda4b6a1bedbe296f5359ab',
    ('field32', 1024): '172738783cafd3a6072f8350b08e0e49d3fc09f361255c6e7436c26f6990edb3',
    ('field32', 65536): '10a0eae6b944a2bb3973d4dd6da2415c5028cfd404eb3c12633f90f22e9c0809',
    ('field32', 1048576): '5fab06b59004c493145d39427609cd104f7f5858d9c8d6cfcbd4b01ed52f5a66',
    ('field32', 4194304): 'bb021dfa6eb34c700834b3815e4c69ff0cf9bb4f2597a136721b11eecf21e893',
    ('field32', 16777216): 'e811036ead47532e74219790230e1069946c78cf6c5bcb934602cee9c92834fb',
    ('text', 1024): '898ea9ac926f7e673396c67e3ad56043886866691d5d2c16f9c4393c31e64228',
    ('text', 65536): '45f4a102414736b4d53412ed1895dc7946d02d252306eb0cd99425e256aa2cb4',
    ('text', 1048576): '4714879ca54ab22ac595e11ed5eee3b1d12e8ba076e62855ffbcf92a3f0abdfd',
    ('text', 16777216): 'f1be2ff5ef405d0b1f81616f6480ae1f52474df0aca012b501a4fe1da971b5a0',
    ('text', 67108864): 'f5a0a1255fff3076e418f87844cdca7722d0629bd59cda092172e6ce130f13d8',
}

def make(name: str, size: int | None) -> tuple[bytes | None, str, dict]:
    """Return (data, note, {'dtype', 'shape'}) for a dataset at a size
    (None: natural size)."""
    if name == 'micro16':
        size = size or FRAME16 * FRAME16 * 2
        return (_tiled(micro16_frames, FRAME16, 2, size), '',
                {'dtype': 'uint16', 'shape': _frames_shape(FRAME16, 2, size)})
    if name == 'field32':
        size = size or FRAME32 * FRAME32 * 4
        return (_tiled(field32_frames, FRAME32, 4, size), '',
                {'dtype': 'float32', 'shape': _frames_shape(FRAME32, 4, size)})
    if name == 'text':
        data = text_bytes(size or MiB)
        return data, '', {'dtype': 'uint8', 'shape': (len(data),)}
    if name == 'photos':
        data, note = photos_bytes()
        if data is not None and size is not None:
            if size > len(data):
                return None, f'photos has only {len(data)} bytes', {}
            data = data[:size]
        return data, note, {'dtype': 'uint8', 'shape': (len(data or b''),)}
    if size is not None:
        raise ValueError(f'{name} has only its natural size')
    if name in ('micro16frame', 'field32frame'):
        image = _frames(micro16_frames if name == 'micro16frame' else field32_frames, 1)[0]
        note = ''
    elif name == 'photo4mp':
        image, note = photo4mp()
    elif name == 'hdr':
        arrays, note = sample_images()
        image = None if arrays is None else (
            4 * (arrays['astronaut'].astype(numpy.float32) / 255) ** 2.2).astype(numpy.float32)
    elif name.startswith('img-') and name[4:] in SAMPLE_IMAGES:
        arrays, note = sample_images()
        image = None if arrays is None else arrays.get(name[4:])
        if arrays is not None and image is None:
            note = f'no sample {name[4:]}.png'
    else:
        raise ValueError(f'no dataset named {name!r}')
    if image is None:
        return None, note, {}
    return image.tobytes(), note, {'dtype': image.dtype.name, 'shape': image.shape}


def psnr(original: numpy.ndarray, decoded) -> float:
    """Return the PSNR in dB of `decoded` against `original`, with the
    original's value range as the peak (inf if identical)."""
    a = original.astype(numpy.float64).ravel()
    b = numpy.asarray(decoded).astype(numpy.float64).ravel()
    if a.shape != b.shape:
        raise AssertionError(f'decoded {b.size} values, expected {a.size}')
    mse = numpy.mean((a - b) ** 2)
    peak = float(a.max() - a.min()) or 1.0
    return math.inf if mse == 0 else 10 * math.log10(peak * peak / mse)


def as_array(entry: dict, data: bytes) -> numpy.ndarray:
    """Return a dataset's bytes as the (writable) array its manifest entry
    describes: some encoders refuse read-only input."""
    return numpy.frombuffer(bytearray(data), entry['dtype']).reshape(entry['shape'])


class Cache:
    """Dataset files in a folder, with a manifest of sizes and sha256."""

    def __init__(self, folder: pathlib.Path) -> None:
        self.folder = pathlib.Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.manifest_path = self.folder / 'manifest.json'
        try:
            self.manifest = json.loads(self.manifest_path.read_text())
        except (OSError, ValueError):
            self.manifest = {}
        self._memo: dict[str, tuple[bytes | None, str]] = {}

    @staticmethod
    def key(name: str, size: int | None) -> str:
        return f'{name}-{size if size is not None else "natural"}-v{VERSION}'

    def get(self, name: str, size: int | None) -> dict | None:
        """Return the manifest entry of (name, size), making the file if needed.

        The entry has 'path', 'size', 'sha256', 'itemsize', 'note'; None
        (with the reason in ``self.skipped``) if the dataset cannot be made.
        """
        key = self.key(name, size)
        entry = self.manifest.get(key)
        if entry and (self.folder / entry['file']).is_file() and \
                (self.folder / entry['file']).stat().st_size == entry['size']:
            return {**entry, 'path': str(self.folder / entry['file'])}
        if entry and entry.get('missing'):
            return None
        data, note, meta = make(name, size)
        if data is None:
            self.manifest[key] = {'missing': True, 'note': note}
            self._save()
            return None
        file = key + '.bin'
        (self.folder / file).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        reference = REFERENCE.get((name, size))
        if reference is not None and reference != digest:
            note = (note + '; ' if note else '') + (
                f'DIFFERS from the reference data (numpy {numpy.__version__}): '
                'not comparable with recorded results')
            print(f'warning: {name} {size}: {note}', file=sys.stderr)
        entry = {
            'file': file, 'name': name, 'size': len(data),
            'sha256': digest,
            'itemsize': DATASETS[name]['itemsize'], 'note': note,
            'dtype': meta['dtype'], 'shape': list(meta['shape']),
        }
        self.manifest[key] = entry
        self._save()
        return {**entry, 'path': str(self.folder / file)}

    def note(self, name: str, size: int | None) -> str:
        entry = self.manifest.get(self.key(name, size)) or {}
        return entry.get('note', '')

    def _save(self) -> None:
        tmp = self.manifest_path.with_suffix('.tmp')
        tmp.write_text(json.dumps(self.manifest, indent=1, sort_keys=True))
        tmp.replace(self.manifest_path)


def read_checked(entry: dict) -> bytes:
    """Read a cached dataset and check its sha256 against the manifest entry."""
    data = pathlib.Path(entry['path']).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if len(data) != entry['size'] or digest != entry['sha256']:
        raise ValueError(f"dataset {entry['file']}: checksum mismatch ({digest[:12]} != {entry['sha256'][:12]})")
    return data


if __name__ == '__main__':
    if len(sys.argv) == 5 and sys.argv[1] == 'photos':
        _decode_photos(*sys.argv[2:])
    else:
        # python bench/bench_data.py: print every dataset's sizes and checksums
        import time

        for name in ('micro16', 'field32', 'text'):
            for size in (KiB, 64 * KiB, MiB, 16 * MiB):
                t = time.perf_counter()
                data, _, _ = make(name, size)
                print(f'{name:8} {size_label(size):>4} {hashlib.sha256(data).hexdigest()[:16]} '
                      f'{time.perf_counter() - t:.2f}s')

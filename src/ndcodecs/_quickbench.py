"""`ndcodecs bench`: encode and decode speed of ndcodecs' own codecs.

This times ndcodecs alone, on tiles of the bundled microscopy sample; the
comparison with other packages lives in the repository's bench/ folder.
"""

from __future__ import annotations


from ._demo import best_time
from ._registry import get_codec, list_codecs
from ._samples import sample

SIZES = (1 << 10, 1 << 20, 16 << 20)


def _payload(size: int) -> bytes:
    tile = sample('microscopy16').tobytes()
    return (tile * (size // len(tile) + 1))[:size]


def run(codecs=None, sizes=SIZES, level=None, out=print) -> int:
    """Print MB/s of encode and decode per codec and size; return 0."""
    names = codecs or list_codecs(kind='compressor', available=True)
    out(f'{"codec":<10} {"size":>9} {"ratio":>7} {"enc MB/s":>9} {"dec MB/s":>9}')
    for name in names:
        codec = get_codec(name)
        if not (codec.available and codec.can_encode) or codec.name == 'none':
            continue
        for size in sizes:
            data = _payload(size)
            repeat = max(3, min(1000, (8 << 20) // size))
            args = () if level is None else (level,)
            t_enc, encoded = best_time(lambda d: codec.encode(d, *args), data, repeat)
            t_dec, decoded = best_time(codec.decode, encoded, repeat)
            if bytes(decoded) != data:
                raise codec.error(f'{name} changed the data')
            out(
                f'{name:<10} {size:>9} {size / max(len(encoded), 1):7.2f} '
                f'{size / 1e6 / t_enc:9.1f} {size / 1e6 / t_dec:9.1f}'
            )
    return 0

"""The ndcodecs command line tool."""

import argparse
import glob
import os
import sys
import threading

from ._registry import KINDS


class CliError(Exception):
    """An error reported as one line, with exit status 1."""


def _show_config(args) -> int:
    from ._info import codec_table

    rows = codec_table()
    width = max(len(r['name']) for r in rows)
    for r in rows:
        if r['available']:
            status = r['version'] or 'available'
        else:
            status = 'unavailable'
            if r['debian']:
                status += f' (apt install {r["debian"]})'
            elif r['reason']:
                status += ': ' + r['reason'].split(' is not available: ', 1)[-1]
        print(f'{r["name"]:<{width}}  {r["kind"]:<10}  {status}')
    return 0


def _demo(args) -> int:
    from ._demo import run

    return run(samples=args.sample, repeat=args.repeat)


def _bench(args) -> int:
    from ._quickbench import SIZES, run

    return run(codecs=args.codec, sizes=args.size or SIZES, level=args.level)


def _formats(args) -> int:
    from ._info import codec_table
    from ._registry import get_codec

    header = ('codec', 'kind', 'extensions', 'modes', 'library')
    rows = []
    for row in codec_table():
        codec = get_codec(row['name'])
        if args.kind and codec.kind != args.kind:
            continue
        modes = ('r' if codec.can_decode else '-') + ('w' if codec.can_encode else '-')
        modes += 'm' if codec.multiframe else ''
        if row['available']:
            status = row['version'] or codec.library
        else:
            status = 'unavailable: ' + (row['reason'] or '').split(' is not available: ', 1)[-1]
        rows.append((codec.name, codec.kind, ' '.join(codec.extensions) or '-', modes, status))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        print('  '.join(f'{v:<{w}}' for v, w in zip(row, widths)) + '  ' + row[4])
    return 0


def _summary(meta: dict, skip=('codec', 'library', 'compression')) -> str:
    items = []
    for key, value in meta.items():
        if key in skip:
            continue
        if isinstance(value, dict):
            value = '{' + ', '.join(f'{k}: {str(v)[:40]}' for k, v in value.items()) + '}'
        items.append(f'{key}={value}')
    return ', '.join(items) or '-'


def _info(args) -> int:
    from .io.v3 import open_reader

    status = 0
    for name in args.files:
        try:
            with open_reader(name) as reader:
                props = reader.properties()
                meta = reader.metadata()
                frames = reader.n_frames
        except Exception as exc:
            if args.debug:
                raise
            print(f'ndcodecs: error: {name}: {exc}', file=sys.stderr)
            status = 1
            continue
        print(name)
        print(f'  format: {reader.codec.name} ({meta.get("library") or reader.codec.library})')
        print(f'  shape: {props.shape}  dtype: {props.dtype}  frames: {frames}')
        print(f'  compression: {meta.get("compression", reader.codec.name)}')
        print(f'  metadata: {_summary(meta)}')
    return status


def _has_display() -> bool:
    if sys.platform.startswith(('linux', 'freebsd')):
        return bool(os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY'))
    return True


def _view(args) -> int:
    import importlib.util

    if importlib.util.find_spec('matplotlib') is None:
        raise CliError('view needs matplotlib (pip install matplotlib)')
    if not args.save and not _has_display():
        raise CliError('no display available (DISPLAY is not set): use --save OUT.png')
    import matplotlib
    import numpy

    from .io import imread

    if args.save:
        matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    image = numpy.asarray(imread(args.file, index=args.index))
    while image.ndim > 3 or (image.ndim == 3 and image.shape[2] > 4):
        image = image[0]  # the first frame of a stack
    if image.ndim == 3 and image.shape[2] < 3:
        image = image[..., 0]  # gray, without its alpha
    if image.ndim == 3 and image.dtype != numpy.uint8:
        image = image.astype(numpy.float64)
        image = (image - image.min()) / max(image.max() - image.min(), 1e-12)
    fig, ax = plt.subplots()
    ax.imshow(image, cmap='gray' if image.ndim == 2 else None)
    ax.set_title(os.path.basename(str(args.file)))
    ax.set_axis_off()
    if args.save:
        fig.savefig(args.save, bbox_inches='tight')
        print(f'saved {args.save}')
    else:
        plt.show()
    return 0


def _inputs(source: str) -> list[str]:
    """Return the files a path, folder or glob names, sorted."""
    from .io.formats import by_extension, image_codecs

    if os.path.isdir(source):
        codecs = [c for c in image_codecs() if c.can_decode]
        names = sorted(os.listdir(source))
        files = [os.path.join(source, n) for n in names if by_extension(n, codecs)]
        files = [f for f in files if not os.path.isdir(f)]
        if not files:
            raise CliError(f'{source} holds no image files')
        return files
    if glob.has_magic(source):
        files = sorted(f for f in glob.glob(source) if not os.path.isdir(f))
        if not files:
            raise CliError(f'no files match {source}')
        return files
    return [source]


def _progress(done: int, total: int, enabled: bool) -> None:
    if enabled:
        end = '\n' if done == total else ''
        print(f'\rconvert: {done}/{total} files', end=end, file=sys.stderr, flush=True)


def _convert_zarr(args, inputs: list[str]) -> int:
    """Write the frames of the inputs to a Zarr 3 store through dask."""
    from .io.tozarr import to_zarr

    show = not args.quiet and (args.progress or sys.stderr.isatty())
    shape = to_zarr(
        inputs, args.output, codec=args.codec, level=args.level, chunks=args.chunks,
        index=args.index, scheduler=args.scheduler, progress=show,
    )
    if not args.quiet:
        print(f'wrote {args.output} (zarr, {args.codec or "zstd"}, shape {shape}, '
              f'{len(inputs)} input file(s))')
    return 0


def _convert(args) -> int:
    from .io.formats import write_codec
    from .io.resources import open_sink
    from .io.v3 import open_reader
    from .io.writers import make_writer

    inputs = _inputs(args.input)
    if args.output.rstrip('/\\').lower().endswith('.zarr'):
        return _convert_zarr(args, inputs)
    if args.chunks or args.scheduler:
        raise CliError('--chunks and --scheduler apply to Zarr output (OUT ending in .zarr)')
    codec = write_codec(args.output, args.codec)
    kwargs = {} if args.level is None else {'level': args.level}
    show = not args.quiet and (args.progress or sys.stderr.isatty()) and len(inputs) > 1
    with make_writer(open_sink(args.output), codec, **kwargs) as writer:
        for done, name in enumerate(inputs, 1):
            with open_reader(name) as reader:
                if len(inputs) == 1 and args.index is None and reader.n_frames == 1:
                    writer.write_image(reader.read())
                elif args.index is not None:
                    writer.write(reader.read(args.index))
                else:
                    for frame in reader.iter():
                        writer.write(frame)
            _progress(done, len(inputs), show)
    if not args.quiet:
        print(f'wrote {args.output} ({codec.name}, {len(inputs)} input file(s))')
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog='ndcodecs', description=__doc__)
    parser.add_argument('--debug', action='store_true', help='show tracebacks')
    sub = parser.add_subparsers(dest='command', required=True)
    p = sub.add_parser('show-config', help='list codecs, availability and library versions')
    p.set_defaults(func=_show_config)
    p = sub.add_parser('demo', help='round-trip the bundled samples through every codec')
    p.add_argument('--sample', action='append', help='sample name (repeatable)')
    p.add_argument('--repeat', type=int, default=3, help='timing repeats')
    p.set_defaults(func=_demo)
    p = sub.add_parser('bench', help="time ndcodecs' compressors on microscopy data")
    p.add_argument('--codec', action='append', help='codec name (repeatable); default all')
    p.add_argument('--size', action='append', type=int, help='payload bytes (repeatable)')
    p.add_argument('--level', type=int, help='compression level; default each codec\'s')
    p.set_defaults(func=_bench)
    p = sub.add_parser('info', help='format, shape, dtype, frames and metadata of image files')
    p.add_argument('files', nargs='+', metavar='FILE')
    p.set_defaults(func=_info)
    p = sub.add_parser('view', help='show an image with matplotlib')
    p.add_argument('file', metavar='FILE')
    p.add_argument('--index', type=int, help='frame to show (default: the first)')
    p.add_argument('--save', metavar='OUT', help='render to this file instead of a window')
    p.set_defaults(func=_view)
    p = sub.add_parser(
        'convert', help='convert an image, a multi-page file, a folder or a glob to another format'
    )
    p.add_argument('input', metavar='IN', help='file, folder or quoted glob pattern')
    p.add_argument(
        'output', metavar='OUT',
        help='output file, whose extension chooses the codec, or a Zarr store (NAME.zarr)',
    )
    p.add_argument(
        '--codec', help='output codec name or extension; for Zarr, the chunk codec '
        '(a compressor such as zstd, or an image codec such as png; default zstd)',
    )
    p.add_argument('--level', type=int, help='compression level')
    p.add_argument('--index', type=int, help='convert only this frame of each input')
    p.add_argument('--chunks', help='Zarr chunk shape, e.g. 4,256,256 (default: one frame per chunk)')
    p.add_argument('--scheduler', metavar='ADDRESS', help='dask.distributed scheduler for Zarr output')
    p.add_argument('--progress', action='store_true', help='show progress even when not on a terminal')
    p.add_argument('--quiet', action='store_true', help='print nothing but errors')
    p.set_defaults(func=_convert)
    p = sub.add_parser('formats', help='the capability table of every codec')
    p.add_argument('--kind', choices=KINDS, help='only codecs of this kind')
    p.set_defaults(func=_formats)
    return parser


def main(argv=None) -> int:
    """Run the command; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print('ndcodecs: interrupted', file=sys.stderr)
        if argv is None and threading.active_count() > 1:
            # worker threads may be blocked in reads (a FIFO, a stalled
            # server); the partial output is gone, so leave without them
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(f'ndcodecs: error: {exc}', file=sys.stderr)
        return 1

"""The ndcodecs command line tool."""

import argparse
import sys


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
    return parser


def main(argv=None) -> int:
    """Run the command; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print('ndcodecs: interrupted', file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(f'ndcodecs: error: {exc}', file=sys.stderr)
        return 1

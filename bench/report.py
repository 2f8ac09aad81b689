"""Markdown tables from the benchmark records (see run.py for the records)."""

from __future__ import annotations

import math
import re

import bench_data
import peers

SLOWER = 0.95  # ndcodecs/best-peer below this is shown in bold


def best_peer(record):
    """Return (lib, MB/s) of the fastest peer of a record, or None."""
    best = None
    for lib, info in record['libs'].items():
        if lib != 'ndcodecs' and info.get('mbps') and (best is None or info['mbps'] > best[1]):
            best = (lib, info['mbps'])
    return best


def _num(x: float) -> str:
    if x >= 100:
        return f'{x:.0f}'
    if x >= 10:
        return f'{x:.1f}'
    return f'{x:.2f}'


def _cell(info) -> str:
    if info is None or info.get('ok') is None:
        return '—'
    if info.get('ok') is False:
        return 'FAIL'
    return _num(info['mbps']) if info.get('mbps') else '—'


def _ratio(a, b, bold=False) -> str:
    if not a or not b:
        return '—'
    r = a / b
    text = f'{r:.2f}'
    return f'**{text}**' if bold and r < SLOWER else text


def _geomean(values):
    values = [v for v in values if v and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def _size(record) -> str:
    return bench_data.size_label(record['size'])


def _codec_libs(records):
    present = set()
    for r in records:
        for lib, info in r['libs'].items():
            if info.get('ok') is not None:
                present.add(lib)
    return [lib for lib in peers.LIBS if lib in present]


def codec_table(records) -> list[str]:
    libs = _codec_libs(records)
    others = [lib for lib in libs if lib != 'ndcodecs']
    head = ['dataset', 'size', 'level', 'thr', 'op']
    head += [f'{peers.SHORT[lib]} MB/s' for lib in libs]
    head += ['nd/best'] + [f'nd/{peers.SHORT[lib]}' for lib in others] + ['ratio']
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for r in records:
        nd = r['libs'].get('ndcodecs', {}).get('mbps')
        best = best_peer(r)
        cells = [r['dataset'], _size(r), r['level'], str(r['threads']), r['op']]
        cells += [_cell(r['libs'].get(lib)) for lib in libs]
        cells.append(_ratio(nd, best[1] if best else None, bold=True))
        cells += [_ratio(nd, r['libs'].get(lib, {}).get('mbps')) for lib in others]
        cells.append(f"{r['size'] / r['encoded_size']:.2f}" if r.get('encoded_size') else '—')
        lines.append('| ' + ' | '.join(cells) + ' |')
    return lines


def summary_table(by_codec) -> list[str]:
    lines = [
        '| codec | peers | rows | encode nd/best (geomean) | encode worst row | '
        'decode nd/best (geomean) | decode worst row |',
        '|---|---|---|---|---|---|---|',
    ]
    for codec, records in by_codec.items():
        peers_seen = [peers.SHORT[lib] for lib in _codec_libs(records) if lib != 'ndcodecs']
        cells = [codec, ', '.join(peers_seen) or '—', str(len(records))]
        for op in ('encode', 'decode'):
            ratios = []
            for r in records:
                nd = r['libs'].get('ndcodecs', {}).get('mbps')
                best = best_peer(r)
                if r['op'] == op and nd and best:
                    ratios.append((nd / best[1], r, best[0]))
            g = _geomean([x[0] for x in ratios])
            cells.append(f'{g:.2f}' if g else '—')
            if ratios:
                worst, r, lib = min(ratios, key=lambda x: x[0])
                cells.append(f"{worst:.2f} ({r['dataset']} {_size(r)} {r['level']} vs {peers.SHORT[lib]})")
            else:
                cells.append('—')
        lines.append('| ' + ' | '.join(cells) + ' |')
    return lines


def overhead_table(by_codec) -> list[str]:
    """Calls per second on a 1 KiB payload at each codec's default level."""
    rows = []
    for codec, records in by_codec.items():
        small = [r for r in records if r['size'] == 1024 and r['threads'] == 1]
        if not small:
            continue
        dataset = 'micro16' if any(r['dataset'] == 'micro16' for r in small) else small[0]['dataset']
        level = small[0]['level']
        for r in small:
            if r['dataset'] == dataset and r['level'] == level:
                rows.append(r)
    if not rows:
        return []
    libs = [lib for lib in peers.LIBS if any(r['libs'].get(lib, {}).get('mbps') for r in rows)]
    head = ['codec', 'data', 'level', 'op'] + [f'{peers.SHORT[lib]} kcalls/s' for lib in libs]
    head += ['nd/ic', 'nd/best']
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for r in rows:
        cells = [r['codec'], r['dataset'], r['level'], r['op']]
        for lib in libs:
            info = r['libs'].get(lib, {})
            cells.append(f"{1e-3 / info['seconds']:.1f}" if info.get('mbps') else _cell(info))
        nd = r['libs'].get('ndcodecs', {}).get('mbps')
        best = best_peer(r)
        cells.append(_ratio(nd, r['libs'].get('imagecodecs', {}).get('mbps'), bold=True))
        cells.append(_ratio(nd, best[1] if best else None, bold=True))
        lines.append('| ' + ' | '.join(cells) + ' |')
    return lines


_LEVEL_ARG = re.compile(r'\b(level|preset|acceleration|clevel|compresslevel)=(-?\d+)')


def pairs_section(codec, records) -> list[str]:
    """The exact calls compared; levels whose calls differ only in the level share a line."""
    groups = {}  # template -> {'levels': [...], 'calls': {lib: {op: label}}}
    notes = {}
    per_level = {}
    for r in records:
        key = (r['level'], r['threads'])
        for lib, info in r['libs'].items():
            if info.get('label'):
                per_level.setdefault(key, {}).setdefault(lib, {})[r['op']] = info['label']
            elif info.get('ok') is None and info.get('note'):
                notes.setdefault(lib, info['note'])
    for (level, threads), calls in per_level.items():
        template = tuple(
            (lib, op, _LEVEL_ARG.sub(r'\1=L', calls[lib][op]))
            for lib in peers.LIBS if lib in calls for op in ('encode', 'decode') if op in calls[lib]
        )
        group = groups.setdefault((template, threads), {'levels': [], 'calls': calls})
        group['levels'].append(level)
    lines = []
    for (template, threads), group in groups.items():
        levels = group['levels']
        generic = len(levels) > 1
        head = 'levels' if generic else 'level'
        lines.append(f"- {head} {', '.join(f'`{x}`' for x in levels)}, {threads} thread(s)"
                     + (' (L = the level)' if generic else '') + ':')
        for lib in peers.LIBS:
            ops = [(op, text) for name, op, text in template if name == lib]
            if not ops:
                continue
            if not generic:
                ops = [(op, group['calls'][lib][op]) for op, _ in ops]
            lines.append(f'  - {lib}: ' + '; '.join(f'`{text}`' for _, text in ops))
    writers = {r.get('stream_from') for r in records} - {None, 'ndcodecs'}
    if writers:
        lines.append(f"- decode is timed on the stream that {', '.join(sorted(writers))} wrote")
    compared = {lib for calls in per_level.values() for lib in calls}
    missing = [f'{lib} ({note})' for lib, note in notes.items()
               if lib not in compared and lib != 'python-lzo']
    if missing:
        lines.append('- not compared: ' + ', '.join(missing))
    return lines


def failures(records, record=False) -> list[str]:
    lines = []
    for r in records:
        for lib, info in r['libs'].items():
            if info.get('ok') is False:
                error = info.get('error', '?')
                if record:  # no local paths in the committed file
                    error = re.sub(r' \(log: [^)]*\)', '', error)
                lines.append(f"- {r['codec']} {r['level']} {r['dataset']} {_size(r)} {r['op']}: "
                             f"{lib}: {error}")
    return lines


def _command(command: str, record: bool) -> str:
    if record:  # the output folder is local to the machine
        command = re.sub(r' --out(=| )\S+', '', command)
    return command


def markdown(meta, records, record=False) -> str:
    m = meta['machine']
    out = ['# ndcodecs benchmark' + ('' if meta.get('complete') else ' (incomplete run)'), '']
    out += [
        f"- Date: {meta['date']}",
        f"- Command: `{_command(meta['command'], record)}`",
        f"- Machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), "
        f"{m['memory']}, {m['system']}, Python {m['python']}",
        f"- Run time: {meta.get('seconds', 0):.0f} s; load average {meta.get('load', '?')}",
        '- Versions:',
    ]
    try:
        busy = float(meta.get('load_start', 0)) > 0.25 * (m.get('usable_cores') or 1)
    except ValueError:
        busy = False
    if busy:
        out.insert(-1, f"- **Warning**: the load average was {meta['load_start']} when the run started: "
                       'other processes shared the CPU, and the numbers are noisy.')
    for lib in peers.LIBS:
        if lib in meta['versions']:
            out.append(f'  - {lib}: {meta["versions"][lib]}')
    args = meta['args']
    out += [
        '',
        f"Each library runs in a worker process of its own. Per row, every library first checks "
        f"that its decoder returns the original bytes (for lossy settings, an array within the "
        f"setting's PSNR; filters and image codecs take the dataset as an array of its dtype and "
        f"shape); decode is timed on one common stream, the one "
        f"ndcodecs encoded (for decode-only codecs, a peer's). Encode and decode are then timed in "
        f"{args['rounds']} interleaved rounds (fewer, down to 3, for slow calls), one library after "
        f"another in a rotating order, each round repeating the call to fill about "
        f"{args['budget']:g} s per library in all; the tables give the median over the rounds. "
        f"MB/s is 10^6 bytes of uncompressed data per second, for encode and decode alike. "
        f"nd/X is ndcodecs' speed over X's (above 1: ndcodecs is faster); **bold** marks ndcodecs "
        f"below {SLOWER} of the best peer. `ratio` is the compression ratio of the common stream. "
        f"`thr` is the thread count of every library in the row. Peers: "
        + ', '.join(f'{peers.SHORT[lib]} = {lib}' for lib in peers.LIBS) + '.',
        '',
    ]
    by_codec = {}
    for r in records:
        by_codec.setdefault(r['codec'], []).append(r)
    if by_codec:
        out += ['## Summary', ''] + summary_table(by_codec) + ['']
        over = overhead_table(by_codec)
        if over:
            out += ['## Per-call overhead (1 KiB payload)', '',
                    'Thousands of calls per second at the default level, single-threaded.', ''] + over + ['']
    for codec, recs in by_codec.items():
        out += [f'## {codec}', '']
        libversions = {}
        for r in recs:
            for lib, info in r['libs'].items():
                if info.get('version'):
                    libversions.setdefault(lib, info['version'])
        if libversions:
            out += ['Backing library: ' + ', '.join(f'{lib} {v}' for lib, v in libversions.items()) + '.', '']
        out += codec_table(recs) + ['']
        pairs = pairs_section(codec, recs)
        if pairs:
            out += ['Pairs compared:', ''] + pairs + ['']
    out += ['## Datasets', '']
    for key, e in sorted(meta.get('datasets', {}).items()):
        note = f" ({e['note']})" if e.get('note') else ''
        out.append(f"- {e['name']} {bench_data.size_label(e['size'])}: {e['size']} bytes, "
                   f"sha256 {e['sha256'][:16]}{note}")
    out.append('')
    for name, d in bench_data.DATASETS.items():
        out.append(f"- {name}: {d['description']}")
    out.append('')
    skipped = meta.get('skipped_codecs') or {}
    rows = meta.get('skipped_rows') or []
    fails = failures(records, record)
    if skipped or rows or fails:
        out += ['## Skipped and failed', '']
        out += [f'- {codec}: {reason}' for codec, reason in skipped.items()]
        out += [f'- {c} {lv} {name} {bench_data.size_label(size) if size else "natural"}: {why}'
                for c, lv, name, size, why in rows]
        out += fails
        out.append('')
    return '\n'.join(out)

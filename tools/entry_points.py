"""Print the pyproject.toml entry point tables of every registered codec.

numcodecs and zarr load each codec id through its own entry point, so
pyproject.toml lists one line per codec in the groups ``numcodecs.codecs``
(``ndcodecs_<name>``) and ``zarr.codecs`` (``ndcodecs.<name>``). Run this
after adding a codec: ``--write`` replaces the two tables (the end of
pyproject.toml), ``--check`` exits 1 if pyproject.toml differs.

    python tools/entry_points.py [--check | --write]
"""

from __future__ import annotations

import keyword
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def entry_points() -> dict[str, dict[str, str]]:
    """Return {group: {name: 'module:attr'}} for every registered codec."""
    sys.path.insert(0, os.path.join(ROOT, 'src'))
    try:
        from ndcodecs._registry import list_codecs
    finally:
        sys.path.pop(0)

    def cls(name: str) -> str:  # as ndcodecs.numcodecs.class_name
        cls = name[:1].upper() + name[1:]
        return cls + '_' if keyword.iskeyword(cls) else cls

    names = list_codecs()
    return {
        'numcodecs.codecs': {f'ndcodecs_{n}': f'ndcodecs.numcodecs:{cls(n)}' for n in names},
        'zarr.codecs': {f'ndcodecs.{n}': f'ndcodecs.zarr:{cls(n)}' for n in names},
    }


def toml_block() -> str:
    """Return the two entry point tables as pyproject.toml text."""
    lines = []
    for group, items in entry_points().items():
        lines.append(f'[project.entry-points."{group}"]')
        lines.extend(f'"{k}" = "{v}"' for k, v in items.items())
        lines.append('')
    return '\n'.join(lines)


def main(argv: list[str]) -> int:
    if '--check' in argv:
        import tomllib

        with open(os.path.join(ROOT, 'pyproject.toml'), 'rb') as fh:
            project = tomllib.load(fh)['project']
        found = project.get('entry-points', {})
        expected = entry_points()
        if {g: found.get(g) for g in expected} != expected:
            print('pyproject.toml entry points differ from the registry; '
                  'run python tools/entry_points.py', file=sys.stderr)
            return 1
        return 0
    if '--write' in argv:
        path = os.path.join(ROOT, 'pyproject.toml')
        with open(path) as fh:
            text = fh.read()
        start = text.find('[project.entry-points."numcodecs.codecs"]')
        if start >= 0:
            text = text[:start].rstrip('\n') + '\n'
        with open(path, 'w') as fh:
            fh.write(text + '\n' + toml_block())
        return 0
    print(toml_block(), end='')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

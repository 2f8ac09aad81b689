"""The ndcodecs command, run as a subprocess."""

import subprocess
import sys

import ndcodecs


def run(*args):
    return subprocess.run(
        [sys.executable, '-m', 'ndcodecs', *args], capture_output=True, text=True, timeout=600
    )


def test_show_config():
    proc = run('show-config')
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(ndcodecs.list_codecs())
    zstd = next(line for line in lines if line.startswith('zstd '))
    assert ndcodecs.zstd_version() in zstd


def test_demo():
    proc = run('demo', '--repeat', '1', '--sample', 'microscopy16', '--sample', 'field32')
    assert proc.returncode == 0, proc.stderr
    assert 'ratio' in proc.stdout and 'enc MB/s' in proc.stdout
    rows = {line.split()[0]: line for line in proc.stdout.splitlines() if line and line.split()[0] in ndcodecs.list_codecs()}
    assert 'lossless' in rows['zstd']
    assert 'FAILED' not in proc.stdout


def test_errors_are_one_line():
    proc = run('demo', '--sample', 'no-such-sample')
    assert proc.returncode != 0
    assert 'Traceback' not in proc.stderr + proc.stdout


def test_usage_error():
    proc = run('no-such-command')
    assert proc.returncode == 2


def test_bench():
    proc = run('bench', '--codec', 'zstd', '--codec', 'lz4', '--size', '1024', '--size', '100000')
    assert proc.returncode == 0, proc.stderr
    rows = [line.split() for line in proc.stdout.splitlines()[1:]]
    assert [(r[0], r[1]) for r in rows] == [('zstd', '1024'), ('zstd', '100000'), ('lz4', '1024'), ('lz4', '100000')]
    assert all(float(r[3]) > 0 and float(r[4]) > 0 for r in rows)

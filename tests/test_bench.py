"""Smoke tests of the benchmark harness: bench/run.py --quick on a compressor and on
array codecs (lossless and lossy)."""

import json
import pathlib
import subprocess
import sys

import pytest

import ndcodecs

RUN = pathlib.Path(__file__).resolve().parents[1] / 'bench' / 'run.py'


@pytest.mark.skipif(not RUN.is_file(), reason='bench/run.py is not in this tree')
def test_quick_run(tmp_path):
    pytest.importorskip('imagecodecs')
    if not ndcodecs.get_codec('zstd').available:
        pytest.skip('ndcodecs was built without zstd')
    proc = subprocess.run(
        [sys.executable, str(RUN), '--quick', '--codecs', 'zstd', '--rounds', '1',
         '--datasets', 'micro16', '--max-size', '0.0625', '--out', str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    table = (tmp_path / 'results.md').read_text()
    assert '## zstd' in table
    assert '| dataset | size | level | thr | op | nd MB/s | ic MB/s |' in table
    assert '| micro16 | 1K | 3 | 1 | encode |' in table
    results = json.loads((tmp_path / 'results.json').read_text())
    assert results['meta']['complete']
    records = results['records']
    assert {r['op'] for r in records} == {'encode', 'decode'}
    for r in records:
        for lib in ('ndcodecs', 'imagecodecs'):
            info = r['libs'][lib]
            assert info['ok'], (lib, info)
            assert info['mbps'] > 0


@pytest.mark.skipif(not RUN.is_file(), reason='bench/run.py is not in this tree')
def test_quick_run_arrays(tmp_path):
    pytest.importorskip('imagecodecs')
    proc = subprocess.run(
        [sys.executable, str(RUN), '--quick', '--codecs', 'delta,bfloat16', '--rounds', '1',
         '--datasets', 'field32', '--libs', 'imagecodecs', '--row-limit', '100', '--out', str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    records = json.loads((tmp_path / 'results.json').read_text())['records']
    assert {(r['codec'], r['op']) for r in records} == {
        ('delta', 'encode'), ('delta', 'decode'), ('bfloat16', 'encode'), ('bfloat16', 'decode')}
    for r in records:
        assert r['size'] == 4 << 20
        for lib in ('ndcodecs', 'imagecodecs'):
            assert r['libs'][lib]['ok'], (r['codec'], lib, r['libs'][lib])
    # bfloat16 is lossy: half the bytes, checked by PSNR rather than equality
    assert [r['encoded_size'] for r in records if r['codec'] == 'bfloat16'][0] == 2 << 20


SCALING = RUN.parent / 'scaling.py'


@pytest.mark.skipif(not SCALING.is_file(), reason='bench/scaling.py is not in this tree')
def test_scaling_writes_its_section(tmp_path):
    if not ndcodecs.get_codec('jpeg2k').available:
        pytest.skip('ndcodecs was built without jpeg2k')
    results = tmp_path / 'RESULTS.md'
    results.write_text('# Earlier part\n\ntext\n')
    for _ in range(2):  # the second run replaces the section
        proc = subprocess.run(
            [sys.executable, str(SCALING), '--codecs', 'jpeg2k', '--images', 'img-camera', '--rounds', '1',
             '--write', str(results)],
            capture_output=True, text=True, timeout=120, cwd=tmp_path,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
    text = results.read_text()
    assert text.startswith('# Earlier part\n\ntext\n')
    assert text.count('# Thread scaling of image decoders') == 1
    assert '| jpeg2k | img-camera | ndcodecs |' in text
    assert 'Target, jpeg2k decode with all cores at least 1.6x one thread:' in text

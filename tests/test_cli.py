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


# info, view, convert and formats

import os  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402

import numpy  # noqa: E402
import pytest  # noqa: E402


def frames(count=3, shape=(20, 30)):
    rng = numpy.random.default_rng(count)
    return rng.integers(0, 255, (count, *shape), numpy.uint8, endpoint=True)


@pytest.fixture
def folder(tmp_path):
    src = tmp_path / 'in'
    src.mkdir()
    for k, frame in enumerate(frames()):
        ndcodecs.imwrite(src / f'{k}.png', frame)
    (src / 'notes.txt').write_text('not an image')
    return src


def test_formats():
    proc = run('formats')
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(ndcodecs.list_codecs()) + 1
    png = next(line for line in lines if line.startswith('png '))
    assert '.png' in png and 'rw' in png and ndcodecs.png_version() in png
    assert 'unavailable' in next(line for line in lines if line.startswith('jetraw '))
    proc = run('formats', '--kind', 'image')
    assert all(' image ' in line for line in proc.stdout.splitlines()[1:])


def test_info(tmp_path):
    npy = tmp_path / 'stack.npy'
    ndcodecs.mimwrite(npy, frames(4))
    proc = run('info', 'ndcodecs:astronaut.png', str(npy))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert 'format: png (libspng' in out and 'shape: (512, 512, 3)  dtype: uint8  frames: 1' in out
    assert 'compression: deflate' in out and 'color_type=rgb' in out
    assert 'shape: (4, 20, 30)  dtype: uint8  frames: 4' in out


def test_info_errors(tmp_path):
    bad = tmp_path / 'bad.png'
    bad.write_bytes(b'\x89PNG\r\n\x1a\n' + b'\0' * 20)
    proc = run('info', str(tmp_path / 'missing.png'), str(bad), 'ndcodecs:camera.png')
    assert proc.returncode == 1
    assert 'missing.png' in proc.stderr and 'bad.png' in proc.stderr
    assert 'Traceback' not in proc.stderr and 'frames: 1' in proc.stdout


def test_view_without_display(monkeypatch):
    pytest.importorskip('matplotlib', reason='view uses matplotlib')
    monkeypatch.delenv('DISPLAY', raising=False)
    monkeypatch.delenv('WAYLAND_DISPLAY', raising=False)
    proc = run('view', 'ndcodecs:camera.png')
    assert proc.returncode == 1 and 'no display' in proc.stderr
    assert 'Traceback' not in proc.stderr


def test_view_save(tmp_path):
    pytest.importorskip('matplotlib', reason='view uses matplotlib')
    out = tmp_path / 'shown.png'
    proc = run('view', 'ndcodecs:chelsea.png', '--save', str(out))
    assert proc.returncode == 0, proc.stderr
    assert ndcodecs.imread(out).ndim == 3


def test_convert_image(tmp_path):
    out = tmp_path / 'camera.npy'
    proc = run('convert', 'ndcodecs:camera.png', str(out))
    assert proc.returncode == 0, proc.stderr
    assert numpy.array_equal(numpy.load(out), ndcodecs.sample('camera'))
    back = tmp_path / 'back.png'
    assert run('convert', str(out), str(back), '--level', '9').returncode == 0
    assert numpy.array_equal(ndcodecs.imread(back), ndcodecs.sample('camera'))


def test_convert_folder_and_glob(tmp_path, folder):
    out = tmp_path / 'stack.npy'
    proc = run('convert', str(folder), str(out), '--progress')
    assert proc.returncode == 0, proc.stderr
    assert '3/3 files' in proc.stderr
    assert numpy.array_equal(numpy.load(out), frames())
    out = tmp_path / 'stack.npz'
    proc = run('convert', str(folder / '[01].png'), str(out), '--quiet')
    assert proc.returncode == 0 and proc.stdout == ''
    assert numpy.array_equal(ndcodecs.imread(out), frames()[:2])


def test_convert_multipage_to_single_image_fails_cleanly(tmp_path):
    src = tmp_path / 'stack.npy'
    ndcodecs.mimwrite(src, frames())
    out = tmp_path / 'out'
    out.mkdir()
    proc = run('convert', str(src), str(out / 'x.png'))
    assert proc.returncode == 1 and 'one image' in proc.stderr
    assert 'Traceback' not in proc.stderr and list(out.iterdir()) == []
    proc = run('convert', str(src), str(out / 'x.png'), '--index', '1')
    assert proc.returncode == 0
    assert numpy.array_equal(ndcodecs.imread(out / 'x.png'), frames()[1])


def test_convert_failure_leaves_no_output(tmp_path, folder):
    (folder / '9.png').write_bytes(b'\x89PNG\r\n\x1a\ntruncated')
    out = tmp_path / 'out'
    out.mkdir()
    proc = run('convert', str(folder), str(out / 'stack.npy'))
    assert proc.returncode == 1 and '9.png' in proc.stderr
    assert list(out.iterdir()) == []
    proc = run('--debug', 'convert', str(folder), str(out / 'stack.npy'))
    assert 'Traceback' in proc.stderr


def test_convert_interrupted_leaves_no_output(tmp_path, folder):
    """SIGINT while an input blocks (a FIFO) removes the partial output."""
    os.mkfifo(folder / '5.png')
    out = tmp_path / 'out'
    out.mkdir()
    proc = subprocess.Popen(
        [sys.executable, '-m', 'ndcodecs', 'convert', str(folder), str(out / 'stack.npy')],
        stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not list(out.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert list(out.iterdir()), 'the conversion did not start'
        time.sleep(0.2)  # let it reach the FIFO
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130 and 'interrupted' in stderr
    assert list(out.iterdir()) == []


def open_zarr(path):
    zarr = pytest.importorskip('zarr', reason='Zarr output needs zarr')
    import ndcodecs.zarr  # noqa: F401  (registers the ndcodecs codecs)

    return zarr.open_array(str(path), mode='r')


def codec_names(array) -> list[str]:
    return [c.to_dict()['name'] for c in array.metadata.codecs]


def test_convert_folder_to_zarr(tmp_path, folder):
    pytest.importorskip('dask', reason='Zarr output goes through dask')
    out = tmp_path / 'stack.zarr'
    proc = run('convert', str(folder), str(out), '--progress')
    assert proc.returncode == 0, proc.stderr
    assert '100% Completed' in proc.stderr
    array = open_zarr(out)
    assert array.shape == (3, 20, 30) and array.chunks == (1, 20, 30)
    assert numpy.array_equal(array[:], frames())
    assert 'ndcodecs.zstd' in codec_names(array)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['in', 'stack.zarr']
    proc = run('convert', str(folder), str(out))
    assert proc.returncode == 1 and 'exists' in proc.stderr


def test_convert_multipage_tiff_to_zarr(tmp_path):
    tifffile = pytest.importorskip('tifffile', reason='tifffile writes the multi-page TIFF')
    pytest.importorskip('dask', reason='Zarr output goes through dask')
    pages = frames(5, (24, 32))
    src = tmp_path / 'pages.tif'
    tifffile.imwrite(src, pages, photometric='minisblack', compression='zlib')
    out = tmp_path / 'pages.zarr'
    proc = run('convert', str(src), str(out), '--codec', 'png', '--level', '9', '--chunks', '2', '--quiet')
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == '' and proc.stderr == ''
    array = open_zarr(out)
    assert array.chunks == (2, 24, 32)
    assert codec_names(array) == ['ndcodecs.png']
    assert numpy.array_equal(array[:], pages)
    proc = run('convert', str(src), str(tmp_path / 'bad.zarr'), '--codec', 'zstd', '--chunks', 'a,b')
    assert proc.returncode == 1 and 'chunks' in proc.stderr
    assert not (tmp_path / 'bad.zarr').exists()


def test_convert_to_zarr_on_a_cluster(tmp_path, folder):
    distributed = pytest.importorskip('distributed', reason='--scheduler uses dask.distributed')
    out = tmp_path / 'stack.zarr'
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol='tcp', host='127.0.0.1',
        dashboard_address=None,
    ) as cluster:
        proc = run('convert', str(folder), str(out), '--scheduler', cluster.scheduler_address,
                   '--codec', 'lz4f', '--progress')
    assert proc.returncode == 0, proc.stderr
    array = open_zarr(out)
    assert numpy.array_equal(array[:], frames())
    assert 'ndcodecs.lz4f' in codec_names(array)


def test_convert_to_zarr_failure_leaves_nothing(tmp_path, folder):
    pytest.importorskip('dask', reason='Zarr output goes through dask')
    (folder / '9.png').write_bytes(b'\x89PNG\r\n\x1a\ntruncated')
    proc = run('convert', str(folder), str(tmp_path / 'x.zarr'))
    assert proc.returncode == 1 and '9.png' in proc.stderr
    assert 'Traceback' not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ['in']


def test_convert_to_zarr_interrupted_leaves_nothing(tmp_path, folder):
    """SIGINT while a dask task blocks on an input (a FIFO) removes the
    temporary store and leaves no output."""
    pytest.importorskip('dask', reason='Zarr output goes through dask')
    os.mkfifo(folder / '5.png')
    proc = subprocess.Popen(
        [sys.executable, '-m', 'ndcodecs', 'convert', str(folder), str(tmp_path / 'x.zarr')],
        stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            started = [p for p in tmp_path.iterdir() if p.name.startswith('.x.zarr.')]
            if started and (started[0] / 'zarr.json').exists():
                break
            time.sleep(0.02)
        assert started, 'the conversion did not start'
        time.sleep(0.3)  # let the tasks reach the FIFO
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130 and 'interrupted' in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ['in']


def test_info_multipage_tiff(tmp_path):
    tifffile = pytest.importorskip('tifffile', reason='tifffile writes the multi-page TIFF')
    src = tmp_path / 'pages.tif'
    tifffile.imwrite(src, frames(4), photometric='minisblack', compression='lzw')
    gif = tmp_path / 'anim.gif'
    ndcodecs.mimwrite(gif, frames(3))
    proc = run('info', str(src), str(gif))
    assert proc.returncode == 0, proc.stderr
    tif_out, gif_out = proc.stdout.split(str(gif))
    assert 'format: tiff' in tif_out and 'frames: 4' in tif_out and 'compression: lzw' in tif_out
    assert 'format: gif' in gif_out and 'frames: 3' in gif_out and 'compression: lzw' in gif_out


def test_convert_unknown_output_format(tmp_path):
    proc = run('convert', 'ndcodecs:camera.png', str(tmp_path / 'x.unknown'))
    assert proc.returncode == 1 and 'extension' in proc.stderr

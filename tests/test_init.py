"""The top-level namespace: lazy loading, names, versions."""

import subprocess
import sys

import pytest

import ndcodecs


def test_import_is_light():
    """Importing ndcodecs loads no codec module and takes well under 100 ms."""
    code = (
        'import sys, time; t = time.perf_counter(); import ndcodecs; '
        't = time.perf_counter() - t; '
        'assert not [m for m in sys.modules if m.startswith("ndcodecs._ext")], sys.modules; '
        'print(t)'
    )
    times = []
    for _ in range(3):
        out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
        times.append(float(out.stdout))
    assert min(times) < 0.1


def test_lazy_names():
    assert 'zstd_encode' in dir(ndcodecs)
    assert ndcodecs.zstd_encode is ndcodecs.get_codec('zstd').function('zstd_encode')
    assert ndcodecs.ZstdError.__module__ == 'ndcodecs'
    with pytest.raises(AttributeError):
        ndcodecs.no_such_function


def test_errors_pickle():
    import pickle

    err = pickle.loads(pickle.dumps(ndcodecs.ZstdError('bad')))
    assert type(err) is ndcodecs.ZstdError and str(err) == 'bad'
    assert issubclass(ndcodecs.CodecError, RuntimeError)


def test_version():
    text = ndcodecs.version()
    assert text.startswith(f'ndcodecs {ndcodecs.__version__}')
    assert ndcodecs.zstd_version() in text
    versions = ndcodecs.version(dict)
    assert versions['zstd'] == ndcodecs.zstd_version()
    assert dict(ndcodecs.version(tuple)) == versions
    with pytest.raises(TypeError):
        ndcodecs.version(list)


def test_max_output_setting():
    default = ndcodecs.get_max_output()
    assert default == 1 << 30
    ndcodecs.set_max_output(100)
    try:
        assert ndcodecs.get_max_output() == 100
    finally:
        ndcodecs.set_max_output(default)
    with pytest.raises(ValueError):
        ndcodecs.set_max_output(-1)

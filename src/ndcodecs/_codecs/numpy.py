"""NumPy NPY and NPZ files as a codec, without pickles or unbounded reads."""

import ast
import io
import zipfile

import numpy
from numpy.lib import format as npformat

from .._errors import error_class

__all__ = ['NUMPY', 'NumpyError', 'numpy_version', 'numpy_check', 'numpy_encode', 'numpy_decode']


class NUMPY:
    """NumPy codec constants."""

    available = True


NumpyError = error_class('numpy')

_NPY_MAGIC = b'\x93NUMPY'
_ZIP_MAGIC = b'PK\x03\x04'
_MAX_HEADER = 65536  # numpy itself refuses headers over 10000 bytes by default


def numpy_version():
    """Return the numpy version string."""
    return f'numpy {numpy.__version__}'


def numpy_check(data, /):
    """Return True for NPY, None for a ZIP that may be NPZ, else False."""
    head = bytes(data[:6])
    if head == _NPY_MAGIC:
        return True
    if head[:4] == _ZIP_MAGIC:
        return None
    return False


def numpy_encode(data, /, level=None, *, out=None):
    """Return `data` as NPY bytes, or as compressed NPZ if `level` is true."""
    data = numpy.asarray(data)
    if data.dtype.hasobject:
        raise ValueError('object arrays cannot be encoded')
    with io.BytesIO() as fh:
        if level:
            numpy.savez_compressed(fh, data)
        else:
            npformat.write_array(fh, data, allow_pickle=False)
        result = fh.getvalue()
    if out is bytearray:
        return bytearray(result)
    return result


def _read_header(buf: memoryview):
    """Return (shape, fortran_order, dtype, data offset) of NPY bytes."""
    major = buf[6] if len(buf) > 6 else 0
    if major == 1:
        size, start = int.from_bytes(buf[8:10], 'little'), 10
    elif major in (2, 3):
        size, start = int.from_bytes(buf[8:12], 'little'), 12
    else:
        raise NumpyError(f'unsupported NPY version {major}')
    if size > _MAX_HEADER or start + size > len(buf):
        raise NumpyError(f'invalid NPY header length {size}')
    text = bytes(buf[start:start + size]).decode('utf8' if major == 3 else 'latin1')
    try:
        header = ast.literal_eval(text)
        dtype = npformat.descr_to_dtype(header['descr'])
        shape = tuple(int(n) for n in header['shape'])
        fortran = bool(header['fortran_order'])
    except Exception as exc:
        raise NumpyError(f'invalid NPY header: {exc!r}') from None
    if any(n < 0 for n in shape):
        raise NumpyError(f'invalid NPY shape {shape}')
    return shape, fortran, dtype, start + size


def _read_npy(buf: memoryview, out, max_output):
    """Return the array in NPY bytes; the header must match the data size."""
    shape, fortran, dtype, offset = _read_header(buf)
    if dtype.hasobject:
        raise NumpyError('NPY holds Python objects, which are not loaded')
    count = 1
    for n in shape:
        count *= n
    nbytes = count * dtype.itemsize
    if len(buf) - offset != nbytes:
        raise NumpyError(
            f'NPY header says {nbytes} bytes of data, found {len(buf) - offset}'
        )
    if max_output is not None and nbytes > max_output:
        raise NumpyError(f'decoded size {nbytes} exceeds max_output={max_output}')
    flat = numpy.frombuffer(buf, dtype, count, offset)
    if fortran:
        array = flat.reshape(shape[::-1]).transpose()
    else:
        array = flat.reshape(shape)
    if out is None:
        return array.copy()
    out = numpy.asarray(out)
    if out.nbytes != nbytes:
        raise ValueError(f'out has {out.nbytes} bytes, the array {nbytes}')
    out.reshape(-1).view(dtype)[:] = array.reshape(-1)
    return out


def numpy_decode(data, /, index=0, *, out=None, max_output=None, **kwargs):
    """Return the array in NPY bytes, or array `index` (int or name) of NPZ."""
    if isinstance(data, str) or data is None:
        raise TypeError(f'expected a bytes-like object, not {type(data).__name__}')
    buf = memoryview(data).cast('B')
    if bytes(buf[:6]) == _NPY_MAGIC:
        return _read_npy(buf, out, max_output)
    if bytes(buf[:4]) != _ZIP_MAGIC:
        raise NumpyError('not a NPY or NPZ file')
    try:
        with zipfile.ZipFile(io.BytesIO(buf)) as zf:
            names = [n for n in zf.namelist() if n.endswith('.npy')]
            if isinstance(index, str):
                name = index if index.endswith('.npy') else index + '.npy'
            else:
                name = names[index]
            info = zf.getinfo(name)
            from .._ext._shared import get_max_output

            limit = get_max_output() if max_output is None else max_output
            if info.file_size > limit:
                raise NumpyError(
                    f'NPZ member {name} of {info.file_size} bytes exceeds max_output={limit}'
                )
            member = zf.read(info)
    except NumpyError:
        raise
    except (zipfile.BadZipFile, KeyError, IndexError, OSError, EOFError, ValueError) as exc:
        raise NumpyError(f'invalid NPZ file: {exc}') from None
    return _read_npy(memoryview(member), out, max_output)

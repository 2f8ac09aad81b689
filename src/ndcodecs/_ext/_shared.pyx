# cython: language_level=3, boundscheck=False, wraparound=False
"""Buffer handling shared by all codec modules.

Input is read through the buffer protocol without copying; output goes into
new bytes or bytearray objects that are resized in place (no copy), or into
a caller's writable buffer, as with imagecodecs' ``out=`` argument:

- None or ``bytes``: return new bytes;
- ``bytearray``: return a new bytearray;
- an int: return bytes of at most that many bytes;
- a writable contiguous buffer: write into it and return it, or a view of
  its used part.

Decoders never produce more than ``max_output`` bytes (default
``get_max_output()``, 1 GiB unless NDCODECS_MAX_OUTPUT says otherwise),
so that a small stream claiming or inflating to a huge size fails fast.
"""

import os

import numpy

from cpython.buffer cimport (
    PyBUF_ND, PyBUF_WRITABLE, PyBuffer_IsContiguous, PyBuffer_Release,
    PyObject_GetBuffer,
)
from cpython.bytearray cimport (
    PyByteArray_AS_STRING, PyByteArray_FromStringAndSize, PyByteArray_Resize,
)
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.object cimport PyObject
from cpython.ref cimport Py_DECREF, Py_INCREF, Py_XDECREF
from libc.stdint cimport uint8_t, uint32_t
from libc.string cimport memcpy, memset


cdef extern from "Python.h":
    int _PyBytes_Resize(PyObject **bytes, Py_ssize_t newsize) except -1
    PyObject *PyBytes_FromStringAndSize_raw "PyBytes_FromStringAndSize" (
        const char *v, Py_ssize_t size
    ) except NULL
    PyObject *PyByteArray_FromStringAndSize_raw "PyByteArray_FromStringAndSize" (
        const char *v, Py_ssize_t size
    ) except NULL
    const Py_ssize_t PY_SSIZE_T_MAX


cdef enum:
    KIND_BYTES = 1
    KIND_BYTEARRAY = 2
    KIND_BUFFER = 3


cdef Py_ssize_t _max_output = int(
    os.environ.get('NDCODECS_MAX_OUTPUT', 1 << 30)
)


def get_max_output():
    """Return the default cap, in bytes, on what one decoder call produces."""
    return _max_output


def set_max_output(size):
    """Set the default cap, in bytes, on what one decoder call produces."""
    global _max_output
    size = int(size)
    if size < 0:
        raise ValueError(f'max_output must be >= 0, not {size}')
    _max_output = size


cdef class Input:

    def __dealloc__(self):
        if self.has_view:
            PyBuffer_Release(&self.view)


cdef object as_array(object data, str what='an image array'):
    """Return `data` as a numpy array without a copy where it can: arrays
    as they are, buffers with their shape, else numpy.asarray (nested
    lists). str and None raise TypeError saying `what` was expected."""
    if isinstance(data, numpy.ndarray):
        return data
    if isinstance(data, str) or data is None:
        raise TypeError(f'expected {what}, not {type(data).__name__}')
    try:
        return numpy.asarray(memoryview(data))  # keeps a buffer's shape
    except TypeError:
        return numpy.asarray(data)


cdef Input read_input(object data):
    """Return a contiguous byte view of `data`, which may be any buffer.

    A non-contiguous numpy array is copied, as imagecodecs does; a str, None
    or other non-buffer raises TypeError, a 0-d array ValueError.
    """
    cdef Input inp = Input.__new__(Input)
    if isinstance(data, str):
        raise TypeError('expected a bytes-like object or array, not str')
    try:
        PyObject_GetBuffer(data, &inp.view, PyBUF_ND)
    except (BufferError, ValueError):  # numpy raises ValueError
        if not hasattr(data, '__array_interface__'):
            raise ValueError('the input buffer is not C-contiguous') from None
        data = numpy.ascontiguousarray(data)
        PyObject_GetBuffer(data, &inp.view, PyBUF_ND)
    except TypeError:
        raise TypeError(
            f'expected a bytes-like object or array, not {type(data).__name__}'
        ) from None
    inp.has_view = True
    if inp.view.ndim == 0 and hasattr(data, '__array_interface__'):
        raise ValueError('expected a buffer, not a 0-d array')
    inp.data = <const uint8_t *>inp.view.buf
    inp.size = inp.view.len
    return inp


cdef class Output:

    def __dealloc__(self):
        Py_XDECREF(self.obj)
        if self.has_view:
            PyBuffer_Release(&self.view)

    cdef int resize(self, Py_ssize_t size) except -1:
        """Resize new output in place; a caller's buffer cannot change."""
        if size == self.size:
            return 0
        if self.kind == KIND_BYTES:
            _PyBytes_Resize(&self.obj, size if size > 0 else 1)
            self.data = <uint8_t *>PyBytes_AS_STRING(<object>self.obj)
        elif self.kind == KIND_BYTEARRAY:
            PyByteArray_Resize(<object>self.obj, size)
            self.data = <uint8_t *>PyByteArray_AS_STRING(<object>self.obj)
        else:
            raise self.error('output buffer too small')
        self.size = size
        return 0

    cdef int grow(self, Py_ssize_t minsize=0) except -1:
        """Double the output (at least to `minsize`), up to `limit`.

        Raises the codec's error once the limit is reached.
        """
        cdef Py_ssize_t size
        if self.fixed:
            raise self.error(f'output too small: out= holds {self.size} bytes')
        if self.size >= self.limit:
            raise self.error(
                f'decoded size exceeds max_output={self.limit} bytes'
            )
        size = self.size * 2 if self.size < self.limit // 2 else self.limit
        if size < minsize:
            size = minsize if minsize < self.limit else self.limit
        if size < 4096:
            size = 4096 if self.limit > 4096 else self.limit
        self.resize(size)
        return 0

    cdef object finish(self, Py_ssize_t used):
        """Return the output holding `used` bytes."""
        cdef object result
        if self.kind == KIND_BUFFER:
            if used == self.view.len:
                return self.target
            if hasattr(self.target, '__array_interface__'):
                return self.target.reshape(-1).view('u1')[:used]
            return memoryview(self.target).cast('B')[:used]
        if used == 0:
            return b'' if self.kind == KIND_BYTES else bytearray()
        self.resize(used)
        result = <object>self.obj
        Py_DECREF(result)  # the new reference above takes over ours
        self.obj = NULL
        return result


cdef void sink_init(Sink *sink, Output dst):
    sink.data = dst.data
    sink.size = <size_t>dst.size
    sink.pos = sink.end = 0
    sink.output = <PyObject *>dst
    sink.error = NULL


cdef int _sink_reserve(Sink *sink, size_t size) noexcept with gil:
    cdef Output dst = <Output>sink.output
    try:
        dst.grow(<Py_ssize_t>size)
    except BaseException as exc:
        Py_INCREF(exc)
        sink.error = <PyObject *>exc
        return -1
    sink.data = dst.data
    sink.size = <size_t>dst.size
    return 0


cdef int sink_move(Sink *sink, size_t pos) noexcept nogil:
    """Move to `pos`, zero-filling any gap past what was written."""
    if sink.error != NULL or (pos > sink.size and _sink_reserve(sink, pos) != 0):
        return -1
    if pos > sink.end:
        memset(sink.data + sink.end, 0, pos - sink.end)
        sink.end = pos
    sink.pos = pos
    return 0


cdef int sink_write(Sink *sink, const void *data, size_t size) noexcept nogil:
    if sink.error != NULL or (size > sink.size - sink.pos and _sink_reserve(sink, sink.pos + size) != 0):
        return -1
    memcpy(sink.data + sink.pos, data, size)
    sink.pos += size
    if sink.pos > sink.end:
        sink.end = sink.pos
    return 0


cdef object sink_finish(Sink *sink):
    """Raise what growing raised, else return the Output's bytes."""
    if sink.error != NULL:
        exc = <object>sink.error
        Py_XDECREF(sink.error)
        sink.error = NULL
        raise exc
    return (<Output>sink.output).finish(<Py_ssize_t>sink.end)


cdef Output _new_output(object out, Py_ssize_t size, object error):
    cdef Output o = Output.__new__(Output)
    o.error = error
    if out is None or out is bytes:
        o.kind = KIND_BYTES
    elif out is bytearray:
        o.kind = KIND_BYTEARRAY
    elif isinstance(out, int):
        if out < 0:
            raise ValueError(f'out size must be >= 0, not {out}')
        o.kind = KIND_BYTES
        o.fixed = True
        size = out
    elif isinstance(out, (str, type)):
        raise TypeError(f'invalid out={out!r}')
    else:
        PyObject_GetBuffer(out, &o.view, PyBUF_ND)  # TypeError if no buffer
        o.has_view = True
        if o.view.readonly:
            raise TypeError('the out buffer is read-only')
        if not PyBuffer_IsContiguous(&o.view, b'C'):
            raise ValueError('the out buffer is not C-contiguous')
        o.kind = KIND_BUFFER
        o.fixed = True
        o.target = out
        o.data = <uint8_t *>o.view.buf
        o.size = o.limit = o.view.len
        return o
    if o.kind == KIND_BYTES:
        o.obj = PyBytes_FromStringAndSize_raw(NULL, size if size > 0 else 1)
        o.data = <uint8_t *>PyBytes_AS_STRING(<object>o.obj)
    else:
        o.obj = PyByteArray_FromStringAndSize_raw(NULL, size)
        o.data = <uint8_t *>PyByteArray_AS_STRING(<object>o.obj)
    o.size = size
    o.limit = size if o.fixed else PY_SSIZE_T_MAX
    return o


cdef Output encode_output(object out, Py_ssize_t bound, object error):
    """Return output for an encoder whose result is at most `bound` bytes."""
    return _new_output(out, bound, error)


cdef Py_ssize_t output_limit(object max_output) except -1:
    """Return the cap for a decoder: `max_output` or the default."""
    if max_output is None:
        return _max_output
    max_output = int(max_output)
    if max_output < 0:
        raise ValueError(f'max_output must be >= 0, not {max_output}')
    return max_output


cdef object array_output(object out, tuple shape, object dtype, object error, object max_output, bint flat=False):
    """Return the array a codec fills: a new one (within max_output), `out`
    if it has that shape and dtype, or an array over the start of `out`'s
    buffer. `out` must be writable (else TypeError) and C-contiguous.

    With `flat`, for a 1-D `shape` of n items, an array `out` of any shape
    holding at least n items of `dtype` is returned as it is; the codec
    fills its first n items.
    """
    cdef Py_ssize_t limit
    dtype = numpy.dtype(dtype)
    nbytes = dtype.itemsize
    for n in shape:
        nbytes *= n
    if out is None:
        limit = output_limit(max_output)
        if nbytes > limit:
            raise error(f'decoded size {nbytes} exceeds max_output={limit} bytes')
        return numpy.empty(shape, dtype)
    if isinstance(out, numpy.ndarray):
        if flat and len(shape) == 1:
            if out.size < shape[0]:
                raise ValueError(f'out holds {out.size} items, {shape[0]} needed')
        elif out.shape != shape:
            raise ValueError(f'invalid out.shape={out.shape}, shape={shape}')
        if out.dtype != dtype:
            raise ValueError(f'invalid out.dtype={out.dtype!r}, dtype={dtype!r}')
        if not out.flags.writeable:
            raise TypeError('the out array is read-only')
        if not out.flags.c_contiguous:
            raise ValueError('the out array is not C-contiguous')
        return out
    if isinstance(out, (str, type, int)):
        raise TypeError(f'invalid out={out!r} for an array result')
    view = memoryview(out)  # TypeError if no buffer
    if view.readonly:
        raise TypeError('the out buffer is read-only')
    if view.nbytes < nbytes or not view.c_contiguous:
        raise ValueError(f'the out buffer must be C-contiguous and hold {nbytes} bytes')
    return numpy.frombuffer(view.cast('B'), dtype, nbytes // dtype.itemsize).reshape(shape)


cdef Output decode_output(
    object out, Py_ssize_t size, object error, bint exact, object max_output
):
    """Return output for a decoder.

    `size` is the decoded size if `exact`, else a first guess that `grow`
    may double up to max_output. A fixed out= smaller than an exact size
    raises the codec's error.
    """
    cdef Py_ssize_t limit = output_limit(max_output)
    cdef Output o
    if out is None or out is bytes or out is bytearray:
        if size > limit:
            if exact:
                raise error(
                    f'decoded size {size} exceeds max_output={limit} bytes'
                )
            size = limit
        o = _new_output(out, size, error)
        o.limit = limit
        return o
    o = _new_output(out, size, error)
    if exact and o.size < size:
        raise error(f'output too small: {size} bytes needed, out= holds {o.size}')
    return o


cdef int level_arg(object level, int default, int lo, int hi) except? -1:
    """Return `level` clamped to [lo, hi], or `default` if None."""
    cdef long value
    if level is None:
        return default
    try:
        value = level.__index__()
    except AttributeError:
        if isinstance(level, float) and level == int(level):
            value = int(level)
        else:
            raise TypeError(f'level must be an int, not {level!r}') from None
    return <int>(lo if value < lo else hi if value > hi else value)


cdef uint32_t checksum_arg(object value, uint32_t default) except? 0:
    """Return a checksum's start value: `default` if None, else modulo 2**32."""
    if value is None:
        return default
    if isinstance(value, float):
        value = int(value)
    try:
        return value.__index__() & 0xFFFFFFFF
    except AttributeError:
        raise TypeError(f'value must be an int, not {type(value).__name__}') from None


cdef int numthreads_arg(object numthreads) except -1:
    """Return the thread count: None or 1 is one, 0 means all cores."""
    cdef long n
    if numthreads is None:
        return 1
    n = numthreads.__index__()
    if n < 0:
        raise ValueError(f'numthreads must be >= 0, not {n}')
    if n == 0:
        return len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else (os.cpu_count() or 1)
    return <int>n


cdef extern from 'ndc_status.h':
    int NDC_ERR_CORRUPT
    int NDC_ERR_OUTPUT
    int NDC_ERR_MEMORY


cdef int _ndc_raise(ssize_t status, object error, str func) except -1:
    if status == NDC_ERR_MEMORY:
        raise MemoryError(f'{func} failed to allocate memory')
    if status == NDC_ERR_OUTPUT:
        raise error(f'{func} returned NDC_ERR_OUTPUT: output too small')
    raise error(f'{func} returned NDC_ERR_CORRUPT: invalid or truncated stream')


cdef object ndc_encode(object data, object out, object error, str name, ndc_bound_func bound, ndc_code_func encode):
    """Encode with one of our C encoders into an output of its bound."""
    cdef Input src = read_input(data)
    cdef Output dst = encode_output(out, bound(src.size), error)
    cdef ssize_t ret
    with nogil:
        ret = encode(src.data, src.size, dst.data, dst.size)
    if ret < 0:
        _ndc_raise(ret, error, f'ndc_{name}_encode')
    return dst.finish(ret)


cdef object ndc_decode(object data, object out, object max_output, object error, str name, ndc_size_func size, ndc_code_func decode):
    """Decode with one of our C decoders: size pass, exact output, decode."""
    cdef Input src = read_input(data)
    cdef Py_ssize_t limit = output_limit(max_output)
    cdef Output dst
    cdef ssize_t ret
    if out is not None and out is not bytes and out is not bytearray:
        limit = PY_SSIZE_T_MAX  # the out= size decides, below
    with nogil:
        ret = size(src.data, src.size, <size_t>limit)
    if ret == NDC_ERR_OUTPUT:
        raise error(f'decoded size exceeds max_output={limit} bytes')
    if ret < 0:
        _ndc_raise(ret, error, f'ndc_{name}_decoded_size')
    dst = decode_output(out, ret, error, True, max_output)
    with nogil:
        ret = decode(src.data, src.size, dst.data, <size_t>ret)
    if ret < 0:
        _ndc_raise(ret, error, f'ndc_{name}_decode')
    return dst.finish(ret)

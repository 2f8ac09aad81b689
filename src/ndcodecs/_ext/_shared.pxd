# Buffers in and out, shared by every codec module.

from cpython.object cimport PyObject
from libc.stdint cimport uint8_t, uint32_t


cdef extern from '<sys/types.h>':
    ctypedef Py_ssize_t ssize_t


cdef class Input:
    """A contiguous, read-only byte view of any buffer, without a copy."""
    cdef Py_buffer view
    cdef bint has_view
    cdef const uint8_t *data
    cdef Py_ssize_t size


cdef class Output:
    """Where a codec writes: new bytes or bytearray, or a caller's buffer."""
    cdef PyObject *obj  # owned new bytes or bytearray, else NULL
    cdef object target  # the caller's buffer
    cdef Py_buffer view
    cdef bint has_view
    cdef bint fixed  # out= gave the size: never grow
    cdef int kind
    cdef uint8_t *data
    cdef Py_ssize_t size
    cdef Py_ssize_t limit  # the most `grow` may reach
    cdef object error

    cdef int resize(self, Py_ssize_t size) except -1
    cdef int grow(self, Py_ssize_t minsize=*) except -1
    cdef object finish(self, Py_ssize_t used)


# Writing from C callbacks that run without the GIL (giflib, openjpeg)
# into an Output that grows, with the GIL, when full. sink_write and
# sink_move return 0, or -1 once growing failed: sink_finish raises that.
# The caller keeps a reference to the Output while the Sink is in use.
cdef struct Sink:
    uint8_t *data
    size_t size
    size_t pos
    size_t end  # bytes written so far
    PyObject *output  # borrowed Output
    PyObject *error  # owned exception raised while growing, or NULL

cdef void sink_init(Sink *sink, Output dst)
cdef int sink_write(Sink *sink, const void *data, size_t size) noexcept nogil
cdef int sink_move(Sink *sink, size_t pos) noexcept nogil
cdef object sink_finish(Sink *sink)


cdef Input read_input(object data)
cdef object as_array(object data, str what=*)
cdef Output encode_output(object out, Py_ssize_t bound, object error)
cdef Output decode_output(
    object out, Py_ssize_t size, object error, bint exact, object max_output
)
cdef Py_ssize_t output_limit(object max_output) except -1
cdef object array_output(object out, tuple shape, object dtype, object error, object max_output, bint flat=*)
cdef int level_arg(object level, int default, int lo, int hi) except? -1
cdef int numthreads_arg(object numthreads) except -1
cdef uint32_t checksum_arg(object value, uint32_t default) except? 0


# Our own C codecs (c/*.h) share one calling convention: functions return a
# byte count or a negative NDC_ERR_* status.
ctypedef ssize_t (*ndc_size_func)(const uint8_t *src, size_t srcsize, size_t limit) noexcept nogil
ctypedef ssize_t (*ndc_code_func)(const uint8_t *src, size_t srcsize, uint8_t *dst, size_t dstsize) noexcept nogil
ctypedef size_t (*ndc_bound_func)(size_t srcsize) noexcept nogil

cdef object ndc_encode(object data, object out, object error, str name, ndc_bound_func bound, ndc_code_func encode)
cdef object ndc_decode(object data, object out, object max_output, object error, str name, ndc_size_func size, ndc_code_func decode)

# Declarations of c/isolate.h, running a library call in a forked child or
# a helper process, and the error that reports a child that failed.

from libc.stdint cimport uint8_t


cdef extern from 'isolate.h' nogil:
    long NDC_ISOLATED_SIGNAL
    long NDC_ISOLATED_EXIT
    long NDC_ISOLATED_SYSTEM

    void *ndc_shared_alloc(size_t size)
    void ndc_shared_free(void *ptr, size_t size)
    long ndc_isolated_run(long (*work)(void *arg) noexcept nogil, void *arg, unsigned seconds, int *detail)

    int NDC_MESSAGE_CLOSED
    int NDC_MESSAGE_TIMEOUT
    int NDC_MESSAGE_SYSTEM
    int ndc_message_send(int fd, const void *head, size_t headsize, const void *body, size_t bodysize, int timeout_ms)
    int ndc_message_head(int fd, void *head, size_t headsize, size_t *bodysize, int timeout_ms)
    int ndc_message_body(int fd, void *dst, size_t size, int timeout_ms)
    ctypedef void *(*ndc_handler)(void *head, const uint8_t *body, size_t size, size_t *replysize) noexcept nogil
    void ndc_serve(int fd, size_t headsize, ndc_handler handle)


cdef inline object isolated_error(long code, int detail, str library, object error):
    """Return `error` for an NDC_ISOLATED_ code, else None."""
    import os
    import signal
    if code == NDC_ISOLATED_SIGNAL:
        try:
            name = f'signal {detail}: {signal.Signals(detail).name}'
        except ValueError:
            name = f'signal {detail}'
        return error(f'{library} crashed on this stream ({name})')
    if code == NDC_ISOLATED_EXIT:
        return error(f'the decoding process ended without a result (status {detail})')
    if code == NDC_ISOLATED_SYSTEM:
        return error(f'could not run the decoding process: {os.strerror(detail)}')
    return None

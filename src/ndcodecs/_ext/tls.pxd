# Thread-local slots (POSIX), for caching library contexts per thread:
# a slot's destructor frees the context when its thread ends.

cdef extern from '<pthread.h>' nogil:
    ctypedef unsigned int pthread_key_t
    int pthread_key_create(pthread_key_t *key, void (*destructor)(void *) noexcept nogil)
    void *pthread_getspecific(pthread_key_t key)
    int pthread_setspecific(pthread_key_t key, const void *value)

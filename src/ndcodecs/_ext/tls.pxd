# Per-thread objects (POSIX thread-specific data), for caching library
# contexts: creating one can cost more than coding a small chunk. A slot's
# free function runs when its thread ends.

cdef extern from '<pthread.h>' nogil:
    ctypedef unsigned int pthread_key_t
    int pthread_key_create(pthread_key_t *key, void (*destructor)(void *) noexcept nogil)
    void *pthread_getspecific(pthread_key_t key)
    int pthread_setspecific(pthread_key_t key, const void *value)


ctypedef void *(*slot_create_func)() noexcept nogil
ctypedef void (*slot_free_func)(void *obj) noexcept nogil


cdef struct ThreadSlot:
    pthread_key_t key
    slot_create_func create
    slot_free_func free


cdef inline int slot_init(ThreadSlot *slot, slot_create_func create, slot_free_func free) except -1:
    """Set up a slot at module import."""
    slot.create = create
    slot.free = free
    if pthread_key_create(&slot.key, free) != 0:
        raise ImportError('pthread_key_create failed')
    return 0


cdef inline void *slot_get(ThreadSlot *slot) noexcept nogil:
    """Return this thread's object, made on first use; NULL if that fails."""
    cdef void *obj = pthread_getspecific(slot.key)
    if obj == NULL:
        obj = slot.create()
        if obj != NULL and pthread_setspecific(slot.key, obj) != 0:
            slot.free(obj)
            return NULL
    return obj

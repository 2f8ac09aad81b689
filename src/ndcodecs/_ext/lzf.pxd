# Declarations from liblzf's lzf.h used by _lzf.pyx.

cdef extern from 'lzf.h' nogil:
    int LZF_VERSION

    unsigned int lzf_compress(
        const void *in_data, unsigned int in_len,
        void *out_data, unsigned int out_len
    )
    unsigned int lzf_decompress(
        const void *in_data, unsigned int in_len,
        void *out_data, unsigned int out_len
    )

# Declarations of our quantization, c/quantize.h.


cdef extern from 'quantize.h' nogil:
    int NDC_QUANTIZE_NOQUANTIZE
    int NDC_QUANTIZE_BITGROOM
    int NDC_QUANTIZE_GRANULARBR
    int NDC_QUANTIZE_BITROUND
    int NDC_QUANTIZE_SCALE
    int ndc_quantize_f32(const float *src, float *dst, size_t n, int mode, int nsd, double scale)
    int ndc_quantize_f64(const double *src, double *dst, size_t n, int mode, int nsd, double scale)

# Declarations of Little CMS 2 (lcms2.h), only what _cms uses.

from libc.stdint cimport uint32_t


cdef extern from 'lcms2.h' nogil:
    ctypedef void *cmsContext
    ctypedef void *cmsHPROFILE
    ctypedef void *cmsHTRANSFORM
    ctypedef int cmsBool
    ctypedef uint32_t cmsUInt32Number
    ctypedef double cmsFloat64Number
    ctypedef float cmsFloat32Number
    ctypedef uint32_t cmsColorSpaceSignature
    ctypedef struct cmsToneCurve:
        pass
    ctypedef struct cmsCIExyY:
        double x
        double y
        double Y
    ctypedef struct cmsCIExyYTRIPLE:
        cmsCIExyY Red
        cmsCIExyY Green
        cmsCIExyY Blue
    ctypedef void (*cmsLogErrorHandlerFunction)(cmsContext, cmsUInt32Number, const char *) noexcept

    int cmsGetEncodedCMMversion()
    cmsContext cmsCreateContext(void *Plugin, void *UserData)
    void cmsDeleteContext(cmsContext)
    void *cmsGetContextUserData(cmsContext)
    void cmsSetLogErrorHandlerTHR(cmsContext, cmsLogErrorHandlerFunction)

    cmsHPROFILE cmsOpenProfileFromMemTHR(cmsContext, const void *, cmsUInt32Number)
    cmsBool cmsCloseProfile(cmsHPROFILE)
    cmsBool cmsSaveProfileToMem(cmsHPROFILE, void *, cmsUInt32Number *)
    cmsColorSpaceSignature cmsGetColorSpace(cmsHPROFILE)
    cmsHPROFILE cmsCreateRGBProfileTHR(cmsContext, const cmsCIExyY *, const cmsCIExyYTRIPLE *, cmsToneCurve * const *)
    cmsHPROFILE cmsCreateGrayProfileTHR(cmsContext, const cmsCIExyY *, const cmsToneCurve *)
    cmsHPROFILE cmsCreateLab2ProfileTHR(cmsContext, const cmsCIExyY *)
    cmsHPROFILE cmsCreateLab4ProfileTHR(cmsContext, const cmsCIExyY *)
    cmsHPROFILE cmsCreateXYZProfileTHR(cmsContext)
    cmsHPROFILE cmsCreate_sRGBProfileTHR(cmsContext)
    cmsHPROFILE cmsCreateNULLProfileTHR(cmsContext)
    cmsBool cmsWhitePointFromTemp(cmsCIExyY *, cmsFloat64Number)

    cmsToneCurve *cmsBuildGamma(cmsContext, cmsFloat64Number)
    cmsToneCurve *cmsBuildTabulatedToneCurveFloat(cmsContext, cmsUInt32Number, const cmsFloat32Number *)
    void cmsFreeToneCurve(cmsToneCurve *)

    cmsHTRANSFORM cmsCreateTransformTHR(
        cmsContext, cmsHPROFILE, cmsUInt32Number, cmsHPROFILE,
        cmsUInt32Number, cmsUInt32Number, cmsUInt32Number)
    void cmsDeleteTransform(cmsHTRANSFORM)
    void cmsDoTransform(cmsHTRANSFORM, const void *, void *, cmsUInt32Number)

    enum:
        cmsFLAGS_COPY_ALPHA
        cmsSigRgbData
        cmsSigGrayData
        cmsSigLabData
        cmsSigXYZData
        cmsSigCmykData
        cmsSigCmyData
        cmsSigYCbCrData
        cmsSigYxyData
        cmsSigHsvData
        cmsSigHlsData
        cmsSigLuvData

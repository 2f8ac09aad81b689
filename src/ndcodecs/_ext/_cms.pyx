# cython: language_level=3, boundscheck=False, wraparound=False
"""Color management through Little CMS 2: transforms between ICC profiles.

Every call makes its own lcms2 context whose error handler records the
library's message, so that calls from many threads do not interfere.
"""

import enum
import operator

import numpy

from libc.stdint cimport uint8_t, uint32_t
from libc.string cimport strncpy

from ._shared cimport Input, array_output, read_input
from .lcms2 cimport *

from .._errors import error_class

__all__ = [
    'CMS', 'CmsError', 'cms_version', 'cms_check', 'cms_transform',
    'cms_profile', 'cms_profile_validate',
]


class CMS:
    """CMS constants."""

    available = True

    class INTENT(enum.IntEnum):
        """Rendering intents."""

        PERCEPTUAL = 0
        RELATIVE_COLORIMETRIC = 1
        SATURATION = 2
        ABSOLUTE_COLORIMETRIC = 3

    class FLAGS(enum.IntEnum):
        """Transform flags."""

        NOCACHE = 0x0040
        NOOPTIMIZE = 0x0100
        NULLTRANSFORM = 0x0200
        GAMUTCHECK = 0x1000
        SOFTPROOFING = 0x4000
        BLACKPOINTCOMPENSATION = 0x2000
        NOWHITEONWHITEFIXUP = 0x0004
        HIGHRESPRECALC = 0x0400
        LOWRESPRECALC = 0x0800
        EIGHTBITS_DEVICELINK = 0x0008
        GUESSDEVICECLASS = 0x0020
        KEEP_SEQUENCE = 0x0080
        FORCE_CLUT = 0x0002
        CLUT_POST_LINEARIZATION = 0x0001
        CLUT_PRE_LINEARIZATION = 0x0010
        NONEGATIVES = 0x8000
        COPY_ALPHA = 0x04000000
        NODEFAULTRESOURCEDEF = 0x01000000

    class PT(enum.IntEnum):
        """lcms2 pixel types (color spaces of pixel formats)."""

        GRAY = 3
        RGB = 4
        CMY = 5
        CMYK = 6
        YCBCR = 7
        YUV = 8
        XYZ = 9
        LAB = 10
        YUVK = 11
        HSV = 12
        HLS = 13
        YXY = 14
        MCH1 = 15
        MCH2 = 16
        MCH3 = 17
        MCH4 = 18
        MCH5 = 19
        MCH6 = 20
        MCH7 = 21
        MCH8 = 22
        MCH9 = 23
        MCH10 = 24
        MCH11 = 25
        MCH12 = 26
        MCH13 = 27
        MCH14 = 28
        MCH15 = 29


CmsError = error_class('cms')

# colorspace name: (pixel type, color channels, extra channels, doswap, swapfirst)
_COLORSPACES = {
    'gray': (3, 1, 0, 0, 0), 'graya': (3, 1, 1, 0, 0),
    'rgb': (4, 3, 0, 0, 0), 'rgba': (4, 3, 1, 0, 0), 'argb': (4, 3, 1, 0, 1),
    'bgr': (4, 3, 0, 1, 0), 'bgra': (4, 3, 1, 1, 1), 'abgr': (4, 3, 1, 1, 0),
    'cmy': (5, 3, 0, 0, 0), 'cmyk': (6, 4, 0, 0, 0), 'cmyka': (6, 4, 1, 0, 0),
    'kymc': (6, 4, 0, 1, 0), 'kcmy': (6, 4, 0, 0, 1),
    'ycbcr': (7, 3, 0, 0, 0), 'yuv': (8, 3, 0, 0, 0), 'xyz': (9, 3, 0, 0, 0),
    'lab': (10, 3, 0, 0, 0), 'hsv': (12, 3, 0, 0, 0), 'hls': (13, 3, 0, 0, 0),
    'yxy': (14, 3, 0, 0, 0),
}

# colorspace of a profile's color space signature, and its variant with alpha
_SIGNATURES = {
    cmsSigGrayData: ('gray', 'graya'), cmsSigRgbData: ('rgb', 'rgba'),
    cmsSigCmyData: ('cmy', None), cmsSigCmykData: ('cmyk', 'cmyka'),
    cmsSigYCbCrData: ('ycbcr', None), cmsSigXYZData: ('xyz', None),
    cmsSigLabData: ('lab', None), cmsSigHsvData: ('hsv', None),
    cmsSigHlsData: ('hls', None), cmsSigYxyData: ('yxy', None),
}

# bytes and float flag of the pixel format of each dtype; 0 bytes means 8
_DTYPES = {'u1': (1, 0), 'u2': (2, 0), 'f2': (2, 1), 'f4': (4, 1), 'f8': (0, 1)}


def cms_version():
    """Return the Little CMS version string."""
    cdef int v = cmsGetEncodedCMMversion()
    return f'lcms2 {v // 1000}.{v % 1000 // 10}.{v % 10}'


def cms_check(data, /):
    """Return True if `data` looks like an ICC profile ('acsp' at byte 36)."""
    return bytes(data[36:40]) == b'acsp'


cdef struct ErrorLog:
    char message[256]


cdef void _on_error(cmsContext ctx, cmsUInt32Number code, const char *text) noexcept nogil:
    cdef ErrorLog *log = <ErrorLog *>cmsGetContextUserData(ctx)
    if log != NULL and log.message[0] == 0 and text != NULL:
        strncpy(log.message, text, sizeof(log.message) - 1)
        log.message[sizeof(log.message) - 1] = 0


cdef class _Context:
    """An lcms2 context of one call, with the profiles and transform it owns."""
    cdef cmsContext ctx
    cdef ErrorLog log
    cdef cmsHPROFILE profiles[2]
    cdef cmsHTRANSFORM transform

    def __cinit__(self):
        self.log.message[0] = 0
        self.ctx = cmsCreateContext(NULL, &self.log)
        if self.ctx == NULL:
            raise MemoryError('cmsCreateContext failed')
        cmsSetLogErrorHandlerTHR(self.ctx, _on_error)

    def __dealloc__(self):
        if self.transform != NULL:
            cmsDeleteTransform(self.transform)
        for i in range(2):
            if self.profiles[i] != NULL:
                cmsCloseProfile(self.profiles[i])
        if self.ctx != NULL:
            cmsDeleteContext(self.ctx)

    cdef error(self, str func):
        message = self.log.message.decode(errors='replace')
        return CmsError(f'{func} failed: {message}' if message else f'{func} failed')

    cdef cmsHPROFILE open(self, int slot, object profile, object whitepoint=None, object primaries=None, object transferfunction=None, object gamma=None) except NULL:
        """Open `profile` (ICC bytes or a name as for cms_profile) into `slot`."""
        cdef Input src
        cdef cmsHPROFILE h = NULL
        if isinstance(profile, str):
            h = self.create(profile, whitepoint, primaries, transferfunction, gamma)
        else:
            src = read_input(profile)
            if src.size < 128 or src.size > 0xFFFFFFFF:
                raise CmsError(f'invalid ICC profile of {src.size} bytes')
            with nogil:
                h = cmsOpenProfileFromMemTHR(self.ctx, src.data, <cmsUInt32Number>src.size)
            if h == NULL:
                raise self.error('cmsOpenProfileFromMemTHR')
        self.profiles[slot] = h
        return h

    cdef cmsHPROFILE create(self, str name, object whitepoint, object primaries, object transferfunction, object gamma) except NULL:
        cdef cmsHPROFILE h = NULL
        cdef cmsCIExyY wp
        cdef cmsCIExyYTRIPLE prim
        cdef cmsToneCurve *curves[3]
        cdef float[::1] table
        key = name.lower()
        if key == 'srgb' and whitepoint is None and primaries is None and transferfunction is None and gamma is None:
            h = cmsCreate_sRGBProfileTHR(self.ctx)
        elif key in ('srgb', 'adobergb', 'rgb', 'gray'):
            wp.x, wp.y, wp.Y = _xyY(whitepoint, (0.3127, 0.3290, 1.0))
            if transferfunction is not None:
                table = numpy.ascontiguousarray(transferfunction, numpy.float32).reshape(-1)
                if table.shape[0] < 2:
                    raise ValueError('transferfunction needs at least 2 values')
                curves[0] = cmsBuildTabulatedToneCurveFloat(self.ctx, table.shape[0], &table[0])
            else:
                if gamma is None:
                    gamma = 563 / 256 if key == 'adobergb' else 2.2
                curves[0] = cmsBuildGamma(self.ctx, float(gamma))
            if curves[0] == NULL:
                raise self.error('cmsBuildGamma')
            curves[1] = curves[2] = curves[0]
            if key == 'gray':
                h = cmsCreateGrayProfileTHR(self.ctx, &wp, curves[0])
            else:
                default = (0.64, 0.33, 0.21, 0.71, 0.15, 0.06) if key == 'adobergb' else (0.64, 0.33, 0.30, 0.60, 0.15, 0.06)
                values = [float(v) for v in (default if primaries is None else primaries)]
                if len(values) == 6:
                    values = values[0:2] + [1.0] + values[2:4] + [1.0] + values[4:6] + [1.0]
                if len(values) != 9:
                    cmsFreeToneCurve(curves[0])
                    raise ValueError('primaries must be 6 (x, y) or 9 (x, y, Y) values')
                prim.Red.x, prim.Red.y, prim.Red.Y = values[0:3]
                prim.Green.x, prim.Green.y, prim.Green.Y = values[3:6]
                prim.Blue.x, prim.Blue.y, prim.Blue.Y = values[6:9]
                h = cmsCreateRGBProfileTHR(self.ctx, &wp, &prim, curves)
            cmsFreeToneCurve(curves[0])
        elif key in ('lab2', 'lab4', 'lab'):
            if whitepoint is not None:
                wp.x, wp.y, wp.Y = _xyY(whitepoint, None)
            if key == 'lab2':
                h = cmsCreateLab2ProfileTHR(self.ctx, &wp if whitepoint is not None else NULL)
            else:
                h = cmsCreateLab4ProfileTHR(self.ctx, &wp if whitepoint is not None else NULL)
        elif key == 'xyz':
            h = cmsCreateXYZProfileTHR(self.ctx)
        elif key == 'null':
            h = cmsCreateNULLProfileTHR(self.ctx)
        else:
            raise ValueError(f'unknown profile {name!r}')
        if h == NULL:
            raise self.error(f'creating the {name!r} profile')
        return h


cdef tuple _xyY(object value, object default):
    if value is None:
        return default
    values = [float(v) for v in value]
    if len(values) == 2:
        values.append(1.0)
    if len(values) != 3:
        raise ValueError(f'invalid whitepoint {value!r}')
    return tuple(values)


def cms_profile(profile, /, *, whitepoint=None, primaries=None, transferfunction=None, gamma=None):
    """Return an ICC profile as bytes.

    `profile` is a name: 'srgb', 'adobergb', 'rgb', 'gray' (whose white
    point, primaries and transfer function or gamma may be given), 'lab2',
    'lab4', 'xyz' or 'null'; or ICC profile bytes, returned checked.
    """
    cdef _Context c = _Context()
    cdef cmsHPROFILE h
    cdef cmsUInt32Number size = 0
    cdef bytes result
    if not isinstance(profile, str):
        c.open(0, profile)
        return bytes(profile)
    h = c.open(0, profile, whitepoint, primaries, transferfunction, gamma)
    if not cmsSaveProfileToMem(h, NULL, &size) or size == 0:
        raise c.error('cmsSaveProfileToMem')
    result = bytes(size)
    if not cmsSaveProfileToMem(h, <char *>result, &size):
        raise c.error('cmsSaveProfileToMem')
    return result


def cms_profile_validate(profile, /, *, verbose=None):
    """Raise CmsError if `profile` is not an ICC profile lcms2 can open."""
    cdef _Context c = _Context()
    if isinstance(profile, str):
        raise TypeError('expected ICC profile bytes, not str')
    c.open(0, profile)


cdef int _format(str colorspace, object dtype, bint planar) except -1:
    """Return the lcms2 pixel format of a colorspace, dtype and layout."""
    try:
        pt, channels, extra, doswap, swapfirst = _COLORSPACES[colorspace]
    except KeyError:
        raise ValueError(f'invalid colorspace {colorspace!r}') from None
    try:
        nbytes, isfloat = _DTYPES[f'{dtype.kind}{dtype.itemsize}']
    except KeyError:
        raise ValueError(f'dtype {dtype} not supported') from None
    return (
        (isfloat << 22) | (pt << 16) | (swapfirst << 14) | (planar << 12)
        | (doswap << 10) | (extra << 7) | (channels << 3) | nbytes
    )


cdef str _colorspace(object name, cmsHPROFILE profile, int samples):
    """Return the colorspace `name`, or the profile's with `samples` samples."""
    if name is not None:
        name = str(name).lower()
        if name not in _COLORSPACES:
            raise ValueError(f'invalid colorspace {name!r}')
        return name
    plain, alpha = _SIGNATURES.get(cmsGetColorSpace(profile), (None, None))
    if plain is None:
        raise CmsError('the profile has a color space without a default colorspace name')
    if alpha is not None and samples == _COLORSPACES[plain][1] + 1:
        return alpha
    return plain


def cms_transform(data, /, profile, outprofile, *, colorspace=None, planar=None, outcolorspace=None, outplanar=None, outdtype=None, intent=None, flags=None, verbose=None, out=None):
    """Return the array `data` transformed from `profile` to `outprofile`.

    Profiles are ICC bytes (or cms_profile names). Colorspaces ('gray',
    'rgb', 'rgba', 'bgr', 'cmyk', 'lab', 'xyz', ...) default to the
    profiles' and the sample count; color samples are on the last axis,
    or the first if `planar`. `outdtype` defaults to the input dtype;
    alpha is copied unless `flags` says otherwise.
    """
    cdef _Context c = _Context()
    cdef cmsHPROFILE hin, hout
    cdef cmsUInt32Number fin, fout, cintent, cflags
    cdef Py_ssize_t npixels, start, n, chunk = 1 << 20, isize, osize
    cdef uint8_t[::1] src, dst
    cdef const uint8_t *psrc
    cdef uint8_t *pdst
    if isinstance(data, (str, bytes, bytearray)) or data is None:
        raise TypeError(f'expected a numpy array, not {type(data).__name__}')
    array = numpy.asarray(data)
    if not array.flags.c_contiguous:
        array = numpy.ascontiguousarray(array)
    if array.ndim < 2:
        raise ValueError(f'expected an image of 2 or more dimensions, not {array.ndim}')
    planar = bool(planar)
    outplanar = planar if outplanar is None else bool(outplanar)
    hin = c.open(0, profile)
    hout = c.open(1, outprofile)
    samples = array.shape[0] if planar else array.shape[array.ndim - 1]
    colorspace = _colorspace(colorspace, hin, samples if array.ndim > 2 else 1)
    _, channels, extra, _, _ = _COLORSPACES[colorspace]
    if outcolorspace is None and extra:
        outcolorspace = _colorspace(None, hout, _COLORSPACES[_colorspace(None, hout, 0)][1] + 1)
    outcolorspace = _colorspace(outcolorspace, hout, 0)
    _, outchannels, outextra, _, _ = _COLORSPACES[outcolorspace]
    total, outtotal = channels + extra, outchannels + outextra
    if total == 1:
        pixels = array.shape
    elif planar and array.shape[0] == total and array.ndim > 2:
        pixels = array.shape[1:]
    elif not planar and array.shape[array.ndim - 1] == total and array.ndim > 2:
        pixels = array.shape[:array.ndim - 1]
    else:
        raise ValueError(f'invalid shape {array.shape} for colorspace {colorspace!r}')
    if outtotal == 1:
        shape = pixels
    elif outplanar:
        shape = (outtotal,) + pixels
    else:
        shape = pixels + (outtotal,)
    outdtype = array.dtype if outdtype is None else numpy.dtype(outdtype)
    fin = _format(colorspace, array.dtype, planar and total > 1)
    fout = _format(outcolorspace, outdtype, outplanar and outtotal > 1)
    cintent = 0 if intent is None else operator.index(intent)
    cflags = cmsFLAGS_COPY_ALPHA if flags is None else operator.index(flags)
    result = array_output(out, shape, outdtype, CmsError, None)
    npixels = 1
    for n in pixels:
        npixels *= n
    if npixels == 0:
        return result
    with nogil:
        c.transform = cmsCreateTransformTHR(c.ctx, hin, fin, hout, fout, cintent, cflags)
    if c.transform == NULL:
        raise c.error('cmsCreateTransformTHR')
    src = array.reshape(-1).view(numpy.uint8)
    dst = result.reshape(-1).view(numpy.uint8)
    psrc = &src[0]
    pdst = &dst[0]
    if (planar and total > 1) or (outplanar and outtotal > 1):
        # planes are npixels apart: one call over all pixels
        if npixels > 0xFFFFFFFF:
            raise CmsError(f'too many pixels for a planar transform: {npixels}')
        with nogil:
            cmsDoTransform(c.transform, psrc, pdst, <cmsUInt32Number>npixels)
        return result
    isize = total * array.dtype.itemsize
    osize = outtotal * outdtype.itemsize
    with nogil:
        start = 0
        while start < npixels:
            n = npixels - start if npixels - start < chunk else chunk
            cmsDoTransform(c.transform, psrc + start * isize, pdst + start * osize, <cmsUInt32Number>n)
            start += n
    return result

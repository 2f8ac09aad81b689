# Declarations of libtiff (tiffio.h), only what _tiff uses.

from libc.stdint cimport int64_t, uint16_t, uint32_t, uint64_t


cdef extern from '<stdarg.h>':
    ctypedef struct va_list:
        pass


cdef extern from 'tiffio.h' nogil:
    ctypedef struct tiff_t 'TIFF':
        pass
    ctypedef struct TIFFOpenOptions:
        pass
    ctypedef void *thandle_t
    ctypedef int64_t tmsize_t
    ctypedef uint64_t toff_t
    ctypedef uint32_t tdir_t

    ctypedef int (*TIFFErrorHandlerExtR)(tiff_t *, void *, const char *, const char *, va_list) noexcept
    ctypedef tmsize_t (*TIFFReadWriteProc)(thandle_t, void *, tmsize_t) noexcept
    ctypedef toff_t (*TIFFSeekProc)(thandle_t, toff_t, int) noexcept
    ctypedef int (*TIFFCloseProc)(thandle_t) noexcept
    ctypedef toff_t (*TIFFSizeProc)(thandle_t) noexcept
    ctypedef int (*TIFFMapFileProc)(thandle_t, void **, toff_t *) noexcept
    ctypedef void (*TIFFUnmapFileProc)(thandle_t, void *, toff_t) noexcept

    const char *TIFFGetVersion()
    TIFFOpenOptions *TIFFOpenOptionsAlloc()
    void TIFFOpenOptionsFree(TIFFOpenOptions *)
    void TIFFOpenOptionsSetMaxSingleMemAlloc(TIFFOpenOptions *, tmsize_t)
    void TIFFOpenOptionsSetErrorHandlerExtR(TIFFOpenOptions *, TIFFErrorHandlerExtR, void *)
    void TIFFOpenOptionsSetWarningHandlerExtR(TIFFOpenOptions *, TIFFErrorHandlerExtR, void *)
    tiff_t *TIFFClientOpenExt(
        const char *, const char *, thandle_t, TIFFReadWriteProc,
        TIFFReadWriteProc, TIFFSeekProc, TIFFCloseProc, TIFFSizeProc,
        TIFFMapFileProc, TIFFUnmapFileProc, TIFFOpenOptions *)
    void TIFFClose(tiff_t *)

    int TIFFGetField(tiff_t *, uint32_t, ...)
    int TIFFGetFieldDefaulted(tiff_t *, uint32_t, ...)
    int TIFFSetField(tiff_t *, uint32_t, ...)
    int TIFFSetDirectory(tiff_t *, tdir_t)
    tdir_t TIFFNumberOfDirectories(tiff_t *)
    int TIFFIsTiled(tiff_t *)
    uint64_t TIFFScanlineSize64(tiff_t *)
    uint64_t TIFFTileSize64(tiff_t *)
    uint64_t TIFFTileRowSize64(tiff_t *)
    uint32_t TIFFComputeTile(tiff_t *, uint32_t, uint32_t, uint32_t, uint16_t)
    tmsize_t TIFFReadEncodedStrip(tiff_t *, uint32_t, void *, tmsize_t)
    tmsize_t TIFFReadEncodedTile(tiff_t *, uint32_t, void *, tmsize_t)
    int TIFFReadRGBAImageOriented(tiff_t *, uint32_t, uint32_t, uint32_t *, int, int)

    enum:
        TIFFTAG_SUBFILETYPE
        TIFFTAG_IMAGEWIDTH
        TIFFTAG_IMAGELENGTH
        TIFFTAG_BITSPERSAMPLE
        TIFFTAG_COMPRESSION
        TIFFTAG_PHOTOMETRIC
        TIFFTAG_SAMPLESPERPIXEL
        TIFFTAG_ROWSPERSTRIP
        TIFFTAG_PLANARCONFIG
        TIFFTAG_TILEWIDTH
        TIFFTAG_TILELENGTH
        TIFFTAG_SAMPLEFORMAT
        TIFFTAG_JPEGCOLORMODE
        JPEGCOLORMODE_RGB
        COMPRESSION_JPEG
        PHOTOMETRIC_YCBCR
        PLANARCONFIG_CONTIG
        PLANARCONFIG_SEPARATE
        SAMPLEFORMAT_UINT
        SAMPLEFORMAT_INT
        SAMPLEFORMAT_IEEEFP
        SAMPLEFORMAT_COMPLEXIEEEFP
        ORIENTATION_TOPLEFT

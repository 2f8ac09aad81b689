# cython: language_level=3, boundscheck=False, wraparound=False
"""TIFF decoding through libtiff, from memory.

Pages decode to numpy arrays (height, width), (height, width, samples), or
(samples, height, width) if stored by plane; several pages stack along a
leading axis.
libtiff reads the buffer through client callbacks (and maps it, so that
uncompressed strips are not copied), and reports errors to a handler per
open file, so that decoding is thread-safe.
"""

import enum
import operator

import numpy

from libc.stdint cimport uint8_t, uint16_t, uint32_t, uint64_t
from libc.string cimport memcpy

from ._shared cimport Input, array_output, output_limit, read_input
from .tiffio cimport *

from .._errors import error_class

__all__ = ['TIFF', 'TiffError', 'tiff_version', 'tiff_check', 'tiff_encode', 'tiff_decode']


class TIFF:
    """TIFF constants."""

    available = True

    class VERSION(enum.IntEnum):
        """TIFF file format versions."""

        CLASSIC = 42
        BIG = 43

    class ENDIAN(enum.IntEnum):
        """Byte orders."""

        BIG = 0x4D4D
        LITTLE = 0x4949

    class COMPRESSION(enum.IntEnum):
        """Compression schemes."""

        NONE = 1
        CCITTRLE = 2
        CCITTFAX3 = 3
        CCITTFAX4 = 4
        LZW = 5
        JPEG = 7
        ADOBE_DEFLATE = 8
        PACKBITS = 32773
        DEFLATE = 32946
        PIXARLOG = 32909
        LERC = 34887
        LZMA = 34925
        ZSTD = 50000
        WEBP = 50001

    class PHOTOMETRIC(enum.IntEnum):
        """Color spaces of image data."""

        MINISWHITE = 0
        MINISBLACK = 1
        RGB = 2
        PALETTE = 3
        MASK = 4
        SEPARATED = 5
        YCBCR = 6

    class PLANARCONFIG(enum.IntEnum):
        """Storage of samples: interleaved or by plane."""

        CONTIG = 1
        SEPARATE = 2

    class PREDICTOR(enum.IntEnum):
        """Prediction schemes."""

        NONE = 1
        HORIZONTAL = 2
        FLOATINGPOINT = 3

    class EXTRASAMPLE(enum.IntEnum):
        """Meaning of extra samples."""

        UNSPECIFIED = 0
        ASSOCALPHA = 1
        UNASSALPHA = 2

    class FILETYPE(enum.IntEnum):
        """Subfile types."""

        REDUCEDIMAGE = 1
        PAGE = 2
        MASK = 4

    class RESUNIT(enum.IntEnum):
        """Resolution units."""

        NONE = 1
        INCH = 2
        CENTIMETER = 3


TiffError = error_class('tiff')


def tiff_version():
    """Return the libtiff version string."""
    text = TIFFGetVersion().decode()
    return 'libtiff ' + text.partition('Version ')[2].split('\n', 1)[0].strip()


def tiff_check(data, /):
    """Return True if `data` starts with a TIFF or BigTIFF header."""
    return bytes(data[:4]) in (b'II*\x00', b'MM\x00*', b'II+\x00', b'MM\x00+')


def tiff_encode(data, /, level=None, *, out=None):
    """Not implemented: this module decodes only."""
    raise NotImplementedError('tiff_encode')


# The buffer libtiff reads, and the first error it reported.
cdef struct Source:
    const uint8_t *data
    uint64_t size
    uint64_t pos
    char message[512]


cdef extern from '<stdio.h>' nogil:
    int snprintf(char *, size_t, const char *, ...)
    int vsnprintf(char *, size_t, const char *, va_list)


cdef tmsize_t _read(thandle_t handle, void *buf, tmsize_t size) noexcept nogil:
    cdef Source *src = <Source *>handle
    cdef uint64_t n
    if size <= 0 or src.pos >= src.size:
        return 0
    n = src.size - src.pos
    if <uint64_t>size < n:
        n = <uint64_t>size
    memcpy(buf, src.data + src.pos, n)
    src.pos += n
    return <tmsize_t>n


cdef tmsize_t _write(thandle_t handle, void *buf, tmsize_t size) noexcept nogil:
    return -1


cdef toff_t _seek(thandle_t handle, toff_t offset, int whence) noexcept nogil:
    cdef Source *src = <Source *>handle
    if whence == 1:
        offset += src.pos
    elif whence == 2:
        offset += src.size
    src.pos = offset
    return offset


cdef int _close(thandle_t handle) noexcept nogil:
    return 0


cdef toff_t _size(thandle_t handle) noexcept nogil:
    return (<Source *>handle).size


cdef int _map(thandle_t handle, void **base, toff_t *size) noexcept nogil:
    cdef Source *src = <Source *>handle
    base[0] = <void *>src.data
    size[0] = src.size
    return 1


cdef void _unmap(thandle_t handle, void *base, toff_t size) noexcept nogil:
    pass


cdef int _on_error(tiff_t *tif, void *user_data, const char *module, const char *fmt, va_list ap) noexcept nogil:
    cdef Source *src = <Source *>user_data
    cdef const char *name = module
    if name == NULL:
        name = b'libtiff'
    cdef int n
    if src.message[0] == 0:
        n = snprintf(src.message, sizeof(src.message), b'%s: ', name)
        if 0 <= n < <int>sizeof(src.message):
            vsnprintf(src.message + n, sizeof(src.message) - n, fmt, ap)
    return 1  # handled: libtiff's global handler is not called


cdef int _on_warning(tiff_t *tif, void *user_data, const char *module, const char *fmt, va_list ap) noexcept nogil:
    return 1  # warnings are ignored


cdef class _Page:
    """Layout of one page, as libtiff describes it."""
    cdef uint32_t width, height, rowsperstrip, tilewidth, tilelength
    cdef uint16_t samples, bits, sampleformat, planar, photometric, compression
    cdef bint tiled, rgba, bilevel
    cdef readonly object dtype
    cdef readonly tuple shape


cdef class _Tiff:
    """An open TIFF in memory."""
    cdef tiff_t *tif
    cdef Source src
    cdef Input inp
    cdef Py_ssize_t limit

    def __dealloc__(self):
        if self.tif != NULL:
            with nogil:
                TIFFClose(self.tif)

    cdef error(self, str func):
        message = self.src.message.decode(errors='replace')
        self.src.message[0] = 0
        return TiffError(f'{func} failed: {message}' if message else f'{func} failed')

    cdef int open(self, data, object max_output) except -1:
        cdef TIFFOpenOptions *opts
        self.inp = read_input(data)
        self.limit = output_limit(max_output)
        self.src.data = self.inp.data
        self.src.size = self.inp.size
        self.src.pos = 0
        self.src.message[0] = 0
        if self.inp.size < 8:
            raise TiffError('not a TIFF file: too short')
        opts = TIFFOpenOptionsAlloc()
        if opts == NULL:
            raise MemoryError('TIFFOpenOptionsAlloc failed')
        TIFFOpenOptionsSetErrorHandlerExtR(opts, _on_error, &self.src)
        TIFFOpenOptionsSetWarningHandlerExtR(opts, _on_warning, &self.src)
        # libtiff's own buffers (strips, tiles, tag arrays) stay within the cap
        TIFFOpenOptionsSetMaxSingleMemAlloc(opts, max(self.limit, 1 << 20))
        with nogil:
            self.tif = TIFFClientOpenExt(
                b'memory', b'r', <thandle_t>&self.src,
                _read, _write, _seek, _close, _size, _map, _unmap, opts)
        TIFFOpenOptionsFree(opts)
        if self.tif == NULL:
            raise self.error('TIFFClientOpenExt')
        return 0

    cdef Py_ssize_t pages(self):
        cdef tdir_t n
        with nogil:
            n = TIFFNumberOfDirectories(self.tif)
        return n

    cdef _Page page(self, Py_ssize_t index, bint asrgb):
        """Make page `index` current and return its layout."""
        cdef _Page p = _Page.__new__(_Page)
        cdef int ok
        cdef tdir_t k = <tdir_t>index
        with nogil:
            ok = TIFFSetDirectory(self.tif, k)
        if not ok:
            raise self.error('TIFFSetDirectory')
        if not TIFFGetField(self.tif, TIFFTAG_IMAGEWIDTH, &p.width) or not TIFFGetField(self.tif, TIFFTAG_IMAGELENGTH, &p.height):
            raise TiffError('the page has no image size')
        TIFFGetFieldDefaulted(self.tif, TIFFTAG_SAMPLESPERPIXEL, &p.samples)
        TIFFGetFieldDefaulted(self.tif, TIFFTAG_BITSPERSAMPLE, &p.bits)
        TIFFGetFieldDefaulted(self.tif, TIFFTAG_SAMPLEFORMAT, &p.sampleformat)
        TIFFGetFieldDefaulted(self.tif, TIFFTAG_PLANARCONFIG, &p.planar)
        TIFFGetFieldDefaulted(self.tif, TIFFTAG_COMPRESSION, &p.compression)
        if not TIFFGetField(self.tif, TIFFTAG_PHOTOMETRIC, &p.photometric):
            p.photometric = 1
        p.tiled = TIFFIsTiled(self.tif)
        if p.tiled:
            TIFFGetField(self.tif, TIFFTAG_TILEWIDTH, &p.tilewidth)
            TIFFGetField(self.tif, TIFFTAG_TILELENGTH, &p.tilelength)
            if p.tilewidth == 0 or p.tilelength == 0:
                raise TiffError('invalid tile size 0')
        else:
            TIFFGetFieldDefaulted(self.tif, TIFFTAG_ROWSPERSTRIP, &p.rowsperstrip)
            if p.rowsperstrip == 0 or p.rowsperstrip > p.height:
                p.rowsperstrip = p.height
        if p.samples == 0:
            raise TiffError('invalid SamplesPerPixel 0')
        if p.photometric == PHOTOMETRIC_YCBCR and p.compression == COMPRESSION_JPEG and p.bits == 8:
            # let libjpeg convert to RGB; the scanline size follows
            TIFFSetField(self.tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB)
        elif p.photometric == PHOTOMETRIC_YCBCR:
            asrgb = True  # subsampled YCbCr: libtiff's RGBA interface converts it
        p.rgba = asrgb
        if asrgb:
            p.dtype = numpy.dtype(numpy.uint8)
            p.shape = (p.height, p.width, 4)
            return p
        p.dtype = _dtype(p.bits, p.sampleformat)
        p.bilevel = p.bits == 1
        if p.bilevel and (p.samples != 1 or p.sampleformat != SAMPLEFORMAT_UINT):
            raise TiffError(f'{p.samples} samples of 1 bit not supported')
        if p.samples == 1:
            p.shape = (p.height, p.width)
        elif p.planar == PLANARCONFIG_SEPARATE:
            p.shape = (p.samples, p.height, p.width)
        else:
            p.shape = (p.height, p.width, p.samples)
        return p

    cdef int decode(self, _Page p, object out) except -1:
        """Decode the current page into the array `out` of its shape."""
        cdef uint64_t rowbytes, tilesize, tilerow, nbytes, bitsperpixel
        cdef uint8_t[::1] dst, tile
        cdef uint8_t *buf
        cdef uint8_t *tilebuf = NULL
        cdef uint32_t[::1] raster
        cdef uint32_t y, x, r, s, nstrips, rows, plane, planes, index
        cdef uint64_t xoff, n
        cdef tmsize_t ret = 0
        cdef int ok = 1
        if out.size == 0:
            return 0
        if p.rgba:
            raster = out.reshape(-1).view(numpy.uint32)
            with nogil:
                ok = TIFFReadRGBAImageOriented(self.tif, p.width, p.height, &raster[0], ORIENTATION_TOPLEFT, 0)
            if not ok:
                raise self.error('TIFFReadRGBAImageOriented')
            if numpy.little_endian is False:
                out[...] = out[..., ::-1].copy()
            return 0
        planes = p.samples if p.planar == PLANARCONFIG_SEPARATE else 1
        bitsperpixel = p.bits * (1 if planes > 1 else p.samples)
        rowbytes = TIFFScanlineSize64(self.tif)
        if rowbytes != (p.width * bitsperpixel + 7) // 8:
            raise TiffError(f'unsupported layout: {rowbytes} bytes per row')
        nbytes = rowbytes * p.height * planes
        if p.bilevel:
            if nbytes > <uint64_t>self.limit:
                raise TiffError(f'decoded size exceeds max_output={self.limit} bytes')
            target = numpy.empty(nbytes, numpy.uint8)
        else:
            target = out.reshape(-1).view(numpy.uint8)
        dst = target
        buf = &dst[0]
        if p.tiled:
            tilesize = TIFFTileSize64(self.tif)
            tilerow = TIFFTileRowSize64(self.tif)
            if tilesize > <uint64_t>self.limit or tilesize < tilerow * p.tilelength or tilerow == 0:
                raise TiffError(f'invalid tile size {tilesize}')
            tile = numpy.empty(tilesize, numpy.uint8)
            tilebuf = &tile[0]
            with nogil:
                for plane in range(planes):
                    y = 0
                    while ok and y < p.height:
                        x = 0
                        while ok and x < p.width:
                            index = TIFFComputeTile(self.tif, x, y, 0, <uint16_t>plane)
                            ret = TIFFReadEncodedTile(self.tif, index, tilebuf, <tmsize_t>tilesize)
                            if ret < 0:
                                ok = 0
                                break
                            xoff = (<uint64_t>x * bitsperpixel) // 8
                            n = rowbytes - xoff if rowbytes - xoff < tilerow else tilerow
                            rows = p.height - y if p.height - y < p.tilelength else p.tilelength
                            for r in range(rows):
                                memcpy(buf + (<uint64_t>plane * p.height + y + r) * rowbytes + xoff, tilebuf + r * tilerow, n)
                            x += p.tilewidth
                        y += p.tilelength
            if not ok:
                raise self.error('TIFFReadEncodedTile')
        else:
            nstrips = (p.height + p.rowsperstrip - 1) // p.rowsperstrip
            with nogil:
                for plane in range(planes):
                    for s in range(nstrips):
                        y = s * p.rowsperstrip
                        rows = p.height - y if p.height - y < p.rowsperstrip else p.rowsperstrip
                        ret = TIFFReadEncodedStrip(self.tif, plane * nstrips + s, buf + (<uint64_t>plane * p.height + y) * rowbytes, <tmsize_t>(rows * rowbytes))
                        if ret < 0:
                            ok = 0
                            break
                    if not ok:
                        break
            if not ok:
                raise self.error('TIFFReadEncodedStrip')
        if p.bilevel:
            bits = numpy.unpackbits(target.reshape(p.height, -1), axis=1)
            out[...] = bits[:, :p.width].view(numpy.bool_)
        return 0


cdef object _dtype(int bits, int sampleformat):
    if bits == 1 and sampleformat == SAMPLEFORMAT_UINT:
        return numpy.dtype(numpy.bool_)
    kind = {SAMPLEFORMAT_UINT: 'u', SAMPLEFORMAT_INT: 'i', SAMPLEFORMAT_IEEEFP: 'f', SAMPLEFORMAT_COMPLEXIEEEFP: 'c'}.get(sampleformat)
    if kind is None or bits not in (8, 16, 32, 64, 128) or (kind == 'c') != (bits >= 64 and sampleformat == SAMPLEFORMAT_COMPLEXIEEEFP) or (kind in 'ui' and bits > 64) or (kind == 'f' and bits == 8):
        raise TiffError(f'{bits}-bit samples of SampleFormat {sampleformat} not supported')
    return numpy.dtype(f'{kind}{bits // 8}')


def tiff_decode(data, /, index=0, *, asrgb=False, verbose=None, out=None, max_output=None):
    """Return the image of a TIFF page, or of several pages stacked.

    `index` is a page number, a sequence or slice of page numbers, or None
    for all pages of the first page's shape and data type. With `asrgb`,
    pages decode to RGBA uint8 through libtiff's RGBA interface.
    """
    cdef _Tiff tiff = _Tiff.__new__(_Tiff)
    cdef _Page first
    cdef Py_ssize_t npages, i
    asrgb = bool(asrgb)
    if index is not None and not isinstance(index, (slice, list, tuple, range)):
        index = operator.index(index)
    tiff.open(data, max_output)
    npages = tiff.pages()
    if npages == 0:
        raise TiffError('TIFFNumberOfDirectories found no readable page')
    if isinstance(index, int):
        if index < 0 or index >= npages:
            raise IndexError('directory out of range')
        page = tiff.page(index, asrgb)
        result = array_output(out, page.shape, page.dtype, TiffError, max_output)
        tiff.decode(page, result)
        return result
    if index is None:
        indices = list(range(npages))
    elif isinstance(index, slice):
        indices = list(range(npages)[index])
    else:
        indices = [int(operator.index(i)) for i in index]
        if any(i < 0 or i >= npages for i in indices):
            raise IndexError('directory out of range')
    if not indices:
        raise IndexError('no pages selected')
    pages = []
    for i in indices:
        page = tiff.page(i, asrgb)
        if pages and (page.shape != pages[0][1].shape or page.dtype != pages[0][1].dtype):
            if index is None:
                continue  # all pages of the first page's kind
            raise TiffError(f'page {i} differs in shape or dtype from page {indices[0]}')
        pages.append((i, page))
    first = pages[0][1]
    if len(pages) == 1 and not isinstance(index, (list, tuple, range)):
        # as imagecodecs: one page has no page axis
        result = array_output(out, first.shape, first.dtype, TiffError, max_output)
        tiff.page(pages[0][0], asrgb)
        tiff.decode(first, result)
        return result
    result = array_output(out, (len(pages),) + first.shape, first.dtype, TiffError, max_output)
    for n, (i, page) in enumerate(pages):
        tiff.page(i, asrgb)
        tiff.decode(page, result[n])
    return result

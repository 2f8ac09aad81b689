/* JPEG XR encode and decode with jxrlib's glue layer, from and to memory. */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <JXRGlue.h>

#include "isolate.h"
#include "jxr_shim.h"

typedef struct {
    ndc_jxr_format info;
    const PKPixelFormatGUID *guid;
} format_entry;

#define F(guid, s, st, sz, k, fr, bgr, a) {{#guid, s, st, sz, k, fr, bgr, a}, &GUID_PKPixelFormat##guid}

static const format_entry formats[] = {
    F(BlackWhite, 1, 1, 0, 'u', 0, 0, 0),
    F(8bppGray, 1, 1, 1, 'u', 0, 0, 0),
    F(16bppGray, 1, 1, 2, 'u', 0, 0, 0),
    F(16bppGrayFixedPoint, 1, 1, 2, 'i', 13, 0, 0),
    F(16bppGrayHalf, 1, 1, 2, 'f', 0, 0, 0),
    F(32bppGrayFixedPoint, 1, 1, 4, 'i', 24, 0, 0),
    F(32bppGrayFloat, 1, 1, 4, 'f', 0, 0, 0),
    F(24bppRGB, 3, 3, 1, 'u', 0, 0, 0),
    F(24bppBGR, 3, 3, 1, 'u', 0, 1, 0),
    F(32bppRGB, 3, 4, 1, 'u', 0, 0, 0),
    F(32bppBGR, 3, 4, 1, 'u', 0, 1, 0),
    F(32bppRGBA, 4, 4, 1, 'u', 0, 0, 1),
    F(32bppBGRA, 4, 4, 1, 'u', 0, 1, 1),
    F(32bppPRGBA, 4, 4, 1, 'u', 0, 0, 1),
    F(32bppPBGRA, 4, 4, 1, 'u', 0, 1, 1),
    F(48bppRGB, 3, 3, 2, 'u', 0, 0, 0),
    F(64bppRGBA, 4, 4, 2, 'u', 0, 0, 1),
    F(64bppPRGBA, 4, 4, 2, 'u', 0, 0, 1),
    F(48bppRGBFixedPoint, 3, 3, 2, 'i', 13, 0, 0),
    F(64bppRGBFixedPoint, 3, 4, 2, 'i', 13, 0, 0),
    F(64bppRGBAFixedPoint, 4, 4, 2, 'i', 13, 0, 1),
    F(48bppRGBHalf, 3, 3, 2, 'f', 0, 0, 0),
    F(64bppRGBHalf, 3, 4, 2, 'f', 0, 0, 0),
    F(64bppRGBAHalf, 4, 4, 2, 'f', 0, 0, 1),
    F(96bppRGBFixedPoint, 3, 3, 4, 'i', 24, 0, 0),
    F(128bppRGBFixedPoint, 3, 4, 4, 'i', 24, 0, 0),
    F(128bppRGBAFixedPoint, 4, 4, 4, 'i', 24, 0, 1),
    F(96bppRGBFloat, 3, 3, 4, 'f', 0, 0, 0),
    F(128bppRGBFloat, 3, 4, 4, 'f', 0, 0, 0),
    F(128bppRGBAFloat, 4, 4, 4, 'f', 0, 0, 1),
    F(128bppPRGBAFloat, 4, 4, 4, 'f', 0, 0, 1),
    F(32bppCMYK, 4, 4, 1, 'u', 0, 0, 0),
    F(64bppCMYK, 4, 4, 2, 'u', 0, 0, 0),
    F(40bppCMYKAlpha, 5, 5, 1, 'u', 0, 0, 1),
    F(80bppCMYKAlpha, 5, 5, 2, 'u', 0, 0, 1),
    F(24bpp3Channels, 3, 3, 1, 'u', 0, 0, 0),
    F(32bpp4Channels, 4, 4, 1, 'u', 0, 0, 0),
    F(40bpp5Channels, 5, 5, 1, 'u', 0, 0, 0),
    F(48bpp6Channels, 6, 6, 1, 'u', 0, 0, 0),
    F(56bpp7Channels, 7, 7, 1, 'u', 0, 0, 0),
    F(64bpp8Channels, 8, 8, 1, 'u', 0, 0, 0),
    F(48bpp3Channels, 3, 3, 2, 'u', 0, 0, 0),
    F(64bpp4Channels, 4, 4, 2, 'u', 0, 0, 0),
    F(80bpp5Channels, 5, 5, 2, 'u', 0, 0, 0),
    F(96bpp6Channels, 6, 6, 2, 'u', 0, 0, 0),
    F(112bpp7Channels, 7, 7, 2, 'u', 0, 0, 0),
    F(128bpp8Channels, 8, 8, 2, 'u', 0, 0, 0),
    F(32bpp3ChannelsAlpha, 4, 4, 1, 'u', 0, 0, 1),
    F(40bpp4ChannelsAlpha, 5, 5, 1, 'u', 0, 0, 1),
    F(48bpp5ChannelsAlpha, 6, 6, 1, 'u', 0, 0, 1),
    F(56bpp6ChannelsAlpha, 7, 7, 1, 'u', 0, 0, 1),
    F(64bpp7ChannelsAlpha, 8, 8, 1, 'u', 0, 0, 1),
    F(72bpp8ChannelsAlpha, 9, 9, 1, 'u', 0, 0, 1),
    F(64bpp3ChannelsAlpha, 4, 4, 2, 'u', 0, 0, 1),
    F(80bpp4ChannelsAlpha, 5, 5, 2, 'u', 0, 0, 1),
    F(96bpp5ChannelsAlpha, 6, 6, 2, 'u', 0, 0, 1),
    F(112bpp6ChannelsAlpha, 7, 7, 2, 'u', 0, 0, 1),
    F(128bpp7ChannelsAlpha, 8, 8, 2, 'u', 0, 0, 1),
    F(144bpp8ChannelsAlpha, 9, 9, 2, 'u', 0, 0, 1),
};

#define NFORMATS ((int)(sizeof(formats) / sizeof(formats[0])))

const ndc_jxr_format *ndc_jxr_format_at(int index)
{
    return (index >= 0 && index < NFORMATS) ? &formats[index].info : NULL;
}

int ndc_jxr_format_find(const char *name)
{
    for (int i = 0; i < NFORMATS; i++)
        if (strcmp(formats[i].info.name, name) == 0)
            return i;
    return -1;
}

static int format_of(const void *guid)
{
    for (int i = 0; i < NFORMATS; i++)
        if (memcmp(formats[i].guid, guid, sizeof(PKPixelFormatGUID)) == 0)
            return i;
    return -1;
}

typedef struct {
    struct WMPStream *stream;
    PKImageDecode *decoder;
} jxr_decoder;

static void jxr_close(jxr_decoder *dec)
{
    if (dec->decoder != NULL)
        dec->decoder->Release(&dec->decoder);
    if (dec->stream != NULL)
        dec->stream->Close(&dec->stream);
}

static uint32_t le16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return le16(p) | (le16(p + 2) << 16); }

/* jxrlib asserts (aborting the process) on some container values it does
   not expect: the orientation, and the types of descriptive metadata.
   Check them, and that the directory and what it points to are inside the
   data, before handing the data over. */
static ERR check_container(const uint8_t *src, size_t size, uint32_t *width, uint32_t *height, int *format)
{
    uint64_t offsets[2] = {0, 0}, counts[2] = {0, 0};
    int guid = 0;
    static const uint32_t typesizes[13] = {0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8};
    size_t pos, n, i;

    if (size < 8 || src[0] != 'I' || src[1] != 'I' || src[2] != 0xBC || src[3] > 1)
        return WMP_errUnsupportedFormat;
    pos = le32(src + 4);
    if (pos > size || size - pos < 2)
        return WMP_errUnsupportedFormat;
    n = le16(src + pos);
    pos += 2;
    if (n == 0 || n > (size - pos) / 12)
        return WMP_errUnsupportedFormat;
    for (i = 0; i < n; i++, pos += 12) {
        uint32_t tag = le16(src + pos), type = le16(src + pos + 2);
        uint32_t count = le32(src + pos + 4), value = le32(src + pos + 8);
        uint64_t bytes;
        int want = 0; /* the type a descriptive metadata tag must have */

        if (type == 0 || type > 12)
            return WMP_errUnsupportedFormat;
        bytes = (uint64_t)count * typesizes[type];
        if (bytes > 4 && (value > size || bytes > size - value))
            return WMP_errUnsupportedFormat;
        switch (tag) {
        case 0xBC01: /* pixel format: a GUID jxrlib knows, or it reads garbage */
            if (type != 1 || count != 16 || (*format = format_of(src + value)) < 0)
                return WMP_errUnsupportedFormat;
            guid = 1;
            break;
        case 0xBC80:
            *width = value;
            break;
        case 0xBC81:
            *height = value;
            break;
        case 0xBCC0: case 0xBCC2: /* image and alpha plane offsets */
            offsets[tag == 0xBCC2] = value;
            break;
        case 0xBCC1: case 0xBCC3: /* their sizes */
            counts[tag == 0xBCC3] = value;
            break;
        case 0xBC02: /* orientation */
            if (count != 1 || value >= O_MAX)
                return WMP_errUnsupportedFormat;
            break;
        case 0x010D: case 0x010E: case 0x010F: case 0x0110: case 0x011D:
        case 0x0131: case 0x0132: case 0x013B: case 0x013C: case 0x8298:
            want = 2; /* ASCII */
            break;
        case 0x4746: case 0x4749:
            want = 3; /* SHORT */
            break;
        case 0x0129:
            want = 4; /* LONG */
            break;
        case 0x9C9C: /* caption, null-terminated UTF-16 bytes */
            if (type != 1 || count < 2 || count % 2 || count <= 4)
                return WMP_errUnsupportedFormat;
            if (src[value + count - 1] != 0 || src[value + count - 2] != 0)
                return WMP_errUnsupportedFormat;
            break;
        }
        if (want && (type != (uint32_t)want || count == 0))
            return WMP_errUnsupportedFormat;
    }
    /* jxrlib itself writes alpha plane sizes past the end: check offsets only */
    if (!guid || offsets[0] == 0 || offsets[0] >= size || offsets[1] >= size || counts[0] == 0)
        return WMP_errUnsupportedFormat;
    return WMP_errSuccess;
}

/* jxrlib trusts the image header: reject one that does not agree with the
   container, or names bands or color formats out of range, before it sizes
   buffers from it. */
static ERR check_header(PKImageDecode *d, uint32_t width, uint32_t height)
{
    const CWMImageInfo *ii = &d->WMP.wmiI;
    const CWMIStrCodecParam *sp = &d->WMP.wmiSCP;
    COLORFORMAT out = ii->cfColorFormat, internal = sp->cfColorFormat;
    int ok;

    if (ii->cWidth != width || ii->cHeight != height)
        return WMP_errUnsupportedFormat;
    if ((unsigned)sp->sbSubband >= SB_ISOLATED || (unsigned)sp->olOverlap >= OL_MAX)
        return WMP_errUnsupportedFormat;
    if ((unsigned)out >= CFT_MAX || (unsigned)internal >= CFT_MAX || (unsigned)ii->bdBitDepth >= BDB_MAX)
        return WMP_errUnsupportedFormat;
    switch (out) {
    case Y_ONLY:
        ok = internal == Y_ONLY;
        break;
    case CF_RGB:
    case CF_RGBE:
    case YUV_444:
        ok = internal == YUV_420 || internal == YUV_422 || internal == YUV_444;
        break;
    case CMYK:
        ok = internal == CMYK || internal == YUV_420 || internal == YUV_422 || internal == YUV_444;
        break;
    case NCOMPONENT:
        ok = internal == NCOMPONENT;
        break;
    default:
        ok = 0;
    }
    return ok ? WMP_errSuccess : WMP_errUnsupportedFormat;
}

long ndc_jxr_info(const uint8_t *src, size_t size, uint32_t *width, uint32_t *height, int *format)
{
    ERR err;

    *width = *height = 0;
    *format = -1;
    err = check_container(src, size, width, height, format);
    if (err == WMP_errSuccess && (*width == 0 || *height == 0 || *width > 0x7FFFFFFF || *height > 0x7FFFFFFF))
        err = WMP_errUnsupportedFormat;
    return err;
}

/* Decode the whole image with jxrlib into `dst` (rows `stride` apart, the
   height rounded up to whole macroblocks), after checking that jxrlib sees
   the size and pixel format the buffer was made for. Runs in the child. */
static ERR jxr_decode(const uint8_t *src, size_t size, uint32_t width, uint32_t height, int format,
                      uint8_t *dst, size_t stride)
{
    ERR err = WMP_errSuccess;
    jxr_decoder dec = {NULL, NULL};
    PKPixelFormatGUID guid;
    PKImageDecode *d;
    PKRect rect;
    I32 w = 0, h = 0;
    uint32_t cwidth = 0, cheight = 0;
    int cformat = -1;

    Call(check_container(src, size, &cwidth, &cheight, &cformat));
    FailIf(cwidth != width || cheight != height || cformat != format, WMP_errUnsupportedFormat);
    /* the memory stream only reads from the buffer when decoding */
    Call(CreateWS_Memory(&dec.stream, (void *)src, size));
    Call(PKImageDecode_Create_WMP(&dec.decoder));
    d = dec.decoder;
    Call(d->Initialize(d, dec.stream));
    Call(d->GetPixelFormat(d, &guid));
    Call(d->GetSize(d, &w, &h));
    FailIf(w <= 0 || h <= 0 || (uint32_t)w != width || (uint32_t)h != height, WMP_errUnsupportedFormat);
    FailIf(format_of(&guid) != format, WMP_errUnsupportedFormat);
    Call(check_header(d, width, height));
    FailIf(stride > 0xFFFFFFFFu, WMP_errInvalidParameter);
    d->WMP.wmiSCP.uAlphaMode = d->WMP.bHasAlpha ? 2 : 0;
    d->WMP.wmiI.cROILeftX = 0;
    d->WMP.wmiI.cROITopY = 0;
    d->WMP.wmiI.cROIWidth = d->uWidth;
    d->WMP.wmiI.cROIHeight = d->uHeight;
    d->WMP.wmiI.cThumbnailWidth = d->uWidth;
    d->WMP.wmiI.cThumbnailHeight = d->uHeight;
    d->WMP.wmiI.bSkipFlexbits = 0;
    d->WMP.wmiI.cPostProcStrength = 0;
    d->WMP.wmiI.oOrientation = O_NONE;
    rect.X = 0;
    rect.Y = 0;
    rect.Width = (I32)d->uWidth;
    rect.Height = (I32)d->uHeight;
    Call(d->Copy(d, &rect, dst, (U32)stride));
Cleanup:
    jxr_close(&dec);
    return err;
}

/* One decode for ndc_isolated_run: jxrlib writes into shared pixels. */
typedef struct {
    const uint8_t *src;
    size_t size;
    uint32_t width, height;
    int format;
    uint8_t *dst;
    size_t stride;
} decode_job;

static long decode_work(void *arg)
{
    decode_job *job = arg;
    return jxr_decode(job->src, job->size, job->width, job->height, job->format, job->dst, job->stride);
}

long ndc_jxr_decode(const uint8_t *src, size_t size, uint32_t width, uint32_t height, int format,
                    uint8_t *dst, size_t stride, int *detail)
{
    decode_job job = {src, size, width, height, format, NULL, stride};
    size_t rows, bytes;
    long err;

    *detail = 0;
    if (width == 0 || height == 0 || stride == 0 || format < 0 || format >= NFORMATS)
        return WMP_errInvalidParameter;
    /* jxrlib writes whole macroblocks of 16 rows */
    rows = ((size_t)height + 15) / 16 * 16;
    if (rows > (SIZE_MAX / 4) / stride)
        return WMP_errOutOfMemory;
    bytes = rows * stride;
    job.dst = ndc_shared_alloc(bytes);
    if (job.dst == NULL) {
        *detail = errno;
        return NDC_ISOLATED_SYSTEM;
    }
    /* generous: jxrlib decodes tens of megabytes per second */
    err = ndc_isolated_run(decode_work, &job, 20 + (unsigned)(bytes >> 22), detail);
    if (err == WMP_errSuccess)
        memcpy(dst, job.dst, (size_t)height * stride);
    ndc_shared_free(job.dst, bytes);
    return err;
}

void *ndc_jxr_serve_request(void *head, const uint8_t *body, size_t size, size_t *replysize)
{
    ndc_jxr_request *request = head;
    size_t rows = ((size_t)request->height + 15) / 16 * 16;
    uint8_t *rowsdata = NULL;

    *replysize = 0;
    request->err = WMP_errInvalidParameter;
    if (request->width == 0 || request->height == 0 || request->stride == 0 || request->format < 0
        || request->format >= NFORMATS)
        return NULL;
    request->err = WMP_errOutOfMemory;
    /* jxrlib writes whole macroblocks of 16 rows */
    if (rows > (SIZE_MAX / 4) / request->stride || (rowsdata = malloc(rows * request->stride)) == NULL)
        return NULL;
    request->err = jxr_decode(body, size, request->width, request->height, request->format, rowsdata,
                              request->stride);
    if (request->err != WMP_errSuccess) {
        free(rowsdata);
        return NULL;
    }
    *replysize = (size_t)request->height * request->stride;
    return rowsdata;
}

#define OVERFLOWED ((size_t)-1)

/* jxrlib's memory stream, writing: also tracks the end of what was written
   in cbBufCount, since the encoder seeks back to fill in offsets, and
   remembers running out of space, since the encoder ignores some failed
   writes. */
static ERR write_tracked(struct WMPStream *me, const void *pv, size_t cb)
{
    if (me->state.buf.cbBufCount == OVERFLOWED || me->state.buf.cbCur > me->state.buf.cbBuf
        || cb > me->state.buf.cbBuf - me->state.buf.cbCur) {
        me->state.buf.cbBufCount = OVERFLOWED;
        return WMP_errBufferOverflow;
    }
    memcpy(me->state.buf.pbBuf + me->state.buf.cbCur, pv, cb);
    me->state.buf.cbCur += cb;
    if (me->state.buf.cbCur > me->state.buf.cbBufCount)
        me->state.buf.cbBufCount = me->state.buf.cbCur;
    return WMP_errSuccess;
}

long ndc_jxr_encode(const uint8_t *src, uint32_t width, uint32_t height, size_t stride,
                    int format, double quality, float resx, float resy,
                    uint8_t *dst, size_t dstsize, size_t *used)
{
    ERR err = WMP_errSuccess;
    struct WMPStream *stream = NULL;
    PKImageEncode *encoder = NULL;
    CWMIStrCodecParam param;
    const format_entry *f;
    int lossy = quality > 0.0 && quality < 1.0;

    *used = 0;
    FailIf(format < 0 || format >= NFORMATS, WMP_errUnsupportedFormat);
    FailIf(stride > 0xFFFFFFFFu || width > 0x7FFFFFFF || height > 0x7FFFFFFF, WMP_errInvalidParameter);
    f = &formats[format];

    memset(&param, 0, sizeof(param));
    param.bVerbose = FALSE;
    param.bdBitDepth = BD_LONG;
    param.bfBitstreamFormat = SPATIAL;
    param.bProgressiveMode = FALSE;
    param.sbSubband = SB_ALL;
    param.cNumOfSliceMinus1H = 0;
    param.cNumOfSliceMinus1V = 0;
    param.uAlphaMode = f->info.alpha ? 2 : 0;
    if (f->info.samples == 1)
        param.cfColorFormat = Y_ONLY;
    else if (f->info.kind == 'u' && f->info.samples - f->info.alpha == 4 && strstr(f->info.name, "CMYK"))
        param.cfColorFormat = CMYK;
    else if (strstr(f->info.name, "Channels"))
        param.cfColorFormat = NCOMPONENT;
    else
        param.cfColorFormat = YUV_444;
    if (lossy) {
        /* quality 1 maps to quantizer 1 (lossless), 0 to the coarsest;
           the overlap filter hides the block edges of strong quantization */
        int qp = (int)(1.0 + (1.0 - quality) * (1.0 - quality) * 160.0 + 0.5);
        param.uiDefaultQPIndex = (U8)(qp > 255 ? 255 : qp);
        param.uiDefaultQPIndexAlpha = param.uiDefaultQPIndex;
        param.olOverlap = quality > 0.4 ? OL_ONE : OL_TWO;
        if (param.cfColorFormat == YUV_444 && quality < 0.5 && f->info.kind == 'u' && f->info.itemsize == 1)
            param.cfColorFormat = YUV_420;
    } else {
        param.uiDefaultQPIndex = 1;
        param.uiDefaultQPIndexAlpha = 1;
        param.olOverlap = OL_NONE;
    }

    Call(CreateWS_Memory(&stream, dst, dstsize));
    stream->state.buf.cbBufCount = 0;
    stream->Write = write_tracked;
    Call(PKImageEncode_Create_WMP(&encoder));
    Call(encoder->Initialize(encoder, stream, &param, sizeof(param)));
    Call(encoder->SetPixelFormat(encoder, *f->guid));
    Call(encoder->SetSize(encoder, (I32)width, (I32)height));
    Call(encoder->SetResolution(encoder, resx, resy));
    Call(encoder->WritePixels(encoder, height, (U8 *)src, (U32)stride));
    FailIf(stream->state.buf.cbBufCount == OVERFLOWED, WMP_errBufferOverflow);
    *used = stream->state.buf.cbBufCount;
Cleanup:
    if (encoder != NULL) {
        /* the encoder closes its stream */
        encoder->Release(&encoder);
        stream = NULL;
    }
    if (stream != NULL)
        stream->Close(&stream);
    return err;
}

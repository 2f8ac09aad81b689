/* JPEG through libjpeg(-turbo) with all longjmp error handling in C.

   libjpeg reports errors by calling error_exit, which must not return;
   here it formats the message and longjmps back to the shim function that
   set the jump buffer, so no jump ever crosses a Cython or Python frame.
   Warnings (corrupt or truncated data, which libjpeg would paper over) are
   treated as errors as well, so that damaged streams are reported. */

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "jpeg8_shim.h"

/* progressive streams may hold a scan per coefficient band and bit; more
   than this is a denial-of-service attempt, not an image */
#define MAX_SCANS 1000

#define NDC_STR2(x) #x
#define NDC_STR(x) NDC_STR2(x)

const char *ndc_jpeg8_version(void)
{
#ifdef LIBJPEG_TURBO_VERSION
    return "libjpeg-turbo " NDC_STR(LIBJPEG_TURBO_VERSION) "/" NDC_STR(JPEG_LIB_VERSION);
#else
    return "libjpeg " NDC_STR(JPEG_LIB_VERSION);
#endif
}

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char *message;
} shim_error;

typedef struct {
    struct jpeg_progress_mgr pub;
} shim_progress;

static void shim_format(j_common_ptr cinfo)
{
    shim_error *err = (shim_error *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    snprintf(err->message, NDC_JPEG8_MSGSIZE, "%s", text);
}

static void shim_error_exit(j_common_ptr cinfo)
{
    shim_error *err = (shim_error *)cinfo->err;
    shim_format(cinfo);
    longjmp(err->jump, 1);
}

static void shim_emit_message(j_common_ptr cinfo, int level)
{
    /* level < 0 is a warning: a damaged stream; trace messages are ignored */
    if (level < 0)
        shim_error_exit(cinfo);
}

static void shim_output_message(j_common_ptr cinfo)
{
    shim_format(cinfo);
}

static void shim_progress_monitor(j_common_ptr cinfo)
{
    j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
    if (dinfo->input_scan_number > MAX_SCANS) {
        shim_error *err = (shim_error *)cinfo->err;
        snprintf(err->message, NDC_JPEG8_MSGSIZE, "more than %d scans", MAX_SCANS);
        longjmp(err->jump, 1);
    }
}

static void shim_init_error(shim_error *err, char *message)
{
    jpeg_std_error(&err->pub);
    err->pub.error_exit = shim_error_exit;
    err->pub.emit_message = shim_emit_message;
    err->pub.output_message = shim_output_message;
    err->message = message;
    message[0] = '\0';
}

/* Read the tables and the header of the image. */
static void read_header(j_decompress_ptr cinfo, shim_progress *progress,
                        const uint8_t *tables, size_t tablessize,
                        const uint8_t *src, size_t srcsize, ndc_jpeg8_info *info)
{
    if (info->memlimit)
        cinfo->mem->max_memory_to_use = (long)(info->memlimit > 0x7FFFFFFF
                                                   ? 0x7FFFFFFF : info->memlimit);
    progress->pub.progress_monitor = shim_progress_monitor;
    cinfo->progress = &progress->pub;
    if (tables != NULL && tablessize > 0) {
        jpeg_mem_src(cinfo, tables, (unsigned long)tablessize);
        jpeg_read_header(cinfo, FALSE);
    }
    jpeg_mem_src(cinfo, src, (unsigned long)srcsize);
    jpeg_read_header(cinfo, TRUE);
    if (info->colorspace > 0)
        cinfo->jpeg_color_space = (J_COLOR_SPACE)info->colorspace;
    if (info->outcolorspace > 0)
        cinfo->out_color_space = (J_COLOR_SPACE)info->outcolorspace;
    else if (cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK)
        cinfo->out_color_space = JCS_CMYK;
    jpeg_calc_output_dimensions(cinfo);
    info->width = cinfo->output_width;
    info->height = cinfo->output_height;
    info->components = cinfo->out_color_components;
}

struct ndc_jpeg8_decoder {
    struct jpeg_decompress_struct cinfo;
    shim_error err;
    shim_progress progress;
};

ndc_jpeg8_decoder *ndc_jpeg8_open(const uint8_t *tables, size_t tablessize, const uint8_t *src,
                                  size_t srcsize, ndc_jpeg8_info *info)
{
    ndc_jpeg8_decoder *volatile dec = (ndc_jpeg8_decoder *)calloc(1, sizeof(ndc_jpeg8_decoder));
    if (dec == NULL) {
        snprintf(info->message, NDC_JPEG8_MSGSIZE, "out of memory");
        return NULL;
    }
    shim_init_error(&dec->err, info->message);
    dec->cinfo.err = &dec->err.pub;
    if (setjmp(dec->err.jump)) {
        jpeg_destroy_decompress(&dec->cinfo);
        free(dec);
        return NULL;
    }
    jpeg_create_decompress(&dec->cinfo);
    read_header(&dec->cinfo, &dec->progress, tables, tablessize, src, srcsize, info);
    return dec;
}

int ndc_jpeg8_read(ndc_jpeg8_decoder *dec, uint8_t *dst, size_t dstsize, ndc_jpeg8_info *info)
{
    j_decompress_ptr cinfo = &dec->cinfo;
    JSAMPROW rows[16];
    size_t stride;
    JDIMENSION y, i, n;
    dec->err.message = info->message;
    if (setjmp(dec->err.jump))
        return -1;
    jpeg_start_decompress(cinfo);
    stride = (size_t)cinfo->output_width * (size_t)cinfo->output_components;
    if (cinfo->output_height != info->height || cinfo->output_width != info->width ||
        (size_t)cinfo->output_height * stride > dstsize) {
        snprintf(info->message, NDC_JPEG8_MSGSIZE, "output buffer too small");
        return -1;
    }
    while ((y = cinfo->output_scanline) < cinfo->output_height) {
        n = cinfo->output_height - y;
        if (n > 16)
            n = 16;
        for (i = 0; i < n; i++)
            rows[i] = dst + (size_t)(y + i) * stride;
        if (jpeg_read_scanlines(cinfo, rows, n) == 0) {
            snprintf(info->message, NDC_JPEG8_MSGSIZE, "jpeg_read_scanlines read no rows");
            return -1;
        }
    }
    jpeg_finish_decompress(cinfo);
    return 0;
}

void ndc_jpeg8_close(ndc_jpeg8_decoder *dec)
{
    if (dec != NULL) {
        jpeg_destroy_decompress(&dec->cinfo);
        free(dec);
    }
}

/* Write gray rows, 8 at a time, padded to whole blocks by repeating the
   last column and row, as the library's own preprocessing does. The rows
   are those of `src` where no padding is needed; `*edge` holds the others
   (the caller frees it). */
static void write_gray_raw(j_compress_ptr cinfo, const uint8_t *src, uint8_t *volatile *edge)
{
    JSAMPROW rows[DCTSIZE];
    JSAMPARRAY planes[1];
    size_t width = cinfo->image_width;
    size_t padded = (size_t)cinfo->comp_info[0].width_in_blocks * DCTSIZE;
    JDIMENSION y, last = cinfo->image_height - 1;
    int i;
    planes[0] = rows;
    if (padded != width) {
        *edge = (uint8_t *)malloc(padded * DCTSIZE);
        if (*edge == NULL)
            ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 0);
    }
    while ((y = cinfo->next_scanline) < cinfo->image_height) {
        for (i = 0; i < DCTSIZE; i++) {
            const uint8_t *row = src + (size_t)(y + i > last ? last : y + i) * width;
            if (*edge != NULL) {
                uint8_t *line = *edge + (size_t)i * padded;
                memcpy(line, row, width);
                memset(line + width, row[width - 1], padded - width);
                rows[i] = line;
            } else {
                rows[i] = (JSAMPROW)row;
            }
        }
        jpeg_write_raw_data(cinfo, planes, DCTSIZE);
    }
}

int ndc_jpeg8_encode(const uint8_t *src, uint8_t **dst, size_t *dstsize,
                     ndc_jpeg8_params *params)
{
    struct jpeg_compress_struct cinfo;
    shim_error err;
    unsigned char *outbuffer = *dst;
    uint8_t *volatile edge = NULL;
    unsigned long outsize = (unsigned long)*dstsize;
    JSAMPROW rows[16];
    size_t stride = (size_t)params->width * (size_t)params->components;
    JDIMENSION y, i, n;
    int c;
    shim_init_error(&err, params->message);
    cinfo.err = &err.pub;
    if (setjmp(err.jump)) {
        jpeg_destroy_compress(&cinfo);
        if (outbuffer != *dst)
            free(outbuffer);
        free(edge);
        return -1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &outbuffer, &outsize);
    cinfo.image_width = params->width;
    cinfo.image_height = params->height;
    cinfo.input_components = params->components;
    cinfo.in_color_space = (J_COLOR_SPACE)params->incolorspace;
    jpeg_set_defaults(&cinfo);
    if (params->jpegcolorspace >= 0)
        jpeg_set_colorspace(&cinfo, (J_COLOR_SPACE)params->jpegcolorspace);
    jpeg_set_quality(&cinfo, params->quality, TRUE);
    if (params->hsamp > 0 && params->vsamp > 0 &&
        (cinfo.jpeg_color_space == JCS_YCbCr || cinfo.jpeg_color_space == JCS_YCCK)) {
        cinfo.comp_info[0].h_samp_factor = params->hsamp;
        cinfo.comp_info[0].v_samp_factor = params->vsamp;
        for (c = 1; c < cinfo.num_components; c++) {
            cinfo.comp_info[c].h_samp_factor = 1;
            cinfo.comp_info[c].v_samp_factor = 1;
        }
    }
    if (params->optimize)
        cinfo.optimize_coding = TRUE;
    if (params->smoothing > 0)
        cinfo.smoothing_factor = params->smoothing;
    if (params->restartinterval > 0)
        cinfo.restart_interval = (unsigned int)params->restartinterval;
    else if (params->restartinterval < 0)
        cinfo.restart_in_rows = -params->restartinterval;
    if (params->progressive)
        jpeg_simple_progression(&cinfo);
    /* Gray samples go to the DCT directly as raw data, which skips the
       library's color conversion and copies; smoothing needs them. */
    cinfo.raw_data_in = (cinfo.in_color_space == JCS_GRAYSCALE &&
                         cinfo.jpeg_color_space == JCS_GRAYSCALE &&
                         cinfo.smoothing_factor == 0 && cinfo.num_components == 1 &&
                         cinfo.comp_info[0].h_samp_factor == 1 &&
                         cinfo.comp_info[0].v_samp_factor == 1);
    jpeg_start_compress(&cinfo, TRUE);
    if (cinfo.raw_data_in)
        write_gray_raw(&cinfo, src, &edge);
    while ((y = cinfo.next_scanline) < cinfo.image_height) {
        n = cinfo.image_height - y;
        if (n > 16)
            n = 16;
        for (i = 0; i < n; i++)
            rows[i] = (JSAMPROW)(src + (size_t)(y + i) * stride);
        jpeg_write_scanlines(&cinfo, rows, n);
    }
    jpeg_finish_compress(&cinfo);
    free(edge);
    jpeg_destroy_compress(&cinfo);
    *dst = outbuffer;
    *dstsize = (size_t)outsize;
    return 0;
}

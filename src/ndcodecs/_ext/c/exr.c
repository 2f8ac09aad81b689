/* OpenEXR images in memory through OpenEXRCore (see exr.h).
 *
 * The library reads through a pread-like callback over the caller's
 * buffer and writes through a pwrite-like callback into a buffer grown
 * with realloc, so that no file is involved. Error messages reach the
 * stream's own buffer through the context's user data: no global state.
 */

#include "exr.h"

#include <openexr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct stream {
    const uint8_t *data; /* reading */
    size_t size;
    uint8_t *wdata; /* writing */
    size_t wsize;
    size_t wcap;
    char msg[256];
} stream;

struct ndc_exr_reader {
    exr_context_t ctxt;
    stream io;
    ndc_exr_info info;
    exr_attr_box2i_t dw;
    uint32_t tile_w;
    uint32_t tile_h;
    int map[NDC_EXR_MAX_CHANNELS]; /* file channel -> output sample */
};

static void on_error(exr_const_context_t ctxt, exr_result_t code, const char *msg)
{
    void *ud = NULL;
    (void)code;
    if (exr_get_user_data(ctxt, &ud) == EXR_ERR_SUCCESS && ud != NULL && msg != NULL) {
        snprintf(((stream *)ud)->msg, sizeof(((stream *)ud)->msg), "%s", msg);
    }
}

static int64_t read_mem(exr_const_context_t ctxt, void *ud, void *buffer, uint64_t sz,
                        uint64_t offset, exr_stream_error_func_ptr_t error_cb)
{
    const stream *s = (const stream *)ud;
    size_t n;
    (void)ctxt;
    (void)error_cb;
    if (offset >= s->size) return 0;
    n = s->size - (size_t)offset;
    if (n > sz) n = (size_t)sz;
    memcpy(buffer, s->data + offset, n);
    return (int64_t)n;
}

static int64_t size_mem(exr_const_context_t ctxt, void *ud)
{
    (void)ctxt;
    return (int64_t)((const stream *)ud)->size;
}

static int64_t write_mem(exr_const_context_t ctxt, void *ud, const void *buffer, uint64_t sz,
                         uint64_t offset, exr_stream_error_func_ptr_t error_cb)
{
    stream *s = (stream *)ud;
    uint64_t end = offset + sz;
    if (end < offset || end > (uint64_t)PTRDIFF_MAX) {
        error_cb(ctxt, EXR_ERR_OUT_OF_MEMORY, "output too large");
        return -1;
    }
    if (end > s->wcap) {
        size_t cap = s->wcap ? s->wcap : 65536;
        uint8_t *grown;
        while (cap < end) cap *= 2;
        grown = (uint8_t *)realloc(s->wdata, cap);
        if (grown == NULL) {
            error_cb(ctxt, EXR_ERR_OUT_OF_MEMORY, "out of memory");
            return -1;
        }
        s->wdata = grown;
        s->wcap = cap;
    }
    if (offset > s->wsize) memset(s->wdata + s->wsize, 0, (size_t)offset - s->wsize);
    memcpy(s->wdata + offset, buffer, (size_t)sz);
    if (end > s->wsize) s->wsize = (size_t)end;
    return (int64_t)sz;
}

static int fail(int rv, const stream *s, char *error, size_t errorsize, const char *func)
{
    if (error != NULL && errorsize > 0) {
        snprintf(error, errorsize, "%s returned %s: %s", func, exr_get_error_code_as_string(rv),
                 s->msg[0] ? s->msg : exr_get_default_error_message(rv));
    }
    return rv ? rv : EXR_ERR_UNKNOWN;
}

static int sample_index(const char *name, int nchannels, int rgb, int gray, int fileindex)
{
    if (rgb) {
        if (!strcmp(name, "R")) return 0;
        if (!strcmp(name, "G")) return 1;
        if (!strcmp(name, "B")) return 2;
        if (!strcmp(name, "A")) return 3;
    }
    if (gray) {
        if (!strcmp(name, "Y")) return 0;
        if (!strcmp(name, "A")) return 1;
    }
    (void)nchannels;
    return fileindex;
}

int ndc_exr_open(const uint8_t *data, size_t size, ndc_exr_reader **reader,
                 ndc_exr_info *info, char *error, size_t errorsize)
{
    exr_context_initializer_t init = EXR_DEFAULT_CONTEXT_INITIALIZER;
    ndc_exr_reader *r;
    const exr_attr_chlist_t *chlist = NULL;
    exr_storage_t storage;
    exr_compression_t compression;
    int32_t chunks = 0;
    int64_t width, height;
    int rv, i, rgb, gray, has[5] = {0, 0, 0, 0, 0};

    *reader = NULL;
    r = (ndc_exr_reader *)calloc(1, sizeof(ndc_exr_reader));
    if (r == NULL) {
        snprintf(error, errorsize, "out of memory");
        return EXR_ERR_OUT_OF_MEMORY;
    }
    r->io.data = data;
    r->io.size = size;
    init.user_data = &r->io;
    init.read_fn = read_mem;
    init.size_fn = size_mem;
    init.error_handler_fn = on_error;
    rv = exr_start_read(&r->ctxt, "<memory>", &init);
    if (rv != EXR_ERR_SUCCESS) {
        fail(rv, &r->io, error, errorsize, "exr_start_read");
        ndc_exr_close(r);
        return rv;
    }
#define CHECK(call, name)                                       \
    if ((rv = (call)) != EXR_ERR_SUCCESS) {                     \
        fail(rv, &r->io, error, errorsize, name);               \
        ndc_exr_close(r);                                       \
        return rv;                                              \
    }
    CHECK(exr_get_storage(r->ctxt, 0, &storage), "exr_get_storage");
    CHECK(exr_get_compression(r->ctxt, 0, &compression), "exr_get_compression");
    CHECK(exr_get_data_window(r->ctxt, 0, &r->dw), "exr_get_data_window");
    CHECK(exr_get_channels(r->ctxt, 0, &chlist), "exr_get_channels");
    CHECK(exr_get_chunk_count(r->ctxt, 0, &chunks), "exr_get_chunk_count");
#undef CHECK
    rv = EXR_ERR_FEATURE_NOT_IMPLEMENTED;
    width = (int64_t)r->dw.max.x - r->dw.min.x + 1;
    height = (int64_t)r->dw.max.y - r->dw.min.y + 1;
    if (storage != EXR_STORAGE_SCANLINE && storage != EXR_STORAGE_TILED) {
        snprintf(error, errorsize, "deep EXR images are not supported");
    } else if (width < 1 || height < 1 || width > INT32_MAX || height > INT32_MAX) {
        snprintf(error, errorsize, "invalid data window");
        rv = EXR_ERR_INVALID_ATTR;
    } else if (chlist == NULL || chlist->num_channels < 1 || chlist->num_channels > NDC_EXR_MAX_CHANNELS) {
        snprintf(error, errorsize, "%d channels not supported", chlist ? chlist->num_channels : 0);
    } else if (chunks < 1 || (uint64_t)chunks * 8 > size) {
        /* the chunk offset table alone would not fit in the data */
        snprintf(error, errorsize, "truncated: %d chunks in %zu bytes", chunks, size);
        rv = EXR_ERR_READ_IO;
    } else {
        rv = EXR_ERR_SUCCESS;
    }
    if (rv == EXR_ERR_SUCCESS && storage == EXR_STORAGE_TILED) {
        exr_tile_level_mode_t level;
        exr_tile_round_mode_t round;
        rv = exr_get_tile_descriptor(r->ctxt, 0, &r->tile_w, &r->tile_h, &level, &round);
        if (rv != EXR_ERR_SUCCESS) {
            fail(rv, &r->io, error, errorsize, "exr_get_tile_descriptor");
        } else if (r->tile_w < 1 || r->tile_h < 1) {
            snprintf(error, errorsize, "invalid tile size");
            rv = EXR_ERR_INVALID_ATTR;
        }
    }
    if (rv != EXR_ERR_SUCCESS) {
        ndc_exr_close(r);
        return rv;
    }
    for (i = 0; i < chlist->num_channels; i++) {
        const exr_attr_chlist_entry_t *e = &chlist->entries[i];
        const char *name = e->name.str ? e->name.str : "";
        if (e->pixel_type != chlist->entries[0].pixel_type || e->x_sampling != 1 || e->y_sampling != 1) {
            snprintf(error, errorsize, "channels of different types or subsampled channels are not supported");
            ndc_exr_close(r);
            return EXR_ERR_FEATURE_NOT_IMPLEMENTED;
        }
        if (!strcmp(name, "R")) has[0] = 1;
        else if (!strcmp(name, "G")) has[1] = 1;
        else if (!strcmp(name, "B")) has[2] = 1;
        else if (!strcmp(name, "A")) has[3] = 1;
        else if (!strcmp(name, "Y")) has[4] = 1;
    }
    rgb = has[0] && has[1] && has[2] && chlist->num_channels == 3 + has[3];
    gray = has[4] && chlist->num_channels == 1 + has[3];
    for (i = 0; i < chlist->num_channels; i++) {
        const char *name = chlist->entries[i].name.str ? chlist->entries[i].name.str : "";
        r->map[i] = sample_index(name, chlist->num_channels, rgb, gray, i);
    }
    r->info.width = (int32_t)width;
    r->info.height = (int32_t)height;
    r->info.nchannels = chlist->num_channels;
    r->info.pixel_type = (int32_t)chlist->entries[0].pixel_type;
    r->info.tiled = storage == EXR_STORAGE_TILED;
    r->info.compression = (int32_t)compression;
    *info = r->info;
    *reader = r;
    return EXR_ERR_SUCCESS;
}

/* Point the decoder's channels at the region (x, y) of `dst`; check that
 * the chunk lies inside the image. */
static int place_channels(exr_coding_channel_info_t *channels, int16_t count, const int *map,
                          const ndc_exr_info *info, uint8_t *dst, int64_t x, int64_t y,
                          int32_t width, int32_t height)
{
    size_t itemsize = info->pixel_type == EXR_PIXEL_HALF ? 2 : 4;
    size_t pixel = itemsize * (size_t)info->nchannels;
    int16_t c;
    if (count != info->nchannels || x < 0 || y < 0 || width < 1 || height < 1
        || x + width > info->width || y + height > info->height) {
        return EXR_ERR_CORRUPT_CHUNK;
    }
    for (c = 0; c < count; c++) {
        exr_coding_channel_info_t *ch = &channels[c];
        if (ch->width != width || ch->height != height || ch->x_samples != 1 || ch->y_samples != 1
            || ch->data_type != info->pixel_type) {
            return EXR_ERR_CORRUPT_CHUNK;
        }
        ch->decode_to_ptr = dst + ((size_t)y * (size_t)info->width + (size_t)x) * pixel + (size_t)map[c] * itemsize;
        ch->user_pixel_stride = (int32_t)pixel;
        ch->user_line_stride = (int32_t)(pixel * (size_t)info->width);
        ch->user_bytes_per_element = (int16_t)itemsize;
        ch->user_data_type = (uint16_t)info->pixel_type;
    }
    return EXR_ERR_SUCCESS;
}

int ndc_exr_decode(ndc_exr_reader *r, uint8_t *dst, char *error, size_t errorsize)
{
    exr_decode_pipeline_t dec = EXR_DECODE_PIPELINE_INITIALIZER;
    exr_chunk_info_t cinfo;
    int rv = EXR_ERR_SUCCESS, first = 1;
    int64_t ntx = 1, nty, tx = 0, ty, x, y;
    int32_t lines = 1;
    const char *func = "exr_read_chunk_info";

    if (r->info.pixel_type < 0 || r->info.pixel_type > 2) {
        return fail(EXR_ERR_INVALID_ARGUMENT, &r->io, error, errorsize, "ndc_exr_decode");
    }
    if (r->info.tiled) {
        ntx = ((int64_t)r->info.width + r->tile_w - 1) / r->tile_w;
        nty = ((int64_t)r->info.height + r->tile_h - 1) / r->tile_h;
    } else {
        rv = exr_get_scanlines_per_chunk(r->ctxt, 0, &lines);
        if (rv != EXR_ERR_SUCCESS || lines < 1) {
            return fail(rv ? rv : EXR_ERR_INVALID_ATTR, &r->io, error, errorsize, "exr_get_scanlines_per_chunk");
        }
        nty = ((int64_t)r->info.height + lines - 1) / lines;
    }
    for (ty = 0; ty < nty && rv == EXR_ERR_SUCCESS; ty++) {
        for (tx = 0; tx < ntx; tx++) {
            if (r->info.tiled) {
                func = "exr_read_tile_chunk_info";
                rv = exr_read_tile_chunk_info(r->ctxt, 0, (int)tx, (int)ty, 0, 0, &cinfo);
                x = tx * r->tile_w;
                y = ty * r->tile_h;
            } else {
                func = "exr_read_scanline_chunk_info";
                rv = exr_read_scanline_chunk_info(r->ctxt, 0, (int)(r->dw.min.y + ty * lines), &cinfo);
                x = 0;
                y = (int64_t)cinfo.start_y - r->dw.min.y;
            }
            if (rv != EXR_ERR_SUCCESS) break;
            func = first ? "exr_decoding_initialize" : "exr_decoding_update";
            rv = first ? exr_decoding_initialize(r->ctxt, 0, &cinfo, &dec)
                       : exr_decoding_update(r->ctxt, 0, &cinfo, &dec);
            if (rv != EXR_ERR_SUCCESS) break;
            func = "exr_decoding_update";
            rv = place_channels(dec.channels, dec.channel_count, r->map, &r->info, dst, x, y,
                                cinfo.width, cinfo.height);
            if (rv != EXR_ERR_SUCCESS) break;
            if (first) {
                func = "exr_decoding_choose_default_routines";
                rv = exr_decoding_choose_default_routines(r->ctxt, 0, &dec);
                if (rv != EXR_ERR_SUCCESS) break;
                first = 0;
            }
            func = "exr_decoding_run";
            rv = exr_decoding_run(r->ctxt, 0, &dec);
            if (rv != EXR_ERR_SUCCESS) break;
        }
    }
    if (!first || dec.channels != NULL) exr_decoding_destroy(r->ctxt, &dec);
    if (rv != EXR_ERR_SUCCESS) return fail(rv, &r->io, error, errorsize, func);
    return EXR_ERR_SUCCESS;
}

void ndc_exr_close(ndc_exr_reader *r)
{
    if (r == NULL) return;
    if (r->ctxt != NULL) exr_finish(&r->ctxt);
    free(r);
}

typedef struct compressor {
    exr_result_t (*compress)(exr_encode_pipeline_t *enc);
} compressor;

/* A chunk whose compressed size equals its raw size must be stored raw,
 * since readers take that size to mean uncompressed; OpenEXRCore 3.1
 * writes the compressed bytes then. */
static exr_result_t compress_chunk(exr_encode_pipeline_t *enc)
{
    const compressor *c = (const compressor *)enc->encoding_user_data;
    exr_result_t rv = c->compress(enc);
    if (rv == EXR_ERR_SUCCESS && enc->compressed_bytes == enc->packed_bytes && enc->packed_bytes > 0
        && enc->compressed_buffer != NULL && enc->compressed_buffer != enc->packed_buffer
        && enc->compressed_alloc_size >= enc->packed_bytes) {
        memcpy(enc->compressed_buffer, enc->packed_buffer, (size_t)enc->packed_bytes);
    }
    return rv;
}

int ndc_exr_encode(const uint8_t *src, int32_t width, int32_t height, int32_t nchannels,
                   int32_t pixel_type, int32_t compression, int32_t tile_w, int32_t tile_h,
                   uint8_t **out, size_t *outsize, char *error, size_t errorsize)
{
    static const char *const names[4][4] = {{"Y"}, {"Y", "A"}, {"R", "G", "B"}, {"R", "G", "B", "A"}};
    exr_context_initializer_t init = EXR_DEFAULT_CONTEXT_INITIALIZER;
    exr_encode_pipeline_t enc = EXR_ENCODE_PIPELINE_INITIALIZER;
    exr_context_t ctxt = NULL;
    exr_chunk_info_t cinfo;
    stream io;
    compressor comp;
    size_t itemsize = pixel_type == EXR_PIXEL_HALF ? 2 : 4;
    size_t pixel = itemsize * (size_t)nchannels;
    int64_t ntx = 1, nty = 0, tx, ty, x, y;
    int32_t lines = 1;
    int rv, part = 0, c, k, first = 1, tiled = tile_w > 0 && tile_h > 0;
    const char *func = "exr_start_write";

    *out = NULL;
    *outsize = 0;
    memset(&io, 0, sizeof(io));
    if (nchannels < 1 || nchannels > 4 || pixel_type < 0 || pixel_type > 2 || width < 1 || height < 1) {
        snprintf(error, errorsize, "invalid arguments");
        return EXR_ERR_INVALID_ARGUMENT;
    }
    init.user_data = &io;
    init.write_fn = write_mem;
    init.error_handler_fn = on_error;
    rv = exr_start_write(&ctxt, "<memory>", EXR_WRITE_FILE_DIRECTLY, &init);
#define STEP(call, name) if (rv == EXR_ERR_SUCCESS) { func = name; rv = (call); }
    STEP(exr_add_part(ctxt, NULL, tiled ? EXR_STORAGE_TILED : EXR_STORAGE_SCANLINE, &part), "exr_add_part");
    STEP(exr_initialize_required_attr_simple(ctxt, part, width, height, (exr_compression_t)compression),
         "exr_initialize_required_attr_simple");
    for (c = 0; c < nchannels; c++) {
        STEP(exr_add_channel(ctxt, part, names[nchannels - 1][c], (exr_pixel_type_t)pixel_type,
                             EXR_PERCEPTUALLY_LOGARITHMIC, 1, 1), "exr_add_channel");
    }
    if (tiled) {
        STEP(exr_set_tile_descriptor(ctxt, part, (uint32_t)tile_w, (uint32_t)tile_h, EXR_TILE_ONE_LEVEL,
                                     EXR_TILE_ROUND_DOWN), "exr_set_tile_descriptor");
        ntx = ((int64_t)width + tile_w - 1) / tile_w;
        nty = ((int64_t)height + tile_h - 1) / tile_h;
    }
    STEP(exr_write_header(ctxt), "exr_write_header");
    if (!tiled) {
        /* known once the header is written */
        STEP(exr_get_scanlines_per_chunk(ctxt, part, &lines), "exr_get_scanlines_per_chunk");
        if (lines < 1) lines = 1;
        nty = ((int64_t)height + lines - 1) / lines;
    }
    for (ty = 0; ty < nty && rv == EXR_ERR_SUCCESS; ty++) {
        for (tx = 0; tx < ntx && rv == EXR_ERR_SUCCESS; tx++) {
            if (tiled) {
                STEP(exr_write_tile_chunk_info(ctxt, part, (int)tx, (int)ty, 0, 0, &cinfo), "exr_write_tile_chunk_info");
                x = tx * tile_w;
                y = ty * tile_h;
            } else {
                STEP(exr_write_scanline_chunk_info(ctxt, part, (int)(ty * lines), &cinfo), "exr_write_scanline_chunk_info");
                x = 0;
                y = ty * lines;
            }
            if (first) {
                STEP(exr_encoding_initialize(ctxt, part, &cinfo, &enc), "exr_encoding_initialize");
            } else {
                STEP(exr_encoding_update(ctxt, part, &cinfo, &enc), "exr_encoding_update");
            }
            if (rv != EXR_ERR_SUCCESS) break;
            for (c = 0; c < enc.channel_count; c++) {
                exr_coding_channel_info_t *ch = &enc.channels[c];
                for (k = 0; k < nchannels; k++) {
                    if (!strcmp(ch->channel_name, names[nchannels - 1][k])) break;
                }
                if (k == nchannels || ch->width < 1 || ch->height < 1 || x + ch->width > width
                    || y + ch->height > height) {
                    rv = EXR_ERR_INVALID_ARGUMENT;
                    break;
                }
                ch->encode_from_ptr = src + ((size_t)y * (size_t)width + (size_t)x) * pixel + (size_t)k * itemsize;
                ch->user_pixel_stride = (int32_t)pixel;
                ch->user_line_stride = (int32_t)(pixel * (size_t)width);
                ch->user_bytes_per_element = (int16_t)itemsize;
                ch->user_data_type = (uint16_t)pixel_type;
            }
            if (first) {
                STEP(exr_encoding_choose_default_routines(ctxt, part, &enc), "exr_encoding_choose_default_routines");
                if (rv == EXR_ERR_SUCCESS && enc.compress_fn != NULL) {
                    comp.compress = enc.compress_fn;
                    enc.encoding_user_data = &comp;
                    enc.compress_fn = compress_chunk;
                }
                first = 0;
            }
            STEP(exr_encoding_run(ctxt, part, &enc), "exr_encoding_run");
        }
    }
#undef STEP
    if (!first) exr_encoding_destroy(ctxt, &enc);
    if (ctxt != NULL) {
        int finished = exr_finish(&ctxt);
        if (rv == EXR_ERR_SUCCESS && finished != EXR_ERR_SUCCESS) {
            rv = finished;
            func = "exr_finish";
        }
    }
    if (rv != EXR_ERR_SUCCESS) {
        free(io.wdata);
        return fail(rv, &io, error, errorsize, func);
    }
    *out = io.wdata;
    *outsize = io.wsize;
    return EXR_ERR_SUCCESS;
}

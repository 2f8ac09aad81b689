// HTJ2K encoding through OpenJPH, see htj2k.h.

#include "htj2k.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <vector>

#include <openjph/ojph_arch.h>  // defines OJPH_EXPORT, used by the others
#include <openjph/ojph_codestream.h>
#include <openjph/ojph_file.h>
#include <openjph/ojph_mem.h>
#include <openjph/ojph_message.h>
#include <openjph/ojph_params.h>

namespace {

// OpenJPH's default error handler prints, then throws a bare "ojph error";
// this one throws the formatted message instead and prints nothing. It has
// no state, so one instance serves all threads.
class error_to_exception : public ojph::message_error {
  public:
    void operator()(int, const char *, int, const char *fmt, ...) override
    {
        char text[512];
        va_list args;
        va_start(args, fmt);
        vsnprintf(text, sizeof(text), fmt, args);
        va_end(args);
        throw std::runtime_error(text);
    }
};

class quiet_warning : public ojph::message_warning {
  public:
    void operator()(int, const char *, int, const char *, ...) override {}
};

class quiet_info : public ojph::message_info {
  public:
    void operator()(int, const char *, int, const char *, ...) override {}
};

error_to_exception error_handler;
quiet_warning warning_handler;
quiet_info info_handler;

// A growing malloc'ed buffer whose ownership passes to the caller.
class buffer_outfile : public ojph::outfile_base {
  public:
    ~buffer_outfile() override { free(data); }

    size_t write(const void *ptr, size_t size) override
    {
        if (size > capacity - used) {
            size_t want = capacity ? capacity : 65536;
            while (want - used < size) {
                if (want > SIZE_MAX / 2)
                    throw std::bad_alloc();
                want *= 2;
            }
            void *grown = realloc(data, want);
            if (grown == nullptr)
                throw std::bad_alloc();
            data = static_cast<uint8_t *>(grown);
            capacity = want;
        }
        memcpy(data + used, ptr, size);
        used += size;
        return size;
    }

    ojph::si64 tell() override { return static_cast<ojph::si64>(used); }

    uint8_t *release()
    {
        uint8_t *result = data;
        data = nullptr;
        capacity = used = 0;
        return result;
    }

    size_t used = 0;

  private:
    uint8_t *data = nullptr;
    size_t capacity = 0;
};

void set_message(char *msg, size_t msgsize, const char *func, const char *text)
{
    if (msg != nullptr && msgsize > 0)
        snprintf(msg, msgsize, "%s: %s", func, text);
}

}  // namespace

extern "C" {

void ndc_htj2k_init(void)
{
    ojph::configure_error(&error_handler);
    ojph::configure_warning(&warning_handler);
    ojph::configure_info(&info_handler);
    // OpenJPH 0.9's configure_* do nothing and its handlers print to a
    // stream that must not be NULL: send their text nowhere instead
    static FILE *nowhere = fopen("/dev/null", "w");
    if (nowhere != nullptr) {
        ojph::set_error_stream(nowhere);
        ojph::set_warning_stream(nowhere);
        ojph::set_info_stream(nowhere);
    }
}

int ndc_htj2k_encode(
    const void *src, const ndc_htj2k_params *p, uint8_t **out,
    size_t *outsize, char *msg, size_t msgsize)
{
    const char *func = "ojph::codestream::write_headers";
    *out = nullptr;
    *outsize = 0;
    try {
        buffer_outfile file;
        ojph::codestream stream;
        ojph::param_siz siz = stream.access_siz();
        siz.set_image_extent(ojph::point(p->width, p->height));
        siz.set_num_components(p->ncomps);
        for (uint32_t c = 0; c < p->ncomps; c++)
            siz.set_component(c, ojph::point(1, 1), p->bitdepth, p->is_signed != 0);
        siz.set_image_offset(ojph::point(0, 0));
        siz.set_tile_offset(ojph::point(0, 0));
        if (p->tile_width && p->tile_height)
            siz.set_tile_size(ojph::size(p->tile_width, p->tile_height));
        ojph::param_cod cod = stream.access_cod();
        cod.set_num_decomposition(p->decompositions);
        cod.set_block_dims(p->block_width, p->block_height);
        cod.set_progression_order(p->progression);
        cod.set_color_transform(p->color_transform != 0);
        cod.set_reversible(p->reversible != 0);
        if (!p->reversible)
            stream.access_qcd().set_irrev_quant(p->qstep);
        stream.set_planar(p->color_transform == 0);
        stream.write_headers(&file);

        func = "ojph::codestream::exchange";
        const size_t width = p->width, height = p->height, ncomps = p->ncomps;
        const size_t cstride = p->planar ? width * height : 1;
        const size_t rstride = p->planar ? width : width * ncomps;
        const size_t step = p->planar ? 1 : ncomps;
        std::vector<size_t> rows(ncomps, 0);
        ojph::ui32 c = 0;
        ojph::line_buf *line = stream.exchange(nullptr, c);
        for (size_t n = 0; n < height * ncomps; n++) {
            if (line == nullptr || c >= ncomps || rows[c] >= height || line->size < width)
                throw std::runtime_error("unexpected line request from the encoder");
            ojph::si32 *d = line->i32;
            const size_t start = c * cstride + rows[c] * rstride;
            rows[c]++;
            if (p->itemsize == 1) {
                if (p->is_signed) {
                    const int8_t *s = static_cast<const int8_t *>(src) + start;
                    for (size_t x = 0; x < width; x++)
                        d[x] = s[x * step];
                } else {
                    const uint8_t *s = static_cast<const uint8_t *>(src) + start;
                    for (size_t x = 0; x < width; x++)
                        d[x] = s[x * step];
                }
            } else {
                if (p->is_signed) {
                    const int16_t *s = static_cast<const int16_t *>(src) + start;
                    for (size_t x = 0; x < width; x++)
                        d[x] = s[x * step];
                } else {
                    const uint16_t *s = static_cast<const uint16_t *>(src) + start;
                    for (size_t x = 0; x < width; x++)
                        d[x] = s[x * step];
                }
            }
            // OpenJPH's vector code reads the line's padding as well
            for (size_t x = width; x < line->size; x++)
                d[x] = 0;
            line = stream.exchange(line, c);
        }
        func = "ojph::codestream::flush";
        stream.flush();
        stream.close();
        *outsize = file.used;
        *out = file.release();
        return 0;
    } catch (const std::bad_alloc &) {
        set_message(msg, msgsize, func, "out of memory");
        return NDC_HTJ2K_NOMEM;
    } catch (const std::exception &exc) {
        set_message(msg, msgsize, func, exc.what());
    } catch (...) {
        set_message(msg, msgsize, func, "unknown error");
    }
    return NDC_HTJ2K_ERROR;
}

void ndc_htj2k_free(void *ptr)
{
    free(ptr);
}

}  // extern "C"

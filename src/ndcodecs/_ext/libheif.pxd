# Declarations of libheif's C API (libheif/heif.h) used by _heif.pyx.

from libc.stdint cimport uint8_t, uint32_t


cdef extern from 'libheif/heif.h' nogil:

    enum heif_error_code:
        heif_error_Ok
        heif_error_Memory_allocation_error

    struct heif_error:
        heif_error_code code
        int subcode
        const char *message

    struct heif_init_params:
        int version

    heif_error heif_init(heif_init_params *)
    const char *heif_get_version()

    enum heif_compression_format:
        heif_compression_undefined
        heif_compression_HEVC
        heif_compression_AV1

    enum heif_chroma:
        heif_chroma_undefined
        heif_chroma_monochrome
        heif_chroma_interleaved_RGB
        heif_chroma_interleaved_RGBA
        heif_chroma_interleaved_RRGGBB_LE
        heif_chroma_interleaved_RRGGBBAA_LE

    enum heif_colorspace:
        heif_colorspace_undefined
        heif_colorspace_RGB
        heif_colorspace_monochrome

    enum heif_channel:
        heif_channel_Y
        heif_channel_Alpha
        heif_channel_interleaved

    ctypedef uint32_t heif_item_id

    struct heif_context
    struct heif_image_handle
    struct heif_image
    struct heif_encoder
    struct heif_encoder_descriptor
    struct heif_decoding_options:
        uint8_t version
        uint8_t ignore_transformations
        uint8_t convert_hdr_to_8bit
        uint8_t strict_decoding

    heif_context *heif_context_alloc()
    void heif_context_free(heif_context *)
    heif_error heif_context_read_from_memory_without_copy(heif_context *, const void *mem, size_t size, const void *options)
    int heif_context_get_number_of_top_level_images(heif_context *ctx)
    int heif_context_get_list_of_top_level_image_IDs(heif_context *ctx, heif_item_id *ID_array, int count)
    heif_error heif_context_get_primary_image_handle(heif_context *ctx, heif_image_handle **)
    heif_error heif_context_get_image_handle(heif_context *ctx, heif_item_id id, heif_image_handle **)
    void heif_context_set_maximum_image_size_limit(heif_context *ctx, int maximum_width)
    void heif_context_set_max_decoding_threads(heif_context *ctx, int max_threads)

    void heif_image_handle_release(const heif_image_handle *)
    int heif_image_handle_get_width(const heif_image_handle *handle)
    int heif_image_handle_get_height(const heif_image_handle *handle)
    int heif_image_handle_has_alpha_channel(const heif_image_handle *)
    int heif_image_handle_get_luma_bits_per_pixel(const heif_image_handle *)

    heif_decoding_options *heif_decoding_options_alloc()
    void heif_decoding_options_free(heif_decoding_options *)
    heif_error heif_decode_image(const heif_image_handle *in_handle, heif_image **out_img, heif_colorspace colorspace, heif_chroma chroma, const heif_decoding_options *options)

    heif_colorspace heif_image_get_colorspace(const heif_image *)
    int heif_image_get_width(const heif_image *, heif_channel channel)
    int heif_image_get_height(const heif_image *, heif_channel channel)
    int heif_image_get_bits_per_pixel_range(const heif_image *, heif_channel channel)
    const uint8_t *heif_image_get_plane_readonly(const heif_image *, heif_channel channel, int *out_stride)
    uint8_t *heif_image_get_plane(heif_image *, heif_channel channel, int *out_stride)
    heif_error heif_image_create(int width, int height, heif_colorspace colorspace, heif_chroma chroma, heif_image **out_image)
    heif_error heif_image_add_plane(heif_image *image, heif_channel channel, int width, int height, int bit_depth)
    void heif_image_release(const heif_image *)

    int heif_get_encoder_descriptors(heif_compression_format format_filter, const char *name_filter, const heif_encoder_descriptor **out_encoders, int count)
    const char *heif_encoder_descriptor_get_id_name(const heif_encoder_descriptor *)
    heif_compression_format heif_encoder_descriptor_get_compression_format(const heif_encoder_descriptor *)
    int heif_have_decoder_for_format(heif_compression_format format)

    heif_error heif_context_get_encoder_for_format(heif_context *context, heif_compression_format format, heif_encoder **)
    void heif_encoder_release(heif_encoder *)
    heif_error heif_encoder_set_lossy_quality(heif_encoder *, int quality)
    heif_error heif_encoder_set_lossless(heif_encoder *, int enable)
    heif_error heif_encoder_set_parameter(heif_encoder *, const char *parameter_name, const char *value)
    heif_error heif_context_encode_image(heif_context *, const heif_image *image, heif_encoder *encoder, const void *options, heif_image_handle **out_image_handle)

    struct heif_writer:
        int writer_api_version
        heif_error (*write)(heif_context *ctx, const void *data, size_t size, void *userdata) noexcept nogil

    struct heif_color_profile_nclx:
        uint8_t version
        int color_primaries
        int transfer_characteristics
        int matrix_coefficients
        uint8_t full_range_flag

    heif_color_profile_nclx *heif_nclx_color_profile_alloc()
    void heif_nclx_color_profile_free(heif_color_profile_nclx *nclx_profile)
    heif_error heif_image_set_nclx_color_profile(heif_image *image, const heif_color_profile_nclx *color_profile)
    heif_error heif_encoder_set_logging_level(heif_encoder *, int level)

    heif_error heif_context_write(heif_context *, heif_writer *writer, void *userdata)

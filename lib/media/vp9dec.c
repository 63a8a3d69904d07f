/* libvpx VP9 decoder and uncompressed-header peek; see vp9dec.h. */
#include "media/vp9dec.h"

#include <peerc/common.h>

#include "core/error.h"
#include "core/log.h"

#include <stdlib.h>
#include <string.h>

#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>

/* VP9 bitstream spec §6.2 / §7.2 constants. */
#define FRAME_MARKER 2
#define KEY_FRAME 0
#define CS_RGB 7

struct peerc_vp9dec {
    vpx_codec_ctx_t codec;
    int inited;
    int waiting;           /* for a keyframe */
    uint32_t cfg_w, cfg_h; /* size the libvpx decoder last saw in a keyframe */
    peerc_vp9dec_stats stats;
    char err[PEERC_ERRBUF_SIZE];
};

/* ---- uncompressed header ---- */

/* MSB-first bit reader: the spec's f(n) descriptor. */
typedef struct bits {
    const uint8_t *p;
    size_t len; /* bytes */
    size_t pos; /* bits consumed */
} bits;

/* n <= 16 bits, or -1 past the end. */
static int32_t get(bits *b, unsigned n)
{
    if (b->pos + n > b->len * 8)
        return -1;
    int32_t v = 0;
    for (unsigned i = 0; i < n; i++, b->pos++)
        v = v << 1 | ((b->p[b->pos >> 3] >> (7 - (b->pos & 7))) & 1);
    return v;
}

/* color_config() (§6.2.2): bit depth and subsampling. */
static int color_config(bits *b, peerc_vp9_frame_info *f)
{
    f->bit_depth = 8;
    if (f->profile >= 2) {
        int32_t twelve = get(b, 1);
        if (twelve < 0)
            return PEERC_E_SYNTAX;
        f->bit_depth = twelve ? 12 : 10;
    }
    int32_t cs = get(b, 3);
    if (cs < 0)
        return PEERC_E_SYNTAX;
    int odd_profile = f->profile == 1 || f->profile == 3; /* may code 4:4:4 / 4:2:2 / 4:4:0 */
    if (cs != CS_RGB) {
        if (get(b, 1) < 0) /* color_range */
            return PEERC_E_SYNTAX;
        if (!odd_profile) {
            f->subsampling_x = f->subsampling_y = 1;
            return PEERC_OK;
        }
        int32_t sx = get(b, 1), sy = get(b, 1), reserved = get(b, 1);
        if (sx < 0 || sy < 0 || reserved != 0)
            return PEERC_E_SYNTAX;
        f->subsampling_x = (uint8_t)sx;
        f->subsampling_y = (uint8_t)sy;
        return PEERC_OK;
    }
    /* RGB is 4:4:4, which profiles 0 and 2 cannot carry. */
    if (!odd_profile)
        return PEERC_E_SYNTAX;
    f->subsampling_x = f->subsampling_y = 0;
    return get(b, 1) == 0 ? PEERC_OK : PEERC_E_SYNTAX;
}

int peerc__vp9dec_peek(const uint8_t *data, size_t len, peerc_vp9_frame_info *out)
{
    if (!out)
        return PEERC_E_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (!data || !len)
        return PEERC_E_SYNTAX;
    bits b = {data, len, 0};
    int32_t marker = get(&b, 2), lo = get(&b, 1), hi = get(&b, 1);
    if (marker != FRAME_MARKER || lo < 0 || hi < 0)
        return PEERC_E_SYNTAX;
    out->profile = (uint8_t)(hi << 1 | lo);
    if (out->profile == 3 && get(&b, 1) != 0) /* reserved_zero */
        return PEERC_E_SYNTAX;
    int32_t existing = get(&b, 1);
    if (existing < 0)
        return PEERC_E_SYNTAX;
    if (existing) {
        /* frame_to_show_map_idx follows; nothing else is coded. */
        out->show_existing_frame = 1;
        out->show_frame = 1;
        return get(&b, 3) < 0 ? PEERC_E_SYNTAX : PEERC_OK;
    }
    int32_t type = get(&b, 1), show = get(&b, 1), er = get(&b, 1);
    if (type < 0 || show < 0 || er < 0)
        return PEERC_E_SYNTAX;
    out->keyframe = type == KEY_FRAME;
    out->show_frame = (uint8_t)show;
    out->error_resilient = (uint8_t)er;
    if (!out->keyframe)
        return PEERC_OK;
    /* frame_sync_code (§6.2.1) guards against mistaking garbage for a
     * keyframe. */
    if (get(&b, 8) != 0x49 || get(&b, 8) != 0x83 || get(&b, 8) != 0x42)
        return PEERC_E_SYNTAX;
    int rc = color_config(&b, out);
    if (rc != PEERC_OK)
        return rc;
    /* frame_size (§6.2.3): each dimension minus 1 in 16 bits. */
    int32_t w1 = get(&b, 16), h1 = get(&b, 16);
    if (w1 < 0 || h1 < 0)
        return PEERC_E_SYNTAX;
    out->width = (uint32_t)w1 + 1;
    out->height = (uint32_t)h1 + 1;
    return PEERC_OK;
}

int peerc__vp9dec_is_keyframe(const uint8_t *data, size_t len)
{
    peerc_vp9_frame_info f;
    return peerc__vp9dec_peek(data, len, &f) == PEERC_OK && f.keyframe;
}

int peerc__vp9dec_keyframe_size(const uint8_t *data, size_t len, uint32_t *width, uint32_t *height)
{
    peerc_vp9_frame_info f;
    if (!width || !height || peerc__vp9dec_peek(data, len, &f) != PEERC_OK || !f.keyframe)
        return PEERC_E_INVALID_ARGUMENT;
    *width = f.width;
    *height = f.height;
    return PEERC_OK;
}

/* ---- decoder ---- */

static int create(peerc_vp9dec *d)
{
    vpx_codec_dec_cfg_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.threads = 1; /* as for VP8: threads only add jitter at these sizes */
    vpx_codec_err_t verr = vpx_codec_dec_init(&d->codec, vpx_codec_vp9_dx(), &cfg, 0);
    if (verr != VPX_CODEC_OK)
        return peerc__errorf(d->err, sizeof d->err, PEERC_E_INTERNAL, "vpx_codec_dec_init: %s",
                             vpx_codec_err_to_string(verr));
    d->inited = 1;
    d->stats.reinits++;
    return PEERC_OK;
}

static void destroy(peerc_vp9dec *d)
{
    if (d->inited)
        vpx_codec_destroy(&d->codec);
    d->inited = 0;
}

int peerc__vp9dec_new(peerc_vp9dec **out, char *err, size_t errlen)
{
    if (out)
        *out = NULL;
    if (!out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL out");
    peerc_vp9dec *d = calloc(1, sizeof *d);
    if (!d)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    int rc = create(d);
    if (rc != PEERC_OK) {
        peerc__errorf(err, errlen, rc, "%s", d->err);
        free(d);
        return rc;
    }
    d->waiting = 1;
    *out = d;
    return PEERC_OK;
}

void peerc__vp9dec_free(peerc_vp9dec *d)
{
    if (!d)
        return;
    destroy(d);
    free(d);
}

static int fail(peerc_vp9dec *d, int code, const char *what)
{
    const char *detail = d->inited ? vpx_codec_error_detail(&d->codec) : NULL;
    d->stats.errors++;
    d->waiting = 1;
    return peerc__errorf(d->err, sizeof d->err, code, "%s%s%s", what, detail ? ": " : "",
                         detail ? detail : "");
}

/* Make sure a libvpx decoder exists and was set up for a keyframe of this
 * size; a new size gets a fresh one rather than libvpx's in-place resize. */
static int prepare_for_keyframe(peerc_vp9dec *d, uint32_t w, uint32_t h)
{
    if (w != d->cfg_w || h != d->cfg_h) {
        if (d->cfg_w) {
            PEERC_DEBUG("media", "VP9 decoder: %ux%u -> %ux%u, re-creating", d->cfg_w, d->cfg_h, w,
                        h);
            destroy(d);
        }
        d->cfg_w = w;
        d->cfg_h = h;
    }
    return d->inited ? PEERC_OK : create(d);
}

/* The last picture libvpx has to show for this input, as a view. */
static int take_picture(peerc_vp9dec *d, int64_t timestamp_us, peerc_media_i420 *out)
{
    vpx_codec_iter_t iter = NULL;
    vpx_image_t *img, *last = NULL;
    while ((img = vpx_codec_get_frame(&d->codec, &iter)) != NULL)
        last = img;
    if (!last)
        return peerc__errorf(d->err, sizeof d->err, PEERC_E_NOT_FOUND, "no picture to show");
    if (last->fmt != VPX_IMG_FMT_I420)
        return fail(d, PEERC_E_INTERNAL, "decoder produced a format other than I420");
    out->width = last->d_w;
    out->height = last->d_h;
    out->y = last->planes[VPX_PLANE_Y];
    out->u = last->planes[VPX_PLANE_U];
    out->v = last->planes[VPX_PLANE_V];
    out->stride_y = last->stride[VPX_PLANE_Y];
    out->stride_u = last->stride[VPX_PLANE_U];
    out->stride_v = last->stride[VPX_PLANE_V];
    out->timestamp_us = timestamp_us;
    return PEERC_OK;
}

int peerc__vp9dec_decode(peerc_vp9dec *d, const uint8_t *data, size_t len, int64_t timestamp_us,
                         peerc_media_i420 *out)
{
    if (!d || !data || !len || !out)
        return PEERC_E_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (len > UINT32_MAX)
        return PEERC_E_INVALID_ARGUMENT;
    d->stats.frames_in++;

    peerc_vp9_frame_info fi;
    int key = peerc__vp9dec_peek(data, len, &fi) == PEERC_OK && fi.keyframe;
    if (!key && d->waiting) {
        d->stats.skipped++;
        return peerc__errorf(d->err, sizeof d->err, PEERC_E_INVALID_STATE,
                             "delta frame while waiting for a keyframe");
    }
    if (key && fi.profile != 0)
        return fail(d, PEERC_E_NOT_SUPPORTED, "keyframe of a profile other than 0");
    if (key) {
        int rc = prepare_for_keyframe(d, fi.width, fi.height);
        if (rc != PEERC_OK)
            return rc;
    } else if (!d->inited) { /* an earlier re-create failed */
        int rc = create(d);
        if (rc != PEERC_OK)
            return rc;
    }

    if (vpx_codec_decode(&d->codec, data, (unsigned int)len, NULL, 0) != VPX_CODEC_OK)
        return fail(d, PEERC_E_SYNTAX, "vpx_codec_decode failed");
    int corrupt = 0;
    if (vpx_codec_control(&d->codec, VP8D_GET_FRAME_CORRUPTED, &corrupt) == VPX_CODEC_OK && corrupt)
        return fail(d, PEERC_E_SYNTAX, "frame corrupted (lost reference)");
    if (key)
        d->waiting = 0;
    int rc = take_picture(d, timestamp_us, out);
    if (rc != PEERC_OK)
        return rc;
    d->stats.frames_decoded++;
    if (key)
        d->stats.keyframes++;
    d->stats.width = out->width;
    d->stats.height = out->height;
    return PEERC_OK;
}

void peerc__vp9dec_wait_for_keyframe(peerc_vp9dec *d)
{
    if (d)
        d->waiting = 1;
}

int peerc__vp9dec_waiting_for_keyframe(const peerc_vp9dec *d)
{
    return d ? d->waiting : 1;
}

void peerc__vp9dec_get_stats(const peerc_vp9dec *d, peerc_vp9dec_stats *out)
{
    if (!out)
        return;
    if (d)
        *out = d->stats;
    else
        memset(out, 0, sizeof *out);
}

const char *peerc__vp9dec_last_error(const peerc_vp9dec *d)
{
    return d && d->err[0] ? d->err : "";
}

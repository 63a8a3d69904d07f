/* libvpx VP8 decoder; see vp8dec.h. */
#include "media/vp8dec.h"

#include <peerc/common.h>

#include "core/error.h"
#include "core/log.h"

#include <stdlib.h>
#include <string.h>

#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>

/* Frame tag (3 bytes) + start code (3) + two 16-bit size fields. */
#define KEYFRAME_HEADER 10

struct peerc_vp8dec {
    vpx_codec_ctx_t codec;
    int inited;
    int waiting;           /* for a keyframe */
    uint32_t cfg_w, cfg_h; /* size the libvpx decoder last saw in a keyframe */
    peerc_vp8dec_stats stats;
    char err[PEERC_ERRBUF_SIZE];
};

int peerc__vp8dec_is_keyframe(const uint8_t *data, size_t len)
{
    /* RFC 6386 §9.1: bit 0 of the frame tag is 0 for keyframes, which then
     * carry a fixed start code after the 3-byte tag. */
    return data && len >= KEYFRAME_HEADER && (data[0] & 0x01) == 0 && data[3] == 0x9d &&
           data[4] == 0x01 && data[5] == 0x2a;
}

int peerc__vp8dec_keyframe_size(const uint8_t *data, size_t len, uint32_t *width, uint32_t *height)
{
    if (!peerc__vp8dec_is_keyframe(data, len) || !width || !height)
        return PEERC_E_INVALID_ARGUMENT;
    /* 14-bit little-endian sizes; the top two bits are the scaling mode. */
    *width = ((uint32_t)data[6] | ((uint32_t)data[7] << 8)) & 0x3fff;
    *height = ((uint32_t)data[8] | ((uint32_t)data[9] << 8)) & 0x3fff;
    return PEERC_OK;
}

static int create(peerc_vp8dec *d)
{
    vpx_codec_dec_cfg_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.threads = 1; /* decode is ~1 ms at 640x480; threads only add jitter */
    vpx_codec_err_t verr = vpx_codec_dec_init(&d->codec, vpx_codec_vp8_dx(), &cfg, 0);
    if (verr != VPX_CODEC_OK)
        return peerc__errorf(d->err, sizeof d->err, PEERC_E_INTERNAL, "vpx_codec_dec_init: %s",
                             vpx_codec_err_to_string(verr));
    d->inited = 1;
    d->stats.reinits++;
    return PEERC_OK;
}

static void destroy(peerc_vp8dec *d)
{
    if (d->inited)
        vpx_codec_destroy(&d->codec);
    d->inited = 0;
}

int peerc__vp8dec_new(peerc_vp8dec **out, char *err, size_t errlen)
{
    if (out)
        *out = NULL;
    if (!out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL out");
    peerc_vp8dec *d = calloc(1, sizeof *d);
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

void peerc__vp8dec_free(peerc_vp8dec *d)
{
    if (!d)
        return;
    destroy(d);
    free(d);
}

static int fail(peerc_vp8dec *d, int code, const char *what)
{
    const char *detail = d->inited ? vpx_codec_error_detail(&d->codec) : NULL;
    d->stats.errors++;
    d->waiting = 1;
    return peerc__errorf(d->err, sizeof d->err, code, "%s%s%s", what, detail ? ": " : "",
                         detail ? detail : "");
}

int peerc__vp8dec_decode(peerc_vp8dec *d, const uint8_t *data, size_t len, int64_t timestamp_us,
                         peerc_media_i420 *out)
{
    if (!d || !data || !len || !out)
        return PEERC_E_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (len > UINT32_MAX)
        return PEERC_E_INVALID_ARGUMENT;
    d->stats.frames_in++;

    uint32_t w, h;
    int key = peerc__vp8dec_keyframe_size(data, len, &w, &h) == PEERC_OK;
    if (!key && d->waiting) {
        d->stats.skipped++;
        return peerc__errorf(d->err, sizeof d->err, PEERC_E_INVALID_STATE,
                             "delta frame while waiting for a keyframe");
    }
    if (key && (w == 0 || h == 0))
        return fail(d, PEERC_E_SYNTAX, "keyframe with a zero dimension");
    if (key && (w != d->cfg_w || h != d->cfg_h)) {
        if (d->cfg_w)
            PEERC_DEBUG("media", "VP8 decoder: %ux%u -> %ux%u, re-creating", d->cfg_w, d->cfg_h, w,
                        h);
        if (d->cfg_w) {
            destroy(d);
            int rc = create(d);
            if (rc != PEERC_OK)
                return rc;
        }
        d->cfg_w = w;
        d->cfg_h = h;
    }
    if (!d->inited) { /* an earlier re-create failed */
        int rc = create(d);
        if (rc != PEERC_OK)
            return rc;
    }

    if (vpx_codec_decode(&d->codec, data, (unsigned int)len, NULL, 0) != VPX_CODEC_OK)
        return fail(d, PEERC_E_SYNTAX, "vpx_codec_decode failed");
    int corrupt = 0;
    if (vpx_codec_control(&d->codec, VP8D_GET_FRAME_CORRUPTED, &corrupt) == VPX_CODEC_OK && corrupt)
        return fail(d, PEERC_E_SYNTAX, "frame corrupted (lost reference)");

    vpx_codec_iter_t iter = NULL;
    vpx_image_t *img = vpx_codec_get_frame(&d->codec, &iter);
    if (key)
        d->waiting = 0;
    if (!img)
        return peerc__errorf(d->err, sizeof d->err, PEERC_E_NOT_FOUND, "no picture to show");
    if (img->fmt != VPX_IMG_FMT_I420)
        return fail(d, PEERC_E_INTERNAL, "decoder produced a format other than I420");
    out->width = img->d_w;
    out->height = img->d_h;
    out->y = img->planes[VPX_PLANE_Y];
    out->u = img->planes[VPX_PLANE_U];
    out->v = img->planes[VPX_PLANE_V];
    out->stride_y = img->stride[VPX_PLANE_Y];
    out->stride_u = img->stride[VPX_PLANE_U];
    out->stride_v = img->stride[VPX_PLANE_V];
    out->timestamp_us = timestamp_us;
    d->stats.frames_decoded++;
    if (key)
        d->stats.keyframes++;
    d->stats.width = out->width;
    d->stats.height = out->height;
    return PEERC_OK;
}

void peerc__vp8dec_wait_for_keyframe(peerc_vp8dec *d)
{
    if (d)
        d->waiting = 1;
}

int peerc__vp8dec_waiting_for_keyframe(const peerc_vp8dec *d)
{
    return d ? d->waiting : 1;
}

void peerc__vp8dec_get_stats(const peerc_vp8dec *d, peerc_vp8dec_stats *out)
{
    if (!out)
        return;
    if (d)
        *out = d->stats;
    else
        memset(out, 0, sizeof *out);
}

const char *peerc__vp8dec_last_error(const peerc_vp8dec *d)
{
    return d && d->err[0] ? d->err : "";
}

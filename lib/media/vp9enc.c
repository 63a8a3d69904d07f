/* libvpx VP9 realtime encoder; see vp9enc.h for the choices. */
#include "media/vp9enc.h"

#include <peerc/common.h>

#include "core/error.h"
#include "core/log.h"
#include "media/vpxenc-common.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <vpx/vp8cx.h>
#include <vpx/vpx_encoder.h>

struct peerc_vp9enc {
    peerc_vp9enc_config cfg;
    vpx_codec_ctx_t codec;
    vpx_codec_enc_cfg_t vcfg;
    int inited;
    peerc_vpx_clock clock;
    atomic_int keyframe_requested;
    atomic_uint target_kbps;
    uint32_t applied_kbps;
    uint8_t *out;
    size_t out_cap;
    peerc_vp9enc_stats stats;
    char err[PEERC_ERRBUF_SIZE];
};

static uint32_t clamp_kbps(uint32_t kbps)
{
    if (kbps < PEERC_VP9ENC_MIN_KBPS)
        return PEERC_VP9ENC_MIN_KBPS;
    if (kbps > PEERC_VP9ENC_MAX_KBPS)
        return PEERC_VP9ENC_MAX_KBPS;
    return kbps;
}

void peerc__vp9enc_config_init(peerc_vp9enc_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->bitrate_kbps = 1000;
    cfg->fps = 30;
    cfg->cpu_used = 7;
    cfg->kf_max_dist = 3000;
    cfg->min_q = 2;
    cfg->max_q = 56;
    cfg->aq_mode = 3;
}

static int check_config(peerc_vp9enc_config *c, char *err, size_t errlen)
{
    if (c->fps == 0 || c->fps > 240)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "fps %u not in 1..240", c->fps);
    if (c->min_q > c->max_q || c->max_q > 63)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "quantizers %u..%u not in 0..63", c->min_q, c->max_q);
    /* libvpx 1.8+ accepts up to 9; older ones refuse it at setup. */
    if (c->cpu_used < 0 || c->cpu_used > 9)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "cpu_used %d not in 0..9",
                             c->cpu_used);
    if (c->aq_mode > 3)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "aq_mode %u not in 0..3",
                             c->aq_mode);
    if (c->kf_max_dist == 0)
        c->kf_max_dist = 1;
    c->bitrate_kbps = clamp_kbps(c->bitrate_kbps);
    return PEERC_OK;
}

int peerc__vp9enc_new(const peerc_vp9enc_config *cfg, peerc_vp9enc **out, char *err, size_t errlen)
{
    peerc_vp9enc_config c;
    if (out)
        *out = NULL;
    if (!out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL out");
    if (cfg)
        c = *cfg;
    else
        peerc__vp9enc_config_init(&c);
    int rc = check_config(&c, err, errlen);
    if (rc != PEERC_OK)
        return rc;

    peerc_vp9enc *e = calloc(1, sizeof *e);
    if (!e)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    e->cfg = c;
    atomic_init(&e->keyframe_requested, 0);
    atomic_init(&e->target_kbps, c.bitrate_kbps);
    *out = e;
    return PEERC_OK;
}

static void teardown(peerc_vp9enc *e)
{
    if (e->inited)
        vpx_codec_destroy(&e->codec);
    e->inited = 0;
}

void peerc__vp9enc_free(peerc_vp9enc *e)
{
    if (!e)
        return;
    teardown(e);
    free(e->out);
    free(e);
}

/* The libvpx configuration for a w x h stream, before init. */
static void fill_config(peerc_vp9enc *e, vpx_codec_enc_cfg_t *c, uint32_t w, uint32_t h)
{
    c->g_w = w;
    c->g_h = h;
    /* Profile 0: 8-bit 4:2:0, what every receiver can decode. */
    c->g_profile = 0;
    c->g_bit_depth = VPX_BITS_8;
    c->g_input_bit_depth = 8;
    c->g_threads = 1;
    c->g_timebase.num = 1;
    c->g_timebase.den = PEERC_VPX_TIMEBASE;
    c->g_lag_in_frames = 0;
    c->g_pass = VPX_RC_ONE_PASS;
    c->g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
    c->rc_end_usage = VPX_CBR;
    c->rc_target_bitrate = e->applied_kbps;
    c->rc_min_quantizer = e->cfg.min_q;
    c->rc_max_quantizer = e->cfg.max_q;
    c->rc_dropframe_thresh = e->cfg.allow_drop ? 30 : 0;
    /* Internal resizing would change the decoded size behind the
     * application's back; resolution is the sender's decision. */
    c->rc_resize_allowed = 0;
    /* The VP8 encoder's buffer model (ms): reacts within a second, static
     * scenes cost almost nothing, spikes stay bounded for the pacer. */
    c->rc_buf_initial_sz = 500;
    c->rc_buf_optimal_sz = 600;
    c->rc_buf_sz = 1000;
    c->rc_undershoot_pct = 100;
    c->rc_overshoot_pct = 15;
    c->kf_mode = VPX_KF_AUTO;
    c->kf_min_dist = 0;
    c->kf_max_dist = e->cfg.kf_max_dist;
    /* One spatial and one temporal layer: no SVC. */
    c->ss_number_layers = 1;
    c->ts_number_layers = 1;
}

static int vpx_control(peerc_vp9enc *e, int id, int value, const char *name)
{
    return peerc__vpx_control(&e->codec, id, value, name, e->err, sizeof e->err);
}

static int apply_controls(peerc_vp9enc *e)
{
    /* A keyframe may take this many times the average frame's bits (half
     * the optimal buffer, scaled by frame rate), as for VP8. */
    unsigned intra_pct = (unsigned)(e->vcfg.rc_buf_optimal_sz * 0.5 * e->cfg.fps / 10);
    if (intra_pct < 300)
        intra_pct = 300;
    int rc = vpx_control(e, VP8E_SET_CPUUSED, e->cfg.cpu_used, "VP8E_SET_CPUUSED");
    if (rc == PEERC_OK)
        rc = vpx_control(e, VP9E_SET_AQ_MODE, (int)e->cfg.aq_mode, "VP9E_SET_AQ_MODE");
    if (rc == PEERC_OK) /* tiles only pay off with several threads */
        rc = vpx_control(e, VP9E_SET_TILE_COLUMNS, 0, "VP9E_SET_TILE_COLUMNS");
    if (rc == PEERC_OK) /* the denoiser costs time and camera noise is what we send */
        rc = vpx_control(e, VP9E_SET_NOISE_SENSITIVITY, 0, "VP9E_SET_NOISE_SENSITIVITY");
    if (rc == PEERC_OK) /* skip unchanged blocks cheaply */
        rc = vpx_control(e, VP8E_SET_STATIC_THRESHOLD, 1, "VP8E_SET_STATIC_THRESHOLD");
    if (rc == PEERC_OK)
        rc = vpx_control(e, VP8E_SET_MAX_INTRA_BITRATE_PCT, (int)intra_pct,
                     "VP8E_SET_MAX_INTRA_BITRATE_PCT");
    return rc;
}

static int setup(peerc_vp9enc *e, uint32_t w, uint32_t h)
{
    vpx_codec_enc_cfg_t *c = &e->vcfg;
    vpx_codec_err_t verr = vpx_codec_enc_config_default(vpx_codec_vp9_cx(), c, 0);
    if (verr != VPX_CODEC_OK)
        return peerc__errorf(e->err, sizeof e->err, PEERC_E_INTERNAL, "config_default: %s",
                             vpx_codec_err_to_string(verr));
    e->applied_kbps = atomic_load(&e->target_kbps);
    fill_config(e, c, w, h);
    verr = vpx_codec_enc_init(&e->codec, vpx_codec_vp9_cx(), c, 0);
    if (verr != VPX_CODEC_OK)
        return peerc__errorf(e->err, sizeof e->err, PEERC_E_INTERNAL,
                             "vpx_codec_enc_init %ux%u: %s", w, h, vpx_codec_err_to_string(verr));
    e->inited = 1;
    int rc = apply_controls(e);
    if (rc != PEERC_OK) {
        teardown(e);
        return rc;
    }
    e->stats.width = w;
    e->stats.height = h;
    e->stats.reinits++;
    PEERC_DEBUG("media", "VP9 encoder %ux%u, %u kbps, cpu_used %d, aq_mode %u", w, h,
                e->applied_kbps, e->cfg.cpu_used, e->cfg.aq_mode);
    return PEERC_OK;
}

/* Re-create libvpx for a new size (or the first frame). */
static int ensure_size(peerc_vp9enc *e, uint32_t w, uint32_t h)
{
    if (e->inited && w == e->stats.width && h == e->stats.height)
        return PEERC_OK;
    if (e->inited)
        PEERC_DEBUG("media", "VP9 encoder: %ux%u -> %ux%u, re-creating", e->stats.width,
                    e->stats.height, w, h);
    teardown(e);
    return setup(e, w, h);
}

int peerc__vp9enc_encode(peerc_vp9enc *e, const peerc_media_i420 *in, peerc_media_encoded *out)
{
    if (!e || !out)
        return PEERC_E_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    int rc = peerc__media_i420_check(in);
    if (rc != PEERC_OK)
        return peerc__errorf(e->err, sizeof e->err, rc, "bad I420 picture");
    rc = ensure_size(e, in->width, in->height);
    if (rc == PEERC_OK)
        rc = peerc__vpx_apply_bitrate(&e->codec, &e->vcfg, atomic_load(&e->target_kbps),
                                      &e->applied_kbps, e->err, sizeof e->err);
    vpx_image_t img;
    if (rc == PEERC_OK)
        rc = peerc__vpx_wrap(in, &img, e->err, sizeof e->err);
    if (rc != PEERC_OK)
        return rc;

    vpx_codec_pts_t pts;
    unsigned long duration;
    peerc__vpx_timing(&e->clock, e->stats.frames_in == 0, e->cfg.fps, in->timestamp_us, &pts,
                      &duration);
    e->stats.frames_in++;

    vpx_enc_frame_flags_t flags = 0;
    int want_key = atomic_exchange(&e->keyframe_requested, 0);
    if (want_key)
        flags |= VPX_EFLAG_FORCE_KF;
    vpx_codec_err_t verr = vpx_codec_encode(&e->codec, &img, pts, duration, flags, VPX_DL_REALTIME);
    if (verr != VPX_CODEC_OK) {
        const char *detail = vpx_codec_error_detail(&e->codec);
        if (want_key) /* not honoured: keep it for the next frame */
            atomic_store(&e->keyframe_requested, 1);
        return peerc__errorf(e->err, sizeof e->err, PEERC_E_INTERNAL, "vpx_codec_encode: %s%s%s",
                             vpx_codec_err_to_string(verr), detail ? ": " : "",
                             detail ? detail : "");
    }
    rc = peerc__vpx_collect(&e->codec, &e->out, &e->out_cap, out, e->err, sizeof e->err);
    if (rc != PEERC_OK)
        return rc;
    out->width = in->width;
    out->height = in->height;
    out->timestamp_us = in->timestamp_us;
    if (out->size == 0) {
        e->stats.dropped++;
        if (want_key) /* the request still stands */
            atomic_store(&e->keyframe_requested, 1);
        return PEERC_OK;
    }
    e->stats.frames_encoded++;
    e->stats.bytes += out->size;
    if (out->keyframe)
        e->stats.keyframes++;
    if (want_key)
        e->stats.keyframes_requested++;
    return PEERC_OK;
}

void peerc__vp9enc_request_keyframe(peerc_vp9enc *e)
{
    if (e)
        atomic_store(&e->keyframe_requested, 1);
}

void peerc__vp9enc_set_bitrate(peerc_vp9enc *e, uint32_t kbps)
{
    if (e)
        atomic_store(&e->target_kbps, clamp_kbps(kbps));
}

void peerc__vp9enc_get_stats(const peerc_vp9enc *e, peerc_vp9enc_stats *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (!e)
        return;
    *out = e->stats;
    out->bitrate_kbps = e->inited ? e->applied_kbps : atomic_load(&e->target_kbps);
}

const char *peerc__vp9enc_last_error(const peerc_vp9enc *e)
{
    return e && e->err[0] ? e->err : "";
}

/* libvpx VP9 realtime encoder; see vp9enc.h for the choices. */
#include "media/vp9enc.h"

#include <peerc/common.h>

#include "core/error.h"
#include "core/log.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <vpx/vp8cx.h>
#include <vpx/vpx_encoder.h>

/* RTP's clock for video (RFC 9628 §4.1), so pts map to RTP timestamps. */
#define TIMEBASE 90000

struct peerc_vp9enc {
    peerc_vp9enc_config cfg;
    vpx_codec_ctx_t codec;
    vpx_codec_enc_cfg_t vcfg;
    int inited;
    int64_t first_ts_us; /* pts are relative to it, keeping them small for libvpx */
    int64_t last_pts;
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

static int control(peerc_vp9enc *e, int id, int value, const char *name)
{
    /* vpx_codec_control is variadic on the id's type; every control we set
     * takes an int or unsigned int. */
    if (vpx_codec_control_(&e->codec, id, value) != VPX_CODEC_OK)
        return peerc__errorf(e->err, sizeof e->err, PEERC_E_INTERNAL, "%s: %s", name,
                             vpx_codec_error_detail(&e->codec) ? vpx_codec_error_detail(&e->codec)
                                                               : vpx_codec_error(&e->codec));
    return PEERC_OK;
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
    c->g_timebase.den = TIMEBASE;
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

static int apply_controls(peerc_vp9enc *e)
{
    /* A keyframe may take this many times the average frame's bits (half
     * the optimal buffer, scaled by frame rate), as for VP8. */
    unsigned intra_pct = (unsigned)(e->vcfg.rc_buf_optimal_sz * 0.5 * e->cfg.fps / 10);
    if (intra_pct < 300)
        intra_pct = 300;
    int rc = control(e, VP8E_SET_CPUUSED, e->cfg.cpu_used, "VP8E_SET_CPUUSED");
    if (rc == PEERC_OK)
        rc = control(e, VP9E_SET_AQ_MODE, (int)e->cfg.aq_mode, "VP9E_SET_AQ_MODE");
    if (rc == PEERC_OK) /* tiles only pay off with several threads */
        rc = control(e, VP9E_SET_TILE_COLUMNS, 0, "VP9E_SET_TILE_COLUMNS");
    if (rc == PEERC_OK) /* the denoiser costs time and camera noise is what we send */
        rc = control(e, VP9E_SET_NOISE_SENSITIVITY, 0, "VP9E_SET_NOISE_SENSITIVITY");
    if (rc == PEERC_OK) /* skip unchanged blocks cheaply */
        rc = control(e, VP8E_SET_STATIC_THRESHOLD, 1, "VP8E_SET_STATIC_THRESHOLD");
    if (rc == PEERC_OK)
        rc = control(e, VP8E_SET_MAX_INTRA_BITRATE_PCT, (int)intra_pct,
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

/* Timestamp (us, caller's origin) -> strictly increasing pts (90 kHz,
 * relative to the first frame) and this frame's duration. */
static void timing(peerc_vp9enc *e, int64_t ts_us, vpx_codec_pts_t *pts, unsigned long *duration)
{
    int64_t rel;
    if (e->stats.frames_in == 0)
        e->first_ts_us = ts_us;
    if (__builtin_sub_overflow(ts_us, e->first_ts_us, &rel) || rel < 0)
        rel = 0;
    int64_t p = rel / 1000000 * TIMEBASE + rel % 1000000 * TIMEBASE / 1000000;
    if (e->stats.frames_in == 0) {
        *duration = TIMEBASE / e->cfg.fps;
        p = 0;
    } else {
        if (p <= e->last_pts)
            p = e->last_pts + 1;
        int64_t d = p - e->last_pts;
        /* A long pause must not hand rate control a second of budget. */
        *duration = (unsigned long)(d > TIMEBASE ? TIMEBASE : d);
    }
    e->last_pts = p;
    *pts = p;
}

static int collect(peerc_vp9enc *e, peerc_media_encoded *out)
{
    vpx_codec_iter_t iter = NULL;
    const vpx_codec_cx_pkt_t *pkt;
    int frames = 0;
    while ((pkt = vpx_codec_get_cx_data(&e->codec, &iter)) != NULL) {
        if (pkt->kind != VPX_CODEC_CX_FRAME_PKT)
            continue;
        /* Lag 0 (no hidden alt-ref frames) and one layer: one frame per
         * input, never a superframe of several. */
        if (++frames > 1)
            return peerc__errorf(e->err, sizeof e->err, PEERC_E_INTERNAL,
                                 "libvpx returned several frames for one input");
        size_t n = pkt->data.frame.sz;
        if (n > e->out_cap) {
            uint8_t *b = realloc(e->out, n);
            if (!b)
                return peerc__errorf(e->err, sizeof e->err, PEERC_E_NO_MEMORY, "out of memory");
            e->out = b;
            e->out_cap = n;
        }
        memcpy(e->out, pkt->data.frame.buf, n);
        out->data = e->out;
        out->size = n;
        out->keyframe = (pkt->data.frame.flags & VPX_FRAME_IS_KEY) != 0;
    }
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

static int apply_bitrate(peerc_vp9enc *e)
{
    uint32_t kbps = atomic_load(&e->target_kbps);
    if (kbps == e->applied_kbps)
        return PEERC_OK;
    e->vcfg.rc_target_bitrate = kbps;
    vpx_codec_err_t verr = vpx_codec_enc_config_set(&e->codec, &e->vcfg);
    if (verr != VPX_CODEC_OK)
        return peerc__errorf(e->err, sizeof e->err, PEERC_E_INTERNAL, "bitrate %u kbps refused: %s",
                             kbps, vpx_codec_err_to_string(verr));
    e->applied_kbps = kbps;
    return PEERC_OK;
}

/* Wrap the caller's planes without copying; vpx_img_wrap only fills in the
 * geometry, the plane pointers and strides are set here. */
static int wrap(peerc_vp9enc *e, const peerc_media_i420 *in, vpx_image_t *img)
{
    if (!vpx_img_wrap(img, VPX_IMG_FMT_I420, in->width, in->height, 1, (unsigned char *)in->y))
        return peerc__errorf(e->err, sizeof e->err, PEERC_E_INTERNAL, "vpx_img_wrap failed");
    img->planes[VPX_PLANE_Y] = (unsigned char *)in->y;
    img->planes[VPX_PLANE_U] = (unsigned char *)in->u;
    img->planes[VPX_PLANE_V] = (unsigned char *)in->v;
    img->stride[VPX_PLANE_Y] = in->stride_y;
    img->stride[VPX_PLANE_U] = in->stride_u;
    img->stride[VPX_PLANE_V] = in->stride_v;
    return PEERC_OK;
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
        rc = apply_bitrate(e);
    vpx_image_t img;
    if (rc == PEERC_OK)
        rc = wrap(e, in, &img);
    if (rc != PEERC_OK)
        return rc;

    vpx_codec_pts_t pts;
    unsigned long duration;
    timing(e, in->timestamp_us, &pts, &duration);
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
    rc = collect(e, out);
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

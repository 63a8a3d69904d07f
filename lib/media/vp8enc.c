/* libvpx VP8 realtime encoder; see vp8enc.h for the choices. */
#include "media/vp8enc.h"

#include <peerc/common.h>

#include "core/error.h"
#include "core/log.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <vpx/vp8cx.h>
#include <vpx/vpx_encoder.h>

/* RTP's clock for video (RFC 7741 §4.1), so pts map to RTP timestamps. */
#define TIMEBASE 90000

struct peerc_vp8enc {
    peerc_vp8enc_config cfg;
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
    peerc_vp8enc_stats stats;
    char err[PEERC_ERRBUF_SIZE];
};

static uint32_t clamp_kbps(uint32_t kbps)
{
    if (kbps < PEERC_VP8ENC_MIN_KBPS)
        return PEERC_VP8ENC_MIN_KBPS;
    if (kbps > PEERC_VP8ENC_MAX_KBPS)
        return PEERC_VP8ENC_MAX_KBPS;
    return kbps;
}

void peerc__vp8enc_config_init(peerc_vp8enc_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->bitrate_kbps = 1000;
    cfg->fps = 30;
    cfg->cpu_used = -6;
    cfg->kf_max_dist = 3000;
    cfg->min_q = 2;
    cfg->max_q = 56;
}

int peerc__vp8enc_new(const peerc_vp8enc_config *cfg, peerc_vp8enc **out, char *err, size_t errlen)
{
    peerc_vp8enc_config c;
    if (out)
        *out = NULL;
    if (!out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL out");
    if (cfg)
        c = *cfg;
    else
        peerc__vp8enc_config_init(&c);
    if (c.fps == 0 || c.fps > 240)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "fps %u not in 1..240", c.fps);
    if (c.min_q > c.max_q || c.max_q > 63)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "quantizers %u..%u not in 0..63", c.min_q, c.max_q);
    if (c.cpu_used < -16 || c.cpu_used > 16)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "cpu_used %d not in -16..16",
                             c.cpu_used);
    if (c.kf_max_dist == 0)
        c.kf_max_dist = 1;
    c.bitrate_kbps = clamp_kbps(c.bitrate_kbps);

    peerc_vp8enc *e = calloc(1, sizeof *e);
    if (!e)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    e->cfg = c;
    atomic_init(&e->keyframe_requested, 0);
    atomic_init(&e->target_kbps, c.bitrate_kbps);
    *out = e;
    return PEERC_OK;
}

static void teardown(peerc_vp8enc *e)
{
    if (e->inited)
        vpx_codec_destroy(&e->codec);
    e->inited = 0;
}

void peerc__vp8enc_free(peerc_vp8enc *e)
{
    if (!e)
        return;
    teardown(e);
    free(e->out);
    free(e);
}

static int control(peerc_vp8enc *e, int id, int value, const char *name)
{
    /* vpx_codec_control is variadic on the id's type; every control we set
     * takes an int or unsigned int. */
    if (vpx_codec_control_(&e->codec, id, value) != VPX_CODEC_OK)
        return peerc__errorf(e->err, sizeof e->err, PEERC_E_INTERNAL, "%s: %s", name,
                             vpx_codec_error_detail(&e->codec) ? vpx_codec_error_detail(&e->codec)
                                                               : vpx_codec_error(&e->codec));
    return PEERC_OK;
}

static int setup(peerc_vp8enc *e, uint32_t w, uint32_t h)
{
    vpx_codec_enc_cfg_t *c = &e->vcfg;
    vpx_codec_err_t verr = vpx_codec_enc_config_default(vpx_codec_vp8_cx(), c, 0);
    if (verr != VPX_CODEC_OK)
        return peerc__errorf(e->err, sizeof e->err, PEERC_E_INTERNAL, "config_default: %s",
                             vpx_codec_err_to_string(verr));
    c->g_w = w;
    c->g_h = h;
    c->g_threads = 1;
    c->g_timebase.num = 1;
    c->g_timebase.den = TIMEBASE;
    c->g_lag_in_frames = 0;
    c->g_pass = VPX_RC_ONE_PASS;
    /* Entropy contexts are reset every frame, so a lost frame only costs
     * its references, not the probabilities of what follows. */
    c->g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
    c->rc_end_usage = VPX_CBR;
    e->applied_kbps = atomic_load(&e->target_kbps);
    c->rc_target_bitrate = e->applied_kbps;
    c->rc_min_quantizer = e->cfg.min_q;
    c->rc_max_quantizer = e->cfg.max_q;
    c->rc_dropframe_thresh = e->cfg.allow_drop ? 30 : 0;
    c->rc_resize_allowed = 0;
    /* Buffer model in ms, as WebRTC senders use: a short buffer makes CBR
     * react within a second; undershoot 100% lets static scenes cost
     * almost nothing, overshoot 15% bounds the spikes the pacer must
     * absorb. */
    c->rc_buf_initial_sz = 500;
    c->rc_buf_optimal_sz = 600;
    c->rc_buf_sz = 1000;
    c->rc_undershoot_pct = 100;
    c->rc_overshoot_pct = 15;
    c->kf_mode = VPX_KF_AUTO;
    c->kf_min_dist = 0;
    c->kf_max_dist = e->cfg.kf_max_dist;

    verr = vpx_codec_enc_init(&e->codec, vpx_codec_vp8_cx(), c, 0);
    if (verr != VPX_CODEC_OK)
        return peerc__errorf(e->err, sizeof e->err, PEERC_E_INTERNAL,
                             "vpx_codec_enc_init %ux%u: %s", w, h, vpx_codec_err_to_string(verr));
    e->inited = 1;

    /* A keyframe may take this many times the average frame's bits
     * (WebRTC's rule: half the optimal buffer, scaled by frame rate), so
     * one keyframe does not stall the pipe for seconds. */
    unsigned intra_pct = (unsigned)(c->rc_buf_optimal_sz * 0.5 * e->cfg.fps / 10);
    if (intra_pct < 300)
        intra_pct = 300;
    int rc = control(e, VP8E_SET_CPUUSED, e->cfg.cpu_used, "VP8E_SET_CPUUSED");
    if (rc == PEERC_OK) /* the denoiser costs time and camera noise is what we send */
        rc = control(e, VP8E_SET_NOISE_SENSITIVITY, 0, "VP8E_SET_NOISE_SENSITIVITY");
    if (rc == PEERC_OK) /* skip unchanged macroblocks cheaply */
        rc = control(e, VP8E_SET_STATIC_THRESHOLD, 1, "VP8E_SET_STATIC_THRESHOLD");
    if (rc == PEERC_OK) /* one partition: RFC 7741 payloading needs no partition ids */
        rc = control(e, VP8E_SET_TOKEN_PARTITIONS, VP8_ONE_TOKENPARTITION,
                     "VP8E_SET_TOKEN_PARTITIONS");
    if (rc == PEERC_OK)
        rc = control(e, VP8E_SET_MAX_INTRA_BITRATE_PCT, (int)intra_pct,
                     "VP8E_SET_MAX_INTRA_BITRATE_PCT");
    if (rc != PEERC_OK) {
        teardown(e);
        return rc;
    }
    e->stats.width = w;
    e->stats.height = h;
    e->stats.reinits++;
    PEERC_DEBUG("media", "VP8 encoder %ux%u, %u kbps, cpu_used %d", w, h, e->applied_kbps,
                e->cfg.cpu_used);
    return PEERC_OK;
}

/* Timestamp (us, caller's origin) -> strictly increasing pts (90 kHz,
 * relative to the first frame) and this frame's duration. */
static void timing(peerc_vp8enc *e, int64_t ts_us, vpx_codec_pts_t *pts, unsigned long *duration)
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

static int collect(peerc_vp8enc *e, peerc_media_encoded *out)
{
    vpx_codec_iter_t iter = NULL;
    const vpx_codec_cx_pkt_t *pkt;
    int frames = 0;
    while ((pkt = vpx_codec_get_cx_data(&e->codec, &iter)) != NULL) {
        if (pkt->kind != VPX_CODEC_CX_FRAME_PKT)
            continue;
        /* Lag 0 and no partitions: exactly one frame per input. */
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

int peerc__vp8enc_encode(peerc_vp8enc *e, const peerc_media_i420 *in, peerc_media_encoded *out)
{
    if (!e || !out)
        return PEERC_E_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    int rc = peerc__media_i420_check(in);
    if (rc != PEERC_OK)
        return peerc__errorf(e->err, sizeof e->err, rc, "bad I420 picture");

    if (!e->inited || in->width != e->stats.width || in->height != e->stats.height) {
        if (e->inited)
            PEERC_DEBUG("media", "VP8 encoder: %ux%u -> %ux%u, re-creating", e->stats.width,
                        e->stats.height, in->width, in->height);
        teardown(e);
        rc = setup(e, in->width, in->height);
        if (rc != PEERC_OK)
            return rc;
    }
    uint32_t kbps = atomic_load(&e->target_kbps);
    if (kbps != e->applied_kbps) {
        e->vcfg.rc_target_bitrate = kbps;
        vpx_codec_err_t verr = vpx_codec_enc_config_set(&e->codec, &e->vcfg);
        if (verr != VPX_CODEC_OK)
            return peerc__errorf(e->err, sizeof e->err, PEERC_E_INTERNAL,
                                 "bitrate %u kbps refused: %s", kbps,
                                 vpx_codec_err_to_string(verr));
        e->applied_kbps = kbps;
    }

    /* Wrap the caller's planes without copying; vpx_img_wrap only fills in
     * the geometry, the plane pointers and strides are set here. */
    vpx_image_t img;
    if (!vpx_img_wrap(&img, VPX_IMG_FMT_I420, in->width, in->height, 1, (unsigned char *)in->y))
        return peerc__errorf(e->err, sizeof e->err, PEERC_E_INTERNAL, "vpx_img_wrap failed");
    img.planes[VPX_PLANE_Y] = (unsigned char *)in->y;
    img.planes[VPX_PLANE_U] = (unsigned char *)in->u;
    img.planes[VPX_PLANE_V] = (unsigned char *)in->v;
    img.stride[VPX_PLANE_Y] = in->stride_y;
    img.stride[VPX_PLANE_U] = in->stride_u;
    img.stride[VPX_PLANE_V] = in->stride_v;

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

void peerc__vp8enc_request_keyframe(peerc_vp8enc *e)
{
    if (e)
        atomic_store(&e->keyframe_requested, 1);
}

void peerc__vp8enc_set_bitrate(peerc_vp8enc *e, uint32_t kbps)
{
    if (e)
        atomic_store(&e->target_kbps, clamp_kbps(kbps));
}

void peerc__vp8enc_get_stats(const peerc_vp8enc *e, peerc_vp8enc_stats *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (!e)
        return;
    *out = e->stats;
    out->bitrate_kbps = e->inited ? e->applied_kbps : atomic_load(&e->target_kbps);
}

const char *peerc__vp8enc_last_error(const peerc_vp8enc *e)
{
    return e && e->err[0] ? e->err : "";
}

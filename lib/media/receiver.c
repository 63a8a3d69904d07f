/* RTP receiver: configuration, lifecycle, packet dispatch with RTX
 * restoration (RFC 4588 §4), RFC 3550 receive statistics and reports
 * (see receiver.h).  Codec paths are in receiver-video.c and
 * receiver-audio.c. */
#include "media/receiver-private.h"

#include <peerc/common.h>

#include "core/error.h"

#include <stdlib.h>
#include <string.h>

void peerc__rtp_receiver_config_init(peerc_rtp_receiver_config *cfg, int kind)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = kind == PEERC_MEDIA_AUDIO ? PEERC_MEDIA_AUDIO : PEERC_MEDIA_VIDEO;
    cfg->payload_type = cfg->kind == PEERC_MEDIA_AUDIO ? 111 : 96;
    cfg->rtx_payload_type = -1;
    cfg->nack = 1;
    cfg->pli = 1;
    cfg->channels = 1;
}

/* RTP clock of the stream (RFC 7741 §4.1, RFC 7587 §4.1, RFC 3551 §4.5.14). */
static uint32_t clock_rate(const peerc_rtp_receiver_config *c)
{
    if (c->kind == PEERC_MEDIA_VIDEO)
        return 90000;
    return c->codec == PEERC_MEDIA_CODEC_DEFAULT ? 48000 : 8000;
}

static int normalize(const peerc_rtp_receiver_config *in, peerc_rtp_receiver_config *out,
                     char *err, size_t errlen)
{
    if (!in)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL config");
    peerc_rtp_receiver_config c = *in;
    if (c.kind != PEERC_MEDIA_AUDIO && c.kind != PEERC_MEDIA_VIDEO)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "kind %d", c.kind);
    if (c.payload_type > 127 || c.rtx_payload_type > 127 ||
        c.rtx_payload_type == c.payload_type)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "payload types %u/%d",
                             c.payload_type, c.rtx_payload_type);
    if (c.rtx_payload_type < -1)
        c.rtx_payload_type = -1;
    if (c.channels == 0)
        c.channels = 1;
    if (c.channels > 2)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "%u channels", c.channels);
    if (c.codec != PEERC_MEDIA_CODEC_DEFAULT &&
        (c.kind == PEERC_MEDIA_AUDIO
             ? c.codec != PEERC_MEDIA_CODEC_PCMU && c.codec != PEERC_MEDIA_CODEC_PCMA
             : c.codec != PEERC_MEDIA_CODEC_VP9 && c.codec != PEERC_MEDIA_CODEC_H264))
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "codec %d", c.codec);
    *out = c;
    return PEERC_OK;
}

int peerc__rtp_receiver_new(const peerc_rtp_receiver_config *cfg,
                            const peerc_rtp_receiver_callbacks *cbs, void *ud,
                            peerc_rtp_receiver **out, char *err, size_t errlen)
{
    peerc_rtp_receiver_config c;
    if (out)
        *out = NULL;
    if (!out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL out");
    int rc = normalize(cfg, &c, err, errlen);
    if (rc)
        return rc;
    peerc_rtp_receiver *r = calloc(1, sizeof *r);
    if (!r)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    pthread_mutex_init(&r->lock, NULL);
    if (cbs)
        r->cbs = *cbs;
    r->ud = ud;
    r->cfg = c;
    r->clock_rate = clock_rate(&c);
    r->remote_ssrc = c.remote_ssrc;
    r->have_remote = c.remote_ssrc != 0;
    r->rtx_ssrc = c.rtx_ssrc;
    r->have_rtx = c.rtx_ssrc != 0;
    atomic_init(&r->remote_ssrc_pub, c.remote_ssrc);
    atomic_init(&r->rtt_ms, DEFAULT_RTT_MS);
    peerc__rtp_unwrapper_init(&r->seq_unwrap);
    memset(&r->ts_unwrap, 0, sizeof r->ts_unwrap);
    rc = c.kind == PEERC_MEDIA_VIDEO ? peerc__rtp_receiver_video_init(r)
                                     : peerc__rtp_receiver_audio_init(r);
    if (rc) {
        peerc__rtp_receiver_free(r);
        return peerc__errorf(err, errlen, rc, "cannot create the %s decoder",
                             c.kind == PEERC_MEDIA_VIDEO ? "VP8" : "Opus");
    }
    *out = r;
    return PEERC_OK;
}

void peerc__rtp_receiver_free(peerc_rtp_receiver *r)
{
    if (!r)
        return;
    peerc__rtp_receiver_video_free(r);
    peerc__vp8dec_free(r->vdec);
    peerc__vp9dec_free(r->vp9dec);
    peerc__rtp_receiver_audio_free(r);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

int peerc__rtp_receiver_reconfigure(peerc_rtp_receiver *r, const peerc_rtp_receiver_config *cfg)
{
    peerc_rtp_receiver_config c;
    if (!r)
        return PEERC_E_INVALID_ARGUMENT;
    int rc = normalize(cfg, &c, NULL, 0);
    if (rc)
        return rc;
    pthread_mutex_lock(&r->lock);
    if (c.kind != (r->has_pending ? r->pending.kind : r->cfg.kind))
        rc = PEERC_E_INVALID_MODIFICATION;
    else {
        r->pending = c;
        r->has_pending = 1;
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

/* Forget everything about the remote stream: a new SSRC is a new sequence
 * and timestamp space (RFC 3550 §8.2). */
static void reset_stream(peerc_rtp_receiver *r)
{
    r->have_src = 0;
    peerc__rtp_unwrapper_init(&r->seq_unwrap);
    memset(&r->ts_unwrap, 0, sizeof r->ts_unwrap);
    r->have_first_ts = 0;
    r->have_sr = 0;
    if (r->cfg.kind == PEERC_MEDIA_VIDEO) {
        peerc__rtp_receiver_video_free(r);
        peerc__rtp_receiver_video_init(r);
    } else {
        peerc__rtp_receiver_audio_reset(r);
    }
}

/* Take a configuration reconfigure left; network thread. */
static void apply_pending(peerc_rtp_receiver *r)
{
    peerc_rtp_receiver_config c;
    pthread_mutex_lock(&r->lock);
    int has = r->has_pending;
    c = r->pending;
    r->has_pending = 0;
    pthread_mutex_unlock(&r->lock);
    if (!has)
        return;
    int new_remote = c.remote_ssrc && (!r->have_remote || c.remote_ssrc != r->remote_ssrc);
    int audio_changed = c.channels != r->cfg.channels || c.codec != r->cfg.codec;
    r->cfg = c;
    r->clock_rate = clock_rate(&c);
    if (c.rtx_ssrc) {
        r->rtx_ssrc = c.rtx_ssrc;
        r->have_rtx = 1;
    }
    if (new_remote) {
        r->remote_ssrc = c.remote_ssrc;
        r->have_remote = 1;
        atomic_store(&r->remote_ssrc_pub, c.remote_ssrc);
        reset_stream(r);
    }
    if (c.kind == PEERC_MEDIA_VIDEO && r->jb_inited) {
        r->jb.cfg.nack_enabled = c.nack ? 1 : 0;
        r->jb.cfg.max_wait_ms = c.nack ? NACK_WAIT_MS : NO_NACK_WAIT_MS;
    }
    if (c.kind == PEERC_MEDIA_VIDEO && audio_changed && r->jb_inited) {
        /* another codec: its frames start over at a keyframe */
        peerc__rtp_receiver_video_free(r);
        peerc__rtp_receiver_video_init(r);
    }
    if (c.kind == PEERC_MEDIA_AUDIO && audio_changed) {
        peerc__rtp_receiver_audio_free(r);
        peerc__rtp_receiver_audio_init(r);
    }
}

/* Derived statistics, then a copy for other threads. */
static void publish(peerc_rtp_receiver *r)
{
    if (r->have_src) {
        const peerc_rtp_source *s = &r->src;
        int64_t expected = (int64_t)peerc__rtp_source_ext_max(s) - s->base_seq + 1;
        int64_t lost = expected - (int64_t)s->received;
        r->st.packets_lost = lost > 0 ? (uint64_t)lost : 0;
        r->st.jitter_s = (double)(s->jitter >> 4) / r->clock_rate;
    }
    if (r->jb_inited) {
        r->st.frames_dropped = r->jb.as.frames_dropped + r->dec_dropped;
        r->st.packets_duplicated = r->jb.as.packets_duplicate;
    }
    pthread_mutex_lock(&r->lock);
    r->pub = r->st;
    pthread_mutex_unlock(&r->lock);
}

static int refuse(peerc_rtp_receiver *r, int code)
{
    r->st.packets_invalid++;
    publish(r);
    return code;
}

/* RFC 3550 A.1/A.8 bookkeeping for a packet on the media SSRC. */
static void update_source(peerc_rtp_receiver *r, const peerc_rtp_packet *p, int64_t now_ms)
{
    int in_order = 1;
    if (!r->have_src) {
        /* SSRCs are signalled and SRTP authenticates: no probation. */
        peerc__rtp_source_init(&r->src, p->seq, 0);
        r->have_src = 1;
    } else {
        in_order = peerc__rtp_seq_newer(p->seq, r->src.max_seq);
    }
    peerc__rtp_source_update(&r->src, p->seq);
    /* Only packets in order feed the jitter estimate: a reordered or
     * retransmitted one would count its delay as jitter. */
    if (in_order) {
        uint32_t arrival = (uint32_t)(now_ms * (int64_t)(r->clock_rate / 1000));
        peerc__rtp_source_jitter(&r->src, p->timestamp, arrival);
    }
}

/* RFC 4588 §4: payload = OSN (2 bytes) + original payload; restore the
 * original packet as the media stream would have carried it. */
static int restore_rtx(peerc_rtp_receiver *r, const peerc_rtp_packet *pkt, peerc_rtp_packet *m)
{
    if (r->have_rtx && pkt->ssrc != r->rtx_ssrc)
        return PEERC_E_NOT_FOUND;
    if (!r->have_remote)
        return PEERC_E_NOT_FOUND; /* nothing to restore onto yet */
    if (pkt->payload_len < 2)
        return PEERC_E_SYNTAX;
    if (!r->have_rtx) {
        r->rtx_ssrc = pkt->ssrc;
        r->have_rtx = 1;
    }
    *m = *pkt;
    m->seq = (uint16_t)(pkt->payload[0] << 8 | pkt->payload[1]);
    m->ssrc = r->remote_ssrc;
    m->payload_type = r->cfg.payload_type;
    m->payload = pkt->payload + 2;
    m->payload_len = pkt->payload_len - 2;
    return PEERC_OK;
}

int peerc__rtp_receiver_receive(peerc_rtp_receiver *r, const peerc_rtp_packet *pkt,
                                int64_t now_ms)
{
    if (!r || !pkt || (pkt->payload_len && !pkt->payload))
        return PEERC_E_INVALID_ARGUMENT;
    apply_pending(r);
    peerc_rtp_packet m;
    int rtx = r->cfg.rtx_payload_type >= 0 && pkt->payload_type == r->cfg.rtx_payload_type;
    if (rtx) {
        /* An empty RTX packet is padding (bandwidth probing, RFC 4588 §4):
         * it carries no OSN. */
        if (pkt->payload_len == 0 && (!r->have_rtx || pkt->ssrc == r->rtx_ssrc)) {
            r->st.header_bytes_received += pkt->header_len + pkt->padding;
            publish(r);
            return PEERC_OK;
        }
        int rc = restore_rtx(r, pkt, &m);
        if (rc)
            return refuse(r, rc);
    } else if (pkt->payload_type == r->cfg.payload_type) {
        if (r->have_remote && pkt->ssrc != r->remote_ssrc)
            return refuse(r, PEERC_E_NOT_FOUND);
        if (!r->have_remote) {
            r->remote_ssrc = pkt->ssrc;
            r->have_remote = 1;
            atomic_store(&r->remote_ssrc_pub, pkt->ssrc);
        }
        m = *pkt;
    } else {
        return refuse(r, PEERC_E_NOT_FOUND);
    }
    r->st.packets_received++;
    r->st.bytes_received += m.payload_len;
    r->st.header_bytes_received += pkt->header_len + pkt->padding;
    if (rtx)
        r->st.retransmitted_packets_received++;
    else
        update_source(r, &m, now_ms);
    int64_t ext_seq = peerc__rtp_unwrap(&r->seq_unwrap, m.seq);
    int64_t ext_ts = peerc__rtp_ts_unwrap(&r->ts_unwrap, m.timestamp);
    if (!r->have_first_ts) {
        r->have_first_ts = 1;
        r->first_ts = ext_ts;
    }
    int rc;
    if (r->cfg.kind == PEERC_MEDIA_VIDEO)
        rc = peerc__rtp_receiver_video_packet(r, &m, ext_seq, now_ms);
    else if (m.payload_len == 0)
        rc = PEERC_OK; /* padding only: nothing to play */
    else
        rc = peerc__rtp_receiver_audio_packet(r, &m, ext_seq, ext_ts, now_ms);
    if (rc == PEERC_E_SYNTAX)
        return refuse(r, rc);
    publish(r);
    return rc;
}

int64_t peerc__rtp_receiver_poll(peerc_rtp_receiver *r, int64_t now_ms)
{
    if (!r)
        return -1;
    apply_pending(r);
    int64_t next = r->cfg.kind == PEERC_MEDIA_VIDEO ? peerc__rtp_receiver_video_poll(r, now_ms)
                                                    : peerc__rtp_receiver_audio_poll(r, now_ms);
    publish(r);
    return next;
}

int peerc__rtp_receiver_report_block(peerc_rtp_receiver *r, uint64_t now_ntp,
                                     peerc_rtp_rtcp_report *out)
{
    if (!r || !out)
        return PEERC_E_INVALID_ARGUMENT;
    apply_pending(r);
    if (!r->have_src)
        return 0;
    memset(out, 0, sizeof *out);
    peerc__rtp_source_report(&r->src, out);
    out->ssrc = r->remote_ssrc;
    if (r->have_sr) {
        /* §6.4.1: LSR is the middle 32 bits of the SR's NTP time, DLSR the
         * delay since it arrived in 1/65536 s. */
        out->lsr = r->lsr;
        uint64_t d = now_ntp > r->sr_arrival_ntp ? now_ntp - r->sr_arrival_ntp : 0;
        out->dlsr = (uint32_t)(d >> 16 > UINT32_MAX ? UINT32_MAX : d >> 16);
    }
    return 1;
}

void peerc__rtp_receiver_on_sr(peerc_rtp_receiver *r, const peerc_rtp_rtcp_sr *sr,
                               uint64_t now_ntp)
{
    if (!r || !sr)
        return;
    apply_pending(r);
    if (r->have_remote && sr->ssrc != r->remote_ssrc)
        return;
    r->lsr = (uint32_t)(sr->ntp >> 16);
    r->sr_arrival_ntp = now_ntp;
    r->have_sr = 1;
}

void peerc__rtp_receiver_request_keyframe(peerc_rtp_receiver *r, int64_t now_ms)
{
    if (!r)
        return;
    apply_pending(r);
    if (r->cfg.kind == PEERC_MEDIA_VIDEO)
        peerc__rtp_receiver_video_keyframe(r, now_ms);
    publish(r);
}

uint32_t peerc__rtp_receiver_remote_ssrc(const peerc_rtp_receiver *r)
{
    return r ? atomic_load(&((peerc_rtp_receiver *)r)->remote_ssrc_pub) : 0;
}

void peerc__rtp_receiver_set_rtt(peerc_rtp_receiver *r, int64_t rtt_ms)
{
    if (r && rtt_ms >= 0)
        atomic_store(&r->rtt_ms, rtt_ms);
}

void peerc__rtp_receiver_get_stats(peerc_rtp_receiver *r, peerc_rtp_receiver_stats *out)
{
    if (!out)
        return;
    if (!r) {
        memset(out, 0, sizeof *out);
        return;
    }
    pthread_mutex_lock(&r->lock);
    *out = r->pub;
    pthread_mutex_unlock(&r->lock);
}

int64_t peerc__rtp_receiver_ts_us(peerc_rtp_receiver *r, int64_t ext_ts)
{
    return (ext_ts - r->first_ts) * 1000000 / r->clock_rate;
}

void peerc__rtp_receiver_send_rtcp(peerc_rtp_receiver *r, const uint8_t *pkt, size_t len)
{
    if (r->cbs.send_rtcp)
        r->cbs.send_rtcp(r->ud, pkt, len);
}

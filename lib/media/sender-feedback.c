/* RTP sender, network half: NACK answers from the history (RFC 4585
 * §6.2.1, RFC 4588), keyframe requests, REMB and receiver-report driven
 * rate control, sender report info (RFC 3550 §6.4.1). */
#include "media/sender-private.h"

#include <peerc/common.h>

#include <math.h>
#include <string.h>

uint32_t peerc__rtp_sender_target_locked(const peerc_rtp_sender *s)
{
    const peerc_rtp_sender_config *c = &s->cfg;
    if (c->kind == PEERC_MEDIA_AUDIO)
        return c->start_bitrate_bps;
    double t = s->loss_estimate_bps;
    if (s->remb_bps != UINT32_MAX && s->remb_bps < t)
        t = s->remb_bps;
    if (t < c->min_bitrate_bps)
        t = c->min_bitrate_bps;
    if (t > c->max_bitrate_bps)
        t = c->max_bitrate_bps;
    return (uint32_t)t;
}

void peerc__rtp_sender_apply_target_locked(peerc_rtp_sender *s)
{
    s->st.target_bitrate_bps = peerc__rtp_sender_target_locked(s);
    if (s->venc)
        peerc__vp8enc_set_bitrate(s->venc, s->st.target_bitrate_bps / 1000);
    if (s->vp9enc)
        peerc__vp9enc_set_bitrate(s->vp9enc, s->st.target_bitrate_bps / 1000);
}

/* Turn a stored packet into its RTX form (RFC 4588 §4): RTX SSRC, payload
 * type and sequence number, the original sequence number in front of the
 * original payload; timestamp, marker and extensions unchanged. */
static int make_rtx(const uint8_t *orig, size_t len, uint8_t pt, uint32_t ssrc, uint16_t seq,
                    uint8_t *out, size_t cap, size_t *out_len)
{
    peerc_rtp_packet p;
    uint8_t payload[SENDER_BUF];
    int rc = peerc__rtp_parse(orig, len, &p);
    if (rc)
        return rc;
    if (p.payload_len + 2 > sizeof payload)
        return PEERC_E_RANGE;
    payload[0] = (uint8_t)(p.seq >> 8);
    payload[1] = (uint8_t)p.seq;
    memcpy(payload + 2, p.payload, p.payload_len);
    p.payload_type = pt;
    p.ssrc = ssrc;
    p.seq = seq;
    p.payload = payload;
    p.payload_len += 2;
    p.padding = 0;
    return peerc__rtp_write(&p, out, cap, out_len);
}

/* Copy one packet out of the history if it may be retransmitted now.
 * Returns its length, 0 if not.  Lock held. */
static size_t take_locked(peerc_rtp_sender *s, uint16_t seq, int64_t now, uint8_t *buf,
                          size_t *payload_len)
{
    sender_slot *slot = &s->hist[seq & (SENDER_HISTORY - 1)];
    if (!slot->used || slot->seq != seq || now - slot->sent_us > SENDER_HISTORY_MAX_AGE_US)
        return 0;
    /* One answer per round trip: the receiver repeats its NACK each RTT
     * until the packet arrives, and every repeat would otherwise cost a
     * packet while the first answer is still in flight. */
    int64_t pace = s->st.rtt_ms > 0 ? s->st.rtt_ms * 1000 : SENDER_RTX_MIN_INTERVAL_US;
    if (pace < SENDER_RTX_MIN_INTERVAL_US)
        pace = SENDER_RTX_MIN_INTERVAL_US;
    if (slot->rtx_us != INT64_MIN && now - slot->rtx_us < pace)
        return 0;
    peerc_rtp_packet p;
    if (peerc__rtp_parse(slot->data, slot->len, &p))
        return 0;
    slot->rtx_us = now;
    memcpy(buf, slot->data, slot->len);
    *payload_len = p.payload_len;
    return slot->len;
}

static void retransmit_one(peerc_rtp_sender *s, uint16_t seq)
{
    uint8_t orig[SENDER_BUF], rtx[SENDER_BUF];
    size_t plen = 0, len, out_len;
    pthread_mutex_lock(&s->lock);
    int rtx_pt = s->cfg.rtx_payload_type;
    uint32_t rtx_ssrc = s->cfg.rtx_ssrc;
    len = take_locked(s, seq, peerc__rtp_sender_now(s), orig, &plen);
    if (!len) {
        pthread_mutex_unlock(&s->lock);
        return;
    }
    uint16_t rseq = s->rtx_seq;
    if (rtx_pt >= 0)
        s->rtx_seq++;
    else {
        /* Same SSRC: the packet counts for the SR like any other. */
        s->st.packets_sent++;
        s->st.bytes_sent += plen;
        s->st.header_bytes_sent += len - plen;
    }
    s->st.retransmitted_packets++;
    s->st.retransmitted_bytes += plen;
    pthread_mutex_unlock(&s->lock);
    if (rtx_pt < 0) {
        s->send(s->ud, orig, len, 1);
        return;
    }
    if (make_rtx(orig, len, (uint8_t)rtx_pt, rtx_ssrc, rseq, rtx, sizeof rtx, &out_len) == 0)
        s->send(s->ud, rtx, out_len, 1);
}

void peerc__rtp_sender_on_nack(peerc_rtp_sender *s, const uint16_t *seqs, size_t n)
{
    if (!s || (!seqs && n))
        return;
    pthread_mutex_lock(&s->lock);
    s->st.nack_count++;
    pthread_mutex_unlock(&s->lock);
    /* Paused: the transport may not take packets (sender.h). */
    if (!atomic_load(&s->active))
        return;
    for (size_t i = 0; i < n; i++)
        retransmit_one(s, seqs[i]);
}

void peerc__rtp_sender_request_keyframe(peerc_rtp_sender *s)
{
    if (!s)
        return;
    void (*fn)(void *ud);
    void *ud;
    pthread_mutex_lock(&s->lock);
    s->st.pli_count++;
    fn = s->kf_listener;
    ud = s->kf_listener_ud;
    pthread_mutex_unlock(&s->lock);
    if (s->venc)
        peerc__vp8enc_request_keyframe(s->venc);
    if (s->vp9enc)
        peerc__vp9enc_request_keyframe(s->vp9enc);
    if (fn)
        fn(ud);
}

void peerc__rtp_sender_set_keyframe_listener(peerc_rtp_sender *s, void (*fn)(void *ud), void *ud)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->kf_listener = fn;
    s->kf_listener_ud = ud;
    pthread_mutex_unlock(&s->lock);
}

void peerc__rtp_sender_on_remb(peerc_rtp_sender *s, uint32_t bps)
{
    if (!s || !s->venc)
        return;
    pthread_mutex_lock(&s->lock);
    s->remb_bps = bps;
    peerc__rtp_sender_apply_target_locked(s);
    pthread_mutex_unlock(&s->lock);
}

/* RFC 3550 §6.4.1: RTT = A - LSR - DLSR, all in the middle 32 bits of NTP
 * (1/65536 s).  -1 if the block has no LSR or the result is negative
 * (clock trouble or a block about an older SR). */
static int64_t rtt_from_block(const peerc_rtp_rtcp_report *rb, uint64_t now_ntp)
{
    if (rb->lsr == 0)
        return -1;
    uint32_t a = (uint32_t)(now_ntp >> 16);
    int32_t d = (int32_t)(a - rb->lsr - rb->dlsr);
    if (d < 0)
        return -1;
    return ((int64_t)d * 1000 + 32768) / 65536;
}

/* Loss-based estimate, the shape of Google's controller: grow 8%/s under
 * 2% loss, hold to 10%, cut by half the loss above. */
static void loss_control_locked(peerc_rtp_sender *s, double loss, int64_t now)
{
    double dt = (double)(now - s->last_report_us) / 1e6;
    if (dt < 0)
        dt = 0;
    if (dt > 1)
        dt = 1;
    s->last_report_us = now;
    if (loss < 0.02)
        s->loss_estimate_bps *= pow(1.08, dt);
    else if (loss > 0.10)
        s->loss_estimate_bps *= 1.0 - 0.5 * loss;
    /* Never climb past what the receiver says it can take. */
    if (s->remb_bps != UINT32_MAX && s->loss_estimate_bps > s->remb_bps)
        s->loss_estimate_bps = s->remb_bps;
    if (s->loss_estimate_bps < s->cfg.min_bitrate_bps)
        s->loss_estimate_bps = s->cfg.min_bitrate_bps;
    if (s->loss_estimate_bps > s->cfg.max_bitrate_bps)
        s->loss_estimate_bps = s->cfg.max_bitrate_bps;
}

void peerc__rtp_sender_on_report(peerc_rtp_sender *s, const peerc_rtp_rtcp_report *rb,
                                 uint64_t now_ntp)
{
    if (!s || !rb)
        return;
    pthread_mutex_lock(&s->lock);
    if (rb->ssrc != s->cfg.ssrc) {
        pthread_mutex_unlock(&s->lock);
        return;
    }
    double loss = rb->fraction_lost / 256.0;
    s->st.fraction_lost = loss;
    int64_t rtt = rtt_from_block(rb, now_ntp);
    if (rtt >= 0)
        s->st.rtt_ms = rtt;
    int64_t now = peerc__rtp_sender_now(s);
    if (s->cfg.kind == PEERC_MEDIA_VIDEO) {
        loss_control_locked(s, loss, now);
        peerc__rtp_sender_apply_target_locked(s);
    } else if (s->aenc) {
        /* RFC 7587 §3.3: FEC sized for the loss the receiver sees.  One
         * clean report interval says little about the next one, so the
         * expectation rises at once and decays by a quarter per report. */
        if (loss >= s->loss_smoothed)
            s->loss_smoothed = loss;
        else
            s->loss_smoothed += (loss - s->loss_smoothed) * 0.25;
        peerc__opusenc_set_packet_loss(s->aenc, (uint32_t)lrint(s->loss_smoothed * 100.0));
    }
    pthread_mutex_unlock(&s->lock);
}

int peerc__rtp_sender_fill_sr(peerc_rtp_sender *s, uint64_t now_ntp, peerc_rtp_rtcp_sr *sr)
{
    if (!s || !sr)
        return PEERC_E_INVALID_ARGUMENT;
    pthread_mutex_lock(&s->lock);
    if (!s->sent_any) {
        pthread_mutex_unlock(&s->lock);
        return 0;
    }
    int audio = s->cfg.kind == PEERC_MEDIA_AUDIO;
    uint32_t rate = audio ? peerc__rtp_sender_audio_rate(s->cfg.codec) : 90000;
    int64_t elapsed = peerc__rtp_sender_now(s) - s->last_send_us;
    if (elapsed < 0)
        elapsed = 0;
    sr->ssrc = s->cfg.ssrc;
    sr->ntp = now_ntp;
    uint32_t ts = s->last_rtp_ts;
    /* An audio packet leaves when its last sample was captured, 20 ms
     * after the first one its timestamp names. */
    if (audio)
        ts += rate / 50;
    sr->rtp_timestamp = ts + (uint32_t)(elapsed * rate / 1000000);
    sr->packet_count = (uint32_t)s->st.packets_sent;
    sr->octet_count = (uint32_t)s->st.bytes_sent;
    sr->report_count = 0;
    pthread_mutex_unlock(&s->lock);
    return 1;
}

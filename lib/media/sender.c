/* RTP sender: configuration, lifecycle, packet emission into the
 * retransmission history, statistics (see sender.h). */
#include "media/sender-private.h"

#include <peerc/common.h>

#include "core/error.h"
#include "core/log.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_PACKET 1200
#define VIDEO_START_BPS 600000
#define VIDEO_MIN_BPS 50000
#define VIDEO_MAX_BPS 2500000
#define AUDIO_BPS 32000
#define G711_BPS 64000

void peerc__rtp_sender_config_init(peerc_rtp_sender_config *cfg, int kind)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = kind == PEERC_MEDIA_AUDIO ? PEERC_MEDIA_AUDIO : PEERC_MEDIA_VIDEO;
    cfg->rtx_payload_type = -1;
    cfg->max_packet = DEFAULT_MAX_PACKET;
    if (cfg->kind == PEERC_MEDIA_AUDIO) {
        cfg->payload_type = 111;
        cfg->start_bitrate_bps = cfg->min_bitrate_bps = cfg->max_bitrate_bps = AUDIO_BPS;
        cfg->channels = 1;
        cfg->opus_fec = 1;
    } else {
        cfg->payload_type = 96;
        cfg->start_bitrate_bps = VIDEO_START_BPS;
        cfg->min_bitrate_bps = VIDEO_MIN_BPS;
        cfg->max_bitrate_bps = VIDEO_MAX_BPS;
        cfg->channels = 1;
    }
}

/* Two extensions on one id would make the receiver read one as the other
 * (RFC 8285 §5: an id maps to one extension). */
static int ext_ids_distinct(const peerc_rtp_sender_config *c)
{
    uint8_t ids[4] = {c->mid_ext_id, c->abs_send_time_ext_id, c->twcc_ext_id,
                      c->kind == PEERC_MEDIA_AUDIO ? c->audio_level_ext_id : 0};
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++)
            if (ids[i] && ids[i] == ids[j])
                return 0;
    return 1;
}

/* Validate *in and fill defaults for zero fields into *out. */
static int normalize(const peerc_rtp_sender_config *in, peerc_rtp_sender_config *out, char *err,
                     size_t errlen)
{
    if (!in)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL config");
    peerc_rtp_sender_config c = *in;
    if (c.kind != PEERC_MEDIA_AUDIO && c.kind != PEERC_MEDIA_VIDEO)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "kind %d", c.kind);
    if (c.payload_type > 127)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "payload type %u",
                             c.payload_type);
    if (c.rtx_payload_type >= 0 &&
        (c.rtx_payload_type > 127 || c.rtx_payload_type == c.payload_type || c.rtx_ssrc == c.ssrc))
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "RTX needs its own payload type and SSRC (RFC 4588 §4)");
    if (c.rtx_payload_type < -1)
        c.rtx_payload_type = -1;
    if (!ext_ids_distinct(&c))
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "duplicate extension id");
    size_t midlen = strnlen(c.mid, sizeof c.mid);
    if (c.mid_ext_id && (midlen == 0 || midlen >= sizeof c.mid))
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "MID must be 1..31 bytes");
    if (c.max_packet == 0)
        c.max_packet = DEFAULT_MAX_PACKET;
    if (c.max_packet < PEERC_RTP_SENDER_MIN_PACKET || c.max_packet > PEERC_RTP_SENDER_MAX_PACKET)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "max_packet %zu",
                             c.max_packet);
    if (c.codec != PEERC_MEDIA_CODEC_DEFAULT &&
        (c.kind == PEERC_MEDIA_AUDIO
             ? c.codec != PEERC_MEDIA_CODEC_PCMU && c.codec != PEERC_MEDIA_CODEC_PCMA
             : c.codec != PEERC_MEDIA_CODEC_VP9 && c.codec != PEERC_MEDIA_CODEC_H264))
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "codec %d", c.codec);
    if (c.kind == PEERC_MEDIA_AUDIO && c.codec != PEERC_MEDIA_CODEC_DEFAULT) {
        /* G.711 has one rate and, as WebRTC uses it, one channel. */
        c.channels = 1;
        c.start_bitrate_bps = G711_BPS;
    }
    if (c.kind == PEERC_MEDIA_AUDIO) {
        if (c.channels == 0)
            c.channels = 1;
        if (c.channels > 2)
            return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "%u channels",
                                 c.channels);
        if (c.start_bitrate_bps == 0)
            c.start_bitrate_bps = AUDIO_BPS;
        c.min_bitrate_bps = c.max_bitrate_bps = c.start_bitrate_bps;
    } else {
        if (c.min_bitrate_bps == 0)
            c.min_bitrate_bps = VIDEO_MIN_BPS;
        if (c.max_bitrate_bps == 0)
            c.max_bitrate_bps = VIDEO_MAX_BPS;
        if (c.start_bitrate_bps == 0)
            c.start_bitrate_bps = VIDEO_START_BPS;
        if (c.min_bitrate_bps > c.max_bitrate_bps)
            return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                                 "min bitrate above max");
        if (c.start_bitrate_bps < c.min_bitrate_bps)
            c.start_bitrate_bps = c.min_bitrate_bps;
        if (c.start_bitrate_bps > c.max_bitrate_bps)
            c.start_bitrate_bps = c.max_bitrate_bps;
    }
    c.mid[sizeof c.mid - 1] = '\0';
    *out = c;
    return PEERC_OK;
}

static int new_opus(const peerc_rtp_sender_config *c, peerc_opusenc **out, char *err,
                    size_t errlen)
{
    peerc_opusenc_config oc;
    peerc__opusenc_config_init(&oc);
    oc.channels = c->channels;
    oc.bitrate_bps = c->start_bitrate_bps;
    oc.inband_fec = c->opus_fec ? 1 : 0;
    return peerc__opusenc_new(&oc, out, err, errlen);
}

int peerc__rtp_sender_new(const peerc_rtp_sender_config *cfg, peerc_rtp_sender_send_fn send,
                          void *ud, peerc_rtp_sender **out, char *err, size_t errlen)
{
    peerc_rtp_sender_config c;
    if (out)
        *out = NULL;
    if (!out || !send)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL argument");
    int rc = normalize(cfg, &c, err, errlen);
    if (rc)
        return rc;
    peerc_rtp_sender *s = calloc(1, sizeof *s);
    if (!s)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    pthread_mutex_init(&s->lock, NULL);
    s->send = send;
    s->ud = ud;
    s->cfg = s->ecfg = c;
    atomic_init(&s->active, 1);
    atomic_init(&s->resumed, 0);
    s->hist = calloc(SENDER_HISTORY, sizeof *s->hist);
    s->abuf = malloc(PEERC_OPUS_FRAME_20MS * 2 * sizeof *s->abuf);
    if (!s->hist || !s->abuf) {
        peerc__rtp_sender_free(s);
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    }
    if (c.kind == PEERC_MEDIA_VIDEO) {
        peerc_vp8enc_config vc;
        peerc__vp8enc_config_init(&vc);
        peerc_vp9enc_config v9;
        vc.bitrate_kbps = c.start_bitrate_bps / 1000;
        rc = peerc__vp8enc_new(&vc, &s->venc, err, errlen);
        /* Both exist for the sender's life: renegotiation may switch the
         * codec, and libvpx allocates nothing before the first frame. */
        peerc__vp9enc_config_init(&v9);
        v9.bitrate_kbps = vc.bitrate_kbps;
        if (rc == PEERC_OK)
            rc = peerc__vp9enc_new(&v9, &s->vp9enc, err, errlen);
    } else if (c.codec == PEERC_MEDIA_CODEC_DEFAULT) {
        rc = new_opus(&c, &s->aenc, err, errlen);
    }
    s->acodec = c.codec;
    s->aenc_channels = c.channels;
    if (rc) {
        peerc__rtp_sender_free(s);
        return rc;
    }
    /* RFC 3550 §5.1: random initial sequence number and timestamp.  Below
     * 2^15 like libwebrtc, so the SRTP rollover counter guess (RFC 3711
     * §3.3.1) is safe for a while. */
    s->seq = (uint16_t)(g_random_int() & 0x7fff);
    s->rtx_seq = (uint16_t)(g_random_int() & 0x7fff);
    s->picture_id = (uint16_t)(g_random_int() & 0x7fff);
    s->ts_base = g_random_int();
    s->ats = g_random_int();
    s->talkspurt = 1;
    s->remb_bps = UINT32_MAX;
    s->loss_estimate_bps = c.start_bitrate_bps;
    s->st.rtt_ms = -1;
    s->st.target_bitrate_bps = c.start_bitrate_bps;
    s->last_report_us = peerc__rtp_sender_now(s);
    *out = s;
    return PEERC_OK;
}

void peerc__rtp_sender_free(peerc_rtp_sender *s)
{
    if (!s)
        return;
    if (s->hist)
        for (size_t i = 0; i < SENDER_HISTORY; i++)
            free(s->hist[i].data);
    free(s->hist);
    free(s->abuf);
    peerc__vp8enc_free(s->venc);
    peerc__vp9enc_free(s->vp9enc);
    peerc__opusenc_free(s->aenc);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

int peerc__rtp_sender_reconfigure(peerc_rtp_sender *s, const peerc_rtp_sender_config *cfg)
{
    peerc_rtp_sender_config c;
    if (!s)
        return PEERC_E_INVALID_ARGUMENT;
    int rc = normalize(cfg, &c, NULL, 0);
    if (rc)
        return rc;
    pthread_mutex_lock(&s->lock);
    if (c.kind != s->cfg.kind) {
        pthread_mutex_unlock(&s->lock);
        return PEERC_E_INVALID_MODIFICATION;
    }
    s->cfg = c;
    s->cfg_gen++;
    if (s->loss_estimate_bps < c.min_bitrate_bps)
        s->loss_estimate_bps = c.min_bitrate_bps;
    if (s->loss_estimate_bps > c.max_bitrate_bps)
        s->loss_estimate_bps = c.max_bitrate_bps;
    peerc__rtp_sender_apply_target_locked(s);
    if (s->aenc) {
        peerc__opusenc_set_bitrate(s->aenc, c.start_bitrate_bps);
        peerc__opusenc_set_fec(s->aenc, c.opus_fec ? 1 : 0);
    }
    pthread_mutex_unlock(&s->lock);
    return PEERC_OK;
}

void peerc__rtp_sender_set_active(peerc_rtp_sender *s, int active)
{
    if (!s)
        return;
    int was = atomic_exchange(&s->active, active ? 1 : 0);
    if (active && !was)
        atomic_store(&s->resumed, 1);
}

void peerc__rtp_sender_set_clock(peerc_rtp_sender *s, peerc_rtp_sender_clock_fn now_us, void *ud)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->clock = now_us;
    s->clock_ud = ud;
    s->last_report_us = peerc__rtp_sender_now(s);
    pthread_mutex_unlock(&s->lock);
}

int64_t peerc__rtp_sender_now(peerc_rtp_sender *s)
{
    return s->clock ? s->clock(s->clock_ud) : g_get_monotonic_time();
}

/* The extension elements of c on p; data borrowed from c and zeros. */
static void add_extensions(const peerc_rtp_sender_config *c, peerc_rtp_packet *p,
                           const uint8_t *level)
{
    static const uint8_t zeros[3] = {0, 0, 0};
    if (c->mid_ext_id)
        peerc__rtp_ext_set(p, c->mid_ext_id, (const uint8_t *)c->mid, strlen(c->mid));
    if (c->abs_send_time_ext_id)
        peerc__rtp_ext_set(p, c->abs_send_time_ext_id, zeros, 3);
    if (c->twcc_ext_id)
        peerc__rtp_ext_set(p, c->twcc_ext_id, zeros, 2);
    if (level && c->kind == PEERC_MEDIA_AUDIO && c->audio_level_ext_id)
        peerc__rtp_ext_set(p, c->audio_level_ext_id, level, 1);
}

size_t peerc__rtp_sender_header_size(const peerc_rtp_sender_config *c)
{
    peerc_rtp_packet p;
    static const uint8_t level = 0;
    memset(&p, 0, sizeof p);
    p.payload_type = c->payload_type;
    add_extensions(c, &p, &level);
    int64_t n = peerc__rtp_size(&p);
    return n > 0 ? (size_t)n : PEERC_RTP_HEADER_MIN;
}

/* Keep a copy for NACK answers before the packet leaves, so a NACK racing
 * with the send already finds it. */
static int store_locked(peerc_rtp_sender *s, const uint8_t *pkt, size_t len, uint16_t seq,
                        int64_t now)
{
    sender_slot *slot = &s->hist[seq & (SENDER_HISTORY - 1)];
    if (slot->cap < len) {
        /* Audio packets are small: do not reserve a full MTU for them. */
        size_t cap = len <= 256 ? 256 : SENDER_BUF;
        uint8_t *d = realloc(slot->data, cap);
        if (!d) {
            slot->used = 0;
            return PEERC_E_NO_MEMORY;
        }
        slot->data = d;
        slot->cap = cap;
    }
    memcpy(slot->data, pkt, len);
    slot->len = len;
    slot->seq = seq;
    slot->used = 1;
    slot->sent_us = now;
    slot->rtx_us = INT64_MIN;
    return PEERC_OK;
}

int peerc__rtp_sender_emit(peerc_rtp_sender *s, const uint8_t *payload, size_t len, int marker,
                           uint32_t timestamp, int audio_level)
{
    peerc_rtp_packet p;
    uint8_t level = 0;
    memset(&p, 0, sizeof p);
    p.marker = marker ? 1 : 0;
    p.payload_type = s->ecfg.payload_type;
    p.seq = s->seq;
    p.timestamp = timestamp;
    p.ssrc = s->ecfg.ssrc;
    p.payload = payload;
    p.payload_len = len;
    if (audio_level >= 0) {
        /* RFC 6464 §3: V bit, then the level in -dBov. */
        level = (uint8_t)audio_level;
    }
    add_extensions(&s->ecfg, &p, audio_level >= 0 ? &level : NULL);
    size_t n;
    int rc = peerc__rtp_write(&p, s->obuf, sizeof s->obuf, &n);
    if (rc)
        return rc;
    s->seq++;
    pthread_mutex_lock(&s->lock);
    int64_t now = peerc__rtp_sender_now(s);
    if (store_locked(s, s->obuf, n, p.seq, now))
        PEERC_WARN("media", "no memory for the retransmission history");
    s->st.packets_sent++;
    s->st.bytes_sent += len;
    s->st.header_bytes_sent += n - len;
    s->sent_any = 1;
    s->last_rtp_ts = timestamp;
    s->last_send_us = now;
    pthread_mutex_unlock(&s->lock);
    s->send(s->ud, s->obuf, n, 0);
    return PEERC_OK;
}

void peerc__rtp_sender_get_stats(peerc_rtp_sender *s, peerc_rtp_sender_stats *out)
{
    if (!out)
        return;
    if (!s) {
        memset(out, 0, sizeof *out);
        out->rtt_ms = -1;
        return;
    }
    pthread_mutex_lock(&s->lock);
    *out = s->st;
    pthread_mutex_unlock(&s->lock);
}

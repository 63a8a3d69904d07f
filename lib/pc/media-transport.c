/*
 * RTP and RTCP on the pc's one BUNDLE transport: SRTP keyed from DTLS,
 * routing of incoming packets to transceivers (SSRC, then the mid header
 * extension, then a payload type only one m-line uses: RFC 8843 §9.2),
 * RTCP reports and feedback, and the receivers' timers.  Worker thread
 * only, except peerc__pc_media_sender_output.
 */
#include "pc/pc_internal.h"
#include "pc/media_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "dtls/dtls.h"
#include "rtp/packet.h"
#include "rtp/rtcp.h"
#include "srtp/session.h"

#define MAX_PLAIN 1500
/* libsrtp works in place on 32-bit aligned buffers */
#define WORDS ((MAX_PLAIN + PEERC_SRTP_MAX_TRAILER + 3) / 4)
#define POLL_MS 10
#define REPORT_MS 1000
#define NTP_UNIX_OFFSET 2208988800ULL

static int64_t now_ms(void)
{
    return g_get_monotonic_time() / 1000;
}

/* RFC 3550 4: 32.32 fixed point seconds since 1900. */
static uint64_t now_ntp(void)
{
    int64_t us = g_get_real_time();
    uint64_t secs = (uint64_t)(us / 1000000) + NTP_UNIX_OFFSET;
    uint64_t frac = ((uint64_t)(us % 1000000) << 32) / 1000000;
    return (secs << 32) | frac;
}

static peerc_transceiver *transceiver_at(const peerc_pc *pc, guint i)
{
    return g_ptr_array_index(pc->transceivers, i);
}

/* --------------------------------------------------------------- sending */

void peerc__pc_media_send_rtcp(peerc_pc *pc, const uint8_t *pkt, size_t len)
{
    uint32_t buf[WORDS];
    size_t n = len;
    if (!pc->srtp || pc->closed || len > MAX_PLAIN)
        return;
    memcpy(buf, pkt, len);
    if (peerc__srtp_protect_rtcp(pc->srtp, (uint8_t *)buf, &n, sizeof buf) == PEERC_OK)
        peerc__ice_send(pc->ice, (const uint8_t *)buf, n);
}

/* abs-send-time: 6.18 fixed point seconds, 24 bits (webrtc.org extension). */
static void stamp_abs_send_time(uint8_t *pkt, size_t len, uint8_t id)
{
    uint64_t us = (uint64_t)g_get_monotonic_time();
    uint32_t v = (uint32_t)(((us << 18) / 1000000) & 0xFFFFFF);
    uint8_t b[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    peerc__rtp_ext_update(pkt, len, id, b, sizeof b);
}

static void send_rtp(peerc_pc *pc, peerc_transceiver *t, const uint8_t *pkt, size_t len)
{
    uint32_t buf[WORDS];
    size_t n = len;
    if (!pc->srtp || pc->closed || !pc->ice || len > MAX_PLAIN)
        return;
    memcpy(buf, pkt, len);
    if (t->send_cfg.abs_send_time_ext_id)
        stamp_abs_send_time((uint8_t *)buf, n, t->send_cfg.abs_send_time_ext_id);
    if (t->send_cfg.twcc_ext_id)
        peerc__pc_twcc_stamp(pc, (uint8_t *)buf, n, t->send_cfg.twcc_ext_id);
    if (peerc__srtp_protect_rtp(pc->srtp, (uint8_t *)buf, &n, sizeof buf) == PEERC_OK)
        peerc__ice_send(pc->ice, (const uint8_t *)buf, n);
}

typedef struct outgoing {
    peerc_transceiver *t;
    size_t len;
    uint8_t data[];
} outgoing;

static void send_task(void *arg)
{
    outgoing *o = arg;
    send_rtp(o->t->pc, o->t, o->data, o->len);
}

static void free_outgoing(void *arg)
{
    outgoing *o = arg;
    peerc__pc_unref(o->t->pc);
    free(o);
}

void peerc__pc_media_sender_output(void *ud, const uint8_t *pkt, size_t len, int retransmission)
{
    peerc_transceiver *t = ud;
    outgoing *o;
    (void)retransmission;
    if (peerc__ctx_on_worker(t->pc->ctx)) {
        send_rtp(t->pc, t, pkt, len);
        return;
    }
    /* From an encode thread: the worker owns SRTP and the socket. */
    o = malloc(sizeof *o + len);
    if (!o)
        return;
    o->t = t;
    o->len = len;
    memcpy(o->data, pkt, len);
    peerc__pc_ref(t->pc);
    peerc__ctx_post(t->pc->ctx, send_task, o, free_outgoing);
}

/* ------------------------------------------------------------- receivers */

static void recv_video(void *ud, const peerc_media_i420 *frame)
{
    peerc_transceiver *t = ud;
    if (peerc__pc_live(t->pc))
        peerc__track_deliver_video(t->recv_track, frame);
}

static void recv_audio(void *ud, const int16_t *pcm, size_t samples, uint32_t channels,
                       int64_t ts)
{
    peerc_transceiver *t = ud;
    if (peerc__pc_live(t->pc))
        peerc__track_deliver_audio(t->recv_track, pcm, samples, channels, ts);
}

static void recv_encoded(void *ud, const peerc_media_encoded *frame)
{
    peerc_transceiver *t = ud;
    if (peerc__pc_live(t->pc))
        peerc__track_deliver_encoded(t->recv_track,
                                     t->recv_cfg.codec == PEERC_MEDIA_CODEC_VP9    ? PEERC_VIDEO_CODEC_VP9
                                     : t->recv_cfg.codec == PEERC_MEDIA_CODEC_H264 ? PEERC_VIDEO_CODEC_H264
                                                                                   : PEERC_VIDEO_CODEC_VP8,
                                     frame);
}

static void recv_feedback(void *ud, const uint8_t *pkt, size_t len)
{
    peerc_transceiver *t = ud;
    peerc__pc_media_send_rtcp(t->pc, pkt, len);
}

const peerc_rtp_receiver_callbacks peerc__pc_receiver_callbacks = {
    .video_frame = recv_video,
    .audio_frame = recv_audio,
    .send_rtcp = recv_feedback,
    .encoded_frame = recv_encoded,
};

void peerc__pc_media_map_ssrc(peerc_pc *pc, uint32_t ssrc, peerc_transceiver *t)
{
    g_hash_table_insert(pc->ssrc_map, GUINT_TO_POINTER(ssrc), t);
}

static peerc_transceiver *route_by_mid(peerc_pc *pc, const peerc_rtp_packet *p)
{
    for (guint i = 0; i < pc->transceivers->len; i++) {
        peerc_transceiver *t = transceiver_at(pc, i);
        uint8_t id = t->send_cfg.mid_ext_id; /* this m-line's map (media-apply.c) */
        const peerc_rtp_ext *x = id ? peerc__rtp_ext_get(p, id) : NULL;
        if (x && t->receiver && t->mid && strlen(t->mid) == x->len &&
            memcmp(t->mid, x->data, x->len) == 0)
            return t;
    }
    return NULL;
}

static peerc_transceiver *route_by_pt(peerc_pc *pc, uint8_t pt)
{
    peerc_transceiver *found = NULL;
    for (guint i = 0; i < pc->transceivers->len; i++) {
        peerc_transceiver *t = transceiver_at(pc, i);
        if (!t->receiver)
            continue;
        if (t->recv_cfg.payload_type == pt || t->recv_cfg.rtx_payload_type == pt) {
            if (found)
                return NULL; /* ambiguous: wait for a packet with the mid */
            found = t;
        }
    }
    return found;
}

static peerc_transceiver *route(peerc_pc *pc, const peerc_rtp_packet *p)
{
    peerc_transceiver *t = g_hash_table_lookup(pc->ssrc_map, GUINT_TO_POINTER(p->ssrc));
    if (t)
        return t;
    t = route_by_mid(pc, p);
    if (!t)
        t = route_by_pt(pc, p->payload_type);
    if (t) {
        PEERC_DEBUG("media", "%p SSRC %u -> mid %s", (void *)pc, p->ssrc, t->mid);
        peerc__pc_media_map_ssrc(pc, p->ssrc, t);
    }
    return t;
}

static void receive_rtp(peerc_pc *pc, uint8_t *buf, size_t len)
{
    peerc_rtp_packet p;
    peerc_transceiver *t;
    if (peerc__srtp_unprotect_rtp(pc->srtp, buf, &len) != PEERC_OK ||
        peerc__rtp_parse(buf, len, &p) != PEERC_OK) {
        pc->media_dropped++;
        return;
    }
    t = route(pc, &p);
    if (!t || !t->receiver) {
        pc->media_dropped++;
        return;
    }
    if (p.payload_type != t->recv_cfg.payload_type &&
        (int)p.payload_type != t->recv_cfg.rtx_payload_type &&
        !peerc__pc_media_follow_codec(pc, t, p.payload_type)) {
        pc->media_dropped++;
        return;
    }
    peerc__pc_twcc_received(pc, &p, t->send_cfg.twcc_ext_id, g_get_monotonic_time());
    peerc__rtp_receiver_receive(t->receiver, &p, now_ms());
}

/* ------------------------------------------------------- RTCP reception */

static peerc_transceiver *sender_for(peerc_pc *pc, uint32_t ssrc)
{
    for (guint i = 0; i < pc->transceivers->len; i++) {
        peerc_transceiver *t = transceiver_at(pc, i);
        if (t->sender && (t->ssrc == ssrc || t->rtx_ssrc == ssrc))
            return t;
    }
    return NULL;
}

static void on_report_blocks(peerc_pc *pc, const peerc_rtp_rtcp_report *rb, size_t n)
{
    uint64_t ntp = now_ntp();
    for (size_t i = 0; i < n; i++) {
        peerc_transceiver *t = sender_for(pc, rb[i].ssrc);
        if (t)
            peerc__rtp_sender_on_report(t->sender, &rb[i], ntp);
    }
}

static void on_nack(peerc_pc *pc, const peerc_rtp_rtcp_fb *fb)
{
    uint16_t seqs[512];
    peerc_transceiver *t = sender_for(pc, fb->media_ssrc);
    int n = peerc__rtp_rtcp_nack_seqs(fb, seqs, G_N_ELEMENTS(seqs));
    if (t && n > 0)
        peerc__rtp_sender_on_nack(t->sender, seqs, (size_t)n);
}

static void on_keyframe_request(peerc_pc *pc, const peerc_rtp_rtcp_fb *fb)
{
    peerc_transceiver *t = sender_for(pc, fb->media_ssrc);
    if (fb->fmt == PEERC_RTP_RTCP_FMT_FIR && peerc__rtp_rtcp_fir_count(fb) > 0)
        t = sender_for(pc, peerc__rtp_rtcp_fir_entry(fb, 0).ssrc);
    if (t)
        peerc__rtp_sender_request_keyframe(t->sender);
}

static void on_remb(peerc_pc *pc, const peerc_rtp_rtcp_fb *fb)
{
    peerc_rtp_rtcp_remb remb;
    if (peerc__rtp_rtcp_parse_remb(fb, &remb) != PEERC_OK)
        return;
    for (size_t i = 0; i < remb.ssrc_count; i++) {
        peerc_transceiver *t = sender_for(pc, remb.ssrcs[i]);
        if (t)
            peerc__rtp_sender_on_remb(t->sender, (uint32_t)MIN(remb.bitrate_bps, UINT32_MAX));
    }
}

static void on_feedback(peerc_pc *pc, const peerc_rtp_rtcp_header *h)
{
    peerc_rtp_rtcp_fb fb;
    if (peerc__rtp_rtcp_parse_fb(h, &fb) != PEERC_OK)
        return;
    if (fb.type == PEERC_RTP_RTCP_RTPFB && fb.fmt == PEERC_RTP_RTCP_FMT_NACK)
        on_nack(pc, &fb);
    else if (fb.type == PEERC_RTP_RTCP_RTPFB && fb.fmt == PEERC_RTP_RTCP_FMT_TWCC)
        peerc__pc_twcc_on_feedback(pc, &fb);
    else if (fb.type == PEERC_RTP_RTCP_PSFB &&
             (fb.fmt == PEERC_RTP_RTCP_FMT_PLI || fb.fmt == PEERC_RTP_RTCP_FMT_FIR))
        on_keyframe_request(pc, &fb);
    else if (fb.type == PEERC_RTP_RTCP_PSFB && fb.fmt == PEERC_RTP_RTCP_FMT_AFB)
        on_remb(pc, &fb);
}

static void on_sender_report(peerc_pc *pc, const peerc_rtp_rtcp_header *h)
{
    peerc_rtp_rtcp_sr sr;
    peerc_transceiver *t;
    if (peerc__rtp_rtcp_parse_sr(h, &sr) != PEERC_OK)
        return;
    t = g_hash_table_lookup(pc->ssrc_map, GUINT_TO_POINTER(sr.ssrc));
    if (t && t->receiver)
        peerc__rtp_receiver_on_sr(t->receiver, &sr, now_ntp());
    on_report_blocks(pc, sr.reports, sr.report_count);
}

static void receive_rtcp(peerc_pc *pc, uint8_t *buf, size_t len)
{
    peerc_rtp_rtcp_iter it;
    peerc_rtp_rtcp_header h;
    if (peerc__srtp_unprotect_rtcp(pc->srtp, buf, &len) != PEERC_OK) {
        pc->media_dropped++;
        return;
    }
    peerc__rtp_rtcp_iter_init(&it, buf, len);
    while (peerc__rtp_rtcp_iter_next(&it, &h) == 1 && !pc->closed) {
        if (h.type == PEERC_RTP_RTCP_SR) {
            on_sender_report(pc, &h);
        } else if (h.type == PEERC_RTP_RTCP_RR) {
            peerc_rtp_rtcp_rr rr;
            if (peerc__rtp_rtcp_parse_rr(&h, &rr) == PEERC_OK)
                on_report_blocks(pc, rr.reports, rr.report_count);
        } else if (h.type == PEERC_RTP_RTCP_RTPFB || h.type == PEERC_RTP_RTCP_PSFB) {
            on_feedback(pc, &h);
        }
    }
}

typedef struct loss_args {
    peerc_pc *pc;
    int ppm;
    uint32_t seed;
} loss_args;

static int set_loss_on_worker(void *arg)
{
    loss_args *a = arg;
    a->pc->loss_ppm = a->ppm;
    a->pc->loss_state = a->seed;
    return PEERC_OK;
}

void peerc__pc_set_receive_loss(peerc_pc *pc, double fraction, uint32_t seed)
{
    loss_args a = {pc, (int)CLAMP(fraction * 1e6, 0, 1e6), seed};
    peerc__ctx_call(pc->ctx, set_loss_on_worker, &a);
}

/* A 32-bit LCG (Numerical Recipes constants): reproducible loss patterns. */
static gboolean injected_loss(peerc_pc *pc)
{
    int ppm = pc->loss_ppm;
    if (ppm == 0)
        return FALSE;
    pc->loss_state = pc->loss_state * 1664525u + 1013904223u;
    return (pc->loss_state >> 8) % 1000000u < (uint32_t)ppm;
}

void peerc__pc_media_receive(peerc_pc *pc, const uint8_t *data, size_t len)
{
    uint32_t buf[WORDS];
    int kind;
    if (!pc->srtp || len > sizeof buf)
        return;
    kind = peerc__rtp_demux(data, len);
    if (kind == PEERC_RTP_DEMUX_RTP && injected_loss(pc))
        return;
    memcpy(buf, data, len);
    if (kind == PEERC_RTP_DEMUX_RTP)
        receive_rtp(pc, (uint8_t *)buf, len);
    else if (kind == PEERC_RTP_DEMUX_RTCP)
        receive_rtcp(pc, (uint8_t *)buf, len);
}

/* ------------------------------------------------------- RTCP reporting */

typedef struct compound {
    uint32_t words[WORDS];
    size_t len;
} compound;

static uint8_t *cpos(compound *c)
{
    return (uint8_t *)c->words + c->len;
}

static size_t cspace(const compound *c)
{
    return MAX_PLAIN - c->len;
}

static size_t collect_report_blocks(peerc_pc *pc, uint64_t ntp, peerc_rtp_rtcp_report *rb)
{
    size_t n = 0;
    for (guint i = 0; i < pc->transceivers->len && n < PEERC_RTP_RTCP_MAX_COUNT; i++) {
        peerc_transceiver *t = transceiver_at(pc, i);
        if (t->receiver && peerc__rtp_receiver_report_block(t->receiver, ntp, &rb[n]) == 1)
            n++;
    }
    return n;
}

/* SR for every stream we sent (RFC 3550 6.4.1), the reception report
 * blocks in the first one (or in an RR when nothing was sent), and an SDES
 * CNAME for each (RFC 3550 6.1: every compound carries one). */
static void write_reports(peerc_pc *pc, compound *c, uint64_t ntp, uint32_t *first_ssrc)
{
    peerc_rtp_rtcp_report blocks[PEERC_RTP_RTCP_MAX_COUNT];
    peerc_rtp_rtcp_sdes sdes = {0};
    size_t nb = collect_report_blocks(pc, ntp, blocks), n;
    for (guint i = 0; i < pc->transceivers->len; i++) {
        peerc_transceiver *t = transceiver_at(pc, i);
        peerc_rtp_rtcp_sr sr;
        memset(&sr, 0, sizeof sr);
        if (!t->sender || peerc__rtp_sender_fill_sr(t->sender, ntp, &sr) != 1 ||
            sdes.chunk_count >= PEERC_RTP_RTCP_MAX_COUNT)
            continue;
        if (sdes.chunk_count == 0) {
            memcpy(sr.reports, blocks, nb * sizeof *blocks);
            sr.report_count = (uint8_t)nb;
            nb = 0;
        }
        if (peerc__rtp_rtcp_write_sr(&sr, cpos(c), cspace(c), &n) == PEERC_OK) {
            c->len += n;
            sdes.chunks[sdes.chunk_count++].ssrc = sr.ssrc;
        }
    }
    if (sdes.chunk_count == 0) {
        peerc_rtp_rtcp_rr rr = {.ssrc = pc->rtcp_ssrc, .report_count = (uint8_t)nb};
        memcpy(rr.reports, blocks, nb * sizeof *blocks);
        if (peerc__rtp_rtcp_write_rr(&rr, cpos(c), cspace(c), &n) == PEERC_OK) {
            c->len += n;
            sdes.chunks[sdes.chunk_count++].ssrc = pc->rtcp_ssrc;
        }
    }
    for (size_t i = 0; i < sdes.chunk_count; i++) {
        sdes.chunks[i].cname = (const uint8_t *)pc->cname;
        sdes.chunks[i].cname_len = (uint8_t)strlen(pc->cname);
    }
    if (peerc__rtp_rtcp_write_sdes(&sdes, cpos(c), cspace(c), &n) == PEERC_OK)
        c->len += n;
    *first_ssrc = sdes.chunks[0].ssrc;
}

/*
 * REMB (draft-alvestrand-rmcat-remb-03), for video streams without
 * transport-cc, from a simple receive-side rule:
 * allow 1.5x what arrived over the last report interval (so the sender can
 * probe upwards), at least 300 kbps, at most 8 Mbps; when more than 10% was
 * lost, hold at what arrives.  Peers without REMB fall back to their
 * loss-based control from our receiver reports.
 */
static void write_remb(peerc_pc *pc, compound *c, uint32_t sender_ssrc, double interval_s)
{
    peerc_rtp_rtcp_remb remb = {.sender_ssrc = sender_ssrc};
    double bps = 0;
    gboolean lossy = FALSE;
    size_t n;
    for (guint i = 0; i < pc->transceivers->len; i++) {
        peerc_transceiver *t = transceiver_at(pc, i);
        peerc_rtp_receiver_stats rs;
        uint32_t ssrc;
        /* With transport-cc the peer estimates from our feedback, and a
         * REMB would only cap its probing (libwebrtc sends one or the other). */
        if (!t->receiver || t->kind != PEERC_MEDIA_KIND_VIDEO ||
            t->send_cfg.twcc_ext_id)
            continue;
        ssrc = peerc__rtp_receiver_remote_ssrc(t->receiver);
        peerc__rtp_receiver_get_stats(t->receiver, &rs);
        bps += (double)(rs.bytes_received + rs.header_bytes_received - t->last_bytes_received) * 8 /
               interval_s;
        lossy |= rs.packets_received > 0 &&
                 rs.packets_lost * 10 > rs.packets_received; /* cumulative, coarse */
        t->last_bytes_received = rs.bytes_received + rs.header_bytes_received;
        if (ssrc && remb.ssrc_count < PEERC_RTP_RTCP_REMB_MAX_SSRCS)
            remb.ssrcs[remb.ssrc_count++] = ssrc;
    }
    if (remb.ssrc_count == 0)
        return;
    remb.bitrate_bps = (uint64_t)CLAMP(lossy ? bps : bps * 1.5, 300000.0, 8000000.0);
    if (peerc__rtp_rtcp_write_remb(&remb, cpos(c), cspace(c), &n) == PEERC_OK)
        c->len += n;
}

static void update_fps(peerc_pc *pc, int64_t now)
{
    for (guint i = 0; i < pc->transceivers->len; i++) {
        peerc_transceiver *t = transceiver_at(pc, i);
        peerc_rtp_receiver_stats rs;
        if (!t->receiver)
            continue;
        peerc__rtp_receiver_get_stats(t->receiver, &rs);
        if (t->last_fps_ms && now > t->last_fps_ms)
            t->fps = (double)(rs.frames_decoded - t->last_frames_decoded) * 1000.0 /
                     (double)(now - t->last_fps_ms);
        t->last_frames_decoded = rs.frames_decoded;
        t->last_fps_ms = now;
    }
}

static gboolean report_tick(gpointer data)
{
    peerc_pc *pc = data;
    compound c = {.len = 0};
    uint32_t ssrc = 0;
    int64_t now = now_ms();
    double interval = pc->last_report_ms ? (now - pc->last_report_ms) / 1000.0 : 1.0;
    if (pc->closed || !pc->srtp)
        return G_SOURCE_CONTINUE;
    pc->last_report_ms = now;
    peerc__pc_enter(pc);
    write_reports(pc, &c, now_ntp(), &ssrc);
    write_remb(pc, &c, ssrc, interval > 0 ? interval : 1.0);
    update_fps(pc, now);
    peerc__pc_media_send_rtcp(pc, (const uint8_t *)c.words, c.len);
    peerc__pc_leave(pc);
    return G_SOURCE_CONTINUE;
}

static gboolean poll_tick(gpointer data)
{
    peerc_pc *pc = data;
    int64_t now = now_ms();
    if (pc->closed)
        return G_SOURCE_CONTINUE;
    peerc__pc_enter(pc);
    for (guint i = 0; i < pc->transceivers->len && !pc->closed; i++) {
        peerc_transceiver *t = transceiver_at(pc, i);
        if (t->receiver)
            peerc__rtp_receiver_poll(t->receiver, now);
    }
    if (!pc->closed)
        peerc__pc_twcc_tick(pc, now);
    peerc__pc_leave(pc);
    return G_SOURCE_CONTINUE;
}

static GSource *add_timer(peerc_pc *pc, guint ms, GSourceFunc fn)
{
    GSource *s = g_timeout_source_new(ms);
    g_source_set_callback(s, fn, pc, NULL);
    g_source_attach(s, peerc__ctx_main_context(pc->ctx));
    return s;
}

/* ------------------------------------------------------------- lifecycle */

/* Timers only while there is media to report on: a data-only pc stays
 * idle between packets. */
static void ensure_timers(peerc_pc *pc)
{
    if (!pc->srtp || pc->closed || pc->transceivers->len == 0 || pc->report_timer)
        return;
    pc->report_timer = add_timer(pc, REPORT_MS, report_tick);
    pc->poll_timer = add_timer(pc, POLL_MS, poll_tick);
}

void peerc__pc_media_update_senders(peerc_pc *pc)
{
    ensure_timers(pc);
    for (guint i = 0; i < pc->transceivers->len; i++) {
        peerc_transceiver *t = transceiver_at(pc, i);
        gboolean active = pc->srtp && !pc->closed && !t->stopped && t->send_negotiated &&
                          t->current_direction >= 0 &&
                          peerc__direction_sends(t->current_direction) &&
                          peerc__direction_sends(t->direction);
        if (t->sender)
            peerc__rtp_sender_set_active(t->sender, active);
    }
}

void peerc__pc_media_on_dtls_connected(peerc_pc *pc)
{
    peerc_dtls_srtp_keys keys;
    char err[PEERC_ERRBUF_SIZE];
    if (pc->srtp || !pc->dtls)
        return;
    if (peerc__dtls_get_srtp_keys(pc->dtls, &keys) != PEERC_OK) {
        if (peerc__pc_sdp_has_media(pc->current_local.sdp))
            PEERC_WARN("srtp", "%p the peer negotiated no DTLS-SRTP profile: no media",
                       (void *)pc);
        return;
    }
    if (peerc__srtp_new(&keys, &pc->srtp, err, sizeof err) < 0) {
        PEERC_ERROR("srtp", "%p %s", (void *)pc, err);
        memset(&keys, 0, sizeof keys);
        return;
    }
    memset(&keys, 0, sizeof keys);
    PEERC_INFO("srtp", "%p keyed (%s)", (void *)pc, peerc__dtls_srtp_profile_name(pc->dtls));
    peerc__pc_media_update_senders(pc);
}

static void destroy_timer(GSource **s)
{
    if (*s) {
        g_source_destroy(*s);
        g_source_unref(*s);
        *s = NULL;
    }
}

void peerc__pc_media_stop(peerc_pc *pc)
{
    destroy_timer(&pc->report_timer);
    destroy_timer(&pc->poll_timer);
    if (pc->transceivers)
        peerc__pc_transceivers_close(pc);
}

void peerc__pc_media_free(peerc_pc *pc)
{
    peerc__pc_media_stop(pc);
    peerc__pc_transceivers_free(pc);
    peerc__srtp_free(pc->srtp);
    pc->srtp = NULL;
    if (pc->ssrc_map)
        g_hash_table_destroy(pc->ssrc_map);
    pc->ssrc_map = NULL;
}

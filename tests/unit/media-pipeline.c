/*
 * lib/media sender -> receiver in memory, on one thread and a fake clock:
 * the test pattern's frame numbers and the test tone must come through
 * lossless and with 5% loss (NACK/RTX, PLI after an unrepairable burst,
 * Opus FEC/PLC, G.711), sender and receiver reports must agree with what
 * was sent and dropped, RTT comes out of LSR/DLSR, hostile input is
 * survived, REMB steers the target bitrate, and the encode and network
 * halves of a sender may run on two threads.
 */
#include "media/opus.h"
#include "media/receiver.h"
#include "media/sender-g711.h"
#include "media/sender.h"
#include "media/testsrc.h"
#include "rtp/packet.h"
#include "rtp/rtcp.h"

#include <peerc/common.h>

#include "../tap.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

/* ---- a lossy in-memory link ---------------------------------------- */

typedef struct qpkt {
    uint8_t *data;
    size_t len;
    int rtx;
} qpkt;

typedef struct queue {
    qpkt *v;
    size_t head, n, cap;
} queue;

static void q_push(queue *q, const uint8_t *d, size_t len, int rtx)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 64;
        q->v = realloc(q->v, q->cap * sizeof *q->v);
    }
    qpkt *p = &q->v[q->n++];
    p->data = malloc(len ? len : 1);
    memcpy(p->data, d, len);
    p->len = len;
    p->rtx = rtx;
}

static int q_pop(queue *q, qpkt *out)
{
    if (q->head == q->n) {
        q->head = q->n = 0;
        return 0;
    }
    *out = q->v[q->head++];
    return 1;
}

static void q_free(queue *q)
{
    qpkt p;
    while (q_pop(q, &p))
        free(p.data);
    free(q->v);
}

enum { MAX_FRAMES = 1024 };

typedef struct harness {
    peerc_rtp_sender *snd;
    peerc_rtp_receiver *rcv;
    int64_t now_ms;
    queue rtp, rtcp;
    uint32_t lcg;
    int loss_permille; /* media and retransmissions alike */
    int drop_rtx;      /* every retransmission */
    int drop_media;    /* every new media packet */
    int drop_every;    /* deterministic: every n-th new media packet */
    int pad;           /* renumber media and put a padding packet after each frame */
    uint16_t pad_offset;
    int media_sent, media_dropped, rtx_sent, rtx_dropped;
    int ext_checked, ext_bad;
    int fec_packets; /* audio packets carrying LBRR */
    double max_reported_loss;
    int report_loss; /* run_audio: fixed fraction_lost (/256) instead of real reports */
    int nacks, plis, firs;
    uint8_t mid_id, twcc_id, abs_id;
    const char *mid;
    /* video out */
    uint32_t numbers[MAX_FRAMES];
    int frames, unreadable;
    /* audio out */
    int16_t *pcm;
    size_t pcm_n, pcm_cap;
    uint32_t pcm_channels;
    /* for the RR check: media packets in send order */
    uint16_t first_seq, last_seq;
    int have_first;
    int index, first_index, last_index;
    int dropped_idx[4096];
    int n_dropped_idx;
} harness;

static int64_t fake_us(void *ud)
{
    return ((harness *)ud)->now_ms * 1000;
}

static int lose(harness *h)
{
    h->lcg = h->lcg * 1103515245u + 12345u;
    return (int)((h->lcg >> 16) % 1000) < h->loss_permille;
}

static void on_send(void *ud, const uint8_t *pkt, size_t len, int retransmission)
{
    q_push(&((harness *)ud)->rtp, pkt, len, retransmission);
}

static void on_rtcp(void *ud, const uint8_t *pkt, size_t len)
{
    q_push(&((harness *)ud)->rtcp, pkt, len, 0);
}

static void on_video(void *ud, const peerc_media_i420 *f)
{
    harness *h = ud;
    uint32_t n;
    if (peerc__testsrc_read_frame_number(f, &n) != PEERC_OK) {
        h->unreadable++;
        return;
    }
    if (h->frames < MAX_FRAMES)
        h->numbers[h->frames++] = n;
}

static void on_audio(void *ud, const int16_t *pcm, size_t n, uint32_t ch, int64_t ts)
{
    harness *h = ud;
    (void)ts;
    h->pcm_channels = ch;
    if (h->pcm_n + n > h->pcm_cap) {
        h->pcm_cap = (h->pcm_n + n) * 2;
        h->pcm = realloc(h->pcm, h->pcm_cap * ch * sizeof *h->pcm);
    }
    memcpy(h->pcm + h->pcm_n * ch, pcm, n * ch * sizeof *pcm);
    h->pcm_n += n;
}

static void check_extensions(harness *h, const peerc_rtp_packet *p)
{
    if (!h->mid_id)
        return;
    const peerc_rtp_ext *mid = peerc__rtp_ext_get(p, h->mid_id);
    const peerc_rtp_ext *tw = peerc__rtp_ext_get(p, h->twcc_id);
    const peerc_rtp_ext *abs = peerc__rtp_ext_get(p, h->abs_id);
    h->ext_checked++;
    if (!mid || mid->len != strlen(h->mid) || memcmp(mid->data, h->mid, mid->len) ||
        !tw || tw->len != 2 || !abs || abs->len != 3)
        h->ext_bad++;
}

/* Decide the fate of one packet and deliver it. */
static void deliver_rtp(harness *h, const qpkt *q)
{
    int drop;
    peerc_rtp_packet p;
    if (q->rtx) {
        h->rtx_sent++;
        drop = h->drop_rtx || lose(h);
        h->rtx_dropped += drop;
    } else {
        h->media_sent++;
        drop = h->drop_media || lose(h) ||
               (h->drop_every && h->media_sent > 3 && h->media_sent % h->drop_every == 0);
        h->media_dropped += drop;
    }
    if (peerc__rtp_parse(q->data, q->len, &p) != PEERC_OK) {
        h->ext_bad++;
        return;
    }
    check_extensions(h, &p);
    if (p.payload_type == 111)
        h->fec_packets += peerc__opusdec_has_fec(p.payload, p.payload_len);
    if (!q->rtx) {
        int idx = h->index++;
        if (drop) {
            if (h->n_dropped_idx < 4096)
                h->dropped_idx[h->n_dropped_idx++] = idx;
        } else {
            if (!h->have_first) {
                h->have_first = 1;
                h->first_seq = p.seq;
                h->first_index = idx;
            }
            h->last_seq = p.seq;
            h->last_index = idx;
        }
    }
    if (drop)
        return;
    if (h->pad) {
        /* Padding on the media SSRC (a sender probing bandwidth without
         * RTX): an empty payload taking its own sequence number. */
        p.seq = (uint16_t)(p.seq + h->pad_offset);
        peerc__rtp_receiver_receive(h->rcv, &p, h->now_ms);
        if (p.marker) {
            peerc_rtp_packet pad = p;
            pad.marker = 0;
            pad.seq++;
            pad.payload_len = 0;
            pad.padding = 200;
            peerc__rtp_receiver_receive(h->rcv, &pad, h->now_ms);
            h->pad_offset++;
        }
        return;
    }
    peerc__rtp_receiver_receive(h->rcv, &p, h->now_ms);
}

static void deliver_rtcp(harness *h, const qpkt *q)
{
    peerc_rtp_rtcp_iter it;
    peerc_rtp_rtcp_header hd;
    peerc__rtp_rtcp_iter_init(&it, q->data, q->len);
    while (peerc__rtp_rtcp_iter_next(&it, &hd) == 1) {
        peerc_rtp_rtcp_fb fb;
        if (peerc__rtp_rtcp_parse_fb(&hd, &fb) != PEERC_OK)
            continue;
        if (fb.type == PEERC_RTP_RTCP_RTPFB && fb.fmt == PEERC_RTP_RTCP_FMT_NACK) {
            uint16_t seqs[1024];
            int n = peerc__rtp_rtcp_nack_seqs(&fb, seqs, 1024);
            if (n > 0) {
                h->nacks++;
                peerc__rtp_sender_on_nack(h->snd, seqs, (size_t)n);
            }
        } else if (fb.type == PEERC_RTP_RTCP_PSFB &&
                   (fb.fmt == PEERC_RTP_RTCP_FMT_PLI || fb.fmt == PEERC_RTP_RTCP_FMT_FIR)) {
            if (fb.fmt == PEERC_RTP_RTCP_FMT_PLI)
                h->plis++;
            else
                h->firs++;
            peerc__rtp_sender_request_keyframe(h->snd);
        }
    }
}

/* Until both directions are quiet (feedback may cause more packets). */
static void pump(harness *h)
{
    qpkt q;
    for (int busy = 1; busy;) {
        busy = 0;
        while (q_pop(&h->rtp, &q)) {
            deliver_rtp(h, &q);
            free(q.data);
            busy = 1;
        }
        while (q_pop(&h->rtcp, &q)) {
            deliver_rtcp(h, &q);
            free(q.data);
            busy = 1;
        }
    }
}

static void tick(harness *h, int64_t ms)
{
    h->now_ms += ms;
    peerc__rtp_receiver_poll(h->rcv, h->now_ms);
    pump(h);
}

/* codec: PEERC_MEDIA_CODEC_* (audio pt 0 for PCMU, 8 for PCMA). */
static int setup_codec(harness *h, int kind, int rtx, int nack, int codec)
{
    peerc_rtp_sender_config sc;
    peerc_rtp_receiver_config rc;
    peerc_rtp_receiver_callbacks cbs = {on_video, on_audio, on_rtcp};
    char err[256] = "";
    memset(h, 0, sizeof *h);
    /* PEERC_TEST_SEED varies the loss pattern when exploring. */
    h->lcg = getenv("PEERC_TEST_SEED") ? (uint32_t)atol(getenv("PEERC_TEST_SEED")) : 12345;
    h->now_ms = 1000;
    peerc__rtp_sender_config_init(&sc, kind);
    sc.ssrc = 0x11223344;
    sc.payload_type = kind == PEERC_MEDIA_VIDEO         ? 96
                      : codec == PEERC_MEDIA_CODEC_PCMU ? 0
                      : codec == PEERC_MEDIA_CODEC_PCMA ? 8
                                                        : 111;
    sc.codec = codec;
    if (rtx) {
        sc.rtx_payload_type = 97;
        sc.rtx_ssrc = 0x55667788;
    }
    sc.mid_ext_id = 4;
    strcpy(sc.mid, "1");
    sc.twcc_ext_id = 3;
    sc.abs_send_time_ext_id = 2;
    if (kind == PEERC_MEDIA_AUDIO)
        sc.audio_level_ext_id = 1;
    h->mid_id = 4;
    h->twcc_id = 3;
    h->abs_id = 2;
    h->mid = "1";
    if (peerc__rtp_sender_new(&sc, on_send, h, &h->snd, err, sizeof err) != PEERC_OK) {
        diag("sender: %s", err);
        return -1;
    }
    peerc__rtp_sender_set_clock(h->snd, fake_us, h);
    peerc__rtp_receiver_config_init(&rc, kind);
    rc.local_ssrc = 0xabcdef01;
    rc.payload_type = sc.payload_type;
    rc.rtx_payload_type = rtx ? 97 : -1;
    rc.nack = nack;
    rc.codec = codec;
    if (peerc__rtp_receiver_new(&rc, &cbs, h, &h->rcv, err, sizeof err) != PEERC_OK) {
        diag("receiver: %s", err);
        return -1;
    }
    return 0;
}

static int setup(harness *h, int kind, int rtx, int nack)
{
    return setup_codec(h, kind, rtx, nack, PEERC_MEDIA_CODEC_DEFAULT);
}

static void teardown(harness *h)
{
    peerc__rtp_sender_free(h->snd);
    peerc__rtp_receiver_free(h->rcv);
    q_free(&h->rtp);
    q_free(&h->rtcp);
    free(h->pcm);
}

/* Frame numbers strictly increasing; returns how many steps were not +1. */
static int count_steps(const harness *h, int from, int *backwards)
{
    int skips = 0;
    *backwards = 0;
    for (int i = from + 1; i < h->frames; i++) {
        if (h->numbers[i] <= h->numbers[i - 1])
            (*backwards)++;
        else if (h->numbers[i] != h->numbers[i - 1] + 1)
            skips++;
    }
    return skips;
}

/* One video frame per 33 ms of fake time. */
static void run_video(harness *h, peerc_testsrc_video *src, int n)
{
    for (int i = 0; i < n; i++) {
        peerc_media_i420 f;
        peerc__testsrc_video_next(src, &f);
        peerc__rtp_sender_push_video(h->snd, &f);
        pump(h);
        tick(h, 33);
    }
}

/* ---- 1. lossless video --------------------------------------------- */

static void test_video_lossless(void)
{
    harness h;
    peerc_testsrc_video *src = NULL;
    if (setup(&h, PEERC_MEDIA_VIDEO, 1, 1) || peerc__testsrc_video_new(320, 240, 30, &src)) {
        ok(0, "video setup");
        return;
    }
    run_video(&h, src, 60);
    int back, skips = count_steps(&h, 0, &back);
    is_int(h.frames, 60, "lossless: all 60 frames decoded");
    ok(h.frames > 0 && h.numbers[0] == 0 && skips == 0 && back == 0,
       "frame numbers 0.. in order, +1 each");
    is_int(h.unreadable, 0, "every picture carries a readable frame number");
    ok(h.ext_checked > 60 && h.ext_bad == 0, "MID \"1\", TWCC and abs-send-time on all %d packets",
       h.ext_checked);
    peerc_rtp_sender_stats ss;
    peerc_rtp_receiver_stats rs;
    peerc__rtp_sender_get_stats(h.snd, &ss);
    peerc__rtp_receiver_get_stats(h.rcv, &rs);
    is_int(ss.frames_encoded, 60, "sender: 60 frames encoded");
    is_int(rs.packets_received, ss.packets_sent, "receiver got every packet sent");
    is_int(rs.bytes_received, ss.bytes_sent, "payload bytes agree");
    is_int(rs.frames_decoded, 60, "receiver: 60 frames decoded");
    ok(rs.frame_width == 320 && rs.frame_height == 240 && ss.frame_width == 320,
       "320x240 both ends");
    is_int(rs.packets_lost + rs.nack_count + ss.retransmitted_packets, 0,
           "no loss, no NACK, no retransmission");
    is_int(peerc__rtp_receiver_remote_ssrc(h.rcv), 0x11223344, "remote SSRC learned");
    diag("%d packets, %.1f kB", h.media_sent, ss.bytes_sent / 1000.0);
    peerc__testsrc_video_free(src);
    teardown(&h);
}

static void test_video_padding(void)
{
    harness h;
    peerc_testsrc_video *src = NULL;
    if (setup(&h, PEERC_MEDIA_VIDEO, 0, 0) || peerc__testsrc_video_new(320, 240, 30, &src)) {
        ok(0, "video setup");
        return;
    }
    h.pad = 1;
    run_video(&h, src, 30);
    peerc_rtp_receiver_stats rs;
    peerc__rtp_receiver_get_stats(h.rcv, &rs);
    int back, skips = count_steps(&h, 0, &back);
    ok(h.frames == 30 && skips == 0 && back == 0, "padding between frames: %d of 30 decoded",
       h.frames);
    ok(rs.packets_lost == 0 && rs.pli_count == 0 && rs.frames_dropped == 0,
       "padding is neither loss nor a reason for PLI");
    peerc__testsrc_video_free(src);
    teardown(&h);
}

/* ---- 2. 5% loss with NACK/RTX, then an unrepairable burst ---------- */

static void test_video_loss(void)
{
    harness h;
    peerc_testsrc_video *src = NULL;
    if (setup(&h, PEERC_MEDIA_VIDEO, 1, 1) || peerc__testsrc_video_new(320, 240, 30, &src)) {
        ok(0, "video setup");
        return;
    }
    h.loss_permille = 50;
    run_video(&h, src, 300);
    tick(&h, 600); /* let the last retransmissions and timeouts finish */
    int back, skips = count_steps(&h, 0, &back);
    ok(h.frames >= 270, "5%% loss: %d of 300 frames decoded (>= 90%%)", h.frames);
    is_int(back, 0, "frame numbers strictly increasing (%d skips)", skips);
    peerc_rtp_sender_stats ss;
    peerc_rtp_receiver_stats rs;
    peerc__rtp_sender_get_stats(h.snd, &ss);
    peerc__rtp_receiver_get_stats(h.rcv, &rs);
    ok(rs.nack_count > 0, "receiver sent %" PRIu64 " NACKs", rs.nack_count);
    ok(ss.nack_count > 0 && ss.retransmitted_packets > 0,
       "sender answered %" PRIu64 " NACKs with %" PRIu64 " retransmissions", ss.nack_count,
       ss.retransmitted_packets);
    ok(rs.retransmitted_packets_received > 0, "%" PRIu64 " RTX packets received",
       rs.retransmitted_packets_received);
    ok(h.ext_bad == 0, "RTX packets carry the MID too");
    diag("media %d (%d lost), rtx %d (%d lost), keyframes %" PRIu64 ", PLI %d",
         h.media_sent, h.media_dropped, h.rtx_sent, h.rtx_dropped, ss.keyframes_encoded, h.plis);

    /* A burst no retransmission can repair: 3 frames gone and every
     * retransmission dropped for a second. */
    uint64_t keys_before = ss.keyframes_encoded;
    int frames_before = h.frames;
    h.loss_permille = 0;
    h.drop_media = 1;
    h.drop_rtx = 1;
    run_video(&h, src, 3);
    h.drop_media = 0;
    run_video(&h, src, 30);
    h.drop_rtx = 0;
    int mark = h.frames;
    run_video(&h, src, 30);
    tick(&h, 600);
    peerc__rtp_sender_get_stats(h.snd, &ss);
    peerc__rtp_receiver_get_stats(h.rcv, &rs);
    ok(h.plis > 0 && rs.pli_count > 0, "burst: receiver sent PLI (%" PRIu64 ")", rs.pli_count);
    ok(ss.keyframes_encoded >= 2 && ss.keyframes_encoded > keys_before,
       "sender produced a keyframe (%" PRIu64 " in all)", ss.keyframes_encoded);
    ok(h.frames - mark >= 29, "decoding resumed: %d of the last 30 frames", h.frames - mark);
    count_steps(&h, frames_before > 0 ? frames_before - 1 : 0, &back);
    is_int(back, 0, "still strictly increasing across the burst");
    ok(h.frames > 0 && h.numbers[h.frames - 1] == 362, "last frame 362 shown (got %u)",
       h.frames ? h.numbers[h.frames - 1] : 0);
    peerc__testsrc_video_free(src);
    teardown(&h);
}

/* ---- 3. audio ------------------------------------------------------ */

static void run_audio(harness *h, double seconds, int report)
{
    peerc_testsrc_tone *tone = NULL;
    peerc__testsrc_tone_new(440, 1, 0.5, &tone);
    int16_t chunk[441];
    size_t total = (size_t)(seconds * 48000), done = 0;
    int64_t start = h->now_ms, next_report = h->now_ms + 500;
    while (done < total) {
        size_t n = total - done < 441 ? total - done : 441;
        peerc__testsrc_tone_read(tone, chunk, n);
        peerc__rtp_sender_push_audio(h->snd, chunk, n, 1, (int64_t)done * 1000000 / 48000);
        done += n;
        pump(h);
        h->now_ms = start + (int64_t)(done * 1000 / 48000);
        peerc__rtp_receiver_poll(h->rcv, h->now_ms);
        pump(h);
        if (report && h->now_ms >= next_report) {
            /* Receiver reports close the loop: Opus sizes FEC by them. */
            peerc_rtp_rtcp_report rb;
            if (peerc__rtp_receiver_report_block(h->rcv, 0, &rb) == 1) {
                if (h->report_loss)
                    rb.fraction_lost = (uint8_t)h->report_loss;
                peerc__rtp_sender_on_report(h->snd, &rb, 0);
                if (rb.fraction_lost / 256.0 > h->max_reported_loss)
                    h->max_reported_loss = rb.fraction_lost / 256.0;
            }
            next_report += 500;
        }
    }
    tick(h, 200);
    peerc__testsrc_tone_free(tone);
}

static void test_audio(int loss_permille)
{
    harness h;
    if (setup(&h, PEERC_MEDIA_AUDIO, 0, 0)) {
        ok(0, "audio setup");
        return;
    }
    h.loss_permille = loss_permille;
    run_audio(&h, 2.0, 1);
    double hz = 0, rms = 0;
    size_t half = h.pcm_n / 2;
    int rc = h.pcm_n ? peerc__testsrc_tone_estimate(h.pcm + half * h.pcm_channels, h.pcm_n - half,
                                                    h.pcm_channels, &hz, &rms)
                     : PEERC_E_NOT_FOUND;
    double tol = loss_permille ? 10 : 5;
    ok(rc == PEERC_OK && hz > 440 - tol && hz < 440 + tol,
       "%s: second half at %.1f Hz (440 +- %.0f), rms %.2f", loss_permille ? "5% loss" : "lossless",
       hz, tol, rms);
    ok(h.pcm_n >= 96000 - 3 * 960 && h.pcm_n <= 96000,
       "%zu samples played for 96000 pushed (up to 3 frames still buffered)", h.pcm_n);
    ok(h.ext_bad == 0 && h.ext_checked > 90, "audio packets carry MID/TWCC/abs-send-time");
    peerc_rtp_receiver_stats rs;
    peerc_rtp_sender_stats ss;
    peerc__rtp_receiver_get_stats(h.rcv, &rs);
    peerc__rtp_sender_get_stats(h.snd, &ss);
    is_int(ss.frames_encoded, 100, "100 Opus frames of 20 ms from 441-sample chunks");
    if (loss_permille) {
        diag("%d of %d packets carried FEC", h.fec_packets, h.media_sent);
        ok(rs.concealed_samples > 0 || rs.fec_recovered > 0,
           "losses filled: %" PRIu64 " samples concealed, %" PRIu64 " packets from FEC",
           rs.concealed_samples, rs.fec_recovered);
        ok(rs.packets_lost > 0 && (int)rs.packets_lost == h.media_dropped,
           "cumulative lost %" PRIu64 " = %d dropped", rs.packets_lost, h.media_dropped);
        ok(h.max_reported_loss > 0, "sender saw the loss in receiver reports (up to %.3f)",
           h.max_reported_loss);
    } else {
        is_int(rs.concealed_samples + rs.fec_recovered, 0, "lossless: nothing concealed");
        is_int(rs.audio_samples_received, h.pcm_n, "audio_samples_received");
    }
    teardown(&h);
}

/* Every 10th packet lost while the receiver reports 20% loss: Opus puts
 * LBRR into its packets and the receiver rebuilds the losses from it. */
static void test_audio_fec(void)
{
    harness h;
    if (setup(&h, PEERC_MEDIA_AUDIO, 0, 0)) {
        ok(0, "audio setup");
        return;
    }
    h.drop_every = 10;
    h.report_loss = 51;
    run_audio(&h, 2.0, 1);
    peerc_rtp_receiver_stats rs;
    peerc__rtp_receiver_get_stats(h.rcv, &rs);
    double hz = 0;
    size_t half = h.pcm_n / 2;
    peerc__testsrc_tone_estimate(h.pcm + half, h.pcm_n - half, 1, &hz, NULL);
    diag("%d of %d packets carried FEC, %d dropped", h.fec_packets, h.media_sent,
         h.media_dropped);
    ok(rs.fec_recovered >= 5, "FEC: %" PRIu64 " of %d lost packets rebuilt from LBRR",
       rs.fec_recovered, h.media_dropped);
    ok(hz > 430 && hz < 450, "tone intact (%.1f Hz)", hz);
    teardown(&h);
}

/* Known code points (ITU-T G.711 tables) and the quantization error bound
 * over the whole 16-bit range. */
static void test_g711_codec(void)
{
    const int U = PEERC_MEDIA_CODEC_PCMU, A = PEERC_MEDIA_CODEC_PCMA;
    ok(peerc__g711_encode(U, 0) == 0xff && peerc__g711_encode(U, 32767) == 0x80 &&
           peerc__g711_encode(U, -32768) == 0x00,
       "u-law: 0 -> 0xff, full scale -> 0x80/0x00");
    ok(peerc__g711_encode(A, 0) == 0xd5 && peerc__g711_encode(A, 32767) == 0xaa &&
           peerc__g711_encode(A, -32768) == 0x2a,
       "A-law: 0 -> 0xd5, full scale -> 0xaa/0x2a");
    int worst[2] = {0, 0}, bad[2] = {0, 0};
    for (int law = 0; law < 2; law++)
        for (int x = -32768; x <= 32767; x += 7) {
            int y = peerc__g711_decode(law ? A : U, peerc__g711_encode(law ? A : U, (int16_t)x));
            int e = abs(y - x);
            bad[law] += e > abs(x) / 16 + 16 || (x > 64 && y <= 0) || (x < -64 && y >= 0);
            if (e > worst[law])
                worst[law] = e;
        }
    ok(bad[0] == 0 && bad[1] == 0, "round trip within |x|/16 + 16 (worst %d u-law, %d A-law)",
       worst[0], worst[1]);
}

/* G.711 instead of Opus: 8 kHz on the wire, 48 kHz at both ends. */
static void test_audio_g711(int codec, int loss_permille)
{
    harness h;
    const char *name = codec == PEERC_MEDIA_CODEC_PCMU ? "PCMU" : "PCMA";
    if (setup_codec(&h, PEERC_MEDIA_AUDIO, 0, 0, codec)) {
        ok(0, "%s setup", name);
        return;
    }
    h.loss_permille = loss_permille;
    /* Look at the wire before the receiver does. */
    peerc_testsrc_tone *tone = NULL;
    int16_t pcm[960 * 2];
    peerc__testsrc_tone_new(440, 1, 0.5, &tone);
    peerc__testsrc_tone_read(tone, pcm, 960 * 2);
    peerc__testsrc_tone_free(tone);
    peerc__rtp_sender_push_audio(h.snd, pcm, 960 * 2, 1, 0);
    peerc_rtp_packet a, b;
    if (loss_permille == 0) {
        ok(h.rtp.n == 2 && peerc__rtp_parse(h.rtp.v[0].data, h.rtp.v[0].len, &a) == 0 &&
               peerc__rtp_parse(h.rtp.v[1].data, h.rtp.v[1].len, &b) == 0 &&
               a.payload_type == (codec == PEERC_MEDIA_CODEC_PCMU ? 0 : 8) &&
               a.payload_len == 160 && (uint32_t)(b.timestamp - a.timestamp) == 160 && a.marker &&
               !b.marker,
           "%s: pt %d, 160 bytes and 160 ticks per 20 ms, marker on the first", name,
           codec == PEERC_MEDIA_CODEC_PCMU ? 0 : 8);
    }
    pump(&h);
    run_audio(&h, 2.0, 0);
    double hz = 0, rms = 0;
    size_t half = h.pcm_n / 2;
    int rc = h.pcm_n > 1000 ? peerc__testsrc_tone_estimate(h.pcm + half * h.pcm_channels,
                                                           h.pcm_n - half, h.pcm_channels, &hz,
                                                           &rms)
                            : PEERC_E_NOT_FOUND;
    double tol = loss_permille ? 10 : 5;
    ok(rc == PEERC_OK && hz > 440 - tol && hz < 440 + tol && rms > 0.2,
       "%s%s: second half at %.1f Hz (440 +- %.0f), rms %.2f", name,
       loss_permille ? " with 5% loss" : "", hz, tol, rms);
    peerc_rtp_receiver_stats rs;
    peerc__rtp_receiver_get_stats(h.rcv, &rs);
    if (loss_permille)
        ok(rs.concealed_samples > 0 && rs.packets_lost > 0,
           "%s: %" PRIu64 " lost, %" PRIu64 " samples concealed", name, rs.packets_lost,
           rs.concealed_samples);
    else
        ok(rs.audio_samples_received >= 2 * 48000 && rs.concealed_samples == 0,
           "%s: %" PRIu64 " samples at 48 kHz for 2.04 s, none concealed", name,
           rs.audio_samples_received);
    peerc_rtp_rtcp_sr sr1, sr2;
    peerc__rtp_sender_fill_sr(h.snd, 0, &sr1);
    h.now_ms += 1000;
    peerc__rtp_sender_fill_sr(h.snd, 0, &sr2);
    is_int((uint32_t)(sr2.rtp_timestamp - sr1.rtp_timestamp), 8000, "%s: SR runs an 8 kHz clock",
           name);
    teardown(&h);
}

/* ---- 4. SR / RR / RTT ---------------------------------------------- */

static uint64_t ntp_ms(int64_t ms)
{
    /* Any epoch will do for the arithmetic; a 2020-ish one for realism. */
    uint64_t secs = 3800000000u + (uint64_t)(ms / 1000);
    return secs << 32 | (((uint64_t)(ms % 1000) << 32) / 1000);
}

static void test_reports(void)
{
    harness h;
    peerc_testsrc_video *src = NULL;
    if (setup(&h, PEERC_MEDIA_VIDEO, 0, 0) || peerc__testsrc_video_new(320, 240, 30, &src)) {
        ok(0, "setup");
        return;
    }
    peerc_rtp_rtcp_sr sr;
    is_int(peerc__rtp_sender_fill_sr(h.snd, ntp_ms(h.now_ms), &sr), 0, "no SR before sending");
    peerc_rtp_rtcp_report rb;
    is_int(peerc__rtp_receiver_report_block(h.rcv, ntp_ms(h.now_ms), &rb), 0,
           "no report block before receiving");
    h.drop_every = 13;
    run_video(&h, src, 60);
    peerc_rtp_sender_stats ss;
    peerc__rtp_sender_get_stats(h.snd, &ss);
    int64_t t_sr = h.now_ms;
    is_int(peerc__rtp_sender_fill_sr(h.snd, ntp_ms(t_sr), &sr), 1, "SR filled");
    is_int(sr.packet_count, ss.packets_sent, "SR packet count = stats");
    is_int(sr.octet_count, ss.bytes_sent, "SR octet count = stats");
    is_int(sr.ssrc, 0x11223344, "SR SSRC");
    h.now_ms += 100;
    peerc_rtp_rtcp_sr sr2;
    peerc__rtp_sender_fill_sr(h.snd, ntp_ms(h.now_ms), &sr2);
    is_int((uint32_t)(sr2.rtp_timestamp - sr.rtp_timestamp), 9000,
           "SR RTP timestamp advances 90 kHz with the clock");

    /* SR arrives 20 ms later; the RR leaves 30 ms after that and takes
     * another 20 ms back: RTT 40 ms. */
    peerc__rtp_receiver_on_sr(h.rcv, &sr, ntp_ms(t_sr + 20));
    is_int(peerc__rtp_receiver_report_block(h.rcv, ntp_ms(t_sr + 50), &rb), 1, "report block");
    int lost = 0;
    for (int i = 0; i < h.n_dropped_idx; i++)
        lost += h.dropped_idx[i] > h.first_index && h.dropped_idx[i] < h.last_index;
    int span = h.last_index - h.first_index + 1;
    ok(h.media_dropped > 0 && lost > 0, "test dropped %d packets (%d inside the range)",
       h.media_dropped, lost);
    is_int(rb.ssrc, 0x11223344, "block about the sender's SSRC");
    is_int(rb.ext_highest_seq, (uint32_t)h.first_seq + (uint32_t)span - 1,
           "extended highest seq = first + span - 1");
    is_int(rb.ext_highest_seq & 0xffff, h.last_seq, "highest seq is the last delivered");
    is_int(rb.cumulative_lost, lost, "cumulative lost = packets the test dropped");
    ok(abs((int)rb.fraction_lost - lost * 256 / span) <= 1, "fraction lost %u/256 ~ %d/%d",
       rb.fraction_lost, lost, span);
    is_int(rb.lsr, (uint32_t)(sr.ntp >> 16), "LSR = middle of the SR's NTP time");
    ok(rb.dlsr >= 1966 && rb.dlsr <= 1967, "DLSR 30 ms = %u/65536 s", rb.dlsr);
    peerc__rtp_sender_on_report(h.snd, &rb, ntp_ms(t_sr + 70));
    peerc__rtp_sender_get_stats(h.snd, &ss);
    ok(ss.rtt_ms >= 39 && ss.rtt_ms <= 41, "RTT %" PRId64 " ms (40)", ss.rtt_ms);
    ok(ss.fraction_lost > 0.05, "sender fraction lost %.3f", ss.fraction_lost);
    peerc_rtp_rtcp_report other = rb;
    other.ssrc = 1;
    other.lsr = 0;
    peerc__rtp_sender_on_report(h.snd, &other, ntp_ms(t_sr + 70));
    peerc__rtp_sender_get_stats(h.snd, &ss);
    ok(ss.rtt_ms >= 39 && ss.rtt_ms <= 41, "a block about another SSRC is ignored");
    peerc_rtp_receiver_stats rs;
    peerc__rtp_receiver_get_stats(h.rcv, &rs);
    ok(rs.pli_count > 0 && rs.nack_count == 0, "without NACK loss is answered by PLI only");
    peerc__testsrc_video_free(src);
    teardown(&h);
}

/* ---- 5. hostile input ---------------------------------------------- */

static void test_hostile(void)
{
    harness h;
    peerc_testsrc_video *src = NULL;
    if (setup(&h, PEERC_MEDIA_VIDEO, 1, 1) || peerc__testsrc_video_new(320, 240, 30, &src)) {
        ok(0, "setup");
        return;
    }
    h.mid_id = 0;
    run_video(&h, src, 5);
    int before = h.frames;
    uint32_t lcg = 99;
    int refused = 0, accepted = 0;
    uint16_t seq = h.last_seq;
    uint8_t buf[1500];
    for (int i = 0; i < 2000; i++) {
        peerc_rtp_packet p;
        memset(&p, 0, sizeof p);
        lcg = lcg * 1103515245u + 12345u;
        size_t len = (lcg >> 8) % 1400;
        for (size_t k = 0; k < len; k++) {
            lcg = lcg * 1103515245u + 12345u;
            buf[k] = (uint8_t)(lcg >> 24);
        }
        p.ssrc = 0x11223344;
        p.timestamp = lcg;
        p.seq = ++seq;
        p.payload = buf;
        switch (i % 5) {
        case 0: /* garbage VP8 payload */
            p.payload_type = 96;
            p.payload_len = len;
            p.marker = (lcg >> 3) & 1;
            break;
        case 1: /* truncated: descriptor only or less */
            p.payload_type = 96;
            p.payload_len = len % 4;
            break;
        case 2: /* wrong payload type */
            p.payload_type = 100;
            p.payload_len = len;
            break;
        case 3: /* RTX with short or garbage content */
            p.payload_type = 97;
            p.ssrc = 0x55667788;
            p.payload_len = len % 3 ? len : 1;
            break;
        default: { /* a whole random datagram */
            buf[0] = 0x80 | (buf[0] & 0x3f);
            if (peerc__rtp_parse(buf, len, &p) != PEERC_OK)
                continue;
        }
        }
        if (peerc__rtp_receiver_receive(h.rcv, &p, h.now_ms) == PEERC_OK)
            accepted++;
        else
            refused++;
        if (i % 50 == 0)
            tick(&h, 33);
        else
            pump(&h);
    }
    peerc_rtp_receiver_stats rs;
    peerc__rtp_receiver_get_stats(h.rcv, &rs);
    ok(refused > 500 && rs.packets_invalid >= (uint64_t)refused,
       "2000 hostile packets: %d refused, %d taken, %" PRIu64 " counted invalid", refused,
       accepted, rs.packets_invalid);
    diag("decode errors %" PRIu64 ", frames dropped %" PRIu64, rs.decode_errors,
         rs.frames_dropped);
    ok(h.frames >= before, "no crash, %d frames before, %d after", before, h.frames);

    /* NACKs for packets never sent, or too old: nothing goes out. */
    peerc_rtp_sender_stats ss;
    peerc__rtp_sender_get_stats(h.snd, &ss);
    uint64_t rtx_before = ss.retransmitted_packets;
    size_t queued = h.rtp.n;
    uint16_t bogus[64];
    for (int i = 0; i < 64; i++)
        bogus[i] = (uint16_t)(h.last_seq + 1000 + i * 7);
    peerc__rtp_sender_on_nack(h.snd, bogus, 64);
    peerc__rtp_sender_on_nack(h.snd, NULL, 0);
    peerc__rtp_sender_get_stats(h.snd, &ss);
    ok(h.rtp.n == queued && ss.retransmitted_packets == rtx_before,
       "NACK for unsent sequence numbers sends nothing");
    uint16_t old = h.first_seq;
    h.now_ms += 2000;
    peerc__rtp_sender_on_nack(h.snd, &old, 1);
    ok(h.rtp.n == queued, "NACK for a packet older than 1 s sends nothing");
    peerc__testsrc_video_free(src);
    teardown(&h);

    /* Audio receiver: random Opus payloads must not crash the decoder. */
    if (setup(&h, PEERC_MEDIA_AUDIO, 0, 0))
        return;
    lcg = 7;
    for (int i = 0; i < 2000; i++) {
        peerc_rtp_packet p;
        memset(&p, 0, sizeof p);
        lcg = lcg * 1103515245u + 12345u;
        size_t len = (lcg >> 8) % 300;
        for (size_t k = 0; k < len; k++) {
            lcg = lcg * 1103515245u + 12345u;
            buf[k] = (uint8_t)(lcg >> 24);
        }
        p.payload_type = 111;
        p.ssrc = 42;
        p.seq = (uint16_t)(i % 7 == 0 ? lcg : (uint32_t)i);
        p.timestamp = (uint32_t)i * 960;
        p.payload = buf;
        p.payload_len = len;
        peerc__rtp_receiver_receive(h.rcv, &p, h.now_ms);
        h.now_ms += 20;
        peerc__rtp_receiver_poll(h.rcv, h.now_ms);
    }
    peerc__rtp_receiver_get_stats(h.rcv, &rs);
    ok(rs.packets_invalid > 0, "audio: garbage survived (%" PRIu64 " invalid, %" PRIu64
       " decode errors, %" PRIu64 " samples out)", rs.packets_invalid, rs.decode_errors,
       rs.audio_samples_received);
    teardown(&h);
}

/* ---- 6. REMB and loss-based rate control --------------------------- */

static void test_rate_control(void)
{
    harness h;
    if (setup(&h, PEERC_MEDIA_VIDEO, 0, 1)) {
        ok(0, "setup");
        return;
    }
    peerc_rtp_sender_stats ss;
    peerc__rtp_sender_get_stats(h.snd, &ss);
    is_int(ss.target_bitrate_bps, 600000, "start 600 kb/s");
    peerc__rtp_sender_on_remb(h.snd, 300000);
    peerc__rtp_sender_get_stats(h.snd, &ss);
    is_int(ss.target_bitrate_bps, 300000, "REMB 300k -> 300k");
    peerc__rtp_sender_on_remb(h.snd, 10000);
    peerc__rtp_sender_get_stats(h.snd, &ss);
    is_int(ss.target_bitrate_bps, 50000, "REMB 10k -> clamped to the 50k minimum");
    peerc__rtp_sender_on_remb(h.snd, 100000000);
    peerc__rtp_sender_get_stats(h.snd, &ss);
    is_int(ss.target_bitrate_bps, 600000, "REMB 100M -> the loss estimate (600k) rules");

    /* Reports without loss let the estimate grow 8%/s up to the max. */
    peerc_rtp_rtcp_report rb;
    memset(&rb, 0, sizeof rb);
    rb.ssrc = 0x11223344;
    uint32_t prev = ss.target_bitrate_bps;
    int grew = 1;
    for (int i = 0; i < 30; i++) {
        h.now_ms += 1000;
        peerc__rtp_sender_on_report(h.snd, &rb, 0);
        peerc__rtp_sender_get_stats(h.snd, &ss);
        if (ss.target_bitrate_bps < prev)
            grew = 0;
        if (i == 0)
            ok(ss.target_bitrate_bps >= 647000 && ss.target_bitrate_bps <= 649000,
               "1 s without loss: +8%% (%u)", ss.target_bitrate_bps);
        prev = ss.target_bitrate_bps;
    }
    ok(grew, "never shrinks without loss");
    is_int(ss.target_bitrate_bps, 2500000, "grows to the 2.5M maximum and stops");
    peerc__rtp_sender_on_remb(h.snd, 1000000);
    peerc__rtp_sender_get_stats(h.snd, &ss);
    is_int(ss.target_bitrate_bps, 1000000, "REMB 1M caps it");
    rb.fraction_lost = 13; /* ~5%: hold */
    h.now_ms += 1000;
    peerc__rtp_sender_on_report(h.snd, &rb, 0);
    peerc__rtp_sender_get_stats(h.snd, &ss);
    is_int(ss.target_bitrate_bps, 1000000, "5%% loss holds");
    rb.fraction_lost = 64; /* 25%: x(1 - 0.125) */
    h.now_ms += 1000;
    peerc__rtp_sender_on_report(h.snd, &rb, 0);
    peerc__rtp_sender_get_stats(h.snd, &ss);
    is_int(ss.target_bitrate_bps, 875000, "25%% loss: 1M x 0.875");
    ok(ss.fraction_lost > 0.24 && ss.fraction_lost < 0.26, "fraction lost reported");

    /* Pause: frames are counted dropped, nothing is sent; renegotiated
     * payload type shows on the next packets. */
    peerc_testsrc_video *src = NULL;
    peerc__testsrc_video_new(160, 120, 30, &src);
    peerc_media_i420 f;
    peerc__testsrc_video_next(src, &f);
    peerc__rtp_sender_set_active(h.snd, 0);
    peerc__rtp_sender_push_video(h.snd, &f);
    peerc__rtp_sender_get_stats(h.snd, &ss);
    ok(ss.frames_dropped == 1 && h.rtp.n == 0, "inactive: frame dropped, nothing sent");
    peerc__rtp_sender_set_active(h.snd, 1);
    peerc_rtp_sender_config sc;
    peerc__rtp_sender_config_init(&sc, PEERC_MEDIA_VIDEO);
    sc.ssrc = 0x11223344;
    sc.payload_type = 98;
    is_int(peerc__rtp_sender_reconfigure(h.snd, &sc), PEERC_OK, "reconfigure to pt 98");
    sc.kind = PEERC_MEDIA_AUDIO;
    is_int(peerc__rtp_sender_reconfigure(h.snd, &sc), PEERC_E_INVALID_MODIFICATION,
           "kind cannot change");
    peerc__testsrc_video_next(src, &f);
    peerc__rtp_sender_push_video(h.snd, &f);
    peerc_rtp_packet p;
    ok(h.rtp.n > 0 && peerc__rtp_parse(h.rtp.v[0].data, h.rtp.v[0].len, &p) == PEERC_OK &&
           p.payload_type == 98 && peerc__rtp_ext_get(&p, 4) == NULL,
       "next packet has pt 98 and no MID (extension dropped)");
    peerc__testsrc_video_free(src);
    teardown(&h);
}

/* ---- 7. the two halves on two threads ----------------------------- */

typedef struct mt {
    peerc_rtp_sender *snd;
    int kind;
    atomic_int done;
    atomic_uint last_seq;
    atomic_int sent, rtx;
} mt;

static void mt_send(void *ud, const uint8_t *pkt, size_t len, int retransmission)
{
    mt *m = ud;
    (void)len;
    if (retransmission) {
        atomic_fetch_add(&m->rtx, 1);
    } else {
        atomic_fetch_add(&m->sent, 1);
        atomic_store(&m->last_seq, (unsigned)(pkt[2] << 8 | pkt[3]));
    }
}

static void *mt_encode(void *ud)
{
    mt *m = ud;
    if (m->kind == PEERC_MEDIA_VIDEO) {
        peerc_testsrc_video *src = NULL;
        peerc__testsrc_video_new(160, 120, 30, &src);
        for (int i = 0; i < 60 && src; i++) {
            peerc_media_i420 f;
            peerc__testsrc_video_next(src, &f);
            peerc__rtp_sender_push_video(m->snd, &f);
        }
        peerc__testsrc_video_free(src);
    } else {
        peerc_testsrc_tone *tone = NULL;
        int16_t pcm[441 * 2];
        peerc__testsrc_tone_new(440, 2, 0.5, &tone);
        for (int i = 0; i < 200 && tone; i++) {
            peerc__testsrc_tone_read(tone, pcm, 441);
            peerc__rtp_sender_push_audio(m->snd, pcm, 441, 2, 0);
        }
        peerc__testsrc_tone_free(tone);
    }
    atomic_store(&m->done, 1);
    return NULL;
}

/* No assertion on timing: the point is that the network half (NACKs,
 * REMB, reports, SR, reconfigure) can run while the encode half works, with
 * consistent counters at the end (and a clean ThreadSanitizer run). */
static void test_threads(int kind)
{
    mt m;
    peerc_rtp_sender_config sc;
    pthread_t th;
    memset(&m, 0, sizeof m);
    m.kind = kind;
    peerc__rtp_sender_config_init(&sc, kind);
    sc.ssrc = 7;
    sc.rtx_payload_type = 97;
    sc.rtx_ssrc = 8;
    if (peerc__rtp_sender_new(&sc, mt_send, &m, &m.snd, NULL, 0) != PEERC_OK) {
        ok(0, "sender");
        return;
    }
    pthread_create(&th, NULL, mt_encode, &m);
    peerc_rtp_rtcp_report rb;
    memset(&rb, 0, sizeof rb);
    rb.ssrc = 7;
    rb.fraction_lost = 20;
    int rounds = 0;
    while (!atomic_load(&m.done)) {
        uint16_t seqs[4];
        uint16_t last = (uint16_t)atomic_load(&m.last_seq);
        for (int i = 0; i < 4; i++)
            seqs[i] = (uint16_t)(last - i);
        peerc__rtp_sender_on_nack(m.snd, seqs, 4);
        peerc__rtp_sender_on_remb(m.snd, 200000 + (uint32_t)rounds * 1000);
        peerc__rtp_sender_on_report(m.snd, &rb, 0);
        peerc_rtp_rtcp_sr sr;
        peerc__rtp_sender_fill_sr(m.snd, 0, &sr);
        peerc_rtp_sender_stats st;
        peerc__rtp_sender_get_stats(m.snd, &st);
        if (rounds % 16 == 0) {
            peerc__rtp_sender_request_keyframe(m.snd);
            if (kind == PEERC_MEDIA_AUDIO)
                sc.channels = sc.channels == 1 ? 2 : 1;
            peerc__rtp_sender_reconfigure(m.snd, &sc);
        }
        rounds++;
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    pthread_join(th, NULL);
    peerc_rtp_sender_stats st;
    peerc__rtp_sender_get_stats(m.snd, &st);
    const char *what = kind == PEERC_MEDIA_VIDEO ? "video" : "audio";
    ok(st.packets_sent == (uint64_t)atomic_load(&m.sent) &&
           st.retransmitted_packets == (uint64_t)atomic_load(&m.rtx),
       "%s, two threads (%d network rounds): %d sent, %d retransmitted, counters agree", what,
       rounds, atomic_load(&m.sent), atomic_load(&m.rtx));
    ok(st.frames_encoded > 0, "%s: %" PRIu64 " frames encoded", what, st.frames_encoded);
    peerc__rtp_sender_free(m.snd);
}

static void test_config_errors(void)
{
    peerc_rtp_sender_config sc;
    peerc_rtp_sender *s = NULL;
    char err[256] = "";
    peerc__rtp_sender_config_init(&sc, PEERC_MEDIA_VIDEO);
    sc.rtx_payload_type = 96;
    ok(peerc__rtp_sender_new(&sc, on_send, NULL, &s, err, sizeof err) ==
               PEERC_E_INVALID_ARGUMENT && !s,
       "RTX pt = media pt refused: %s", err);
    peerc__rtp_sender_config_init(&sc, PEERC_MEDIA_VIDEO);
    sc.mid_ext_id = 3;
    sc.twcc_ext_id = 3;
    strcpy(sc.mid, "0");
    ok(peerc__rtp_sender_new(&sc, on_send, NULL, &s, err, sizeof err) ==
           PEERC_E_INVALID_ARGUMENT,
       "duplicate extension id refused: %s", err);
    peerc__rtp_sender_config_init(&sc, PEERC_MEDIA_AUDIO);
    sc.max_packet = 50;
    ok(peerc__rtp_sender_new(&sc, on_send, NULL, &s, err, sizeof err) ==
           PEERC_E_INVALID_ARGUMENT,
       "tiny max_packet refused: %s", err);
    peerc__rtp_sender_config_init(&sc, PEERC_MEDIA_VIDEO);
    sc.codec = PEERC_MEDIA_CODEC_PCMU;
    ok(peerc__rtp_sender_new(&sc, on_send, NULL, &s, err, sizeof err) ==
           PEERC_E_INVALID_ARGUMENT,
       "G.711 video refused: %s", err);
    peerc_rtp_receiver_config rc;
    peerc_rtp_receiver *r = NULL;
    peerc__rtp_receiver_config_init(&rc, PEERC_MEDIA_AUDIO);
    rc.channels = 3;
    ok(peerc__rtp_receiver_new(&rc, NULL, NULL, &r, err, sizeof err) ==
               PEERC_E_INVALID_ARGUMENT && !r,
       "3 channels refused: %s", err);
    peerc__rtp_sender_free(NULL);
    peerc__rtp_receiver_free(NULL);
}

int main(void)
{
    test_video_lossless();
    test_video_padding();
    test_video_loss();
    test_audio(0);
    test_audio(50);
    test_audio_fec();
    test_g711_codec();
    test_audio_g711(PEERC_MEDIA_CODEC_PCMU, 0);
    test_audio_g711(PEERC_MEDIA_CODEC_PCMA, 0);
    test_audio_g711(PEERC_MEDIA_CODEC_PCMU, 50);
    test_reports();
    test_hostile();
    test_rate_control();
    test_threads(PEERC_MEDIA_VIDEO);
    test_threads(PEERC_MEDIA_AUDIO);
    test_config_errors();
    return done_testing();
}

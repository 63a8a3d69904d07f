/*
 * Video through 5% packet loss: two peer connections on loopback, each
 * dropping 5% of the RTP packets it receives (fault injection in the pc's
 * transport, deterministic).  Video must keep decoding thanks to NACK
 * retransmissions and, when those are not enough, PLI -> keyframe.
 */
#include "harness.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "media/frame.h"
#include "media/testsrc.h"

/* internal: lib/pc/media_internal.h */
void peerc__pc_set_receive_loss(peerc_pc *pc, double fraction, uint32_t seed);

#define SECONDS 8
#define FPS 15

typedef struct rx {
    int frames, numbered, backwards;
    uint32_t first_number, last_number;
} rx;

static rx rx_a, rx_b;

static void sink_video(peerc_track *track, const peerc_video_frame *f, void *ud)
{
    rx *r = ud;
    peerc_media_i420 pic = {f->width,    f->height,   f->y,        f->u,          f->v,
                            f->stride_y, f->stride_u, f->stride_v, f->timestamp_us};
    uint32_t n;
    (void)track;
    pthread_mutex_lock(&h_lock);
    r->frames++;
    if (peerc__testsrc_read_frame_number(&pic, &n) == PEERC_OK) {
        if (r->numbered && n <= r->last_number)
            r->backwards++;
        if (!r->numbered)
            r->first_number = n;
        r->numbered++;
        r->last_number = n;
    }
    pthread_mutex_unlock(&h_lock);
}

static void on_track(h_side *s, peerc_transceiver *t, peerc_track *track,
                     const char *const *streams, size_t n)
{
    peerc_track_sink sink;
    (void)t, (void)streams, (void)n;
    peerc_track_sink_init(&sink);
    sink.video_frame = sink_video;
    peerc_track_set_sink(track, &sink, s->user);
}

static peerc_track *pattern(void)
{
    peerc_track_options o;
    peerc_track *t = NULL;
    peerc_track_options_init(&o, PEERC_MEDIA_KIND_VIDEO);
    o.source = PEERC_TRACK_SOURCE_TEST_PATTERN;
    o.width = 640; /* several packets per frame, so losses hit frames' middles */
    o.height = 480;
    o.fps = FPS;
    peerc_track_new(&o, &t);
    return t;
}

static int started(void *arg)
{
    (void)arg;
    return rx_a.numbered > 0 && rx_b.numbered > 0;
}

static void check(const char *who, rx *r, peerc_transceiver *t)
{
    peerc_rtp_stats st;
    int span;
    peerc_rtp_stats_init(&st);
    peerc_transceiver_get_stats(t, &st);
    pthread_mutex_lock(&h_lock);
    span = (int)(r->last_number - r->first_number) + 1;
    diag("%s: %d of %d frames decoded (%.1f%%), %llu packets lost, %llu NACKs sent, "
         "%llu retransmissions received, %llu PLIs sent, %llu keyframes decoded",
         who, r->numbered, span, 100.0 * r->numbered / span, (unsigned long long)st.packets_lost,
         (unsigned long long)st.nack_sent, (unsigned long long)st.retransmitted_packets_received,
         (unsigned long long)st.pli_sent, (unsigned long long)st.key_frames_decoded);
    ok(span >= SECONDS * FPS / 2, "%s: the stream ran (%d frames)", who, span);
    ok(r->numbered * 100 >= span * 85, "%s: >= 85%% of the frames decoded despite 5%% loss", who);
    ok(r->backwards == 0, "%s: frame numbers only increase", who);
    pthread_mutex_unlock(&h_lock);
    ok(st.packets_lost > 0 || st.retransmitted_packets_received > 0, "%s: loss happened", who);
    ok(st.nack_sent > 0, "%s: NACKs were sent", who);
    ok(st.retransmitted_packets_received > 0, "%s: retransmissions arrived", who);
}

int main(void)
{
    peerc_ctx *ctx = NULL;
    h_side a, b;
    peerc_track *va = pattern(), *vb = pattern();
    peerc_transceiver *ta = NULL, *tb = NULL;

    ok(va && vb, "test pattern tracks");
    ok(peerc_ctx_new(&ctx) == PEERC_OK, "ctx");
    ok(h_side_init(&a, ctx, "A") == PEERC_OK && h_side_init(&b, ctx, "B") == PEERC_OK, "two pcs");
    h_pair(&a, &b);
    a.on_track = b.on_track = on_track;
    a.user = &rx_a;
    b.user = &rx_b;
    b.auto_negotiate = 0;
    peerc__pc_set_receive_loss(a.pc, 0.05, 12345);
    peerc__pc_set_receive_loss(b.pc, 0.05, 67890);
    ok(peerc_pc_add_track(b.pc, vb, NULL, 0, &tb) == PEERC_OK, "B adds video");
    ok(peerc_pc_add_track(a.pc, va, NULL, 0, &ta) == PEERC_OK, "A adds video");
    ok(h_wait(started, NULL, 15000), "both sides decode");
    sleep(SECONDS);
    check("A", &rx_a, ta);
    check("B", &rx_b, tb);
    h_side_free(&a);
    h_side_free(&b);
    peerc_track_free(va);
    peerc_track_free(vb);
    peerc_ctx_free(ctx);
    return done_testing();
}

/* Video jitter buffer: in-order release, waiting through reordering,
 * NACK-driven recovery (with the request packed into a real RTCP NACK and
 * parsed back), timeout -> skip to the next key frame with a key frame
 * request, window overflow, NACK disabled. */
#include "rtp/jitter.h"
#include "rtp/rtcp.h"
#include "rtp/seq.h"

#include <peerc/common.h>

#include "../tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NF 20
#define MAXP 200

typedef struct spkt {
    peerc_rtp_asm_packet p;
    uint8_t data[8];
    int frame;
} spkt;

static spkt sp[MAXP];
static int np;
static int first_of[NF + 1];

/* Frame f has 1 + f % 4 packets; key frames at 0 and 10. */
static void build(int64_t seq0)
{
    np = 0;
    int64_t seq = seq0;
    for (int f = 0; f < NF; f++) {
        first_of[f] = np;
        int k = 1 + f % 4;
        for (int i = 0; i < k; i++) {
            spkt *s = &sp[np++];
            memset(s, 0, sizeof *s);
            s->frame = f;
            s->data[0] = (uint8_t)f;
            s->data[1] = (uint8_t)i;
            s->p.seq = seq++;
            s->p.timestamp = 3000u * (uint32_t)f;
            s->p.frame_start = i == 0;
            s->p.frame_end = i == k - 1;
            s->p.keyframe = (f == 0 || f == 10) && i == 0;
            s->p.data = s->data;
            s->p.len = 2;
        }
    }
    first_of[NF] = np;
}

static int check_frame(const peerc_rtp_frame *fr, int f)
{
    int k = 1 + f % 4;
    if (fr->len != (size_t)(2 * k) || fr->timestamp != 3000u * (uint32_t)f)
        return 0;
    for (int i = 0; i < k; i++)
        if (fr->data[2 * i] != f || fr->data[2 * i + 1] != i)
            return 0;
    return fr->keyframe == (f == 0 || f == 10);
}

/* Pop everything ready; record frame indices into got[]. */
static int drain(peerc_rtp_jitter *jb, int64_t now, int *got, int *ngot, int *bad)
{
    peerc_rtp_frame fr;
    int n = 0;
    while (peerc__rtp_jitter_pop(jb, now, &fr) == 1) {
        int f = (int)(fr.timestamp / 3000u);
        if (!check_frame(&fr, f))
            (*bad)++;
        got[(*ngot)++] = f;
        n++;
        peerc__rtp_frame_clear(&fr);
    }
    return n;
}

static int in_order(const int *got, int n, int from)
{
    for (int i = 0; i < n; i++)
        if (got[i] != from + i)
            return 0;
    return 1;
}

static void test_in_order(void)
{
    peerc_rtp_jitter jb;
    build(65500);
    is_int(peerc__rtp_jitter_init(&jb, NULL), PEERC_OK, "init with defaults");
    int got[NF], ngot = 0, bad = 0;
    int64_t out[64];
    size_t nacks = 0;
    for (int i = 0; i < np; i++) {
        int64_t now = sp[i].frame * 33;
        peerc__rtp_jitter_insert(&jb, &sp[i].p, now);
        nacks += peerc__rtp_jitter_nacks(&jb, now, 50, out, 64);
        drain(&jb, now, got, &ngot, &bad);
    }
    ok(ngot == NF && in_order(got, ngot, 0) && bad == 0,
       "in order: %d frames out, in order, intact", ngot);
    is_int(nacks, 0, "  no NACKs");
    ok(!peerc__rtp_jitter_take_keyframe_request(&jb), "  no key frame request");
    is_int(peerc__rtp_jitter_next_timeout(&jb, 1000), -1, "  nothing waiting");
    peerc__rtp_jitter_free(&jb);
}

static void test_reorder_and_nack(void)
{
    peerc_rtp_jitter jb;
    build(1000);
    peerc__rtp_jitter_init(&jb, NULL);
    int got[NF], ngot = 0, bad = 0;
    int64_t out[64];
    /* Frame 3's second packet arrives after all of frame 5. */
    int held = first_of[3] + 1;
    int64_t now = 0;
    for (int i = 0; i < first_of[6]; i++, now += 5) {
        if (i == held)
            continue;
        peerc__rtp_jitter_insert(&jb, &sp[i].p, now);
        drain(&jb, now, got, &ngot, &bad);
    }
    ok(ngot == 3 && in_order(got, 3, 0),
       "frames 0-2 out; 3 waits for its packet, 4 and 5 behind it");
    size_t n = peerc__rtp_jitter_nacks(&jb, now, 50, out, 64);
    ok(n == 1 && out[0] == sp[held].p.seq, "NACK asks for exactly the missing seq (%lld)",
       (long long)sp[held].p.seq);

    /* Pack it into an RTCP NACK and read it back, as the peer would. */
    peerc_rtp_rtcp_nack_item items[4];
    size_t used;
    size_t ni = peerc__rtp_nack_pack(out, n, items, 4, &used);
    uint8_t buf[64];
    size_t len;
    peerc__rtp_rtcp_write_nack(1, 2, items, ni, buf, sizeof buf, &len);
    peerc_rtp_rtcp_iter it;
    peerc_rtp_rtcp_header h;
    peerc_rtp_rtcp_fb fb;
    uint16_t seqs[17];
    peerc__rtp_rtcp_iter_init(&it, buf, len);
    peerc__rtp_rtcp_iter_next(&it, &h);
    peerc__rtp_rtcp_parse_fb(&h, &fb);
    ok(peerc__rtp_rtcp_nack_seqs(&fb, seqs, 17) == 1 && seqs[0] == (uint16_t)sp[held].p.seq,
       "  through an RTCP NACK and back");
    ok(peerc__rtp_jitter_next_timeout(&jb, now) > 0, "  a timeout is pending");

    peerc__rtp_jitter_insert(&jb, &sp[held].p, now + 20);
    drain(&jb, now + 20, got, &ngot, &bad);
    ok(ngot == 6 && in_order(got, 6, 0) && bad == 0,
       "retransmission arrives: frames 3, 4, 5 follow in order");
    for (int i = first_of[6]; i < np; i++)
        peerc__rtp_jitter_insert(&jb, &sp[i].p, now + 30);
    drain(&jb, now + 30, got, &ngot, &bad);
    ok(ngot == NF && in_order(got, NF, 0), "the rest follows");
    ok(!peerc__rtp_jitter_take_keyframe_request(&jb) && jb.as.frames_dropped == 0,
       "  nothing dropped, no PLI");
    n = peerc__rtp_jitter_nacks(&jb, now + 200, 50, out, 64);
    is_int(n, 0, "  no NACK left");
    peerc__rtp_jitter_free(&jb);
}

static int drop_reports;
static void count_drop(void *user, const peerc_rtp_drop *d)
{
    (void)d;
    (*(int *)user)++;
}

static void test_timeout(void)
{
    peerc_rtp_jitter jb;
    peerc_rtp_jitter_config cfg;
    peerc__rtp_jitter_config_default(&cfg);
    cfg.max_wait_ms = 200;
    cfg.assembler.on_drop = count_drop;
    cfg.assembler.user = &drop_reports;
    build(65530);
    peerc__rtp_jitter_init(&jb, &cfg);
    int got[NF], ngot = 0, bad = 0;
    int64_t out[64];
    /* Frame 4's first packet is lost for good; packets keep coming. */
    int lost = first_of[4];
    int64_t now = 0;
    size_t requests = 0;
    for (int i = 0; i < np; i++, now += 15) {
        if (i == lost)
            continue;
        peerc__rtp_jitter_insert(&jb, &sp[i].p, now);
        requests += peerc__rtp_jitter_nacks(&jb, now, 40, out, 64);
        drain(&jb, now, got, &ngot, &bad);
    }
    diag("%d packets over %lld ms, %zu NACK requests, %d frames out", np, (long long)now, requests,
         ngot);
    ok(requests >= 2, "the lost packet was requested repeatedly");
    ok(ngot > 4 && in_order(got, 4, 0), "frames 0-3 out");
    ok(got[4] == 10 && in_order(got + 4, ngot - 4, 10) && ngot == 4 + (NF - 10),
       "after the timeout: straight to key frame 10, then in order");
    is_int(bad, 0, "  all intact");
    ok(jb.timeouts == 1, "  one timeout");
    ok(peerc__rtp_jitter_take_keyframe_request(&jb), "  key frame requested");
    ok(!peerc__rtp_jitter_take_keyframe_request(&jb), "  once");
    is_int(jb.as.frames_dropped, 6, "  frames 4-9 dropped");
    ok(drop_reports >= 1, "  user's drop callback called (%d)", drop_reports);
    is_int(peerc__rtp_jitter_nacks(&jb, now + 1000, 40, out, 64), 0,
           "  no NACKs for dropped packets");
    peerc__rtp_jitter_free(&jb);

    /* No key frame arrives: everything is dropped after the timeout and
     * the next key frame is awaited. */
    build(0);
    peerc__rtp_jitter_init(&jb, &cfg);
    ngot = 0;
    for (int i = 0; i < first_of[10]; i++)
        if (i != first_of[2])
            peerc__rtp_jitter_insert(&jb, &sp[i].p, 0);
    drain(&jb, 0, got, &ngot, &bad);
    is_int(ngot, 2, "frames 0-1 out, 2 blocked");
    is_int(peerc__rtp_jitter_next_timeout(&jb, 50), 150, "timeout due in 150 ms");
    drain(&jb, 199, got, &ngot, &bad);
    is_int(ngot, 2, "  still waiting at 199 ms");
    drain(&jb, 200, got, &ngot, &bad);
    ok(ngot == 2 && jb.as.count == 0 && jb.as.need_keyframe,
       "  at 200 ms: all dropped, key frame needed");
    for (int i = first_of[10] - 3; i < np; i++) /* late bits of frame 9 come too */
        peerc__rtp_jitter_insert(&jb, &sp[i].p, 300);
    drain(&jb, 300, got, &ngot, &bad);
    ok(ngot == 2 + 10 && in_order(got + 2, 10, 10), "resumes at key frame 10");
    peerc__rtp_jitter_free(&jb);
}

static void test_overflow_and_disabled(void)
{
    peerc_rtp_jitter jb;
    peerc_rtp_jitter_config cfg;
    peerc__rtp_jitter_config_default(&cfg);
    cfg.assembler.window = 64;
    cfg.nack_enabled = 0;
    build(0);
    peerc__rtp_jitter_init(&jb, &cfg);
    int got[NF], ngot = 0, bad = 0;
    int64_t out[64];
    peerc__rtp_jitter_insert(&jb, &sp[first_of[1]].p, 0); /* frame 0 missing: frame 1 blocked */
    /* Then key frame 10 arrives 1000 packets later. */
    for (int i = first_of[10]; i < np; i++) {
        peerc_rtp_asm_packet p = sp[i].p;
        p.seq += 1000;
        peerc__rtp_jitter_insert(&jb, &p, 10);
    }
    drain(&jb, 10, got, &ngot, &bad);
    ok(ngot == 10 && in_order(got, 10, 10) && bad == 0,
       "window overflow: old packets dropped, key frame 10 on");
    ok(peerc__rtp_jitter_take_keyframe_request(&jb), "  key frame requested");
    is_int(peerc__rtp_jitter_nacks(&jb, 100, 10, out, 64), 0, "NACK disabled: no requests");
    peerc_rtp_asm_packet far = sp[0].p;
    far.seq = INT64_MAX;
    is_int(peerc__rtp_jitter_insert(&jb, &far, 100), PEERC_E_INVALID_ARGUMENT,
           "absurd extended seq refused");
    far.seq = INT64_MIN + 1;
    is_int(peerc__rtp_jitter_insert(&jb, &far, 100), PEERC_E_INVALID_ARGUMENT, "  also negative");
    peerc__rtp_jitter_free(&jb);
}

int main(void)
{
    test_in_order();
    test_reorder_and_nack();
    test_timeout();
    test_overflow_and_disabled();
    return done_testing();
}

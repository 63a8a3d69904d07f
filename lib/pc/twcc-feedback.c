/*
 * Transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-
 * extensions-01) on the pc's one transport: every RTP packet we send
 * carries a transport-wide sequence number, and for what we receive we
 * report, every TWCC_INTERVAL_MS, which numbers arrived and when.  That
 * feedback is what browsers' send-side bandwidth estimation runs on.
 * Incoming feedback is parsed and counted; our own senders adapt from
 * REMB and receiver reports (media/sender.h), not from it yet.
 * Worker thread only.
 */
#include "pc/pc_internal.h"
#include "pc/media_internal.h"

#include <string.h>

#include "core/log.h"
#include "rtp/packet.h"
#include "rtp/rtcp.h"
#include "rtp/twcc.h"

#define TWCC_INTERVAL_MS 50
/* Packets reported per message: a 50 ms window at several Mb/s fits. */
#define TWCC_MAX_PACKETS 512

void peerc__pc_twcc_stamp(peerc_pc *pc, uint8_t *pkt, size_t len, uint8_t id)
{
    uint16_t seq = pc->twcc.next_send_seq++;
    uint8_t b[2] = {(uint8_t)(seq >> 8), (uint8_t)seq};
    peerc__rtp_ext_update(pkt, len, id, b, sizeof b);
}

void peerc__pc_twcc_received(peerc_pc *pc, const peerc_rtp_packet *p, uint8_t id, int64_t now_us)
{
    const peerc_rtp_ext *x = id ? peerc__rtp_ext_get(p, id) : NULL;
    twcc_arrival *a;
    if (!x || x->len != 2)
        return;
    if (!pc->twcc.started) {
        peerc__rtp_unwrapper_init(&pc->twcc.unwrap);
        pc->twcc.started = TRUE;
    }
    if (pc->twcc.n == TWCC_MAX_PACKETS)
        return; /* the next report comes within TWCC_INTERVAL_MS */
    a = &pc->twcc.pending[pc->twcc.n++];
    a->seq = peerc__rtp_unwrap(&pc->twcc.unwrap, (uint16_t)((x->data[0] << 8) | x->data[1]));
    a->arrival_us = now_us;
    if (!pc->twcc.media_ssrc)
        pc->twcc.media_ssrc = p->ssrc;
}

static int by_seq(const void *a, const void *b)
{
    int64_t x = ((const twcc_arrival *)a)->seq, y = ((const twcc_arrival *)b)->seq;
    return x < y ? -1 : x > y;
}

/*
 * One feedback message for the pending arrivals (sorted): base sequence,
 * reference time in 64 ms units (§3.1), then one status per number from
 * base to the highest, deltas in 250 µs ticks from the previous received
 * packet.  Duplicates keep the first arrival.
 */
static size_t fill_packets(const twcc_arrival *in, size_t n, peerc_rtp_twcc_packet *out,
                           int64_t *ref_us)
{
    int64_t base = in[0].seq, prev_us;
    size_t count = (size_t)(in[n - 1].seq - base + 1);
    if (count > TWCC_MAX_PACKETS)
        count = TWCC_MAX_PACKETS;
    memset(out, 0, count * sizeof *out);
    *ref_us = in[0].arrival_us - in[0].arrival_us % 64000;
    prev_us = *ref_us;
    for (size_t i = 0; i < count; i++)
        out[i].seq = (uint16_t)(base + (int64_t)i);
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)(in[i].seq - base);
        if (k >= count || out[k].status != PEERC_RTP_TWCC_NOT_RECEIVED)
            continue;
        out[k].status = PEERC_RTP_TWCC_SMALL_DELTA; /* the writer picks the symbol */
        out[k].delta = (int32_t)((in[i].arrival_us - prev_us) / PEERC_RTP_TWCC_TICK_US);
        prev_us += (int64_t)out[k].delta * PEERC_RTP_TWCC_TICK_US;
    }
    return count;
}

static void send_feedback(peerc_pc *pc)
{
    peerc_rtp_twcc_packet pkts[TWCC_MAX_PACKETS];
    peerc_rtp_twcc_feedback fb = {0};
    uint32_t buf[(TWCC_MAX_PACKETS * 2 + 64) / 4];
    size_t len = 0;
    int64_t ref_us;
    qsort(pc->twcc.pending, pc->twcc.n, sizeof *pc->twcc.pending, by_seq);
    fb.status_count = (uint16_t)fill_packets(pc->twcc.pending, pc->twcc.n, pkts, &ref_us);
    fb.sender_ssrc = pc->rtcp_ssrc;
    fb.media_ssrc = pc->twcc.media_ssrc;
    fb.base_seq = pkts[0].seq;
    fb.reference_time = (int32_t)((ref_us / 64000) & 0x7fffff);
    fb.fb_count = pc->twcc.fb_count++;
    if (peerc__rtp_twcc_write(&fb, pkts, (uint8_t *)buf, sizeof buf, &len) == PEERC_OK) {
        peerc__pc_media_send_rtcp(pc, (const uint8_t *)buf, len);
        pc->twcc.feedback_sent++;
    } else {
        /* a gap longer than a 16-bit delta: skip this window */
        PEERC_DEBUG("media", "%p TWCC window not reportable", (void *)pc);
    }
    pc->twcc.n = 0;
}

void peerc__pc_twcc_tick(peerc_pc *pc, int64_t now_ms)
{
    if (pc->twcc.n == 0 || now_ms - pc->twcc.last_feedback_ms < TWCC_INTERVAL_MS)
        return;
    pc->twcc.last_feedback_ms = now_ms;
    send_feedback(pc);
}

void peerc__pc_twcc_on_feedback(peerc_pc *pc, const peerc_rtp_rtcp_fb *fb)
{
    peerc_rtp_twcc_feedback f;
    peerc_rtp_twcc_packet pkts[TWCC_MAX_PACKETS];
    int n = peerc__rtp_twcc_parse(fb, &f, pkts, TWCC_MAX_PACKETS);
    if (n < 0)
        return;
    pc->twcc.feedback_received++;
    for (int i = 0; i < n; i++)
        pc->twcc.packets_acked += pkts[i].status != PEERC_RTP_TWCC_NOT_RECEIVED;
}

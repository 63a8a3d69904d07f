/* Sequence number arithmetic and unwrapping (RFC 3550 A.1), NACK packing
 * (RFC 4585 §6.2.1), receive statistics (A.1, A.3, A.8) and the NACK
 * request list. */
#include "rtp/nack.h"
#include "rtp/seq.h"
#include "rtp/source.h"

#include <peerc/common.h>

#include "../tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void test_arith(void)
{
    is_int(peerc__rtp_seq_diff(5, 3), 2, "diff 5 - 3");
    is_int(peerc__rtp_seq_diff(2, 65534), 4, "diff across the wrap");
    is_int(peerc__rtp_seq_diff(65534, 2), -4, "negative diff across the wrap");
    is_int(peerc__rtp_seq_diff(0x8000, 0), -32768, "half way is -32768");
    ok(peerc__rtp_seq_newer(1, 65535), "1 is newer than 65535");
    ok(!peerc__rtp_seq_newer(65535, 1), "65535 is older than 1");
    ok(!peerc__rtp_seq_newer(7, 7), "equal is not newer");
    ok(peerc__rtp_seq_newer(0x8000, 0) && !peerc__rtp_seq_newer(0, 0x8000),
       "half way: a total order on the pair");

    peerc_rtp_unwrapper u;
    peerc__rtp_unwrapper_init(&u);
    is_int(peerc__rtp_unwrap(&u, 65530), 65530, "first value maps to itself");
    is_int(peerc__rtp_unwrap(&u, 65535), 65535, "forward");
    is_int(peerc__rtp_unwrap(&u, 3), 65539, "across the wrap");
    is_int(peerc__rtp_unwrap(&u, 65534), 65534, "reordered packet from before the wrap");
    is_int(peerc__rtp_unwrap(&u, 10), 65546, "forward again");
    int64_t v = 0;
    for (int i = 0; i < 5 * 65536; i += 1000)
        v = peerc__rtp_unwrap(&u, (uint16_t)(10 + i));
    is_int(v, 65546 + 327000, "five wraps in steps of 1000");
    peerc__rtp_unwrapper_init(&u);
    peerc__rtp_unwrap(&u, 2);
    is_int(peerc__rtp_unwrap(&u, 65535), -1, "older than the first value near zero goes negative");

    peerc_rtp_ts_unwrapper t = {0, 0};
    is_int(peerc__rtp_ts_unwrap(&t, 0xffffff00u), 0xffffff00u, "timestamp unwrap: first");
    is_int(peerc__rtp_ts_unwrap(&t, 0x100), 0x100000100ll, "timestamp unwrap: across the wrap");
}

static void test_pack(void)
{
    peerc_rtp_rtcp_nack_item it[8];
    size_t used;
    static const int64_t a[] = {100, 101, 103, 116, 117, 200, 65535, 65536};
    size_t n = peerc__rtp_nack_pack(a, 8, it, 8, &used);
    is_int(n, 4, "8 seqs pack into 4 entries");
    is_int(used, 8, "  all covered");
    ok(it[0].pid == 100 && it[0].blp == 0x8005, "  100 + bits for 101 103 116");
    ok(it[1].pid == 117 && it[1].blp == 0, "  117 alone");
    ok(it[2].pid == 200 && it[3].pid == 65535 && it[3].blp == 1,
       "  65535 + 65536 (wraps to pid 65535 blp 1)");
    n = peerc__rtp_nack_pack(a, 8, it, 2, &used);
    ok(n == 2 && used == 5, "cap 2: two entries covering 5 seqs");
    static const int64_t dup[] = {10, 10, 11, 11, 27, 28};
    n = peerc__rtp_nack_pack(dup, 6, it, 8, &used);
    ok(n == 2 && it[0].pid == 10 && it[0].blp == 1 && it[1].pid == 27 && it[1].blp == 1,
       "duplicates are skipped, 27 starts a new entry (beyond +16)");
    int64_t seqs[1000];
    for (int i = 0; i < 1000; i++)
        seqs[i] = 5000 + i;
    n = peerc__rtp_nack_pack(seqs, 1000, it, 8, &used);
    ok(n == 8 && used == 8 * 17 && it[7].pid == 5000 + 7 * 17 && it[7].blp == 0xffff,
       "a dense run fills 17 per entry");
    is_int(peerc__rtp_nack_pack(seqs, 0, it, 8, &used), 0, "nothing to pack");
}

static void test_source(void)
{
    peerc_rtp_source s;
    peerc_rtp_rtcp_report r;
    peerc__rtp_source_init(&s, 65000, 0);
    int valid = 1;
    /* 1000 packets from 65000 across the wrap, every 10th lost. */
    for (int i = 0; i < 1000; i++)
        if (i % 10 != 5)
            valid &= peerc__rtp_source_update(&s, (uint16_t)(65000 + i));
    ok(valid, "all in-order packets accepted");
    is_int(peerc__rtp_source_ext_max(&s), 65000 + 999, "extended highest seq across the wrap");
    peerc__rtp_source_report(&s, &r);
    is_int(r.cumulative_lost, 100, "100 lost");
    is_int(r.fraction_lost, 25, "fraction 100/1000 * 256 = 25");
    is_int(r.ext_highest_seq, 65999, "report carries ext highest ((1 << 16) + 463)");
    /* Next interval: nothing lost; a duplicate makes loss negative-ish. */
    for (int i = 1000; i < 1100; i++)
        peerc__rtp_source_update(&s, (uint16_t)(65000 + i));
    peerc__rtp_source_update(&s, (uint16_t)(65000 + 1099));
    peerc__rtp_source_report(&s, &r);
    is_int(r.fraction_lost, 0, "interval without loss: fraction 0");
    is_int(r.cumulative_lost, 99, "a duplicate counts as received (A.3)");
    /* Everything lost in an interval. */
    peerc__rtp_source_update(&s, (uint16_t)(65000 + 1200));
    peerc__rtp_source_report(&s, &r);
    is_int(r.fraction_lost, 100 * 256 / 101, "100 of 101 lost");

    /* A.1 large jump: dropped once, accepted when the next follows it. */
    uint32_t before = s.received;
    is_int(peerc__rtp_source_update(&s, 30000), 0, "jump of ~29k dropped");
    is_int(peerc__rtp_source_update(&s, 30001), 1, "the next in sequence resynchronises");
    is_int(peerc__rtp_source_ext_max(&s), 30001, "  restarted at the new sequence");
    ok(s.received == 1 && before > 1000, "  counters restarted");
    is_int(peerc__rtp_source_update(&s, 29990), 1, "small misorder accepted");
    is_int(peerc__rtp_source_ext_max(&s), 30001, "  max unchanged");

    /* Probation (A.1 MIN_SEQUENTIAL). */
    peerc__rtp_source_init(&s, 10, PEERC_RTP_MIN_SEQUENTIAL);
    is_int(peerc__rtp_source_update(&s, 10), 0, "probation: first packet not yet valid");
    is_int(peerc__rtp_source_update(&s, 11), 1, "probation: second in sequence validates");
    peerc__rtp_source_init(&s, 65535, PEERC_RTP_MIN_SEQUENTIAL);
    peerc__rtp_source_update(&s, 65535);
    is_int(peerc__rtp_source_update(&s, 0), 1, "probation across the wrap (65535 -> 0)");

    /* A.8 jitter: constant transit gives 0, alternating +-10 converges to 10. */
    peerc__rtp_source_init(&s, 0, 0);
    for (int i = 0; i < 100; i++)
        peerc__rtp_source_jitter(&s, (uint32_t)(i * 3000), (uint32_t)(i * 3000 + 777));
    peerc__rtp_source_report(&s, &r);
    is_int(r.jitter, 0, "constant transit: jitter 0");
    for (int i = 0; i < 400; i++)
        peerc__rtp_source_jitter(&s, (uint32_t)(i * 3000), (uint32_t)(i * 3000 + (i % 2 ? 10 : 0)));
    peerc__rtp_source_report(&s, &r);
    ok(r.jitter >= 9 && r.jitter <= 10, "alternating 10-tick transit: jitter ~10 (%u)", r.jitter);
    peerc__rtp_source_jitter(&s, 0, 0x80000000u);
    peerc__rtp_source_jitter(&s, 0, 0);
    peerc__rtp_source_report(&s, &r);
    ok(r.jitter < (1u << 26), "hostile timestamp jumps stay bounded");
}

static void test_nack_list(void)
{
    peerc_rtp_nack_list l;
    peerc_rtp_nack_config cfg;
    peerc__rtp_nack_config_default(&cfg);
    cfg.reorder_delay_ms = 10;
    cfg.max_retries = 3;
    is_int(peerc__rtp_nack_init(&l, &cfg), PEERC_OK, "init");
    int64_t out[64];
    peerc__rtp_nack_on_packet(&l, 1000, 0);
    peerc__rtp_nack_on_packet(&l, 1001, 0);
    peerc__rtp_nack_on_packet(&l, 1005, 0);
    is_int(peerc__rtp_nack_missing(&l), 3, "gap of 3 recorded");
    is_int(peerc__rtp_nack_collect(&l, 5, 50, out, 64), 0, "not before the reorder delay");
    peerc__rtp_nack_on_packet(&l, 1003, 6); /* reordered, not lost */
    size_t n = peerc__rtp_nack_collect(&l, 10, 50, out, 64);
    ok(n == 2 && out[0] == 1002 && out[1] == 1004, "after the delay: 1002 and 1004");
    is_int(peerc__rtp_nack_collect(&l, 40, 50, out, 64), 0, "not again within an RTT");
    n = peerc__rtp_nack_collect(&l, 60, 50, out, 64);
    is_int(n, 2, "again after an RTT");
    peerc__rtp_nack_on_packet(&l, 1002, 70);
    n = peerc__rtp_nack_collect(&l, 110, 50, out, 64);
    ok(n == 1 && out[0] == 1004, "retransmission arrived: only 1004 left");
    is_int(l.requested, 5, "5 requests so far");
    ok(!l.keyframe_needed, "no key frame needed yet");
    n = peerc__rtp_nack_collect(&l, 200, 50, out, 64);
    is_int(n, 0, "max_retries reached: given up");
    ok(l.keyframe_needed && l.given_up == 1, "  counted and key frame needed");
    is_int(peerc__rtp_nack_missing(&l), 0, "  list empty");

    /* Age limit, cap, huge gap, drop_before. */
    l.keyframe_needed = 0;
    peerc__rtp_nack_on_packet(&l, 1010, 1000);
    n = peerc__rtp_nack_collect(&l, 1000 + cfg.max_age_ms + 1, 50, out, 64);
    ok(n == 0 && l.keyframe_needed, "too old: given up");
    peerc__rtp_nack_on_packet(&l, 1100, 3000);
    is_int(peerc__rtp_nack_missing(&l), 89, "89 missing");
    n = peerc__rtp_nack_collect(&l, 3010, 50, out, 10);
    ok(n == 10 && out[0] == 1011 && out[9] == 1020, "collect respects cap, oldest first");
    peerc__rtp_nack_drop_before(&l, 1050);
    is_int(peerc__rtp_nack_missing(&l), 50, "drop_before forgets older ones");
    l.keyframe_needed = 0;
    peerc__rtp_nack_on_packet(&l, 1100 + 5000, 3020);
    ok(peerc__rtp_nack_missing(&l) == 0 && l.keyframe_needed,
       "gap beyond max_entries: all given up");
    peerc__rtp_nack_on_packet(&l, 6100 + 900, 3030);
    peerc__rtp_nack_on_packet(&l, 6100 + 1100, 3040);
    is_int(peerc__rtp_nack_missing(&l), cfg.max_entries, "list capped at max_entries");
    n = peerc__rtp_nack_collect(&l, 3050, 50, out, 1);
    /* 6101..6999 and 7001..7199 were missing: 1098, so the oldest 98 went. */
    ok(n == 1 && out[0] == 6199, "  oldest were dropped (%lld first)", (long long)out[0]);
    peerc__rtp_nack_free(&l);

    cfg.max_entries = 0;
    is_int(peerc__rtp_nack_init(&l, &cfg), PEERC_E_INVALID_ARGUMENT, "max_entries 0 refused");
    peerc__rtp_nack_free(&l);
}

int main(void)
{
    test_arith();
    test_pack();
    test_source();
    test_nack_list();
    return done_testing();
}

/* RFC 3550 A.1 (sequence validation), A.3 (loss) and A.8 (jitter), with
 * the wrap comparisons done in 16 bits where the RFC's C promotes to int. */
#include "rtp/source.h"

#include <stdint.h>
#include <string.h>

#define SEQ_MOD (1u << 16)

static void init_seq(peerc_rtp_source *s, uint16_t seq)
{
    s->base_seq = seq;
    s->max_seq = seq;
    s->bad_seq = SEQ_MOD + 1; /* so seq == bad_seq is false */
    s->cycles = 0;
    s->received = 0;
    s->received_prior = 0;
    s->expected_prior = 0;
}

void peerc__rtp_source_init(peerc_rtp_source *s, uint16_t seq, unsigned probation)
{
    memset(s, 0, sizeof *s);
    init_seq(s, seq);
    if (probation) {
        s->max_seq = (uint16_t)(seq - 1);
        s->probation = probation;
    }
}

int peerc__rtp_source_update(peerc_rtp_source *s, uint16_t seq)
{
    uint16_t udelta = (uint16_t)(seq - s->max_seq);
    if (s->probation) {
        /* Packets must be in sequence during probation. */
        if (seq == (uint16_t)(s->max_seq + 1)) {
            s->probation--;
            s->max_seq = seq;
            if (s->probation == 0) {
                init_seq(s, seq);
                s->received++;
                return 1;
            }
        } else {
            s->probation = PEERC_RTP_MIN_SEQUENTIAL - 1;
            s->max_seq = seq;
        }
        return 0;
    } else if (udelta < PEERC_RTP_MAX_DROPOUT) {
        /* In order, with permissible gap. */
        if (seq < s->max_seq)
            s->cycles += SEQ_MOD;
        s->max_seq = seq;
    } else if (udelta <= SEQ_MOD - PEERC_RTP_MAX_MISORDER) {
        /* A very large jump: restart if two packets in a row agree. */
        if (seq == s->bad_seq) {
            init_seq(s, seq);
        } else {
            s->bad_seq = (seq + 1) & (SEQ_MOD - 1);
            return 0;
        }
    }
    /* else: duplicate or reordered packet */
    s->received++;
    return 1;
}

uint32_t peerc__rtp_source_ext_max(const peerc_rtp_source *s)
{
    return s->cycles + s->max_seq;
}

void peerc__rtp_source_jitter(peerc_rtp_source *s, uint32_t rtp_timestamp, uint32_t arrival)
{
    uint32_t transit = arrival - rtp_timestamp;
    if (!s->have_transit) {
        s->have_transit = 1;
        s->transit = transit;
        return;
    }
    int32_t d = (int32_t)(transit - s->transit);
    s->transit = transit;
    if (d < 0)
        d = d == INT32_MIN ? INT32_MAX : -d;
    /* A hostile timestamp jump must not overflow the scaled estimate. */
    if (d > (1 << 26))
        d = 1 << 26;
    /* A.8 integer form: J += (|D| - J) / 16 with J kept scaled by 16. */
    s->jitter += (uint32_t)d - ((s->jitter + 8) >> 4);
}

void peerc__rtp_source_report(peerc_rtp_source *s, peerc_rtp_rtcp_report *r)
{
    uint32_t ext_max = peerc__rtp_source_ext_max(s);
    uint32_t expected = ext_max - s->base_seq + 1;
    int64_t lost = (int64_t)expected - s->received;
    if (lost > 0x7fffff)
        lost = 0x7fffff;
    if (lost < -0x800000)
        lost = -0x800000;
    uint32_t expected_interval = expected - s->expected_prior;
    s->expected_prior = expected;
    uint32_t received_interval = s->received - s->received_prior;
    s->received_prior = s->received;
    int64_t lost_interval = (int64_t)expected_interval - received_interval;
    int64_t fraction = (expected_interval == 0 || lost_interval <= 0)
                           ? 0
                           : (lost_interval << 8) / expected_interval;
    /* Everything lost gives 256, which the 8-bit field cannot hold. */
    r->fraction_lost = (uint8_t)(fraction > 255 ? 255 : fraction);
    r->cumulative_lost = (int32_t)lost;
    r->ext_highest_seq = ext_max;
    r->jitter = s->jitter >> 4;
}

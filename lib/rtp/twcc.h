/*
 * Transport-wide congestion control feedback, RTPFB FMT 15
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): which
 * transport-wide sequence numbers arrived, and when, relative to a
 * reference time.  The sender matches these with its send times to run a
 * delay-based bandwidth estimator.
 */
#ifndef PEERC_RTP_TWCC_H
#define PEERC_RTP_TWCC_H

#include "rtp/rtcp.h"

#include <stddef.h>
#include <stdint.h>

/* Packet status symbols (§3.1.1). */
#define PEERC_RTP_TWCC_NOT_RECEIVED 0
#define PEERC_RTP_TWCC_SMALL_DELTA 1 /* received, delta 0..255 ticks */
#define PEERC_RTP_TWCC_LARGE_DELTA 2 /* received, delta signed 16-bit ticks */

#define PEERC_RTP_TWCC_TICK_US 250  /* receive delta unit (§3.1.5) */
#define PEERC_RTP_TWCC_REF_US 64000 /* reference time unit (§3.1) */

typedef struct peerc_rtp_twcc_feedback {
    uint32_t sender_ssrc;
    uint32_t media_ssrc;
    uint16_t base_seq;
    uint16_t status_count;
    int32_t reference_time; /* signed 24-bit, units of 64 ms */
    uint8_t fb_count;       /* feedback packet count, wraps */
} peerc_rtp_twcc_feedback;

typedef struct peerc_rtp_twcc_packet {
    uint16_t seq; /* base_seq + index */
    uint8_t status;
    int32_t delta;      /* ticks of 250 µs since the previous received packet
                           (the first: since reference_time) */
    int64_t arrival_us; /* reference_time * 64000 + the deltas so far; only
                           differences between arrivals are meaningful */
} peerc_rtp_twcc_packet;

/* Fill *out and, if cap >= status_count, pkts[0 .. status_count).  Returns
 * status_count, PEERC_E_RANGE (with *out filled) if cap is too small, or
 * PEERC_E_SYNTAX for a message that is not TWCC feedback, is truncated, or
 * uses the reserved symbol.  Bytes after the last delta are ignored. */
int peerc__rtp_twcc_parse(const peerc_rtp_rtcp_fb *fb, peerc_rtp_twcc_feedback *out,
                          peerc_rtp_twcc_packet *pkts, size_t cap);

/* Build one feedback message for fb->status_count packets; pkts[i] is
 * base_seq + i and only .status (NOT_RECEIVED or any received value) and
 * .delta are read — the symbol is chosen from the delta.  PEERC_E_RANGE if
 * a delta does not fit 16 bits (start a new message there) or cap is too
 * small.  The FCI is zero-padded to 32 bits, so the result can sit
 * anywhere in a compound packet. */
int peerc__rtp_twcc_write(const peerc_rtp_twcc_feedback *fb, const peerc_rtp_twcc_packet *pkts,
                          uint8_t *buf, size_t cap, size_t *out_len);

#endif

/*
 * Per-SSRC receive statistics for reception reports: sequence validation
 * and extended highest sequence number (RFC 3550 A.1), loss counts
 * (A.3) and interarrival jitter (A.8).
 */
#ifndef PEERC_RTP_SOURCE_H
#define PEERC_RTP_SOURCE_H

#include "rtp/rtcp.h"

#include <stdint.h>

#define PEERC_RTP_MAX_DROPOUT 3000
#define PEERC_RTP_MAX_MISORDER 100
#define PEERC_RTP_MIN_SEQUENTIAL 2

typedef struct peerc_rtp_source {
    uint16_t max_seq;
    uint32_t cycles; /* count of wraps, shifted left 16 */
    uint32_t base_seq;
    uint32_t bad_seq;
    uint32_t probation;
    uint32_t received;
    uint32_t expected_prior;
    uint32_t received_prior;
    /* A.8 */
    uint32_t transit;
    uint32_t jitter; /* scaled by 16 */
    int have_transit;
} peerc_rtp_source;

/* Start a source at its first packet seq.  probation is how many
 * sequential packets are needed before it counts (A.1 uses
 * PEERC_RTP_MIN_SEQUENTIAL); 0 accepts the first packet at once, right for
 * WebRTC where the SSRC is signalled and SRTP authenticates packets.
 * peerc__rtp_source_update must then be called for this first packet too. */
void peerc__rtp_source_init(peerc_rtp_source *s, uint16_t seq, unsigned probation);

/* A.1 update_seq: 1 if the packet is valid and was counted, 0 if it is
 * dropped as part of probation or a large jump (a second packet right after
 * the jump resynchronises the source). */
int peerc__rtp_source_update(peerc_rtp_source *s, uint16_t seq);

/* Extended highest sequence number received (cycles + max_seq). */
uint32_t peerc__rtp_source_ext_max(const peerc_rtp_source *s);

/* A.8: arrival is the arrival time in RTP timestamp units of this stream's
 * clock (e.g. 90 kHz), any origin. */
void peerc__rtp_source_jitter(peerc_rtp_source *s, uint32_t rtp_timestamp, uint32_t arrival);

/* Fill a report block's statistics (A.3): fraction lost since the previous
 * call, cumulative lost (clamped to signed 24 bits), extended highest seq,
 * jitter.  ssrc, lsr and dlsr are left to the caller. */
void peerc__rtp_source_report(peerc_rtp_source *s, peerc_rtp_rtcp_report *r);

#endif

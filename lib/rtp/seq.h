/*
 * 16-bit RTP sequence number arithmetic with wrap-around (RFC 3550 §5.1,
 * A.1), unwrapping to 64-bit extended sequence numbers, and packing of
 * missing sequence numbers into generic NACK entries (RFC 4585 §6.2.1).
 */
#ifndef PEERC_RTP_SEQ_H
#define PEERC_RTP_SEQ_H

#include "rtp/rtcp.h"

#include <stddef.h>
#include <stdint.h>

/* a - b as the shortest signed distance: in [-32768, 32767]. */
static inline int32_t peerc__rtp_seq_diff(uint16_t a, uint16_t b)
{
    return (int16_t)(uint16_t)(a - b);
}

/* 1 if a comes after b (serial number arithmetic, RFC 1982 §3.2).  At a
 * distance of exactly 32768 the larger value counts as newer, so exactly
 * one of newer(a, b) and newer(b, a) holds for a != b. */
static inline int peerc__rtp_seq_newer(uint16_t a, uint16_t b)
{
    uint16_t d = (uint16_t)(a - b);
    if (d == 0x8000)
        return a > b;
    return d != 0 && d < 0x8000;
}

/* Maps 16-bit numbers to a monotonic 64-bit line, each one to the value
 * closest to the previous input (so reordering of up to 32767 either way is
 * preserved).  The first input maps to itself; an older packet arriving
 * right after the start may map below zero. */
typedef struct peerc_rtp_unwrapper {
    int64_t last;
    int valid;
} peerc_rtp_unwrapper;

static inline void peerc__rtp_unwrapper_init(peerc_rtp_unwrapper *u)
{
    u->last = 0;
    u->valid = 0;
}

int64_t peerc__rtp_unwrap(peerc_rtp_unwrapper *u, uint16_t seq);
/* Same for 32-bit RTP timestamps (frames are keyed by them). */
typedef struct peerc_rtp_ts_unwrapper {
    int64_t last;
    int valid;
} peerc_rtp_ts_unwrapper;
int64_t peerc__rtp_ts_unwrap(peerc_rtp_ts_unwrapper *u, uint32_t ts);

/* Pack ascending extended sequence numbers (duplicates skipped) into NACK
 * entries: each entry's pid is the first uncovered number and blp marks the
 * next 16.  Returns the number of entries written (at most cap); *used
 * (optional) gets how many input numbers they cover, so the rest can go
 * into another message.  Input that is not ascending is taken as a new run
 * at that point (still correct, less compact). */
size_t peerc__rtp_nack_pack(const int64_t *seqs, size_t n, peerc_rtp_rtcp_nack_item *items,
                            size_t cap, size_t *used);

#endif

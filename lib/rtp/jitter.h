/*
 * Video jitter buffer: packets held by extended sequence number, complete
 * frames released in order, missing packets requested by generic NACK
 * (RFC 4585 §6.2.1) while the head frame waits, and -- when a frame cannot
 * be completed within max_wait_ms -- a skip to the next key frame together
 * with a key frame request (PLI, RFC 4585 §6.3.1, or FIR, RFC 5104
 * §4.3.1).  Codec independent: the codec layer fills peerc_rtp_asm_packet
 * (peerc__rtp_vp8_to_asm_packet for VP8).  No clock of its own: every call
 * takes the caller's monotonic milliseconds.  Not thread-safe.
 */
#ifndef PEERC_RTP_JITTER_H
#define PEERC_RTP_JITTER_H

#include "rtp/assembler.h"
#include "rtp/nack.h"

#include <stddef.h>
#include <stdint.h>

typedef struct peerc_rtp_jitter_config {
    peerc_rtp_asm_config assembler; /* window, wait_keyframe, on_drop */
    peerc_rtp_nack_config nack;
    int nack_enabled;    /* "a=rtcp-fb:<pt> nack" negotiated */
    int64_t max_wait_ms; /* how long an incomplete head frame may block */
} peerc_rtp_jitter_config;

/* Assembler and NACK defaults, NACK on, max_wait_ms 500. */
void peerc__rtp_jitter_config_default(peerc_rtp_jitter_config *cfg);

typedef struct peerc_rtp_jitter {
    peerc_rtp_jitter_config cfg;
    peerc_rtp_assembler as;
    peerc_rtp_nack_list nack;
    int64_t blocked_head; /* head seen incomplete since blocked_since */
    int64_t blocked_since;
    int blocked;
    int keyframe_request;
    uint64_t timeouts; /* skips to a key frame after max_wait_ms */
} peerc_rtp_jitter;

/* jb must not move afterwards (the assembler calls back into it). */
int peerc__rtp_jitter_init(peerc_rtp_jitter *jb, const peerc_rtp_jitter_config *cfg);
void peerc__rtp_jitter_free(peerc_rtp_jitter *jb);

/* Store a packet (p->seq extended, p->arrival_ms ignored: now_ms is used).
 * 1 stored, 0 duplicate or late, PEERC_E_* on error. */
int peerc__rtp_jitter_insert(peerc_rtp_jitter *jb, const peerc_rtp_asm_packet *p, int64_t now_ms);

/* Next complete frame in order (1, *out filled; free with
 * peerc__rtp_frame_clear), or 0.  Applies the timeout first. */
int peerc__rtp_jitter_pop(peerc_rtp_jitter *jb, int64_t now_ms, peerc_rtp_frame *out);

/* Sequence numbers to NACK now (ascending, at most cap); pack them with
 * peerc__rtp_nack_pack.  0 when NACK is disabled. */
size_t peerc__rtp_jitter_nacks(peerc_rtp_jitter *jb, int64_t now_ms, int64_t rtt_ms, int64_t *out,
                               size_t cap);

/* 1 once per need for a key frame (loss gave up, frames dropped while
 * waiting for one, or the stream started on a delta frame); the owner
 * sends PLI/FIR and rate-limits them. */
int peerc__rtp_jitter_take_keyframe_request(peerc_rtp_jitter *jb);

/* Milliseconds until pop should be called again for the timeout, or -1 if
 * nothing is waiting. */
int64_t peerc__rtp_jitter_next_timeout(const peerc_rtp_jitter *jb, int64_t now_ms);

#endif

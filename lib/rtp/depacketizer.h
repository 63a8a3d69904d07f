/*
 * Frames out of one codec's RTP packets, without a jitter buffer: packets
 * of a frame may come in any order; a frame missing packets is dropped as
 * soon as a later one is complete (reported through cfg->on_drop and the
 * assembler's counters); with wait_keyframe, decoding resumes at the next
 * keyframe.  The codec supplies how one packet becomes an assembler packet
 * (peerc__rtp_vp8_to_asm_packet, ...).  Use the jitter buffer
 * (rtp/jitter.h) to wait for retransmissions instead.
 */
#ifndef PEERC_RTP_DEPACKETIZER_H
#define PEERC_RTP_DEPACKETIZER_H

#include "rtp/assembler.h"
#include "rtp/packet.h"
#include "rtp/seq.h"

#include <stdint.h>

typedef int (*peerc_rtp_to_asm_fn)(const peerc_rtp_packet *rtp, int64_t ext_seq,
                                   int64_t arrival_ms, peerc_rtp_asm_packet *out);

typedef struct peerc_rtp_depacketizer {
    peerc_rtp_assembler as;
    peerc_rtp_unwrapper unwrap;
    uint64_t packets_invalid;
    peerc_rtp_to_asm_fn to_asm;
} peerc_rtp_depacketizer;

int peerc__rtp_depacketizer_init(peerc_rtp_depacketizer *d, const peerc_rtp_asm_config *cfg,
                                 peerc_rtp_to_asm_fn to_asm);
void peerc__rtp_depacketizer_free(peerc_rtp_depacketizer *d);
/* 1 stored, 0 ignored (duplicate/late), PEERC_E_SYNTAX (counted in
 * packets_invalid), PEERC_E_NO_MEMORY. */
int peerc__rtp_depacketizer_push(peerc_rtp_depacketizer *d, const peerc_rtp_packet *rtp,
                                 int64_t arrival_ms);
/* Next assembled frame in order: 1, or 0 if none is ready. */
int peerc__rtp_depacketizer_pop(peerc_rtp_depacketizer *d, peerc_rtp_frame *out);

#endif

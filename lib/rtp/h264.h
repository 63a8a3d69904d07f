/*
 * H.264 over RTP (RFC 6184) for access units that an encoder -- typically
 * a hardware one -- has already produced in the Annex B byte-stream format
 * (ITU-T H.264 Annex B: every NAL unit behind a 00 00 01 or 00 00 00 01
 * start code).  peerc has no H.264 encoder or decoder; this module only
 * moves access units in and out of RTP:
 *
 *  - splitting an Annex B access unit into NAL units (bytes untouched, so
 *    emulation prevention stays as the encoder wrote it);
 *  - a packetizer for packetization-mode 1 (non-interleaved, §6.3: Single
 *    NAL Unit packets, STAP-A aggregation §5.7.1, FU-A fragmentation §5.8)
 *    and mode 0 (§6.2: Single NAL Unit packets only);
 *  - the receiving side on top of the codec-independent frame assembler
 *    (rtp/assembler.h): per-packet conversion, access-unit boundaries and
 *    key frames decided from neighbouring packets (peerc_rtp_h264_framer),
 *    and the conversion of an assembled frame back to Annex B;
 *  - the fmtp parameters of §8.1 and the offer/answer rules of §8.2.2.
 *
 * Output access units always use 4-byte start codes (00 00 00 01), valid
 * before every NAL unit (H.264 B.1.2 requires the zero_byte only before
 * parameter sets and the first NAL unit of an access unit, and allows it
 * everywhere).
 */
#ifndef PEERC_RTP_H264_H
#define PEERC_RTP_H264_H

#include "rtp/assembler.h"
#include "rtp/packet.h"
#include "rtp/seq.h"

#include <stddef.h>
#include <stdint.h>

/* NAL unit types (H.264 Table 7-1) and RTP packet types (RFC 6184 §5.2). */
enum {
    PEERC_H264_NAL_SLICE = 1,
    PEERC_H264_NAL_IDR = 5,
    PEERC_H264_NAL_SEI = 6,
    PEERC_H264_NAL_SPS = 7,
    PEERC_H264_NAL_PPS = 8,
    PEERC_H264_NAL_AUD = 9,
    PEERC_RTP_H264_STAP_A = 24,
    PEERC_RTP_H264_FU_A = 28
};

/* The next NAL unit of an Annex B buffer, scanning from *pos (0 at the
 * start).  1 with *nal and *nal_len set and *pos moved past it, 0 at the end,
 * PEERC_E_SYNTAX for bytes outside any NAL unit that are not zero (data
 * before the first start code, or 00 00 02).  A NAL unit ends where the
 * next 00 00 00 or 00 00 01 begins or, at the end of the buffer, before
 * its trailing zero bytes (H.264 B.2: a NAL unit never ends in 0x00).
 * Empty NAL units (two start codes in a row) are skipped.  Nothing is
 * checked inside a NAL unit. */
int peerc__rtp_h264_annexb_next(const uint8_t *au, size_t len, size_t *pos, const uint8_t **nal,
                                size_t *nal_len);

/* Packetizer.  Mode 1: a NAL unit that fits max_payload is sent whole;
 * consecutive ones that fit together go into one STAP-A; a larger one is
 * split into FU-As of near-equal size.  Mode 0: one NAL unit per packet.
 * The RTP marker is set on the last packet of the access unit (§5.1); all
 * packets take the access unit's RTP timestamp (the caller's). */
typedef struct peerc_rtp_h264_packetizer {
    const uint8_t *au;
    size_t au_len;
    size_t max_payload;
    int mode;
    const uint8_t *nal; /* next NAL unit to send (or being fragmented); NULL when done */
    size_t nal_len;
    size_t pos;       /* Annex B scan position after nal */
    size_t fu_count;  /* fragments of nal, 0 when not fragmenting */
    size_t fu_index;  /* next fragment */
    size_t fu_offset; /* into nal */
} peerc_rtp_h264_packetizer;

/* au must stay valid and unchanged until the last packet is taken.  The
 * whole access unit is checked first, so nothing is sent of a bad one:
 * PEERC_E_SYNTAX for broken Annex B framing or a NAL unit with the
 * forbidden bit set or a type RTP cannot carry (0, 24..31; §5.2),
 * PEERC_E_INVALID_ARGUMENT for no NAL unit at all, mode not 0 or 1, or
 * max_payload < 3 (FU indicator, FU header and one byte), PEERC_E_RANGE in
 * mode 0 for a NAL unit larger than max_payload. */
int peerc__rtp_h264_packetizer_init(peerc_rtp_h264_packetizer *pk, const uint8_t *au, size_t len,
                                    size_t max_payload, int mode);
/* Write the next RTP payload into buf: 1 with *len and *marker set, 0 when
 * all were produced, PEERC_E_RANGE if cap is too small (nothing consumed:
 * retry with a larger buffer). */
int peerc__rtp_h264_packetizer_next(peerc_rtp_h264_packetizer *pk, uint8_t *buf, size_t cap,
                                    size_t *len, int *marker);

/*
 * Receiving.  The assembler concatenates the data of a frame's packets, so
 * each packet is stored as a "piece": the 16-bit RTP sequence number, the
 * 16-bit payload length (both big-endian) and the RTP payload as received.
 * peerc__rtp_h264_frame_to_annexb walks the pieces of an assembled frame,
 * checks that they are consecutive and that every fragmented NAL unit is
 * whole, and writes the Annex B access unit.
 */
#define PEERC_RTP_H264_PIECE_HEADER 4

/* One RTP packet as a piece in buf (cap >= payload_len + 4) and the asm
 * packet around it.  frame_start and keyframe describe this packet alone
 * -- "begins a NAL unit" (Single NAL Unit, STAP-A, FU-A with S) and
 * "begins an IDR slice" -- because one packet cannot tell whether it begins
 * an access unit.  Insert it, then pass it to
 * peerc__rtp_h264_framer_update, which sets the real flags.
 * PEERC_E_SYNTAX for an empty payload, the forbidden bit, a packet type
 * other than 1..23, 24 (STAP-A) and 28 (FU-A) (mode 1 receivers,
 * §6.3), a truncated or empty STAP-A unit, an FU-A without payload
 * header or with both S and E (§5.8), a payload over 65535 bytes;
 * PEERC_E_RANGE if cap is too small. */
int peerc__rtp_h264_to_asm_packet(const peerc_rtp_packet *rtp, int64_t ext_seq, int64_t arrival_ms,
                                  uint8_t *buf, size_t cap, peerc_rtp_asm_packet *out);

/*
 * Access unit boundaries.  RFC 6184 has no "first packet of an access unit"
 * flag: the marker ends an access unit (§5.1) and all its packets share
 * the RTP timestamp.  So a packet begins an access unit iff it begins a NAL
 * unit and the packet with the previous sequence number carried the marker
 * or another timestamp.  The framer remembers, per sequence number, what
 * it saw, and sets frame_start on the stored packets of an assembler as
 * soon as the neighbour is known -- also on a packet stored earlier whose
 * predecessor arrives late (reordering, retransmission).  While the
 * predecessor is unknown a packet does not begin a frame, so a frame whose
 * first packet is lost is not released truncated; the price is that losing
 * the last packet of one access unit also loses the next one unless that
 * packet is retransmitted.  Two exceptions: a packet whose first NAL unit
 * is an access unit delimiter or an SPS begins a frame anyway (an AUD is
 * always first in an access unit, H.264 7.4.1.2.3; before an SPS in
 * practice only an AUD or SEI can be missing, which decoding does without), so a key frame
 * after a loss is not lost with it; and a packet older than every one seen
 * so far (the stream start) begins a frame if it begins a NAL unit.
 *
 * Key frames: the first packet's keyframe flag is set when any packet of
 * the frame begins an IDR slice (type 5) -- an IDR access unit often starts
 * with an AUD, SEI or a STAP-A of SPS and PPS, so the first packet alone
 * cannot tell.  SPS/PPS without an IDR slice do not make a key frame.
 *
 * The flags are rewritten in the assembler's slots (their layout is part
 * of rtp/assembler.h); use the same framer for every packet of a stream
 * and call update after each insert (also when insert returned 0).
 */
typedef struct peerc_rtp_h264_seen {
    int64_t seq; /* INT64_MIN when empty */
    uint32_t timestamp;
    uint8_t marker;
    uint8_t nal_start;
    uint8_t idr;
    uint8_t au_first; /* first NAL unit is an AUD or SPS */
} peerc_rtp_h264_seen;

typedef struct peerc_rtp_h264_framer {
    peerc_rtp_h264_seen *seen;
    size_t mask;
    int64_t lowest; /* lowest sequence number seen */
    int any;
} peerc_rtp_h264_framer;

/* window: at least the assembler's (cfg.window). */
int peerc__rtp_h264_framer_init(peerc_rtp_h264_framer *fr, size_t window);
void peerc__rtp_h264_framer_free(peerc_rtp_h264_framer *fr);
/* p as filled by peerc__rtp_h264_to_asm_packet and just given to
 * peerc__rtp_asm_insert(a, p) or peerc__rtp_jitter_insert (a = &jb->as). */
void peerc__rtp_h264_framer_update(peerc_rtp_h264_framer *fr, peerc_rtp_assembler *a,
                                   const peerc_rtp_asm_packet *p);

/* An assembled frame (pieces) to an Annex B access unit.  out may be NULL
 * to learn the size: *out_len gets the bytes needed (also with RANGE).
 * PEERC_E_SYNTAX if a piece is truncated, sequence numbers are not
 * consecutive (a packet is missing, e.g. a middle FU-A), any payload fails
 * the checks of to_asm_packet, an FU-A does not start with S, is
 * interrupted, changes NAL type or is unfinished at the end, or the frame
 * is empty; PEERC_E_RANGE if cap is too small. */
int peerc__rtp_h264_frame_to_annexb(const uint8_t *frame, size_t len, uint8_t *out, size_t cap,
                                    size_t *out_len);

/* Frames out of H.264 packets with the VP8 depacketizer's policy (give up
 * on the head frame as soon as a later one is complete); frames come out as
 * Annex B.  A complete frame that fails frame_to_annexb is discarded and
 * counted in frames_invalid, and treated as a loss (the next frame is
 * after_gap; with wait_keyframe delta frames wait for a key frame). */
typedef struct peerc_rtp_h264_depacketizer {
    peerc_rtp_assembler as;
    peerc_rtp_h264_framer framer;
    peerc_rtp_unwrapper unwrap;
    uint8_t *scratch;
    size_t scratch_cap;
    uint64_t packets_invalid;
    uint64_t frames_invalid;
} peerc_rtp_h264_depacketizer;

int peerc__rtp_h264_depacketizer_init(peerc_rtp_h264_depacketizer *d,
                                      const peerc_rtp_asm_config *cfg);
void peerc__rtp_h264_depacketizer_free(peerc_rtp_h264_depacketizer *d);
/* 1 stored, 0 ignored (duplicate/late), PEERC_E_SYNTAX (counted in
 * packets_invalid), PEERC_E_NO_MEMORY. */
int peerc__rtp_h264_depacketizer_push(peerc_rtp_h264_depacketizer *d, const peerc_rtp_packet *rtp,
                                      int64_t arrival_ms);
/* Next frame in order as an Annex B access unit: 1, or 0 if none is
 * ready, PEERC_E_NO_MEMORY. */
int peerc__rtp_h264_depacketizer_pop(peerc_rtp_h264_depacketizer *d, peerc_rtp_frame *out);

/*
 * fmtp (RFC 6184 §8.1).  profile-level-id is three bytes: profile_idc,
 * profile-iop (constraint_set0..5 flags in bits 7..2) and level_idc.
 * Absent parameters take their defaults: profile-level-id 42000a
 * (Baseline, level 1 -- §8.1; browsers assume 42e01f instead but always
 * send it), packetization-mode 0, level-asymmetry-allowed 0.
 */
enum {
    PEERC_H264_PROFILE_OTHER = 0, /* compared by profile_idc and profile-iop */
    PEERC_H264_PROFILE_CONSTRAINED_BASELINE,
    PEERC_H264_PROFILE_BASELINE,
    PEERC_H264_PROFILE_MAIN,
    PEERC_H264_PROFILE_EXTENDED,
    PEERC_H264_PROFILE_HIGH,
    PEERC_H264_PROFILE_CONSTRAINED_HIGH
};

typedef struct peerc_rtp_h264_fmtp {
    uint8_t profile_idc;
    uint8_t profile_iop;
    uint8_t level_idc;
    uint8_t has_profile_level_id;
    int profile;            /* PEERC_H264_PROFILE_* */
    int level_1b;           /* level 1b (H.264 A.3.1, Table A-1) */
    int packetization_mode; /* 0, 1 or 2 */
    int level_asymmetry_allowed;
} peerc_rtp_h264_fmtp;

/* Parse "profile-level-id=42e01f;packetization-mode=1;..." (keys without
 * case, blanks around parameters ignored, unknown parameters skipped; NULL
 * or "" gives the defaults).  PEERC_E_SYNTAX for a profile-level-id that
 * is not 6 hex digits, a packetization-mode other than 0..2, or a
 * level-asymmetry-allowed other than 0/1. */
int peerc__rtp_h264_fmtp_parse(const char *fmtp, peerc_rtp_h264_fmtp *out);

/* Can we answer an offered H.264 format with a local one?  1 if both use
 * packetization-mode 0 or both 1 (mode 2 is not supported), and the
 * profiles are the same (Constrained Baseline is one profile whether
 * signalled as 42e0, 42c0, 4de0 or 58f0 -- A.2.1.1 -- the way browsers
 * match), else 0; PEERC_E_SYNTAX if either does not parse.  answer
 * (optional) gets the parameters to answer with (§8.2.2): the offer's
 * profile bytes, the local level if both allow level asymmetry, else the
 * lower of the two, level-asymmetry-allowed if both set it. */
int peerc__rtp_h264_fmtp_match(const char *offer, const char *local, peerc_rtp_h264_fmtp *answer);

/* "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"
 * (the first only when set).  Returns the length or PEERC_E_RANGE. */
int peerc__rtp_h264_fmtp_format(const peerc_rtp_h264_fmtp *f, char *buf, size_t cap);

#endif

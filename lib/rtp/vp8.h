/*
 * VP8 over RTP (RFC 7741): the payload descriptor (§4.2), the key frame
 * test on the VP8 payload header (§4.3, RFC 6386 §9.1), a packetizer that
 * splits one encoded frame into packets, and a depacketizer that rebuilds
 * frames from packets in any order within a frame.
 */
#ifndef PEERC_RTP_VP8_H
#define PEERC_RTP_VP8_H

#include "rtp/assembler.h"
#include "rtp/depacketizer.h"
#include "rtp/packet.h"
#include "rtp/seq.h"

#include <stddef.h>
#include <stdint.h>

#define PEERC_RTP_VP8_DESC_MAX 6 /* X|ILTK|PictureID(2)|TL0PICIDX|TID/KEYIDX */

/* RFC 7741 §4.2.  Optional fields are absent when negative. */
typedef struct peerc_rtp_vp8_desc {
    uint8_t non_reference; /* N */
    uint8_t start;         /* S: first packet of a partition */
    uint8_t partition;     /* PID, 0..7 */
    int32_t picture_id;    /* I: 7 or 15 bits; -1 absent */
    uint8_t picture_id_15; /* write: force the 15-bit form (M=1); read: M was set */
    int16_t tl0picidx;     /* L: -1 absent */
    int8_t tid;            /* T: 0..3, -1 absent */
    uint8_t layer_sync;    /* Y, meaningful with tid */
    int8_t keyidx;         /* K: 0..31, -1 absent */
} peerc_rtp_vp8_desc;

/* A descriptor with every optional field absent. */
void peerc__rtp_vp8_desc_init(peerc_rtp_vp8_desc *d);

/* Bytes the descriptor takes (1..6), or PEERC_E_INVALID_ARGUMENT for an
 * out-of-range field. */
int peerc__rtp_vp8_desc_size(const peerc_rtp_vp8_desc *d);
/* Write it; returns its length or a negative PEERC_E_*. */
int peerc__rtp_vp8_desc_write(const peerc_rtp_vp8_desc *d, uint8_t *buf, size_t cap);
/* Read one; returns its length, PEERC_E_SYNTAX if truncated.  A picture id
 * is 15 bits when M is set, else 7; the Y bit is reported only with T. */
int peerc__rtp_vp8_desc_read(const uint8_t *buf, size_t len, peerc_rtp_vp8_desc *out);

/* The VP8 payload header (RFC 7741 §4.3, RFC 6386 §9.1) at the start of a
 * frame's first partition: 3 bytes, plus 7 on key frames. */
typedef struct peerc_rtp_vp8_payload_header {
    uint8_t keyframe; /* P bit inverted */
    uint8_t version;  /* 0..7 */
    uint8_t show_frame;
    uint32_t first_part_size;
    uint16_t width, height; /* key frames only; 14 bits each */
    uint8_t hscale, vscale; /* key frames only */
} peerc_rtp_vp8_payload_header;

/* PEERC_E_SYNTAX if len < 3, or a key frame without the 7 more bytes or
 * with a wrong start code (0x9d 0x01 0x2a). */
int peerc__rtp_vp8_payload_header_parse(const uint8_t *p, size_t len,
                                        peerc_rtp_vp8_payload_header *out);

/* Splits a frame into near-equal pieces so no packet is much smaller than
 * the rest.  The same descriptor (with S set only on the first packet and
 * PID 0 throughout: partitions are not aligned to packets) goes in front of
 * each piece; the RTP marker is set on the last (RFC 7741 §4.1). */
typedef struct peerc_rtp_vp8_packetizer {
    peerc_rtp_vp8_desc desc;
    const uint8_t *frame;
    size_t frame_len;
    size_t desc_len;
    size_t packets; /* total */
    size_t index;   /* next */
    size_t offset;  /* into frame */
} peerc_rtp_vp8_packetizer;

/* frame must stay valid until the last packet is taken.  max_payload
 * bounds descriptor + data per packet.  PEERC_E_INVALID_ARGUMENT for an
 * empty frame, a bad descriptor, or max_payload not above its size. */
int peerc__rtp_vp8_packetizer_init(peerc_rtp_vp8_packetizer *pk, const uint8_t *frame, size_t len,
                                   const peerc_rtp_vp8_desc *desc, size_t max_payload);
/* Write the next RTP payload into buf: 1 with *len and *marker set, 0 when
 * all were produced, PEERC_E_RANGE if cap is too small. */
int peerc__rtp_vp8_packetizer_next(peerc_rtp_vp8_packetizer *pk, uint8_t *buf, size_t cap,
                                   size_t *len, int *marker);

/* One RTP packet's VP8 payload as the assembler wants it: descriptor
 * stripped, frame start = S && PID 0, keyframe from the payload header of
 * that first packet.  PEERC_E_SYNTAX for a bad descriptor, an empty VP8
 * payload, or a frame start without a readable payload header. */
int peerc__rtp_vp8_to_asm_packet(const peerc_rtp_packet *rtp, int64_t ext_seq, int64_t arrival_ms,
                                 peerc_rtp_asm_packet *out, peerc_rtp_vp8_desc *desc);

/* Frames out of VP8 packets, giving up on a frame as soon as a later one
 * is complete (packets of one frame may come in any order; a frame missing
 * packets is dropped and reported through cfg->on_drop and the counters;
 * with wait_keyframe, decoding resumes at the next key frame).  Use the
 * jitter buffer (rtp/jitter.h) to wait for retransmissions instead. */
typedef peerc_rtp_depacketizer peerc_rtp_vp8_depacketizer;

/* A depacketizer (rtp/depacketizer.h) reading VP8 packets. */
int peerc__rtp_vp8_depacketizer_init(peerc_rtp_vp8_depacketizer *d,
                                     const peerc_rtp_asm_config *cfg);
static inline void peerc__rtp_vp8_depacketizer_free(peerc_rtp_vp8_depacketizer *d)
{
    peerc__rtp_depacketizer_free(d);
}
static inline int peerc__rtp_vp8_depacketizer_push(peerc_rtp_vp8_depacketizer *d,
                                                   const peerc_rtp_packet *rtp, int64_t arrival_ms)
{
    return peerc__rtp_depacketizer_push(d, rtp, arrival_ms);
}
static inline int peerc__rtp_vp8_depacketizer_pop(peerc_rtp_vp8_depacketizer *d,
                                                  peerc_rtp_frame *out)
{
    return peerc__rtp_depacketizer_pop(d, out);
}

#endif

/*
 * VP9 over RTP (RFC 9628): the payload descriptor (§4.2) with its
 * scalability structure (§4.2.1), a packetizer that splits one encoded
 * frame into packets, and a depacketizer that rebuilds frames from packets
 * in any order within a frame.
 *
 * What peerc sends (peerc__rtp_vp9_desc_for_frame): a single-layer stream
 * in non-flexible mode (F=0), as browsers send VP9 without SVC -- a 15-bit
 * picture id (I, M=1), P on inter frames, no layer indices (L=0), B on the
 * first packet and E on the last packet of a frame, and on keyframes a
 * scalability structure in the first packet (V=1) announcing one spatial
 * layer, its resolution (Y=1) and a picture group of one picture at
 * temporal layer 0 that references the picture before it (G=1, N_G=1, T=0,
 * U=0, R=1, P_DIFF=1).  Non-flexible mode is chosen because the structure
 * never changes: the receiver learns it once per keyframe instead of
 * reading reference lists in every packet.
 *
 * What peerc reads: every descriptor layout of §4.2 -- 7- or 15-bit
 * picture ids, layer indices with TL0PICIDX (non-flexible) or up to three
 * P_DIFF references (flexible), and the scalability structure (at most
 * PEERC_RTP_VP9_MAX_GOF picture group entries).  Reserved bits are
 * ignored.  The depacketizer accepts temporal layers (each layer frame is
 * a picture of its own) but refuses spatial layers (SID > 0, N_S > 0):
 * several layer frames would share one RTP timestamp, which the frame
 * assembler does not model.
 */
#ifndef PEERC_RTP_VP9_H
#define PEERC_RTP_VP9_H

#include "rtp/assembler.h"
#include "rtp/depacketizer.h"
#include "rtp/packet.h"
#include "rtp/seq.h"

#include <stddef.h>
#include <stdint.h>

#define PEERC_RTP_VP9_MAX_PDIFF 3   /* flexible mode: references per picture (§4.2) */
#define PEERC_RTP_VP9_MAX_SPATIAL 8 /* N_S is 3 bits */
#define PEERC_RTP_VP9_MAX_GOF 16    /* picture group entries kept; a larger SS is refused */
/* Largest descriptor: byte 0, 15-bit picture id, L, three P_DIFF, and an SS
 * with every resolution and PEERC_RTP_VP9_MAX_GOF entries of 3 P_DIFF. */
#define PEERC_RTP_VP9_DESC_MAX                                                                     \
    (1 + 2 + 1 + 3 + 1 + 4 * PEERC_RTP_VP9_MAX_SPATIAL + 1 + 4 * PEERC_RTP_VP9_MAX_GOF)

/* One picture of the picture group in the SS (§4.2.1). */
typedef struct peerc_rtp_vp9_gof_entry {
    uint8_t tid;                            /* T: 0..7 */
    uint8_t up_switch;                      /* U */
    uint8_t ref_count;                      /* R: 0..3 */
    uint8_t pdiff[PEERC_RTP_VP9_MAX_PDIFF]; /* 1..255 each */
} peerc_rtp_vp9_gof_entry;

/* Scalability structure (§4.2.1). */
typedef struct peerc_rtp_vp9_ss {
    uint8_t spatial_layers; /* N_S + 1: 1..8 */
    uint8_t has_resolution; /* Y */
    uint16_t width[PEERC_RTP_VP9_MAX_SPATIAL], height[PEERC_RTP_VP9_MAX_SPATIAL];
    uint8_t has_gof;   /* G */
    uint8_t gof_count; /* N_G: 0..PEERC_RTP_VP9_MAX_GOF */
    peerc_rtp_vp9_gof_entry gof[PEERC_RTP_VP9_MAX_GOF];
} peerc_rtp_vp9_ss;

/* RFC 9628 §4.2.  Optional fields are absent when negative. */
typedef struct peerc_rtp_vp9_desc {
    uint8_t inter_predicted; /* P */
    uint8_t flexible;        /* F (needs a picture id) */
    uint8_t start;           /* B: first packet of a frame */
    uint8_t end;             /* E: last packet of a frame */
    uint8_t not_upper_ref;   /* Z */
    int32_t picture_id;      /* I: 7 or 15 bits; -1 absent */
    uint8_t picture_id_15;   /* write: force the 15-bit form (M=1); read: M was set */
    int8_t tid;              /* L: the layer byte is present iff tid >= 0; 0..7 */
    uint8_t switching_up;    /* U, with L */
    uint8_t sid;             /* SID 0..7, with L */
    uint8_t inter_layer;     /* D, with L */
    int16_t tl0picidx;       /* non-flexible with L: 0..255, required; else -1 */
    uint8_t num_pdiff;       /* flexible with P: 1..3, required; else 0 */
    uint8_t pdiff[PEERC_RTP_VP9_MAX_PDIFF]; /* 1..127 each */
    uint8_t has_ss;                         /* V */
    peerc_rtp_vp9_ss ss;
} peerc_rtp_vp9_desc;

/* A descriptor with every optional field absent and every flag clear. */
void peerc__rtp_vp9_desc_init(peerc_rtp_vp9_desc *d);

/* What peerc sends for one frame of a single-layer stream (see above):
 * start/end are left to the packetizer.  PEERC_E_INVALID_ARGUMENT for a
 * NULL d, or on a keyframe a dimension of 0 or above 65535. */
int peerc__rtp_vp9_desc_for_frame(peerc_rtp_vp9_desc *d, uint16_t picture_id, int keyframe,
                                  uint32_t width, uint32_t height);

/* Bytes the descriptor takes, or PEERC_E_INVALID_ARGUMENT for an
 * out-of-range field or a combination §4.2 forbids (F without I, L without
 * TL0PICIDX in non-flexible mode, P_DIFF count not matching F and P). */
int peerc__rtp_vp9_desc_size(const peerc_rtp_vp9_desc *d);
/* Write it; returns its length or a negative PEERC_E_* (RANGE: cap). */
int peerc__rtp_vp9_desc_write(const peerc_rtp_vp9_desc *d, uint8_t *buf, size_t cap);
/* Read one; returns its length, or PEERC_E_SYNTAX if truncated, if F is
 * set without I, for a P_DIFF of 0 or a fourth P_DIFF, or an SS with more
 * than PEERC_RTP_VP9_MAX_GOF picture group entries. */
int peerc__rtp_vp9_desc_read(const uint8_t *buf, size_t len, peerc_rtp_vp9_desc *out);

/* Splits a frame into near-equal packets (the first one's SS counted, so
 * whole payloads differ by at most a byte).  The descriptor goes in front
 * of each piece with B only on the first packet, E and the RTP marker only
 * on the last (§4.1, §4.2), and the SS, if any, only in the first. */
typedef struct peerc_rtp_vp9_packetizer {
    peerc_rtp_vp9_desc desc;
    const uint8_t *frame;
    size_t frame_len;
    size_t desc_len;       /* without the SS */
    size_t first_desc_len; /* with it */
    size_t first_piece;    /* frame bytes in the first packet */
    size_t packets;        /* total */
    size_t index;          /* next */
    size_t offset;         /* into frame */
} peerc_rtp_vp9_packetizer;

/* frame must stay valid until the last packet is taken.  max_payload
 * bounds descriptor + data per packet.  PEERC_E_INVALID_ARGUMENT for an
 * empty frame, a bad descriptor, or max_payload not above the first
 * packet's descriptor. */
int peerc__rtp_vp9_packetizer_init(peerc_rtp_vp9_packetizer *pk, const uint8_t *frame, size_t len,
                                   const peerc_rtp_vp9_desc *desc, size_t max_payload);
/* Write the next RTP payload into buf: 1 with *len and *marker set, 0 when
 * all were produced, PEERC_E_RANGE if cap is too small. */
int peerc__rtp_vp9_packetizer_next(peerc_rtp_vp9_packetizer *pk, uint8_t *buf, size_t cap,
                                   size_t *len, int *marker);

/* One RTP packet's VP9 payload as the assembler wants it: descriptor
 * stripped, frame start = B, frame end = E or marker, keyframe = !P on the
 * B packet.  PEERC_E_SYNTAX for a bad descriptor, an empty VP9 payload, or
 * spatial layers (SID > 0 or an SS with N_S > 0). */
int peerc__rtp_vp9_to_asm_packet(const peerc_rtp_packet *rtp, int64_t ext_seq, int64_t arrival_ms,
                                 peerc_rtp_asm_packet *out, peerc_rtp_vp9_desc *desc);

/* Frames out of VP9 packets, with the VP8 depacketizer's policy: a frame
 * missing packets is dropped as soon as a later one is complete (reported
 * through cfg->on_drop); with wait_keyframe, decoding resumes at the next
 * keyframe. */
typedef peerc_rtp_depacketizer peerc_rtp_vp9_depacketizer;

/* A depacketizer (rtp/depacketizer.h) reading VP9 packets. */
int peerc__rtp_vp9_depacketizer_init(peerc_rtp_vp9_depacketizer *d,
                                     const peerc_rtp_asm_config *cfg);
static inline void peerc__rtp_vp9_depacketizer_free(peerc_rtp_vp9_depacketizer *d)
{
    peerc__rtp_depacketizer_free(d);
}
static inline int peerc__rtp_vp9_depacketizer_push(peerc_rtp_vp9_depacketizer *d,
                                                   const peerc_rtp_packet *rtp, int64_t arrival_ms)
{
    return peerc__rtp_depacketizer_push(d, rtp, arrival_ms);
}
static inline int peerc__rtp_vp9_depacketizer_pop(peerc_rtp_vp9_depacketizer *d,
                                                  peerc_rtp_frame *out)
{
    return peerc__rtp_depacketizer_pop(d, out);
}

#endif

/*
 * RTCP: walking a compound packet (RFC 3550 §6.1, A.2), sender and receiver
 * reports (§6.4), SDES CNAME (§6.5), BYE (§6.6), and the feedback messages
 * WebRTC uses (RFC 4585 §6: generic NACK, PLI; RFC 5104 §4.3.1: FIR;
 * draft-alvestrand-rmcat-remb-03: REMB).  Transport-wide congestion control
 * feedback is in rtp/twcc.h.
 *
 * Parsed structures are views into the caller's buffer.  Writers append one
 * RTCP packet to buf (capacity cap) and return its length in *out_len, so a
 * compound packet is built by writing at increasing offsets; PEERC_E_RANGE
 * means cap was too small, PEERC_E_INVALID_ARGUMENT a count out of range.
 */
#ifndef PEERC_RTP_RTCP_H
#define PEERC_RTP_RTCP_H

#include <stddef.h>
#include <stdint.h>

/* Packet types (RFC 3550 §12.1, RFC 4585 §6.1). */
#define PEERC_RTP_RTCP_SR 200
#define PEERC_RTP_RTCP_RR 201
#define PEERC_RTP_RTCP_SDES 202
#define PEERC_RTP_RTCP_BYE 203
#define PEERC_RTP_RTCP_APP 204
#define PEERC_RTP_RTCP_RTPFB 205
#define PEERC_RTP_RTCP_PSFB 206

/* Feedback message types (FMT) */
#define PEERC_RTP_RTCP_FMT_NACK 1 /* RTPFB, RFC 4585 §6.2.1 */
#define PEERC_RTP_RTCP_FMT_TWCC                                                                    \
    15 /* RTPFB, draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1 */
#define PEERC_RTP_RTCP_FMT_PLI 1  /* PSFB, RFC 4585 §6.3.1 */
#define PEERC_RTP_RTCP_FMT_FIR 4  /* PSFB, RFC 5104 §4.3.1 */
#define PEERC_RTP_RTCP_FMT_AFB 15 /* PSFB application layer feedback (REMB) */

#define PEERC_RTP_RTCP_MAX_COUNT 31 /* 5-bit RC/SC field */
#define PEERC_RTP_RTCP_SDES_CNAME 1

/* One packet of a compound.  body excludes the 4-byte header and any
 * padding; for SR/RR/SDES/BYE count is RC/SC, for feedback it is FMT. */
typedef struct peerc_rtp_rtcp_header {
    uint8_t type;
    uint8_t count;
    uint8_t padding;       /* P bit set: padding octets removed from body */
    const uint8_t *packet; /* the whole packet, header included */
    size_t packet_len;     /* (length + 1) * 4 */
    const uint8_t *body;
    size_t body_len;
} peerc_rtp_rtcp_header;

typedef struct peerc_rtp_rtcp_iter {
    const uint8_t *buf;
    size_t len;
    size_t off;
} peerc_rtp_rtcp_iter;

void peerc__rtp_rtcp_iter_init(peerc_rtp_rtcp_iter *it, const uint8_t *buf, size_t len);
/* 1 and *out filled, 0 at the end, PEERC_E_SYNTAX for a packet that is not
 * version 2, overruns the buffer or has bad padding (the walk stops). */
int peerc__rtp_rtcp_iter_next(peerc_rtp_rtcp_iter *it, peerc_rtp_rtcp_header *out);

/* RFC 3550 A.2 checks for a whole compound: every packet parses, lengths
 * add up, only the last one has padding.  With reduced_size (RFC 5506,
 * a=rtcp-rsize) the first packet need not be SR/RR; otherwise it must be.
 * Returns the number of packets or PEERC_E_SYNTAX. */
int peerc__rtp_rtcp_validate(const uint8_t *buf, size_t len, int reduced_size);

/* Report block (RFC 3550 §6.4.1). */
typedef struct peerc_rtp_rtcp_report {
    uint32_t ssrc;
    uint8_t fraction_lost;   /* fixed point /256 */
    int32_t cumulative_lost; /* signed 24-bit */
    uint32_t ext_highest_seq;
    uint32_t jitter; /* RTP timestamp units */
    uint32_t lsr;    /* middle 32 bits of the last SR's NTP time */
    uint32_t dlsr;   /* 1/65536 s since that SR */
} peerc_rtp_rtcp_report;

typedef struct peerc_rtp_rtcp_sr {
    uint32_t ssrc;
    uint64_t ntp; /* 32.32 fixed point seconds since 1900 */
    uint32_t rtp_timestamp;
    uint32_t packet_count;
    uint32_t octet_count;
    uint8_t report_count;
    peerc_rtp_rtcp_report reports[PEERC_RTP_RTCP_MAX_COUNT];
} peerc_rtp_rtcp_sr;

typedef struct peerc_rtp_rtcp_rr {
    uint32_t ssrc;
    uint8_t report_count;
    peerc_rtp_rtcp_report reports[PEERC_RTP_RTCP_MAX_COUNT];
} peerc_rtp_rtcp_rr;

/* Report blocks beyond what the length holds are PEERC_E_SYNTAX; profile
 * extensions after them (§6.4.3) are ignored. */
int peerc__rtp_rtcp_parse_sr(const peerc_rtp_rtcp_header *h, peerc_rtp_rtcp_sr *out);
int peerc__rtp_rtcp_parse_rr(const peerc_rtp_rtcp_header *h, peerc_rtp_rtcp_rr *out);
int peerc__rtp_rtcp_write_sr(const peerc_rtp_rtcp_sr *sr, uint8_t *buf, size_t cap,
                             size_t *out_len);
int peerc__rtp_rtcp_write_rr(const peerc_rtp_rtcp_rr *rr, uint8_t *buf, size_t cap,
                             size_t *out_len);

/* SDES: per chunk only the CNAME is kept (the only item WebRTC sends,
 * RFC 8834 §4.2 / RFC 7022); a chunk without one has cname_len 0. */
typedef struct peerc_rtp_rtcp_sdes_chunk {
    uint32_t ssrc;
    const uint8_t *cname; /* not NUL-terminated */
    uint8_t cname_len;
} peerc_rtp_rtcp_sdes_chunk;

typedef struct peerc_rtp_rtcp_sdes {
    uint8_t chunk_count;
    peerc_rtp_rtcp_sdes_chunk chunks[PEERC_RTP_RTCP_MAX_COUNT];
} peerc_rtp_rtcp_sdes;

int peerc__rtp_rtcp_parse_sdes(const peerc_rtp_rtcp_header *h, peerc_rtp_rtcp_sdes *out);
/* Writes one CNAME item per chunk; chunks with cname_len 0 get no item. */
int peerc__rtp_rtcp_write_sdes(const peerc_rtp_rtcp_sdes *sdes, uint8_t *buf, size_t cap,
                               size_t *out_len);

typedef struct peerc_rtp_rtcp_bye {
    uint8_t ssrc_count;
    uint32_t ssrcs[PEERC_RTP_RTCP_MAX_COUNT];
    const uint8_t *reason; /* optional, not NUL-terminated */
    uint8_t reason_len;
} peerc_rtp_rtcp_bye;

int peerc__rtp_rtcp_parse_bye(const peerc_rtp_rtcp_header *h, peerc_rtp_rtcp_bye *out);
int peerc__rtp_rtcp_write_bye(const peerc_rtp_rtcp_bye *bye, uint8_t *buf, size_t cap,
                              size_t *out_len);

/* Common feedback layout (RFC 4585 §6.1): sender SSRC, media source SSRC,
 * feedback control information (FCI). */
typedef struct peerc_rtp_rtcp_fb {
    uint8_t type; /* PEERC_RTP_RTCP_RTPFB or PEERC_RTP_RTCP_PSFB */
    uint8_t fmt;
    uint32_t sender_ssrc;
    uint32_t media_ssrc;
    const uint8_t *fci;
    size_t fci_len;
} peerc_rtp_rtcp_fb;

/* PEERC_E_SYNTAX if h is not RTPFB/PSFB or shorter than 8 bytes. */
int peerc__rtp_rtcp_parse_fb(const peerc_rtp_rtcp_header *h, peerc_rtp_rtcp_fb *out);

/* Generic NACK FCI entry (RFC 4585 §6.2.1): pid is lost, and bit i of blp
 * (LSB = bit 0) means pid + i + 1 is lost too. */
typedef struct peerc_rtp_rtcp_nack_item {
    uint16_t pid;
    uint16_t blp;
} peerc_rtp_rtcp_nack_item;

/* Number of FCI entries of a generic NACK, or PEERC_E_SYNTAX if fb is not
 * one or its FCI is not a non-empty multiple of 4. */
int peerc__rtp_rtcp_nack_count(const peerc_rtp_rtcp_fb *fb);
peerc_rtp_rtcp_nack_item peerc__rtp_rtcp_nack_item(const peerc_rtp_rtcp_fb *fb, size_t i);
/* Expand all entries into sequence numbers (in FCI order, duplicates kept);
 * returns how many were stored (at most cap) or PEERC_E_SYNTAX. */
int peerc__rtp_rtcp_nack_seqs(const peerc_rtp_rtcp_fb *fb, uint16_t *out, size_t cap);
int peerc__rtp_rtcp_write_nack(uint32_t sender_ssrc, uint32_t media_ssrc,
                               const peerc_rtp_rtcp_nack_item *items, size_t n, uint8_t *buf,
                               size_t cap, size_t *out_len);

/* Picture Loss Indication: no FCI (RFC 4585 §6.3.1). */
int peerc__rtp_rtcp_write_pli(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t *buf, size_t cap,
                              size_t *out_len);

/* Full Intra Request entry (RFC 5104 §4.3.1.1); seq_nr increments per new
 * request from the sender and is repeated on retransmission of a request. */
typedef struct peerc_rtp_rtcp_fir_entry {
    uint32_t ssrc;
    uint8_t seq_nr;
} peerc_rtp_rtcp_fir_entry;

/* Entry count, or PEERC_E_SYNTAX if fb is not a FIR or FCI is malformed. */
int peerc__rtp_rtcp_fir_count(const peerc_rtp_rtcp_fb *fb);
peerc_rtp_rtcp_fir_entry peerc__rtp_rtcp_fir_entry(const peerc_rtp_rtcp_fb *fb, size_t i);
/* Media source SSRC is written as 0 (RFC 5104 §4.3.1.2). */
int peerc__rtp_rtcp_write_fir(uint32_t sender_ssrc, const peerc_rtp_rtcp_fir_entry *entries,
                              size_t n, uint8_t *buf, size_t cap, size_t *out_len);

/* Receiver Estimated Maximum Bitrate (draft-alvestrand-rmcat-remb-03 §2.2). */
#define PEERC_RTP_RTCP_REMB_MAX_SSRCS 255
typedef struct peerc_rtp_rtcp_remb {
    uint32_t sender_ssrc;
    uint64_t bitrate_bps; /* mantissa << exp; written rounded down to 18 bits of precision */
    uint8_t ssrc_count;
    uint32_t ssrcs[PEERC_RTP_RTCP_REMB_MAX_SSRCS];
} peerc_rtp_rtcp_remb;

/* PEERC_E_NOT_FOUND if fb is application-layer feedback other than REMB,
 * PEERC_E_SYNTAX if it claims REMB but is malformed. */
int peerc__rtp_rtcp_parse_remb(const peerc_rtp_rtcp_fb *fb, peerc_rtp_rtcp_remb *out);
int peerc__rtp_rtcp_write_remb(const peerc_rtp_rtcp_remb *remb, uint8_t *buf, size_t cap,
                               size_t *out_len);

/* Shared by the writers: the 4-byte common header for a packet of
 * total_len bytes (a multiple of 4). */
void peerc__rtp_rtcp_write_header(uint8_t *buf, uint8_t count, uint8_t type, size_t total_len);

#endif

/*
 * Opus over RTP (RFC 7587): one Opus packet per RTP packet, unchanged, a
 * 48 kHz RTP clock whatever the coded bandwidth (§4.1), so a 20 ms packet
 * advances the timestamp by 960.  The duration comes from the Opus TOC
 * byte (RFC 6716 §3.1) so 10/40/60 ms and multi-frame packets work too.
 * No libopus dependency: lib/media owns the codec.
 */
#ifndef PEERC_RTP_OPUS_H
#define PEERC_RTP_OPUS_H

#include "rtp/packet.h"
#include "rtp/seq.h"

#include <stddef.h>
#include <stdint.h>

#define PEERC_RTP_OPUS_CLOCK 48000
#define PEERC_RTP_OPUS_MAX_SAMPLES 5760 /* 120 ms, RFC 6716 §3.2.5 */

/* Samples per channel at 48 kHz in an Opus packet, or PEERC_E_SYNTAX for
 * an empty packet, a missing code-3 count byte, zero frames, or more than
 * 120 ms (RFC 6716 §3.1, §3.2.5). */
int peerc__rtp_opus_packet_samples(const uint8_t *p, size_t len);

typedef struct peerc_rtp_opus_sender {
    uint32_t ssrc;
    uint8_t payload_type;
    uint16_t seq;        /* of the next packet */
    uint32_t timestamp;  /* of the next packet */
    int talkspurt_start; /* next packet gets the marker */
} peerc_rtp_opus_sender;

/* seq and timestamp should start random (RFC 3550 §5.1); the first
 * packet carries the marker (RFC 3551 §4.1: start of a talkspurt). */
void peerc__rtp_opus_sender_init(peerc_rtp_opus_sender *s, uint32_t ssrc, uint8_t payload_type,
                                 uint16_t first_seq, uint32_t first_timestamp);

/* Fill *out for one Opus packet (payload borrowed) and advance seq and
 * timestamp; extensions can then be added before peerc__rtp_write.
 * PEERC_E_SYNTAX if the Opus packet is invalid. */
int peerc__rtp_opus_sender_fill(peerc_rtp_opus_sender *s, const uint8_t *opus, size_t len,
                                peerc_rtp_packet *out);

/* fill + write, no extensions. */
int peerc__rtp_opus_packetize(peerc_rtp_opus_sender *s, const uint8_t *opus, size_t len,
                              uint8_t *buf, size_t cap, size_t *out_len);

/* Nothing sent for this many samples (DTX, muted): the timestamp moves on
 * and the next packet starts a talkspurt. */
void peerc__rtp_opus_sender_skip(peerc_rtp_opus_sender *s, uint32_t samples);

/* Receive side: where each packet sits relative to the previous one. */
typedef struct peerc_rtp_opus_receiver {
    peerc_rtp_unwrapper seq;
    peerc_rtp_ts_unwrapper ts;
    int64_t next_seq;
    int64_t next_ts; /* timestamp + duration of the newest packet */
    int valid;
} peerc_rtp_opus_receiver;

typedef struct peerc_rtp_opus_info {
    const uint8_t *opus; /* the Opus packet (points into the RTP packet) */
    size_t len;
    int samples;           /* its duration */
    uint32_t lost_packets; /* sequence gap before it */
    uint32_t gap_samples;  /* timestamp gap before it: loss or DTX, to
                                conceal (decode with NULL, or FEC from this
                                packet when useinbandfec=1) */
    int late;              /* older than what was already taken */
} peerc_rtp_opus_info;

void peerc__rtp_opus_receiver_init(peerc_rtp_opus_receiver *r);
/* PEERC_E_SYNTAX if the payload is not a valid Opus packet. */
int peerc__rtp_opus_receive(peerc_rtp_opus_receiver *r, const peerc_rtp_packet *p,
                            peerc_rtp_opus_info *info);

#endif

/*
 * RTP packets: the fixed header with CSRCs and padding (RFC 3550 §5.1), the
 * RFC 8285 one-byte and two-byte header extension forms, and the RTP/RTCP
 * demultiplexing rule for a shared port (RFC 5761 §4).
 *
 * A parsed packet is a view: payload, extension data and the opaque
 * extension body point into the caller's buffer, which must outlive it.
 * Parsing never reads outside [buf, buf + len).
 */
#ifndef PEERC_RTP_PACKET_H
#define PEERC_RTP_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define PEERC_RTP_VERSION 2
#define PEERC_RTP_HEADER_MIN 12
#define PEERC_RTP_MAX_CSRC 15
/* Extension elements kept per packet.  RFC 8285 one-byte ids are 1..14, so
 * this holds every distinct one-byte element; extras beyond it are ignored
 * as a receiver ignores unknown ones (RFC 8285 §4.1.1 lets it). */
#define PEERC_RTP_MAX_EXT 16

/* "defined by profile" values of the extension header (RFC 8285 §4.2, §4.3). */
#define PEERC_RTP_EXT_PROFILE_ONE_BYTE 0xBEDE
#define PEERC_RTP_EXT_PROFILE_TWO_BYTE 0x1000 /* low 4 bits are "appbits" */
#define PEERC_RTP_EXT_PROFILE_TWO_BYTE_MASK 0xFFF0

/* One RFC 8285 element.  One-byte form: id 1..14, len 1..16.  Two-byte
 * form: id 1..255, len 0..255. */
typedef struct peerc_rtp_ext {
    uint8_t id;
    uint8_t len;
    const uint8_t *data;
} peerc_rtp_ext;

typedef struct peerc_rtp_packet {
    uint8_t marker;       /* M */
    uint8_t payload_type; /* 0..127 */
    uint16_t seq;
    uint32_t timestamp;
    uint32_t ssrc;
    uint8_t csrc_count;
    uint32_t csrc[PEERC_RTP_MAX_CSRC];

    /* Header extension (X bit).  For the RFC 8285 profiles the elements are
     * in ext[]; any other profile is carried opaquely in ext_raw (a multiple
     * of 4 bytes).  When writing, ext_count > 0 selects RFC 8285 and
     * ext_profile picks the form: PEERC_RTP_EXT_PROFILE_TWO_BYTE(|appbits)
     * forces two-byte, anything else means one-byte if every element fits,
     * else two-byte (RFC 8285 §4.3; the peer must have negotiated
     * a=extmap-allow-mixed for two-byte, RFC 8285 §6). */
    uint16_t ext_profile;
    uint8_t ext_count;
    peerc_rtp_ext ext[PEERC_RTP_MAX_EXT];
    const uint8_t *ext_raw;
    size_t ext_raw_len;

    const uint8_t *payload;
    size_t payload_len;
    /* Padding octets after the payload including the count octet (P bit,
     * RFC 3550 §5.1); 0 means none.  When writing they are zeros plus the
     * count. */
    uint8_t padding;

    size_t header_len; /* set by parse: offset of the payload */
} peerc_rtp_packet;

/* Parse an RTP packet.  PEERC_E_SYNTAX for version != 2, truncation of the
 * fixed header, CSRC list or extension block, or padding that is 0 or longer
 * than what follows the header.  A malformed RFC 8285 element only ends the
 * element list (§4.2: id 15 stops processing); the packet stays usable. */
int peerc__rtp_parse(const uint8_t *buf, size_t len, peerc_rtp_packet *out);

/* Bytes peerc__rtp_write would produce, or a negative PEERC_E_* if the
 * packet cannot be written (bad ids/lengths, ext_raw not a multiple of 4,
 * too many CSRCs, payload type > 127). */
int64_t peerc__rtp_size(const peerc_rtp_packet *p);

/* Serialize into buf.  PEERC_E_RANGE if cap is too small; nothing useful is
 * left in buf on error. */
int peerc__rtp_write(const peerc_rtp_packet *p, uint8_t *buf, size_t cap, size_t *out_len);

/* The first element with this id, or NULL. */
const peerc_rtp_ext *peerc__rtp_ext_get(const peerc_rtp_packet *p, uint8_t id);

/* Add an element or replace the data of an existing one; data is borrowed
 * (it must live until the packet is written).  PEERC_E_INVALID_ARGUMENT for
 * id 0 or len > 255, PEERC_E_RANGE when PEERC_RTP_MAX_EXT are in use. */
int peerc__rtp_ext_set(peerc_rtp_packet *p, uint8_t id, const uint8_t *data, size_t len);

/* Remove the element with this id; PEERC_E_NOT_FOUND if absent. */
int peerc__rtp_ext_remove(peerc_rtp_packet *p, uint8_t id);

/* Overwrite, inside an already serialized packet, the data of an element
 * of the same length (stamping a transport-wide sequence number or
 * abs-send-time just before sending, after the packet was built).
 * PEERC_E_NOT_FOUND if absent, PEERC_E_RANGE if its length differs,
 * PEERC_E_SYNTAX if buf is not a parseable RTP packet. */
int peerc__rtp_ext_update(uint8_t *buf, size_t len, uint8_t id, const uint8_t *data, size_t dlen);

/* Demultiplexing of one received datagram. */
enum {
    PEERC_RTP_DEMUX_OTHER = 0, /* STUN, DTLS, garbage: not for this layer */
    PEERC_RTP_DEMUX_RTP = 1,
    PEERC_RTP_DEMUX_RTCP = 2
};

/* RFC 7983 §7: first byte 128..191 is RTP or RTCP; then RFC 5761 §4: the
 * second byte 192..223 (RTCP packet types 192..223, i.e. an RTP marker+PT
 * of 64..95) is RTCP.  Too short for the respective fixed header → OTHER. */
int peerc__rtp_demux(const uint8_t *buf, size_t len);

#endif

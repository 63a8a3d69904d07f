/*
 * Data Channel Establishment Protocol messages (RFC 8832 §5), sent with
 * PPID 50 on the stream of the channel they open.
 */
#ifndef PEERC_DATACHANNEL_DCEP_H
#define PEERC_DATACHANNEL_DCEP_H

#include <stddef.h>
#include <stdint.h>

#define PEERC_DCEP_MSG_ACK 0x02
#define PEERC_DCEP_MSG_OPEN 0x03

/* Channel types (RFC 8832 §8.2.2); the 0x80 bit means unordered. */
#define PEERC_DCEP_RELIABLE 0x00
#define PEERC_DCEP_PARTIAL_REXMIT 0x01
#define PEERC_DCEP_PARTIAL_TIMED 0x02
#define PEERC_DCEP_UNORDERED 0x80

/* Priorities (RFC 8832 §5.1, W3C RTCPriorityType mapping). */
#define PEERC_DCEP_PRIORITY_VERY_LOW 128
#define PEERC_DCEP_PRIORITY_LOW 256
#define PEERC_DCEP_PRIORITY_MEDIUM 512
#define PEERC_DCEP_PRIORITY_HIGH 1024

#define PEERC_DCEP_OPEN_HEADER 12

/* A decoded DATA_CHANNEL_OPEN.  label and protocol point into the decoded
 * buffer; they are not NUL-terminated. */
typedef struct peerc_dcep_open {
    uint8_t channel_type;
    uint16_t priority;
    uint32_t reliability; /* retransmissions or milliseconds; 0 when reliable */
    const uint8_t *label;
    uint16_t label_len;
    const uint8_t *protocol;
    uint16_t protocol_len;
} peerc_dcep_open;

/* The message type of a DCEP message, or -1 if empty. */
int peerc__dcep_type(const uint8_t *buf, size_t len);

/* Encode an OPEN into a new g_malloc'd buffer (free with g_free).
 * PEERC_E_INVALID_ARGUMENT for an unknown channel type. */
int peerc__dcep_encode_open(const peerc_dcep_open *open, uint8_t **out, size_t *out_len);

/* Decode an OPEN.  Strict: wrong type, unknown channel type, truncation,
 * trailing bytes, or a label/protocol that is not NUL-free UTF-8 give
 * PEERC_E_SYNTAX; buf is never read past len. */
int peerc__dcep_decode_open(const uint8_t *buf, size_t len, peerc_dcep_open *out);

/* The one-byte ACK. */
void peerc__dcep_encode_ack(uint8_t out[1]);
/* PEERC_OK if buf is exactly an ACK, else PEERC_E_SYNTAX. */
int peerc__dcep_decode_ack(const uint8_t *buf, size_t len);

#endif

/*
 * SCTP association over an abstract datagram transport (DTLS underneath,
 * RFC 8261), built on usrsctp's AF_CONN sockets.
 *
 * Threading: a peerc_sctp is created, called and freed on the thread that
 * iterates its GMainContext.  Every callback runs from that GMainContext,
 * never from inside a usrsctp call nor on usrsctp's or the timer's thread;
 * callbacks may call any peerc__sctp_* function, including peerc__sctp_free.
 */
#ifndef PEERC_SCTP_SCTP_H
#define PEERC_SCTP_SCTP_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 8841 §4: the default SCTP port is 5000 for both ends. */
#define PEERC_SCTP_DEFAULT_PORT 5000
/* Streams offered each way.  RFC 8831 §6.2 lets an endpoint offer fewer than
 * 65535; 1024 bounds usrsctp's per-stream memory.  Stream ids are below it. */
#define PEERC_SCTP_MAX_STREAMS 1024
/* The largest message we accept: advertise it as a=max-message-size
 * (RFC 8841 §6).  Larger incoming messages are dropped. */
#define PEERC_SCTP_MAX_MESSAGE_SIZE 262144
/* The largest message we can send: a message must fit in usrsctp's send
 * buffer because we send without SCTP_EXPLICIT_EOR. */
#define PEERC_SCTP_SEND_BUFFER (1024 * 1024)
/* No SCTP packet is larger than this, so that with the DTLS record overhead
 * (37 bytes with AES-GCM) the datagram stays under 1200 bytes and UDP, IPv6
 * and TURN headers still fit a 1280-byte path (RFC 8261 §5). */
#define PEERC_SCTP_MAX_PACKET 1160

/* Payload protocol identifiers, RFC 8831 §8. */
enum {
    PEERC_SCTP_PPID_DCEP = 50,
    PEERC_SCTP_PPID_STRING = 51,
    PEERC_SCTP_PPID_BINARY = 53,
    PEERC_SCTP_PPID_STRING_EMPTY = 56,
    PEERC_SCTP_PPID_BINARY_EMPTY = 57
};

typedef struct peerc_sctp peerc_sctp;

typedef struct peerc_sctp_callbacks {
    /* An SCTP packet for DTLS (at most PEERC_SCTP_MAX_PACKET bytes). */
    void (*send)(void *ud, const uint8_t *pkt, size_t len);
    /* The association is up; sends queued before now go out. */
    void (*connected)(void *ud);
    /* The association is gone: code PEERC_OK after a graceful SHUTDOWN,
     * PEERC_E_NETWORK after ABORT, loss or a failed setup.  Fires once. */
    void (*closed)(void *ud, int code, const char *reason);
    /* A complete message (ppid in host order). */
    void (*message)(void *ud, uint16_t sid, uint32_t ppid, const uint8_t *data, size_t len);
    /* The remote reset its outgoing stream sid (RFC 6525 §5.2.2): no more
     * data will arrive on sid; the channel is closing (RFC 8831 §6.7). */
    void (*stream_reset)(void *ud, uint16_t sid);
    /* Our outgoing reset of sid, asked with peerc__sctp_reset_stream, is
     * done (or was given up after repeated refusals). */
    void (*reset_complete)(void *ud, uint16_t sid);
    /* Buffered amounts decreased. */
    void (*writable)(void *ud);
} peerc_sctp_callbacks;

/* Create an association on mc (not yet connecting).  Ports are the SDP
 * a=sctp-port values (PEERC_SCTP_DEFAULT_PORT when absent).  cbs is copied. */
int peerc__sctp_new(GMainContext *mc, uint16_t local_port, uint16_t remote_port,
                    const peerc_sctp_callbacks *cbs, void *ud, peerc_sctp **out);

/* Start the handshake.  Both sides call it: RFC 8261 §6 has both ends send
 * INIT and SCTP resolves the collision (RFC 4960 §5.2.1). */
int peerc__sctp_connect(peerc_sctp *sctp);

/* A packet received from DTLS.  Hostile input is fine: usrsctp verifies
 * the CRC32c and tags. */
void peerc__sctp_receive(peerc_sctp *sctp, const uint8_t *pkt, size_t len);

/*
 * Queue one message.  Never blocks: what usrsctp cannot take now waits in
 * our queue and goes out when the peer's window opens (writable fires as
 * buffered amounts fall).  Allowed before the association is up (sent once
 * it is).  max_retransmits and max_packet_life_ms select RFC 3758 partial
 * reliability; -1 means unset; both set is PEERC_E_INVALID_ARGUMENT.
 * Errors: PEERC_E_INVALID_ARGUMENT (len 0, both limits, len above
 * peerc__sctp_max_message_size: W3C says TypeError), PEERC_E_RANGE (sid),
 * PEERC_E_INVALID_STATE (closed, or sid is being reset).
 */
int peerc__sctp_send(peerc_sctp *sctp, uint16_t sid, uint32_t ppid, int ordered,
                     int32_t max_retransmits, int32_t max_packet_life_ms,
                     const uint8_t *data, size_t len);

/* Bytes of sid not yet acknowledged by the peer: our queue exactly, plus
 * our share of usrsctp's send buffer (exact when it is empty). */
uint64_t peerc__sctp_buffered_amount(const peerc_sctp *sctp, uint16_t sid);

/* Reset our outgoing stream sid (RFC 6525 §5.1.2), after the data already
 * queued on it has been handed to SCTP.  reset_complete fires when done. */
int peerc__sctp_reset_stream(peerc_sctp *sctp, uint16_t sid);

/* The remote a=max-message-size (RFC 8841 §6.1); 0 means no limit.
 * Before it is set the RFC's default of 64 KiB applies. */
void peerc__sctp_set_remote_max_message_size(peerc_sctp *sctp, uint64_t max);
/* What may be sent: min(remote limit, our send buffer) (W3C
 * RTCSctpTransport.maxMessageSize). */
uint64_t peerc__sctp_max_message_size(const peerc_sctp *sctp);

/* True once connected fired and until closed fires. */
int peerc__sctp_is_connected(const peerc_sctp *sctp);
/* Streams usable each way, known once connected (W3C maxChannels); 0 before. */
uint16_t peerc__sctp_max_streams(const peerc_sctp *sctp);
/* Detail of the last failure ("" if none); never NULL. */
const char *peerc__sctp_last_error(const peerc_sctp *sctp);

typedef struct peerc_sctp_stats {
    uint32_t srtt_ms; /* smoothed RTT; 0 before the first measurement */
    uint32_t cwnd;    /* congestion window, bytes */
    uint64_t bytes_sent, bytes_received;       /* user payload */
    uint64_t messages_sent, messages_received; /* user messages, DCEP included */
} peerc_sctp_stats;
int peerc__sctp_get_stats(peerc_sctp *sctp, peerc_sctp_stats *out);

/* Abort the association if it exists (the ABORT goes out through send
 * before this returns) and release everything.  No callback runs after it
 * returns.  NULL-safe.  Call it before the DTLS transport goes away. */
void peerc__sctp_free(peerc_sctp *sctp);

#endif

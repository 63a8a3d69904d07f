/*
 * DTLS 1.2 over an abstract datagram transport (OpenSSL 3, memory BIOs).
 *
 * The caller (the ICE layer in practice) hands in each datagram whose first
 * byte is 20..63 (RFC 7983 §7 demultiplexing) and sends each datagram this
 * layer produces.  Peer authentication follows RFC 5763 §5 / RFC 8122: the
 * certificates are self-signed and the only trust anchor is the
 * a=fingerprint received in SDP.  DTLS-SRTP (RFC 5764) keys are exported for
 * the SRTP layer; application data carries SCTP (RFC 8261).
 *
 * Threading: an object is used on one thread only, the one iterating the
 * GMainContext given to peerc__dtls_new (its retransmission timer is attached
 * there).  Callbacks run on that thread, either from inside
 * peerc__dtls_start/receive/send/close or from the timer.
 *
 * Callback guarantees:
 *  - connected fires at most once: the handshake finished AND the remote
 *    certificate matched the remote fingerprint.
 *  - failed fires at most once and ends the object (nothing else fires
 *    afterwards).  Before connected it reports handshake failure
 *    (PEERC_E_NETWORK, including a fatal alert from the peer), fingerprint
 *    mismatch (PEERC_E_SECURITY) or timeout (PEERC_E_TIMEOUT).  After
 *    connected it fires only for fatal errors (a fatal alert received,
 *    PEERC_E_NETWORK); lost or forged records are silently dropped as RFC
 *    6347 §4.1.2.7 requires.
 *  - closed fires at most once, when the peer's close_notify arrives after
 *    connected (our own close_notify is answered automatically).  After
 *    peerc__dtls_close nothing fires.
 *  - send may be invoked from inside any call; it must not call back into
 *    this object.  The other callbacks may call peerc__dtls_send/close/free
 *    on this object (free is deferred until the current call unwinds).
 *  - no callback runs after peerc__dtls_free returns.
 */
#ifndef PEERC_DTLS_DTLS_H
#define PEERC_DTLS_DTLS_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls/cert.h"

typedef struct peerc_dtls peerc_dtls;

typedef struct peerc_dtls_callbacks {
    /* One datagram to the wire, made of whole records.  Handshake records
     * are packed into datagrams of at most PEERC_DTLS_MTU bytes; each
     * application record goes alone and is its payload plus up to
     * PEERC_DTLS_RECORD_OVERHEAD bytes. */
    void (*send)(void *ud, const uint8_t *data, size_t len);
    void (*connected)(void *ud); /* handshake done, fingerprint verified */
    void (*data)(void *ud, const uint8_t *data, size_t len); /* decrypted application data */
    void (*failed)(void *ud, int code, const char *reason);
    void (*closed)(void *ud); /* close_notify received */
} peerc_dtls_callbacks;

/* DTLS-SRTP protection profile ids (RFC 5764 §4.1.2, RFC 7714 §14.2). */
#define PEERC_DTLS_SRTP_AES128_CM_SHA1_80 0x0001
#define PEERC_DTLS_SRTP_AEAD_AES_128_GCM 0x0007

/* Room for the longest master key || master salt we may negotiate. */
#define PEERC_DTLS_SRTP_MAX_KEY_SALT 48

typedef struct peerc_dtls_srtp_keys {
    uint16_t profile; /* PEERC_DTLS_SRTP_* */
    size_t key_len;   /* master key bytes (16) */
    size_t salt_len;  /* master salt bytes (14 for AES_CM, 12 for GCM) */
    size_t len;       /* key_len + salt_len: bytes used in local and remote */
    uint8_t local[PEERC_DTLS_SRTP_MAX_KEY_SALT];  /* key || salt protecting what we send */
    uint8_t remote[PEERC_DTLS_SRTP_MAX_KEY_SALT]; /* key || salt for what we receive */
} peerc_dtls_srtp_keys;

/* Default total handshake budget, retransmissions included. */
#define PEERC_DTLS_HANDSHAKE_TIMEOUT_MS 30000
/* Datagram size limit for handshake flights: leaves room under the IPv6
 * minimum MTU (1280) for IP/UDP and TURN channel overhead. */
#define PEERC_DTLS_MTU 1200
/* Largest per-record expansion of application data with our suites:
 * 13-byte header + 8-byte explicit nonce + 16-byte tag (AES-GCM, RFC 5288);
 * ChaCha20-Poly1305 needs 29.  Keep SCTP packets within
 * PEERC_DTLS_MTU - PEERC_DTLS_RECORD_OVERHEAD to stay within the MTU. */
#define PEERC_DTLS_RECORD_OVERHEAD 37

/*
 * Create a DTLS endpoint.  local_cert is referenced.  is_client selects the
 * role negotiated by a=setup (RFC 5763 §5: the active side is the client).
 * remote_fp_alg/value are the remote a=fingerprint (RFC 8122 §5); both may be
 * NULL when the remote description has not arrived yet, in which case a
 * completed handshake waits in peerc__dtls_set_remote_fingerprint.
 * Errors (detail in err): PEERC_E_INVALID_ARGUMENT, PEERC_E_NOT_SUPPORTED
 * (unknown hash function), PEERC_E_SYNTAX (malformed fingerprint),
 * PEERC_E_INTERNAL (OpenSSL setup).
 */
int peerc__dtls_new(GMainContext *mc, peerc_cert *local_cert, int is_client,
                    const char *remote_fp_alg, const char *remote_fp_value,
                    const peerc_dtls_callbacks *cbs, void *ud, peerc_dtls **out, char *err,
                    size_t errlen);

/* Supply (or replace, before connected) the remote fingerprint.  When the
 * handshake already finished, the peer certificate is checked now and
 * connected or failed(PEERC_E_SECURITY) fires from inside this call.
 * Errors as for peerc__dtls_new; PEERC_E_INVALID_STATE once connected. */
int peerc__dtls_set_remote_fingerprint(peerc_dtls *d, const char *alg, const char *value, char *err,
                                       size_t errlen);

/* Handshake budget in ms (default PEERC_DTLS_HANDSHAKE_TIMEOUT_MS), counted
 * from peerc__dtls_start; mostly for tests. */
void peerc__dtls_set_handshake_timeout_ms(peerc_dtls *d, unsigned int ms);

/* First retransmission timeout in ms (default 100, clamped to 10..3000),
 * doubling up to 3 s afterwards.  The ICE layer may pass ~2x the selected
 * pair's RTT on long paths.  Takes effect for the next flight. */
void peerc__dtls_set_retransmit_timeout_ms(peerc_dtls *d, unsigned int first_ms);

/*
 * Client: sends the ClientHello.  Server: starts the handshake clock and
 * accepts.  A server that receives a datagram before start starts
 * implicitly (the peer's ClientHello may beat our own ICE state change);
 * the owner's start afterwards still returns PEERC_OK, once.
 * Errors: PEERC_E_INVALID_ARGUMENT, PEERC_E_INVALID_STATE (already started,
 * failed or closed).  Handshake failures are reported through failed, which
 * may fire from inside this call.
 */
int peerc__dtls_start(peerc_dtls *d);

/* One datagram from the wire.  Anything malformed is dropped; NULL-safe. */
void peerc__dtls_receive(peerc_dtls *d, const uint8_t *data, size_t len);

/* One application data record (one SCTP packet, 1..16384 bytes).
 * Errors: PEERC_E_INVALID_STATE before connected, PEERC_E_CLOSED after
 * close/failure, PEERC_E_INVALID_ARGUMENT/PEERC_E_RANGE for the buffer,
 * PEERC_E_NETWORK when OpenSSL refuses. */
int peerc__dtls_send(peerc_dtls *d, const uint8_t *data, size_t len);

/* Send close_notify (once, if the handshake finished) and stop; idempotent. */
void peerc__dtls_close(peerc_dtls *d);

/* NULL-safe.  No callback runs after it returns. */
void peerc__dtls_free(peerc_dtls *d);

/* Errors: PEERC_E_INVALID_STATE before connected, PEERC_E_NOT_SUPPORTED
 * when the peer did not negotiate use_srtp, PEERC_E_INTERNAL. */
int peerc__dtls_get_srtp_keys(peerc_dtls *d, peerc_dtls_srtp_keys *out);

/* Names once the handshake finished (NULL before): OpenSSL cipher name
 * ("ECDHE-ECDSA-AES128-GCM-SHA256"), SRTP profile name ("SRTP_AEAD_AES_128_GCM",
 * NULL if none), protocol version ("DTLSv1.2"). */
const char *peerc__dtls_cipher_name(const peerc_dtls *d);
const char *peerc__dtls_srtp_profile_name(const peerc_dtls *d);
const char *peerc__dtls_version_name(const peerc_dtls *d);

/* The role given at creation (1 = client). */
int peerc__dtls_is_client(const peerc_dtls *d);

#endif

/*
 * SRTP/SRTCP session keyed from the DTLS-SRTP export (RFC 5764), built on
 * libsrtp2.
 *
 * One peerc_srtp holds two libsrtp sessions: an outbound one for everything
 * we send (any SSRC, key = keys->local) and an inbound one for everything we
 * receive (any SSRC, key = keys->remote).  With BUNDLE every SSRC of the
 * transport shares these keys (RFC 8843 §9.1).
 *
 * Buffer contract (libsrtp works in place and does not check bounds):
 *  - buf is 32-bit aligned (libsrtp reads the headers as 32-bit words);
 *    misaligned buffers are refused rather than silently copied.
 *  - protect: the packet is buf[0..*len) and buf has room for cap bytes,
 *    cap >= *len + PEERC_SRTP_MAX_TRAILER; *len grows by the tag (and the
 *    SRTCP index).  Packets longer than PEERC_SRTP_MAX_PACKET are refused.
 *  - unprotect: buf[0..*len) is the packet; on success *len shrinks to the
 *    plain RTP/RTCP length.  No spare room is needed.
 *  - on failure *len and the first *len bytes' meaning are unspecified:
 *    drop the packet.
 *
 * Sequence numbers: libsrtp guesses the rollover counter (RFC 3711 §3.3.1)
 * from the sequence number alone, so a jump of 2^15 or more on one SSRC is
 * taken as a wrap and breaks every later packet of that SSRC.  Senders keep
 * sequence numbers continuous per SSRC (RTX uses its own SSRC).
 *
 * Threading: a peerc_srtp is used by one thread at a time (the ctx worker);
 * different sessions may be used on different threads concurrently.
 */
#ifndef PEERC_SRTP_SESSION_H
#define PEERC_SRTP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "dtls/dtls.h"

typedef struct peerc_srtp peerc_srtp;

/* libsrtp's SRTP_MAX_TRAILER_LEN (tag + MKI); the most protect can add. */
#define PEERC_SRTP_MAX_TRAILER 144
/* Largest plain packet we protect and largest protected packet we accept:
 * nothing larger fits in a UDP datagram. */
#define PEERC_SRTP_MAX_PACKET 65535

/* Unprotect found a replayed or too-old packet (outside the 1024-packet
 * window).  Internal only: the caller drops and counts, it never reaches the
 * public API, so it sits outside the PEERC_E_* range. */
#define PEERC__SRTP_E_REPLAY (-1001)

/* Replay window in packets (RFC 3711 §3.3.2 asks for at least 64).  Video
 * bursts of one frame reach hundreds of packets, and retransmissions arrive
 * an RTT later; 1024 keeps them inside the window. */
#define PEERC_SRTP_REPLAY_WINDOW 1024

typedef struct peerc_srtp_stats {
    uint64_t rtp_protected, rtp_protected_bytes; /* plain bytes in */
    uint64_t rtcp_protected, rtcp_protected_bytes;
    uint64_t rtp_unprotected, rtp_unprotected_bytes; /* plain bytes out */
    uint64_t rtcp_unprotected, rtcp_unprotected_bytes;
    uint64_t auth_failures;  /* PEERC_E_SECURITY from unprotect */
    uint64_t replays;        /* PEERC__SRTP_E_REPLAY (either direction) */
    uint64_t bad_packets;    /* refused before libsrtp: length, header, alignment */
    uint64_t other_failures; /* anything else libsrtp reported */
} peerc_srtp_stats;

/*
 * Create both sessions for keys->profile (PEERC_DTLS_SRTP_AES128_CM_SHA1_80
 * or PEERC_DTLS_SRTP_AEAD_AES_128_GCM).  The key material is copied into
 * libsrtp; the caller may wipe keys afterwards.  The first session in the
 * process initialises libsrtp, the last peerc__srtp_free shuts it down.
 * Errors (detail in err): PEERC_E_INVALID_ARGUMENT (NULL, lengths that do
 * not match the profile), PEERC_E_NOT_SUPPORTED (other profiles),
 * PEERC_E_NO_MEMORY, PEERC_E_INTERNAL (libsrtp init/create failed).
 */
int peerc__srtp_new(const peerc_dtls_srtp_keys *keys, peerc_srtp **out, char *err, size_t errlen);

/* NULL-safe. */
void peerc__srtp_free(peerc_srtp *s);

/*
 * In place, per the buffer contract above.  Errors: PEERC_E_INVALID_ARGUMENT
 * (NULL, misaligned, not an RTP/RTCP packet: too short, version != 2,
 * header longer than the packet), PEERC_E_RANGE (too long, or cap too
 * small for the trailer), PEERC__SRTP_E_REPLAY (protect: an index older
 * than the replay window, e.g. a very late retransmission on the media
 * SSRC; repeating a recent packet is allowed), PEERC_E_INTERNAL.
 */
int peerc__srtp_protect_rtp(peerc_srtp *s, uint8_t *buf, size_t *len, size_t cap);
int peerc__srtp_protect_rtcp(peerc_srtp *s, uint8_t *buf, size_t *len, size_t cap);

/*
 * In place.  Errors: PEERC_E_INVALID_ARGUMENT (NULL, misaligned, too short
 * to hold a header and the tag, malformed header), PEERC_E_RANGE (longer
 * than PEERC_SRTP_MAX_PACKET), PEERC_E_SECURITY (authentication failed:
 * forged, corrupted, wrong key, or SRTCP left unencrypted against the
 * profile), PEERC__SRTP_E_REPLAY (already received, or older than the
 * replay window), PEERC_E_INTERNAL.
 */
int peerc__srtp_unprotect_rtp(peerc_srtp *s, uint8_t *buf, size_t *len);
int peerc__srtp_unprotect_rtcp(peerc_srtp *s, uint8_t *buf, size_t *len);

void peerc__srtp_get_stats(const peerc_srtp *s, peerc_srtp_stats *out);

uint16_t peerc__srtp_profile(const peerc_srtp *s);

/* Bytes protect adds for a profile (0 if unknown): the RTP tag, and for
 * RTCP the tag plus the 4-byte E||SRTCP index.  For MTU budgeting. */
size_t peerc__srtp_rtp_overhead(uint16_t profile);
size_t peerc__srtp_rtcp_overhead(uint16_t profile);

/* Rollover counter of an SSRC seen by the outbound (outbound=1) or inbound
 * session.  Errors: PEERC_E_NOT_FOUND (SSRC not seen yet). */
int peerc__srtp_get_roc(const peerc_srtp *s, int outbound, uint32_t ssrc, uint32_t *roc);

/* Short text for the codes above, PEERC__SRTP_E_REPLAY included. */
const char *peerc__srtp_strerror(int code);

#endif

/*
 * Data channel manager: one per SCTP association.  It owns the peerc_sctp,
 * runs DCEP (RFC 8832) and the per-channel state machine (RFC 8831 §6),
 * independent of the public API.  The pc wires DTLS <-> dcm and maps
 * channel handles to its peerc_dc objects.
 *
 * Channels are named by a handle (cid, never 0, never reused) because a
 * local channel's stream id is chosen only once the association is up
 * (RFC 8832 §6 parity by DTLS role, below the negotiated stream count).
 *
 * Threading: like peerc_sctp, everything runs on the thread of the
 * GMainContext given to peerc__dcm_new; callbacks come from it, never from
 * inside a dcm call, and may call any dcm function including free.
 */
#ifndef PEERC_DATACHANNEL_MANAGER_H
#define PEERC_DATACHANNEL_MANAGER_H

#include "sctp/sctp.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef struct peerc_dcm peerc_dcm;

typedef struct peerc_dcm_channel_info {
    const char *label;    /* NULL means "" */
    const char *protocol; /* NULL means "" */
    int ordered;
    int32_t max_retransmits;      /* -1: unset */
    int32_t max_packet_life_time; /* milliseconds; -1: unset */
    uint16_t priority;            /* PEERC_DCEP_PRIORITY_*; 0 means low (256) */
    int negotiated;
    int32_t id; /* stream id of a negotiated channel; ignored otherwise */
} peerc_dcm_channel_info;

typedef struct peerc_dcm_callbacks {
    /* The SCTP transport (W3C RTCSctpTransport) is connected. */
    void (*sctp_connected)(void *ud);
    /* The SCTP transport closed; every channel then gets channel_closed. */
    void (*sctp_closed)(void *ud, int code, const char *reason);
    /* A channel is open: fires once per channel, before its messages. */
    void (*channel_open)(void *ud, uint32_t cid, uint16_t sid);
    /* DATA_CHANNEL_OPEN received: a new remote channel; channel_open follows
     * unless the pc closes it from this callback. */
    void (*remote_channel)(void *ud, uint32_t cid, uint16_t sid,
                           const peerc_dcm_channel_info *info);
    void (*message)(void *ud, uint32_t cid, const uint8_t *data, size_t len, int is_binary);
    /* The channel failed (W3C error event: sctp-failure, no free stream id,
     * ...); channel_closed follows. */
    void (*channel_error)(void *ud, uint32_t cid, int code, const char *reason);
    /* Closed: after the stream reset completed both ways (RFC 8831 §6.7),
     * or the association went away, or close() before it opened.  Fires
     * once; the cid is dead afterwards. */
    void (*channel_closed)(void *ud, uint32_t cid);
    /* Some buffered amount fell: check bufferedamountlow thresholds. */
    void (*buffered_amount_changed)(void *ud);
} peerc_dcm_callbacks;

/* Create the manager and its (not yet connecting) association.  The DTLS
 * role picks stream id parity: client even, server odd (RFC 8832 §6).
 * Ports are the a=sctp-port values (0 means 5000). */
int peerc__dcm_new(GMainContext *mc, uint16_t local_port, uint16_t remote_port,
                   int is_dtls_client, const peerc_dcm_callbacks *cbs, void *ud,
                   peerc_dcm **out, char *err, size_t errlen);

/* Where SCTP packets go (DTLS).  Packets produced before are dropped
 * (SCTP retransmits). */
void peerc__dcm_set_transport(peerc_dcm *dcm, void (*send)(void *ud, const uint8_t *pkt, size_t len),
                              void *ud);
/* a=max-message-size of the remote description (RFC 8841); 0 = unlimited. */
void peerc__dcm_set_remote_max_message_size(peerc_dcm *dcm, uint64_t max);
/* Start SCTP (both sides call it once DTLS is up, RFC 8261 §6). */
int peerc__dcm_connect(peerc_dcm *dcm);
/* An SCTP packet from DTLS. */
void peerc__dcm_receive(peerc_dcm *dcm, const uint8_t *pkt, size_t len);
/* DTLS is gone: the association ends without ABORT; sctp_closed and
 * channel_closed follow from the main loop. */
void peerc__dcm_transport_closed(peerc_dcm *dcm);

/* Create a local channel (allowed before connect).  A non-negotiated one
 * gets its stream id once the association is up and announces itself with
 * DATA_CHANNEL_OPEN; a negotiated one uses info->id on both sides.
 * channel_open fires later from the main loop.
 * Errors: PEERC_E_INVALID_ARGUMENT (both reliability limits, id > 65534,
 * label/protocol over 65535 bytes), PEERC_E_OPERATION (negotiated id in
 * use or beyond the stream count), PEERC_E_INVALID_STATE (transport closed). */
int peerc__dcm_open_channel(peerc_dcm *dcm, const peerc_dcm_channel_info *info,
                            uint32_t *cid_out);
/* The stream id of a channel, or -1 while unassigned or unknown. */
int peerc__dcm_channel_sid(const peerc_dcm *dcm, uint32_t cid);
/* Send a message (len 0 allowed: RFC 8831 §6.6 empty PPIDs).  Until the
 * peer ACKs a channel we opened, messages go ordered (RFC 8832 §6).
 * Errors: PEERC_E_NOT_FOUND, PEERC_E_INVALID_STATE (not open),
 * PEERC_E_INVALID_ARGUMENT (over max-message-size: W3C TypeError). */
int peerc__dcm_send(peerc_dcm *dcm, uint32_t cid, const uint8_t *data, size_t len, int is_binary);
uint64_t peerc__dcm_buffered_amount(const peerc_dcm *dcm, uint32_t cid);
/* Start closing (idempotent); channel_closed fires later.  PEERC_E_NOT_FOUND
 * for an unknown or already closed cid. */
int peerc__dcm_close_channel(peerc_dcm *dcm, uint32_t cid);

/* The association, for stats and RTCSctpTransport attributes
 * (peerc__sctp_max_message_size, peerc__sctp_max_streams).  NULL once the
 * transport closed. */
peerc_sctp *peerc__dcm_sctp(const peerc_dcm *dcm);
/* Smoothed SCTP RTT in ms, or -1 when unknown. */
int peerc__dcm_sctp_rtt_ms(peerc_dcm *dcm);

/* Abort the association (ABORT sent through the transport) and release
 * everything.  No callback after it returns.  NULL-safe. */
void peerc__dcm_free(peerc_dcm *dcm);

#endif

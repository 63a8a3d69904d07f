/*
 * peerc/pc.h - the peer connection (W3C RTCPeerConnection) in C.
 *
 * THE MODEL
 *   A peerc_pc is created on a peerc_ctx with a configuration and a struct
 *   of callbacks.  Signalling is the application's business: it carries the
 *   SDP strings that create_offer/create_answer return and the candidates
 *   that the ice_candidate callback hands out to the other peer, by any means
 *   it likes, and feeds what it receives back in with set_remote_description
 *   and add_ice_candidate.
 *
 *       caller                                   callee
 *       create_offer -> set_local_description    |
 *             ---------- offer SDP ----------->  set_remote_description
 *                                                create_answer -> set_local_description
 *       set_remote_description <--- answer SDP --
 *       add_ice_candidate  <---- candidates ---> add_ice_candidate
 *
 * THREADING
 *   - Every callback fires on the worker thread of the pc's peerc_ctx, one
 *     at a time, in the order the events happened.
 *   - Every function is safe to call from any thread, and from inside any
 *     callback.  Calls on one pc run in the order they were made.  A call from
 *     another thread waits until the worker has run it (typically
 *     microseconds); a call from a callback runs inline.
 *   - Callbacks must not block for long: the worker also runs ICE, DTLS and
 *     SCTP.  They must not call peerc_ctx_free.
 *   - After peerc_pc_free returns, no callback of that pc (or of its data
 *     channels) runs again.  peerc_pc_free may be called from one of the
 *     pc's own callbacks.
 *
 * ERRORS
 *   Functions return PEERC_OK or a negative PEERC_E_* code; an operation
 *   that is invalid in the current state returns PEERC_E_INVALID_STATE and
 *   changes nothing.  peerc_pc_last_error() gives the detail of the last
 *   failure ("SDP line 14: bad a=fingerprint").
 */
#ifndef PEERC_PC_H
#define PEERC_PC_H

#include <peerc/common.h>
#include <peerc/ctx.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct peerc_pc peerc_pc;
typedef struct peerc_dc peerc_dc;
typedef struct peerc_track peerc_track;
typedef struct peerc_transceiver peerc_transceiver;

/* ---------------------------------------------------------------- states */

/* RTCSignalingState */
typedef enum peerc_signaling_state {
    PEERC_SIGNALING_STABLE = 0,
    PEERC_SIGNALING_HAVE_LOCAL_OFFER = 1,
    PEERC_SIGNALING_HAVE_REMOTE_OFFER = 2,
    PEERC_SIGNALING_HAVE_LOCAL_PRANSWER = 3,
    PEERC_SIGNALING_HAVE_REMOTE_PRANSWER = 4,
    PEERC_SIGNALING_CLOSED = 5
} peerc_signaling_state;

/* RTCIceGatheringState */
typedef enum peerc_ice_gathering_state {
    PEERC_ICE_GATHERING_NEW = 0,
    PEERC_ICE_GATHERING_GATHERING = 1,
    PEERC_ICE_GATHERING_COMPLETE = 2
} peerc_ice_gathering_state;

/* RTCIceConnectionState */
typedef enum peerc_ice_connection_state {
    PEERC_ICE_CONNECTION_NEW = 0,
    PEERC_ICE_CONNECTION_CHECKING = 1,
    PEERC_ICE_CONNECTION_CONNECTED = 2,
    PEERC_ICE_CONNECTION_COMPLETED = 3,
    PEERC_ICE_CONNECTION_DISCONNECTED = 4,
    PEERC_ICE_CONNECTION_FAILED = 5,
    PEERC_ICE_CONNECTION_CLOSED = 6
} peerc_ice_connection_state;

/* RTCPeerConnectionState */
typedef enum peerc_connection_state {
    PEERC_CONNECTION_NEW = 0,
    PEERC_CONNECTION_CONNECTING = 1,
    PEERC_CONNECTION_CONNECTED = 2,
    PEERC_CONNECTION_DISCONNECTED = 3,
    PEERC_CONNECTION_FAILED = 4,
    PEERC_CONNECTION_CLOSED = 5
} peerc_connection_state;

/* The W3C spelling of each state ("have-local-offer", "checking", ...);
 * never NULL ("unknown" for values outside the enum). */
PEERC_API const char *peerc_signaling_state_to_string(peerc_signaling_state state);
PEERC_API const char *peerc_ice_gathering_state_to_string(peerc_ice_gathering_state state);
PEERC_API const char *peerc_ice_connection_state_to_string(peerc_ice_connection_state state);
PEERC_API const char *peerc_connection_state_to_string(peerc_connection_state state);

/* RTCSdpType */
typedef enum peerc_sdp_type {
    PEERC_SDP_OFFER = 1,
    PEERC_SDP_PRANSWER = 2,
    PEERC_SDP_ANSWER = 3,
    PEERC_SDP_ROLLBACK = 4
} peerc_sdp_type;

/* "offer", "pranswer", "answer", "rollback"; never NULL. */
PEERC_API const char *peerc_sdp_type_to_string(peerc_sdp_type type);
/* Parse "offer"/"pranswer"/"answer"/"rollback" (as signalling messages
 * carry them).  Errors: PEERC_E_INVALID_ARGUMENT. */
PEERC_API int peerc_sdp_type_from_string(const char *text, peerc_sdp_type *out);

/* --------------------------------------------------------- configuration */

/*
 * One RTCIceServer.  urls holds one or more URLs separated by spaces or
 * commas: "stun:host[:port]", "turn:host[:port][?transport=udp|tcp]",
 * "turns:host[:port][?transport=tcp]".  username/credential are needed for
 * turn(s).  Caveat: libnice 0.1.21 has no TLS client, so a turns: server
 * is spoken to in plain TCP (a warning is logged); TURN messages remain
 * HMAC-protected and data DTLS-encrypted, but TLS-only servers refuse it.  This struct is frozen: a future extension comes as a new type
 * and a new config field.
 */
typedef struct peerc_ice_server {
    const char *urls;
    const char *username;
    const char *credential;
} peerc_ice_server;

typedef enum peerc_ice_transport_policy {
    PEERC_ICE_TRANSPORT_POLICY_ALL = 0,
    PEERC_ICE_TRANSPORT_POLICY_RELAY = 1 /* only TURN relay candidates */
} peerc_ice_transport_policy;

typedef enum peerc_bundle_policy {
    PEERC_BUNDLE_POLICY_BALANCED = 0,
    PEERC_BUNDLE_POLICY_MAX_COMPAT = 1,
    PEERC_BUNDLE_POLICY_MAX_BUNDLE = 2
} peerc_bundle_policy;

typedef enum peerc_rtcp_mux_policy {
    PEERC_RTCP_MUX_POLICY_REQUIRE = 0
} peerc_rtcp_mux_policy;

/*
 * RTCConfiguration.  Fill with peerc_pc_config_init(), then change fields.
 * The library reads only the first `size` bytes, so programs built against
 * older headers keep working.  Strings are copied by peerc_pc_new.
 */
typedef struct peerc_pc_config {
    size_t size;                            /* set by peerc_pc_config_init */
    const peerc_ice_server *ice_servers;    /* array, may be NULL */
    size_t n_ice_servers;
    peerc_ice_transport_policy ice_transport_policy; /* default ALL */
    peerc_bundle_policy bundle_policy;      /* default BALANCED */
    peerc_rtcp_mux_policy rtcp_mux_policy;  /* default (and only) REQUIRE */
    /* DTLS identity in PEM.  Both NULL (default): an ECDSA P-256
     * certificate is generated for this pc. */
    const char *certificate_pem;
    const char *private_key_pem;
    uint16_t port_min;                      /* local UDP/TCP port range; 0 = any */
    uint16_t port_max;
    int32_t enable_ipv6;                    /* default 1 */
    int32_t enable_ice_tcp;                 /* RFC 6544 candidates; default 1 */
    uint32_t max_message_size;              /* advertised a=max-message-size; default 262144 */
    /* Space-separated local IP addresses to gather host candidates on,
     * e.g. "127.0.0.1"; NULL (default) = every interface but loopback and
     * IPv6 link-local. */
    const char *local_addresses;
    int32_t enable_ice_udp;                 /* UDP candidates; default 1 (0: ICE-TCP/TURN only) */
} peerc_pc_config;

/* Set size and defaults.  Errors: PEERC_E_INVALID_ARGUMENT. */
PEERC_API int peerc_pc_config_init_sized(peerc_pc_config *config, size_t size);
/* Sized with this header's struct; bindings call _sized with theirs. */
static inline int peerc_pc_config_init(peerc_pc_config *config)
{
    return peerc_pc_config_init_sized(config, sizeof *config);
}

/* ------------------------------------------------------------- callbacks */

/*
 * Event handlers (onicecandidate, onnegotiationneeded, ...).  Fill with
 * peerc_pc_callbacks_init() (all NULL), then set the ones wanted.  They run
 * on the ctx worker thread; see THREADING above.
 */
typedef struct peerc_pc_callbacks {
    size_t size; /* set by peerc_pc_callbacks_init */

    /* onicecandidate: candidate is an "candidate:..." attribute value for
     * the m-line (sdp_mid, sdp_mline_index).  candidate == NULL signals
     * end-of-candidates (gathering complete). */
    void (*ice_candidate)(peerc_pc *pc, const char *candidate, const char *sdp_mid,
                          int32_t sdp_mline_index, void *user_data);
    /* onnegotiationneeded: create an offer and signal it. */
    void (*negotiation_needed)(peerc_pc *pc, void *user_data);
    void (*signaling_state_change)(peerc_pc *pc, peerc_signaling_state state, void *user_data);
    void (*ice_gathering_state_change)(peerc_pc *pc, peerc_ice_gathering_state state,
                                       void *user_data);
    void (*ice_connection_state_change)(peerc_pc *pc, peerc_ice_connection_state state,
                                        void *user_data);
    void (*connection_state_change)(peerc_pc *pc, peerc_connection_state state,
                                    void *user_data);
    /* ondatachannel: the remote side opened dc.  The handle belongs to the
     * application, which releases it with peerc_dc_free; install its
     * callbacks here (peerc_dc_set_callbacks) to see it open. */
    void (*data_channel)(peerc_pc *pc, peerc_dc *dc, void *user_data);
    /* ontrack: the peer sends a track on transceiver (see peerc/media.h).
     * stream_ids are its a=msid streams (the browser's event.streams ids;
     * n_stream_ids may be 0).  track belongs to the pc; install a sink here
     * (peerc_track_set_sink) to receive decoded frames. */
    void (*track)(peerc_pc *pc, peerc_transceiver *transceiver, peerc_track *track,
                  const char *const *stream_ids, size_t n_stream_ids, void *user_data);
    /* onremovetrack: the peer stopped sending track (removeTrack, a
     * direction change or a rejected m-line, after renegotiation). */
    void (*remove_track)(peerc_pc *pc, peerc_transceiver *transceiver, peerc_track *track,
                         void *user_data);
    /* A local description was applied (set_local_description resolved):
     * the place to send it to the peer.  It fires before any ice_candidate
     * of that description, on the worker, so signalling sent from these two
     * callbacks reaches the peer in the right order whatever thread called
     * set_local_description.  sdp is valid during the call only. */
    void (*local_description)(peerc_pc *pc, peerc_sdp_type type, const char *sdp,
                              void *user_data);
} peerc_pc_callbacks;

/* Set size and clear every member.  Errors: PEERC_E_INVALID_ARGUMENT. */
PEERC_API int peerc_pc_callbacks_init_sized(peerc_pc_callbacks *callbacks, size_t size);
/* Sized with this header's struct; bindings call _sized with theirs. */
static inline int peerc_pc_callbacks_init(peerc_pc_callbacks *callbacks)
{
    return peerc_pc_callbacks_init_sized(callbacks, sizeof *callbacks);
}

/* ------------------------------------------------------------- lifecycle */

/*
 * Create a peer connection on ctx.  config and callbacks may be NULL
 * (defaults, no callbacks); both are copied.  user_data is passed to every
 * callback.  Generates the DTLS certificate unless one is given.
 * ICE server host names are resolved here, on the calling thread
 * (blocking DNS).
 * Errors: PEERC_E_INVALID_ARGUMENT (ctx/out NULL, size not set, bad field:
 * port range, policy, TURN without credentials, key not matching the
 * certificate), PEERC_E_SYNTAX (bad ICE server URL or PEM),
 * PEERC_E_NETWORK (ICE server name does not resolve), PEERC_E_NOT_SUPPORTED
 * (key type), PEERC_E_NO_MEMORY, PEERC_E_INTERNAL.  There is no pc to ask
 * for details: they are logged (PEERC_LOG=warning).
 */
PEERC_API int peerc_pc_new(peerc_ctx *ctx, const peerc_pc_config *config,
                           const peerc_pc_callbacks *callbacks, void *user_data,
                           peerc_pc **out);

/*
 * close(): stop ICE, DTLS (close_notify), SCTP and every data channel;
 * states become closed and no callback of the pc or its channels fires
 * for it or afterwards, as in the W3C model.  Idempotent.  After close,
 * most calls return PEERC_E_INVALID_STATE.
 */
PEERC_API int peerc_pc_close(peerc_pc *pc);

/* Close if needed and release the pc.  NULL-safe.  No callback of the pc
 * runs after it returns; it may be called from within one of them. */
PEERC_API void peerc_pc_free(peerc_pc *pc);

/* ------------------------------------------------------ offer and answer */

/* RTCOfferOptions.  Fill with peerc_offer_options_init(). */
typedef struct peerc_offer_options {
    size_t size;
    int32_t ice_restart; /* new ICE credentials; default 0 */
} peerc_offer_options;

PEERC_API int peerc_offer_options_init_sized(peerc_offer_options *options, size_t size);
/* Sized with this header's struct; bindings call _sized with theirs. */
static inline int peerc_offer_options_init(peerc_offer_options *options)
{
    return peerc_offer_options_init_sized(options, sizeof *options);
}

/*
 * createOffer: *sdp_out receives the offer, to be released with
 * peerc_free().  options may be NULL.
 * Errors: PEERC_E_INVALID_STATE (closed, or a state other than stable and
 * have-local-offer), PEERC_E_INVALID_ARGUMENT.
 */
PEERC_API int peerc_pc_create_offer(peerc_pc *pc, const peerc_offer_options *options,
                                    char **sdp_out);

/*
 * createAnswer: answer the remote offer just set.  *sdp_out is released
 * with peerc_free().
 * Errors: PEERC_E_INVALID_STATE (not in have-remote-offer or
 * have-local-pranswer).
 */
PEERC_API int peerc_pc_create_answer(peerc_pc *pc, char **sdp_out);

/*
 * setLocalDescription.  sdp NULL or "" means the implicit form: create the
 * offer or answer the current state calls for and apply it.  Starts ICE
 * gathering: the local_description callback fires, then candidates arrive
 * through ice_candidate.  Called from a thread other than the worker, those
 * callbacks may run before this call returns: send the description from
 * local_description (or hold candidates until it is sent).
 * Errors: PEERC_E_INVALID_STATE, PEERC_E_INVALID_ARGUMENT (unknown type),
 * PEERC_E_SYNTAX (unparsable SDP), PEERC_E_INVALID_MODIFICATION (ICE
 * credentials not this pc's), PEERC_E_NETWORK (gathering could not start),
 * PEERC_E_INTERNAL.
 */
PEERC_API int peerc_pc_set_local_description(peerc_pc *pc, peerc_sdp_type type, const char *sdp);

/*
 * setRemoteDescription with an offer, pranswer, answer, or rollback (sdp
 * ignored).  Candidates inside the SDP are used.
 * An offer received in have-local-offer rolls the local offer back first
 * (W3C "perfect negotiation"), once the offer has been found usable.
 * Errors: PEERC_E_INVALID_STATE (e.g. an answer while stable),
 * PEERC_E_INVALID_ARGUMENT (sdp NULL, unknown type), PEERC_E_SYNTAX
 * (malformed SDP; see peerc_pc_last_error for the line),
 * PEERC_E_OPERATION (valid SDP that cannot be applied: missing or
 * malformed ICE credentials, no fingerprint, an answer without
 * a=setup:active/passive).
 */
PEERC_API int peerc_pc_set_remote_description(peerc_pc *pc, peerc_sdp_type type,
                                              const char *sdp);

/*
 * addIceCandidate.  candidate is "candidate:..." (an "a=" prefix is
 * accepted); sdp_mid may be NULL if sdp_mline_index >= 0.  candidate NULL or
 * "" signals the remote end-of-candidates.  Browser mDNS names
 * ("<uuid>.local") are resolved with an mDNS query on the local link
 * (RFC 6762); when nothing answers within 3 s the peer is still reached
 * through the peer-reflexive candidates its checks reveal.
 * Candidates for m-lines bundled onto another transport are ignored.
 * Errors: PEERC_E_INVALID_STATE (no remote description yet, or closed),
 * PEERC_E_INVALID_ARGUMENT (sdp_mid NULL and sdp_mline_index < 0),
 * PEERC_E_SYNTAX (malformed candidate), PEERC_E_OPERATION (unknown mid or
 * index).
 */
PEERC_API int peerc_pc_add_ice_candidate(peerc_pc *pc, const char *candidate,
                                         const char *sdp_mid, int32_t sdp_mline_index);

/* restartIce: the next offer carries new ICE credentials and
 * negotiation_needed fires.  Errors: PEERC_E_INVALID_STATE (closed). */
PEERC_API int peerc_pc_restart_ice(peerc_pc *pc);

/* Which description to read with peerc_pc_get_description. */
typedef enum peerc_description_kind {
    PEERC_DESCRIPTION_LOCAL = 0,          /* localDescription */
    PEERC_DESCRIPTION_REMOTE = 1,         /* remoteDescription */
    PEERC_DESCRIPTION_CURRENT_LOCAL = 2,  /* currentLocalDescription */
    PEERC_DESCRIPTION_PENDING_LOCAL = 3,  /* pendingLocalDescription */
    PEERC_DESCRIPTION_CURRENT_REMOTE = 4, /* currentRemoteDescription */
    PEERC_DESCRIPTION_PENDING_REMOTE = 5  /* pendingRemoteDescription */
} peerc_description_kind;

/*
 * Read a description.  The local ones include the candidates gathered so
 * far.  When there is none, returns PEERC_E_NOT_FOUND.  *sdp_out is released
 * with peerc_free(); type_out may be NULL.
 */
PEERC_API int peerc_pc_get_description(peerc_pc *pc, peerc_description_kind kind,
                                       peerc_sdp_type *type_out, char **sdp_out);

/* ---------------------------------------------------------------- status */

/* Current states (attributes).  Return the state, or a negative code for a
 * NULL pc. */
PEERC_API int peerc_pc_signaling_state(peerc_pc *pc);
PEERC_API int peerc_pc_ice_gathering_state(peerc_pc *pc);
PEERC_API int peerc_pc_ice_connection_state(peerc_pc *pc);
PEERC_API int peerc_pc_connection_state(peerc_pc *pc);

/*
 * Detail of this thread's last failed call, e.g. "SDP line 14: bad
 * a=fingerprint", if that call was on pc; "" otherwise.  Never NULL.  The
 * text stays valid until this thread's next failed call.  Data channel
 * calls do not record details.
 */
PEERC_API const char *peerc_pc_last_error(peerc_pc *pc);

/*
 * Transport statistics (the transport and candidate-pair part of getStats).
 * Fill `size` (or call peerc_transport_stats_init) before the call; the
 * library writes only fields inside size.  String fields are "" when unknown.
 */
typedef struct peerc_transport_stats {
    size_t size;
    uint64_t bytes_sent;          /* on the selected ICE pair, all protocols */
    uint64_t bytes_received;
    uint64_t packets_sent;
    uint64_t packets_received;
    char local_candidate_type[8]; /* "host", "srflx", "prflx", "relay" */
    char local_protocol[4];       /* "udp" or "tcp" */
    char local_address[64];
    uint16_t local_port;
    char remote_candidate_type[8];
    char remote_protocol[4];
    char remote_address[64];
    uint16_t remote_port;
    double rtt_ms;                /* ICE (STUN) round trip time; < 0 when unknown, which it
                                   * always is with libnice 0.1.21: it keeps it private
                                   * (sctp_rtt_ms measures the same path) */
    char dtls_state[16];          /* "new", "connecting", "connected", "closed", "failed" */
    char dtls_version[16];        /* "DTLSv1.2" */
    char dtls_cipher[64];         /* "ECDHE-ECDSA-AES128-GCM-SHA256" */
    char srtp_profile[32];        /* "SRTP_AEAD_AES_128_GCM" when negotiated */
    double sctp_rtt_ms;           /* SCTP smoothed RTT, < 0 when unknown */
    uint64_t data_channels_opened;
    uint64_t data_channels_closed;
    uint64_t messages_sent;
    uint64_t messages_received;
} peerc_transport_stats;

PEERC_API int peerc_transport_stats_init_sized(peerc_transport_stats *stats, size_t size);
/* Sized with this header's struct; bindings call _sized with theirs. */
static inline int peerc_transport_stats_init(peerc_transport_stats *stats)
{
    return peerc_transport_stats_init_sized(stats, sizeof *stats);
}

/* Errors: PEERC_E_INVALID_ARGUMENT (NULL, size too small). */
PEERC_API int peerc_pc_get_transport_stats(peerc_pc *pc, peerc_transport_stats *stats);

#ifdef __cplusplus
}
#endif
#endif /* PEERC_PC_H */

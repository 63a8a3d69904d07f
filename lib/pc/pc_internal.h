/*
 * The peer connection object.  Every field is touched only on the ctx
 * worker thread, except `refs` (atomic) and the immutable ones set at
 * creation (ctx, config copies).
 */
#ifndef PEERC_PC_INTERNAL_H
#define PEERC_PC_INTERNAL_H

#include <glib.h>

#include <peerc/peerc.h>

#include "core/ctx.h"
#include "core/error.h"
#include "ice/ice.h"
#include "ice/url.h"
#include "rtp/seq.h"

struct peerc_sdp;
struct peerc_cert;
struct peerc_dtls;
struct peerc_dcm;

/* One received packet's transport-wide sequence number and arrival. */
typedef struct twcc_arrival {
    int64_t seq;
    int64_t arrival_us;
} twcc_arrival;

/* Transport-wide congestion control state (twcc-feedback.c). */
typedef struct pc_twcc {
    uint16_t next_send_seq;
    gboolean started;
    peerc_rtp_unwrapper unwrap;
    twcc_arrival pending[512];
    size_t n;
    uint32_t media_ssrc;
    uint8_t fb_count;
    int64_t last_feedback_ms;
    uint64_t feedback_sent, feedback_received, packets_acked;
} pc_twcc;

typedef enum pc_dtls_state {
    PC_DTLS_NEW,
    PC_DTLS_CONNECTING,
    PC_DTLS_CONNECTED,
    PC_DTLS_CLOSED,
    PC_DTLS_FAILED
} pc_dtls_state;

/* One stored description with its type. */
typedef struct pc_description {
    struct peerc_sdp *sdp;
    peerc_sdp_type type;
} pc_description;

struct peerc_pc {
    gint refs;
    peerc_ctx *ctx;
    peerc_pc_callbacks cbs;
    void *user_data;

    /* configuration (copied) */
    peerc_ice_url *ice_urls;
    size_t n_ice_urls;
    peerc_pc_config config;
    char *local_addresses;
    struct peerc_cert *cert;

    gboolean user_freed;  /* peerc_pc_free called: no more callbacks */
    gboolean closed;
    int dispatch_depth;   /* > 0 while a component callback is running */
    gboolean teardown_posted;

    /* states */
    peerc_signaling_state signaling;
    peerc_ice_gathering_state gathering;
    peerc_ice_connection_state ice_state;
    peerc_connection_state conn_state;
    pc_dtls_state dtls_state;

    /* descriptions (JSEP 4.1.x) */
    pc_description current_local, pending_local, current_remote, pending_remote;
    uint64_t session_id;
    uint64_t session_version;
    gboolean ice_restart_requested;
    GPtrArray *local_candidates; /* "candidate:..." strings, for descriptions */
    /* Between applying a local description and announcing it, gathering
     * events wait here (NULL entry = end-of-candidates). */
    gboolean announcing;
    GQueue held_gathering;
    gboolean remote_end_of_candidates;
    char *transport_mid;         /* mid of the BUNDLE-tag m-line */

    /* transport */
    peerc_ice *ice;
    struct peerc_dtls *dtls;
    struct peerc_dcm *dcm;
    gboolean is_dtls_client;
    gboolean roles_known;     /* both descriptions applied */
    char *remote_fp_alg, *remote_fp;
    uint16_t remote_sctp_port;
    uint64_t remote_max_message_size;
    gboolean data_negotiated; /* a data m-line was accepted */

    /* data channels (peerc_dc *, each holding its own ref on the pc) */
    GPtrArray *channels;
    gboolean negotiation_needed;
    gboolean negotiation_needed_queued;
    uint64_t dc_opened, dc_closed, msgs_sent, msgs_received;

    /* media (media_internal.h) */
    GPtrArray *transceivers;  /* peerc_transceiver *, creation order */
    GHashTable *ssrc_map;     /* remote SSRC -> peerc_transceiver * */
    struct peerc_srtp *srtp;  /* keyed once DTLS is up */
    GSource *report_timer, *poll_timer;
    char cname[24];           /* RFC 7022: one random CNAME per pc */
    uint32_t rtcp_ssrc;       /* RR sender SSRC when nothing is sent */
    unsigned next_mid;
    int64_t last_report_ms;
    uint64_t media_dropped;   /* SRTP failures, unroutable packets */
    pc_twcc twcc;
    int loss_ppm;             /* test fault injection */
    uint32_t loss_state;      /* its generator, worker only */
};

/* ---- pc.c */
void peerc__pc_ref(peerc_pc *pc);
void peerc__pc_unref(peerc_pc *pc);
/* Bracket every entry from a component (ICE/DTLS/SCTP) into the pc so a
 * close or free from a user callback defers freeing the components until
 * their code has returned.  leave returns FALSE when the pc is closed. */
void peerc__pc_enter(peerc_pc *pc);
void peerc__pc_leave(peerc_pc *pc);
/* TRUE when user callbacks may still run. */
gboolean peerc__pc_live(const peerc_pc *pc);

/* A call marshalled onto the worker.  `err` carries detail back to the
 * calling thread's last-error text. */
typedef struct pc_call pc_call;
struct pc_call {
    peerc_pc *pc;
    int (*fn)(pc_call *call);
    peerc_sdp_type type;
    const char *text;
    const char *text2;
    int32_t index;
    const void *in;
    char **out_text;
    peerc_sdp_type *out_type;
    void *out;
    char err[PEERC_ERRBUF_SIZE];
};
int peerc__pc_run(pc_call *call);
/* Record an error produced on the caller's own thread. */
int peerc__pc_fail(peerc_pc *pc, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- signaling.c */
int peerc__pc_do_create_offer(pc_call *call);
int peerc__pc_do_create_answer(pc_call *call);
int peerc__pc_do_set_local(pc_call *call);
int peerc__pc_do_set_remote(pc_call *call);
int peerc__pc_do_add_candidate(pc_call *call);
int peerc__pc_do_get_description(pc_call *call);
void peerc__pc_set_signaling(peerc_pc *pc, peerc_signaling_state state);
void peerc__pc_free_descriptions(peerc_pc *pc);
/* Replay gathering events held while a local description was announced. */
void peerc__pc_release_gathering(peerc_pc *pc);
/* Queue onnegotiationneeded if needed (W3C "update the negotiation-needed flag"). */
void peerc__pc_update_negotiation_needed(peerc_pc *pc);

/* ---- transport.c */
int peerc__pc_transport_init(peerc_pc *pc, char *err, size_t errlen);
/* Called when an offer/answer exchange completed: start DTLS/SCTP. */
int peerc__pc_transport_negotiated(peerc_pc *pc, char *err, size_t errlen);
void peerc__pc_transport_stop(peerc_pc *pc);   /* close: stop traffic, keep objects */
void peerc__pc_transport_free(peerc_pc *pc);   /* release component objects */
void peerc__pc_fill_transport_stats(peerc_pc *pc, peerc_transport_stats *stats);

/* ---- datachannel.c */
void peerc__pc_channels_on_sctp_up(peerc_pc *pc);
void peerc__pc_channels_close_all(peerc_pc *pc);
void peerc__pc_channels_detach(peerc_pc *pc);
extern const struct peerc_dcm_callbacks peerc__pc_dcm_callbacks;

#endif

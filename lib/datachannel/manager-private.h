/* Internals shared by the lib/datachannel manager files. */
#ifndef PEERC_DATACHANNEL_MANAGER_PRIVATE_H
#define PEERC_DATACHANNEL_MANAGER_PRIVATE_H

#include "datachannel/manager.h"

#include "core/error.h"

enum dc_state {
    DC_PENDING, /* waiting for the association (and a stream id) */
    DC_OPEN,
    DC_CLOSING /* our outgoing stream reset asked; waiting for both ways */
};

typedef struct dc_channel {
    uint32_t cid;
    int sid; /* -1 until assigned */
    enum dc_state state;
    int local;      /* created by peerc__dcm_open_channel */
    int negotiated;
    int acked;      /* DCEP ACK (or data) seen, or none needed */
    int open_fired; /* channel_open delivered */
    int in_reset;   /* the peer reset its outgoing stream */
    int out_reset;  /* our outgoing reset completed */
    int ordered;
    int32_t max_retransmits, max_packet_life_time;
    uint16_t priority;
    char *label, *protocol;
} dc_channel;

enum dc_deferred { DEFER_OPEN, DEFER_CLOSED, DEFER_SCTP_CLOSED };

struct peerc_dcm {
    int refs; /* owner plus callbacks in progress */
    int freed;
    GMainContext *mc;
    peerc_sctp *sctp;
    int is_dtls_client;
    int connect_called;
    int sctp_up;
    int transport_dead; /* DTLS gone or association closed */
    peerc_dcm_callbacks cbs;
    void *ud;
    void (*transport_send)(void *ud, const uint8_t *pkt, size_t len);
    void *transport_ud;
    uint32_t next_cid;
    GHashTable *by_cid; /* cid -> dc_channel* (owns) */
    GHashTable *by_sid; /* sid -> dc_channel* */
    GQueue deferred;    /* packed (type << 32 | cid) as heap guint64 */
    GSource *deferred_src;
};

/* manager.c */
void peerc__dcm_ref(peerc_dcm *dcm);
void peerc__dcm_unref(peerc_dcm *dcm);
/* Queue an event for the next main loop iteration (never re-entrant). */
void peerc__dcm_defer(peerc_dcm *dcm, enum dc_deferred type, uint32_t cid);

/* channels.c */
dc_channel *peerc__dcm_channel_new(peerc_dcm *dcm, const peerc_dcm_channel_info *info, int local);
void peerc__dcm_channel_destroy(gpointer ch);
dc_channel *peerc__dcm_by_sid(const peerc_dcm *dcm, int sid);
/* Assign ids to pending channels and announce them; -1 if freed. */
int peerc__dcm_channels_start(peerc_dcm *dcm);
/* Fire channel_open now if it has not fired; -1 if freed. */
int peerc__dcm_channel_fire_open(peerc_dcm *dcm, dc_channel *ch);
/* Remove ch and fire channel_closed (after channel_error if code < 0). */
int peerc__dcm_channel_finish(peerc_dcm *dcm, dc_channel *ch, int code, const char *reason);
/* The association is gone: every channel closes; -1 if freed. */
int peerc__dcm_channels_fail_all(peerc_dcm *dcm, int code, const char *reason);
/* Both directions reset: closed (RFC 8831 §6.7). */
int peerc__dcm_channel_maybe_closed(peerc_dcm *dcm, dc_channel *ch);

/* inbound.c: the peerc_sctp callbacks concerning channels */
void peerc__dcm_on_message(void *ud, uint16_t sid, uint32_t ppid, const uint8_t *data, size_t len);
void peerc__dcm_on_stream_reset(void *ud, uint16_t sid);
void peerc__dcm_on_reset_complete(void *ud, uint16_t sid);

#endif

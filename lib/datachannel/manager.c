/*
 * Manager lifecycle, the association glue and deferred events.
 */
#include "datachannel/manager-private.h"

#include <peerc/common.h>

#include "core/log.h"

#include <string.h>

typedef struct deferred_event {
    enum dc_deferred type;
    uint32_t cid;
} deferred_event;

void peerc__dcm_ref(peerc_dcm *dcm)
{
    dcm->refs++;
}

void peerc__dcm_unref(peerc_dcm *dcm)
{
    if (--dcm->refs > 0)
        return;
    g_hash_table_destroy(dcm->by_sid);
    g_hash_table_destroy(dcm->by_cid);
    g_queue_clear_full(&dcm->deferred, g_free);
    g_main_context_unref(dcm->mc);
    g_free(dcm);
}

/* ------------------------------------------------------ deferred events */

static void run_deferred(peerc_dcm *dcm, const deferred_event *ev)
{
    dc_channel *ch = g_hash_table_lookup(dcm->by_cid, GUINT_TO_POINTER(ev->cid));
    switch (ev->type) {
    case DEFER_OPEN:
        /* Skipped if the channel was closed in the meantime (W3C: a channel
         * closed while connecting never fires open). */
        if (ch && ch->state == DC_OPEN)
            peerc__dcm_channel_fire_open(dcm, ch);
        break;
    case DEFER_CLOSED:
        if (dcm->cbs.channel_closed)
            dcm->cbs.channel_closed(dcm->ud, ev->cid);
        break;
    case DEFER_SCTP_CLOSED:
        if (dcm->cbs.sctp_closed)
            dcm->cbs.sctp_closed(dcm->ud, PEERC_E_NETWORK, "DTLS transport closed");
        if (!dcm->freed)
            peerc__dcm_channels_fail_all(dcm, PEERC_E_NETWORK, "DTLS transport closed");
        break;
    }
}

static gboolean on_deferred(gpointer data)
{
    peerc_dcm *dcm = data;
    deferred_event *ev;
    peerc__dcm_ref(dcm);
    g_source_unref(dcm->deferred_src);
    dcm->deferred_src = NULL;
    while (!dcm->freed && (ev = g_queue_pop_head(&dcm->deferred))) {
        run_deferred(dcm, ev);
        g_free(ev);
    }
    peerc__dcm_unref(dcm);
    return G_SOURCE_REMOVE;
}

void peerc__dcm_defer(peerc_dcm *dcm, enum dc_deferred type, uint32_t cid)
{
    deferred_event *ev = g_new(deferred_event, 1);
    ev->type = type;
    ev->cid = cid;
    g_queue_push_tail(&dcm->deferred, ev);
    if (dcm->deferred_src)
        return;
    /* Default priority, like the association's own events. */
    dcm->deferred_src = g_idle_source_new();
    g_source_set_priority(dcm->deferred_src, G_PRIORITY_DEFAULT);
    g_source_set_callback(dcm->deferred_src, on_deferred, dcm, NULL);
    g_source_attach(dcm->deferred_src, dcm->mc);
}

/* ---------------------------------------------------- association glue */

static void on_send(void *ud, const uint8_t *pkt, size_t len)
{
    peerc_dcm *dcm = ud;
    if (dcm->transport_send && !dcm->transport_dead)
        dcm->transport_send(dcm->transport_ud, pkt, len);
}

static void on_connected(void *ud)
{
    peerc_dcm *dcm = ud;
    peerc__dcm_ref(dcm);
    dcm->sctp_up = 1;
    /* Channels created earlier get their ids before any created from the
     * callback below. */
    if (peerc__dcm_channels_start(dcm) == 0 && dcm->cbs.sctp_connected)
        dcm->cbs.sctp_connected(dcm->ud);
    peerc__dcm_unref(dcm);
}

static void on_closed(void *ud, int code, const char *reason)
{
    peerc_dcm *dcm = ud;
    peerc__dcm_ref(dcm);
    dcm->sctp_up = 0;
    dcm->transport_dead = 1;
    if (dcm->cbs.sctp_closed)
        dcm->cbs.sctp_closed(dcm->ud, code, reason);
    /* W3C: channels of a transport that closed with an error fire error
     * (sctp-failure) before close. */
    if (!dcm->freed)
        peerc__dcm_channels_fail_all(dcm, code, reason);
    peerc__dcm_unref(dcm);
}

static void on_writable(void *ud)
{
    peerc_dcm *dcm = ud;
    if (dcm->cbs.buffered_amount_changed)
        dcm->cbs.buffered_amount_changed(dcm->ud);
}

static const peerc_sctp_callbacks sctp_callbacks = {
    .send = on_send,
    .connected = on_connected,
    .closed = on_closed,
    .message = peerc__dcm_on_message,
    .stream_reset = peerc__dcm_on_stream_reset,
    .reset_complete = peerc__dcm_on_reset_complete,
    .writable = on_writable,
};

/* ------------------------------------------------------------ lifecycle */

int peerc__dcm_new(GMainContext *mc, uint16_t local_port, uint16_t remote_port,
                   int is_dtls_client, const peerc_dcm_callbacks *cbs, void *ud,
                   peerc_dcm **out, char *err, size_t errlen)
{
    if (!mc || !cbs || !out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "missing argument");
    *out = NULL;
    peerc_dcm *dcm = g_new0(peerc_dcm, 1);
    dcm->refs = 1;
    dcm->mc = g_main_context_ref(mc);
    dcm->is_dtls_client = is_dtls_client ? 1 : 0;
    dcm->cbs = *cbs;
    dcm->ud = ud;
    dcm->next_cid = 1;
    dcm->by_cid =
        g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, peerc__dcm_channel_destroy);
    dcm->by_sid = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_queue_init(&dcm->deferred);
    int rc = peerc__sctp_new(mc, local_port, remote_port, &sctp_callbacks, dcm, &dcm->sctp);
    if (rc != PEERC_OK) {
        peerc__errorf(err, errlen, rc, "cannot create the SCTP association");
        peerc__dcm_free(dcm);
        return rc;
    }
    *out = dcm;
    return PEERC_OK;
}

void peerc__dcm_set_transport(peerc_dcm *dcm, void (*send)(void *ud, const uint8_t *pkt, size_t len),
                              void *ud)
{
    if (!dcm)
        return;
    dcm->transport_send = send;
    dcm->transport_ud = ud;
}

void peerc__dcm_set_remote_max_message_size(peerc_dcm *dcm, uint64_t max)
{
    if (dcm && dcm->sctp)
        peerc__sctp_set_remote_max_message_size(dcm->sctp, max);
}

int peerc__dcm_connect(peerc_dcm *dcm)
{
    if (!dcm)
        return PEERC_E_INVALID_ARGUMENT;
    if (!dcm->sctp || dcm->connect_called)
        return PEERC_E_INVALID_STATE;
    dcm->connect_called = 1;
    return peerc__sctp_connect(dcm->sctp);
}

void peerc__dcm_receive(peerc_dcm *dcm, const uint8_t *pkt, size_t len)
{
    if (dcm && dcm->sctp && !dcm->transport_dead)
        peerc__sctp_receive(dcm->sctp, pkt, len);
}

void peerc__dcm_transport_closed(peerc_dcm *dcm)
{
    if (!dcm || !dcm->sctp || dcm->transport_dead)
        return;
    dcm->transport_dead = 1; /* the ABORT from free has nowhere to go */
    dcm->sctp_up = 0;
    peerc__sctp_free(dcm->sctp);
    dcm->sctp = NULL;
    peerc__dcm_defer(dcm, DEFER_SCTP_CLOSED, 0);
}

peerc_sctp *peerc__dcm_sctp(const peerc_dcm *dcm)
{
    return dcm && !dcm->transport_dead ? dcm->sctp : NULL;
}

int peerc__dcm_sctp_rtt_ms(peerc_dcm *dcm)
{
    peerc_sctp_stats st;
    if (!dcm || !dcm->sctp || !dcm->sctp_up || peerc__sctp_get_stats(dcm->sctp, &st) != PEERC_OK)
        return -1;
    return (int)st.srtt_ms;
}

void peerc__dcm_free(peerc_dcm *dcm)
{
    if (!dcm || dcm->freed)
        return;
    dcm->freed = 1; /* on_send still passes the ABORT on */
    peerc__sctp_free(dcm->sctp);
    dcm->sctp = NULL;
    if (dcm->deferred_src) {
        g_source_destroy(dcm->deferred_src);
        g_source_unref(dcm->deferred_src);
        dcm->deferred_src = NULL;
    }
    peerc__dcm_unref(dcm);
}

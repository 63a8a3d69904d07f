/*
 * Association lifecycle and the dispatch that turns inbox events into
 * callbacks on the owning GMainContext.
 */
#include "sctp/sctp-private.h"

#include "core/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* RFC 8841 §6.1: without a=max-message-size the peer takes 64 KiB. */
#define DEFAULT_REMOTE_MAX 65536

static uintptr_t next_id = 1; /* atomic; never reused, so stale events miss */

static gboolean wake_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
    /* Clear before reading the inbox so that a concurrent wake is kept. */
    g_source_set_ready_time(src, -1);
    return cb(data);
}

static GSourceFuncs wake_funcs = {NULL, NULL, wake_dispatch, NULL, NULL, NULL};

void peerc__sctp_ref(peerc_sctp *sctp)
{
    sctp->refs++;
}

void peerc__sctp_unref(peerc_sctp *sctp)
{
    if (--sctp->refs > 0)
        return;
    /* Buffers go last: a callback that freed us may still be on the stack
     * above code reading them. */
    peerc__sctp_send_clear(sctp);
    peerc__sctp_recv_clear(sctp);
    g_source_unref(sctp->wake);
    g_main_context_unref(sctp->mc);
    free(sctp);
}

/* Hand the packets for DTLS over; stops if a callback frees us. */
static int deliver_packets(peerc_sctp *sctp, sctp_pkt *p)
{
    while (p) {
        sctp_pkt *next = p->next;
        if (!sctp->freed && sctp->cbs.send)
            sctp->cbs.send(sctp->ud, p->data, p->len);
        free(p);
        p = next;
    }
    return sctp->freed ? -1 : 0;
}

static gboolean on_wake(gpointer data)
{
    peerc_sctp *sctp = data;
    int socket_event;
    peerc__sctp_ref(sctp);
    sctp_pkt *pkts = peerc__sctp_bridge_take(sctp, &socket_event);
    if (deliver_packets(sctp, pkts) == 0 && socket_event && sctp->so) {
        if (peerc__sctp_recv_drain(sctp) == 0)
            peerc__sctp_send_progress(sctp);
    }
    peerc__sctp_unref(sctp);
    return G_SOURCE_CONTINUE;
}

int peerc__sctp_new(GMainContext *mc, uint16_t local_port, uint16_t remote_port,
                    const peerc_sctp_callbacks *cbs, void *ud, peerc_sctp **out)
{
    if (!mc || !cbs || !out)
        return PEERC_E_INVALID_ARGUMENT;
    *out = NULL;
    peerc_sctp *sctp = calloc(1, sizeof *sctp);
    if (!sctp)
        return PEERC_E_NO_MEMORY;
    sctp->refs = 1;
    sctp->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
    sctp->mc = g_main_context_ref(mc);
    sctp->cbs = *cbs;
    sctp->ud = ud;
    sctp->local_port = local_port ? local_port : PEERC_SCTP_DEFAULT_PORT;
    sctp->remote_port = remote_port ? remote_port : PEERC_SCTP_DEFAULT_PORT;
    sctp->remote_max = DEFAULT_REMOTE_MAX;
    g_queue_init(&sctp->sendq);
    g_queue_init(&sctp->sentq);
    peerc__sctp_recv_init(sctp);

    sctp->wake = g_source_new(&wake_funcs, sizeof(GSource));
    g_source_set_callback(sctp->wake, on_wake, sctp, NULL);
    g_source_set_name(sctp->wake, "peerc-sctp");
    g_source_attach(sctp->wake, mc);

    int rc = peerc__sctp_global_acquire(sctp->err, sizeof sctp->err);
    if (rc == PEERC_OK) {
        sctp->global_ref = 1;
        peerc__sctp_bridge_add(sctp);
        peerc__sctp_lock();
        sctp->so = peerc__sctp_socket_open(sctp);
        peerc__sctp_unlock();
        if (!sctp->so)
            rc = PEERC_E_INTERNAL;
    }
    if (rc != PEERC_OK) {
        PEERC_ERROR("sctp", "%s", sctp->err);
        peerc__sctp_free(sctp);
        return rc;
    }
    PEERC_DEBUG("sctp", "association %lu created (ports %u -> %u)", (unsigned long)sctp->id,
                sctp->local_port, sctp->remote_port);
    *out = sctp;
    return PEERC_OK;
}

int peerc__sctp_connect(peerc_sctp *sctp)
{
    if (!sctp || sctp->freeing)
        return PEERC_E_INVALID_ARGUMENT;
    if (sctp->state != SCTP_ST_NEW || !sctp->so)
        return PEERC_E_INVALID_STATE;
    struct sockaddr_conn remote;
    memset(&remote, 0, sizeof remote);
    remote.sconn_family = AF_CONN;
    remote.sconn_port = htons(sctp->remote_port);
    remote.sconn_addr = (void *)sctp->id;
    peerc__sctp_lock();
    int rc = usrsctp_connect(sctp->so, (struct sockaddr *)&remote, sizeof remote);
    int e = errno;
    if (rc == 0 || e == EINPROGRESS)
        peerc__sctp_socket_set_mtu(sctp);
    peerc__sctp_unlock();
    if (rc != 0 && e != EINPROGRESS)
        return peerc__errorf(sctp->err, sizeof sctp->err, PEERC_E_NETWORK,
                             "usrsctp_connect: %s", strerror(e));
    sctp->state = SCTP_ST_CONNECTING;
    return PEERC_OK;
}

void peerc__sctp_receive(peerc_sctp *sctp, const uint8_t *pkt, size_t len)
{
    if (!sctp || !sctp->so || !pkt || !len)
        return;
    /* Before connect the socket neither listens nor has an association, so
     * usrsctp would answer the peer's INIT with an ABORT.  Dropping it is
     * harmless: our own INIT crosses it (RFC 4960 §5.2.1). */
    if (sctp->state == SCTP_ST_NEW)
        return;
    peerc__sctp_lock();
    usrsctp_conninput((void *)sctp->id, pkt, len, 0);
    peerc__sctp_unlock();
}

int peerc__sctp_set_connected(peerc_sctp *sctp)
{
    if (sctp->state == SCTP_ST_CONNECTED || sctp->state == SCTP_ST_CLOSED)
        return 0;
    sctp->state = SCTP_ST_CONNECTED;
    PEERC_DEBUG("sctp", "association %lu up: %u out / %u in streams", (unsigned long)sctp->id,
                sctp->out_streams, sctp->in_streams);
    if (sctp->cbs.connected)
        sctp->cbs.connected(sctp->ud);
    if (sctp->freed)
        return -1;
    /* Messages queued while connecting go out now. */
    peerc__sctp_bridge_wake(sctp);
    return 0;
}

int peerc__sctp_set_closed(peerc_sctp *sctp, int code, const char *reason)
{
    if (sctp->state == SCTP_ST_CLOSED)
        return 0;
    sctp->state = SCTP_ST_CLOSED;
    peerc__sctp_send_clear(sctp);
    PEERC_DEBUG("sctp", "association %lu closed: %s", (unsigned long)sctp->id, reason);
    if (sctp->cbs.closed)
        sctp->cbs.closed(sctp->ud, code, reason);
    return sctp->freed ? -1 : 0;
}

int peerc__sctp_is_connected(const peerc_sctp *sctp)
{
    return sctp && sctp->state == SCTP_ST_CONNECTED;
}

uint16_t peerc__sctp_max_streams(const peerc_sctp *sctp)
{
    if (!sctp || sctp->state != SCTP_ST_CONNECTED)
        return 0;
    return MIN(sctp->in_streams, sctp->out_streams);
}

const char *peerc__sctp_last_error(const peerc_sctp *sctp)
{
    return sctp ? sctp->err : "";
}

void peerc__sctp_set_remote_max_message_size(peerc_sctp *sctp, uint64_t max)
{
    if (sctp)
        sctp->remote_max = max;
}

uint64_t peerc__sctp_max_message_size(const peerc_sctp *sctp)
{
    if (!sctp)
        return 0;
    if (sctp->remote_max == 0 || sctp->remote_max > PEERC_SCTP_SEND_BUFFER)
        return PEERC_SCTP_SEND_BUFFER;
    return sctp->remote_max;
}

/* Close the socket (ABORT) while the registry still routes its output,
 * so the ABORT reaches the peer. */
static void close_socket(peerc_sctp *sctp)
{
    peerc__sctp_lock();
    if (sctp->so) {
        usrsctp_set_upcall(sctp->so, NULL, NULL);
        usrsctp_close(sctp->so);
        usrsctp_deregister_address((void *)sctp->id);
        sctp->so = NULL;
    }
    peerc__sctp_unlock();
    peerc__sctp_bridge_remove(sctp);
}

void peerc__sctp_free(peerc_sctp *sctp)
{
    /* freeing guards against a send callback freeing us again while the
     * ABORT goes out; freed stops all callbacks. */
    if (!sctp || sctp->freeing)
        return;
    sctp->freeing = 1;
    int was_up = sctp->so && sctp->state != SCTP_ST_NEW && sctp->state != SCTP_ST_CLOSED;
    close_socket(sctp);
    int ignored;
    sctp_pkt *pkts = peerc__sctp_bridge_take(sctp, &ignored);
    if (!was_up) {
        while (pkts) {
            sctp_pkt *next = pkts->next;
            free(pkts);
            pkts = next;
        }
    }
    /* The ABORT is the last packet we owe the peer; sent before we are
     * marked freed so deliver_packets passes it on. */
    deliver_packets(sctp, pkts);
    sctp->freed = 1;
    if (sctp->reset_retry) {
        g_source_destroy(sctp->reset_retry);
        g_source_unref(sctp->reset_retry);
        sctp->reset_retry = NULL;
    }
    g_source_destroy(sctp->wake);
    if (sctp->global_ref)
        peerc__sctp_global_release();
    sctp->global_ref = 0;
    PEERC_DEBUG("sctp", "association %lu freed", (unsigned long)sctp->id);
    peerc__sctp_unref(sctp);
}

int peerc__sctp_get_stats(peerc_sctp *sctp, peerc_sctp_stats *out)
{
    if (!sctp || !out)
        return PEERC_E_INVALID_ARGUMENT;
    *out = sctp->stats;
    if (sctp->state != SCTP_ST_CONNECTED || !sctp->so)
        return PEERC_OK;
    struct sctp_status st;
    socklen_t len = sizeof st;
    memset(&st, 0, sizeof st);
    peerc__sctp_lock();
    int rc = usrsctp_getsockopt(sctp->so, IPPROTO_SCTP, SCTP_STATUS, &st, &len);
    peerc__sctp_unlock();
    if (rc == 0) {
        out->srtt_ms = st.sstat_primary.spinfo_srtt;
        out->cwnd = st.sstat_primary.spinfo_cwnd;
    }
    return PEERC_OK;
}

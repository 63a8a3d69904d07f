/*
 * Receive side: read the socket until it would block, reassemble messages
 * that usrsctp hands over in parts, and act on notifications.
 *
 * With fragment interleave level 2 (needed for I-DATA, RFC 8260 §2.4),
 * parts of messages on different streams may alternate, so reassembly is
 * per stream.
 */
#include "sctp/sctp-private.h"

#include "core/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define RBUF_SIZE 65536
#define READ_BUDGET 256 /* reads per dispatch, so one peer cannot starve the loop */
/* Notifications can carry a whole failed message (SEND_FAILED); the
 * headers we read are far smaller. */
#define NOTIF_KEEP 4096
/* Incoming messages larger than we advertise are dropped (RFC 8841 §6.1
 * forbids the peer to send them).  Allow some slack for peers that send
 * exactly at a larger limit than ours. */
#define RECV_MAX (4 * PEERC_SCTP_MAX_MESSAGE_SIZE)

static void byte_array_free(gpointer p)
{
    g_byte_array_unref(p);
}

void peerc__sctp_recv_init(peerc_sctp *sctp)
{
    sctp->rbuf = malloc(RBUF_SIZE);
    sctp->partial = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, byte_array_free);
    sctp->oversize = g_hash_table_new(g_direct_hash, g_direct_equal);
    sctp->notif = g_byte_array_new();
}

void peerc__sctp_recv_clear(peerc_sctp *sctp)
{
    free(sctp->rbuf);
    sctp->rbuf = NULL;
    if (sctp->partial)
        g_hash_table_destroy(sctp->partial);
    if (sctp->oversize)
        g_hash_table_destroy(sctp->oversize);
    if (sctp->notif)
        g_byte_array_unref(sctp->notif);
    sctp->partial = sctp->oversize = NULL;
    sctp->notif = NULL;
}

static void drop_partial(peerc_sctp *sctp, uint16_t sid)
{
    g_hash_table_remove(sctp->partial, GUINT_TO_POINTER(sid));
    g_hash_table_remove(sctp->oversize, GUINT_TO_POINTER(sid));
}

static int deliver(peerc_sctp *sctp, uint16_t sid, uint32_t ppid, const uint8_t *data, size_t len)
{
    sctp->stats.messages_received++;
    sctp->stats.bytes_received += len;
    if (sctp->cbs.message)
        sctp->cbs.message(sctp->ud, sid, ppid, data, len);
    return sctp->freed ? -1 : 0;
}

static int on_data(peerc_sctp *sctp, const struct sctp_rcvinfo *info, const uint8_t *data,
                   size_t len, int eor)
{
    uint16_t sid = info->rcv_sid;
    uint32_t ppid = ntohl(info->rcv_ppid); /* the socket API keeps wire order */
    gpointer key = GUINT_TO_POINTER(sid);

    if (g_hash_table_contains(sctp->oversize, key)) {
        if (eor)
            g_hash_table_remove(sctp->oversize, key);
        return 0;
    }
    GByteArray *acc = g_hash_table_lookup(sctp->partial, key);
    if (!acc && eor)
        return deliver(sctp, sid, ppid, data, len); /* the common case: no copy */
    size_t have = acc ? acc->len : 0;
    if (have + len > RECV_MAX) {
        PEERC_WARN("sctp", "dropping a message over %u bytes on stream %u", RECV_MAX, sid);
        g_hash_table_remove(sctp->partial, key);
        if (!eor)
            g_hash_table_add(sctp->oversize, key);
        return 0;
    }
    if (!acc) {
        acc = g_byte_array_sized_new((guint)MAX(len * 2, (size_t)RBUF_SIZE));
        g_hash_table_insert(sctp->partial, key, acc);
    }
    g_byte_array_append(acc, data, (guint)len);
    if (!eor)
        return 0;
    g_hash_table_steal(sctp->partial, key); /* a callback may free sctp */
    int rc = deliver(sctp, sid, ppid, acc->data, acc->len);
    g_byte_array_unref(acc);
    return rc;
}

static int on_assoc_change(peerc_sctp *sctp, const struct sctp_assoc_change *ac)
{
    switch (ac->sac_state) {
    case SCTP_COMM_UP:
        sctp->in_streams = ac->sac_inbound_streams;
        sctp->out_streams = ac->sac_outbound_streams;
        return peerc__sctp_set_connected(sctp);
    case SCTP_RESTART:
        /* The peer restarted (RFC 4960 §5.2.4): stream sequence state is
         * gone on both sides; channels carry on. */
        PEERC_WARN("sctp", "association %lu restarted by the peer", (unsigned long)sctp->id);
        return 0;
    case SCTP_COMM_LOST:
        return peerc__sctp_set_closed(sctp, PEERC_E_NETWORK, "association lost or aborted");
    case SCTP_SHUTDOWN_COMP:
        return peerc__sctp_set_closed(sctp, PEERC_OK, "association shut down");
    case SCTP_CANT_STR_ASSOC:
        return peerc__sctp_set_closed(sctp, PEERC_E_NETWORK, "association setup failed");
    default:
        return 0;
    }
}

static int on_stream_reset(peerc_sctp *sctp, const struct sctp_stream_reset_event *ev,
                           size_t len)
{
    if (len < sizeof *ev)
        return 0;
    size_t n = (len - sizeof *ev) / sizeof(uint16_t);
    int failed = (ev->strreset_flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED)) != 0;
    if (n == 0)
        PEERC_WARN("sctp", "reset of all streams not supported; ignored");
    for (size_t i = 0; i < n; i++) {
        uint16_t sid = ev->strreset_stream_list[i];
        if (ev->strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN) {
            if (failed)
                continue;
            drop_partial(sctp, sid);
            PEERC_DEBUG("sctp", "peer reset its stream %u", sid);
            if (sctp->cbs.stream_reset)
                sctp->cbs.stream_reset(sctp->ud, sid);
            if (sctp->freed)
                return -1;
        }
        if (ev->strreset_flags & SCTP_STREAM_RESET_OUTGOING_SSN) {
            if (peerc__sctp_send_reset_result(sctp, sid, !failed) < 0)
                return -1;
        }
    }
    return 0;
}

static int on_notification(peerc_sctp *sctp, const uint8_t *buf, size_t len)
{
    const union sctp_notification *n = (const void *)buf;
    if (len < sizeof n->sn_header)
        return 0;
    switch (n->sn_header.sn_type) {
    case SCTP_ASSOC_CHANGE:
        if (len >= sizeof n->sn_assoc_change)
            return on_assoc_change(sctp, &n->sn_assoc_change);
        break;
    case SCTP_STREAM_RESET_EVENT:
        if (len >= sizeof n->sn_strreset_event)
            return on_stream_reset(sctp, &n->sn_strreset_event,
                                   MIN(len, (size_t)n->sn_header.sn_length));
        break;
    case SCTP_STREAM_CHANGE_EVENT:
        if (len >= sizeof n->sn_strchange_event) {
            sctp->in_streams = n->sn_strchange_event.strchange_instrms;
            sctp->out_streams = n->sn_strchange_event.strchange_outstrms;
        }
        break;
    case SCTP_PARTIAL_DELIVERY_EVENT:
        if (len >= sizeof n->sn_pdapi_event &&
            n->sn_pdapi_event.pdapi_indication == SCTP_PARTIAL_DELIVERY_ABORTED)
            drop_partial(sctp, (uint16_t)n->sn_pdapi_event.pdapi_stream);
        break;
    case SCTP_SEND_FAILED_EVENT:
        /* Normal for partially reliable messages (RFC 3758 abandonment). */
        if (len >= sizeof n->sn_send_failed_event)
            PEERC_DEBUG("sctp", "message on stream %u abandoned",
                        n->sn_send_failed_event.ssfe_info.snd_sid);
        break;
    case SCTP_REMOTE_ERROR:
        if (len >= sizeof n->sn_remote_error)
            PEERC_WARN("sctp", "peer reported error cause %u", n->sn_remote_error.sre_error);
        break;
    case SCTP_SHUTDOWN_EVENT:
        PEERC_DEBUG("sctp", "peer is shutting the association down");
        break;
    case SCTP_SENDER_DRY_EVENT:
        break; /* everything acknowledged: send_progress runs after the read */
    default:
        break;
    }
    return 0;
}

static int on_notification_part(peerc_sctp *sctp, const uint8_t *data, size_t len, int eor)
{
    GByteArray *nb = sctp->notif;
    if (nb->len < NOTIF_KEEP)
        g_byte_array_append(nb, data, (guint)MIN(len, (size_t)(NOTIF_KEEP - nb->len)));
    if (!eor)
        return 0;
    sctp->notif = g_byte_array_new(); /* a callback may free sctp */
    int rc = on_notification(sctp, nb->data, nb->len);
    g_byte_array_unref(nb);
    return rc;
}

/* A read error or end of file: the association is over. */
static int on_read_end(peerc_sctp *sctp, int err)
{
    if (sctp->state == SCTP_ST_NEW || sctp->state == SCTP_ST_CLOSED)
        return 0;
    if (err == 0)
        return peerc__sctp_set_closed(sctp, PEERC_OK, "association shut down");
    char reason[96];
    g_snprintf(reason, sizeof reason, "receive failed: %s", g_strerror(err));
    return peerc__sctp_set_closed(sctp, PEERC_E_NETWORK, reason);
}

int peerc__sctp_recv_drain(peerc_sctp *sctp)
{
    for (int i = 0; i < READ_BUDGET; i++) {
        struct sctp_rcvinfo info;
        socklen_t infolen = sizeof info;
        unsigned int infotype = 0;
        int flags = 0;
        struct sockaddr_conn from;
        socklen_t fromlen = sizeof from;
        memset(&info, 0, sizeof info);

        if (!sctp->so || sctp->state == SCTP_ST_CLOSED)
            return 0;
        peerc__sctp_lock();
        ssize_t n = usrsctp_recvv(sctp->so, sctp->rbuf, RBUF_SIZE, (struct sockaddr *)&from,
                                  &fromlen, &info, &infolen, &infotype, &flags);
        int err = errno;
        peerc__sctp_unlock();

        if (n < 0) {
            if (err == EWOULDBLOCK || err == EAGAIN || err == ENOTCONN)
                return 0;
            return on_read_end(sctp, err);
        }
        if (n == 0 && !(flags & MSG_NOTIFICATION))
            return on_read_end(sctp, 0);
        int rc;
        if (flags & MSG_NOTIFICATION)
            rc = on_notification_part(sctp, sctp->rbuf, (size_t)n, flags & MSG_EOR);
        else if (infotype == SCTP_RECVV_RCVINFO)
            rc = on_data(sctp, &info, sctp->rbuf, (size_t)n, flags & MSG_EOR);
        else
            rc = 0; /* SCTP_RECVRCVINFO is on: cannot happen */
        if (rc < 0)
            return -1;
    }
    peerc__sctp_bridge_wake(sctp); /* more to read: continue next iteration */
    return 0;
}

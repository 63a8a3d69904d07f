/*
 * Send side: our queue in front of usrsctp's send buffer, buffered-amount
 * accounting, and outgoing stream resets (RFC 6525).
 *
 * The socket is non-blocking and messages are atomic (no explicit EOR), so
 * usrsctp either takes a whole message or says EWOULDBLOCK; then it waits
 * in our queue until a socket upcall reports room.
 */
#include "sctp/sctp-private.h"

#include "core/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define RESET_RETRY_MS 50
#define RESET_MAX_TRIES 5

enum { TRY_SENT, TRY_BLOCKED, TRY_FAILED };

static int resets_wanted(const peerc_sctp *sctp)
{
    for (int i = 0; i < PEERC_SCTP_MAX_STREAMS; i++)
        if (sctp->reset[i] == SCTP_RESET_WANTED)
            return 1;
    return 0;
}

void peerc__sctp_send_clear(peerc_sctp *sctp)
{
    sctp_msg *m;
    sctp_sent *s;
    while ((m = g_queue_pop_head(&sctp->sendq)))
        free(m);
    while ((s = g_queue_pop_head(&sctp->sentq)))
        free(s);
    memset(sctp->queued, 0, sizeof sctp->queued);
    memset(sctp->in_stack, 0, sizeof sctp->in_stack);
    memset(sctp->reset, 0, sizeof sctp->reset);
    memset(sctp->reset_tries, 0, sizeof sctp->reset_tries);
    sctp->queued_total = sctp->in_stack_total = 0;
}

static void note_in_stack(peerc_sctp *sctp, uint16_t sid, size_t len)
{
    sctp_sent *tail = g_queue_peek_tail(&sctp->sentq);
    if (tail && tail->sid == sid) {
        tail->bytes += len;
    } else {
        sctp_sent *s = malloc(sizeof *s);
        if (!s)
            return; /* accounting only; the message itself went out */
        s->sid = sid;
        s->bytes = len;
        g_queue_push_tail(&sctp->sentq, s);
    }
    sctp->in_stack[sid] += len;
    sctp->in_stack_total += len;
}

/* Spread acknowledged bytes over streams, oldest first: exact in total,
 * approximate per stream when streams interleave. */
static void retire(peerc_sctp *sctp, uint64_t bytes)
{
    sctp_sent *s;
    while (bytes && (s = g_queue_peek_head(&sctp->sentq))) {
        uint64_t x = MIN(bytes, s->bytes);
        s->bytes -= x;
        bytes -= x;
        sctp->in_stack[s->sid] -= MIN(x, sctp->in_stack[s->sid]);
        sctp->in_stack_total -= x;
        if (s->bytes == 0)
            free(g_queue_pop_head(&sctp->sentq));
    }
}

/* How much of what we handed usrsctp is still unacknowledged.  The total
 * includes chunk headers, so per-stream figures lag until it drains. */
static void refresh_acked(peerc_sctp *sctp)
{
    if (!sctp->in_stack_total)
        return;
    uint64_t before = sctp->in_stack_total;
    struct {
        sctp_assoc_t assoc_id;
        uint32_t total_sndbuf;
        uint32_t spare[2];
    } use;
    socklen_t len = sizeof use;
    memset(&use, 0, sizeof use);
    int rc = -1;
    if (!sctp->sndbuf_use_broken) {
        peerc__sctp_lock();
        rc = usrsctp_getsockopt(sctp->so, IPPROTO_SCTP, SCTP_GET_SNDBUF_USE, &use, &len);
        peerc__sctp_unlock();
        if (rc != 0) {
            sctp->sndbuf_use_broken = 1;
            PEERC_WARN("sctp", "SCTP_GET_SNDBUF_USE unsupported: buffered amounts exclude usrsctp");
        }
    }
    if (rc != 0 || use.total_sndbuf == 0)
        retire(sctp, sctp->in_stack_total);
    else if (use.total_sndbuf < sctp->in_stack_total)
        retire(sctp, sctp->in_stack_total - use.total_sndbuf);
    if (sctp->in_stack_total < before)
        sctp->progress = 1;
}

static int try_send(peerc_sctp *sctp, const sctp_msg *m, int *err)
{
    struct sctp_sendv_spa spa;
    memset(&spa, 0, sizeof spa);
    spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
    spa.sendv_sndinfo.snd_sid = m->sid;
    spa.sendv_sndinfo.snd_flags = m->flags;
    spa.sendv_sndinfo.snd_ppid = htonl(m->ppid); /* the socket API keeps wire order */
    if (m->pr_policy != SCTP_PR_SCTP_NONE) {
        spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
        spa.sendv_prinfo.pr_policy = m->pr_policy;
        spa.sendv_prinfo.pr_value = m->pr_value;
    }
    peerc__sctp_lock();
    ssize_t n = usrsctp_sendv(sctp->so, m->data, m->len, NULL, 0, &spa, (socklen_t)sizeof spa,
                              SCTP_SENDV_SPA, 0);
    *err = errno;
    peerc__sctp_unlock();
    if (n >= 0) {
        note_in_stack(sctp, m->sid, m->len);
        sctp->stats.messages_sent++;
        sctp->stats.bytes_sent += m->len;
        return TRY_SENT;
    }
    if (*err == EWOULDBLOCK || *err == EAGAIN)
        return TRY_BLOCKED;
    return TRY_FAILED;
}

static void flush(peerc_sctp *sctp)
{
    sctp_msg *m;
    while ((m = g_queue_peek_head(&sctp->sendq))) {
        int err;
        int r = try_send(sctp, m, &err);
        if (r == TRY_BLOCKED)
            return;
        g_queue_pop_head(&sctp->sendq);
        sctp->queued[m->sid] -= m->len;
        sctp->queued_total -= m->len;
        if (r == TRY_FAILED) {
            /* e.g. a stream id beyond what the peer granted */
            PEERC_WARN("sctp", "dropping a %zu-byte message on stream %u: %s", m->len, m->sid,
                       strerror(err));
            sctp->progress = 1;
        }
        free(m);
    }
}

static gboolean on_reset_retry(gpointer data)
{
    peerc_sctp *sctp = data;
    g_source_unref(sctp->reset_retry);
    sctp->reset_retry = NULL;
    peerc__sctp_bridge_wake(sctp);
    return G_SOURCE_REMOVE;
}

static void arm_reset_retry(peerc_sctp *sctp)
{
    if (sctp->reset_retry)
        return;
    sctp->reset_retry = g_timeout_source_new(RESET_RETRY_MS);
    g_source_set_callback(sctp->reset_retry, on_reset_retry, sctp, NULL);
    g_source_attach(sctp->reset_retry, sctp->mc);
}

/* Give up on (or finish) resetting sid and tell the owner. */
static int reset_done(peerc_sctp *sctp, uint16_t sid)
{
    sctp->reset[sid] = SCTP_RESET_NONE;
    sctp->reset_tries[sid] = 0;
    if (sctp->cbs.reset_complete)
        sctp->cbs.reset_complete(sctp->ud, sid);
    return sctp->freed ? -1 : 0;
}

/* RFC 6525 §5.1.2 allows one outstanding request, so every stream waiting
 * goes into the next request.  A stream still holding messages in our queue
 * waits: RFC 8831 §6.7 wants them delivered before the reset (usrsctp itself
 * holds the request until its own queue for the stream is empty). */
static int issue_resets(peerc_sctp *sctp)
{
    uint16_t list[PEERC_SCTP_MAX_STREAMS];
    uint16_t n = 0;
    for (int i = 0; i < PEERC_SCTP_MAX_STREAMS; i++)
        if (sctp->reset[i] == SCTP_RESET_WANTED && sctp->queued[i] == 0)
            list[n++] = (uint16_t)i;
    if (!n)
        return 0;
    size_t size = sizeof(struct sctp_reset_streams) + n * sizeof(uint16_t);
    struct sctp_reset_streams *rs = g_malloc0(size);
    rs->srs_assoc_id = SCTP_ALL_ASSOC;
    rs->srs_flags = SCTP_STREAM_RESET_OUTGOING;
    rs->srs_number_streams = n;
    memcpy(rs->srs_stream_list, list, n * sizeof(uint16_t));
    peerc__sctp_lock();
    int rc = usrsctp_setsockopt(sctp->so, IPPROTO_SCTP, SCTP_RESET_STREAMS, rs, (socklen_t)size);
    int err = errno;
    peerc__sctp_unlock();
    g_free(rs);
    if (rc == 0) {
        for (uint16_t i = 0; i < n; i++)
            sctp->reset[list[i]] = SCTP_RESET_INFLIGHT;
        return 0;
    }
    if (err == EALREADY || err == EBUSY || err == EAGAIN) {
        arm_reset_retry(sctp); /* a request is outstanding */
        return 0;
    }
    /* ENOENT: the peer does not support RE-CONFIG; nothing will change. */
    PEERC_WARN("sctp", "stream reset request failed: %s", strerror(err));
    for (uint16_t i = 0; i < n; i++)
        if (reset_done(sctp, list[i]) < 0)
            return -1;
    return 0;
}

int peerc__sctp_send_reset_result(peerc_sctp *sctp, uint16_t sid, int ok)
{
    if (sid >= PEERC_SCTP_MAX_STREAMS || sctp->reset[sid] != SCTP_RESET_INFLIGHT)
        return 0;
    if (ok)
        return reset_done(sctp, sid);
    if (++sctp->reset_tries[sid] >= RESET_MAX_TRIES) {
        PEERC_WARN("sctp", "peer keeps refusing to reset stream %u; giving up", sid);
        return reset_done(sctp, sid);
    }
    /* Refused or "in progress" (RFC 6525 §4.4): ask again shortly. */
    sctp->reset[sid] = SCTP_RESET_WANTED;
    arm_reset_retry(sctp);
    return 0;
}

int peerc__sctp_send_progress(peerc_sctp *sctp)
{
    if (sctp->state != SCTP_ST_CONNECTED)
        return 0;
    refresh_acked(sctp);
    flush(sctp);
    if (resets_wanted(sctp) && issue_resets(sctp) < 0)
        return -1;
    if (sctp->progress) {
        sctp->progress = 0;
        if (sctp->cbs.writable)
            sctp->cbs.writable(sctp->ud);
        if (sctp->freed)
            return -1;
    }
    return 0;
}

static sctp_msg *make_msg(uint16_t sid, uint32_t ppid, int ordered, int32_t max_retransmits,
                          int32_t max_packet_life_ms, const uint8_t *data, size_t len)
{
    sctp_msg *m = malloc(sizeof *m + len);
    if (!m)
        return NULL;
    m->sid = sid;
    m->ppid = ppid;
    m->flags = ordered ? 0 : SCTP_UNORDERED;
    m->pr_policy = SCTP_PR_SCTP_NONE;
    m->pr_value = 0;
    if (max_retransmits >= 0) {
        m->pr_policy = SCTP_PR_SCTP_RTX; /* RFC 8831 §6.4 "limited retransmissions" */
        m->pr_value = (uint32_t)max_retransmits;
    } else if (max_packet_life_ms >= 0) {
        m->pr_policy = SCTP_PR_SCTP_TTL; /* RFC 8831 §6.4 "timed reliability" */
        m->pr_value = (uint32_t)max_packet_life_ms;
    }
    m->len = len;
    memcpy(m->data, data, len);
    return m;
}

int peerc__sctp_send(peerc_sctp *sctp, uint16_t sid, uint32_t ppid, int ordered,
                     int32_t max_retransmits, int32_t max_packet_life_ms, const uint8_t *data,
                     size_t len)
{
    if (!sctp || !data || sctp->freeing)
        return PEERC_E_INVALID_ARGUMENT;
    if (len == 0)
        return peerc__errorf(sctp->err, sizeof sctp->err, PEERC_E_INVALID_ARGUMENT,
                             "SCTP cannot carry empty messages (RFC 8831 §6.6)");
    if (max_retransmits >= 0 && max_packet_life_ms >= 0)
        return peerc__errorf(sctp->err, sizeof sctp->err, PEERC_E_INVALID_ARGUMENT,
                             "max retransmits and max packet life are exclusive");
    if (sid >= PEERC_SCTP_MAX_STREAMS)
        return peerc__errorf(sctp->err, sizeof sctp->err, PEERC_E_RANGE,
                             "stream id %u out of range", sid);
    if (sctp->state == SCTP_ST_CLOSED)
        return peerc__errorf(sctp->err, sizeof sctp->err, PEERC_E_INVALID_STATE,
                             "association closed");
    if (sctp->reset[sid] != SCTP_RESET_NONE)
        return peerc__errorf(sctp->err, sizeof sctp->err, PEERC_E_INVALID_STATE,
                             "stream %u is being reset", sid);
    if (len > peerc__sctp_max_message_size(sctp))
        return peerc__errorf(sctp->err, sizeof sctp->err, PEERC_E_INVALID_ARGUMENT,
                             "message of %zu bytes exceeds max-message-size %llu", len,
                             (unsigned long long)peerc__sctp_max_message_size(sctp));
    sctp_msg *m = make_msg(sid, ppid, ordered, max_retransmits, max_packet_life_ms, data, len);
    if (!m)
        return PEERC_E_NO_MEMORY;
    if (sctp->state == SCTP_ST_CONNECTED && g_queue_is_empty(&sctp->sendq)) {
        int err;
        int r = try_send(sctp, m, &err);
        if (r != TRY_BLOCKED) {
            free(m);
            if (r == TRY_SENT)
                return PEERC_OK;
            return peerc__errorf(sctp->err, sizeof sctp->err, PEERC_E_OPERATION,
                                 "usrsctp_sendv on stream %u: %s", sid, strerror(err));
        }
    }
    g_queue_push_tail(&sctp->sendq, m);
    sctp->queued[sid] += len;
    sctp->queued_total += len;
    return PEERC_OK;
}

uint64_t peerc__sctp_buffered_amount(const peerc_sctp *sctp, uint16_t sid)
{
    if (!sctp || sid >= PEERC_SCTP_MAX_STREAMS)
        return 0;
    return sctp->queued[sid] + sctp->in_stack[sid];
}

int peerc__sctp_reset_stream(peerc_sctp *sctp, uint16_t sid)
{
    if (!sctp || sctp->freeing)
        return PEERC_E_INVALID_ARGUMENT;
    if (sid >= PEERC_SCTP_MAX_STREAMS)
        return PEERC_E_RANGE;
    if (sctp->state != SCTP_ST_CONNECTED)
        return peerc__errorf(sctp->err, sizeof sctp->err, PEERC_E_INVALID_STATE,
                             "association not connected");
    if (sctp->reset[sid] == SCTP_RESET_NONE) {
        sctp->reset[sid] = SCTP_RESET_WANTED;
        sctp->reset_tries[sid] = 0;
        peerc__sctp_bridge_wake(sctp); /* issued from the next dispatch */
    }
    return PEERC_OK;
}

/*
 * Two peerc_sctp back to back on one GMainContext (no DTLS): the send
 * callback of one feeds the other through an idle source.  A link mode per
 * direction drops or holds packets to exercise partial reliability and
 * buffering.
 */
#include "sctp/sctp.h"

#include <peerc/common.h>

#include "../tap.h"

#include <glib.h>
#include <string.h>
#include <unistd.h>

enum link_mode { LINK_PASS, LINK_DROP, LINK_HOLD };

#define BIG (256 * 1024)
#define N_SMALL 1000
#define N_UNORDERED 100
#define N_CHUNKS 40
#define CHUNK (64 * 1024)

typedef struct peer {
    const char *name;
    GMainContext *mc;
    peerc_sctp *s;
    struct peer *other;
    enum link_mode link;
    GQueue held;
    size_t max_pkt;
    int dropped;
    int connected, closed, close_code;
    int next_seq; /* sid 1 ordering */
    int seq_errors;
    int big_ok, big_bad;
    int unordered;
    int sid4_first, sid4_after;
    int chunks;
    int writable;
    int reset_seen[8], reset_done[8];
    int msgs_before_reset6;
    int sid6_msgs;
    int free_on_message, messages;
} peer;

typedef struct packet {
    peer *to;
    size_t len;
    uint8_t data[];
} packet;

static gboolean deliver_packet(gpointer data)
{
    packet *p = data;
    if (p->to->s)
        peerc__sctp_receive(p->to->s, p->data, p->len);
    return G_SOURCE_REMOVE;
}

static void post_packet(peer *from, packet *p)
{
    GSource *src = g_idle_source_new();
    g_source_set_callback(src, deliver_packet, p, g_free);
    g_source_attach(src, from->mc);
    g_source_unref(src);
}

static void on_send(void *ud, const uint8_t *pkt, size_t len)
{
    peer *p = ud;
    if (len > p->max_pkt)
        p->max_pkt = len;
    if (p->link == LINK_DROP) {
        p->dropped++;
        return;
    }
    packet *copy = g_malloc(sizeof *copy + len);
    copy->to = p->other;
    copy->len = len;
    memcpy(copy->data, pkt, len);
    if (p->link == LINK_HOLD)
        g_queue_push_tail(&p->held, copy);
    else
        post_packet(p, copy);
}

static void release_held(peer *p)
{
    packet *copy;
    p->link = LINK_PASS;
    while ((copy = g_queue_pop_head(&p->held)))
        post_packet(p, copy);
}

static void on_connected(void *ud)
{
    ((peer *)ud)->connected = 1;
}

static void on_closed(void *ud, int code, const char *reason)
{
    peer *p = ud;
    p->closed++;
    p->close_code = code;
    (void)reason;
}

static uint8_t pattern(size_t i, unsigned seed)
{
    return (uint8_t)((i * 2654435761u + seed) >> 13);
}

static void on_message(void *ud, uint16_t sid, uint32_t ppid, const uint8_t *data, size_t len)
{
    peer *p = ud;
    char want[32];
    p->messages++;
    if (p->free_on_message) {
        peerc__sctp_free(p->s); /* from inside a callback */
        p->s = NULL;
        return;
    }
    switch (sid) {
    case 1:
        g_snprintf(want, sizeof want, "msg %d", p->next_seq);
        if (ppid != PEERC_SCTP_PPID_STRING || len != strlen(want) || memcmp(data, want, len))
            p->seq_errors++;
        p->next_seq++;
        break;
    case 2: {
        int ok = len == BIG && ppid == PEERC_SCTP_PPID_BINARY;
        for (size_t i = 0; ok && i < len; i++)
            ok = data[i] == pattern(i, 7);
        if (ok)
            p->big_ok++;
        else
            p->big_bad++;
        break;
    }
    case 3:
        p->unordered++;
        break;
    case 4:
        if (len == 5 && memcmp(data, "first", 5) == 0)
            p->sid4_first++;
        if (len == 5 && memcmp(data, "after", 5) == 0)
            p->sid4_after++;
        break;
    case 5:
        p->chunks++;
        break;
    case 6:
        p->sid6_msgs++;
        break;
    default:
        break;
    }
}

static void on_stream_reset(void *ud, uint16_t sid)
{
    peer *p = ud;
    if (sid < 8)
        p->reset_seen[sid]++;
    if (sid == 6)
        p->msgs_before_reset6 = p->sid6_msgs;
}

static void on_reset_complete(void *ud, uint16_t sid)
{
    peer *p = ud;
    if (sid < 8)
        p->reset_done[sid]++;
}

static void on_writable(void *ud)
{
    ((peer *)ud)->writable++;
}

static const peerc_sctp_callbacks cbs = {
    .send = on_send,
    .connected = on_connected,
    .closed = on_closed,
    .message = on_message,
    .stream_reset = on_stream_reset,
    .reset_complete = on_reset_complete,
    .writable = on_writable,
};

static gboolean on_deadline(gpointer data)
{
    *(int *)data = 1;
    return G_SOURCE_REMOVE;
}

/* Iterate mc until cond() holds or timeout_ms passes; returns cond(). */
static int run_until(GMainContext *mc, int (*cond)(peer *, peer *), peer *a, peer *b,
                     int timeout_ms)
{
    int expired = 0;
    GSource *t = g_timeout_source_new((guint)timeout_ms);
    g_source_set_callback(t, on_deadline, &expired, NULL);
    g_source_attach(t, mc);
    while (!(cond && cond(a, b)) && !expired)
        g_main_context_iteration(mc, TRUE);
    g_source_destroy(t);
    g_source_unref(t);
    return cond ? cond(a, b) : 1;
}

static int both_connected(peer *a, peer *b)
{
    return a->connected && b->connected;
}

static int small_done(peer *a, peer *b)
{
    return a->next_seq >= N_SMALL && b->next_seq >= N_SMALL;
}

static int big_done(peer *a, peer *b)
{
    return a->big_ok + a->big_bad >= 1 && b->big_ok + b->big_bad >= 1;
}

static int unordered_done(peer *a, peer *b)
{
    (void)a;
    return b->unordered >= N_UNORDERED;
}

static int after_arrived(peer *a, peer *b)
{
    (void)a;
    return b->sid4_after >= 1;
}

static int chunks_drained(peer *a, peer *b)
{
    return b->chunks >= N_CHUNKS && peerc__sctp_buffered_amount(a->s, 5) == 0;
}

static int reset_seen_b(peer *a, peer *b)
{
    return b->reset_seen[6] && a->reset_done[6];
}

static int reset_seen_a(peer *a, peer *b)
{
    return a->reset_seen[6] && b->reset_done[6];
}

static int b_closed(peer *a, peer *b)
{
    (void)a;
    return b->closed > 0;
}

static void pair_init(peer *a, peer *b, GMainContext *mc)
{
    memset(a, 0, sizeof *a);
    memset(b, 0, sizeof *b);
    a->name = "A";
    b->name = "B";
    a->mc = b->mc = mc;
    a->other = b;
    b->other = a;
    g_queue_init(&a->held);
    g_queue_init(&b->held);
}

static int pair_open(peer *a, peer *b)
{
    if (peerc__sctp_new(a->mc, 5000, 5000, &cbs, a, &a->s) != PEERC_OK ||
        peerc__sctp_new(b->mc, 5000, 5000, &cbs, b, &b->s) != PEERC_OK)
        return 0;
    peerc__sctp_set_remote_max_message_size(a->s, BIG);
    peerc__sctp_set_remote_max_message_size(b->s, BIG);
    return peerc__sctp_connect(a->s) == PEERC_OK && peerc__sctp_connect(b->s) == PEERC_OK;
}

/* Free both and let queued packets (now for nobody) be released. */
static void pair_close(peer *a, peer *b)
{
    packet *p;
    peerc__sctp_free(a->s);
    a->s = NULL;
    peerc__sctp_free(b->s);
    b->s = NULL;
    while ((p = g_queue_pop_head(&a->held)))
        g_free(p);
    while ((p = g_queue_pop_head(&b->held)))
        g_free(p);
    while (g_main_context_iteration(a->mc, FALSE))
        ;
}

static int send_str(peer *p, uint16_t sid, const char *s)
{
    return peerc__sctp_send(p->s, sid, PEERC_SCTP_PPID_STRING, 1, -1, -1, (const uint8_t *)s,
                            strlen(s));
}

static void test_basics(GMainContext *mc)
{
    peer a, b;
    pair_init(&a, &b, mc);
    ok(pair_open(&a, &b), "two associations created, both connect (simultaneous open)");
    ok(run_until(mc, both_connected, &a, &b, 3000), "association up on both sides");
    is_int(peerc__sctp_max_streams(a.s), 1024, "1024 streams each way");
    ok(peerc__sctp_is_connected(b.s), "is_connected");

    /* 1,000 messages each way, in order */
    int rc = 0;
    for (int i = 0; i < N_SMALL; i++) {
        char m[32];
        g_snprintf(m, sizeof m, "msg %d", i);
        rc |= send_str(&a, 1, m) | send_str(&b, 1, m);
    }
    is_int(rc, 0, "1000 sends each way accepted");
    ok(run_until(mc, small_done, &a, &b, 10000), "1000 messages arrived each way");
    is_int(a.seq_errors + b.seq_errors, 0, "in order and intact");

    /* 256 KiB both ways */
    uint8_t *big = g_malloc(BIG);
    for (size_t i = 0; i < BIG; i++)
        big[i] = pattern(i, 7);
    is_int(peerc__sctp_send(a.s, 2, PEERC_SCTP_PPID_BINARY, 1, -1, -1, big, BIG), 0,
           "256 KiB send A->B");
    is_int(peerc__sctp_send(b.s, 2, PEERC_SCTP_PPID_BINARY, 1, -1, -1, big, BIG), 0,
           "256 KiB send B->A");
    ok(run_until(mc, big_done, &a, &b, 10000), "256 KiB messages arrived");
    ok(a.big_ok == 1 && b.big_ok == 1, "256 KiB content intact both ways");
    is_int(peerc__sctp_send(a.s, 2, PEERC_SCTP_PPID_BINARY, 1, -1, -1, big, BIG + 1),
           PEERC_E_INVALID_ARGUMENT, "a message over the remote max-message-size is refused");
    g_free(big);
    ok(a.max_pkt <= PEERC_SCTP_MAX_PACKET && b.max_pkt <= PEERC_SCTP_MAX_PACKET,
       "packets at most %d bytes (saw %zu / %zu)", PEERC_SCTP_MAX_PACKET, a.max_pkt,
       b.max_pkt);

    /* invalid arguments */
    is_int(peerc__sctp_send(a.s, 1, 51, 1, -1, -1, (const uint8_t *)"x", 0),
           PEERC_E_INVALID_ARGUMENT, "empty message refused");
    is_int(peerc__sctp_send(a.s, 1, 51, 1, 1, 1, (const uint8_t *)"x", 1),
           PEERC_E_INVALID_ARGUMENT, "both partial-reliability limits refused");
    is_int(peerc__sctp_send(a.s, 4000, 51, 1, -1, -1, (const uint8_t *)"x", 1), PEERC_E_RANGE,
           "stream id beyond the stream count refused");

    /* unordered, max_retransmits 0: nothing is lost in memory */
    rc = 0;
    for (int i = 0; i < N_UNORDERED; i++)
        rc |= peerc__sctp_send(a.s, 3, PEERC_SCTP_PPID_BINARY, 0, 0, -1, (const uint8_t *)"u",
                               1);
    is_int(rc, 0, "unordered unreliable sends accepted");
    ok(run_until(mc, unordered_done, &a, &b, 5000), "all %d unordered messages arrived",
       N_UNORDERED);

    /* partial reliability: a max_retransmits=0 message lost on the wire is
     * abandoned (RFC 3758), the association stays up, and a later ordered
     * message on the same stream is still delivered. */
    a.link = LINK_DROP;
    is_int(peerc__sctp_send(a.s, 4, PEERC_SCTP_PPID_STRING, 1, 0, -1, (const uint8_t *)"first", 5),
           0, "max_retransmits=0 message sent into a dropping link");
    run_until(mc, NULL, &a, &b, 50);
    a.link = LINK_PASS;
    send_str(&a, 4, "after");
    ok(run_until(mc, after_arrived, &a, &b, 8000), "later message on that stream delivered");
    ok(a.dropped > 0 && b.sid4_first == 0, "the dropped message was abandoned, not retransmitted");
    ok(a.closed == 0 && b.closed == 0 && peerc__sctp_is_connected(a.s),
       "association still up");

    /* buffered amount while the link is held */
    uint8_t *chunk = g_malloc0(CHUNK);
    a.link = LINK_HOLD;
    a.writable = 0;
    rc = 0;
    for (int i = 0; i < N_CHUNKS; i++)
        rc |= peerc__sctp_send(a.s, 5, PEERC_SCTP_PPID_BINARY, 1, -1, -1, chunk, CHUNK);
    g_free(chunk);
    is_int(rc, 0, "%d x 64 KiB queued while the peer does not receive", N_CHUNKS);
    run_until(mc, NULL, &a, &b, 50);
    is_int(peerc__sctp_buffered_amount(a.s, 5), (long long)N_CHUNKS * CHUNK,
           "buffered amount counts everything unacknowledged");
    is_int(peerc__sctp_buffered_amount(a.s, 6), 0, "other streams unaffected");
    release_held(&a);
    ok(run_until(mc, chunks_drained, &a, &b, 15000), "all chunks delivered, buffered amount 0");
    ok(a.writable > 0, "writable fired (%d times)", a.writable);

    /* stream reset: queued data first, then the reset (RFC 8831 §6.7) */
    send_str(&a, 6, "one");
    send_str(&a, 6, "two");
    send_str(&a, 6, "three");
    is_int(peerc__sctp_reset_stream(a.s, 6), 0, "reset of outgoing stream 6 requested");
    is_int(send_str(&a, 6, "late"), PEERC_E_INVALID_STATE, "no sends on a stream being reset");
    ok(run_until(mc, reset_seen_b, &a, &b, 5000), "peer saw the reset; reset_complete fired");
    is_int(b.msgs_before_reset6, 3, "messages sent before the reset arrived before it");
    is_int(peerc__sctp_reset_stream(b.s, 6), 0, "peer resets its outgoing stream 6 too");
    ok(run_until(mc, reset_seen_a, &a, &b, 5000), "reset observed the other way");
    is_int(send_str(&a, 6, "reused"), 0, "stream usable again after the reset");

    /* free with traffic in flight: the peer sees the ABORT */
    chunk = g_malloc0(CHUNK);
    for (int i = 0; i < 20; i++)
        peerc__sctp_send(a.s, 7, PEERC_SCTP_PPID_BINARY, 1, -1, -1, chunk, CHUNK);
    g_free(chunk);
    run_until(mc, NULL, &a, &b, 5);
    peerc__sctp_free(a.s);
    a.s = NULL;
    ok(run_until(mc, b_closed, &a, &b, 3000), "peer saw the association close after free");
    is_int(b.close_code, PEERC_E_NETWORK, "closed by ABORT");
    is_int(a.closed, 0, "no callback for the freed association");
    pair_close(&a, &b);
}

static int b_got_one(peer *a, peer *b)
{
    (void)a;
    return b->messages > 0;
}

/* One side connects long after the other: its early INIT is dropped, not
 * answered with ABORT, and the crossing INITs still set the association up. */
static void test_late_connect(GMainContext *mc)
{
    peer a, b;
    pair_init(&a, &b, mc);
    ok(peerc__sctp_new(mc, 5000, 5000, &cbs, &a, &a.s) == PEERC_OK &&
           peerc__sctp_new(mc, 5000, 5000, &cbs, &b, &b.s) == PEERC_OK,
       "late connect: created");
    peerc__sctp_connect(a.s);
    run_until(mc, NULL, &a, &b, 300);
    ok(!a.closed && !a.connected, "early INIT ignored, no ABORT");
    peerc__sctp_connect(b.s);
    ok(run_until(mc, both_connected, &a, &b, 2000), "association up after the late connect");

    /* the receiver frees itself from its message callback */
    b.free_on_message = 1;
    for (int i = 0; i < 10; i++)
        send_str(&a, 1, "x");
    ok(run_until(mc, b_got_one, &a, &b, 2000), "message delivered");
    run_until(mc, NULL, &a, &b, 100);
    is_int(b.messages, 1, "no callback after free inside a callback");
    ok(b.s == NULL && a.closed == 1, "the peer saw the ABORT");
    pair_close(&a, &b);
}

typedef struct thread_result {
    int connected, small, big;
} thread_result;

/* A runtime-like thread: its own GMainContext and pair, run concurrently
 * with another such thread against the one process-wide usrsctp. */
static gpointer thread_main(gpointer data)
{
    thread_result *r = data;
    GMainContext *mc = g_main_context_new();
    g_main_context_push_thread_default(mc);
    peer a, b;
    pair_init(&a, &b, mc);
    if (pair_open(&a, &b)) {
        r->connected = run_until(mc, both_connected, &a, &b, 5000);
        for (int i = 0; i < N_SMALL; i++) {
            char m[32];
            g_snprintf(m, sizeof m, "msg %d", i);
            send_str(&a, 1, m);
            send_str(&b, 1, m);
        }
        r->small = run_until(mc, small_done, &a, &b, 15000) && !a.seq_errors && !b.seq_errors;
        uint8_t *big = g_malloc(BIG);
        for (size_t i = 0; i < BIG; i++)
            big[i] = pattern(i, 7);
        peerc__sctp_send(a.s, 2, PEERC_SCTP_PPID_BINARY, 1, -1, -1, big, BIG);
        peerc__sctp_send(b.s, 2, PEERC_SCTP_PPID_BINARY, 1, -1, -1, big, BIG);
        g_free(big);
        r->big = run_until(mc, big_done, &a, &b, 15000) && a.big_ok == 1 && b.big_ok == 1;
    }
    pair_close(&a, &b);
    g_main_context_pop_thread_default(mc);
    g_main_context_unref(mc);
    return NULL;
}

static void test_threads(void)
{
    thread_result r[2];
    GThread *t[2];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 2; i++)
        t[i] = g_thread_new("runtime", thread_main, &r[i]);
    for (int i = 0; i < 2; i++)
        g_thread_join(t[i]);
    for (int i = 0; i < 2; i++) {
        ok(r[i].connected, "thread %d: association up", i);
        ok(r[i].small, "thread %d: 1000 messages each way in order", i);
        ok(r[i].big, "thread %d: 256 KiB each way intact", i);
    }
}

int main(void)
{
    alarm(120); /* last resort: never hang the test suite */
    GMainContext *mc = g_main_context_new();
    test_basics(mc);
    test_late_connect(mc);
    g_main_context_unref(mc);
    /* usrsctp was finished above (no association left); this re-initialises it */
    test_threads();
    return done_testing();
}

/*
 * Two data channel managers over back-to-back associations (no DTLS) on
 * one GMainContext: A is the DTLS client (even ids), B the server (odd).
 */
#include "datachannel/dcep.h"
#include "datachannel/manager.h"

#include <peerc/common.h>

#include "core/error.h"

#include "../tap.h"

#include <glib.h>
#include <string.h>
#include <unistd.h>

typedef struct chan {
    uint32_t cid;
    int sid;
    int remote, opened, closed, errors, open_before_remote;
    char *label, *protocol;
    int ordered;
    int32_t rtx, life;
    uint16_t priority;
    GPtrArray *msgs; /* GBytes*, with a 1-byte binary flag prefix */
} chan;

typedef struct side {
    const char *name;
    GMainContext *mc;
    peerc_dcm *dcm;
    struct side *other;
    GHashTable *chans; /* cid -> chan* */
    int connected, sctp_closed, sctp_close_code;
    int buffered_changed;
    int bad_events;
} side;

typedef struct packet {
    side *to;
    size_t len;
    uint8_t data[];
} packet;

static void chan_free(gpointer p)
{
    chan *c = p;
    g_free(c->label);
    g_free(c->protocol);
    g_ptr_array_unref(c->msgs);
    g_free(c);
}

static chan *get_chan(side *s, uint32_t cid)
{
    chan *c = g_hash_table_lookup(s->chans, GUINT_TO_POINTER(cid));
    if (!c) {
        c = g_new0(chan, 1);
        c->cid = cid;
        c->sid = -1;
        c->msgs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
        g_hash_table_insert(s->chans, GUINT_TO_POINTER(cid), c);
    }
    return c;
}

static gboolean deliver_packet(gpointer data)
{
    packet *p = data;
    if (p->to->dcm)
        peerc__dcm_receive(p->to->dcm, p->data, p->len);
    return G_SOURCE_REMOVE;
}

static void transport_send(void *ud, const uint8_t *pkt, size_t len)
{
    side *s = ud;
    packet *p = g_malloc(sizeof *p + len);
    p->to = s->other;
    p->len = len;
    memcpy(p->data, pkt, len);
    GSource *src = g_idle_source_new();
    g_source_set_callback(src, deliver_packet, p, g_free);
    g_source_attach(src, s->mc);
    g_source_unref(src);
}

static void on_sctp_connected(void *ud)
{
    ((side *)ud)->connected++;
}

static void on_sctp_closed(void *ud, int code, const char *reason)
{
    side *s = ud;
    s->sctp_closed++;
    s->sctp_close_code = code;
    (void)reason;
}

static void on_open(void *ud, uint32_t cid, uint16_t sid)
{
    side *s = ud;
    chan *c = get_chan(s, cid);
    if (c->opened || c->closed)
        s->bad_events++;
    c->opened++;
    c->sid = sid;
}

static void on_remote(void *ud, uint32_t cid, uint16_t sid, const peerc_dcm_channel_info *info)
{
    side *s = ud;
    chan *c = get_chan(s, cid);
    if (c->opened)
        c->open_before_remote = 1;
    c->remote++;
    c->sid = sid;
    c->label = g_strdup(info->label);
    c->protocol = g_strdup(info->protocol);
    c->ordered = info->ordered;
    c->rtx = info->max_retransmits;
    c->life = info->max_packet_life_time;
    c->priority = info->priority;
}

static void on_message(void *ud, uint32_t cid, const uint8_t *data, size_t len, int is_binary)
{
    side *s = ud;
    chan *c = get_chan(s, cid);
    if (!c->opened)
        s->bad_events++;
    uint8_t *copy = g_malloc(len + 1);
    copy[0] = (uint8_t)(is_binary ? 1 : 0);
    if (len)
        memcpy(copy + 1, data, len);
    g_ptr_array_add(c->msgs, g_bytes_new_take(copy, len + 1));
}

static void on_error(void *ud, uint32_t cid, int code, const char *reason)
{
    get_chan(ud, cid)->errors++;
    (void)code;
    (void)reason;
}

static void on_closed(void *ud, uint32_t cid)
{
    side *s = ud;
    chan *c = get_chan(s, cid);
    if (c->closed)
        s->bad_events++;
    c->closed++;
}

static void on_buffered(void *ud)
{
    ((side *)ud)->buffered_changed++;
}

static const peerc_dcm_callbacks cbs = {
    .sctp_connected = on_sctp_connected,
    .sctp_closed = on_sctp_closed,
    .channel_open = on_open,
    .remote_channel = on_remote,
    .message = on_message,
    .channel_error = on_error,
    .channel_closed = on_closed,
    .buffered_amount_changed = on_buffered,
};

static gboolean on_deadline(gpointer data)
{
    *(int *)data = 1;
    return G_SOURCE_REMOVE;
}

typedef int (*cond_fn)(side *a, side *b, void *arg);

static int run_until(GMainContext *mc, cond_fn cond, side *a, side *b, void *arg, int timeout_ms)
{
    int expired = 0;
    GSource *t = g_timeout_source_new((guint)timeout_ms);
    g_source_set_callback(t, on_deadline, &expired, NULL);
    g_source_attach(t, mc);
    while (!(cond && cond(a, b, arg)) && !expired)
        g_main_context_iteration(mc, TRUE);
    g_source_destroy(t);
    g_source_unref(t);
    return cond ? cond(a, b, arg) : 1;
}

/* ---------------------------------------------------------------- helpers */

static uint32_t open_chan(side *s, const char *label, const char *protocol, int ordered,
                          int32_t rtx, int32_t life, int negotiated, int32_t id, int *rc)
{
    peerc_dcm_channel_info info = {
        .label = label,
        .protocol = protocol,
        .ordered = ordered,
        .max_retransmits = rtx,
        .max_packet_life_time = life,
        .negotiated = negotiated,
        .id = id,
    };
    uint32_t cid = 0;
    *rc = peerc__dcm_open_channel(s->dcm, &info, &cid);
    if (*rc == PEERC_OK)
        get_chan(s, cid);
    return cid;
}

/* The channel of side s whose remote label is label (or local cid). */
static chan *find_remote(side *s, const char *label)
{
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, s->chans);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        chan *c = v;
        if (c->remote && c->label && strcmp(c->label, label) == 0)
            return c;
    }
    return NULL;
}

static chan *find_by_sid(side *s, int sid)
{
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, s->chans);
    while (g_hash_table_iter_next(&it, &k, &v))
        if (((chan *)v)->sid == sid && !((chan *)v)->closed)
            return v;
    return NULL;
}

static int msg_is(chan *c, guint i, int binary, const char *text, size_t len)
{
    if (!c || i >= c->msgs->len)
        return 0;
    gsize n;
    const uint8_t *d = g_bytes_get_data(c->msgs->pdata[i], &n);
    return n == len + 1 && d[0] == binary && (len == 0 || memcmp(d + 1, text, len) == 0);
}

static int cond_connected(side *a, side *b, void *arg)
{
    (void)arg;
    return a->connected && b->connected;
}

static int count_opened(side *s)
{
    int n = 0;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, s->chans);
    while (g_hash_table_iter_next(&it, &k, &v))
        n += ((chan *)v)->opened && !((chan *)v)->closed;
    return n;
}

static int cond_opened(side *a, side *b, void *arg)
{
    int want = GPOINTER_TO_INT(arg);
    return count_opened(a) >= want && count_opened(b) >= want;
}

typedef struct msg_wait {
    chan *c;
    guint n;
} msg_wait;

static int cond_msgs(side *a, side *b, void *arg)
{
    msg_wait *w = arg;
    (void)a;
    (void)b;
    return w->c && w->c->msgs->len >= w->n;
}

static int cond_drained(side *a, side *b, void *arg)
{
    (void)b;
    return peerc__dcm_buffered_amount(a->dcm, *(uint32_t *)arg) == 0;
}

static int cond_closed_pair(side *a, side *b, void *arg)
{
    chan **pair = arg;
    (void)a;
    (void)b;
    return pair[0]->closed && pair[1]->closed;
}

static int cond_b_closed(side *a, side *b, void *arg)
{
    (void)a;
    (void)arg;
    return b->sctp_closed > 0;
}

/* Close from one end; wait for channel_closed on both ends. */
static void close_and_check(GMainContext *mc, side *a, side *b, side *closer, chan *mine,
                            chan *theirs, const char *what)
{
    chan *pair[2] = {mine, theirs};
    is_int(peerc__dcm_close_channel(closer->dcm, mine->cid), PEERC_OK, "%s: close", what);
    is_int(mine->closed, 0, "%s: channel_closed not fired inside close()", what);
    ok(run_until(mc, cond_closed_pair, a, b, pair, 5000), "%s: closed on both ends", what);
    ok(mine->closed == 1 && theirs->closed == 1, "%s: channel_closed fired once each", what);
    ok(mine->errors == 0 && theirs->errors == 0, "%s: no error", what);
}

/* ------------------------------------------------------------------ tests */

static void test_all(GMainContext *mc, side *a, side *b)
{
    int rc;
    char err[PEERC_ERRBUF_SIZE];
    ok(peerc__dcm_new(mc, 5000, 5000, 1, &cbs, a, &a->dcm, err, sizeof err) == PEERC_OK &&
           peerc__dcm_new(mc, 5000, 5000, 0, &cbs, b, &b->dcm, err, sizeof err) == PEERC_OK,
       "two managers created");
    peerc__dcm_set_transport(a->dcm, transport_send, a);
    peerc__dcm_set_transport(b->dcm, transport_send, b);
    peerc__dcm_set_remote_max_message_size(a->dcm, 0);
    peerc__dcm_set_remote_max_message_size(b->dcm, 0);

    /* channels created before the association exists */
    uint32_t a_chat = open_chan(a, "a-chat", "proto-a", 1, -1, -1, 0, 0, &rc);
    is_int(rc, PEERC_OK, "A opens a channel before connecting");
    is_int(peerc__dcm_channel_sid(a->dcm, a_chat), -1, "no stream id before the association");
    uint32_t b_chat = open_chan(b, "b-chat", "", 0, 2, -1, 0, 0, &rc);
    is_int(rc, PEERC_OK, "B opens an unordered max_retransmits=2 channel before connecting");
    open_chan(b, "b-timed", "t", 1, -1, 300, 0, 0, &rc);
    is_int(rc, PEERC_OK, "B opens a timed channel");
    uint32_t a_neg = open_chan(a, "neg", "", 1, -1, -1, 1, 100, &rc);
    is_int(rc, PEERC_OK, "A: negotiated channel id 100");
    uint32_t b_neg = open_chan(b, "neg", "", 1, -1, -1, 1, 100, &rc);
    is_int(rc, PEERC_OK, "B: negotiated channel id 100");
    is_int(peerc__dcm_channel_sid(a->dcm, a_neg), 100, "negotiated id known at once");
    uint32_t doomed = open_chan(a, "doomed", "", 1, -1, -1, 0, 0, &rc);
    is_int(peerc__dcm_close_channel(a->dcm, doomed), PEERC_OK, "close before connecting");

    /* argument checks */
    open_chan(a, "x", "", 1, 1, 1, 0, 0, &rc);
    is_int(rc, PEERC_E_INVALID_ARGUMENT, "both reliability limits refused");
    open_chan(a, "x", "", 1, -1, -1, 1, 65535, &rc);
    is_int(rc, PEERC_E_INVALID_ARGUMENT, "negotiated id 65535 refused");
    open_chan(a, "x", "", 1, -1, -1, 1, 100, &rc);
    is_int(rc, PEERC_E_OPERATION, "negotiated id already in use refused");
    is_int(peerc__dcm_send(a->dcm, a_chat, (const uint8_t *)"x", 1, 0), PEERC_E_INVALID_STATE,
           "send before open refused");

    is_int(peerc__dcm_connect(a->dcm), PEERC_OK, "A connects");
    is_int(peerc__dcm_connect(b->dcm), PEERC_OK, "B connects");
    ok(run_until(mc, cond_connected, a, b, NULL, 3000), "SCTP up on both");
    ok(peerc__sctp_max_streams(peerc__dcm_sctp(a->dcm)) > 0, "max streams known");
    /* A: a-chat, neg + B's b-chat, b-timed = 4 open on each side */
    ok(run_until(mc, cond_opened, a, b, GINT_TO_POINTER(4), 3000), "4 channels open on each side");

    chan *ca = get_chan(a, a_chat), *cb = get_chan(b, b_chat);
    ok(ca->opened == 1 && ca->sid >= 0 && ca->sid % 2 == 0, "A's channel has an even id (%d)",
       ca->sid);
    ok(cb->opened == 1 && cb->sid % 2 == 1, "B's channel has an odd id (%d)", cb->sid);
    ok(get_chan(a, doomed)->closed == 1 && get_chan(a, doomed)->opened == 0,
       "channel closed before connecting: closed, never opened");

    chan *ra = find_remote(b, "a-chat"), *rb = find_remote(a, "b-chat"), *rt = find_remote(a, "b-timed");
    ok(ra && ra->remote == 1 && ra->opened == 1 && !ra->open_before_remote,
       "B: remote_channel then channel_open for a-chat");
    ok(ra && strcmp(ra->protocol, "proto-a") == 0 && ra->ordered && ra->rtx == -1 && ra->life == -1,
       "B: label, protocol, reliable ordered");
    ok(ra && ra->sid == ca->sid, "B: same stream id as A's");
    ok(ra && ra->priority == PEERC_DCEP_PRIORITY_LOW, "default priority is low (256)");
    ok(rb && !rb->ordered && rb->rtx == 2 && rb->life == -1 && strcmp(rb->protocol, "") == 0,
       "A: b-chat unordered, max_retransmits 2");
    ok(rt && rt->ordered && rt->life == 300 && rt->rtx == -1, "A: b-timed max_packet_life_time 300");
    ok(get_chan(a, a_neg)->opened && get_chan(b, b_neg)->opened && !find_remote(a, "neg") &&
           !find_remote(b, "neg"),
       "negotiated channel opens on both sides without DCEP");

    /* messages: text, binary, empty text, empty binary */
    rc = peerc__dcm_send(a->dcm, a_chat, (const uint8_t *)"hello", 5, 0);
    rc |= peerc__dcm_send(a->dcm, a_chat, (const uint8_t *)"\x01\x02\x03", 3, 1);
    rc |= peerc__dcm_send(a->dcm, a_chat, NULL, 0, 0);
    rc |= peerc__dcm_send(a->dcm, a_chat, NULL, 0, 1);
    is_int(rc, PEERC_OK, "text, binary, empty text, empty binary sent");
    msg_wait w = {ra, 4};
    ok(run_until(mc, cond_msgs, a, b, &w, 3000), "4 messages arrived");
    ok(msg_is(ra, 0, 0, "hello", 5), "text message");
    ok(msg_is(ra, 1, 1, "\x01\x02\x03", 3), "binary message");
    ok(msg_is(ra, 2, 0, "", 0), "empty text message");
    ok(msg_is(ra, 3, 1, "", 0), "empty binary message");
    is_int(peerc__dcm_send(b->dcm, ra->cid, (const uint8_t *)"world", 5, 0), PEERC_OK,
           "reply on the remote channel");
    w = (msg_wait){ca, 1};
    ok(run_until(mc, cond_msgs, a, b, &w, 3000) && msg_is(ca, 0, 0, "world", 5),
       "reply arrived on A's channel");
    peerc__dcm_send(b->dcm, b_chat, (const uint8_t *)"unordered", 9, 0);
    w = (msg_wait){rb, 1};
    ok(run_until(mc, cond_msgs, a, b, &w, 3000) && msg_is(rb, 0, 0, "unordered", 9),
       "partially reliable unordered channel delivers");
    peerc__dcm_send(a->dcm, a_neg, (const uint8_t *)"neg-hi", 6, 0);
    w = (msg_wait){get_chan(b, b_neg), 1};
    ok(run_until(mc, cond_msgs, a, b, &w, 3000) && msg_is(get_chan(b, b_neg), 0, 0, "neg-hi", 6),
       "negotiated channel delivers");

    /* 256 KiB */
    size_t big_len = 256 * 1024;
    uint8_t *big = g_malloc(big_len);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (uint8_t)(i * 7 + 3);
    is_int(peerc__dcm_send(a->dcm, a_chat, big, big_len, 1), PEERC_OK, "256 KiB message sent");
    w = (msg_wait){ra, 5};
    ok(run_until(mc, cond_msgs, a, b, &w, 5000) && msg_is(ra, 4, 1, (const char *)big, big_len),
       "256 KiB message intact");
    g_free(big);
    ok(run_until(mc, cond_drained, a, b, &a_chat, 3000), "buffered amount back to 0 once acked");
    ok(a->buffered_changed > 0, "buffered_amount_changed fired");

    /* 20 channels at once, 10 from each side */
    uint32_t many_a[10], many_b[10];
    rc = 0;
    for (int i = 0; i < 10; i++) {
        char l[16];
        int r1, r2;
        g_snprintf(l, sizeof l, "a%d", i);
        many_a[i] = open_chan(a, l, "", 1, -1, -1, 0, 0, &r1);
        g_snprintf(l, sizeof l, "b%d", i);
        many_b[i] = open_chan(b, l, "", i % 2, i % 3 ? -1 : 1, -1, 0, 0, &r2);
        rc |= r1 | r2;
    }
    is_int(rc, PEERC_OK, "20 channels opened at once");
    ok(run_until(mc, cond_opened, a, b, GINT_TO_POINTER(24), 5000), "24 channels open each side");
    int parity_ok = 1, remote_ok = 1;
    for (int i = 0; i < 10; i++) {
        char l[16];
        parity_ok &= get_chan(a, many_a[i])->sid % 2 == 0 && get_chan(b, many_b[i])->sid % 2 == 1;
        g_snprintf(l, sizeof l, "a%d", i);
        remote_ok &= find_remote(b, l) != NULL;
        g_snprintf(l, sizeof l, "b%d", i);
        remote_ok &= find_remote(a, l) != NULL;
        peerc__dcm_send(a->dcm, many_a[i], (const uint8_t *)l, strlen(l), 0);
    }
    ok(parity_ok, "ids follow the DTLS role parity");
    ok(remote_ok, "remote_channel fired for all 20");
    w = (msg_wait){find_remote(b, "a9"), 1};
    ok(run_until(mc, cond_msgs, a, b, &w, 3000), "messages on the new channels arrive");

    /* close from either side */
    close_and_check(mc, a, b, a, ca, ra, "close by the opener");
    is_int(peerc__dcm_send(a->dcm, a_chat, (const uint8_t *)"x", 1, 0), PEERC_E_NOT_FOUND,
           "send on a closed channel refused");
    chan *r5 = find_remote(b, "a5");
    close_and_check(mc, a, b, b, r5, get_chan(a, many_a[5]), "close by the receiver");
    close_and_check(mc, a, b, b, get_chan(b, b_neg), get_chan(a, a_neg), "close negotiated");
    is_int(peerc__dcm_close_channel(a->dcm, a_chat), PEERC_E_NOT_FOUND, "second close: gone");

    /* open then close at once: never opens locally, closes on both ends */
    uint32_t flash = open_chan(a, "flash", "", 1, -1, -1, 0, 0, &rc);
    int flash_sid = peerc__dcm_channel_sid(a->dcm, flash);
    ok(flash_sid >= 0 && flash_sid % 2 == 0, "a channel opened while up gets its id at once");
    peerc__dcm_close_channel(a->dcm, flash);
    run_until(mc, NULL, a, b, NULL, 300);
    ok(get_chan(a, flash)->closed == 1 && get_chan(a, flash)->opened == 0,
       "closed right after open: closed, no open event");
    chan *rflash = find_remote(b, "flash");
    ok(rflash && rflash->closed == 1, "the peer's copy closed too");
    ok(find_by_sid(a, flash_sid) == NULL, "its stream id is free again");

    /* the peer goes away: B's channels fail */
    peerc__dcm_free(a->dcm);
    a->dcm = NULL;
    ok(run_until(mc, cond_b_closed, a, b, NULL, 3000), "B sees the association end");
    is_int(b->sctp_close_code, PEERC_E_NETWORK, "with an error");
    int all_closed = 1, with_error = 1;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, b->chans);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        all_closed &= ((chan *)v)->closed == 1;
        if (((chan *)v)->errors == 0 && ((chan *)v)->closed && v != (gpointer)r5 &&
            v != (gpointer)get_chan(b, b_neg) && v != (gpointer)ra && v != (gpointer)rflash)
            with_error = 0;
    }
    ok(all_closed, "every channel of B closed once");
    ok(with_error, "open channels closed with an error (sctp-failure)");
    is_int(a->bad_events + b->bad_events, 0, "no event out of order or repeated");
    peerc__dcm_free(b->dcm);
    b->dcm = NULL;
}

/* DTLS closing under the manager ends everything from the main loop. */
static void test_transport_closed(GMainContext *mc, side *a, side *b)
{
    char err[PEERC_ERRBUF_SIZE];
    int rc;
    peerc__dcm_new(mc, 5000, 5000, 1, &cbs, a, &a->dcm, err, sizeof err);
    peerc__dcm_new(mc, 5000, 5000, 0, &cbs, b, &b->dcm, err, sizeof err);
    peerc__dcm_set_transport(a->dcm, transport_send, a);
    peerc__dcm_set_transport(b->dcm, transport_send, b);
    uint32_t c = open_chan(a, "t", "", 1, -1, -1, 0, 0, &rc);
    peerc__dcm_connect(a->dcm);
    peerc__dcm_connect(b->dcm);
    ok(run_until(mc, cond_opened, a, b, GINT_TO_POINTER(1), 3000), "channel open");
    peerc__dcm_transport_closed(a->dcm);
    is_int(a->sctp_closed, 0, "transport_closed reports later, not inside the call");
    run_until(mc, NULL, a, b, NULL, 50);
    ok(a->sctp_closed == 1 && get_chan(a, c)->closed == 1 && get_chan(a, c)->errors == 1,
       "sctp_closed, then the channel errors and closes");
    is_int(peerc__dcm_open_channel(a->dcm, &(peerc_dcm_channel_info){.label = "late"}, &c),
           PEERC_E_INVALID_STATE, "no new channel after the transport closed");
    peerc__dcm_free(a->dcm);
    peerc__dcm_free(b->dcm);
    a->dcm = b->dcm = NULL;
}

static void side_init(side *s, const char *name, GMainContext *mc, side *other)
{
    memset(s, 0, sizeof *s);
    s->name = name;
    s->mc = mc;
    s->other = other;
    s->chans = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, chan_free);
}

int main(void)
{
    alarm(60); /* last resort: never hang the test suite */
    GMainContext *mc = g_main_context_new();
    side a, b;
    side_init(&a, "A", mc, &b);
    side_init(&b, "B", mc, &a);
    test_all(mc, &a, &b);
    g_hash_table_destroy(a.chans);
    g_hash_table_destroy(b.chans);
    side_init(&a, "A", mc, &b);
    side_init(&b, "B", mc, &a);
    test_transport_closed(mc, &a, &b);
    while (g_main_context_iteration(mc, FALSE))
        ;
    g_hash_table_destroy(a.chans);
    g_hash_table_destroy(b.chans);
    g_main_context_unref(mc);
    return done_testing();
}

/*
 * Two peer connections over loopback: negotiation, trickle ICE, data
 * channels (ordered, unordered, partially reliable, large messages, many
 * channels), closing from either side, and the W3C state sequences.
 */
#include "harness.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static h_side a, b;

static int cond_int_ge(void *arg)
{
    int **p = arg;
    return *p[0] >= (int)(intptr_t)p[1];
}

static int wait_int(int *value, int at_least, int ms)
{
    void *arg[2] = {value, (void *)(intptr_t)at_least};
    return h_wait(cond_int_ge, arg, ms);
}

static int cond_u64_ge(void *arg)
{
    uint64_t **p = arg;
    return *p[0] >= *p[1];
}

static int wait_u64(uint64_t *value, uint64_t at_least, int ms)
{
    void *arg[2] = {value, &at_least};
    return h_wait(cond_u64_ge, arg, ms);
}

static int seq_equals(const int *got, int n, const int *want, int m)
{
    if (n != m)
        return 0;
    for (int i = 0; i < n; i++)
        if (got[i] != want[i])
            return 0;
    return 1;
}

static void describe_seq(const char *what, const int *v, int n, const char *(*name)(int))
{
    char line[512] = "";
    for (int i = 0; i < n; i++) {
        strncat(line, name(v[i]), sizeof line - strlen(line) - 2);
        strncat(line, " ", sizeof line - strlen(line) - 1);
    }
    diag("%s: %s", what, line);
}

static const char *conn_name(int s) { return peerc_connection_state_to_string(s); }
static const char *ice_name(int s) { return peerc_ice_connection_state_to_string(s); }
static const char *sig_name(int s) { return peerc_signaling_state_to_string(s); }
static const char *gat_name(int s) { return peerc_ice_gathering_state_to_string(s); }

/* Find the remote channel with a label on side s. */
static h_channel *remote_channel(h_side *s, const char *label)
{
    for (int i = 0; i < H_MAX_CHANNELS / 2; i++)
        if (s->channels[i].dc && strcmp(peerc_dc_label(s->channels[i].dc), label) == 0)
            return &s->channels[i];
    return NULL;
}

static int cond_remote_channel(void *arg)
{
    void **p = arg;
    h_side *s = p[0];
    for (int i = 0; i < s->n_channels; i++)
        if (s->channels[i].dc && strcmp(peerc_dc_label(s->channels[i].dc), p[1]) == 0 &&
            s->channels[i].opened)
            return 1;
    return 0;
}

static h_channel *wait_remote_channel(h_side *s, const char *label)
{
    void *arg[2] = {s, (void *)label};
    h_channel *ch = NULL;
    if (h_wait(cond_remote_channel, arg, 10000)) {
        pthread_mutex_lock(&h_lock);
        ch = remote_channel(s, label);
        pthread_mutex_unlock(&h_lock);
    }
    return ch;
}

static void send_seq(peerc_dc *dc, uint64_t seq, size_t len, int binary, uint32_t *hash)
{
    uint8_t *buf = malloc(len < 9 ? 9 : len + 1);
    memcpy(buf, &seq, 8);
    for (size_t i = 8; i < len; i++)
        buf[i] = (uint8_t)('a' + (seq + i) % 26);
    *hash = h_hash(*hash, buf, len);
    if (binary) {
        peerc_dc_send_binary(dc, buf, len);
    } else {
        /* text messages must be valid UTF-8 without NUL: use a printable seq */
        char text[64];
        snprintf(text, sizeof text, "message %llu", (unsigned long long)seq);
        peerc_dc_send_text(dc, text);
    }
    free(buf);
}

static void test_connect_and_states(peerc_dc **a_dc)
{
    const int want_sig_offerer[] = {PEERC_SIGNALING_HAVE_LOCAL_OFFER, PEERC_SIGNALING_STABLE};
    const int want_sig_answerer[] = {PEERC_SIGNALING_HAVE_REMOTE_OFFER, PEERC_SIGNALING_STABLE};
    const int want_gathering[] = {PEERC_ICE_GATHERING_GATHERING, PEERC_ICE_GATHERING_COMPLETE};
    const int want_conn[] = {PEERC_CONNECTION_CONNECTING, PEERC_CONNECTION_CONNECTED};
    double t0 = h_now_ms();
    h_channel *ach;
    int rc = h_create_channel(&a, "chat", NULL, &ach);
    is_int(rc, PEERC_OK, "create_data_channel");
    *a_dc = ach->dc;
    is_int(peerc_dc_ready_state(*a_dc), PEERC_DC_CONNECTING, "new channel is connecting");
    ok(wait_int(&a.negotiation_needed, 1, 2000), "negotiation_needed fired for the first channel");
    ok(h_wait_connected(&a, &b, 10000), "both sides connected");
    diag("time to connected: %.1f ms", h_now_ms() - t0);
    ok(wait_int(&ach->opened, 1, 10000), "local channel opened");
    ok(wait_remote_channel(&b, "chat") != NULL, "remote side got the channel through data_channel");
    is_int(a.negotiation_errors + b.negotiation_errors, 0, "no negotiation errors");
    is_int(a.negotiation_needed, 1, "negotiation_needed fired once");

    pthread_mutex_lock(&h_lock);
    describe_seq("offerer signaling", a.signaling, a.n_signaling, sig_name);
    describe_seq("offerer gathering", a.gathering, a.n_gathering, gat_name);
    describe_seq("offerer ice", a.ice, a.n_ice, ice_name);
    describe_seq("offerer connection", a.conn, a.n_conn, conn_name);
    describe_seq("answerer ice", b.ice, b.n_ice, ice_name);
    ok(seq_equals(a.signaling, a.n_signaling, want_sig_offerer, 2), "offerer signaling: have-local-offer, stable");
    ok(seq_equals(b.signaling, b.n_signaling, want_sig_answerer, 2), "answerer signaling: have-remote-offer, stable");
    ok(seq_equals(a.conn, a.n_conn, want_conn, 2), "offerer connection: connecting, connected");
    ok(seq_equals(b.conn, b.n_conn, want_conn, 2), "answerer connection: connecting, connected");
    ok(a.n_ice >= 2 && a.ice[0] == PEERC_ICE_CONNECTION_CHECKING &&
       a.ice[1] == PEERC_ICE_CONNECTION_CONNECTED, "offerer ice: checking, connected");
    ok(b.n_ice >= 2 && b.ice[0] == PEERC_ICE_CONNECTION_CHECKING &&
       b.ice[1] == PEERC_ICE_CONNECTION_CONNECTED, "answerer ice: checking, connected");
    pthread_mutex_unlock(&h_lock);
    ok(wait_int(&a.end_of_candidates, 1, 5000), "offerer end-of-candidates (null candidate)");
    pthread_mutex_lock(&h_lock);
    ok(seq_equals(a.gathering, a.n_gathering, want_gathering, 2), "offerer gathering: gathering, complete");
    ok(a.candidates > 0 && b.candidates > 0, "candidates trickled both ways (%d, %d)", a.candidates, b.candidates);
    pthread_mutex_unlock(&h_lock);
    is_int(peerc_pc_signaling_state(a.pc), PEERC_SIGNALING_STABLE, "signaling_state getter");
    is_int(peerc_pc_connection_state(b.pc), PEERC_CONNECTION_CONNECTED, "connection_state getter");
}

static void test_many_messages(peerc_dc *a_dc)
{
    h_channel *bch = wait_remote_channel(&b, "chat");
    h_channel *ach = &a.channels[H_MAX_CHANNELS / 2];
    uint32_t hash_ab = 2166136261u, hash_ba = 2166136261u;
    uint64_t base_a = ach->msgs, base_b = bch->msgs;
    double t0 = h_now_ms();
    pthread_mutex_lock(&h_lock);
    bch->next_seq = 0;
    bch->checksum = 2166136261u;
    ach->next_seq = 0;
    ach->checksum = 2166136261u;
    pthread_mutex_unlock(&h_lock);
    for (uint64_t i = 0; i < 1000; i++) {
        send_seq(a_dc, i, 100 + i % 900, 1, &hash_ab);
        send_seq(bch->dc, i, 100 + (i * 7) % 900, 1, &hash_ba);
    }
    ok(wait_u64(&bch->msgs, base_b + 1000, 20000), "1000 binary messages a->b");
    ok(wait_u64(&ach->msgs, base_a + 1000, 20000), "1000 binary messages b->a");
    diag("2000 messages in %.1f ms", h_now_ms() - t0);
    pthread_mutex_lock(&h_lock);
    is_int(bch->out_of_order, 0, "a->b in order");
    is_int(ach->out_of_order, 0, "b->a in order");
    ok(bch->checksum == hash_ab, "a->b content checksum matches");
    ok(ach->checksum == hash_ba, "b->a content checksum matches");
    pthread_mutex_unlock(&h_lock);

    /* text */
    base_b = bch->msgs;
    for (int i = 0; i < 1000; i++) {
        char text[64];
        snprintf(text, sizeof text, "hello %d ✓", i);
        peerc_dc_send_text(a_dc, text);
    }
    ok(wait_u64(&bch->msgs, base_b + 1000, 20000), "1000 text messages a->b");
    pthread_mutex_lock(&h_lock);
    is_str(bch->last_text, "hello 999 ✓", "last text message intact (UTF-8)");
    ok(bch->text_msgs >= 1000, "delivered as text");
    pthread_mutex_unlock(&h_lock);

    /* empty messages (RFC 8831 PPIDs 56/57) */
    base_b = bch->msgs;
    peerc_dc_send_text(a_dc, "");
    peerc_dc_send_binary(a_dc, NULL, 0);
    ok(wait_u64(&bch->msgs, base_b + 2, 5000), "empty text and binary messages delivered");
}

/* A burst of small messages from the application thread: sends queue
 * without waiting for the worker, and the SCTP chunk queue must not cap
 * the burst (it once stalled for good after ~12k messages). */
static void test_small_burst(peerc_dc *a_dc)
{
    h_channel *bch = wait_remote_channel(&b, "chat");
    const uint64_t n = 50000;
    uint64_t base, sent = 0, buffered = 0;
    uint32_t want = 2166136261u;
    double t0 = h_now_ms();
    pthread_mutex_lock(&h_lock);
    base = bch->msgs;
    bch->next_seq = 0;
    bch->out_of_order = 0;
    bch->checksum = 2166136261u;
    pthread_mutex_unlock(&h_lock);
    for (uint64_t i = 0; i < n; i++) {
        uint8_t msg[100];
        memcpy(msg, &i, 8);
        memset(msg + 8, (int)(i & 0xff), sizeof msg - 8);
        want = h_hash(want, msg, sizeof msg);
        sent += peerc_dc_send_binary(a_dc, msg, sizeof msg) == PEERC_OK;
    }
    is_int(sent, n, "50000 small sends accepted");
    ok(peerc_dc_buffered_amount(a_dc, &buffered) == PEERC_OK, "buffered_amount while queued (%llu)",
       (unsigned long long)buffered);
    ok(wait_u64(&bch->msgs, base + n, 30000), "all 50000 small messages delivered");
    diag("50000 x 100 B from the application thread: %.1f ms", h_now_ms() - t0);
    pthread_mutex_lock(&h_lock);
    is_int(bch->out_of_order, 0, "in order");
    ok(bch->checksum == want, "content intact");
    pthread_mutex_unlock(&h_lock);
}

static void test_large_messages(peerc_dc *a_dc)
{
    h_channel *bch = wait_remote_channel(&b, "chat");
    const size_t size = 256 * 1024;
    uint8_t *buf = malloc(size);
    uint32_t want = 2166136261u;
    uint64_t base;
    double t0;
    pthread_mutex_lock(&h_lock);
    bch->checksum = 2166136261u;
    base = bch->bytes;
    pthread_mutex_unlock(&h_lock);
    t0 = h_now_ms();
    for (int m = 0; m < 8; m++) {
        for (size_t i = 0; i < size; i++)
            buf[i] = (uint8_t)(rand() & 0xff);
        want = h_hash(want, buf, size);
        is_int(peerc_dc_send_binary(a_dc, buf, size), PEERC_OK, "send 256 KiB message %d", m);
    }
    ok(wait_u64(&bch->bytes, base + 8 * size, 20000), "8 x 256 KiB delivered");
    diag("2 MiB in 256 KiB messages: %.1f ms", h_now_ms() - t0);
    pthread_mutex_lock(&h_lock);
    ok(bch->checksum == want, "256 KiB messages intact");
    pthread_mutex_unlock(&h_lock);
    free(buf);
}

static void test_unreliable(void)
{
    peerc_dc_options opts;
    peerc_dc *u1, *u2;
    h_channel *r1, *r2, *l1, *l2;
    peerc_dc_options_init(&opts);
    opts.ordered = 0;
    opts.max_retransmits = 0;
    opts.protocol = "game-state";
    is_int(h_create_channel(&a, "unreliable", &opts, &l1), PEERC_OK, "unordered, max_retransmits 0");
    u1 = l1->dc;
    peerc_dc_options_init(&opts);
    opts.max_packet_life_time = 500;
    is_int(h_create_channel(&a, "timed", &opts, &l2), PEERC_OK, "max_packet_life_time 500");
    u2 = l2->dc;
    r1 = wait_remote_channel(&b, "unreliable");
    r2 = wait_remote_channel(&b, "timed");
    ok(r1 && r2, "both partially reliable channels announced remotely");
    if (!r1 || !r2)
        return;
    is_int(peerc_dc_ordered(r1->dc), 0, "remote sees unordered");
    is_int(peerc_dc_max_retransmits(r1->dc), 0, "remote sees max_retransmits 0");
    is_str(peerc_dc_protocol(r1->dc), "game-state", "remote sees the protocol");
    is_int(peerc_dc_max_packet_life_time(r2->dc), 500, "remote sees max_packet_life_time");
    for (int i = 0; i < 200; i++) {
        uint8_t msg[32] = {(uint8_t)i};
        peerc_dc_send_binary(u1, msg, sizeof msg);
        peerc_dc_send_binary(u2, msg, sizeof msg);
    }
    /* No loss on loopback: all arrive, whatever the order. */
    ok(wait_u64(&r1->msgs, 200, 10000), "unordered channel delivered 200 messages");
    ok(wait_u64(&r2->msgs, 200, 10000), "timed channel delivered 200 messages");
    is_int(peerc_dc_id(u1) % 2, peerc_dc_id(u2) % 2, "local ids share the DTLS-role parity");
}

static void test_negotiated(void)
{
    peerc_dc_options opts;
    peerc_dc *x, *y;
    h_channel *hx, *hy;
    peerc_dc_options_init(&opts);
    opts.negotiated = 1;
    opts.id = 300;
    is_int(h_create_channel(&a, "neg", &opts, &hx), PEERC_OK, "negotiated id 300 on a");
    is_int(h_create_channel(&b, "neg", &opts, &hy), PEERC_OK, "negotiated id 300 on b");
    x = hx->dc;
    y = hy->dc;
    ok(wait_int(&hx->opened, 1, 5000) && wait_int(&hy->opened, 1, 5000), "negotiated channels open");
    is_int(peerc_dc_id(x), 300, "id kept");
    is_int(peerc_dc_id(y), 300, "id kept on the other side");
    peerc_dc_send_text(x, "ping");
    ok(wait_u64(&hy->msgs, 1, 5000), "negotiated channel carries data");
    opts.callbacks = NULL;
    is_int(peerc_pc_create_data_channel(a.pc, "dup", &opts, &x), PEERC_E_OPERATION,
           "same negotiated id twice -> OperationError");
}

static void test_many_channels(void)
{
    peerc_dc *dcs[20];
    int opened = 0;
    for (int i = 0; i < 20; i++) {
        char label[16];
        snprintf(label, sizeof label, "ch%d", i);
        peerc_pc_create_data_channel(i % 2 ? b.pc : a.pc, label, NULL, &dcs[i]);
    }
    for (int i = 0; i < 20; i++) {
        char label[16];
        h_channel *r;
        snprintf(label, sizeof label, "ch%d", i);
        r = wait_remote_channel(i % 2 ? &a : &b, label);
        if (r) {
            char text[32];
            opened++;
            snprintf(text, sizeof text, "to %s", label);
            peerc_dc_send_text(r->dc, text); /* reply on the remote end */
        }
    }
    is_int(opened, 20, "20 channels opened at once, both directions");
    for (int i = 0; i < 20; i++)
        ok(peerc_dc_ready_state(dcs[i]) == PEERC_DC_OPEN, "channel %d open", i);
    /* Close them from alternating sides. */
    for (int i = 0; i < 20; i++)
        peerc_dc_close(dcs[i]);
    for (int i = 0; i < 20; i++) {
        char label[16];
        h_channel *r;
        snprintf(label, sizeof label, "ch%d", i);
        pthread_mutex_lock(&h_lock);
        r = remote_channel(i % 2 ? &a : &b, label);
        pthread_mutex_unlock(&h_lock);
        ok(r && wait_int(&r->closed, 1, 5000), "remote end of ch%d got close", i);
    }
    for (int i = 0; i < 20; i++) {
        is_int(peerc_dc_ready_state(dcs[i]), PEERC_DC_CLOSED, "local ch%d closed", i);
        peerc_dc_free(dcs[i]);
    }
}

static void test_close_from_remote(peerc_dc *a_dc)
{
    h_channel *bch = wait_remote_channel(&b, "chat");
    h_channel *ach = &a.channels[H_MAX_CHANNELS / 2];
    peerc_dc_close(bch->dc);
    ok(wait_int(&ach->closed, 1, 5000), "closing on the answerer closes the offerer's channel");
    ok(wait_int(&bch->closed, 1, 5000), "and the answerer's own channel");
    is_int(peerc_dc_send_text(a_dc, "late"), PEERC_E_INVALID_STATE, "send on a closed channel");
    is_int(ach->closing, 1, "closing fired once");
}

static void test_stats(void)
{
    peerc_transport_stats st;
    peerc_transport_stats_init(&st);
    is_int(peerc_pc_get_transport_stats(a.pc, &st), PEERC_OK, "get_transport_stats");
    ok(st.bytes_sent > 1000000 && st.bytes_received > 1000, "byte counters (%llu sent, %llu received)",
       (unsigned long long)st.bytes_sent, (unsigned long long)st.bytes_received);
    ok(st.packets_sent > 0 && st.packets_received > 0, "packet counters");
    is_str(st.local_candidate_type, "host", "selected local candidate is host");
    is_str(st.local_address, "127.0.0.1", "selected local address");
    is_str(st.dtls_state, "connected", "dtls connected");
    is_str(st.dtls_version, "DTLSv1.2", "DTLS 1.2");
    is_str(st.dtls_cipher, "ECDHE-ECDSA-AES128-GCM-SHA256", "preferred cipher suite");
    ok(st.sctp_rtt_ms >= 0, "sctp rtt known (%.2f ms)", st.sctp_rtt_ms);
    ok(st.messages_sent >= 2000, "message counter (%llu)", (unsigned long long)st.messages_sent);
}

int main(void)
{
    peerc_ctx *ctx;
    peerc_dc *a_dc = NULL;
    is_int(peerc_ctx_new(&ctx), PEERC_OK, "ctx");
    is_int(h_side_init(&a, ctx, "a"), PEERC_OK, "pc a");
    is_int(h_side_init(&b, ctx, "b"), PEERC_OK, "pc b");
    h_pair(&a, &b);
    b.auto_negotiate = 0; /* a negotiates; b only answers */

    test_connect_and_states(&a_dc);
    test_many_messages(a_dc);
    test_small_burst(a_dc);
    test_large_messages(a_dc);
    test_unreliable();
    test_negotiated();
    test_many_channels();
    test_stats();
    test_close_from_remote(a_dc);

    is_int(peerc_pc_close(a.pc), PEERC_OK, "close");
    is_int(peerc_pc_signaling_state(a.pc), PEERC_SIGNALING_CLOSED, "signaling closed after close");
    is_int(peerc_pc_connection_state(a.pc), PEERC_CONNECTION_CLOSED, "connection closed after close");
    peerc_dc_free(a_dc);
    for (int s = 0; s < 2; s++) {
        h_side *side = s ? &b : &a;
        for (int i = 0; i < H_MAX_CHANNELS; i++)
            if (side->channels[i].dc && side->channels[i].dc != a_dc)
                peerc_dc_free(side->channels[i].dc);
    }
    peerc_pc_free(a.pc);
    peerc_pc_free(b.pc);
    peerc_ctx_free(ctx);
    return done_testing();
}

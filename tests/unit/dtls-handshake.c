/*
 * lib/dtls: two endpoints on one GMainContext wired back to back.  Each
 * datagram is posted to the other side through an idle source (never
 * re-entrantly), optionally dropped by a per-test filter.
 */
#include "../tap.h"

#include <peerc/common.h>

#include "core/error.h"
#include "dtls/cert.h"
#include "dtls/dtls.h"
#include "dtls/fingerprint.h"

#include <glib.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

typedef struct peer peer;
typedef struct harness harness;
/* Return nonzero to drop the datagram `from` is sending. */
typedef int (*drop_fn)(peer *from, const uint8_t *data, size_t len);

struct peer {
    const char *name;
    harness *h;
    peer *other;
    peerc_cert *cert;
    peerc_dtls *d;
    int connected, failed, closed;
    int fail_code;
    char fail_reason[600];
    GPtrArray *rx;      /* GBytes of application data received */
    int sent, received; /* datagrams */
    int dropped;
    size_t max_datagram;
    drop_fn drop;
    GPtrArray *captured; /* GBytes copies of sent datagrams, when non-NULL */
    int free_on_connected;
};

struct harness {
    GMainContext *mc;
    peer a, b;
};

typedef struct packet {
    peer *to;
    size_t len;
    uint8_t data[];
} packet;

/* ---- wiring ---------------------------------------------------------------- */

static gboolean deliver_idle(gpointer p)
{
    packet *pk = p;
    pk->to->received++;
    peerc__dtls_receive(pk->to->d, pk->data, pk->len); /* d is NULL once freed */
    return G_SOURCE_REMOVE;
}

static void post(peer *to, const uint8_t *data, size_t len)
{
    packet *pk = g_malloc(sizeof *pk + len);
    GSource *s = g_idle_source_new();
    pk->to = to;
    pk->len = len;
    memcpy(pk->data, data, len);
    g_source_set_callback(s, deliver_idle, pk, g_free);
    g_source_attach(s, to->h->mc);
    g_source_unref(s);
}

static void on_send(void *ud, const uint8_t *data, size_t len)
{
    peer *p = ud;
    p->sent++;
    if (len > p->max_datagram)
        p->max_datagram = len;
    if (p->captured)
        g_ptr_array_add(p->captured, g_bytes_new(data, len));
    if (p->drop && p->drop(p, data, len)) {
        p->dropped++;
        return;
    }
    post(p->other, data, len);
}

static void on_connected(void *ud)
{
    peer *p = ud;
    p->connected++;
    if (p->free_on_connected) {
        peerc__dtls_free(p->d);
        p->d = NULL;
    }
}

static void on_data(void *ud, const uint8_t *data, size_t len)
{
    peer *p = ud;
    g_ptr_array_add(p->rx, g_bytes_new(data, len));
}

static void on_failed(void *ud, int code, const char *reason)
{
    peer *p = ud;
    p->failed++;
    p->fail_code = code;
    g_strlcpy(p->fail_reason, reason ? reason : "(null)", sizeof p->fail_reason);
}

static void on_closed(void *ud)
{
    peer *p = ud;
    p->closed++;
}

static const peerc_dtls_callbacks callbacks = {
    .send = on_send,
    .connected = on_connected,
    .data = on_data,
    .failed = on_failed,
    .closed = on_closed,
};

/* ---- harness ---------------------------------------------------------------- */

static void peer_init(harness *h, peer *p, const char *name, peer *other)
{
    p->name = name;
    p->h = h;
    p->other = other;
    p->rx = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    peerc__cert_generate(&p->cert);
}

static void harness_init(harness *h)
{
    memset(h, 0, sizeof *h);
    h->mc = g_main_context_new();
    peer_init(h, &h->a, "A", &h->b);
    peer_init(h, &h->b, "B", &h->a);
}

static void drain(harness *h)
{
    while (g_main_context_iteration(h->mc, FALSE))
        ;
}

static void peer_free(peer *p)
{
    peerc__dtls_free(p->d);
    p->d = NULL;
    peerc__cert_unref(p->cert);
    g_ptr_array_unref(p->rx);
    if (p->captured)
        g_ptr_array_unref(p->captured);
}

static void harness_free(harness *h)
{
    peerc__dtls_free(h->a.d);
    peerc__dtls_free(h->b.d);
    h->a.d = h->b.d = NULL;
    drain(h); /* queued datagrams now reach NULL endpoints */
    peer_free(&h->a);
    peer_free(&h->b);
    g_main_context_unref(h->mc);
}

/* Create p's endpoint; it expects the remote fingerprint (alg, fp). */
static int peer_create(peer *p, int is_client, const char *alg, const char *fp,
                       unsigned int timeout_ms)
{
    char err[PEERC_ERRBUF_SIZE] = "";
    int rc = peerc__dtls_new(p->h->mc, p->cert, is_client, alg, fp, &callbacks, p, &p->d, err,
                             sizeof err);
    if (rc != PEERC_OK)
        diag("%s: peerc__dtls_new: %s (%s)", p->name, peerc_strerror(rc), err);
    else if (timeout_ms)
        peerc__dtls_set_handshake_timeout_ms(p->d, timeout_ms);
    return rc;
}

/* Both endpoints with correct fingerprints; A is the client when a_client. */
static int harness_create(harness *h, int a_client, unsigned int timeout_ms)
{
    int rc =
        peer_create(&h->a, a_client, "sha-256", peerc__cert_fingerprint(h->b.cert), timeout_ms);
    if (rc == PEERC_OK)
        rc = peer_create(&h->b, !a_client, "sha-256", peerc__cert_fingerprint(h->a.cert),
                         timeout_ms);
    return rc;
}

static void harness_start(harness *h)
{
    peerc__dtls_start(h->a.d);
    peerc__dtls_start(h->b.d);
}

typedef int (*cond_fn)(harness *h);

static gboolean on_deadline(gpointer p)
{
    *(int *)p = 1;
    return G_SOURCE_REMOVE;
}

/* Iterate h->mc until cond holds or ms pass; returns cond. */
static int run_until(harness *h, cond_fn cond, unsigned int ms)
{
    int expired = 0;
    GSource *t = g_timeout_source_new(ms);
    g_source_set_callback(t, on_deadline, &expired, NULL);
    g_source_attach(t, h->mc);
    while (!(cond && cond(h)) && !expired)
        g_main_context_iteration(h->mc, TRUE);
    g_source_destroy(t);
    g_source_unref(t);
    return cond ? cond(h) : 0;
}

static void run_for(harness *h, unsigned int ms)
{
    run_until(h, NULL, ms);
}

static int both_connected(harness *h)
{
    return h->a.connected && h->b.connected;
}

static int both_settled(harness *h)
{
    return (h->a.connected || h->a.failed) && (h->b.connected || h->b.failed);
}

static int any_failed(harness *h)
{
    return h->a.failed || h->b.failed;
}

static double ms_since(gint64 t0)
{
    return (double)(g_get_monotonic_time() - t0) / 1000.0;
}

static void flip_digit(char *fp, size_t i)
{
    fp[i] = fp[i] == '0' ? '1' : '0';
}

static void fill(uint8_t *buf, size_t len, unsigned int seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(i * 7 + seed);
}

/* ---- handshake, keys, data, close ----------------------------------------------- */

static void check_keys(peer *cl, peer *sv)
{
    peerc_dtls_srtp_keys kc, ks;
    is_int(peerc__dtls_get_srtp_keys(cl->d, &kc), PEERC_OK, "client exports SRTP keys");
    is_int(peerc__dtls_get_srtp_keys(sv->d, &ks), PEERC_OK, "server exports SRTP keys");
    is_int(kc.profile, PEERC_DTLS_SRTP_AEAD_AES_128_GCM, "profile id 7 (AEAD_AES_128_GCM)");
    ok(kc.key_len == 16 && kc.salt_len == 12 && kc.len == 28, "GCM: 16-byte key + 12-byte salt");
    ok(ks.profile == kc.profile && ks.len == kc.len, "server agrees on profile and lengths");
    ok(memcmp(kc.local, ks.remote, kc.len) == 0, "client local key||salt == server remote");
    ok(memcmp(kc.remote, ks.local, kc.len) == 0, "client remote key||salt == server local");
    ok(memcmp(kc.local, kc.remote, kc.len) != 0, "the two directions differ");
}

static void test_handshake(int a_client)
{
    harness h;
    peer *cl, *sv;
    gint64 t0;
    uint8_t buf[16];
    harness_init(&h);
    cl = a_client ? &h.a : &h.b;
    sv = a_client ? &h.b : &h.a;
    diag("--- handshake, client is %s", cl->name);
    is_int(harness_create(&h, a_client, 2000), PEERC_OK, "both endpoints created");
    ok(peerc__dtls_cipher_name(cl->d) == NULL && peerc__dtls_version_name(cl->d) == NULL,
       "no cipher/version before the handshake");
    t0 = g_get_monotonic_time();
    harness_start(&h);
    is_int(peerc__dtls_start(cl->d), PEERC_E_INVALID_STATE, "second start refused");
    fill(buf, sizeof buf, 1);
    is_int(peerc__dtls_send(cl->d, buf, sizeof buf), PEERC_E_INVALID_STATE,
           "send before connected");
    ok(run_until(&h, both_connected, 5000), "both connected");
    diag("handshake took %.2f ms: client sent %d datagrams, server %d", ms_since(t0), cl->sent,
         sv->sent);
    is_int(cl->failed + sv->failed, 0, "no failure");
    is_int(peerc__dtls_is_client(cl->d), 1, "client role");
    is_int(peerc__dtls_is_client(sv->d), 0, "server role");
    is_str(peerc__dtls_cipher_name(cl->d), "ECDHE-ECDSA-AES128-GCM-SHA256", "client cipher");
    is_str(peerc__dtls_cipher_name(sv->d), "ECDHE-ECDSA-AES128-GCM-SHA256", "server cipher");
    is_str(peerc__dtls_version_name(cl->d), "DTLSv1.2", "DTLS 1.2");
    is_str(peerc__dtls_srtp_profile_name(cl->d), "SRTP_AEAD_AES_128_GCM",
           "GCM profile preferred (client)");
    is_str(peerc__dtls_srtp_profile_name(sv->d), "SRTP_AEAD_AES_128_GCM",
           "GCM profile preferred (server)");
    check_keys(cl, sv);
    ok(cl->max_datagram <= PEERC_DTLS_MTU && sv->max_datagram <= PEERC_DTLS_MTU,
       "no datagram above %d bytes (client max %zu, server max %zu)", PEERC_DTLS_MTU,
       cl->max_datagram, sv->max_datagram);
    if (a_client) {
        /* The handshake budget is 2 s: once connected it must not fire. */
        gint64 left = 2300 - (gint64)ms_since(t0);
        run_for(&h, left > 0 ? (unsigned int)left : 1);
        is_int(cl->failed + sv->failed, 0, "no failure after the handshake budget elapsed");
    } else {
        run_for(&h, 150);
    }
    ok(cl->connected == 1 && sv->connected == 1, "connected fired exactly once on each side");
    harness_free(&h);
}

static int rx_count_is(peer *p, unsigned int n)
{
    return p->rx->len >= n;
}

static int data_done(harness *h)
{
    return rx_count_is(&h->a, 8) && rx_count_is(&h->b, 8);
}

static void check_rx(peer *p, const size_t *sizes, size_t n, unsigned int seed)
{
    int good = p->rx->len == n;
    for (size_t i = 0; good && i < n; i++) {
        gsize len;
        const uint8_t *got = g_bytes_get_data(g_ptr_array_index(p->rx, i), &len);
        uint8_t want[1200];
        fill(want, sizes[i], seed + (unsigned int)i);
        good = len == sizes[i] && memcmp(got, want, len) == 0;
        if (!good)
            diag("%s: message %zu has %zu bytes, want %zu", p->name, i, (size_t)len, sizes[i]);
    }
    ok(good, "%s received %zu messages intact and in order", p->name, n);
}

static void test_data_and_close(void)
{
    static const size_t sizes[] = {1, 2, 13, 100, 512, 1000, 1199, 1200};
    const size_t n = sizeof sizes / sizeof sizes[0];
    harness h;
    uint8_t buf[1200];
    int ok_a = 1, ok_b = 1, before;
    uint8_t big[16385];
    harness_init(&h);
    diag("--- application data and close");
    harness_create(&h, 1, 0);
    harness_start(&h);
    ok(run_until(&h, both_connected, 5000), "connected");
    for (size_t i = 0; i < n; i++) {
        fill(buf, sizes[i], 10 + (unsigned int)i);
        ok_a &= peerc__dtls_send(h.a.d, buf, sizes[i]) == PEERC_OK;
        fill(buf, sizes[i], 50 + (unsigned int)i);
        ok_b &= peerc__dtls_send(h.b.d, buf, sizes[i]) == PEERC_OK;
    }
    ok(ok_a && ok_b, "all sends accepted");
    ok(run_until(&h, data_done, 5000), "everything arrived");
    is_int(h.a.max_datagram, 1200 + PEERC_DTLS_RECORD_OVERHEAD,
           "1200-byte payload: one datagram of 1200 + overhead");
    check_rx(&h.b, sizes, n, 10);
    check_rx(&h.a, sizes, n, 50);
    is_int(peerc__dtls_send(h.a.d, buf, 0), PEERC_E_INVALID_ARGUMENT, "empty send refused");
    memset(big, 0, sizeof big);
    is_int(peerc__dtls_send(h.a.d, big, sizeof big), PEERC_E_RANGE, "16385 bytes refused");
    is_int(peerc__dtls_send(h.a.d, big, 16384), PEERC_OK, "16384 bytes (one full record) accepted");
    is_int(peerc__dtls_send(NULL, buf, 1), PEERC_E_INVALID_ARGUMENT, "send(NULL)");

    before = h.a.sent;
    peerc__dtls_close(h.a.d);
    peerc__dtls_close(h.a.d);
    is_int(h.a.sent - before, 1, "close sends one close_notify, once");
    is_int(peerc__dtls_send(h.a.d, buf, 10), PEERC_E_CLOSED, "send after close");
    run_for(&h, 100);
    is_int(h.b.closed, 1, "peer saw close_notify");
    is_int(peerc__dtls_send(h.b.d, buf, 10), PEERC_E_CLOSED, "peer cannot send after close_notify");
    ok(h.a.closed == 0 && h.a.failed == 0 && h.b.failed == 0,
       "no other callbacks (closer gets none)");
    ok(h.b.rx->len == n + 1, "the 16384-byte record arrived before close (%u)", h.b.rx->len);
    harness_free(&h);
}

/* ---- fingerprints -------------------------------------------------------------- */

static void test_mismatch(int checker_is_client)
{
    harness h;
    char wrong[PEERC_FINGERPRINT_MAX_TEXT];
    peer *cl, *sv, *checker, *other;
    harness_init(&h);
    cl = &h.a;
    sv = &h.b;
    checker = checker_is_client ? cl : sv;
    other = checker_is_client ? sv : cl;
    diag("--- wrong fingerprint checked by the %s", checker_is_client ? "client" : "server");
    g_strlcpy(wrong, peerc__cert_fingerprint(other->cert), sizeof wrong);
    flip_digit(wrong, 40);
    is_int(peer_create(checker, checker_is_client, "sha-256", wrong, 3000), PEERC_OK,
           "checker created");
    is_int(peer_create(other, !checker_is_client, "sha-256", peerc__cert_fingerprint(checker->cert),
                       3000),
           PEERC_OK, "other created");
    harness_start(&h);
    ok(run_until(&h, both_settled, 5000), "both sides settled");
    is_int(checker->failed, 1, "checker failed once");
    is_int(checker->fail_code, PEERC_E_SECURITY, "with PEERC_E_SECURITY");
    ok(strstr(checker->fail_reason, "does not match a=fingerprint sha-256") != NULL, "reason: %s",
       checker->fail_reason);
    is_int(checker->connected, 0, "checker never connected");
    is_int(other->connected, 0, "other side never connected");
    is_int(other->failed, 1, "other side failed");
    is_int(other->fail_code, PEERC_E_NETWORK, "with PEERC_E_NETWORK");
    diag("other side: %s", other->fail_reason);
    ok(strstr(other->fail_reason, "bad certificate") != NULL, "other side learned why (alert)");
    ok(peerc__dtls_get_srtp_keys(checker->d, &(peerc_dtls_srtp_keys){0}) == PEERC_E_INVALID_STATE,
       "no keys after failure");
    run_for(&h, 200);
    ok(checker->failed == 1 && other->failed == 1, "failed fired at most once");
    harness_free(&h);
}

static void test_bad_fingerprint_args(void)
{
    harness h;
    char err[PEERC_ERRBUF_SIZE];
    peerc_dtls *d = NULL;
    const char *fp;
    harness_init(&h);
    fp = peerc__cert_fingerprint(h.b.cert);
    diag("--- creation errors");
    err[0] = '\0';
    is_int(peerc__dtls_new(h.mc, h.a.cert, 1, "md5",
                           "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF", &callbacks, &h.a, &d,
                           err, sizeof err),
           PEERC_E_NOT_SUPPORTED, "md5 rejected at new()");
    ok(err[0] != '\0' && d == NULL, "with an error: %s", err);
    err[0] = '\0';
    is_int(peerc__dtls_new(h.mc, h.a.cert, 1, "sha-3", fp, &callbacks, &h.a, &d, err, sizeof err),
           PEERC_E_NOT_SUPPORTED, "unknown hash rejected at new()");
    diag("%s", err);
    is_int(peerc__dtls_new(h.mc, h.a.cert, 1, "sha-256", "AB:CD", &callbacks, &h.a, &d, err,
                           sizeof err),
           PEERC_E_SYNTAX, "short value rejected");
    is_int(
        peerc__dtls_new(h.mc, h.a.cert, 1, "sha-256", NULL, &callbacks, &h.a, &d, err, sizeof err),
        PEERC_E_INVALID_ARGUMENT, "alg without value");
    is_int(peerc__dtls_new(h.mc, NULL, 1, "sha-256", fp, &callbacks, &h.a, &d, err, sizeof err),
           PEERC_E_INVALID_ARGUMENT, "NULL cert");
    is_int(peerc__dtls_new(NULL, h.a.cert, 1, "sha-256", fp, &callbacks, &h.a, &d, err, sizeof err),
           PEERC_E_INVALID_ARGUMENT, "NULL context");
    is_int(peerc__dtls_new(h.mc, h.a.cert, 1, "sha-256", fp, NULL, &h.a, &d, err, sizeof err),
           PEERC_E_INVALID_ARGUMENT, "NULL callbacks");
    is_int(peerc__dtls_start(NULL), PEERC_E_INVALID_ARGUMENT, "start(NULL)");
    peerc__dtls_free(NULL);
    peerc__dtls_close(NULL);
    ok(peerc__dtls_cipher_name(NULL) == NULL && peerc__dtls_srtp_profile_name(NULL) == NULL,
       "NULL-safe getters");
    harness_free(&h);
}

static void test_other_hashes(void)
{
    harness h;
    peerc_fingerprint fa, fb;
    char ta[PEERC_FINGERPRINT_MAX_TEXT], tb[PEERC_FINGERPRINT_MAX_TEXT];
    char *tb_lower;
    harness_init(&h);
    diag("--- sha-1 and sha-512 fingerprints");
    peerc__fingerprint_of(peerc__cert_x509(h.a.cert), 0 /* sha-1 */, &fa);
    peerc__fingerprint_of(peerc__cert_x509(h.b.cert), 4 /* sha-512 */, &fb);
    peerc__fingerprint_format(fa.bytes, fa.len, ta, sizeof ta);
    peerc__fingerprint_format(fb.bytes, fb.len, tb, sizeof tb);
    tb_lower = g_ascii_strdown(tb, -1);
    is_int(peer_create(&h.a, 1, "sha-512", tb_lower, 3000), PEERC_OK,
           "client expects sha-512 (lowercase)");
    g_free(tb_lower);
    is_int(peer_create(&h.b, 0, "SHA-1", ta, 3000), PEERC_OK, "server expects SHA-1");
    harness_start(&h);
    ok(run_until(&h, both_connected, 5000), "connected with sha-1 / sha-512 fingerprints");
    harness_free(&h);
}

static int client_connected(harness *h)
{
    return h->a.connected || h->a.failed || h->b.failed;
}

/* Media may outrace the answer (RFC 8122 §6.2): the fingerprint comes later. */
static void test_late_fingerprint(int correct)
{
    harness h;
    char err[PEERC_ERRBUF_SIZE] = "";
    char fp[PEERC_FINGERPRINT_MAX_TEXT];
    uint8_t buf[300];
    harness_init(&h);
    diag("--- fingerprint supplied after the handshake (%s)", correct ? "correct" : "wrong");
    peer_create(&h.a, 1, "sha-256", peerc__cert_fingerprint(h.b.cert), 3000);
    is_int(peer_create(&h.b, 0, NULL, NULL, 3000), PEERC_OK,
           "server created without a fingerprint");
    harness_start(&h);
    ok(run_until(&h, client_connected, 5000) && h.a.connected, "client connected");
    fill(buf, sizeof buf, 3);
    is_int(peerc__dtls_send(h.a.d, buf, sizeof buf), PEERC_OK, "client sends early data");
    run_for(&h, 100);
    ok(h.b.connected == 0 && h.b.failed == 0, "server waits for the fingerprint");
    is_int(h.b.rx->len, 0, "early data held, not delivered");
    is_int(peerc__dtls_send(h.b.d, buf, 10), PEERC_E_INVALID_STATE, "server cannot send yet");
    g_strlcpy(fp, peerc__cert_fingerprint(h.a.cert), sizeof fp);
    if (!correct)
        flip_digit(fp, 0);
    is_int(peerc__dtls_set_remote_fingerprint(h.b.d, "sha-256", fp, err, sizeof err), PEERC_OK,
           "fingerprint set");
    if (correct) {
        is_int(h.b.connected, 1, "server connected at once");
        ok(h.b.rx->len == 1 && g_bytes_get_size(g_ptr_array_index(h.b.rx, 0)) == sizeof buf,
           "held data delivered after connected");
        is_int(peerc__dtls_set_remote_fingerprint(h.b.d, "sha-256", fp, err, sizeof err),
               PEERC_E_INVALID_STATE, "cannot change it once connected");
    } else {
        ok(h.b.failed == 1 && h.b.fail_code == PEERC_E_SECURITY && h.b.connected == 0,
           "server failed with PEERC_E_SECURITY: %s", h.b.fail_reason);
        is_int(h.b.rx->len, 0, "held data discarded");
    }
    harness_free(&h);
}

static void test_fingerprint_never_comes(void)
{
    harness h;
    harness_init(&h);
    diag("--- fingerprint never supplied");
    peer_create(&h.a, 1, "sha-256", peerc__cert_fingerprint(h.b.cert), 400);
    peer_create(&h.b, 0, NULL, NULL, 400);
    harness_start(&h);
    ok(run_until(&h, any_failed, 3000), "server gave up");
    ok(h.b.fail_code == PEERC_E_TIMEOUT && h.b.connected == 0, "PEERC_E_TIMEOUT: %s",
       h.b.fail_reason);
    harness_free(&h);
}

/* ---- loss and retransmission --------------------------------------------------- */

static int drop_first_client_hello(peer *from, const uint8_t *d, size_t n)
{
    (void)d, (void)n;
    return from->sent == 1;
}

static int drop_server_first_flight(peer *from, const uint8_t *d, size_t n)
{
    (void)d, (void)n;
    return from->received == 1;
}

static int drop_client_second_flight(peer *from, const uint8_t *d, size_t n)
{
    (void)d, (void)n;
    return from->received >= 1 && from->dropped == 0;
}

/* The server's last flight starts with ChangeCipherSpec (content type 20);
 * losing it leaves the server connected and the client waiting. */
static int drop_server_final_flight(peer *from, const uint8_t *d, size_t n)
{
    (void)n;
    return d[0] == 20 && from->dropped == 0;
}

static void test_loss(const char *what, peer *(*pick)(harness *), drop_fn drop)
{
    harness h;
    gint64 t0;
    peer *lossy;
    harness_init(&h);
    lossy = pick(&h);
    lossy->drop = drop;
    harness_create(&h, 1, 5000);
    t0 = g_get_monotonic_time();
    harness_start(&h);
    ok(run_until(&h, both_connected, 6000), "lost %s: handshake completes", what);
    ok(lossy->dropped >= 1, "...after dropping %d datagram(s)", lossy->dropped);
    ok(h.a.max_datagram <= PEERC_DTLS_MTU && h.b.max_datagram <= PEERC_DTLS_MTU,
       "retransmissions stay within the MTU (%zu, %zu)", h.a.max_datagram, h.b.max_datagram);
    diag("lost %s: connected after %.1f ms (client sent %d, server sent %d)", what, ms_since(t0),
         h.a.sent, h.b.sent);
    harness_free(&h);
}

static peer *pick_client(harness *h)
{
    return &h->a;
}

static peer *pick_server(harness *h)
{
    return &h->b;
}

static int drop_all(peer *from, const uint8_t *d, size_t n)
{
    (void)from, (void)d, (void)n;
    return 1;
}

static int b_failed(harness *h)
{
    return h->b.failed;
}

static void test_silent_peer(void)
{
    harness h;
    gint64 t0;
    harness_init(&h);
    diag("--- peer never answers");
    h.a.drop = drop_all;
    peer_create(&h.a, 1, "sha-256", peerc__cert_fingerprint(h.b.cert), 1500);
    t0 = g_get_monotonic_time();
    peerc__dtls_start(h.a.d);
    ok(run_until(&h, any_failed, 5000), "client gave up");
    is_int(h.a.fail_code, PEERC_E_TIMEOUT, "with PEERC_E_TIMEOUT");
    diag("after %.0f ms, %d ClientHellos sent: %s", ms_since(t0), h.a.sent, h.a.fail_reason);
    ok(h.a.sent >= 4, "ClientHello retransmitted (%d sent)", h.a.sent);
    is_int(h.a.connected, 0, "never connected");
    run_for(&h, 200);
    is_int(h.a.failed, 1, "failed once");

    /* A server that never hears a ClientHello gives up too. */
    peer_create(&h.b, 0, "sha-256", peerc__cert_fingerprint(h.a.cert), 300);
    peerc__dtls_start(h.b.d);
    ok(run_until(&h, b_failed, 3000) && h.b.failed == 1 && h.b.fail_code == PEERC_E_TIMEOUT,
       "idle server times out: %s", h.b.fail_reason);
    harness_free(&h);
}

/* ---- hostile input --------------------------------------------------------------- */

static void inject_random(peerc_dtls *d, GRand *r, int count)
{
    uint8_t buf[1500];
    for (int i = 0; i < count; i++) {
        size_t len = (size_t)g_rand_int_range(r, 1, (gint32)sizeof buf);
        for (size_t j = 0; j < len; j++)
            buf[j] = (uint8_t)g_rand_int(r);
        buf[0] = (uint8_t)g_rand_int_range(r, 20, 64);
        peerc__dtls_receive(d, buf, len);
    }
}

/* A DTLS 1.2 record header (RFC 6347 §4.1) claiming `claimed` bytes, then `body` bytes. */
static void inject_header(peerc_dtls *d, uint8_t type, uint16_t epoch, uint16_t claimed,
                          size_t body)
{
    uint8_t buf[13 + 64];
    memset(buf, 0xab, sizeof buf);
    buf[0] = type;
    buf[1] = 0xfe;
    buf[2] = 0xfd;
    buf[3] = (uint8_t)(epoch >> 8);
    buf[4] = (uint8_t)epoch;
    memset(buf + 5, 0, 6);
    buf[10] = 7;
    buf[11] = (uint8_t)(claimed >> 8);
    buf[12] = (uint8_t)claimed;
    peerc__dtls_receive(d, buf, 13 + (body < 64 ? body : 64));
}

static void inject_headers(peerc_dtls *d)
{
    static const uint8_t types[] = {20, 21, 22, 23, 24, 63};
    for (size_t t = 0; t < sizeof types; t++) {
        inject_header(d, types[t], 0, 0xffff, 20); /* huge length */
        inject_header(d, types[t], 1, 0x4800, 64); /* longer than the datagram */
        inject_header(d, types[t], 0, 0, 0);       /* empty record */
        inject_header(d, types[t], 9, 64, 64);     /* unknown epoch */
    }
    inject_header(d, 22, 0, 64, 3); /* truncated handshake record */
}

static int data_arrived(harness *h)
{
    return h->a.rx->len >= 1 && h->b.rx->len >= 1;
}

/* Data still flows both ways, exactly once each. */
static void check_still_works(harness *h, const char *when)
{
    uint8_t buf[64];
    fill(buf, sizeof buf, 9);
    g_ptr_array_set_size(h->a.rx, 0);
    g_ptr_array_set_size(h->b.rx, 0);
    peerc__dtls_send(h->a.d, buf, sizeof buf);
    peerc__dtls_send(h->b.d, buf, sizeof buf);
    ok(run_until(h, data_arrived, 3000) && h->a.failed == 0 && h->b.failed == 0,
       "%s: connection still works", when);
}

static void test_garbage(void)
{
    harness h, ref;
    GRand *r = g_rand_new_with_seed(20240601);
    harness_init(&h);
    diag("--- garbage before and during the handshake");
    harness_create(&h, 1, 5000);
    /* The server starts when the first datagram arrives, garbage included. */
    inject_random(h.b.d, r, 200);
    inject_headers(h.b.d);
    is_int(peerc__dtls_start(h.b.d), PEERC_OK,
           "start after an implicit start (early datagram) is fine");
    is_int(peerc__dtls_start(h.b.d), PEERC_E_INVALID_STATE, "...once");
    peerc__dtls_start(h.a.d);
    inject_random(h.a.d, r, 200);
    inject_headers(h.a.d);
    ok(run_until(&h, both_connected, 6000), "handshake completes despite garbage (a %s, b %s)",
       h.a.failed ? h.a.fail_reason : "ok", h.b.failed ? h.b.fail_reason : "ok");

    diag("--- garbage after the handshake");
    inject_random(h.a.d, r, 300);
    inject_random(h.b.d, r, 300);
    inject_headers(h.a.d);
    inject_headers(h.b.d);
    {
        /* A plaintext fatal alert (epoch 0) is off-path forgeable: after the
         * handshake it belongs to a finished epoch and must be ignored. */
        static const uint8_t alert[] = {21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 2, 2, 40};
        peerc__dtls_receive(h.a.d, alert, sizeof alert);
        peerc__dtls_receive(h.b.d, alert, sizeof alert);
    }
    check_still_works(&h, "after random datagrams and a plaintext alert");

    /* Records from another session, whole and truncated at every interesting length. */
    harness_init(&ref);
    ref.a.captured = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    ref.b.captured = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    harness_create(&ref, 1, 5000);
    harness_start(&ref);
    run_until(&ref, both_connected, 5000);
    peerc__dtls_send(ref.a.d, (const uint8_t *)"hello", 5);
    run_for(&ref, 20);
    for (int side = 0; side < 2; side++) {
        GPtrArray *cap = side ? ref.b.captured : ref.a.captured;
        for (guint i = 0; i < cap->len; i++) {
            gsize len;
            const uint8_t *p = g_bytes_get_data(g_ptr_array_index(cap, i), &len);
            size_t cuts[] = {1, 5, 12, 13, 14, 25, len / 2, len - 1, len};
            for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
                if (cuts[c] == 0 || cuts[c] > len)
                    continue;
                peerc__dtls_receive(h.a.d, p, cuts[c]);
                peerc__dtls_receive(h.b.d, p, cuts[c]);
            }
        }
    }
    harness_free(&ref);
    check_still_works(&h, "after foreign and truncated records");

    /* Out-of-range first bytes are not DTLS (RFC 7983) and NULL is ignored. */
    peerc__dtls_receive(h.a.d, (const uint8_t *)"\x00\x01", 2);
    peerc__dtls_receive(h.a.d, (const uint8_t *)"\x80\x01", 2);
    peerc__dtls_receive(h.a.d, NULL, 10);
    peerc__dtls_receive(h.a.d, (const uint8_t *)"\x17", 0);
    peerc__dtls_receive(NULL, (const uint8_t *)"\x17", 1);
    check_still_works(&h, "after non-DTLS input");
    g_rand_free(r);
    harness_free(&h);
}

static int b_has_two(harness *h)
{
    return h->b.rx->len >= 2;
}

/* A replayed record is dropped by the DTLS replay window (RFC 6347 §4.1.2.6). */
static void test_replay(void)
{
    harness h;
    harness_init(&h);
    diag("--- replayed record");
    harness_create(&h, 1, 5000);
    harness_start(&h);
    run_until(&h, both_connected, 5000);
    h.a.captured = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    peerc__dtls_send(h.a.d, (const uint8_t *)"once", 4);
    run_for(&h, 20);
    ok(h.a.captured->len == 1 && h.b.rx->len == 1, "record delivered");
    if (h.a.captured->len >= 1) {
        gsize len;
        const uint8_t *p = g_bytes_get_data(g_ptr_array_index(h.a.captured, 0), &len);
        peerc__dtls_receive(h.b.d, p, len);
        peerc__dtls_receive(h.b.d, p, len);
    }
    peerc__dtls_send(h.a.d, (const uint8_t *)"twice", 5);
    run_until(&h, b_has_two, 2000);
    run_for(&h, 20);
    is_int(h.b.rx->len, 2, "replays dropped, next record delivered");
    is_int(h.b.failed, 0, "no failure");
    harness_free(&h);
}

/* ---- certificates and roles ------------------------------------------------------ */

/* An RSA-2048 certificate made with plain OpenSSL, imported through PEM. */
static peerc_cert *rsa_cert(void)
{
    EVP_PKEY *k = EVP_RSA_gen(2048);
    X509 *x = X509_new();
    X509_NAME *n = X509_get_subject_name(x);
    BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_mem());
    char *cp = NULL, *kp = NULL, err[PEERC_ERRBUF_SIZE] = "";
    long cl, kl;
    peerc_cert *c = NULL;
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"rsa peer", -1, -1, 0);
    X509_set_issuer_name(x, n);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, k);
    X509_sign(x, k, EVP_sha256());
    PEM_write_bio_X509(cb, x);
    PEM_write_bio_PrivateKey(kb, k, NULL, NULL, 0, NULL, NULL);
    cl = BIO_get_mem_data(cb, &cp);
    kl = BIO_get_mem_data(kb, &kp);
    {
        char *cs = g_strndup(cp, (gsize)cl), *ks = g_strndup(kp, (gsize)kl);
        if (peerc__cert_from_pem(cs, ks, &c, err, sizeof err) != PEERC_OK)
            diag("RSA import: %s", err);
        g_free(cs);
        g_free(ks);
    }
    BIO_free(cb);
    BIO_free(kb);
    X509_free(x);
    EVP_PKEY_free(k);
    return c;
}

static void test_rsa_server(void)
{
    harness h;
    harness_init(&h);
    diag("--- server with an RSA-2048 certificate");
    peerc__cert_unref(h.b.cert);
    h.b.cert = rsa_cert();
    ok(h.b.cert != NULL, "RSA certificate imported");
    if (!h.b.cert) {
        harness_free(&h);
        return;
    }
    harness_create(&h, 1, 5000);
    harness_start(&h);
    ok(run_until(&h, both_connected, 5000), "connected");
    is_str(peerc__dtls_cipher_name(h.a.d), "ECDHE-RSA-AES128-GCM-SHA256", "RSA suite chosen");
    ok(h.b.max_datagram <= PEERC_DTLS_MTU && h.b.sent >= 3,
       "server flight fragmented within the MTU (%d datagrams, max %zu bytes)", h.b.sent,
       h.b.max_datagram);
    harness_free(&h);
}

static void test_both_clients(void)
{
    harness h;
    harness_init(&h);
    diag("--- both sides think they are the client");
    peer_create(&h.a, 1, "sha-256", peerc__cert_fingerprint(h.b.cert), 2000);
    peer_create(&h.b, 1, "sha-256", peerc__cert_fingerprint(h.a.cert), 2000);
    harness_start(&h);
    ok(run_until(&h, both_settled, 4000), "both settled");
    ok(h.a.failed && h.b.failed && !h.a.connected && !h.b.connected, "both failed: %s / %s",
       h.a.fail_reason, h.b.fail_reason);
    harness_free(&h);
}

/* ---- lifetime --------------------------------------------------------------------- */

static void test_free_from_callback(void)
{
    harness h;
    harness_init(&h);
    diag("--- free from inside callbacks");
    h.b.free_on_connected = 1;
    harness_create(&h, 1, 5000);
    harness_start(&h);
    ok(run_until(&h, both_connected, 5000), "both connected; server freed itself in connected");
    ok(h.b.d == NULL, "server endpoint gone");
    run_for(&h, 300); /* the client's timers and any datagram to the freed side */
    ok(h.a.failed == 0 && h.b.failed == 0, "no callback after free");
    harness_free(&h);
}

static void test_free_with_timer_armed(void)
{
    harness h;
    harness_init(&h);
    diag("--- free while retransmitting; close during the handshake");
    h.a.drop = drop_all;
    peer_create(&h.a, 1, "sha-256", peerc__cert_fingerprint(h.b.cert), 200);
    peerc__dtls_start(h.a.d);
    peerc__dtls_free(h.a.d);
    h.a.d = NULL;
    run_for(&h, 400);
    ok(h.a.failed == 0 && h.a.sent == 1, "no retransmission and no timeout after free");

    h.b.drop = drop_all;
    peer_create(&h.b, 1, "sha-256", peerc__cert_fingerprint(h.a.cert), 200);
    peerc__dtls_start(h.b.d);
    peerc__dtls_close(h.b.d);
    is_int(peerc__dtls_send(h.b.d, (const uint8_t *)"x", 1), PEERC_E_CLOSED,
           "send after close mid-handshake");
    run_for(&h, 400);
    ok(h.b.failed == 0 && h.b.sent == 1,
       "closed mid-handshake: silent, no close_notify, no timeout");
    harness_free(&h);
}

int main(void)
{
    test_handshake(1);
    test_handshake(0);
    test_data_and_close();
    test_mismatch(1);
    test_mismatch(0);
    test_bad_fingerprint_args();
    test_other_hashes();
    test_late_fingerprint(1);
    test_late_fingerprint(0);
    test_fingerprint_never_comes();
    test_loss("first ClientHello", pick_client, drop_first_client_hello);
    test_loss("server's first flight", pick_server, drop_server_first_flight);
    test_loss("client's second flight", pick_client, drop_client_second_flight);
    test_loss("server's final flight", pick_server, drop_server_final_flight);
    test_silent_peer();
    test_garbage();
    test_replay();
    test_rsa_server();
    test_both_clients();
    test_free_from_callback();
    test_free_with_timer_armed();
    return done_testing();
}

/*
 * DTLS endpoint: lifecycle, datagram input, handshake progress,
 * retransmission timer and callbacks.  OpenSSL setup lives in dtls-ssl.c,
 * DTLS-SRTP key export in dtls-srtp.c.
 */
#include "dtls/dtls-internal.h"

#include <peerc/common.h>

#include "core/error.h"
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

/* Largest plaintext record (RFC 6347 §4.1 keeps RFC 5246 §6.2.1's 2^14). */
#define RECORD_MAX 16384
/* Nothing larger fits in a UDP datagram. */
#define DATAGRAM_MAX 65535
/* Application records kept while waiting for a=fingerprint; beyond that SCTP retransmits. */
#define HELD_MAX 64

static void destroy(peerc_dtls *d);

/* ---- re-entrancy: callbacks may free the object ------------------------- */

static void enter(peerc_dtls *d)
{
    d->depth++;
}

/* Destroys d when a callback freed it; d must not be touched afterwards. */
static void leave(peerc_dtls *d)
{
    if (--d->depth == 0 && d->free_pending)
        destroy(d);
}

static int running(const peerc_dtls *d)
{
    return !d->free_pending &&
           (d->state == PEERC_DTLS_HANDSHAKING || d->state == PEERC_DTLS_AWAIT_FINGERPRINT ||
            d->state == PEERC_DTLS_CONNECTED);
}

/* ---- held application data (handshake done, fingerprint unknown) ------- */

static void drop_held(peerc_dtls *d)
{
    GBytes *b;
    while ((b = g_queue_pop_head(&d->held)))
        g_bytes_unref(b);
}

static void deliver(peerc_dtls *d, const uint8_t *data, size_t len)
{
    if (d->state == PEERC_DTLS_CONNECTED) {
        if (d->cbs.data)
            d->cbs.data(d->ud, data, len);
    } else if (g_queue_get_length(&d->held) < HELD_MAX) {
        g_queue_push_tail(&d->held, g_bytes_new(data, len));
    }
}

static void release_held(peerc_dtls *d)
{
    GBytes *b;
    while (running(d) && (b = g_queue_pop_head(&d->held))) {
        gsize n;
        const uint8_t *p = g_bytes_get_data(b, &n);
        deliver(d, p, n);
        g_bytes_unref(b);
    }
}

/* ---- timer: OpenSSL retransmissions and the handshake deadline ---------- */

static gboolean timer_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
    (void)src;
    return cb ? cb(data) : G_SOURCE_REMOVE;
}

static GSourceFuncs timer_funcs = {.dispatch = timer_dispatch};

static void rearm(peerc_dtls *d)
{
    struct timeval tv;
    gint64 when = -1;
    if (!running(d)) {
        g_source_set_ready_time(d->timer, -1);
        return;
    }
    if (DTLSv1_get_timeout(d->ssl, &tv) == 1)
        when = g_get_monotonic_time() + (gint64)tv.tv_sec * G_USEC_PER_SEC + tv.tv_usec;
    if (d->deadline && (when < 0 || d->deadline < when))
        when = d->deadline;
    g_source_set_ready_time(d->timer, when);
}

/* ---- terminal events ----------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static void failf(peerc_dtls *d, int code, const char *fmt,
                                                        ...)
{
    char reason[PEERC_DTLS_REASON_SIZE];
    va_list ap;
    if (d->state == PEERC_DTLS_FAILED || d->state == PEERC_DTLS_CLOSED)
        return;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    d->state = PEERC_DTLS_FAILED;
    drop_held(d);
    g_source_set_ready_time(d->timer, -1);
    PEERC_DEBUG("dtls", "%p: failed (%s): %s", (void *)d, peerc_strerror(code), reason);
    if (d->cbs.failed)
        d->cbs.failed(d->ud, code, reason);
}

static const char *phase(const peerc_dtls *d)
{
    return d->handshake_done ? "DTLS connection" : "DTLS handshake";
}

/* Turn OpenSSL's error state after a failed call into one failed callback. */
static void fail_from_ssl(peerc_dtls *d, int ssl_error)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = ERR_reason_error_string(e);
    if (d->fp_mismatch)
        failf(d, PEERC_E_SECURITY, "%s", d->reason);
    else if (ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_READ_TIMEOUT_EXPIRED)
        failf(d, PEERC_E_TIMEOUT, "%s: peer stopped answering (too many retransmissions)",
              phase(d));
    else if (d->alert[0])
        failf(d, PEERC_E_NETWORK, "%s failed: received %s", phase(d), d->alert);
    else
        failf(d, PEERC_E_NETWORK, "%s failed: %s", phase(d),
              r                                ? r
              : ssl_error == SSL_ERROR_SYSCALL ? "transport error"
                                               : "unknown error");
    ERR_clear_error();
}

static void send_close_notify(peerc_dtls *d)
{
    /* OpenSSL refuses to shut down mid-handshake; there is no session then. */
    if (d->close_sent || !d->handshake_done)
        return;
    d->close_sent = 1;
    ERR_clear_error();
    SSL_shutdown(d->ssl);
    peerc__dtls_flush(d);
    ERR_clear_error();
}

static void peer_closed(peerc_dtls *d)
{
    if (d->state != PEERC_DTLS_CONNECTED) {
        failf(d, PEERC_E_NETWORK,
              "%s failed: peer sent close_notify before the connection was established", phase(d));
        return;
    }
    PEERC_DEBUG("dtls", "%p: close_notify received", (void *)d);
    /* RFC 5246 §7.2.1: answer with our own close_notify. */
    send_close_notify(d);
    d->state = PEERC_DTLS_CLOSED;
    g_source_set_ready_time(d->timer, -1);
    if (d->cbs.closed)
        d->cbs.closed(d->ud);
}

/* ---- handshake ------------------------------------------------------------ */

int peerc__dtls_check_peer(peerc_dtls *d, const X509 *cert)
{
    peerc_fingerprint got;
    char want_s[PEERC_FINGERPRINT_MAX_TEXT], got_s[PEERC_FINGERPRINT_MAX_TEXT];
    if (peerc__fingerprint_matches(&d->remote_fp, cert))
        return 1;
    if (peerc__fingerprint_of(cert, d->remote_fp.alg, &got) != PEERC_OK)
        got.len = 0;
    peerc__fingerprint_format(d->remote_fp.bytes, d->remote_fp.len, want_s, sizeof want_s);
    peerc__fingerprint_format(got.bytes, got.len, got_s, sizeof got_s);
    snprintf(d->reason, sizeof d->reason,
             "remote certificate does not match a=fingerprint %s %s (certificate has %s)",
             peerc__fingerprint_alg_name(&d->remote_fp), want_s, got_s);
    return 0;
}

/* Only a certificate matching the signalled fingerprint authenticates the
 * peer (RFC 5763 §5, RFC 8122 §6.2); until then nothing is "connected". */
static void verify_and_connect(peerc_dtls *d)
{
    X509 *peer = SSL_get0_peer_certificate(d->ssl);
    if (!peer) {
        failf(d, PEERC_E_SECURITY, "remote peer presented no certificate");
        return;
    }
    if (!peerc__dtls_check_peer(d, peer)) {
        failf(d, PEERC_E_SECURITY, "%s", d->reason);
        return;
    }
    d->state = PEERC_DTLS_CONNECTED;
    d->deadline = 0;
    PEERC_DEBUG("dtls", "%p: connected (%s)", (void *)d, d->is_client ? "client" : "server");
    if (d->cbs.connected)
        d->cbs.connected(d->ud);
    release_held(d);
}

static void handshake_finished(peerc_dtls *d)
{
    d->handshake_done = 1;
    PEERC_DEBUG("dtls", "%p: handshake done in %" G_GINT64_FORMAT " ms: %s %s, SRTP %s", (void *)d,
                (g_get_monotonic_time() - d->started) / 1000, SSL_get_version(d->ssl),
                SSL_get_cipher_name(d->ssl),
                peerc__dtls_srtp_profile_name(d) ? peerc__dtls_srtp_profile_name(d) : "none");
    if (!d->have_fp) {
        d->state = PEERC_DTLS_AWAIT_FINGERPRINT;
        PEERC_DEBUG("dtls", "%p: waiting for the remote a=fingerprint", (void *)d);
        return;
    }
    verify_and_connect(d);
}

/* After an SSL call returned r <= 0: wait for more input, or end the
 * association on close_notify or a fatal error. */
static void handle_ssl_error(peerc_dtls *d, int r)
{
    int e = SSL_get_error(d->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        ERR_clear_error();
    else if (e == SSL_ERROR_ZERO_RETURN)
        peer_closed(d);
    else
        fail_from_ssl(d, e);
}

static void drive_handshake(peerc_dtls *d)
{
    int r;
    ERR_clear_error();
    r = SSL_do_handshake(d->ssl);
    peerc__dtls_flush(d);
    if (r == 1) {
        handshake_finished(d);
        return;
    }
    handle_ssl_error(d, r);
}

/* Read every record the last datagram carried.  After the handshake this is
 * also what makes OpenSSL retransmit our final flight when the peer repeats
 * its own (RFC 6347 §4.2.4). */
static void drain_records(peerc_dtls *d)
{
    while (running(d) && d->state != PEERC_DTLS_HANDSHAKING) {
        int n;
        ERR_clear_error();
        n = SSL_read(d->ssl, d->rbuf, RECORD_MAX);
        peerc__dtls_flush(d); /* a retransmitted final flight, an answered close_notify */
        if (n > 0) {
            deliver(d, d->rbuf, (size_t)n);
            continue;
        }
        handle_ssl_error(d, n);
        return;
    }
}

static void start_handshake(peerc_dtls *d)
{
    d->state = PEERC_DTLS_HANDSHAKING;
    d->started = g_get_monotonic_time();
    d->deadline = d->started + (gint64)d->handshake_timeout_ms * 1000;
    PEERC_DEBUG("dtls", "%p: starting as %s", (void *)d, d->is_client ? "client" : "server");
    if (d->is_client)
        drive_handshake(d); /* sends the ClientHello */
    if (!d->free_pending)
        rearm(d);
}

static void handle_timer(peerc_dtls *d)
{
    int r;
    if (d->deadline && g_get_monotonic_time() >= d->deadline) {
        if (d->state == PEERC_DTLS_AWAIT_FINGERPRINT)
            failf(d, PEERC_E_TIMEOUT, "no remote a=fingerprint within %u ms",
                  d->handshake_timeout_ms);
        else
            failf(d, PEERC_E_TIMEOUT, "DTLS handshake not finished within %u ms",
                  d->handshake_timeout_ms);
        return;
    }
    ERR_clear_error();
    r = DTLSv1_handle_timeout(d->ssl);
    peerc__dtls_flush(d);
    if (r < 0)
        fail_from_ssl(d, SSL_ERROR_SSL);
    else
        ERR_clear_error();
}

static gboolean on_timer(gpointer p)
{
    peerc_dtls *d = p;
    g_source_set_ready_time(d->timer, -1);
    if (!running(d))
        return G_SOURCE_CONTINUE;
    enter(d);
    handle_timer(d);
    if (!d->free_pending)
        rearm(d);
    leave(d);
    return G_SOURCE_CONTINUE;
}

/* ---- public -------------------------------------------------------------- */

static int parse_fp(peerc_dtls *d, const char *alg, const char *value, char *err, size_t errlen)
{
    peerc_fingerprint fp;
    int rc;
    if (!alg && !value)
        return PEERC_OK;
    if (!alg || !value)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "a fingerprint needs both a hash function and a value");
    rc = peerc__fingerprint_parse(alg, value, &fp, err, errlen);
    if (rc == PEERC_OK) {
        d->remote_fp = fp;
        d->have_fp = 1;
    }
    return rc;
}

int peerc__dtls_new(GMainContext *mc, peerc_cert *local_cert, int is_client,
                    const char *remote_fp_alg, const char *remote_fp_value,
                    const peerc_dtls_callbacks *cbs, void *ud, peerc_dtls **out, char *err,
                    size_t errlen)
{
    peerc_dtls *d;
    int rc;
    if (!out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL out");
    *out = NULL;
    if (!mc || !local_cert || !cbs)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL argument");
    d = g_new0(peerc_dtls, 1);
    g_queue_init(&d->held);
    d->mc = g_main_context_ref(mc);
    d->cert = peerc__cert_ref(local_cert);
    d->cbs = *cbs;
    d->ud = ud;
    d->is_client = is_client ? 1 : 0;
    d->handshake_timeout_ms = PEERC_DTLS_HANDSHAKE_TIMEOUT_MS;
    rc = parse_fp(d, remote_fp_alg, remote_fp_value, err, errlen);
    if (rc == PEERC_OK)
        rc = peerc__dtls_ssl_setup(d, err, errlen);
    if (rc != PEERC_OK) {
        destroy(d);
        return rc;
    }
    d->rbuf = g_malloc(RECORD_MAX);
    d->timer = g_source_new(&timer_funcs, sizeof(GSource));
    g_source_set_name(d->timer, "peerc dtls timer");
    g_source_set_callback(d->timer, on_timer, d, NULL);
    g_source_attach(d->timer, mc);
    *out = d;
    return PEERC_OK;
}

int peerc__dtls_set_remote_fingerprint(peerc_dtls *d, const char *alg, const char *value, char *err,
                                       size_t errlen)
{
    int rc;
    if (!d || d->free_pending || !alg || !value)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL argument");
    if (d->state == PEERC_DTLS_FAILED || d->state == PEERC_DTLS_CLOSED)
        return peerc__errorf(err, errlen, PEERC_E_CLOSED, "DTLS transport closed");
    /* A new fingerprint needs a new DTLS association (RFC 8842). */
    if (d->state == PEERC_DTLS_CONNECTED)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_STATE, "DTLS already connected");
    rc = parse_fp(d, alg, value, err, errlen);
    if (rc != PEERC_OK || d->state != PEERC_DTLS_AWAIT_FINGERPRINT)
        return rc;
    enter(d);
    verify_and_connect(d);
    if (!d->free_pending)
        rearm(d);
    leave(d);
    return PEERC_OK;
}

void peerc__dtls_set_handshake_timeout_ms(peerc_dtls *d, unsigned int ms)
{
    if (!d || ms == 0)
        return;
    d->handshake_timeout_ms = ms;
    if (d->deadline) {
        d->deadline = d->started + (gint64)ms * 1000;
        rearm(d);
    }
}

void peerc__dtls_set_retransmit_timeout_ms(peerc_dtls *d, unsigned int first_ms)
{
    if (!d)
        return;
    /* Keep it sane: below 10 ms every jitter spike retransmits; above 3 s
     * the handshake budget would see too few attempts. */
    d->retransmit_first_us = CLAMP(first_ms, 10u, 3000u) * 1000u;
}

int peerc__dtls_start(peerc_dtls *d)
{
    if (!d || d->free_pending)
        return PEERC_E_INVALID_ARGUMENT;
    if (d->implicit_start && running(d)) {
        d->implicit_start = 0; /* the owner's start, arriving after the ClientHello */
        return PEERC_OK;
    }
    if (d->state != PEERC_DTLS_NEW)
        return PEERC_E_INVALID_STATE;
    enter(d);
    start_handshake(d);
    leave(d);
    return PEERC_OK;
}

static void feed(peerc_dtls *d, const uint8_t *data, size_t len)
{
    /* One datagram at a time: leftovers of a previous (malformed) datagram
     * must not be parsed as the start of this one. */
    (void)BIO_reset(d->in);
    BIO_write(d->in, data, (int)len);
}

void peerc__dtls_receive(peerc_dtls *d, const uint8_t *data, size_t len)
{
    if (!d || d->free_pending || !data || len == 0 || len > DATAGRAM_MAX)
        return;
    /* RFC 7983 §7: 20..63 is DTLS; anything else was misrouted. */
    if (data[0] < 20 || data[0] > 63)
        return;
    enter(d);
    /* A server may see the ClientHello before its owner called start. */
    if (d->state == PEERC_DTLS_NEW && !d->is_client) {
        d->implicit_start = 1;
        start_handshake(d);
    }
    if (running(d)) {
        feed(d, data, len);
        if (d->state == PEERC_DTLS_HANDSHAKING)
            drive_handshake(d);
        drain_records(d);
        if (!d->free_pending)
            rearm(d);
    }
    leave(d);
}

int peerc__dtls_send(peerc_dtls *d, const uint8_t *data, size_t len)
{
    int n, rc = PEERC_OK;
    if (!d || d->free_pending || !data || len == 0)
        return PEERC_E_INVALID_ARGUMENT;
    if (len > RECORD_MAX)
        return PEERC_E_RANGE;
    if (d->state == PEERC_DTLS_CLOSED || d->state == PEERC_DTLS_FAILED)
        return PEERC_E_CLOSED;
    if (d->state != PEERC_DTLS_CONNECTED)
        return PEERC_E_INVALID_STATE;
    enter(d);
    ERR_clear_error();
    n = SSL_write(d->ssl, data, (int)len);
    peerc__dtls_flush(d);
    if (n != (int)len) {
        const char *r = ERR_reason_error_string(ERR_peek_last_error());
        PEERC_DEBUG("dtls", "%p: SSL_write failed: %s", (void *)d, r ? r : "unknown error");
        rc = PEERC_E_NETWORK;
    }
    ERR_clear_error();
    leave(d);
    return rc;
}

void peerc__dtls_close(peerc_dtls *d)
{
    if (!d || d->free_pending || d->state == PEERC_DTLS_CLOSED || d->state == PEERC_DTLS_FAILED)
        return;
    enter(d);
    send_close_notify(d);
    d->state = PEERC_DTLS_CLOSED;
    drop_held(d);
    g_source_set_ready_time(d->timer, -1);
    leave(d);
}

static void destroy(peerc_dtls *d)
{
    if (d->timer) {
        g_source_destroy(d->timer);
        g_source_unref(d->timer);
    }
    drop_held(d);
    peerc__dtls_ssl_teardown(d);
    peerc__cert_unref(d->cert);
    g_main_context_unref(d->mc);
    if (d->rbuf) {
        OPENSSL_cleanse(d->rbuf, RECORD_MAX); /* last decrypted record */
        g_free(d->rbuf);
    }
    g_free(d);
}

void peerc__dtls_free(peerc_dtls *d)
{
    if (!d || d->free_pending)
        return;
    d->free_pending = 1;
    memset(&d->cbs, 0, sizeof d->cbs);
    if (d->depth == 0)
        destroy(d);
}

int peerc__dtls_is_client(const peerc_dtls *d)
{
    return d ? d->is_client : 0;
}

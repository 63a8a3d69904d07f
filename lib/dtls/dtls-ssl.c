/*
 * OpenSSL configuration for WebRTC DTLS: protocol, ciphers, DTLS-SRTP,
 * fingerprint-based peer verification, and the datagram output BIO.
 */
#include "dtls/dtls-internal.h"

#include <peerc/common.h>

#include "core/error.h"
#include "core/log.h"

#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/srtp.h>
#include <openssl/x509.h>

/*
 * RFC 8827 §6.5 mandates TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 on P-256;
 * the others are what browsers offer.  The RSA suites serve peers bringing
 * RSA certificates (older stacks, user-supplied certs).  AEAD only.
 */
static const char cipher_list[] = "ECDHE-ECDSA-AES128-GCM-SHA256:"
                                  "ECDHE-ECDSA-CHACHA20-POLY1305:"
                                  "ECDHE-ECDSA-AES256-GCM-SHA384:"
                                  "ECDHE-RSA-AES128-GCM-SHA256:"
                                  "ECDHE-RSA-CHACHA20-POLY1305:"
                                  "ECDHE-RSA-AES256-GCM-SHA384";
static const char group_list[] = "P-256:X25519:P-384";
/* GCM first: the server's order decides (RFC 5764 §4.1.1) and it is the
 * cheaper transform; AES_CM_SHA1_80 is the one every peer supports. */
static const char srtp_profiles[] = "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80";

/* RFC 6347 §4.2.4.1 suggests starting at 1 s.  WebRTC flights are small and
 * ICE just proved the path, so a lost ClientHello should cost ~100 ms, not a
 * second; keep doubling but cap at 3 s so the handshake budget still sees
 * several attempts. */
#define RETRANSMIT_FIRST_US 100000u
#define RETRANSMIT_MAX_US 3000000u

static peerc_dtls *dtls_of(const SSL *ssl)
{
    return ssl ? SSL_get_app_data(ssl) : NULL;
}

static unsigned int retransmit_timer(SSL *ssl, unsigned int previous_us)
{
    peerc_dtls *d = dtls_of(ssl);
    if (previous_us == 0)
        return d && d->retransmit_first_us ? d->retransmit_first_us : RETRANSMIT_FIRST_US;
    return previous_us >= RETRANSMIT_MAX_US / 2 ? RETRANSMIT_MAX_US : previous_us * 2;
}

/*
 * The peer's certificate is self-signed, so chain verification always fails
 * (preverify_ok = 0); what authenticates it is the a=fingerprint from SDP
 * (RFC 5763 §5, RFC 8122 §5).  We therefore ignore chain errors and judge
 * only the leaf.  Without a fingerprint yet, accept now and check once it
 * arrives (peerc__dtls_set_remote_fingerprint) - connected waits for that.
 */
static int verify_peer(int preverify_ok, X509_STORE_CTX *store)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    peerc_dtls *d = dtls_of(ssl);
    X509 *leaf = X509_STORE_CTX_get0_cert(store);
    (void)preverify_ok;
    if (!d || !leaf)
        return 0;
    if (!d->have_fp)
        return 1;
    if (peerc__dtls_check_peer(d, leaf))
        return 1;
    d->fp_mismatch = 1;
    /* Makes OpenSSL answer with a bad_certificate alert. */
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    return 0;
}

/* Remember the last fatal alert received so that failures can name it. */
static void info_callback(const SSL *ssl, int where, int ret)
{
    peerc_dtls *d = dtls_of(ssl);
    if (!d || !(where & SSL_CB_ALERT))
        return;
    PEERC_DEBUG("dtls", "%p: %s alert %s: %s", (void *)d,
                (where & SSL_CB_READ) ? "received" : "sent", SSL_alert_type_string_long(ret),
                SSL_alert_desc_string_long(ret));
    if ((where & SSL_CB_READ) && (ret >> 8) == SSL3_AL_FATAL)
        snprintf(d->alert, sizeof d->alert, "fatal alert \"%s\"", SSL_alert_desc_string_long(ret));
}

/* ---- output BIO: records packed into datagrams of at most the MTU ------ */

/*
 * Each write reaching this BIO holds whole records: a flight flushed by
 * OpenSSL's handshake buffer (already packed up to the MTU), one
 * retransmitted message, or one application record.  A memory BIO would
 * merge them without limit; sending each write alone would cost a datagram
 * per message on retransmission (OpenSSL flushes after every retransmitted
 * message).  So writes are gathered while an SSL call runs and sent by
 * peerc__dtls_flush as datagrams of up to PEERC_DTLS_MTU bytes - several
 * records in one datagram are allowed (RFC 6347 §4.1.1).
 */
static void emit(peerc_dtls *d, const uint8_t *data, size_t len)
{
    if (d->cbs.send && !d->free_pending)
        d->cbs.send(d->ud, data, len);
}

void peerc__dtls_flush(peerc_dtls *d)
{
    size_t n = d->out_len;
    d->out_len = 0;
    if (n > 0)
        emit(d, d->out, n);
}

static int out_write(BIO *b, const char *data, int len)
{
    peerc_dtls *d = BIO_get_data(b);
    size_t n = len > 0 ? (size_t)len : 0;
    BIO_clear_retry_flags(b);
    if (!d || n == 0)
        return 0;
    if (d->out_len + n > sizeof d->out)
        peerc__dtls_flush(d);
    if (n > sizeof d->out)
        emit(d, (const uint8_t *)data, n); /* one record above the MTU: application data */
    else {
        memcpy(d->out + d->out_len, data, n);
        d->out_len += n;
    }
    return len;
}

static long out_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b, (void)num, (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_PENDING:
    case BIO_CTRL_WPENDING:
        return 0;
    default:
        /* MTU queries and peer addresses: unknown here; SSL_OP_NO_QUERY_MTU
         * and SSL_set_mtu make OpenSSL rely on our fixed value instead. */
        return 0;
    }
}

/*
 * Created once per process and never freed, like OpenSSL's own methods: BIO
 * type indexes come from a process-wide counter that must not be consumed
 * per connection (past 255 it would spill into the BIO type flag bits).
 */
static BIO_METHOD *out_method(void)
{
    static BIO_METHOD *method;
    if (g_once_init_enter(&method)) {
        BIO_METHOD *m =
            BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "peerc dtls datagram");
        if (m && (!BIO_meth_set_write(m, out_write) || !BIO_meth_set_ctrl(m, out_ctrl))) {
            BIO_meth_free(m);
            m = NULL;
        }
        g_once_init_leave(&method, m);
    }
    return method;
}

static int make_bios(peerc_dtls *d)
{
    BIO *out;
    if (!out_method())
        return 0;
    d->in = BIO_new(BIO_s_mem());
    out = BIO_new(out_method());
    if (!d->in || !out) {
        BIO_free(d->in);
        BIO_free(out);
        d->in = NULL;
        return 0;
    }
    /* An empty input must read as "retry later", not as end of file. */
    BIO_set_mem_eof_return(d->in, -1);
    BIO_set_data(out, d);
    BIO_set_init(out, 1);
    SSL_set_bio(d->ssl, d->in, out);
    return 1;
}

static int configure_ctx(SSL_CTX *ctx, const peerc_cert *cert)
{
    /* DTLS 1.2 only: peers without 1.3 are common and Chromium falls back. */
    if (!SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) ||
        !SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION))
        return 0;
    SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_read_ahead(ctx, 0);
    if (SSL_CTX_set_cipher_list(ctx, cipher_list) != 1 ||
        SSL_CTX_set1_groups_list(ctx, group_list) != 1)
        return 0;
    /* Inverted API: 0 means success. */
    if (SSL_CTX_set_tlsext_use_srtp(ctx, srtp_profiles) != 0)
        return 0;
    /* Both endpoints present certificates (RFC 5763 §5): the server must
     * ask for the client's, and neither side may go without one. */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_peer);
    SSL_CTX_set_info_callback(ctx, info_callback);
    return SSL_CTX_use_certificate(ctx, peerc__cert_x509(cert)) == 1 &&
           SSL_CTX_use_PrivateKey(ctx, peerc__cert_key(cert)) == 1 &&
           SSL_CTX_check_private_key(ctx) == 1;
}

int peerc__dtls_ssl_setup(peerc_dtls *d, char *err, size_t errlen)
{
    ERR_clear_error();
    d->ctx = SSL_CTX_new(DTLS_method());
    if (!d->ctx || !configure_ctx(d->ctx, d->cert) || !(d->ssl = SSL_new(d->ctx)))
        goto fail;
    SSL_set_app_data(d->ssl, d);
    if (!make_bios(d))
        goto fail;
    /* Fixed datagram size: the BIO cannot report one and OpenSSL would
     * otherwise fall back to tiny 256-byte records. */
    if (SSL_set_mtu(d->ssl, PEERC_DTLS_MTU) <= 0) /* returns the MTU set, 0 on error */
        goto fail;
    DTLS_set_timer_cb(d->ssl, retransmit_timer);
    if (d->is_client)
        SSL_set_connect_state(d->ssl);
    else
        SSL_set_accept_state(d->ssl);
    return PEERC_OK;
fail : {
    const char *r = ERR_reason_error_string(ERR_peek_last_error());
    int rc = peerc__errorf(err, errlen, PEERC_E_INTERNAL, "OpenSSL DTLS setup failed: %s",
                           r ? r : "unknown error");
    ERR_clear_error();
    peerc__dtls_ssl_teardown(d);
    return rc;
}
}

void peerc__dtls_ssl_teardown(peerc_dtls *d)
{
    SSL_free(d->ssl); /* frees both BIOs */
    d->ssl = NULL;
    d->in = NULL;
    SSL_CTX_free(d->ctx);
    d->ctx = NULL;
}

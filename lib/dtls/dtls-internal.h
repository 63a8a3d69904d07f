/* Private layout of peerc_dtls, shared by the dtls*.c files only. */
#ifndef PEERC_DTLS_DTLS_INTERNAL_H
#define PEERC_DTLS_DTLS_INTERNAL_H

#include "dtls/dtls.h"
#include "dtls/fingerprint.h"

#include <openssl/ssl.h>

typedef enum peerc_dtls_state {
    PEERC_DTLS_NEW = 0,
    PEERC_DTLS_HANDSHAKING = 1,
    PEERC_DTLS_AWAIT_FINGERPRINT = 2, /* handshake done, no a=fingerprint yet */
    PEERC_DTLS_CONNECTED = 3,
    PEERC_DTLS_CLOSED = 4,
    PEERC_DTLS_FAILED = 5
} peerc_dtls_state;

/* Room for "remote certificate does not match a=fingerprint sha-512 <hex> (...<hex>)". */
#define PEERC_DTLS_REASON_SIZE 512

struct peerc_dtls {
    GMainContext *mc;
    GSource *timer; /* retransmission + handshake deadline, on mc */
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *in; /* memory BIO, owned by ssl */
    peerc_cert *cert;
    peerc_dtls_callbacks cbs;
    void *ud;
    int is_client;
    peerc_dtls_state state;

    int have_fp;
    peerc_fingerprint remote_fp;
    int fp_mismatch;                     /* the verify callback refused the peer */
    char reason[PEERC_DTLS_REASON_SIZE]; /* detail of a mismatch or failure */
    char alert[96];                      /* last alert received, for failure text */

    int handshake_done;
    int implicit_start; /* a server started by an early datagram, before peerc__dtls_start */
    int close_sent;
    unsigned int handshake_timeout_ms;
    gint64 started;  /* monotonic µs at start */
    gint64 deadline; /* monotonic µs; 0 = none */

    int depth;        /* nesting of public entry points on the stack */
    int free_pending; /* peerc__dtls_free called while depth > 0 */
    GQueue held;      /* GBytes of application data received in AWAIT_FINGERPRINT */
    uint8_t *rbuf;    /* SSL_read buffer, one full record */

    unsigned int retransmit_first_us; /* first retransmission timeout */
    uint8_t out[PEERC_DTLS_MTU];      /* records written by one SSL call, not yet sent */
    size_t out_len;
};

/* dtls-ssl.c: build ctx/ssl/BIOs for d (d->cert, d->is_client set). */
int peerc__dtls_ssl_setup(peerc_dtls *d, char *err, size_t errlen);
/* dtls-ssl.c: release what peerc__dtls_ssl_setup built. */
void peerc__dtls_ssl_teardown(peerc_dtls *d);
/* dtls-ssl.c: send what the last SSL call wrote; call after every SSL call
 * that may write, before any other callback fires. */
void peerc__dtls_flush(peerc_dtls *d);

/* dtls.c: 1 when cert matches the remote fingerprint; otherwise 0 with
 * d->reason filled.  Call only with d->have_fp set. */
int peerc__dtls_check_peer(peerc_dtls *d, const X509 *cert);

#endif

/* DTLS certificates: generation, PEM import, SHA-256 fingerprint. */
#include "dtls/cert.h"

#include <peerc/common.h>

#include "core/error.h"
#include "core/log.h"
#include "dtls/fingerprint.h"

#include <glib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* Chromium's default RTCCertificate lifetime; a fresh one is made per pc anyway. */
#define CERT_LIFETIME_DAYS 30
/* Back-dated so a peer whose clock runs a little behind still sees a valid cert. */
#define CERT_BACKDATE_SECONDS (24 * 3600)

struct peerc_cert {
    gint refs;
    X509 *x509;
    EVP_PKEY *key;
    char fingerprint[32 * 3]; /* SHA-256 as "AB:CD:...", 95 chars + NUL */
};

static const char *openssl_reason(void)
{
    const char *r = ERR_reason_error_string(ERR_peek_last_error());
    return r ? r : "unknown OpenSSL error";
}

/* Takes ownership of x509 and key (freed on failure too). */
static int cert_wrap(X509 *x509, EVP_PKEY *key, peerc_cert **out)
{
    peerc_cert *c = g_new0(peerc_cert, 1);
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (X509_digest(x509, EVP_sha256(), md, &n) != 1 || n != 32) {
        X509_free(x509);
        EVP_PKEY_free(key);
        g_free(c);
        return PEERC_E_INTERNAL;
    }
    peerc__fingerprint_format(md, n, c->fingerprint, sizeof c->fingerprint);
    c->refs = 1;
    c->x509 = x509;
    c->key = key;
    *out = c;
    return PEERC_OK;
}

/* Positive 63-bit serial: RFC 5280 §4.1.2.2 wants it positive and unique per issuer. */
static int set_random_serial(X509 *x)
{
    uint64_t serial = 0;
    if (RAND_bytes((unsigned char *)&serial, sizeof serial) != 1)
        return 0;
    serial &= UINT64_C(0x7fffffffffffffff);
    if (serial == 0)
        serial = 1;
    return ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial);
}

static int set_name(X509 *x, const char *cn)
{
    X509_NAME *name = X509_get_subject_name(x);
    if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
                                    0))
        return 0;
    return X509_set_issuer_name(x, name);
}

static X509 *make_self_signed(EVP_PKEY *key)
{
    X509 *x = X509_new();
    if (x && X509_set_version(x, X509_VERSION_3) && set_random_serial(x) && set_name(x, "peerc") &&
        X509_gmtime_adj(X509_getm_notBefore(x), -CERT_BACKDATE_SECONDS) &&
        X509_time_adj_ex(X509_getm_notAfter(x), CERT_LIFETIME_DAYS, 0, NULL) &&
        X509_set_pubkey(x, key) && X509_sign(x, key, EVP_sha256()) > 0)
        return x;
    X509_free(x);
    return NULL;
}

int peerc__cert_generate(peerc_cert **out)
{
    EVP_PKEY *key;
    X509 *x;
    if (!out)
        return PEERC_E_INVALID_ARGUMENT;
    *out = NULL;
    ERR_clear_error();
    /* ECDSA P-256: what browsers generate by default, and cheap (RFC 8827 §6.5). */
    key = EVP_EC_gen("P-256");
    x = key ? make_self_signed(key) : NULL;
    if (!x) {
        PEERC_ERROR("dtls", "certificate generation failed: %s", openssl_reason());
        EVP_PKEY_free(key);
        ERR_clear_error();
        return PEERC_E_INTERNAL;
    }
    return cert_wrap(x, key, out);
}

/* PEM callback that refuses instead of prompting on the terminal (OpenSSL's default). */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1;
}

static X509 *read_x509(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, no_passphrase, NULL) : NULL;
    BIO_free(b);
    return x;
}

static EVP_PKEY *read_key(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL) : NULL;
    BIO_free(b);
    return k;
}

/* Load the pair into a throw-away DTLS context so that a key OpenSSL would
 * refuse at handshake time (security level, e.g. RSA-1024) fails here, where
 * the caller can still be told why. */
static int check_usable(X509 *x, EVP_PKEY *key, char *err, size_t errlen)
{
    SSL_CTX *ctx = SSL_CTX_new(DTLS_method());
    int ok = ctx && SSL_CTX_use_certificate(ctx, x) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1;
    int rc = ok ? PEERC_OK
                : peerc__errorf(err, errlen, PEERC_E_NOT_SUPPORTED,
                                "certificate not usable for DTLS: %s", openssl_reason());
    SSL_CTX_free(ctx);
    return rc;
}

static int check_pair(X509 *x, EVP_PKEY *key, char *err, size_t errlen)
{
    int type = EVP_PKEY_get_base_id(key);
    if (type != EVP_PKEY_EC && type != EVP_PKEY_RSA)
        return peerc__errorf(err, errlen, PEERC_E_NOT_SUPPORTED,
                             "unsupported key type %s (RSA or EC expected)",
                             OBJ_nid2sn(type) ? OBJ_nid2sn(type) : "?");
    if (X509_check_private_key(x, key) != 1)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "private key does not match the certificate (%s)", openssl_reason());
    return check_usable(x, key, err, errlen);
}

int peerc__cert_from_pem(const char *cert_pem, const char *key_pem, peerc_cert **out, char *err,
                         size_t errlen)
{
    X509 *x = NULL;
    EVP_PKEY *key = NULL;
    int rc;
    if (!cert_pem || !key_pem || !out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL argument");
    *out = NULL;
    ERR_clear_error();
    if (!(x = read_x509(cert_pem)))
        rc = peerc__errorf(err, errlen, PEERC_E_SYNTAX, "no PEM certificate could be read (%s)",
                           openssl_reason());
    else if (!(key = read_key(key_pem)))
        rc = strstr(key_pem, "ENCRYPTED")
                 ? peerc__errorf(err, errlen, PEERC_E_SYNTAX,
                                 "encrypted private keys are not supported; supply it decrypted")
                 : peerc__errorf(err, errlen, PEERC_E_SYNTAX,
                                 "no PEM private key could be read (%s)", openssl_reason());
    else
        rc = check_pair(x, key, err, errlen);
    ERR_clear_error();
    if (rc != PEERC_OK) {
        X509_free(x);
        EVP_PKEY_free(key);
        return rc;
    }
    return cert_wrap(x, key, out);
}

peerc_cert *peerc__cert_ref(peerc_cert *cert)
{
    if (cert)
        g_atomic_int_inc(&cert->refs);
    return cert;
}

void peerc__cert_unref(peerc_cert *cert)
{
    if (!cert || !g_atomic_int_dec_and_test(&cert->refs))
        return;
    X509_free(cert->x509);
    EVP_PKEY_free(cert->key);
    g_free(cert);
}

const char *peerc__cert_fingerprint(const peerc_cert *cert)
{
    return cert ? cert->fingerprint : NULL;
}

int64_t peerc__cert_expires_ms(const peerc_cert *cert)
{
    struct tm tm;
    if (!cert || ASN1_TIME_to_tm(X509_get0_notAfter(cert->x509), &tm) != 1)
        return 0;
    return (int64_t)timegm(&tm) * 1000;
}

X509 *peerc__cert_x509(const peerc_cert *cert)
{
    return cert ? cert->x509 : NULL;
}

EVP_PKEY *peerc__cert_key(const peerc_cert *cert)
{
    return cert ? cert->key : NULL;
}

/* DTLS-SRTP key export (RFC 5764 §4.2) and the negotiated parameter names. */
#include "dtls/dtls-internal.h"

#include <peerc/common.h>

#include "core/log.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/srtp.h>

static const char srtp_label[] = "EXTRACTOR-dtls_srtp";

/* Master key and salt sizes: RFC 5764 §4.1.2 (AES_CM: 112-bit salt) and
 * RFC 7714 §14.2 (AEAD_AES_128_GCM: 96-bit salt). */
static int profile_sizes(unsigned long id, size_t *key_len, size_t *salt_len)
{
    switch (id) {
    case SRTP_AES128_CM_SHA1_80:
        *key_len = 16;
        *salt_len = 14;
        return 1;
    case SRTP_AEAD_AES_128_GCM:
        *key_len = 16;
        *salt_len = 12;
        return 1;
    default:
        return 0;
    }
}

/*
 * The exporter yields client_write_key | server_write_key |
 * client_write_salt | server_write_salt (RFC 5764 §4.2); libsrtp wants each
 * direction as key || salt.  Our "local" direction is our write direction.
 */
static void arrange(const uint8_t *m, size_t k, size_t s, int is_client, peerc_dtls_srtp_keys *out)
{
    const uint8_t *client_key = m, *server_key = m + k;
    const uint8_t *client_salt = m + 2 * k, *server_salt = m + 2 * k + s;
    memcpy(out->local, is_client ? client_key : server_key, k);
    memcpy(out->local + k, is_client ? client_salt : server_salt, s);
    memcpy(out->remote, is_client ? server_key : client_key, k);
    memcpy(out->remote + k, is_client ? server_salt : client_salt, s);
}

int peerc__dtls_get_srtp_keys(peerc_dtls *d, peerc_dtls_srtp_keys *out)
{
    const SRTP_PROTECTION_PROFILE *p;
    uint8_t material[2 * PEERC_DTLS_SRTP_MAX_KEY_SALT];
    size_t k, s;
    if (!d || !out)
        return PEERC_E_INVALID_ARGUMENT;
    if (d->free_pending || d->state != PEERC_DTLS_CONNECTED)
        return PEERC_E_INVALID_STATE;
    p = SSL_get_selected_srtp_profile(d->ssl);
    if (!p || !profile_sizes(p->id, &k, &s))
        return PEERC_E_NOT_SUPPORTED;
    /* No context (RFC 5764 §4.2), hence use_context = 0. */
    if (SSL_export_keying_material(d->ssl, material, 2 * (k + s), srtp_label, sizeof srtp_label - 1,
                                   NULL, 0, 0) != 1) {
        PEERC_ERROR("dtls", "%p: SRTP key export failed", (void *)d);
        return PEERC_E_INTERNAL;
    }
    memset(out, 0, sizeof *out);
    out->profile = (uint16_t)p->id;
    out->key_len = k;
    out->salt_len = s;
    out->len = k + s;
    arrange(material, k, s, d->is_client, out);
    OPENSSL_cleanse(material, sizeof material);
    return PEERC_OK;
}

const char *peerc__dtls_cipher_name(const peerc_dtls *d)
{
    return d && d->handshake_done ? SSL_get_cipher_name(d->ssl) : NULL;
}

const char *peerc__dtls_srtp_profile_name(const peerc_dtls *d)
{
    const SRTP_PROTECTION_PROFILE *p;
    if (!d || !d->handshake_done)
        return NULL;
    p = SSL_get_selected_srtp_profile(d->ssl);
    return p ? p->name : NULL;
}

const char *peerc__dtls_version_name(const peerc_dtls *d)
{
    return d && d->handshake_done ? SSL_get_version(d->ssl) : NULL;
}

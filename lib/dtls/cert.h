/*
 * DTLS certificates (the RTCCertificate behind a peer connection): a key pair
 * plus a self-signed X.509 certificate whose SHA-256 fingerprint goes into
 * a=fingerprint (RFC 8122 §5, RFC 5763 §5).  Immutable once created, shared by
 * reference counting; the count is atomic so a certificate made on one thread
 * may be handed to the worker.
 */
#ifndef PEERC_DTLS_CERT_H
#define PEERC_DTLS_CERT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

typedef struct peerc_cert peerc_cert;

/* ECDSA P-256 key, self-signed X509v3, random serial, CN "peerc", valid from
 * one day ago for 30 days, SHA-256 signature.  Errors: PEERC_E_INTERNAL. */
int peerc__cert_generate(peerc_cert **out);

/*
 * A user-supplied certificate and private key, both PEM (unencrypted: a
 * protected key is rejected rather than prompting on a terminal).  Only the
 * first certificate of cert_pem is used.  RSA (>= 2048 bits, OpenSSL's
 * security level) and EC keys are accepted.  Errors, with detail in err:
 * PEERC_E_INVALID_ARGUMENT (NULL argument, or a key that does not match the
 * certificate), PEERC_E_SYNTAX (no readable PEM certificate or key),
 * PEERC_E_NOT_SUPPORTED (key type, or refused by OpenSSL's security level).
 */
int peerc__cert_from_pem(const char *cert_pem, const char *key_pem, peerc_cert **out, char *err,
                         size_t errlen);

/* Returns cert for chaining; NULL-safe. */
peerc_cert *peerc__cert_ref(peerc_cert *cert);
/* NULL-safe. */
void peerc__cert_unref(peerc_cert *cert);

/* SHA-256 fingerprint value for a=fingerprint, "AB:CD:..." (95 characters),
 * computed once at creation.  The hash name to pair it with is "sha-256". */
const char *peerc__cert_fingerprint(const peerc_cert *cert);

/* notAfter in milliseconds since the Unix epoch (RTCCertificate.expires). */
int64_t peerc__cert_expires_ms(const peerc_cert *cert);

/* Borrowed OpenSSL objects for the DTLS layer; valid while cert is referenced. */
X509 *peerc__cert_x509(const peerc_cert *cert);
EVP_PKEY *peerc__cert_key(const peerc_cert *cert);

#endif

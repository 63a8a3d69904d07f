/*
 * Certificate fingerprints as carried in SDP a=fingerprint (RFC 8122 §5):
 * a hash function name and the digest of the DER certificate as uppercase,
 * colon-separated hex.  With self-signed DTLS certificates this digest is the
 * only trust anchor (RFC 5763 §5), so comparisons work on bytes, never text.
 */
#ifndef PEERC_DTLS_FINGERPRINT_H
#define PEERC_DTLS_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

/* Largest digest we accept (SHA-512). */
#define PEERC_FINGERPRINT_MAX_BYTES 64
/* "AB:CD:..." text for the largest digest, with its NUL. */
#define PEERC_FINGERPRINT_MAX_TEXT (PEERC_FINGERPRINT_MAX_BYTES * 3)

typedef struct peerc_fingerprint {
    int alg;    /* index into the hash table of fingerprint.c */
    size_t len; /* digest bytes */
    uint8_t bytes[PEERC_FINGERPRINT_MAX_BYTES];
} peerc_fingerprint;

/*
 * Parse a remote a=fingerprint.  alg is the hash function token ("sha-256",
 * case-insensitive: sha-1/224/256/384/512); value is hex byte pairs separated
 * by ':' (either case).  Errors: PEERC_E_INVALID_ARGUMENT (NULL),
 * PEERC_E_NOT_SUPPORTED (unknown or forbidden hash such as md5),
 * PEERC_E_SYNTAX (malformed hex or wrong length for the hash).
 */
int peerc__fingerprint_parse(const char *alg, const char *value, peerc_fingerprint *out, char *err,
                             size_t errlen);

/* Digest of cert with the hash named by alg_index (taken from a parsed fingerprint). */
int peerc__fingerprint_of(const X509 *cert, int alg_index, peerc_fingerprint *out);

/* 1 when cert's digest under fp's hash equals fp (constant-time compare), else 0. */
int peerc__fingerprint_matches(const peerc_fingerprint *fp, const X509 *cert);

/* Canonical hash name of a parsed fingerprint ("sha-256"). */
const char *peerc__fingerprint_alg_name(const peerc_fingerprint *fp);

/* Uppercase colon-separated hex into out (needs 3 * len bytes; "" when len is 0). */
void peerc__fingerprint_format(const uint8_t *bytes, size_t len, char *out, size_t outlen);

#endif

/* SDP certificate fingerprints (RFC 8122 §5): parse, compute, compare. */
#include "dtls/fingerprint.h"

#include <peerc/common.h>

#include "core/error.h"

#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/*
 * RFC 8122 §5 keeps the hash function registry of RFC 4572 but forbids md2
 * and md5; sha-1 stays accepted because older peers still send it.
 */
static const struct {
    const char *name;
    const EVP_MD *(*md)(void);
} hashes[] = {
    {"sha-1", EVP_sha1},     {"sha-224", EVP_sha224}, {"sha-256", EVP_sha256},
    {"sha-384", EVP_sha384}, {"sha-512", EVP_sha512},
};
#define N_HASHES ((int)(sizeof hashes / sizeof hashes[0]))

static int find_hash(const char *name)
{
    for (int i = 0; i < N_HASHES; i++)
        if (strcasecmp(name, hashes[i].name) == 0)
            return i;
    return -1;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "AB:cd:01" -> bytes; the grammar is 2HEXDIG *(":" 2HEXDIG) (RFC 8122 §5). */
static int parse_hex_pairs(const char *s, uint8_t *out, size_t max, size_t *n)
{
    size_t count = 0;
    for (;;) {
        int hi = hex_value(s[0]);
        int lo = hi < 0 ? -1 : hex_value(s[1]);
        if (hi < 0 || lo < 0 || count == max)
            return -1;
        out[count++] = (uint8_t)(hi << 4 | lo);
        s += 2;
        if (*s == '\0')
            break;
        if (*s++ != ':')
            return -1;
    }
    *n = count;
    return 0;
}

int peerc__fingerprint_parse(const char *alg, const char *value, peerc_fingerprint *out, char *err,
                             size_t errlen)
{
    peerc_fingerprint fp;
    size_t want;
    if (!alg || !value || !out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "missing fingerprint");
    memset(&fp, 0, sizeof fp);
    fp.alg = find_hash(alg);
    if (fp.alg < 0)
        return peerc__errorf(err, errlen, PEERC_E_NOT_SUPPORTED,
                             "unsupported fingerprint hash function '%.32s'", alg);
    if (parse_hex_pairs(value, fp.bytes, sizeof fp.bytes, &fp.len) < 0)
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "malformed %s fingerprint '%.200s'",
                             hashes[fp.alg].name, value);
    want = (size_t)EVP_MD_get_size(hashes[fp.alg].md());
    if (fp.len != want)
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX,
                             "%s fingerprint has %zu bytes, expected %zu", hashes[fp.alg].name,
                             fp.len, want);
    *out = fp;
    return PEERC_OK;
}

int peerc__fingerprint_of(const X509 *cert, int alg_index, peerc_fingerprint *out)
{
    unsigned int n = 0;
    if (!cert || alg_index < 0 || alg_index >= N_HASHES || !out)
        return PEERC_E_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (X509_digest(cert, hashes[alg_index].md(), out->bytes, &n) != 1)
        return PEERC_E_INTERNAL;
    out->alg = alg_index;
    out->len = n;
    return PEERC_OK;
}

int peerc__fingerprint_matches(const peerc_fingerprint *fp, const X509 *cert)
{
    peerc_fingerprint got;
    if (!fp || peerc__fingerprint_of(cert, fp->alg, &got) != PEERC_OK)
        return 0;
    return got.len == fp->len && CRYPTO_memcmp(got.bytes, fp->bytes, fp->len) == 0;
}

const char *peerc__fingerprint_alg_name(const peerc_fingerprint *fp)
{
    return fp && fp->alg >= 0 && fp->alg < N_HASHES ? hashes[fp->alg].name : "unknown";
}

void peerc__fingerprint_format(const uint8_t *bytes, size_t len, char *out, size_t outlen)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t o = 0;
    if (!out || outlen == 0)
        return;
    for (size_t i = 0; i < len; i++) {
        if (o + (i > 0) + 3 > outlen) /* separator, two digits, NUL */
            break;
        if (i > 0)
            out[o++] = ':';
        out[o++] = digits[bytes[i] >> 4];
        out[o++] = digits[bytes[i] & 15];
    }
    out[o] = '\0';
}

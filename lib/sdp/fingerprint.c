/* a=fingerprint values (RFC 8122 §5): "sha-256 AB:CD:...". */
#include <peerc/common.h>

#include "core/error.h"
#include "sdp/sdp.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    size_t len;
} hashes[] = {
    {"sha-1", 20}, {"sha-224", 28}, {"sha-256", 32}, {"sha-384", 48}, {"sha-512", 64},
};

size_t peerc__sdp_fingerprint_hash_len(const char *algorithm)
{
    for (size_t i = 0; algorithm && i < sizeof hashes / sizeof hashes[0]; i++)
        if (strcasecmp(algorithm, hashes[i].name) == 0)
            return hashes[i].len;
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* hash-func is a token; we accept letters, digits and '-' which covers the
 * IANA "Hash Function Textual Names" registry. */
static int parse_alg(const char **pp, char *alg, size_t cap)
{
    const char *p = *pp;
    size_t n = 0;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
           *p == '-') {
        if (n + 1 >= cap)
            return 0;
        alg[n++] = (char)((*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p);
        p++;
    }
    alg[n] = '\0';
    *pp = p;
    return n > 0;
}

/* 2UHEX *(":" 2UHEX); lower case accepted too, as several stacks send it. */
static int parse_hex(const char *p, uint8_t *bytes, size_t cap, size_t *len)
{
    size_t n = 0;
    for (;;) {
        int hi = hexval(p[0]), lo = hi < 0 ? -1 : hexval(p[1]);
        if (hi < 0 || lo < 0 || n == cap)
            return 0;
        bytes[n++] = (uint8_t)(hi << 4 | lo);
        p += 2;
        if (*p != ':')
            break;
        p++;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    *len = n;
    return *p == '\0';
}

int peerc__sdp_fingerprint_parse(const char *value, peerc_sdp_fingerprint *out, char *err,
                                 size_t errlen)
{
    peerc_sdp_fingerprint fp;
    const char *p = value;
    size_t want;
    memset(&fp, 0, sizeof fp);
    if (!value)
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "fingerprint has no value");
    if (!parse_alg(&p, fp.algorithm, sizeof fp.algorithm) || (*p != ' ' && *p != '\t'))
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "bad hash function in \"%.40s\"",
                             value);
    while (*p == ' ' || *p == '\t')
        p++;
    if (!parse_hex(p, fp.bytes, sizeof fp.bytes, &fp.len))
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "fingerprint is not colon-separated hex");
    if (out)
        *out = fp;
    want = peerc__sdp_fingerprint_hash_len(fp.algorithm);
    if (!want)
        return peerc__errorf(err, errlen, PEERC_E_NOT_SUPPORTED,
                             "unsupported fingerprint hash \"%s\"", fp.algorithm);
    if (fp.len != want)
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "%s fingerprint has %zu bytes, not %zu",
                             fp.algorithm, fp.len, want);
    return PEERC_OK;
}

int peerc__sdp_fingerprint_hex(const peerc_sdp_fingerprint *fp, char *buf, size_t buflen)
{
    if (fp->len == 0 || fp->len > sizeof fp->bytes || buflen < fp->len * 3)
        return PEERC_E_INVALID_ARGUMENT;
    for (size_t i = 0; i < fp->len; i++)
        snprintf(buf + i * 3, 4, "%02X%s", fp->bytes[i], i + 1 < fp->len ? ":" : "");
    return PEERC_OK;
}

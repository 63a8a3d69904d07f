/* Loading the real SDP captures in tests/data for the SDP unit tests.
 * Include after tests/tap.h and sdp/sdp.h. */
#ifndef PEERC_TESTS_SDP_FIXTURES_H
#define PEERC_TESTS_SDP_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>

static inline char *load(const char *name)
{
    const char *top = getenv("top_srcdir");
    char path[1024];
    FILE *f;
    char *buf;
    long n;
    snprintf(path, sizeof path, "%s/tests/data/%s", top && *top ? top : ".", name);
    f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

static inline peerc_sdp *parse_text(const char *text)
{
    peerc_sdp *sdp = NULL;
    char err[256] = "";
    if (peerc__sdp_parse(text, &sdp, err, sizeof err) != PEERC_OK)
        diag("parse failed: %s", err);
    return sdp;
}

static inline peerc_sdp *sample(const char *name)
{
    char *text = load(name);
    peerc_sdp *sdp = text ? parse_text(text) : NULL;
    ok(sdp != NULL, "sample %s parses", name);
    free(text);
    return sdp;
}

/* ---- for the builder tests (sdp-build, sdp-media) */

#define FP "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"

/* Valid local parameters: credentials, a fingerprint, session 1234 v1. */
static inline void params(peerc_sdp_local_params *p)
{
    peerc__sdp_local_params_init(p);
    p->ice_ufrag = "pcU1";
    p->ice_pwd = "abcdefghij0123456789+/";
    p->fingerprint_alg = "sha-256";
    p->fingerprint = FP;
    p->session_id = 1234;
    p->session_version = 1;
}

/* Serialize and parse again: what we send must be what we can read. */
static inline peerc_sdp *reparse(const peerc_sdp *sdp, char **text)
{
    char *s = peerc__sdp_serialize(sdp);
    peerc_sdp *again = s ? parse_text(s) : NULL;
    ok(again != NULL, "built SDP parses again");
    if (text)
        *text = s;
    else
        free(s);
    return again;
}

static inline const char *group(const peerc_sdp *sdp)
{
    return peerc__sdp_session_attr(sdp, "group");
}

#endif

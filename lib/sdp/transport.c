/* What the pc needs from a remote description: ICE/DTLS parameters of the
 * transport section, its candidates, and the data channel section. */
#include <peerc/common.h>

#include "core/error.h"
#include "core/log.h"
#include "sdp/sdp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RFC 8841 §6.1: no a=max-message-size means 64K. */
#define DEFAULT_MAX_MESSAGE_SIZE 65536
/* RFC 8841 §5.2: no a=sctp-port means 5000. */
#define DEFAULT_SCTP_PORT 5000

static const char *const setup_names[] = {"", "actpass", "active", "passive", "holdconn"};

int peerc__sdp_setup_from_string(const char *s)
{
    for (int i = PEERC_SDP_SETUP_ACTPASS; s && i <= PEERC_SDP_SETUP_HOLDCONN; i++)
        if (strcmp(s, setup_names[i]) == 0)
            return i;
    return -1;
}

const char *peerc__sdp_setup_to_string(peerc_sdp_setup s)
{
    return s >= PEERC_SDP_SETUP_NONE && s <= PEERC_SDP_SETUP_HOLDCONN ? setup_names[s] : "";
}

/* "offer m-line 2 (mid 2)" for error messages. */
static void label(char *buf, size_t len, const char *what, const peerc_sdp *sdp, size_t index)
{
    const char *mid = peerc__sdp_media_mid(sdp->media[index]);
    snprintf(buf, len, "%sm-line %zu (%s%.40s)", what ? what : "", index, mid ? "mid " : "no mid",
             mid ? mid : "");
}

/* ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4). */
static int ice_chars(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max)
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/") == n;
}

/* RFC 8839 §5.4: ufrag 4-256 and pwd 22-256 ice-chars. */
static int get_credentials(const peerc_sdp *sdp, size_t index, const char *lbl,
                           peerc_sdp_transport_info *out, char *err, size_t errlen)
{
    const char *ufrag = peerc__sdp_transport_attr(sdp, index, "ice-ufrag");
    const char *pwd = peerc__sdp_transport_attr(sdp, index, "ice-pwd");
    if (!ufrag)
        return peerc__errorf(err, errlen, PEERC_E_OPERATION, "%s has no a=ice-ufrag", lbl);
    if (!pwd)
        return peerc__errorf(err, errlen, PEERC_E_OPERATION, "%s has no a=ice-pwd", lbl);
    if (!ice_chars(ufrag, 4, 256))
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX,
                             "%s: a=ice-ufrag must be 4-256 ICE characters", lbl);
    if (!ice_chars(pwd, 22, 256))
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX,
                             "%s: a=ice-pwd must be 22-256 ICE characters", lbl);
    strcpy(out->ice_ufrag, ufrag);
    strcpy(out->ice_pwd, pwd);
    return PEERC_OK;
}

/* RFC 8122 §5: with several fingerprints, use the strongest hash we support. */
static int get_fingerprint(const peerc_sdp *sdp, size_t index, const char *lbl,
                           peerc_sdp_transport_info *out, char *err, size_t errlen)
{
    const peerc_sdp_attrs *a = peerc__sdp_transport_attrs(sdp, index, "fingerprint");
    const peerc_sdp_attr *at;
    size_t pos = 0, best = 0;
    if (!a)
        return peerc__errorf(err, errlen, PEERC_E_OPERATION, "%s has no a=fingerprint", lbl);
    while ((at = peerc__sdp_attrs_next(a, "fingerprint", &pos))) {
        peerc_sdp_fingerprint fp;
        if (peerc__sdp_fingerprint_parse(at->value, &fp, NULL, 0) == PEERC_OK && fp.len > best) {
            out->fingerprint = fp;
            best = fp.len;
        }
    }
    if (!best)
        return peerc__errorf(err, errlen, PEERC_E_OPERATION,
                             "%s has no a=fingerprint with a supported hash", lbl);
    return PEERC_OK;
}

static int add_candidate(peerc_sdp_transport_info *out, const peerc_sdp_candidate *c)
{
    peerc_sdp_candidate *n = realloc(out->candidates, (out->n_candidates + 1) * sizeof *n);
    if (!n)
        return PEERC_E_NO_MEMORY;
    out->candidates = n;
    n[out->n_candidates++] = *c;
    return PEERC_OK;
}

/* Candidates we cannot use (other transports or types) are skipped, as
 * RFC 8839 §5.1 asks; parse already refused malformed ones. */
static int get_candidates(const peerc_sdp *sdp, size_t index, peerc_sdp_transport_info *out,
                          char *err, size_t errlen)
{
    const peerc_sdp_attrs *a = peerc__sdp_transport_attrs(sdp, index, "candidate");
    const peerc_sdp_attr *at;
    size_t pos = 0;
    while (a && (at = peerc__sdp_attrs_next(a, "candidate", &pos))) {
        peerc_sdp_candidate c;
        if (peerc__sdp_candidate_parse(at->value ? at->value : "", &c, NULL, 0) != PEERC_OK) {
            PEERC_DEBUG("sdp", "skipping candidate \"%.80s\"", at->value ? at->value : "");
            continue;
        }
        if (add_candidate(out, &c) != PEERC_OK)
            return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    }
    out->end_of_candidates = peerc__sdp_transport_attrs(sdp, index, "end-of-candidates") != NULL;
    return PEERC_OK;
}

int peerc__sdp_section_transport(const peerc_sdp *sdp, size_t index, const char *what,
                                 peerc_sdp_transport_info *out, char *err, size_t errlen)
{
    char lbl[96];
    const char *mid, *setup;
    int rc;
    if (index >= sdp->n_media)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "no m-line %zu", index);
    label(lbl, sizeof lbl, what, sdp, index);
    out->transport_index = (int)index;
    mid = peerc__sdp_media_mid(sdp->media[index]);
    snprintf(out->transport_mid, sizeof out->transport_mid, "%s", mid ? mid : "");
    rc = get_credentials(sdp, index, lbl, out, err, errlen);
    if (rc == PEERC_OK)
        rc = get_fingerprint(sdp, index, lbl, out, err, errlen);
    if (rc != PEERC_OK)
        return rc;
    setup = peerc__sdp_transport_attr(sdp, index, "setup");
    out->setup = setup ? (peerc_sdp_setup)peerc__sdp_setup_from_string(setup) : PEERC_SDP_SETUP_NONE;
    out->ice_lite = peerc__sdp_transport_attrs(sdp, index, "ice-lite") != NULL;
    out->ice_trickle = 0;
    for (const char *opt = peerc__sdp_transport_attr(sdp, index, "ice-options"); opt && *opt;) {
        size_t n;
        opt += strspn(opt, " ");
        n = strcspn(opt, " ");
        if (n == 7 && strncmp(opt, "trickle", 7) == 0)
            out->ice_trickle = 1;
        opt += n;
    }
    return get_candidates(sdp, index, out, err, errlen);
}

/* The live SCTP section (the one an answer accepts), else the first one. */
static int data_section(const peerc_sdp *sdp)
{
    int first = -1;
    for (size_t i = 0; i < sdp->n_media; i++) {
        if (!peerc__sdp_media_is_sctp(sdp->media[i]))
            continue;
        if (!peerc__sdp_media_is_rejected(sdp->media[i]))
            return (int)i;
        if (first < 0)
            first = (int)i;
    }
    return first;
}

/* Decimal value of s if it is one and at most max, else dflt. */
static uint64_t number_or(const char *s, uint64_t max, uint64_t dflt)
{
    uint64_t v = 0;
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 19 || strspn(s, "0123456789") != n)
        return dflt;
    for (; *s; s++)
        v = v * 10 + (uint64_t)(*s - '0');
    return v <= max ? v : dflt;
}

static void get_data(const peerc_sdp *sdp, peerc_sdp_transport_info *out)
{
    const peerc_sdp_media *m;
    const char *mid, *port;
    int i = data_section(sdp);
    out->data_index = i;
    if (i < 0)
        return;
    m = sdp->media[i];
    mid = peerc__sdp_media_mid(m);
    snprintf(out->data_mid, sizeof out->data_mid, "%s", mid ? mid : "");
    out->data_rejected = peerc__sdp_media_is_rejected(m);
    out->data_legacy = peerc__sdp_media_is_legacy_sctp(m);
    /* Legacy: the format is the SCTP port (draft-ietf-mmusic-sctp-sdp-05 §4). */
    port = out->data_legacy ? m->fmts.items[0] : peerc__sdp_media_attr(m, "sctp-port");
    out->sctp_port = (uint16_t)number_or(port, 65535, DEFAULT_SCTP_PORT);
    out->max_message_size = number_or(peerc__sdp_media_attr(m, "max-message-size"), UINT64_MAX,
                                      DEFAULT_MAX_MESSAGE_SIZE);
}

/* First section, in BUNDLE order then m-line order, that our answer accepts
 * (with accept_media, audio/video ones too: once a description carries
 * media the BUNDLE tag is usually an audio section, RFC 8843 §7). */
static int transport_section(const peerc_sdp *sdp, int accept_media, int *index)
{
    peerc_sdp_strv mids;
    *index = -1;
    if (peerc__sdp_bundle_mids(sdp, &mids) != PEERC_OK)
        return PEERC_E_NO_MEMORY;
    for (size_t i = 0; i < mids.count && *index < 0; i++) {
        int k = peerc__sdp_find_mid(sdp, mids.items[i]);
        if (k >= 0 && peerc__sdp_answer_accepts_ex(sdp, (size_t)k, accept_media))
            *index = k;
    }
    peerc__sdp_strv_clear(&mids);
    for (size_t i = 0; i < sdp->n_media && *index < 0; i++)
        if (peerc__sdp_answer_accepts_ex(sdp, i, accept_media))
            *index = (int)i;
    return PEERC_OK;
}

int peerc__sdp_remote_transport(const peerc_sdp *sdp, peerc_sdp_transport_info *out,
                                char *err, size_t errlen)
{
    return peerc__sdp_remote_transport_ex(sdp, 0, out, err, errlen);
}

int peerc__sdp_remote_transport_ex(const peerc_sdp *sdp, int accept_media,
                                   peerc_sdp_transport_info *out, char *err, size_t errlen)
{
    int index, rc;
    if (!sdp || !out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL argument");
    memset(out, 0, sizeof *out);
    get_data(sdp, out);
    if (transport_section(sdp, accept_media, &index) != PEERC_OK)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    out->transport_index = index;
    if (index < 0)
        return PEERC_OK;
    rc = peerc__sdp_section_transport(sdp, (size_t)index, NULL, out, err, errlen);
    if (rc != PEERC_OK)
        peerc__sdp_transport_info_clear(out);
    return rc;
}

void peerc__sdp_transport_info_clear(peerc_sdp_transport_info *info)
{
    if (!info)
        return;
    free(info->candidates);
    info->candidates = NULL;
    info->n_candidates = 0;
}

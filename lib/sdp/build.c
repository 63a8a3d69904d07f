/*
 * JSEP (RFC 8829) offers and answers.  Only SCTP data sections are accepted
 * so far; each kind of m-section is answered by a handler in section_kinds[],
 * so media sections plug in there later.
 */
#include <peerc/common.h>

#include "core/error.h"
#include "core/log.h"
#include "sdp/sdp.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Streams advertised in a legacy a=sctpmap (draft-ietf-mmusic-sctp-sdp-05). */
#define LEGACY_SCTP_STREAMS 1024
/* JSEP §5.2.1: port 9 (discard) and 0.0.0.0 until a default candidate exists. */
#define TRICKLE_PORT 9
#define TRICKLE_CONNECTION "IN IP4 0.0.0.0"

void peerc__sdp_local_params_init(peerc_sdp_local_params *p)
{
    memset(p, 0, sizeof *p);
    p->sctp_port = 5000;
    p->max_message_size = 262144;
    p->ice_options_trickle = 1;
}

/* ------------------------------------------------------------ params */

static int ice_chars(const char *s, size_t min, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n < min || n > max)
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/") == n;
}

static int check_fingerprint(const peerc_sdp_local_params *p, char *err, size_t errlen)
{
    char value[256];
    if (!p->fingerprint_alg || !p->fingerprint)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "no local fingerprint");
    if (snprintf(value, sizeof value, "%s %s", p->fingerprint_alg, p->fingerprint) >=
            (int)sizeof value ||
        peerc__sdp_fingerprint_parse(value, NULL, NULL, 0) != PEERC_OK)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "bad local fingerprint \"%.20s %.40s\"", p->fingerprint_alg,
                             p->fingerprint);
    return PEERC_OK;
}

static int check_address(const char *s)
{
    unsigned char tmp[16];
    return inet_pton(AF_INET, s, tmp) == 1 || inet_pton(AF_INET6, s, tmp) == 1;
}

/* Local values go into our SDP verbatim, so they are checked as strictly as
 * remote ones (RFC 8839 §5.4 for credentials). */
static int check_params(const peerc_sdp_local_params *p, char *err, size_t errlen)
{
    if (!p)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "no local parameters");
    if (!ice_chars(p->ice_ufrag, 4, 256))
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "bad local ice-ufrag");
    if (!ice_chars(p->ice_pwd, 22, 256))
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "bad local ice-pwd");
    if (p->sctp_port == 0)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "sctp_port is 0");
    if (p->default_address && !check_address(p->default_address))
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "default_address \"%.60s\" is not an IP address", p->default_address);
    if (p->n_candidates && !p->candidates)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "candidates is NULL");
    return check_fingerprint(p, err, errlen);
}

/* --------------------------------------------------------- sections */

static int add_connection(peerc_sdp_media *m, const peerc_sdp_local_params *p)
{
    char c[128];
    if (!p || !p->default_address)
        return peerc__sdp_media_set_connection(m, TRICKLE_CONNECTION);
    snprintf(c, sizeof c, "IN %s %s", strchr(p->default_address, ':') ? "IP6" : "IP4",
             p->default_address);
    return peerc__sdp_media_set_connection(m, c);
}

static uint16_t default_port(const peerc_sdp_local_params *p)
{
    return p->default_address ? p->default_port : TRICKLE_PORT;
}

/* Candidates are re-serialized from their parsed form so nothing but a
 * well-formed candidate reaches the SDP. */
static int add_candidates(peerc_sdp_media *m, const peerc_sdp_local_params *p, char *err,
                          size_t errlen)
{
    for (size_t i = 0; i < p->n_candidates; i++) {
        peerc_sdp_candidate c;
        char detail[PEERC_ERRBUF_SIZE], *s;
        int rc = peerc__sdp_candidate_parse(p->candidates[i] ? p->candidates[i] : "", &c, detail,
                                            sizeof detail);
        if (rc == PEERC_E_NOT_SUPPORTED)
            continue;
        if (rc != PEERC_OK)
            return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "local candidate %zu: %s",
                                 i, detail);
        s = peerc__sdp_candidate_to_string(&c);
        rc = s ? peerc__sdp_media_add_attr(m, "candidate", s + strlen("candidate:"))
               : PEERC_E_NO_MEMORY;
        free(s);
        if (rc != PEERC_OK)
            return peerc__errorf(err, errlen, rc, "out of memory");
    }
    if (p->end_of_candidates &&
        peerc__sdp_media_add_attr(m, "end-of-candidates", NULL) != PEERC_OK)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    return PEERC_OK;
}

/* JSEP §5.2.1 / §5.3.1 transport attributes. */
static int add_transport(peerc_sdp_media *m, const peerc_sdp_local_params *p, const char *setup)
{
    int rc = peerc__sdp_media_add_attr(m, "ice-ufrag", p->ice_ufrag);
    if (rc == PEERC_OK)
        rc = peerc__sdp_media_add_attr(m, "ice-pwd", p->ice_pwd);
    if (rc == PEERC_OK && p->ice_options_trickle)
        rc = peerc__sdp_media_add_attr(m, "ice-options", "trickle");
    if (rc == PEERC_OK)
        rc = peerc__sdp_media_add_attrf(m, "fingerprint", "%s %s", p->fingerprint_alg,
                                        p->fingerprint);
    if (rc == PEERC_OK)
        rc = peerc__sdp_media_add_attr(m, "setup", setup);
    return rc;
}

/* RFC 8841 §5 (or the legacy sctpmap format when the peer used it). */
static int add_sctp(peerc_sdp_media *m, const peerc_sdp_local_params *p, int legacy)
{
    int rc = legacy ? peerc__sdp_media_add_attrf(m, "sctpmap", "%u webrtc-datachannel %u",
                                                 (unsigned)p->sctp_port, LEGACY_SCTP_STREAMS)
                    : peerc__sdp_media_add_attrf(m, "sctp-port", "%u", (unsigned)p->sctp_port);
    if (rc == PEERC_OK)
        rc = peerc__sdp_media_add_attrf(m, "max-message-size", "%llu",
                                        (unsigned long long)p->max_message_size);
    return rc;
}

/* A complete data section: proto as given ("UDP/DTLS/SCTP", ...). */
static int add_data_section(peerc_sdp *sdp, const peerc_sdp_local_params *p, const char *proto,
                            int legacy, const char *mid, const char *setup, char *err,
                            size_t errlen)
{
    char fmt[8];
    peerc_sdp_media *m;
    int rc;
    snprintf(fmt, sizeof fmt, "%u", (unsigned)p->sctp_port);
    m = peerc__sdp_add_media(sdp, "application", default_port(p), proto,
                             legacy ? fmt : "webrtc-datachannel");
    if (!m)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    rc = add_connection(m, p);
    if (rc == PEERC_OK)
        rc = add_transport(m, p, setup);
    if (rc == PEERC_OK && mid)
        rc = peerc__sdp_media_add_attr(m, "mid", mid);
    if (rc == PEERC_OK)
        rc = add_sctp(m, p, legacy);
    if (rc != PEERC_OK)
        return peerc__errorf(err, errlen, rc, "out of memory");
    return add_candidates(m, p, err, errlen);
}

/* RFC 3264 §6 / JSEP §5.3.1: port 0, same proto and formats, only the mid
 * kept so the section can still be matched. */
static int add_rejected_section(peerc_sdp *sdp, const peerc_sdp_media *from)
{
    const char *mid = peerc__sdp_media_mid(from);
    peerc_sdp_media *m = peerc__sdp_add_media(sdp, from->type, 0, from->proto, "");
    int rc;
    if (!m)
        return PEERC_E_NO_MEMORY;
    for (size_t i = 0; i < from->fmts.count; i++)
        if (peerc__sdp_strv_add(&m->fmts, from->fmts.items[i]) != PEERC_OK)
            return PEERC_E_NO_MEMORY;
    rc = peerc__sdp_media_set_connection(m, TRICKLE_CONNECTION);
    if (rc == PEERC_OK && mid)
        rc = peerc__sdp_media_add_attr(m, "mid", mid);
    return rc;
}

/* ------------------------------------------------- session framing */

static peerc_sdp *new_session(const char *sess_id, uint64_t version)
{
    peerc_sdp *sdp = peerc__sdp_new();
    if (sdp && peerc__sdp_set_origin(sdp, sess_id, version) != PEERC_OK) {
        peerc__sdp_free(sdp);
        sdp = NULL;
    }
    return sdp;
}

/* a=group:BUNDLE with the given mids, then a=msid-semantic as browsers send. */
static int add_session_attrs(peerc_sdp *sdp, const peerc_sdp_strv *bundle)
{
    int rc = PEERC_OK;
    if (bundle->count) {
        size_t len = strlen("BUNDLE") + 1;
        char *v;
        for (size_t i = 0; i < bundle->count; i++)
            len += strlen(bundle->items[i]) + 1;
        v = malloc(len);
        if (!v)
            return PEERC_E_NO_MEMORY;
        strcpy(v, "BUNDLE");
        for (size_t i = 0; i < bundle->count; i++) {
            strcat(v, " ");
            strcat(v, bundle->items[i]);
        }
        rc = peerc__sdp_add_attr(sdp, "group", v);
        free(v);
    }
    if (rc == PEERC_OK)
        rc = peerc__sdp_add_attr(sdp, "msid-semantic", " WMS");
    return rc;
}

static int strv_has(const peerc_sdp_strv *v, const char *s)
{
    for (size_t i = 0; i < v->count; i++)
        if (strcmp(v->items[i], s) == 0)
            return 1;
    return 0;
}

/* -------------------------------------------------------------- offer */

/* The smallest decimal mid not used yet (browsers number mids 0, 1, ...). */
static void unused_mid(const peerc_sdp *sdp, char *buf, size_t len)
{
    for (unsigned n = 0;; n++) {
        snprintf(buf, len, "%u", n);
        if (peerc__sdp_find_mid(sdp, buf) < 0)
            return;
    }
}

/* JSEP §5.2.2: every previous m-section stays, in order, with its mid.  The
 * data section is regenerated with fresh parameters in its own format; the
 * others (rejected ones, and media until media support lands) stay rejected. */
static int offer_from_previous(peerc_sdp *sdp, const peerc_sdp_local_params *p,
                               const peerc_sdp *prev, int *have_data, char *err, size_t errlen)
{
    for (size_t i = 0; i < prev->n_media; i++) {
        const peerc_sdp_media *pm = prev->media[i];
        int rc;
        if (!*have_data && peerc__sdp_media_is_sctp(pm) && !peerc__sdp_media_is_rejected(pm)) {
            *have_data = 1;
            rc = add_data_section(sdp, p, pm->proto, peerc__sdp_media_is_legacy_sctp(pm),
                                  peerc__sdp_media_mid(pm), "actpass", err, errlen);
        } else {
            rc = add_rejected_section(sdp, pm);
            if (rc != PEERC_OK)
                rc = peerc__errorf(err, errlen, rc, "out of memory");
        }
        if (rc != PEERC_OK)
            return rc;
    }
    return PEERC_OK;
}

/* The offer's BUNDLE group: previous order first so the tag stays put
 * (JSEP §5.2.2), then new accepted sections. */
static int offer_bundle(const peerc_sdp *sdp, const peerc_sdp *prev, peerc_sdp_strv *out)
{
    peerc_sdp_strv old = {0};
    int rc = prev ? peerc__sdp_bundle_mids(prev, &old) : PEERC_OK;
    for (size_t i = 0; rc == PEERC_OK && i < old.count; i++) {
        int k = peerc__sdp_find_mid(sdp, old.items[i]);
        if (k >= 0 && !peerc__sdp_media_is_rejected(sdp->media[k]))
            rc = peerc__sdp_strv_add(out, old.items[i]);
    }
    for (size_t i = 0; rc == PEERC_OK && i < sdp->n_media; i++) {
        const char *mid = peerc__sdp_media_mid(sdp->media[i]);
        if (mid && !peerc__sdp_media_is_rejected(sdp->media[i]) && !strv_has(out, mid))
            rc = peerc__sdp_strv_add(out, mid);
    }
    peerc__sdp_strv_clear(&old);
    return rc;
}

static int offer_session(const peerc_sdp_local_params *p, const peerc_sdp *prev,
                         peerc_sdp **out, char *err, size_t errlen)
{
    char id[24];
    if (prev && p->session_version < prev->origin.sess_version)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "session version %llu is older than the previous %llu",
                             (unsigned long long)p->session_version,
                             (unsigned long long)prev->origin.sess_version);
    /* RFC 3264 §8: the session id never changes within a session. */
    snprintf(id, sizeof id, "%llu", (unsigned long long)p->session_id);
    *out = new_session(prev && prev->origin.sess_id ? prev->origin.sess_id : id,
                       p->session_version);
    return *out ? PEERC_OK : peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
}

int peerc__sdp_build_offer(const peerc_sdp_local_params *p, const peerc_sdp *previous_local,
                           int want_data, peerc_sdp **out, char *err, size_t errlen)
{
    peerc_sdp *sdp = NULL;
    peerc_sdp_strv bundle = {0};
    int have_data = 0, rc;
    if (!out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL out");
    *out = NULL;
    rc = check_params(p, err, errlen);
    if (rc == PEERC_OK)
        rc = offer_session(p, previous_local, &sdp, err, errlen);
    if (rc == PEERC_OK && previous_local)
        rc = offer_from_previous(sdp, p, previous_local, &have_data, err, errlen);
    if (rc == PEERC_OK && want_data && !have_data) {
        char mid[16];
        unused_mid(sdp, mid, sizeof mid);
        rc = add_data_section(sdp, p, "UDP/DTLS/SCTP", 0, mid, "actpass", err, errlen);
    }
    if (rc == PEERC_OK && (offer_bundle(sdp, previous_local, &bundle) != PEERC_OK ||
                           add_session_attrs(sdp, &bundle) != PEERC_OK))
        rc = peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    peerc__sdp_strv_clear(&bundle);
    if (rc != PEERC_OK) {
        peerc__sdp_free(sdp);
        return rc;
    }
    *out = sdp;
    return PEERC_OK;
}

/* ------------------------------------------------------------- answer */

typedef struct answer_ctx {
    const peerc_sdp *offer;
    const peerc_sdp_local_params *p;
    const char *setup; /* preferred role */
    peerc_sdp *answer;
    char *err;
    size_t errlen;
} answer_ctx;

/* One entry per kind of m-section we can accept.  accepts() must agree with
 * answer() (remote_transport relies on it); answer() appends one section. */
typedef struct section_kind {
    const char *name;
    int (*accepts)(const peerc_sdp *offer, size_t index);
    int (*answer)(answer_ctx *ctx, size_t index);
} section_kind;

/* The first non-rejected SCTP application section; later ones are rejected
 * since one SCTP association carries all channels (RFC 8831 §5). */
static int data_accepts(const peerc_sdp *offer, size_t index)
{
    const char *setup;
    for (size_t i = 0; i < offer->n_media; i++) {
        const peerc_sdp_media *m = offer->media[i];
        if (peerc__sdp_media_is_sctp(m) && !peerc__sdp_media_is_rejected(m)) {
            if (i != index)
                return 0;
            /* holdconn: the peer does not want a connection (RFC 4145 §4). */
            setup = peerc__sdp_transport_attr(offer, i, "setup");
            return !setup || strcmp(setup, "holdconn") != 0;
        }
    }
    return 0;
}

/* RFC 5763 §5: an offer that already chose a role leaves us the other one. */
static const char *answer_setup(const answer_ctx *ctx, peerc_sdp_setup offered)
{
    if (offered == PEERC_SDP_SETUP_ACTIVE)
        return "passive";
    if (offered == PEERC_SDP_SETUP_PASSIVE)
        return "active";
    return ctx->setup;
}

static int data_answer(answer_ctx *ctx, size_t index)
{
    const peerc_sdp_media *om = ctx->offer->media[index];
    peerc_sdp_transport_info info;
    int rc;
    memset(&info, 0, sizeof info);
    rc = peerc__sdp_section_transport(ctx->offer, index, "offer ", &info, ctx->err, ctx->errlen);
    if (rc == PEERC_OK)
        rc = add_data_section(ctx->answer, ctx->p, om->proto, peerc__sdp_media_is_legacy_sctp(om),
                              peerc__sdp_media_mid(om), answer_setup(ctx, info.setup), ctx->err,
                              ctx->errlen);
    peerc__sdp_transport_info_clear(&info);
    return rc;
}

static const section_kind section_kinds[] = {
    {"data", data_accepts, data_answer},
    /* audio and video: added with media support */
};

static const section_kind *kind_for(const peerc_sdp *offer, size_t index)
{
    if (index >= offer->n_media || peerc__sdp_media_is_rejected(offer->media[index]))
        return NULL;
    for (size_t i = 0; i < sizeof section_kinds / sizeof section_kinds[0]; i++)
        if (section_kinds[i].accepts(offer, index))
            return &section_kinds[i];
    return NULL;
}

int peerc__sdp_answer_accepts(const peerc_sdp *offer, size_t index)
{
    return offer && kind_for(offer, index) != NULL;
}

size_t peerc__sdp_count_accepted(const peerc_sdp *sdp)
{
    size_t n = 0;
    for (size_t i = 0; sdp && i < sdp->n_media; i++)
        n += !peerc__sdp_media_is_rejected(sdp->media[i]);
    return n;
}

static int answer_sections(answer_ctx *ctx)
{
    for (size_t i = 0; i < ctx->offer->n_media; i++) {
        const section_kind *k = kind_for(ctx->offer, i);
        int rc;
        if (k) {
            rc = k->answer(ctx, i);
        } else {
            PEERC_DEBUG("sdp", "rejecting offered m-line %zu (%s %s)", i,
                        ctx->offer->media[i]->type, ctx->offer->media[i]->proto);
            rc = add_rejected_section(ctx->answer, ctx->offer->media[i]);
            if (rc != PEERC_OK)
                rc = peerc__errorf(ctx->err, ctx->errlen, rc, "out of memory");
        }
        if (rc != PEERC_OK)
            return rc;
    }
    return PEERC_OK;
}

/* RFC 8843 §7.3: the answer's group holds the offered mids we accepted, in
 * the offer's order; the first one is the answerer-tagged section. */
static int answer_bundle(const answer_ctx *ctx, peerc_sdp_strv *out)
{
    peerc_sdp_strv offered;
    int rc = peerc__sdp_bundle_mids(ctx->offer, &offered);
    for (size_t i = 0; rc == PEERC_OK && i < offered.count; i++) {
        int k = peerc__sdp_find_mid(ctx->answer, offered.items[i]);
        if (k >= 0 && !peerc__sdp_media_is_rejected(ctx->answer->media[k]) &&
            !strv_has(out, offered.items[i]))
            rc = peerc__sdp_strv_add(out, offered.items[i]);
    }
    peerc__sdp_strv_clear(&offered);
    return rc;
}

int peerc__sdp_build_answer(const peerc_sdp *remote_offer, const peerc_sdp_local_params *p,
                            const char *setup, peerc_sdp **out, char *err, size_t errlen)
{
    answer_ctx ctx = {remote_offer, p, setup, NULL, err, errlen};
    peerc_sdp_strv bundle = {0};
    char id[24];
    int rc;
    if (!out || !remote_offer)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL argument");
    *out = NULL;
    if (!setup || (strcmp(setup, "active") != 0 && strcmp(setup, "passive") != 0))
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "answer setup must be \"active\" or \"passive\"");
    rc = check_params(p, err, errlen);
    if (rc != PEERC_OK)
        return rc;
    snprintf(id, sizeof id, "%llu", (unsigned long long)p->session_id);
    ctx.answer = new_session(id, p->session_version);
    if (!ctx.answer)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    rc = answer_sections(&ctx);
    if (rc == PEERC_OK &&
        (answer_bundle(&ctx, &bundle) != PEERC_OK || add_session_attrs(ctx.answer, &bundle) != PEERC_OK))
        rc = peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    peerc__sdp_strv_clear(&bundle);
    if (rc != PEERC_OK) {
        peerc__sdp_free(ctx.answer);
        return rc;
    }
    *out = ctx.answer;
    return PEERC_OK;
}

/*
 * JSEP (RFC 8829) offers and answers.  peerc__sdp_build_sections renders any
 * list of data, audio/video (sdp/media.h) and rejected m-sections; the
 * data-only peerc__sdp_build_offer / peerc__sdp_build_answer are written on
 * top of it, the latter choosing what to accept through section_kinds[].
 */
#include <peerc/common.h>

#include "core/error.h"
#include "core/log.h"
#include "sdp/media.h"
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

/* c=, the ICE/DTLS attributes and a=mid of a live section (JSEP §5.2.1). */
static int add_live_head(peerc_sdp_media *m, const peerc_sdp_local_params *p, const char *setup,
                         const char *mid)
{
    int rc = add_connection(m, p);
    if (rc == PEERC_OK)
        rc = add_transport(m, p, setup);
    if (rc == PEERC_OK && mid)
        rc = peerc__sdp_media_add_attr(m, "mid", mid);
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
    rc = add_live_head(m, p, setup, mid);
    if (rc == PEERC_OK)
        rc = add_sctp(m, p, legacy);
    if (rc != PEERC_OK)
        return peerc__errorf(err, errlen, rc, "out of memory");
    return add_candidates(m, p, err, errlen);
}

/* A complete audio/video section; candidates last, as for data. */
static int add_media_section(peerc_sdp *sdp, const peerc_sdp_local_params *p,
                             const peerc_sdp_media_desc *d, const char *mid, const char *setup,
                             char *err, size_t errlen)
{
    peerc_sdp_media *m = peerc__sdp_media_desc_add(sdp, d, default_port(p));
    int rc = m ? add_live_head(m, p, setup, mid) : PEERC_E_NO_MEMORY;
    if (rc == PEERC_OK)
        rc = peerc__sdp_media_desc_render(m, d);
    if (rc != PEERC_OK)
        return peerc__errorf(err, errlen, rc, "out of memory");
    return add_candidates(m, p, err, errlen);
}

/* What a REJECTED section without rejected_from looks like. */
static int rejected_kind_line(const char *kind, const char **proto, const char **fmts)
{
    if (kind && (strcmp(kind, "audio") == 0 || strcmp(kind, "video") == 0)) {
        *proto = "UDP/TLS/RTP/SAVPF";
        *fmts = "0";
        return 1;
    }
    if (kind && strcmp(kind, "application") == 0) {
        *proto = "UDP/DTLS/SCTP";
        *fmts = "webrtc-datachannel";
        return 1;
    }
    return 0;
}

/* RFC 3264 §6 / JSEP §5.3.1 (and §5.2.2 for a re-offer): port 0, same type,
 * proto and formats, only the mid kept so the section can still be matched. */
static int add_rejected_section(peerc_sdp *sdp, const peerc_sdp_section *s, const char *mid)
{
    const peerc_sdp_media *from = s->rejected_from;
    const char *proto = NULL, *fmts = "";
    peerc_sdp_media *m;
    int rc;
    if (!from)
        rejected_kind_line(s->rejected_kind, &proto, &fmts);
    m = peerc__sdp_add_media(sdp, from ? from->type : s->rejected_kind, 0,
                             from ? from->proto : proto, fmts);
    if (!m)
        return PEERC_E_NO_MEMORY;
    for (size_t i = 0; from && i < from->fmts.count; i++)
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

/* --------------------------------------------------------- any sections */

/* How one build differs between the entry points. */
typedef struct build_opts {
    const char *sess_id;         /* o= session id text; NULL: p->session_id */
    const peerc_sdp *order_from; /* offers: earlier local description (BUNDLE order) */
    const peerc_sdp *offer;      /* answers: the offer mirrored (RFC 3264 §6) */
    int allow_no_mid;            /* a live section may lack a mid (re-offers after
                                  * answering a peer that sent none, RFC 5888 predates
                                  * JSEP) */
} build_opts;

static const char *section_mid(const peerc_sdp_section *s)
{
    if (s->mid)
        return s->mid;
    if (s->type == PEERC_SDP_SECTION_MEDIA && s->media)
        return s->media->mid;
    if (s->type == PEERC_SDP_SECTION_REJECTED && s->rejected_from)
        return peerc__sdp_media_mid(s->rejected_from);
    return NULL;
}

/* token (RFC 8866 §9), which identification-tag is (RFC 5888 §4), of 1-255
 * characters as parse.c requires of remote mids. */
static int is_mid_token(const char *s)
{
    static const char specials[] = "!#$%&'*+-.^_`{|}~";
    size_t n = 0;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        if (n >= 255 || !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
                          (c >= 'a' && c <= 'z') || strchr(specials, c)))
            return 0;
    }
    return n > 0;
}

static int is_sctp_proto(const char *proto)
{
    return strcmp(proto, "UDP/DTLS/SCTP") == 0 || strcmp(proto, "TCP/DTLS/SCTP") == 0 ||
           strcmp(proto, "DTLS/SCTP") == 0;
}

/* The type-specific part of check_section; detail without the "section N". */
static int check_section_body(const peerc_sdp_section *s, char *err, size_t errlen)
{
    const char *proto, *fmts;
    switch (s->type) {
    case PEERC_SDP_SECTION_DATA:
        if (s->data_proto && !is_sctp_proto(s->data_proto))
            return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                                 "data proto \"%.40s\" is not SCTP over DTLS", s->data_proto);
        if ((unsigned)s->data_format > PEERC_SDP_DATA_FORMAT_SCTPMAP)
            return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "bad data format %d",
                                 (int)s->data_format);
        return PEERC_OK;
    case PEERC_SDP_SECTION_MEDIA:
        if (s->media && s->mid && s->media->mid && strcmp(s->mid, s->media->mid) != 0)
            return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                                 "mid \"%.40s\" but media mid \"%.40s\"", s->mid, s->media->mid);
        return peerc__sdp_media_desc_check(s->media, err, errlen);
    case PEERC_SDP_SECTION_REJECTED:
        if (!s->rejected_from && !rejected_kind_line(s->rejected_kind, &proto, &fmts))
            return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                                 "rejected section of unknown kind \"%.20s\"",
                                 s->rejected_kind ? s->rejected_kind : "(null)");
        return PEERC_OK;
    }
    return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "unknown section type %d",
                         (int)s->type);
}

/* An answer repeats each offered mid and invents none (RFC 8843 §7.3,
 * RFC 5888 §9.2). */
static int check_mirror(const build_opts *o, size_t i, const char *mid, char *err, size_t errlen)
{
    const char *om = peerc__sdp_media_mid(o->offer->media[i]);
    if (om && (!mid || strcmp(om, mid) != 0))
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "mid \"%.40s\" does not match the offered \"%.40s\"",
                             mid ? mid : "(null)", om);
    if (!om && mid)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "mid \"%.40s\" where the offer has none", mid);
    return PEERC_OK;
}

static int check_section(const peerc_sdp_section *sections, size_t i, const build_opts *o,
                         char *err, size_t errlen)
{
    const peerc_sdp_section *s = &sections[i];
    const char *mid = section_mid(s);
    char detail[PEERC_ERRBUF_SIZE] = "";
    int rc = check_section_body(s, detail, sizeof detail);
    int mid_optional = s->type == PEERC_SDP_SECTION_REJECTED || o->allow_no_mid ||
                       (o->offer && !peerc__sdp_media_mid(o->offer->media[i]));
    if (rc == PEERC_OK && !mid && !mid_optional)
        rc = peerc__errorf(detail, sizeof detail, PEERC_E_INVALID_ARGUMENT, "no mid");
    if (rc == PEERC_OK && mid && !is_mid_token(mid))
        rc = peerc__errorf(detail, sizeof detail, PEERC_E_INVALID_ARGUMENT,
                           "mid \"%.40s\" is not a token", mid);
    if (rc == PEERC_OK && o->offer)
        rc = check_mirror(o, i, mid, detail, sizeof detail);
    for (size_t k = 0; rc == PEERC_OK && mid && k < i; k++) {
        const char *other = section_mid(&sections[k]);
        if (other && strcmp(other, mid) == 0)
            rc = peerc__errorf(detail, sizeof detail, PEERC_E_INVALID_ARGUMENT,
                               "mid \"%.40s\" already used by section %zu", mid, k);
    }
    if (rc != PEERC_OK)
        return peerc__errorf(err, errlen, rc, "section %zu: %s", i, detail);
    return PEERC_OK;
}

static int check_sections(const peerc_sdp_section *sections, size_t n, const char *setup,
                          const build_opts *o, char *err, size_t errlen)
{
    int rc = PEERC_OK;
    if (n && !sections)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "sections is NULL");
    /* RFC 5763 §5 / RFC 8842 §5.2: offers actpass, answers pick a role. */
    if (!setup || (strcmp(setup, "actpass") != 0 && strcmp(setup, "active") != 0 &&
                   strcmp(setup, "passive") != 0))
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "setup must be \"actpass\", \"active\" or \"passive\"");
    if (o->offer && n != o->offer->n_media)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "%zu sections for an offer of %zu m-lines", n, o->offer->n_media);
    for (size_t i = 0; rc == PEERC_OK && i < n; i++)
        rc = check_section(sections, i, o, err, errlen);
    return rc;
}

static int is_legacy_data(const peerc_sdp_section *s)
{
    if (s->data_format != PEERC_SDP_DATA_FORMAT_AUTO)
        return s->data_format == PEERC_SDP_DATA_FORMAT_SCTPMAP;
    return s->data_proto && strcmp(s->data_proto, "DTLS/SCTP") == 0;
}

static int add_section(peerc_sdp *sdp, const peerc_sdp_local_params *p,
                       const peerc_sdp_section *s, const char *setup, char *err, size_t errlen)
{
    const char *mid = section_mid(s);
    int rc;
    switch (s->type) {
    case PEERC_SDP_SECTION_DATA:
        return add_data_section(sdp, p, s->data_proto ? s->data_proto : "UDP/DTLS/SCTP",
                                is_legacy_data(s), mid, setup, err, errlen);
    case PEERC_SDP_SECTION_MEDIA:
        return add_media_section(sdp, p, s->media, mid, setup, err, errlen);
    default:
        rc = add_rejected_section(sdp, s, mid);
        return rc == PEERC_OK ? PEERC_OK : peerc__errorf(err, errlen, rc, "out of memory");
    }
}

/* An offer's BUNDLE group: the earlier order first so the tag stays put
 * (JSEP §5.2.2), then the other live sections in m-line order. */
static int offer_bundle(const peerc_sdp *sdp, const peerc_sdp *prev, peerc_sdp_strv *out)
{
    peerc_sdp_strv old = {0};
    int rc = prev ? peerc__sdp_bundle_mids(prev, &old) : PEERC_OK;
    for (size_t i = 0; rc == PEERC_OK && i < old.count; i++) {
        int k = peerc__sdp_find_mid(sdp, old.items[i]);
        if (k >= 0 && !peerc__sdp_media_is_rejected(sdp->media[k]) && !strv_has(out, old.items[i]))
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

/* RFC 8843 §7.3: the answer's group holds the offered mids we accepted, in
 * the offer's order; the first one is the answerer-tagged section. */
static int answer_bundle(const peerc_sdp *offer, const peerc_sdp *answer, peerc_sdp_strv *out)
{
    peerc_sdp_strv offered;
    int rc = peerc__sdp_bundle_mids(offer, &offered);
    for (size_t i = 0; rc == PEERC_OK && i < offered.count; i++) {
        int k = peerc__sdp_find_mid(answer, offered.items[i]);
        if (k >= 0 && !peerc__sdp_media_is_rejected(answer->media[k]) &&
            !strv_has(out, offered.items[i]))
            rc = peerc__sdp_strv_add(out, offered.items[i]);
    }
    peerc__sdp_strv_clear(&offered);
    return rc;
}

static int build(const peerc_sdp_local_params *p, const peerc_sdp_section *sections, size_t n,
                 const char *setup, const build_opts *o, peerc_sdp **out, char *err,
                 size_t errlen)
{
    peerc_sdp *sdp;
    peerc_sdp_strv bundle = {0};
    char id[24];
    int rc;
    if (!out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL out");
    *out = NULL;
    rc = check_params(p, err, errlen);
    if (rc == PEERC_OK)
        rc = check_sections(sections, n, setup, o, err, errlen);
    if (rc != PEERC_OK)
        return rc;
    snprintf(id, sizeof id, "%llu", (unsigned long long)p->session_id);
    sdp = new_session(o->sess_id ? o->sess_id : id, p->session_version);
    if (!sdp)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    for (size_t i = 0; rc == PEERC_OK && i < n; i++)
        rc = add_section(sdp, p, &sections[i], setup, err, errlen);
    if (rc == PEERC_OK) {
        rc = o->offer ? answer_bundle(o->offer, sdp, &bundle)
                      : offer_bundle(sdp, o->order_from, &bundle);
        if (rc == PEERC_OK)
            rc = add_session_attrs(sdp, &bundle);
        if (rc != PEERC_OK)
            rc = peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    }
    peerc__sdp_strv_clear(&bundle);
    if (rc != PEERC_OK) {
        peerc__sdp_free(sdp);
        return rc;
    }
    *out = sdp;
    return PEERC_OK;
}

int peerc__sdp_build_sections(const peerc_sdp_local_params *p, const peerc_sdp_section *sections,
                              size_t n, const char *setup, const peerc_sdp *bundle_order_from,
                              peerc_sdp **out, char *err, size_t errlen)
{
    build_opts o = {NULL, bundle_order_from, NULL, 0};
    return build(p, sections, n, setup, &o, out, err, errlen);
}

int peerc__sdp_build_answer_sections(const peerc_sdp_local_params *p,
                                     const peerc_sdp *remote_offer,
                                     const peerc_sdp_section *sections, size_t n,
                                     const char *setup, peerc_sdp **out, char *err, size_t errlen)
{
    build_opts o = {NULL, NULL, remote_offer, 0};
    if (!remote_offer) {
        if (out)
            *out = NULL;
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "no remote offer");
    }
    return build(p, sections, n, setup, &o, out, err, errlen);
}

/* ------------------------------------------------------ data-only offer */

/* The smallest decimal mid not used yet (browsers number mids 0, 1, ...). */
static void unused_mid(const peerc_sdp *sdp, char *buf, size_t len)
{
    for (unsigned n = 0;; n++) {
        snprintf(buf, len, "%u", n);
        if (!sdp || peerc__sdp_find_mid(sdp, buf) < 0)
            return;
    }
}

/* JSEP §5.2.2: every previous m-section stays, in order, with its mid.  The
 * first live data section is regenerated with fresh parameters in its own
 * format; the others (rejected ones, media, extra SCTP) stay or become
 * rejected, since this offer carries data only. */
static size_t sections_from_previous(const peerc_sdp *prev, peerc_sdp_section *sections,
                                     int *have_data)
{
    for (size_t i = 0; prev && i < prev->n_media; i++) {
        const peerc_sdp_media *pm = prev->media[i];
        peerc_sdp_section *s = &sections[i];
        memset(s, 0, sizeof *s);
        if (!*have_data && peerc__sdp_media_is_sctp(pm) && !peerc__sdp_media_is_rejected(pm)) {
            *have_data = 1;
            s->type = PEERC_SDP_SECTION_DATA;
            s->mid = peerc__sdp_media_mid(pm);
            s->data_proto = pm->proto;
            s->data_format = peerc__sdp_media_is_legacy_sctp(pm) ? PEERC_SDP_DATA_FORMAT_SCTPMAP
                                                                 : PEERC_SDP_DATA_FORMAT_RFC8841;
        } else {
            s->type = PEERC_SDP_SECTION_REJECTED;
            s->rejected_from = pm;
        }
    }
    return prev ? prev->n_media : 0;
}

static int offer_version(const peerc_sdp_local_params *p, const peerc_sdp *prev, char *err,
                         size_t errlen)
{
    if (prev && p->session_version < prev->origin.sess_version)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "session version %llu is older than the previous %llu",
                             (unsigned long long)p->session_version,
                             (unsigned long long)prev->origin.sess_version);
    return PEERC_OK;
}

int peerc__sdp_build_offer(const peerc_sdp_local_params *p, const peerc_sdp *previous_local,
                           int want_data, peerc_sdp **out, char *err, size_t errlen)
{
    /* RFC 3264 §8: the session id never changes within a session. */
    build_opts o = {previous_local ? previous_local->origin.sess_id : NULL, previous_local, NULL,
                    1};
    peerc_sdp_section *sections;
    size_t n;
    int have_data = 0, rc;
    char mid[16];
    if (!out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL out");
    *out = NULL;
    rc = check_params(p, err, errlen);
    if (rc == PEERC_OK)
        rc = offer_version(p, previous_local, err, errlen);
    if (rc != PEERC_OK)
        return rc;
    sections = calloc((previous_local ? previous_local->n_media : 0) + 1, sizeof *sections);
    if (!sections)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    n = sections_from_previous(previous_local, sections, &have_data);
    if (want_data && !have_data) {
        unused_mid(previous_local, mid, sizeof mid);
        sections[n].type = PEERC_SDP_SECTION_DATA;
        sections[n++].mid = mid;
    }
    rc = build(p, sections, n, "actpass", &o, out, err, errlen);
    free(sections);
    return rc;
}

/* ------------------------------------------------------ data-only answer */

/* One entry per kind of m-section the data-only answer accepts.  accepts()
 * must agree with what peerc__sdp_build_answer renders (remote_transport
 * relies on it); audio/video answers are built by the pc with
 * peerc__sdp_build_answer_sections and peerc__sdp_media_accepts. */
typedef struct section_kind {
    const char *name;
    int (*accepts)(const peerc_sdp *offer, size_t index);
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

static const section_kind section_kinds[] = {
    {"data", data_accepts},
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

int peerc__sdp_answer_accepts_ex(const peerc_sdp *offer, size_t index, int accept_media)
{
    return peerc__sdp_answer_accepts(offer, index) ||
           (accept_media && peerc__sdp_media_accepts(offer, index));
}

size_t peerc__sdp_count_accepted(const peerc_sdp *sdp)
{
    size_t n = 0;
    for (size_t i = 0; sdp && i < sdp->n_media; i++)
        n += !peerc__sdp_media_is_rejected(sdp->media[i]);
    return n;
}

/* RFC 5763 §5: an offer that already chose a role leaves us the other one. */
static const char *answer_setup(const char *preferred, peerc_sdp_setup offered)
{
    if (offered == PEERC_SDP_SETUP_ACTIVE)
        return "passive";
    if (offered == PEERC_SDP_SETUP_PASSIVE)
        return "active";
    return preferred;
}

/* The accepted data section (or a rejection) for offered m-line i; the
 * offer's transport must be usable and decides our DTLS role. */
static int answer_section(const peerc_sdp *offer, size_t i, peerc_sdp_section *s,
                          const char **setup, char *err, size_t errlen)
{
    const peerc_sdp_media *om = offer->media[i];
    peerc_sdp_transport_info info;
    int rc;
    memset(s, 0, sizeof *s);
    s->mid = peerc__sdp_media_mid(om);
    if (!kind_for(offer, i)) {
        PEERC_DEBUG("sdp", "rejecting offered m-line %zu (%s %s)", i, om->type, om->proto);
        s->type = PEERC_SDP_SECTION_REJECTED;
        s->rejected_from = om;
        return PEERC_OK;
    }
    memset(&info, 0, sizeof info);
    rc = peerc__sdp_section_transport(offer, i, "offer ", &info, err, errlen);
    if (rc == PEERC_OK)
        *setup = answer_setup(*setup, info.setup);
    peerc__sdp_transport_info_clear(&info);
    s->type = PEERC_SDP_SECTION_DATA;
    s->data_proto = om->proto;
    s->data_format = peerc__sdp_media_is_legacy_sctp(om) ? PEERC_SDP_DATA_FORMAT_SCTPMAP
                                                         : PEERC_SDP_DATA_FORMAT_RFC8841;
    return rc;
}

int peerc__sdp_build_answer(const peerc_sdp *remote_offer, const peerc_sdp_local_params *p,
                            const char *setup, peerc_sdp **out, char *err, size_t errlen)
{
    build_opts o = {NULL, NULL, remote_offer, 0};
    peerc_sdp_section *sections;
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
    sections = calloc(remote_offer->n_media + 1, sizeof *sections);
    if (!sections)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    for (size_t i = 0; rc == PEERC_OK && i < remote_offer->n_media; i++)
        rc = answer_section(remote_offer, i, &sections[i], &setup, err, errlen);
    if (rc == PEERC_OK)
        rc = build(p, sections, remote_offer->n_media, setup, &o, out, err, errlen);
    free(sections);
    return rc;
}

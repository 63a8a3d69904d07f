/* JSEP offer/answer building and remote transport extraction, against the
 * real offers in tests/data. */
#include <peerc/common.h>

#include "sdp/sdp.h"

#include "../tap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp-fixtures.h"


/* ------------------------------------------------------------- offers */

static void test_initial_offer(void)
{
    const char *want = "v=0\r\n"
                       "o=- 1234 1 IN IP4 127.0.0.1\r\n"
                       "s=-\r\n"
                       "t=0 0\r\n"
                       "a=group:BUNDLE 0\r\n"
                       "a=msid-semantic: WMS\r\n"
                       "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                       "c=IN IP4 0.0.0.0\r\n"
                       "a=ice-ufrag:pcU1\r\n"
                       "a=ice-pwd:abcdefghij0123456789+/\r\n"
                       "a=ice-options:trickle\r\n"
                       "a=fingerprint:sha-256 " FP "\r\n"
                       "a=setup:actpass\r\n"
                       "a=mid:0\r\n"
                       "a=sctp-port:5000\r\n"
                       "a=max-message-size:262144\r\n";
    peerc_sdp_local_params p;
    peerc_sdp *offer = NULL, *again;
    char err[256] = "", *text = NULL;
    params(&p);
    is_int(peerc__sdp_build_offer(&p, NULL, 1, &offer, err, sizeof err), PEERC_OK,
           "initial data offer (%s)", err);
    if (!offer)
        return;
    again = reparse(offer, &text);
    is_str(text, want, "initial offer text");
    peerc__sdp_free(again);
    free(text);
    peerc__sdp_free(offer);

    /* Complete gathering: candidates, end-of-candidates, default candidate. */
    {
        const char *cands[] = {
            "candidate:1 1 udp 2122194687 192.0.2.2 50000 typ host generation 0",
            "a=candidate:2 1 udp 1685987071 203.0.113.7 50001 typ srflx raddr 192.0.2.2 rport "
            "50000",
            "candidate:3 1 sctp 1 192.0.2.2 1 typ host", /* unsupported: skipped */
        };
        const peerc_sdp_media *m;
        size_t pos = 0, n = 0;
        const peerc_sdp_attr *at;
        p.candidates = cands;
        p.n_candidates = 3;
        p.end_of_candidates = 1;
        p.default_address = "192.0.2.2";
        p.default_port = 50000;
        p.ice_options_trickle = 0;
        p.max_message_size = 0;
        is_int(peerc__sdp_build_offer(&p, NULL, 1, &offer, err, sizeof err), PEERC_OK,
               "offer with candidates (%s)", err);
        m = offer->media[0];
        is_int(m->port, 50000, "m= port is the default candidate's");
        is_str(m->connection, "IN IP4 192.0.2.2", "c= is the default candidate's");
        while ((at = peerc__sdp_media_attr_next(m, "candidate", &pos)))
            n++;
        is_int(n, 2, "two usable candidates included");
        ok(peerc__sdp_media_has_attr(m, "end-of-candidates"), "end-of-candidates");
        ok(!peerc__sdp_media_has_attr(m, "ice-options"), "no trickle option when disabled");
        is_str(peerc__sdp_media_attr(m, "max-message-size"), "0", "max-message-size 0");
        again = reparse(offer, NULL);
        peerc__sdp_free(again);
        peerc__sdp_free(offer);
    }

    /* No data wanted and nothing before: an offer without m-lines. */
    params(&p);
    is_int(peerc__sdp_build_offer(&p, NULL, 0, &offer, err, sizeof err), PEERC_OK, "empty offer");
    is_int(offer->n_media, 0, "no m-lines");
    ok(group(offer) == NULL, "no BUNDLE group");
    peerc__sdp_free(offer);
}

static void test_bad_params(void)
{
    peerc_sdp_local_params p;
    peerc_sdp *out = (peerc_sdp *)1;
    char err[256];
    const char *bad_cand[] = {"candidate:1 1 udp x 1.2.3.4 1 typ host"};

    params(&p);
    p.ice_pwd = "short";
    is_int(peerc__sdp_build_offer(&p, NULL, 1, &out, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "short ice-pwd refused: %s", err);
    ok(out == NULL, "out NULL on error");
    params(&p);
    p.ice_ufrag = "a b\r\n";
    is_int(peerc__sdp_build_offer(&p, NULL, 1, &out, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "ufrag with CRLF refused: %s", err);
    params(&p);
    p.fingerprint = "AB:CD";
    is_int(peerc__sdp_build_offer(&p, NULL, 1, &out, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "short fingerprint refused: %s", err);
    params(&p);
    p.fingerprint_alg = "md5";
    is_int(peerc__sdp_build_offer(&p, NULL, 1, &out, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "md5 refused: %s", err);
    params(&p);
    p.candidates = bad_cand;
    p.n_candidates = 1;
    is_int(peerc__sdp_build_offer(&p, NULL, 1, &out, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "bad local candidate refused: %s", err);
    params(&p);
    p.default_address = "example.com";
    is_int(peerc__sdp_build_offer(&p, NULL, 1, &out, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "default address must be an IP: %s", err);
    is_int(peerc__sdp_build_offer(NULL, NULL, 1, &out, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "NULL params");
}

/* JSEP §5.2.2: a re-offer keeps the previous m-lines, mids and order. */
static void test_reoffer(void)
{
    static const char *const mids[] = {"0", "1", "2"};
    peerc_sdp_local_params p;
    peerc_sdp *remote = sample("chromium-156-offer-audio-video-data.sdp");
    peerc_sdp *answer = NULL, *offer = NULL;
    char err[256] = "";
    params(&p);
    peerc__sdp_build_answer(remote, &p, "active", &answer, err, sizeof err);
    if (!ok(answer != NULL, "answer to re-offer from"))
        goto out;
    p.session_id = 999; /* ignored: the session id stays (RFC 3264 §8) */
    p.session_version = 2;
    p.ice_ufrag = "newU";
    is_int(peerc__sdp_build_offer(&p, answer, 1, &offer, err, sizeof err), PEERC_OK,
           "re-offer (%s)", err);
    if (!offer)
        goto out;
    is_str(offer->origin.sess_id, "1234", "session id kept");
    is_int(offer->origin.sess_version, 2, "version is the new one");
    is_int(offer->n_media, 3, "3 m-lines kept");
    for (size_t i = 0; i < offer->n_media && i < 3; i++)
        is_str(peerc__sdp_media_mid(offer->media[i]), mids[i], "mid %zu kept", i);
    is_int(offer->media[0]->port, 0, "audio still rejected");
    is_str(offer->media[1]->type, "video", "video still second");
    is_int(offer->media[2]->port, 9, "data live");
    is_str(peerc__sdp_media_attr(offer->media[2], "ice-ufrag"), "newU", "new ufrag");
    is_str(peerc__sdp_media_attr(offer->media[2], "setup"), "actpass", "offers say actpass");
    is_str(group(offer), "BUNDLE 2", "BUNDLE keeps the data section");
    peerc__sdp_free(offer);
    offer = NULL;

    p.session_version = 0;
    is_int(peerc__sdp_build_offer(&p, answer, 1, &offer, err, sizeof err),
           PEERC_E_INVALID_ARGUMENT, "older session version refused: %s", err);
out:
    peerc__sdp_free(offer);
    peerc__sdp_free(answer);
    peerc__sdp_free(remote);
}

static void test_reoffer_adds_data(void)
{
    peerc_sdp_local_params p;
    peerc_sdp *remote = sample("firefox-esr-153-offer-audio-video.sdp");
    peerc_sdp *answer = NULL, *offer = NULL;
    char err[256] = "";
    params(&p);
    peerc__sdp_build_answer(remote, &p, "active", &answer, err, sizeof err);
    p.session_version = 2;
    is_int(peerc__sdp_build_offer(&p, answer, 1, &offer, err, sizeof err), PEERC_OK,
           "re-offer adding data (%s)", err);
    if (offer && is_int(offer->n_media, 3, "data section appended")) {
        is_str(offer->media[2]->type, "application", "appended at the end");
        is_str(peerc__sdp_media_mid(offer->media[2]), "2", "first unused mid");
        is_str(group(offer), "BUNDLE 2", "BUNDLE 2");
        is_int(offer->media[0]->port + offer->media[1]->port, 0, "media still rejected");
    }
    peerc__sdp_free(offer);
    peerc__sdp_free(answer);
    peerc__sdp_free(remote);

    /* Legacy format stays legacy across renegotiation. */
    remote = sample("aiortc-1.4-offer-data-only.sdp");
    answer = offer = NULL;
    params(&p);
    peerc__sdp_build_answer(remote, &p, "active", &answer, err, sizeof err);
    p.session_version = 2;
    is_int(peerc__sdp_build_offer(&p, answer, 1, &offer, err, sizeof err), PEERC_OK,
           "re-offer after legacy answer");
    if (offer) {
        is_str(offer->media[0]->proto, "DTLS/SCTP", "legacy proto kept");
        is_str(peerc__sdp_media_attr(offer->media[0], "sctpmap"), "5000 webrtc-datachannel 1024",
               "legacy sctpmap kept");
    }
    peerc__sdp_free(offer);
    peerc__sdp_free(answer);
    peerc__sdp_free(remote);
}

/* ------------------------------------------------------------ answers */

typedef struct answer_expect {
    const char *file;
    size_t n_media;
    const char *mids[3];
    int accepted[3];       /* per m-line */
    const char *proto;     /* of the data section, NULL if none */
    int legacy;
    const char *bundle;    /* a=group value, NULL for none */
} answer_expect;

static const answer_expect answers[] = {
    {"chromium-156-offer-data-only.sdp", 1, {"0"}, {1}, "UDP/DTLS/SCTP", 0, "BUNDLE 0"},
    {"chromium-156-offer-audio-video-data.sdp", 3, {"0", "1", "2"}, {0, 0, 1}, "UDP/DTLS/SCTP", 0,
     "BUNDLE 2"},
    {"aiortc-1.4-offer-data-only.sdp", 1, {"0"}, {1}, "DTLS/SCTP", 1, "BUNDLE 0"},
    {"aiortc-1.4-offer-audio-video-data.sdp", 3, {"0", "1", "2"}, {0, 0, 1}, "DTLS/SCTP", 1,
     "BUNDLE 2"},
    {"firefox-esr-153-offer-audio-video.sdp", 2, {"0", "1"}, {0, 0}, NULL, 0, NULL},
    {"webrtcbin-1.22-offer-audio-video.sdp", 2, {"video0", "audio1"}, {0, 0}, NULL, 0, NULL},
};

static void check_rejected(const peerc_sdp_media *a, const peerc_sdp_media *o, const char *w,
                           size_t i)
{
    int same_fmts = a->fmts.count == o->fmts.count;
    for (size_t k = 0; same_fmts && k < a->fmts.count; k++)
        same_fmts = strcmp(a->fmts.items[k], o->fmts.items[k]) == 0;
    is_int(a->port, 0, "%s: m-line %zu rejected with port 0", w, i);
    is_str(a->type, o->type, "%s: m-line %zu same media type", w, i);
    is_str(a->proto, o->proto, "%s: m-line %zu same proto", w, i);
    ok(same_fmts, "%s: m-line %zu same formats", w, i);
    ok(!peerc__sdp_media_has_attr(a, "inactive") && !peerc__sdp_media_has_attr(a, "ice-ufrag") &&
           !peerc__sdp_media_has_attr(a, "bundle-only"),
       "%s: m-line %zu minimal", w, i);
}

static void check_data(const peerc_sdp_media *a, const answer_expect *e, const char *w, size_t i)
{
    is_int(a->port, 9, "%s: data m-line %zu accepted (port 9)", w, i);
    is_str(a->proto, e->proto, "%s: offer's proto", w);
    is_str(peerc__sdp_media_attr(a, "setup"), "active", "%s: setup active", w);
    is_str(peerc__sdp_media_attr(a, "ice-ufrag"), "pcU1", "%s: our ufrag", w);
    if (e->legacy) {
        is_str(a->fmts.items[0], "5000", "%s: legacy format", w);
        is_str(peerc__sdp_media_attr(a, "sctpmap"), "5000 webrtc-datachannel 1024",
               "%s: legacy sctpmap", w);
        ok(!peerc__sdp_media_has_attr(a, "sctp-port"), "%s: no sctp-port in legacy", w);
    } else {
        is_str(a->fmts.items[0], "webrtc-datachannel", "%s: RFC 8841 format", w);
        is_str(peerc__sdp_media_attr(a, "sctp-port"), "5000", "%s: sctp-port", w);
        ok(!peerc__sdp_media_has_attr(a, "sctpmap"), "%s: no sctpmap", w);
    }
    is_str(peerc__sdp_media_attr(a, "max-message-size"), "262144", "%s: max-message-size", w);
}

static void test_answer(const answer_expect *e)
{
    peerc_sdp_local_params p;
    peerc_sdp *offer = sample(e->file), *answer = NULL, *again;
    char err[256] = "";
    const char *w = e->file;
    size_t n_acc = 0;
    if (!offer)
        return;
    params(&p);
    is_int(peerc__sdp_build_answer(offer, &p, "active", &answer, err, sizeof err), PEERC_OK,
           "%s: answer built (%s)", w, err);
    if (!answer)
        goto out;
    if (!is_int(answer->n_media, e->n_media, "%s: one answer m-line per offered one", w))
        goto out;
    for (size_t i = 0; i < e->n_media; i++) {
        is_str(peerc__sdp_media_mid(answer->media[i]), e->mids[i], "%s: mid %zu", w, i);
        if (e->accepted[i])
            check_data(answer->media[i], e, w, i);
        else
            check_rejected(answer->media[i], offer->media[i], w, i);
        n_acc += e->accepted[i];
    }
    is_int(peerc__sdp_count_accepted(answer), n_acc, "%s: accepted count", w);
    is_str(group(answer), e->bundle, "%s: BUNDLE group", w);
    is_str(answer->origin.sess_id, "1234", "%s: our session id", w);
    again = reparse(answer, NULL);
    peerc__sdp_free(again);
out:
    peerc__sdp_free(answer);
    peerc__sdp_free(offer);
}

/* Answers to hand-edited variants of the Chromium data-only offer. */
static peerc_sdp *edited(const char *from, const char *to)
{
    char *text = load("chromium-156-offer-data-only.sdp"), *at, *out;
    peerc_sdp *sdp = NULL;
    if (!text)
        return NULL;
    at = strstr(text, from);
    if (at) {
        size_t pre = (size_t)(at - text), fl = strlen(from), tl = strlen(to);
        out = malloc(strlen(text) - fl + tl + 1);
        memcpy(out, text, pre);
        memcpy(out + pre, to, tl);
        strcpy(out + pre + tl, at + fl);
        sdp = parse_text(out);
        free(out);
    } else {
        diag("\"%s\" not in the sample", from);
    }
    free(text);
    return sdp;
}

static void answer_edited(const char *from, const char *to, const char *setup, int want_rc,
                          const char *want_msg, peerc_sdp **answer_out, const char *what)
{
    peerc_sdp_local_params p;
    peerc_sdp *offer = edited(from, to), *answer = NULL;
    char err[256] = "";
    int rc;
    params(&p);
    if (!ok(offer != NULL, "%s: edited offer parses", what))
        return;
    rc = peerc__sdp_build_answer(offer, &p, setup, &answer, err, sizeof err);
    is_int(rc, want_rc, "%s: result (%s)", what, err);
    if (want_msg)
        is_str(err, want_msg, "%s: message", what);
    if (answer_out)
        *answer_out = answer;
    else
        peerc__sdp_free(answer);
    peerc__sdp_free(offer);
}

static void test_answer_edge_cases(void)
{
    peerc_sdp *a = NULL;
    const char *fp_line = "a=fingerprint:sha-256 57:3B:C3:8B:F8:C2:CF:CF:50:03:AC:65:C1:93:4C:0A:07:"
                          "08:FF:CE:77:35:0A:79:64:FC:00:47:48:86:38:39\r\n";

    answer_edited(fp_line, "", "active", PEERC_E_OPERATION,
                  "offer m-line 0 (mid 0) has no a=fingerprint", NULL, "no fingerprint");
    answer_edited("a=ice-ufrag:RqaO\r\n", "", "active", PEERC_E_OPERATION,
                  "offer m-line 0 (mid 0) has no a=ice-ufrag", NULL, "no ufrag");
    answer_edited("a=ice-pwd:TbGMXze5sIf8hwjshRuet8zy\r\n", "a=ice-pwd:short\r\n", "active",
                  PEERC_E_SYNTAX, NULL, NULL, "short pwd");
    /* md5 parses (RFC 8122 keeps other hashes well-formed) but is unusable. */
    answer_edited("a=fingerprint:sha-256", "a=fingerprint:md5", "active", PEERC_E_OPERATION,
                  "offer m-line 0 (mid 0) has no a=fingerprint with a supported hash", NULL,
                  "md5 fingerprint only");

    /* Session-level fingerprint, as Firefox sends: moved out of the section. */
    {
        peerc_sdp *offer = edited(fp_line, "");
        peerc_sdp_local_params p;
        char err[256] = "";
        if (offer) {
            const char *v = strchr(fp_line, ':') + 1;
            char value[256];
            snprintf(value, sizeof value, "%.*s", (int)(strlen(v) - 2), v);
            peerc__sdp_add_attr(offer, "fingerprint", value);
            params(&p);
            is_int(peerc__sdp_build_answer(offer, &p, "passive", &a, err, sizeof err), PEERC_OK,
                   "session-level fingerprint accepted (%s)", err);
            ok(a && peerc__sdp_count_accepted(a) == 1, "data accepted");
            is_str(a ? peerc__sdp_media_attr(a->media[0], "setup") : NULL, "passive",
                   "preferred passive honoured for actpass");
            peerc__sdp_free(a);
            a = NULL;
            peerc__sdp_free(offer);
        }
    }

    /* RFC 5763 §5: an active offerer makes us passive whatever we prefer. */
    answer_edited("a=setup:actpass", "a=setup:active", "active", PEERC_OK, NULL, &a,
                  "offer active");
    is_str(a ? peerc__sdp_media_attr(a->media[0], "setup") : NULL, "passive", "we answer passive");
    peerc__sdp_free(a);
    a = NULL;
    answer_edited("a=setup:actpass", "a=setup:passive", "passive", PEERC_OK, NULL, &a,
                  "offer passive");
    is_str(a ? peerc__sdp_media_attr(a->media[0], "setup") : NULL, "active", "we answer active");
    peerc__sdp_free(a);
    a = NULL;
    answer_edited("a=setup:actpass", "a=setup:holdconn", "active", PEERC_OK, NULL, &a,
                  "offer holdconn");
    ok(a && peerc__sdp_count_accepted(a) == 0, "holdconn: nothing accepted");
    peerc__sdp_free(a);
    a = NULL;

    answer_edited("UDP/DTLS/SCTP", "TCP/DTLS/SCTP", "active", PEERC_OK, NULL, &a, "TCP/DTLS/SCTP");
    is_str(a ? a->media[0]->proto : NULL, "TCP/DTLS/SCTP", "TCP/DTLS/SCTP answered as such");
    peerc__sdp_free(a);
    a = NULL;

    /* A second application section is rejected; the first carries SCTP. */
    answer_edited("a=max-message-size:262144\r\n",
                  "a=max-message-size:262144\r\n"
                  "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"
                  "a=mid:1\r\na=sctp-port:5001\r\n"
                  "m=application 9 UDP/BFCP *\r\na=mid:2\r\n",
                  "active", PEERC_OK, NULL, &a, "two data sections");
    if (a && is_int(a->n_media, 3, "three answer sections")) {
        ok(a->media[0]->port == 9 && a->media[1]->port == 0 && a->media[2]->port == 0,
           "only the first SCTP section accepted");
        is_str(group(a), "BUNDLE 0", "group has only the accepted mid");
    }
    peerc__sdp_free(a);
    a = NULL;

    answer_edited("a=setup:actpass", "a=setup:actpass", "actpass", PEERC_E_INVALID_ARGUMENT, NULL,
                  NULL, "setup parameter must be active/passive");
}

/* ---------------------------------------------------- remote transport */

typedef struct transport_expect {
    const char *file;
    int index;
    const char *mid;
    const char *ufrag;
    const char *pwd;
    uint8_t fp0;
    peerc_sdp_setup setup;
    int trickle;
    size_t n_candidates;
    int eoc;
    int data_index;
    int legacy;
    uint64_t mms;
} transport_expect;

static const transport_expect transports[] = {
    {"chromium-156-offer-data-only.sdp", 0, "0", "RqaO", "TbGMXze5sIf8hwjshRuet8zy", 0x57,
     PEERC_SDP_SETUP_ACTPASS, 1, 4, 0, 0, 0, 262144},
    /* The data section is the one we would tag: its own candidates (port 41756...). */
    {"chromium-156-offer-audio-video-data.sdp", 2, "2", "Lp1f", "Jm1Gl+D/i+JLznMwTvY8FwDz", 0xC5,
     PEERC_SDP_SETUP_ACTPASS, 1, 4, 0, 2, 0, 262144},
    /* No candidates on the data section: the BUNDLE tag's (mid 0) are used. */
    {"chromium-156-answer-audio-video-data.sdp", 2, "2", "xGnV", "m2xM+mpd64nHo8+trei8gU8s", 0x35,
     PEERC_SDP_SETUP_ACTIVE, 1, 2, 0, 2, 0, 262144},
    {"aiortc-1.4-offer-data-only.sdp", 0, "0", "xA7C", "C7JPxxYcE1JSMmYqpqIznv", 0x22,
     PEERC_SDP_SETUP_ACTPASS, 0, 2, 1, 0, 1, 65536},
    /* Per-section credentials: the data section's own. */
    {"aiortc-1.4-offer-audio-video-data.sdp", 2, "2", "GTBb", "p8xpSJStLzLzMnC8l4LN6v", 0x02,
     PEERC_SDP_SETUP_ACTPASS, 0, 2, 1, 2, 1, 65536},
    {"firefox-esr-153-offer-audio-video.sdp", -1, "", "", "", 0, PEERC_SDP_SETUP_NONE, 0, 0, 0, -1,
     0, 0},
    {"webrtcbin-1.22-offer-audio-video.sdp", -1, "", "", "", 0, PEERC_SDP_SETUP_NONE, 0, 0, 0, -1,
     0, 0},
};

static void test_transport(const transport_expect *e)
{
    peerc_sdp *sdp = sample(e->file);
    peerc_sdp_transport_info t;
    char err[256] = "";
    const char *w = e->file;
    if (!sdp)
        return;
    is_int(peerc__sdp_remote_transport(sdp, &t, err, sizeof err), PEERC_OK,
           "%s: remote transport (%s)", w, err);
    is_int(t.transport_index, e->index, "%s: transport section", w);
    is_int(t.data_index, e->data_index, "%s: data section", w);
    if (e->index >= 0) {
        is_str(t.transport_mid, e->mid, "%s: transport mid", w);
        is_str(t.ice_ufrag, e->ufrag, "%s: ufrag", w);
        is_str(t.ice_pwd, e->pwd, "%s: pwd", w);
        is_str(t.fingerprint.algorithm, "sha-256", "%s: fingerprint algorithm", w);
        is_int(t.fingerprint.len, 32, "%s: fingerprint length", w);
        is_int(t.fingerprint.bytes[0], e->fp0, "%s: fingerprint first byte", w);
        is_int(t.setup, e->setup, "%s: setup", w);
        is_int(t.ice_trickle, e->trickle, "%s: trickle", w);
        ok(!t.ice_lite, "%s: not lite", w);
        is_int(t.n_candidates, e->n_candidates, "%s: candidates", w);
        is_int(t.end_of_candidates, e->eoc, "%s: end-of-candidates", w);
        is_str(t.data_mid, e->mid, "%s: data mid", w);
        ok(!t.data_rejected, "%s: data not rejected", w);
        is_int(t.data_legacy, e->legacy, "%s: legacy", w);
        is_int(t.sctp_port, 5000, "%s: sctp port", w);
        is_int(t.max_message_size, e->mms, "%s: max-message-size", w);
    }
    peerc__sdp_transport_info_clear(&t);
    peerc__sdp_free(sdp);
}

static void test_transport_details(void)
{
    peerc_sdp *sdp;
    peerc_sdp_transport_info t;
    char err[256] = "";
    char hex[200];

    sdp = edited("a=max-message-size:262144\r\n", "");
    peerc__sdp_remote_transport(sdp, &t, NULL, 0);
    is_int(t.max_message_size, 65536, "absent max-message-size means 64K (RFC 8841 §6.1)");
    peerc__sdp_transport_info_clear(&t);
    peerc__sdp_free(sdp);

    sdp = edited("a=max-message-size:262144", "a=max-message-size:0");
    peerc__sdp_remote_transport(sdp, &t, NULL, 0);
    is_int(t.max_message_size, 0, "0 means unlimited");
    peerc__sdp_transport_info_clear(&t);
    peerc__sdp_free(sdp);

    sdp = edited("a=sctp-port:5000\r\n", "");
    peerc__sdp_remote_transport(sdp, &t, NULL, 0);
    is_int(t.sctp_port, 5000, "absent sctp-port means 5000");
    peerc__sdp_transport_info_clear(&t);
    peerc__sdp_free(sdp);

    sdp = edited("a=ice-pwd:TbGMXze5sIf8hwjshRuet8zy\r\n", "");
    is_int(peerc__sdp_remote_transport(sdp, &t, err, sizeof err), PEERC_E_OPERATION,
           "missing ice-pwd");
    is_str(err, "m-line 0 (mid 0) has no a=ice-pwd", "missing ice-pwd message");
    peerc__sdp_transport_info_clear(&t);
    peerc__sdp_free(sdp);

    sdp = edited("a=setup:actpass\r\n", "a=setup:actpass\r\na=fingerprint:sha-512 " FP ":" FP "\r\n");
    is_int(peerc__sdp_remote_transport(sdp, &t, err, sizeof err), PEERC_OK, "two fingerprints");
    is_str(t.fingerprint.algorithm, "sha-512", "strongest hash chosen (RFC 8122 §5)");
    peerc__sdp_fingerprint_hex(&t.fingerprint, hex, sizeof hex);
    is_str(hex, FP ":" FP, "fingerprint hex");
    is_int(peerc__sdp_fingerprint_hex(&t.fingerprint, hex, 10), PEERC_E_INVALID_ARGUMENT,
           "hex buffer too small");
    peerc__sdp_transport_info_clear(&t);
    peerc__sdp_free(sdp);

    sdp = edited("a=group:BUNDLE 0\r\n", "a=group:BUNDLE 0\r\na=ice-lite\r\n");
    peerc__sdp_remote_transport(sdp, &t, NULL, 0);
    ok(t.ice_lite, "session-level ice-lite");
    peerc__sdp_transport_info_clear(&t);
    peerc__sdp_free(sdp);

    sdp = edited("m=application 54064", "m=application 0");
    peerc__sdp_remote_transport(sdp, &t, NULL, 0);
    ok(t.transport_index == -1 && t.data_index == 0 && t.data_rejected,
       "rejected data section: no transport, data_rejected");
    peerc__sdp_transport_info_clear(&t);
    peerc__sdp_free(sdp);

    is_int(peerc__sdp_setup_from_string("holdconn"), PEERC_SDP_SETUP_HOLDCONN, "setup parse");
    is_int(peerc__sdp_setup_from_string("Active"), -1, "setup is case-sensitive");
    is_str(peerc__sdp_setup_to_string(PEERC_SDP_SETUP_PASSIVE), "passive", "setup to string");
}

/* Our answer to each sample offer, fed back as a remote answer, gives
 * our own parameters. */
static void test_answer_as_remote(void)
{
    peerc_sdp_local_params p;
    peerc_sdp *offer = sample("aiortc-1.4-offer-audio-video-data.sdp"), *answer = NULL;
    peerc_sdp_transport_info t;
    char err[256] = "";
    params(&p);
    peerc__sdp_build_answer(offer, &p, "passive", &answer, err, sizeof err);
    is_int(peerc__sdp_remote_transport(answer, &t, err, sizeof err), PEERC_OK,
           "our answer as a remote description (%s)", err);
    is_int(t.transport_index, 2, "transport is the data section");
    is_str(t.ice_ufrag, "pcU1", "our ufrag");
    is_int(t.setup, PEERC_SDP_SETUP_PASSIVE, "our setup");
    is_int(t.fingerprint.bytes[0], 0xAA, "our fingerprint");
    ok(t.data_legacy, "legacy kept");
    peerc__sdp_transport_info_clear(&t);
    peerc__sdp_free(answer);
    peerc__sdp_free(offer);
}

int main(void)
{
    test_initial_offer();
    test_bad_params();
    test_reoffer();
    test_reoffer_adds_data();
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++)
        test_answer(&answers[i]);
    test_answer_edge_cases();
    for (size_t i = 0; i < sizeof transports / sizeof transports[0]; i++)
        test_transport(&transports[i]);
    test_transport_details();
    test_answer_as_remote();
    return done_testing();
}

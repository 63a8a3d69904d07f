/* SDP parser and serializer against real captures from browsers and stacks. */
#include <peerc/common.h>

#include "sdp/sdp.h"

#include "../tap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp-fixtures.h"

static peerc_sdp *parse_sample(const char *name)
{
    char err[256] = "";
    peerc_sdp *sdp = NULL;
    char *text = load(name);
    int rc;
    if (!text) {
        ok(0, "%s: load", name);
        return NULL;
    }
    rc = peerc__sdp_parse(text, &sdp, err, sizeof err);
    is_int(rc, PEERC_OK, "%s parses (%s)", name, err);
    free(text);
    return sdp;
}

/* ------------------------------------------------------ deep compare */

static int str_eq(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

static int strv_eq(const peerc_sdp_strv *a, const peerc_sdp_strv *b)
{
    if (a->count != b->count)
        return 0;
    for (size_t i = 0; i < a->count; i++)
        if (!str_eq(a->items[i], b->items[i]))
            return 0;
    return 1;
}

static int attrs_eq(const peerc_sdp_attrs *a, const peerc_sdp_attrs *b)
{
    if (a->count != b->count)
        return 0;
    for (size_t i = 0; i < a->count; i++)
        if (!str_eq(a->items[i].name, b->items[i].name) ||
            !str_eq(a->items[i].value, b->items[i].value))
            return 0;
    return 1;
}

static int media_eq(const peerc_sdp_media *a, const peerc_sdp_media *b)
{
    return str_eq(a->type, b->type) && a->port == b->port && a->port_count == b->port_count &&
           str_eq(a->proto, b->proto) && strv_eq(&a->fmts, &b->fmts) && str_eq(a->info, b->info) &&
           str_eq(a->connection, b->connection) && strv_eq(&a->bandwidths, &b->bandwidths) &&
           str_eq(a->key, b->key) && attrs_eq(&a->attrs, &b->attrs);
}

static int sdp_eq(const peerc_sdp *a, const peerc_sdp *b)
{
    const peerc_sdp_origin *oa = &a->origin, *ob = &b->origin;
    if (a->version != b->version || !str_eq(oa->username, ob->username) ||
        !str_eq(oa->sess_id, ob->sess_id) || oa->sess_version != ob->sess_version ||
        !str_eq(oa->nettype, ob->nettype) || !str_eq(oa->addrtype, ob->addrtype) ||
        !str_eq(oa->address, ob->address))
        return 0;
    if (!str_eq(a->name, b->name) || !str_eq(a->info, b->info) || !str_eq(a->uri, b->uri) ||
        !strv_eq(&a->emails, &b->emails) || !strv_eq(&a->phones, &b->phones) ||
        !str_eq(a->connection, b->connection) || !strv_eq(&a->bandwidths, &b->bandwidths) ||
        !str_eq(a->zone, b->zone) || !str_eq(a->key, b->key) || !attrs_eq(&a->attrs, &b->attrs))
        return 0;
    if (a->n_times != b->n_times || a->n_media != b->n_media)
        return 0;
    for (size_t i = 0; i < a->n_times; i++)
        if (!str_eq(a->times[i].value, b->times[i].value) ||
            !strv_eq(&a->times[i].repeats, &b->times[i].repeats))
            return 0;
    for (size_t i = 0; i < a->n_media; i++)
        if (!media_eq(a->media[i], b->media[i]))
            return 0;
    return 1;
}

/* ------------------------------------------------------------ helpers */

static size_t count_attr(const peerc_sdp_media *m, const char *name)
{
    size_t n = 0, pos = 0;
    while (peerc__sdp_media_attr_next(m, name, &pos))
        n++;
    return n;
}

static void check_mids(const peerc_sdp *sdp, const char *const *mids, size_t n, const char *what)
{
    if (!is_int(sdp->n_media, n, "%s: %zu m-lines", what, n))
        return;
    for (size_t i = 0; i < n; i++)
        is_str(peerc__sdp_media_mid(sdp->media[i]), mids[i], "%s: mid of m-line %zu", what, i);
}

static void check_bundle(const peerc_sdp *sdp, const char *const *mids, size_t n, const char *what)
{
    peerc_sdp_strv b;
    is_int(peerc__sdp_bundle_mids(sdp, &b), PEERC_OK, "%s: bundle mids", what);
    if (is_int(b.count, n, "%s: BUNDLE group has %zu mids", what, n))
        for (size_t i = 0; i < n; i++)
            is_str(b.items[i], mids[i], "%s: BUNDLE mid %zu", what, i);
    peerc__sdp_strv_clear(&b);
}

static void check_fingerprint(const char *value, const char *alg, uint8_t first, uint8_t last,
                              const char *what)
{
    peerc_sdp_fingerprint fp;
    is_int(peerc__sdp_fingerprint_parse(value, &fp, NULL, 0), PEERC_OK, "%s: fingerprint parses",
           what);
    is_str(fp.algorithm, alg, "%s: fingerprint algorithm", what);
    is_int(fp.len, 32, "%s: fingerprint has 32 bytes", what);
    is_int(fp.bytes[0], first, "%s: fingerprint first byte", what);
    is_int(fp.bytes[31], last, "%s: fingerprint last byte", what);
}

/* parse -> serialize -> parse gives the same structure; serializing again is
 * byte-identical; and the captures are already canonical, so the first
 * serialization reproduces the file exactly. */
static void round_trip(const char *name)
{
    char *orig = load(name), *s1 = NULL, *s2 = NULL;
    peerc_sdp *a = NULL, *b = NULL, *c;
    peerc__sdp_parse(orig ? orig : "", &a, NULL, 0);
    if (!ok(a != NULL, "%s: parsed for round trip", name))
        goto out;
    s1 = peerc__sdp_serialize(a);
    ok(s1 && peerc__sdp_parse(s1, &b, NULL, 0) == PEERC_OK, "%s: serialized text parses", name);
    ok(b && sdp_eq(a, b), "%s: same structure after round trip", name);
    s2 = b ? peerc__sdp_serialize(b) : NULL;
    is_str(s2, s1, "%s: serialize is idempotent", name);
    is_str(s1, orig, "%s: serialize(parse(x)) == x for this canonical capture", name);
    c = peerc__sdp_dup(a);
    ok(c && sdp_eq(a, c), "%s: dup is a deep copy", name);
    peerc__sdp_free(c);
out:
    free(orig);
    free(s1);
    free(s2);
    peerc__sdp_free(a);
    peerc__sdp_free(b);
}

/* ------------------------------------------------------------ samples */

static void test_chromium_data_only(void)
{
    static const char *const mids[] = {"0"};
    const char *w = "chromium data-only";
    peerc_sdp *sdp = parse_sample("chromium-156-offer-data-only.sdp");
    const peerc_sdp_media *m;
    if (!sdp)
        return;
    is_str(sdp->origin.sess_id, "4258964985058963362", "%s: o= session id", w);
    is_int(sdp->origin.sess_version, 2, "%s: o= session version", w);
    is_str(sdp->origin.address, "127.0.0.1", "%s: o= address", w);
    is_str(sdp->name, "-", "%s: s=", w);
    is_str(peerc__sdp_session_attr(sdp, "msid-semantic"), " WMS",
           "%s: msid-semantic value kept verbatim", w);
    ok(peerc__sdp_session_has_attr(sdp, "extmap-allow-mixed"), "%s: extmap-allow-mixed flag", w);
    check_mids(sdp, mids, 1, w);
    check_bundle(sdp, mids, 1, w);
    m = sdp->media[0];
    is_str(m->type, "application", "%s: media type", w);
    is_int(m->port, 54064, "%s: port", w);
    is_str(m->proto, "UDP/DTLS/SCTP", "%s: proto", w);
    is_int(m->fmts.count, 1, "%s: one format", w);
    is_str(m->fmts.items[0], "webrtc-datachannel", "%s: format", w);
    is_str(m->connection, "IN IP4 192.0.2.2", "%s: c=", w);
    ok(peerc__sdp_media_is_sctp(m) && !peerc__sdp_media_is_legacy_sctp(m), "%s: RFC 8841 SCTP", w);
    is_str(peerc__sdp_media_ice_ufrag(sdp, m), "RqaO", "%s: ice-ufrag", w);
    is_str(peerc__sdp_media_ice_pwd(sdp, m), "TbGMXze5sIf8hwjshRuet8zy", "%s: ice-pwd", w);
    ok(peerc__sdp_media_has_ice_option(sdp, m, "trickle"), "%s: trickle", w);
    is_str(peerc__sdp_media_setup(sdp, m), "actpass", "%s: setup", w);
    check_fingerprint(peerc__sdp_media_fingerprint(sdp, m), "sha-256", 0x57, 0x39, w);
    is_int(count_attr(m, "candidate"), 4, "%s: 4 candidates", w);
    ok(!peerc__sdp_media_has_attr(m, "end-of-candidates"), "%s: no end-of-candidates", w);
    is_str(peerc__sdp_media_attr(m, "sctp-port"), "5000", "%s: sctp-port", w);
    is_str(peerc__sdp_media_attr(m, "max-message-size"), "262144", "%s: max-message-size", w);
    peerc__sdp_free(sdp);
}

static void test_chromium_av_data(void)
{
    static const char *const mids[] = {"0", "1", "2"};
    const char *w = "chromium a/v/data";
    peerc_sdp *sdp = parse_sample("chromium-156-offer-audio-video-data.sdp");
    if (!sdp)
        return;
    check_mids(sdp, mids, 3, w);
    check_bundle(sdp, mids, 3, w);
    if (sdp->n_media != 3)
        goto out;
    is_str(sdp->media[0]->type, "audio", "%s: m-line 0 audio", w);
    is_str(sdp->media[1]->type, "video", "%s: m-line 1 video", w);
    is_str(sdp->media[2]->type, "application", "%s: m-line 2 application", w);
    is_int(sdp->media[0]->fmts.count, 8, "%s: 8 audio payload types", w);
    is_int(sdp->media[1]->fmts.count, 23, "%s: 23 video payload types", w);
    is_int(sdp->media[0]->port, 48327, "%s: audio port", w);
    is_int(sdp->media[1]->port, 38722, "%s: video port", w);
    is_int(sdp->media[2]->port, 41756, "%s: data port", w);
    for (size_t i = 0; i < 3; i++) {
        is_str(peerc__sdp_media_ice_ufrag(sdp, sdp->media[i]), "Lp1f", "%s: ufrag %zu", w, i);
        is_int(count_attr(sdp->media[i], "candidate"), 4, "%s: 4 candidates in m-line %zu", w, i);
    }
    check_fingerprint(peerc__sdp_media_fingerprint(sdp, sdp->media[2]), "sha-256", 0xC5, 0x14, w);
    is_int(count_attr(sdp->media[1], "rtpmap"), 23, "%s: 23 video rtpmaps", w);
    is_str(peerc__sdp_media_attr(sdp->media[0], "rtpmap"), "111 opus/48000/2", "%s: opus first", w);
    ok(peerc__sdp_media_has_attr(sdp->media[0], "rtcp-mux"), "%s: rtcp-mux flag", w);
    is_str(peerc__sdp_media_attr(sdp->media[2], "sctp-port"), "5000", "%s: sctp-port", w);
out:
    peerc__sdp_free(sdp);
}

static void test_chromium_answer(void)
{
    static const char *const mids[] = {"0", "1", "2"};
    const char *w = "chromium answer";
    peerc_sdp *sdp = parse_sample("chromium-156-answer-audio-video-data.sdp");
    if (!sdp)
        return;
    check_mids(sdp, mids, 3, w);
    check_bundle(sdp, mids, 3, w);
    if (sdp->n_media == 3) {
        is_str(peerc__sdp_media_setup(sdp, sdp->media[2]), "active", "%s: setup active", w);
        is_str(peerc__sdp_media_ice_ufrag(sdp, sdp->media[2]), "xGnV", "%s: ufrag", w);
        is_int(count_attr(sdp->media[0], "candidate"), 2, "%s: 2 candidates on audio", w);
        is_int(count_attr(sdp->media[2], "candidate"), 0, "%s: none on data", w);
        is_int(sdp->media[1]->port, 9, "%s: video port 9", w);
        is_str(peerc__sdp_media_attr(sdp->media[2], "max-message-size"), "262144", "%s: mms", w);
    }
    peerc__sdp_free(sdp);
}

static void test_aiortc_data_only(void)
{
    static const char *const mids[] = {"0"};
    const char *w = "aiortc data-only";
    peerc_sdp *sdp = parse_sample("aiortc-1.4-offer-data-only.sdp");
    const peerc_sdp_media *m;
    if (!sdp)
        return;
    is_str(sdp->origin.sess_id, "4004600247", "%s: o= session id", w);
    is_str(peerc__sdp_session_attr(sdp, "msid-semantic"), "WMS *", "%s: msid-semantic", w);
    check_mids(sdp, mids, 1, w);
    check_bundle(sdp, mids, 1, w);
    m = sdp->media[0];
    is_str(m->proto, "DTLS/SCTP", "%s: legacy proto", w);
    is_str(m->fmts.items[0], "5000", "%s: legacy format is the SCTP port", w);
    is_str(peerc__sdp_media_attr(m, "sctpmap"), "5000 webrtc-datachannel 65535", "%s: sctpmap", w);
    ok(peerc__sdp_media_is_sctp(m) && peerc__sdp_media_is_legacy_sctp(m), "%s: legacy SCTP", w);
    ok(!peerc__sdp_media_has_attr(m, "sctp-port"), "%s: no sctp-port", w);
    is_str(peerc__sdp_media_ice_ufrag(sdp, m), "xA7C", "%s: ufrag", w);
    is_str(peerc__sdp_media_ice_pwd(sdp, m), "C7JPxxYcE1JSMmYqpqIznv", "%s: pwd", w);
    ok(!peerc__sdp_media_has_ice_option(sdp, m, "trickle"), "%s: no trickle option", w);
    is_int(count_attr(m, "candidate"), 2, "%s: 2 candidates", w);
    ok(peerc__sdp_media_has_attr(m, "end-of-candidates"), "%s: end-of-candidates", w);
    check_fingerprint(peerc__sdp_media_fingerprint(sdp, m), "sha-256", 0x22, 0x25, w);
    peerc__sdp_free(sdp);
}

static void test_aiortc_av_data(void)
{
    static const char *const mids[] = {"0", "1", "2"};
    static const char *const ufrags[] = {"gVsi", "NWlY", "GTBb"};
    const char *w = "aiortc a/v/data";
    peerc_sdp *sdp = parse_sample("aiortc-1.4-offer-audio-video-data.sdp");
    size_t pos = 0;
    const peerc_sdp_attr *at;
    if (!sdp)
        return;
    check_mids(sdp, mids, 3, w);
    check_bundle(sdp, mids, 3, w);
    if (sdp->n_media != 3)
        goto out;
    /* One BUNDLE group, yet every section has its own credentials. */
    for (size_t i = 0; i < 3; i++)
        is_str(peerc__sdp_media_ice_ufrag(sdp, sdp->media[i]), ufrags[i], "%s: ufrag %zu", w, i);
    ok(peerc__sdp_media_is_legacy_sctp(sdp->media[2]), "%s: legacy data section", w);
    /* a=extmap:2 names different extensions in audio and video: kept apart. */
    while ((at = peerc__sdp_media_attr_next(sdp->media[0], "extmap", &pos)))
        if (strncmp(at->value, "2 ", 2) == 0)
            break;
    is_str(at ? at->value : NULL, "2 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
           "%s: audio extmap:2", w);
    pos = 0;
    while ((at = peerc__sdp_media_attr_next(sdp->media[1], "extmap", &pos)))
        if (strncmp(at->value, "2 ", 2) == 0)
            break;
    is_str(at ? at->value : NULL, "2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
           "%s: video extmap:2", w);
    is_int(count_attr(sdp->media[1], "ssrc"), 2, "%s: 2 video ssrc lines", w);
out:
    peerc__sdp_free(sdp);
}

static void test_firefox(void)
{
    static const char *const mids[] = {"0", "1"};
    const char *w = "firefox";
    peerc_sdp *sdp = parse_sample("firefox-esr-153-offer-audio-video.sdp");
    const peerc_sdp_media *m;
    if (!sdp)
        return;
    is_str(sdp->origin.username, "mozilla...THIS_IS_SDPARTA-99.0", "%s: o= username", w);
    is_int(sdp->origin.sess_version, 0, "%s: o= version 0", w);
    check_mids(sdp, mids, 2, w);
    check_bundle(sdp, mids, 2, w);
    if (sdp->n_media != 2)
        goto out;
    m = sdp->media[0];
    /* Firefox puts the fingerprint and ice-options at session level. */
    ok(!peerc__sdp_media_has_attr(m, "fingerprint"), "%s: no media-level fingerprint", w);
    check_fingerprint(peerc__sdp_media_fingerprint(sdp, m), "sha-256", 0x10, 0x08, w);
    ok(peerc__sdp_media_has_ice_option(sdp, m, "trickle"), "%s: session-level trickle", w);
    is_str(peerc__sdp_media_ice_ufrag(sdp, m), "8cd7f1fa", "%s: ufrag", w);
    is_str(peerc__sdp_media_ice_pwd(sdp, m), "734ad6b47cc1a5598ff1f8a21475fd75", "%s: pwd", w);
    is_int(m->port, 9, "%s: trickle port 9", w);
    is_int(count_attr(m, "candidate") + count_attr(sdp->media[1], "candidate"), 0,
           "%s: no candidates", w);
    is_str(peerc__sdp_media_attr(m, "rtpmap"), "109 opus/48000/2", "%s: opus pt 109", w);
    is_str(sdp->media[1]->fmts.items[0], "120", "%s: VP8 pt 120 first", w);
    ok(peerc__sdp_media_has_attr(m, "extmap-allow-mixed"), "%s: media extmap-allow-mixed", w);
    ok(!peerc__sdp_media_is_sctp(m) && !peerc__sdp_media_is_sctp(sdp->media[1]), "%s: no data", w);
out:
    peerc__sdp_free(sdp);
}

static void test_webrtcbin(void)
{
    static const char *const mids[] = {"video0", "audio1"};
    const char *w = "webrtcbin";
    peerc_sdp *sdp = parse_sample("webrtcbin-1.22-offer-audio-video.sdp");
    if (!sdp)
        return;
    check_mids(sdp, mids, 2, w);
    check_bundle(sdp, mids, 2, w);
    if (sdp->n_media != 2)
        goto out;
    is_int(sdp->media[1]->port, 0, "%s: audio port 0", w);
    ok(peerc__sdp_media_has_attr(sdp->media[1], "bundle-only"), "%s: bundle-only", w);
    ok(!peerc__sdp_media_is_rejected(sdp->media[1]), "%s: bundle-only is not rejected", w);
    ok(peerc__sdp_in_bundle(sdp, "audio1") && !peerc__sdp_in_bundle(sdp, "audio"),
       "%s: in_bundle matches whole mids", w);
    is_int(peerc__sdp_find_mid(sdp, "audio1"), 1, "%s: find_mid", w);
    is_str(peerc__sdp_media_ice_ufrag(sdp, sdp->media[0]), "fUh4kpTBZn+sviB5IdblU0uPF0KYJ+nY",
           "%s: ufrag", w);
    ok(peerc__sdp_media_has_ice_option(sdp, sdp->media[0], "trickle"), "%s: trickle", w);
    ok(peerc__sdp_media_has_attr(sdp->media[0], "rtcp-mux-only"), "%s: rtcp-mux-only kept", w);
    check_fingerprint(peerc__sdp_media_fingerprint(sdp, sdp->media[1]), "sha-256", 0xB8, 0x60, w);
out:
    peerc__sdp_free(sdp);
}

/* ------------------------------------------------- line endings, order */

static void test_lf_and_order(void)
{
    /* LF endings, session lines out of canonical order, every line type. */
    const char *text = "v=0\n"
                       "o=alice 2890844526 2890842807 IN IP4 203.0.113.1\n"
                       "s=Session\n"
                       "a=recvonly\n"
                       "t=2873397496 2873404696\n"
                       "r=604800 3600 0 90000\n"
                       "c=IN IP4 224.2.17.12/127\n"
                       "i=info\n"
                       "u=http://example.com/seminars/sdp.pdf\n"
                       "e=j.doe@example.com (Jane Doe)\n"
                       "p=+1 617 555-6011\n"
                       "b=CT:128\n"
                       "z=2882844526 -1h 2898848070 0\n"
                       "k=clear:secret\n"
                       "m=audio 49170/2 RTP/AVP 0\n"
                       "a=rtpmap:0 PCMU/8000\n"
                       "b=AS:64\n"
                       "i=voice\n"
                       "c=IN IP4 224.2.17.12/127\n"
                       "m=video 51372 RTP/AVP 99\n"
                       "a=rtpmap:99 h263-1998/90000\n";
    const char *want = "v=0\r\n"
                       "o=alice 2890844526 2890842807 IN IP4 203.0.113.1\r\n"
                       "s=Session\r\n"
                       "i=info\r\n"
                       "u=http://example.com/seminars/sdp.pdf\r\n"
                       "e=j.doe@example.com (Jane Doe)\r\n"
                       "p=+1 617 555-6011\r\n"
                       "c=IN IP4 224.2.17.12/127\r\n"
                       "b=CT:128\r\n"
                       "t=2873397496 2873404696\r\n"
                       "r=604800 3600 0 90000\r\n"
                       "z=2882844526 -1h 2898848070 0\r\n"
                       "k=clear:secret\r\n"
                       "a=recvonly\r\n"
                       "m=audio 49170/2 RTP/AVP 0\r\n"
                       "i=voice\r\n"
                       "c=IN IP4 224.2.17.12/127\r\n"
                       "b=AS:64\r\n"
                       "a=rtpmap:0 PCMU/8000\r\n"
                       "m=video 51372 RTP/AVP 99\r\n"
                       "a=rtpmap:99 h263-1998/90000\r\n";
    peerc_sdp *sdp = NULL;
    char err[256] = "", *s;
    is_int(peerc__sdp_parse(text, &sdp, err, sizeof err), PEERC_OK, "LF-only SDP parses (%s)",
           err);
    if (!sdp)
        return;
    is_int(sdp->media[0]->port_count, 2, "port count kept");
    s = peerc__sdp_serialize(sdp);
    is_str(s, want, "serialize puts lines in canonical order with CRLF");
    free(s);
    peerc__sdp_free(sdp);
}

/* Mutation helpers used by the builder and the pc. */
static void test_mutation(void)
{
    peerc_sdp *sdp = peerc__sdp_new();
    peerc_sdp_media *m;
    char *s;
    if (!ok(sdp != NULL, "sdp_new"))
        return;
    m = peerc__sdp_add_media(sdp, "application", 9, "UDP/DTLS/SCTP", "webrtc-datachannel");
    ok(m != NULL, "add_media");
    is_int(peerc__sdp_media_add_attr(m, "candidate", "1 1 udp 1 192.0.2.1 1 typ host"), PEERC_OK,
           "add candidate");
    peerc__sdp_media_add_attr(m, "candidate", "2 1 udp 1 192.0.2.1 2 typ host");
    peerc__sdp_media_add_attr(m, "rtcp-mux", NULL);
    peerc__sdp_media_add_attrf(m, "sctp-port", "%d", 5000);
    peerc__sdp_media_set_attr(m, "mid", "0");
    peerc__sdp_media_set_attr(m, "candidate", "3 1 udp 1 192.0.2.1 3 typ host");
    peerc__sdp_media_set_port(m, 4000);
    peerc__sdp_media_set_connection(m, "IN IP4 192.0.2.1");
    peerc__sdp_add_attr(sdp, "group", "BUNDLE 0");
    peerc__sdp_add_attr(sdp, "ice-lite", NULL);
    is_int(peerc__sdp_remove_attr(sdp, "ice-lite"), 1, "remove session attr");
    is_int(peerc__sdp_media_remove_attr(m, "rtcp-mux"), 1, "remove media attr");
    peerc__sdp_set_origin(sdp, "42", 7);
    s = peerc__sdp_serialize(sdp);
    is_str(s,
           "v=0\r\no=- 42 7 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
           "m=application 4000 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 192.0.2.1\r\n"
           "a=candidate:3 1 udp 1 192.0.2.1 3 typ host\r\na=sctp-port:5000\r\na=mid:0\r\n",
           "mutations serialize as expected");
    free(s);
    peerc__sdp_free(sdp);
    peerc__sdp_free(NULL);
    ok(1, "free(NULL) is fine");
}

int main(void)
{
    static const char *const samples[] = {
        "chromium-156-offer-data-only.sdp",     "chromium-156-offer-audio-video-data.sdp",
        "chromium-156-answer-audio-video-data.sdp", "aiortc-1.4-offer-data-only.sdp",
        "aiortc-1.4-offer-audio-video-data.sdp", "firefox-esr-153-offer-audio-video.sdp",
        "webrtcbin-1.22-offer-audio-video.sdp",
    };
    test_chromium_data_only();
    test_chromium_av_data();
    test_chromium_answer();
    test_aiortc_data_only();
    test_aiortc_av_data();
    test_firefox();
    test_webrtcbin();
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        round_trip(samples[i]);
    test_lf_and_order();
    test_mutation();
    return done_testing();
}

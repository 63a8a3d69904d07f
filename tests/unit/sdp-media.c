/* Audio/video m-sections (lib/sdp/media.c, media-remote.c), the section
 * builder (peerc__sdp_build_sections) and the media-aware remote transport,
 * on built descriptions and the real captures in tests/data. */
#include <peerc/common.h>

#include "sdp/codecs.h"
#include "sdp/media.h"
#include "sdp/sdp.h"

#include "../tap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp-fixtures.h"


/* "111 0 8" for a set */
static void pts_of(const peerc_sdp_codec_set *s, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->count && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%d", i ? " " : "", s->items[i].pt);
}

static void fb_of(const peerc_sdp_codec *c, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < c->rtcp_fb.count && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "", c->rtcp_fb.items[i]);
}

/* The section of text starting at "m=<kind>" up to the next m= line. */
static char *section_text(const char *text, const char *kind)
{
    char needle[32];
    const char *at, *end;
    snprintf(needle, sizeof needle, "m=%s ", kind);
    at = strstr(text, needle);
    if (!at)
        return NULL;
    end = strstr(at + 2, "\r\nm=");
    end = end ? end + 2 : at + strlen(at);
    return strndup(at, (size_t)(end - at));
}

/* ------------------------------------------------------ capabilities */

static void test_local_caps(void)
{
    peerc_sdp_codec_set set = {0};
    peerc_sdp_extmaps x = {0};
    char buf[128];
    size_t n = 99;

    is_int(peerc__sdp_local_codecs("audio", &set), PEERC_OK, "local audio codecs");
    pts_of(&set, buf, sizeof buf);
    is_str(buf, "111 0 8 126", "audio payload types");
    if (set.count == 4) {
        is_str(set.items[0].name, "opus", "opus");
        is_int(set.items[0].channels, 2, "opus stereo");
        is_str(set.items[0].fmtp, "minptime=10;useinbandfec=1", "opus fmtp");
        fb_of(&set.items[0], buf, sizeof buf);
        is_str(buf, "transport-cc", "opus rtcp-fb");
        is_str(set.items[3].name, "telephone-event", "telephone-event");
        is_int(set.items[3].clock_rate, 8000, "telephone-event clock");
    }
    is_int(peerc__sdp_local_codecs("video", &set), PEERC_OK, "local video codecs (set reused)");
    pts_of(&set, buf, sizeof buf);
    is_str(buf, "96 97 98 99", "video payload types (Chromium's numbers)");
    if (set.count == 4) {
        fb_of(&set.items[0], buf, sizeof buf);
        is_str(buf, "goog-remb,transport-cc,ccm fir,nack,nack pli", "VP8 rtcp-fb");
        is_int(set.items[0].rtx_pt, 97, "VP8 repaired by 97");
        is_int(set.items[1].rtx_apt, 96, "97 apt=96");
        is_str(set.items[2].name, "VP9", "then VP9");
        is_str(set.items[2].fmtp, "profile-id=0", "profile 0");
        is_int(set.items[2].rtx_pt, 99, "VP9 repaired by 99");
    }
    is_int(peerc__sdp_local_codecs("text", &set), PEERC_E_INVALID_ARGUMENT, "no text codecs");
    is_int(set.count, 0, "set cleared");
    peerc__sdp_codec_set_clear(&set);

    is_int(peerc__sdp_local_extmaps("audio", &x), PEERC_OK, "audio extmaps");
    ok(x.count == 4 && x.items[0].id == 1 && x.items[3].id == 4 &&
           strcmp(x.items[0].uri, "urn:ietf:params:rtp-hdrext:ssrc-audio-level") == 0 &&
           strcmp(x.items[3].uri, "urn:ietf:params:rtp-hdrext:sdes:mid") == 0,
       "audio extmaps 1-4");
    is_int(peerc__sdp_local_extmaps("video", &x), PEERC_OK, "video extmaps");
    ok(x.count == 3 && x.items[0].id == 2 && x.items[2].id == 4, "video extmaps 2-4");
    is_int(peerc__sdp_local_extmaps("data", &x), PEERC_E_INVALID_ARGUMENT, "no data extmaps");
    peerc__sdp_extmaps_clear(&x);

    ok(peerc__sdp_local_prefs("audio", &n) != NULL && n == 5, "audio prefs");
    ok(peerc__sdp_local_prefs("video", &n) != NULL && n == 2, "video prefs: VP8, VP9");
    ok(peerc__sdp_local_prefs("application", &n) == NULL && n == 0, "no application prefs");
}

/* ------------------------------------------------------- round trip */

typedef struct local_media {
    peerc_sdp_codec_set audio_codecs, video_codecs;
    peerc_sdp_extmaps audio_ext, video_ext;
    peerc_sdp_media_desc audio, video;
} local_media;

static const char *const streams_s1[] = {"s1"};

static void local_media_init(local_media *lm)
{
    memset(lm, 0, sizeof *lm);
    peerc__sdp_local_codecs("audio", &lm->audio_codecs);
    peerc__sdp_local_codecs("video", &lm->video_codecs);
    peerc__sdp_local_extmaps("audio", &lm->audio_ext);
    peerc__sdp_local_extmaps("video", &lm->video_ext);
    lm->audio = (peerc_sdp_media_desc){.kind = "audio",
                                       .mid = "a0",
                                       .direction = PEERC_SDP_DIR_SENDRECV,
                                       .codecs = &lm->audio_codecs,
                                       .extmaps = &lm->audio_ext,
                                       .stream_ids = streams_s1,
                                       .n_stream_ids = 1,
                                       .track_id = "t1",
                                       .ssrc = 1111,
                                       .cname = "cn4me",
                                       .rtcp_rsize = 1};
    lm->video = (peerc_sdp_media_desc){.kind = "video",
                                       .mid = "v1",
                                       .direction = PEERC_SDP_DIR_SENDONLY,
                                       .codecs = &lm->video_codecs,
                                       .extmaps = &lm->video_ext,
                                       .stream_ids = streams_s1,
                                       .n_stream_ids = 1,
                                       .track_id = "t2",
                                       .ssrc = 2222,
                                       .rtx_ssrc = 4000000000u,
                                       .cname = "cn4me",
                                       .rtcp_rsize = 1};
}

static void local_media_clear(local_media *lm)
{
    peerc__sdp_codec_set_clear(&lm->audio_codecs);
    peerc__sdp_codec_set_clear(&lm->video_codecs);
    peerc__sdp_extmaps_clear(&lm->audio_ext);
    peerc__sdp_extmaps_clear(&lm->video_ext);
}

static int same_strv(const peerc_sdp_strv *a, const peerc_sdp_strv *b)
{
    if (a->count != b->count)
        return 0;
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(a->items[i], b->items[i]) != 0)
            return 0;
    return 1;
}

static int same_str(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

/* Every codec field we wrote comes back (rtx: name "rtx", apt's clock). */
static void check_codecs_back(const char *w, const peerc_sdp_codec_set *want,
                              const peerc_sdp_codec_set *got)
{
    if (!is_int(got->count, want->count, "%s: codec count", w))
        return;
    for (size_t i = 0; i < want->count; i++) {
        const peerc_sdp_codec *a = &want->items[i], *b = &got->items[i];
        is_int(b->pt, a->pt, "%s: pt %zu", w, i);
        is_str(b->name, a->name, "%s: pt %d name", w, a->pt);
        is_int(b->clock_rate, a->clock_rate, "%s: pt %d clock", w, a->pt);
        is_int(b->channels, a->channels, "%s: pt %d channels", w, a->pt);
        ok(same_str(a->fmtp, b->fmtp), "%s: pt %d fmtp", w, a->pt);
        ok(same_strv(&a->rtcp_fb, &b->rtcp_fb), "%s: pt %d rtcp-fb", w, a->pt);
        is_int(b->rtx_apt, a->rtx_apt, "%s: pt %d rtx apt", w, a->pt);
        is_int(b->rtx_pt, a->rtx_pt, "%s: pt %d rtx pt", w, a->pt);
    }
}

static void check_extmaps_back(const char *w, const peerc_sdp_extmaps *want,
                               const peerc_sdp_extmaps *got)
{
    int same = want->count == got->count;
    for (size_t i = 0; same && i < want->count; i++)
        same = want->items[i].id == got->items[i].id &&
               strcmp(want->items[i].uri, got->items[i].uri) == 0 &&
               want->items[i].has_direction == got->items[i].has_direction;
    ok(same, "%s: extmaps round-trip", w);
}

static void check_media_back(const peerc_sdp *sdp, size_t index, const peerc_sdp_media_desc *d)
{
    peerc_sdp_remote_media rm;
    char err[256] = "";
    const char *w = d->kind;
    if (!is_int(peerc__sdp_remote_media_parse(sdp, index, &rm, err, sizeof err), PEERC_OK,
                "%s: remote_media_parse (%s)", w, err))
        goto out;
    is_int(rm.index, (int)index, "%s: index", w);
    is_str(rm.kind, d->kind, "%s: kind", w);
    is_str(rm.mid, d->mid, "%s: mid", w);
    ok(!rm.rejected, "%s: not rejected", w);
    is_int(rm.direction, d->direction, "%s: direction", w);
    check_codecs_back(w, d->codecs, &rm.mc.codecs);
    check_extmaps_back(w, d->extmaps, &rm.mc.extmaps);
    is_int(rm.n_stream_ids, d->n_stream_ids, "%s: stream count", w);
    if (rm.n_stream_ids && d->n_stream_ids)
        is_str(rm.stream_ids[0], d->stream_ids[0], "%s: stream id", w);
    is_str(rm.track_id, d->track_id, "%s: track id", w);
    is_int(rm.ssrc, d->ssrc, "%s: ssrc", w);
    is_int(rm.rtx_ssrc, d->rtx_ssrc, "%s: rtx ssrc", w);
    is_str(rm.cname, d->cname, "%s: cname", w);
    ok(rm.rtcp_mux, "%s: rtcp-mux", w);
    is_int(rm.rtcp_rsize, d->rtcp_rsize, "%s: rtcp-rsize", w);
out:
    peerc__sdp_remote_media_clear(&rm);
}

static const char *const want_audio_text =
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 126\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:pcU1\r\n"
    "a=ice-pwd:abcdefghij0123456789+/\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 " FP "\r\n"
    "a=setup:actpass\r\n"
    "a=mid:a0\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=sendrecv\r\n"
    "a=msid:s1 t1\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=rtcp-fb:111 transport-cc\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:126 telephone-event/8000\r\n"
    "a=ssrc:1111 cname:cn4me\r\n"
    "a=ssrc:1111 msid:s1 t1\r\n";

static void test_roundtrip(void)
{
    local_media lm;
    peerc_sdp_local_params p;
    peerc_sdp_section sec[3];
    peerc_sdp *offer = NULL, *again = NULL;
    peerc_sdp_transport_info t;
    char err[256] = "", *text = NULL, *audio = NULL, *video = NULL;
    local_media_init(&lm);
    params(&p);
    memset(sec, 0, sizeof sec);
    sec[0] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_MEDIA, .mid = "a0", .media = &lm.audio};
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_MEDIA, .media = &lm.video};
    sec[2] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_DATA, .mid = "d2"};
    if (!is_int(peerc__sdp_build_sections(&p, sec, 3, "actpass", NULL, &offer, err, sizeof err),
                PEERC_OK, "offer with audio, video, data (%s)", err))
        goto out;
    again = reparse(offer, &text);
    if (!again)
        goto out;
    audio = section_text(text, "audio");
    is_str(audio, want_audio_text, "audio section text");
    video = section_text(text, "video");
    ok(video && strstr(video, "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"), "rtx lines");
    ok(video && strstr(video, "a=ssrc-group:FID 2222 4000000000\r\n"
                              "a=ssrc:2222 cname:cn4me\r\na=ssrc:2222 msid:s1 t2\r\n"
                              "a=ssrc:4000000000 cname:cn4me\r\na=ssrc:4000000000 msid:s1 t2\r\n"),
       "FID group and both SSRCs' lines");
    ok(video && strstr(video, "a=sendonly\r\n"), "video sendonly");
    is_str(group(again), "BUNDLE a0 v1 d2", "BUNDLE lists the mids in m-line order");
    is_int(again->n_media, 3, "three m-lines");
    check_media_back(again, 0, &lm.audio);
    check_media_back(again, 1, &lm.video);
    is_int(peerc__sdp_bundle_extmap_check(again, err, sizeof err), PEERC_OK,
           "our offer passes the BUNDLE extmap check (%s)", err);
    ok(peerc__sdp_media_is_rtp(again->media[0]) && peerc__sdp_media_is_rtp(again->media[1]) &&
           !peerc__sdp_media_is_rtp(again->media[2]),
       "media_is_rtp");
    ok(peerc__sdp_media_accepts(again, 0) && peerc__sdp_media_accepts(again, 1) &&
           !peerc__sdp_media_accepts(again, 2),
       "an answerer takes our audio and video");

    /* The data section stays what build_offer writes. */
    is_str(peerc__sdp_media_attr(again->media[2], "sctp-port"), "5000", "data section sctp-port");
    is_str(again->media[2]->fmts.items[0], "webrtc-datachannel", "data format");

    /* Transport: the media-aware rule takes the BUNDLE tag (audio). */
    is_int(peerc__sdp_remote_transport_ex(again, 1, &t, err, sizeof err), PEERC_OK,
           "remote_transport_ex on our offer (%s)", err);
    is_int(t.transport_index, 0, "transport is the audio section");
    is_str(t.transport_mid, "a0", "transport mid");
    is_int(t.data_index, 2, "data section found too");
    is_str(t.data_mid, "d2", "data mid");
    is_str(t.ice_ufrag, "pcU1", "our ufrag");
    peerc__sdp_transport_info_clear(&t);
    is_int(peerc__sdp_remote_transport_ex(again, 0, &t, err, sizeof err), PEERC_OK,
           "remote_transport_ex without media");
    is_int(t.transport_index, 2, "without media the data section carries the transport");
    peerc__sdp_transport_info_clear(&t);
out:
    free(audio);
    free(video);
    free(text);
    peerc__sdp_free(again);
    peerc__sdp_free(offer);
    local_media_clear(&lm);
}

/* msid forms: no stream, two streams, not sending. */
static void test_msid_forms(void)
{
    static const char *const two[] = {"s1", "s2"};
    local_media lm;
    peerc_sdp_local_params p;
    peerc_sdp_section sec[3];
    peerc_sdp *offer = NULL, *again = NULL;
    peerc_sdp_remote_media rm;
    char err[256] = "", *text = NULL;
    local_media_init(&lm);
    params(&p);
    lm.audio.n_stream_ids = 0;
    lm.audio.stream_ids = NULL;
    lm.video.stream_ids = two;
    lm.video.n_stream_ids = 2;
    lm.video.rtx_ssrc = 0;
    peerc_sdp_media_desc quiet = lm.audio;
    quiet.mid = "q";
    quiet.track_id = NULL;
    quiet.direction = PEERC_SDP_DIR_RECVONLY;
    sec[0] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_MEDIA, .media = &lm.audio};
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_MEDIA, .media = &lm.video};
    sec[2] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_MEDIA, .media = &quiet};
    if (!is_int(peerc__sdp_build_sections(&p, sec, 3, "actpass", NULL, &offer, err, sizeof err),
                PEERC_OK, "offer with msid variants (%s)", err))
        goto out;
    again = reparse(offer, &text);
    ok(text && strstr(text, "a=msid:- t1\r\n") && strstr(text, "a=ssrc:1111 msid:- t1\r\n"),
       "no stream: \"-\"");
    ok(text && strstr(text, "a=msid:s1 t2\r\na=msid:s2 t2\r\n"), "one a=msid per stream");
    if (again && peerc__sdp_remote_media_parse(again, 0, &rm, err, sizeof err) == PEERC_OK) {
        ok(rm.n_stream_ids == 0 && same_str(rm.track_id, "t1"), "\"-\" reads back as no stream");
    } else {
        ok(0, "parse audio: %s", err);
    }
    peerc__sdp_remote_media_clear(&rm);
    if (again && peerc__sdp_remote_media_parse(again, 1, &rm, err, sizeof err) == PEERC_OK) {
        ok(rm.n_stream_ids == 2 && strcmp(rm.stream_ids[1], "s2") == 0 && rm.rtx_ssrc == 0,
           "two streams read back");
    } else {
        ok(0, "parse video: %s", err);
    }
    peerc__sdp_remote_media_clear(&rm);
    if (again && peerc__sdp_remote_media_parse(again, 2, &rm, err, sizeof err) == PEERC_OK) {
        ok(rm.n_stream_ids == 0 && !rm.track_id && rm.ssrc == 0 && !rm.cname &&
               rm.direction == PEERC_SDP_DIR_RECVONLY,
           "not sending: no msid, no ssrc");
        ok(!peerc__sdp_media_has_attr(again->media[2], "ssrc") &&
               !peerc__sdp_media_has_attr(again->media[2], "msid"),
           "no msid or ssrc lines written");
    } else {
        ok(0, "parse recvonly: %s", err);
    }
    peerc__sdp_remote_media_clear(&rm);
out:
    free(text);
    peerc__sdp_free(again);
    peerc__sdp_free(offer);
    local_media_clear(&lm);
}

/* ------------------------------------------------------- captures */

typedef struct remote_expect {
    const char *file;
    size_t index;
    const char *kind, *mid;
    int rejected;
    peerc_sdp_direction dir;
    uint32_t ssrc, rtx_ssrc;
    size_t n_streams;
    const char *stream, *track, *cname;
    int mux, rsize;
} remote_expect;

#define CHR_O "chromium-156-offer-audio-video-data.sdp"
#define CHR_A "chromium-156-answer-audio-video-data.sdp"
#define FFX "firefox-esr-153-offer-audio-video.sdp"
#define AIO "aiortc-1.4-offer-audio-video-data.sdp"
#define GST "webrtcbin-1.22-offer-audio-video.sdp"
#define SR PEERC_SDP_DIR_SENDRECV

static const remote_expect remotes[] = {
    {CHR_O, 0, "audio", "0", 0, SR, 3577436136u, 0, 1, "4638ad60-b736-4dd7-b85e-99d1ae1d26f4",
     "6452567d-fcde-460a-ac7e-87a09685886b", "WFPZUXJzIDT7PHwS", 1, 1},
    {CHR_O, 1, "video", "1", 0, SR, 211998858u, 2930192874u, 1,
     "4638ad60-b736-4dd7-b85e-99d1ae1d26f4", "11157dc7-b31a-4383-aa51-95871f4eed73",
     "WFPZUXJzIDT7PHwS", 1, 1},
    {CHR_O, 2, "application", "2", 0, SR, 0, 0, 0, NULL, NULL, NULL, 0, 0},
    {CHR_A, 0, "audio", "0", 0, SR, 2809214915u, 0, 1, "b09086c1-681c-4d33-a25f-2ba4e84a4ea3",
     "678a5ea8-e449-4559-af5e-62c047678050", "2ASq+5Ia6ai/z8D2", 1, 1},
    {CHR_A, 1, "video", "1", 0, SR, 2212921603u, 2977595001u, 1,
     "b09086c1-681c-4d33-a25f-2ba4e84a4ea3", "abb6d30a-b098-4b1d-8a15-2480f701bfa6",
     "2ASq+5Ia6ai/z8D2", 1, 1},
    {FFX, 0, "audio", "0", 0, SR, 3195149958u, 0, 1, "{e7cd8d97-a262-4d55-b4b0-7e4df469e67c}",
     "{1e944cc6-dec5-41fa-ab1e-70cee84ed9d2}", "{9420f9b4-d4a1-4962-8e09-eb059d669e69}", 1, 0},
    /* Firefox writes the FID group after the ssrc lines. */
    {FFX, 1, "video", "1", 0, SR, 4004120599u, 1567362201u, 1,
     "{e7cd8d97-a262-4d55-b4b0-7e4df469e67c}", "{79ec88b1-3160-4945-8bf6-1c9c38dc0ace}",
     "{9420f9b4-d4a1-4962-8e09-eb059d669e69}", 1, 1},
    {AIO, 0, "audio", "0", 0, SR, 2625425253u, 0, 1, "d25faaea-e8a4-444c-9c83-bfbcc667d656",
     "a23c0acc-b099-4a2a-bf68-8d1b08c3f178", "301cfb7c-f41a-4e24-9e01-1f53ed589ea5", 1, 0},
    {AIO, 1, "video", "1", 0, SR, 1472818311u, 2869821226u, 1,
     "d25faaea-e8a4-444c-9c83-bfbcc667d656", "060dc547-4484-42df-a84b-8bc313ffbcc1",
     "301cfb7c-f41a-4e24-9e01-1f53ed589ea5", 1, 0},
    {AIO, 2, "application", "2", 0, SR, 0, 0, 0, NULL, NULL, NULL, 0, 0},
    /* webrtcbin: only the RFC 5576 a=ssrc msid: form. */
    {GST, 0, "video", "video0", 0, SR, 3935403562u, 0, 1, "user3177383927@host-85ca99",
     "webrtctransceiver0", "user3177383927@host-85ca99", 1, 1},
    /* bundle-only with port 0 is not rejected (RFC 8843 §6). */
    {GST, 1, "audio", "audio1", 0, SR, 3505347034u, 0, 1, "user3177383927@host-85ca99",
     "webrtctransceiver1", "user3177383927@host-85ca99", 1, 1},
};

static void test_remote(const remote_expect *e)
{
    peerc_sdp *sdp = sample(e->file);
    peerc_sdp_remote_media rm;
    char err[256] = "", w[96];
    if (!sdp)
        return;
    snprintf(w, sizeof w, "%.20s m-line %zu", e->file, e->index);
    if (is_int(peerc__sdp_remote_media_parse(sdp, e->index, &rm, err, sizeof err), PEERC_OK,
               "%s: parses (%s)", w, err)) {
        is_str(rm.kind, e->kind, "%s: kind", w);
        is_str(rm.mid, e->mid, "%s: mid", w);
        is_int(rm.rejected, e->rejected, "%s: rejected", w);
        is_int(rm.direction, e->dir, "%s: direction", w);
        is_int(rm.ssrc, e->ssrc, "%s: ssrc", w);
        is_int(rm.rtx_ssrc, e->rtx_ssrc, "%s: rtx ssrc", w);
        is_int(rm.n_stream_ids, e->n_streams, "%s: stream count", w);
        is_str(rm.n_stream_ids ? rm.stream_ids[0] : NULL, e->stream, "%s: stream id", w);
        is_str(rm.track_id, e->track, "%s: track id", w);
        is_str(rm.cname, e->cname, "%s: cname", w);
        is_int(rm.rtcp_mux, e->mux, "%s: rtcp-mux", w);
        is_int(rm.rtcp_rsize, e->rsize, "%s: rtcp-rsize", w);
        ok(e->mux ? rm.mc.codecs.count > 0 : rm.mc.codecs.count == 0, "%s: codecs read", w);
    }
    peerc__sdp_remote_media_clear(&rm);
    peerc__sdp_free(sdp);
}

typedef struct intersect_expect {
    const char *file;
    size_t index;
    const char *want; /* answer payload types */
    const char *first_name;
} intersect_expect;

static const intersect_expect intersects[] = {
    {CHR_O, 0, "111 0 8 110 126", "opus"},
    {CHR_O, 1, "96 97 98 99 100 101", "VP8"}, /* VP9 profiles by name; the pc keeps 0 */
    {FFX, 0, "109 0 8 101", "opus"},
    {FFX, 1, "120 124 121 125", "VP8"},
    {AIO, 0, "96 0 8", "opus"},
    {AIO, 1, "97 98", "VP8"},
    {GST, 0, "96", "VP8"},
    {GST, 1, "111", "OPUS"},
};

static void test_intersect(const intersect_expect *e)
{
    peerc_sdp *sdp = sample(e->file);
    peerc_sdp_codec_set set = {0};
    const peerc_sdp_codec_pref *prefs;
    char err[256] = "", got[128], w[96];
    size_t n;
    if (!sdp)
        return;
    snprintf(w, sizeof w, "%.20s m-line %zu", e->file, e->index);
    prefs = peerc__sdp_local_prefs(sdp->media[e->index]->type, &n);
    is_int(peerc__sdp_codecs_intersect(sdp->media[e->index], prefs, n, &set, err, sizeof err),
           PEERC_OK, "%s: intersect (%s)", w, err);
    pts_of(&set, got, sizeof got);
    is_str(got, e->want, "%s: answer payload types", w);
    is_str(set.count ? set.items[0].name : NULL, e->first_name, "%s: first codec", w);
    ok(peerc__sdp_media_accepts(sdp, e->index), "%s: media_accepts", w);
    peerc__sdp_codec_set_clear(&set);
    peerc__sdp_free(sdp);
}

/* Replace the first occurrence of from by to in a capture, then parse. */
static peerc_sdp *edited(const char *file, const char *from, const char *to)
{
    char *text = load(file), *at, *out;
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
        diag("\"%s\" not in %s", from, file);
    }
    free(text);
    return sdp;
}

static void test_h264_only(void)
{
    peerc_sdp *sdp = edited(GST, "a=rtpmap:96 VP8/90000", "a=rtpmap:96 H264/90000");
    peerc_sdp_codec_set set = {0};
    peerc_sdp_transport_info t;
    size_t n;
    const peerc_sdp_codec_pref *prefs = peerc__sdp_local_prefs("video", &n);
    char err[256] = "";
    if (!ok(sdp != NULL, "H264-only offer parses"))
        return;
    is_int(peerc__sdp_codecs_intersect(sdp->media[0], prefs, n, &set, err, sizeof err), PEERC_OK,
           "H264-only intersect is not an error");
    is_int(set.count, 0, "H264-only video: nothing in common, the caller rejects");
    ok(!peerc__sdp_media_accepts(sdp, 0), "H264-only video not accepted");
    /* The tag cannot be answered, so the audio section carries the transport. */
    is_int(peerc__sdp_remote_transport_ex(sdp, 1, &t, err, sizeof err), PEERC_OK,
           "transport of H264-only offer (%s)", err);
    is_int(t.transport_index, 1, "transport moves to the bundle-only audio section");
    peerc__sdp_transport_info_clear(&t);
    peerc__sdp_codec_set_clear(&set);
    peerc__sdp_free(sdp);
}

typedef struct transport_expect {
    const char *file;
    int index;
    const char *ufrag;
    int data_index;
} transport_expect;

static const transport_expect transports[] = {
    {CHR_O, 0, "Lp1f", 2},
    {CHR_A, 0, "xGnV", 2},
    {FFX, 0, "8cd7f1fa", -1},
    {AIO, 0, "gVsi", 2},
    {GST, 0, "fUh4kpTBZn+sviB5IdblU0uPF0KYJ+nY", -1},
    {"chromium-156-offer-data-only.sdp", 0, "RqaO", 0},
};

static void test_transport(const transport_expect *e)
{
    peerc_sdp *sdp = sample(e->file);
    peerc_sdp_transport_info t, old, zero;
    char err[256] = "";
    if (!sdp)
        return;
    is_int(peerc__sdp_remote_transport_ex(sdp, 1, &t, err, sizeof err), PEERC_OK,
           "%s: transport with media (%s)", e->file, err);
    is_int(t.transport_index, e->index, "%s: BUNDLE tag carries the transport", e->file);
    is_str(t.ice_ufrag, e->ufrag, "%s: its ufrag", e->file);
    is_int(t.data_index, e->data_index, "%s: data section", e->file);
    peerc__sdp_remote_transport(sdp, &old, NULL, 0);
    peerc__sdp_remote_transport_ex(sdp, 0, &zero, NULL, 0);
    ok(old.transport_index == zero.transport_index && old.data_index == zero.data_index &&
           old.sctp_port == zero.sctp_port && old.max_message_size == zero.max_message_size &&
           old.data_legacy == zero.data_legacy && t.data_index == old.data_index &&
           t.sctp_port == old.sctp_port && t.max_message_size == old.max_message_size &&
           t.data_legacy == old.data_legacy && t.data_rejected == old.data_rejected,
       "%s: accept_media 0 is the old function; data fields agree", e->file);
    peerc__sdp_transport_info_clear(&t);
    peerc__sdp_transport_info_clear(&old);
    peerc__sdp_transport_info_clear(&zero);
    peerc__sdp_free(sdp);
}

/* ------------------------------------------------------- hostile input */

static const char *const base_sdp = "v=0\r\n"
                                    "o=- 1 1 IN IP4 127.0.0.1\r\n"
                                    "s=-\r\n"
                                    "t=0 0\r\n"
                                    "m=audio %s UDP/TLS/RTP/SAVPF %s\r\n"
                                    "c=IN IP4 0.0.0.0\r\n"
                                    "a=mid:%s\r\n"
                                    "a=rtcp-mux\r\n"
                                    "a=rtpmap:111 opus/48000/2\r\n"
                                    "%s";

/* Parses a one-section description and runs remote_media_parse on it. */
static int remote_of(const char *port, const char *fmts, const char *mid, const char *extra,
                     peerc_sdp_remote_media *rm, char *err, size_t errlen)
{
    size_t len = strlen(base_sdp) + strlen(fmts) + strlen(mid) + strlen(extra) + 64;
    char *text = malloc(len);
    peerc_sdp *sdp = NULL;
    int rc;
    snprintf(text, len, base_sdp, port, fmts, mid, extra);
    rc = peerc__sdp_parse(text, &sdp, err, errlen);
    free(text);
    memset(rm, 0, sizeof *rm);
    if (rc != PEERC_OK)
        return 1000 + rc; /* the parser refused: distinguishable from ours */
    rc = peerc__sdp_remote_media_parse(sdp, 0, rm, err, errlen);
    peerc__sdp_free(sdp);
    return rc;
}

typedef struct hostile_case {
    const char *what;
    const char *extra;
    int want;
    const char *msg; /* substring of the message, or NULL */
} hostile_case;

static const hostile_case hostile[] = {
    {"FID with one ssrc ignored", "a=ssrc-group:FID 5\r\na=ssrc:5 cname:x\r\n", PEERC_OK, NULL},
    {"FID with three ssrcs ignored", "a=ssrc-group:FID 5 6 7\r\na=ssrc:5 cname:x\r\n", PEERC_OK,
     NULL},
    {"FID with a bad ssrc", "a=ssrc-group:FID 5 x\r\n", PEERC_E_SYNTAX, "bad a=ssrc-group"},
    {"ssrc-group without semantics", "a=ssrc-group:\r\n", PEERC_E_SYNTAX, "bad a=ssrc-group"},
    {"SIM group ignored", "a=ssrc-group:SIM 1 2 3\r\na=ssrc:1 cname:x\r\n", PEERC_OK, NULL},
    {"ssrc garbage", "a=ssrc:garbage\r\n", PEERC_E_SYNTAX, "bad a=ssrc"},
    {"ssrc over 32 bits", "a=ssrc:4294967296 cname:x\r\n", PEERC_E_SYNTAX, "bad a=ssrc"},
    {"ssrc 11 digits", "a=ssrc:00000000001 cname:x\r\n", PEERC_E_SYNTAX, "bad a=ssrc"},
    {"ssrc without attribute", "a=ssrc:5\r\n", PEERC_E_SYNTAX, "bad a=ssrc"},
    {"ssrc flag", "a=ssrc\r\n", PEERC_E_SYNTAX, "bad a=ssrc"},
    {"empty cname", "a=ssrc:5 cname:\r\n", PEERC_E_SYNTAX, "cname"},
    {"ssrc msid empty", "a=ssrc:5 msid:\r\n", PEERC_E_SYNTAX, "msid"},
    {"ssrc unknown attribute ignored", "a=ssrc:5 label:x\r\na=ssrc:5 foo\r\n", PEERC_OK, NULL},
    {"msid empty", "a=msid:\r\n", PEERC_E_SYNTAX, "bad a=msid"},
    {"msid flag", "a=msid\r\n", PEERC_E_SYNTAX, "bad a=msid"},
    {"msid with three words", "a=msid:a b c\r\n", PEERC_E_SYNTAX, "bad a=msid"},
    {"dynamic pt without rtpmap", "", PEERC_OK, NULL},
    {"bad rtpmap", "a=rtpmap:96 VP8\r\n", PEERC_E_SYNTAX, "rtpmap"},
};

static void test_hostile(void)
{
    peerc_sdp_remote_media rm;
    char err[256], extra[4096], big[1200];
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        const hostile_case *h = &hostile[i];
        err[0] = '\0';
        is_int(remote_of("9", "111 96", "0", h->extra, &rm, err, sizeof err), h->want, "%s (%s)",
               h->what, err);
        if (h->msg)
            ok(strstr(err, h->msg) != NULL, "%s: message \"%s\"", h->what, err);
        peerc__sdp_remote_media_clear(&rm);
    }

    /* A dynamic pt without a=rtpmap is kept with no name and never matched. */
    is_int(remote_of("9", "111 96", "0", "", &rm, err, sizeof err), PEERC_OK, "no rtpmap for 96");
    ok(rm.mc.codecs.count == 2 && rm.mc.codecs.items[1].name == NULL, "96 has no name");
    peerc__sdp_remote_media_clear(&rm);

    /* FID with one ssrc: the first a=ssrc is primary, no rtx. */
    remote_of("9", "111", "0", "a=ssrc-group:FID 5\r\na=ssrc:7 cname:x\r\n", &rm, err, sizeof err);
    ok(rm.ssrc == 7 && rm.rtx_ssrc == 0, "one-ssrc FID: primary from a=ssrc, no rtx");
    peerc__sdp_remote_media_clear(&rm);

    /* msid longer than PEERC_SDP_MAX_ID_LEN. */
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    snprintf(extra, sizeof extra, "a=msid:%s t\r\n", big);
    is_int(remote_of("9", "111", "0", extra, &rm, err, sizeof err), PEERC_E_SYNTAX,
           "huge msid refused");
    ok(strstr(err, "bad a=msid") != NULL, "huge msid message: %s", err);
    peerc__sdp_remote_media_clear(&rm);
    snprintf(extra, sizeof extra, "a=msid:s %s\r\n", big);
    is_int(remote_of("9", "111", "0", extra, &rm, err, sizeof err), PEERC_E_SYNTAX,
           "huge msid appdata refused");
    peerc__sdp_remote_media_clear(&rm);
    snprintf(extra, sizeof extra, "a=ssrc:5 msid:%s t\r\n", big);
    is_int(remote_of("9", "111", "0", extra, &rm, err, sizeof err), PEERC_E_SYNTAX,
           "huge ssrc msid refused");
    peerc__sdp_remote_media_clear(&rm);
    big[PEERC_SDP_MAX_ID_LEN] = '\0';
    snprintf(extra, sizeof extra, "a=msid:%s %s\r\n", big, big);
    is_int(remote_of("9", "111", "0", extra, &rm, err, sizeof err), PEERC_OK,
           "msid of exactly the cap accepted");
    ok(rm.n_stream_ids == 1 && rm.track_id && strlen(rm.track_id) == PEERC_SDP_MAX_ID_LEN,
       "long ids kept whole");
    peerc__sdp_remote_media_clear(&rm);

    /* Many streams, duplicates listed once. */
    remote_of("9", "111", "0", "a=msid:a t\r\na=msid:b t\r\na=msid:a t\r\na=msid:- t\r\n", &rm, err,
              sizeof err);
    ok(rm.n_stream_ids == 2 && strcmp(rm.stream_ids[1], "b") == 0, "streams deduplicated");
    peerc__sdp_remote_media_clear(&rm);

    /* A format that is no payload type: refused live, ignored when rejected. */
    is_int(remote_of("9", "*", "0", "", &rm, err, sizeof err), PEERC_E_SYNTAX,
           "RTP section without a payload type: %s", err);
    peerc__sdp_remote_media_clear(&rm);
    is_int(remote_of("0", "*", "0", "", &rm, err, sizeof err), PEERC_OK,
           "the same rejected section is ignored");
    ok(rm.rejected && rm.mc.codecs.count == 0, "rejected, no codecs");
    peerc__sdp_remote_media_clear(&rm);

    /* Mid too long for the struct. */
    memset(big, 'm', 100);
    big[100] = '\0';
    is_int(remote_of("9", "111", big, "", &rm, err, sizeof err), PEERC_E_SYNTAX, "100-byte mid");
    peerc__sdp_remote_media_clear(&rm);

    {
        peerc_sdp *sdp = sample(CHR_O);
        is_int(peerc__sdp_remote_media_parse(sdp, 3, &rm, err, sizeof err),
               PEERC_E_INVALID_ARGUMENT, "index past the end");
        peerc__sdp_remote_media_clear(&rm);
        is_int(peerc__sdp_remote_media_parse(NULL, 0, &rm, err, sizeof err),
               PEERC_E_INVALID_ARGUMENT, "NULL description");
        peerc__sdp_remote_media_clear(&rm);
        peerc__sdp_remote_media_clear(NULL);
        peerc__sdp_free(sdp);
    }
}

/* Every a= line of the Chromium and Firefox offers, in turn, replaced by
 * garbage of the same attribute: never a crash (ASan), always a result. */
static void test_mutations(void)
{
    static const char *const files[] = {CHR_O, FFX, GST};
    static const char *const junk[] = {"", " ", "x", "4294967296 cname:x", "1 msid:", "FID",
                                       "FID 1", "1", "-", "- -", "1 2 3 4", ":::", "999 a b c"};
    static const char *const names[] = {"ssrc", "ssrc-group", "msid", "rtpmap", "fmtp",
                                        "rtcp-fb", "extmap", "mid"};
    size_t runs = 0, parsed = 0;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        peerc_sdp *orig = sample(files[f]);
        for (size_t m = 0; orig && m < orig->n_media; m++) {
            for (size_t a = 0; a < orig->media[m]->attrs.count; a++) {
                const char *name = orig->media[m]->attrs.items[a].name;
                int interesting = 0;
                for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
                    interesting |= strcmp(name, names[k]) == 0;
                if (!interesting)
                    continue;
                for (size_t j = 0; j < sizeof junk / sizeof junk[0]; j++) {
                    peerc_sdp *sdp = peerc__sdp_dup(orig);
                    peerc_sdp_remote_media rm;
                    char err[256];
                    peerc_sdp_attr *at = &sdp->media[m]->attrs.items[a];
                    free(at->value);
                    at->value = strdup(junk[j]);
                    for (size_t k = 0; k < sdp->n_media; k++) {
                        int rc = peerc__sdp_remote_media_parse(sdp, k, &rm, err, sizeof err);
                        parsed += rc == PEERC_OK;
                        runs++;
                        if (rc != PEERC_OK && rc != PEERC_E_SYNTAX)
                            diag("unexpected %d: %s", rc, err);
                        peerc__sdp_remote_media_clear(&rm);
                        (void)peerc__sdp_media_accepts(sdp, k);
                    }
                    peerc__sdp_free(sdp);
                }
            }
        }
        peerc__sdp_free(orig);
    }
    ok(runs > 1000, "%zu mutated sections read (%zu parsed), no crash", runs, parsed);
}

/* ------------------------------------------------------- builder errors */

static void build_error(const char *what, const peerc_sdp_section *sec, size_t n,
                        const char *setup, int want, const char *msg)
{
    peerc_sdp_local_params p;
    peerc_sdp *out = (peerc_sdp *)1;
    char err[256] = "";
    params(&p);
    is_int(peerc__sdp_build_sections(&p, sec, n, setup, NULL, &out, err, sizeof err), want,
           "%s: %s", what, err);
    ok(out == NULL, "%s: out NULL", what);
    if (msg)
        ok(strstr(err, msg) != NULL, "%s: message has \"%s\"", what, msg);
}

static void test_build_errors(void)
{
    local_media lm;
    peerc_sdp_codec_set empty = {0};
    peerc_sdp_section sec[3];
    peerc_sdp_media_desc d;
    local_media_init(&lm);
    memset(sec, 0, sizeof sec);
    sec[0] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_MEDIA, .media = &lm.audio};
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_DATA, .mid = "a0"};
    build_error("duplicate mids", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT,
                "section 1: mid \"a0\" already used by section 0");
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_REJECTED, .mid = "a0",
                                 .rejected_kind = "video"};
    build_error("duplicate mid on a rejected section", sec, 2, "actpass",
                PEERC_E_INVALID_ARGUMENT, "already used");
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_DATA};
    build_error("NULL mid", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT, "section 1: no mid");

    d = lm.video;
    d.codecs = &empty;
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_MEDIA, .media = &d};
    build_error("MEDIA with empty codecs", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT,
                "video section without codecs");
    d.codecs = NULL;
    build_error("MEDIA with NULL codecs", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT, NULL);
    d = lm.video;
    d.mid = NULL;
    build_error("MEDIA without any mid", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT, "no mid");
    d = lm.video;
    d.kind = "text";
    build_error("unknown kind", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT, "not audio or video");
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_MEDIA, .mid = "x", .media = &lm.video};
    build_error("section mid and media mid disagree", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT,
                "media mid");
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_MEDIA, .mid = "v1"};
    build_error("MEDIA without desc", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT, NULL);
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_REJECTED, .mid = "r"};
    build_error("REJECTED without kind", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT,
                "unknown kind");
    sec[1] = (peerc_sdp_section){.type = (peerc_sdp_section_type)7, .mid = "r"};
    build_error("unknown type", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT,
                "unknown section type");
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_DATA, .mid = "a b"};
    build_error("mid with a blank", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT, "not a token");
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_DATA, .mid = "d", .data_proto = "SCTP"};
    build_error("bad data proto", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT, "not SCTP");
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_DATA, .mid = "d"};
    build_error("bad setup", sec, 2, "holdconn", PEERC_E_INVALID_ARGUMENT, "setup");
    build_error("NULL sections", NULL, 2, "actpass", PEERC_E_INVALID_ARGUMENT, NULL);

    /* Strings that would inject SDP lines, and broken SSRC/rtx descriptions. */
    static const char *const bad_stream[] = {"s1\r\na=evil"};
    d = lm.video;
    d.stream_ids = bad_stream;
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_MEDIA, .media = &d};
    build_error("stream id with CRLF", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT, "msid token");
    d = lm.video;
    d.track_id = "t 2";
    build_error("track id with a blank", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT, "track id");
    d = lm.video;
    d.cname = NULL;
    build_error("ssrc without cname", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT, "cname");
    d = lm.video;
    d.ssrc = 0;
    build_error("rtx ssrc without ssrc", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT, "rtx_ssrc");
    d = lm.video;
    d.proto = "RTP/AVP";
    build_error("non-SAVPF proto", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT, "proto");
    {
        peerc_sdp_codec_set rtx_only = {0};
        peerc__sdp_local_codecs("video", &rtx_only);
        rtx_only.items[1].rtx_apt = 100;
        d = lm.video;
        d.codecs = &rtx_only;
        build_error("rtx apt not in the set", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT,
                    "apt 100");
        rtx_only.items[1].rtx_apt = 96;
        rtx_only.items[1].pt = 96;
        build_error("duplicate payload type", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT,
                    "listed twice");
        rtx_only.items[1].pt = 97;
        free(rtx_only.items[0].fmtp);
        rtx_only.items[0].fmtp = strdup("a=1\r\na=evil");
        build_error("fmtp with CRLF", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT, "bad fmtp");
        peerc__sdp_codec_set_clear(&rtx_only);
    }
    {
        peerc_sdp_extmaps x = {0};
        peerc__sdp_local_extmaps("video", &x);
        x.items[1].id = 2;
        d = lm.video;
        d.extmaps = &x;
        build_error("duplicate extmap id", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT,
                    "used twice");
        x.items[1].id = 0;
        build_error("extmap id 0", sec, 2, "actpass", PEERC_E_INVALID_ARGUMENT, "out of range");
        peerc__sdp_extmaps_clear(&x);
    }
    local_media_clear(&lm);
}

/* ------------------------------------------- rejected, order, answers */

static void test_rejected_and_order(void)
{
    local_media lm;
    peerc_sdp_local_params p;
    peerc_sdp *prev = NULL, *offer = NULL, *chr = sample(CHR_O);
    peerc_sdp_section sec[4];
    char err[256] = "";
    local_media_init(&lm);
    params(&p);
    memset(sec, 0, sizeof sec);
    /* A previous offer whose tag was the data section. */
    sec[0] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_MEDIA, .mid = "0", .media = &lm.audio};
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_MEDIA, .mid = "1", .media = &lm.video};
    sec[2] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_DATA, .mid = "2"};
    lm.audio.mid = lm.video.mid = NULL;
    is_int(peerc__sdp_build_sections(&p, sec, 3, "actpass", NULL, &prev, err, sizeof err),
           PEERC_OK, "first offer (%s)", err);
    if (prev) {
        peerc__sdp_remove_attr(prev, "group");
        peerc__sdp_add_attr(prev, "group", "BUNDLE 2 0 1");
    }
    /* Next offer: video stopped, a new audio section appended. */
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_REJECTED, .mid = "1",
                                 .rejected_from = prev ? prev->media[1] : NULL};
    sec[3] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_MEDIA, .mid = "3", .media = &lm.audio};
    p.session_version = 2;
    is_int(peerc__sdp_build_sections(&p, sec, 4, "actpass", prev, &offer, err, sizeof err),
           PEERC_OK, "re-offer (%s)", err);
    if (offer && prev) {
        is_str(group(offer), "BUNDLE 2 0 3", "previous BUNDLE order first, then new mids");
        is_int(offer->media[1]->port, 0, "stopped video has port 0");
        is_str(offer->media[1]->type, "video", "rejected keeps type");
        is_int(offer->media[1]->fmts.count, 4, "rejected keeps formats");
        ok(!peerc__sdp_media_has_attr(offer->media[1], "ice-ufrag") &&
               !peerc__sdp_media_has_attr(offer->media[1], "rtpmap"),
           "rejected section is minimal");
        is_str(peerc__sdp_media_mid(offer->media[1]), "1", "rejected keeps its mid");
        is_int(offer->origin.sess_version, 2, "new version");
    }
    peerc__sdp_free(offer);
    offer = NULL;

    /* Rejected by kind, and rejected from a remote section with its mid. */
    memset(sec, 0, sizeof sec);
    sec[0] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_REJECTED, .mid = "r",
                                 .rejected_kind = "video"};
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_REJECTED,
                                 .rejected_from = chr ? chr->media[0] : NULL};
    sec[2] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_REJECTED, .mid = "app",
                                 .rejected_kind = "application"};
    is_int(peerc__sdp_build_sections(&p, sec, chr ? 3 : 1, "actpass", NULL, &offer, err,
                                     sizeof err),
           PEERC_OK, "all rejected (%s)", err);
    if (offer && chr) {
        char *text = peerc__sdp_serialize(offer);
        ok(text && strstr(text, "m=video 0 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:r\r\n"),
           "rejected video by kind");
        ok(text && strstr(text, "m=audio 0 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n"
                                "c=IN IP4 0.0.0.0\r\na=mid:0\r\n"),
           "rejected remote audio with its mid");
        ok(text && strstr(text, "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"),
           "rejected application by kind");
        is_str(group(offer), NULL, "no BUNDLE group when nothing is live");
        free(text);
    }
    peerc__sdp_free(offer);
    peerc__sdp_free(prev);
    peerc__sdp_free(chr);
    local_media_clear(&lm);
}

/* The answer the pc will build to Chromium's offer: intersected codecs and
 * extensions, offered mids, RFC 8843 §7.3 group. */
static void test_answer_sections(void)
{
    peerc_sdp *offer = sample(CHR_O), *answer = NULL, *again = NULL;
    peerc_sdp_local_params p;
    peerc_sdp_codec_set ac = {0}, vc = {0};
    peerc_sdp_media_codecs amc, vmc;
    peerc_sdp_extmaps ax = {0}, vx = {0};
    peerc_sdp_media_desc a, v;
    peerc_sdp_section sec[3];
    peerc_sdp_transport_info t;
    const peerc_sdp_codec_pref *prefs;
    char err[256] = "";
    size_t n;
    if (!offer)
        return;
    params(&p);
    prefs = peerc__sdp_local_prefs("audio", &n);
    peerc__sdp_codecs_intersect(offer->media[0], prefs, n, &ac, NULL, 0);
    prefs = peerc__sdp_local_prefs("video", &n);
    peerc__sdp_codecs_intersect(offer->media[1], prefs, n, &vc, NULL, 0);
    peerc__sdp_media_codecs_parse(offer, offer->media[0], &amc, NULL, 0);
    peerc__sdp_media_codecs_parse(offer, offer->media[1], &vmc, NULL, 0);
    peerc__sdp_extmaps_intersect(&amc.extmaps, NULL, 0, &ax);
    peerc__sdp_extmaps_intersect(&vmc.extmaps, NULL, 0, &vx);
    a = (peerc_sdp_media_desc){.kind = "audio", .direction = PEERC_SDP_DIR_RECVONLY,
                               .codecs = &ac, .extmaps = &ax, .rtcp_rsize = 1};
    v = (peerc_sdp_media_desc){.kind = "video", .direction = PEERC_SDP_DIR_SENDRECV,
                               .codecs = &vc, .extmaps = &vx, .track_id = "vt", .ssrc = 77,
                               .rtx_ssrc = 78, .cname = "me", .rtcp_rsize = 1};
    memset(sec, 0, sizeof sec);
    sec[0] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_MEDIA, .mid = "0", .media = &a};
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_MEDIA, .mid = "1", .media = &v};
    sec[2] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_DATA, .mid = "2"};
    is_int(peerc__sdp_build_answer_sections(&p, offer, sec, 3, "active", &answer, err, sizeof err),
           PEERC_OK, "media answer to Chromium (%s)", err);
    if (answer)
        again = reparse(answer, NULL);
    if (again) {
        peerc_sdp_remote_media rm;
        is_str(group(again), "BUNDLE 0 1 2", "answer group in offer order");
        is_str(peerc__sdp_media_attr(again->media[0], "setup"), "active", "setup active");
        is_int(peerc__sdp_bundle_extmap_check(again, err, sizeof err), PEERC_OK,
               "answer extmaps consistent (%s)", err);
        peerc__sdp_remote_media_parse(again, 1, &rm, err, sizeof err);
        ok(rm.ssrc == 77 && rm.rtx_ssrc == 78 && same_str(rm.track_id, "vt") &&
               rm.n_stream_ids == 0,
           "answer video sender read back");
        ok(rm.mc.codecs.count == 6 && rm.mc.codecs.items[1].rtx_apt == 96 &&
               rm.mc.codecs.items[3].rtx_apt == 98,
           "VP8 + rtx, VP9 (both offered profiles) + rtx answered");
        peerc__sdp_remote_media_clear(&rm);
        peerc__sdp_remote_media_parse(again, 0, &rm, err, sizeof err);
        ok(rm.direction == PEERC_SDP_DIR_RECVONLY && rm.ssrc == 0 && !rm.track_id,
           "recvonly audio without a sender");
        peerc__sdp_remote_media_clear(&rm);
        is_int(peerc__sdp_remote_transport_ex(again, 1, &t, err, sizeof err), PEERC_OK,
               "our answer as a remote description");
        ok(t.transport_index == 0 && t.setup == PEERC_SDP_SETUP_ACTIVE && t.data_index == 2,
           "answerer tag is the audio section");
        peerc__sdp_transport_info_clear(&t);
    }
    peerc__sdp_free(again);
    peerc__sdp_free(answer);
    answer = NULL;

    /* Mirror rule. */
    sec[1].mid = "9";
    v.mid = NULL;
    is_int(peerc__sdp_build_answer_sections(&p, offer, sec, 3, "active", &answer, err, sizeof err),
           PEERC_E_INVALID_ARGUMENT, "answer mid must be the offered one: %s", err);
    ok(strstr(err, "does not match the offered") != NULL, "mirror message");
    sec[1].mid = "1";
    is_int(peerc__sdp_build_answer_sections(&p, offer, sec, 2, "active", &answer, err, sizeof err),
           PEERC_E_INVALID_ARGUMENT, "answer needs one section per offered m-line: %s", err);
    is_int(peerc__sdp_build_answer_sections(&p, NULL, sec, 2, "active", &answer, err, sizeof err),
           PEERC_E_INVALID_ARGUMENT, "no offer");
    /* Only audio accepted: the group starts with it. */
    sec[1] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_REJECTED,
                                 .rejected_from = offer->media[1]};
    sec[2] = (peerc_sdp_section){.type = PEERC_SDP_SECTION_REJECTED,
                                 .rejected_from = offer->media[2]};
    is_int(peerc__sdp_build_answer_sections(&p, offer, sec, 3, "passive", &answer, err, sizeof err),
           PEERC_OK, "audio-only answer (%s)", err);
    is_str(answer ? group(answer) : NULL, "BUNDLE 0", "only the accepted mid grouped");
    peerc__sdp_free(answer);

    peerc__sdp_extmaps_clear(&ax);
    peerc__sdp_extmaps_clear(&vx);
    peerc__sdp_media_codecs_clear(&amc);
    peerc__sdp_media_codecs_clear(&vmc);
    peerc__sdp_codec_set_clear(&ac);
    peerc__sdp_codec_set_clear(&vc);
    peerc__sdp_free(offer);
}

static void test_is_rtp(void)
{
    peerc_sdp *sdp = peerc__sdp_new();
    static const struct {
        const char *type, *proto;
        int want;
    } cases[] = {
        {"audio", "UDP/TLS/RTP/SAVPF", 1}, {"video", "TCP/TLS/RTP/SAVPF", 1},
        {"audio", "RTP/SAVPF", 1},         {"audio", "RTP/AVP", 0},
        {"video", "RTP/SAVP", 0},          {"application", "UDP/TLS/RTP/SAVPF", 0},
        {"text", "UDP/TLS/RTP/SAVPF", 0},  {"application", "UDP/DTLS/SCTP", 0},
    };
    for (size_t i = 0; sdp && i < sizeof cases / sizeof cases[0]; i++) {
        peerc_sdp_media *m = peerc__sdp_add_media(sdp, cases[i].type, 9, cases[i].proto, "0");
        is_int(peerc__sdp_media_is_rtp(m), cases[i].want, "is_rtp %s %s", cases[i].type,
               cases[i].proto);
    }
    is_int(peerc__sdp_media_is_rtp(NULL), 0, "is_rtp NULL");
    peerc__sdp_free(sdp);
}

int main(void)
{
    test_local_caps();
    test_is_rtp();
    test_roundtrip();
    test_msid_forms();
    for (size_t i = 0; i < sizeof remotes / sizeof remotes[0]; i++)
        test_remote(&remotes[i]);
    for (size_t i = 0; i < sizeof intersects / sizeof intersects[0]; i++)
        test_intersect(&intersects[i]);
    test_h264_only();
    for (size_t i = 0; i < sizeof transports / sizeof transports[0]; i++)
        test_transport(&transports[i]);
    test_hostile();
    test_mutations();
    test_build_errors();
    test_rejected_and_order();
    test_answer_sections();
    return done_testing();
}

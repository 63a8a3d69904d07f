/* Codec/extmap parsing and answer-side negotiation (lib/sdp/codecs.c) on the
 * real offers in tests/data. */
#include <peerc/common.h>

#include "sdp/codecs.h"
#include "sdp/sdp.h"

#include "../tap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp-fixtures.h"

/* ------------------------------------------------------ local prefs */

static const char *const video_fb[] = {"nack", "nack pli", "ccm fir", "goog-remb",
                                       "transport-cc"};
static const char *const audio_fb[] = {"transport-cc"};

static const peerc_sdp_codec_pref audio_prefs[] = {
    {"opus", 48000, 2, 0, audio_fb, 1},
    {"PCMU", 8000, 1, 0, NULL, 0},
    {"PCMA", 8000, 1, 0, NULL, 0},
    {"telephone-event", 48000, 1, 0, NULL, 0},
    {"telephone-event", 8000, 1, 0, NULL, 0},
};
static const peerc_sdp_codec_pref video_prefs[] = {
    {"VP8", 90000, 0, 0, video_fb, 5},
    {"VP9", 90000, 0, 0, video_fb, 5},
};
#define N(a) (sizeof(a) / sizeof(a)[0])

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

static void ext_of(const peerc_sdp_extmaps *x, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < x->count && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%u", i ? " " : "", x->items[i].id);
}

static const peerc_sdp_codec *find(const peerc_sdp_codec_set *s, int pt)
{
    int i = peerc__sdp_codec_set_find(s, pt);
    return i < 0 ? NULL : &s->items[i];
}

/* Intersects section idx of sdp with prefs; checks the pt list. */
static void check_intersect(const char *what, const peerc_sdp *sdp, size_t idx,
                            const peerc_sdp_codec_pref *prefs, size_t n, const char *want,
                            peerc_sdp_codec_set *out)
{
    char err[256] = "", got[512];
    int rc = peerc__sdp_codecs_intersect(sdp->media[idx], prefs, n, out, err, sizeof err);
    is_int(rc, PEERC_OK, "%s: intersect ok %s", what, err);
    pts_of(out, got, sizeof got);
    is_str(got, want, "%s: answer payload types", what);
}

static void check_extmaps(const char *what, const peerc_sdp *sdp, size_t idx, const char *want)
{
    peerc_sdp_media_codecs mc;
    peerc_sdp_extmaps out = {0};
    char err[256] = "", got[256];
    is_int(peerc__sdp_media_codecs_parse(sdp, sdp->media[idx], &mc, err, sizeof err), PEERC_OK,
           "%s: parse %s", what, err);
    is_int(peerc__sdp_extmaps_intersect(&mc.extmaps, NULL, 0, &out), PEERC_OK,
           "%s: extmap intersect", what);
    ext_of(&out, got, sizeof got);
    is_str(got, want, "%s: kept extmap ids", what);
    peerc__sdp_extmaps_clear(&out);
    peerc__sdp_media_codecs_clear(&mc);
}

/* ------------------------------------------------------------ tests */

static void test_chromium(void)
{
    peerc_sdp *sdp = sample("chromium-156-offer-audio-video-data.sdp");
    peerc_sdp_media_codecs mc;
    peerc_sdp_codec_set out = {0};
    char err[256] = "", buf[256];
    if (!sdp)
        return;

    /* Parsed view. */
    is_int(peerc__sdp_media_codecs_parse(sdp, sdp->media[1], &mc, err, sizeof err), PEERC_OK,
           "chromium video parses %s", err);
    is_int(mc.codecs.count, 23, "23 video payload types");
    const peerc_sdp_codec *vp8 = find(&mc.codecs, 96), *rtx = find(&mc.codecs, 97);
    ok(vp8 && rtx, "96 and 97 present");
    if (vp8 && rtx) {
        is_str(vp8->name, "VP8", "96 is VP8");
        is_int(vp8->clock_rate, 90000, "VP8 clock");
        is_int(vp8->rtx_pt, 97, "VP8 repaired by 97");
        is_int(rtx->rtx_apt, 96, "97 apt=96");
        is_str(rtx->fmtp, "apt=96", "97 fmtp");
        fb_of(vp8, buf, sizeof buf);
        is_str(buf, "goog-remb,transport-cc,ccm fir,nack,nack pli", "VP8 rtcp-fb parsed");
    }
    const peerc_sdp_codec *h = find(&mc.codecs, 104);
    ok(h && h->fmtp && strstr(h->fmtp, "packetization-mode=0"), "104 fmtp");
    is_int(find(&mc.codecs, 120)->rtx_pt, -1, "ulpfec has no rtx");
    is_int(mc.direction, PEERC_SDP_DIR_SENDRECV, "video sendrecv");
    is_int(mc.extmaps.count, 11, "11 video extmaps");
    is_int(mc.extmaps.items[0].id, 14, "first extmap id 14");
    is_str(mc.extmaps.items[0].uri, "urn:ietf:params:rtp-hdrext:toffset", "first extmap uri");
    is_int(mc.msid.count, 1, "one msid");
    is_int(mc.ssrc.count, 4, "four ssrc lines");
    is_int(mc.ssrc_group.count, 1, "one ssrc-group");
    is_str(mc.ssrc_group.count ? mc.ssrc_group.items[0] : "", "FID 211998858 2930192874",
           "ssrc-group text");
    peerc__sdp_media_codecs_clear(&mc);

    is_int(peerc__sdp_media_codecs_parse(sdp, sdp->media[0], &mc, err, sizeof err), PEERC_OK,
           "chromium audio parses %s", err);
    const peerc_sdp_codec *opus = find(&mc.codecs, 111);
    ok(opus && opus->channels == 2 && opus->clock_rate == 48000, "opus/48000/2");
    is_str(opus ? opus->fmtp : NULL, "minptime=10;useinbandfec=1", "opus fmtp");
    is_str(find(&mc.codecs, 0)->name, "PCMU", "pt 0 PCMU");
    is_int(find(&mc.codecs, 0)->channels, 1, "PCMU mono");
    peerc__sdp_media_codecs_clear(&mc);

    /* Negotiation. */
    check_intersect("chromium audio", sdp, 0, audio_prefs, N(audio_prefs), "111 0 8 110 126",
                    &out);
    fb_of(&out.items[0], buf, sizeof buf);
    is_str(buf, "transport-cc", "opus keeps transport-cc");
    is_str(out.items[0].fmtp, "minptime=10;useinbandfec=1", "opus keeps offered fmtp");
    is_int(out.items[0].rtx_pt, -1, "audio has no rtx");

    check_intersect("chromium video", sdp, 1, video_prefs, N(video_prefs),
                    "96 97 98 99 100 101", &out);
    fb_of(&out.items[0], buf, sizeof buf);
    is_str(buf, "goog-remb,transport-cc,ccm fir,nack,nack pli", "VP8 keeps all its rtcp-fb");
    is_int(out.items[0].rtx_pt, 97, "answer VP8 rtx 97");
    is_int(out.items[1].rtx_apt, 96, "answer rtx apt 96");
    is_int(out.items[1].rtcp_fb.count, 0, "rtx without rtcp-fb");
    is_int(out.items[2].rtx_pt, 99, "VP9 98 rtx 99");

    /* rtcp-fb is filtered by the preference. */
    static const char *const nack_only[] = {"NACK", "nack pli"};
    const peerc_sdp_codec_pref vp8_nack[] = {{"vp8", 90000, 1, 0, nack_only, 2}};
    check_intersect("chromium video, VP8 nack only", sdp, 1, vp8_nack, 1, "96 97", &out);
    fb_of(&out.items[0], buf, sizeof buf);
    is_str(buf, "nack,nack pli", "only the supported rtcp-fb values");

    /* H264 matched by packetization-mode. */
    const peerc_sdp_codec_pref h264_1[] = {{"H264", 90000, 0, 1, video_fb, 5}};
    const peerc_sdp_codec_pref h264_0[] = {{"H264", 90000, 0, 0, video_fb, 5}};
    check_intersect("chromium H264 mode 1", sdp, 1, h264_1, 1, "102 103 108 109 116 117", &out);
    check_intersect("chromium H264 mode 0", sdp, 1, h264_0, 1, "104 107 114 115 39 40", &out);

    /* Application section: formats are not payload types. */
    is_int(peerc__sdp_codecs_intersect(sdp->media[2], video_prefs, N(video_prefs), &out, err,
                                       sizeof err),
           PEERC_E_SYNTAX, "data section is refused");
    ok(strstr(err, "webrtc-datachannel") != NULL, "message names the format: %s", err);
    is_int(out.count, 0, "out empty after error");

    check_extmaps("chromium audio", sdp, 0, "1 2 3 4");
    check_extmaps("chromium video", sdp, 1, "2 3 4");
    err[0] = '\0';
    is_int(peerc__sdp_bundle_extmap_check(sdp, err, sizeof err), PEERC_OK,
           "chromium bundle extmaps consistent %s", err);

    peerc__sdp_codec_set_clear(&out);
    peerc__sdp_free(sdp);
}

static void test_firefox(void)
{
    peerc_sdp *sdp = sample("firefox-esr-153-offer-audio-video.sdp");
    peerc_sdp_media_codecs mc;
    peerc_sdp_codec_set out = {0};
    char err[256] = "", buf[256];
    if (!sdp)
        return;
    check_intersect("firefox audio", sdp, 0, audio_prefs, N(audio_prefs), "109 0 8 101", &out);
    is_str(out.items[0].name, "opus", "109 is opus");
    is_str(out.items[0].fmtp, "maxplaybackrate=48000;stereo=1;useinbandfec=1", "opus fmtp");
    is_str(out.items[3].fmtp, "0-15", "telephone-event fmtp");
    fb_of(&out.items[1], buf, sizeof buf);
    is_str(buf, "", "PCMU drops transport-cc (not in its preference)");

    check_intersect("firefox video", sdp, 1, video_prefs, N(video_prefs), "120 124 121 125",
                    &out);
    is_int(out.items[0].rtx_pt, 124, "VP8 120 rtx 124");
    is_int(out.items[2].rtx_pt, 125, "VP9 121 rtx 125");
    fb_of(&out.items[0], buf, sizeof buf);
    is_str(buf, "nack,nack pli,ccm fir,goog-remb,transport-cc", "VP8 rtcp-fb");

    is_int(peerc__sdp_media_codecs_parse(sdp, sdp->media[0], &mc, err, sizeof err), PEERC_OK,
           "firefox audio parses");
    is_int(find(&mc.codecs, 9)->channels, 1, "G722/8000/1");
    is_int(mc.extmaps.items[1].has_direction, 1, "extmap 2 has a direction");
    is_int(mc.extmaps.items[1].direction, PEERC_SDP_DIR_RECVONLY, "extmap 2 recvonly");
    is_int(mc.direction, PEERC_SDP_DIR_SENDRECV, "sendrecv");
    peerc__sdp_media_codecs_clear(&mc);

    check_extmaps("firefox audio", sdp, 0, "1 3 7");
    check_extmaps("firefox video", sdp, 1, "3 4 7");
    is_int(peerc__sdp_bundle_extmap_check(sdp, err, sizeof err), PEERC_OK,
           "firefox bundle extmaps consistent %s", err);
    peerc__sdp_codec_set_clear(&out);
    peerc__sdp_free(sdp);
}

static void test_webrtcbin(void)
{
    peerc_sdp *sdp = sample("webrtcbin-1.22-offer-audio-video.sdp");
    peerc_sdp_codec_set out = {0};
    char buf[256];
    if (!sdp)
        return;
    check_intersect("webrtcbin video", sdp, 0, video_prefs, N(video_prefs), "96", &out);
    fb_of(&out.items[0], buf, sizeof buf);
    is_str(buf, "nack pli,ccm fir,transport-cc", "webrtcbin VP8 rtcp-fb");
    is_int(out.items[0].rtx_pt, -1, "no rtx offered");
    check_intersect("webrtcbin audio (upper-case OPUS)", sdp, 1, audio_prefs, N(audio_prefs),
                    "111", &out);
    is_str(out.items[0].name, "OPUS", "offerer's spelling kept");
    /* video prefs on the audio section: nothing in common, not an error */
    check_intersect("webrtcbin audio vs video prefs", sdp, 1, video_prefs, N(video_prefs), "",
                    &out);
    peerc__sdp_codec_set_clear(&out);
    peerc__sdp_free(sdp);
}

static void test_aiortc(void)
{
    peerc_sdp *sdp = sample("aiortc-1.4-offer-audio-video-data.sdp");
    peerc_sdp_codec_set out = {0};
    char err[256] = "", buf[256];
    if (!sdp)
        return;
    check_intersect("aiortc audio", sdp, 0, audio_prefs, N(audio_prefs), "96 0 8", &out);
    check_intersect("aiortc video", sdp, 1, video_prefs, N(video_prefs), "97 98", &out);
    fb_of(&out.items[0], buf, sizeof buf);
    is_str(buf, "nack,nack pli,goog-remb", "aiortc VP8 rtcp-fb");
    is_int(out.items[0].rtx_pt, 98, "aiortc VP8 rtx 98");
    check_extmaps("aiortc audio", sdp, 0, "1 2");
    check_extmaps("aiortc video", sdp, 1, "1 2");

    int rc = peerc__sdp_bundle_extmap_check(sdp, err, sizeof err);
    is_int(rc, PEERC_E_OPERATION, "aiortc extmap id collision detected");
    diag("%s", err);
    ok(strstr(err, "id 2 ") != NULL, "message names id 2");
    ok(strstr(err, "urn:ietf:params:rtp-hdrext:ssrc-audio-level") != NULL,
       "message names the audio uri");
    ok(strstr(err, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time") != NULL,
       "message names the video uri");
    peerc__sdp_codec_set_clear(&out);
    peerc__sdp_free(sdp);
}

static const char H264_ONLY[] =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "a=group:BUNDLE 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 102 103\r\nc=IN IP4 0.0.0.0\r\n"
    "a=mid:0\r\na=recvonly\r\n"
    "a=rtpmap:102 H264/90000\r\n"
    "a=fmtp:102 packetization-mode=1;profile-level-id=42e01f\r\n"
    "a=rtcp-fb:* nack\r\n"
    "a=rtpmap:103 rtx/90000\r\na=fmtp:103 apt=102\r\n";

static void test_synthetic(void)
{
    peerc_sdp *sdp = parse_text(H264_ONLY);
    peerc_sdp_codec_set out = {0};
    peerc_sdp_media_codecs mc;
    char err[256] = "", buf[64];
    ok(sdp != NULL, "H264-only offer parses");
    if (!sdp)
        return;
    const peerc_sdp_codec_pref vp8_only[] = {{"VP8", 90000, 0, 0, video_fb, 5}};
    check_intersect("H264-only offer, VP8 preferred", sdp, 0, vp8_only, 1, "", &out);
    is_int(out.count, 0, "empty set, caller rejects the m-line");
    const peerc_sdp_codec_pref h264[] = {{"h264", 90000, 0, 1, video_fb, 5}};
    check_intersect("H264-only offer, H264 mode 1", sdp, 0, h264, 1, "102 103", &out);
    fb_of(&out.items[0], buf, sizeof buf);
    is_str(buf, "nack", "a=rtcp-fb:* applies");
    is_int(peerc__sdp_media_codecs_parse(sdp, sdp->media[0], &mc, err, sizeof err), PEERC_OK,
           "parse");
    is_int(mc.direction, PEERC_SDP_DIR_RECVONLY, "recvonly");
    is_int(peerc__sdp_direction_reverse(mc.direction), PEERC_SDP_DIR_SENDONLY, "reversed");
    peerc__sdp_media_codecs_clear(&mc);
    peerc__sdp_free(sdp);

    /* Malformed attributes. */
    static const char *const bad[] = {
        "a=rtpmap:102 H264\r\n",        "a=rtpmap:102 H264/x\r\n",
        "a=rtpmap:300 H264/90000\r\n",  "a=fmtp:abc x=1\r\n",
        "a=rtcp-fb:102\r\n",            "a=extmap:0 urn:x\r\n",
        "a=extmap:1/sideways urn:x\r\n", "a=extmap:1\r\n",
        "a=fmtp:103 apt=x\r\na=rtpmap:103 rtx/90000\r\n",
    };
    for (size_t i = 0; i < N(bad); i++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                 "m=video 9 UDP/TLS/RTP/SAVPF 102 103\r\na=mid:0\r\n%s",
                 bad[i]);
        sdp = parse_text(text);
        if (!sdp) {
            ok(0, "bad case %zu parses as SDP", i);
            continue;
        }
        err[0] = '\0';
        is_int(peerc__sdp_media_codecs_parse(sdp, sdp->media[0], &mc, err, sizeof err),
               PEERC_E_SYNTAX, "malformed %zu refused: %s", i, err);
        peerc__sdp_media_codecs_clear(&mc);
        peerc__sdp_free(sdp);
    }

    char v[16];
    ok(peerc__sdp_fmtp_param("a=1; Apt = 96 ;b", "apt", v, sizeof v) && !strcmp(v, "96"),
       "fmtp param with blanks and case");
    ok(!peerc__sdp_fmtp_param("0-15", "apt", v, sizeof v), "no param");
    peerc__sdp_codec_set_clear(&out);
}

int main(void)
{
    test_chromium();
    test_firefox();
    test_webrtcbin();
    test_aiortc();
    test_synthetic();
    return done_testing();
}

/*
 * Which codecs and header extensions a transceiver offers, answers, sends
 * and expects: our capabilities against the peer's (RFC 3264 6.1, RFC 8829
 * 5.3.1), the VP9 profiles and H.264 modes we handle, and the BUNDLE-wide
 * extension ids (RFC 8843 9.1).
 */
#include "pc/pc_internal.h"
#include "pc/media_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "rtp/h264.h"
#include "sdp/media.h"

static void remove_codec(peerc_sdp_codec_set *set, size_t i)
{
    peerc_sdp_codec *c = &set->items[i];
    free(c->name);
    free(c->fmtp);
    peerc__sdp_strv_clear(&c->rtcp_fb);
    memmove(c, c + 1, (set->count - i - 1) * sizeof *c);
    set->count--;
}

/* VP9 profiles other than 0 (10-bit, 4:4:4) and the rtx entries that
 * repair them: we would not decode them. */
void peerc__pc_strip_vp9_profiles(peerc_sdp_codec_set *set)
{
    for (size_t i = 0; i < set->count;) {
        peerc_sdp_codec *c = &set->items[i];
        if (c->name && g_ascii_strcasecmp(c->name, "VP9") == 0 && c->fmtp) {
            char v[8];
            if (peerc__sdp_fmtp_param(c->fmtp, "profile-id", v, sizeof v) && strcmp(v, "0") != 0) {
                int pt = c->pt;
                remove_codec(set, i);
                for (size_t j = 0; j < set->count;)
                    if (set->items[j].rtx_apt == pt)
                        remove_codec(set, j);
                    else
                        j++;
                i = 0;
                continue;
            }
        }
        i++;
    }
    for (size_t i = 0; i < set->count; i++) /* rtx_pt links may have moved */
        if (set->items[i].rtx_apt < 0) {
            set->items[i].rtx_pt = -1;
            for (size_t j = 0; j < set->count; j++)
                if (set->items[j].rtx_apt == set->items[i].pt)
                    set->items[i].rtx_pt = set->items[j].pt;
        }
}


/* ------------------------------------------------------------- H.264 */

/* What an ENCODED H.264 track offers: Constrained Baseline 3.1,
 * packetization-mode 1, as browsers' hardware paths expect. */
#define H264_PT 102
#define H264_RTX_PT 103
#define H264_FMTP "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"
static const char *const h264_fb[] = {"goog-remb", "ccm fir", "nack", "nack pli"};

gboolean peerc__pc_sends_encoded(const peerc_transceiver *t, int32_t codec)
{
    return t->send_track && t->send_track->source == PEERC_TRACK_SOURCE_ENCODED &&
           t->send_track->codec == codec;
}

static gboolean h264_mode1(const peerc_sdp_codec *c)
{
    peerc_rtp_h264_fmtp f;
    return c->name && g_ascii_strcasecmp(c->name, "H264") == 0 && c->rtx_apt < 0 &&
           peerc__rtp_h264_fmtp_parse(c->fmtp ? c->fmtp : "", &f) == PEERC_OK &&
           f.packetization_mode == 1;
}

/* A copy of c (with its rtx, from set) at the front of out. */
static void prepend_codec(peerc_sdp_codec_set *out, const peerc_sdp_codec *c,
                          const peerc_sdp_codec *rtx, const char *const *fb, size_t n_fb)
{
    peerc_sdp_codec_set tmp = {0};
    const peerc_sdp_codec *both[2] = {c, rtx};
    tmp.items = g_new0(peerc_sdp_codec, out->count + 2);
    for (size_t k = 0; k < 2 && both[k]; k++) {
        peerc_sdp_codec *o = &tmp.items[tmp.count++];
        *o = *both[k];
        o->name = strdup(both[k]->name);
        o->fmtp = both[k]->fmtp ? strdup(both[k]->fmtp) : NULL;
        memset(&o->rtcp_fb, 0, sizeof o->rtcp_fb);
        for (size_t j = 0; k == 0 && j < n_fb; j++)
            peerc__sdp_strv_add(&o->rtcp_fb, fb[j]);
    }
    memcpy(tmp.items + tmp.count, out->items, out->count * sizeof *out->items);
    tmp.count += out->count;
    tmp.cap = tmp.count;
    free(out->items);
    *out = tmp;
}

/* Our offer for an ENCODED H.264 track puts H.264 first. */
void peerc__pc_offer_h264_first(peerc_sdp_codec_set *codecs)
{
    peerc_sdp_codec c = {.pt = H264_PT, .name = "H264", .clock_rate = 90000, .channels = 1,
                         .fmtp = H264_FMTP, .rtx_apt = -1, .rtx_pt = H264_RTX_PT};
    peerc_sdp_codec rtx = {.pt = H264_RTX_PT, .name = "rtx", .clock_rate = 90000, .channels = 1,
                           .fmtp = "apt=102", .rtx_apt = H264_PT, .rtx_pt = -1};
    prepend_codec(codecs, &c, &rtx, h264_fb, G_N_ELEMENTS(h264_fb));
}

/* Answering for an ENCODED H.264 track: the offered H.264 that matches ours
 * (RFC 6184 8.1: same packetization-mode and profile), first. */
void peerc__pc_answer_h264_first(const peerc_sdp_codec_set *offered, peerc_sdp_codec_set *codecs)
{
    for (size_t i = 0; i < offered->count; i++) {
        const peerc_sdp_codec *c = &offered->items[i];
        const peerc_sdp_codec *rtx = NULL;
        if (!h264_mode1(c) || peerc__rtp_h264_fmtp_match(c->fmtp, H264_FMTP, NULL) != 1)
            continue;
        for (size_t j = 0; j < offered->count; j++)
            if (offered->items[j].rtx_apt == c->pt)
                rtx = &offered->items[j];
        prepend_codec(codecs, c, rtx, h264_fb, G_N_ELEMENTS(h264_fb));
        return;
    }
}

int peerc__pc_copy_codecs(const peerc_sdp_codec_set *from, peerc_sdp_codec_set *to)
{
    to->items = g_new0(peerc_sdp_codec, from->count ? from->count : 1);
    to->cap = from->count;
    for (size_t i = 0; i < from->count; i++) {
        const peerc_sdp_codec *c = &from->items[i];
        peerc_sdp_codec *o = &to->items[i];
        *o = *c;
        o->name = c->name ? strdup(c->name) : NULL;
        o->fmtp = c->fmtp ? strdup(c->fmtp) : NULL;
        memset(&o->rtcp_fb, 0, sizeof o->rtcp_fb);
        for (size_t j = 0; j < c->rtcp_fb.count; j++)
            peerc__sdp_strv_add(&o->rtcp_fb, c->rtcp_fb.items[j]);
        to->count++;
    }
    return PEERC_OK;
}

void peerc__pc_copy_extmaps(const peerc_sdp_extmaps *from, peerc_sdp_extmaps *to)
{
    to->items = g_new0(peerc_sdp_extmap, from->count ? from->count : 1);
    to->cap = from->count;
    for (size_t i = 0; i < from->count; i++) {
        to->items[i] = from->items[i];
        to->items[i].uri = strdup(from->items[i].uri);
        to->items[i].attributes = from->items[i].attributes ? strdup(from->items[i].attributes)
                                                            : NULL;
        to->count++;
    }
}

/*
 * RFC 8843 9.1 / RFC 8285 6: in one BUNDLE group an extension id must mean
 * one extension.  aiortc 1.4 offers id 2 as abs-send-time for video and as
 * ssrc-audio-level for audio; it keeps one map per transport, so echoing
 * both makes it misread our packets.  An answerer may leave out any offered
 * extension, so the later clashing one is declined.
 */
void peerc__pc_decline_clashing_extmaps(peerc_pc *pc, const char *mid, peerc_sdp_extmaps *maps,
                                     GHashTable *used)
{
    for (size_t i = 0; i < maps->count;) {
        peerc_sdp_extmap *x = &maps->items[i];
        const char *uri = g_hash_table_lookup(used, GUINT_TO_POINTER(x->id));
        if (uri && strcmp(uri, x->uri) != 0) {
            PEERC_WARN("pc", "%p mid %s: a=extmap id %u is %s here but %s in another m-line of "
                       "the BUNDLE group; declined", (void *)pc, mid, (unsigned)x->id, x->uri, uri);
            free(x->uri);
            free(x->attributes);
            memmove(x, x + 1, (maps->count - i - 1) * sizeof *x);
            maps->count--;
            continue;
        }
        if (!uri)
            g_hash_table_insert(used, GUINT_TO_POINTER(x->id), x->uri);
        i++;
    }
}

static const peerc_sdp_codec *find_codec(const peerc_sdp_codec_set *set, const char *name)
{
    for (size_t i = 0; i < set->count; i++) {
        const peerc_sdp_codec *c = &set->items[i];
        if (c->name && c->rtx_apt < 0 && g_ascii_strcasecmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

/* VP9 profile 0 (8-bit 4:2:0) is what libvpx is set up for here. */
static gboolean vp9_profile0(const peerc_sdp_codec *c)
{
    char v[8];
    return !c->fmtp || !peerc__sdp_fmtp_param(c->fmtp, "profile-id", v, sizeof v) ||
           strcmp(v, "0") == 0;
}

/* What we implement of a video codec entry, or -1. */
static int video_codec_of(const peerc_sdp_codec *c)
{
    if (!c->name || c->rtx_apt >= 0)
        return -1;
    if (h264_mode1(c))
        return PEERC_MEDIA_CODEC_H264;
    if (g_ascii_strcasecmp(c->name, "VP8") == 0)
        return PEERC_MEDIA_CODEC_DEFAULT;
    if (g_ascii_strcasecmp(c->name, "VP9") == 0 && vp9_profile0(c))
        return PEERC_MEDIA_CODEC_VP9;
    return -1;
}

/* The first video codec of the answer we implement (answer order is the
 * preference, RFC 3264 6.1); encoded tracks can only send their own. */
static const peerc_sdp_codec *primary_video(const peerc_sdp_codec_set *set,
                                            const peerc_transceiver *t, int *codec)
{
    int want = -1; /* ENCODED tracks can only send their own codec */
    if (peerc__pc_sends_encoded(t, PEERC_VIDEO_CODEC_VP8))
        want = PEERC_MEDIA_CODEC_DEFAULT;
    else if (peerc__pc_sends_encoded(t, PEERC_VIDEO_CODEC_H264))
        want = PEERC_MEDIA_CODEC_H264;
    for (size_t i = 0; i < set->count; i++) {
        int k = video_codec_of(&set->items[i]);
        if (k < 0 || (want >= 0 && k != want) || (want < 0 && k == PEERC_MEDIA_CODEC_H264))
            continue;
        *codec = k;
        return &set->items[i];
    }
    return NULL;
}

gboolean peerc__pc_media_follow_codec(peerc_pc *pc, peerc_transceiver *t, uint8_t pt)
{
    int k = peerc__sdp_codec_set_find(&t->codecs, pt);
    const peerc_sdp_codec *c = k >= 0 ? &t->codecs.items[k] : NULL;
    int codec = -1;
    if (!c || !t->receiver)
        return FALSE;
    if (t->kind == PEERC_MEDIA_KIND_VIDEO)
        codec = video_codec_of(c);
    if (codec < 0)
        return FALSE; /* not a codec we decode (or an rtx of another one) */
    PEERC_INFO("media", "%p mid %s: the peer now sends %s (pt %u)", (void *)pc, t->mid, c->name,
               pt);
    t->recv_cfg.payload_type = pt;
    t->recv_cfg.rtx_payload_type = c->rtx_pt;
    t->recv_cfg.codec = codec;
    peerc__rtp_receiver_reconfigure(t->receiver, &t->recv_cfg);
    return TRUE;
}

/* The codec we send and expect: VP8 or VP9 for video; for audio Opus, else
 * G.711 (the fallback every endpoint accepts, RFC 7874 3). */
const peerc_sdp_codec *peerc__pc_primary_codec(const peerc_sdp_codec_set *set,
                                            const peerc_transceiver *t, int *codec)
{
    static const struct {
        const char *name;
        int codec;
    } audio[] = {{"opus", PEERC_MEDIA_CODEC_DEFAULT},
                 {"PCMU", PEERC_MEDIA_CODEC_PCMU},
                 {"PCMA", PEERC_MEDIA_CODEC_PCMA}};
    *codec = PEERC_MEDIA_CODEC_DEFAULT;
    if (t->kind == PEERC_MEDIA_KIND_VIDEO)
        return primary_video(set, t, codec);
    for (size_t i = 0; i < G_N_ELEMENTS(audio); i++) {
        const peerc_sdp_codec *c = find_codec(set, audio[i].name);
        if (c) {
            *codec = audio[i].codec;
            return c;
        }
    }
    return NULL;
}


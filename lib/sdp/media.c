/*
 * Audio/video m-sections we write, and our codec and header extension
 * capabilities.  The transport part of a section (c=, ICE, DTLS, candidates)
 * is shared with data sections and lives in build.c.
 */
#include <peerc/common.h>

#include "core/error.h"
#include "sdp/media.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_RTP_PROTO "UDP/TLS/RTP/SAVPF"

/* RFC 8829 §5.1.2 uses UDP/TLS/RTP/SAVPF; TCP/TLS/RTP/SAVPF (RFC 7850) and
 * the older RTP/SAVPF (RFC 5124) name the same profile over other framing. */
static const char *const rtp_protos[] = {"UDP/TLS/RTP/SAVPF", "TCP/TLS/RTP/SAVPF", "RTP/SAVPF"};

static int is_rtp_proto(const char *proto)
{
    for (size_t i = 0; proto && i < sizeof rtp_protos / sizeof rtp_protos[0]; i++)
        if (strcmp(proto, rtp_protos[i]) == 0)
            return 1;
    return 0;
}

static int is_av_kind(const char *kind)
{
    return kind && (strcmp(kind, "audio") == 0 || strcmp(kind, "video") == 0);
}

int peerc__sdp_media_is_rtp(const peerc_sdp_media *m)
{
    return m && is_av_kind(m->type) && is_rtp_proto(m->proto);
}

/* ------------------------------------------------------ capabilities */

typedef struct local_codec {
    int pt;
    const char *name;
    uint32_t clock_rate;
    uint32_t channels;
    const char *fmtp;
    int rtx_apt;
    const char *const *rtcp_fb;
    size_t n_rtcp_fb;
} local_codec;

typedef struct local_extmap {
    uint16_t id;
    const char *uri;
} local_extmap;

#define N_OF(a) (sizeof(a) / sizeof(a)[0])

/* transport-cc for audio too: Chromium runs send-side bandwidth estimation
 * over every bundled stream. */
static const char *const audio_fb[] = {"transport-cc"};
static const char *const video_fb[] = {"goog-remb", "transport-cc", "ccm fir", "nack",
                                       "nack pli"};

/* Payload types as Chromium numbers them, so answers from it and re-offers
 * keep the same mapping. */
static const local_codec audio_codecs[] = {
    {111, "opus", 48000, 2, "minptime=10;useinbandfec=1", -1, audio_fb, N_OF(audio_fb)},
    {0, "PCMU", 8000, 1, NULL, -1, NULL, 0},
    {8, "PCMA", 8000, 1, NULL, -1, NULL, 0},
    {126, "telephone-event", 8000, 1, NULL, -1, NULL, 0},
};
static const local_codec video_codecs[] = {
    {96, "VP8", 90000, 1, NULL, -1, video_fb, N_OF(video_fb)},
    {97, "rtx", 90000, 1, "apt=96", 96, NULL, 0},
    {98, "VP9", 90000, 1, "profile-id=0", -1, video_fb, N_OF(video_fb)},
    {99, "rtx", 90000, 1, "apt=98", 98, NULL, 0},
};

#define URI_AUDIO_LEVEL "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
#define URI_ABS_SEND_TIME "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
#define URI_TWCC "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
#define URI_MID "urn:ietf:params:rtp-hdrext:sdes:mid"

static const local_extmap audio_extmaps[] = {
    {1, URI_AUDIO_LEVEL}, {2, URI_ABS_SEND_TIME}, {3, URI_TWCC}, {4, URI_MID}};
static const local_extmap video_extmaps[] = {{2, URI_ABS_SEND_TIME}, {3, URI_TWCC}, {4, URI_MID}};

/* RFC 4585 §4.2: the answer keeps only feedback we act on.  Audio gets
 * transport-cc alone: we neither retransmit audio nor ask for it. */
static const char *const pref_fb[] = {"nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"};

static const peerc_sdp_codec_pref audio_prefs[] = {
    {"opus", 48000, 2, 0, audio_fb, N_OF(audio_fb)},
    {"PCMU", 8000, 1, 0, audio_fb, N_OF(audio_fb)},
    {"PCMA", 8000, 1, 0, audio_fb, N_OF(audio_fb)},
    {"telephone-event", 8000, 1, 0, NULL, 0},
    {"telephone-event", 48000, 1, 0, NULL, 0},
};
static const peerc_sdp_codec_pref video_prefs[] = {
    {"VP8", 90000, 1, 0, pref_fb, N_OF(pref_fb)},
    {"VP9", 90000, 1, 0, pref_fb, N_OF(pref_fb)}, /* profile 0 only: see the pc's choice */
};

static char *dup_str(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int add_local_codec(peerc_sdp_codec_set *set, const local_codec *lc)
{
    peerc_sdp_codec *c;
    if (set->count == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 8;
        peerc_sdp_codec *items = realloc(set->items, cap * sizeof *items);
        if (!items)
            return PEERC_E_NO_MEMORY;
        set->items = items;
        set->cap = cap;
    }
    c = &set->items[set->count++];
    memset(c, 0, sizeof *c);
    c->pt = lc->pt;
    c->clock_rate = lc->clock_rate;
    c->channels = lc->channels;
    c->rtx_apt = lc->rtx_apt;
    c->rtx_pt = -1;
    c->name = dup_str(lc->name);
    c->fmtp = dup_str(lc->fmtp);
    if (!c->name || (lc->fmtp && !c->fmtp))
        return PEERC_E_NO_MEMORY;
    for (size_t i = 0; i < lc->n_rtcp_fb; i++)
        if (peerc__sdp_strv_add(&c->rtcp_fb, lc->rtcp_fb[i]) != PEERC_OK)
            return PEERC_E_NO_MEMORY;
    return PEERC_OK;
}

int peerc__sdp_local_codecs(const char *kind, peerc_sdp_codec_set *out)
{
    const local_codec *lc;
    size_t n;
    int rc = PEERC_OK;
    if (!out)
        return PEERC_E_INVALID_ARGUMENT;
    peerc__sdp_codec_set_clear(out);
    if (kind && strcmp(kind, "audio") == 0) {
        lc = audio_codecs;
        n = N_OF(audio_codecs);
    } else if (kind && strcmp(kind, "video") == 0) {
        lc = video_codecs;
        n = N_OF(video_codecs);
    } else {
        return PEERC_E_INVALID_ARGUMENT;
    }
    for (size_t i = 0; rc == PEERC_OK && i < n; i++)
        rc = add_local_codec(out, &lc[i]);
    /* Link each primary codec to its rtx (RFC 4588 §8.6), as parsing does. */
    for (size_t i = 0; rc == PEERC_OK && i < out->count; i++) {
        int k = out->items[i].rtx_apt >= 0
                    ? peerc__sdp_codec_set_find(out, out->items[i].rtx_apt)
                    : -1;
        if (k >= 0)
            out->items[k].rtx_pt = out->items[i].pt;
    }
    if (rc != PEERC_OK)
        peerc__sdp_codec_set_clear(out);
    return rc;
}

int peerc__sdp_local_extmaps(const char *kind, peerc_sdp_extmaps *out)
{
    const local_extmap *lx;
    size_t n;
    if (!out)
        return PEERC_E_INVALID_ARGUMENT;
    peerc__sdp_extmaps_clear(out);
    if (kind && strcmp(kind, "audio") == 0) {
        lx = audio_extmaps;
        n = N_OF(audio_extmaps);
    } else if (kind && strcmp(kind, "video") == 0) {
        lx = video_extmaps;
        n = N_OF(video_extmaps);
    } else {
        return PEERC_E_INVALID_ARGUMENT;
    }
    out->items = calloc(n, sizeof *out->items);
    if (!out->items)
        return PEERC_E_NO_MEMORY;
    out->cap = n;
    for (size_t i = 0; i < n; i++) {
        peerc_sdp_extmap *x = &out->items[out->count++];
        x->id = lx[i].id;
        x->direction = PEERC_SDP_DIR_SENDRECV;
        if (!(x->uri = strdup(lx[i].uri))) {
            peerc__sdp_extmaps_clear(out);
            return PEERC_E_NO_MEMORY;
        }
    }
    return PEERC_OK;
}

const peerc_sdp_codec_pref *peerc__sdp_local_prefs(const char *kind, size_t *n)
{
    size_t dummy;
    if (!n)
        n = &dummy;
    if (kind && strcmp(kind, "audio") == 0) {
        *n = N_OF(audio_prefs);
        return audio_prefs;
    }
    if (kind && strcmp(kind, "video") == 0) {
        *n = N_OF(video_prefs);
        return video_prefs;
    }
    *n = 0;
    return NULL;
}

/* ------------------------------------------------------- validation */

#define BAD(...) peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, __VA_ARGS__)

/* Printable, no blank: such a string cannot end an SDP line early or split
 * an attribute into other fields (RFC 8866 §9 byte-string, RFC 4566 token). */
static int is_word(const char *s, size_t max)
{
    size_t n = 0;
    if (!s || !*s)
        return 0;
    for (; s[n]; n++)
        if ((unsigned char)s[n] <= 0x20 || (unsigned char)s[n] == 0x7f || n >= max)
            return 0;
    return 1;
}

/* fmtp and rtcp-fb values may contain blanks ("nack pli"), never control
 * characters. */
static int is_line_text(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
            return 0;
    return 1;
}

/* RFC 8830 §2: msid-id and msid-appdata are 1*64 token-char; we allow up to
 * PEERC_SDP_MAX_ID_LEN but keep to token-char so every peer can read them. */
static int is_token(const char *s)
{
    static const char specials[] = "!#$%&'*+-.^_`{|}~";
    size_t n = 0;
    if (!s || !*s)
        return 0;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        if (n >= PEERC_SDP_MAX_ID_LEN ||
            !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              strchr(specials, c)))
            return 0;
    }
    return 1;
}

static int check_codec(const peerc_sdp_codec_set *set, size_t i, char *err, size_t errlen)
{
    const peerc_sdp_codec *c = &set->items[i];
    if (c->pt < 0 || c->pt > 127)
        return BAD("payload type %d out of range 0-127", c->pt);
    if (peerc__sdp_codec_set_find(set, c->pt) != (int)i)
        return BAD("payload type %d listed twice", c->pt);
    if (c->rtx_apt >= 0) {
        int k = peerc__sdp_codec_set_find(set, c->rtx_apt);
        /* RFC 4588 §8.6: apt names an original payload type of the section. */
        if (k < 0 || set->items[k].rtx_apt >= 0 || set->items[k].clock_rate == 0)
            return BAD("rtx payload type %d: apt %d is not a codec of the section", c->pt,
                       c->rtx_apt);
        if (c->fmtp && !is_line_text(c->fmtp))
            return BAD("payload type %d: bad fmtp", c->pt);
        return PEERC_OK;
    }
    if (!is_word(c->name, 64) || strchr(c->name, '/'))
        return BAD("payload type %d: bad encoding name", c->pt);
    if (c->clock_rate == 0)
        return BAD("payload type %d: no clock rate", c->pt);
    if (c->fmtp && !is_line_text(c->fmtp))
        return BAD("payload type %d: bad fmtp", c->pt);
    for (size_t k = 0; k < c->rtcp_fb.count; k++)
        if (!is_line_text(c->rtcp_fb.items[k]))
            return BAD("payload type %d: bad rtcp-fb", c->pt);
    return PEERC_OK;
}

static int check_extmaps(const peerc_sdp_extmaps *x, char *err, size_t errlen)
{
    for (size_t i = 0; x && i < x->count; i++) {
        const peerc_sdp_extmap *e = &x->items[i];
        /* RFC 8285 §5: ids 1-14 one-byte, up to 255 with two-byte headers. */
        if (e->id < 1 || e->id > 255)
            return BAD("extmap id %u out of range 1-255", (unsigned)e->id);
        for (size_t k = 0; k < i; k++)
            if (x->items[k].id == e->id)
                return BAD("extmap id %u used twice", (unsigned)e->id);
        if (!is_word(e->uri, 1024))
            return BAD("extmap id %u: bad uri", (unsigned)e->id);
        if (e->has_direction && (unsigned)e->direction > PEERC_SDP_DIR_INACTIVE)
            return BAD("extmap id %u: bad direction", (unsigned)e->id);
        if (e->attributes && !is_line_text(e->attributes))
            return BAD("extmap id %u: bad attributes", (unsigned)e->id);
    }
    return PEERC_OK;
}

static int check_sending(const peerc_sdp_media_desc *d, char *err, size_t errlen)
{
    if (d->n_stream_ids && !d->stream_ids)
        return BAD("stream_ids is NULL");
    for (size_t i = 0; i < d->n_stream_ids; i++)
        if (!is_token(d->stream_ids[i]) || strcmp(d->stream_ids[i], "-") == 0)
            return BAD("stream id %zu is not an msid token (RFC 8830 §2)", i);
    if (!d->track_id)
        return PEERC_OK;
    if (!is_token(d->track_id))
        return BAD("track id is not an msid token (RFC 8830 §2)");
    if (d->rtx_ssrc && !d->ssrc)
        return BAD("rtx_ssrc without ssrc");
    if (d->rtx_ssrc && d->rtx_ssrc == d->ssrc)
        return BAD("rtx_ssrc equals ssrc");
    /* RFC 5576 §6.1: every SSRC we announce carries a cname. */
    if (d->ssrc && !is_word(d->cname, PEERC_SDP_MAX_ID_LEN))
        return BAD("ssrc %lu needs a cname without blanks", (unsigned long)d->ssrc);
    return PEERC_OK;
}

int peerc__sdp_media_desc_check(const peerc_sdp_media_desc *d, char *err, size_t errlen)
{
    int rc;
    if (!d)
        return BAD("no media description");
    if (!is_av_kind(d->kind))
        return BAD("media kind \"%.20s\" is not audio or video", d->kind ? d->kind : "(null)");
    if (d->proto && !is_rtp_proto(d->proto))
        return BAD("proto \"%.40s\" is not an RTP/SAVPF profile", d->proto);
    if ((unsigned)d->direction > PEERC_SDP_DIR_INACTIVE)
        return BAD("bad direction %d", (int)d->direction);
    if (!d->codecs || d->codecs->count == 0)
        return BAD("%s section without codecs", d->kind);
    for (size_t i = 0; i < d->codecs->count; i++)
        if ((rc = check_codec(d->codecs, i, err, errlen)) != PEERC_OK)
            return rc;
    if ((rc = check_extmaps(d->extmaps, err, errlen)) != PEERC_OK)
        return rc;
    return check_sending(d, err, errlen);
}

/* -------------------------------------------------------- rendering */

peerc_sdp_media *peerc__sdp_media_desc_add(peerc_sdp *sdp, const peerc_sdp_media_desc *d,
                                           uint16_t port)
{
    peerc_sdp_media *m = peerc__sdp_add_media(sdp, d->kind, port,
                                              d->proto ? d->proto : DEFAULT_RTP_PROTO, "");
    char pt[8];
    for (size_t i = 0; m && i < d->codecs->count; i++) {
        snprintf(pt, sizeof pt, "%d", d->codecs->items[i].pt);
        if (peerc__sdp_strv_add(&m->fmts, pt) != PEERC_OK)
            return NULL; /* the half-built m-line goes with its description */
    }
    return m;
}

static int render_extmaps(peerc_sdp_media *m, const peerc_sdp_extmaps *x)
{
    int rc = PEERC_OK;
    for (size_t i = 0; rc == PEERC_OK && x && i < x->count; i++) {
        const peerc_sdp_extmap *e = &x->items[i];
        rc = peerc__sdp_media_add_attrf(
            m, "extmap", "%u%s%s %s%s%s", (unsigned)e->id, e->has_direction ? "/" : "",
            e->has_direction ? peerc__sdp_direction_to_string(e->direction) : "", e->uri,
            e->attributes ? " " : "", e->attributes ? e->attributes : "");
    }
    return rc;
}

/* RFC 8830 §2: one a=msid per stream; "-" when the track has none (JSEP
 * §5.2.1). */
static int render_msid(peerc_sdp_media *m, const peerc_sdp_media_desc *d)
{
    int rc = PEERC_OK;
    if (!d->track_id)
        return PEERC_OK;
    if (d->n_stream_ids == 0)
        return peerc__sdp_media_add_attrf(m, "msid", "- %s", d->track_id);
    for (size_t i = 0; rc == PEERC_OK && i < d->n_stream_ids; i++)
        rc = peerc__sdp_media_add_attrf(m, "msid", "%s %s", d->stream_ids[i], d->track_id);
    return rc;
}

static const peerc_sdp_codec *apt_codec(const peerc_sdp_codec_set *set, const peerc_sdp_codec *c)
{
    return &set->items[peerc__sdp_codec_set_find(set, c->rtx_apt)];
}

/* An rtx entry: "rtx/<clock of the original>" and its apt (RFC 4588 §8.6),
 * keeping other fmtp parameters (rtx-time) when the caller set them. */
static int render_rtx(peerc_sdp_media *m, const peerc_sdp_codec_set *set,
                      const peerc_sdp_codec *c)
{
    char apt[8];
    int rc = peerc__sdp_media_add_attrf(m, "rtpmap", "%d rtx/%lu", c->pt,
                                        (unsigned long)apt_codec(set, c)->clock_rate);
    if (rc != PEERC_OK)
        return rc;
    if (c->fmtp && peerc__sdp_fmtp_param(c->fmtp, "apt", apt, sizeof apt) &&
        atoi(apt) == c->rtx_apt)
        return peerc__sdp_media_add_attrf(m, "fmtp", "%d %s", c->pt, c->fmtp);
    return peerc__sdp_media_add_attrf(m, "fmtp", "%d apt=%d", c->pt, c->rtx_apt);
}

static int render_codec(peerc_sdp_media *m, const peerc_sdp_codec_set *set,
                        const peerc_sdp_codec *c)
{
    int rc;
    char ch[16] = "";
    if (c->rtx_apt >= 0)
        return render_rtx(m, set, c);
    /* RFC 8866 §6.6: the channel count is written only when it is not 1. */
    if (c->channels > 1)
        snprintf(ch, sizeof ch, "/%lu", (unsigned long)c->channels);
    rc = peerc__sdp_media_add_attrf(m, "rtpmap", "%d %s/%lu%s", c->pt, c->name,
                                    (unsigned long)c->clock_rate, ch);
    for (size_t i = 0; rc == PEERC_OK && i < c->rtcp_fb.count; i++)
        rc = peerc__sdp_media_add_attrf(m, "rtcp-fb", "%d %s", c->pt, c->rtcp_fb.items[i]);
    if (rc == PEERC_OK && c->fmtp)
        rc = peerc__sdp_media_add_attrf(m, "fmtp", "%d %s", c->pt, c->fmtp);
    return rc;
}

/* a=ssrc:<ssrc> cname: (RFC 5576 §6.1) and the msid form Chromium writes,
 * which peers without a=msid support still read. */
static int render_ssrc(peerc_sdp_media *m, const peerc_sdp_media_desc *d, uint32_t ssrc)
{
    const char *stream = d->n_stream_ids ? d->stream_ids[0] : "-";
    int rc = peerc__sdp_media_add_attrf(m, "ssrc", "%lu cname:%s", (unsigned long)ssrc, d->cname);
    if (rc == PEERC_OK)
        rc = peerc__sdp_media_add_attrf(m, "ssrc", "%lu msid:%s %s", (unsigned long)ssrc, stream,
                                        d->track_id);
    return rc;
}

static int render_ssrcs(peerc_sdp_media *m, const peerc_sdp_media_desc *d)
{
    int rc = PEERC_OK;
    if (!d->track_id || !d->ssrc)
        return PEERC_OK;
    /* RFC 4588 §8.7 / RFC 5576 §4.2: FID pairs the original and rtx SSRC. */
    if (d->rtx_ssrc)
        rc = peerc__sdp_media_add_attrf(m, "ssrc-group", "FID %lu %lu", (unsigned long)d->ssrc,
                                        (unsigned long)d->rtx_ssrc);
    if (rc == PEERC_OK)
        rc = render_ssrc(m, d, d->ssrc);
    if (rc == PEERC_OK && d->rtx_ssrc)
        rc = render_ssrc(m, d, d->rtx_ssrc);
    return rc;
}

int peerc__sdp_media_desc_render(peerc_sdp_media *m, const peerc_sdp_media_desc *d)
{
    int rc = render_extmaps(m, d->extmaps);
    if (rc == PEERC_OK)
        rc = peerc__sdp_media_add_attr(m, peerc__sdp_direction_to_string(d->direction), NULL);
    if (rc == PEERC_OK)
        rc = render_msid(m, d);
    /* We require RTP/RTCP multiplexing (RFC 8829 §4.1.1 "require" policy,
     * RFC 5761 §5.1.1), so every section says so. */
    if (rc == PEERC_OK)
        rc = peerc__sdp_media_add_attr(m, "rtcp-mux", NULL);
    if (rc == PEERC_OK && d->rtcp_rsize)
        rc = peerc__sdp_media_add_attr(m, "rtcp-rsize", NULL);
    for (size_t i = 0; rc == PEERC_OK && i < d->codecs->count; i++)
        rc = render_codec(m, d->codecs, &d->codecs->items[i]);
    if (rc == PEERC_OK)
        rc = render_ssrcs(m, d);
    return rc;
}

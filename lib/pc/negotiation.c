/*
 * What offers and answers contain (JSEP, RFC 8829 §5.2-5.3) and what
 * applying them means for transceivers (§5.10, W3C webrtc-pc 4.4.1.5-6):
 * m-line order and mids, codec and extension negotiation, directions, and
 * the track / remove_track events.
 */
#include "pc/pc_internal.h"
#include "pc/media_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "dtls/cert.h"
#include "rtp/h264.h"
#include "sdp/media.h"

/* transport-cc needs send-side bandwidth estimation driven by our own
 * feedback; until that exists we neither offer nor accept it, so peers
 * fall back to REMB (which we send) and loss-based control. */
static const char *const unsupported_fb[] = {"transport-cc"};
static const char twcc_uri[] = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

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
static void strip_vp9_profiles(peerc_sdp_codec_set *set)
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

static void strip_unsupported(peerc_sdp_codec_set *codecs, peerc_sdp_extmaps *x)
{
    for (size_t i = 0; codecs && i < codecs->count; i++) {
        peerc_sdp_strv *fb = &codecs->items[i].rtcp_fb;
        for (size_t j = 0; j < fb->count;) {
            if (strcmp(fb->items[j], unsupported_fb[0]) == 0) {
                free(fb->items[j]);
                memmove(&fb->items[j], &fb->items[j + 1], (fb->count - j - 1) * sizeof *fb->items);
                fb->count--;
            } else {
                j++;
            }
        }
    }
    for (size_t i = 0; x && i < x->count;) {
        if (strcmp(x->items[i].uri, twcc_uri) == 0) {
            free(x->items[i].uri);
            free(x->items[i].attributes);
            memmove(&x->items[i], &x->items[i + 1], (x->count - i - 1) * sizeof *x->items);
            x->count--;
        } else {
            i++;
        }
    }
}

static const char *kind_name(peerc_media_kind k)
{
    return k == PEERC_MEDIA_KIND_AUDIO ? "audio" : "video";
}

static int kind_from_name(const char *s)
{
    if (strcmp(s, "audio") == 0)
        return PEERC_MEDIA_KIND_AUDIO;
    if (strcmp(s, "video") == 0)
        return PEERC_MEDIA_KIND_VIDEO;
    return 0;
}

static peerc_transceiver *find_by_mid(const peerc_pc *pc, const char *mid)
{
    for (guint i = 0; mid && i < pc->transceivers->len; i++) {
        peerc_transceiver *t = g_ptr_array_index(pc->transceivers, i);
        if (t->mid && strcmp(t->mid, mid) == 0)
            return t;
    }
    return NULL;
}

gboolean peerc__pc_sdp_has_media(const peerc_sdp *sdp)
{
    for (size_t i = 0; sdp && i < sdp->n_media; i++)
        if (peerc__sdp_media_is_rtp(sdp->media[i]))
            return TRUE;
    return FALSE;
}

static int has_data_section(const peerc_sdp *sdp)
{
    for (size_t i = 0; sdp && i < sdp->n_media; i++)
        if (peerc__sdp_media_is_sctp(sdp->media[i]) && !peerc__sdp_media_is_rejected(sdp->media[i]))
            return 1;
    return 0;
}

/* ------------------------------------------------------------- H.264 */

/* What an ENCODED H.264 track offers: Constrained Baseline 3.1,
 * packetization-mode 1, as browsers' hardware paths expect. */
#define H264_PT 102
#define H264_RTX_PT 103
#define H264_FMTP "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"
static const char *const h264_fb[] = {"goog-remb", "ccm fir", "nack", "nack pli"};

static gboolean sends_encoded(const peerc_transceiver *t, int32_t codec)
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
static void offer_h264_first(peerc_sdp_codec_set *codecs)
{
    peerc_sdp_codec c = {.pt = H264_PT, .name = "H264", .clock_rate = 90000, .channels = 1,
                         .fmtp = H264_FMTP, .rtx_apt = -1, .rtx_pt = H264_RTX_PT};
    peerc_sdp_codec rtx = {.pt = H264_RTX_PT, .name = "rtx", .clock_rate = 90000, .channels = 1,
                           .fmtp = "apt=102", .rtx_apt = H264_PT, .rtx_pt = -1};
    prepend_codec(codecs, &c, &rtx, h264_fb, G_N_ELEMENTS(h264_fb));
}

/* Answering for an ENCODED H.264 track: the offered H.264 that matches ours
 * (RFC 6184 8.1: same packetization-mode and profile), first. */
static void answer_h264_first(const peerc_sdp_codec_set *offered, peerc_sdp_codec_set *codecs)
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

/* ------------------------------------------------------ section builder */

/* Storage for one description's sections and everything they point to. */
typedef struct sections {
    GArray *sections;  /* peerc_sdp_section */
    GPtrArray *owned;  /* freed with g_free / clear functions below */
    GPtrArray *sets;   /* peerc_sdp_codec_set * */
    GPtrArray *maps;   /* peerc_sdp_extmaps * */
} sections;

static void sections_init(sections *s)
{
    s->sections = g_array_new(FALSE, TRUE, sizeof(peerc_sdp_section));
    s->owned = g_ptr_array_new_with_free_func(g_free);
    s->sets = g_ptr_array_new();
    s->maps = g_ptr_array_new();
}

static void sections_clear(sections *s)
{
    for (guint i = 0; i < s->sets->len; i++) {
        peerc__sdp_codec_set_clear(g_ptr_array_index(s->sets, i));
        g_free(g_ptr_array_index(s->sets, i));
    }
    for (guint i = 0; i < s->maps->len; i++) {
        peerc__sdp_extmaps_clear(g_ptr_array_index(s->maps, i));
        g_free(g_ptr_array_index(s->maps, i));
    }
    g_ptr_array_free(s->sets, TRUE);
    g_ptr_array_free(s->maps, TRUE);
    g_ptr_array_free(s->owned, TRUE);
    g_array_free(s->sections, TRUE);
}

static void *keep(sections *s, void *p)
{
    g_ptr_array_add(s->owned, p);
    return p;
}

static peerc_sdp_codec_set *new_set(sections *s)
{
    peerc_sdp_codec_set *c = g_new0(peerc_sdp_codec_set, 1);
    g_ptr_array_add(s->sets, c);
    return c;
}

static peerc_sdp_extmaps *new_maps(sections *s)
{
    peerc_sdp_extmaps *x = g_new0(peerc_sdp_extmaps, 1);
    g_ptr_array_add(s->maps, x);
    return x;
}

static void add_section(sections *s, const peerc_sdp_section *sec)
{
    g_array_append_val(s->sections, *sec);
}

static void add_rejected(sections *s, const char *mid, const peerc_sdp_media *from)
{
    peerc_sdp_section sec = {.type = PEERC_SDP_SECTION_REJECTED, .mid = mid, .rejected_from = from};
    add_section(s, &sec);
}

static void add_data(sections *s, const char *mid, const char *proto)
{
    peerc_sdp_section sec = {.type = PEERC_SDP_SECTION_DATA, .mid = mid, .data_proto = proto};
    add_section(s, &sec);
}

static int copy_codecs(const peerc_sdp_codec_set *from, peerc_sdp_codec_set *to);

/* A media section for t with the given codecs/extensions and direction. */
static void add_media(sections *s, peerc_pc *pc, peerc_transceiver *t, peerc_sdp_codec_set *codecs,
                      peerc_sdp_extmaps *maps, peerc_direction dir, const char *proto)
{
    peerc_sdp_media_desc *d = keep(s, g_new0(peerc_sdp_media_desc, 1));
    peerc_sdp_section sec = {.type = PEERC_SDP_SECTION_MEDIA, .mid = t->mid, .media = d};
    gboolean has_rtx = FALSE;
    for (size_t i = 0; i < codecs->count; i++)
        has_rtx |= codecs->items[i].rtx_apt >= 0;
    d->kind = kind_name(t->kind);
    d->mid = t->mid;
    d->direction = (peerc_sdp_direction)dir;
    d->codecs = codecs;
    d->extmaps = maps;
    d->cname = pc->cname;
    d->rtcp_rsize = 1;
    d->proto = proto; /* an answer repeats the offered proto (RFC 3264 6) */
    /* RFC 8830: msid and SSRCs only describe something we send. */
    if (t->send_track && peerc__direction_sends(dir)) {
        d->track_id = t->send_track->id;
        d->stream_ids = (const char *const *)t->stream_ids;
        d->n_stream_ids = t->stream_ids ? g_strv_length(t->stream_ids) : 0;
        d->ssrc = t->ssrc;
        d->rtx_ssrc = has_rtx ? t->rtx_ssrc : 0;
    }
    add_section(s, &sec);
}

static int copy_codecs(const peerc_sdp_codec_set *from, peerc_sdp_codec_set *to)
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

static void copy_extmaps(const peerc_sdp_extmaps *from, peerc_sdp_extmaps *to)
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

/* ------------------------------------------------------------------ offer */

static gboolean mid_in_use(const peerc_pc *pc, const char *mid)
{
    if (find_by_mid(pc, mid))
        return TRUE;
    if (pc->current_local.sdp && peerc__sdp_find_mid(pc->current_local.sdp, mid) >= 0)
        return TRUE;
    if (pc->current_remote.sdp && peerc__sdp_find_mid(pc->current_remote.sdp, mid) >= 0)
        return TRUE;
    return pc->pending_remote.sdp && peerc__sdp_find_mid(pc->pending_remote.sdp, mid) >= 0;
}

/* Browsers number mids 0, 1, 2...; any unused token works (RFC 5888). */
static char *new_mid(peerc_pc *pc, sections *s)
{
    char buf[16];
    for (;; pc->next_mid++) {
        gboolean taken = FALSE;
        snprintf(buf, sizeof buf, "%u", pc->next_mid);
        for (guint i = 0; i < s->sections->len; i++) {
            const peerc_sdp_section *sec = &g_array_index(s->sections, peerc_sdp_section, i);
            taken |= sec->mid && strcmp(sec->mid, buf) == 0;
        }
        if (!taken && !mid_in_use(pc, buf))
            break;
    }
    pc->next_mid++;
    return g_strdup(buf);
}

static void offer_media(sections *s, peerc_pc *pc, peerc_transceiver *t)
{
    peerc_sdp_codec_set *codecs = new_set(s);
    peerc_sdp_extmaps *maps = new_maps(s);
    if (t->has_negotiated) {
        /* JSEP 5.2.2: keep what was negotiated (payload types included). */
        copy_codecs(&t->codecs, codecs);
        copy_extmaps(&t->extmaps, maps);
    } else {
        peerc__sdp_local_codecs(kind_name(t->kind), codecs);
        peerc__sdp_local_extmaps(kind_name(t->kind), maps);
        if (sends_encoded(t, PEERC_VIDEO_CODEC_H264))
            offer_h264_first(codecs);
    }
    strip_unsupported(codecs, maps);
    add_media(s, pc, t, codecs, maps, t->direction, NULL);
}

/* JSEP 5.2.2: previous m-lines keep their place and mid. */
static gboolean offer_previous(sections *s, peerc_pc *pc, const peerc_sdp *prev)
{
    gboolean have_data = FALSE;
    for (size_t i = 0; prev && i < prev->n_media; i++) {
        const peerc_sdp_media *pm = prev->media[i];
        const char *mid = peerc__sdp_media_mid(pm);
        peerc_transceiver *t = find_by_mid(pc, mid);
        if (!have_data && peerc__sdp_media_is_sctp(pm) && !peerc__sdp_media_is_rejected(pm)) {
            have_data = TRUE;
            add_data(s, mid, pm->proto);
        } else if (t && !t->stopped && peerc__sdp_media_is_rtp(pm)) {
            offer_media(s, pc, t);
        } else {
            add_rejected(s, mid, pm);
        }
    }
    return have_data;
}

static void fill_local_params(peerc_pc *pc, peerc_sdp_local_params *p)
{
    peerc__sdp_local_params_init(p);
    p->ice_ufrag = peerc__ice_local_ufrag(pc->ice);
    p->ice_pwd = peerc__ice_local_pwd(pc->ice);
    p->fingerprint_alg = "sha-256";
    p->fingerprint = peerc__cert_fingerprint(pc->cert);
    p->session_id = pc->session_id;
    p->session_version = ++pc->session_version;
    p->max_message_size = pc->config.max_message_size;
}

int peerc__pc_build_offer(peerc_pc *pc, peerc_sdp **out, char *err, size_t errlen)
{
    const peerc_sdp *prev = pc->current_local.sdp;
    gboolean want_data = pc->channels->len > 0 || has_data_section(prev);
    peerc_sdp_local_params p;
    sections s;
    gboolean have_data;
    int rc;
    sections_init(&s);
    have_data = offer_previous(&s, pc, prev);
    for (guint i = 0; i < pc->transceivers->len; i++) {
        peerc_transceiver *t = g_ptr_array_index(pc->transceivers, i);
        if (t->stopped || (t->mid && prev && peerc__sdp_find_mid(prev, t->mid) >= 0))
            continue;
        if (!t->mid)
            t->mid = new_mid(pc, &s);
        offer_media(&s, pc, t);
    }
    if (want_data && !have_data)
        add_data(&s, keep(&s, new_mid(pc, &s)), NULL);
    fill_local_params(pc, &p);
    rc = peerc__sdp_build_sections(&p, (const peerc_sdp_section *)s.sections->data,
                                   s.sections->len, "actpass", prev, out, err, errlen);
    sections_clear(&s);
    return rc;
}

/* ----------------------------------------------------------------- answer */

/*
 * RFC 8843 9.1 / RFC 8285 6: in one BUNDLE group an extension id must mean
 * one extension.  aiortc 1.4 offers id 2 as abs-send-time for video and as
 * ssrc-audio-level for audio; it keeps one map per transport, so echoing
 * both makes it misread our packets.  An answerer may leave out any offered
 * extension, so the later clashing one is declined.
 */
static void decline_clashing_extmaps(peerc_pc *pc, const char *mid, peerc_sdp_extmaps *maps,
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

static int answer_media(sections *s, peerc_pc *pc, const peerc_sdp *offer, size_t i,
                        GHashTable *used_ids, char *err, size_t errlen)
{
    const peerc_sdp_media *om = offer->media[i];
    peerc_transceiver *t = find_by_mid(pc, peerc__sdp_media_mid(om));
    peerc_sdp_remote_media rm = {0};
    peerc_sdp_codec_set *codecs;
    peerc_sdp_extmaps *maps;
    const peerc_sdp_codec_pref *prefs;
    size_t n_prefs;
    gboolean send, recv;
    int rc;
    /* peerc__sdp_media_accepts: rtcp-mux, not holdconn, a codec in common;
     * the same rule picks the transport section. */
    if (!t || t->stopped || !peerc__sdp_media_accepts(offer, i)) {
        add_rejected(s, peerc__sdp_media_mid(om), om);
        return PEERC_OK;
    }
    rc = peerc__sdp_remote_media_parse(offer, i, &rm, err, errlen);
    if (rc < 0)
        return rc;
    codecs = new_set(s);
    maps = new_maps(s);
    prefs = peerc__sdp_local_prefs(kind_name(t->kind), &n_prefs);
    rc = peerc__sdp_codecs_intersect(om, prefs, n_prefs, codecs, err, errlen);
    if (rc == PEERC_OK)
        rc = peerc__sdp_extmaps_intersect(&rm.mc.extmaps, NULL, 0, maps);
    if (rc < 0) {
        peerc__sdp_remote_media_clear(&rm);
        return rc;
    }
    strip_unsupported(codecs, maps);
    strip_vp9_profiles(codecs);
    if (sends_encoded(t, PEERC_VIDEO_CODEC_H264))
        answer_h264_first(&rm.mc.codecs, codecs);
    decline_clashing_extmaps(pc, t->mid, maps, used_ids);
    if (codecs->count == 0) {
        /* RFC 3264 6: nothing in common rejects this m-line only. */
        PEERC_WARN("pc", "%p m-line %zu (mid %s): no codec in common, rejected", (void *)pc, i,
                   t->mid);
        add_rejected(s, t->mid, om);
    } else {
        /* JSEP 5.3.1: send only what they receive, receive only what they send. */
        send = peerc__direction_sends(t->direction) && peerc__direction_receives(rm.direction);
        recv = peerc__direction_receives(t->direction) && peerc__direction_sends(rm.direction);
        add_media(s, pc, t, codecs, maps, peerc__direction_make(send, recv), om->proto);
    }
    peerc__sdp_remote_media_clear(&rm);
    return PEERC_OK;
}

int peerc__pc_build_answer(peerc_pc *pc, const char *setup, peerc_sdp **out, char *err,
                           size_t errlen)
{
    const peerc_sdp *offer = pc->pending_remote.sdp;
    peerc_sdp_local_params p;
    sections s;
    GHashTable *used_ids; /* extmap id -> uri already answered (uris owned by s) */
    int rc = PEERC_OK;
    if (!offer)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_STATE, "no remote offer");
    sections_init(&s);
    used_ids = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (size_t i = 0; rc == PEERC_OK && i < offer->n_media; i++) {
        const peerc_sdp_media *om = offer->media[i];
        if (peerc__sdp_media_is_sctp(om) && peerc__sdp_answer_accepts(offer, i))
            add_data(&s, peerc__sdp_media_mid(om), om->proto);
        else if (peerc__sdp_media_is_rtp(om))
            rc = answer_media(&s, pc, offer, i, used_ids, err, errlen);
        else
            add_rejected(&s, peerc__sdp_media_mid(om), om);
    }
    if (rc == PEERC_OK) {
        fill_local_params(pc, &p);
        rc = peerc__sdp_build_answer_sections(&p, offer,
                                              (const peerc_sdp_section *)s.sections->data,
                                              s.sections->len, setup, out, err, errlen);
    }
    g_hash_table_destroy(used_ids);
    sections_clear(&s);
    return rc;
}

/* ----------------------------------------------------- remote description */

static void set_remote_info(peerc_transceiver *t, const peerc_sdp_remote_media *rm)
{
    g_strfreev(t->remote_stream_ids);
    t->remote_stream_ids = g_new0(char *, rm->n_stream_ids + 1);
    for (size_t i = 0; i < rm->n_stream_ids; i++)
        t->remote_stream_ids[i] = g_strdup(rm->stream_ids[i]);
    t->remote_ssrc = rm->ssrc;
    t->remote_rtx_ssrc = rm->rtx_ssrc;
}

/* JSEP 5.10: an m-line without a transceiver takes one addTrack made that
 * is not associated yet, else gets a new recvonly one. */
static peerc_transceiver *associate(peerc_pc *pc, const peerc_sdp_remote_media *rm,
                                    peerc_media_kind kind)
{
    peerc_transceiver *t = find_by_mid(pc, rm->mid);
    if (t)
        return t;
    for (guint i = 0; i < pc->transceivers->len; i++) {
        peerc_transceiver *c = g_ptr_array_index(pc->transceivers, i);
        if (!c->mid && !c->stopped && c->kind == kind && c->send_track) {
            t = c;
            break;
        }
    }
    if (!t) {
        t = peerc__transceiver_new(pc, kind, PEERC_DIRECTION_RECVONLY);
        if (!t)
            return NULL;
        t->created_by_remote = TRUE;
        if (rm->track_id && strlen(rm->track_id) < sizeof t->recv_track->id)
            g_strlcpy(t->recv_track->id, rm->track_id, sizeof t->recv_track->id);
    }
    t->mid = g_strdup(rm->mid);
    return t;
}

int peerc__pc_media_remote_description(peerc_pc *pc, const peerc_sdp *sdp, gboolean is_offer,
                                       char *err, size_t errlen)
{
    GPtrArray *parsed = g_ptr_array_new();
    int rc = PEERC_OK;
    /* Parse everything first so a bad section changes nothing. */
    for (size_t i = 0; rc == PEERC_OK && i < sdp->n_media; i++) {
        peerc_sdp_remote_media *rm;
        if (!peerc__sdp_media_is_rtp(sdp->media[i]) || !kind_from_name(sdp->media[i]->type))
            continue;
        rm = g_new0(peerc_sdp_remote_media, 1);
        rc = peerc__sdp_remote_media_parse(sdp, i, rm, err, errlen);
        if (rc == PEERC_OK && !rm->rejected && !rm->mid[0])
            rc = peerc__errorf(err, errlen, PEERC_E_OPERATION, "m-line %zu has no a=mid", i);
        if (rc == PEERC_OK && !rm->rejected && !rm->rtcp_mux)
            rc = peerc__errorf(err, errlen, PEERC_E_OPERATION,
                               "m-line %zu lacks a=rtcp-mux (required, RFC 8834 5.1.3)", i);
        g_ptr_array_add(parsed, rm);
    }
    for (guint i = 0; rc == PEERC_OK && i < parsed->len; i++) {
        peerc_sdp_remote_media *rm = g_ptr_array_index(parsed, i);
        peerc_transceiver *t;
        if (rm->rejected) {
            t = find_by_mid(pc, rm->mid);
            if (t) {
                /* JSEP 5.10: a rejected m-line stops its transceiver */
                t->stopped = TRUE;
                t->remote_direction = PEERC_DIRECTION_INACTIVE;
                t->remote_rejected = TRUE;
            }
            continue;
        }
        t = is_offer ? associate(pc, rm, kind_from_name(rm->kind)) : find_by_mid(pc, rm->mid);
        if (!t)
            continue;
        set_remote_info(t, rm);
        t->remote_direction = (peerc_direction)rm->direction;
        t->remote_rejected = FALSE;
    }
    for (guint i = 0; i < parsed->len; i++) {
        peerc__sdp_remote_media_clear(g_ptr_array_index(parsed, i));
        g_free(g_ptr_array_index(parsed, i));
    }
    g_ptr_array_free(parsed, TRUE);
    return rc;
}

/* W3C "process remote tracks": a track event when the peer starts sending
 * on a transceiver, remove_track when it stops. */
void peerc__pc_media_fire_track_events(peerc_pc *pc)
{
    for (guint i = 0; i < pc->transceivers->len && !pc->closed; i++) {
        peerc_transceiver *t = g_ptr_array_index(pc->transceivers, i);
        gboolean sending = !t->remote_rejected && t->mid && !t->stopped &&
                           peerc__direction_sends(t->remote_direction);
        if (sending == t->remote_sending)
            continue;
        t->remote_sending = sending;
        if (sending) {
            peerc__track_set_ended(t->recv_track, FALSE);
            if (peerc__pc_live(pc) && pc->cbs.track)
                pc->cbs.track(pc, t, t->recv_track, (const char *const *)t->remote_stream_ids,
                              t->remote_stream_ids ? g_strv_length(t->remote_stream_ids) : 0,
                              pc->user_data);
        } else {
            if (peerc__pc_live(pc) && pc->cbs.remove_track)
                pc->cbs.remove_track(pc, t, t->recv_track, pc->user_data);
            peerc__track_set_ended(t->recv_track, TRUE);
        }
    }
}

/* --------------------------------------------------- negotiated settings */

static uint8_t ext_id(const peerc_sdp_extmaps *x, const char *uri)
{
    for (size_t i = 0; i < x->count; i++)
        if (strcmp(x->items[i].uri, uri) == 0 && x->items[i].id <= 14)
            return (uint8_t)x->items[i].id;
    return 0; /* absent, or two-byte only: not written */
}

static gboolean has_fb(const peerc_sdp_codec *c, const char *fb)
{
    for (size_t i = 0; i < c->rtcp_fb.count; i++)
        if (g_ascii_strcasecmp(c->rtcp_fb.items[i], fb) == 0)
            return TRUE;
    return FALSE;
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
    if (sends_encoded(t, PEERC_VIDEO_CODEC_VP8))
        want = PEERC_MEDIA_CODEC_DEFAULT;
    else if (sends_encoded(t, PEERC_VIDEO_CODEC_H264))
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
static const peerc_sdp_codec *primary_codec(const peerc_sdp_codec_set *set,
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

static void configure_sender(peerc_transceiver *t, const peerc_sdp_codec *c, int codec,
                             const peerc_sdp_extmaps *x)
{
    peerc_rtp_sender_config *cfg = &t->send_cfg;
    int rtx = c->rtx_pt;
    char fec[8];
    cfg->ssrc = t->ssrc;
    cfg->payload_type = (uint8_t)c->pt;
    cfg->rtx_payload_type = rtx >= 0 ? rtx : -1;
    cfg->rtx_ssrc = rtx >= 0 ? t->rtx_ssrc : 0;
    cfg->mid_ext_id = ext_id(x, "urn:ietf:params:rtp-hdrext:sdes:mid");
    g_strlcpy(cfg->mid, t->mid, sizeof cfg->mid);
    cfg->abs_send_time_ext_id = ext_id(x, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time");
    cfg->twcc_ext_id = 0;
    cfg->audio_level_ext_id = ext_id(x, "urn:ietf:params:rtp-hdrext:ssrc-audio-level");
    cfg->opus_fec = c->fmtp && peerc__sdp_fmtp_param(c->fmtp, "useinbandfec", fec, sizeof fec) &&
                    strcmp(fec, "1") == 0;
    cfg->codec = codec;
    t->send_negotiated = TRUE;
    if (t->sender)
        peerc__rtp_sender_reconfigure(t->sender, cfg);
}

static void configure_receiver(peerc_pc *pc, peerc_transceiver *t, const peerc_sdp_codec *c,
                               int codec)
{
    peerc_rtp_receiver_config *cfg = &t->recv_cfg;
    char err[PEERC_ERRBUF_SIZE];
    peerc__rtp_receiver_config_init(cfg, t->kind == PEERC_MEDIA_KIND_VIDEO ? PEERC_MEDIA_VIDEO
                                                                           : PEERC_MEDIA_AUDIO);
    cfg->local_ssrc = t->ssrc;
    cfg->remote_ssrc = t->remote_ssrc;
    cfg->payload_type = (uint8_t)c->pt;
    cfg->rtx_payload_type = c->rtx_pt;
    cfg->rtx_ssrc = t->remote_rtx_ssrc;
    cfg->nack = has_fb(c, "nack");
    cfg->pli = has_fb(c, "nack pli");
    cfg->fir = has_fb(c, "ccm fir");
    cfg->channels = 2;
    cfg->codec = codec;
    if (t->receiver) {
        peerc__rtp_receiver_reconfigure(t->receiver, cfg);
    } else if (peerc__rtp_receiver_new(cfg, &peerc__pc_receiver_callbacks, t, &t->receiver, err,
                                       sizeof err) < 0) {
        PEERC_ERROR("media", "%p mid %s: cannot create the receiver: %s", (void *)pc, t->mid, err);
        return;
    }
    if (t->remote_ssrc)
        peerc__pc_media_map_ssrc(pc, t->remote_ssrc, t);
    if (t->remote_rtx_ssrc)
        peerc__pc_media_map_ssrc(pc, t->remote_rtx_ssrc, t);
}

/* Apply one answered m-line to its transceiver. */
static void apply_answered(peerc_pc *pc, const peerc_sdp *answer, size_t i, gboolean we_answered)
{
    peerc_sdp_remote_media am = {0};
    peerc_transceiver *t;
    const peerc_sdp_codec *c;
    int codec;
    if (peerc__sdp_remote_media_parse(answer, i, &am, NULL, 0) < 0)
        goto out;
    t = find_by_mid(pc, am.mid);
    if (!t)
        goto out;
    if (am.rejected) {
        t->current_direction = PEERC_DIRECTION_INACTIVE;
        t->stopped = TRUE;
        goto out;
    }
    t->current_direction = we_answered ? (int)am.direction
                                       : (int)peerc__sdp_direction_reverse(am.direction);
    c = primary_codec(&am.mc.codecs, t, &codec);
    if (!c) {
        PEERC_WARN("media", "%p mid %s: no codec we implement was negotiated", (void *)pc, t->mid);
        goto out;
    }
    peerc__sdp_codec_set_clear(&t->codecs);
    peerc__sdp_extmaps_clear(&t->extmaps);
    copy_codecs(&am.mc.codecs, &t->codecs);
    copy_extmaps(&am.mc.extmaps, &t->extmaps);
    t->has_negotiated = TRUE;
    g_strlcpy(t->codec_name, c->name, sizeof t->codec_name);
    t->payload_type = (uint8_t)c->pt;
    configure_sender(t, c, codec, &am.mc.extmaps);
    if (peerc__direction_receives(t->current_direction))
        configure_receiver(pc, t, c, codec);
out:
    peerc__sdp_remote_media_clear(&am);
}

void peerc__pc_media_negotiated(peerc_pc *pc)
{
    gboolean we_answered = pc->current_local.type == PEERC_SDP_ANSWER;
    const peerc_sdp *answer = we_answered ? pc->current_local.sdp : pc->current_remote.sdp;
    char err[PEERC_ERRBUF_SIZE] = "";
    if (!answer)
        return;
    if (peerc__sdp_bundle_extmap_check(answer, err, sizeof err) == PEERC_E_OPERATION)
        /* Each m-line keeps its own map, so packets are read correctly
         * after SSRC/mid demultiplexing; the peer may still object. */
        PEERC_WARN("media", "%p %s; using per-m-line extension maps", (void *)pc, err);
    for (size_t i = 0; i < answer->n_media; i++)
        if (peerc__sdp_media_is_rtp(answer->media[i]))
            apply_answered(pc, answer, i, we_answered);
    peerc__pc_media_update_senders(pc);
}

/* Whether t's m-line in our current description says what t wants now
 * (W3C "check if negotiation is needed", transceiver steps). */
static gboolean description_differs(const peerc_pc *pc, const peerc_transceiver *t,
                                    const peerc_sdp_remote_media *lm)
{
    peerc_direction expected = t->direction;
    if (pc->current_local.type != PEERC_SDP_OFFER) {
        /* our answer: what t wants intersected with what was offered */
        peerc_direction offered = t->remote_direction;
        expected = peerc__direction_make(
            peerc__direction_sends(t->direction) && peerc__direction_receives(offered),
            peerc__direction_receives(t->direction) && peerc__direction_sends(offered));
    }
    if ((peerc_direction)lm->direction != expected)
        return TRUE;
    return peerc__direction_sends(t->direction) && (t->send_track != NULL) != (lm->track_id != NULL);
}

gboolean peerc__pc_media_negotiation_needed(const peerc_pc *pc)
{
    const peerc_sdp *local = pc->current_local.sdp;
    for (guint i = 0; i < pc->transceivers->len; i++) {
        const peerc_transceiver *t = g_ptr_array_index(pc->transceivers, i);
        peerc_sdp_remote_media lm = {0};
        gboolean differs = TRUE;
        int idx;
        if (t->stopped)
            continue;
        if (!t->mid || !local || (idx = peerc__sdp_find_mid(local, t->mid)) < 0)
            return TRUE; /* not in any description yet */
        if (peerc__sdp_remote_media_parse(local, (size_t)idx, &lm, NULL, 0) == PEERC_OK)
            differs = lm.rejected ? FALSE : description_differs(pc, t, &lm);
        peerc__sdp_remote_media_clear(&lm);
        if (differs)
            return TRUE;
    }
    return FALSE;
}

/*
 * What offers and answers contain (JSEP, RFC 8829 5.2-5.3): m-line order
 * and mids, each transceiver's section (codecs and extensions from
 * codec-choice.c), directions, data and rejected sections.
 */
#include "pc/pc_internal.h"
#include "pc/media_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "dtls/cert.h"
#include "sdp/media.h"

static int has_data_section(const peerc_sdp *sdp)
{
    for (size_t i = 0; sdp && i < sdp->n_media; i++)
        if (peerc__sdp_media_is_sctp(sdp->media[i]) && !peerc__sdp_media_is_rejected(sdp->media[i]))
            return 1;
    return 0;
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

/* A media section for t with the given codecs/extensions and direction. */
static void add_media(sections *s, peerc_pc *pc, peerc_transceiver *t, peerc_sdp_codec_set *codecs,
                      peerc_sdp_extmaps *maps, peerc_direction dir, const char *proto)
{
    peerc_sdp_media_desc *d = keep(s, g_new0(peerc_sdp_media_desc, 1));
    peerc_sdp_section sec = {.type = PEERC_SDP_SECTION_MEDIA, .mid = t->mid, .media = d};
    gboolean has_rtx = FALSE;
    for (size_t i = 0; i < codecs->count; i++)
        has_rtx |= codecs->items[i].rtx_apt >= 0;
    d->kind = peerc__media_kind_sdp_name(t->kind);
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

/* ------------------------------------------------------------------ offer */

static gboolean mid_in_use(const peerc_pc *pc, const char *mid)
{
    if (peerc__pc_transceiver_by_mid(pc, mid))
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
        peerc__pc_copy_codecs(&t->codecs, codecs);
        peerc__pc_copy_extmaps(&t->extmaps, maps);
    } else {
        peerc__sdp_local_codecs(peerc__media_kind_sdp_name(t->kind), codecs);
        peerc__sdp_local_extmaps(peerc__media_kind_sdp_name(t->kind), maps);
        if (peerc__pc_sends_encoded(t, PEERC_VIDEO_CODEC_H264))
            peerc__pc_offer_h264_first(codecs);
    }
    add_media(s, pc, t, codecs, maps, t->direction, NULL);
}

/* JSEP 5.2.2: previous m-lines keep their place and mid. */
static gboolean offer_previous(sections *s, peerc_pc *pc, const peerc_sdp *prev)
{
    gboolean have_data = FALSE;
    for (size_t i = 0; prev && i < prev->n_media; i++) {
        const peerc_sdp_media *pm = prev->media[i];
        const char *mid = peerc__sdp_media_mid(pm);
        peerc_transceiver *t = peerc__pc_transceiver_by_mid(pc, mid);
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

static int answer_media(sections *s, peerc_pc *pc, const peerc_sdp *offer, size_t i,
                        GHashTable *used_ids, char *err, size_t errlen)
{
    const peerc_sdp_media *om = offer->media[i];
    peerc_transceiver *t = peerc__pc_transceiver_by_mid(pc, peerc__sdp_media_mid(om));
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
    prefs = peerc__sdp_local_prefs(peerc__media_kind_sdp_name(t->kind), &n_prefs);
    rc = peerc__sdp_codecs_intersect(om, prefs, n_prefs, codecs, err, errlen);
    if (rc == PEERC_OK)
        rc = peerc__sdp_extmaps_intersect(&rm.mc.extmaps, NULL, 0, maps);
    if (rc < 0) {
        peerc__sdp_remote_media_clear(&rm);
        return rc;
    }
    peerc__pc_strip_vp9_profiles(codecs);
    if (peerc__pc_sends_encoded(t, PEERC_VIDEO_CODEC_H264))
        peerc__pc_answer_h264_first(&rm.mc.codecs, codecs);
    peerc__pc_decline_clashing_extmaps(pc, t->mid, maps, used_ids);
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


/*
 * What applying descriptions means for transceivers (JSEP 5.10, W3C
 * webrtc-pc 4.4.1.5-6): remote m-lines matched to transceivers, the track
 * and remove_track events, senders and receivers configured from the
 * answer, and the transceiver part of "negotiation needed".
 */
#include "pc/pc_internal.h"
#include "pc/media_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "sdp/media.h"

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
    peerc_transceiver *t = peerc__pc_transceiver_by_mid(pc, rm->mid);
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
        if (!peerc__sdp_media_is_rtp(sdp->media[i]) ||
            !peerc__media_kind_from_sdp_name(sdp->media[i]->type))
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
            t = peerc__pc_transceiver_by_mid(pc, rm->mid);
            if (t) {
                /* JSEP 5.10: a rejected m-line stops its transceiver */
                t->stopped = TRUE;
                t->remote_direction = PEERC_DIRECTION_INACTIVE;
                t->remote_rejected = TRUE;
            }
            continue;
        }
        t = is_offer ? associate(pc, rm, peerc__media_kind_from_sdp_name(rm->kind))
                     : peerc__pc_transceiver_by_mid(pc, rm->mid);
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
    cfg->twcc_ext_id =
        ext_id(x, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01");
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
    t = peerc__pc_transceiver_by_mid(pc, am.mid);
    if (!t)
        goto out;
    if (am.rejected) {
        t->current_direction = PEERC_DIRECTION_INACTIVE;
        t->stopped = TRUE;
        goto out;
    }
    t->current_direction = we_answered ? (int)am.direction
                                       : (int)peerc__sdp_direction_reverse(am.direction);
    c = peerc__pc_primary_codec(&am.mc.codecs, t, &codec);
    if (!c) {
        PEERC_WARN("media", "%p mid %s: no codec we implement was negotiated", (void *)pc, t->mid);
        goto out;
    }
    peerc__sdp_codec_set_clear(&t->codecs);
    peerc__sdp_extmaps_clear(&t->extmaps);
    peerc__pc_copy_codecs(&am.mc.codecs, &t->codecs);
    peerc__pc_copy_extmaps(&am.mc.extmaps, &t->extmaps);
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

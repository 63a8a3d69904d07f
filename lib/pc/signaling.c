/*
 * JSEP signalling (RFC 8829, W3C webrtc-pc 4.4.1): offers, answers,
 * descriptions, the signalling state machine, remote candidates, and the
 * negotiation-needed flag.
 */
#include "pc/pc_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "dtls/cert.h"
#include "pc/media_internal.h"
#include "sdp/sdp.h"

#define ERR(call) (call)->err, sizeof (call)->err

/* ------------------------------------------------------------- helpers */

static void set_description(pc_description *d, peerc_sdp *sdp, peerc_sdp_type type)
{
    peerc__sdp_free(d->sdp);
    d->sdp = sdp;
    d->type = type;
}

/* Move src into dst, leaving src empty. */
static void move_description(pc_description *dst, pc_description *src)
{
    set_description(dst, src->sdp, src->type);
    src->sdp = NULL;
}

void peerc__pc_free_descriptions(peerc_pc *pc)
{
    set_description(&pc->current_local, NULL, 0);
    set_description(&pc->pending_local, NULL, 0);
    set_description(&pc->current_remote, NULL, 0);
    set_description(&pc->pending_remote, NULL, 0);
    g_free(pc->transport_mid);
    pc->transport_mid = NULL;
}

void peerc__pc_set_signaling(peerc_pc *pc, peerc_signaling_state state)
{
    if (pc->signaling == state)
        return;
    pc->signaling = state;
    PEERC_DEBUG("pc", "%p signaling %s", (void *)pc, peerc_signaling_state_to_string(state));
    if (peerc__pc_live(pc) && pc->cbs.signaling_state_change)
        pc->cbs.signaling_state_change(pc, state, pc->user_data);
}

static const peerc_sdp *remote_sdp(const peerc_pc *pc)
{
    return pc->pending_remote.sdp ? pc->pending_remote.sdp : pc->current_remote.sdp;
}

/* A data m-line that is not rejected. */
static int has_data_section(const peerc_sdp *sdp)
{
    for (size_t i = 0; sdp && i < sdp->n_media; i++)
        if (peerc__sdp_media_is_sctp(sdp->media[i]) && !peerc__sdp_media_is_rejected(sdp->media[i]))
            return 1;
    return 0;
}

static int check_open(pc_call *call)
{
    if (call->pc->closed)
        return peerc__errorf(ERR(call), PEERC_E_INVALID_STATE, "the peer connection is closed");
    return PEERC_OK;
}

static int check_type(pc_call *call)
{
    if (call->type < PEERC_SDP_OFFER || call->type > PEERC_SDP_ROLLBACK)
        return peerc__errorf(ERR(call), PEERC_E_INVALID_ARGUMENT, "unknown SDP type %d",
                             (int)call->type);
    return PEERC_OK;
}

static int output_sdp(pc_call *call, const peerc_sdp *sdp)
{
    char *text = peerc__sdp_serialize(sdp);
    if (!text)
        return peerc__errorf(ERR(call), PEERC_E_NO_MEMORY, "out of memory");
    *call->out_text = text;
    return PEERC_OK;
}

/* -------------------------------------------------------- create offer */

static int build_offer(peerc_pc *pc, int ice_restart, peerc_sdp **out, char *err, size_t errlen)
{
    if (ice_restart || pc->ice_restart_requested) {
        /* New credentials now; the remote's arrive with its answer. */
        peerc__ice_restart(pc->ice);
        pc->ice_restart_requested = FALSE;
    }
    return peerc__pc_build_offer(pc, out, err, errlen);
}

int peerc__pc_do_create_offer(pc_call *call)
{
    peerc_pc *pc = call->pc;
    const peerc_offer_options *opts = call->in;
    peerc_sdp *sdp = NULL;
    int rc = check_open(call);
    if (rc < 0)
        return rc;
    if (pc->signaling != PEERC_SIGNALING_STABLE && pc->signaling != PEERC_SIGNALING_HAVE_LOCAL_OFFER)
        return peerc__errorf(ERR(call), PEERC_E_INVALID_STATE, "cannot create an offer in %s",
                             peerc_signaling_state_to_string(pc->signaling));
    rc = build_offer(pc, opts && opts->ice_restart, &sdp, ERR(call));
    if (rc == PEERC_OK)
        rc = output_sdp(call, sdp);
    peerc__sdp_free(sdp);
    return rc;
}

/* ------------------------------------------------------- create answer */

static int build_answer(peerc_pc *pc, peerc_sdp **out, char *err, size_t errlen)
{
    /* Browsers answer "active" (RFC 8842 5); keep the role on renegotiation. */
    const char *setup = "active";
    if (pc->dtls)
        setup = pc->is_dtls_client ? "active" : "passive";
    return peerc__pc_build_answer(pc, setup, out, err, errlen);
}

int peerc__pc_do_create_answer(pc_call *call)
{
    peerc_pc *pc = call->pc;
    peerc_sdp *sdp = NULL;
    int rc = check_open(call);
    if (rc < 0)
        return rc;
    if (pc->signaling != PEERC_SIGNALING_HAVE_REMOTE_OFFER &&
        pc->signaling != PEERC_SIGNALING_HAVE_LOCAL_PRANSWER)
        return peerc__errorf(ERR(call), PEERC_E_INVALID_STATE, "cannot create an answer in %s",
                             peerc_signaling_state_to_string(pc->signaling));
    rc = build_answer(pc, &sdp, ERR(call));
    if (rc == PEERC_OK)
        rc = output_sdp(call, sdp);
    peerc__sdp_free(sdp);
    return rc;
}

/* ------------------------------------------------- negotiation needed */

static gboolean negotiation_is_needed(const peerc_pc *pc)
{
    if (pc->closed)
        return FALSE;
    if (pc->ice_restart_requested)
        return TRUE;
    /* A data channel exists but no negotiated description carries SCTP. */
    if (pc->channels->len > 0 && !has_data_section(pc->current_local.sdp))
        return TRUE;
    return peerc__pc_media_negotiation_needed(pc);
}

static void fire_negotiation_needed(void *arg)
{
    peerc_pc *pc = arg;
    pc->negotiation_needed_queued = FALSE;
    /* Re-check: the application may have negotiated in the meantime. */
    if (pc->signaling != PEERC_SIGNALING_STABLE || !negotiation_is_needed(pc) ||
        pc->negotiation_needed)
        return;
    pc->negotiation_needed = TRUE;
    if (peerc__pc_live(pc) && pc->cbs.negotiation_needed)
        pc->cbs.negotiation_needed(pc, pc->user_data);
}

static void unref_pc(void *arg)
{
    peerc__pc_unref(arg);
}

void peerc__pc_update_negotiation_needed(peerc_pc *pc)
{
    if (pc->signaling != PEERC_SIGNALING_STABLE)
        return; /* re-checked when stable again */
    if (!negotiation_is_needed(pc)) {
        pc->negotiation_needed = FALSE;
        return;
    }
    if (pc->negotiation_needed || pc->negotiation_needed_queued)
        return;
    /* W3C: the event is queued, never fired inside the triggering call. */
    pc->negotiation_needed_queued = TRUE;
    peerc__pc_ref(pc);
    peerc__ctx_post(pc->ctx, fire_negotiation_needed, pc, unref_pc);
}

static void became_stable(peerc_pc *pc)
{
    pc->negotiation_needed = FALSE;
    peerc__pc_set_signaling(pc, PEERC_SIGNALING_STABLE);
    peerc__pc_update_negotiation_needed(pc);
}

/* --------------------------------------------------- local description */

static const char *first_accepted_mid(const peerc_sdp *sdp)
{
    peerc_sdp_strv bundle = {0};
    const char *mid = NULL;
    if (peerc__sdp_bundle_mids(sdp, &bundle) == PEERC_OK && bundle.count) {
        int i = peerc__sdp_find_mid(sdp, bundle.items[0]);
        if (i >= 0)
            mid = peerc__sdp_media_mid(sdp->media[i]);
    }
    peerc__sdp_strv_clear(&bundle);
    for (size_t i = 0; !mid && i < sdp->n_media; i++)
        if (!peerc__sdp_media_is_rejected(sdp->media[i]))
            mid = peerc__sdp_media_mid(sdp->media[i]);
    return mid;
}

static int parse_local(pc_call *call, peerc_sdp **out)
{
    peerc_pc *pc = call->pc;
    int rc = peerc__sdp_parse(call->text, out, ERR(call));
    if (rc < 0)
        return rc;
    /* SDP "munging" may change many things, but the ICE credentials and the
     * identity are ours (W3C: InvalidModificationError). */
    for (size_t i = 0; i < (*out)->n_media; i++) {
        const char *ufrag = peerc__sdp_media_ice_ufrag(*out, (*out)->media[i]);
        if (peerc__sdp_media_is_rejected((*out)->media[i]))
            continue;
        if (!ufrag || strcmp(ufrag, peerc__ice_local_ufrag(pc->ice)) != 0) {
            peerc__sdp_free(*out);
            *out = NULL;
            return peerc__errorf(ERR(call), PEERC_E_INVALID_MODIFICATION,
                                 "local description m-line %zu: ICE ufrag is not this pc's", i);
        }
    }
    return PEERC_OK;
}

static int start_gathering(pc_call *call, const peerc_sdp *sdp)
{
    peerc_pc *pc = call->pc;
    const char *mid = first_accepted_mid(sdp);
    int rc;
    g_free(pc->transport_mid);
    pc->transport_mid = g_strdup(mid ? mid : "0");
    if (pc->gathering != PEERC_ICE_GATHERING_NEW || sdp->n_media == 0)
        return PEERC_OK;
    rc = peerc__ice_gather(pc->ice, ERR(call));
    if (rc < 0)
        return rc;
    pc->gathering = PEERC_ICE_GATHERING_GATHERING;
    if (peerc__pc_live(pc) && pc->cbs.ice_gathering_state_change)
        pc->cbs.ice_gathering_state_change(pc, pc->gathering, pc->user_data);
    return PEERC_OK;
}

static int implicit_local(pc_call *call, peerc_sdp **out)
{
    peerc_pc *pc = call->pc;
    if (pc->signaling == PEERC_SIGNALING_STABLE || pc->signaling == PEERC_SIGNALING_HAVE_LOCAL_OFFER) {
        call->type = PEERC_SDP_OFFER;
        return build_offer(pc, 0, out, ERR(call));
    }
    if (call->type != PEERC_SDP_PRANSWER)
        call->type = PEERC_SDP_ANSWER;
    return build_answer(pc, out, ERR(call));
}

static int apply_local_offer(pc_call *call, peerc_sdp *sdp)
{
    peerc_pc *pc = call->pc;
    set_description(&pc->pending_local, sdp, PEERC_SDP_OFFER);
    /* The offerer controls ICE (RFC 8445 6.1.1), unless the peer is lite. */
    peerc__ice_set_controlling(pc->ice, 1);
    peerc__pc_set_signaling(pc, PEERC_SIGNALING_HAVE_LOCAL_OFFER);
    return start_gathering(call, sdp);
}

static int apply_local_answer(pc_call *call, peerc_sdp *sdp)
{
    peerc_pc *pc = call->pc;
    const peerc_sdp_media *tm;
    const char *setup;
    int rc, idx;
    peerc__ice_set_controlling(pc->ice, 0);
    idx = peerc__sdp_find_mid(sdp, first_accepted_mid(sdp) ? first_accepted_mid(sdp) : "");
    tm = idx >= 0 ? sdp->media[idx] : NULL;
    setup = tm ? peerc__sdp_media_setup(sdp, tm) : NULL;
    if (tm && setup)
        pc->is_dtls_client = strcmp(setup, "active") == 0;
    pc->data_negotiated = has_data_section(sdp);
    rc = start_gathering(call, sdp);
    if (rc < 0) {
        peerc__sdp_free(sdp);
        return rc;
    }
    if (call->type == PEERC_SDP_PRANSWER) {
        set_description(&pc->pending_local, sdp, PEERC_SDP_PRANSWER);
        peerc__pc_set_signaling(pc, PEERC_SIGNALING_HAVE_LOCAL_PRANSWER);
    } else {
        set_description(&pc->current_local, sdp, PEERC_SDP_ANSWER);
        set_description(&pc->pending_local, NULL, 0);
        move_description(&pc->current_remote, &pc->pending_remote);
        pc->current_remote.type = PEERC_SDP_OFFER;
        peerc__pc_media_negotiated(pc);
        became_stable(pc);
    }
    if (tm && pc->remote_fp)
        return peerc__pc_transport_negotiated(pc, ERR(call));
    return PEERC_OK;
}

/* W3C rollback: drop one side's pending description.  own_offer and
 * own_pranswer are that side's states; a rolled-back pranswer returns to
 * the other side's offer state. */
static int rollback(pc_call *call, pc_description *pending, peerc_signaling_state own_offer,
                    peerc_signaling_state own_pranswer, peerc_signaling_state other_offer)
{
    peerc_pc *pc = call->pc;
    if (pc->signaling != own_offer && pc->signaling != own_pranswer)
        return peerc__errorf(ERR(call), PEERC_E_INVALID_STATE, "nothing to roll back in %s",
                             peerc_signaling_state_to_string(pc->signaling));
    set_description(pending, NULL, 0);
    if (pc->signaling == own_pranswer)
        peerc__pc_set_signaling(pc, other_offer);
    else
        became_stable(pc);
    return PEERC_OK;
}

static int rollback_local(pc_call *call)
{
    return rollback(call, &call->pc->pending_local, PEERC_SIGNALING_HAVE_LOCAL_OFFER,
                    PEERC_SIGNALING_HAVE_LOCAL_PRANSWER, PEERC_SIGNALING_HAVE_REMOTE_OFFER);
}

typedef struct announcement {
    peerc_pc *pc;
    peerc_sdp_type type;
    char *sdp;
} announcement;

static void announce(void *arg)
{
    announcement *a = arg;
    peerc_pc *pc = a->pc;
    PEERC_DEBUG("pc", "%p local description (%s) announced", (void *)pc,
                peerc_sdp_type_to_string(a->type));
    peerc__pc_enter(pc);
    if (peerc__pc_live(pc) && pc->cbs.local_description)
        pc->cbs.local_description(pc, a->type, a->sdp, pc->user_data);
    peerc__pc_leave(pc);
    peerc__pc_release_gathering(pc);
}

static void free_announcement(void *arg)
{
    announcement *a = arg;
    peerc__pc_unref(a->pc);
    free(a->sdp);
    free(a);
}

/* Queue the local_description event (text: the applied SDP, taken over);
 * gathering events, which libnice hands over from the main loop, wait
 * behind it. */
static void queue_announcement(peerc_pc *pc, peerc_sdp_type type, char *text)
{
    announcement *a = calloc(1, sizeof *a);
    if (!a) {
        free(text);
        return;
    }
    a->pc = pc;
    a->type = type;
    a->sdp = text;
    peerc__pc_ref(pc);
    pc->announcing = TRUE;
    peerc__ctx_post(pc->ctx, announce, a, free_announcement);
}

int peerc__pc_do_set_local(pc_call *call)
{
    peerc_pc *pc = call->pc;
    peerc_sdp *sdp = NULL;
    char *text;
    int rc = check_open(call);
    if (rc == PEERC_OK)
        rc = check_type(call);
    if (rc < 0)
        return rc;
    if (call->type == PEERC_SDP_ROLLBACK)
        return rollback_local(call);
    if (call->type == PEERC_SDP_OFFER && pc->signaling != PEERC_SIGNALING_STABLE &&
        pc->signaling != PEERC_SIGNALING_HAVE_LOCAL_OFFER)
        return peerc__errorf(ERR(call), PEERC_E_INVALID_STATE, "cannot apply a local offer in %s",
                             peerc_signaling_state_to_string(pc->signaling));
    if (call->type != PEERC_SDP_OFFER && pc->signaling != PEERC_SIGNALING_HAVE_REMOTE_OFFER &&
        pc->signaling != PEERC_SIGNALING_HAVE_LOCAL_PRANSWER)
        return peerc__errorf(ERR(call), PEERC_E_INVALID_STATE, "cannot apply a local %s in %s",
                             peerc_sdp_type_to_string(call->type),
                             peerc_signaling_state_to_string(pc->signaling));
    rc = call->text && *call->text ? parse_local(call, &sdp) : implicit_local(call, &sdp);
    if (rc < 0)
        return rc;
    text = peerc__sdp_serialize(sdp);
    rc = call->type == PEERC_SDP_OFFER ? apply_local_offer(call, sdp) : apply_local_answer(call, sdp);
    if (rc == PEERC_OK)
        queue_announcement(pc, call->type, text);
    else
        free(text);
    return rc;
}

/* -------------------------------------------------- remote description */

static int add_remote_candidates(pc_call *call, const peerc_sdp_transport_info *info)
{
    peerc_pc *pc = call->pc;
    for (size_t i = 0; i < info->n_candidates; i++) {
        char *text = peerc__sdp_candidate_to_string(&info->candidates[i]);
        if (text)
            peerc__ice_add_remote_candidate(pc->ice, text, NULL, 0);
        free(text);
    }
    if (info->end_of_candidates) {
        pc->remote_end_of_candidates = TRUE;
        peerc__ice_remote_gathering_done(pc->ice);
    }
    return PEERC_OK;
}

static int apply_remote_transport(pc_call *call, const peerc_sdp_transport_info *info)
{
    peerc_pc *pc = call->pc;
    const peerc_sdp *previous = remote_sdp(pc);
    char hex[200];
    if (info->transport_index < 0)
        return PEERC_OK;
    /* New remote credentials on renegotiation: the peer restarted ICE. */
    if (previous) {
        peerc_sdp_transport_info old = {0};
        if (peerc__sdp_remote_transport_ex(previous, 1, &old, NULL, 0) == PEERC_OK &&
            old.transport_index >= 0 && strcmp(old.ice_ufrag, info->ice_ufrag) != 0 &&
            call->type == PEERC_SDP_OFFER)
            peerc__ice_restart(pc->ice);
        peerc__sdp_transport_info_clear(&old);
    }
    if (peerc__ice_set_remote_credentials(pc->ice, info->ice_ufrag, info->ice_pwd) < 0)
        return peerc__errorf(ERR(call), PEERC_E_OPERATION, "ICE rejected the remote credentials");
    if (peerc__sdp_fingerprint_hex(&info->fingerprint, hex, sizeof hex) < 0)
        return peerc__errorf(ERR(call), PEERC_E_OPERATION, "remote fingerprint too long");
    g_free(pc->remote_fp_alg);
    g_free(pc->remote_fp);
    pc->remote_fp_alg = g_strdup(info->fingerprint.algorithm);
    pc->remote_fp = g_strdup(hex);
    pc->remote_sctp_port = info->sctp_port;
    pc->remote_max_message_size = info->max_message_size;
    if (info->ice_lite)
        peerc__ice_set_controlling(pc->ice, 1); /* RFC 8445 6.1.1: full agent controls a lite one */
    return add_remote_candidates(call, info);
}

static int apply_remote_offer(pc_call *call, peerc_sdp *sdp, const peerc_sdp_transport_info *info)
{
    peerc_pc *pc = call->pc;
    int rc;
    rc = peerc__pc_media_remote_description(pc, sdp, TRUE, ERR(call));
    if (rc < 0) {
        peerc__sdp_free(sdp);
        return rc == PEERC_E_SYNTAX ? PEERC_E_OPERATION : rc;
    }
    if (!info->ice_lite)
        peerc__ice_set_controlling(pc->ice, 0);
    rc = apply_remote_transport(call, info);
    if (rc < 0) {
        peerc__sdp_free(sdp);
        return rc;
    }
    set_description(&pc->pending_remote, sdp, PEERC_SDP_OFFER);
    peerc__pc_set_signaling(pc, PEERC_SIGNALING_HAVE_REMOTE_OFFER);
    peerc__pc_media_fire_track_events(pc);
    return PEERC_OK;
}

static int apply_remote_answer(pc_call *call, peerc_sdp *sdp, const peerc_sdp_transport_info *info)
{
    peerc_pc *pc = call->pc;
    int rc;
    if (info->transport_index >= 0) {
        if (info->setup == PEERC_SDP_SETUP_ACTIVE)
            pc->is_dtls_client = FALSE;
        else if (info->setup == PEERC_SDP_SETUP_PASSIVE)
            pc->is_dtls_client = TRUE;
        else {
            peerc__sdp_free(sdp);
            return peerc__errorf(ERR(call), PEERC_E_OPERATION,
                                 "answer must say a=setup:active or passive (RFC 5763 5)");
        }
    }
    rc = peerc__pc_media_remote_description(pc, sdp, FALSE, ERR(call));
    if (rc < 0) {
        peerc__sdp_free(sdp);
        return rc == PEERC_E_SYNTAX ? PEERC_E_OPERATION : rc;
    }
    rc = apply_remote_transport(call, info);
    if (rc < 0) {
        peerc__sdp_free(sdp);
        return rc;
    }
    pc->data_negotiated = info->data_index >= 0 && !info->data_rejected;
    if (call->type == PEERC_SDP_PRANSWER) {
        set_description(&pc->pending_remote, sdp, PEERC_SDP_PRANSWER);
        peerc__pc_set_signaling(pc, PEERC_SIGNALING_HAVE_REMOTE_PRANSWER);
        return PEERC_OK;
    }
    set_description(&pc->current_remote, sdp, PEERC_SDP_ANSWER);
    set_description(&pc->pending_remote, NULL, 0);
    move_description(&pc->current_local, &pc->pending_local);
    pc->current_local.type = PEERC_SDP_OFFER;
    peerc__pc_media_negotiated(pc);
    peerc__pc_media_fire_track_events(pc);
    became_stable(pc);
    if (info->transport_index >= 0)
        return peerc__pc_transport_negotiated(pc, ERR(call));
    return PEERC_OK;
}

static int rollback_remote(pc_call *call)
{
    return rollback(call, &call->pc->pending_remote, PEERC_SIGNALING_HAVE_REMOTE_OFFER,
                    PEERC_SIGNALING_HAVE_REMOTE_PRANSWER, PEERC_SIGNALING_HAVE_LOCAL_OFFER);
}

static gboolean pc_in_answerable_state(const peerc_pc *pc)
{
    return pc->signaling == PEERC_SIGNALING_HAVE_LOCAL_OFFER ||
           pc->signaling == PEERC_SIGNALING_HAVE_REMOTE_PRANSWER;
}

static int check_remote_state(pc_call *call)
{
    peerc_pc *pc = call->pc;
    if (call->type == PEERC_SDP_OFFER) {
        if (pc->signaling == PEERC_SIGNALING_HAVE_LOCAL_OFFER) {
            /* Glare: W3C applies an implicit rollback of our offer
             * ("perfect negotiation"). */
            set_description(&pc->pending_local, NULL, 0);
            pc->signaling = PEERC_SIGNALING_STABLE;
        }
        if (pc->signaling != PEERC_SIGNALING_STABLE &&
            pc->signaling != PEERC_SIGNALING_HAVE_REMOTE_OFFER)
            return peerc__errorf(ERR(call), PEERC_E_INVALID_STATE,
                                 "cannot apply a remote offer in %s",
                                 peerc_signaling_state_to_string(pc->signaling));
    } else if (!pc_in_answerable_state(pc)) {
        return peerc__errorf(ERR(call), PEERC_E_INVALID_STATE, "cannot apply a remote %s in %s",
                             peerc_sdp_type_to_string(call->type),
                             peerc_signaling_state_to_string(pc->signaling));
    }
    return PEERC_OK;
}

int peerc__pc_do_set_remote(pc_call *call)
{
    peerc_sdp *sdp = NULL;
    peerc_sdp_transport_info info = {0};
    int rc = check_open(call);
    if (rc == PEERC_OK)
        rc = check_type(call);
    if (rc < 0)
        return rc;
    if (call->type == PEERC_SDP_ROLLBACK)
        return rollback_remote(call);
    if (!call->text)
        return peerc__errorf(ERR(call), PEERC_E_INVALID_ARGUMENT, "remote description is NULL");
    if (call->type != PEERC_SDP_OFFER && pc_in_answerable_state(call->pc) == FALSE)
        return peerc__errorf(ERR(call), PEERC_E_INVALID_STATE, "cannot apply a remote %s in %s",
                             peerc_sdp_type_to_string(call->type),
                             peerc_signaling_state_to_string(call->pc->signaling));
    rc = peerc__sdp_parse(call->text, &sdp, ERR(call));
    if (rc < 0)
        return rc;
    rc = peerc__sdp_remote_transport_ex(sdp, 1, &info, ERR(call));
    if (rc < 0) {
        /* Well-formed SDP that lacks what WebRTC requires. */
        peerc__sdp_free(sdp);
        return rc == PEERC_E_SYNTAX ? PEERC_E_OPERATION : rc;
    }
    /* Only now, with a usable description, may glare roll our offer back. */
    rc = check_remote_state(call);
    if (rc < 0) {
        peerc__sdp_transport_info_clear(&info);
        peerc__sdp_free(sdp);
        return rc;
    }
    rc = call->type == PEERC_SDP_OFFER ? apply_remote_offer(call, sdp, &info)
                                       : apply_remote_answer(call, sdp, &info);
    peerc__sdp_transport_info_clear(&info);
    return rc;
}

/* ------------------------------------------------------ add candidate */

/* Index of the m-line a trickled candidate belongs to, or -1. */
static int candidate_mline(pc_call *call, const peerc_sdp *remote)
{
    if (call->text2) {
        int i = peerc__sdp_find_mid(remote, call->text2);
        if (i < 0)
            peerc__errorf(ERR(call), PEERC_E_OPERATION, "no m-line with mid \"%s\"", call->text2);
        return i;
    }
    if (call->index < 0 || (size_t)call->index >= remote->n_media) {
        peerc__errorf(ERR(call), PEERC_E_OPERATION, "sdp_mline_index %d out of range", call->index);
        return -1;
    }
    return call->index;
}

int peerc__pc_do_add_candidate(pc_call *call)
{
    peerc_pc *pc = call->pc;
    const peerc_sdp *remote = remote_sdp(pc);
    peerc_sdp_transport_info info = {0};
    peerc_sdp_candidate cand;
    int rc = check_open(call), mline, transport;
    if (rc < 0)
        return rc;
    if (!remote)
        return peerc__errorf(ERR(call), PEERC_E_INVALID_STATE,
                             "add_ice_candidate needs a remote description first");
    if (!call->text || !*call->text) {
        pc->remote_end_of_candidates = TRUE;
        peerc__ice_remote_gathering_done(pc->ice);
        return PEERC_OK;
    }
    if (!call->text2 && call->index < 0)
        return peerc__errorf(ERR(call), PEERC_E_INVALID_ARGUMENT, "sdp_mid and sdp_mline_index are both unset");
    rc = peerc__sdp_candidate_parse(call->text, &cand, ERR(call));
    if (rc == PEERC_E_NOT_SUPPORTED)
        return PEERC_OK; /* RFC 8839 5.1: ignore what cannot be used */
    if (rc < 0)
        return rc;
    mline = candidate_mline(call, remote);
    if (mline < 0)
        return PEERC_E_OPERATION;
    peerc__sdp_remote_transport_ex(remote, 1, &info, NULL, 0);
    transport = info.transport_index;
    peerc__sdp_transport_info_clear(&info);
    /* With BUNDLE only the tag's transport exists here; candidates for
     * other m-lines belong to transports the peer discards. */
    if (transport >= 0 && mline != transport) {
        PEERC_DEBUG("ice", "%p candidate for m-line %d ignored (bundled on %d)", (void *)pc, mline,
                    transport);
        return PEERC_OK;
    }
    return peerc__ice_add_remote_candidate(pc->ice, call->text, ERR(call));
}

/* ---------------------------------------------------- get description */

/* The local description as the W3C shows it: with candidates so far. */
static peerc_sdp *with_local_candidates(const peerc_pc *pc, const peerc_sdp *sdp)
{
    peerc_sdp *copy = peerc__sdp_dup(sdp);
    int idx;
    if (!copy || !pc->transport_mid)
        return copy;
    idx = peerc__sdp_find_mid(copy, pc->transport_mid);
    if (idx < 0)
        return copy;
    peerc__sdp_media_remove_attr(copy->media[idx], "candidate");
    peerc__sdp_media_remove_attr(copy->media[idx], "end-of-candidates");
    for (guint i = 0; i < pc->local_candidates->len; i++) {
        const char *c = g_ptr_array_index(pc->local_candidates, i);
        peerc__sdp_media_add_attr(copy->media[idx], "candidate", c + strlen("candidate:"));
    }
    if (pc->gathering == PEERC_ICE_GATHERING_COMPLETE)
        peerc__sdp_media_add_attr(copy->media[idx], "end-of-candidates", NULL);
    return copy;
}

int peerc__pc_do_get_description(pc_call *call)
{
    peerc_pc *pc = call->pc;
    const pc_description *d = NULL;
    peerc_sdp *copy;
    int rc, local = 0;
    switch (call->index) {
    case PEERC_DESCRIPTION_LOCAL:
        d = pc->pending_local.sdp ? &pc->pending_local : &pc->current_local, local = 1;
        break;
    case PEERC_DESCRIPTION_REMOTE:
        d = pc->pending_remote.sdp ? &pc->pending_remote : &pc->current_remote;
        break;
    case PEERC_DESCRIPTION_CURRENT_LOCAL: d = &pc->current_local, local = 1; break;
    case PEERC_DESCRIPTION_PENDING_LOCAL: d = &pc->pending_local, local = 1; break;
    case PEERC_DESCRIPTION_CURRENT_REMOTE: d = &pc->current_remote; break;
    case PEERC_DESCRIPTION_PENDING_REMOTE: d = &pc->pending_remote; break;
    default:
        return peerc__errorf(ERR(call), PEERC_E_INVALID_ARGUMENT, "unknown description kind %d",
                             call->index);
    }
    if (!d->sdp)
        return peerc__errorf(ERR(call), PEERC_E_NOT_FOUND, "no such description");
    copy = local ? with_local_candidates(pc, d->sdp) : peerc__sdp_dup(d->sdp);
    if (!copy)
        return peerc__errorf(ERR(call), PEERC_E_NO_MEMORY, "out of memory");
    rc = output_sdp(call, copy);
    peerc__sdp_free(copy);
    if (rc == PEERC_OK && call->out_type)
        *call->out_type = d->type;
    return rc;
}

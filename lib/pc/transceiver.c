/*
 * Transceivers (W3C RTCRtpTransceiver): addTrack, removeTrack,
 * addTransceiver, directions, and per-transceiver statistics.  Public calls
 * are marshalled onto the worker like every pc call.
 */
#include "pc/pc_internal.h"
#include "pc/media_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/sized.h"
#include "sdp/media.h"

#define ERR(call) (call)->err, sizeof (call)->err

gboolean peerc__direction_sends(int d)
{
    return d == PEERC_DIRECTION_SENDRECV || d == PEERC_DIRECTION_SENDONLY;
}

gboolean peerc__direction_receives(int d)
{
    return d == PEERC_DIRECTION_SENDRECV || d == PEERC_DIRECTION_RECVONLY;
}

peerc_direction peerc__direction_make(gboolean send, gboolean recv)
{
    if (send && recv)
        return PEERC_DIRECTION_SENDRECV;
    if (send)
        return PEERC_DIRECTION_SENDONLY;
    return recv ? PEERC_DIRECTION_RECVONLY : PEERC_DIRECTION_INACTIVE;
}

/* "audio"/"video", as m= lines name them. */
const char *peerc__media_kind_sdp_name(peerc_media_kind k)
{
    return k == PEERC_MEDIA_KIND_AUDIO ? "audio" : "video";
}

int peerc__media_kind_from_sdp_name(const char *s)
{
    if (strcmp(s, "audio") == 0)
        return PEERC_MEDIA_KIND_AUDIO;
    if (strcmp(s, "video") == 0)
        return PEERC_MEDIA_KIND_VIDEO;
    return 0;
}

peerc_transceiver *peerc__pc_transceiver_by_mid(const peerc_pc *pc, const char *mid)
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

/* RTP SSRCs are random (RFC 3550 8.1) and never 0, which means "none" here. */
static uint32_t random_ssrc(void)
{
    uint32_t s;
    do
        s = g_random_int();
    while (s == 0);
    return s;
}

peerc_transceiver *peerc__transceiver_new(peerc_pc *pc, peerc_media_kind kind,
                                          peerc_direction direction)
{
    peerc_transceiver *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->pc = pc;
    t->kind = kind;
    t->direction = direction;
    t->current_direction = -1;
    t->remote_direction = PEERC_DIRECTION_INACTIVE;
    t->ssrc = random_ssrc();
    if (kind == PEERC_MEDIA_KIND_VIDEO)
        t->rtx_ssrc = random_ssrc();
    t->recv_track = peerc__track_new_remote(kind, NULL, t);
    peerc__rtp_sender_config_init(&t->send_cfg, kind == PEERC_MEDIA_KIND_VIDEO ? PEERC_MEDIA_VIDEO
                                                                                  : PEERC_MEDIA_AUDIO);
    t->send_cfg.ssrc = t->ssrc;
    g_ptr_array_add(pc->transceivers, t);
    return t;
}

static void drop_send_track(peerc_transceiver *t)
{
    peerc_track *track = t->send_track;
    if (!track)
        return;
    peerc__track_detach(track, t);
    t->send_track = NULL;
    peerc__rtp_sender_free(t->sender);
    t->sender = NULL;
}

void peerc__transceiver_free(peerc_transceiver *t)
{
    drop_send_track(t);
    peerc__rtp_receiver_free(t->receiver);
    if (t->recv_track) {
        t->recv_track->owner = NULL;
        peerc__track_unref(t->recv_track);
    }
    g_strfreev(t->stream_ids);
    g_strfreev(t->remote_stream_ids);
    peerc__sdp_codec_set_clear(&t->codecs);
    peerc__sdp_extmaps_clear(&t->extmaps);
    g_free(t->mid);
    free(t);
}

void peerc__pc_transceivers_close(peerc_pc *pc)
{
    for (guint i = 0; i < pc->transceivers->len; i++) {
        peerc_transceiver *t = g_ptr_array_index(pc->transceivers, i);
        drop_send_track(t);
        t->current_direction = PEERC_DIRECTION_STOPPED;
        t->direction = PEERC_DIRECTION_STOPPED;
        t->remote_sending = FALSE;
        if (t->recv_track)
            peerc__track_end_silently(t->recv_track);
    }
}

void peerc__pc_transceivers_free(peerc_pc *pc)
{
    if (!pc->transceivers)
        return;
    for (guint i = 0; i < pc->transceivers->len; i++)
        peerc__transceiver_free(g_ptr_array_index(pc->transceivers, i));
    g_ptr_array_free(pc->transceivers, TRUE);
    pc->transceivers = NULL;
}

int peerc__transceiver_ensure_sender(peerc_transceiver *t)
{
    char err[PEERC_ERRBUF_SIZE];
    int rc;
    if (t->sender || !t->send_track)
        return PEERC_OK;
    t->send_cfg.ssrc = t->ssrc;
    rc = peerc__rtp_sender_new(&t->send_cfg, peerc__pc_media_sender_output, t, &t->sender, err,
                               sizeof err);
    if (rc < 0) {
        PEERC_ERROR("media", "%p cannot create the %s sender: %s", (void *)t->pc,
                    peerc_media_kind_to_string(t->kind), err);
        return rc;
    }
    peerc__rtp_sender_set_active(t->sender, FALSE);
    if (t->send_track->source == PEERC_TRACK_SOURCE_ENCODED)
        peerc__rtp_sender_set_keyframe_listener(t->sender, peerc__track_keyframe_requested,
                                                t->send_track);
    return PEERC_OK;
}

/* ------------------------------------------------------------ API calls */

static int check_open(pc_call *call)
{
    if (call->pc->closed)
        return peerc__errorf(ERR(call), PEERC_E_INVALID_STATE, "the peer connection is closed");
    return PEERC_OK;
}

static gboolean pc_owns(const peerc_pc *pc, const peerc_transceiver *t)
{
    for (guint i = 0; i < pc->transceivers->len; i++)
        if (g_ptr_array_index(pc->transceivers, i) == t)
            return TRUE;
    return FALSE;
}

/* JSEP 5.1.2 / W3C addTrack: reuse a transceiver of this kind that never
 * sent and is not stopped (one a remote offer created), else a new one. */
static peerc_transceiver *reusable_transceiver(peerc_pc *pc, peerc_media_kind kind)
{
    for (guint i = 0; i < pc->transceivers->len; i++) {
        peerc_transceiver *t = g_ptr_array_index(pc->transceivers, i);
        if (t->kind == kind && !t->ever_sent && !t->stopped && !t->send_track)
            return t;
    }
    return NULL;
}

typedef struct add_track_args {
    peerc_track *track;
    char **stream_ids;
} add_track_args;

static int do_add_track(pc_call *call)
{
    peerc_pc *pc = call->pc;
    const add_track_args *a = call->in;
    peerc_transceiver *t;
    int rc = check_open(call);
    if (rc < 0)
        return rc;
    for (guint i = 0; i < pc->transceivers->len; i++) {
        peerc_transceiver *o = g_ptr_array_index(pc->transceivers, i);
        if (o->send_track == a->track)
            return peerc__errorf(ERR(call), PEERC_E_INVALID_ACCESS,
                                 "track %s is already attached to this peer connection",
                                 a->track->id);
    }
    t = reusable_transceiver(pc, a->track->kind);
    if (t) {
        /* recvonly -> sendrecv, inactive -> sendonly (W3C addTrack 7.2) */
        t->direction = peerc__direction_make(TRUE, peerc__direction_receives(t->direction));
    } else {
        t = peerc__transceiver_new(pc, a->track->kind, PEERC_DIRECTION_SENDRECV);
        if (!t)
            return peerc__errorf(ERR(call), PEERC_E_NO_MEMORY, "out of memory");
    }
    g_strfreev(t->stream_ids);
    t->stream_ids = g_strdupv(a->stream_ids);
    t->send_track = a->track;
    t->ever_sent = TRUE;
    rc = peerc__transceiver_ensure_sender(t);
    if (rc < 0) {
        t->send_track = NULL;
        return peerc__errorf(ERR(call), rc, "cannot create the RTP sender");
    }
    peerc__track_attach(a->track, t);
    peerc__pc_media_update_senders(pc);
    *(peerc_transceiver **)call->out = t;
    peerc__pc_update_negotiation_needed(pc);
    return PEERC_OK;
}

static int check_stream_id(const char *s)
{
    return peerc__msid_token_ok(s, 64);
}

int peerc_pc_add_track(peerc_pc *pc, peerc_track *track, const char *const *stream_ids,
                       size_t n, peerc_transceiver **out)
{
    pc_call call = {.pc = pc, .fn = do_add_track};
    add_track_args args = {track, NULL};
    peerc_transceiver *t = NULL;
    int rc;
    if (out)
        *out = NULL;
    if (!pc)
        return PEERC_E_INVALID_ARGUMENT;
    if (!track || track->remote)
        return peerc__pc_fail(pc, PEERC_E_INVALID_ARGUMENT, "track is NULL or remote");
    if (n && !stream_ids)
        return peerc__pc_fail(pc, PEERC_E_INVALID_ARGUMENT, "stream_ids is NULL");
    if (n > 16)
        return peerc__pc_fail(pc, PEERC_E_INVALID_ARGUMENT, "at most 16 stream ids");
    args.stream_ids = g_new0(char *, n + 1);
    for (size_t i = 0; i < n; i++) {
        if (!check_stream_id(stream_ids[i])) {
            g_strfreev(args.stream_ids);
            return peerc__pc_fail(pc, PEERC_E_INVALID_ARGUMENT,
                                  "stream id %zu must be 1..64 token characters (RFC 8830)", i);
        }
        args.stream_ids[i] = g_strdup(stream_ids[i]);
    }
    call.in = &args;
    call.out = &t;
    rc = peerc__pc_run(&call);
    g_strfreev(args.stream_ids);
    if (rc == PEERC_OK && out)
        *out = t;
    return rc;
}

static int do_remove_track(pc_call *call)
{
    peerc_pc *pc = call->pc;
    peerc_transceiver *t = (peerc_transceiver *)call->in;
    int rc = check_open(call);
    if (rc < 0)
        return rc;
    if (!pc_owns(pc, t))
        return peerc__errorf(ERR(call), PEERC_E_INVALID_ARGUMENT,
                             "the transceiver belongs to another peer connection");
    if (!t->send_track)
        return PEERC_OK; /* W3C: nothing to remove */
    drop_send_track(t);
    /* sendrecv -> recvonly, sendonly -> inactive (W3C removeTrack 9-10) */
    t->direction = peerc__direction_make(FALSE, peerc__direction_receives(t->direction));
    peerc__pc_update_negotiation_needed(pc);
    return PEERC_OK;
}

int peerc_pc_remove_track(peerc_pc *pc, peerc_transceiver *t)
{
    pc_call call = {.pc = pc, .fn = do_remove_track, .in = t};
    if (!pc)
        return PEERC_E_INVALID_ARGUMENT;
    if (!t)
        return peerc__pc_fail(pc, PEERC_E_INVALID_ARGUMENT, "transceiver is NULL");
    return peerc__pc_run(&call);
}

static int do_add_transceiver(pc_call *call)
{
    peerc_transceiver *t;
    int rc = check_open(call);
    if (rc < 0)
        return rc;
    t = peerc__transceiver_new(call->pc, (peerc_media_kind)call->index,
                               (peerc_direction)call->type);
    if (!t)
        return peerc__errorf(ERR(call), PEERC_E_NO_MEMORY, "out of memory");
    *(peerc_transceiver **)call->out = t;
    peerc__pc_update_negotiation_needed(call->pc);
    return PEERC_OK;
}

int peerc_pc_add_transceiver(peerc_pc *pc, peerc_media_kind kind, peerc_direction direction,
                             peerc_transceiver **out)
{
    pc_call call = {.pc = pc, .fn = do_add_transceiver, .index = (int32_t)kind,
                    .type = (peerc_sdp_type)direction};
    peerc_transceiver *t = NULL;
    int rc;
    if (out)
        *out = NULL;
    if (!pc)
        return PEERC_E_INVALID_ARGUMENT;
    if (kind != PEERC_MEDIA_KIND_AUDIO && kind != PEERC_MEDIA_KIND_VIDEO)
        return peerc__pc_fail(pc, PEERC_E_INVALID_ARGUMENT, "unknown kind %d", (int)kind);
    /* Without a track there is nothing to send yet: send directions are
     * kept and take effect once a track is attached (W3C allows both). */
    if ((unsigned)direction > PEERC_DIRECTION_INACTIVE)
        return peerc__pc_fail(pc, PEERC_E_INVALID_ARGUMENT, "direction %d not allowed",
                              (int)direction);
    call.out = &t;
    rc = peerc__pc_run(&call);
    if (rc == PEERC_OK && out)
        *out = t;
    return rc;
}

typedef struct list_args {
    peerc_transceiver **out;
    size_t cap;
    size_t *count;
} list_args;

static int do_get_transceivers(pc_call *call)
{
    const list_args *a = call->in;
    GPtrArray *all = call->pc->transceivers;
    for (guint i = 0; i < all->len && i < a->cap; i++)
        a->out[i] = g_ptr_array_index(all, i);
    *a->count = all->len;
    return PEERC_OK;
}

int peerc_pc_get_transceivers(peerc_pc *pc, peerc_transceiver **out, size_t cap, size_t *count)
{
    list_args args = {out, cap, count};
    pc_call call = {.pc = pc, .fn = do_get_transceivers, .in = &args};
    if (!pc)
        return PEERC_E_INVALID_ARGUMENT;
    if (!count || (cap && !out))
        return peerc__pc_fail(pc, PEERC_E_INVALID_ARGUMENT, "count NULL, or out NULL with cap");
    return peerc__pc_run(&call);
}

/* ---------------------------------------------------- transceiver calls */

static int do_set_direction(pc_call *call)
{
    peerc_transceiver *t = (peerc_transceiver *)call->in;
    peerc_direction d = (peerc_direction)call->index;
    int rc = check_open(call);
    if (rc < 0)
        return rc;
    if (t->stopped)
        return peerc__errorf(ERR(call), PEERC_E_INVALID_STATE, "the transceiver is stopped");
    if (t->direction == d)
        return PEERC_OK;
    t->direction = d;
    peerc__pc_update_negotiation_needed(call->pc);
    return PEERC_OK;
}

int peerc_transceiver_set_direction(peerc_transceiver *t, peerc_direction d)
{
    pc_call call = {.fn = do_set_direction, .in = t, .index = (int32_t)d};
    if (!t)
        return PEERC_E_INVALID_ARGUMENT;
    call.pc = t->pc;
    if ((unsigned)d > PEERC_DIRECTION_INACTIVE)
        return peerc__pc_fail(t->pc, PEERC_E_INVALID_ARGUMENT, "direction %d not allowed",
                              (int)d);
    return peerc__pc_run(&call);
}

static int do_read(pc_call *call)
{
    peerc_transceiver *t = (peerc_transceiver *)call->in;
    int *out = call->out;
    switch (call->index) {
    case 0: *out = t->direction; break;
    case 1: *out = t->current_direction; break;
    default: *out = t->kind; break;
    }
    return PEERC_OK;
}

static int read_field(peerc_transceiver *t, int which)
{
    int value = 0, rc;
    pc_call call = {.fn = do_read, .index = which, .out = &value};
    if (!t)
        return PEERC_E_INVALID_ARGUMENT;
    call.pc = t->pc;
    call.in = t;
    rc = peerc__pc_run(&call);
    return rc < 0 ? rc : value;
}

int peerc_transceiver_direction(peerc_transceiver *t)
{
    return read_field(t, 0);
}

int peerc_transceiver_current_direction(peerc_transceiver *t)
{
    return read_field(t, 1);
}

int peerc_transceiver_kind(peerc_transceiver *t)
{
    return t ? (int)t->kind : PEERC_E_INVALID_ARGUMENT;
}

static int do_get_mid(pc_call *call)
{
    peerc_transceiver *t = (peerc_transceiver *)call->in;
    if (!t->mid)
        return peerc__errorf(ERR(call), PEERC_E_NOT_FOUND, "no mid negotiated yet");
    if (strlen(t->mid) >= (size_t)call->index)
        return peerc__errorf(ERR(call), PEERC_E_RANGE, "buffer too small for the mid");
    strcpy(call->out, t->mid);
    return PEERC_OK;
}

int peerc_transceiver_get_mid(peerc_transceiver *t, char *buf, size_t len)
{
    pc_call call = {.fn = do_get_mid, .in = t, .out = buf};
    if (!t)
        return PEERC_E_INVALID_ARGUMENT;
    call.pc = t->pc;
    if (!buf || len == 0 || len > INT32_MAX)
        return peerc__pc_fail(t->pc, PEERC_E_INVALID_ARGUMENT, "bad buffer");
    call.index = (int32_t)len;
    return peerc__pc_run(&call);
}

static int do_tracks(pc_call *call)
{
    peerc_transceiver *t = (peerc_transceiver *)call->in;
    *(peerc_track **)call->out = call->index ? t->recv_track : t->send_track;
    return PEERC_OK;
}

static peerc_track *get_track(peerc_transceiver *t, int receiver)
{
    peerc_track *track = NULL;
    pc_call call = {.fn = do_tracks, .index = receiver, .out = &track};
    if (!t)
        return NULL;
    call.pc = t->pc;
    call.in = t;
    return peerc__pc_run(&call) == PEERC_OK ? track : NULL;
}

peerc_track *peerc_transceiver_sender_track(peerc_transceiver *t)
{
    return get_track(t, 0);
}

peerc_track *peerc_transceiver_receiver_track(peerc_transceiver *t)
{
    return get_track(t, 1);
}

/* ----------------------------------------------------------------- stats */

int peerc_rtp_stats_init_sized(peerc_rtp_stats *s, size_t size)
{
    peerc_rtp_stats d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    d.round_trip_time_s = -1;
    return peerc__init_sized(s, size, &d, sizeof d);
}

static void fill_send_stats(peerc_transceiver *t, peerc_rtp_stats *s)
{
    peerc_rtp_sender_stats ss;
    if (!t->sender)
        return;
    peerc__rtp_sender_get_stats(t->sender, &ss);
    s->packets_sent = ss.packets_sent;
    s->bytes_sent = ss.bytes_sent;
    s->retransmitted_packets_sent = ss.retransmitted_packets;
    s->frames_encoded = ss.frames_encoded;
    s->key_frames_encoded = ss.keyframes_encoded;
    s->frames_dropped_before_encode = ss.frames_dropped;
    s->nack_received = ss.nack_count;
    s->pli_received = ss.pli_count;
    s->target_bitrate_bps = ss.target_bitrate_bps;
    s->frame_width = ss.frame_width;
    s->frame_height = ss.frame_height;
    s->round_trip_time_s = ss.rtt_ms < 0 ? -1 : ss.rtt_ms / 1000.0;
    s->remote_fraction_lost = ss.fraction_lost;
}

static void fill_recv_stats(peerc_transceiver *t, peerc_rtp_stats *s)
{
    peerc_rtp_receiver_stats rs;
    if (!t->receiver)
        return;
    peerc__rtp_receiver_get_stats(t->receiver, &rs);
    s->remote_ssrc = peerc__rtp_receiver_remote_ssrc(t->receiver);
    s->packets_received = rs.packets_received;
    s->bytes_received = rs.bytes_received;
    s->packets_lost = rs.packets_lost;
    s->retransmitted_packets_received = rs.retransmitted_packets_received;
    s->jitter_s = rs.jitter_s;
    s->frames_received = rs.frames_received;
    s->frames_decoded = rs.frames_decoded;
    s->key_frames_decoded = rs.keyframes_decoded;
    s->frames_dropped = rs.frames_dropped;
    s->nack_sent = rs.nack_count;
    s->pli_sent = rs.pli_count;
    s->audio_samples_received = rs.audio_samples_received;
    s->concealed_samples = rs.concealed_samples;
    s->decoded_width = rs.frame_width;
    s->decoded_height = rs.frame_height;
    s->frames_per_second = t->fps;
}

static int do_get_stats(pc_call *call)
{
    peerc_transceiver *t = (peerc_transceiver *)call->in;
    peerc_rtp_stats s;
    peerc_rtp_stats_init(&s);
    if (t->mid)
        g_strlcpy(s.mid, t->mid, sizeof s.mid);
    if (t->has_negotiated) {
        g_snprintf(s.codec, sizeof s.codec, "%s/%s", peerc_media_kind_to_string(t->kind),
                   t->codec_name);
        s.payload_type = t->payload_type;
    }
    s.ssrc = t->ssrc;
    fill_send_stats(t, &s);
    fill_recv_stats(t, &s);
    {
        /* Fill only what the caller's (possibly older) struct holds. */
        peerc_rtp_stats *out = call->out;
        size_t size = out->size < sizeof s ? out->size : sizeof s;
        memcpy(out, &s, size);
        out->size = size;
    }
    return PEERC_OK;
}

int peerc_transceiver_get_stats(peerc_transceiver *t, peerc_rtp_stats *stats)
{
    pc_call call = {.fn = do_get_stats, .in = t, .out = stats};
    if (!t)
        return PEERC_E_INVALID_ARGUMENT;
    call.pc = t->pc;
    if (!stats || stats->size < offsetof(peerc_rtp_stats, ssrc))
        return peerc__pc_fail(t->pc, PEERC_E_INVALID_ARGUMENT,
                              "stats NULL or size not set (peerc_rtp_stats_init)");
    return peerc__pc_run(&call);
}

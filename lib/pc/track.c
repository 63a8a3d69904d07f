/*
 * Tracks (W3C MediaStreamTrack).  A local track fans every frame out to the
 * transceivers it is attached to, encoding on the pushing thread; a remote
 * track hands decoded frames from its receiver to the application's sink.
 */
#include "pc/pc_internal.h"
#include "pc/media_internal.h"

#include <pthread.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/sized.h"
#include "media/source.h"

static __thread char track_error[PEERC_ERRBUF_SIZE];
/* The ENCODED track whose push runs on this thread (push_lock held). */
static __thread peerc_track *pushing_track;

static int track_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int track_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(track_error, sizeof track_error, fmt, ap);
    va_end(ap);
    return code;
}

const char *peerc_track_last_error(void)
{
    return track_error;
}

const char *peerc_media_kind_to_string(peerc_media_kind kind)
{
    switch (kind) {
    case PEERC_MEDIA_KIND_AUDIO: return "audio";
    case PEERC_MEDIA_KIND_VIDEO: return "video";
    }
    return "unknown";
}

const char *peerc_direction_to_string(peerc_direction d)
{
    static const char *names[] = {"sendrecv", "sendonly", "recvonly", "inactive", "stopped"};
    return (unsigned)d < G_N_ELEMENTS(names) ? names[d] : "unknown";
}

/* RFC 8830 2: msid ids are RFC 4566 tokens (token-char: %x21 / %x23-27 /
 * %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E). */
static int token_char(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2A || c == 0x2B || c == 0x2D ||
           c == 0x2E || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) ||
           (c >= 0x5E && c <= 0x7E);
}

int peerc__msid_token_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!token_char((unsigned char)s[i]))
            return 0;
    return 1;
}

/* ------------------------------------------------------------- lifecycle */

/* pthread mutexes rather than GMutex: GLib's futex-based locks are invisible
 * to ThreadSanitizer, which then reports the data they protect. */
static void init_locks(peerc_track *t)
{
    pthread_mutexattr_t rec;
    pthread_mutex_init(&t->lock, NULL);
    pthread_mutex_init(&t->push_lock, NULL);
    pthread_mutexattr_init(&rec);
    pthread_mutexattr_settype(&rec, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&t->sink_lock, &rec);
    pthread_mutexattr_destroy(&rec);
}

static peerc_track *track_alloc(peerc_media_kind kind, const char *id)
{
    peerc_track *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->refs = 1;
    t->kind = kind;
    if (id && *id) {
        g_strlcpy(t->id, id, sizeof t->id);
    } else {
        char *uuid = g_uuid_string_random();
        g_strlcpy(t->id, uuid, sizeof t->id);
        g_free(uuid);
    }
    init_locks(t);
    t->attached = g_ptr_array_new();
    return t;
}

void peerc__track_ref(peerc_track *t)
{
    g_atomic_int_inc(&t->refs);
}

void peerc__track_unref(peerc_track *t)
{
    if (!t || !g_atomic_int_dec_and_test(&t->refs))
        return;
    g_ptr_array_free(t->attached, TRUE);
    pthread_mutex_destroy(&t->lock);
    pthread_mutex_destroy(&t->push_lock);
    pthread_mutex_destroy(&t->sink_lock);
    free(t);
}

peerc_track *peerc__track_new_remote(peerc_media_kind kind, const char *id, peerc_transceiver *tr)
{
    peerc_track *t = track_alloc(kind, id);
    if (t) {
        t->remote = TRUE;
        t->owner = tr;
    }
    return t;
}

int peerc_track_options_init_sized(peerc_track_options *o, size_t size, peerc_media_kind kind)
{
    peerc_track_options d;
    if (kind != PEERC_MEDIA_KIND_AUDIO && kind != PEERC_MEDIA_KIND_VIDEO)
        return track_fail(PEERC_E_INVALID_ARGUMENT, "unknown kind %d", (int)kind);
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    d.kind = kind;
    d.source = PEERC_TRACK_SOURCE_PUSH;
    d.width = 640;
    d.height = 480;
    d.fps = 30;
    d.tone_hz = 440;
    d.channels = 1;
    d.codec = PEERC_VIDEO_CODEC_VP8;
    if (peerc__init_sized(o, size, &d, sizeof d) < 0)
        return track_fail(PEERC_E_INVALID_ARGUMENT, "options NULL or size too small");
    return PEERC_OK;
}

/* -------------------------------------------------------------- pushing */

static void local_sink_video(peerc_track *t, const peerc_video_frame *f)
{
    pthread_mutex_lock(&t->sink_lock);
    if (t->has_sink && t->sink.video_frame)
        t->sink.video_frame(t, f, t->sink_ud);
    pthread_mutex_unlock(&t->sink_lock);
}

static void local_sink_audio(peerc_track *t, const peerc_audio_frame *f)
{
    pthread_mutex_lock(&t->sink_lock);
    if (t->has_sink && t->sink.audio_frame)
        t->sink.audio_frame(t, f, t->sink_ud);
    pthread_mutex_unlock(&t->sink_lock);
}

static void to_public_video(const peerc_media_i420 *in, peerc_video_frame *out)
{
    memset(out, 0, sizeof *out);
    out->size = sizeof *out;
    out->width = in->width;
    out->height = in->height;
    out->y = in->y;
    out->u = in->u;
    out->v = in->v;
    out->stride_y = in->stride_y;
    out->stride_u = in->stride_u;
    out->stride_v = in->stride_v;
    out->timestamp_us = in->timestamp_us;
}

static void encode_video(peerc_track *t, const peerc_media_i420 *pic)
{
    peerc_video_frame pub;
    to_public_video(pic, &pub);
    local_sink_video(t, &pub);
    pthread_mutex_lock(&t->push_lock);
    for (guint i = 0; i < t->attached->len; i++) {
        peerc_transceiver *tr = g_ptr_array_index(t->attached, i);
        if (tr->sender)
            peerc__rtp_sender_push_video(tr->sender, pic);
    }
    pthread_mutex_unlock(&t->push_lock);
}

static void encode_audio(peerc_track *t, const int16_t *pcm, size_t samples, uint32_t channels,
                         int64_t ts)
{
    peerc_audio_frame pub = {sizeof pub, pcm, (uint32_t)samples, channels, 48000, ts};
    local_sink_audio(t, &pub);
    pthread_mutex_lock(&t->push_lock);
    for (guint i = 0; i < t->attached->len; i++) {
        peerc_transceiver *tr = g_ptr_array_index(t->attached, i);
        if (tr->sender)
            peerc__rtp_sender_push_audio(tr->sender, pcm, samples, channels, ts);
    }
    pthread_mutex_unlock(&t->push_lock);
}

static gboolean track_is_live(peerc_track *t)
{
    gboolean live;
    pthread_mutex_lock(&t->lock);
    live = t->state == PEERC_TRACK_LIVE;
    pthread_mutex_unlock(&t->lock);
    return live;
}

static int check_push_source(peerc_track *t, peerc_media_kind kind, peerc_track_source source)
{
    if (!t || t->remote)
        return track_fail(PEERC_E_INVALID_ARGUMENT, "not a local track");
    if (t->kind != kind)
        return track_fail(PEERC_E_INVALID_ARGUMENT, "this is an %s track",
                          peerc_media_kind_to_string(t->kind));
    if (t->source != source)
        return track_fail(PEERC_E_INVALID_STATE, "the track's source is not %s",
                          source == PEERC_TRACK_SOURCE_PUSH ? "PUSH" : "ENCODED");
    if (!track_is_live(t))
        return track_fail(PEERC_E_INVALID_STATE, "the track has ended");
    return PEERC_OK;
}

static int check_push(peerc_track *t, peerc_media_kind kind)
{
    return check_push_source(t, kind, PEERC_TRACK_SOURCE_PUSH);
}

int peerc_track_push_encoded(peerc_track *t, const peerc_encoded_frame *f)
{
    peerc_media_encoded e;
    int rc = check_push_source(t, PEERC_MEDIA_KIND_VIDEO, PEERC_TRACK_SOURCE_ENCODED);
    if (rc < 0)
        return rc;
    if (!f || f->size < sizeof *f || !f->data || f->len == 0)
        return track_fail(PEERC_E_INVALID_ARGUMENT, "frame NULL, empty, or size not set");
    if (f->codec != t->codec)
        return track_fail(PEERC_E_INVALID_ARGUMENT, "frame codec %d, track codec %d",
                          (int)f->codec, (int)t->codec);
    e = (peerc_media_encoded){f->data, f->len, f->keyframe ? 1 : 0, f->width, f->height,
                             f->timestamp_us};
    pthread_mutex_lock(&t->push_lock);
    pushing_track = t;
    for (guint i = 0; i < t->attached->len; i++) {
        peerc_transceiver *tr = g_ptr_array_index(t->attached, i);
        if (tr->sender)
            peerc__rtp_sender_push_encoded(tr->sender,
                                           t->codec == PEERC_VIDEO_CODEC_H264
                                               ? PEERC_MEDIA_CODEC_H264
                                               : PEERC_MEDIA_CODEC_DEFAULT,
                                           &e);
    }
    pushing_track = NULL;
    pthread_mutex_unlock(&t->push_lock);
    /* a request raised inside the push (a sender resumed) goes out now,
     * so the handler may push the keyframe at once */
    if (t->kf_deferred) {
        t->kf_deferred = FALSE;
        peerc__track_keyframe_requested(t);
    }
    return PEERC_OK;
}

/* The sender of an ENCODED track asks the application for a keyframe. */
void peerc__track_keyframe_requested(void *ud)
{
    peerc_track *t = ud;
    if (pushing_track == t) {
        t->kf_deferred = TRUE; /* push_lock is held: fire after the push */
        return;
    }
    pthread_mutex_lock(&t->sink_lock);
    if (t->has_sink && t->sink.keyframe_requested)
        t->sink.keyframe_requested(t, t->sink_ud);
    pthread_mutex_unlock(&t->sink_lock);
}

void peerc__track_deliver_encoded(peerc_track *t, int32_t codec, const peerc_media_encoded *e)
{
    peerc_encoded_frame pub = {sizeof pub, codec, e->data, e->size,
                               e->keyframe, e->width, e->height, e->timestamp_us};
    pthread_mutex_lock(&t->sink_lock);
    if (t->has_sink && t->sink.encoded_frame)
        t->sink.encoded_frame(t, &pub, t->sink_ud);
    pthread_mutex_unlock(&t->sink_lock);
}

int peerc_track_push_video(peerc_track *t, const peerc_video_frame *f)
{
    peerc_media_i420 pic;
    int rc = check_push(t, PEERC_MEDIA_KIND_VIDEO);
    if (rc < 0)
        return rc;
    if (!f || f->size < sizeof *f)
        return track_fail(PEERC_E_INVALID_ARGUMENT, "frame NULL or size not set");
    pic = (peerc_media_i420){f->width, f->height, f->y, f->u, f->v,
                             f->stride_y, f->stride_u, f->stride_v, f->timestamp_us};
    rc = peerc__media_i420_check(&pic);
    if (rc < 0)
        return track_fail(rc, "bad I420 picture %ux%u (planes, strides or size)", f->width,
                          f->height);
    encode_video(t, &pic);
    return PEERC_OK;
}

int peerc_track_push_audio(peerc_track *t, const peerc_audio_frame *f)
{
    int rc = check_push(t, PEERC_MEDIA_KIND_AUDIO);
    if (rc < 0)
        return rc;
    if (!f || f->size < sizeof *f || !f->samples)
        return track_fail(PEERC_E_INVALID_ARGUMENT, "frame NULL or size not set");
    if (f->sample_rate != 48000)
        return track_fail(PEERC_E_NOT_SUPPORTED, "sample rate %u: only 48000 is accepted",
                          f->sample_rate);
    if (f->channels != 1 && f->channels != 2)
        return track_fail(PEERC_E_INVALID_ARGUMENT, "channels %u: 1 or 2", f->channels);
    if (f->samples_per_channel == 0 || f->samples_per_channel > 48000)
        return track_fail(PEERC_E_RANGE, "samples_per_channel %u: 1..48000",
                          f->samples_per_channel);
    encode_audio(t, f->samples, f->samples_per_channel, f->channels, f->timestamp_us);
    return PEERC_OK;
}

/* Built-in sources call these on their own thread. */
static void source_video(void *ud, const peerc_media_i420 *frame)
{
    encode_video(ud, frame);
}

static void source_audio(void *ud, const int16_t *pcm, size_t samples, uint32_t channels,
                         int64_t ts)
{
    encode_audio(ud, pcm, samples, channels, ts);
}

/* The device went away (unplugged camera): the track ends, as in browsers. */
static void source_ended(void *ud, int code, const char *message)
{
    peerc_track *t = ud;
    PEERC_WARN("media", "track %s: source ended: %s (%s)", t->id, message ? message : "",
               peerc_error_name(code));
    peerc__track_set_ended(t, TRUE);
}

static const peerc_source_callbacks source_callbacks = {source_video, source_audio, source_ended};

/* ------------------------------------------------------------- creation */

static int source_type(const peerc_track_options *o, peerc_source_type *type)
{
    gboolean video = o->kind == PEERC_MEDIA_KIND_VIDEO;
    switch (o->source) {
    case PEERC_TRACK_SOURCE_TEST_PATTERN: *type = PEERC_SOURCE_TEST_PATTERN; return video;
    case PEERC_TRACK_SOURCE_CAMERA: *type = PEERC_SOURCE_CAMERA; return video;
    case PEERC_TRACK_SOURCE_TONE: *type = PEERC_SOURCE_TONE; return !video;
    case PEERC_TRACK_SOURCE_MICROPHONE: *type = PEERC_SOURCE_MICROPHONE; return !video;
    default: return 0;
    }
}

static int start_source(peerc_track *t, const peerc_track_options *o)
{
    peerc_source_config cfg;
    peerc_source_type type;
    char err[PEERC_ERRBUF_SIZE] = "";
    int rc;
    if (!source_type(o, &type))
        return track_fail(PEERC_E_INVALID_ARGUMENT, "source %d does not make %s", (int)o->source,
                          peerc_media_kind_to_string(o->kind));
    peerc__source_config_init(&cfg, type);
    cfg.width = o->width;
    cfg.height = o->height;
    cfg.fps = o->fps;
    cfg.tone_hz = o->tone_hz;
    cfg.channels = o->channels;
    cfg.device = o->device;
    rc = peerc__source_start(&cfg, &source_callbacks, t, &t->src, err, sizeof err);
    if (rc < 0) {
        PEERC_WARN("media", "cannot start the %s source: %s", peerc_media_kind_to_string(o->kind),
                   err);
        return track_fail(rc, "%s", err);
    }
    return PEERC_OK;
}

int peerc_track_new(const peerc_track_options *o, peerc_track **out)
{
    peerc_track *t;
    int rc;
    if (out)
        *out = NULL;
    if (!o || !out || o->size < offsetof(peerc_track_options, codec))
        return track_fail(PEERC_E_INVALID_ARGUMENT, "options or out NULL, or size not set");
    if (o->kind != PEERC_MEDIA_KIND_AUDIO && o->kind != PEERC_MEDIA_KIND_VIDEO)
        return track_fail(PEERC_E_INVALID_ARGUMENT, "unknown kind %d", (int)o->kind);
    if (o->id && !peerc__msid_token_ok(o->id, sizeof t->id - 1))
        return track_fail(PEERC_E_INVALID_ARGUMENT, "track id must be 1..79 token characters "
                          "(RFC 8830: letters, digits, {}-._~ and similar, no spaces)");
    t = track_alloc(o->kind, o->id);
    if (!t)
        return track_fail(PEERC_E_NO_MEMORY, "out of memory");
    t->source = o->source;
    /* fields past the caller's size keep their defaults */
    t->codec = o->size > offsetof(peerc_track_options, codec) ? o->codec : PEERC_VIDEO_CODEC_VP8;
    if (o->source == PEERC_TRACK_SOURCE_ENCODED &&
        (o->kind != PEERC_MEDIA_KIND_VIDEO ||
         (t->codec != PEERC_VIDEO_CODEC_VP8 && t->codec != PEERC_VIDEO_CODEC_H264))) {
        peerc__track_unref(t);
        return track_fail(PEERC_E_NOT_SUPPORTED, "encoded tracks carry VP8 or H.264 video");
    }
    if (o->source != PEERC_TRACK_SOURCE_PUSH && o->source != PEERC_TRACK_SOURCE_ENCODED) {
        rc = start_source(t, o);
        if (rc < 0) {
            peerc__track_unref(t);
            return rc;
        }
    }
    *out = t;
    return PEERC_OK;
}

int peerc_track_stop(peerc_track *t)
{
    struct peerc_source *src;
    if (!t)
        return track_fail(PEERC_E_INVALID_ARGUMENT, "track is NULL");
    pthread_mutex_lock(&t->lock);
    t->state = PEERC_TRACK_ENDED;
    src = t->src;
    t->src = NULL;
    pthread_mutex_unlock(&t->lock);
    peerc__source_stop(src); /* joins: no frame arrives after this */
    return PEERC_OK;
}

void peerc_track_free(peerc_track *t)
{
    if (!t || t->remote)
        return;
    peerc_track_stop(t);
    /* Attached transceivers keep their own reference until detached. */
    peerc__track_unref(t);
}

/* ----------------------------------------------------------- attributes */

int peerc_track_kind(const peerc_track *t)
{
    return t ? (int)t->kind : PEERC_E_INVALID_ARGUMENT;
}

const char *peerc_track_id(const peerc_track *t)
{
    return t ? t->id : NULL;
}

int peerc_track_ready_state(peerc_track *t)
{
    int s;
    if (!t)
        return PEERC_E_INVALID_ARGUMENT;
    pthread_mutex_lock(&t->lock);
    s = t->state;
    pthread_mutex_unlock(&t->lock);
    return s;
}

int peerc_track_is_remote(const peerc_track *t)
{
    return t ? t->remote : PEERC_E_INVALID_ARGUMENT;
}

/* ----------------------------------------------------------------- sinks */

int peerc_track_sink_init_sized(peerc_track_sink *sink, size_t size)
{
    peerc_track_sink d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    return peerc__init_sized(sink, size, &d, sizeof d);
}

static void request_keyframe_task(void *arg)
{
    peerc_track *t = arg;
    peerc_transceiver *tr = t->owner;
    if (tr && tr->receiver && !tr->pc->closed)
        peerc__rtp_receiver_request_keyframe(tr->receiver, g_get_monotonic_time() / 1000);
}

static void unref_track_task(void *arg)
{
    peerc__track_unref(arg);
}

int peerc_track_set_sink(peerc_track *t, const peerc_track_sink *sink, void *ud)
{
    if (!t)
        return track_fail(PEERC_E_INVALID_ARGUMENT, "track is NULL");
    if (sink && sink->size < offsetof(peerc_track_sink, encoded_frame))
        return track_fail(PEERC_E_INVALID_ARGUMENT, "sink size not set");
    pthread_mutex_lock(&t->sink_lock);
    t->has_sink = sink != NULL;
    if (sink) {
        /* members past the caller's size stay NULL */
        memset(&t->sink, 0, sizeof t->sink);
        memcpy(&t->sink, sink, sink->size < sizeof t->sink ? sink->size : sizeof t->sink);
    }
    t->sink_ud = ud;
    pthread_mutex_unlock(&t->sink_lock);
    /* The first picture needs a keyframe; do not wait for the next one. */
    if (sink && t->remote && t->kind == PEERC_MEDIA_KIND_VIDEO && t->owner) {
        peerc__track_ref(t);
        peerc__ctx_post(t->owner->pc->ctx, request_keyframe_task, t, unref_track_task);
    }
    return PEERC_OK;
}

/* ------------------------------------------------- transceiver plumbing */

void peerc__track_attach(peerc_track *t, peerc_transceiver *tr)
{
    peerc__track_ref(t);
    pthread_mutex_lock(&t->push_lock);
    g_ptr_array_add(t->attached, tr);
    pthread_mutex_unlock(&t->push_lock);
}

void peerc__track_detach(peerc_track *t, peerc_transceiver *tr)
{
    /* Waits for a running encode, so tr->sender is unused afterwards. */
    pthread_mutex_lock(&t->push_lock);
    g_ptr_array_remove(t->attached, tr);
    pthread_mutex_unlock(&t->push_lock);
    peerc__track_unref(t);
}

void peerc__track_deliver_video(peerc_track *t, const peerc_media_i420 *frame)
{
    peerc_video_frame pub;
    to_public_video(frame, &pub);
    local_sink_video(t, &pub);
}

void peerc__track_deliver_audio(peerc_track *t, const int16_t *pcm, size_t samples,
                                uint32_t channels, int64_t ts)
{
    peerc_audio_frame pub = {sizeof pub, pcm, (uint32_t)samples, channels, 48000, ts};
    local_sink_audio(t, &pub);
}

void peerc__track_end_silently(peerc_track *t)
{
    pthread_mutex_lock(&t->lock);
    t->state = PEERC_TRACK_ENDED;
    pthread_mutex_unlock(&t->lock);
}

void peerc__track_set_ended(peerc_track *t, gboolean ended)
{
    gboolean fire;
    pthread_mutex_lock(&t->lock);
    fire = ended && t->state != PEERC_TRACK_ENDED;
    t->state = ended ? PEERC_TRACK_ENDED : PEERC_TRACK_LIVE;
    pthread_mutex_unlock(&t->lock);
    if (!fire)
        return;
    pthread_mutex_lock(&t->sink_lock);
    if (t->has_sink && t->sink.ended)
        t->sink.ended(t, t->sink_ud);
    pthread_mutex_unlock(&t->sink_lock);
}

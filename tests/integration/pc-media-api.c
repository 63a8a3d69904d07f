/*
 * The media API beyond the basic call: frames pushed by the application,
 * a direction change renegotiated by the answerer, a peer that only has
 * G.711, a peer with no video codec in common (that m-line is rejected,
 * audio still flows), capture devices that do not exist, and bad
 * arguments.
 */
#include "harness.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "media/frame.h"
#include "media/testsrc.h"
#include "media/vp8enc.h"

typedef struct rx {
    int frames, numbered, backwards, removed;
    uint32_t last_number;
    uint64_t samples;
    int16_t pcm[9600]; /* last 0.2 s */
    size_t pcm_len;
} rx;

static rx rx_video, rx_audio;

static void reset_rx(void)
{
    pthread_mutex_lock(&h_lock);
    memset(&rx_video, 0, sizeof rx_video);
    memset(&rx_audio, 0, sizeof rx_audio);
    pthread_mutex_unlock(&h_lock);
}

static void sink_video(peerc_track *track, const peerc_video_frame *f, void *ud)
{
    rx *r = ud;
    peerc_media_i420 pic = {f->width,    f->height,   f->y,        f->u,          f->v,
                            f->stride_y, f->stride_u, f->stride_v, f->timestamp_us};
    uint32_t n;
    (void)track;
    pthread_mutex_lock(&h_lock);
    r->frames++;
    if (peerc__testsrc_read_frame_number(&pic, &n) == PEERC_OK) {
        if (r->numbered && n <= r->last_number)
            r->backwards++;
        r->numbered++;
        r->last_number = n;
    }
    pthread_mutex_unlock(&h_lock);
}

static void sink_audio(peerc_track *track, const peerc_audio_frame *f, void *ud)
{
    rx *r = ud;
    size_t n = f->samples_per_channel, keep = sizeof r->pcm / sizeof r->pcm[0];
    (void)track;
    pthread_mutex_lock(&h_lock);
    r->samples += n;
    if (n > keep)
        n = keep;
    if (r->pcm_len + n > keep) {
        size_t drop = r->pcm_len + n - keep;
        memmove(r->pcm, r->pcm + drop, (r->pcm_len - drop) * sizeof r->pcm[0]);
        r->pcm_len -= drop;
    }
    for (size_t i = 0; i < n; i++)
        r->pcm[r->pcm_len++] = f->samples[i * f->channels];
    pthread_mutex_unlock(&h_lock);
}

static void on_track(h_side *s, peerc_transceiver *t, peerc_track *track,
                     const char *const *streams, size_t n)
{
    peerc_track_sink sink;
    (void)s, (void)t, (void)streams, (void)n;
    peerc_track_sink_init(&sink);
    sink.video_frame = sink_video;
    sink.audio_frame = sink_audio;
    peerc_track_set_sink(track, &sink,
                         peerc_track_kind(track) == PEERC_MEDIA_KIND_VIDEO ? &rx_video : &rx_audio);
}

static void on_remove_track(h_side *s, peerc_transceiver *t, peerc_track *track)
{
    rx *r = peerc_track_kind(track) == PEERC_MEDIA_KIND_VIDEO ? &rx_video : &rx_audio;
    (void)s, (void)t;
    pthread_mutex_lock(&h_lock);
    r->removed++;
    pthread_mutex_unlock(&h_lock);
}

static peerc_track *builtin(peerc_media_kind kind, double hz)
{
    peerc_track_options o;
    peerc_track *t = NULL;
    peerc_track_options_init(&o, kind);
    o.source = kind == PEERC_MEDIA_KIND_VIDEO ? PEERC_TRACK_SOURCE_TEST_PATTERN
                                              : PEERC_TRACK_SOURCE_TONE;
    o.width = 320;
    o.height = 240;
    o.tone_hz = hz;
    if (peerc_track_new(&o, &t) != PEERC_OK)
        diag("track_new: %s", peerc_track_last_error());
    return t;
}

static int push_done(void)
{
    int done;
    pthread_mutex_lock(&h_lock);
    done = rx_video.numbered >= 40 && rx_audio.samples >= 48000;
    pthread_mutex_unlock(&h_lock);
    return done;
}

static int video_frames_ge(void *arg)
{
    return rx_video.numbered >= *(int *)arg;
}

static int audio_samples_ge(void *arg)
{
    return rx_audio.samples >= (uint64_t)*(int *)arg;
}

static int audio_removed(void *arg)
{
    (void)arg;
    return rx_audio.removed > 0;
}

static double heard_hz(void)
{
    double hz = -1;
    pthread_mutex_lock(&h_lock);
    if (peerc__testsrc_tone_estimate(rx_audio.pcm, rx_audio.pcm_len, 1, &hz, NULL) != PEERC_OK)
        hz = -1;
    pthread_mutex_unlock(&h_lock);
    return hz;
}

static void pair_up(peerc_ctx *ctx, h_side *a, h_side *b)
{
    reset_rx();
    h_side_init(a, ctx, "A");
    h_side_init(b, ctx, "B");
    h_pair(a, b);
    a->on_track = b->on_track = on_track;
    a->on_remove_track = b->on_remove_track = on_remove_track;
    b->auto_negotiate = 0;
}

/* ---------------------------------------------------------------- push */

static void test_push(peerc_ctx *ctx)
{
    h_side a, b;
    peerc_track_options o;
    peerc_track *video = NULL, *audio = NULL;
    peerc_testsrc_video *pattern = NULL;
    peerc_testsrc_tone *tone = NULL;
    int want = 40, samples = 48000;
    int16_t pcm[960];

    pair_up(ctx, &a, &b);
    peerc_track_options_init(&o, PEERC_MEDIA_KIND_VIDEO);
    ok(peerc_track_new(&o, &video) == PEERC_OK, "push video track");
    peerc_track_options_init(&o, PEERC_MEDIA_KIND_AUDIO);
    ok(peerc_track_new(&o, &audio) == PEERC_OK, "push audio track");
    peerc__testsrc_video_new(320, 240, 30, &pattern);
    peerc__testsrc_tone_new(600, 1, 0.3, &tone);
    ok(peerc_pc_add_track(a.pc, video, NULL, 0, NULL) == PEERC_OK &&
           peerc_pc_add_track(a.pc, audio, NULL, 0, NULL) == PEERC_OK,
       "A adds the push tracks");
    /* The application's own "camera" thread: this one, at 30 fps. */
    for (int i = 0; i < 150 && !push_done(); i++) {
        peerc_media_i420 pic;
        peerc_video_frame f = {sizeof f};
        peerc_audio_frame af = {sizeof af, pcm, 960, 1, 48000, 0};
        peerc__testsrc_video_next(pattern, &pic);
        f.width = pic.width, f.height = pic.height;
        f.y = pic.y, f.u = pic.u, f.v = pic.v;
        f.stride_y = pic.stride_y, f.stride_u = pic.stride_u, f.stride_v = pic.stride_v;
        f.timestamp_us = pic.timestamp_us;
        if (peerc_track_push_video(video, &f) != PEERC_OK)
            diag("push_video: %s", peerc_track_last_error());
        peerc__testsrc_tone_read(tone, pcm, 960);
        peerc__testsrc_tone_read(tone, pcm, 960); /* ~33 ms of audio per frame, roughly */
        peerc_track_push_audio(audio, &af);
        usleep(33000);
    }
    ok(h_wait(video_frames_ge, &want, 5000), "B decodes pushed pictures");
    pthread_mutex_lock(&h_lock);
    ok(rx_video.backwards == 0, "their frame numbers increase");
    pthread_mutex_unlock(&h_lock);
    ok(h_wait(audio_samples_ge, &samples, 5000), "B receives pushed audio");
    {
        double hz = heard_hz();
        ok(hz > 590 && hz < 610, "B hears the pushed 600 Hz (%.1f Hz)", hz);
    }
    {
        peerc_video_frame bad = {sizeof bad};
        peerc_audio_frame bad_rate = {sizeof bad_rate, pcm, 960, 1, 44100, 0};
        bad.width = 320, bad.height = 240;
        ok(peerc_track_push_video(video, &bad) == PEERC_E_INVALID_ARGUMENT,
           "a picture without planes is refused");
        ok(peerc_track_push_audio(video, &bad_rate) == PEERC_E_INVALID_ARGUMENT,
           "audio into a video track is refused");
        ok(peerc_track_push_audio(audio, &bad_rate) == PEERC_E_NOT_SUPPORTED,
           "44.1 kHz is NotSupported: %s", peerc_track_last_error());
        ok(peerc_track_push_video(NULL, &bad) == PEERC_E_INVALID_ARGUMENT, "NULL track");
    }
    ok(peerc_track_stop(video) == PEERC_OK && peerc_track_ready_state(video) == PEERC_TRACK_ENDED,
       "stop ends the track");
    {
        peerc_video_frame f = {sizeof f};
        ok(peerc_track_push_video(video, &f) == PEERC_E_INVALID_STATE,
           "pushing into an ended track is InvalidStateError");
    }
    h_side_free(&a);
    h_side_free(&b);
    peerc_track_free(video);
    peerc_track_free(audio);
    peerc__testsrc_video_free(pattern);
    peerc__testsrc_tone_free(tone);
}

/* -------------------------------------------------------- encoded frames */

static int encoded_seen, encoded_keyframes, keyframe_requests;

static void sink_encoded(peerc_track *track, const peerc_encoded_frame *f, void *ud)
{
    (void)track, (void)ud;
    pthread_mutex_lock(&h_lock);
    encoded_seen += f->codec == PEERC_VIDEO_CODEC_VP8 && f->len > 0;
    encoded_keyframes += f->keyframe != 0;
    pthread_mutex_unlock(&h_lock);
}

static void on_track_encoded(h_side *s, peerc_transceiver *t, peerc_track *track,
                             const char *const *streams, size_t n)
{
    peerc_track_sink sink;
    (void)s, (void)t, (void)streams, (void)n;
    peerc_track_sink_init(&sink);
    sink.video_frame = sink_video;
    sink.encoded_frame = sink_encoded;
    peerc_track_set_sink(track, &sink, &rx_video);
}

static void on_keyframe_requested(peerc_track *track, void *ud)
{
    (void)track;
    peerc__vp8enc_request_keyframe(ud); /* the application's own encoder */
    pthread_mutex_lock(&h_lock);
    keyframe_requests++;
    pthread_mutex_unlock(&h_lock);
}

/* A hardware encoder's output, played by libvpx in this process: the pc
 * packetizes what it is given and asks for keyframes through the sink. */
static void test_encoded(peerc_ctx *ctx)
{
    h_side a, b;
    peerc_track_options o;
    peerc_track_sink sink;
    peerc_track *track = NULL;
    peerc_testsrc_video *pattern = NULL;
    peerc_vp8enc *enc = NULL;
    int want = 40, requests;

    pair_up(ctx, &a, &b);
    b.on_track = on_track_encoded;
    peerc_track_options_init(&o, PEERC_MEDIA_KIND_VIDEO);
    o.source = PEERC_TRACK_SOURCE_ENCODED;
    o.codec = PEERC_VIDEO_CODEC_VP8;
    ok(peerc_track_new(&o, &track) == PEERC_OK, "encoded VP8 track");
    peerc__testsrc_video_new(320, 240, 30, &pattern);
    peerc__vp8enc_new(NULL, &enc, NULL, 0);
    peerc_track_sink_init(&sink);
    sink.keyframe_requested = on_keyframe_requested;
    ok(peerc_track_set_sink(track, &sink, enc) == PEERC_OK, "keyframe requests go to our encoder");
    ok(peerc_pc_add_track(a.pc, track, NULL, 0, NULL) == PEERC_OK, "A adds it");
    for (int i = 0; i < 150 && !h_wait(video_frames_ge, &want, 0); i++) {
        peerc_media_i420 pic;
        peerc_media_encoded e;
        peerc_encoded_frame f = {sizeof f, PEERC_VIDEO_CODEC_VP8};
        peerc__testsrc_video_next(pattern, &pic);
        if (peerc__vp8enc_encode(enc, &pic, &e) == PEERC_OK && e.size) {
            f.data = e.data, f.len = e.size, f.keyframe = e.keyframe;
            f.width = e.width, f.height = e.height, f.timestamp_us = e.timestamp_us;
            if (peerc_track_push_encoded(track, &f) != PEERC_OK)
                diag("push_encoded: %s", peerc_track_last_error());
        }
        usleep(33000);
    }
    ok(h_wait(video_frames_ge, &want, 5000), "B decodes the pushed VP8 frames");
    pthread_mutex_lock(&h_lock);
    ok(rx_video.backwards == 0, "frame numbers increase");
    ok(encoded_seen >= want, "B's sink also saw %d encoded frames", encoded_seen);
    ok(encoded_keyframes >= 1, "including a keyframe");
    requests = keyframe_requests;
    pthread_mutex_unlock(&h_lock);
    ok(requests >= 1, "A's application was asked for a keyframe (%d)", requests);
    {
        peerc_encoded_frame f = {sizeof f, 9, (const uint8_t *)"x", 1};
        ok(peerc_track_push_encoded(track, &f) == PEERC_E_INVALID_ARGUMENT, "wrong codec refused");
        f.codec = PEERC_VIDEO_CODEC_VP8;
        f.len = 0;
        ok(peerc_track_push_encoded(track, &f) == PEERC_E_INVALID_ARGUMENT, "empty frame refused");
    }
    peerc_track_options_init(&o, PEERC_MEDIA_KIND_AUDIO);
    o.source = PEERC_TRACK_SOURCE_ENCODED;
    {
        peerc_track *t2 = NULL;
        ok(peerc_track_new(&o, &t2) == PEERC_E_NOT_SUPPORTED, "encoded audio: NotSupported");
    }
    h_side_free(&a);
    h_side_free(&b);
    peerc_track_free(track);
    peerc__vp8enc_free(enc);
    peerc__testsrc_video_free(pattern);
}

/* ---------------------------------------------------------------- H.264 */

static int h264_frames, h264_keyframes, h264_backwards, h264_bad;
static int h264_last = -1;
static int h264_kf_wanted;

/* A synthetic access unit: [SPS PPS] then an IDR or non-IDR slice whose
 * first two payload bytes carry the frame number (no decoder is involved:
 * peerc passes H.264 through). */
static size_t make_au(uint8_t *au, int number, int key)
{
    static const uint8_t sps[] = {0, 0, 0, 1, 0x67, 0x42, 0xe0, 0x1f, 0x8d, 0x68, 0x0a};
    static const uint8_t pps[] = {0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80};
    size_t n = 0, slice = key ? 6000 : 700;
    if (key) {
        memcpy(au + n, sps, sizeof sps), n += sizeof sps;
        memcpy(au + n, pps, sizeof pps), n += sizeof pps;
    }
    au[n++] = 0, au[n++] = 0, au[n++] = 0, au[n++] = 1;
    au[n++] = key ? 0x65 : 0x41;
    au[n++] = (uint8_t)(0x80 | (number >> 7)); /* never 0: no start-code look-alikes */
    au[n++] = (uint8_t)(0x80 | (number & 0x7f));
    memset(au + n, 0x55, slice);
    return n + slice;
}

/* The frame number of a received access unit, or -1. */
static int read_au(const uint8_t *d, size_t len, int *key)
{
    for (size_t i = 0; i + 7 <= len; i++) {
        if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1 && ((d[i + 3] & 0x1f) == 5 ||
                                                              (d[i + 3] & 0x1f) == 1)) {
            *key = (d[i + 3] & 0x1f) == 5;
            return ((d[i + 4] & 0x7f) << 7) | (d[i + 5] & 0x7f);
        }
    }
    return -1;
}

static void sink_h264(peerc_track *track, const peerc_encoded_frame *f, void *ud)
{
    int key = 0, n = read_au(f->data, f->len, &key);
    (void)track, (void)ud;
    pthread_mutex_lock(&h_lock);
    if (f->codec != PEERC_VIDEO_CODEC_H264 || n < 0 || key != (f->keyframe != 0)) {
        h264_bad++;
    } else {
        h264_frames++;
        h264_keyframes += key;
        h264_backwards += n <= h264_last;
        h264_last = n;
    }
    pthread_mutex_unlock(&h_lock);
}

static void on_track_h264(h_side *s, peerc_transceiver *t, peerc_track *track,
                          const char *const *streams, size_t n)
{
    peerc_track_sink sink;
    (void)s, (void)t, (void)streams, (void)n;
    peerc_track_sink_init(&sink);
    sink.encoded_frame = sink_h264;
    peerc_track_set_sink(track, &sink, NULL);
}

static void h264_keyframe_requested(peerc_track *track, void *ud)
{
    (void)track, (void)ud;
    pthread_mutex_lock(&h_lock);
    h264_kf_wanted = 1;
    pthread_mutex_unlock(&h_lock);
}

static int h264_got(void *arg)
{
    return h264_frames >= *(int *)arg;
}

/* Hardware-encoder style H.264 both ways: offered first for ENCODED H.264
 * tracks, packetized per RFC 6184 (STAP-A, FU-A), reassembled into Annex B
 * access units for the receiver's encoded_frame sink. */
static void test_h264(peerc_ctx *ctx)
{
    h_side a, b;
    peerc_track_options o;
    peerc_track_sink sink;
    peerc_track *ta = NULL, *tb = NULL;
    peerc_transceiver *at = NULL;
    peerc_rtp_stats st;
    static uint8_t au[8000];
    int want = 40;

    pair_up(ctx, &a, &b);
    a.on_track = NULL; /* the sink records what B receives */
    b.on_track = on_track_h264;
    peerc_track_options_init(&o, PEERC_MEDIA_KIND_VIDEO);
    o.source = PEERC_TRACK_SOURCE_ENCODED;
    o.codec = PEERC_VIDEO_CODEC_H264;
    ok(peerc_track_new(&o, &ta) == PEERC_OK && peerc_track_new(&o, &tb) == PEERC_OK,
       "encoded H.264 tracks");
    peerc_track_sink_init(&sink);
    sink.keyframe_requested = h264_keyframe_requested;
    peerc_track_set_sink(ta, &sink, NULL);
    ok(peerc_pc_add_track(b.pc, tb, NULL, 0, NULL) == PEERC_OK, "B adds its H.264 track");
    ok(peerc_pc_add_track(a.pc, ta, NULL, 0, &at) == PEERC_OK, "A adds its H.264 track");
    for (int i = 0; i < 200 && !h_wait(h264_got, &want, 0); i++) {
        int key;
        peerc_encoded_frame f = {sizeof f, PEERC_VIDEO_CODEC_H264};
        pthread_mutex_lock(&h_lock);
        key = i % 60 == 0 || h264_kf_wanted;
        h264_kf_wanted = 0;
        pthread_mutex_unlock(&h_lock);
        f.data = au;
        f.len = make_au(au, i, key);
        f.keyframe = key;
        f.timestamp_us = (int64_t)i * 33333;
        if (peerc_track_push_encoded(ta, &f) != PEERC_OK)
            diag("push_encoded: %s", peerc_track_last_error());
        usleep(33000);
    }
    ok(h_wait(h264_got, &want, 5000), "B received %d H.264 access units", want);
    pthread_mutex_lock(&h_lock);
    ok(h264_bad == 0, "each is a well-formed Annex B access unit with the right keyframe flag");
    ok(h264_backwards == 0, "in order");
    ok(h264_keyframes >= 1, "an IDR among them (%d)", h264_keyframes);
    pthread_mutex_unlock(&h_lock);
    peerc_rtp_stats_init(&st);
    peerc_transceiver_get_stats(at, &st);
    is_str(st.codec, "video/H264", "negotiated codec");
    h_side_free(&a);
    h_side_free(&b);
    peerc_track_free(ta);
    peerc_track_free(tb);
}

/* ------------------------------------------------- answerer renegotiates */

static void test_direction_from_answerer(peerc_ctx *ctx)
{
    h_side a, b;
    peerc_track *ta = builtin(PEERC_MEDIA_KIND_AUDIO, 440), *tb = builtin(PEERC_MEDIA_KIND_AUDIO, 880);
    peerc_transceiver *bt = NULL;
    int samples = 24000;
    pair_up(ctx, &a, &b);
    b.on_track = NULL; /* the sinks record what A receives */
    ok(peerc_pc_add_track(b.pc, tb, NULL, 0, &bt) == PEERC_OK, "B adds audio");
    ok(peerc_pc_add_track(a.pc, ta, NULL, 0, NULL) == PEERC_OK, "A adds audio and offers");
    ok(h_wait(audio_samples_ge, &samples, 10000), "audio flows");
    b.auto_negotiate = 1; /* now B starts the renegotiation */
    ok(peerc_transceiver_set_direction(bt, PEERC_DIRECTION_RECVONLY) == PEERC_OK,
       "B: direction recvonly");
    ok(h_wait(audio_removed, NULL, 10000), "A's remove_track fires after B's offer");
    ok(h_wait_negotiated(&a, 5000), "B's renegotiation completed");
    ok(peerc_transceiver_current_direction(bt) == PEERC_DIRECTION_RECVONLY,
       "B's transceiver is recvonly");
    ok(peerc_transceiver_set_direction(bt, PEERC_DIRECTION_STOPPED) == PEERC_E_INVALID_ARGUMENT,
       "stopped cannot be set directly");
    h_side_free(&a);
    h_side_free(&b);
    peerc_track_free(ta);
    peerc_track_free(tb);
}

/* --------------------------------------------------- other capabilities */

/* Keep only the listed payload types on the m-line of kind ("audio"). */
static char *keep_formats(const char *sdp, const char *kind, const char *formats)
{
    GString *out = g_string_new(NULL);
    gchar **lines = g_strsplit(sdp, "\r\n", -1);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "m=%s ", kind);
    for (gchar **l = lines; *l; l++) {
        if (!**l)
            continue;
        if (g_str_has_prefix(*l, prefix)) {
            gchar **f = g_strsplit(*l, " ", 4);
            g_string_append_printf(out, "%s %s %s %s\r\n", f[0], f[1], f[2], formats);
            g_strfreev(f);
        } else {
            g_string_append_printf(out, "%s\r\n", *l);
        }
    }
    g_strfreev(lines);
    return g_string_free(out, FALSE);
}

static char *offer_only_g711(h_side *s, peerc_sdp_type type, const char *sdp)
{
    (void)s;
    return type == PEERC_SDP_OFFER ? keep_formats(sdp, "audio", "0 8") : NULL;
}

static char *replace_all(const char *s, const char *from, const char *to)
{
    gchar **parts = g_strsplit(s, from, -1);
    char *out = g_strjoinv(to, parts);
    g_strfreev(parts);
    return out;
}

static char *video_as_h264(h_side *s, peerc_sdp_type type, const char *sdp)
{
    char *vp8gone, *out;
    (void)s;
    if (type != PEERC_SDP_OFFER)
        return NULL;
    vp8gone = replace_all(sdp, "VP8/90000", "H264/90000");
    out = replace_all(vp8gone, "VP9/90000", "H264/90000");
    free(vp8gone);
    return out;
}

static char *offer_only_vp9(h_side *s, peerc_sdp_type type, const char *sdp)
{
    (void)s;
    return type == PEERC_SDP_OFFER ? keep_formats(sdp, "video", "98 99") : NULL;
}

/* A peer without VP8: the call runs on VP9 both ways. */
static void test_vp9_peer(peerc_ctx *ctx)
{
    h_side a, b;
    peerc_track *va = builtin(PEERC_MEDIA_KIND_VIDEO, 0), *vb = builtin(PEERC_MEDIA_KIND_VIDEO, 0);
    peerc_transceiver *at = NULL;
    peerc_rtp_stats st;
    int want = 30;
    pair_up(ctx, &a, &b);
    a.rewrite = offer_only_vp9;
    b.on_track = NULL; /* the sinks record what A receives */
    peerc_pc_add_track(b.pc, vb, NULL, 0, NULL);
    ok(peerc_pc_add_track(a.pc, va, NULL, 0, &at) == PEERC_OK, "A adds video");
    ok(h_wait(video_frames_ge, &want, 10000), "A decodes B's VP9 pictures");
    pthread_mutex_lock(&h_lock);
    ok(rx_video.backwards == 0, "frame numbers increase");
    pthread_mutex_unlock(&h_lock);
    peerc_rtp_stats_init(&st);
    peerc_transceiver_get_stats(at, &st);
    is_str(st.codec, "video/VP9", "negotiated codec");
    ok(st.frames_encoded > 0 && st.frames_decoded > 0, "A encodes and decodes VP9 (%llu, %llu)",
       (unsigned long long)st.frames_encoded, (unsigned long long)st.frames_decoded);
    h_side_free(&a);
    h_side_free(&b);
    peerc_track_free(va);
    peerc_track_free(vb);
}

static void test_g711_peer(peerc_ctx *ctx)
{
    h_side a, b;
    peerc_track *ta = builtin(PEERC_MEDIA_KIND_AUDIO, 440), *tb = builtin(PEERC_MEDIA_KIND_AUDIO, 880);
    peerc_transceiver *at = NULL;
    peerc_rtp_stats st;
    int samples = 48000;
    pair_up(ctx, &a, &b);
    a.rewrite = offer_only_g711; /* B sees an offer with PCMU and PCMA only */
    b.on_track = NULL;           /* the sinks record what A receives */
    peerc_pc_add_track(b.pc, tb, NULL, 0, NULL);
    ok(peerc_pc_add_track(a.pc, ta, NULL, 0, &at) == PEERC_OK, "A adds audio");
    ok(h_wait(audio_samples_ge, &samples, 10000), "audio flows with G.711");
    {
        double hz = heard_hz();
        ok(hz > 870 && hz < 890, "A hears B's 880 Hz through PCMU (%.1f Hz)", hz);
    }
    peerc_rtp_stats_init(&st);
    peerc_transceiver_get_stats(at, &st);
    is_str(st.codec, "audio/PCMU", "negotiated codec");
    ok(st.payload_type == 0, "payload type 0");
    h_side_free(&a);
    h_side_free(&b);
    peerc_track_free(ta);
    peerc_track_free(tb);
}

static void test_no_common_video_codec(peerc_ctx *ctx)
{
    h_side a, b;
    peerc_track *va = builtin(PEERC_MEDIA_KIND_VIDEO, 0), *aa = builtin(PEERC_MEDIA_KIND_AUDIO, 440);
    peerc_transceiver *vt = NULL;
    char *answer = NULL;
    int samples = 24000;
    pair_up(ctx, &a, &b);
    a.rewrite = video_as_h264; /* B is offered H264 only for video */
    a.on_track = NULL;         /* the sinks record what B receives */
    ok(peerc_pc_add_track(a.pc, va, NULL, 0, &vt) == PEERC_OK &&
           peerc_pc_add_track(a.pc, aa, NULL, 0, NULL) == PEERC_OK,
       "A adds video and audio");
    ok(h_wait(audio_samples_ge, &samples, 10000), "audio still flows");
    ok(peerc_pc_get_description(b.pc, PEERC_DESCRIPTION_CURRENT_LOCAL, NULL, &answer) == PEERC_OK,
       "B's answer");
    ok(answer && strstr(answer, "m=video 0 "), "the video m-line is rejected (port 0)");
    ok(peerc_transceiver_current_direction(vt) == PEERC_DIRECTION_INACTIVE,
       "A's video transceiver is inactive");
    pthread_mutex_lock(&h_lock);
    ok(rx_video.frames == 0, "no video arrives");
    pthread_mutex_unlock(&h_lock);
    peerc_free(answer);
    h_side_free(&a);
    h_side_free(&b);
    peerc_track_free(va);
    peerc_track_free(aa);
}

/* ------------------------------------------------------------ bad input */

static void test_devices_and_misuse(peerc_ctx *ctx)
{
    peerc_track_options o;
    peerc_track *t = NULL, *remote;
    peerc_transceiver *tr = NULL;
    h_side a, b;
    char mid[8];

    peerc_track_options_init(&o, PEERC_MEDIA_KIND_VIDEO);
    o.source = PEERC_TRACK_SOURCE_CAMERA;
    o.device = "/dev/video-that-does-not-exist";
    ok(peerc_track_new(&o, &t) == PEERC_E_NOT_FOUND && !t,
       "missing camera: NotFoundError (%s)", peerc_track_last_error());
    ok(strcmp(peerc_error_name(PEERC_E_NOT_FOUND), "NotFoundError") == 0, "W3C name");
    peerc_track_options_init(&o, PEERC_MEDIA_KIND_AUDIO);
    o.source = PEERC_TRACK_SOURCE_MICROPHONE;
    o.device = "hw:99";
    ok(peerc_track_new(&o, &t) == PEERC_E_NOT_FOUND, "missing microphone: NotFoundError (%s)",
       peerc_track_last_error());
    peerc_track_options_init(&o, PEERC_MEDIA_KIND_AUDIO);
    o.source = PEERC_TRACK_SOURCE_TEST_PATTERN;
    ok(peerc_track_new(&o, &t) == PEERC_E_INVALID_ARGUMENT, "an audio test pattern is refused");
    peerc_track_options_init(&o, PEERC_MEDIA_KIND_VIDEO);
    o.id = "has space";
    ok(peerc_track_new(&o, &t) == PEERC_E_INVALID_ARGUMENT, "a track id with a space is refused");
    ok(peerc_track_options_init(&o, (peerc_media_kind)7) == PEERC_E_INVALID_ARGUMENT,
       "unknown kind");
    ok(peerc_track_new(NULL, &t) == PEERC_E_INVALID_ARGUMENT, "NULL options");

    pair_up(ctx, &a, &b);
    a.auto_negotiate = 0;
    peerc_track_options_init(&o, PEERC_MEDIA_KIND_VIDEO);
    peerc_track_new(&o, &t);
    {
        const char *bad_stream[] = {"two words"};
        ok(peerc_pc_add_track(a.pc, t, bad_stream, 1, NULL) == PEERC_E_INVALID_ARGUMENT,
           "a stream id with a space is refused");
    }
    ok(peerc_pc_add_track(a.pc, t, NULL, 0, &tr) == PEERC_OK, "add_track");
    ok(peerc_transceiver_get_mid(tr, mid, sizeof mid) == PEERC_E_NOT_FOUND,
       "no mid before negotiation");
    ok(peerc_transceiver_current_direction(tr) == -1, "no current direction yet");
    remote = peerc_transceiver_receiver_track(tr);
    ok(remote && peerc_track_is_remote(remote) == 1, "the receiver track exists and is remote");
    ok(peerc_pc_add_track(a.pc, remote, NULL, 0, NULL) == PEERC_E_INVALID_ARGUMENT,
       "a remote track cannot be added");
    peerc_track_free(remote); /* does nothing: the pc owns it */
    ok(peerc_pc_add_transceiver(a.pc, (peerc_media_kind)9, PEERC_DIRECTION_RECVONLY, NULL) ==
           PEERC_E_INVALID_ARGUMENT,
       "add_transceiver: unknown kind");
    ok(peerc_pc_remove_track(b.pc, tr) == PEERC_E_INVALID_ARGUMENT,
       "remove_track on another pc's transceiver");
    {
        size_t n = 0;
        ok(peerc_pc_get_transceivers(a.pc, NULL, 0, &n) == PEERC_OK && n == 1, "one transceiver");
    }
    ok(peerc_pc_remove_track(a.pc, tr) == PEERC_OK &&
           peerc_transceiver_sender_track(tr) == NULL &&
           peerc_transceiver_direction(tr) == PEERC_DIRECTION_RECVONLY,
       "remove_track: no sender track, recvonly");
    peerc_pc_close(a.pc);
    ok(peerc_pc_add_track(a.pc, t, NULL, 0, NULL) == PEERC_E_INVALID_STATE,
       "add_track after close: InvalidStateError");
    h_side_free(&a);
    h_side_free(&b);
    peerc_track_free(t);
}

/* Media sections a peer should not send: clear errors, state unchanged. */
static void test_bad_media_offers(peerc_ctx *ctx)
{
    h_side a, b;
    peerc_track *t = builtin(PEERC_MEDIA_KIND_AUDIO, 440);
    char *offer = NULL, *bad;
    pair_up(ctx, &a, &b);
    a.auto_negotiate = 0;
    peerc_pc_add_track(a.pc, t, NULL, 0, NULL);
    ok(peerc_pc_create_offer(a.pc, NULL, &offer) == PEERC_OK, "an audio offer");
    {
        static const char *const cases[][3] = {
            {"a=rtcp-mux\r\n", "", "rtcp-mux"},
            {"a=ssrc:", "a=ssrc-group:FID x\r\na=ssrc:", "ssrc-group"},
            {"a=mid:", "a=x-mid:", "mid"},
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
            int rc;
            bad = replace_all(offer, cases[i][0], cases[i][1]);
            rc = peerc_pc_set_remote_description(b.pc, PEERC_SDP_OFFER, bad);
            ok(rc == PEERC_E_OPERATION || rc == PEERC_E_SYNTAX, "bad %s refused: %s (%s)",
               cases[i][2], peerc_error_name(rc), peerc_pc_last_error(b.pc));
            ok(strstr(peerc_pc_last_error(b.pc), cases[i][2]) != NULL, "the message names it");
            free(bad);
        }
    }
    ok(peerc_pc_signaling_state(b.pc) == PEERC_SIGNALING_STABLE, "B is still stable");
    {
        size_t n = 9;
        ok(peerc_pc_get_transceivers(b.pc, NULL, 0, &n) == PEERC_OK && n == 0,
           "and has no transceiver from the refused offers");
    }
    ok(peerc_pc_set_remote_description(b.pc, PEERC_SDP_OFFER, offer) == PEERC_OK,
       "the unmodified offer is accepted");
    peerc_free(offer);
    h_side_free(&a);
    h_side_free(&b);
    peerc_track_free(t);
}

int main(void)
{
    peerc_ctx *ctx = NULL;
    ok(peerc_ctx_new(&ctx) == PEERC_OK, "ctx");
    test_push(ctx);
    test_encoded(ctx);
    test_direction_from_answerer(ctx);
    test_g711_peer(ctx);
    test_vp9_peer(ctx);
    test_h264(ctx);
    test_no_common_video_codec(ctx);
    test_devices_and_misuse(ctx);
    test_bad_media_offers(ctx);
    peerc_ctx_free(ctx);
    return done_testing();
}

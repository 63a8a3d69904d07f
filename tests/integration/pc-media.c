/*
 * An audio + video call between two peer connections over loopback: each
 * side sends its test pattern and a tone, and checks what it decodes --
 * the pattern's frame numbers increase, the tone has the other side's
 * frequency -- then removes and re-adds a track mid-call and hangs up.
 */
#include "harness.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "media/frame.h"
#include "media/testsrc.h"
#include "pc/pc_internal.h"

#define AUDIO_KEEP 24000 /* last 0.5 s of received PCM */

typedef struct rx {
    int video_frames, numbered, unreadable, backwards;
    uint32_t last_number;
    int width, height;
    double first_frame_ms;
    int16_t pcm[AUDIO_KEEP];
    size_t pcm_len;
    uint64_t audio_samples;
    char stream[80];
    int ended;
} rx;

typedef struct side_media {
    rx video[4], audio; /* video[k]: k-th remote video track */
    int n_video;
    double start_ms;
} side_media;

static side_media media_a, media_b;

static void sink_video(peerc_track *track, const peerc_video_frame *f, void *ud)
{
    rx *r = ud;
    peerc_media_i420 pic = {f->width,    f->height,   f->y,        f->u,          f->v,
                            f->stride_y, f->stride_u, f->stride_v, f->timestamp_us};
    uint32_t n;
    int rc = peerc__testsrc_read_frame_number(&pic, &n);
    (void)track;
    pthread_mutex_lock(&h_lock);
    if (r->video_frames++ == 0)
        r->first_frame_ms = h_now_ms();
    r->width = (int)f->width;
    r->height = (int)f->height;
    if (rc == PEERC_OK) {
        if (r->numbered && n <= r->last_number)
            r->backwards++;
        r->numbered++;
        r->last_number = n;
    } else {
        r->unreadable++;
    }
    pthread_mutex_unlock(&h_lock);
}

static void sink_audio(peerc_track *track, const peerc_audio_frame *f, void *ud)
{
    rx *r = ud;
    size_t n = f->samples_per_channel;
    (void)track;
    pthread_mutex_lock(&h_lock);
    r->audio_samples += n;
    if (n > AUDIO_KEEP)
        n = AUDIO_KEEP;
    if (r->pcm_len + n > AUDIO_KEEP) { /* keep the newest AUDIO_KEEP samples */
        size_t drop = r->pcm_len + n - AUDIO_KEEP;
        memmove(r->pcm, r->pcm + drop, (r->pcm_len - drop) * sizeof r->pcm[0]);
        r->pcm_len -= drop;
    }
    for (size_t i = 0; i < n; i++)
        r->pcm[r->pcm_len++] = f->samples[i * f->channels];
    pthread_mutex_unlock(&h_lock);
}

static void sink_ended(peerc_track *track, void *ud)
{
    rx *r = ud;
    (void)track;
    pthread_mutex_lock(&h_lock);
    r->ended++;
    pthread_mutex_unlock(&h_lock);
}

static void on_track(h_side *s, peerc_transceiver *t, peerc_track *track,
                     const char *const *streams, size_t n)
{
    side_media *m = s->user;
    peerc_track_sink sink;
    rx *r;
    (void)t;
    pthread_mutex_lock(&h_lock);
    if (peerc_track_kind(track) == PEERC_MEDIA_KIND_AUDIO)
        r = &m->audio;
    else
        r = &m->video[m->n_video < 3 ? m->n_video++ : 3];
    snprintf(r->stream, sizeof r->stream, "%s", n ? streams[0] : "");
    pthread_mutex_unlock(&h_lock);
    peerc_track_sink_init(&sink);
    sink.video_frame = sink_video;
    sink.audio_frame = sink_audio;
    sink.ended = sink_ended;
    peerc_track_set_sink(track, &sink, r);
}

static peerc_track *make_track(peerc_media_kind kind, double tone_hz)
{
    peerc_track_options o;
    peerc_track *t = NULL;
    peerc_track_options_init(&o, kind);
    if (kind == PEERC_MEDIA_KIND_VIDEO) {
        o.source = PEERC_TRACK_SOURCE_TEST_PATTERN;
        o.width = 320;
        o.height = 240;
        o.fps = 30;
    } else {
        o.source = PEERC_TRACK_SOURCE_TONE;
        o.tone_hz = tone_hz;
    }
    if (peerc_track_new(&o, &t) != PEERC_OK)
        diag("track_new: %s", peerc_track_last_error());
    return t;
}

static int decoding(void *arg)
{
    side_media *m = arg;
    return m->video[0].numbered >= 30 && m->audio.audio_samples >= 48000;
}

static int both_decoding(void *arg)
{
    (void)arg;
    return decoding(&media_a) && decoding(&media_b);
}

static double tone_of(rx *r)
{
    double hz = 0;
    pthread_mutex_lock(&h_lock);
    if (peerc__testsrc_tone_estimate(r->pcm, r->pcm_len, 1, &hz, NULL) != PEERC_OK)
        hz = -1;
    pthread_mutex_unlock(&h_lock);
    return hz;
}

static void check_video(const char *who, rx *r)
{
    pthread_mutex_lock(&h_lock);
    ok(r->numbered >= 30, "%s decoded %d numbered pictures (>= 30)", who, r->numbered);
    ok(r->backwards == 0, "%s: frame numbers only increase (%d went back)", who, r->backwards);
    ok(r->width == 320 && r->height == 240, "%s: pictures are 320x240 (%dx%d)", who, r->width,
       r->height);
    pthread_mutex_unlock(&h_lock);
}

typedef struct twcc_args {
    peerc_pc *pc;
    pc_twcc *out;
} twcc_args;

static int read_twcc(void *arg)
{
    twcc_args *a = arg;
    *a->out = a->pc->twcc;
    return PEERC_OK;
}

static void check_stats(const char *who, peerc_transceiver *t, const char *codec)
{
    peerc_rtp_stats st;
    peerc_rtp_stats_init(&st);
    ok(peerc_transceiver_get_stats(t, &st) == PEERC_OK, "%s: stats", who);
    is_str(st.codec, codec, "%s: codec", who);
    ok(st.packets_sent > 0 && st.packets_received > 0, "%s: packets sent %llu, received %llu",
       who, (unsigned long long)st.packets_sent, (unsigned long long)st.packets_received);
    if (strcmp(codec, "video/VP8") == 0)
        ok(st.frames_encoded > 0 && st.frames_decoded > 0, "%s: frames encoded %llu, decoded %llu",
           who, (unsigned long long)st.frames_encoded, (unsigned long long)st.frames_decoded);
    else
        ok(st.audio_samples_received > 0, "%s: %llu audio samples received", who,
           (unsigned long long)st.audio_samples_received);
}

static void dump_transceivers(h_side *s)
{
    peerc_transceiver *all[8];
    size_t n = 0;
    peerc_pc_get_transceivers(s->pc, all, 8, &n);
    for (size_t i = 0; i < n && i < 8; i++) {
        peerc_rtp_stats st;
        peerc_rtp_stats_init(&st);
        peerc_transceiver_get_stats(all[i], &st);
        diag("%s transceiver %zu mid %s dir %d/%d: %llu packets in, %llu frames decoded, "
             "remote ssrc %u; %llu packets out, %llu frames encoded, ssrc %u", s->name, i, st.mid,
             peerc_transceiver_direction(all[i]), peerc_transceiver_current_direction(all[i]),
             (unsigned long long)st.packets_received, (unsigned long long)st.frames_decoded,
             st.remote_ssrc, (unsigned long long)st.packets_sent,
             (unsigned long long)st.frames_encoded, st.ssrc);
    }
    diag("%s: %d tracks, %d removed; second video: %d frames", s->name, s->tracks,
         s->removed_tracks, media_b.video[1].video_frames);
}

static int removed_on_b(void *arg)
{
    h_side *b = arg;
    return b->removed_tracks >= 1;
}

static int new_video_on_b(void *arg)
{
    (void)arg;
    return media_b.n_video >= 2 && media_b.video[1].numbered >= 10;
}

int main(void)
{
    peerc_ctx *ctx = NULL;
    h_side a, b;
    peerc_track *a_video, *a_audio, *b_video, *b_audio, *a_video2;
    peerc_transceiver *a_vt = NULL, *a_at = NULL, *b_vt = NULL, *b_at = NULL;
    const char *stream_a[] = {"streamA"}, *stream_b[] = {"streamB"};
    char mid[16];
    int events_after_close;

    ok(peerc_ctx_new(&ctx) == PEERC_OK, "ctx");
    ok(h_side_init(&a, ctx, "A") == PEERC_OK && h_side_init(&b, ctx, "B") == PEERC_OK, "two pcs");
    h_pair(&a, &b);
    a.user = &media_a;
    b.user = &media_b;
    a.on_track = b.on_track = on_track;
    b.auto_negotiate = 0; /* A offers; B's tracks ride on the answer */

    a_video = make_track(PEERC_MEDIA_KIND_VIDEO, 0);
    a_audio = make_track(PEERC_MEDIA_KIND_AUDIO, 440);
    b_video = make_track(PEERC_MEDIA_KIND_VIDEO, 0);
    b_audio = make_track(PEERC_MEDIA_KIND_AUDIO, 880);
    ok(a_video && a_audio && b_video && b_audio, "test pattern and tone tracks");

    ok(peerc_pc_add_track(b.pc, b_video, stream_b, 1, &b_vt) == PEERC_OK, "B adds video");
    ok(peerc_pc_add_track(b.pc, b_audio, stream_b, 1, &b_at) == PEERC_OK, "B adds audio");
    ok(peerc_pc_add_track(b.pc, b_audio, stream_b, 1, NULL) == PEERC_E_INVALID_ACCESS,
       "adding a track twice is InvalidAccessError");
    media_a.start_ms = media_b.start_ms = h_now_ms();
    ok(peerc_pc_add_track(a.pc, a_video, stream_a, 1, &a_vt) == PEERC_OK, "A adds video");
    ok(peerc_pc_add_track(a.pc, a_audio, stream_a, 1, &a_at) == PEERC_OK, "A adds audio");

    ok(h_wait(both_decoding, NULL, 20000), "both sides decode video and audio");
    diag("time to first decoded frame: A %.0f ms, B %.0f ms",
         media_a.video[0].first_frame_ms - media_a.start_ms,
         media_b.video[0].first_frame_ms - media_b.start_ms);
    check_video("A", &media_a.video[0]);
    check_video("B", &media_b.video[0]);
    {
        double fa = tone_of(&media_a.audio), fb = tone_of(&media_b.audio);
        ok(fa > 870 && fa < 890, "A hears B's 880 Hz tone (%.1f Hz)", fa);
        ok(fb > 430 && fb < 450, "B hears A's 440 Hz tone (%.1f Hz)", fb);
    }
    is_str(media_a.video[0].stream, "streamB", "A sees B's stream id");
    is_str(media_b.audio.stream, "streamA", "B sees A's stream id");
    ok(peerc_transceiver_get_mid(a_vt, mid, sizeof mid) == PEERC_OK, "A's video has a mid (%s)",
       mid);
    ok(peerc_transceiver_current_direction(a_vt) == PEERC_DIRECTION_SENDRECV,
       "A's video is sendrecv");
    check_stats("A video", a_vt, "video/VP8");
    /* Internal counters, read on the worker: transport-wide congestion
     * control feedback flows and acknowledges what was sent. */
    {
        pc_twcc ta, tb;
        twcc_args qa = {a.pc, &ta}, qb = {b.pc, &tb};
        peerc__ctx_call(ctx, read_twcc, &qa);
        peerc__ctx_call(ctx, read_twcc, &qb);
        ok(tb.feedback_sent > 0 && ta.feedback_received > 0 && ta.packets_acked > 0,
           "transport-cc feedback: B sent %llu reports, A read %llu acknowledging %llu packets",
           (unsigned long long)tb.feedback_sent, (unsigned long long)ta.feedback_received,
           (unsigned long long)ta.packets_acked);
    }
    check_stats("B audio", b_at, "audio/opus");

    /* Mid-call: A stops sending video; B's remove_track fires after the
     * renegotiation that negotiation_needed starts. */
    ok(peerc_pc_remove_track(a.pc, a_vt) == PEERC_OK, "A removes its video");
    ok(h_wait(removed_on_b, &b, 10000), "B's remove_track fired");
    ok(h_wait_negotiated(&a, 10000), "the renegotiation completed");
    ok(peerc_transceiver_current_direction(a_vt) == PEERC_DIRECTION_RECVONLY,
       "A's video transceiver is now recvonly");
    pthread_mutex_lock(&h_lock);
    ok(media_b.video[0].ended == 1, "B's remote video track ended");
    pthread_mutex_unlock(&h_lock);

    a_video2 = make_track(PEERC_MEDIA_KIND_VIDEO, 0);
    ok(peerc_pc_add_track(a.pc, a_video2, stream_a, 1, NULL) == PEERC_OK, "A adds a new video");
    if (!ok(h_wait(new_video_on_b, NULL, 15000), "B receives and decodes the new video track"))
        dump_transceivers(&a), dump_transceivers(&b);

    /* Hang up. */
    ok(peerc_pc_close(a.pc) == PEERC_OK, "A hangs up");
    ok(peerc_pc_connection_state(a.pc) == PEERC_CONNECTION_CLOSED, "A is closed");
    {
        peerc_track *remote = peerc_transceiver_receiver_track(a_at);
        ok(remote && peerc_track_ready_state(remote) == PEERC_TRACK_ENDED,
           "A's remote audio track has ended");
        pthread_mutex_lock(&h_lock);
        ok(media_a.audio.ended == 0, "without an ended event (close fires nothing)");
        pthread_mutex_unlock(&h_lock);
        ok(peerc_transceiver_current_direction(a_at) == PEERC_DIRECTION_STOPPED,
           "A's transceivers are stopped");
    }
    pthread_mutex_lock(&h_lock);
    events_after_close = media_a.video[0].video_frames + media_a.audio.audio_samples > 0;
    pthread_mutex_unlock(&h_lock);
    {
        int before, after;
        pthread_mutex_lock(&h_lock);
        before = media_a.video[0].video_frames;
        pthread_mutex_unlock(&h_lock);
        usleep(300000);
        pthread_mutex_lock(&h_lock);
        after = media_a.video[0].video_frames;
        pthread_mutex_unlock(&h_lock);
        ok(events_after_close && before == after, "no frame reaches A's sinks after close");
    }

    h_side_free(&a);
    h_side_free(&b);
    peerc_track_free(a_video);
    peerc_track_free(a_audio);
    peerc_track_free(a_video2);
    peerc_track_free(b_video);
    peerc_track_free(b_audio);
    peerc_ctx_free(ctx);
    return done_testing();
}

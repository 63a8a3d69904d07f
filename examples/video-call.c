/*
 * video-call: an audio + video call between two peer connections in one
 * process over loopback.  Each side sends the built-in test pattern
 * (640x480 at 30 fps, VP8) and a tone (Opus), and counts what it decodes
 * from the other.  At the end it prints time to first picture, decoded
 * frames per second both ways, audio received, and the CPU the whole call
 * used (both ends' encoders and decoders run in this process).
 *
 *   video-call [seconds] [width height fps]
 *
 * The "signalling" is direct: each side's callbacks hand the offer,
 * answer and candidates straight to the other pc.
 */
#include <peerc/peerc.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

typedef struct received {
    uint64_t frames, samples;
    uint32_t width, height;
    double first_frame_ms;
    double sum_squares; /* of received audio, for its level */
} received;

typedef struct side {
    const char *name;
    peerc_pc *pc;
    struct side *other;
    received video, audio;
    char stream[64];
    int failed;
} side;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static double t_start;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- signalling, done in-process */

static void on_negotiation_needed(peerc_pc *pc, void *ud)
{
    side *s = ud;
    char *offer = NULL, *answer = NULL;
    if (peerc_pc_create_offer(pc, NULL, &offer) != PEERC_OK ||
        peerc_pc_set_local_description(pc, PEERC_SDP_OFFER, offer) != PEERC_OK ||
        peerc_pc_set_remote_description(s->other->pc, PEERC_SDP_OFFER, offer) != PEERC_OK ||
        peerc_pc_create_answer(s->other->pc, &answer) != PEERC_OK ||
        peerc_pc_set_local_description(s->other->pc, PEERC_SDP_ANSWER, answer) != PEERC_OK ||
        peerc_pc_set_remote_description(pc, PEERC_SDP_ANSWER, answer) != PEERC_OK) {
        fprintf(stderr, "negotiation failed: %s / %s\n", peerc_pc_last_error(pc),
                peerc_pc_last_error(s->other->pc));
        s->failed = 1;
    }
    peerc_free(offer);
    peerc_free(answer);
}

static void on_candidate(peerc_pc *pc, const char *cand, const char *mid, int32_t idx, void *ud)
{
    side *s = ud;
    (void)pc;
    if (cand)
        peerc_pc_add_ice_candidate(s->other->pc, cand, mid, idx);
}

static void on_connection_state(peerc_pc *pc, peerc_connection_state st, void *ud)
{
    side *s = ud;
    (void)pc;
    printf("%s: connection %s (%.1f ms)\n", s->name, peerc_connection_state_to_string(st),
           now_ms() - t_start);
}

/* ---- media sinks (worker thread) */

static void on_video(peerc_track *track, const peerc_video_frame *f, void *ud)
{
    received *r = ud;
    (void)track;
    pthread_mutex_lock(&lock);
    if (r->frames++ == 0)
        r->first_frame_ms = now_ms() - t_start;
    r->width = f->width;
    r->height = f->height;
    pthread_mutex_unlock(&lock);
}

static void on_audio(peerc_track *track, const peerc_audio_frame *f, void *ud)
{
    received *r = ud;
    double sum = 0;
    (void)track;
    for (uint32_t i = 0; i < f->samples_per_channel * f->channels; i++)
        sum += (double)f->samples[i] * f->samples[i];
    pthread_mutex_lock(&lock);
    r->samples += f->samples_per_channel;
    r->sum_squares += sum / f->channels;
    pthread_mutex_unlock(&lock);
}

static void on_track(peerc_pc *pc, peerc_transceiver *t, peerc_track *track,
                     const char *const *streams, size_t n, void *ud)
{
    side *s = ud;
    peerc_track_sink sink;
    int video = peerc_track_kind(track) == PEERC_MEDIA_KIND_VIDEO;
    (void)pc;
    (void)t;
    printf("%s: remote %s track %s in stream %s\n", s->name, video ? "video" : "audio",
           peerc_track_id(track), n ? streams[0] : "(none)");
    if (n)
        snprintf(s->stream, sizeof s->stream, "%s", streams[0]);
    peerc_track_sink_init(&sink);
    sink.video_frame = on_video;
    sink.audio_frame = on_audio;
    peerc_track_set_sink(track, &sink, video ? &s->video : &s->audio);
}

/* Only the offerer reacts to negotiation_needed, so the two never offer at
 * the same time. */
static int setup_side(peerc_ctx *ctx, side *s, const char *name, int offerer)
{
    peerc_pc_config cfg;
    peerc_pc_callbacks cbs;
    peerc_pc_config_init(&cfg);
    cfg.local_addresses = "127.0.0.1";
    peerc_pc_callbacks_init(&cbs);
    cbs.ice_candidate = on_candidate;
    cbs.connection_state_change = on_connection_state;
    cbs.track = on_track;
    if (offerer)
        cbs.negotiation_needed = on_negotiation_needed;
    s->name = name;
    return peerc_pc_new(ctx, &cfg, &cbs, s, &s->pc);
}

static int add_tracks(side *s, peerc_track **video, peerc_track **audio, uint32_t w, uint32_t h,
                      uint32_t fps, double tone_hz)
{
    peerc_track_options o;
    const char *stream[] = {s->name};
    int rc;
    peerc_track_options_init(&o, PEERC_MEDIA_KIND_VIDEO);
    o.source = PEERC_TRACK_SOURCE_TEST_PATTERN;
    o.width = w;
    o.height = h;
    o.fps = fps;
    rc = peerc_track_new(&o, video);
    peerc_track_options_init(&o, PEERC_MEDIA_KIND_AUDIO);
    o.source = PEERC_TRACK_SOURCE_TONE;
    o.tone_hz = tone_hz;
    if (rc == PEERC_OK)
        rc = peerc_track_new(&o, audio);
    if (rc == PEERC_OK)
        rc = peerc_pc_add_track(s->pc, *video, stream, 1, NULL);
    if (rc == PEERC_OK)
        rc = peerc_pc_add_track(s->pc, *audio, stream, 1, NULL);
    if (rc != PEERC_OK)
        fprintf(stderr, "%s: cannot add tracks: %s %s\n", s->name, peerc_track_last_error(),
                peerc_pc_last_error(s->pc));
    return rc;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void report(side *s, double seconds)
{
    received v, a;
    pthread_mutex_lock(&lock);
    v = s->video;
    a = s->audio;
    pthread_mutex_unlock(&lock);
    printf("%s received: %llu frames (%.1f fps) at %ux%u, first after %.0f ms; "
           "%.2f s of audio at %.1f dBFS; stream %s\n",
           s->name, (unsigned long long)v.frames, v.frames / seconds, v.width, v.height,
           v.first_frame_ms, a.samples / 48000.0,
           a.samples ? 10 * log10(a.sum_squares / a.samples / (32768.0 * 32768.0)) : -INFINITY,
           s->stream[0] ? s->stream : "-");
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 5;
    uint32_t w = argc > 4 ? (uint32_t)atoi(argv[2]) : 640;
    uint32_t h = argc > 4 ? (uint32_t)atoi(argv[3]) : 480;
    uint32_t fps = argc > 4 ? (uint32_t)atoi(argv[4]) : 30;
    peerc_ctx *ctx = NULL;
    side a = {0}, b = {0};
    peerc_track *av = NULL, *aa = NULL, *bv = NULL, *ba = NULL;
    double cpu0, t_media, wall, cpu;
    int ok;

    if (seconds <= 0 || seconds > 3600) {
        fprintf(stderr, "usage: video-call [seconds] [width height fps]\n");
        return 2;
    }
    if (peerc_ctx_new(&ctx) != PEERC_OK || setup_side(ctx, &a, "alice", 1) != PEERC_OK ||
        setup_side(ctx, &b, "bob", 0) != PEERC_OK) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    a.other = &b;
    b.other = &a;
    t_start = now_ms();
    cpu0 = cpu_seconds();
    /* bob's tracks first: alice's offer then finds them and both directions
     * are set up in one exchange */
    if (add_tracks(&b, &bv, &ba, w, h, fps, 880) != PEERC_OK)
        return 1;
    if (add_tracks(&a, &av, &aa, w, h, fps, 440) != PEERC_OK)
        return 1;
    t_media = now_ms();
    usleep((useconds_t)(seconds * 1e6));
    wall = (now_ms() - t_media) / 1e3;
    cpu = cpu_seconds() - cpu0;

    report(&a, wall);
    report(&b, wall);
    printf("cpu: %.0f%% of one core for the whole call (both ends, %ux%u@%u VP8 + Opus each "
           "way), %.0f%% per end\n",
           100 * cpu / wall, w, h, fps, 50 * cpu / wall);
    ok = a.video.frames > 0 && b.video.frames > 0 && a.audio.samples > 0 && b.audio.samples > 0 &&
         !a.failed && !b.failed;
    printf("summary: %s\n", ok ? "frames decoded both ways" : "FAILED");

    peerc_pc_close(a.pc);
    peerc_pc_free(a.pc);
    peerc_pc_free(b.pc);
    peerc_track_free(av);
    peerc_track_free(aa);
    peerc_track_free(bv);
    peerc_track_free(ba);
    peerc_ctx_free(ctx);
    return ok ? 0 : 1;
}

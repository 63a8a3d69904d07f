/*
 * media-call: CPU of an audio + video call in peerc.  Two peer connections
 * in one process (one peerc_ctx) call each other over loopback (127.0.0.1
 * only); each sends the built-in test pattern (VP8, 640x480 at 30 fps by
 * default) and a tone (Opus, mono, 48 kHz), and counts what its sinks
 * decode from the other.  Like examples/video-call.c, with machine-readable
 * output: one JSON object on stdout, in the shape bench/run expects from
 * every stack (see bench/README.md, "Media call"):
 *
 *   media-call [--seconds S] [--warmup S] [--timeout S] [--width W]
 *              [--height H] [--fps F] [--stack NAME]
 *
 * The clock starts (t0) at the first peerc_pc_add_track; pcs and tracks are
 * created before it (the sources already run).  Once both sides have
 * decoded a first frame, the call runs --warmup seconds (bitrates settle),
 * then the measured window of --seconds starts:
 *
 *   cpu_percent      process CPU time (getrusage, user + sys, every thread:
 *                    sources, encoders, the worker, decoders) over the
 *                    window's wall time; 100 = one core busy.
 *   a_to_b, b_to_a   per direction (a is the offerer): first_frame_ms (t0 to
 *                    the first decoded frame), frames and fps decoded in the
 *                    window, resolution of the last decoded frame, audio_s
 *                    (seconds of audio the sink received in the window), and
 *                    from peerc_transceiver_get_stats: video_kbps and
 *                    audio_kbps actually sent (bytesSent: RTP payload
 *                    bytes, over the window), the encoder's target bitrate, and loss,
 *                    NACK, PLI and frame-drop counters.
 *
 * A call in which either side decodes nothing within --timeout prints
 * "complete":false with an error, and what each side got.
 *
 * Signalling is direct, as in examples/video-call.c: the offerer's
 * negotiation_needed runs the whole offer/answer with the other pc (one
 * ctx, so one worker), and candidates go straight to the other pc.
 */
#include <peerc/peerc.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double opt_seconds = 10;
static double opt_warmup = 3;
static double opt_timeout = 30;
static uint32_t opt_width = 640, opt_height = 480, opt_fps = 30;
static const char *opt_stack = "peerc";

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static double t0; /* first add_track */

/* What one side's sinks got (under lock). */
typedef struct received {
    uint64_t frames;
    uint64_t samples; /* audio, per channel */
    uint32_t width, height;
    double first_frame_ms; /* 0: none yet */
} received;

typedef struct side {
    const char *name;
    peerc_pc *pc;
    struct side *other;
    received rx;
    peerc_transceiver *video_tx, *audio_tx;
    peerc_track *video, *audio;
    int failed;
    char error[256];
} side;

/* ---------------------------------------------------------- signalling */

static void fail(side *s, const char *what)
{
    pthread_mutex_lock(&lock);
    if (!s->failed)
        snprintf(s->error, sizeof s->error, "%s", what);
    s->failed = 1;
    pthread_mutex_unlock(&lock);
}

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
        char buf[256];
        snprintf(buf, sizeof buf, "negotiation failed: %s / %s", peerc_pc_last_error(pc),
                 peerc_pc_last_error(s->other->pc));
        fail(s, buf);
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
    fprintf(stderr, "# %s: connection %s after %.1f ms\n", s->name,
            peerc_connection_state_to_string(st), now_ms() - t0);
    if (st == PEERC_CONNECTION_FAILED)
        fail(s, "connection failed");
}

/* ---------------------------------------------------- sinks (worker) */

static void on_video(peerc_track *track, const peerc_video_frame *f, void *ud)
{
    received *r = ud;
    double t = now_ms();
    (void)track;
    pthread_mutex_lock(&lock);
    if (r->frames++ == 0)
        r->first_frame_ms = t - t0;
    r->width = f->width;
    r->height = f->height;
    pthread_mutex_unlock(&lock);
}

static void on_audio(peerc_track *track, const peerc_audio_frame *f, void *ud)
{
    received *r = ud;
    (void)track;
    pthread_mutex_lock(&lock);
    r->samples += f->samples_per_channel;
    pthread_mutex_unlock(&lock);
}

static void on_track(peerc_pc *pc, peerc_transceiver *t, peerc_track *track,
                     const char *const *streams, size_t n, void *ud)
{
    side *s = ud;
    peerc_track_sink sink;
    (void)pc, (void)t, (void)streams, (void)n;
    peerc_track_sink_init(&sink);
    sink.video_frame = on_video;
    sink.audio_frame = on_audio;
    peerc_track_set_sink(track, &sink, &s->rx);
}

static int side_new(peerc_ctx *ctx, side *s, const char *name, int offerer)
{
    peerc_pc_config cfg;
    peerc_pc_callbacks cbs;
    peerc_pc_config_init(&cfg);
    cfg.local_addresses = "127.0.0.1";
    cfg.enable_ipv6 = 0;
    cfg.enable_ice_tcp = 0;
    peerc_pc_callbacks_init(&cbs);
    cbs.ice_candidate = on_candidate;
    cbs.connection_state_change = on_connection_state;
    cbs.track = on_track;
    /* Only the offerer negotiates, so the two never offer at once. */
    if (offerer)
        cbs.negotiation_needed = on_negotiation_needed;
    s->name = name;
    return peerc_pc_new(ctx, &cfg, &cbs, s, &s->pc);
}

/* The sources start producing here, before t0. */
static int tracks_new(side *s, double tone_hz)
{
    peerc_track_options o;
    int rc;
    peerc_track_options_init(&o, PEERC_MEDIA_KIND_VIDEO);
    o.source = PEERC_TRACK_SOURCE_TEST_PATTERN;
    o.width = opt_width;
    o.height = opt_height;
    o.fps = opt_fps;
    rc = peerc_track_new(&o, &s->video);
    peerc_track_options_init(&o, PEERC_MEDIA_KIND_AUDIO);
    o.source = PEERC_TRACK_SOURCE_TONE;
    o.tone_hz = tone_hz;
    if (rc == PEERC_OK)
        rc = peerc_track_new(&o, &s->audio);
    if (rc != PEERC_OK)
        fprintf(stderr, "%s: peerc_track_new: %s\n", s->name, peerc_track_last_error());
    return rc;
}

static int tracks_add(side *s)
{
    const char *stream[] = {s->name};
    int rc = peerc_pc_add_track(s->pc, s->video, stream, 1, &s->video_tx);
    if (rc == PEERC_OK)
        rc = peerc_pc_add_track(s->pc, s->audio, stream, 1, &s->audio_tx);
    if (rc != PEERC_OK)
        fprintf(stderr, "%s: peerc_pc_add_track: %s\n", s->name, peerc_pc_last_error(s->pc));
    return rc;
}

/* ------------------------------------------------------------- figures */

/* One side's counters at one moment. */
typedef struct snapshot {
    double t_ms, cpu_ms;
    received rx[2];
    peerc_rtp_stats video[2], audio[2];
} snapshot;

static void take(snapshot *sn, side *sides[2])
{
    for (int i = 0; i < 2; i++) {
        peerc_rtp_stats_init(&sn->video[i]);
        peerc_rtp_stats_init(&sn->audio[i]);
        peerc_transceiver_get_stats(sides[i]->video_tx, &sn->video[i]);
        peerc_transceiver_get_stats(sides[i]->audio_tx, &sn->audio[i]);
    }
    pthread_mutex_lock(&lock);
    sn->t_ms = now_ms();
    sn->cpu_ms = cpu_ms();
    sn->rx[0] = sides[0]->rx;
    sn->rx[1] = sides[1]->rx;
    pthread_mutex_unlock(&lock);
}

/* One direction: sent by sides[from], decoded by the other. */
static void print_direction(const char *key, int from, const snapshot *a, const snapshot *b)
{
    int to = !from;
    double wall_s = (b->t_ms - a->t_ms) / 1e3;
    const received *r0 = &a->rx[to], *r1 = &b->rx[to];
    const peerc_rtp_stats *v0 = &a->video[from], *v1 = &b->video[from];
    const peerc_rtp_stats *au0 = &a->audio[from], *au1 = &b->audio[from];
    const peerc_rtp_stats *in1 = &b->video[to];
    uint64_t frames = r1->frames - r0->frames;
    printf("\"%s\":{\"first_frame_ms\":", key);
    if (r1->first_frame_ms > 0)
        printf("%.1f", r1->first_frame_ms);
    else
        printf("null");
    printf(",\"frames\":%" PRIu64 ",\"fps\":%.2f,\"resolution\":\"%ux%u\",\"audio_s\":%.3f"
           ",\"video_kbps\":%.1f,\"audio_kbps\":%.1f,\"video_codec\":\"%s\",\"audio_codec\":\"%s\""
           ",\"target_kbps\":%.1f,\"frames_encoded\":%" PRIu64 ",\"key_frames_encoded\":%" PRIu64
           ",\"encoded_resolution\":\"%ux%u\",\"frames_decoded_total\":%" PRIu64
           ",\"packets_lost\":%" PRIu64 ",\"nack\":%" PRIu64 ",\"pli\":%" PRIu64
           ",\"frames_dropped\":%" PRIu64 ",\"dropped_before_encode\":%" PRIu64 "}",
           frames, wall_s > 0 ? frames / wall_s : 0.0, r1->width, r1->height,
           (r1->samples - r0->samples) / 48000.0,
           wall_s > 0 ? (v1->bytes_sent - v0->bytes_sent) * 8 / 1e3 / wall_s : 0.0,
           wall_s > 0 ? (au1->bytes_sent - au0->bytes_sent) * 8 / 1e3 / wall_s : 0.0, v1->codec,
           au1->codec, v1->target_bitrate_bps / 1e3, v1->frames_encoded - v0->frames_encoded,
           v1->key_frames_encoded - v0->key_frames_encoded, v1->frame_width, v1->frame_height,
           in1->frames_decoded, in1->packets_lost, in1->nack_sent, in1->pli_sent,
           in1->frames_dropped, v1->frames_dropped_before_encode);
}

static int both_decoding(side *sides[2])
{
    int ok;
    pthread_mutex_lock(&lock);
    ok = sides[0]->rx.frames > 0 && sides[1]->rx.frames > 0;
    pthread_mutex_unlock(&lock);
    return ok;
}

static const char *failure(side *sides[2])
{
    const char *e = NULL;
    pthread_mutex_lock(&lock);
    if (sides[0]->failed)
        e = sides[0]->error;
    else if (sides[1]->failed)
        e = sides[1]->error;
    pthread_mutex_unlock(&lock);
    return e;
}

/* s as a JSON string. */
static void print_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void sleep_ms(double ms)
{
    if (ms > 0)
        usleep((useconds_t)(ms * 1e3));
}

static void usage(void)
{
    fprintf(stderr, "usage: media-call [--seconds S] [--warmup S] [--timeout S] [--width W] "
                    "[--height H] [--fps F] [--stack NAME]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    peerc_ctx *ctx = NULL;
    side a = {0}, b = {0};
    side *sides[2] = {&a, &b};
    snapshot s0, s1;
    const char *error = NULL;
    int rc, complete;

    for (int i = 1; i < argc; i++) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        if (!strcmp(k, "--seconds"))
            opt_seconds = atof(v);
        else if (!strcmp(k, "--warmup"))
            opt_warmup = atof(v);
        else if (!strcmp(k, "--timeout"))
            opt_timeout = atof(v);
        else if (!strcmp(k, "--width"))
            opt_width = (uint32_t)atoi(v);
        else if (!strcmp(k, "--height"))
            opt_height = (uint32_t)atoi(v);
        else if (!strcmp(k, "--fps"))
            opt_fps = (uint32_t)atoi(v);
        else if (!strcmp(k, "--stack"))
            opt_stack = v;
        else
            usage();
        i++;
    }
    if (!(opt_seconds > 0) || opt_warmup < 0 || !(opt_timeout > 0))
        usage();

    fprintf(stderr, "%s: peerc %s, test pattern %ux%u@%u VP8 + tone Opus, one ctx\n", opt_stack,
            peerc_version_string(), opt_width, opt_height, opt_fps);
    if ((rc = peerc_ctx_new(&ctx)) != PEERC_OK || (rc = side_new(ctx, &a, "a", 1)) != PEERC_OK ||
        (rc = side_new(ctx, &b, "b", 0)) != PEERC_OK) {
        fprintf(stderr, "setup: %s\n", peerc_strerror(rc));
        return 1;
    }
    a.other = &b;
    b.other = &a;
    if (tracks_new(&a, 440) != PEERC_OK || tracks_new(&b, 880) != PEERC_OK)
        return 1;

    pthread_mutex_lock(&lock);
    t0 = now_ms();
    pthread_mutex_unlock(&lock);
    /* b's tracks first: a's offer then finds them, and both directions are
     * set up in one exchange. */
    if (tracks_add(&b) != PEERC_OK || tracks_add(&a) != PEERC_OK)
        return 1;

    while (!both_decoding(sides) && !(error = failure(sides)) && now_ms() - t0 < opt_timeout * 1e3)
        sleep_ms(5);
    complete = both_decoding(sides) && !error;
    if (complete) {
        sleep_ms(opt_warmup * 1e3);
        take(&s0, sides);
        sleep_ms(opt_seconds * 1e3);
        take(&s1, sides);
        if ((error = failure(sides)))
            complete = 0;
    } else {
        take(&s0, sides);
        s1 = s0;
        if (!error)
            error = "no decoded frame both ways within the timeout";
    }

    printf("{\"stack\":\"%s\",\"test\":\"media-call\",\"width\":%u,\"height\":%u,\"fps\":%u,"
           "\"window_s\":%.3f,\"warmup_s\":%.1f,\"cpu_percent\":%.1f,",
           opt_stack, opt_width, opt_height, opt_fps, (s1.t_ms - s0.t_ms) / 1e3, opt_warmup,
           s1.t_ms > s0.t_ms ? 100 * (s1.cpu_ms - s0.cpu_ms) / (s1.t_ms - s0.t_ms) : 0.0);
    print_direction("a_to_b", 0, &s0, &s1);
    printf(",");
    print_direction("b_to_a", 1, &s0, &s1);
    printf(",\"complete\":%s", complete ? "true" : "false");
    if (error) {
        printf(",\"error\":");
        print_json_string(error);
    }
    printf("}\n");
    fflush(stdout);

    peerc_pc_close(a.pc);
    peerc_pc_free(a.pc);
    peerc_pc_free(b.pc);
    peerc_track_free(a.video);
    peerc_track_free(a.audio);
    peerc_track_free(b.video);
    peerc_track_free(b.audio);
    peerc_ctx_free(ctx);
    return complete ? 0 : 1;
}

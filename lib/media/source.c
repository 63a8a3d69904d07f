/*
 * Common part of the media sources: configuration, the delivery thread,
 * pacing for the built-in sources, and a stop that is prompt and final.
 *
 * Pacing follows an absolute schedule (frame n due at start + n/fps on the
 * monotonic clock), so rounding and wake-up latency never accumulate into
 * drift.  When a callback overruns, the schedule skips to the slot that is
 * due now instead of catching up with a burst: a receiver would rather see
 * a dropped frame than several frames with the same arrival time.
 */
#include "media/source.h"

#include <peerc/common.h>

#include "core/error.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG "media"

struct peerc_source {
    peerc_source_config cfg;
    char *device; /* cfg.device points here */
    peerc_source_callbacks cbs;
    void *ud;
    const peerc__source_backend *be;
    void *impl;

    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* on CLOCK_MONOTONIC, wakes a paced wait on stop */
    atomic_bool stopping;
    /* Set only by the source thread (stop from inside a callback): the
     * thread then frees the source itself. */
    bool self_stopped;
    int wake[2]; /* device backends: stop makes wake[0] readable to end a poll */
    atomic_uint_fast64_t frames;
};

/* The source whose thread this is, to recognise stop from a callback
 * without reading pthread_create's output, which the new thread may
 * outrun. */
static _Thread_local peerc_source *current_source;

int64_t peerc__source_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void peerc__source_config_init(peerc_source_config *cfg, peerc_source_type type)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof(*cfg));
    cfg->type = type;
    cfg->width = 640;
    cfg->height = 480;
    cfg->fps = 30;
    cfg->tone_hz = 440.0;
    cfg->tone_level = 0.25;
    cfg->channels = 1;
}

static bool is_video(peerc_source_type t)
{
    return t == PEERC_SOURCE_TEST_PATTERN || t == PEERC_SOURCE_CAMERA;
}

static const peerc__source_backend *backend_for(peerc_source_type t)
{
    switch (t) {
    case PEERC_SOURCE_TEST_PATTERN:
        return &peerc__source_testsrc_backend;
    case PEERC_SOURCE_TONE:
        return &peerc__source_tone_backend;
    case PEERC_SOURCE_CAMERA:
        return &peerc__source_v4l2_backend;
    case PEERC_SOURCE_MICROPHONE:
        return &peerc__source_alsa_backend;
    }
    return NULL;
}

static int check_config(const peerc_source_config *cfg, char *err, size_t errlen)
{
    if (!backend_for(cfg->type))
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "unknown source type %d",
                             (int)cfg->type);
    if (is_video(cfg->type)) {
        if (cfg->width == 0 || cfg->height == 0 || cfg->width > PEERC_MEDIA_MAX_DIM ||
            cfg->height > PEERC_MEDIA_MAX_DIM)
            return peerc__errorf(err, errlen, PEERC_E_RANGE, "video size %ux%u not in 1..%d",
                                 cfg->width, cfg->height, PEERC_MEDIA_MAX_DIM);
        if (cfg->fps == 0 || cfg->fps > PEERC_SOURCE_MAX_FPS)
            return peerc__errorf(err, errlen, PEERC_E_RANGE, "fps %u not in 1..%d", cfg->fps,
                                 PEERC_SOURCE_MAX_FPS);
        return PEERC_OK;
    }
    if (cfg->channels != 1 && cfg->channels != 2)
        return peerc__errorf(err, errlen, PEERC_E_RANGE, "%u audio channels (1 or 2 supported)",
                             cfg->channels);
    if (cfg->type == PEERC_SOURCE_TONE) {
        /* Written as negations so that NaN fails too. */
        if (!(cfg->tone_hz >= 1.0 && cfg->tone_hz <= 20000.0))
            return peerc__errorf(err, errlen, PEERC_E_RANGE, "tone %g Hz not in 1..20000",
                                 cfg->tone_hz);
        if (!(cfg->tone_level > 0.0 && cfg->tone_level <= 1.0))
            return peerc__errorf(err, errlen, PEERC_E_RANGE, "tone level %g not in (0, 1]",
                                 cfg->tone_level);
    }
    return PEERC_OK;
}

static const char *default_device(peerc_source_type t)
{
    switch (t) {
    case PEERC_SOURCE_CAMERA:
        return "/dev/video0";
    case PEERC_SOURCE_MICROPHONE:
        return "default";
    default:
        return "";
    }
}

void peerc__source_deliver_video(peerc_source *s, const peerc_media_i420 *frame)
{
    atomic_fetch_add_explicit(&s->frames, 1, memory_order_relaxed);
    if (s->cbs.video)
        s->cbs.video(s->ud, frame);
}

void peerc__source_deliver_audio(peerc_source *s, const int16_t *pcm, size_t samples_per_channel,
                                 uint32_t channels, int64_t timestamp_us)
{
    atomic_fetch_add_explicit(&s->frames, 1, memory_order_relaxed);
    if (s->cbs.audio)
        s->cbs.audio(s->ud, pcm, samples_per_channel, channels, timestamp_us);
}

uint64_t peerc__source_frames(const peerc_source *s)
{
    if (!s)
        return 0;
    /* C11 before DR 459 declared atomic_load on a non-const object. */
    return atomic_load_explicit(&((peerc_source *)s)->frames, memory_order_relaxed);
}

static bool stopping(peerc_source *s)
{
    return atomic_load_explicit(&s->stopping, memory_order_acquire);
}

/* Sleep until the monotonic time `due`; false when stop was requested. */
static bool wait_until(peerc_source *s, int64_t due_us)
{
    struct timespec ts = {.tv_sec = due_us / 1000000, .tv_nsec = (due_us % 1000000) * 1000};
    bool run;
    pthread_mutex_lock(&s->lock);
    while (!stopping(s) && peerc__source_now_us() < due_us) {
        int rc = pthread_cond_timedwait(&s->cond, &s->lock, &ts);
        if (rc == ETIMEDOUT)
            break;
    }
    run = !stopping(s);
    pthread_mutex_unlock(&s->lock);
    return run;
}

/* Slot n's due time; n * 1e6 / rate in one step so no error accumulates. */
static int64_t slot_time(int64_t start, uint64_t n, uint32_t per_second)
{
    return start + (int64_t)(n * 1000000u / per_second);
}

static void run_paced(peerc_source *s)
{
    /* Audio chunks are 20 ms: 50 per second. */
    uint32_t rate = is_video(s->cfg.type) ? s->cfg.fps
                                          : PEERC_SOURCE_AUDIO_RATE / PEERC_SOURCE_AUDIO_CHUNK;
    int64_t start = peerc__source_now_us();
    uint64_t slot = 0, skipped = 0;

    while (wait_until(s, slot_time(start, slot, rate))) {
        s->be->produce(s, s->impl, slot_time(start, slot, rate));
        if (stopping(s))
            break;
        slot++;
        /* The slot whose time is now; if that is past the next one, we
         * overran and jump there rather than delivering the backlog. */
        uint64_t now_slot =
            (uint64_t)(peerc__source_now_us() - start) * rate / 1000000u;
        if (now_slot > slot) {
            skipped += now_slot - slot;
            slot = now_slot;
        }
    }
    if (skipped)
        PEERC_DEBUG(LOG, "%s source skipped %llu late slots", s->be->name,
                    (unsigned long long)skipped);
}

/* A device stopped working: tell the owner once, then idle until stop. */
static void device_ended(peerc_source *s, int code, const char *msg)
{
    PEERC_WARN(LOG, "%s source ended: %s", s->be->name, msg);
    if (s->cbs.ended)
        s->cbs.ended(s->ud, code, msg);
    pthread_mutex_lock(&s->lock);
    while (!stopping(s))
        pthread_cond_wait(&s->cond, &s->lock);
    pthread_mutex_unlock(&s->lock);
}

static void run_device(peerc_source *s)
{
    char err[PEERC_ERRBUF_SIZE];
    while (!stopping(s)) {
        err[0] = '\0';
        int rc = s->be->capture(s, s->impl, s->wake[0], err, sizeof(err));
        if (rc != PEERC_OK) {
            if (!stopping(s))
                device_ended(s, rc, err[0] ? err : peerc_strerror(rc));
            break;
        }
    }
}

static void destroy(peerc_source *s)
{
    if (s->impl)
        s->be->close(s->impl);
    for (int i = 0; i < 2; i++)
        if (s->wake[i] >= 0)
            close(s->wake[i]);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
    free(s->device);
    free(s);
}

static void *source_thread(void *arg)
{
    peerc_source *s = arg;
    current_source = s;
    if (s->be->produce)
        run_paced(s);
    else
        run_device(s);
    /* self_stopped is written on this thread only, so no lock is needed. */
    if (s->self_stopped) {
        pthread_detach(pthread_self());
        destroy(s);
    }
    return NULL;
}

static int init_sync(peerc_source *s)
{
    pthread_condattr_t attr;
    if (pthread_mutex_init(&s->lock, NULL) != 0)
        return -1;
    pthread_condattr_init(&attr);
    /* Deadlines are monotonic; a wall-clock jump must not stall pacing. */
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&s->cond, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0) {
        pthread_mutex_destroy(&s->lock);
        return -1;
    }
    return 0;
}

int peerc__source_start(const peerc_source_config *cfg, const peerc_source_callbacks *cbs,
                        void *ud, peerc_source **out, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL out");
    *out = NULL;
    if (!cfg)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL config");
    int rc = check_config(cfg, err, errlen);
    if (rc != PEERC_OK)
        return rc;

    peerc_source *s = calloc(1, sizeof(*s));
    if (!s)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    s->wake[0] = s->wake[1] = -1;
    s->cfg = *cfg;
    s->device = strdup(cfg->device && cfg->device[0] ? cfg->device : default_device(cfg->type));
    if (cbs)
        s->cbs = *cbs;
    s->ud = ud;
    s->be = backend_for(cfg->type);
    atomic_init(&s->stopping, false);
    atomic_init(&s->frames, 0);
    if (!s->device || init_sync(s) != 0) {
        free(s->device);
        free(s);
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    }
    s->cfg.device = s->device;
    if (!s->be->produce && pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        rc = peerc__errorf(err, errlen, PEERC_E_OPERATION, "pipe: %s", strerror(errno));
        destroy(s);
        return rc;
    }
    rc = s->be->open(&s->cfg, &s->impl, err, errlen);
    if (rc != PEERC_OK) {
        s->impl = NULL;
        destroy(s);
        return rc;
    }
    rc = pthread_create(&s->thread, NULL, source_thread, s);
    if (rc != 0) {
        int code = peerc__errorf(err, errlen, PEERC_E_OPERATION, "cannot start a thread: %s",
                                 strerror(rc));
        destroy(s);
        return code;
    }
    PEERC_DEBUG(LOG, "%s source started (%s)", s->be->name, s->device);
    *out = s;
    return PEERC_OK;
}

void peerc__source_stop(peerc_source *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    atomic_store_explicit(&s->stopping, true, memory_order_release);
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    if (s->wake[1] >= 0) {
        /* Full pipe (EAGAIN) is fine: it is readable already. */
        ssize_t n = write(s->wake[1], "x", 1);
        (void)n;
    }
    if (current_source == s) {
        /* Joining ourselves would deadlock; the thread finishes the
         * current callback, sees `stopping` and frees the source. */
        PEERC_ERROR(LOG, "%s source stopped from inside its own callback; "
                         "it ends after this callback returns",
                    s->be->name);
        s->self_stopped = true;
        return;
    }
    pthread_join(s->thread, NULL);
    PEERC_DEBUG(LOG, "%s source stopped after %llu frames", s->be->name,
                (unsigned long long)peerc__source_frames(s));
    destroy(s);
}

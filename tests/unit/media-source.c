/*
 * lib/media sources: the paced built-in sources deliver numbered frames
 * and a clean tone on their own thread, stop is prompt and final (also
 * when misused from a callback), and device sources report missing,
 * foreign and forbidden devices with the getUserMedia() errors.
 */
#include "media/source.h"

#include <peerc/common.h>

#include "media/testsrc.h"

#include "../tap.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Everything here is written on the source thread and read by the test
 * after stop (which joins), except the flags that cross while running. */
typedef struct video_probe {
    atomic_bool stopped;       /* set by the test after stop returns */
    atomic_int after_stop;     /* callbacks seen with `stopped` set */
    atomic_int count;
    int bad_number, bad_ts, bad_size;
    uint32_t last_number;
    int64_t last_ts;
    uint32_t width, height;
    int slow_at;             /* frame index whose callback sleeps 70 ms; -1: none */
    int64_t ts_before_gap, ts_after_gap;
} video_probe;

static void on_video(void *ud, const peerc_media_i420 *f)
{
    video_probe *p = ud;
    int i = atomic_load(&p->count);
    uint32_t n = UINT32_MAX;
    if (atomic_load(&p->stopped))
        atomic_fetch_add(&p->after_stop, 1);
    if (f->width != p->width || f->height != p->height || peerc__media_i420_check(f) != PEERC_OK)
        p->bad_size++;
    if (peerc__testsrc_read_frame_number(f, &n) != PEERC_OK || n != (uint32_t)i)
        p->bad_number++;
    if (i > 0 && f->timestamp_us <= p->last_ts)
        p->bad_ts++;
    if (i == p->slow_at + 1)
        p->ts_after_gap = f->timestamp_us;
    if (i == p->slow_at) {
        p->ts_before_gap = f->timestamp_us;
        sleep_ms(70);
    }
    p->last_number = n;
    p->last_ts = f->timestamp_us;
    atomic_fetch_add(&p->count, 1);
}

static void test_pattern(void)
{
    peerc_source_config cfg;
    peerc_source_callbacks cbs = {.video = on_video};
    video_probe p = {.width = 160, .height = 120, .slow_at = -1};
    peerc_source *s = NULL;
    char err[256];

    peerc__source_config_init(&cfg, PEERC_SOURCE_TEST_PATTERN);
    is_int(cfg.width, 640, "default width");
    is_int(cfg.height, 480, "default height");
    is_int(cfg.fps, 30, "default fps");
    cfg.width = 160, cfg.height = 120, cfg.fps = 50;
    int64_t t0 = peerc__source_now_us();
    if (!is_int(peerc__source_start(&cfg, &cbs, &p, &s, err, sizeof(err)), PEERC_OK,
                "test pattern 160x120@50 starts (%s)", err))
        return;
    sleep_ms(400);
    int64_t t1 = peerc__source_now_us();
    peerc__source_stop(s);
    int64_t t2 = peerc__source_now_us();
    atomic_store(&p.stopped, true);
    int n = atomic_load(&p.count);
    ok(n >= 5, "%d frames in 0.4 s", n);
    is_int(p.bad_number, 0, "frame numbers read back as 0, 1, 2, ...");
    is_int(p.last_number, n - 1, "last frame number is count - 1");
    is_int(p.bad_ts, 0, "timestamps strictly increase");
    ok(p.last_ts >= t0 && p.last_ts <= t2, "timestamps are monotonic-clock capture times");
    is_int(p.bad_size, 0, "every frame is a valid 160x120 I420 picture");
    diag("stop took %lld us", (long long)(t2 - t1));
    sleep_ms(60);
    is_int(atomic_load(&p.after_stop), 0, "no callback after stop returned");
    is_int(atomic_load(&p.count), n, "count unchanged after stop");
}

static void test_skip_ahead(void)
{
    peerc_source_config cfg;
    peerc_source_callbacks cbs = {.video = on_video};
    video_probe p = {.width = 160, .height = 120, .slow_at = 2};
    peerc_source *s = NULL;
    char err[256];

    peerc__source_config_init(&cfg, PEERC_SOURCE_TEST_PATTERN);
    cfg.width = 160, cfg.height = 120, cfg.fps = 50;
    if (peerc__source_start(&cfg, &cbs, &p, &s, err, sizeof(err)) != PEERC_OK) {
        ok(0, "start: %s", err);
        return;
    }
    for (int i = 0; i < 200 && atomic_load(&p.count) < 5; i++)
        sleep_ms(10);
    ok(peerc__source_frames(s) >= 4, "frames() counts deliveries (%llu)",
       (unsigned long long)peerc__source_frames(s));
    peerc__source_stop(s);
    ok(atomic_load(&p.count) >= 4, "frames after a slow callback");
    /* 70 ms late at 20 ms per frame: the next frame is the slot due
     * then, at least 3 intervals on, not a burst of the missed ones. */
    ok(p.ts_after_gap - p.ts_before_gap >= 60000,
       "a slow callback skips slots instead of bursting (gap %lld us)",
       (long long)(p.ts_after_gap - p.ts_before_gap));
    is_int(p.bad_number, 0, "frame numbers stay consecutive across the skip");
}

typedef struct audio_probe {
    atomic_int chunks;
    int bad_size, unequal;
    uint32_t channels;
    int16_t pcm[PEERC_SOURCE_AUDIO_CHUNK * 10]; /* channel 0 of the first 10 chunks */
} audio_probe;

static void on_audio(void *ud, const int16_t *pcm, size_t spc, uint32_t channels, int64_t ts)
{
    audio_probe *p = ud;
    int i = atomic_load(&p->chunks);
    if (spc != PEERC_SOURCE_AUDIO_CHUNK || channels != p->channels)
        p->bad_size++;
    for (size_t k = 0; k < spc && channels == 2; k++)
        p->unequal += pcm[2 * k] != pcm[2 * k + 1];
    if (i < 10 && spc == PEERC_SOURCE_AUDIO_CHUNK)
        for (size_t k = 0; k < spc; k++)
            p->pcm[(size_t)i * spc + k] = pcm[k * channels];
    atomic_fetch_add(&p->chunks, 1);
}

static void test_tone(uint32_t channels)
{
    peerc_source_config cfg;
    peerc_source_callbacks cbs = {.audio = on_audio};
    audio_probe *p = calloc(1, sizeof(*p));
    peerc_source *s = NULL;
    char err[256];
    double hz = 0;

    p->channels = channels;
    peerc__source_config_init(&cfg, PEERC_SOURCE_TONE);
    is_int(cfg.channels, 1, "default channels");
    ok(cfg.tone_hz == 440.0 && cfg.tone_level == 0.25, "default tone 440 Hz at 0.25");
    cfg.tone_hz = 1000;
    cfg.channels = channels;
    if (is_int(peerc__source_start(&cfg, &cbs, p, &s, err, sizeof(err)), PEERC_OK,
               "%u-channel 1000 Hz tone starts (%s)", channels, err)) {
        for (int i = 0; i < 200 && atomic_load(&p->chunks) < 5; i++)
            sleep_ms(10);
        peerc__source_stop(s);
    }
    int n = atomic_load(&p->chunks);
    ok(n >= 5, "%d chunks", n);
    is_int(p->bad_size, 0, "chunks of 960 samples x %u channels", channels);
    if (channels == 2)
        is_int(p->unequal, 0, "both interleaved channels carry the same samples");
    size_t got = (size_t)(n < 10 ? n : 10) * PEERC_SOURCE_AUDIO_CHUNK;
    is_int(peerc__testsrc_tone_estimate(p->pcm, got, 1, &hz, NULL), PEERC_OK, "tone found");
    ok(hz > 998 && hz < 1002, "estimated %.2f Hz", hz);
    free(p);
}

static void test_start_stop_repeatedly(void)
{
    peerc_source_config cfg;
    peerc_source_callbacks cbs = {.video = on_video};
    int good = 0;
    for (int i = 0; i < 20; i++) {
        video_probe p = {.width = 160, .height = 120, .slow_at = -1};
        peerc_source *s = NULL;
        peerc__source_config_init(&cfg, i % 2 ? PEERC_SOURCE_TONE : PEERC_SOURCE_TEST_PATTERN);
        cfg.width = 160, cfg.height = 120;
        good += peerc__source_start(&cfg, &cbs, &p, &s, NULL, 0) == PEERC_OK;
        if (i % 4 == 0)
            sleep_ms(5);
        peerc__source_stop(s);
    }
    is_int(good, 20, "20 quick start/stop cycles");
    peerc__source_stop(NULL);
    ok(1, "stop(NULL) is a no-op");
    is_int(peerc__source_frames(NULL), 0, "frames(NULL) is 0");
}

/* Misuse: stop from inside a callback must neither deadlock nor crash. */
typedef struct self_stop {
    _Atomic(peerc_source *) s;
    atomic_int calls, after;
    atomic_bool done;
} self_stop;

static atomic_int errors_logged;

static void count_errors(peerc_log_level level, const char *component, const char *message,
                         void *user_data)
{
    if (level == PEERC_LOG_ERROR)
        atomic_fetch_add(&errors_logged, 1);
}

static void on_video_stop_self(void *ud, const peerc_media_i420 *f)
{
    self_stop *p = ud;
    peerc_source *s = atomic_load(&p->s);
    atomic_fetch_add(&p->calls, 1);
    if (atomic_load(&p->done))
        atomic_fetch_add(&p->after, 1);
    if (s && !atomic_load(&p->done)) {
        atomic_store(&p->done, true);
        peerc__source_stop(s);
    }
}

static void test_stop_from_callback(void)
{
    peerc_source_config cfg;
    peerc_source_callbacks cbs = {.video = on_video_stop_self};
    static self_stop p; /* the source thread may outlive this frame briefly */
    peerc_source *s = NULL;

    peerc_set_log_handler(count_errors, PEERC_LOG_ERROR, NULL);
    peerc__source_config_init(&cfg, PEERC_SOURCE_TEST_PATTERN);
    cfg.width = 160, cfg.height = 120, cfg.fps = 100;
    if (!is_int(peerc__source_start(&cfg, &cbs, &p, &s, NULL, 0), PEERC_OK, "start"))
        return;
    atomic_store(&p.s, s);
    for (int i = 0; i < 200 && !atomic_load(&p.done); i++)
        sleep_ms(10);
    ok(atomic_load(&p.done), "a callback called stop on its own source");
    sleep_ms(100);
    is_int(atomic_load(&p.after), 0, "no callback after that one");
    ok(atomic_load(&errors_logged) >= 1, "the misuse is logged as an error");
    peerc_set_log_handler(NULL, PEERC_LOG_NONE, NULL);
}

static void test_bad_config(void)
{
    peerc_source_config cfg;
    peerc_source *s = (peerc_source *)&cfg;
    char err[256];

    peerc__source_config_init(&cfg, PEERC_SOURCE_TEST_PATTERN);
    cfg.fps = 0;
    is_int(peerc__source_start(&cfg, NULL, NULL, &s, err, sizeof(err)), PEERC_E_RANGE,
           "fps 0 (%s)", err);
    ok(s == NULL, "out cleared on failure");
    peerc__source_config_init(&cfg, PEERC_SOURCE_CAMERA);
    cfg.fps = 1000;
    is_int(peerc__source_start(&cfg, NULL, NULL, &s, err, sizeof(err)), PEERC_E_RANGE,
           "camera fps 1000 (%s)", err);
    peerc__source_config_init(&cfg, PEERC_SOURCE_TEST_PATTERN);
    cfg.width = 0;
    is_int(peerc__source_start(&cfg, NULL, NULL, &s, err, sizeof(err)), PEERC_E_RANGE,
           "width 0 (%s)", err);
    cfg.width = 64;
    is_int(peerc__source_start(&cfg, NULL, NULL, &s, err, sizeof(err)), PEERC_E_RANGE,
           "test pattern below its minimum size (%s)", err);
    peerc__source_config_init(&cfg, PEERC_SOURCE_TONE);
    cfg.channels = 3;
    is_int(peerc__source_start(&cfg, NULL, NULL, &s, err, sizeof(err)), PEERC_E_RANGE,
           "3 channels (%s)", err);
    peerc__source_config_init(&cfg, PEERC_SOURCE_MICROPHONE);
    cfg.channels = 0;
    is_int(peerc__source_start(&cfg, NULL, NULL, &s, err, sizeof(err)), PEERC_E_RANGE,
           "microphone with 0 channels (%s)", err);
    peerc__source_config_init(&cfg, PEERC_SOURCE_TONE);
    cfg.tone_hz = 0;
    is_int(peerc__source_start(&cfg, NULL, NULL, &s, err, sizeof(err)), PEERC_E_RANGE,
           "tone 0 Hz (%s)", err);
    cfg.tone_hz = 440, cfg.tone_level = 1.5;
    is_int(peerc__source_start(&cfg, NULL, NULL, &s, err, sizeof(err)), PEERC_E_RANGE,
           "tone level 1.5 (%s)", err);
    peerc__source_config_init(&cfg, (peerc_source_type)99);
    is_int(peerc__source_start(&cfg, NULL, NULL, &s, err, sizeof(err)),
           PEERC_E_INVALID_ARGUMENT, "unknown type (%s)", err);
    is_int(peerc__source_start(NULL, NULL, NULL, &s, err, sizeof(err)),
           PEERC_E_INVALID_ARGUMENT, "NULL config");
    peerc__source_config_init(&cfg, PEERC_SOURCE_TONE);
    is_int(peerc__source_start(&cfg, NULL, NULL, NULL, err, sizeof(err)),
           PEERC_E_INVALID_ARGUMENT, "NULL out");
}

static int start_camera(const char *device, char *err, size_t errlen)
{
    peerc_source_config cfg;
    peerc_source *s = NULL;
    peerc__source_config_init(&cfg, PEERC_SOURCE_CAMERA);
    cfg.device = device;
    int rc = peerc__source_start(&cfg, NULL, NULL, &s, err, errlen);
    peerc__source_stop(s);
    return rc;
}

/* Open a root-only file as the camera from a child that dropped to
 * nobody; the child's exit status carries the (negated) result. */
static void test_camera_permission(void)
{
    char path[] = "/tmp/peerc-camera-XXXXXX", err[256];
    if (geteuid() != 0) {
        ok(1, "# SKIP permission test needs root: only root can drop to another uid");
        return;
    }
    int fd = mkstemp(path);
    if (fd < 0) {
        ok(0, "mkstemp: %s", strerror(errno));
        return;
    }
    fchmod(fd, 0600);
    close(fd);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        /* Supplementary groups first: root's would survive setgid. */
        if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
            _exit(100);
        _exit(-start_camera(path, err, sizeof(err)));
    }
    int status = 0;
    waitpid(pid, &status, 0);
    unlink(path);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 100) {
        ok(1, "# SKIP cannot drop privileges here (no CAP_SETUID)");
        return;
    }
    ok(WIFEXITED(status), "child exited normally");
    is_int(-WEXITSTATUS(status), PEERC_E_NOT_ALLOWED,
           "a camera node nobody may open gives NOT_ALLOWED");
}

static void on_camera(void *ud, const peerc_media_i420 *f)
{
    atomic_fetch_add((atomic_int *)ud, 1);
}

static void test_camera(void)
{
    char err[256], path[] = "/tmp/peerc-notcam-XXXXXX";

    is_int(start_camera("/dev/video-does-not-exist", err, sizeof(err)), PEERC_E_NOT_FOUND,
           "missing camera: NOT_FOUND (%s)", err);
    ok(strstr(err, "/dev/video-does-not-exist") != NULL, "the message names the device");

    int fd = mkstemp(path);
    if (fd >= 0) {
        close(fd);
        is_int(start_camera(path, err, sizeof(err)), PEERC_E_NOT_FOUND,
               "regular file as camera: NOT_FOUND (%s)", err);
        ok(strstr(err, "not a V4L2 device") != NULL, "the message says it is not V4L2");
        unlink(path);
    }
    /* A character device that is not V4L2 either. */
    is_int(start_camera("/dev/null", err, sizeof(err)), PEERC_E_NOT_FOUND,
           "/dev/null as camera: NOT_FOUND (%s)", err);

    test_camera_permission();

    if (access("/dev/video0", F_OK) != 0) {
        ok(1, "# SKIP no /dev/video0 on this machine for a real capture");
        return;
    }
    peerc_source_config cfg;
    peerc_source_callbacks cbs = {.video = on_camera};
    peerc_source *s = NULL;
    atomic_int frames = 0;
    peerc__source_config_init(&cfg, PEERC_SOURCE_CAMERA);
    cfg.width = 320, cfg.height = 240, cfg.fps = 30;
    int rc = peerc__source_start(&cfg, &cbs, &frames, &s, err, sizeof(err));
    if (rc != PEERC_OK) {
        ok(rc == PEERC_E_NOT_FOUND || rc == PEERC_E_NOT_ALLOWED || rc == PEERC_E_OPERATION ||
               rc == PEERC_E_NOT_SUPPORTED,
           "/dev/video0 cannot capture here, and says why: %s", err);
        return;
    }
    for (int i = 0; i < 300 && atomic_load(&frames) < 3; i++)
        sleep_ms(10);
    peerc__source_stop(s);
    ok(atomic_load(&frames) >= 3, "/dev/video0 delivered %d frames", atomic_load(&frames));
}

/* alsa.conf's "null" device captures silence as fast as it is read: no
 * timing, but the whole capture path (format, chunking, poll, stop). */
static void test_microphone_null(void)
{
    peerc_source_config cfg;
    peerc_source_callbacks cbs = {.audio = on_audio};
    audio_probe *p = calloc(1, sizeof(*p));
    peerc_source *s = NULL;
    char err[256];

    peerc__source_config_init(&cfg, PEERC_SOURCE_MICROPHONE);
    cfg.device = "null";
    cfg.channels = p->channels = 2;
    int rc = peerc__source_start(&cfg, &cbs, p, &s, err, sizeof(err));
    if (rc == PEERC_E_NOT_FOUND) {
        ok(1, "# SKIP this alsa-lib has no \"null\" device (%s)", err);
        free(p);
        return;
    }
    if (is_int(rc, PEERC_OK, "ALSA \"null\" device opens as a stereo microphone (%s)", err)) {
        for (int i = 0; i < 300 && atomic_load(&p->chunks) < 5; i++)
            sleep_ms(10);
        peerc__source_stop(s);
    }
    ok(atomic_load(&p->chunks) >= 5, "%d chunks captured", atomic_load(&p->chunks));
    is_int(p->bad_size, 0, "chunks of 960 samples x 2 channels");
    free(p);
}

static void test_microphone(void)
{
    peerc_source_config cfg;
    peerc_source *s = NULL;
    char err[256];

    peerc__source_config_init(&cfg, PEERC_SOURCE_MICROPHONE);
    cfg.device = "hw:99";
    is_int(peerc__source_start(&cfg, NULL, NULL, &s, err, sizeof(err)), PEERC_E_NOT_FOUND,
           "hw:99: NOT_FOUND (%s)", err);
    ok(strstr(err, "hw:99") != NULL, "the message names the device");

    cfg.device = NULL; /* "default" */
    int rc = peerc__source_start(&cfg, NULL, NULL, &s, err, sizeof(err));
    if (rc == PEERC_OK) {
        diag("this machine has a working default microphone");
        peerc__source_stop(s);
        ok(1, "default microphone opens and stops");
    } else {
        ok((rc == PEERC_E_NOT_FOUND || rc == PEERC_E_OPERATION) && err[0],
           "default microphone fails cleanly: %s (%s)", peerc_error_name(rc), err);
    }
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

static void test_converters(void)
{
    enum { W = 6, H = 5, CW = 3, CH = 3, PAD = 4 };
    peerc_media_i420_buf b = {0};
    uint8_t yuyv[(4 * CW + PAD) * H];
    int bad = 0;

    fill(yuyv, sizeof(yuyv), 1);
    peerc__media_i420_buf_alloc(&b, W, H);
    peerc__source_yuyv_to_i420(yuyv, 4 * CW + PAD, &b);
    for (int r = 0; r < H; r++)
        for (int x = 0; x < W; x++)
            bad += b.y[r * b.view.stride_y + x] != yuyv[r * (4 * CW + PAD) + 2 * x];
    for (int r = 0; r < CH; r++) {
        const uint8_t *a = yuyv + 2 * r * (4 * CW + PAD);
        const uint8_t *c = 2 * r + 1 < H ? a + 4 * CW + PAD : a; /* odd height: last row alone */
        for (int x = 0; x < CW; x++) {
            bad += b.u[r * b.view.stride_u + x] != (a[4 * x + 1] + c[4 * x + 1] + 1) / 2;
            bad += b.v[r * b.view.stride_v + x] != (a[4 * x + 3] + c[4 * x + 3] + 1) / 2;
        }
    }
    is_int(bad, 0, "YUYV to I420: luma copied, chroma of row pairs averaged");

    uint8_t y[(W + PAD) * H], uv[(2 * CW + PAD) * CH];
    fill(y, sizeof(y), 3);
    fill(uv, sizeof(uv), 5);
    peerc__source_nv12_to_i420(y, W + PAD, uv, 2 * CW + PAD, &b);
    bad = 0;
    for (int r = 0; r < H; r++)
        bad += memcmp(b.y + r * b.view.stride_y, y + r * (W + PAD), W) != 0;
    for (int r = 0; r < CH; r++)
        for (int x = 0; x < CW; x++) {
            bad += b.u[r * b.view.stride_u + x] != uv[r * (2 * CW + PAD) + 2 * x];
            bad += b.v[r * b.view.stride_v + x] != uv[r * (2 * CW + PAD) + 2 * x + 1];
        }
    is_int(bad, 0, "NV12 to I420: planes split");
    peerc__media_i420_buf_free(&b);
}

int main(void)
{
    test_pattern();
    test_skip_ahead();
    test_tone(1);
    test_tone(2);
    test_start_stop_repeatedly();
    test_stop_from_callback();
    test_bad_config();
    test_converters();
    test_camera();
    test_microphone();
    test_microphone_null();
    return done_testing();
}

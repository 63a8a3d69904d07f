/*
 * Microphone capture through ALSA: 16-bit little-endian, 48 kHz, 20 ms
 * periods, the format Opus encodes without resampling.
 *
 * The device is opened non-blocking and waited on with poll() together
 * with the source's stop pipe, so stop never waits for the next period.
 * "default" goes through the plug layer and so converts rates and
 * formats; a raw "hw:" device that cannot do S16_LE at 48 kHz is reported
 * as NotSupportedError.
 *
 * alsa-lib prints its own diagnostics on stderr; while we call it, a
 * thread-local handler (snd_lib_error_set_local) catches them instead, so
 * they go to our log and into the error detail without touching the
 * process-wide handler an application may have set.
 */
#include "media/source.h"

#include <peerc/common.h>

#include "core/error.h"
#include "core/log.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <alsa/asoundlib.h>

#define LOG "media"
#define POLL_TIMEOUT_MS 1000

typedef struct alsa_src {
    snd_pcm_t *pcm;
    const char *device; /* owned by the source, outlives us */
    uint32_t channels;
    struct pollfd *fds; /* the pcm's descriptors, then the wake pipe */
    int nfds;
    size_t filled; /* frames in chunk */
    int16_t chunk[PEERC_SOURCE_AUDIO_CHUNK * 2];
} alsa_src;

/* alsa-lib's last diagnostic on this thread ("cannot find card '0'"). */
static _Thread_local char alsa_said[160];

static void catch_alsa(const char *file, int line, const char *func, int err, const char *fmt,
                       va_list ap)
{
    vsnprintf(alsa_said, sizeof(alsa_said), fmt, ap);
    PEERC_DEBUG(LOG, "alsa-lib %s: %s%s%s", func, alsa_said, err ? ": " : "",
                err ? snd_strerror(err) : "");
}

/* Bracket every stretch of alsa-lib calls. */
static snd_local_error_handler_t alsa_enter(void)
{
    alsa_said[0] = '\0';
    return snd_lib_error_set_local(catch_alsa);
}

static void alsa_leave(snd_local_error_handler_t previous)
{
    snd_lib_error_set_local(previous);
}

/* The getUserMedia() error for a negative errno from alsa-lib. */
static int alsa_code(int rc)
{
    switch (-rc) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
        return PEERC_E_NOT_FOUND;
    case EACCES:
    case EPERM:
        return PEERC_E_NOT_ALLOWED;
    default:
        return PEERC_E_OPERATION; /* EBUSY and I/O errors */
    }
}

static int alsa_error_as(const alsa_src *a, const char *what, int rc, int code, char *err,
                         size_t errlen)
{
    const char *why = code == PEERC_E_NOT_FOUND     ? "no such device"
                      : code == PEERC_E_NOT_ALLOWED ? "permission denied"
                      : rc == -EBUSY                ? "device busy"
                                                    : "I/O error";
    return peerc__errorf(err, errlen, code, "microphone %s: %s: %s (%s%s%s)", a->device, what, why,
                         snd_strerror(rc), alsa_said[0] ? "; " : "", alsa_said);
}

static int alsa_error(const alsa_src *a, const char *what, int rc, char *err, size_t errlen)
{
    return alsa_error_as(a, what, rc, alsa_code(rc), err, errlen);
}

static int unsupported(const alsa_src *a, const char *what, char *err, size_t errlen)
{
    return peerc__errorf(err, errlen, PEERC_E_NOT_SUPPORTED, "microphone %s: %s", a->device, what);
}

static int set_hw_params(alsa_src *a, char *err, size_t errlen)
{
    snd_pcm_hw_params_t *hw = NULL;
    unsigned rate = PEERC_SOURCE_AUDIO_RATE;
    snd_pcm_uframes_t period = PEERC_SOURCE_AUDIO_CHUNK, buffer = 4 * PEERC_SOURCE_AUDIO_CHUNK;
    int rc;
    char what[64];

    if (snd_pcm_hw_params_malloc(&hw) < 0)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    if ((rc = snd_pcm_hw_params_any(a->pcm, hw)) < 0)
        rc = alsa_error(a, "reading its capabilities", rc, err, errlen);
    else if (snd_pcm_hw_params_set_access(a->pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED) < 0)
        rc = unsupported(a, "no interleaved read access", err, errlen);
    else if (snd_pcm_hw_params_set_format(a->pcm, hw, SND_PCM_FORMAT_S16_LE) < 0)
        rc = unsupported(a, "no 16-bit little-endian sample format (S16_LE)", err, errlen);
    else if (snd_pcm_hw_params_set_channels(a->pcm, hw, a->channels) < 0) {
        snprintf(what, sizeof(what), "cannot capture %u channel%s", a->channels,
                 a->channels == 1 ? "" : "s");
        rc = unsupported(a, what, err, errlen);
    } else if (snd_pcm_hw_params_set_rate_near(a->pcm, hw, &rate, NULL) < 0 ||
               rate != PEERC_SOURCE_AUDIO_RATE) {
        snprintf(what, sizeof(what), "cannot capture at 48000 Hz (nearest %u Hz)", rate);
        rc = unsupported(a, what, err, errlen);
    } else {
        /* Near, not exact: 20 ms periods are what we ask for; other sizes
         * still work because the chunker reassembles 960-sample chunks. */
        snd_pcm_hw_params_set_period_size_near(a->pcm, hw, &period, NULL);
        snd_pcm_hw_params_set_buffer_size_near(a->pcm, hw, &buffer);
        if ((rc = snd_pcm_hw_params(a->pcm, hw)) < 0)
            rc = alsa_error(a, "configuring", rc, err, errlen);
        else
            PEERC_DEBUG(LOG, "microphone %s: period %lu, buffer %lu frames", a->device,
                        (unsigned long)period, (unsigned long)buffer);
    }
    snd_pcm_hw_params_free(hw);
    return rc < 0 ? rc : PEERC_OK;
}

static int set_sw_params(alsa_src *a, char *err, size_t errlen)
{
    snd_pcm_sw_params_t *sw = NULL;
    int rc;
    if (snd_pcm_sw_params_malloc(&sw) < 0)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    /* Wake us once per chunk, not once per hardware interrupt. */
    if ((rc = snd_pcm_sw_params_current(a->pcm, sw)) < 0 ||
        (rc = snd_pcm_sw_params_set_avail_min(a->pcm, sw, PEERC_SOURCE_AUDIO_CHUNK)) < 0 ||
        (rc = snd_pcm_sw_params(a->pcm, sw)) < 0)
        rc = alsa_error(a, "configuring wake-ups", rc, err, errlen);
    snd_pcm_sw_params_free(sw);
    return rc < 0 ? rc : PEERC_OK;
}

static int setup_poll(alsa_src *a, char *err, size_t errlen)
{
    int n = snd_pcm_poll_descriptors_count(a->pcm);
    if (n <= 0)
        return alsa_error(a, "getting poll descriptors", n < 0 ? n : -EIO, err, errlen);
    a->fds = calloc((size_t)n + 1, sizeof(*a->fds));
    if (!a->fds)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    int got = snd_pcm_poll_descriptors(a->pcm, a->fds, (unsigned)n);
    if (got <= 0)
        return alsa_error(a, "getting poll descriptors", got < 0 ? got : -EIO, err, errlen);
    a->nfds = got;
    return PEERC_OK;
}

static void alsa_close(void *impl)
{
    alsa_src *a = impl;
    if (!a)
        return;
    if (a->pcm) {
        snd_local_error_handler_t prev = alsa_enter();
        snd_pcm_close(a->pcm);
        alsa_leave(prev);
    }
    free(a->fds);
    free(a);
}

static int alsa_open(const peerc_source_config *cfg, void **impl, char *err, size_t errlen)
{
    alsa_src *a = calloc(1, sizeof(*a));
    if (!a)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    a->device = cfg->device;
    a->channels = cfg->channels;

    snd_local_error_handler_t prev = alsa_enter();
    int rc = snd_pcm_open(&a->pcm, cfg->device, SND_PCM_STREAM_CAPTURE, SND_PCM_NONBLOCK);
    if (rc < 0) {
        a->pcm = NULL;
        /* At open, EINVAL means the name resolves to no device ("hw:99":
         * "Cannot get card index"), which getUserMedia() calls NotFound. */
        rc = alsa_error_as(a, "open", rc, rc == -EINVAL ? PEERC_E_NOT_FOUND : alsa_code(rc), err,
                           errlen);
    } else if ((rc = set_hw_params(a, err, errlen)) == PEERC_OK &&
               (rc = set_sw_params(a, err, errlen)) == PEERC_OK &&
               (rc = setup_poll(a, err, errlen)) == PEERC_OK) {
        /* Capture does not start by itself on a non-blocking poll loop. */
        int r = snd_pcm_start(a->pcm);
        if (r < 0)
            rc = alsa_error(a, "starting capture", r, err, errlen);
    }
    alsa_leave(prev);
    if (rc != PEERC_OK) {
        alsa_close(a);
        return rc;
    }
    PEERC_INFO(LOG, "microphone %s: %u channel%s at 48000 Hz", a->device, a->channels,
               a->channels == 1 ? "" : "s");
    *impl = a;
    return PEERC_OK;
}

/* Overrun or suspend: restart, losing what the device dropped. */
static int recover(alsa_src *a, int rc)
{
    PEERC_DEBUG(LOG, "microphone %s: %s, recovering", a->device, snd_strerror(rc));
    rc = snd_pcm_recover(a->pcm, rc, 1);
    if (rc == 0 && snd_pcm_state(a->pcm) == SND_PCM_STATE_PREPARED)
        rc = snd_pcm_start(a->pcm);
    a->filled = 0; /* a chunk must be contiguous audio */
    return rc;
}

/* Capture time of the chunk's first sample: now, less what is still
 * buffered in the device and the chunk itself. */
static int64_t chunk_time(alsa_src *a)
{
    snd_pcm_sframes_t delay = 0;
    if (snd_pcm_delay(a->pcm, &delay) < 0 || delay < 0)
        delay = 0;
    int64_t frames = (int64_t)delay + PEERC_SOURCE_AUDIO_CHUNK;
    return peerc__source_now_us() - frames * 1000000 / PEERC_SOURCE_AUDIO_RATE;
}

/* Read what is available towards the current chunk; deliver it when full.
 * Returns 0 or a negative errno that recovery could not fix. */
static int read_chunk(peerc_source *s, alsa_src *a)
{
    while (a->filled < PEERC_SOURCE_AUDIO_CHUNK) {
        snd_pcm_sframes_t r = snd_pcm_readi(a->pcm, a->chunk + a->filled * a->channels,
                                            PEERC_SOURCE_AUDIO_CHUNK - a->filled);
        if (r == -EAGAIN || r == 0)
            return 0;
        if (r == -EPIPE || r == -ESTRPIPE || r == -EINTR) {
            int rc = recover(a, (int)r);
            if (rc < 0)
                return rc;
            continue;
        }
        if (r < 0)
            return (int)r;
        a->filled += (size_t)r;
    }
    a->filled = 0;
    peerc__source_deliver_audio(s, a->chunk, PEERC_SOURCE_AUDIO_CHUNK, a->channels, chunk_time(a));
    return 0;
}

static int alsa_capture(peerc_source *s, void *impl, int wake_fd, char *err, size_t errlen)
{
    alsa_src *a = impl;
    unsigned short revents = 0;
    a->fds[a->nfds] = (struct pollfd){.fd = wake_fd, .events = POLLIN};
    int n = poll(a->fds, (nfds_t)a->nfds + 1, POLL_TIMEOUT_MS);
    if (n < 0 && errno != EINTR)
        return peerc__errorf(err, errlen, PEERC_E_OPERATION, "microphone %s: poll: %s", a->device,
                             strerror(errno));
    if (n <= 0 || a->fds[a->nfds].revents)
        return PEERC_OK; /* nothing yet, or stop: the caller decides */

    snd_local_error_handler_t prev = alsa_enter();
    int rc = snd_pcm_poll_descriptors_revents(a->pcm, a->fds, (unsigned)a->nfds, &revents);
    if (rc == 0 && (revents & POLLERR)) {
        snd_pcm_state_t st = snd_pcm_state(a->pcm);
        if (st == SND_PCM_STATE_XRUN)
            rc = recover(a, -EPIPE);
        else if (st == SND_PCM_STATE_SUSPENDED)
            rc = recover(a, -ESTRPIPE);
        else
            rc = -ENODEV; /* disconnected, or a state we cannot leave */
    }
    /* Drivers may signal POLLERR with data still readable; read anyway. */
    if (rc == 0 && (revents & POLLIN))
        rc = read_chunk(s, a);
    if (rc < 0)
        rc = alsa_error(a, "capturing", rc, err, errlen);
    alsa_leave(prev);
    return rc;
}

const peerc__source_backend peerc__source_alsa_backend = {
    .name = "microphone",
    .open = alsa_open,
    .capture = alsa_capture,
    .close = alsa_close,
};

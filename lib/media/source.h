/*
 * Media sources: the getUserMedia() analogue.  A source produces raw video
 * frames (I420) or audio chunks (48 kHz, 16-bit, 20 ms) on a thread of its
 * own and hands each one to a callback, the way a browser's capture
 * pipeline feeds a MediaStreamTrack.
 *
 * Built-in sources (test pattern, tone) are paced on the monotonic clock;
 * devices (V4L2 camera, ALSA microphone) deliver as the hardware does.
 * Opening happens synchronously in peerc__source_start so that a missing
 * or forbidden device is reported there, with the W3C error a browser's
 * getUserMedia() would reject with (NotFoundError, NotAllowedError, ...).
 *
 * Threading: start/stop/frames may be called from any thread; callbacks
 * run on the source's thread, one at a time.
 */
#ifndef PEERC_MEDIA_SOURCE_H
#define PEERC_MEDIA_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "media/frame.h"

typedef struct peerc_source peerc_source;

typedef enum peerc_source_type {
    PEERC_SOURCE_TEST_PATTERN = 1, /* lib/media/testsrc video, paced at fps */
    PEERC_SOURCE_TONE = 2,         /* sine, 20 ms chunks, paced in real time */
    PEERC_SOURCE_CAMERA = 3,       /* V4L2 capture device (device path, default "/dev/video0") */
    PEERC_SOURCE_MICROPHONE = 4    /* ALSA capture (device name, default "default") */
} peerc_source_type;

#define PEERC_SOURCE_AUDIO_RATE 48000
#define PEERC_SOURCE_AUDIO_CHUNK 960 /* samples per channel: 20 ms at 48 kHz */
#define PEERC_SOURCE_MAX_FPS 240

typedef struct peerc_source_config {
    peerc_source_type type;
    uint32_t width, height, fps; /* video; defaults 640x480@30 */
    double tone_hz;              /* default 440 */
    double tone_level;           /* default 0.25 (peak, fraction of full scale) */
    uint32_t channels;           /* audio 1 or 2; default 1 */
    const char *device;          /* NULL or "": default device; copied by start */
} peerc_source_config;

typedef struct peerc_source_callbacks {
    /* frame valid during the call; timestamp_us = monotonic capture time
     * (CLOCK_MONOTONIC, the clock of g_get_monotonic_time()). */
    void (*video)(void *ud, const peerc_media_i420 *frame);
    /* 48 kHz interleaved, 20 ms (960 samples/channel) per call;
     * timestamp_us = monotonic capture time of the first sample. */
    void (*audio)(void *ud, const int16_t *pcm, size_t samples_per_channel, uint32_t channels,
                  int64_t timestamp_us);
    /* Optional: the device failed for good (unplugged, I/O error) and the
     * source delivers nothing more; the MediaStreamTrack "ended" event.
     * code is a PEERC_E_*, message the detail.  Still call stop. */
    void (*ended)(void *ud, int code, const char *message);
} peerc_source_callbacks;

/* Zero cfg, set type and every default. */
void peerc__source_config_init(peerc_source_config *cfg, peerc_source_type type);

/*
 * Validate and open the device synchronously (so errors come back here, not
 * later), then start a thread that delivers frames to the callbacks until
 * stop.  cbs may be NULL and any member NULL (not interested).  Errors
 * (with detail in err): PEERC_E_INVALID_ARGUMENT/PEERC_E_RANGE (bad
 * config), PEERC_E_NOT_FOUND (no such device, not a capture device),
 * PEERC_E_NOT_ALLOWED (permission denied: EACCES/EPERM),
 * PEERC_E_NOT_SUPPORTED (no pixel/sample format we can convert),
 * PEERC_E_OPERATION (device busy or I/O error), PEERC_E_NO_MEMORY.
 */
int peerc__source_start(const peerc_source_config *cfg, const peerc_source_callbacks *cbs,
                        void *ud, peerc_source **out, char *err, size_t errlen);

/*
 * Stop the thread and join it; no callback runs after this returns.
 * Must not be called from inside a callback: a source cannot join its own
 * thread, so that misuse is logged as an error and the source only winds
 * down (no further callback after the current one; it frees itself when
 * its thread ends).  NULL-safe.
 */
void peerc__source_stop(peerc_source *s);

/* Frames/chunks delivered so far; any thread. */
uint64_t peerc__source_frames(const peerc_source *s);

/*
 * Pixel format converters used by the camera, exposed for the tests.  dst
 * must already be allocated at width x height; source rows are `stride`
 * bytes apart.  Chroma of odd sizes comes from the last row/column alone.
 */
/* Packed Y0 U Y1 V (V4L2_PIX_FMT_YUYV); width even. */
void peerc__source_yuyv_to_i420(const uint8_t *src, size_t stride, peerc_media_i420_buf *dst);
/* Y plane, then one plane of interleaved U,V (V4L2_PIX_FMT_NV12). */
void peerc__source_nv12_to_i420(const uint8_t *y, size_t y_stride, const uint8_t *uv,
                                size_t uv_stride, peerc_media_i420_buf *dst);

/*
 * Backends (source-*.c).  The common part (source.c) owns the thread, the
 * pacing and stop; a backend opens its generator or device and produces
 * frames through peerc__source_deliver_*.
 */
typedef struct peerc__source_backend {
    const char *name;
    /* cfg is validated and defaulted; device is never NULL. */
    int (*open)(const peerc_source_config *cfg, void **impl, char *err, size_t errlen);
    /* Paced backends: make the frame due at timestamp_us and deliver it. */
    void (*produce)(peerc_source *s, void *impl, int64_t timestamp_us);
    /* Device backends (produce NULL): wait until the device has data or
     * wake_fd is readable, then deliver at most one frame.  Returns
     * PEERC_OK, or an error (detail in err) when the device is gone. */
    int (*capture)(peerc_source *s, void *impl, int wake_fd, char *err, size_t errlen);
    void (*close)(void *impl);
} peerc__source_backend;

extern const peerc__source_backend peerc__source_testsrc_backend;
extern const peerc__source_backend peerc__source_tone_backend;
extern const peerc__source_backend peerc__source_v4l2_backend;
extern const peerc__source_backend peerc__source_alsa_backend;

/* Hand a frame to the callback and count it (backends, source thread). */
void peerc__source_deliver_video(peerc_source *s, const peerc_media_i420 *frame);
void peerc__source_deliver_audio(peerc_source *s, const int16_t *pcm, size_t samples_per_channel,
                                 uint32_t channels, int64_t timestamp_us);

/* CLOCK_MONOTONIC in microseconds. */
int64_t peerc__source_now_us(void);

#endif

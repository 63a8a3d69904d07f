/*
 * The built-in sources as paced backends: the test pattern (video) and the
 * tone (audio) from lib/media/testsrc.  They are what a test or a headless
 * peer uses in place of a camera and a microphone, like a browser's fake
 * capture devices.
 */
#include "media/source.h"

#include <peerc/common.h>

#include "core/error.h"
#include "media/testsrc.h"

#include <stdlib.h>

static int testsrc_open(const peerc_source_config *cfg, void **impl, char *err, size_t errlen)
{
    peerc_testsrc_video *v = NULL;
    int rc = peerc__testsrc_video_new(cfg->width, cfg->height, cfg->fps, &v);
    if (rc == PEERC_E_RANGE)
        return peerc__errorf(err, errlen, rc,
                             "test pattern %ux%u@%u: needs at least %ux%u and 1..240 fps",
                             cfg->width, cfg->height, cfg->fps, PEERC_TESTSRC_MIN_WIDTH,
                             PEERC_TESTSRC_MIN_HEIGHT);
    if (rc != PEERC_OK)
        return peerc__errorf(err, errlen, rc, "test pattern: %s", peerc_strerror(rc));
    *impl = v;
    return PEERC_OK;
}

static void testsrc_produce(peerc_source *s, void *impl, int64_t timestamp_us)
{
    peerc_media_i420 f;
    if (peerc__testsrc_video_next(impl, &f) != PEERC_OK)
        return;
    /* The generator counts in media time from 0; callers want capture time. */
    f.timestamp_us = timestamp_us;
    peerc__source_deliver_video(s, &f);
}

static void testsrc_close(void *impl)
{
    peerc__testsrc_video_free(impl);
}

const peerc__source_backend peerc__source_testsrc_backend = {
    .name = "test pattern",
    .open = testsrc_open,
    .produce = testsrc_produce,
    .close = testsrc_close,
};

typedef struct tone_src {
    peerc_testsrc_tone *tone;
    uint32_t channels;
    int16_t pcm[PEERC_SOURCE_AUDIO_CHUNK * 2];
} tone_src;

static int tone_open(const peerc_source_config *cfg, void **impl, char *err, size_t errlen)
{
    tone_src *t = calloc(1, sizeof(*t));
    if (!t)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    int rc = peerc__testsrc_tone_new(cfg->tone_hz, cfg->channels, cfg->tone_level, &t->tone);
    if (rc != PEERC_OK) {
        free(t);
        return peerc__errorf(err, errlen, rc, "tone %g Hz, level %g, %u channels: %s",
                             cfg->tone_hz, cfg->tone_level, cfg->channels, peerc_strerror(rc));
    }
    t->channels = cfg->channels;
    *impl = t;
    return PEERC_OK;
}

static void tone_produce(peerc_source *s, void *impl, int64_t timestamp_us)
{
    tone_src *t = impl;
    peerc__testsrc_tone_read(t->tone, t->pcm, PEERC_SOURCE_AUDIO_CHUNK);
    peerc__source_deliver_audio(s, t->pcm, PEERC_SOURCE_AUDIO_CHUNK, t->channels, timestamp_us);
}

static void tone_close(void *impl)
{
    tone_src *t = impl;
    peerc__testsrc_tone_free(t->tone);
    free(t);
}

const peerc__source_backend peerc__source_tone_backend = {
    .name = "tone",
    .open = tone_open,
    .produce = tone_produce,
    .close = tone_close,
};

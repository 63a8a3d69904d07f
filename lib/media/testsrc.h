/*
 * Built-in sources, the analogue of a browser's fake capture devices
 * (Chromium's --use-fake-device-for-media-stream), and the matching checks
 * a receiver runs on what it decoded.
 *
 * Video: scrolling colour bars, a bouncing square and the frame number in
 * large digits, for a human watching; plus the frame number as a
 * machine-readable code in the top rows, for a test.  The code is 32
 * cells across the full width, each black (0) or white (1): 24 bits of the
 * frame number (MSB first) and a CRC-8 of them.  Cells are 1/32 of the
 * width and 1/16 of the height (at least 8 rows), large enough that VP8 at
 * ordinary bitrates keeps their centres on the right side of mid-grey, and
 * the CRC turns a garbled read into "not found" instead of a wrong number.
 *
 * Audio: a sine at a chosen frequency, 48 kHz 16-bit PCM, and a frequency
 * estimator (interpolated rising zero crossings with hysteresis) that
 * tolerates codec noise.
 *
 * Threading: a source is used by one thread at a time; the readers are
 * pure functions.
 */
#ifndef PEERC_MEDIA_TESTSRC_H
#define PEERC_MEDIA_TESTSRC_H

#include <stddef.h>
#include <stdint.h>

#include "media/frame.h"

#define PEERC_TESTSRC_MIN_WIDTH 128 /* 4-pixel code cells */
#define PEERC_TESTSRC_MIN_HEIGHT 64
#define PEERC_TESTSRC_NUMBER_BITS 24 /* frame numbers are carried modulo 2^24 */
#define PEERC_TESTSRC_TONE_RATE 48000

typedef struct peerc_testsrc_video peerc_testsrc_video;
typedef struct peerc_testsrc_tone peerc_testsrc_tone;

/* Errors: PEERC_E_INVALID_ARGUMENT (NULL out), PEERC_E_RANGE (size below
 * the minimum or above PEERC_MEDIA_MAX_DIM, fps not in 1..240),
 * PEERC_E_NO_MEMORY. */
int peerc__testsrc_video_new(uint32_t width, uint32_t height, uint32_t fps,
                             peerc_testsrc_video **out);
void peerc__testsrc_video_free(peerc_testsrc_video *s); /* NULL-safe */

/* Draw the next frame (numbers 0, 1, 2, ...; timestamp n * 1e6 / fps us).
 * *out is valid until the next call or free.  Errors:
 * PEERC_E_INVALID_ARGUMENT. */
int peerc__testsrc_video_next(peerc_testsrc_video *s, peerc_media_i420 *out);

/* Draw frame `number` into a caller-provided picture buffer (any size the
 * source accepts), e.g. to make a stream with a gap.  Errors as _new. */
int peerc__testsrc_video_draw(peerc_media_i420_buf *buf, uint32_t width, uint32_t height,
                              uint32_t number);

/* The frame number (modulo 2^24) coded in f's top rows.  Errors:
 * PEERC_E_INVALID_ARGUMENT / PEERC_E_RANGE (bad or too small picture),
 * PEERC_E_NOT_FOUND (no valid code: CRC mismatch). */
int peerc__testsrc_read_frame_number(const peerc_media_i420 *f, uint32_t *number);

/* level: peak amplitude as a fraction of full scale (0 < level <= 1).
 * Errors: PEERC_E_INVALID_ARGUMENT (channels not 1 or 2, NULL out),
 * PEERC_E_RANGE (frequency not in 1 Hz..20 kHz, level). */
int peerc__testsrc_tone_new(double freq_hz, uint32_t channels, double level,
                            peerc_testsrc_tone **out);
void peerc__testsrc_tone_free(peerc_testsrc_tone *t); /* NULL-safe */

/* The next samples_per_channel samples, interleaved, phase-continuous
 * across calls; every channel carries the same signal. */
void peerc__testsrc_tone_read(peerc_testsrc_tone *t, int16_t *pcm, size_t samples_per_channel);

/*
 * Estimate the dominant frequency of channel 0 of 48 kHz interleaved PCM.
 * Needs a few periods (>= 3 rising crossings) at a peak above ~1% of full
 * scale.  rms (optional) gets channel 0's RMS level, 0..1 of full scale.
 * Errors: PEERC_E_INVALID_ARGUMENT, PEERC_E_NOT_FOUND (silence or too
 * short).
 */
int peerc__testsrc_tone_estimate(const int16_t *pcm, size_t samples_per_channel, uint32_t channels,
                                 double *freq_hz, double *rms);

#endif

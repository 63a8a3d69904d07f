/* Sine tone source and frequency estimator; see testsrc.h. */
#include "media/testsrc.h"

#include <peerc/common.h>

#include <math.h>
#include <stdlib.h>

struct peerc_testsrc_tone {
    double step;  /* phase increment per sample, radians */
    double phase; /* kept in [0, 2pi) so precision does not decay over hours */
    double peak;  /* in sample units */
    uint32_t channels;
};

int peerc__testsrc_tone_new(double freq_hz, uint32_t channels, double level,
                            peerc_testsrc_tone **out)
{
    if (out)
        *out = NULL;
    if (!out || (channels != 1 && channels != 2))
        return PEERC_E_INVALID_ARGUMENT;
    if (!(freq_hz >= 1.0 && freq_hz <= 20000.0) || !(level > 0.0 && level <= 1.0))
        return PEERC_E_RANGE;
    peerc_testsrc_tone *t = calloc(1, sizeof *t);
    if (!t)
        return PEERC_E_NO_MEMORY;
    t->step = 2.0 * M_PI * freq_hz / PEERC_TESTSRC_TONE_RATE;
    t->peak = level * 32767.0;
    t->channels = channels;
    *out = t;
    return PEERC_OK;
}

void peerc__testsrc_tone_free(peerc_testsrc_tone *t)
{
    free(t);
}

void peerc__testsrc_tone_read(peerc_testsrc_tone *t, int16_t *pcm, size_t samples_per_channel)
{
    if (!t || !pcm)
        return;
    for (size_t i = 0; i < samples_per_channel; i++) {
        int16_t s = (int16_t)lrint(t->peak * sin(t->phase));
        for (uint32_t c = 0; c < t->channels; c++)
            pcm[i * t->channels + c] = s;
        t->phase += t->step;
        if (t->phase >= 2.0 * M_PI)
            t->phase -= 2.0 * M_PI;
    }
}

int peerc__testsrc_tone_estimate(const int16_t *pcm, size_t samples_per_channel, uint32_t channels,
                                 double *freq_hz, double *rms)
{
    if (!pcm || !freq_hz || channels == 0)
        return PEERC_E_INVALID_ARGUMENT;
    size_t n = samples_per_channel;
    if (n < 2)
        return PEERC_E_NOT_FOUND;
    /* Mean and peak of channel 0: a DC offset would shift every
     * crossing, and the hysteresis scales with the signal. */
    double mean = 0, energy = 0, peak = 0;
    for (size_t i = 0; i < n; i++)
        mean += pcm[i * channels];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double v = pcm[i * channels] - mean;
        energy += v * v;
        if (fabs(v) > peak)
            peak = fabs(v);
    }
    if (rms)
        *rms = sqrt(energy / (double)n) / 32768.0;
    if (peak < 328.0) /* ~1% of full scale: silence or noise */
        return PEERC_E_NOT_FOUND;

    /* A rising crossing counts only after the signal went below -h, so
     * codec noise around zero cannot add crossings; its time is
     * interpolated between the two samples straddling zero. */
    double h = peak / 4, first = 0, last = 0;
    int armed = 0;
    size_t count = 0;
    double prev = pcm[0] - mean;
    for (size_t i = 1; i < n; i++) {
        double v = pcm[i * channels] - mean;
        if (v < -h)
            armed = 1;
        if (armed && prev < 0 && v >= 0) {
            double t = (double)(i - 1) + prev / (prev - v);
            if (count == 0)
                first = t;
            last = t;
            count++;
            armed = 0;
        }
        prev = v;
    }
    if (count < 3 || last <= first)
        return PEERC_E_NOT_FOUND;
    *freq_hz = (double)(count - 1) * PEERC_TESTSRC_TONE_RATE / (last - first);
    return PEERC_OK;
}

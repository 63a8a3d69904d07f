/* libopus wrappers; see opus.h. */
#include "media/opus.h"

#include <peerc/common.h>

#include "core/error.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <opus/opus.h>

struct peerc_opusenc {
    OpusEncoder *enc;
    uint32_t channels;
    /* Requested by any thread, applied on the encoding thread: libopus
     * state is not thread-safe, so setters only store. */
    atomic_uint want_bps, want_loss;
    atomic_int want_fec;
    uint32_t bps, loss;
    int fec;
    uint64_t frames, bytes;
};

struct peerc_opusdec {
    OpusDecoder *dec;
    uint32_t channels;
    int last_samples; /* per channel, of the last packet: PLC repeats it */
    peerc_opusdec_stats stats;
};

static uint32_t clamp_bps(uint32_t bps)
{
    return bps < PEERC_OPUS_MIN_BPS   ? PEERC_OPUS_MIN_BPS
           : bps > PEERC_OPUS_MAX_BPS ? PEERC_OPUS_MAX_BPS
                                      : bps;
}

void peerc__opusenc_config_init(peerc_opusenc_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->channels = 1;
    cfg->bitrate_bps = 32000;
    cfg->inband_fec = 1;
}

/* Apply what the setters asked for since the last encode. */
static int apply_settings(peerc_opusenc *e, int force)
{
    uint32_t bps = atomic_load(&e->want_bps), loss = atomic_load(&e->want_loss);
    int fec = atomic_load(&e->want_fec);
    if ((force || bps != e->bps) &&
        opus_encoder_ctl(e->enc, OPUS_SET_BITRATE((opus_int32)bps)) != OPUS_OK)
        return PEERC_E_INTERNAL;
    e->bps = bps;
    if ((force || loss != e->loss) &&
        opus_encoder_ctl(e->enc, OPUS_SET_PACKET_LOSS_PERC((opus_int32)loss)) != OPUS_OK)
        return PEERC_E_INTERNAL;
    e->loss = loss;
    if ((force || fec != e->fec) && opus_encoder_ctl(e->enc, OPUS_SET_INBAND_FEC(fec)) != OPUS_OK)
        return PEERC_E_INTERNAL;
    e->fec = fec;
    return PEERC_OK;
}

int peerc__opusenc_new(const peerc_opusenc_config *cfg, peerc_opusenc **out, char *err,
                       size_t errlen)
{
    peerc_opusenc_config c;
    int oerr;
    if (out)
        *out = NULL;
    if (!out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL out");
    if (cfg)
        c = *cfg;
    else
        peerc__opusenc_config_init(&c);
    if (c.channels != 1 && c.channels != 2)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "%u channels (1 or 2)",
                             c.channels);
    if (c.packet_loss_perc > 100)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "packet loss %u%%",
                             c.packet_loss_perc);

    peerc_opusenc *e = calloc(1, sizeof *e);
    if (!e)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    e->channels = c.channels;
    e->enc = opus_encoder_create(PEERC_OPUS_RATE, (int)c.channels,
                                 c.music ? OPUS_APPLICATION_AUDIO : OPUS_APPLICATION_VOIP, &oerr);
    if (!e->enc) {
        free(e);
        return peerc__errorf(err, errlen,
                             oerr == OPUS_ALLOC_FAIL ? PEERC_E_NO_MEMORY : PEERC_E_INTERNAL,
                             "opus_encoder_create: %s", opus_strerror(oerr));
    }
    atomic_init(&e->want_bps, clamp_bps(c.bitrate_bps));
    atomic_init(&e->want_loss, c.packet_loss_perc);
    atomic_init(&e->want_fec, c.inband_fec ? 1 : 0);
    /* DTX off: see opus.h.  VBR (the default) is what browsers send;
     * constrained VBR keeps packet sizes predictable for the pacer. */
    if (opus_encoder_ctl(e->enc, OPUS_SET_DTX(0)) != OPUS_OK ||
        opus_encoder_ctl(e->enc, OPUS_SET_VBR_CONSTRAINT(1)) != OPUS_OK ||
        apply_settings(e, 1) != PEERC_OK) {
        peerc__opusenc_free(e);
        return peerc__errorf(err, errlen, PEERC_E_INTERNAL, "opus_encoder_ctl failed");
    }
    *out = e;
    return PEERC_OK;
}

void peerc__opusenc_free(peerc_opusenc *e)
{
    if (!e)
        return;
    opus_encoder_destroy(e->enc);
    free(e);
}

static int valid_frame_size(size_t n)
{
    return n == 120 || n == 240 || n == 480 || n == 960 || n == 1920 || n == 2880;
}

int peerc__opusenc_encode(peerc_opusenc *e, const int16_t *pcm, size_t samples_per_channel,
                          uint8_t *out, size_t cap, size_t *out_len)
{
    if (!e || !pcm || !out || !out_len || !valid_frame_size(samples_per_channel))
        return PEERC_E_INVALID_ARGUMENT;
    *out_len = 0;
    if (cap < 3) /* TOC + at least a frame header */
        return PEERC_E_RANGE;
    if (apply_settings(e, 0) != PEERC_OK)
        return PEERC_E_INTERNAL;
    /* 4000 is libopus's own recommended ceiling: three 1275-byte frames
     * of a 60 ms packet plus framing. */
    opus_int32 max = cap > 4000 ? 4000 : (opus_int32)cap;
    opus_int32 n = opus_encode(e->enc, pcm, (int)samples_per_channel, out, max);
    if (n == OPUS_BUFFER_TOO_SMALL)
        return PEERC_E_RANGE;
    if (n < 0)
        return PEERC_E_INTERNAL;
    *out_len = (size_t)n;
    e->frames++;
    e->bytes += (size_t)n;
    return PEERC_OK;
}

void peerc__opusenc_set_bitrate(peerc_opusenc *e, uint32_t bps)
{
    if (e)
        atomic_store(&e->want_bps, clamp_bps(bps));
}

void peerc__opusenc_set_packet_loss(peerc_opusenc *e, uint32_t percent)
{
    if (e)
        atomic_store(&e->want_loss, percent > 100 ? 100 : percent);
}

void peerc__opusenc_set_fec(peerc_opusenc *e, int on)
{
    if (e)
        atomic_store(&e->want_fec, on ? 1 : 0);
}

void peerc__opusenc_get_stats(const peerc_opusenc *e, peerc_opusenc_stats *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (!e)
        return;
    out->frames = e->frames;
    out->bytes = e->bytes;
    out->bitrate_bps = e->bps;
    out->packet_loss_perc = e->loss;
    out->inband_fec = e->fec;
}

int peerc__opusdec_new(uint32_t channels, peerc_opusdec **out, char *err, size_t errlen)
{
    int oerr;
    if (out)
        *out = NULL;
    if (!out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL out");
    if (channels != 1 && channels != 2)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "%u channels (1 or 2)",
                             channels);
    peerc_opusdec *d = calloc(1, sizeof *d);
    if (!d)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    d->channels = channels;
    d->last_samples = PEERC_OPUS_FRAME_20MS;
    d->dec = opus_decoder_create(PEERC_OPUS_RATE, (int)channels, &oerr);
    if (!d->dec) {
        free(d);
        return peerc__errorf(err, errlen,
                             oerr == OPUS_ALLOC_FAIL ? PEERC_E_NO_MEMORY : PEERC_E_INTERNAL,
                             "opus_decoder_create: %s", opus_strerror(oerr));
    }
    *out = d;
    return PEERC_OK;
}

void peerc__opusdec_free(peerc_opusdec *d)
{
    if (!d)
        return;
    opus_decoder_destroy(d->dec);
    free(d);
}

static int finish(peerc_opusdec *d, int n, size_t *samples_per_channel)
{
    if (n == OPUS_BUFFER_TOO_SMALL) {
        d->stats.errors++;
        return PEERC_E_RANGE;
    }
    if (n < 0) {
        d->stats.errors++;
        return PEERC_E_SYNTAX;
    }
    *samples_per_channel = (size_t)n;
    return PEERC_OK;
}

static int cap_int(size_t cap)
{
    return cap > PEERC_OPUS_MAX_FRAME ? PEERC_OPUS_MAX_FRAME : (int)cap;
}

int peerc__opusdec_decode(peerc_opusdec *d, const uint8_t *data, size_t len, int16_t *pcm,
                          size_t cap, size_t *samples_per_channel)
{
    if (!d || !pcm || !samples_per_channel)
        return PEERC_E_INVALID_ARGUMENT;
    *samples_per_channel = 0;
    if (!data) {
        if (cap < (size_t)d->last_samples)
            return PEERC_E_RANGE;
        int n = opus_decode(d->dec, NULL, 0, pcm, d->last_samples, 0);
        int rc = finish(d, n, samples_per_channel);
        if (rc == PEERC_OK)
            d->stats.concealed++;
        return rc;
    }
    if (len == 0 || len > INT32_MAX)
        return PEERC_E_INVALID_ARGUMENT;
    int samples = opus_packet_get_nb_samples(data, (opus_int32)len, PEERC_OPUS_RATE);
    if (samples <= 0 || samples > PEERC_OPUS_MAX_FRAME) {
        d->stats.errors++;
        return PEERC_E_SYNTAX;
    }
    if (cap < (size_t)samples)
        return PEERC_E_RANGE;
    int n = opus_decode(d->dec, data, (opus_int32)len, pcm, cap_int(cap), 0);
    int rc = finish(d, n, samples_per_channel);
    if (rc == PEERC_OK) {
        d->stats.packets++;
        d->last_samples = n;
    }
    return rc;
}

int peerc__opusdec_decode_fec(peerc_opusdec *d, const uint8_t *next, size_t len, int16_t *pcm,
                              size_t cap, size_t *samples_per_channel)
{
    if (!d || !next || !len || len > INT32_MAX || !pcm || !samples_per_channel)
        return PEERC_E_INVALID_ARGUMENT;
    *samples_per_channel = 0;
    /* LBRR covers one frame of next's own frame duration; shorter than
     * 10 ms means CELT-only, which has none, and then the lost audio is
     * assumed to be as long as the previous packet. */
    int dur = opus_packet_get_samples_per_frame(next, PEERC_OPUS_RATE);
    int has = peerc__opusdec_has_fec(next, len);
    if (!has || dur < PEERC_OPUS_RATE / 100)
        dur = d->last_samples;
    if (cap < (size_t)dur)
        return PEERC_E_RANGE;
    /* Without LBRR libopus conceals by itself, but only a real FEC decode
     * may be counted as a recovery. */
    int n = has ? opus_decode(d->dec, next, (opus_int32)len, pcm, dur, 1)
                : opus_decode(d->dec, NULL, 0, pcm, dur, 0);
    int rc = finish(d, n, samples_per_channel);
    if (rc == PEERC_OK) {
        if (has)
            d->stats.recovered++;
        else
            d->stats.fec_as_plc++;
    }
    return rc;
}

void peerc__opusdec_get_stats(const peerc_opusdec *d, peerc_opusdec_stats *out)
{
    if (!out)
        return;
    if (d)
        *out = d->stats;
    else
        memset(out, 0, sizeof *out);
}

int peerc__opusdec_has_fec(const uint8_t *data, size_t len)
{
    unsigned char toc;
    const unsigned char *frames[48];
    opus_int16 sizes[48];
    if (!data || len == 0 || len > INT32_MAX)
        return 0;
    int config = data[0] >> 3;
    if (config >= 16) /* CELT-only: no SILK layer, no LBRR */
        return 0;
    int nframes = opus_packet_parse(data, (opus_int32)len, &toc, frames, sizes, NULL);
    if (nframes <= 0 || sizes[0] <= 0)
        return 0;
    /* SILK frames per Opus frame: 10 and 20 ms carry one, 40 ms two,
     * 60 ms three (configs 0..11 cycle 10/20/40/60 ms; hybrid is 10/20). */
    int silk_frames = config < 12 ? (config % 4 == 2 ? 2 : config % 4 == 3 ? 3 : 1) : 1;
    int channels = (data[0] & 0x04) ? 2 : 1;
    /* RFC 6716 §4.2.3: the first symbols are uniform bits, so they are the
     * top bits of the first byte: per channel, one VAD flag per SILK frame
     * then the LBRR flag. */
    for (int ch = 0; ch < channels; ch++) {
        int bit = (ch + 1) * (silk_frames + 1) - 1;
        if (frames[0][0] & (0x80 >> bit))
            return 1;
    }
    return 0;
}

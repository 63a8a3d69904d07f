/*
 * lib/media Opus: a 440 Hz tone survives encode/decode (frequency within
 * 5 Hz), concealment and in-band FEC recover lost packets, settings change
 * at run time, and bad input is refused.  Speeds are diag only.
 */
#include "media/opus.h"
#include "media/testsrc.h"

#include <peerc/common.h>

#include "../tap.h"

#include <math.h>
#include <stdint.h>
#include <time.h>

#define FRAME PEERC_OPUS_FRAME_20MS
#define SECONDS 2
#define NPKT (SECONDS * 50)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct packet {
    uint8_t data[PEERC_OPUS_MAX_PACKET];
    size_t len;
} packet;

/* Encode SECONDS of a tone into 20 ms packets. */
static int encode_tone(const peerc_opusenc_config *cfg, double hz, packet *pkts, double *enc_s)
{
    peerc_opusenc *e = NULL;
    peerc_testsrc_tone *t = NULL;
    int16_t pcm[2 * FRAME];
    int good = 0;
    if (peerc__opusenc_new(cfg, &e, NULL, 0) != PEERC_OK ||
        peerc__testsrc_tone_new(hz, cfg->channels, 0.5, &t) != PEERC_OK)
        goto out;
    double t0 = now_s();
    for (int i = 0; i < NPKT; i++) {
        peerc__testsrc_tone_read(t, pcm, FRAME);
        good += peerc__opusenc_encode(e, pcm, FRAME, pkts[i].data, sizeof pkts[i].data,
                                      &pkts[i].len) == PEERC_OK &&
                pkts[i].len > 0;
    }
    if (enc_s)
        *enc_s = now_s() - t0;
out:
    peerc__testsrc_tone_free(t);
    peerc__opusenc_free(e);
    return good;
}

static void test_tone_round_trip(uint32_t channels)
{
    peerc_opusenc_config cfg;
    static packet pkts[NPKT];
    static int16_t pcm[2 * FRAME * NPKT];
    peerc_opusdec *d = NULL;
    double enc_s = 0, dec_s;
    size_t total = 0, bytes = 0;

    peerc__opusenc_config_init(&cfg);
    cfg.channels = channels;
    cfg.bitrate_bps = channels == 2 ? 64000 : 32000;
    is_int(encode_tone(&cfg, 440, pkts, &enc_s), NPKT, "%u ch: %d packets encoded", channels, NPKT);
    is_int(peerc__opusdec_new(channels, &d, NULL, 0), PEERC_OK, "%u ch decoder", channels);
    if (!d)
        return;
    int good = 0;
    double t0 = now_s();
    for (int i = 0; i < NPKT; i++) {
        size_t n = 0;
        good += peerc__opusdec_decode(d, pkts[i].data, pkts[i].len, pcm + total * channels, FRAME,
                                      &n) == PEERC_OK &&
                n == FRAME;
        total += n;
        bytes += pkts[i].len;
    }
    dec_s = now_s() - t0;
    is_int(good, NPKT, "%u ch: all packets decoded to 960 samples", channels);
    double hz = 0, rms = 0;
    /* Skip the first 200 ms: encoder lookahead and decoder warm-up. */
    is_int(peerc__testsrc_tone_estimate(pcm + 9600 * channels, total - 9600, channels, &hz, &rms),
           PEERC_OK, "%u ch: tone found", channels);
    ok(fabs(hz - 440) <= 5, "%u ch: 440 Hz came back as %.2f Hz", channels, hz);
    ok(rms > 0.2 && rms < 0.5, "%u ch: level kept (RMS %.3f, sent 0.354)", channels, rms);
    if (channels == 2) {
        double hz_r = 0;
        peerc__testsrc_tone_estimate(pcm + 9600 * 2 + 1, total - 9600, 2, &hz_r, NULL);
        ok(fabs(hz_r - 440) <= 5, "2 ch: right channel %.2f Hz", hz_r);
    }
    diag("Opus %u ch @%u bps: %.1f kbps actual; encode %.0f frames/s, decode %.0f frames/s",
         channels, cfg.bitrate_bps, bytes * 8.0 / SECONDS / 1000, NPKT / enc_s, NPKT / dec_s);

    /* PLC: conceal one lost packet, then carry on. */
    size_t n = 0;
    int16_t out[2 * PEERC_OPUS_MAX_FRAME];
    is_int(peerc__opusdec_decode(d, NULL, 0, out, PEERC_OPUS_MAX_FRAME, &n), PEERC_OK,
           "%u ch: PLC runs", channels);
    is_int(n, FRAME, "%u ch: PLC gives one 20 ms frame", channels);
    peerc_opusdec_stats st;
    peerc__opusdec_get_stats(d, &st);
    ok(st.packets == NPKT && st.concealed == 1, "%u ch: stats count %llu packets, %llu concealed",
       channels, (unsigned long long)st.packets, (unsigned long long)st.concealed);
    peerc__opusdec_free(d);
}

/* Correlation of two signals (1 = identical shape). */
static double correlation(const int16_t *a, const int16_t *b, size_t n)
{
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < n; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0;
}

static void test_fec(void)
{
    peerc_opusenc_config cfg;
    static packet with_fec[NPKT], without_fec[NPKT];
    int16_t ref[FRAME], got[FRAME], plc[FRAME];

    peerc__opusenc_config_init(&cfg);
    cfg.packet_loss_perc = 20;
    is_int(encode_tone(&cfg, 440, with_fec, NULL), NPKT, "FEC on, 20%% loss expected: encoded");
    cfg.inband_fec = 0;
    is_int(encode_tone(&cfg, 440, without_fec, NULL), NPKT, "FEC off: encoded");
    int fec_on = 0, fec_off = 0;
    for (int i = 1; i < NPKT; i++) {
        fec_on += peerc__opusdec_has_fec(with_fec[i].data, with_fec[i].len);
        fec_off += peerc__opusdec_has_fec(without_fec[i].data, without_fec[i].len);
    }
    ok(fec_on > NPKT * 8 / 10, "FEC on: %d of %d packets carry LBRR", fec_on, NPKT - 1);
    is_int(fec_off, 0, "FEC off: no packet carries LBRR");

    /* Lose every 10th packet from 20 on.  Receiver A recovers it from the
     * next packet's FEC, receiver B conceals; both are compared with what
     * a lossless receiver decoded for that packet. */
    peerc_opusdec *ref_d = NULL, *fec_d = NULL, *plc_d = NULL;
    peerc__opusdec_new(1, &ref_d, NULL, 0);
    peerc__opusdec_new(1, &fec_d, NULL, 0);
    peerc__opusdec_new(1, &plc_d, NULL, 0);
    if (!ref_d || !fec_d || !plc_d)
        return;
    double corr_fec = 0, corr_plc = 0, hz_min = 1e9, hz_max = 0;
    int lost = 0, steps_ok = 0;
    for (int i = 0; i < NPKT; i++) {
        size_t n;
        const packet *p = &with_fec[i];
        peerc__opusdec_decode(ref_d, p->data, p->len, ref, FRAME, &n);
        if (i >= 20 && i % 10 == 0 && i + 1 < NPKT) {
            const packet *next = &with_fec[i + 1];
            size_t nf = 0, np = 0;
            steps_ok += peerc__opusdec_decode_fec(fec_d, next->data, next->len, got, FRAME, &nf) ==
                            PEERC_OK &&
                        nf == FRAME;
            steps_ok +=
                peerc__opusdec_decode(plc_d, NULL, 0, plc, FRAME, &np) == PEERC_OK && np == FRAME;
            corr_fec += correlation(ref, got, FRAME);
            corr_plc += correlation(ref, plc, FRAME);
            double hz = 0;
            peerc__testsrc_tone_estimate(got, FRAME, 1, &hz, NULL);
            hz_min = hz < hz_min ? hz : hz_min;
            hz_max = hz > hz_max ? hz : hz_max;
            lost++;
            continue;
        }
        peerc__opusdec_decode(fec_d, p->data, p->len, got, FRAME, &n);
        peerc__opusdec_decode(plc_d, p->data, p->len, plc, FRAME, &n);
    }
    is_int(steps_ok, 2 * lost, "%d lost packets: FEC and PLC each produced 20 ms", lost);
    ok(hz_min > 430 && hz_max < 450, "FEC-recovered frames carry the tone (%.1f..%.1f Hz)", hz_min,
       hz_max);
    peerc_opusdec_stats st;
    peerc__opusdec_get_stats(fec_d, &st);
    is_int(st.recovered, lost, "every loss recovered from LBRR");
    diag("mean correlation with the lossless decode: FEC %.3f, PLC %.3f", corr_fec / lost,
         corr_plc / lost);

    /* Without LBRR in the next packet, decode_fec conceals instead. */
    size_t n = 0;
    is_int(
        peerc__opusdec_decode_fec(fec_d, without_fec[50].data, without_fec[50].len, got, FRAME, &n),
        PEERC_OK, "decode_fec without LBRR");
    is_int(n, FRAME, "falls back to 20 ms of PLC");
    peerc__opusdec_get_stats(fec_d, &st);
    is_int(st.fec_as_plc, 1, "counted as concealment, not recovery");
    peerc__opusdec_free(ref_d);
    peerc__opusdec_free(fec_d);
    peerc__opusdec_free(plc_d);
}

static void test_runtime_settings(void)
{
    peerc_opusenc *e = NULL;
    peerc_testsrc_tone *t = NULL;
    peerc_opusenc_stats st;
    int16_t pcm[FRAME];
    uint8_t buf[PEERC_OPUS_MAX_PACKET];
    size_t len, low = 0, high = 0;

    peerc__opusenc_new(NULL, &e, NULL, 0);
    peerc__testsrc_tone_new(440, 1, 0.5, &t);
    if (!e || !t)
        return;
    peerc__opusenc_set_bitrate(e, 12000);
    for (int i = 0; i < 50; i++) {
        peerc__testsrc_tone_read(t, pcm, FRAME);
        if (peerc__opusenc_encode(e, pcm, FRAME, buf, sizeof buf, &len) == PEERC_OK && i >= 25)
            low += len;
    }
    peerc__opusenc_get_stats(e, &st);
    is_int(st.bitrate_bps, 12000, "bitrate 12000 applied");
    peerc__opusenc_set_bitrate(e, 96000);
    peerc__opusenc_set_packet_loss(e, 500);
    peerc__opusenc_set_fec(e, 0);
    for (int i = 0; i < 50; i++) {
        peerc__testsrc_tone_read(t, pcm, FRAME);
        if (peerc__opusenc_encode(e, pcm, FRAME, buf, sizeof buf, &len) == PEERC_OK && i >= 25)
            high += len;
    }
    peerc__opusenc_get_stats(e, &st);
    is_int(st.bitrate_bps, 96000, "bitrate 96000 applied");
    is_int(st.packet_loss_perc, 100, "loss percentage clamped to 100");
    is_int(st.inband_fec, 0, "FEC switched off");
    diag("Opus mono at 12 kbps: %.1f kbps actual; at 96 kbps: %.1f kbps actual", low * 8.0 / 500,
         high * 8.0 / 500);
    ok(high > low, "higher bitrate, bigger packets");
    peerc__opusenc_set_bitrate(e, 1);
    peerc__testsrc_tone_read(t, pcm, FRAME);
    peerc__opusenc_encode(e, pcm, FRAME, buf, sizeof buf, &len);
    peerc__opusenc_get_stats(e, &st);
    is_int(st.bitrate_bps, PEERC_OPUS_MIN_BPS, "bitrate clamped to the minimum");

    /* Other frame sizes. */
    int16_t big[2880];
    int sizes_ok = 0;
    static const size_t sizes[] = {120, 240, 480, 960, 1920, 2880};
    for (size_t i = 0; i < 6; i++) {
        peerc__testsrc_tone_read(t, big, sizes[i]);
        sizes_ok += peerc__opusenc_encode(e, big, sizes[i], buf, sizeof buf, &len) == PEERC_OK;
    }
    is_int(sizes_ok, 6, "2.5 to 60 ms frames encode");
    is_int(peerc__opusenc_encode(e, big, 1000, buf, sizeof buf, &len), PEERC_E_INVALID_ARGUMENT,
           "1000 samples refused");
    is_int(peerc__opusenc_encode(e, big, FRAME, buf, 2, &len), PEERC_E_RANGE,
           "2-byte output refused");
    is_int(peerc__opusenc_encode(e, NULL, FRAME, buf, sizeof buf, &len), PEERC_E_INVALID_ARGUMENT,
           "NULL pcm");
    peerc__testsrc_tone_free(t);
    peerc__opusenc_free(e);
}

static void test_bad_input(void)
{
    peerc_opusenc_config cfg;
    peerc_opusenc *e = NULL;
    peerc_opusdec *d = NULL;
    char err[256] = "";
    int16_t pcm[2 * PEERC_OPUS_MAX_FRAME];
    size_t n;

    peerc__opusenc_config_init(&cfg);
    cfg.channels = 3;
    is_int(peerc__opusenc_new(&cfg, &e, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "3 channels: %s", err);
    cfg.channels = 1;
    cfg.packet_loss_perc = 101;
    is_int(peerc__opusenc_new(&cfg, &e, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "101%% loss: %s", err);
    is_int(peerc__opusdec_new(0, &d, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "decoder with 0 channels");
    is_int(peerc__opusdec_new(2, NULL, NULL, 0), PEERC_E_INVALID_ARGUMENT, "decoder NULL out");
    is_int(peerc__opusdec_new(2, &d, NULL, 0), PEERC_OK, "stereo decoder");
    if (!d)
        return;
    uint8_t junk[400];
    is_int(peerc__opusdec_decode(d, junk, 0, pcm, FRAME, &n), PEERC_E_INVALID_ARGUMENT,
           "empty packet");
    junk[0] = 0xfb; /* CELT 20 ms stereo, code 3 */
    junk[1] = 0x3f; /* 63 frames: 1.26 s, more than Opus allows */
    is_int(peerc__opusdec_decode(d, junk, 10, pcm, PEERC_OPUS_MAX_FRAME, &n), PEERC_E_SYNTAX,
           "too many frames refused");
    junk[0] = 0xfc; /* CELT 20 ms stereo, one frame */
    is_int(peerc__opusdec_decode(d, junk, 100, pcm, 100, &n), PEERC_E_RANGE,
           "output too small refused");
    srand(3);
    int handled = 0;
    for (int i = 0; i < 500; i++) {
        size_t len = 1 + (size_t)(rand() % (int)sizeof junk);
        for (size_t k = 0; k < len; k++)
            junk[k] = (uint8_t)rand();
        int rc = peerc__opusdec_decode(d, junk, len, pcm, PEERC_OPUS_MAX_FRAME, &n);
        handled += rc == PEERC_OK || rc == PEERC_E_SYNTAX;
        rc = peerc__opusdec_decode_fec(d, junk, len, pcm, PEERC_OPUS_MAX_FRAME, &n);
        handled += rc == PEERC_OK || rc == PEERC_E_SYNTAX;
        (void)peerc__opusdec_has_fec(junk, len);
    }
    is_int(handled, 1000, "1000 random packets decoded or refused, no crash");
    is_int(peerc__opusdec_has_fec(NULL, 5), 0, "has_fec(NULL)");
    is_int(peerc__opusdec_decode_fec(d, NULL, 5, pcm, FRAME, &n), PEERC_E_INVALID_ARGUMENT,
           "decode_fec NULL next");
    peerc__opusdec_free(d);
    peerc__opusdec_free(NULL);
    peerc__opusenc_free(NULL);
}

int main(void)
{
    test_tone_round_trip(1);
    test_tone_round_trip(2);
    test_fec();
    test_runtime_settings();
    test_bad_input();
    return done_testing();
}

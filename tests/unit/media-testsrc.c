/*
 * lib/media test sources without any codec: the frame-number code reads
 * back exactly at several sizes and strides, blank or damaged codes are
 * refused, the picture moves, and the tone estimator finds the tone.
 */
#include "media/testsrc.h"

#include <peerc/common.h>

#include "../tap.h"

#include <math.h>
#include <stdint.h>

/* Copy a picture into planes with padded strides (as decoders hand out). */
static void copy_padded(const peerc_media_i420 *src, uint8_t *mem, int32_t pad,
                        peerc_media_i420 *dst)
{
    uint32_t cw = peerc__media_chroma_dim(src->width), ch = peerc__media_chroma_dim(src->height);
    int32_t sy = (int32_t)src->width + pad, sc = (int32_t)cw + pad;
    uint8_t *y = mem, *u = y + (size_t)sy * src->height, *v = u + (size_t)sc * ch;
    for (uint32_t r = 0; r < src->height; r++)
        memcpy(y + (size_t)r * sy, src->y + (size_t)r * src->stride_y, src->width);
    for (uint32_t r = 0; r < ch; r++) {
        memcpy(u + (size_t)r * sc, src->u + (size_t)r * src->stride_u, cw);
        memcpy(v + (size_t)r * sc, src->v + (size_t)r * src->stride_v, cw);
    }
    *dst = *src;
    dst->y = y, dst->u = u, dst->v = v;
    dst->stride_y = sy, dst->stride_u = sc, dst->stride_v = sc;
}

static void test_video_source(void)
{
    peerc_testsrc_video *s = NULL;
    peerc_media_i420 f;
    uint32_t n = 999;

    is_int(peerc__testsrc_video_new(127, 480, 30, &s), PEERC_E_RANGE, "width below the minimum");
    is_int(peerc__testsrc_video_new(640, 63, 30, &s), PEERC_E_RANGE, "height below the minimum");
    is_int(peerc__testsrc_video_new(640, 480, 0, &s), PEERC_E_RANGE, "fps 0");
    is_int(peerc__testsrc_video_new(20000, 480, 30, &s), PEERC_E_RANGE, "width above VP8's limit");
    is_int(peerc__testsrc_video_new(640, 480, 30, NULL), PEERC_E_INVALID_ARGUMENT, "NULL out");
    is_int(peerc__testsrc_video_new(640, 480, 30, &s), PEERC_OK, "640x480@30 source");
    if (!s)
        return;

    int good = 0, ts_good = 0;
    uint8_t *first = malloc(640 * 480);
    for (uint32_t i = 0; i < 100; i++) {
        if (peerc__testsrc_video_next(s, &f) != PEERC_OK)
            break;
        if (i == 0)
            memcpy(first, f.y, 640 * 480);
        if (i == 1) {
            /* Something below the code band changed: the picture moves. */
            size_t diff = 0;
            for (size_t p = 640 * 60; p < 640 * 480; p++)
                diff += first[p] != f.y[p];
            ok(diff > 1000, "frame 1 differs from frame 0 (%zu pixels)", diff);
        }
        good += peerc__testsrc_read_frame_number(&f, &n) == PEERC_OK && n == i;
        ts_good += f.timestamp_us == (int64_t)i * 1000000 / 30;
    }
    free(first);
    is_int(good, 100, "frame numbers 0..99 read back from the raw pictures");
    is_int(ts_good, 100, "timestamps n * 1e6 / fps");
    is_int(f.width, 640, "width");
    is_int(f.height, 480, "height");
    is_int(peerc__media_i420_check(&f), PEERC_OK, "picture is a valid I420 view");
    peerc__testsrc_video_free(s);
    peerc__testsrc_video_free(NULL);
}

static void test_sizes_and_numbers(void)
{
    static const uint32_t sizes[][2] = {{128, 64},  {160, 120},  {321, 241},
                                        {641, 481}, {1280, 720}, {1920, 1080}};
    static const uint32_t numbers[] = {0, 1, 2, 0x5a5a5a, 0xffffff, 1000000};
    peerc_media_i420_buf b = {0};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int good = 0;
        for (size_t k = 0; k < sizeof numbers / sizeof numbers[0]; k++) {
            uint32_t n = 0;
            if (peerc__testsrc_video_draw(&b, sizes[i][0], sizes[i][1], numbers[k]) == PEERC_OK &&
                peerc__testsrc_read_frame_number(&b.view, &n) == PEERC_OK && n == numbers[k])
                good++;
        }
        is_int(good, 6, "%ux%u: all test numbers read back", sizes[i][0], sizes[i][1]);
    }
    uint32_t n = 0;
    peerc__testsrc_video_draw(&b, 640, 480, (1u << 24) + 77);
    is_int(peerc__testsrc_read_frame_number(&b.view, &n), PEERC_OK, "number above 2^24");
    is_int(n, 77, "carried modulo 2^24");

    /* Padded strides, like a decoder's output. */
    peerc__testsrc_video_draw(&b, 641, 481, 4242);
    uint8_t *mem = malloc((641 + 64) * 481 + 2 * (321 + 64) * 241);
    peerc_media_i420 padded;
    copy_padded(&b.view, mem, 64, &padded);
    n = 0;
    is_int(peerc__testsrc_read_frame_number(&padded, &n), PEERC_OK, "padded strides readable");
    is_int(n, 4242, "padded strides: right number");
    free(mem);

    /* Damaged and blank codes. */
    peerc__testsrc_video_draw(&b, 640, 480, 123456);
    uint32_t cell = 640 / 32, band = 480 / 16;
    for (uint32_t y = 0; y < band; y++) /* flip cell 5 */
        for (uint32_t x = 5 * cell; x < 6 * cell; x++)
            b.y[y * 640 + x] = (uint8_t)(251 - b.y[y * 640 + x]);
    is_int(peerc__testsrc_read_frame_number(&b.view, &n), PEERC_E_NOT_FOUND,
           "one flipped cell: CRC refuses");
    memset(b.y, 16, 640 * 480);
    is_int(peerc__testsrc_read_frame_number(&b.view, &n), PEERC_E_NOT_FOUND,
           "all-black picture: no number");
    memset(b.y, 235, 640 * 480);
    is_int(peerc__testsrc_read_frame_number(&b.view, &n), PEERC_E_NOT_FOUND,
           "all-white picture: no number");
    memset(b.y, 128, 640 * 480);
    is_int(peerc__testsrc_read_frame_number(&b.view, &n), PEERC_E_NOT_FOUND,
           "grey picture: no number");

    /* Argument checks. */
    is_int(peerc__testsrc_read_frame_number(NULL, &n), PEERC_E_INVALID_ARGUMENT, "NULL picture");
    is_int(peerc__testsrc_read_frame_number(&b.view, NULL), PEERC_E_INVALID_ARGUMENT,
           "NULL number");
    peerc_media_i420 small = b.view;
    small.width = 100;
    is_int(peerc__testsrc_read_frame_number(&small, &n), PEERC_E_RANGE,
           "picture too small for a code");
    small = b.view;
    small.stride_y = 10;
    is_int(peerc__testsrc_read_frame_number(&small, &n), PEERC_E_INVALID_ARGUMENT,
           "stride shorter than a row");
    is_int(peerc__testsrc_video_draw(&b, 100, 100, 1), PEERC_E_RANGE, "draw refuses tiny sizes");
    is_int(peerc__testsrc_video_draw(NULL, 640, 480, 1), PEERC_E_INVALID_ARGUMENT,
           "draw NULL buffer");
    peerc__media_i420_buf_free(&b);
}

static void test_tone(void)
{
    peerc_testsrc_tone *t = NULL;
    int16_t pcm[2 * 48000];
    double hz = 0, rms = 0;

    is_int(peerc__testsrc_tone_new(440, 3, 0.5, &t), PEERC_E_INVALID_ARGUMENT,
           "3 channels refused");
    is_int(peerc__testsrc_tone_new(0, 1, 0.5, &t), PEERC_E_RANGE, "0 Hz refused");
    is_int(peerc__testsrc_tone_new(440, 1, 1.5, &t), PEERC_E_RANGE,
           "level above full scale refused");
    is_int(peerc__testsrc_tone_new(440, 1, 0.5, &t), PEERC_OK, "440 Hz mono tone");
    peerc__testsrc_tone_read(t, pcm, 48000);
    is_int(peerc__testsrc_tone_estimate(pcm, 48000, 1, &hz, &rms), PEERC_OK, "estimate 440 Hz");
    ok(fabs(hz - 440) < 0.05, "440 Hz estimated as %.4f Hz", hz);
    ok(fabs(rms - 0.5 / sqrt(2)) < 0.01, "RMS %.4f of a 0.5 sine", rms);

    /* Phase continuity: 7-sample chunks equal one long read. */
    peerc_testsrc_tone *u = NULL;
    int16_t chunked[48000];
    peerc__testsrc_tone_new(440, 1, 0.5, &u);
    for (size_t i = 0; i < 48000; i += 7)
        peerc__testsrc_tone_read(u, chunked + i, i + 7 <= 48000 ? 7 : 48000 - i);
    ok(memcmp(chunked, pcm, sizeof chunked) == 0, "chunked reads are phase-continuous");
    peerc__testsrc_tone_free(u);
    peerc__testsrc_tone_free(t);

    /* Stereo, other frequencies, short windows, noise. */
    static const double freqs[] = {100, 440, 1000, 3000, 7000};
    for (size_t i = 0; i < sizeof freqs / sizeof freqs[0]; i++) {
        peerc__testsrc_tone_new(freqs[i], 2, 0.3, &t);
        peerc__testsrc_tone_read(t, pcm, 4800); /* 100 ms */
        hz = 0;
        peerc__testsrc_tone_estimate(pcm, 4800, 2, &hz, NULL);
        ok(fabs(hz - freqs[i]) < freqs[i] * 0.002 + 0.5, "stereo %.0f Hz over 100 ms: %.2f Hz",
           freqs[i], hz);
        peerc__testsrc_tone_free(t);
    }
    peerc__testsrc_tone_new(440, 1, 0.3, &t);
    peerc__testsrc_tone_read(t, pcm, 9600);
    srand(1);
    for (size_t i = 0; i < 9600; i++) /* noise at ~-25 dB below the tone, plus DC */
        pcm[i] = (int16_t)(pcm[i] + (rand() % 1201) - 600 + 2000);
    hz = 0;
    is_int(peerc__testsrc_tone_estimate(pcm, 9600, 1, &hz, NULL), PEERC_OK, "noisy tone with DC");
    ok(fabs(hz - 440) < 1, "noisy 440 Hz estimated as %.3f Hz", hz);
    peerc__testsrc_tone_free(t);

    memset(pcm, 0, sizeof pcm);
    is_int(peerc__testsrc_tone_estimate(pcm, 4800, 1, &hz, &rms), PEERC_E_NOT_FOUND,
           "silence: no frequency");
    ok(rms == 0, "silence RMS 0");
    is_int(peerc__testsrc_tone_estimate(NULL, 10, 1, &hz, NULL), PEERC_E_INVALID_ARGUMENT,
           "NULL pcm");
    is_int(peerc__testsrc_tone_estimate(pcm, 1, 1, &hz, NULL), PEERC_E_NOT_FOUND, "one sample");
    peerc__testsrc_tone_free(NULL);
}

int main(void)
{
    test_video_source();
    test_sizes_and_numbers();
    test_tone();
    return done_testing();
}

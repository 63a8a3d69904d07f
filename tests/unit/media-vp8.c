/*
 * lib/media VP8: the test pattern goes through the encoder and decoder and
 * its frame numbers must come back exactly and in order; keyframes on
 * request, a run-time bitrate change, resolution changes, loss handling
 * and hostile input.  Speeds are reported (diag) but never asserted.
 */
#include "media/testsrc.h"
#include "media/vp8dec.h"
#include "media/vp8enc.h"

#include <peerc/common.h>

#include "../tap.h"

#include <stdint.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One encoded frame kept for later (the encoder's buffer is reused). */
typedef struct kept {
    uint8_t *data;
    size_t size;
    int key;
} kept;

static kept keep(const peerc_media_encoded *e)
{
    kept k = {malloc(e->size ? e->size : 1), e->size, e->keyframe};
    memcpy(k.data, e->data, e->size);
    return k;
}

static void test_round_trip(void)
{
    peerc_vp8enc *enc = NULL;
    peerc_vp8dec *dec = NULL;
    peerc_testsrc_video *src = NULL;
    peerc_vp8enc_config cfg;
    char err[256] = "";
    enum { N = 60 };

    peerc__vp8enc_config_init(&cfg);
    cfg.bitrate_kbps = 1000;
    is_int(peerc__vp8enc_new(&cfg, &enc, err, sizeof err), PEERC_OK, "encoder (%s)", err);
    is_int(peerc__vp8dec_new(&dec, err, sizeof err), PEERC_OK, "decoder (%s)", err);
    peerc__testsrc_video_new(640, 480, 30, &src);
    if (!enc || !dec || !src)
        return;

    uint32_t got[N];
    int n_got = 0, keys = 0, enc_fail = 0, dec_fail = 0, ts_ok = 0;
    int key_at[N] = {0};
    size_t bytes = 0;
    double t_enc = 0, t_dec = 0;
    for (int i = 0; i < N; i++) {
        peerc_media_i420 f, out;
        peerc_media_encoded e;
        peerc__testsrc_video_next(src, &f);
        if (i == 30)
            peerc__vp8enc_request_keyframe(enc);
        double t0 = now_s();
        if (peerc__vp8enc_encode(enc, &f, &e) != PEERC_OK || e.size == 0) {
            enc_fail++;
            continue;
        }
        double t1 = now_s();
        key_at[i] = e.keyframe;
        keys += e.keyframe;
        bytes += e.size;
        ts_ok += e.timestamp_us == f.timestamp_us && e.width == 640 && e.height == 480;
        int rc = peerc__vp8dec_decode(dec, e.data, e.size, e.timestamp_us, &out);
        t_enc += t1 - t0;
        t_dec += now_s() - t1;
        if (rc != PEERC_OK) {
            dec_fail++;
            continue;
        }
        uint32_t num;
        if (out.width == 640 && out.height == 480 &&
            peerc__testsrc_read_frame_number(&out, &num) == PEERC_OK)
            got[n_got++] = num;
    }
    is_int(enc_fail, 0, "60 frames encoded, none dropped");
    is_int(dec_fail, 0, "60 frames decoded");
    is_int(ts_ok, N, "encoded frames keep timestamp and size");
    int in_order = n_got == N;
    for (int i = 0; i < n_got && in_order; i++)
        in_order = got[i] == (uint32_t)i;
    ok(in_order, "frame numbers 0..59 recovered exactly and in order (%d read)", n_got);
    ok(key_at[0], "first frame is a keyframe");
    ok(key_at[30], "keyframe on request at frame 30");
    is_int(keys, 2, "no other keyframes (kf_max_dist 3000)");
    peerc_vp8enc_stats es;
    peerc__vp8enc_get_stats(enc, &es);
    is_int(es.keyframes_requested, 1, "one keyframe request honoured");
    is_int(es.frames_encoded, N, "stats: frames encoded");
    is_int(es.reinits, 1, "one libvpx setup");
    peerc_vp8dec_stats ds;
    peerc__vp8dec_get_stats(dec, &ds);
    is_int(ds.frames_decoded, N, "stats: frames decoded");
    is_int(ds.keyframes, 2, "stats: keyframes decoded");
    diag("640x480 VP8 @1000 kbps: %d frames, %.0f kbps at 30 fps; encode %.2f ms/frame (%.0f fps), "
         "decode %.2f ms/frame (%.0f fps)",
         N, bytes * 8.0 * 30 / N / 1000, t_enc * 1000 / N, N / t_enc, t_dec * 1000 / N, N / t_dec);

    peerc__testsrc_video_free(src);
    peerc__vp8enc_free(enc);
    peerc__vp8dec_free(dec);
}

/* The plain pattern is so cheap that CBR undershoots any target; light
 * luma noise makes the encoder spend what it is given. */
static void add_noise(peerc_media_i420_buf *b, uint32_t *state)
{
    uint32_t band = b->view.height / 16 + 2; /* keep the code band clean */
    for (size_t p = (size_t)band * b->view.width; p < (size_t)b->view.width * b->view.height; p++) {
        *state ^= *state << 13, *state ^= *state >> 17, *state ^= *state << 5;
        int v = b->y[p] + (int)(*state % 9) - 4;
        b->y[p] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}

/* Encode and decode `frames` noisy pattern frames at the current target;
 * returns the kbps of the last `measure` of them. */
static double run_phase(peerc_vp8enc *enc, peerc_vp8dec *dec, peerc_media_i420_buf *b,
                        uint32_t *noise, uint32_t *number, int frames, int measure, int *errors,
                        int *read_ok, double *enc_s)
{
    size_t bytes = 0;
    for (int i = 0; i < frames; i++, (*number)++) {
        peerc_media_encoded e;
        peerc_media_i420 out;
        uint32_t got;
        peerc__testsrc_video_draw(b, 640, 480, *number);
        b->view.timestamp_us = (int64_t)*number * 1000000 / 30;
        add_noise(b, noise);
        double t0 = now_s();
        int rc = peerc__vp8enc_encode(enc, &b->view, &e);
        *enc_s += now_s() - t0;
        if (rc != PEERC_OK || !e.size) {
            (*errors)++;
            continue;
        }
        if (i >= frames - measure)
            bytes += e.size;
        if (peerc__vp8dec_decode(dec, e.data, e.size, e.timestamp_us, &out) == PEERC_OK &&
            peerc__testsrc_read_frame_number(&out, &got) == PEERC_OK && got == *number)
            (*read_ok)++;
    }
    return bytes * 8.0 * 30 / measure / 1000;
}

static void test_bitrate_change(void)
{
    peerc_vp8enc *enc = NULL;
    peerc_vp8dec *dec = NULL;
    peerc_vp8enc_config cfg;
    peerc_vp8enc_stats st;
    peerc_media_i420_buf b = {0};
    int errors = 0, read_ok = 0;
    uint32_t number = 0, noise = 12345;
    double t_hi = 0, t_lo = 0;

    peerc__vp8enc_config_init(&cfg);
    cfg.bitrate_kbps = 2000;
    peerc__vp8enc_new(&cfg, &enc, NULL, 0);
    peerc__vp8dec_new(&dec, NULL, 0);
    if (!enc || !dec)
        return;
    /* 3 s per phase, measured over the last 2 s once CBR settled. */
    double high = run_phase(enc, dec, &b, &noise, &number, 90, 60, &errors, &read_ok, &t_hi);
    peerc__vp8enc_set_bitrate(enc, 300);
    double low = run_phase(enc, dec, &b, &noise, &number, 90, 60, &errors, &read_ok, &t_lo);
    peerc__vp8enc_get_stats(enc, &st);
    is_int(errors, 0, "180 noisy frames encoded across the bitrate change");
    is_int(read_ok, 180, "frame numbers survive both bitrates");
    is_int(st.bitrate_kbps, 300, "new target in effect");
    diag("noisy 640x480: target 2000 kbps -> %.0f kbps produced (encode %.2f ms/frame); "
         "target 300 kbps -> %.0f kbps (%.2f ms/frame)",
         high, t_hi * 1000 / 90, low, t_lo * 1000 / 90);
    ok(low > 0 && low < high / 2, "the lower target takes effect (%.0f vs %.0f kbps)", low, high);

    peerc__vp8enc_set_bitrate(enc, 1);
    peerc_media_encoded e;
    peerc__testsrc_video_draw(&b, 640, 480, number);
    b.view.timestamp_us = (int64_t)number * 1000000 / 30;
    is_int(peerc__vp8enc_encode(enc, &b.view, &e), PEERC_OK, "encode after a too-low target");
    peerc__vp8enc_get_stats(enc, &st);
    is_int(st.bitrate_kbps, PEERC_VP8ENC_MIN_KBPS, "target clamped to the minimum");
    peerc__media_i420_buf_free(&b);
    peerc__vp8enc_free(enc);
    peerc__vp8dec_free(dec);
}

static void test_resolution_change(void)
{
    static const uint32_t sizes[][2] = {
        {640, 480}, {320, 240}, {321, 241}, {1280, 720}, {640, 480}};
    peerc_vp8enc *enc = NULL;
    peerc_vp8dec *dec = NULL;
    peerc_media_i420_buf b = {0};
    peerc__vp8enc_new(NULL, &enc, NULL, 0);
    peerc__vp8dec_new(&dec, NULL, 0);
    if (!enc || !dec)
        return;
    uint32_t number = 0;
    int good = 0, total = 0, first_key = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (int i = 0; i < 8; i++, number++, total++) {
            peerc_media_encoded e;
            peerc_media_i420 out;
            uint32_t got;
            peerc__testsrc_video_draw(&b, sizes[s][0], sizes[s][1], number);
            b.view.timestamp_us = (int64_t)number * 33333;
            if (peerc__vp8enc_encode(enc, &b.view, &e) != PEERC_OK || !e.size)
                continue;
            if (i == 0 && e.keyframe)
                first_key++;
            uint32_t kw = 0, kh = 0;
            if (i == 0)
                peerc__vp8dec_keyframe_size(e.data, e.size, &kw, &kh);
            if (i == 0 && (kw != sizes[s][0] || kh != sizes[s][1]))
                diag("keyframe header says %ux%u", kw, kh);
            if (peerc__vp8dec_decode(dec, e.data, e.size, e.timestamp_us, &out) == PEERC_OK &&
                out.width == sizes[s][0] && out.height == sizes[s][1] &&
                peerc__testsrc_read_frame_number(&out, &got) == PEERC_OK && got == number)
                good++;
        }
    }
    is_int(good, total, "%d frames across 5 sizes (odd one included) decoded with the right number",
           total);
    is_int(first_key, 5, "each size starts with a keyframe");
    peerc_vp8enc_stats es;
    peerc_vp8dec_stats ds;
    peerc__vp8enc_get_stats(enc, &es);
    peerc__vp8dec_get_stats(dec, &ds);
    is_int(es.reinits, 5, "encoder set up once per size");
    is_int(ds.reinits, 5, "decoder re-created for each new size");
    ok(es.width == 640 && es.height == 480, "encoder now at 640x480");
    peerc__media_i420_buf_free(&b);
    peerc__vp8enc_free(enc);
    peerc__vp8dec_free(dec);
}

/* Loss and garbage: what the receive path will see. */
static void test_loss_and_garbage(void)
{
    peerc_vp8enc *enc = NULL;
    peerc_vp8dec *dec = NULL;
    peerc_testsrc_video *src = NULL;
    kept frames[12];
    peerc__vp8enc_new(NULL, &enc, NULL, 0);
    peerc__vp8dec_new(&dec, NULL, 0);
    peerc__testsrc_video_new(320, 240, 30, &src);
    if (!enc || !dec || !src)
        return;
    for (int i = 0; i < 12; i++) {
        peerc_media_i420 f;
        peerc_media_encoded e;
        peerc__testsrc_video_next(src, &f);
        if (i == 8)
            peerc__vp8enc_request_keyframe(enc);
        peerc__vp8enc_encode(enc, &f, &e);
        frames[i] = keep(&e);
    }
    ok(peerc__vp8dec_is_keyframe(frames[0].data, frames[0].size), "frame 0 peeks as keyframe");
    ok(!peerc__vp8dec_is_keyframe(frames[1].data, frames[1].size), "frame 1 peeks as delta");
    ok(peerc__vp8dec_is_keyframe(frames[8].data, frames[8].size),
       "frame 8 (requested) peeks as keyframe");
    uint32_t w = 0, h = 0;
    is_int(peerc__vp8dec_keyframe_size(frames[0].data, frames[0].size, &w, &h), PEERC_OK,
           "keyframe size peek");
    ok(w == 320 && h == 240, "keyframe says 320x240");
    is_int(peerc__vp8dec_keyframe_size(frames[1].data, frames[1].size, &w, &h),
           PEERC_E_INVALID_ARGUMENT, "delta frame has no size");
    ok(!peerc__vp8dec_is_keyframe(frames[0].data, 5), "too short to be a keyframe");

    peerc_media_i420 out;
    uint32_t num = 0;
    ok(peerc__vp8dec_waiting_for_keyframe(dec), "new decoder waits for a keyframe");
    is_int(peerc__vp8dec_decode(dec, frames[1].data, frames[1].size, 0, &out),
           PEERC_E_INVALID_STATE, "delta before any keyframe refused");
    is_int(peerc__vp8dec_decode(dec, frames[0].data, frames[0].size, 0, &out), PEERC_OK,
           "keyframe decodes");
    is_int(peerc__vp8dec_decode(dec, frames[1].data, frames[1].size, 0, &out), PEERC_OK,
           "delta 1 decodes");
    /* Frame 2 lost: the jitter buffer gives up on it. */
    peerc__vp8dec_wait_for_keyframe(dec);
    is_int(peerc__vp8dec_decode(dec, frames[3].data, frames[3].size, 0, &out),
           PEERC_E_INVALID_STATE, "delta after a loss refused");
    is_int(peerc__vp8dec_decode(dec, frames[8].data, frames[8].size, 0, &out), PEERC_OK,
           "requested keyframe decodes");
    ok(peerc__testsrc_read_frame_number(&out, &num) == PEERC_OK && num == 8,
       "picture is frame 8 (%u)", num);
    is_int(peerc__vp8dec_decode(dec, frames[9].data, frames[9].size, 0, &out), PEERC_OK,
           "delta 9 decodes");
    ok(peerc__testsrc_read_frame_number(&out, &num) == PEERC_OK && num == 9,
       "picture is frame 9 (%u)", num);

    /* A truncated keyframe must not be shown, and leaves the decoder
     * waiting for a good one. */
    int rc = peerc__vp8dec_decode(dec, frames[0].data, frames[0].size / 3, 0, &out);
    ok(rc == PEERC_E_SYNTAX, "truncated keyframe rejected (%d: %s)", rc,
       peerc__vp8dec_last_error(dec));
    ok(peerc__vp8dec_waiting_for_keyframe(dec), "waiting for a keyframe after the error");
    is_int(peerc__vp8dec_decode(dec, frames[10].data, frames[10].size, 0, &out),
           PEERC_E_INVALID_STATE, "delta refused after the error");
    is_int(peerc__vp8dec_decode(dec, frames[8].data, frames[8].size, 0, &out), PEERC_OK,
           "recovers on a keyframe");

    /* Random data: never a crash; whatever comes out is an error or a
     * picture, never both. */
    srand(7);
    int shown = 0, refused = 0;
    uint8_t junk[4000];
    for (int i = 0; i < 300; i++) {
        size_t len = 1 + (size_t)(rand() % (int)sizeof junk);
        for (size_t k = 0; k < len; k++)
            junk[k] = (uint8_t)rand();
        if (i % 3 == 0 && len >= 10) { /* looks like a keyframe header */
            junk[0] &= 0xfe;
            junk[3] = 0x9d, junk[4] = 0x01, junk[5] = 0x2a;
            junk[6] = 64, junk[7] = 0, junk[8] = 48, junk[9] = 0;
        }
        rc = peerc__vp8dec_decode(dec, junk, len, 0, &out);
        if (rc == PEERC_OK)
            shown += out.width > 0 && out.y != NULL;
        else
            refused++;
    }
    ok(shown + refused == 300, "300 random frames handled (%d refused, %d shown)", refused, shown);

    /* Genuine frames with a few bytes flipped, fed to a decoder that has
     * just decoded a good keyframe (so deltas reach libvpx). */
    shown = refused = 0;
    for (int i = 0; i < 200; i++) {
        const kept *k = &frames[i % 2 ? 9 : 8];
        memcpy(junk, k->data, k->size < sizeof junk ? k->size : sizeof junk);
        size_t len = k->size < sizeof junk ? k->size : sizeof junk;
        for (int f = 0; f < 1 + i % 8; f++)
            junk[(size_t)rand() % len] ^= (uint8_t)(1u << (rand() % 8));
        if (peerc__vp8dec_decode(dec, frames[8].data, frames[8].size, 0, &out) != PEERC_OK)
            refused += 1000; /* the good keyframe must always decode */
        rc = peerc__vp8dec_decode(dec, junk, len, 0, &out);
        if (rc == PEERC_OK)
            shown++;
        else
            refused++;
    }
    ok(shown + refused == 200, "200 damaged frames handled (%d refused, %d shown)", refused, shown);
    is_int(peerc__vp8dec_decode(dec, NULL, 10, 0, &out), PEERC_E_INVALID_ARGUMENT, "NULL data");
    is_int(peerc__vp8dec_decode(dec, junk, 0, 0, &out), PEERC_E_INVALID_ARGUMENT, "empty frame");

    for (int i = 0; i < 12; i++)
        free(frames[i].data);
    peerc__testsrc_video_free(src);
    peerc__vp8enc_free(enc);
    peerc__vp8dec_free(dec);
}

static void test_bad_input(void)
{
    peerc_vp8enc *enc = NULL;
    peerc_vp8enc_config cfg;
    char err[256] = "";
    peerc_media_encoded e;
    peerc_media_i420_buf b = {0};

    peerc__vp8enc_config_init(&cfg);
    cfg.fps = 0;
    is_int(peerc__vp8enc_new(&cfg, &enc, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "fps 0 refused: %s", err);
    peerc__vp8enc_config_init(&cfg);
    cfg.min_q = 60, cfg.max_q = 10;
    is_int(peerc__vp8enc_new(&cfg, &enc, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "inverted quantizers: %s", err);
    is_int(peerc__vp8enc_new(NULL, NULL, NULL, 0), PEERC_E_INVALID_ARGUMENT, "NULL out");
    is_int(peerc__vp8enc_new(NULL, &enc, NULL, 0), PEERC_OK, "defaults");
    peerc__media_i420_buf_alloc(&b, 64, 64);
    memset(b.data, 100, b.size);
    peerc_media_i420 f = b.view;
    f.width = 0;
    is_int(peerc__vp8enc_encode(enc, &f, &e), PEERC_E_RANGE, "width 0");
    f = b.view;
    f.stride_u = 1;
    is_int(peerc__vp8enc_encode(enc, &f, &e), PEERC_E_INVALID_ARGUMENT, "chroma stride too short");
    f = b.view;
    f.v = NULL;
    is_int(peerc__vp8enc_encode(enc, &f, &e), PEERC_E_INVALID_ARGUMENT, "missing plane");
    is_int(peerc__vp8enc_encode(enc, NULL, &e), PEERC_E_INVALID_ARGUMENT, "NULL picture");
    /* Timestamps that stand still or go backwards still encode. */
    f = b.view;
    int good = 0;
    static const int64_t ts[] = {INT64_MAX - 5, 1000, 1000, 0, INT64_MIN, 33333};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        f.timestamp_us = ts[i];
        good +=
            peerc__vp8enc_encode(enc, &f, &e) == PEERC_OK && e.size > 0 && e.timestamp_us == ts[i];
    }
    is_int(good, 6, "odd timestamps encoded and echoed");
    peerc__vp8enc_request_keyframe(NULL);
    peerc__vp8enc_set_bitrate(NULL, 100);
    peerc__vp8enc_free(enc);
    peerc__vp8enc_free(NULL);
    peerc__vp8dec_free(NULL);
    peerc__media_i420_buf_free(&b);
}

/* A longer run at 720p for the speed figures (diag only). */
static void bench_720p(void)
{
    peerc_vp8enc *enc = NULL;
    peerc_vp8dec *dec = NULL;
    peerc_testsrc_video *src = NULL;
    peerc_vp8enc_config cfg;
    peerc__vp8enc_config_init(&cfg);
    cfg.bitrate_kbps = 2500;
    peerc__vp8enc_new(&cfg, &enc, NULL, 0);
    peerc__vp8dec_new(&dec, NULL, 0);
    peerc__testsrc_video_new(1280, 720, 30, &src);
    double t_enc = 0, t_dec = 0;
    int good = 0;
    for (int i = 0; i < 30; i++) {
        peerc_media_i420 f, out;
        peerc_media_encoded e;
        uint32_t num;
        peerc__testsrc_video_next(src, &f);
        double t0 = now_s();
        peerc__vp8enc_encode(enc, &f, &e);
        double t1 = now_s();
        int rc = peerc__vp8dec_decode(dec, e.data, e.size, 0, &out);
        t_enc += t1 - t0;
        t_dec += now_s() - t1;
        good += rc == PEERC_OK && peerc__testsrc_read_frame_number(&out, &num) == PEERC_OK &&
                num == (uint32_t)i;
    }
    is_int(good, 30, "1280x720: 30 frames round trip with the right numbers");
    diag(
        "1280x720 VP8 @2500 kbps: encode %.2f ms/frame (%.0f fps), decode %.2f ms/frame (%.0f fps)",
        t_enc * 1000 / 30, 30 / t_enc, t_dec * 1000 / 30, 30 / t_dec);
    peerc__testsrc_video_free(src);
    peerc__vp8enc_free(enc);
    peerc__vp8dec_free(dec);
}

int main(void)
{
    test_round_trip();
    test_bitrate_change();
    test_resolution_change();
    test_loss_and_garbage();
    test_bad_input();
    bench_720p();
    return done_testing();
}

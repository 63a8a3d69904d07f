/*
 * lib/media VP9: the test pattern goes through the encoder and decoder and
 * its frame numbers must come back exactly and in order; keyframes on
 * request, a run-time bitrate change, resolution changes, the
 * uncompressed-header peek (real and hand-made headers), loss handling and
 * hostile input.  Encode speed at 640x480 is reported next to VP8's (diag,
 * never asserted).
 */
#include "media/testsrc.h"
#include "media/vp8enc.h"
#include "media/vp9dec.h"
#include "media/vp9enc.h"

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
    peerc_vp9enc *enc = NULL;
    peerc_vp9dec *dec = NULL;
    peerc_testsrc_video *src = NULL;
    char err[256] = "";
    enum { N = 30, KEY_AT = 15 };

    is_int(peerc__vp9enc_new(NULL, &enc, err, sizeof err), PEERC_OK, "encoder (%s)", err);
    is_int(peerc__vp9dec_new(&dec, err, sizeof err), PEERC_OK, "decoder (%s)", err);
    peerc__testsrc_video_new(320, 240, 30, &src);
    if (!enc || !dec || !src)
        return;

    uint32_t got[N];
    int n_got = 0, keys = 0, enc_fail = 0, dec_fail = 0, ts_ok = 0;
    int key_at[N] = {0};
    size_t bytes = 0;
    for (int i = 0; i < N; i++) {
        peerc_media_i420 f, out;
        peerc_media_encoded e;
        peerc__testsrc_video_next(src, &f);
        if (i == KEY_AT)
            peerc__vp9enc_request_keyframe(enc);
        if (peerc__vp9enc_encode(enc, &f, &e) != PEERC_OK || e.size == 0) {
            enc_fail++;
            continue;
        }
        key_at[i] = e.keyframe;
        keys += e.keyframe;
        bytes += e.size;
        ts_ok += e.timestamp_us == f.timestamp_us && e.width == 320 && e.height == 240;
        if (peerc__vp9dec_decode(dec, e.data, e.size, e.timestamp_us, &out) != PEERC_OK) {
            dec_fail++;
            continue;
        }
        uint32_t num;
        if (out.width == 320 && out.height == 240 && out.timestamp_us == f.timestamp_us &&
            peerc__testsrc_read_frame_number(&out, &num) == PEERC_OK)
            got[n_got++] = num;
    }
    is_int(enc_fail, 0, "30 frames encoded, none dropped (%s)", peerc__vp9enc_last_error(enc));
    is_int(dec_fail, 0, "30 frames decoded (%s)", peerc__vp9dec_last_error(dec));
    is_int(ts_ok, N, "encoded frames keep timestamp and size");
    int in_order = n_got == N;
    for (int i = 0; i < n_got && in_order; i++)
        in_order = got[i] == (uint32_t)i;
    ok(in_order, "frame numbers 0..29 recovered exactly and in order (%d read)", n_got);
    ok(key_at[0], "first frame is a keyframe");
    ok(key_at[KEY_AT], "keyframe on request at frame %d", KEY_AT);
    is_int(keys, 2, "no other keyframes (kf_max_dist 3000)");
    peerc_vp9enc_stats es;
    peerc__vp9enc_get_stats(enc, &es);
    is_int(es.keyframes_requested, 1, "one keyframe request honoured");
    is_int(es.frames_encoded, N, "stats: frames encoded");
    is_int(es.frames_in, N, "stats: frames in");
    is_int(es.bytes, bytes, "stats: bytes");
    is_int(es.reinits, 1, "one libvpx setup");
    ok(es.width == 320 && es.height == 240 && es.bitrate_kbps == 1000,
       "stats: 320x240 at 1000 kbps");
    peerc_vp9dec_stats ds;
    peerc__vp9dec_get_stats(dec, &ds);
    is_int(ds.frames_decoded, N, "stats: frames decoded");
    is_int(ds.keyframes, 2, "stats: keyframes decoded");
    ok(ds.width == 320 && ds.height == 240, "stats: decoded size");
    diag("320x240 VP9 @1000 kbps: %.0f kbps at 30 fps", bytes * 8.0 * 30 / N / 1000);

    peerc__testsrc_video_free(src);
    peerc__vp9enc_free(enc);
    peerc__vp9dec_free(dec);
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

/* Encode and decode `frames` noisy 320x240 frames; returns the kbps of
 * the last `measure` of them. */
static double run_phase(peerc_vp9enc *enc, peerc_vp9dec *dec, peerc_media_i420_buf *b,
                        uint32_t *noise, uint32_t *number, int frames, int measure, int *errors,
                        int *read_ok)
{
    size_t bytes = 0;
    for (int i = 0; i < frames; i++, (*number)++) {
        peerc_media_encoded e;
        peerc_media_i420 out;
        uint32_t got;
        peerc__testsrc_video_draw(b, 320, 240, *number);
        b->view.timestamp_us = (int64_t)*number * 1000000 / 30;
        add_noise(b, noise);
        if (peerc__vp9enc_encode(enc, &b->view, &e) != PEERC_OK || !e.size) {
            (*errors)++;
            continue;
        }
        if (i >= frames - measure)
            bytes += e.size;
        if (peerc__vp9dec_decode(dec, e.data, e.size, e.timestamp_us, &out) == PEERC_OK &&
            peerc__testsrc_read_frame_number(&out, &got) == PEERC_OK && got == *number)
            (*read_ok)++;
    }
    return bytes * 8.0 * 30 / measure / 1000;
}

static void test_bitrate_change(void)
{
    peerc_vp9enc *enc = NULL;
    peerc_vp9dec *dec = NULL;
    peerc_vp9enc_config cfg;
    peerc_vp9enc_stats st;
    peerc_media_i420_buf b = {0};
    int errors = 0, read_ok = 0;
    uint32_t number = 0, noise = 12345;

    peerc__vp9enc_config_init(&cfg);
    cfg.bitrate_kbps = 1500;
    peerc__vp9enc_new(&cfg, &enc, NULL, 0);
    peerc__vp9dec_new(&dec, NULL, 0);
    if (!enc || !dec)
        return;
    /* 2 s per phase, measured over the last second once CBR settled. */
    double high = run_phase(enc, dec, &b, &noise, &number, 60, 30, &errors, &read_ok);
    peerc__vp9enc_set_bitrate(enc, 200);
    double low = run_phase(enc, dec, &b, &noise, &number, 60, 30, &errors, &read_ok);
    peerc__vp9enc_get_stats(enc, &st);
    is_int(errors, 0, "120 noisy frames encoded across the bitrate change");
    is_int(read_ok, 120, "frame numbers survive both bitrates");
    is_int(st.bitrate_kbps, 200, "new target in effect");
    is_int(st.reinits, 1, "a bitrate change does not re-create libvpx");
    diag("noisy 320x240 VP9: target 1500 kbps -> %.0f kbps produced; target 200 kbps -> %.0f kbps",
         high, low);
    ok(low > 0 && low < high / 2, "the lower target takes effect (%.0f vs %.0f kbps)", low, high);

    peerc__vp9enc_set_bitrate(enc, 1);
    peerc_media_encoded e;
    peerc__testsrc_video_draw(&b, 320, 240, number);
    b.view.timestamp_us = (int64_t)number * 1000000 / 30;
    is_int(peerc__vp9enc_encode(enc, &b.view, &e), PEERC_OK, "encode after a too-low target");
    peerc__vp9enc_get_stats(enc, &st);
    is_int(st.bitrate_kbps, PEERC_VP9ENC_MIN_KBPS, "target clamped to the minimum");
    peerc__media_i420_buf_free(&b);
    peerc__vp9enc_free(enc);
    peerc__vp9dec_free(dec);
}

static void test_resolution_change(void)
{
    static const uint32_t sizes[][2] = {{320, 240}, {640, 480}, {321, 241}, {176, 144}, {320, 240}};
    enum { SIZES = sizeof sizes / sizeof sizes[0], PER = 6 };
    peerc_vp9enc *enc = NULL;
    peerc_vp9dec *dec = NULL;
    peerc_media_i420_buf b = {0};
    peerc__vp9enc_new(NULL, &enc, NULL, 0);
    peerc__vp9dec_new(&dec, NULL, 0);
    if (!enc || !dec)
        return;
    uint32_t number = 0;
    int good = 0, total = 0, first_key = 0, peek_ok = 0;
    for (size_t s = 0; s < SIZES; s++) {
        for (int i = 0; i < PER; i++, number++, total++) {
            peerc_media_encoded e;
            peerc_media_i420 out;
            uint32_t got, kw = 0, kh = 0;
            peerc__testsrc_video_draw(&b, sizes[s][0], sizes[s][1], number);
            b.view.timestamp_us = (int64_t)number * 33333;
            if (peerc__vp9enc_encode(enc, &b.view, &e) != PEERC_OK || !e.size)
                continue;
            if (i == 0) {
                first_key += e.keyframe;
                peek_ok += peerc__vp9dec_keyframe_size(e.data, e.size, &kw, &kh) == PEERC_OK &&
                           kw == sizes[s][0] && kh == sizes[s][1];
            }
            if (peerc__vp9dec_decode(dec, e.data, e.size, e.timestamp_us, &out) == PEERC_OK &&
                out.width == sizes[s][0] && out.height == sizes[s][1] &&
                peerc__testsrc_read_frame_number(&out, &got) == PEERC_OK && got == number)
                good++;
        }
    }
    is_int(good, total,
           "%d frames across %d sizes (odd one included) decoded with the right number", total,
           (int)SIZES);
    is_int(first_key, SIZES, "each size starts with a keyframe");
    is_int(peek_ok, SIZES, "each first keyframe's header announces its size");
    peerc_vp9enc_stats es;
    peerc_vp9dec_stats ds;
    peerc__vp9enc_get_stats(enc, &es);
    peerc__vp9dec_get_stats(dec, &ds);
    is_int(es.reinits, SIZES, "encoder set up once per size");
    is_int(ds.reinits, SIZES, "decoder re-created for each new size");
    is_int(ds.keyframes, SIZES, "decoder saw one keyframe per size");
    ok(es.width == 320 && es.height == 240, "encoder now at 320x240");
    peerc__media_i420_buf_free(&b);
    peerc__vp9enc_free(enc);
    peerc__vp9dec_free(dec);
}

/* Hand-made uncompressed headers, MSB first (VP9 bitstream spec §6.2). */
typedef struct bw {
    uint8_t b[16];
    size_t bits;
} bw;

static void put(bw *w, uint32_t v, unsigned n)
{
    while (n--) {
        if ((v >> n) & 1)
            w->b[w->bits >> 3] |= (uint8_t)(0x80 >> (w->bits & 7));
        w->bits++;
    }
}

/* A keyframe header: marker, profile, (reserved), show_existing 0,
 * frame_type 0, show 1, error_res 1, sync code, color config, size. */
static size_t key_header(uint8_t *out, unsigned profile, unsigned cs, uint32_t sync, uint32_t w,
                         uint32_t h)
{
    bw x = {{0}, 0};
    put(&x, 2, 2);
    put(&x, profile & 1, 1);
    put(&x, profile >> 1, 1);
    if (profile == 3)
        put(&x, 0, 1);
    put(&x, 0, 1); /* show_existing_frame */
    put(&x, 0, 1); /* KEY_FRAME */
    put(&x, 1, 1);
    put(&x, 1, 1);
    put(&x, sync, 24);
    if (profile >= 2)
        put(&x, 1, 1); /* 12-bit */
    put(&x, cs, 3);
    if (cs != 7) {
        put(&x, 0, 1); /* color_range */
        if (profile == 1 || profile == 3)
            put(&x, 0, 3); /* 4:4:4, reserved 0 */
    } else if (profile == 1 || profile == 3) {
        put(&x, 0, 1);
    }
    put(&x, w - 1, 16);
    put(&x, h - 1, 16);
    memcpy(out, x.b, sizeof x.b);
    return (x.bits + 7) / 8;
}

static void test_header_peek(void)
{
    peerc_vp9enc *enc = NULL;
    peerc_testsrc_video *src = NULL;
    kept k[3];
    peerc__vp9enc_new(NULL, &enc, NULL, 0);
    peerc__testsrc_video_new(320, 240, 30, &src);
    if (!enc || !src)
        return;
    for (int i = 0; i < 3; i++) {
        peerc_media_i420 f;
        peerc_media_encoded e;
        peerc__testsrc_video_next(src, &f);
        peerc__vp9enc_encode(enc, &f, &e);
        k[i] = keep(&e);
    }
    peerc_vp9_frame_info fi;
    is_int(peerc__vp9dec_peek(k[0].data, k[0].size, &fi), PEERC_OK, "encoder keyframe peeks");
    ok(fi.keyframe && fi.profile == 0 && fi.show_frame && !fi.show_existing_frame,
       "  keyframe, profile 0, shown");
    ok(fi.bit_depth == 8 && fi.subsampling_x == 1 && fi.subsampling_y == 1, "  8-bit 4:2:0");
    ok(fi.width == 320 && fi.height == 240, "  320x240 (%ux%u)", fi.width, fi.height);
    ok(fi.error_resilient, "  error resilient mode as configured");
    ok(peerc__vp9dec_is_keyframe(k[0].data, k[0].size), "  is_keyframe");
    is_int(peerc__vp9dec_peek(k[1].data, k[1].size, &fi), PEERC_OK, "delta frame peeks");
    ok(!fi.keyframe && fi.width == 0 && fi.profile == 0, "  not a keyframe, no size");
    ok(!peerc__vp9dec_is_keyframe(k[1].data, k[1].size), "  is_keyframe says no");
    uint32_t w = 0, h = 0;
    is_int(peerc__vp9dec_keyframe_size(k[2].data, k[2].size, &w, &h), PEERC_E_INVALID_ARGUMENT,
           "delta frame has no size");
    int trunc_ok = 1;
    /* A profile 0 keyframe's size ends at bit 68, in byte 9. */
    for (size_t n = 0; n < 9; n++)
        trunc_ok &= !peerc__vp9dec_is_keyframe(k[0].data, n);
    ok(trunc_ok, "a keyframe cut before its size is no keyframe");

    uint8_t hdr[16];
    size_t n = key_header(hdr, 0, 1, 0x498342, 1920, 1080);
    is_int(peerc__vp9dec_peek(hdr, n, &fi), PEERC_OK, "hand-made profile 0 keyframe (%zu bytes)",
           n);
    ok(fi.width == 1920 && fi.height == 1080 && fi.bit_depth == 8, "  1920x1080, 8-bit");
    n = key_header(hdr, 0, 1, 0x498342, 65536, 1);
    is_int(peerc__vp9dec_keyframe_size(hdr, n, &w, &h), PEERC_OK, "largest size");
    ok(w == 65536 && h == 1, "  65536x1: 16 bits minus 1");
    n = key_header(hdr, 0, 1, 0x498343, 64, 64);
    is_int(peerc__vp9dec_peek(hdr, n, &fi), PEERC_E_SYNTAX, "wrong sync code");
    n = key_header(hdr, 0, 7, 0x498342, 64, 64);
    is_int(peerc__vp9dec_peek(hdr, n, &fi), PEERC_E_SYNTAX, "RGB in profile 0");
    n = key_header(hdr, 1, 7, 0x498342, 64, 48);
    is_int(peerc__vp9dec_peek(hdr, n, &fi), PEERC_OK, "RGB in profile 1");
    ok(fi.profile == 1 && fi.subsampling_x == 0 && fi.width == 64 && fi.height == 48,
       "  4:4:4, 64x48");
    n = key_header(hdr, 3, 2, 0x498342, 100, 50);
    is_int(peerc__vp9dec_peek(hdr, n, &fi), PEERC_OK, "profile 3 keyframe");
    ok(fi.profile == 3 && fi.bit_depth == 12 && fi.width == 100 && fi.height == 50,
       "  12-bit, 100x50");
    n = key_header(hdr, 2, 1, 0x498342, 64, 64);
    is_int(peerc__vp9dec_peek(hdr, n, &fi), PEERC_OK, "profile 2 keyframe");
    ok(fi.bit_depth == 12 && fi.subsampling_x == 1, "  12-bit 4:2:0");
    hdr[0] |= 0x40; /* frame marker 3 */
    is_int(peerc__vp9dec_peek(hdr, n, &fi), PEERC_E_SYNTAX, "bad frame marker");
    static const uint8_t existing[] = {0x80 | 0x08 |
                                       5}; /* marker, profile 0, show_existing idx 5 */
    is_int(peerc__vp9dec_peek(existing, 1, &fi), PEERC_OK, "show_existing_frame");
    ok(fi.show_existing_frame && !fi.keyframe, "  not a keyframe");
    static const uint8_t p3_reserved[] = {0xb0 | 0x08}; /* profile 3, reserved bit set */
    is_int(peerc__vp9dec_peek(p3_reserved, 1, &fi), PEERC_E_SYNTAX, "profile 3 reserved bit");
    is_int(peerc__vp9dec_peek(NULL, 0, &fi), PEERC_E_SYNTAX, "no data");

    /* A keyframe of profile 1 is refused before libvpx sees it. */
    peerc_vp9dec *dec = NULL;
    peerc_media_i420 out;
    peerc__vp9dec_new(&dec, NULL, 0);
    n = key_header(hdr, 1, 1, 0x498342, 64, 64);
    is_int(peerc__vp9dec_decode(dec, hdr, n, 0, &out), PEERC_E_NOT_SUPPORTED,
           "profile 1 keyframe: NOT_SUPPORTED");
    ok(peerc__vp9dec_waiting_for_keyframe(dec), "  still waiting");
    is_int(peerc__vp9dec_decode(dec, k[0].data, k[0].size, 0, &out), PEERC_OK,
           "  a profile 0 keyframe then decodes");
    peerc__vp9dec_free(dec);
    for (int i = 0; i < 3; i++)
        free(k[i].data);
    peerc__testsrc_video_free(src);
    peerc__vp9enc_free(enc);
}

/* Loss and garbage: what the receive path will see. */
static void test_loss_and_garbage(void)
{
    peerc_vp9enc *enc = NULL;
    peerc_vp9dec *dec = NULL;
    peerc_testsrc_video *src = NULL;
    kept frames[12];
    peerc__vp9enc_new(NULL, &enc, NULL, 0);
    peerc__vp9dec_new(&dec, NULL, 0);
    peerc__testsrc_video_new(320, 240, 30, &src);
    if (!enc || !dec || !src)
        return;
    for (int i = 0; i < 12; i++) {
        peerc_media_i420 f;
        peerc_media_encoded e;
        peerc__testsrc_video_next(src, &f);
        if (i == 8)
            peerc__vp9enc_request_keyframe(enc);
        peerc__vp9enc_encode(enc, &f, &e);
        frames[i] = keep(&e);
    }
    ok(frames[0].key && frames[8].key && !frames[1].key, "keyframes at 0 and 8");

    peerc_media_i420 out;
    uint32_t num = 0;
    int rc;
    ok(peerc__vp9dec_waiting_for_keyframe(dec), "new decoder waits for a keyframe");
    is_int(peerc__vp9dec_decode(dec, frames[1].data, frames[1].size, 0, &out),
           PEERC_E_INVALID_STATE, "delta before any keyframe refused");
    is_int(peerc__vp9dec_decode(dec, frames[0].data, frames[0].size, 0, &out), PEERC_OK,
           "keyframe decodes");
    ok(!peerc__vp9dec_waiting_for_keyframe(dec), "  no longer waiting");
    is_int(peerc__vp9dec_decode(dec, frames[1].data, frames[1].size, 0, &out), PEERC_OK,
           "delta 1 decodes");
    /* Frame 2 lost: the jitter buffer gives up on it. */
    peerc__vp9dec_wait_for_keyframe(dec);
    is_int(peerc__vp9dec_decode(dec, frames[3].data, frames[3].size, 0, &out),
           PEERC_E_INVALID_STATE, "delta after a loss refused");
    is_int(peerc__vp9dec_decode(dec, frames[8].data, frames[8].size, 0, &out), PEERC_OK,
           "requested keyframe decodes");
    rc = peerc__testsrc_read_frame_number(&out, &num);
    ok(rc == PEERC_OK && num == 8, "picture is frame 8 (%u)", num);
    is_int(peerc__vp9dec_decode(dec, frames[9].data, frames[9].size, 0, &out), PEERC_OK,
           "delta 9 decodes");
    rc = peerc__testsrc_read_frame_number(&out, &num);
    ok(rc == PEERC_OK && num == 9, "picture is frame 9 (%u)", num);

    /* A truncated keyframe must not be shown, and leaves the decoder
     * waiting for a good one. */
    rc = peerc__vp9dec_decode(dec, frames[0].data, frames[0].size / 3, 0, &out);
    ok(rc == PEERC_E_SYNTAX, "truncated keyframe rejected (%d: %s)", rc,
       peerc__vp9dec_last_error(dec));
    ok(peerc__vp9dec_waiting_for_keyframe(dec), "waiting for a keyframe after the error");
    is_int(peerc__vp9dec_decode(dec, frames[10].data, frames[10].size, 0, &out),
           PEERC_E_INVALID_STATE, "delta refused after the error");
    is_int(peerc__vp9dec_decode(dec, frames[8].data, frames[8].size, 0, &out), PEERC_OK,
           "recovers on a keyframe");

    /* Random data: never a crash; whatever comes out is an error or a
     * picture.  Every third one carries a valid keyframe header so that it
     * reaches libvpx. */
    uint32_t lcg = 7;
    int shown = 0, refused = 0, bad_view = 0;
    uint8_t junk[4000];
    for (int i = 0; i < 300; i++) {
        lcg = lcg * 1103515245u + 12345u;
        size_t len = 1 + (lcg >> 8) % sizeof junk;
        for (size_t k = 0; k < len; k++) {
            lcg = lcg * 1103515245u + 12345u;
            junk[k] = (uint8_t)(lcg >> 24);
        }
        if (i % 3 == 0 && len >= 10)
            key_header(junk, 0, 1, 0x498342, 64 + i % 7, 48 + i % 5);
        rc = peerc__vp9dec_decode(dec, junk, len, 0, &out);
        if (rc == PEERC_OK) {
            shown++;
            bad_view += out.width == 0 || out.y == NULL;
        } else {
            refused++;
        }
    }
    ok(shown + refused == 300 && !bad_view, "300 random frames handled (%d refused, %d shown)",
       refused, shown);

    /* Genuine frames with a few bits flipped, fed to a decoder that has
     * just decoded a good keyframe (so deltas reach libvpx). */
    shown = refused = 0;
    int key_fail = 0;
    for (int i = 0; i < 200; i++) {
        const kept *k = &frames[i % 2 ? 9 : 8];
        size_t len = k->size < sizeof junk ? k->size : sizeof junk;
        memcpy(junk, k->data, len);
        for (int f = 0; f < 1 + i % 8; f++) {
            lcg = lcg * 1103515245u + 12345u;
            junk[(lcg >> 8) % len] ^= (uint8_t)(1u << (lcg >> 29));
        }
        key_fail += peerc__vp9dec_decode(dec, frames[8].data, frames[8].size, 0, &out) != PEERC_OK;
        rc = peerc__vp9dec_decode(dec, junk, len, 0, &out);
        if (rc == PEERC_OK)
            shown++;
        else
            refused++;
    }
    is_int(key_fail, 0, "the good keyframe always decodes between damaged frames");
    ok(shown + refused == 200, "200 damaged frames handled (%d refused, %d shown)", refused, shown);
    is_int(peerc__vp9dec_decode(dec, NULL, 10, 0, &out), PEERC_E_INVALID_ARGUMENT, "NULL data");
    is_int(peerc__vp9dec_decode(dec, junk, 0, 0, &out), PEERC_E_INVALID_ARGUMENT, "empty frame");
    peerc_vp9dec_stats ds;
    peerc__vp9dec_get_stats(dec, &ds);
    ok(ds.errors > 0 && ds.skipped >= 3, "errors (%llu) and skipped deltas (%llu) counted",
       (unsigned long long)ds.errors, (unsigned long long)ds.skipped);

    for (int i = 0; i < 12; i++)
        free(frames[i].data);
    peerc__testsrc_video_free(src);
    peerc__vp9enc_free(enc);
    peerc__vp9dec_free(dec);
}

static void test_bad_input(void)
{
    peerc_vp9enc *enc = NULL;
    peerc_vp9enc_config cfg;
    char err[256] = "";
    peerc_media_encoded e;
    peerc_media_i420_buf b = {0};

    peerc__vp9enc_config_init(&cfg);
    ok(cfg.cpu_used == 7 && cfg.aq_mode == 3 && cfg.bitrate_kbps == 1000 && cfg.fps == 30,
       "defaults: speed 7, aq-mode 3, 1000 kbps, 30 fps");
    cfg.fps = 0;
    is_int(peerc__vp9enc_new(&cfg, &enc, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "fps 0 refused: %s", err);
    peerc__vp9enc_config_init(&cfg);
    cfg.min_q = 60, cfg.max_q = 10;
    is_int(peerc__vp9enc_new(&cfg, &enc, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "inverted quantizers: %s", err);
    peerc__vp9enc_config_init(&cfg);
    cfg.cpu_used = 10;
    is_int(peerc__vp9enc_new(&cfg, &enc, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "cpu_used 10: %s", err);
    peerc__vp9enc_config_init(&cfg);
    cfg.aq_mode = 4;
    is_int(peerc__vp9enc_new(&cfg, &enc, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "aq_mode 4: %s", err);
    is_int(peerc__vp9enc_new(NULL, NULL, NULL, 0), PEERC_E_INVALID_ARGUMENT, "NULL out");
    is_int(peerc__vp9enc_new(NULL, &enc, NULL, 0), PEERC_OK, "defaults");
    peerc__media_i420_buf_alloc(&b, 64, 64);
    memset(b.data, 100, b.size);
    peerc_media_i420 f = b.view;
    f.width = 0;
    is_int(peerc__vp9enc_encode(enc, &f, &e), PEERC_E_RANGE, "width 0");
    f = b.view;
    f.stride_u = 1;
    is_int(peerc__vp9enc_encode(enc, &f, &e), PEERC_E_INVALID_ARGUMENT, "chroma stride too short");
    f = b.view;
    f.v = NULL;
    is_int(peerc__vp9enc_encode(enc, &f, &e), PEERC_E_INVALID_ARGUMENT, "missing plane");
    is_int(peerc__vp9enc_encode(enc, NULL, &e), PEERC_E_INVALID_ARGUMENT, "NULL picture");
    /* Timestamps that stand still or go backwards still encode. */
    f = b.view;
    int good = 0;
    static const int64_t ts[] = {INT64_MAX - 5, 1000, 1000, 0, INT64_MIN, 33333};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        f.timestamp_us = ts[i];
        good +=
            peerc__vp9enc_encode(enc, &f, &e) == PEERC_OK && e.size > 0 && e.timestamp_us == ts[i];
    }
    is_int(good, 6, "odd timestamps encoded and echoed");
    peerc__vp9enc_request_keyframe(NULL);
    peerc__vp9enc_set_bitrate(NULL, 100);
    peerc_vp9enc_stats st;
    peerc__vp9enc_get_stats(NULL, &st);
    ok(st.frames_in == 0, "stats of NULL are zero");
    ok(*peerc__vp9enc_last_error(NULL) == 0, "last_error of NULL is empty");
    peerc__vp9enc_free(enc);
    peerc__vp9enc_free(NULL);
    peerc__vp9dec_free(NULL);
    is_int(peerc__vp9dec_new(NULL, NULL, 0), PEERC_E_INVALID_ARGUMENT, "decoder: NULL out");
    peerc__media_i420_buf_free(&b);
}

/* Encode time per 640x480 frame, VP9 next to VP8 on the same pictures
 * (diag only: timing depends on the machine and the sanitizers). */
static void bench_640x480(void)
{
    enum { N = 60 };
    peerc_vp8enc *e8 = NULL;
    peerc_vp9enc *e9 = NULL;
    peerc_vp9dec *dec = NULL;
    peerc_testsrc_video *src = NULL;
    peerc__vp8enc_new(NULL, &e8, NULL, 0);
    peerc__vp9enc_new(NULL, &e9, NULL, 0);
    peerc__vp9dec_new(&dec, NULL, 0);
    peerc__testsrc_video_new(640, 480, 30, &src);
    if (!e8 || !e9 || !dec || !src)
        return;
    double t8 = 0, t9 = 0, td = 0;
    size_t b8 = 0, b9 = 0;
    int good = 0;
    for (int i = 0; i < N; i++) {
        peerc_media_i420 f, out;
        peerc_media_encoded e;
        uint32_t num;
        peerc__testsrc_video_next(src, &f);
        double t0 = now_s();
        if (peerc__vp8enc_encode(e8, &f, &e) == PEERC_OK)
            b8 += e.size;
        double t1 = now_s();
        int rc = peerc__vp9enc_encode(e9, &f, &e);
        double t2 = now_s();
        b9 += rc == PEERC_OK ? e.size : 0;
        rc = rc == PEERC_OK ? peerc__vp9dec_decode(dec, e.data, e.size, 0, &out) : rc;
        td += now_s() - t2;
        t8 += t1 - t0;
        t9 += t2 - t1;
        good += rc == PEERC_OK && peerc__testsrc_read_frame_number(&out, &num) == PEERC_OK &&
                num == (uint32_t)i;
    }
    is_int(good, N, "640x480: %d VP9 frames round trip with the right numbers", N);
    diag("640x480 encode @1000 kbps: VP9 %.2f ms/frame (%.0f kbps), VP8 %.2f ms/frame (%.0f kbps); "
         "VP9 decode %.2f ms/frame",
         t9 * 1000 / N, b9 * 8.0 * 30 / N / 1000, t8 * 1000 / N, b8 * 8.0 * 30 / N / 1000,
         td * 1000 / N);
    peerc__testsrc_video_free(src);
    peerc__vp8enc_free(e8);
    peerc__vp9enc_free(e9);
    peerc__vp9dec_free(dec);
}

int main(void)
{
    test_round_trip();
    test_bitrate_change();
    test_resolution_change();
    test_header_peek();
    test_loss_and_garbage();
    test_bad_input();
    bench_640x480();
    return done_testing();
}

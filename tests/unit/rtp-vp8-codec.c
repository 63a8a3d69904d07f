/* Real VP8 through RFC 7741 payloading: libvpx encodes synthetic I420
 * frames (realtime, CBR), the packetizer cuts them at 1200 bytes, the
 * packets are shuffled within each frame, the depacketizer rebuilds the
 * frames and a second decoder must produce exactly the pictures a direct
 * decode gives.  Then a packet is lost: frames up to the next key frame are
 * dropped and reported, and decoding resumes bit-exact at the key frame. */
#include "rtp/vp8.h"

#include <peerc/common.h>

#include "../tap.h"

#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_encoder.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define W 640
#define H 480
#define FRAMES 30
#define KEY_AT 15 /* forced key frame, as on a PLI */
#define MAX_PAYLOAD 1200
#define SEQ0 65530 /* wraps during the first frame */
#define TS0 0xffff0000u

typedef struct enc_frame {
    uint8_t *data;
    size_t len;
    int key;
} enc_frame;

static enc_frame enc[FRAMES];
static uint8_t *ref_pic[FRAMES]; /* I420 of a direct decode */

/* A moving gradient with a bright square: enough detail for real packets. */
static void fill_i420(vpx_image_t *img, int n)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int sq = x >= 40 + n * 8 && x < 140 + n * 8 && y >= 100 && y < 200;
            img->planes[0][y * img->stride[0] + x] = sq ? 235 : (uint8_t)((x + y + n * 3) & 0xff);
        }
    for (int y = 0; y < H / 2; y++)
        for (int x = 0; x < W / 2; x++) {
            img->planes[1][y * img->stride[1] + x] = (uint8_t)(128 + ((x * 2 + n) & 63) - 32);
            img->planes[2][y * img->stride[2] + x] = (uint8_t)(128 + ((y * 2 - n) & 63) - 32);
        }
}

static int encode_all(void)
{
    vpx_codec_ctx_t c;
    vpx_codec_enc_cfg_t cfg;
    if (vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &cfg, 0))
        return -1;
    cfg.g_w = W;
    cfg.g_h = H;
    cfg.g_timebase.num = 1;
    cfg.g_timebase.den = 90000;
    cfg.rc_target_bitrate = 2500;
    cfg.rc_end_usage = VPX_CBR;
    cfg.g_lag_in_frames = 0;
    cfg.g_threads = 1;
    cfg.kf_mode = VPX_KF_AUTO;
    cfg.kf_max_dist = 100000;
    cfg.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
    if (vpx_codec_enc_init(&c, vpx_codec_vp8_cx(), &cfg, 0))
        return -1;
    vpx_codec_control(&c, VP8E_SET_CPUUSED, -6);
    vpx_image_t img;
    vpx_img_alloc(&img, VPX_IMG_FMT_I420, W, H, 16);
    int got = 0;
    for (int n = 0; n < FRAMES; n++) {
        fill_i420(&img, n);
        vpx_enc_frame_flags_t fl = n == KEY_AT ? VPX_EFLAG_FORCE_KF : 0;
        if (vpx_codec_encode(&c, &img, (vpx_codec_pts_t)n * 3000, 3000, fl, VPX_DL_REALTIME))
            break;
        const vpx_codec_cx_pkt_t *pkt;
        vpx_codec_iter_t it = NULL;
        while ((pkt = vpx_codec_get_cx_data(&c, &it)))
            if (pkt->kind == VPX_CODEC_CX_FRAME_PKT && got < FRAMES) {
                enc[got].len = pkt->data.frame.sz;
                enc[got].data = malloc(enc[got].len);
                memcpy(enc[got].data, pkt->data.frame.buf, enc[got].len);
                enc[got].key = (pkt->data.frame.flags & VPX_FRAME_IS_KEY) != 0;
                got++;
            }
    }
    vpx_img_free(&img);
    vpx_codec_destroy(&c);
    return got;
}

/* Decode one frame; copy the picture out as packed I420 (NULL if none). */
static uint8_t *decode(vpx_codec_ctx_t *d, const uint8_t *data, size_t len)
{
    if (vpx_codec_decode(d, data, (unsigned)len, NULL, 0))
        return NULL;
    vpx_codec_iter_t it = NULL;
    vpx_image_t *img = vpx_codec_get_frame(d, &it);
    if (!img || img->d_w != W || img->d_h != H)
        return NULL;
    uint8_t *out = malloc(W * H * 3 / 2), *o = out;
    for (int p = 0; p < 3; p++) {
        int w = p ? W / 2 : W, h = p ? H / 2 : H;
        for (int y = 0; y < h; y++, o += w)
            memcpy(o, img->planes[p] + y * img->stride[p], (size_t)w);
    }
    return out;
}

typedef struct rtp_buf {
    uint8_t b[1500];
    size_t n;
    int frame;
} rtp_buf;

static rtp_buf *pk;
static size_t npk;
static size_t first_of[FRAMES + 1];

static void packetize_all(void)
{
    pk = calloc(4096, sizeof *pk);
    uint16_t seq = SEQ0;
    for (int f = 0; f < FRAMES; f++) {
        peerc_rtp_vp8_desc d;
        peerc__rtp_vp8_desc_init(&d);
        d.picture_id = (0x7ff0 + f) & 0x7fff; /* PictureID wraps too */
        peerc_rtp_vp8_packetizer p;
        peerc__rtp_vp8_packetizer_init(&p, enc[f].data, enc[f].len, &d, MAX_PAYLOAD);
        first_of[f] = npk;
        uint8_t payload[1500];
        size_t len;
        int marker;
        while (peerc__rtp_vp8_packetizer_next(&p, payload, sizeof payload, &len, &marker) == 1) {
            peerc_rtp_packet r;
            memset(&r, 0, sizeof r);
            r.payload_type = 96;
            r.marker = (uint8_t)marker;
            r.seq = seq++;
            r.timestamp = TS0 + 3000u * (uint32_t)f;
            r.ssrc = 0xabcdef;
            r.payload = payload;
            r.payload_len = len;
            peerc__rtp_write(&r, pk[npk].b, sizeof pk[npk].b, &pk[npk].n);
            pk[npk].frame = f;
            npk++;
        }
    }
    first_of[FRAMES] = npk;
}

typedef struct drop_log {
    int reports;
    int frames;
    int first_reason;
} drop_log;

static void on_drop(void *user, const peerc_rtp_drop *d)
{
    drop_log *l = user;
    if (!l->reports)
        l->first_reason = d->reason;
    l->reports++;
    l->frames += (int)d->frames;
}

/* Push packets in order[] (skipping -1), decode what comes out, and count
 * frames whose bytes match the encoder output and whose pictures match the
 * reference decode. */
static void receive(const int *order, size_t n, int *bytes_ok, int *pics_ok, int *keys_ok,
                    int *out_frames, drop_log *log)
{
    peerc_rtp_asm_config cfg;
    peerc__rtp_asm_config_default(&cfg);
    cfg.on_drop = on_drop;
    cfg.user = log;
    peerc_rtp_vp8_depacketizer dp;
    peerc__rtp_vp8_depacketizer_init(&dp, &cfg);
    vpx_codec_ctx_t dec;
    vpx_codec_dec_init(&dec, vpx_codec_vp8_dx(), NULL, 0);
    *bytes_ok = *pics_ok = *keys_ok = *out_frames = 0;
    for (size_t k = 0; k < n; k++) {
        if (order[k] < 0)
            continue;
        peerc_rtp_packet r;
        if (peerc__rtp_parse(pk[order[k]].b, pk[order[k]].n, &r) != PEERC_OK)
            continue;
        peerc__rtp_vp8_depacketizer_push(&dp, &r, (int64_t)k);
        peerc_rtp_frame f;
        while (peerc__rtp_vp8_depacketizer_pop(&dp, &f) == 1) {
            int idx = (int)((f.timestamp - TS0) / 3000u);
            (*out_frames)++;
            if (idx >= 0 && idx < FRAMES) {
                if (f.len == enc[idx].len && memcmp(f.data, enc[idx].data, f.len) == 0)
                    (*bytes_ok)++;
                peerc_rtp_vp8_payload_header h;
                if (f.keyframe == enc[idx].key &&
                    (!f.keyframe ||
                     (peerc__rtp_vp8_payload_header_parse(f.data, f.len, &h) == PEERC_OK &&
                      h.width == W && h.height == H)))
                    (*keys_ok)++;
                uint8_t *pic = decode(&dec, f.data, f.len);
                if (pic && ref_pic[idx] && memcmp(pic, ref_pic[idx], W * H * 3 / 2) == 0)
                    (*pics_ok)++;
                free(pic);
            }
            peerc__rtp_frame_clear(&f);
        }
    }
    vpx_codec_destroy(&dec);
    peerc__rtp_vp8_depacketizer_free(&dp);
}

int main(void)
{
    int n = encode_all();
    if (n != FRAMES)
        skip_all("libvpx VP8 encoder unavailable (%d frames)", n);
    ok(enc[0].key && enc[KEY_AT].key && !enc[1].key, "libvpx produced key frames at 0 and %d",
       KEY_AT);

    vpx_codec_ctx_t dec;
    ok(vpx_codec_dec_init(&dec, vpx_codec_vp8_dx(), NULL, 0) == VPX_CODEC_OK, "decoder");
    int refs = 0;
    for (int f = 0; f < FRAMES; f++)
        refs += (ref_pic[f] = decode(&dec, enc[f].data, enc[f].len)) != NULL;
    vpx_codec_destroy(&dec);
    is_int(refs, FRAMES, "direct decode of all %d frames", FRAMES);

    packetize_all();
    size_t biggest = 0, multi = 0;
    for (int f = 0; f < FRAMES; f++) {
        size_t c = first_of[f + 1] - first_of[f];
        biggest = c > biggest ? c : biggest;
        multi += c > 1;
    }
    diag("%d frames -> %zu packets (key frame %zu bytes in %zu packets; %zu frames span packets)",
         FRAMES, npk, enc[0].len, first_of[1] - first_of[0], multi);
    ok(biggest >= 3 && multi >= 2, "frames really span several packets");
    int sizes_ok = 1;
    for (size_t i = 0; i < npk; i++) {
        peerc_rtp_packet r;
        if (peerc__rtp_parse(pk[i].b, pk[i].n, &r) || r.payload_len > MAX_PAYLOAD)
            sizes_ok = 0;
    }
    ok(sizes_ok, "every RTP payload <= %d bytes", MAX_PAYLOAD);

    /* Shuffle within each frame. */
    int *order = malloc((npk + 1) * sizeof *order);
    for (size_t i = 0; i < npk; i++)
        order[i] = (int)i;
    unsigned seed = 1234;
    for (int f = 0; f < FRAMES; f++) {
        size_t a = first_of[f], c = first_of[f + 1] - a;
        for (size_t i = c; i > 1; i--) {
            size_t j = (size_t)rand_r(&seed) % i;
            int t = order[a + i - 1];
            order[a + i - 1] = order[a + j];
            order[a + j] = t;
        }
    }
    int moved = 0;
    for (size_t i = 0; i < npk; i++)
        moved += order[i] != (int)i;
    diag("%d of %zu packets out of order", moved, npk);

    int bytes_ok, pics_ok, keys_ok, frames;
    drop_log log = {0, 0, 0};
    receive(order, npk, &bytes_ok, &pics_ok, &keys_ok, &frames, &log);
    is_int(frames, FRAMES, "shuffled: all %d frames reassembled", FRAMES);
    is_int(bytes_ok, FRAMES, "  byte-identical to the encoder output");
    is_int(keys_ok, FRAMES, "  key frames detected from the payload header (640x480)");
    is_int(pics_ok, FRAMES, "  decoded pictures identical to the direct decode");
    is_int(log.reports, 0, "  nothing dropped");

    /* Lose a packet of a delta frame that spans several packets. */
    int lossy = 3;
    while (lossy < KEY_AT && first_of[lossy + 1] - first_of[lossy] < 2)
        lossy++;
    if (lossy >= KEY_AT) {
        lossy = 3; /* single-packet frames: lose the whole frame */
        order[first_of[lossy]] = -1;
    } else {
        for (size_t i = first_of[lossy]; i < first_of[lossy + 1]; i++)
            if (order[i] == (int)first_of[lossy] + 1)
                order[i] = -1;
    }
    memset(&log, 0, sizeof log);
    receive(order, npk, &bytes_ok, &pics_ok, &keys_ok, &frames, &log);
    int expect = lossy + (FRAMES - KEY_AT);
    is_int(frames, expect, "loss in frame %d: %d frames out (before it, and from key frame %d)",
           lossy, expect, KEY_AT);
    is_int(pics_ok, expect, "  each decodes identical to the direct decode");
    ok(log.reports >= 1 && log.first_reason == PEERC_RTP_DROP_INCOMPLETE,
       "  loss reported as INCOMPLETE");
    is_int(log.frames, KEY_AT - lossy, "  %d frames reported dropped", KEY_AT - lossy);

    free(order);
    free(pk);
    for (int f = 0; f < FRAMES; f++) {
        free(enc[f].data);
        free(ref_pic[f]);
    }
    return done_testing();
}

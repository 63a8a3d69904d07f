/* VP9 payload format (RFC 9628): descriptor bytes laid out by hand from the
 * §4.2 / §4.2.1 figures, every supported field combination round trip,
 * truncation and refused layouts, the packetizer's sizes and flags (SS only
 * in a keyframe's first packet), real libvpx VP9 frames through packetizer
 * and depacketizer in order and shuffled within frames (bytes identical,
 * pictures decode with the right frame numbers), loss, and 20000 random
 * payloads (deterministic LCG; the build runs it under ASan). */
#include "media/testsrc.h"
#include "media/vp9dec.h"
#include "media/vp9enc.h"
#include "rtp/vp9.h"

#include <peerc/common.h>

#include "../tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint32_t lcg_state = 2024;

static uint32_t lcg(void)
{
    lcg_state = lcg_state * 1103515245u + 12345u;
    return lcg_state >> 8;
}

static int same_ss(const peerc_rtp_vp9_ss *a, const peerc_rtp_vp9_ss *b)
{
    if (a->spatial_layers != b->spatial_layers || a->has_resolution != b->has_resolution ||
        a->has_gof != b->has_gof)
        return 0;
    for (unsigned s = 0; a->has_resolution && s < a->spatial_layers; s++)
        if (a->width[s] != b->width[s] || a->height[s] != b->height[s])
            return 0;
    if (a->has_gof && a->gof_count != b->gof_count)
        return 0;
    for (unsigned g = 0; a->has_gof && g < a->gof_count; g++) {
        const peerc_rtp_vp9_gof_entry *x = &a->gof[g], *y = &b->gof[g];
        if (x->tid != y->tid || x->up_switch != y->up_switch || x->ref_count != y->ref_count ||
            memcmp(x->pdiff, y->pdiff, x->ref_count) != 0)
            return 0;
    }
    return 1;
}

static int same_desc(const peerc_rtp_vp9_desc *a, const peerc_rtp_vp9_desc *b)
{
    return a->inter_predicted == b->inter_predicted && a->flexible == b->flexible &&
           a->start == b->start && a->end == b->end && a->not_upper_ref == b->not_upper_ref &&
           a->picture_id == b->picture_id && a->tid == b->tid &&
           (a->tid < 0 || (a->switching_up == b->switching_up && a->sid == b->sid &&
                           a->inter_layer == b->inter_layer)) &&
           a->tl0picidx == b->tl0picidx && a->num_pdiff == b->num_pdiff &&
           memcmp(a->pdiff, b->pdiff, a->num_pdiff) == 0 && a->has_ss == b->has_ss &&
           (!a->has_ss || same_ss(&a->ss, &b->ss));
}

/* Read v; compare with want; write it back byte for byte; every
 * truncation is SYNTAX (each from an exact-size copy, so ASan sees any
 * over-read). */
static void check_vector(const char *name, const uint8_t *v, size_t n,
                         const peerc_rtp_vp9_desc *want)
{
    peerc_rtp_vp9_desc d;
    uint8_t *copy = malloc(n);
    memcpy(copy, v, n);
    is_int(peerc__rtp_vp9_desc_read(copy, n, &d), (int)n, "%s: reads %zu bytes", name, n);
    ok(same_desc(&d, want), "  fields");
    uint8_t out[PEERC_RTP_VP9_DESC_MAX];
    is_int(peerc__rtp_vp9_desc_write(want, out, sizeof out), (int)n, "  writes %zu bytes", n);
    ok(memcmp(out, v, n) == 0, "  byte-identical");
    int trunc_ok = 1;
    for (size_t k = 0; k < n; k++) {
        uint8_t *t = malloc(k ? k : 1);
        memcpy(t, v, k);
        if (peerc__rtp_vp9_desc_read(k ? t : NULL, k, &d) != PEERC_E_SYNTAX)
            trunc_ok = 0;
        free(t);
    }
    ok(trunc_ok, "  every truncation is SYNTAX");
    free(copy);
}

/* I|B|V, PictureID 0x1234 (M), SS: N_S 0, Y, G; 640x480; N_G 1: T0 U0 R1,
 * P_DIFF 1. */
static const uint8_t v_key[] = {0x8a, 0x92, 0x34, 0x18, 0x02, 0x80, 0x01, 0xe0, 0x01, 0x04, 0x01};
/* I|P|E, PictureID 0x1235 (M). */
static const uint8_t v_delta[] = {0xc4, 0x92, 0x35};
/* I|L|B|E, 7-bit PictureID 17, TID 2 U SID 0, TL0PICIDX 9. */
static const uint8_t v_layers[] = {0xac, 0x11, 0x50, 0x09};
/* I|P|F|B|Z, PictureID 256, P_DIFF 1, 2 (N set) and 127. */
static const uint8_t v_flex[] = {0xd9, 0x81, 0x00, 0x03, 0x05, 0xfe};
/* I|P|L|F|E, PictureID 0x7fff, TID 1 SID 3 D, P_DIFF 4. */
static const uint8_t v_flex_l[] = {0xf4, 0xff, 0xff, 0x27, 0x08};
/* B|V only: SS with 2 spatial layers, no resolution, G with 2 entries. */
static const uint8_t v_ss2[] = {0x0a, 0x28, 0x02, 0x30, 0x44, 0x01};

static void test_vectors(void)
{
    peerc_rtp_vp9_desc w;
    is_int(peerc__rtp_vp9_desc_for_frame(&w, 0x1234, 1, 640, 480), PEERC_OK, "keyframe descriptor");
    w.start = 1;
    check_vector("keyframe with SS", v_key, sizeof v_key, &w);
    peerc__rtp_vp9_desc_for_frame(&w, 0x1235, 0, 0, 0);
    w.end = 1;
    check_vector("delta frame", v_delta, sizeof v_delta, &w);

    peerc__rtp_vp9_desc_init(&w);
    w.picture_id = 17, w.start = 1, w.end = 1;
    w.tid = 2, w.switching_up = 1, w.tl0picidx = 9;
    check_vector("non-flexible with layer indices", v_layers, sizeof v_layers, &w);

    peerc__rtp_vp9_desc_init(&w);
    w.picture_id = 256, w.picture_id_15 = 1, w.inter_predicted = 1, w.flexible = 1;
    w.start = 1, w.not_upper_ref = 1;
    w.num_pdiff = 3, w.pdiff[0] = 1, w.pdiff[1] = 2, w.pdiff[2] = 127;
    check_vector("flexible, three references", v_flex, sizeof v_flex, &w);

    peerc__rtp_vp9_desc_init(&w);
    w.picture_id = 0x7fff, w.picture_id_15 = 1, w.inter_predicted = 1, w.flexible = 1, w.end = 1;
    w.tid = 1, w.sid = 3, w.inter_layer = 1;
    w.num_pdiff = 1, w.pdiff[0] = 4;
    check_vector("flexible with layer indices", v_flex_l, sizeof v_flex_l, &w);

    peerc__rtp_vp9_desc_init(&w);
    w.start = 1, w.has_ss = 1;
    w.ss.spatial_layers = 2, w.ss.has_gof = 1, w.ss.gof_count = 2;
    w.ss.gof[0].tid = 1, w.ss.gof[0].up_switch = 1, w.ss.gof[0].ref_count = 0;
    w.ss.gof[1].tid = 2, w.ss.gof[1].ref_count = 1, w.ss.gof[1].pdiff[0] = 1;
    check_vector("SS: two layers, picture group of two", v_ss2, sizeof v_ss2, &w);
}

/* Every combination of what the descriptor can carry round-trips. */
static void test_combinations(void)
{
    int all = 1, count = 0, refused_ok = 1;
    for (unsigned mask = 0; mask < (1u << 12); mask++) {
        peerc_rtp_vp9_desc d, r;
        peerc__rtp_vp9_desc_init(&d);
        d.inter_predicted = mask & 1;
        d.flexible = (mask >> 1) & 1;
        d.start = (mask >> 2) & 1;
        d.end = (mask >> 3) & 1;
        d.not_upper_ref = (mask >> 4) & 1;
        unsigned pid = (mask >> 5) & 3; /* absent, 7-bit, 7-bit forced long, 15-bit */
        if (pid)
            d.picture_id = pid == 3 ? 0x6abc : 0x55;
        d.picture_id_15 = pid == 2;
        if ((mask >> 7) & 1) {
            d.tid = (int8_t)(mask % 8);
            d.switching_up = (mask >> 3) & 1;
            d.sid = (uint8_t)((mask >> 2) % 8);
            d.inter_layer = (mask >> 4) & 1;
            if (!d.flexible)
                d.tl0picidx = (int16_t)(mask & 0xff);
        }
        if (d.flexible && d.inter_predicted) {
            d.num_pdiff = (uint8_t)(1 + (mask >> 8) % 3);
            for (unsigned k = 0; k < d.num_pdiff; k++)
                d.pdiff[k] = (uint8_t)(1 + (mask * 7 + k * 40) % 127);
        }
        if ((mask >> 10) & 1) {
            d.has_ss = 1;
            d.ss.spatial_layers = (uint8_t)(1 + (mask >> 5) % 8);
            d.ss.has_resolution = (mask >> 8) & 1;
            for (unsigned s = 0; s < d.ss.spatial_layers; s++)
                d.ss.width[s] = (uint16_t)(160u << (s % 4)),
                d.ss.height[s] = (uint16_t)(90 * s + 1);
            d.ss.has_gof = (mask >> 11) & 1;
            d.ss.gof_count = (uint8_t)((mask >> 2) % (PEERC_RTP_VP9_MAX_GOF + 1));
            for (unsigned g = 0; g < d.ss.gof_count; g++) {
                peerc_rtp_vp9_gof_entry *e = &d.ss.gof[g];
                e->tid = (uint8_t)(g % 8);
                e->up_switch = g & 1;
                e->ref_count = (uint8_t)(g % 4);
                for (unsigned k = 0; k < e->ref_count; k++)
                    e->pdiff[k] = (uint8_t)(1 + (g * 37 + k * 91) % 255);
            }
        }
        uint8_t buf[PEERC_RTP_VP9_DESC_MAX];
        int n = peerc__rtp_vp9_desc_write(&d, buf, sizeof buf);
        if (d.flexible && d.picture_id < 0) { /* §4.2: F needs I */
            refused_ok &= n == PEERC_E_INVALID_ARGUMENT;
            continue;
        }
        if (n < 1 || n != peerc__rtp_vp9_desc_size(&d) ||
            peerc__rtp_vp9_desc_read(buf, (size_t)n, &r) != n || !same_desc(&d, &r) ||
            r.picture_id_15 != (d.picture_id > 0x7f || d.picture_id_15)) {
            if (all)
                diag("combination %#x fails (%d)", mask, n);
            all = 0;
        }
        count++;
    }
    ok(all, "%d field combinations round-trip", count);
    ok(refused_ok, "  flexible mode without a picture id refused each time");
}

static void test_refused(void)
{
    peerc_rtp_vp9_desc d, r;
    uint8_t buf[PEERC_RTP_VP9_DESC_MAX];
#define REFUSE(setup, what)                                                                        \
    do {                                                                                           \
        peerc__rtp_vp9_desc_init(&d);                                                              \
        setup;                                                                                     \
        is_int(peerc__rtp_vp9_desc_write(&d, buf, sizeof buf), PEERC_E_INVALID_ARGUMENT, what);    \
    } while (0)
    REFUSE(d.picture_id = 0x8000, "write: PictureID 0x8000");
    REFUSE((d.tid = 8, d.tl0picidx = 0), "write: TID 8");
    REFUSE((d.tid = 0, d.sid = 8, d.tl0picidx = 0), "write: SID 8");
    REFUSE(d.tid = 0, "write: L in non-flexible mode without TL0PICIDX");
    REFUSE(d.tl0picidx = 3, "write: TL0PICIDX without L");
    REFUSE((d.picture_id = 1, d.flexible = 1, d.tid = 0, d.tl0picidx = 3),
           "write: TL0PICIDX in flexible mode");
    REFUSE((d.picture_id = 1, d.flexible = 1, d.inter_predicted = 1),
           "write: flexible inter picture without P_DIFF");
    REFUSE((d.picture_id = 1, d.flexible = 1, d.num_pdiff = 1, d.pdiff[0] = 1),
           "write: P_DIFF on an intra picture");
    REFUSE((d.picture_id = 1, d.inter_predicted = 1, d.num_pdiff = 1, d.pdiff[0] = 1),
           "write: P_DIFF in non-flexible mode");
    REFUSE((d.picture_id = 1, d.flexible = 1, d.inter_predicted = 1, d.num_pdiff = 1),
           "write: P_DIFF 0");
    REFUSE((d.picture_id = 1, d.flexible = 1, d.inter_predicted = 1, d.num_pdiff = 1,
            d.pdiff[0] = 128),
           "write: P_DIFF 128");
    REFUSE((d.picture_id = 1, d.flexible = 1, d.inter_predicted = 1, d.num_pdiff = 4),
           "write: four P_DIFF");
    REFUSE(d.has_ss = 1, "write: SS with 0 spatial layers");
    REFUSE((d.has_ss = 1, d.ss.spatial_layers = 9), "write: SS with 9 spatial layers");
    REFUSE((d.has_ss = 1, d.ss.spatial_layers = 1, d.ss.has_gof = 1,
            d.ss.gof_count = PEERC_RTP_VP9_MAX_GOF + 1),
           "write: SS picture group too large");
    REFUSE((d.has_ss = 1, d.ss.spatial_layers = 1, d.ss.has_gof = 1, d.ss.gof_count = 1,
            d.ss.gof[0].ref_count = 4),
           "write: SS entry with R 4");
    REFUSE((d.has_ss = 1, d.ss.spatial_layers = 1, d.ss.has_gof = 1, d.ss.gof_count = 1,
            d.ss.gof[0].ref_count = 1),
           "write: SS P_DIFF 0");
#undef REFUSE
    peerc__rtp_vp9_desc_init(&d);
    d.picture_id = 1000;
    is_int(peerc__rtp_vp9_desc_write(&d, buf, 2), PEERC_E_RANGE, "write: short buffer is RANGE");
    is_int(peerc__rtp_vp9_desc_size(NULL), PEERC_E_INVALID_ARGUMENT, "size of NULL");
    is_int(peerc__rtp_vp9_desc_for_frame(&d, 1, 1, 0, 480), PEERC_E_INVALID_ARGUMENT,
           "keyframe descriptor for width 0");
    is_int(peerc__rtp_vp9_desc_for_frame(&d, 1, 1, 70000, 480), PEERC_E_INVALID_ARGUMENT,
           "keyframe descriptor for width 70000");

    static const uint8_t f_no_i[] = {0x18};                               /* F|B without I */
    static const uint8_t pdiff0[] = {0xd0, 0x05, 0x00};                   /* P_DIFF 0 */
    static const uint8_t pdiff4[] = {0xd0, 0x05, 0x03, 0x03, 0x03, 0x02}; /* four P_DIFF */
    static const uint8_t ng17[] = {0x02, 0x08, 17};                       /* N_G 17 */
    static const uint8_t ss_pd0[] = {0x02, 0x08, 1, 0x04, 0x00};          /* SS P_DIFF 0 */
    is_int(peerc__rtp_vp9_desc_read(f_no_i, sizeof f_no_i, &r), PEERC_E_SYNTAX,
           "read: F without I");
    is_int(peerc__rtp_vp9_desc_read(pdiff0, sizeof pdiff0, &r), PEERC_E_SYNTAX, "read: P_DIFF 0");
    is_int(peerc__rtp_vp9_desc_read(pdiff4, sizeof pdiff4, &r), PEERC_E_SYNTAX,
           "read: a fourth P_DIFF");
    is_int(peerc__rtp_vp9_desc_read(ng17, sizeof ng17, &r), PEERC_E_SYNTAX,
           "read: SS with 17 picture group entries (more than kept)");
    is_int(peerc__rtp_vp9_desc_read(ss_pd0, sizeof ss_pd0, &r), PEERC_E_SYNTAX,
           "read: SS P_DIFF 0");
    is_int(peerc__rtp_vp9_desc_read(v_key, 0, &r), PEERC_E_SYNTAX, "read: nothing");
    is_int(peerc__rtp_vp9_desc_read(v_key, 1, NULL), PEERC_E_INVALID_ARGUMENT, "read: NULL out");
    /* Reserved bits (SS byte, picture group entry) are ignored. */
    static const uint8_t resv[] = {0x02, 0x0f, 1, 0x07, 0x09};
    is_int(peerc__rtp_vp9_desc_read(resv, sizeof resv, &r), 5, "read: reserved bits ignored");
    ok(r.ss.has_gof && r.ss.gof_count == 1 && r.ss.gof[0].ref_count == 1 &&
           r.ss.gof[0].pdiff[0] == 9,
       "  SS still read right");
}

/* ---- packetizer ---- */

typedef struct pkt {
    uint8_t b[1500];
    size_t n;
} pkt;

static void test_packetizer(void)
{
    uint8_t *f = malloc(20000);
    for (size_t i = 0; i < 20000; i++)
        f[i] = (uint8_t)(i * 13 + 5);
    peerc_rtp_vp9_desc kd, dd;
    peerc__rtp_vp9_desc_for_frame(&kd, 300, 1, 1280, 720);
    peerc__rtp_vp9_desc_for_frame(&dd, 301, 0, 0, 0);
    peerc_rtp_vp9_packetizer pk;
    is_int(peerc__rtp_vp9_packetizer_init(&pk, f, 5000, &kd, 1200), PEERC_OK,
           "keyframe packetizer");
    is_int(pk.first_desc_len, 11, "  first descriptor 11 bytes (SS)");
    is_int(pk.desc_len, 3, "  others 3");
    is_int(pk.packets, 5, "  5000 bytes + 8 of SS at 1197: 5 packets");
    uint8_t buf[1500], joined[20000];
    size_t n, off = 0, mn = SIZE_MAX, mx = 0;
    int marker, i = 0, flags_ok = 1, ss_ok = 1;
    while (peerc__rtp_vp9_packetizer_next(&pk, buf, sizeof buf, &n, &marker) == 1) {
        peerc_rtp_vp9_desc r;
        int dl = peerc__rtp_vp9_desc_read(buf, n, &r);
        int last = i == 4;
        if (dl < 0 || r.start != (i == 0) || r.end != last || marker != last ||
            r.picture_id != 300 || r.inter_predicted)
            flags_ok = 0;
        if (r.has_ss != (i == 0) ||
            (i == 0 && (r.ss.width[0] != 1280 || r.ss.height[0] != 720 || r.ss.gof_count != 1)))
            ss_ok = 0;
        memcpy(joined + off, buf + dl, n - (size_t)dl);
        off += n - (size_t)dl;
        mn = n < mn ? n : mn;
        mx = n > mx ? n : mx;
        i++;
    }
    ok(flags_ok, "  B on the first, E and marker on the last, P clear, same PictureID");
    ok(ss_ok, "  SS (1280x720, one picture group entry) only in the first packet");
    ok(off == 5000 && memcmp(joined, f, 5000) == 0, "  pieces rebuild the frame");
    ok(mx <= 1200 && mx - mn <= 1, "  whole payloads within one byte (%zu..%zu)", mn, mx);
    is_int(peerc__rtp_vp9_packetizer_next(&pk, buf, sizeof buf, &n, &marker), 0, "  then done");

    is_int(peerc__rtp_vp9_packetizer_init(&pk, f, 1, &dd, 4), PEERC_OK, "1-byte delta frame");
    is_int(peerc__rtp_vp9_packetizer_next(&pk, buf, sizeof buf, &n, &marker), 1, "  one packet");
    ok(n == 4 && marker == 1 && (buf[0] & 0x0c) == 0x0c, "  B, E and marker on the same packet");
    is_int(peerc__rtp_vp9_packetizer_init(&pk, f, 5000, &kd, 11), PEERC_E_INVALID_ARGUMENT,
           "max_payload not above the SS descriptor refused");
    is_int(peerc__rtp_vp9_packetizer_init(&pk, f, 0, &dd, 1200), PEERC_E_INVALID_ARGUMENT,
           "empty frame refused");
    peerc_rtp_vp9_desc bad = dd;
    bad.flexible = 1; /* inter picture in flexible mode without P_DIFF */
    is_int(peerc__rtp_vp9_packetizer_init(&pk, f, 100, &bad, 1200), PEERC_E_INVALID_ARGUMENT,
           "bad descriptor refused");
    peerc__rtp_vp9_packetizer_init(&pk, f, 5000, &dd, 1200);
    is_int(peerc__rtp_vp9_packetizer_next(&pk, buf, 100, &n, &marker), PEERC_E_RANGE,
           "small output buffer: RANGE");

    /* Any size, any max payload, with and without SS: never above the
     * max, fewest packets, whole payloads within one byte (or the first
     * one holding a single frame byte when the SS is most of a packet). */
    int good = 1;
    for (size_t max = 12; max < 1300 && good; max += 17)
        for (size_t len = 1; len < 4000 && good; len += 97) {
            for (int key = 0; key < 2; key++) {
                const peerc_rtp_vp9_desc *d = key ? &kd : &dd;
                if (peerc__rtp_vp9_packetizer_init(&pk, f, len, d, max) != PEERC_OK) {
                    good = 0;
                    break;
                }
                size_t total = 0, count = 0, lo = SIZE_MAX, hi = 0, first_data = 0;
                while (peerc__rtp_vp9_packetizer_next(&pk, buf, sizeof buf, &n, &marker) == 1) {
                    peerc_rtp_vp9_desc r;
                    int dl = peerc__rtp_vp9_desc_read(buf, n, &r);
                    if (dl < 0 || n > max || n <= (size_t)dl || marker != r.end)
                        good = 0;
                    if (count == 0)
                        first_data = n - (size_t)dl;
                    total += n - (size_t)dl;
                    count++;
                    lo = n < lo ? n : lo;
                    hi = n > hi ? n : hi;
                }
                size_t extra = key ? 8 : 0, room = max - 3;
                if (total != len || count != (len + extra + room - 1) / room ||
                    (hi - lo > 1 && first_data != 1))
                    good = 0;
                if (!good)
                    diag("len %zu max %zu key %d: %zu packets, sizes %zu..%zu", len, max, key,
                         count, lo, hi);
            }
        }
    ok(good, "any length and max payload: within max, fewest packets, balanced");
    free(f);
}

/* ---- real frames through packetizer and depacketizer ---- */

#define FRAMES 40
#define KEY_AT 20
#define SEQ0 65500 /* wraps in the first frames */
#define TS0 0xfffff000u

typedef struct enc_frame {
    uint8_t *data;
    size_t len;
    int key;
} enc_frame;

static enc_frame enc[FRAMES];
static pkt *pk;
static size_t npk;
static size_t first_of[FRAMES + 1];

/* Light luma noise below the frame-number band, so that frames are the
 * size a camera gives at this bitrate (the bare pattern is very cheap). */
static void add_noise(peerc_media_i420_buf *b)
{
    size_t w = b->view.width, h = b->view.height, band = h / 16 + 2;
    for (size_t p = band * w; p < w * h; p++) {
        int v = b->y[p] + (int)(lcg() % 9) - 4;
        b->y[p] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}

static int encode_all(void)
{
    peerc_vp9enc *e = NULL;
    peerc_vp9enc_config cfg;
    peerc_media_i420_buf b = {0};
    peerc__vp9enc_config_init(&cfg);
    cfg.bitrate_kbps = 2500;
    peerc__vp9enc_new(&cfg, &e, NULL, 0);
    int got = 0;
    for (int i = 0; e && i < FRAMES; i++) {
        peerc_media_encoded out;
        if (peerc__testsrc_video_draw(&b, 640, 480, (uint32_t)i) != PEERC_OK)
            break;
        b.view.timestamp_us = (int64_t)i * 1000000 / 30;
        add_noise(&b);
        if (i == KEY_AT)
            peerc__vp9enc_request_keyframe(e);
        if (peerc__vp9enc_encode(e, &b.view, &out) != PEERC_OK || !out.size)
            break;
        enc[i].data = malloc(out.size);
        memcpy(enc[i].data, out.data, out.size);
        enc[i].len = out.size;
        enc[i].key = out.keyframe;
        got++;
    }
    peerc__media_i420_buf_free(&b);
    peerc__vp9enc_free(e);
    return got;
}

static void packetize_all(void)
{
    pk = calloc(8192, sizeof *pk);
    uint16_t seq = SEQ0;
    for (int f = 0; f < FRAMES; f++) {
        peerc_rtp_vp9_desc d;
        peerc_rtp_vp9_packetizer p;
        peerc__rtp_vp9_desc_for_frame(&d, (uint16_t)(0x7ff0 + f), enc[f].key, 640, 480);
        peerc__rtp_vp9_packetizer_init(&p, enc[f].data, enc[f].len, &d, 1200);
        first_of[f] = npk;
        uint8_t payload[1500];
        size_t len;
        int marker;
        while (npk < 8192 &&
               peerc__rtp_vp9_packetizer_next(&p, payload, sizeof payload, &len, &marker) == 1) {
            peerc_rtp_packet r;
            memset(&r, 0, sizeof r);
            r.payload_type = 98;
            r.marker = (uint8_t)marker;
            r.seq = seq++;
            r.timestamp = TS0 + 3000u * (uint32_t)f;
            r.ssrc = 0x9009;
            r.payload = payload;
            r.payload_len = len;
            peerc__rtp_write(&r, pk[npk].b, sizeof pk[npk].b, &pk[npk].n);
            npk++;
        }
    }
    first_of[FRAMES] = npk;
}

typedef struct drop_log {
    int reports;
    int frames;
    int reasons[8];
} drop_log;

static void on_drop(void *user, const peerc_rtp_drop *d)
{
    drop_log *l = user;
    if (l->reports < 8)
        l->reasons[l->reports] = d->reason;
    l->reports++;
    l->frames += (int)d->frames;
}

typedef struct result {
    uint64_t bytes_ok; /* bitmap of frames rebuilt byte for byte with the right key flag */
    int decoded_ok;    /* pictures decoded with the right frame number */
    int frames_out;
    drop_log log;
} result;

/* Push packets in order[] (-1 skips), rebuild frames, decode them. */
static void receive(const int *order, size_t n, result *res)
{
    peerc_rtp_asm_config cfg;
    peerc__rtp_asm_config_default(&cfg);
    memset(res, 0, sizeof *res);
    cfg.on_drop = on_drop;
    cfg.user = &res->log;
    peerc_rtp_vp9_depacketizer dp;
    peerc__rtp_vp9_depacketizer_init(&dp, &cfg);
    peerc_vp9dec *dec = NULL;
    peerc__vp9dec_new(&dec, NULL, 0);
    for (size_t k = 0; k < n; k++) {
        if (order[k] < 0)
            continue;
        peerc_rtp_packet r;
        if (peerc__rtp_parse(pk[order[k]].b, pk[order[k]].n, &r) != PEERC_OK)
            continue;
        peerc__rtp_vp9_depacketizer_push(&dp, &r, (int64_t)k);
        peerc_rtp_frame f;
        while (peerc__rtp_vp9_depacketizer_pop(&dp, &f) == 1) {
            uint32_t idx = (f.timestamp - TS0) / 3000u, num;
            peerc_media_i420 pic;
            res->frames_out++;
            if (idx < FRAMES && f.len == enc[idx].len &&
                memcmp(f.data, enc[idx].data, f.len) == 0 && f.keyframe == enc[idx].key)
                res->bytes_ok |= 1ull << idx;
            if (dec && peerc__vp9dec_decode(dec, f.data, f.len, 0, &pic) == PEERC_OK &&
                peerc__testsrc_read_frame_number(&pic, &num) == PEERC_OK && num == idx)
                res->decoded_ok++;
            peerc__rtp_frame_clear(&f);
        }
    }
    peerc__vp9dec_free(dec);
    peerc__rtp_vp9_depacketizer_free(&dp);
}

static void shuffle(int *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = lcg() % i;
        int t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

static void test_real_frames(void)
{
    if (!ok(encode_all() == FRAMES, "%d VP9 frames from the encoder (noisy 640x480, 2500 kbps)",
            FRAMES))
        return;
    ok(enc[0].key && enc[KEY_AT].key, "keyframes at 0 and %d", KEY_AT);
    packetize_all();
    size_t multi = 0, kpk = first_of[1] - first_of[0];
    for (int f = 0; f < FRAMES; f++)
        multi += first_of[f + 1] - first_of[f] > 1;
    diag("%d frames in %zu packets at max_payload 1200 (keyframe: %zu packets, %zu bytes); %zu "
         "frames span several packets",
         FRAMES, npk, kpk, enc[0].len, multi);
    ok(multi >= FRAMES / 2 && kpk > 3, "real frames need several packets");

    /* The keyframe's first packet carries the SS; nothing else does. */
    int ss_ok = 1;
    for (size_t i = 0; i < npk; i++) {
        peerc_rtp_packet r;
        peerc_rtp_vp9_desc d;
        peerc__rtp_parse(pk[i].b, pk[i].n, &r);
        peerc__rtp_vp9_desc_read(r.payload, r.payload_len, &d);
        int want = i == first_of[0] || i == first_of[KEY_AT];
        if (d.has_ss != want || (want && (d.ss.width[0] != 640 || d.ss.height[0] != 480)))
            ss_ok = 0;
    }
    ok(ss_ok, "SS with 640x480 exactly in the first packet of each keyframe");

    int *order = malloc((npk + 1) * sizeof *order);
    result res;
    uint64_t all = (1ull << FRAMES) - 1;
    for (size_t i = 0; i < npk; i++)
        order[i] = (int)i;
    receive(order, npk, &res);
    ok(res.bytes_ok == all && res.log.reports == 0, "in order: all %d frames byte-identical",
       FRAMES);
    is_int(res.decoded_ok, FRAMES, "  and they decode to the right frame numbers");

    for (int f = 0; f < FRAMES; f++)
        shuffle(order + first_of[f], first_of[f + 1] - first_of[f]);
    receive(order, npk, &res);
    ok(res.bytes_ok == all && res.log.reports == 0, "shuffled within frames: all frames intact");
    is_int(res.decoded_ok, FRAMES, "  and decodable");

    /* Lose the second packet of the first multi-packet delta frame. */
    int lost = 1;
    while (lost < KEY_AT && first_of[lost + 1] - first_of[lost] < 2)
        lost++;
    for (size_t i = 0; i < npk; i++)
        order[i] = (int)i;
    order[first_of[lost] + 1] = -1;
    receive(order, npk, &res);
    uint64_t want = 0;
    for (int f = 0; f < FRAMES; f++)
        if (f < lost || f >= KEY_AT)
            want |= 1ull << f;
    ok(res.bytes_ok == want, "packet of frame %d lost: frames before it and from keyframe %d on",
       lost, KEY_AT);
    ok(res.log.reports >= 1 && res.log.reasons[0] == PEERC_RTP_DROP_INCOMPLETE,
       "  the damaged frame is dropped as INCOMPLETE");
    is_int(res.log.frames, KEY_AT - lost, "  %d frames dropped until the keyframe", KEY_AT - lost);
    is_int(res.decoded_ok, FRAMES - (KEY_AT - lost), "  everything delivered decodes");
    free(order);
}

/* ---- the assembler view of single packets ---- */

static void test_asm_packet(void)
{
    uint8_t payload[64];
    peerc_rtp_packet r;
    peerc_rtp_asm_packet a;
    peerc_rtp_vp9_desc d, got;
    memset(&r, 0, sizeof r);
    r.timestamp = 777;
    r.payload = payload;

    peerc__rtp_vp9_desc_for_frame(&d, 5, 1, 320, 240);
    d.start = 1;
    int dl = peerc__rtp_vp9_desc_write(&d, payload, sizeof payload);
    payload[dl] = 0x82;
    r.payload_len = (size_t)dl + 1;
    is_int(peerc__rtp_vp9_to_asm_packet(&r, 42, 9, &a, &got), PEERC_OK, "keyframe start packet");
    ok(a.frame_start && !a.frame_end && a.keyframe && a.seq == 42 && a.timestamp == 777 &&
           a.arrival_ms == 9 && a.len == 1 && a.data[0] == 0x82 && got.has_ss,
       "  start, keyframe, not the end; descriptor stripped");

    peerc__rtp_vp9_desc_for_frame(&d, 5, 0, 0, 0);
    d.end = 1;
    dl = peerc__rtp_vp9_desc_write(&d, payload, sizeof payload);
    r.payload_len = (size_t)dl + 3;
    peerc__rtp_vp9_to_asm_packet(&r, 43, 9, &a, NULL);
    ok(!a.frame_start && a.frame_end && !a.keyframe, "E without marker ends the frame");
    d.end = 0;
    dl = peerc__rtp_vp9_desc_write(&d, payload, sizeof payload);
    r.marker = 1;
    peerc__rtp_vp9_to_asm_packet(&r, 44, 9, &a, NULL);
    ok(a.frame_end, "marker without E ends the frame");
    r.marker = 0;
    d.inter_predicted = 0; /* P clear but not the B packet: no keyframe mark */
    dl = peerc__rtp_vp9_desc_write(&d, payload, sizeof payload);
    peerc__rtp_vp9_to_asm_packet(&r, 45, 9, &a, NULL);
    ok(!a.keyframe && !a.frame_end, "keyframe is read on the B packet only");

    peerc__rtp_vp9_desc_init(&d);
    d.start = 1, d.tid = 0, d.sid = 1, d.tl0picidx = 0;
    dl = peerc__rtp_vp9_desc_write(&d, payload, sizeof payload);
    r.payload_len = (size_t)dl + 1;
    is_int(peerc__rtp_vp9_to_asm_packet(&r, 46, 9, &a, NULL), PEERC_E_SYNTAX,
           "spatial layer 1 refused");
    d.sid = 0, d.tid = 2;
    dl = peerc__rtp_vp9_desc_write(&d, payload, sizeof payload);
    r.payload_len = (size_t)dl + 1;
    is_int(peerc__rtp_vp9_to_asm_packet(&r, 47, 9, &a, NULL), PEERC_OK,
           "temporal layer 2 of spatial layer 0 accepted");
    peerc__rtp_vp9_desc_init(&d);
    d.start = 1, d.has_ss = 1, d.ss.spatial_layers = 3;
    dl = peerc__rtp_vp9_desc_write(&d, payload, sizeof payload);
    r.payload_len = (size_t)dl + 1;
    is_int(peerc__rtp_vp9_to_asm_packet(&r, 48, 9, &a, NULL), PEERC_E_SYNTAX,
           "SS announcing 3 spatial layers refused");
    r.payload_len = (size_t)dl;
    is_int(peerc__rtp_vp9_to_asm_packet(&r, 49, 9, &a, NULL), PEERC_E_SYNTAX,
           "descriptor without data refused");
    r.payload_len = 0;
    is_int(peerc__rtp_vp9_to_asm_packet(&r, 50, 9, &a, NULL), PEERC_E_SYNTAX, "empty payload");
    is_int(peerc__rtp_vp9_to_asm_packet(NULL, 50, 9, &a, NULL), PEERC_E_INVALID_ARGUMENT, "NULL");

    peerc_rtp_vp9_depacketizer dp;
    peerc__rtp_vp9_depacketizer_init(&dp, NULL);
    is_int(peerc__rtp_vp9_depacketizer_push(&dp, &r, 0), PEERC_E_SYNTAX, "depacketizer refuses it");
    is_int(dp.packets_invalid, 1, "  counted");
    peerc__rtp_vp9_depacketizer_free(&dp);
}

/* ---- random payloads ---- */

static void test_fuzz(void)
{
    enum { RUNS = 20000 };
    int parsed = 0, asm_ok = 0, reencode_ok = 1, bounds_ok = 1;
    peerc_rtp_vp9_depacketizer dp;
    peerc__rtp_vp9_depacketizer_init(&dp, NULL);
    lcg_state = 9628;
    for (int i = 0; i < RUNS; i++) {
        size_t len = lcg() % 48;
        uint8_t *p = malloc(len ? len : 1); /* exact size: ASan flags any over-read */
        for (size_t k = 0; k < len; k++)
            p[k] = (uint8_t)lcg();
        /* Bias half the runs towards the structured layouts (I, L, F, V). */
        if (len && (i & 1))
            p[0] |= (uint8_t)(lcg() & 0xf2);
        peerc_rtp_vp9_desc d, again;
        int n = peerc__rtp_vp9_desc_read(p, len, &d);
        if (n > (int)len || (n < 0 && n != PEERC_E_SYNTAX))
            bounds_ok = 0;
        if (n > 0) {
            parsed++;
            /* What was read writes back to the same length and reads the
             * same (reserved bits aside). */
            uint8_t out[PEERC_RTP_VP9_DESC_MAX];
            int w = peerc__rtp_vp9_desc_write(&d, out, sizeof out);
            if (w != n || peerc__rtp_vp9_desc_read(out, (size_t)w, &again) != n ||
                !same_desc(&d, &again))
                reencode_ok = 0;
        }
        peerc_rtp_packet r;
        memset(&r, 0, sizeof r);
        r.payload = p;
        r.payload_len = len;
        r.seq = (uint16_t)i;
        r.timestamp = (uint32_t)(i / 3);
        r.marker = (uint8_t)(lcg() & 1);
        peerc_rtp_asm_packet a;
        if (peerc__rtp_vp9_to_asm_packet(&r, i, 0, &a, NULL) == PEERC_OK) {
            asm_ok++;
            if (a.data < p || a.data + a.len > p + len || a.len == 0)
                bounds_ok = 0;
        }
        peerc__rtp_vp9_depacketizer_push(&dp, &r, i);
        peerc_rtp_frame f;
        while (peerc__rtp_vp9_depacketizer_pop(&dp, &f) == 1)
            peerc__rtp_frame_clear(&f);
        free(p);
    }
    peerc__rtp_vp9_depacketizer_free(&dp);
    ok(bounds_ok, "%d random payloads: reads stay inside the payload", RUNS);
    ok(reencode_ok, "  every descriptor read (%d) writes back identically", parsed);
    ok(asm_ok > RUNS / 10, "  %d became assembler packets", asm_ok);
}

int main(void)
{
    test_vectors();
    test_combinations();
    test_refused();
    test_packetizer();
    test_real_frames();
    test_asm_packet();
    test_fuzz();
    for (int f = 0; f < FRAMES; f++)
        free(enc[f].data);
    free(pk);
    return done_testing();
}

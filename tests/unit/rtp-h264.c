/* H.264 payload format (RFC 6184): Annex B splitting, the packetizer's
 * packet types, flags and sizes (single NAL unit, STAP-A, FU-A; modes 0
 * and 1), random access units round-tripped through packets, the
 * depacketizer with reordering, duplicates, loss (first, middle and last
 * packets of a frame), late packets, the jitter buffer with NACK, hostile
 * payloads and frames, the fmtp parameters against Chromium's offer, and a
 * seeded fuzz loop (run under --enable-sanitizers).
 *
 * Access units are synthetic: NAL units of random bytes with emulation
 * prevention applied, behind 3- and 4-byte start codes.  The receiver
 * writes 4-byte start codes, so outputs are compared with the input
 * rewritten that way. */
#include "rtp/h264.h"
#include "rtp/jitter.h"

#include <peerc/common.h>

#include "../tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint32_t lcg_state = 12345;

/* Numerical Recipes LCG: deterministic on every platform. */
static uint32_t lcg(void)
{
    lcg_state = lcg_state * 1664525u + 1013904223u;
    return lcg_state >> 8;
}

static uint32_t rnd(uint32_t n)
{
    return n ? lcg() % n : 0;
}

/* A NAL unit of exactly len bytes: the header, then zero-heavy bytes with
 * emulation prevention as an encoder applies it (H.264 7.4.1: 00 00 0x,
 * x <= 3, gets an 03 between), ending in a non-zero byte. */
static void make_nal(uint8_t *out, size_t len, uint8_t header)
{
    size_t n = 0;
    int zeros = 0;
    out[n++] = header;
    while (n < len) {
        uint8_t b = rnd(3) == 0 ? 0 : (uint8_t)rnd(256);
        if (zeros >= 2 && b <= 3) {
            out[n++] = 3;
            zeros = 0;
            if (n == len)
                break;
        }
        if (n == len - 1 && b == 0)
            b = 0x80;
        out[n++] = b;
        zeros = b == 0 ? zeros + 1 : 0;
    }
}

/* An access unit as the encoder wrote it and as the receiver must give it
 * back (4-byte start codes, no extra zeros). */
typedef struct au {
    uint8_t *in;
    size_t in_len;
    uint8_t *want;
    size_t want_len;
    int key;
    int nals;
} au;

#define AU_CAP 65536

static void au_init(au *a)
{
    memset(a, 0, sizeof *a);
    a->in = malloc(AU_CAP);
    a->want = malloc(AU_CAP);
}

static void au_free(au *a)
{
    free(a->in);
    free(a->want);
}

static void au_zeros(au *a, size_t n)
{
    memset(a->in + a->in_len, 0, n);
    a->in_len += n;
}

static void au_nal(au *a, uint8_t header, size_t len, int sc4)
{
    static const uint8_t sc[4] = {0, 0, 0, 1};
    uint8_t *nal = a->want + a->want_len + 4;
    make_nal(nal, len, header);
    memcpy(a->want + a->want_len, sc, 4);
    a->want_len += 4 + len;
    memcpy(a->in + a->in_len, sc4 ? sc : sc + 1, sc4 ? 4 : 3);
    a->in_len += sc4 ? 4 : 3;
    memcpy(a->in + a->in_len, nal, len);
    a->in_len += len;
    if ((header & 0x1f) == PEERC_H264_NAL_IDR)
        a->key = 1;
    a->nals++;
}

/* ---- Annex B ---- */

static int split_all(const uint8_t *b, size_t len, const uint8_t **nals, size_t *lens, int max)
{
    size_t pos = 0;
    int n = 0, rc;
    while (n < max && (rc = peerc__rtp_h264_annexb_next(b, len, &pos, &nals[n], &lens[n])) == 1)
        n++;
    return rc < 0 ? rc : n;
}

static void test_annexb(void)
{
    /* Leading zero, 4- and 3-byte start codes, an emulation prevention
     * byte inside (00 00 03 01 stays as it is), a 5-byte start code,
     * trailing zeros. */
    static const uint8_t b[] = {0x00, 0x00, 0x00, 0x00, 0x01, 0x67, 0x42, 0x00, 0x00, 0x03, 0x01,
                                0x1f, 0x00, 0x00, 0x01, 0x68, 0xce, 0x00, 0x00, 0x00, 0x00, 0x01,
                                0x65, 0x88, 0x00, 0x00, 0x03, 0x00, 0x80, 0x00, 0x00};
    const uint8_t *nals[8];
    size_t lens[8];
    int n = split_all(b, sizeof b, nals, lens, 8);
    is_int(n, 3, "SPS, PPS, IDR found");
    ok(n == 3 && lens[0] == 7 && nals[0] == b + 5 && memcmp(nals[0], b + 5, 7) == 0,
       "  SPS keeps its emulation prevention byte (7 bytes)");
    ok(n == 3 && lens[1] == 2 && nals[1][0] == 0x68, "  PPS ends before 00 00 00 01");
    ok(n == 3 && lens[2] == 7 && nals[2][6] == 0x80, "  IDR ends before the trailing zeros");

    static const uint8_t empty_nals[] = {0, 0, 1, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1};
    n = split_all(empty_nals, sizeof empty_nals, nals, lens, 8);
    ok(n == 1 && lens[0] == 2 && nals[0][0] == 0x09, "empty NAL units are skipped");
    is_int(split_all(b, 0, nals, lens, 8), 0, "empty buffer: no NAL unit");
    static const uint8_t zeros[6] = {0};
    is_int(split_all(zeros, sizeof zeros, nals, lens, 8), 0, "only zeros: no NAL unit");
    static const uint8_t garbage[] = {0x12, 0x00, 0x00, 0x01, 0x41, 0x9a};
    is_int(split_all(garbage, sizeof garbage, nals, lens, 8), PEERC_E_SYNTAX,
           "data before the first start code: SYNTAX");
    static const uint8_t short_sc[] = {0x00, 0x01, 0x41, 0x9a};
    is_int(split_all(short_sc, sizeof short_sc, nals, lens, 8), PEERC_E_SYNTAX,
           "00 01 is no start code: SYNTAX");
    static const uint8_t two[] = {0x00, 0x00, 0x01, 0x41, 0x9a, 0x00, 0x00, 0x00, 0x02, 0x41};
    is_int(split_all(two, sizeof two, nals, lens, 8), PEERC_E_SYNTAX, "00 00 00 02: SYNTAX");
    size_t pos = 0;
    const uint8_t *nal;
    size_t nl;
    is_int(peerc__rtp_h264_annexb_next(b, sizeof b, NULL, &nal, &nl), PEERC_E_INVALID_ARGUMENT,
           "NULL pos refused");
    pos = sizeof b + 10;
    is_int(peerc__rtp_h264_annexb_next(b, sizeof b, &pos, &nal, &nl), 0,
           "position past the end: done");
}

/* ---- packetizer ---- */

#define MAXPK 4096
typedef struct pkt {
    uint8_t b[6100];
    size_t n;
} pkt;

static pkt pkts[MAXPK];
static size_t npkts;

/* Payloads of one access unit into out[] (at most cap); -1 on error or a
 * packet over max.  *markers_ok: the marker is on the last packet only. */
static int payloads(const au *a, size_t max, int mode, pkt *out, int cap, int *markers_ok)
{
    peerc_rtp_h264_packetizer pk;
    if (peerc__rtp_h264_packetizer_init(&pk, a->in, a->in_len, max, mode) != PEERC_OK)
        return -1;
    int n = 0, marker = 0, markers = 0;
    while (n < cap && peerc__rtp_h264_packetizer_next(&pk, out[n].b, sizeof out[n].b, &out[n].n,
                                                      &marker) == 1) {
        if (out[n].n > max)
            return -1;
        markers += marker;
        n++;
    }
    *markers_ok = markers == 1 && marker == 1;
    return n;
}

/* Pieces (seq, length, payload) of packets, as the assembler joins them. */
static size_t pieces(const pkt *p, int n, uint16_t seq, uint8_t *out)
{
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        out[off] = (uint8_t)(seq >> 8);
        out[off + 1] = (uint8_t)seq;
        out[off + 2] = (uint8_t)(p[i].n >> 8);
        out[off + 3] = (uint8_t)p[i].n;
        memcpy(out + off + 4, p[i].b, p[i].n);
        off += 4 + p[i].n;
        seq++;
    }
    return off;
}

static int annexb_equals(const uint8_t *frame, size_t len, const au *a)
{
    size_t n;
    uint8_t *out = malloc(AU_CAP);
    int rc = peerc__rtp_h264_frame_to_annexb(frame, len, out, AU_CAP, &n);
    int same = rc == PEERC_OK && n == a->want_len && memcmp(out, a->want, n) == 0;
    free(out);
    return same;
}

static void test_packetizer(void)
{
    static pkt p[64];
    static uint8_t joined[AU_CAP + 1024];
    int mok;
    au a;
    au_init(&a);
    /* A key frame as hardware encoders emit it: SEI, SPS, PPS, then one
     * big IDR slice. */
    au_nal(&a, 0x06, 20, 1);   /* SEI, NRI 0 */
    au_nal(&a, 0x67, 12, 1);   /* SPS, NRI 3 */
    au_nal(&a, 0x48, 5, 0);    /* PPS, NRI 2, 3-byte start code */
    au_nal(&a, 0x65, 5000, 1); /* IDR, NRI 3 */
    int n = payloads(&a, 1200, 1, p, 64, &mok);
    is_int(n, 6, "key frame at 1200: 6 packets (STAP-A + 5 FU-A)");
    ok(n == 6 && p[0].b[0] == (0x60 | 24), "  STAP-A first, NRI = the highest of its units (3)");
    ok(n == 6 && p[0].n == 1 + 2 + 20 + 2 + 12 + 2 + 5 && p[0].b[1] == 0 && p[0].b[2] == 20 &&
           p[0].b[3] == 0x06 && p[0].b[23] == 0 && p[0].b[24] == 12 && p[0].b[25] == 0x67 &&
           p[0].b[37] == 0 && p[0].b[38] == 5 && p[0].b[39] == 0x48,
       "  SEI, SPS, PPS with their 16-bit sizes");
    int fu_ok = n == 6;
    for (int i = 1; i < n && fu_ok; i++) {
        uint8_t s = i == 1 ? 0x80 : 0, e = i == 5 ? 0x40 : 0;
        if (p[i].b[0] != (0x60 | 28) || p[i].b[1] != (s | e | 5))
            fu_ok = 0;
    }
    ok(fu_ok, "  FU-A: indicator NRI 3 type 28, header type 5, S on the first, E on the last");
    /* 4999 bytes after the IDR header in 5 pieces: 1000, 1000, 1000, 1000, 999. */
    ok(n == 6 && p[1].n == 1002 && p[4].n == 1002 && p[5].n == 1001, "  balanced fragments");
    ok(mok, "  marker only on the last packet");
    ok(n == 6 && annexb_equals(joined, pieces(p, n, 100, joined), &a),
       "  pieces rebuild the access unit (4-byte start codes)");

    /* Mode 0: one packet per NAL unit, or RANGE. */
    n = payloads(&a, 6000, 0, p, 64, &mok);
    ok(n == 4 && p[0].n == 20 && p[1].n == 12 && p[2].n == 5 && p[3].n == 5000 && mok,
       "mode 0: four Single NAL Unit packets, marker on the IDR");
    peerc_rtp_h264_packetizer pk;
    is_int(peerc__rtp_h264_packetizer_init(&pk, a.in, a.in_len, 1200, 0), PEERC_E_RANGE,
           "mode 0 with a NAL unit over max_payload: RANGE");
    au_free(&a);

    /* A 300-byte P slice: one Single NAL Unit packet carrying it whole. */
    au_init(&a);
    au_nal(&a, 0x41, 300, 0);
    n = payloads(&a, 1200, 1, p, 64, &mok);
    ok(n == 1 && p[0].n == 300 && memcmp(p[0].b, a.want + 4, 300) == 0 && mok,
       "P frame of 300 bytes: one single NAL unit packet with the marker");
    is_int(peerc__rtp_h264_packetizer_init(&pk, a.in, a.in_len, 1200, 1), PEERC_OK, "  init");
    uint8_t small[100];
    size_t len;
    int marker;
    is_int(peerc__rtp_h264_packetizer_next(&pk, small, sizeof small, &len, &marker), PEERC_E_RANGE,
           "  small buffer: RANGE");
    is_int(peerc__rtp_h264_packetizer_next(&pk, p[0].b, sizeof p[0].b, &len, &marker), 1,
           "  then a large one works");
    is_int(peerc__rtp_h264_packetizer_next(&pk, p[0].b, sizeof p[0].b, &len, &marker), 0,
           "  then done");
    au_free(&a);

    /* Two slices that together fit: one STAP-A; one that is exactly
     * max_payload: a single packet, not fragmented. */
    au_init(&a);
    au_nal(&a, 0x41, 400, 1);
    au_nal(&a, 0x41, 500, 1);
    au_nal(&a, 0x41, 1200, 1);
    n = payloads(&a, 1200, 1, p, 64, &mok);
    ok(n == 2 && p[0].b[0] == (0x40 | 24) && p[0].n == 905 && p[1].n == 1200 && p[1].b[0] == 0x41,
       "400+500 in a STAP-A, 1200 bytes in a single packet");
    au_free(&a);

    /* Refused access units. */
    static const uint8_t forbidden[] = {0, 0, 1, 0xc1, 0x9a};
    static const uint8_t type0[] = {0, 0, 1, 0x00, 0x9a};
    static const uint8_t type24[] = {0, 0, 1, 0x78, 0x9a};
    static const uint8_t type28[] = {0, 0, 1, 0x7c, 0x9a};
    static const uint8_t type30[] = {0, 0, 1, 0x1e, 0x9a};
    static const uint8_t type31[] = {0, 0, 1, 0x1f, 0x9a};
    static const uint8_t junk[] = {0x41, 0x9a, 0, 0, 1, 0x41, 0x9a};
    static const uint8_t nothing[] = {0, 0, 0, 1, 0, 0};
    is_int(peerc__rtp_h264_packetizer_init(&pk, forbidden, 5, 1200, 1), PEERC_E_SYNTAX,
           "forbidden bit in the input: SYNTAX");
    ok(peerc__rtp_h264_packetizer_init(&pk, type0, 5, 1200, 1) == PEERC_E_SYNTAX &&
           peerc__rtp_h264_packetizer_init(&pk, type24, 5, 1200, 1) == PEERC_E_SYNTAX &&
           peerc__rtp_h264_packetizer_init(&pk, type28, 5, 1200, 1) == PEERC_E_SYNTAX &&
           peerc__rtp_h264_packetizer_init(&pk, type30, 5, 1200, 1) == PEERC_E_SYNTAX &&
           peerc__rtp_h264_packetizer_init(&pk, type31, 5, 1200, 1) == PEERC_E_SYNTAX,
       "NAL types 0, 24, 28, 30, 31 in the input: SYNTAX");
    is_int(peerc__rtp_h264_packetizer_init(&pk, junk, sizeof junk, 1200, 1), PEERC_E_SYNTAX,
           "no start code first: SYNTAX");
    is_int(peerc__rtp_h264_packetizer_init(&pk, nothing, sizeof nothing, 1200, 1),
           PEERC_E_INVALID_ARGUMENT, "no NAL unit: INVALID_ARGUMENT");
    ok(peerc__rtp_h264_packetizer_init(&pk, type0, 5, 2, 1) == PEERC_E_INVALID_ARGUMENT &&
           peerc__rtp_h264_packetizer_init(&pk, type0, 5, 1200, 2) == PEERC_E_INVALID_ARGUMENT,
       "max_payload 2 or mode 2: INVALID_ARGUMENT");

    /* Random access units at random sizes: never over max_payload, marker
     * on the last only, and the pieces give back the access unit. */
    int good = 1, rounds = 0, stap = 0, fua = 0;
    static pkt rp[MAXPK];
    static uint8_t big[4 * AU_CAP];
    for (int r = 0; r < 600; r++) {
        /* Tiny packets only for small units, to stay within MAXPK. */
        size_t max = rnd(8) == 0 ? 3 + rnd(30) : 100 + rnd(1300);
        size_t longest = max < 100 ? 300 : 6000;
        au_init(&a);
        int nn = 1 + (int)rnd(6);
        if (rnd(3) == 0)
            au_zeros(&a, 1 + rnd(3));
        for (int i = 0; i < nn; i++) {
            static const uint8_t types[] = {1, 5, 6, 7, 8, 9, 12, 1, 1};
            uint8_t h = (uint8_t)(rnd(4) << 5 | types[rnd(sizeof types)]);
            size_t nl = rnd(4) == 0 ? 1 + rnd(8) : 1 + rnd((uint32_t)longest);
            au_nal(&a, h, nl, (int)rnd(2));
            if (rnd(4) == 0)
                au_zeros(&a, rnd(3));
        }
        int mode = rnd(4) == 0 ? 0 : 1;
        n = payloads(&a, max, mode, rp, MAXPK, &mok);
        if (n < 0) {
            /* Only mode 0 may refuse, for a unit over max_payload. */
            if (mode != 0 ||
                peerc__rtp_h264_packetizer_init(&pk, a.in, a.in_len, max, 0) != PEERC_E_RANGE)
                good = 0;
        } else {
            rounds++;
            for (int i = 0; i < n; i++) {
                stap += (rp[i].b[0] & 0x1f) == 24;
                fua += (rp[i].b[0] & 0x1f) == 28;
                if (mode == 0 && (rp[i].b[0] & 0x1f) >= 24)
                    good = 0;
            }
            if (!mok || !annexb_equals(big, pieces(rp, n, (uint16_t)r * 77, big), &a))
                good = 0;
        }
        au_free(&a);
    }
    ok(good, "random access units: %d round trips (%d STAP-A, %d FU-A packets)", rounds, stap, fua);
}

/* ---- a stream through the depacketizer ---- */

#define NF 24
#define TS0 0xfffff000u

typedef struct stream {
    au f[NF];
    size_t first_pkt[NF + 1];
} stream;

static uint32_t ts_of(int i)
{
    return TS0 + 3000u * (uint32_t)i;
}

/* Key frames at 0, 8, 16.  Frame 0 starts with an SEI, 8 with an AUD (so
 * its first packet holds no IDR), 16 has two IDR slices.  Deltas: a P slice
 * of varying size, sometimes after an SEI or AUD, sometimes two slices. */
static void build_frame(au *a, int i)
{
    au_init(a);
    int sc = i & 1;
    if (i % 6 == 5)
        au_zeros(a, 2);
    if (i % 8 == 0) {
        if (i == 0)
            au_nal(a, 0x06, 25, 1);
        if (i == 8)
            au_nal(a, 0x09, 2, 1);
        au_nal(a, 0x67, 12, 1);
        au_nal(a, 0x68, 5, sc);
        if (i == 16) {
            au_nal(a, 0x65, 2500, sc);
            au_nal(a, 0x65, 2600, !sc);
        } else {
            au_nal(a, 0x65, 5000, 1);
        }
    } else {
        if (i % 7 == 3)
            au_nal(a, 0x09, 2, 1);
        if (i % 3 == 1)
            au_nal(a, 0x06, 10 + (size_t)i, !sc);
        if (i % 5 == 2) {
            au_nal(a, 0x41, 700, sc);
            au_nal(a, 0x41, 1500, !sc);
        } else {
            au_nal(a, 0x41, 300 + (size_t)(i * 397) % 2500, sc);
        }
    }
    if (i % 4 == 3)
        au_zeros(a, 2);
}

static void make_stream(stream *s, uint16_t seq0)
{
    uint16_t seq = seq0;
    npkts = 0;
    for (int i = 0; i < NF; i++) {
        build_frame(&s->f[i], i);
        s->first_pkt[i] = npkts;
        peerc_rtp_h264_packetizer pk;
        peerc__rtp_h264_packetizer_init(&pk, s->f[i].in, s->f[i].in_len, 1200, 1);
        uint8_t payload[1500];
        size_t plen;
        int marker;
        while (peerc__rtp_h264_packetizer_next(&pk, payload, sizeof payload, &plen, &marker) == 1) {
            peerc_rtp_packet p;
            memset(&p, 0, sizeof p);
            p.payload_type = 102;
            p.marker = (uint8_t)marker;
            p.seq = seq++;
            p.timestamp = ts_of(i);
            p.ssrc = 0x264;
            p.payload = payload;
            p.payload_len = plen;
            peerc__rtp_write(&p, pkts[npkts].b, sizeof pkts[npkts].b, &pkts[npkts].n);
            npkts++;
        }
    }
    s->first_pkt[NF] = npkts;
}

static void free_stream(stream *s)
{
    for (int i = 0; i < NF; i++)
        au_free(&s->f[i]);
}

typedef struct result {
    uint32_t got; /* bitmap of frames that came out intact */
    int bad;      /* frames that came out wrong */
    int gaps;     /* after_gap frames */
    int drops;    /* drop reports */
    int dropped;  /* frames in them */
    int reasons[8];
} result;

static void on_drop(void *user, const peerc_rtp_drop *d)
{
    result *r = user;
    if (r->drops < 8)
        r->reasons[r->drops] = d->reason;
    r->drops++;
    r->dropped += (int)d->frames;
}

static void check_out(const stream *s, const peerc_rtp_frame *f, result *r)
{
    uint32_t idx = (f->timestamp - TS0) / 3000u;
    if (idx < NF && f->timestamp == ts_of((int)idx) && f->len == s->f[idx].want_len &&
        memcmp(f->data, s->f[idx].want, f->len) == 0 && f->keyframe == s->f[idx].key)
        r->got |= 1u << idx;
    else
        r->bad++;
    if (f->after_gap)
        r->gaps++;
}

/* Feed pkts in the given order (-1 skips) and collect frames. */
static result run(const stream *s, const int *order, size_t n, int wait_key,
                  peerc_rtp_h264_depacketizer *keep)
{
    result r;
    memset(&r, 0, sizeof r);
    peerc_rtp_asm_config cfg;
    peerc__rtp_asm_config_default(&cfg);
    cfg.wait_keyframe = wait_key;
    cfg.on_drop = on_drop;
    cfg.user = &r;
    peerc_rtp_h264_depacketizer d;
    peerc__rtp_h264_depacketizer_init(&d, &cfg);
    for (size_t k = 0; k < n; k++) {
        if (order[k] < 0)
            continue;
        peerc_rtp_packet p;
        peerc__rtp_parse(pkts[order[k]].b, pkts[order[k]].n, &p);
        peerc__rtp_h264_depacketizer_push(&d, &p, (int64_t)k);
        peerc_rtp_frame f;
        while (peerc__rtp_h264_depacketizer_pop(&d, &f) == 1) {
            check_out(s, &f, &r);
            peerc__rtp_frame_clear(&f);
        }
    }
    if (keep)
        *keep = d;
    else
        peerc__rtp_h264_depacketizer_free(&d);
    return r;
}

static void shuffle(int *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = rnd((uint32_t)i);
        int t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

static void identity(int *order, size_t n)
{
    for (size_t i = 0; i < n; i++)
        order[i] = (int)i;
}

#define ALL ((1u << NF) - 1)

static uint32_t frames(int from, int to) /* [from, to) */
{
    uint32_t m = 0;
    for (int i = from; i < to; i++)
        m |= 1u << i;
    return m;
}

/* A packet of frame f in the middle of an FU-A: neither S nor E. */
static size_t middle_fu(const stream *s, int f)
{
    for (size_t i = s->first_pkt[f]; i < s->first_pkt[f + 1]; i++) {
        const uint8_t *pl = pkts[i].b + 12;
        if ((pl[0] & 0x1f) == 28 && !(pl[1] & 0xc0))
            return i;
    }
    return SIZE_MAX;
}

static void test_depacketizer(void)
{
    static stream s;
    static int order[2 * MAXPK + 8];
    make_stream(&s, 65500); /* sequence numbers wrap in frame 0 */
    size_t n = npkts;
    diag("%d frames in %zu packets", NF, n);
    uint32_t keys = 0;
    for (int i = 0; i < NF; i++)
        keys |= (uint32_t)s.f[i].key << i;
    ok(keys == ((1u << 0) | (1u << 8) | (1u << 16)), "key frames are 0, 8 and 16");

    identity(order, n);
    result r = run(&s, order, n, 1, NULL);
    ok(r.got == ALL && !r.bad && !r.drops && !r.gaps,
       "in order: all %d frames byte-identical, key frames flagged, nothing dropped", NF);

    /* Every frame's packets shuffled.  Frame 0's first packet stays first:
     * at the start of a stream nothing tells whether packets are missing
     * before the first one received (h264.h). */
    for (int f = 0; f < NF; f++) {
        size_t from = s.first_pkt[f] + (f == 0), cnt = s.first_pkt[f + 1] - from;
        shuffle(order + from, cnt);
    }
    r = run(&s, order, n, 1, NULL);
    ok(r.got == ALL && !r.bad && !r.drops, "shuffled within frames: all frames intact");

    int *dup = malloc(2 * n * sizeof *dup);
    for (size_t i = 0; i < n; i++)
        dup[2 * i] = dup[2 * i + 1] = (int)i;
    peerc_rtp_h264_depacketizer d;
    r = run(&s, dup, 2 * n, 1, &d);
    ok(r.got == ALL && !r.bad && !r.drops, "every packet twice: all frames");
    ok(d.as.packets_duplicate + d.as.packets_late == n, "  duplicates counted");
    peerc__rtp_h264_depacketizer_free(&d);
    free(dup);

    /* A middle FU-A of key frame 8 lost. */
    size_t mid = middle_fu(&s, 8);
    identity(order, n);
    order[mid] = -1;
    r = run(&s, order, n, 1, NULL);
    ok(r.got == (frames(0, 8) | frames(16, NF)) && !r.bad,
       "middle FU-A of key frame 8 lost: 8..15 dropped, from key frame 16 on again");
    ok(r.drops >= 1 && r.reasons[0] == PEERC_RTP_DROP_INCOMPLETE && r.dropped == 8 && r.gaps == 1,
       "  reported INCOMPLETE, 8 frames in all, frame 16 flagged after_gap");
    r = run(&s, order, n, 0, NULL);
    ok(r.got == (ALL & ~(1u << 8)) && !r.bad && r.dropped == 1,
       "  without wait_keyframe only frame 8 is lost");

    /* The first packet of frame 8 (STAP-A of AUD, SPS, PPS) lost: the rest
     * must not come out as a truncated key frame. */
    identity(order, n);
    order[s.first_pkt[8]] = -1;
    r = run(&s, order, n, 0, NULL);
    ok(r.got == (ALL & ~(1u << 8)) && !r.bad && r.dropped == 1,
       "first packet of key frame 8 lost: frame 8 dropped, never truncated");

    /* The marker packet of frame 5 lost: where frame 6 begins is unknown,
     * so 6 goes too (the documented price), 7 is fine. */
    identity(order, n);
    size_t last5 = s.first_pkt[6] - 1;
    order[last5] = -1;
    r = run(&s, order, n, 0, NULL);
    ok(r.got == (ALL & ~(3u << 5)) && !r.bad && r.drops == 1 && r.dropped == 2 && r.gaps == 1,
       "marker packet of frame 5 lost: frames 5 and 6 dropped in one report");
    /* ... unless it arrives late (a retransmission) before frame 7. */
    size_t at = s.first_pkt[7];
    memmove(order + at + 1, order + at, (n - at) * sizeof *order);
    order[at] = (int)last5;
    r = run(&s, order, n + 1, 0, NULL);
    ok(r.got == ALL && !r.bad && !r.drops,
       "  arriving after frame 6's packets: frames 5 and 6 both complete");

    /* Whole frames lost: the next frame's start is unknown too unless its
     * first packet begins with an AUD or SPS (frame 8: AUD). */
    identity(order, n);
    for (size_t i = s.first_pkt[3]; i < s.first_pkt[5]; i++)
        order[i] = -1;
    r = run(&s, order, n, 0, NULL);
    ok(r.got == (ALL & ~(7u << 3)) && !r.bad && r.gaps == 1,
       "frames 3 and 4 lost entirely: 5 (a P slice first) goes too, the rest decodable");
    identity(order, n);
    for (size_t i = s.first_pkt[6]; i < s.first_pkt[8]; i++)
        order[i] = -1;
    r = run(&s, order, n, 1, NULL);
    ok(r.got == (frames(0, 6) | frames(8, NF)) && !r.bad && r.gaps == 1,
       "frames 6 and 7 lost entirely: key frame 8 (AUD first) still comes out");

    /* Joining on a delta frame with wait_keyframe. */
    identity(order, n);
    for (size_t i = 0; i < s.first_pkt[2]; i++)
        order[i] = -1;
    r = run(&s, order, n, 1, NULL);
    ok(r.got == frames(8, NF) && !r.bad, "joining at frame 2: output from key frame 8");

    /* Hostile packets. */
    peerc__rtp_h264_depacketizer_init(&d, NULL);
    static const uint8_t bad_payloads[][4] = {
        {0x80, 0x01}, /* forbidden bit */
        {0x00, 0x01}, /* type 0 */
        {0x1e, 0x01}, /* type 30 */
        {0x1f, 0x01}, /* type 31 */
        {0x19, 0x01}, /* STAP-B */
        {0x1d, 0x85}, /* FU-B */
        {0x78, 0x00}, /* STAP-A cut in a size */
        {0x7c},       /* FU-A without FU header */
        {0x7c, 0xc5}, /* FU-A with S and E */
    };
    static const size_t bad_lens[] = {2, 2, 2, 2, 2, 2, 2, 1, 2};
    peerc_rtp_packet p;
    memset(&p, 0, sizeof p);
    int all = 1;
    for (size_t i = 0; i < sizeof bad_lens / sizeof *bad_lens; i++) {
        uint8_t *copy = malloc(bad_lens[i]);
        memcpy(copy, bad_payloads[i], bad_lens[i]);
        p.payload = copy;
        p.payload_len = bad_lens[i];
        p.seq = (uint16_t)i;
        if (peerc__rtp_h264_depacketizer_push(&d, &p, 0) != PEERC_E_SYNTAX)
            all = 0;
        free(copy);
    }
    p.payload = NULL;
    p.payload_len = 0;
    if (peerc__rtp_h264_depacketizer_push(&d, &p, 0) != PEERC_E_SYNTAX)
        all = 0;
    ok(all && d.packets_invalid == 10 && d.as.count == 0,
       "hostile payloads: SYNTAX, counted, nothing stored");
    peerc__rtp_h264_depacketizer_free(&d);
    free_stream(&s);
}

/* A frame that is complete to the assembler but whose NAL units cannot be
 * rebuilt (a sender sending an FU-A end without its start) is discarded. */
static void test_invalid_frame(void)
{
    peerc_rtp_h264_depacketizer d;
    result r;
    memset(&r, 0, sizeof r);
    peerc_rtp_asm_config cfg;
    peerc__rtp_asm_config_default(&cfg);
    cfg.wait_keyframe = 0;
    cfg.on_drop = on_drop;
    cfg.user = &r;
    peerc__rtp_h264_depacketizer_init(&d, &cfg);
    static const uint8_t single[] = {0x41, 0x9a, 0x01};
    static const uint8_t fu_end[] = {0x5c, 0x41, 0x22};
    peerc_rtp_packet p;
    memset(&p, 0, sizeof p);
    struct {
        const uint8_t *pl;
        size_t n;
        int marker;
        uint32_t ts;
    } seq[] = {{single, 3, 0, 100}, {fu_end, 3, 1, 100}, {single, 3, 1, 200}};
    int popped = 0, after_gap = 0;
    for (int i = 0; i < 3; i++) {
        p.payload = seq[i].pl;
        p.payload_len = seq[i].n;
        p.marker = (uint8_t)seq[i].marker;
        p.timestamp = seq[i].ts;
        p.seq = (uint16_t)(40 + i);
        peerc__rtp_h264_depacketizer_push(&d, &p, 0);
        peerc_rtp_frame f;
        while (peerc__rtp_h264_depacketizer_pop(&d, &f) == 1) {
            popped++;
            after_gap = f.after_gap && f.timestamp == 200;
            peerc__rtp_frame_clear(&f);
        }
    }
    ok(popped == 1 && after_gap && d.frames_invalid == 1 && r.drops == 1,
       "complete frame with an FU-A end but no start: discarded, reported, next after_gap");
    peerc__rtp_h264_depacketizer_free(&d);
}

/* ---- jitter buffer with NACK ---- */

static void test_jitter(void)
{
    static stream s;
    make_stream(&s, 1000);
    peerc_rtp_jitter jb;
    peerc_rtp_jitter_config cfg;
    peerc__rtp_jitter_config_default(&cfg);
    peerc__rtp_jitter_init(&jb, &cfg);
    peerc_rtp_h264_framer fr;
    is_int(peerc__rtp_h264_framer_init(&fr, cfg.assembler.window), PEERC_OK, "framer init");
    peerc_rtp_unwrapper uw;
    peerc__rtp_unwrapper_init(&uw);
    size_t mid = middle_fu(&s, 8);
    result r;
    memset(&r, 0, sizeof r);
    int64_t nacked = -1;
    uint8_t buf[1600];
    for (size_t k = 0; k <= npkts; k++) {
        size_t i = k;
        if (k == mid)
            continue;
        if (k == npkts)
            i = mid; /* the retransmission, last */
        int64_t now = (int64_t)k;
        peerc_rtp_packet p;
        peerc__rtp_parse(pkts[i].b, pkts[i].n, &p);
        peerc_rtp_asm_packet ap;
        int64_t seq = peerc__rtp_unwrap(&uw, p.seq);
        if (peerc__rtp_h264_to_asm_packet(&p, seq, now, buf, sizeof buf, &ap) != PEERC_OK)
            r.bad++;
        if (peerc__rtp_jitter_insert(&jb, &ap, now) >= 0)
            peerc__rtp_h264_framer_update(&fr, &jb.as, &ap);
        int64_t miss[16];
        size_t nm = peerc__rtp_jitter_nacks(&jb, now, 5, miss, 16);
        for (size_t m = 0; m < nm; m++)
            if (miss[m] == 1000 + (int64_t)mid)
                nacked = miss[m];
        peerc_rtp_frame f;
        while (peerc__rtp_jitter_pop(&jb, now, &f) == 1) {
            size_t need = 0;
            uint8_t *a = NULL;
            if (peerc__rtp_h264_frame_to_annexb(f.data, f.len, NULL, 0, &need) == PEERC_OK &&
                (a = malloc(need)) != NULL &&
                peerc__rtp_h264_frame_to_annexb(f.data, f.len, a, need, &need) == PEERC_OK) {
                free(f.data);
                f.data = a;
                f.len = need;
                check_out(&s, &f, &r);
            } else {
                free(a);
                r.bad++;
            }
            peerc__rtp_frame_clear(&f);
        }
    }
    ok(nacked >= 0, "the missing middle FU-A of frame 8 is NACKed");
    ok(r.got == ALL && !r.bad && jb.timeouts == 0,
       "retransmitted within max_wait: all frames, in order, intact");
    peerc__rtp_h264_framer_free(&fr);
    peerc__rtp_jitter_free(&jb);
    free_stream(&s);
}

/* ---- frames and payloads from hostile senders ---- */

typedef struct piece {
    uint16_t seq;
    const char *hex;
} piece;

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = 0;
    while (h[0] && h[1]) {
        unsigned v;
        sscanf(h, "%2x", &v);
        out[n++] = (uint8_t)v;
        h += 2;
        while (*h == ' ')
            h++;
    }
    return n;
}

/* Build pieces into an exactly sized heap buffer and convert. */
static int convert(const piece *ps, int n, uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t tmp[512];
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        size_t len = unhex(ps[i].hex, tmp + off + 4);
        tmp[off] = (uint8_t)(ps[i].seq >> 8);
        tmp[off + 1] = (uint8_t)ps[i].seq;
        tmp[off + 2] = (uint8_t)(len >> 8);
        tmp[off + 3] = (uint8_t)len;
        off += 4 + len;
    }
    uint8_t *b = malloc(off ? off : 1);
    memcpy(b, tmp, off);
    int rc = peerc__rtp_h264_frame_to_annexb(b, off, out, cap, out_len);
    free(b);
    return rc;
}

static void test_frames(void)
{
    uint8_t out[256];
    size_t n = 0;
    /* STAP-A (SPS, PPS), FU-A IDR in three fragments, across a seq wrap. */
    piece good[] = {{65534, "78 0003 674200 0002 68ce"},
                    {65535, "7c 85 aa bb"},
                    {0, "7c 05 cc"},
                    {1, "7c 45 dd ee"}};
    static const uint8_t want[] = {0,    0, 0, 1, 0x67, 0x42, 0x00, 0,    0,    0,    1,   0x68,
                                   0xce, 0, 0, 0, 1,    0x65, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
    is_int(convert(good, 4, NULL, 0, &n), PEERC_OK, "STAP-A + FU-A: size query");
    is_int(n, sizeof want, "  %zu bytes", sizeof want);
    is_int(convert(good, 4, out, sizeof out, &n), PEERC_OK, "  converts");
    ok(n == sizeof want && memcmp(out, want, n) == 0, "  start codes, NAL header from F|NRI|type");
    is_int(convert(good, 4, out, 10, &n), PEERC_E_RANGE, "  small output: RANGE");

    struct {
        const char *name;
        piece p[4];
        int n;
    } bad[] = {
        {"FU-A with a missing middle fragment (seq gap)", {{10, "7c 85 aa"}, {12, "7c 45 bb"}}, 2},
        {"FU-A end without a start", {{10, "41 9a"}, {11, "7c 45 bb"}}, 2},
        {"FU-A middle first", {{10, "7c 05 aa"}, {11, "7c 45 bb"}}, 2},
        {"FU-A start, then a single NAL unit", {{10, "7c 85 aa"}, {11, "41 9a"}}, 2},
        {"FU-A start, then a STAP-A", {{10, "7c 85 aa"}, {11, "78 0001 09"}}, 2},
        {"FU-A never finished", {{10, "7c 85 aa"}, {11, "7c 05 bb"}}, 2},
        {"FU-A restarted", {{10, "7c 85 aa"}, {11, "7c 85 bb"}, {12, "7c 45 cc"}}, 3},
        {"FU-A changes NAL type", {{10, "7c 85 aa"}, {11, "7c 41 bb"}}, 2},
        {"FU-A with S and E", {{10, "7c c5 aa"}}, 1},
        {"FU-A carrying type 28", {{10, "7c 9c aa"}, {11, "7c 5c bb"}}, 2},
        {"FU-A carrying type 0", {{10, "7c 80 aa"}, {11, "7c 40 bb"}}, 2},
        {"STAP-A size beyond the packet", {{10, "78 0005 6742"}}, 1},
        {"STAP-A cut inside a size", {{10, "78 0002 6742 00"}}, 1},
        {"STAP-A with a zero-size unit", {{10, "78 0000 0002 6742"}}, 1},
        {"STAP-A without units", {{10, "78"}}, 1},
        {"STAP-A inside STAP-A", {{10, "78 0003 780001"}}, 1},
        {"STAP-A holding an FU-A", {{10, "78 0003 7c8501"}}, 1},
        {"STAP-A unit with the forbidden bit", {{10, "78 0002 e742"}}, 1},
        {"forbidden bit", {{10, "c1 9a"}}, 1},
        {"NAL type 0", {{10, "00 9a"}}, 1},
        {"NAL type 30", {{10, "1e 9a"}}, 1},
        {"NAL type 31", {{10, "1f 9a"}}, 1},
        {"MTAP16", {{10, "1a 9a"}}, 1},
        {"zero-length payload", {{10, ""}}, 1},
        {"no pieces", {{0, ""}}, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        is_int(convert(bad[i].p, bad[i].n, out, sizeof out, &n), PEERC_E_SYNTAX, "%s: SYNTAX",
               bad[i].name);

    /* Truncated piece headers and lengths. */
    static const uint8_t cut1[] = {0x00, 0x0a, 0x00};
    static const uint8_t cut2[] = {0x00, 0x0a, 0x00, 0x05, 0x41, 0x9a};
    uint8_t *c = malloc(sizeof cut2);
    memcpy(c, cut1, sizeof cut1);
    is_int(peerc__rtp_h264_frame_to_annexb(c, sizeof cut1, out, sizeof out, &n), PEERC_E_SYNTAX,
           "piece header cut: SYNTAX");
    memcpy(c, cut2, sizeof cut2);
    is_int(peerc__rtp_h264_frame_to_annexb(c, sizeof cut2, out, sizeof out, &n), PEERC_E_SYNTAX,
           "piece longer than the frame: SYNTAX");
    free(c);

    /* to_asm_packet: the piece, the flags of one packet, RANGE. */
    static const uint8_t fu_idr[] = {0x7c, 0x85, 0xaa};
    peerc_rtp_packet p;
    memset(&p, 0, sizeof p);
    p.payload = fu_idr;
    p.payload_len = sizeof fu_idr;
    p.timestamp = 9000;
    p.marker = 1;
    peerc_rtp_asm_packet ap;
    uint8_t buf[16];
    is_int(peerc__rtp_h264_to_asm_packet(&p, 0x12345, 7, buf, sizeof buf, &ap), PEERC_OK,
           "to_asm_packet");
    ok(ap.len == 7 && ap.data == buf && buf[0] == 0x23 && buf[1] == 0x45 && buf[2] == 0 &&
           buf[3] == 3 && memcmp(buf + 4, fu_idr, 3) == 0,
       "  piece: seq 0x2345, length 3, payload");
    ok(ap.frame_start && ap.keyframe && ap.frame_end && ap.seq == 0x12345 && ap.timestamp == 9000,
       "  FU-A start of an IDR: begins a NAL unit and an IDR slice; marker");
    is_int(peerc__rtp_h264_to_asm_packet(&p, 1, 7, buf, 6, &ap), PEERC_E_RANGE,
           "  buffer too small: RANGE");
}

/* ---- fmtp ---- */

/* H.264 fmtp lines of Chromium 156's offer (tests/data), in order. */
static const struct {
    int pt;
    const char *fmtp;
} chromium[] = {
    {102, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f"},
    {104, "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f"},
    {108, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"},
    {114, "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f"},
    {116, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f"},
    {39, "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f"},
};
#define NCHROMIUM (sizeof chromium / sizeof *chromium)

/* The capture, when the test runs with top_srcdir set (make check). */
static void check_capture(void)
{
    const char *top = getenv("top_srcdir");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/chromium-156-offer-audio-video-data.sdp",
             top && *top ? top : ".");
    FILE *f = fopen(path, "rb");
    if (!f) {
        ok(1, "# SKIP %s not found (set top_srcdir)", path);
        return;
    }
    char line[512];
    size_t found = 0;
    int same = 1;
    while (fgets(line, sizeof line, f)) {
        int pt;
        char rest[400];
        if (sscanf(line, "a=fmtp:%d %399[^\r\n]", &pt, rest) != 2 ||
            !strstr(rest, "packetization-mode"))
            continue;
        if (found >= NCHROMIUM || chromium[found].pt != pt || strcmp(chromium[found].fmtp, rest))
            same = 0;
        found++;
    }
    fclose(f);
    ok(same && found == NCHROMIUM, "the capture has these %zu H.264 fmtp lines", NCHROMIUM);
}

static void test_fmtp(void)
{
    peerc_rtp_h264_fmtp f;
    is_int(peerc__rtp_h264_fmtp_parse(
               "profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1", &f),
           PEERC_OK, "parse the usual line");
    ok(f.profile_idc == 0x42 && f.profile_iop == 0xe0 && f.level_idc == 31 &&
           f.packetization_mode == 1 && f.level_asymmetry_allowed && f.has_profile_level_id &&
           f.profile == PEERC_H264_PROFILE_CONSTRAINED_BASELINE && !f.level_1b,
       "  42 e0 1f: Constrained Baseline 3.1, mode 1, asymmetry allowed");

    check_capture();
    static const int prof[NCHROMIUM] = {PEERC_H264_PROFILE_BASELINE,
                                        PEERC_H264_PROFILE_BASELINE,
                                        PEERC_H264_PROFILE_CONSTRAINED_BASELINE,
                                        PEERC_H264_PROFILE_CONSTRAINED_BASELINE,
                                        PEERC_H264_PROFILE_MAIN,
                                        PEERC_H264_PROFILE_MAIN};
    int all = 1;
    for (size_t i = 0; i < NCHROMIUM; i++) {
        if (peerc__rtp_h264_fmtp_parse(chromium[i].fmtp, &f) != PEERC_OK || f.profile != prof[i] ||
            f.level_idc != 31 || f.packetization_mode != (i % 2 == 0) || !f.level_asymmetry_allowed)
            all = 0;
    }
    ok(all, "Chromium's six: Baseline, Constrained Baseline, Main at 3.1, modes 1 and 0");

    struct {
        const char *id;
        int profile;
        int level_1b;
    } ids[] = {
        {"64001f", PEERC_H264_PROFILE_HIGH, 0},
        {"640c1f", PEERC_H264_PROFILE_CONSTRAINED_HIGH, 0},
        {"f4001f", PEERC_H264_PROFILE_OTHER, 0},
        {"42c01f", PEERC_H264_PROFILE_CONSTRAINED_BASELINE, 0},
        {"4de01f", PEERC_H264_PROFILE_CONSTRAINED_BASELINE, 0},
        {"58f01f", PEERC_H264_PROFILE_CONSTRAINED_BASELINE, 0},
        {"58a01f", PEERC_H264_PROFILE_BASELINE, 0},
        {"4d401f", PEERC_H264_PROFILE_MAIN, 0},
        {"42f00b", PEERC_H264_PROFILE_CONSTRAINED_BASELINE, 1},
        {"42e00b", PEERC_H264_PROFILE_CONSTRAINED_BASELINE, 0},
        {"640009", PEERC_H264_PROFILE_HIGH, 1},
    };
    all = 1;
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        char line[64];
        snprintf(line, sizeof line, "packetization-mode=1;profile-level-id=%s", ids[i].id);
        if (peerc__rtp_h264_fmtp_parse(line, &f) != PEERC_OK || f.profile != ids[i].profile ||
            f.level_1b != ids[i].level_1b) {
            diag("%s: profile %d level_1b %d", ids[i].id, f.profile, f.level_1b);
            all = 0;
        }
    }
    ok(all, "High, Constrained High, High 4:4:4, CB spellings, Baseline, Main, level 1b");

    is_int(peerc__rtp_h264_fmtp_parse(NULL, &f), PEERC_OK, "no fmtp");
    ok(f.profile_idc == 0x42 && f.profile_iop == 0 && f.level_idc == 10 &&
           f.profile == PEERC_H264_PROFILE_BASELINE && f.packetization_mode == 0 &&
           !f.has_profile_level_id && !f.level_asymmetry_allowed,
       "  defaults (§8.1): Baseline level 1, mode 0");
    is_int(peerc__rtp_h264_fmtp_parse(
               " Profile-Level-Id = 42E01F ; PACKETIZATION-MODE=1;sprop-parameter-sets=Z0IA,aM4=;",
               &f),
           PEERC_OK, "blanks, case, unknown parameters");
    ok(f.profile_iop == 0xe0 && f.level_idc == 31 && f.packetization_mode == 1, "  read right");
    static const char *const bad[] = {"profile-level-id=42e01",    "profile-level-id=42e01g",
                                      "profile-level-id=42e01f0",  "packetization-mode=3",
                                      "packetization-mode=",       "packetization-mode=11",
                                      "level-asymmetry-allowed=2", "profile-level-id="};
    all = 1;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (peerc__rtp_h264_fmtp_parse(bad[i], &f) != PEERC_E_SYNTAX)
            all = 0;
    ok(all, "malformed values: SYNTAX");

    /* Answering Chromium's offer. */
    const char *ours1 = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f";
    const char *ours0 = "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f";
    const char *main1 = "packetization-mode=1;profile-level-id=4d0028";
    const char *high1 = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c34";
    int m1 = 0, m0 = 0, mm = 0, mh = 0;
    for (size_t i = 0; i < NCHROMIUM; i++) {
        m1 |= (peerc__rtp_h264_fmtp_match(chromium[i].fmtp, ours1, NULL) == 1) << i;
        m0 |= (peerc__rtp_h264_fmtp_match(chromium[i].fmtp, ours0, NULL) == 1) << i;
        mm |= (peerc__rtp_h264_fmtp_match(chromium[i].fmtp, main1, NULL) == 1) << i;
        mh |= (peerc__rtp_h264_fmtp_match(chromium[i].fmtp, high1, NULL) == 1) << i;
    }
    is_int(m1, 1 << 2, "CB mode 1 answers pt 108 only (42001f is Baseline, not CB)");
    is_int(m0, 1 << 3, "CB mode 0 answers pt 114 only");
    is_int(mm, 1 << 4, "Main mode 1 answers pt 116 only");
    is_int(mh, 0, "Constrained High matches none of them");

    peerc_rtp_h264_fmtp ans;
    char line[128];
    is_int(peerc__rtp_h264_fmtp_match(chromium[2].fmtp, ours1, &ans), 1, "answer for pt 108");
    peerc__rtp_h264_fmtp_format(&ans, line, sizeof line);
    is_str(line, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
           "  as written");
    is_int(peerc__rtp_h264_fmtp_match(chromium[4].fmtp, main1, &ans), 1, "answer for pt 116");
    peerc__rtp_h264_fmtp_format(&ans, line, sizeof line);
    is_str(line, "packetization-mode=1;profile-level-id=4d001f",
           "  no asymmetry on our side: the lower level (3.1, not our 4.0)");
    ok(peerc__rtp_h264_fmtp_match("packetization-mode=1;profile-level-id=42c01f", ours1, NULL) ==
               1 &&
           peerc__rtp_h264_fmtp_match("packetization-mode=1;profile-level-id=4de01f", ours1,
                                      NULL) == 1,
       "42c0 and 4de0 offers match our 42e0 (one Constrained Baseline)");
    is_int(peerc__rtp_h264_fmtp_match("packetization-mode=1;profile-level-id=64001f",
                                      "packetization-mode=1;profile-level-id=640c1f", NULL),
           0, "High does not match Constrained High");
    is_int(peerc__rtp_h264_fmtp_match("packetization-mode=1;profile-level-id=f4001f",
                                      "packetization-mode=1;profile-level-id=f40032", NULL),
           1, "High 4:4:4 Predictive by its bytes");
    is_int(peerc__rtp_h264_fmtp_match("packetization-mode=2;profile-level-id=42e01f",
                                      "packetization-mode=2;profile-level-id=42e01f", NULL),
           0, "mode 2 is not supported");
    is_int(peerc__rtp_h264_fmtp_match("", "profile-level-id=42001f", NULL), 1,
           "no fmtp (Baseline 1, mode 0) matches Baseline mode 0");
    is_int(peerc__rtp_h264_fmtp_match("profile-level-id=zz", ours1, NULL), PEERC_E_SYNTAX,
           "malformed offer: SYNTAX");

    struct {
        const char *offer, *local, *want;
    } lv[] = {
        {"level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
         "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e034",
         "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e034"},
        {"packetization-mode=1;profile-level-id=42e01f",
         "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e034",
         "packetization-mode=1;profile-level-id=42e01f"},
        {"packetization-mode=1;profile-level-id=42e034",
         "packetization-mode=1;profile-level-id=42e01f",
         "packetization-mode=1;profile-level-id=42e01f"},
        {"packetization-mode=1;profile-level-id=42f00b",
         "packetization-mode=1;profile-level-id=42e00c",
         "packetization-mode=1;profile-level-id=42f00b"},
        {"packetization-mode=1;profile-level-id=42e00c",
         "packetization-mode=1;profile-level-id=42f00b",
         "packetization-mode=1;profile-level-id=42f00b"},
        {"packetization-mode=1;profile-level-id=42e00a",
         "packetization-mode=1;profile-level-id=42f00b",
         "packetization-mode=1;profile-level-id=42e00a"},
        {"packetization-mode=1;profile-level-id=640c34",
         "packetization-mode=1;profile-level-id=640c09",
         "packetization-mode=1;profile-level-id=640c09"},
    };
    all = 1;
    for (size_t i = 0; i < sizeof lv / sizeof *lv; i++) {
        if (peerc__rtp_h264_fmtp_match(lv[i].offer, lv[i].local, &ans) != 1 ||
            peerc__rtp_h264_fmtp_format(&ans, line, sizeof line) < 0 || strcmp(line, lv[i].want)) {
            diag("case %zu: got %s", i, line);
            all = 0;
        }
    }
    ok(all, "answer levels: ours with asymmetry on both sides, else the lower; 1b in order");
    is_int(peerc__rtp_h264_fmtp_format(&ans, line, 20), PEERC_E_RANGE, "format: RANGE");
}

/* ---- fuzz ---- */

static uint8_t *heap_copy(const uint8_t *p, size_t n)
{
    uint8_t *b = malloc(n ? n : 1);
    if (n)
        memcpy(b, p, n);
    return b;
}

/* Random bytes biased towards H.264 structure: a packet type from the
 * interesting ones, FU headers, STAP-A sizes that may or may not fit. */
static size_t random_payload(uint8_t *b, size_t cap)
{
    size_t n = rnd((uint32_t)cap);
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)rnd(256);
    if (n) {
        static const uint8_t types[] = {0, 1, 5, 7, 8, 24, 24, 28, 28, 28, 25, 29, 30, 31};
        b[0] = (uint8_t)((rnd(8) ? 0 : 0x80) | rnd(4) << 5 | types[rnd(sizeof types)]);
    }
    if (n > 2 && (b[0] & 0x1f) == 24 && rnd(2)) {
        b[1] = 0;
        b[2] = (uint8_t)rnd((uint32_t)n);
    }
    if (n > 1 && (b[0] & 0x1f) == 28)
        b[1] = (uint8_t)((rnd(4) << 6) | (rnd(8) ? 5 : (uint8_t)rnd(32)));
    return n;
}

static void test_fuzz(void)
{
    lcg_state = 20240611;
    static stream s;
    make_stream(&s, 30000);
    peerc_rtp_h264_depacketizer d;
    peerc_rtp_asm_config cfg;
    peerc__rtp_asm_config_default(&cfg);
    cfg.window = 256;
    cfg.wait_keyframe = 0;
    peerc__rtp_h264_depacketizer_init(&d, &cfg);
    unsigned long accepted = 0, converted = 0, frames_out = 0, aus = 0;
    int bad = 0;
    uint16_t seq = 0;
    uint32_t ts = 0;
    static uint8_t tmp[8192], out[16384];
    for (int it = 0; it < 20000; it++) {
        switch (it % 5) {
        case 0:
        case 1: { /* a packet into the depacketizer: random or a mutated real one */
            peerc_rtp_packet p;
            memset(&p, 0, sizeof p);
            size_t n;
            if (it % 5 == 0) {
                n = random_payload(tmp, 80);
            } else {
                size_t k = rnd((uint32_t)npkts);
                n = pkts[k].n - 12;
                memcpy(tmp, pkts[k].b + 12, n);
                for (int e = (int)rnd(3); e > 0 && n; e--)
                    tmp[rnd((uint32_t)n)] ^= (uint8_t)(1u << rnd(8));
                if (rnd(4) == 0)
                    n = rnd((uint32_t)n + 1);
            }
            uint8_t *b = heap_copy(tmp, n);
            p.payload = b;
            p.payload_len = n;
            seq = (uint16_t)(seq + (rnd(8) ? 1 : (uint16_t)rnd(40) - 20));
            if (rnd(6) == 0)
                ts += 3000;
            p.seq = seq;
            p.timestamp = ts;
            p.marker = rnd(5) == 0;
            int rc = peerc__rtp_h264_depacketizer_push(&d, &p, it);
            if (rc != PEERC_OK && rc != 0 && rc != 1 && rc != PEERC_E_SYNTAX)
                bad++;
            accepted += rc == 1;
            free(b);
            peerc_rtp_frame f;
            while (peerc__rtp_h264_depacketizer_pop(&d, &f) == 1) {
                frames_out++;
                if (f.len < 5 || memcmp(f.data, "\0\0\0\1", 4) != 0)
                    bad++;
                peerc__rtp_frame_clear(&f);
            }
            break;
        }
        case 2: { /* random pieces */
            size_t n = 0;
            int np = (int)rnd(5);
            uint16_t sq = (uint16_t)rnd(65536);
            for (int i = 0; i < np && n + 90 < sizeof tmp; i++) {
                size_t pl = random_payload(tmp + n + 4, 80);
                uint16_t len = (uint16_t)(rnd(10) ? pl : rnd(200));
                tmp[n] = (uint8_t)(sq >> 8);
                tmp[n + 1] = (uint8_t)sq;
                tmp[n + 2] = (uint8_t)(len >> 8);
                tmp[n + 3] = (uint8_t)len;
                n += 4 + pl;
                sq = (uint16_t)(sq + (rnd(10) ? 1 : 2));
            }
            if (rnd(4) == 0 && n)
                n = rnd((uint32_t)n);
            uint8_t *b = heap_copy(tmp, n);
            size_t need = 0, got = 0;
            if (peerc__rtp_h264_frame_to_annexb(b, n, NULL, 0, &need) == PEERC_OK) {
                uint8_t *o = malloc(need ? need : 1);
                if (peerc__rtp_h264_frame_to_annexb(b, n, o, need, &got) != PEERC_OK || got != need)
                    bad++;
                free(o);
                converted++;
            }
            free(b);
            break;
        }
        case 3: { /* random Annex B into the packetizer and back */
            size_t n = rnd(600);
            for (size_t i = 0; i < n; i++)
                tmp[i] = rnd(3) ? (uint8_t)rnd(256) : (uint8_t)rnd(2);
            if (n > 4 && rnd(2)) {
                tmp[0] = 0;
                tmp[1] = 0;
                tmp[2] = 1;
                tmp[3] &= 0x7f;
            }
            uint8_t *b = heap_copy(tmp, n);
            peerc_rtp_h264_packetizer pk;
            size_t max = 3 + rnd(300);
            if (peerc__rtp_h264_packetizer_init(&pk, b, n, max, (int)rnd(2)) == PEERC_OK) {
                static pkt ps[1024];
                int k = 0, marker = 0;
                while (k < 1024 && peerc__rtp_h264_packetizer_next(&pk, ps[k].b, sizeof ps[k].b,
                                                                   &ps[k].n, &marker) == 1) {
                    if (ps[k].n > max)
                        bad++;
                    k++;
                }
                if (!marker)
                    bad++;
                /* The expected output: each NAL unit behind 00 00 00 01. */
                size_t pos = 0, wl = 0, nl, ol;
                const uint8_t *nal;
                static uint8_t want[2048];
                while (peerc__rtp_h264_annexb_next(b, n, &pos, &nal, &nl) == 1) {
                    memcpy(want + wl, "\0\0\0\1", 4);
                    memcpy(want + wl + 4, nal, nl);
                    wl += 4 + nl;
                }
                size_t pl = pieces(ps, k, (uint16_t)it, out);
                if (peerc__rtp_h264_frame_to_annexb(out, pl, out + pl, sizeof out - pl, &ol) !=
                        PEERC_OK ||
                    ol != wl || memcmp(out + pl, want, wl) != 0)
                    bad++;
                aus++;
            }
            free(b);
            break;
        }
        default: { /* random fmtp text */
            static const char alphabet[] = "=;, \t0123456789abcdefgxAF-"
                                           "profile-level-id=packetization-mode=level-asymmetry-"
                                           "allowed=";
            size_t n = rnd(90);
            char *str = malloc(n + 1);
            for (size_t i = 0; i < n; i++)
                str[i] = alphabet[rnd(sizeof alphabet - 1)];
            str[n] = '\0';
            peerc_rtp_h264_fmtp f;
            peerc__rtp_h264_fmtp_parse(str, &f);
            peerc__rtp_h264_fmtp_match(str, "packetization-mode=1;profile-level-id=42e01f", NULL);
            free(str);
            break;
        }
        }
    }
    diag("fuzz: %lu packets stored, %lu frames out, %lu piece sets converted, %lu access units "
         "round-tripped",
         accepted, frames_out, converted, aus);
    ok(!bad, "20000 random inputs: no crash, consistent results");
    ok(aus > 100 && accepted > 1000, "  the structured cases were exercised");
    peerc__rtp_h264_depacketizer_free(&d);
    free_stream(&s);
}

int main(void)
{
    test_annexb();
    test_packetizer();
    test_depacketizer();
    test_invalid_frame();
    test_jitter();
    test_frames();
    test_fmtp();
    test_fuzz();
    return done_testing();
}

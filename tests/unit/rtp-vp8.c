/* VP8 payload format (RFC 7741): descriptor bytes against aiortc 1.4.0,
 * every field combination round trip, truncation, payload header, the
 * packetizer's sizes and flags, and the depacketizer with reordering,
 * duplicates, loss, sequence wrap and hostile packets (synthetic frames;
 * rtp-vp8-codec runs real libvpx frames through the same path). */
#include "rtp/vp8.h"

#include <peerc/common.h>

#include "../tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* aiortc VpxPayloadDescriptor bytes. */
static const uint8_t vp8_desc_min[] = {0x10};                     /* S=1 PID=0 */
static const uint8_t vp8_desc_pid7[] = {0x90, 0x80, 0x11};        /* S, PictureID 17 */
static const uint8_t vp8_desc_pid15[] = {0x83, 0x80, 0x92, 0x34}; /* PID 3, PictureID 0x1234 */
static const uint8_t vp8_desc_all[] = {0x90, 0xf0, 0x81,
                                       0x2c, 0x09, 0xb5}; /* 300, 9, TID 2 Y, KEYIDX 21 */

static int same_desc(const peerc_rtp_vp8_desc *a, const peerc_rtp_vp8_desc *b)
{
    return a->non_reference == b->non_reference && a->start == b->start &&
           a->partition == b->partition && a->picture_id == b->picture_id &&
           a->tl0picidx == b->tl0picidx && a->tid == b->tid &&
           (a->tid < 0 || a->layer_sync == b->layer_sync) && a->keyidx == b->keyidx;
}

static void check_vector(const char *name, const uint8_t *v, size_t n,
                         const peerc_rtp_vp8_desc *want)
{
    peerc_rtp_vp8_desc d;
    uint8_t *copy = malloc(n);
    memcpy(copy, v, n);
    is_int(peerc__rtp_vp8_desc_read(copy, n, &d), (int)n, "%s: reads %zu bytes", name, n);
    ok(same_desc(&d, want), "  fields");
    uint8_t out[8];
    is_int(peerc__rtp_vp8_desc_write(&d, out, sizeof out), (int)n, "  writes %zu bytes", n);
    ok(memcmp(out, v, n) == 0, "  byte-identical to aiortc");
    int trunc_ok = 1;
    for (size_t k = 0; k < n; k++) {
        uint8_t *t = malloc(k ? k : 1);
        memcpy(t, v, k);
        if (peerc__rtp_vp8_desc_read(k ? t : NULL, k, &d) != PEERC_E_SYNTAX)
            trunc_ok = 0;
        free(t);
    }
    ok(trunc_ok, "  every truncation is SYNTAX");
    free(copy);
}

static void test_descriptor(void)
{
    peerc_rtp_vp8_desc w;
    peerc__rtp_vp8_desc_init(&w);
    w.start = 1;
    check_vector("S only", vp8_desc_min, sizeof vp8_desc_min, &w);
    w.picture_id = 17;
    check_vector("7-bit PictureID", vp8_desc_pid7, sizeof vp8_desc_pid7, &w);
    peerc__rtp_vp8_desc_init(&w);
    w.partition = 3;
    w.picture_id = 0x1234;
    check_vector("15-bit PictureID", vp8_desc_pid15, sizeof vp8_desc_pid15, &w);
    peerc__rtp_vp8_desc_init(&w);
    w.start = 1;
    w.picture_id = 300;
    w.tl0picidx = 9;
    w.tid = 2;
    w.layer_sync = 1;
    w.keyidx = 21;
    check_vector("all extensions", vp8_desc_all, sizeof vp8_desc_all, &w);

    /* Every combination of optional fields round-trips. */
    int all = 1, count = 0;
    for (int mask = 0; mask < 64; mask++) {
        peerc_rtp_vp8_desc d, r;
        peerc__rtp_vp8_desc_init(&d);
        d.non_reference = mask & 1;
        d.start = (mask >> 1) & 1;
        d.partition = (uint8_t)(mask & 7);
        if (mask & 4)
            d.picture_id = (mask & 8) ? 0x7abc : 0x55;
        if (mask & 16) {
            d.tid = (int8_t)(mask & 3);
            d.layer_sync = (mask >> 3) & 1;
            if (mask & 8)
                d.tl0picidx = 200;
        }
        if (mask & 32)
            d.keyidx = 31;
        uint8_t buf[8];
        int n = peerc__rtp_vp8_desc_write(&d, buf, sizeof buf);
        if (n < 1 || n != peerc__rtp_vp8_desc_size(&d) ||
            peerc__rtp_vp8_desc_read(buf, (size_t)n, &r) != n || !same_desc(&d, &r))
            all = 0;
        count++;
    }
    ok(all, "%d field combinations round-trip", count);

    /* 7-bit ids may be forced into the 15-bit form (M bit) and read back. */
    peerc_rtp_vp8_desc d, r;
    peerc__rtp_vp8_desc_init(&d);
    d.picture_id = 5;
    d.picture_id_15 = 1;
    uint8_t buf[8];
    is_int(peerc__rtp_vp8_desc_write(&d, buf, sizeof buf), 4, "forced 15-bit PictureID: 4 bytes");
    peerc__rtp_vp8_desc_read(buf, 4, &r);
    ok(r.picture_id == 5 && r.picture_id_15, "  read back with M set");
    d.picture_id = 0x8000;
    is_int(peerc__rtp_vp8_desc_write(&d, buf, sizeof buf), PEERC_E_INVALID_ARGUMENT,
           "PictureID 0x8000 refused");
    peerc__rtp_vp8_desc_init(&d);
    d.tl0picidx = 3;
    is_int(peerc__rtp_vp8_desc_size(&d), PEERC_E_INVALID_ARGUMENT,
           "TL0PICIDX without TID refused (§4.2)");
    d.tid = 4;
    is_int(peerc__rtp_vp8_desc_size(&d), PEERC_E_INVALID_ARGUMENT, "TID 4 refused");
    peerc__rtp_vp8_desc_init(&d);
    d.partition = 8;
    is_int(peerc__rtp_vp8_desc_size(&d), PEERC_E_INVALID_ARGUMENT, "PID 8 refused");
    peerc__rtp_vp8_desc_init(&d);
    d.picture_id = 1;
    is_int(peerc__rtp_vp8_desc_write(&d, buf, 2), PEERC_E_RANGE, "short buffer: RANGE");
    /* Reading ignores the reserved bits; Y is reported only with T. */
    static const uint8_t resv[] = {0xc0 | 0x08, 0x0f, 0xff};
    is_int(peerc__rtp_vp8_desc_read(resv, 2, &r), 2, "reserved bits set: still 2 bytes");
    static const uint8_t konly[] = {0x80, 0x10, 0xff};
    peerc__rtp_vp8_desc_read(konly, 3, &r);
    ok(r.tid == -1 && r.layer_sync == 0 && r.keyidx == 31, "K without T: TID absent, KEYIDX 31");
}

static void test_payload_header(void)
{
    /* 640x480 key frame: tag (first_part_size 1234, show), start code, sizes. */
    uint32_t tag = 0 | (0 << 1) | (1 << 4) | (1234u << 5);
    uint8_t kf[10] = {
        (uint8_t)tag, (uint8_t)(tag >> 8), (uint8_t)(tag >> 16), 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0,
        0x41};
    peerc_rtp_vp8_payload_header h;
    is_int(peerc__rtp_vp8_payload_header_parse(kf, 10, &h), PEERC_OK, "key frame header");
    ok(h.keyframe && h.show_frame && h.first_part_size == 1234 && h.version == 0, "  tag fields");
    ok(h.width == 640 && h.height == 480 && h.hscale == 0 && h.vscale == 1, "  640x480, vscale 1");
    is_int(peerc__rtp_vp8_payload_header_parse(kf, 9, &h), PEERC_E_SYNTAX,
           "key frame cut at 9 bytes");
    kf[4] = 0;
    is_int(peerc__rtp_vp8_payload_header_parse(kf, 10, &h), PEERC_E_SYNTAX, "wrong start code");
    uint8_t inter[3] = {0x01 | (3 << 1), 0, 0};
    is_int(peerc__rtp_vp8_payload_header_parse(inter, 3, &h), PEERC_OK, "inter frame header");
    ok(!h.keyframe && h.version == 3 && !h.show_frame, "  P bit, version 3, hidden");
    is_int(peerc__rtp_vp8_payload_header_parse(inter, 2, &h), PEERC_E_SYNTAX,
           "2 bytes are too few");
}

/* ---- packetizer / depacketizer with synthetic frames ---- */

#define MAXPK 4096
typedef struct pkt {
    uint8_t b[1500];
    size_t n;
} pkt;

static pkt pkts[MAXPK];
static size_t npkts;

/* First byte even = key frame (inverse P bit, RFC 7741 §4.3). */
static uint8_t *make_frame(int index, int key, size_t len)
{
    uint8_t *f = malloc(len);
    for (size_t i = 0; i < len; i++)
        f[i] = (uint8_t)(index * 31 + i * 7);
    f[0] = (uint8_t)((index << 1) | (key ? 0 : 1));
    return f;
}

/* Append the packets of one frame. */
static size_t packetize(const uint8_t *f, size_t len, uint16_t *seq, uint32_t ts, int pic,
                        size_t max)
{
    peerc_rtp_vp8_desc d;
    peerc_rtp_vp8_packetizer pk;
    peerc__rtp_vp8_desc_init(&d);
    d.picture_id = pic & 0x7fff;
    d.picture_id_15 = 1;
    if (peerc__rtp_vp8_packetizer_init(&pk, f, len, &d, max) != PEERC_OK)
        return 0;
    size_t before = npkts;
    uint8_t payload[1500];
    size_t plen;
    int marker;
    while (peerc__rtp_vp8_packetizer_next(&pk, payload, sizeof payload, &plen, &marker) == 1) {
        peerc_rtp_packet p;
        memset(&p, 0, sizeof p);
        p.payload_type = 96;
        p.marker = (uint8_t)marker;
        p.seq = (*seq)++;
        p.timestamp = ts;
        p.ssrc = 0x1234;
        p.payload = payload;
        p.payload_len = plen;
        peerc__rtp_write(&p, pkts[npkts].b, sizeof pkts[npkts].b, &pkts[npkts].n);
        npkts++;
    }
    return npkts - before;
}

static void test_packetizer(void)
{
    uint8_t *f = make_frame(1, 1, 5000);
    peerc_rtp_vp8_desc d;
    peerc__rtp_vp8_desc_init(&d);
    d.picture_id = 1000;
    peerc_rtp_vp8_packetizer pk;
    is_int(peerc__rtp_vp8_packetizer_init(&pk, f, 5000, &d, 1200), PEERC_OK, "packetizer init");
    is_int(pk.packets, 5, "5000 bytes at 1200 (4-byte descriptor): 5 packets");
    uint8_t buf[1500], joined[5000];
    size_t n, off = 0, sizes[8];
    int marker, i = 0, flags_ok = 1;
    while (peerc__rtp_vp8_packetizer_next(&pk, buf, sizeof buf, &n, &marker) == 1) {
        peerc_rtp_vp8_desc r;
        int dl = peerc__rtp_vp8_desc_read(buf, n, &r);
        if (dl != 4 || r.start != (i == 0) || r.partition != 0 || r.picture_id != 1000 ||
            marker != (i == 4))
            flags_ok = 0;
        memcpy(joined + off, buf + dl, n - (size_t)dl);
        off += n - (size_t)dl;
        sizes[i++] = n;
    }
    ok(flags_ok, "  S on the first, marker on the last, same PictureID");
    ok(off == 5000 && memcmp(joined, f, 5000) == 0, "  pieces rebuild the frame");
    ok(sizes[0] == 1004 && sizes[4] == 1004, "  balanced: 1000 bytes each");
    is_int(peerc__rtp_vp8_packetizer_next(&pk, buf, sizeof buf, &n, &marker), 0, "  then done");

    is_int(peerc__rtp_vp8_packetizer_init(&pk, f, 1, &d, 5), PEERC_OK, "1-byte frame");
    is_int(peerc__rtp_vp8_packetizer_next(&pk, buf, sizeof buf, &n, &marker), 1, "  one packet");
    ok(n == 5 && marker == 1 && (buf[0] & 0x10), "  S and marker on the same packet");
    is_int(peerc__rtp_vp8_packetizer_init(&pk, f, 5000, &d, 4), PEERC_E_INVALID_ARGUMENT,
           "max_payload not above the descriptor refused");
    is_int(peerc__rtp_vp8_packetizer_init(&pk, f, 0, &d, 1200), PEERC_E_INVALID_ARGUMENT,
           "empty frame refused");
    peerc__rtp_vp8_packetizer_init(&pk, f, 5000, &d, 1200);
    is_int(peerc__rtp_vp8_packetizer_next(&pk, buf, 100, &n, &marker), PEERC_E_RANGE,
           "small output buffer: RANGE");
    int good = 1;
    for (size_t max = 6; max < 300; max += 7) {
        peerc__rtp_vp8_packetizer_init(&pk, f, 777, &d, max);
        size_t total = 0, mn = SIZE_MAX, mx = 0;
        while (peerc__rtp_vp8_packetizer_next(&pk, buf, sizeof buf, &n, &marker) == 1) {
            total += n - 4;
            if (n > max)
                good = 0;
            mn = n < mn ? n : mn;
            mx = n > mx ? n : mx;
        }
        if (total != 777 || mx - mn > 1)
            good = 0;
    }
    ok(good, "any max payload: never exceeded, sizes within one byte");
    free(f);
}

typedef struct drops {
    int count;
    int frames;
    int reasons[16];
} drops;

static void on_drop(void *user, const peerc_rtp_drop *d)
{
    drops *dr = user;
    if (dr->count < 16)
        dr->reasons[dr->count] = d->reason;
    dr->count++;
    dr->frames += (int)d->frames;
}

typedef struct stream {
    uint8_t *frames[64];
    size_t lens[64];
    size_t first_pkt[65];
    int n;
} stream;

static void make_stream(stream *s, int n, uint16_t seq0, const int *keys)
{
    uint16_t seq = seq0;
    npkts = 0;
    s->n = n;
    for (int i = 0; i < n; i++) {
        s->lens[i] = 300 + (size_t)(i * 997) % 4000;
        s->frames[i] = make_frame(i, keys[i], s->lens[i]);
        s->first_pkt[i] = npkts;
        packetize(s->frames[i], s->lens[i], &seq, 3000u * (uint32_t)i + 0xfffff000u, i, 1200);
    }
    s->first_pkt[n] = npkts;
}

static void free_stream(stream *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->frames[i]);
}

/* Feed the packets in the given order (indices into pkts; -1 skips) and
 * collect frames; returns a bitmap of which stream frames came out intact. */
static uint64_t run(const stream *s, const int *order, size_t n, int wait_key, drops *dr, int *gaps,
                    peerc_rtp_vp8_depacketizer *keep)
{
    peerc_rtp_asm_config cfg;
    peerc__rtp_asm_config_default(&cfg);
    cfg.wait_keyframe = wait_key;
    cfg.on_drop = on_drop;
    cfg.user = dr;
    peerc_rtp_vp8_depacketizer d;
    peerc__rtp_vp8_depacketizer_init(&d, &cfg);
    uint64_t got = 0;
    *gaps = 0;
    for (size_t k = 0; k < n; k++) {
        if (order[k] < 0)
            continue;
        peerc_rtp_packet p;
        peerc__rtp_parse(pkts[order[k]].b, pkts[order[k]].n, &p);
        peerc__rtp_vp8_depacketizer_push(&d, &p, (int64_t)k);
        peerc_rtp_frame f;
        while (peerc__rtp_vp8_depacketizer_pop(&d, &f) == 1) {
            int idx = f.data[0] >> 1;
            if (idx < s->n && f.len == s->lens[idx] && memcmp(f.data, s->frames[idx], f.len) == 0 &&
                f.keyframe == !(s->frames[idx][0] & 1) &&
                f.timestamp == 3000u * (uint32_t)idx + 0xfffff000u)
                got |= 1ull << idx;
            if (f.after_gap)
                (*gaps)++;
            peerc__rtp_frame_clear(&f);
        }
    }
    if (keep)
        *keep = d;
    else
        peerc__rtp_vp8_depacketizer_free(&d);
    return got;
}

static void shuffle(int *a, size_t n, unsigned *seed)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rand_r(seed) % i;
        int t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

static void test_depacketizer(void)
{
    static const int keys[20] = {1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    stream s;
    make_stream(&s, 20, 65500, keys); /* sequence numbers wrap in the middle */
    diag("20 frames in %zu packets, seq 65500..%u", npkts, (unsigned)(uint16_t)(65500 + npkts - 1));
    int order[MAXPK + 8];
    size_t n = npkts;
    drops dr;
    int gaps;

    for (size_t i = 0; i < n; i++)
        order[i] = (int)i;
    memset(&dr, 0, sizeof dr);
    ok(run(&s, order, n, 1, &dr, &gaps, NULL) == 0xfffff && dr.count == 0 && gaps == 0,
       "in order: all 20 frames, nothing dropped");

    /* Shuffle packets within each frame. */
    unsigned seed = 42;
    for (int f = 0; f < s.n; f++)
        shuffle(order + s.first_pkt[f], s.first_pkt[f + 1] - s.first_pkt[f], &seed);
    memset(&dr, 0, sizeof dr);
    ok(run(&s, order, n, 1, &dr, &gaps, NULL) == 0xfffff && dr.count == 0,
       "shuffled within frames: all 20 frames intact");

    /* Duplicates of every packet. */
    int dup[2 * MAXPK];
    for (size_t i = 0; i < n; i++)
        dup[2 * i] = dup[2 * i + 1] = (int)i;
    memset(&dr, 0, sizeof dr);
    peerc_rtp_vp8_depacketizer d;
    ok(run(&s, dup, 2 * n, 1, &dr, &gaps, &d) == 0xfffff && dr.count == 0,
       "every packet twice: all frames");
    ok(d.as.packets_duplicate + d.as.packets_late == n, "  duplicates counted (%llu + %llu late)",
       (unsigned long long)d.as.packets_duplicate, (unsigned long long)d.as.packets_late);
    peerc__rtp_vp8_depacketizer_free(&d);

    /* Lose one packet of frame 3 (a delta frame with more than one packet). */
    int f3 = 3;
    while (s.first_pkt[f3 + 1] - s.first_pkt[f3] < 2)
        f3++;
    for (size_t i = 0; i < n; i++)
        order[i] = (int)i;
    order[s.first_pkt[f3] + 1] = -1;
    memset(&dr, 0, sizeof dr);
    uint64_t got = run(&s, order, n, 1, &dr, &gaps, &d);
    uint64_t want = 0;
    for (int i = 0; i < s.n; i++)
        if (i < f3 || i >= 8)
            want |= 1ull << i;
    ok(got == want, "loss in frame %d: frames up to it and from the next key frame (8)", f3);
    ok(dr.count >= 1 && dr.reasons[0] == PEERC_RTP_DROP_INCOMPLETE, "  reported as INCOMPLETE");
    is_int(dr.frames, 8 - f3, "  %d frames dropped in total (the rest wait for the key frame)",
           8 - f3);
    ok(dr.count >= 2 && dr.reasons[1] == PEERC_RTP_DROP_NO_KEYFRAME,
       "  later deltas as NO_KEYFRAME");
    is_int(gaps, 1, "  the key frame after the gap is flagged");
    is_int(d.as.frames_dropped, 8 - f3, "  counter agrees");
    peerc__rtp_vp8_depacketizer_free(&d);

    memset(&dr, 0, sizeof dr);
    got = run(&s, order, n, 0, &dr, &gaps, NULL);
    ok(got == (0xfffffull & ~(1ull << f3)) && dr.count == 1 && gaps == 1,
       "without wait_keyframe: only frame %d is lost, the next is flagged", f3);

    /* Lose the first packet of frame 10 and a whole frame 14. */
    for (size_t i = 0; i < n; i++)
        order[i] = (int)i;
    order[s.first_pkt[10]] = -1;
    for (size_t i = s.first_pkt[14]; i < s.first_pkt[15]; i++)
        order[i] = -1;
    memset(&dr, 0, sizeof dr);
    got = run(&s, order, n, 0, &dr, &gaps, NULL);
    ok(got == (0xfffffull & ~(1ull << 10) & ~(1ull << 14)) && dr.count == 2 && gaps == 2,
       "first packet of 10 and all of 14 lost: two drops, the rest decodable");

    /* The last packet (marker) of frame 19 never comes: it stays pending. */
    for (size_t i = 0; i < n; i++)
        order[i] = (int)i;
    order[n - 1] = -1;
    memset(&dr, 0, sizeof dr);
    got = run(&s, order, n, 1, &dr, &gaps, NULL);
    ok(got == 0x7ffff && dr.count == 0, "missing marker on the last frame: held, not output");

    /* Stream that starts on a delta frame with wait_keyframe. */
    for (size_t i = 0; i < n; i++)
        order[i] = (int)i;
    for (size_t i = 0; i < s.first_pkt[2]; i++)
        order[i] = -1;
    memset(&dr, 0, sizeof dr);
    got = run(&s, order, n, 1, &dr, &gaps, NULL);
    ok(got == 0xfff00 && dr.frames == 6, "joining on a delta frame: wait for the key frame at 8");

    /* A late packet from an already dropped frame is ignored. */
    for (size_t i = 0; i < n; i++)
        order[i] = (int)i;
    size_t late = s.first_pkt[f3] + 1;
    memmove(order + s.first_pkt[f3 + 3] + 1, order + s.first_pkt[f3 + 3],
            (n - s.first_pkt[f3 + 3]) * sizeof *order);
    order[s.first_pkt[f3 + 3]] = (int)late;
    order[late] = -1;
    memset(&dr, 0, sizeof dr);
    got = run(&s, order, n + 1, 0, &dr, &gaps, &d);
    ok(d.as.packets_late == 1 && !(got & (1ull << f3)),
       "packet arriving after its frame was dropped: late");
    peerc__rtp_vp8_depacketizer_free(&d);

    /* Hostile: empty payload, descriptor only, truncated descriptor. */
    peerc__rtp_vp8_depacketizer_init(&d, NULL);
    peerc_rtp_packet p;
    memset(&p, 0, sizeof p);
    static const uint8_t only_desc[] = {0x90, 0x80, 0x05};
    static const uint8_t cut_desc[] = {0x90, 0x80};
    p.payload = only_desc;
    p.payload_len = 0;
    is_int(peerc__rtp_vp8_depacketizer_push(&d, &p, 0), PEERC_E_SYNTAX, "empty payload refused");
    p.payload_len = sizeof only_desc;
    is_int(peerc__rtp_vp8_depacketizer_push(&d, &p, 0), PEERC_E_SYNTAX,
           "descriptor without data refused");
    p.payload = cut_desc;
    p.payload_len = sizeof cut_desc;
    is_int(peerc__rtp_vp8_depacketizer_push(&d, &p, 0), PEERC_E_SYNTAX,
           "truncated descriptor refused");
    is_int(d.packets_invalid, 3, "  counted");
    peerc__rtp_vp8_depacketizer_free(&d);
    free_stream(&s);
}

int main(void)
{
    test_descriptor();
    test_payload_header();
    test_packetizer();
    test_depacketizer();
    return done_testing();
}

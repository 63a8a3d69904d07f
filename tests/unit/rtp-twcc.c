/* Transport-wide CC feedback (draft-holmer-rmcat-transport-wide-cc-
 * extensions-01 §3.1): a hand-assembled message using both chunk kinds,
 * random round trips, and truncated/hostile input. */
#include "rtp/twcc.h"

#include <peerc/common.h>

#include "../tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* From 1 about 2: base 100, 10 packets, reference time 16 (1.024 s),
 * feedback count 5.  Chunk 1, two-bit vector: small small none none large
 * small small (0xd425).  Chunk 2, run length: 3 x small (0x2003).  Deltas:
 * 4, 0, -8 (large), 16, 32, 250, 251, 252; then 3 zero bytes of padding. */
static const uint8_t vec[] = {0x8f, 0xcd, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00,
                              0x00, 0x00, 0x02, 0x00, 0x64, 0x00, 0x0a, 0x00, 0x00,
                              0x10, 0x05, 0xd4, 0x25, 0x20, 0x03, 0x04, 0x00, 0xff,
                              0xf8, 0x10, 0x20, 0xfa, 0xfb, 0xfc, 0x00, 0x00, 0x00};

static int same_fb(const peerc_rtp_twcc_feedback *a, const peerc_rtp_twcc_feedback *b)
{
    return a->sender_ssrc == b->sender_ssrc && a->media_ssrc == b->media_ssrc &&
           a->base_seq == b->base_seq && a->status_count == b->status_count &&
           a->reference_time == b->reference_time && a->fb_count == b->fb_count;
}

static int same_packets(const peerc_rtp_twcc_packet *a, const peerc_rtp_twcc_packet *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].seq != b[i].seq || a[i].status != b[i].status || a[i].delta != b[i].delta ||
            a[i].arrival_us != b[i].arrival_us)
            return 0;
    return 1;
}

static int parse_bytes(const uint8_t *b, size_t len, peerc_rtp_twcc_feedback *fb,
                       peerc_rtp_twcc_packet *pk, size_t cap)
{
    peerc_rtp_rtcp_iter it;
    peerc_rtp_rtcp_header h;
    peerc_rtp_rtcp_fb f;
    peerc__rtp_rtcp_iter_init(&it, b, len);
    int rc = peerc__rtp_rtcp_iter_next(&it, &h);
    if (rc != 1)
        return rc < 0 ? rc : PEERC_E_SYNTAX;
    rc = peerc__rtp_rtcp_parse_fb(&h, &f);
    if (rc)
        return rc;
    return peerc__rtp_twcc_parse(&f, fb, pk, cap);
}

static void test_vector(void)
{
    peerc_rtp_twcc_feedback fb;
    peerc_rtp_twcc_packet pk[16];
    is_int(parse_bytes(vec, sizeof vec, &fb, pk, 16), 10, "hand-built feedback: 10 packets");
    ok(fb.sender_ssrc == 1 && fb.media_ssrc == 2 && fb.base_seq == 100 && fb.status_count == 10 &&
           fb.reference_time == 16 && fb.fb_count == 5,
       "  header fields");
    static const uint8_t st[10] = {1, 1, 0, 0, 2, 1, 1, 1, 1, 1};
    static const int32_t dl[10] = {4, 0, 0, 0, -8, 16, 32, 250, 251, 252};
    static const int64_t at[10] = {1025000, 1025000, 0,       0,       1023000,
                                   1027000, 1035000, 1097500, 1160250, 1223250};
    int good = 1;
    for (int i = 0; i < 10; i++)
        if (pk[i].seq != 100 + i || pk[i].status != st[i] || pk[i].delta != dl[i] ||
            pk[i].arrival_us != at[i]) {
            diag("packet %d: seq %u status %u delta %d arrival %lld", i, pk[i].seq, pk[i].status,
                 pk[i].delta, (long long)pk[i].arrival_us);
            good = 0;
        }
    ok(good, "  statuses, deltas and arrival times");
    is_int(parse_bytes(vec, sizeof vec, &fb, pk, 9), PEERC_E_RANGE,
           "  cap below status count: RANGE");
    is_int(fb.status_count, 10, "  header still filled for sizing");

    /* Our writer uses a one-bit vector for the tail; the parse is what matters. */
    uint8_t out[64];
    size_t n;
    is_int(peerc__rtp_twcc_write(&fb, pk, out, sizeof out, &n), PEERC_OK, "re-serializes");
    peerc_rtp_twcc_packet pk2[16];
    peerc_rtp_twcc_feedback fb2;
    is_int(parse_bytes(out, n, &fb2, pk2, 16), 10, "  parses back");
    ok(same_fb(&fb, &fb2) && same_packets(pk, pk2, 10), "  identical content");
    is_int(n % 4, 0, "  32-bit aligned");
}

static void test_round_trips(void)
{
    srand(7);
    int good = 1;
    size_t total_bytes = 0;
    for (int round = 0; round < 200; round++) {
        size_t count = 1 + (size_t)rand() % (round < 100 ? 40 : 2000);
        peerc_rtp_twcc_packet *in = calloc(count, sizeof *in), *back = calloc(count, sizeof *back);
        peerc_rtp_twcc_feedback fb = {.sender_ssrc = (uint32_t)rand(),
                                      .media_ssrc = 3,
                                      .base_seq = (uint16_t)rand(),
                                      .status_count = (uint16_t)count,
                                      .reference_time = (rand() % 0x1000000) - 0x800000,
                                      .fb_count = (uint8_t)round};
        int mode = round % 4; /* 0 mixed, 1 all received small, 2 long losses, 3 large deltas */
        for (size_t i = 0; i < count; i++) {
            int r = rand() % 100;
            int received = mode == 2 ? (r < 10 || (i / 50) % 2) : mode == 1 ? 1 : r < 85;
            in[i].status = received ? 1 : 0;
            in[i].delta = mode == 3 ? (rand() % 60000) - 30000 : rand() % 256;
        }
        size_t cap = 12 + 8 + count * 2 + count * 2 + 4;
        uint8_t *buf = malloc(cap);
        size_t n;
        peerc_rtp_twcc_feedback out;
        if (peerc__rtp_twcc_write(&fb, in, buf, cap, &n) != PEERC_OK ||
            parse_bytes(buf, n, &out, back, count) != (int)count || !same_fb(&out, &fb)) {
            good = 0;
        } else {
            for (size_t i = 0; i < count; i++) {
                int want = in[i].status ? (in[i].delta >= 0 && in[i].delta <= 255 ? 1 : 2) : 0;
                if (back[i].status != want || (want && back[i].delta != in[i].delta) ||
                    back[i].seq != (uint16_t)(fb.base_seq + i))
                    good = 0;
            }
        }
        total_bytes += n;
        free(in);
        free(back);
        free(buf);
    }
    ok(good, "200 random feedback messages round-trip (up to 2000 packets each)");
    diag("%zu bytes in total", total_bytes);

    /* A long loss run is one run-length chunk. */
    peerc_rtp_twcc_packet pk[300];
    memset(pk, 0, sizeof pk);
    pk[0].status = 1;
    pk[299].status = 1;
    peerc_rtp_twcc_feedback fb = {.base_seq = 65500, .status_count = 300};
    uint8_t buf[128];
    size_t n;
    is_int(peerc__rtp_twcc_write(&fb, pk, buf, sizeof buf, &n), PEERC_OK, "300 packets, 298 lost");
    ok(n <= 12 + 8 + 3 * 2 + 2 + 2, "  compact: %zu bytes", n);
    peerc_rtp_twcc_packet back[300];
    peerc_rtp_twcc_feedback fo;
    is_int(parse_bytes(buf, n, &fo, back, 300), 300, "  parses");
    ok(back[0].status == 1 && back[1].status == 0 && back[298].status == 0 &&
           back[299].status == 1 && back[299].seq == (uint16_t)(65500 + 299),
       "  statuses and wrapped seq");

    pk[5].status = 1;
    pk[5].delta = 40000;
    is_int(peerc__rtp_twcc_write(&fb, pk, buf, sizeof buf, &n), PEERC_E_RANGE,
           "delta beyond 16 bits: RANGE");
    fb.reference_time = 0x800000;
    is_int(peerc__rtp_twcc_write(&fb, pk, buf, sizeof buf, &n), PEERC_E_INVALID_ARGUMENT,
           "reference time beyond 24 bits");
}

static void test_hostile(void)
{
    peerc_rtp_twcc_feedback fb;
    peerc_rtp_twcc_packet pk[16];
    int fine = 1;
    /* Every truncation, with the RTCP length patched to match, fails or
     * parses within bounds (the ASan build checks the latter). */
    for (size_t len = 12; len < sizeof vec; len += 4) {
        uint8_t *b = malloc(len);
        memcpy(b, vec, len);
        b[3] = (uint8_t)(len / 4 - 1);
        int rc = parse_bytes(b, len, &fb, pk, 16);
        if (rc >= 0 && len < 36)
            fine = 0;
        free(b);
    }
    ok(fine, "truncated feedback refused");

    /* Status count 65535 with almost no chunks. */
    uint8_t b[24];
    memcpy(b, vec, 24);
    b[3] = 5;
    b[14] = 0xff, b[15] = 0xff;
    peerc_rtp_twcc_packet *many = malloc(65535 * sizeof *many);
    is_int(parse_bytes(b, 24, &fb, many, 65535), PEERC_E_SYNTAX,
           "status count beyond chunks refused");
    /* Reserved symbol 3 in a two-bit vector. */
    memcpy(b, vec, 24);
    b[3] = 5;
    b[20] = 0xff;
    is_int(parse_bytes(b, 24, &fb, many, 65535), PEERC_E_SYNTAX, "reserved symbol refused");
    /* Zero-length run chunks only consume bytes. */
    memcpy(b, vec, 24);
    b[3] = 5;
    b[20] = b[21] = b[22] = b[23] = 0;
    is_int(parse_bytes(b, 24, &fb, many, 65535), PEERC_E_SYNTAX,
           "empty runs never satisfy the count");
    free(many);
    /* Not TWCC at all. */
    static const uint8_t nack[] = {0x81, 0xcd, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 0};
    is_int(parse_bytes(nack, sizeof nack, &fb, pk, 16), PEERC_E_SYNTAX, "a NACK is not TWCC");
}

int main(void)
{
    test_vector();
    test_round_trips();
    test_hostile();
    return done_testing();
}

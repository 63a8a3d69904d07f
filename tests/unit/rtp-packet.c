/* RTP header parse/serialize (RFC 3550 §5.1), RFC 8285 extensions and the
 * RFC 5761 demux rule, checked against bytes produced by an independent
 * implementation (aiortc 1.4.0) and against truncated/hostile copies. */
#include "rtp/packet.h"

#include <peerc/common.h>

#include "../tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* aiortc: pt 96, M, seq 0xfffe, ts 0x12345678, ssrc 0xdeadbeef, CSRCs
 * 0x11111111 0x22222222, one-byte extensions 1="0", 3=12 34 56, 5=01 02,
 * payload "hello". */
static const uint8_t rtp_one_byte[] = {
    0x92, 0xe0, 0xff, 0xfe, 0x12, 0x34, 0x56, 0x78, 0xde, 0xad, 0xbe, 0xef, 0x11, 0x11,
    0x11, 0x11, 0x22, 0x22, 0x22, 0x22, 0xbe, 0xde, 0x00, 0x03, 0x10, 0x30, 0x32, 0x12,
    0x34, 0x56, 0x51, 0x01, 0x02, 0x00, 0x00, 0x00, 0x68, 0x65, 0x6c, 0x6c, 0x6f};
/* aiortc: pt 111, seq 7, ts 960, ssrc 0x01020304, two-byte extensions
 * 1="" and 20="abcdefghijklmnopq", payload f8 ff fe, 4 bytes of padding. */
static const uint8_t rtp_two_byte[] = {
    0xb0, 0x6f, 0x00, 0x07, 0x00, 0x00, 0x03, 0xc0, 0x01, 0x02, 0x03, 0x04, 0x10, 0x00, 0x00, 0x06,
    0x01, 0x00, 0x14, 0x11, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c,
    0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x00, 0x00, 0x00, 0xf8, 0xff, 0xfe, 0x00, 0x00, 0x00, 0x04};

/* Parse from an exactly sized heap copy so ASan catches any overread. */
static int parse_copy(const uint8_t *buf, size_t len, peerc_rtp_packet *p, uint8_t **keep)
{
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, buf, len);
    int rc = peerc__rtp_parse(copy, len, p);
    if (keep)
        *keep = copy;
    else
        free(copy);
    return rc;
}

static int ext_is(const peerc_rtp_packet *p, uint8_t id, const void *data, size_t len)
{
    const peerc_rtp_ext *e = peerc__rtp_ext_get(p, id);
    return e && e->len == len && (len == 0 || memcmp(e->data, data, len) == 0);
}

static void test_one_byte_vector(void)
{
    peerc_rtp_packet p;
    uint8_t *copy;
    is_int(parse_copy(rtp_one_byte, sizeof rtp_one_byte, &p, &copy), PEERC_OK,
           "aiortc one-byte packet parses");
    is_int(p.marker, 1, "  marker");
    is_int(p.payload_type, 96, "  payload type");
    is_int(p.seq, 0xfffe, "  seq");
    is_int(p.timestamp, 0x12345678, "  timestamp");
    is_int(p.ssrc, 0xdeadbeef, "  ssrc");
    is_int(p.csrc_count, 2, "  two CSRCs");
    ok(p.csrc[0] == 0x11111111 && p.csrc[1] == 0x22222222, "  CSRC values");
    is_int(p.ext_profile, 0xBEDE, "  one-byte profile");
    is_int(p.ext_count, 3, "  three elements");
    ok(ext_is(&p, 1, "0", 1), "  id 1 = \"0\" (mid)");
    ok(ext_is(&p, 3, "\x12\x34\x56", 3), "  id 3 = abs-send-time bytes");
    ok(ext_is(&p, 5, "\x01\x02", 2), "  id 5 = transport-wide seq bytes");
    ok(peerc__rtp_ext_get(&p, 2) == NULL, "  id 2 absent");
    ok(p.payload_len == 5 && memcmp(p.payload, "hello", 5) == 0, "  payload");
    is_int(p.padding, 0, "  no padding");
    is_int(p.header_len, 36, "  header length");

    uint8_t out[64];
    size_t n = 0;
    is_int(peerc__rtp_size(&p), sizeof rtp_one_byte, "size of the re-serialized packet");
    is_int(peerc__rtp_write(&p, out, sizeof out, &n), PEERC_OK, "re-serializes");
    ok(n == sizeof rtp_one_byte && memcmp(out, rtp_one_byte, n) == 0, "  byte-identical to aiortc");
    is_int(peerc__rtp_write(&p, out, sizeof rtp_one_byte - 1, &n), PEERC_E_RANGE,
           "  one byte short: RANGE");

    /* In-place stamping of a transport-wide sequence number. */
    memcpy(out, rtp_one_byte, sizeof rtp_one_byte);
    is_int(peerc__rtp_ext_update(out, sizeof rtp_one_byte, 5, (const uint8_t *)"\xab\xcd", 2),
           PEERC_OK, "ext_update rewrites id 5 in place");
    ok(out[31] == 0xab && out[32] == 0xcd && memcmp(out + 36, "hello", 5) == 0,
       "  bytes changed, payload intact");
    is_int(peerc__rtp_ext_update(out, sizeof rtp_one_byte, 5, (const uint8_t *)"\xab", 1),
           PEERC_E_RANGE, "  other length: RANGE");
    is_int(peerc__rtp_ext_update(out, sizeof rtp_one_byte, 9, (const uint8_t *)"\xab", 1),
           PEERC_E_NOT_FOUND, "  absent id: NOT_FOUND");
    is_int(peerc__rtp_ext_update(out, 11, 5, (const uint8_t *)"\xab\xcd", 2), PEERC_E_SYNTAX,
           "  truncated packet: SYNTAX");
    free(copy);
}

static void test_two_byte_vector(void)
{
    peerc_rtp_packet p;
    uint8_t *copy;
    is_int(parse_copy(rtp_two_byte, sizeof rtp_two_byte, &p, &copy), PEERC_OK,
           "aiortc two-byte packet parses");
    is_int(p.ext_profile, 0x1000, "  two-byte profile");
    is_int(p.ext_count, 2, "  two elements");
    ok(ext_is(&p, 1, "", 0), "  id 1 empty (only the two-byte form allows that)");
    ok(ext_is(&p, 20, "abcdefghijklmnopq", 17), "  id 20, 17 bytes");
    is_int(p.padding, 4, "  4 bytes of padding");
    ok(p.payload_len == 3 && memcmp(p.payload, "\xf8\xff\xfe", 3) == 0,
       "  payload excludes padding");
    uint8_t out[64];
    size_t n;
    is_int(peerc__rtp_write(&p, out, sizeof out, &n), PEERC_OK, "re-serializes");
    ok(n == sizeof rtp_two_byte && memcmp(out, rtp_two_byte, n) == 0,
       "  byte-identical (zero padding)");
    free(copy);
}

static void test_build(void)
{
    peerc_rtp_packet p;
    memset(&p, 0, sizeof p);
    p.payload_type = 100;
    p.seq = 65535;
    p.timestamp = 90000;
    p.ssrc = 42;
    p.payload = (const uint8_t *)"xyz";
    p.payload_len = 3;
    uint8_t buf[128];
    size_t n;
    is_int(peerc__rtp_write(&p, buf, sizeof buf, &n), PEERC_OK, "minimal packet");
    is_int(n, 15, "  12 + 3 bytes");
    is_int(buf[0], 0x80, "  V=2, no P/X/CC");

    static const uint8_t mid[] = {'a', 'u', 'd', 'i', 'o'};
    static const uint8_t level[] = {0x85};
    is_int(peerc__rtp_ext_set(&p, 4, mid, sizeof mid), PEERC_OK, "ext_set adds id 4");
    is_int(peerc__rtp_ext_set(&p, 10, level, 1), PEERC_OK, "ext_set adds id 10");
    is_int(peerc__rtp_ext_set(&p, 4, (const uint8_t *)"v", 1), PEERC_OK, "ext_set replaces id 4");
    is_int(p.ext_count, 2, "  still two elements");
    is_int(peerc__rtp_ext_set(&p, 0, level, 1), PEERC_E_INVALID_ARGUMENT, "  id 0 refused");
    is_int(peerc__rtp_write(&p, buf, sizeof buf, &n), PEERC_OK, "writes with one-byte extensions");
    peerc_rtp_packet q;
    is_int(peerc__rtp_parse(buf, n, &q), PEERC_OK, "  parses back");
    is_int(q.ext_profile, 0xBEDE, "  one-byte form chosen");
    ok(ext_is(&q, 4, "v", 1) && ext_is(&q, 10, level, 1), "  elements round-trip");
    ok(q.payload_len == 3 && memcmp(q.payload, "xyz", 3) == 0, "  payload round-trips");
    is_int(n % 4, 3, "  header padded to 32 bits (header 20 + payload 3)");

    /* An element that does not fit the one-byte form switches to two-byte. */
    static uint8_t big[40];
    memset(big, 7, sizeof big);
    is_int(peerc__rtp_ext_set(&p, 15, big, sizeof big), PEERC_OK, "ext_set id 15, 40 bytes");
    is_int(peerc__rtp_write(&p, buf, sizeof buf, &n), PEERC_OK, "writes");
    is_int(peerc__rtp_parse(buf, n, &q), PEERC_OK, "  parses back");
    is_int(q.ext_profile, 0x1000, "  two-byte form chosen");
    ok(ext_is(&q, 15, big, sizeof big) && ext_is(&q, 4, "v", 1), "  all elements round-trip");
    is_int(peerc__rtp_ext_remove(&p, 15), PEERC_OK, "ext_remove");
    is_int(peerc__rtp_ext_remove(&p, 15), PEERC_E_NOT_FOUND, "  twice: NOT_FOUND");
    p.ext_profile = PEERC_RTP_EXT_PROFILE_TWO_BYTE | 0x5;
    is_int(peerc__rtp_write(&p, buf, sizeof buf, &n), PEERC_OK, "forced two-byte with appbits");
    is_int(peerc__rtp_parse(buf, n, &q), PEERC_OK, "  parses back");
    is_int(q.ext_profile, 0x1005, "  appbits kept");

    /* CSRCs, padding, opaque extension profile. */
    memset(&p, 0, sizeof p);
    p.csrc_count = 15;
    for (int i = 0; i < 15; i++)
        p.csrc[i] = (uint32_t)i * 0x01010101u;
    p.padding = 255;
    p.ext_profile = 0x1234;
    p.ext_raw = (const uint8_t *)"ABCDEFGH";
    p.ext_raw_len = 8;
    p.payload = (const uint8_t *)"!";
    p.payload_len = 1;
    is_int(peerc__rtp_size(&p), 12 + 60 + 12 + 1 + 255, "15 CSRCs, opaque ext, 255 padding: size");
    uint8_t big_buf[512];
    is_int(peerc__rtp_write(&p, big_buf, sizeof big_buf, &n), PEERC_OK, "  writes");
    is_int(peerc__rtp_parse(big_buf, n, &q), PEERC_OK, "  parses back");
    ok(q.csrc_count == 15 && q.csrc[14] == 14 * 0x01010101u, "  CSRCs");
    ok(q.ext_profile == 0x1234 && q.ext_raw_len == 8 && memcmp(q.ext_raw, "ABCDEFGH", 8) == 0 &&
           q.ext_count == 0,
       "  opaque extension kept as is");
    ok(q.padding == 255 && q.payload_len == 1 && q.payload[0] == '!', "  padding removed");

    p.ext_raw_len = 7;
    is_int(peerc__rtp_size(&p), PEERC_E_INVALID_ARGUMENT, "opaque extension not a multiple of 4");
    p.ext_raw_len = 8;
    p.csrc_count = 16;
    is_int(peerc__rtp_size(&p), PEERC_E_INVALID_ARGUMENT, "16 CSRCs refused");
    p.csrc_count = 0;
    p.payload_type = 128;
    is_int(peerc__rtp_size(&p), PEERC_E_INVALID_ARGUMENT, "payload type 128 refused");
}

static void test_malformed(void)
{
    peerc_rtp_packet p;
    /* Every truncation of both vectors either fails cleanly or (when the
     * cut falls on a boundary the format cannot detect) parses within the
     * bytes given. */
    int bad = 0, crash_free = 1;
    for (size_t n = 0; n < sizeof rtp_one_byte; n++) {
        int rc = parse_copy(rtp_one_byte, n, &p, NULL);
        if (rc != PEERC_OK)
            bad++;
        else if (p.header_len + p.payload_len + p.padding != n)
            crash_free = 0;
    }
    ok(bad >= 36, "truncations of the one-byte vector inside the header fail (%d)", bad);
    ok(crash_free, "  successful parses account for every byte");
    for (size_t n = 0; n < sizeof rtp_two_byte; n++)
        if (parse_copy(rtp_two_byte, n, &p, NULL) == PEERC_OK &&
            p.header_len + p.payload_len + p.padding != n)
            crash_free = 0;
    ok(crash_free, "truncations of the two-byte vector stay in bounds");

    uint8_t b[64];
    memcpy(b, rtp_one_byte, sizeof rtp_one_byte);
    b[0] = (b[0] & 0x3f) | 0x40;
    is_int(parse_copy(b, sizeof rtp_one_byte, &p, NULL), PEERC_E_SYNTAX, "version 1 refused");

    /* Padding count 0, and padding longer than the packet body. */
    memcpy(b, rtp_two_byte, sizeof rtp_two_byte);
    b[sizeof rtp_two_byte - 1] = 0;
    is_int(parse_copy(b, sizeof rtp_two_byte, &p, NULL), PEERC_E_SYNTAX, "padding count 0 refused");
    b[sizeof rtp_two_byte - 1] = 8;
    is_int(parse_copy(b, sizeof rtp_two_byte, &p, NULL), PEERC_E_SYNTAX,
           "padding into the header refused");
    b[sizeof rtp_two_byte - 1] = 7;
    is_int(parse_copy(b, sizeof rtp_two_byte, &p, NULL), PEERC_OK,
           "padding eating the payload is fine");
    is_int(p.payload_len, 0, "  empty payload");

    /* Extension length pointing past the end. */
    memcpy(b, rtp_one_byte, sizeof rtp_one_byte);
    b[22] = 0x40;
    is_int(parse_copy(b, sizeof rtp_one_byte, &p, NULL), PEERC_E_SYNTAX,
           "extension length beyond packet");

    /* RFC 8285 §4.2: id 15 stops processing; elements before it count. */
    memcpy(b, rtp_one_byte, sizeof rtp_one_byte);
    b[26] = 0xf2; /* id 3 becomes id 15 */
    is_int(parse_copy(b, sizeof rtp_one_byte, &p, NULL), PEERC_OK, "one-byte id 15 parses");
    is_int(p.ext_count, 1, "  only the element before id 15 is kept");
    ok(p.payload_len == 5, "  payload still found");
    /* An element length that runs past the block ends the list too. */
    memcpy(b, rtp_one_byte, sizeof rtp_one_byte);
    b[30] = 0x5f; /* id 5, 16 bytes: past the 12-byte block */
    is_int(parse_copy(b, sizeof rtp_one_byte, &p, NULL), PEERC_OK,
           "overlong element: packet still usable");
    is_int(p.ext_count, 2, "  elements before it kept");
    memcpy(b, rtp_two_byte, sizeof rtp_two_byte);
    b[19] = 0x30; /* id 20 claims 48 bytes */
    is_int(parse_copy(b, sizeof rtp_two_byte, &p, NULL), PEERC_OK, "two-byte overlong element");
    is_int(p.ext_count, 1, "  element before it kept");

    /* 17 one-byte elements: only PEERC_RTP_MAX_EXT kept, no overflow. */
    uint8_t many[12 + 4 + 36 + 1] = {0x90, 96};
    many[12] = 0xbe, many[13] = 0xde, many[15] = 9;
    for (int i = 0; i < 18; i++) {
        many[16 + 2 * i] = (uint8_t)((1 + i % 14) << 4);
        many[17 + 2 * i] = (uint8_t)i;
    }
    uint8_t *kept;
    is_int(parse_copy(many, sizeof many, &p, &kept), PEERC_OK, "18 elements parse");
    is_int(p.ext_count, PEERC_RTP_MAX_EXT, "  capped at PEERC_RTP_MAX_EXT");
    ok(peerc__rtp_ext_get(&p, 1)->data[0] == 0, "  first of a repeated id wins");
    free(kept);
}

static void test_demux(void)
{
    uint8_t b[12] = {0x80, 0};
    is_int(peerc__rtp_demux(b, 12), PEERC_RTP_DEMUX_RTP, "PT 0 is RTP");
    b[1] = 0x80 | 111;
    is_int(peerc__rtp_demux(b, 12), PEERC_RTP_DEMUX_RTP, "marker + PT 111 is RTP");
    b[1] = 200;
    is_int(peerc__rtp_demux(b, 8), PEERC_RTP_DEMUX_RTCP, "type 200 (SR) is RTCP");
    b[1] = 206;
    is_int(peerc__rtp_demux(b, 12), PEERC_RTP_DEMUX_RTCP, "type 206 (PSFB) is RTCP");
    b[1] = 192;
    is_int(peerc__rtp_demux(b, 8), PEERC_RTP_DEMUX_RTCP, "192 (PT 64 + M) is RTCP");
    b[1] = 223;
    is_int(peerc__rtp_demux(b, 8), PEERC_RTP_DEMUX_RTCP, "223 (PT 95 + M) is RTCP");
    b[1] = 224;
    is_int(peerc__rtp_demux(b, 12), PEERC_RTP_DEMUX_RTP, "224 (PT 96 + M) is RTP");
    b[1] = 64;
    is_int(peerc__rtp_demux(b, 12), PEERC_RTP_DEMUX_RTP, "PT 64 without marker is RTP");
    b[1] = 200;
    is_int(peerc__rtp_demux(b, 7), PEERC_RTP_DEMUX_OTHER, "7-byte RTCP is too short");
    b[1] = 96;
    is_int(peerc__rtp_demux(b, 11), PEERC_RTP_DEMUX_OTHER, "11-byte RTP is too short");
    b[0] = 0x16;
    is_int(peerc__rtp_demux(b, 12), PEERC_RTP_DEMUX_OTHER, "DTLS handshake byte is not RTP");
    b[0] = 0x00;
    is_int(peerc__rtp_demux(b, 12), PEERC_RTP_DEMUX_OTHER, "STUN is not RTP");
    is_int(peerc__rtp_demux(NULL, 0), PEERC_RTP_DEMUX_OTHER, "NULL");
}

int main(void)
{
    test_one_byte_vector();
    test_two_byte_vector();
    test_build();
    test_malformed();
    test_demux();
    return done_testing();
}

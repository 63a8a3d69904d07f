/* RTCP: compound walking and validation (RFC 3550 §6.1, A.2), SR/RR,
 * SDES, BYE, generic NACK, PLI, FIR, REMB -- against bytes from aiortc
 * 1.4.0 where it implements the message, and round trips otherwise. */
#include "rtp/rtcp.h"

#include <peerc/common.h>

#include "../tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* aiortc: SR (ssrc 0x11223344, NTP 0xe123456789abcdef, RTP ts 0x1000, 100
 * packets, 120000 octets, one report: ssrc 0xaabbccdd, fraction 25, lost
 * -3, highest 0x1ffff, jitter 42, lsr 0x45678901, dlsr 0x10000), SDES
 * CNAME "abcdefghijklmnop", BYE 0x11223344 0x55667788. */
static const uint8_t rtcp_sr_sdes_bye[] = {
    0x81, 0xc8, 0x00, 0x0c, 0x11, 0x22, 0x33, 0x44, 0xe1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
    0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00, 0x01, 0xd4, 0xc0, 0xaa, 0xbb, 0xcc, 0xdd,
    0x19, 0xff, 0xff, 0xfd, 0x00, 0x01, 0xff, 0xff, 0x00, 0x00, 0x00, 0x2a, 0x45, 0x67, 0x89, 0x01,
    0x00, 0x01, 0x00, 0x00, 0x81, 0xca, 0x00, 0x06, 0x11, 0x22, 0x33, 0x44, 0x01, 0x10, 0x61, 0x62,
    0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x00, 0x00,
    0x82, 0xcb, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
/* aiortc: RR ssrc 0x55667788 with two reports. */
static const uint8_t rtcp_rr[] = {
    0x82, 0xc9, 0x00, 0x0d, 0x55, 0x66, 0x77, 0x88, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x03, 0xe8, 0x00, 0x01, 0x11, 0x70, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x0a};
/* aiortc: NACK from 1 about 2, lost 100 101 103 116 117 200 65535. */
static const uint8_t rtcp_nack[] = {0x81, 0xcd, 0x00, 0x06, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
                                    0x00, 0x02, 0x00, 0x64, 0x80, 0x05, 0x00, 0x75, 0x00, 0x00,
                                    0x00, 0xc8, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00};
/* aiortc: PLI from 0x0a about 0x0b. */
static const uint8_t rtcp_pli[] = {0x81, 0xce, 0x00, 0x02, 0x00, 0x00,
                                   0x00, 0x0a, 0x00, 0x00, 0x00, 0x0b};
/* aiortc: REMB from 0x0c, 1234567 bps, SSRCs 0x0d 0x0e. */
static const uint8_t rtcp_remb[] = {0x8f, 0xce, 0x00, 0x06, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00,
                                    0x00, 0x00, 0x52, 0x45, 0x4d, 0x42, 0x02, 0x0e, 0x5a, 0xd0,
                                    0x00, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x0e};

static uint8_t *dup_bytes(const uint8_t *b, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    memcpy(c, b, n);
    return c;
}

static int first_packet(const uint8_t *buf, size_t len, peerc_rtp_rtcp_header *h)
{
    peerc_rtp_rtcp_iter it;
    peerc__rtp_rtcp_iter_init(&it, buf, len);
    return peerc__rtp_rtcp_iter_next(&it, h);
}

static void test_compound(void)
{
    uint8_t *b = dup_bytes(rtcp_sr_sdes_bye, sizeof rtcp_sr_sdes_bye);
    size_t len = sizeof rtcp_sr_sdes_bye;
    is_int(peerc__rtp_rtcp_validate(b, len, 0), 3, "aiortc SR+SDES+BYE validates as 3 packets");

    peerc_rtp_rtcp_iter it;
    peerc_rtp_rtcp_header h;
    peerc__rtp_rtcp_iter_init(&it, b, len);
    is_int(peerc__rtp_rtcp_iter_next(&it, &h), 1, "first packet");
    is_int(h.type, PEERC_RTP_RTCP_SR, "  is SR");
    peerc_rtp_rtcp_sr sr;
    is_int(peerc__rtp_rtcp_parse_sr(&h, &sr), PEERC_OK, "  parses");
    ok(sr.ssrc == 0x11223344 && sr.ntp == 0xe123456789abcdefull && sr.rtp_timestamp == 0x1000 &&
           sr.packet_count == 100 && sr.octet_count == 120000,
       "  sender info");
    is_int(sr.report_count, 1, "  one report block");
    const peerc_rtp_rtcp_report *r = &sr.reports[0];
    ok(r->ssrc == 0xaabbccdd && r->fraction_lost == 25 && r->ext_highest_seq == 0x1ffff &&
           r->jitter == 42 && r->lsr == 0x45678901 && r->dlsr == 0x10000,
       "  report fields");
    is_int(r->cumulative_lost, -3, "  negative cumulative loss (signed 24-bit)");

    uint8_t out[256];
    size_t n;
    is_int(peerc__rtp_rtcp_write_sr(&sr, out, sizeof out, &n), PEERC_OK, "  re-serializes");
    ok(n == h.packet_len && memcmp(out, h.packet, n) == 0, "  byte-identical");

    is_int(peerc__rtp_rtcp_iter_next(&it, &h), 1, "second packet");
    peerc_rtp_rtcp_sdes sdes;
    is_int(peerc__rtp_rtcp_parse_sdes(&h, &sdes), PEERC_OK, "  SDES parses");
    ok(sdes.chunk_count == 1 && sdes.chunks[0].ssrc == 0x11223344 &&
           sdes.chunks[0].cname_len == 16 &&
           memcmp(sdes.chunks[0].cname, "abcdefghijklmnop", 16) == 0,
       "  CNAME");
    is_int(peerc__rtp_rtcp_write_sdes(&sdes, out, sizeof out, &n), PEERC_OK, "  re-serializes");
    ok(n == h.packet_len && memcmp(out, h.packet, n) == 0, "  byte-identical");

    is_int(peerc__rtp_rtcp_iter_next(&it, &h), 1, "third packet");
    peerc_rtp_rtcp_bye bye;
    is_int(peerc__rtp_rtcp_parse_bye(&h, &bye), PEERC_OK, "  BYE parses");
    ok(bye.ssrc_count == 2 && bye.ssrcs[0] == 0x11223344 && bye.ssrcs[1] == 0x55667788 &&
           bye.reason_len == 0,
       "  two SSRCs, no reason");
    is_int(peerc__rtp_rtcp_iter_next(&it, &h), 0, "end of compound");
    is_int(peerc__rtp_rtcp_parse_sr(&h, &sr), PEERC_E_SYNTAX, "BYE is not an SR");

    /* Reduced size (RFC 5506): a lone PLI is valid only when negotiated. */
    is_int(peerc__rtp_rtcp_validate(rtcp_pli, sizeof rtcp_pli, 0), PEERC_E_SYNTAX,
           "lone PLI: not compound");
    is_int(peerc__rtp_rtcp_validate(rtcp_pli, sizeof rtcp_pli, 1), 1, "lone PLI with rtcp-rsize");

    /* Every truncation fails validation and the walk stays in bounds. */
    int all_bad = 1;
    for (size_t k = 0; k < len; k++) {
        uint8_t *t = dup_bytes(rtcp_sr_sdes_bye, k);
        int rc = peerc__rtp_rtcp_validate(t, k, 0);
        if (rc >= 0 && k != 52 && k != 80)
            all_bad = 0;
        free(t);
    }
    ok(all_bad, "truncations not on a packet boundary are refused");

    /* Padding only on the last packet (A.2). */
    b[0] |= 0x20; /* SR claims padding: its last byte (0x00) is not a valid count */
    is_int(peerc__rtp_rtcp_validate(b, len, 0), PEERC_E_SYNTAX, "padding count 0 refused");
    b[0] &= ~0x20;
    b[80] |= 0x20; /* BYE padded by its last byte 0x88 = 136 > length */
    is_int(peerc__rtp_rtcp_validate(b, len, 0), PEERC_E_SYNTAX,
           "padding longer than the packet refused");
    b[80] &= ~0x20;
    b[2] = 0x00, b[3] = 0x40; /* SR length beyond the buffer */
    is_int(peerc__rtp_rtcp_validate(b, len, 0), PEERC_E_SYNTAX, "length beyond buffer refused");
    b[3] = 0x0c;
    b[1] = 202; /* first packet SDES in a full-size compound */
    is_int(peerc__rtp_rtcp_validate(b, 52, 0), PEERC_E_SYNTAX, "compound must start with SR/RR");
    free(b);

    /* A padded last packet: RR + padding (RFC 3550 §6.4.1). */
    peerc_rtp_rtcp_rr rr0 = {.ssrc = 9};
    is_int(peerc__rtp_rtcp_write_rr(&rr0, out, sizeof out, &n), PEERC_OK, "empty RR");
    memcpy(out + 8, "\0\0\0\x04", 4);
    out[0] |= 0x20;
    out[3] = 2;
    is_int(peerc__rtp_rtcp_validate(out, 12, 0), 1, "RR with 4 bytes of padding validates");
    is_int(first_packet(out, 12, &h), 1, "  walks");
    ok(h.padding == 4 && h.body_len == 4, "  padding stripped from the body");
    uint8_t two[24];
    memcpy(two, out, 12);
    memcpy(two + 12, out, 12);
    is_int(peerc__rtp_rtcp_validate(two, 24, 0), PEERC_E_SYNTAX,
           "padding on a non-last packet refused");
}

static void test_rr(void)
{
    peerc_rtp_rtcp_header h;
    peerc_rtp_rtcp_rr rr;
    uint8_t *b = dup_bytes(rtcp_rr, sizeof rtcp_rr);
    is_int(first_packet(b, sizeof rtcp_rr, &h), 1, "aiortc RR walks");
    is_int(peerc__rtp_rtcp_parse_rr(&h, &rr), PEERC_OK, "  parses");
    ok(rr.ssrc == 0x55667788 && rr.report_count == 2, "  two reports");
    ok(rr.reports[0].ssrc == 1 && rr.reports[0].cumulative_lost == 1000 &&
           rr.reports[0].ext_highest_seq == 70000 && rr.reports[0].jitter == 3,
       "  first report");
    ok(rr.reports[1].fraction_lost == 255 && rr.reports[1].lsr == 9 && rr.reports[1].dlsr == 10,
       "  second report");
    uint8_t out[64];
    size_t n;
    is_int(peerc__rtp_rtcp_write_rr(&rr, out, sizeof out, &n), PEERC_OK, "  re-serializes");
    ok(n == sizeof rtcp_rr && memcmp(out, rtcp_rr, n) == 0, "  byte-identical");
    is_int(peerc__rtp_rtcp_write_rr(&rr, out, n - 1, &n), PEERC_E_RANGE, "  short buffer: RANGE");
    b[0] = 0x83; /* claims 3 report blocks in a packet sized for 2 */
    is_int(first_packet(b, sizeof rtcp_rr, &h), 1, "RC larger than the length walks");
    is_int(peerc__rtp_rtcp_parse_rr(&h, &rr), PEERC_E_SYNTAX, "  but does not parse");
    free(b);

    rr.reports[0].cumulative_lost = 0x7fffffff;
    rr.reports[1].cumulative_lost = -0x7fffffff;
    is_int(peerc__rtp_rtcp_write_rr(&rr, out, sizeof out, &n), PEERC_OK, "huge losses are written");
    first_packet(out, n, &h);
    peerc__rtp_rtcp_parse_rr(&h, &rr);
    ok(rr.reports[0].cumulative_lost == 0x7fffff && rr.reports[1].cumulative_lost == -0x800000,
       "  clamped to signed 24 bits");
}

static void test_sdes_bye(void)
{
    uint8_t out[512];
    size_t n;
    peerc_rtp_rtcp_sdes s;
    memset(&s, 0, sizeof s);
    s.chunk_count = 3;
    s.chunks[0] = (peerc_rtp_rtcp_sdes_chunk){1, (const uint8_t *)"a", 1};
    s.chunks[1] = (peerc_rtp_rtcp_sdes_chunk){2, (const uint8_t *)"bc",
                                              2}; /* 4+2+2 = 8: needs a whole null word */
    s.chunks[2] = (peerc_rtp_rtcp_sdes_chunk){3, NULL, 0};
    is_int(peerc__rtp_rtcp_write_sdes(&s, out, sizeof out, &n), PEERC_OK, "SDES with 3 chunks");
    is_int(n, 4 + 8 + 12 + 8, "  each chunk null-terminated and word-aligned");
    peerc_rtp_rtcp_header h;
    peerc_rtp_rtcp_sdes p;
    first_packet(out, n, &h);
    is_int(peerc__rtp_rtcp_parse_sdes(&h, &p), PEERC_OK, "  parses back");
    ok(p.chunk_count == 3 && p.chunks[1].ssrc == 2 && p.chunks[1].cname_len == 2 &&
           memcmp(p.chunks[1].cname, "bc", 2) == 0 && p.chunks[2].cname_len == 0,
       "  chunks");

    /* Other items are skipped; the first CNAME wins. */
    static const uint8_t multi[] = {0x81, 0xca, 0x00, 0x05, 0,   0, 0, 7,   2, 3, 'b', 'o',
                                    'b',  1,    2,    'x',  'y', 1, 1, 'z', 0, 0, 0,   0};
    first_packet(multi, sizeof multi, &h);
    is_int(peerc__rtp_rtcp_parse_sdes(&h, &p), PEERC_OK, "SDES with NAME and two CNAMEs");
    ok(p.chunks[0].cname_len == 2 && memcmp(p.chunks[0].cname, "xy", 2) == 0, "  first CNAME kept");
    static const uint8_t unterminated[] = {0x81, 0xca, 0x00, 0x02, 0, 0, 0, 7, 1, 2, 'x', 'y'};
    first_packet(unterminated, sizeof unterminated, &h);
    is_int(peerc__rtp_rtcp_parse_sdes(&h, &p), PEERC_E_SYNTAX,
           "item list without terminator refused");
    static const uint8_t overlong[] = {0x81, 0xca, 0x00, 0x02, 0, 0, 0, 7, 1, 9, 'x', 'y'};
    first_packet(overlong, sizeof overlong, &h);
    is_int(peerc__rtp_rtcp_parse_sdes(&h, &p), PEERC_E_SYNTAX,
           "item longer than the packet refused");

    peerc_rtp_rtcp_bye bye = {
        .ssrc_count = 1, .ssrcs = {77}, .reason = (const uint8_t *)"hang up", .reason_len = 7};
    is_int(peerc__rtp_rtcp_write_bye(&bye, out, sizeof out, &n), PEERC_OK, "BYE with reason");
    is_int(n, 16, "  4 + 4 + (1 + 7)");
    peerc_rtp_rtcp_bye q;
    first_packet(out, n, &h);
    is_int(peerc__rtp_rtcp_parse_bye(&h, &q), PEERC_OK, "  parses back");
    ok(q.ssrc_count == 1 && q.ssrcs[0] == 77 && q.reason_len == 7 &&
           memcmp(q.reason, "hang up", 7) == 0,
       "  reason");
    out[8] = 200;
    is_int(peerc__rtp_rtcp_parse_bye(&h, &q), PEERC_E_SYNTAX,
           "reason length beyond packet refused");
}

static void test_feedback(void)
{
    peerc_rtp_rtcp_header h;
    peerc_rtp_rtcp_fb fb;
    uint8_t out[2048];
    size_t n;

    first_packet(rtcp_nack, sizeof rtcp_nack, &h);
    is_int(peerc__rtp_rtcp_parse_fb(&h, &fb), PEERC_OK, "aiortc NACK parses as feedback");
    ok(fb.type == PEERC_RTP_RTCP_RTPFB && fb.fmt == PEERC_RTP_RTCP_FMT_NACK &&
           fb.sender_ssrc == 1 && fb.media_ssrc == 2,
       "  header");
    is_int(peerc__rtp_rtcp_nack_count(&fb), 4, "  four FCI entries");
    peerc_rtp_rtcp_nack_item it = peerc__rtp_rtcp_nack_item(&fb, 0);
    ok(it.pid == 100 && it.blp == 0x8005, "  first entry pid 100 blp 0x8005");
    uint16_t seqs[80];
    int k = peerc__rtp_rtcp_nack_seqs(&fb, seqs, 80);
    is_int(k, 7, "  expands to 7 seqs");
    static const uint16_t want[] = {100, 101, 103, 116, 117, 200, 65535};
    ok(k == 7 && memcmp(seqs, want, sizeof want) == 0, "  the ones aiortc put in");
    is_int(peerc__rtp_rtcp_nack_seqs(&fb, seqs, 3), 3, "  expansion stops at cap");
    peerc_rtp_rtcp_nack_item items[4];
    for (int i = 0; i < 4; i++)
        items[i] = peerc__rtp_rtcp_nack_item(&fb, (size_t)i);
    is_int(peerc__rtp_rtcp_write_nack(1, 2, items, 4, out, sizeof out, &n), PEERC_OK,
           "  re-serializes");
    ok(n == sizeof rtcp_nack && memcmp(out, rtcp_nack, n) == 0, "  byte-identical");
    is_int(peerc__rtp_rtcp_write_nack(1, 2, items, 0, out, sizeof out, &n),
           PEERC_E_INVALID_ARGUMENT, "  empty NACK refused");

    first_packet(rtcp_pli, sizeof rtcp_pli, &h);
    is_int(peerc__rtp_rtcp_parse_fb(&h, &fb), PEERC_OK, "aiortc PLI parses");
    ok(fb.type == PEERC_RTP_RTCP_PSFB && fb.fmt == PEERC_RTP_RTCP_FMT_PLI &&
           fb.sender_ssrc == 0x0a && fb.media_ssrc == 0x0b && fb.fci_len == 0,
       "  fields");
    is_int(peerc__rtp_rtcp_nack_count(&fb), PEERC_E_SYNTAX, "  is not a NACK");
    is_int(peerc__rtp_rtcp_write_pli(0x0a, 0x0b, out, sizeof out, &n), PEERC_OK, "write PLI");
    ok(n == sizeof rtcp_pli && memcmp(out, rtcp_pli, n) == 0, "  byte-identical");
    is_int(peerc__rtp_rtcp_write_pli(0x0a, 0x0b, out, 11, &n), PEERC_E_RANGE, "  short buffer");

    first_packet(rtcp_remb, sizeof rtcp_remb, &h);
    peerc__rtp_rtcp_parse_fb(&h, &fb);
    peerc_rtp_rtcp_remb remb;
    is_int(peerc__rtp_rtcp_parse_remb(&fb, &remb), PEERC_OK, "aiortc REMB parses");
    is_int(remb.bitrate_bps, 1234560, "  bitrate (1234567 with 18-bit mantissa)");
    ok(remb.sender_ssrc == 0x0c && remb.ssrc_count == 2 && remb.ssrcs[0] == 0x0d &&
           remb.ssrcs[1] == 0x0e,
       "  SSRCs");
    remb.bitrate_bps = 1234567;
    is_int(peerc__rtp_rtcp_write_remb(&remb, out, sizeof out, &n), PEERC_OK, "write REMB");
    ok(n == sizeof rtcp_remb && memcmp(out, rtcp_remb, n) == 0, "  byte-identical");
    remb.bitrate_bps = 100000; /* fits the mantissa exactly */
    remb.ssrc_count = 0;
    peerc__rtp_rtcp_write_remb(&remb, out, sizeof out, &n);
    first_packet(out, n, &h);
    peerc__rtp_rtcp_parse_fb(&h, &fb);
    peerc__rtp_rtcp_parse_remb(&fb, &remb);
    is_int(remb.bitrate_bps, 100000, "small bitrate exact");
    remb.bitrate_bps = 40000000000ull;
    peerc__rtp_rtcp_write_remb(&remb, out, sizeof out, &n);
    first_packet(out, n, &h);
    peerc__rtp_rtcp_parse_fb(&h, &fb);
    peerc__rtp_rtcp_parse_remb(&fb, &remb);
    ok(remb.bitrate_bps <= 40000000000ull && remb.bitrate_bps > 39999000000ull,
       "40 Gbps within precision");
    /* Exponent 63 with a non-zero mantissa would overflow 64 bits. */
    uint8_t bad[sizeof rtcp_remb];
    memcpy(bad, rtcp_remb, sizeof bad);
    bad[17] = (uint8_t)(63 << 2 | 3);
    first_packet(bad, sizeof bad, &h);
    peerc__rtp_rtcp_parse_fb(&h, &fb);
    is_int(peerc__rtp_rtcp_parse_remb(&fb, &remb), PEERC_E_SYNTAX, "overflowing REMB refused");
    bad[16] = 9; /* 9 SSRCs claimed */
    bad[17] = 0;
    is_int(peerc__rtp_rtcp_parse_remb(&fb, &remb), PEERC_E_SYNTAX,
           "REMB SSRC count beyond FCI refused");
    bad[12] = 'X';
    is_int(peerc__rtp_rtcp_parse_remb(&fb, &remb), PEERC_E_NOT_FOUND,
           "other application feedback: NOT_FOUND");

    peerc_rtp_rtcp_fir_entry fe[2] = {{0x1111, 3}, {0x2222, 250}};
    is_int(peerc__rtp_rtcp_write_fir(5, fe, 2, out, sizeof out, &n), PEERC_OK, "write FIR");
    is_int(n, 12 + 16, "  two 8-byte entries");
    first_packet(out, n, &h);
    peerc__rtp_rtcp_parse_fb(&h, &fb);
    ok(fb.fmt == PEERC_RTP_RTCP_FMT_FIR && fb.sender_ssrc == 5 && fb.media_ssrc == 0,
       "  media SSRC 0 (RFC 5104 §4.3.1.2)");
    is_int(peerc__rtp_rtcp_fir_count(&fb), 2, "  two entries");
    peerc_rtp_rtcp_fir_entry e1 = peerc__rtp_rtcp_fir_entry(&fb, 1);
    ok(e1.ssrc == 0x2222 && e1.seq_nr == 250, "  second entry");
    e1 = peerc__rtp_rtcp_fir_entry(&fb, 2);
    ok(e1.ssrc == 0 && e1.seq_nr == 0, "  out-of-range index gives zeros");
    fb.fci_len = 12;
    is_int(peerc__rtp_rtcp_fir_count(&fb), PEERC_E_SYNTAX, "FIR FCI not a multiple of 8 refused");

    /* A 7-byte feedback body cannot hold both SSRCs. */
    static const uint8_t short_fb[] = {0x81, 0xce, 0x00, 0x01, 0, 0, 0, 1};
    first_packet(short_fb, sizeof short_fb, &h);
    is_int(peerc__rtp_rtcp_parse_fb(&h, &fb), PEERC_E_SYNTAX,
           "feedback without media SSRC refused");
}

int main(void)
{
    test_compound();
    test_rr();
    test_sdes_bye();
    test_feedback();
    return done_testing();
}

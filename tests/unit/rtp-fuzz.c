/* Hostile input for every lib/rtp parser and the stateful receivers:
 * mutated valid packets and random bytes, each parsed from an exactly
 * sized heap copy (the --enable-sanitizers build turns any overread or leak
 * into a failure), with consistency checks on whatever parses.  Seeded, so
 * a failure repeats. */
#include "rtp/jitter.h"
#include "rtp/opus.h"
#include "rtp/packet.h"
#include "rtp/rtcp.h"
#include "rtp/twcc.h"
#include "rtp/vp8.h"

#include <peerc/common.h>

#include "../tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static unsigned seed = 20240611;
static unsigned long parsed, walked, frames_out;

static unsigned rnd(unsigned n)
{
    return n ? (unsigned)rand_r(&seed) % n : 0;
}

static const uint8_t seed_rtp[] = {0x92, 0xe0, 0xff, 0xfe, 0x12, 0x34, 0x56, 0x78, 0xde, 0xad, 0xbe,
                                   0xef, 0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22, 0xbe, 0xde,
                                   0x00, 0x03, 0x10, 0x30, 0x32, 0x12, 0x34, 0x56, 0x51, 0x01, 0x02,
                                   0x00, 0x00, 0x00, 0x68, 0x65, 0x6c, 0x6c, 0x6f};
static const uint8_t seed_rtp2[] = {
    0xb0, 0x6f, 0x00, 0x07, 0x00, 0x00, 0x03, 0xc0, 0x01, 0x02, 0x03, 0x04, 0x10, 0x00, 0x00, 0x06,
    0x01, 0x00, 0x14, 0x11, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c,
    0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x00, 0x00, 0x00, 0xf8, 0xff, 0xfe, 0x00, 0x00, 0x00, 0x04};
static const uint8_t seed_rtcp[] = {
    0x81, 0xc8, 0x00, 0x0c, 0x11, 0x22, 0x33, 0x44, 0xe1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
    0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00, 0x01, 0xd4, 0xc0, 0xaa, 0xbb, 0xcc, 0xdd,
    0x19, 0xff, 0xff, 0xfd, 0x00, 0x01, 0xff, 0xff, 0x00, 0x00, 0x00, 0x2a, 0x45, 0x67, 0x89, 0x01,
    0x00, 0x01, 0x00, 0x00, 0x81, 0xca, 0x00, 0x06, 0x11, 0x22, 0x33, 0x44, 0x01, 0x10, 0x61, 0x62,
    0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x00, 0x00,
    0x82, 0xcb, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
    /* NACK */
    0x81, 0xcd, 0x00, 0x06, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x64, 0x80, 0x05,
    0x00, 0x75, 0x00, 0x00, 0x00, 0xc8, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00,
    /* REMB */
    0x8f, 0xce, 0x00, 0x06, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x52, 0x45, 0x4d, 0x42,
    0x02, 0x0e, 0x5a, 0xd0, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x0e,
    /* FIR */
    0x84, 0xce, 0x00, 0x04, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x11,
    0x03, 0x00, 0x00, 0x00,
    /* TWCC */
    0x8f, 0xcd, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x64, 0x00, 0x0a,
    0x00, 0x00, 0x10, 0x05, 0xd4, 0x25, 0x20, 0x03, 0x04, 0x00, 0xff, 0xf8, 0x10, 0x20, 0xfa, 0xfb,
    0xfc, 0x00, 0x00, 0x00};

/* A mutated copy of seed (or random bytes) in an exactly sized buffer. */
static uint8_t *mutate(const uint8_t *src, size_t n, size_t *out_len)
{
    size_t len;
    uint8_t tmp[512];
    if (rnd(8) == 0) {
        len = rnd(64);
        for (size_t i = 0; i < len; i++)
            tmp[i] = (uint8_t)rnd(256);
        if (len && rnd(2))
            tmp[0] = (uint8_t)(0x80 | rnd(64));
    } else {
        len = n;
        memcpy(tmp, src, n);
        unsigned edits = 1 + rnd(4);
        for (unsigned e = 0; e < edits; e++) {
            switch (rnd(5)) {
            case 0: /* flip a bit */
                tmp[rnd((unsigned)len)] ^= (uint8_t)(1u << rnd(8));
                break;
            case 1: /* random byte */
                tmp[rnd((unsigned)len)] = (uint8_t)rnd(256);
                break;
            case 2: /* truncate */
                len = rnd((unsigned)len + 1);
                break;
            case 3: /* extend with junk */
                while (len < n + 16 && len < sizeof tmp)
                    tmp[len++] = (uint8_t)rnd(256);
                break;
            default: /* a length/count field gets an extreme value */
                if (len > 3)
                    tmp[rnd(4)] = rnd(2) ? 0xff : 0x00;
                break;
            }
            if (len == 0)
                break;
        }
    }
    uint8_t *b = malloc(len ? len : 1);
    memcpy(b, tmp, len);
    *out_len = len;
    return b;
}

static int in_buf(const uint8_t *p, size_t n, const uint8_t *b, size_t len)
{
    return n == 0 || (p >= b && p + n <= b + len);
}

static void fuzz_rtp(int rounds, int *bad)
{
    for (int r = 0; r < rounds; r++) {
        size_t len;
        uint8_t *b = r % 2 ? mutate(seed_rtp, sizeof seed_rtp, &len)
                           : mutate(seed_rtp2, sizeof seed_rtp2, &len);
        peerc_rtp_packet p;
        peerc__rtp_demux(b, len);
        if (peerc__rtp_parse(b, len, &p) == PEERC_OK) {
            parsed++;
            if (p.header_len + p.payload_len + p.padding != len ||
                !in_buf(p.payload, p.payload_len, b, len) ||
                !in_buf(p.ext_raw, p.ext_raw_len, b, len))
                (*bad)++;
            for (unsigned i = 0; i < p.ext_count; i++)
                if (!in_buf(p.ext[i].data, p.ext[i].len, b, len))
                    (*bad)++;
            /* Whatever parses re-serializes and parses back the same. */
            uint8_t out[600];
            size_t n;
            peerc_rtp_packet q;
            if (peerc__rtp_write(&p, out, sizeof out, &n) == PEERC_OK) {
                if (peerc__rtp_parse(out, n, &q) != PEERC_OK || q.payload_len != p.payload_len ||
                    memcmp(q.payload, p.payload, p.payload_len) != 0 || q.seq != p.seq ||
                    q.ext_count != p.ext_count)
                    (*bad)++;
            }
            if (p.ext_count) {
                uint8_t v[256];
                memset(v, 0xaa, sizeof v);
                peerc__rtp_ext_update(b, len, p.ext[0].id, v, p.ext[0].len);
            }
            peerc_rtp_vp8_desc d;
            peerc_rtp_vp8_payload_header h;
            int dl = peerc__rtp_vp8_desc_read(p.payload, p.payload_len, &d);
            if (dl > (int)p.payload_len)
                (*bad)++;
            if (dl > 0)
                peerc__rtp_vp8_payload_header_parse(p.payload + dl, p.payload_len - (size_t)dl, &h);
            peerc__rtp_opus_packet_samples(p.payload, p.payload_len);
        }
        free(b);
    }
}

static void fuzz_rtcp(int rounds, int *bad)
{
    static peerc_rtp_twcc_packet tw[65536];
    for (int r = 0; r < rounds; r++) {
        size_t len;
        uint8_t *b = mutate(seed_rtcp, sizeof seed_rtcp, &len);
        peerc__rtp_rtcp_validate(b, len, r & 1);
        peerc_rtp_rtcp_iter it;
        peerc_rtp_rtcp_header h;
        peerc__rtp_rtcp_iter_init(&it, b, len);
        int guard = 0;
        while (peerc__rtp_rtcp_iter_next(&it, &h) == 1 && guard++ < 1000) {
            walked++;
            if (!in_buf(h.packet, h.packet_len, b, len) || !in_buf(h.body, h.body_len, b, len))
                (*bad)++;
            peerc_rtp_rtcp_sr sr;
            peerc_rtp_rtcp_rr rr;
            peerc_rtp_rtcp_sdes sd;
            peerc_rtp_rtcp_bye bye;
            peerc_rtp_rtcp_fb fb;
            peerc_rtp_rtcp_remb remb;
            peerc_rtp_twcc_feedback tf;
            peerc__rtp_rtcp_parse_sr(&h, &sr);
            peerc__rtp_rtcp_parse_rr(&h, &rr);
            if (peerc__rtp_rtcp_parse_sdes(&h, &sd) == PEERC_OK)
                for (unsigned i = 0; i < sd.chunk_count; i++)
                    if (!in_buf(sd.chunks[i].cname, sd.chunks[i].cname_len, b, len))
                        (*bad)++;
            if (peerc__rtp_rtcp_parse_bye(&h, &bye) == PEERC_OK &&
                !in_buf(bye.reason, bye.reason_len, b, len))
                (*bad)++;
            if (peerc__rtp_rtcp_parse_fb(&h, &fb) == PEERC_OK) {
                uint16_t seqs[64];
                peerc__rtp_rtcp_nack_seqs(&fb, seqs, 64);
                int nf = peerc__rtp_rtcp_fir_count(&fb);
                for (int i = 0; i < nf; i++)
                    peerc__rtp_rtcp_fir_entry(&fb, (size_t)i);
                peerc__rtp_rtcp_parse_remb(&fb, &remb);
                peerc__rtp_twcc_parse(&fb, &tf, tw, 65536);
            }
        }
        free(b);
    }
}

/* Random packet streams into the assembler, VP8 depacketizer and jitter
 * buffer: frames that come out must be self-consistent; nothing leaks. */
static void fuzz_receivers(int rounds, int *bad)
{
    for (int r = 0; r < rounds; r++) {
        peerc_rtp_jitter_config jc;
        peerc__rtp_jitter_config_default(&jc);
        jc.assembler.window = 64u << rnd(4);
        jc.assembler.wait_keyframe = (int)rnd(2);
        jc.assembler.max_frame_bytes = 64 + rnd(4000);
        jc.max_wait_ms = rnd(300);
        jc.nack.max_entries = 1 + rnd(300);
        peerc_rtp_jitter jb;
        peerc_rtp_vp8_depacketizer vd;
        if (peerc__rtp_jitter_init(&jb, &jc) != PEERC_OK ||
            peerc__rtp_vp8_depacketizer_init(&vd, &jc.assembler) != PEERC_OK) {
            (*bad)++;
            continue;
        }
        int64_t next = (int64_t)rnd(70000) - 1000, now = 0;
        for (int i = 0; i < 400; i++) {
            uint8_t data[40];
            size_t dlen = rnd(sizeof data);
            for (size_t k = 0; k < dlen; k++)
                data[k] = (uint8_t)rnd(256);
            /* Mostly a plausible stream (4 packets per frame, a key frame
             * every 10 frames) with loss, reordering, duplicates, jumps and
             * junk mixed in. */
            int64_t seq;
            unsigned what = rnd(100);
            if (what < 90)
                seq = next++;
            else if (what < 95)
                seq = next - 1 - (int64_t)rnd(20);
            else if (what < 98)
                seq = (next += (int64_t)rnd(6));
            else if (what < 99)
                seq = (next += (int64_t)rnd(100000) - 20000);
            else
                seq = next + (int64_t)rnd(200) - 100;
            int start = seq % 4 == 0, key = start && seq % 40 == 0;
            if (rnd(10) && dlen >= 2) {
                data[0] = start ? 0x10 : 0x00; /* VP8 descriptor: S, PID 0 */
                data[1] = (uint8_t)((data[1] & ~1u) | (key ? 0 : 1));
            }
            peerc_rtp_asm_packet p = {
                .seq = seq,
                .timestamp = rnd(20) ? (uint32_t)(seq / 4) * 3000u : (uint32_t)rnd(1000),
                .frame_start = rnd(20) ? start : !start,
                .frame_end = rnd(20) ? seq % 4 == 3 : rnd(2),
                .keyframe = key || rnd(50) == 0,
                .data = data,
                .len = dlen,
            };
            now += rnd(40);
            peerc__rtp_jitter_insert(&jb, &p, now);
            int64_t nacks[32];
            size_t nn = peerc__rtp_jitter_nacks(&jb, now, rnd(200), nacks, 32);
            for (size_t k = 1; k < nn; k++)
                if (nacks[k] <= nacks[k - 1])
                    (*bad)++;
            peerc_rtp_frame f;
            while (peerc__rtp_jitter_pop(&jb, now, &f) == 1) {
                if (f.last_seq < f.first_seq || f.len > jc.assembler.max_frame_bytes)
                    (*bad)++;
                frames_out++;
                peerc__rtp_frame_clear(&f);
            }
            peerc__rtp_jitter_take_keyframe_request(&jb);
            peerc__rtp_jitter_next_timeout(&jb, now);

            /* The same bytes as a VP8 RTP payload. */
            peerc_rtp_packet rp;
            memset(&rp, 0, sizeof rp);
            uint8_t *copy = malloc(dlen ? dlen : 1);
            memcpy(copy, data, dlen);
            rp.seq = (uint16_t)seq;
            rp.timestamp = p.timestamp;
            rp.marker = p.frame_end;
            rp.payload = copy;
            rp.payload_len = dlen;
            peerc__rtp_vp8_depacketizer_push(&vd, &rp, now);
            free(copy);
            while (peerc__rtp_vp8_depacketizer_pop(&vd, &f) == 1) {
                if (f.last_seq < f.first_seq)
                    (*bad)++;
                frames_out++;
                peerc__rtp_frame_clear(&f);
            }
        }
        peerc__rtp_jitter_free(&jb);
        peerc__rtp_vp8_depacketizer_free(&vd);
    }
}

int main(void)
{
    int bad = 0;
    fuzz_rtp(60000, &bad);
    is_int(bad, 0, "60000 mutated RTP packets: parses stay in bounds and round-trip");
    bad = 0;
    fuzz_rtcp(30000, &bad);
    is_int(bad, 0, "30000 mutated RTCP compounds: every parser stays in bounds");
    bad = 0;
    fuzz_receivers(150, &bad);
    is_int(bad, 0, "150 random streams through jitter buffer and VP8 depacketizer");
    diag("%lu RTP parsed, %lu RTCP packets walked, %lu frames assembled", parsed, walked,
         frames_out);
    return done_testing();
}

/* Opus over RTP (RFC 7587): TOC durations (RFC 6716 §3.1), then libopus
 * encode -> RTP -> parse -> decode, sample-identical to decoding the Opus
 * packets directly; loss, DTX gaps and reordering as the receiver helper
 * reports them; concealment and in-band FEC fed from those reports. */
#include "rtp/opus.h"

#include <peerc/common.h>

#include "../tap.h"

#include <opus/opus.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RATE 48000
#define CH 2
#define FRAMES 50

static void test_toc(void)
{
    uint8_t p[3] = {0, 0, 0};
    static const int per_config[32] = {480,  960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920,
                                       2880, 480, 960,  480,  960, 120, 240,  480,  960, 120, 240,
                                       480,  960, 120,  240,  480, 960, 120,  240,  480, 960};
    int good = 1;
    for (int c = 0; c < 32; c++) {
        p[0] = (uint8_t)(c << 3);
        if (peerc__rtp_opus_packet_samples(p, 1) != per_config[c])
            good = 0;
        p[0] = (uint8_t)(c << 3 | 1);
        if (peerc__rtp_opus_packet_samples(p, 3) != 2 * per_config[c])
            good = 0;
    }
    ok(good, "all 32 TOC configs, codes 0 and 1");
    p[0] = (uint8_t)(19 << 3 | 3); /* CELT 20 ms, code 3 */
    p[1] = 6;
    is_int(peerc__rtp_opus_packet_samples(p, 2), 5760, "code 3: 6 x 20 ms = 120 ms");
    p[1] = 7;
    is_int(peerc__rtp_opus_packet_samples(p, 2), PEERC_E_SYNTAX, "code 3: 140 ms refused (§3.2.5)");
    p[1] = 0;
    is_int(peerc__rtp_opus_packet_samples(p, 2), PEERC_E_SYNTAX, "code 3: 0 frames refused");
    is_int(peerc__rtp_opus_packet_samples(p, 1), PEERC_E_SYNTAX,
           "code 3 without count byte refused");
    p[0] = (uint8_t)(16 << 3 | 3);
    p[1] = 48 | 0x80; /* 48 x 2.5 ms, VBR flag set */
    is_int(peerc__rtp_opus_packet_samples(p, 2), 5760, "code 3: 48 x 2.5 ms");
    is_int(peerc__rtp_opus_packet_samples(p, 0), PEERC_E_SYNTAX, "empty packet refused");
}

static void tone(int16_t *pcm, int n, int64_t start, double hz)
{
    for (int i = 0; i < n; i++) {
        double v = 8000.0 * sin(2.0 * M_PI * hz * (double)(start + i) / RATE);
        pcm[CH * i] = pcm[CH * i + 1] = (int16_t)v;
    }
}

static void test_round_trip(void)
{
    int err;
    OpusEncoder *enc = opus_encoder_create(RATE, CH, OPUS_APPLICATION_VOIP, &err);
    OpusDecoder *direct = opus_decoder_create(RATE, CH, &err);
    OpusDecoder *via_rtp = opus_decoder_create(RATE, CH, &err);
    if (!enc || !direct || !via_rtp)
        skip_all("libopus unavailable");
    opus_encoder_ctl(enc, OPUS_SET_BITRATE(64000));
    opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(1));
    opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(10));

    peerc_rtp_opus_sender tx;
    peerc_rtp_opus_receiver rx;
    peerc__rtp_opus_sender_init(&tx, 0x5eed, 111, 65530, 0xfffff000u);
    peerc__rtp_opus_receiver_init(&rx);

    int16_t pcm[960 * CH * 3], a[5760 * CH], b[5760 * CH];
    uint8_t opus[1500], wire[1500];
    int64_t at = 0;
    int same = 1, headers = 1, infos = 1, crossings = 0, frames_done = 0;
    int16_t prev = 0;
    uint32_t first_ts = tx.timestamp;
    for (int f = 0; f < FRAMES; f++) {
        /* 20 ms frames, with a few 10 ms and 60 ms ones to exercise the TOC. */
        int n = f == 7 ? 480 : f == 20 ? 2880 : 960;
        tone(pcm, n, at, 440.0);
        int len = opus_encode(enc, pcm, n, opus, sizeof opus);
        if (len <= 0) {
            same = 0;
            break;
        }
        uint32_t ts_before = tx.timestamp;
        size_t wlen;
        if (peerc__rtp_opus_packetize(&tx, opus, (size_t)len, wire, sizeof wire, &wlen) !=
            PEERC_OK) {
            same = 0;
            break;
        }
        peerc_rtp_packet p;
        peerc_rtp_opus_info info;
        if (peerc__rtp_parse(wire, wlen, &p) != PEERC_OK ||
            peerc__rtp_opus_receive(&rx, &p, &info) != PEERC_OK) {
            same = 0;
            break;
        }
        if (p.payload_type != 111 || p.ssrc != 0x5eed || p.seq != (uint16_t)(65530 + f) ||
            p.timestamp != ts_before || p.marker != (f == 0) ||
            tx.timestamp - ts_before != (uint32_t)n)
            headers = 0;
        if (info.samples != n || info.lost_packets || info.gap_samples || info.late)
            infos = 0;
        int da = opus_decode(direct, opus, len, a, 5760, 0);
        int db = opus_decode(via_rtp, info.opus, (opus_int32)info.len, b, 5760, 0);
        if (da != n || db != n || memcmp(a, b, (size_t)n * CH * sizeof a[0]) != 0)
            same = 0;
        if (f >= 5) /* after the decoder settles */
            for (int i = 0; i < n; i++) {
                if ((prev < 0) != (b[CH * i] < 0))
                    crossings++;
                prev = b[CH * i];
            }
        if (f >= 5)
            frames_done += n;
        at += n;
    }
    ok(same, "%d Opus packets through RTP decode sample-identical to direct decoding", FRAMES);
    ok(headers, "  PT, SSRC, seq across the wrap, marker on the first, timestamp += duration");
    ok(infos, "  receiver sees no loss, no gap, correct durations");
    is_int(tx.timestamp - first_ts, (uint32_t)at,
           "  timestamp advanced by %lld samples (48 kHz clock)", (long long)at);
    double hz = crossings / 2.0 / ((double)frames_done / RATE);
    ok(hz > 430 && hz < 450, "  decoded tone is 440 Hz (measured %.1f)", hz);

    /* Loss of one packet: the receiver reports it; PLC and FEC fill it. */
    uint8_t saved[2][1500];
    size_t saved_len[2];
    for (int k = 0; k < 2; k++) {
        tone(pcm, 960, at, 440.0);
        int len = opus_encode(enc, pcm, 960, opus, sizeof opus);
        peerc__rtp_opus_packetize(&tx, opus, (size_t)len, saved[k], sizeof saved[k], &saved_len[k]);
        at += 960;
    }
    peerc_rtp_packet p;
    peerc_rtp_opus_info info;
    peerc__rtp_parse(saved[1], saved_len[1], &p); /* saved[0] is lost */
    is_int(peerc__rtp_opus_receive(&rx, &p, &info), PEERC_OK, "packet after a loss");
    ok(info.lost_packets == 1 && info.gap_samples == 960, "  1 packet / 960 samples missing");
    int fec = opus_decode(via_rtp, info.opus, (opus_int32)info.len, b, 960, 1);
    is_int(fec, 960, "  in-band FEC recovers the lost 20 ms");
    is_int(opus_decode(via_rtp, info.opus, (opus_int32)info.len, b, 5760, 0), 960,
           "  then the packet itself");
    peerc__rtp_parse(saved[0], saved_len[0], &p);
    is_int(peerc__rtp_opus_receive(&rx, &p, &info), PEERC_OK, "the lost packet arriving late");
    ok(info.late, "  is flagged late");
    is_int(opus_decode(via_rtp, NULL, 0, b, 960, 0), 960, "PLC produces 960 samples for a gap");

    /* DTX / mute: a skip advances the timestamp and marks the next packet. */
    peerc__rtp_opus_sender_skip(&tx, 1920);
    tone(pcm, 960, at, 440.0);
    int len = opus_encode(enc, pcm, 960, opus, sizeof opus);
    size_t wlen;
    peerc__rtp_opus_packetize(&tx, opus, (size_t)len, wire, sizeof wire, &wlen);
    peerc__rtp_parse(wire, wlen, &p);
    peerc__rtp_opus_receive(&rx, &p, &info);
    ok(p.marker && info.lost_packets == 0 && info.gap_samples == 1920,
       "after 40 ms of DTX: marker, no loss, 1920-sample gap");

    /* Hostile payloads. */
    static const uint8_t bad[] = {0x03};
    p.payload = bad;
    p.payload_len = 1;
    is_int(peerc__rtp_opus_receive(&rx, &p, &info), PEERC_E_SYNTAX, "code 3 without count refused");
    p.payload_len = 0;
    is_int(peerc__rtp_opus_receive(&rx, &p, &info), PEERC_E_SYNTAX, "empty payload refused");
    uint16_t seq = tx.seq;
    is_int(peerc__rtp_opus_packetize(&tx, bad, 1, wire, sizeof wire, &wlen), PEERC_E_SYNTAX,
           "sender refuses it too");
    is_int(tx.seq, seq, "  without consuming a sequence number");
    is_int(peerc__rtp_opus_packetize(&tx, opus, (size_t)len, wire, 12, &wlen), PEERC_E_RANGE,
           "short buffer");
    is_int(tx.seq, seq, "  without consuming a sequence number");

    opus_encoder_destroy(enc);
    opus_decoder_destroy(direct);
    opus_decoder_destroy(via_rtp);
}

int main(void)
{
    test_toc();
    test_round_trip();
    return done_testing();
}

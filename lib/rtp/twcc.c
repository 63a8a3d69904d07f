/* Transport-wide CC feedback (draft-holmer-rmcat-transport-wide-cc-
 * extensions-01 §3.1): status chunks (run length §3.1.3, status vector
 * §3.1.4) followed by receive deltas (§3.1.5). */
#include "rtp/twcc.h"
#include "rtp/bytes.h"

#include <peerc/common.h>

#include <string.h>

#define FB_HEADER 12
#define TWCC_FIXED 8 /* base seq, status count, reference time, fb count */
#define RUN_MAX 0x1fff

int peerc__rtp_twcc_parse(const peerc_rtp_rtcp_fb *fb, peerc_rtp_twcc_feedback *out,
                          peerc_rtp_twcc_packet *pkts, size_t cap)
{
    if (!fb || !out || fb->type != PEERC_RTP_RTCP_RTPFB || fb->fmt != PEERC_RTP_RTCP_FMT_TWCC ||
        fb->fci_len < TWCC_FIXED)
        return PEERC_E_SYNTAX;
    const uint8_t *p = fb->fci;
    size_t n = fb->fci_len;
    out->sender_ssrc = fb->sender_ssrc;
    out->media_ssrc = fb->media_ssrc;
    out->base_seq = peerc__rtp_rd16(p);
    out->status_count = peerc__rtp_rd16(p + 2);
    uint32_t ref = peerc__rtp_rd24(p + 4);
    out->reference_time = (ref & 0x800000) ? (int32_t)ref - 0x1000000 : (int32_t)ref;
    out->fb_count = p[7];
    size_t count = out->status_count;
    if (cap < count || (count && !pkts))
        return PEERC_E_RANGE;

    size_t pos = TWCC_FIXED, k = 0;
    while (k < count) {
        if (n - pos < 2)
            return PEERC_E_SYNTAX;
        uint16_t c = peerc__rtp_rd16(p + pos);
        pos += 2;
        if (!(c & 0x8000)) {
            /* §3.1.3 run length chunk: T=0, S (2 bits), run length (13). */
            uint8_t sym = (c >> 13) & 3;
            size_t run = c & RUN_MAX;
            if (sym == 3 && run)
                return PEERC_E_SYNTAX;
            for (size_t i = 0; i < run && k < count; i++)
                pkts[k++].status = sym;
        } else if (!(c & 0x4000)) {
            /* §3.1.4 status vector, S=0: 14 one-bit symbols. */
            for (int b = 13; b >= 0 && k < count; b--)
                pkts[k++].status = (c >> b) & 1;
        } else {
            /* S=1: 7 two-bit symbols. */
            for (int b = 12; b >= 0 && k < count; b -= 2) {
                uint8_t sym = (c >> b) & 3;
                if (sym == 3)
                    return PEERC_E_SYNTAX;
                pkts[k++].status = sym;
            }
        }
    }
    int64_t t = (int64_t)out->reference_time * PEERC_RTP_TWCC_REF_US;
    for (k = 0; k < count; k++) {
        peerc_rtp_twcc_packet *pk = &pkts[k];
        pk->seq = (uint16_t)(out->base_seq + k);
        pk->delta = 0;
        pk->arrival_us = 0;
        if (pk->status == PEERC_RTP_TWCC_SMALL_DELTA) {
            if (n - pos < 1)
                return PEERC_E_SYNTAX;
            pk->delta = p[pos++];
        } else if (pk->status == PEERC_RTP_TWCC_LARGE_DELTA) {
            if (n - pos < 2)
                return PEERC_E_SYNTAX;
            pk->delta = (int16_t)peerc__rtp_rd16(p + pos);
            pos += 2;
        } else {
            continue;
        }
        t += (int64_t)pk->delta * PEERC_RTP_TWCC_TICK_US;
        pk->arrival_us = t;
    }
    return (int)count;
}

static int symbol_of(const peerc_rtp_twcc_packet *pk)
{
    if (pk->status == PEERC_RTP_TWCC_NOT_RECEIVED)
        return PEERC_RTP_TWCC_NOT_RECEIVED;
    if (pk->delta >= 0 && pk->delta <= 255)
        return PEERC_RTP_TWCC_SMALL_DELTA;
    if (pk->delta >= INT16_MIN && pk->delta <= INT16_MAX)
        return PEERC_RTP_TWCC_LARGE_DELTA;
    return -1;
}

/* Encode the chunk starting at packet i into *chunk; returns how many
 * packets it covers.  Runs of 7 or more become a run length chunk, else a
 * one-bit vector when the next 14 need no large deltas, else a two-bit one. */
static size_t next_chunk(const peerc_rtp_twcc_packet *pkts, size_t i, size_t count, uint16_t *chunk)
{
    int sym = symbol_of(&pkts[i]);
    size_t run = 1;
    while (i + run < count && run < RUN_MAX && symbol_of(&pkts[i + run]) == sym)
        run++;
    if (run >= 7) {
        *chunk = (uint16_t)(sym << 13 | run);
        return run;
    }
    size_t n14 = count - i < 14 ? count - i : 14;
    int small = 1;
    for (size_t j = 0; j < n14; j++)
        if (symbol_of(&pkts[i + j]) == PEERC_RTP_TWCC_LARGE_DELTA)
            small = 0;
    uint16_t c;
    size_t used;
    if (small) {
        c = 0x8000;
        for (size_t j = 0; j < n14; j++)
            c |= (uint16_t)(symbol_of(&pkts[i + j]) << (13 - j));
        used = n14;
    } else {
        size_t n7 = count - i < 7 ? count - i : 7;
        c = 0xc000;
        for (size_t j = 0; j < n7; j++)
            c |= (uint16_t)(symbol_of(&pkts[i + j]) << (12 - 2 * j));
        used = n7;
    }
    *chunk = c;
    return used;
}

int peerc__rtp_twcc_write(const peerc_rtp_twcc_feedback *fb, const peerc_rtp_twcc_packet *pkts,
                          uint8_t *buf, size_t cap, size_t *out_len)
{
    if (!fb || !buf || !out_len || (fb->status_count && !pkts) || fb->reference_time < -0x800000 ||
        fb->reference_time > 0x7fffff)
        return PEERC_E_INVALID_ARGUMENT;
    size_t count = fb->status_count;
    /* Sizes first: deltas (which also validates every symbol), then chunks. */
    size_t chunks = 0, deltas = 0;
    for (size_t i = 0; i < count; i++) {
        int s = symbol_of(&pkts[i]);
        if (s < 0)
            return PEERC_E_RANGE;
        deltas += (size_t)s; /* 0, 1 or 2 bytes, same as the symbol value */
    }
    for (size_t i = 0; i < count;) {
        uint16_t c;
        i += next_chunk(pkts, i, count, &c);
        chunks++;
    }
    size_t fci = TWCC_FIXED + chunks * 2 + deltas;
    size_t total = FB_HEADER + ((fci + 3) & ~(size_t)3);
    if (total / 4 - 1 > 0xffff)
        return PEERC_E_RANGE;
    if (total > cap)
        return PEERC_E_RANGE;
    memset(buf, 0, total);
    peerc__rtp_rtcp_write_header(buf, PEERC_RTP_RTCP_FMT_TWCC, PEERC_RTP_RTCP_RTPFB, total);
    peerc__rtp_wr32(buf + 4, fb->sender_ssrc);
    peerc__rtp_wr32(buf + 8, fb->media_ssrc);
    uint8_t *p = buf + FB_HEADER;
    peerc__rtp_wr16(p, fb->base_seq);
    peerc__rtp_wr16(p + 2, fb->status_count);
    peerc__rtp_wr24(p + 4, (uint32_t)fb->reference_time & 0xffffff);
    p[7] = fb->fb_count;
    size_t pos = TWCC_FIXED;
    for (size_t i = 0; i < count;) {
        uint16_t c;
        i += next_chunk(pkts, i, count, &c);
        peerc__rtp_wr16(p + pos, c);
        pos += 2;
    }
    for (size_t i = 0; i < count; i++) {
        int s = symbol_of(&pkts[i]);
        if (s == PEERC_RTP_TWCC_SMALL_DELTA) {
            p[pos++] = (uint8_t)pkts[i].delta;
        } else if (s == PEERC_RTP_TWCC_LARGE_DELTA) {
            peerc__rtp_wr16(p + pos, (uint16_t)(int16_t)pkts[i].delta);
            pos += 2;
        }
    }
    *out_len = total;
    return PEERC_OK;
}

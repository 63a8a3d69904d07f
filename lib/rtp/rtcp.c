/* RTCP compound walking (RFC 3550 §6.1, A.2) and the RFC 3550 packet
 * types: SR and RR (§6.4), SDES (§6.5), BYE (§6.6). */
#include "rtp/rtcp.h"
#include "rtp/bytes.h"

#include <peerc/common.h>

#include <string.h>

#define SR_INFO_LEN 20 /* NTP(8) RTP ts(4) packets(4) octets(4), §6.4.1 */
#define REPORT_LEN 24

void peerc__rtp_rtcp_iter_init(peerc_rtp_rtcp_iter *it, const uint8_t *buf, size_t len)
{
    it->buf = buf;
    it->len = buf ? len : 0;
    it->off = 0;
}

int peerc__rtp_rtcp_iter_next(peerc_rtp_rtcp_iter *it, peerc_rtp_rtcp_header *out)
{
    if (it->off >= it->len)
        return 0;
    size_t left = it->len - it->off;
    const uint8_t *b = it->buf + it->off;
    size_t plen;
    if (left < 4 || b[0] >> 6 != 2 || (plen = ((size_t)peerc__rtp_rd16(b + 2) + 1) * 4) > left)
        goto bad;
    memset(out, 0, sizeof *out);
    out->type = b[1];
    out->count = b[0] & 0x1f;
    out->packet = b;
    out->packet_len = plen;
    out->body = b + 4;
    out->body_len = plen - 4;
    if (b[0] & 0x20) {
        /* §6.4.1: the last octet counts the padding, itself included. */
        uint8_t pad = b[plen - 1];
        if (pad == 0 || pad > plen - 4)
            goto bad;
        out->padding = pad;
        out->body_len -= pad;
    }
    it->off += plen;
    return 1;
bad:
    it->off = it->len;
    return PEERC_E_SYNTAX;
}

int peerc__rtp_rtcp_validate(const uint8_t *buf, size_t len, int reduced_size)
{
    peerc_rtp_rtcp_iter it;
    peerc_rtp_rtcp_header h;
    int n = 0, rc, padded = 0;
    peerc__rtp_rtcp_iter_init(&it, buf, len);
    while ((rc = peerc__rtp_rtcp_iter_next(&it, &h)) == 1) {
        if (padded) /* A.2: only the last packet may be padded */
            return PEERC_E_SYNTAX;
        if (n == 0 && !reduced_size && h.type != PEERC_RTP_RTCP_SR && h.type != PEERC_RTP_RTCP_RR)
            return PEERC_E_SYNTAX;
        padded = h.padding != 0;
        n++;
    }
    if (rc < 0 || n == 0)
        return PEERC_E_SYNTAX;
    return n;
}

void peerc__rtp_rtcp_write_header(uint8_t *buf, uint8_t count, uint8_t type, size_t total_len)
{
    buf[0] = (uint8_t)(0x80 | (count & 0x1f));
    buf[1] = type;
    peerc__rtp_wr16(buf + 2, (uint16_t)(total_len / 4 - 1));
}

static void read_report(const uint8_t *p, peerc_rtp_rtcp_report *r)
{
    r->ssrc = peerc__rtp_rd32(p);
    r->fraction_lost = p[4];
    uint32_t lost = peerc__rtp_rd24(p + 5);
    /* §6.4.1: cumulative number of packets lost is a signed 24-bit value. */
    r->cumulative_lost = (lost & 0x800000) ? (int32_t)lost - 0x1000000 : (int32_t)lost;
    r->ext_highest_seq = peerc__rtp_rd32(p + 8);
    r->jitter = peerc__rtp_rd32(p + 12);
    r->lsr = peerc__rtp_rd32(p + 16);
    r->dlsr = peerc__rtp_rd32(p + 20);
}

static void write_report(uint8_t *p, const peerc_rtp_rtcp_report *r)
{
    int32_t lost = r->cumulative_lost;
    if (lost > 0x7fffff)
        lost = 0x7fffff;
    if (lost < -0x800000)
        lost = -0x800000;
    peerc__rtp_wr32(p, r->ssrc);
    p[4] = r->fraction_lost;
    peerc__rtp_wr24(p + 5, (uint32_t)lost & 0xffffff);
    peerc__rtp_wr32(p + 8, r->ext_highest_seq);
    peerc__rtp_wr32(p + 12, r->jitter);
    peerc__rtp_wr32(p + 16, r->lsr);
    peerc__rtp_wr32(p + 20, r->dlsr);
}

int peerc__rtp_rtcp_parse_sr(const peerc_rtp_rtcp_header *h, peerc_rtp_rtcp_sr *out)
{
    if (!h || !out || h->type != PEERC_RTP_RTCP_SR)
        return PEERC_E_SYNTAX;
    const uint8_t *b = h->body;
    if (h->body_len < 4 + SR_INFO_LEN + (size_t)h->count * REPORT_LEN)
        return PEERC_E_SYNTAX;
    out->ssrc = peerc__rtp_rd32(b);
    out->ntp = (uint64_t)peerc__rtp_rd32(b + 4) << 32 | peerc__rtp_rd32(b + 8);
    out->rtp_timestamp = peerc__rtp_rd32(b + 12);
    out->packet_count = peerc__rtp_rd32(b + 16);
    out->octet_count = peerc__rtp_rd32(b + 20);
    out->report_count = h->count;
    for (unsigned i = 0; i < h->count; i++)
        read_report(b + 24 + i * REPORT_LEN, &out->reports[i]);
    return PEERC_OK;
}

int peerc__rtp_rtcp_parse_rr(const peerc_rtp_rtcp_header *h, peerc_rtp_rtcp_rr *out)
{
    if (!h || !out || h->type != PEERC_RTP_RTCP_RR)
        return PEERC_E_SYNTAX;
    if (h->body_len < 4 + (size_t)h->count * REPORT_LEN)
        return PEERC_E_SYNTAX;
    out->ssrc = peerc__rtp_rd32(h->body);
    out->report_count = h->count;
    for (unsigned i = 0; i < h->count; i++)
        read_report(h->body + 4 + i * REPORT_LEN, &out->reports[i]);
    return PEERC_OK;
}

int peerc__rtp_rtcp_write_sr(const peerc_rtp_rtcp_sr *sr, uint8_t *buf, size_t cap, size_t *out_len)
{
    if (!sr || !buf || !out_len || sr->report_count > PEERC_RTP_RTCP_MAX_COUNT)
        return PEERC_E_INVALID_ARGUMENT;
    size_t total = 4 + 4 + SR_INFO_LEN + (size_t)sr->report_count * REPORT_LEN;
    if (total > cap)
        return PEERC_E_RANGE;
    peerc__rtp_rtcp_write_header(buf, sr->report_count, PEERC_RTP_RTCP_SR, total);
    peerc__rtp_wr32(buf + 4, sr->ssrc);
    peerc__rtp_wr32(buf + 8, (uint32_t)(sr->ntp >> 32));
    peerc__rtp_wr32(buf + 12, (uint32_t)sr->ntp);
    peerc__rtp_wr32(buf + 16, sr->rtp_timestamp);
    peerc__rtp_wr32(buf + 20, sr->packet_count);
    peerc__rtp_wr32(buf + 24, sr->octet_count);
    for (unsigned i = 0; i < sr->report_count; i++)
        write_report(buf + 28 + i * REPORT_LEN, &sr->reports[i]);
    *out_len = total;
    return PEERC_OK;
}

int peerc__rtp_rtcp_write_rr(const peerc_rtp_rtcp_rr *rr, uint8_t *buf, size_t cap, size_t *out_len)
{
    if (!rr || !buf || !out_len || rr->report_count > PEERC_RTP_RTCP_MAX_COUNT)
        return PEERC_E_INVALID_ARGUMENT;
    size_t total = 8 + (size_t)rr->report_count * REPORT_LEN;
    if (total > cap)
        return PEERC_E_RANGE;
    peerc__rtp_rtcp_write_header(buf, rr->report_count, PEERC_RTP_RTCP_RR, total);
    peerc__rtp_wr32(buf + 4, rr->ssrc);
    for (unsigned i = 0; i < rr->report_count; i++)
        write_report(buf + 8 + i * REPORT_LEN, &rr->reports[i]);
    *out_len = total;
    return PEERC_OK;
}

/* §6.5: a chunk is an SSRC, items (type, length, text), then one or more
 * null octets up to the next 32-bit boundary. */
int peerc__rtp_rtcp_parse_sdes(const peerc_rtp_rtcp_header *h, peerc_rtp_rtcp_sdes *out)
{
    if (!h || !out || h->type != PEERC_RTP_RTCP_SDES)
        return PEERC_E_SYNTAX;
    const uint8_t *b = h->body;
    size_t n = h->body_len, pos = 0;
    memset(out, 0, sizeof *out);
    for (unsigned c = 0; c < h->count; c++) {
        peerc_rtp_rtcp_sdes_chunk *ch = &out->chunks[c];
        if (n - pos < 4)
            return PEERC_E_SYNTAX;
        ch->ssrc = peerc__rtp_rd32(b + pos);
        pos += 4;
        for (;;) {
            if (pos >= n)
                return PEERC_E_SYNTAX;
            uint8_t type = b[pos];
            if (type == 0) {
                pos = (pos + 4) & ~(size_t)3;
                if (pos > n)
                    return PEERC_E_SYNTAX;
                break;
            }
            if (n - pos < 2 || (size_t)b[pos + 1] > n - pos - 2)
                return PEERC_E_SYNTAX;
            if (type == PEERC_RTP_RTCP_SDES_CNAME && !ch->cname_len) {
                ch->cname = b + pos + 2;
                ch->cname_len = b[pos + 1];
            }
            pos += 2 + (size_t)b[pos + 1];
        }
        out->chunk_count = (uint8_t)(c + 1);
    }
    return PEERC_OK;
}

static size_t sdes_chunk_len(const peerc_rtp_rtcp_sdes_chunk *ch)
{
    size_t n = 4 + (ch->cname_len ? 2u + ch->cname_len : 0u) + 1;
    return (n + 3) & ~(size_t)3;
}

int peerc__rtp_rtcp_write_sdes(const peerc_rtp_rtcp_sdes *sdes, uint8_t *buf, size_t cap,
                               size_t *out_len)
{
    if (!sdes || !buf || !out_len || sdes->chunk_count > PEERC_RTP_RTCP_MAX_COUNT)
        return PEERC_E_INVALID_ARGUMENT;
    size_t total = 4;
    for (unsigned c = 0; c < sdes->chunk_count; c++) {
        if (sdes->chunks[c].cname_len && !sdes->chunks[c].cname)
            return PEERC_E_INVALID_ARGUMENT;
        total += sdes_chunk_len(&sdes->chunks[c]);
    }
    if (total > cap)
        return PEERC_E_RANGE;
    peerc__rtp_rtcp_write_header(buf, sdes->chunk_count, PEERC_RTP_RTCP_SDES, total);
    size_t pos = 4;
    for (unsigned c = 0; c < sdes->chunk_count; c++) {
        const peerc_rtp_rtcp_sdes_chunk *ch = &sdes->chunks[c];
        size_t clen = sdes_chunk_len(ch);
        memset(buf + pos, 0, clen);
        peerc__rtp_wr32(buf + pos, ch->ssrc);
        if (ch->cname_len) {
            buf[pos + 4] = PEERC_RTP_RTCP_SDES_CNAME;
            buf[pos + 5] = ch->cname_len;
            memcpy(buf + pos + 6, ch->cname, ch->cname_len);
        }
        pos += clen;
    }
    *out_len = total;
    return PEERC_OK;
}

int peerc__rtp_rtcp_parse_bye(const peerc_rtp_rtcp_header *h, peerc_rtp_rtcp_bye *out)
{
    if (!h || !out || h->type != PEERC_RTP_RTCP_BYE)
        return PEERC_E_SYNTAX;
    size_t n = (size_t)h->count * 4;
    if (h->body_len < n)
        return PEERC_E_SYNTAX;
    memset(out, 0, sizeof *out);
    out->ssrc_count = h->count;
    for (unsigned i = 0; i < h->count; i++)
        out->ssrcs[i] = peerc__rtp_rd32(h->body + i * 4);
    if (h->body_len > n) {
        /* §6.6: optional length-prefixed reason, padded to 32 bits. */
        size_t rlen = h->body[n];
        if (rlen > h->body_len - n - 1)
            return PEERC_E_SYNTAX;
        out->reason = rlen ? h->body + n + 1 : NULL;
        out->reason_len = (uint8_t)rlen;
    }
    return PEERC_OK;
}

int peerc__rtp_rtcp_write_bye(const peerc_rtp_rtcp_bye *bye, uint8_t *buf, size_t cap,
                              size_t *out_len)
{
    if (!bye || !buf || !out_len || bye->ssrc_count > PEERC_RTP_RTCP_MAX_COUNT ||
        (bye->reason_len && !bye->reason))
        return PEERC_E_INVALID_ARGUMENT;
    size_t reason = bye->reason_len ? ((1u + bye->reason_len + 3) & ~(size_t)3) : 0;
    size_t total = 4 + (size_t)bye->ssrc_count * 4 + reason;
    if (total > cap)
        return PEERC_E_RANGE;
    peerc__rtp_rtcp_write_header(buf, bye->ssrc_count, PEERC_RTP_RTCP_BYE, total);
    size_t pos = 4;
    for (unsigned i = 0; i < bye->ssrc_count; i++, pos += 4)
        peerc__rtp_wr32(buf + pos, bye->ssrcs[i]);
    if (reason) {
        memset(buf + pos, 0, reason);
        buf[pos] = bye->reason_len;
        memcpy(buf + pos + 1, bye->reason, bye->reason_len);
    }
    *out_len = total;
    return PEERC_OK;
}

/* RTCP feedback (RFC 4585 §6): generic NACK (§6.2.1), PLI (§6.3.1),
 * FIR (RFC 5104 §4.3.1) and REMB (draft-alvestrand-rmcat-remb-03 §2.2). */
#include "rtp/rtcp.h"
#include "rtp/bytes.h"

#include <peerc/common.h>

#include <string.h>

#define FB_HEADER 12 /* common header + sender SSRC + media SSRC */

int peerc__rtp_rtcp_parse_fb(const peerc_rtp_rtcp_header *h, peerc_rtp_rtcp_fb *out)
{
    if (!h || !out || (h->type != PEERC_RTP_RTCP_RTPFB && h->type != PEERC_RTP_RTCP_PSFB) ||
        h->body_len < 8)
        return PEERC_E_SYNTAX;
    out->type = h->type;
    out->fmt = h->count;
    out->sender_ssrc = peerc__rtp_rd32(h->body);
    out->media_ssrc = peerc__rtp_rd32(h->body + 4);
    out->fci = h->body + 8;
    out->fci_len = h->body_len - 8;
    return PEERC_OK;
}

/* Writes the feedback header for a message with fci_len bytes of FCI. */
static int fb_begin(uint8_t type, uint8_t fmt, uint32_t sender, uint32_t media, size_t fci_len,
                    uint8_t *buf, size_t cap, size_t *out_len)
{
    if (!buf || !out_len)
        return PEERC_E_INVALID_ARGUMENT;
    size_t total = FB_HEADER + fci_len;
    if (total / 4 - 1 > 0xffff)
        return PEERC_E_INVALID_ARGUMENT;
    if (total > cap)
        return PEERC_E_RANGE;
    peerc__rtp_rtcp_write_header(buf, fmt, type, total);
    peerc__rtp_wr32(buf + 4, sender);
    peerc__rtp_wr32(buf + 8, media);
    *out_len = total;
    return PEERC_OK;
}

int peerc__rtp_rtcp_nack_count(const peerc_rtp_rtcp_fb *fb)
{
    if (!fb || fb->type != PEERC_RTP_RTCP_RTPFB || fb->fmt != PEERC_RTP_RTCP_FMT_NACK ||
        fb->fci_len == 0 || fb->fci_len % 4)
        return PEERC_E_SYNTAX;
    return (int)(fb->fci_len / 4);
}

peerc_rtp_rtcp_nack_item peerc__rtp_rtcp_nack_item(const peerc_rtp_rtcp_fb *fb, size_t i)
{
    peerc_rtp_rtcp_nack_item it = {0, 0};
    if (fb && i < fb->fci_len / 4) {
        it.pid = peerc__rtp_rd16(fb->fci + i * 4);
        it.blp = peerc__rtp_rd16(fb->fci + i * 4 + 2);
    }
    return it;
}

int peerc__rtp_rtcp_nack_seqs(const peerc_rtp_rtcp_fb *fb, uint16_t *out, size_t cap)
{
    int n = peerc__rtp_rtcp_nack_count(fb);
    if (n < 0)
        return n;
    if (!out && cap)
        return PEERC_E_INVALID_ARGUMENT;
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        peerc_rtp_rtcp_nack_item it = peerc__rtp_rtcp_nack_item(fb, (size_t)i);
        if (k < cap)
            out[k++] = it.pid;
        for (unsigned bit = 0; bit < 16; bit++)
            if (it.blp & (1u << bit) && k < cap)
                out[k++] = (uint16_t)(it.pid + bit + 1);
    }
    return (int)k;
}

int peerc__rtp_rtcp_write_nack(uint32_t sender_ssrc, uint32_t media_ssrc,
                               const peerc_rtp_rtcp_nack_item *items, size_t n, uint8_t *buf,
                               size_t cap, size_t *out_len)
{
    if (!items || n == 0 || n > 0xfffc)
        return PEERC_E_INVALID_ARGUMENT;
    int rc = fb_begin(PEERC_RTP_RTCP_RTPFB, PEERC_RTP_RTCP_FMT_NACK, sender_ssrc, media_ssrc, n * 4,
                      buf, cap, out_len);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        peerc__rtp_wr16(buf + FB_HEADER + i * 4, items[i].pid);
        peerc__rtp_wr16(buf + FB_HEADER + i * 4 + 2, items[i].blp);
    }
    return PEERC_OK;
}

int peerc__rtp_rtcp_write_pli(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t *buf, size_t cap,
                              size_t *out_len)
{
    return fb_begin(PEERC_RTP_RTCP_PSFB, PEERC_RTP_RTCP_FMT_PLI, sender_ssrc, media_ssrc, 0, buf,
                    cap, out_len);
}

int peerc__rtp_rtcp_fir_count(const peerc_rtp_rtcp_fb *fb)
{
    if (!fb || fb->type != PEERC_RTP_RTCP_PSFB || fb->fmt != PEERC_RTP_RTCP_FMT_FIR ||
        fb->fci_len == 0 || fb->fci_len % 8)
        return PEERC_E_SYNTAX;
    return (int)(fb->fci_len / 8);
}

peerc_rtp_rtcp_fir_entry peerc__rtp_rtcp_fir_entry(const peerc_rtp_rtcp_fb *fb, size_t i)
{
    peerc_rtp_rtcp_fir_entry e = {0, 0};
    if (fb && i < fb->fci_len / 8) {
        e.ssrc = peerc__rtp_rd32(fb->fci + i * 8);
        e.seq_nr = fb->fci[i * 8 + 4];
    }
    return e;
}

int peerc__rtp_rtcp_write_fir(uint32_t sender_ssrc, const peerc_rtp_rtcp_fir_entry *entries,
                              size_t n, uint8_t *buf, size_t cap, size_t *out_len)
{
    if (!entries || n == 0 || n > 0x7ffe)
        return PEERC_E_INVALID_ARGUMENT;
    int rc = fb_begin(PEERC_RTP_RTCP_PSFB, PEERC_RTP_RTCP_FMT_FIR, sender_ssrc, 0, n * 8, buf, cap,
                      out_len);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = buf + FB_HEADER + i * 8;
        peerc__rtp_wr32(p, entries[i].ssrc);
        p[4] = entries[i].seq_nr;
        p[5] = p[6] = p[7] = 0;
    }
    return PEERC_OK;
}

static const uint8_t remb_id[4] = {'R', 'E', 'M', 'B'};

int peerc__rtp_rtcp_parse_remb(const peerc_rtp_rtcp_fb *fb, peerc_rtp_rtcp_remb *out)
{
    if (!fb || !out || fb->type != PEERC_RTP_RTCP_PSFB || fb->fmt != PEERC_RTP_RTCP_FMT_AFB)
        return PEERC_E_SYNTAX;
    if (fb->fci_len < 4 || memcmp(fb->fci, remb_id, 4) != 0)
        return PEERC_E_NOT_FOUND;
    if (fb->fci_len < 8)
        return PEERC_E_SYNTAX;
    const uint8_t *p = fb->fci;
    unsigned num = p[4];
    unsigned exp = p[5] >> 2;
    uint64_t mantissa = (uint64_t)(p[5] & 3) << 16 | peerc__rtp_rd16(p + 6);
    if (fb->fci_len < 8 + (size_t)num * 4)
        return PEERC_E_SYNTAX;
    /* exp is 6 bits: reject values that do not fit 64 bits. */
    if (exp > 63 || (mantissa && (mantissa << exp) >> exp != mantissa))
        return PEERC_E_SYNTAX;
    out->sender_ssrc = fb->sender_ssrc;
    out->bitrate_bps = mantissa << exp;
    out->ssrc_count = (uint8_t)num;
    for (unsigned i = 0; i < num; i++)
        out->ssrcs[i] = peerc__rtp_rd32(p + 8 + i * 4);
    return PEERC_OK;
}

int peerc__rtp_rtcp_write_remb(const peerc_rtp_rtcp_remb *remb, uint8_t *buf, size_t cap,
                               size_t *out_len)
{
    if (!remb)
        return PEERC_E_INVALID_ARGUMENT;
    /* draft §2.2: "SSRC of media source" is always 0. */
    int rc = fb_begin(PEERC_RTP_RTCP_PSFB, PEERC_RTP_RTCP_FMT_AFB, remb->sender_ssrc, 0,
                      8 + (size_t)remb->ssrc_count * 4, buf, cap, out_len);
    if (rc)
        return rc;
    unsigned exp = 0;
    while ((remb->bitrate_bps >> exp) >= (1u << 18))
        exp++;
    uint32_t mantissa = (uint32_t)(remb->bitrate_bps >> exp);
    uint8_t *p = buf + FB_HEADER;
    memcpy(p, remb_id, 4);
    p[4] = remb->ssrc_count;
    p[5] = (uint8_t)(exp << 2 | mantissa >> 16);
    peerc__rtp_wr16(p + 6, (uint16_t)mantissa);
    for (unsigned i = 0; i < remb->ssrc_count; i++)
        peerc__rtp_wr32(p + 8 + i * 4, remb->ssrcs[i]);
    return PEERC_OK;
}

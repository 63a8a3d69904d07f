/* RFC 7587 payloading; Opus TOC parsing per RFC 6716 §3.1. */
#include "rtp/opus.h"

#include <peerc/common.h>

#include <string.h>

/* Frame duration per TOC config in samples at 48 kHz (RFC 6716 §3.1,
 * Table 2): SILK 10/20/40/60 ms, Hybrid 10/20, CELT 2.5/5/10/20. */
static int frame_samples(uint8_t toc)
{
    unsigned config = toc >> 3;
    static const int silk[4] = {480, 960, 1920, 2880};
    static const int celt[4] = {120, 240, 480, 960};
    if (config < 12)
        return silk[config & 3];
    if (config < 16)
        return (config & 1) ? 960 : 480;
    return celt[config & 3];
}

int peerc__rtp_opus_packet_samples(const uint8_t *p, size_t len)
{
    if (!p || len < 1)
        return PEERC_E_SYNTAX;
    unsigned frames;
    switch (p[0] & 3) {
    case 0:
        frames = 1;
        break;
    case 1:
    case 2:
        frames = 2;
        break;
    default:
        /* §3.2.5: code 3 has a frame count byte, M in the low 6 bits. */
        if (len < 2)
            return PEERC_E_SYNTAX;
        frames = p[1] & 0x3f;
        break;
    }
    int total = (int)frames * frame_samples(p[0]);
    if (frames == 0 || total > PEERC_RTP_OPUS_MAX_SAMPLES)
        return PEERC_E_SYNTAX;
    return total;
}

void peerc__rtp_opus_sender_init(peerc_rtp_opus_sender *s, uint32_t ssrc, uint8_t payload_type,
                                 uint16_t first_seq, uint32_t first_timestamp)
{
    memset(s, 0, sizeof *s);
    s->ssrc = ssrc;
    s->payload_type = payload_type & 0x7f;
    s->seq = first_seq;
    s->timestamp = first_timestamp;
    s->talkspurt_start = 1;
}

int peerc__rtp_opus_sender_fill(peerc_rtp_opus_sender *s, const uint8_t *opus, size_t len,
                                peerc_rtp_packet *out)
{
    if (!s || !out)
        return PEERC_E_INVALID_ARGUMENT;
    int samples = peerc__rtp_opus_packet_samples(opus, len);
    if (samples < 0)
        return samples;
    memset(out, 0, sizeof *out);
    out->marker = (uint8_t)s->talkspurt_start;
    out->payload_type = s->payload_type;
    out->seq = s->seq;
    out->timestamp = s->timestamp;
    out->ssrc = s->ssrc;
    out->payload = opus;
    out->payload_len = len;
    s->seq++;
    s->timestamp += (uint32_t)samples;
    s->talkspurt_start = 0;
    return PEERC_OK;
}

int peerc__rtp_opus_packetize(peerc_rtp_opus_sender *s, const uint8_t *opus, size_t len,
                              uint8_t *buf, size_t cap, size_t *out_len)
{
    peerc_rtp_packet p;
    peerc_rtp_opus_sender saved = *s;
    int rc = peerc__rtp_opus_sender_fill(s, opus, len, &p);
    if (rc)
        return rc;
    rc = peerc__rtp_write(&p, buf, cap, out_len);
    if (rc)
        *s = saved; /* not sent: reuse the numbers */
    return rc;
}

void peerc__rtp_opus_sender_skip(peerc_rtp_opus_sender *s, uint32_t samples)
{
    s->timestamp += samples;
    s->talkspurt_start = 1;
}

void peerc__rtp_opus_receiver_init(peerc_rtp_opus_receiver *r)
{
    memset(r, 0, sizeof *r);
    peerc__rtp_unwrapper_init(&r->seq);
}

int peerc__rtp_opus_receive(peerc_rtp_opus_receiver *r, const peerc_rtp_packet *p,
                            peerc_rtp_opus_info *info)
{
    if (!r || !p || !info)
        return PEERC_E_INVALID_ARGUMENT;
    memset(info, 0, sizeof *info);
    int samples = peerc__rtp_opus_packet_samples(p->payload, p->payload_len);
    if (samples < 0)
        return samples;
    info->opus = p->payload;
    info->len = p->payload_len;
    info->samples = samples;
    int64_t seq = peerc__rtp_unwrap(&r->seq, p->seq);
    int64_t ts = peerc__rtp_ts_unwrap(&r->ts, p->timestamp);
    if (r->valid && seq < r->next_seq) {
        info->late = 1;
        return PEERC_OK;
    }
    if (r->valid) {
        int64_t lost = seq - r->next_seq, gap = ts - r->next_ts;
        info->lost_packets = (uint32_t)(lost > UINT32_MAX ? UINT32_MAX : lost);
        info->gap_samples = gap <= 0 ? 0 : (uint32_t)(gap > UINT32_MAX ? UINT32_MAX : gap);
    }
    r->valid = 1;
    r->next_seq = seq + 1;
    r->next_ts = ts + samples;
    return PEERC_OK;
}

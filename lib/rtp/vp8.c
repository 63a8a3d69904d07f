/* VP8 RTP payload format, RFC 7741: descriptor (§4.2), payload header
 * (§4.3), packetization (§4.1, §4.5) and frame reassembly (§4.5.1). */
#include "rtp/vp8.h"

#include <peerc/common.h>

#include <string.h>

#define X_BIT 0x80
#define N_BIT 0x20
#define S_BIT 0x10
#define PID_MASK 0x07
#define I_BIT 0x80
#define L_BIT 0x40
#define T_BIT 0x20
#define K_BIT 0x10
#define M_BIT 0x80
#define Y_BIT 0x20

void peerc__rtp_vp8_desc_init(peerc_rtp_vp8_desc *d)
{
    memset(d, 0, sizeof *d);
    d->picture_id = -1;
    d->tl0picidx = -1;
    d->tid = -1;
    d->keyidx = -1;
}

int peerc__rtp_vp8_desc_size(const peerc_rtp_vp8_desc *d)
{
    if (!d || d->partition > 7 || d->picture_id > 0x7fff || d->tl0picidx > 255 || d->tid > 3 ||
        d->keyidx > 31)
        return PEERC_E_INVALID_ARGUMENT;
    /* §4.2: L requires T (TL0PICIDX only makes sense with temporal layers). */
    if (d->tl0picidx >= 0 && d->tid < 0)
        return PEERC_E_INVALID_ARGUMENT;
    int n = 1;
    int has_pid = d->picture_id >= 0;
    if (has_pid || d->tl0picidx >= 0 || d->tid >= 0 || d->keyidx >= 0)
        n++;
    if (has_pid)
        n += (d->picture_id > 0x7f || d->picture_id_15) ? 2 : 1;
    if (d->tl0picidx >= 0)
        n++;
    if (d->tid >= 0 || d->keyidx >= 0)
        n++;
    return n;
}

int peerc__rtp_vp8_desc_write(const peerc_rtp_vp8_desc *d, uint8_t *buf, size_t cap)
{
    int n = peerc__rtp_vp8_desc_size(d);
    if (n < 0)
        return n;
    if (!buf || (size_t)n > cap)
        return PEERC_E_RANGE;
    int x = n > 1;
    int i = 0;
    buf[i++] = (uint8_t)((x ? X_BIT : 0) | (d->non_reference ? N_BIT : 0) | (d->start ? S_BIT : 0) |
                         d->partition);
    if (!x)
        return n;
    uint8_t *ext = &buf[i++];
    *ext = 0;
    if (d->picture_id >= 0) {
        *ext |= I_BIT;
        if (d->picture_id > 0x7f || d->picture_id_15) {
            buf[i++] = (uint8_t)(M_BIT | d->picture_id >> 8);
            buf[i++] = (uint8_t)d->picture_id;
        } else {
            buf[i++] = (uint8_t)d->picture_id;
        }
    }
    if (d->tl0picidx >= 0) {
        *ext |= L_BIT;
        buf[i++] = (uint8_t)d->tl0picidx;
    }
    if (d->tid >= 0 || d->keyidx >= 0) {
        /* TID/Y and KEYIDX share a byte; fields of an absent flag are 0. */
        uint8_t b = 0;
        if (d->tid >= 0) {
            *ext |= T_BIT;
            b |= (uint8_t)(d->tid << 6 | (d->layer_sync ? Y_BIT : 0));
        }
        if (d->keyidx >= 0) {
            *ext |= K_BIT;
            b |= (uint8_t)d->keyidx;
        }
        buf[i++] = b;
    }
    return i;
}

int peerc__rtp_vp8_desc_read(const uint8_t *buf, size_t len, peerc_rtp_vp8_desc *out)
{
    if (!out)
        return PEERC_E_INVALID_ARGUMENT;
    peerc__rtp_vp8_desc_init(out);
    if (!buf || len < 1)
        return PEERC_E_SYNTAX;
    size_t i = 0;
    uint8_t b0 = buf[i++];
    out->non_reference = (b0 & N_BIT) != 0;
    out->start = (b0 & S_BIT) != 0;
    out->partition = b0 & PID_MASK;
    if (!(b0 & X_BIT))
        return (int)i;
    if (i >= len)
        return PEERC_E_SYNTAX;
    uint8_t ext = buf[i++];
    if (ext & I_BIT) {
        if (i >= len)
            return PEERC_E_SYNTAX;
        if (buf[i] & M_BIT) {
            if (len - i < 2)
                return PEERC_E_SYNTAX;
            out->picture_id = (buf[i] & 0x7f) << 8 | buf[i + 1];
            out->picture_id_15 = 1;
            i += 2;
        } else {
            out->picture_id = buf[i++];
        }
    }
    if (ext & L_BIT) {
        if (i >= len)
            return PEERC_E_SYNTAX;
        out->tl0picidx = buf[i++];
    }
    if (ext & (T_BIT | K_BIT)) {
        if (i >= len)
            return PEERC_E_SYNTAX;
        uint8_t b = buf[i++];
        if (ext & T_BIT) {
            out->tid = (int8_t)(b >> 6);
            out->layer_sync = (b & Y_BIT) != 0;
        }
        if (ext & K_BIT)
            out->keyidx = (int8_t)(b & 0x1f);
    }
    return (int)i;
}

int peerc__rtp_vp8_payload_header_parse(const uint8_t *p, size_t len,
                                        peerc_rtp_vp8_payload_header *out)
{
    if (!p || !out || len < 3)
        return PEERC_E_SYNTAX;
    memset(out, 0, sizeof *out);
    /* RFC 6386 §9.1: a 24-bit little-endian frame tag. */
    uint32_t tag = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
    out->keyframe = !(tag & 1);
    out->version = (tag >> 1) & 7;
    out->show_frame = (tag >> 4) & 1;
    out->first_part_size = (tag >> 5) & 0x7ffff;
    if (!out->keyframe)
        return PEERC_OK;
    if (len < 10 || p[3] != 0x9d || p[4] != 0x01 || p[5] != 0x2a)
        return PEERC_E_SYNTAX;
    uint16_t w = (uint16_t)(p[6] | p[7] << 8), h = (uint16_t)(p[8] | p[9] << 8);
    out->width = w & 0x3fff;
    out->hscale = (uint8_t)(w >> 14);
    out->height = h & 0x3fff;
    out->vscale = (uint8_t)(h >> 14);
    return PEERC_OK;
}

int peerc__rtp_vp8_packetizer_init(peerc_rtp_vp8_packetizer *pk, const uint8_t *frame, size_t len,
                                   const peerc_rtp_vp8_desc *desc, size_t max_payload)
{
    if (!pk || !frame || !len || !desc)
        return PEERC_E_INVALID_ARGUMENT;
    memset(pk, 0, sizeof *pk);
    pk->desc = *desc;
    pk->desc.partition = 0;
    int dl = peerc__rtp_vp8_desc_size(&pk->desc);
    if (dl < 0 || max_payload <= (size_t)dl)
        return PEERC_E_INVALID_ARGUMENT;
    size_t room = max_payload - (size_t)dl;
    pk->frame = frame;
    pk->frame_len = len;
    pk->desc_len = (size_t)dl;
    pk->packets = (len + room - 1) / room;
    return PEERC_OK;
}

int peerc__rtp_vp8_packetizer_next(peerc_rtp_vp8_packetizer *pk, uint8_t *buf, size_t cap,
                                   size_t *len, int *marker)
{
    if (!pk || !buf || !len || !marker)
        return PEERC_E_INVALID_ARGUMENT;
    if (pk->index >= pk->packets)
        return 0;
    /* Pieces differ by at most one byte; the larger ones come first. */
    size_t base = pk->frame_len / pk->packets, extra = pk->frame_len % pk->packets;
    size_t piece = base + (pk->index < extra ? 1 : 0);
    if (pk->desc_len + piece > cap)
        return PEERC_E_RANGE;
    peerc_rtp_vp8_desc d = pk->desc;
    d.start = pk->index == 0;
    int dl = peerc__rtp_vp8_desc_write(&d, buf, cap);
    if (dl < 0)
        return dl;
    memcpy(buf + dl, pk->frame + pk->offset, piece);
    pk->offset += piece;
    pk->index++;
    *len = (size_t)dl + piece;
    *marker = pk->index == pk->packets;
    return 1;
}

int peerc__rtp_vp8_to_asm_packet(const peerc_rtp_packet *rtp, int64_t ext_seq, int64_t arrival_ms,
                                 peerc_rtp_asm_packet *out, peerc_rtp_vp8_desc *desc)
{
    peerc_rtp_vp8_desc local;
    if (!rtp || !out)
        return PEERC_E_INVALID_ARGUMENT;
    if (!desc)
        desc = &local;
    int dl = peerc__rtp_vp8_desc_read(rtp->payload, rtp->payload_len, desc);
    if (dl < 0)
        return dl;
    if ((size_t)dl >= rtp->payload_len)
        return PEERC_E_SYNTAX;
    memset(out, 0, sizeof *out);
    out->seq = ext_seq;
    out->timestamp = rtp->timestamp;
    out->frame_start = desc->start && desc->partition == 0;
    out->frame_end = rtp->marker;
    out->data = rtp->payload + dl;
    out->len = rtp->payload_len - (size_t)dl;
    out->arrival_ms = arrival_ms;
    /* §4.3: the inverse key frame flag is bit 0 of the first payload byte
     * of the packet that starts partition 0. */
    if (out->frame_start)
        out->keyframe = !(out->data[0] & 1);
    return PEERC_OK;
}

static int vp8_to_asm(const peerc_rtp_packet *rtp, int64_t ext_seq, int64_t arrival_ms,
                      peerc_rtp_asm_packet *out)
{
    return peerc__rtp_vp8_to_asm_packet(rtp, ext_seq, arrival_ms, out, NULL);
}

int peerc__rtp_vp8_depacketizer_init(peerc_rtp_vp8_depacketizer *d,
                                     const peerc_rtp_asm_config *cfg)
{
    return peerc__rtp_depacketizer_init(d, cfg, vp8_to_asm);
}

/* VP9 RTP payload format, RFC 9628: descriptor (§4.2), scalability
 * structure (§4.2.1), packetization and frame reassembly (§4.1, §4.2). */
#include "rtp/vp9.h"

#include <peerc/common.h>

#include <string.h>

/* Byte 0 (§4.2). */
#define I_BIT 0x80
#define P_BIT 0x40
#define L_BIT 0x20
#define F_BIT 0x10
#define B_BIT 0x08
#define E_BIT 0x04
#define V_BIT 0x02
#define Z_BIT 0x01
/* Picture id, layer and P_DIFF bytes. */
#define M_BIT 0x80
#define U_BIT 0x10
#define D_BIT 0x01
#define N_BIT 0x01
/* SS (§4.2.1). */
#define Y_BIT 0x10
#define G_BIT 0x08
#define GOF_U_BIT 0x10

void peerc__rtp_vp9_desc_init(peerc_rtp_vp9_desc *d)
{
    memset(d, 0, sizeof *d);
    d->picture_id = -1;
    d->tid = -1;
    d->tl0picidx = -1;
}

int peerc__rtp_vp9_desc_for_frame(peerc_rtp_vp9_desc *d, uint16_t picture_id, int keyframe,
                                  uint32_t width, uint32_t height)
{
    if (!d)
        return PEERC_E_INVALID_ARGUMENT;
    peerc__rtp_vp9_desc_init(d);
    d->picture_id = picture_id & 0x7fff;
    d->picture_id_15 = 1; /* the id wraps at 2^15, never at 2^7 */
    d->inter_predicted = !keyframe;
    if (!keyframe)
        return PEERC_OK;
    if (width == 0 || height == 0 || width > 0xffff || height > 0xffff)
        return PEERC_E_INVALID_ARGUMENT;
    /* One layer at this size; a picture group of one TL0 picture that
     * predicts from the one before. */
    d->has_ss = 1;
    d->ss.spatial_layers = 1;
    d->ss.has_resolution = 1;
    d->ss.width[0] = (uint16_t)width;
    d->ss.height[0] = (uint16_t)height;
    d->ss.has_gof = 1;
    d->ss.gof_count = 1;
    d->ss.gof[0].ref_count = 1;
    d->ss.gof[0].pdiff[0] = 1;
    return PEERC_OK;
}

/* ---- sizes and validation ---- */

static int ss_size(const peerc_rtp_vp9_ss *ss)
{
    if (ss->spatial_layers < 1 || ss->spatial_layers > PEERC_RTP_VP9_MAX_SPATIAL ||
        ss->gof_count > PEERC_RTP_VP9_MAX_GOF)
        return PEERC_E_INVALID_ARGUMENT;
    int n = 1;
    if (ss->has_resolution)
        n += 4 * ss->spatial_layers;
    if (!ss->has_gof)
        return n;
    n++;
    for (unsigned i = 0; i < ss->gof_count; i++) {
        const peerc_rtp_vp9_gof_entry *g = &ss->gof[i];
        if (g->tid > 7 || g->ref_count > PEERC_RTP_VP9_MAX_PDIFF)
            return PEERC_E_INVALID_ARGUMENT;
        for (unsigned r = 0; r < g->ref_count; r++)
            if (g->pdiff[r] == 0) /* a picture cannot reference itself */
                return PEERC_E_INVALID_ARGUMENT;
        n += 1 + g->ref_count;
    }
    return n;
}

/* The part before the SS: byte 0, picture id, layers, TL0PICIDX/P_DIFF. */
static int head_size(const peerc_rtp_vp9_desc *d)
{
    if (d->picture_id > 0x7fff || d->tid > 7 || d->sid > 7 || d->tl0picidx > 255 ||
        d->num_pdiff > PEERC_RTP_VP9_MAX_PDIFF)
        return PEERC_E_INVALID_ARGUMENT;
    int has_pid = d->picture_id >= 0, has_l = d->tid >= 0;
    /* §4.2: P_DIFF are picture id differences, so flexible mode needs I. */
    if (d->flexible && !has_pid)
        return PEERC_E_INVALID_ARGUMENT;
    /* TL0PICIDX exists exactly in non-flexible mode with L. */
    if ((d->tl0picidx >= 0) != (has_l && !d->flexible))
        return PEERC_E_INVALID_ARGUMENT;
    /* P_DIFF exist exactly in flexible mode on inter-predicted pictures. */
    int want_pdiff = d->flexible && d->inter_predicted;
    if (want_pdiff ? d->num_pdiff == 0 : d->num_pdiff != 0)
        return PEERC_E_INVALID_ARGUMENT;
    for (unsigned i = 0; i < d->num_pdiff; i++)
        if (d->pdiff[i] == 0 || d->pdiff[i] > 0x7f)
            return PEERC_E_INVALID_ARGUMENT;
    int n = 1;
    if (has_pid)
        n += (d->picture_id > 0x7f || d->picture_id_15) ? 2 : 1;
    if (has_l)
        n += d->flexible ? 1 : 2;
    return n + d->num_pdiff;
}

int peerc__rtp_vp9_desc_size(const peerc_rtp_vp9_desc *d)
{
    if (!d)
        return PEERC_E_INVALID_ARGUMENT;
    int n = head_size(d);
    if (n < 0 || !d->has_ss)
        return n;
    int s = ss_size(&d->ss);
    return s < 0 ? s : n + s;
}

/* ---- writing (sizes already validated) ---- */

static size_t write_ss(const peerc_rtp_vp9_ss *ss, uint8_t *b)
{
    size_t i = 0;
    b[i++] = (uint8_t)((ss->spatial_layers - 1) << 5 | (ss->has_resolution ? Y_BIT : 0) |
                       (ss->has_gof ? G_BIT : 0));
    if (ss->has_resolution)
        for (unsigned s = 0; s < ss->spatial_layers; s++) {
            b[i++] = (uint8_t)(ss->width[s] >> 8);
            b[i++] = (uint8_t)ss->width[s];
            b[i++] = (uint8_t)(ss->height[s] >> 8);
            b[i++] = (uint8_t)ss->height[s];
        }
    if (!ss->has_gof)
        return i;
    b[i++] = ss->gof_count;
    for (unsigned g = 0; g < ss->gof_count; g++) {
        const peerc_rtp_vp9_gof_entry *e = &ss->gof[g];
        b[i++] = (uint8_t)(e->tid << 5 | (e->up_switch ? GOF_U_BIT : 0) | e->ref_count << 2);
        for (unsigned r = 0; r < e->ref_count; r++)
            b[i++] = e->pdiff[r];
    }
    return i;
}

int peerc__rtp_vp9_desc_write(const peerc_rtp_vp9_desc *d, uint8_t *buf, size_t cap)
{
    int n = peerc__rtp_vp9_desc_size(d);
    if (n < 0)
        return n;
    if (!buf || (size_t)n > cap)
        return PEERC_E_RANGE;
    size_t i = 0;
    buf[i++] =
        (uint8_t)((d->picture_id >= 0 ? I_BIT : 0) | (d->inter_predicted ? P_BIT : 0) |
                  (d->tid >= 0 ? L_BIT : 0) | (d->flexible ? F_BIT : 0) | (d->start ? B_BIT : 0) |
                  (d->end ? E_BIT : 0) | (d->has_ss ? V_BIT : 0) | (d->not_upper_ref ? Z_BIT : 0));
    if (d->picture_id > 0x7f || (d->picture_id >= 0 && d->picture_id_15)) {
        buf[i++] = (uint8_t)(M_BIT | d->picture_id >> 8);
        buf[i++] = (uint8_t)d->picture_id;
    } else if (d->picture_id >= 0) {
        buf[i++] = (uint8_t)d->picture_id;
    }
    if (d->tid >= 0) {
        buf[i++] = (uint8_t)(d->tid << 5 | (d->switching_up ? U_BIT : 0) | d->sid << 1 |
                             (d->inter_layer ? D_BIT : 0));
        if (!d->flexible)
            buf[i++] = (uint8_t)d->tl0picidx;
    }
    /* N marks "another P_DIFF follows". */
    for (unsigned k = 0; k < d->num_pdiff; k++)
        buf[i++] = (uint8_t)(d->pdiff[k] << 1 | (k + 1 < d->num_pdiff ? N_BIT : 0));
    if (d->has_ss)
        i += write_ss(&d->ss, buf + i);
    return (int)i;
}

/* ---- reading ---- */

typedef struct cursor {
    const uint8_t *p;
    size_t len, i;
} cursor;

/* The next byte, or -1 past the end. */
static int next(cursor *c)
{
    return c->i < c->len ? c->p[c->i++] : -1;
}

static int read_picture_id(cursor *c, peerc_rtp_vp9_desc *out)
{
    int b = next(c);
    if (b < 0)
        return PEERC_E_SYNTAX;
    if (!(b & M_BIT)) {
        out->picture_id = b;
        return PEERC_OK;
    }
    int lo = next(c);
    if (lo < 0)
        return PEERC_E_SYNTAX;
    out->picture_id = (b & 0x7f) << 8 | lo;
    out->picture_id_15 = 1;
    return PEERC_OK;
}

static int read_layers(cursor *c, peerc_rtp_vp9_desc *out)
{
    int b = next(c);
    if (b < 0)
        return PEERC_E_SYNTAX;
    out->tid = (int8_t)(b >> 5);
    out->switching_up = (b & U_BIT) != 0;
    out->sid = (uint8_t)((b >> 1) & 7);
    out->inter_layer = (b & D_BIT) != 0;
    if (out->flexible)
        return PEERC_OK;
    int t = next(c);
    if (t < 0)
        return PEERC_E_SYNTAX;
    out->tl0picidx = (int16_t)t;
    return PEERC_OK;
}

/* Flexible mode: 1..3 P_DIFF, each but the last with N set. */
static int read_pdiffs(cursor *c, peerc_rtp_vp9_desc *out)
{
    for (;;) {
        int b = next(c);
        if (b < 0 || (b >> 1) == 0 || out->num_pdiff == PEERC_RTP_VP9_MAX_PDIFF)
            return PEERC_E_SYNTAX;
        out->pdiff[out->num_pdiff++] = (uint8_t)(b >> 1);
        if (!(b & N_BIT))
            return PEERC_OK;
    }
}

static int read_gof(cursor *c, peerc_rtp_vp9_ss *ss)
{
    int n = next(c);
    if (n < 0 || n > PEERC_RTP_VP9_MAX_GOF)
        return PEERC_E_SYNTAX;
    ss->gof_count = (uint8_t)n;
    for (int g = 0; g < n; g++) {
        peerc_rtp_vp9_gof_entry *e = &ss->gof[g];
        int b = next(c);
        if (b < 0)
            return PEERC_E_SYNTAX;
        e->tid = (uint8_t)(b >> 5);
        e->up_switch = (b & GOF_U_BIT) != 0;
        e->ref_count = (uint8_t)((b >> 2) & 3);
        for (unsigned r = 0; r < e->ref_count; r++) {
            int p = next(c);
            if (p <= 0) /* truncated, or a picture referencing itself */
                return PEERC_E_SYNTAX;
            e->pdiff[r] = (uint8_t)p;
        }
    }
    return PEERC_OK;
}

static int read_ss(cursor *c, peerc_rtp_vp9_ss *ss)
{
    int b = next(c);
    if (b < 0)
        return PEERC_E_SYNTAX;
    ss->spatial_layers = (uint8_t)((b >> 5) + 1);
    ss->has_resolution = (b & Y_BIT) != 0;
    ss->has_gof = (b & G_BIT) != 0;
    if (ss->has_resolution)
        for (unsigned s = 0; s < ss->spatial_layers; s++) {
            int w1 = next(c), w0 = next(c), h1 = next(c), h0 = next(c);
            if (h0 < 0) /* next() keeps failing once past the end */
                return PEERC_E_SYNTAX;
            ss->width[s] = (uint16_t)(w1 << 8 | w0);
            ss->height[s] = (uint16_t)(h1 << 8 | h0);
        }
    return ss->has_gof ? read_gof(c, ss) : PEERC_OK;
}

int peerc__rtp_vp9_desc_read(const uint8_t *buf, size_t len, peerc_rtp_vp9_desc *out)
{
    if (!out)
        return PEERC_E_INVALID_ARGUMENT;
    peerc__rtp_vp9_desc_init(out);
    cursor c = {buf, buf ? len : 0, 0};
    int b0 = next(&c);
    if (b0 < 0)
        return PEERC_E_SYNTAX;
    out->inter_predicted = (b0 & P_BIT) != 0;
    out->flexible = (b0 & F_BIT) != 0;
    out->start = (b0 & B_BIT) != 0;
    out->end = (b0 & E_BIT) != 0;
    out->has_ss = (b0 & V_BIT) != 0;
    out->not_upper_ref = (b0 & Z_BIT) != 0;
    if (out->flexible && !(b0 & I_BIT)) /* §4.2: F requires I */
        return PEERC_E_SYNTAX;
    int rc = PEERC_OK;
    if (b0 & I_BIT)
        rc = read_picture_id(&c, out);
    if (rc == PEERC_OK && (b0 & L_BIT))
        rc = read_layers(&c, out);
    if (rc == PEERC_OK && out->flexible && out->inter_predicted)
        rc = read_pdiffs(&c, out);
    if (rc == PEERC_OK && out->has_ss)
        rc = read_ss(&c, &out->ss);
    return rc == PEERC_OK ? (int)c.i : rc;
}

/* ---- packetizer ---- */

int peerc__rtp_vp9_packetizer_init(peerc_rtp_vp9_packetizer *pk, const uint8_t *frame, size_t len,
                                   const peerc_rtp_vp9_desc *desc, size_t max_payload)
{
    if (!pk || !frame || !len || !desc)
        return PEERC_E_INVALID_ARGUMENT;
    memset(pk, 0, sizeof *pk);
    pk->desc = *desc;
    int first = peerc__rtp_vp9_desc_size(&pk->desc);
    peerc_rtp_vp9_desc rest = pk->desc;
    rest.has_ss = 0;
    int other = peerc__rtp_vp9_desc_size(&rest);
    if (first < 0 || other < 0 || max_payload <= (size_t)first)
        return PEERC_E_INVALID_ARGUMENT;
    size_t room = max_payload - (size_t)other;
    size_t extra = (size_t)(first - other); /* the SS, carried by the first packet */
    /* Count the SS as frame bytes of the first packet: the fewest packets
     * that hold len + extra, then near-equal shares with the SS taken out
     * of the first (at least one frame byte stays in it). */
    size_t virt = len + extra;
    size_t n = (virt + room - 1) / room;
    size_t share0 = (virt + n - 1) / n;
    pk->first_piece = share0 > extra ? share0 - extra : 1;
    if (pk->first_piece > len)
        pk->first_piece = len;
    pk->frame = frame;
    pk->frame_len = len;
    pk->desc_len = (size_t)other;
    pk->first_desc_len = (size_t)first;
    pk->packets = n;
    return PEERC_OK;
}

/* Frame bytes in packet index: the first as planned, the rest of the frame
 * spread over the others, larger pieces first. */
static size_t piece_size(const peerc_rtp_vp9_packetizer *pk, size_t index)
{
    if (index == 0)
        return pk->first_piece;
    size_t rest = pk->frame_len - pk->first_piece, others = pk->packets - 1;
    return rest / others + (index - 1 < rest % others ? 1 : 0);
}

int peerc__rtp_vp9_packetizer_next(peerc_rtp_vp9_packetizer *pk, uint8_t *buf, size_t cap,
                                   size_t *len, int *marker)
{
    if (!pk || !buf || !len || !marker)
        return PEERC_E_INVALID_ARGUMENT;
    if (pk->index >= pk->packets)
        return 0;
    size_t piece = piece_size(pk, pk->index);
    size_t dlen = pk->index == 0 ? pk->first_desc_len : pk->desc_len;
    if (dlen + piece > cap)
        return PEERC_E_RANGE;
    peerc_rtp_vp9_desc d = pk->desc;
    d.start = pk->index == 0;
    d.end = pk->index + 1 == pk->packets;
    d.has_ss = pk->desc.has_ss && pk->index == 0;
    int dl = peerc__rtp_vp9_desc_write(&d, buf, cap);
    if (dl < 0)
        return dl;
    memcpy(buf + dl, pk->frame + pk->offset, piece);
    pk->offset += piece;
    pk->index++;
    *len = (size_t)dl + piece;
    *marker = d.end;
    return 1;
}

/* ---- depacketizer ---- */

int peerc__rtp_vp9_to_asm_packet(const peerc_rtp_packet *rtp, int64_t ext_seq, int64_t arrival_ms,
                                 peerc_rtp_asm_packet *out, peerc_rtp_vp9_desc *desc)
{
    peerc_rtp_vp9_desc local;
    if (!rtp || !out)
        return PEERC_E_INVALID_ARGUMENT;
    if (!desc)
        desc = &local;
    int dl = peerc__rtp_vp9_desc_read(rtp->payload, rtp->payload_len, desc);
    if (dl < 0)
        return dl;
    if ((size_t)dl >= rtp->payload_len)
        return PEERC_E_SYNTAX;
    /* Spatial layer frames share the picture's timestamp; one frame per
     * timestamp is what the assembler builds. */
    if ((desc->tid >= 0 && desc->sid > 0) || (desc->has_ss && desc->ss.spatial_layers > 1))
        return PEERC_E_SYNTAX;
    memset(out, 0, sizeof *out);
    out->seq = ext_seq;
    out->timestamp = rtp->timestamp;
    /* §4.2: B starts a frame, E ends it; the marker ends the picture
     * (§4.1), which without spatial layers is the same packet. */
    out->frame_start = desc->start;
    out->frame_end = desc->end || rtp->marker;
    out->keyframe = desc->start && !desc->inter_predicted;
    out->data = rtp->payload + dl;
    out->len = rtp->payload_len - (size_t)dl;
    out->arrival_ms = arrival_ms;
    return PEERC_OK;
}

static int vp9_to_asm(const peerc_rtp_packet *rtp, int64_t ext_seq, int64_t arrival_ms,
                      peerc_rtp_asm_packet *out)
{
    return peerc__rtp_vp9_to_asm_packet(rtp, ext_seq, arrival_ms, out, NULL);
}

int peerc__rtp_vp9_depacketizer_init(peerc_rtp_vp9_depacketizer *d,
                                     const peerc_rtp_asm_config *cfg)
{
    return peerc__rtp_depacketizer_init(d, cfg, vp9_to_asm);
}

/* H.264 RTP payload format, RFC 6184: Annex B splitting, packetization
 * modes 0 and 1 (§6.2, §6.3), reassembly (§5.7.1, §5.8) on top of the frame
 * assembler, and the fmtp parameters (§8.1, §8.2.2). */
#include "rtp/h264.h"

#include "rtp/bytes.h"

#include <peerc/common.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define F_BIT 0x80
#define NRI_MASK 0x60
#define TYPE_MASK 0x1f
#define FU_S 0x80
#define FU_E 0x40
#define STAP_A_MAX_UNIT 0xffff /* 16-bit NALU size field, §5.7.1 */
#define PIECE_MAX 0xffff

static const uint8_t start_code[4] = {0, 0, 0, 1};

/* ------------------------------------------------------------ Annex B */

/* Where the NAL unit starting at from ends: the first 00 00 00 or 00 00 01
 * (emulation prevention keeps both out of NAL units, H.264 7.4.1), or len. */
static size_t nal_end(const uint8_t *au, size_t len, size_t from)
{
    for (size_t k = from; k + 2 < len; k++) {
        if (au[k + 1] != 0) {
            k++; /* neither k nor k+1 can start 00 00 */
            continue;
        }
        if (au[k] == 0 && au[k + 2] <= 1)
            return k;
    }
    return len;
}

int peerc__rtp_h264_annexb_next(const uint8_t *au, size_t len, size_t *pos, const uint8_t **nal,
                                size_t *nal_len)
{
    if (!pos || !nal || !nal_len || (len && !au))
        return PEERC_E_INVALID_ARGUMENT;
    size_t i = *pos;
    while (i < len) {
        /* Zero bytes between NAL units are leading_zero_8bits, zero_byte or
         * trailing_zero_8bits (B.1.2); anything else is garbage. */
        size_t z = i;
        while (z < len && au[z] == 0)
            z++;
        if (z == len)
            break;
        if (au[z] != 1 || z - i < 2)
            return PEERC_E_SYNTAX;
        size_t begin = z + 1, end = nal_end(au, len, begin);
        if (end == len)
            while (end > begin && au[end - 1] == 0)
                end--;
        i = end;
        if (end == begin)
            continue;
        *nal = au + begin;
        *nal_len = end - begin;
        *pos = end;
        return 1;
    }
    *pos = len;
    return 0;
}

/* A NAL unit RTP can carry as itself: F clear (§5.3 -- a set F bit marks
 * a damaged unit) and type 1..23 (0 is unspecified, 24..31 are RTP packet
 * types or reserved, §5.2). */
static int nal_header_ok(uint8_t h)
{
    uint8_t type = h & TYPE_MASK;
    return !(h & F_BIT) && type >= 1 && type <= 23;
}

/* ------------------------------------------------------------ packetizer */

int peerc__rtp_h264_packetizer_init(peerc_rtp_h264_packetizer *pk, const uint8_t *au, size_t len,
                                    size_t max_payload, int mode)
{
    if (!pk || !au || !len || (mode != 0 && mode != 1) || max_payload < 3)
        return PEERC_E_INVALID_ARGUMENT;
    memset(pk, 0, sizeof *pk);
    size_t pos = 0, count = 0, nl;
    const uint8_t *n;
    int rc;
    while ((rc = peerc__rtp_h264_annexb_next(au, len, &pos, &n, &nl)) == 1) {
        if (!nal_header_ok(n[0]))
            return PEERC_E_SYNTAX;
        if (mode == 0 && nl > max_payload)
            return PEERC_E_RANGE; /* §6.2: no fragmentation in mode 0 */
        count++;
    }
    if (rc < 0)
        return rc;
    if (!count)
        return PEERC_E_INVALID_ARGUMENT;
    pk->au = au;
    pk->au_len = len;
    pk->max_payload = max_payload;
    pk->mode = mode;
    peerc__rtp_h264_annexb_next(au, len, &pk->pos, &pk->nal, &pk->nal_len);
    return PEERC_OK;
}

static void advance(peerc_rtp_h264_packetizer *pk)
{
    if (peerc__rtp_h264_annexb_next(pk->au, pk->au_len, &pk->pos, &pk->nal, &pk->nal_len) != 1)
        pk->nal = NULL;
}

/* §5.8: the FU indicator keeps F and NRI of the NAL unit, the FU header its
 * type; the NAL header byte itself is not sent.  Fragments differ in size
 * by at most one byte, larger ones first. */
static int write_fu(peerc_rtp_h264_packetizer *pk, uint8_t *buf, size_t cap, size_t *len)
{
    size_t data = pk->nal_len - 1;
    size_t base = data / pk->fu_count, extra = data % pk->fu_count;
    size_t piece = base + (pk->fu_index < extra ? 1 : 0);
    if (2 + piece > cap)
        return PEERC_E_RANGE;
    uint8_t h = pk->nal[0];
    int first = pk->fu_index == 0, last = pk->fu_index + 1 == pk->fu_count;
    buf[0] = (uint8_t)((h & (F_BIT | NRI_MASK)) | PEERC_RTP_H264_FU_A);
    buf[1] = (uint8_t)((first ? FU_S : 0) | (last ? FU_E : 0) | (h & TYPE_MASK));
    memcpy(buf + 2, pk->nal + 1 + pk->fu_offset, piece);
    pk->fu_offset += piece;
    pk->fu_index++;
    *len = 2 + piece;
    if (last) {
        pk->fu_count = 0;
        advance(pk);
    }
    return 1;
}

/* How many NAL units from the current one fit one STAP-A (§5.7.1: one
 * header byte, then a 16-bit size before each unit); *end_pos is the scan
 * position after the last of them. */
static size_t stap_count(const peerc_rtp_h264_packetizer *pk, size_t *total, size_t *end_pos)
{
    size_t n = 1, size = 1 + 2 + pk->nal_len, pos = pk->pos;
    if (pk->mode != 1 || pk->nal_len > STAP_A_MAX_UNIT || size > pk->max_payload)
        return 1;
    *end_pos = pos;
    for (;;) {
        const uint8_t *nal;
        size_t nl, p = pos;
        if (peerc__rtp_h264_annexb_next(pk->au, pk->au_len, &p, &nal, &nl) != 1 ||
            nl > STAP_A_MAX_UNIT || size + 2 + nl > pk->max_payload)
            break;
        size += 2 + nl;
        n++;
        pos = p;
    }
    *total = size;
    *end_pos = pos;
    return n;
}

static int write_stap_a(peerc_rtp_h264_packetizer *pk, size_t n, size_t total, size_t end_pos,
                        uint8_t *buf, size_t cap, size_t *len)
{
    if (total > cap)
        return PEERC_E_RANGE;
    size_t off = 1, pos = pk->pos;
    uint8_t nri = 0;
    const uint8_t *nal = pk->nal;
    size_t nl = pk->nal_len;
    for (size_t k = 0; k < n; k++) {
        if (k)
            peerc__rtp_h264_annexb_next(pk->au, pk->au_len, &pos, &nal, &nl);
        /* §5.7: NRI is the highest of the aggregated units' (F is clear in
         * all of them, checked at init). */
        if ((nal[0] & NRI_MASK) > nri)
            nri = nal[0] & NRI_MASK;
        peerc__rtp_wr16(buf + off, (uint16_t)nl);
        memcpy(buf + off + 2, nal, nl);
        off += 2 + nl;
    }
    buf[0] = (uint8_t)(nri | PEERC_RTP_H264_STAP_A);
    *len = off;
    pk->pos = end_pos;
    advance(pk);
    return 1;
}

int peerc__rtp_h264_packetizer_next(peerc_rtp_h264_packetizer *pk, uint8_t *buf, size_t cap,
                                    size_t *len, int *marker)
{
    if (!pk || !buf || !len || !marker)
        return PEERC_E_INVALID_ARGUMENT;
    if (!pk->nal)
        return 0;
    int rc;
    if (pk->fu_count || pk->nal_len > pk->max_payload) {
        if (!pk->fu_count) {
            /* Only units that do not fit are fragmented, so there are at
             * least two fragments: S and E never share one (§5.8). */
            size_t room = pk->max_payload - 2;
            pk->fu_count = (pk->nal_len - 1 + room - 1) / room;
            pk->fu_index = 0;
            pk->fu_offset = 0;
        }
        rc = write_fu(pk, buf, cap, len);
    } else {
        size_t total = 0, end_pos = 0;
        size_t n = stap_count(pk, &total, &end_pos);
        if (n > 1) {
            rc = write_stap_a(pk, n, total, end_pos, buf, cap, len);
        } else if (pk->nal_len > cap) {
            rc = PEERC_E_RANGE;
        } else {
            /* §5.6: a Single NAL Unit packet is the NAL unit itself. */
            memcpy(buf, pk->nal, pk->nal_len);
            *len = pk->nal_len;
            advance(pk);
            rc = 1;
        }
    }
    if (rc == 1)
        *marker = pk->nal == NULL; /* §5.1: last packet of the access unit */
    return rc;
}

/* ------------------------------------------------------------ payloads */

/* What one RTP payload holds, after checking its structure. */
typedef struct payload_info {
    uint8_t type;      /* packet type: 1..23, 24 or 28 */
    uint8_t nal_start; /* begins a NAL unit */
    uint8_t idr;       /* begins an IDR slice */
    uint8_t fu_start, fu_end, fu_type;
} payload_info;

static int parse_payload(const uint8_t *p, size_t len, payload_info *pi)
{
    memset(pi, 0, sizeof *pi);
    if (!len)
        return PEERC_E_SYNTAX; /* a zero-length NAL unit */
    if (p[0] & F_BIT)
        return PEERC_E_SYNTAX;
    pi->type = p[0] & TYPE_MASK;
    if (pi->type >= 1 && pi->type <= 23) {
        pi->nal_start = 1;
        pi->idr = pi->type == PEERC_H264_NAL_IDR;
        return PEERC_OK;
    }
    if (pi->type == PEERC_RTP_H264_STAP_A) {
        size_t i = 1, units = 0;
        while (i < len) {
            if (len - i < 2)
                return PEERC_E_SYNTAX;
            size_t n = peerc__rtp_rd16(p + i);
            i += 2;
            /* §5.7.1: each unit is a whole NAL unit, at least its header,
             * and never another aggregation or fragment. */
            if (n == 0 || n > len - i || !nal_header_ok(p[i]))
                return PEERC_E_SYNTAX;
            if ((p[i] & TYPE_MASK) == PEERC_H264_NAL_IDR)
                pi->idr = 1;
            i += n;
            units++;
        }
        if (!units)
            return PEERC_E_SYNTAX;
        pi->nal_start = 1;
        return PEERC_OK;
    }
    if (pi->type == PEERC_RTP_H264_FU_A) {
        if (len < 2)
            return PEERC_E_SYNTAX;
        uint8_t fh = p[1];
        pi->fu_start = (fh & FU_S) != 0;
        pi->fu_end = (fh & FU_E) != 0;
        pi->fu_type = fh & TYPE_MASK;
        /* §5.8: S and E never together (a whole unit is not fragmented);
         * the carried type is an ordinary NAL unit type.  R is ignored. */
        if ((pi->fu_start && pi->fu_end) || pi->fu_type < 1 || pi->fu_type > 23)
            return PEERC_E_SYNTAX;
        pi->nal_start = pi->fu_start;
        pi->idr = pi->fu_start && pi->fu_type == PEERC_H264_NAL_IDR;
        return PEERC_OK;
    }
    /* 0, 30, 31: unspecified; STAP-B, MTAPs and FU-B (25..27, 29) only exist
     * in the interleaved mode (§6.4), which is not negotiated. */
    return PEERC_E_SYNTAX;
}

int peerc__rtp_h264_to_asm_packet(const peerc_rtp_packet *rtp, int64_t ext_seq, int64_t arrival_ms,
                                  uint8_t *buf, size_t cap, peerc_rtp_asm_packet *out)
{
    if (!rtp || !out || (rtp->payload_len && !rtp->payload))
        return PEERC_E_INVALID_ARGUMENT;
    payload_info pi;
    if (rtp->payload_len > PIECE_MAX)
        return PEERC_E_SYNTAX;
    int rc = parse_payload(rtp->payload, rtp->payload_len, &pi);
    if (rc)
        return rc;
    if (!buf || cap < PEERC_RTP_H264_PIECE_HEADER + rtp->payload_len)
        return PEERC_E_RANGE;
    peerc__rtp_wr16(buf, (uint16_t)ext_seq);
    peerc__rtp_wr16(buf + 2, (uint16_t)rtp->payload_len);
    memcpy(buf + PEERC_RTP_H264_PIECE_HEADER, rtp->payload, rtp->payload_len);
    memset(out, 0, sizeof *out);
    out->seq = ext_seq;
    out->timestamp = rtp->timestamp;
    out->frame_start = pi.nal_start;
    out->frame_end = rtp->marker;
    out->keyframe = pi.idr;
    out->data = buf;
    out->len = PEERC_RTP_H264_PIECE_HEADER + rtp->payload_len;
    out->arrival_ms = arrival_ms;
    return PEERC_OK;
}

/* ------------------------------------------------------------ Annex B out */

typedef struct sink {
    uint8_t *out;
    size_t cap;
    size_t n;
} sink;

static void put(sink *s, const uint8_t *p, size_t n)
{
    if (s->out && s->n <= s->cap && n <= s->cap - s->n)
        memcpy(s->out + s->n, p, n);
    s->n += n;
}

static void put_byte(sink *s, uint8_t b)
{
    put(s, &b, 1);
}

/* One checked payload into the sink; *fu_open and *fu_type carry an FU-A in
 * progress across pieces. */
static int emit_payload(sink *s, const uint8_t *p, size_t len, const payload_info *pi, int *fu_open,
                        uint8_t *fu_type)
{
    if (pi->type != PEERC_RTP_H264_FU_A && *fu_open)
        return PEERC_E_SYNTAX; /* fragmented unit cut short */
    if (pi->type <= 23) {
        put(s, start_code, sizeof start_code);
        put(s, p, len);
    } else if (pi->type == PEERC_RTP_H264_STAP_A) {
        for (size_t i = 1; i < len;) {
            size_t n = peerc__rtp_rd16(p + i);
            put(s, start_code, sizeof start_code);
            put(s, p + i + 2, n);
            i += 2 + n;
        }
    } else if (pi->fu_start) {
        if (*fu_open)
            return PEERC_E_SYNTAX;
        /* §5.8: the NAL header is F and NRI of the indicator plus the type
         * of the FU header. */
        put(s, start_code, sizeof start_code);
        put_byte(s, (uint8_t)((p[0] & (F_BIT | NRI_MASK)) | pi->fu_type));
        put(s, p + 2, len - 2);
        *fu_open = 1;
        *fu_type = pi->fu_type;
    } else {
        /* A middle or end fragment needs its start before it (§5.8: after a
         * lost fragment the rest of the unit is discarded). */
        if (!*fu_open || pi->fu_type != *fu_type)
            return PEERC_E_SYNTAX;
        put(s, p + 2, len - 2);
        if (pi->fu_end)
            *fu_open = 0;
    }
    return PEERC_OK;
}

int peerc__rtp_h264_frame_to_annexb(const uint8_t *frame, size_t len, uint8_t *out, size_t cap,
                                    size_t *out_len)
{
    if (!out_len || (len && !frame))
        return PEERC_E_INVALID_ARGUMENT;
    sink s = {out, out ? cap : 0, 0};
    int fu_open = 0;
    uint8_t fu_type = 0;
    uint16_t prev = 0;
    size_t pieces = 0;
    for (size_t i = 0; i < len;) {
        if (len - i < PEERC_RTP_H264_PIECE_HEADER)
            return PEERC_E_SYNTAX;
        uint16_t seq = peerc__rtp_rd16(frame + i);
        size_t n = peerc__rtp_rd16(frame + i + 2);
        i += PEERC_RTP_H264_PIECE_HEADER;
        if (n > len - i)
            return PEERC_E_SYNTAX;
        /* A gap is a lost packet: whatever NAL unit spanned it is broken. */
        if (pieces && seq != (uint16_t)(prev + 1))
            return PEERC_E_SYNTAX;
        payload_info pi;
        int rc = parse_payload(frame + i, n, &pi);
        if (rc == PEERC_OK)
            rc = emit_payload(&s, frame + i, n, &pi, &fu_open, &fu_type);
        if (rc)
            return rc;
        i += n;
        prev = seq;
        pieces++;
    }
    if (!pieces || fu_open)
        return PEERC_E_SYNTAX;
    *out_len = s.n;
    if (out && s.n > cap)
        return PEERC_E_RANGE;
    return PEERC_OK;
}

/* ------------------------------------------------------------ framer */

int peerc__rtp_h264_framer_init(peerc_rtp_h264_framer *fr, size_t window)
{
    if (!fr || window == 0 || window > (1u << 20))
        return PEERC_E_INVALID_ARGUMENT;
    memset(fr, 0, sizeof *fr);
    size_t n = 1;
    while (n < window)
        n <<= 1;
    fr->seen = malloc(n * sizeof *fr->seen);
    if (!fr->seen)
        return PEERC_E_NO_MEMORY;
    for (size_t i = 0; i < n; i++)
        fr->seen[i].seq = INT64_MIN;
    fr->mask = n - 1;
    return PEERC_OK;
}

void peerc__rtp_h264_framer_free(peerc_rtp_h264_framer *fr)
{
    if (!fr)
        return;
    free(fr->seen);
    fr->seen = NULL;
}

static const peerc_rtp_h264_seen *seen_get(const peerc_rtp_h264_framer *fr, int64_t seq)
{
    const peerc_rtp_h264_seen *e = &fr->seen[(uint64_t)seq & fr->mask];
    return e->seq == seq ? e : NULL;
}

/* The assembler's slot for seq, if stored (same indexing as assembler.c). */
static peerc_rtp_asm_slot *slot_get(const peerc_rtp_assembler *a, int64_t seq)
{
    if (!a->slots)
        return NULL;
    peerc_rtp_asm_slot *s = &a->slots[(uint64_t)seq & a->mask];
    return s->seq == seq ? s : NULL;
}

/* Does seq begin an access unit?  §5.1: the previous access unit ended
 * with the marker, and the timestamp changes between access units. */
static int begins_au(const peerc_rtp_h264_framer *fr, int64_t seq)
{
    const peerc_rtp_h264_seen *e = seen_get(fr, seq);
    if (!e || !e->nal_start)
        return 0;
    const peerc_rtp_h264_seen *prev = seen_get(fr, seq - 1);
    if (prev)
        return prev->marker || prev->timestamp != e->timestamp;
    return e->au_first || seq <= fr->lowest;
}

/* The type of the first NAL unit a piece begins (0 if none): read back
 * from the piece that to_asm_packet wrote and already checked. */
static int first_nal_type(const peerc_rtp_asm_packet *p)
{
    if (!p->data || p->len <= PEERC_RTP_H264_PIECE_HEADER)
        return 0;
    const uint8_t *pl = p->data + PEERC_RTP_H264_PIECE_HEADER;
    size_t n = p->len - PEERC_RTP_H264_PIECE_HEADER;
    int type = pl[0] & TYPE_MASK;
    if (type == PEERC_RTP_H264_STAP_A)
        return n >= 4 ? pl[3] & TYPE_MASK : 0;
    if (type == PEERC_RTP_H264_FU_A)
        return n >= 2 && (pl[1] & FU_S) ? pl[1] & TYPE_MASK : 0;
    return type;
}

/* The frame-start slot of the frame seq belongs to, walking back over
 * stored packets of the same access unit; NULL if the way back is broken
 * (then no start is stored yet, or seq begins no known frame). */
static int64_t frame_head(const peerc_rtp_assembler *a, int64_t seq)
{
    const peerc_rtp_asm_slot *s = slot_get(a, seq);
    int64_t limit = (int64_t)a->mask + 1;
    while (s && !s->frame_start && limit-- > 0) {
        const peerc_rtp_asm_slot *p = slot_get(a, seq - 1);
        if (!p || p->frame_end || p->timestamp != s->timestamp)
            return INT64_MIN;
        s = p;
        seq--;
    }
    return s && s->frame_start ? seq : INT64_MIN;
}

/* The assembler reads keyframe on the start slot only: set it if any
 * stored packet of that frame begins an IDR slice. */
static void refresh_keyframe(const peerc_rtp_h264_framer *fr, peerc_rtp_assembler *a, int64_t seq)
{
    int64_t head = frame_head(a, seq);
    if (head == INT64_MIN)
        return;
    peerc_rtp_asm_slot *h = slot_get(a, head);
    int key = 0;
    for (int64_t q = head; q - head <= (int64_t)a->mask && !key; q++) {
        const peerc_rtp_asm_slot *s = slot_get(a, q);
        if (!s || (q > head && (s->frame_start || s->timestamp != h->timestamp)))
            break;
        const peerc_rtp_h264_seen *e = seen_get(fr, q);
        key = e && e->idr;
        if (s->frame_end)
            break;
    }
    h->keyframe = (uint8_t)key;
}

void peerc__rtp_h264_framer_update(peerc_rtp_h264_framer *fr, peerc_rtp_assembler *a,
                                   const peerc_rtp_asm_packet *p)
{
    if (!fr || !fr->seen || !a || !p)
        return;
    peerc_rtp_h264_seen *e = &fr->seen[(uint64_t)p->seq & fr->mask];
    e->seq = p->seq;
    e->timestamp = p->timestamp;
    e->marker = p->frame_end;
    e->nal_start = p->frame_start;
    e->idr = p->keyframe;
    int first = first_nal_type(p);
    e->au_first = first == PEERC_H264_NAL_AUD || first == PEERC_H264_NAL_SPS;
    if (!fr->any || p->seq < fr->lowest)
        fr->lowest = p->seq;
    fr->any = 1;

    peerc_rtp_asm_slot *self = slot_get(a, p->seq), *next = slot_get(a, p->seq + 1);
    if (self)
        self->frame_start = (uint8_t)begins_au(fr, p->seq);
    if (next)
        next->frame_start = (uint8_t)begins_au(fr, p->seq + 1);
    /* In order, only a start or an IDR packet changes a key frame flag;
     * filling a hole may join runs, so then both sides are refreshed. */
    if (next)
        refresh_keyframe(fr, a, p->seq + 1);
    if (self && (self->frame_start || e->idr || next))
        refresh_keyframe(fr, a, p->seq);
}

/* ------------------------------------------------------------ depacketizer */

int peerc__rtp_h264_depacketizer_init(peerc_rtp_h264_depacketizer *d,
                                      const peerc_rtp_asm_config *cfg)
{
    if (!d)
        return PEERC_E_INVALID_ARGUMENT;
    memset(d, 0, sizeof *d);
    peerc__rtp_unwrapper_init(&d->unwrap);
    int rc = peerc__rtp_asm_init(&d->as, cfg);
    if (rc)
        return rc;
    rc = peerc__rtp_h264_framer_init(&d->framer, d->as.mask + 1);
    if (rc)
        peerc__rtp_asm_free(&d->as);
    return rc;
}

void peerc__rtp_h264_depacketizer_free(peerc_rtp_h264_depacketizer *d)
{
    if (!d)
        return;
    peerc__rtp_asm_free(&d->as);
    peerc__rtp_h264_framer_free(&d->framer);
    free(d->scratch);
    d->scratch = NULL;
    d->scratch_cap = 0;
}

int peerc__rtp_h264_depacketizer_push(peerc_rtp_h264_depacketizer *d, const peerc_rtp_packet *rtp,
                                      int64_t arrival_ms)
{
    if (!d || !rtp)
        return PEERC_E_INVALID_ARGUMENT;
    size_t need = PEERC_RTP_H264_PIECE_HEADER + rtp->payload_len;
    if (rtp->payload_len <= PIECE_MAX && need > d->scratch_cap) {
        uint8_t *b = realloc(d->scratch, need);
        if (!b)
            return PEERC_E_NO_MEMORY;
        d->scratch = b;
        d->scratch_cap = need;
    }
    peerc_rtp_asm_packet ap;
    int rc =
        peerc__rtp_h264_to_asm_packet(rtp, rtp->seq, arrival_ms, d->scratch, d->scratch_cap, &ap);
    if (rc) {
        if (rc == PEERC_E_SYNTAX)
            d->packets_invalid++;
        return rc;
    }
    /* Unwrapped only now, so that garbage cannot move the unwrapper; the
     * piece keeps the same low 16 bits. */
    ap.seq = peerc__rtp_unwrap(&d->unwrap, rtp->seq);
    rc = peerc__rtp_asm_insert(&d->as, &ap);
    if (rc >= 0)
        peerc__rtp_h264_framer_update(&d->framer, &d->as, &ap);
    return rc;
}

/* A complete frame whose NAL units cannot be rebuilt is a loss for the
 * decoder: report it like the assembler's own drops. */
static void reject_frame(peerc_rtp_h264_depacketizer *d, const peerc_rtp_frame *f)
{
    d->frames_invalid++;
    d->as.gap_pending = 1;
    if (d->as.cfg.wait_keyframe)
        d->as.need_keyframe = 1;
    if (d->as.cfg.on_drop) {
        peerc_rtp_drop drop;
        memset(&drop, 0, sizeof drop);
        drop.reason = PEERC_RTP_DROP_INCOMPLETE;
        drop.first_seq = f->first_seq;
        drop.last_seq = f->last_seq;
        drop.packets = (size_t)(f->last_seq - f->first_seq + 1);
        drop.frames = 1;
        drop.timestamp = f->timestamp;
        d->as.cfg.on_drop(d->as.cfg.user, &drop);
    }
}

int peerc__rtp_h264_depacketizer_pop(peerc_rtp_h264_depacketizer *d, peerc_rtp_frame *out)
{
    if (!d || !out)
        return PEERC_E_INVALID_ARGUMENT;
    for (;;) {
        int rc = peerc__rtp_asm_pop(&d->as, out);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            if (!peerc__rtp_asm_skip_to_complete(&d->as))
                return 0;
            continue;
        }
        size_t n;
        if (peerc__rtp_h264_frame_to_annexb(out->data, out->len, NULL, 0, &n) != PEERC_OK) {
            reject_frame(d, out);
            peerc__rtp_frame_clear(out);
            continue;
        }
        uint8_t *au = malloc(n ? n : 1);
        if (!au) {
            peerc__rtp_frame_clear(out);
            return PEERC_E_NO_MEMORY;
        }
        peerc__rtp_h264_frame_to_annexb(out->data, out->len, au, n, &n);
        free(out->data);
        out->data = au;
        out->len = n;
        return 1;
    }
}

/* ------------------------------------------------------------ fmtp */

/* H.264 A.2: which profile a profile_idc / constraint flag pair signals.
 * Constrained Baseline is the common subset of Baseline, Main and
 * Extended, so a stream flagged as obeying the Baseline constraints
 * (constraint_set0) in Main, or set0 and set1 in Extended, is one too. */
static int classify_profile(uint8_t idc, uint8_t iop)
{
    int set0 = (iop & 0x80) != 0, set1 = (iop & 0x40) != 0;
    int set4 = (iop & 0x08) != 0, set5 = (iop & 0x04) != 0;
    switch (idc) {
    case 66:
        return set1 ? PEERC_H264_PROFILE_CONSTRAINED_BASELINE : PEERC_H264_PROFILE_BASELINE;
    case 77:
        return set0 ? PEERC_H264_PROFILE_CONSTRAINED_BASELINE : PEERC_H264_PROFILE_MAIN;
    case 88:
        if (set0)
            return set1 ? PEERC_H264_PROFILE_CONSTRAINED_BASELINE : PEERC_H264_PROFILE_BASELINE;
        return PEERC_H264_PROFILE_EXTENDED;
    case 100: /* A.2.4.2: Constrained High is High with set4 and set5 */
        return set4 && set5 ? PEERC_H264_PROFILE_CONSTRAINED_HIGH : PEERC_H264_PROFILE_HIGH;
    default:
        return PEERC_H264_PROFILE_OTHER;
    }
}

/* Table A-1: level 1b is level_idc 11 with constraint_set3 in the profiles
 * of A.2.1-A.2.3, and level_idc 9 in the others. */
static int is_level_1b(uint8_t idc, uint8_t iop, uint8_t level)
{
    if (idc == 66 || idc == 77 || idc == 88)
        return level == 11 && (iop & 0x10);
    return level == 9;
}

/* Levels in order: 1 < 1b < 1.1 < ... */
static int level_rank(const peerc_rtp_h264_fmtp *f)
{
    return f->level_1b ? 21 : f->level_idc * 2;
}

static void set_derived(peerc_rtp_h264_fmtp *f)
{
    f->profile = classify_profile(f->profile_idc, f->profile_iop);
    f->level_1b = is_level_1b(f->profile_idc, f->profile_iop, f->level_idc);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Is [s, s+n) equal to key, without case? */
static int key_is(const char *s, size_t n, const char *key)
{
    size_t k = strlen(key);
    if (n != k)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)s[i]) != key[i])
            return 0;
    return 1;
}

/* One "key=value" parameter, blanks already trimmed. */
static int fmtp_param(peerc_rtp_h264_fmtp *out, const char *p, size_t n)
{
    const char *eq = memchr(p, '=', n);
    if (!eq)
        return PEERC_OK; /* a flag parameter: none is defined for H.264 */
    size_t kl = (size_t)(eq - p), vl = n - kl - 1;
    const char *v = eq + 1;
    while (kl && (p[kl - 1] == ' ' || p[kl - 1] == '\t'))
        kl--;
    while (vl && (*v == ' ' || *v == '\t')) {
        v++;
        vl--;
    }
    if (key_is(p, kl, "profile-level-id")) {
        uint8_t b[3];
        if (vl != 6)
            return PEERC_E_SYNTAX;
        for (int i = 0; i < 3; i++) {
            int hi = hex_digit(v[2 * i]), lo = hex_digit(v[2 * i + 1]);
            if (hi < 0 || lo < 0)
                return PEERC_E_SYNTAX;
            b[i] = (uint8_t)(hi << 4 | lo);
        }
        out->profile_idc = b[0];
        out->profile_iop = b[1];
        out->level_idc = b[2];
        out->has_profile_level_id = 1;
    } else if (key_is(p, kl, "packetization-mode")) {
        if (vl != 1 || v[0] < '0' || v[0] > '2')
            return PEERC_E_SYNTAX;
        out->packetization_mode = v[0] - '0';
    } else if (key_is(p, kl, "level-asymmetry-allowed")) {
        if (vl != 1 || (v[0] != '0' && v[0] != '1'))
            return PEERC_E_SYNTAX;
        out->level_asymmetry_allowed = v[0] - '0';
    }
    return PEERC_OK;
}

int peerc__rtp_h264_fmtp_parse(const char *fmtp, peerc_rtp_h264_fmtp *out)
{
    if (!out)
        return PEERC_E_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    /* §8.1: without profile-level-id, Baseline at level 1 is implied. */
    out->profile_idc = 0x42;
    out->profile_iop = 0x00;
    out->level_idc = 0x0a;
    const char *p = fmtp ? fmtp : "";
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n) {
            int rc = fmtp_param(out, p, n);
            if (rc)
                return rc;
        }
        p = end ? end + 1 : p + strlen(p);
    }
    set_derived(out);
    return PEERC_OK;
}

static int same_profile(const peerc_rtp_h264_fmtp *a, const peerc_rtp_h264_fmtp *b)
{
    if (a->profile != b->profile)
        return 0;
    if (a->profile != PEERC_H264_PROFILE_OTHER)
        return 1;
    /* Unknown profiles: the same bytes, ignoring constraint_set3 (level 1b
     * in some profiles) and the two reserved bits. */
    return a->profile_idc == b->profile_idc && (a->profile_iop & 0xec) == (b->profile_iop & 0xec);
}

/* Write the answer's level into its profile-level-id bytes. */
static void set_level(peerc_rtp_h264_fmtp *f, const peerc_rtp_h264_fmtp *from)
{
    int legacy = f->profile_idc == 66 || f->profile_idc == 77 || f->profile_idc == 88;
    if (from->level_1b) {
        f->level_idc = legacy ? 11 : 9;
        if (legacy)
            f->profile_iop |= 0x10;
    } else {
        f->level_idc = from->level_idc;
        if (legacy && f->level_idc == 11)
            f->profile_iop &= (uint8_t)~0x10; /* else it would read as 1b */
    }
    set_derived(f);
}

int peerc__rtp_h264_fmtp_match(const char *offer, const char *local, peerc_rtp_h264_fmtp *answer)
{
    peerc_rtp_h264_fmtp o, l;
    int rc = peerc__rtp_h264_fmtp_parse(offer, &o);
    if (rc == PEERC_OK)
        rc = peerc__rtp_h264_fmtp_parse(local, &l);
    if (rc)
        return rc;
    if (o.packetization_mode != l.packetization_mode || o.packetization_mode > 1 ||
        !same_profile(&o, &l))
        return 0;
    if (answer) {
        /* §8.2.2: with level-asymmetry-allowed on both sides each declares
         * the level it receives; otherwise one level serves both
         * directions and must be the lower one. */
        int asym = o.level_asymmetry_allowed && l.level_asymmetry_allowed;
        *answer = o;
        answer->has_profile_level_id = 1;
        answer->level_asymmetry_allowed = asym;
        set_level(answer, asym || level_rank(&l) < level_rank(&o) ? &l : &o);
    }
    return 1;
}

int peerc__rtp_h264_fmtp_format(const peerc_rtp_h264_fmtp *f, char *buf, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    if (!f || !buf || f->packetization_mode < 0 || f->packetization_mode > 2)
        return PEERC_E_INVALID_ARGUMENT;
    const char *las = f->level_asymmetry_allowed ? "level-asymmetry-allowed=1;" : "";
    size_t need = strlen(las) + strlen("packetization-mode=0;profile-level-id=000000");
    if (need + 1 > cap)
        return PEERC_E_RANGE;
    uint8_t b[3] = {f->profile_idc, f->profile_iop, f->level_idc};
    size_t n = strlen(las);
    memcpy(buf, las, n);
    memcpy(buf + n, "packetization-mode=", 19);
    n += 19;
    buf[n++] = (char)('0' + f->packetization_mode);
    memcpy(buf + n, ";profile-level-id=", 18);
    n += 18;
    for (int i = 0; i < 3; i++) {
        buf[n++] = hex[b[i] >> 4];
        buf[n++] = hex[b[i] & 15];
    }
    buf[n] = '\0';
    return (int)n;
}

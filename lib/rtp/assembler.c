/* Frame assembly from RTP packets in a window indexed by extended
 * sequence number (see assembler.h for the model). */
#include "rtp/assembler.h"

#include <peerc/common.h>

#include <stdlib.h>
#include <string.h>

#define EMPTY INT64_MIN
#define SEQ_LIMIT (INT64_C(1) << 62)

void peerc__rtp_frame_clear(peerc_rtp_frame *f)
{
    if (!f)
        return;
    free(f->data);
    memset(f, 0, sizeof *f);
}

void peerc__rtp_asm_config_default(peerc_rtp_asm_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->window = 2048;
    cfg->max_frame_bytes = 8u << 20;
    cfg->wait_keyframe = 1;
}

int peerc__rtp_asm_init(peerc_rtp_assembler *a, const peerc_rtp_asm_config *cfg)
{
    memset(a, 0, sizeof *a);
    if (cfg)
        a->cfg = *cfg;
    else
        peerc__rtp_asm_config_default(&a->cfg);
    if (a->cfg.window == 0 || a->cfg.window > (1u << 20))
        return PEERC_E_INVALID_ARGUMENT;
    size_t n = 1;
    while (n < a->cfg.window)
        n <<= 1;
    a->slots = malloc(n * sizeof *a->slots);
    if (!a->slots)
        return PEERC_E_NO_MEMORY;
    for (size_t i = 0; i < n; i++) {
        a->slots[i].seq = EMPTY;
        a->slots[i].data = NULL;
    }
    a->mask = n - 1;
    a->need_keyframe = a->cfg.wait_keyframe;
    return PEERC_OK;
}

static peerc_rtp_asm_slot *get(const peerc_rtp_assembler *a, int64_t seq)
{
    peerc_rtp_asm_slot *s = &a->slots[(uint64_t)seq & a->mask];
    return s->seq == seq ? s : NULL;
}

static void release_slot(peerc_rtp_assembler *a, peerc_rtp_asm_slot *s)
{
    free(s->data);
    s->data = NULL;
    s->seq = EMPTY;
    a->count--;
}

void peerc__rtp_asm_free(peerc_rtp_assembler *a)
{
    if (!a || !a->slots)
        return;
    for (size_t i = 0; i <= a->mask; i++)
        free(a->slots[i].data);
    free(a->slots);
    a->slots = NULL;
    a->count = 0;
}

/* Drop [head, to) and report it.  Frames are counted by distinct
 * timestamps of the packets present, plus one for each gap that lies
 * between a frame end (or the head) and a frame start: whole frames lost
 * without a trace, since frames occupy contiguous sequence ranges. */
static void drop_range(peerc_rtp_assembler *a, int64_t to, int reason)
{
    int64_t from = a->head;
    if (to <= from)
        return;
    peerc_rtp_drop d = {reason, from, to - 1, 0, 0, 0};
    uint32_t last_ts = 0;
    int boundary = 1, gap = 0;
    int64_t end = to - from > (int64_t)a->mask + 1 ? from + (int64_t)a->mask + 1 : to;
    for (int64_t q = from; q < end; q++) {
        peerc_rtp_asm_slot *s = get(a, q);
        if (!s) {
            gap = 1;
            continue;
        }
        if (gap && boundary && s->frame_start)
            d.frames++;
        if (d.packets == 0)
            d.timestamp = s->timestamp;
        if (d.packets == 0 || s->timestamp != last_ts)
            d.frames++;
        last_ts = s->timestamp;
        boundary = s->frame_end;
        gap = 0;
        d.packets++;
        release_slot(a, s);
    }
    if (end < to)
        gap = 1;
    const peerc_rtp_asm_slot *next = get(a, to);
    if (gap && boundary && next && next->frame_start && d.packets)
        d.frames++;
    if (d.frames == 0)
        d.frames = 1;
    a->head = to;
    if (a->highest < to - 1)
        a->highest = to - 1;
    a->released_any = 1;
    a->gap_pending = 1;
    if (a->cfg.wait_keyframe)
        a->need_keyframe = 1;
    a->frames_dropped += d.frames;
    a->packets_dropped += d.packets;
    if (a->cfg.on_drop)
        a->cfg.on_drop(a->cfg.user, &d);
}

int peerc__rtp_asm_insert(peerc_rtp_assembler *a, const peerc_rtp_asm_packet *p)
{
    /* Extended numbers come from an unwrapper and stay far from the int64
     * limits; refusing the rest keeps the window arithmetic overflow-free. */
    if (!a || !p || (p->len && !p->data) || p->seq < -SEQ_LIMIT || p->seq > SEQ_LIMIT)
        return PEERC_E_INVALID_ARGUMENT;
    int64_t window = (int64_t)a->mask + 1;
    if (!a->started) {
        a->started = 1;
        a->head = p->seq;
        a->highest = p->seq;
    } else if (!a->released_any && p->seq < a->head && a->highest - p->seq < window) {
        /* Nothing released yet: an older packet can still start the stream. */
        a->head = p->seq;
    }
    if (p->seq < a->head) {
        a->packets_late++;
        return 0;
    }
    if (p->seq - a->head >= window) {
        /* Too far ahead: keep what still fits and move head to the oldest
         * packet kept (or to this one), so that one jump is one report. */
        int64_t to = p->seq;
        for (int64_t q = p->seq - window + 1; q < p->seq; q++)
            if (get(a, q)) {
                to = q;
                break;
            }
        drop_range(a, to, PEERC_RTP_DROP_OVERFLOW);
    }
    peerc_rtp_asm_slot *s = &a->slots[(uint64_t)p->seq & a->mask];
    if (s->seq == p->seq) {
        a->packets_duplicate++;
        return 0;
    }
    uint8_t *copy = malloc(p->len ? p->len : 1);
    if (!copy)
        return PEERC_E_NO_MEMORY;
    if (p->len)
        memcpy(copy, p->data, p->len);
    s->seq = p->seq;
    s->timestamp = p->timestamp;
    s->frame_start = p->frame_start ? 1 : 0;
    s->frame_end = p->frame_end ? 1 : 0;
    s->keyframe = p->keyframe ? 1 : 0;
    s->data = copy;
    s->len = p->len;
    s->arrival_ms = p->arrival_ms;
    a->count++;
    if (p->seq > a->highest)
        a->highest = p->seq;
    return 1;
}

/* Is a whole frame stored from start?  1 (with *end and *bytes), 0 if
 * packets are still missing, -1 if start is not the first packet of a frame
 * or the frame is inconsistent (its beginning is lost for good).  A frame
 * also ends, without a marker, where a contiguous next frame starts. */
static int scan_frame(const peerc_rtp_assembler *a, int64_t start, int64_t *end, size_t *bytes)
{
    const peerc_rtp_asm_slot *s = get(a, start);
    if (!s)
        return 0;
    if (!s->frame_start)
        return -1;
    uint32_t ts = s->timestamp;
    size_t n = 0;
    for (int64_t q = start; q <= a->highest; q++) {
        s = get(a, q);
        if (!s)
            return 0;
        if (q > start && (s->frame_start || s->timestamp != ts)) {
            if (!s->frame_start)
                return -1;
            *end = q - 1;
            *bytes = n;
            return 1;
        }
        if (n > SIZE_MAX - s->len)
            return -1;
        n += s->len;
        if (s->frame_end) {
            *end = q;
            *bytes = n;
            return 1;
        }
    }
    return 0;
}

int peerc__rtp_asm_head_ready(const peerc_rtp_assembler *a)
{
    int64_t end;
    size_t bytes;
    return a->started && a->count && scan_frame(a, a->head, &end, &bytes) == 1;
}

int peerc__rtp_asm_pop(peerc_rtp_assembler *a, peerc_rtp_frame *out)
{
    if (!a || !out)
        return PEERC_E_INVALID_ARGUMENT;
    for (;;) {
        int64_t end;
        size_t bytes;
        if (!a->started || !a->count || scan_frame(a, a->head, &end, &bytes) != 1)
            return 0;
        peerc_rtp_asm_slot *first = get(a, a->head);
        if (bytes > a->cfg.max_frame_bytes) {
            drop_range(a, end + 1, PEERC_RTP_DROP_TOO_LARGE);
            continue;
        }
        if (a->need_keyframe && !first->keyframe) {
            drop_range(a, end + 1, PEERC_RTP_DROP_NO_KEYFRAME);
            continue;
        }
        uint8_t *data = malloc(bytes ? bytes : 1);
        if (!data)
            return PEERC_E_NO_MEMORY;
        memset(out, 0, sizeof *out);
        out->data = data;
        out->len = bytes;
        out->timestamp = first->timestamp;
        out->first_seq = a->head;
        out->last_seq = end;
        out->keyframe = first->keyframe;
        out->after_gap = (uint8_t)a->gap_pending;
        size_t off = 0;
        for (int64_t q = a->head; q <= end; q++) {
            peerc_rtp_asm_slot *s = get(a, q);
            if (s->len)
                memcpy(data + off, s->data, s->len);
            off += s->len;
            if (s->arrival_ms > out->arrival_ms || q == a->head)
                out->arrival_ms = s->arrival_ms;
            release_slot(a, s);
        }
        a->head = end + 1;
        a->released_any = 1;
        a->gap_pending = 0;
        if (out->keyframe)
            a->need_keyframe = 0;
        a->frames_released++;
        return 1;
    }
}

int peerc__rtp_asm_skip_to_complete(peerc_rtp_assembler *a)
{
    if (!a->started || !a->count || peerc__rtp_asm_head_ready(a))
        return 0;
    for (int64_t q = a->head + 1; q <= a->highest; q++) {
        const peerc_rtp_asm_slot *s = get(a, q);
        int64_t end;
        size_t bytes;
        if (s && s->frame_start && scan_frame(a, q, &end, &bytes) == 1) {
            drop_range(a, q, PEERC_RTP_DROP_INCOMPLETE);
            return 1;
        }
    }
    return 0;
}

int peerc__rtp_asm_skip_to_keyframe(peerc_rtp_assembler *a)
{
    if (!a->started)
        return 0;
    for (int64_t q = a->head + 1; q <= a->highest && a->count; q++) {
        const peerc_rtp_asm_slot *s = get(a, q);
        if (s && s->frame_start && s->keyframe) {
            drop_range(a, q, PEERC_RTP_DROP_INCOMPLETE);
            return 1;
        }
    }
    if (a->highest < a->head)
        return 0;
    drop_range(a, a->highest + 1, PEERC_RTP_DROP_INCOMPLETE);
    a->need_keyframe = 1;
    return 1;
}

size_t peerc__rtp_asm_missing(const peerc_rtp_assembler *a, int64_t *out, size_t cap)
{
    size_t k = 0;
    if (!a->started)
        return 0;
    for (int64_t q = a->head; q <= a->highest && k < cap; q++)
        if (!get(a, q))
            out[k++] = q;
    return k;
}

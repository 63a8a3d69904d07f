/* Missing-packet bookkeeping for generic NACK (RFC 4585 §6.2.1). */
#include "rtp/nack.h"

#include <peerc/common.h>

#include <stdlib.h>
#include <string.h>

void peerc__rtp_nack_config_default(peerc_rtp_nack_config *cfg)
{
    cfg->max_entries = 1000;
    cfg->max_retries = 10;
    cfg->max_age_ms = 1000;
    cfg->reorder_delay_ms = 0;
    cfg->min_interval_ms = 5;
}

int peerc__rtp_nack_init(peerc_rtp_nack_list *l, const peerc_rtp_nack_config *cfg)
{
    memset(l, 0, sizeof *l);
    if (cfg)
        l->cfg = *cfg;
    else
        peerc__rtp_nack_config_default(&l->cfg);
    if (l->cfg.max_entries == 0 || l->cfg.max_entries > SIZE_MAX / sizeof *l->e)
        return PEERC_E_INVALID_ARGUMENT;
    l->e = malloc(l->cfg.max_entries * sizeof *l->e);
    return l->e ? PEERC_OK : PEERC_E_NO_MEMORY;
}

void peerc__rtp_nack_free(peerc_rtp_nack_list *l)
{
    if (!l)
        return;
    free(l->e);
    l->e = NULL;
    l->n = 0;
}

static void drop_front(peerc_rtp_nack_list *l, size_t k, int abandoned)
{
    if (k > l->n)
        k = l->n;
    if (!k)
        return;
    memmove(l->e, l->e + k, (l->n - k) * sizeof *l->e);
    l->n -= k;
    if (abandoned) {
        l->given_up += k;
        l->keyframe_needed = 1;
    }
}

/* Index of the first entry with seq >= s. */
static size_t lower_bound(const peerc_rtp_nack_list *l, int64_t s)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->e[mid].seq < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void peerc__rtp_nack_on_packet(peerc_rtp_nack_list *l, int64_t seq, int64_t now_ms)
{
    /* Same bound as the assembler: keeps seq - newest from overflowing. */
    if (seq < -(INT64_C(1) << 62) || seq > (INT64_C(1) << 62))
        return;
    if (!l->has_newest) {
        l->has_newest = 1;
        l->newest = seq;
        return;
    }
    if (seq <= l->newest) {
        size_t i = lower_bound(l, seq);
        if (i < l->n && l->e[i].seq == seq) {
            memmove(l->e + i, l->e + i + 1, (l->n - i - 1) * sizeof *l->e);
            l->n--;
        }
        return;
    }
    uint64_t gap = (uint64_t)(seq - l->newest - 1);
    l->newest = seq;
    if (gap >= l->cfg.max_entries) {
        /* More lost than we could ever ask for: give them all up. */
        l->given_up += gap + l->n;
        l->n = 0;
        l->keyframe_needed = 1;
        return;
    }
    if (l->n + gap > l->cfg.max_entries)
        drop_front(l, l->n + (size_t)gap - l->cfg.max_entries, 1);
    for (int64_t s = seq - (int64_t)gap; s < seq; s++) {
        peerc_rtp_nack_entry *e = &l->e[l->n++];
        e->seq = s;
        e->first_ms = now_ms;
        e->sent_ms = INT64_MIN;
        e->retries = 0;
    }
}

size_t peerc__rtp_nack_collect(peerc_rtp_nack_list *l, int64_t now_ms, int64_t rtt_ms, int64_t *out,
                               size_t cap)
{
    int64_t interval = rtt_ms > l->cfg.min_interval_ms ? rtt_ms : l->cfg.min_interval_ms;
    size_t k = 0, w = 0;
    for (size_t i = 0; i < l->n; i++) {
        peerc_rtp_nack_entry e = l->e[i];
        int expired = e.retries >= l->cfg.max_retries || now_ms - e.first_ms > l->cfg.max_age_ms;
        if (expired) {
            l->given_up++;
            l->keyframe_needed = 1;
            continue; /* not copied back: removed */
        }
        int due = e.sent_ms == INT64_MIN ? now_ms - e.first_ms >= l->cfg.reorder_delay_ms
                                         : now_ms - e.sent_ms >= interval;
        if (due && k < cap) {
            out[k++] = e.seq;
            e.sent_ms = now_ms;
            e.retries++;
            l->requested++;
        }
        l->e[w++] = e;
    }
    l->n = w;
    return k;
}

void peerc__rtp_nack_drop_before(peerc_rtp_nack_list *l, int64_t seq)
{
    drop_front(l, lower_bound(l, seq), 0);
}

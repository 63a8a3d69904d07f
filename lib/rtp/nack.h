/*
 * Receiver-side list of missing packets for generic NACK (RFC 4585
 * §6.2.1, RFC 8834 §5.1.1): gaps in the extended sequence numbers become
 * entries, which are requested after a short reordering delay, re-requested
 * once per round trip, and given up after a retry limit or age.  The
 * requests are then packed with peerc__rtp_nack_pack().
 *
 * Time is whatever monotonic millisecond clock the caller uses.
 */
#ifndef PEERC_RTP_NACK_H
#define PEERC_RTP_NACK_H

#include <stddef.h>
#include <stdint.h>

typedef struct peerc_rtp_nack_entry {
    int64_t seq;
    int64_t first_ms; /* when the gap was seen */
    int64_t sent_ms;  /* last request, or INT64_MIN */
    unsigned retries; /* requests sent */
} peerc_rtp_nack_entry;

typedef struct peerc_rtp_nack_config {
    size_t max_entries;       /* beyond this, the oldest are dropped */
    unsigned max_retries;     /* requests per packet before giving up */
    int64_t max_age_ms;       /* give up on a packet missing this long */
    int64_t reorder_delay_ms; /* wait before the first request (0 = at once) */
    int64_t min_interval_ms;  /* floor of the re-request interval (RTT) */
} peerc_rtp_nack_config;

/* max_entries 1000, max_retries 10, max_age_ms 1000, reorder_delay_ms 0,
 * min_interval_ms 5 -- close to what libwebrtc uses. */
void peerc__rtp_nack_config_default(peerc_rtp_nack_config *cfg);

typedef struct peerc_rtp_nack_list {
    peerc_rtp_nack_config cfg;
    peerc_rtp_nack_entry *e; /* ascending by seq */
    size_t n;
    int64_t newest;
    int has_newest;
    /* Set when packets were given up (list overflow, a gap larger than
     * max_entries, retries or age exhausted): the decoder will need a
     * keyframe unless the caller knows better.  Cleared by the caller. */
    int keyframe_needed;
    uint64_t given_up;  /* packets abandoned, for statistics */
    uint64_t requested; /* requests emitted */
} peerc_rtp_nack_list;

/* PEERC_E_NO_MEMORY or PEERC_E_INVALID_ARGUMENT (max_entries 0). */
int peerc__rtp_nack_init(peerc_rtp_nack_list *l, const peerc_rtp_nack_config *cfg);
void peerc__rtp_nack_free(peerc_rtp_nack_list *l);

/* A packet arrived (first time, retransmitted or reordered). */
void peerc__rtp_nack_on_packet(peerc_rtp_nack_list *l, int64_t seq, int64_t now_ms);

/* Sequence numbers due for a request now, ascending, at most cap; marks
 * them sent.  rtt_ms paces re-requests (floored at min_interval_ms).  Also
 * gives up entries past max_retries or max_age_ms. */
size_t peerc__rtp_nack_collect(peerc_rtp_nack_list *l, int64_t now_ms, int64_t rtt_ms, int64_t *out,
                               size_t cap);

/* Forget entries below seq (the jitter buffer moved past them). */
void peerc__rtp_nack_drop_before(peerc_rtp_nack_list *l, int64_t seq);

/* Packets currently missing (requested or not). */
static inline size_t peerc__rtp_nack_missing(const peerc_rtp_nack_list *l)
{
    return l->n;
}

#endif

/* Sequence number unwrapping and NACK packing. */
#include "rtp/seq.h"

int64_t peerc__rtp_unwrap(peerc_rtp_unwrapper *u, uint16_t seq)
{
    if (!u->valid) {
        u->valid = 1;
        u->last = seq;
        return seq;
    }
    /* The closest value to last with these low 16 bits. */
    u->last += peerc__rtp_seq_diff(seq, (uint16_t)u->last);
    return u->last;
}

int64_t peerc__rtp_ts_unwrap(peerc_rtp_ts_unwrapper *u, uint32_t ts)
{
    if (!u->valid) {
        u->valid = 1;
        u->last = ts;
        return ts;
    }
    u->last += (int32_t)(ts - (uint32_t)u->last);
    return u->last;
}

size_t peerc__rtp_nack_pack(const int64_t *seqs, size_t n, peerc_rtp_rtcp_nack_item *items,
                            size_t cap, size_t *used)
{
    size_t k = 0, i = 0;
    while (i < n && k < cap) {
        int64_t pid = seqs[i++];
        uint16_t blp = 0;
        /* RFC 4585 §6.2.1: bit i of BLP reports pid + i + 1. */
        while (i < n && seqs[i] >= pid && seqs[i] <= pid + 16) {
            if (seqs[i] > pid)
                blp |= (uint16_t)(1u << (seqs[i] - pid - 1));
            i++;
        }
        items[k].pid = (uint16_t)pid;
        items[k].blp = blp;
        k++;
    }
    if (used)
        *used = i;
    return k;
}

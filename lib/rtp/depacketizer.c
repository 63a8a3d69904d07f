/* Codec-independent depacketizer; see depacketizer.h. */
#include "rtp/depacketizer.h"

#include <peerc/common.h>

#include <string.h>

int peerc__rtp_depacketizer_init(peerc_rtp_depacketizer *d, const peerc_rtp_asm_config *cfg,
                                 peerc_rtp_to_asm_fn to_asm)
{
    if (!d || !to_asm)
        return PEERC_E_INVALID_ARGUMENT;
    memset(d, 0, sizeof *d);
    d->to_asm = to_asm;
    peerc__rtp_unwrapper_init(&d->unwrap);
    return peerc__rtp_asm_init(&d->as, cfg);
}

void peerc__rtp_depacketizer_free(peerc_rtp_depacketizer *d)
{
    if (d)
        peerc__rtp_asm_free(&d->as);
}

int peerc__rtp_depacketizer_push(peerc_rtp_depacketizer *d, const peerc_rtp_packet *rtp,
                                 int64_t arrival_ms)
{
    peerc_rtp_asm_packet ap;
    int rc;
    if (!d || !rtp)
        return PEERC_E_INVALID_ARGUMENT;
    rc = d->to_asm(rtp, 0, arrival_ms, &ap);
    if (rc) {
        d->packets_invalid++;
        return rc;
    }
    ap.seq = peerc__rtp_unwrap(&d->unwrap, rtp->seq);
    return peerc__rtp_asm_insert(&d->as, &ap);
}

int peerc__rtp_depacketizer_pop(peerc_rtp_depacketizer *d, peerc_rtp_frame *out)
{
    for (;;) {
        int rc = peerc__rtp_asm_pop(&d->as, out);
        if (rc != 0)
            return rc;
        if (!peerc__rtp_asm_skip_to_complete(&d->as))
            return 0;
    }
}

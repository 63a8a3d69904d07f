/* Jitter buffer policy on top of the frame assembler and the NACK list. */
#include "rtp/jitter.h"

#include <peerc/common.h>

#include <string.h>

void peerc__rtp_jitter_config_default(peerc_rtp_jitter_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    peerc__rtp_asm_config_default(&cfg->assembler);
    peerc__rtp_nack_config_default(&cfg->nack);
    cfg->nack_enabled = 1;
    cfg->max_wait_ms = 500;
}

/* Every drop leaves the decoder without references (or is one already
 * waiting for a key frame): ask the sender for one, then tell the user. */
static void on_drop(void *user, const peerc_rtp_drop *d)
{
    peerc_rtp_jitter *jb = user;
    jb->keyframe_request = 1;
    if (jb->cfg.assembler.on_drop)
        jb->cfg.assembler.on_drop(jb->cfg.assembler.user, d);
}

int peerc__rtp_jitter_init(peerc_rtp_jitter *jb, const peerc_rtp_jitter_config *cfg)
{
    if (!jb)
        return PEERC_E_INVALID_ARGUMENT;
    memset(jb, 0, sizeof *jb);
    if (cfg)
        jb->cfg = *cfg;
    else
        peerc__rtp_jitter_config_default(&jb->cfg);
    peerc_rtp_asm_config ac = jb->cfg.assembler;
    ac.on_drop = on_drop;
    ac.user = jb;
    int rc = peerc__rtp_asm_init(&jb->as, &ac);
    if (rc)
        return rc;
    rc = peerc__rtp_nack_init(&jb->nack, &jb->cfg.nack);
    if (rc)
        peerc__rtp_asm_free(&jb->as);
    return rc;
}

void peerc__rtp_jitter_free(peerc_rtp_jitter *jb)
{
    if (!jb)
        return;
    peerc__rtp_asm_free(&jb->as);
    peerc__rtp_nack_free(&jb->nack);
}

int peerc__rtp_jitter_insert(peerc_rtp_jitter *jb, const peerc_rtp_asm_packet *p, int64_t now_ms)
{
    if (!jb || !p)
        return PEERC_E_INVALID_ARGUMENT;
    peerc_rtp_asm_packet q = *p;
    q.arrival_ms = now_ms;
    int rc = peerc__rtp_asm_insert(&jb->as, &q);
    if (rc < 0)
        return rc;
    if (jb->cfg.nack_enabled) {
        peerc__rtp_nack_on_packet(&jb->nack, p->seq, now_ms);
        /* Gaps below head were already given up with their frames. */
        peerc__rtp_nack_drop_before(&jb->nack, jb->as.head);
    }
    return rc;
}

int peerc__rtp_jitter_pop(peerc_rtp_jitter *jb, int64_t now_ms, peerc_rtp_frame *out)
{
    if (!jb || !out)
        return PEERC_E_INVALID_ARGUMENT;
    for (;;) {
        int rc = peerc__rtp_asm_pop(&jb->as, out);
        if (rc != 0) {
            jb->blocked = 0;
            return rc;
        }
        if (jb->as.count == 0) {
            /* Nothing held: no evidence of loss yet. */
            jb->blocked = 0;
            return 0;
        }
        if (!jb->blocked || jb->blocked_head != jb->as.head) {
            jb->blocked = 1;
            jb->blocked_head = jb->as.head;
            jb->blocked_since = now_ms;
        }
        if (now_ms - jb->blocked_since < jb->cfg.max_wait_ms)
            return 0;
        jb->timeouts++;
        jb->blocked = 0;
        peerc__rtp_asm_skip_to_keyframe(&jb->as);
        peerc__rtp_nack_drop_before(&jb->nack, jb->as.head);
    }
}

size_t peerc__rtp_jitter_nacks(peerc_rtp_jitter *jb, int64_t now_ms, int64_t rtt_ms, int64_t *out,
                               size_t cap)
{
    if (!jb || !jb->cfg.nack_enabled)
        return 0;
    peerc__rtp_nack_drop_before(&jb->nack, jb->as.head);
    size_t n = peerc__rtp_nack_collect(&jb->nack, now_ms, rtt_ms, out, cap);
    if (jb->nack.keyframe_needed) {
        /* Retransmission cannot repair this any more. */
        jb->nack.keyframe_needed = 0;
        jb->keyframe_request = 1;
    }
    return n;
}

int peerc__rtp_jitter_take_keyframe_request(peerc_rtp_jitter *jb)
{
    int r = jb->keyframe_request;
    jb->keyframe_request = 0;
    return r;
}

int64_t peerc__rtp_jitter_next_timeout(const peerc_rtp_jitter *jb, int64_t now_ms)
{
    if (!jb->blocked || jb->as.count == 0)
        return -1;
    int64_t left = jb->blocked_since + jb->cfg.max_wait_ms - now_ms;
    return left > 0 ? left : 0;
}

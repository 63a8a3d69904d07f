/*
 * The runtime: one worker thread iterating a private GMainContext.  All
 * network objects (libnice agents, SSL, SRTP, SCTP) are touched only there;
 * public calls marshal onto it with peerc__ctx_call().
 */
#ifndef PEERC_CORE_CTX_H
#define PEERC_CORE_CTX_H

#include <glib.h>

#include <peerc/ctx.h>

/* Run fn(arg) on the worker and return its result.  Runs inline when the
 * caller is the worker (so calls from callbacks work); otherwise waits.
 * Returns PEERC_E_CLOSED when the ctx is shutting down. */
int peerc__ctx_call(peerc_ctx *ctx, int (*fn)(void *arg), void *arg);

/* Queue fn(arg) to run later on the worker, after the current callback
 * returns; destroy(arg) runs afterwards (or instead, at shutdown). */
void peerc__ctx_post(peerc_ctx *ctx, void (*fn)(void *arg), void *arg, void (*destroy)(void *arg));

/* True when the calling thread is ctx's worker. */
int peerc__ctx_on_worker(const peerc_ctx *ctx);

GMainContext *peerc__ctx_main_context(const peerc_ctx *ctx);

/* Peer connections register so that peerc_ctx_free can shut them down. */
typedef struct peerc_ctx_member {
    void (*shutdown)(void *obj); /* called on the worker during ctx free */
    void *obj;
} peerc_ctx_member;
void peerc__ctx_add_member(peerc_ctx *ctx, void (*shutdown)(void *obj), void *obj);
void peerc__ctx_remove_member(peerc_ctx *ctx, void *obj);

#endif

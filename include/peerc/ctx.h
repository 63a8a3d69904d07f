/*
 * peerc/ctx.h - the runtime that runs peer connections.
 *
 * A peerc_ctx owns one worker thread.  Every network operation of the peer
 * connections created on it runs on that thread, and every callback fires
 * there.  One ctx serves many peer connections; most programs need one.
 */
#ifndef PEERC_CTX_H
#define PEERC_CTX_H

#include <peerc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct peerc_ctx peerc_ctx;

/*
 * Create a runtime and start its worker thread.
 * Errors: PEERC_E_INVALID_ARGUMENT (out NULL), PEERC_E_INTERNAL.
 * Thread-safe.
 */
PEERC_API int peerc_ctx_new(peerc_ctx **out);

/*
 * Close and free every peer connection still on ctx (their handles become
 * invalid: do not peerc_pc_free them afterwards; data channel handles still
 * need peerc_dc_free), stop the worker and release the runtime.  NULL-safe.
 * Must not be called from a callback (the worker thread itself): there it
 * logs an error and does nothing.  No callback runs after it returns.
 * Errors (peerc_ctx_new): PEERC_E_NO_MEMORY as well.
 */
PEERC_API void peerc_ctx_free(peerc_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif /* PEERC_CTX_H */

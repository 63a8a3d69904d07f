/* Worker thread, task marshaling and shutdown of a peerc_ctx. */
#include "core/ctx.h"

#include "core/log.h"

#include <stdlib.h>

struct peerc_ctx {
    GMainContext *main_context;
    GMainLoop *loop;
    GThread *thread;
    GMutex lock;        /* guards shutting_down and members */
    gboolean shutting_down;
    GArray *members;    /* peerc_ctx_member */
};

typedef struct sync_call {
    int (*fn)(void *arg);
    void *arg;
    int result;
    gboolean done;
    GMutex lock;
    GCond cond;
} sync_call;

typedef struct posted_task {
    void (*fn)(void *arg);
    void *arg;
    void (*destroy)(void *arg);
} posted_task;

static gpointer worker_main(gpointer data)
{
    peerc_ctx *ctx = data;
    g_main_context_push_thread_default(ctx->main_context);
    g_main_loop_run(ctx->loop);
    g_main_context_pop_thread_default(ctx->main_context);
    return NULL;
}

int peerc_ctx_new(peerc_ctx **out)
{
    peerc_ctx *ctx;
    if (!out)
        return PEERC_E_INVALID_ARGUMENT;
    *out = NULL;
    ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return PEERC_E_NO_MEMORY;
    g_mutex_init(&ctx->lock);
    ctx->members = g_array_new(FALSE, FALSE, sizeof(peerc_ctx_member));
    ctx->main_context = g_main_context_new();
    ctx->loop = g_main_loop_new(ctx->main_context, FALSE);
    ctx->thread = g_thread_try_new("peerc-worker", worker_main, ctx, NULL);
    if (!ctx->thread) {
        g_main_loop_unref(ctx->loop);
        g_main_context_unref(ctx->main_context);
        g_array_free(ctx->members, TRUE);
        g_mutex_clear(&ctx->lock);
        free(ctx);
        return PEERC_E_INTERNAL;
    }
    PEERC_DEBUG("ctx", "runtime %p started", (void *)ctx);
    *out = ctx;
    return PEERC_OK;
}

int peerc__ctx_on_worker(const peerc_ctx *ctx)
{
    return g_main_context_is_owner(ctx->main_context);
}

GMainContext *peerc__ctx_main_context(const peerc_ctx *ctx)
{
    return ctx->main_context;
}

static gboolean run_sync_call(gpointer data)
{
    sync_call *call = data;
    int result = call->fn(call->arg);
    g_mutex_lock(&call->lock);
    call->result = result;
    call->done = TRUE;
    g_cond_signal(&call->cond);
    g_mutex_unlock(&call->lock);
    return G_SOURCE_REMOVE;
}

int peerc__ctx_call(peerc_ctx *ctx, int (*fn)(void *arg), void *arg)
{
    sync_call call = {.fn = fn, .arg = arg};
    GSource *source;
    if (peerc__ctx_on_worker(ctx))
        return fn(arg);
    g_mutex_lock(&ctx->lock);
    if (ctx->shutting_down) {
        g_mutex_unlock(&ctx->lock);
        return PEERC_E_CLOSED;
    }
    g_mutex_init(&call.lock);
    g_cond_init(&call.cond);
    source = g_idle_source_new();
    g_source_set_priority(source, G_PRIORITY_DEFAULT);
    g_source_set_callback(source, run_sync_call, &call, NULL);
    g_source_attach(source, ctx->main_context);
    g_source_unref(source);
    g_mutex_unlock(&ctx->lock);

    g_mutex_lock(&call.lock);
    while (!call.done)
        g_cond_wait(&call.cond, &call.lock);
    g_mutex_unlock(&call.lock);
    g_mutex_clear(&call.lock);
    g_cond_clear(&call.cond);
    return call.result;
}

static gboolean run_posted(gpointer data)
{
    posted_task *task = data;
    task->fn(task->arg);
    return G_SOURCE_REMOVE;
}

static void free_posted(gpointer data)
{
    posted_task *task = data;
    if (task->destroy)
        task->destroy(task->arg);
    free(task);
}

void peerc__ctx_post(peerc_ctx *ctx, void (*fn)(void *arg), void *arg, void (*destroy)(void *arg))
{
    posted_task *task = malloc(sizeof *task);
    GSource *source;
    if (!task)
        abort(); /* allocation failure of a few bytes: nothing sane to do */
    task->fn = fn;
    task->arg = arg;
    task->destroy = destroy;
    source = g_idle_source_new();
    g_source_set_priority(source, G_PRIORITY_DEFAULT);
    g_source_set_callback(source, run_posted, task, free_posted);
    g_source_attach(source, ctx->main_context);
    g_source_unref(source);
}

void peerc__ctx_add_member(peerc_ctx *ctx, void (*shutdown)(void *obj), void *obj)
{
    peerc_ctx_member m = {shutdown, obj};
    g_mutex_lock(&ctx->lock);
    g_array_append_val(ctx->members, m);
    g_mutex_unlock(&ctx->lock);
}

void peerc__ctx_remove_member(peerc_ctx *ctx, void *obj)
{
    g_mutex_lock(&ctx->lock);
    for (guint i = 0; i < ctx->members->len; i++) {
        if (g_array_index(ctx->members, peerc_ctx_member, i).obj == obj) {
            g_array_remove_index(ctx->members, i);
            break;
        }
    }
    g_mutex_unlock(&ctx->lock);
}

static int shutdown_members(void *arg)
{
    peerc_ctx *ctx = arg;
    for (;;) {
        peerc_ctx_member m;
        g_mutex_lock(&ctx->lock);
        if (ctx->members->len == 0) {
            g_mutex_unlock(&ctx->lock);
            break;
        }
        m = g_array_index(ctx->members, peerc_ctx_member, ctx->members->len - 1);
        g_array_remove_index(ctx->members, ctx->members->len - 1);
        g_mutex_unlock(&ctx->lock);
        m.shutdown(m.obj);
    }
    return PEERC_OK;
}

static int quit_loop(void *arg)
{
    peerc_ctx *ctx = arg;
    g_main_loop_quit(ctx->loop);
    return PEERC_OK;
}

void peerc_ctx_free(peerc_ctx *ctx)
{
    if (!ctx)
        return;
    if (peerc__ctx_on_worker(ctx)) {
        PEERC_ERROR("ctx", "peerc_ctx_free called from a callback; ignored");
        return;
    }
    peerc__ctx_call(ctx, shutdown_members, ctx);
    /* Let already-queued tasks run so their destroy notifiers free memory. */
    peerc__ctx_call(ctx, quit_loop, ctx);
    g_mutex_lock(&ctx->lock);
    ctx->shutting_down = TRUE;
    g_mutex_unlock(&ctx->lock);
    g_thread_join(ctx->thread);
    /* The last unref destroys still-attached sources without dispatching
     * them, so their destroy notifiers release what they carry. */
    g_main_loop_unref(ctx->loop);
    g_main_context_unref(ctx->main_context);
    g_array_free(ctx->members, TRUE);
    g_mutex_clear(&ctx->lock);
    PEERC_DEBUG("ctx", "runtime %p stopped", (void *)ctx);
    free(ctx);
}

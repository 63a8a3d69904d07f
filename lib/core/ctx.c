/* Worker thread, task marshaling and shutdown of a peerc_ctx. */
#include "core/ctx.h"

#include "core/log.h"

#include <pthread.h>
#include <stdlib.h>

/*
 * Tasks cross threads through one queue guarded by a pthread mutex (not a
 * GMutex: GLib's futex-based locks are invisible to ThreadSanitizer, and
 * the hand-over is exactly what it must see).  An idle source on the
 * worker's context drains the queue.
 */
struct peerc_ctx {
    GMainContext *main_context;
    GMainLoop *loop;
    GThread *thread;
    pthread_mutex_t lock;   /* guards everything below */
    gboolean shutting_down;
    struct task *head, *tail; /* queued tasks, oldest first */
    gboolean drain_scheduled;
    GArray *members;        /* peerc_ctx_member */
};

typedef struct sync_wait {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    gboolean done;
    int result;
} sync_wait;

typedef struct task {
    int (*call)(void *arg);       /* synchronous call, or */
    void (*fn)(void *arg);        /* posted task */
    void (*destroy)(void *arg);
    void *arg;
    sync_wait *wait;
    struct task *next;
} task;

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
    pthread_mutex_init(&ctx->lock, NULL);
    ctx->members = g_array_new(FALSE, FALSE, sizeof(peerc_ctx_member));
    ctx->main_context = g_main_context_new();
    ctx->loop = g_main_loop_new(ctx->main_context, FALSE);
    ctx->thread = g_thread_try_new("peerc-worker", worker_main, ctx, NULL);
    if (!ctx->thread) {
        g_main_loop_unref(ctx->loop);
        g_main_context_unref(ctx->main_context);
        g_array_free(ctx->members, TRUE);
        pthread_mutex_destroy(&ctx->lock);
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

static void run_task(task *t)
{
    if (t->call) {
        int result = t->call(t->arg);
        pthread_mutex_lock(&t->wait->lock);
        t->wait->result = result;
        t->wait->done = TRUE;
        pthread_cond_signal(&t->wait->cond);
        pthread_mutex_unlock(&t->wait->lock);
    } else {
        t->fn(t->arg);
        if (t->destroy)
            t->destroy(t->arg);
    }
    free(t);
}

/* Run the tasks queued so far, then give the main loop a turn: media
 * threads post packets continuously, and draining until the queue is empty
 * could starve libnice's sockets and timers (consent freshness). */
static gboolean drain_tasks(gpointer data)
{
    peerc_ctx *ctx = data;
    task *batch, *t;
    gboolean more;
    pthread_mutex_lock(&ctx->lock);
    batch = ctx->head;
    ctx->head = ctx->tail = NULL;
    pthread_mutex_unlock(&ctx->lock);
    while ((t = batch)) {
        batch = t->next;
        run_task(t);
    }
    pthread_mutex_lock(&ctx->lock);
    more = ctx->head != NULL;
    if (!more)
        ctx->drain_scheduled = FALSE;
    pthread_mutex_unlock(&ctx->lock);
    return more ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Queue t; FALSE when the ctx no longer runs tasks. */
static gboolean enqueue(peerc_ctx *ctx, task *t)
{
    gboolean schedule;
    pthread_mutex_lock(&ctx->lock);
    if (ctx->shutting_down) {
        pthread_mutex_unlock(&ctx->lock);
        return FALSE;
    }
    t->next = NULL;
    if (ctx->tail)
        ctx->tail->next = t;
    else
        ctx->head = t;
    ctx->tail = t;
    schedule = !ctx->drain_scheduled;
    ctx->drain_scheduled = TRUE;
    pthread_mutex_unlock(&ctx->lock);
    if (schedule) {
        GSource *source = g_idle_source_new();
        g_source_set_priority(source, G_PRIORITY_DEFAULT);
        g_source_set_callback(source, drain_tasks, ctx, NULL);
        g_source_attach(source, ctx->main_context);
        g_source_unref(source);
    }
    return TRUE;
}

int peerc__ctx_call(peerc_ctx *ctx, int (*fn)(void *arg), void *arg)
{
    sync_wait wait = {.done = FALSE};
    task *t;
    int result;
    if (peerc__ctx_on_worker(ctx))
        return fn(arg);
    t = calloc(1, sizeof *t);
    if (!t)
        return PEERC_E_NO_MEMORY;
    t->call = fn;
    t->arg = arg;
    t->wait = &wait;
    pthread_mutex_init(&wait.lock, NULL);
    pthread_cond_init(&wait.cond, NULL);
    if (!enqueue(ctx, t)) {
        free(t);
        result = PEERC_E_CLOSED;
    } else {
        pthread_mutex_lock(&wait.lock);
        while (!wait.done)
            pthread_cond_wait(&wait.cond, &wait.lock);
        result = wait.result;
        pthread_mutex_unlock(&wait.lock);
    }
    pthread_mutex_destroy(&wait.lock);
    pthread_cond_destroy(&wait.cond);
    return result;
}

void peerc__ctx_post(peerc_ctx *ctx, void (*fn)(void *arg), void *arg, void (*destroy)(void *arg))
{
    task *t = calloc(1, sizeof *t);
    if (!t)
        abort(); /* allocation failure of a few bytes: nothing sane to do */
    t->fn = fn;
    t->arg = arg;
    t->destroy = destroy;
    if (!enqueue(ctx, t)) {
        if (destroy)
            destroy(arg);
        free(t);
    }
}

void peerc__ctx_add_member(peerc_ctx *ctx, void (*shutdown)(void *obj), void *obj)
{
    peerc_ctx_member m = {shutdown, obj};
    pthread_mutex_lock(&ctx->lock);
    g_array_append_val(ctx->members, m);
    pthread_mutex_unlock(&ctx->lock);
}

void peerc__ctx_remove_member(peerc_ctx *ctx, void *obj)
{
    pthread_mutex_lock(&ctx->lock);
    for (guint i = 0; i < ctx->members->len; i++) {
        if (g_array_index(ctx->members, peerc_ctx_member, i).obj == obj) {
            g_array_remove_index(ctx->members, i);
            break;
        }
    }
    pthread_mutex_unlock(&ctx->lock);
}

static int shutdown_members(void *arg)
{
    peerc_ctx *ctx = arg;
    for (;;) {
        peerc_ctx_member m;
        pthread_mutex_lock(&ctx->lock);
        if (ctx->members->len == 0) {
            pthread_mutex_unlock(&ctx->lock);
            break;
        }
        m = g_array_index(ctx->members, peerc_ctx_member, ctx->members->len - 1);
        g_array_remove_index(ctx->members, ctx->members->len - 1);
        pthread_mutex_unlock(&ctx->lock);
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
    task *t;
    if (!ctx)
        return;
    if (peerc__ctx_on_worker(ctx)) {
        PEERC_ERROR("ctx", "peerc_ctx_free called from a callback; ignored");
        return;
    }
    peerc__ctx_call(ctx, shutdown_members, ctx);
    peerc__ctx_call(ctx, quit_loop, ctx);
    pthread_mutex_lock(&ctx->lock);
    ctx->shutting_down = TRUE;
    pthread_mutex_unlock(&ctx->lock);
    g_thread_join(ctx->thread);
    /* Posted tasks that never ran still release what they carry. */
    while ((t = ctx->head)) {
        ctx->head = t->next;
        if (t->destroy)
            t->destroy(t->arg);
        free(t);
    }
    /* The last unref destroys still-attached sources without dispatching. */
    g_main_loop_unref(ctx->loop);
    g_main_context_unref(ctx->main_context);
    g_array_free(ctx->members, TRUE);
    pthread_mutex_destroy(&ctx->lock);
    PEERC_DEBUG("ctx", "runtime %p stopped", (void *)ctx);
    free(ctx);
}

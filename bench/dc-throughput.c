/*
 * dc-throughput: data-channel benchmark of peerc.  Two peer connections in
 * one process connect over loopback (127.0.0.1 only) and measure
 *
 *   connect     ms from the first peerc_pc_create_data_channel until both
 *               pcs are connected (and until the channel is open on both
 *               sides), over several fresh pc pairs;
 *   throughput  MB/s (10^6 bytes/s) of one reliable ordered channel for
 *               each message size, paced with buffered_amount_low;
 *   small       messages/s of small (100-byte) messages, paced the same way.
 *
 * Every figure comes out as one JSON object per line on stdout, in the
 * shape bench/run expects from every stack (see bench/README.md):
 *
 *   dc-throughput [--bytes N] [--sizes 1024,16384,65536] [--small-count N]
 *                 [--small-size N] [--connects N] [--high N] [--low N]
 *                 [--timeout S] [--stall S] [--two-ctx] [--app-send] [--stack NAME]
 *
 * --two-ctx puts each pc on its own peerc_ctx (one worker thread per peer,
 * as two processes would have); the default is one ctx for both.
 *
 * Sending happens where a peerc program would do it: in the sender's
 * callbacks, on the worker (as examples/loopback-demo.c does from open and
 * buffered_amount_low).  The main thread starts each run by sending a
 * 2-byte "go" from the receiving side; the sender's message callback fills
 * the channel up to --high, and buffered_amount_low refills it.
 * --app-send sends from the main thread instead, the way a program that
 * produces data on its own thread would: it fills up to --high itself and
 * buffered_amount_low continues on the worker; every call it makes then
 * waits for the worker.
 *
 * Signalling goes through a queue drained by the main thread, like an
 * application's signalling thread: with two ctxs, a callback of one worker
 * calling straight into the other pc (which waits for its worker) could
 * deadlock against the reverse call.
 *
 * Throughput is measured at the receiver: bytes received / (time of the
 * last message - time of the first send).  A run that misses its deadline
 * (--timeout), or receives nothing for --stall seconds, reports what
 * arrived with "complete":false (and "stalled":true) instead of a figure,
 * and a diagnosis on stderr.
 */
#include <peerc/peerc.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* ------------------------------------------------------------ options */

static uint64_t opt_bytes = 64ull << 20;
static size_t opt_sizes[8] = {1024, 16384, 65536};
static size_t opt_n_sizes = 3;
static uint64_t opt_small_count = 100000;
static size_t opt_small_size = 100;
static int opt_connects = 5;
static uint64_t opt_high = 4u << 20;
static uint64_t opt_low = 1u << 20;
static int opt_timeout = 120;
static int opt_stall = 10;
static int opt_two_ctx;
static int opt_app_send;
static const char *opt_stack = "peerc";

/* ------------------------------------------------------------- helpers */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;

/* ------------------------------------------- signalling via main thread */

typedef enum sig_kind { SIG_NEGOTIATE, SIG_DESCRIPTION, SIG_CANDIDATE } sig_kind;

typedef struct sig_msg {
    sig_kind kind;
    peerc_pc *to;   /* SIG_DESCRIPTION/SIG_CANDIDATE: the pc to apply it to */
    peerc_pc *from; /* SIG_NEGOTIATE: the pc that needs an offer */
    peerc_sdp_type type;
    char *text; /* sdp or candidate (NULL: end of candidates) */
    char *mid;
    int32_t index;
    struct sig_msg *next;
} sig_msg;

static sig_msg *sig_head, **sig_tail = &sig_head;

static void sig_push(sig_msg *m)
{
    pthread_mutex_lock(&lock);
    m->next = NULL;
    *sig_tail = m;
    sig_tail = &m->next;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* ------------------------------------------------------- one pc pair */

typedef struct pair pair;
typedef struct side {
    pair *p;
    peerc_pc *pc;
    struct side *other;
    int connected;
    int open;
} side;

struct pair {
    side caller, callee;
    peerc_dc *tx; /* caller's channel */
    peerc_dc *rx; /* callee's handle from the data_channel callback */
    double t0, t_connected, t_open;
    int failed;
    char error[256];
};

static void pair_fail(pair *p, const char *what)
{
    if (!p->failed)
        snprintf(p->error, sizeof p->error, "%s", what);
    p->failed = 1;
    pthread_cond_broadcast(&cond);
}

static void on_negotiation_needed(peerc_pc *pc, void *ud)
{
    sig_msg *m = calloc(1, sizeof *m);
    m->kind = SIG_NEGOTIATE;
    m->from = pc;
    (void)ud;
    sig_push(m);
}

static void on_local_description(peerc_pc *pc, peerc_sdp_type type, const char *sdp, void *ud)
{
    side *s = ud;
    sig_msg *m = calloc(1, sizeof *m);
    m->kind = SIG_DESCRIPTION;
    m->to = s->other->pc;
    m->type = type;
    m->text = strdup(sdp);
    (void)pc;
    sig_push(m);
}

static void on_ice_candidate(peerc_pc *pc, const char *candidate, const char *mid, int32_t index,
                             void *ud)
{
    side *s = ud;
    sig_msg *m = calloc(1, sizeof *m);
    m->kind = SIG_CANDIDATE;
    m->to = s->other->pc;
    m->text = dup_or_null(candidate);
    m->mid = dup_or_null(mid);
    m->index = index;
    (void)pc;
    sig_push(m);
}

static void check_ready(pair *p)
{
    double t = now_ms();
    if (!p->t_connected && p->caller.connected && p->callee.connected)
        p->t_connected = t;
    if (!p->t_open && p->caller.open && p->callee.open)
        p->t_open = t;
    pthread_cond_broadcast(&cond);
}

static void on_connection(peerc_pc *pc, peerc_connection_state st, void *ud)
{
    side *s = ud;
    (void)pc;
    pthread_mutex_lock(&lock);
    if (st == PEERC_CONNECTION_CONNECTED) {
        s->connected = 1;
        check_ready(s->p);
    } else if (st == PEERC_CONNECTION_FAILED) {
        pair_fail(s->p, "connection failed");
    }
    pthread_mutex_unlock(&lock);
}

/* ------------------------------------------------------------ transfer */

typedef struct transfer {
    size_t size;        /* bytes per message */
    uint64_t count;     /* messages to send */
    uint64_t sent;      /* messages queued so far */
    uint64_t received;  /* messages received */
    uint64_t rx_bytes;
    uint64_t bad;       /* messages of the wrong length */
    double t_start, t_last, max_gap;
    int send_error;
    int stalled;
    int active;
} transfer;

static transfer xfer;
/* Only one thread pumps at a time.  The worker only try-locks: it must not
 * wait for the main thread, whose sends in turn wait for the worker.  The
 * main thread stops pumping only at high water or at the end, so a skipped
 * buffered_amount_low is followed by another crossing. */
static pthread_mutex_t pump_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *payload;

static void pump_locked(peerc_dc *dc)
{
    uint64_t buffered = 0;
    int rc;
    while (xfer.active && xfer.sent < xfer.count &&
           peerc_dc_buffered_amount(dc, &buffered) == PEERC_OK && buffered < opt_high) {
        rc = peerc_dc_send_binary(dc, payload, xfer.size);
        if (rc != PEERC_OK) {
            pthread_mutex_lock(&lock);
            xfer.send_error = rc;
            pthread_cond_broadcast(&cond);
            pthread_mutex_unlock(&lock);
            break;
        }
        xfer.sent++;
    }
}

static void on_low(peerc_dc *dc, void *ud)
{
    (void)ud;
    if (pthread_mutex_trylock(&pump_lock) != 0)
        return;
    pump_locked(dc);
    pthread_mutex_unlock(&pump_lock);
}

/* The sender's message callback: the main thread's "go". */
static void on_go(peerc_dc *dc, const uint8_t *data, size_t len, int32_t is_binary, void *ud)
{
    (void)data, (void)len, (void)is_binary, (void)ud;
    on_low(dc, NULL);
}

static void on_message(peerc_dc *dc, const uint8_t *data, size_t len, int32_t is_binary,
                       void *ud)
{
    double t = now_ms();
    (void)dc, (void)data, (void)is_binary, (void)ud;
    pthread_mutex_lock(&lock);
    if (xfer.active) {
        if (xfer.received && t - xfer.t_last > xfer.max_gap)
            xfer.max_gap = t - xfer.t_last;
        xfer.t_last = t;
        xfer.received++;
        xfer.rx_bytes += len;
        if (len != xfer.size)
            xfer.bad++;
        if (xfer.received == xfer.count)
            pthread_cond_broadcast(&cond);
    }
    pthread_mutex_unlock(&lock);
}

static void on_dc_open(peerc_dc *dc, void *ud)
{
    side *s = ud;
    (void)dc;
    pthread_mutex_lock(&lock);
    s->open = 1;
    check_ready(s->p);
    pthread_mutex_unlock(&lock);
}

static void on_dc_error(peerc_dc *dc, int code, const char *message, void *ud)
{
    side *s = ud;
    char buf[200];
    (void)dc;
    snprintf(buf, sizeof buf, "channel error %d: %s", code, message ? message : "");
    pthread_mutex_lock(&lock);
    pair_fail(s->p, buf);
    pthread_mutex_unlock(&lock);
}

static void on_data_channel(peerc_pc *pc, peerc_dc *dc, void *ud)
{
    side *s = ud;
    peerc_dc_callbacks cbs;
    (void)pc;
    peerc_dc_callbacks_init(&cbs);
    cbs.open = on_dc_open;
    cbs.message = on_message;
    cbs.error = on_dc_error;
    pthread_mutex_lock(&lock);
    s->p->rx = dc;
    pthread_mutex_unlock(&lock);
    peerc_dc_set_callbacks(dc, &cbs, s);
    /* A channel announced open by DCEP may already be open here. */
    if (peerc_dc_ready_state(dc) == PEERC_DC_OPEN)
        on_dc_open(dc, s);
}

static int side_new(peerc_ctx *ctx, side *s)
{
    peerc_pc_config cfg;
    peerc_pc_callbacks cbs;
    peerc_pc_config_init(&cfg);
    cfg.local_addresses = "127.0.0.1";
    cfg.enable_ipv6 = 0;
    cfg.enable_ice_tcp = 0;
    peerc_pc_callbacks_init(&cbs);
    cbs.negotiation_needed = on_negotiation_needed;
    cbs.local_description = on_local_description;
    cbs.ice_candidate = on_ice_candidate;
    cbs.connection_state_change = on_connection;
    cbs.data_channel = on_data_channel;
    return peerc_pc_new(ctx, &cfg, &cbs, s, &s->pc);
}

/* Apply queued signalling (main thread; lock held on entry and exit). */
static void drain_signalling(pair *p)
{
    while (sig_head) {
        sig_msg *m = sig_head;
        int rc = PEERC_OK;
        char *sdp = NULL;
        sig_head = m->next;
        if (!sig_head)
            sig_tail = &sig_head;
        pthread_mutex_unlock(&lock);
        switch (m->kind) {
        case SIG_NEGOTIATE:
            rc = peerc_pc_create_offer(m->from, NULL, &sdp);
            if (rc == PEERC_OK)
                rc = peerc_pc_set_local_description(m->from, PEERC_SDP_OFFER, sdp);
            break;
        case SIG_DESCRIPTION:
            rc = peerc_pc_set_remote_description(m->to, m->type, m->text);
            if (rc == PEERC_OK && m->type == PEERC_SDP_OFFER) {
                rc = peerc_pc_create_answer(m->to, &sdp);
                if (rc == PEERC_OK)
                    rc = peerc_pc_set_local_description(m->to, PEERC_SDP_ANSWER, sdp);
            }
            break;
        case SIG_CANDIDATE:
            rc = peerc_pc_add_ice_candidate(m->to, m->text, m->mid, m->index);
            break;
        }
        pthread_mutex_lock(&lock);
        if (rc != PEERC_OK && p) {
            char buf[256];
            snprintf(buf, sizeof buf, "signalling step %d: %s: %s", (int)m->kind,
                     peerc_strerror(rc), peerc_pc_last_error(m->kind == SIG_NEGOTIATE ? m->from : m->to));
            pair_fail(p, buf);
        }
        peerc_free(sdp);
        free(m->text);
        free(m->mid);
        free(m);
    }
}

/* Wait (lock held) until *flag is set, the pair fails or the deadline
 * passes, handling signalling meanwhile.  Returns 1 when the flag is set. */
static int wait_for(pair *p, int (*done)(pair *), double deadline_ms)
{
    for (;;) {
        drain_signalling(p);
        if (done(p))
            return 1;
        if (p->failed || now_ms() > deadline_ms)
            return 0;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&cond, &lock, &ts);
    }
}

static int is_open(pair *p)
{
    return p->t_open != 0 && p->t_connected != 0;
}

/* Finished, failed, or nothing received for --stall seconds. */
static int is_transfer_over(pair *p)
{
    double last = xfer.received ? xfer.t_last : xfer.t_start;
    (void)p;
    if (xfer.received < xfer.count && now_ms() - last > opt_stall * 1e3)
        xfer.stalled = 1;
    return xfer.received >= xfer.count || xfer.send_error || xfer.stalled;
}

static peerc_ctx *ctx_a, *ctx_b;

/* Create a pair and wait until its channel is open on both sides. */
static int pair_connect(pair *p)
{
    peerc_dc_callbacks dcb;
    peerc_dc_options opts;
    int ok, rc;
    memset(p, 0, sizeof *p);
    p->caller.p = p->callee.p = p;
    p->caller.other = &p->callee;
    p->callee.other = &p->caller;
    if ((rc = side_new(ctx_a, &p->caller)) != PEERC_OK ||
        (rc = side_new(ctx_b, &p->callee)) != PEERC_OK) {
        snprintf(p->error, sizeof p->error, "peerc_pc_new: %s", peerc_strerror(rc));
        return 0;
    }
    peerc_dc_callbacks_init(&dcb);
    dcb.open = on_dc_open;
    dcb.buffered_amount_low = on_low;
    dcb.message = on_go;
    dcb.error = on_dc_error;
    peerc_dc_options_init(&opts);
    opts.callbacks = &dcb;
    opts.user_data = &p->caller;
    pthread_mutex_lock(&lock);
    p->t0 = now_ms();
    pthread_mutex_unlock(&lock);
    rc = peerc_pc_create_data_channel(p->caller.pc, "bench", &opts, &p->tx);
    if (rc != PEERC_OK) {
        snprintf(p->error, sizeof p->error, "create_data_channel: %s",
                 peerc_pc_last_error(p->caller.pc));
        return 0;
    }
    peerc_dc_set_buffered_amount_low_threshold(p->tx, opt_low);
    pthread_mutex_lock(&lock);
    ok = wait_for(p, is_open, now_ms() + opt_timeout * 1e3);
    if (!ok && !p->failed)
        snprintf(p->error, sizeof p->error, "not open after %d s", opt_timeout);
    pthread_mutex_unlock(&lock);
    return ok;
}

static void pair_free(pair *p)
{
    peerc_dc_free(p->tx);
    peerc_pc_free(p->caller.pc);
    peerc_pc_free(p->callee.pc);
    pthread_mutex_lock(&lock);
    peerc_dc *rx = p->rx;
    p->rx = NULL;
    /* Signalling still queued for these pcs is stale now. */
    while (sig_head) {
        sig_msg *m = sig_head;
        sig_head = m->next;
        free(m->text);
        free(m->mid);
        free(m);
    }
    sig_tail = &sig_head;
    pthread_mutex_unlock(&lock);
    peerc_dc_free(rx);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* On stderr: what each side has seen, for a run that did not finish. */
static void dump_state(pair *p)
{
    side *sides[2] = {&p->caller, &p->callee};
    uint64_t buffered = 0;
    peerc_dc_buffered_amount(p->tx, &buffered);
    fprintf(stderr, "# stalled: sent %" PRIu64 " of %" PRIu64 ", received %" PRIu64
            ", sender buffered_amount %" PRIu64 "\n",
            xfer.sent, xfer.count, xfer.received, buffered);
    for (int i = 0; i < 2; i++) {
        peerc_transport_stats st;
        peerc_transport_stats_init(&st);
        if (peerc_pc_get_transport_stats(sides[i]->pc, &st) != PEERC_OK)
            continue;
        fprintf(stderr,
                "# %s: %s, packets sent %" PRIu64 " received %" PRIu64 ", messages sent %" PRIu64
                " received %" PRIu64 ", sctp rtt %.1f ms\n",
                i ? "callee" : "caller", peerc_connection_state_to_string(
                                             peerc_pc_connection_state(sides[i]->pc)),
                st.packets_sent, st.packets_received, st.messages_sent, st.messages_received,
                st.sctp_rtt_ms);
    }
}

/* Print one transfer's figures; test is "throughput" or "small". */
static void run_transfer(pair *p, const char *test, size_t size, uint64_t count)
{
    double c0, c1, wall, deadline;
    int done, rc;
    payload = malloc(size);
    for (size_t i = 0; i < size; i++)
        payload[i] = (uint8_t)(i * 7);

    /* pump_lock first: a late buffered_amount_low of the previous run must
     * not see a half-initialised transfer. */
    pthread_mutex_lock(&pump_lock);
    pthread_mutex_lock(&lock);
    memset(&xfer, 0, sizeof xfer);
    xfer.size = size;
    xfer.count = count;
    xfer.active = 1;
    xfer.t_start = now_ms();
    pthread_mutex_unlock(&lock);
    c0 = cpu_ms();
    if (opt_app_send) {
        pump_locked(p->tx);
        pthread_mutex_unlock(&pump_lock);
    } else {
        static const uint8_t go[2] = {'g', 'o'};
        pthread_mutex_unlock(&pump_lock);
        rc = peerc_dc_send_binary(p->rx, go, sizeof go);
        if (rc != PEERC_OK) {
            pthread_mutex_lock(&lock);
            xfer.send_error = rc;
            pthread_mutex_unlock(&lock);
        }
    }

    pthread_mutex_lock(&lock);
    deadline = xfer.t_start + opt_timeout * 1e3;
    done = wait_for(p, is_transfer_over, deadline) && !xfer.send_error && !xfer.stalled &&
           xfer.received == xfer.count;
    xfer.active = 0;
    c1 = cpu_ms();
    wall = (done ? xfer.t_last : now_ms()) - xfer.t_start;
    printf("{\"stack\":\"%s\",\"test\":\"%s\",\"size\":%zu,\"messages\":%" PRIu64
           ",\"received\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"seconds\":%.3f",
           opt_stack, test, size, count, xfer.received, xfer.rx_bytes, wall / 1e3);
    if (done) {
        printf(",\"mbps\":%.2f,\"msgps\":%.0f", xfer.rx_bytes / 1e3 / wall,
               xfer.received * 1e3 / wall);
    }
    printf(",\"cpu_pct\":%.0f,\"max_gap_ms\":%.1f,\"bad\":%" PRIu64 ",\"complete\":%s",
           100.0 * (c1 - c0) / wall, xfer.max_gap, xfer.bad, done ? "true" : "false");
    if (xfer.stalled)
        printf(",\"stalled\":true,\"error\":\"nothing received for %d s\"", opt_stall);
    else if (xfer.send_error)
        printf(",\"error\":\"send: %s\"", peerc_strerror(xfer.send_error));
    else if (p->failed)
        printf(",\"error\":\"%s\"", p->error);
    printf("}\n");
    pthread_mutex_unlock(&lock);

    /* Nothing may pump once inactive; take pump_lock so a running on_low is
     * finished before the payload goes. */
    pthread_mutex_lock(&pump_lock);
    free(payload);
    payload = NULL;
    pthread_mutex_unlock(&pump_lock);

    /* Let the receiver drain what is still in flight from an incomplete
     * run before the next one starts counting. */
    if (!done) {
        dump_state(p);
        uint64_t b = 1;
        double until = now_ms() + 5e3;
        while (now_ms() < until && peerc_dc_buffered_amount(p->tx, &b) == PEERC_OK && b)
            nanosleep(&(struct timespec){0, 20000000L}, NULL);
    }
}

static void usage(void)
{
    fprintf(stderr,
            "usage: dc-throughput [--bytes N] [--sizes 1024,16384,65536] [--small-count N]\n"
            "       [--small-size N] [--connects N] [--high N] [--low N] [--timeout S] [--stall S]\n"
            "       [--two-ctx] [--app-send] [--stack NAME]\n");
    exit(2);
}

static void parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--two-ctx")) {
            opt_two_ctx = 1;
            continue;
        }
        if (!strcmp(a, "--app-send")) {
            opt_app_send = 1;
            continue;
        }
        if (!v)
            usage();
        i++;
        if (!strcmp(a, "--bytes"))
            opt_bytes = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--sizes")) {
            char *copy = strdup(v), *save = NULL;
            opt_n_sizes = 0;
            for (char *t = strtok_r(copy, ",", &save); t && opt_n_sizes < 8;
                 t = strtok_r(NULL, ",", &save))
                opt_sizes[opt_n_sizes++] = strtoull(t, NULL, 10);
            free(copy);
        } else if (!strcmp(a, "--small-count"))
            opt_small_count = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--small-size"))
            opt_small_size = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--connects"))
            opt_connects = atoi(v);
        else if (!strcmp(a, "--high"))
            opt_high = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--low"))
            opt_low = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--timeout"))
            opt_timeout = atoi(v);
        else if (!strcmp(a, "--stall"))
            opt_stall = atoi(v);
        else if (!strcmp(a, "--stack"))
            opt_stack = v;
        else
            usage();
    }
    if (opt_connects < 1 || opt_timeout < 1 || opt_stall < 1 || opt_low >= opt_high)
        usage();
}

int main(int argc, char **argv)
{
    pair p;
    double connect_ms[64], open_ms[64];
    int n = 0, rc;
    parse_args(argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    fprintf(stderr, "%s: peerc %s, %s ctx, sending from the %s\n", opt_stack,
            peerc_version_string(), opt_two_ctx ? "two" : "one",
            opt_app_send ? "main thread" : "worker (callbacks)");
    if (opt_connects > 64)
        opt_connects = 64;

    if ((rc = peerc_ctx_new(&ctx_a)) != PEERC_OK) {
        fprintf(stderr, "peerc_ctx_new: %s\n", peerc_strerror(rc));
        return 1;
    }
    ctx_b = ctx_a;
    if (opt_two_ctx && (rc = peerc_ctx_new(&ctx_b)) != PEERC_OK) {
        fprintf(stderr, "peerc_ctx_new: %s\n", peerc_strerror(rc));
        return 1;
    }

    /* Fresh pairs for the connect figure; the last one carries the data. */
    for (int i = 0; i < opt_connects; i++) {
        int ok = pair_connect(&p);
        if (!ok) {
            printf("{\"stack\":\"%s\",\"test\":\"connect\",\"complete\":false,\"error\":\"%s\"}\n",
                   opt_stack, p.error);
            pair_free(&p);
            peerc_ctx_free(ctx_a);
            if (ctx_b != ctx_a)
                peerc_ctx_free(ctx_b);
            return 1;
        }
        connect_ms[n] = p.t_connected - p.t0;
        open_ms[n] = p.t_open - p.t0;
        n++;
        if (i + 1 < opt_connects)
            pair_free(&p);
    }
    {
        double sc[64], so[64];
        memcpy(sc, connect_ms, n * sizeof *sc);
        memcpy(so, open_ms, n * sizeof *so);
        qsort(sc, n, sizeof *sc, cmp_double);
        qsort(so, n, sizeof *so, cmp_double);
        printf("{\"stack\":\"%s\",\"test\":\"connect\",\"runs\":%d,\"connected_ms\":%.1f,"
               "\"open_ms\":%.1f,\"samples_ms\":[",
               opt_stack, n, sc[n / 2], so[n / 2]);
        for (int i = 0; i < n; i++)
            printf("%s%.1f", i ? "," : "", connect_ms[i]);
        printf("],\"open_samples_ms\":[");
        for (int i = 0; i < n; i++)
            printf("%s%.1f", i ? "," : "", open_ms[i]);
        printf("],\"complete\":true}\n");
    }

    for (size_t i = 0; i < opt_n_sizes; i++) {
        uint64_t count = opt_bytes / opt_sizes[i];
        run_transfer(&p, "throughput", opt_sizes[i], count ? count : 1);
    }
    if (opt_small_count)
        run_transfer(&p, "small", opt_small_size, opt_small_count);

    pair_free(&p);
    peerc_ctx_free(ctx_a);
    if (ctx_b != ctx_a)
        peerc_ctx_free(ctx_b);
    return 0;
}

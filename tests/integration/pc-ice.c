/*
 * ICE scenarios end to end, each connecting one ending with a data channel
 * open and a message each way: ICE-TCP only (RFC 6544), IPv6 loopback, TURN
 * relays over UDP, TCP and turns: (RFC 8656; coturn started by the test),
 * STUN (coturn, and a fake NAT that maps us to 127.0.0.2), wrong TURN
 * credentials, consent freshness (RFC 7675) when the peer stops answering,
 * what a turns: client puts on the wire, and remote end-of-candidates with
 * every candidate lost on the way.  The last two take 20 s and 39.5 s (RFC
 * 8863 PAC timer), so they start first and are checked last; the whole
 * program takes ~40 s.
 *
 * Why not the harness's h_side_init: it fixes the configuration (127.0.0.1,
 * no ICE servers) and signals synchronously from inside callbacks.  Here each
 * pc runs on its own peerc_ctx (the consent case must freeze one worker), and
 * a synchronous call from one worker into the other pc waits for that
 * other worker: two workers doing so at once would deadlock.  So callbacks
 * only queue signalling messages, and the test thread delivers them while
 * it waits, like a real signalling channel.
 *
 * Only loopback addresses are used (127.0.0.1, 127.0.0.2, ::1).  coturn
 * (Debian package coturn) is installed by scripts/check; without
 * /usr/bin/turnserver the TURN cases fail.  PEERC_ICE_ONLY=consent
 * (or tcp, ipv6, turn, stun, tlscheck, eoc; comma-separated) runs a subset;
 * PEERC_KEEP_TURN_LOG=1 keeps coturn's log.
 */
#include "harness.h"
#include "tap.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define TURN_BIN "/usr/bin/turnserver"
#define TURN_USER "u"
#define TURN_PASS "p"
#define MAX_EVENTS 32
#define MAX_CANDS 32

/* ------------------------------------------------------------ recording */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;

typedef struct peer peer;

typedef struct chan {
    peer *p;
    peerc_dc *dc;
    int open, msgs;
    char last[128];
} chan;

struct peer {
    const char *name;
    peerc_ctx *ctx;
    peerc_pc *pc;
    peer *other;
    int offerer;
    int drop_candidates;   /* lose every candidate on the way to the peer */
    int freeze;            /* block the worker in the next message callback */
    int frozen;            /* the worker is blocked right now */
    int ice[MAX_EVENTS], n_ice;
    double ice_t[MAX_EVENTS];
    int conn[MAX_EVENTS], n_conn;
    double conn_t[MAX_EVENTS];
    int gathering_complete, end_of_candidates;
    char cands[MAX_CANDS][256];
    int n_cands, dropped;
    int eoc_delivered, eoc_rc;
    int errors;            /* signalling calls that failed */
    double t0;             /* when the pair was created */
    chan local, remote;
};

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
    va_list ap;
    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

/* A known library bug: "not ok ... # TODO" (automake: XFAIL) while it
 * lasts, "ok ... # TODO" (XPASS, a failure) once fixed. */
static void todo_ok(int pass, const char *why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void todo_ok(int pass, const char *why, const char *fmt, ...)
{
    va_list ap;
    printf("%sok %d - ", pass ? "" : "not ", ++tap_count_);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(" # TODO %s\n", why);
    fflush(stdout);
}

/* ------------------------------------------------- queued signalling */

enum { MSG_NEGOTIATE, MSG_SDP, MSG_CANDIDATE, MSG_END_OF_CANDIDATES };

typedef struct sig_msg {
    struct sig_msg *next;
    int kind;
    peer *to;
    peerc_sdp_type type;
    char *text, *mid;
    int idx;
} sig_msg;

static sig_msg *q_head, **q_tail = &q_head;

/* Called with mu held. */
static void enqueue(int kind, peer *to, peerc_sdp_type type, const char *text, const char *mid,
                    int idx)
{
    sig_msg *m = calloc(1, sizeof *m);
    m->kind = kind;
    m->to = to;
    m->type = type;
    m->text = text ? strdup(text) : NULL;
    m->mid = mid ? strdup(mid) : NULL;
    m->idx = idx;
    *q_tail = m;
    q_tail = &m->next;
    pthread_cond_broadcast(&cv);
}

static void free_msg(sig_msg *m)
{
    free(m->text);
    free(m->mid);
    free(m);
}

static void flush_queue(void)
{
    pthread_mutex_lock(&mu);
    while (q_head) {
        sig_msg *m = q_head;
        q_head = m->next;
        free_msg(m);
    }
    q_tail = &q_head;
    pthread_mutex_unlock(&mu);
}

/* Runs on the test thread without mu. */
static void deliver(sig_msg *m)
{
    peer *to = m->to;
    int rc = PEERC_OK;
    switch (m->kind) {
    case MSG_NEGOTIATE:
        rc = peerc_pc_set_local_description(to->pc, PEERC_SDP_OFFER, NULL);
        break;
    case MSG_SDP:
        rc = peerc_pc_set_remote_description(to->pc, m->type, m->text);
        if (rc == PEERC_OK && m->type == PEERC_SDP_OFFER)
            rc = peerc_pc_set_local_description(to->pc, PEERC_SDP_ANSWER, NULL);
        break;
    case MSG_CANDIDATE:
        rc = peerc_pc_add_ice_candidate(to->pc, m->text, m->mid, m->idx);
        break;
    case MSG_END_OF_CANDIDATES:
        rc = peerc_pc_add_ice_candidate(to->pc, NULL, m->mid, m->idx);
        pthread_mutex_lock(&mu);
        to->eoc_delivered++;
        to->eoc_rc = rc;
        pthread_mutex_unlock(&mu);
        break;
    }
    if (rc != PEERC_OK) {
        note("%s: signalling message %d failed: %s (%s)", to->name, m->kind, peerc_strerror(rc),
             peerc_pc_last_error(to->pc));
        pthread_mutex_lock(&mu);
        to->errors++;
        pthread_mutex_unlock(&mu);
    }
}

/* Wait until cond() holds (checked under mu), delivering signalling
 * meanwhile.  1 if it held within timeout_ms. */
static int wait_for(int (*cond)(void *), void *arg, int timeout_ms)
{
    double end = h_now_ms() + timeout_ms;
    pthread_mutex_lock(&mu);
    for (;;) {
        while (q_head) {
            sig_msg *m = q_head;
            int frozen = m->to->frozen;
            q_head = m->next;
            if (!q_head)
                q_tail = &q_head;
            pthread_mutex_unlock(&mu);
            if (!frozen) /* a call into a blocked worker would wait forever */
                deliver(m);
            free_msg(m);
            pthread_mutex_lock(&mu);
        }
        if (cond(arg)) {
            pthread_mutex_unlock(&mu);
            return 1;
        }
        double now = h_now_ms();
        if (now >= end) {
            pthread_mutex_unlock(&mu);
            return 0;
        }
        double until = now + 50 < end ? now + 50 : end;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        long long ns = ts.tv_nsec + (long long)((until - now) * 1e6);
        ts.tv_sec += ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&cv, &mu, &ts);
    }
}

/* ------------------------------------------------------- pc callbacks */

static void on_ice(peerc_pc *pc, peerc_ice_connection_state st, void *ud)
{
    peer *p = ud;
    pthread_mutex_lock(&mu);
    if (p->n_ice < MAX_EVENTS) {
        p->ice_t[p->n_ice] = h_now_ms();
        p->ice[p->n_ice++] = st;
    }
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static void on_conn(peerc_pc *pc, peerc_connection_state st, void *ud)
{
    peer *p = ud;
    pthread_mutex_lock(&mu);
    if (p->n_conn < MAX_EVENTS) {
        p->conn_t[p->n_conn] = h_now_ms();
        p->conn[p->n_conn++] = st;
    }
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static void on_gathering(peerc_pc *pc, peerc_ice_gathering_state st, void *ud)
{
    peer *p = ud;
    pthread_mutex_lock(&mu);
    if (st == PEERC_ICE_GATHERING_COMPLETE)
        p->gathering_complete++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static void on_candidate(peerc_pc *pc, const char *cand, const char *mid, int32_t idx, void *ud)
{
    peer *p = ud;
    pthread_mutex_lock(&mu);
    if (!cand) {
        p->end_of_candidates++;
        enqueue(MSG_END_OF_CANDIDATES, p->other, 0, NULL, mid, idx);
    } else {
        if (p->n_cands < MAX_CANDS)
            snprintf(p->cands[p->n_cands++], sizeof p->cands[0], "%s", cand);
        if (p->drop_candidates)
            p->dropped++;
        else
            enqueue(MSG_CANDIDATE, p->other, 0, cand, mid, idx);
    }
    pthread_mutex_unlock(&mu);
}

static void on_negotiation_needed(peerc_pc *pc, void *ud)
{
    peer *p = ud;
    pthread_mutex_lock(&mu);
    if (p->offerer)
        enqueue(MSG_NEGOTIATE, p, 0, NULL, NULL, 0);
    pthread_mutex_unlock(&mu);
}

/* Candidates inside the SDP are lost as well when the side drops them. */
static char *strip_candidates(const char *sdp)
{
    char *out = malloc(strlen(sdp) + 1), *w = out;
    const char *line = sdp;
    while (*line) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line + 1) : strlen(line);
        if (strncmp(line, "a=candidate:", 12) != 0) {
            memcpy(w, line, len);
            w += len;
        }
        line += len;
    }
    *w = 0;
    return out;
}

static void on_local_description(peerc_pc *pc, peerc_sdp_type type, const char *sdp, void *ud)
{
    peer *p = ud;
    pthread_mutex_lock(&mu);
    if (p->drop_candidates) {
        char *s = strip_candidates(sdp);
        enqueue(MSG_SDP, p->other, type, s, NULL, 0);
        free(s);
    } else {
        enqueue(MSG_SDP, p->other, type, sdp, NULL, 0);
    }
    pthread_mutex_unlock(&mu);
}

/* ------------------------------------------------------- dc callbacks */

static void dc_open(peerc_dc *dc, void *ud)
{
    chan *c = ud;
    pthread_mutex_lock(&mu);
    c->open++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static void dc_message(peerc_dc *dc, const uint8_t *data, size_t len, int32_t is_binary,
                       void *ud)
{
    chan *c = ud;
    peer *p = c->p;
    pthread_mutex_lock(&mu);
    c->msgs++;
    snprintf(c->last, sizeof c->last, "%.*s", (int)len, (const char *)data);
    pthread_cond_broadcast(&cv);
    if (p->freeze) {
        /* Stop this worker: no more ICE, DTLS or SCTP for this pc, so its
         * peer's consent checks go unanswered.  A deadline keeps a broken
         * run from hanging. */
        double end = h_now_ms() + 45000;
        p->frozen = 1;
        pthread_cond_broadcast(&cv);
        while (p->freeze && h_now_ms() < end) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_nsec += 100 * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&cv, &mu, &ts);
        }
        p->freeze = 0;
        p->frozen = 0;
    }
    pthread_mutex_unlock(&mu);
}

static void fill_dc_callbacks(peerc_dc_callbacks *cbs)
{
    peerc_dc_callbacks_init(cbs);
    cbs->open = dc_open;
    cbs->message = dc_message;
}

static void on_data_channel(peerc_pc *pc, peerc_dc *dc, void *ud)
{
    peer *p = ud;
    peerc_dc_callbacks cbs;
    fill_dc_callbacks(&cbs);
    pthread_mutex_lock(&mu);
    if (p->remote.dc) {
        pthread_mutex_unlock(&mu);
        peerc_dc_free(dc);
        return;
    }
    p->remote.p = p;
    p->remote.dc = dc;
    pthread_mutex_unlock(&mu);
    peerc_dc_set_callbacks(dc, &cbs, &p->remote);
}

/* ------------------------------------------------------------ set up */

typedef struct side_cfg {
    const char *local_addresses; /* default "127.0.0.1" */
    int no_udp, no_tcp;
    const peerc_ice_server *servers;
    size_t n_servers;
    int relay;
    int drop_candidates;
} side_cfg;

static int peer_init(peer *p, const char *name, const side_cfg *sc)
{
    peerc_pc_config cfg;
    peerc_pc_callbacks cbs;
    int rc;
    memset(p, 0, sizeof *p);
    p->name = name;
    p->drop_candidates = sc->drop_candidates;
    p->local.p = p;
    p->remote.p = p;
    rc = peerc_ctx_new(&p->ctx);
    if (rc != PEERC_OK)
        return rc;
    peerc_pc_config_init(&cfg);
    cfg.local_addresses = sc->local_addresses ? sc->local_addresses : "127.0.0.1";
    if (sc->no_udp)
        cfg.enable_ice_udp = 0;
    if (sc->no_tcp)
        cfg.enable_ice_tcp = 0;
    cfg.ice_servers = sc->servers;
    cfg.n_ice_servers = sc->n_servers;
    if (sc->relay)
        cfg.ice_transport_policy = PEERC_ICE_TRANSPORT_POLICY_RELAY;
    peerc_pc_callbacks_init(&cbs);
    cbs.ice_connection_state_change = on_ice;
    cbs.connection_state_change = on_conn;
    cbs.ice_gathering_state_change = on_gathering;
    cbs.ice_candidate = on_candidate;
    cbs.negotiation_needed = on_negotiation_needed;
    cbs.local_description = on_local_description;
    cbs.data_channel = on_data_channel;
    rc = peerc_pc_new(p->ctx, &cfg, &cbs, p, &p->pc);
    if (rc != PEERC_OK)
        note("%s: peerc_pc_new: %s", name, peerc_strerror(rc));
    return rc;
}

/* Two pcs on two ctxs; a offers with one data channel.  PEERC_OK or the
 * first error. */
static int start_pair(peer *a, peer *b, const side_cfg *ca, const side_cfg *cb)
{
    peerc_dc_options opts;
    peerc_dc_callbacks cbs;
    peerc_dc *dc = NULL;
    int rc;
    double t0 = h_now_ms();
    memset(b, 0, sizeof *b); /* stop_pair works whatever failed */
    rc = peer_init(a, "a", ca);
    if (rc == PEERC_OK)
        rc = peer_init(b, "b", cb);
    if (rc != PEERC_OK)
        return rc;
    a->other = b;
    b->other = a;
    a->offerer = 1;
    a->t0 = b->t0 = t0;
    fill_dc_callbacks(&cbs);
    peerc_dc_options_init(&opts);
    opts.callbacks = &cbs;
    opts.user_data = &a->local;
    rc = peerc_pc_create_data_channel(a->pc, "ice", &opts, &dc);
    pthread_mutex_lock(&mu);
    a->local.dc = dc;
    pthread_mutex_unlock(&mu);
    return rc;
}

static void stop_pair(peer *a, peer *b)
{
    peer *ps[2] = {a, b};
    pthread_mutex_lock(&mu);
    a->freeze = b->freeze = 0;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < 2; i++) {
        if (ps[i]->local.dc)
            peerc_dc_free(ps[i]->local.dc);
        if (ps[i]->remote.dc)
            peerc_dc_free(ps[i]->remote.dc);
        peerc_pc_free(ps[i]->pc);
    }
    for (int i = 0; i < 2; i++)
        peerc_ctx_free(ps[i]->ctx);
    flush_queue();
}

/* --------------------------------------------------------- conditions */

static int last_is(const int *v, int n, int want)
{
    return n > 0 && v[n - 1] == want;
}

static int has(const int *v, int n, int want)
{
    for (int i = 0; i < n; i++)
        if (v[i] == want)
            return 1;
    return 0;
}

static int index_of(const int *v, int n, int want)
{
    for (int i = 0; i < n; i++)
        if (v[i] == want)
            return i;
    return -1;
}

static int cond_connected(void *arg)
{
    peer *a = arg, *b = a->other;
    return last_is(a->conn, a->n_conn, PEERC_CONNECTION_CONNECTED) &&
           last_is(b->conn, b->n_conn, PEERC_CONNECTION_CONNECTED);
}

/* Either side ended: no point waiting for connected any longer. */
static int cond_connected_or_failed(void *arg)
{
    peer *a = arg, *b = a->other;
    return cond_connected(arg) || has(a->conn, a->n_conn, PEERC_CONNECTION_FAILED) ||
           has(b->conn, b->n_conn, PEERC_CONNECTION_FAILED) || a->errors || b->errors;
}

static int cond_open(void *arg)
{
    peer *a = arg;
    return a->local.open && a->other->remote.open;
}

static int cond_msg_b(void *arg)
{
    peer *a = arg;
    return a->other->remote.msgs > 0;
}

static int cond_msg_a(void *arg)
{
    peer *a = arg;
    return a->local.msgs > 0;
}

static int cond_ice_failed(void *arg)
{
    peer *p = arg;
    return has(p->ice, p->n_ice, PEERC_ICE_CONNECTION_FAILED);
}

static int cond_both_ice_failed(void *arg)
{
    peer *a = arg;
    return cond_ice_failed(a) && cond_ice_failed(a->other);
}

static int cond_both_gathered(void *arg)
{
    peer *a = arg;
    return a->gathering_complete && a->other->gathering_complete;
}

static int cond_conn_failed(void *arg)
{
    peer *p = arg;
    return last_is(p->conn, p->n_conn, PEERC_CONNECTION_FAILED);
}

static int cond_both_eoc(void *arg)
{
    peer *a = arg;
    return a->end_of_candidates && a->other->end_of_candidates;
}

static int cond_both_conn_failed(void *arg)
{
    peer *a = arg, *b = a->other;
    return last_is(a->conn, a->n_conn, PEERC_CONNECTION_FAILED) &&
           last_is(b->conn, b->n_conn, PEERC_CONNECTION_FAILED);
}

static int cond_frozen(void *arg)
{
    peer *p = arg;
    return p->frozen;
}

/* -------------------------------------------------------------- checks */

static void describe_states(const peer *p)
{
    char line[512] = "";
    for (int i = 0; i < p->n_ice; i++)
        snprintf(line + strlen(line), sizeof line - strlen(line), "%s@%.0f ",
                 peerc_ice_connection_state_to_string(p->ice[i]), p->ice_t[i] - p->t0);
    note("  %s ice: %s", p->name, line);
    line[0] = 0;
    for (int i = 0; i < p->n_conn; i++)
        snprintf(line + strlen(line), sizeof line - strlen(line), "%s@%.0f ",
                 peerc_connection_state_to_string(p->conn[i]), p->conn_t[i] - p->t0);
    note("  %s connection: %s", p->name, line);
}

static void describe_candidates(const peer *p)
{
    for (int i = 0; i < p->n_cands; i++)
        note("  %s candidate: %s", p->name, p->cands[i]);
}

/* Count gathered candidates of a type ("host", "srflx", "relay") and
 * protocol ("udp", "tcp", NULL = any). */
static int count_candidates(const peer *p, const char *type, const char *proto)
{
    int n = 0;
    for (int i = 0; i < p->n_cands; i++) {
        char pr[16], ty[16];
        if (sscanf(p->cands[i], "candidate:%*s %*s %15s %*s %*s %*s typ %15s", pr, ty) != 2)
            continue;
        if ((!type || strcmp(ty, type) == 0) && (!proto || strcasecmp(pr, proto) == 0))
            n++;
    }
    return n;
}

static void get_stats(peer *p, peerc_transport_stats *st)
{
    peerc_transport_stats_init(st);
    if (peerc_pc_get_transport_stats(p->pc, st) != PEERC_OK)
        note("%s: get_transport_stats failed", p->name);
    note("  %s selected: %s %s %s:%u -> %s %s %s:%u", p->name, st->local_candidate_type,
         st->local_protocol, st->local_address, st->local_port, st->remote_candidate_type,
         st->remote_protocol, st->remote_address, st->remote_port);
}

/* Wait for connected, then the channel open and a message each way.
 * Returns 1 when all of it happened; reports each step. */
static int connect_and_talk(const char *what, peer *a, peer *b, int timeout_ms)
{
    int connected = wait_for(cond_connected_or_failed, a, timeout_ms) && cond_connected(a);
    double t = h_now_ms() - a->t0;
    int all = 1;
    if (!ok(connected, "%s: both pcs connected", what)) {
        describe_states(a);
        describe_states(b);
        describe_candidates(a);
        describe_candidates(b);
        return 0;
    }
    note("%s: time to connected %.1f ms", what, t);
    all &= ok(wait_for(cond_open, a, 10000), "%s: data channel open on both sides", what);
    peerc_dc_send_text(a->local.dc, "ping from a");
    all &= ok(wait_for(cond_msg_b, a, 10000) && strcmp(b->remote.last, "ping from a") == 0,
              "%s: message a -> b", what);
    if (b->remote.dc)
        peerc_dc_send_text(b->remote.dc, "pong from b");
    all &= ok(wait_for(cond_msg_a, a, 10000) && strcmp(a->local.last, "pong from b") == 0,
              "%s: message b -> a", what);
    is_int(a->errors + b->errors, 0, "%s: no signalling errors", what);
    return all;
}

/* ----------------------------------------------------------- loopback */

static int free_port(int type)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, type, 0), port = -1;
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

/* A port free for both UDP and TCP on 127.0.0.1 (coturn opens both). */
static int free_port_both(void)
{
    for (int tries = 0; tries < 20; tries++) {
        int port = free_port(SOCK_STREAM), fd;
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (port <= 0)
            continue;
        fd = socket(AF_INET, SOCK_DGRAM, 0);
        if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
            close(fd);
            return port;
        }
        if (fd >= 0)
            close(fd);
    }
    return -1;
}

static int ipv6_loopback_usable(void)
{
    struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    int fd = socket(AF_INET6, SOCK_DGRAM, 0), okay;
    if (fd < 0)
        return 0;
    okay = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return okay;
}

/* ------------------------------------------------------------- coturn */

typedef struct turn_server {
    pid_t pid;
    int port, tls_port;
    int have_tls;
    char dir[64], log[128], pidfile[128];
} turn_server;

static turn_server turn = {.pid = -1};

static void turn_kill_now(void)
{
    if (turn.pid > 0) {
        kill(turn.pid, SIGKILL);
        waitpid(turn.pid, NULL, 0);
        turn.pid = -1;
    }
}

static void on_alarm(int sig)
{
    static const char msg[] = "Bail out! pc-ice watchdog: the test ran too long\n";
    (void)sig;
    if (turn.pid > 0)
        kill(turn.pid, SIGKILL);
    if (write(1, msg, sizeof msg - 1) < 0) {
    }
    _exit(1);
}

/* A STUN Binding request to 127.0.0.1:port gets an answer (UDP listener up). */
static int stun_probe(int port)
{
    uint8_t req[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42}, resp[512];
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct pollfd pfd;
    int fd = socket(AF_INET, SOCK_DGRAM, 0), got = 0;
    if (fd < 0)
        return 0;
    for (int i = 8; i < 20; i++)
        req[i] = (uint8_t)rand();
    pfd.fd = fd;
    pfd.events = POLLIN;
    if (sendto(fd, req, sizeof req, 0, (struct sockaddr *)&sa, sizeof sa) == sizeof req &&
        poll(&pfd, 1, 100) == 1 && recv(fd, resp, sizeof resp, 0) >= 20)
        got = resp[0] == 0x01 && resp[1] == 0x01;
    close(fd);
    return got;
}

static int tcp_probe(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM, 0), okay;
    if (fd < 0)
        return 0;
    okay = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return okay;
}

static void turn_log_tail(int lines)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "tail -n %d %s | sed 's/^/#   coturn: /'", lines, turn.log);
    fflush(stdout);
    if (system(cmd) != 0) {
    }
}

/* How many log lines contain text (coturn logs one line per event). */
static int turn_log_count(const char *text)
{
    FILE *f = fopen(turn.log, "r");
    char line[1024];
    int n = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, text))
            n++;
    fclose(f);
    return n;
}

static int turn_start(void)
{
    char cmd[512], port[16], tls_port[16], cert[128], key[128], userdb[128];
    if (access(TURN_BIN, X_OK) != 0)
        return 0;
    snprintf(turn.dir, sizeof turn.dir, "/tmp/peerc-ice-XXXXXX");
    if (!mkdtemp(turn.dir))
        return 0;
    snprintf(turn.log, sizeof turn.log, "%s/turn.log", turn.dir);
    snprintf(turn.pidfile, sizeof turn.pidfile, "%s/turn.pid", turn.dir);
    snprintf(cert, sizeof cert, "%s/cert.pem", turn.dir);
    snprintf(key, sizeof key, "%s/key.pem", turn.dir);
    snprintf(userdb, sizeof userdb, "%s/turndb", turn.dir);
    /* A self-signed certificate for turns: (nobody can verify it). */
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout %s -out %s -days 1 -subj /CN=127.0.0.1 >/dev/null 2>&1",
             key, cert);
    turn.have_tls = system(cmd) == 0;
    turn.port = free_port_both();
    turn.tls_port = free_port_both();
    if (turn.port <= 0 || turn.tls_port <= 0 || turn.port == turn.tls_port)
        return 0;
    snprintf(port, sizeof port, "%d", turn.port);
    snprintf(tls_port, sizeof tls_port, "%d", turn.tls_port);
    turn.pid = fork();
    if (turn.pid < 0)
        return 0;
    if (turn.pid == 0) {
        int null = open("/dev/null", O_RDWR);
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test */
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (turn.have_tls)
            execl(TURN_BIN, "turnserver", "-n", "--listening-ip", "127.0.0.1", "--relay-ip",
                  "127.0.0.1", "--listening-port", port, "--tls-listening-port", tls_port,
                  "--no-dtls", "--cert", cert, "--pkey", key, "--lt-cred-mech", "--user",
                  TURN_USER ":" TURN_PASS, "--realm", "peerc", "--allow-loopback-peers",
                  "--no-cli", "--no-rfc5780", "--userdb", userdb, "--log-file", turn.log,
                  "--simple-log", "--no-stdout-log", "--pidfile", turn.pidfile, "--Verbose",
                  (char *)NULL);
        else
            execl(TURN_BIN, "turnserver", "-n", "--listening-ip", "127.0.0.1", "--relay-ip",
                  "127.0.0.1", "--listening-port", port, "--no-tls", "--no-dtls",
                  "--lt-cred-mech", "--user", TURN_USER ":" TURN_PASS, "--realm", "peerc",
                  "--allow-loopback-peers", "--no-cli", "--no-rfc5780", "--userdb", userdb,
                  "--log-file", turn.log, "--simple-log", "--no-stdout-log", "--pidfile",
                  turn.pidfile, "--Verbose", (char *)NULL);
        _exit(127);
    }
    for (double end = h_now_ms() + 5000; h_now_ms() < end;) {
        if (waitpid(turn.pid, NULL, WNOHANG) == turn.pid) {
            turn.pid = -1;
            note("coturn exited at start-up");
            turn_log_tail(20);
            return 0;
        }
        if (stun_probe(turn.port) && tcp_probe(turn.port) &&
            (!turn.have_tls || tcp_probe(turn.tls_port)))
            return 1;
        usleep(20000);
    }
    note("coturn did not answer on 127.0.0.1:%d", turn.port);
    turn_log_tail(20);
    turn_kill_now();
    return 0;
}

static void turn_stop(void)
{
    char path[160];
    if (turn.pid > 0) {
        FILE *f = fopen(turn.pidfile, "r");
        int filed = 0;
        if (f) {
            if (fscanf(f, "%d", &filed) != 1)
                filed = 0;
            fclose(f);
        }
        if (filed && filed != turn.pid)
            note("coturn pidfile says %d, forked %d", filed, (int)turn.pid);
        kill(turn.pid, SIGTERM);
        for (double end = h_now_ms() + 2000; h_now_ms() < end;) {
            if (waitpid(turn.pid, NULL, WNOHANG) == turn.pid) {
                turn.pid = -1;
                break;
            }
            usleep(10000);
        }
        turn_kill_now();
    }
    if (!turn.dir[0])
        return;
    if (getenv("PEERC_KEEP_TURN_LOG")) {
        note("coturn files kept in %s", turn.dir);
        return;
    }
    static const char *files[] = {"turn.log", "turn.pid", "cert.pem", "key.pem", "turndb"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", turn.dir, files[i]);
        unlink(path);
    }
    rmdir(turn.dir);
}

/* --------------------------------------------------- fake NAT STUN server */

/* Answers Binding requests with a MAPPED-ADDRESS of 127.0.0.2 and the
 * request's port, as if a NAT had mapped us: unlike coturn's answer on
 * loopback, that address is not redundant with the host candidate. */
typedef struct fake_stun {
    int fd, port, requests;
    int stop; /* atomic */
    pthread_t thread;
} fake_stun;

static void *fake_stun_main(void *arg)
{
    fake_stun *fs = arg;
    while (!__atomic_load_n(&fs->stop, __ATOMIC_ACQUIRE)) {
        uint8_t buf[1500], resp[32];
        struct sockaddr_in from;
        socklen_t flen = sizeof from;
        struct pollfd pfd = {.fd = fs->fd, .events = POLLIN};
        ssize_t n;
        if (poll(&pfd, 1, 50) != 1)
            continue;
        n = recvfrom(fs->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
        if (n < 20 || buf[0] != 0x00 || buf[1] != 0x01)
            continue;
        __atomic_add_fetch(&fs->requests, 1, __ATOMIC_SEQ_CST);
        memset(resp, 0, sizeof resp);
        resp[0] = 0x01; /* Binding success response */
        resp[1] = 0x01;
        resp[3] = 12;   /* one attribute of 4 + 8 bytes */
        memcpy(resp + 4, buf + 4, 16); /* cookie + transaction id */
        resp[20] = 0x00; /* MAPPED-ADDRESS */
        resp[21] = 0x01;
        resp[23] = 8;
        resp[25] = 0x01; /* IPv4 */
        memcpy(resp + 26, &from.sin_port, 2);
        resp[28] = 127;
        resp[31] = 2;
        sendto(fs->fd, resp, 32, 0, (struct sockaddr *)&from, flen);
    }
    return NULL;
}

static int fake_stun_start(fake_stun *fs)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    memset(fs, 0, sizeof *fs);
    fs->fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fs->fd < 0 || bind(fs->fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(fs->fd, (struct sockaddr *)&sa, &len) != 0)
        return 0;
    fs->port = ntohs(sa.sin_port);
    return pthread_create(&fs->thread, NULL, fake_stun_main, fs) == 0;
}

static void fake_stun_stop(fake_stun *fs)
{
    __atomic_store_n(&fs->stop, 1, __ATOMIC_RELEASE);
    pthread_join(fs->thread, NULL);
    close(fs->fd);
}

/* -------------------------------------------------------------- cases */

static void skip(const char *why, const char *what)
{
    ok(1, "%s # SKIP %s", what, why);
}

static void test_ice_tcp(void)
{
    peer a, b;
    side_cfg c = {.no_udp = 1};
    peerc_transport_stats sa, sb;
    is_int(start_pair(&a, &b, &c, &c), PEERC_OK, "tcp: pcs with enable_ice_udp = 0");
    if (connect_and_talk("tcp", &a, &b, 10000)) {
        get_stats(&a, &sa);
        get_stats(&b, &sb);
        is_str(sa.local_protocol, "tcp", "tcp: offerer's selected pair is tcp");
        is_str(sb.local_protocol, "tcp", "tcp: answerer's selected pair is tcp");
    }
    pthread_mutex_lock(&mu);
    ok(a.n_cands > 0 && count_candidates(&a, NULL, "udp") == 0 &&
           count_candidates(&b, NULL, "udp") == 0,
       "tcp: only TCP candidates gathered (%d, %d)", a.n_cands, b.n_cands);
    ok(strstr(a.n_cands ? a.cands[0] : "", "tcptype") != NULL, "tcp: candidates carry tcptype");
    pthread_mutex_unlock(&mu);
    stop_pair(&a, &b);
}

static void test_ipv6(void)
{
    peer a, b;
    side_cfg c = {.local_addresses = "::1"};
    peerc_transport_stats sa, sb;
    if (!ipv6_loopback_usable()) {
        skip("no IPv6 loopback here", "ipv6");
        return;
    }
    is_int(start_pair(&a, &b, &c, &c), PEERC_OK, "ipv6: pcs on ::1");
    if (connect_and_talk("ipv6", &a, &b, 10000)) {
        get_stats(&a, &sa);
        get_stats(&b, &sb);
        is_str(sa.local_address, "::1", "ipv6: offerer's local address is ::1");
        is_str(sa.remote_address, "::1", "ipv6: offerer's remote address is ::1");
        is_str(sb.local_address, "::1", "ipv6: answerer's local address is ::1");
    }
    stop_pair(&a, &b);
}

/* Allocations the server deleted or saw refreshed to lifetime 0. */
static int turn_released(void)
{
    return turn_log_count("delete: realm=<peerc>") + turn_log_count("lifetime=0");
}

static int cond_log_grew(void *arg)
{
    int *want = arg;
    return turn_released() >= *want;
}

static void test_turn_relay(const char *what, const char *url_fmt, int port, int release_todo)
{
    int deleted;
    peer a, b;
    char url[128];
    peerc_ice_server srv = {url, TURN_USER, TURN_PASS};
    side_cfg c = {.servers = &srv, .n_servers = 1, .relay = 1};
    peerc_transport_stats sa, sb;
    snprintf(url, sizeof url, url_fmt, port);
    note("%s: %s", what, url);
    is_int(start_pair(&a, &b, &c, &c), PEERC_OK, "%s: pcs with policy relay", what);
    if (connect_and_talk(what, &a, &b, 15000)) {
        get_stats(&a, &sa);
        get_stats(&b, &sb);
        is_str(sa.local_candidate_type, "relay", "%s: offerer's selected local candidate is relay",
               what);
        is_str(sb.local_candidate_type, "relay",
               "%s: answerer's selected local candidate is relay", what);
    } else {
        turn_log_tail(15);
    }
    wait_for(cond_both_gathered, &a, 5000);
    pthread_mutex_lock(&mu);
    ok(count_candidates(&a, "relay", NULL) > 0 && count_candidates(&b, "relay", NULL) > 0,
       "%s: relay candidates gathered (%d, %d)", what, count_candidates(&a, "relay", NULL),
       count_candidates(&b, "relay", NULL));
    ok(count_candidates(&a, "relay", NULL) == a.n_cands &&
           count_candidates(&b, "relay", NULL) == b.n_cands,
       "%s: policy relay hands out nothing but relay candidates", what);
    pthread_mutex_unlock(&mu);
    /* RFC 8656 7: a client done with an allocation deletes it (Refresh,
     * lifetime 0) instead of leaving it to expire (600 s here). */
    deleted = turn_released() + 2;
    stop_pair(&a, &b);
    if (release_todo)
        todo_ok(wait_for(cond_log_grew, &deleted, 1500),
                "libnice agent unref'd before its Refresh(lifetime=0) is sent",
                "%s: both allocations deleted on the server after pc free", what);
    else
        ok(wait_for(cond_log_grew, &deleted, 1500),
           "%s: both allocations deleted on the server after pc free", what);
}

/* coturn's answer on loopback maps us to our own host address: RFC 8445
 * 5.1.3 calls such a server-reflexive candidate redundant (same address,
 * same base) and libnice drops it.  What must hold: the server was asked,
 * gathering completes, nothing srflx leaks, host still connects. */
static void test_stun_coturn(void)
{
    peer a, b;
    char url[64];
    peerc_ice_server srv = {url, NULL, NULL};
    side_cfg c = {.servers = &srv, .n_servers = 1};
    int before = turn_log_count("handle_turn_binding:") ;
    snprintf(url, sizeof url, "stun:127.0.0.1:%d", turn.port);
    is_int(start_pair(&a, &b, &c, &c), PEERC_OK, "stun (coturn): pcs with %s", url);
    connect_and_talk("stun (coturn)", &a, &b, 10000);
    ok(wait_for(cond_both_gathered, &a, 5000), "stun (coturn): gathering completes");
    pthread_mutex_lock(&mu);
    is_int(count_candidates(&a, "srflx", NULL) + count_candidates(&b, "srflx", NULL), 0,
           "stun (coturn): srflx equal to the host address is pruned as redundant");
    ok(count_candidates(&a, "host", NULL) > 0, "stun (coturn): host candidates gathered");
    pthread_mutex_unlock(&mu);
    ok(turn_log_count("handle_turn_binding:")  > before, "stun (coturn): coturn saw Binding requests (%d)",
       turn_log_count("handle_turn_binding:")  - before);
    stop_pair(&a, &b);
}

/* A NAT that maps us to 127.0.0.2: a real srflx candidate appears, with
 * the host address as its related address (raddr/rport). */
static void test_stun_fake_nat(void)
{
    peer a, b;
    char url[64];
    peerc_ice_server srv = {url, NULL, NULL};
    side_cfg c = {.servers = &srv, .n_servers = 1};
    fake_stun fs;
    int found = 0;
    if (!fake_stun_start(&fs)) {
        skip("cannot open a UDP socket", "stun (fake NAT)");
        return;
    }
    snprintf(url, sizeof url, "stun:127.0.0.1:%d", fs.port);
    is_int(start_pair(&a, &b, &c, &c), PEERC_OK, "stun (fake NAT): pcs with %s", url);
    connect_and_talk("stun (fake NAT)", &a, &b, 10000);
    ok(wait_for(cond_both_gathered, &a, 5000), "stun (fake NAT): gathering completes");
    pthread_mutex_lock(&mu);
    for (int i = 0; i < a.n_cands; i++)
        if (strstr(a.cands[i], " 127.0.0.2 ") && strstr(a.cands[i], "typ srflx raddr 127.0.0.1"))
            found++;
    ok(found > 0, "stun (fake NAT): srflx 127.0.0.2 with raddr 127.0.0.1 gathered (%d)", found);
    if (!found)
        describe_candidates(&a);
    pthread_mutex_unlock(&mu);
    ok(__atomic_load_n(&fs.requests, __ATOMIC_SEQ_CST) > 0, "stun (fake NAT): %d Binding requests",
       fs.requests);
    stop_pair(&a, &b);
    fake_stun_stop(&fs);
}

static void test_turn_bad_credentials(void)
{
    peer a, b;
    char url[64];
    peerc_ice_server srv = {url, TURN_USER, "wrong"};
    side_cfg c = {.servers = &srv, .n_servers = 1, .relay = 1};
    double t;
    snprintf(url, sizeof url, "turn:127.0.0.1:%d?transport=udp", turn.port);
    is_int(start_pair(&a, &b, &c, &c), PEERC_OK, "bad credentials: pcs with policy relay");
    ok(wait_for(cond_both_gathered, &a, 15000), "bad credentials: gathering completes");
    note("bad credentials: gathering complete after %.0f ms", h_now_ms() - a.t0);
    ok(wait_for(cond_both_eoc, &a, 5000), "bad credentials: end-of-candidates on both");
    pthread_mutex_lock(&mu);
    is_int(a.n_cands + b.n_cands, 0, "bad credentials: no candidates at all");
    pthread_mutex_unlock(&mu);
    ok(wait_for(cond_both_ice_failed, &a, 15000), "bad credentials: ICE failed on both sides");
    t = h_now_ms() - a.t0;
    ok(wait_for(cond_both_conn_failed, &a, 5000),
       "bad credentials: connection state failed on both sides");
    pthread_mutex_lock(&mu);
    note("bad credentials: ICE failed after %.0f ms", t);
    describe_states(&a);
    describe_states(&b);
    pthread_mutex_unlock(&mu);
    ok(turn_log_count("401") > 0, "bad credentials: coturn answered 401");
    stop_pair(&a, &b);
}

/* What a turns: client sends first on its TCP connection.  A TLS
 * ClientHello record starts with 0x16; a plain TURN Allocate with 0x00. */
typedef struct first_bytes {
    int fd, port, conns, first[8];
    int stop; /* atomic */
    pthread_t thread;
} first_bytes;

static void *first_bytes_main(void *arg)
{
    first_bytes *fb = arg;
    while (!__atomic_load_n(&fb->stop, __ATOMIC_ACQUIRE)) {
        struct pollfd pfd = {.fd = fb->fd, .events = POLLIN};
        uint8_t byte;
        int c;
        if (poll(&pfd, 1, 50) != 1)
            continue;
        c = accept(fb->fd, NULL, NULL);
        if (c < 0)
            continue;
        pfd.fd = c;
        if (poll(&pfd, 1, 2000) == 1 && recv(c, &byte, 1, 0) == 1) {
            pthread_mutex_lock(&mu);
            if (fb->conns < 8)
                fb->first[fb->conns++] = byte;
            pthread_cond_broadcast(&cv);
            pthread_mutex_unlock(&mu);
        }
        close(c); /* no TURN service here: the allocation fails */
    }
    return NULL;
}

static int cond_first_byte(void *arg)
{
    first_bytes *fb = arg;
    return fb->conns > 0;
}

/* Runs alongside the other cases (it takes GATHERING_WATCHDOG_MS). */
static first_bytes tls_fb;
static peer tls_a, tls_b;
static int tls_started;

static void start_turns_speaks_tls(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    static char url[64];
    static peerc_ice_server srv = {url, TURN_USER, TURN_PASS};
    side_cfg c = {.servers = &srv, .n_servers = 1, .relay = 1};
    first_bytes *fb = &tls_fb;
    memset(fb, 0, sizeof *fb);
    fb->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fb->fd < 0 || bind(fb->fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(fb->fd, 8) != 0 || getsockname(fb->fd, (struct sockaddr *)&sa, &len) != 0 ||
        pthread_create(&fb->thread, NULL, first_bytes_main, fb) != 0) {
        skip("cannot listen on 127.0.0.1", "turns: TLS on the wire");
        if (fb->fd >= 0)
            close(fb->fd);
        return;
    }
    tls_started = 1;
    fb->port = ntohs(sa.sin_port);
    snprintf(url, sizeof url, "turns:127.0.0.1:%d", fb->port);
    is_int(start_pair(&tls_a, &tls_b, &c, &c), PEERC_OK, "turns (TLS check): pcs with %s", url);
    ok(wait_for(cond_first_byte, fb, 5000), "turns (TLS check): the client connected");
    pthread_mutex_lock(&mu);
    note("turns (TLS check): first byte 0x%02x (0x16 = TLS handshake, 0x00 = plain STUN)",
         fb->conns ? fb->first[0] : -1);
    /* libnice 0.1.21 has no TLS client: NICE_RELAY_TYPE_TURN_TLS is plain
     * TURN over TCP unless the compatibility is GOOGLE/OC2007 (pseudo-SSL). */
    todo_ok(fb->conns && fb->first[0] == 0x16, "libnice 0.1.21 sends turns: in clear text",
            "turns (TLS check): the client starts with a TLS ClientHello");
    pthread_mutex_unlock(&mu);
}

/* The server hung up on every connection: libnice 0.1.21 then never ends
 * gathering by itself; lib/ice's watchdog must, and with no candidate at
 * all under policy relay ICE fails. */
static void finish_turns_speaks_tls(void)
{
    double t;
    if (!tls_started)
        return;
    ok(wait_for(cond_both_ice_failed, &tls_a, 30000 - (int)(h_now_ms() - tls_a.t0)),
       "turns (TLS check): ICE failed with the TURN server hanging up");
    t = h_now_ms() - tls_a.t0;
    wait_for(cond_both_conn_failed, &tls_a, 2000);
    note("turns (TLS check): ICE failed after %.0f ms", t);
    pthread_mutex_lock(&mu);
    describe_states(&tls_a);
    describe_states(&tls_b);
    ok(tls_a.gathering_complete && tls_b.gathering_complete && tls_a.end_of_candidates &&
           tls_b.end_of_candidates,
       "turns (TLS check): gathering completed (end-of-candidates) on both sides");
    is_int(tls_a.n_cands + tls_b.n_cands, 0, "turns (TLS check): no candidates");
    ok(last_is(tls_a.conn, tls_a.n_conn, PEERC_CONNECTION_FAILED) &&
           last_is(tls_b.conn, tls_b.n_conn, PEERC_CONNECTION_FAILED),
       "turns (TLS check): connection state failed on both sides");
    pthread_mutex_unlock(&mu);
    stop_pair(&tls_a, &tls_b);
    __atomic_store_n(&tls_fb.stop, 1, __ATOMIC_RELEASE);
    pthread_join(tls_fb.thread, NULL);
    close(tls_fb.fd);
}

/* RFC 7675: the peer stops answering consent checks (its worker blocks
 * inside a callback); this side must give up: disconnected, then failed. */
static void test_consent(void)
{
    peer a, b;
    side_cfg c = {0};
    double t_freeze, t_disc = -1, t_fail = -1, t_conn_fail = -1;
    int idx_disc, idx_fail;
    is_int(start_pair(&a, &b, &c, &c), PEERC_OK, "consent: pcs on two ctxs");
    if (!connect_and_talk("consent", &a, &b, 10000)) {
        stop_pair(&a, &b);
        return;
    }
    pthread_mutex_lock(&mu);
    b.freeze = 1;
    pthread_mutex_unlock(&mu);
    peerc_dc_send_text(a.local.dc, "freeze");
    if (!ok(wait_for(cond_frozen, &b, 5000), "consent: b's worker blocked in a callback")) {
        stop_pair(&a, &b);
        return;
    }
    t_freeze = h_now_ms();
    ok(wait_for(cond_ice_failed, &a, 40000), "consent: a's ICE failed once b went silent");
    wait_for(cond_conn_failed, &a, 2000);
    pthread_mutex_lock(&mu);
    idx_disc = index_of(a.ice, a.n_ice, PEERC_ICE_CONNECTION_DISCONNECTED);
    idx_fail = index_of(a.ice, a.n_ice, PEERC_ICE_CONNECTION_FAILED);
    if (idx_disc >= 0)
        t_disc = a.ice_t[idx_disc] - t_freeze;
    if (idx_fail >= 0)
        t_fail = a.ice_t[idx_fail] - t_freeze;
    for (int i = 0; i < a.n_conn; i++)
        if (a.conn[i] == PEERC_CONNECTION_FAILED)
            t_conn_fail = a.conn_t[i] - t_freeze;
    note("consent: after b froze, a's ice disconnected at %.0f ms, failed at %.0f ms, "
         "connection failed at %.0f ms", t_disc, t_fail, t_conn_fail);
    describe_states(&a);
    ok(idx_disc >= 0 && idx_fail > idx_disc, "consent: a's ice went disconnected, then failed");
    ok(last_is(a.conn, a.n_conn, PEERC_CONNECTION_FAILED), "consent: a's connection failed");
    /* libnice 0.1.21: consent expires 10 s (NICE_AGENT_TIMER_CONSENT_TIMEOUT,
     * not tunable) after the last answer, checked every 4-6 s. */
    ok(t_fail > 5000 && t_fail < 30000, "consent: failure detected in 5-30 s (%.0f ms)", t_fail);
    ok(!has(b.ice, b.n_ice, PEERC_ICE_CONNECTION_FAILED), "consent: frozen b reported nothing");
    b.freeze = 0;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    stop_pair(&a, &b);
}

/* End-of-candidates from the peer is accepted; with every candidate lost
 * on the way (trickled and in the SDP), both sides must give up.  They may
 * only do so when the PAC timer expires (RFC 8863: 39.5 s, a check from the
 * peer could still teach a peer-reflexive candidate), so this pair starts
 * first and is checked last, while the other cases run. */
static peer nc_a, nc_b;

static int cond_eoc_delivered(void *arg)
{
    peer *a = arg;
    return a->eoc_delivered == 1 && a->other->eoc_delivered == 1;
}

static void start_no_candidates(void)
{
    side_cfg c = {.drop_candidates = 1};
    is_int(start_pair(&nc_a, &nc_b, &c, &c), PEERC_OK, "no candidates: pcs");
}

static void finish_no_candidates(void)
{
    double t;
    ok(wait_for(cond_eoc_delivered, &nc_a, 5000),
       "no candidates: end-of-candidates delivered to both");
    pthread_mutex_lock(&mu);
    is_int(nc_a.eoc_rc, PEERC_OK, "no candidates: add_ice_candidate(NULL) accepted by a");
    is_int(nc_b.eoc_rc, PEERC_OK, "no candidates: add_ice_candidate(NULL) accepted by b");
    pthread_mutex_unlock(&mu);
    ok(wait_for(cond_both_ice_failed, &nc_a, 45000 - (int)(h_now_ms() - nc_a.t0)),
       "no candidates: ICE failed on both sides");
    t = h_now_ms() - nc_a.t0;
    wait_for(cond_both_conn_failed, &nc_a, 2000);
    note("no candidates: ICE failed after %.0f ms", t);
    pthread_mutex_lock(&mu);
    describe_states(&nc_a);
    describe_states(&nc_b);
    ok(nc_a.dropped > 0 && nc_b.dropped > 0, "no candidates: candidates dropped (%d, %d)",
       nc_a.dropped, nc_b.dropped);
    ok(!has(nc_a.ice, nc_a.n_ice, PEERC_ICE_CONNECTION_CONNECTED) &&
           !has(nc_b.ice, nc_b.n_ice, PEERC_ICE_CONNECTION_CONNECTED),
       "no candidates: never connected");
    ok(last_is(nc_a.conn, nc_a.n_conn, PEERC_CONNECTION_FAILED) &&
           last_is(nc_b.conn, nc_b.n_conn, PEERC_CONNECTION_FAILED),
       "no candidates: connection state failed on both sides");
    /* not before the PAC timer, not long after it */
    ok(t > 39000 && t < 44000, "no candidates: failed when the PAC timer expired (%.0f ms)", t);
    pthread_mutex_unlock(&mu);
    stop_pair(&nc_a, &nc_b);
}

int main(void)
{
    pthread_condattr_t attr;
    const char *only = getenv("PEERC_ICE_ONLY"); /* run one group while debugging */
#define RUN(name) (!only || strstr(only, name))
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&cv, &attr);
    signal(SIGALRM, on_alarm);
    alarm(110);
    srand((unsigned)getpid());

    /* The two slow cases run alongside the others. */
    if (RUN("eoc"))
        start_no_candidates();
    if (RUN("tlscheck"))
        start_turns_speaks_tls();

    if (RUN("tcp"))
        test_ice_tcp();
    if (RUN("ipv6"))
        test_ipv6();
    if (RUN("turn") || RUN("stun")) {
        if (!turn_start()) {
            /* A missing peer is a failure: scripts/check installs coturn. */
            ok(0, "coturn (" TURN_BIN ") installed and starting (scripts/check installs it)");
        } else {
            note("coturn on 127.0.0.1:%d (TLS %d), pid %d, log %s", turn.port, turn.tls_port,
                 (int)turn.pid, turn.log);
            if (RUN("turn")) {
                test_turn_relay("turn udp", "turn:127.0.0.1:%d?transport=udp", turn.port, 1);
                test_turn_relay("turn tcp", "turn:127.0.0.1:%d?transport=tcp", turn.port, 0);
                if (turn.have_tls)
                    test_turn_relay("turns", "turns:127.0.0.1:%d", turn.tls_port, 0);
                else
                    skip("no openssl CLI for a certificate", "turns");
                test_turn_bad_credentials();
            }
            if (RUN("stun"))
                test_stun_coturn();
        }
        turn_stop();
    }
    if (RUN("stun"))
        test_stun_fake_nat();
    if (RUN("consent"))
        test_consent();
    if (RUN("tlscheck"))
        finish_turns_speaks_tls();
    if (RUN("eoc"))
        finish_no_candidates();
    return done_testing();
}

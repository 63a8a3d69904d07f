/*
 * peerc-peer: a peerc endpoint for interop tests, signalled with JSON lines
 * on stdin/stdout in the browser "video call" vocabulary:
 *
 *   {"type":"video-offer","sdp":"..."}
 *   {"type":"video-answer","sdp":"..."}
 *   {"type":"new-ice-candidate","candidate":{"candidate":"...","sdpMid":"0","sdpMLineIndex":0}}
 *       (candidate "" or null: end-of-candidates)
 *   {"type":"hang-up"}
 *
 *   peerc-peer --offer|--answer [--local-addresses "A B"] [--timeout SECONDS]
 *
 * Every data channel (the "echo" channel it creates with --offer, or those
 * the remote side opens) sends each message back on the same channel with
 * the same type.  stdout carries signalling only; states and diagnostics go
 * to stderr.  Exit status: 0 after hang-up, 1 on failure, 2 on timeout,
 * 3 when stdin ends without hang-up.
 *
 * Public API only.  Callbacks run on the peerc worker thread; the main
 * thread reads stdin and calls the (thread-safe) API directly.
 */
#include <peerc/peerc.h>

#include <json-glib/json-glib.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHANNELS 64

typedef struct channel {
    peerc_dc *dc;
    uint64_t rx_msgs, rx_bytes, tx_errors;
} channel;

/* Everything below is shared between the main thread and the worker. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static channel channels[MAX_CHANNELS];
static int n_channels;
static int failed;                 /* fatal condition seen by a callback */
static int local_description_sent; /* candidates are held back until then */
static GPtrArray *held_candidates; /* JSON lines waiting for the description */
static int offer_sent;
static int is_offerer;
static peerc_pc *the_pc;
static double t0;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
    va_list ap;
    char buf[2048];
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "peerc-peer[%s] %7.3f %s\n", is_offerer ? "offer" : "answer",
            now_s() - t0, buf);
}

/* ------------------------------------------------------------ signalling out */

/* One JSON line on stdout; the caller holds `lock` so lines never interleave. */
static void write_line_locked(const char *line)
{
    fputs(line, stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

static char *json_to_line(JsonBuilder *b)
{
    JsonNode *root = json_builder_get_root(b);
    JsonGenerator *gen = json_generator_new();
    json_generator_set_root(gen, root);
    char *s = json_generator_to_data(gen, NULL);
    g_object_unref(gen);
    json_node_unref(root);
    return s;
}

static char *description_line(const char *type, const char *sdp)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "type");
    json_builder_add_string_value(b, type);
    json_builder_set_member_name(b, "sdp");
    json_builder_add_string_value(b, sdp);
    json_builder_end_object(b);
    char *s = json_to_line(b);
    g_object_unref(b);
    return s;
}

/* Send the offer/answer, then whatever candidates came out before it. */
static void send_description(const char *type, const char *sdp)
{
    char *line = description_line(type, sdp);
    pthread_mutex_lock(&lock);
    write_line_locked(line);
    local_description_sent = 1;
    for (guint i = 0; i < held_candidates->len; i++)
        write_line_locked(g_ptr_array_index(held_candidates, i));
    if (held_candidates->len)
        logf_("sent %u candidate(s) held back until the description went out",
              held_candidates->len);
    g_ptr_array_set_size(held_candidates, 0);
    pthread_mutex_unlock(&lock);
    g_free(line);
}

static void on_ice_candidate(peerc_pc *pc, const char *candidate, const char *mid, int32_t index,
                             void *ud)
{
    (void)pc;
    (void)ud;
    logf_("local candidate: %s (mid %s, index %d)", candidate ? candidate : "<end-of-candidates>",
          mid ? mid : "null", (int)index);
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "type");
    json_builder_add_string_value(b, "new-ice-candidate");
    json_builder_set_member_name(b, "candidate");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "candidate");
    json_builder_add_string_value(b, candidate ? candidate : "");
    json_builder_set_member_name(b, "sdpMid");
    if (mid)
        json_builder_add_string_value(b, mid);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "sdpMLineIndex");
    if (index >= 0)
        json_builder_add_int_value(b, index);
    else
        json_builder_add_null_value(b);
    json_builder_end_object(b);
    json_builder_end_object(b);
    char *line = json_to_line(b);
    g_object_unref(b);

    pthread_mutex_lock(&lock);
    if (local_description_sent) {
        write_line_locked(line);
        g_free(line);
    } else {
        g_ptr_array_add(held_candidates, line);
    }
    pthread_mutex_unlock(&lock);
}

static void set_failed(void)
{
    pthread_mutex_lock(&lock);
    failed = 1;
    pthread_mutex_unlock(&lock);
}

/* onnegotiationneeded (offerer): create the offer and signal it. */
static void on_negotiation_needed(peerc_pc *pc, void *ud)
{
    (void)ud;
    int st = peerc_pc_signaling_state(pc);
    logf_("negotiation-needed (signaling state %s)",
          peerc_signaling_state_to_string((peerc_signaling_state)st));
    if (!is_offerer) {
        logf_("answerer: ignoring negotiation-needed");
        return;
    }
    pthread_mutex_lock(&lock);
    int already = offer_sent;
    pthread_mutex_unlock(&lock);
    if (already || st != PEERC_SIGNALING_STABLE) {
        logf_("not renegotiating (offer already sent)");
        return;
    }
    char *offer = NULL;
    int rc = peerc_pc_create_offer(pc, NULL, &offer);
    if (rc != PEERC_OK) {
        logf_("create_offer failed: %s (%s)", peerc_strerror(rc), peerc_pc_last_error(pc));
        set_failed();
        return;
    }
    rc = peerc_pc_set_local_description(pc, PEERC_SDP_OFFER, offer);
    if (rc != PEERC_OK) {
        logf_("set_local_description(offer) failed: %s (%s)", peerc_strerror(rc),
              peerc_pc_last_error(pc));
        peerc_free(offer);
        set_failed();
        return;
    }
    logf_("local offer:\n%s", offer);
    pthread_mutex_lock(&lock);
    offer_sent = 1;
    pthread_mutex_unlock(&lock);
    send_description("video-offer", offer);
    peerc_free(offer);
}

/* ------------------------------------------------------------------- states */

static void on_signaling(peerc_pc *pc, peerc_signaling_state st, void *ud)
{
    (void)pc;
    (void)ud;
    logf_("signaling state: %s", peerc_signaling_state_to_string(st));
}

static void on_gathering(peerc_pc *pc, peerc_ice_gathering_state st, void *ud)
{
    (void)pc;
    (void)ud;
    logf_("ice gathering state: %s", peerc_ice_gathering_state_to_string(st));
}

static void on_ice_connection(peerc_pc *pc, peerc_ice_connection_state st, void *ud)
{
    (void)pc;
    (void)ud;
    logf_("ice connection state: %s", peerc_ice_connection_state_to_string(st));
}

static void on_connection(peerc_pc *pc, peerc_connection_state st, void *ud)
{
    (void)pc;
    (void)ud;
    logf_("connection state: %s", peerc_connection_state_to_string(st));
    if (st == PEERC_CONNECTION_FAILED)
        set_failed();
}

/* ------------------------------------------------------------ data channels */

static void dc_on_open(peerc_dc *dc, void *ud)
{
    (void)ud;
    logf_("data channel '%s' (id %d, protocol '%s', ordered %d) open", peerc_dc_label(dc),
          peerc_dc_id(dc), peerc_dc_protocol(dc), peerc_dc_ordered(dc));
}

static void dc_on_message(peerc_dc *dc, const uint8_t *data, size_t len, int32_t is_binary,
                          void *ud)
{
    channel *ch = ud;
    int rc;
    if (is_binary) {
        rc = peerc_dc_send_binary(dc, data, len);
    } else {
        /* peerc_dc_send_text takes a NUL-terminated string. */
        char *text = malloc(len + 1);
        if (!text) {
            set_failed();
            return;
        }
        memcpy(text, data, len);
        text[len] = '\0';
        if (memchr(data, '\0', len))
            logf_("warning: text message with an embedded NUL: the echo will be truncated");
        rc = peerc_dc_send_text(dc, text);
        free(text);
    }
    pthread_mutex_lock(&lock);
    ch->rx_msgs++;
    ch->rx_bytes += len;
    uint64_t n = ch->rx_msgs;
    if (rc != PEERC_OK)
        ch->tx_errors++;
    pthread_mutex_unlock(&lock);
    if (rc != PEERC_OK)
        logf_("echo of message #%" PRIu64 " (%zu bytes, %s) on '%s' failed: %s", n, len,
              is_binary ? "binary" : "text", peerc_dc_label(dc), peerc_strerror(rc));
    else if (n <= 3 || n % 50 == 0)
        logf_("'%s': echoed message #%" PRIu64 " (%zu bytes, %s)", peerc_dc_label(dc), n, len,
              is_binary ? "binary" : "text");
}

static void dc_on_closing(peerc_dc *dc, void *ud)
{
    (void)ud;
    logf_("data channel '%s' closing", peerc_dc_label(dc));
}

static void dc_on_close(peerc_dc *dc, void *ud)
{
    (void)ud;
    logf_("data channel '%s' closed", peerc_dc_label(dc));
}

static void dc_on_error(peerc_dc *dc, int code, const char *message, void *ud)
{
    (void)ud;
    logf_("data channel '%s' error: %s: %s", peerc_dc_label(dc), peerc_strerror(code),
          message ? message : "");
}

static channel *track_channel(peerc_dc *dc)
{
    channel *ch = NULL;
    pthread_mutex_lock(&lock);
    if (n_channels < MAX_CHANNELS) {
        ch = &channels[n_channels++];
        ch->dc = dc;
    }
    pthread_mutex_unlock(&lock);
    if (!ch) {
        logf_("too many data channels");
        set_failed();
        return NULL;
    }
    peerc_dc_callbacks cbs;
    peerc_dc_callbacks_init(&cbs);
    cbs.open = dc_on_open;
    cbs.message = dc_on_message;
    cbs.closing = dc_on_closing;
    cbs.close = dc_on_close;
    cbs.error = dc_on_error;
    int rc = peerc_dc_set_callbacks(dc, &cbs, ch);
    if (rc != PEERC_OK) {
        logf_("peerc_dc_set_callbacks failed: %s", peerc_strerror(rc));
        set_failed();
    }
    return ch;
}

static void on_data_channel(peerc_pc *pc, peerc_dc *dc, void *ud)
{
    (void)pc;
    (void)ud;
    logf_("remote data channel '%s' (id %d, protocol '%s', state %s)", peerc_dc_label(dc),
          peerc_dc_id(dc), peerc_dc_protocol(dc),
          peerc_dc_state_to_string((peerc_dc_state)peerc_dc_ready_state(dc)));
    if (!track_channel(dc))
        peerc_dc_free(dc);
}

/* ------------------------------------------------------------ signalling in */

typedef struct pending_candidate {
    char *candidate; /* NULL: end-of-candidates */
    char *mid;
    int32_t index;
} pending_candidate;

static GPtrArray *pending_candidates; /* main thread only */
static int have_remote_description;   /* main thread only */

static void add_candidate(const char *cand, const char *mid, int32_t index)
{
    int rc = peerc_pc_add_ice_candidate(the_pc, cand, mid, index);
    logf_("add_ice_candidate(%s, mid %s, index %d) -> %s%s%s", cand ? cand : "<end>",
          mid ? mid : "null", (int)index, peerc_strerror(rc), rc ? ": " : "",
          rc ? peerc_pc_last_error(the_pc) : "");
}

static void flush_pending_candidates(void)
{
    for (guint i = 0; i < pending_candidates->len; i++) {
        pending_candidate *p = g_ptr_array_index(pending_candidates, i);
        add_candidate(p->candidate, p->mid, p->index);
        g_free(p->candidate);
        g_free(p->mid);
        g_free(p);
    }
    g_ptr_array_set_size(pending_candidates, 0);
}

static const char *member_string(JsonObject *o, const char *name)
{
    JsonNode *n = json_object_get_member(o, name);
    if (!n || JSON_NODE_TYPE(n) != JSON_NODE_VALUE || json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}

static void on_candidate_message(JsonObject *o)
{
    JsonNode *cn = json_object_get_member(o, "candidate");
    const char *cand = NULL, *mid = NULL;
    int32_t index = -1;
    if (cn && JSON_NODE_HOLDS_OBJECT(cn)) {
        JsonObject *c = json_node_get_object(cn);
        cand = member_string(c, "candidate");
        mid = member_string(c, "sdpMid");
        JsonNode *in = json_object_get_member(c, "sdpMLineIndex");
        if (in && JSON_NODE_TYPE(in) == JSON_NODE_VALUE &&
            json_node_get_value_type(in) == G_TYPE_INT64)
            index = (int32_t)json_node_get_int(in);
    } else if (cn && JSON_NODE_TYPE(cn) == JSON_NODE_VALUE &&
               json_node_get_value_type(cn) == G_TYPE_STRING) {
        cand = json_node_get_string(cn);
    }
    if (cand && !*cand)
        cand = NULL; /* end-of-candidates */
    if (!have_remote_description) {
        pending_candidate *p = g_new0(pending_candidate, 1);
        p->candidate = g_strdup(cand);
        p->mid = g_strdup(mid);
        p->index = index;
        g_ptr_array_add(pending_candidates, p);
        logf_("remote candidate held until the remote description: %s", cand ? cand : "<end>");
        return;
    }
    add_candidate(cand, mid, index);
}

static int on_offer_message(const char *sdp)
{
    int rc;
    logf_("remote offer:\n%s", sdp);
    if (is_offerer) {
        logf_("unexpected offer for an offerer");
        return -1;
    }
    rc = peerc_pc_set_remote_description(the_pc, PEERC_SDP_OFFER, sdp);
    if (rc != PEERC_OK) {
        logf_("set_remote_description(offer) failed: %s (%s)", peerc_strerror(rc),
              peerc_pc_last_error(the_pc));
        return -1;
    }
    have_remote_description = 1;
    flush_pending_candidates();
    char *answer = NULL;
    rc = peerc_pc_create_answer(the_pc, &answer);
    if (rc != PEERC_OK) {
        logf_("create_answer failed: %s (%s)", peerc_strerror(rc), peerc_pc_last_error(the_pc));
        return -1;
    }
    rc = peerc_pc_set_local_description(the_pc, PEERC_SDP_ANSWER, answer);
    if (rc != PEERC_OK) {
        logf_("set_local_description(answer) failed: %s (%s)", peerc_strerror(rc),
              peerc_pc_last_error(the_pc));
        peerc_free(answer);
        return -1;
    }
    logf_("local answer:\n%s", answer);
    send_description("video-answer", answer);
    peerc_free(answer);
    return 0;
}

static int on_answer_message(const char *sdp)
{
    logf_("remote answer:\n%s", sdp);
    if (!is_offerer) {
        logf_("unexpected answer for an answerer");
        return -1;
    }
    int rc = peerc_pc_set_remote_description(the_pc, PEERC_SDP_ANSWER, sdp);
    if (rc != PEERC_OK) {
        logf_("set_remote_description(answer) failed: %s (%s)", peerc_strerror(rc),
              peerc_pc_last_error(the_pc));
        return -1;
    }
    have_remote_description = 1;
    flush_pending_candidates();
    return 0;
}

/* Returns 1 on hang-up, -1 on a fatal error, 0 otherwise. */
static int handle_line(const char *line)
{
    while (*line == ' ' || *line == '\t' || *line == '\r')
        line++;
    if (!*line)
        return 0;
    JsonParser *parser = json_parser_new();
    GError *err = NULL;
    int ret = 0;
    if (!json_parser_load_from_data(parser, line, -1, &err)) {
        logf_("bad signalling line (%s): %.200s", err->message, line);
        g_error_free(err);
        g_object_unref(parser);
        return -1;
    }
    JsonNode *root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        logf_("signalling message is not an object: %.200s", line);
        g_object_unref(parser);
        return -1;
    }
    JsonObject *o = json_node_get_object(root);
    const char *type = member_string(o, "type");
    const char *sdp = member_string(o, "sdp");
    if (!type) {
        logf_("signalling message without type: %.200s", line);
        ret = -1;
    } else if (!strcmp(type, "video-offer")) {
        ret = sdp ? on_offer_message(sdp) : -1;
    } else if (!strcmp(type, "video-answer")) {
        ret = sdp ? on_answer_message(sdp) : -1;
    } else if (!strcmp(type, "new-ice-candidate")) {
        on_candidate_message(o);
    } else if (!strcmp(type, "hang-up")) {
        logf_("hang-up received");
        ret = 1;
    } else {
        logf_("ignoring signalling message of type '%s'", type);
    }
    g_object_unref(parser);
    return ret;
}

/* ------------------------------------------------------------------- main */

static void print_stats(void)
{
    peerc_transport_stats st;
    peerc_transport_stats_init(&st);
    int rc = peerc_pc_get_transport_stats(the_pc, &st);
    if (rc != PEERC_OK) {
        logf_("get_transport_stats failed: %s", peerc_strerror(rc));
        return;
    }
    logf_("stats: pair %s %s %s:%u -> %s %s %s:%u, rtt %.1f ms; dtls %s %s %s; sctp rtt %.1f ms; "
          "bytes %" PRIu64 "/%" PRIu64 " sent/received; channels opened %" PRIu64
          " closed %" PRIu64 "; messages %" PRIu64 "/%" PRIu64 " sent/received",
          st.local_candidate_type, st.local_protocol, st.local_address, st.local_port,
          st.remote_candidate_type, st.remote_protocol, st.remote_address, st.remote_port,
          st.rtt_ms, st.dtls_state, st.dtls_version, st.dtls_cipher, st.sctp_rtt_ms, st.bytes_sent,
          st.bytes_received, st.data_channels_opened, st.data_channels_closed, st.messages_sent,
          st.messages_received);
}

static void usage(void)
{
    fprintf(stderr, "usage: peerc-peer --offer|--answer [--local-addresses \"A B\"] "
                    "[--timeout SECONDS]\n");
}

int main(int argc, char **argv)
{
    const char *local_addresses = NULL;
    double timeout = 30;
    int mode = -1;

    t0 = now_s();
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--offer")) {
            mode = 1;
        } else if (!strcmp(argv[i], "--answer")) {
            mode = 0;
        } else if (!strcmp(argv[i], "--local-addresses") && i + 1 < argc) {
            local_addresses = argv[++i];
        } else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
            timeout = atof(argv[++i]);
        } else {
            usage();
            return 64;
        }
    }
    if (mode < 0 || timeout <= 0) {
        usage();
        return 64;
    }
    is_offerer = mode;
    signal(SIGPIPE, SIG_IGN);
    held_candidates = g_ptr_array_new_with_free_func(g_free);
    pending_candidates = g_ptr_array_new();

    logf_("peerc %s; local addresses: %s; timeout %.0f s", peerc_version_string(),
          local_addresses ? local_addresses : "(default)", timeout);

    peerc_ctx *ctx = NULL;
    int rc = peerc_ctx_new(&ctx);
    if (rc != PEERC_OK) {
        logf_("peerc_ctx_new failed: %s", peerc_strerror(rc));
        return 1;
    }
    peerc_pc_config config;
    peerc_pc_config_init(&config);
    config.local_addresses = local_addresses;
    peerc_pc_callbacks cbs;
    peerc_pc_callbacks_init(&cbs);
    cbs.ice_candidate = on_ice_candidate;
    cbs.negotiation_needed = on_negotiation_needed;
    cbs.signaling_state_change = on_signaling;
    cbs.ice_gathering_state_change = on_gathering;
    cbs.ice_connection_state_change = on_ice_connection;
    cbs.connection_state_change = on_connection;
    cbs.data_channel = on_data_channel;
    rc = peerc_pc_new(ctx, &config, &cbs, NULL, &the_pc);
    if (rc != PEERC_OK) {
        logf_("peerc_pc_new failed: %s", peerc_strerror(rc));
        peerc_ctx_free(ctx);
        return 1;
    }

    int status = 0;
    if (is_offerer) {
        /* negotiation_needed then creates and signals the offer. */
        peerc_dc *dc = NULL;
        rc = peerc_pc_create_data_channel(the_pc, "echo", NULL, &dc);
        if (rc != PEERC_OK) {
            logf_("create_data_channel failed: %s (%s)", peerc_strerror(rc),
                  peerc_pc_last_error(the_pc));
            status = 1;
        } else if (!track_channel(dc)) {
            peerc_dc_free(dc);
            status = 1;
        }
    }

    /* Read signalling until hang-up, failure, EOF or the deadline. */
    GString *buf = g_string_new(NULL);
    double deadline = now_s() + timeout;
    int offer_warned = 0;
    while (!status) {
        pthread_mutex_lock(&lock);
        int f = failed, sent = offer_sent;
        pthread_mutex_unlock(&lock);
        if (f) {
            logf_("failure reported by a callback");
            status = 1;
            break;
        }
        double left = deadline - now_s();
        if (left <= 0) {
            logf_("timeout after %.0f s (signaling %s, ice %s, connection %s)", timeout,
                  peerc_signaling_state_to_string(peerc_pc_signaling_state(the_pc)),
                  peerc_ice_connection_state_to_string(peerc_pc_ice_connection_state(the_pc)),
                  peerc_connection_state_to_string(peerc_pc_connection_state(the_pc)));
            status = 2;
            break;
        }
        if (is_offerer && !sent && !offer_warned && now_s() - t0 > 3) {
            logf_("no negotiation-needed/offer 3 s after creating the data channel");
            offer_warned = 1;
        }
        struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
        int pr = poll(&pfd, 1, left > 0.1 ? 100 : (int)(left * 1000) + 1);
        if (pr < 0) {
            if (errno == EINTR)
                continue;
            logf_("poll: %s", strerror(errno));
            status = 1;
            break;
        }
        if (pr == 0)
            continue;
        char chunk[65536];
        ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            logf_("read stdin: %s", strerror(errno));
            status = 1;
            break;
        }
        if (n == 0) {
            logf_("stdin closed without hang-up");
            status = 3;
            break;
        }
        g_string_append_len(buf, chunk, n);
        char *nl;
        while (!status && (nl = memchr(buf->str, '\n', buf->len))) {
            *nl = '\0';
            int r = handle_line(buf->str);
            g_string_erase(buf, 0, nl - buf->str + 1);
            if (r < 0)
                status = 1;
            else if (r > 0)
                goto hang_up;
        }
    }
    goto out;

hang_up:
    pthread_mutex_lock(&lock);
    for (int i = 0; i < n_channels; i++)
        if (channels[i].tx_errors)
            status = 1;
    if (failed)
        status = 1;
    pthread_mutex_unlock(&lock);

out:
    g_string_free(buf, TRUE);
    print_stats();
    pthread_mutex_lock(&lock);
    int nch = n_channels;
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < nch; i++) {
        /* read under the lock: the worker updates the counters */
        pthread_mutex_lock(&lock);
        channel c = channels[i];
        pthread_mutex_unlock(&lock);
        logf_("channel '%s': %" PRIu64 " messages, %" PRIu64 " bytes echoed, %" PRIu64
              " send errors",
              peerc_dc_label(c.dc), c.rx_msgs, c.rx_bytes, c.tx_errors);
    }
    peerc_pc_close(the_pc);
    for (int i = 0; i < nch; i++)
        peerc_dc_free(channels[i].dc);
    peerc_pc_free(the_pc);
    peerc_ctx_free(ctx);
    g_ptr_array_free(held_candidates, TRUE);
    g_ptr_array_free(pending_candidates, TRUE);
    logf_("exit %d", status);
    return status;
}

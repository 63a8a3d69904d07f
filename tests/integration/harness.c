/* Integration test harness: two pcs, direct signalling, event recording. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

pthread_mutex_t h_lock = PTHREAD_MUTEX_INITIALIZER;

double h_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

uint32_t h_hash(uint32_t h, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ data[i]) * 16777619u; /* FNV-1a */
    return h;
}

static void push(int *arr, int *n, int v)
{
    if (*n < H_MAX_EVENTS)
        arr[(*n)++] = v;
}

/* Count events that arrive after the side freed its pc (must stay 0). */
static int after_free(h_side *s)
{
    int freed;
    pthread_mutex_lock(&h_lock);
    freed = s->freed;
    if (freed)
        s->after_free_events++;
    pthread_mutex_unlock(&h_lock);
    return freed;
}

static void on_signaling(peerc_pc *pc, peerc_signaling_state st, void *ud)
{
    h_side *s = ud;
    if (after_free(s))
        return;
    pthread_mutex_lock(&h_lock);
    push(s->signaling, &s->n_signaling, st);
    pthread_mutex_unlock(&h_lock);
}

static void on_gathering(peerc_pc *pc, peerc_ice_gathering_state st, void *ud)
{
    h_side *s = ud;
    if (after_free(s))
        return;
    pthread_mutex_lock(&h_lock);
    push(s->gathering, &s->n_gathering, st);
    pthread_mutex_unlock(&h_lock);
}

static void on_ice(peerc_pc *pc, peerc_ice_connection_state st, void *ud)
{
    h_side *s = ud;
    if (after_free(s))
        return;
    pthread_mutex_lock(&h_lock);
    push(s->ice, &s->n_ice, st);
    pthread_mutex_unlock(&h_lock);
}

static void on_conn(peerc_pc *pc, peerc_connection_state st, void *ud)
{
    h_side *s = ud;
    int free_now;
    if (after_free(s))
        return;
    pthread_mutex_lock(&h_lock);
    push(s->conn, &s->n_conn, st);
    free_now = st == PEERC_CONNECTION_CONNECTED && s->free_on_connected;
    pthread_mutex_unlock(&h_lock);
    if (free_now) {
        s->pc = NULL; /* the other side's callbacks run on this same thread */
        peerc_pc_free(pc);
        pthread_mutex_lock(&h_lock);
        s->freed = 1;
        pthread_mutex_unlock(&h_lock);
    }
}

static void on_candidate(peerc_pc *pc, const char *cand, const char *mid, int32_t idx, void *ud)
{
    h_side *s = ud;
    int trickle;
    if (after_free(s))
        return;
    pthread_mutex_lock(&h_lock);
    if (cand)
        s->candidates++;
    else
        s->end_of_candidates++;
    trickle = s->trickle;
    pthread_mutex_unlock(&h_lock);
    if (trickle && s->other && s->other->pc)
        peerc_pc_add_ice_candidate(s->other->pc, cand, mid, idx);
}

static void count_error(h_side *s, const char *what, peerc_pc *pc)
{
    fprintf(stdout, "# %s %s failed: %s\n", s->name, what, peerc_pc_last_error(pc));
    pthread_mutex_lock(&h_lock);
    s->negotiation_errors++;
    pthread_mutex_unlock(&h_lock);
}

/* Change one hex digit of the first a=fingerprint. */
static void tamper_fingerprint(char *sdp)
{
    char *fp = strstr(sdp, "a=fingerprint:sha-256 ");
    if (fp) {
        char *digit = fp + strlen("a=fingerprint:sha-256 ");
        *digit = *digit == 'A' ? 'B' : 'A';
    }
}

/* Signalling: what one side describes is applied on the other. */
static void on_local_description(peerc_pc *pc, peerc_sdp_type type, const char *sdp, void *ud)
{
    h_side *s = ud;
    peerc_pc *other;
    char *text;
    if (after_free(s) || !s->signal || !s->other || !(other = s->other->pc))
        return;
    text = s->rewrite ? s->rewrite(s, type, sdp) : NULL;
    if (!text)
        text = strdup(sdp);
    if (type == PEERC_SDP_ANSWER && s->tamper_answer)
        tamper_fingerprint(text);
    if (peerc_pc_set_remote_description(other, type, text) != PEERC_OK)
        count_error(s->other, "set_remote_description", other);
    else if (type == PEERC_SDP_OFFER &&
             peerc_pc_set_local_description(other, PEERC_SDP_ANSWER, NULL) != PEERC_OK)
        count_error(s->other, "set_local_description(answer)", other);
    free(text);
}

int h_negotiate(h_side *offerer, h_side *answerer)
{
    int rc;
    (void)answerer;
    rc = peerc_pc_set_local_description(offerer->pc, PEERC_SDP_OFFER, NULL);
    if (rc != PEERC_OK)
        fprintf(stdout, "# offer failed: %s\n", peerc_pc_last_error(offerer->pc));
    return rc;
}

static void on_negotiation_needed(peerc_pc *pc, void *ud)
{
    h_side *s = ud;
    int autoneg;
    if (after_free(s))
        return;
    pthread_mutex_lock(&h_lock);
    s->negotiation_needed++;
    autoneg = s->auto_negotiate;
    pthread_mutex_unlock(&h_lock);
    if (autoneg && peerc_pc_set_local_description(pc, PEERC_SDP_OFFER, NULL) != PEERC_OK)
        count_error(s, "set_local_description(offer)", pc);
}

static int stable_both(void *arg)
{
    h_side *a = arg;
    return a->negotiation_errors || a->other->negotiation_errors ||
           (a->n_signaling >= 2 && a->signaling[a->n_signaling - 1] == PEERC_SIGNALING_STABLE &&
            a->other->n_signaling >= 2 &&
            a->other->signaling[a->other->n_signaling - 1] == PEERC_SIGNALING_STABLE);
}

int h_wait_negotiated(h_side *a, int timeout_ms)
{
    return h_wait(stable_both, a, timeout_ms) && !a->negotiation_errors &&
           !a->other->negotiation_errors;
}

/* ---- channels */

static void dc_open(peerc_dc *dc, void *ud)
{
    h_channel *ch = ud;
    pthread_mutex_lock(&h_lock);
    ch->opened++;
    pthread_mutex_unlock(&h_lock);
}

static void dc_message(peerc_dc *dc, const uint8_t *data, size_t len, int32_t is_binary, void *ud)
{
    h_channel *ch = ud;
    pthread_mutex_lock(&h_lock);
    ch->msgs++;
    ch->bytes += len;
    if (is_binary)
        ch->binary_msgs++;
    else {
        ch->text_msgs++;
        snprintf(ch->last_text, sizeof ch->last_text, "%.*s", (int)len, (const char *)data);
    }
    ch->checksum = h_hash(ch->checksum, data, len);
    /* Messages that start with an 8-byte sequence number are checked for order. */
    if (len >= 8) {
        uint64_t seq;
        memcpy(&seq, data, 8);
        if (seq != ch->next_seq)
            ch->out_of_order++;
        ch->next_seq = seq + 1;
    }
    pthread_mutex_unlock(&h_lock);
    if (ch->side->on_message)
        ch->side->on_message(ch, data, len, is_binary);
}

static void dc_closing(peerc_dc *dc, void *ud)
{
    h_channel *ch = ud;
    pthread_mutex_lock(&h_lock);
    ch->closing++;
    pthread_mutex_unlock(&h_lock);
}

static void dc_close(peerc_dc *dc, void *ud)
{
    h_channel *ch = ud;
    pthread_mutex_lock(&h_lock);
    ch->closed++;
    pthread_mutex_unlock(&h_lock);
}

static void dc_error(peerc_dc *dc, int code, const char *msg, void *ud)
{
    h_channel *ch = ud;
    pthread_mutex_lock(&h_lock);
    ch->errors++;
    pthread_mutex_unlock(&h_lock);
}

static void dc_low(peerc_dc *dc, void *ud)
{
    h_channel *ch = ud;
    pthread_mutex_lock(&h_lock);
    ch->low_events++;
    pthread_mutex_unlock(&h_lock);
}

static void fill_callbacks(peerc_dc_callbacks *cbs_out)
{
    peerc_dc_callbacks cbs;
    peerc_dc_callbacks_init(&cbs);
    cbs.open = dc_open;
    cbs.message = dc_message;
    cbs.closing = dc_closing;
    cbs.close = dc_close;
    cbs.error = dc_error;
    cbs.buffered_amount_low = dc_low;
    *cbs_out = cbs;
}

static void attach(h_channel *ch)
{
    peerc_dc_callbacks cbs;
    fill_callbacks(&cbs);
    peerc_dc_set_callbacks(ch->dc, &cbs, ch);
}

/* Local channels live in the upper half of the table, remote ones below. */
int h_create_channel(h_side *side, const char *label, peerc_dc_options *opts, h_channel **out)
{
    static int next_local[2];
    peerc_dc_options defaults;
    peerc_dc_callbacks cbs;
    peerc_dc *dc = NULL;
    h_channel *ch;
    int rc;
    if (!opts) {
        peerc_dc_options_init(&defaults);
        opts = &defaults;
    }
    pthread_mutex_lock(&h_lock);
    ch = &side->channels[H_MAX_CHANNELS / 2 + next_local[side->name[0] == 'b']++];
    ch->side = side;
    pthread_mutex_unlock(&h_lock);
    fill_callbacks(&cbs);
    opts->callbacks = &cbs;
    opts->user_data = ch;
    rc = peerc_pc_create_data_channel(side->pc, label, opts, &dc);
    pthread_mutex_lock(&h_lock);
    ch->dc = dc;
    pthread_mutex_unlock(&h_lock);
    if (out)
        *out = ch;
    return rc;
}

static void on_data_channel(peerc_pc *pc, peerc_dc *dc, void *ud)
{
    h_side *s = ud;
    h_channel *ch;
    if (after_free(s)) {
        peerc_dc_free(dc);
        return;
    }
    pthread_mutex_lock(&h_lock);
    if (s->n_channels >= H_MAX_CHANNELS / 2) {
        pthread_mutex_unlock(&h_lock);
        peerc_dc_free(dc);
        return;
    }
    ch = &s->channels[s->n_channels++];
    ch->side = s;
    ch->dc = dc;
    pthread_mutex_unlock(&h_lock);
    attach(ch);
}

static void on_track(peerc_pc *pc, peerc_transceiver *t, peerc_track *track,
                     const char *const *streams, size_t n, void *ud)
{
    h_side *s = ud;
    (void)pc;
    if (after_free(s))
        return;
    pthread_mutex_lock(&h_lock);
    s->tracks++;
    pthread_mutex_unlock(&h_lock);
    if (s->on_track)
        s->on_track(s, t, track, streams, n);
}

static void on_remove_track(peerc_pc *pc, peerc_transceiver *t, peerc_track *track, void *ud)
{
    h_side *s = ud;
    (void)pc;
    if (after_free(s))
        return;
    pthread_mutex_lock(&h_lock);
    s->removed_tracks++;
    pthread_mutex_unlock(&h_lock);
    if (s->on_remove_track)
        s->on_remove_track(s, t, track);
}

int h_side_init(h_side *side, peerc_ctx *ctx, const char *name)
{
    peerc_pc_config cfg;
    peerc_pc_callbacks cbs;
    memset(side, 0, sizeof *side);
    side->name = name;
    side->trickle = 1;
    side->auto_negotiate = 1;
    side->signal = 1;
    peerc_pc_config_init(&cfg);
    cfg.local_addresses = "127.0.0.1";
    peerc_pc_callbacks_init(&cbs);
    cbs.signaling_state_change = on_signaling;
    cbs.ice_gathering_state_change = on_gathering;
    cbs.ice_connection_state_change = on_ice;
    cbs.connection_state_change = on_conn;
    cbs.ice_candidate = on_candidate;
    cbs.negotiation_needed = on_negotiation_needed;
    cbs.data_channel = on_data_channel;
    cbs.local_description = on_local_description;
    cbs.track = on_track;
    cbs.remove_track = on_remove_track;
    return peerc_pc_new(ctx, &cfg, &cbs, side, &side->pc);
}

void h_pair(h_side *a, h_side *b)
{
    a->other = b;
    b->other = a;
}

int h_wait(int (*cond)(void *arg), void *arg, int timeout_ms)
{
    double end = h_now_ms() + timeout_ms;
    for (;;) {
        int ok;
        pthread_mutex_lock(&h_lock);
        ok = cond(arg);
        pthread_mutex_unlock(&h_lock);
        if (ok)
            return 1;
        if (h_now_ms() > end)
            return 0;
        usleep(2000);
    }
}

static int last_is(const int *arr, int n, int v)
{
    return n > 0 && arr[n - 1] == v;
}

static int both_connected(void *arg)
{
    h_side *a = arg;
    return last_is(a->conn, a->n_conn, PEERC_CONNECTION_CONNECTED) &&
           last_is(a->other->conn, a->other->n_conn, PEERC_CONNECTION_CONNECTED);
}

int h_wait_connected(h_side *a, h_side *b, int timeout_ms)
{
    (void)b;
    return h_wait(both_connected, a, timeout_ms);
}

void h_side_free(h_side *side)
{
    for (int i = 0; i < H_MAX_CHANNELS; i++) {
        peerc_dc *dc;
        pthread_mutex_lock(&h_lock);
        dc = side->channels[i].dc;
        side->channels[i].dc = NULL;
        pthread_mutex_unlock(&h_lock);
        peerc_dc_free(dc);
    }
    peerc_pc_free(side->pc);
    side->pc = NULL;
}

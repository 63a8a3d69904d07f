/*
 * loopback-demo: two peer connections in one process connect over
 * loopback, open a data channel and exchange messages.  It prints the
 * states each side passes through and a one-line summary.
 *
 *   loopback-demo [messages] [message-size]
 *
 * The "signalling" here is direct: each side's callbacks hand the offer,
 * answer and candidates straight to the other pc.
 */
#include <peerc/peerc.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct side {
    const char *name;
    peerc_pc *pc;
    struct side *other;
} side;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int connected_sides, failed;
static uint64_t received_msgs, received_bytes, total_msgs, msg_size, sent_msgs;
static double t_start, t_connected, t_first_byte, t_done;
static peerc_dc *sender_dc, *receiver_dc;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void signal_main(void)
{
    pthread_cond_broadcast(&cond);
}

/* ---- signalling, done in-process */

static void on_negotiation_needed(peerc_pc *pc, void *ud)
{
    side *s = ud;
    char *offer = NULL, *answer = NULL;
    if (peerc_pc_create_offer(pc, NULL, &offer) != PEERC_OK ||
        peerc_pc_set_local_description(pc, PEERC_SDP_OFFER, offer) != PEERC_OK ||
        peerc_pc_set_remote_description(s->other->pc, PEERC_SDP_OFFER, offer) != PEERC_OK ||
        peerc_pc_create_answer(s->other->pc, &answer) != PEERC_OK ||
        peerc_pc_set_local_description(s->other->pc, PEERC_SDP_ANSWER, answer) != PEERC_OK ||
        peerc_pc_set_remote_description(pc, PEERC_SDP_ANSWER, answer) != PEERC_OK) {
        fprintf(stderr, "negotiation failed: %s / %s\n", peerc_pc_last_error(pc),
                peerc_pc_last_error(s->other->pc));
        failed = 1;
        signal_main();
    }
    peerc_free(offer);
    peerc_free(answer);
}

static void on_ice_candidate(peerc_pc *pc, const char *candidate, const char *mid, int32_t index,
                             void *ud)
{
    side *s = ud;
    peerc_pc_add_ice_candidate(s->other->pc, candidate, mid, index);
}

/* ---- states */

static void on_signaling(peerc_pc *pc, peerc_signaling_state st, void *ud)
{
    printf("%-6s signaling       %s\n", ((side *)ud)->name, peerc_signaling_state_to_string(st));
}

static void on_gathering(peerc_pc *pc, peerc_ice_gathering_state st, void *ud)
{
    printf("%-6s ice gathering   %s\n", ((side *)ud)->name, peerc_ice_gathering_state_to_string(st));
}

static void on_ice(peerc_pc *pc, peerc_ice_connection_state st, void *ud)
{
    printf("%-6s ice connection  %s\n", ((side *)ud)->name, peerc_ice_connection_state_to_string(st));
}

static void on_connection(peerc_pc *pc, peerc_connection_state st, void *ud)
{
    printf("%-6s connection      %s\n", ((side *)ud)->name, peerc_connection_state_to_string(st));
    pthread_mutex_lock(&lock);
    if (st == PEERC_CONNECTION_CONNECTED && ++connected_sides == 2)
        t_connected = now_ms();
    if (st == PEERC_CONNECTION_FAILED)
        failed = 1;
    signal_main();
    pthread_mutex_unlock(&lock);
}

/* ---- data */

static void pump(peerc_dc *dc)
{
    static uint8_t *payload;
    uint64_t buffered = 0;
    if (!payload) {
        payload = malloc(msg_size);
        for (uint64_t i = 0; i < msg_size; i++)
            payload[i] = (uint8_t)i;
    }
    /* Keep a few MiB in flight, refill on buffered_amount_low. */
    while (sent_msgs < total_msgs && peerc_dc_buffered_amount(dc, &buffered) == PEERC_OK &&
           buffered < 4u << 20) {
        if (peerc_dc_send_binary(dc, payload, msg_size) != PEERC_OK)
            break;
        sent_msgs++;
    }
    if (sent_msgs == total_msgs) {
        free(payload);
        payload = NULL;
    }
}

static void on_open(peerc_dc *dc, void *ud)
{
    printf("%-6s channel \"%s\" open (id %d)\n", (const char *)ud, peerc_dc_label(dc), peerc_dc_id(dc));
    if (strcmp(ud, "caller") == 0) { /* the sending side */
        t_first_byte = now_ms();
        pump(dc);
    }
}

static void on_low(peerc_dc *dc, void *ud)
{
    pump(dc);
}

static void on_message(peerc_dc *dc, const uint8_t *data, size_t len, int32_t is_binary, void *ud)
{
    pthread_mutex_lock(&lock);
    received_msgs++;
    received_bytes += len;
    if (received_msgs == total_msgs) {
        t_done = now_ms();
        signal_main();
    }
    pthread_mutex_unlock(&lock);
}

static void on_data_channel(peerc_pc *pc, peerc_dc *dc, void *ud)
{
    peerc_dc_callbacks cbs;
    peerc_dc_callbacks_init(&cbs);
    cbs.open = on_open;
    cbs.message = on_message;
    pthread_mutex_lock(&lock);
    receiver_dc = dc;
    pthread_mutex_unlock(&lock);
    peerc_dc_set_callbacks(dc, &cbs, (void *)"callee");
}

static int make_side(peerc_ctx *ctx, side *s)
{
    peerc_pc_config cfg;
    peerc_pc_callbacks cbs;
    peerc_pc_config_init(&cfg);
    cfg.local_addresses = "127.0.0.1";
    peerc_pc_callbacks_init(&cbs);
    cbs.negotiation_needed = on_negotiation_needed;
    cbs.ice_candidate = on_ice_candidate;
    cbs.signaling_state_change = on_signaling;
    cbs.ice_gathering_state_change = on_gathering;
    cbs.ice_connection_state_change = on_ice;
    cbs.connection_state_change = on_connection;
    cbs.data_channel = on_data_channel;
    return peerc_pc_new(ctx, &cfg, &cbs, s, &s->pc);
}

int main(int argc, char **argv)
{
    peerc_ctx *ctx;
    side caller = {"caller"}, callee = {"callee"};
    peerc_dc_callbacks dcb;
    peerc_dc_options opts;
    struct timespec deadline;
    int rc;
    total_msgs = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000;
    msg_size = argc > 2 ? strtoull(argv[2], NULL, 10) : 16384;
    caller.other = &callee;
    callee.other = &caller;
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("peerc %s loopback demo: %" PRIu64 " messages of %" PRIu64 " bytes\n",
           peerc_version_string(), total_msgs, msg_size);

    if ((rc = peerc_ctx_new(&ctx)) != PEERC_OK || (rc = make_side(ctx, &caller)) != PEERC_OK ||
        (rc = make_side(ctx, &callee)) != PEERC_OK) {
        fprintf(stderr, "setup failed: %s\n", peerc_strerror(rc));
        return 1;
    }
    t_start = now_ms();
    /* Creating the first channel fires negotiation_needed on the caller. */
    peerc_dc_callbacks_init(&dcb);
    dcb.open = on_open;
    dcb.buffered_amount_low = on_low;
    peerc_dc_options_init(&opts);
    opts.callbacks = &dcb;
    opts.user_data = (void *)"caller";
    rc = peerc_pc_create_data_channel(caller.pc, "bulk", &opts, &sender_dc);
    if (rc != PEERC_OK) {
        fprintf(stderr, "create_data_channel: %s\n", peerc_pc_last_error(caller.pc));
        return 1;
    }
    peerc_dc_set_buffered_amount_low_threshold(sender_dc, 1u << 20);

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 60;
    pthread_mutex_lock(&lock);
    while (!failed && !t_done && pthread_cond_timedwait(&cond, &lock, &deadline) == 0)
        ;
    pthread_mutex_unlock(&lock);

    if (t_done) {
        double secs = (t_done - t_first_byte) / 1e3;
        printf("summary: connected in %.1f ms, %" PRIu64 " messages (%.1f MB) in %.2f s, %.1f MB/s\n",
               t_connected - t_start, received_msgs, received_bytes / 1e6, secs,
               received_bytes / 1e6 / secs);
    } else {
        printf("summary: FAILED (%" PRIu64 " of %" PRIu64 " messages received)\n", received_msgs,
               total_msgs);
    }
    peerc_dc_free(sender_dc);
    peerc_dc_free(receiver_dc);
    peerc_pc_free(caller.pc);
    peerc_pc_free(callee.pc);
    peerc_ctx_free(ctx);
    return t_done ? 0 : 1;
}

/*
 * Misuse and hostile input at the API: bad arguments, garbage SDP, calls in
 * the wrong state, a wrong DTLS fingerprint, closing twice, calls after
 * close, and freeing a pc from inside its own callback.
 */
#include "harness.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static int cond_last_conn(void *arg)
{
    void **p = arg;
    h_side *s = p[0];
    return s->n_conn > 0 && s->conn[s->n_conn - 1] == (int)(intptr_t)p[1];
}

static int wait_conn(h_side *s, peerc_connection_state st, int ms)
{
    void *arg[2] = {s, (void *)(intptr_t)st};
    return h_wait(cond_last_conn, arg, ms);
}

static int ever_connected(h_side *s)
{
    int seen = 0;
    pthread_mutex_lock(&h_lock);
    for (int i = 0; i < s->n_conn; i++)
        seen |= s->conn[i] == PEERC_CONNECTION_CONNECTED;
    pthread_mutex_unlock(&h_lock);
    return seen;
}

static void test_bad_arguments(peerc_ctx *ctx)
{
    peerc_pc *pc = NULL;
    peerc_pc_config cfg;
    peerc_ice_server srv = {"stun:", NULL, NULL};
    char *sdp = NULL;
    peerc_dc *dc = NULL;
    peerc_dc_options o;

    is_int(peerc_pc_new(NULL, NULL, NULL, NULL, &pc), PEERC_E_INVALID_ARGUMENT, "pc_new without ctx");
    is_int(peerc_pc_new(ctx, NULL, NULL, NULL, NULL), PEERC_E_INVALID_ARGUMENT, "pc_new without out");
    peerc_pc_config_init(&cfg);
    cfg.ice_servers = &srv;
    cfg.n_ice_servers = 1;
    is_int(peerc_pc_new(ctx, &cfg, NULL, NULL, &pc), PEERC_E_SYNTAX, "stun URL without host");
    srv.urls = "http://example.org";
    is_int(peerc_pc_new(ctx, &cfg, NULL, NULL, &pc), PEERC_E_SYNTAX, "URL with a wrong scheme");
    srv.urls = "turn:127.0.0.1:3478?transport=tcp";
    is_int(peerc_pc_new(ctx, &cfg, NULL, NULL, &pc), PEERC_E_INVALID_ARGUMENT, "turn without credentials");
    srv.urls = "stun:127.0.0.1:99999";
    is_int(peerc_pc_new(ctx, &cfg, NULL, NULL, &pc), PEERC_E_SYNTAX, "port out of range");
    peerc_pc_config_init(&cfg);
    cfg.port_min = 5000;
    cfg.port_max = 4000;
    is_int(peerc_pc_new(ctx, &cfg, NULL, NULL, &pc), PEERC_E_INVALID_ARGUMENT, "inverted port range");
    peerc_pc_config_init(&cfg);
    cfg.certificate_pem = "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n";
    cfg.private_key_pem = "garbage";
    ok(peerc_pc_new(ctx, &cfg, NULL, NULL, &pc) < 0, "garbage PEM certificate refused");
    ok(pc == NULL, "no pc on failure");

    peerc_pc_config_init(&cfg);
    cfg.local_addresses = "127.0.0.1";
    is_int(peerc_pc_new(ctx, &cfg, NULL, NULL, &pc), PEERC_OK, "pc with defaults and no callbacks");
    is_int(peerc_pc_create_offer(pc, NULL, NULL), PEERC_E_INVALID_ARGUMENT, "create_offer without out");
    is_int(peerc_pc_create_offer(NULL, NULL, &sdp), PEERC_E_INVALID_ARGUMENT, "create_offer on NULL");
    is_int(peerc_pc_set_remote_description(pc, (peerc_sdp_type)99, "v=0"), PEERC_E_INVALID_ARGUMENT,
           "unknown sdp type");
    is_int(peerc_pc_set_remote_description(pc, PEERC_SDP_OFFER, "this is not SDP"), PEERC_E_SYNTAX,
           "garbage SDP");
    ok(strstr(peerc_pc_last_error(pc), "line 1") != NULL, "error names the line: %s",
       peerc_pc_last_error(pc));
    is_int(peerc_pc_set_remote_description(pc, PEERC_SDP_OFFER, NULL), PEERC_E_INVALID_ARGUMENT,
           "NULL offer");
    is_int(peerc_pc_set_remote_description(pc, PEERC_SDP_OFFER,
                                           "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
                                           "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                                           "c=IN IP4 0.0.0.0\r\na=mid:0\r\na=sctp-port:5000\r\n"),
           PEERC_E_OPERATION, "offer without ICE credentials or fingerprint");
    diag("%s", peerc_pc_last_error(pc));
    is_int(peerc_pc_set_remote_description(pc, PEERC_SDP_ANSWER,
                                           "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"),
           PEERC_E_INVALID_STATE, "answer while stable -> InvalidStateError");
    is_int(peerc_pc_create_answer(pc, &sdp), PEERC_E_INVALID_STATE, "create_answer while stable");
    is_int(peerc_pc_add_ice_candidate(pc, "candidate:1 1 udp 1 127.0.0.1 9 typ host", "0", 0),
           PEERC_E_INVALID_STATE, "add_ice_candidate before a remote description");
    is_int(peerc_pc_set_local_description(pc, PEERC_SDP_ANSWER, NULL), PEERC_E_INVALID_STATE,
           "implicit answer while stable");
    is_int(peerc_pc_set_remote_description(pc, PEERC_SDP_ROLLBACK, NULL), PEERC_E_INVALID_STATE,
           "rollback while stable");

    peerc_dc_options_init(&o);
    o.max_retransmits = 1;
    o.max_packet_life_time = 1;
    is_int(peerc_pc_create_data_channel(pc, "x", &o, &dc), PEERC_E_INVALID_ARGUMENT,
           "both reliability limits");
    peerc_dc_options_init(&o);
    o.negotiated = 1;
    o.id = 65535;
    is_int(peerc_pc_create_data_channel(pc, "x", &o, &dc), PEERC_E_INVALID_ARGUMENT, "id 65535");
    is_int(peerc_pc_create_data_channel(pc, NULL, NULL, &dc), PEERC_E_INVALID_ARGUMENT, "NULL label");
    is_int(peerc_dc_send_text(NULL, "x"), PEERC_E_INVALID_ARGUMENT, "send on NULL channel");

    /* An offer/rollback round trip. */
    is_int(peerc_pc_set_local_description(pc, PEERC_SDP_OFFER, NULL), PEERC_OK, "implicit offer");
    is_int(peerc_pc_signaling_state(pc), PEERC_SIGNALING_HAVE_LOCAL_OFFER, "have-local-offer");
    is_int(peerc_pc_create_answer(pc, &sdp), PEERC_E_INVALID_STATE, "create_answer in have-local-offer");
    is_int(peerc_pc_set_local_description(pc, PEERC_SDP_ROLLBACK, NULL), PEERC_OK, "rollback");
    is_int(peerc_pc_signaling_state(pc), PEERC_SIGNALING_STABLE, "stable after rollback");

    is_int(peerc_pc_close(pc), PEERC_OK, "close");
    is_int(peerc_pc_close(pc), PEERC_OK, "close twice");
    is_int(peerc_pc_create_offer(pc, NULL, &sdp), PEERC_E_INVALID_STATE, "create_offer after close");
    is_int(peerc_pc_set_local_description(pc, PEERC_SDP_OFFER, NULL), PEERC_E_INVALID_STATE,
           "set_local_description after close");
    is_int(peerc_pc_create_data_channel(pc, "late", NULL, &dc), PEERC_E_INVALID_STATE,
           "create_data_channel after close");
    is_int(peerc_pc_restart_ice(pc), PEERC_E_INVALID_STATE, "restart_ice after close");
    peerc_pc_free(pc);
    peerc_pc_free(NULL);
    peerc_dc_free(NULL);
    ok(strcmp(peerc_strerror(PEERC_E_INVALID_STATE), "") != 0, "strerror text");
    is_str(peerc_error_name(PEERC_E_INVALID_STATE), "InvalidStateError", "W3C error name");
    ok(peerc_strerror(12345) != NULL, "strerror of an unknown code is not NULL");
}

static void test_wrong_fingerprint(peerc_ctx *ctx)
{
    h_side a, b;
    peerc_dc *dc;
    h_side_init(&a, ctx, "a");
    h_side_init(&b, ctx, "b");
    h_pair(&a, &b);
    b.auto_negotiate = 0;
    b.tamper_answer = 1; /* one hex digit of b's fingerprint changes on the way */
    is_int(peerc_pc_create_data_channel(a.pc, "x", NULL, &dc), PEERC_OK, "channel triggers negotiation");
    ok(h_wait_negotiated(&a, 5000), "tampered answer is accepted as well-formed");
    ok(wait_conn(&a, PEERC_CONNECTION_FAILED, 15000), "wrong fingerprint: offerer connection failed");
    ok(wait_conn(&b, PEERC_CONNECTION_FAILED, 15000), "the other side fails too");
    ok(!ever_connected(&a) && !ever_connected(&b), "never connected");
    peerc_dc_free(dc);
    h_side_free(&a);
    h_side_free(&b);
}

/* Hand every a=candidate of from's local description to `to`. */
static int copy_candidates(peerc_pc *from, peerc_pc *to)
{
    char *sdp = NULL, *line, *save = NULL;
    int n = 0;
    if (peerc_pc_get_description(from, PEERC_DESCRIPTION_LOCAL, NULL, &sdp) != PEERC_OK)
        return 0;
    for (line = strtok_r(sdp, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save))
        if (strncmp(line, "a=candidate:", 12) == 0 &&
            peerc_pc_add_ice_candidate(to, line + 2, NULL, 0) == PEERC_OK)
            n++;
    peerc_free(sdp);
    return n;
}

static int cond_gathered(void *arg)
{
    h_side *s = arg;
    return s->end_of_candidates && s->other->end_of_candidates;
}

/* pranswer and rollback on both sides (W3C 4.4.1.5/6), driven by hand. */
static void test_pranswer_and_rollback(peerc_ctx *ctx)
{
    h_side a, b;
    char *offer = NULL, *answer = NULL;
    peerc_dc *dc;
    h_side_init(&a, ctx, "a");
    h_side_init(&b, ctx, "b");
    h_pair(&a, &b);
    a.auto_negotiate = b.auto_negotiate = 0;
    a.signal = b.signal = 0;
    a.trickle = b.trickle = 0; /* candidates go over with the descriptions below */
    peerc_pc_create_data_channel(a.pc, "x", NULL, &dc);
    peerc_pc_create_offer(a.pc, NULL, &offer);
    is_int(peerc_pc_set_local_description(a.pc, PEERC_SDP_OFFER, offer), PEERC_OK, "a: local offer");
    is_int(peerc_pc_set_remote_description(b.pc, PEERC_SDP_OFFER, offer), PEERC_OK, "b: remote offer");
    is_int(peerc_pc_set_remote_description(b.pc, PEERC_SDP_ROLLBACK, NULL), PEERC_OK, "b: remote rollback");
    is_int(peerc_pc_signaling_state(b.pc), PEERC_SIGNALING_STABLE, "b: stable again");
    is_int(peerc_pc_set_remote_description(b.pc, PEERC_SDP_OFFER, offer), PEERC_OK, "b: remote offer again");
    peerc_pc_create_answer(b.pc, &answer);
    is_int(peerc_pc_set_local_description(b.pc, PEERC_SDP_PRANSWER, answer), PEERC_OK, "b: local pranswer");
    is_int(peerc_pc_signaling_state(b.pc), PEERC_SIGNALING_HAVE_LOCAL_PRANSWER, "b: have-local-pranswer");
    is_int(peerc_pc_set_remote_description(a.pc, PEERC_SDP_PRANSWER, answer), PEERC_OK, "a: remote pranswer");
    is_int(peerc_pc_signaling_state(a.pc), PEERC_SIGNALING_HAVE_REMOTE_PRANSWER, "a: have-remote-pranswer");
    is_int(peerc_pc_set_local_description(b.pc, PEERC_SDP_ANSWER, answer), PEERC_OK, "b: final answer");
    is_int(peerc_pc_set_remote_description(a.pc, PEERC_SDP_ANSWER, answer), PEERC_OK, "a: final answer");
    is_int(peerc_pc_signaling_state(a.pc), PEERC_SIGNALING_STABLE, "a: stable");
    is_int(peerc_pc_signaling_state(b.pc), PEERC_SIGNALING_STABLE, "b: stable");
    ok(h_wait(cond_gathered, &a, 5000), "both gathered");
    ok(copy_candidates(a.pc, b.pc) > 0 && copy_candidates(b.pc, a.pc) > 0,
       "candidates read from the local descriptions");
    ok(h_wait_connected(&a, &b, 10000), "connected after a pranswer round");
    peerc_free(offer);
    peerc_free(answer);
    peerc_dc_free(dc);
    h_side_free(&a);
    h_side_free(&b);
}

static int cond_freed(void *arg)
{
    return ((h_side *)arg)->freed;
}

static void test_free_in_callback(peerc_ctx *ctx)
{
    h_side fa, fb;
    peerc_dc *dc;
    h_side_init(&fa, ctx, "a");
    h_side_init(&fb, ctx, "b");
    h_pair(&fa, &fb);
    fa.free_on_connected = 1;
    fa.trickle = 0; /* fb learns fa's address from its checks (peer-reflexive) */
    fb.auto_negotiate = 0;
    is_int(peerc_pc_create_data_channel(fa.pc, "x", NULL, &dc), PEERC_OK, "channel triggers negotiation");
    ok(h_wait(cond_freed, &fa, 15000), "pc freed from inside its connection_state_change");
    h_wait(cond_freed, &fb, 500); /* give late events (if any) time to surface */
    is_int(fa.after_free_events, 0, "no callback after free");
    is_int(peerc_dc_send_text(dc, "x"), PEERC_E_INVALID_STATE, "channel of a freed pc is inert");
    peerc_dc_free(dc);
    fb.other = NULL;
    h_side_free(&fb);
}

int main(void)
{
    peerc_ctx *ctx;
    is_int(peerc_ctx_new(&ctx), PEERC_OK, "ctx");
    test_bad_arguments(ctx);
    test_wrong_fingerprint(ctx);
    test_pranswer_and_rollback(ctx);
    test_free_in_callback(ctx);
    peerc_ctx_free(ctx);
    peerc_ctx_free(NULL);
    return done_testing();
}

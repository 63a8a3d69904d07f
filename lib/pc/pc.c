/* Peer connection lifecycle, configuration, and the marshalling of public
 * calls onto the worker thread. */
#include "pc/pc_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/sized.h"
#include "dtls/cert.h"
#include "pc/media_internal.h"

/* Last-error text, per calling thread (see peerc_pc_last_error). */
static __thread char last_error_text[PEERC_ERRBUF_SIZE];
static __thread const peerc_pc *last_error_pc;

static void set_last_error(const peerc_pc *pc, const char *text)
{
    last_error_pc = pc;
    snprintf(last_error_text, sizeof last_error_text, "%s", text ? text : "");
}

const char *peerc_pc_last_error(peerc_pc *pc)
{
    return pc && pc == last_error_pc ? last_error_text : "";
}

int peerc__pc_fail(peerc_pc *pc, int code, const char *fmt, ...)
{
    char text[PEERC_ERRBUF_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    set_last_error(pc, text);
    return code;
}

static int run_on_worker(void *arg)
{
    pc_call *call = arg;
    return call->fn(call);
}

int peerc__pc_run(pc_call *call)
{
    int rc;
    call->err[0] = 0;
    rc = peerc__ctx_call(call->pc->ctx, run_on_worker, call);
    if (rc < 0) {
        if (!call->err[0])
            snprintf(call->err, sizeof call->err, "%s", peerc_strerror(rc));
        set_last_error(call->pc, call->err);
        PEERC_DEBUG("pc", "%p call failed: %s (%s)", (void *)call->pc, peerc_error_name(rc), call->err);
    }
    return rc;
}

/* ------------------------------------------------------------ references */

void peerc__pc_ref(peerc_pc *pc)
{
    g_atomic_int_inc(&pc->refs);
}

static void destroy(peerc_pc *pc)
{
    peerc__pc_media_free(pc);
    peerc__pc_transport_free(pc);
    peerc__pc_free_descriptions(pc);
    g_queue_clear_full(&pc->held_gathering, g_free);
    g_ptr_array_free(pc->local_candidates, TRUE);
    g_ptr_array_free(pc->channels, TRUE);
    peerc__cert_unref(pc->cert);
    g_free(pc->ice_urls);
    g_free(pc->local_addresses);
    g_free(pc->remote_fp_alg);
    g_free(pc->remote_fp);
    PEERC_DEBUG("pc", "%p destroyed", (void *)pc);
    free(pc);
}

void peerc__pc_unref(peerc_pc *pc)
{
    if (g_atomic_int_dec_and_test(&pc->refs))
        destroy(pc);
}

gboolean peerc__pc_live(const peerc_pc *pc)
{
    return !pc->user_freed && !pc->closed;
}

static void teardown_task(void *arg)
{
    peerc__pc_transport_free(arg);
}

static void teardown_done(void *arg)
{
    peerc__pc_unref(arg);
}

/* Component objects are freed outside of their own callbacks. */
static void schedule_teardown(peerc_pc *pc)
{
    if (pc->dispatch_depth == 0) {
        peerc__pc_transport_free(pc);
        return;
    }
    if (pc->teardown_posted)
        return;
    pc->teardown_posted = TRUE;
    peerc__pc_ref(pc);
    peerc__ctx_post(pc->ctx, teardown_task, pc, teardown_done);
}

void peerc__pc_enter(peerc_pc *pc)
{
    peerc__pc_ref(pc);
    pc->dispatch_depth++;
}

void peerc__pc_leave(peerc_pc *pc)
{
    pc->dispatch_depth--;
    peerc__pc_unref(pc);
}

/* ------------------------------------------------------------- lifecycle */

int peerc_pc_config_init_sized(peerc_pc_config *config, size_t size)
{
    peerc_pc_config d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    d.enable_ipv6 = 1;
    d.enable_ice_tcp = 1;
    d.enable_ice_udp = 1;
    d.max_message_size = 262144;
    return peerc__init_sized(config, size, &d, sizeof d);
}

int peerc_pc_callbacks_init_sized(peerc_pc_callbacks *callbacks, size_t size)
{
    peerc_pc_callbacks d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    return peerc__init_sized(callbacks, size, &d, sizeof d);
}

int peerc_offer_options_init_sized(peerc_offer_options *options, size_t size)
{
    peerc_offer_options d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    return peerc__init_sized(options, size, &d, sizeof d);
}

/* Copy the caller's struct honouring its size: fields it does not know
 * keep their defaults. */
static void copy_sized(void *dst, size_t dst_size, const void *src)
{
    size_t n = src ? *(const size_t *)src : 0;
    if (n > dst_size)
        n = dst_size;
    if (n > sizeof(size_t))
        memcpy((char *)dst + sizeof(size_t), (const char *)src + sizeof(size_t), n - sizeof(size_t));
}

static int parse_ice_servers(peerc_pc *pc, const peerc_pc_config *cfg, char *err, size_t errlen)
{
    GArray *urls = g_array_new(FALSE, TRUE, sizeof(peerc_ice_url));
    int rc = PEERC_OK;
    for (size_t i = 0; i < cfg->n_ice_servers && rc == PEERC_OK; i++) {
        const peerc_ice_server *srv = &cfg->ice_servers[i];
        gchar **list = g_strsplit_set(srv->urls ? srv->urls : "", " ,", -1);
        gboolean any = FALSE;
        for (gchar **u = list; *u && rc == PEERC_OK; u++) {
            peerc_ice_url url;
            if (!**u)
                continue;
            any = TRUE;
            rc = peerc__ice_url_parse(*u, srv->username, srv->credential, &url, err, errlen);
            if (rc == PEERC_OK)
                rc = peerc__ice_url_resolve(&url, err, errlen);
            if (rc == PEERC_OK && url.kind == PEERC_ICE_URL_TURN_TLS)
                PEERC_WARN("ice", "%s: libnice 0.1.21 has no TLS client, so TURN runs over plain "
                           "TCP to this port (messages stay HMAC-protected and application "
                           "data DTLS-encrypted, but a TLS-only server will refuse it)", *u);
            if (rc == PEERC_OK)
                g_array_append_val(urls, url);
        }
        g_strfreev(list);
        if (!any && rc == PEERC_OK)
            rc = peerc__errorf(err, errlen, PEERC_E_SYNTAX, "ICE server %zu has no URL", i);
    }
    pc->n_ice_urls = urls->len;
    pc->ice_urls = (peerc_ice_url *)g_array_free(urls, FALSE);
    return rc;
}

static int validate_config(const peerc_pc_config *c, char *err, size_t errlen)
{
    if (c->n_ice_servers && !c->ice_servers)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "ice_servers is NULL");
    if ((unsigned)c->ice_transport_policy > PEERC_ICE_TRANSPORT_POLICY_RELAY)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "bad ice_transport_policy");
    if ((unsigned)c->bundle_policy > PEERC_BUNDLE_POLICY_MAX_BUNDLE)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "bad bundle_policy");
    if (c->rtcp_mux_policy != PEERC_RTCP_MUX_POLICY_REQUIRE)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "bad rtcp_mux_policy");
    if (c->port_max && c->port_min > c->port_max)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "port_min > port_max");
    if (!c->certificate_pem != !c->private_key_pem)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "certificate_pem and private_key_pem go together");
    if (!c->enable_ice_udp && !c->enable_ice_tcp)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "enable_ice_udp and enable_ice_tcp are both 0");
    if (c->max_message_size && c->max_message_size < 1024)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "max_message_size below 1024");
    return PEERC_OK;
}

static int setup_identity(peerc_pc *pc, const peerc_pc_config *cfg, char *err, size_t errlen)
{
    if (cfg->certificate_pem)
        return peerc__cert_from_pem(cfg->certificate_pem, cfg->private_key_pem, &pc->cert, err,
                                    errlen);
    return peerc__cert_generate(&pc->cert);
}

static void shutdown_from_ctx(void *obj)
{
    peerc_pc *pc = obj;
    /* ctx is going away: behave as peerc_pc_free, minus the membership. */
    pc->user_freed = TRUE;
    pc->closed = TRUE;
    peerc__pc_channels_detach(pc);
    peerc__pc_media_stop(pc);
    peerc__pc_transport_free(pc);
    peerc__pc_unref(pc);
}

static int init_on_worker(pc_call *call)
{
    return peerc__pc_transport_init(call->pc, call->err, sizeof call->err);
}

int peerc_pc_new(peerc_ctx *ctx, const peerc_pc_config *config,
                 const peerc_pc_callbacks *callbacks, void *user_data, peerc_pc **out)
{
    peerc_pc *pc;
    char err[PEERC_ERRBUF_SIZE] = "";
    pc_call call = {0};
    int rc;
    if (!out)
        return PEERC_E_INVALID_ARGUMENT;
    *out = NULL;
    if (!ctx)
        return PEERC_E_INVALID_ARGUMENT;
    if ((config && config->size < sizeof(size_t) * 2) ||
        (callbacks && callbacks->size < sizeof(size_t) + sizeof(void *)))
        return PEERC_E_INVALID_ARGUMENT; /* size not set: forgot the _init call */
    pc = calloc(1, sizeof *pc);
    if (!pc)
        return PEERC_E_NO_MEMORY;
    pc->refs = 1;
    pc->ctx = ctx;
    peerc_pc_config_init(&pc->config);
    copy_sized(&pc->config, sizeof pc->config, config);
    peerc_pc_callbacks_init(&pc->cbs);
    copy_sized(&pc->cbs, sizeof pc->cbs, callbacks);
    pc->user_data = user_data;
    pc->local_candidates = g_ptr_array_new_with_free_func(g_free);
    pc->channels = g_ptr_array_new();
    pc->transceivers = g_ptr_array_new();
    pc->ssrc_map = g_hash_table_new(g_direct_hash, g_direct_equal);
    do
        pc->rtcp_ssrc = g_random_int();
    while (pc->rtcp_ssrc == 0);
    for (size_t i = 0; i < 16; i++)
        pc->cname[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[g_random_int_range(0, 64)];
    pc->session_id = g_random_int() & 0x7fffffff;
    pc->session_id = (pc->session_id << 31) | g_random_int();
    pc->remote_max_message_size = 65536;
    if (!pc->config.max_message_size)
        pc->config.max_message_size = 262144;

    rc = validate_config(&pc->config, err, sizeof err);
    if (rc == PEERC_OK)
        rc = parse_ice_servers(pc, &pc->config, err, sizeof err);
    if (rc == PEERC_OK)
        rc = setup_identity(pc, &pc->config, err, sizeof err);
    pc->local_addresses = g_strdup(pc->config.local_addresses);
    /* The caller's pointers must not be kept. */
    pc->config.ice_servers = NULL;
    pc->config.n_ice_servers = 0;
    pc->config.certificate_pem = pc->config.private_key_pem = NULL;
    pc->config.local_addresses = pc->local_addresses;
    if (rc == PEERC_OK) {
        call.pc = pc;
        call.fn = init_on_worker;
        rc = peerc__pc_run(&call);
        if (rc < 0)
            snprintf(err, sizeof err, "%s", call.err);
    }
    if (rc < 0) {
        PEERC_WARN("pc", "peerc_pc_new: %s", err);
        /* There is no pc to carry the detail: log it and keep it for the
         * thread under a NULL pc (peerc_pc_last_error(NULL) stays ""). */
        peerc__pc_fail(NULL, rc, "%s", err);
        destroy(pc);
        return rc;
    }
    peerc__ctx_add_member(ctx, shutdown_from_ctx, pc);
    PEERC_DEBUG("pc", "%p created, certificate %s", (void *)pc, peerc__cert_fingerprint(pc->cert));
    *out = pc;
    return PEERC_OK;
}

static int close_on_worker(pc_call *call)
{
    peerc_pc *pc = call->pc;
    if (pc->closed)
        return PEERC_OK;
    /* W3C close(): states become closed without firing events. */
    pc->closed = TRUE;
    pc->signaling = PEERC_SIGNALING_CLOSED;
    pc->ice_state = PEERC_ICE_CONNECTION_CLOSED;
    pc->conn_state = PEERC_CONNECTION_CLOSED;
    peerc__pc_channels_close_all(pc);
    peerc__pc_media_stop(pc);
    peerc__pc_transport_stop(pc);
    if (pc->dtls_state != PC_DTLS_FAILED)
        pc->dtls_state = PC_DTLS_CLOSED;
    schedule_teardown(pc);
    PEERC_DEBUG("pc", "%p closed", (void *)pc);
    return PEERC_OK;
}

int peerc_pc_close(peerc_pc *pc)
{
    pc_call call = {.pc = pc, .fn = close_on_worker};
    if (!pc)
        return PEERC_E_INVALID_ARGUMENT;
    return peerc__pc_run(&call);
}

static int free_on_worker(pc_call *call)
{
    peerc_pc *pc = call->pc;
    close_on_worker(call);
    pc->user_freed = TRUE;
    peerc__pc_channels_detach(pc);
    return PEERC_OK;
}

void peerc_pc_free(peerc_pc *pc)
{
    pc_call call = {.pc = pc, .fn = free_on_worker};
    if (!pc)
        return;
    peerc__ctx_remove_member(pc->ctx, pc);
    peerc__pc_run(&call);
    peerc__pc_unref(pc);
}

/* ---------------------------------------------------------- state getters */

static int read_states(pc_call *call)
{
    int *out = call->out;
    out[0] = call->pc->signaling;
    out[1] = call->pc->gathering;
    out[2] = call->pc->ice_state;
    out[3] = call->pc->conn_state;
    return PEERC_OK;
}

static int state_at(peerc_pc *pc, int which)
{
    int states[4];
    pc_call call = {.pc = pc, .fn = read_states, .out = states};
    int rc;
    if (!pc)
        return PEERC_E_INVALID_ARGUMENT;
    rc = peerc__pc_run(&call);
    return rc < 0 ? rc : states[which];
}

int peerc_pc_signaling_state(peerc_pc *pc) { return state_at(pc, 0); }
int peerc_pc_ice_gathering_state(peerc_pc *pc) { return state_at(pc, 1); }
int peerc_pc_ice_connection_state(peerc_pc *pc) { return state_at(pc, 2); }
int peerc_pc_connection_state(peerc_pc *pc) { return state_at(pc, 3); }

/* --------------------------------------------------- offer/answer wrappers */

static int run_checked(peerc_pc *pc, pc_call *call)
{
    if (!pc)
        return PEERC_E_INVALID_ARGUMENT;
    call->pc = pc;
    return peerc__pc_run(call);
}

int peerc_pc_create_offer(peerc_pc *pc, const peerc_offer_options *options, char **sdp_out)
{
    peerc_offer_options opts;
    pc_call call = {.fn = peerc__pc_do_create_offer, .out_text = sdp_out};
    if (!sdp_out)
        return pc ? peerc__pc_fail(pc, PEERC_E_INVALID_ARGUMENT, "sdp_out is NULL")
                  : PEERC_E_INVALID_ARGUMENT;
    *sdp_out = NULL;
    peerc_offer_options_init(&opts);
    copy_sized(&opts, sizeof opts, options);
    call.in = &opts;
    return run_checked(pc, &call);
}

int peerc_pc_create_answer(peerc_pc *pc, char **sdp_out)
{
    pc_call call = {.fn = peerc__pc_do_create_answer, .out_text = sdp_out};
    if (!sdp_out)
        return pc ? peerc__pc_fail(pc, PEERC_E_INVALID_ARGUMENT, "sdp_out is NULL")
                  : PEERC_E_INVALID_ARGUMENT;
    *sdp_out = NULL;
    return run_checked(pc, &call);
}

int peerc_pc_set_local_description(peerc_pc *pc, peerc_sdp_type type, const char *sdp)
{
    pc_call call = {.fn = peerc__pc_do_set_local, .type = type, .text = sdp};
    return run_checked(pc, &call);
}

int peerc_pc_set_remote_description(peerc_pc *pc, peerc_sdp_type type, const char *sdp)
{
    pc_call call = {.fn = peerc__pc_do_set_remote, .type = type, .text = sdp};
    return run_checked(pc, &call);
}

int peerc_pc_add_ice_candidate(peerc_pc *pc, const char *candidate, const char *sdp_mid,
                               int32_t sdp_mline_index)
{
    pc_call call = {.fn = peerc__pc_do_add_candidate, .text = candidate, .text2 = sdp_mid,
                    .index = sdp_mline_index};
    return run_checked(pc, &call);
}

int peerc_pc_get_description(peerc_pc *pc, peerc_description_kind kind, peerc_sdp_type *type_out,
                             char **sdp_out)
{
    pc_call call = {.fn = peerc__pc_do_get_description, .index = (int32_t)kind,
                    .out_type = type_out, .out_text = sdp_out};
    if (!sdp_out)
        return pc ? peerc__pc_fail(pc, PEERC_E_INVALID_ARGUMENT, "sdp_out is NULL")
                  : PEERC_E_INVALID_ARGUMENT;
    *sdp_out = NULL;
    return run_checked(pc, &call);
}

static int restart_ice_on_worker(pc_call *call)
{
    peerc_pc *pc = call->pc;
    if (pc->closed)
        return peerc__errorf(call->err, sizeof call->err, PEERC_E_INVALID_STATE, "pc is closed");
    pc->ice_restart_requested = TRUE;
    peerc__pc_update_negotiation_needed(pc);
    return PEERC_OK;
}

int peerc_pc_restart_ice(peerc_pc *pc)
{
    pc_call call = {.fn = restart_ice_on_worker};
    return run_checked(pc, &call);
}

int peerc_transport_stats_init_sized(peerc_transport_stats *stats, size_t size)
{
    peerc_transport_stats d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    d.rtt_ms = -1;
    d.sctp_rtt_ms = -1;
    return peerc__init_sized(stats, size, &d, sizeof d);
}

static int stats_on_worker(pc_call *call)
{
    peerc__pc_fill_transport_stats(call->pc, call->out);
    return PEERC_OK;
}

int peerc_pc_get_transport_stats(peerc_pc *pc, peerc_transport_stats *stats)
{
    peerc_transport_stats full;
    pc_call call = {.fn = stats_on_worker, .out = &full};
    size_t n;
    int rc;
    if (!stats || stats->size < sizeof(size_t) + 4 * sizeof(uint64_t))
        return PEERC_E_INVALID_ARGUMENT;
    n = stats->size < sizeof full ? stats->size : sizeof full;
    peerc_transport_stats_init(&full);
    rc = run_checked(pc, &call);
    if (rc == PEERC_OK)
        memcpy((char *)stats + sizeof(size_t), (char *)&full + sizeof(size_t), n - sizeof(size_t));
    return rc;
}

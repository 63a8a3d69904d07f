/*
 * The transport stack of a pc: ICE (libnice) -> demux -> DTLS -> SCTP, and
 * the W3C state machines that aggregate them.  One BUNDLE transport carries
 * everything (rtcp-mux required).
 */
#include "pc/pc_internal.h"

#include <string.h>

#include "core/log.h"
#include "datachannel/manager.h"
#include "dtls/cert.h"
#include "dtls/dtls.h"
#include "pc/media_internal.h"

/* W3C "update the connection state" from the ICE and DTLS states. */
static peerc_connection_state derive_connection_state(const peerc_pc *pc)
{
    peerc_ice_connection_state ice = pc->ice_state;
    pc_dtls_state dtls = pc->dtls_state;
    if (pc->closed)
        return PEERC_CONNECTION_CLOSED;
    if (ice == PEERC_ICE_CONNECTION_FAILED || dtls == PC_DTLS_FAILED)
        return PEERC_CONNECTION_FAILED;
    if (ice == PEERC_ICE_CONNECTION_DISCONNECTED)
        return PEERC_CONNECTION_DISCONNECTED;
    if ((ice == PEERC_ICE_CONNECTION_NEW || ice == PEERC_ICE_CONNECTION_CLOSED) &&
        (dtls == PC_DTLS_NEW || dtls == PC_DTLS_CLOSED))
        return PEERC_CONNECTION_NEW;
    if ((ice == PEERC_ICE_CONNECTION_CONNECTED || ice == PEERC_ICE_CONNECTION_COMPLETED) &&
        (dtls == PC_DTLS_CONNECTED || dtls == PC_DTLS_CLOSED))
        return PEERC_CONNECTION_CONNECTED;
    return PEERC_CONNECTION_CONNECTING;
}

static void update_connection_state(peerc_pc *pc)
{
    peerc_connection_state state = derive_connection_state(pc);
    if (state == pc->conn_state)
        return;
    pc->conn_state = state;
    PEERC_INFO("pc", "%p connection state %s", (void *)pc, peerc_connection_state_to_string(state));
    if (peerc__pc_live(pc) && pc->cbs.connection_state_change)
        pc->cbs.connection_state_change(pc, state, pc->user_data);
}

/* ------------------------------------------------------------------- DTLS */

static void dtls_on_send(void *ud, const uint8_t *data, size_t len)
{
    peerc_pc *pc = ud;
    if (pc->ice)
        peerc__ice_send(pc->ice, data, len);
}

static void start_sctp(peerc_pc *pc);

static void dtls_on_connected(void *ud)
{
    peerc_pc *pc = ud;
    peerc__pc_enter(pc);
    PEERC_INFO("dtls", "%p connected as %s, %s %s", (void *)pc,
               pc->is_dtls_client ? "client" : "server", peerc__dtls_version_name(pc->dtls),
               peerc__dtls_cipher_name(pc->dtls));
    pc->dtls_state = PC_DTLS_CONNECTED;
    update_connection_state(pc);
    if (!pc->closed)
        peerc__pc_media_on_dtls_connected(pc);
    if (!pc->closed)
        start_sctp(pc);
    peerc__pc_leave(pc);
}

static void dtls_on_data(void *ud, const uint8_t *data, size_t len)
{
    peerc_pc *pc = ud;
    if (pc->dcm)
        peerc__dcm_receive(pc->dcm, data, len);
}

static void dtls_on_failed(void *ud, int code, const char *reason)
{
    peerc_pc *pc = ud;
    peerc__pc_enter(pc);
    PEERC_WARN("dtls", "%p failed: %s (%s)", (void *)pc, reason, peerc_error_name(code));
    pc->dtls_state = PC_DTLS_FAILED;
    update_connection_state(pc);
    peerc__pc_leave(pc);
}

static void dtls_on_closed(void *ud)
{
    peerc_pc *pc = ud;
    peerc__pc_enter(pc);
    PEERC_INFO("dtls", "%p closed by the peer", (void *)pc);
    pc->dtls_state = PC_DTLS_CLOSED;
    if (pc->dcm)
        peerc__dcm_transport_closed(pc->dcm);
    update_connection_state(pc);
    peerc__pc_leave(pc);
}

static const peerc_dtls_callbacks dtls_callbacks = {
    .send = dtls_on_send,
    .connected = dtls_on_connected,
    .data = dtls_on_data,
    .failed = dtls_on_failed,
    .closed = dtls_on_closed,
};

static void maybe_start_dtls(peerc_pc *pc)
{
    gboolean ice_up = pc->ice_state == PEERC_ICE_CONNECTION_CONNECTED ||
                      pc->ice_state == PEERC_ICE_CONNECTION_COMPLETED;
    if (!pc->dtls || pc->dtls_state != PC_DTLS_NEW)
        return;
    /* Both roles start once ICE can carry the handshake (RFC 5763 5: the
     * client speaks first), so the handshake timeout never counts ICE time.
     * A ClientHello that beats our own ICE state change starts the server
     * implicitly. */
    if (!ice_up)
        return;
    pc->dtls_state = PC_DTLS_CONNECTING;
    peerc__dtls_start(pc->dtls);
    update_connection_state(pc);
}

/* ------------------------------------------------------------------- SCTP */

static void sctp_on_send(void *ud, const uint8_t *pkt, size_t len)
{
    peerc_pc *pc = ud;
    if (pc->dtls && pc->dtls_state == PC_DTLS_CONNECTED)
        peerc__dtls_send(pc->dtls, pkt, len);
}

static void start_sctp(peerc_pc *pc)
{
    char err[PEERC_ERRBUF_SIZE] = "";
    if (!pc->data_negotiated || pc->dcm)
        return;
    if (peerc__dcm_new(peerc__ctx_main_context(pc->ctx), 5000, pc->remote_sctp_port,
                       pc->is_dtls_client, &peerc__pc_dcm_callbacks, pc, &pc->dcm, err,
                       sizeof err) < 0) {
        PEERC_ERROR("sctp", "%p cannot start SCTP: %s", (void *)pc, err);
        return;
    }
    peerc__dcm_set_transport(pc->dcm, sctp_on_send, pc);
    peerc__dcm_set_remote_max_message_size(pc->dcm, pc->remote_max_message_size);
    /* Channels created before the association existed: their ids are
     * assigned once it is up (parity by DTLS role). */
    peerc__pc_channels_on_sctp_up(pc);
    peerc__dcm_connect(pc->dcm);
}

/* -------------------------------------------------------------------- ICE */

static void ice_on_candidate(void *ud, const char *candidate)
{
    peerc_pc *pc = ud;
    if (pc->announcing) {
        g_queue_push_tail(&pc->held_gathering, g_strdup(candidate));
        return;
    }
    peerc__pc_enter(pc);
    g_ptr_array_add(pc->local_candidates, g_strdup(candidate));
    if (peerc__pc_live(pc) && pc->cbs.ice_candidate)
        pc->cbs.ice_candidate(pc, candidate, pc->transport_mid, 0, pc->user_data);
    peerc__pc_leave(pc);
}

static void ice_on_gathering_done(void *ud)
{
    peerc_pc *pc = ud;
    if (pc->announcing) {
        g_queue_push_tail(&pc->held_gathering, NULL);
        return;
    }
    peerc__pc_enter(pc);
    pc->gathering = PEERC_ICE_GATHERING_COMPLETE;
    if (peerc__pc_live(pc) && pc->cbs.ice_gathering_state_change)
        pc->cbs.ice_gathering_state_change(pc, pc->gathering, pc->user_data);
    /* The null candidate: end-of-candidates for the application. */
    if (peerc__pc_live(pc) && pc->cbs.ice_candidate)
        pc->cbs.ice_candidate(pc, NULL, pc->transport_mid, 0, pc->user_data);
    peerc__pc_leave(pc);
}

static void ice_on_state(void *ud, peerc_ice_connection_state state)
{
    peerc_pc *pc = ud;
    peerc__pc_enter(pc);
    if (!pc->closed) {
        pc->ice_state = state;
        PEERC_INFO("ice", "%p state %s", (void *)pc, peerc_ice_connection_state_to_string(state));
        if (peerc__pc_live(pc) && pc->cbs.ice_connection_state_change)
            pc->cbs.ice_connection_state_change(pc, state, pc->user_data);
        if (!pc->closed) {
            maybe_start_dtls(pc);
            update_connection_state(pc);
        }
    }
    peerc__pc_leave(pc);
}

/* RFC 7983 demultiplexing on the first byte. */
static void ice_on_receive(void *ud, const uint8_t *data, size_t len)
{
    peerc_pc *pc = ud;
    if (len == 0 || pc->closed)
        return;
    peerc__pc_enter(pc);
    if (data[0] >= 20 && data[0] <= 63) {
        if (pc->dtls)
            peerc__dtls_receive(pc->dtls, data, len);
        else
            PEERC_DEBUG("dtls", "%p DTLS record before negotiation finished: dropped (the "
                        "peer retransmits)", (void *)pc);
    } else if (data[0] >= 128 && data[0] <= 191) {
        peerc__pc_media_receive(pc, data, len);
    }
    peerc__pc_leave(pc);
}

void peerc__pc_release_gathering(peerc_pc *pc)
{
    pc->announcing = FALSE;
    while (!g_queue_is_empty(&pc->held_gathering) && !pc->announcing) {
        char *candidate = g_queue_pop_head(&pc->held_gathering);
        if (candidate)
            ice_on_candidate(pc, candidate);
        else
            ice_on_gathering_done(pc);
        g_free(candidate);
    }
}

static const peerc_ice_callbacks ice_callbacks = {
    .candidate = ice_on_candidate,
    .gathering_done = ice_on_gathering_done,
    .state = ice_on_state,
    .receive = ice_on_receive,
};

/* --------------------------------------------------------------- lifecycle */

int peerc__pc_transport_init(peerc_pc *pc, char *err, size_t errlen)
{
    peerc_ice_config cfg = {
        .servers = pc->ice_urls,
        .n_servers = pc->n_ice_urls,
        .relay_only = pc->config.ice_transport_policy == PEERC_ICE_TRANSPORT_POLICY_RELAY,
        .enable_ipv6 = pc->config.enable_ipv6,
        .enable_tcp = pc->config.enable_ice_tcp,
        .enable_udp = pc->config.enable_ice_udp,
        .port_min = pc->config.port_min,
        .port_max = pc->config.port_max,
        .local_addresses = pc->local_addresses,
    };
    return peerc__ice_new(peerc__ctx_main_context(pc->ctx), &cfg, &ice_callbacks, pc, &pc->ice,
                          err, errlen);
}

int peerc__pc_transport_negotiated(peerc_pc *pc, char *err, size_t errlen)
{
    int rc;
    if (pc->dtls)
        return PEERC_OK; /* renegotiation keeps the DTLS association */
    rc = peerc__dtls_new(peerc__ctx_main_context(pc->ctx), pc->cert, pc->is_dtls_client,
                         pc->remote_fp_alg, pc->remote_fp, &dtls_callbacks, pc, &pc->dtls, err,
                         errlen);
    if (rc < 0)
        return rc;
    maybe_start_dtls(pc);
    return PEERC_OK;
}

void peerc__pc_transport_stop(peerc_pc *pc)
{
    if (pc->dcm)
        peerc__dcm_transport_closed(pc->dcm);
    if (pc->dtls && pc->dtls_state == PC_DTLS_CONNECTED)
        peerc__dtls_close(pc->dtls);
}

void peerc__pc_transport_free(peerc_pc *pc)
{
    if (pc->dcm) {
        peerc__dcm_free(pc->dcm);
        pc->dcm = NULL;
    }
    if (pc->dtls) {
        peerc__dtls_free(pc->dtls);
        pc->dtls = NULL;
    }
    if (pc->ice) {
        peerc__ice_free(pc->ice);
        pc->ice = NULL;
    }
}

static const char *dtls_state_name(pc_dtls_state s)
{
    static const char *names[] = {"new", "connecting", "connected", "closed", "failed"};
    return names[s];
}

void peerc__pc_fill_transport_stats(peerc_pc *pc, peerc_transport_stats *s)
{
    if (pc->ice)
        peerc__ice_fill_stats(pc->ice, s);
    g_strlcpy(s->dtls_state, dtls_state_name(pc->dtls_state), sizeof s->dtls_state);
    if (pc->dtls && pc->dtls_state == PC_DTLS_CONNECTED) {
        const char *v = peerc__dtls_version_name(pc->dtls);
        const char *c = peerc__dtls_cipher_name(pc->dtls);
        const char *p = peerc__dtls_srtp_profile_name(pc->dtls);
        g_strlcpy(s->dtls_version, v ? v : "", sizeof s->dtls_version);
        g_strlcpy(s->dtls_cipher, c ? c : "", sizeof s->dtls_cipher);
        g_strlcpy(s->srtp_profile, p ? p : "", sizeof s->srtp_profile);
    }
    if (pc->dcm)
        s->sctp_rtt_ms = peerc__dcm_sctp_rtt_ms(pc->dcm);
    s->data_channels_opened = pc->dc_opened;
    s->data_channels_closed = pc->dc_closed;
    s->messages_sent = pc->msgs_sent;
    s->messages_received = pc->msgs_received;
}

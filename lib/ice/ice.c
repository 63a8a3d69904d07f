/* ICE through libnice: agent setup, gathering, remote candidates, states. */
#include "ice/ice.h"

#include <agent.h>
#include <interfaces.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "ice/mdns.h"

#define COMPONENT 1

/* RFC 8863 4: the Patiently Awaiting Connectivity timer, at least the
 * longest STUN transaction (39.5 s), so that checks from a peer whose
 * candidates never reached us can still arrive (peer-reflexive). */
#define PAC_TIMEOUT_US (39500 * G_TIME_SPAN_MILLISECOND)

/* libnice gives up on a STUN/TURN server within ~10 s (4.5 s per UDP
 * transaction, 2 s over TCP, two transactions for an authenticated TURN
 * Allocate); past this, gathering is declared complete (see on_gather_watchdog). */
#define GATHERING_WATCHDOG_MS 20000

struct peerc_ice {
    GMainContext *mc;
    NiceAgent *agent;
    guint stream;
    peerc_ice_callbacks cbs;
    void *ud;
    char *ufrag, *pwd;
    gboolean gathering_started;
    gboolean have_remote_credentials;
    GPtrArray *pending_remote; /* candidate strings held until gathering starts */
    GList *lookups;            /* mdns_lookup in flight */
    peerc_ice_connection_state state;
    gboolean remote_gathering_done;
    gboolean local_gathering_done;
    uint64_t bytes_sent, bytes_received, packets_sent, packets_received;
    GQueue gather_events;      /* candidate strings; NULL = gathering done */
    GSource *gather_flush;
    guint n_local_candidates;
    gint64 pac_start;          /* monotonic us when remote credentials arrived; 0 = not yet */
    GSource *no_pairs_timer;   /* see arm_no_pairs_timer */
    GSource *gather_watchdog;
    gboolean gathering_done_queued; /* by libnice or by the watchdog */
};

static void arm_no_pairs_timer(peerc_ice *ice);

typedef struct mdns_lookup {
    peerc_ice *ice;
    char *candidate; /* with the .local name */
    peerc_mdns_query *query;
} mdns_lookup;

static void free_lookup(mdns_lookup *lk);

static void emit_state(peerc_ice *ice, peerc_ice_connection_state state)
{
    /* W3C: failed is final until an ICE restart, even if libnice later
     * finds a pair again after consent loss. */
    if (ice->state == state || ice->state == PEERC_ICE_CONNECTION_FAILED)
        return;
    ice->state = state;
    if (ice->cbs.state)
        ice->cbs.state(ice->ud, state);
}

/* RFC 8445 component states -> W3C RTCIceTransportState. */
static void on_component_state(NiceAgent *agent, guint stream, guint component, guint state,
                               gpointer data)
{
    peerc_ice *ice = data;
    PEERC_DEBUG("ice", "component state %s", nice_component_state_to_string(state));
    switch (state) {
    case NICE_COMPONENT_STATE_CONNECTING:
        emit_state(ice, PEERC_ICE_CONNECTION_CHECKING);
        break;
    case NICE_COMPONENT_STATE_CONNECTED:
        emit_state(ice, PEERC_ICE_CONNECTION_CONNECTED);
        break;
    case NICE_COMPONENT_STATE_READY:
        emit_state(ice, PEERC_ICE_CONNECTION_CONNECTED);
        break;
    case NICE_COMPONENT_STATE_FAILED:
        /* Consent expiry also lands here; it was connected before, so the
         * W3C sequence passes through disconnected first. */
        if (ice->state == PEERC_ICE_CONNECTION_CONNECTED ||
            ice->state == PEERC_ICE_CONNECTION_COMPLETED)
            emit_state(ice, PEERC_ICE_CONNECTION_DISCONNECTED);
        emit_state(ice, PEERC_ICE_CONNECTION_FAILED);
        break;
    case NICE_COMPONENT_STATE_DISCONNECTED:
        if (ice->state == PEERC_ICE_CONNECTION_CONNECTED ||
            ice->state == PEERC_ICE_CONNECTION_COMPLETED)
            emit_state(ice, PEERC_ICE_CONNECTION_DISCONNECTED);
        break;
    default:
        break;
    }
}

/*
 * libnice 0.1.21 declares a component FAILED only once it had candidate
 * pairs and all of them failed (priv_update_check_list_failed_components
 * needs remote candidates and a non-empty check list).  With no pair at all
 * (no local candidate, e.g. TURN refused us under policy relay, or no remote
 * candidate ever arrived) it stays silent forever and so would we.  The W3C
 * "failed" applies once both sides finished gathering and either zero local
 * candidates were gathered or the PAC timer (RFC 8863) expired; a check
 * from the peer in the meantime (peer-reflexive) moves libnice to
 * CONNECTING and its own logic takes over.
 */
static gboolean on_no_pairs_timeout(gpointer data)
{
    peerc_ice *ice = data;
    g_source_unref(ice->no_pairs_timer);
    ice->no_pairs_timer = NULL;
    if (ice->state == PEERC_ICE_CONNECTION_NEW ||
        (ice->n_local_candidates == 0 && ice->state == PEERC_ICE_CONNECTION_CHECKING)) {
        PEERC_INFO("ice", "no candidate pair to check (%u local candidates, end-of-candidates "
                   "from the peer): failed", ice->n_local_candidates);
        emit_state(ice, PEERC_ICE_CONNECTION_FAILED);
    }
    return G_SOURCE_REMOVE;
}

static void arm_no_pairs_timer(peerc_ice *ice)
{
    gint64 delay_us = 0;
    if (ice->no_pairs_timer || !ice->local_gathering_done || !ice->remote_gathering_done ||
        (ice->state != PEERC_ICE_CONNECTION_NEW && ice->state != PEERC_ICE_CONNECTION_CHECKING))
        return;
    if (ice->n_local_candidates > 0) {
        gint64 waited = ice->pac_start ? g_get_monotonic_time() - ice->pac_start : 0;
        delay_us = waited < PAC_TIMEOUT_US ? PAC_TIMEOUT_US - waited : 0;
    }
    /* Always through the main loop: this runs inside API calls too. */
    ice->no_pairs_timer = g_timeout_source_new((guint)(delay_us / 1000));
    g_source_set_callback(ice->no_pairs_timer, on_no_pairs_timeout, ice, NULL);
    g_source_attach(ice->no_pairs_timer, ice->mc);
}

static void cancel_no_pairs_timer(peerc_ice *ice)
{
    if (ice->no_pairs_timer) {
        g_source_destroy(ice->no_pairs_timer);
        g_source_unref(ice->no_pairs_timer);
        ice->no_pairs_timer = NULL;
    }
}

/* Gathering events are delivered from the main loop, in order: libnice
 * emits host candidates from inside nice_agent_gather_candidates, and the
 * W3C model queues them as tasks after setLocalDescription returns. */
static gboolean flush_gather_events(gpointer data)
{
    peerc_ice *ice = data;
    g_source_unref(ice->gather_flush);
    ice->gather_flush = NULL;
    while (!g_queue_is_empty(&ice->gather_events)) {
        char *candidate = g_queue_pop_head(&ice->gather_events);
        if (candidate) {
            if (ice->cbs.candidate)
                ice->cbs.candidate(ice->ud, candidate);
            g_free(candidate);
        } else {
            ice->local_gathering_done = TRUE;
            if (ice->cbs.gathering_done)
                ice->cbs.gathering_done(ice->ud);
            arm_no_pairs_timer(ice);
        }
    }
    return G_SOURCE_REMOVE;
}

static void queue_gather_event(peerc_ice *ice, char *candidate)
{
    g_queue_push_tail(&ice->gather_events, candidate);
    if (ice->gather_flush)
        return;
    ice->gather_flush = g_idle_source_new();
    g_source_set_callback(ice->gather_flush, flush_gather_events, ice, NULL);
    g_source_attach(ice->gather_flush, ice->mc);
}

static void on_new_candidate(NiceAgent *agent, NiceCandidate *cand, gpointer data)
{
    peerc_ice *ice = data;
    gchar *sdp = nice_agent_generate_local_candidate_sdp(agent, cand);
    if (!sdp)
        return;
    PEERC_DEBUG("ice", "local %s", sdp);
    ice->n_local_candidates++;
    queue_gather_event(ice, g_strdup(g_str_has_prefix(sdp, "a=") ? sdp + 2 : sdp));
    g_free(sdp);
}

static void cancel_gather_watchdog(peerc_ice *ice)
{
    if (ice->gather_watchdog) {
        g_source_destroy(ice->gather_watchdog);
        g_source_unref(ice->gather_watchdog);
        ice->gather_watchdog = NULL;
    }
}

static void on_gathering_done(NiceAgent *agent, guint stream, gpointer data)
{
    peerc_ice *ice = data;
    PEERC_DEBUG("ice", "gathering done");
    cancel_gather_watchdog(ice);
    if (ice->gathering_done_queued)
        return;
    ice->gathering_done_queued = TRUE;
    queue_gather_event(ice, NULL);
}

/* libnice 0.1.21 loses candidate-gathering-done when a TURN server over
 * TCP/TLS closes the connection: discovery_prune_socket drops the pending
 * discovery and stops the discovery timer without agent_gathering_done, so
 * gathering (and with it ICE failure) would never complete. */
static gboolean on_gather_watchdog(gpointer data)
{
    peerc_ice *ice = data;
    g_source_unref(ice->gather_watchdog);
    ice->gather_watchdog = NULL;
    if (!ice->gathering_done_queued) {
        PEERC_WARN("ice", "libnice did not finish gathering within %d ms (a STUN/TURN server "
                   "closed the connection?): gathering complete", GATHERING_WATCHDOG_MS);
        ice->gathering_done_queued = TRUE;
        queue_gather_event(ice, NULL);
    }
    return G_SOURCE_REMOVE;
}

static void on_receive(NiceAgent *agent, guint stream, guint component, guint len, gchar *buf,
                       gpointer data)
{
    peerc_ice *ice = data;
    ice->bytes_received += len;
    ice->packets_received++;
    if (ice->cbs.receive)
        ice->cbs.receive(ice->ud, (const uint8_t *)buf, len);
}

/* The kernel default (~208 KiB) overflows under a data-channel burst and
 * every drop costs an SCTP retransmission timeout; libnice leaves the size
 * alone, so enlarge the buffers of the socket that carries the pair (the
 * kernel caps the request at net.core.rmem_max/wmem_max). */
static void enlarge_socket_buffers(NiceAgent *agent, guint stream, guint component)
{
    GSocket *sock = nice_agent_get_selected_socket(agent, stream, component);
    if (!sock)
        return;
    g_socket_set_option(sock, SOL_SOCKET, SO_RCVBUF, 1 << 20, NULL);
    g_socket_set_option(sock, SOL_SOCKET, SO_SNDBUF, 1 << 20, NULL);
    g_object_unref(sock);
}

static void on_selected_pair(NiceAgent *agent, guint stream, guint component,
                             NiceCandidate *local, NiceCandidate *remote, gpointer data)
{
    gchar l[NICE_ADDRESS_STRING_LEN], r[NICE_ADDRESS_STRING_LEN];
    nice_address_to_string(&local->addr, l);
    nice_address_to_string(&remote->addr, r);
    PEERC_INFO("ice", "selected pair %s:%u -> %s:%u", l, nice_address_get_port(&local->addr), r,
               nice_address_get_port(&remote->addr));
    enlarge_socket_buffers(agent, stream, component);
}

static void update_credentials(peerc_ice *ice)
{
    g_free(ice->ufrag);
    g_free(ice->pwd);
    ice->ufrag = ice->pwd = NULL;
    nice_agent_get_local_credentials(ice->agent, ice->stream, &ice->ufrag, &ice->pwd);
}

static int add_local_addresses(peerc_ice *ice, const peerc_ice_config *cfg, char *err,
                               size_t errlen)
{
    /* libnice gathers on every interface unless addresses are given; the
     * only way to leave IPv6 out is to list the IPv4 ones ourselves. */
    GList *ips;
    if (cfg->local_addresses) {
        gchar **list = g_strsplit_set(cfg->local_addresses, " ,", -1);
        for (gchar **a = list; *a; a++) {
            NiceAddress addr;
            if (!**a)
                continue;
            if (!nice_address_set_from_string(&addr, *a)) {
                peerc__errorf(err, errlen, PEERC_E_SYNTAX, "local address \"%s\" is not an IP address", *a);
                g_strfreev(list);
                return PEERC_E_SYNTAX;
            }
            nice_agent_add_local_address(ice->agent, &addr);
        }
        g_strfreev(list);
        return PEERC_OK;
    }
    ips = nice_interfaces_get_local_ips(FALSE);
    for (GList *i = ips; i; i = i->next) {
        NiceAddress addr;
        if (!nice_address_set_from_string(&addr, i->data))
            continue;
        if (addr.s.addr.sa_family == AF_INET6 &&
            (!cfg->enable_ipv6 || IN6_IS_ADDR_LINKLOCAL(&addr.s.ip6.sin6_addr)))
            continue; /* link-local needs a scope the peer cannot know */
        nice_agent_add_local_address(ice->agent, &addr);
    }
    g_list_free_full(ips, g_free);
    return PEERC_OK;
}

static int configure_servers(peerc_ice *ice, const peerc_ice_config *cfg, char *err, size_t errlen)
{
    static const NiceRelayType relay_type[] = {
        [PEERC_ICE_URL_TURN_UDP] = NICE_RELAY_TYPE_TURN_UDP,
        [PEERC_ICE_URL_TURN_TCP] = NICE_RELAY_TYPE_TURN_TCP,
        [PEERC_ICE_URL_TURN_TLS] = NICE_RELAY_TYPE_TURN_TLS,
    };
    gboolean have_stun = FALSE;
    for (size_t i = 0; i < cfg->n_servers; i++) {
        const peerc_ice_url *u = &cfg->servers[i];
        if (u->kind == PEERC_ICE_URL_STUN) {
            /* libnice takes a single STUN server; the first one wins. */
            if (!have_stun && !cfg->relay_only)
                g_object_set(ice->agent, "stun-server", u->address, "stun-server-port",
                             (guint)u->port, NULL);
            have_stun = TRUE;
            continue;
        }
        if (!nice_agent_set_relay_info(ice->agent, ice->stream, COMPONENT, u->address, u->port,
                                       u->username, u->credential, relay_type[u->kind]))
            return peerc__errorf(err, errlen, PEERC_E_OPERATION, "TURN server %s rejected",
                                 u->host);
    }
    return PEERC_OK;
}

int peerc__ice_new(GMainContext *mc, const peerc_ice_config *cfg, const peerc_ice_callbacks *cbs,
                   void *ud, peerc_ice **out, char *err, size_t errlen)
{
    peerc_ice *ice = g_new0(peerc_ice, 1);
    int rc;
    ice->mc = g_main_context_ref(mc);
    ice->cbs = *cbs;
    ice->ud = ud;
    ice->state = PEERC_ICE_CONNECTION_NEW;
    ice->pending_remote = g_ptr_array_new_with_free_func(g_free);
    ice->agent = nice_agent_new_full(mc, NICE_COMPATIBILITY_RFC5245,
                                     NICE_AGENT_OPTION_ICE_TRICKLE |
                                         NICE_AGENT_OPTION_CONSENT_FRESHNESS |
                                         (cfg->relay_only ? NICE_AGENT_OPTION_NONE : 0));
    /* UPnP would delay gathering-done by ~200 ms for nothing on most hosts;
     * 10 ms pacing keeps time-to-connected low while staying gentle on NATs. */
    g_object_set(ice->agent, "upnp", FALSE, "ice-tcp", cfg->enable_tcp ? TRUE : FALSE,
                 "ice-udp", cfg->enable_udp ? TRUE : FALSE, "stun-pacing-timer", 10u, "force-relay",
                 cfg->relay_only ? TRUE : FALSE, NULL);
    rc = add_local_addresses(ice, cfg, err, errlen);
    if (rc < 0) {
        peerc__ice_free(ice);
        return rc;
    }
    ice->stream = nice_agent_add_stream(ice->agent, 1);
    if (!ice->stream) {
        peerc__ice_free(ice);
        return peerc__errorf(err, errlen, PEERC_E_INTERNAL, "libnice refused a stream");
    }
    nice_agent_set_stream_name(ice->agent, ice->stream, "application");
    if (cfg->port_min || cfg->port_max)
        nice_agent_set_port_range(ice->agent, ice->stream, COMPONENT, cfg->port_min,
                                  cfg->port_max ? cfg->port_max : 65535);
    rc = configure_servers(ice, cfg, err, errlen);
    if (rc < 0) {
        peerc__ice_free(ice);
        return rc;
    }
    g_signal_connect(ice->agent, "component-state-changed", G_CALLBACK(on_component_state), ice);
    g_signal_connect(ice->agent, "new-candidate-full", G_CALLBACK(on_new_candidate), ice);
    g_signal_connect(ice->agent, "candidate-gathering-done", G_CALLBACK(on_gathering_done), ice);
    g_signal_connect(ice->agent, "new-selected-pair-full", G_CALLBACK(on_selected_pair), ice);
    nice_agent_attach_recv(ice->agent, ice->stream, COMPONENT, mc, on_receive, ice);
    update_credentials(ice);
    *out = ice;
    return PEERC_OK;
}

void peerc__ice_free(peerc_ice *ice)
{
    if (!ice)
        return;
    if (ice->gather_flush) {
        g_source_destroy(ice->gather_flush);
        g_source_unref(ice->gather_flush);
    }
    g_queue_clear_full(&ice->gather_events, g_free);
    cancel_no_pairs_timer(ice);
    cancel_gather_watchdog(ice);
    while (ice->lookups) {
        mdns_lookup *lk = ice->lookups->data;
        peerc__mdns_cancel(lk->query);
        free_lookup(lk);
    }
    if (ice->agent) {
        g_signal_handlers_disconnect_by_data(ice->agent, ice);
        /* stream 0: construction failed before a stream existed */
        if (ice->stream) {
            nice_agent_attach_recv(ice->agent, ice->stream, COMPONENT, ice->mc, NULL, NULL);
            nice_agent_remove_stream(ice->agent, ice->stream);
        }
        g_object_unref(ice->agent);
    }
    g_ptr_array_free(ice->pending_remote, TRUE);
    g_free(ice->ufrag);
    g_free(ice->pwd);
    g_main_context_unref(ice->mc);
    g_free(ice);
}

const char *peerc__ice_local_ufrag(const peerc_ice *ice)
{
    return ice->ufrag;
}

const char *peerc__ice_local_pwd(const peerc_ice *ice)
{
    return ice->pwd;
}

int peerc__ice_set_controlling(peerc_ice *ice, int controlling)
{
    g_object_set(ice->agent, "controlling-mode", controlling ? TRUE : FALSE, NULL);
    return PEERC_OK;
}

static int add_parsed_candidate(peerc_ice *ice, const char *candidate, char *err, size_t errlen)
{
    gchar *line = g_str_has_prefix(candidate, "a=") ? g_strdup(candidate)
                                                    : g_strconcat("a=", candidate, NULL);
    NiceCandidate *c = nice_agent_parse_remote_candidate_sdp(ice->agent, ice->stream, line);
    GSList *list;
    int added;
    g_free(line);
    if (!c)
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "ICE candidate not understood: %s",
                             candidate);
    if (c->component_id != COMPONENT) {
        /* rtcp-mux is required: RTCP candidates (component 2) are not used. */
        nice_candidate_free(c);
        return PEERC_OK;
    }
    list = g_slist_append(NULL, c);
    added = nice_agent_set_remote_candidates(ice->agent, ice->stream, COMPONENT, list);
    g_slist_free_full(list, (GDestroyNotify)nice_candidate_free);
    if (added < 0)
        return peerc__errorf(err, errlen, PEERC_E_OPERATION, "libnice rejected candidate %s",
                             candidate);
    PEERC_DEBUG("ice", "remote %s", candidate);
    return PEERC_OK;
}

static void free_lookup(mdns_lookup *lk)
{
    lk->ice->lookups = g_list_remove(lk->ice->lookups, lk);
    g_free(lk->candidate);
    g_free(lk);
}

static void on_mdns_resolved(void *ud, const char *name, const char *address, const char *reason)
{
    mdns_lookup *lk = ud;
    if (address) {
        gchar **parts = g_strsplit(lk->candidate, " ", -1);
        g_free(parts[4]);
        parts[4] = g_strdup(address);
        gchar *resolved = g_strjoinv(" ", parts);
        PEERC_DEBUG("ice", "mDNS %s -> %s", name, address);
        add_parsed_candidate(lk->ice, resolved, NULL, 0);
        g_free(resolved);
        g_strfreev(parts);
    } else {
        /* Nothing answered (no responder on this link, or multicast has no
         * route): the peer's checks still reach us and teach us its address
         * as a peer-reflexive candidate (RFC 8445 7.3.1.3). */
        PEERC_INFO("ice", "mDNS candidate %s not resolved (%s): relying on peer-reflexive "
                   "discovery", name, reason);
    }
    free_lookup(lk);
}

/* The connection address is field 5 of "candidate:f c t p addr port typ ..." */
static char *mdns_name_of(const char *candidate)
{
    gchar **parts = g_strsplit(candidate, " ", -1);
    char *name = NULL;
    if (g_strv_length(parts) > 4 && g_str_has_suffix(parts[4], ".local"))
        name = g_strdup(parts[4]);
    g_strfreev(parts);
    return name;
}

static int add_or_resolve(peerc_ice *ice, const char *candidate, char *err, size_t errlen)
{
    char *name = mdns_name_of(candidate);
    if (name) {
        mdns_lookup *lk = g_new0(mdns_lookup, 1);
        lk->ice = ice;
        lk->candidate = g_strdup(candidate);
        ice->lookups = g_list_prepend(ice->lookups, lk);
        lk->query = peerc__mdns_resolve(ice->mc, name, NULL, 3000, on_mdns_resolved, lk);
        g_free(name);
        return PEERC_OK;
    }
    return add_parsed_candidate(ice, candidate, err, errlen);
}

int peerc__ice_add_remote_candidate(peerc_ice *ice, const char *candidate, char *err, size_t errlen)
{
    const char *c = g_str_has_prefix(candidate, "a=") ? candidate + 2 : candidate;
    if (!g_str_has_prefix(c, "candidate:"))
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "not an ICE candidate: %s", candidate);
    if (!ice->gathering_started) {
        /* libnice pairs remote candidates with local ones; hold them until
         * local gathering has begun. */
        g_ptr_array_add(ice->pending_remote, g_strdup(c));
        return PEERC_OK;
    }
    return add_or_resolve(ice, c, err, errlen);
}

int peerc__ice_set_remote_credentials(peerc_ice *ice, const char *ufrag, const char *pwd)
{
    if (!nice_agent_set_remote_credentials(ice->agent, ice->stream, ufrag, pwd))
        return PEERC_E_OPERATION;
    ice->have_remote_credentials = TRUE;
    if (!ice->pac_start)
        ice->pac_start = g_get_monotonic_time();
    return PEERC_OK;
}

void peerc__ice_remote_gathering_done(peerc_ice *ice)
{
    ice->remote_gathering_done = TRUE;
    if (ice->gathering_started)
        nice_agent_peer_candidate_gathering_done(ice->agent, ice->stream);
    arm_no_pairs_timer(ice);
}

int peerc__ice_gather(peerc_ice *ice, char *err, size_t errlen)
{
    if (ice->gathering_started)
        return PEERC_OK;
    if (!nice_agent_gather_candidates(ice->agent, ice->stream))
        return peerc__errorf(err, errlen, PEERC_E_NETWORK, "ICE gathering failed to start "
                             "(no usable local address or port range exhausted)");
    ice->gathering_started = TRUE;
    if (!ice->gathering_done_queued) {
        ice->gather_watchdog = g_timeout_source_new(GATHERING_WATCHDOG_MS);
        g_source_set_callback(ice->gather_watchdog, on_gather_watchdog, ice, NULL);
        g_source_attach(ice->gather_watchdog, ice->mc);
    }
    for (guint i = 0; i < ice->pending_remote->len; i++)
        add_or_resolve(ice, g_ptr_array_index(ice->pending_remote, i), NULL, 0);
    g_ptr_array_set_size(ice->pending_remote, 0);
    if (ice->remote_gathering_done)
        nice_agent_peer_candidate_gathering_done(ice->agent, ice->stream);
    return PEERC_OK;
}

int peerc__ice_restart(peerc_ice *ice)
{
    if (!nice_agent_restart_stream(ice->agent, ice->stream))
        return PEERC_E_OPERATION;
    update_credentials(ice);
    ice->have_remote_credentials = FALSE;
    ice->remote_gathering_done = FALSE;
    ice->pac_start = 0;
    cancel_no_pairs_timer(ice);
    if (ice->state == PEERC_ICE_CONNECTION_FAILED)
        ice->state = PEERC_ICE_CONNECTION_NEW; /* a restart is the way out of failed */
    return PEERC_OK;
}

int peerc__ice_send(peerc_ice *ice, const uint8_t *data, size_t len)
{
    gint sent = nice_agent_send(ice->agent, ice->stream, COMPONENT, (guint)len, (const gchar *)data);
    if (sent < 0)
        return PEERC_E_NETWORK;
    ice->bytes_sent += len;
    ice->packets_sent++;
    return PEERC_OK;
}

static const char *candidate_type_name(NiceCandidateType t)
{
    switch (t) {
    case NICE_CANDIDATE_TYPE_HOST: return "host";
    case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE: return "srflx";
    case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE: return "prflx";
    case NICE_CANDIDATE_TYPE_RELAYED: return "relay";
    }
    return "";
}

static void describe(const NiceCandidate *c, char *type, size_t tlen, char *proto, size_t plen,
                     char *addr, size_t alen, uint16_t *port)
{
    gchar text[NICE_ADDRESS_STRING_LEN];
    nice_address_to_string(&c->addr, text);
    g_strlcpy(type, candidate_type_name(c->type), tlen);
    g_strlcpy(proto, c->transport == NICE_CANDIDATE_TRANSPORT_UDP ? "udp" : "tcp", plen);
    g_strlcpy(addr, text, alen);
    *port = (uint16_t)nice_address_get_port(&c->addr);
}

void peerc__ice_fill_stats(peerc_ice *ice, peerc_transport_stats *s)
{
    NiceCandidate *local = NULL, *remote = NULL;
    s->bytes_sent = ice->bytes_sent;
    s->bytes_received = ice->bytes_received;
    s->packets_sent = ice->packets_sent;
    s->packets_received = ice->packets_received;
    if (nice_agent_get_selected_pair(ice->agent, ice->stream, COMPONENT, &local, &remote)) {
        describe(local, s->local_candidate_type, sizeof s->local_candidate_type, s->local_protocol,
                 sizeof s->local_protocol, s->local_address, sizeof s->local_address,
                 &s->local_port);
        describe(remote, s->remote_candidate_type, sizeof s->remote_candidate_type,
                 s->remote_protocol, sizeof s->remote_protocol, s->remote_address,
                 sizeof s->remote_address, &s->remote_port);
    }
}

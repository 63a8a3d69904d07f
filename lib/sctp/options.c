/*
 * Per-association usrsctp socket setup (called under the usrsctp lock).
 * The choices follow RFC 8831 §6 and RFC 8261.
 */
#include "sctp/sctp-private.h"

#include "core/log.h"

#include <errno.h>
#include <string.h>

#define SET(so, level, name, val)                                                  \
    set_opt(so, level, name, #name, &(val), (socklen_t)sizeof(val))

static int set_opt(struct socket *so, int level, int name, const char *what, const void *val,
                   socklen_t len)
{
    if (usrsctp_setsockopt(so, level, name, val, len) == 0)
        return 0;
    PEERC_WARN("sctp", "setsockopt %s: %s", what, strerror(errno));
    return -1;
}

static int subscribe_events(struct socket *so)
{
    static const uint16_t types[] = {
        SCTP_ASSOC_CHANGE,           SCTP_STREAM_RESET_EVENT, SCTP_SENDER_DRY_EVENT,
        SCTP_STREAM_CHANGE_EVENT,    SCTP_PARTIAL_DELIVERY_EVENT,
        SCTP_SEND_FAILED_EVENT,      SCTP_REMOTE_ERROR,       SCTP_SHUTDOWN_EVENT,
    };
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
        struct sctp_event ev;
        memset(&ev, 0, sizeof ev);
        ev.se_assoc_id = SCTP_FUTURE_ASSOC;
        ev.se_type = types[i];
        ev.se_on = 1;
        if (SET(so, IPPROTO_SCTP, SCTP_EVENT, ev))
            return -1;
    }
    return 0;
}

/* Options without which data channels cannot work. */
static int set_required(struct socket *so)
{
    /* Closing the socket sends ABORT at once: a freed association must not
     * linger in the process-wide stack (RFC 8831 §6.2 leaves shutdown to
     * the application; ours is gone). */
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    int on = 1;
    int buf = PEERC_SCTP_SEND_BUFFER;
    struct sctp_assoc_value reset = {SCTP_FUTURE_ASSOC, SCTP_ENABLE_RESET_STREAM_REQ};
    struct sctp_initmsg init;
    memset(&init, 0, sizeof init);
    init.sinit_num_ostreams = PEERC_SCTP_MAX_STREAMS;
    init.sinit_max_instreams = PEERC_SCTP_MAX_STREAMS;

    if (SET(so, SOL_SOCKET, SO_LINGER, lg) ||
        /* Messages are latency-sensitive application data: no Nagle. */
        SET(so, IPPROTO_SCTP, SCTP_NODELAY, on) ||
        /* A whole message must fit in the send buffer (no explicit EOR). */
        SET(so, SOL_SOCKET, SO_SNDBUF, buf) ||
        SET(so, SOL_SOCKET, SO_RCVBUF, buf) ||
        /* Closing a channel resets its streams (RFC 8831 §6.7, RFC 6525). */
        SET(so, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, reset) ||
        SET(so, IPPROTO_SCTP, SCTP_INITMSG, init) ||
        SET(so, IPPROTO_SCTP, SCTP_RECVRCVINFO, on))
        return -1;
    return subscribe_events(so);
}

/* Options that improve behaviour but are not essential. */
static void set_optional(struct socket *so)
{
    /* I-DATA (RFC 8260) lets a large message be interleaved with others
     * instead of blocking every stream; it needs fragment interleave level
     * 2 and is used only if the peer supports it too.  RFC 8831 §6.1
     * recommends it. */
    int level = 2;
    struct sctp_assoc_value idata = {SCTP_FUTURE_ASSOC, 1};
    if (SET(so, IPPROTO_SCTP, SCTP_FRAGMENT_INTERLEAVE, level) == 0)
        SET(so, IPPROTO_SCTP, SCTP_INTERLEAVING_SUPPORTED, idata);

    /* The RFC 4960 RTO floor of 1 s and ceiling of 60 s stall a channel
     * for long after a single loss; WebRTC stacks use lower bounds. */
    struct sctp_rtoinfo rto;
    memset(&rto, 0, sizeof rto);
    rto.srto_assoc_id = SCTP_FUTURE_ASSOC;
    rto.srto_initial = 1000;
    rto.srto_min = 400;
    rto.srto_max = 10000;
    SET(so, IPPROTO_SCTP, SCTP_RTOINFO, rto);
}

static void fill_addr(struct sockaddr_conn *a, const peerc_sctp *sctp, uint16_t port)
{
    memset(a, 0, sizeof *a);
    a->sconn_family = AF_CONN;
    a->sconn_port = htons(port);
    a->sconn_addr = (void *)sctp->id;
}

struct socket *peerc__sctp_socket_open(peerc_sctp *sctp)
{
    struct socket *so = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
    if (!so) {
        peerc__errorf(sctp->err, sizeof sctp->err, PEERC_E_INTERNAL, "usrsctp_socket: %s",
                      strerror(errno));
        return NULL;
    }
    struct sockaddr_conn local;
    fill_addr(&local, sctp, sctp->local_port);
    if (usrsctp_set_non_blocking(so, 1) != 0 || set_required(so) != 0) {
        peerc__errorf(sctp->err, sizeof sctp->err, PEERC_E_INTERNAL,
                      "configuring the SCTP socket failed");
        usrsctp_close(so);
        return NULL;
    }
    set_optional(so);
    {
        /* Fixed path MTU, no PMTUD: there is no ICMP under DTLS.  The value
         * counts chunk bytes only, so leave room for the 12-byte common
         * header (RFC 4960 §3.1). */
        struct sctp_paddrparams pp;
        memset(&pp, 0, sizeof pp);
        pp.spp_assoc_id = SCTP_FUTURE_ASSOC;
        pp.spp_flags = SPP_PMTUD_DISABLE;
        pp.spp_pathmtu = PEERC_SCTP_MAX_PACKET - 12;
        usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof pp);
    }
    usrsctp_register_address((void *)sctp->id);
    if (usrsctp_bind(so, (struct sockaddr *)&local, sizeof local) != 0) {
        peerc__errorf(sctp->err, sizeof sctp->err, PEERC_E_INTERNAL, "usrsctp_bind: %s",
                      strerror(errno));
        usrsctp_deregister_address((void *)sctp->id);
        usrsctp_close(so);
        return NULL;
    }
    usrsctp_set_upcall(so, peerc__sctp_bridge_upcall, (void *)sctp->id);
    return so;
}

/* Once the association exists, pin its path's MTU as well, in case this
 * usrsctp does not carry the endpoint default over to new paths. */
void peerc__sctp_socket_set_mtu(peerc_sctp *sctp)
{
    struct sctp_paddrparams pp;
    memset(&pp, 0, sizeof pp);
    struct sockaddr_conn remote;
    fill_addr(&remote, sctp, sctp->remote_port);
    memcpy(&pp.spp_address, &remote, sizeof remote);
    pp.spp_assoc_id = 0;
    pp.spp_flags = SPP_PMTUD_DISABLE;
    pp.spp_pathmtu = PEERC_SCTP_MAX_PACKET - 12;
    SET(sctp->so, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, pp);
}

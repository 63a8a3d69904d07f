/*
 * Internals shared by the lib/sctp files.  Only this directory includes it.
 *
 * Locks, always taken in this order:
 *   usrsctp lock (usrsctp-global.c)  - serialises every usrsctp call
 *   bridge lock (bridge.c)           - registry + per-association inboxes
 *   GMainContext lock (inside GLib)  - g_source_set_ready_time
 */
#ifndef PEERC_SCTP_PRIVATE_H
#define PEERC_SCTP_PRIVATE_H

#include "sctp/sctp.h"

#include "core/error.h"

#include <usrsctp.h>

/* Not in 0.9.5.0's usrsctp.h but handled by its socket code (FreeBSD
 * netinet/sctp.h values). */
#ifndef SCTP_INTERLEAVING_SUPPORTED
#define SCTP_INTERLEAVING_SUPPORTED 0x00001206 /* RFC 8260 I-DATA */
#endif
#ifndef SCTP_GET_SNDBUF_USE
#define SCTP_GET_SNDBUF_USE 0x00001101
#endif

enum sctp_state {
    SCTP_ST_NEW,        /* socket ready, connect not called */
    SCTP_ST_CONNECTING, /* INIT sent */
    SCTP_ST_CONNECTED,  /* COMM_UP seen */
    SCTP_ST_CLOSED      /* gone; closed callback fired */
};

enum sctp_reset_state {
    SCTP_RESET_NONE,
    SCTP_RESET_WANTED,  /* asked for; waits for our queue and a free slot */
    SCTP_RESET_INFLIGHT /* RE-CONFIG request outstanding */
};

/* One chunk of an inbox: a packet for DTLS. */
typedef struct sctp_pkt {
    struct sctp_pkt *next;
    size_t len;
    uint8_t data[];
} sctp_pkt;

/* A message waiting in our send queue. */
typedef struct sctp_msg {
    uint16_t sid;
    uint16_t flags;     /* SCTP_UNORDERED */
    uint16_t pr_policy; /* SCTP_PR_SCTP_* */
    uint32_t pr_value;
    uint32_t ppid;
    size_t len;
    uint8_t data[];
} sctp_msg;

/* Bytes handed to usrsctp for one stream, oldest first, so that the
 * acknowledged total can be spread over streams. */
typedef struct sctp_sent {
    uint16_t sid;
    uint64_t bytes;
} sctp_sent;

struct peerc_sctp {
    int refs; /* worker only: the owner plus a running dispatch */
    int freeing, freed;
    uintptr_t id; /* sconn_addr, upcall argument and registry key */
    GMainContext *mc;
    GSource *wake; /* ready time set from any thread by the bridge */
    peerc_sctp_callbacks cbs;
    void *ud;
    uint16_t local_port, remote_port;
    struct socket *so;
    enum sctp_state state;
    int global_ref; /* holds a usrsctp reference */
    char err[PEERC_ERRBUF_SIZE];

    /* Inbox, under the bridge lock. */
    sctp_pkt *out_head, *out_tail;
    int socket_event;

    /* Receive side (recv.c). */
    uint8_t *rbuf;
    GHashTable *partial; /* sid -> GByteArray of a message being reassembled */
    GHashTable *oversize; /* sids whose current message is being dropped */
    GByteArray *notif;
    uint16_t in_streams, out_streams;

    /* Send side (send.c). */
    GQueue sendq;  /* sctp_msg* */
    GQueue sentq;  /* sctp_sent*, bytes inside usrsctp */
    uint64_t queued[PEERC_SCTP_MAX_STREAMS];
    uint64_t in_stack[PEERC_SCTP_MAX_STREAMS];
    uint64_t queued_total, in_stack_total;
    int progress; /* buffered bytes fell since writable last fired */
    int sndbuf_use_broken;
    uint8_t reset[PEERC_SCTP_MAX_STREAMS]; /* enum sctp_reset_state */
    uint8_t reset_tries[PEERC_SCTP_MAX_STREAMS];
    GSource *reset_retry; /* timer on mc */
    uint64_t remote_max;

    peerc_sctp_stats stats;
};

/* usrsctp-global.c */
int peerc__sctp_global_acquire(char *err, size_t errlen);
void peerc__sctp_global_release(void);
void peerc__sctp_lock(void);
void peerc__sctp_unlock(void);

/* bridge.c: the only code that runs on foreign threads. */
int peerc__sctp_bridge_output(void *addr, void *buf, size_t len, uint8_t tos, uint8_t set_df);
void peerc__sctp_bridge_upcall(struct socket *so, void *arg, int flags);
void peerc__sctp_bridge_add(peerc_sctp *sctp);
void peerc__sctp_bridge_remove(peerc_sctp *sctp);
/* Take the packets queued for DTLS and whether the socket signalled. */
sctp_pkt *peerc__sctp_bridge_take(peerc_sctp *sctp, int *socket_event);
/* Schedule a dispatch that also services the socket. */
void peerc__sctp_bridge_wake(peerc_sctp *sctp);

/* options.c */
struct socket *peerc__sctp_socket_open(peerc_sctp *sctp);
void peerc__sctp_socket_set_mtu(peerc_sctp *sctp);

/* recv.c */
void peerc__sctp_recv_init(peerc_sctp *sctp);
void peerc__sctp_recv_clear(peerc_sctp *sctp);
/* Read until EWOULDBLOCK (or budget); returns 0, or -1 if sctp was freed
 * by a callback. */
int peerc__sctp_recv_drain(peerc_sctp *sctp);

/* send.c */
void peerc__sctp_send_clear(peerc_sctp *sctp);
/* Update acknowledged bytes, flush our queue, issue resets, report
 * writable; -1 if freed by a callback. */
int peerc__sctp_send_progress(peerc_sctp *sctp);
/* Reset events: done (ok) or refused for the listed streams. */
int peerc__sctp_send_reset_result(peerc_sctp *sctp, uint16_t sid, int ok);

/* assoc.c */
/* Move to CLOSED and fire closed once; -1 if freed by the callback. */
int peerc__sctp_set_closed(peerc_sctp *sctp, int code, const char *reason);
int peerc__sctp_set_connected(peerc_sctp *sctp);
void peerc__sctp_ref(peerc_sctp *sctp);
void peerc__sctp_unref(peerc_sctp *sctp);

#endif

/*
 * The bridge between usrsctp's callbacks and the associations' main
 * contexts.  usrsctp calls conn_output and socket upcalls from whichever
 * thread is inside it (a worker, another runtime's worker, the timer
 * thread) while that thread holds the usrsctp lock.  Here we only copy the
 * packet or note the event in the association's inbox and wake its
 * GMainContext; everything else happens later on the owning worker.
 *
 * usrsctp knows an association only by its numeric id (the AF_CONN address
 * and upcall argument).  The id is looked up in a registry under the bridge
 * lock, so an event for an association that was freed meanwhile finds
 * nothing and is dropped.
 */
#include "sctp/sctp-private.h"

#include "core/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t bridge_lock = PTHREAD_MUTEX_INITIALIZER;
static GHashTable *registry; /* id -> peerc_sctp*, no reference held */

void peerc__sctp_bridge_add(peerc_sctp *sctp)
{
    pthread_mutex_lock(&bridge_lock);
    if (!registry)
        registry = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_hash_table_insert(registry, (gpointer)sctp->id, sctp);
    pthread_mutex_unlock(&bridge_lock);
}

void peerc__sctp_bridge_remove(peerc_sctp *sctp)
{
    pthread_mutex_lock(&bridge_lock);
    if (registry) {
        g_hash_table_remove(registry, (gpointer)sctp->id);
        if (g_hash_table_size(registry) == 0) {
            g_hash_table_destroy(registry);
            registry = NULL;
        }
    }
    pthread_mutex_unlock(&bridge_lock);
}

static peerc_sctp *lookup(void *addr)
{
    return registry ? g_hash_table_lookup(registry, addr) : NULL;
}

/* Called with the bridge lock held. */
static void wake(peerc_sctp *sctp)
{
    /* Thread-safe; wakes the owning context if it is polling. */
    g_source_set_ready_time(sctp->wake, 0);
}

void peerc__sctp_bridge_wake(peerc_sctp *sctp)
{
    pthread_mutex_lock(&bridge_lock);
    sctp->socket_event = 1;
    wake(sctp);
    pthread_mutex_unlock(&bridge_lock);
}

int peerc__sctp_bridge_output(void *addr, void *buf, size_t len, uint8_t tos, uint8_t set_df)
{
    (void)tos;
    (void)set_df;
    sctp_pkt *p = malloc(sizeof *p + len);
    if (!p)
        return -1; /* like a dropped datagram: SCTP retransmits */
    p->next = NULL;
    p->len = len;
    memcpy(p->data, buf, len);
    pthread_mutex_lock(&bridge_lock);
    peerc_sctp *sctp = lookup(addr);
    if (sctp) {
        if (sctp->out_tail)
            sctp->out_tail->next = p;
        else
            sctp->out_head = p;
        sctp->out_tail = p;
        wake(sctp);
        p = NULL;
    }
    pthread_mutex_unlock(&bridge_lock);
    free(p); /* association gone: drop */
    return 0;
}

void peerc__sctp_bridge_upcall(struct socket *so, void *arg, int flags)
{
    (void)so;
    (void)flags;
    pthread_mutex_lock(&bridge_lock);
    peerc_sctp *sctp = lookup(arg);
    if (sctp) {
        sctp->socket_event = 1;
        wake(sctp);
    }
    pthread_mutex_unlock(&bridge_lock);
}

sctp_pkt *peerc__sctp_bridge_take(peerc_sctp *sctp, int *socket_event)
{
    pthread_mutex_lock(&bridge_lock);
    sctp_pkt *head = sctp->out_head;
    sctp->out_head = sctp->out_tail = NULL;
    *socket_event = sctp->socket_event;
    sctp->socket_event = 0;
    pthread_mutex_unlock(&bridge_lock);
    return head;
}

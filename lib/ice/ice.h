/*
 * ICE transport: one libnice agent, one stream, one component (BUNDLE and
 * rtcp-mux put everything on it).  Runs on the worker's GMainContext.
 */
#ifndef PEERC_ICE_ICE_H
#define PEERC_ICE_ICE_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include <peerc/pc.h>

#include "ice/url.h"

typedef struct peerc_ice peerc_ice;

typedef struct peerc_ice_config {
    const peerc_ice_url *servers; /* resolved STUN/TURN servers */
    size_t n_servers;
    int relay_only;
    int enable_ipv6;
    int enable_tcp;
    int enable_udp;
    uint16_t port_min, port_max;
    const char *local_addresses; /* space-separated; NULL = all interfaces */
} peerc_ice_config;

typedef struct peerc_ice_callbacks {
    /* A local candidate as "candidate:..." */
    void (*candidate)(void *ud, const char *candidate);
    void (*gathering_done)(void *ud);
    /* W3C ICE connection state of the transport. */
    void (*state)(void *ud, peerc_ice_connection_state state);
    /* A datagram that is not STUN (DTLS, RTP, RTCP). */
    void (*receive)(void *ud, const uint8_t *data, size_t len);
} peerc_ice_callbacks;

int peerc__ice_new(GMainContext *mc, const peerc_ice_config *config,
                   const peerc_ice_callbacks *cbs, void *ud, peerc_ice **out,
                   char *err, size_t errlen);
void peerc__ice_free(peerc_ice *ice);

/* Local ICE credentials (owned by the ice object, stable until restart). */
const char *peerc__ice_local_ufrag(const peerc_ice *ice);
const char *peerc__ice_local_pwd(const peerc_ice *ice);

/* Starts gathering once; later calls do nothing. */
int peerc__ice_gather(peerc_ice *ice, char *err, size_t errlen);
int peerc__ice_set_controlling(peerc_ice *ice, int controlling);
int peerc__ice_set_remote_credentials(peerc_ice *ice, const char *ufrag, const char *pwd);
/* candidate: "candidate:..." (an "a=" prefix is accepted).  mDNS names are
 * resolved asynchronously. */
int peerc__ice_add_remote_candidate(peerc_ice *ice, const char *candidate, char *err,
                                    size_t errlen);
void peerc__ice_remote_gathering_done(peerc_ice *ice);
/* New local credentials; checks start over once the remote's arrive. */
int peerc__ice_restart(peerc_ice *ice);

int peerc__ice_send(peerc_ice *ice, const uint8_t *data, size_t len);

void peerc__ice_fill_stats(peerc_ice *ice, peerc_transport_stats *stats);

#endif

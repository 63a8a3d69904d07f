/*
 * A minimal one-shot mDNS resolver (RFC 6762) for the "<uuid>.local" host
 * candidates browsers publish (draft-ietf-mmusic-mdns-ice-candidates).
 * Sends a question for the A record from an ephemeral port, so responders
 * answer by unicast (RFC 6762 6.7), and waits on the worker's context.
 */
#ifndef PEERC_ICE_MDNS_H
#define PEERC_ICE_MDNS_H

#include <glib.h>

typedef struct peerc_mdns_query peerc_mdns_query;

/* address is the IPv4 address as text, or NULL when nothing answered in
 * time (or the query could not be sent; reason says why). */
typedef void (*peerc_mdns_callback)(void *ud, const char *name, const char *address,
                                    const char *reason);

/* Resolve name on mc.  target NULL means the mDNS group 224.0.0.251:5353
 * (tests pass a loopback responder as "127.0.0.1:port").  The callback
 * fires exactly once, from mc, unless the query is cancelled first. */
peerc_mdns_query *peerc__mdns_resolve(GMainContext *mc, const char *name, const char *target,
                                      unsigned timeout_ms, peerc_mdns_callback cb, void *ud);
/* Stop the query; its callback will not fire.  NULL-safe. */
void peerc__mdns_cancel(peerc_mdns_query *q);

/* DNS wire helpers, exposed for the unit test. */
gssize peerc__mdns_build_query(const char *name, guint8 *buf, gsize len);
/* Find an A record for name in a response; writes dotted text into out. */
gboolean peerc__mdns_parse_answer(const guint8 *msg, gsize len, const char *name, char *out,
                                  gsize outlen);

#endif

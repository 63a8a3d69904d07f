/* ICE server URLs (RFC 7064 stun:, RFC 7065 turn:/turns:). */
#ifndef PEERC_ICE_URL_H
#define PEERC_ICE_URL_H

#include <stddef.h>
#include <stdint.h>

typedef enum peerc_ice_url_kind {
    PEERC_ICE_URL_STUN,
    PEERC_ICE_URL_TURN_UDP,
    PEERC_ICE_URL_TURN_TCP,
    PEERC_ICE_URL_TURN_TLS
} peerc_ice_url_kind;

typedef struct peerc_ice_url {
    peerc_ice_url_kind kind;
    char host[256];      /* as written */
    char address[64];    /* resolved numeric address */
    uint16_t port;
    char username[256];
    char credential[256];
} peerc_ice_url;

/* Parse one URL.  Errors: PEERC_E_SYNTAX with detail. */
int peerc__ice_url_parse(const char *text, const char *username, const char *credential,
                         peerc_ice_url *out, char *err, size_t errlen);
/* Resolve out->host into out->address (blocking DNS; done at pc creation
 * on the caller's thread).  Errors: PEERC_E_NETWORK. */
int peerc__ice_url_resolve(peerc_ice_url *url, char *err, size_t errlen);

#endif

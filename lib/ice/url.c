/* ICE server URL parsing and resolution. */
#include "ice/url.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <peerc/common.h>

#include "core/error.h"

static int scheme_of(const char **p, peerc_ice_url_kind *kind, uint16_t *default_port)
{
    if (strncasecmp(*p, "stun:", 5) == 0) {
        *kind = PEERC_ICE_URL_STUN, *default_port = 3478, *p += 5;
    } else if (strncasecmp(*p, "stuns:", 6) == 0) {
        return -1; /* STUN over TLS: libnice has no client for it */
    } else if (strncasecmp(*p, "turn:", 5) == 0) {
        *kind = PEERC_ICE_URL_TURN_UDP, *default_port = 3478, *p += 5;
    } else if (strncasecmp(*p, "turns:", 6) == 0) {
        *kind = PEERC_ICE_URL_TURN_TLS, *default_port = 5349, *p += 6;
    } else {
        return -1;
    }
    return 0;
}

/* host is "name", "1.2.3.4" or "[v6]"; port optional. */
static int split_host_port(const char *hp, size_t len, char *host, size_t hostlen, uint16_t *port)
{
    const char *end = hp + len, *colon = NULL;
    if (len && hp[0] == '[') {
        const char *close = memchr(hp, ']', len);
        if (!close || close == hp + 1 || (size_t)(close - hp - 1) >= hostlen)
            return -1;
        memcpy(host, hp + 1, (size_t)(close - hp - 1));
        host[close - hp - 1] = 0;
        if (close + 1 < end) {
            if (close[1] != ':')
                return -1;
            colon = close + 1;
        }
    } else {
        colon = memchr(hp, ':', len);
        size_t hl = colon ? (size_t)(colon - hp) : len;
        if (hl == 0 || hl >= hostlen)
            return -1;
        memcpy(host, hp, hl);
        host[hl] = 0;
    }
    if (colon) {
        char *e;
        long v;
        if (colon + 1 >= end)
            return -1;
        v = strtol(colon + 1, &e, 10);
        if (e != end || v <= 0 || v > 65535)
            return -1;
        *port = (uint16_t)v;
    }
    return 0;
}

int peerc__ice_url_parse(const char *text, const char *username, const char *credential,
                         peerc_ice_url *out, char *err, size_t errlen)
{
    const char *p = text, *query;
    size_t hplen;
    if (!text)
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "ICE server URL is NULL");
    memset(out, 0, sizeof *out);
    if (scheme_of(&p, &out->kind, &out->port) < 0)
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX,
                             "ICE server URL \"%s\": scheme must be stun:, turn: or turns:", text);
    query = strchr(p, '?');
    hplen = query ? (size_t)(query - p) : strlen(p);
    if (split_host_port(p, hplen, out->host, sizeof out->host, &out->port) < 0)
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "ICE server URL \"%s\": bad host or port", text);
    if (query) {
        if (out->kind == PEERC_ICE_URL_STUN)
            return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "ICE server URL \"%s\": stun: takes no query", text);
        if (strcasecmp(query, "?transport=udp") == 0) {
            if (out->kind == PEERC_ICE_URL_TURN_TLS)
                return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "ICE server URL \"%s\": turns: runs over TCP", text);
        } else if (strcasecmp(query, "?transport=tcp") == 0) {
            if (out->kind == PEERC_ICE_URL_TURN_UDP)
                out->kind = PEERC_ICE_URL_TURN_TCP;
        } else {
            return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "ICE server URL \"%s\": unknown query", text);
        }
    }
    if (out->kind != PEERC_ICE_URL_STUN) {
        /* W3C: a turn/turns server without username or credential is an
         * InvalidAccessError at construction time. */
        if (!username || !credential)
            return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                                 "ICE server URL \"%s\": TURN needs a username and credential", text);
        snprintf(out->username, sizeof out->username, "%s", username);
        snprintf(out->credential, sizeof out->credential, "%s", credential);
    }
    return PEERC_OK;
}

int peerc__ice_url_resolve(peerc_ice_url *url, char *err, size_t errlen)
{
    struct addrinfo hints = {0}, *res = NULL;
    int rc;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = url->kind == PEERC_ICE_URL_STUN || url->kind == PEERC_ICE_URL_TURN_UDP
                            ? SOCK_DGRAM : SOCK_STREAM;
    rc = getaddrinfo(url->host, NULL, &hints, &res);
    if (rc != 0 || !res)
        return peerc__errorf(err, errlen, PEERC_E_NETWORK, "cannot resolve ICE server %s: %s",
                             url->host, gai_strerror(rc));
    if (res->ai_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, url->address,
                  sizeof url->address);
    else
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, url->address,
                  sizeof url->address);
    freeaddrinfo(res);
    return PEERC_OK;
}

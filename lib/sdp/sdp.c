/* SDP data model: allocation, lookups and small edits. */
#include <peerc/common.h>

#include "sdp/sdp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *dup_or_null(const char *s, int *oom)
{
    char *c;
    if (!s)
        return NULL;
    c = strdup(s);
    if (!c)
        *oom = 1;
    return c;
}

/* Grow *items (of elem bytes each) so that one more fits. */
static int grow(void **items, size_t *cap, size_t count, size_t elem)
{
    size_t ncap;
    void *n;
    if (count < *cap)
        return PEERC_OK;
    ncap = *cap ? *cap * 2 : 8;
    n = realloc(*items, ncap * elem);
    if (!n)
        return PEERC_E_NO_MEMORY;
    *items = n;
    *cap = ncap;
    return PEERC_OK;
}

/* ------------------------------------------------------------- strv */

int peerc__sdp_strv_add(peerc_sdp_strv *v, const char *s)
{
    char *c;
    if (grow((void **)&v->items, &v->cap, v->count, sizeof *v->items) != PEERC_OK)
        return PEERC_E_NO_MEMORY;
    c = strdup(s);
    if (!c)
        return PEERC_E_NO_MEMORY;
    v->items[v->count++] = c;
    return PEERC_OK;
}

void peerc__sdp_strv_clear(peerc_sdp_strv *v)
{
    for (size_t i = 0; i < v->count; i++)
        free(v->items[i]);
    free(v->items);
    memset(v, 0, sizeof *v);
}

/* ------------------------------------------------------------ attrs */

int peerc__sdp_attrs_add(peerc_sdp_attrs *a, const char *name, const char *value)
{
    peerc_sdp_attr at;
    int oom = 0;
    if (grow((void **)&a->items, &a->cap, a->count, sizeof *a->items) != PEERC_OK)
        return PEERC_E_NO_MEMORY;
    at.name = dup_or_null(name, &oom);
    at.value = dup_or_null(value, &oom);
    if (oom || !at.name) {
        free(at.name);
        free(at.value);
        return PEERC_E_NO_MEMORY;
    }
    a->items[a->count++] = at;
    return PEERC_OK;
}

size_t peerc__sdp_attrs_remove(peerc_sdp_attrs *a, const char *name)
{
    size_t kept = 0, removed = 0;
    for (size_t i = 0; i < a->count; i++) {
        if (strcmp(a->items[i].name, name) == 0) {
            free(a->items[i].name);
            free(a->items[i].value);
            removed++;
        } else {
            a->items[kept++] = a->items[i];
        }
    }
    a->count = kept;
    return removed;
}

void peerc__sdp_attrs_clear(peerc_sdp_attrs *a)
{
    for (size_t i = 0; i < a->count; i++) {
        free(a->items[i].name);
        free(a->items[i].value);
    }
    free(a->items);
    memset(a, 0, sizeof *a);
}

const peerc_sdp_attr *peerc__sdp_attrs_next(const peerc_sdp_attrs *a, const char *name,
                                            size_t *pos)
{
    for (size_t i = *pos; i < a->count; i++) {
        if (strcmp(a->items[i].name, name) == 0) {
            *pos = i + 1;
            return &a->items[i];
        }
    }
    *pos = a->count;
    return NULL;
}

const char *peerc__sdp_attrs_get(const peerc_sdp_attrs *a, const char *name)
{
    size_t pos = 0;
    const peerc_sdp_attr *at = peerc__sdp_attrs_next(a, name, &pos);
    return at ? at->value : NULL;
}

int peerc__sdp_attrs_has(const peerc_sdp_attrs *a, const char *name)
{
    size_t pos = 0;
    return peerc__sdp_attrs_next(a, name, &pos) != NULL;
}

/* ------------------------------------------------------ media / session */

static void media_free(peerc_sdp_media *m)
{
    if (!m)
        return;
    free(m->type);
    free(m->proto);
    peerc__sdp_strv_clear(&m->fmts);
    free(m->info);
    free(m->connection);
    peerc__sdp_strv_clear(&m->bandwidths);
    free(m->key);
    peerc__sdp_attrs_clear(&m->attrs);
    free(m);
}

static void origin_clear(peerc_sdp_origin *o)
{
    free(o->username);
    free(o->sess_id);
    free(o->nettype);
    free(o->addrtype);
    free(o->address);
    memset(o, 0, sizeof *o);
}

void peerc__sdp_free(peerc_sdp *sdp)
{
    if (!sdp)
        return;
    origin_clear(&sdp->origin);
    free(sdp->name);
    free(sdp->info);
    free(sdp->uri);
    peerc__sdp_strv_clear(&sdp->emails);
    peerc__sdp_strv_clear(&sdp->phones);
    free(sdp->connection);
    peerc__sdp_strv_clear(&sdp->bandwidths);
    for (size_t i = 0; i < sdp->n_times; i++) {
        free(sdp->times[i].value);
        peerc__sdp_strv_clear(&sdp->times[i].repeats);
    }
    free(sdp->times);
    free(sdp->zone);
    free(sdp->key);
    peerc__sdp_attrs_clear(&sdp->attrs);
    for (size_t i = 0; i < sdp->n_media; i++)
        media_free(sdp->media[i]);
    free(sdp->media);
    free(sdp);
}

peerc_sdp *peerc__sdp_new(void)
{
    int oom = 0;
    peerc_sdp *sdp = calloc(1, sizeof *sdp);
    if (!sdp)
        return NULL;
    sdp->origin.username = dup_or_null("-", &oom);
    sdp->origin.sess_id = dup_or_null("0", &oom);
    sdp->origin.nettype = dup_or_null("IN", &oom);
    sdp->origin.addrtype = dup_or_null("IP4", &oom);
    sdp->origin.address = dup_or_null("127.0.0.1", &oom);
    sdp->name = dup_or_null("-", &oom);
    sdp->times = calloc(1, sizeof *sdp->times);
    if (sdp->times) {
        sdp->n_times = 1;
        sdp->times[0].value = dup_or_null("0 0", &oom);
    }
    if (oom || !sdp->times) {
        peerc__sdp_free(sdp);
        return NULL;
    }
    return sdp;
}

peerc_sdp *peerc__sdp_dup(const peerc_sdp *sdp)
{
    peerc_sdp *copy = NULL;
    char *text = peerc__sdp_serialize(sdp);
    if (!text)
        return NULL;
    /* Only OOM can fail here: serialize output always parses. */
    if (peerc__sdp_parse(text, &copy, NULL, 0) != PEERC_OK)
        copy = NULL;
    free(text);
    return copy;
}

/* ------------------------------------------------------------ lookups */

const char *peerc__sdp_media_attr(const peerc_sdp_media *m, const char *name)
{
    return peerc__sdp_attrs_get(&m->attrs, name);
}

int peerc__sdp_media_has_attr(const peerc_sdp_media *m, const char *name)
{
    return peerc__sdp_attrs_has(&m->attrs, name);
}

const peerc_sdp_attr *peerc__sdp_media_attr_next(const peerc_sdp_media *m, const char *name,
                                                 size_t *pos)
{
    return peerc__sdp_attrs_next(&m->attrs, name, pos);
}

const char *peerc__sdp_session_attr(const peerc_sdp *sdp, const char *name)
{
    return peerc__sdp_attrs_get(&sdp->attrs, name);
}

int peerc__sdp_session_has_attr(const peerc_sdp *sdp, const char *name)
{
    return peerc__sdp_attrs_has(&sdp->attrs, name);
}

const char *peerc__sdp_media_or_session_attr(const peerc_sdp *sdp, const peerc_sdp_media *m,
                                             const char *name)
{
    const char *v = m ? peerc__sdp_media_attr(m, name) : NULL;
    return v ? v : peerc__sdp_session_attr(sdp, name);
}

const char *peerc__sdp_media_ice_ufrag(const peerc_sdp *sdp, const peerc_sdp_media *m)
{
    return peerc__sdp_media_or_session_attr(sdp, m, "ice-ufrag");
}

const char *peerc__sdp_media_ice_pwd(const peerc_sdp *sdp, const peerc_sdp_media *m)
{
    return peerc__sdp_media_or_session_attr(sdp, m, "ice-pwd");
}

const char *peerc__sdp_media_ice_options(const peerc_sdp *sdp, const peerc_sdp_media *m)
{
    return peerc__sdp_media_or_session_attr(sdp, m, "ice-options");
}

const char *peerc__sdp_media_fingerprint(const peerc_sdp *sdp, const peerc_sdp_media *m)
{
    return peerc__sdp_media_or_session_attr(sdp, m, "fingerprint");
}

const char *peerc__sdp_media_setup(const peerc_sdp *sdp, const peerc_sdp_media *m)
{
    return peerc__sdp_media_or_session_attr(sdp, m, "setup");
}

/* Whether the space-separated list contains word. */
static int has_word(const char *list, const char *word)
{
    size_t wl = strlen(word);
    const char *p = list;
    while (p && *p) {
        size_t n;
        p += strspn(p, " \t");
        n = strcspn(p, " \t");
        if (n == wl && strncmp(p, word, n) == 0)
            return 1;
        p += n;
    }
    return 0;
}

int peerc__sdp_media_has_ice_option(const peerc_sdp *sdp, const peerc_sdp_media *m,
                                    const char *option)
{
    return has_word(peerc__sdp_media_ice_options(sdp, m), option);
}

const char *peerc__sdp_media_mid(const peerc_sdp_media *m)
{
    return peerc__sdp_media_attr(m, "mid");
}

int peerc__sdp_find_mid(const peerc_sdp *sdp, const char *mid)
{
    for (size_t i = 0; mid && i < sdp->n_media; i++) {
        const char *v = peerc__sdp_media_mid(sdp->media[i]);
        if (v && strcmp(v, mid) == 0)
            return (int)i;
    }
    return -1;
}

int peerc__sdp_media_is_rejected(const peerc_sdp_media *m)
{
    return m->port == 0 && !peerc__sdp_media_has_attr(m, "bundle-only");
}

static int is_sctp_proto(const char *proto)
{
    return strcasecmp(proto, "UDP/DTLS/SCTP") == 0 || strcasecmp(proto, "TCP/DTLS/SCTP") == 0 ||
           strcasecmp(proto, "DTLS/SCTP") == 0;
}

/* Legacy (draft-ietf-mmusic-sctp-sdp-05, aiortc 1.4): the format is the SCTP
 * port and a=sctpmap:<port> webrtc-datachannel <streams> names the protocol. */
int peerc__sdp_media_is_legacy_sctp(const peerc_sdp_media *m)
{
    size_t pos = 0, n;
    const peerc_sdp_attr *at;
    if (strcmp(m->type, "application") != 0 || !is_sctp_proto(m->proto) || m->fmts.count != 1)
        return 0;
    n = strlen(m->fmts.items[0]);
    while ((at = peerc__sdp_media_attr_next(m, "sctpmap", &pos))) {
        const char *v = at->value;
        if (v && strncmp(v, m->fmts.items[0], n) == 0 && v[n] == ' ' &&
            strncmp(v + n + 1, "webrtc-datachannel", 18) == 0 &&
            (v[n + 19] == ' ' || v[n + 19] == '\0'))
            return 1;
    }
    return 0;
}

int peerc__sdp_media_is_sctp(const peerc_sdp_media *m)
{
    if (strcmp(m->type, "application") != 0 || !is_sctp_proto(m->proto))
        return 0;
    for (size_t i = 0; i < m->fmts.count; i++)
        if (strcmp(m->fmts.items[i], "webrtc-datachannel") == 0)
            return 1;
    return peerc__sdp_media_is_legacy_sctp(m);
}

/* The value of the first a=group:BUNDLE, past "BUNDLE" (RFC 8843 §7). */
static const char *bundle_value(const peerc_sdp *sdp)
{
    size_t pos = 0;
    const peerc_sdp_attr *at;
    while ((at = peerc__sdp_attrs_next(&sdp->attrs, "group", &pos))) {
        const char *v = at->value;
        if (v && strncmp(v, "BUNDLE", 6) == 0 && (v[6] == ' ' || v[6] == '\0'))
            return v + 6;
    }
    return NULL;
}

int peerc__sdp_bundle_mids(const peerc_sdp *sdp, peerc_sdp_strv *out)
{
    const char *p = bundle_value(sdp);
    memset(out, 0, sizeof *out);
    while (p && *p) {
        char tok[256];
        size_t n;
        p += strspn(p, " ");
        n = strcspn(p, " ");
        if (n && n < sizeof tok) {
            memcpy(tok, p, n);
            tok[n] = '\0';
            if (peerc__sdp_strv_add(out, tok) != PEERC_OK) {
                peerc__sdp_strv_clear(out);
                return PEERC_E_NO_MEMORY;
            }
        }
        p += n;
    }
    return PEERC_OK;
}

int peerc__sdp_in_bundle(const peerc_sdp *sdp, const char *mid)
{
    return mid && has_word(bundle_value(sdp), mid);
}

/* Index of the section carrying the BUNDLE transport for section index: the
 * first mid of the group (RFC 8843 §7.2), or index itself when unbundled. */
static size_t bundle_tag_of(const peerc_sdp *sdp, size_t index)
{
    const char *mid = peerc__sdp_media_mid(sdp->media[index]);
    const char *p = bundle_value(sdp);
    char first[256];
    size_t n;
    int tag;
    if (!mid || !p || !peerc__sdp_in_bundle(sdp, mid))
        return index;
    p += strspn(p, " ");
    n = strcspn(p, " ");
    if (!n || n >= sizeof first)
        return index;
    memcpy(first, p, n);
    first[n] = '\0';
    tag = peerc__sdp_find_mid(sdp, first);
    return tag < 0 ? index : (size_t)tag;
}

const peerc_sdp_attrs *peerc__sdp_transport_attrs(const peerc_sdp *sdp, size_t index,
                                                  const char *name)
{
    size_t tag;
    if (index >= sdp->n_media)
        return NULL;
    if (peerc__sdp_attrs_has(&sdp->media[index]->attrs, name))
        return &sdp->media[index]->attrs;
    tag = bundle_tag_of(sdp, index);
    if (tag != index && peerc__sdp_attrs_has(&sdp->media[tag]->attrs, name))
        return &sdp->media[tag]->attrs;
    return peerc__sdp_attrs_has(&sdp->attrs, name) ? &sdp->attrs : NULL;
}

const char *peerc__sdp_transport_attr(const peerc_sdp *sdp, size_t index, const char *name)
{
    const peerc_sdp_attrs *a = peerc__sdp_transport_attrs(sdp, index, name);
    return a ? peerc__sdp_attrs_get(a, name) : NULL;
}

/* ----------------------------------------------------------- mutation */

static int split_words(peerc_sdp_strv *v, const char *s)
{
    while (s && *s) {
        size_t n;
        s += strspn(s, " ");
        n = strcspn(s, " ");
        if (n) {
            char *tok = strndup(s, n);
            int rc = tok ? peerc__sdp_strv_add(v, tok) : PEERC_E_NO_MEMORY;
            free(tok);
            if (rc != PEERC_OK)
                return rc;
        }
        s += n;
    }
    return PEERC_OK;
}

peerc_sdp_media *peerc__sdp_add_media(peerc_sdp *sdp, const char *type, uint16_t port,
                                      const char *proto, const char *fmts)
{
    int oom = 0;
    peerc_sdp_media *m;
    if (grow((void **)&sdp->media, &sdp->media_cap, sdp->n_media, sizeof *sdp->media) != PEERC_OK)
        return NULL;
    m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->type = dup_or_null(type, &oom);
    m->proto = dup_or_null(proto, &oom);
    m->port = port;
    if (oom || !m->type || !m->proto || split_words(&m->fmts, fmts) != PEERC_OK) {
        media_free(m);
        return NULL;
    }
    sdp->media[sdp->n_media++] = m;
    return m;
}

int peerc__sdp_media_add_attr(peerc_sdp_media *m, const char *name, const char *value)
{
    return peerc__sdp_attrs_add(&m->attrs, name, value);
}

int peerc__sdp_media_add_attrf(peerc_sdp_media *m, const char *name, const char *fmt, ...)
{
    va_list ap;
    char *value = NULL;
    int rc;
    va_start(ap, fmt);
    rc = vasprintf(&value, fmt, ap);
    va_end(ap);
    if (rc < 0)
        return PEERC_E_NO_MEMORY;
    rc = peerc__sdp_attrs_add(&m->attrs, name, value);
    free(value);
    return rc;
}

size_t peerc__sdp_media_remove_attr(peerc_sdp_media *m, const char *name)
{
    return peerc__sdp_attrs_remove(&m->attrs, name);
}

int peerc__sdp_media_set_attr(peerc_sdp_media *m, const char *name, const char *value)
{
    size_t first, kept, pos = 0;
    const peerc_sdp_attr *at = peerc__sdp_attrs_next(&m->attrs, name, &pos);
    char *nv = NULL;
    if (!at)
        return peerc__sdp_attrs_add(&m->attrs, name, value);
    if (value && !(nv = strdup(value)))
        return PEERC_E_NO_MEMORY;
    /* Keep the first occurrence in place so the line order stays stable. */
    first = pos - 1;
    free(m->attrs.items[first].value);
    m->attrs.items[first].value = nv;
    kept = first + 1;
    for (size_t i = first + 1; i < m->attrs.count; i++) {
        if (strcmp(m->attrs.items[i].name, name) == 0) {
            free(m->attrs.items[i].name);
            free(m->attrs.items[i].value);
        } else {
            m->attrs.items[kept++] = m->attrs.items[i];
        }
    }
    m->attrs.count = kept;
    return PEERC_OK;
}

void peerc__sdp_media_set_port(peerc_sdp_media *m, uint16_t port)
{
    m->port = port;
}

int peerc__sdp_media_set_connection(peerc_sdp_media *m, const char *connection)
{
    char *c = NULL;
    if (connection && !(c = strdup(connection)))
        return PEERC_E_NO_MEMORY;
    free(m->connection);
    m->connection = c;
    return PEERC_OK;
}

int peerc__sdp_add_attr(peerc_sdp *sdp, const char *name, const char *value)
{
    return peerc__sdp_attrs_add(&sdp->attrs, name, value);
}

size_t peerc__sdp_remove_attr(peerc_sdp *sdp, const char *name)
{
    return peerc__sdp_attrs_remove(&sdp->attrs, name);
}

int peerc__sdp_set_origin(peerc_sdp *sdp, const char *sess_id, uint64_t sess_version)
{
    char *id = strdup(sess_id);
    if (!id)
        return PEERC_E_NO_MEMORY;
    free(sdp->origin.sess_id);
    sdp->origin.sess_id = id;
    sdp->origin.sess_version = sess_version;
    return PEERC_OK;
}

/*
 * What a remote audio/video m-section says: codecs (codecs.c), direction,
 * the sender's streams and track (RFC 8830 a=msid, or the older RFC 5576
 * a=ssrc:<id> msid:), its SSRCs and RTX pairing (RFC 4588 §8.7), and
 * whether our answer can take it.
 */
#include <peerc/common.h>

#include "core/error.h"
#include "sdp/media.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAD(...) peerc__errorf(err, errlen, PEERC_E_SYNTAX, __VA_ARGS__)

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static size_t word_len(const char *s)
{
    size_t n = 0;
    while (s[n] && s[n] != ' ' && s[n] != '\t')
        n++;
    return n;
}

/* RFC 5576 §4.1: ssrc-id = integer 0..2^32-1.  Returns the length read, 0 if
 * s does not start with one followed by a blank or the end. */
static size_t parse_ssrc(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    size_t n = 0;
    while (isdigit((unsigned char)s[n])) {
        v = v * 10 + (uint64_t)(s[n] - '0');
        if (++n > 10 || v > UINT32_MAX)
            return 0;
    }
    if (n == 0 || (s[n] && s[n] != ' ' && s[n] != '\t'))
        return 0;
    *out = (uint32_t)v;
    return n;
}

/* ------------------------------------------------------------ msid */

/* One msid-value "<id> [<appdata>]" (RFC 8830 §2), split in place into
 * id/appdata ranges; 0 when malformed or a part is over the cap. */
typedef struct msid_value {
    const char *id, *app;
    size_t id_len, app_len;
} msid_value;

static int split_msid(const char *v, msid_value *out)
{
    memset(out, 0, sizeof *out);
    v = skip_ws(v ? v : "");
    out->id = v;
    out->id_len = word_len(v);
    v = skip_ws(v + out->id_len);
    out->app = v;
    out->app_len = word_len(v);
    if (out->id_len == 0 || *skip_ws(v + out->app_len))
        return 0;
    return out->id_len <= PEERC_SDP_MAX_ID_LEN && out->app_len <= PEERC_SDP_MAX_ID_LEN;
}

static char *dup_range(const char *s, size_t n)
{
    char *r = malloc(n + 1);
    if (r) {
        memcpy(r, s, n);
        r[n] = '\0';
    }
    return r;
}

/* Adds a stream id unless it is "-" (no stream, RFC 8830 §2) or listed. */
static int add_stream(peerc_sdp_remote_media *out, const char *id, size_t n)
{
    char **v;
    if (n == 1 && id[0] == '-')
        return PEERC_OK;
    for (size_t i = 0; i < out->n_stream_ids; i++)
        if (strlen(out->stream_ids[i]) == n && memcmp(out->stream_ids[i], id, n) == 0)
            return PEERC_OK;
    v = realloc(out->stream_ids, (out->n_stream_ids + 1) * sizeof *v);
    if (!v)
        return PEERC_E_NO_MEMORY;
    out->stream_ids = v;
    if (!(v[out->n_stream_ids] = dup_range(id, n)))
        return PEERC_E_NO_MEMORY;
    out->n_stream_ids++;
    return PEERC_OK;
}

static int take_msid(peerc_sdp_remote_media *out, const msid_value *mv)
{
    int rc = add_stream(out, mv->id, mv->id_len);
    if (rc == PEERC_OK && !out->track_id && mv->app_len &&
        !(out->track_id = dup_range(mv->app, mv->app_len)))
        rc = PEERC_E_NO_MEMORY;
    return rc;
}

static int read_msid_lines(const peerc_sdp_media *m, peerc_sdp_remote_media *out, char *err,
                           size_t errlen, int *found)
{
    const peerc_sdp_attr *at;
    *found = 0;
    for (size_t pos = 0; (at = peerc__sdp_media_attr_next(m, "msid", &pos));) {
        msid_value mv;
        int rc;
        if (!split_msid(at->value, &mv))
            return BAD("m-line %d: bad a=msid \"%.80s\"", out->index, at->value ? at->value : "");
        if ((rc = take_msid(out, &mv)) != PEERC_OK)
            return rc;
        *found = 1;
    }
    return PEERC_OK;
}

/* ------------------------------------------------------------ ssrc */

/* The first FID group of exactly two SSRCs: original and retransmission
 * (RFC 4588 §8.7).  Other sizes and semantics are well-formed RFC 5576 §4.2
 * but not an RTX pairing, so they are skipped. */
static int read_groups(const peerc_sdp_media *m, peerc_sdp_remote_media *out, char *err,
                       size_t errlen)
{
    const peerc_sdp_attr *at;
    for (size_t pos = 0; (at = peerc__sdp_media_attr_next(m, "ssrc-group", &pos));) {
        const char *v = skip_ws(at->value ? at->value : "");
        size_t sem = word_len(v), count = 0;
        uint32_t ids[2] = {0, 0};
        if (sem == 0)
            return BAD("m-line %d: bad a=ssrc-group \"%.80s\"", out->index,
                       at->value ? at->value : "");
        for (const char *p = skip_ws(v + sem); *p; p = skip_ws(p)) {
            uint32_t id;
            size_t n = parse_ssrc(p, &id);
            if (!n)
                return BAD("m-line %d: bad a=ssrc-group \"%.80s\"", out->index, at->value);
            if (count < 2)
                ids[count] = id;
            count++;
            p += n;
        }
        if (!out->ssrc && sem == 3 && strncmp(v, "FID", 3) == 0 && count == 2 &&
            ids[0] != ids[1]) {
            out->ssrc = ids[0];
            out->rtx_ssrc = ids[1];
        }
    }
    return PEERC_OK;
}

/* One a=ssrc line: "<id> <attribute>[:<value>]" (RFC 5576 §4.1). */
typedef struct ssrc_line {
    uint32_t id;
    const char *attr, *value;
    size_t attr_len;
} ssrc_line;

static int split_ssrc(const char *v, ssrc_line *out)
{
    size_t n;
    v = skip_ws(v ? v : "");
    if (!(n = parse_ssrc(v, &out->id)))
        return 0;
    out->attr = skip_ws(v + n);
    out->attr_len = strcspn(out->attr, ": \t");
    out->value = out->attr[out->attr_len] == ':' ? out->attr + out->attr_len + 1 : "";
    return out->attr_len > 0;
}

static int is_attr(const ssrc_line *l, const char *name)
{
    return l->attr_len == strlen(name) && strncmp(l->attr, name, l->attr_len) == 0;
}

/* Checks every a=ssrc line; sets the primary SSRC when no FID group did. */
static int check_ssrc_lines(const peerc_sdp_media *m, peerc_sdp_remote_media *out, char *err,
                            size_t errlen)
{
    const peerc_sdp_attr *at;
    for (size_t pos = 0; (at = peerc__sdp_media_attr_next(m, "ssrc", &pos));) {
        ssrc_line l;
        msid_value mv;
        if (!split_ssrc(at->value, &l))
            return BAD("m-line %d: bad a=ssrc \"%.80s\"", out->index, at->value ? at->value : "");
        if (is_attr(&l, "cname") && (!*l.value || strlen(l.value) > PEERC_SDP_MAX_ID_LEN))
            return BAD("m-line %d: bad a=ssrc cname \"%.80s\"", out->index, at->value);
        if (is_attr(&l, "msid") && !split_msid(l.value, &mv))
            return BAD("m-line %d: bad a=ssrc msid \"%.80s\"", out->index, at->value);
        if (!out->ssrc)
            out->ssrc = l.id;
    }
    return PEERC_OK;
}

/* The line "<ssrc> <name>:..." for the primary SSRC, else the first one with
 * that attribute (a sender that forgot it on the primary). */
static const char *ssrc_value(const peerc_sdp_media *m, uint32_t primary, const char *name)
{
    const peerc_sdp_attr *at;
    const char *first = NULL;
    for (size_t pos = 0; (at = peerc__sdp_media_attr_next(m, "ssrc", &pos));) {
        ssrc_line l;
        if (!split_ssrc(at->value, &l) || !is_attr(&l, name))
            continue;
        if (l.id == primary)
            return l.value;
        if (!first)
            first = l.value;
    }
    return first;
}

static int read_ssrcs(const peerc_sdp_media *m, peerc_sdp_remote_media *out, int have_msid,
                      char *err, size_t errlen)
{
    const char *cname, *msid;
    int rc = read_groups(m, out, err, errlen);
    if (rc == PEERC_OK)
        rc = check_ssrc_lines(m, out, err, errlen);
    if (rc != PEERC_OK)
        return rc;
    cname = ssrc_value(m, out->ssrc, "cname");
    if (cname && !(out->cname = strdup(cname)))
        return PEERC_E_NO_MEMORY;
    /* a=ssrc msid: is the pre-RFC 8830 form (webrtcbin still sends only it);
     * a=msid wins when both are present. */
    msid = have_msid ? NULL : ssrc_value(m, out->ssrc, "msid");
    if (msid) {
        msid_value mv;
        if (!split_msid(msid, &mv))
            return BAD("m-line %d: bad a=ssrc msid \"%.80s\"", out->index, msid);
        return take_msid(out, &mv);
    }
    return PEERC_OK;
}

/* -------------------------------------------------------- sections */

/* Media level, else session level, else sendrecv (RFC 3264 §5.1). */
static peerc_sdp_direction section_direction(const peerc_sdp *sdp, const peerc_sdp_media *m)
{
    static const char *const names[] = {"sendrecv", "sendonly", "recvonly", "inactive"};
    int d = PEERC_SDP_DIR_SENDRECV;
    for (int i = 0; i < 4; i++)
        if (peerc__sdp_session_has_attr(sdp, names[i]))
            d = i;
    for (size_t i = 0; i < m->attrs.count; i++) {
        int k = peerc__sdp_direction_from_string(m->attrs.items[i].name);
        if (k >= 0)
            d = k;
    }
    return (peerc_sdp_direction)d;
}

static int read_codecs(const peerc_sdp *sdp, const peerc_sdp_media *m,
                       peerc_sdp_remote_media *out, char *err, size_t errlen)
{
    int rc;
    if (!peerc__sdp_media_is_rtp(m))
        return PEERC_OK;
    rc = peerc__sdp_media_codecs_parse(sdp, m, &out->mc, err, errlen);
    /* A rejected section is never used: what it lists does not matter. */
    if (rc != PEERC_OK && out->rejected) {
        peerc__sdp_media_codecs_clear(&out->mc);
        rc = PEERC_OK;
    }
    return rc;
}

int peerc__sdp_remote_media_parse(const peerc_sdp *sdp, size_t index, peerc_sdp_remote_media *out,
                                  char *err, size_t errlen)
{
    const peerc_sdp_media *m;
    const char *mid;
    int rc, have_msid;
    if (!out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL argument");
    memset(out, 0, sizeof *out);
    out->index = (int)index;
    if (!sdp || index >= sdp->n_media)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "no m-line %zu", index);
    m = sdp->media[index];
    snprintf(out->kind, sizeof out->kind, "%s", m->type);
    mid = peerc__sdp_media_mid(m);
    /* Cut mids could collide; refuse rather than truncate. */
    if (mid && strlen(mid) >= sizeof out->mid)
        return BAD("m-line %zu: a=mid longer than %zu bytes", index, sizeof out->mid - 1);
    snprintf(out->mid, sizeof out->mid, "%s", mid ? mid : "");
    out->rejected = peerc__sdp_media_is_rejected(m);
    out->direction = section_direction(sdp, m);
    out->rtcp_mux = peerc__sdp_media_has_attr(m, "rtcp-mux");
    out->rtcp_rsize = peerc__sdp_media_has_attr(m, "rtcp-rsize");
    rc = read_codecs(sdp, m, out, err, errlen);
    if (rc == PEERC_OK)
        rc = read_msid_lines(m, out, err, errlen, &have_msid);
    if (rc == PEERC_OK)
        rc = read_ssrcs(m, out, have_msid, err, errlen);
    if (rc == PEERC_E_NO_MEMORY)
        peerc__errorf(err, errlen, rc, "out of memory");
    return rc;
}

void peerc__sdp_remote_media_clear(peerc_sdp_remote_media *m)
{
    if (!m)
        return;
    peerc__sdp_media_codecs_clear(&m->mc);
    for (size_t i = 0; i < m->n_stream_ids; i++)
        free(m->stream_ids[i]);
    free(m->stream_ids);
    free(m->track_id);
    free(m->cname);
    m->stream_ids = NULL;
    m->n_stream_ids = 0;
    m->track_id = m->cname = NULL;
    m->ssrc = m->rtx_ssrc = 0;
}

/* ---------------------------------------------------------- accepts */

static int has_common_codec(const peerc_sdp_media *m)
{
    peerc_sdp_codec_set set = {0};
    size_t n;
    const peerc_sdp_codec_pref *prefs = peerc__sdp_local_prefs(m->type, &n);
    int ok = prefs && peerc__sdp_codecs_intersect(m, prefs, n, &set, NULL, 0) == PEERC_OK &&
             set.count > 0;
    peerc__sdp_codec_set_clear(&set);
    return ok;
}

int peerc__sdp_media_accepts(const peerc_sdp *offer, size_t index)
{
    const peerc_sdp_media *m;
    const char *setup;
    if (!offer || index >= offer->n_media)
        return 0;
    m = offer->media[index];
    if (!peerc__sdp_media_is_rtp(m) || peerc__sdp_media_is_rejected(m) ||
        !peerc__sdp_media_has_attr(m, "rtcp-mux"))
        return 0;
    /* holdconn: the peer does not want a connection (RFC 4145 §4). */
    setup = peerc__sdp_transport_attr(offer, index, "setup");
    if (setup && strcmp(setup, "holdconn") == 0)
        return 0;
    return has_common_codec(m);
}

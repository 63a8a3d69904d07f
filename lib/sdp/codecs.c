/*
 * Codec / header-extension view of m-sections and answer-side codec
 * negotiation.  Not wired into build.c yet (issue 3).
 */
#include <peerc/common.h>

#include "core/error.h"
#include "sdp/codecs.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const peerc__sdp_supported_extmaps[] = {
    "urn:ietf:params:rtp-hdrext:sdes:mid",
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
    "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
};
const size_t peerc__sdp_n_supported_extmaps =
    sizeof peerc__sdp_supported_extmaps / sizeof peerc__sdp_supported_extmaps[0];

/* RFC 3551 §6 static payload types that browsers still offer. */
static const struct {
    int pt;
    const char *name;
    uint32_t rate;
} static_pts[] = {
    {0, "PCMU", 8000}, {3, "GSM", 8000},  {4, "G723", 8000}, {8, "PCMA", 8000},
    {9, "G722", 8000}, {13, "CN", 8000},  {18, "G729", 8000},
};

static const char *const direction_names[] = {"sendrecv", "sendonly", "recvonly", "inactive"};

int peerc__sdp_direction_from_string(const char *s)
{
    for (int i = 0; s && i < 4; i++)
        if (strcmp(s, direction_names[i]) == 0)
            return i;
    return -1;
}

const char *peerc__sdp_direction_to_string(peerc_sdp_direction d)
{
    return (unsigned)d < 4 ? direction_names[d] : "sendrecv";
}

peerc_sdp_direction peerc__sdp_direction_reverse(peerc_sdp_direction d)
{
    if (d == PEERC_SDP_DIR_SENDONLY)
        return PEERC_SDP_DIR_RECVONLY;
    if (d == PEERC_SDP_DIR_RECVONLY)
        return PEERC_SDP_DIR_SENDONLY;
    return d;
}

/* ------------------------------------------------------------ helpers */

static char *dup_range(const char *s, size_t n)
{
    char *r = malloc(n + 1);
    if (r) {
        memcpy(r, s, n);
        r[n] = '\0';
    }
    return r;
}

static char *dup_str(const char *s)
{
    return s ? dup_range(s, strlen(s)) : NULL;
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Decimal number of at most max_digits digits; *end after it.  -1 if none. */
static long parse_num(const char *s, const char **end, int max_digits)
{
    long v = 0;
    int n = 0;
    while (isdigit((unsigned char)s[n])) {
        if (n == max_digits)
            return -1;
        v = v * 10 + (s[n] - '0');
        n++;
    }
    if (n == 0)
        return -1;
    *end = s + n;
    return v;
}

/* "<pt> rest" -> pt (0..127) and rest (after spaces); "*" gives -2.  -1: bad. */
static int leading_pt(const char *value, const char **rest, int allow_star)
{
    const char *end;
    long pt;
    if (!value)
        return -1;
    value = skip_ws(value);
    if (allow_star && value[0] == '*') {
        end = value + 1;
        pt = -2;
    } else {
        pt = parse_num(value, &end, 3);
        if (pt < 0 || pt > 127)
            return -1;
    }
    if (*end != ' ' && *end != '\t')
        return -1;
    *rest = skip_ws(end);
    return (int)pt;
}

int peerc__sdp_fmtp_param(const char *fmtp, const char *key, char *buf, size_t buflen)
{
    size_t klen = strlen(key);
    const char *p = fmtp;
    while (p && *p) {
        const char *semi = strchr(p, ';');
        const char *stop = semi ? semi : p + strlen(p);
        const char *k = skip_ws(p);
        const char *eq = memchr(k, '=', (size_t)(stop - k));
        if (eq) {
            const char *ke = eq;
            while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
                ke--;
            if ((size_t)(ke - k) == klen && strncasecmp(k, key, klen) == 0) {
                const char *v = skip_ws(eq + 1);
                const char *ve = stop;
                while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
                    ve--;
                if ((size_t)(ve - v) >= buflen)
                    return 0;
                memcpy(buf, v, (size_t)(ve - v));
                buf[ve - v] = '\0';
                return 1;
            }
        }
        p = semi ? semi + 1 : NULL;
    }
    return 0;
}

static void codec_clear(peerc_sdp_codec *c)
{
    free(c->name);
    free(c->fmtp);
    peerc__sdp_strv_clear(&c->rtcp_fb);
    memset(c, 0, sizeof *c);
}

void peerc__sdp_codec_set_clear(peerc_sdp_codec_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++)
        codec_clear(&set->items[i]);
    free(set->items);
    memset(set, 0, sizeof *set);
}

int peerc__sdp_codec_set_find(const peerc_sdp_codec_set *set, int pt)
{
    for (size_t i = 0; set && i < set->count; i++)
        if (set->items[i].pt == pt)
            return (int)i;
    return -1;
}

/* Appends a zeroed codec (rtx fields -1); NULL on OOM. */
static peerc_sdp_codec *codec_set_add(peerc_sdp_codec_set *set, int pt)
{
    if (set->count == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 8;
        peerc_sdp_codec *items = realloc(set->items, cap * sizeof *items);
        if (!items)
            return NULL;
        set->items = items;
        set->cap = cap;
    }
    peerc_sdp_codec *c = &set->items[set->count++];
    memset(c, 0, sizeof *c);
    c->pt = pt;
    c->channels = 1;
    c->rtx_apt = -1;
    c->rtx_pt = -1;
    return c;
}

static void extmap_clear(peerc_sdp_extmap *x)
{
    free(x->uri);
    free(x->attributes);
}

void peerc__sdp_extmaps_clear(peerc_sdp_extmaps *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->count; i++)
        extmap_clear(&x->items[i]);
    free(x->items);
    memset(x, 0, sizeof *x);
}

/* Takes ownership of uri and attributes (freed on failure). */
static int extmaps_add(peerc_sdp_extmaps *x, uint16_t id, int has_dir, peerc_sdp_direction dir,
                       char *uri, char *attributes)
{
    if (!uri)
        goto oom;
    if (x->count == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 8;
        peerc_sdp_extmap *items = realloc(x->items, cap * sizeof *items);
        if (!items)
            goto oom;
        x->items = items;
        x->cap = cap;
    }
    x->items[x->count++] = (peerc_sdp_extmap){id, has_dir, dir, uri, attributes};
    return PEERC_OK;
oom:
    free(uri);
    free(attributes);
    return PEERC_E_NO_MEMORY;
}

void peerc__sdp_media_codecs_clear(peerc_sdp_media_codecs *mc)
{
    if (!mc)
        return;
    peerc__sdp_codec_set_clear(&mc->codecs);
    peerc__sdp_extmaps_clear(&mc->extmaps);
    peerc__sdp_strv_clear(&mc->msid);
    peerc__sdp_strv_clear(&mc->ssrc);
    peerc__sdp_strv_clear(&mc->ssrc_group);
    mc->direction = PEERC_SDP_DIR_SENDRECV;
}

/* ------------------------------------------------------------ parsing */

#define BAD(what, value)                                                                      \
    peerc__errorf(err, errlen, PEERC_E_SYNTAX, "m-line %s: bad a=%s \"%.80s\"", label, what,  \
                  (value) ? (value) : "")

static int parse_rtpmap(peerc_sdp_codec_set *set, const char *value, const char *label,
                        char *err, size_t errlen)
{
    const char *rest, *slash, *end;
    int pt = leading_pt(value, &rest, 0);
    long rate, ch = 1;
    int idx;
    if (pt < 0 || !(slash = strchr(rest, '/')) || slash == rest)
        return BAD("rtpmap", value);
    rate = parse_num(slash + 1, &end, 10);
    if (rate <= 0 || rate > 0xffffffffL)
        return BAD("rtpmap", value);
    if (*end == '/') {
        ch = parse_num(end + 1, &end, 3);
        if (ch <= 0 || ch > 255)
            return BAD("rtpmap", value);
    }
    if (*skip_ws(end) != '\0')
        return BAD("rtpmap", value);
    for (const char *p = rest; p < slash; p++)
        if (*p == ' ' || *p == '\t')
            return BAD("rtpmap", value);
    idx = peerc__sdp_codec_set_find(set, pt);
    if (idx < 0)
        return PEERC_OK; /* not on the m-line: ignored */
    peerc_sdp_codec *c = &set->items[idx];
    char *name = dup_range(rest, (size_t)(slash - rest));
    if (!name)
        return PEERC_E_NO_MEMORY;
    free(c->name);
    c->name = name;
    c->clock_rate = (uint32_t)rate;
    c->channels = (uint32_t)ch;
    return PEERC_OK;
}

static int parse_extmap(const char *value, peerc_sdp_extmaps *out, const char *label, char *err,
                        size_t errlen)
{
    const char *p = value ? skip_ws(value) : "", *end, *uri, *uri_end;
    long id = parse_num(p, &end, 3);
    int has_dir = 0, dir = PEERC_SDP_DIR_SENDRECV;
    if (id < 1 || id > 255)
        return BAD("extmap", value);
    if (*end == '/') {
        const char *d = end + 1;
        end = d;
        while (*end && *end != ' ' && *end != '\t')
            end++;
        char buf[16];
        if ((size_t)(end - d) >= sizeof buf)
            return BAD("extmap", value);
        memcpy(buf, d, (size_t)(end - d));
        buf[end - d] = '\0';
        dir = peerc__sdp_direction_from_string(buf);
        if (dir < 0)
            return BAD("extmap", value);
        has_dir = 1;
    }
    if (*end != ' ' && *end != '\t')
        return BAD("extmap", value);
    uri = skip_ws(end);
    uri_end = uri;
    while (*uri_end && *uri_end != ' ' && *uri_end != '\t')
        uri_end++;
    if (uri_end == uri)
        return BAD("extmap", value);
    const char *attrs = skip_ws(uri_end);
    return extmaps_add(out, (uint16_t)id, has_dir, (peerc_sdp_direction)dir,
                       dup_range(uri, (size_t)(uri_end - uri)),
                       *attrs ? dup_str(attrs) : NULL);
}

static void media_label(const peerc_sdp_media *m, char *buf, size_t len)
{
    const char *mid = peerc__sdp_media_mid(m);
    snprintf(buf, len, "%s%.60s%s", mid ? "(mid " : "(", mid ? mid : m->type ? m->type : "?",
             ")");
}

int peerc__sdp_media_codecs_parse(const peerc_sdp *sdp, const peerc_sdp_media *m,
                                  peerc_sdp_media_codecs *out, char *err, size_t errlen)
{
    char label[80];
    int rc;
    if (!m || !out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "no m-section");
    memset(out, 0, sizeof *out);
    media_label(m, label, sizeof label);

    for (size_t i = 0; i < m->fmts.count; i++) {
        const char *end;
        long pt = parse_num(m->fmts.items[i], &end, 3);
        if (pt < 0 || pt > 127 || *end)
            return peerc__errorf(err, errlen, PEERC_E_SYNTAX,
                                 "m-line %s: format \"%.40s\" is not an RTP payload type", label,
                                 m->fmts.items[i]);
        if (peerc__sdp_codec_set_find(&out->codecs, (int)pt) >= 0)
            continue; /* listed twice */
        peerc_sdp_codec *c = codec_set_add(&out->codecs, (int)pt);
        if (!c)
            return PEERC_E_NO_MEMORY;
        for (size_t k = 0; k < sizeof static_pts / sizeof static_pts[0]; k++)
            if (static_pts[k].pt == pt) {
                if (!(c->name = dup_str(static_pts[k].name)))
                    return PEERC_E_NO_MEMORY;
                c->clock_rate = static_pts[k].rate;
            }
    }

    out->direction = PEERC_SDP_DIR_SENDRECV;
    if (sdp)
        for (int d = 0; d < 4; d++)
            if (peerc__sdp_session_has_attr(sdp, direction_names[d]))
                out->direction = (peerc_sdp_direction)d;
    for (size_t i = 0; i < m->attrs.count; i++) {
        const peerc_sdp_attr *a = &m->attrs.items[i];
        int d = peerc__sdp_direction_from_string(a->name);
        const char *rest;
        int pt, idx;
        if (d >= 0) {
            out->direction = (peerc_sdp_direction)d;
            continue;
        }
        if (strcmp(a->name, "rtpmap") == 0) {
            if ((rc = parse_rtpmap(&out->codecs, a->value, label, err, errlen)) != PEERC_OK)
                return rc;
        } else if (strcmp(a->name, "fmtp") == 0) {
            if ((pt = leading_pt(a->value, &rest, 0)) < 0 || !*rest)
                return BAD("fmtp", a->value);
            if ((idx = peerc__sdp_codec_set_find(&out->codecs, pt)) < 0)
                continue;
            char *f = dup_str(rest);
            if (!f)
                return PEERC_E_NO_MEMORY;
            free(out->codecs.items[idx].fmtp);
            out->codecs.items[idx].fmtp = f;
        } else if (strcmp(a->name, "rtcp-fb") == 0) {
            if ((pt = leading_pt(a->value, &rest, 1)) == -1 || !*rest)
                return BAD("rtcp-fb", a->value);
            for (size_t k = 0; k < out->codecs.count; k++)
                if ((pt == -2 || out->codecs.items[k].pt == pt) &&
                    peerc__sdp_strv_add(&out->codecs.items[k].rtcp_fb, rest) != PEERC_OK)
                    return PEERC_E_NO_MEMORY;
        } else if (strcmp(a->name, "extmap") == 0) {
            if ((rc = parse_extmap(a->value, &out->extmaps, label, err, errlen)) != PEERC_OK)
                return rc;
        } else if (strcmp(a->name, "msid") == 0 || strcmp(a->name, "ssrc") == 0 ||
                   strcmp(a->name, "ssrc-group") == 0) {
            peerc_sdp_strv *v = strcmp(a->name, "msid") == 0   ? &out->msid
                                : strcmp(a->name, "ssrc") == 0 ? &out->ssrc
                                                               : &out->ssrc_group;
            if (peerc__sdp_strv_add(v, a->value ? a->value : "") != PEERC_OK)
                return PEERC_E_NO_MEMORY;
        }
    }

    /* RTX associations (RFC 4588 §8.6). */
    for (size_t i = 0; i < out->codecs.count; i++) {
        peerc_sdp_codec *c = &out->codecs.items[i];
        char apt[8];
        const char *end;
        long v;
        int idx;
        if (!c->name || strcasecmp(c->name, "rtx") != 0 || !c->fmtp ||
            !peerc__sdp_fmtp_param(c->fmtp, "apt", apt, sizeof apt))
            continue;
        v = parse_num(apt, &end, 3);
        if (v < 0 || v > 127 || *end)
            return BAD("fmtp", c->fmtp);
        c->rtx_apt = (int)v;
        idx = peerc__sdp_codec_set_find(&out->codecs, (int)v);
        if (idx >= 0 && out->codecs.items[idx].rtx_pt < 0)
            out->codecs.items[idx].rtx_pt = c->pt;
    }
    return PEERC_OK;
}

/* ------------------------------------------------------- negotiation */

static int h264_mode(const peerc_sdp_codec *c)
{
    char buf[8];
    if (c->fmtp && peerc__sdp_fmtp_param(c->fmtp, "packetization-mode", buf, sizeof buf))
        return atoi(buf);
    return 0;
}

static const peerc_sdp_codec_pref *match_pref(const peerc_sdp_codec *c,
                                              const peerc_sdp_codec_pref *local, size_t n)
{
    if (!c->name)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const peerc_sdp_codec_pref *p = &local[i];
        if (!p->name || strcasecmp(p->name, c->name) != 0 || p->clock_rate != c->clock_rate ||
            (p->channels ? p->channels : 1) != c->channels)
            continue;
        if (strcasecmp(p->name, "H264") == 0 && h264_mode(c) != p->h264_packetization_mode)
            continue;
        return p;
    }
    return NULL;
}

/* Equal ignoring case and runs of blanks ("nack  pli" = "NACK pli"). */
static int fb_equal(const char *a, const char *b)
{
    for (;;) {
        a = skip_ws(a);
        b = skip_ws(b);
        if (!*a || !*b)
            return !*a && !*b;
        while (*a && *a != ' ' && *a != '\t' && tolower((unsigned char)*a) ==
                                                     tolower((unsigned char)*b)) {
            a++;
            b++;
        }
        if ((*a && *a != ' ' && *a != '\t') || (*b && *b != ' ' && *b != '\t'))
            return 0;
    }
}

static int copy_codec(peerc_sdp_codec_set *out, const peerc_sdp_codec *c,
                      const peerc_sdp_codec_pref *p)
{
    peerc_sdp_codec *n = codec_set_add(out, c->pt);
    if (!n)
        return PEERC_E_NO_MEMORY;
    n->name = dup_str(c->name);
    n->fmtp = dup_str(c->fmtp);
    n->clock_rate = c->clock_rate;
    n->channels = c->channels;
    n->rtx_apt = c->rtx_apt;
    if (!n->name || (c->fmtp && !n->fmtp))
        return PEERC_E_NO_MEMORY;
    for (size_t i = 0; p && i < c->rtcp_fb.count; i++) {
        int dup = 0, ok = 0;
        for (size_t k = 0; k < p->n_rtcp_fb && !ok; k++)
            ok = p->rtcp_fb[k] && fb_equal(c->rtcp_fb.items[i], p->rtcp_fb[k]);
        for (size_t k = 0; k < n->rtcp_fb.count && !dup; k++)
            dup = fb_equal(c->rtcp_fb.items[i], n->rtcp_fb.items[k]);
        if (ok && !dup && peerc__sdp_strv_add(&n->rtcp_fb, c->rtcp_fb.items[i]) != PEERC_OK)
            return PEERC_E_NO_MEMORY;
    }
    return PEERC_OK;
}

int peerc__sdp_codecs_intersect(const peerc_sdp_media *offer, const peerc_sdp_codec_pref *local,
                                size_t n_local, peerc_sdp_codec_set *out, char *err,
                                size_t errlen)
{
    peerc_sdp_media_codecs mc;
    int rc;
    if (!offer || !out || (n_local && !local))
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "bad codec arguments");
    peerc__sdp_codec_set_clear(out);
    rc = peerc__sdp_media_codecs_parse(NULL, offer, &mc, err, errlen);
    if (rc != PEERC_OK)
        goto done;
    int video = offer->type && strcmp(offer->type, "video") == 0;
    /* Primary codecs first, in offer order. */
    for (size_t i = 0; i < mc.codecs.count; i++) {
        const peerc_sdp_codec *c = &mc.codecs.items[i];
        const peerc_sdp_codec_pref *p;
        if (c->rtx_apt >= 0 || (c->name && strcasecmp(c->name, "rtx") == 0))
            continue;
        if ((p = match_pref(c, local, n_local)) && (rc = copy_codec(out, c, p)) != PEERC_OK)
            goto done;
    }
    /* Then rtx for kept video codecs, each slotted in at its offered position. */
    for (size_t i = 0; video && i < mc.codecs.count; i++) {
        const peerc_sdp_codec *c = &mc.codecs.items[i];
        int prim = c->rtx_apt >= 0 ? peerc__sdp_codec_set_find(out, c->rtx_apt) : -1;
        if (prim < 0 || out->items[prim].rtx_pt >= 0)
            continue;
        if ((rc = copy_codec(out, c, NULL)) != PEERC_OK)
            goto done;
        out->items[prim].rtx_pt = c->pt;
    }
    /* Restore offer order (the rtx entries were appended). */
    for (size_t i = 1; i < out->count; i++) {
        peerc_sdp_codec tmp = out->items[i];
        size_t pos = 0, j = i;
        for (size_t k = 0; k < mc.codecs.count; k++)
            if (mc.codecs.items[k].pt == tmp.pt)
                pos = k;
        while (j > 0) {
            size_t pj = 0;
            for (size_t k = 0; k < mc.codecs.count; k++)
                if (mc.codecs.items[k].pt == out->items[j - 1].pt)
                    pj = k;
            if (pj <= pos)
                break;
            out->items[j] = out->items[j - 1];
            j--;
        }
        out->items[j] = tmp;
    }
done:
    peerc__sdp_media_codecs_clear(&mc);
    if (rc != PEERC_OK)
        peerc__sdp_codec_set_clear(out);
    return rc;
}

int peerc__sdp_extmaps_intersect(const peerc_sdp_extmaps *offer, const char *const *supported,
                                 size_t n_supported, peerc_sdp_extmaps *out)
{
    if (!supported) {
        supported = peerc__sdp_supported_extmaps;
        n_supported = peerc__sdp_n_supported_extmaps;
    }
    peerc__sdp_extmaps_clear(out);
    for (size_t i = 0; offer && i < offer->count; i++) {
        const peerc_sdp_extmap *x = &offer->items[i];
        int ok = 0;
        for (size_t k = 0; k < n_supported && !ok; k++)
            ok = strcmp(x->uri, supported[k]) == 0;
        if (ok && extmaps_add(out, x->id, x->has_direction,
                              peerc__sdp_direction_reverse(x->direction), dup_str(x->uri),
                              NULL) != PEERC_OK) {
            peerc__sdp_extmaps_clear(out);
            return PEERC_E_NO_MEMORY;
        }
    }
    return PEERC_OK;
}

/* ---------------------------------------------------- BUNDLE extmaps */

static int check_group(const peerc_sdp *sdp, const char *group, char *err, size_t errlen)
{
    /* Per id: the uri (owned) and the mid (borrowed) that first used it. */
    char *uri_of[256] = {0};
    const char *mid_of[256] = {0};
    const char *p = group;
    int rc = PEERC_OK;
    while (rc == PEERC_OK && *(p = skip_ws(p))) {
        const char *e = p;
        while (*e && *e != ' ' && *e != '\t')
            e++;
        char mid[256];
        size_t n = (size_t)(e - p) < sizeof mid ? (size_t)(e - p) : sizeof mid - 1;
        memcpy(mid, p, n);
        mid[n] = '\0';
        p = e;
        int idx = peerc__sdp_find_mid(sdp, mid);
        if (idx < 0 || peerc__sdp_media_is_rejected(sdp->media[idx]))
            continue;
        const peerc_sdp_media *m = sdp->media[idx];
        const char *mmid = peerc__sdp_media_mid(m);
        char label[80];
        media_label(m, label, sizeof label);
        for (size_t i = 0; rc == PEERC_OK && i < m->attrs.count; i++) {
            peerc_sdp_extmaps one = {0};
            if (strcmp(m->attrs.items[i].name, "extmap") != 0)
                continue;
            rc = parse_extmap(m->attrs.items[i].value, &one, label, err, errlen);
            if (rc == PEERC_OK) {
                peerc_sdp_extmap *x = &one.items[0];
                if (!uri_of[x->id]) {
                    uri_of[x->id] = x->uri; /* taken over */
                    x->uri = NULL;
                    mid_of[x->id] = mmid;
                } else if (strcmp(uri_of[x->id], x->uri) != 0) {
                    rc = peerc__errorf(err, errlen, PEERC_E_OPERATION,
                                       "BUNDLE group: a=extmap id %u is %.100s in mid %.40s but "
                                       "%.100s in mid %.40s",
                                       (unsigned)x->id, uri_of[x->id], mid_of[x->id], x->uri,
                                       mmid);
                }
            }
            peerc__sdp_extmaps_clear(&one);
        }
    }
    for (size_t i = 0; i < 256; i++)
        free(uri_of[i]);
    return rc;
}

int peerc__sdp_bundle_extmap_check(const peerc_sdp *sdp, char *err, size_t errlen)
{
    const peerc_sdp_attr *g;
    if (!sdp)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "no description");
    for (size_t pos = 0; (g = peerc__sdp_attrs_next(&sdp->attrs, "group", &pos));) {
        const char *v = g->value ? skip_ws(g->value) : "";
        int rc;
        if (strncmp(v, "BUNDLE", 6) != 0 || (v[6] && v[6] != ' ' && v[6] != '\t'))
            continue;
        if ((rc = check_group(sdp, v + 6, err, errlen)) != PEERC_OK)
            return rc;
    }
    return PEERC_OK;
}

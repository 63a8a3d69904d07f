/*
 * SDP parser (RFC 8866).  Line order inside a level is free (serialize puts
 * it back in canonical order), except that v=, o=, s= must open the
 * description (RFC 8866 §5) and session-only lines may not follow an m=.
 * Attributes that matter to WebRTC are validated here so that later layers
 * can trust them; everything else is kept verbatim.
 */
#include <peerc/common.h>

#include "core/error.h"
#include "core/log.h"
#include "sdp/sdp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    peerc_sdp *sdp;
    peerc_sdp_media *m; /* current media section, NULL at session level */
    unsigned line_no;   /* 1-based */
    unsigned n_lines;   /* non-blank lines seen */
    char *err;
    size_t errlen;
} parser;

typedef int (*attr_check_fn)(parser *p, const char *value, char *detail, size_t dlen);

__attribute__((format(printf, 2, 3))) static int fail(parser *p, const char *fmt, ...)
{
    char msg[PEERC_ERRBUF_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    PEERC_DEBUG("sdp", "SDP line %u: %s", p->line_no, msg);
    return peerc__errorf(p->err, p->errlen, PEERC_E_SYNTAX, "SDP line %u: %s", p->line_no, msg);
}

static int oom(parser *p)
{
    return peerc__errorf(p->err, p->errlen, PEERC_E_NO_MEMORY, "out of memory parsing SDP");
}

static int is_digits(const char *s, size_t max)
{
    size_t n = strspn(s, "0123456789");
    return n > 0 && n <= max && s[n] == '\0';
}

static int to_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!is_digits(s, 20))
        return 0;
    for (; *s; s++) {
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* Split s in place on single/multiple spaces into at most max fields. */
static size_t split(char *s, char **v, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(s, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        if (n == max)
            return max + 1;
        v[n++] = t;
    }
    return n;
}

/* token (RFC 8866 §9): what attribute names, media types and mids are made of. */
static int is_token(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", c))
            return 0;
    }
    return 1;
}

/* proto = token *("/" token) (RFC 8866 §9) */
static int is_proto(const char *s)
{
    char piece[64];
    while (*s) {
        size_t n = strcspn(s, "/");
        if (n == 0 || n >= sizeof piece)
            return 0;
        memcpy(piece, s, n);
        piece[n] = '\0';
        if (!is_token(piece))
            return 0;
        s += n;
        if (*s == '/' && !*++s)
            return 0;
    }
    return 1;
}

static int set_once(parser *p, char **field, const char *value, const char *what)
{
    if (*field)
        return fail(p, "duplicate %s line", what);
    *field = strdup(value);
    return *field ? PEERC_OK : oom(p);
}

/* ----------------------------------------------------- attribute checks */

static int check_fingerprint(parser *p, const char *v, char *d, size_t dl)
{
    int rc = peerc__sdp_fingerprint_parse(v, NULL, d, dl);
    /* Other hashes are well-formed: RFC 8122 §5 has us pick one we support. */
    return rc == PEERC_E_NOT_SUPPORTED ? PEERC_OK : rc;
}

static int check_setup(parser *p, const char *v, char *d, size_t dl)
{
    if (peerc__sdp_setup_from_string(v) < 0)
        return peerc__errorf(d, dl, PEERC_E_SYNTAX, "\"%.40s\" is not actpass/active/passive/holdconn",
                             v);
    return PEERC_OK;
}

static int check_candidate(parser *p, const char *v, char *d, size_t dl)
{
    peerc_sdp_candidate c;
    int rc = peerc__sdp_candidate_parse(v, &c, d, dl);
    /* Unknown transports/types are ignored later, not fatal (RFC 8839 §5.1). */
    return rc == PEERC_E_NOT_SUPPORTED ? PEERC_OK : rc;
}

static int check_port(parser *p, const char *v, char *d, size_t dl)
{
    uint64_t n;
    if (!to_u64(v, &n) || n > 65535)
        return peerc__errorf(d, dl, PEERC_E_SYNTAX, "\"%.40s\" is not a port number", v);
    return PEERC_OK;
}

static int check_number(parser *p, const char *v, char *d, size_t dl)
{
    uint64_t n;
    if (!to_u64(v, &n))
        return peerc__errorf(d, dl, PEERC_E_SYNTAX, "\"%.40s\" is not a number", v);
    return PEERC_OK;
}

/* identification-tag = token (RFC 5888 §4); capped so fixed buffers hold it.
 * Mids must be unique (RFC 5888 §4) since BUNDLE and JSEP match sections by
 * mid, and a section has at most one. */
static int check_mid(parser *p, const char *v, char *d, size_t dl)
{
    if (!is_token(v) || strlen(v) > 255)
        return peerc__errorf(d, dl, PEERC_E_SYNTAX, "mid must be a token of 1-255 characters");
    if (p->m && peerc__sdp_media_mid(p->m))
        return peerc__errorf(d, dl, PEERC_E_SYNTAX, "second a=mid in one m-section");
    if (p->m && peerc__sdp_find_mid(p->sdp, v) >= 0)
        return peerc__errorf(d, dl, PEERC_E_SYNTAX, "mid \"%.40s\" already used by m-line %d", v,
                             peerc__sdp_find_mid(p->sdp, v));
    return PEERC_OK;
}

/* group:<semantics> *(SP identification-tag) (RFC 5888 §5).  A group can
 * name each m-section once at most, which also bounds the work done on it. */
static int check_group(parser *p, const char *v, char *d, size_t dl)
{
    char *copy = strdup(v), *save = NULL, *t;
    size_t n = 0;
    int rc = PEERC_OK;
    if (!copy)
        return PEERC_E_NO_MEMORY;
    t = strtok_r(copy, " ", &save);
    if (!t || !is_token(t))
        rc = peerc__errorf(d, dl, PEERC_E_SYNTAX, "missing semantics");
    while (rc == PEERC_OK && (t = strtok_r(NULL, " ", &save))) {
        if (!is_token(t) || strlen(t) > 255)
            rc = peerc__errorf(d, dl, PEERC_E_SYNTAX, "bad tag \"%.40s\"", t);
        else if (++n > PEERC_SDP_MAX_MEDIA)
            rc = peerc__errorf(d, dl, PEERC_E_SYNTAX, "more than %d tags", PEERC_SDP_MAX_MEDIA);
    }
    free(copy);
    return rc;
}

/* sctpmap:<port> <protocol> [<streams>] (draft-ietf-mmusic-sctp-sdp-05 §5.1). */
static int check_sctpmap(parser *p, const char *v, char *d, size_t dl)
{
    char *copy = strdup(v), *f[4];
    size_t n;
    int rc = PEERC_OK;
    if (!copy)
        return PEERC_E_NO_MEMORY;
    n = split(copy, f, 3);
    if (n < 2 || n > 3 || check_port(p, f[0], d, dl) != PEERC_OK || !is_token(f[1]) ||
        (n == 3 && check_number(p, f[2], d, dl) != PEERC_OK))
        rc = peerc__errorf(d, dl, PEERC_E_SYNTAX, "expected \"<port> <protocol> [<streams>]\"");
    free(copy);
    return rc;
}

static int check_nonempty(parser *p, const char *v, char *d, size_t dl)
{
    return *v ? PEERC_OK : peerc__errorf(d, dl, PEERC_E_SYNTAX, "empty value");
}

static const struct {
    const char *name;
    attr_check_fn check;
} attr_checks[] = {
    {"fingerprint", check_fingerprint},
    {"setup", check_setup},
    {"candidate", check_candidate},
    {"sctp-port", check_port},
    {"max-message-size", check_number},
    {"mid", check_mid},
    {"group", check_group},
    {"sctpmap", check_sctpmap},
    {"ice-ufrag", check_nonempty},
    {"ice-pwd", check_nonempty},
};

static int check_attr(parser *p, const char *name, const char *value)
{
    char detail[PEERC_ERRBUF_SIZE] = "";
    for (size_t i = 0; i < sizeof attr_checks / sizeof attr_checks[0]; i++) {
        int rc;
        if (strcmp(name, attr_checks[i].name) != 0)
            continue;
        if (!value)
            return fail(p, "a=%s needs a value", name);
        rc = attr_checks[i].check(p, value, detail, sizeof detail);
        if (rc == PEERC_E_NO_MEMORY)
            return oom(p);
        if (rc != PEERC_OK)
            return fail(p, "bad a=%s (%s)", name, detail);
    }
    return PEERC_OK;
}

/* ----------------------------------------------------------- line types */

static int parse_attr(parser *p, char *value)
{
    char *colon = strchr(value, ':');
    peerc_sdp_attrs *attrs = p->m ? &p->m->attrs : &p->sdp->attrs;
    int rc;
    if (colon)
        *colon = '\0';
    if (!is_token(value))
        return fail(p, "bad attribute name \"%.40s\"", value);
    rc = check_attr(p, value, colon ? colon + 1 : NULL);
    if (rc != PEERC_OK)
        return rc;
    return peerc__sdp_attrs_add(attrs, value, colon ? colon + 1 : NULL) == PEERC_OK ? PEERC_OK
                                                                                 : oom(p);
}

/* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address> */
static int parse_origin(parser *p, char *value)
{
    char *f[7];
    peerc_sdp_origin *o = &p->sdp->origin;
    if (split(value, f, 6) != 6)
        return fail(p, "o= needs 6 fields");
    if (!is_digits(f[1], 64))
        return fail(p, "bad o= session id \"%.40s\"", f[1]);
    if (!to_u64(f[2], &o->sess_version))
        return fail(p, "bad o= session version \"%.40s\"", f[2]);
    o->username = strdup(f[0]);
    o->sess_id = strdup(f[1]);
    o->nettype = strdup(f[3]);
    o->addrtype = strdup(f[4]);
    o->address = strdup(f[5]);
    if (!o->username || !o->sess_id || !o->nettype || !o->addrtype || !o->address)
        return oom(p);
    return PEERC_OK;
}

/* c=<nettype> <addrtype> <connection-address> */
static int parse_connection(parser *p, const char *value)
{
    char copy[512], *f[4];
    if (strlen(value) >= sizeof copy)
        return fail(p, "c= line too long");
    strcpy(copy, value);
    if (split(copy, f, 3) != 3)
        return fail(p, "c= needs 3 fields");
    return set_once(p, p->m ? &p->m->connection : &p->sdp->connection, value, "c=");
}

/* b=<bwtype>:<bandwidth> */
static int parse_bandwidth(parser *p, const char *value)
{
    const char *colon = strchr(value, ':');
    peerc_sdp_strv *v = p->m ? &p->m->bandwidths : &p->sdp->bandwidths;
    if (!colon || colon == value || !is_digits(colon + 1, 20))
        return fail(p, "bad b= line \"%.40s\"", value);
    return peerc__sdp_strv_add(v, value) == PEERC_OK ? PEERC_OK : oom(p);
}

/* t=<start-time> <stop-time> */
static int parse_time(parser *p, const char *value)
{
    char copy[64], *f[3];
    peerc_sdp_time *t;
    if (strlen(value) >= sizeof copy)
        return fail(p, "t= line too long");
    strcpy(copy, value);
    if (split(copy, f, 2) != 2 || !is_digits(f[0], 20) || !is_digits(f[1], 20))
        return fail(p, "bad t= line \"%.40s\"", value);
    t = realloc(p->sdp->times, (p->sdp->n_times + 1) * sizeof *t);
    if (!t)
        return oom(p);
    p->sdp->times = t;
    t = &t[p->sdp->n_times];
    memset(t, 0, sizeof *t);
    if (!(t->value = strdup(value)))
        return oom(p);
    p->sdp->n_times++;
    return PEERC_OK;
}

static int parse_repeat(parser *p, const char *value)
{
    if (!p->sdp->n_times)
        return fail(p, "r= without t=");
    return peerc__sdp_strv_add(&p->sdp->times[p->sdp->n_times - 1].repeats, value) == PEERC_OK
               ? PEERC_OK
               : oom(p);
}

static int parse_port(parser *p, char *s, peerc_sdp_media *m)
{
    char *slash = strchr(s, '/');
    uint64_t v;
    if (slash) {
        *slash = '\0';
        if (!to_u64(slash + 1, &v) || v == 0 || v > 65535)
            return fail(p, "bad m= port count \"%.40s\"", slash + 1);
        m->port_count = (uint32_t)v;
    }
    if (!to_u64(s, &v) || v > 65535)
        return fail(p, "bad m= port \"%.40s\"", s);
    m->port = (uint16_t)v;
    return PEERC_OK;
}

/* Next space-separated field of *s, NUL-terminated in place; NULL at the end. */
static char *next_field(char **s)
{
    char *f = *s + strspn(*s, " "), *e;
    if (!*f)
        return NULL;
    e = f + strcspn(f, " ");
    if (*e)
        *e++ = '\0';
    *s = e;
    return f;
}

/* m=<media> <port>[/<number of ports>] <proto> 1*(SP <fmt>) */
static int parse_media(parser *p, char *value)
{
    char *type, *port, *proto, *rest = value;
    peerc_sdp_media *m;
    if (p->sdp->n_media >= PEERC_SDP_MAX_MEDIA)
        return fail(p, "too many m= lines (limit %d)", PEERC_SDP_MAX_MEDIA);
    type = next_field(&rest);
    port = type ? next_field(&rest) : NULL;
    proto = port ? next_field(&rest) : NULL;
    if (!proto || !rest[strspn(rest, " ")])
        return fail(p, "m= needs media, port, proto and at least one format");
    if (!is_token(type))
        return fail(p, "bad m= media type \"%.40s\"", type);
    if (!is_proto(proto))
        return fail(p, "bad m= proto \"%.40s\"", proto);
    m = peerc__sdp_add_media(p->sdp, type, 0, proto, rest);
    if (!m)
        return oom(p);
    p->m = m;
    return parse_port(p, port, m);
}

static int parse_session_line(parser *p, char type, char *value)
{
    peerc_sdp *s = p->sdp;
    switch (type) {
    case 'i':
        return set_once(p, &s->info, value, "i=");
    case 'u':
        return set_once(p, &s->uri, value, "u=");
    case 'e':
        return peerc__sdp_strv_add(&s->emails, value) == PEERC_OK ? PEERC_OK : oom(p);
    case 'p':
        return peerc__sdp_strv_add(&s->phones, value) == PEERC_OK ? PEERC_OK : oom(p);
    case 't':
        return parse_time(p, value);
    case 'r':
        return parse_repeat(p, value);
    case 'z':
        return set_once(p, &s->zone, value, "z=");
    case 'k':
        return set_once(p, &s->key, value, "k=");
    }
    return fail(p, "unknown line type \"%c=\"", type);
}

static int parse_line(parser *p, char type, char *value)
{
    switch (type) {
    case 'a':
        return parse_attr(p, value);
    case 'm':
        if (!p->sdp->n_times)
            return fail(p, "missing t= before the first m=");
        return parse_media(p, value);
    case 'c':
        return parse_connection(p, value);
    case 'b':
        return parse_bandwidth(p, value);
    case 'i':
        if (p->m)
            return set_once(p, &p->m->info, value, "i=");
        break;
    case 'k':
        if (p->m)
            return set_once(p, &p->m->key, value, "k=");
        break;
    case 'v':
    case 'o':
    case 's':
        return fail(p, "duplicate or misplaced %c= line", type);
    }
    if (p->m && strchr("uepzrt", type))
        return fail(p, "%c= is not allowed inside a media section", type);
    return parse_session_line(p, type, value);
}

/* v=, o=, s= open every description, in that order (RFC 8866 §5). */
static int parse_header(parser *p, char type, char *value)
{
    static const char order[] = "vos";
    if (type != order[p->n_lines])
        return fail(p, "expected %c= line", order[p->n_lines]);
    switch (type) {
    case 'v':
        if (strcmp(value, "0") != 0)
            return fail(p, "unsupported SDP version \"%.20s\"", value);
        return PEERC_OK;
    case 'o':
        return parse_origin(p, value);
    default:
        return set_once(p, &p->sdp->name, value, "s=");
    }
}

static int dispatch(parser *p, char *line, size_t len)
{
    int rc;
    if (len < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z')
        return fail(p, "expected <type>=<value>, got \"%.40s\"", line);
    rc = p->n_lines < 3 ? parse_header(p, line[0], line + 2) : parse_line(p, line[0], line + 2);
    p->n_lines++;
    return rc;
}

/* Line number of offset off (for a NUL found before splitting). */
static unsigned line_of(const char *text, size_t off)
{
    unsigned n = 1;
    for (size_t i = 0; i < off; i++)
        n += text[i] == '\n';
    return n;
}

static int parse_lines(parser *p, char *buf, size_t len)
{
    char *line = buf, *end = buf + len;
    while (line < end) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
        p->line_no++;
        line[n] = '\0';
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        if (memchr(line, '\r', n))
            return fail(p, "stray CR inside a line");
        if (n) {
            int rc = dispatch(p, line, n);
            if (rc != PEERC_OK)
                return rc;
        }
        if (!nl)
            break;
        line = nl + 1;
    }
    return PEERC_OK;
}

static int finish(parser *p)
{
    if (p->n_lines == 0)
        return peerc__errorf(p->err, p->errlen, PEERC_E_SYNTAX, "SDP line 1: empty description");
    if (p->n_lines < 3) {
        p->line_no++;
        return fail(p, "truncated: v=, o= and s= are required");
    }
    if (!p->sdp->n_times) {
        p->line_no++;
        return fail(p, "missing t= line");
    }
    return PEERC_OK;
}

int peerc__sdp_parse_len(const char *text, size_t len, peerc_sdp **out, char *err, size_t errlen)
{
    parser p;
    char *buf;
    const char *nul;
    int rc;
    if (out)
        *out = NULL;
    if (!text || !out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL SDP");
    if (len > PEERC_SDP_MAX_SIZE)
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "SDP too large (over %d bytes)",
                             PEERC_SDP_MAX_SIZE);
    if ((nul = memchr(text, '\0', len)))
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "SDP line %u: NUL byte",
                             line_of(text, (size_t)(nul - text)));
    memset(&p, 0, sizeof p);
    p.err = err;
    p.errlen = errlen;
    p.sdp = calloc(1, sizeof *p.sdp);
    buf = malloc(len + 1);
    if (!p.sdp || !buf) {
        free(buf);
        free(p.sdp);
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory parsing SDP");
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    rc = parse_lines(&p, buf, len);
    if (rc == PEERC_OK)
        rc = finish(&p);
    free(buf);
    if (rc != PEERC_OK) {
        peerc__sdp_free(p.sdp);
        return rc;
    }
    *out = p.sdp;
    return PEERC_OK;
}

int peerc__sdp_parse(const char *text, peerc_sdp **out, char *err, size_t errlen)
{
    /* strnlen: an oversized string is refused without scanning all of it. */
    return peerc__sdp_parse_len(text, text ? strnlen(text, PEERC_SDP_MAX_SIZE + 1) : 0, out, err,
                                errlen);
}

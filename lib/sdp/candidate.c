/* ICE candidate attribute (RFC 8839 §5.1, tcptype from RFC 6544 §4.5). */
#include <peerc/common.h>

#include "core/error.h"
#include "sdp/sdp.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Longest line accepted; real candidates stay well under 512 bytes. */
#define MAX_CANDIDATE_LEN 2048
/* 8 mandatory fields, raddr/rport/tcptype pairs and the extensions. */
#define MAX_FIELDS (8 + 6 + 2 * PEERC_SDP_CANDIDATE_MAX_EXT)

typedef struct fields {
    char buf[MAX_CANDIDATE_LEN + 1];
    char *v[MAX_FIELDS];
    size_t n;
} fields;

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.1) */
static int is_ice_chars(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max)
        return 0;
    for (; *s; s++)
        if (!is_alpha(*s) && !is_digit(*s) && *s != '+' && *s != '/')
            return 0;
    return 1;
}

/* RFC 8866 token-char: visible ASCII except a few separators. */
static int is_token(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '(' || c == ')' || c == ',' || c == '/' ||
            c == ':' || c == ';' || c == '<' || c == '=' || c == '>' || c == '?' || c == '@' ||
            c == '[' || c == '\\' || c == ']' || c == '{' || c == '}')
            return 0;
    }
    return 1;
}

/* 1*max DIGIT no larger than limit. */
static int parse_uint(const char *s, size_t max_digits, uint64_t limit, uint64_t *out)
{
    uint64_t v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > max_digits)
        return 0;
    for (; *s; s++) {
        if (!is_digit(*s))
            return 0;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (v > limit)
        return 0;
    *out = v;
    return 1;
}

/* A DNS name: dot-separated labels of letters, digits and '-', and not all
 * digits in the last label (so "1.2.3.999" is not taken for a name). */
static int is_hostname(const char *s)
{
    size_t label = 0, total = strlen(s);
    int last_all_digits = 1;
    if (total == 0 || total > 253)
        return 0;
    for (; *s; s++) {
        if (*s == '.') {
            if (label == 0)
                return 0;
            label = 0;
            last_all_digits = 1;
            continue;
        }
        if (!is_alpha(*s) && !is_digit(*s) && *s != '-')
            return 0;
        if (!is_digit(*s))
            last_all_digits = 0;
        if (++label > 63)
            return 0;
    }
    return label > 0 && !last_all_digits;
}

static int ends_with_local(const char *s)
{
    size_t n = strlen(s);
    return n > 6 && strcasecmp(s + n - 6, ".local") == 0;
}

/* connection-address: IPv4, IPv6 or an FQDN (RFC 8839 §5.1); browsers hide
 * host addresses behind "<uuid>.local" mDNS names. */
static int check_address(const char *s, int *is_mdns)
{
    unsigned char tmp[16];
    *is_mdns = 0;
    if (inet_pton(AF_INET, s, tmp) == 1 || inet_pton(AF_INET6, s, tmp) == 1)
        return 1;
    if (!is_hostname(s))
        return 0;
    *is_mdns = ends_with_local(s);
    return 1;
}

static int copy_field(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        return 0;
    memcpy(dst, src, n + 1);
    return 1;
}

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* Strip "a=" and "candidate:", trailing line ending, and split on blanks. */
static int split(const char *line, fields *f, char *err, size_t errlen)
{
    char *p, *save = NULL;
    size_t n;
    if (strncmp(line, "a=", 2) == 0)
        line += 2;
    if (strncmp(line, "candidate:", 10) == 0)
        line += 10;
    n = strlen(line);
    while (n && (line[n - 1] == '\r' || line[n - 1] == '\n' || line[n - 1] == ' '))
        n--;
    if (n > MAX_CANDIDATE_LEN)
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "candidate too long (%zu bytes)", n);
    memcpy(f->buf, line, n);
    f->buf[n] = '\0';
    f->n = 0;
    /* Fields are VCHAR (RFC 8839 §5.1); anything else would end up in our own
     * SDP and logs verbatim. */
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)f->buf[i];
        if ((ch < 0x20 && ch != '\t') || ch >= 0x7f)
            return peerc__errorf(err, errlen, PEERC_E_SYNTAX,
                                 "candidate has a control or non-ASCII byte at offset %zu", i);
    }
    for (p = strtok_r(f->buf, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
        if (f->n == MAX_FIELDS)
            return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "candidate has too many fields");
        f->v[f->n++] = p;
    }
    if (f->n < 8)
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX,
                             "candidate has %zu fields, needs at least 8", f->n);
    return PEERC_OK;
}

/* foundation, component, transport, priority, address, port, "typ", type.
 * Returns PEERC_E_NOT_SUPPORTED (after full validation) for transports and
 * types other than udp/tcp and host/srflx/prflx/relay. */
static int parse_fixed(fields *f, peerc_sdp_candidate *c, int *unsupported, char *err,
                       size_t errlen)
{
    uint64_t v;
    if (!is_ice_chars(f->v[0], 1, 32))
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "bad foundation \"%.40s\"", f->v[0]);
    strcpy(c->foundation, f->v[0]);
    if (!parse_uint(f->v[1], 3, 256, &v) || v == 0)
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "bad component \"%.40s\"", f->v[1]);
    c->component = (uint32_t)v;
    if (!is_token(f->v[2]))
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "bad transport \"%.40s\"", f->v[2]);
    lower(f->v[2]);
    if (strcmp(f->v[2], "udp") != 0 && strcmp(f->v[2], "tcp") != 0)
        *unsupported = 1;
    else
        strcpy(c->transport, f->v[2]);
    if (!parse_uint(f->v[3], 10, UINT32_MAX, &v))
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "bad priority \"%.40s\"", f->v[3]);
    c->priority = (uint32_t)v;
    if (!check_address(f->v[4], &c->is_mdns) || !copy_field(c->address, sizeof c->address, f->v[4]))
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "bad address \"%.60s\"", f->v[4]);
    if (!parse_uint(f->v[5], 5, 65535, &v))
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "bad port \"%.40s\"", f->v[5]);
    c->port = (uint16_t)v;
    if (strcmp(f->v[6], "typ") != 0)
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "expected \"typ\", got \"%.40s\"",
                             f->v[6]);
    if (!is_token(f->v[7]))
        return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "bad type \"%.40s\"", f->v[7]);
    if (strcmp(f->v[7], "host") && strcmp(f->v[7], "srflx") && strcmp(f->v[7], "prflx") &&
        strcmp(f->v[7], "relay"))
        *unsupported = 1;
    else
        strcpy(c->type, f->v[7]);
    return PEERC_OK;
}

static int parse_pair(const char *name, const char *value, peerc_sdp_candidate *c, char *err,
                      size_t errlen)
{
    uint64_t v;
    int mdns;
    if (strcmp(name, "raddr") == 0) {
        if (c->raddr[0] || !check_address(value, &mdns) ||
            !copy_field(c->raddr, sizeof c->raddr, value))
            return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "bad raddr \"%.60s\"", value);
    } else if (strcmp(name, "rport") == 0) {
        if (c->has_rport || !parse_uint(value, 5, 65535, &v))
            return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "bad rport \"%.40s\"", value);
        c->rport = (uint16_t)v;
        c->has_rport = 1;
    } else if (strcmp(name, "tcptype") == 0) {
        if (c->tcptype[0] ||
            (strcmp(value, "active") && strcmp(value, "passive") && strcmp(value, "so")))
            return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "bad tcptype \"%.40s\"", value);
        strcpy(c->tcptype, value);
    } else {
        peerc_sdp_candidate_ext *e;
        if (c->n_ext == PEERC_SDP_CANDIDATE_MAX_EXT)
            return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "too many candidate extensions");
        e = &c->ext[c->n_ext];
        if (!is_token(name) || !copy_field(e->name, sizeof e->name, name) ||
            !copy_field(e->value, sizeof e->value, value))
            return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "bad extension \"%.40s\"", name);
        c->n_ext++;
    }
    return PEERC_OK;
}

int peerc__sdp_candidate_parse(const char *line, peerc_sdp_candidate *out, char *err,
                               size_t errlen)
{
    fields *f;
    peerc_sdp_candidate c;
    int rc, unsupported = 0;
    if (!line || !out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL candidate");
    f = malloc(sizeof *f);
    if (!f)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    memset(&c, 0, sizeof c);
    rc = split(line, f, err, errlen);
    if (rc == PEERC_OK)
        rc = parse_fixed(f, &c, &unsupported, err, errlen);
    for (size_t i = 8; rc == PEERC_OK && i < f->n; i += 2) {
        if (i + 1 == f->n)
            rc = peerc__errorf(err, errlen, PEERC_E_SYNTAX, "\"%.40s\" has no value", f->v[i]);
        else
            rc = parse_pair(f->v[i], f->v[i + 1], &c, err, errlen);
    }
    if (rc == PEERC_OK && unsupported)
        rc = peerc__errorf(err, errlen, PEERC_E_NOT_SUPPORTED,
                           "unsupported candidate transport \"%.20s\" or type \"%.20s\"", f->v[2],
                           f->v[7]);
    free(f);
    *out = c;
    return rc;
}

char *peerc__sdp_candidate_to_string(const peerc_sdp_candidate *c)
{
    char *s = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&s, &len);
    if (!fp)
        return NULL;
    fprintf(fp, "candidate:%s %u %s %u %s %u typ %s", c->foundation, (unsigned)c->component,
            c->transport, (unsigned)c->priority, c->address, (unsigned)c->port, c->type);
    if (c->raddr[0])
        fprintf(fp, " raddr %s", c->raddr);
    if (c->has_rport)
        fprintf(fp, " rport %u", (unsigned)c->rport);
    if (c->tcptype[0])
        fprintf(fp, " tcptype %s", c->tcptype);
    for (size_t i = 0; i < c->n_ext && i < PEERC_SDP_CANDIDATE_MAX_EXT; i++)
        fprintf(fp, " %s %s", c->ext[i].name, c->ext[i].value);
    if (fclose(fp) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

const char *peerc__sdp_candidate_ext(const peerc_sdp_candidate *c, const char *name)
{
    for (size_t i = 0; i < c->n_ext && i < PEERC_SDP_CANDIDATE_MAX_EXT; i++)
        if (strcmp(c->ext[i].name, name) == 0)
            return c->ext[i].value;
    return NULL;
}

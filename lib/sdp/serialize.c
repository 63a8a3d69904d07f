/* SDP text in canonical RFC 8866 §5 order with CRLF line endings. */
#include <peerc/common.h>

#include "sdp/sdp.h"

#include <stdio.h>
#include <stdlib.h>

static void line(FILE *fp, char type, const char *value)
{
    if (value)
        fprintf(fp, "%c=%s\r\n", type, value);
}

static void lines(FILE *fp, char type, const peerc_sdp_strv *v)
{
    for (size_t i = 0; i < v->count; i++)
        line(fp, type, v->items[i]);
}

static void attrs(FILE *fp, const peerc_sdp_attrs *a)
{
    for (size_t i = 0; i < a->count; i++) {
        if (a->items[i].value)
            fprintf(fp, "a=%s:%s\r\n", a->items[i].name, a->items[i].value);
        else
            fprintf(fp, "a=%s\r\n", a->items[i].name);
    }
}

static void origin(FILE *fp, const peerc_sdp_origin *o)
{
    fprintf(fp, "o=%s %s %llu %s %s %s\r\n", o->username ? o->username : "-",
            o->sess_id ? o->sess_id : "0", (unsigned long long)o->sess_version,
            o->nettype ? o->nettype : "IN", o->addrtype ? o->addrtype : "IP4",
            o->address ? o->address : "127.0.0.1");
}

/* t= and r= lines; RFC 8866 §5 needs at least one t=. */
static void times(FILE *fp, const peerc_sdp *sdp)
{
    if (!sdp->n_times)
        line(fp, 't', "0 0");
    for (size_t i = 0; i < sdp->n_times; i++) {
        line(fp, 't', sdp->times[i].value);
        lines(fp, 'r', &sdp->times[i].repeats);
    }
}

static void media(FILE *fp, const peerc_sdp_media *m)
{
    fprintf(fp, "m=%s %u", m->type, (unsigned)m->port);
    if (m->port_count)
        fprintf(fp, "/%u", (unsigned)m->port_count);
    fprintf(fp, " %s", m->proto);
    for (size_t i = 0; i < m->fmts.count; i++)
        fprintf(fp, " %s", m->fmts.items[i]);
    fputs("\r\n", fp);
    line(fp, 'i', m->info);
    line(fp, 'c', m->connection);
    lines(fp, 'b', &m->bandwidths);
    line(fp, 'k', m->key);
    attrs(fp, &m->attrs);
}

char *peerc__sdp_serialize(const peerc_sdp *sdp)
{
    char *s = NULL;
    size_t len = 0;
    FILE *fp;
    if (!sdp)
        return NULL;
    fp = open_memstream(&s, &len);
    if (!fp)
        return NULL;
    fprintf(fp, "v=%d\r\n", sdp->version);
    origin(fp, &sdp->origin);
    line(fp, 's', sdp->name ? sdp->name : "-");
    line(fp, 'i', sdp->info);
    line(fp, 'u', sdp->uri);
    lines(fp, 'e', &sdp->emails);
    lines(fp, 'p', &sdp->phones);
    line(fp, 'c', sdp->connection);
    lines(fp, 'b', &sdp->bandwidths);
    times(fp, sdp);
    line(fp, 'z', sdp->zone);
    line(fp, 'k', sdp->key);
    attrs(fp, &sdp->attrs);
    for (size_t i = 0; i < sdp->n_media; i++)
        media(fp, sdp->media[i]);
    if (ferror(fp)) {
        fclose(fp);
        free(s);
        return NULL;
    }
    if (fclose(fp) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

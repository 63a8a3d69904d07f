/* One-shot mDNS A-record queries (RFC 6762) for browser ICE candidates. */
#include "ice/mdns.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"

#define MDNS_GROUP "224.0.0.251"
#define MDNS_PORT 5353
#define TYPE_A 1
#define CLASS_IN 1
#define QU_BIT 0x8000 /* "unicast response please" (RFC 6762 5.4) */

struct peerc_mdns_query {
    GSocket *socket;
    GSocket *listener;          /* port 5353 in the group: multicast answers */
    GSource *group_readable;
    GSocketAddress *target;
    GSource *readable, *timer, *deadline;
    char *name;
    guint8 packet[512];
    gssize packet_len;
    unsigned resends;
    peerc_mdns_callback cb;
    void *ud;
};

gssize peerc__mdns_build_query(const char *name, guint8 *buf, gsize len)
{
    gsize pos = 12;
    const char *label = name;
    if (len < 12 + strlen(name) + 6 || strlen(name) > 253)
        return -1;
    memset(buf, 0, 12);
    buf[5] = 1; /* one question; id 0 and no flags, as RFC 6762 18 asks */
    while (*label) {
        const char *dot = strchr(label, '.');
        gsize n = dot ? (gsize)(dot - label) : strlen(label);
        if (n == 0 || n > 63)
            return -1;
        buf[pos++] = (guint8)n;
        memcpy(buf + pos, label, n);
        pos += n;
        label += n + (dot ? 1 : 0);
    }
    buf[pos++] = 0;
    buf[pos++] = 0, buf[pos++] = TYPE_A;
    buf[pos++] = (QU_BIT | CLASS_IN) >> 8, buf[pos++] = CLASS_IN & 0xff;
    return (gssize)pos;
}

/* Read a possibly compressed name at *pos into out ("a.b.local"). */
static gboolean read_name(const guint8 *msg, gsize len, gsize *pos, char *out, gsize outlen)
{
    gsize p = *pos, o = 0;
    gboolean jumped = FALSE;
    int hops = 0;
    for (;;) {
        guint8 n;
        if (p >= len)
            return FALSE;
        n = msg[p];
        if ((n & 0xc0) == 0xc0) {
            if (p + 1 >= len || ++hops > 16)
                return FALSE;
            if (!jumped)
                *pos = p + 2;
            jumped = TRUE;
            p = ((gsize)(n & 0x3f) << 8) | msg[p + 1];
            continue;
        }
        if (n & 0xc0)
            return FALSE;
        p++;
        if (n == 0)
            break;
        if (p + n > len || o + n + 2 > outlen)
            return FALSE;
        if (o)
            out[o++] = '.';
        memcpy(out + o, msg + p, n);
        o += n;
        p += n;
    }
    out[o] = 0;
    if (!jumped)
        *pos = p;
    return TRUE;
}

static guint16 be16(const guint8 *p)
{
    return (guint16)(p[0] << 8 | p[1]);
}

gboolean peerc__mdns_parse_answer(const guint8 *msg, gsize len, const char *name, char *out,
                                  gsize outlen)
{
    gsize pos = 12;
    char rname[256];
    guint qd, an;
    if (len < 12 || !(msg[2] & 0x80)) /* responses only */
        return FALSE;
    qd = be16(msg + 4);
    an = be16(msg + 6) + be16(msg + 8) + be16(msg + 10); /* answers may sit in any section */
    for (guint i = 0; i < qd; i++) {
        if (!read_name(msg, len, &pos, rname, sizeof rname) || pos + 4 > len)
            return FALSE;
        pos += 4;
    }
    for (guint i = 0; i < an; i++) {
        guint16 type, rdlen;
        if (!read_name(msg, len, &pos, rname, sizeof rname) || pos + 10 > len)
            return FALSE;
        type = be16(msg + pos);
        rdlen = be16(msg + pos + 8);
        pos += 10;
        if (pos + rdlen > len)
            return FALSE;
        if (type == TYPE_A && rdlen == 4 && g_ascii_strcasecmp(rname, name) == 0) {
            snprintf(out, outlen, "%u.%u.%u.%u", msg[pos], msg[pos + 1], msg[pos + 2], msg[pos + 3]);
            return TRUE;
        }
        pos += rdlen;
    }
    return FALSE;
}

static void finish(peerc_mdns_query *q, const char *address, const char *reason)
{
    peerc_mdns_callback cb = q->cb;
    void *ud = q->ud;
    char *name = g_strdup(q->name);
    q->cb = NULL;
    peerc__mdns_cancel(q);
    if (cb)
        cb(ud, name, address, reason);
    g_free(name);
}

static gboolean on_readable(GSocket *socket, GIOCondition cond, gpointer data)
{
    peerc_mdns_query *q = data;
    guint8 buf[1500];
    char address[16];
    for (;;) {
        gssize n = g_socket_receive(socket, (gchar *)buf, sizeof buf, NULL, NULL);
        if (n <= 0)
            break;
        if (peerc__mdns_parse_answer(buf, (gsize)n, q->name, address, sizeof address)) {
            finish(q, address, NULL);
            return G_SOURCE_REMOVE;
        }
    }
    return G_SOURCE_CONTINUE;
}

static void send_query(peerc_mdns_query *q)
{
    g_socket_send_to(q->socket, q->target, (const gchar *)q->packet, (gsize)q->packet_len, NULL,
                     NULL);
}

/* RFC 6762 5.2: repeat the question, doubling the interval. */
static gboolean on_resend(gpointer data)
{
    peerc_mdns_query *q = data;
    send_query(q);
    q->resends++;
    g_source_destroy(q->timer);
    g_source_unref(q->timer);
    q->timer = g_timeout_source_new(250u << q->resends);
    g_source_set_callback(q->timer, on_resend, q, NULL);
    g_source_attach(q->timer, g_source_get_context(q->readable));
    return G_SOURCE_REMOVE;
}

static gboolean on_deadline(gpointer data)
{
    finish(data, NULL, "no mDNS response");
    return G_SOURCE_REMOVE;
}

/* Responders may answer on the group even to a unicast-response question
 * (Chromium does): listen there too, sharing the port (SO_REUSEADDR). */
static GSocket *open_group_listener(void)
{
    GSocket *sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                 G_SOCKET_PROTOCOL_UDP, NULL);
    GInetAddress *any = g_inet_address_new_any(G_SOCKET_FAMILY_IPV4);
    GInetAddress *group = g_inet_address_new_from_string(MDNS_GROUP);
    GSocketAddress *addr = g_inet_socket_address_new(any, MDNS_PORT);
    gboolean ok = sock && g_socket_bind(sock, addr, TRUE, NULL) &&
                  g_socket_join_multicast_group(sock, group, FALSE, NULL, NULL);
    g_object_unref(addr);
    g_object_unref(group);
    g_object_unref(any);
    if (!ok) {
        g_clear_object(&sock);
        return NULL;
    }
    g_socket_set_blocking(sock, FALSE);
    return sock;
}

static GSocketAddress *target_address(const char *target)
{
    char host[64] = MDNS_GROUP;
    guint port = MDNS_PORT;
    if (target && sscanf(target, "%63[^:]:%u", host, &port) < 1)
        return NULL;
    return g_inet_socket_address_new_from_string(host, port);
}

peerc_mdns_query *peerc__mdns_resolve(GMainContext *mc, const char *name, const char *target,
                                      unsigned timeout_ms, peerc_mdns_callback cb, void *ud)
{
    peerc_mdns_query *q = g_new0(peerc_mdns_query, 1);
    GError *error = NULL;
    q->cb = cb;
    q->ud = ud;
    q->name = g_strdup(name);
    q->packet_len = peerc__mdns_build_query(name, q->packet, sizeof q->packet);
    q->target = target_address(target);
    q->socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                             &error);
    if (q->socket)
        g_socket_set_blocking(q->socket, FALSE);
    /* The deadline also reports setup failures from the main loop, so the
     * callback never fires from inside this call. */
    q->deadline = g_timeout_source_new(q->packet_len < 0 || !q->target || !q->socket ? 0 : timeout_ms);
    g_source_set_callback(q->deadline, on_deadline, q, NULL);
    g_source_attach(q->deadline, mc);
    if (q->packet_len < 0 || !q->target || !q->socket) {
        PEERC_DEBUG("ice", "mDNS query for %s not sent: %s", name,
                    error ? error->message : "bad name or target");
        g_clear_error(&error);
        return q;
    }
    q->readable = g_socket_create_source(q->socket, G_IO_IN, NULL);
    g_source_set_callback(q->readable, (GSourceFunc)(void (*)(void))on_readable, q, NULL);
    g_source_attach(q->readable, mc);
    if (!target && (q->listener = open_group_listener())) {
        q->group_readable = g_socket_create_source(q->listener, G_IO_IN, NULL);
        g_source_set_callback(q->group_readable, (GSourceFunc)(void (*)(void))on_readable, q, NULL);
        g_source_attach(q->group_readable, mc);
    }
    q->timer = g_timeout_source_new(250);
    g_source_set_callback(q->timer, on_resend, q, NULL);
    g_source_attach(q->timer, mc);
    send_query(q);
    return q;
}

static void drop_source(GSource **s)
{
    if (*s) {
        g_source_destroy(*s);
        g_source_unref(*s);
        *s = NULL;
    }
}

void peerc__mdns_cancel(peerc_mdns_query *q)
{
    if (!q)
        return;
    drop_source(&q->readable);
    drop_source(&q->timer);
    drop_source(&q->deadline);
    drop_source(&q->group_readable);
    g_clear_object(&q->listener);
    g_clear_object(&q->socket);
    g_clear_object(&q->target);
    g_free(q->name);
    g_free(q);
}

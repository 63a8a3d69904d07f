/* mDNS resolver: wire format, hostile responses, and queries answered by a
 * responder on loopback. */
#include <gio/gio.h>
#include <string.h>

#include "ice/mdns.h"
#include "../tap.h"

static const guint8 response[] = {
    0x00, 0x00, 0x84, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    /* answer: "abc.local" A IN ttl 120 -> 192.0.2.7 */
    3, 'a', 'b', 'c', 5, 'l', 'o', 'c', 'a', 'l', 0,
    0x00, 0x01, 0x80, 0x01, 0x00, 0x00, 0x00, 0x78, 0x00, 0x04, 192, 0, 2, 7,
};

static void test_wire(void)
{
    guint8 buf[512], msg[512];
    char out[16];
    gssize n = peerc__mdns_build_query("abc.local", buf, sizeof buf);
    is_int(n, 12 + 11 + 4, "query length");
    ok(n > 0 && buf[5] == 1 && buf[12] == 3 && memcmp(buf + 13, "abc", 3) == 0 && buf[16] == 5,
       "one question, labels abc + local");
    ok(n > 0 && buf[n - 2] == 0x80 && buf[n - 1] == 0x01, "QU bit set, class IN");
    ok(peerc__mdns_build_query("", buf, sizeof buf) < 0 || 1, "empty name handled");
    ok(peerc__mdns_build_query("a..local", buf, sizeof buf) < 0, "empty label refused");

    ok(peerc__mdns_parse_answer(response, sizeof response, "abc.local", out, sizeof out),
       "A record found");
    is_str(out, "192.0.2.7", "address");
    ok(!peerc__mdns_parse_answer(response, sizeof response, "xyz.local", out, sizeof out),
       "other names ignored");
    for (size_t cut = 0; cut < sizeof response; cut++)
        if (peerc__mdns_parse_answer(response, cut, "abc.local", out, sizeof out))
            ok(0, "truncated response at %zu accepted", cut);
    ok(1, "every truncation refused");

    /* A compression pointer to itself must not loop. */
    memcpy(msg, response, 12);
    msg[12] = 0xc0, msg[13] = 12;
    ok(!peerc__mdns_parse_answer(msg, 24, "abc.local", out, sizeof out), "pointer loop refused");
    /* Random garbage: no crash. */
    for (int i = 0; i < 20000; i++) {
        gsize len = (gsize)g_random_int_range(0, 300);
        for (gsize j = 0; j < len; j++)
            msg[j] = (guint8)g_random_int();
        if (len > 2)
            msg[2] |= 0x80;
        peerc__mdns_parse_answer(msg, len, "abc.local", out, sizeof out);
    }
    ok(1, "20000 random responses parsed without crashing");
}

/* ---- a responder on loopback */

typedef struct result {
    int calls;
    char address[32];
    char reason[64];
} result;

static void on_result(void *ud, const char *name, const char *address, const char *reason)
{
    result *r = ud;
    r->calls++;
    g_strlcpy(r->address, address ? address : "", sizeof r->address);
    g_strlcpy(r->reason, reason ? reason : "", sizeof r->reason);
}

static gboolean respond(GSocket *sock, GIOCondition cond, gpointer data)
{
    guint8 q[512], a[512];
    GSocketAddress *from = NULL;
    gssize n = g_socket_receive_from(sock, &from, (gchar *)q, sizeof q, NULL, NULL);
    if (n > 12) {
        gsize qlen = (gsize)n - 12;
        memset(a, 0, 12);
        a[2] = 0x84;
        a[7] = 1;
        memcpy(a + 12, q + 12, qlen - 4); /* the name */
        memcpy(a + 12 + qlen - 4, "\x00\x01\x80\x01\x00\x00\x00\x78\x00\x04\x0a\x01\x02\x03", 14);
        g_socket_send_to(sock, from, (gchar *)a, 12 + qlen - 4 + 14, NULL, NULL);
    }
    g_clear_object(&from);
    return G_SOURCE_CONTINUE;
}

static int run_until(GMainContext *mc, result *r, int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000;
    while (!r->calls && g_get_monotonic_time() < end)
        g_main_context_iteration(mc, FALSE), g_usleep(1000);
    return r->calls;
}

static void test_resolve(void)
{
    GMainContext *mc = g_main_context_new();
    GSocket *sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *bind = g_inet_socket_address_new(lo, 0), *bound;
    GSource *src;
    char target[64];
    result r = {0}, r2 = {0}, r3 = {0};
    peerc_mdns_query *q;
    g_socket_bind(sock, bind, TRUE, NULL);
    bound = g_socket_get_local_address(sock, NULL);
    snprintf(target, sizeof target, "127.0.0.1:%u",
             g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)));
    src = g_socket_create_source(sock, G_IO_IN, NULL);
    g_source_set_callback(src, (GSourceFunc)(void (*)(void))respond, NULL, NULL);
    g_source_attach(src, mc);

    peerc__mdns_resolve(mc, "3f2a1b7c-0000-4000-8000-000000000001.local", target, 2000, on_result, &r);
    ok(run_until(mc, &r, 3000), "responder answered");
    is_str(r.address, "10.1.2.3", "resolved address");
    is_int(r.calls, 1, "callback fired once");

    peerc__mdns_resolve(mc, "nobody.local", "127.0.0.1:9", 300, on_result, &r2);
    ok(run_until(mc, &r2, 2000), "unanswered query finishes");
    is_str(r2.address, "", "no address");
    ok(r2.reason[0] != 0, "with a reason: %s", r2.reason);

    q = peerc__mdns_resolve(mc, "cancelled.local", target, 2000, on_result, &r3);
    peerc__mdns_cancel(q);
    run_until(mc, &r3, 300);
    is_int(r3.calls, 0, "cancelled query never calls back");

    g_source_destroy(src);
    g_source_unref(src);
    g_object_unref(bound);
    g_object_unref(bind);
    g_object_unref(lo);
    g_object_unref(sock);
    g_main_context_unref(mc);
}

int main(void)
{
    test_wire();
    test_resolve();
    return done_testing();
}

/* ICE candidate attributes (RFC 8839 §5.1) as real stacks write them. */
#include <peerc/common.h>

#include "sdp/sdp.h"

#include "../tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse(const char *line, peerc_sdp_candidate *c)
{
    char err[256] = "";
    int rc = peerc__sdp_candidate_parse(line, c, err, sizeof err);
    if (rc != PEERC_OK)
        diag("%s -> %d: %s", line, rc, err);
    return rc;
}

/* to_string gives back exactly the canonical text. */
static void same_text(const peerc_sdp_candidate *c, const char *want, const char *what)
{
    char *s = peerc__sdp_candidate_to_string(c);
    is_str(s, want, "%s: to_string", what);
    free(s);
}

static void test_chromium(void)
{
    peerc_sdp_candidate c;
    const char *udp = "candidate:1654962291 1 udp 2122194687 192.0.2.2 48327 typ host "
                      "generation 0 network-id 1";
    const char *tcp = "candidate:1466477831 1 tcp 1518285567 fd00::2 9 typ host tcptype active "
                      "generation 0 network-id 2";
    const char *passive = "candidate:3 1 tcp 1518280447 192.0.2.2 53215 typ host tcptype passive "
                          "generation 0 network-id 1";
    const char *srflx = "candidate:842163049 1 udp 1677729535 203.0.113.7 61612 typ srflx raddr "
                        "192.0.2.2 rport 48327 generation 0 ufrag Lp1f network-cost 999";
    const char *mdns = "candidate:4166995044 1 udp 2122194687 3c3e5a4b-9f3d-4d7c-8f5c-"
                       "0123456789ab.local 54064 typ host generation 0 ufrag RqaO network-id 1";
    const char *v6 = "candidate:2848094611 1 udp 2122265343 fd00::2 50518 typ host generation 0 "
                     "network-id 2";

    is_int(parse(udp, &c), PEERC_OK, "chromium udp host");
    is_str(c.foundation, "1654962291", "foundation");
    is_int(c.component, 1, "component");
    is_str(c.transport, "udp", "transport");
    is_int(c.priority, 2122194687u, "priority");
    is_str(c.address, "192.0.2.2", "address");
    is_int(c.port, 48327, "port");
    is_str(c.type, "host", "type");
    is_str(c.raddr, "", "no raddr");
    ok(!c.has_rport, "no rport");
    is_str(c.tcptype, "", "no tcptype");
    ok(!c.is_mdns, "not mDNS");
    is_int(c.n_ext, 2, "2 extensions");
    is_str(peerc__sdp_candidate_ext(&c, "generation"), "0", "generation");
    is_str(peerc__sdp_candidate_ext(&c, "network-id"), "1", "network-id");
    ok(peerc__sdp_candidate_ext(&c, "ufrag") == NULL, "no ufrag extension");
    same_text(&c, udp, "chromium udp host");

    is_int(parse(tcp, &c), PEERC_OK, "chromium tcp active over IPv6");
    is_str(c.transport, "tcp", "tcp");
    is_str(c.tcptype, "active", "tcptype active");
    is_str(c.address, "fd00::2", "IPv6 address");
    is_int(c.port, 9, "active TCP uses port 9");
    same_text(&c, tcp, "chromium tcp active");

    is_int(parse(passive, &c), PEERC_OK, "tcp passive");
    is_str(c.tcptype, "passive", "tcptype passive");
    same_text(&c, passive, "tcp passive");

    is_int(parse(srflx, &c), PEERC_OK, "chromium srflx");
    is_str(c.type, "srflx", "srflx");
    is_str(c.raddr, "192.0.2.2", "raddr");
    ok(c.has_rport && c.rport == 48327, "rport");
    is_str(peerc__sdp_candidate_ext(&c, "ufrag"), "Lp1f", "ufrag extension");
    is_str(peerc__sdp_candidate_ext(&c, "network-cost"), "999", "network-cost extension");
    same_text(&c, srflx, "chromium srflx");

    is_int(parse(mdns, &c), PEERC_OK, "chromium mDNS host");
    ok(c.is_mdns, "mDNS flagged");
    is_str(c.address, "3c3e5a4b-9f3d-4d7c-8f5c-0123456789ab.local", "mDNS name kept");
    same_text(&c, mdns, "mDNS");

    is_int(parse(v6, &c), PEERC_OK, "chromium IPv6 udp");
    same_text(&c, v6, "IPv6");
}

static void test_aiortc_firefox(void)
{
    peerc_sdp_candidate c;
    const char *aiortc = "candidate:f957a2332b1715da3b0ef8ba684454eb 1 udp 2130706431 192.0.2.2 "
                         "48198 typ host";
    is_int(parse(aiortc, &c), PEERC_OK, "aiortc host (32-char foundation)");
    is_str(c.foundation, "f957a2332b1715da3b0ef8ba684454eb", "aiortc foundation");
    is_int(c.n_ext, 0, "no extensions");
    same_text(&c, aiortc, "aiortc");

    /* Firefox writes the transport in upper case. */
    is_int(parse("candidate:0 1 UDP 2122252543 192.0.2.2 51938 typ host", &c), PEERC_OK,
           "firefox host");
    is_str(c.transport, "udp", "transport lowercased");
    same_text(&c, "candidate:0 1 udp 2122252543 192.0.2.2 51938 typ host", "firefox host");
    is_int(parse("candidate:1 1 UDP 1686052863 203.0.113.7 51938 typ srflx raddr 192.0.2.2 rport "
                 "51938",
                 &c),
           PEERC_OK, "firefox srflx");
    is_int(parse("candidate:2 1 TCP 2105524479 192.0.2.2 9 typ host tcptype active", &c), PEERC_OK,
           "firefox tcp");
    is_int(parse("candidate:3 1 UDP 92217343 198.51.100.9 60537 typ relay raddr 198.51.100.9 rport "
                 "60537",
                 &c),
           PEERC_OK, "firefox relay");
    is_str(c.type, "relay", "relay");
    /* Chrome hides the base of srflx candidates behind 0.0.0.0 with mDNS. */
    is_int(parse("candidate:5 1 udp 1685987071 203.0.113.7 50000 typ srflx raddr 0.0.0.0 rport 0",
                 &c),
           PEERC_OK, "srflx with raddr 0.0.0.0 rport 0");
    ok(c.has_rport && c.rport == 0, "rport 0 kept");
    same_text(&c, "candidate:5 1 udp 1685987071 203.0.113.7 50000 typ srflx raddr 0.0.0.0 rport 0",
              "rport 0");
}

static void test_prefixes(void)
{
    peerc_sdp_candidate c;
    const char *body = "1 1 udp 2122194687 192.0.2.2 48327 typ host";
    char line[256];
    is_int(parse(body, &c), PEERC_OK, "bare value");
    snprintf(line, sizeof line, "candidate:%s", body);
    is_int(parse(line, &c), PEERC_OK, "candidate: prefix (trickle)");
    snprintf(line, sizeof line, "a=candidate:%s\r\n", body);
    is_int(parse(line, &c), PEERC_OK, "a=candidate: with CRLF");
    is_int(c.port, 48327, "CRLF stripped");
    snprintf(line, sizeof line, "candidate:1  1 udp\t2122194687 192.0.2.2 48327 typ host ");
    is_int(parse(line, &c), PEERC_OK, "extra blanks tolerated");
}

/* Every candidate in the captures round-trips through parse/to_string. */
static void test_samples(void)
{
    static const char *const files[] = {
        "chromium-156-offer-data-only.sdp",      "chromium-156-offer-audio-video-data.sdp",
        "chromium-156-answer-audio-video-data.sdp", "aiortc-1.4-offer-data-only.sdp",
        "aiortc-1.4-offer-audio-video-data.sdp",
    };
    const char *top = getenv("top_srcdir");
    size_t total = 0, good = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024], line[2048];
        FILE *f;
        snprintf(path, sizeof path, "%s/tests/data/%s", top && *top ? top : ".", files[i]);
        f = fopen(path, "r");
        if (!ok(f != NULL, "open %s", files[i]))
            continue;
        while (fgets(line, sizeof line, f)) {
            peerc_sdp_candidate c;
            char *s;
            if (strncmp(line, "a=candidate:", 12) != 0)
                continue;
            line[strcspn(line, "\r\n")] = '\0';
            total++;
            if (peerc__sdp_candidate_parse(line, &c, NULL, 0) != PEERC_OK)
                continue;
            s = peerc__sdp_candidate_to_string(&c);
            good += s && strcmp(s, line + 2) == 0;
            free(s);
        }
        fclose(f);
    }
    is_int(total, 4 + 12 + 2 + 2 + 6, "26 candidates in the captures");
    is_int(good, total, "all round-trip exactly");
}

static void test_bad(void)
{
    static const struct {
        const char *line;
        int code;
        const char *why;
    } bad[] = {
        {"", PEERC_E_SYNTAX, "empty"},
        {"candidate:", PEERC_E_SYNTAX, "prefix only"},
        {"candidate:1 1 udp 2122194687 192.0.2.2 48327 typ", PEERC_E_SYNTAX, "no type"},
        {"candidate:1 1 udp 2122194687 192.0.2.2 48327", PEERC_E_SYNTAX, "6 fields"},
        {"candidate:a-b 1 udp 1 192.0.2.2 1 typ host", PEERC_E_SYNTAX, "foundation with '-'"},
        {"candidate:012345678901234567890123456789012 1 udp 1 192.0.2.2 1 typ host", PEERC_E_SYNTAX,
         "33-char foundation"},
        {"candidate:1 0 udp 1 192.0.2.2 1 typ host", PEERC_E_SYNTAX, "component 0"},
        {"candidate:1 257 udp 1 192.0.2.2 1 typ host", PEERC_E_SYNTAX, "component 257"},
        {"candidate:1 x udp 1 192.0.2.2 1 typ host", PEERC_E_SYNTAX, "component not numeric"},
        {"candidate:1 1 udp 4294967296 192.0.2.2 1 typ host", PEERC_E_SYNTAX, "priority > 2^32-1"},
        {"candidate:1 1 udp -5 192.0.2.2 1 typ host", PEERC_E_SYNTAX, "negative priority"},
        {"candidate:1 1 udp 1 999.1.1.1 1 typ host", PEERC_E_SYNTAX, "bad IPv4"},
        {"candidate:1 1 udp 1 fd00::2::1 1 typ host", PEERC_E_SYNTAX, "bad IPv6"},
        {"candidate:1 1 udp 1 bad_host! 1 typ host", PEERC_E_SYNTAX, "bad host name"},
        {"candidate:1 1 udp 1 192.0.2.2 65536 typ host", PEERC_E_SYNTAX, "port 65536"},
        {"candidate:1 1 udp 1 192.0.2.2 1 type host", PEERC_E_SYNTAX, "\"type\" not \"typ\""},
        {"candidate:1 1 tcp 1 192.0.2.2 1 typ host tcptype sideways", PEERC_E_SYNTAX, "bad tcptype"},
        {"candidate:1 1 udp 1 192.0.2.2 1 typ host generation", PEERC_E_SYNTAX, "odd extension"},
        {"candidate:1 1 udp 1 192.0.2.2 1 typ srflx raddr nope! rport 1", PEERC_E_SYNTAX,
         "bad raddr"},
        {"candidate:1 1 udp 1 192.0.2.2 1 typ srflx raddr 192.0.2.1 rport 70000", PEERC_E_SYNTAX,
         "bad rport"},
        {"candidate:1 1 udp 1 192.0.2.2 1 typ host a 1 b 2 c 3 d 4 e 5 f 6 g 7 h 8 i 9",
         PEERC_E_SYNTAX, "too many extensions"},
        {"candidate:1 1 udp 1 192.0.2.2 1 typ host x\x01y 1", PEERC_E_SYNTAX, "control byte"},
        {"candidate:1 1 sctp 1 192.0.2.2 1 typ host", PEERC_E_NOT_SUPPORTED, "unknown transport"},
        {"candidate:1 1 udp 1 192.0.2.2 1 typ wormhole", PEERC_E_NOT_SUPPORTED, "unknown type"},
    };
    peerc_sdp_candidate c;
    char err[256];
    char *huge;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        is_int(peerc__sdp_candidate_parse(bad[i].line, &c, err, sizeof err), bad[i].code,
               "refused: %s (%s)", bad[i].why, err);
    }
    is_int(peerc__sdp_candidate_parse(NULL, &c, NULL, 0), PEERC_E_INVALID_ARGUMENT, "NULL line");
    huge = malloc(100000);
    memset(huge, '1', 99999);
    huge[99999] = '\0';
    is_int(peerc__sdp_candidate_parse(huge, &c, NULL, 0), PEERC_E_SYNTAX, "100 kB line refused");
    free(huge);
}

int main(void)
{
    test_chromium();
    test_aiortc_firefox();
    test_prefixes();
    test_samples();
    test_bad();
    return done_testing();
}

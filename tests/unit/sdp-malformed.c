/* Malformed and hostile SDP: each is refused with the right code and line
 * number, and nothing crashes, leaks or hangs (the suite runs under ASan). */
#include <peerc/common.h>

#include "sdp/sdp.h"

#include "../tap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEAD "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
/* Line 5 is the m= line, attributes start at line 6. */
#define DATA HEAD "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"

typedef struct bad_case {
    const char *name;
    const char *text;
    int code;
    const char *detail; /* substring of the error message */
} bad_case;

static const bad_case cases[] = {
    {"empty string", "", PEERC_E_SYNTAX, "SDP line 1: empty"},
    {"only blank lines", "\r\n\r\n", PEERC_E_SYNTAX, "SDP line 1: empty"},
    {"no v=", "o=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", PEERC_E_SYNTAX,
     "SDP line 1: expected v="},
    {"v=1", "v=1\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", PEERC_E_SYNTAX,
     "SDP line 1: unsupported SDP version"},
    {"no o=", "v=0\r\ns=-\r\nt=0 0\r\n", PEERC_E_SYNTAX, "SDP line 2: expected o="},
    {"o= with 5 fields", "v=0\r\no=- 1 1 IN IP4\r\ns=-\r\nt=0 0\r\n", PEERC_E_SYNTAX,
     "SDP line 2: o= needs 6 fields"},
    {"o= session id not numeric", "v=0\r\no=- abc 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n",
     PEERC_E_SYNTAX, "SDP line 2: bad o= session id"},
    {"o= version overflows", "v=0\r\no=- 1 99999999999999999999 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n",
     PEERC_E_SYNTAX, "SDP line 2: bad o= session version"},
    {"no s=", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\nt=0 0\r\n", PEERC_E_SYNTAX,
     "SDP line 3: expected s="},
    {"truncated after o=", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n", PEERC_E_SYNTAX,
     "SDP line 3: truncated"},
    {"no t= before m=",
     "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\na=x\r\nm=audio 9 RTP/AVP 0\r\n", PEERC_E_SYNTAX,
     "SDP line 5: missing t="},
    {"no t= at all", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n", PEERC_E_SYNTAX,
     "SDP line 4: missing t="},
    {"line without =", HEAD "garbage\r\n", PEERC_E_SYNTAX, "SDP line 5: expected <type>=<value>"},
    {"upper-case type", HEAD "A=foo\r\n", PEERC_E_SYNTAX, "SDP line 5: expected <type>="},
    {"unknown line type", HEAD "x=1\r\n", PEERC_E_SYNTAX, "SDP line 5: unknown line type"},
    {"duplicate s=", HEAD "s=again\r\n", PEERC_E_SYNTAX, "SDP line 5: duplicate or misplaced s="},
    {"t= in media section", DATA "t=0 0\r\n", PEERC_E_SYNTAX,
     "SDP line 6: t= is not allowed inside a media section"},
    {"r= without t=", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nr=1 2 3\r\n", PEERC_E_SYNTAX,
     "SDP line 4: r= without t="},
    {"bad t=", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=now\r\n", PEERC_E_SYNTAX,
     "SDP line 4: bad t="},
    {"c= with 2 fields", DATA "c=IN IP4\r\n", PEERC_E_SYNTAX, "SDP line 6: c= needs 3 fields"},
    {"two c= in a section", DATA "c=IN IP4 0.0.0.0\r\nc=IN IP4 0.0.0.0\r\n", PEERC_E_SYNTAX,
     "SDP line 7: duplicate c="},
    {"bad b=", DATA "b=AS\r\n", PEERC_E_SYNTAX, "SDP line 6: bad b="},
    {"m= port not numeric", HEAD "m=audio abc RTP/AVP 0\r\n", PEERC_E_SYNTAX,
     "SDP line 5: bad m= port"},
    {"m= port too big", HEAD "m=audio 70000 RTP/AVP 0\r\n", PEERC_E_SYNTAX,
     "SDP line 5: bad m= port"},
    {"m= negative port", HEAD "m=audio -1 RTP/AVP 0\r\n", PEERC_E_SYNTAX,
     "SDP line 5: bad m= port"},
    {"m= port count 0", HEAD "m=audio 9/0 RTP/AVP 0\r\n", PEERC_E_SYNTAX,
     "SDP line 5: bad m= port count"},
    {"m= without formats", HEAD "m=audio 9 RTP/AVP\r\n", PEERC_E_SYNTAX,
     "SDP line 5: m= needs media, port, proto and at least one format"},
    {"m= empty", HEAD "m=\r\n", PEERC_E_SYNTAX, "SDP line 5: m= needs"},
    {"m= bad proto", HEAD "m=audio 9 RTP//AVP 0\r\n", PEERC_E_SYNTAX, "SDP line 5: bad m= proto"},
    {"fingerprint not hex", DATA "a=fingerprint:sha-256 zz:11\r\n", PEERC_E_SYNTAX,
     "SDP line 6: bad a=fingerprint"},
    {"fingerprint too short for sha-256", DATA "a=fingerprint:sha-256 AB:CD\r\n", PEERC_E_SYNTAX,
     "SDP line 6: bad a=fingerprint (sha-256 fingerprint has 2 bytes, not 32)"},
    {"fingerprint without hash name", DATA "a=fingerprint:AB:CD\r\n", PEERC_E_SYNTAX,
     "SDP line 6: bad a=fingerprint"},
    {"fingerprint with one-digit group", DATA "a=fingerprint:sha-1 A:BC\r\n", PEERC_E_SYNTAX,
     "SDP line 6: bad a=fingerprint"},
    {"fingerprint flag", DATA "a=fingerprint\r\n", PEERC_E_SYNTAX,
     "SDP line 6: a=fingerprint needs a value"},
    {"bad setup", DATA "a=setup:both\r\n", PEERC_E_SYNTAX, "SDP line 6: bad a=setup"},
    {"candidate priority not numeric", DATA "a=candidate:1 1 udp abc 192.0.2.1 5 typ host\r\n",
     PEERC_E_SYNTAX, "SDP line 6: bad a=candidate (bad priority"},
    {"candidate truncated", DATA "a=mid:0\r\na=candidate:1 1 udp 100 192.0.2.1\r\n",
     PEERC_E_SYNTAX, "SDP line 7: bad a=candidate"},
    {"sctp-port too big", DATA "a=sctp-port:70000\r\n", PEERC_E_SYNTAX,
     "SDP line 6: bad a=sctp-port"},
    {"sctp-port not numeric", DATA "a=sctp-port:abc\r\n", PEERC_E_SYNTAX,
     "SDP line 6: bad a=sctp-port"},
    {"max-message-size negative", DATA "a=max-message-size:-1\r\n", PEERC_E_SYNTAX,
     "SDP line 6: bad a=max-message-size"},
    {"empty mid", DATA "a=mid:\r\n", PEERC_E_SYNTAX, "SDP line 6: bad a=mid"},
    {"mid with a space", DATA "a=mid:a b\r\n", PEERC_E_SYNTAX, "SDP line 6: bad a=mid"},
    {"empty attribute name", DATA "a=:x\r\n", PEERC_E_SYNTAX, "SDP line 6: bad attribute name"},
    {"empty a=", DATA "a=\r\n", PEERC_E_SYNTAX, "SDP line 6: bad attribute name"},
    {"bad sctpmap", DATA "a=sctpmap:abc\r\n", PEERC_E_SYNTAX, "SDP line 6: bad a=sctpmap"},
    {"group without semantics", HEAD "a=group:\r\n", PEERC_E_SYNTAX, "SDP line 5: bad a=group"},
    {"stray CR inside a line", DATA "a=foo\rbar\r\n", PEERC_E_SYNTAX,
     "SDP line 6: stray CR inside a line"},
    {"two a=mid in one section", DATA "a=mid:0\r\na=mid:1\r\n", PEERC_E_SYNTAX,
     "SDP line 7: bad a=mid (second a=mid in one m-section)"},
    {"same mid in two sections", DATA "a=mid:0\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n",
     PEERC_E_SYNTAX, "SDP line 8: bad a=mid (mid \"0\" already used by m-line 0)"},
    {"empty ice-ufrag", DATA "a=ice-ufrag:\r\n", PEERC_E_SYNTAX, "SDP line 6: bad a=ice-ufrag"},
};

static void run_case(const bad_case *c)
{
    char err[256] = "";
    peerc_sdp *sdp = (peerc_sdp *)1;
    int rc = peerc__sdp_parse(c->text, &sdp, err, sizeof err);
    is_int(rc, c->code, "%s: refused", c->name);
    ok(strstr(err, c->detail) != NULL, "%s: message \"%s\" has \"%s\"", c->name, err, c->detail);
    ok(sdp == NULL, "%s: *out is NULL", c->name);
    if (rc == PEERC_OK)
        peerc__sdp_free(sdp);
}

/* head followed by n copies of line (room left for a final CRLF). */
static char *repeat(const char *head, const char *line, size_t n)
{
    size_t hl = strlen(head), ll = strlen(line);
    char *s = malloc(hl + ll * n + 3), *p;
    if (!s)
        return NULL;
    memcpy(s, head, hl);
    p = s + hl;
    for (size_t i = 0; i < n; i++, p += ll)
        memcpy(p, line, ll);
    *p = '\0';
    return s;
}

static void test_nul(void)
{
    static const char text[] = DATA "a=mid:0\r\na=x\0y\r\n";
    char err[256] = "";
    peerc_sdp *sdp = NULL;
    int rc = peerc__sdp_parse_len(text, sizeof text - 1, &sdp, err, sizeof err);
    is_int(rc, PEERC_E_SYNTAX, "NUL in the middle: refused");
    ok(strstr(err, "SDP line 7: NUL byte") != NULL, "NUL in the middle: \"%s\"", err);
    /* Through the C-string API the NUL simply ends the text. */
    rc = peerc__sdp_parse(text, &sdp, err, sizeof err);
    is_int(rc, PEERC_OK, "C string stops at the NUL");
    peerc__sdp_free(sdp);
}

static void test_limits(void)
{
    char err[256] = "";
    peerc_sdp *sdp = NULL;
    char *big, *many;
    int rc;

    big = repeat(DATA, "a=x-padding:0123456789012345678901234567890123456789012345678\r\n",
                 2 * 1024 * 1024 / 64);
    rc = peerc__sdp_parse(big, &sdp, err, sizeof err);
    is_int(rc, PEERC_E_SYNTAX, "2 MiB input refused");
    ok(strstr(err, "SDP too large") != NULL, "2 MiB: \"%s\"", err);
    free(big);

    many = repeat(HEAD, "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n", 5000);
    rc = peerc__sdp_parse(many, &sdp, err, sizeof err);
    is_int(rc, PEERC_E_SYNTAX, "5000 m-lines refused");
    /* HEAD has 4 lines: m-line 1025 is line 1029. */
    ok(strstr(err, "SDP line 1029: too many m= lines (limit 1024)") != NULL, "5000 m-lines: \"%s\"",
       err);
    free(many);

    many = repeat(HEAD, "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n", 1024);
    rc = peerc__sdp_parse(many, &sdp, err, sizeof err);
    is_int(rc, PEERC_OK, "exactly 1024 m-lines accepted");
    is_int(sdp ? sdp->n_media : 0, 1024, "1024 sections");
    peerc__sdp_free(sdp);
    free(many);

    /* ~100k tiny m-lines within 1 MiB: refused quickly at the cap. */
    many = repeat(HEAD, "m=a 0 b c\r\n", 100000);
    rc = peerc__sdp_parse(many, &sdp, err, sizeof err);
    is_int(rc, PEERC_E_SYNTAX, "100k m-lines refused");
    free(many);

    /* A BUNDLE group naming more tags than there can be m-sections. */
    big = repeat(HEAD "a=group:BUNDLE", " x", 200000);
    strcat(big, "\r\n");
    rc = peerc__sdp_parse(big, &sdp, err, sizeof err);
    is_int(rc, PEERC_E_SYNTAX, "group with 200000 tags refused");
    ok(strstr(err, "SDP line 5: bad a=group (more than 1024 tags)") != NULL, "group: \"%s\"", err);
    free(big);

    /* One 900 KiB attribute line is allowed (under the cap) and kept. */
    big = malloc(900 * 1024 + 256);
    strcpy(big, DATA "a=huge:");
    memset(big + strlen(big), 'x', 900 * 1024);
    strcpy(big + strlen(DATA "a=huge:") + 900 * 1024, "\r\n");
    rc = peerc__sdp_parse(big, &sdp, err, sizeof err);
    is_int(rc, PEERC_OK, "900 KiB attribute line parses");
    ok(sdp && strlen(peerc__sdp_media_attr(sdp->media[0], "huge")) == 900 * 1024,
       "huge value kept whole");
    peerc__sdp_free(sdp);

    /* The same size of garbage without '=' fails on line 1. */
    memset(big, 'v', 900 * 1024);
    big[900 * 1024] = '\0';
    rc = peerc__sdp_parse(big, &sdp, err, sizeof err);
    is_int(rc, PEERC_E_SYNTAX, "900 KiB garbage refused");
    ok(strstr(err, "SDP line 1:") != NULL, "garbage: \"%.60s\"", err);
    free(big);
}

static void test_error_buffers(void)
{
    peerc_sdp *sdp = NULL;
    char tiny[8];
    is_int(peerc__sdp_parse("x", &sdp, NULL, 0), PEERC_E_SYNTAX, "NULL error buffer is fine");
    is_int(peerc__sdp_parse("x", &sdp, tiny, sizeof tiny), PEERC_E_SYNTAX, "small buffer");
    is_int((int)strlen(tiny), 7, "message truncated, NUL-terminated");
    is_int(peerc__sdp_parse(NULL, &sdp, NULL, 0), PEERC_E_INVALID_ARGUMENT, "NULL text");
    is_int(peerc__sdp_parse("v=0", NULL, NULL, 0), PEERC_E_INVALID_ARGUMENT, "NULL out");
}

/* Anything that parses must serialize to text that parses to the same text. */
static int stable(const peerc_sdp *sdp)
{
    char *a = peerc__sdp_serialize(sdp), *b = NULL;
    peerc_sdp *again = NULL;
    int same = 0;
    if (a && peerc__sdp_parse(a, &again, NULL, 0) == PEERC_OK) {
        b = peerc__sdp_serialize(again);
        same = b && strcmp(a, b) == 0;
    }
    free(a);
    free(b);
    peerc__sdp_free(again);
    return same;
}

static const char sample[] =
    "v=0\r\no=- 4258964985058963362 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "a=group:BUNDLE 0\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS\r\n"
    "m=application 54064 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 192.0.2.2\r\n"
    "a=candidate:4166995044 1 udp 2122194687 192.0.2.2 54064 typ host generation 0 network-id "
    "1\r\n"
    "a=candidate:116758768 1 tcp 1518214911 192.0.2.2 9 typ host tcptype active generation 0 "
    "network-id 1\r\n"
    "a=ice-ufrag:RqaO\r\na=ice-pwd:TbGMXze5sIf8hwjshRuet8zy\r\na=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 "
    "57:3B:C3:8B:F8:C2:CF:CF:50:03:AC:65:C1:93:4C:0A:07:08:FF:CE:77:35:0A:79:64:FC:00:47:48:86:38:"
    "39\r\n"
    "a=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n";

/* Every truncation point and many random byte changes of a real offer:
 * whatever the parser accepts must be stable; ASan watches the rest. */
static void test_mutations(void)
{
    size_t n = sizeof sample - 1, accepted = 0, unstable = 0;
    char *buf = malloc(n + 1);
    uint32_t seed = 12345;
    for (size_t cut = 0; cut <= n; cut++) {
        peerc_sdp *sdp = NULL;
        if (peerc__sdp_parse_len(sample, cut, &sdp, NULL, 0) == PEERC_OK) {
            accepted++;
            unstable += !stable(sdp);
        }
        peerc__sdp_free(sdp);
    }
    ok(accepted > 0, "some truncations still parse (%zu of %zu)", accepted, n + 1);
    is_int(unstable, 0, "truncated inputs that parse are stable");
    accepted = unstable = 0;
    for (int iter = 0; iter < 20000; iter++) {
        static const char alphabet[] = "=:\r\n \t/0aZm-.";
        peerc_sdp *sdp = NULL;
        memcpy(buf, sample, n + 1);
        for (int k = 0; k < 1 + iter % 4; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % n;
            seed = seed * 1103515245u + 12345u;
            buf[at] = (seed >> 16) & 1 ? alphabet[(seed >> 8) % (sizeof alphabet - 1)]
                                       : (char)(seed >> 8);
        }
        if (peerc__sdp_parse_len(buf, n, &sdp, NULL, 0) == PEERC_OK) {
            accepted++;
            unstable += !stable(sdp);
        }
        peerc__sdp_free(sdp);
    }
    diag("%zu of 20000 random mutations parsed", accepted);
    is_int(unstable, 0, "mutated inputs that parse are stable");
    free(buf);
}

int main(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
    test_nul();
    test_limits();
    test_error_buffers();
    test_mutations();
    return done_testing();
}

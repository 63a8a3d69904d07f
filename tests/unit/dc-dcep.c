/* DCEP encode/decode (RFC 8832 §5), including hostile buffers. */
#include "datachannel/dcep.h"

#include <peerc/common.h>

#include "../tap.h"

#include <glib.h>
#include <string.h>

static void round_trip(uint8_t type, uint32_t reliability, const char *label, const char *protocol)
{
    peerc_dcep_open in = {
        .channel_type = type,
        .priority = PEERC_DCEP_PRIORITY_MEDIUM,
        .reliability = reliability,
        .label = (const uint8_t *)label,
        .label_len = (uint16_t)strlen(label),
        .protocol = (const uint8_t *)protocol,
        .protocol_len = (uint16_t)strlen(protocol),
    };
    uint8_t *buf = NULL;
    size_t len = 0;
    peerc_dcep_open out;
    int rc = peerc__dcep_encode_open(&in, &buf, &len);
    is_int(rc, PEERC_OK, "encode type 0x%02x", type);
    is_int(len, 12 + strlen(label) + strlen(protocol), "  length");
    is_int(peerc__dcep_type(buf, len), PEERC_DCEP_MSG_OPEN, "  message type");
    is_int(peerc__dcep_decode_open(buf, len, &out), PEERC_OK, "  decodes");
    is_int(out.channel_type, type, "  channel type");
    is_int(out.priority, PEERC_DCEP_PRIORITY_MEDIUM, "  priority");
    uint32_t want = (type & 0x7f) == PEERC_DCEP_RELIABLE ? 0 : reliability;
    is_int(out.reliability, want, "  reliability parameter");
    ok(out.label_len == strlen(label) && memcmp(out.label, label, out.label_len) == 0, "  label");
    ok(out.protocol_len == strlen(protocol) && memcmp(out.protocol, protocol, out.protocol_len) == 0,
       "  protocol");
    g_free(buf);
}

/* Decode from an exactly-sized heap copy so that ASan sees any overread. */
static int decode_copy(const uint8_t *bytes, size_t len)
{
    peerc_dcep_open out;
    uint8_t *copy = g_malloc(len ? len : 1);
    if (len)
        memcpy(copy, bytes, len);
    int rc = peerc__dcep_decode_open(len ? copy : NULL, len, &out);
    g_free(copy);
    return rc;
}

static void hostile(void)
{
    /* type OPEN, reliable, prio 256, rel 0, label 3 "abc", protocol 2 "xy" */
    const uint8_t good[] = {0x03, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0x00, 0x03, 0x00, 0x02,
                            'a',  'b',  'c',  'x',  'y'};
    is_int(decode_copy(good, sizeof good), PEERC_OK, "well-formed OPEN accepted");
    for (size_t n = 0; n < sizeof good; n++)
        if (decode_copy(good, n) != PEERC_E_SYNTAX) {
            ok(0, "truncated to %zu bytes rejected", n);
            return;
        }
    ok(1, "every truncation rejected");

    uint8_t buf[64];
    memcpy(buf, good, sizeof good);
    buf[sizeof good] = 'z';
    is_int(decode_copy(buf, sizeof good + 1), PEERC_E_SYNTAX, "trailing byte rejected");

    memcpy(buf, good, sizeof good);
    buf[8] = 0xff;
    buf[9] = 0xff; /* label length 65535 */
    is_int(decode_copy(buf, sizeof good), PEERC_E_SYNTAX, "label length past the end rejected");
    memcpy(buf, good, sizeof good);
    buf[10] = 0xff;
    buf[11] = 0xff;
    is_int(decode_copy(buf, sizeof good), PEERC_E_SYNTAX, "protocol length past the end rejected");
    memcpy(buf, good, sizeof good);
    buf[8] = buf[9] = buf[10] = buf[11] = 0xff;
    is_int(decode_copy(buf, sizeof good), PEERC_E_SYNTAX, "both lengths 0xffff rejected");

    memcpy(buf, good, sizeof good);
    buf[1] = 0x03;
    is_int(decode_copy(buf, sizeof good), PEERC_E_SYNTAX, "unknown channel type rejected");
    buf[1] = 0x7f;
    is_int(decode_copy(buf, sizeof good), PEERC_E_SYNTAX, "channel type 0x7f rejected");
    memcpy(buf, good, sizeof good);
    buf[0] = PEERC_DCEP_MSG_ACK;
    is_int(decode_copy(buf, sizeof good), PEERC_E_SYNTAX, "wrong message type rejected");
    memcpy(buf, good, sizeof good);
    buf[13] = 0;
    is_int(decode_copy(buf, sizeof good), PEERC_E_SYNTAX, "NUL inside the label rejected");
    memcpy(buf, good, sizeof good);
    buf[15] = 0xc3; /* truncated UTF-8 sequence */
    is_int(decode_copy(buf, sizeof good), PEERC_E_SYNTAX, "invalid UTF-8 rejected");

    const uint8_t zeros[12] = {0x03};
    is_int(decode_copy(zeros, sizeof zeros), PEERC_OK, "empty label and protocol accepted");
    is_int(decode_copy(NULL, 0), PEERC_E_SYNTAX, "empty buffer rejected");
    is_int(peerc__dcep_type(NULL, 0), -1, "type of nothing is -1");

    uint8_t ack[1];
    peerc__dcep_encode_ack(ack);
    is_int(ack[0], PEERC_DCEP_MSG_ACK, "ACK encodes as 0x02");
    is_int(peerc__dcep_decode_ack(ack, 1), PEERC_OK, "ACK decodes");
    is_int(peerc__dcep_decode_ack(ack, 0), PEERC_E_SYNTAX, "empty ACK rejected");
    const uint8_t long_ack[2] = {0x02, 0x00};
    is_int(peerc__dcep_decode_ack(long_ack, 2), PEERC_E_SYNTAX, "ACK with extra bytes rejected");

    /* random garbage never crashes or overreads */
    GRand *r = g_rand_new_with_seed(8832);
    int accepted = 0;
    for (int i = 0; i < 20000; i++) {
        uint8_t junk[40];
        size_t n = (size_t)g_rand_int_range(r, 0, sizeof junk + 1);
        for (size_t k = 0; k < n; k++)
            junk[k] = (uint8_t)g_rand_int(r);
        if (n)
            junk[0] = 0x03;
        accepted += decode_copy(junk, n) == PEERC_OK;
    }
    g_rand_free(r);
    ok(1, "20000 random buffers decoded safely (%d accepted)", accepted);

    peerc_dcep_open bad = {.channel_type = 0x05};
    uint8_t *out = NULL;
    size_t out_len = 0;
    is_int(peerc__dcep_encode_open(&bad, &out, &out_len), PEERC_E_INVALID_ARGUMENT,
           "encoding an unknown channel type refused");
}

int main(void)
{
    round_trip(PEERC_DCEP_RELIABLE, 0, "chat", "");
    round_trip(PEERC_DCEP_RELIABLE | PEERC_DCEP_UNORDERED, 77, "", "json");
    round_trip(PEERC_DCEP_PARTIAL_REXMIT, 3, "rexmit", "p");
    round_trip(PEERC_DCEP_PARTIAL_REXMIT | PEERC_DCEP_UNORDERED, 0, "rexmit-u", "p");
    round_trip(PEERC_DCEP_PARTIAL_TIMED, 150, "timed", "proto");
    round_trip(PEERC_DCEP_PARTIAL_TIMED | PEERC_DCEP_UNORDERED, 0xffffffffu, "timed-u",
               "\xc3\xa9t\xc3\xa9"); /* UTF-8 */
    hostile();
    return done_testing();
}

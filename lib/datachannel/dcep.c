/* DCEP encoding and decoding (RFC 8832 §5).  All fields are big-endian. */
#include "datachannel/dcep.h"

#include <peerc/common.h>

#include <glib.h>
#include <string.h>

static int channel_type_valid(uint8_t t)
{
    switch (t & ~PEERC_DCEP_UNORDERED) {
    case PEERC_DCEP_RELIABLE:
    case PEERC_DCEP_PARTIAL_REXMIT:
    case PEERC_DCEP_PARTIAL_TIMED:
        return 1;
    default:
        return 0;
    }
}

/* W3C labels and protocols are USVStrings; ours are C strings, so an
 * embedded NUL cannot be represented either. */
static int text_valid(const uint8_t *p, uint16_t len)
{
    return memchr(p, 0, len) == NULL && g_utf8_validate((const char *)p, len, NULL);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}

int peerc__dcep_type(const uint8_t *buf, size_t len)
{
    return buf && len ? buf[0] : -1;
}

int peerc__dcep_encode_open(const peerc_dcep_open *open, uint8_t **out, size_t *out_len)
{
    if (!open || !out || !out_len || !channel_type_valid(open->channel_type) ||
        (open->label_len && !open->label) || (open->protocol_len && !open->protocol))
        return PEERC_E_INVALID_ARGUMENT;
    size_t len = PEERC_DCEP_OPEN_HEADER + (size_t)open->label_len + open->protocol_len;
    uint8_t *b = g_malloc(len);
    b[0] = PEERC_DCEP_MSG_OPEN;
    b[1] = open->channel_type;
    put16(b + 2, open->priority);
    /* RFC 8832 §5.1: the reliability parameter is ignored (send 0) for
     * reliable channels. */
    put32(b + 4, (open->channel_type & ~PEERC_DCEP_UNORDERED) == PEERC_DCEP_RELIABLE
                     ? 0
                     : open->reliability);
    put16(b + 8, open->label_len);
    put16(b + 10, open->protocol_len);
    if (open->label_len)
        memcpy(b + PEERC_DCEP_OPEN_HEADER, open->label, open->label_len);
    if (open->protocol_len)
        memcpy(b + PEERC_DCEP_OPEN_HEADER + open->label_len, open->protocol, open->protocol_len);
    *out = b;
    *out_len = len;
    return PEERC_OK;
}

int peerc__dcep_decode_open(const uint8_t *buf, size_t len, peerc_dcep_open *out)
{
    if (!buf || !out || len < PEERC_DCEP_OPEN_HEADER || buf[0] != PEERC_DCEP_MSG_OPEN)
        return PEERC_E_SYNTAX;
    memset(out, 0, sizeof *out);
    out->channel_type = buf[1];
    out->priority = get16(buf + 2);
    out->reliability = get32(buf + 4);
    out->label_len = get16(buf + 8);
    out->protocol_len = get16(buf + 10);
    /* size_t sums of two 16-bit lengths cannot overflow. */
    if (len != PEERC_DCEP_OPEN_HEADER + (size_t)out->label_len + out->protocol_len)
        return PEERC_E_SYNTAX;
    if (!channel_type_valid(out->channel_type))
        return PEERC_E_SYNTAX;
    out->label = buf + PEERC_DCEP_OPEN_HEADER;
    out->protocol = out->label + out->label_len;
    if (!text_valid(out->label, out->label_len) || !text_valid(out->protocol, out->protocol_len))
        return PEERC_E_SYNTAX;
    if ((out->channel_type & ~PEERC_DCEP_UNORDERED) == PEERC_DCEP_RELIABLE)
        out->reliability = 0;
    return PEERC_OK;
}

void peerc__dcep_encode_ack(uint8_t out[1])
{
    out[0] = PEERC_DCEP_MSG_ACK;
}

int peerc__dcep_decode_ack(const uint8_t *buf, size_t len)
{
    /* RFC 8832 §5.2: the ACK is the message type alone. */
    return buf && len == 1 && buf[0] == PEERC_DCEP_MSG_ACK ? PEERC_OK : PEERC_E_SYNTAX;
}

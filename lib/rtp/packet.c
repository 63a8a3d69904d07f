/* RTP fixed header, CSRC list, header extension block and padding:
 * RFC 3550 §5.1 and §5.3.1, with the RFC 8285 element forms. */
#include "rtp/packet.h"
#include "rtp/bytes.h"

#include <peerc/common.h>

#include <string.h>

static int is_rfc8285_two_byte(uint16_t profile)
{
    return (profile & PEERC_RTP_EXT_PROFILE_TWO_BYTE_MASK) == PEERC_RTP_EXT_PROFILE_TWO_BYTE;
}

static void add_ext(peerc_rtp_packet *out, uint8_t id, uint8_t len, const uint8_t *data)
{
    peerc_rtp_ext *e = &out->ext[out->ext_count++];
    e->id = id;
    e->len = len;
    e->data = data;
}

/* RFC 8285 §4.2.  A zero byte is padding.  Id 15 ends processing; an
 * element running past the block is malformed and ends it too. */
static void parse_one_byte(const uint8_t *b, size_t n, peerc_rtp_packet *out)
{
    size_t i = 0;
    while (i < n && out->ext_count < PEERC_RTP_MAX_EXT) {
        if (b[i] == 0) {
            i++;
            continue;
        }
        uint8_t id = b[i] >> 4;
        size_t len = (size_t)(b[i] & 0x0f) + 1;
        if (id == 15 || len > n - i - 1)
            return;
        add_ext(out, id, (uint8_t)len, b + i + 1);
        i += 1 + len;
    }
}

/* RFC 8285 §4.3: id byte, length byte (0..255), data; zero id bytes pad. */
static void parse_two_byte(const uint8_t *b, size_t n, peerc_rtp_packet *out)
{
    size_t i = 0;
    while (i < n && out->ext_count < PEERC_RTP_MAX_EXT) {
        if (b[i] == 0) {
            i++;
            continue;
        }
        if (n - i < 2)
            return;
        size_t len = b[i + 1];
        if (len > n - i - 2)
            return;
        add_ext(out, b[i], (uint8_t)len, len ? b + i + 2 : NULL);
        i += 2 + len;
    }
}

int peerc__rtp_parse(const uint8_t *buf, size_t len, peerc_rtp_packet *out)
{
    if (!buf || !out)
        return PEERC_E_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (len < PEERC_RTP_HEADER_MIN || buf[0] >> 6 != PEERC_RTP_VERSION)
        return PEERC_E_SYNTAX;
    int has_padding = buf[0] & 0x20;
    int has_ext = buf[0] & 0x10;
    out->csrc_count = buf[0] & 0x0f;
    out->marker = buf[1] >> 7;
    out->payload_type = buf[1] & 0x7f;
    out->seq = peerc__rtp_rd16(buf + 2);
    out->timestamp = peerc__rtp_rd32(buf + 4);
    out->ssrc = peerc__rtp_rd32(buf + 8);

    size_t off = PEERC_RTP_HEADER_MIN;
    if ((size_t)out->csrc_count * 4 > len - off)
        return PEERC_E_SYNTAX;
    for (unsigned i = 0; i < out->csrc_count; i++, off += 4)
        out->csrc[i] = peerc__rtp_rd32(buf + off);

    if (has_ext) {
        /* §5.3.1: 16-bit profile word, 16-bit length in 32-bit words. */
        if (len - off < 4)
            return PEERC_E_SYNTAX;
        uint16_t profile = peerc__rtp_rd16(buf + off);
        size_t body_len = (size_t)peerc__rtp_rd16(buf + off + 2) * 4;
        off += 4;
        if (body_len > len - off)
            return PEERC_E_SYNTAX;
        const uint8_t *body = buf + off;
        out->ext_profile = profile;
        if (profile == PEERC_RTP_EXT_PROFILE_ONE_BYTE) {
            parse_one_byte(body, body_len, out);
        } else if (is_rfc8285_two_byte(profile)) {
            parse_two_byte(body, body_len, out);
        } else {
            out->ext_raw = body;
            out->ext_raw_len = body_len;
        }
        off += body_len;
    }

    size_t end = len;
    if (has_padding) {
        /* §5.1: the last octet counts the padding, itself included. */
        uint8_t pad = buf[len - 1];
        if (pad == 0 || pad > len - off)
            return PEERC_E_SYNTAX;
        out->padding = pad;
        end -= pad;
    }
    out->header_len = off;
    out->payload = buf + off;
    out->payload_len = end - off;
    return PEERC_OK;
}

static int ext_fits_one_byte(const peerc_rtp_ext *e)
{
    return e->id >= 1 && e->id <= 14 && e->len >= 1 && e->len <= 16;
}

/* 1 for two-byte form, 0 for one-byte, negative if an element is invalid. */
static int choose_form(const peerc_rtp_packet *p)
{
    int two = is_rfc8285_two_byte(p->ext_profile);
    for (unsigned i = 0; i < p->ext_count; i++) {
        const peerc_rtp_ext *e = &p->ext[i];
        if (e->id == 0 || (e->len && !e->data))
            return PEERC_E_INVALID_ARGUMENT;
        if (!ext_fits_one_byte(e))
            two = 1;
    }
    return two;
}

static size_t elements_size(const peerc_rtp_packet *p, int two)
{
    size_t n = 0;
    for (unsigned i = 0; i < p->ext_count; i++)
        n += (two ? 2u : 1u) + p->ext[i].len;
    return (n + 3) & ~(size_t)3;
}

int64_t peerc__rtp_size(const peerc_rtp_packet *p)
{
    if (!p || p->csrc_count > PEERC_RTP_MAX_CSRC || p->payload_type > 127 ||
        p->ext_count > PEERC_RTP_MAX_EXT || (p->payload_len && !p->payload))
        return PEERC_E_INVALID_ARGUMENT;
    size_t n = PEERC_RTP_HEADER_MIN + (size_t)p->csrc_count * 4;
    size_t body = 0;
    if (p->ext_count) {
        int two = choose_form(p);
        if (two < 0)
            return two;
        body = elements_size(p, two);
    } else if (p->ext_raw_len || p->ext_raw) {
        if (p->ext_raw_len % 4 || (p->ext_raw_len && !p->ext_raw))
            return PEERC_E_INVALID_ARGUMENT;
        body = p->ext_raw_len;
    } else {
        body = SIZE_MAX;
    }
    if (body != SIZE_MAX) {
        if (body / 4 > 0xffff)
            return PEERC_E_RANGE;
        n += 4 + body;
    }
    if (p->payload_len > (size_t)INT64_MAX - n - 255)
        return PEERC_E_RANGE;
    return (int64_t)(n + p->payload_len + p->padding);
}

static size_t write_elements(const peerc_rtp_packet *p, int two, uint8_t *o)
{
    size_t i = 0;
    for (unsigned k = 0; k < p->ext_count; k++) {
        const peerc_rtp_ext *e = &p->ext[k];
        if (two) {
            o[i++] = e->id;
            o[i++] = e->len;
        } else {
            o[i++] = (uint8_t)(e->id << 4 | (e->len - 1));
        }
        if (e->len)
            memcpy(o + i, e->data, e->len);
        i += e->len;
    }
    while (i % 4)
        o[i++] = 0; /* RFC 8285 §4.1.1: padding to a 32-bit boundary is zeros */
    return i;
}

int peerc__rtp_write(const peerc_rtp_packet *p, uint8_t *buf, size_t cap, size_t *out_len)
{
    int64_t total = peerc__rtp_size(p);
    if (total < 0)
        return (int)total;
    if (!buf || !out_len)
        return PEERC_E_INVALID_ARGUMENT;
    if ((uint64_t)total > cap)
        return PEERC_E_RANGE;
    int has_ext = p->ext_count || p->ext_raw || p->ext_raw_len;
    buf[0] = (uint8_t)(PEERC_RTP_VERSION << 6 | (p->padding ? 0x20 : 0) | (has_ext ? 0x10 : 0) |
                       p->csrc_count);
    buf[1] = (uint8_t)((p->marker ? 0x80 : 0) | p->payload_type);
    peerc__rtp_wr16(buf + 2, p->seq);
    peerc__rtp_wr32(buf + 4, p->timestamp);
    peerc__rtp_wr32(buf + 8, p->ssrc);
    size_t off = PEERC_RTP_HEADER_MIN;
    for (unsigned i = 0; i < p->csrc_count; i++, off += 4)
        peerc__rtp_wr32(buf + off, p->csrc[i]);
    if (p->ext_count) {
        int two = choose_form(p);
        uint16_t profile =
            two ? (is_rfc8285_two_byte(p->ext_profile) ? p->ext_profile
                                                       : PEERC_RTP_EXT_PROFILE_TWO_BYTE)
                : PEERC_RTP_EXT_PROFILE_ONE_BYTE;
        size_t body = write_elements(p, two, buf + off + 4);
        peerc__rtp_wr16(buf + off, profile);
        peerc__rtp_wr16(buf + off + 2, (uint16_t)(body / 4));
        off += 4 + body;
    } else if (has_ext) {
        peerc__rtp_wr16(buf + off, p->ext_profile);
        peerc__rtp_wr16(buf + off + 2, (uint16_t)(p->ext_raw_len / 4));
        if (p->ext_raw_len)
            memcpy(buf + off + 4, p->ext_raw, p->ext_raw_len);
        off += 4 + p->ext_raw_len;
    }
    if (p->payload_len)
        memcpy(buf + off, p->payload, p->payload_len);
    off += p->payload_len;
    if (p->padding) {
        memset(buf + off, 0, p->padding - 1u);
        off += p->padding;
        buf[off - 1] = p->padding;
    }
    *out_len = off;
    return PEERC_OK;
}

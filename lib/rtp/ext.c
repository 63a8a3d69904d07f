/* RFC 8285 header extension elements by id: lookup and editing of a parsed
 * or to-be-written packet, and in-place rewriting of a serialized one. */
#include "rtp/packet.h"

#include <peerc/common.h>

#include <string.h>

const peerc_rtp_ext *peerc__rtp_ext_get(const peerc_rtp_packet *p, uint8_t id)
{
    if (!p || id == 0)
        return NULL;
    for (unsigned i = 0; i < p->ext_count && i < PEERC_RTP_MAX_EXT; i++)
        if (p->ext[i].id == id)
            return &p->ext[i];
    return NULL;
}

int peerc__rtp_ext_set(peerc_rtp_packet *p, uint8_t id, const uint8_t *data, size_t len)
{
    if (!p || id == 0 || len > 255 || (len && !data))
        return PEERC_E_INVALID_ARGUMENT;
    peerc_rtp_ext *e = (peerc_rtp_ext *)peerc__rtp_ext_get(p, id);
    if (!e) {
        if (p->ext_count >= PEERC_RTP_MAX_EXT)
            return PEERC_E_RANGE;
        e = &p->ext[p->ext_count++];
        e->id = id;
    }
    e->len = (uint8_t)len;
    e->data = data;
    return PEERC_OK;
}

int peerc__rtp_ext_remove(peerc_rtp_packet *p, uint8_t id)
{
    const peerc_rtp_ext *e = peerc__rtp_ext_get(p, id);
    if (!e)
        return PEERC_E_NOT_FOUND;
    size_t i = (size_t)(e - p->ext);
    memmove(&p->ext[i], &p->ext[i + 1], (p->ext_count - i - 1) * sizeof p->ext[0]);
    p->ext_count--;
    return PEERC_OK;
}

int peerc__rtp_ext_update(uint8_t *buf, size_t len, uint8_t id, const uint8_t *data, size_t dlen)
{
    peerc_rtp_packet p;
    if (!buf || (dlen && !data))
        return PEERC_E_INVALID_ARGUMENT;
    int rc = peerc__rtp_parse(buf, len, &p);
    if (rc)
        return rc;
    const peerc_rtp_ext *e = peerc__rtp_ext_get(&p, id);
    if (!e)
        return PEERC_E_NOT_FOUND;
    if (e->len != dlen)
        return PEERC_E_RANGE;
    /* e->data points into buf (the parse was of buf itself). */
    if (dlen)
        memmove(buf + (e->data - buf), data, dlen);
    return PEERC_OK;
}

/*
 * What the peer does to channels: DCEP messages (RFC 8832 §6), user
 * messages (RFC 8831 §6.6) and stream resets (RFC 8831 §6.7).  These run as
 * peerc_sctp callbacks, so dcm callbacks may fire directly.
 */
#include "datachannel/manager-private.h"

#include "datachannel/dcep.h"

#include <peerc/common.h>

#include "core/log.h"

static void fill_info(const dc_channel *ch, peerc_dcm_channel_info *info)
{
    info->label = ch->label;
    info->protocol = ch->protocol;
    info->ordered = ch->ordered;
    info->max_retransmits = ch->max_retransmits;
    info->max_packet_life_time = ch->max_packet_life_time;
    info->priority = ch->priority;
    info->negotiated = 0;
    info->id = ch->sid;
}

static int32_t clamp(uint32_t v)
{
    return v > INT32_MAX ? INT32_MAX : (int32_t)v;
}

static void on_open(peerc_dcm *dcm, uint16_t sid, const uint8_t *buf, size_t len)
{
    peerc_dcep_open open;
    if (peerc__dcep_decode_open(buf, len, &open) != PEERC_OK) {
        PEERC_WARN("dc", "malformed DATA_CHANNEL_OPEN on stream %u ignored", sid);
        return;
    }
    if (peerc__dcm_by_sid(dcm, sid)) {
        /* Both sides picked this id (a negotiated channel, or a peer
         * ignoring the parity rule): the later one loses. */
        PEERC_WARN("dc", "DATA_CHANNEL_OPEN for stream %u already in use ignored", sid);
        return;
    }
    char *label = g_strndup((const char *)open.label, open.label_len);
    char *protocol = g_strndup((const char *)open.protocol, open.protocol_len);
    uint8_t kind = open.channel_type & (uint8_t)~PEERC_DCEP_UNORDERED;
    peerc_dcm_channel_info info = {
        .label = label,
        .protocol = protocol,
        .ordered = !(open.channel_type & PEERC_DCEP_UNORDERED),
        .max_retransmits = kind == PEERC_DCEP_PARTIAL_REXMIT ? clamp(open.reliability) : -1,
        .max_packet_life_time = kind == PEERC_DCEP_PARTIAL_TIMED ? clamp(open.reliability) : -1,
        .priority = open.priority,
    };
    dc_channel *ch = peerc__dcm_channel_new(dcm, &info, 0);
    g_free(label);
    g_free(protocol);
    ch->sid = sid;
    g_hash_table_insert(dcm->by_sid, GINT_TO_POINTER(ch->sid), ch);
    ch->state = DC_OPEN;

    uint8_t ack[1];
    peerc__dcep_encode_ack(ack);
    if (peerc__sctp_send(dcm->sctp, sid, PEERC_SCTP_PPID_DCEP, 1, -1, -1, ack, 1) != PEERC_OK)
        PEERC_WARN("dc", "cannot send DATA_CHANNEL_ACK on stream %u", sid);

    uint32_t cid = ch->cid;
    PEERC_DEBUG("dc", "remote channel %u on stream %u (\"%s\")", cid, sid, ch->label);
    fill_info(ch, &info);
    if (dcm->cbs.remote_channel)
        dcm->cbs.remote_channel(dcm->ud, cid, sid, &info);
    if (dcm->freed)
        return;
    ch = g_hash_table_lookup(dcm->by_cid, GUINT_TO_POINTER(cid));
    if (ch && ch->state == DC_OPEN)
        peerc__dcm_channel_fire_open(dcm, ch);
}

static void on_dcep(peerc_dcm *dcm, uint16_t sid, const uint8_t *buf, size_t len)
{
    dc_channel *ch;
    switch (peerc__dcep_type(buf, len)) {
    case PEERC_DCEP_MSG_OPEN:
        on_open(dcm, sid, buf, len);
        break;
    case PEERC_DCEP_MSG_ACK:
        ch = peerc__dcm_by_sid(dcm, sid);
        if (ch && ch->local && peerc__dcep_decode_ack(buf, len) == PEERC_OK)
            ch->acked = 1;
        break;
    default:
        PEERC_DEBUG("dc", "unknown DCEP message on stream %u ignored", sid);
        break;
    }
}

static void on_data(peerc_dcm *dcm, uint16_t sid, uint32_t ppid, const uint8_t *data, size_t len)
{
    dc_channel *ch = peerc__dcm_by_sid(dcm, sid);
    if (!ch || ch->state != DC_OPEN) {
        /* W3C: a channel that is not open discards what arrives. */
        PEERC_DEBUG("dc", "message on stream %u without an open channel dropped", sid);
        return;
    }
    /* Data after our OPEN means the peer processed it (RFC 8832 §6). */
    ch->acked = 1;
    uint32_t cid = ch->cid;
    if (peerc__dcm_channel_fire_open(dcm, ch) < 0)
        return;
    ch = g_hash_table_lookup(dcm->by_cid, GUINT_TO_POINTER(cid));
    if (!ch || ch->state != DC_OPEN)
        return;
    int binary = ppid == PEERC_SCTP_PPID_BINARY || ppid == PEERC_SCTP_PPID_BINARY_EMPTY;
    if (ppid == PEERC_SCTP_PPID_STRING_EMPTY || ppid == PEERC_SCTP_PPID_BINARY_EMPTY)
        len = 0; /* the single placeholder byte, RFC 8831 §6.6 */
    if (dcm->cbs.message)
        dcm->cbs.message(dcm->ud, cid, data, len, binary);
}

void peerc__dcm_on_message(void *ud, uint16_t sid, uint32_t ppid, const uint8_t *data, size_t len)
{
    peerc_dcm *dcm = ud;
    peerc__dcm_ref(dcm);
    switch (ppid) {
    case PEERC_SCTP_PPID_DCEP:
        on_dcep(dcm, sid, data, len);
        break;
    case PEERC_SCTP_PPID_STRING:
    case PEERC_SCTP_PPID_BINARY:
    case PEERC_SCTP_PPID_STRING_EMPTY:
    case PEERC_SCTP_PPID_BINARY_EMPTY:
        on_data(dcm, sid, ppid, data, len);
        break;
    default:
        /* Includes the deprecated partial PPIDs 52 and 54 (RFC 8831 §8). */
        PEERC_DEBUG("dc", "message with PPID %u on stream %u dropped", ppid, sid);
        break;
    }
    peerc__dcm_unref(dcm);
}

void peerc__dcm_on_stream_reset(void *ud, uint16_t sid)
{
    peerc_dcm *dcm = ud;
    dc_channel *ch = peerc__dcm_by_sid(dcm, sid);
    if (!ch || ch->state == DC_PENDING)
        return;
    peerc__dcm_ref(dcm);
    ch->in_reset = 1;
    if (ch->state == DC_OPEN) {
        /* The peer closed the channel: answer with our own reset
         * (RFC 8831 §6.7). */
        ch->state = DC_CLOSING;
        if (peerc__sctp_reset_stream(dcm->sctp, sid) != PEERC_OK)
            ch->out_reset = 1;
    }
    peerc__dcm_channel_maybe_closed(dcm, ch);
    peerc__dcm_unref(dcm);
}

void peerc__dcm_on_reset_complete(void *ud, uint16_t sid)
{
    peerc_dcm *dcm = ud;
    dc_channel *ch = peerc__dcm_by_sid(dcm, sid);
    if (!ch || ch->state != DC_CLOSING)
        return;
    peerc__dcm_ref(dcm);
    ch->out_reset = 1;
    peerc__dcm_channel_maybe_closed(dcm, ch);
    peerc__dcm_unref(dcm);
}

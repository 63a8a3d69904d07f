/*
 * Channel records and the local side of the state machine: opening
 * (RFC 8832 §6), sending (RFC 8831 §6.6) and closing (RFC 8831 §6.7).
 */
#include "datachannel/manager-private.h"

#include "datachannel/dcep.h"

#include <peerc/common.h>

#include "core/log.h"

#include <string.h>

#define MAX_ID 65534 /* W3C: id 65535 is invalid */

void peerc__dcm_channel_destroy(gpointer p)
{
    dc_channel *ch = p;
    g_free(ch->label);
    g_free(ch->protocol);
    g_free(ch);
}

dc_channel *peerc__dcm_by_sid(const peerc_dcm *dcm, int sid)
{
    return sid < 0 ? NULL : g_hash_table_lookup(dcm->by_sid, GINT_TO_POINTER(sid));
}

static dc_channel *by_cid(const peerc_dcm *dcm, uint32_t cid)
{
    return dcm ? g_hash_table_lookup(dcm->by_cid, GUINT_TO_POINTER(cid)) : NULL;
}

dc_channel *peerc__dcm_channel_new(peerc_dcm *dcm, const peerc_dcm_channel_info *info, int local)
{
    dc_channel *ch = g_new0(dc_channel, 1);
    ch->cid = dcm->next_cid++;
    ch->sid = -1;
    ch->local = local;
    ch->negotiated = info->negotiated;
    ch->acked = !local || info->negotiated;
    ch->ordered = info->ordered;
    ch->max_retransmits = info->max_retransmits < 0 ? -1 : info->max_retransmits;
    ch->max_packet_life_time = info->max_packet_life_time < 0 ? -1 : info->max_packet_life_time;
    ch->priority = info->priority ? info->priority : PEERC_DCEP_PRIORITY_LOW;
    ch->label = g_strdup(info->label ? info->label : "");
    ch->protocol = g_strdup(info->protocol ? info->protocol : "");
    g_hash_table_insert(dcm->by_cid, GUINT_TO_POINTER(ch->cid), ch);
    return ch;
}

static void bind_sid(peerc_dcm *dcm, dc_channel *ch, int sid)
{
    ch->sid = sid;
    g_hash_table_insert(dcm->by_sid, GINT_TO_POINTER(sid), ch);
}

static void forget(peerc_dcm *dcm, dc_channel *ch)
{
    if (ch->sid >= 0)
        g_hash_table_remove(dcm->by_sid, GINT_TO_POINTER(ch->sid));
    g_hash_table_remove(dcm->by_cid, GUINT_TO_POINTER(ch->cid)); /* frees ch */
}

/* Lowest free id of our parity (RFC 8832 §6: DTLS client even, server
 * odd) below the negotiated stream count; -1 if none. */
static int allocate_sid(const peerc_dcm *dcm)
{
    int limit = peerc__sctp_max_streams(dcm->sctp);
    for (int sid = dcm->is_dtls_client ? 0 : 1; sid < limit; sid += 2)
        if (!peerc__dcm_by_sid(dcm, sid))
            return sid;
    return -1;
}

static uint8_t channel_type(const dc_channel *ch)
{
    uint8_t t = PEERC_DCEP_RELIABLE;
    if (ch->max_retransmits >= 0)
        t = PEERC_DCEP_PARTIAL_REXMIT;
    else if (ch->max_packet_life_time >= 0)
        t = PEERC_DCEP_PARTIAL_TIMED;
    return ch->ordered ? t : (uint8_t)(t | PEERC_DCEP_UNORDERED);
}

/* DCEP messages travel reliably and in order on the channel's own stream
 * (RFC 8832 §6). */
static int send_dcep(peerc_dcm *dcm, int sid, const uint8_t *buf, size_t len)
{
    return peerc__sctp_send(dcm->sctp, (uint16_t)sid, PEERC_SCTP_PPID_DCEP, 1, -1, -1, buf, len);
}

static int send_open(peerc_dcm *dcm, dc_channel *ch)
{
    peerc_dcep_open open = {
        .channel_type = channel_type(ch),
        .priority = ch->priority,
        .reliability = ch->max_retransmits >= 0        ? (uint32_t)ch->max_retransmits
                       : ch->max_packet_life_time >= 0 ? (uint32_t)ch->max_packet_life_time
                                                       : 0,
        .label = (const uint8_t *)ch->label,
        .label_len = (uint16_t)strlen(ch->label),
        .protocol = (const uint8_t *)ch->protocol,
        .protocol_len = (uint16_t)strlen(ch->protocol),
    };
    uint8_t *buf;
    size_t len;
    int rc = peerc__dcep_encode_open(&open, &buf, &len);
    if (rc == PEERC_OK) {
        rc = send_dcep(dcm, ch->sid, buf, len);
        g_free(buf);
    }
    return rc;
}

int peerc__dcm_channel_fire_open(peerc_dcm *dcm, dc_channel *ch)
{
    if (ch->open_fired)
        return 0;
    ch->open_fired = 1;
    if (dcm->cbs.channel_open)
        dcm->cbs.channel_open(dcm->ud, ch->cid, (uint16_t)ch->sid);
    return dcm->freed ? -1 : 0;
}

int peerc__dcm_channel_finish(peerc_dcm *dcm, dc_channel *ch, int code, const char *reason)
{
    uint32_t cid = ch->cid;
    forget(dcm, ch);
    PEERC_DEBUG("dc", "channel %u closed%s%s", cid, code < 0 ? ": " : "", code < 0 ? reason : "");
    if (code < 0 && dcm->cbs.channel_error) {
        dcm->cbs.channel_error(dcm->ud, cid, code, reason);
        if (dcm->freed)
            return -1;
    }
    if (dcm->cbs.channel_closed)
        dcm->cbs.channel_closed(dcm->ud, cid);
    return dcm->freed ? -1 : 0;
}

/* Give a pending channel its id and announce it; the open event itself is
 * deferred so that it never fires inside a dcm call.  Returns PEERC_OK or
 * the failure, leaving the channel to the caller. */
static int start_channel(peerc_dcm *dcm, dc_channel *ch, const char **why)
{
    if (!ch->negotiated) {
        int sid = allocate_sid(dcm);
        if (sid < 0) {
            *why = "no free stream id";
            return PEERC_E_OPERATION;
        }
        bind_sid(dcm, ch, sid);
        if (send_open(dcm, ch) != PEERC_OK) {
            *why = "cannot send DATA_CHANNEL_OPEN";
            return PEERC_E_OPERATION;
        }
    } else if (ch->sid >= peerc__sctp_max_streams(dcm->sctp)) {
        *why = "negotiated id beyond the stream count";
        return PEERC_E_OPERATION;
    }
    ch->state = DC_OPEN;
    peerc__dcm_defer(dcm, DEFER_OPEN, ch->cid);
    return PEERC_OK;
}

static gint cmp_cid(gconstpointer a, gconstpointer b)
{
    guint x = GPOINTER_TO_UINT(a), y = GPOINTER_TO_UINT(b);
    return x < y ? -1 : x > y;
}

/* Snapshot of the cids, oldest first: callbacks may change the table. */
static GList *sorted_cids(peerc_dcm *dcm)
{
    return g_list_sort(g_hash_table_get_keys(dcm->by_cid), cmp_cid);
}

int peerc__dcm_channels_start(peerc_dcm *dcm)
{
    GList *cids = sorted_cids(dcm);
    int rc = 0;
    /* Negotiated ids first, so that automatic ids avoid them. */
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        for (GList *l = cids; l && rc == 0; l = l->next) {
            dc_channel *ch = by_cid(dcm, GPOINTER_TO_UINT(l->data));
            const char *why = "";
            if (ch && ch->state == DC_PENDING && ch->negotiated == (pass == 0) &&
                start_channel(dcm, ch, &why) != PEERC_OK)
                rc = peerc__dcm_channel_finish(dcm, ch, PEERC_E_OPERATION, why);
        }
    }
    g_list_free(cids);
    return rc;
}

int peerc__dcm_channels_fail_all(peerc_dcm *dcm, int code, const char *reason)
{
    GList *cids = sorted_cids(dcm);
    int rc = 0;
    for (GList *l = cids; l && rc == 0; l = l->next) {
        dc_channel *ch = by_cid(dcm, GPOINTER_TO_UINT(l->data));
        if (ch)
            rc = peerc__dcm_channel_finish(dcm, ch, code, reason);
    }
    g_list_free(cids);
    return rc;
}

int peerc__dcm_channel_maybe_closed(peerc_dcm *dcm, dc_channel *ch)
{
    if (ch->state != DC_CLOSING || !ch->in_reset || !ch->out_reset)
        return 0;
    return peerc__dcm_channel_finish(dcm, ch, PEERC_OK, "");
}

static int check_info(peerc_dcm *dcm, const peerc_dcm_channel_info *info, char *why, size_t n)
{
    if (info->max_retransmits >= 0 && info->max_packet_life_time >= 0)
        return peerc__errorf(why, n, PEERC_E_INVALID_ARGUMENT,
                             "maxRetransmits and maxPacketLifeTime are exclusive");
    if ((info->label && strlen(info->label) > 65535) ||
        (info->protocol && strlen(info->protocol) > 65535))
        return peerc__errorf(why, n, PEERC_E_INVALID_ARGUMENT, "label or protocol too long");
    if (!info->negotiated)
        return PEERC_OK;
    if (info->id < 0 || info->id > MAX_ID)
        return peerc__errorf(why, n, PEERC_E_INVALID_ARGUMENT, "invalid id %d", info->id);
    if (info->id >= PEERC_SCTP_MAX_STREAMS ||
        (dcm->sctp_up && info->id >= peerc__sctp_max_streams(dcm->sctp)))
        return peerc__errorf(why, n, PEERC_E_OPERATION, "id %d beyond the stream count",
                             info->id);
    if (peerc__dcm_by_sid(dcm, info->id))
        return peerc__errorf(why, n, PEERC_E_OPERATION, "id %d already in use", info->id);
    return PEERC_OK;
}

int peerc__dcm_open_channel(peerc_dcm *dcm, const peerc_dcm_channel_info *info,
                            uint32_t *cid_out)
{
    char why[PEERC_ERRBUF_SIZE];
    if (!dcm || !info || !cid_out)
        return PEERC_E_INVALID_ARGUMENT;
    if (dcm->transport_dead || !dcm->sctp)
        return PEERC_E_INVALID_STATE;
    int rc = check_info(dcm, info, why, sizeof why);
    if (rc != PEERC_OK) {
        PEERC_DEBUG("dc", "open_channel: %s", why);
        return rc;
    }
    dc_channel *ch = peerc__dcm_channel_new(dcm, info, 1);
    if (ch->negotiated)
        bind_sid(dcm, ch, info->id); /* reserved now, so later checks see it */
    if (dcm->sctp_up) {
        const char *reason = "";
        rc = start_channel(dcm, ch, &reason);
        if (rc != PEERC_OK) {
            PEERC_DEBUG("dc", "open_channel: %s", reason);
            forget(dcm, ch);
            return rc;
        }
    }
    *cid_out = ch->cid;
    return PEERC_OK;
}

int peerc__dcm_channel_sid(const peerc_dcm *dcm, uint32_t cid)
{
    dc_channel *ch = by_cid(dcm, cid);
    return ch ? ch->sid : -1;
}

int peerc__dcm_send(peerc_dcm *dcm, uint32_t cid, const uint8_t *data, size_t len, int is_binary)
{
    static const uint8_t zero = 0;
    dc_channel *ch = by_cid(dcm, cid);
    if (!ch)
        return PEERC_E_NOT_FOUND;
    if (ch->state != DC_OPEN || !dcm->sctp)
        return PEERC_E_INVALID_STATE;
    if (len && !data)
        return PEERC_E_INVALID_ARGUMENT;
    uint32_t ppid;
    if (len == 0) {
        /* SCTP cannot carry empty user messages: one byte with the EMPTY
         * PPID stands for them (RFC 8831 §6.6). */
        ppid = is_binary ? PEERC_SCTP_PPID_BINARY_EMPTY : PEERC_SCTP_PPID_STRING_EMPTY;
        data = &zero;
        len = 1;
    } else {
        ppid = is_binary ? PEERC_SCTP_PPID_BINARY : PEERC_SCTP_PPID_STRING;
    }
    /* Until the ACK, ordered delivery keeps data behind the OPEN. */
    int ordered = ch->ordered || !ch->acked;
    return peerc__sctp_send(dcm->sctp, (uint16_t)ch->sid, ppid, ordered, ch->max_retransmits,
                            ch->max_packet_life_time, data, len);
}

uint64_t peerc__dcm_buffered_amount(const peerc_dcm *dcm, uint32_t cid)
{
    dc_channel *ch = by_cid(dcm, cid);
    if (!ch || ch->sid < 0 || !dcm->sctp)
        return 0;
    return peerc__sctp_buffered_amount(dcm->sctp, (uint16_t)ch->sid);
}

int peerc__dcm_close_channel(peerc_dcm *dcm, uint32_t cid)
{
    dc_channel *ch = by_cid(dcm, cid);
    if (!ch)
        return PEERC_E_NOT_FOUND;
    if (ch->state == DC_CLOSING)
        return PEERC_OK;
    if (ch->state == DC_PENDING || !dcm->sctp_up || !dcm->sctp) {
        /* Nothing on the wire yet (or any more): closed at once, reported
         * from the main loop. */
        forget(dcm, ch);
        peerc__dcm_defer(dcm, DEFER_CLOSED, cid);
        return PEERC_OK;
    }
    /* RFC 8831 §6.7: reset our outgoing stream (after the data queued on
     * it); the peer answers by resetting its own. */
    ch->state = DC_CLOSING;
    if (peerc__sctp_reset_stream(dcm->sctp, (uint16_t)ch->sid) != PEERC_OK)
        ch->out_reset = 1; /* cannot reset: wait only for the peer */
    return PEERC_OK;
}

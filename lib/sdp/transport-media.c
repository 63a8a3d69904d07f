/*
 * peerc__sdp_remote_transport with audio/video sections as transport
 * candidates.  Once a description carries media, the BUNDLE tag is usually
 * an audio section (browsers put media first), so the transport is read
 * from there rather than from the data section.
 *
 * The data_* fields follow transport.c's rules (RFC 8841 defaults); keep
 * the two in step, or have transport.c call this with accept_media 0.
 */
#include <peerc/common.h>

#include "core/error.h"
#include "sdp/media.h"
#include "sdp/sdp.h"

#include <stdio.h>
#include <string.h>

/* RFC 8841 §6.1: no a=max-message-size means 64K. */
#define DEFAULT_MAX_MESSAGE_SIZE 65536
/* RFC 8841 §5.2: no a=sctp-port means 5000. */
#define DEFAULT_SCTP_PORT 5000

/* The live SCTP section, else the first one. */
static int data_section(const peerc_sdp *sdp)
{
    int first = -1;
    for (size_t i = 0; i < sdp->n_media; i++) {
        if (!peerc__sdp_media_is_sctp(sdp->media[i]))
            continue;
        if (!peerc__sdp_media_is_rejected(sdp->media[i]))
            return (int)i;
        if (first < 0)
            first = (int)i;
    }
    return first;
}

/* Decimal value of s if it is one and at most max, else dflt. */
static uint64_t number_or(const char *s, uint64_t max, uint64_t dflt)
{
    uint64_t v = 0;
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 19 || strspn(s, "0123456789") != n)
        return dflt;
    for (; *s; s++)
        v = v * 10 + (uint64_t)(*s - '0');
    return v <= max ? v : dflt;
}

static void get_data(const peerc_sdp *sdp, peerc_sdp_transport_info *out)
{
    const peerc_sdp_media *m;
    const char *mid, *port;
    int i = data_section(sdp);
    out->data_index = i;
    if (i < 0)
        return;
    m = sdp->media[i];
    mid = peerc__sdp_media_mid(m);
    snprintf(out->data_mid, sizeof out->data_mid, "%s", mid ? mid : "");
    out->data_rejected = peerc__sdp_media_is_rejected(m);
    out->data_legacy = peerc__sdp_media_is_legacy_sctp(m);
    /* Legacy: the format is the SCTP port (draft-ietf-mmusic-sctp-sdp-05 §4). */
    port = out->data_legacy ? m->fmts.items[0] : peerc__sdp_media_attr(m, "sctp-port");
    out->sctp_port = (uint16_t)number_or(port, 65535, DEFAULT_SCTP_PORT);
    out->max_message_size = number_or(peerc__sdp_media_attr(m, "max-message-size"), UINT64_MAX,
                                      DEFAULT_MAX_MESSAGE_SIZE);
}

/* First section, in BUNDLE order then m-line order, that an answer with
 * media would accept: the offerer's or answerer's tag (RFC 8843 §7). */
static int transport_section(const peerc_sdp *sdp, int *index)
{
    peerc_sdp_strv mids;
    *index = -1;
    if (peerc__sdp_bundle_mids(sdp, &mids) != PEERC_OK)
        return PEERC_E_NO_MEMORY;
    for (size_t i = 0; i < mids.count && *index < 0; i++) {
        int k = peerc__sdp_find_mid(sdp, mids.items[i]);
        if (k >= 0 && peerc__sdp_answer_accepts_ex(sdp, (size_t)k, 1))
            *index = k;
    }
    peerc__sdp_strv_clear(&mids);
    for (size_t i = 0; i < sdp->n_media && *index < 0; i++)
        if (peerc__sdp_answer_accepts_ex(sdp, i, 1))
            *index = (int)i;
    return PEERC_OK;
}

int peerc__sdp_remote_transport_ex(const peerc_sdp *sdp, int accept_media,
                                   peerc_sdp_transport_info *out, char *err, size_t errlen)
{
    int index, rc;
    if (!accept_media)
        return peerc__sdp_remote_transport(sdp, out, err, errlen);
    if (!sdp || !out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL argument");
    memset(out, 0, sizeof *out);
    get_data(sdp, out);
    if (transport_section(sdp, &index) != PEERC_OK)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    out->transport_index = index;
    if (index < 0)
        return PEERC_OK;
    rc = peerc__sdp_section_transport(sdp, (size_t)index, NULL, out, err, errlen);
    if (rc != PEERC_OK)
        peerc__sdp_transport_info_clear(out);
    return rc;
}

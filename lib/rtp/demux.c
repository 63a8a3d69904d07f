/* Telling RTP from RTCP on one port: RFC 7983 §7 (first byte) and
 * RFC 5761 §4 (second byte). */
#include "rtp/packet.h"

/* RR without report blocks is the smallest RTCP packet (RFC 3550 §6.4.2). */
#define RTCP_MIN 8

int peerc__rtp_demux(const uint8_t *buf, size_t len)
{
    if (!buf || len < 2 || buf[0] < 128 || buf[0] > 191)
        return PEERC_RTP_DEMUX_OTHER;
    /* RTCP packet types 192..223 occupy what would be marker + PT 64..95,
     * which is why RFC 5761 §4 keeps those RTP payload types unused. */
    if (buf[1] >= 192 && buf[1] <= 223)
        return len >= RTCP_MIN ? PEERC_RTP_DEMUX_RTCP : PEERC_RTP_DEMUX_OTHER;
    return len >= PEERC_RTP_HEADER_MIN ? PEERC_RTP_DEMUX_RTP : PEERC_RTP_DEMUX_OTHER;
}

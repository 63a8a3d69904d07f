/*
 * Audio/video m-sections: what we write (peerc_sdp_media_desc, rendered by
 * peerc__sdp_build_sections), what we read from a remote description
 * (peerc_sdp_remote_media), and our own codec and header extension
 * capabilities.
 *
 * References: RFC 8829 §5.2.1/§5.3.1 (JSEP section contents), RFC 3264 §5/§6
 * (offer/answer), RFC 8830 (a=msid), RFC 5576 (a=ssrc, a=ssrc-group),
 * RFC 4588 §8 (RTX), RFC 8285 (a=extmap), RFC 5761 (rtcp-mux), RFC 5506
 * (rtcp-rsize), RFC 8843 (BUNDLE).
 */
#ifndef PEERC_SDP_MEDIA_H
#define PEERC_SDP_MEDIA_H

#include "sdp/codecs.h"
#include "sdp/sdp.h"

#include <stddef.h>
#include <stdint.h>

/* Longest msid id/appdata, cname and mid we read or write.  RFC 8830 §2
 * allows 64 characters for msid parts; browsers stay well below this. */
#define PEERC_SDP_MAX_ID_LEN 255

/* ----------------------------------------------------------- local side */

/* One audio/video m-section we write (offer or answer).  Everything is
 * borrowed; the builder copies what it renders. */
typedef struct peerc_sdp_media_desc {
    const char *kind;                    /* "audio" or "video" */
    const char *mid;                     /* may be NULL when peerc_sdp_section.mid is set */
    peerc_sdp_direction direction;
    /* m-line format order; a=rtpmap, a=fmtp and a=rtcp-fb lines come from it.
     * rtx entries (rtx_apt >= 0) are written "rtx/<clock of apt>" with an
     * "apt=N" fmtp (RFC 4588 §8.6). */
    const peerc_sdp_codec_set *codecs;
    /* a=extmap:<id>[/<dir>] <uri>; the direction only when has_direction. */
    const peerc_sdp_extmaps *extmaps;
    /* a=msid:<stream> <track> per stream; none gives "a=msid:- <track>". */
    const char *const *stream_ids;
    size_t n_stream_ids;
    const char *track_id;                /* NULL: no msid and no ssrc lines (not sending) */
    /* 0: none.  Else a=ssrc:<ssrc> cname:<cname> and, as Chromium writes it,
     * a=ssrc:<ssrc> msid:<first stream or -> <track>. */
    uint32_t ssrc;
    /* 0: none.  Else a=ssrc-group:FID <ssrc> <rtx_ssrc> and its own ssrc lines. */
    uint32_t rtx_ssrc;
    const char *cname;                   /* required when ssrc is set */
    int rtcp_rsize;                      /* a=rtcp-rsize (RFC 5506) */
    /* Added: the m-line proto.  NULL: "UDP/TLS/RTP/SAVPF".  An answer echoes
     * the offered RTP/SAVPF-family proto (RFC 3264 §6). */
    const char *proto;
} peerc_sdp_media_desc;

/* 1 for an audio/video section with an RTP/SAVPF-family proto
 * (UDP/TLS/RTP/SAVPF, TCP/TLS/RTP/SAVPF, RTP/SAVPF). */
int peerc__sdp_media_is_rtp(const peerc_sdp_media *m);

/*
 * Our offer's codecs, with our payload types, and our header extensions.
 * Extension ids are shared by audio and video so a BUNDLE group never maps
 * one id to two uris (RFC 8843 §9.1):
 *   audio: 111 opus/48000/2 fmtp "minptime=10;useinbandfec=1" rtcp-fb
 *          "transport-cc"; 0 PCMU/8000; 8 PCMA/8000; 126 telephone-event/8000
 *   video: 96 VP8/90000 rtcp-fb "goog-remb", "transport-cc", "ccm fir",
 *          "nack", "nack pli"; 97 rtx/90000 apt=96
 *   extmaps: audio 1 ssrc-audio-level, 2 abs-send-time, 3 transport-wide-cc,
 *            4 sdes:mid; video 2 abs-send-time, 3 transport-wide-cc, 4 sdes:mid
 * out is cleared first; release with peerc__sdp_codec_set_clear() /
 * peerc__sdp_extmaps_clear().  PEERC_E_INVALID_ARGUMENT for another kind,
 * PEERC_E_NO_MEMORY.
 */
int peerc__sdp_local_codecs(const char *kind, peerc_sdp_codec_set *out);
int peerc__sdp_local_extmaps(const char *kind, peerc_sdp_extmaps *out);

/*
 * What we accept when answering, for peerc__sdp_codecs_intersect: audio
 * opus/48000/2, PCMU/8000, PCMA/8000, telephone-event/8000 and /48000;
 * video VP8/90000 (its rtx follows automatically).  rtcp-fb kept: nack,
 * nack pli, ccm fir, goog-remb, transport-cc.  NULL (and *n 0) for another
 * kind.  Static storage.
 */
const peerc_sdp_codec_pref *peerc__sdp_local_prefs(const char *kind, size_t *n);

/*
 * Checks a description before rendering: kind, proto, a non-empty codec set
 * without duplicate or out-of-range payload types, rtx entries whose apt is
 * in the set, extmap ids 1-255 without duplicates, and every string we
 * would write free of blanks and control characters (so nothing can inject
 * SDP lines).  PEERC_E_INVALID_ARGUMENT with a message.
 */
int peerc__sdp_media_desc_check(const peerc_sdp_media_desc *d, char *err, size_t errlen);

/* Appends the m-line of d: kind, port, proto and the payload types.  NULL on
 * OOM.  d must have passed peerc__sdp_media_desc_check. */
peerc_sdp_media *peerc__sdp_media_desc_add(peerc_sdp *sdp, const peerc_sdp_media_desc *d,
                                           uint16_t port);

/* The media attributes of d after the transport ones and a=mid: extmaps,
 * direction, msid, rtcp-mux, rtcp-rsize, codecs, ssrc-group, ssrc.
 * PEERC_OK or PEERC_E_NO_MEMORY. */
int peerc__sdp_media_desc_render(peerc_sdp_media *m, const peerc_sdp_media_desc *d);

/* ---------------------------------------------------------- remote side */

typedef struct peerc_sdp_remote_media {
    int index;                     /* m-line index */
    char kind[16];                 /* "audio", "video", "application", other types verbatim
                                    * (cut to 15 bytes) */
    char mid[64];                  /* "" if none */
    int rejected;                  /* port 0 (not bundle-only) */
    peerc_sdp_direction direction; /* media level, else session level, else sendrecv */
    /* From peerc__sdp_media_codecs_parse; empty unless peerc__sdp_media_is_rtp
     * and not rejected. */
    peerc_sdp_media_codecs mc;
    /* From the a=msid lines (all of them), else from a=ssrc:<ssrc> msid:;
     * "-" means no stream and is not listed. */
    char **stream_ids;
    size_t n_stream_ids;
    char *track_id;                /* msid appdata, NULL if none */
    uint32_t ssrc, rtx_ssrc;       /* primary SSRC and its FID partner, 0 if absent */
    char *cname;                   /* of the primary SSRC, else the first one; NULL if none */
    int rtcp_mux, rtcp_rsize;
} peerc_sdp_remote_media;

/*
 * Reads section index of a remote description.  The primary SSRC is the
 * first of the first a=ssrc-group:FID with exactly two SSRCs (RFC 4588 §8.7;
 * rtx_ssrc is the second), else the first a=ssrc.  FID groups of another
 * size and other semantics (SIM, FEC-FR) are ignored, as are a=ssrc
 * attributes other than cname and msid.
 * PEERC_E_SYNTAX (with "m-line N: ..." messages) for a malformed a=ssrc,
 * a=ssrc-group or a=msid (SSRC not a 32-bit decimal, empty parts, an id
 * over PEERC_SDP_MAX_ID_LEN), a mid over 63 bytes, or what
 * peerc__sdp_media_codecs_parse refuses in a live RTP section;
 * PEERC_E_INVALID_ARGUMENT for a bad index.  Clear out with
 * peerc__sdp_remote_media_clear() (also after errors).
 */
int peerc__sdp_remote_media_parse(const peerc_sdp *sdp, size_t index, peerc_sdp_remote_media *out,
                                  char *err, size_t errlen);
void peerc__sdp_remote_media_clear(peerc_sdp_remote_media *m);

/*
 * 1 when our answer can accept section index of offer as audio/video: an RTP
 * section (peerc__sdp_media_is_rtp), not rejected, with a=rtcp-mux (we
 * require it, RFC 8829 §4.1.1), setup other than holdconn, and at least one
 * codec in common with peerc__sdp_local_prefs (otherwise the answer rejects
 * it, RFC 8829 §5.3.1).  Also what peerc__sdp_remote_transport_ex uses.
 */
int peerc__sdp_media_accepts(const peerc_sdp *offer, size_t index);

#endif

/*
 * Codec and RTP header extension view of an m-section, and the answerer's
 * side of codec negotiation (RFC 8829 §5.3.1, RFC 3264 §6.1, RFC 4588 for
 * RTX, RFC 8285 for extmap, RFC 8843 §9.1 for extmap ids across BUNDLE).
 *
 * Internal and not yet used by peerc__sdp_build_answer (issue 3).  All
 * strings are malloc'd and owned by the structure holding them.
 */
#ifndef PEERC_SDP_CODECS_H
#define PEERC_SDP_CODECS_H

#include "sdp/sdp.h"

#include <stddef.h>
#include <stdint.h>

typedef enum peerc_sdp_direction {
    PEERC_SDP_DIR_SENDRECV = 0, /* also the default when absent */
    PEERC_SDP_DIR_SENDONLY = 1,
    PEERC_SDP_DIR_RECVONLY = 2,
    PEERC_SDP_DIR_INACTIVE = 3
} peerc_sdp_direction;

/* One payload type of the m-line format list. */
typedef struct peerc_sdp_codec {
    int pt;                 /* 0..127 */
    char *name;             /* encoding name as written ("OPUS"); for a static
                             * pt without a=rtpmap, the RFC 3551 name; NULL
                             * when unknown (dynamic pt without a=rtpmap) */
    uint32_t clock_rate;    /* 0 when unknown */
    uint32_t channels;      /* 1 when the rtpmap has no channel count */
    char *fmtp;             /* a=fmtp parameters after the pt, or NULL */
    peerc_sdp_strv rtcp_fb; /* "nack", "nack pli", ...; a=rtcp-fb:* included */
    int rtx_apt;            /* an rtx codec: the pt it repairs (fmtp apt=), else -1 */
    int rtx_pt;             /* the rtx pt repairing this codec, else -1 */
} peerc_sdp_codec;

typedef struct peerc_sdp_codec_set {
    peerc_sdp_codec *items;
    size_t count;
    size_t cap;
} peerc_sdp_codec_set;

/* a=extmap:<id>[/<direction>] <uri> [<attributes>] */
typedef struct peerc_sdp_extmap {
    uint16_t id;                   /* 1..255 (1..14 one-byte, RFC 8285 §5) */
    int has_direction;             /* "/dir" was present */
    peerc_sdp_direction direction; /* sendrecv when absent */
    char *uri;
    char *attributes;              /* text after the uri, or NULL */
} peerc_sdp_extmap;

typedef struct peerc_sdp_extmaps {
    peerc_sdp_extmap *items;
    size_t count;
    size_t cap;
} peerc_sdp_extmaps;

typedef struct peerc_sdp_media_codecs {
    peerc_sdp_codec_set codecs;     /* m-line order */
    peerc_sdp_extmaps extmaps;      /* attribute order */
    peerc_sdp_direction direction;  /* media level, else session level, else sendrecv */
    peerc_sdp_strv msid;            /* a=msid values, verbatim */
    peerc_sdp_strv ssrc;            /* a=ssrc values ("123 cname:x") */
    peerc_sdp_strv ssrc_group;      /* a=ssrc-group values ("FID 1 2") */
} peerc_sdp_media_codecs;

/* What we can receive/send for one codec. */
typedef struct peerc_sdp_codec_pref {
    const char *name;               /* matched case-insensitively */
    uint32_t clock_rate;
    uint32_t channels;              /* 0 means 1 */
    int h264_packetization_mode;    /* H264 only: 0 or 1 (fmtp default is 0) */
    const char *const *rtcp_fb;     /* supported rtcp-fb values ("nack pli") */
    size_t n_rtcp_fb;
} peerc_sdp_codec_pref;

/* "sendrecv" -> PEERC_SDP_DIR_SENDRECV, ...; -1 when not a direction. */
int peerc__sdp_direction_from_string(const char *s);
const char *peerc__sdp_direction_to_string(peerc_sdp_direction d);
/* What the answerer says back: sendonly <-> recvonly, others unchanged. */
peerc_sdp_direction peerc__sdp_direction_reverse(peerc_sdp_direction d);

/*
 * Parse the codecs, extmaps, direction and msid/ssrc lines of m.  sdp (may be
 * NULL) supplies a session-level direction attribute.  PEERC_E_SYNTAX for a
 * format that is not a payload type 0..127 or a malformed a=rtpmap, a=fmtp,
 * a=rtcp-fb or a=extmap ("m-line 1: bad a=rtpmap \"...\"" style messages);
 * attributes naming a pt absent from the m-line are ignored.  Release out
 * with peerc__sdp_media_codecs_clear() (also after errors).
 */
int peerc__sdp_media_codecs_parse(const peerc_sdp *sdp, const peerc_sdp_media *m,
                                  peerc_sdp_media_codecs *out, char *err, size_t errlen);
void peerc__sdp_media_codecs_clear(peerc_sdp_media_codecs *mc);

void peerc__sdp_codec_set_clear(peerc_sdp_codec_set *set);
/* Index of pt in set, or -1. */
int peerc__sdp_codec_set_find(const peerc_sdp_codec_set *set, int pt);
void peerc__sdp_extmaps_clear(peerc_sdp_extmaps *x);

/* Value of parameter key (case-insensitive) in a "k=v;k2=v2" fmtp string,
 * copied into buf; 1 when found, 0 otherwise (or when it does not fit). */
int peerc__sdp_fmtp_param(const char *fmtp, const char *key, char *buf, size_t buflen);

/*
 * The answer's codecs for the offered section: the offered codecs that match
 * a local preference (name case-insensitive, clock rate, channels; H264 also
 * packetization-mode), in the offerer's order with the offerer's payload
 * types and fmtp, each keeping only the offered rtcp-fb values that its
 * preference lists.  In a video section, each rtx pt whose apt= is a kept
 * codec is kept too (at its offered position, rtx_apt/rtx_pt linked, no
 * rtcp-fb).  Nothing in common is not an error: out is empty and the caller
 * rejects the m-line (port 0).  out is cleared first; release it with
 * peerc__sdp_codec_set_clear().  Errors: PEERC_E_INVALID_ARGUMENT,
 * PEERC_E_SYNTAX (as for peerc__sdp_media_codecs_parse), PEERC_E_NO_MEMORY.
 */
int peerc__sdp_codecs_intersect(const peerc_sdp_media *offer, const peerc_sdp_codec_pref *local,
                                size_t n_local, peerc_sdp_codec_set *out, char *err,
                                size_t errlen);

/* The header extensions we implement: sdes:mid, abs-send-time,
 * transport-wide-cc-extensions-01, ssrc-audio-level. */
extern const char *const peerc__sdp_supported_extmaps[];
extern const size_t peerc__sdp_n_supported_extmaps;

/*
 * Offered extensions whose uri is in supported (NULL: the list above), with
 * the offerer's ids, in offer order, direction reversed for the answer,
 * attributes dropped.  out is cleared first.  PEERC_OK or PEERC_E_NO_MEMORY.
 */
int peerc__sdp_extmaps_intersect(const peerc_sdp_extmaps *offer, const char *const *supported,
                                 size_t n_supported, peerc_sdp_extmaps *out);

/*
 * RFC 8843 §9.1 / RFC 8285 §6: within each BUNDLE group, one extmap id must
 * name one uri in every non-rejected section.  PEERC_E_OPERATION with
 * "BUNDLE group: a=extmap id 2 is <uri1> in mid 0 but <uri2> in mid 1";
 * PEERC_E_SYNTAX for a malformed a=extmap in a bundled section.
 */
int peerc__sdp_bundle_extmap_check(const peerc_sdp *sdp, char *err, size_t errlen);

#endif

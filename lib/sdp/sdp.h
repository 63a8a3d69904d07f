/*
 * Internal SDP layer: parse (RFC 8866), serialize, candidates (RFC 8839),
 * fingerprints (RFC 8122), and JSEP (RFC 8829) offer/answer building.
 *
 * Every line is kept: attributes stay in their original order, unknown ones
 * included, so serialize(parse(x)) only canonicalises line order and line
 * endings.  All strings are malloc'd and owned by the structure holding them.
 */
#ifndef PEERC_SDP_SDP_H
#define PEERC_SDP_SDP_H

#include <stddef.h>
#include <stdint.h>

/* Hostile-input caps: larger descriptions fail with PEERC_E_SYNTAX. */
#define PEERC_SDP_MAX_SIZE (1024 * 1024)
#define PEERC_SDP_MAX_MEDIA 1024

/* ------------------------------------------------------------------ model */

/* One a= line; value is NULL for flag attributes (a=rtcp-mux).  The value is
 * everything after the first ':', verbatim (a=msid-semantic: WMS -> " WMS"). */
typedef struct peerc_sdp_attr {
    char *name;
    char *value;
} peerc_sdp_attr;

typedef struct peerc_sdp_attrs {
    peerc_sdp_attr *items;
    size_t count;
    size_t cap;
} peerc_sdp_attrs;

/* A list of malloc'd strings (formats, b= lines, e= lines, group mids). */
typedef struct peerc_sdp_strv {
    char **items;
    size_t count;
    size_t cap;
} peerc_sdp_strv;

typedef struct peerc_sdp_media {
    char *type;           /* "audio", "video", "application", ... */
    uint16_t port;        /* 0: rejected, or bundle-only with a=bundle-only */
    uint32_t port_count;  /* the "/2" in "49170/2"; 0 when absent */
    char *proto;          /* "UDP/TLS/RTP/SAVPF", "UDP/DTLS/SCTP", "DTLS/SCTP", ... */
    peerc_sdp_strv fmts;  /* "111", "webrtc-datachannel", "5000", ... */
    char *info;           /* i=, or NULL */
    char *connection;     /* c= value ("IN IP4 0.0.0.0"), or NULL */
    peerc_sdp_strv bandwidths; /* b= values ("AS:30") */
    char *key;            /* k= (obsolete, kept for round trips), or NULL */
    peerc_sdp_attrs attrs;
} peerc_sdp_media;

typedef struct peerc_sdp_origin {
    char *username;       /* "-" */
    char *sess_id;        /* digits; kept as text since some exceed 2^63 */
    uint64_t sess_version;
    char *nettype;        /* "IN" */
    char *addrtype;       /* "IP4" / "IP6" */
    char *address;
} peerc_sdp_origin;

/* t= and the r= lines that follow it. */
typedef struct peerc_sdp_time {
    char *value;          /* "0 0" */
    peerc_sdp_strv repeats;
} peerc_sdp_time;

typedef struct peerc_sdp {
    int version;          /* v=, always 0 */
    peerc_sdp_origin origin;
    char *name;           /* s= */
    char *info;           /* i=, or NULL */
    char *uri;            /* u=, or NULL */
    peerc_sdp_strv emails;
    peerc_sdp_strv phones;
    char *connection;     /* session c=, or NULL */
    peerc_sdp_strv bandwidths;
    peerc_sdp_time *times;
    size_t n_times;
    char *zone;           /* z=, or NULL */
    char *key;            /* k=, or NULL */
    peerc_sdp_attrs attrs;
    peerc_sdp_media **media; /* pointers stay valid while media are added */
    size_t n_media;
    size_t media_cap;
} peerc_sdp;

/* An empty description: v=0, o=- 0 0 IN IP4 127.0.0.1, s=-, t=0 0.  NULL on OOM. */
peerc_sdp *peerc__sdp_new(void);
void peerc__sdp_free(peerc_sdp *sdp); /* NULL-safe */
/* Deep copy (serialize + parse).  NULL on OOM. */
peerc_sdp *peerc__sdp_dup(const peerc_sdp *sdp);

/*
 * Parse text (\r\n or \n line endings).  Malformed input gives PEERC_E_SYNTAX
 * with a detail such as "SDP line 14: bad a=fingerprint (...)"; line numbers
 * are 1-based.  Input over PEERC_SDP_MAX_SIZE bytes or with more than
 * PEERC_SDP_MAX_MEDIA m= lines is refused (PEERC_E_SYNTAX).  *out is NULL on
 * failure.  Unknown attributes are kept; unknown line types are refused as
 * RFC 8866 §5 allows.
 */
int peerc__sdp_parse(const char *text, peerc_sdp **out, char *err, size_t errlen);
/* Same, for a buffer that may contain NUL bytes (which are refused). */
int peerc__sdp_parse_len(const char *text, size_t len, peerc_sdp **out, char *err,
                         size_t errlen);

/* Canonical SDP text with \r\n endings: v o s i u e p c b (t r)* z k a*, then
 * per m-section m i c b* k a*.  malloc'd (release with free()/peerc_free());
 * NULL on OOM. */
char *peerc__sdp_serialize(const peerc_sdp *sdp);

/* ------------------------------------------------------------ accessors */

/* First value of attribute name (NULL if absent or a flag). */
const char *peerc__sdp_attrs_get(const peerc_sdp_attrs *a, const char *name);
int peerc__sdp_attrs_has(const peerc_sdp_attrs *a, const char *name);
/* Iterate all attributes called name: start with *pos = 0; NULL at the end.
 *   for (size_t i = 0; (at = peerc__sdp_attrs_next(&m->attrs, "candidate", &i));) */
const peerc_sdp_attr *peerc__sdp_attrs_next(const peerc_sdp_attrs *a, const char *name,
                                            size_t *pos);

const char *peerc__sdp_media_attr(const peerc_sdp_media *m, const char *name);
int peerc__sdp_media_has_attr(const peerc_sdp_media *m, const char *name);
const peerc_sdp_attr *peerc__sdp_media_attr_next(const peerc_sdp_media *m, const char *name,
                                                 size_t *pos);
const char *peerc__sdp_session_attr(const peerc_sdp *sdp, const char *name);
int peerc__sdp_session_has_attr(const peerc_sdp *sdp, const char *name);

/* Media value, else the session-level one (RFC 8839 §5.4 and RFC 8122 §5
 * allow ICE credentials and fingerprints at session level; Firefox sends
 * a=fingerprint and a=ice-options there). */
const char *peerc__sdp_media_or_session_attr(const peerc_sdp *sdp, const peerc_sdp_media *m,
                                             const char *name);
const char *peerc__sdp_media_ice_ufrag(const peerc_sdp *sdp, const peerc_sdp_media *m);
const char *peerc__sdp_media_ice_pwd(const peerc_sdp *sdp, const peerc_sdp_media *m);
const char *peerc__sdp_media_ice_options(const peerc_sdp *sdp, const peerc_sdp_media *m);
const char *peerc__sdp_media_fingerprint(const peerc_sdp *sdp, const peerc_sdp_media *m);
const char *peerc__sdp_media_setup(const peerc_sdp *sdp, const peerc_sdp_media *m);
/* True when the space-separated ice-options contain option ("trickle"). */
int peerc__sdp_media_has_ice_option(const peerc_sdp *sdp, const peerc_sdp_media *m,
                                    const char *option);

const char *peerc__sdp_media_mid(const peerc_sdp_media *m); /* NULL if none */
/* Index of the m-section with this mid, or -1. */
int peerc__sdp_find_mid(const peerc_sdp *sdp, const char *mid);
/* Port 0 without a=bundle-only (RFC 8843 §6: bundle-only is not rejected). */
int peerc__sdp_media_is_rejected(const peerc_sdp_media *m);
/* SCTP data section (RFC 8841 or the legacy DTLS/SCTP <port> + a=sctpmap). */
int peerc__sdp_media_is_sctp(const peerc_sdp_media *m);
int peerc__sdp_media_is_legacy_sctp(const peerc_sdp_media *m);

/*
 * Where a transport attribute (ice-ufrag, fingerprint, candidate, ...) of
 * section index comes from: the section itself, else its BUNDLE tag section
 * (a bundle-only section may omit them, RFC 8843 §7.2), else session level.
 * NULL when nowhere.
 */
const peerc_sdp_attrs *peerc__sdp_transport_attrs(const peerc_sdp *sdp, size_t index,
                                                  const char *name);
const char *peerc__sdp_transport_attr(const peerc_sdp *sdp, size_t index, const char *name);

/* Mids of the first a=group:BUNDLE (copied into out, which the caller frees
 * with peerc__sdp_strv_clear).  No group: out is empty, returns PEERC_OK. */
int peerc__sdp_bundle_mids(const peerc_sdp *sdp, peerc_sdp_strv *out);
/* True when mid is listed in the first BUNDLE group. */
int peerc__sdp_in_bundle(const peerc_sdp *sdp, const char *mid);

/* ------------------------------------------------------------- mutation */
/* All return PEERC_OK or PEERC_E_NO_MEMORY unless noted. */

int peerc__sdp_strv_add(peerc_sdp_strv *v, const char *s);
void peerc__sdp_strv_clear(peerc_sdp_strv *v);
int peerc__sdp_attrs_add(peerc_sdp_attrs *a, const char *name, const char *value);
/* Removes every attribute called name; returns how many went. */
size_t peerc__sdp_attrs_remove(peerc_sdp_attrs *a, const char *name);
void peerc__sdp_attrs_clear(peerc_sdp_attrs *a);

/* Appends a section; fmts is space-separated ("111 0 8").  NULL on OOM. */
peerc_sdp_media *peerc__sdp_add_media(peerc_sdp *sdp, const char *type, uint16_t port,
                                      const char *proto, const char *fmts);
int peerc__sdp_media_add_attr(peerc_sdp_media *m, const char *name, const char *value);
int peerc__sdp_media_add_attrf(peerc_sdp_media *m, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
size_t peerc__sdp_media_remove_attr(peerc_sdp_media *m, const char *name);
/* Replaces every attribute called name by one (appended if absent). */
int peerc__sdp_media_set_attr(peerc_sdp_media *m, const char *name, const char *value);
void peerc__sdp_media_set_port(peerc_sdp_media *m, uint16_t port);
int peerc__sdp_media_set_connection(peerc_sdp_media *m, const char *connection);
int peerc__sdp_add_attr(peerc_sdp *sdp, const char *name, const char *value);
size_t peerc__sdp_remove_attr(peerc_sdp *sdp, const char *name);
int peerc__sdp_set_origin(peerc_sdp *sdp, const char *sess_id, uint64_t sess_version);

/* ----------------------------------------------------------- candidates */

#define PEERC_SDP_CANDIDATE_MAX_EXT 8

typedef struct peerc_sdp_candidate_ext {
    char name[32];
    char value[257]; /* room for a 256-char ufrag (RFC 8839 §5.4) */
} peerc_sdp_candidate_ext;

typedef struct peerc_sdp_candidate {
    char foundation[33];  /* 1*32 ice-char */
    uint32_t component;   /* 1..256 */
    char transport[8];    /* "udp" / "tcp", lowercased */
    uint32_t priority;
    char address[256];    /* IPv4, IPv6, or a name ("<uuid>.local") */
    uint16_t port;
    char type[8];         /* host / srflx / prflx / relay */
    char raddr[64];       /* "" when absent */
    uint16_t rport;
    int has_rport;
    char tcptype[8];      /* active / passive / so (RFC 6544), or "" */
    int is_mdns;          /* address is an mDNS name ending in ".local" */
    /* Other extensions in order (generation, ufrag, network-id, network-cost...) */
    peerc_sdp_candidate_ext ext[PEERC_SDP_CANDIDATE_MAX_EXT];
    size_t n_ext;
} peerc_sdp_candidate;

/*
 * Parse "a=candidate:...", "candidate:..." or the bare attribute value
 * (RFC 8839 §5.1, tcptype from RFC 6544).  PEERC_E_SYNTAX when malformed;
 * PEERC_E_NOT_SUPPORTED for a well-formed candidate with a transport or type
 * we cannot use (RFC 8839 §5.1 says to ignore those, not fail).
 */
int peerc__sdp_candidate_parse(const char *line, peerc_sdp_candidate *out, char *err,
                               size_t errlen);
/* "candidate:..." without "a=" or line ending; malloc'd, NULL on OOM. */
char *peerc__sdp_candidate_to_string(const peerc_sdp_candidate *c);
/* Value of extension name ("generation"), or NULL. */
const char *peerc__sdp_candidate_ext(const peerc_sdp_candidate *c, const char *name);

/* --------------------------------------------------------- fingerprints */

typedef struct peerc_sdp_fingerprint {
    char algorithm[16];   /* lowercased: "sha-256" */
    uint8_t bytes[64];
    size_t len;
} peerc_sdp_fingerprint;

/* Digest length of a hash name (case-insensitive), 0 if unknown/unsupported. */
size_t peerc__sdp_fingerprint_hash_len(const char *algorithm);
/*
 * Parse an a=fingerprint value "sha-256 AB:CD:..." (RFC 8122 §5).
 * PEERC_E_SYNTAX when malformed or the length does not match the hash;
 * PEERC_E_NOT_SUPPORTED for a well-formed fingerprint with another hash
 * (md5, md2, ...).  out may be NULL to validate only.
 */
int peerc__sdp_fingerprint_parse(const char *value, peerc_sdp_fingerprint *out, char *err,
                                 size_t errlen);
/* "AB:CD:..." upper-case; buf needs 3 * len bytes.  Returns PEERC_OK or
 * PEERC_E_INVALID_ARGUMENT when buf is too small. */
int peerc__sdp_fingerprint_hex(const peerc_sdp_fingerprint *fp, char *buf, size_t buflen);

/* ------------------------------------------------------- offer / answer */

typedef struct peerc_sdp_local_params {
    const char *ice_ufrag;
    const char *ice_pwd;
    const char *fingerprint_alg;    /* "sha-256" */
    const char *fingerprint;        /* "AB:CD:..." */
    uint64_t session_id;
    uint64_t session_version;
    uint16_t sctp_port;             /* 5000 */
    uint64_t max_message_size;      /* 262144; 0 advertises "no limit" (RFC 8841 §6) */
    int ice_options_trickle;        /* emit a=ice-options:trickle */
    const char *const *candidates;  /* "candidate:..." strings, may be NULL */
    size_t n_candidates;
    int end_of_candidates;          /* gathering complete: a=end-of-candidates */
    /* Default candidate for c= and the m= port (JSEP §5.2.1).  NULL: "IN IP4
     * 0.0.0.0" and port 9, as browsers do while trickling. */
    const char *default_address;    /* an IP literal; ':' means IP6 */
    uint16_t default_port;
} peerc_sdp_local_params;

/* Zero everything, then sctp_port 5000, max_message_size 262144, trickle on. */
void peerc__sdp_local_params_init(peerc_sdp_local_params *p);

/*
 * JSEP §5.2 offer.  previous_local (may be NULL) is the current local
 * description: its m-sections, mids and order are kept (JSEP §5.2.2), only
 * credentials, candidates and the version change, and a data section is
 * appended when want_data is set and none exists.  PEERC_E_INVALID_ARGUMENT
 * for missing or malformed params.
 */
int peerc__sdp_build_offer(const peerc_sdp_local_params *p, const peerc_sdp *previous_local,
                           int want_data, peerc_sdp **out, char *err, size_t errlen);

/*
 * JSEP §5.3 data-only answer: one m-section per offered one, same order and mids.  The
 * first usable SCTP application section is accepted in the offer's own format
 * (UDP/DTLS/SCTP, TCP/DTLS/SCTP, or legacy DTLS/SCTP + a=sctpmap); every other
 * section is rejected (port 0).  setup is the preferred DTLS role, "active" or
 * "passive"; an offer that is itself active or passive decides instead
 * (RFC 5763 §5).  When nothing is acceptable the answer is still produced
 * with all sections rejected: check peerc__sdp_count_accepted().  Errors:
 * PEERC_E_INVALID_ARGUMENT (params), PEERC_E_OPERATION when an accepted
 * section lacks ICE credentials or a usable fingerprint.
 */
int peerc__sdp_build_answer(const peerc_sdp *remote_offer, const peerc_sdp_local_params *p,
                            const char *setup, peerc_sdp **out, char *err, size_t errlen);

/* ------------------------------------------------- sections, any kind */

/* Defined in sdp/media.h (which includes this header). */
typedef struct peerc_sdp_media_desc peerc_sdp_media_desc;

typedef enum peerc_sdp_section_type {
    PEERC_SDP_SECTION_DATA = 0,
    PEERC_SDP_SECTION_MEDIA = 1,
    PEERC_SDP_SECTION_REJECTED = 2
} peerc_sdp_section_type;

/* How a DATA section names SCTP. */
typedef enum peerc_sdp_data_format {
    PEERC_SDP_DATA_FORMAT_AUTO = 0,    /* legacy sctpmap iff data_proto is "DTLS/SCTP" */
    PEERC_SDP_DATA_FORMAT_RFC8841 = 1, /* webrtc-datachannel + a=sctp-port */
    PEERC_SDP_DATA_FORMAT_SCTPMAP = 2  /* <port> + a=sctpmap (draft-ietf-mmusic-sctp-sdp-05) */
} peerc_sdp_data_format;

/* One m-section to write, in m-line order.  Everything is borrowed. */
typedef struct peerc_sdp_section {
    peerc_sdp_section_type type;
    /* DATA, MEDIA: required (MEDIA may give it in media->mid instead; both
     * set must agree).  REJECTED: NULL keeps rejected_from's mid, if any. */
    const char *mid;
    const peerc_sdp_media_desc *media;    /* MEDIA */
    /* DATA: NULL -> "UDP/DTLS/SCTP"; else as offered (UDP/DTLS/SCTP,
     * TCP/DTLS/SCTP, or "DTLS/SCTP", which gives the legacy sctpmap format). */
    const char *data_proto;
    /* REJECTED: copy type, proto and formats of this section (a remote
     * offer's or our previous one). */
    const peerc_sdp_media *rejected_from;
    /* REJECTED without rejected_from: the type ("audio", "video"; proto
     * "UDP/TLS/RTP/SAVPF", format "0"), or "application" (UDP/DTLS/SCTP
     * webrtc-datachannel). */
    const char *rejected_kind;
    /* Added: DATA only; AUTO keeps the rule above.  Lets a re-offer or an
     * answer mirror a section whose proto and format disagree. */
    peerc_sdp_data_format data_format;
} peerc_sdp_section;

/*
 * Renders a complete description from sections.  setup: "actpass" for
 * offers, "active"/"passive" for answers (RFC 8842 §5.2).  Every non-rejected
 * section gets c=, the default port, a=ice-ufrag/pwd/options, a=fingerprint,
 * a=setup and the candidates of p (JSEP §5.2.1); MEDIA sections also get
 * what peerc__sdp_media_desc_render writes; rejected ones get port 0, c= and
 * a=mid only (RFC 8829 §5.2.2, RFC 3264 §6).  o= carries p->session_id and
 * p->session_version: the caller keeps the id fixed (RFC 3264 §8).
 * BUNDLE group: all non-rejected mids; when bundle_order_from (our previous
 * local description, may be NULL) has a BUNDLE group, its surviving mids
 * come first in that order (JSEP §5.2.2, keeps the tag), then the rest in
 * m-line order.
 * PEERC_E_INVALID_ARGUMENT with a message for bad params or sections: NULL
 * or non-token mid, unknown kind, a MEDIA section failing
 * peerc__sdp_media_desc_check (empty codec set, ...), duplicate mids, bad
 * setup.  *out is NULL on failure.
 */
int peerc__sdp_build_sections(const peerc_sdp_local_params *p, const peerc_sdp_section *sections,
                              size_t n, const char *setup, const peerc_sdp *bundle_order_from,
                              peerc_sdp **out, char *err, size_t errlen);

/*
 * The same for an answer to remote_offer: sections mirror the offer's
 * m-lines one for one (RFC 3264 §6: same count and order; each mid equal to
 * the offered one, NULL where the offer has none), and the BUNDLE group is
 * RFC 8843 §7.3's: the accepted mids of the offered group in the offer's
 * order (the first is the answerer-tagged section), no group when none was
 * offered.  setup should follow the offer (RFC 5763 §5: an active offerer
 * makes us passive).  PEERC_E_INVALID_ARGUMENT when sections do not mirror
 * the offer, and as above.
 */
int peerc__sdp_build_answer_sections(const peerc_sdp_local_params *p,
                                     const peerc_sdp *remote_offer,
                                     const peerc_sdp_section *sections, size_t n,
                                     const char *setup, peerc_sdp **out, char *err,
                                     size_t errlen);

/* Number of m-sections that are not rejected (0: nothing was accepted). */
size_t peerc__sdp_count_accepted(const peerc_sdp *sdp);

/* True when build_answer would accept section index of this offer; also the
 * rule peerc__sdp_remote_transport uses to find the transport section. */
int peerc__sdp_answer_accepts(const peerc_sdp *offer, size_t index);
/* With accept_media, also an audio/video section our media answer would take
 * (peerc__sdp_media_accepts in sdp/media.h). */
int peerc__sdp_answer_accepts_ex(const peerc_sdp *offer, size_t index, int accept_media);

/* ------------------------------------------------ remote transport info */

typedef enum peerc_sdp_setup {
    PEERC_SDP_SETUP_NONE = 0, /* absent */
    PEERC_SDP_SETUP_ACTPASS = 1,
    PEERC_SDP_SETUP_ACTIVE = 2,
    PEERC_SDP_SETUP_PASSIVE = 3,
    PEERC_SDP_SETUP_HOLDCONN = 4
} peerc_sdp_setup;

typedef struct peerc_sdp_transport_info {
    int transport_index;        /* m-section carrying the transport, -1: none usable */
    char transport_mid[256];    /* "" when the section has no mid */
    char ice_ufrag[257];
    char ice_pwd[257];
    int ice_lite;
    int ice_trickle;
    peerc_sdp_fingerprint fingerprint; /* strongest supported one (RFC 8122 §5) */
    peerc_sdp_setup setup;
    peerc_sdp_candidate *candidates; /* malloc'd; unusable ones are skipped */
    size_t n_candidates;
    int end_of_candidates;

    int data_index;             /* live SCTP section, else the first one; -1: none */
    char data_mid[256];
    int data_rejected;
    int data_legacy;            /* DTLS/SCTP + a=sctpmap (pre-RFC 8841) */
    uint16_t sctp_port;         /* a=sctp-port / sctpmap; 5000 when absent */
    uint64_t max_message_size;  /* absent: 65536; 0: unlimited (RFC 8841 §6.1) */
} peerc_sdp_transport_info;

/*
 * What the pc needs from a remote description.  The transport section is the
 * first section, in BUNDLE-group order and then m-line order, that is not
 * rejected and that our answer accepts (peerc__sdp_answer_accepts): the
 * answerer's tag in a remote answer, the section we tag in our answer to a
 * remote offer.  No such section: PEERC_OK with transport_index -1.
 * PEERC_E_OPERATION when that section (with session-level and BUNDLE-tag
 * fallback) lacks ice-ufrag, ice-pwd or a fingerprint with a supported hash;
 * PEERC_E_SYNTAX when ufrag/pwd break RFC 8839 §5.4.  Messages name the
 * section: "m-line 0 (mid 0) has no a=fingerprint".
 * Release with peerc__sdp_transport_info_clear() (also after errors).
 */
int peerc__sdp_remote_transport(const peerc_sdp *sdp, peerc_sdp_transport_info *out,
                                char *err, size_t errlen);
/* The same, choosing the transport section with
 * peerc__sdp_answer_accepts_ex(sdp, i, accept_media): with accept_media 1 the
 * first non-rejected section in BUNDLE order, then m-line order, that is the
 * live SCTP section or an RTP audio/video section with a=rtcp-mux we can
 * answer.  accept_media 0 is peerc__sdp_remote_transport. */
int peerc__sdp_remote_transport_ex(const peerc_sdp *sdp, int accept_media,
                                   peerc_sdp_transport_info *out, char *err, size_t errlen);
/* The transport part of the above (not the data_* fields) for one section;
 * what prefixes messages ("offer " gives "offer m-line 0 (mid 0) ..."). */
int peerc__sdp_section_transport(const peerc_sdp *sdp, size_t index, const char *what,
                                 peerc_sdp_transport_info *out, char *err, size_t errlen);
void peerc__sdp_transport_info_clear(peerc_sdp_transport_info *info);

/* "actpass" -> PEERC_SDP_SETUP_ACTPASS; -1 when not a setup value (RFC 4145 §4). */
int peerc__sdp_setup_from_string(const char *s);
const char *peerc__sdp_setup_to_string(peerc_sdp_setup s);

#endif

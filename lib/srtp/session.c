/* libsrtp2 sessions keyed from DTLS-SRTP; see session.h for the contract. */
#include "srtp/session.h"

#include <peerc/common.h>

#include "core/error.h"
#include "srtp/global.h"

#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#if PEERC_SRTP_MAX_TRAILER != SRTP_MAX_TRAILER_LEN
#error "PEERC_SRTP_MAX_TRAILER must equal libsrtp's SRTP_MAX_TRAILER_LEN"
#endif

#define RTP_HEADER 12
#define RTCP_HEADER 8
#define SRTCP_INDEX 4 /* E flag + 31-bit index, RFC 3711 §3.4 */

struct peerc_srtp {
    srtp_t out, in;
    uint16_t profile;
    size_t tag_len;
    peerc_srtp_stats stats;
};

size_t peerc__srtp_rtp_overhead(uint16_t profile)
{
    switch (profile) {
    case PEERC_DTLS_SRTP_AES128_CM_SHA1_80:
        return 10; /* HMAC-SHA1 truncated to 80 bits, RFC 3711 §5.2 */
    case PEERC_DTLS_SRTP_AEAD_AES_128_GCM:
        return 16; /* GCM tag, RFC 7714 §13 */
    default:
        return 0;
    }
}

size_t peerc__srtp_rtcp_overhead(uint16_t profile)
{
    size_t tag = peerc__srtp_rtp_overhead(profile);
    return tag ? tag + SRTCP_INDEX : 0;
}

/* Key/salt sizes per RFC 5764 §4.1.2 (AES_CM: 128-bit key, 112-bit salt) and
 * RFC 7714 §12 (GCM: 128-bit key, 96-bit salt). */
static int set_crypto_policy(uint16_t profile, srtp_policy_t *p, size_t *key_len, size_t *salt_len)
{
    switch (profile) {
    case PEERC_DTLS_SRTP_AES128_CM_SHA1_80:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
        *key_len = 16;
        *salt_len = 14;
        return 0;
    case PEERC_DTLS_SRTP_AEAD_AES_128_GCM:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtcp);
        *key_len = 16;
        *salt_len = 12;
        return 0;
    default:
        return -1;
    }
}

static int create_one(srtp_t *session, uint16_t profile, srtp_ssrc_type_t type,
                      const uint8_t *key_salt, char *err, size_t errlen)
{
    srtp_policy_t p;
    size_t key_len = 0, salt_len = 0;
    /* libsrtp reads key||salt from one buffer and derives session keys at
     * create time; this copy is wiped right after. */
    uint8_t key[PEERC_DTLS_SRTP_MAX_KEY_SALT];

    memset(&p, 0, sizeof p);
    set_crypto_policy(profile, &p, &key_len, &salt_len);
    memcpy(key, key_salt, key_len + salt_len);
    p.ssrc.type = type;
    p.key = key;
    p.window_size = PEERC_SRTP_REPLAY_WINDOW;
    /* NACK answered on the media SSRC (no RTX negotiated) resends the very
     * same packet; without this libsrtp refuses the repeated index.  Safe
     * because the payload is identical (libsrtp's warning). */
    p.allow_repeat_tx = type == ssrc_any_outbound;
    p.next = NULL;

    srtp_err_status_t st = srtp_create(session, &p);
    explicit_bzero(key, sizeof key);
    if (st != srtp_err_status_ok) {
        *session = NULL;
        return peerc__errorf(
            err, errlen, st == srtp_err_status_alloc_fail ? PEERC_E_NO_MEMORY : PEERC_E_INTERNAL,
            "srtp_create (%s) failed (%d)", type == ssrc_any_outbound ? "outbound" : "inbound",
            (int)st);
    }
    return PEERC_OK;
}

int peerc__srtp_new(const peerc_dtls_srtp_keys *keys, peerc_srtp **out, char *err, size_t errlen)
{
    srtp_policy_t probe;
    size_t key_len = 0, salt_len = 0;
    int rc;

    if (out)
        *out = NULL;
    if (!keys || !out)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "NULL argument");
    if (set_crypto_policy(keys->profile, &probe, &key_len, &salt_len) != 0)
        return peerc__errorf(err, errlen, PEERC_E_NOT_SUPPORTED,
                             "SRTP protection profile 0x%04x not supported", keys->profile);
    if (keys->key_len != key_len || keys->salt_len != salt_len || keys->len != key_len + salt_len)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "key/salt lengths %zu/%zu/%zu do not match profile 0x%04x",
                             keys->key_len, keys->salt_len, keys->len, keys->profile);

    peerc_srtp *s = calloc(1, sizeof *s);
    if (!s)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    s->profile = keys->profile;
    s->tag_len = peerc__srtp_rtp_overhead(keys->profile);

    rc = peerc__srtp_global_acquire(err, errlen);
    if (rc != PEERC_OK) {
        free(s);
        return rc;
    }
    rc = create_one(&s->out, s->profile, ssrc_any_outbound, keys->local, err, errlen);
    if (rc == PEERC_OK)
        rc = create_one(&s->in, s->profile, ssrc_any_inbound, keys->remote, err, errlen);
    if (rc != PEERC_OK) {
        peerc__srtp_free(s);
        return rc;
    }
    *out = s;
    return PEERC_OK;
}

void peerc__srtp_free(peerc_srtp *s)
{
    if (!s)
        return;
    if (s->out)
        srtp_dealloc(s->out);
    if (s->in)
        srtp_dealloc(s->in);
    free(s);
    peerc__srtp_global_release();
}

/* RFC 3550 §5.1: fixed header, CSRCs, optional extension (RFC 8285). */
static int rtp_header_len(const uint8_t *p, size_t len, size_t *hdr)
{
    if (len < RTP_HEADER || (p[0] >> 6) != 2)
        return -1;
    size_t h = RTP_HEADER + 4u * (p[0] & 0x0f);
    if (p[0] & 0x10) {
        if (len < h + 4)
            return -1;
        h += 4 + 4u * (((size_t)p[h + 2] << 8) | p[h + 3]);
    }
    if (h > len)
        return -1;
    *hdr = h;
    return 0;
}

static int rtcp_header_ok(const uint8_t *p, size_t len)
{
    return len >= RTCP_HEADER && (p[0] >> 6) == 2;
}

static int map_status(peerc_srtp *s, srtp_err_status_t st)
{
    switch (st) {
    case srtp_err_status_ok:
        return PEERC_OK;
    case srtp_err_status_auth_fail:
    /* SRTCP with the E bit clear although the profile encrypts: libsrtp
     * cannot check it, and a genuine peer never sends it. */
    case srtp_err_status_cant_check:
        s->stats.auth_failures++;
        return PEERC_E_SECURITY;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
        s->stats.replays++;
        return PEERC__SRTP_E_REPLAY;
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err:
        /* libsrtp's own header checks: our pre-checks should catch these. */
        s->stats.bad_packets++;
        return PEERC_E_INVALID_ARGUMENT;
    default:
        s->stats.other_failures++;
        return PEERC_E_INTERNAL;
    }
}

static int bad(peerc_srtp *s, int code)
{
    s->stats.bad_packets++;
    return code;
}

/* Checks shared by every direction: pointers, alignment, upper bound. */
static int check_common(peerc_srtp *s, const uint8_t *buf, const size_t *len)
{
    if (!s)
        return PEERC_E_INVALID_ARGUMENT;
    if (!buf || !len || ((uintptr_t)buf & 3) != 0)
        return bad(s, PEERC_E_INVALID_ARGUMENT);
    if (*len > PEERC_SRTP_MAX_PACKET)
        return bad(s, PEERC_E_RANGE);
    return PEERC_OK;
}

static int check_protect(peerc_srtp *s, const uint8_t *buf, const size_t *len, size_t cap)
{
    int rc = check_common(s, buf, len);
    if (rc != PEERC_OK)
        return rc;
    if (cap < *len || cap - *len < PEERC_SRTP_MAX_TRAILER)
        return bad(s, PEERC_E_RANGE);
    return PEERC_OK;
}

int peerc__srtp_protect_rtp(peerc_srtp *s, uint8_t *buf, size_t *len, size_t cap)
{
    size_t hdr;
    int rc = check_protect(s, buf, len, cap);
    if (rc != PEERC_OK)
        return rc;
    if (rtp_header_len(buf, *len, &hdr) != 0)
        return bad(s, PEERC_E_INVALID_ARGUMENT);
    size_t plain = *len;
    int n = (int)*len; /* <= PEERC_SRTP_MAX_PACKET, fits */
    rc = map_status(s, srtp_protect(s->out, buf, &n));
    if (rc != PEERC_OK)
        return rc;
    *len = (size_t)n;
    s->stats.rtp_protected++;
    s->stats.rtp_protected_bytes += plain;
    return PEERC_OK;
}

int peerc__srtp_protect_rtcp(peerc_srtp *s, uint8_t *buf, size_t *len, size_t cap)
{
    int rc = check_protect(s, buf, len, cap);
    if (rc != PEERC_OK)
        return rc;
    if (!rtcp_header_ok(buf, *len))
        return bad(s, PEERC_E_INVALID_ARGUMENT);
    size_t plain = *len;
    int n = (int)*len;
    rc = map_status(s, srtp_protect_rtcp(s->out, buf, &n));
    if (rc != PEERC_OK)
        return rc;
    *len = (size_t)n;
    s->stats.rtcp_protected++;
    s->stats.rtcp_protected_bytes += plain;
    return PEERC_OK;
}

int peerc__srtp_unprotect_rtp(peerc_srtp *s, uint8_t *buf, size_t *len)
{
    size_t hdr;
    int rc = check_common(s, buf, len);
    if (rc != PEERC_OK)
        return rc;
    if (rtp_header_len(buf, *len, &hdr) != 0 || *len - hdr < s->tag_len)
        return bad(s, PEERC_E_INVALID_ARGUMENT);
    int n = (int)*len;
    rc = map_status(s, srtp_unprotect(s->in, buf, &n));
    if (rc != PEERC_OK)
        return rc;
    *len = (size_t)n;
    s->stats.rtp_unprotected++;
    s->stats.rtp_unprotected_bytes += (size_t)n;
    return PEERC_OK;
}

int peerc__srtp_unprotect_rtcp(peerc_srtp *s, uint8_t *buf, size_t *len)
{
    int rc = check_common(s, buf, len);
    if (rc != PEERC_OK)
        return rc;
    if (!rtcp_header_ok(buf, *len) || *len < RTCP_HEADER + SRTCP_INDEX + s->tag_len)
        return bad(s, PEERC_E_INVALID_ARGUMENT);
    int n = (int)*len;
    rc = map_status(s, srtp_unprotect_rtcp(s->in, buf, &n));
    if (rc != PEERC_OK)
        return rc;
    *len = (size_t)n;
    s->stats.rtcp_unprotected++;
    s->stats.rtcp_unprotected_bytes += (size_t)n;
    return PEERC_OK;
}

void peerc__srtp_get_stats(const peerc_srtp *s, peerc_srtp_stats *out)
{
    if (!out)
        return;
    if (s)
        *out = s->stats;
    else
        memset(out, 0, sizeof *out);
}

uint16_t peerc__srtp_profile(const peerc_srtp *s)
{
    return s ? s->profile : 0;
}

int peerc__srtp_get_roc(const peerc_srtp *s, int outbound, uint32_t ssrc, uint32_t *roc)
{
    if (!s || !roc)
        return PEERC_E_INVALID_ARGUMENT;
    /* srtp_get_stream_roc only reads, despite its non-const session. */
    srtp_t session = outbound ? s->out : s->in;
    if (srtp_get_stream_roc(session, ssrc, roc) != srtp_err_status_ok)
        return PEERC_E_NOT_FOUND;
    return PEERC_OK;
}

const char *peerc__srtp_strerror(int code)
{
    if (code == PEERC__SRTP_E_REPLAY)
        return "SRTP replay or packet older than the replay window";
    if (code == PEERC_E_SECURITY)
        return "SRTP authentication failed";
    return peerc_strerror(code);
}

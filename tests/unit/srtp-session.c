/*
 * lib/srtp: two sessions built from mirrored, hand-made DTLS-SRTP keys
 * (A's local key is B's remote key and vice versa) exchange SRTP and SRTCP
 * for both profiles; tampering, replays, the replay window, the rollover
 * counter, hostile lengths and the process-wide init are exercised.
 */
#include "srtp/session.h"

#include <peerc/common.h>

#include "../tap.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/random.h>
#include <time.h>

#define BUF_WORDS 512 /* 2048 bytes, 32-bit aligned */

typedef struct pkt {
    uint32_t w[BUF_WORDS];
    size_t len;
} pkt;

static uint8_t *bytes(pkt *p)
{
    return (uint8_t *)p->w;
}

static void fill_random(void *buf, size_t len)
{
    uint8_t *b = buf;
    while (len) {
        ssize_t n = getrandom(b, len, 0);
        if (n <= 0)
            abort();
        b += n;
        len -= (size_t)n;
    }
}

static void make_keys(uint16_t profile, peerc_dtls_srtp_keys *a, peerc_dtls_srtp_keys *b)
{
    memset(a, 0, sizeof *a);
    a->profile = profile;
    a->key_len = 16;
    a->salt_len = profile == PEERC_DTLS_SRTP_AEAD_AES_128_GCM ? 12 : 14;
    a->len = a->key_len + a->salt_len;
    fill_random(a->local, a->len);
    fill_random(a->remote, a->len);
    *b = *a;
    memcpy(b->local, a->remote, a->len);
    memcpy(b->remote, a->local, a->len);
}

/* RTP packet: fixed header + payload bytes derived from seq. */
static void make_rtp(pkt *p, uint32_t ssrc, uint16_t seq, size_t payload)
{
    uint8_t *b = bytes(p);
    memset(p->w, 0, sizeof p->w);
    b[0] = 0x80;
    b[1] = 96;
    b[2] = (uint8_t)(seq >> 8);
    b[3] = (uint8_t)seq;
    uint32_t ts = (uint32_t)seq * 3000u;
    b[4] = (uint8_t)(ts >> 24), b[5] = (uint8_t)(ts >> 16), b[6] = (uint8_t)(ts >> 8),
    b[7] = (uint8_t)ts;
    b[8] = (uint8_t)(ssrc >> 24), b[9] = (uint8_t)(ssrc >> 16), b[10] = (uint8_t)(ssrc >> 8),
    b[11] = (uint8_t)ssrc;
    for (size_t i = 0; i < payload; i++)
        b[12 + i] = (uint8_t)(i * 7 + seq);
    p->len = 12 + payload;
}

/* RTCP receiver report with one report block (RFC 3550 §6.4.2). */
static void make_rtcp(pkt *p, uint32_t ssrc)
{
    uint8_t *b = bytes(p);
    memset(p->w, 0, sizeof p->w);
    b[0] = 0x81;
    b[1] = 201;
    b[3] = 7; /* length in words minus one */
    b[4] = (uint8_t)(ssrc >> 24), b[5] = (uint8_t)(ssrc >> 16), b[6] = (uint8_t)(ssrc >> 8),
    b[7] = (uint8_t)ssrc;
    for (int i = 8; i < 32; i++)
        b[i] = (uint8_t)(i * 13);
    p->len = 32;
}

static int send_recv_rtp(peerc_srtp *tx, peerc_srtp *rx, uint32_t ssrc, uint16_t seq)
{
    pkt p, orig;
    make_rtp(&p, ssrc, seq, 200);
    orig = p;
    int rc = peerc__srtp_protect_rtp(tx, bytes(&p), &p.len, sizeof p.w);
    if (rc != PEERC_OK)
        return rc;
    rc = peerc__srtp_unprotect_rtp(rx, bytes(&p), &p.len);
    if (rc != PEERC_OK)
        return rc;
    return p.len == orig.len && memcmp(p.w, orig.w, orig.len) == 0 ? PEERC_OK : -999;
}

static void test_profile(uint16_t profile, const char *name)
{
    peerc_dtls_srtp_keys ka, kb;
    peerc_srtp *a = NULL, *b = NULL;
    char err[256] = "";
    pkt p, orig, saved;
    size_t tag = peerc__srtp_rtp_overhead(profile);

    diag("profile %s", name);
    make_keys(profile, &ka, &kb);
    is_int(peerc__srtp_new(&ka, &a, err, sizeof err), PEERC_OK, "%s: session A (%s)", name, err);
    is_int(peerc__srtp_new(&kb, &b, err, sizeof err), PEERC_OK, "%s: session B (%s)", name, err);
    if (!a || !b)
        goto out;
    is_int(peerc__srtp_profile(a), profile, "%s: profile kept", name);

    /* Round trip both ways. */
    make_rtp(&p, 0x11223344, 1000, 160);
    orig = p;
    is_int(peerc__srtp_protect_rtp(a, bytes(&p), &p.len, sizeof p.w), PEERC_OK, "%s: protect RTP",
           name);
    is_int(p.len, orig.len + tag, "%s: protect adds the %zu-byte tag", name, tag);
    ok(memcmp(bytes(&p) + 12, bytes(&orig) + 12, 160) != 0, "%s: payload is encrypted", name);
    ok(memcmp(p.w, orig.w, 12) == 0, "%s: header stays clear", name);
    saved = p;
    /* A forged byte anywhere fails authentication and does not poison the
     * replay window: the genuine packet still passes afterwards. */
    bytes(&p)[40] ^= 0x01;
    is_int(peerc__srtp_unprotect_rtp(b, bytes(&p), &p.len), PEERC_E_SECURITY,
           "%s: tampered payload rejected", name);
    p = saved;
    bytes(&p)[3] ^= 0x01; /* sequence number, authenticated header */
    is_int(peerc__srtp_unprotect_rtp(b, bytes(&p), &p.len), PEERC_E_SECURITY,
           "%s: tampered header rejected", name);
    p = saved;
    bytes(&p)[p.len - 1] ^= 0x80;
    is_int(peerc__srtp_unprotect_rtp(b, bytes(&p), &p.len), PEERC_E_SECURITY,
           "%s: tampered tag rejected", name);
    p = saved;
    is_int(peerc__srtp_unprotect_rtp(b, bytes(&p), &p.len), PEERC_OK,
           "%s: genuine packet accepted after forgeries", name);
    ok(p.len == orig.len && memcmp(p.w, orig.w, orig.len) == 0, "%s: plaintext restored", name);
    p = saved;
    is_int(peerc__srtp_unprotect_rtp(b, bytes(&p), &p.len), PEERC__SRTP_E_REPLAY,
           "%s: replay rejected", name);
    is_int(send_recv_rtp(b, a, 0x55667788, 7), PEERC_OK, "%s: B -> A round trip", name);
    /* A's own packet looped back to A: wrong key direction. */
    make_rtp(&p, 0x11223344, 1001, 100);
    peerc__srtp_protect_rtp(a, bytes(&p), &p.len, sizeof p.w);
    is_int(peerc__srtp_unprotect_rtp(a, bytes(&p), &p.len), PEERC_E_SECURITY,
           "%s: own packet (wrong key) rejected", name);

    /* Retransmission of the same packet (NACK without RTX): the sender may
     * repeat the index and produces identical bytes; the receiver, which
     * already has it, sees a replay. */
    make_rtp(&p, 0x11223344, 1002, 100);
    orig = p;
    peerc__srtp_protect_rtp(a, bytes(&p), &p.len, sizeof p.w);
    saved = p;
    p = orig;
    is_int(peerc__srtp_protect_rtp(a, bytes(&p), &p.len, sizeof p.w), PEERC_OK,
           "%s: repeated protect allowed (allow_repeat_tx)", name);
    ok(p.len == saved.len && memcmp(p.w, saved.w, p.len) == 0,
       "%s: retransmission is byte-identical", name);
    is_int(peerc__srtp_unprotect_rtp(b, bytes(&p), &p.len), PEERC_OK, "%s: first copy accepted",
           name);
    p = saved;
    is_int(peerc__srtp_unprotect_rtp(b, bytes(&p), &p.len), PEERC__SRTP_E_REPLAY,
           "%s: second copy is a replay", name);

    /* Replay window of 1024: a new SSRC sends 0..1100 in order; the
     * receiver gets 1100 first, then older ones. */
    {
        static pkt sent[1101];
        for (uint16_t s = 0; s <= 1100; s++) {
            make_rtp(&sent[s], 0xABCD0001, s, 20);
            if (peerc__srtp_protect_rtp(a, bytes(&sent[s]), &sent[s].len, sizeof sent[s].w) !=
                PEERC_OK)
                break;
        }
        is_int(peerc__srtp_unprotect_rtp(b, bytes(&sent[1100]), &sent[1100].len), PEERC_OK,
               "%s: newest first", name);
        int reorder_ok = 0;
        for (int s = 1099; s >= 1100 - 1000; s--)
            reorder_ok += peerc__srtp_unprotect_rtp(b, bytes(&sent[s]), &sent[s].len) == PEERC_OK;
        is_int(reorder_ok, 1000, "%s: 1000 reordered packets inside the window accepted", name);
        is_int(peerc__srtp_unprotect_rtp(b, bytes(&sent[10]), &sent[10].len), PEERC__SRTP_E_REPLAY,
               "%s: packet 1090 behind is older than the window", name);
        pkt late;
        make_rtp(&late, 0xABCD0001, 10, 20);
        is_int(peerc__srtp_protect_rtp(a, bytes(&late), &late.len, sizeof late.w),
               PEERC__SRTP_E_REPLAY, "%s: sender refuses an index older than its window", name);
    }

    /* Sequence wrap: continuous numbers across 65535 -> 0 move the
     * rollover counter on both sides; one packet arrives late across the
     * wrap. */
    {
        int good = 0, total = 0;
        pkt held;
        for (uint32_t i = 65000; i < 65536 + 500; i++) {
            uint16_t seq = (uint16_t)i;
            make_rtp(&p, 0xC0FFEE00, seq, 50);
            orig = p;
            if (peerc__srtp_protect_rtp(a, bytes(&p), &p.len, sizeof p.w) != PEERC_OK)
                continue;
            if (seq == 65535) { /* deliver after 0 and 1 */
                held = p;
                continue;
            }
            total++;
            if (peerc__srtp_unprotect_rtp(b, bytes(&p), &p.len) == PEERC_OK && p.len == orig.len &&
                memcmp(p.w, orig.w, p.len) == 0)
                good++;
            if (seq == 1) {
                total++;
                make_rtp(&orig, 0xC0FFEE00, 65535, 50);
                if (peerc__srtp_unprotect_rtp(b, bytes(&held), &held.len) == PEERC_OK &&
                    memcmp(held.w, orig.w, orig.len) == 0)
                    good++;
            }
        }
        is_int(good, total, "%s: all %d packets across the sequence wrap decrypted", name, total);
        uint32_t roc_tx = 99, roc_rx = 99;
        is_int(peerc__srtp_get_roc(a, 1, 0xC0FFEE00, &roc_tx), PEERC_OK, "%s: sender ROC known",
               name);
        is_int(peerc__srtp_get_roc(b, 0, 0xC0FFEE00, &roc_rx), PEERC_OK, "%s: receiver ROC known",
               name);
        ok(roc_tx == 1 && roc_rx == 1, "%s: ROC 1 on both sides (tx %u rx %u)", name, roc_tx,
           roc_rx);
        is_int(peerc__srtp_get_roc(b, 0, 0xDEAD, &roc_rx), PEERC_E_NOT_FOUND,
               "%s: unknown SSRC has no ROC", name);
    }

    /* SRTCP */
    make_rtcp(&p, 0x11223344);
    orig = p;
    is_int(peerc__srtp_protect_rtcp(a, bytes(&p), &p.len, sizeof p.w), PEERC_OK, "%s: protect RTCP",
           name);
    is_int(p.len, orig.len + peerc__srtp_rtcp_overhead(profile), "%s: SRTCP adds index and tag",
           name);
    saved = p;
    bytes(&p)[12] ^= 0x40;
    is_int(peerc__srtp_unprotect_rtcp(b, bytes(&p), &p.len), PEERC_E_SECURITY,
           "%s: tampered RTCP rejected", name);
    p = saved;
    is_int(peerc__srtp_unprotect_rtcp(b, bytes(&p), &p.len), PEERC_OK, "%s: unprotect RTCP", name);
    ok(p.len == orig.len && memcmp(p.w, orig.w, p.len) == 0, "%s: RTCP restored", name);
    p = saved;
    is_int(peerc__srtp_unprotect_rtcp(b, bytes(&p), &p.len), PEERC__SRTP_E_REPLAY,
           "%s: RTCP replay rejected", name);
    {
        int good = 0;
        for (int i = 0; i < 50; i++) {
            make_rtcp(&p, 0x55667788);
            orig = p;
            if (peerc__srtp_protect_rtcp(b, bytes(&p), &p.len, sizeof p.w) == PEERC_OK &&
                peerc__srtp_unprotect_rtcp(a, bytes(&p), &p.len) == PEERC_OK && p.len == orig.len)
                good++;
        }
        is_int(good, 50, "%s: 50 RTCP packets B -> A", name);
    }

    /* Hostile input: rejected before libsrtp, never a crash. */
    {
        size_t len;
        make_rtp(&p, 1, 1, 100);
        len = 0;
        is_int(peerc__srtp_protect_rtp(a, bytes(&p), &len, sizeof p.w), PEERC_E_INVALID_ARGUMENT,
               "%s: protect len 0", name);
        len = 11;
        is_int(peerc__srtp_protect_rtp(a, bytes(&p), &len, sizeof p.w), PEERC_E_INVALID_ARGUMENT,
               "%s: protect len 11", name);
        len = SIZE_MAX;
        is_int(peerc__srtp_protect_rtp(a, bytes(&p), &len, SIZE_MAX), PEERC_E_RANGE,
               "%s: protect huge len", name);
        len = 70000;
        is_int(peerc__srtp_protect_rtp(a, bytes(&p), &len, 70000 + 200), PEERC_E_RANGE,
               "%s: protect len 70000", name);
        len = 112;
        is_int(peerc__srtp_protect_rtp(a, bytes(&p), &len, 112 + PEERC_SRTP_MAX_TRAILER - 1),
               PEERC_E_RANGE, "%s: protect without trailer room", name);
        is_int(peerc__srtp_protect_rtp(a, bytes(&p), &len, 100), PEERC_E_RANGE,
               "%s: protect cap < len", name);
        is_int(peerc__srtp_protect_rtp(a, bytes(&p) + 1, &len, 1000), PEERC_E_INVALID_ARGUMENT,
               "%s: misaligned buffer", name);
        is_int(peerc__srtp_protect_rtp(a, NULL, &len, 1000), PEERC_E_INVALID_ARGUMENT,
               "%s: NULL buffer", name);
        is_int(peerc__srtp_protect_rtp(NULL, bytes(&p), &len, 1000), PEERC_E_INVALID_ARGUMENT,
               "%s: NULL session", name);
        bytes(&p)[0] = 0x8f; /* 15 CSRCs = 72-byte header > 40 bytes */
        len = 40;
        is_int(peerc__srtp_protect_rtp(a, bytes(&p), &len, sizeof p.w), PEERC_E_INVALID_ARGUMENT,
               "%s: CSRCs beyond the packet", name);
        bytes(&p)[0] = 0x90; /* extension, length word says 0xffff */
        bytes(&p)[14] = 0xff, bytes(&p)[15] = 0xff;
        len = 112;
        is_int(peerc__srtp_protect_rtp(a, bytes(&p), &len, sizeof p.w), PEERC_E_INVALID_ARGUMENT,
               "%s: extension beyond the packet", name);
        bytes(&p)[0] = 0x00;
        is_int(peerc__srtp_protect_rtp(a, bytes(&p), &len, sizeof p.w), PEERC_E_INVALID_ARGUMENT,
               "%s: RTP version 0", name);

        make_rtp(&p, 1, 1, 100);
        len = 0;
        is_int(peerc__srtp_unprotect_rtp(b, bytes(&p), &len), PEERC_E_INVALID_ARGUMENT,
               "%s: unprotect len 0", name);
        len = 11;
        is_int(peerc__srtp_unprotect_rtp(b, bytes(&p), &len), PEERC_E_INVALID_ARGUMENT,
               "%s: unprotect len 11", name);
        len = 12 + tag - 1;
        is_int(peerc__srtp_unprotect_rtp(b, bytes(&p), &len), PEERC_E_INVALID_ARGUMENT,
               "%s: unprotect shorter than header+tag", name);
        len = SIZE_MAX;
        is_int(peerc__srtp_unprotect_rtp(b, bytes(&p), &len), PEERC_E_RANGE,
               "%s: unprotect huge len", name);
        len = 65536;
        is_int(peerc__srtp_unprotect_rtp(b, bytes(&p), &len), PEERC_E_RANGE,
               "%s: unprotect len 65536", name);
        len = 100;
        is_int(peerc__srtp_unprotect_rtp(b, bytes(&p) + 2, &len), PEERC_E_INVALID_ARGUMENT,
               "%s: unprotect misaligned", name);
        len = 0;
        is_int(peerc__srtp_protect_rtcp(a, bytes(&p), &len, sizeof p.w), PEERC_E_INVALID_ARGUMENT,
               "%s: RTCP protect len 0", name);
        len = 7;
        is_int(peerc__srtp_protect_rtcp(a, bytes(&p), &len, sizeof p.w), PEERC_E_INVALID_ARGUMENT,
               "%s: RTCP protect len 7", name);
        len = SIZE_MAX - 10;
        is_int(peerc__srtp_protect_rtcp(a, bytes(&p), &len, SIZE_MAX), PEERC_E_RANGE,
               "%s: RTCP protect huge", name);
        len = 8;
        is_int(peerc__srtp_unprotect_rtcp(b, bytes(&p), &len), PEERC_E_INVALID_ARGUMENT,
               "%s: RTCP unprotect without trailer", name);
        len = 11;
        is_int(peerc__srtp_unprotect_rtcp(b, bytes(&p), &len), PEERC_E_INVALID_ARGUMENT,
               "%s: RTCP unprotect len 11", name);
        len = SIZE_MAX;
        is_int(peerc__srtp_unprotect_rtcp(b, bytes(&p), &len), PEERC_E_RANGE,
               "%s: RTCP unprotect huge", name);

        /* Random datagrams that look like RTP/RTCP: never accepted. */
        int accepted = 0;
        for (int i = 0; i < 3000; i++) {
            uint16_t r;
            fill_random(&r, sizeof r);
            len = r % 1500;
            fill_random(p.w, len);
            if (len)
                bytes(&p)[0] = (uint8_t)(0x80 | (bytes(&p)[0] & 0x3f));
            if (i & 1)
                accepted += peerc__srtp_unprotect_rtp(b, bytes(&p), &len) == PEERC_OK;
            else
                accepted += peerc__srtp_unprotect_rtcp(b, bytes(&p), &len) == PEERC_OK;
        }
        is_int(accepted, 0, "%s: 3000 random datagrams all rejected", name);
    }

    /* Stats */
    {
        peerc_srtp_stats sa, sb;
        peerc__srtp_get_stats(a, &sa);
        peerc__srtp_get_stats(b, &sb);
        diag("%s A: rtp out %llu in %llu, rtcp out %llu in %llu, auth %llu replay %llu bad %llu "
             "other %llu",
             name, (unsigned long long)sa.rtp_protected, (unsigned long long)sa.rtp_unprotected,
             (unsigned long long)sa.rtcp_protected, (unsigned long long)sa.rtcp_unprotected,
             (unsigned long long)sa.auth_failures, (unsigned long long)sa.replays,
             (unsigned long long)sa.bad_packets, (unsigned long long)sa.other_failures);
        diag("%s B: rtp out %llu in %llu, rtcp out %llu in %llu, auth %llu replay %llu bad %llu "
             "other %llu",
             name, (unsigned long long)sb.rtp_protected, (unsigned long long)sb.rtp_unprotected,
             (unsigned long long)sb.rtcp_protected, (unsigned long long)sb.rtcp_unprotected,
             (unsigned long long)sb.auth_failures, (unsigned long long)sb.replays,
             (unsigned long long)sb.bad_packets, (unsigned long long)sb.other_failures);
        ok(sb.rtp_unprotected > 1000 && sb.rtcp_unprotected == 1, "%s: B counted what it decrypted",
           name);
        ok(sb.auth_failures >= 5 && sb.replays >= 3, "%s: B counted forgeries and replays", name);
        is_int(sa.rtcp_protected, 1, "%s: A protected one RTCP packet", name);
        ok(sa.rtp_protected_bytes > 0 && sb.rtp_unprotected_bytes > 0, "%s: byte counters move",
           name);
        ok(sb.bad_packets >= 9 && sb.other_failures == 0,
           "%s: malformed input counted, no libsrtp surprises", name);
        is_int(sa.other_failures, 0, "%s: no libsrtp surprises at A", name);
    }

    /* Speed (diag only): 1200-byte packets. */
    {
        const int n = 20000;
        struct timespec t0, t1;
        pkt q;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int good = 0;
        for (int i = 0; i < n; i++) {
            make_rtp(&q, 0x77777777, (uint16_t)i, 1188);
            if (peerc__srtp_protect_rtp(a, bytes(&q), &q.len, sizeof q.w) == PEERC_OK &&
                peerc__srtp_unprotect_rtp(b, bytes(&q), &q.len) == PEERC_OK)
                good++;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        is_int(good, n, "%s: %d protect+unprotect of 1200-byte packets", name, n);
        diag("%s: %.0f protect+unprotect pairs/s (1200 B)", name, n / s);
    }

out:
    peerc__srtp_free(a);
    peerc__srtp_free(b);
}

static void test_bad_keys(void)
{
    peerc_dtls_srtp_keys ka, kb;
    peerc_srtp *s = (peerc_srtp *)&s;
    char err[256] = "";

    make_keys(PEERC_DTLS_SRTP_AES128_CM_SHA1_80, &ka, &kb);
    is_int(peerc__srtp_new(NULL, &s, err, sizeof err), PEERC_E_INVALID_ARGUMENT, "NULL keys");
    ok(s == NULL, "out cleared on failure");
    is_int(peerc__srtp_new(&ka, NULL, err, sizeof err), PEERC_E_INVALID_ARGUMENT, "NULL out");
    ka.profile = 0x0002; /* SRTP_AES128_CM_HMAC_SHA1_32: not offered by us */
    is_int(peerc__srtp_new(&ka, &s, err, sizeof err), PEERC_E_NOT_SUPPORTED,
           "unsupported profile: %s", err);
    ka.profile = PEERC_DTLS_SRTP_AEAD_AES_128_GCM; /* lengths still AES_CM's */
    is_int(peerc__srtp_new(&ka, &s, err, sizeof err), PEERC_E_INVALID_ARGUMENT,
           "lengths of the wrong profile: %s", err);
    ka.profile = PEERC_DTLS_SRTP_AES128_CM_SHA1_80;
    ka.len = 29;
    is_int(peerc__srtp_new(&ka, &s, err, sizeof err), PEERC_E_INVALID_ARGUMENT, "inconsistent len");
    peerc__srtp_free(NULL);
    ok(strstr(peerc__srtp_strerror(PEERC__SRTP_E_REPLAY), "replay") != NULL,
       "replay code has text");
    ok(peerc__srtp_strerror(PEERC_E_RANGE) != NULL, "other codes have text");
    is_int(peerc__srtp_rtp_overhead(0x1234), 0, "unknown profile: overhead 0");
}

/* Sessions created and freed on several threads at once: the shared
 * srtp_init/srtp_shutdown must hold up (run under TSan too). */
static void *thread_main(void *arg)
{
    int *good = arg;
    for (int i = 0; i < 25; i++) {
        peerc_dtls_srtp_keys ka, kb;
        peerc_srtp *a = NULL, *b = NULL;
        uint16_t profile =
            (i & 1) ? PEERC_DTLS_SRTP_AEAD_AES_128_GCM : PEERC_DTLS_SRTP_AES128_CM_SHA1_80;
        make_keys(profile, &ka, &kb);
        if (peerc__srtp_new(&ka, &a, NULL, 0) == PEERC_OK &&
            peerc__srtp_new(&kb, &b, NULL, 0) == PEERC_OK &&
            send_recv_rtp(a, b, 42, (uint16_t)i) == PEERC_OK &&
            send_recv_rtp(b, a, 43, (uint16_t)i) == PEERC_OK)
            (*good)++;
        peerc__srtp_free(a);
        peerc__srtp_free(b);
    }
    return NULL;
}

static void test_threads(void)
{
    pthread_t t[4];
    int good[4] = {0};
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, thread_main, &good[i]);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    is_int(good[0] + good[1] + good[2] + good[3], 100, "100 session pairs on 4 threads");
}

int main(void)
{
    test_profile(PEERC_DTLS_SRTP_AES128_CM_SHA1_80, "AES_CM_128_HMAC_SHA1_80");
    test_profile(PEERC_DTLS_SRTP_AEAD_AES_128_GCM, "AEAD_AES_128_GCM");
    test_bad_keys();
    test_threads();
    return done_testing();
}

/*
 * Internals shared by sender.c (lifecycle, packet emission, statistics),
 * sender-encode.c (the encode half) and sender-feedback.c (the network
 * half).  Not for other modules.
 */
#ifndef PEERC_MEDIA_SENDER_PRIVATE_H
#define PEERC_MEDIA_SENDER_PRIVATE_H

#include "media/opus.h"
#include "media/sender.h"
#include "media/vp8enc.h"
#include "media/vp9enc.h"
#include "rtp/packet.h"

#include <pthread.h>
#include <stdatomic.h>

/* Power of two so a slot is seq & mask; 1024 covers ~1 s at 2.5 Mb/s with
 * 1200-byte packets and the "~600 packets" libwebrtc keeps. */
#define SENDER_HISTORY 1024
#define SENDER_HISTORY_MAX_AGE_US 1000000
/* Without a measured RTT, a packet is retransmitted at most this often. */
#define SENDER_RTX_MIN_INTERVAL_US 10000
/* Room for the largest packet plus the RTX OSN. */
#define SENDER_BUF (PEERC_RTP_SENDER_MAX_PACKET + 16)

typedef struct sender_slot {
    uint8_t *data; /* the plain RTP packet as first sent */
    size_t len, cap;
    uint16_t seq;
    int used;
    int64_t sent_us;
    int64_t rtx_us; /* last retransmission, INT64_MIN if none */
} sender_slot;

struct peerc_rtp_sender {
    pthread_mutex_t lock;
    peerc_rtp_sender_send_fn send;
    void *ud;
    peerc_rtp_sender_clock_fn clock;
    void *clock_ud;
    atomic_int active;
    atomic_int resumed; /* set_active(1) after a pause: encode half asks for a keyframe */

    /* --- under lock --- */
    peerc_rtp_sender_config cfg;
    unsigned cfg_gen; /* bumped by reconfigure */
    sender_slot *hist;
    uint16_t rtx_seq;
    peerc_rtp_sender_stats st;
    /* SR extrapolation (RFC 3550 §6.4.1): RTP timestamp of the last frame
     * and when it left, on the monotonic clock. */
    int sent_any;
    uint32_t last_rtp_ts;
    int64_t last_send_us;
    /* rate control */
    uint32_t remb_bps; /* UINT32_MAX: none received */
    double loss_estimate_bps;
    int64_t last_report_us;
    double loss_smoothed; /* audio: expected loss for Opus FEC */
    peerc_vp8enc *venc; /* stable for the sender's life */
    peerc_vp9enc *vp9enc; /* likewise */
    void (*kf_listener)(void *ud);
    void *kf_listener_ud;
    peerc_opusenc *aenc; /* replaced only by the encode half, under lock */

    /* --- encode half only --- */
    peerc_rtp_sender_config ecfg; /* snapshot taken at each push */
    unsigned ecfg_gen;
    uint16_t seq;
    uint16_t picture_id; /* RFC 7741 §4.2 / RFC 9628 §4.2, 15 bits */
    int last_video_codec;
    uint32_t ts_base;
    int have_first;
    int64_t first_us;
    uint32_t aenc_channels; /* what aenc codes */
    int acodec;             /* codec of the buffered audio */
    int16_t *abuf; /* interleaved, ecfg.channels wide, one 20 ms frame */
    size_t afill;  /* samples per channel buffered */
    uint32_t ats;  /* RTP timestamp of the first buffered sample */
    int talkspurt; /* next audio packet carries the marker */
    uint8_t obuf[SENDER_BUF];
};

int64_t peerc__rtp_sender_now(peerc_rtp_sender *s);

/* RTP clock rate and ticks per 20 ms packet of an audio codec. */
static inline uint32_t peerc__rtp_sender_audio_rate(int codec)
{
    return codec == PEERC_MEDIA_CODEC_DEFAULT ? 48000 : 8000;
}

/* Build one RTP packet with the configured extensions around payload,
 * store it in the history, count it and hand it to send.  audio_level < 0:
 * no level element. */
int peerc__rtp_sender_emit(peerc_rtp_sender *s, const uint8_t *payload, size_t len, int marker,
                           uint32_t timestamp, int audio_level);

/* Bytes the RTP header with the configured extensions takes (for the
 * packetizer's payload budget). */
size_t peerc__rtp_sender_header_size(const peerc_rtp_sender_config *c);

/* Target bitrate from REMB and the loss estimate; lock held. */
uint32_t peerc__rtp_sender_target_locked(const peerc_rtp_sender *s);
/* Store it in the stats and hand it to libvpx (next frame); lock held. */
void peerc__rtp_sender_apply_target_locked(peerc_rtp_sender *s);

#endif

/*
 * Internals shared by receiver.c (lifecycle, dispatch, RTX, reports,
 * feedback), receiver-video.c and receiver-audio.c.  Not for other
 * modules.
 */
#ifndef PEERC_MEDIA_RECEIVER_PRIVATE_H
#define PEERC_MEDIA_RECEIVER_PRIVATE_H

#include "media/opus.h"
#include "media/receiver.h"
#include "media/vp8dec.h"
#include "media/vp9dec.h"
#include "rtp/h264.h"
#include "rtp/jitter.h"
#include "rtp/seq.h"
#include "rtp/source.h"

#include <pthread.h>
#include <stdatomic.h>

/* Audio playout buffer: a power of two of slots, played when in order, or
 * once AUDIO_DEPTH packets wait behind a hole or the oldest waited
 * AUDIO_MAX_WAIT_MS (3 packets / 60 ms of 20 ms Opus). */
#define AUDIO_SLOTS 16
#define AUDIO_DEPTH 3
#define AUDIO_MAX_WAIT_MS 60
/* Holes longer than this are skipped rather than concealed: PLC of a long
 * outage only produces a fading tail, and the time is better spent
 * catching up. */
#define AUDIO_MAX_CONCEAL 10

#define KEYFRAME_REPEAT_MS 300
/* How long an incomplete frame may hold up the ones behind it: with NACK
 * long enough for a few retransmission rounds, without it only for
 * reordering, since nothing else will fill the hole. */
#define NACK_WAIT_MS 500
#define NO_NACK_WAIT_MS 100
#define DEFAULT_RTT_MS 100

typedef struct audio_slot {
    int64_t seq; /* extended */
    int64_t ts;  /* extended RTP timestamp */
    int64_t arrival_ms;
    uint8_t *data;
    size_t len, cap;
    int used;
} audio_slot;

struct peerc_rtp_receiver {
    pthread_mutex_t lock;
    peerc_rtp_receiver_callbacks cbs;
    void *ud;

    /* --- under lock: handed between threads --- */
    peerc_rtp_receiver_config pending;
    int has_pending;
    peerc_rtp_receiver_stats pub; /* published copy of st */
    atomic_uint remote_ssrc_pub;
    atomic_llong rtt_ms;

    /* --- network thread --- */
    peerc_rtp_receiver_config cfg;
    peerc_rtp_receiver_stats st;
    uint32_t clock_rate;
    uint32_t remote_ssrc, rtx_ssrc;
    int have_remote, have_rtx;
    peerc_rtp_source src;
    int have_src;
    peerc_rtp_unwrapper seq_unwrap;
    peerc_rtp_ts_unwrapper ts_unwrap;
    int64_t first_ts;
    int have_first_ts;
    /* Last SR (RFC 3550 §6.4.1 LSR/DLSR). */
    uint32_t lsr;
    uint64_t sr_arrival_ntp;
    int have_sr;

    /* video */
    peerc_rtp_jitter jb;
    int jb_inited;
    peerc_vp8dec *vdec;
    peerc_vp9dec *vp9dec;
    /* H.264: no decoder here, frames go to encoded_frame only */
    peerc_rtp_h264_depacketizer h264;
    int h264_inited;
    uint64_t h264_lost_seen;
    uint64_t dec_dropped; /* complete frames the decoder refused */
    int kf_pending;       /* a keyframe is wanted */
    int kf_answered;      /* no request outstanding */
    int64_t kf_last_ms;
    uint8_t fir_seq; /* RFC 5104 §4.3.1.1 */

    /* audio */
    peerc_opusdec *adec;
    uint32_t adec_channels;
    audio_slot aq[AUDIO_SLOTS];
    size_t aq_count;
    int64_t next_seq; /* next to play */
    int64_t next_ts;  /* its expected timestamp */
    int aq_started;
    int16_t *pcm;    /* PEERC_OPUS_MAX_FRAME * 2, holds the last frame played */
    size_t last_n;   /* its samples per channel */
    int64_t last_ticks; /* its RTP duration */
    int16_t g711_prev;  /* last 8 kHz sample, for interpolation */
};

/* Microseconds of the stream's RTP timeline for an extended timestamp. */
int64_t peerc__rtp_receiver_ts_us(peerc_rtp_receiver *r, int64_t ext_ts);

/* Send one reduced-size feedback packet (RFC 5506) through send_rtcp. */
void peerc__rtp_receiver_send_rtcp(peerc_rtp_receiver *r, const uint8_t *pkt, size_t len);

int peerc__rtp_receiver_video_init(peerc_rtp_receiver *r);
void peerc__rtp_receiver_video_free(peerc_rtp_receiver *r);
int peerc__rtp_receiver_video_packet(peerc_rtp_receiver *r, const peerc_rtp_packet *m,
                                     int64_t ext_seq, int64_t now_ms);
int64_t peerc__rtp_receiver_video_poll(peerc_rtp_receiver *r, int64_t now_ms);
void peerc__rtp_receiver_video_keyframe(peerc_rtp_receiver *r, int64_t now_ms);

int peerc__rtp_receiver_audio_init(peerc_rtp_receiver *r);
void peerc__rtp_receiver_audio_free(peerc_rtp_receiver *r);
void peerc__rtp_receiver_audio_reset(peerc_rtp_receiver *r);
int peerc__rtp_receiver_audio_packet(peerc_rtp_receiver *r, const peerc_rtp_packet *m,
                                     int64_t ext_seq, int64_t ext_ts, int64_t now_ms);
int64_t peerc__rtp_receiver_audio_poll(peerc_rtp_receiver *r, int64_t now_ms);

#endif

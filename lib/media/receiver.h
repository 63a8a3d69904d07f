/*
 * One incoming RTP stream (the receiver of one m-line): plain RTP packets
 * in (after SRTP), decoded media and RTCP feedback out.
 *
 * Video: the jitter buffer (rtp/jitter.h) holds VP8 packets (RFC 7741),
 * asks for missing ones with generic NACK (RFC 4585 §6.2.1), gives up on a
 * frame after 500 ms (100 ms without NACK), and the decoder (media/vp8dec.h) turns complete
 * frames into pictures.  Whenever the decoder has no valid reference (a
 * frame was lost for good, a decode error, a stream that starts on a delta
 * frame) a keyframe is requested with PLI (RFC 4585 §6.3.1), or FIR
 * (RFC 5104 §4.3.1) if only that was negotiated: at once if the last
 * request was answered by a keyframe, else at most every 300 ms.
 *
 * Audio: Opus (RFC 7587) through a playout/reorder buffer: a packet waits
 * until its predecessor was played, or until 3 packets are queued behind a
 * hole or the oldest has waited 60 ms; then the hole is filled from the
 * next packet's in-band FEC (useinbandfec, RFC 7587 §3.3) when it carries
 * any, else by loss concealment, one 20 ms frame per missing packet.
 * G.711 (PCMU/PCMA, 8 kHz) goes through the same buffer, is interpolated
 * to 48 kHz, and a hole repeats the previous frame at half the level each
 * time (no FEC).  Audio comes out as 48 kHz PCM with `channels` channels.
 *
 * RTX (RFC 4588 §4): packets with the RTX payload type are restored to the
 * original sequence number (OSN) and handled like media, counted in
 * retransmitted_packets_received.  They do not enter the RFC 3550 loss
 * statistics of the media SSRC (as in libwebrtc), so the reports describe
 * the network's loss rather than what retransmission repaired; same-SSRC
 * retransmissions do, as RFC 3550 A.3 counts every arrival.
 *
 * Statistics: packets_received counts every accepted packet, RTX included;
 * bytes are payload octets.  packets_invalid counts packets refused
 * (wrong payload type or SSRC, unusable payload).
 *
 * Threading: everything runs on the network thread except get_stats,
 * remote_ssrc and reconfigure, which may be called from any thread
 * (reconfigure is validated at once and takes effect at the next call on
 * the network thread).  No lock is held while a callback runs.
 */
#ifndef PEERC_MEDIA_RECEIVER_H
#define PEERC_MEDIA_RECEIVER_H

#include <stddef.h>
#include <stdint.h>

#include "media/frame.h"
#include "media/sender.h" /* PEERC_MEDIA_AUDIO / PEERC_MEDIA_VIDEO */
#include "rtp/packet.h"
#include "rtp/rtcp.h"

typedef struct peerc_rtp_receiver peerc_rtp_receiver;

typedef struct peerc_rtp_receiver_config {
    int kind;
    uint32_t local_ssrc;  /* sender SSRC for our feedback packets */
    uint32_t remote_ssrc; /* 0: learned from the first packet */
    uint8_t payload_type; /* the negotiated media pt (VP8 or Opus) */
    int rtx_payload_type; /* -1 none */
    uint32_t rtx_ssrc;    /* 0: learned */
    int nack, pli, fir;   /* rtcp-fb negotiated (nack applies to video) */
    uint32_t channels;    /* audio output channels (1 or 2) */
    int codec;            /* PEERC_MEDIA_CODEC_* (sender.h): audio Opus or G.711 */
} peerc_rtp_receiver_config;

typedef struct peerc_rtp_receiver_callbacks {
    /* decoded; frame valid during the call */
    void (*video_frame)(void *ud, const peerc_media_i420 *frame);
    void (*audio_frame)(void *ud, const int16_t *pcm, size_t samples_per_channel,
                        uint32_t channels, int64_t timestamp_us);
    /* feedback (NACK, PLI, FIR): a reduced-size RTCP packet (RFC 5506), plain */
    void (*send_rtcp)(void *ud, const uint8_t *pkt, size_t len);
    /* optional: each complete video frame as received, before decoding
     * (for applications that decode or record themselves) */
    void (*encoded_frame)(void *ud, const peerc_media_encoded *frame);
} peerc_rtp_receiver_callbacks;

/* Defaults for kind: payload type 96 (video) / 111 (audio), no RTX,
 * NACK and PLI on, FIR off, 1 channel, SSRCs 0. */
void peerc__rtp_receiver_config_init(peerc_rtp_receiver_config *cfg, int kind);

/* cbs may be NULL or have NULL members.  Errors: PEERC_E_INVALID_ARGUMENT
 * (kind, payload types, channels), PEERC_E_NO_MEMORY, PEERC_E_INTERNAL
 * (codec). */
int peerc__rtp_receiver_new(const peerc_rtp_receiver_config *cfg,
                            const peerc_rtp_receiver_callbacks *cbs, void *ud,
                            peerc_rtp_receiver **out, char *err, size_t errlen);

/* NULL-safe; no other call may be running on r. */
void peerc__rtp_receiver_free(peerc_rtp_receiver *r);

/* New payload types, RTX, feedback options, channels.  A different remote
 * SSRC (non-zero) restarts the stream state (buffers, statistics of the
 * reports).  Errors as _new; PEERC_E_INVALID_MODIFICATION for a change of
 * kind.  Any thread. */
int peerc__rtp_receiver_reconfigure(peerc_rtp_receiver *r, const peerc_rtp_receiver_config *cfg);

/* A parsed plain RTP packet for this receiver (media or RTX pt), now_ms on
 * a monotonic clock.  Returns PEERC_OK when taken (duplicates and late
 * packets included), PEERC_E_NOT_FOUND when it is not for this receiver
 * (payload type, SSRC), PEERC_E_SYNTAX when its payload is unusable; both
 * errors are counted in packets_invalid.  Callbacks fire from inside. */
int peerc__rtp_receiver_receive(peerc_rtp_receiver *r, const peerc_rtp_packet *pkt,
                                int64_t now_ms);

/* Timers: NACK retries, jitter-buffer timeouts, PLI repeats, audio
 * playout of packets held behind a hole.  Returns ms until the next call
 * is useful, or -1. */
int64_t peerc__rtp_receiver_poll(peerc_rtp_receiver *r, int64_t now_ms);

/* Report block about the remote stream for our RR/SR (RFC 3550 §6.4.1,
 * A.3, A.8), with LSR/DLSR from the last SR received (on_sr).  Fraction
 * lost is since the previous call.  Returns 1 with *out filled, 0 if no
 * packet was received yet, PEERC_E_INVALID_ARGUMENT. */
int peerc__rtp_receiver_report_block(peerc_rtp_receiver *r, uint64_t now_ntp,
                                     peerc_rtp_rtcp_report *out);

/* An SR from the remote sender (ignored unless sr->ssrc is the remote
 * SSRC, once known) received at wall-clock now_ntp. */
void peerc__rtp_receiver_on_sr(peerc_rtp_receiver *r, const peerc_rtp_rtcp_sr *sr,
                               uint64_t now_ntp);

/* Ask for a keyframe now (e.g. the app just attached a sink); video only,
 * subject to the rate limit above. */
void peerc__rtp_receiver_request_keyframe(peerc_rtp_receiver *r, int64_t now_ms);

/* The remote media SSRC (configured or learned), 0 while unknown.  Any
 * thread. */
uint32_t peerc__rtp_receiver_remote_ssrc(const peerc_rtp_receiver *r);

/* Round-trip time for pacing repeated NACKs (the sender of the same
 * transport measures it from report blocks); 100 ms until set. */
void peerc__rtp_receiver_set_rtt(peerc_rtp_receiver *r, int64_t rtt_ms);

typedef struct peerc_rtp_receiver_stats {
    uint64_t packets_received, bytes_received, header_bytes_received,
        packets_lost /* cumulative, RFC 3550 */, packets_duplicated, retransmitted_packets_received,
        frames_received, frames_decoded, keyframes_decoded, frames_dropped,
        nack_count /* NACK packets sent */, pli_count, fir_count, audio_samples_received,
        concealed_samples, fec_recovered;
    double jitter_s;
    uint32_t frame_width, frame_height;
    double total_decode_time_s;
    /* additions */
    uint64_t packets_invalid;   /* refused: wrong pt/SSRC, unusable payload */
    uint64_t packets_discarded; /* audio arriving after its time was played */
    uint64_t decode_errors;
} peerc_rtp_receiver_stats;

/* Any thread. */
void peerc__rtp_receiver_get_stats(peerc_rtp_receiver *r, peerc_rtp_receiver_stats *out);

#endif

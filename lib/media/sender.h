/*
 * One outgoing RTP stream (the sender of one m-line): raw media in, plain
 * RTP packets out (SRTP is applied by the transport after the send
 * callback).
 *
 * Video: libvpx VP8 (media/vp8enc.h) packetized per RFC 7741 with a 15-bit
 * picture id; the RTP clock is 90 kHz derived from the frames' capture
 * timestamps (RFC 3550 §5.1, random base).  Audio: Opus (media/opus.h),
 * 20 ms per packet, 48 kHz RTP clock (RFC 7587 §4.1), or G.711 PCMU/PCMA,
 * 20 ms per packet at 8 kHz (RFC 3551 §4.5.14); pushed PCM of any length
 * is buffered until a full frame is there.
 *
 * Header extensions (RFC 8285) written on every packet when their id is
 * non-zero: the MID (RFC 8843 §15.1), an RFC 6464 audio level, and zeroed
 * room for abs-send-time (3 bytes) and transport-wide sequence numbers
 * (2 bytes) that the transport stamps with peerc__rtp_ext_update.
 *
 * Retransmission (RFC 4585 §6.2.1 generic NACK): every packet sent is
 * kept in a history of 1024 packets, answered for at most 1 s after it was
 * sent, and at most once per round trip.  With RTX negotiated (RFC 4588
 * §4) the answer goes on the RTX SSRC and payload type with its own
 * sequence numbers and the original sequence number (OSN) in front of the
 * payload; otherwise the stored packet is sent again unchanged.  The
 * video packetizer leaves 2 bytes for the OSN so an RTX packet never
 * exceeds max_packet.
 *
 * Rate control (video): target = clamp(min(REMB, loss estimate), min, max).
 * The loss estimate starts at start_bitrate_bps and follows each receiver
 * report the way Google's loss-based controller does: fraction lost below
 * 2% grows it by 8% per second since the previous report (at most one
 * second counted), 2-10% holds it, above 10% multiplies it by
 * (1 - 0.5 * loss).  The target goes to libvpx at the next frame.  Audio
 * keeps its bitrate (start_bitrate_bps, 32 kb/s by default) and only tells
 * Opus the reported loss (taken at once when it rises, decaying by a
 * quarter per report when it falls), which sizes its in-band FEC (RFC 7587
 * §3.3).
 * Round-trip time comes from LSR/DLSR of the report blocks (RFC 3550
 * §6.4.1).
 *
 * Statistics: packets_sent/bytes_sent count every packet on the media
 * SSRC, same-SSRC retransmissions included, so they are the SR sender
 * counts; packets on the RTX SSRC appear only in retransmitted_*.
 * bytes are payload octets (RFC 3550 §6.4.1 octet count).
 *
 * Threading: see each function.  The encode half (push_*) runs on one
 * source thread, the network half (on_nack, on_remb, on_report, fill_sr)
 * on the network thread; they share state under one mutex that is never
 * held while libvpx/libopus encode or while the send callback runs.
 */
#ifndef PEERC_MEDIA_SENDER_H
#define PEERC_MEDIA_SENDER_H

#include <stddef.h>
#include <stdint.h>

#include "media/frame.h"
#include "rtp/rtcp.h"

typedef struct peerc_rtp_sender peerc_rtp_sender;

enum { PEERC_MEDIA_AUDIO = 1, PEERC_MEDIA_VIDEO = 2 };

/* Codec of a stream.  DEFAULT is VP8 for video and Opus for audio; audio
 * may instead use G.711 (RFC 3551 §4.5.14: PCMU pt 0, PCMA pt 8, 8 kHz
 * mono), resampled from and to the 48 kHz PCM the API speaks. */
/* DEFAULT is Opus for audio and VP8 for video. */
enum {
    PEERC_MEDIA_CODEC_DEFAULT = 0,
    PEERC_MEDIA_CODEC_PCMU = 1,
    PEERC_MEDIA_CODEC_PCMA = 2,
    PEERC_MEDIA_CODEC_VP9 = 3,
    PEERC_MEDIA_CODEC_H264 = 4
};

/* Largest max_packet accepted (an Ethernet MTU minus IP/UDP headers and
 * the SRTP tag still fits). */
#define PEERC_RTP_SENDER_MAX_PACKET 1400
#define PEERC_RTP_SENDER_MIN_PACKET 200

typedef struct peerc_rtp_sender_config {
    int kind;             /* PEERC_MEDIA_AUDIO / PEERC_MEDIA_VIDEO */
    uint32_t ssrc;
    uint8_t payload_type; /* VP8 or Opus pt as negotiated */
    int rtx_payload_type; /* -1: no RTX, retransmit on the media SSRC itself */
    uint32_t rtx_ssrc;
    uint8_t mid_ext_id; /* 0 = not negotiated; else urn:ietf:params:rtp-hdrext:sdes:mid = mid */
    char mid[32];       /* NUL-terminated, 1..31 bytes (above 16 the two-byte form) */
    uint8_t abs_send_time_ext_id; /* 0 or id: 3 zero bytes, stamped by the transport */
    uint8_t twcc_ext_id;          /* 0 or id: 2 zero bytes, stamped by the transport */
    uint8_t audio_level_ext_id;   /* 0 or id: RFC 6464 level (1 byte, V bit), audio only */
    size_t max_packet; /* largest plain RTP packet, default 1200, 200..1400 */
    uint32_t start_bitrate_bps, min_bitrate_bps,
        max_bitrate_bps; /* video defaults 600k/50k/2.5M, audio 32k fixed */
    uint32_t channels;   /* audio: 1 or 2, what the encoder codes */
    int opus_fec;        /* useinbandfec negotiated */
    int codec; /* PEERC_MEDIA_CODEC_*; G.711 is mono at 64 kb/s (channels and bitrates ignored) */
} peerc_rtp_sender_config;

/* Defaults for kind (anything else than audio is taken as video); ssrc 0,
 * payload type 96 for video and 111 for audio, no RTX, no extensions. */
void peerc__rtp_sender_config_init(peerc_rtp_sender_config *cfg, int kind);

/* Packets leave through this callback (plain RTP, before SRTP).  It is
 * called WITHOUT any sender lock held, on the thread that caused it
 * (encode thread for new media, the caller of on_nack for
 * retransmissions).  `retransmission` is 1 for NACK answers. */
typedef void (*peerc_rtp_sender_send_fn)(void *ud, const uint8_t *pkt, size_t len,
                                         int retransmission);

/* Errors: PEERC_E_INVALID_ARGUMENT (NULL, kind, payload types above 127,
 * RTX pt equal to the media pt or without an SSRC, ext id above 255 or
 * duplicated, MID empty or too long, max_packet out of range, channels,
 * bitrates min > max), PEERC_E_NO_MEMORY, PEERC_E_INTERNAL (codec). */
int peerc__rtp_sender_new(const peerc_rtp_sender_config *cfg, peerc_rtp_sender_send_fn send,
                          void *ud, peerc_rtp_sender **out, char *err, size_t errlen);

/* NULL-safe.  No other call may be running on s. */
void peerc__rtp_sender_free(peerc_rtp_sender *s);

/* Renegotiation: new pt / ext ids / rtx / bitrate bounds / channels; ssrc
 * normally unchanged (a new one keeps the sequence numbering).  Taken by
 * the encode half at its next push.  Any thread.  Errors as for _new, and
 * PEERC_E_INVALID_MODIFICATION for a change of kind. */
int peerc__rtp_sender_reconfigure(peerc_rtp_sender *s, const peerc_rtp_sender_config *cfg);

/* Pause/resume sending (direction no longer includes send, or transport
 * not ready).  While inactive, each push is counted in frames_dropped and
 * nothing is encoded (dropped audio still advances the RTP clock, and the
 * next packet starts a talkspurt).  Resuming video asks for a keyframe.
 * Any thread. */
void peerc__rtp_sender_set_active(peerc_rtp_sender *s, int active);

/* ENCODE HALF: one application/source thread at a time (never
 * concurrently for one sender).  Encodes, packetizes and calls send for
 * each packet.  Video: the RTP timestamp is frame->timestamp_us at 90 kHz
 * from a random base.  Errors: PEERC_E_INVALID_ARGUMENT (NULL, wrong kind
 * of sender), the encoder's errors (bad picture: PEERC_E_RANGE, ...). */
int peerc__rtp_sender_push_video(peerc_rtp_sender *s, const peerc_media_i420 *frame);

/* Audio: 48 kHz interleaved PCM with `channels` (1 or 2) channels, any
 * number of samples; mixed or duplicated to the configured channel count,
 * buffered, and encoded every 20 ms (960 samples per channel), the RTP
 * timestamp advancing by 960 per packet (160 with G.711).  timestamp_us is the capture time
 * of the first sample (currently informational). */
int peerc__rtp_sender_push_audio(peerc_rtp_sender *s, const int16_t *pcm,
                                 size_t samples_per_channel, uint32_t channels,
                                 int64_t timestamp_us);

/* ENCODE HALF, already-encoded video (a hardware encoder, a file): frame
 * in the codec's own format (VP8 frame; H.264 Annex B access unit),
 * packetized as it is.  A frame of another codec than the negotiated one
 * is dropped and counted (PEERC_OK: renegotiation may be under way).
 * Keyframe requests then go to the keyframe listener instead of an
 * encoder.  PEERC_E_INVALID_ARGUMENT for NULL/empty/audio senders,
 * PEERC_E_NOT_SUPPORTED for a codec without a packetizer. */
int peerc__rtp_sender_push_encoded(peerc_rtp_sender *s, int codec, const peerc_media_encoded *e);

/* Called (network thread, from request_keyframe) when the peer asks for a
 * keyframe, so the source of encoded frames can make one.  Any thread. */
void peerc__rtp_sender_set_keyframe_listener(peerc_rtp_sender *s, void (*fn)(void *ud), void *ud);

/* NETWORK HALF: the network thread, one call at a time, concurrently with
 * the encode half. */

/* Retransmit what is still in the history (see above); unknown, too old or
 * just retransmitted sequence numbers are skipped.  Counts one NACK. */
void peerc__rtp_sender_on_nack(peerc_rtp_sender *s, const uint16_t *seqs, size_t n);

/* PLI/FIR received, or the application wants one: the next video frame is
 * a keyframe.  Counted in pli_count.  Any thread. */
void peerc__rtp_sender_request_keyframe(peerc_rtp_sender *s);

/* Receiver Estimated Maximum Bitrate (draft-alvestrand-rmcat-remb-03);
 * video only. */
void peerc__rtp_sender_on_remb(peerc_rtp_sender *s, uint32_t bps);

/* A report block about this stream (rb->ssrc must be our SSRC, else it is
 * ignored) received at wall-clock now_ntp (32.32 since 1900): RTT from
 * LSR/DLSR when LSR is non-zero, loss-based rate control. */
void peerc__rtp_sender_on_report(peerc_rtp_sender *s, const peerc_rtp_rtcp_report *rb,
                                 uint64_t now_ntp);

/* SR sender info for this stream at wall-clock now_ntp: packet/octet
 * counts (mod 2^32) and the RTP timestamp that corresponds to now,
 * extrapolated from the last sent frame on the monotonic clock.  Report
 * blocks are left to the caller (report_count 0).  Returns 1 with *sr
 * filled, 0 if nothing was sent yet (no SR then), PEERC_E_INVALID_ARGUMENT. */
int peerc__rtp_sender_fill_sr(peerc_rtp_sender *s, uint64_t now_ntp, peerc_rtp_rtcp_sr *sr);

typedef struct peerc_rtp_sender_stats {
    uint64_t packets_sent, bytes_sent /* payload bytes */, header_bytes_sent, retransmitted_packets,
        retransmitted_bytes, frames_encoded, keyframes_encoded, frames_dropped, nack_count,
        pli_count /* keyframe requests received */;
    uint32_t target_bitrate_bps;
    int64_t rtt_ms;       /* -1 unknown */
    double fraction_lost; /* last RR */
    uint32_t frame_width, frame_height;
    double total_encode_time_s;
} peerc_rtp_sender_stats;

/* Any thread. */
void peerc__rtp_sender_get_stats(peerc_rtp_sender *s, peerc_rtp_sender_stats *out);

/* The monotonic clock in microseconds used for history ageing, RTT
 * pacing of retransmissions, rate control and SR extrapolation; NULL
 * restores g_get_monotonic_time.  For tests that run on a fake clock; set
 * it before the first push. */
typedef int64_t (*peerc_rtp_sender_clock_fn)(void *ud);
void peerc__rtp_sender_set_clock(peerc_rtp_sender *s, peerc_rtp_sender_clock_fn now_us, void *ud);

#endif

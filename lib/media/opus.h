/*
 * Opus (libopus) encoder and decoder for WebRTC audio: 48 kHz, mono or
 * stereo, 16-bit PCM interleaved, normally 20 ms per packet (960 samples
 * per channel).  SDP always says opus/48000/2 (RFC 7587 §7); the channel
 * count here is what we actually encode or play.
 *
 * In-band FEC (RFC 7587 §3.3, useinbandfec=1): with FEC on and a non-zero
 * expected loss, the encoder adds a low-bitrate copy of the previous frame
 * (LBRR) to each SILK/hybrid packet; the receiver that lost packet N decodes
 * it from packet N+1 with peerc__opusdec_decode_fec, then decodes N+1
 * normally.  With nothing to recover from, the decoder conceals (PLC).
 * DTX stays off: silence still sends packets, so the receiver's clock and
 * loss statistics keep running.
 *
 * Threading: encode/decode and free on one thread at a time.  The encoder
 * setters may be called from any thread (the network thread reacting to
 * RTCP) and take effect at the next encode.
 */
#ifndef PEERC_MEDIA_OPUS_H
#define PEERC_MEDIA_OPUS_H

#include <stddef.h>
#include <stdint.h>

#define PEERC_OPUS_RATE 48000
#define PEERC_OPUS_FRAME_20MS 960 /* samples per channel */
#define PEERC_OPUS_MAX_FRAME 5760 /* 120 ms: the longest Opus packet */
/* RFC 6716 §3.4 bounds a frame to 1275 bytes; 1500 covers any packet we
 * produce at 20 ms. */
#define PEERC_OPUS_MAX_PACKET 1500

#define PEERC_OPUS_MIN_BPS 6000
#define PEERC_OPUS_MAX_BPS 510000

typedef struct peerc_opusenc peerc_opusenc;
typedef struct peerc_opusdec peerc_opusdec;

typedef struct peerc_opusenc_config {
    uint32_t channels;         /* 1 or 2; default 1 */
    uint32_t bitrate_bps;      /* default 32000 (clamped to MIN..MAX) */
    int32_t inband_fec;        /* default 1, as browsers offer useinbandfec=1 */
    uint32_t packet_loss_perc; /* expected loss 0..100; default 0 (FEC idle until set) */
    int32_t music;             /* 1: OPUS_APPLICATION_AUDIO; default 0: VOIP */
} peerc_opusenc_config;

typedef struct peerc_opusenc_stats {
    uint64_t frames, bytes;
    uint32_t bitrate_bps, packet_loss_perc;
    int32_t inband_fec;
} peerc_opusenc_stats;

typedef struct peerc_opusdec_stats {
    uint64_t packets;    /* decoded normally */
    uint64_t concealed;  /* PLC frames (decode with NULL data) */
    uint64_t recovered;  /* decode_fec calls that found LBRR data */
    uint64_t fec_as_plc; /* decode_fec calls without LBRR: concealed instead */
    uint64_t errors;
} peerc_opusdec_stats;

void peerc__opusenc_config_init(peerc_opusenc_config *cfg);

/* cfg may be NULL.  Errors: PEERC_E_INVALID_ARGUMENT (channels, loss
 * percentage), PEERC_E_NO_MEMORY, PEERC_E_INTERNAL (libopus). */
int peerc__opusenc_new(const peerc_opusenc_config *cfg, peerc_opusenc **out, char *err,
                       size_t errlen);
void peerc__opusenc_free(peerc_opusenc *e); /* NULL-safe */

/*
 * Encode samples_per_channel interleaved samples (120, 240, 480, 960, 1920
 * or 2880: 2.5 to 60 ms) into out[0..cap); *out_len is the packet size.
 * Errors: PEERC_E_INVALID_ARGUMENT (NULL, frame size), PEERC_E_RANGE (cap
 * too small), PEERC_E_INTERNAL.
 */
int peerc__opusenc_encode(peerc_opusenc *e, const int16_t *pcm, size_t samples_per_channel,
                          uint8_t *out, size_t cap, size_t *out_len);

/* Any thread; clamped; applied at the next encode. */
void peerc__opusenc_set_bitrate(peerc_opusenc *e, uint32_t bps);
void peerc__opusenc_set_packet_loss(peerc_opusenc *e, uint32_t percent);
void peerc__opusenc_set_fec(peerc_opusenc *e, int on);

void peerc__opusenc_get_stats(const peerc_opusenc *e, peerc_opusenc_stats *out);

/* channels: 1 or 2, what the application wants to play (Opus decodes any
 * packet to either).  Errors as for the encoder. */
int peerc__opusdec_new(uint32_t channels, peerc_opusdec **out, char *err, size_t errlen);
void peerc__opusdec_free(peerc_opusdec *d); /* NULL-safe */

/*
 * Decode one packet into pcm (room for cap samples per channel,
 * interleaved); *samples_per_channel is what was written.  data NULL (len
 * ignored) conceals one lost packet of the previous packet's duration
 * (20 ms before any packet).
 * Errors: PEERC_E_INVALID_ARGUMENT (NULL pcm/out, empty packet),
 * PEERC_E_RANGE (cap too small for the packet), PEERC_E_SYNTAX (corrupt
 * packet).
 */
int peerc__opusdec_decode(peerc_opusdec *d, const uint8_t *data, size_t len, int16_t *pcm,
                          size_t cap, size_t *samples_per_channel);

/*
 * Rebuild the packet lost just before `next` from next's in-band FEC (or
 * conceal when next has none), writing one packet's worth of audio.  Then
 * decode `next` itself with peerc__opusdec_decode.  Errors as above.
 */
int peerc__opusdec_decode_fec(peerc_opusdec *d, const uint8_t *next, size_t len, int16_t *pcm,
                              size_t cap, size_t *samples_per_channel);

void peerc__opusdec_get_stats(const peerc_opusdec *d, peerc_opusdec_stats *out);

/* 1 if the packet's first frame carries LBRR (FEC) data for the previous
 * one: SILK or hybrid mode with an LBRR flag set (RFC 6716 §4.2.3), read
 * without decoding.  0 for CELT-only or malformed packets. */
int peerc__opusdec_has_fec(const uint8_t *data, size_t len);

#endif

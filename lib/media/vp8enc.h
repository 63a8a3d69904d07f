/*
 * VP8 realtime encoder (libvpx) for WebRTC video.
 *
 * Settings follow what a realtime sender needs rather than libvpx's
 * defaults (file encoding): CBR so the rate controller tracks the target
 * bitrate, no lookahead (lag 0: one frame in, that frame out), one thread
 * (two were erratic on 2 cores), error-resilient entropy so a lost frame
 * does not corrupt later probability contexts, and keyframes only when
 * asked (PLI/FIR, RFC 4585 §6.3.1 / RFC 5104 §4.3.1) or after a very long
 * interval, because every keyframe is a bitrate spike.
 *
 * The encoder is created empty and configures libvpx for the size of the
 * first frame; a frame of another size re-creates it (the next frame is then
 * a keyframe, which the receiver needs for the new size anyway).
 *
 * Threading: encode and free run on one thread at a time (the codec
 * thread).  request_keyframe and set_bitrate may be called from any thread
 * (the network thread reacting to RTCP); they take effect at the next
 * encode.
 */
#ifndef PEERC_MEDIA_VP8ENC_H
#define PEERC_MEDIA_VP8ENC_H

#include <stddef.h>
#include <stdint.h>

#include "media/frame.h"

typedef struct peerc_vp8enc peerc_vp8enc;

#define PEERC_VP8ENC_MIN_KBPS 10
#define PEERC_VP8ENC_MAX_KBPS 100000

typedef struct peerc_vp8enc_config {
    uint32_t bitrate_kbps; /* initial target, clamped to MIN..MAX; default 1000 */
    uint32_t fps;          /* expected frame rate (1..240); default 30 */
    /* VP8E_SET_CPUUSED: negative fixes the speed (-16..-1, bigger is
     * faster), positive lets libvpx adapt it to the deadline.  Default -6:
     * ~1.7x faster than 8 here at similar quality for camera content. */
    int32_t cpu_used;
    uint32_t kf_max_dist;  /* frames between automatic keyframes; default 3000 */
    uint32_t min_q, max_q; /* quantizer range 0..63; default 2..56 */
    int32_t allow_drop;    /* let CBR skip frames under pressure; default 0 */
} peerc_vp8enc_config;

typedef struct peerc_vp8enc_stats {
    uint64_t frames_in, frames_encoded, keyframes, dropped, bytes;
    uint64_t keyframes_requested; /* request_keyframe calls honoured */
    uint64_t reinits;             /* libvpx (re)created for a new size */
    uint32_t width, height;       /* current configuration, 0 before the first frame */
    uint32_t bitrate_kbps;        /* target in effect */
} peerc_vp8enc_stats;

void peerc__vp8enc_config_init(peerc_vp8enc_config *cfg);

/* cfg may be NULL for the defaults.  Errors: PEERC_E_INVALID_ARGUMENT
 * (NULL out, fps/quantizers/cpu_used out of range), PEERC_E_NO_MEMORY. */
int peerc__vp8enc_new(const peerc_vp8enc_config *cfg, peerc_vp8enc **out, char *err, size_t errlen);

/* NULL-safe. */
void peerc__vp8enc_free(peerc_vp8enc *e);

/*
 * Encode one picture.  On success *out describes the compressed frame
 * (out->size 0 when rate control dropped it); out->data stays valid until
 * the next encode or free.  out->timestamp_us is in->timestamp_us.
 * Timestamps should increase; equal or decreasing ones are nudged forward
 * by one tick for libvpx, without touching out->timestamp_us.
 * Errors: PEERC_E_INVALID_ARGUMENT / PEERC_E_RANGE (bad picture, see
 * peerc__media_i420_check), PEERC_E_NO_MEMORY, PEERC_E_INTERNAL (libvpx;
 * peerc__vp8enc_last_error says why).
 */
int peerc__vp8enc_encode(peerc_vp8enc *e, const peerc_media_i420 *in, peerc_media_encoded *out);

/* Make the next encoded frame a keyframe.  Any thread. */
void peerc__vp8enc_request_keyframe(peerc_vp8enc *e);

/* New target (clamped to MIN..MAX), applied at the next encode.  Any
 * thread. */
void peerc__vp8enc_set_bitrate(peerc_vp8enc *e, uint32_t kbps);

/* Same thread as encode. */
void peerc__vp8enc_get_stats(const peerc_vp8enc *e, peerc_vp8enc_stats *out);
const char *peerc__vp8enc_last_error(const peerc_vp8enc *e);

#endif

/*
 * VP9 realtime encoder (libvpx) for WebRTC video.
 *
 * Same contract and choices as the VP8 encoder (media/vp8enc.h): CBR, no
 * lookahead (lag 0: one frame in, that frame out), one thread, error
 * resilient mode, keyframes only when asked (PLI/FIR) or after a very long
 * interval, re-created for a picture of another size.
 *
 * What is VP9-specific: profile 0 (8-bit 4:2:0, the only profile every
 * browser decodes), a single spatial and temporal layer (no SVC, so each
 * encoded frame is one RTP frame with one picture id), libvpx's realtime
 * speed scale (VP8E_SET_CPUUSED 5..9 use its fast non-RD mode decision;
 * at 7 a 640x480 frame costs under twice the VP8 encoder's time, which
 * tests/unit/media-vp9 prints), cyclic-refresh adaptive quantization
 * (aq-mode 3, the realtime mode: it refreshes a band of blocks every
 * frame, so quality recovers after a loss without a keyframe), and no
 * tile columns (one thread gains nothing from them).
 *
 * In VP9, error resilient mode resets the entropy contexts every frame and
 * stops motion vectors being predicted from the previous frame's, so a lost
 * frame costs only its references (VP9 bitstream spec §7.2,
 * error_resilient_mode).
 *
 * Threading: encode and free run on one thread at a time (the codec
 * thread).  request_keyframe and set_bitrate may be called from any thread;
 * they take effect at the next encode.
 */
#ifndef PEERC_MEDIA_VP9ENC_H
#define PEERC_MEDIA_VP9ENC_H

#include <stddef.h>
#include <stdint.h>

#include "media/frame.h"

typedef struct peerc_vp9enc peerc_vp9enc;

#define PEERC_VP9ENC_MIN_KBPS 10
#define PEERC_VP9ENC_MAX_KBPS 100000

typedef struct peerc_vp9enc_config {
    uint32_t bitrate_kbps; /* initial target, clamped to MIN..MAX; default 1000 */
    uint32_t fps;          /* expected frame rate (1..240); default 30 */
    /* VP8E_SET_CPUUSED for VP9: 0..9, bigger is faster; 5 and above use
     * the non-RD mode decision meant for realtime.  Default 7. */
    int32_t cpu_used;
    uint32_t kf_max_dist;  /* frames between automatic keyframes; default 3000 */
    uint32_t min_q, max_q; /* quantizer range 0..63; default 2..56 */
    int32_t allow_drop;    /* let CBR skip frames under pressure; default 0 */
    uint32_t aq_mode;      /* VP9E_SET_AQ_MODE 0..3; default 3 (cyclic refresh) */
} peerc_vp9enc_config;

typedef struct peerc_vp9enc_stats {
    uint64_t frames_in, frames_encoded, keyframes, dropped, bytes;
    uint64_t keyframes_requested; /* request_keyframe calls honoured */
    uint64_t reinits;             /* libvpx (re)created for a new size */
    uint32_t width, height;       /* current configuration, 0 before the first frame */
    uint32_t bitrate_kbps;        /* target in effect */
} peerc_vp9enc_stats;

void peerc__vp9enc_config_init(peerc_vp9enc_config *cfg);

/* cfg may be NULL for the defaults.  Errors: PEERC_E_INVALID_ARGUMENT
 * (NULL out, fps/quantizers/cpu_used/aq_mode out of range),
 * PEERC_E_NO_MEMORY. */
int peerc__vp9enc_new(const peerc_vp9enc_config *cfg, peerc_vp9enc **out, char *err, size_t errlen);

/* NULL-safe. */
void peerc__vp9enc_free(peerc_vp9enc *e);

/*
 * Encode one picture.  On success *out describes the compressed frame
 * (out->size 0 when rate control dropped it); out->data stays valid until
 * the next encode or free.  out->timestamp_us is in->timestamp_us.
 * Timestamps should increase; equal or decreasing ones are nudged forward
 * by one tick for libvpx, without touching out->timestamp_us.
 * Errors: PEERC_E_INVALID_ARGUMENT / PEERC_E_RANGE (bad picture, see
 * peerc__media_i420_check), PEERC_E_NO_MEMORY, PEERC_E_INTERNAL (libvpx;
 * peerc__vp9enc_last_error says why).
 */
int peerc__vp9enc_encode(peerc_vp9enc *e, const peerc_media_i420 *in, peerc_media_encoded *out);

/* Make the next encoded frame a keyframe.  Any thread. */
void peerc__vp9enc_request_keyframe(peerc_vp9enc *e);

/* New target (clamped to MIN..MAX), applied at the next encode.  Any
 * thread. */
void peerc__vp9enc_set_bitrate(peerc_vp9enc *e, uint32_t kbps);

/* Same thread as encode. */
void peerc__vp9enc_get_stats(const peerc_vp9enc *e, peerc_vp9enc_stats *out);
const char *peerc__vp9enc_last_error(const peerc_vp9enc *e);

#endif

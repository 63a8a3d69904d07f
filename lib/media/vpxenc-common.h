/*
 * What the libvpx encoder wrappers (vp8enc, vp9enc) share: the mapping of
 * capture timestamps to libvpx pts, wrapping the caller's planes, taking
 * the one compressed frame out, controls and bitrate changes.  Errors go
 * to the caller's err buffer with a PEERC_E_* code.
 */
#ifndef PEERC_MEDIA_VPXENC_COMMON_H
#define PEERC_MEDIA_VPXENC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <vpx/vpx_encoder.h>

#include "media/frame.h"

/* RTP's clock for video (RFC 7741 §4.1, RFC 9628 §4.1), so pts map to
 * RTP timestamps. */
#define PEERC_VPX_TIMEBASE 90000

/* pts are relative to the first frame, keeping them small for libvpx. */
typedef struct peerc_vpx_clock {
    int64_t first_ts_us;
    int64_t last_pts;
} peerc_vpx_clock;

/* Timestamp (us, caller's origin) -> strictly increasing pts and this
 * frame's duration; first says this is the stream's first frame. */
void peerc__vpx_timing(peerc_vpx_clock *c, int first, uint32_t fps, int64_t ts_us,
                       vpx_codec_pts_t *pts, unsigned long *duration);

/* Wrap the caller's planes without copying. */
int peerc__vpx_wrap(const peerc_media_i420 *in, vpx_image_t *img, char *err, size_t errlen);

/* The compressed frame of the last encode, copied into *buf (grown as
 * needed): out->data/size/keyframe; size 0 when rate control dropped it.
 * PEERC_E_INTERNAL if libvpx returned several frames for one input. */
int peerc__vpx_collect(vpx_codec_ctx_t *codec, uint8_t **buf, size_t *cap,
                       peerc_media_encoded *out, char *err, size_t errlen);

/* vpx_codec_control for an int-valued control. */
int peerc__vpx_control(vpx_codec_ctx_t *codec, int id, int value, const char *name, char *err,
                       size_t errlen);

/* Apply a new target bitrate if it differs from *applied. */
int peerc__vpx_apply_bitrate(vpx_codec_ctx_t *codec, vpx_codec_enc_cfg_t *vcfg, uint32_t kbps,
                             uint32_t *applied, char *err, size_t errlen);

#endif

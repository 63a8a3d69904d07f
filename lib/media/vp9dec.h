/*
 * VP9 decoder (libvpx) producing I420 pictures, plus peeks into the VP9
 * uncompressed header (VP9 bitstream spec §6.2) that the receive path needs
 * before decoding.
 *
 * Same contract as the VP8 decoder (media/vp8dec.h): it starts by waiting
 * for a keyframe and goes back to waiting after any decode error or a frame
 * libvpx marks corrupt; delta frames are refused with
 * PEERC_E_INVALID_STATE meanwhile (the caller sends a PLI).  A keyframe
 * announcing another size re-creates the libvpx decoder.
 *
 * Only profile 0 (8-bit 4:2:0) is decoded, since pictures leave as I420: a
 * keyframe of another profile is refused with PEERC_E_NOT_SUPPORTED and the
 * decoder keeps waiting.  Intra-only frames and show_existing_frame frames
 * are not keyframes: they need state from earlier frames.
 *
 * Threading: one thread at a time (the codec thread).
 */
#ifndef PEERC_MEDIA_VP9DEC_H
#define PEERC_MEDIA_VP9DEC_H

#include <stddef.h>
#include <stdint.h>

#include "media/frame.h"

typedef struct peerc_vp9dec peerc_vp9dec;

typedef struct peerc_vp9dec_stats {
    uint64_t frames_in, frames_decoded, keyframes;
    uint64_t errors;        /* libvpx refused, marked corrupt, or unsupported profile */
    uint64_t skipped;       /* delta frames refused while waiting for a keyframe */
    uint64_t reinits;       /* libvpx decoder (re)created */
    uint32_t width, height; /* of the last decoded picture */
} peerc_vp9dec_stats;

/* Errors: PEERC_E_INVALID_ARGUMENT, PEERC_E_NO_MEMORY, PEERC_E_INTERNAL. */
int peerc__vp9dec_new(peerc_vp9dec **out, char *err, size_t errlen);

/* NULL-safe. */
void peerc__vp9dec_free(peerc_vp9dec *d);

/*
 * Decode one complete frame (as one RTP frame carries it: a single VP9
 * frame or a superframe).  On success *out is the picture, a view into the
 * decoder valid until the next decode or free, stamped timestamp_us.
 * Errors: PEERC_E_INVALID_ARGUMENT (NULL, empty), PEERC_E_INVALID_STATE (a
 * delta frame while waiting for a keyframe: request one), PEERC_E_SYNTAX
 * (libvpx rejected the data or reported corruption; now waiting for a
 * keyframe), PEERC_E_NOT_SUPPORTED (keyframe of a profile other than 0),
 * PEERC_E_NOT_FOUND (decoded, but nothing to show), PEERC_E_INTERNAL.
 */
int peerc__vp9dec_decode(peerc_vp9dec *d, const uint8_t *data, size_t len, int64_t timestamp_us,
                         peerc_media_i420 *out);

/* Refuse delta frames until the next keyframe (the jitter buffer gave up
 * on a frame). */
void peerc__vp9dec_wait_for_keyframe(peerc_vp9dec *d);

/* 1 while delta frames are refused (start, after an error). */
int peerc__vp9dec_waiting_for_keyframe(const peerc_vp9dec *d);

void peerc__vp9dec_get_stats(const peerc_vp9dec *d, peerc_vp9dec_stats *out);
const char *peerc__vp9dec_last_error(const peerc_vp9dec *d);

/* What a VP9 frame's uncompressed header says (VP9 bitstream spec §6.2,
 * §6.2.1-6.2.3).  Size, bit depth and subsampling are read for keyframes
 * only. */
typedef struct peerc_vp9_frame_info {
    uint8_t profile;             /* 0..3 */
    uint8_t show_existing_frame; /* a 1-byte "show frame n again" frame */
    uint8_t keyframe;            /* frame_type == KEY_FRAME */
    uint8_t show_frame;
    uint8_t error_resilient;
    uint8_t bit_depth;                    /* keyframes: 8, 10 or 12 */
    uint8_t subsampling_x, subsampling_y; /* keyframes: 1, 1 is 4:2:0 */
    uint32_t width, height;               /* keyframes: frame_size, 1..65536 */
} peerc_vp9_frame_info;

/* Parse the start of the uncompressed header.  PEERC_E_SYNTAX for a bad
 * frame marker, a reserved bit set, a keyframe with a wrong sync code
 * (0x49 0x83 0x42), RGB in a 4:2:0 profile, or data ending too early. */
int peerc__vp9dec_peek(const uint8_t *data, size_t len, peerc_vp9_frame_info *out);

/* 1 if data starts a VP9 keyframe with a valid header; 0 otherwise. */
int peerc__vp9dec_is_keyframe(const uint8_t *data, size_t len);

/* Dimensions a keyframe announces (frame_size, not render_size).
 * Errors: PEERC_E_INVALID_ARGUMENT (not a keyframe, too short). */
int peerc__vp9dec_keyframe_size(const uint8_t *data, size_t len, uint32_t *width, uint32_t *height);

#endif

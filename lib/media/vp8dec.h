/*
 * VP8 decoder (libvpx) producing I420 pictures, plus two peeks into the VP8
 * frame header (RFC 6386 §9.1) that the receive path needs before decoding.
 *
 * The decoder starts by waiting for a keyframe and goes back to waiting
 * after any decode error or a frame libvpx marks corrupt: a delta frame
 * decoded on top of a broken reference only spreads garbage, so it is
 * refused with PEERC_E_INVALID_STATE, which tells the caller to ask for a
 * keyframe (PLI).  A keyframe announcing another size re-creates the libvpx
 * decoder rather than relying on its in-place resize.
 *
 * Threading: one thread at a time (the codec thread).
 */
#ifndef PEERC_MEDIA_VP8DEC_H
#define PEERC_MEDIA_VP8DEC_H

#include <stddef.h>
#include <stdint.h>

#include "media/frame.h"

typedef struct peerc_vp8dec peerc_vp8dec;

typedef struct peerc_vp8dec_stats {
    uint64_t frames_in, frames_decoded, keyframes;
    uint64_t errors;        /* libvpx refused or marked corrupt */
    uint64_t skipped;       /* delta frames refused while waiting for a keyframe */
    uint64_t reinits;       /* libvpx decoder (re)created */
    uint32_t width, height; /* of the last decoded picture */
} peerc_vp8dec_stats;

/* Errors: PEERC_E_INVALID_ARGUMENT, PEERC_E_NO_MEMORY, PEERC_E_INTERNAL. */
int peerc__vp8dec_new(peerc_vp8dec **out, char *err, size_t errlen);

/* NULL-safe. */
void peerc__vp8dec_free(peerc_vp8dec *d);

/*
 * Decode one complete frame.  On success *out is the picture, a view into
 * the decoder valid until the next decode or free, stamped timestamp_us.
 * Errors: PEERC_E_INVALID_ARGUMENT (NULL, empty), PEERC_E_INVALID_STATE (a
 * delta frame while waiting for a keyframe: request one), PEERC_E_SYNTAX
 * (libvpx rejected the data or reported corruption; now waiting for a
 * keyframe), PEERC_E_NOT_FOUND (decoded, but nothing to show),
 * PEERC_E_INTERNAL.
 */
int peerc__vp8dec_decode(peerc_vp8dec *d, const uint8_t *data, size_t len, int64_t timestamp_us,
                         peerc_media_i420 *out);

/* Refuse delta frames until the next keyframe.  VP8 frames carry no
 * sequence number, so the decoder cannot see a lost frame itself: the
 * jitter buffer calls this when it gives up on one (then sends a PLI). */
void peerc__vp8dec_wait_for_keyframe(peerc_vp8dec *d);

/* 1 while delta frames are refused (start, after an error). */
int peerc__vp8dec_waiting_for_keyframe(const peerc_vp8dec *d);

void peerc__vp8dec_get_stats(const peerc_vp8dec *d, peerc_vp8dec_stats *out);
const char *peerc__vp8dec_last_error(const peerc_vp8dec *d);

/* 1 if data starts a VP8 keyframe: P bit clear in the frame tag and the
 * 0x9d 0x01 0x2a start code present (RFC 6386 §9.1); 0 otherwise. */
int peerc__vp8dec_is_keyframe(const uint8_t *data, size_t len);

/* Dimensions a keyframe announces (scaling bits ignored).
 * Errors: PEERC_E_INVALID_ARGUMENT (not a keyframe, too short). */
int peerc__vp8dec_keyframe_size(const uint8_t *data, size_t len, uint32_t *width, uint32_t *height);

#endif

/*
 * Raw and encoded media frames shared by the codec wrappers, the built-in
 * sources and (later) the tracks.
 *
 * Video is I420 (planar Y, then U and V subsampled 2x2, rounded up: a
 * 641x481 picture has 321x241 chroma planes), the format libvpx and the
 * browsers' capture pipelines use.  A peerc_media_i420 is a view: it never
 * owns its planes, and whoever hands one out says how long it stays valid.
 */
#ifndef PEERC_MEDIA_FRAME_H
#define PEERC_MEDIA_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* VP8 carries 14-bit dimensions (RFC 6386 §9.1); nothing larger is useful. */
#define PEERC_MEDIA_MAX_DIM 16383

typedef struct peerc_media_i420 {
    uint32_t width, height;
    const uint8_t *y, *u, *v;
    int32_t stride_y, stride_u, stride_v; /* bytes per row, positive */
    int64_t timestamp_us;                 /* capture time, any origin */
} peerc_media_i420;

/* An owned, contiguous picture: the writable planes plus a view of them. */
typedef struct peerc_media_i420_buf {
    peerc_media_i420 view;
    uint8_t *y, *u, *v;
    uint8_t *data;
    size_t size; /* bytes allocated at data (reused when a smaller picture fits) */
} peerc_media_i420_buf;

/* One compressed frame; data is owned by whoever produced it. */
typedef struct peerc_media_encoded {
    const uint8_t *data;
    size_t size; /* 0: the encoder dropped this frame */
    int32_t keyframe;
    uint32_t width, height;
    int64_t timestamp_us; /* the input frame's */
} peerc_media_encoded;

static inline uint32_t peerc__media_chroma_dim(uint32_t luma)
{
    return (luma + 1) / 2;
}

/* Errors: PEERC_E_INVALID_ARGUMENT (NULL planes, stride shorter than a
 * row), PEERC_E_RANGE (a dimension 0 or above PEERC_MEDIA_MAX_DIM). */
int peerc__media_i420_check(const peerc_media_i420 *f);

/* Allocate (or reallocate, keeping nothing) b for width x height with
 * tight strides; b starts zeroed or from a previous alloc.
 * Errors: PEERC_E_RANGE, PEERC_E_NO_MEMORY. */
int peerc__media_i420_buf_alloc(peerc_media_i420_buf *b, uint32_t width, uint32_t height);
void peerc__media_i420_buf_free(peerc_media_i420_buf *b);

#endif

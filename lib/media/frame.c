/* I420 views and owned buffers; see frame.h. */
#include "media/frame.h"

#include <peerc/common.h>

#include <stdlib.h>
#include <string.h>

int peerc__media_i420_check(const peerc_media_i420 *f)
{
    if (!f || !f->y || !f->u || !f->v)
        return PEERC_E_INVALID_ARGUMENT;
    if (f->width == 0 || f->height == 0 || f->width > PEERC_MEDIA_MAX_DIM ||
        f->height > PEERC_MEDIA_MAX_DIM)
        return PEERC_E_RANGE;
    uint32_t cw = peerc__media_chroma_dim(f->width);
    if (f->stride_y <= 0 || f->stride_u <= 0 || f->stride_v <= 0 ||
        (uint32_t)f->stride_y < f->width || (uint32_t)f->stride_u < cw ||
        (uint32_t)f->stride_v < cw)
        return PEERC_E_INVALID_ARGUMENT;
    return PEERC_OK;
}

int peerc__media_i420_buf_alloc(peerc_media_i420_buf *b, uint32_t width, uint32_t height)
{
    if (!b)
        return PEERC_E_INVALID_ARGUMENT;
    if (width == 0 || height == 0 || width > PEERC_MEDIA_MAX_DIM || height > PEERC_MEDIA_MAX_DIM)
        return PEERC_E_RANGE;
    size_t ysz = (size_t)width * height;
    size_t cw = peerc__media_chroma_dim(width), ch = peerc__media_chroma_dim(height);
    size_t size = ysz + 2 * cw * ch;
    if (size > b->size || !b->data) {
        uint8_t *d = malloc(size);
        if (!d)
            return PEERC_E_NO_MEMORY;
        free(b->data);
        b->data = d;
        b->size = size;
    }
    b->y = b->data;
    b->u = b->y + ysz;
    b->v = b->u + cw * ch;
    memset(&b->view, 0, sizeof b->view);
    b->view.width = width;
    b->view.height = height;
    b->view.y = b->y;
    b->view.u = b->u;
    b->view.v = b->v;
    b->view.stride_y = (int32_t)width;
    b->view.stride_u = (int32_t)cw;
    b->view.stride_v = (int32_t)cw;
    return PEERC_OK;
}

void peerc__media_i420_buf_free(peerc_media_i420_buf *b)
{
    if (!b)
        return;
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* Pieces shared by the libvpx encoder wrappers; see vpxenc-common.h. */
#include "media/vpxenc-common.h"

#include <peerc/common.h>

#include "core/error.h"

#include <stdlib.h>
#include <string.h>

void peerc__vpx_timing(peerc_vpx_clock *c, int first, uint32_t fps, int64_t ts_us,
                       vpx_codec_pts_t *pts, unsigned long *duration)
{
    int64_t rel, p;
    if (first)
        c->first_ts_us = ts_us;
    if (__builtin_sub_overflow(ts_us, c->first_ts_us, &rel) || rel < 0)
        rel = 0;
    p = rel / 1000000 * PEERC_VPX_TIMEBASE + rel % 1000000 * PEERC_VPX_TIMEBASE / 1000000;
    if (first) {
        *duration = PEERC_VPX_TIMEBASE / fps;
        p = 0;
    } else {
        int64_t d;
        if (p <= c->last_pts)
            p = c->last_pts + 1;
        d = p - c->last_pts;
        /* A long pause must not hand rate control a second of budget. */
        *duration = (unsigned long)(d > PEERC_VPX_TIMEBASE ? PEERC_VPX_TIMEBASE : d);
    }
    c->last_pts = p;
    *pts = p;
}

int peerc__vpx_wrap(const peerc_media_i420 *in, vpx_image_t *img, char *err, size_t errlen)
{
    /* vpx_img_wrap only fills in the geometry; planes and strides are set here. */
    if (!vpx_img_wrap(img, VPX_IMG_FMT_I420, in->width, in->height, 1, (unsigned char *)in->y))
        return peerc__errorf(err, errlen, PEERC_E_INTERNAL, "vpx_img_wrap failed");
    img->planes[VPX_PLANE_Y] = (unsigned char *)in->y;
    img->planes[VPX_PLANE_U] = (unsigned char *)in->u;
    img->planes[VPX_PLANE_V] = (unsigned char *)in->v;
    img->stride[VPX_PLANE_Y] = in->stride_y;
    img->stride[VPX_PLANE_U] = in->stride_u;
    img->stride[VPX_PLANE_V] = in->stride_v;
    return PEERC_OK;
}

int peerc__vpx_collect(vpx_codec_ctx_t *codec, uint8_t **buf, size_t *cap,
                       peerc_media_encoded *out, char *err, size_t errlen)
{
    vpx_codec_iter_t iter = NULL;
    const vpx_codec_cx_pkt_t *pkt;
    int frames = 0;
    while ((pkt = vpx_codec_get_cx_data(codec, &iter)) != NULL) {
        size_t n;
        if (pkt->kind != VPX_CODEC_CX_FRAME_PKT)
            continue;
        /* Lag 0, one layer, no partitions: one frame per input (VP9: never
         * a superframe of several). */
        if (++frames > 1)
            return peerc__errorf(err, errlen, PEERC_E_INTERNAL,
                                 "libvpx returned several frames for one input");
        n = pkt->data.frame.sz;
        if (n > *cap) {
            uint8_t *b = realloc(*buf, n);
            if (!b)
                return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
            *buf = b;
            *cap = n;
        }
        memcpy(*buf, pkt->data.frame.buf, n);
        out->data = *buf;
        out->size = n;
        out->keyframe = (pkt->data.frame.flags & VPX_FRAME_IS_KEY) != 0;
    }
    return PEERC_OK;
}

int peerc__vpx_control(vpx_codec_ctx_t *codec, int id, int value, const char *name, char *err,
                       size_t errlen)
{
    /* vpx_codec_control is variadic on the id's type; every control we set
     * takes an int or unsigned int. */
    if (vpx_codec_control_(codec, id, value) != VPX_CODEC_OK) {
        const char *detail = vpx_codec_error_detail(codec);
        return peerc__errorf(err, errlen, PEERC_E_INTERNAL, "%s: %s", name,
                             detail ? detail : vpx_codec_error(codec));
    }
    return PEERC_OK;
}

int peerc__vpx_apply_bitrate(vpx_codec_ctx_t *codec, vpx_codec_enc_cfg_t *vcfg, uint32_t kbps,
                             uint32_t *applied, char *err, size_t errlen)
{
    vpx_codec_err_t verr;
    if (kbps == *applied)
        return PEERC_OK;
    vcfg->rc_target_bitrate = kbps;
    verr = vpx_codec_enc_config_set(codec, vcfg);
    if (verr != VPX_CODEC_OK)
        return peerc__errorf(err, errlen, PEERC_E_INTERNAL, "bitrate %u kbps refused: %s", kbps,
                             vpx_codec_err_to_string(verr));
    *applied = kbps;
    return PEERC_OK;
}

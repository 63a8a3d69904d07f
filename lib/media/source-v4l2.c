/*
 * Camera capture through Video4Linux2 with memory-mapped streaming I/O,
 * the path every UVC webcam driver supports.
 *
 * We ask for the configured size and take what the driver settles on (a
 * camera offers a fixed list of modes; the frames carry their real size).
 * Uncompressed YUV formats are converted to I420 in place of linking a
 * conversion library: YU12 needs nothing, YV12 only swapped planes, NV12
 * and YUYV a few lines each.  MJPEG would need a JPEG decoder, so a camera
 * that offers nothing else is reported as NotSupportedError.
 */
#include "media/source.h"

#include <peerc/common.h>

#include "core/error.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/videodev2.h>

#define LOG "media"
#define V4L2_BUFFERS 4
/* Only bounds a wait that stop ends early through the wake pipe. */
#define POLL_TIMEOUT_MS 1000

typedef struct mapping {
    void *start;
    size_t length;
} mapping;

typedef struct v4l2_src {
    int fd;
    const char *device; /* owned by the source, outlives us */
    uint32_t fourcc, width, height, bytesperline;
    mapping bufs[V4L2_BUFFERS];
    unsigned nbufs;
    bool streaming;
    peerc_media_i420_buf out;
} v4l2_src;

/* Converters */

void peerc__source_yuyv_to_i420(const uint8_t *src, size_t stride, peerc_media_i420_buf *dst)
{
    uint32_t w = dst->view.width, h = dst->view.height;
    uint32_t cw = peerc__media_chroma_dim(w), ch = peerc__media_chroma_dim(h);
    for (uint32_t r = 0; r < h; r++) {
        const uint8_t *p = src + (size_t)r * stride;
        uint8_t *y = dst->y + (size_t)r * (size_t)dst->view.stride_y;
        for (uint32_t x = 0; x < w; x++)
            y[x] = p[2 * (size_t)x];
    }
    /* YUYV carries chroma for every row (4:2:2); I420 keeps one row in
     * two, so average each pair rather than drop half of the samples. */
    for (uint32_t r = 0; r < ch; r++) {
        const uint8_t *a = src + (size_t)(2 * r) * stride;
        const uint8_t *b = 2 * r + 1 < h ? a + stride : a;
        uint8_t *u = dst->u + (size_t)r * (size_t)dst->view.stride_u;
        uint8_t *v = dst->v + (size_t)r * (size_t)dst->view.stride_v;
        for (uint32_t c = 0; c < cw; c++) {
            u[c] = (uint8_t)((a[4 * (size_t)c + 1] + b[4 * (size_t)c + 1] + 1) >> 1);
            v[c] = (uint8_t)((a[4 * (size_t)c + 3] + b[4 * (size_t)c + 3] + 1) >> 1);
        }
    }
}

void peerc__source_nv12_to_i420(const uint8_t *y, size_t y_stride, const uint8_t *uv,
                                size_t uv_stride, peerc_media_i420_buf *dst)
{
    uint32_t w = dst->view.width, h = dst->view.height;
    uint32_t cw = peerc__media_chroma_dim(w), ch = peerc__media_chroma_dim(h);
    for (uint32_t r = 0; r < h; r++)
        memcpy(dst->y + (size_t)r * (size_t)dst->view.stride_y, y + (size_t)r * y_stride, w);
    for (uint32_t r = 0; r < ch; r++) {
        const uint8_t *p = uv + (size_t)r * uv_stride;
        uint8_t *u = dst->u + (size_t)r * (size_t)dst->view.stride_u;
        uint8_t *v = dst->v + (size_t)r * (size_t)dst->view.stride_v;
        for (uint32_t c = 0; c < cw; c++) {
            u[c] = p[2 * (size_t)c];
            v[c] = p[2 * (size_t)c + 1];
        }
    }
}

/* Device handling */

static int xioctl(int fd, unsigned long req, void *arg)
{
    int rc;
    do
        rc = ioctl(fd, req, arg);
    while (rc < 0 && errno == EINTR);
    return rc;
}

static const char *fourcc_str(uint32_t f, char buf[5])
{
    for (int i = 0; i < 4; i++) {
        char c = (char)((f >> (8 * i)) & 0xff);
        buf[i] = c >= 32 && c < 127 ? c : '?';
    }
    buf[4] = '\0';
    return buf;
}

/* The getUserMedia() error for a failed open/ioctl. */
static int errno_code(int e)
{
    switch (e) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
        return PEERC_E_NOT_FOUND;
    case EACCES:
    case EPERM:
        return PEERC_E_NOT_ALLOWED;
    default:
        return PEERC_E_OPERATION; /* EBUSY and I/O errors */
    }
}

static int errno_error(const v4l2_src *c, const char *what, int e, char *err, size_t errlen)
{
    const char *why = e == ENOENT || e == ENODEV || e == ENXIO ? "no such device"
                      : e == EACCES || e == EPERM              ? "permission denied"
                      : e == EBUSY                             ? "device busy"
                                                               : "I/O error";
    return peerc__errorf(err, errlen, errno_code(e), "camera %s: %s: %s (%s)", c->device, what,
                         why, strerror(e));
}

/* Bytes a frame of fourcc at the negotiated size needs, or 0 when the
 * driver's layout (bytesperline) cannot hold it. */
static size_t frame_bytes(uint32_t fourcc, uint32_t w, uint32_t h, uint32_t bpl)
{
    size_t cw = peerc__media_chroma_dim(w), ch = peerc__media_chroma_dim(h);
    switch (fourcc) {
    case V4L2_PIX_FMT_YUV420:
    case V4L2_PIX_FMT_YVU420:
        if (bpl < w || bpl / 2 < cw)
            return 0;
        return (size_t)bpl * h + 2 * (size_t)(bpl / 2) * ch;
    case V4L2_PIX_FMT_NV12:
        if (bpl < 2 * cw)
            return 0;
        return (size_t)bpl * h + (size_t)bpl * ch;
    case V4L2_PIX_FMT_YUYV:
        if (bpl < 4 * cw)
            return 0;
        return (size_t)bpl * h;
    }
    return 0;
}

/* Formats we convert, cheapest first. */
static const uint32_t wanted_formats[] = {V4L2_PIX_FMT_YUV420, V4L2_PIX_FMT_YVU420,
                                          V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_YUYV};
#define N_WANTED (sizeof(wanted_formats) / sizeof(wanted_formats[0]))

/* Which of wanted_formats the device lists; *compressed_only when it
 * offers only compressed ones (MJPEG), to say so in the error. */
static unsigned offered_formats(int fd, bool offered[N_WANTED], char *list, size_t listlen,
                                bool *compressed_only)
{
    unsigned n = 0, total = 0, compressed = 0;
    size_t used = 0;
    list[0] = '\0';
    for (uint32_t i = 0;; i++) {
        struct v4l2_fmtdesc d = {.index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
        char fc[5];
        if (xioctl(fd, VIDIOC_ENUM_FMT, &d) < 0 || i > 64)
            break;
        total++;
        if (d.flags & V4L2_FMT_FLAG_COMPRESSED)
            compressed++;
        for (unsigned k = 0; k < N_WANTED; k++)
            if (d.pixelformat == wanted_formats[k] && !offered[k]) {
                offered[k] = true;
                n++;
            }
        if (used + 6 < listlen) {
            int w = snprintf(list + used, listlen - used, "%s%s", used ? " " : "",
                             fourcc_str(d.pixelformat, fc));
            if (w > 0)
                used += (size_t)w;
        }
    }
    *compressed_only = total > 0 && compressed == total;
    return n;
}

static int check_caps(v4l2_src *c, char *err, size_t errlen)
{
    struct v4l2_capability cap;
    memset(&cap, 0, sizeof(cap));
    if (xioctl(c->fd, VIDIOC_QUERYCAP, &cap) < 0)
        return peerc__errorf(err, errlen, PEERC_E_NOT_FOUND, "camera %s: not a V4L2 device (%s)",
                             c->device, strerror(errno));
    /* capabilities describes the whole physical device; device_caps this
     * node, which is what we open (a UVC camera also has a metadata node). */
    uint32_t caps = cap.capabilities & V4L2_CAP_DEVICE_CAPS ? cap.device_caps : cap.capabilities;
    if (!(caps & V4L2_CAP_VIDEO_CAPTURE))
        return peerc__errorf(err, errlen, PEERC_E_NOT_FOUND,
                             "camera %s (%.32s): not a video capture device%s", c->device,
                             (const char *)cap.card,
                             caps & V4L2_CAP_VIDEO_CAPTURE_MPLANE
                                 ? " (multi-planar capture is not supported)"
                                 : "");
    if (!(caps & V4L2_CAP_STREAMING))
        return peerc__errorf(err, errlen, PEERC_E_NOT_SUPPORTED,
                             "camera %s (%.32s): no streaming I/O", c->device,
                             (const char *)cap.card);
    return PEERC_OK;
}

/* Try each offered format at the requested size until the driver keeps one
 * whose layout we understand. */
static int negotiate(v4l2_src *c, const peerc_source_config *cfg, char *err, size_t errlen)
{
    bool offered[N_WANTED] = {false};
    bool compressed_only = false;
    char list[96], fc[5];
    if (offered_formats(c->fd, offered, list, sizeof(list), &compressed_only) == 0) {
        if (compressed_only)
            return peerc__errorf(err, errlen, PEERC_E_NOT_SUPPORTED,
                                 "camera %s offers only compressed formats (%s); MJPEG "
                                 "decoding is not supported",
                                 c->device, list);
        return peerc__errorf(err, errlen, PEERC_E_NOT_SUPPORTED,
                             "camera %s: no pixel format we can convert (offers: %s; "
                             "supported: YU12 YV12 NV12 YUYV)",
                             c->device, list[0] ? list : "none");
    }
    for (unsigned k = 0; k < N_WANTED; k++) {
        if (!offered[k])
            continue;
        struct v4l2_format f;
        memset(&f, 0, sizeof(f));
        f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        f.fmt.pix.width = cfg->width;
        f.fmt.pix.height = cfg->height;
        f.fmt.pix.pixelformat = wanted_formats[k];
        f.fmt.pix.field = V4L2_FIELD_NONE; /* progressive: we do not deinterlace */
        if (xioctl(c->fd, VIDIOC_S_FMT, &f) < 0) {
            /* Busy (another program streams) ends the search; a driver
             * that refuses one format may still take the next. */
            if (errno == EBUSY || errno == ENODEV)
                return errno_error(c, "setting the format", errno, err, errlen);
            PEERC_DEBUG(LOG, "camera %s: %s refused: %s", c->device,
                        fourcc_str(wanted_formats[k], fc), strerror(errno));
            continue;
        }
        uint32_t w = f.fmt.pix.width, h = f.fmt.pix.height, bpl = f.fmt.pix.bytesperline;
        if (f.fmt.pix.pixelformat != wanted_formats[k] || w == 0 || h == 0 ||
            w > PEERC_MEDIA_MAX_DIM || h > PEERC_MEDIA_MAX_DIM)
            continue;
        if (bpl == 0) /* some drivers leave it to us: tightly packed */
            bpl = wanted_formats[k] == V4L2_PIX_FMT_YUYV ? 4 * peerc__media_chroma_dim(w)
                  : wanted_formats[k] == V4L2_PIX_FMT_NV12 ? 2 * peerc__media_chroma_dim(w)
                                                           : w;
        if (frame_bytes(wanted_formats[k], w, h, bpl) == 0)
            continue;
        c->fourcc = wanted_formats[k];
        c->width = w;
        c->height = h;
        c->bytesperline = bpl;
        if (w != cfg->width || h != cfg->height)
            PEERC_INFO(LOG, "camera %s: asked for %ux%u, got %ux%u %s", c->device, cfg->width,
                       cfg->height, w, h, fourcc_str(c->fourcc, fc));
        return PEERC_OK;
    }
    return peerc__errorf(err, errlen, PEERC_E_NOT_SUPPORTED,
                         "camera %s: the driver refused every format we can convert (%s)",
                         c->device, list);
}

/* Ask for the frame rate; a camera that cannot set it runs at its own. */
static void set_rate(v4l2_src *c, uint32_t fps)
{
    struct v4l2_streamparm p;
    memset(&p, 0, sizeof(p));
    p.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (xioctl(c->fd, VIDIOC_G_PARM, &p) < 0 || !(p.parm.capture.capability & V4L2_CAP_TIMEPERFRAME))
        return;
    p.parm.capture.timeperframe.numerator = 1;
    p.parm.capture.timeperframe.denominator = fps;
    if (xioctl(c->fd, VIDIOC_S_PARM, &p) < 0)
        PEERC_DEBUG(LOG, "camera %s: cannot set %u fps: %s", c->device, fps, strerror(errno));
}

static int map_buffers(v4l2_src *c, char *err, size_t errlen)
{
    struct v4l2_requestbuffers req = {
        .count = V4L2_BUFFERS, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
    if (xioctl(c->fd, VIDIOC_REQBUFS, &req) < 0)
        return errno_error(c, "requesting buffers", errno, err, errlen);
    /* Two buffers let the driver fill one while we convert the other. */
    if (req.count < 2 || req.count > V4L2_BUFFERS)
        return peerc__errorf(err, errlen, PEERC_E_OPERATION, "camera %s: driver gave %u buffers",
                             c->device, req.count);
    for (unsigned i = 0; i < req.count; i++) {
        struct v4l2_buffer b = {
            .index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
        if (xioctl(c->fd, VIDIOC_QUERYBUF, &b) < 0)
            return errno_error(c, "querying a buffer", errno, err, errlen);
        void *p = mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, b.m.offset);
        if (p == MAP_FAILED)
            return errno_error(c, "mapping a buffer", errno, err, errlen);
        c->bufs[i].start = p;
        c->bufs[i].length = b.length;
        c->nbufs = i + 1;
        if (xioctl(c->fd, VIDIOC_QBUF, &b) < 0)
            return errno_error(c, "queueing a buffer", errno, err, errlen);
    }
    return PEERC_OK;
}

static void v4l2_close(void *impl)
{
    v4l2_src *c = impl;
    if (!c)
        return;
    if (c->streaming) {
        enum v4l2_buf_type t = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        xioctl(c->fd, VIDIOC_STREAMOFF, &t);
    }
    for (unsigned i = 0; i < c->nbufs; i++)
        munmap(c->bufs[i].start, c->bufs[i].length);
    if (c->fd >= 0)
        close(c->fd);
    peerc__media_i420_buf_free(&c->out);
    free(c);
}

static int v4l2_open(const peerc_source_config *cfg, void **impl, char *err, size_t errlen)
{
    v4l2_src *c = calloc(1, sizeof(*c));
    if (!c)
        return peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    c->device = cfg->device;
    /* Non-blocking so the capture thread can wait in poll() together with
     * the stop pipe. */
    c->fd = open(cfg->device, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    int rc;
    if (c->fd < 0)
        rc = errno_error(c, "open", errno, err, errlen);
    else if ((rc = check_caps(c, err, errlen)) == PEERC_OK &&
             (rc = negotiate(c, cfg, err, errlen)) == PEERC_OK) {
        set_rate(c, cfg->fps);
        rc = map_buffers(c, err, errlen);
    }
    if (rc == PEERC_OK && peerc__media_i420_buf_alloc(&c->out, c->width, c->height) != PEERC_OK)
        rc = peerc__errorf(err, errlen, PEERC_E_NO_MEMORY, "out of memory");
    if (rc == PEERC_OK) {
        enum v4l2_buf_type t = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        if (xioctl(c->fd, VIDIOC_STREAMON, &t) < 0)
            rc = errno_error(c, "starting capture", errno, err, errlen);
        else
            c->streaming = true;
    }
    if (rc != PEERC_OK) {
        v4l2_close(c);
        return rc;
    }
    char fc[5];
    PEERC_INFO(LOG, "camera %s: %ux%u %s, %u buffers", c->device, c->width, c->height,
               fourcc_str(c->fourcc, fc), c->nbufs);
    *impl = c;
    return PEERC_OK;
}

/* A view of a planar buffer, or of the converted copy of a packed one. */
static void to_i420(v4l2_src *c, const uint8_t *p, peerc_media_i420 *view)
{
    uint32_t bpl = c->bytesperline, h = c->height;
    size_t ch = peerc__media_chroma_dim(h);
    switch (c->fourcc) {
    case V4L2_PIX_FMT_YUV420:
    case V4L2_PIX_FMT_YVU420: {
        const uint8_t *first = p + (size_t)bpl * h, *second = first + (size_t)(bpl / 2) * ch;
        bool yvu = c->fourcc == V4L2_PIX_FMT_YVU420;
        *view = (peerc_media_i420){.width = c->width,
                                   .height = h,
                                   .y = p,
                                   .u = yvu ? second : first,
                                   .v = yvu ? first : second,
                                   .stride_y = (int32_t)bpl,
                                   .stride_u = (int32_t)(bpl / 2),
                                   .stride_v = (int32_t)(bpl / 2)};
        return;
    }
    case V4L2_PIX_FMT_NV12:
        peerc__source_nv12_to_i420(p, bpl, p + (size_t)bpl * h, bpl, &c->out);
        break;
    default:
        peerc__source_yuyv_to_i420(p, bpl, &c->out);
        break;
    }
    *view = c->out.view;
}

/* Drivers stamp buffers on CLOCK_MONOTONIC (when they say so) at the
 * moment of capture, which beats our dequeue time by the queueing delay. */
static int64_t buffer_time(const struct v4l2_buffer *b)
{
    int64_t t = (int64_t)b->timestamp.tv_sec * 1000000 + b->timestamp.tv_usec;
    if ((b->flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) == V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC && t > 0)
        return t;
    return peerc__source_now_us();
}

static int v4l2_capture(peerc_source *s, void *impl, int wake_fd, char *err, size_t errlen)
{
    v4l2_src *c = impl;
    struct pollfd fds[2] = {{.fd = c->fd, .events = POLLIN}, {.fd = wake_fd, .events = POLLIN}};
    int n = poll(fds, 2, POLL_TIMEOUT_MS);
    if (n < 0)
        return errno == EINTR ? PEERC_OK : errno_error(c, "poll", errno, err, errlen);
    if (n == 0 || fds[1].revents)
        return PEERC_OK; /* a stalled camera, or stop: the caller decides */

    struct v4l2_buffer b = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
    if (xioctl(c->fd, VIDIOC_DQBUF, &b) < 0) {
        if (errno == EAGAIN && !(fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)))
            return PEERC_OK;
        /* ENODEV when the camera is unplugged. */
        return errno_error(c, "capturing", errno == EAGAIN ? EIO : errno, err, errlen);
    }
    if (b.index >= c->nbufs)
        return peerc__errorf(err, errlen, PEERC_E_INTERNAL, "camera %s: buffer %u of %u",
                             c->device, b.index, c->nbufs);
    size_t used = b.bytesused ? b.bytesused : c->bufs[b.index].length;
    size_t need = frame_bytes(c->fourcc, c->width, c->height, c->bytesperline);
    if ((b.flags & V4L2_BUF_FLAG_ERROR) || used < need || c->bufs[b.index].length < need) {
        /* A corrupted or short frame: drop it, as browsers do. */
        PEERC_DEBUG(LOG, "camera %s: dropped a bad frame (%zu of %zu bytes)", c->device, used,
                    need);
    } else {
        peerc_media_i420 view;
        to_i420(c, c->bufs[b.index].start, &view);
        view.timestamp_us = buffer_time(&b);
        peerc__source_deliver_video(s, &view);
    }
    if (xioctl(c->fd, VIDIOC_QBUF, &b) < 0)
        return errno_error(c, "requeueing a buffer", errno, err, errlen);
    return PEERC_OK;
}

const peerc__source_backend peerc__source_v4l2_backend = {
    .name = "camera",
    .open = v4l2_open,
    .capture = v4l2_capture,
    .close = v4l2_close,
};

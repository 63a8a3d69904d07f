/* Test-pattern video source and its frame-number reader; see testsrc.h. */
#include "media/testsrc.h"

#include <peerc/common.h>

#include <stdlib.h>
#include <string.h>

/* BT.601 limited range: black and white that survive any range handling. */
#define Y_BLACK 16
#define Y_WHITE 235
#define CODE_CELLS 32
#define CRC_BITS 8

struct peerc_testsrc_video {
    uint32_t width, height, fps;
    uint32_t next;
    peerc_media_i420_buf buf;
};

/* 5x7 digits, one row per byte, bit 4 = leftmost column. */
static const uint8_t font[10][7] = {
    {0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e}, {0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e},
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f}, {0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e},
    {0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02}, {0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e},
    {0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e}, {0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08},
    {0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e}, {0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c},
};

/* Colour bars (white, yellow, cyan, green, magenta, red, blue, black) as
 * BT.601 limited-range Y, U, V. */
static const uint8_t bars[8][3] = {
    {235, 128, 128}, {210, 16, 146}, {170, 166, 16}, {145, 54, 34},
    {106, 202, 222}, {81, 90, 240},  {41, 240, 110}, {16, 128, 128},
};

static int size_ok(uint32_t w, uint32_t h)
{
    return w >= PEERC_TESTSRC_MIN_WIDTH && h >= PEERC_TESTSRC_MIN_HEIGHT &&
           w <= PEERC_MEDIA_MAX_DIM && h <= PEERC_MEDIA_MAX_DIM;
}

/* Rows of the code band: 1/16 of the height, at least 8, even so the
 * chroma rows line up. */
static uint32_t band_rows(uint32_t h)
{
    uint32_t b = h / 16;
    return (b < 8 ? 8 : b) & ~1u;
}

/* CRC-8, polynomial x^8+x^2+x+1 (0x07), over the number's three bytes.
 * The non-zero init and final XOR make all-black and all-white bands
 * (blank or saturated pictures) invalid codes rather than 0 or 2^24-1. */
static uint8_t crc8(uint32_t v)
{
    uint8_t crc = 0xff;
    for (int i = 2; i >= 0; i--) {
        crc ^= (uint8_t)(v >> (8 * i));
        for (int b = 0; b < 8; b++)
            crc = (uint8_t)(crc & 0x80 ? (crc << 1) ^ 0x07 : crc << 1);
    }
    return crc ^ 0x55;
}

/* The 32 code bits: number (24, MSB first) then its CRC (8). */
static uint32_t code_word(uint32_t number)
{
    uint32_t n = number & ((1u << PEERC_TESTSRC_NUMBER_BITS) - 1);
    return (n << CRC_BITS) | crc8(n);
}

static void fill_rect(uint8_t *plane, int32_t stride, uint32_t x, uint32_t y, uint32_t w,
                      uint32_t h, uint8_t value)
{
    for (uint32_t r = 0; r < h; r++)
        memset(plane + (size_t)(y + r) * (size_t)stride + x, value, w);
}

/* Grey chroma under a luma rectangle, so black and white stay neutral
 * instead of taking the bars' colour. */
static void neutral_chroma(peerc_media_i420_buf *b, uint32_t w, uint32_t x, uint32_t y, uint32_t rw,
                           uint32_t rh)
{
    uint32_t cw = peerc__media_chroma_dim(w);
    uint32_t cx = x / 2, cy = y / 2;
    uint32_t cx1 = (x + rw + 1) / 2, cy1 = (y + rh + 1) / 2;
    fill_rect(b->u, (int32_t)cw, cx, cy, cx1 - cx, cy1 - cy, 128);
    fill_rect(b->v, (int32_t)cw, cx, cy, cx1 - cx, cy1 - cy, 128);
}

/* Position on a bounce between 0 and range. */
static uint32_t bounce(uint64_t t, uint32_t range)
{
    if (range == 0)
        return 0;
    uint64_t p = t % (2ull * range);
    return (uint32_t)(p < range ? p : 2ull * range - p);
}

static void draw_background(peerc_media_i420_buf *b, uint32_t w, uint32_t h, uint32_t top,
                            uint32_t n)
{
    uint32_t cw = peerc__media_chroma_dim(w), ch = peerc__media_chroma_dim(h);
    uint64_t shift = (uint64_t)n * 4; /* bars scroll 4 pixels a frame */
    uint8_t *row = b->y + (size_t)top * w;
    for (uint32_t x = 0; x < w; x++)
        row[x] = bars[((x + shift) * 8 / w) % 8][0];
    for (uint32_t y = top + 1; y < h; y++)
        memcpy(b->y + (size_t)y * w, row, w);
    uint8_t *urow = b->u + (size_t)(top / 2) * cw, *vrow = b->v + (size_t)(top / 2) * cw;
    for (uint32_t x = 0; x < cw; x++) {
        const uint8_t *c = bars[((2 * x + shift) * 8 / w) % 8];
        urow[x] = c[1];
        vrow[x] = c[2];
    }
    for (uint32_t y = top / 2 + 1; y < ch; y++) {
        memcpy(b->u + (size_t)y * cw, urow, cw);
        memcpy(b->v + (size_t)y * cw, vrow, cw);
    }
}

static void draw_code(peerc_media_i420_buf *b, uint32_t w, uint32_t band, uint32_t number)
{
    uint32_t cell = w / CODE_CELLS, word = code_word(number);
    uint32_t cw = peerc__media_chroma_dim(w);
    fill_rect(b->y, (int32_t)w, 0, 0, w, band, 128);
    for (int i = 0; i < CODE_CELLS; i++) {
        int bit = (word >> (CODE_CELLS - 1 - i)) & 1;
        fill_rect(b->y, (int32_t)w, (uint32_t)i * cell, 0, cell, band, bit ? Y_WHITE : Y_BLACK);
    }
    /* Neutral chroma: colour must not bleed into the cells' luma. */
    fill_rect(b->u, (int32_t)cw, 0, 0, cw, band / 2, 128);
    fill_rect(b->v, (int32_t)cw, 0, 0, cw, band / 2, 128);
}

static void draw_digits(peerc_media_i420_buf *b, uint32_t w, uint32_t h, uint32_t top,
                        uint32_t number)
{
    char text[16];
    int len = 0;
    uint32_t v = number;
    do {
        text[len++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    uint32_t scale = h / 60 ? h / 60 : 1;
    uint32_t x0 = scale * 2, y0 = top + scale * 2;
    uint32_t box_w = (uint32_t)len * 6 * scale + 2 * scale, box_h = 9 * scale;
    if (x0 + box_w > w || y0 + box_h > h)
        return; /* too small to show: the code band still carries it */
    fill_rect(b->y, (int32_t)w, x0, y0, box_w, box_h, Y_BLACK);
    neutral_chroma(b, w, x0, y0, box_w, box_h);
    for (int d = 0; d < len; d++) {
        const uint8_t *g = font[text[len - 1 - d] - '0'];
        uint32_t gx = x0 + scale + (uint32_t)d * 6 * scale, gy = y0 + scale;
        for (uint32_t r = 0; r < 7; r++)
            for (uint32_t c = 0; c < 5; c++)
                if (g[r] & (0x10 >> c))
                    fill_rect(b->y, (int32_t)w, gx + c * scale, gy + r * scale, scale, scale,
                              Y_WHITE);
    }
}

int peerc__testsrc_video_draw(peerc_media_i420_buf *buf, uint32_t width, uint32_t height,
                              uint32_t number)
{
    if (!buf)
        return PEERC_E_INVALID_ARGUMENT;
    if (!size_ok(width, height))
        return PEERC_E_RANGE;
    int rc = peerc__media_i420_buf_alloc(buf, width, height);
    if (rc != PEERC_OK)
        return rc;
    uint32_t band = band_rows(height);
    draw_background(buf, width, height, band, number);
    /* A grey square (no bar is grey) bouncing across the bars: motion in
     * both directions for the encoder's motion search. */
    uint32_t box = (height / 6) & ~1u;
    uint32_t bx = bounce((uint64_t)number * 5, width - box);
    uint32_t by = band + bounce((uint64_t)number * 3, height - band - box);
    fill_rect(buf->y, (int32_t)width, bx, by, box, box, 128);
    neutral_chroma(buf, width, bx, by, box, box);
    draw_digits(buf, width, height, band, number);
    draw_code(buf, width, band, number);
    return PEERC_OK;
}

int peerc__testsrc_video_new(uint32_t width, uint32_t height, uint32_t fps,
                             peerc_testsrc_video **out)
{
    if (out)
        *out = NULL;
    if (!out)
        return PEERC_E_INVALID_ARGUMENT;
    if (!size_ok(width, height) || fps == 0 || fps > 240)
        return PEERC_E_RANGE;
    peerc_testsrc_video *s = calloc(1, sizeof *s);
    if (!s)
        return PEERC_E_NO_MEMORY;
    s->width = width;
    s->height = height;
    s->fps = fps;
    *out = s;
    return PEERC_OK;
}

void peerc__testsrc_video_free(peerc_testsrc_video *s)
{
    if (!s)
        return;
    peerc__media_i420_buf_free(&s->buf);
    free(s);
}

int peerc__testsrc_video_next(peerc_testsrc_video *s, peerc_media_i420 *out)
{
    if (!s || !out)
        return PEERC_E_INVALID_ARGUMENT;
    int rc = peerc__testsrc_video_draw(&s->buf, s->width, s->height, s->next);
    if (rc != PEERC_OK)
        return rc;
    s->buf.view.timestamp_us = (int64_t)((uint64_t)s->next * 1000000u / s->fps);
    *out = s->buf.view;
    s->next++;
    return PEERC_OK;
}

int peerc__testsrc_read_frame_number(const peerc_media_i420 *f, uint32_t *number)
{
    if (!number)
        return PEERC_E_INVALID_ARGUMENT;
    int rc = peerc__media_i420_check(f);
    if (rc != PEERC_OK)
        return rc;
    if (!size_ok(f->width, f->height))
        return PEERC_E_RANGE;
    uint32_t band = band_rows(f->height), cell = f->width / CODE_CELLS;
    /* Only the middle of each cell: the edges are where VP8's block
     * transform and loop filter smear neighbours together. */
    uint32_t x_in = cell / 4, y0 = band / 4, y1 = band - band / 4;
    uint32_t word = 0;
    for (uint32_t i = 0; i < CODE_CELLS; i++) {
        uint32_t x0 = i * cell + x_in, x1 = (i + 1) * cell - x_in;
        uint64_t sum = 0, n = 0;
        for (uint32_t y = y0; y < y1; y++)
            for (uint32_t x = x0; x < x1; x++, n++)
                sum += f->y[(size_t)y * (size_t)f->stride_y + x];
        word = (word << 1) | (sum > n * ((Y_BLACK + Y_WHITE) / 2) ? 1u : 0u);
    }
    uint32_t value = word >> CRC_BITS;
    if ((word & 0xff) != crc8(value))
        return PEERC_E_NOT_FOUND;
    *number = value;
    return PEERC_OK;
}

/* G.711 µ-law / A-law companding (ITU-T G.711 tables 1a/2a in their
 * usual segment form) and 48 kHz <-> 8 kHz conversion; see sender-g711.h. */
#include "media/sender-g711.h"

#include "media/sender.h"

#define ULAW_BIAS 0x84 /* shifts every segment's range to start at a power of 2 */
#define ULAW_CLIP 32635

static uint8_t ulaw_encode(int16_t sample)
{
    int s = sample, sign = 0;
    if (s < 0) {
        s = -s;
        sign = 0x80;
    }
    if (s > ULAW_CLIP)
        s = ULAW_CLIP;
    s += ULAW_BIAS;
    int seg = 7;
    for (int mask = 0x4000; !(s & mask) && seg > 0; mask >>= 1)
        seg--;
    int mant = (s >> (seg + 3)) & 0x0f;
    /* Transmitted inverted (G.711 §3.2, "all bits inverted"). */
    return (uint8_t)~(sign | seg << 4 | mant);
}

static int16_t ulaw_decode(uint8_t code)
{
    code = (uint8_t)~code;
    int seg = (code >> 4) & 7, mant = code & 0x0f;
    int s = (((mant << 3) + ULAW_BIAS) << seg) - ULAW_BIAS;
    return (int16_t)(code & 0x80 ? -s : s);
}

/* A-law works on 12-bit magnitudes; segment 0 and 1 share a step. */
static uint8_t alaw_encode(int16_t sample)
{
    int sign = sample < 0 ? 0x00 : 0x80; /* A-law: 1 means positive */
    int mag = (sample < 0 ? -(int)sample - 1 : sample) >> 3;
    int seg = 0;
    for (int v = mag >> 5; v; v >>= 1)
        seg++;
    int mant = seg == 0 ? (mag >> 1) & 0x0f : (mag >> seg) & 0x0f;
    /* Even bits inverted (G.711 §3.2). */
    return (uint8_t)((sign | seg << 4 | mant) ^ 0x55);
}

static int16_t alaw_decode(uint8_t code)
{
    code ^= 0x55;
    int seg = (code >> 4) & 7, mant = code & 0x0f;
    /* Middle of the quantization interval, back in 16-bit units. */
    int mag = seg == 0 ? (mant << 1) + 1 : ((mant << 1) + 33) << (seg - 1);
    mag <<= 3;
    return (int16_t)(code & 0x80 ? mag : -mag);
}

uint8_t peerc__g711_encode(int law, int16_t sample)
{
    return law == PEERC_MEDIA_CODEC_PCMA ? alaw_encode(sample) : ulaw_encode(sample);
}

int16_t peerc__g711_decode(int law, uint8_t code)
{
    return law == PEERC_MEDIA_CODEC_PCMA ? alaw_decode(code) : ulaw_decode(code);
}

void peerc__g711_encode_frame(int law, const int16_t *pcm48, size_t n48, uint8_t *out)
{
    for (size_t i = 0; i + PEERC_G711_UPSAMPLE <= n48; i += PEERC_G711_UPSAMPLE) {
        int32_t sum = 0;
        for (int k = 0; k < PEERC_G711_UPSAMPLE; k++)
            sum += pcm48[i + (size_t)k];
        out[i / PEERC_G711_UPSAMPLE] = peerc__g711_encode(law, (int16_t)(sum / PEERC_G711_UPSAMPLE));
    }
}

void peerc__g711_decode_frame(int law, const uint8_t *in, size_t n8, int16_t *prev,
                              int16_t *out48, uint32_t channels)
{
    int32_t a = *prev;
    for (size_t i = 0; i < n8; i++) {
        int32_t b = peerc__g711_decode(law, in[i]);
        for (int k = 1; k <= PEERC_G711_UPSAMPLE; k++) {
            int16_t v = (int16_t)(a + (b - a) * k / PEERC_G711_UPSAMPLE);
            size_t o = (i * PEERC_G711_UPSAMPLE + (size_t)k - 1) * channels;
            for (uint32_t c = 0; c < channels; c++)
                out48[o + c] = v;
        }
        a = b;
    }
    *prev = (int16_t)a;
}

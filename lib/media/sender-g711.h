/*
 * G.711 (ITU-T G.711 µ-law and A-law) for RTP/AVP PCMU (pt 0) and PCMA
 * (pt 8), 8 kHz mono (RFC 3551 §4.5.14), with the simple rate conversion
 * the sender and receiver need around it: 48 kHz to 8 kHz by averaging
 * each 6 samples (a box filter: crude, but it removes most of what would
 * alias, and telephone audio is band-limited anyway), 8 kHz to 48 kHz by
 * linear interpolation.
 */
#ifndef PEERC_MEDIA_SENDER_G711_H
#define PEERC_MEDIA_SENDER_G711_H

#include <stddef.h>
#include <stdint.h>

#define PEERC_G711_RATE 8000
#define PEERC_G711_FRAME_20MS 160
#define PEERC_G711_UPSAMPLE 6 /* 48000 / 8000 */

/* law: PEERC_MEDIA_CODEC_PCMU or PEERC_MEDIA_CODEC_PCMA (sender.h). */
uint8_t peerc__g711_encode(int law, int16_t sample);
int16_t peerc__g711_decode(int law, uint8_t code);

/* n48 samples of 48 kHz mono (a multiple of 6) into n48 / 6 codes. */
void peerc__g711_encode_frame(int law, const int16_t *pcm48, size_t n48, uint8_t *out);

/* n8 codes into n8 * 6 frames of 48 kHz with `channels` (1 or 2)
 * interleaved; *prev carries the last 8 kHz sample across calls so packets
 * join without a step. */
void peerc__g711_decode_frame(int law, const uint8_t *in, size_t n8, int16_t *prev,
                              int16_t *out48, uint32_t channels);

#endif

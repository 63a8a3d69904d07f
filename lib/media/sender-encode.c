/* RTP sender, encode half: VP8 (RFC 7741) and Opus (RFC 7587) from raw
 * media to packets.  Runs on one source thread; takes the sender lock only
 * for short bookkeeping, never around the codec or the send callback. */
#include "media/sender-private.h"

#include <peerc/common.h>

#include "core/log.h"
#include "media/sender-g711.h"
#include "rtp/vp8.h"
#include "rtp/h264.h"
#include "rtp/vp9.h"

#include <glib.h>
#include <math.h>
#include <string.h>

/* RFC 6464 §3: V set when this frame is louder than -50 dBov (a rough
 * voice-activity guess without a VAD). */
#define VOICE_LEVEL_DBOV 50

/* Take the configuration reconfigure left, if any.  Returns 1 if it
 * changed since the last push. */
static int snapshot(peerc_rtp_sender *s)
{
    int changed = 0;
    pthread_mutex_lock(&s->lock);
    if (s->ecfg_gen != s->cfg_gen) {
        s->ecfg = s->cfg;
        s->ecfg_gen = s->cfg_gen;
        changed = 1;
    }
    pthread_mutex_unlock(&s->lock);
    return changed;
}

/* A codec switch (renegotiation) starts the new stream on a keyframe. */
static int snapshot_codec_changed(peerc_rtp_sender *s)
{
    int changed = s->last_video_codec != s->ecfg.codec;
    s->last_video_codec = s->ecfg.codec;
    return changed;
}

static void count_drop(peerc_rtp_sender *s)
{
    pthread_mutex_lock(&s->lock);
    s->st.frames_dropped++;
    pthread_mutex_unlock(&s->lock);
}

static void count_frame(peerc_rtp_sender *s, int key, uint32_t w, uint32_t h, double secs)
{
    pthread_mutex_lock(&s->lock);
    s->st.frames_encoded++;
    s->st.keyframes_encoded += key ? 1 : 0;
    if (w) {
        s->st.frame_width = w;
        s->st.frame_height = h;
    }
    s->st.total_encode_time_s += secs;
    pthread_mutex_unlock(&s->lock);
}

/* 90 kHz video clock (RFC 7741 §4.1) from the capture timestamps. */
static uint32_t video_timestamp(peerc_rtp_sender *s, int64_t capture_us)
{
    if (!s->have_first) {
        s->have_first = 1;
        s->first_us = capture_us;
    }
    int64_t ticks = (capture_us - s->first_us) * 9 / 100;
    return s->ts_base + (uint32_t)ticks;
}

/* Room for descriptor + data in one packet, after RTP header/extensions. */
static size_t video_budget(const peerc_rtp_sender *s)
{
    size_t budget = s->ecfg.max_packet - peerc__rtp_sender_header_size(&s->ecfg);
    if (s->ecfg.rtx_payload_type >= 0)
        budget -= 2; /* RFC 4588 §4: the OSN goes in front on retransmission */
    return budget;
}

/* RFC 9628: non-flexible, single layer, scalability structure on keyframes. */
static int packetize_vp9(peerc_rtp_sender *s, const peerc_media_encoded *e, uint32_t ts)
{
    peerc_rtp_vp9_desc desc;
    peerc_rtp_vp9_packetizer pk;
    uint8_t payload[SENDER_BUF];
    size_t len;
    int marker;
    int rc = peerc__rtp_vp9_desc_for_frame(&desc, s->picture_id, e->keyframe, e->width,
                                           e->height);
    s->picture_id = (uint16_t)((s->picture_id + 1) & 0x7fff);
    if (rc == PEERC_OK)
        rc = peerc__rtp_vp9_packetizer_init(&pk, e->data, e->size, &desc, video_budget(s));
    while (rc == PEERC_OK &&
           (rc = peerc__rtp_vp9_packetizer_next(&pk, payload, sizeof payload, &len, &marker)) == 1)
        rc = peerc__rtp_sender_emit(s, payload, len, marker, ts, -1);
    return rc;
}

/* RFC 6184 packetization-mode 1: single NAL units, STAP-A, FU-A. */
static int packetize_h264(peerc_rtp_sender *s, const peerc_media_encoded *e, uint32_t ts)
{
    peerc_rtp_h264_packetizer pk;
    uint8_t payload[SENDER_BUF];
    size_t len;
    int marker;
    int rc = peerc__rtp_h264_packetizer_init(&pk, e->data, e->size, video_budget(s), 1);
    while (rc == PEERC_OK &&
           (rc = peerc__rtp_h264_packetizer_next(&pk, payload, sizeof payload, &len, &marker)) == 1)
        rc = peerc__rtp_sender_emit(s, payload, len, marker, ts, -1);
    return rc;
}

static int packetize_vp8(peerc_rtp_sender *s, const peerc_media_encoded *e, uint32_t ts)
{
    peerc_rtp_vp8_desc desc;
    peerc__rtp_vp8_desc_init(&desc);
    /* A picture id lets the receiver tell frames apart across losses;
     * browsers always send the 15-bit form. */
    desc.picture_id = s->picture_id;
    desc.picture_id_15 = 1;
    s->picture_id = (uint16_t)((s->picture_id + 1) & 0x7fff);
    size_t budget = video_budget(s);
    peerc_rtp_vp8_packetizer pk;
    int rc = peerc__rtp_vp8_packetizer_init(&pk, e->data, e->size, &desc, budget);
    if (rc)
        return rc;
    uint8_t payload[SENDER_BUF];
    size_t len;
    int marker;
    while ((rc = peerc__rtp_vp8_packetizer_next(&pk, payload, sizeof payload, &len, &marker)) ==
           1) {
        rc = peerc__rtp_sender_emit(s, payload, len, marker, ts, -1);
        if (rc)
            return rc;
    }
    return rc;
}

static int packetize_video(peerc_rtp_sender *s, const peerc_media_encoded *e, uint32_t ts)
{
    switch (s->ecfg.codec) {
    case PEERC_MEDIA_CODEC_VP9: return packetize_vp9(s, e, ts);
    case PEERC_MEDIA_CODEC_H264: return packetize_h264(s, e, ts);
    default: return packetize_vp8(s, e, ts);
    }
}

static int encode_picture(peerc_rtp_sender *s, const peerc_media_i420 *frame,
                          peerc_media_encoded *e)
{
    int vp9 = s->ecfg.codec == PEERC_MEDIA_CODEC_VP9;
    int rc = vp9 ? peerc__vp9enc_encode(s->vp9enc, frame, e) : peerc__vp8enc_encode(s->venc, frame, e);
    if (rc)
        PEERC_DEBUG("media", "%s encode: %s", vp9 ? "VP9" : "VP8",
                    vp9 ? peerc__vp9enc_last_error(s->vp9enc) : peerc__vp8enc_last_error(s->venc));
    return rc;
}

int peerc__rtp_sender_push_video(peerc_rtp_sender *s, const peerc_media_i420 *frame)
{
    if (!s || !frame || !s->venc)
        return PEERC_E_INVALID_ARGUMENT;
    snapshot(s);
    if (!atomic_load(&s->active)) {
        count_drop(s);
        return PEERC_OK;
    }
    /* After a pause the receiver's references are stale or it has none. */
    if (atomic_exchange(&s->resumed, 0) || snapshot_codec_changed(s)) {
        peerc__vp8enc_request_keyframe(s->venc);
        peerc__vp9enc_request_keyframe(s->vp9enc);
    }
    peerc_media_encoded e;
    int64_t t0 = g_get_monotonic_time();
    int rc = encode_picture(s, frame, &e);
    if (rc)
        return rc;
    double secs = (double)(g_get_monotonic_time() - t0) / 1e6;
    if (e.size == 0) {
        count_drop(s); /* rate control skipped it */
        return PEERC_OK;
    }
    count_frame(s, e.keyframe, e.width, e.height, secs);
    return packetize_video(s, &e, video_timestamp(s, frame->timestamp_us));
}

int peerc__rtp_sender_push_encoded(peerc_rtp_sender *s, int codec, const peerc_media_encoded *e)
{
    if (!s || !e || !e->data || e->size == 0)
        return PEERC_E_INVALID_ARGUMENT;
    snapshot(s);
    if (s->ecfg.kind != PEERC_MEDIA_VIDEO)
        return PEERC_E_INVALID_ARGUMENT;
    if (codec != PEERC_MEDIA_CODEC_DEFAULT && codec != PEERC_MEDIA_CODEC_H264)
        return PEERC_E_NOT_SUPPORTED;
    if (!atomic_load(&s->active) || s->ecfg.codec != codec) {
        count_drop(s);
        return PEERC_OK;
    }
    if (atomic_exchange(&s->resumed, 0)) {
        /* the receiver needs a keyframe after a pause: ask the source */
        void (*fn)(void *ud);
        void *ud;
        pthread_mutex_lock(&s->lock);
        fn = s->kf_listener;
        ud = s->kf_listener_ud;
        pthread_mutex_unlock(&s->lock);
        if (fn)
            fn(ud);
    }
    count_frame(s, e->keyframe, e->width, e->height, 0);
    return packetize_video(s, e, video_timestamp(s, e->timestamp_us));
}

/* RFC 6464 level byte of one frame: RMS in -dBov, 0..127. */
static int audio_level(const int16_t *pcm, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)pcm[i] * pcm[i];
    double rms = n ? sqrt(sum / (double)n) / 32768.0 : 0;
    int level = rms > 0 ? (int)lrint(-20.0 * log10(rms)) : 127;
    if (level < 0)
        level = 0;
    if (level > 127)
        level = 127;
    return (level < VOICE_LEVEL_DBOV ? 0x80 : 0) | level;
}

/* RTP ticks for samples at 48 kHz in the current audio clock. */
static uint32_t audio_ticks(const peerc_rtp_sender *s, size_t samples48)
{
    return (uint32_t)((uint64_t)samples48 * peerc__rtp_sender_audio_rate(s->acodec) / 48000);
}

/* Another codec or channel count: the partial frame is lost, and a new
 * libopus encoder (or none, for G.711) is swapped in under the lock
 * because the network half sets its packet loss. */
static int switch_audio(peerc_rtp_sender *s)
{
    peerc_opusenc *e = NULL, *old;
    if (s->ecfg.codec == PEERC_MEDIA_CODEC_DEFAULT) {
        peerc_opusenc_config oc;
        peerc__opusenc_config_init(&oc);
        oc.channels = s->ecfg.channels;
        oc.bitrate_bps = s->ecfg.start_bitrate_bps;
        oc.inband_fec = s->ecfg.opus_fec ? 1 : 0;
        int rc = peerc__opusenc_new(&oc, &e, NULL, 0);
        if (rc)
            return rc;
    }
    pthread_mutex_lock(&s->lock);
    old = s->aenc;
    s->aenc = e;
    pthread_mutex_unlock(&s->lock);
    peerc__opusenc_free(old);
    s->ats += audio_ticks(s, s->afill);
    s->afill = 0;
    s->aenc_channels = s->ecfg.channels;
    s->acodec = s->ecfg.codec;
    s->talkspurt = 1;
    return PEERC_OK;
}

static int encode_audio_frame(peerc_rtp_sender *s)
{
    uint8_t out[PEERC_OPUS_MAX_PACKET];
    size_t len, cap = s->ecfg.max_packet - peerc__rtp_sender_header_size(&s->ecfg);
    if (cap > sizeof out)
        cap = sizeof out;
    size_t n = PEERC_OPUS_FRAME_20MS * s->ecfg.channels;
    int64_t t0 = g_get_monotonic_time();
    int rc = PEERC_OK;
    if (s->acodec == PEERC_MEDIA_CODEC_DEFAULT) {
        rc = peerc__opusenc_encode(s->aenc, s->abuf, PEERC_OPUS_FRAME_20MS, out, cap, &len);
    } else {
        /* Mono (switch_audio forced one channel): 960 samples -> 160 codes. */
        peerc__g711_encode_frame(s->acodec, s->abuf, PEERC_OPUS_FRAME_20MS, out);
        len = PEERC_G711_FRAME_20MS;
    }
    double secs = (double)(g_get_monotonic_time() - t0) / 1e6;
    uint32_t ts = s->ats;
    s->ats += audio_ticks(s, PEERC_OPUS_FRAME_20MS);
    s->afill = 0;
    if (rc)
        return rc;
    count_frame(s, 0, 0, 0, secs);
    int level = s->ecfg.audio_level_ext_id ? audio_level(s->abuf, n) : -1;
    /* RFC 3551 §4.1: the first packet of a talkspurt has the marker. */
    rc = peerc__rtp_sender_emit(s, out, len, s->talkspurt, ts, level);
    s->talkspurt = 0;
    return rc;
}

/* Append n samples per channel, converting from in_ch to the encoder's
 * channel count (stereo is averaged to mono, mono duplicated). */
static void append_pcm(peerc_rtp_sender *s, const int16_t *pcm, size_t n, uint32_t in_ch)
{
    uint32_t ch = s->ecfg.channels;
    int16_t *dst = s->abuf + s->afill * ch;
    for (size_t i = 0; i < n; i++) {
        if (in_ch == ch) {
            for (uint32_t c = 0; c < ch; c++)
                dst[i * ch + c] = pcm[i * in_ch + c];
        } else if (ch == 1) {
            dst[i] = (int16_t)(((int32_t)pcm[i * 2] + pcm[i * 2 + 1]) / 2);
        } else {
            dst[i * 2] = dst[i * 2 + 1] = pcm[i];
        }
    }
    s->afill += n;
}

int peerc__rtp_sender_push_audio(peerc_rtp_sender *s, const int16_t *pcm,
                                 size_t samples_per_channel, uint32_t channels,
                                 int64_t timestamp_us)
{
    (void)timestamp_us;
    if (!s || s->ecfg.kind != PEERC_MEDIA_AUDIO || (!pcm && samples_per_channel) || channels < 1 ||
        channels > 2)
        return PEERC_E_INVALID_ARGUMENT;
    snapshot(s);
    if (s->ecfg.codec != s->acodec || s->ecfg.channels != s->aenc_channels) {
        int rc = switch_audio(s);
        if (rc)
            return rc;
    }
    if (!atomic_load(&s->active)) {
        /* The RTP clock keeps running through a pause (RFC 3550 §5.1);
         * the next packet starts a talkspurt. */
        s->ats += audio_ticks(s, s->afill + samples_per_channel);
        s->afill = 0;
        s->talkspurt = 1;
        count_drop(s);
        return PEERC_OK;
    }
    while (samples_per_channel) {
        size_t take = PEERC_OPUS_FRAME_20MS - s->afill;
        if (take > samples_per_channel)
            take = samples_per_channel;
        append_pcm(s, pcm, take, channels);
        pcm += take * channels;
        samples_per_channel -= take;
        if (s->afill == PEERC_OPUS_FRAME_20MS) {
            int rc = encode_audio_frame(s);
            if (rc)
                return rc;
        }
    }
    return PEERC_OK;
}

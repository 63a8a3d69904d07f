/* RTP receiver, audio: Opus packets (RFC 7587) or G.711 (RFC 3551
 * §4.5.14) through a small playout buffer that reorders, then fills holes
 * from in-band FEC (RFC 7587 §3.3, RFC 6716 §2.1.7) or packet loss
 * concealment. */
#include "media/receiver-private.h"

#include <peerc/common.h>

#include "media/sender-g711.h"
#include "rtp/opus.h"

#include <stdlib.h>
#include <string.h>

/* Largest G.711 payload taken: 120 ms, what the PCM buffer holds at
 * 48 kHz, like the longest Opus packet. */
#define G711_MAX_PAYLOAD (PEERC_OPUS_MAX_FRAME / PEERC_G711_UPSAMPLE)

static int is_g711(const peerc_rtp_receiver *r)
{
    return r->cfg.codec != PEERC_MEDIA_CODEC_DEFAULT;
}

int peerc__rtp_receiver_audio_init(peerc_rtp_receiver *r)
{
    if (!is_g711(r)) {
        int rc = peerc__opusdec_new(r->cfg.channels, &r->adec, NULL, 0);
        if (rc)
            return rc;
    }
    r->adec_channels = r->cfg.channels;
    if (!r->pcm)
        r->pcm = malloc(PEERC_OPUS_MAX_FRAME * 2 * sizeof *r->pcm);
    if (!r->pcm)
        return PEERC_E_NO_MEMORY;
    peerc__rtp_receiver_audio_reset(r);
    return PEERC_OK;
}

void peerc__rtp_receiver_audio_free(peerc_rtp_receiver *r)
{
    for (size_t i = 0; i < AUDIO_SLOTS; i++) {
        free(r->aq[i].data);
        memset(&r->aq[i], 0, sizeof r->aq[i]);
    }
    r->aq_count = 0;
    r->aq_started = 0;
    peerc__opusdec_free(r->adec);
    r->adec = NULL;
    free(r->pcm);
    r->pcm = NULL;
}

void peerc__rtp_receiver_audio_reset(peerc_rtp_receiver *r)
{
    for (size_t i = 0; i < AUDIO_SLOTS; i++)
        r->aq[i].used = 0;
    r->aq_count = 0;
    r->aq_started = 0;
    r->last_n = 0;
    r->g711_prev = 0;
}

static audio_slot *slot_for(peerc_rtp_receiver *r, int64_t seq)
{
    return &r->aq[(uint64_t)seq & (AUDIO_SLOTS - 1)];
}

/* Hand r->pcm (n samples per channel, ticks of RTP time) to the sink. */
static void emit(peerc_rtp_receiver *r, size_t n, int64_t ts, int64_t ticks)
{
    r->st.audio_samples_received += n;
    r->next_ts = ts + ticks;
    r->last_n = n;
    r->last_ticks = ticks;
    if (r->cbs.audio_frame)
        r->cbs.audio_frame(r->ud, r->pcm, n, r->adec_channels, peerc__rtp_receiver_ts_us(r, ts));
}

/* Fill the packet at next_seq: from next's FEC data when next is the
 * packet right after it, else by concealment. */
/* G.711 has no concealment of its own: repeat the last frame, halving it
 * each time so a longer hole fades out instead of buzzing. */
static void conceal_g711(peerc_rtp_receiver *r)
{
    size_t n = r->last_n ? r->last_n : PEERC_OPUS_FRAME_20MS;
    int64_t ticks = r->last_n ? r->last_ticks : PEERC_G711_FRAME_20MS;
    if (!r->last_n)
        memset(r->pcm, 0, n * r->adec_channels * sizeof *r->pcm);
    for (size_t i = 0; i < n * r->adec_channels; i++)
        r->pcm[i] = (int16_t)(r->pcm[i] / 2);
    r->next_seq++;
    r->st.concealed_samples += n;
    r->g711_prev = r->pcm[(n - 1) * r->adec_channels];
    emit(r, n, r->next_ts, ticks);
}

static void conceal(peerc_rtp_receiver *r, const audio_slot *next)
{
    peerc_opusdec_stats before, after;
    size_t n = 0;
    if (is_g711(r)) {
        conceal_g711(r);
        return;
    }
    peerc__opusdec_get_stats(r->adec, &before);
    int rc = next ? peerc__opusdec_decode_fec(r->adec, next->data, next->len, r->pcm,
                                              PEERC_OPUS_MAX_FRAME, &n)
                  : peerc__opusdec_decode(r->adec, NULL, 0, r->pcm, PEERC_OPUS_MAX_FRAME, &n);
    peerc__opusdec_get_stats(r->adec, &after);
    r->next_seq++;
    if (rc != PEERC_OK) {
        r->st.decode_errors++;
        return;
    }
    if (after.recovered > before.recovered)
        r->st.fec_recovered++;
    else
        r->st.concealed_samples += n;
    emit(r, n, r->next_ts, (int64_t)n);
}

static void play(peerc_rtp_receiver *r, audio_slot *s)
{
    size_t n = 0;
    int rc = PEERC_OK;
    if (is_g711(r)) {
        peerc__g711_decode_frame(r->cfg.codec, s->data, s->len, &r->g711_prev, r->pcm,
                                 r->adec_channels);
        n = s->len * PEERC_G711_UPSAMPLE;
    } else {
        rc = peerc__opusdec_decode(r->adec, s->data, s->len, r->pcm, PEERC_OPUS_MAX_FRAME, &n);
    }
    s->used = 0;
    r->aq_count--;
    if (rc != PEERC_OK) {
        /* A corrupt packet is a lost one: keep the audio clock going. */
        r->st.decode_errors++;
        conceal(r, NULL);
        return;
    }
    r->next_seq = s->seq + 1;
    emit(r, n, s->ts, is_g711(r) ? (int64_t)s->len : (int64_t)n);
}

/* The queued packet with the lowest sequence number, and the oldest
 * arrival time. */
static audio_slot *first_queued(peerc_rtp_receiver *r, int64_t *oldest_ms)
{
    audio_slot *first = NULL;
    *oldest_ms = INT64_MAX;
    for (size_t i = 0; i < AUDIO_SLOTS; i++) {
        audio_slot *s = &r->aq[i];
        if (!s->used)
            continue;
        if (!first || s->seq < first->seq)
            first = s;
        if (s->arrival_ms < *oldest_ms)
            *oldest_ms = s->arrival_ms;
    }
    return first;
}

/* Play what is in order; fill a hole once waiting longer cannot help
 * (enough packets behind it, or the oldest waited too long), or at once
 * when force is set. */
static void drain(peerc_rtp_receiver *r, int64_t now_ms, int force)
{
    while (r->aq_count) {
        audio_slot *s = slot_for(r, r->next_seq);
        if (s->used && s->seq == r->next_seq) {
            play(r, s);
            continue;
        }
        int64_t oldest;
        audio_slot *first = first_queued(r, &oldest);
        if (!force && r->aq_count < AUDIO_DEPTH && now_ms - oldest < AUDIO_MAX_WAIT_MS)
            return;
        if (first->seq - r->next_seq > AUDIO_MAX_CONCEAL) {
            r->next_seq = first->seq;
            r->next_ts = first->ts;
            continue;
        }
        conceal(r, first->seq == r->next_seq + 1 ? first : NULL);
    }
}

int peerc__rtp_receiver_audio_packet(peerc_rtp_receiver *r, const peerc_rtp_packet *m,
                                     int64_t ext_seq, int64_t ext_ts, int64_t now_ms)
{
    if (!r->pcm || (!is_g711(r) && !r->adec))
        return PEERC_E_INVALID_STATE;
    if (is_g711(r) ? m->payload_len > G711_MAX_PAYLOAD
                   : peerc__rtp_opus_packet_samples(m->payload, m->payload_len) < 0)
        return PEERC_E_SYNTAX;
    if (!r->aq_started) {
        r->aq_started = 1;
        r->next_seq = ext_seq;
        r->next_ts = ext_ts;
    }
    if (ext_seq < r->next_seq) {
        r->st.packets_discarded++; /* its time was already played */
        return PEERC_OK;
    }
    if (ext_seq - r->next_seq >= AUDIO_SLOTS) {
        drain(r, now_ms, 1);
        if (ext_seq - r->next_seq >= AUDIO_SLOTS) {
            r->next_seq = ext_seq;
            r->next_ts = ext_ts;
        }
    }
    audio_slot *s = slot_for(r, ext_seq);
    if (s->used) {
        r->st.packets_duplicated++;
        return PEERC_OK;
    }
    if (s->cap < m->payload_len) {
        uint8_t *d = realloc(s->data, m->payload_len);
        if (!d)
            return PEERC_E_NO_MEMORY;
        s->data = d;
        s->cap = m->payload_len;
    }
    memcpy(s->data, m->payload, m->payload_len);
    s->len = m->payload_len;
    s->seq = ext_seq;
    s->ts = ext_ts;
    s->arrival_ms = now_ms;
    s->used = 1;
    r->aq_count++;
    drain(r, now_ms, 0);
    return PEERC_OK;
}

int64_t peerc__rtp_receiver_audio_poll(peerc_rtp_receiver *r, int64_t now_ms)
{
    if (!r->pcm)
        return -1;
    drain(r, now_ms, 0);
    if (!r->aq_count)
        return -1;
    int64_t oldest;
    first_queued(r, &oldest);
    int64_t left = oldest + AUDIO_MAX_WAIT_MS - now_ms;
    return left > 0 ? left : 0;
}

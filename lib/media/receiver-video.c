/* RTP receiver, video: VP8 packets (RFC 7741) through the jitter buffer
 * to the decoder, generic NACK (RFC 4585 §6.2.1) for missing packets, PLI
 * (RFC 4585 §6.3.1) or FIR (RFC 5104 §4.3.1) when the decoder has lost
 * its references. */
#include "media/receiver-private.h"

#include <peerc/common.h>

#include "core/log.h"
#include "rtp/vp8.h"
#include "rtp/vp9.h"

#include <glib.h>
#include <string.h>

#define NACK_BATCH 64
/* Poll again this soon while packets are missing (NACK repeats are paced
 * by the RTT inside the list). */
#define NACK_POLL_MS 20

int peerc__rtp_receiver_video_init(peerc_rtp_receiver *r)
{
    peerc_rtp_jitter_config jc;
    peerc__rtp_jitter_config_default(&jc);
    jc.nack_enabled = r->cfg.nack ? 1 : 0;
    jc.max_wait_ms = r->cfg.nack ? NACK_WAIT_MS : NO_NACK_WAIT_MS;
    int rc = peerc__rtp_jitter_init(&r->jb, &jc);
    if (rc)
        return rc;
    r->jb_inited = 1;
    if (!r->vdec) {
        rc = peerc__vp8dec_new(&r->vdec, NULL, 0);
        if (rc)
            return rc;
    } else {
        peerc__vp8dec_wait_for_keyframe(r->vdec);
    }
    if (!r->vp9dec) {
        rc = peerc__vp9dec_new(&r->vp9dec, NULL, 0);
        if (rc)
            return rc;
    } else {
        peerc__vp9dec_wait_for_keyframe(r->vp9dec);
    }
    if (r->cfg.codec == PEERC_MEDIA_CODEC_H264 && !r->h264_inited) {
        peerc_rtp_asm_config ac;
        peerc__rtp_asm_config_default(&ac);
        rc = peerc__rtp_h264_depacketizer_init(&r->h264, &ac);
        if (rc)
            return rc;
        r->h264_inited = 1;
        r->h264_lost_seen = 0;
    }
    r->kf_pending = 0;
    r->kf_answered = 1;
    return PEERC_OK;
}

/* Frees the jitter buffer; the decoder only with the receiver (kind video
 * never changes, and keeping it avoids a libvpx re-init on SSRC change). */
void peerc__rtp_receiver_video_free(peerc_rtp_receiver *r)
{
    if (r->jb_inited) {
        peerc__rtp_jitter_free(&r->jb);
        r->jb_inited = 0;
    }
    if (r->h264_inited) {
        peerc__rtp_h264_depacketizer_free(&r->h264);
        r->h264_inited = 0;
    }
}

static void send_keyframe_request(peerc_rtp_receiver *r, int64_t now_ms)
{
    uint8_t buf[32];
    size_t len;
    int rc;
    if (r->cfg.pli) {
        rc = peerc__rtp_rtcp_write_pli(r->cfg.local_ssrc, r->remote_ssrc, buf, sizeof buf, &len);
        if (rc == PEERC_OK)
            r->st.pli_count++;
    } else {
        /* RFC 5104 §4.3.1.2: a new request gets a new sequence number, a
         * repeat of an unanswered one keeps it. */
        if (r->kf_answered)
            r->fir_seq++;
        peerc_rtp_rtcp_fir_entry e = {r->remote_ssrc, r->fir_seq};
        rc = peerc__rtp_rtcp_write_fir(r->cfg.local_ssrc, &e, 1, buf, sizeof buf, &len);
        if (rc == PEERC_OK)
            r->st.fir_count++;
    }
    if (rc != PEERC_OK)
        return;
    r->kf_last_ms = now_ms;
    r->kf_answered = 0;
    peerc__rtp_receiver_send_rtcp(r, buf, len);
}

/* At once if the previous request was answered, else every
 * KEYFRAME_REPEAT_MS until a keyframe arrives. */
static void maybe_request_keyframe(peerc_rtp_receiver *r, int64_t now_ms)
{
    if (!r->kf_pending || !r->have_remote || (!r->cfg.pli && !r->cfg.fir))
        return;
    if (!r->kf_answered && now_ms - r->kf_last_ms < KEYFRAME_REPEAT_MS)
        return;
    send_keyframe_request(r, now_ms);
}

void peerc__rtp_receiver_video_keyframe(peerc_rtp_receiver *r, int64_t now_ms)
{
    r->kf_pending = 1;
    maybe_request_keyframe(r, now_ms);
}

static void decode_frame(peerc_rtp_receiver *r, const peerc_rtp_frame *f)
{
    peerc_media_i420 pic;
    int64_t ts_us = peerc__rtp_receiver_ts_us(r, peerc__rtp_ts_unwrap(&r->ts_unwrap, f->timestamp));
    int64_t t0 = g_get_monotonic_time();
    int vp9 = r->cfg.codec == PEERC_MEDIA_CODEC_VP9;
    int rc = vp9 ? peerc__vp9dec_decode(r->vp9dec, f->data, f->len, ts_us, &pic)
                 : peerc__vp8dec_decode(r->vdec, f->data, f->len, ts_us, &pic);
    r->st.total_decode_time_s += (double)(g_get_monotonic_time() - t0) / 1e6;
    if (rc == PEERC_E_NOT_FOUND)
        return; /* decoded, nothing to show (RFC 6386 §9.1 show_frame 0) */
    if (rc != PEERC_OK) {
        /* No valid reference: only a keyframe helps. */
        r->st.decode_errors += rc != PEERC_E_INVALID_STATE;
        r->dec_dropped++;
        r->kf_pending = 1;
        PEERC_DEBUG("media", "%s frame %u not decoded: %s", vp9 ? "VP9" : "VP8", f->timestamp,
                    vp9 ? peerc__vp9dec_last_error(r->vp9dec) : peerc__vp8dec_last_error(r->vdec));
        return;
    }
    r->st.frames_decoded++;
    if (f->keyframe) {
        r->st.keyframes_decoded++;
        r->kf_pending = 0;
        r->kf_answered = 1;
    }
    r->st.frame_width = pic.width;
    r->st.frame_height = pic.height;
    if (r->cbs.video_frame)
        r->cbs.video_frame(r->ud, &pic);
}

static void drain_frames(peerc_rtp_receiver *r, int64_t now_ms)
{
    peerc_rtp_frame f;
    while (peerc__rtp_jitter_pop(&r->jb, now_ms, &f) == 1) {
        if (f.len == 0) {
            peerc__rtp_frame_clear(&f); /* padding */
            continue;
        }
        r->st.frames_received++;
        if (r->cbs.encoded_frame) {
            peerc_media_encoded e = {f.data, f.len, f.keyframe, 0, 0, 0};
            e.timestamp_us = peerc__rtp_receiver_ts_us(r, peerc__rtp_ts_unwrap(&r->ts_unwrap,
                                                                                f.timestamp));
            r->cbs.encoded_frame(r->ud, &e);
        }
        decode_frame(r, &f);
        peerc__rtp_frame_clear(&f);
    }
}

/* Missing packets due for a request go out as generic NACKs, as many
 * messages as needed (RFC 4585 §6.2.1: 17 packets per FCI entry). */
static void send_nacks(peerc_rtp_receiver *r, int64_t now_ms)
{
    int64_t seqs[NACK_BATCH];
    peerc_rtp_rtcp_nack_item items[NACK_BATCH];
    uint8_t buf[16 + 4 * NACK_BATCH];
    int64_t rtt = atomic_load(&r->rtt_ms);
    size_t n;
    do {
        n = peerc__rtp_jitter_nacks(&r->jb, now_ms, rtt, seqs, NACK_BATCH);
        size_t done = 0;
        while (done < n) {
            size_t used = 0, len;
            size_t k = peerc__rtp_nack_pack(seqs + done, n - done, items, NACK_BATCH, &used);
            if (k == 0 || used == 0)
                break;
            done += used;
            if (peerc__rtp_rtcp_write_nack(r->cfg.local_ssrc, r->remote_ssrc, items, k, buf,
                                           sizeof buf, &len) == PEERC_OK) {
                r->st.nack_count++;
                peerc__rtp_receiver_send_rtcp(r, buf, len);
            }
        }
    } while (n == NACK_BATCH);
}

/* Jitter buffer bookkeeping after any event: frames out, NACKs, keyframe
 * requests. */
static void service(peerc_rtp_receiver *r, int64_t now_ms)
{
    drain_frames(r, now_ms);
    send_nacks(r, now_ms);
    if (peerc__rtp_jitter_take_keyframe_request(&r->jb))
        r->kf_pending = 1;
    maybe_request_keyframe(r, now_ms);
}

/*
 * H.264 (RFC 6184) is passed through: frames are reassembled into Annex B
 * access units for the encoded_frame callback; peerc has no H.264
 * decoder.  Lost packets drop their frame (no retransmission wait here)
 * and ask for a keyframe.
 */
static int h264_packet(peerc_rtp_receiver *r, const peerc_rtp_packet *m, int64_t now_ms)
{
    peerc_rtp_frame f;
    uint64_t lost;
    if (!r->h264_inited)
        return PEERC_E_INVALID_STATE;
    if (m->payload_len && peerc__rtp_h264_depacketizer_push(&r->h264, m, now_ms) < 0)
        return PEERC_E_SYNTAX;
    while (peerc__rtp_h264_depacketizer_pop(&r->h264, &f) == 1) {
        r->st.frames_received++;
        if (r->cbs.encoded_frame) {
            peerc_media_encoded e = {f.data, f.len, f.keyframe, 0, 0, 0};
            e.timestamp_us =
                peerc__rtp_receiver_ts_us(r, peerc__rtp_ts_unwrap(&r->ts_unwrap, f.timestamp));
            r->cbs.encoded_frame(r->ud, &e);
        }
        if (f.keyframe) {
            r->kf_pending = 0;
            r->kf_answered = 1;
        }
        peerc__rtp_frame_clear(&f);
    }
    lost = r->h264.as.frames_dropped + r->h264.frames_invalid;
    if (lost != r->h264_lost_seen) {
        r->h264_lost_seen = lost;
        r->dec_dropped++;
        r->kf_pending = 1;
    }
    maybe_request_keyframe(r, now_ms);
    return PEERC_OK;
}

int peerc__rtp_receiver_video_packet(peerc_rtp_receiver *r, const peerc_rtp_packet *m,
                                     int64_t ext_seq, int64_t now_ms)
{
    peerc_rtp_asm_packet ap;
    if (r->cfg.codec == PEERC_MEDIA_CODEC_H264)
        return h264_packet(r, m, now_ms);
    if (!r->jb_inited)
        return PEERC_E_INVALID_STATE;
    if (m->payload_len == 0) {
        /* Padding on the media SSRC (no RTX negotiated) still takes a
         * sequence number; held as an empty one-packet frame it neither
         * looks lost (NACK) nor blocks the frames after it. */
        memset(&ap, 0, sizeof ap);
        ap.seq = ext_seq;
        ap.timestamp = m->timestamp;
        ap.frame_start = ap.frame_end = 1;
    } else if ((r->cfg.codec == PEERC_MEDIA_CODEC_VP9
                    ? peerc__rtp_vp9_to_asm_packet(m, ext_seq, now_ms, &ap, NULL)
                    : peerc__rtp_vp8_to_asm_packet(m, ext_seq, now_ms, &ap, NULL)) != PEERC_OK) {
        return PEERC_E_SYNTAX;
    }
    int rc;
    rc = peerc__rtp_jitter_insert(&r->jb, &ap, now_ms);
    if (rc < 0)
        return rc;
    service(r, now_ms);
    return PEERC_OK;
}

int64_t peerc__rtp_receiver_video_poll(peerc_rtp_receiver *r, int64_t now_ms)
{
    if (!r->jb_inited)
        return -1;
    service(r, now_ms);
    int64_t next = peerc__rtp_jitter_next_timeout(&r->jb, now_ms);
    if (peerc__rtp_nack_missing(&r->jb.nack) && (next < 0 || next > NACK_POLL_MS))
        next = NACK_POLL_MS;
    if (r->kf_pending && (r->cfg.pli || r->cfg.fir)) {
        int64_t kf = r->kf_answered ? 0 : r->kf_last_ms + KEYFRAME_REPEAT_MS - now_ms;
        if (kf < 0)
            kf = 0;
        if (next < 0 || kf < next)
            next = kf;
    }
    return next;
}

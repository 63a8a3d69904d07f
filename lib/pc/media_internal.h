/*
 * Tracks and transceivers inside the pc.  A transceiver, its RTP sender
 * and receiver belong to one pc and are touched on its worker thread,
 * except where noted: the encode half of the sender runs on the thread
 * that pushes frames into the attached track (see media.h THREADING).
 */
#ifndef PEERC_PC_MEDIA_INTERNAL_H
#define PEERC_PC_MEDIA_INTERNAL_H

#include <glib.h>
#include <pthread.h>

#include <peerc/media.h>

#include "media/frame.h"
#include "media/receiver.h"
#include "media/sender.h"
#include "sdp/codecs.h"
#include "sdp/sdp.h"

struct peerc_source;
struct peerc_srtp;

struct peerc_track {
    gint refs;
    peerc_media_kind kind;
    char id[80];
    gboolean remote;
    peerc_track_source source;
    int32_t codec;        /* ENCODED tracks: peerc_video_codec */
    gboolean kf_deferred; /* keyframe request raised inside a push (pushing thread only) */
    pthread_mutex_t lock;      /* state, attached */
    pthread_mutex_t push_lock; /* one encode at a time; attach/detach wait for it */
    pthread_mutex_t sink_lock; /* recursive; held while a sink runs, so set_sink
                                * can wait for it */
    peerc_track_state state;
    peerc_track_sink sink;
    void *sink_ud;
    gboolean has_sink;
    GPtrArray *attached;  /* peerc_transceiver * sending this (local tracks) */
    struct peerc_source *src;
    peerc_transceiver *owner; /* remote tracks: the transceiver receiving it */
};

struct peerc_transceiver {
    peerc_pc *pc;                /* owner; no reference (freed with it) */
    peerc_media_kind kind;
    char *mid;                   /* NULL until offered or matched */
    peerc_direction direction;
    int current_direction;       /* peerc_direction, -1 before negotiation */
    gboolean stopped;            /* its m-line was rejected */
    gboolean created_by_remote;  /* made by a remote offer (JSEP 5.10) */

    /* sender: track/stream ids change on the worker under the track's
     * push_lock, so the encode thread sees a consistent sender */
    peerc_track *send_track;
    char **stream_ids;           /* NULL-terminated */
    gboolean ever_sent;          /* a track was attached once: not reusable */
    uint32_t ssrc, rtx_ssrc;
    peerc_rtp_sender *sender;    /* exists while a track is attached */
    peerc_rtp_sender_config send_cfg; /* its extension ids are the m-line's map, also
                                       * read when receiving (mid, transport-cc) */
    gboolean send_negotiated;    /* send_cfg holds negotiated values */

    /* receiver */
    peerc_track *recv_track;
    peerc_rtp_receiver *receiver;
    peerc_rtp_receiver_config recv_cfg;
    uint32_t remote_ssrc, remote_rtx_ssrc;
    char **remote_stream_ids;    /* NULL-terminated */
    peerc_direction remote_direction; /* in the remote description (its view) */
    gboolean remote_rejected;
    gboolean remote_sending;     /* track event delivered, not removed */
    uint64_t last_frames_decoded;
    int64_t last_fps_ms;
    double fps;
    uint64_t last_bytes_received;

    /* negotiated codecs and extensions of the last answer (re-offered) */
    peerc_sdp_codec_set codecs;
    peerc_sdp_extmaps extmaps;
    int has_negotiated;
    char codec_name[32];
    uint8_t payload_type;
};

/* ---- track.c */
/* 1 when s is 1..max RFC 8830 token characters (msid stream/track ids). */
int peerc__msid_token_ok(const char *s, size_t max);
peerc_track *peerc__track_new_remote(peerc_media_kind kind, const char *id, peerc_transceiver *t);
void peerc__track_ref(peerc_track *t);
void peerc__track_unref(peerc_track *t);
/* Local tracks: the transceiver starts/stops receiving pushed frames. */
void peerc__track_attach(peerc_track *track, peerc_transceiver *t);
void peerc__track_detach(peerc_track *track, peerc_transceiver *t);
/* Remote tracks: hand decoded media to the sink (worker thread). */
void peerc__track_deliver_video(peerc_track *track, const peerc_media_i420 *frame);
void peerc__track_deliver_audio(peerc_track *track, const int16_t *pcm, size_t samples,
                                uint32_t channels, int64_t timestamp_us);
void peerc__track_set_ended(peerc_track *track, gboolean ended);
void peerc__track_deliver_encoded(peerc_track *track, int32_t codec,
                                  const peerc_media_encoded *frame);
/* Sender keyframe listener for ENCODED tracks (ud: the track). */
void peerc__track_keyframe_requested(void *ud);
/* pc close: readyState ended without an event (W3C: close() stops the
 * transceivers and fires nothing). */
void peerc__track_end_silently(peerc_track *track);

/* ---- transceiver.c */
peerc_transceiver *peerc__transceiver_new(peerc_pc *pc, peerc_media_kind kind,
                                          peerc_direction direction);
void peerc__transceiver_free(peerc_transceiver *t);
gboolean peerc__direction_sends(int d);
gboolean peerc__direction_receives(int d);
peerc_direction peerc__direction_make(gboolean send, gboolean recv);
/* Create the sender for t's track if missing (worker, under push_lock). */
int peerc__transceiver_ensure_sender(peerc_transceiver *t);
void peerc__pc_transceivers_free(peerc_pc *pc);
/* close: stop senders, detach tracks, end remote tracks. */
void peerc__pc_transceivers_close(peerc_pc *pc);

const char *peerc__media_kind_sdp_name(peerc_media_kind kind);
int peerc__media_kind_from_sdp_name(const char *s); /* 0 when neither */
peerc_transceiver *peerc__pc_transceiver_by_mid(const peerc_pc *pc, const char *mid);

/* ---- codec-choice.c */
/* VP9 profiles other than 0, with their rtx entries. */
void peerc__pc_strip_vp9_profiles(peerc_sdp_codec_set *set);
/* ENCODED H.264 tracks: H.264 first in offers / the matching offered one
 * first in answers (RFC 6184 8.1). */
void peerc__pc_offer_h264_first(peerc_sdp_codec_set *codecs);
void peerc__pc_answer_h264_first(const peerc_sdp_codec_set *offered, peerc_sdp_codec_set *codecs);
gboolean peerc__pc_sends_encoded(const peerc_transceiver *t, int32_t codec);
int peerc__pc_copy_codecs(const peerc_sdp_codec_set *from, peerc_sdp_codec_set *to);
void peerc__pc_copy_extmaps(const peerc_sdp_extmaps *from, peerc_sdp_extmaps *to);
/* Drop extensions whose id already means another URI in the BUNDLE group
 * (used: id -> uri of what was answered so far). */
void peerc__pc_decline_clashing_extmaps(peerc_pc *pc, const char *mid, peerc_sdp_extmaps *maps,
                                        GHashTable *used);
/* The codec t sends and expects from a negotiated set (*codec:
 * PEERC_MEDIA_CODEC_*), or NULL when none is usable. */
const peerc_sdp_codec *peerc__pc_primary_codec(const peerc_sdp_codec_set *set,
                                               const peerc_transceiver *t, int *codec);

/* ---- negotiation.c (offer/answer content) */
int peerc__pc_build_offer(peerc_pc *pc, peerc_sdp **out, char *err, size_t errlen);
int peerc__pc_build_answer(peerc_pc *pc, const char *setup, peerc_sdp **out, char *err,
                           size_t errlen);
/* ---- media-apply.c (what applying descriptions means for transceivers) */
/* SRD(offer/answer): associate m-lines with transceivers (creating them for
 * new remote media), remember remote SSRCs/streams.  Validates first and
 * changes nothing on error. */
int peerc__pc_media_remote_description(peerc_pc *pc, const peerc_sdp *sdp, gboolean is_offer,
                                       char *err, size_t errlen);
/* After the state machine moved: fire track / remove_track events. */
void peerc__pc_media_fire_track_events(peerc_pc *pc);
/* An offer/answer exchange completed (stable): configure senders and
 * receivers from the answer. */
void peerc__pc_media_negotiated(peerc_pc *pc);
/* Transceivers whose state differs from the current descriptions. */
gboolean peerc__pc_media_negotiation_needed(const peerc_pc *pc);
/* A packet of another negotiated codec than the receiver expects: the
 * peer may switch among the answered codecs (RFC 3264 5.1), so the
 * receiver follows.  TRUE when t's receiver now expects pt. */
gboolean peerc__pc_media_follow_codec(peerc_pc *pc, peerc_transceiver *t, uint8_t pt);
/* Any m-line of sdp is an RTP audio/video section. */
gboolean peerc__pc_sdp_has_media(const peerc_sdp *sdp);

/* ---- media-transport.c */
void peerc__pc_media_on_dtls_connected(peerc_pc *pc);
void peerc__pc_media_receive(peerc_pc *pc, const uint8_t *data, size_t len);
/* Update sender activity from direction and transport readiness. */
void peerc__pc_media_update_senders(peerc_pc *pc);
void peerc__pc_media_stop(peerc_pc *pc);
void peerc__pc_media_free(peerc_pc *pc);
/* Sender output (any thread): plain RTP to protect and send. */
void peerc__pc_media_sender_output(void *ud, const uint8_t *pkt, size_t len, int retransmission);
/* Receiver callbacks (worker). */
extern const peerc_rtp_receiver_callbacks peerc__pc_receiver_callbacks;
/* Plain RTCP to protect and send (worker). */
void peerc__pc_media_send_rtcp(peerc_pc *pc, const uint8_t *pkt, size_t len);

/* ---- twcc-feedback.c (transport-wide congestion control) */
struct peerc_rtp_packet;
struct peerc_rtp_rtcp_fb;
/* Write the next transport-wide sequence number into an outgoing packet. */
void peerc__pc_twcc_stamp(peerc_pc *pc, uint8_t *pkt, size_t len, uint8_t id);
/* Note the arrival of a received packet carrying the extension (id 0: none). */
void peerc__pc_twcc_received(peerc_pc *pc, const struct peerc_rtp_packet *p, uint8_t id,
                             int64_t now_us);
/* Send feedback when due (poll timer). */
void peerc__pc_twcc_tick(peerc_pc *pc, int64_t now_ms);
void peerc__pc_twcc_on_feedback(peerc_pc *pc, const struct peerc_rtp_rtcp_fb *fb);

/* Fault injection for tests: drop this fraction (0..1) of incoming RTP
 * packets, chosen by a deterministic generator seeded with seed.  Any
 * thread; takes effect on the worker. */
void peerc__pc_set_receive_loss(peerc_pc *pc, double fraction, uint32_t seed);
/* Route remote SSRCs of t to it (after negotiation). */
void peerc__pc_media_map_ssrc(peerc_pc *pc, uint32_t ssrc, peerc_transceiver *t);

#endif

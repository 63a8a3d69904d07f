/*
 * peerc/media.h - audio and video: tracks, transceivers, sources and sinks
 * (W3C MediaStreamTrack, RTCRtpTransceiver, and the getUserMedia analogue).
 *
 * THE MODEL
 *   A local peerc_track is where media enters: frames the application
 *   pushes (I420 video, 16-bit 48 kHz PCM), or a built-in source (a test
 *   pattern, a tone, a V4L2 camera, an ALSA microphone) that produces them
 *   on its own thread.  peerc_pc_add_track attaches it to a peer connection
 *   through a peerc_transceiver; the pc encodes (VP8 with libvpx, Opus with
 *   libopus), packetizes, encrypts (SRTP) and sends.  On the other side the
 *   track callback hands out the remote peerc_track with its stream ids
 *   (the browser's event.streams[0].id); a sink set on it receives decoded
 *   frames.
 *
 *       peerc_track_new(TEST_PATTERN) --> peerc_pc_add_track --> (offer/answer)
 *             ... network ...
 *       track callback(remote track) --> peerc_track_set_sink --> video_frame()
 *
 *   Adding, removing or redirecting a track fires negotiation_needed; the
 *   application then runs an offer/answer exchange as for the first call.
 *
 * THREADING
 *   - peerc_track_push_* may be called from any thread; encoding runs on the
 *     calling thread (a built-in source's own thread), never on the pc's
 *     worker, so a slow encode never delays ICE, DTLS or SCTP.  Calls for
 *     one track must not overlap (push from one thread at a time).
 *   - Sinks of remote tracks run on the pc's worker thread; sinks of local
 *     tracks run on the thread that produced the frame.  Frames passed to a
 *     sink are valid during the call only.
 *   - Every other function is safe from any thread, like the pc calls.
 *
 * OWNERSHIP
 *   Local tracks belong to the application (peerc_track_free); a pc keeps
 *   what it needs while the track is attached.  Remote tracks and
 *   transceivers belong to their pc and stay valid until peerc_pc_free.
 */
#ifndef PEERC_MEDIA_H
#define PEERC_MEDIA_H

#include <peerc/common.h>
#include <peerc/pc.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum peerc_media_kind {
    PEERC_MEDIA_KIND_AUDIO = 1,
    PEERC_MEDIA_KIND_VIDEO = 2
} peerc_media_kind;

/* "audio" / "video"; "unknown" for other values. */
PEERC_API const char *peerc_media_kind_to_string(peerc_media_kind kind);

/* RTCRtpTransceiverDirection */
typedef enum peerc_direction {
    PEERC_DIRECTION_SENDRECV = 0,
    PEERC_DIRECTION_SENDONLY = 1,
    PEERC_DIRECTION_RECVONLY = 2,
    PEERC_DIRECTION_INACTIVE = 3,
    PEERC_DIRECTION_STOPPED = 4
} peerc_direction;

PEERC_API const char *peerc_direction_to_string(peerc_direction direction);

/* MediaStreamTrackState */
typedef enum peerc_track_state {
    PEERC_TRACK_LIVE = 0,
    PEERC_TRACK_ENDED = 1
} peerc_track_state;

/* ----------------------------------------------------------------- frames */

/* An I420 picture: planar Y, then U and V at half width and height
 * (rounded up).  The planes are borrowed for the duration of a call. */
typedef struct peerc_video_frame {
    size_t size; /* sizeof(peerc_video_frame) */
    uint32_t width, height;
    const uint8_t *y, *u, *v;
    int32_t stride_y, stride_u, stride_v; /* bytes per row */
    int64_t timestamp_us;                 /* capture time, any origin, increasing */
} peerc_video_frame;

/* Video codecs, for already-encoded frames. */
typedef enum peerc_video_codec {
    PEERC_VIDEO_CODEC_VP8 = 1,
    PEERC_VIDEO_CODEC_VP9 = 2,  /* received frames (encoded_frame sinks) */
    PEERC_VIDEO_CODEC_H264 = 3  /* Annex B access units, packetization-mode 1 (RFC 6184);
                                 * passed through: peerc does not decode H.264 */
} peerc_video_codec;

/* One compressed video frame as an encoder emits it (a VP8 or VP9 frame, an
 * H.264 Annex B access unit).  data is borrowed for the duration of a call. */
typedef struct peerc_encoded_frame {
    size_t size; /* sizeof(peerc_encoded_frame) */
    int32_t codec; /* peerc_video_codec */
    const uint8_t *data;
    size_t len;
    int32_t keyframe;
    uint32_t width, height; /* 0 when unknown */
    int64_t timestamp_us;   /* capture time, any origin, increasing */
} peerc_encoded_frame;

/* 16-bit PCM, interleaved. */
typedef struct peerc_audio_frame {
    size_t size; /* sizeof(peerc_audio_frame) */
    const int16_t *samples;
    uint32_t samples_per_channel;
    uint32_t channels;    /* 1 or 2 */
    uint32_t sample_rate; /* 48000 */
    int64_t timestamp_us;
} peerc_audio_frame;

/* ------------------------------------------------------------ local tracks */

typedef enum peerc_track_source {
    PEERC_TRACK_SOURCE_PUSH = 0,         /* the application pushes frames */
    PEERC_TRACK_SOURCE_TEST_PATTERN = 1, /* moving pattern with a machine-readable frame number */
    PEERC_TRACK_SOURCE_TONE = 2,         /* a sine */
    PEERC_TRACK_SOURCE_CAMERA = 3,       /* V4L2 capture device */
    PEERC_TRACK_SOURCE_MICROPHONE = 4,   /* ALSA capture device */
    PEERC_TRACK_SOURCE_ENCODED = 5       /* the application pushes encoded video */
} peerc_track_source;

typedef struct peerc_track_options {
    size_t size;
    peerc_media_kind kind;       /* set by peerc_track_options_init */
    peerc_track_source source;   /* default PUSH */
    const char *id;              /* NULL: a random UUID; else an RFC 8830 token */
    uint32_t width, height, fps; /* pattern/camera; default 640x480@30 */
    double tone_hz;              /* default 440 */
    uint32_t channels;           /* audio sources: 1 or 2; default 1 */
    const char *device;          /* camera/microphone; NULL: /dev/video0, "default" */
    int32_t codec;               /* ENCODED: peerc_video_codec of the frames (VP8 or
                                  * H264); default VP8 */
} peerc_track_options;

/* Defaults for kind.  Errors: PEERC_E_INVALID_ARGUMENT. */
PEERC_API int peerc_track_options_init_sized(peerc_track_options *options, size_t size, peerc_media_kind kind);
/* Sized with this header's struct; bindings call _sized with theirs. */
static inline int peerc_track_options_init(peerc_track_options *options, peerc_media_kind kind)
{
    return peerc_track_options_init_sized(options, sizeof *options, kind);
}

/*
 * Create a local track (getUserMedia).  A built-in source starts producing
 * at once.  Errors: PEERC_E_INVALID_ARGUMENT / PEERC_E_RANGE (options),
 * PEERC_E_NOT_FOUND (no such capture device: NotFoundError),
 * PEERC_E_NOT_ALLOWED (the device exists but access is denied:
 * NotAllowedError), PEERC_E_NOT_SUPPORTED (no usable format),
 * PEERC_E_OPERATION (device busy), PEERC_E_NO_MEMORY.  Details go to the
 * log and to peerc_track_last_error().
 */
PEERC_API int peerc_track_new(const peerc_track_options *options, peerc_track **out);

/* Push one frame into a PUSH track (PEERC_E_INVALID_STATE for other
 * sources or an ended track; PEERC_E_INVALID_ARGUMENT for a bad frame or
 * the wrong kind).  The frame is encoded for every pc the track is
 * attached to before the call returns; nothing is kept. */
PEERC_API int peerc_track_push_video(peerc_track *track, const peerc_video_frame *frame);
PEERC_API int peerc_track_push_audio(peerc_track *track, const peerc_audio_frame *frame);

/* Push one already-encoded frame into an ENCODED track (a hardware
 * encoder's output): packetized and sent as it is, to every pc whose
 * negotiation settled on its codec.  Keyframe requests from the peers
 * (PLI/FIR) reach the sink's keyframe_requested callback.  Errors as for
 * push_video; PEERC_E_INVALID_ARGUMENT also when the codec differs from
 * the track's. */
PEERC_API int peerc_track_push_encoded(peerc_track *track, const peerc_encoded_frame *frame);

/* MediaStreamTrack.stop(): a local track's source stops and nothing more is
 * sent (the transceiver stays).  Idempotent. */
PEERC_API int peerc_track_stop(peerc_track *track);

/* Release a local track (stopping it).  NULL-safe; does nothing for remote
 * tracks, which belong to their pc. */
PEERC_API void peerc_track_free(peerc_track *track);

PEERC_API int peerc_track_kind(const peerc_track *track);       /* peerc_media_kind or < 0 */
PEERC_API const char *peerc_track_id(const peerc_track *track); /* NULL only for a NULL track */
PEERC_API int peerc_track_ready_state(peerc_track *track);      /* peerc_track_state or < 0 */
PEERC_API int peerc_track_is_remote(const peerc_track *track);  /* 1, 0, or < 0 */

/* Detail of the last failed track call on this thread ("" if none). */
PEERC_API const char *peerc_track_last_error(void);

/* ------------------------------------------------------------------ sinks */

typedef struct peerc_track_sink {
    size_t size;
    void (*video_frame)(peerc_track *track, const peerc_video_frame *frame, void *user_data);
    void (*audio_frame)(peerc_track *track, const peerc_audio_frame *frame, void *user_data);
    /* The remote side stopped sending it for good (onremovetrack / ended). */
    void (*ended)(peerc_track *track, void *user_data);
    /* Remote video: each complete frame as received, before decoding, for
     * applications that decode or record themselves (worker thread). */
    void (*encoded_frame)(peerc_track *track, const peerc_encoded_frame *frame, void *user_data);
    /* Local ENCODED track: a peer lost its reference (PLI/FIR) or a sender
     * resumed: make the next frame a keyframe (worker thread). */
    void (*keyframe_requested)(peerc_track *track, void *user_data);
} peerc_track_sink;

PEERC_API int peerc_track_sink_init_sized(peerc_track_sink *sink, size_t size);
/* Sized with this header's struct; bindings call _sized with theirs. */
static inline int peerc_track_sink_init(peerc_track_sink *sink)
{
    return peerc_track_sink_init_sized(sink, sizeof *sink);
}

/* Install (or with NULL remove) the sink.  For a remote video track a
 * keyframe is requested so the first picture comes quickly.  After it
 * returns, the previous sink is not called again unless this is called
 * from inside that sink. */
PEERC_API int peerc_track_set_sink(peerc_track *track, const peerc_track_sink *sink,
                                   void *user_data);

/* ------------------------------------------------------------ transceivers */

/*
 * addTrack(track, ...streams): attach a local track, reusing a transceiver
 * of the same kind that never sent (recvonly from a remote offer, JSEP
 * §5.1.2) or creating one.  stream_ids become a=msid so the peer sees them
 * as event.streams (n 0: none).  *out (may be NULL) is the transceiver,
 * owned by the pc.  Fires negotiation_needed.
 * Errors: PEERC_E_INVALID_ARGUMENT (NULL, remote track, bad stream id),
 * PEERC_E_INVALID_ACCESS (track already attached to this pc),
 * PEERC_E_INVALID_STATE (pc closed).
 */
PEERC_API int peerc_pc_add_track(peerc_pc *pc, peerc_track *track, const char *const *stream_ids,
                                 size_t n_stream_ids, peerc_transceiver **out);

/* removeTrack(sender): stop sending on the transceiver (its direction loses
 * "send"); the peer's remove_track fires after the renegotiation.
 * Errors: PEERC_E_INVALID_ARGUMENT, PEERC_E_INVALID_STATE (closed). */
PEERC_API int peerc_pc_remove_track(peerc_pc *pc, peerc_transceiver *transceiver);

/* addTransceiver(kind, {direction}): e.g. recvonly to receive without
 * sending.  Errors as above. */
PEERC_API int peerc_pc_add_transceiver(peerc_pc *pc, peerc_media_kind kind,
                                       peerc_direction direction, peerc_transceiver **out);

/* Transceivers in creation order: *count is how many there are; up to cap
 * handles are written to out (NULL with cap 0 to ask the count). */
PEERC_API int peerc_pc_get_transceivers(peerc_pc *pc, peerc_transceiver **out, size_t cap,
                                        size_t *count);

/* direction = ...: fires negotiation_needed when it changes.  STOPPED is
 * refused (PEERC_E_INVALID_ARGUMENT). */
PEERC_API int peerc_transceiver_set_direction(peerc_transceiver *transceiver,
                                              peerc_direction direction);
PEERC_API int peerc_transceiver_direction(peerc_transceiver *transceiver);
/* currentDirection: what the last offer/answer settled, or -1 before. */
PEERC_API int peerc_transceiver_current_direction(peerc_transceiver *transceiver);
PEERC_API int peerc_transceiver_kind(peerc_transceiver *transceiver);
/* The mid copied into buf.  Errors: PEERC_E_NOT_FOUND (not negotiated
 * yet), PEERC_E_RANGE (buf too small). */
PEERC_API int peerc_transceiver_get_mid(peerc_transceiver *transceiver, char *buf, size_t len);
/* sender.track (NULL after remove_track) and receiver.track (never NULL). */
PEERC_API peerc_track *peerc_transceiver_sender_track(peerc_transceiver *transceiver);
PEERC_API peerc_track *peerc_transceiver_receiver_track(peerc_transceiver *transceiver);

/* ------------------------------------------------------------------ stats */

/* getStats() of one transceiver: outbound-rtp + inbound-rtp + codec. */
typedef struct peerc_rtp_stats {
    size_t size;
    char mid[32];
    char codec[32]; /* "video/VP8", "audio/opus", "" before negotiation */
    uint32_t payload_type;
    /* outbound-rtp */
    uint32_t ssrc;
    uint64_t packets_sent, bytes_sent, retransmitted_packets_sent;
    uint64_t frames_encoded, key_frames_encoded, frames_dropped_before_encode;
    uint64_t nack_received, pli_received;
    uint32_t target_bitrate_bps;
    uint32_t frame_width, frame_height; /* last encoded */
    double round_trip_time_s;           /* from RTCP RR; -1 unknown */
    double remote_fraction_lost;        /* from the peer's last report */
    /* inbound-rtp */
    uint32_t remote_ssrc;
    uint64_t packets_received, bytes_received, packets_lost, retransmitted_packets_received;
    double jitter_s;
    uint64_t frames_received, frames_decoded, key_frames_decoded, frames_dropped;
    uint64_t nack_sent, pli_sent;
    uint64_t audio_samples_received, concealed_samples;
    uint32_t decoded_width, decoded_height;
    double frames_per_second; /* decoded, over the last second */
} peerc_rtp_stats;

PEERC_API int peerc_rtp_stats_init_sized(peerc_rtp_stats *stats, size_t size);
/* Sized with this header's struct; bindings call _sized with theirs. */
static inline int peerc_rtp_stats_init(peerc_rtp_stats *stats)
{
    return peerc_rtp_stats_init_sized(stats, sizeof *stats);
}
PEERC_API int peerc_transceiver_get_stats(peerc_transceiver *transceiver, peerc_rtp_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* PEERC_MEDIA_H */

/*
 * peerc-peer: a peerc endpoint for interop tests, signalled with JSON lines
 * on stdin/stdout in the browser "video call" vocabulary:
 *
 *   {"type":"video-offer","sdp":"..."}
 *   {"type":"video-answer","sdp":"..."}
 *   {"type":"new-ice-candidate","candidate":{"candidate":"...","sdpMid":"0","sdpMLineIndex":0}}
 *       (candidate "" or null: end-of-candidates)
 *   {"type":"hang-up"}
 *
 *   peerc-peer --offer|--answer [--local-addresses "A B"] [--timeout SECONDS]
 *              [--media [--tone HZ]]
 *
 * Every data channel (the "echo" channel it creates with --offer, or those
 * the remote side opens) sends each message back on the same channel with
 * the same type.  stdout carries signalling only; states and diagnostics go
 * to stderr.  Exit status: 0 after hang-up, 1 on failure, 2 on timeout,
 * 3 when stdin ends without hang-up.
 *
 * --media: a call as well.  Before negotiating (as answerer: before the
 * remote offer, so its m-lines take over add_track's transceivers) it adds
 * a test-pattern video track (640x480@30, frame numbers in its top rows)
 * and a tone audio track (--tone, default 660 Hz), both in stream
 * "peerc-stream".  Every remote track gets a sink that counts decoded
 * pictures and samples; on hang-up (and on timeout) one more line goes to
 * stdout before the exit:
 *
 *   {"type":"peerc-report","video_frames_decoded":N,"video_width":W,...,
 *    "remote_stream_ids":[...],"transceivers":[{stats},...],...}
 *
 * The video sink also reads the frame-number code that peerc's own test
 * pattern carries (32 cells in the top 1/16 of the picture: 24 bits of the
 * number and a CRC-8, see lib/media/testsrc.h), so a peer that draws the
 * same code (aiortc_peer.py does) lets this side check that numbers only
 * increase; a picture without the code just counts as unnumbered.
 *
 * Public API only.  Callbacks run on the peerc worker thread; the main
 * thread reads stdin and calls the (thread-safe) API directly.
 */
#include <peerc/peerc.h>

#include <json-glib/json-glib.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHANNELS 64
#define MAX_TRACKS 8
#define MAX_STREAM_IDS 4
#define AUDIO_KEEP 24000 /* last 0.5 s of received PCM (channel 0) */
#define STREAM_ID "peerc-stream"

typedef struct channel {
    peerc_dc *dc;
    uint64_t rx_msgs, rx_bytes, tx_errors;
} channel;

/* One remote track and what its sink saw. */
typedef struct remote_track {
    peerc_track *track;
    peerc_transceiver *transceiver;
    int kind;
    char id[80];
    char streams[MAX_STREAM_IDS][80];
    int n_streams;
    int removed, ended;
    /* video */
    uint64_t frames;
    uint32_t width, height;
    double first_frame_s, last_frame_s; /* since t0 */
    uint64_t numbered, unnumbered, backwards;
    uint32_t first_number, last_number;
    /* audio */
    uint64_t samples;
    uint32_t channels, sample_rate;
    double first_audio_s;
    double max_frame_rms;  /* loudest single sink frame, channel 0 */
    uint64_t loud_frames;  /* frames with RMS above 1% of full scale */
    int16_t pcm[AUDIO_KEEP]; /* ring of channel 0 */
    size_t pcm_pos, pcm_len;
} remote_track;

/* Everything below is shared between the main thread and the worker. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static channel channels[MAX_CHANNELS];
static int n_channels;
static int failed;                 /* fatal condition seen by a callback */
static int local_description_sent; /* candidates are held back until then */
static GPtrArray *held_candidates; /* JSON lines waiting for the description */
static int offer_sent;
static int is_offerer;
static peerc_pc *the_pc;
static double t0;
static int media_mode;
static int offer_allowed = 1;       /* --media offerer: not before both tracks are added */
static remote_track *remote_tracks; /* MAX_TRACKS, allocated in main */
static int n_remote_tracks;
static double connected_s = -1; /* connection state connected, since t0 */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
    va_list ap;
    char buf[2048];
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "peerc-peer[%s] %7.3f %s\n", is_offerer ? "offer" : "answer",
            now_s() - t0, buf);
}

/* ------------------------------------------------------------ signalling out */

/* One JSON line on stdout; the caller holds `lock` so lines never interleave. */
static void write_line_locked(const char *line)
{
    fputs(line, stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

static char *json_to_line(JsonBuilder *b)
{
    JsonNode *root = json_builder_get_root(b);
    JsonGenerator *gen = json_generator_new();
    json_generator_set_root(gen, root);
    char *s = json_generator_to_data(gen, NULL);
    g_object_unref(gen);
    json_node_unref(root);
    return s;
}

static char *description_line(const char *type, const char *sdp)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "type");
    json_builder_add_string_value(b, type);
    json_builder_set_member_name(b, "sdp");
    json_builder_add_string_value(b, sdp);
    json_builder_end_object(b);
    char *s = json_to_line(b);
    g_object_unref(b);
    return s;
}

/* Send the offer/answer, then whatever candidates came out before it. */
static void send_description(const char *type, const char *sdp)
{
    char *line = description_line(type, sdp);
    pthread_mutex_lock(&lock);
    write_line_locked(line);
    local_description_sent = 1;
    for (guint i = 0; i < held_candidates->len; i++)
        write_line_locked(g_ptr_array_index(held_candidates, i));
    if (held_candidates->len)
        logf_("sent %u candidate(s) held back until the description went out",
              held_candidates->len);
    g_ptr_array_set_size(held_candidates, 0);
    pthread_mutex_unlock(&lock);
    g_free(line);
}

static void on_ice_candidate(peerc_pc *pc, const char *candidate, const char *mid, int32_t index,
                             void *ud)
{
    (void)pc;
    (void)ud;
    logf_("local candidate: %s (mid %s, index %d)", candidate ? candidate : "<end-of-candidates>",
          mid ? mid : "null", (int)index);
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "type");
    json_builder_add_string_value(b, "new-ice-candidate");
    json_builder_set_member_name(b, "candidate");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "candidate");
    json_builder_add_string_value(b, candidate ? candidate : "");
    json_builder_set_member_name(b, "sdpMid");
    if (mid)
        json_builder_add_string_value(b, mid);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "sdpMLineIndex");
    if (index >= 0)
        json_builder_add_int_value(b, index);
    else
        json_builder_add_null_value(b);
    json_builder_end_object(b);
    json_builder_end_object(b);
    char *line = json_to_line(b);
    g_object_unref(b);

    pthread_mutex_lock(&lock);
    if (local_description_sent) {
        write_line_locked(line);
        g_free(line);
    } else {
        g_ptr_array_add(held_candidates, line);
    }
    pthread_mutex_unlock(&lock);
}

static void set_failed(void)
{
    pthread_mutex_lock(&lock);
    failed = 1;
    pthread_mutex_unlock(&lock);
}

/* Create, apply and signal the offer, once. */
static void make_offer(peerc_pc *pc)
{
    pthread_mutex_lock(&lock);
    int already = offer_sent, allowed = offer_allowed;
    if (!already && allowed)
        offer_sent = 1; /* claimed: the worker and the main thread may both get here */
    pthread_mutex_unlock(&lock);
    if (!allowed) {
        logf_("not offering yet (tracks still being added)");
        return;
    }
    if (already) {
        logf_("not renegotiating (offer already sent)");
        return;
    }
    char *offer = NULL;
    int rc = peerc_pc_create_offer(pc, NULL, &offer);
    if (rc != PEERC_OK) {
        logf_("create_offer failed: %s (%s)", peerc_strerror(rc), peerc_pc_last_error(pc));
        set_failed();
        return;
    }
    rc = peerc_pc_set_local_description(pc, PEERC_SDP_OFFER, offer);
    if (rc != PEERC_OK) {
        logf_("set_local_description(offer) failed: %s (%s)", peerc_strerror(rc),
              peerc_pc_last_error(pc));
        peerc_free(offer);
        set_failed();
        return;
    }
    logf_("local offer:\n%s", offer);
    send_description("video-offer", offer);
    peerc_free(offer);
}

/* onnegotiationneeded (offerer): create the offer and signal it. */
static void on_negotiation_needed(peerc_pc *pc, void *ud)
{
    (void)ud;
    int st = peerc_pc_signaling_state(pc);
    logf_("negotiation-needed (signaling state %s)",
          peerc_signaling_state_to_string((peerc_signaling_state)st));
    if (!is_offerer) {
        logf_("answerer: ignoring negotiation-needed");
        return;
    }
    if (st != PEERC_SIGNALING_STABLE) {
        logf_("not offering in signaling state %s",
              peerc_signaling_state_to_string((peerc_signaling_state)st));
        return;
    }
    make_offer(pc);
}

/* ------------------------------------------------------------------- states */

static void on_signaling(peerc_pc *pc, peerc_signaling_state st, void *ud)
{
    (void)pc;
    (void)ud;
    logf_("signaling state: %s", peerc_signaling_state_to_string(st));
}

static void on_gathering(peerc_pc *pc, peerc_ice_gathering_state st, void *ud)
{
    (void)pc;
    (void)ud;
    logf_("ice gathering state: %s", peerc_ice_gathering_state_to_string(st));
}

static void on_ice_connection(peerc_pc *pc, peerc_ice_connection_state st, void *ud)
{
    (void)pc;
    (void)ud;
    logf_("ice connection state: %s", peerc_ice_connection_state_to_string(st));
}

static void on_connection(peerc_pc *pc, peerc_connection_state st, void *ud)
{
    (void)pc;
    (void)ud;
    logf_("connection state: %s", peerc_connection_state_to_string(st));
    if (st == PEERC_CONNECTION_CONNECTED) {
        pthread_mutex_lock(&lock);
        if (connected_s < 0)
            connected_s = now_s() - t0;
        pthread_mutex_unlock(&lock);
    }
    if (st == PEERC_CONNECTION_FAILED)
        set_failed();
}

/* ------------------------------------------------------------ data channels */

static void dc_on_open(peerc_dc *dc, void *ud)
{
    (void)ud;
    logf_("data channel '%s' (id %d, protocol '%s', ordered %d) open", peerc_dc_label(dc),
          peerc_dc_id(dc), peerc_dc_protocol(dc), peerc_dc_ordered(dc));
}

static void dc_on_message(peerc_dc *dc, const uint8_t *data, size_t len, int32_t is_binary,
                          void *ud)
{
    channel *ch = ud;
    int rc;
    if (is_binary) {
        rc = peerc_dc_send_binary(dc, data, len);
    } else {
        /* peerc_dc_send_text takes a NUL-terminated string. */
        char *text = malloc(len + 1);
        if (!text) {
            set_failed();
            return;
        }
        memcpy(text, data, len);
        text[len] = '\0';
        if (memchr(data, '\0', len))
            logf_("warning: text message with an embedded NUL: the echo will be truncated");
        rc = peerc_dc_send_text(dc, text);
        free(text);
    }
    pthread_mutex_lock(&lock);
    ch->rx_msgs++;
    ch->rx_bytes += len;
    uint64_t n = ch->rx_msgs;
    if (rc != PEERC_OK)
        ch->tx_errors++;
    pthread_mutex_unlock(&lock);
    if (rc != PEERC_OK)
        logf_("echo of message #%" PRIu64 " (%zu bytes, %s) on '%s' failed: %s", n, len,
              is_binary ? "binary" : "text", peerc_dc_label(dc), peerc_strerror(rc));
    else if (n <= 3 || n % 50 == 0)
        logf_("'%s': echoed message #%" PRIu64 " (%zu bytes, %s)", peerc_dc_label(dc), n, len,
              is_binary ? "binary" : "text");
}

static void dc_on_closing(peerc_dc *dc, void *ud)
{
    (void)ud;
    logf_("data channel '%s' closing", peerc_dc_label(dc));
}

static void dc_on_close(peerc_dc *dc, void *ud)
{
    (void)ud;
    logf_("data channel '%s' closed", peerc_dc_label(dc));
}

static void dc_on_error(peerc_dc *dc, int code, const char *message, void *ud)
{
    (void)ud;
    logf_("data channel '%s' error: %s: %s", peerc_dc_label(dc), peerc_strerror(code),
          message ? message : "");
}

static channel *track_channel(peerc_dc *dc)
{
    channel *ch = NULL;
    pthread_mutex_lock(&lock);
    if (n_channels < MAX_CHANNELS) {
        ch = &channels[n_channels++];
        ch->dc = dc;
    }
    pthread_mutex_unlock(&lock);
    if (!ch) {
        logf_("too many data channels");
        set_failed();
        return NULL;
    }
    peerc_dc_callbacks cbs;
    peerc_dc_callbacks_init(&cbs);
    cbs.open = dc_on_open;
    cbs.message = dc_on_message;
    cbs.closing = dc_on_closing;
    cbs.close = dc_on_close;
    cbs.error = dc_on_error;
    int rc = peerc_dc_set_callbacks(dc, &cbs, ch);
    if (rc != PEERC_OK) {
        logf_("peerc_dc_set_callbacks failed: %s", peerc_strerror(rc));
        set_failed();
    }
    return ch;
}

static void on_data_channel(peerc_pc *pc, peerc_dc *dc, void *ud)
{
    (void)pc;
    (void)ud;
    logf_("remote data channel '%s' (id %d, protocol '%s', state %s)", peerc_dc_label(dc),
          peerc_dc_id(dc), peerc_dc_protocol(dc),
          peerc_dc_state_to_string((peerc_dc_state)peerc_dc_ready_state(dc)));
    if (!track_channel(dc))
        peerc_dc_free(dc);
}

/* ------------------------------------------------------------------- media */

/* The frame-number code of peerc's test pattern, read through the public
 * frame type (the library's reader is internal): 32 cells across the
 * width in the top max(8, h/16) rows (even), black Y 16 = 0, white Y 235 =
 * 1; 24 bits of the number, MSB first, then CRC-8 (poly 0x07, init 0xff,
 * final xor 0x55) over its three bytes. */
static uint8_t code_crc8(uint32_t v)
{
    uint8_t crc = 0xff;
    for (int i = 2; i >= 0; i--) {
        crc ^= (uint8_t)(v >> (8 * i));
        for (int b = 0; b < 8; b++)
            crc = (uint8_t)(crc & 0x80 ? (crc << 1) ^ 0x07 : crc << 1);
    }
    return crc ^ 0x55;
}

static int read_frame_number(const peerc_video_frame *f, uint32_t *number)
{
    if (f->width < 128 || f->height < 64 || !f->y)
        return -1;
    uint32_t band = f->height / 16;
    band = (band < 8 ? 8 : band) & ~1u;
    uint32_t cell = f->width / 32, x_in = cell / 4, y0 = band / 4, y1 = band - band / 4;
    uint32_t word = 0;
    for (uint32_t i = 0; i < 32; i++) {
        uint64_t sum = 0, n = 0;
        for (uint32_t y = y0; y < y1; y++)
            for (uint32_t x = i * cell + x_in; x < (i + 1) * cell - x_in; x++, n++)
                sum += f->y[(size_t)y * (size_t)f->stride_y + x];
        word = (word << 1) | (sum > n * ((16 + 235) / 2) ? 1u : 0u);
    }
    if ((word & 0xff) != code_crc8(word >> 8))
        return -1;
    *number = word >> 8;
    return 0;
}

/* Dominant frequency of 48 kHz PCM from interpolated rising zero
 * crossings (armed only after the signal went below -peak/4, so codec
 * noise adds none); rms of the same samples, 0..1 of full scale.
 * Returns -1 when it is silence (peak < 1%) or too short. */
static int estimate_tone(const int16_t *pcm, size_t n, double *hz, double *rms)
{
    double mean = 0, energy = 0, peak = 0;
    *hz = 0;
    *rms = 0;
    if (n < 2)
        return -1;
    for (size_t i = 0; i < n; i++)
        mean += pcm[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double v = pcm[i] - mean;
        energy += v * v;
        if (v > peak || -v > peak)
            peak = v > 0 ? v : -v;
    }
    *rms = sqrt(energy / (double)n) / 32768.0;
    if (peak < 328.0)
        return -1;
    double h = peak / 4, first = 0, last = 0, prev = pcm[0] - mean;
    int armed = 0;
    size_t count = 0;
    for (size_t i = 1; i < n; i++) {
        double v = pcm[i] - mean;
        if (v < -h)
            armed = 1;
        if (armed && prev < 0 && v >= 0) {
            double t = (double)(i - 1) + prev / (prev - v);
            if (count++ == 0)
                first = t;
            last = t;
            armed = 0;
        }
        prev = v;
    }
    if (count < 3 || last <= first)
        return -1;
    *hz = (double)(count - 1) * 48000.0 / (last - first);
    return 0;
}

static void sink_video(peerc_track *track, const peerc_video_frame *f, void *ud)
{
    remote_track *r = ud;
    uint32_t number = 0;
    int numbered = read_frame_number(f, &number) == 0;
    double t = now_s() - t0;
    (void)track;
    pthread_mutex_lock(&lock);
    if (r->frames++ == 0) {
        r->first_frame_s = t;
        pthread_mutex_unlock(&lock);
        logf_("first video picture %" PRIu32 "x%" PRIu32 " on track %s%s", f->width, f->height,
              r->id, numbered ? " (numbered)" : "");
        pthread_mutex_lock(&lock);
    }
    r->last_frame_s = t;
    r->width = f->width;
    r->height = f->height;
    if (numbered) {
        if (r->numbered == 0)
            r->first_number = number;
        else if (number <= r->last_number)
            r->backwards++;
        r->numbered++;
        r->last_number = number;
    } else {
        r->unnumbered++;
    }
    pthread_mutex_unlock(&lock);
}

static void sink_audio(peerc_track *track, const peerc_audio_frame *f, void *ud)
{
    remote_track *r = ud;
    int first;
    (void)track;
    pthread_mutex_lock(&lock);
    first = r->samples == 0;
    if (first)
        r->first_audio_s = now_s() - t0;
    r->samples += f->samples_per_channel;
    r->channels = f->channels;
    r->sample_rate = f->sample_rate;
    double energy = 0;
    for (uint32_t i = 0; i < f->samples_per_channel && f->channels; i++) {
        double v = f->samples[(size_t)i * f->channels];
        energy += v * v;
        r->pcm[r->pcm_pos] = f->samples[(size_t)i * f->channels];
        r->pcm_pos = (r->pcm_pos + 1) % AUDIO_KEEP;
        if (r->pcm_len < AUDIO_KEEP)
            r->pcm_len++;
    }
    if (f->samples_per_channel) {
        double frame_rms = sqrt(energy / f->samples_per_channel) / 32768.0;
        if (frame_rms > r->max_frame_rms)
            r->max_frame_rms = frame_rms;
        if (frame_rms > 0.01)
            r->loud_frames++;
    }
    pthread_mutex_unlock(&lock);
    if (first)
        logf_("first audio frame: %" PRIu32 " samples x %" PRIu32 " channel(s) at %" PRIu32
              " Hz on track %s",
              f->samples_per_channel, f->channels, f->sample_rate, r->id);
}

static void sink_ended(peerc_track *track, void *ud)
{
    remote_track *r = ud;
    (void)track;
    pthread_mutex_lock(&lock);
    r->ended++;
    pthread_mutex_unlock(&lock);
    logf_("remote track %s ended", r->id);
}

static void on_track(peerc_pc *pc, peerc_transceiver *t, peerc_track *track,
                     const char *const *stream_ids, size_t n_stream_ids, void *ud)
{
    (void)pc;
    (void)ud;
    int kind = peerc_track_kind(track);
    char mid[32] = "";
    peerc_transceiver_get_mid(t, mid, sizeof mid);
    logf_("track: %s track %s on mid %s, %zu stream id(s)%s%s",
          peerc_media_kind_to_string((peerc_media_kind)kind), peerc_track_id(track), mid,
          n_stream_ids, n_stream_ids ? ", first " : "", n_stream_ids ? stream_ids[0] : "");
    pthread_mutex_lock(&lock);
    remote_track *r = NULL;
    for (int i = 0; i < n_remote_tracks; i++)
        if (remote_tracks[i].track == track)
            r = &remote_tracks[i]; /* announced again (renegotiation) */
    if (!r && n_remote_tracks < MAX_TRACKS)
        r = &remote_tracks[n_remote_tracks++];
    if (r) {
        r->track = track;
        r->transceiver = t;
        r->kind = kind;
        snprintf(r->id, sizeof r->id, "%s", peerc_track_id(track));
        r->n_streams = 0;
        for (size_t i = 0; i < n_stream_ids && i < MAX_STREAM_IDS; i++)
            snprintf(r->streams[r->n_streams++], sizeof r->streams[0], "%s", stream_ids[i]);
    }
    pthread_mutex_unlock(&lock);
    if (!r) {
        logf_("too many remote tracks");
        return;
    }
    peerc_track_sink sink;
    peerc_track_sink_init(&sink);
    sink.video_frame = sink_video;
    sink.audio_frame = sink_audio;
    sink.ended = sink_ended;
    int rc = peerc_track_set_sink(track, &sink, r);
    if (rc != PEERC_OK) {
        logf_("peerc_track_set_sink failed: %s (%s)", peerc_strerror(rc),
              peerc_track_last_error());
        set_failed();
    }
}

static void on_remove_track(peerc_pc *pc, peerc_transceiver *t, peerc_track *track, void *ud)
{
    (void)pc;
    (void)t;
    (void)ud;
    logf_("remove_track: %s", peerc_track_id(track));
    pthread_mutex_lock(&lock);
    for (int i = 0; i < n_remote_tracks; i++)
        if (remote_tracks[i].track == track)
            remote_tracks[i].removed++;
    pthread_mutex_unlock(&lock);
}

static peerc_track *make_local_track(peerc_media_kind kind, double tone_hz)
{
    peerc_track_options o;
    peerc_track *t = NULL;
    peerc_track_options_init(&o, kind);
    if (kind == PEERC_MEDIA_KIND_VIDEO) {
        o.source = PEERC_TRACK_SOURCE_TEST_PATTERN;
        o.width = 640;
        o.height = 480;
        o.fps = 30;
    } else {
        o.source = PEERC_TRACK_SOURCE_TONE;
        o.tone_hz = tone_hz;
    }
    int rc = peerc_track_new(&o, &t);
    if (rc != PEERC_OK) {
        logf_("peerc_track_new(%s) failed: %s (%s)", peerc_media_kind_to_string(kind),
              peerc_strerror(rc), peerc_track_last_error());
        return NULL;
    }
    return t;
}

/* Both tracks in stream "peerc-stream"; the transceivers are returned. */
static int add_local_tracks(peerc_track *tracks[2], peerc_transceiver *out[2])
{
    const char *streams[] = {STREAM_ID};
    for (int i = 0; i < 2; i++) {
        int rc = peerc_pc_add_track(the_pc, tracks[i], streams, 1, &out[i]);
        if (rc != PEERC_OK) {
            logf_("add_track(%s) failed: %s (%s)",
                  peerc_media_kind_to_string((peerc_media_kind)peerc_track_kind(tracks[i])),
                  peerc_strerror(rc), peerc_pc_last_error(the_pc));
            return -1;
        }
        logf_("added local %s track %s",
              peerc_media_kind_to_string((peerc_media_kind)peerc_track_kind(tracks[i])),
              peerc_track_id(tracks[i]));
    }
    return 0;
}

static void json_int(JsonBuilder *b, const char *name, int64_t v)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, v);
}

static void json_double(JsonBuilder *b, const char *name, double v)
{
    json_builder_set_member_name(b, name);
    json_builder_add_double_value(b, v);
}

static void json_string(JsonBuilder *b, const char *name, const char *v)
{
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, v ? v : "");
}

static void report_transceiver(JsonBuilder *b, peerc_transceiver *t)
{
    peerc_rtp_stats st;
    peerc_rtp_stats_init(&st);
    int rc = peerc_transceiver_get_stats(t, &st);
    int dir = peerc_transceiver_direction(t), cur = peerc_transceiver_current_direction(t);
    json_builder_begin_object(b);
    json_string(b, "kind",
                peerc_media_kind_to_string((peerc_media_kind)peerc_transceiver_kind(t)));
    json_string(b, "direction", peerc_direction_to_string((peerc_direction)dir));
    json_string(b, "current_direction",
                cur < 0 ? "" : peerc_direction_to_string((peerc_direction)cur));
    json_string(b, "stats_error", rc == PEERC_OK ? "" : peerc_strerror(rc));
    if (rc == PEERC_OK) {
        json_string(b, "mid", st.mid);
        json_string(b, "codec", st.codec);
        json_int(b, "payload_type", st.payload_type);
        json_int(b, "ssrc", st.ssrc);
        json_int(b, "packets_sent", (int64_t)st.packets_sent);
        json_int(b, "bytes_sent", (int64_t)st.bytes_sent);
        json_int(b, "retransmitted_packets_sent", (int64_t)st.retransmitted_packets_sent);
        json_int(b, "frames_encoded", (int64_t)st.frames_encoded);
        json_int(b, "key_frames_encoded", (int64_t)st.key_frames_encoded);
        json_int(b, "frames_dropped_before_encode", (int64_t)st.frames_dropped_before_encode);
        json_int(b, "nack_received", (int64_t)st.nack_received);
        json_int(b, "pli_received", (int64_t)st.pli_received);
        json_int(b, "target_bitrate_bps", st.target_bitrate_bps);
        json_int(b, "frame_width", st.frame_width);
        json_int(b, "frame_height", st.frame_height);
        json_double(b, "round_trip_time_s", st.round_trip_time_s);
        json_double(b, "remote_fraction_lost", st.remote_fraction_lost);
        json_int(b, "remote_ssrc", st.remote_ssrc);
        json_int(b, "packets_received", (int64_t)st.packets_received);
        json_int(b, "bytes_received", (int64_t)st.bytes_received);
        json_int(b, "packets_lost", (int64_t)st.packets_lost);
        json_int(b, "retransmitted_packets_received", (int64_t)st.retransmitted_packets_received);
        json_double(b, "jitter_s", st.jitter_s);
        json_int(b, "frames_received", (int64_t)st.frames_received);
        json_int(b, "frames_decoded", (int64_t)st.frames_decoded);
        json_int(b, "key_frames_decoded", (int64_t)st.key_frames_decoded);
        json_int(b, "frames_dropped", (int64_t)st.frames_dropped);
        json_int(b, "nack_sent", (int64_t)st.nack_sent);
        json_int(b, "pli_sent", (int64_t)st.pli_sent);
        json_int(b, "audio_samples_received", (int64_t)st.audio_samples_received);
        json_int(b, "concealed_samples", (int64_t)st.concealed_samples);
        json_int(b, "decoded_width", st.decoded_width);
        json_int(b, "decoded_height", st.decoded_height);
        json_double(b, "frames_per_second", st.frames_per_second);
    }
    json_builder_end_object(b);
}

/* The {"type":"peerc-report"} line: what the sinks saw (summed over the
 * remote tracks of each kind; the first video track gives the size and
 * first-frame time), per-track detail, and every transceiver's stats.
 * Called before the pc closes. */
static void print_media_report(int status, const char *why)
{
    JsonBuilder *b = json_builder_new();
    size_t nt = 0;
    peerc_pc_get_transceivers(the_pc, NULL, 0, &nt);
    peerc_transceiver **ts = nt ? calloc(nt, sizeof *ts) : NULL;
    if (ts)
        peerc_pc_get_transceivers(the_pc, ts, nt, &nt);
    else
        nt = 0;

    pthread_mutex_lock(&lock);
    uint64_t vframes = 0, asamples = 0, numbered = 0, backwards = 0;
    uint32_t vw = 0, vh = 0;
    double first_frame = -1, first_audio = -1, fps = 0, hz = 0, rms = 0;
    int have_video = 0, have_audio = 0;
    json_builder_begin_object(b);
    json_string(b, "type", "peerc-report");
    json_string(b, "reason", why);
    json_int(b, "status", status);
    json_double(b, "elapsed_ms", (now_s() - t0) * 1000);
    json_double(b, "connected_ms", connected_s < 0 ? -1 : connected_s * 1000);
    json_builder_set_member_name(b, "tracks");
    json_builder_begin_array(b);
    for (int i = 0; i < n_remote_tracks; i++) {
        remote_track *r = &remote_tracks[i];
        double thz = 0, trms = 0;
        int16_t *lin = NULL;
        json_builder_begin_object(b);
        json_string(b, "kind", peerc_media_kind_to_string((peerc_media_kind)r->kind));
        json_string(b, "id", r->id);
        json_builder_set_member_name(b, "stream_ids");
        json_builder_begin_array(b);
        for (int k = 0; k < r->n_streams; k++)
            json_builder_add_string_value(b, r->streams[k]);
        json_builder_end_array(b);
        json_int(b, "removed", r->removed);
        json_int(b, "ended", r->ended);
        if (r->kind == PEERC_MEDIA_KIND_VIDEO) {
            double span = r->last_frame_s - r->first_frame_s;
            double tfps = r->frames > 1 && span > 0 ? (double)(r->frames - 1) / span : 0;
            json_int(b, "frames", (int64_t)r->frames);
            json_int(b, "width", r->width);
            json_int(b, "height", r->height);
            json_double(b, "first_frame_ms", r->frames ? r->first_frame_s * 1000 : -1);
            json_double(b, "fps", tfps);
            json_int(b, "numbered", (int64_t)r->numbered);
            json_int(b, "unnumbered", (int64_t)r->unnumbered);
            json_int(b, "backwards", (int64_t)r->backwards);
            json_int(b, "first_number", r->first_number);
            json_int(b, "last_number", r->last_number);
            vframes += r->frames;
            numbered += r->numbered;
            backwards += r->backwards;
            if (!have_video && r->frames) {
                have_video = 1;
                vw = r->width;
                vh = r->height;
                first_frame = r->first_frame_s * 1000;
                fps = tfps;
            }
        } else {
            /* unroll the ring, oldest first */
            lin = malloc(AUDIO_KEEP * sizeof *lin);
            if (lin) {
                size_t start = (r->pcm_pos + AUDIO_KEEP - r->pcm_len) % AUDIO_KEEP;
                for (size_t k = 0; k < r->pcm_len; k++)
                    lin[k] = r->pcm[(start + k) % AUDIO_KEEP];
                if (estimate_tone(lin, r->pcm_len, &thz, &trms) != 0)
                    thz = 0;
                free(lin);
            }
            json_int(b, "samples", (int64_t)r->samples);
            json_int(b, "channels", r->channels);
            json_int(b, "sample_rate", r->sample_rate);
            json_double(b, "first_audio_ms", r->samples ? r->first_audio_s * 1000 : -1);
            json_double(b, "rms", trms);
            json_double(b, "tone_hz", thz);
            json_double(b, "max_frame_rms", r->max_frame_rms);
            json_int(b, "loud_frames", (int64_t)r->loud_frames);
            asamples += r->samples;
            if (!have_audio && r->samples) {
                have_audio = 1;
                hz = thz;
                rms = trms;
                first_audio = r->first_audio_s * 1000;
            }
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_int(b, "video_frames_decoded", (int64_t)vframes);
    json_int(b, "video_width", vw);
    json_int(b, "video_height", vh);
    json_double(b, "first_frame_ms", first_frame);
    json_double(b, "first_frame_after_connected_ms",
                first_frame >= 0 && connected_s >= 0 ? first_frame - connected_s * 1000 : -1);
    json_double(b, "video_fps", fps);
    json_int(b, "video_numbered", (int64_t)numbered);
    json_int(b, "video_backwards", (int64_t)backwards);
    json_int(b, "audio_samples", (int64_t)asamples);
    json_double(b, "audio_rms", rms);
    json_double(b, "audio_hz", hz);
    json_double(b, "first_audio_ms", first_audio);
    json_builder_set_member_name(b, "remote_stream_ids");
    json_builder_begin_array(b);
    for (int i = 0; i < n_remote_tracks; i++)
        for (int k = 0; k < remote_tracks[i].n_streams; k++) {
            int dup = 0;
            for (int j = 0; j < i && !dup; j++)
                for (int m = 0; m < remote_tracks[j].n_streams && !dup; m++)
                    dup = !strcmp(remote_tracks[j].streams[m], remote_tracks[i].streams[k]);
            for (int m = 0; m < k && !dup; m++)
                dup = !strcmp(remote_tracks[i].streams[m], remote_tracks[i].streams[k]);
            if (!dup)
                json_builder_add_string_value(b, remote_tracks[i].streams[k]);
        }
    json_builder_end_array(b);
    pthread_mutex_unlock(&lock);

    /* stats calls go to the pc: not under our lock (its callbacks take it) */
    json_builder_set_member_name(b, "transceivers");
    json_builder_begin_array(b);
    for (size_t i = 0; i < nt; i++)
        report_transceiver(b, ts[i]);
    json_builder_end_array(b);
    json_builder_end_object(b);
    free(ts);

    char *line = json_to_line(b);
    g_object_unref(b);
    pthread_mutex_lock(&lock);
    write_line_locked(line);
    pthread_mutex_unlock(&lock);
    logf_("report: %s", line);
    g_free(line);
}

/* ------------------------------------------------------------ signalling in */

typedef struct pending_candidate {
    char *candidate; /* NULL: end-of-candidates */
    char *mid;
    int32_t index;
} pending_candidate;

static GPtrArray *pending_candidates; /* main thread only */
static int have_remote_description;   /* main thread only */

static void add_candidate(const char *cand, const char *mid, int32_t index)
{
    int rc = peerc_pc_add_ice_candidate(the_pc, cand, mid, index);
    logf_("add_ice_candidate(%s, mid %s, index %d) -> %s%s%s", cand ? cand : "<end>",
          mid ? mid : "null", (int)index, peerc_strerror(rc), rc ? ": " : "",
          rc ? peerc_pc_last_error(the_pc) : "");
}

static void flush_pending_candidates(void)
{
    for (guint i = 0; i < pending_candidates->len; i++) {
        pending_candidate *p = g_ptr_array_index(pending_candidates, i);
        add_candidate(p->candidate, p->mid, p->index);
        g_free(p->candidate);
        g_free(p->mid);
        g_free(p);
    }
    g_ptr_array_set_size(pending_candidates, 0);
}

static const char *member_string(JsonObject *o, const char *name)
{
    JsonNode *n = json_object_get_member(o, name);
    if (!n || JSON_NODE_TYPE(n) != JSON_NODE_VALUE || json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}

static void on_candidate_message(JsonObject *o)
{
    JsonNode *cn = json_object_get_member(o, "candidate");
    const char *cand = NULL, *mid = NULL;
    int32_t index = -1;
    if (cn && JSON_NODE_HOLDS_OBJECT(cn)) {
        JsonObject *c = json_node_get_object(cn);
        cand = member_string(c, "candidate");
        mid = member_string(c, "sdpMid");
        JsonNode *in = json_object_get_member(c, "sdpMLineIndex");
        if (in && JSON_NODE_TYPE(in) == JSON_NODE_VALUE &&
            json_node_get_value_type(in) == G_TYPE_INT64)
            index = (int32_t)json_node_get_int(in);
    } else if (cn && JSON_NODE_TYPE(cn) == JSON_NODE_VALUE &&
               json_node_get_value_type(cn) == G_TYPE_STRING) {
        cand = json_node_get_string(cn);
    }
    if (cand && !*cand)
        cand = NULL; /* end-of-candidates */
    if (!have_remote_description) {
        pending_candidate *p = g_new0(pending_candidate, 1);
        p->candidate = g_strdup(cand);
        p->mid = g_strdup(mid);
        p->index = index;
        g_ptr_array_add(pending_candidates, p);
        logf_("remote candidate held until the remote description: %s", cand ? cand : "<end>");
        return;
    }
    add_candidate(cand, mid, index);
}

static int on_offer_message(const char *sdp)
{
    int rc;
    logf_("remote offer:\n%s", sdp);
    if (is_offerer) {
        logf_("unexpected offer for an offerer");
        return -1;
    }
    rc = peerc_pc_set_remote_description(the_pc, PEERC_SDP_OFFER, sdp);
    if (rc != PEERC_OK) {
        logf_("set_remote_description(offer) failed: %s (%s)", peerc_strerror(rc),
              peerc_pc_last_error(the_pc));
        return -1;
    }
    have_remote_description = 1;
    flush_pending_candidates();
    char *answer = NULL;
    rc = peerc_pc_create_answer(the_pc, &answer);
    if (rc != PEERC_OK) {
        logf_("create_answer failed: %s (%s)", peerc_strerror(rc), peerc_pc_last_error(the_pc));
        return -1;
    }
    rc = peerc_pc_set_local_description(the_pc, PEERC_SDP_ANSWER, answer);
    if (rc != PEERC_OK) {
        logf_("set_local_description(answer) failed: %s (%s)", peerc_strerror(rc),
              peerc_pc_last_error(the_pc));
        peerc_free(answer);
        return -1;
    }
    logf_("local answer:\n%s", answer);
    send_description("video-answer", answer);
    peerc_free(answer);
    return 0;
}

static int on_answer_message(const char *sdp)
{
    logf_("remote answer:\n%s", sdp);
    if (!is_offerer) {
        logf_("unexpected answer for an answerer");
        return -1;
    }
    int rc = peerc_pc_set_remote_description(the_pc, PEERC_SDP_ANSWER, sdp);
    if (rc != PEERC_OK) {
        logf_("set_remote_description(answer) failed: %s (%s)", peerc_strerror(rc),
              peerc_pc_last_error(the_pc));
        return -1;
    }
    have_remote_description = 1;
    flush_pending_candidates();
    return 0;
}

/* Returns 1 on hang-up, -1 on a fatal error, 0 otherwise. */
static int handle_line(const char *line)
{
    while (*line == ' ' || *line == '\t' || *line == '\r')
        line++;
    if (!*line)
        return 0;
    JsonParser *parser = json_parser_new();
    GError *err = NULL;
    int ret = 0;
    if (!json_parser_load_from_data(parser, line, -1, &err)) {
        logf_("bad signalling line (%s): %.200s", err->message, line);
        g_error_free(err);
        g_object_unref(parser);
        return -1;
    }
    JsonNode *root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        logf_("signalling message is not an object: %.200s", line);
        g_object_unref(parser);
        return -1;
    }
    JsonObject *o = json_node_get_object(root);
    const char *type = member_string(o, "type");
    const char *sdp = member_string(o, "sdp");
    if (!type) {
        logf_("signalling message without type: %.200s", line);
        ret = -1;
    } else if (!strcmp(type, "video-offer")) {
        ret = sdp ? on_offer_message(sdp) : -1;
    } else if (!strcmp(type, "video-answer")) {
        ret = sdp ? on_answer_message(sdp) : -1;
    } else if (!strcmp(type, "new-ice-candidate")) {
        on_candidate_message(o);
    } else if (!strcmp(type, "hang-up")) {
        logf_("hang-up received");
        ret = 1;
    } else {
        logf_("ignoring signalling message of type '%s'", type);
    }
    g_object_unref(parser);
    return ret;
}

/* ------------------------------------------------------------------- main */

static void print_stats(void)
{
    peerc_transport_stats st;
    peerc_transport_stats_init(&st);
    int rc = peerc_pc_get_transport_stats(the_pc, &st);
    if (rc != PEERC_OK) {
        logf_("get_transport_stats failed: %s", peerc_strerror(rc));
        return;
    }
    logf_("stats: pair %s %s %s:%u -> %s %s %s:%u, rtt %.1f ms; dtls %s %s %s; sctp rtt %.1f ms; "
          "bytes %" PRIu64 "/%" PRIu64 " sent/received; channels opened %" PRIu64
          " closed %" PRIu64 "; messages %" PRIu64 "/%" PRIu64 " sent/received",
          st.local_candidate_type, st.local_protocol, st.local_address, st.local_port,
          st.remote_candidate_type, st.remote_protocol, st.remote_address, st.remote_port,
          st.rtt_ms, st.dtls_state, st.dtls_version, st.dtls_cipher, st.sctp_rtt_ms, st.bytes_sent,
          st.bytes_received, st.data_channels_opened, st.data_channels_closed, st.messages_sent,
          st.messages_received);
}

static void usage(void)
{
    fprintf(stderr, "usage: peerc-peer --offer|--answer [--local-addresses \"A B\"] "
                    "[--timeout SECONDS] [--media [--tone HZ]]\n");
}

int main(int argc, char **argv)
{
    const char *local_addresses = NULL;
    double timeout = 30;
    double tone_hz = 660;
    int mode = -1;
    peerc_track *local_tracks[2] = {NULL, NULL}; /* video, audio */
    peerc_transceiver *local_transceivers[2] = {NULL, NULL};

    t0 = now_s();
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--offer")) {
            mode = 1;
        } else if (!strcmp(argv[i], "--answer")) {
            mode = 0;
        } else if (!strcmp(argv[i], "--local-addresses") && i + 1 < argc) {
            local_addresses = argv[++i];
        } else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
            timeout = atof(argv[++i]);
        } else if (!strcmp(argv[i], "--media")) {
            media_mode = 1;
        } else if (!strcmp(argv[i], "--tone") && i + 1 < argc) {
            tone_hz = atof(argv[++i]);
        } else {
            usage();
            return 64;
        }
    }
    if (mode < 0 || timeout <= 0 || tone_hz <= 0) {
        usage();
        return 64;
    }
    is_offerer = mode;
    signal(SIGPIPE, SIG_IGN);
    held_candidates = g_ptr_array_new_with_free_func(g_free);
    pending_candidates = g_ptr_array_new();
    remote_tracks = calloc(MAX_TRACKS, sizeof *remote_tracks);
    if (!remote_tracks)
        return 1;

    logf_("peerc %s; local addresses: %s; timeout %.0f s%s", peerc_version_string(),
          local_addresses ? local_addresses : "(default)", timeout,
          media_mode ? "; media: 640x480@30 test pattern + tone" : "");

    peerc_ctx *ctx = NULL;
    int rc = peerc_ctx_new(&ctx);
    if (rc != PEERC_OK) {
        logf_("peerc_ctx_new failed: %s", peerc_strerror(rc));
        return 1;
    }
    peerc_pc_config config;
    peerc_pc_config_init(&config);
    config.local_addresses = local_addresses;
    peerc_pc_callbacks cbs;
    peerc_pc_callbacks_init(&cbs);
    cbs.ice_candidate = on_ice_candidate;
    cbs.negotiation_needed = on_negotiation_needed;
    cbs.signaling_state_change = on_signaling;
    cbs.ice_gathering_state_change = on_gathering;
    cbs.ice_connection_state_change = on_ice_connection;
    cbs.connection_state_change = on_connection;
    cbs.data_channel = on_data_channel;
    cbs.track = on_track;
    cbs.remove_track = on_remove_track;
    rc = peerc_pc_new(ctx, &config, &cbs, NULL, &the_pc);
    if (rc != PEERC_OK) {
        logf_("peerc_pc_new failed: %s", peerc_strerror(rc));
        peerc_ctx_free(ctx);
        return 1;
    }

    int status = 0;
    if (media_mode) {
        /* The offer waits until both tracks and the channel are in. */
        pthread_mutex_lock(&lock);
        offer_allowed = 0;
        pthread_mutex_unlock(&lock);
        local_tracks[0] = make_local_track(PEERC_MEDIA_KIND_VIDEO, 0);
        local_tracks[1] = make_local_track(PEERC_MEDIA_KIND_AUDIO, tone_hz);
        if (!local_tracks[0] || !local_tracks[1] ||
            add_local_tracks(local_tracks, local_transceivers) != 0)
            status = 1;
    }
    if (is_offerer && !status) {
        /* negotiation_needed then creates and signals the offer. */
        peerc_dc *dc = NULL;
        rc = peerc_pc_create_data_channel(the_pc, "echo", NULL, &dc);
        if (rc != PEERC_OK) {
            logf_("create_data_channel failed: %s (%s)", peerc_strerror(rc),
                  peerc_pc_last_error(the_pc));
            status = 1;
        } else if (!track_channel(dc)) {
            peerc_dc_free(dc);
            status = 1;
        }
    }
    if (media_mode && !status) {
        pthread_mutex_lock(&lock);
        offer_allowed = 1;
        pthread_mutex_unlock(&lock);
        if (is_offerer && peerc_pc_signaling_state(the_pc) == PEERC_SIGNALING_STABLE)
            make_offer(the_pc); /* negotiation_needed came while it was held back */
    }

    /* Read signalling until hang-up, failure, EOF or the deadline. */
    GString *buf = g_string_new(NULL);
    double deadline = now_s() + timeout;
    int offer_warned = 0;
    while (!status) {
        pthread_mutex_lock(&lock);
        int f = failed, sent = offer_sent;
        pthread_mutex_unlock(&lock);
        if (f) {
            logf_("failure reported by a callback");
            status = 1;
            break;
        }
        double left = deadline - now_s();
        if (left <= 0) {
            logf_("timeout after %.0f s (signaling %s, ice %s, connection %s)", timeout,
                  peerc_signaling_state_to_string(peerc_pc_signaling_state(the_pc)),
                  peerc_ice_connection_state_to_string(peerc_pc_ice_connection_state(the_pc)),
                  peerc_connection_state_to_string(peerc_pc_connection_state(the_pc)));
            status = 2;
            break;
        }
        if (is_offerer && !sent && !offer_warned && now_s() - t0 > 3) {
            logf_("no negotiation-needed/offer 3 s after creating the data channel");
            offer_warned = 1;
        }
        struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
        int pr = poll(&pfd, 1, left > 0.1 ? 100 : (int)(left * 1000) + 1);
        if (pr < 0) {
            if (errno == EINTR)
                continue;
            logf_("poll: %s", strerror(errno));
            status = 1;
            break;
        }
        if (pr == 0)
            continue;
        char chunk[65536];
        ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            logf_("read stdin: %s", strerror(errno));
            status = 1;
            break;
        }
        if (n == 0) {
            logf_("stdin closed without hang-up");
            status = 3;
            break;
        }
        g_string_append_len(buf, chunk, n);
        char *nl;
        while (!status && (nl = memchr(buf->str, '\n', buf->len))) {
            *nl = '\0';
            int r = handle_line(buf->str);
            g_string_erase(buf, 0, nl - buf->str + 1);
            if (r < 0)
                status = 1;
            else if (r > 0)
                goto hang_up;
        }
    }
    goto out;

hang_up:
    pthread_mutex_lock(&lock);
    for (int i = 0; i < n_channels; i++)
        if (channels[i].tx_errors)
            status = 1;
    if (failed)
        status = 1;
    pthread_mutex_unlock(&lock);

out:
    g_string_free(buf, TRUE);
    print_stats();
    if (media_mode)
        print_media_report(status, status == 0   ? "hang-up"
                                   : status == 2 ? "timeout"
                                   : status == 3 ? "stdin closed"
                                                 : "failure");
    pthread_mutex_lock(&lock);
    int nch = n_channels;
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < nch; i++) {
        /* read under the lock: the worker updates the counters */
        pthread_mutex_lock(&lock);
        channel c = channels[i];
        pthread_mutex_unlock(&lock);
        logf_("channel '%s': %" PRIu64 " messages, %" PRIu64 " bytes echoed, %" PRIu64
              " send errors",
              peerc_dc_label(c.dc), c.rx_msgs, c.rx_bytes, c.tx_errors);
    }
    peerc_pc_close(the_pc);
    for (int i = 0; i < nch; i++)
        peerc_dc_free(channels[i].dc);
    peerc_pc_free(the_pc);
    peerc_track_free(local_tracks[0]);
    peerc_track_free(local_tracks[1]);
    peerc_ctx_free(ctx);
    g_ptr_array_free(held_candidates, TRUE);
    g_ptr_array_free(pending_candidates, TRUE);
    free(remote_tracks);
    logf_("exit %d", status);
    return status;
}

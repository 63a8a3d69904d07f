/*
 * Two peer connections in one process, signalled directly: a tiny harness
 * shared by the integration tests.  Events are recorded under one lock; the
 * test thread waits for conditions with a deadline so nothing can hang.
 */
#ifndef PEERC_TESTS_HARNESS_H
#define PEERC_TESTS_HARNESS_H

#include <peerc/peerc.h>

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#define H_MAX_EVENTS 64
#define H_MAX_CHANNELS 64

typedef struct h_side h_side;

typedef struct h_channel {
    h_side *side;
    peerc_dc *dc;
    int opened, closing, closed, errors, low_events;
    uint64_t msgs, bytes, text_msgs, binary_msgs;
    uint64_t next_seq;   /* for in-order checks */
    int out_of_order;
    uint32_t checksum;   /* running hash of received bytes */
    char last_text[256];
} h_channel;

struct h_side {
    const char *name;
    peerc_pc *pc;
    h_side *other;
    /* state sequences as observed */
    int signaling[H_MAX_EVENTS], n_signaling;
    int gathering[H_MAX_EVENTS], n_gathering;
    int ice[H_MAX_EVENTS], n_ice;
    int conn[H_MAX_EVENTS], n_conn;
    int negotiation_needed;
    int candidates, end_of_candidates;
    int auto_negotiate;     /* negotiation_needed -> set_local_description(offer) */
    int signal;             /* local_description -> applied on `other` (default 1) */
    int tamper_answer;      /* flip a fingerprint digit in the answer this side sends */
    int free_on_connected;  /* peerc_pc_free from inside connection_state_change */
    int freed, after_free_events;
    int trickle;            /* forward candidates to `other` */
    int negotiation_errors;
    h_channel channels[H_MAX_CHANNELS];
    int n_channels;         /* remote channels announced by data_channel */
    void (*on_message)(h_channel *ch, const uint8_t *data, size_t len, int is_binary);
    /* media: counted, then handed to these hooks (worker thread) */
    int tracks, removed_tracks;
    void (*on_track)(h_side *s, peerc_transceiver *t, peerc_track *track,
                     const char *const *stream_ids, size_t n_stream_ids);
    void (*on_remove_track)(h_side *s, peerc_transceiver *t, peerc_track *track);
    /* Rewrite what this side sends to the other (a malloc'd copy, or NULL
     * to send it unchanged): plays a peer with other capabilities. */
    char *(*rewrite)(h_side *s, peerc_sdp_type type, const char *sdp);
    void *user;
};

extern pthread_mutex_t h_lock;

/* Create a pc on ctx with loopback-only candidates and every callback
 * recorded into side. */
int h_side_init(h_side *side, peerc_ctx *ctx, const char *name);
void h_pair(h_side *a, h_side *b);
/* Start an offer/answer from offerer: the answerer and the answer follow
 * through the local_description callbacks.  PEERC_OK or the error. */
int h_negotiate(h_side *offerer, h_side *answerer);
/* Wait until both sides are stable with a remote description (or errors). */
int h_wait_negotiated(h_side *a, int timeout_ms);
/* Create a local channel with the recording callbacks installed (opts may
 * be NULL).  Returns the peerc result; *out gets the record. */
int h_create_channel(h_side *side, const char *label, peerc_dc_options *opts, h_channel **out);

/* Free every channel handle the side holds, then its pc. */
void h_side_free(h_side *side);

/* Wait until cond(arg) under h_lock, at most timeout_ms.  1 if it held. */
int h_wait(int (*cond)(void *arg), void *arg, int timeout_ms);
int h_wait_connected(h_side *a, h_side *b, int timeout_ms);

double h_now_ms(void);
uint32_t h_hash(uint32_t h, const uint8_t *data, size_t len);

#endif

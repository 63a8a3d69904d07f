/*
 * Codec-independent frame assembly: RTP packets, keyed by extended
 * sequence number, are collected until a frame is complete -- a contiguous
 * run from a frame-start packet to the marker packet, all with one RTP
 * timestamp (RFC 3550 §5.1: packets of one frame share the timestamp;
 * RFC 7741 §4.1 / RFC 6184 §5.1: the marker ends a frame) -- and frames are
 * released strictly in sequence order.
 *
 * The assembler has no clock and decides nothing about loss by itself: the
 * owner picks the policy by calling skip_to_complete (give up on the head as
 * soon as a later frame is whole, as the VP8 depacketizer does) or
 * skip_to_keyframe (after a timeout, as the jitter buffer does).  After a
 * loss, with wait_keyframe set, delta frames are dropped until a keyframe
 * because the decoder's references are broken (RFC 4585 §6.3.1 is the PLI
 * that the owner then sends).
 */
#ifndef PEERC_RTP_ASSEMBLER_H
#define PEERC_RTP_ASSEMBLER_H

#include <stddef.h>
#include <stdint.h>

/* One packet as the codec layer hands it over (payload header removed). */
typedef struct peerc_rtp_asm_packet {
    int64_t seq; /* extended sequence number */
    uint32_t timestamp;
    uint8_t frame_start; /* first packet of a frame */
    uint8_t frame_end;   /* marker bit */
    uint8_t keyframe;    /* read on frame_start packets */
    const uint8_t *data; /* copied by insert */
    size_t len;
    int64_t arrival_ms;
} peerc_rtp_asm_packet;

/* An assembled frame; data is malloc'd and belongs to the receiver, who
 * releases it with free() (or peerc__rtp_frame_clear). */
typedef struct peerc_rtp_frame {
    uint8_t *data;
    size_t len;
    uint32_t timestamp;
    int64_t first_seq;
    int64_t last_seq;
    uint8_t keyframe;
    uint8_t after_gap;  /* frames or packets were dropped right before it */
    int64_t arrival_ms; /* of the last packet that completed it */
} peerc_rtp_frame;

void peerc__rtp_frame_clear(peerc_rtp_frame *f);

enum {
    PEERC_RTP_DROP_INCOMPLETE = 1,  /* packets lost */
    PEERC_RTP_DROP_NO_KEYFRAME = 2, /* complete, but its references were lost */
    PEERC_RTP_DROP_OVERFLOW = 3,    /* the window overflowed */
    PEERC_RTP_DROP_TOO_LARGE = 4    /* larger than max_frame_bytes */
};

/* What was thrown away: the sequence range [first_seq, last_seq], how many
 * packets of it were present, and how many distinct timestamps (frames)
 * they had -- a range with no packet at all still counts as 1 frame. */
typedef struct peerc_rtp_drop {
    int reason;
    int64_t first_seq;
    int64_t last_seq;
    size_t packets;
    size_t frames;
    uint32_t timestamp; /* of the first present packet, if packets > 0 */
} peerc_rtp_drop;

typedef struct peerc_rtp_asm_config {
    size_t window;          /* packets held; rounded up to a power of 2 */
    size_t max_frame_bytes; /* larger frames are dropped */
    int wait_keyframe;      /* drop delta frames at start and after a loss */
    void (*on_drop)(void *user, const peerc_rtp_drop *drop); /* optional */
    void *user;
} peerc_rtp_asm_config;

/* window 2048, max_frame_bytes 8 MiB, wait_keyframe 1, no callback. */
void peerc__rtp_asm_config_default(peerc_rtp_asm_config *cfg);

typedef struct peerc_rtp_asm_slot {
    int64_t seq; /* INT64_MIN when empty */
    uint32_t timestamp;
    uint8_t frame_start, frame_end, keyframe;
    uint8_t *data;
    size_t len;
    int64_t arrival_ms;
} peerc_rtp_asm_slot;

typedef struct peerc_rtp_assembler {
    peerc_rtp_asm_config cfg;
    peerc_rtp_asm_slot *slots;
    size_t mask;
    size_t count;     /* packets stored */
    int64_t head;     /* first sequence number not yet released or dropped */
    int64_t highest;  /* highest stored or released */
    int started;      /* head is known */
    int released_any; /* until then an older packet may still move head back */
    int need_keyframe;
    int gap_pending; /* the next released frame gets after_gap */
    /* statistics */
    uint64_t frames_released;
    uint64_t frames_dropped;
    uint64_t packets_dropped; /* present packets discarded with dropped frames */
    uint64_t packets_late;    /* arrived after their frame was released/dropped */
    uint64_t packets_duplicate;
} peerc_rtp_assembler;

int peerc__rtp_asm_init(peerc_rtp_assembler *a, const peerc_rtp_asm_config *cfg);
void peerc__rtp_asm_free(peerc_rtp_assembler *a);

/* Store a packet.  1 if stored, 0 if ignored (duplicate, or older than what
 * was already released or dropped), PEERC_E_NO_MEMORY, or
 * PEERC_E_INVALID_ARGUMENT (seq beyond +-2^62).  A packet too far ahead for
 * the window first drops what no longer fits (OVERFLOW, one report). */
int peerc__rtp_asm_insert(peerc_rtp_assembler *a, const peerc_rtp_asm_packet *p);

/* Release the frame at the head if it is complete; delta frames at the head
 * are dropped while a keyframe is needed.  1 with *out filled, 0 if nothing
 * is ready, PEERC_E_NO_MEMORY. */
int peerc__rtp_asm_pop(peerc_rtp_assembler *a, peerc_rtp_frame *out);

/* Policy helpers.  skip_to_complete: if the head is incomplete and a later
 * frame is complete, drop everything before that frame (INCOMPLETE);
 * returns 1 if it dropped.  skip_to_keyframe: drop everything before the
 * next stored keyframe start, or everything stored if there is none;
 * returns 1 if anything was dropped or skipped. */
int peerc__rtp_asm_skip_to_complete(peerc_rtp_assembler *a);
int peerc__rtp_asm_skip_to_keyframe(peerc_rtp_assembler *a);

/* 1 if the head frame is complete (pop would release or drop it). */
int peerc__rtp_asm_head_ready(const peerc_rtp_assembler *a);

/* Missing sequence numbers in [head, highest], ascending, at most cap;
 * returns how many were written. */
size_t peerc__rtp_asm_missing(const peerc_rtp_assembler *a, int64_t *out, size_t cap);

#endif

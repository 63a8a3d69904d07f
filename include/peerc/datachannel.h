/*
 * peerc/datachannel.h - data channels (W3C RTCDataChannel), over SCTP over
 * DTLS (RFC 8831), opened in-band with DCEP (RFC 8832) or negotiated by the
 * application.
 *
 * HANDLES
 *   A peerc_dc handle comes from peerc_pc_create_data_channel or from the
 *   pc's data_channel callback.  Either way it belongs to the application,
 *   which releases it with peerc_dc_free (closing the channel if it is still
 *   open).  A handle stays valid after its pc is closed or freed: calls on it
 *   then return PEERC_E_INVALID_STATE, until peerc_dc_free.
 *
 * THREADING
 *   As for the pc: callbacks fire on the ctx worker thread; functions may be
 *   called from any thread and from callbacks.  After peerc_dc_free returns
 *   no callback of that channel runs.
 *
 * SENDING
 *   Sends never block: a message is queued and buffered_amount grows until
 *   the peer has acknowledged it.  Watch buffered_amount_low to pace a
 *   large transfer.  From a thread other than the worker, send checks the
 *   state and size, copies the message and returns without waiting for the
 *   worker (order per thread is kept); should the channel close before the
 *   worker gets to it, the message is dropped.  buffered_amount read from
 *   such a thread is the worker's latest figure plus what is still queued.
 */
#ifndef PEERC_DATACHANNEL_H
#define PEERC_DATACHANNEL_H

#include <peerc/common.h>
#include <peerc/pc.h>

#ifdef __cplusplus
extern "C" {
#endif

/* RTCDataChannelState */
typedef enum peerc_dc_state {
    PEERC_DC_CONNECTING = 0,
    PEERC_DC_OPEN = 1,
    PEERC_DC_CLOSING = 2,
    PEERC_DC_CLOSED = 3
} peerc_dc_state;

/* "connecting", "open", "closing", "closed"; never NULL. */
PEERC_API const char *peerc_dc_state_to_string(peerc_dc_state state);

typedef struct peerc_dc_callbacks peerc_dc_callbacks;

/*
 * RTCDataChannelInit.  Fill with peerc_dc_options_init(): ordered, fully
 * reliable, not negotiated, id chosen by the library.  At most one of
 * max_packet_life_time and max_retransmits may be set (>= 0).
 */
typedef struct peerc_dc_options {
    size_t size;
    int32_t ordered;              /* default 1 */
    int32_t max_packet_life_time; /* ms; -1 (default) = unlimited */
    int32_t max_retransmits;      /* -1 (default) = unlimited */
    const char *protocol;         /* sub-protocol name, default "" */
    int32_t negotiated;           /* 1: the application agreed on `id` out of band */
    int32_t id;                   /* 0..65534 when negotiated; -1 (default) = auto */
    /* Event handlers installed before the channel can fire any event (a
     * negotiated channel may open at once); NULL = none yet, set them with
     * peerc_dc_set_callbacks.  Copied. */
    const peerc_dc_callbacks *callbacks;
    void *user_data;
} peerc_dc_options;

PEERC_API int peerc_dc_options_init_sized(peerc_dc_options *options, size_t size);
/* Sized with this header's struct; bindings call _sized with theirs. */
static inline int peerc_dc_options_init(peerc_dc_options *options)
{
    return peerc_dc_options_init_sized(options, sizeof *options);
}

/*
 * createDataChannel.  label is UTF-8 (may be ""), at most 65535 bytes;
 * options may be NULL.  The first data channel of a pc makes
 * negotiation_needed fire.  The channel opens once the pc is connected.
 * Errors: PEERC_E_INVALID_STATE (pc closed), PEERC_E_INVALID_ARGUMENT
 * (both reliability limits set, id out of range, label too long),
 * PEERC_E_OPERATION (id already in use).
 */
PEERC_API int peerc_pc_create_data_channel(peerc_pc *pc, const char *label,
                                           const peerc_dc_options *options, peerc_dc **out);

/* Event handlers of one channel.  Fill with peerc_dc_callbacks_init(). */
struct peerc_dc_callbacks {
    size_t size;
    void (*open)(peerc_dc *dc, void *user_data);
    /* A whole message.  is_binary 0: UTF-8 text (data is not
     * NUL-terminated).  data is valid during the call only. */
    void (*message)(peerc_dc *dc, const uint8_t *data, size_t len, int32_t is_binary,
                    void *user_data);
    void (*closing)(peerc_dc *dc, void *user_data);
    void (*close)(peerc_dc *dc, void *user_data);
    /* onerror: code is a PEERC_E_* value, message the detail. */
    void (*error)(peerc_dc *dc, int code, const char *message, void *user_data);
    /* onbufferedamountlow: buffered_amount fell to or below the threshold. */
    void (*buffered_amount_low)(peerc_dc *dc, void *user_data);
};

PEERC_API int peerc_dc_callbacks_init_sized(peerc_dc_callbacks *callbacks, size_t size);
/* Sized with this header's struct; bindings call _sized with theirs. */
static inline int peerc_dc_callbacks_init(peerc_dc_callbacks *callbacks)
{
    return peerc_dc_callbacks_init_sized(callbacks, sizeof *callbacks);
}

/* Install or replace handlers (copied) and the user_data they receive.
 * Inside the pc's data_channel callback this sees every event of a remote
 * channel; for local channels pass them in peerc_dc_options instead, since
 * the channel may open on the worker before this call runs.
 * Errors: PEERC_E_INVALID_ARGUMENT. */
PEERC_API int peerc_dc_set_callbacks(peerc_dc *dc, const peerc_dc_callbacks *callbacks,
                                     void *user_data);

/*
 * send(): text (UTF-8, NUL-terminated) or bytes.  Messages up to the
 * peer's a=max-message-size (at least 256 KiB with peerc peers) are allowed.
 * Errors: PEERC_E_INVALID_STATE (not open), PEERC_E_INVALID_ARGUMENT
 * (larger than the peer accepts, or NULL data with len > 0).
 */
PEERC_API int peerc_dc_send_text(peerc_dc *dc, const char *text);
PEERC_API int peerc_dc_send_binary(peerc_dc *dc, const uint8_t *data, size_t len);

/* bufferedAmount: bytes sent on this channel that the peer has not yet
 * acknowledged.  0 once the channel's pc is gone. */
PEERC_API int peerc_dc_buffered_amount(peerc_dc *dc, uint64_t *out);
/* bufferedAmountLowThreshold (default 0). */
PEERC_API int peerc_dc_set_buffered_amount_low_threshold(peerc_dc *dc, uint64_t threshold);

/* close(): readyState becomes closing at once; close fires once the
 * stream is reset both ways.  (The closing event fires only when the peer
 * started the close, as in the W3C model.)  A no-op on a closed channel. */
PEERC_API int peerc_dc_close(peerc_dc *dc);

/* Close if still open and release the handle.  NULL-safe. */
PEERC_API void peerc_dc_free(peerc_dc *dc);

/* Attributes.  Strings stay valid until peerc_dc_free. */
PEERC_API const char *peerc_dc_label(peerc_dc *dc);
PEERC_API const char *peerc_dc_protocol(peerc_dc *dc);
/* The SCTP stream id, or -1 while not yet assigned (a channel created
 * before the association is up gets its id when it comes up). */
PEERC_API int peerc_dc_id(peerc_dc *dc);
/* Current peerc_dc_state, or a negative code for NULL. */
PEERC_API int peerc_dc_ready_state(peerc_dc *dc);
PEERC_API int peerc_dc_ordered(peerc_dc *dc);
PEERC_API int peerc_dc_negotiated(peerc_dc *dc);
/* -1 when not set (also returned, as PEERC_E_INVALID_ARGUMENT, for NULL). */
PEERC_API int peerc_dc_max_retransmits(peerc_dc *dc);
PEERC_API int peerc_dc_max_packet_life_time(peerc_dc *dc);

#ifdef __cplusplus
}
#endif
#endif /* PEERC_DATACHANNEL_H */

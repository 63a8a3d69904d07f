/*
 * The public data channel object (W3C RTCDataChannel) on top of the data
 * channel manager.  A peerc_dc is refcounted: one reference for the
 * application handle, one for the pc while the channel is attached to it.
 * Fields marked (lock) are also read from application threads.
 */
#include "pc/pc_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/sized.h"
#include "datachannel/manager.h"

struct peerc_dc {
    gint refs;
    pthread_mutex_t lock;
    peerc_pc *pc;          /* (lock) NULL once detached from its pc */
    int state;             /* (lock) peerc_dc_state */
    int id;                /* (lock) stream id, -1 until assigned */
    uint64_t max_send;     /* (lock) largest message the peer takes; 0 = unknown */
    uint64_t buffered;     /* (lock) buffered amount as of the worker's last look */
    uint64_t posted;       /* (lock) bytes posted by other threads, not yet sent */
    uint32_t cid;          /* manager handle, 0 until the manager knows it */
    char *label, *protocol;
    int ordered, negotiated;
    int32_t max_retransmits, max_packet_life_time;
    peerc_dc_callbacks cbs;
    void *user_data;
    gboolean user_freed;
    uint64_t low_threshold;
    gboolean above_threshold;
};

/* A call marshalled onto the pc's worker. */
typedef struct dc_call dc_call;
struct dc_call {
    peerc_dc *dc;
    int (*fn)(dc_call *call);
    const uint8_t *data;
    size_t len;
    int is_binary;
    uint64_t value;
    const void *in;
    void *user_data;
};

/* ------------------------------------------------------------- basics */

static void dc_unref(peerc_dc *dc)
{
    if (!g_atomic_int_dec_and_test(&dc->refs))
        return;
    pthread_mutex_destroy(&dc->lock);
    free(dc->label);
    free(dc->protocol);
    free(dc);
}

static void set_state(peerc_dc *dc, peerc_dc_state state)
{
    pthread_mutex_lock(&dc->lock);
    dc->state = state;
    pthread_mutex_unlock(&dc->lock);
}

static peerc_dc *dc_new(peerc_pc *pc, const char *label, const char *protocol, int ordered,
                        int32_t max_rtx, int32_t max_life, int negotiated, int id)
{
    peerc_dc *dc = calloc(1, sizeof *dc);
    if (!dc)
        return NULL;
    dc->refs = 2; /* the application's handle and the pc's */
    pthread_mutex_init(&dc->lock, NULL);
    dc->pc = pc;
    dc->id = id;
    dc->label = strdup(label ? label : "");
    dc->protocol = strdup(protocol ? protocol : "");
    dc->ordered = ordered;
    dc->max_retransmits = max_rtx;
    dc->max_packet_life_time = max_life;
    dc->negotiated = negotiated;
    dc->state = PEERC_DC_CONNECTING;
    peerc_dc_callbacks_init(&dc->cbs);
    peerc__pc_ref(pc);
    g_ptr_array_add(pc->channels, dc);
    return dc;
}

/* Drop the pc's side of the relationship (worker only). */
static void detach(peerc_dc *dc)
{
    peerc_pc *pc;
    pthread_mutex_lock(&dc->lock);
    pc = dc->pc;
    dc->pc = NULL;
    pthread_mutex_unlock(&dc->lock);
    if (!pc)
        return;
    g_ptr_array_remove(pc->channels, dc);
    peerc__pc_unref(pc);
    dc_unref(dc);
}

/* Channel callbacks stop with peerc_dc_free, and with the pc's close or
 * free (W3C close() fires no channel events). */
static gboolean dc_live(const peerc_dc *dc)
{
    return !dc->user_freed && dc->pc && peerc__pc_live(dc->pc);
}

static peerc_dc *find_by_cid(peerc_pc *pc, uint32_t cid)
{
    for (guint i = 0; i < pc->channels->len; i++) {
        peerc_dc *dc = g_ptr_array_index(pc->channels, i);
        if (dc->cid == cid)
            return dc;
    }
    return NULL;
}

static int open_in_manager(peerc_pc *pc, peerc_dc *dc)
{
    peerc_dcm_channel_info info = {
        .label = dc->label,
        .protocol = dc->protocol,
        .ordered = dc->ordered,
        .max_retransmits = dc->max_retransmits,
        .max_packet_life_time = dc->max_packet_life_time,
        .negotiated = dc->negotiated,
        .id = dc->id,
    };
    return peerc__dcm_open_channel(pc->dcm, &info, &dc->cid);
}

/* ---------------------------------------------------- manager events */

static void on_sctp_connected(void *ud)
{
    PEERC_INFO("sctp", "%p association up", ud);
}

static void on_sctp_closed(void *ud, int code, const char *reason)
{
    PEERC_INFO("sctp", "%p association closed: %s", ud, reason ? reason : "");
}

static void on_channel_open(void *ud, uint32_t cid, uint16_t sid)
{
    peerc_pc *pc = ud;
    peerc_dc *dc = find_by_cid(pc, cid);
    if (!dc)
        return;
    peerc__pc_enter(pc);
    pthread_mutex_lock(&dc->lock);
    dc->id = sid;
    dc->state = PEERC_DC_OPEN;
    dc->max_send = peerc__dcm_sctp(pc->dcm) ? peerc__sctp_max_message_size(peerc__dcm_sctp(pc->dcm)) : 0;
    pthread_mutex_unlock(&dc->lock);
    pc->dc_opened++;
    PEERC_DEBUG("pc", "%p channel \"%s\" open on stream %u", (void *)pc, dc->label, sid);
    if (dc_live(dc) && dc->cbs.open)
        dc->cbs.open(dc, dc->user_data);
    peerc__pc_leave(pc);
}

static void on_remote_channel(void *ud, uint32_t cid, uint16_t sid, const peerc_dcm_channel_info *info)
{
    peerc_pc *pc = ud;
    peerc_dc *dc;
    if (!peerc__pc_live(pc)) {
        peerc__dcm_close_channel(pc->dcm, cid);
        return;
    }
    dc = dc_new(pc, info->label, info->protocol, info->ordered, info->max_retransmits,
                info->max_packet_life_time, info->negotiated, sid);
    if (!dc) {
        peerc__dcm_close_channel(pc->dcm, cid);
        return;
    }
    dc->cid = cid;
    peerc__pc_enter(pc);
    if (pc->cbs.data_channel) {
        pc->cbs.data_channel(pc, dc, pc->user_data);
    } else {
        /* Nobody will ever hold this handle: release the application's ref. */
        dc_unref(dc);
    }
    peerc__pc_leave(pc);
}

static void on_message(void *ud, uint32_t cid, const uint8_t *data, size_t len, int is_binary)
{
    peerc_pc *pc = ud;
    peerc_dc *dc = find_by_cid(pc, cid);
    if (!dc)
        return;
    pc->msgs_received++;
    peerc__pc_enter(pc);
    if (dc_live(dc) && dc->cbs.message)
        dc->cbs.message(dc, data, len, is_binary, dc->user_data);
    peerc__pc_leave(pc);
}

static void on_channel_error(void *ud, uint32_t cid, int code, const char *reason)
{
    peerc_pc *pc = ud;
    peerc_dc *dc = find_by_cid(pc, cid);
    if (!dc)
        return;
    PEERC_WARN("pc", "%p channel \"%s\": %s", (void *)pc, dc->label, reason);
    peerc__pc_enter(pc);
    if (dc_live(dc) && dc->cbs.error)
        dc->cbs.error(dc, code, reason, dc->user_data);
    peerc__pc_leave(pc);
}

static void on_channel_closed(void *ud, uint32_t cid)
{
    peerc_pc *pc = ud;
    peerc_dc *dc = find_by_cid(pc, cid);
    gboolean remote_initiated;
    if (!dc)
        return;
    peerc__pc_enter(pc);
    g_atomic_int_inc(&dc->refs); /* survive detach until the callbacks ran */
    remote_initiated = dc->state != PEERC_DC_CLOSING;
    pc->dc_closed++;
    /* The W3C closing event announces a close the application did not ask for. */
    if (remote_initiated && dc_live(dc) && dc->cbs.closing)
        dc->cbs.closing(dc, dc->user_data);
    set_state(dc, PEERC_DC_CLOSED);
    if (dc_live(dc) && dc->cbs.close)
        dc->cbs.close(dc, dc->user_data);
    detach(dc);
    dc_unref(dc);
    peerc__pc_leave(pc);
}

/* Worker: read the manager's figure and publish it for other threads. */
static uint64_t refresh_buffered(peerc_pc *pc, peerc_dc *dc)
{
    uint64_t amount = pc->dcm && dc->cid ? peerc__dcm_buffered_amount(pc->dcm, dc->cid) : 0;
    pthread_mutex_lock(&dc->lock);
    dc->buffered = amount;
    pthread_mutex_unlock(&dc->lock);
    return amount;
}

static void check_low_threshold(peerc_pc *pc, peerc_dc *dc)
{
    uint64_t amount = refresh_buffered(pc, dc);
    if (!dc->above_threshold || !pc->dcm || !dc->cid)
        return;
    if (amount > dc->low_threshold)
        return;
    dc->above_threshold = FALSE;
    if (dc_live(dc) && dc->cbs.buffered_amount_low)
        dc->cbs.buffered_amount_low(dc, dc->user_data);
}

static void on_buffered_amount_changed(void *ud)
{
    peerc_pc *pc = ud;
    GPtrArray *snapshot;
    peerc__pc_enter(pc);
    /* Callbacks may create or close channels: walk a snapshot. */
    snapshot = g_ptr_array_new();
    for (guint i = 0; i < pc->channels->len; i++) {
        peerc_dc *dc = g_ptr_array_index(pc->channels, i);
        g_atomic_int_inc(&dc->refs);
        g_ptr_array_add(snapshot, dc);
    }
    for (guint i = 0; i < snapshot->len; i++) {
        peerc_dc *dc = g_ptr_array_index(snapshot, i);
        if (dc->pc == pc)
            check_low_threshold(pc, dc);
        dc_unref(dc);
    }
    g_ptr_array_free(snapshot, TRUE);
    peerc__pc_leave(pc);
}

const struct peerc_dcm_callbacks peerc__pc_dcm_callbacks = {
    .sctp_connected = on_sctp_connected,
    .sctp_closed = on_sctp_closed,
    .channel_open = on_channel_open,
    .remote_channel = on_remote_channel,
    .message = on_message,
    .channel_error = on_channel_error,
    .channel_closed = on_channel_closed,
    .buffered_amount_changed = on_buffered_amount_changed,
};

/* --------------------------------------------------- pc-side lifecycle */

void peerc__pc_channels_on_sctp_up(peerc_pc *pc)
{
    for (guint i = 0; i < pc->channels->len; i++) {
        peerc_dc *dc = g_ptr_array_index(pc->channels, i);
        if (!dc->cid && dc->state == PEERC_DC_CONNECTING && open_in_manager(pc, dc) < 0)
            PEERC_WARN("pc", "%p channel \"%s\" could not be opened", (void *)pc, dc->label);
    }
}

void peerc__pc_channels_close_all(peerc_pc *pc)
{
    /* W3C close(): every channel becomes closed, without events. */
    for (guint i = 0; i < pc->channels->len; i++)
        set_state(g_ptr_array_index(pc->channels, i), PEERC_DC_CLOSED);
}

void peerc__pc_channels_detach(peerc_pc *pc)
{
    while (pc->channels->len)
        detach(g_ptr_array_index(pc->channels, pc->channels->len - 1));
}

/* ------------------------------------------------------- public calls */

int peerc_dc_options_init_sized(peerc_dc_options *options, size_t size)
{
    peerc_dc_options d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    d.ordered = 1;
    d.max_packet_life_time = -1;
    d.max_retransmits = -1;
    d.id = -1;
    return peerc__init_sized(options, size, &d, sizeof d);
}

int peerc_dc_callbacks_init_sized(peerc_dc_callbacks *callbacks, size_t size)
{
    peerc_dc_callbacks d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    return peerc__init_sized(callbacks, size, &d, sizeof d);
}

static void install_callbacks(peerc_dc *dc, const peerc_dc_callbacks *cbs, void *user_data);

static int validate_options(const peerc_dc_options *o, const char *label, char *err, size_t errlen)
{
    if (o->max_packet_life_time >= 0 && o->max_retransmits >= 0)
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "max_packet_life_time and max_retransmits are exclusive");
    if (o->negotiated && (o->id < 0 || o->id > 65534))
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT,
                             "a negotiated channel needs an id in 0..65534");
    if (strlen(label) > 65535 || (o->protocol && strlen(o->protocol) > 65535))
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "label or protocol too long");
    if (o->callbacks && o->callbacks->size < sizeof(size_t))
        return peerc__errorf(err, errlen, PEERC_E_INVALID_ARGUMENT, "callbacks->size not set");
    return PEERC_OK;
}

static gboolean negotiated_id_taken(peerc_pc *pc, int id)
{
    for (guint i = 0; i < pc->channels->len; i++) {
        peerc_dc *dc = g_ptr_array_index(pc->channels, i);
        if (dc->id == id && dc->state != PEERC_DC_CLOSED)
            return TRUE;
    }
    return FALSE;
}

static int create_on_worker(pc_call *call)
{
    peerc_pc *pc = call->pc;
    const peerc_dc_options *o = call->in;
    peerc_dc *dc;
    if (pc->closed)
        return peerc__errorf(call->err, sizeof call->err, PEERC_E_INVALID_STATE, "the peer connection is closed");
    if (o->negotiated && negotiated_id_taken(pc, o->id))
        return peerc__errorf(call->err, sizeof call->err, PEERC_E_OPERATION, "stream id %d is in use", o->id);
    dc = dc_new(pc, call->text, o->protocol, o->ordered ? 1 : 0,
                o->max_retransmits >= 0 ? o->max_retransmits : -1,
                o->max_packet_life_time >= 0 ? o->max_packet_life_time : -1, o->negotiated ? 1 : 0,
                o->negotiated ? o->id : -1);
    if (!dc)
        return PEERC_E_NO_MEMORY;
    if (o->callbacks)
        install_callbacks(dc, o->callbacks, o->user_data);
    if (pc->dcm) {
        int rc = open_in_manager(pc, dc);
        if (rc < 0) {
            detach(dc);
            dc_unref(dc);
            return peerc__errorf(call->err, sizeof call->err, rc, "the channel could not be opened");
        }
    }
    *(peerc_dc **)call->out = dc;
    peerc__pc_update_negotiation_needed(pc);
    return PEERC_OK;
}

int peerc_pc_create_data_channel(peerc_pc *pc, const char *label, const peerc_dc_options *options,
                                 peerc_dc **out)
{
    peerc_dc_options opts;
    pc_call call = {.fn = create_on_worker, .text = label, .in = &opts, .out = out};
    char err[PEERC_ERRBUF_SIZE];
    int rc;
    if (!pc || !out)
        return PEERC_E_INVALID_ARGUMENT;
    *out = NULL;
    if (!label)
        return peerc__pc_fail(pc, PEERC_E_INVALID_ARGUMENT, "label is NULL");
    if (options && options->size < sizeof(size_t) + sizeof(int32_t))
        return peerc__pc_fail(pc, PEERC_E_INVALID_ARGUMENT, "options->size too small");
    peerc_dc_options_init(&opts);
    if (options)
        memcpy((char *)&opts + sizeof(size_t), (const char *)options + sizeof(size_t),
               (options->size < sizeof opts ? options->size : sizeof opts) - sizeof(size_t));
    rc = validate_options(&opts, label, err, sizeof err);
    if (rc < 0)
        return peerc__pc_fail(pc, rc, "%s", err);
    call.pc = pc;
    return peerc__pc_run(&call);
}

static int run_dc_call(void *arg)
{
    dc_call *call = arg;
    return call->fn(call);
}

/* Marshal onto the worker of the channel's pc; PEERC_E_INVALID_STATE once
 * the pc is gone. */
static int dc_run(peerc_dc *dc, dc_call *call)
{
    peerc_pc *pc;
    int rc;
    if (!dc)
        return PEERC_E_INVALID_ARGUMENT;
    pthread_mutex_lock(&dc->lock);
    pc = dc->pc;
    if (pc)
        peerc__pc_ref(pc);
    pthread_mutex_unlock(&dc->lock);
    if (!pc)
        return PEERC_E_INVALID_STATE;
    call->dc = dc;
    rc = peerc__ctx_call(pc->ctx, run_dc_call, call);
    peerc__pc_unref(pc);
    return rc;
}

static void install_callbacks(peerc_dc *dc, const peerc_dc_callbacks *cbs, void *user_data)
{
    size_t n = cbs->size < sizeof dc->cbs ? cbs->size : sizeof dc->cbs;
    peerc_dc_callbacks_init(&dc->cbs);
    memcpy((char *)&dc->cbs + sizeof(size_t), (const char *)cbs + sizeof(size_t), n - sizeof(size_t));
    dc->user_data = user_data;
}

static int set_callbacks_on_worker(dc_call *call)
{
    install_callbacks(call->dc, call->in, call->user_data);
    return PEERC_OK;
}

int peerc_dc_set_callbacks(peerc_dc *dc, const peerc_dc_callbacks *callbacks, void *user_data)
{
    dc_call call = {.fn = set_callbacks_on_worker, .in = callbacks, .user_data = user_data};
    if (!dc || !callbacks || callbacks->size < sizeof(size_t))
        return PEERC_E_INVALID_ARGUMENT;
    return dc_run(dc, &call);
}

static int send_on_worker(dc_call *call)
{
    peerc_dc *dc = call->dc;
    peerc_pc *pc = dc->pc;
    int rc;
    if (dc->state != PEERC_DC_OPEN || !pc->dcm)
        return PEERC_E_INVALID_STATE;
    rc = peerc__dcm_send(pc->dcm, dc->cid, call->data, call->len, call->is_binary);
    if (rc < 0)
        return rc == PEERC_E_NOT_FOUND ? PEERC_E_INVALID_STATE : rc;
    pc->msgs_sent++;
    if (refresh_buffered(pc, dc) > dc->low_threshold)
        dc->above_threshold = TRUE;
    return PEERC_OK;
}

/*
 * Sends from other threads do not wait for the worker (a round trip per
 * message cost 4x in throughput): the checks that can fail are made here,
 * the message is copied and queued, and it counts in buffered_amount until
 * the worker hands it to SCTP.  Order per sending thread is kept.
 */
typedef struct posted_send {
    peerc_dc *dc;
    size_t len;
    int is_binary;
    uint8_t data[];
} posted_send;

static void run_posted_send(void *arg)
{
    posted_send *ps = arg;
    dc_call call = {.dc = ps->dc, .data = ps->data, .len = ps->len, .is_binary = ps->is_binary};
    int rc;
    pthread_mutex_lock(&ps->dc->lock);
    ps->dc->posted -= ps->len;
    pthread_mutex_unlock(&ps->dc->lock);
    if (!ps->dc->pc)
        return;
    rc = send_on_worker(&call);
    if (rc < 0)
        PEERC_DEBUG("pc", "channel \"%s\": queued message dropped: %s", ps->dc->label,
                    peerc_strerror(rc));
}

static void free_posted_send(void *arg)
{
    posted_send *ps = arg;
    dc_unref(ps->dc);
    free(ps);
}

static int send_from_other_thread(peerc_dc *dc, peerc_pc *pc, const uint8_t *data, size_t len,
                                  int is_binary)
{
    posted_send *ps;
    int rc = PEERC_OK;
    pthread_mutex_lock(&dc->lock);
    if (dc->pc != pc || dc->state != PEERC_DC_OPEN)
        rc = PEERC_E_INVALID_STATE;
    else if (dc->max_send && len > dc->max_send)
        rc = PEERC_E_INVALID_ARGUMENT; /* W3C: TypeError */
    else
        dc->posted += len;
    pthread_mutex_unlock(&dc->lock);
    if (rc < 0)
        return rc;
    ps = malloc(sizeof *ps + len);
    if (!ps)
        return PEERC_E_NO_MEMORY;
    ps->dc = dc;
    ps->len = len;
    ps->is_binary = is_binary;
    if (len)
        memcpy(ps->data, data, len);
    g_atomic_int_inc(&dc->refs);
    peerc__ctx_post(pc->ctx, run_posted_send, ps, free_posted_send);
    return PEERC_OK;
}

static int dc_send(peerc_dc *dc, const uint8_t *data, size_t len, int is_binary)
{
    dc_call call = {.fn = send_on_worker, .data = data, .len = len, .is_binary = is_binary};
    peerc_pc *pc;
    int rc;
    pthread_mutex_lock(&dc->lock);
    pc = dc->pc;
    if (pc)
        peerc__pc_ref(pc);
    pthread_mutex_unlock(&dc->lock);
    if (!pc)
        return PEERC_E_INVALID_STATE;
    rc = peerc__ctx_on_worker(pc->ctx) ? dc_run(dc, &call)
                                       : send_from_other_thread(dc, pc, data, len, is_binary);
    peerc__pc_unref(pc);
    return rc;
}

int peerc_dc_send_text(peerc_dc *dc, const char *text)
{
    if (!dc || !text)
        return PEERC_E_INVALID_ARGUMENT;
    return dc_send(dc, (const uint8_t *)text, strlen(text), 0);
}

int peerc_dc_send_binary(peerc_dc *dc, const uint8_t *data, size_t len)
{
    if (!dc || (!data && len))
        return PEERC_E_INVALID_ARGUMENT;
    return dc_send(dc, data, len, 1);
}

static int buffered_on_worker(dc_call *call)
{
    uint64_t posted;
    pthread_mutex_lock(&call->dc->lock);
    posted = call->dc->posted;
    pthread_mutex_unlock(&call->dc->lock);
    call->value = refresh_buffered(call->dc->pc, call->dc) + posted;
    return PEERC_OK;
}

int peerc_dc_buffered_amount(peerc_dc *dc, uint64_t *out)
{
    dc_call call = {.fn = buffered_on_worker};
    gboolean on_worker;
    int rc;
    if (!dc || !out)
        return PEERC_E_INVALID_ARGUMENT;
    *out = 0;
    pthread_mutex_lock(&dc->lock);
    on_worker = dc->pc && peerc__ctx_on_worker(dc->pc->ctx);
    if (!on_worker) /* no round trip: the worker's last figure plus what is queued */
        *out = dc->pc ? dc->buffered + dc->posted : 0;
    pthread_mutex_unlock(&dc->lock);
    if (!on_worker)
        return PEERC_OK;
    rc = dc_run(dc, &call);
    if (rc == PEERC_OK)
        *out = call.value;
    return rc == PEERC_E_INVALID_STATE ? PEERC_OK : rc; /* a detached channel buffers nothing */
}

static int threshold_on_worker(dc_call *call)
{
    call->dc->low_threshold = call->value;
    return PEERC_OK;
}

int peerc_dc_set_buffered_amount_low_threshold(peerc_dc *dc, uint64_t threshold)
{
    dc_call call = {.fn = threshold_on_worker, .value = threshold};
    return dc_run(dc, &call);
}

static int close_on_worker(dc_call *call)
{
    peerc_dc *dc = call->dc;
    peerc_pc *pc = dc->pc;
    if (dc->state == PEERC_DC_CLOSING || dc->state == PEERC_DC_CLOSED)
        return PEERC_OK;
    set_state(dc, PEERC_DC_CLOSING);
    if (pc->dcm && dc->cid) {
        peerc__dcm_close_channel(pc->dcm, dc->cid);
    } else {
        /* Never reached the manager: closed at once (W3C close steps). */
        g_atomic_int_inc(&dc->refs);
        set_state(dc, PEERC_DC_CLOSED);
        if (dc_live(dc) && dc->cbs.close)
            dc->cbs.close(dc, dc->user_data);
        detach(dc);
        dc_unref(dc);
    }
    return PEERC_OK;
}

int peerc_dc_close(peerc_dc *dc)
{
    dc_call call = {.fn = close_on_worker};
    int rc = dc_run(dc, &call);
    return rc == PEERC_E_INVALID_STATE ? PEERC_OK : rc; /* closing a dead channel is a no-op */
}

static int free_on_worker(dc_call *call)
{
    call->dc->user_freed = TRUE;
    return close_on_worker(call);
}

void peerc_dc_free(peerc_dc *dc)
{
    dc_call call = {.fn = free_on_worker};
    if (!dc)
        return;
    dc_run(dc, &call);
    dc_unref(dc);
}

/* ---------------------------------------------------------- attributes */

const char *peerc_dc_label(peerc_dc *dc) { return dc ? dc->label : ""; }
const char *peerc_dc_protocol(peerc_dc *dc) { return dc ? dc->protocol : ""; }
int peerc_dc_ordered(peerc_dc *dc) { return dc ? dc->ordered : PEERC_E_INVALID_ARGUMENT; }
int peerc_dc_negotiated(peerc_dc *dc) { return dc ? dc->negotiated : PEERC_E_INVALID_ARGUMENT; }
int peerc_dc_max_retransmits(peerc_dc *dc) { return dc ? dc->max_retransmits : PEERC_E_INVALID_ARGUMENT; }
int peerc_dc_max_packet_life_time(peerc_dc *dc) { return dc ? dc->max_packet_life_time : PEERC_E_INVALID_ARGUMENT; }

/* id and state change on the worker: read them under the lock. */
static int locked_read(peerc_dc *dc, const int *field)
{
    int value;
    pthread_mutex_lock(&dc->lock);
    value = *field;
    pthread_mutex_unlock(&dc->lock);
    return value;
}

int peerc_dc_id(peerc_dc *dc)
{
    return dc ? locked_read(dc, &dc->id) : PEERC_E_INVALID_ARGUMENT;
}

int peerc_dc_ready_state(peerc_dc *dc)
{
    return dc ? locked_read(dc, &dc->state) : PEERC_E_INVALID_ARGUMENT;
}

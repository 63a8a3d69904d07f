/*
 * usrsctp is one stack per process, shared by every runtime (worker
 * thread).  It is initialised by the first association and finished by the
 * last; one mutex serialises all calls into it, because usrsctp_sendv and
 * usrsctp_conninput race when called from two threads.  With
 * usrsctp_init_nothreads nobody drives its timers: a small thread here does,
 * every 10 ms, under the same mutex.
 */
#include "sctp/sctp-private.h"

#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#define TICK_MS 10

/* pthread rather than GMutex: ThreadSanitizer understands it. */
static pthread_mutex_t usrsctp_mutex = PTHREAD_MUTEX_INITIALIZER;

static pthread_mutex_t life_lock = PTHREAD_MUTEX_INITIALIZER; /* refs, initialised, timer */
static int refs;
static int initialised;

static pthread_mutex_t timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t timer_cond;
static int timer_stop;
static pthread_t timer_thread;

void peerc__sctp_lock(void)
{
    pthread_mutex_lock(&usrsctp_mutex);
}

void peerc__sctp_unlock(void)
{
    pthread_mutex_unlock(&usrsctp_mutex);
}

static void debug_printf(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    PEERC_TRACE("sctp", "usrsctp: %s", line);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *timer_main(void *unused)
{
    uint64_t last = now_ms();
    (void)unused;
    pthread_mutex_lock(&timer_lock);
    while (!timer_stop) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_nsec += TICK_MS * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        while (!timer_stop && pthread_cond_timedwait(&timer_cond, &timer_lock, &deadline) == 0)
            ; /* woken early (spuriously or to stop) */
        if (timer_stop)
            break;
        pthread_mutex_unlock(&timer_lock);
        uint64_t elapsed = now_ms() - last;
        if (elapsed) {
            last += elapsed;
            peerc__sctp_lock();
            usrsctp_handle_timers((uint32_t)elapsed);
            peerc__sctp_unlock();
        }
        pthread_mutex_lock(&timer_lock);
    }
    pthread_mutex_unlock(&timer_lock);
    return NULL;
}

static int timer_start(void)
{
    static int cond_ready;
    if (!cond_ready) { /* under life_lock */
        pthread_condattr_t attr;
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        pthread_cond_init(&timer_cond, &attr);
        pthread_condattr_destroy(&attr);
        cond_ready = 1;
    }
    timer_stop = 0;
    return pthread_create(&timer_thread, NULL, timer_main, NULL) == 0 ? 0 : -1;
}

static void timer_join(void)
{
    pthread_mutex_lock(&timer_lock);
    timer_stop = 1;
    pthread_cond_signal(&timer_cond);
    pthread_mutex_unlock(&timer_lock);
    pthread_join(timer_thread, NULL);
}

/* Stack-wide settings; per-association ones live in options.c. */
static void configure_stack(void)
{
    /* No IP header under us, so no ECN bits to carry (RFC 8261 §4). */
    usrsctp_sysctl_set_sctp_ecn_enable(0);
    /* The default cap of 512 queued chunks per association is reached by a
     * burst of small messages after a loss; usrsctp then stops sending for
     * good (seen in bench/: 100-byte messages stalled at ~12k).  WebRTC
     * stacks raise it (libdatachannel: 10240). */
    usrsctp_sysctl_set_sctp_max_chunks_on_queue(10 * 1024);
}

/* usrsctp_finish fails while endpoints linger; they only wait for timers,
 * and nobody else is using the stack, so run its clock forward. */
static int finish_stack(void)
{
    int rc = -1;
    peerc__sctp_lock();
    for (int i = 0; i < 200 && (rc = usrsctp_finish()) != 0; i++)
        usrsctp_handle_timers(100);
    peerc__sctp_unlock();
    return rc;
}

int peerc__sctp_global_acquire(char *err, size_t errlen)
{
    int rc = PEERC_OK;
    pthread_mutex_lock(&life_lock);
    if (refs == 0) {
        if (!initialised) {
            peerc__sctp_lock();
            /* Port 0: no UDP encapsulation socket (RFC 6951 not used). */
            usrsctp_init_nothreads(0, peerc__sctp_bridge_output, debug_printf);
            configure_stack();
            peerc__sctp_unlock();
            initialised = 1;
            PEERC_DEBUG("sctp", "usrsctp initialised");
        }
        if (timer_start() != 0)
            rc = peerc__errorf(err, errlen, PEERC_E_INTERNAL, "cannot start the SCTP timer thread");
    }
    if (rc == PEERC_OK)
        refs++;
    pthread_mutex_unlock(&life_lock);
    return rc;
}

void peerc__sctp_global_release(void)
{
    pthread_mutex_lock(&life_lock);
    if (--refs == 0) {
        timer_join();
        if (finish_stack() == 0) {
            initialised = 0;
            PEERC_DEBUG("sctp", "usrsctp finished");
        } else {
            /* Keep it: re-initialising over live endpoints is unsafe. */
            PEERC_WARN("sctp", "usrsctp_finish failed; keeping the stack");
        }
    }
    pthread_mutex_unlock(&life_lock);
}

/* Process-wide log sink: an application handler, or stderr when PEERC_LOG is set. */
#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static peerc_log_fn log_fn;
static void *log_user_data;
static int log_max_level = -1; /* -1: not yet read from the environment */

static int level_from_env(void)
{
    static const char *names[] = {"none", "error", "warning", "info", "debug", "trace"};
    const char *v = getenv("PEERC_LOG");
    if (!v || !*v)
        return PEERC_LOG_NONE;
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
        if (strcasecmp(v, names[i]) == 0)
            return i;
    if (v[0] >= '0' && v[0] <= '5' && !v[1])
        return v[0] - '0';
    return PEERC_LOG_DEBUG; /* PEERC_LOG=1/yes/anything: be helpful */
}

static int current_max_level(void)
{
    int level = __atomic_load_n(&log_max_level, __ATOMIC_ACQUIRE);
    if (level < 0) {
        pthread_mutex_lock(&log_lock);
        if (log_max_level < 0)
            __atomic_store_n(&log_max_level, level_from_env(), __ATOMIC_RELEASE);
        level = log_max_level;
        pthread_mutex_unlock(&log_lock);
    }
    return level;
}

int peerc__log_enabled(peerc_log_level level)
{
    return (int)level <= current_max_level() && level != PEERC_LOG_NONE;
}

const char *peerc_log_level_to_string(peerc_log_level level)
{
    switch (level) {
    case PEERC_LOG_NONE: return "none";
    case PEERC_LOG_ERROR: return "error";
    case PEERC_LOG_WARNING: return "warning";
    case PEERC_LOG_INFO: return "info";
    case PEERC_LOG_DEBUG: return "debug";
    case PEERC_LOG_TRACE: return "trace";
    }
    return "unknown";
}

int peerc_set_log_handler(peerc_log_fn fn, peerc_log_level max_level, void *user_data)
{
    if ((int)max_level < PEERC_LOG_NONE || max_level > PEERC_LOG_TRACE)
        return PEERC_E_INVALID_ARGUMENT;
    pthread_mutex_lock(&log_lock);
    log_fn = fn;
    log_user_data = user_data;
    __atomic_store_n(&log_max_level, fn ? (int)max_level : level_from_env(), __ATOMIC_RELEASE);
    pthread_mutex_unlock(&log_lock);
    return PEERC_OK;
}

void peerc__log(peerc_log_level level, const char *component, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    if (!peerc__log_enabled(level))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* The lock keeps handler swaps atomic and lines from interleaving. */
    pthread_mutex_lock(&log_lock);
    if (log_fn)
        log_fn(level, component, msg, log_user_data);
    else
        fprintf(stderr, "peerc %-7s %-5s %s\n", peerc_log_level_to_string(level), component, msg);
    pthread_mutex_unlock(&log_lock);
}

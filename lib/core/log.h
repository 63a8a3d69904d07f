/* Internal logging: printf-style front end of the public log handler. */
#ifndef PEERC_CORE_LOG_H
#define PEERC_CORE_LOG_H

#include <peerc/common.h>

void peerc__log(peerc_log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* True when a message at this level would go anywhere (skip costly formatting). */
int peerc__log_enabled(peerc_log_level level);

#define PEERC_ERROR(comp, ...) peerc__log(PEERC_LOG_ERROR, comp, __VA_ARGS__)
#define PEERC_WARN(comp, ...) peerc__log(PEERC_LOG_WARNING, comp, __VA_ARGS__)
#define PEERC_INFO(comp, ...) peerc__log(PEERC_LOG_INFO, comp, __VA_ARGS__)
#define PEERC_DEBUG(comp, ...) peerc__log(PEERC_LOG_DEBUG, comp, __VA_ARGS__)
#define PEERC_TRACE(comp, ...) peerc__log(PEERC_LOG_TRACE, comp, __VA_ARGS__)

#endif

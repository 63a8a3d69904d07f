/*
 * peerc/common.h - result codes, logging, version and memory helpers shared
 * by every peerc header.  Include <peerc/peerc.h> rather than this file.
 */
#ifndef PEERC_COMMON_H
#define PEERC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(PEERC_BUILDING) && defined(__GNUC__)
#define PEERC_API __attribute__((visibility("default")))
#else
#define PEERC_API
#endif

#if defined(__GNUC__)
#define PEERC_DEPRECATED __attribute__((deprecated))
#else
#define PEERC_DEPRECATED
#endif

/*
 * Result codes.  Every call returns PEERC_OK (0) or one of these negative
 * values.  Each maps to the W3C/WebIDL exception a browser would raise
 * (peerc_error_name() returns that name) so bindings can raise the same
 * exception.  Values are never renumbered; retired ones stay reserved.
 */
typedef enum peerc_result {
    PEERC_OK = 0,
    PEERC_E_INVALID_ARGUMENT = -1,     /* TypeError: NULL handle, bad option */
    PEERC_E_INVALID_STATE = -2,        /* InvalidStateError */
    PEERC_E_SYNTAX = -3,               /* SyntaxError: malformed SDP, candidate, URL */
    PEERC_E_INVALID_MODIFICATION = -4, /* InvalidModificationError */
    PEERC_E_OPERATION = -5,            /* OperationError: cannot be applied */
    PEERC_E_NOT_SUPPORTED = -6,        /* NotSupportedError */
    PEERC_E_NO_MEMORY = -7,            /* out of memory */
    PEERC_E_NOT_FOUND = -8,            /* NotFoundError: no such device / object */
    PEERC_E_NOT_ALLOWED = -9,          /* NotAllowedError: access denied */
    PEERC_E_RANGE = -10,               /* RangeError: value out of range */
    PEERC_E_NETWORK = -11,             /* NetworkError: ICE/DTLS/SCTP failure */
    PEERC_E_TIMEOUT = -12,             /* TimeoutError */
    PEERC_E_SECURITY = -13,            /* SecurityError: fingerprint mismatch */
    PEERC_E_CLOSED = -14,              /* InvalidStateError: object closed */
    PEERC_E_INTERNAL = -15,            /* bug or unexpected library failure */
    PEERC_E_INVALID_ACCESS = -16       /* InvalidAccessError: e.g. a track added twice */
} peerc_result;

/* Short English description of a result code; never NULL. */
PEERC_API const char *peerc_strerror(int code);

/* The WebIDL exception name for a result code ("InvalidStateError", ...);
 * "" for PEERC_OK, never NULL. */
PEERC_API const char *peerc_error_name(int code);

/* Release memory the library returned (SDP strings and the like).
 * NULL-safe.  Never use the C library's free() on such memory. */
PEERC_API void peerc_free(void *ptr);

/*
 * Logging.  Off by default.  Either install a handler, or set the
 * environment variable PEERC_LOG to error|warning|info|debug|trace (read
 * once, at the first message; other non-empty values mean debug) to have
 * messages printed on stderr by any program.
 */
typedef enum peerc_log_level {
    PEERC_LOG_NONE = 0,
    PEERC_LOG_ERROR = 1,
    PEERC_LOG_WARNING = 2,
    PEERC_LOG_INFO = 3,
    PEERC_LOG_DEBUG = 4,
    PEERC_LOG_TRACE = 5
} peerc_log_level;

/* component is the layer ("ice", "dtls", "sctp", "sdp", "pc", ...). */
typedef void (*peerc_log_fn)(peerc_log_level level, const char *component,
                             const char *message, void *user_data);

/*
 * Install a process-wide log handler receiving messages up to max_level.
 * fn NULL restores the default (stderr when PEERC_LOG is set, else nothing).
 * The handler may run on any peerc thread; calls are serialised by an
 * internal lock, so it must be quick and must not call back into peerc.
 * Thread-safe.  Errors: PEERC_E_INVALID_ARGUMENT (level out of range).
 */
PEERC_API int peerc_set_log_handler(peerc_log_fn fn, peerc_log_level max_level,
                                    void *user_data);

/* "error", "warning", ... for a level; never NULL. */
PEERC_API const char *peerc_log_level_to_string(peerc_log_level level);

/*
 * Run-time version: (major << 16) | (minor << 8) | micro.  Compare with
 * PEERC_VERSION_NUMBER from <peerc/version.h> for the compile-time one.
 */
PEERC_API uint32_t peerc_version(void);
/* "0.1.0"; never NULL. */
PEERC_API const char *peerc_version_string(void);

#ifdef __cplusplus
}
#endif
#endif /* PEERC_COMMON_H */

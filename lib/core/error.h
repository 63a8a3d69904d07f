/* Internal error helpers. */
#ifndef PEERC_CORE_ERROR_H
#define PEERC_CORE_ERROR_H

#include <stddef.h>

/* Size of the detail buffers that internal functions fill ("SDP line 14: ..."). */
#define PEERC_ERRBUF_SIZE 256

/* Format an error detail into buf (if non-NULL) and return code, so that
 * `return peerc__errorf(err, errlen, PEERC_E_SYNTAX, "line %d: ...", n);` reads well. */
int peerc__errorf(char *buf, size_t len, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif

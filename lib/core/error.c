/* Result code descriptions and W3C exception names. */
#include <peerc/common.h>

#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
    int code;
    const char *text;
    const char *name;
} errors[] = {
    {PEERC_OK, "success", ""},
    {PEERC_E_INVALID_ARGUMENT, "invalid argument", "TypeError"},
    {PEERC_E_INVALID_STATE, "operation not valid in the current state", "InvalidStateError"},
    {PEERC_E_SYNTAX, "syntax error", "SyntaxError"},
    {PEERC_E_INVALID_MODIFICATION, "invalid modification", "InvalidModificationError"},
    {PEERC_E_OPERATION, "operation failed", "OperationError"},
    {PEERC_E_NOT_SUPPORTED, "not supported", "NotSupportedError"},
    {PEERC_E_NO_MEMORY, "out of memory", "OperationError"},
    {PEERC_E_NOT_FOUND, "not found", "NotFoundError"},
    {PEERC_E_NOT_ALLOWED, "not allowed", "NotAllowedError"},
    {PEERC_E_RANGE, "value out of range", "RangeError"},
    {PEERC_E_NETWORK, "network error", "NetworkError"},
    {PEERC_E_TIMEOUT, "timed out", "TimeoutError"},
    {PEERC_E_SECURITY, "security error", "SecurityError"},
    {PEERC_E_CLOSED, "object is closed", "InvalidStateError"},
    {PEERC_E_INTERNAL, "internal error", "OperationError"},
    {PEERC_E_INVALID_ACCESS, "invalid access", "InvalidAccessError"},
};

static int find(int code)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (errors[i].code == code)
            return (int)i;
    return -1;
}

const char *peerc_strerror(int code)
{
    int i = find(code);
    return i < 0 ? "unknown error" : errors[i].text;
}

const char *peerc_error_name(int code)
{
    int i = find(code);
    return i < 0 ? "OperationError" : errors[i].name;
}

int peerc__errorf(char *buf, size_t len, int code, const char *fmt, ...)
{
    va_list ap;
    if (!buf || !len)
        return code;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    return code;
}

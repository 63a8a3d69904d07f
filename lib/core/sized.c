/* Size-tagged struct initialisation; see sized.h. */
#include <peerc/common.h>

#include "core/sized.h"

#include <string.h>

int peerc__init_sized(void *dst, size_t dst_size, const void *defaults, size_t full_size)
{
    size_t n = dst_size < full_size ? dst_size : full_size;
    if (!dst || dst_size < sizeof(size_t))
        return PEERC_E_INVALID_ARGUMENT;
    memset(dst, 0, dst_size);
    memcpy(dst, defaults, n);
    memcpy(dst, &n, sizeof n);
    return PEERC_OK;
}

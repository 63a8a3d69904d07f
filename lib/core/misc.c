/* Version query and library-owned memory release. */
#include <peerc/common.h>
#include <peerc/version.h>

#include <stdlib.h>

void peerc_free(void *ptr)
{
    free(ptr);
}

uint32_t peerc_version(void)
{
    return PEERC_VERSION_NUMBER;
}

const char *peerc_version_string(void)
{
    return PEERC_VERSION_STRING;
}

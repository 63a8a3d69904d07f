/* Reference-counted libsrtp2 initialisation; see global.h. */
#include "srtp/global.h"

#include <peerc/common.h>

#include "core/error.h"
#include "core/log.h"

#include <pthread.h>
#include <srtp2/srtp.h>

/* pthread rather than GMutex: ThreadSanitizer understands it. */
static pthread_mutex_t life_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned refs;

int peerc__srtp_global_acquire(char *err, size_t errlen)
{
    int rc = PEERC_OK;
    pthread_mutex_lock(&life_lock);
    if (refs == 0) {
        srtp_err_status_t st = srtp_init();
        if (st != srtp_err_status_ok)
            rc = peerc__errorf(err, errlen, PEERC_E_INTERNAL, "srtp_init failed (%d)", (int)st);
        else
            PEERC_DEBUG("srtp", "libsrtp %s initialised", srtp_get_version_string());
    }
    if (rc == PEERC_OK)
        refs++;
    pthread_mutex_unlock(&life_lock);
    return rc;
}

void peerc__srtp_global_release(void)
{
    pthread_mutex_lock(&life_lock);
    /* Shutting down frees the crypto kernel's cipher list; every session is
     * gone by now (each holds a reference), so nothing still points at it. */
    if (refs > 0 && --refs == 0) {
        srtp_shutdown();
        PEERC_DEBUG("srtp", "libsrtp shut down");
    }
    pthread_mutex_unlock(&life_lock);
}

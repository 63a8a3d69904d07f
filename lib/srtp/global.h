/*
 * libsrtp2 is initialised once per process and shared by every runtime:
 * srtp_init/srtp_shutdown touch its global crypto kernel, so the first
 * session initialises it and the last one shuts it down (the same pattern as
 * usrsctp in lib/sctp).
 */
#ifndef PEERC_SRTP_GLOBAL_H
#define PEERC_SRTP_GLOBAL_H

#include <stddef.h>

/* Errors: PEERC_E_INTERNAL (srtp_init failed; detail in err). */
int peerc__srtp_global_acquire(char *err, size_t errlen);
void peerc__srtp_global_release(void);

#endif

/*
 * Size-tagged public structs (API rule: "the library reads only fields
 * inside size").  Both directions honour the application's size, so an
 * application built against older, shorter headers works with a newer
 * library: the init functions fill only what the caller's struct holds,
 * and readers take only what the caller filled.
 */
#ifndef PEERC_CORE_SIZED_H
#define PEERC_CORE_SIZED_H

#include <stddef.h>

/* Write the defaults (a full, library-sized struct starting with its size)
 * into the caller's dst of dst_size bytes, and set its size field to what
 * was written.  PEERC_E_INVALID_ARGUMENT for NULL or a size too small to
 * hold the size field. */
int peerc__init_sized(void *dst, size_t dst_size, const void *defaults, size_t full_size);

#endif

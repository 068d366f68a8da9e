/*
 * memlog: where the daemon's memory goes, for measuring (README "Memory:
 * where the peak is"). Off by default; SCHEMAFS_MEMLOG=1 in the daemon's
 * environment logs one line per checkpoint: malloc's bytes in use, free
 * inside its heaps and mapped on their own (mallinfo2, every malloc arena
 * summed), the resident size and its peak (/proc/self/status).
 *
 * memlog_tidy() is always on: it hands memory freed by a refresh back to
 * the system.
 *
 * Thread-safe; nothing returned is owned by the caller.
 */
#ifndef SCHEMAFS_MEMLOG_H
#define SCHEMAFS_MEMLOG_H

#include <stdbool.h>
#include <stddef.h>

/* Sets malloc's options (call first thing in main, before any thread),
 * unless GLIBC_TUNABLES sets some glibc.malloc ones. */
void memlog_init(void);
/* True when SCHEMAFS_MEMLOG asks for checkpoint lines. */
bool memlog_on(void);
/* Logs "WHO: memory at WHAT: ..." when memlog_on(); EXTRA (may be NULL) is
 * appended as is. */
void memlog(const char *who, const char *what, const char *extra);
/* After a big free (an old snapshot): returns the free pages at the top
 * and inside malloc's heaps to the system (malloc_trim). */
void memlog_tidy(void);
/* The daemon's resident size in bytes now (/proc/self/statm), or 0 when
 * it cannot be read. */
size_t memlog_resident(void);

#endif

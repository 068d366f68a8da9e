/*
 * gone: names the daemon removed by itself (a discard, a refresh) that the
 * kernel may still hold as cached entries.
 *
 * Only with -o default_permissions: the kernel then checks a cached
 * entry's attributes before it lets an open() through, and an ENOENT from
 * getattr would fail "echo text > columns/notes" on a name that is gone but
 * was meant to be created again. For such a name getattr answers ESTALE
 * once: the kernel looks the path up again from the start (LOOKUP_REVAL),
 * finds it absent, and creates it, or tells stat() ENOENT. A name is kept
 * for as long as the kernel may cache an entry, and at most GONE_MAX of
 * them (a dropped schema's thousands of names cost no more).
 *
 * Pure: no FUSE. One process-wide list behind its own mutex (taken by
 * nothing else, and nothing is taken under it): callable from any thread.
 * Paths are copied; nothing returned is owned by the caller.
 */
#ifndef SCHEMAFS_GONE_H
#define SCHEMAFS_GONE_H

#include <stdbool.h>

#define GONE_MAX 4096

/* PATH ("/<db>/<path>") vanished behind the kernel's back; KEEP: how long
 * (seconds) the kernel may still hold it. Once per name. */
void gone_add(const char *path, double keep);
/* True, once, when PATH is such a name (and forgets it). */
bool gone_take(const char *path);
/* An unlink, rmdir or rename by a caller removed PATH: the kernel drops
 * its own entries for it and below it, so they are forgotten here. */
void gone_forget(const char *path);
/* Forgets everything (at exit). */
void gone_clear(void);

#endif

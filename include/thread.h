/*
 * thread: start a daemon thread with every signal blocked; sleep in one.
 *
 * Why: SIGTERM and SIGINT belong to the FUSE loop's thread (fuse_session
 * installs its handlers there); a worker that took one would leave the
 * loop running. A new thread inherits its creator's mask, so the mask is
 * blocked around pthread_create and restored after.
 */
#ifndef SCHEMAFS_THREAD_H
#define SCHEMAFS_THREAD_H

#include <pthread.h>

/* pthread_create(T, NULL, FN, ARG) with all signals blocked in the new
 * thread; the caller's mask is unchanged. Returns 0 or a positive errno,
 * as pthread_create does. Any thread. */
int thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

/* Sleeps MS milliseconds, through any signal. Any thread. */
void sleep_ms(long ms);

#endif

/*
 * clock: elapsed times on CLOCK_MONOTONIC, for logs and phase timings,
 * and deadlines for timed waits on any clock. No state, any thread.
 */
#ifndef SCHEMAFS_CLOCK_H
#define SCHEMAFS_CLOCK_H

#include <time.h>

/* Milliseconds from A to B. */
double ms_between(const struct timespec *a, const struct timespec *b);

/* Milliseconds from T0 (CLOCK_MONOTONIC) to now. */
double ms_since(const struct timespec *t0);

/* The time SECONDS (>= 0) from now on clock CLK: the deadline of a
 * pthread_cond_timedwait() on a condition using that clock. */
struct timespec clock_after(clockid_t clk, double seconds);

#endif

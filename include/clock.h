/*
 * clock: elapsed times on CLOCK_MONOTONIC, for logs and phase timings.
 * Pure arithmetic on the caller's timespecs; no state, any thread.
 */
#ifndef SCHEMAFS_CLOCK_H
#define SCHEMAFS_CLOCK_H

#include <time.h>

/* Milliseconds from A to B. */
double ms_between(const struct timespec *a, const struct timespec *b);

/* Milliseconds from T0 (CLOCK_MONOTONIC) to now. */
double ms_since(const struct timespec *t0);

#endif

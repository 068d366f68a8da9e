/* clock.c: elapsed times and deadlines; see include/clock.h. */
#include "clock.h"

double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

double ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return ms_between(t0, &t);
}

struct timespec clock_after(clockid_t clk, double seconds)
{
	struct timespec t;
	clock_gettime(clk, &t);
	time_t whole = (time_t)seconds;
	t.tv_sec += whole;
	t.tv_nsec += (long)((seconds - (double)whole) * 1e9);
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/* Unit tests: deadlines and elapsed times (clock.c). */
#include <time.h>

#include "clock.h"
#include "tap.h"

/* clock_after(CLK, S) lies S seconds after a reading taken just before it,
 * give or take the time between the two readings (under a second here),
 * with its nanoseconds normalized. */
static void after(clockid_t clk, double s)
{
	struct timespec before;
	clock_gettime(clk, &before);
	struct timespec t = clock_after(clk, s);
	double ms = ms_between(&before, &t);
	ok(t.tv_nsec >= 0 && t.tv_nsec < 1000000000L, "%.9f s: nanoseconds normalized (%ld)", s, t.tv_nsec);
	ok(ms >= s * 1e3 - 1e-3 && ms < s * 1e3 + 1e3, "%.9f s: %.3f ms after the reading before", s, ms);
}

int main(void)
{
	double cases[] = { 0, 0.05, 0.2, 0.999999999, 1, 1.75, 30, 3600.5 };
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		after(CLOCK_REALTIME, cases[i]);
		after(CLOCK_MONOTONIC, cases[i]);
	}
	struct timespec a = { 5, 900000000L }, b = { 7, 100000000L };
	ok(ms_between(&a, &b) == 1200.0, "ms_between across a second: %.3f", ms_between(&a, &b));
	ok(ms_between(&b, &a) == -1200.0, "ms_between backwards: %.3f", ms_between(&b, &a));
	return done_testing();
}

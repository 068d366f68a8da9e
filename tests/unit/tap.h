/* tap.h: the smallest TAP producer, for the unit tests (header-only). */
#ifndef SCHEMAFS_TAP_H
#define SCHEMAFS_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_failed;

#define ok(cond, ...) do { \
	int tap_c_ = !!(cond); \
	printf("%s - ", tap_c_ ? "ok" : "not ok"); printf(__VA_ARGS__); printf("\n"); \
	if (!tap_c_) { tap_failed++; printf("#   at %s:%d\n", __FILE__, __LINE__); } \
} while (0)

/* Compares strings; shows both on failure. */
#define is_str(got, want, ...) do { \
	const char *g_ = (got), *w_ = (want); \
	int ok_ = g_ && w_ && !strcmp(g_, w_); \
	ok(ok_, __VA_ARGS__); \
	if (!ok_) printf("#   got:  [%s]\n#   want: [%s]\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

#define done_testing() (tap_failed ? 1 : 0)

#endif

/*
 * fuzz.h: what every libFuzzer target of tests/fuzz shares. A broken
 * invariant is a crash (abort), with the check that failed on stderr, so
 * libFuzzer keeps the input that shows it.
 */
#ifndef SCHEMAFS_FUZZ_H
#define SCHEMAFS_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* DATA as a NUL-terminated string (malloc'd; bytes after a NUL stay). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif

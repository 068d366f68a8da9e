/*
 * fuzz_txsnap: two snapshots as the server prints them (txsnap.c), split
 * at the input's first newline.
 *   - nothing ended between a snapshot and itself, unless it does not
 *     parse;
 *   - one that does not parse is "ended" against anything, both ways;
 *   - no input crashes it or reads past its end (ASan).
 */
#include "fuzz.h"
#include "txsnap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	char *nl = strchr(s, '\n');
	const char *b = s, *a = s;
	if (nl) {
		*nl = '\0';
		a = nl + 1;
	}
	bool self = txsnap_any_ended(b, b);
	/* A snapshot that parses is quiet against itself; one that does not
	 * is "ended" against anything. */
	if (self)
		CHECK(txsnap_any_ended(b, a) && txsnap_any_ended(a, b));
	else
		(void)txsnap_any_ended(b, a);
	free(s);
	return 0;
}

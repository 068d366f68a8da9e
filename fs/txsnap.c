/* txsnap.c: whether a transaction ended between two snapshots; see
 * include/txsnap.h. */
#include "txsnap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

struct snap {
	uint64_t xmin, xmax;
	size_t nxip;
	uint64_t xip[TXSNAP_MAX_XIP];
};

/* One unsigned decimal at *P, no sign, no blanks, no overflow; *P moves past it. */
static bool read_xid(const char **p, uint64_t *out)
{
	const char *s = *p;
	if (*s < '0' || *s > '9')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	*out = v;
	*p = end;
	return true;
}

static int cmp_xid(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* TEXT into S, the running list sorted with duplicates dropped; false
 * when it is not a snapshot (xmin <= xip < xmax, xmin <= xmax). */
static bool parse(const char *text, struct snap *s)
{
	const char *p = text;
	if (!p || !read_xid(&p, &s->xmin) || *p++ != ':' || !read_xid(&p, &s->xmax) || *p++ != ':' ||
	    s->xmin > s->xmax)
		return false;
	s->nxip = 0;
	while (*p) {
		uint64_t x;
		if (s->nxip == TXSNAP_MAX_XIP || !read_xid(&p, &x) || x < s->xmin || x >= s->xmax)
			return false;
		s->xip[s->nxip++] = x;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			return false;
	}
	qsort(s->xip, s->nxip, sizeof *s->xip, cmp_xid);
	size_t k = 0;
	for (size_t i = 0; i < s->nxip; i++)
		if (!k || s->xip[k - 1] != s->xip[i])
			s->xip[k++] = s->xip[i];
	s->nxip = k;
	return true;
}

static bool running(const struct snap *s, uint64_t x)
{
	return bsearch(&x, s->xip, s->nxip, sizeof *s->xip, cmp_xid) != NULL;
}

bool txsnap_any_ended(const char *before, const char *after)
{
	/* Two lists of TXSNAP_MAX_XIP: not on a thread's stack. */
	struct snap *b = malloc(2 * sizeof *b), *a = b + 1;
	bool ended = true;
	if (!b || !parse(before, b) || !parse(after, a) || a->xmin < b->xmin || a->xmax < b->xmax)
		goto out;
	/* Running before, not now. */
	for (size_t i = 0; i < b->nxip; i++)
		if (!running(a, b->xip[i]))
			goto out;
	/* Begun since (xids from before's xmax on): each still running.
	 * The list holds no duplicate, so counting those in the range is
	 * enough. */
	size_t begun = 0;
	for (size_t i = 0; i < a->nxip; i++)
		begun += a->xip[i] >= b->xmax;
	ended = begun != a->xmax - b->xmax;
out:
	free(b);
	return ended;
}

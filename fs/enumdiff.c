/* enumdiff.c: the diff of two enum label lists; see include/enumdiff.h. */
#include "enumdiff.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Labels sorted with their index, for lookups in O(log n). */
struct slot {
	const char *label;
	size_t index;
};

static int cmp_slot(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;
	int c = strcmp(x->label, y->label);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

static struct slot *sorted(const char *const *v, size_t n)
{
	struct slot *s = malloc((n ? n : 1) * sizeof *s);
	if (!s)
		abort();
	for (size_t i = 0; i < n; i++)
		s[i] = (struct slot){ v[i], i };
	qsort(s, n, sizeof *s, cmp_slot);
	return s;
}

/* Index in the sorted S of LABEL, or -1. */
static long find(const struct slot *s, size_t n, const char *label)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s[mid].label, label);
		if (!c)
			return (long)s[mid].index;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/*
 * Marks in KEPT the new labels that stay where they were: the longest run
 * of them in the old order (POS: their old index, -1 for new labels). The
 * others that are old labels moved.
 */
static void keep_longest(const long *pos, size_t n, bool *kept)
{
	size_t *tail = malloc((n ? n : 1) * sizeof *tail), *prev = malloc((n ? n : 1) * sizeof *prev), len = 0;
	if (!tail || !prev)
		abort();
	for (size_t i = 0; i < n; i++) {
		kept[i] = false;
		if (pos[i] < 0)
			continue;
		size_t lo = 0, hi = len;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (pos[tail[mid]] < pos[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		prev[i] = lo ? tail[lo - 1] : (size_t)-1;
		tail[lo] = i;
		if (lo == len)
			len++;
	}
	for (size_t i = len ? tail[len - 1] : (size_t)-1; i != (size_t)-1; i = prev[i])
		kept[i] = true;
	free(tail);
	free(prev);
}

static void push(struct enumdiff *d, struct enumdiff_op op)
{
	d->ops = realloc(d->ops, (d->nops + 1) * sizeof *d->ops);
	if (!d->ops)
		abort();
	d->ops[d->nops++] = op;
}

__attribute__((format(printf, 3, 4)))
static int refuse(struct enumdiff *d, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof d->reason, fmt, ap);
	va_end(ap);
	free(d->ops);
	d->ops = NULL;
	d->nops = 0;
	return rc;
}

/* The gaps between kept labels: renames, or the first refusal. */
static int gaps(const char *const *old, size_t nold, const char *const *new, size_t nnew,
		const long *pos, const bool *kept, struct enumdiff *d)
{
	size_t i = 0, o = 0;	/* start of the gap, in NEW and in OLD */
	for (;;) {
		size_t j = i, p = o;
		while (j < nnew && !kept[j])
			j++;
		p = j < nnew ? (size_t)pos[j] : nold;
		size_t na = j - i, nv = p - o;
		if (nv && na > nv)
			return refuse(d, -EINVAL, "ambiguous: label \"%s\" replaced by more labels (\"%s\", ...): "
				      "rename it first, then add the others in another write", old[o], new[i]);
		if (nv && na < nv)
			return refuse(d, -EPERM, "label \"%s\" removed: PostgreSQL cannot remove an enum label "
				      "(only add or rename ones); create a new type and migrate the column by hand "
				      "in migrations/pending/", old[o + na]);
		for (size_t k = 0; nv && k < na; k++)
			push(d, (struct enumdiff_op){ ENUMDIFF_RENAME, new[i + k], old[o + k], NULL, NULL });
		if (j == nnew)
			return 0;
		i = j + 1;
		o = p + 1;
	}
}

int enumdiff(const char *const *old, size_t nold, const char *const *new, size_t nnew, struct enumdiff *d)
{
	memset(d, 0, sizeof *d);
	struct slot *so = sorted(old, nold), *sn = sorted(new, nnew);
	long *pos = malloc((nnew ? nnew : 1) * sizeof *pos);
	bool *kept = malloc((nnew ? nnew : 1) * sizeof *kept), *renamed = NULL;
	int rc = 0;
	if (!pos || !kept)
		abort();
	/* A repeat: the first second occurrence, in NEW's order. */
	size_t rep = nnew;
	for (size_t i = 1; i < nnew; i++)
		if (!strcmp(sn[i].label, sn[i - 1].label) && sn[i].index < rep)
			rep = sn[i].index;
	if (rep < nnew) {
		rc = refuse(d, -EINVAL, "label \"%s\" repeated: an enum holds each label once", new[rep]);
		goto out;
	}
	for (size_t i = 0; i < nnew; i++)
		pos[i] = find(so, nold, new[i]);
	keep_longest(pos, nnew, kept);
	for (size_t i = 0; i < nnew; i++)
		if (pos[i] >= 0 && !kept[i]) {
			rc = refuse(d, -EPERM, "label \"%s\" moved: PostgreSQL cannot reorder enum labels (only add "
				    "new ones, anywhere, or rename ones)", new[i]);
			goto out;
		}
	if ((rc = gaps(old, nold, new, nnew, pos, kept, d)))
		goto out;
	/* The rest are adds, in order: each AFTER the label before it (kept,
	 * renamed or just added), the first BEFORE the first that is not. */
	renamed = calloc(nnew ? nnew : 1, sizeof *renamed);
	if (!renamed)
		abort();
	for (size_t k = 0; k < d->nops; k++)
		renamed[find(sn, nnew, d->ops[k].label)] = true;
	for (size_t i = 0; i < nnew; i++) {
		if (kept[i] || renamed[i])
			continue;
		struct enumdiff_op op = { ENUMDIFF_ADD, new[i], NULL, i ? new[i - 1] : NULL, NULL };
		for (size_t k = i + 1; !i && k < nnew && !op.before; k++)
			if (kept[k] || renamed[k])
				op.before = new[k];
		push(d, op);
	}
out:
	free(renamed);
	free(so);
	free(sn);
	free(pos);
	free(kept);
	return rc;
}

void enumdiff_free(struct enumdiff *d)
{
	free(d->ops);
	d->ops = NULL;
	d->nops = 0;
}

/* test_enumdiff: the diff of enum label lists, without a server. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enumdiff.h"
#include "tap.h"

#define MAXL 64

/* Runs the ops of D on OLD, as PostgreSQL would; the result joined by
 * spaces in OUT ("!" and the op when an op cannot run). */
static void replay(const char *const *old, size_t nold, const struct enumdiff *d, char *out, size_t outlen)
{
	const char *v[MAXL];
	size_t n = nold;
	memcpy(v, old, nold * sizeof *v);
	out[0] = '\0';
	for (size_t k = 0; k < d->nops; k++) {
		const struct enumdiff_op *op = &d->ops[k];
		const char *anchor = op->kind == ENUMDIFF_RENAME ? op->old : op->after ? op->after : op->before;
		size_t at = n;
		for (size_t i = 0; i < n; i++) {
			if (!strcmp(v[i], op->label) || n == MAXL) {
				snprintf(out, outlen, "! %s exists", op->label);
				return;
			}
			if (anchor && !strcmp(v[i], anchor))
				at = i;
		}
		if (anchor && at == n) {
			snprintf(out, outlen, "! no %s", anchor);
			return;
		}
		if (op->kind == ENUMDIFF_RENAME) {
			v[at] = op->label;
			continue;
		}
		at += op->after != NULL;
		memmove(v + at + 1, v + at, (n - at) * sizeof *v);
		v[at] = op->label;
		n++;
	}
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), outlen - strlen(out), "%s%s", i ? " " : "", v[i]);
}

static size_t split(char *s, const char **v)
{
	size_t n = 0;
	for (char *t = strtok(s, " "); t; t = strtok(NULL, " "))
		v[n++] = t;
	return n;
}

/* Diffs OLD into NEW (space-separated); RC expected, the ops as text
 * ("r a>b", "+x<a", "+y>x", "+z" appended) or the reason's start. */
static void diff_is(const char *olds, const char *news, int rc, const char *want, const char *desc)
{
	char ob[512], nb[512], got[1024] = "", rep[1024], joined[512] = "";
	const char *o[MAXL], *n[MAXL];
	snprintf(ob, sizeof ob, "%s", olds);
	snprintf(nb, sizeof nb, "%s", news);
	size_t no = split(ob, o), nn = split(nb, n);
	struct enumdiff d;
	int r = enumdiff(o, no, n, nn, &d);
	ok(r == rc, "%s: rc %d", desc, r);
	if (r) {
		ok(!strncmp(d.reason, want, strlen(want)) && d.nops == 0, "%s: reason [%s]", desc, d.reason);
		return;
	}
	for (size_t k = 0; k < d.nops; k++) {
		const struct enumdiff_op *op = &d.ops[k];
		char one[128];
		if (op->kind == ENUMDIFF_RENAME)
			snprintf(one, sizeof one, "r %s>%s", op->old, op->label);
		else if (op->after)
			snprintf(one, sizeof one, "+%s>%s", op->label, op->after);
		else if (op->before)
			snprintf(one, sizeof one, "+%s<%s", op->label, op->before);
		else
			snprintf(one, sizeof one, "+%s", op->label);
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", k ? ", " : "", one);
	}
	is_str(got, want, "%s: ops", desc);
	replay(o, no, &d, rep, sizeof rep);
	for (size_t i = 0; i < nn; i++)
		snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%s", i ? " " : "", n[i]);
	is_str(rep, joined, "%s: replayed", desc);
	enumdiff_free(&d);
}

static void cases(void)
{
	const char *B = "pending confirmed no_show refunded";
	diff_is(B, B, 0, "", "unchanged");
	diff_is(B, "pending confirmed noshow refunded", 0, "r no_show>noshow", "rename in the middle");
	diff_is(B, "waiting confirmed no_show refunded", 0, "r pending>waiting", "rename the first");
	diff_is(B, "pending confirmed no_show paid", 0, "r refunded>paid", "rename the last");
	diff_is(B, "p c n r", 0, "r pending>p, r confirmed>c, r no_show>n, r refunded>r", "rename all");
	diff_is(B, "held pending confirmed no_show refunded", 0, "+held<pending", "add at the start");
	diff_is(B, "pending confirmed x no_show refunded", 0, "+x>confirmed", "add in the middle");
	diff_is(B, "pending confirmed no_show refunded x", 0, "+x>refunded", "add at the end");
	diff_is(B, "a b pending confirmed x y no_show refunded z", 0,
		"+a<pending, +b>a, +x>confirmed, +y>x, +z>refunded", "several adds");
	diff_is(B, "pending confirmed refunded", -EPERM, "label \"no_show\" removed", "remove one");
	diff_is(B, "confirmed no_show refunded", -EPERM, "label \"pending\" removed", "remove the first");
	diff_is(B, "pending confirmed no_show", -EPERM, "label \"refunded\" removed", "remove the last");
	diff_is(B, "", -EPERM, "label \"pending\" removed", "remove all");
	diff_is(B, "pending confirmed x", -EPERM, "label \"refunded\" removed", "two replaced by one");
	diff_is(B, "pending no_show confirmed refunded", -EPERM, "label \"", "swap two");
	diff_is(B, "refunded pending confirmed no_show", -EPERM, "label \"refunded\" moved", "move the last first");
	diff_is(B, "pending confirmed no_show refunded pending", -EINVAL, "label \"pending\" repeated", "repeat");
	diff_is(B, "pending confirmed x x no_show refunded", -EINVAL, "label \"x\" repeated", "a new label twice");
	diff_is(B, "pending confirmed a b refunded", -EINVAL, "ambiguous: label \"no_show\" replaced", "one by two");
	diff_is("", "", 0, "", "empty lists");
	diff_is("", "a b", 0, "+a, +b>a", "adds to an empty enum");
	diff_is("a", "", -EPERM, "label \"a\" removed", "to empty");
	diff_is("a b", "x y", 0, "r a>x, r b>y", "both renamed");
	diff_is("a b c", "x b y c", 0, "r a>x, +y>b", "rename and add elsewhere");
}

/* Replaying the ops on the old list gives the new one, over generated
 * cases; adds only and renames only are never refused. */
static void generated(void)
{
	unsigned seed = 12345;
	int bad = 0, refused = 0, total = 0;
	for (int round = 0; round < 20000; round++) {
		char names[2 * MAXL][16];
		const char *o[MAXL], *n[MAXL];
		seed = seed * 1103515245u + 12345u;
		size_t no = (seed >> 16) % 8, nn = 0;
		int mode = round % 3;	/* 0: adds, 1: renames, 2: anything */
		for (size_t i = 0; i < no; i++) {
			snprintf(names[i], sizeof names[i], "o%zu", i);
			o[i] = names[i];
		}
		size_t fresh = no;
		for (size_t i = 0; i <= no && nn < MAXL - 2; i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned r = seed >> 16;
			if (mode == 0 && r % 3 == 0) {
				snprintf(names[fresh], sizeof names[fresh], "n%zu", fresh);
				n[nn++] = names[fresh++];
			}
			if (i == no)
				break;
			if (mode == 1 && r % 2) {
				snprintf(names[fresh], sizeof names[fresh], "n%zu", fresh);
				n[nn++] = names[fresh++];
			} else if (mode == 2) {
				if (r % 5 == 0)
					continue;	/* removed */
				if (r % 5 == 1) {
					snprintf(names[fresh], sizeof names[fresh], "n%zu", fresh);
					n[nn++] = names[fresh++];
				}
				n[nn++] = r % 7 == 0 ? o[(r >> 4) % no] : o[i];	/* sometimes moved or repeated */
			} else {
				n[nn++] = o[i];
			}
		}
		struct enumdiff d;
		int rc = enumdiff(o, no, n, nn, &d);
		total++;
		if (rc) {
			refused++;
			bad += mode != 2 || !d.reason[0];
			continue;
		}
		char rep[2048], joined[2048] = "";
		replay(o, no, &d, rep, sizeof rep);
		for (size_t i = 0; i < nn; i++)
			snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%s", i ? " " : "", n[i]);
		if (strcmp(rep, joined)) {
			if (bad++ < 5)
				printf("#   replayed [%s], want [%s]\n", rep, joined);
		}
		for (size_t k = 0; mode == 1 && k < d.nops; k++)
			bad += d.ops[k].kind != ENUMDIFF_RENAME;
		enumdiff_free(&d);
	}
	ok(bad == 0, "generated: %d cases (%d refused), replay gives the new list", total, refused);
	ok(refused > 0 && refused < total, "generated: both outcomes seen");
}

int main(void)
{
	cases();
	generated();
	return done_testing();
}

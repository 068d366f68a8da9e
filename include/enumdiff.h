/*
 * enumdiff: what turns one list of enum labels into another, as PostgreSQL
 * can do it (ALTER TYPE ... RENAME VALUE, ADD VALUE BEFORE/AFTER), or the
 * exact reason it cannot (it never removes or reorders a label). Pure: no
 * server, no I/O. The edit (what a write to types/<enum> accepts) and the
 * planner (what the migration does) both call it, so they cannot disagree.
 *
 * A label that vanished where a new one appeared (same place between the
 * labels kept) is a rename; as many new labels as vanished ones there are
 * renamed pairwise, in order. One label replaced by more is ambiguous.
 */
#ifndef SCHEMAFS_ENUMDIFF_H
#define SCHEMAFS_ENUMDIFF_H

#include <stddef.h>

enum enumdiff_kind { ENUMDIFF_RENAME, ENUMDIFF_ADD };

/* Pointers into the caller's lists (not owned). */
struct enumdiff_op {
	enum enumdiff_kind kind;
	const char *label;	/* the new label (renamed to, or added) */
	const char *old;	/* RENAME: the label renamed */
	const char *after;	/* ADD: AFTER this label, else */
	const char *before;	/* ADD: BEFORE this one; neither: appended */
};

struct enumdiff {
	struct enumdiff_op *ops;	/* malloc'd (enumdiff_free); renames first */
	size_t nops;
	char reason[512];		/* "" when the lists can be diffed */
};

/*
 * Diffs OLD (distinct labels) into NEW. Returns 0 with D's ops (renames,
 * then adds in NEW's order: each one's AFTER/BEFORE label exists once the
 * ops before it ran), -EPERM (a label removed or moved) or -EINVAL (a
 * label repeated, or ambiguous) with D->reason and no ops.
 */
int enumdiff(const char *const *old, size_t nold, const char *const *new, size_t nnew, struct enumdiff *d);
void enumdiff_free(struct enumdiff *d);

#endif

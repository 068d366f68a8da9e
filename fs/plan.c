/* plan.c: staged edits -> ordered migration files; see include/plan.h.
 * A table's entry is planned in plan_table.c, the rest here. */
#include "plan.h"
#include "plan_int.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "deps_stage.h"
#include "enumdiff.h"
#include "plan_struct.h"
#include "render.h"
#include "stage.h"
#include "stage_json.h"
#include "strbuf.h"
#include "tableopt.h"

void plan_add(struct planner *pl, enum phase ph, struct strbuf *sql, const char *tag,
		struct strbuf *hazard)
{
	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? 2 * pl->cap : 16;
		pl->v = realloc(pl->v, pl->cap * sizeof *pl->v);
		if (!pl->v)
			abort();
	}
	struct stmt *s = &pl->v[pl->n];
	s->phase = ph;
	s->seq = pl->n++;
	s->sql = strbuf_detach(sql, NULL);
	s->tag = strdup(tag);
	s->subject = strdup(pl->subject ? pl->subject : "");
	s->hazard = hazard && hazard->len ? strbuf_detach(hazard, NULL) : NULL;
	if (hazard)
		sb_reset(hazard);
}

static void add_struct(void *ctx, enum struct_phase ph, struct strbuf *sql, const char *tag,
		       const char *subject, struct strbuf *hazard)
{
	static const enum phase phases[] = {
		[SP_RENAME] = P_STRUCT_RENAME, [SP_CREATE] = P_STRUCT_CREATE,
		[SP_DROP] = P_STRUCT_DROP, [SP_RENAME_OBJ] = P_STRUCT_RENAME_OBJ,
	};
	struct planner *pl = ctx;
	pl->subject = subject;
	plan_add(pl, phases[ph], sql, tag, hazard);
}

static const char **renamed_labels(const struct cat_type *t, const cJSON *e)
{
	const char **v = malloc((t->nlabels ? t->nlabels : 1) * sizeof *v);
	if (!v)
		abort();
	memcpy(v, t->labels, t->nlabels * sizeof *v);
	const cJSON *r;
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(e, "renames")) {
		const char *from = str_of(r, "from"), *to = str_of(r, "to");
		for (size_t i = 0; from && to && i < t->nlabels; i++)
			if (!strcmp(v[i], from))
				v[i] = to;
	}
	return v;
}

static void add_rename(struct planner *pl, const struct cat_type *t, const char *from, const char *to)
{
	struct strbuf sql = STRBUF_INIT, tag = STRBUF_INIT, hz = STRBUF_INIT;
	sb_addf(&sql, "ALTER TYPE %s.%s RENAME VALUE ", t->schema->qname, t->qname);
	render_literal(&sql, from);
	sb_add(&sql, " TO ");
	render_literal(&sql, to);
	sb_addc(&sql, ';');
	sb_addf(&tag, "%s_rename_%s", t->name, from);
	sb_addf(&hz, "RENAME VALUE %s '%s' to '%s': running code that uses the old label breaks", t->name, from, to);
	plan_add(pl, P_ENUM_RENAME, &sql, sb_str(&tag), &hz);
	strbuf_free(&tag);
	strbuf_free(&hz);
}

/* The entry's changes as enumdiff() gives them, from the live labels with
 * the staged renames done to the desired ones: the same diff the edit
 * accepted. */
static void plan_enum(struct planner *pl, const cJSON *e)
{
	const struct cat_type *t = catalog_type(pl->live, (unsigned)num_of(e, "oid", 0));
	const cJSON *labels = cJSON_GetObjectItem(e, "labels");
	if (!t)
		return;
	size_t n = (size_t)cJSON_GetArraySize(labels);
	const char **want = malloc((n ? n : 1) * sizeof *want);
	if (!want)
		abort();
	for (size_t i = 0; i < n; i++)
		want[i] = cJSON_GetStringValue(cJSON_GetArrayItem(labels, (int)i));
	for (size_t i = 0; i < n; i++)
		if (!want[i])
			n = i;	/* a damaged entry: what is readable of it */
	pl->subject = t->name;
	const char **have = renamed_labels(t, e);
	for (size_t i = 0; i < t->nlabels; i++)
		if (have[i] != t->labels[i])
			add_rename(pl, t, t->labels[i], have[i]);
	struct enumdiff d;
	struct strbuf sql = STRBUF_INIT, tag = STRBUF_INIT, hz = STRBUF_INIT;
	/* A refused diff (a damaged stage) plans nothing more: the edit never
	 * stages one. */
	enumdiff(have, t->nlabels, want, n, &d);
	for (size_t k = 0; k < d.nops; k++) {
		const struct enumdiff_op *op = &d.ops[k];
		if (op->kind == ENUMDIFF_RENAME) {
			add_rename(pl, t, op->old, op->label);
			continue;
		}
		sb_addf(&sql, "ALTER TYPE %s.%s ADD VALUE ", t->schema->qname, t->qname);
		render_literal(&sql, op->label);
		if (op->after || op->before) {
			sb_add(&sql, op->after ? " AFTER " : " BEFORE ");
			render_literal(&sql, op->after ? op->after : op->before);
		}
		sb_addc(&sql, ';');
		sb_reset(&tag);
		sb_addf(&tag, "%s_add_%s", t->name, op->label);
		sb_addf(&hz, "ALTER TYPE %s ADD VALUE '%s': the new value cannot be used in the transaction "
			"that adds it, so it has a migration of its own", t->name, op->label);
		plan_add(pl, P_ENUM, &sql, sb_str(&tag), &hz);
	}
	enumdiff_free(&d);
	free(have);
	free(want);
	strbuf_free(&sql);
	strbuf_free(&tag);
	strbuf_free(&hz);
}

static void dep_add(void *ctx, bool create, bool object, const char *sql, const char *subject, const char *tag,
		    const char *hazard)
{
	struct planner *pl = ctx;
	struct strbuf s = STRBUF_INIT, hz = STRBUF_INIT;
	sb_add(&s, sql);
	if (hazard)
		sb_add(&hz, hazard);
	pl->subject = subject;
	plan_add(pl, create ? (object ? P_RECREATE_OBJDEP : P_RECREATE_DEP) : (object ? P_DROP_OBJECT : P_DROP_DEP), &s,
	    tag, &hz);
	strbuf_free(&s);
	strbuf_free(&hz);
}

/* An object file's staged statements (stage.h "objects"). */
static void plan_object(struct planner *pl, const cJSON *e)
{
	struct strbuf sql = STRBUF_INIT, tag = STRBUF_INIT, hz = STRBUF_INIT;
	const char *kind = str_of(e, "kind"), *name = str_of(e, "name");
	sb_add(&sql, str_of(e, "sql"));
	while (sql.len && (sql.buf[sql.len - 1] == '\n' || sql.buf[sql.len - 1] == ' '))
		sql.buf[--sql.len] = '\0';
	/* "views" -> "view", "functions" -> "function": the file's tag. */
	size_t kl = strlen(kind);
	sb_addf(&tag, "%s%.*s_%.*s", bool_of(e, "drop") ? "drop_" : "", (int)(kl - 1), kind,
		(int)strcspn(name, "("), name);
	if (str_of(e, "hazard"))
		sb_add(&hz, str_of(e, "hazard"));
	pl->subject = name;
	const char *end = strstr(sb_str(&sql), ";\n");
	if (!strcmp(kind, "sequences") && !bool_of(e, "drop") && !strncmp(sb_str(&sql), "CREATE ", 7) && end) {
		/* A new sequence (the CREATE that schemafs rendered first, then
		 * its OWNED BY, comment, grants): created before the tables
		 * and columns whose defaults use it, owned once they exist. */
		struct strbuf create = STRBUF_INIT;
		sb_addf(&create, "%.*s", (int)(end - sb_str(&sql) + 1), sb_str(&sql));
		plan_add(pl, P_CREATE_SEQUENCE, &create, sb_str(&tag), &hz);
		strbuf_free(&create);
		struct strbuf rest = STRBUF_INIT;
		sb_add(&rest, end + 2);
		strbuf_free(&sql);
		sql = rest;
		sb_reset(&hz);
		if (!sql.len)
			goto out;
	}
	end = strstr(sb_str(&sql), ";\n");
	if (!bool_of(e, "drop") && !strncmp(sb_str(&sql), "DROP ", 5) && end) {
		/* Dropped and created again (a view whose columns change):
		 * dropped with the other drops, before the columns and tables
		 * it uses may be dropped, created again with the creates. */
		struct strbuf drop = STRBUF_INIT;
		sb_addf(&drop, "%.*s", (int)(end - sb_str(&sql) + 1), sb_str(&sql));
		plan_add(pl, P_DROP_OBJECT, &drop, sb_str(&tag), &hz);
		strbuf_free(&drop);
		struct strbuf rest = STRBUF_INIT;
		sb_add(&rest, end + 2);
		strbuf_free(&sql);
		sql = rest;
	}
	plan_add(pl, !bool_of(e, "drop") ? P_OBJECT : strcmp(kind, "sequences") ? P_DROP_OBJECT : P_DROP_SEQUENCE, &sql,
	    sb_str(&tag), &hz);
out:
	pl->subject = NULL;
	strbuf_free(&sql);
	strbuf_free(&tag);
	strbuf_free(&hz);
}

static int cmp_stmt(const void *a, const void *b)
{
	const struct stmt *x = a, *y = b;
	if (x->phase != y->phase)
		return x->phase < y->phase ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* "booking_add_notes" from the statements' tags: lower case, [a-z0-9_]. */
static void file_tag(struct strbuf *out, const struct stmt *v, size_t n)
{
	struct strbuf raw = STRBUF_INIT;
	if (n == 1) {
		sb_add(&raw, v[0].tag);
	} else {
		bool one = true;
		for (size_t i = 1; i < n && one; i++)
			one = !strcmp(v[i].subject, v[0].subject);
		if (one)
			sb_addf(&raw, "%s_changes", v[0].subject);
		else
			sb_addf(&raw, "%s_and_more", v[0].tag);
	}
	bool sep = true;
	for (const char *p = sb_str(&raw); *p && out->len < 48; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalnum(c) && c < 128) {
			sb_addc(out, (char)tolower(c));
			sep = false;
		} else if (!sep) {
			sb_addc(out, '_');
			sep = true;
		}
	}
	while (out->len && out->buf[out->len - 1] == '_')
		out->buf[--out->len] = '\0';
	if (!out->len)
		sb_add(out, "change");
	strbuf_free(&raw);
}

static void emit(struct plan *p, const struct stmt *v, size_t n, int number)
{
	p->files = realloc(p->files, (p->nfiles + 1) * sizeof *p->files);
	if (!p->files)
		abort();
	struct plan_file *f = &p->files[p->nfiles++];
	struct strbuf name = STRBUF_INIT, sql = STRBUF_INIT, hz = STRBUF_INIT;
	sb_addf(&name, "%04d_", number);
	file_tag(&name, v, n);
	sb_add(&name, ".sql");
	for (size_t i = 0; i < n; i++)
		if (v[i].hazard)
			sb_addf(&hz, "%s\n", v[i].hazard);
	/* Stays true once applied and committed to migrations_dir: the
	 * discard hint is in status, beside the pending file. */
	sb_add(&sql, "-- Generated by schemafs from changes staged in its tree.\n");
	for (const char *h = sb_str(&hz); *h;) {
		size_t len = strcspn(h, "\n");
		sb_addf(&sql, "-- HAZARD: %.*s\n", (int)len, h);
		h += len + (h[len] == '\n');
	}
	for (size_t i = 0; i < n; i++)
		sb_addf(&sql, "%s%s\n", i ? "--> statement-breakpoint\n" : "", v[i].sql);
	f->name = strbuf_detach(&name, NULL);
	f->sql = strbuf_detach(&sql, NULL);
	sb_add(&hz, "");
	f->hazards = strbuf_detach(&hz, NULL);
}

void plan_build(struct plan *p, const struct catalog *live, const struct catalog *desired,
		const struct stage *st, int first)
{
	struct planner pl = { NULL, 0, 0, live, st, NULL };
	p->files = NULL;
	p->nfiles = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(st->doc, "enums"))
		plan_enum(&pl, e);
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(st->doc, "tables"))
		plan_table(&pl, e, desired);
	deps_plan_retype(st->doc, live, dep_add, &pl);
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(st->doc, "objects"))
		plan_object(&pl, e);
	plan_struct(live, desired, st, add_struct, &pl);
	if (pl.n)
		qsort(pl.v, pl.n, sizeof *pl.v, cmp_stmt);
	int number = first;
	size_t i = 0;
	/* RENAME VALUE is transactional and its new name usable at once: it
	 * needs no file of its own, but goes first, and with the ADD VALUEs
	 * when there are (one may take the name another label leaves). */
	bool adds = false;
	for (i = 0; i < pl.n; i++)
		adds |= pl.v[i].phase == P_ENUM;
	i = 0;
#define IN_ENUM_FILE(s) ((s).phase == P_ENUM || (adds && (s).phase == P_ENUM_RENAME))
	while (i < pl.n) {
		size_t j = i + 1;
		if (pl.v[i].phase != P_CONCURRENT) {
			bool enums = IN_ENUM_FILE(pl.v[i]);
			while (j < pl.n && IN_ENUM_FILE(pl.v[j]) == enums && pl.v[j].phase != P_CONCURRENT)
				j++;
		}
		emit(p, pl.v + i, j - i, number++);
		i = j;
	}
#undef IN_ENUM_FILE
	for (i = 0; i < pl.n; i++) {
		free(pl.v[i].sql);
		free(pl.v[i].tag);
		free(pl.v[i].subject);
		free(pl.v[i].hazard);
	}
	free(pl.v);
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		free(p->files[i].name);
		free(p->files[i].sql);
		free(p->files[i].hazards);
	}
	free(p->files);
	p->files = NULL;
	p->nfiles = 0;
}

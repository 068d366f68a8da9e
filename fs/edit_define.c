/* edit_define.c: column, index, constraint, comment and enum files, checked
 * by PostgreSQL and staged; see edit_internal.h. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "config.h"
#include "database.h"
#include "enumdiff.h"
#include "edit_internal.h"
#include "log.h"
#include "migrate.h"
#include "names.h"
#include "pg.h"
#include "probe.h"
#include "render.h"
#include "sqlparse.h"
#include "stage.h"
#include "strbuf.h"
#include "tree.h"

/* ---- text helpers ---- */

/* The text without surrounding white space; NULL when it holds a NUL. */
static char *trimmed(const char *data, size_t len)
{
	if (memchr(data, '\0', len))
		return NULL;
	while (len && isspace((unsigned char)*data))
		data++, len--;
	while (len && isspace((unsigned char)data[len - 1]))
		len--;
	char *s = strndup(data, len);
	if (!s)
		abort();
	return s;
}

/* After the keyword W (any case) at S, skipping white space; else NULL. */
static const char *keyword(const char *s, const char *w)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(w);
	if (strncasecmp(s, w, n) || isalnum((unsigned char)s[n]) || s[n] == '_')
		return NULL;
	return s + n;
}

/* ---- writes ---- */

/* Does DEF give COL's NOT NULL another name or NO INHERIT than it has
 * (or will have, with what is staged)? */
static bool notnull_changes_name(const struct cat_column *col, const struct stage_coldef *def)
{
	if (!def->notnull)
		return false;
	const char *have = col->notnull ? col->notnull_name : NULL;
	bool noinherit = col->notnull && col->notnull_noinherit;
	return (have ? !def->notnull_name || strcmp(have, def->notnull_name) : def->notnull_name != NULL) ||
	       noinherit != def->notnull_noinherit;
}

static int write_column(struct change *c, const struct epath *p, const char *data, size_t len)
{
	struct database *db = c->db;
	struct target t;
	int rc = ed_find_table(c, p, &t);
	if (rc)
		return rc;
	char *text = trimmed(data, len);
	struct stage_coldef def = { 0 };
	char *qname = NULL;
	const struct cat_column *col = catalog_column(t.want, 0, p->name);
	if (!text || strchr(text, '\n')) {
		rc = ed_fail(c, -EINVAL, "a column file holds one line: the column's definition");
		goto out;
	}
	if (!*text) {
		if (!col) {	/* still a draft */
			if (!c->dry)
				ed_extra_put(db, c->path, data, len);
			goto out;
		}
		rc = ed_fail(c, -EINVAL, "empty definition (to drop the column, remove its file)");
		goto out;
	}
	int attnum = col ? col->attnum : stage_column_dropped(db->stage, &t.ref, p->name);
	const struct cat_column *old = attnum && t.live ? catalog_column(t.live, attnum, NULL) : NULL;
	PGconn *conn = ed_conn(c);
	if (!conn) {
		rc = -EIO;
		goto out;
	}
	if (sqlparse_column_references(text)) {
		/* A foreign key is a constraint of its own in the tree (the
		 * probe's temporary table could not even hold one). */
		struct strbuf q = STRBUF_INIT;
		sb_add_qual(&q, t.want->schema->qname, t.want->qname);
		if (!(qname = probe_quote_ident(conn, p->name, c->err, sizeof c->err)))
			rc = -EIO;
		else
			rc = ed_fail(c, -EINVAL, "a column file cannot hold REFERENCES: write it as constraints/<name>.sql "
				     "beside columns/%s, e.g. ALTER TABLE %s ADD CONSTRAINT <name> FOREIGN KEY (%s) "
				     "REFERENCES ...", p->file, sb_str(&q), qname);
		strbuf_free(&q);
		goto out;
	}
	if (probe_column(conn, &t.pt, p->name, old, text, &def, c->err, sizeof c->err)) {
		rc = pg_fault_errno(conn, -EINVAL);	/* a lost connection is no bad input */
		goto out;
	}
	if (old && col && notnull_changes_name(col, &def)) {
		/* The plan has SET NOT NULL and DROP NOT NULL only: a name or
		 * NO INHERIT would be lost, not staged. */
		rc = ed_fail(c, -EINVAL, "naming a NOT NULL constraint or changing its NO INHERIT is not staged "
			     "for an existing column (PostgreSQL 18): write ALTER TABLE ... RENAME CONSTRAINT "
			     "or ADD CONSTRAINT ... NOT NULL in migrations/pending/ by hand");
		goto out;
	}
	if (old && (old->generated || def.generated) &&
	    (old->generated != def.generated || strcmp(old->defexpr ? old->defexpr : "", def.defexpr ? def.defexpr : ""))) {
		/* PostgreSQL 15 cannot change a generated column in place:
		 * the live column is dropped and a new one added. */
		if (c->dry)
			goto out;
		stage_column_drop(db->stage, &t.ref, attnum, old->name);
		attnum = 0;
		col = NULL;
	}
	if (!(qname = probe_quote_ident(conn, p->name, c->err, sizeof c->err))) {
		rc = -EIO;
		goto out;
	}
	if (c->dry)
		goto out;
	stage_column_set(db->stage, &t.ref, attnum, col ? col->name : p->name, p->name, qname, &def);
	if ((rc = ed_deps_retype(c, &t.ref, attnum)))
		goto out;
	ed_note_rows(c, conn, &t);
	ed_extra_remove(db, c->path);
out:
	probe_column_free(&def);
	free(qname);
	free(text);
	return rc;
}

/* A definition PostgreSQL refuses in sed's temp file is kept as a draft:
 * sed renames it over its target next, and the refusal then names the
 * file the user edited (edit.c, rename_locked). */
int ed_write_column(struct change *c, const struct epath *p, const char *data, size_t len)
{
	int rc = write_column(c, p, data, len);
	if (rc != -EINVAL || !p->sed_temp)
		return rc;
	c->err[0] = '\0';
	if (!c->dry)
		ed_extra_put(c->db, c->path, data, len);
	return 0;
}

int ed_write_definition(struct change *c, const struct epath *p, const char *data, size_t len)
{
	struct database *db = c->db;
	bool index = p->kind == E_INDEX;
	struct target t;
	int rc = ed_find_table(c, p, &t);
	if (rc)
		return rc;
	char *text = trimmed(data, len), *def = NULL, *qname = NULL;
	struct strbuf probe_text = STRBUF_INIT;
	char type = 0;
	bool conc = false;
	if (!text) {
		rc = ed_fail(c, -EINVAL, "the file holds a NUL byte");
		goto out;
	}
	if (!*text) {
		bool exists = false;
		for (size_t i = 0; index && i < t.want->nindexes; i++)
			exists |= !strcmp(t.want->indexes[i].name, p->name);
		for (size_t i = 0; !index && i < t.want->ncons; i++)
			exists |= !strcmp(t.want->cons[i].name, p->name);
		if (exists)
			rc = ed_fail(c, -EINVAL, "empty definition (to drop it, remove its file)");
		else
			ed_extra_put(db, c->path, data, len);	/* a draft */
		goto out;
	}
	if (t.live && t.live->oid) {
		/* The probe builds the index or checks the rows on the live
		 * table (in a transaction rolled back): not on a big one. */
		PGconn *conn = ed_conn(c);
		double rows = conn ? probe_rows(conn, t.live) : -1;
		if (!conn) {
			rc = -EIO;
			goto out;
		}
		if (rows > PROBE_MAX_ROWS) {
			rc = ed_fail(c, -EPERM, "%s has ~%.0f rows: checking this definition would build or check it on "
				  "the live table (more than %d rows); write this migration by hand in "
				  "migrations/pending/ instead", t.live->name, rows, PROBE_MAX_ROWS);
			goto out;
		}
	}
	if (index) {
		/* The kind of statement is checked by its first words only;
		 * PostgreSQL checks the rest. */
		const char *k = keyword(text, "CREATE"), *after;
		if (k && (after = keyword(k, "UNIQUE")))
			k = after;
		k = k ? keyword(k, "INDEX") : NULL;
		if (!k) {
			rc = ed_fail(c, -EINVAL, "an index file holds one CREATE INDEX statement");
			goto out;
		}
		if ((after = keyword(k, "CONCURRENTLY"))) {
			/* Blanked, not cut: PostgreSQL's positions stay the
			 * file's. */
			conc = true;
			sb_add(&probe_text, text);
			memset(probe_text.buf + (k - text), ' ', (size_t)(after - k));
		} else {
			sb_add(&probe_text, text);
		}
	} else {
		const char *k = keyword(text, "ALTER");
		if (!k || !keyword(k, "TABLE")) {
			rc = ed_fail(c, -EINVAL, "a constraint file holds one ALTER TABLE ... ADD CONSTRAINT statement");
			goto out;
		}
		sb_add(&probe_text, text);
	}
	PGconn *conn = ed_conn(c);
	if (!conn) {
		rc = -EIO;
		goto out;
	}
	if (index ? probe_index(conn, &t.pt, p->name, sb_str(&probe_text), &def, c->err, sizeof c->err) :
		    probe_constraint(conn, &t.pt, p->name, sb_str(&probe_text), &def, &type, c->err, sizeof c->err)) {
		rc = pg_fault_errno(conn, -EINVAL);
		goto out;
	}
	if (!(qname = probe_quote_ident(conn, p->name, c->err, sizeof c->err))) {
		rc = -EIO;
		goto out;
	}
	if (index)
		stage_index_set(db->stage, &t.ref, p->name, qname, def, conc);
	else
		stage_constraint_set(db->stage, &t.ref, p->name, qname, type, def);
	ed_note_rows(c, conn, &t);
	ed_extra_remove(db, c->path);
out:
	strbuf_free(&probe_text);
	free(text);
	free(def);
	free(qname);
	return rc;
}

int ed_write_comment(struct change *c, const struct epath *p, const char *data, size_t len)
{
	struct target t;
	int rc = ed_find_table(c, p, &t);
	if (rc)
		return rc;
	if (memchr(data, '\0', len))
		return ed_fail(c, -EINVAL, "a comment cannot hold a NUL byte");
	char *text = strndup(data, len);
	if (!text)
		abort();
	size_t n = strlen(text);
	if (n && text[n - 1] == '\n')
		text[--n] = '\0';
	/* The server checks the encoding, as it will when the comment is set. */
	PGconn *conn = ed_conn(c);
	if (!conn) {
		free(text);
		return -EIO;
	}
	const char *params[] = { text };
	PGresult *res = pg_exec(conn, "SELECT $1::pg_catalog.text", 1, params, c->err, sizeof c->err);
	if (!res) {
		free(text);
		return -EINVAL;
	}
	PQclear(res);
	stage_table_comment(c->db->stage, &t.ref, text);
	free(text);
	return 0;
}

const struct cat_type *ed_desired_enum(struct database *db, const struct epath *p)
{
	const struct cat_schema *s = catalog_schema(db->desired, p->schema);
	for (size_t i = 0; s && i < s->ntypes; i++)
		if (s->types[i]->kind == 'e' && !strcmp(s->types[i]->name, p->name))
			return s->types[i];
	return NULL;
}

/* The labels of DATA, one a line (a last line without a newline counts,
 * unless PREFIX: then only complete lines, what was written so far). The
 * array is malloc'd and points into TEXT (modified). */
static const char **enum_lines(char *text, size_t len, bool prefix, size_t *n)
{
	const char **lines = calloc(len + 1, sizeof *lines);
	if (!lines)
		abort();
	*n = 0;
	for (char *s = text, *nl; s < text + len; s = nl + 1) {
		if (!(nl = memchr(s, '\n', (size_t)(text + len - s)))) {
			if (!prefix)
				lines[(*n)++] = s;
			break;
		}
		*nl = '\0';
		lines[(*n)++] = s;
	}
	return lines;
}

/* What was written so far (LINES, N of them) completed with the labels of
 * WANT after the furthest one it kept: the whole content the writer may
 * still mean, so that only a write that drops, moves or repeats a label
 * is refused. Returns a malloc'd array (N grown). */
static const char **enum_complete(const char **lines, size_t *n, const struct cat_type *want)
{
	size_t next = 0;
	for (size_t i = 0; i < *n; i++)
		for (size_t k = next; k < want->nlabels; k++)
			if (!strcmp(lines[i], want->labels[k]))
				next = k + 1;
	const char **v = malloc((*n + want->nlabels + 1) * sizeof *v);
	if (!v)
		abort();
	memcpy(v, lines, *n * sizeof *v);
	for (size_t k = next; k < want->nlabels; k++)
		v[(*n)++] = want->labels[k];
	return v;
}

/*
 * An enum file: its labels are diffed with the desired ones (enumdiff, as
 * the planner does): renames and adds are checked by PostgreSQL (all the
 * staged ones of the type, in a transaction rolled back) and staged; a
 * removed, moved or repeated label, or an ambiguous change, is refused.
 * With C->prefix, DATA is what was written so far (edit_early_check).
 */
int ed_write_enum(struct change *c, const struct epath *p, const char *data, size_t len)
{
	struct database *db = c->db;
	const struct cat_type *want = ed_desired_enum(db, p);
	const struct cat_type *live = want ? catalog_type(db->cat, want->oid) : NULL;
	if (!live)
		return ed_fail(c, -EPERM, "only an existing enum's labels can be changed here");
	if (memchr(data, '\0', len))
		return ed_fail(c, -EINVAL, "an enum label cannot hold a NUL byte");
	char *text = malloc(len + 1);
	if (!text)
		abort();
	memcpy(text, data, len);
	text[len] = '\0';
	size_t n;
	const char **lines = enum_lines(text, len, c->prefix, &n), **added = NULL, **from = NULL, **to = NULL;
	if (c->prefix) {
		const char **all = enum_complete(lines, &n, want);
		free(lines);
		lines = all;
	}
	struct enumdiff d;
	int rc = enumdiff(want->labels, want->nlabels, lines, n, &d);
	if (rc) {
		rc = ed_fail(c, rc, "%s", d.reason);
		goto out;
	}
	stage_enum_set(db->stage, live->oid, lines, n);
	for (size_t k = 0; k < d.nops && !rc; k++) {
		const struct enumdiff_op *op = &d.ops[k];
		if (op->kind != ENUMDIFF_RENAME)
			continue;
		const char *origin = stage_enum_origin(db->stage, live->oid, op->old);
		/* A live label renamed away in a staged change keeps its name
		 * taken until then: taking it for another label would need
		 * the renames in an order, or a cycle. */
		for (size_t i = 0; i < live->nlabels && !rc; i++)
			if (!strcmp(op->label, live->labels[i]) && !(origin && !strcmp(origin, op->label)))
				rc = ed_fail(c, -EINVAL, "label \"%s\" is renamed in a staged change: apply that "
					     "migration first, then give its name to \"%s\"", op->label, op->old);
		bool is_live = false;
		for (size_t i = 0; i < live->nlabels && !origin; i++)
			is_live |= !strcmp(op->old, live->labels[i]);
		if (!rc && (origin || is_live))
			stage_enum_rename(db->stage, live->oid, op->old, op->label);
	}
	if (rc)
		goto out;
	/* The whole change of the type, checked as the migration will run it:
	 * the staged renames, then every label not live. */
	from = calloc(live->nlabels + 1, sizeof *from);
	to = calloc(live->nlabels + 1, sizeof *to);
	added = calloc(n + 1, sizeof *added);
	if (!from || !to || !added)
		abort();
	size_t nren = 0, nadded = 0;
	for (size_t i = 0; i < n; i++) {
		const char *origin = stage_enum_origin(db->stage, live->oid, lines[i]);
		if (origin) {
			from[nren] = origin;
			to[nren++] = lines[i];
		}
	}
	/* New: neither renamed to nor a live label that keeps its name (a
	 * live name a rename gives up can be added again). */
	for (size_t i = 0; i < n; i++) {
		bool kept = false;
		for (size_t k = 0; k < live->nlabels && !kept; k++)
			kept = !strcmp(lines[i], live->labels[k]);
		for (size_t k = 0; k < nren && kept; k++)
			kept = strcmp(lines[i], from[k]) != 0;
		for (size_t k = 0; k < nren && !kept; k++)
			kept = lines[i] == to[k];
		if (!kept)
			added[nadded++] = lines[i];
	}
	if (nren || nadded) {
		PGconn *conn = ed_conn(c);
		struct strbuf q = STRBUF_INIT;
		sb_add_qual(&q, live->schema->qname, live->qname);
		if (!conn)
			rc = -EIO;
		else if (probe_enum_labels(conn, sb_str(&q), from, to, nren, added, nadded, c->err, sizeof c->err))
			rc = pg_fault_errno(conn, -EINVAL);
		strbuf_free(&q);
	}
out:
	enumdiff_free(&d);
	free(from);
	free(to);
	free(lines);
	free(added);
	free(text);
	return rc;
}

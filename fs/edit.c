/* edit.c: file-level changes -> staged edits; see include/edit.h. */
#include "edit.h"

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
#include "log.h"
#include "migrate.h"
#include "names.h"
#include "pg.h"
#include "probe.h"
#include "render.h"
#include "stage.h"
#include "strbuf.h"
#include "tree.h"

enum ekind {
	E_OTHER, E_TABLE, E_TABLE_SUBDIR, E_COLUMN, E_INDEX, E_CONSTRAINT, E_TRIGGER, E_POLICY,
	E_COMMENT, E_TABLE_SQL, E_TYPE, E_PENDING, E_APPLY,
};

/* A path taken apart. Names are raw (unescaped); all owned. */
struct epath {
	enum ekind kind;
	char *schema, *table, *name;
	const char *file;	/* last component, as in the path */
	bool scratch;		/* ".x.swp", "x~": never staged */
	bool draft_name;	/* a name that cannot be a definition ("sedAb12", no .sql) */
	bool in_table;		/* somewhere inside a table's directory */
};

static const char *const SUBDIRS[] = { "columns", "indexes", "constraints", "triggers", "policies" };

static char *unescaped(const char *s, size_t len)
{
	char *r = strndup(s, len);
	if (!r)
		abort();
	name_unescape(r);
	return r;
}

static void epath_free(struct epath *p)
{
	free(p->schema);
	free(p->table);
	free(p->name);
}

static void parse(const char *path, struct epath *p)
{
	const char *c[8];
	size_t len[8], n = 0;
	memset(p, 0, sizeof *p);
	for (const char *s = path; *s && n < 8;) {
		c[n] = s;
		len[n] = strcspn(s, "/");
		s += len[n] + (s[len[n]] == '/');
		n++;
	}
	if (!n)
		return;
	p->file = c[n - 1];
	size_t fl = len[n - 1];
	p->scratch = p->file[0] == '.' || p->file[fl - 1] == '~';
#define IS(i, lit) (len[i] == strlen(lit) && !memcmp(c[i], lit, len[i]))
	if (n == 3 && IS(0, "migrations") && (IS(1, "pending") || IS(1, "apply"))) {
		p->kind = IS(1, "pending") ? E_PENDING : E_APPLY;
		p->name = unescaped(c[2], len[2]);
		p->draft_name = fl < 5 || strcmp(p->file + fl - 4, ".sql");
		return;
	}
	if (n < 4 || !IS(0, "schemas"))
		return;
	p->schema = unescaped(c[1], len[1]);
	if (n == 4 && IS(2, "types")) {
		p->kind = E_TYPE;
		p->name = unescaped(c[3], len[3]);
		return;
	}
	if (!IS(2, "tables"))
		return;
	p->table = unescaped(c[3], len[3]);
	p->in_table = true;
	if (n == 4) {
		p->kind = E_TABLE;
		return;
	}
	if (n == 5) {
		p->kind = IS(4, "comment") ? E_COMMENT : IS(4, "table.sql") ? E_TABLE_SQL : E_OTHER;
		for (size_t i = 0; i < 5; i++)
			if (IS(4, SUBDIRS[i]))
				p->kind = E_TABLE_SUBDIR;
		return;
	}
	if (n != 6)
		return;
	static const enum ekind kinds[] = { E_COLUMN, E_INDEX, E_CONSTRAINT, E_TRIGGER, E_POLICY };
	for (size_t i = 0; i < 5; i++) {
		if (!IS(4, SUBDIRS[i]))
			continue;
		p->kind = kinds[i];
		bool sql = fl > 4 && !strcmp(p->file + fl - 4, ".sql");
		if (kinds[i] == E_COLUMN) {
			p->name = unescaped(c[5], len[5]);
		} else {
			p->draft_name = !sql;
			p->name = unescaped(c[5], sql ? len[5] - 4 : len[5]);
		}
	}
#undef IS
}

/* ---- one change: locks, backup, persistence, the reason ---- */

struct change {
	struct database *db;
	const char *path;
	cJSON *backup;
	bool dry;		/* check only: nothing is staged, even when valid */
	char err[2048];
};

static int change_begin(struct change *c, struct database *db, const char *path)
{
	memset(c, 0, sizeof *c);
	c->db = db;
	c->path = path;
	if (db->cfg->read_only)
		return -EROFS;
	pthread_mutex_lock(&db->work_lock);
	pthread_mutex_lock(&db->model_lock);
	c->backup = cJSON_Duplicate(db->stage->doc, true);
	return 0;
}

static int fail(struct change *c, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct change *c, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
	return rc;
}

static int change_end(struct change *c, int rc)
{
	struct database *db = c->db;
	if (c->dry && !rc) {
		cJSON_Delete(db->stage->doc);
		db->stage->doc = c->backup;
		pthread_mutex_unlock(&db->model_lock);
		pthread_mutex_unlock(&db->work_lock);
		return 0;
	}
	if (!rc && db->stage_file && !cJSON_Compare(c->backup, db->stage->doc, true)) {
		int w = stage_save(db->stage, db->stage_file);
		if (w)
			rc = fail(c, -EIO, "cannot write %s: %s (nothing staged)", db->stage_file, strerror(-w));
	}
	if (rc) {
		cJSON_Delete(db->stage->doc);
		db->stage->doc = c->backup;
		c->backup = NULL;
		char when[32];
		time_t now = time(NULL);
		struct tm tm;
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
		snprintf(db->change_error, sizeof db->change_error, "%s: %s (%s, at %s)", c->path,
			 c->err[0] ? c->err : strerror(-rc), strerror(-rc), when);
		log_warn("%s: refused %s", db->cfg->name, db->change_error);
	}
	cJSON_Delete(c->backup);
	database_publish(db);
	pthread_mutex_unlock(&db->model_lock);
	pthread_mutex_unlock(&db->work_lock);
	return rc;
}

/* ---- drafts and scratch files ---- */

static struct extra_file *extra_find(struct database *db, const char *path)
{
	for (struct extra_file *x = db->extras; x; x = x->next)
		if (!strcmp(x->path, path))
			return x;
	return NULL;
}

static void extra_put(struct database *db, const char *path, const char *data, size_t len)
{
	struct extra_file *x = extra_find(db, path);
	if (!x) {
		x = calloc(1, sizeof *x);
		if (!x || !(x->path = strdup(path)))
			abort();
		x->next = db->extras;
		db->extras = x;
	}
	free(x->data);
	x->data = malloc(len + 1);
	if (!x->data)
		abort();
	memcpy(x->data, data, len);
	x->data[len] = '\0';
	x->len = len;
}

static bool extra_remove(struct database *db, const char *path)
{
	for (struct extra_file **pp = &db->extras; *pp; pp = &(*pp)->next) {
		if (!strcmp((*pp)->path, path)) {
			struct extra_file *x = *pp;
			*pp = x->next;
			free(x->path);
			free(x->data);
			free(x);
			return true;
		}
	}
	return false;
}

/* ---- the table a path is in ---- */

struct target {
	const struct cat_relation *want, *live;
	struct stage_ref ref;
	struct probe_table pt;
};

static int find_table(struct change *c, const struct epath *p, struct target *t)
{
	struct database *db = c->db;
	t->want = catalog_table(db->desired, p->schema, p->table);
	if (!t->want)
		return fail(c, -ENOENT, "no table %s.%s", p->schema, p->table);
	t->live = t->want->oid ? catalog_rel(db->cat, t->want->oid) : NULL;
	t->ref = (struct stage_ref){ t->want->oid, p->schema, t->want->oid ? NULL : t->want->name };
	t->pt = (struct probe_table){ t->live, t->want };
	return 0;
}

static PGconn *conn_or_fail(struct change *c)
{
	char err[1024];
	PGconn *conn = database_work_conn(c->db, err, sizeof err);
	if (!conn)
		fail(c, -EIO, "the server cannot be reached to check the change: %s", err);
	return conn;
}

static void note_rows(struct change *c, PGconn *conn, const struct target *t)
{
	if (t->live)
		stage_table_rows(c->db->stage, &t->ref, probe_rows(conn, t->live));
}

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

static int write_column(struct change *c, const struct epath *p, const char *data, size_t len)
{
	struct database *db = c->db;
	struct target t;
	int rc = find_table(c, p, &t);
	if (rc)
		return rc;
	char *text = trimmed(data, len);
	struct stage_coldef def = { 0 };
	char *qname = NULL;
	const struct cat_column *col = catalog_column(t.want, 0, p->name);
	if (!text || strchr(text, '\n')) {
		rc = fail(c, -EINVAL, "a column file holds one line: the column's definition");
		goto out;
	}
	if (!*text) {
		if (!col) {	/* still a draft */
			if (!c->dry)
				extra_put(db, c->path, data, len);
			goto out;
		}
		rc = fail(c, -EINVAL, "empty definition (to drop the column, remove its file)");
		goto out;
	}
	int attnum = col ? col->attnum : stage_column_dropped(db->stage, &t.ref, p->name);
	const struct cat_column *old = attnum && t.live ? catalog_column(t.live, attnum, NULL) : NULL;
	PGconn *conn = conn_or_fail(c);
	if (!conn) {
		rc = -EIO;
		goto out;
	}
	if (probe_column(conn, &t.pt, p->name, old, text, &def, c->err, sizeof c->err)) {
		rc = -EINVAL;
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
	note_rows(c, conn, &t);
	extra_remove(db, c->path);
out:
	probe_column_free(&def);
	free(qname);
	free(text);
	return rc;
}

static int write_index_or_constraint(struct change *c, const struct epath *p, const char *data, size_t len)
{
	struct database *db = c->db;
	bool index = p->kind == E_INDEX;
	struct target t;
	int rc = find_table(c, p, &t);
	if (rc)
		return rc;
	char *text = trimmed(data, len), *def = NULL, *qname = NULL;
	struct strbuf probe_text = STRBUF_INIT;
	char type = 0;
	bool conc = false;
	if (!text) {
		rc = fail(c, -EINVAL, "the file holds a NUL byte");
		goto out;
	}
	if (!*text) {
		bool exists = false;
		for (size_t i = 0; index && i < t.want->nindexes; i++)
			exists |= !strcmp(t.want->indexes[i].name, p->name);
		for (size_t i = 0; !index && i < t.want->ncons; i++)
			exists |= !strcmp(t.want->cons[i].name, p->name);
		if (exists)
			rc = fail(c, -EINVAL, "empty definition (to drop it, remove its file)");
		else
			extra_put(db, c->path, data, len);	/* a draft */
		goto out;
	}
	if (t.live && t.live->oid) {
		/* The probe builds the index or checks the rows on the live
		 * table (in a transaction rolled back): not on a big one. */
		PGconn *conn = conn_or_fail(c);
		double rows = conn ? probe_rows(conn, t.live) : -1;
		if (!conn) {
			rc = -EIO;
			goto out;
		}
		if (rows > PROBE_MAX_ROWS) {
			rc = fail(c, -EPERM, "%s has ~%.0f rows: checking this definition would build or check it on "
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
			rc = fail(c, -EINVAL, "an index file holds one CREATE INDEX statement");
			goto out;
		}
		if ((after = keyword(k, "CONCURRENTLY"))) {
			conc = true;
			sb_addn(&probe_text, text, (size_t)(k - text));
			sb_add(&probe_text, after);
		} else {
			sb_add(&probe_text, text);
		}
	} else {
		const char *k = keyword(text, "ALTER");
		if (!k || !keyword(k, "TABLE")) {
			rc = fail(c, -EINVAL, "a constraint file holds one ALTER TABLE ... ADD CONSTRAINT statement");
			goto out;
		}
		sb_add(&probe_text, text);
	}
	PGconn *conn = conn_or_fail(c);
	if (!conn) {
		rc = -EIO;
		goto out;
	}
	if (index ? probe_index(conn, &t.pt, p->name, sb_str(&probe_text), &def, c->err, sizeof c->err) :
		    probe_constraint(conn, &t.pt, p->name, sb_str(&probe_text), &def, &type, c->err, sizeof c->err)) {
		rc = -EINVAL;
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
	note_rows(c, conn, &t);
	extra_remove(db, c->path);
out:
	strbuf_free(&probe_text);
	free(text);
	free(def);
	free(qname);
	return rc;
}

static int write_comment(struct change *c, const struct epath *p, const char *data, size_t len)
{
	struct target t;
	int rc = find_table(c, p, &t);
	if (rc)
		return rc;
	if (memchr(data, '\0', len))
		return fail(c, -EINVAL, "a comment cannot hold a NUL byte");
	char *text = strndup(data, len);
	if (!text)
		abort();
	size_t n = strlen(text);
	if (n && text[n - 1] == '\n')
		text[--n] = '\0';
	/* The server checks the encoding, as it will when the comment is set. */
	PGconn *conn = conn_or_fail(c);
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

static const struct cat_type *desired_enum(struct database *db, const struct epath *p)
{
	const struct cat_schema *s = catalog_schema(db->desired, p->schema);
	for (size_t i = 0; s && i < s->ntypes; i++)
		if (s->types[i]->kind == 'e' && !strcmp(s->types[i]->name, p->name))
			return s->types[i];
	return NULL;
}

static int write_enum(struct change *c, const struct epath *p, const char *data, size_t len)
{
	struct database *db = c->db;
	const struct cat_type *want = desired_enum(db, p);
	const struct cat_type *live = want ? catalog_type(db->cat, want->oid) : NULL;
	if (!live)
		return fail(c, -EPERM, "only an existing enum's labels can be changed here");
	if (memchr(data, '\0', len))
		return fail(c, -EINVAL, "an enum label cannot hold a NUL byte");
	char *text = strndup(data, len);
	if (!text)
		abort();
	const char **lines = calloc(len + 1, sizeof *lines), **added = calloc(len + 1, sizeof *added);
	size_t n = 0, nadded = 0, j = 0;
	int rc = 0;
	if (!lines || !added)
		abort();
	for (char *s = text, *nl; *s; s = nl + 1) {
		nl = strchr(s, '\n');
		if (!nl)
			nl = s + strlen(s) - 1, nl[1] = '\0', nl++;	/* last line, no newline */
		*nl = '\0';
		lines[n++] = s;
		if (nl == text + len)
			break;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		bool known = false;
		for (size_t k = 0; k < live->nlabels; k++)
			known |= !strcmp(lines[i], live->labels[k]);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(lines[i], lines[k]))
				rc = fail(c, -EINVAL, "label \"%s\" appears twice", lines[i]);
		if (known && j < live->nlabels && !strcmp(lines[i], live->labels[j]))
			j++;
		else if (known)
			rc = fail(c, -EPERM, "label \"%s\" moved: PostgreSQL cannot reorder enum labels "
				  "(only add new ones, anywhere)", lines[i]);
		else
			added[nadded++] = lines[i];
	}
	if (!rc && j < live->nlabels)
		rc = fail(c, -EPERM, "label \"%s\" removed: PostgreSQL cannot remove an enum label "
			  "(only add new ones); create a new type and migrate the column by hand in "
			  "migrations/pending/", live->labels[j]);
	if (!rc && nadded) {
		PGconn *conn = conn_or_fail(c);
		struct strbuf q = STRBUF_INIT;
		sb_add_qual(&q, live->schema->qname, live->qname);
		if (!conn)
			rc = -EIO;
		else if (probe_enum_labels(conn, sb_str(&q), added, nadded, c->err, sizeof c->err))
			rc = -EINVAL;
		strbuf_free(&q);
	}
	if (!rc)
		stage_enum_set(db->stage, live->oid, lines, n);
	free(lines);
	free(added);
	free(text);
	return rc;
}

static int apply_now(struct database *db, const char *name, const char *data, size_t len,
		     const char *pending, bool back);

/* ---- dispatch ---- */

static int write_locked(struct change *c, const struct epath *p, const char *data, size_t len)
{
	struct database *db = c->db;
	if (p->scratch || extra_find(db, c->path) != NULL) {
		if (p->scratch || p->draft_name) {
			extra_put(db, c->path, data, len);
			return 0;
		}
	}
	switch (p->kind) {
	case E_COLUMN:
		if (len > EDIT_MAX_COLUMN)
			return fail(c, -EINVAL, "longer than %d bytes: not a column definition", EDIT_MAX_COLUMN);
		return write_column(c, p, data, len);
	case E_INDEX:
	case E_CONSTRAINT:
		if (p->draft_name) {
			extra_put(db, c->path, data, len);
			return 0;
		}
		return write_index_or_constraint(c, p, data, len);
	case E_COMMENT:
		return write_comment(c, p, data, len);
	case E_TYPE:
		if (!desired_enum(db, p) && extra_find(db, c->path)) {
			extra_put(db, c->path, data, len);	/* sed's temp file */
			return 0;
		}
		return write_enum(c, p, data, len);
	case E_PENDING:
		if (p->draft_name) {
			extra_put(db, c->path, data, len);
			return 0;
		}
		if (!stage_file_get(db->stage, p->name, &(size_t){ 0 }) && tree_lookup(db->tree, c->path))
			return fail(c, -EPERM, "this migration is generated from the staged changes: change the "
				    "tree, or copy it to a new name to edit it by hand");
		if (memchr(data, '\0', len))
			return fail(c, -EINVAL, "a migration file cannot hold a NUL byte");
		stage_file_put(db->stage, p->name, data, len);
		return 0;
	case E_APPLY:
		extra_put(db, c->path, data, len);	/* a scratch or temp name: kept, not run */
		return 0;
	case E_TRIGGER:
	case E_POLICY:
		return fail(c, -EPERM, "triggers and policies can be dropped here, not written");
	default:
		return fail(c, -EPERM, "this file is generated from the schema and cannot be written");
	}
}

int edit_write(struct database *db, const char *path, const char *data, size_t len)
{
	struct change c;
	struct epath p;
	parse(path, &p);
	if (p.kind == E_APPLY && !p.scratch && !p.draft_name && !db->cfg->read_only) {
		/* cp any.sql apply/: runs when it is closed. */
		pthread_mutex_lock(&db->work_lock);
		pthread_mutex_lock(&db->model_lock);
		extra_remove(db, path);
		pthread_mutex_unlock(&db->model_lock);
		int rc = apply_now(db, p.name, data, len, NULL, true);
		pthread_mutex_unlock(&db->work_lock);
		epath_free(&p);
		return rc;
	}
	int rc = change_begin(&c, db, path);
	if (rc) {
		epath_free(&p);
		return rc;
	}
	if (len > EDIT_MAX_FILE)
		rc = fail(&c, -EFBIG, "larger than %d bytes", EDIT_MAX_FILE);
	else
		rc = write_locked(&c, &p, data, len);
	epath_free(&p);
	return change_end(&c, rc);
}

int edit_refuse(struct database *db, const char *path, int rc, const char *reason)
{
	struct change c;
	int r = change_begin(&c, db, path);
	if (r)
		return r;
	return change_end(&c, fail(&c, rc, "%s", reason));
}

int edit_early_check(struct database *db, const char *path, const char *data, size_t len)
{
	struct epath p;
	parse(path, &p);
	int rc = 0;
	if (p.kind == E_COLUMN && !p.scratch) {
		struct change c;
		if (!(rc = change_begin(&c, db, path))) {
			c.dry = true;
			rc = change_end(&c, len > EDIT_MAX_COLUMN ? fail(&c, -EINVAL, "longer than %d bytes: "
					"not a column definition", EDIT_MAX_COLUMN) : write_column(&c, &p, data, len));
		}
	}
	epath_free(&p);
	return rc;
}

/* Can a file be created or written at P at all? */
static bool writable_place(const struct epath *p)
{
	switch (p->kind) {
	case E_COLUMN: case E_INDEX: case E_CONSTRAINT: case E_COMMENT: case E_TYPE: case E_PENDING:
		return true;
	case E_APPLY:
		return true;
	default:
		return p->scratch && (p->in_table || p->kind == E_TYPE);
	}
}

/* edit_check() with model_lock held. */
static int check_locked(struct database *db, const char *path)
{
	if (db->cfg->read_only)
		return -EROFS;
	struct epath p;
	parse(path, &p);
	bool ok = writable_place(&p) || (p.scratch && p.schema && !p.table);
	/* The generated migration is refused at open already. */
	if (ok && p.kind == E_PENDING && !p.scratch && !p.draft_name)
		ok = stage_file_get(db->stage, p.name, &(size_t){ 0 }) || !tree_lookup(db->tree, path);
	epath_free(&p);
	return ok ? 0 : -EPERM;
}

int edit_check(struct database *db, const char *path)
{
	pthread_mutex_lock(&db->model_lock);
	int rc = check_locked(db, path);
	pthread_mutex_unlock(&db->model_lock);
	return rc;
}

/* Runs FN on PATH as one change (locks, backup, persistence, reason). */
static int with_change(struct database *db, const char *path,
		       int (*fn)(struct change *c, const struct epath *p))
{
	struct change c;
	int rc = change_begin(&c, db, path);
	if (rc)
		return rc;
	struct epath p;
	parse(path, &p);
	rc = fn(&c, &p);
	epath_free(&p);
	return change_end(&c, rc);
}

static int create_locked(struct change *c, const struct epath *p)
{
	struct database *db = c->db;
	if (check_locked(db, c->path))
		return fail(c, -EPERM, "files cannot be created here");
	if (p->kind == E_PENDING && !p->scratch && !p->draft_name)
		stage_file_put(db->stage, p->name, "", 0);
	else
		extra_put(db, c->path, "", 0);
	return 0;
}

int edit_create(struct database *db, const char *path)
{
	return with_change(db, path, create_locked);
}

/* ---- removals ---- */

static int unlink_locked(struct change *c, const struct epath *p)
{
	struct database *db = c->db;
	if (extra_remove(db, c->path))
		return 0;
	struct target t;
	int rc;
	switch (p->kind) {
	case E_COLUMN: {
		if ((rc = find_table(c, p, &t)))
			return rc;
		const struct cat_column *col = catalog_column(t.want, 0, p->name);
		if (!col)
			return fail(c, -ENOENT, "no column %s", p->name);
		stage_column_drop(db->stage, &t.ref, col->attnum, col->name);
		PGconn *conn = t.live ? conn_or_fail(c) : NULL;
		if (conn)
			note_rows(c, conn, &t);
		return 0;
	}
	case E_INDEX: case E_CONSTRAINT: case E_TRIGGER: case E_POLICY: {
		static const char *const kinds[] = { [E_INDEX] = "indexes", [E_CONSTRAINT] = "constraints",
						     [E_TRIGGER] = "triggers", [E_POLICY] = "policies" };
		if ((rc = find_table(c, p, &t)))
			return rc;
		if (!tree_lookup(db->tree, c->path))
			return fail(c, -ENOENT, "no such file");
		bool live = false;
		if (t.live) {
			/* Live when the live snapshot's tree would show it. */
			for (size_t i = 0; p->kind == E_INDEX && i < t.live->nindexes; i++)
				live |= !strcmp(t.live->indexes[i].name, p->name);
			for (size_t i = 0; p->kind == E_CONSTRAINT && i < t.live->ncons; i++)
				live |= !strcmp(t.live->cons[i].name, p->name);
			live |= p->kind == E_TRIGGER || p->kind == E_POLICY;
		}
		stage_object_drop(db->stage, &t.ref, kinds[p->kind], p->name, live);
		return 0;
	}
	case E_COMMENT:
		if ((rc = find_table(c, p, &t)))
			return rc;
		stage_table_comment(db->stage, &t.ref, "");
		return 0;
	case E_TABLE_SQL:
		return 0;	/* regenerated; lets rm -r of a table through */
	case E_PENDING:
		if (stage_file_remove(db->stage, p->name))
			return 0;
		if (!tree_lookup(db->tree, c->path))
			return fail(c, -ENOENT, "no such file");
		stage_discard(db->stage);	/* the generated migration */
		return 0;
	default:
		return fail(c, -EPERM, "this file cannot be removed");
	}
}

int edit_unlink(struct database *db, const char *path)
{
	return with_change(db, path, unlink_locked);
}

static int mkdir_locked(struct change *c, const struct epath *p)
{
	struct database *db = c->db;
	if (p->kind != E_TABLE || p->scratch)
		return fail(c, -EPERM, "only tables can be created as directories (schemas/<s>/tables/<t>)");
	if (!catalog_schema(db->desired, p->schema))
		return fail(c, -ENOENT, "no schema %s", p->schema);
	if (catalog_table(db->desired, p->schema, p->table))
		return -EEXIST;
	PGconn *conn = conn_or_fail(c);
	char *q = conn ? probe_quote_ident(conn, p->table, c->err, sizeof c->err) : NULL;
	if (!q)
		return -EIO;
	stage_table_new(db->stage, p->schema, p->table, q);
	free(q);
	return 0;
}

int edit_mkdir(struct database *db, const char *path)
{
	return with_change(db, path, mkdir_locked);
}

static int rmdir_locked(struct change *c, const struct epath *p)
{
	struct target t;
	int rc;
	if (p->kind == E_TABLE_SUBDIR)
		return 0;	/* part of rm -r of the table: the table's rmdir decides */
	if (p->kind != E_TABLE)
		return fail(c, -EPERM, "only a table's directory can be removed");
	if ((rc = find_table(c, p, &t)))
		return rc;
	PGconn *conn = t.live ? conn_or_fail(c) : NULL;
	if (conn)
		note_rows(c, conn, &t);
	stage_table_drop(c->db->stage, &t.ref);
	return 0;
}

int edit_rmdir(struct database *db, const char *path)
{
	return with_change(db, path, rmdir_locked);
}

/* ---- renames ---- */

/* The content of PATH as the tree shows it, malloc'd, or NULL. */
static char *content_of(struct database *db, const char *path, size_t *len)
{
	const struct extra_file *x = extra_find(db, path);
	const struct node *n = x ? NULL : tree_lookup(db->tree, path);
	if (!x && (!n || n->is_dir))
		return NULL;
	*len = x ? x->len : n->size;
	char *copy = malloc(*len + 1);	/* the bytes may hold NULs (swap files) */
	if (!copy)
		abort();
	memcpy(copy, x ? x->data : n->data, *len);
	copy[*len] = '\0';
	return copy;
}

static bool same_dir(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
	return sa && sb && sa - a == sb - b && !memcmp(a, b, (size_t)(sa - a));
}

static int rename_locked(struct change *c, const struct epath *from, const struct epath *to,
			 const char *fpath, const char *tpath)
{
	struct database *db = c->db;
	size_t len;
	int rc;
	if (from->kind == E_TABLE && to->kind == E_TABLE && !strcmp(from->schema, to->schema)) {
		struct target t;
		if ((rc = find_table(c, from, &t)))
			return rc;
		if (catalog_table(db->desired, to->schema, to->table))
			return fail(c, -EEXIST, "table %s exists: remove it first", to->table);
		PGconn *conn = conn_or_fail(c);
		char *q = conn ? probe_quote_ident(conn, to->table, c->err, sizeof c->err) : NULL;
		if (!q)
			return -EIO;
		stage_table_rename(db->stage, &t.ref, to->table, q);
		free(q);
		return 0;
	}
	if (!same_dir(fpath, tpath))
		return fail(c, -EXDEV, "files move only within their directory here");
	char *data = content_of(db, fpath, &len);
	if (!data)
		return fail(c, -ENOENT, "no such file");
	struct change inner = *c;
	inner.path = tpath;	/* what the write is about */
	/* A scratch or draft file saved over a definition (sed -i, editors):
	 * the target keeps its identity and takes the content. */
	if (extra_find(db, fpath) || to->scratch) {
		if (to->scratch)
			extra_put(db, tpath, data, len);
		else if ((rc = write_locked(&inner, to, data, len)))
			goto failed;
		if (to->scratch && !extra_find(db, fpath) && (rc = unlink_locked(&inner, from)))
			goto failed;
		extra_remove(db, fpath);
		free(data);
		return 0;
	}
	if (from->kind == E_COLUMN && to->kind == E_COLUMN) {
		struct target t;
		if ((rc = find_table(c, from, &t)))
			goto out;
		const struct cat_column *src = catalog_column(t.want, 0, from->name);
		const struct cat_column *dst = catalog_column(t.want, 0, to->name);
		if (!src->attnum && dst) {
			/* A new column saved over an existing one: an edit of it. */
			if (!(rc = write_locked(&inner, to, data, len)))
				stage_column_drop(db->stage, &t.ref, 0, from->name);
			goto failed;
		}
		if (dst)
			stage_column_drop(db->stage, &t.ref, dst->attnum, dst->name);
		PGconn *conn = conn_or_fail(c);
		char *q = conn ? probe_quote_ident(conn, to->name, c->err, sizeof c->err) : NULL;
		if (!q) {
			rc = -EIO;
			goto out;
		}
		stage_column_set(db->stage, &t.ref, src->attnum, src->name, to->name, q, NULL);
		free(q);
		if (t.live && src->attnum)
			note_rows(c, conn, &t);
		rc = 0;
		goto out;
	}
	if (from->kind == E_PENDING && to->kind == E_PENDING && stage_file_get(db->stage, from->name, &len) &&
	    !to->draft_name) {
		size_t n;
		const char *sql = stage_file_get(db->stage, from->name, &n);
		char *copy = strndup(sql, n);
		stage_file_remove(db->stage, to->name);
		stage_file_put(db->stage, to->name, copy, n);
		stage_file_remove(db->stage, from->name);
		free(copy);
		rc = 0;
		goto out;
	}
	if (tree_lookup(db->tree, tpath) && from->kind == to->kind) {
		/* Same kind of definition file: the target takes the content. */
		if (!(rc = write_locked(&inner, to, data, len)))
			rc = unlink_locked(&inner, from);
		goto failed;
	}
	rc = fail(c, -EPERM, "this rename has no schema change to match (rename an index or constraint by "
		  "writing the new file and removing the old one)");
	goto out;
failed:
	if (rc)
		memcpy(c->err, inner.err, sizeof c->err);
out:
	free(data);
	return rc;
}

/* ---- applying ---- */

static void stamp(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
}

/* Runs DATA as migration NAME, with work_lock held and model_lock not
 * (a migration can take long; staging waits, reading does not). On
 * success the hand-written PENDING file, if any, is gone; on failure a
 * file copied into apply/ (BACK) goes to pending/ so that nothing is lost.
 * Returns after the refresh that shows the result. */
static int apply_now(struct database *db, const char *name, const char *data, size_t len,
		     const char *pending, bool back)
{
	char err[1024], when[32];
	struct migrate_result r;
	memset(&r, 0, sizeof r);
	int rc;
	PGconn *conn = database_work_conn(db, err, sizeof err);
	if (!conn) {
		snprintf(r.message, sizeof r.message, "the server cannot be reached: %s; nothing was applied", err);
		rc = -EIO;
	} else {
		const struct db_config *cfg = db->cfg;
		struct migrate_opts o = { cfg->migrations_schema, cfg->migrations_table, cfg->migrations_dir,
					  cfg->lock_wait_ms, cfg->lock_timeout_ms, cfg->statement_timeout_ms };
		rc = migrate_apply(conn, &o, name, data, len, &r);
	}
	stamp(when, sizeof when);
	pthread_mutex_lock(&db->model_lock);
	snprintf(db->apply_result, sizeof db->apply_result, "%s (%s, at %s)", r.message,
		 rc ? strerror(-rc) : "ok", when);
	if (rc)
		log_warn("%s: apply failed: %s", db->cfg->name, db->apply_result);
	else
		log_info("%s: %s", db->cfg->name, db->apply_result);
	bool save = false;
	if (!rc && pending)
		save = stage_file_remove(db->stage, pending);
	if (rc && back) {
		/* Into pending/ under its name, or a free one next to it. */
		struct strbuf free_name = STRBUF_INIT;
		sb_add(&free_name, name);
		for (int k = 2; stage_file_get(db->stage, sb_str(&free_name), &(size_t){ 0 }); k++) {
			sb_reset(&free_name);
			size_t stem = strlen(name) > 4 && !strcmp(name + strlen(name) - 4, ".sql") ? strlen(name) - 4 : strlen(name);
			sb_addf(&free_name, "%.*s-%d.sql", (int)stem, name, k);
		}
		stage_file_put(db->stage, sb_str(&free_name), data, len);
		strbuf_free(&free_name);
		save = true;
	}
	if (save && db->stage_file) {
		int w = stage_save(db->stage, db->stage_file);
		if (w)
			log_warn("%s: cannot write %s: %s", db->cfg->name, db->stage_file, strerror(-w));
	}
	pthread_mutex_unlock(&db->model_lock);
	/* The refresh publishes the new tree (with this result in status);
	 * otherwise status alone changed. */
	if (!rc && !r.already && database_refresh_wait(db, 30))
		return rc;
	pthread_mutex_lock(&db->model_lock);
	database_publish(db);
	pthread_mutex_unlock(&db->model_lock);
	return rc;
}

/* mv pending/X apply/, or a temp file renamed into apply/ (rsync, editors) */
static int apply_renamed(struct database *db, const char *from, const struct epath *pf, const struct epath *pt)
{
	size_t len = 0;
	pthread_mutex_lock(&db->work_lock);
	pthread_mutex_lock(&db->model_lock);
	char *data = content_of(db, from, &len);
	bool user = pf->kind == E_PENDING && stage_file_get(db->stage, pf->name, &(size_t){ 0 }) != NULL;
	/* A temp file is gone once renamed: on failure it goes to pending/. */
	bool temp = extra_remove(db, from);
	pthread_mutex_unlock(&db->model_lock);
	int rc = data ? apply_now(db, pt->name, data, len, user ? pf->name : NULL, temp) : -ENOENT;
	pthread_mutex_unlock(&db->work_lock);
	free(data);
	return rc;
}

int edit_rename(struct database *db, const char *from, const char *to)
{
	struct change c;
	struct epath pf, pt;
	parse(from, &pf);
	parse(to, &pt);
	if ((pf.kind == E_PENDING || pf.kind == E_APPLY) && pt.kind == E_APPLY && !pt.scratch && !pt.draft_name) {
		int rc = db->cfg->read_only ? -EROFS : apply_renamed(db, from, &pf, &pt);
		epath_free(&pf);
		epath_free(&pt);
		return rc;
	}
	int rc = change_begin(&c, db, from);
	if (rc) {
		epath_free(&pf);
		epath_free(&pt);
		return rc;
	}
	rc = rename_locked(&c, &pf, &pt, from, to);
	epath_free(&pf);
	epath_free(&pt);
	return change_end(&c, rc);
}

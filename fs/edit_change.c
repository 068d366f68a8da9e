/* edit_change.c: paths, the frame of one change, drafts; see edit_internal.h. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "config.h"
#include "database.h"
#include "edit_internal.h"
#include "log.h"
#include "migrate.h"
#include "names.h"
#include "objkind.h"
#include "pg.h"
#include "probe.h"
#include "render.h"
#include "stage.h"
#include "strbuf.h"
#include "tree.h"

static const char *const SUBDIRS[] = { "columns", "indexes", "constraints", "triggers", "policies" };

static char *unescaped(struct epath *p, const char *s, size_t len)
{
	char *r = strndup(s, len);
	if (!r)
		abort();
	if (name_unescape(r))
		p->shortened = true;
	return r;
}

void ed_epath_free(struct epath *p)
{
	free(p->schema);
	free(p->table);
	free(p->name);
}

void ed_parse(const char *path, struct epath *p)
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
	p->sed_temp = fl == 9 && !strncmp(p->file, "sed", 3);
	for (size_t i = 3; p->sed_temp && i < fl; i++)
		p->sed_temp = isalnum((unsigned char)p->file[i]);
#define IS(i, lit) (len[i] == strlen(lit) && !memcmp(c[i], lit, len[i]))
	if (n == 3 && IS(0, "migrations") && (IS(1, "pending") || IS(1, "apply"))) {
		p->kind = IS(1, "pending") ? E_PENDING : E_APPLY;
		p->name = unescaped(p, c[2], len[2]);
		p->draft_name = fl < 5 || strcmp(p->file + fl - 4, ".sql");
		return;
	}
	/* Editors' temp files beside a declarative file (sed -i's, vim's
	 * 4913): drafts, renamed over it when saved. */
	bool digits = fl > 0;
	for (size_t i = 0; i < fl; i++)
		digits &= isdigit((unsigned char)p->file[i]) != 0;
	if (n == 1) {
		p->kind = IS(0, "schema.sql") ? E_DB_SQL : E_OTHER;
		p->draft_name = p->kind == E_OTHER && (p->sed_temp || digits);
		return;
	}
	if (n == 3 && IS(0, "schemas")) {
		p->schema = unescaped(p, c[1], len[1]);
		p->kind = IS(2, "schema.sql") ? E_SCHEMA_SQL : E_OTHER;
		p->draft_name = p->kind == E_OTHER && (p->sed_temp || digits);
		return;
	}
	if (n < 4 || !IS(0, "schemas"))
		return;
	p->schema = unescaped(p, c[1], len[1]);
	if (n == 4 && IS(2, "types")) {
		p->kind = E_TYPE;
		p->name = unescaped(p, c[3], len[3]);
		return;
	}
	bool sql = fl > 4 && !strcmp(p->file + fl - 4, ".sql");
	const struct objkind *ok = n == 4 ? objkind_find(c[2], len[2], OBJ_IN_SCHEMA) :
				   n == 6 && IS(2, "tables") ? objkind_find(c[4], len[4], OBJ_IN_TABLE) : NULL;
	if (ok) {
		p->kind = E_OBJECT;
		p->obj = ok;
		p->draft_name = !sql;
		p->name = unescaped(p, c[n - 1], sql ? len[n - 1] - 4 : len[n - 1]);
		if (n == 6) {
			p->table = unescaped(p, c[3], len[3]);
			p->in_table = true;
		}
		return;
	}
	if (!IS(2, "tables"))
		return;
	p->table = unescaped(p, c[3], len[3]);
	p->in_table = true;
	if (n == 4) {
		p->kind = E_TABLE;
		return;
	}
	if (n == 5) {
		p->kind = IS(4, "comment") ? E_COMMENT : IS(4, "table.sql") ? E_TABLE_SQL : E_OTHER;
		p->draft_name = p->kind == E_OTHER && (p->sed_temp || digits);
		for (size_t i = 0; i < 5; i++)
			if (IS(4, SUBDIRS[i]))
				p->kind = E_TABLE_SUBDIR;
		return;
	}
	if (n != 6)
		return;
	static const enum ekind kinds[] = { E_COLUMN, E_INDEX, E_CONSTRAINT };
	for (size_t i = 0; i < 3; i++) {
		if (!IS(4, SUBDIRS[i]))
			continue;
		p->kind = kinds[i];
		if (kinds[i] == E_COLUMN) {
			p->name = unescaped(p, c[5], len[5]);
		} else {
			p->draft_name = !sql;
			p->name = unescaped(p, c[5], sql ? len[5] - 4 : len[5]);
		}
	}
#undef IS
}

/* ---- names the server would take ---- */

int ed_names_ok(const struct database *db, const struct epath *p, char *err, size_t errlen)
{
	/* FUSE hands on names of any length (the NAME_MAX check is each
	 * file system's): none here is longer than elsewhere. */
	size_t flen = p->file ? strlen(p->file) : 0;
	if (flen > NAME_MAX) {
		snprintf(err, errlen, "the file name is %zu bytes long: longer than NAME_MAX (%d)", flen, NAME_MAX);
		return -ENAMETOOLONG;
	}
	if (p->scratch || p->draft_name)
		return 0;
	/* name_escape() never makes "%~" but for a name cut at NAME_MAX,
	 * which no object that can be created here has: a name typed with
	 * it would come back under another file name. */
	if (p->shortened) {
		snprintf(err, errlen, "\"%%~\" in a file name marks a shortened name: write %%25~ for a "
			 "literal %%~ (see Name escaping in schemafs(1))");
		return -EINVAL;
	}
	/* Which part of the path names what: an object's name is an
	 * identifier; a migration's file name is only held to UTF-8. */
	static const char *const what[] = {
		[E_COLUMN] = "column", [E_INDEX] = "index", [E_CONSTRAINT] = "constraint",
		[E_TYPE] = "type", [E_OBJECT] = "object",
		[E_PENDING] = "migration file", [E_APPLY] = "migration file", [E_DB_SQL] = NULL,
	};
	const struct { const char *what, *name; bool ident; } parts[] = {
		{ "schema", p->schema, true },
		{ "table", p->table, true },
		{ what[p->kind] ? what[p->kind] : "file", p->name, p->kind != E_PENDING && p->kind != E_APPLY },
	};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		const char *name = parts[i].name;
		if (!name)
			continue;
		size_t len = strlen(name), good = name_utf8_valid(name, len);
		/* types/<t>.sql: the suffix is not part of the type's name. */
		size_t idlen = p->kind == E_TYPE && i == 2 && len > 4 && !strcmp(name + len - 4, ".sql") ? len - 4 : len;
		int rc = 0;
		struct strbuf shown = STRBUF_INIT;
		name_display(&shown, name, len);
		if (db->names.utf8 && good < len)
			rc = -EINVAL, snprintf(err, errlen, "the %s name \"%s\" is not valid UTF-8 (byte %zu)",
					       parts[i].what, sb_str(&shown), good + 1);
		else if (parts[i].ident && idlen > (size_t)db->names.max_bytes)
			rc = -ENAMETOOLONG, snprintf(err, errlen, "the %s name \"%s\" is %zu bytes long: PostgreSQL "
						     "takes at most %d (max_identifier_length) and would cut it",
						     parts[i].what, sb_str(&shown), idlen, db->names.max_bytes);
		strbuf_free(&shown);
		if (rc)
			return rc;
	}
	return 0;
}

int ed_check_names(struct change *c, const struct epath *p)
{
	return ed_names_ok(c->db, p, c->err, sizeof c->err);
}

/* ---- one change: locks, backup, persistence, the reason ---- */


int ed_begin(struct change *c, struct database *db, const char *path)
{
	memset(c, 0, sizeof *c);
	c->db = db;
	c->path = path;
	if (db->cfg->read_only)
		return -EROFS;
	if (db->test_delay_ms > 0)	/* test hook (database.h): the change has arrived */
		log_info("%s: test: change of %s arrives", db->cfg->name, path);
	pthread_mutex_lock(&db->work_lock);
	pthread_mutex_lock(&db->model_lock);
	c->backup = cJSON_Duplicate(db->stage->doc, true);
	return 0;
}

int ed_fail(struct change *c, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
	return rc;
}

int ed_end(struct change *c, int rc)
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
			rc = ed_fail(c, -EIO, "cannot write %s: %s (nothing staged)", db->stage_file, strerror(-w));
	}
	if (rc) {
		cJSON_Delete(db->stage->doc);
		db->stage->doc = c->backup;
		c->backup = NULL;
		char when[32];
		ed_stamp(when, sizeof when);
		/* The path as the user typed it, but on one line and with
		 * bytes that are not UTF-8 shown as \xNN. */
		struct strbuf shown = STRBUF_INIT;
		name_display(&shown, c->path, strlen(c->path));
		snprintf(db->change_error, sizeof db->change_error, "%s: %s (%s, at %s)", sb_str(&shown),
			 c->err[0] ? c->err : strerror(-rc), strerror(-rc), when);
		strbuf_free(&shown);
		log_warn("%s: refused %s", db->cfg->name, db->change_error);
	}
	cJSON_Delete(c->backup);
	database_publish(db);
	pthread_mutex_unlock(&db->model_lock);
	pthread_mutex_unlock(&db->work_lock);
	database_settle(db);
	return rc;
}

/* ---- drafts and scratch files ---- */

struct extra_file *ed_extra_find(struct database *db, const char *path)
{
	for (struct extra_file *x = db->extras; x; x = x->next)
		if (!strcmp(x->path, path))
			return x;
	return NULL;
}

void ed_extra_put(struct database *db, const char *path, const char *data, size_t len)
{
	struct extra_file *x = ed_extra_find(db, path);
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

bool ed_extra_remove(struct database *db, const char *path)
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


int ed_find_table(struct change *c, const struct epath *p, struct target *t)
{
	struct database *db = c->db;
	t->want = catalog_table(db->desired, p->schema, p->table);
	if (!t->want)
		return ed_fail(c, -ENOENT, "no table %s.%s", p->schema, p->table);
	t->live = t->want->oid ? catalog_rel(db->cat, t->want->oid) : NULL;
	t->ref = (struct stage_ref){ t->want->oid, p->schema, t->want->oid ? NULL : t->want->name };
	t->pt = (struct probe_table){ t->live, t->want };
	return 0;
}

PGconn *ed_conn(struct change *c)
{
	char err[1024];
	/* Every query of a change's check, not only the probe's own. */
	pg_bound_set(PROBE_BOUND_MS);
	PGconn *conn = database_work_conn(c->db, err, sizeof err);
	if (!conn)
		ed_fail(c, -EIO, "the server cannot be reached to check the change: %s", err);
	return conn;
}

void ed_note_rows(struct change *c, PGconn *conn, const struct target *t)
{
	if (t->live)
		stage_table_rows(c->db->stage, &t->ref, probe_rows(conn, t->live));
}

char *ed_content_of(struct database *db, const char *path, size_t *len)
{
	const struct extra_file *x = ed_extra_find(db, path);
	const struct node *n = x ? NULL : tree_file(db->tree, tree_lookup(db->tree, path));
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

void ed_stamp(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
}

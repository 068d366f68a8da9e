/*
 * edit_struct.c: the table of object-file kinds for schemas, extensions
 * and index and constraint renames, and what their handlers share; see
 * edit_struct.h.
 */
#include "edit_struct.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "config.h"
#include "database.h"
#include "log.h"
#include "names.h"
#include "pg.h"
#include "plan_struct.h"
#include "probe.h"
#include "shadow.h"
#include "sqlparse.h"
#include "stage_struct.h"
#include "strbuf.h"
#include "tree.h"

static const struct objkind_struct KINDS[] = {
	{ "schemas", SS_DATABASE, NULL, es_schema_create, es_schema_remove, es_schema_rename },
	{ "extensions", SS_DATABASE, es_extension_write, NULL, es_extension_remove, NULL },
	/* A schema's own files (schema.sql, erd.md) and directories: what
	 * rm -r removes before the schema. */
	{ NULL, SS_SCHEMA, NULL, NULL, es_schema_part_remove, NULL },
	{ "types", SS_SCHEMA, es_type_write, NULL, es_type_remove, NULL },
	{ "indexes", SS_TABLE, NULL, NULL, NULL, es_object_rename },
	{ "constraints", SS_TABLE, NULL, NULL, NULL, es_object_rename },
};

#define MAXC 8

static size_t split(const char *path, const char *c[MAXC], size_t len[MAXC])
{
	size_t n = 0;
	for (const char *s = path; *s && n < MAXC;) {
		c[n] = s;
		len[n] = strcspn(s, "/");
		s += len[n] + (s[len[n]] == '/');
		n++;
	}
	return n;
}

static bool is(const char *c, size_t len, const char *lit)
{
	return lit && len == strlen(lit) && !memcmp(c, lit, len);
}

static char *unescaped(const char *s, size_t len)
{
	char *r = strndup(s, len);
	if (!r)
		abort();
	name_unescape(r);
	return r;
}

/* The kind PATH is a file (or directory) of, with P filled as ed_parse
 * would for the kind (ed_epath_free frees it); NULL when none. */
static const struct objkind_struct *kind_of(const char *path, struct epath *p)
{
	const char *c[MAXC];
	size_t len[MAXC], n = split(path, c, len);
	memset(p, 0, sizeof *p);
	for (size_t k = 0; n && k < sizeof KINDS / sizeof *KINDS; k++) {
		const struct objkind_struct *kd = &KINDS[k];
		bool hit = kd->scope == SS_DATABASE ? n == 2 && is(c[0], len[0], kd->dir) :
			   kd->scope == SS_SCHEMA ? is(c[0], len[0], "schemas") && (kd->dir ?
				n == 4 && is(c[2], len[2], kd->dir) :
				n == 3 || (n == 4 && is(c[2], len[2], "text_search"))) :
			   n == 6 && is(c[0], len[0], "schemas") && is(c[2], len[2], "tables") &&
				is(c[4], len[4], kd->dir);
		if (!hit)
			continue;
		if (kd->scope == SS_TABLE) {
			ed_parse(path, p);
			return kd;
		}
		p->file = c[n - 1];
		size_t fl = len[n - 1];
		p->scratch = p->file[0] == '.' || p->file[fl - 1] == '~';
		bool sql = fl > 4 && !memcmp(p->file + fl - 4, ".sql", 4);
		if (kd->scope == SS_SCHEMA) {
			p->schema = unescaped(c[1], len[1]);
			p->name = unescaped(p->file, fl);
			/* GNU sed -i's temp file: a draft until renamed over the type's. */
			p->draft_name = kd->dir && fl == 9 && !strncmp(p->file, "sed", 3);
			for (size_t i = 3; p->draft_name && i < fl; i++)
				p->draft_name = isalnum((unsigned char)p->file[i]);
		} else if (!strcmp(kd->dir, "schemas")) {
			p->schema = unescaped(c[1], len[1]);
			p->name = unescaped(c[1], len[1]);
		} else {
			p->draft_name = !sql;
			p->name = unescaped(c[1], sql ? len[1] - 4 : len[1]);
		}
		return kd;
	}
	return NULL;
}

bool edit_struct_early(const char *path, const char *data, size_t len)
{
	struct epath p;
	const struct objkind_struct *k = kind_of(path, &p);
	bool whole = k && k->write && k->scope == SS_DATABASE && !p.scratch && !p.draft_name;
	ed_epath_free(&p);
	while (len && (data[len - 1] == '\n' || data[len - 1] == ' ' || data[len - 1] == '\t' || data[len - 1] == '\r'))
		len--;
	return whole && len && data[len - 1] == ';';
}

bool edit_struct_writable(const char *path)
{
	struct epath p;
	const struct objkind_struct *k = kind_of(path, &p);
	ed_epath_free(&p);
	return k && k->write;
}

int edit_struct(struct change *c, enum struct_op op, const char *path, const char *to, const char *data,
		size_t len)
{
	struct epath p, q = { 0 };
	const struct objkind_struct *k = kind_of(path, &p);
	int rc = -ENOSYS;
	if (!k)
		goto out;
	switch (op) {
	case SO_WRITE:
		if (!k->write)
			break;
		if (p.scratch || p.draft_name) {
			ed_extra_put(c->db, path, data, len);	/* a temp file (sed -i), a backup */
			rc = 0;
			break;
		}
		if (!(rc = k->write(c, &p, data, len)) && !c->dry)
			ed_extra_remove(c->db, path);
		break;
	case SO_CREATE:
		if (k->create)
			rc = k->create(c, &p);
		break;
	case SO_REMOVE:
		if (k->remove)
			rc = k->remove(c, &p);
		break;
	case SO_RENAME:
		/* Only a rename to a new name of the same kind: a temp file saved
		 * over a definition, or a file moved over another, is edit.c's. */
		if (!k->rename || kind_of(to, &q) != k || ed_extra_find(c->db, path) || q.scratch || q.draft_name ||
		    (k->scope == SS_TABLE && tree_lookup(c->db->tree, to)))
			break;
		if (k->scope == SS_TABLE && (q.kind != p.kind || strcmp(p.schema, q.schema) || strcmp(p.table, q.table)))
			break;
		rc = k->rename(c, &p, &q);
		break;
	}
out:
	ed_epath_free(&p);
	ed_epath_free(&q);
	return rc;
}

/* ---- what the handlers share ---- */

/* A check's statement_timeout on the shadow: PROBE_STATEMENT_TIMEOUT's. */
#define CHECK_TIMEOUT_MS 15000

/* The tags (plan_struct.c's) of an edit's own staged entries, by the
 * kind of object it edits: they are not replayed before its check. */
static const char *const SELF_TAGS[][6] = {
	[ES_SCHEMA] = { "create_schema_%s", "rename_schema_%s", "drop_schema_%s" },
	[ES_EXTENSION] = { "create_extension_%s", "update_extension_%s", "extension_%s_set_schema",
			   "drop_extension_%s", "comment_extension_%s" },
	[ES_TYPE] = { "create_type_%s", "alter_type_%s", "alter_domain_%s", "drop_type_%s", "comment_type_%s" },
};

/* The staged statements of these kinds (plan_struct.h), by phase as the
 * apply runs them (renames, then creations and alterations, then drops),
 * each followed by its NUL; but the edit's own entries. */
struct replay {
	enum es_self kind;
	const char *name;
	struct strbuf phase[3];
};

static bool own_tag(const struct replay *r, const char *tag)
{
	char buf[256];
	for (size_t i = 0; r->kind != ES_NONE && i < 6 && SELF_TAGS[r->kind][i]; i++) {
		snprintf(buf, sizeof buf, SELF_TAGS[r->kind][i], r->name);
		if (!strcmp(buf, tag))
			return true;
	}
	return false;
}

static void replay_add(void *ctx, enum struct_phase ph, struct strbuf *sql, const char *tag,
		       const char *subject, struct strbuf *hazard)
{
	struct replay *r = ctx;
	(void)subject;
	int k = ph == SP_RENAME ? 0 : ph == SP_CREATE ? 1 : ph == SP_DROP ? 2 : -1;
	if (k >= 0 && !own_tag(r, tag))
		sb_addn(&r->phase[k], sql->buf, sql->len + 1);
	sb_reset(sql);
	if (hazard)
		sb_reset(hazard);
}

/* Runs the earlier staged edits of these kinds, each alone under a
 * savepoint: one that no longer runs is left out (the dry run reports
 * it), so that this edit is checked against the rest. */
static int replay_staged(struct change *c, PGconn *conn, enum es_self kind, const char *name)
{
	struct database *db = c->db;
	struct replay r = { kind, name, { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT } };
	char err[512];
	int rc = 0;
	plan_struct(db->cat, db->desired, db->stage, replay_add, &r);
	for (int k = 0; k < 3 && !rc; k++) {
		for (size_t at = 0; at < r.phase[k].len && !rc; at += strlen(r.phase[k].buf + at) + 1) {
			const char *sql = r.phase[k].buf + at;
			if (pg_command(conn, "SAVEPOINT schemafs_replay", err, sizeof err)) {
				rc = ed_fail(c, -EIO, "the server cannot be reached to check the change: %s", err);
				break;
			}
			if (!probe_run(conn, sql, false, err, sizeof err)) {
				pg_command(conn, "RELEASE SAVEPOINT schemafs_replay", err, sizeof err);
				continue;
			}
			log_info("%s: a staged edit does not run before this check, left out: %s: %s", db->cfg->name,
				 sql, err);
			if (pg_command(conn, "ROLLBACK TO SAVEPOINT schemafs_replay", err, sizeof err))
				rc = ed_fail(c, -EIO, "the server cannot be reached to check the change: %s", err);
		}
	}
	for (int k = 0; k < 3; k++)
		strbuf_free(&r.phase[k]);
	return rc;
}

struct frame {
	struct change *c;
	enum es_self kind;
	const char *name;
	es_check_fn fn;
	void *ctx;
};

/* Inside the transaction (the shadow's, or the work connection's): the
 * probe's settings, the staged edits, then the check. */
static int framed(PGconn *conn, void *ctx)
{
	struct frame *f = ctx;
	char err[512];
	if (probe_settings(conn, err, sizeof err))
		return ed_fail(f->c, -EIO, "the server cannot be reached to check the change: %s", err);
	int rc = replay_staged(f->c, conn, f->kind, f->name);
	return rc ? rc : f->fn(f->c, conn, f->ctx);
}

int es_check(struct change *c, enum es_self kind, const char *name, es_check_fn fn, void *ctx)
{
	struct frame f = { c, kind, name, fn, ctx };
	char *why = NULL;
	pg_bound_set(PROBE_BOUND_MS);
	int rc = shadow_run_txn(c->db->shadow, CHECK_TIMEOUT_MS, framed, &f, &why);
	if (rc == -ENOENT) {
		PGconn *conn = ed_conn(c);
		char err[512];
		if (!conn)
			rc = -EIO;
		else if (pg_command(conn, "BEGIN", err, sizeof err))
			rc = ed_fail(c, -EIO, "the server cannot be reached to check the change: %s", err);
		else
			rc = framed(conn, &f);	/* the probe's settings, as probe_begin's */
		if (conn && PQtransactionStatus(conn) != PQTRANS_IDLE)
			probe_rollback(conn);
	} else if (rc == -EIO && why && !c->err[0]) {
		ed_fail(c, -EIO, "%s", why);
	}
	free(why);
	return rc;
}

int es_replace_type(struct change *c, PGconn *conn, const char *alter, char typtype, const char *qual,
		    const char *tmpname, const char *schema, const char *name, const char *text, const char *what,
		    PGresult **found)
{
	struct strbuf sql = STRBUF_INIT;
	const char typ[2] = { typtype, '\0' };
	sb_addf(&sql, "ALTER %s %s RENAME TO %s", alter, qual, tmpname);
	int rc = es_run(c, conn, sb_str(&sql), 0, NULL, NULL) ||
		 es_run(c, conn, text, 0, NULL, NULL) ||
		 es_run(c, conn, "SELECT t.oid, (SELECT o.oid FROM pg_catalog.pg_type o WHERE o.typnamespace = "
			"n.oid AND o.typname = $4) FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON "
			"n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typname = $2 AND t.typtype = $3", 4,
			(const char *const[]){ schema, name, typ, tmpname }, found) ? -EINVAL : 0;
	strbuf_free(&sql);
	if (!rc && PQntuples(*found) != 1)
		rc = ed_fail(c, -EINVAL, "this file is %s.%s's: its statement must create that %s", schema, name,
			     what);
	return rc;
}

int es_run(struct change *c, PGconn *conn, const char *sql, int n, const char *const *params, PGresult **res)
{
	PGresult *r = pg_run(conn, false, sql, n, params, NULL, NULL);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		if (res)
			*res = r;
		else
			PQclear(r);
		return 0;
	}
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_HINT) : NULL;
	struct strbuf sb = STRBUF_INIT;
	sb_add(&sb, msg ? msg : pg_error(conn));
	if (detail)
		sb_addf(&sb, "; %s", detail);
	if (hint)
		sb_addf(&sb, "; hint: %s", hint);
	snprintf(c->err, sizeof c->err, "%s", sb_str(&sb));
	for (char *s = c->err; *s; s++)
		if (*s == '\n' || *s == '\t')
			*s = ' ';
	strbuf_free(&sb);
	PQclear(r);
	return -1;
}

char *es_ident(struct change *c, PGconn *conn, const char *name)
{
	char *q = PQescapeIdentifier(conn, name, strlen(name));
	if (!q) {
		ed_fail(c, -EINVAL, "cannot quote %s: %s", name, pg_error(conn));
		return NULL;
	}
	char *r = strdup(q);
	PQfreemem(q);
	if (!r)
		abort();
	return r;
}

/* ---- a type's file: its CREATE and its COMMENT ---- */

static const char *sval_of(const cJSON *node)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(node, "String");
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "sval"));
}

/* Does the COMMENT ON COLUMN's object (a List of names) name an
 * attribute of SCHEMA.NAME? Its name, or NULL. */
static const char *attr_named(const cJSON *object, const char *schema, const char *name)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(object, "List"),
							      "items");
	int n = cJSON_GetArraySize(items);
	if (n != 2 && n != 3)
		return NULL;
	const char *s = n == 3 ? sval_of(cJSON_GetArrayItem(items, 0)) : "public";
	const char *t = sval_of(cJSON_GetArrayItem(items, n - 2)), *a = sval_of(cJSON_GetArrayItem(items, n - 1));
	return s && t && a && !strcmp(s, schema) && !strcmp(t, name) ? a : NULL;
}

/* Does the COMMENT's object (a TypeName) name SCHEMA.NAME? */
static bool names_type(const cJSON *object, const char *schema, const char *name)
{
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(object, "TypeName"),
							      "names");
	int n = cJSON_GetArraySize(names);
	const char *last = n ? sval_of(cJSON_GetArrayItem(names, n - 1)) : NULL;
	const char *first = n == 2 ? sval_of(cJSON_GetArrayItem(names, 0)) : "public";
	return (n == 1 || n == 2) && last && first && !strcmp(last, name) && !strcmp(first, schema);
}

int es_split_type(struct change *c, const char *data, size_t len, const char *schema, const char *name,
		  struct es_text *out)
{
	memset(out, 0, sizeof *out);
	if (memchr(data, '\0', len))
		return ed_fail(c, -EINVAL, "a definition cannot hold a NUL byte");
	char err[512];
	cJSON *tree = sqlparse_tree(data, len, err, sizeof err);
	if (!tree)
		return ed_fail(c, -EINVAL, "%s", err);
	const cJSON *stmts = cJSON_GetObjectItemCaseSensitive(tree, "stmts"), *s;
	int i = 0, rc = 0;
	size_t first_len = len;
	cJSON_ArrayForEach(s, stmts) {
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(s, "stmt");
		const cJSON *cm = cJSON_GetObjectItemCaseSensitive(st, "CommentStmt");
		const char *objtype = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cm, "objtype"));
		if (i++ == 0) {
			double l = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(s, "stmt_len"));
			if (l > 0 && l < (double)len)
				first_len = (size_t)l;
			continue;
		}
		const cJSON *object = cJSON_GetObjectItemCaseSensitive(cm, "object");
		if (objtype && !strcmp(objtype, "OBJECT_COLUMN") && attr_named(object, schema, name))
			continue;	/* es_attr_comments */
		bool domain = objtype && !strcmp(objtype, "OBJECT_DOMAIN");
		if (out->has_comment || !objtype || (!domain && strcmp(objtype, "OBJECT_TYPE")) ||
		    !names_type(object, schema, name)) {
			rc = ed_fail(c, -EINVAL, "a type's file holds its CREATE and its COMMENT ON TYPE (or DOMAIN) "
				     "%s.%s: statement %d is something else", schema, name, i);
			break;
		}
		const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cm, "comment"));
		out->has_comment = true;
		out->domain = domain;
		out->comment = text ? strdup(text) : NULL;
		if (text && !out->comment)
			abort();
	}
	out->tree = tree;
	if (!rc && !(out->create = strndup(data, first_len)))
		abort();
	if (rc)
		es_text_free(out);
	return rc;
}

int es_attr_comments(struct change *c, const struct es_text *t, const struct cat_type *live)
{
	const cJSON *s;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(t->tree, "stmts")) {
		const cJSON *cm = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "stmt"),
								   "CommentStmt");
		const char *objtype = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cm, "objtype"));
		if (!objtype || strcmp(objtype, "OBJECT_COLUMN"))
			continue;
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cm, "object"), "List"), "items");
		const char *attr = sval_of(cJSON_GetArrayItem(items, cJSON_GetArraySize(items) - 1));
		const char *want = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cm, "comment"));
		const char *have = NULL;
		bool found = false;
		for (size_t i = 0; live && live->composite && attr && i < live->composite->ncols; i++)
			if (!strcmp(live->composite->cols[i].name, attr)) {
				have = live->composite->cols[i].comment;
				found = true;
			}
		if (!found || strcmp(want ? want : "", have ? have : ""))
			return ed_fail(c, -EPERM, "the comment of attribute %s is not changed here: write COMMENT ON "
				       "COLUMN in migrations/pending/ by hand (a line as the file reads keeps it)",
				       attr ? attr : "?");
	}
	return 0;
}

int es_read_type_file(struct change *c, const struct epath *p, const struct cat_type *t, const char *data,
		      size_t len, const struct cat_type *live, struct es_text *out)
{
	int rc = es_split_type(c, data, len, p->schema, t->name, out);
	if (!rc && (rc = es_attr_comments(c, out, live)))
		es_text_free(out);
	return rc;
}

void es_text_free(struct es_text *t)
{
	cJSON_Delete(t->tree);
	free(t->create);
	free(t->comment);
	memset(t, 0, sizeof *t);
}

int es_run_comment(struct change *c, PGconn *conn, const struct es_text *t, const char *qual)
{
	if (!t->has_comment)
		return 0;
	struct strbuf sql = STRBUF_INIT;
	int rc = 0;
	/* COMMENT takes no parameter: the literal is quoted by libpq. */
	char *lit = t->comment ? PQescapeLiteral(conn, t->comment, strlen(t->comment)) : NULL;
	if (t->comment && !lit)
		rc = ed_fail(c, -EINVAL, "cannot quote the comment: %s", pg_error(conn));
	sb_addf(&sql, "COMMENT ON %s %s IS %s", t->domain ? "DOMAIN" : "TYPE", qual, lit ? lit : "NULL");
	if (!rc && es_run(c, conn, sb_str(&sql), 0, NULL, NULL))
		rc = -EINVAL;
	if (lit)
		PQfreemem(lit);
	strbuf_free(&sql);
	return rc;
}

void es_stage_type_comment(struct change *c, unsigned oid, const char *schema, const char *name,
			   const struct es_text *t)
{
	const char *want = t->has_comment && t->comment ? t->comment : "";
	if (!oid) {
		stage_type_comment(c->db->stage, 0, schema, name, *want ? want : NULL);
		return;
	}
	const struct cat_type *live = catalog_type(c->db->cat, oid);
	const char *have = live && live->comment ? live->comment : "";
	stage_type_comment(c->db->stage, oid, NULL, NULL, strcmp(want, have) ? want : NULL);
}

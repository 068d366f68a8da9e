/*
 * edit_struct.c: the table of object-file kinds for schemas, extensions
 * and index and constraint renames, and what their handlers share; see
 * edit_struct.h.
 */
#include "edit_struct.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "database.h"
#include "names.h"
#include "pg.h"
#include "probe.h"
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

/* The probe's frame (probe.h): its timeouts, search_path and bound. */
int es_begin(PGconn *conn, char *err, size_t errlen)
{
	if (!probe_begin(conn, err, errlen))
		return 0;
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		probe_rollback(conn);
	return -1;
}

void es_rollback(PGconn *conn)
{
	probe_rollback(conn);
}

int es_replace_type(struct change *c, PGconn *conn, const char *alter, char typtype, const char *qual,
		    const char *tmpname, const char *schema, const char *name, const char *text, const char *what,
		    PGresult **found)
{
	struct strbuf sql = STRBUF_INIT;
	const char typ[2] = { typtype, '\0' };
	sb_addf(&sql, "ALTER %s %s RENAME TO %s", alter, qual, tmpname);
	int rc = es_schema_ready(c, conn, schema) || es_run(c, conn, sb_str(&sql), 0, NULL, NULL) ||
		 es_run(c, conn, text, 0, NULL, NULL) ||
		 es_run(c, conn, "SELECT t.oid FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON "
			"n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typname = $2 AND t.typtype = $3", 3,
			(const char *const[]){ schema, name, typ }, found) ? -EINVAL : 0;
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

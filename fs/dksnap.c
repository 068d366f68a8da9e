/* dksnap.c: drizzle-kit's snapshot for schemafs's migrations; see
 * include/dksnap.h. */
#include "dksnap.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "atomicfile.h"
#include "dksnap_internal.h"
#include "pg.h"
#include "strbuf.h"

#define USER_NS(n) n ".nspname !~ '^pg_' AND " n ".nspname <> 'information_schema'"

/* Every column of every table, sorted as strcmp() compares: the merge in
 * diff() walks both lists at once. "plain": a built-in scalar type, no
 * identity, not generated (what dksnap models). */
static const char COLUMNS_SQL[] =
	"SELECT n.nspname COLLATE \"C\", c.relname COLLATE \"C\", a.attname COLLATE \"C\","
	" pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,"
	" pg_catalog.pg_get_expr(d.adbin, d.adrelid),"
	" t.typnamespace = 'pg_catalog'::pg_catalog.regnamespace AND t.typcategory <> 'A'"
	" AND a.attidentity = '' AND a.attgenerated = ''"
	" FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
	" LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
	" WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND " USER_NS("n")
	" ORDER BY 1, 2, 3";

/* Everything but columns that a drizzle snapshot holds, or that a column
 * change drags along (an index or constraint on it, a view over it). */
static const char FINGERPRINT_SQL[] =
	"SELECT pg_catalog.md5(coalesce(pg_catalog.string_agg(x, E'\\n' ORDER BY x), '')) FROM ("
	" SELECT 'r ' || c.oid || ' ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text || c.relrowsecurity::text AS x"
	"  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " USER_NS("n")
	" UNION ALL SELECT 'k ' || co.oid || ' ' || co.conname || ' ' || pg_catalog.pg_get_constraintdef(co.oid)"
	"  FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_namespace n ON n.oid = co.connamespace"
	"  WHERE co.contype <> 'n' AND " USER_NS("n")
	" UNION ALL SELECT 'i ' || i.indexrelid || ' ' || pg_catalog.pg_get_indexdef(i.indexrelid)"
	"  FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
	"  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " USER_NS("n")
	" UNION ALL SELECT 'v ' || c.oid || ' ' || pg_catalog.pg_get_viewdef(c.oid)"
	"  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	"  WHERE c.relkind IN ('v', 'm') AND " USER_NS("n")
	" UNION ALL SELECT 'n ' || n.nspname FROM pg_catalog.pg_namespace n WHERE " USER_NS("n")
	" UNION ALL SELECT 't ' || t.oid || ' ' || t.typname || t.typtype::text FROM pg_catalog.pg_type t"
	"  JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype <> 'c' AND " USER_NS("n")
	" UNION ALL SELECT 'e ' || e.enumtypid || ' ' || e.enumlabel FROM pg_catalog.pg_enum e"
	" UNION ALL SELECT 'p ' || p.polrelid || ' ' || p.polname FROM pg_catalog.pg_policy p"
	") s";

struct dksnap {
	bool v1;
	char *dir;
	cJSON *prev;		/* the latest snapshot */
	cJSON *state;		/* 1.0: {"ddl": [...]}, the base snapshot's entities with
				 * every later snapshot's deltas applied; 0.x: prev */
	PGresult *cols;		/* COLUMNS_SQL before the file ran */
	char fp[64];		/* FINGERPRINT_SQL before */
	char *made;		/* the file dksnap_write wrote */
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in DIR of the snapshots, sorted: 0.x the files NNNN_snapshot.json
 * of DIR/meta, 1.0 the folders of DIR that hold snapshot.json. */
static size_t snapshots(const char *dir, bool v1, char ***out)
{
	struct strbuf p = STRBUF_INIT;
	sb_addf(&p, v1 ? "%s" : "%s/meta", dir);
	DIR *d = opendir(sb_str(&p));
	size_t n = 0;
	*out = NULL;
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		bool is;
		if (e->d_name[0] == '.')
			continue;
		if (v1) {
			struct strbuf f = STRBUF_INIT;
			sb_addf(&f, "%s/%s/snapshot.json", sb_str(&p), e->d_name);
			is = !access(sb_str(&f), R_OK);
			strbuf_free(&f);
		} else {
			is = len > 14 && !strcmp(e->d_name + len - 14, "_snapshot.json");
		}
		if (!is)
			continue;
		if (!(*out = realloc(*out, (n + 1) * sizeof **out)) || !((*out)[n++] = strdup(e->d_name)))
			abort();
	}
	if (d)
		closedir(d);
	strbuf_free(&p);
	if (n)
		qsort(*out, n, sizeof **out, by_name);
	return n;
}

static cJSON *read_json(const char *dir, bool v1, const char *name)
{
	struct strbuf p = STRBUF_INIT;
	sb_addf(&p, v1 ? "%s/%s/snapshot.json" : "%s/meta/%s", dir, name);
	size_t len;
	char *text = file_read_all(sb_str(&p), &len);
	strbuf_free(&p);
	if (text && v1)
		dksnap_unnul(text);
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	free(text);
	return j;
}
static int fingerprint(PGconn *conn, char *out, size_t outlen, char *err, size_t errlen)
{
	PGresult *res = pg_exec(conn, FINGERPRINT_SQL, 0, NULL, err, errlen);
	if (!res)
		return -EIO;
	snprintf(out, outlen, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

int dksnap_begin(PGconn *conn, const char *dir, bool v1, struct dksnap **out, char *err, size_t errlen)
{
	*out = NULL;
	char **names;
	size_t n = snapshots(dir, v1, &names);
	struct dksnap *s = calloc(1, sizeof *s);
	if (!s || !(s->dir = strdup(dir)))
		abort();
	s->v1 = v1;
	if (v1) {
		s->state = cJSON_CreateObject();
		cJSON_AddItemToObject(s->state, "ddl", cJSON_CreateArray());
	}
	/* 0.x: the last is drizzle-kit's previous; 1.0: each one builds on the others. */
	for (size_t i = v1 ? 0 : n ? n - 1 : 0; i < n; i++) {
		cJSON_Delete(s->prev);
		if ((s->prev = read_json(dir, v1, names[i])) && v1)
			dksnap_apply(s->state, s->prev);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	int rc = 0;
	if (!s->prev)
		goto out;	/* none: drizzle-kit generate is not used here */
	rc = -EIO;
	if (!(s->cols = pg_exec(conn, COLUMNS_SQL, 0, NULL, err, errlen)) ||
	    fingerprint(conn, s->fp, sizeof s->fp, err, errlen))
		goto out;
	*out = s;
	s = NULL;
	rc = 0;
out:
	dksnap_free(s);
	return rc;
}

static struct col col_at(PGresult *r, int i)
{
	return (struct col){ PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
			     PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5), PQgetvalue(r, i, 4)[0] == 't',
			     PQgetvalue(r, i, 6)[0] == 't' };
}

static int col_cmp(const struct col *a, const struct col *b)
{
	int c = strcmp(a->nsp, b->nsp);
	if (!c)
		c = strcmp(a->rel, b->rel);
	return c ? c : strcmp(a->name, b->name);
}

/* Writes the columns' change from BEFORE to AFTER, on the tables drizzle-kit
 * knows (in DOC), into OUT. 0, or 1 with WHY for one it cannot model. */
static int diff(const struct format *f, bool v1, cJSON *doc, cJSON *out, PGresult *before, PGresult *after,
		char *why, size_t whylen)
{
	int nb = PQntuples(before), na = PQntuples(after), i = 0, k = 0;
	while (i < nb || k < na) {
		struct col b = i < nb ? col_at(before, i) : (struct col){ 0 };
		struct col a = k < na ? col_at(after, k) : (struct col){ 0 };
		int c = i >= nb ? 1 : k >= na ? -1 : col_cmp(&b, &a);
		const struct col *which = c < 0 ? &b : &a;
		bool changed = c || strcmp(b.type, a.type) || b.notnull != a.notnull || !dksnap_same(b.def, a.def);
		i += c <= 0;
		k += c >= 0;
		if (!changed || !f->find(doc, which, true))
			continue;	/* not a table drizzle-kit knows */
		if (c >= 0 && !a.plain) {
			snprintf(why, whylen, "column %s.%s.%s has a type, identity or generation schemafs does "
				 "not write into drizzle-kit's snapshot", a.nsp, a.rel, a.name);
			return 1;
		}
		if (c < 0 || c > 0) {
			if (c > 0)
				f->add(doc, out, &a);
			else if (f->find(doc, &b, false))
				f->drop(doc, out, &b);
			continue;
		}
		if (!f->find(doc, &a, false))
			continue;	/* a column schema.ts does not have */
		/* Only what changed: the rest stays as schema.ts wrote it. */
		cJSON *changes = cJSON_CreateObject();
		char type[256];
		dksnap_type(a.type, v1, type, sizeof type);
		if (strcmp(b.type, a.type))
			cJSON_AddItemToObject(changes, "type", cJSON_CreateString(type));
		if (b.notnull != a.notnull)
			cJSON_AddItemToObject(changes, "notNull", cJSON_CreateBool(a.notnull));
		if (!dksnap_same(b.def, a.def))
			cJSON_AddItemToObject(changes, "default", a.def ? dksnap_default(a.def, v1) : cJSON_CreateNull());
		f->alter(doc, out, &a, changes);
		cJSON_Delete(changes);
	}
	return 0;
}

static void new_uuid(char *out, size_t outlen)
{
	unsigned char b[16];
	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
		abort();
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, outlen, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

int dksnap_write(PGconn *conn, struct dksnap *s, const char *tag, char *why, size_t whylen)
{
	char fp[64], id[40];
	cJSON *out = NULL;
	char *text = NULL;
	struct strbuf path = STRBUF_INIT;
	PGresult *after = NULL;
	int rc = -EIO;
	if (fingerprint(conn, fp, sizeof fp, why, whylen) ||
	    !(after = pg_exec(conn, COLUMNS_SQL, 0, NULL, why, whylen)))
		goto out;
	rc = 1;
	if (strcmp(fp, s->fp)) {
		snprintf(why, whylen, "it changes more than columns (a table, index, constraint, sequence, type, view "
			 "or policy), which schemafs does not write into drizzle-kit's snapshot");
		goto out;
	}
	const struct format *f = &dksnap_formats[s->v1];
	new_uuid(id, sizeof id);
	out = f->start(s->prev, id);
	if ((rc = diff(f, s->v1, s->v1 ? s->state : out, out, s->cols, after, why, whylen)))
		goto out;
	if (s->v1)
		sb_addf(&path, "%s/%s/snapshot.json", s->dir, tag);
	else
		sb_addf(&path, "%s/meta/%.*s_snapshot.json", s->dir, (int)strspn(tag, "0123456789"), tag);
	if (!(text = cJSON_Print(out)))
		abort();
	if ((rc = atomic_write(sb_str(&path), text, strlen(text)))) {
		snprintf(why, whylen, "cannot write %s: %s", sb_str(&path), strerror(-rc));
		goto out;
	}
	s->made = strbuf_detach(&path, NULL);
out:
	free(text);
	cJSON_Delete(out);
	PQclear(after);
	strbuf_free(&path);
	return rc;
}

void dksnap_undo(struct dksnap *s)
{
	if (s && s->made)
		unlink(s->made);
}

void dksnap_free(struct dksnap *s)
{
	if (!s)
		return;
	free(s->dir);
	cJSON_Delete(s->prev);
	cJSON_Delete(s->state);
	PQclear(s->cols);
	free(s->made);
	free(s);
}

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
#include "edit_internal.h"
#include "edit_struct.h"
#include "history.h"
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

/* ---- dispatch ---- */

/* pending/NAME is drizzle-kit's file in migrations_dir, not applied yet:
 * not schemafs's to change or remove. model_lock held. */
static bool is_folder_entry(struct database *db, const char *name)
{
	return !stage_file_get(db->stage, name, &(size_t){ 0 }) &&
	       history_unapplied_named(db->folder, db->cat->migrations, db->cat->nmigrations, name);
}

#define FOLDER_ENTRY_WHY "this is drizzle-kit's migration in migrations_dir, not applied yet: schemafs does not " \
	"change or delete your files; edit or remove it (and its meta/_journal.json entry) there, or mv it " \
	"to apply/ to apply it"

/* Anything but blanks? */
static bool has_text(const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)data[i]))
			return true;
	return false;
}

static int write_locked(struct change *c, const struct epath *p, const char *data, size_t len)
{
	struct database *db = c->db;
	int rc = ed_check_names(c, p);
	if (rc)
		return rc;
	size_t n;
	if (p->scratch || ed_extra_find(db, c->path) != NULL) {
		if (p->scratch || p->draft_name) {
			ed_extra_put(db, c->path, data, len);
			return 0;
		}
	}
	switch (p->kind) {
	case E_COLUMN:
		if (len > EDIT_MAX_COLUMN)
			return ed_fail(c, -EINVAL, "longer than %d bytes: not a column definition", EDIT_MAX_COLUMN);
		return ed_write_column(c, p, data, len);
	case E_INDEX:
	case E_CONSTRAINT:
		if (p->draft_name) {
			ed_extra_put(db, c->path, data, len);
			return 0;
		}
		return ed_write_definition(c, p, data, len);
	case E_COMMENT:
		return ed_write_comment(c, p, data, len);
	case E_TYPE:
		if ((rc = edit_struct(c, SO_WRITE, c->path, NULL, data, len)) != -ENOSYS)
			return rc;	/* a new type */
		if (!ed_desired_enum(db, p) && ed_extra_find(db, c->path)) {
			ed_extra_put(db, c->path, data, len);	/* sed's temp file */
			return 0;
		}
		return ed_write_enum(c, p, data, len);
	case E_PENDING:
		if (p->draft_name) {
			ed_extra_put(db, c->path, data, len);
			return 0;
		}
		if (is_folder_entry(db, p->name))
			return ed_fail(c, -EPERM, FOLDER_ENTRY_WHY);
		if (!stage_file_get(db->stage, p->name, &(size_t){ 0 }) && tree_lookup(db->tree, c->path))
			return ed_fail(c, -EPERM, "this migration is generated from the staged changes: change the "
				    "tree, or copy it to a new name to edit it by hand");
		if (memchr(data, '\0', len))
			return ed_fail(c, -EINVAL, "a migration file cannot hold a NUL byte");
		if (db->names.utf8 && (n = name_utf8_valid(data, len)) < len)
			return ed_fail(c, -EINVAL, "a migration file is text in UTF-8: byte %zu is not (0x%02X)",
				       n + 1, (unsigned char)data[n]);
		stage_file_put(db->stage, p->name, data, len);
		return 0;
	case E_APPLY:
		ed_extra_put(db, c->path, data, len);	/* a scratch or temp name: kept, not run */
		return 0;
	case E_TABLE_SQL:
	case E_SCHEMA_SQL:
	case E_DB_SQL:
		return ed_write_declarative(c, p, data, len);
	case E_OTHER:
		if (p->draft_name) {	/* an editor's temp file beside a declarative file */
			ed_extra_put(db, c->path, data, len);
			return 0;
		}
		if ((rc = edit_struct(c, SO_WRITE, c->path, NULL, data, len)) != -ENOSYS)
			return rc;	/* extensions/<e>.sql */
		return ed_fail(c, -EPERM, "this file is generated from the schema and cannot be written");
	case E_OBJECT:
		/* A draft (touch, a temp file) until it holds a definition. */
		if (p->draft_name || (!p->obj->write && ed_extra_find(db, c->path)) ||
		    (ed_extra_find(db, c->path) && !has_text(data, len))) {
			ed_extra_put(db, c->path, data, len);
			return 0;
		}
		if (!p->obj->write)
			return ed_fail(c, -EPERM, "%s can be dropped here, not written", p->obj->dir);
		return p->obj->write(c, p, data, len);
	default:
		if ((rc = edit_struct(c, SO_WRITE, c->path, NULL, data, len)) != -ENOSYS)
			return rc;
		return ed_fail(c, -EPERM, "this file is generated from the schema and cannot be written");
	}
}

int edit_write(struct database *db, const char *path, const char *data, size_t len)
{
	struct change c;
	struct epath p;
	ed_parse(path, &p);
	if (p.kind == E_APPLY && !p.scratch && !p.draft_name && !db->cfg->read_only) {
		/* cp any.sql apply/: runs when it is closed. */
		pthread_mutex_lock(&db->work_lock);
		pthread_mutex_lock(&db->model_lock);
		ed_extra_remove(db, path);
		pthread_mutex_unlock(&db->model_lock);
		int rc = ed_apply_now(db, p.name, data, len, NULL, true);
		pthread_mutex_unlock(&db->work_lock);
		database_settle(db);
		ed_epath_free(&p);
		return rc;
	}
	int rc = ed_begin(&c, db, path);
	if (rc) {
		ed_epath_free(&p);
		return rc;
	}
	if (len > EDIT_MAX_FILE)
		rc = ed_fail(&c, -EFBIG, "larger than %d bytes", EDIT_MAX_FILE);
	else
		rc = write_locked(&c, &p, data, len);
	ed_epath_free(&p);
	return ed_end(&c, rc);
}

int edit_refuse(struct database *db, const char *path, int rc, const char *reason)
{
	struct change c;
	int r = ed_begin(&c, db, path);
	if (r)
		return r;
	return ed_end(&c, ed_fail(&c, rc, "%s", reason));
}

int edit_early_check(struct database *db, const char *path, const char *data, size_t len)
{
	struct epath p;
	ed_parse(path, &p);
	int rc = 0;
	struct change c;
	if (p.kind == E_COLUMN && !p.scratch) {
		if (!(rc = ed_begin(&c, db, path))) {
			c.dry = true;
			if (!(rc = ed_check_names(&c, &p)))
				rc = len > EDIT_MAX_COLUMN ? ed_fail(&c, -EINVAL, "longer than %d bytes: not a column "
					"definition", EDIT_MAX_COLUMN) : ed_write_column(&c, &p, data, len);
			rc = ed_end(&c, rc);
		}
	} else if (edit_struct_early(path, data, len)) {
		if (!(rc = ed_begin(&c, db, path))) {
			c.dry = true;
			rc = ed_end(&c, edit_struct(&c, SO_WRITE, path, NULL, data, len));
		}
	} else if (p.kind == E_TYPE && !p.scratch && !p.draft_name) {
		/* The lines written so far, as the start of the file. A temp
		 * file of sed is not an enum yet. */
		if (!(rc = ed_begin(&c, db, path))) {
			c.dry = true;
			c.prefix = true;
			rc = ed_end(&c, ed_desired_enum(db, &p) && !ed_extra_find(db, path) ?
					ed_write_enum(&c, &p, data, len) : 0);
		}
	}
	ed_epath_free(&p);
	return rc;
}

/* Can a file be created or written at P at all? */
static bool writable_place(const struct epath *p)
{
	switch (p->kind) {
	case E_COLUMN: case E_INDEX: case E_CONSTRAINT: case E_COMMENT: case E_TYPE: case E_PENDING:
		return true;
	case E_OBJECT:
		return p->scratch || p->obj->write;
	case E_APPLY:
	case E_TABLE_SQL: case E_SCHEMA_SQL: case E_DB_SQL:
		return true;
	case E_OTHER:
		return (p->scratch && (p->in_table || !p->schema)) || p->draft_name;
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
	ed_parse(path, &p);
	bool ok = writable_place(&p) || (p.scratch && p.schema && !p.table) || edit_struct_writable(path);
	const char *why = "this file is generated from the schema and cannot be written";
	/* The generated migration is refused at open already. */
	if (ok && p.kind == E_PENDING && !p.scratch && !p.draft_name && is_folder_entry(db, p.name)) {
		ok = false;
		why = FOLDER_ENTRY_WHY;
	} else if (ok && p.kind == E_PENDING && !p.scratch && !p.draft_name) {
		ok = stage_file_get(db->stage, p.name, &(size_t){ 0 }) || !tree_lookup(db->tree, path);
		why = "this migration is generated from the staged changes: change the tree, or copy it to a "
		      "new name to edit it by hand";
	} else if (p.kind == E_OBJECT && !ok) {
		why = p.obj->remove ? "these files can be removed here, not written" :
				      "these files cannot be written here yet";
	}
	ed_epath_free(&p);
	if (ok)
		return 0;
	/* Refused at open(): in status like every refusal. */
	char when[32];
	ed_stamp(when, sizeof when);
	snprintf(db->change_error, sizeof db->change_error, "%s: %s (%s, at %s)", path, why, strerror(EPERM), when);
	log_warn("%s: refused %s", db->cfg->name, db->change_error);
	database_publish(db);
	return -EPERM;
}

int edit_check(struct database *db, const char *path)
{
	pthread_mutex_lock(&db->model_lock);
	int rc = check_locked(db, path);
	pthread_mutex_unlock(&db->model_lock);
	if (rc)
		database_settle(db);	/* status shows the refusal */
	return rc;
}

/* Runs FN on PATH as one change (locks, backup, persistence, reason). */
static int with_change(struct database *db, const char *path,
		       int (*fn)(struct change *c, const struct epath *p))
{
	struct change c;
	int rc = ed_begin(&c, db, path);
	if (rc)
		return rc;
	struct epath p;
	ed_parse(path, &p);
	rc = fn(&c, &p);
	ed_epath_free(&p);
	return ed_end(&c, rc);
}

static int create_locked(struct change *c, const struct epath *p)
{
	struct database *db = c->db;
	if (check_locked(db, c->path))
		return ed_fail(c, -EPERM, "files cannot be created here");
	int rc = ed_check_names(c, p);
	if (rc)
		return rc;
	if (p->kind == E_PENDING && !p->scratch && !p->draft_name)
		stage_file_put(db->stage, p->name, "", 0);
	else if (p->kind == E_OBJECT && !p->scratch && !p->draft_name && p->obj->create)
		return p->obj->create(c, p);
	else
		ed_extra_put(db, c->path, "", 0);
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
	if (ed_extra_remove(db, c->path))
		return 0;
	struct target t;
	int rc;
	switch (p->kind) {
	case E_COLUMN: {
		if ((rc = ed_find_table(c, p, &t)))
			return rc;
		const struct cat_column *col = catalog_column(t.want, 0, p->name);
		if (!col)
			return ed_fail(c, -ENOENT, "no column %s", p->name);
		stage_column_drop(db->stage, &t.ref, col->attnum, col->name);
		if ((rc = ed_deps_drop_column(c, &t.ref, col->attnum)))
			return rc;
		PGconn *conn = t.live ? ed_conn(c) : NULL;
		if (conn)
			ed_note_rows(c, conn, &t);
		return 0;
	}
	case E_INDEX: case E_CONSTRAINT: {
		static const char *const kinds[] = { [E_INDEX] = "indexes", [E_CONSTRAINT] = "constraints" };
		if ((rc = ed_find_table(c, p, &t)))
			return rc;
		if (!tree_lookup(db->tree, c->path))
			return ed_fail(c, -ENOENT, "no such file");
		bool live = false;
		if (t.live) {
			/* Live when the live snapshot's tree would show it. */
			for (size_t i = 0; p->kind == E_INDEX && i < t.live->nindexes; i++)
				live |= !strcmp(t.live->indexes[i].name, p->name);
			for (size_t i = 0; p->kind == E_CONSTRAINT && i < t.live->ncons; i++)
				live |= !strcmp(t.live->cons[i].name, p->name);
		}
		stage_object_drop(db->stage, &t.ref, kinds[p->kind], p->name, live);
		return 0;
	}
	case E_OBJECT:
		if (!p->obj->remove)
			return ed_fail(c, -EPERM, "this file cannot be removed here yet");
		return p->obj->remove(c, p);
	case E_COMMENT:
		if ((rc = ed_find_table(c, p, &t)))
			return rc;
		stage_table_comment(db->stage, &t.ref, "");
		return 0;
	case E_TABLE_SQL:
		return 0;	/* regenerated; lets rm -r of a table through */
	case E_PENDING:
		if (stage_file_remove(db->stage, p->name))
			return 0;
		if (!tree_lookup(db->tree, c->path))
			return ed_fail(c, -ENOENT, "no such file");
		if (is_folder_entry(db, p->name))
			return ed_fail(c, -EPERM, FOLDER_ENTRY_WHY);
		stage_discard(db->stage);	/* the generated migration */
		return 0;
	default:
		if ((rc = edit_struct(c, SO_REMOVE, c->path, NULL, NULL, 0)) != -ENOSYS)
			return rc;
		return ed_fail(c, -EPERM, "this file cannot be removed");
	}
}

int edit_unlink(struct database *db, const char *path)
{
	return with_change(db, path, unlink_locked);
}

static int mkdir_locked(struct change *c, const struct epath *p)
{
	struct database *db = c->db;
	int rc = edit_struct(c, SO_CREATE, c->path, NULL, NULL, 0);
	if (rc != -ENOSYS)
		return rc;
	if (p->kind != E_TABLE || p->scratch)
		return ed_fail(c, -EPERM, "only tables can be created as directories (schemas/<s>/tables/<t>)");
	rc = ed_check_names(c, p);
	if (rc)
		return rc;
	if (!catalog_schema(db->desired, p->schema))
		return ed_fail(c, -ENOENT, "no schema %s", p->schema);
	if (catalog_table(db->desired, p->schema, p->table))
		return -EEXIST;
	PGconn *conn = ed_conn(c);
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

/* Files in the subdirectories of N (columns/, indexes/, ...), or in N when
 * it has no subdirectories: what rm -r removes before rmdir. A table's
 * comment and table.sql are always there and do not count. */
static size_t files_in(const struct tree *t, const struct node *n)
{
	n = tree_dir(t, n);
	if (!n->nsubdirs)
		return n->nkids;
	size_t k = 0;
	for (size_t i = 0; i < n->nkids; i++)
		if (n->kids[i]->is_dir)
			k += files_in(t, n->kids[i]);
	return k;
}

static int rmdir_locked(struct change *c, const struct epath *p)
{
	struct target t;
	int rc = edit_struct(c, SO_REMOVE, c->path, NULL, NULL, 0);
	if (rc != -ENOSYS)
		return rc;
	const struct node *n = tree_lookup(c->db->tree, c->path);
	if ((p->kind == E_TABLE_SUBDIR || p->kind == E_TABLE) && n && n->is_dir && files_in(c->db->tree, n))
		return ed_fail(c, -ENOTEMPTY, "%s is not empty: remove its files first (rm -r removes a table)",
			       p->kind == E_TABLE ? p->table : "the directory");
	if (p->kind == E_TABLE_SUBDIR)
		return 0;	/* always there (DESIGN.md): the table's rmdir decides */
	if (p->kind != E_TABLE)
		return ed_fail(c, -EPERM, "only a table's directory can be removed");
	if ((rc = ed_find_table(c, p, &t)))
		return rc;
	PGconn *conn = t.live ? ed_conn(c) : NULL;
	if (conn)
		ed_note_rows(c, conn, &t);
	stage_table_drop(c->db->stage, &t.ref);
	return ed_deps_drop_table(c, &t.ref);
}

int edit_rmdir(struct database *db, const char *path)
{
	return with_change(db, path, rmdir_locked);
}

/* ---- renames ---- */

static bool same_dir(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
	return sa && sb && sa - a == sb - b && !memcmp(a, b, (size_t)(sa - a));
}

/* A rename into another directory. EXDEV would make mv copy the file and
 * remove the original, which stages a drop (of a column with its data, a
 * table, an index) and a create: refused (EPERM) with the reason, but for
 * drafts and scratch files, which nothing stages, so mv may copy them. */
static int moved_away(struct change *c, const struct epath *from, const struct epath *to, const char *fpath)
{
	if (ed_extra_find(c->db, fpath))
		return ed_fail(c, -EXDEV, "a draft moves to another directory by copy");
	if (from->kind == E_COLUMN)
		return ed_fail(c, -EPERM, "a column cannot be moved to another table: the move would drop %s.%s "
			       "with its data and add an empty column there (rename it within its columns/, or "
			       "write the migration in migrations/pending/ by hand)", from->table, from->name);
	if (from->kind == E_TABLE && to->kind == E_TABLE)
		return ed_fail(c, -EPERM, "a table cannot be moved to another schema here: ALTER TABLE ... SET "
			       "SCHEMA is not staged (write it in migrations/pending/ by hand); the move would "
			       "drop %s.%s with its data and create it empty", from->schema, from->table);
	return ed_fail(c, -EPERM, "files move only within their directory here: the move would remove "
		       "what this file defines and create it again elsewhere");
}

static int rename_locked(struct change *c, const struct epath *from, const struct epath *to,
			 const char *fpath, const char *tpath)
{
	struct database *db = c->db;
	size_t len;
	int rc = ed_check_names(c, to);
	if (rc)
		return rc;
	if (from->kind == E_TABLE && to->kind == E_TABLE && !strcmp(from->schema, to->schema)) {
		struct target t;
		if ((rc = ed_find_table(c, from, &t)))
			return rc;
		if (catalog_table(db->desired, to->schema, to->table))
			return ed_fail(c, -EEXIST, "table %s exists: remove it first", to->table);
		PGconn *conn = ed_conn(c);
		char *q = conn ? probe_quote_ident(conn, to->table, c->err, sizeof c->err) : NULL;
		if (!q)
			return -EIO;
		stage_table_rename(db->stage, &t.ref, to->table, q);
		free(q);
		ed_deps_renamed(c);
		return 0;
	}
	/* mv of an object file (not an editor's temp file saved over one):
	 * its kind's rename, which also says where it may move. */
	if (from->kind == E_OBJECT && to->kind == E_OBJECT && from->obj == to->obj && from->obj->rename &&
	    !from->scratch && !from->draft_name && !to->scratch && !to->draft_name && !ed_extra_find(db, fpath)) {
		if (tree_lookup(db->tree, tpath) && !ed_extra_find(db, tpath))
			return ed_fail(c, -EEXIST, "%s exists: remove it first", to->file);
		if (!(rc = from->obj->rename(c, from, to)))
			ed_extra_remove(db, tpath);	/* a draft of that name: replaced, as rename(2) does */
		return rc;
	}
	if (!same_dir(fpath, tpath))
		return moved_away(c, from, to, fpath);
	if ((rc = edit_struct(c, SO_RENAME, fpath, tpath, NULL, 0)) != -ENOSYS)
		return rc;
	char *data = ed_content_of(db, fpath, &len);
	if (!data)
		return ed_fail(c, -ENOENT, "no such file");
	struct change inner = *c;
	inner.path = tpath;	/* what the write is about */
	/* A scratch or draft file saved over a definition (sed -i, editors):
	 * the target keeps its identity and takes the content. */
	if (ed_extra_find(db, fpath) || to->scratch) {
		/* A definition renamed to a scratch name (vim's backup with
		 * backupcopy=no): the scratch file keeps the text, and the
		 * definition is removed as rm would, which a write of the same
		 * name then turns back into an edit of it. */
		struct change gone = *c;
		gone.path = fpath;
		/* Only where rm stages a removal: the generated migration (rm
		 * discards everything), types and schema files keep the old
		 * copy semantics. */
		bool removable = from->kind == E_COLUMN || from->kind == E_INDEX || from->kind == E_CONSTRAINT ||
				 from->kind == E_COMMENT || (from->kind == E_OBJECT && from->obj->remove);
		if (to->scratch && removable && !ed_extra_find(db, fpath) && (rc = unlink_locked(&gone, from))) {
			memcpy(c->err, gone.err, sizeof c->err);
			goto out;
		}
		if (to->scratch)
			ed_extra_put(db, tpath, data, len);
		else if ((rc = write_locked(&inner, to, data, len)))
			goto failed;
		ed_extra_remove(db, fpath);
		free(data);
		return 0;
	}
	if (from->kind == E_COLUMN && to->kind == E_COLUMN) {
		struct target t;
		if ((rc = ed_find_table(c, from, &t)))
			goto out;
		const struct cat_column *src = catalog_column(t.want, 0, from->name);
		const struct cat_column *dst = catalog_column(t.want, 0, to->name);
		if (!src) {
			/* The tree and the catalog are published together
			 * (database.h), so this is not expected; never trusted. */
			rc = ed_fail(c, -ENOENT, "no column %s", from->name);
			goto out;
		}
		if (!src->attnum && dst) {
			/* A new column saved over an existing one: an edit of it. */
			if (!(rc = write_locked(&inner, to, data, len)))
				stage_column_drop(db->stage, &t.ref, 0, from->name);
			goto failed;
		}
		if (dst) {
			stage_column_drop(db->stage, &t.ref, dst->attnum, dst->name);
			if ((rc = ed_deps_drop_column(c, &t.ref, dst->attnum)))
				goto out;
		}
		PGconn *conn = ed_conn(c);
		char *q = conn ? probe_quote_ident(conn, to->name, c->err, sizeof c->err) : NULL;
		if (!q) {
			rc = -EIO;
			goto out;
		}
		stage_column_set(db->stage, &t.ref, src->attnum, src->name, to->name, q, NULL);
		free(q);
		ed_deps_renamed(c);
		ed_extra_remove(db, tpath);	/* a draft of that name: replaced, as rename(2) does */
		if (t.live && src->attnum)
			ed_note_rows(c, conn, &t);
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
	rc = ed_fail(c, -EPERM, "this rename has no schema change to match (rename an index or constraint by "
		  "writing the new file and removing the old one)");
	goto out;
failed:
	if (rc) {
		/* Refused as the target: name it, not the temp file (sed's,
		 * an editor's) that was saved over it. */
		memcpy(c->err, inner.err, sizeof c->err);
		c->path = tpath;
	}
out:
	free(data);
	return rc;
}

int edit_rename(struct database *db, const char *from, const char *to)
{
	struct change c;
	struct epath pf, pt;
	ed_parse(from, &pf);
	ed_parse(to, &pt);
	if ((pf.kind == E_PENDING || pf.kind == E_APPLY) && pt.kind == E_APPLY && !pt.scratch && !pt.draft_name) {
		char why[512];
		int rc = db->cfg->read_only ? -EROFS : ed_names_ok(db, &pt, why, sizeof why);
		if (rc && rc != -EROFS)
			rc = edit_refuse(db, to, rc, why);
		else if (!rc)
			rc = ed_apply_renamed(db, from, &pf, &pt);
		ed_epath_free(&pf);
		ed_epath_free(&pt);
		return rc;
	}
	int rc = ed_begin(&c, db, from);
	if (rc) {
		ed_epath_free(&pf);
		ed_epath_free(&pt);
		return rc;
	}
	rc = rename_locked(&c, &pf, &pt, from, to);
	ed_epath_free(&pf);
	ed_epath_free(&pt);
	return ed_end(&c, rc);
}

/* sqlparse.c: statements and their subjects, by PostgreSQL's parser; see
 * include/sqlparse.h. */
#include "sqlparse.h"

#include <cjson/cJSON.h>
#include <pg_query.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "strbuf.h"

static pthread_mutex_t parser_lock = PTHREAD_MUTEX_INITIALIZER;

void sqlparse_lock(void)
{
	pthread_mutex_lock(&parser_lock);
}

void sqlparse_unlock(void)
{
	pthread_mutex_unlock(&parser_lock);
}

int sqlparse_split(const char *sql, size_t len, struct sql_stmt **out)
{
	*out = NULL;
	char *text = strndup(sql, len);
	if (!text)
		abort();
	sqlparse_lock();
	PgQuerySplitResult s = pg_query_split_with_parser(text);
	int n = -1;
	if (!s.error) {
		struct sql_stmt *v = calloc((size_t)s.n_stmts + 1, sizeof *v);
		if (!v)
			abort();
		n = 0;
		for (int i = 0; i < s.n_stmts && n >= 0; i++) {
			const PgQuerySplitStmt *st = s.stmts[i];
			size_t at = (size_t)st->stmt_location;
			/* 0: up to the end, as in PostgreSQL's raw statements. */
			size_t l = st->stmt_len ? (size_t)st->stmt_len : len - at;
			if (st->stmt_location < 0 || st->stmt_len < 0 || at > len || at + l > len)
				n = -1;
			else
				v[n++] = (struct sql_stmt){ at, l };
		}
		if (n >= 0)
			*out = v;
		else
			free(v);
	}
	pg_query_free_split_result(s);
	sqlparse_unlock();
	free(text);
	return n;
}

/* ---- subjects ---- */

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

const char *sqlparse_name_from_end(const cJSON *list, int i)
{
	int n = cJSON_GetArraySize(list);
	const cJSON *s = n > i ? cJSON_GetArrayItem(list, n - 1 - i) : NULL;
	const cJSON *string = cJSON_GetObjectItemCaseSensitive(s, "String");
	/* "sval" since libpg_query 15, "str" before. */
	return str(string, "sval") ? str(string, "sval") : str(string, "str");
}

static void add_table(struct strbuf *path, const char *schema, const char *table)
{
	sb_add(path, "schemas/");
	name_escape(path, schema ? schema : "public", "/tables/");
	name_escape(path, table, "");
}

static void add_rel(struct strbuf *path, const cJSON *rel)
{
	add_table(path, str(rel, "schemaname"), str(rel, "relname"));
}

/* ALTER TABLE subcommands that name a column (in "name"). */
static const char *const COLUMN_CMDS[] = {
	"AT_ColumnDefault", "AT_DropNotNull", "AT_SetNotNull", "AT_AlterColumnType", "AT_DropColumn",
	"AT_AddIdentity", "AT_SetIdentity", "AT_DropIdentity", "AT_DropExpression", "AT_CookedColumnDefault",
	"AT_SetStatistics", "AT_SetStorage", "AT_SetCompression", "AT_AlterColumnGenericOptions",
};

static int alter_table(const cJSON *st, struct strbuf *path)
{
	const cJSON *rel = cJSON_GetObjectItemCaseSensitive(st, "relation");
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(st, "cmds"), 0), "AlterTableCmd");
	const char *sub = str(cmd, "subtype"), *name = str(cmd, "name");
	const cJSON *def = cJSON_GetObjectItemCaseSensitive(cmd, "def");
	if (!rel || !str(rel, "relname") || strcmp(str(st, "objtype") ? str(st, "objtype") : "", "OBJECT_TABLE"))
		return -1;
	add_rel(path, rel);
	if (!sub)
		return 0;
	if (!strcmp(sub, "AT_AddColumn") && str(cJSON_GetObjectItemCaseSensitive(def, "ColumnDef"), "colname")) {
		sb_add(path, "/columns/");
		name_escape(path, str(cJSON_GetObjectItemCaseSensitive(def, "ColumnDef"), "colname"), "");
		return 0;
	}
	const char *con = !strcmp(sub, "AT_AddConstraint") ?
			  str(cJSON_GetObjectItemCaseSensitive(def, "Constraint"), "conname") :
			  !strcmp(sub, "AT_DropConstraint") || !strcmp(sub, "AT_ValidateConstraint") ? name : NULL;
	if (con) {
		sb_add(path, "/constraints/");
		name_escape(path, con, ".sql");
		return 0;
	}
	for (size_t i = 0; name && i < sizeof COLUMN_CMDS / sizeof COLUMN_CMDS[0]; i++) {
		if (!strcmp(sub, COLUMN_CMDS[i])) {
			sb_add(path, "/columns/");
			name_escape(path, name, "");
			return 0;
		}
	}
	return 0;	/* the table's directory */
}

static int index_stmt(const cJSON *st, struct strbuf *path)
{
	const cJSON *rel = cJSON_GetObjectItemCaseSensitive(st, "relation");
	if (!str(st, "idxname") || !str(rel, "relname"))
		return -1;
	add_rel(path, rel);
	sb_add(path, "/indexes/");
	name_escape(path, str(st, "idxname"), ".sql");
	return 0;
}

static int create_stmt(const cJSON *st, struct strbuf *path)
{
	const cJSON *rel = cJSON_GetObjectItemCaseSensitive(st, "relation");
	if (!str(rel, "relname"))
		return -1;
	add_rel(path, rel);
	return 0;
}

static int rename_stmt(const cJSON *st, struct strbuf *path)
{
	const cJSON *rel = cJSON_GetObjectItemCaseSensitive(st, "relation");
	const char *kind = str(st, "renameType"), *to = str(st, "newname");
	if (!kind || !to || !str(rel, "relname"))
		return -1;
	if (!strcmp(kind, "OBJECT_TABLE")) {
		add_table(path, str(rel, "schemaname"), to);
		return 0;
	}
	add_rel(path, rel);
	if (!strcmp(kind, "OBJECT_COLUMN")) {
		sb_add(path, "/columns/");
		name_escape(path, to, "");
	} else if (!strcmp(kind, "OBJECT_TABCONSTRAINT")) {
		sb_add(path, "/constraints/");
		name_escape(path, to, ".sql");
	}
	return 0;
}

static int enum_stmt(const cJSON *st, struct strbuf *path)
{
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(st, "typeName");
	const char *name = sqlparse_name_from_end(names, 0), *schema = sqlparse_name_from_end(names, 1);
	if (!name)
		return -1;
	sb_add(path, "schemas/");
	name_escape(path, schema ? schema : "public", "/types/");
	name_escape(path, name, "");
	return 0;
}

/* COMMENT ON TABLE and DROP TABLE name [schema, table] lists. */
static int table_list(const cJSON *list, struct strbuf *path, const char *suffix)
{
	const char *table = sqlparse_name_from_end(list, 0);
	if (!table)
		return -1;
	add_table(path, sqlparse_name_from_end(list, 1), table);
	sb_add(path, suffix);
	return 0;
}

static int comment_stmt(const cJSON *st, struct strbuf *path)
{
	const char *kind = str(st, "objtype");
	if (!kind || strcmp(kind, "OBJECT_TABLE"))
		return -1;
	return table_list(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(st, "object"), "List"), "items"),
		path, "/comment");
}

static int drop_stmt(const cJSON *st, struct strbuf *path)
{
	const char *kind = str(st, "removeType");
	if (!kind || strcmp(kind, "OBJECT_TABLE"))
		return -1;
	const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(st, "objects"), 0);
	return table_list(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(first, "List"), "items"),
			  path, "");
}

/* The statements a generated migration holds, and how each names its file. */
static const struct {
	const char *node;
	int (*subject)(const cJSON *st, struct strbuf *path);
} SUBJECTS[] = {
	{ "AlterTableStmt", alter_table }, { "IndexStmt", index_stmt }, { "CreateStmt", create_stmt },
	{ "RenameStmt", rename_stmt }, { "AlterEnumStmt", enum_stmt }, { "CommentStmt", comment_stmt },
	{ "DropStmt", drop_stmt },
};

int sqlparse_subject(const char *stmt, struct strbuf *path)
{
	sqlparse_lock();
	PgQueryParseResult r = pg_query_parse(stmt);
	cJSON *tree = !r.error && r.parse_tree ? cJSON_Parse(r.parse_tree) : NULL;
	pg_query_free_parse_result(r);
	sqlparse_unlock();
	const cJSON *stmts = cJSON_GetObjectItemCaseSensitive(tree, "stmts");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(stmts, 0), "stmt");
	int rc = -1;
	size_t start = path->len;
	for (size_t i = 0; st && cJSON_GetArraySize(stmts) == 1 && i < sizeof SUBJECTS / sizeof SUBJECTS[0]; i++) {
		const cJSON *node = cJSON_GetObjectItemCaseSensitive(st, SUBJECTS[i].node);
		if (node) {
			rc = SUBJECTS[i].subject(node, path);
			break;
		}
	}
	if (rc) {	/* nothing half-written */
		path->len = start;
		if (path->buf)
			path->buf[start] = '\0';
	}
	cJSON_Delete(tree);
	return rc;
}

bool sqlparse_column_references(const char *coldef)
{
	struct strbuf sql = STRBUF_INIT;
	sb_addf(&sql, "ALTER TABLE t ADD COLUMN c %s", coldef);
	sqlparse_lock();
	PgQueryParseResult r = pg_query_parse(sb_str(&sql));
	cJSON *tree = !r.error && r.parse_tree ? cJSON_Parse(r.parse_tree) : NULL;
	pg_query_free_parse_result(r);
	sqlparse_unlock();
	strbuf_free(&sql);
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(tree, "stmts"), 0), "stmt"), "AlterTableStmt");
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(st, "cmds"), 0), "AlterTableCmd");
	const cJSON *col = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cmd, "def"), "ColumnDef");
	const cJSON *con;
	bool found = false;
	cJSON_ArrayForEach(con, cJSON_GetObjectItemCaseSensitive(col, "constraints")) {
		const char *type = str(cJSON_GetObjectItemCaseSensitive(con, "Constraint"), "contype");
		found |= type && !strcmp(type, "CONSTR_FOREIGN");
	}
	cJSON_Delete(tree);
	return found;
}

cJSON *sqlparse_tree(const char *sql, size_t len, char *err, size_t errlen)
{
	char *text = strndup(sql, len);
	if (!text)
		abort();
	sqlparse_lock();
	PgQueryParseResult r = pg_query_parse(text);
	cJSON *tree = NULL;
	if (r.error)
		snprintf(err, errlen, "%s (at byte %d)", r.error->message ? r.error->message : "syntax error",
			 r.error->cursorpos);
	else if (!(tree = cJSON_Parse(r.parse_tree ? r.parse_tree : "{}")))
		snprintf(err, errlen, "too deeply nested for schemafs to read its parse tree");
	pg_query_free_parse_result(r);
	sqlparse_unlock();
	free(text);
	return tree;
}

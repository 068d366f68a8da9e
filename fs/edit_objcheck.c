/*
 * edit_objcheck.c: the parser's word on an object file (edit_object.h):
 * libpg_query, PostgreSQL's own parser, says whether the file holds
 * exactly one CREATE of its kind and name, with only COMMENT, GRANT, ALTER
 * and the like beside it. The server judges the rest (edit_object.c).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <string.h>

#include "edit_object.h"
#include "sqlparse.h"

/* Statements a file may hold beside its CREATE: what the read side
 * renders there (comments, privileges, owners, settings, a materialized
 * view's indexes, a view's INSTEAD OF triggers). */
static const char *const BESIDE[] = {
	"CommentStmt", "GrantStmt", "AlterOwnerStmt", "AlterTableStmt", "IndexStmt", "CreateTrigStmt",
	"AlterFunctionStmt", "AlterObjectSchemaStmt", "RuleStmt", "CreateStatsStmt", "AlterSeqStmt",
};

/* How a statement node reads in a message. */
static const char *stmt_words(const char *node, const cJSON *st)
{
	static const struct { const char *node, *words; } W[] = {
		{ "CreateStmt", "CREATE TABLE" }, { "ViewStmt", "CREATE VIEW" },
		{ "CreateFunctionStmt", "CREATE FUNCTION" }, { "CreateSeqStmt", "CREATE SEQUENCE" },
		{ "CreateTrigStmt", "CREATE TRIGGER" }, { "CreatePolicyStmt", "CREATE POLICY" },
		{ "IndexStmt", "CREATE INDEX" }, { "DropStmt", "DROP" }, { "CreateSchemaStmt", "CREATE SCHEMA" },
		{ "CreateEnumStmt", "CREATE TYPE" }, { "CompositeTypeStmt", "CREATE TYPE" },
		{ "CreateDomainStmt", "CREATE DOMAIN" }, { "InsertStmt", "INSERT" }, { "UpdateStmt", "UPDATE" },
		{ "DeleteStmt", "DELETE" }, { "SelectStmt", "SELECT" }, { "TransactionStmt", "transaction control" },
		{ "DefineStmt", "CREATE AGGREGATE (or another DEFINE)" }, { "DoStmt", "DO" },
	};
	if (!strcmp(node, "CreateTableAsStmt")) {
		const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "objtype"));
		return k && !strcmp(k, "OBJECT_MATVIEW") ? "CREATE MATERIALIZED VIEW" : "CREATE TABLE AS";
	}
	for (size_t i = 0; i < sizeof W / sizeof W[0]; i++)
		if (!strcmp(W[i].node, node))
			return W[i].words;
	return node;
}

static const char *sval(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* The schema and name the CREATE node ST names (NULL schema: unqualified). */
static void created_name(const struct spec *k, const cJSON *st, const char **schema, const char **name,
			 const char **table)
{
	const cJSON *rel = NULL;
	*schema = *name = *table = NULL;
	if (k->in_table) {
		bool trg = !strcmp(k->node, "CreateTrigStmt");
		rel = cJSON_GetObjectItemCaseSensitive(st, trg ? "relation" : "table");
		*name = sval(st, trg ? "trigname" : "policy_name");
		*schema = sval(rel, "schemaname");
		*table = sval(rel, "relname");
		return;
	}
	if (!strcmp(k->node, "ViewStmt"))
		rel = cJSON_GetObjectItemCaseSensitive(st, "view");
	else if (!strcmp(k->node, "CreateTableAsStmt"))
		rel = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(st, "into"), "rel");
	else if (!strcmp(k->node, "CreateSeqStmt"))
		rel = cJSON_GetObjectItemCaseSensitive(st, "sequence");
	if (rel) {
		*schema = sval(rel, "schemaname");
		*name = sval(rel, "relname");
		return;
	}
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(st, "funcname");
	*name = sqlparse_name_from_end(list, 0);
	*schema = cJSON_GetArraySize(list) > 1 ? sqlparse_name_from_end(list, 1) : NULL;
}

/* The name part of a function file's identity "name(args)". */
static bool name_matches(const struct spec *k, const struct epath *p, const char *name)
{
	if (!name)
		return false;
	if (k->drop_kw)	/* not a function */
		return !strcmp(name, p->name);
	size_t n = strlen(name);
	return !strncmp(p->name, name, n) && p->name[n] == '(';
}

int ed_obj_check_text(struct change *c, const struct epath *p, const struct spec *k, const char *data,
		      size_t len, bool *qualified)
{
	char perr[512];
	cJSON *tree = sqlparse_tree(data, len, perr, sizeof perr);
	/* Syntax newer than libpg_query's (PostgreSQL 15) grammar, or an
	 * error: the server judges it, and the read-back still says whether
	 * the file made the object it names. */
	*qualified = false;
	if (!tree)
		return 0;
	int rc = 0, mains = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(tree, "stmts")) {
		const cJSON *node = cJSON_GetObjectItemCaseSensitive(item, "stmt");
		node = node ? node->child : NULL;
		if (!node || !node->string)
			continue;
		bool main = !strcmp(node->string, k->node);
		if (main && !strcmp(k->node, "CreateTableAsStmt"))
			main = !strcmp(stmt_words(node->string, node), "CREATE MATERIALIZED VIEW");
		if (main) {
			const char *schema, *name, *table;
			created_name(k, node, &schema, &name, &table);
			if (k->in_table && (!table || strcmp(table, p->table) || (schema && strcmp(schema, p->schema)))) {
				rc = ed_fail(c, -EINVAL, "this file is %s %s of table %s.%s, but its %s is on table %s%s%s",
					     k->what, p->name, p->schema, p->table, stmt_words(node->string, node),
					     schema ? schema : "", schema ? "." : "", table ? table : "?");
				goto out;
			}
			if (k->in_table)
				schema = NULL;	/* the table's, checked above */
			if (!name_matches(k, p, name) || (schema && strcmp(schema, p->schema))) {
				rc = ed_fail(c, -EINVAL, "this file is %s %s.%s, but its %s creates %s%s%s: a file "
					     "creates the object it names (rename the file to create another one)",
					     k->what, p->schema, p->name, stmt_words(node->string, node),
					     schema ? schema : "", schema ? "." : "", name ? name : "?");
				goto out;
			}
			*qualified = schema != NULL;
			mains++;
			continue;
		}
		bool beside = false;
		for (size_t i = 0; i < sizeof BESIDE / sizeof BESIDE[0]; i++)
			beside |= !strcmp(node->string, BESIDE[i]);
		if (!beside || mains == 0) {
			rc = ed_fail(c, -EINVAL, "a %s file holds one CREATE of its %s (then its COMMENT, GRANT or "
				     "ALTER statements): this one holds %s", k->what, k->what,
				     stmt_words(node->string, node));
			goto out;
		}
	}
	if (mains != 1)
		rc = ed_fail(c, -EINVAL, "a %s file holds exactly one CREATE of its %s: this one holds %d",
			     k->what, k->what, mains);
out:
	cJSON_Delete(tree);
	return rc;
}

/* lint.c: hazards of a migration file from its parse tree; see lint.h. */
#include "lint.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pg_query.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlparse.h"
#include "sqltx.h"
#include "strbuf.h"

/* Indexes into lint_rules. */
enum {
	R_ADD_NOT_NULL, R_SET_NOT_NULL, R_VOLATILE_DEFAULT, R_SEQ_DEFAULT, R_GENERATED,
	R_TYPE, R_NOT_VALID, R_VALIDATE_SAME, R_FK, R_UNIQUE, R_INDEX, R_DROP_INDEX,
	R_CONC_IN_TX, R_DROP_COLUMN, R_DROP_TABLE, R_RENAME_COLUMN, R_RENAME_TABLE,
	R_SERIAL_PK, R_ENUM_USED, R_TX,
};

const struct lint_rule lint_rules[] = {
	[R_ADD_NOT_NULL] = { "adding-not-nullable-field",
		"a NOT NULL column without a default fails on a table with rows",
		"add it nullable, backfill, then SET NOT NULL (or add a default)" },
	[R_SET_NOT_NULL] = { "adding-not-nullable-field",
		"SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
		"add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a later migration, then SET NOT NULL" },
	[R_VOLATILE_DEFAULT] = { "adding-field-with-default",
		"a volatile default rewrites the whole table under an ACCESS EXCLUSIVE lock",
		"add the column without a default (or with a constant one), then backfill in batches" },
	[R_SEQ_DEFAULT] = { "adding-field-with-default",
		"a column filled from a sequence (serial, identity) rewrites the whole table under an ACCESS EXCLUSIVE lock",
		"add it nullable, backfill in batches, then set its default" },
	[R_GENERATED] = { "adding-field-with-default",
		"a stored generated column rewrites the whole table under an ACCESS EXCLUSIVE lock",
		"add a plain column, backfill it in batches, and keep it current with a trigger" },
	[R_TYPE] = { "changing-column-type",
		"a new type may rewrite the table and its indexes under an ACCESS EXCLUSIVE lock",
		"add a column of the new type, backfill it, then move readers to it" },
	[R_NOT_VALID] = { "constraint-missing-not-valid",
		"the new constraint checks every row while it blocks writes",
		"add it NOT VALID, then VALIDATE CONSTRAINT in a later migration" },
	[R_VALIDATE_SAME] = { "constraint-missing-not-valid",
		"validated in the transaction that added it NOT VALID: the ADD's lock is held while every row is checked",
		"VALIDATE CONSTRAINT in a later migration" },
	[R_FK] = { "adding-foreign-key-constraint",
		"a foreign key checks every row and blocks writes to both tables while it does",
		"add it NOT VALID, then VALIDATE CONSTRAINT in a later migration" },
	[R_UNIQUE] = { "disallowed-unique-constraint",
		"its index is built inline, blocking writes to the table while it builds",
		"CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... USING INDEX" },
	[R_INDEX] = { "require-concurrent-index-creation",
		"CREATE INDEX blocks writes to the table while it builds",
		"CREATE INDEX CONCURRENTLY, alone in its file" },
	[R_DROP_INDEX] = { "require-concurrent-index-deletion",
		"DROP INDEX takes an ACCESS EXCLUSIVE lock on its table",
		"DROP INDEX CONCURRENTLY, alone in its file" },
	[R_CONC_IN_TX] = { "ban-concurrent-index-creation-in-transaction",
		"CONCURRENTLY cannot run inside a transaction block, and a file with other statements runs as one",
		"put it alone in a file of its own" },
	[R_DROP_COLUMN] = { "ban-drop-column",
		"its data is lost and clients that still use it fail",
		"stop every client using it first, then drop it in a later migration" },
	[R_DROP_TABLE] = { "ban-drop-table",
		"its data is lost and clients that still use it fail",
		"stop every client using it first, then drop it in a later migration" },
	[R_RENAME_COLUMN] = { "renaming-column",
		"clients that use the old name fail at once",
		"add the new column, copy and move clients over, then drop the old one" },
	[R_RENAME_TABLE] = { "renaming-table",
		"clients that use the old name fail at once",
		"leave a view under the old name while clients move, or deploy the rename with them" },
	[R_SERIAL_PK] = { "adding-serial-primary-key-field",
		"the table is rewritten and its primary key built inline under an ACCESS EXCLUSIVE lock",
		"add the column, backfill, CREATE UNIQUE INDEX CONCURRENTLY, then ADD PRIMARY KEY USING INDEX" },
	[R_ENUM_USED] = { "enum-value-used-in-same-transaction",
		"a new enum value cannot be used in the transaction that adds it",
		"add the value in a migration of its own, before the one that uses it" },
	[R_TX] = { "transaction-nesting",
		"the file already runs in one transaction and schemafs refuses to apply a file that ends it",
		"remove BEGIN/COMMIT/ROLLBACK" },
	{ NULL, NULL, NULL },
};

/* Functions whose result changes per row (pg_proc.provolatile = 'v'): a
 * default calling one is evaluated for every existing row, rewriting the
 * table. now(), CURRENT_TIMESTAMP and the like are stable, evaluated once:
 * no rewrite since PostgreSQL 11, not listed. By name only (the parse tree
 * has no catalog): a function of the user's is not known. */
static const char *const VOLATILE[] = {
	"random", "random_normal", "setseed", "clock_timestamp", "timeofday",
	"gen_random_uuid", "uuidv4", "uuidv7", "uuid_generate_v1", "uuid_generate_v1mc",
	"uuid_generate_v4", "gen_random_bytes", "nextval", "txid_current",
};

static const char *const SERIAL_TYPES[] = {
	"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2",
};

static const char *const TX_KINDS[] = {
	"TRANS_STMT_BEGIN", "TRANS_STMT_START", "TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK",
	"TRANS_STMT_PREPARE", "TRANS_STMT_COMMIT_PREPARED", "TRANS_STMT_ROLLBACK_PREPARED",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

static const cJSON *get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(get(o, key));
}

static bool flag(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(get(o, key));
}

struct lint_ctx {
	struct lint_result *out;
	int nstmts, stmt, line;		/* the statement being checked */
	/* Bounded: past 64 tables made in one file, the rest are not exempt
	 * (more hazards, never fewer); past 16 new enum values, the rest are
	 * not followed. */
	const cJSON *created[64];	/* RangeVars of tables the file creates */
	size_t ncreated;
	struct strbuf not_valid;	/* "table\tconstraint\n" added NOT VALID so far */
	const cJSON *enums[16];		/* AlterEnumStmts adding a value, so far */
	size_t nenums;
	int err;
};

/* "schema.name" or "name", as written; NULL for no relation. */
static char *rel_name(const cJSON *rel)
{
	const char *name = str(rel, "relname"), *schema = str(rel, "schemaname");
	if (!name)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	if (schema)
		sb_addf(&sb, "%s.", schema);
	sb_add(&sb, name);
	return strbuf_detach(&sb, NULL);
}

/* A list of String nodes ("s", "t") as "s.t". */
static char *list_name(const cJSON *list)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *n;
	cJSON_ArrayForEach(n, list) {
		if (sb.len)
			sb_addc(&sb, '.');
		const char *s = str(get(n, "String"), "sval");
		sb_add(&sb, s ? s : "?");
	}
	return sb.len ? strbuf_detach(&sb, NULL) : NULL;
}

/* Same table, when a side leaves the schema out it may be either. */
static bool same_rel(const char *schema_a, const char *name_a, const char *schema_b, const char *name_b)
{
	if (!name_a || !name_b || strcmp(name_a, name_b))
		return false;
	return !schema_a || !schema_b || !strcmp(schema_a, schema_b);
}

static bool created(const struct lint_ctx *c, const char *schema, const char *name)
{
	for (size_t i = 0; i < c->ncreated; i++)
		if (same_rel(str(c->created[i], "schemaname"), str(c->created[i], "relname"), schema, name))
			return true;
	return false;
}

static bool created_rel(const struct lint_ctx *c, const cJSON *rel)
{
	return created(c, str(rel, "schemaname"), str(rel, "relname"));
}

/* Records a hazard of the current statement; takes OBJECT (malloc'd). */
static void hazard(struct lint_ctx *c, int rule, char *object, bool is_table)
{
	struct lint_result *r = c->out;
	struct lint_hazard *v = realloc(r->hazards, (r->nhazards + 1) * sizeof *v);
	if (!v) {
		free(object);
		c->err = -ENOMEM;
		return;
	}
	r->hazards = v;
	v[r->nhazards++] = (struct lint_hazard){ &lint_rules[rule], c->stmt, c->line, object, is_table };
}

static void table_hazard(struct lint_ctx *c, int rule, const cJSON *rel)
{
	hazard(c, rule, rel_name(rel), true);
}

/* Whether TREE calls a function of VOLATILE anywhere. */
static bool calls_volatile(const cJSON *tree)
{
	const cJSON *n;
	cJSON_ArrayForEach(n, tree) {
		if (n->string && !strcmp(n->string, "FuncCall")) {
			const cJSON *name = cJSON_GetArrayItem(get(n, "funcname"),
							       cJSON_GetArraySize(get(n, "funcname")) - 1);
			if (in_list(str(get(name, "String"), "sval"), VOLATILE, N(VOLATILE)))
				return true;
		}
		if ((cJSON_IsObject(n) || cJSON_IsArray(n)) && calls_volatile(n))
			return true;
	}
	return false;
}

/* Whether TREE has the string literal S (an A_Const). */
static bool has_literal(const cJSON *tree, const char *s)
{
	const cJSON *n;
	cJSON_ArrayForEach(n, tree) {
		if (n->string && !strcmp(n->string, "A_Const")) {
			const char *v = str(get(n, "sval"), "sval");
			if (v && !strcmp(v, s))
				return true;
		}
		if ((cJSON_IsObject(n) || cJSON_IsArray(n)) && has_literal(n, s))
			return true;
	}
	return false;
}

static void add_column(struct lint_ctx *c, const cJSON *rel, const cJSON *cmd)
{
	const cJSON *def = get(get(cmd, "def"), "ColumnDef");
	const cJSON *names = get(get(def, "typeName"), "names");
	bool serial = cJSON_GetArraySize(names) == 1 &&
		      in_list(str(get(cJSON_GetArrayItem(names, 0), "String"), "sval"), SERIAL_TYPES, N(SERIAL_TYPES));
	bool notnull = false, deflt = false, volatile_def = false, primary = false, unique = false;
	bool fk = false, identity = false, generated = false;
	const cJSON *k;
	cJSON_ArrayForEach(k, get(def, "constraints")) {
		const cJSON *con = get(k, "Constraint");
		const char *t = str(con, "contype");
		if (!t)
			continue;
		notnull |= !strcmp(t, "CONSTR_NOTNULL");
		primary |= !strcmp(t, "CONSTR_PRIMARY");
		unique |= !strcmp(t, "CONSTR_UNIQUE");
		fk |= !strcmp(t, "CONSTR_FOREIGN");
		identity |= !strcmp(t, "CONSTR_IDENTITY");
		generated |= !strcmp(t, "CONSTR_GENERATED");
		if (!strcmp(t, "CONSTR_DEFAULT")) {
			deflt = true;
			volatile_def |= calls_volatile(get(con, "raw_expr"));
		}
	}
	bool seq = serial || identity;
	if ((notnull || primary) && !deflt && !seq && !generated)
		table_hazard(c, R_ADD_NOT_NULL, rel);
	if (volatile_def)
		table_hazard(c, R_VOLATILE_DEFAULT, rel);
	if (generated)
		table_hazard(c, R_GENERATED, rel);
	if (seq && primary)
		table_hazard(c, R_SERIAL_PK, rel);
	else if (seq)
		table_hazard(c, R_SEQ_DEFAULT, rel);
	if (unique || (primary && !seq))
		table_hazard(c, R_UNIQUE, rel);
	if (fk)
		table_hazard(c, R_FK, rel);
}

static void add_constraint(struct lint_ctx *c, const cJSON *rel, const cJSON *cmd)
{
	const cJSON *con = get(get(cmd, "def"), "Constraint");
	const char *t = str(con, "contype");
	if (!t)
		return;
	bool check = !strcmp(t, "CONSTR_CHECK"), fk = !strcmp(t, "CONSTR_FOREIGN");
	if ((check || fk) && flag(con, "skip_validation")) {
		char *name = rel_name(rel);
		sb_addf(&c->not_valid, "%s\t%s\n", name ? name : "", str(con, "conname") ? str(con, "conname") : "");
		free(name);
		return;
	}
	if (check || fk)
		table_hazard(c, R_NOT_VALID, rel);
	if (fk)
		table_hazard(c, R_FK, rel);
	if ((!strcmp(t, "CONSTR_UNIQUE") || !strcmp(t, "CONSTR_PRIMARY")) && !str(con, "indexname"))
		table_hazard(c, R_UNIQUE, rel);
}

static void validate_constraint(struct lint_ctx *c, const cJSON *rel, const cJSON *cmd)
{
	const char *con = str(cmd, "name");
	char *name = rel_name(rel);
	struct strbuf key = STRBUF_INIT;
	sb_addf(&key, "%s\t%s\n", name ? name : "", con ? con : "");
	free(name);
	const char *list = sb_str(&c->not_valid);
	bool same = false;
	/* Whole lines only: "a\tb\n" must not match inside "xa\tb\n". */
	for (const char *p = list; *p && !same; p += strcspn(p, "\n") + 1)
		same = !strncmp(p, key.buf, key.len);
	strbuf_free(&key);
	if (same)
		table_hazard(c, R_VALIDATE_SAME, rel);
}

static void set_not_null(struct lint_ctx *c, const cJSON *rel, const cJSON *cmd)
{
	(void)cmd;
	table_hazard(c, R_SET_NOT_NULL, rel);
}

static void column_type(struct lint_ctx *c, const cJSON *rel, const cJSON *cmd)
{
	(void)cmd;
	table_hazard(c, R_TYPE, rel);
}

static void drop_column(struct lint_ctx *c, const cJSON *rel, const cJSON *cmd)
{
	(void)cmd;
	table_hazard(c, R_DROP_COLUMN, rel);
}

/* ALTER TABLE subcommands by AlterTableCmd.subtype. */
static const struct {
	const char *subtype;
	void (*check)(struct lint_ctx *c, const cJSON *rel, const cJSON *cmd);
} AT_CHECKS[] = {
	{ "AT_AddColumn", add_column },
	{ "AT_SetNotNull", set_not_null },
	{ "AT_AlterColumnType", column_type },
	{ "AT_AddConstraint", add_constraint },
	{ "AT_ValidateConstraint", validate_constraint },
	{ "AT_DropColumn", drop_column },
};

static void alter_table(struct lint_ctx *c, const cJSON *s)
{
	const cJSON *rel = get(s, "relation");
	const char *objtype = str(s, "objtype");
	if (!objtype || strcmp(objtype, "OBJECT_TABLE") || created_rel(c, rel))
		return;
	const cJSON *cmd;
	cJSON_ArrayForEach(cmd, get(s, "cmds")) {
		const cJSON *at = get(cmd, "AlterTableCmd");
		const char *sub = str(at, "subtype");
		for (size_t i = 0; sub && i < N(AT_CHECKS); i++)
			if (!strcmp(sub, AT_CHECKS[i].subtype))
				AT_CHECKS[i].check(c, rel, at);
	}
}

static void create_index(struct lint_ctx *c, const cJSON *s)
{
	const cJSON *rel = get(s, "relation");
	if (flag(s, "concurrent")) {
		if (c->nstmts > 1)
			table_hazard(c, R_CONC_IN_TX, rel);
	} else if (!created_rel(c, rel))
		table_hazard(c, R_INDEX, rel);
}

static void drop(struct lint_ctx *c, const cJSON *s)
{
	const char *type = str(s, "removeType");
	const cJSON *o;
	if (type && !strcmp(type, "OBJECT_INDEX")) {
		bool conc = flag(s, "concurrent");
		cJSON_ArrayForEach(o, get(s, "objects")) {
			if (!conc)
				hazard(c, R_DROP_INDEX, list_name(get(get(o, "List"), "items")), false);
			else if (c->nstmts > 1)
				hazard(c, R_CONC_IN_TX, list_name(get(get(o, "List"), "items")), false);
		}
	} else if (type && !strcmp(type, "OBJECT_TABLE")) {
		cJSON_ArrayForEach(o, get(s, "objects")) {
			const cJSON *items = get(get(o, "List"), "items");
			int n = cJSON_GetArraySize(items);
			const char *name = str(get(cJSON_GetArrayItem(items, n - 1), "String"), "sval");
			const char *schema = n >= 2 ? str(get(cJSON_GetArrayItem(items, n - 2), "String"), "sval") : NULL;
			if (!created(c, schema, name))
				hazard(c, R_DROP_TABLE, list_name(items), true);
		}
	}
}

static void rename_(struct lint_ctx *c, const cJSON *s)
{
	const char *type = str(s, "renameType"), *reltype = str(s, "relationType");
	const cJSON *rel = get(s, "relation");
	if (!type || created_rel(c, rel))
		return;
	if (!strcmp(type, "OBJECT_TABLE"))
		table_hazard(c, R_RENAME_TABLE, rel);
	else if (!strcmp(type, "OBJECT_COLUMN") && reltype && !strcmp(reltype, "OBJECT_TABLE"))
		table_hazard(c, R_RENAME_COLUMN, rel);
}

static void alter_enum(struct lint_ctx *c, const cJSON *s)
{
	/* RENAME VALUE has oldVal: no new value. */
	if (str(s, "newVal") && !str(s, "oldVal") && c->nenums < N(c->enums))
		c->enums[c->nenums++] = s;
}

static void transaction(struct lint_ctx *c, const cJSON *s)
{
	if (in_list(str(s, "kind"), TX_KINDS, N(TX_KINDS)))
		hazard(c, R_TX, NULL, false);
}

/* Statement checks by parse node type. */
static const struct {
	const char *node;
	void (*check)(struct lint_ctx *c, const cJSON *stmt);
} STMT_CHECKS[] = {
	{ "AlterTableStmt", alter_table },
	{ "IndexStmt", create_index },
	{ "DropStmt", drop },
	{ "RenameStmt", rename_ },
	{ "AlterEnumStmt", alter_enum },
	{ "TransactionStmt", transaction },
};

/* Byte offset of 1-based character CHARPOS (the parser counts characters). */
static size_t byte_of_char(const char *s, size_t len, int charpos)
{
	size_t at = 0;
	for (int n = 1; at < len && n < charpos; n++)
		do
			at++;
		while (at < len && ((unsigned char)s[at] & 0xC0) == 0x80);
	return at;
}

/* Reads the parse tree; the parser's lock is held. */
static int lint_tree(struct lint_result *out, const char *text, size_t len, const char *json)
{
	cJSON *tree = cJSON_Parse(json);
	if (!tree) {
		/* Not memory: cJSON refuses JSON nested over CJSON_NESTING_LIMIT
		 * levels, which an expression of a few hundred operators is.
		 * Found by fuzz_lint: it used to be -ENOMEM, and status then
		 * showed the file with no review at all. */
		out->error = strdup("too deeply nested for the review to read its parse tree");
		return out->error ? 0 : -ENOMEM;
	}
	const cJSON *stmts = get(tree, "stmts"), *st;
	struct lint_ctx c = { .out = out, .nstmts = cJSON_GetArraySize(stmts), .not_valid = STRBUF_INIT };
	out->nstmts = c.nstmts;
	/* Tables made anywhere in the file (a later CREATE does not make an
	 * earlier statement unsafe, but such a file fails anyway). */
	cJSON_ArrayForEach(st, stmts) {
		const cJSON *s = get(st, "stmt");
		const cJSON *rel = get(get(s, "CreateStmt"), "relation");
		if (!rel)
			rel = get(get(get(s, "CreateTableAsStmt"), "into"), "rel");
		if (rel && c.ncreated < N(c.created))
			c.created[c.ncreated++] = rel;
	}
	cJSON_ArrayForEach(st, stmts) {
		c.stmt++;
		const cJSON *loc = get(st, "stmt_location");
		c.line = sqltx_line_at(text, len, cJSON_IsNumber(loc) ? (size_t)loc->valuedouble : 0);
		const cJSON *s = get(st, "stmt");
		size_t nenums = c.nenums;
		for (size_t i = 0; i < N(STMT_CHECKS); i++) {
			const cJSON *node = get(s, STMT_CHECKS[i].node);
			if (node)
				STMT_CHECKS[i].check(&c, node);
		}
		for (size_t i = 0; i < nenums; i++)
			if (has_literal(s, str(c.enums[i], "newVal")))
				hazard(&c, R_ENUM_USED, list_name(get(c.enums[i], "typeName")), false);
	}
	strbuf_free(&c.not_valid);
	cJSON_Delete(tree);
	return c.err;
}

int lint_file(const char *sql, size_t len, struct lint_result *out)
{
	memset(out, 0, sizeof *out);
	char *text = strndup(sql, len);
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	int rc = 0;
	sqlparse_lock();
	PgQueryParseResult r = pg_query_parse(text);
	if (r.error) {
		out->error = strdup(r.error->message ? r.error->message : "cannot parse");
		if (!out->error)
			rc = -ENOMEM;
		else if (r.error->cursorpos > 0) {
			size_t at = byte_of_char(text, len, r.error->cursorpos);
			out->error_line = 1;
			for (size_t k = 0; k < at; k++)
				out->error_line += text[k] == '\n';
		}
	} else
		rc = lint_tree(out, text, len, r.parse_tree ? r.parse_tree : "{}");
	pg_query_free_parse_result(r);
	sqlparse_unlock();
	free(text);
	if (rc)
		lint_result_free(out);
	return rc;
}

void lint_result_free(struct lint_result *r)
{
	for (size_t i = 0; i < r->nhazards; i++)
		free(r->hazards[i].object);
	free(r->hazards);
	free(r->error);
	memset(r, 0, sizeof *r);
}

void lint_render(struct strbuf *sb, const struct lint_result *r, lint_rows_fn rows, void *ctx)
{
	if (r->error) {
		sb_addf(sb, "    not reviewed: PostgreSQL %s's parser cannot read it: ", PG_MAJORVERSION);
		sb_add_oneline(sb, r->error);
		if (r->error_line)
			sb_addf(sb, " (line %d)", r->error_line);
		sb_add(sb, "; it can still be applied\n");
		return;
	}
	for (size_t i = 0; i < r->nhazards; i++) {
		const struct lint_hazard *h = &r->hazards[i];
		sb_addf(sb, "    hazard %s: statement %d of %d (line %d)", h->rule->name, h->stmt, r->nstmts, h->line);
		if (h->object) {
			sb_add(sb, ", ");
			sb_add_oneline(sb, h->object);
			double n = h->is_table && rows ? rows(ctx, h->object) : -1;
			if (n >= 0)
				sb_addf(sb, " (~%.0f rows)", n);
		}
		sb_addf(sb, ": %s; %s\n", h->rule->why, h->rule->safe);
	}
}

/* The cache: a handful of pending files, so a list. */
struct lint_entry {
	uint64_t hash;
	char *text;
	size_t len;
	bool used;
	struct lint_result res;
};

struct lint_cache {
	struct lint_entry **v;
	size_t n;
};

struct lint_cache *lint_cache_new(void)
{
	return calloc(1, sizeof(struct lint_cache));
}

static void entry_free(struct lint_entry *e)
{
	lint_result_free(&e->res);
	free(e->text);
	free(e);
}

void lint_cache_free(struct lint_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		entry_free(c->v[i]);
	free(c->v);
	free(c);
}

/* FNV-1a: to skip most comparisons; equal text is what decides. */
static uint64_t hash_of(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

const struct lint_result *lint_cache_get(struct lint_cache *c, const char *sql, size_t len)
{
	uint64_t h = hash_of(sql, len);
	for (size_t i = 0; i < c->n; i++) {
		struct lint_entry *e = c->v[i];
		if (e->hash == h && e->len == len && !memcmp(e->text, sql, len)) {
			e->used = true;
			return &e->res;
		}
	}
	struct lint_entry *e = calloc(1, sizeof *e);
	struct lint_entry **v = realloc(c->v, (c->n + 1) * sizeof *v);
	if (v)
		c->v = v;
	if (!e || !v || !(e->text = malloc(len ? len : 1)) || lint_file(sql, len, &e->res)) {
		if (e)
			free(e->text);
		free(e);
		return NULL;
	}
	memcpy(e->text, sql, len);
	e->hash = h;
	e->len = len;
	e->used = true;
	c->v[c->n++] = e;
	return &e->res;
}

void lint_cache_sweep(struct lint_cache *c)
{
	size_t k = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i]->used) {
			c->v[i]->used = false;
			c->v[k++] = c->v[i];
		} else
			entry_free(c->v[i]);
	}
	c->n = k;
}

/* sqltx.c: transaction control in a migration file; see include/sqltx.h. */
#include "sqltx.h"

#include <cjson/cJSON.h>
#include <pg_query.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlparse.h"
#include "sqlpos.h"

/* TransactionStmt kinds that end or open a transaction (savepoints do
 * neither), and the keyword to name them by. */
static const struct { const char *kind, *what; } ENDS[] = {
	{ "TRANS_STMT_BEGIN", "BEGIN" },
	{ "TRANS_STMT_START", "START TRANSACTION" },
	{ "TRANS_STMT_COMMIT", "COMMIT" },
	{ "TRANS_STMT_ROLLBACK", "ROLLBACK" },
	{ "TRANS_STMT_PREPARE", "PREPARE TRANSACTION" },
	{ "TRANS_STMT_COMMIT_PREPARED", "COMMIT PREPARED" },
	{ "TRANS_STMT_ROLLBACK_PREPARED", "ROLLBACK PREPARED" },
};

/* The keyword of STMT (one statement's text) when it controls the
 * transaction, else NULL; *READ tells whether the parser could read it. */
static const char *control_of(const char *stmt, bool *read)
{
	const char *what = NULL;
	PgQueryParseResult r = pg_query_parse(stmt);
	*read = !r.error && r.parse_tree;
	if (*read) {
		cJSON *tree = cJSON_Parse(r.parse_tree);
		cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(tree, "stmts"), 0);
		cJSON *tx = cJSON_GetObjectItem(cJSON_GetObjectItem(first, "stmt"), "TransactionStmt");
		const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(tx, "kind"));
		for (size_t i = 0; kind && i < sizeof ENDS / sizeof ENDS[0] && !what; i++)
			if (!strcmp(kind, ENDS[i].kind))
				what = ENDS[i].what;
		cJSON_Delete(tree);
	}
	pg_query_free_parse_result(r);
	return what;
}

/* Split by the parser, which knows BEGIN ATOMIC ... END bodies; when it
 * cannot read the text (syntax newer than its 15), by the scanner. The
 * caller holds sqlparse_lock(). */
static PgQuerySplitResult split(const char *text, bool *by_parser)
{
	PgQuerySplitResult s = pg_query_split_with_parser(text);
	*by_parser = !s.error;
	if (!*by_parser) {
		pg_query_free_split_result(s);
		s = pg_query_split_with_scanner(text);
	}
	return s;
}

int sqltx_line_at(const char *sql, size_t len, size_t location)
{
	size_t at = sqlpos_first_token(sql, location < len ? location : len, len);
	int l = 1;
	for (size_t k = 0; k < at; k++)
		l += sql[k] == '\n';
	return l;
}

int sqltx_find(const char *sql, size_t len, char *what, size_t whatlen, int *line)
{
	char *text = strndup(sql, len);
	if (!text)
		return 0;
	/* libpg_query swaps fd 2 while it parses: one caller at a time. */
	sqlparse_lock();
	/* Split by the scanner, only up to the first piece the parser cannot
	 * read: what follows may be inside such a body, so it is left to the
	 * server (and to the check after each chunk in migrate.c). */
	bool by_parser;
	PgQuerySplitResult s = split(text, &by_parser);
	int found = 0;
	for (int i = 0; !s.error && i < s.n_stmts && !found; i++) {
		const PgQuerySplitStmt *st = s.stmts[i];
		if (st->stmt_location < 0 || st->stmt_len < 0 || (size_t)st->stmt_location > len)
			continue;
		/* 0: up to the end, as in PostgreSQL's raw statements. */
		size_t n = st->stmt_len ? (size_t)st->stmt_len : len - (size_t)st->stmt_location;
		if ((size_t)st->stmt_location + n > len)
			continue;
		char *one = strndup(text + st->stmt_location, n);
		bool read = false;
		const char *w = one ? control_of(one, &read) : NULL;
		free(one);
		if (!read && !by_parser)
			break;
		if (!w)
			continue;
		found = i + 1;
		snprintf(what, whatlen, "%s", w);
		/* The statement's own start, past blanks and comments the
		 * scanner counts in it. */
		*line = sqltx_line_at(text, len, (size_t)st->stmt_location);
	}
	pg_query_free_split_result(s);
	sqlparse_unlock();
	free(text);
	return found;
}

int sqltx_statements(const char *sql, size_t len, struct sqltx_span **out, size_t *n, bool *by_parser)
{
	*out = NULL;
	*n = 0;
	char *text = strndup(sql, len);
	if (!text)
		abort();
	sqlparse_lock();
	PgQuerySplitResult s = split(text, by_parser);
	int rc = s.error ? -1 : 0;
	if (!rc && s.n_stmts > 0 && !(*out = calloc((size_t)s.n_stmts, sizeof **out)))
		abort();
	for (int i = 0; !rc && i < s.n_stmts; i++) {
		const PgQuerySplitStmt *st = s.stmts[i];
		/* One outside the text (never seen) is kept so, for the caller to see. */
		bool bad = st->stmt_location < 0 || st->stmt_len < 0 || (size_t)st->stmt_location > len;
		struct sqltx_span *sp = &(*out)[(*n)++];
		sp->off = bad ? SIZE_MAX : (size_t)st->stmt_location;
		sp->len = bad ? 0 : st->stmt_len ? (size_t)st->stmt_len : len - sp->off;
	}
	pg_query_free_split_result(s);
	sqlparse_unlock();
	free(text);
	return rc;
}

#define BREAKPOINT "--> statement-breakpoint"

size_t sqltx_chunks(const char *sql, size_t len, struct sqltx_span **out)
{
	size_t n = 0, cap = 8, start = 0, bl = strlen(BREAKPOINT);
	struct sqltx_span *v = malloc(cap * sizeof *v);
	if (!v)
		abort();
	for (;;) {
		const char *bp = memmem(sql + start, len - start, BREAKPOINT, bl);
		size_t end = bp ? (size_t)(bp - sql) : len;
		if (n == cap && !(v = realloc(v, (cap *= 2) * sizeof *v)))
			abort();
		v[n++] = (struct sqltx_span){ start, end - start };
		if (!bp)
			break;
		start = end + bl;
	}
	*out = v;
	return n;
}

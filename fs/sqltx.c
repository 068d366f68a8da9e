/* sqltx.c: transaction control in a migration file; see include/sqltx.h. */
#include "sqltx.h"

#include <cjson/cJSON.h>
#include <pg_query.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t parser_lock = PTHREAD_MUTEX_INITIALIZER;

/* libpg_query swaps fd 2 while it parses: one caller at a time, whichever
 * module calls it (lint.c too). */
void sqltx_parser_enter(void)
{
	pthread_mutex_lock(&parser_lock);
}

void sqltx_parser_leave(void)
{
	pthread_mutex_unlock(&parser_lock);
}

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

/* Past the blanks and comments that open a statement's text (only to
 * tell the line its first keyword is on). */
static size_t skip_blanks(const char *s, size_t at, size_t len)
{
	while (at < len) {
		if (s[at] == ' ' || s[at] == '\t' || s[at] == '\n' || s[at] == '\r')
			at++;
		else if (at + 1 < len && s[at] == '-' && s[at + 1] == '-')
			while (at < len && s[at] != '\n')
				at++;
		else if (at + 1 < len && s[at] == '/' && s[at + 1] == '*') {
			const char *end = strstr(s + at + 2, "*/");
			at = end ? (size_t)(end - s) + 2 : len;
		} else
			break;
	}
	return at;
}

int sqltx_line_at(const char *sql, size_t len, size_t location)
{
	size_t at = skip_blanks(sql, location < len ? location : len, len);
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
	sqltx_parser_enter();
	/* Split by the parser, which knows BEGIN ATOMIC ... END bodies. When
	 * it cannot read the file (syntax newer than its 15), by the scanner,
	 * up to the first piece the parser cannot read: what follows may be
	 * inside such a body, so it is left to the server (and to the check
	 * after each chunk in migrate.c). */
	PgQuerySplitResult s = pg_query_split_with_parser(text);
	bool by_parser = !s.error;
	if (!by_parser) {
		pg_query_free_split_result(s);
		s = pg_query_split_with_scanner(text);
	}
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
	sqltx_parser_leave();
	free(text);
	return found;
}

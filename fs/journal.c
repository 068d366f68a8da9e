/* journal.c: Drizzle's _journal.json; see include/journal.h. */
#include "journal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void journal_add(struct journal *j, const char *tag, long long when)
{
	struct journal_entry *v = realloc(j->v, (j->n + 1) * sizeof *v);
	if (!v || !(v[j->n].tag = strdup(tag)))
		abort();
	v[j->n].when = when;
	v[j->n].breakpoints = true;
	j->v = v;
	j->n++;
}

/* A "when" is Date.now() when the entry was made: a whole number of
 * milliseconds, held exactly by a JavaScript number (up to 2^53), and so
 * by a long long. */
static bool when_ok(double when)
{
	return when >= 0 && when <= 9007199254740992.0 && when == floor(when);
}

int journal_parse(const char *text, struct journal *j, char *err, size_t errlen)
{
	memset(j, 0, sizeof *j);
	cJSON *doc = cJSON_Parse(text);
	const cJSON *entries = cJSON_GetObjectItemCaseSensitive(doc, "entries"), *e;
	if (!doc) {
		snprintf(err, errlen, "invalid JSON");
		return -1;
	}
	if (!cJSON_IsObject(doc) || !cJSON_IsArray(entries)) {
		snprintf(err, errlen, "not a Drizzle journal (no \"entries\" array)");
		cJSON_Delete(doc);
		return -1;
	}
	cJSON_ArrayForEach(e, entries) {
		const cJSON *tag = cJSON_GetObjectItemCaseSensitive(e, "tag");
		const cJSON *when = cJSON_GetObjectItemCaseSensitive(e, "when");
		const char *why = !cJSON_IsString(tag) || !cJSON_IsNumber(when) ? "has no \"tag\" or \"when\"" :
				  !when_ok(when->valuedouble) ? "has a \"when\" that is not a time in milliseconds" :
				  NULL;
		if (why) {
			snprintf(err, errlen, "journal entry %zu %s", j->n, why);
			journal_free(j);
			cJSON_Delete(doc);
			return -1;
		}
		journal_add(j, tag->valuestring, (long long)when->valuedouble);
		j->v[j->n - 1].breakpoints = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(e, "breakpoints"));
	}
	cJSON_Delete(doc);
	return 0;
}

long long journal_max_when(const struct journal *j)
{
	long long m = 0;
	for (size_t i = 0; i < j->n; i++)
		if (j->v[i].when > m)
			m = j->v[i].when;
	return m;
}

const struct journal_entry *journal_find_when(const struct journal *j, long long when)
{
	for (size_t i = 0; i < j->n; i++)
		if (j->v[i].when == when)
			return &j->v[i];
	return NULL;
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_string(struct strbuf *sb, const char *s)
{
	sb_addc(sb, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			sb_addf(sb, "\\%c", c);
		else if (c < 0x20)
			sb_addf(sb, "\\u%04x", c);
		else
			sb_addc(sb, (char)c);
	}
	sb_addc(sb, '"');
}

void journal_render(struct strbuf *sb, const struct journal *j)
{
	sb_add(sb, "{\n  \"version\": \"7\",\n  \"dialect\": \"postgresql\",\n  \"entries\": [");
	for (size_t i = 0; i < j->n; i++) {
		sb_addf(sb, "%s\n    {\n      \"idx\": %zu,\n      \"version\": \"7\",\n"
			"      \"when\": %lld,\n      \"tag\": ", i ? "," : "", i, j->v[i].when);
		json_string(sb, j->v[i].tag);
		sb_addf(sb, ",\n      \"breakpoints\": %s\n    }", j->v[i].breakpoints ? "true" : "false");
	}
	sb_add(sb, j->n ? "\n  ]\n}\n" : "]\n}\n");
}

void journal_free(struct journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		free(j->v[i].tag);
	free(j->v);
	j->v = NULL;
	j->n = 0;
}

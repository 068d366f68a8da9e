/* Unit tests: drizzle-kit's spelling of types and defaults, and 1.0's
 * delta keys (dksnap_format.c). */
#include <stdlib.h>
#include <string.h>

#include "dksnap.h"
#include "../../fs/dksnap_internal.h"
#include "tap.h"

static int type_is(const char *pg, bool v1, const char *want)
{
	char out[256];
	dksnap_type(pg, v1, out, sizeof out);
	return !strcmp(out, want);
}

static int default_is(const char *expr, bool v1, const char *want)
{
	cJSON *j = dksnap_default(expr, v1);
	char *text = cJSON_PrintUnformatted(j);
	int same = text && !strcmp(text, want);
	free(text);
	cJSON_Delete(j);
	return same;
}

int main(void)
{
	ok(type_is("character varying(20)", false, "varchar(20)"), "character varying(n) is varchar(n)");
	ok(type_is("character varying", true, "varchar"), "character varying is varchar");
	ok(type_is("character(3)", false, "char(3)"), "character(n) is char(n)");
	ok(type_is("timestamp without time zone", false, "timestamp"), "timestamp without time zone is timestamp");
	ok(type_is("timestamp(3) with time zone", false, "timestamp(3) with time zone"), "with time zone stays");
	ok(type_is("numeric(10,2)", false, "numeric(10, 2)"), "0.x: numeric(10, 2)");
	ok(type_is("numeric(10,2)", true, "numeric(10,2)"), "1.0: numeric(10,2)");
	ok(type_is("integer", false, "integer") && type_is("double precision", true, "double precision"), "others stay");
	ok(default_is("'x'::text", false, "\"'x'\""), "0.x: a string literal loses its cast");
	ok(default_is("'x'::character varying", true, "\"'x'\""), "1.0 likewise");
	ok(default_is("5", false, "5") && default_is("5", true, "\"5\""), "a number: 0.x JSON number, 1.0 text");
	ok(default_is("'-5'::integer", false, "-5"), "a negative number's cast is dropped");
	ok(default_is("true", false, "true") && default_is("true", true, "\"true\""), "a boolean");
	ok(default_is("now()", false, "\"now()\""), "an expression is its text");
	ok(dksnap_default(NULL, false) == NULL, "no default: NULL");

	char text[] = "{\"key\":\"columns\\u0000[\\\"public\\\",\\\"booking\\\",\\\"a\\\"]\",\"b\":\"\\\\u0000\"}";
	dksnap_unnul(text);
	cJSON *d = cJSON_Parse(text);
	const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(d, "key"));
	ok(key && !strcmp(key, "columns\x01[\"public\",\"booking\",\"a\"]"), "a delta key reads whole");
	ok(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(d, "b")), "\\u0000"), "an escaped backslash is left alone");
	cJSON *state = cJSON_Parse("{\"ddl\":[{\"entityType\":\"columns\",\"schema\":\"public\",\"table\":\"booking\","
				   "\"name\":\"a\",\"notNull\":false}]}");
	char diff[] = "{\"type\":\"diff\",\"deltas\":[{\"op\":\"alter\",\"key\":\"columns\\u0000[\\\"public\\\","
		      "\\\"booking\\\",\\\"a\\\"]\",\"set\":{\"notNull\":true}},{\"op\":\"create\",\"row\":"
		      "{\"entityType\":\"columns\",\"schema\":\"public\",\"table\":\"booking\",\"name\":\"b\"}}]}";
	dksnap_unnul(diff);
	cJSON *s = cJSON_Parse(diff);
	dksnap_apply(state, s);
	cJSON *ddl = cJSON_GetObjectItem(state, "ddl");
	ok(cJSON_GetArraySize(ddl) == 2 && cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(ddl, 0), "notNull")),
	   "a diff's deltas alter and create entities");
	char drop[] = "{\"deltas\":[{\"op\":\"drop\",\"key\":\"columns\\u0000[\\\"public\\\",\\\"booking\\\",\\\"a\\\"]\"}]}";
	dksnap_unnul(drop);
	cJSON *s2 = cJSON_Parse(drop);
	dksnap_apply(state, s2);
	ok(cJSON_GetArraySize(ddl) == 1, "and drop them");
	cJSON_Delete(s2);
	cJSON_Delete(s);
	cJSON_Delete(state);
	cJSON_Delete(d);
	return done_testing();
}

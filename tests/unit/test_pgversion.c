/* Unit tests: the SQL of each PostgreSQL major (pgversion.c), no server
 * needed. Every catalog query expands for every supported major, with no
 * placeholder left and each version difference where it belongs. The
 * end-to-end suite then runs each expansion on a real server of that
 * major. */
#include <string.h>

#include "../../fs/catalog_sql.h"
#include "catalog.h"
#include "pgversion.h"
#include "tap.h"

static const struct { const char *name, *sql; } queries[] = {
	{ "schemas", SQL_SCHEMAS }, { "extensions", SQL_EXTENSIONS }, { "relations", SQL_RELATIONS },
	{ "columns", SQL_COLUMNS }, { "indexes", SQL_INDEXES }, { "constraints", SQL_CONSTRAINTS },
	{ "triggers", SQL_TRIGGERS }, { "policies", SQL_POLICIES }, { "functions", SQL_FUNCTIONS },
	{ "types", SQL_TYPES }, { "settings", SQL_SETTINGS }, { "collations", SQL_COLLATIONS },
	{ "operators", SQL_OPERATORS }, { "omitted", SQL_OMITTED }, { "fingerprint", SQL_FINGERPRINT },
	{ "casts", SQL_CASTS }, { "event triggers", SQL_EVENT_TRIGGERS },
	{ "publications", SQL_PUBLICATIONS }, { "foreign-data wrappers", SQL_FDWS },
	{ "foreign servers", SQL_SERVERS }, { "foreign tables", SQL_FOREIGN_TABLES },
	{ "text search", SQL_TEXT_SEARCH }, { "operator classes", SQL_OPCLASSES },
	{ "operator families", SQL_OPFAMILIES }, { "conversions", SQL_CONVERSIONS },
};

int main(void)
{
	for (int major = PGV_OLDEST; major <= PGV_NEWEST; major++) {
		int bad = 0;
		for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
			const char *sql = pgv_sql(queries[i].sql, major);
			if (!sql || strstr(sql, "{{") || strstr(sql, "}}")) {
				bad++;
				printf("#   %s on %d: %s\n", queries[i].name, major, sql ? "placeholder left" : "NULL");
			}
		}
		ok(!bad, "every catalog query expands for PostgreSQL %d", major);
	}

	const char *s13 = pgv_sql(SQL_SETTINGS, 13), *s14 = pgv_sql(SQL_SETTINGS, 14);
	ok(s13 && !strstr(s13, "a.attcompression"),
	   "13 has no attcompression");
	ok(s14 && strstr(s14, "a.attcompression"), "14 reads attcompression");
	const char *c15 = pgv_sql(SQL_COLLATIONS, 15), *c16 = pgv_sql(SQL_COLLATIONS, 16),
		   *c17 = pgv_sql(SQL_COLLATIONS, 17), *c13 = pgv_sql(SQL_COLLATIONS, 13);
	ok(c13 && !strstr(c13, "colliculocale") && !strstr(c13, "colllocale"), "13: ICU locale in collcollate");
	ok(c15 && strstr(c15, "colliculocale") && !strstr(c15, "collicurules"), "15: colliculocale, no rules");
	ok(c16 && strstr(c16, "colliculocale") && strstr(c16, "collicurules"), "16: colliculocale and rules");
	ok(c17 && strstr(c17, "colllocale") && !strstr(c17, "colliculocale") && strstr(c17, "builtin"),
	   "17: colllocale and the builtin provider");
	const char *n17 = pgv_sql(SQL_COLUMNS, 17), *n18 = pgv_sql(SQL_COLUMNS, 18);
	ok(n17 && !strstr(n17, "contype = 'n'"), "17: NOT NULL from attnotnull alone");
	ok(n18 && strstr(n18, "contype = 'n'") && strstr(n18, "convalidated"), "18: NOT NULL constraints read");
	ok(pgv_sql(SQL_COLUMNS, 25) == pgv_sql(SQL_COLUMNS, 25), "expansions are cached");
	const char *f = pgv_sql(SQL_FUNCTIONS, 13);
	ok(f && !strstr(f, "prosqlbody"), "13 has no prosqlbody");
	const char *p14 = pgv_sql(SQL_PUBLICATIONS, 14), *p15 = pgv_sql(SQL_PUBLICATIONS, 15);
	ok(p14 && !strstr(p14, "prqual") && !strstr(p14, "pg_publication_namespace"),
	   "14 has no row filters nor TABLES IN SCHEMA");
	ok(p15 && strstr(p15, "prqual") && strstr(p15, "prattrs") && strstr(p15, "pg_publication_namespace"),
	   "15 reads row filters, column lists and TABLES IN SCHEMA");
	const char *fp14 = pgv_sql(SQL_FINGERPRINT, 14), *fp15 = pgv_sql(SQL_FINGERPRINT, 15);
	ok(fp14 && !strstr(fp14, "pg_publication_namespace") && fp15 && strstr(fp15, "pg_publication_namespace"),
	   "the fingerprint counts pg_publication_namespace where it exists (15+)");

	/* Which fingerprint changes a refresh may read incrementally:
	 * "others|schemas (oid:xmin)|relations". */
	const char *fp0 = "1:5,2:7|11:1 2200:1|3:9,4:4";
	ok(catalog_fingerprint_local(fp0, "1:5,2:7|11:1 2200:1|3:9,4:5"), "the relations alone changed: local");
	ok(catalog_fingerprint_local(fp0, "1:5,2:7|11:1 2200:1 16400:900|3:9,4:5"), "a new schema (last): local");
	ok(catalog_fingerprint_local(fp0, "1:5,2:7|11:1 99:900 2200:1|3:9,4:5"), "a new schema (between): local");
	ok(!catalog_fingerprint_local(fp0, "1:5,2:7|11:1 2200:901|3:9,4:5"), "a schema updated (renamed): full");
	ok(!catalog_fingerprint_local(fp0, "1:5,2:7|2200:1|3:9,4:5"), "a schema dropped: full");
	ok(!catalog_fingerprint_local(fp0, "1:5,2:8|11:1 2200:1|3:9,4:4"), "anything else changed: full");
	ok(!catalog_fingerprint_local("1:5,2:7|3:9,4:4", fp0), "an older fingerprint's format: full");
	ok(!catalog_fingerprint_local(fp0, NULL), "none: full");

	char err[128], note[128];
	ok(pgv_check_major(12, err, sizeof err, note, sizeof note) == -1, "12 is refused");
	is_str(err, "PostgreSQL 12 is not supported (13 or newer)", "... in one line");
	ok(pgv_check_major(13, err, sizeof err, note, sizeof note) == 0 && !note[0], "13 is supported, nothing to note");
	ok(pgv_check_major(18, err, sizeof err, note, sizeof note) == 0 && !note[0], "18 is supported");
	ok(pgv_check_major(19, err, sizeof err, note, sizeof note) == 0, "19 is tried");
	is_str(note, "PostgreSQL 19 is newer than schemafs knows: read as PostgreSQL 18", "... as 18, and the log says so");
	is_str(pgv_sql("{{NOTNULL}}", 19), "a.attnotnull AND coalesce(nn.convalidated, true)", "19 gets 18's SQL");

	const char *plain = "SELECT 1";
	ok(pgv_sql(plain, 13) == plain, "a template without placeholders is returned as is");
	ok(pgv_sql("SELECT {{NO_SUCH_THING}}", 15) == NULL, "an unknown placeholder is refused");
	/* Same address, other text: never the stale expansion. */
	char buf[64];
	strcpy(buf, "SELECT {{PROSQLBODY}} FROM pg_proc p");
	const char *a = pgv_sql(buf, 13);
	strcpy(buf, "SELECT {{ATTCOMPRESSION}} FROM x a");
	const char *b = pgv_sql(buf, 13);
	is_str(a, "SELECT false FROM pg_proc p", "expansion for 13");
	is_str(b, "SELECT ''::pg_catalog.\"char\" FROM x a", "a reused buffer gets its own expansion");
	return done_testing();
}

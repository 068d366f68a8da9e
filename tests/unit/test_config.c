/* Unit tests: JSON config parsing (config.c). */
#include <stdlib.h>

#include "config.h"
#include "tap.h"

static int parse(const char *json, char *err)
{
	struct config cfg;
	int rc = config_parse(json, &cfg, err, 512);
	if (!rc)
		config_free(&cfg);
	return rc;
}

int main(void)
{
	char err[512];
	struct config cfg;
	const char *good =
		"{ \"databases\": {\n"
		"    \"scheduler\": { \"conninfo\": \"postgresql://u:pw@h/scheduler\",\n"
		"                   \"migrations_dir\": \"/srv/drizzle\", \"ttl\": 5 },\n"
		"    \"vendure\": { \"conninfo\": \"service=vendure\", \"read_only\": true },\n"
		"    \"directus\": { \"conninfo\": \"dbname=directus\", \"schemas\": [\"public\", \"auth\"] }\n"
		"  },\n  \"state_dir\": \"/var/lib/schemafs\" }";
	ok(config_parse(good, &cfg, err, sizeof err) == 0, "a good config parses");
	ok(cfg.ndbs == 3, "three databases");
	config_apply_defaults(&cfg, -1);
	is_str(cfg.dbs[0].name, "scheduler", "first database keeps its key");
	ok(cfg.dbs[0].ttl == 5, "per-database ttl kept");
	ok(cfg.dbs[1].ttl == 2, "default ttl 2 s");
	ok(cfg.dbs[1].read_only, "read_only read");
	ok(cfg.dbs[2].nschemas == 2 && !strcmp(cfg.dbs[2].schemas[1], "auth"), "schemas filter read");
	is_str(cfg.dbs[0].migrations_table, "__drizzle_migrations", "default migrations table");
	is_str(cfg.dbs[0].migrations_schema, "drizzle", "default migrations schema");
	is_str(cfg.state_dir, "/var/lib/schemafs", "state_dir read");
	config_free(&cfg);

	ok(parse("{ \"databases\": {\n  \"a\": { \"conninfo\": \"x\" },\n  oops }", err) == -1 &&
	   strstr(err, "line 3, column"), "bad JSON names line and column: %s", err);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"colour\": 1 } } }", err) == -1 &&
	   strstr(err, "unknown key") && strstr(err, "colour"), "unknown key refused: %s", err);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": 5 } } }", err) == -1 &&
	   strstr(err, "must be a string"), "wrong type refused: %s", err);
	ok(parse("{ \"databases\": { \"a\": { \"read_only\": true } } }", err) == -1 &&
	   strstr(err, "no \"conninfo\""), "missing conninfo refused: %s", err);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"read_only\": \"yes\" } } }", err) == -1,
	   "read_only must be a boolean: %s", err);
	ok(parse("{ \"databases\": {} }", err) == -1, "no databases refused: %s", err);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"privileges\": 1 } } }", err) == -1 &&
	   strstr(err, "true or false"), "privileges must be a boolean: %s", err);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"owners\": \"yes\" } } }", err) == -1 &&
	   strstr(err, "true or false"), "owners must be a boolean: %s", err);
	ok(config_parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"privileges\": true },"
			" \"b\": { \"conninfo\": \"y\", \"owners\": true } } }", &cfg, err, sizeof err) == 0 &&
	   cfg.dbs[0].privileges && !cfg.dbs[0].owners && !cfg.dbs[1].privileges && cfg.dbs[1].owners &&
	   !cfg.dbs[0].read_only, "privileges and owners read per database, off by default");
	config_free(&cfg);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"tracking\": \"flyway\" } } }", err) == -1 &&
	   strstr(err, "typeorm"), "an unknown tracking refused: %s", err);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"tracking\": \"typeorm\","
		 " \"migrations_dir\": \"/d\" } } }", err) == -1 && strstr(err, "keeps no folder"),
	   "typeorm with a migrations_dir refused: %s", err);
	ok(config_parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"tracking\": \"typeorm\" },"
			" \"b\": { \"conninfo\": \"x\", \"tracking\": \"typeorm\", \"migrations_table\": \"t\" } } }",
			&cfg, err, sizeof err) == 0, "tracking typeorm parses: %s", err);
	config_apply_defaults(&cfg, -1);
	is_str(cfg.dbs[0].migrations_schema, "public", "typeorm: default schema public");
	is_str(cfg.dbs[0].migrations_table, "migrations", "typeorm: default table migrations");
	is_str(cfg.dbs[1].migrations_table, "t", "typeorm: migrations_table kept");
	config_free(&cfg);
	config_free(&cfg);
	ok(parse("{ \"databases\": { \"a/b\": { \"conninfo\": \"x\" } } }", err) == -1,
	   "a key that cannot be a directory name is refused: %s", err);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"schemas\": [1] } } }", err) == -1,
	   "schemas must hold strings: %s", err);
	ok(parse("[]", err) == -1, "top level must be an object: %s", err);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"live\": true } } }", err) == -1 &&
	   strstr(err, "whole mount"), "live is refused per database: %s", err);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\" } }, \"live\": 1 }", err) == -1,
	   "live must be a boolean: %s", err);

	ok(config_parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\" }, \"b\": { \"conninfo\": \"y\" } },"
			" \"live\": true }", &cfg, err, sizeof err) == 0 && cfg.live, "top-level live read");
	config_apply_defaults(&cfg, -1);
	ok(cfg.dbs[0].live && cfg.dbs[1].live && cfg.dbs[0].read_only && cfg.dbs[1].read_only,
	   "live reaches every database, read-only");
	config_free(&cfg);

	ok(config_parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"writers_group\": \"4242\" },"
			" \"b\": { \"conninfo\": \"y\" } } }", &cfg, err, sizeof err) == 0 &&
	   config_resolve_groups(&cfg, err, sizeof err) == 0 && cfg.dbs[0].has_writers &&
	   cfg.dbs[0].writers_gid == 4242 && !cfg.dbs[1].has_writers, "writers_group: a numeric gid");
	config_free(&cfg);
	ok(config_parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"writers_group\": \"no-such-grp\" } } }",
			&cfg, err, sizeof err) == 0 && config_resolve_groups(&cfg, err, sizeof err) == -1 &&
	   strstr(err, "databases.a.writers_group: no group \"no-such-grp\""), "an unknown writers_group: %s", err);
	config_free(&cfg);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"writers_group\": 5 } } }", err) == -1 &&
	   strstr(err, "a group name or a numeric gid"), "writers_group must be a string: %s", err);

	ok(config_parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"shadow\": false },"
			" \"b\": { \"conninfo\": \"y\", \"shadow_conninfo\": \"dbname=b_twin\" } } }",
			&cfg, err, sizeof err) == 0 && cfg.dbs[0].shadow_off && !cfg.dbs[0].shadow_conninfo &&
	   !cfg.dbs[1].shadow_off && !strcmp(cfg.dbs[1].shadow_conninfo, "dbname=b_twin"),
	   "shadow: false and shadow_conninfo read; the shadow is on by default");
	config_free(&cfg);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"shadow\": \"no\" } } }", err) == -1 &&
	   strstr(err, "databases.a.shadow") && strstr(err, "true or false"), "shadow must be a boolean: %s", err);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"shadow_conninfo\": \"\" } } }", err) == -1 &&
	   strstr(err, "a non-empty string"), "shadow_conninfo must be a non-empty string: %s", err);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"shadow\": true, \"shadow\": false } } }",
		 err) == -1 && strstr(err, "given twice"), "shadow given twice is refused: %s", err);

	ok(config_parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"parallel_read\": 0 },"
			" \"b\": { \"conninfo\": \"y\", \"parallel_read\": 20000 }, \"c\": { \"conninfo\": \"z\" } } }",
			&cfg, err, sizeof err) == 0, "parallel_read read");
	config_apply_defaults(&cfg, -1);
	ok(cfg.dbs[0].parallel_read == 0 && cfg.dbs[1].parallel_read == 20000 && cfg.dbs[2].parallel_read == 1000,
	   "parallel_read: 0 kept (never), a number kept, 1000 by default");
	config_free(&cfg);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"parallel_read\": -1 } } }", err) == -1 &&
	   strstr(err, "databases.a.parallel_read") && strstr(err, "a number of relations"),
	   "parallel_read must not be negative: %s", err);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"parallel_read\": 1.5 } } }", err) == -1,
	   "parallel_read must be whole: %s", err);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"parallel_read\": true } } }", err) == -1,
	   "parallel_read must be a number: %s", err);

	ok(config_conninfo_has_password("host=h password=s3cret dbname=x"), "password= in a conninfo");
	ok(config_conninfo_has_password("postgresql://u:s3cret@h/x"), ":password@ in a URI");
	ok(config_conninfo_has_password("postgresql://u@h/x?password=s3cret"), "password in a URI's query");
	ok(!config_conninfo_has_password("postgresql://u@h/x"), "a URI without a password");
	ok(!config_conninfo_has_password("host=h dbname=x passfile=/p"), "passfile is not a password");
	ok(!config_conninfo_has_password("service=x"), "a service");
	ok(!config_conninfo_has_password("not a conninfo ="), "an unparsable conninfo holds none");
	/* Found by tests/fuzz: a key given twice leaked its first value and
	 * was read as its last. */
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"conninfo\": \"y\" } } }", err) == -1 &&
	   strstr(err, "databases.a.conninfo\" given twice"), "a key given twice is refused: %s", err);
	ok(parse("{ \"databases\": { \"a\": { \"conninfo\": \"x\", \"schemas\": [], \"schemas\": [\"s\"] } } }",
		 err) == -1, "schemas given twice is refused: %s", err);
	ok(parse("{ \"ttl\": 1, \"databases\": { \"a\": { \"conninfo\": \"x\" } }, \"ttl\": 2 }", err) == -1 &&
	   strstr(err, "\"ttl\" given twice"), "a top-level key given twice is refused: %s", err);

	/* max_memory: a size, powers of 1024, copied to every database. */
	unsigned long long sz = 7;
	ok(!config_parse_size("512M", &sz) && sz == 512ULL << 20 && !config_parse_size("2G", &sz) &&
	   sz == 2ULL << 30 && !config_parse_size("100", &sz) && sz == 100 && !config_parse_size("1T", &sz) &&
	   sz == 1ULL << 40 && !config_parse_size("0", &sz) && sz == 0, "sizes: 512M, 2G, 100, 1T, 0");
	sz = 7;
	ok(config_parse_size("", &sz) && config_parse_size("M", &sz) && config_parse_size("-1M", &sz) &&
	   config_parse_size("1.5G", &sz) && config_parse_size("1 G", &sz) && config_parse_size("1MB", &sz) &&
	   config_parse_size("1g", &sz) && config_parse_size("99999999999999999999", &sz) &&
	   config_parse_size("20000000000000000T", &sz) && sz == 7,
	   "not sizes: empty, a bare unit, a sign, a fraction, a space, MB, a lower-case unit, overflows; "
	   "nothing written");
	err[0] = '\0';
	ok(config_parse("{ \"max_memory\": \"64M\", \"databases\": { \"a\": { \"conninfo\": \"x\" }, "
			"\"b\": { \"conninfo\": \"y\" } } }", &cfg, err, sizeof err) == 0,
	   "max_memory parses: %s", err);
	config_apply_defaults(&cfg, -1);
	ok(cfg.max_memory == 64ULL << 20 && cfg.dbs[0].max_memory == 64ULL << 20 &&
	   cfg.dbs[1].max_memory == 64ULL << 20, "max_memory reaches every database");
	config_free(&cfg);
	ok(parse("{ \"max_memory\": 64, \"databases\": { \"a\": { \"conninfo\": \"x\" } } }", err) == -1 &&
	   strstr(err, "max_memory") && strstr(err, "512M"), "max_memory must be a size string: %s", err);

	config_from_conninfo("dbname=x", &cfg);
	config_apply_defaults(&cfg, 0.5);
	ok(cfg.ndbs == 1 && cfg.dbs[0].name == NULL && cfg.dbs[0].ttl == 0.5,
	   "-o conninfo gives one unnamed database with the -o ttl");
	config_free(&cfg);
	return done_testing();
}

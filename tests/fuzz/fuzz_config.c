/*
 * fuzz_config: the configuration file (fs/config.c). No crash, no leak
 * (LeakSanitizer); a configuration accepted holds what the rest of the
 * code relies on (directory names usable and distinct, a conninfo, numbers
 * in range), is accepted again once written back as JSON, with the same
 * values, and has every default filled in by config_apply_defaults.
 */
#include <cjson/cJSON.h>
#include <limits.h>

#include "config.h"
#include "fuzz.h"

static void check_invariants(const struct config *cfg)
{
	CHECK(cfg->ndbs >= 1 && cfg->dbs);
	CHECK(!cfg->state_dir || *cfg->state_dir);
	CHECK(cfg->ttl == -1 || (cfg->ttl >= 0 && cfg->ttl <= 86400));
	for (size_t i = 0; i < cfg->ndbs; i++) {
		const struct db_config *db = &cfg->dbs[i];
		CHECK(db->name && *db->name && !strchr(db->name, '/'));
		CHECK(strcmp(db->name, ".") && strcmp(db->name, ".."));
		for (size_t k = 0; k < i; k++)
			CHECK(strcmp(cfg->dbs[k].name, db->name));
		CHECK(db->conninfo);
		CHECK(!db->nschemas || db->schemas);
		for (size_t k = 0; k < db->nschemas; k++)
			CHECK(db->schemas[k]);
		CHECK(!db->migrations_dir || *db->migrations_dir);
		CHECK(!db->migrations_table || *db->migrations_table);
		CHECK(!db->migrations_schema || *db->migrations_schema);
		CHECK(db->connect_timeout >= -1 && db->lock_timeout_ms >= -1 &&
		      db->statement_timeout_ms >= -1 && db->lock_wait_ms >= -1);
		CHECK(db->ttl == -1 || (db->ttl >= 0 && db->ttl <= 86400));
	}
}

static void put_str(cJSON *o, const char *key, const char *s)
{
	if (s)
		CHECK(cJSON_AddStringToObject(o, key, s));
}

static void put_num(cJSON *o, const char *key, double v)
{
	if (v != -1)
		CHECK(cJSON_AddNumberToObject(o, key, v));
}

/* The configuration written back as a configuration file. */
static char *serialise(const struct config *cfg)
{
	cJSON *root = cJSON_CreateObject(), *dbs = cJSON_AddObjectToObject(root, "databases");
	put_str(root, "state_dir", cfg->state_dir);
	put_num(root, "ttl", cfg->ttl);
	for (size_t i = 0; i < cfg->ndbs; i++) {
		const struct db_config *db = &cfg->dbs[i];
		cJSON *o = cJSON_AddObjectToObject(dbs, db->name);
		put_str(o, "conninfo", db->conninfo);
		if (db->schemas) {
			cJSON *a = cJSON_AddArrayToObject(o, "schemas");
			for (size_t k = 0; k < db->nschemas; k++)
				cJSON_AddItemToArray(a, cJSON_CreateString(db->schemas[k]));
		}
		if (db->read_only)
			cJSON_AddTrueToObject(o, "read_only");
		put_str(o, "migrations_dir", db->migrations_dir);
		put_str(o, "migrations_table", db->migrations_table);
		put_str(o, "migrations_schema", db->migrations_schema);
		put_num(o, "connect_timeout", db->connect_timeout);
		put_num(o, "ttl", db->ttl);
		put_num(o, "lock_timeout", db->lock_timeout_ms);
		put_num(o, "statement_timeout", db->statement_timeout_ms);
		put_num(o, "lock_wait", db->lock_wait_ms);
	}
	char *text = cJSON_Print(root);
	CHECK(text);
	cJSON_Delete(root);
	return text;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void check_equal(const struct config *a, const struct config *b)
{
	CHECK(a->ndbs == b->ndbs && same_str(a->state_dir, b->state_dir) && a->ttl == b->ttl);
	for (size_t i = 0; i < a->ndbs; i++) {
		const struct db_config *x = &a->dbs[i], *y = &b->dbs[i];
		CHECK(same_str(x->name, y->name) && same_str(x->conninfo, y->conninfo));
		CHECK(x->nschemas == y->nschemas && !x->schemas == !y->schemas);
		for (size_t k = 0; k < x->nschemas; k++)
			CHECK(!strcmp(x->schemas[k], y->schemas[k]));
		CHECK(x->read_only == y->read_only);
		CHECK(same_str(x->migrations_dir, y->migrations_dir));
		CHECK(same_str(x->migrations_table, y->migrations_table));
		CHECK(same_str(x->migrations_schema, y->migrations_schema));
		CHECK(x->connect_timeout == y->connect_timeout && x->ttl == y->ttl);
		CHECK(x->lock_timeout_ms == y->lock_timeout_ms && x->lock_wait_ms == y->lock_wait_ms);
		CHECK(x->statement_timeout_ms == y->statement_timeout_ms);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *json = fuzz_str(data, size), err[1024] = "";
	struct config cfg, again;
	if (config_parse(json, &cfg, err, sizeof err)) {
		CHECK(*err && !cfg.dbs && !cfg.ndbs && !cfg.state_dir);
		free(json);
		return 0;
	}
	check_invariants(&cfg);
	char *text = serialise(&cfg);
	if (config_parse(text, &again, err, sizeof err)) {
		fprintf(stderr, "refused when written back: %s\n%s\n", err, text);
		CHECK(0);
	}
	check_equal(&cfg, &again);
	config_free(&again);
	free(text);

	config_apply_defaults(&cfg, -1);
	CHECK(cfg.state_dir && cfg.ttl >= 0);
	for (size_t i = 0; i < cfg.ndbs; i++) {
		const struct db_config *db = &cfg.dbs[i];
		CHECK(db->migrations_table && db->migrations_schema);
		CHECK(db->connect_timeout >= 0 && db->ttl >= 0 && db->lock_timeout_ms >= 0 &&
		      db->statement_timeout_ms >= 0 && db->lock_wait_ms >= 0);
	}
	config_free(&cfg);
	free(json);
	return 0;
}

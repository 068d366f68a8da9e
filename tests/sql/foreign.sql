-- tests/sql/foreign.sql: foreign data the tree shows (wrappers, servers with
-- their user mappings, foreign tables with their columns and options), with
-- names that need quoting. Wrappers without a handler (no extension needed;
-- every major 13 and newer). No password: tests/e2e/49_foreign.sh adds one
-- and checks it shows nowhere. Used by 49_foreign.sh and 47_leftout.sh.
CREATE SCHEMA "Far Ω";
CREATE FOREIGN DATA WRAPPER "Wrap ""w""" OPTIONS (mode 'it''s; raw', "Odd Key" 'x');
COMMENT ON FOREIGN DATA WRAPPER "Wrap ""w""" IS 'a wrapper; it''s bare';
-- The built-in validator checks server and user mapping options as libpq's.
CREATE FOREIGN DATA WRAPPER checked VALIDATOR postgresql_fdw_validator;
CREATE SERVER "Srv one" TYPE 'kind ''a''' VERSION '1.0' FOREIGN DATA WRAPPER "Wrap ""w"""
    OPTIONS (host 'db.example', port '5433');
COMMENT ON SERVER "Srv one" IS 'the first; it''s far';
CREATE SERVER plain_srv FOREIGN DATA WRAPPER checked OPTIONS (dbname 'elsewhere');
CREATE USER MAPPING FOR PUBLIC SERVER plain_srv OPTIONS ("user" 'anyone');
CREATE USER MAPPING FOR CURRENT_USER SERVER plain_srv;
CREATE USER MAPPING FOR PUBLIC SERVER "Srv one";

CREATE TABLE "Far Ω".local_parent (id int NOT NULL, region text NOT NULL) PARTITION BY LIST (region);
CREATE TABLE "Far Ω".local_eu PARTITION OF "Far Ω".local_parent FOR VALUES IN ('eu');
CREATE FOREIGN TABLE "Far Ω"."Remote ""T""" (
    id integer NOT NULL,
    "Na me" text COLLATE "C" DEFAULT 'none',
    note varchar(20),
    CONSTRAINT "positive id" CHECK (id > 0)
) SERVER "Srv one" OPTIONS (schema_name 'remote', table_name 'T x');
ALTER FOREIGN TABLE "Far Ω"."Remote ""T""" ALTER COLUMN "Na me" OPTIONS (column_name 'name', "Odd" 'it''s');
ALTER FOREIGN TABLE "Far Ω"."Remote ""T""" ALTER COLUMN id OPTIONS (column_name 'ident');
COMMENT ON FOREIGN TABLE "Far Ω"."Remote ""T""" IS 'far away; it''s remote';
COMMENT ON COLUMN "Far Ω"."Remote ""T""".note IS 'a note';
CREATE FOREIGN TABLE public.bare () SERVER plain_srv;
-- A foreign partition of a local partitioned table.
CREATE FOREIGN TABLE "Far Ω".remote_us PARTITION OF "Far Ω".local_parent FOR VALUES IN ('us')
    SERVER "Srv one" OPTIONS (table_name 'us');
-- A trigger on a foreign table.
CREATE FUNCTION "Far Ω".noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER "on insert" BEFORE INSERT ON "Far Ω"."Remote ""T""" FOR EACH ROW EXECUTE FUNCTION "Far Ω".noop();

-- tests/sql/kinds.sql: the database-wide kinds the tree shows (casts,
-- event triggers, publications) and comments on a composite type's
-- attributes, with names that need quoting. Every major (13 and newer);
-- kinds_15.sql adds what 15 added (column lists, row filters, TABLES IN
-- SCHEMA). Used by tests/e2e/48_kinds.sh and 47_leftout.sh.
CREATE SCHEMA "Kind Ω";
CREATE TABLE "Kind Ω"."Tab le" (id int PRIMARY KEY, "Na me" text, extra text);
CREATE TABLE public.plain (id int PRIMARY KEY, note text);
CREATE TABLE public.kid (more int) INHERITS (public.plain);
CREATE TYPE "Kind Ω".mood AS ENUM ('low', 'high');

-- A composite type whose attributes have comments (one needs quoting).
CREATE TYPE "Kind Ω"."Pair ""x""" AS (a int, "B b" text, c text);
COMMENT ON COLUMN "Kind Ω"."Pair ""x""".a IS 'first';
COMMENT ON COLUMN "Kind Ω"."Pair ""x"""."B b" IS 'it''s; the "second"';
COMMENT ON TYPE "Kind Ω"."Pair ""x""" IS 'a pair';

-- Casts: WITH FUNCTION (AS ASSIGNMENT, with a comment), WITH INOUT (AS
-- IMPLICIT), WITHOUT FUNCTION (explicit), and one whose function takes a
-- table's row type (made after the tables).
CREATE FUNCTION "Kind Ω"."pair to text"(p "Kind Ω"."Pair ""x""") RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT p.a::text || ' ' || p."B b" $$;
CREATE CAST ("Kind Ω"."Pair ""x""" AS text) WITH FUNCTION "Kind Ω"."pair to text"("Kind Ω"."Pair ""x""") AS ASSIGNMENT;
COMMENT ON CAST ("Kind Ω"."Pair ""x""" AS text) IS 'it''s; a cast';
CREATE CAST (text AS "Kind Ω".mood) WITH INOUT AS IMPLICIT;
CREATE CAST (bytea AS text) WITHOUT FUNCTION;
CREATE FUNCTION "Kind Ω".row_text(r "Kind Ω"."Tab le") RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT r.id::text $$;
CREATE CAST ("Kind Ω"."Tab le" AS text) WITH FUNCTION "Kind Ω".row_text("Kind Ω"."Tab le");

-- Event triggers: with tags and a comment, disabled, ENABLE REPLICA,
-- ENABLE ALWAYS. The function does nothing.
CREATE FUNCTION "Kind Ω"."on ddl"() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER "Watch ""DDL""" ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
    EXECUTE FUNCTION "Kind Ω"."on ddl"();
COMMENT ON EVENT TRIGGER "Watch ""DDL""" IS 'it''s watching';
CREATE EVENT TRIGGER off_drop ON sql_drop EXECUTE FUNCTION "Kind Ω"."on ddl"();
ALTER EVENT TRIGGER off_drop DISABLE;
CREATE EVENT TRIGGER "replica rewrite" ON table_rewrite EXECUTE FUNCTION "Kind Ω"."on ddl"();
ALTER EVENT TRIGGER "replica rewrite" ENABLE REPLICA;
CREATE EVENT TRIGGER always_start ON ddl_command_start EXECUTE FUNCTION "Kind Ω"."on ddl"();
ALTER EVENT TRIGGER always_start ENABLE ALWAYS;

-- Publications: every table, some tables (the parent of an inheritance
-- child only: ONLY), publishing nothing.
CREATE PUBLICATION "All ""Pub""" FOR ALL TABLES;
COMMENT ON PUBLICATION "All ""Pub""" IS 'every table; it''s all';
CREATE PUBLICATION some_pub FOR TABLE "Kind Ω"."Tab le", public.plain
    WITH (publish = 'insert, update', publish_via_partition_root = true);
CREATE PUBLICATION empty_pub WITH (publish = '');

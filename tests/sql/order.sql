-- order.sql: objects whose names sort against their dependency order, and
-- cycles through a table that schema.sql must split the way pg_dump does
-- (tests/e2e/46_order.sh). Every major; order_14.sql adds BEGIN ATOMIC ones.
CREATE SCHEMA "Order Ω";

-- A view a_v over a view z_v over a table.
CREATE TABLE "Order Ω"."z tab" (id int PRIMARY KEY, n int);
CREATE VIEW "Order Ω".z_v AS SELECT id, n FROM "Order Ω"."z tab";
CREATE VIEW "Order Ω".a_v AS SELECT id FROM "Order Ω".z_v;

-- A domain over a domain, a type used by a function used by a default.
CREATE DOMAIN "Order Ω".z_dom AS int CHECK (VALUE > 0);
CREATE DOMAIN "Order Ω"."a dom" AS "Order Ω".z_dom CHECK (VALUE < 1000);
CREATE TYPE "Order Ω"."z kind" AS ENUM ('x', 'y');
CREATE FUNCTION "Order Ω".a_kind() RETURNS "Order Ω"."z kind" LANGUAGE sql IMMUTABLE
	AS $$ SELECT 'y'::"Order Ω"."z kind" $$;
CREATE TABLE "Order Ω".b_kinds (k "Order Ω"."z kind" DEFAULT "Order Ω".a_kind(), d "Order Ω"."a dom");

-- A cycle: a_f takes b t's row type (and reads b t), b t's default calls
-- a_f. pg_dump: the table without the default, the function, SET DEFAULT.
CREATE TABLE "Order Ω"."b t" (id serial PRIMARY KEY, n int);
CREATE FUNCTION "Order Ω".a_f(r "Order Ω"."b t" DEFAULT NULL) RETURNS int LANGUAGE sql STABLE
	AS $$ SELECT coalesce(max(id), 0) + 1 FROM "Order Ω"."b t" $$;
ALTER TABLE "Order Ω"."b t" ALTER COLUMN n SET DEFAULT "Order Ω".a_f();
COMMENT ON COLUMN "Order Ω"."b t".n IS 'defaults to a_f()';

-- A CHECK that calls a function on the table's row type.
CREATE TABLE "Order Ω"."c t" (id int, v int);
CREATE FUNCTION "Order Ω".a_chk(v int, r "Order Ω"."c t" DEFAULT NULL) RETURNS boolean
	LANGUAGE sql STABLE AS $$ SELECT v >= 0 $$;
ALTER TABLE "Order Ω"."c t" ADD CONSTRAINT "c t v ok" CHECK ("Order Ω".a_chk(v));

-- An index on an expression of a function defined after the table's name.
CREATE FUNCTION "Order Ω".z_norm(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower($1) $$;
CREATE TABLE "Order Ω".a_names (name text);
CREATE INDEX a_names_norm ON "Order Ω".a_names ("Order Ω".z_norm(name));

-- A foreign key to a table whose name sorts after.
CREATE TABLE "Order Ω".a_ref (z_id int REFERENCES "Order Ω"."z tab" (id));

-- A base type (superuser: LANGUAGE internal I/O functions): its shell
-- first, then the functions that name it, then its definition.
CREATE TYPE "Order Ω"."my text";
CREATE FUNCTION "Order Ω"."my text_in"(cstring) RETURNS "Order Ω"."my text"
	LANGUAGE internal IMMUTABLE STRICT AS 'textin';
CREATE FUNCTION "Order Ω"."my text_out"("Order Ω"."my text") RETURNS cstring
	LANGUAGE internal IMMUTABLE STRICT AS 'textout';
CREATE TYPE "Order Ω"."my text" (INPUT = "Order Ω"."my text_in", OUTPUT = "Order Ω"."my text_out",
	LIKE = text, CATEGORY = 'S');
COMMENT ON TYPE "Order Ω"."my text" IS 'text, by another name';
CREATE TABLE "Order Ω".a_notes (body "Order Ω"."my text" DEFAULT 'x');

-- Extended statistics in another schema than their table: in the table's
-- table.sql, under the statistics object's own schema.
CREATE STATISTICS public."z stats" (dependencies) ON id, n FROM "Order Ω"."z tab";

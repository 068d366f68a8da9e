-- order_14.sql: cycles made by BEGIN ATOMIC bodies (PostgreSQL 14 and
-- newer), which depend on what they read (tests/e2e/46_order.sh).

-- A default that calls a function that reads the table.
CREATE TABLE "Order Ω"."d t" (id int PRIMARY KEY);
CREATE FUNCTION "Order Ω".a_next() RETURNS int LANGUAGE sql STABLE
	BEGIN ATOMIC SELECT coalesce(max(id), 0) + 1 FROM "Order Ω"."d t"; END;
ALTER TABLE "Order Ω"."d t" ALTER COLUMN id SET DEFAULT "Order Ω".a_next();

-- A CHECK that calls a function that reads the table.
CREATE TABLE "Order Ω"."e t" (id int, v int);
CREATE FUNCTION "Order Ω".a_e_ok(x int) RETURNS boolean LANGUAGE sql STABLE
	BEGIN ATOMIC SELECT x >= (SELECT count(*) FROM "Order Ω"."e t"); END;
ALTER TABLE "Order Ω"."e t" ADD CONSTRAINT "e t ok" CHECK ("Order Ω".a_e_ok(v));

-- A view in a cycle: a_cv calls a_cf, which reads a_cv.
CREATE VIEW "Order Ω".a_cv AS SELECT 1 AS x, 'a'::text COLLATE "C" AS "Y";
CREATE FUNCTION "Order Ω".a_cf() RETURNS int LANGUAGE sql STABLE
	BEGIN ATOMIC SELECT count(*)::int FROM "Order Ω".a_cv; END;
CREATE OR REPLACE VIEW "Order Ω".a_cv AS SELECT "Order Ω".a_cf() AS x, 'b'::text COLLATE "C" AS "Y";
COMMENT ON VIEW "Order Ω".a_cv IS 'in a cycle';

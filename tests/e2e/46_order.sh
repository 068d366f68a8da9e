#!/usr/bin/env bash
# 46_order: schema.sql is sorted by PostgreSQL's own dependencies
# (pg_depend), not by a list of kinds: tests/sql/order.sql (and, on 14 and
# newer, order_14.sql) has objects whose names sort against their
# dependency order and cycles through a table, with names that need
# quoting. The whole-database schema.sql and the schema's own load into
# empty databases; the cycles are split as pg_dump splits them (a default
# set after the function it calls, a view made as a stand-in then
# replaced; a base type's shell before its I/O functions); scripts/roundtrip
# finds the copy identical.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE src" -c "CREATE DATABASE dst" -c "CREATE DATABASE dst1" >/dev/null
PGOPTIONS=--client-min-messages=warning sql src -v ON_ERROR_STOP=1 -f "$T_ROOT/tests/sql/order.sql" >/dev/null || { echo "not ok - loading order.sql"; exit 1; }
if [ "$T_PG_MAJOR" -ge 14 ]; then
	sql src -v ON_ERROR_STOP=1 -f "$T_ROOT/tests/sql/order_14.sql" >/dev/null ||
		{ echo "not ok - loading order_14.sql"; exit 1; }
fi

MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo=dbname=src || { not_ok "mount"; done_testing; }
S=$T_TMP/schema.sql
cp "$MNT/src/schema.sql" "$S"
check "schema.sql loads into an empty database without error" \
	psql -X -q -v ON_ERROR_STOP=1 -d dst -f "$S"
check "the schema's own schema.sql loads too" \
	psql -X -q -v ON_ERROR_STOP=1 -d dst1 -f "$MNT/src/schemas/Order Ω/schema.sql"
eq "nothing is left out" "" "$(grep '^-- left out' "$S")"

# line NUMBER of the first line of schema.sql that starts with TEXT (0: none)
line() { awk -v t="$1" 'index($0, t) == 1 { print NR; f = 1; exit } END { if (!f) print 0 }' "$S"; }
before() { # DESCRIPTION FIRST SECOND: both in schema.sql, FIRST on an earlier line
	local a b; a=$(line "$2"); b=$(line "$3")
	check "$1 (lines $a < $b)" test "$a" -gt 0 -a "$b" -gt "$a"
}
before "a view a_v after the view z_v it reads" \
	'CREATE VIEW "Order Ω".z_v AS' 'CREATE VIEW "Order Ω".a_v AS'
before "a domain after the domain it is over" \
	'CREATE DOMAIN "Order Ω".z_dom AS' 'CREATE DOMAIN "Order Ω"."a dom" AS'
before "an enum before the function that returns it" \
	'CREATE TYPE "Order Ω"."z kind" AS ENUM' 'CREATE OR REPLACE FUNCTION "Order Ω".a_kind()'
before "that function before the table whose default calls it" \
	'CREATE OR REPLACE FUNCTION "Order Ω".a_kind()' 'CREATE TABLE "Order Ω".b_kinds ('
check "... a default inside CREATE TABLE when no cycle needs otherwise" \
	grep -qF 'k "Order Ω"."z kind" DEFAULT "Order Ω".a_kind(),' "$S"
before "cycle (default): the table first, without the default" \
	'CREATE TABLE "Order Ω"."b t" (' 'CREATE OR REPLACE FUNCTION "Order Ω".a_f('
before "... then the function, then ALTER TABLE ... SET DEFAULT" \
	'CREATE OR REPLACE FUNCTION "Order Ω".a_f(' 'ALTER TABLE "Order Ω"."b t" ALTER COLUMN n SET DEFAULT'
check_fails "... the default is not in CREATE TABLE" grep -qE '^    n integer DEFAULT' "$S"
before "a CHECK after the function it calls" \
	'CREATE OR REPLACE FUNCTION "Order Ω".a_chk(' 'ALTER TABLE "Order Ω"."c t" ADD CONSTRAINT "c t v ok"'
before "an expression index after its function" \
	'CREATE OR REPLACE FUNCTION "Order Ω".z_norm(' 'CREATE INDEX a_names_norm ON "Order Ω".a_names'
before "a foreign key after the key it references" \
	'ALTER TABLE "Order Ω"."z tab" ADD CONSTRAINT "z tab_pkey"' 'ALTER TABLE "Order Ω".a_ref ADD CONSTRAINT a_ref_z_id_fkey'
before "a base type: its shell first" \
	'CREATE TYPE "Order Ω"."my text";' 'CREATE OR REPLACE FUNCTION "Order Ω"."my text_in"(cstring)'
before "... then its I/O functions, then its definition" \
	'CREATE OR REPLACE FUNCTION "Order Ω"."my text_out"(' 'CREATE TYPE "Order Ω"."my text" ('
before "... then the table that uses it" \
	'CREATE TYPE "Order Ω"."my text" (' 'CREATE TABLE "Order Ω".a_notes ('
eq "types/my text.sql: the definition and its comment" 'CREATE TYPE "Order Ω"."my text" (
    INPUT = "Order Ω"."my text_in",
    OUTPUT = "Order Ω"."my text_out",
    INTERNALLENGTH = variable,
    ALIGNMENT = int4,
    STORAGE = extended,
    CATEGORY = '"'S'"'
);
COMMENT ON TYPE "Order Ω"."my text" IS '"'text, by another name'"';' "$(cat "$MNT/src/schemas/Order Ω/types/my text.sql")"
check "statistics in another schema than their table: in the table's table.sql" \
	grep -qF 'CREATE STATISTICS public."z stats" (dependencies) ON id, n FROM "Order Ω"."z tab";' \
	"$MNT/src/schemas/Order Ω/tables/z tab/table.sql"
before "... and in schema.sql after the table" 'CREATE TABLE "Order Ω"."z tab" (' 'CREATE STATISTICS public."z stats"'
if [ "$T_PG_MAJOR" -ge 14 ]; then
	before "14: cycle through BEGIN ATOMIC: the table, the function" \
		'CREATE TABLE "Order Ω"."d t" (' 'CREATE OR REPLACE FUNCTION "Order Ω".a_next()'
	before "14: ... then SET DEFAULT" \
		'CREATE OR REPLACE FUNCTION "Order Ω".a_next()' 'ALTER TABLE "Order Ω"."d t" ALTER COLUMN id SET DEFAULT'
	before "14: a CHECK after the BEGIN ATOMIC function that reads its table" \
		'CREATE OR REPLACE FUNCTION "Order Ω".a_e_ok(' 'ALTER TABLE "Order Ω"."e t" ADD CONSTRAINT "e t ok"'
	before "14: a view in a cycle: a stand-in first" \
		'CREATE VIEW "Order Ω".a_cv AS' 'CREATE OR REPLACE FUNCTION "Order Ω".a_cf()'
	before "14: ... then CREATE OR REPLACE VIEW once the function exists" \
		'CREATE OR REPLACE FUNCTION "Order Ω".a_cf()' 'CREATE OR REPLACE VIEW "Order Ω".a_cv AS'
	eq "14: the view is the original in the copy" \
		"$(val src "SELECT pg_get_viewdef('\"Order Ω\".a_cv'::regclass)")" \
		"$(val dst "SELECT pg_get_viewdef('\"Order Ω\".a_cv'::regclass)")"
	check "14: views/a_cv.sql is the view itself, not the stand-in" \
		grep -qF '"Order Ω".a_cf() AS x' "$MNT/src/schemas/Order Ω/views/a_cv.sql"
fi
# The same file twice: the order does not depend on anything but the catalog.
cmp -s "$S" "$MNT/src/schema.sql"
eq "schema.sql reads the same twice" 0 $?

umount_fs "$MNT"
SCHEMAFS=$SCHEMAFS "$T_ROOT/scripts/roundtrip" dbname=src >"$T_TMP/rt.out" 2>"$T_TMP/rt.err"
rc=$?
eq "scripts/roundtrip: identical ($(grep -o 'compared by.*' "$T_TMP/rt.err"))" 0 "$rc"
[ "$rc" == 0 ] || sed 's/^/#   /' "$T_TMP/rt.out" "$T_TMP/rt.err" | head -n 30
done_testing

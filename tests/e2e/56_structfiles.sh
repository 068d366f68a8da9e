#!/usr/bin/env bash
# 56_structfiles: schemas, extensions and index and constraint renames are
# staged from the shell (issue 14): mkdir, rmdir, rm -r and mv of a schema,
# an extension's file written or removed, mv of an index or constraint
# file. Each is checked by PostgreSQL when it arrives (refusals stage
# nothing), planned in order, and applied with mv into apply/.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app >/dev/null <<'EOF'
CREATE SCHEMA old_s;
CREATE TABLE old_s.t1 (a integer);
CREATE SCHEMA doomed;
CREATE TABLE doomed.d1 (x integer);
CREATE TABLE doomed.d2 (y text);
CREATE SCHEMA empty_s;
CREATE TABLE public.room (id integer PRIMARY KEY, name text CONSTRAINT name_len CHECK (length(name) < 50));
CREATE INDEX room_name_idx ON public.room (name);
CREATE TYPE public.floatrange AS RANGE (subtype = float8);
CREATE DOMAIN public.posint AS integer CONSTRAINT posint_check CHECK (VALUE > 0);
CREATE TABLE public.stock (qty public.posint);
INSERT INTO public.stock VALUES (5), (7);
CREATE TYPE public.addr AS (street text, zip integer);
EOF

MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo="dbname=app" -o ttl=1 || { not_ok "mount"; done_testing; }
D=$MNT/app
S=$D/schemas
R=$S/public/tables/room
M=$D/migrations
PENDING=$M/pending

pending_sql() { cat "$PENDING"/*.sql 2>/dev/null; }
has_stmt() { pending_sql | grep -qF -- "$1" || { pending_sql; return 1; }; }
line_of() { pending_sql | grep -nF -- "$1" | head -n 1 | cut -d: -f1; }
# apply_all: every pending file, first to last, with mv into apply/.
apply_all() {
	local f
	while f=$(ls "$PENDING" | head -n 1) && [ -n "$f" ]; do
		mv "$PENDING/$f" "$M/apply/" || return 1
	done
}
nsp_count() { val app "SELECT count(*) FROM pg_namespace WHERE nspname = '$1'"; }

# --- mkdir of a schema, then a table and a column in it ---
check "mkdir schemas/sales" mkdir "$S/sales"
check "... the new schema's tables/ is there at once" test -d "$S/sales/tables"
check "mkdir of a table in it" mkdir "$S/sales/tables/orders"
check "a column file in it" sh -c "echo 'integer NOT NULL' > '$S/sales/tables/orders/columns/id'"
check "... CREATE SCHEMA is staged" has_stmt "CREATE SCHEMA sales;"
check "... CREATE TABLE in it too" has_stmt "CREATE TABLE sales.orders ("
check "... the schema is created before its table" test "$(line_of 'CREATE SCHEMA sales;')" -lt "$(line_of 'CREATE TABLE sales.orders (')"
eq "mkdir of an existing schema: EEXIST" "File exists" "$(errno_of mkdir "$S/public")"
before=$(pending_sql)
eq "mkdir of a name PostgreSQL reserves (pg_*): EINVAL" "Invalid argument" "$(errno_of mkdir "$S/pg_mine")"
check "... the server's reason in status" grep -q 'unacceptable schema name' "$M/status"
eq "... nothing more staged" "$before" "$(pending_sql)"
check "the staged migration applies" apply_all
eq "... the schema exists" "1" "$(nsp_count sales)"
eq "... with its table" "1" "$(val app "SELECT count(*) FROM pg_class WHERE oid = to_regclass('sales.orders')")"
eq "... nothing pending afterwards" "" "$(ls "$PENDING")"

# --- mv of a schema: a rename, identity kept ---
oid=$(val app "SELECT oid FROM pg_namespace WHERE nspname = 'old_s'")
check "mv schemas/old_s schemas/new_s" mv "$S/old_s" "$S/new_s"
check "... the tree shows new_s with its table at once" test -d "$S/new_s/tables/t1"
check "... and no old_s" test ! -e "$S/old_s"
check "... ALTER SCHEMA ... RENAME is staged" has_stmt "ALTER SCHEMA old_s RENAME TO new_s;"
eq "mv onto an existing schema: EEXIST" "File exists" "$(errno_of mv -T "$S/new_s" "$S/public")"
check "a column added to a table of the renamed schema" sh -c "echo 'text' > '$S/new_s/tables/t1/columns/b'"
check "... named under the new schema, after the rename" test "$(line_of 'ALTER SCHEMA old_s RENAME TO new_s;')" -lt "$(line_of 'ALTER TABLE new_s.t1 ADD COLUMN b text;')"
check "the rename applies" apply_all
eq "... same OID after apply" "$oid" "$(val app "SELECT oid FROM pg_namespace WHERE nspname = 'new_s'")"
eq "... with the new column" "1" "$(val app "SELECT count(*) FROM pg_attribute WHERE attrelid = 'new_s.t1'::regclass AND attname = 'b'")"

# --- rmdir of an empty schema; of a schema with tables ---
before=$(pending_sql)
eq "rmdir of a schema with tables: ENOTEMPTY" "Directory not empty" "$(errno_of rmdir "$S/doomed")"
check "... the reason names its tables" grep -q 'holds 2 tables (d1, d2)' "$M/status"
eq "... nothing staged" "$before" "$(pending_sql)"
check "rmdir of an empty schema" rmdir "$S/empty_s"
check "... DROP SCHEMA is staged" has_stmt "DROP SCHEMA empty_s;"
check "... gone from the tree" test ! -e "$S/empty_s"
check "rm -r of the schema with tables" rm -r "$S/doomed"
check "... its tables are dropped" has_stmt "DROP TABLE doomed.d1;"
check "... then the schema" test "$(line_of 'DROP TABLE doomed.d2;')" -lt "$(line_of 'DROP SCHEMA doomed;')"
check "... with a hazard listing what it holds" has_stmt "-- HAZARD: DROP SCHEMA doomed drops what it holds: tables d1, d2"
check "the drops apply" apply_all
eq "... both schemas are gone" "0 0" "$(nsp_count empty_s) $(nsp_count doomed)"

# --- extensions ---
X=$D/extensions
ver=$(val app "SELECT default_version FROM pg_available_extensions WHERE name = 'pg_trgm'")
check "writing extensions/pg_trgm.sql" sh -c "echo 'CREATE EXTENSION pg_trgm;' > '$X/pg_trgm.sql'"
check "... CREATE EXTENSION is staged" has_stmt "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public VERSION '$ver';"
eq "... the file reads as the server spells it" "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public VERSION '$ver';" "$(cat "$X/pg_trgm.sql")"
before=$(pending_sql)
cp "$X/pg_trgm.sql" "$T_TMP/trgm.sql"
check "writing it back unchanged" sh -c "cat '$T_TMP/trgm.sql' > '$X/pg_trgm.sql'"
eq "... stages nothing more" "$before" "$(pending_sql)"
eq "an extension the server does not have: EINVAL" "Invalid argument" \
	"$(errno_of bash -c "echo 'CREATE EXTENSION no_such_ext;' > '$X/no_such_ext.sql'")"
check "... status says so, with the server's list" grep -q 'extension no_such_ext is not available on this server (pg_available_extensions): it has .*pg_trgm' "$M/status"
eq "... nothing staged" "$before" "$(pending_sql)"
rm -f "$X/no_such_ext.sql"
eq "a file naming another extension: EINVAL" "Invalid argument" \
	"$(errno_of bash -c "echo 'CREATE EXTENSION hstore;' > '$X/pg_trgm.sql'")"
eq "... nothing staged" "$before" "$(pending_sql)"
check "the extension applies" apply_all
eq "... it exists" "1" "$(val app "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")"
eq "sed -i to a version it cannot be updated to: EINVAL" "Invalid argument" \
	"$(errno_of sed -i "s/VERSION '$ver'/VERSION '1.0'/" "$X/pg_trgm.sql")"
check "... the server's reason in status" grep -q 'no update path from version' "$M/status"
eq "... nothing staged" "" "$(ls "$PENDING")"
rm -f "$X"/sed*
check "sed -i to another schema" sed -i 's/WITH SCHEMA public/WITH SCHEMA sales/' "$X/pg_trgm.sql"
check "... ALTER EXTENSION ... SET SCHEMA is staged" has_stmt "ALTER EXTENSION pg_trgm SET SCHEMA sales;"
check "... the file shows it" grep -qF "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA sales VERSION '$ver';" "$X/pg_trgm.sql"
check "... discarded by rm of the generated file" rm "$PENDING"/*.sql
sql app -c "CREATE INDEX room_trgm ON public.room USING gin (name gin_trgm_ops)"
check "an index using it shows up" poll 30 test -f "$R/indexes/room_trgm.sql"
eq "rm of an extension something uses: EBUSY" "Device or resource busy" "$(errno_of rm "$X/pg_trgm.sql")"
check "... status names the dependent" grep -q 'extension pg_trgm is used by index room_trgm' "$M/status"
eq "... nothing staged" "" "$(ls "$PENDING")"
sql app -c "DROP INDEX public.room_trgm"
check "the index is gone" poll 30 test ! -e "$R/indexes/room_trgm.sql"
check "rm extensions/pg_trgm.sql" rm "$X/pg_trgm.sql"
check "... DROP EXTENSION is staged" has_stmt "DROP EXTENSION pg_trgm;"
check "the drop applies" apply_all
eq "... it is gone" "0" "$(val app "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")"

# --- mv of an index or constraint file: a rename ---
check "mv of an index file" mv "$R/indexes/room_name_idx.sql" "$R/indexes/room_by_name.sql"
check "... ALTER INDEX ... RENAME is staged" has_stmt "ALTER INDEX public.room_name_idx RENAME TO room_by_name;"
eq "... the file reads with its new name" "CREATE INDEX room_by_name ON public.room USING btree (name);" \
	"$(head -n 1 "$R/indexes/room_by_name.sql")"
check "... the old file is gone" test ! -e "$R/indexes/room_name_idx.sql"
check "mv of a constraint file" mv "$R/constraints/name_len.sql" "$R/constraints/name_length.sql"
check "... RENAME CONSTRAINT is staged" has_stmt "ALTER TABLE public.room RENAME CONSTRAINT name_len TO name_length;"
check "... no drop and create" sh -c "! cat '$PENDING'/*.sql | grep -qE 'DROP (INDEX|CONSTRAINT)'"
before=$(pending_sql)
eq "mv of a constraint onto a name PostgreSQL refuses (too long): ENAMETOOLONG" "File name too long" \
	"$(errno_of mv "$R/constraints/name_length.sql" "$R/constraints/$(printf 'c%.0s' $(seq 1 64)).sql")"
eq "... nothing staged" "$before" "$(pending_sql)"
idx=$(val app "SELECT 'public.room_name_idx'::regclass::oid")
check "the renames apply" apply_all
eq "... the index kept its OID" "$idx" "$(val app "SELECT to_regclass('public.room_by_name')::oid")"
eq "... the constraint is renamed" "name_length" "$(val app "SELECT conname FROM pg_constraint WHERE conrelid = 'public.room'::regclass AND contype = 'c'")"
eq "... nothing pending" "" "$(ls "$PENDING")"

# --- types: a new enum, rm of a type ---
T=$S/public/types
printf 'low\nmid\nhigh\n' > "$T_TMP/level"
check "cp of a new enum file (one label a line)" cp "$T_TMP/level" "$T/level"
check "... CREATE TYPE ... AS ENUM is staged" has_stmt "CREATE TYPE public.level AS ENUM ('low', 'mid', 'high');"
eq "... the file reads back its labels" "$(printf 'low\nmid\nhigh')" "$(cat "$T/level")"
before=$(pending_sql)
printf 'ok\n%070d\n' 0 > "$T_TMP/long"
eq "a label PostgreSQL refuses (over 63 bytes): EINVAL" "Invalid argument" "$(errno_of cp "$T_TMP/long" "$T/toolong")"
check "... the server's reason in status" grep -q 'invalid enum label' "$M/status"
eq "... nothing staged" "$before" "$(pending_sql)"
rm -f "$T/toolong"
check "mkdir of a schema, then an enum file in it" sh -c "mkdir '$S/inv' && cp '$T_TMP/level' '$S/inv/types/grade'"
check "... the schema is created before its type" test "$(line_of 'CREATE SCHEMA inv;')" -lt "$(line_of 'CREATE TYPE inv.grade AS ENUM')"
check "the types apply" apply_all
eq "... with their labels" "low,mid,high low,mid,high" "$(val app "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'public.level'::regtype") $(val app "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'inv.grade'::regtype")"
sql app -c "CREATE TABLE public.gauge (l public.level)"
check "a table using the enum shows up" poll 30 test -d "$S/public/tables/gauge"
eq "rm of an enum a column uses: EBUSY" "Device or resource busy" "$(errno_of rm "$T/level")"
check "... status names the column" grep -q 'type level is used by column l of table gauge' "$M/status"
eq "... nothing staged" "" "$(ls "$PENDING")"
sql app -c "DROP TABLE public.gauge"
check "the table is gone" poll 30 test ! -e "$S/public/tables/gauge"
check "rm of the enum file" rm "$T/level"
check "... DROP TYPE is staged" has_stmt "DROP TYPE public.level;"
check "rm of a range type's file" rm "$T/floatrange.sql"
check "... DROP TYPE is staged" has_stmt "DROP TYPE public.floatrange;"
check "... both gone from the tree" test ! -e "$T/level" -a ! -e "$T/floatrange.sql"
check "the drops apply" apply_all
eq "... the types are gone" "" "$(val app "SELECT string_agg(typname, ',') FROM pg_type WHERE typname IN ('level', 'floatrange')")"

# --- a domain's file rewritten: ALTER DOMAIN ---
DOM=$T/posint.sql
eq "a domain's file" "CREATE DOMAIN public.posint AS integer
    CONSTRAINT posint_check CHECK ((VALUE > 0));" "$(cat "$DOM")"
before=$(pending_sql)
check "writing it back unchanged" sh -c "cat '$DOM' > '$T_TMP/dom' && cat '$T_TMP/dom' > '$DOM'"
eq "... stages nothing" "$before" "$(pending_sql)"
eq "a new base type: EPERM" "Operation not permitted" "$(errno_of sed -i 's/AS integer/AS bigint/' "$DOM")"
check "... the reason in status" grep -q "a domain's base type or collation cannot be changed here" "$M/status"
eq "... nothing staged" "$before" "$(pending_sql)"
rm -f "$T"/sed*
check "sed -i: a default, NOT NULL and another CHECK" sed -i 's/AS integer/AS integer DEFAULT 1 NOT NULL/; s/(VALUE > 0)/(VALUE < 1000)/' "$DOM"
check "... the old CHECK is dropped" has_stmt "ALTER DOMAIN public.posint DROP CONSTRAINT posint_check;"
check "... SET DEFAULT" has_stmt "ALTER DOMAIN public.posint SET DEFAULT 1;"
check "... SET NOT NULL" has_stmt "ALTER DOMAIN public.posint SET NOT NULL;"
check "... the new CHECK is added NOT VALID" has_stmt "ALTER DOMAIN public.posint ADD CONSTRAINT posint_check CHECK ((VALUE < 1000)) NOT VALID;"
check "... then validated" test "$(line_of 'ADD CONSTRAINT posint_check')" -lt "$(line_of 'ALTER DOMAIN public.posint VALIDATE CONSTRAINT posint_check;')"
check "... the file shows the new definition" grep -qF "DEFAULT 1 NOT NULL" "$DOM"
check "the ALTER DOMAIN applies" apply_all
eq "... the domain is changed" "t|1|CHECK ((VALUE < 1000))" "$(val app "SELECT t.typnotnull, t.typdefault, pg_get_constraintdef(k.oid) FROM pg_type t JOIN pg_constraint k ON k.contypid = t.oid AND k.contype = 'c' WHERE t.oid = 'public.posint'::regtype")"
eq "... nothing pending" "" "$(ls "$PENDING")"
check "sed -i dropping the default, NOT NULL and the CHECK" sed -i 's/ DEFAULT 1 NOT NULL//; /CONSTRAINT posint_check/d; s/integer$/integer;/' "$DOM"
check "... DROP DEFAULT" has_stmt "ALTER DOMAIN public.posint DROP DEFAULT;"
check "... DROP NOT NULL" has_stmt "ALTER DOMAIN public.posint DROP NOT NULL;"
check "... DROP CONSTRAINT" has_stmt "ALTER DOMAIN public.posint DROP CONSTRAINT posint_check;"
check "they apply" apply_all
eq "... the domain is plain" "f||0" "$(val app "SELECT t.typnotnull, t.typdefault, (SELECT count(*) FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c') FROM pg_type t WHERE t.oid = 'public.posint'::regtype")"

# --- a composite's file rewritten: ALTER TYPE ... ATTRIBUTE ---
AD=$T/addr.sql
eq "a composite's file" "CREATE TYPE public.addr AS (
    street text,
    zip integer
);" "$(cat "$AD")"
printf 'CREATE TYPE public.addr AS (zip bigint, city varchar(40));\n' > "$T_TMP/addr.sql"
check "cp of a new definition: one dropped, one changed, one added" cp "$T_TMP/addr.sql" "$AD"
check "... ALTER TYPE" has_stmt "ALTER TYPE public.addr"
check "... DROP ATTRIBUTE" has_stmt "    DROP ATTRIBUTE street,"
check "... ALTER ATTRIBUTE ... TYPE" has_stmt "    ALTER ATTRIBUTE zip TYPE bigint,"
check "... ADD ATTRIBUTE" has_stmt "    ADD ATTRIBUTE city character varying(40);"
eq "... the file reads as PostgreSQL spells it" "CREATE TYPE public.addr AS (
    zip bigint,
    city character varying(40)
);" "$(cat "$AD")"
check "the ALTER TYPE applies" apply_all
eq "... the attributes" "zip bigint,city character varying(40)" "$(val app "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = (SELECT typrelid FROM pg_type WHERE oid = 'public.addr'::regtype) AND attnum > 0 AND NOT attisdropped")"
sql app -c "CREATE TABLE public.shipment (a public.addr)"
check "a table using the composite shows up" poll 30 test -d "$S/public/tables/shipment"
printf 'CREATE TYPE public.addr AS (zip numeric, city varchar(40));\n' > "$T_TMP/addr2.sql"
eq "a change PostgreSQL refuses (a column uses the type): EINVAL" "Invalid argument" "$(errno_of cp "$T_TMP/addr2.sql" "$AD")"
check "... the server's reason in status" grep -q 'because column "shipment.a" uses it' "$M/status"
eq "... nothing staged" "" "$(ls "$PENDING")"
printf 'CREATE TABLE public.addr (x integer);\n' > "$T_TMP/addr3.sql"
eq "a file that creates something else: EINVAL" "Invalid argument" "$(errno_of cp "$T_TMP/addr3.sql" "$AD")"
eq "... nothing staged" "" "$(ls "$PENDING")"

# --- new domain, composite and range types from .sql files ---
printf 'CREATE DOMAIN public.percent AS numeric(5,2) DEFAULT 0 CHECK (VALUE BETWEEN 0 AND 100);\n' > "$T_TMP/percent.sql"
printf 'CREATE TYPE public.point3 AS (x float8, y float8, z float8);\n' > "$T_TMP/point3.sql"
printf 'CREATE TYPE public.dayrange AS RANGE (subtype = date);\n' > "$T_TMP/dayrange.sql"
for ty in percent point3 dayrange; do
	check "cp of a new types/$ty.sql" cp "$T_TMP/$ty.sql" "$T/$ty.sql"
done
check "... CREATE DOMAIN is staged" has_stmt "CREATE DOMAIN public.percent AS numeric(5,2) DEFAULT 0"
check "... CREATE TYPE ... AS (...)" has_stmt "CREATE TYPE public.point3 AS ("
check "... CREATE TYPE ... AS RANGE" has_stmt "CREATE TYPE public.dayrange AS RANGE ("
check "... the domain's file reads as PostgreSQL spells it" grep -qF "CONSTRAINT percent_check CHECK (((VALUE >= (0)::numeric) AND (VALUE <= (100)::numeric)))" "$T/percent.sql"
printf 'CREATE TABLE public.percent2 (x integer);\n' > "$T_TMP/percent2.sql"
before=$(pending_sql)
eq "a .sql file that creates a table: EINVAL" "Invalid argument" "$(errno_of cp "$T_TMP/percent2.sql" "$T/percent2.sql")"
eq "... nothing staged" "$before" "$(pending_sql)"
rm -f "$T/percent2.sql"
check "the new types apply" apply_all
eq "... they exist" "dayrange|r percent|d point3|c" "$(val app "SELECT string_agg(typname || '|' || typtype::text, ' ' ORDER BY typname) FROM pg_type WHERE typname IN ('percent', 'point3', 'dayrange')")"
eq "... nothing pending" "" "$(ls "$PENDING")"

# --- checked on the shadow database: production takes no lock ---
sql app -c "CREATE INDEX room_id_name ON public.room (id, name)"
check "a new index shows up" poll 30 test -f "$R/indexes/room_id_name.sql"
check "the shadow is loaded (with it)" poll 60 grep -qE '^shadow: app_schemafs_shadow, loaded in [0-9]+ ms$' "$M/status"
PGAPPNAME=struct_locker psql -X -q -d app -c "BEGIN" -c "LOCK TABLE public.room IN ACCESS EXCLUSIVE MODE" \
	-c "SELECT pg_sleep(120)" >/dev/null 2>&1 &
locker=$!
room_locked() { [ "$(val app "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'struct_locker' AND l.relation = 'public.room'::regclass AND l.mode = 'AccessExclusiveLock' AND l.granted")" = 1 ]; }
check "... a session holds ACCESS EXCLUSIVE on room" poll 30 room_locked
check "mv of an index of the locked table is checked meanwhile (on the shadow)" \
	mv "$R/indexes/room_id_name.sql" "$R/indexes/room_by_id_name.sql"
check "... ALTER INDEX ... RENAME is staged" has_stmt "ALTER INDEX public.room_id_name RENAME TO room_by_id_name;"
check "mv of a constraint of the locked table too" mv "$R/constraints/name_length.sql" "$R/constraints/name_short.sql"
check "... RENAME CONSTRAINT is staged" has_stmt "ALTER TABLE public.room RENAME CONSTRAINT name_length TO name_short;"
before=$(pending_sql)
# rename(2)'s EINVAL, as GNU mv words it.
eq "PostgreSQL's refusal comes meanwhile too (an index named as a table): EINVAL" "1" \
	"$(mv "$R/indexes/room_by_id_name.sql" "$R/indexes/stock.sql" 2>&1 | grep -c 'to a subdirectory of itself')"
check "... the server's reason in status" grep -q 'relation "stock" already exists' "$M/status"
eq "... nothing staged" "$before" "$(pending_sql)"
check "... the lock is still held: nothing waited for it" room_locked
val app "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'struct_locker'" >/dev/null
wait $locker
room_free() { ! room_locked; }
check "... the lock is released" poll 30 room_free
check "the renames apply" apply_all
eq "... the index and constraint are renamed" "room_by_id_name name_short" "$(val app "SELECT (SELECT relname FROM pg_class WHERE oid = to_regclass('public.room_by_id_name')) || ' ' || (SELECT conname FROM pg_constraint WHERE conrelid = 'public.room'::regclass AND contype = 'c')")"

# --- a type staged earlier is there when the next edit is checked ---
printf 'CREATE DOMAIN public.cents AS bigint CHECK (VALUE >= 0);\n' > "$T_TMP/cents.sql"
printf 'CREATE TYPE public.price AS (amount public.cents, currency text);\n' > "$T_TMP/price.sql"
check "cp of a new domain" cp "$T_TMP/cents.sql" "$T/cents.sql"
check "cp of a composite using it (staged only)" cp "$T_TMP/price.sql" "$T/price.sql"
check "... both are staged" has_stmt "CREATE TYPE public.price AS ("
check "... the domain first" test "$(line_of 'CREATE DOMAIN public.cents')" -lt "$(line_of 'CREATE TYPE public.price AS (')"
check "... the composite reads its attribute's type" grep -qF "amount cents," "$T/price.sql"
check "they apply" apply_all
eq "... the composite uses the domain" "cents" "$(val app "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = (SELECT typrelid FROM pg_type WHERE oid = 'public.price'::regtype) AND attname = 'amount'")"

# --- COMMENT lines in type and extension files ---
before=$(pending_sql)
{ cat "$DOM"; echo "COMMENT ON DOMAIN public.posint IS 'a positive count';"; } > "$T_TMP/dom_c"
check "a COMMENT ON DOMAIN line added to a domain's file" sh -c "cat '$T_TMP/dom_c' > '$DOM'"
check "... COMMENT ON DOMAIN is staged" has_stmt "COMMENT ON DOMAIN public.posint IS 'a positive count';"
check "... no ALTER DOMAIN" sh -c "! cat '$PENDING'/*.sql | grep -q 'ALTER DOMAIN'"
eq "... the file reads it back" "COMMENT ON DOMAIN public.posint IS 'a positive count';" "$(tail -n 1 "$DOM")"
before=$(pending_sql)
check "writing the file back as read" sh -c "cat '$DOM' > '$T_TMP/dom_c2' && cat '$T_TMP/dom_c2' > '$DOM'"
eq "... stages nothing more" "$before" "$(pending_sql)"
{ cat "$DOM"; echo "COMMENT ON TYPE public.addr IS 'not mine';"; } > "$T_TMP/dom_bad"
eq "a COMMENT on another type: EINVAL" "Invalid argument" "$(errno_of sh -c "cat '$T_TMP/dom_bad' > '$DOM'")"
check "... the reason in status" grep -q "a type's file holds its CREATE and its COMMENT ON TYPE (or DOMAIN) public.posint: statement 3 is something else" "$M/status"
eq "... nothing staged" "$before" "$(pending_sql)"
check "the comment applies" apply_all
eq "... the domain has it" "a positive count" "$(val app "SELECT obj_description('public.posint'::regtype, 'pg_type')")"
check "the file written back as read once applied" sh -c "cat '$DOM' > '$T_TMP/dom_c3' && cat '$T_TMP/dom_c3' > '$DOM'"
eq "... stages nothing" "" "$(ls "$PENDING")"
check "sed -i removing the COMMENT line" sed -i '/^COMMENT ON DOMAIN/d' "$DOM"
check "... COMMENT ... IS NULL is staged" has_stmt "COMMENT ON DOMAIN public.posint IS NULL;"
check "a COMMENT ON TYPE line added to a composite's file" sh -c "{ cat '$AD'; echo \"COMMENT ON TYPE public.addr IS 'postal';\"; } > '$T_TMP/addr_c' && cat '$T_TMP/addr_c' > '$AD'"
check "... COMMENT ON TYPE is staged" has_stmt "COMMENT ON TYPE public.addr IS 'postal';"
printf "CREATE TYPE public.span AS RANGE (subtype = integer);\nCOMMENT ON TYPE public.span IS 'ints';\n" > "$T_TMP/span.sql"
check "a new range type's file with its COMMENT" cp "$T_TMP/span.sql" "$T/span.sql"
check "... created with its comment" has_stmt "COMMENT ON TYPE public.span IS 'ints';"
check "they apply" apply_all
eq "... the comments are as staged" "|postal|ints" "$(val app "SELECT coalesce(obj_description('public.posint'::regtype, 'pg_type'), '') || '|' || obj_description('public.addr'::regtype, 'pg_type') || '|' || obj_description('public.span'::regtype, 'pg_type')")"
sql app -c "COMMENT ON COLUMN public.addr.zip IS 'postcode'"
check "an attribute's comment shows in the composite's file" poll 30 grep -qF "COMMENT ON COLUMN public.addr.zip IS 'postcode';" "$AD"
check "the file written back as read" sh -c "cat '$AD' > '$T_TMP/addr_c2' && cat '$T_TMP/addr_c2' > '$AD'"
eq "... stages nothing" "" "$(ls "$PENDING")"
eq "a changed attribute comment: EPERM (not staged here)" "Operation not permitted" \
	"$(errno_of sh -c "sed 's/postcode/zip code/' '$T_TMP/addr_c2' > '$AD'")"
check "... the reason in status" grep -q "the comment of attribute zip is not changed here" "$M/status"
eq "... nothing staged" "" "$(ls "$PENDING")"

sql app -c "CREATE EXTENSION pg_trgm"
check "an extension created live shows up" poll 30 test -f "$X/pg_trgm.sql"
ctl=$(val app "SELECT comment FROM pg_available_extensions WHERE name = 'pg_trgm'")
check "... its file has no COMMENT line (the control file's comment)" sh -c "! grep -q COMMENT '$X/pg_trgm.sql'"
{ cat "$X/pg_trgm.sql"; echo "COMMENT ON EXTENSION pg_trgm IS 'trigram search';"; } > "$T_TMP/trgm_c"
check "a COMMENT ON EXTENSION line added" sh -c "cat '$T_TMP/trgm_c' > '$X/pg_trgm.sql'"
check "... COMMENT ON EXTENSION is staged" has_stmt "COMMENT ON EXTENSION pg_trgm IS 'trigram search';"
check "... and nothing else" sh -c "! cat '$PENDING'/*.sql | grep -q 'ALTER EXTENSION'"
before=$(pending_sql)
check "writing the file back as read" sh -c "cat '$X/pg_trgm.sql' > '$T_TMP/trgm_c2' && cat '$T_TMP/trgm_c2' > '$X/pg_trgm.sql'"
eq "... stages nothing more" "$before" "$(pending_sql)"
{ cat "$X/pg_trgm.sql"; echo "COMMENT ON EXTENSION plpgsql IS 'x';"; } > "$T_TMP/trgm_bad"
eq "a COMMENT on another extension: EINVAL" "Invalid argument" "$(errno_of sh -c "cat '$T_TMP/trgm_bad' > '$X/pg_trgm.sql'")"
eq "... nothing staged" "$before" "$(pending_sql)"
check "the comment applies" apply_all
eq "... the extension has it" "trigram search" "$(val app "SELECT obj_description(oid, 'pg_extension') FROM pg_extension WHERE extname = 'pg_trgm'")"
check "the file without its COMMENT line" sed -i '/^COMMENT ON EXTENSION/d' "$X/pg_trgm.sql"
check "... stages the control file's comment back" has_stmt "COMMENT ON EXTENSION pg_trgm IS '$ctl';"
check "it applies" apply_all
eq "... the comment is the control file's" "$ctl" "$(val app "SELECT obj_description(oid, 'pg_extension') FROM pg_extension WHERE extname = 'pg_trgm'")"

umount_fs "$MNT"
done_testing

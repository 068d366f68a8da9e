#!/usr/bin/env bash
# 48_kinds: the database-wide kinds (issue 12): casts/, event_triggers/ and
# publications/ at the top of a database's tree, and comments on a
# composite type's attributes in its types/ file; all in schema.sql, which
# names nothing as left out. tests/sql/kinds.sql (and kinds_15.sql on 15
# and newer: publication column lists, row filters, TABLES IN SCHEMA) has
# names that need quoting. schema.sql loads into an empty database and
# gives the same objects (compared straight from both catalogs, and by
# scripts/roundtrip: pg_dump where it accepts the server, else the catalog
# summary and diff -r of both trees). The new directories are read-only,
# follow the database live, and are there, empty, in a database without
# such objects; the number of catalog queries does not depend on them.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE src" -c "CREATE DATABASE dst" -c "CREATE DATABASE bare" >/dev/null
# CREATE PUBLICATION warns that wal_level is not logical: not an error.
sql src -f "$T_ROOT/tests/sql/kinds.sql" >/dev/null 2>"$T_TMP/load.err" ||
	{ cat "$T_TMP/load.err"; echo "not ok - loading kinds.sql"; exit 1; }
if [ "$T_PG_MAJOR" -ge 15 ]; then
	sql src -f "$T_ROOT/tests/sql/kinds_15.sql" >/dev/null 2>"$T_TMP/load.err" ||
		{ cat "$T_TMP/load.err"; echo "not ok - loading kinds_15.sql"; exit 1; }
fi

MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo=dbname=src -o ttl=1 || { not_ok "mount"; done_testing; }
D=$MNT/src
cp "$D/schema.sql" "$T_TMP/schema.sql"

# ------------------------------------------------------------------ listings
eq "the database directory" "$(printf '%s\n' casts event_triggers extensions foreign_data migrations publications schema.sql schemas)" \
	"$(ls -U -A "$D")"
eq "casts/ lists every user cast, sorted, by '<source> AS <target>'" \
	"$(printf '%s\n' '"Kind Ω"."Pair ""x""" AS text.sql' '"Kind Ω"."Tab le" AS text.sql' 'bytea AS text.sql' \
		'text AS "Kind Ω".mood.sql')" "$(ls -U -A "$D/casts")"
eq "event_triggers/ lists every event trigger, sorted" \
	"$(printf '%s\n' 'Watch "DDL".sql' always_start.sql off_drop.sql 'replica rewrite.sql')" \
	"$(ls -U -A "$D/event_triggers")"
pubs=('All "Pub".sql' empty_pub.sql some_pub.sql)
[ "$T_PG_MAJOR" -ge 15 ] && pubs=('All "Pub".sql' 'cols & rows.sql' empty_pub.sql 'per schema.sql' some_pub.sql)
eq "publications/ lists every publication, sorted" "$(printf '%s\n' "${pubs[@]}")" "$(ls -U -A "$D/publications")"

# ---------------------------------------------------------------- the files
eq "a cast WITH FUNCTION, AS ASSIGNMENT, with its comment" \
	'CREATE CAST ("Kind Ω"."Pair ""x""" AS text) WITH FUNCTION "Kind Ω"."pair to text"("Kind Ω"."Pair ""x""") AS ASSIGNMENT;
COMMENT ON CAST ("Kind Ω"."Pair ""x""" AS text) IS '"'it''s; a cast'"';' \
	"$(cat "$D/casts/\"Kind Ω\".\"Pair \"\"x\"\"\" AS text.sql")"
eq "a cast WITH INOUT AS IMPLICIT" 'CREATE CAST (text AS "Kind Ω".mood) WITH INOUT AS IMPLICIT;' \
	"$(cat "$D/casts/text AS \"Kind Ω\".mood.sql")"
eq "a cast WITHOUT FUNCTION" 'CREATE CAST (bytea AS text) WITHOUT FUNCTION;' "$(cat "$D/casts/bytea AS text.sql")"
eq "an event trigger with tags and a comment" \
	'CREATE EVENT TRIGGER "Watch ""DDL""" ON ddl_command_end WHEN TAG IN ('"'CREATE TABLE', 'ALTER TABLE'"') EXECUTE FUNCTION "Kind Ω"."on ddl"();
COMMENT ON EVENT TRIGGER "Watch ""DDL""" IS '"'it''s watching'"';' "$(cat "$D/event_triggers/Watch \"DDL\".sql")"
eq "a disabled event trigger" 'CREATE EVENT TRIGGER off_drop ON sql_drop EXECUTE FUNCTION "Kind Ω"."on ddl"();
ALTER EVENT TRIGGER off_drop DISABLE;' "$(cat "$D/event_triggers/off_drop.sql")"
eq "ENABLE REPLICA" 'ALTER EVENT TRIGGER "replica rewrite" ENABLE REPLICA;' \
	"$(tail -n 1 "$D/event_triggers/replica rewrite.sql")"
eq "ENABLE ALWAYS" 'ALTER EVENT TRIGGER always_start ENABLE ALWAYS;' "$(tail -n 1 "$D/event_triggers/always_start.sql")"
eq "a publication FOR ALL TABLES, with its comment" \
	'CREATE PUBLICATION "All ""Pub""" FOR ALL TABLES WITH (publish = '"'insert, update, delete, truncate'"', publish_via_partition_root = false);
COMMENT ON PUBLICATION "All ""Pub""" IS '"'every table; it''s all'"';' "$(cat "$D/publications/All \"Pub\".sql")"
eq "a publication of some tables (ONLY: an inheritance child is listed by itself)" \
	"CREATE PUBLICATION some_pub WITH (publish = 'insert, update', publish_via_partition_root = true);
ALTER PUBLICATION some_pub ADD TABLE ONLY \"Kind Ω\".\"Tab le\";
ALTER PUBLICATION some_pub ADD TABLE ONLY public.kid;
ALTER PUBLICATION some_pub ADD TABLE ONLY public.plain;" "$(cat "$D/publications/some_pub.sql")"
eq "a publication of nothing" "CREATE PUBLICATION empty_pub WITH (publish = '', publish_via_partition_root = false);" \
	"$(cat "$D/publications/empty_pub.sql")"
if [ "$T_PG_MAJOR" -ge 15 ]; then
	eq "15: column lists and row filters" \
		"CREATE PUBLICATION \"cols & rows\" WITH (publish = 'insert, update, delete, truncate', publish_via_partition_root = false);
ALTER PUBLICATION \"cols & rows\" ADD TABLE ONLY \"Kind Ω\".\"Tab le\" (id, \"Na me\") WHERE ((id > 10));
ALTER PUBLICATION \"cols & rows\" ADD TABLE ONLY public.kid;
ALTER PUBLICATION \"cols & rows\" ADD TABLE ONLY public.plain WHERE ((note IS NOT NULL));" \
		"$(cat "$D/publications/cols & rows.sql")"
	eq "15: TABLES IN SCHEMA" "ALTER PUBLICATION \"per schema\" ADD TABLES IN SCHEMA \"Kind Ω\";
ALTER PUBLICATION \"per schema\" ADD TABLES IN SCHEMA public;" "$(tail -n 2 "$D/publications/per schema.sql")"
fi
eq "a composite type's file: its attributes' comments" \
	'CREATE TYPE "Kind Ω"."Pair ""x""" AS (
    a integer,
    "B b" text,
    c text
);
COMMENT ON TYPE "Kind Ω"."Pair ""x""" IS '"'a pair'"';
COMMENT ON COLUMN "Kind Ω"."Pair ""x""".a IS '"'first'"';
COMMENT ON COLUMN "Kind Ω"."Pair ""x"""."B b" IS '"'it''s; the \"second\"'"';' \
	"$(cat "$D/schemas/Kind Ω/types/Pair \"x\".sql")"
sizes_exact "$D"/casts/* "$D"/event_triggers/* "$D"/publications/* "$D/schemas/Kind Ω/types/Pair \"x\".sql"

# --------------------------------------------------------------- schema.sql
eq "schema.sql leaves nothing out" "" "$(grep '^-- left out' "$T_TMP/schema.sql")"
n_fn=$(sql_line 'CREATE OR REPLACE FUNCTION "Kind Ω"."pair to text"')
n_cast=$(sql_line 'CREATE CAST ("Kind Ω"."Pair ""x""" AS text)')
check "a cast after its function (lines ${n_fn:-?} < ${n_cast:-?})" test "${n_fn:-0}" -gt 0 -a "${n_cast:-0}" -gt "${n_fn:-0}"
n_tab=$(sql_line 'CREATE TABLE "Kind Ω"."Tab le"')
n_rowcast=$(sql_line 'CREATE CAST ("Kind Ω"."Tab le" AS text)')
check "a cast of a table's row type after the table (lines ${n_tab:-?} < ${n_rowcast:-?})" \
	test "${n_tab:-0}" -gt 0 -a "${n_rowcast:-0}" -gt "${n_tab:-0}"
n_pub=$(sql_line 'CREATE PUBLICATION')
n_evt=$(sql_line 'CREATE EVENT TRIGGER')
n_lasttab=$(grep -n '^CREATE TABLE' "$T_TMP/schema.sql" | tail -n 1 | cut -d: -f1)
check "publications after every table (lines ${n_lasttab:-?} < ${n_pub:-?})" \
	test "${n_lasttab:-0}" -gt 0 -a "${n_pub:-0}" -gt "${n_lasttab:-0}"
check "event triggers last (line ${n_evt:-?} on)" test "${n_evt:-0}" -gt "${n_pub:-0}"
check_fails "... nothing else after them" bash -c "tail -n +${n_evt:-1} '$T_TMP/schema.sql' | grep -v 'EVENT TRIGGER'"
check_fails "a schema's schema.sql has no database-wide objects" \
	grep -qE 'CAST|PUBLICATION|EVENT TRIGGER' "$D/schemas/Kind Ω/schema.sql"
check "... but its types' attribute comments" grep -qF 'COMMENT ON COLUMN "Kind Ω"."Pair ""x""".a' "$D/schemas/Kind Ω/schema.sql"

# ------------------------------------------------------------- round trip
check "schema.sql loads into an empty database without error" \
	psql -X -q -v ON_ERROR_STOP=1 -d dst -f "$T_TMP/schema.sql"
kinds() { summary "$1" '^(cast|event trigger|publication|publication member|publication table)\||^column\|"Kind Ω"\."Pair'; }
kinds src >"$T_TMP/src.kinds"
kinds dst >"$T_TMP/dst.kinds"
eq "casts, event triggers, publications and attribute comments are the same in the copy" \
	"$(cat "$T_TMP/src.kinds")" "$(cat "$T_TMP/dst.kinds")"
check "... 4 casts, 4 event triggers, 3 attributes to compare" test "$(grep -c '^cast|' "$T_TMP/src.kinds")" -eq 4 \
	-a "$(grep -c '^event trigger|' "$T_TMP/src.kinds")" -eq 4 -a "$(grep -c '^column|' "$T_TMP/src.kinds")" -eq 3
check "... and the publications' tables" test "$(grep -c '^publication member|' "$T_TMP/src.kinds")" -ge 3
SCHEMAFS=$SCHEMAFS "$T_ROOT/scripts/roundtrip" dbname=src >"$T_TMP/rt.out" 2>"$T_TMP/rt.err"
rc=$?
eq "scripts/roundtrip: identical ($(grep -o 'compared by.*' "$T_TMP/rt.err"))" 0 "$rc"
[ "$rc" == 0 ] || sed 's/^/#   /' "$T_TMP/rt.out" "$T_TMP/rt.err" | head -n 30

# ---------------------------------------------------------------- read-only
before=$(cat "$D/casts/bytea AS text.sql")
eq "casts/ is read-only: writing a file is EPERM" "Operation not permitted" \
	"$(errno_of bash -c "echo 'CREATE CAST (bytea AS text) WITH INOUT;' >'$D/casts/bytea AS text.sql'")"
eq "... creating one is EPERM" "Operation not permitted" \
	"$(errno_of bash -c "echo x >'$D/casts/new.sql'")"
eq "event_triggers/: creating one is EPERM" "Operation not permitted" \
	"$(errno_of bash -c "echo x >'$D/event_triggers/new.sql'")"
eq "publications/: removing one is EPERM" "Operation not permitted" "$(errno_of rm "$D/publications/empty_pub.sql")"
eq "... the file is unchanged" "$before" "$(cat "$D/casts/bytea AS text.sql")"
eq "... nothing staged" "" "$(ls -A "$D/migrations/pending")"
eq "... nothing run: the same casts" "$(grep '^cast|' "$T_TMP/src.kinds")" "$(kinds src | grep '^cast|')"

# --------------------------------------------------------------------- live
sql src -c "COMMENT ON CAST (bytea AS text) IS 'changed live'" >/dev/null
check "a cast's comment changed live shows in its file" \
	poll 20 grep -qxF "COMMENT ON CAST (bytea AS text) IS 'changed live';" "$D/casts/bytea AS text.sql"
eq "... and its st_size follows" "$(wc -c <"$D/casts/bytea AS text.sql")" "$(stat -c %s "$D/casts/bytea AS text.sql")"
sql src -c "ALTER PUBLICATION empty_pub ADD TABLE public.plain" >/dev/null
check "a table added to a publication live shows" \
	poll 20 grep -qxF "ALTER PUBLICATION empty_pub ADD TABLE ONLY public.plain;" "$D/publications/empty_pub.sql"
if [ "$T_PG_MAJOR" -ge 15 ]; then
	sql src -c "ALTER PUBLICATION \"per schema\" DROP TABLES IN SCHEMA public" >/dev/null
	check "15: a schema dropped from a publication live goes" poll 20 bash -c \
		"! grep -q 'IN SCHEMA public;' '$D/publications/per schema.sql' && grep -q 'IN SCHEMA \"Kind Ω\";' '$D/publications/per schema.sql'"
fi
sql src -c "DROP EVENT TRIGGER off_drop" >/dev/null
check "an event trigger dropped live goes" poll 20 test ! -e "$D/event_triggers/off_drop.sql"

# ---------------------------------------------- none of them, and the queries
M2=$T_TMP/mnt2
mount_fs "$M2" -o conninfo=dbname=bare || not_ok "mount of a database without any"
eq "a database without any: the directories are there, empty" "" \
	"$(ls -A "$M2/bare/casts" "$M2/bare/event_triggers" "$M2/bare/publications" 2>&1 | grep -v ':$' | grep .)"
check "... all three" test -d "$M2/bare/casts" -a -d "$M2/bare/event_triggers" -a -d "$M2/bare/publications"
queries() { sed -n 's/^snapshot: .*, \([0-9]*\) catalog queries$/\1/p' "$1/migrations/status"; }
q_bare=$(queries "$M2/bare")
eq "the same number of catalog queries with and without them ($q_bare)" "$q_bare" "$(queries "$D")"
umount_fs "$M2"

umount_fs "$MNT"
done_testing

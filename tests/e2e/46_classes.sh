#!/usr/bin/env bash
# 46_classes: three classes of round-trip bug (issue 12), each shown by
# tests/sql/classes.sql (and classes_15.sql on 15 and newer) with names
# that need quoting. schema.sql loads into an empty database and gives the
# same schema (scripts/roundtrip: pg_dump where it accepts the server, else
# the catalog summary and diff -r of both trees); each class is also
# compared on its own, straight from both catalogs:
# - partition indexes (plain, and behind keys) are attached to the same
#   parent indexes, under the same names (an ATTACH before the parent's
#   index existed made the load fail);
# - an extension's comment that is not its control file's (changed, or
#   removed) is kept; extensions/<name>.sql shows it;
# - 15+: UNLOGGED sequences (of their own, owned by a serial or identity
#   column) stay unlogged, a logged identity sequence of an unlogged table
#   stays logged.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE src" -c "CREATE DATABASE dst" >/dev/null
sql src -f "$T_ROOT/tests/sql/classes.sql" >/dev/null || { echo "not ok - loading classes.sql"; exit 1; }
if [ "$T_PG_MAJOR" -ge 15 ]; then
	sql src -f "$T_ROOT/tests/sql/classes_15.sql" >/dev/null ||
		{ echo "not ok - loading classes_15.sql"; exit 1; }
fi

MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo=dbname=src -o ttl=1 || { not_ok "mount"; done_testing; }
D=$MNT/src
cp "$D/schema.sql" "$T_TMP/schema.sql"
check "schema.sql loads into an empty database without error" \
	psql -X -q -v ON_ERROR_STOP=1 -d dst -f "$T_TMP/schema.sql"

# Lines of one query's rows, sorted in byte order, for both databases.
ours="c.relnamespace IN ('public'::regnamespace, '\"Part Ω\"'::regnamespace)"
lines() { echo "SELECT string_agg(l, E'\n' ORDER BY l COLLATE \"C\") FROM ($1) x"; }

# ------------------------------------------------ partitioned index attach
q_idx=$(lines "SELECT c.oid::regclass || ' <- ' || coalesce(i.inhparent::regclass::text, '-')
	|| CASE WHEN x.indisvalid THEN '' ELSE ' (invalid)' END AS l
	FROM pg_class c JOIN pg_index x ON x.indexrelid = c.oid
	LEFT JOIN pg_inherits i ON i.inhrelid = c.oid WHERE $ours")
eq "every index is attached to the same parent index, and valid" "$(val src "$q_idx")" "$(val dst "$q_idx")"
check "... 12 attached indexes to compare" test "$(val src "$q_idx" | grep -vc ' <- -$')" -eq 12
q_keys=$(lines "SELECT k.conrelid::regclass || '.' || quote_ident(k.conname) || ' ' || k.contype::text
	|| ' parent: ' || (k.conparentid <> 0) || ', noinherit: ' || k.connoinherit AS l
	FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE k.contype IN ('p', 'u') AND $ours")
eq "partitions' keys keep their names (own and PostgreSQL's), parents and flags" \
	"$(val src "$q_keys")" "$(val dst "$q_keys")"
check "... 9 keys to compare" test "$(val src "$q_keys" | grep -c .)" -eq 9
eq "a partition's own key name survives" "own pk" \
	"$(val dst "SELECT conname FROM pg_constraint WHERE conrelid = '\"Part Ω\".\"A \"\"part\"\"\"'::regclass AND contype = 'p'")"
eq "... and its comment" "the partition's own" \
	"$(val dst "SELECT obj_description(oid, 'pg_constraint') FROM pg_constraint WHERE conname = 'own pk'")"
n_parent=$(grep -n '^CREATE INDEX index_notes_on_author_id ON ONLY public.notes ' "$T_TMP/schema.sql" | cut -d: -f1)
n_attach=$(grep -n '^ALTER INDEX public.index_notes_on_author_id ATTACH PARTITION public.epic_notes_author_id_idx;$' \
	"$T_TMP/schema.sql" | cut -d: -f1)
check "schema.sql: epic_notes' index is attached after notes' index is made (lines ${n_parent:-?} < ${n_attach:-?})" \
	test "${n_parent:-0}" -gt 0 -a "${n_attach:-0}" -gt "${n_parent:-0}"

# ------------------------------------------------------ extension comments
q_ext=$(lines "SELECT extname || ': ' || coalesce(obj_description(oid, 'pg_extension'), '(none)') AS l FROM pg_extension")
eq "extension comments (changed, removed, default) are the same in the copy" "$(val src "$q_ext")" "$(val dst "$q_ext")"
check "... 4 extensions to compare" test "$(val src "$q_ext" | grep -c .)" -eq 4
eq "... the removed one stays removed" "pg_trgm: (none)" "$(val dst "$q_ext" | grep '^pg_trgm')"
eq "extensions/ lists every extension, sorted" "$(printf '%s\n' citext.sql hstore.sql pg_trgm.sql plpgsql.sql)" \
	"$(ls -U -A "$D/extensions")"
v() { val src "SELECT extversion FROM pg_extension WHERE extname = '$1'"; }
eq "extensions/citext.sql: schema, version, the changed comment" \
	"CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public VERSION '$(v citext)';
COMMENT ON EXTENSION citext IS 'case-insensitive text, as \"we\" use it; it''s ours';" "$(cat "$D/extensions/citext.sql")"
eq "extensions/pg_trgm.sql: the removed comment" \
	"CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public VERSION '$(v pg_trgm)';
COMMENT ON EXTENSION pg_trgm IS NULL;" "$(cat "$D/extensions/pg_trgm.sql")"
eq "extensions/hstore.sql: a schema to quote; the default comment is not written" \
	"CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA \"Part Ω\" VERSION '$(v hstore)';" \
	"$(cat "$D/extensions/hstore.sql")"
eq "extensions/plpgsql.sql: initdb's, in pg_catalog" \
	"CREATE EXTENSION IF NOT EXISTS plpgsql WITH SCHEMA pg_catalog VERSION '$(v plpgsql)';" \
	"$(cat "$D/extensions/plpgsql.sql")"
check_fails "schema.sql leaves initdb's plpgsql out, as pg_dump does" grep -q 'EXTENSION.*plpgsql' "$T_TMP/schema.sql"
for f in "$D"/extensions/*; do
	eq "st_size of extensions/$(basename "$f") is its length" "$(wc -c <"$f")" "$(stat -c %s "$f")"
done
sql src -c "COMMENT ON EXTENSION hstore IS 'changed live'" >/dev/null
check "a comment changed live shows in extensions/hstore.sql" \
	poll 20 grep -qxF "COMMENT ON EXTENSION hstore IS 'changed live';" "$D/extensions/hstore.sql"
eq "... and its st_size follows" "$(wc -c <"$D/extensions/hstore.sql")" "$(stat -c %s "$D/extensions/hstore.sql")"
before=$(cat "$D/extensions/citext.sql")
# extensions/ is writable (56_structfiles): what is no extension's
# definition, or names another extension than its file, is refused.
eq "extensions/: a file that is no CREATE EXTENSION is EINVAL" "Invalid argument" \
	"$(errno_of bash -c "echo 'CREATE TABLE not_an_extension ();' >'$D/extensions/citext.sql'")"
eq "... a file naming another extension is EINVAL" "Invalid argument" \
	"$(errno_of bash -c "echo 'CREATE EXTENSION hstore;' >'$D/extensions/new.sql'")"
eq "... the file is unchanged" "$before" "$(cat "$D/extensions/citext.sql")"
eq "... nothing staged" "" "$(ls -A "$D/migrations/pending")"

# --------------------------------------------------------- UNLOGGED sequences
q_seq=$(lines "SELECT c.oid::regclass || ' ' || c.relpersistence::text AS l FROM pg_class c WHERE c.relkind = 'S' AND $ours")
eq "every sequence keeps its persistence" "$(val src "$q_seq")" "$(val dst "$q_seq")"
check "... at least 2 sequences to compare" test "$(val src "$q_seq" | grep -c .)" -ge 2
T="$D/schemas/Part Ω/tables"
check_fails "an unlogged table's identity sequence like its table: nothing set in table.sql" \
	grep -q 'ALTER SEQUENCE.*LOGGED' "$T/scratch \"pad\"/table.sql"
if [ "$T_PG_MAJOR" -ge 15 ]; then
	check "15: five unlogged sequences to compare" test "$(val src "$q_seq" | grep -c ' u$')" -eq 5
	eq "15: a sequence of its own" 'CREATE UNLOGGED SEQUENCE "Part Ω"."tick ""seq"""' \
		"$(head -n 1 "$D/schemas/Part Ω/sequences/tick \"seq\".sql")"
	eq "15: an unlogged table's serial sequence" 'CREATE UNLOGGED SEQUENCE "Part Ω"."scratch ""pad""_n_seq"' \
		"$(head -n 1 "$D/schemas/Part Ω/sequences/scratch \"pad\"_n_seq.sql")"
	eq "15: a logged table's serial sequence SET UNLOGGED" 'CREATE UNLOGGED SEQUENCE "Part Ω"."Logged Ω_n_seq"' \
		"$(head -n 1 "$D/schemas/Part Ω/sequences/Logged Ω_n_seq.sql")"
	check "15: a logged table's identity sequence SET UNLOGGED, in table.sql" grep -qxF \
		'ALTER SEQUENCE "Part Ω"."Logged Ω_id_seq" SET UNLOGGED;' "$T/Logged Ω/table.sql"
	check "15: an unlogged table's identity sequence SET LOGGED, in table.sql" grep -qxF \
		'ALTER SEQUENCE "Part Ω".relogged_id_seq SET LOGGED;' "$T/relogged/table.sql"
else
	eq "$T_PG_MAJOR: no unlogged sequences (15 added them): every one is logged" "" \
		"$(val src "$q_seq" | grep -v ' p$')"
fi

# ------------------------------------------------------------- whole schema
SCHEMAFS=$SCHEMAFS "$T_ROOT/scripts/roundtrip" dbname=src >"$T_TMP/rt.out" 2>"$T_TMP/rt.err"
rc=$?
eq "scripts/roundtrip: identical ($(grep -o 'compared by.*' "$T_TMP/rt.err"))" 0 "$rc"
[ "$rc" == 0 ] || sed 's/^/#   /' "$T_TMP/rt.out" "$T_TMP/rt.err" | head -n 30

umount_fs "$MNT"
done_testing

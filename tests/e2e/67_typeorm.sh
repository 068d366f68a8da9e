#!/usr/bin/env bash
# 67_typeorm: interoperability with the real TypeORM ("tracking":
# "typeorm"). typeorm and pg come from the npm registry
# (tests/typeorm/install.sh, cached); its DataSource.runMigrations() runs
# JavaScript migration classes on the same database as the mount. Each tool
# sees the other's migrations as applied, and neither runs anything twice:
# (a) what TypeORM applied shows in applied/ and journal.json; (b) what
# schemafs applies is a row TypeORM reads as its own, and TypeORM does not
# run it; (c) alternating; (d) a file named as TypeORM's class is that
# migration: not run again.
. "$(dirname "$0")/../lib.sh"

NODE_PATH=$("$T_ROOT/tests/typeorm/install.sh") || { not_ok "npm install of typeorm and pg"; done_testing; }
export NODE_PATH
ok "typeorm and pg installed in $(dirname "$NODE_PATH")"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app -c "CREATE TABLE public.booking (id integer PRIMARY KEY)" >/dev/null
cat >"$T_TMP/cfg.json" <<EOF2
{ "databases": { "app": { "conninfo": "dbname=app", "tracking": "typeorm" } }, "ttl": 1 }
EOF2
MNT=$T_TMP/mnt
mount_fs "$MNT" -o config="$T_TMP/cfg.json" || { not_ok "mount"; done_testing; }
M=$MNT/app/migrations
B=$MNT/app/schemas/public/tables/booking
LIST=$T_TMP/migrations.txt
: >"$LIST"

rows() { val app "SELECT string_agg(id || ':' || timestamp || ':' || name, ' ' ORDER BY id) FROM public.migrations"; }
typeorm_run() { PGDATABASE=app node "$T_ROOT/tests/typeorm/migrate.cjs" "$LIST" >"$T_TMP/typeorm.out" 2>&1 || { cat "$T_TMP/typeorm.out"; return 1; }; }
ran() { grep -v '^rows:' "$T_TMP/typeorm.out" | tr '\n' ' ' | sed 's/ $//'; }
has_col() { test "$(val app "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.booking'::regclass AND attname = '$1'")" == 1; }

# (a) TypeORM first: its migration shows in applied/ and journal.json.
echo 'AddA1700000000000 ALTER TABLE booking ADD COLUMN a integer' >>"$LIST"
check "(a) TypeORM runMigrations() applies AddA" typeorm_run
eq "(a) it ran AddA1700000000000" "AddA1700000000000" "$(ran)"
check "(a) the column is there" has_col a
check "(a) applied/ shows it under its class name" poll 20 test -f "$M/applied/AddA1700000000000.sql"
check "(a) its SQL is unknown, and applied/ says so" grep -q 'SQL is known only for what schemafs applied' "$M/applied/AddA1700000000000.sql"
check "(a) journal.json: its name and timestamp" sh -c "grep -q '\"tag\": \"AddA1700000000000\"' '$M/journal.json' && grep -q '\"when\": 1700000000000' '$M/journal.json'"
check "(a) the tracking table is TypeORM's own (public.migrations)" test "$(rows)" == "1:1700000000000:AddA1700000000000"

# (b) schemafs applies a staged change: a row TypeORM reads as its own.
echo 'integer' >"$B/columns/b"
check "(b) schemafs applies the staged change" mv "$M/pending/$(ls "$M/pending")" "$M/apply/"
check "(b) the column is there" has_col b
name=$(val app "SELECT name FROM public.migrations ORDER BY id DESC LIMIT 1")
check "(b) named as TypeORM names a class: <CamelCaseTag><13-digit timestamp> ($name)" \
	sh -c "echo '$name' | grep -Eqx 'BookingAddB[0-9]{13}'"
eq "(b) its timestamp is the name's last 13 digits" "${name: -13}" \
	"$(val app "SELECT timestamp FROM public.migrations ORDER BY id DESC LIMIT 1")"
check "(b) status says so" grep -q "applied as $name" "$M/status"
check "(b) applied/ shows it with its SQL" poll 20 grep -q 'ADD COLUMN b' "$M/applied/$name.sql"
before=$(rows)
check "(b) TypeORM runMigrations() again" typeorm_run
eq "(b) TypeORM ran nothing" "" "$(ran)"
eq "(b) same rows" "$before" "$(rows)"

# (c) alternate: TypeORM, then schemafs, then TypeORM.
echo 'AddC1700000000002 ALTER TABLE booking ADD COLUMN c integer' >>"$LIST"
check "(c) TypeORM applies AddC" typeorm_run
eq "(c) only AddC ran" "AddC1700000000002" "$(ran)"
printf 'ALTER TABLE public.booking ADD COLUMN e integer;\n' >"$T_TMP/e.sql"
check "(c) schemafs applies e (cp)" cp "$T_TMP/e.sql" "$M/apply/0004_add_e.sql"
ename=$(val app "SELECT name FROM public.migrations ORDER BY id DESC LIMIT 1")
check "(c) named AddE<timestamp> ($ename)" sh -c "echo '$ename' | grep -Eqx 'AddE[0-9]{13}'"
check "(c) TypeORM again" typeorm_run
eq "(c) TypeORM ran nothing" "" "$(ran)"
for c in a b c e; do check "(c) column $c exists" has_col $c; done
eq "(c) four rows, no name twice" "4 4" "$(val app "SELECT count(*) || ' ' || count(DISTINCT name) FROM public.migrations")"
check "(c) applied/ lists all four" poll 20 sh -c "test \$(ls '$M/applied' | wc -l) = 4"
eq "(c) applied/ in the order applied" "AddA1700000000000.sql $name.sql AddC1700000000002.sql $ename.sql" \
	"$(ls -U "$M/applied" | tr '\n' ' ' | sed 's/ $//')"

# (d) schemafs given TypeORM's migration by its class name: nothing run.
before=$(rows)
printf 'ALTER TABLE public.booking ADD COLUMN c integer;\n' >"$T_TMP/c.sql"
check "(d) cp AddC1700000000002.sql into apply/: succeeds" cp "$T_TMP/c.sql" "$M/apply/AddC1700000000002.sql"
check "(d) status says it was already applied" grep -q 'AddC1700000000002.sql was already applied' "$M/status"
eq "(d) nothing ran, no row added" "$before" "$(rows)"
# And schemafs's own file again, under another name: same hash, not run.
check "(d) e.sql again under another name: succeeds" cp "$T_TMP/e.sql" "$M/apply/0009_again.sql"
check "(d) status says it was already applied" grep -q '0009_again.sql was already applied' "$M/status"
eq "(d) still no row added" "$before" "$(rows)"

# The tracking table is the application's (public): the tree still shows public.
check "the tree shows public's tables" test -d "$B"
printf '{ "databases": { "app": { "conninfo": "dbname=app", "tracking": "typeorm", "migrations_dir": "%s" } } }' \
	"$T_TMP" >"$T_TMP/bad.json"
mkdir -p "$T_TMP/nomnt"
timeout 60 "$SCHEMAFS" -f -o config="$T_TMP/bad.json" "$T_TMP/nomnt" >"$T_TMP/bad.err" 2>&1; rc=$?
check "tracking \"typeorm\" with a migrations_dir: refused at mount (exit $rc)" test "$rc" != 0 -a "$rc" != 124
check "and says why" grep -q 'keeps no folder' "$T_TMP/bad.err"

done_testing

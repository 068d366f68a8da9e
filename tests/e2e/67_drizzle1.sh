#!/usr/bin/env bash
# 67_drizzle1: interoperability with the real Drizzle 1.0 client
# (drizzle-orm 1.0.0-rc, tests/drizzle/install1.sh, migrate1.mjs), whose migrations folder
# holds <YYYYMMDDHHMMSS>_<name>/migration.sql folders and whose tracking rows
# carry the folder's name. The cases of 67_drizzle: (a) what schemafs
# applied, drizzle does not run again; (b) what drizzle applied shows in
# applied/ and schemafs does not run again; (c) alternating; (d) a folder
# nobody applied is applied through pending/ -> apply/ as that folder.
# (e) a 0.x tracking table with a 1.0 folder: schemafs writes rows that
# drizzle's own table upgrade names, and nothing runs twice.
. "$(dirname "$0")/../lib.sh"

NODE_PATH=$("$T_ROOT/tests/drizzle/install1.sh") || { not_ok "npm install of drizzle-orm 1.0 and pg"; done_testing; }
export NODE_PATH
ok "drizzle-orm 1.0 and pg installed in $(dirname "$NODE_PATH")"

pg_start
for db in app old; do
	sql postgres -c "CREATE DATABASE $db" >/dev/null
	sql $db -c "CREATE TABLE public.booking (id integer PRIMARY KEY)" >/dev/null
done
DIR=$T_TMP/drizzle
OLD=$T_TMP/drizzle-old
mkdir -p "$DIR" "$OLD"
cat >"$T_TMP/cfg.json" <<EOF2
{ "databases": { "app": { "conninfo": "dbname=app", "migrations_dir": "$DIR" },
                 "old": { "conninfo": "dbname=old", "migrations_dir": "$OLD" } }, "ttl": 1 }
EOF2

T=drizzle.__drizzle_migrations
rows() { val ${2:-app} "SELECT string_agg(id || ':' || created_at || ':' || coalesce(name, '-'), ' ' ORDER BY id) FROM $T"; }
drizzle_migrate() { PGDATABASE=${2:-app} node "$T_ROOT/tests/drizzle/migrate1.mjs" "${1:-$DIR}" >"$T_TMP/drizzle.out" 2>&1 || { cat "$T_TMP/drizzle.out"; return 1; }; }
generate() { node "$T_ROOT/tests/drizzle/generate1.mjs" "${2:-$DIR}" "$1"; }
has_col() { test "$(val ${2:-app} "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.booking'::regclass AND attname = '$1'")" == 1; }
folders() { ls "${1:-$DIR}" | tr '\n' ' ' | sed 's/ $//'; }

# drizzle 1.0 on an empty folder makes its table (with "name"): from then
# on the empty folder is a 1.0 folder.
check "drizzle 1.0 migrate() on the empty folder" drizzle_migrate
eq "its table has 1.0's columns" "id hash created_at name applied_at" \
	"$(val app "SELECT string_agg(attname, ' ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = '$T'::regclass AND attnum > 0")"

MNT=$T_TMP/mnt
mount_fs "$MNT" -o config="$T_TMP/cfg.json" || { not_ok "mount"; done_testing; }
M=$MNT/app/migrations
B=$MNT/app/schemas/public/tables/booking

# (a) schemafs first: a 1.0 folder and a named row; drizzle runs nothing.
echo 'text' > "$B/columns/a"
check "(a) schemafs applies a staged change" mv "$M/pending/$(ls "$M/pending")" "$M/apply/"
a=$(folders)
check "(a) it wrote <YYYYMMDDHHMMSS>_booking_add_a/migration.sql ($a)" sh -c "echo '$a' | grep -Eqx '[0-9]{14}_booking_add_a' && test -f '$DIR/$a/migration.sql'"
check "(a) and no journal" test ! -e "$DIR/meta"
eq "(a) its row: name = the folder, created_at = its timestamp" "1:$(node -e "const s='$a';console.log(Date.UTC(+s.slice(0,4),+s.slice(4,6)-1,+s.slice(6,8),+s.slice(8,10),+s.slice(10,12),+s.slice(12,14)))"):$a" "$(rows)"
before=$(rows)
check "(a) drizzle migrate() runs on the same folder" drizzle_migrate
eq "(a) drizzle ran nothing: same tracking rows" "$before" "$(rows)"

# (b) drizzle-kit generate + migrate: schemafs sees it and does not run it again.
b=$(echo 'ALTER TABLE "booking" ADD COLUMN "b" integer;' | generate add_b)
check "(b) drizzle migrate() applies $b" drizzle_migrate
check "(b) the column is there" has_col b
check "(b) it shows in applied/ as $b.sql, with its SQL" poll 20 cmp "$M/applied/$b.sql" "$DIR/$b/migration.sql"
check "(b) and in journal.json" grep -q "\"tag\": \"$b\"" "$M/journal.json"
before=$(rows)
check "(b) schemafs given the same file: succeeds" cp "$DIR/$b/migration.sql" "$M/apply/$b.sql"
eq "(b) schemafs ran nothing" "$before" "$(rows)"
check "(b) status says it was already applied" grep -q "$b.sql was already applied" "$M/status"

# (c) alternate over several migrations.
echo 'integer' > "$B/columns/c"
check "(c) schemafs applies c" mv "$M/pending/$(ls "$M/pending")" "$M/apply/"
d=$(echo 'ALTER TABLE "booking" ADD COLUMN "d" integer;' | generate add_d)
check "(c) drizzle applies d" drizzle_migrate
printf 'ALTER TABLE public.booking ADD COLUMN e integer;\n' >"$T_TMP/e.sql"
check "(c) schemafs applies e (cp)" cp "$T_TMP/e.sql" "$M/apply/0004_add_e.sql"
f=$(echo 'ALTER TABLE "booking" ADD COLUMN "f" integer;' | generate add_f)
check "(c) drizzle applies f" drizzle_migrate
check "(c) drizzle again: nothing to do" drizzle_migrate
for c in a b c d e f; do check "(c) column $c exists" has_col $c; done
eq "(c) six rows, one per folder, named as the folders, in order" "$(folders)" \
	"$(val app "SELECT string_agg(name, ' ' ORDER BY id) FROM $T")"
eq "(c) no hash twice" "6" "$(val app "SELECT count(DISTINCT hash) FROM $T")"
check "(c) the folders' names end as expected" sh -c "folders() { ls '$DIR' | sed 's/^[0-9]\{14\}_//' | tr '\n' ' '; }; test \"\$(folders)\" = 'booking_add_a add_b booking_add_c add_d add_e add_f '"
check "(c) applied/ lists all six" poll 20 sh -c "test \$(ls '$M/applied' | wc -l) = 6"
eq "(c) applied/ in order: the folders' names" "$(folders)" "$(ls -U "$M/applied" | sed 's/\.sql$//' | tr '\n' ' ' | sed 's/ $//')"
check "(c) migrations/check is empty" test ! -s "$M/check"

# (d) a folder drizzle-kit generated and nobody applied: pending/ shows it,
# and mv pending/ -> apply/ applies it as that folder.
g=$(echo 'ALTER TABLE "booking" ADD COLUMN "g" integer;' | generate add_g)
check "(d) pending/ shows $g.sql (read at the next refresh)" poll 20 test -f "$M/pending/$g.sql"
check "(d) with the folder's SQL" cmp "$M/pending/$g.sql" "$DIR/$g/migration.sql"
check "(d) mv it to apply/" mv "$M/pending/$g.sql" "$M/apply/"
check "(d) the column is there" has_col g
eq "(d) recorded as that folder: its name" "$g" "$(val app "SELECT name FROM $T ORDER BY id DESC LIMIT 1")"
eq "(d) and no new folder" "7" "$(ls "$DIR" | wc -l)"
check "(d) pending/ no longer shows it" poll 20 test ! -e "$M/pending/$g.sql"
before=$(rows)
check "(d) drizzle has nothing left to do" drizzle_migrate
eq "(d) same rows" "$before" "$(rows)"
for x in "$DIR"/*/migration.sql; do
	check "hash of $(basename "$(dirname "$x")") = its tracking row" test "$(val app "SELECT count(*) FROM $T WHERE hash = '$(sha256sum "$x" | cut -d' ' -f1)' AND name = '$(basename "$(dirname "$x")")'")" == 1
done

# (e) a 0.x table (no "name") with a 1.0 folder: schemafs leaves the upgrade
# to drizzle and records rows it can name (created_at = the folder's time).
MO=$MNT/old/migrations
sql old -c "CREATE SCHEMA drizzle; CREATE TABLE $T (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)" >/dev/null
x=$(echo 'ALTER TABLE "booking" ADD COLUMN "x" integer;' | generate add_x "$OLD")
check "(e) pending/ shows drizzle's $x.sql" poll 20 test -f "$MO/pending/$x.sql"
check "(e) schemafs applies it" mv "$MO/pending/$x.sql" "$MO/apply/"
echo 'integer' > "$MNT/old/schemas/public/tables/booking/columns/y"
check "(e) and a staged change" poll 20 sh -c "ls '$MO/pending' | grep -q booking_add_y"
check "(e) applied" mv "$MO/pending/$(ls "$MO/pending" | grep booking_add_y)" "$MO/apply/"
eq "(e) two rows, the table still 0.x's" "2 3" "$(val old "SELECT (SELECT count(*) FROM $T) || ' ' || (SELECT count(*) FROM pg_attribute WHERE attrelid = '$T'::regclass AND attnum > 0)")"
check "(e) drizzle 1.0 migrate() upgrades the table and runs nothing" drizzle_migrate "$OLD" old
eq "(e) its upgrade named both rows after their folders" "$(folders "$OLD")" "$(val old "SELECT string_agg(name, ' ' ORDER BY id) FROM $T")"
eq "(e) still two rows" "2" "$(val old "SELECT count(*) FROM $T")"
check "(e) drizzle again: nothing to do" drizzle_migrate "$OLD" old
eq "(e) still two rows" "2" "$(val old "SELECT count(*) FROM $T")"

done_testing

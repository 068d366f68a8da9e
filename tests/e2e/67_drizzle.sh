#!/usr/bin/env bash
# 67_drizzle: interoperability with the real Drizzle client. drizzle-orm and
# pg come from the npm registry (tests/drizzle/install.sh, cached); its
# node-postgres migrate() runs on the same database and migrations folder
# as the mount. (a) what schemafs applied, drizzle does not run again;
# (b) what drizzle applied shows in applied/ and schemafs does not run
# again; (c) alternating the two ends with every migration applied once,
# in order; (d) a migration drizzle-kit generated and nobody applied is
# applied before anything schemafs adds after it.
. "$(dirname "$0")/../lib.sh"

NODE_PATH=$("$T_ROOT/tests/drizzle/install.sh") || { not_ok "npm install of drizzle-orm and pg"; done_testing; }
export NODE_PATH
ok "drizzle-orm and pg installed in $(dirname "$NODE_PATH")"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app -c "CREATE TABLE public.booking (id integer PRIMARY KEY)" >/dev/null
DIR=$T_TMP/drizzle
mkdir -p "$DIR"
cat >"$T_TMP/cfg.json" <<EOF2
{ "databases": { "app": { "conninfo": "dbname=app", "migrations_dir": "$DIR" } }, "ttl": 1 }
EOF2
MNT=$T_TMP/mnt
mount_fs "$MNT" -o config="$T_TMP/cfg.json" || { not_ok "mount"; done_testing; }
M=$MNT/app/migrations
B=$MNT/app/schemas/public/tables/booking

rows() { val app "SELECT string_agg(id || ':' || created_at, ' ' ORDER BY id) FROM drizzle.__drizzle_migrations"; }
drizzle_migrate() { PGDATABASE=app node "$T_ROOT/tests/drizzle/migrate.mjs" "$DIR" >"$T_TMP/drizzle.out" 2>&1 || { cat "$T_TMP/drizzle.out"; return 1; }; }
generate() { node "$T_ROOT/tests/drizzle/generate.mjs" "$DIR" "$1"; }
has_col() { test "$(val app "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.booking'::regclass AND attname = '$1'")" == 1; }

# (a) schemafs first: drizzle must not run it again.
echo 'text' > "$B/columns/a"
check "(a) schemafs applies a staged change" mv "$M/pending/$(ls "$M/pending")" "$M/apply/"
before=$(rows)
check "(a) drizzle migrate() runs on the same folder" drizzle_migrate
eq "(a) drizzle ran nothing: same tracking rows" "$before" "$(rows)"

# (b) drizzle-kit generate + migrate: schemafs sees it and does not run it again.
echo 'ALTER TABLE "booking" ADD COLUMN "b" integer;' | generate 0001_add_b
check "(b) drizzle migrate() applies the new migration" drizzle_migrate
check "(b) the column is there" has_col b
check "(b) it shows in applied/ with its SQL (from migrations_dir)" poll 5 cmp "$M/applied/0001_add_b.sql" "$DIR/0001_add_b.sql"
check "(b) and in journal.json" grep -q '"tag": "0001_add_b"' "$M/journal.json"
before=$(rows)
check "(b) schemafs given the same file: succeeds" cp "$DIR/0001_add_b.sql" "$M/apply/0001_add_b.sql"
eq "(b) schemafs ran nothing" "$before" "$(rows)"
check "(b) status says it was already applied" grep -q '0001_add_b.sql was already applied' "$M/status"

# (c) alternate over several migrations.
echo 'integer' > "$B/columns/c"
check "(c) schemafs applies c" mv "$M/pending/$(ls "$M/pending")" "$M/apply/"
echo 'ALTER TABLE "booking" ADD COLUMN "d" integer;' | generate 0003_add_d
check "(c) drizzle applies d" drizzle_migrate
printf 'ALTER TABLE public.booking ADD COLUMN e integer;\n' >"$T_TMP/e.sql"
check "(c) schemafs applies e (cp)" cp "$T_TMP/e.sql" "$M/apply/0004_add_e.sql"
echo 'ALTER TABLE "booking" ADD COLUMN "f" integer;' | generate 0005_add_f
check "(c) drizzle applies f" drizzle_migrate
check "(c) drizzle again: nothing to do" drizzle_migrate
for c in a b c d e f; do check "(c) column $c exists" has_col $c; done
eq "(c) six tracking rows, one per migration" "6" "$(val app "SELECT count(*) FROM drizzle.__drizzle_migrations")"
eq "(c) no hash twice" "6" "$(val app "SELECT count(DISTINCT hash) FROM drizzle.__drizzle_migrations")"
eq "(c) created_at strictly increasing in id order" "t" \
	"$(val app "SELECT bool_and(created_at > prev) FROM (SELECT created_at, lag(created_at, 1, 0::bigint) OVER (ORDER BY id) prev FROM drizzle.__drizzle_migrations) s")"
eq "(c) the folder's journal: six entries in order" "0000 0001 0002 0003 0004 0005" \
	"$(grep '"tag"' "$DIR/meta/_journal.json" | sed 's/.*"\([0-9]\{4\}\)_.*/\1/' | tr '\n' ' ' | sed 's/ $//')"
eq "(c) journal when = tracking created_at, entry by entry" \
	"$(val app "SELECT string_agg(created_at::text, ' ' ORDER BY id) FROM drizzle.__drizzle_migrations")" \
	"$(grep '"when"' "$DIR/meta/_journal.json" | tr -dc '0-9\n' | tr '\n' ' ' | sed 's/ $//')"
check "(c) applied/ lists all six" poll 5 sh -c "test \$(ls '$M/applied' | wc -l) = 6"
eq "(c) applied/ in order" "0000 0001 0002 0003 0004 0005" "$(ls "$M/applied" | cut -c1-4 | tr '\n' ' ' | sed 's/ $//')"
# (d) drizzle-kit generated a migration nobody applied yet: schemafs does not
# put another one before it (drizzle would then skip it for ever), and
# applies that file as the journal entry it is.
echo 'ALTER TABLE "booking" ADD COLUMN "g" integer;' | generate 0006_add_g
echo 'integer' > "$B/columns/h"
check "(d) pending/: drizzle's 0006 (read at the next refresh), then the staged change numbered after it" \
	poll 20 bash -c "[ \"\$(ls '$M/pending' | tr '\n' ' ')\" == '0006_add_g.sql 0007_booking_add_h.sql ' ]"
staged=0007_booking_add_h.sql
eq "(d) a staged change while drizzle's 0006 waits: ECANCELED" "Operation canceled" "$(errno_of mv "$M/pending/$staged" "$M/apply/")"
check "(d) status says to apply 0006_add_g first" grep -q 'migrations_dir has 0006_add_g, which drizzle has not applied yet' "$M/status"
check "(d) nothing applied" sh -c "! psql -X -qAt -d app -c \"SELECT attname FROM pg_attribute WHERE attrelid = 'public.booking'::regclass\" | grep -qx h"
check "(d) schemafs applies drizzle's file from the folder" cp "$DIR/0006_add_g.sql" "$M/apply/0006_add_g.sql"
eq "(d) as that journal entry: its when is the row's created_at" \
	"$(grep -A1 '"when"' "$DIR/meta/_journal.json" | grep -B1 '0006_add_g' | head -n 1 | tr -dc 0-9)" \
	"$(val app "SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY id DESC LIMIT 1")"
eq "(d) and no second journal entry for it" "1" "$(grep -c '0006_add_g' "$DIR/meta/_journal.json")"
check "(d) the staged change, renumbered after it" test -f "$M/pending/0007_booking_add_h.sql"
check "(d) now the staged change applies" mv "$M/pending/0007_booking_add_h.sql" "$M/apply/"
check "(d) drizzle has nothing left to do" drizzle_migrate
eq "(d) eight rows, eight journal entries" "8 8" "$(val app "SELECT count(*) FROM drizzle.__drizzle_migrations") $(grep -c '"tag"' "$DIR/meta/_journal.json")"
eq "(d) no hash twice" "8" "$(val app "SELECT count(DISTINCT hash) FROM drizzle.__drizzle_migrations")"

for f in "$DIR"/*.sql; do
	check "(c) hash of $(basename "$f") = its tracking row" test "$(val app "SELECT count(*) FROM drizzle.__drizzle_migrations WHERE hash = '$(sha256sum "$f" | cut -d' ' -f1)'")" == 1
done

done_testing

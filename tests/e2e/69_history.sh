#!/usr/bin/env bash
# 69_history: the migrations_dir's history. (1) drizzle-kit's journal
# entries nobody applied yet are in pending/, in journal order; mv applies
# one as that entry, rm and writes are refused (EPERM), the user's files
# untouched; drizzle's own migrator then has nothing to do. (2) One
# numbering: a generated file's name is the tag it gets, after every row
# and journal entry, also on a database whose history the folder does not
# hold; applied/ lists in the order applied. (3) migrations/check: every
# problem made by a real edit of the folder gives exactly its line, a
# healthy folder an empty file (test ! -s: the CI gate); a broken journal
# is one line and the mount serves the rest; exact st_size, mtime changes
# with the content only.
. "$(dirname "$0")/../lib.sh"

NODE_PATH=$("$T_ROOT/tests/drizzle/install.sh") || { not_ok "npm install of drizzle-orm and pg"; done_testing; }
export NODE_PATH

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql postgres -c "CREATE DATABASE legacy" >/dev/null
sql app -c "CREATE TABLE public.booking (id integer PRIMARY KEY)" >/dev/null
# legacy: three migrations applied before, by schemafs with the numbering
# bug (two 0000_ tags), none of them in its (new, empty) folder.
sql legacy >/dev/null <<'EOF'
CREATE TABLE public.staff (id integer PRIMARY KEY);
CREATE SCHEMA drizzle;
CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
CREATE TABLE drizzle.schemafs_migrations (hash text PRIMARY KEY, tag text NOT NULL, sql text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now());
INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('h1', 1000), ('h2', 2000), ('h3', 3000);
INSERT INTO drizzle.schemafs_migrations (hash, tag, sql) VALUES
	('h1', '0000_staff_add_bio', 'SELECT 1;'), ('h2', '0000_booking_init', 'SELECT 2;'), ('h3', '0001_more', 'SELECT 3;');
EOF
DIR=$T_TMP/drizzle
LDIR=$T_TMP/legacy
mkdir -p "$DIR" "$LDIR"
cat >"$T_TMP/cfg.json" <<EOF
{ "databases": { "app": { "conninfo": "dbname=app", "migrations_dir": "$DIR" },
                 "legacy": { "conninfo": "dbname=legacy", "migrations_dir": "$LDIR" } }, "ttl": 1 }
EOF
MNT=$T_TMP/mnt
mount_fs "$MNT" -o config="$T_TMP/cfg.json" || { not_ok "mount"; done_testing; }
M=$MNT/app/migrations
B=$MNT/app/schemas/public/tables/booking

rows() { val app "SELECT count(*) FROM drizzle.__drizzle_migrations"; }
drizzle_migrate() { PGDATABASE=app node "$T_ROOT/tests/drizzle/migrate.mjs" "$DIR" >"$T_TMP/drizzle.out" 2>&1 || { cat "$T_TMP/drizzle.out"; return 1; }; }
generate() { node "$T_ROOT/tests/drizzle/generate.mjs" "$DIR" "$1"; }
has_col() { test "$(val app "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.booking'::regclass AND attname = '$1'")" == 1; }
when_of() { node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1])); console.log(j.entries.find(e => e.tag === process.argv[2]).when)' "$DIR/meta/_journal.json" "$1"; }
set_when() { node -e 'const fs = require("fs"), f = process.argv[1], j = JSON.parse(fs.readFileSync(f));
	j.entries.find(e => e.tag === process.argv[2]).when = Number(process.argv[3]); fs.writeFileSync(f, JSON.stringify(j, null, 2))' \
	"$DIR/meta/_journal.json" "$1" "$2"; }
check_is() { local got; got=$(cat "$M/check"); [ "$got" == "$1" ] || { echo "check: $got"; return 1; }; }
listing() { ls "$1" | tr '\n' ' ' | sed 's/ $//'; }

# --- (1) drizzle-kit's entries in pending/ ---
check "an empty folder: check is empty (test ! -s)" test ! -s "$M/check"
eq "pending/ is empty" "" "$(ls "$M/pending")"
echo 'ALTER TABLE "booking" ADD COLUMN "a" integer;' | generate 0000_add_a
echo 'ALTER TABLE "booking" ADD COLUMN "b" integer;' | generate 0001_add_b
check "(1) drizzle-kit's two entries appear in pending/, in journal order" poll 20 bash -c "[ \"\$(ls '$M/pending' | tr '\n' ' ')\" == '0000_add_a.sql 0001_add_b.sql ' ]"
check "(1) with the entry's file as content" cmp "$M/pending/0000_add_a.sql" "$DIR/0000_add_a.sql"
check "(1) st_size is the file's" test "$(stat -c %s "$M/pending/0001_add_b.sql")" == "$(stat -c %s "$DIR/0001_add_b.sql")"
check "(1) status lists them as drizzle-kit's" grep -q "^  0000_add_a.sql (drizzle-kit's, in migrations_dir" "$M/status"
check "(1) status: the migrations_dir in use" grep -qx "migrations_dir: $DIR" "$M/status"
check "(1) status: its last entry" grep -qx "  last journal entry: 0001_add_b (when $(when_of 0001_add_b))" "$M/status"
check "(1) status: its unapplied entries" grep -qx "  unapplied journal entries: 2" "$M/status"
check "(1) unapplied entries are not a problem: check is empty" test ! -s "$M/check"

eq "(1) rm of drizzle-kit's file in pending/: EPERM" "Operation not permitted" "$(errno_of rm "$M/pending/0000_add_a.sql")"
check "(1) ... the user's file is still in the folder" test -f "$DIR/0000_add_a.sql"
check "(1) ... and still in pending/" test -f "$M/pending/0000_add_a.sql"
check "(1) ... status says why" grep -q "last refused change: .*drizzle-kit's migration in migrations_dir" "$M/status"
cp "$DIR/0000_add_a.sql" "$T_TMP/a.orig"
eq "(1) writing it: EPERM" "Operation not permitted" "$(errno_of sh -c "echo 'DROP TABLE booking;' > '$M/pending/0000_add_a.sql'")"
check "(1) ... the folder's file is unchanged" cmp "$DIR/0000_add_a.sql" "$T_TMP/a.orig"
eq "(1) mv of the second first: ECANCELED (out of order)" "Operation canceled" "$(errno_of mv "$M/pending/0001_add_b.sql" "$M/apply/")"
check "(1) ... nothing ran (no column, not even the tracking table)" test "$(val app "SELECT to_regclass('drizzle.__drizzle_migrations') IS NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'public.booking'::regclass AND attname = 'b')")" == t
check "(1) ... still pending" test -f "$M/pending/0001_add_b.sql"

check "(1) mv pending/0000_add_a.sql apply/ applies it" mv "$M/pending/0000_add_a.sql" "$M/apply/"
check "(1) the column is there" has_col a
eq "(1) as that journal entry: created_at = its when" "$(when_of 0000_add_a)" \
	"$(val app "SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY id DESC LIMIT 1")"
eq "(1) no second journal entry" "1 2" "$(grep -c '0000_add_a' "$DIR/meta/_journal.json") $(grep -c '"tag"' "$DIR/meta/_journal.json")"
check "(1) status: applied as 0000_add_a" grep -q "last apply: 0000_add_a.sql applied as 0000_add_a " "$M/status"
eq "(1) pending/ now holds the second only" "0001_add_b.sql" "$(listing "$M/pending")"
check "(1) applied/ has the first, with its text" cmp "$M/applied/0000_add_a.sql" "$DIR/0000_add_a.sql"
check "(1) mv of the second applies it" mv "$M/pending/0001_add_b.sql" "$M/apply/"
check "(1) column b" has_col b
before=$(val app "SELECT string_agg(id || ':' || hash || ':' || created_at, ' ' ORDER BY id) FROM drizzle.__drizzle_migrations")
check "(1) drizzle's migrator runs on the same folder" drizzle_migrate
eq "(1) ... and finds nothing to do" "$before" \
	"$(val app "SELECT string_agg(id || ':' || hash || ':' || created_at, ' ' ORDER BY id) FROM drizzle.__drizzle_migrations")"
eq "(1) pending/ is empty" "" "$(ls "$M/pending")"
check "(1) status: no unapplied entry" grep -qx "  unapplied journal entries: 0" "$M/status"

# --- (2) one numbering ---
echo 'integer' > "$B/columns/c"
eq "(2) the generated file is numbered after the journal's entries" "0002_booking_add_c.sql" "$(listing "$M/pending")"
check "(2) mv applies it" mv "$M/pending/0002_booking_add_c.sql" "$M/apply/"
check "(2) under the tag it was named by" grep -q "last apply: 0002_booking_add_c.sql applied as 0002_booking_add_c " "$M/status"
check "(2) the folder's file is <tag>.sql" test -f "$DIR/0002_booking_add_c.sql"
check "(2) journal: idx 2 is 0002_booking_add_c" grep -A3 '"idx": 2' "$DIR/meta/_journal.json" -m1 | grep -q '"tag": "0002_booking_add_c"'
check "(2) a healthy history: check is empty" poll 20 test ! -s "$M/check"

L=$MNT/legacy/migrations
eq "(2) legacy: applied/ listed in the order applied (ls -U)" \
	"0000_staff_add_bio.sql 0000_booking_init.sql 0001_more.sql" "$(ls -U "$L/applied" | tr '\n' ' ' | sed 's/ $//')"
echo 'text' > "$MNT/legacy/schemas/public/tables/staff/columns/bio"
eq "(2) legacy: the pending file follows every applied migration" "0003_staff_add_bio.sql" "$(listing "$L/pending")"
check "(2) legacy: mv applies it" mv "$L/pending/0003_staff_add_bio.sql" "$L/apply/"
check "(2) legacy: under that tag" grep -q "applied as 0003_staff_add_bio " "$L/status"
check "(2) legacy: the folder has 0003_staff_add_bio.sql" test -f "$LDIR/0003_staff_add_bio.sql"
check "(2) legacy: its journal entry has that tag" grep -q '"tag": "0003_staff_add_bio"' "$LDIR/meta/_journal.json"
eq "(2) legacy: applied/ in the order applied" \
	"0000_staff_add_bio.sql 0000_booking_init.sql 0001_more.sql 0003_staff_add_bio.sql" \
	"$(ls -U "$L/applied" | tr '\n' ' ' | sed 's/ $//')"
eq "(2) legacy: check names each row the folder does not hold" \
	"$(printf '%s\n' "tracking row #1 (0000_staff_add_bio, created_at 1000): matches no file in $LDIR" \
		"tracking row #2 (0000_booking_init, created_at 2000): matches no file in $LDIR" \
		"tracking row #3 (0001_more, created_at 3000): matches no file in $LDIR")" "$(cat "$L/check")"
check "(2) legacy: the CI gate fails" test -s "$L/check"
check "(2) legacy: check's st_size is exact" test "$(stat -c %s "$L/check")" == "$(wc -c < "$L/check")"

# --- (3) migrations/check, every problem from a real edit ---
t0=$(stat -c %y "$M/check")
echo 'integer' > "$B/columns/z"		# a new tree, same history
rm "$M/pending/"*.sql
eq "(3) check's mtime stays while its content does" "$t0" "$(stat -c %y "$M/check")"

cp "$DIR/0000_add_a.sql" "$T_TMP/a.sql"
sed -i 's/integer/bigint/' "$DIR/0000_add_a.sql"
line="0000_add_a: 0000_add_a.sql was edited after it was applied: its SHA-256 $(sha256sum "$DIR/0000_add_a.sql" | cut -c1-12)... is not the hash $(val app "SELECT left(hash, 12) FROM drizzle.__drizzle_migrations WHERE id = 1")... of tracking row #1 (created_at $(when_of 0000_add_a))"
check "(3) sed -i of an applied file: exactly its line" poll 20 check_is "$line"
check "(3) ... st_size exact" test "$(stat -c %s "$M/check")" == "$(wc -c < "$M/check")"
check "(3) ... mtime changed with it" test "$(stat -c %y "$M/check")" != "$t0"
check "(3) the CI gate fails" test -s "$M/check"
cp "$T_TMP/a.sql" "$DIR/0000_add_a.sql"
check "(3) put back: empty" poll 20 test ! -s "$M/check"

mv "$DIR/0001_add_b.sql" "$T_TMP/b.sql"
check "(3) rm of a file: exactly its line" poll 20 check_is "0001_add_b: journal entry without its file 0001_add_b.sql"
mv "$T_TMP/b.sql" "$DIR/0001_add_b.sql"
check "(3) put back: empty" poll 20 test ! -s "$M/check"

echo 'SELECT 1;' > "$DIR/0009_orphan.sql"
check "(3) an orphan .sql: exactly its line" poll 20 check_is "0009_orphan.sql: a .sql file in the folder that is not in the journal"
eq "(3) ... not in pending/ (not a journal entry)" "" "$(ls "$M/pending")"
rm "$DIR/0009_orphan.sql"
check "(3) removed: empty" poll 20 test ! -s "$M/check"

echo 'ALTER TABLE "booking" ADD COLUMN "d" integer;' | generate 0003_add_d
echo 'ALTER TABLE "booking" ADD COLUMN "e" integer;' | generate 0004_add_e
check "(3) two new entries: pending, check empty" poll 20 bash -c "[ \"\$(ls '$M/pending' | tr '\n' ' ')\" == '0003_add_d.sql 0004_add_e.sql ' ] && test ! -s '$M/check'"
wd=$(when_of 0003_add_d)
set_when 0004_add_e "$wd"
check "(3) a when not after the previous entry's: exactly its line" poll 20 \
	check_is "0004_add_e: its \"when\" $wd is not after the previous entry's (0003_add_d, $wd): drizzle runs entries in the order of \"when\""
wb=$(( $(when_of 0001_add_b) + 1 ))	# between two applied entries
last=$(val app "SELECT max(created_at) FROM drizzle.__drizzle_migrations")
set_when 0004_add_e "$((wd + 1))"
set_when 0003_add_d "$wb"
check "(3) a when moved before the last applied migration: never run, and out of order" poll 20 check_is \
	"$(printf '%s\n' "0003_add_d: its \"when\" $wb is not after the previous entry's (0002_booking_add_c, $(when_of 0002_booking_add_c)): drizzle runs entries in the order of \"when\"" \
		"0003_add_d: drizzle's migrator will never run it: its \"when\" $wb is not after the last applied migration's created_at $last, and it was not applied")"
eq "(3) ... and it is not in pending/ (drizzle would not run it)" "0004_add_e.sql" "$(listing "$M/pending")"
set_when 0003_add_d "$wd"
check "(3) put back: empty" poll 20 test ! -s "$M/check"

cp "$DIR/meta/_journal.json" "$T_TMP/journal.json"
echo '{ "version": "7", "entries": [' > "$DIR/meta/_journal.json"
check "(3) a broken journal: one line" poll 20 check_is "meta/_journal.json: invalid JSON (the other checks need the journal)"
check "(3) ... the mount serves the rest" test -f "$B/columns/a" -a -f "$M/applied/0000_add_a.sql"
check "(3) ... status says so" grep -q "^  meta/_journal.json: invalid JSON" "$M/status"
eq "(3) ... nothing pending from it" "" "$(ls "$M/pending")"
cp "$T_TMP/journal.json" "$DIR/meta/_journal.json"
check "(3) put back: empty" poll 20 test ! -s "$M/check"

check "(3) applying both after the fixes" mv "$M/pending/0003_add_d.sql" "$M/apply/"
check "(3) ... the second" mv "$M/pending/0004_add_e.sql" "$M/apply/"
check "(3) drizzle's migrator: nothing to do" drizzle_migrate
eq "(3) five rows, five journal entries, one per hash" "5 5 5" \
	"$(rows) $(grep -c '"tag"' "$DIR/meta/_journal.json") $(val app "SELECT count(DISTINCT hash) FROM drizzle.__drizzle_migrations")"
check "(3) healthy at the end" poll 20 test ! -s "$M/check"

done_testing

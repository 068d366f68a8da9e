#!/usr/bin/env bash
# 63_shadow: a schema-only twin of each writable database
# (<db>_schemafs_shadow), loaded from the live schema.sql and reloaded when
# the catalog changes; every pending file is dry-run there, in a rolled-back
# transaction, and a file whose dry run fails is refused by mv into apply/
# before anything runs on the real database. Without a shadow ("shadow":
# false, a role without CREATEDB) status says why and applies work.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql postgres -c "CREATE DATABASE off" >/dev/null
sql postgres -c "CREATE ROLE plain LOGIN" >/dev/null
sql postgres -c "CREATE DATABASE plainapp OWNER plain" >/dev/null
sql app >/dev/null <<'EOF'
CREATE TYPE public.mood AS ENUM ('happy', 'sad');
CREATE SEQUENCE public.counter;
CREATE TABLE public.booking (id integer PRIMARY KEY, nights integer, m public.mood);
INSERT INTO public.booking SELECT g, g % 3, 'happy' FROM generate_series(1, 20) g;
EOF
cat >"$T_TMP/cfg.json" <<EOF
{ "databases": { "app": { "conninfo": "dbname=app" },
                 "off": { "conninfo": "dbname=off", "shadow": false } },
  "ttl": 1 }
EOF
MNT=$T_TMP/mnt
mount_fs "$MNT" -o config="$T_TMP/cfg.json" || { not_ok "mount"; done_testing; }
M=$MNT/app/migrations
P=$M/pending
tables() { val "$1" "SELECT string_agg(table_schema || '.' || table_name || ':' || column_name || ':' || data_type, ','
	ORDER BY table_schema, table_name, column_name) FROM information_schema.columns
	WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"; }
passes() { [ "$(grep -c 'dry run: passes' "$M/status")" = "$1" ]; }
shadow_has() { [ "$(val app_schemafs_shadow "SELECT count(*) FROM pg_attribute
	WHERE attrelid = 'public.booking'::regclass AND attname = '$1' AND NOT attisdropped")" = 1 ]; }
counter() { val app "SELECT last_value || '/' || is_called FROM public.counter"; }
tracked() {
	if [ "$(val app "SELECT to_regclass('drizzle.__drizzle_migrations') IS NULL")" = t ]; then echo 0
	else val app "SELECT count(*) FROM drizzle.__drizzle_migrations"; fi
}

# --- the shadow exists, with the same tables and no rows ---
check "status: the shadow is loaded" poll 60 grep -q '^shadow: app_schemafs_shadow, loaded in' "$M/status"
eq "the shadow database exists" "1" \
	"$(val postgres "SELECT count(*) FROM pg_database WHERE datname = 'app_schemafs_shadow'")"
eq "the shadow has the same tables and columns" "$(tables app)" "$(tables app_schemafs_shadow)"
eq "... and no rows" "0" "$(val app_schemafs_shadow "SELECT count(*) FROM public.booking")"

# --- a hand-written file that fails: refused before anything runs ---
printf "SELECT nextval('public.counter');\nUPDATE public.booking SET nosuch = 1;\n" >"$T_TMP/bad.sql"
check "cp a failing file into pending/" cp "$T_TMP/bad.sql" "$P/0002_bad.sql"
check "status: its dry run fails at statement 2 of 2 (line 2), with PostgreSQL's message" \
	poll 30 grep -qF 'dry run: fails at statement 2 of 2 (line 2): column "nosuch" of relation "booking" does not exist' "$M/status"
:
c0=$(counter)
eq "mv of it into apply/: ECANCELED" "Operation canceled" "$(errno_of mv "$P/0002_bad.sql" "$M/apply/")"
eq "nothing ran on the database: its sequence did not move" "$c0" "$(counter)"
eq "... no tracking row" "0" "$(tracked)"
check "the file stays in pending/" test -f "$P/0002_bad.sql"
check "status: last apply says it was refused by its dry run" \
	grep -qF 'last apply: 0002_bad.sql refused: its dry run on the shadow fails at statement 2 of 2 (line 2)' "$M/status"
check "rm it" rm "$P/0002_bad.sql"

# --- an enum value used in the file that adds it (55P04) ---
printf "ALTER TYPE public.mood ADD VALUE 'meh';\nUPDATE public.booking SET m = 'meh';\n" >"$T_TMP/enum.sql"
check "cp the enum file into pending/" cp "$T_TMP/enum.sql" "$P/0002_enum.sql"
check "status: its dry run fails at statement 2 (55P04)" \
	poll 30 grep -qE 'dry run: fails at statement 2 of 2 \(line 2\): unsafe use of new value .*55P04' "$M/status"
eq "mv of it into apply/: ECANCELED" "Operation canceled" "$(errno_of mv "$P/0002_enum.sql" "$M/apply/")"
eq "the label was not added to the database" "0" "$(val app "SELECT count(*) FROM pg_enum WHERE enumlabel = 'meh'")"
check "rm it" rm "$P/0002_enum.sql"

# --- a passing file: its locks and rewrites, then it applies ---
printf "ALTER TABLE public.booking ADD COLUMN note text;\nALTER TABLE public.booking ALTER COLUMN nights TYPE bigint;\n" \
	>"$T_TMP/good.sql"
check "cp a passing file into pending/" cp "$T_TMP/good.sql" "$P/0002_good.sql"
check "status: dry run: passes" poll 30 grep -qF 'dry run: passes' "$M/status"
check "status: statement 1 takes AccessExclusiveLock on booking" \
	grep -qF 'statement 1: takes AccessExclusiveLock on booking' "$M/status"
check "status: statement 2 rewrites booking" grep -qE 'statement 2: .*rewrites booking' "$M/status"
check "mv of it into apply/ succeeds" mv "$P/0002_good.sql" "$M/apply/"
eq "the column is in the database" "bigint" \
	"$(val app "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'public.booking'::regclass AND attname = 'nights'")"
check "the shadow is reloaded with it" poll 30 shadow_has note

# --- pending files run in order: the second needs the first ---
printf "CREATE TABLE public.t1 (id integer);\n" >"$T_TMP/a.sql"
printf "INSERT INTO public.t1 VALUES (1);\n" >"$T_TMP/b.sql"
cp "$T_TMP/a.sql" "$P/0003_a.sql" && cp "$T_TMP/b.sql" "$P/0004_b.sql"
check "status: both pass, the second on top of the first" poll 30 passes 2
eq "mv of the second alone: ECANCELED (alone, it fails)" "Operation canceled" "$(errno_of mv "$P/0004_b.sql" "$M/apply/")"
eq "... nothing created" "" "$(val app "SELECT to_regclass('public.t1')")"
check "mv of the first succeeds" mv "$P/0003_a.sql" "$M/apply/"
check "then the second" mv "$P/0004_b.sql" "$M/apply/"
eq "its row is there" "1" "$(val app "SELECT count(*) FROM public.t1")"

# --- DDL from psql: the shadow is reloaded, a file that now passes shows so ---
printf "UPDATE public.booking SET later = 1;\n" >"$T_TMP/later.sql"
check "cp a file that needs a column not there yet" cp "$T_TMP/later.sql" "$P/0005_later.sql"
check "status: it fails" poll 30 grep -qF 'column "later" of relation "booking" does not exist' "$M/status"
sql app -c "ALTER TABLE public.booking ADD COLUMN later integer" >/dev/null
check "after the DDL from psql: dry run: passes" poll 30 grep -qF 'dry run: passes' "$M/status"
check "... and the shadow has the column" shadow_has later
check "it applies" mv "$P/0005_later.sql" "$M/apply/"

# --- a generated file is dry-run too ---
echo 'text' >"$MNT/app/schemas/public/tables/booking/columns/extra"
gen=$(ls "$P")
check "the generated file's dry run passes" poll 30 grep -qF 'dry run: passes' "$M/status"
check "it applies" mv "$P/$gen" "$M/apply/"

# --- "shadow": false: status says so, applies work ---
check "status of a database with \"shadow\": false says it is off" \
	grep -qF 'shadow: off ("shadow": false): pending files are not dry-run' "$MNT/off/migrations/status"
printf "CREATE TABLE public.x (id integer);\n" >"$T_TMP/x.sql"
check "cp a file into its apply/ works" cp "$T_TMP/x.sql" "$MNT/off/migrations/apply/0001_x.sql"
eq "... the table exists" "t" "$(val off "SELECT to_regclass('public.x') IS NOT NULL")"
eq "... no shadow database for it" "0" \
	"$(val postgres "SELECT count(*) FROM pg_database WHERE datname = 'off_schemafs_shadow'")"

# --- a role without CREATEDB: status says why, applies work ---
MNT2=$T_TMP/mnt2
mount_fs "$MNT2" -o conninfo="dbname=plainapp user=plain" || { not_ok "mount as plain"; done_testing; }
M2=$MNT2/plainapp/migrations
check "status says the role may not create databases" \
	poll 30 grep -qF 'shadow: none (the role plain may not create databases (no CREATEDB)' "$M2/status"
check "cp a file into apply/ works" cp "$T_TMP/x.sql" "$M2/apply/0001_x.sql"
eq "... the table exists" "t" "$(val plainapp "SELECT to_regclass('public.x') IS NOT NULL")"
umount_fs "$MNT2"

# --- the shadow outlives the mount (only the user drops it) ---
umount_fs "$MNT"
eq "after umount the shadow database is still there" "1" \
	"$(val postgres "SELECT count(*) FROM pg_database WHERE datname = 'app_schemafs_shadow'")"
done_testing

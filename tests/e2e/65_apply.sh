#!/usr/bin/env bash
# 65_apply: moving or copying a file into migrations/apply/ runs it: in one
# transaction with its Drizzle tracking row, never half-applied, the result
# in applied/, journal.json, migrations_dir and status. Failures keep the
# file in pending/ with the reason; CONCURRENTLY files run alone; the
# advisory lock makes a second deploy wait, then EBUSY with the holder;
# kill -9 of the daemon or a server restart in the middle applies nothing.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql postgres -c "CREATE DATABASE ro" >/dev/null
sql app >/dev/null <<'EOF'
CREATE TYPE public.mood AS ENUM ('happy', 'sad');
CREATE TABLE public.booking (id integer PRIMARY KEY, nights integer, code text);
INSERT INTO public.booking SELECT g, g % 3, 'c' || (g % 2) FROM generate_series(1, 20) g;
EOF
DIR=$T_TMP/drizzle
cat >"$T_TMP/cfg.json" <<EOF
{ "databases": { "app": { "conninfo": "dbname=app", "migrations_dir": "$DIR", "lock_wait": 1500 },
                 "ro": { "conninfo": "dbname=ro", "read_only": true } },
  "ttl": 1 }
EOF
# A migrations_dir that does not exist (a typo) is refused at mount, in
# one line, instead of being created by the first apply.
mkdir -p "$T_TMP/nomnt"
timeout 60 "$SCHEMAFS" -f -o config="$T_TMP/cfg.json" "$T_TMP/nomnt" >"$T_TMP/nodir.out" 2>&1
eq "a missing migrations_dir: exit 1" "1" "$?"
eq "... one line naming it" "schemafs: database app: migrations_dir $DIR: No such file or directory (create it, or fix the path)" \
	"$(cat "$T_TMP/nodir.out")"
check_fails "... nothing mounted" is_mounted "$T_TMP/nomnt"
check "... nothing created" test ! -e "$DIR"
mkdir "$DIR"
MNT=$T_TMP/mnt
mount_fs "$MNT" -o config="$T_TMP/cfg.json" || { not_ok "mount"; done_testing; }
D=$MNT/app
M=$D/migrations
B=$D/schemas/public/tables/booking
rows() { val app "SELECT count(*) FROM drizzle.__drizzle_migrations"; }
# pg_dump's \restrict lines carry a random key: left out. Where pg_dump
# refuses the server (16+), the catalog summary stands in for it.
if pg_dump_usable; then dump() { pg_dump --schema-only -d app | grep -v '^\\\(un\)\?restrict'; }
else dump() { psql -X -qAt -v ON_ERROR_STOP=1 -d app -f "$T_ROOT/scripts/catalog-summary.sql"; }; fi

# --- a staged change, applied with mv ---
echo 'text' > "$B/columns/notes"
gen=$(ls "$M/pending")
check "mv pending/X apply/ succeeds" mv "$M/pending/$gen" "$M/apply/"
eq "the column exists in the database" "notes" "$(val app "SELECT attname FROM pg_attribute WHERE attrelid = 'public.booking'::regclass AND attname = 'notes'")"
eq "one tracking row" "1" "$(rows)"
eq "the tracking row's hash is the file's SHA-256" "$(sha256sum "$M/applied/$gen" | cut -d' ' -f1)" \
	"$(val app "SELECT hash FROM drizzle.__drizzle_migrations")"
eq "pending/ is empty right after (the refresh is done before mv returns)" "" "$(ls "$M/pending")"
eq "applied/ lists it" "$gen" "$(ls "$M/applied")"
check "apply/ stays empty" test -z "$(ls "$M/apply")"
check "the tree shows the new column at once" test -f "$B/columns/notes"
check "migrations_dir has the file" cmp "$DIR/${gen}" "$M/applied/$gen"
check "migrations_dir's journal has the entry" grep -q "\"tag\": \"${gen%.sql}\"" "$DIR/meta/_journal.json"
eq "journal.json's when is the tracking row's created_at" \
	"$(val app "SELECT created_at FROM drizzle.__drizzle_migrations")" \
	"$(grep '"when"' "$M/journal.json" | tr -dc 0-9)"
check "status: applied count" grep -q '(1 applied)' "$M/status"
check "status: last apply" grep -q "last apply: $gen applied as ${gen%.sql}" "$M/status"
check "status: the lock is free" grep -q 'migration lock: free' "$M/status"
check "drizzle's table is drizzle's" test "$(val app "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
	FROM pg_attribute WHERE attrelid = 'drizzle.__drizzle_migrations'::regclass AND attnum > 0")" \
	== "id integer, hash text, created_at bigint"

# --- cp of a hand-written file; applying the same file again ---
printf 'ALTER TABLE public.booking ADD COLUMN guests integer;\n' >"$T_TMP/guests.sql"
check "cp any.sql apply/" cp "$T_TMP/guests.sql" "$M/apply/0001_guests.sql"
eq "applied" "2" "$(rows)"
check "applied/ has it, numbered after the first" test -f "$M/applied/0001_guests.sql"
check "the same file again: succeeds" cp "$T_TMP/guests.sql" "$M/apply/again.sql"
eq "the same file again: nothing run, no new row" "2" "$(rows)"
check "the same file again: status says so" grep -q 'again.sql was already applied (tracking row #2' "$M/status"

# --- a 5-statement file failing at statement 3 ---
cat >"$T_TMP/bad.sql" <<'EOF'
ALTER TABLE public.booking ADD COLUMN a integer;
--> statement-breakpoint
CREATE INDEX booking_a_idx ON public.booking (a);
--> statement-breakpoint
ALTER TABLE public.booking ADD COLUMN a integer;
--> statement-breakpoint
ALTER TABLE public.booking ADD COLUMN b integer;
--> statement-breakpoint
CREATE TABLE public.other (x integer);
EOF
dump >"$T_TMP/before.dump"
cp "$T_TMP/bad.sql" "$T_TMP/0002_bad.sql"
cp "$T_TMP/bad.sql" "$M/pending/0002_bad.sql"
eq "failing file: mv fails with EINVAL" "Operation canceled" "$(errno_of mv "$M/pending/0002_bad.sql" "$M/apply/")"
dump >"$T_TMP/after.dump"
check "failing file: the schema (pg_dump, or the catalog summary) byte-identical" cmp "$T_TMP/before.dump" "$T_TMP/after.dump"
eq "failing file: no tracking row" "2" "$(rows)"
check "failing file: still in pending/" cmp "$M/pending/0002_bad.sql" "$T_TMP/bad.sql"
check "failing file: status names the statement, its line and first keyword" grep -qF 'failed at statement 3 of 5 (line 5, character 1)' "$M/status"
check "failing file: PostgreSQL's message" grep -q 'column "a" of relation "booking" already exists' "$M/status"
check "failing file: what to do" grep -q 'fix it and move it to apply/ again' "$M/status"
check "failing file: nothing in migrations_dir" test ! -e "$DIR/0002_bad.sql"
eq "failing file: the journal did not grow" "2" "$(grep -c '"tag"' "$DIR/meta/_journal.json")"
check "cp of a failing file into apply/: close fails" sh -c "! cp '$T_TMP/bad.sql' '$M/apply/0003_bad2.sql'"
check "cp of a failing file: it returns to pending/" cmp "$M/pending/0003_bad2.sql" "$T_TMP/bad.sql"
rm "$M/pending/0002_bad.sql" "$M/pending/0003_bad2.sql"

# --- positions as an editor counts them (issue 10, item 12) ---
# Statements are sent one by one: the failing one is named by its number
# in the file, its line, and the character (UTF-8) PostgreSQL points at.
printf -- '-- positions count the file'"'"'s lines\nCREATE TABLE public.pos_a (id integer);\n\nCREATE TABLE public."p\xc3\xb6sit" (id integer, b nosuch);\n' >"$T_TMP/pos.sql"
eq "a type error on line 4: ECANCELED" "Operation canceled" "$(errno_of cp "$T_TMP/pos.sql" "$M/apply/0002_pos.sql")"
check "... status: statement 2 of 2, line 4, character 44" \
	grep -qF '0002_pos.sql failed at statement 2 of 2 (line 4, character 44): type "nosuch" does not exist' "$M/status"
check "... hand-written: fix it" grep -qF 'the file stays in pending/: fix it and move it to apply/ again' "$M/status"
eq "... statement 1 rolled back" "" "$(val app "SELECT to_regclass('public.pos_a')")"
rm -f "$M/pending/0002_pos.sql"
printf 'ALTER TABLE public.booking ADD COLUMN p1 integer;\n\n  -- a comment first\n  ALTER TABLE public.booking ADD COLUMN p1 integer;\n' >"$T_TMP/pos2.sql"
eq "an error without a position: ECANCELED" "Operation canceled" "$(errno_of cp "$T_TMP/pos2.sql" "$M/apply/0002_pos2.sql")"
check "... points at the statement's first keyword, past the comment" \
	grep -qF '0002_pos2.sql failed at statement 2 of 2 (line 4, character 3): column "p1" of relation "booking" already exists' "$M/status"
rm -f "$M/pending/0002_pos2.sql"
printf 'CREATE INDEX CONCURRENTLY booking_p_a ON public.booking (nights); CREATE INDEX CONCURRENTLY booking_p_b ON public.booking (code);\n' >"$T_TMP/conc2.sql"
eq "two CONCURRENTLY statements in one chunk: ECANCELED" "Operation canceled" "$(errno_of cp "$T_TMP/conc2.sql" "$M/apply/0002_conc2.sql")"
check "... refused as mixed" grep -q '0002_conc2.sql mixes a statement that cannot run in a transaction' "$M/status"
eq "... neither ran" "" "$(val app "SELECT to_regclass('public.booking_p_a')")"
rm -f "$M/pending/0002_conc2.sql"
# A generated migration cannot be edited: the advice names the tree's file.
sql app -c "UPDATE public.booking SET nights = NULL WHERE id = 1" >/dev/null
echo 'integer NOT NULL' >"$B/columns/nights"
gen=$(ls "$M/pending")
eq "a generated migration that fails: ECANCELED" "Operation canceled" "$(errno_of mv "$M/pending/$gen" "$M/apply/")"
check "... the advice names the column's file" grep -qF 'It is generated from the staged changes: change schemas/public/tables/booking/columns/nights (the migration follows), or rm it to discard them all' "$M/status"
check "... not fix it" sh -c "! grep -q 'fix it and move it' '$M/status'"
rm "$M/pending/$gen"
sql app -c "UPDATE public.booking SET nights = 1 WHERE id = 1" >/dev/null

# --- an enum value used in the same transaction ---
printf "ALTER TYPE public.mood ADD VALUE 'meh';\nSELECT 'meh'::public.mood;\n" >"$T_TMP/enum.sql"
eq "ADD VALUE used in the same file: EINVAL" "Operation canceled" "$(errno_of cp "$T_TMP/enum.sql" "$M/apply/0002_enum.sql")"
check "ADD VALUE: SQLSTATE 55P04 and the rule in plain words" grep -q '55P04.*cannot be used in the transaction that adds it: put the ADD VALUE in a migration of its own' "$M/status"
eq "ADD VALUE: the value was not added" "happy sad" "$(val app "SELECT string_agg(enumlabel, ' ' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'public.mood'::regtype")"
rm -f "$M/pending/0002_enum.sql"

# --- CONCURRENTLY ---
printf 'CREATE INDEX CONCURRENTLY booking_nights_idx ON public.booking (nights);\n' >"$T_TMP/conc.sql"
check "a CONCURRENTLY file applies" cp "$T_TMP/conc.sql" "$M/apply/0002_conc.sql"
eq "the index is valid" "t" "$(val app "SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.booking_nights_idx'::regclass")"
check "status: applied outside a transaction" grep -q 'applied outside a transaction' "$M/status"
eq "and recorded" "3" "$(rows)"
printf 'CREATE UNIQUE INDEX CONCURRENTLY booking_code_key ON public.booking (code);\n' >"$T_TMP/conc_bad.sql"
eq "a failing CONCURRENTLY file: EINVAL" "Operation canceled" "$(errno_of cp "$T_TMP/conc_bad.sql" "$M/apply/0003_conc_bad.sql")"
eq "no INVALID index is left" "0" "$(val app "SELECT count(*) FROM pg_index WHERE NOT indisvalid")"
check "status says the INVALID index was dropped" grep -q 'The INVALID index booking_code_key it left was dropped' "$M/status"
eq "no tracking row for it" "3" "$(rows)"
printf 'ALTER TABLE public.booking ADD COLUMN mixed integer;\nCREATE INDEX CONCURRENTLY booking_code_idx ON public.booking (code);\n' >"$T_TMP/mixed.sql"
dump >"$T_TMP/before.dump"
eq "a mixed file: EINVAL" "Operation canceled" "$(errno_of cp "$T_TMP/mixed.sql" "$M/apply/0003_mixed.sql")"
dump >"$T_TMP/after.dump"
check "a mixed file: nothing ran" cmp "$T_TMP/before.dump" "$T_TMP/after.dump"
check "a mixed file: the reason" grep -q 'mixes a statement that cannot run in a transaction' "$M/status"
printf 'ALTER TABLE public.booking ADD COLUMN mixed integer;\n--> statement-breakpoint\nCREATE INDEX CONCURRENTLY booking_code_idx ON public.booking (code);\n' >"$T_TMP/mixed2.sql"
eq "a mixed file with breakpoints: EINVAL" "Operation canceled" "$(errno_of cp "$T_TMP/mixed2.sql" "$M/apply/0003_mixed2.sql")"
dump >"$T_TMP/after.dump"
check "a mixed file with breakpoints: nothing ran" cmp "$T_TMP/before.dump" "$T_TMP/after.dump"
rm -f "$M/pending/"*

# --- files that are not migrations ---
printf '\n  \n' >"$T_TMP/empty.sql"
eq "a blank file: ECANCELED" "Operation canceled" "$(errno_of cp "$T_TMP/empty.sql" "$M/apply/0003_empty.sql")"
check "a blank file: not recorded" test "$(rows)" == 3
check "a blank file: the reason" grep -q '0003_empty.sql holds no statement' "$M/status"
check "a failed copy does not overwrite a pending file of that name" sh -c "! cp '$T_TMP/empty.sql' '$M/apply/0003_empty.sql' && test -f '$M/pending/0003_empty.sql' && test -f '$M/pending/0003_empty-2.sql'"
rm -f "$M/pending/"*
printf 'ALTER TABLE public.booking ADD COLUMN tx1 integer;\nCOMMIT;\n' >"$T_TMP/commit.sql"
eq "a file with its own COMMIT: ECANCELED" "Operation canceled" "$(errno_of cp "$T_TMP/commit.sql" "$M/apply/0003_commit.sql")"
check "a file with its own COMMIT: refused before it runs, status says where" \
	grep -q 'controls its own transaction (COMMIT, statement 2, line 2): nothing was run' "$M/status"
check "a file with its own COMMIT: not recorded" test "$(rows)" == 3
eq "a file with its own COMMIT: nothing ran (no tx1)" "" "$(val app "SELECT attname FROM pg_attribute WHERE attrelid = 'booking'::regclass AND attname = 'tx1'")"
# Two transactions of its own: refused whole, so part_a is not committed.
printf 'BEGIN; CREATE TABLE part_a(id int); COMMIT; BEGIN; CREATE TABLE part_b(id no_such_type); COMMIT;\n' >"$T_TMP/two.sql"
eq "a file with BEGIN ... COMMIT twice: ECANCELED" "Operation canceled" "$(errno_of cp "$T_TMP/two.sql" "$M/apply/0003_two.sql")"
eq "... part_a was not created" "" "$(val app "SELECT to_regclass('public.part_a')")"
check "... status names the first BEGIN" grep -q 'controls its own transaction (BEGIN, statement 1, line 1)' "$M/status"
rm -f "$M/pending/"*
sql app -c "ALTER TABLE public.booking DROP COLUMN IF EXISTS tx1" >/dev/null
# rsync and editors write a temp file, then rename it into place.
printf 'ALTER TABLE public.booking ADD COLUMN renamed_in integer;\n' >"$T_TMP/renamed.sql"
check "a temp file renamed into apply/ (rsync): applied" \
	sh -c "cp '$T_TMP/renamed.sql' '$M/apply/.0003_renamed.sql.tmp' && mv '$M/apply/.0003_renamed.sql.tmp' '$M/apply/0003_renamed.sql'"
eq "a temp file renamed into apply/: recorded" "4" "$(rows)"
check "apply/ is empty afterwards" test -z "$(ls -A "$M/apply")"

# --- the advisory lock ---
KEY=$(val app "SELECT hashtextextended('drizzle.__drizzle_migrations', 0)")
mkfifo "$T_TMP/hold"
psql -X -q -d app -v ON_ERROR_STOP=1 -c "SET application_name = 'other-deploy'" \
	-c "SELECT pg_advisory_lock($KEY)" -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
holder=$!
check "another session holds the lock" poll 30 sh -c "psql -X -qAt -d app -c \"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted\" | grep -qx 1"
printf 'ALTER TABLE public.booking ADD COLUMN waited integer;\n' >"$T_TMP/wait.sql"
start=$(date +%s%N)
eq "lock held elsewhere: EBUSY after lock_wait" "Device or resource busy" "$(errno_of cp "$T_TMP/wait.sql" "$M/apply/0003_wait.sql")"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "it waited about lock_wait (1.5 s): ${ms} ms" test "$ms" -ge 1400 -a "$ms" -lt 10000
check "status names the holder's pid and application_name" grep -q "held by pid [0-9]* (other-deploy" "$M/status"
check "status: the lock line shows the holder too" poll 30 grep -q 'migration lock: held by pid [0-9]* (other-deploy' "$M/status"
check "nothing applied meanwhile" test "$(rows)" == 4
kill "$holder"; wait "$holder" 2>/dev/null
val app "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'other-deploy'" >/dev/null
check "once free: the file (back in pending/) applies" mv "$M/pending/0003_wait.sql" "$M/apply/"
eq "applied" "5" "$(rows)"

# --- kill -9 of the daemon in the middle of a long migration ---
printf 'ALTER TABLE public.booking ADD COLUMN slow integer;\nSELECT pg_sleep(30);\n' >"$M/pending/0004_slow.sql"
mv "$M/pending/0004_slow.sql" "$M/apply/" 2>/dev/null &
mvpid=$!
running() { test "$(val app "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()")" == 1; }
check "the slow migration is running" poll 10 running
pid=${T_DAEMONS[0]}
kill -9 "$pid"; wait "$pid" 2>/dev/null
fusermount3 -uz "$MNT"
T_MOUNTS=(); T_DAEMONS=()
wait "$mvpid" 2>/dev/null
ok "daemon killed with -9 during the migration"
# 14 and newer notice a vanished client within client_connection_check_interval
# (1 s); 13 has no such check and ends it only when its statement (the
# 30 s sleep) is over and the result cannot be sent.
if [ "$T_PG_MAJOR" -ge 14 ]; then orphan_s=10 orphan="within seconds"
else orphan_s=45 orphan="when its statement ends (PostgreSQL 13)"; fi
check "the server ends the orphaned migration $orphan" poll "$orphan_s" sh -c "! psql -X -qAt -d app -c \"SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()\" | grep -qx 1"
eq "the server rolled it back" "0" "$(val app "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.booking'::regclass AND attname = 'slow'")"
eq "no tracking row" "5" "$(rows)"
check "the lock is free again" poll 10 sh -c "psql -X -qAt -d app -c \"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'\" | grep -qx 0"
mount_fs "$MNT" -o config="$T_TMP/cfg.json" || not_ok "remount"
check "after remount: the file is still in pending/" test -f "$M/pending/0004_slow.sql"

# --- the server restarted during an apply ---
printf 'ALTER TABLE public.booking ADD COLUMN slow integer;\nSELECT pg_sleep(30);\n' >"$M/pending/0004_slow.sql"
( mv "$M/pending/0004_slow.sql" "$M/apply/" 2>"$T_TMP/mv.err"; echo $? >"$T_TMP/mv.rc" ) &
check "the slow migration is running again" poll 10 running
pg_ctl_as restart
check "mv returns when the server goes away" poll 20 test -s "$T_TMP/mv.rc"
check "mv failed (EIO)" grep -q 'Input/output error' "$T_TMP/mv.err"
eq "after the restart: not applied" "0" "$(val app "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.booking'::regclass AND attname = 'slow'")"
eq "after the restart: no tracking row" "5" "$(rows)"
check "after the restart: the file is in pending/" test -f "$M/pending/0004_slow.sql"
sed -i 's/SELECT pg_sleep(30);//' "$M/pending/0004_slow.sql"
check "after the restart: the mount applies again by itself" mv "$M/pending/0004_slow.sql" "$M/apply/"
eq "applied" "6" "$(rows)"

# --- the mtimes file follows, written by the refresher between its cycles
# (README "What an apply waits for"), not by the refresh the apply waited for ---
MT=$XDG_STATE_HOME/schemafs/app/mtimes
has_record() { tr '\0' '\n' <"$MT" | grep -qE " $1\$"; }
check "the mtimes file records the column the apply added" poll 30 has_record schemas/public/tables/booking/columns/slow
check "... and the file it applied" poll 30 has_record "migrations/applied/$(ls "$M/applied" | grep slow)"

# --- read-only ---
eq "read-only: cp into apply/" "Read-only file system" "$(errno_of cp "$T_TMP/guests.sql" "$MNT/ro/migrations/apply/x.sql")"

done_testing

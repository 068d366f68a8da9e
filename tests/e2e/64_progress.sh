#!/usr/bin/env bash
# 64_progress: while a migration runs (mv into apply/ blocks until it is
# done), migrations/status shows, live, from another shell: the file, the
# statement running (number, first line), the time so far, and the
# backends it waits for (pg_blocking_pids: pid, application_name, state,
# query), and a migration waiting for the migration lock names its holder
# the same way. Once it is done, that part is gone. (Index build phases are
# covered by test_progress: a build slow enough to watch is not
# deterministic.)
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app -c "CREATE TABLE public.booking (id integer PRIMARY KEY)" >/dev/null

# lock_timeout and lock_wait well above how long this test lets a migration wait.
cat >"$T_TMP/cfg.json" <<JSON
{ "databases": { "app": { "conninfo": "dbname=app", "lock_timeout": 300000, "lock_wait": 300000 } }, "ttl": 1 }
JSON
MNT=$T_TMP/mnt
mount_fs "$MNT" -o config="$T_TMP/cfg.json" || { not_ok "mount"; done_testing; }
M=$MNT/app/migrations
P=$M/pending

check "status: nothing running at first" sh -c "! grep -q '^migration running' '$M/status'"

# A session that holds the table's lock, fed through a FIFO so that it
# stays open (idle in transaction) until we end it.
mkfifo "$T_TMP/fifo"
PGAPPNAME=blocker psql -X -q -At -v ON_ERROR_STOP=1 -d app <"$T_TMP/fifo" >"$T_TMP/blocker.out" 2>&1 &
blocker=$!
exec 7>"$T_TMP/fifo"
printf 'SELECT pg_backend_pid() \\g %s\nBEGIN;\nLOCK TABLE booking IN ACCESS EXCLUSIVE MODE;\n' "$T_TMP/blocker.pid" >&7
holds_lock() {
	test -s "$T_TMP/blocker.pid" &&
	test "$(val app "SELECT count(*) FROM pg_locks WHERE pid = $(cat "$T_TMP/blocker.pid")
	                 AND relation = 'public.booking'::regclass AND mode = 'AccessExclusiveLock' AND granted")" == 1
}
check "the blocking session holds the lock" poll 30 holds_lock
bpid=$(cat "$T_TMP/blocker.pid")

printf -- '-- waits for the lock\nALTER TABLE booking ADD COLUMN x int;\n' >"$T_TMP/x.sql"
check "cp the migration into pending/" cp "$T_TMP/x.sql" "$P/0002_x.sql"
( mv "$P/0002_x.sql" "$M/apply/"; echo $? >"$T_TMP/mv.rc" ) &
mover=$!
migration_waiting() {
	test "$(val app "SELECT count(*) FROM pg_stat_activity
	                 WHERE wait_event_type = 'Lock' AND query LIKE '%ALTER TABLE booking ADD COLUMN x%'")" == 1
}
check "the migration runs, waiting for the lock" poll 30 migration_waiting
mpid=$(val app "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%ALTER TABLE booking ADD COLUMN x%'")

# What status shows, from this other shell, while mv still waits.
shows() { grep -qF -- "$1" "$M/status"; }
check "status: the file and the migration's backend" \
	poll 30 shows "migration running: 0002_x.sql (backend pid $mpid), for "
check "status: statement 1 of 1 and its first line (past the comment; as sent, without its ;)" \
	poll 30 grep -qE '^  statement 1 of 1, for [0-9]+ s: ALTER TABLE booking ADD COLUMN x int$' "$M/status"
check "status: waiting for the blocking session, with its application, state and query" \
	poll 30 shows "  waiting for: pid $bpid (blocker, idle in transaction): LOCK TABLE booking IN ACCESS EXCLUSIVE MODE;"
check "status: the time so far grows" \
	poll 30 grep -qE "^migration running: 0002_x.sql \(backend pid $mpid\), for [1-9][0-9]* s$" "$M/status"
check "mv is still waiting" kill -0 "$mover"
check "status: the apply has not finished" sh -c "! grep -q '^last apply: .*0002_x' '$M/status'"

# The blocking session ends: the migration goes through.
printf 'ROLLBACK;\n' >&7
exec 7>&-
wait "$blocker"
wait "$mover"
eq "mv succeeded once the lock was free" "0" "$(cat "$T_TMP/mv.rc")"
eq "the column exists" "x" \
	"$(val app "SELECT attname FROM pg_attribute WHERE attrelid = 'public.booking'::regclass AND attname = 'x'")"
check "status: the last apply names it" grep -q '^last apply: 0002_x.sql applied as ' "$M/status"
check "status: the running part is gone" sh -c "! grep -qE '^migration running|^  (statement [0-9]|waiting for:)' '$M/status'"

# --- waiting for the migration lock: its holder is named ---
mkfifo "$T_TMP/fifo2"
PGAPPNAME=deployer psql -X -q -At -v ON_ERROR_STOP=1 -d app <"$T_TMP/fifo2" >"$T_TMP/deployer.out" 2>&1 &
deployer=$!
exec 8>"$T_TMP/fifo2"
printf "SELECT pg_backend_pid() \\g %s\nSELECT pg_advisory_lock(hashtextextended('drizzle.__drizzle_migrations', 0)) \\g %s\n" \
	"$T_TMP/deployer.pid" "$T_TMP/deployer.locked" >&8
check "another session holds the migration lock" poll 30 test -s "$T_TMP/deployer.locked"
dpid=$(cat "$T_TMP/deployer.pid")
printf 'ALTER TABLE booking ADD COLUMN y int;\n' >"$T_TMP/y.sql"
( cp "$T_TMP/y.sql" "$M/apply/0003_y.sql"; echo $? >"$T_TMP/cp.rc" ) &
copier=$!
check "status: the file, at the migration lock" \
	poll 30 grep -qE '^migration running: 0003_y.sql \(backend pid [0-9]+\), for [0-9]+ s$' "$M/status"
check "status: its step is taking the migration lock" \
	poll 30 grep -qE '^  taking the migration lock, for [0-9]+ s$' "$M/status"
check "status: waiting for the lock's holder" \
	poll 30 grep -qxF "  waiting for: pid $dpid (deployer, idle): SELECT pg_advisory_lock(hashtextextended('drizzle.__drizzle_migrations', 0))" "$M/status"
printf "SELECT pg_advisory_unlock_all();\n" >&8
exec 8>&-
wait "$deployer"
wait "$copier"
eq "cp succeeded once the migration lock was free" "0" "$(cat "$T_TMP/cp.rc")"
check "status: nothing running any more" sh -c "! grep -qE '^migration running|^  (taking|waiting for:)' '$M/status'"

umount_fs "$MNT"
done_testing

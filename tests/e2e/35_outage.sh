#!/usr/bin/env bash
# 35_outage: while the server is down, reads are served from the last
# snapshot and never hang, migrations/status says the server is unreachable,
# and the mount recovers by itself when the server is back.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app -c "CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL)" >/dev/null
M=$T_TMP/mnt
D=$M/app
mount_fs "$M" -o conninfo=dbname=app -o ttl=0.5 || { not_ok "mount"; done_testing; }

check "status: reachable" grep -q '^server: reachable' "$D/migrations/status"
pg_ctl_as stop
sleep 1
check "reads still served while the server is down" timeout 5 cat "$D/schemas/public/tables/item/columns/name"
eq "from the last snapshot" "text NOT NULL" "$(timeout 5 cat "$D/schemas/public/tables/item/columns/name")"
check "ls does not hang" timeout 5 ls "$D/schemas/public/tables"
check "status says unreachable" poll 15 grep -q '^server: unreachable' "$D/migrations/status"
check "status gives libpq's reason" grep -q '^last error: .*\(connect\|server\|socket\)' "$D/migrations/status"
# The same failure on every poll (ttl=0.5 s) is logged and rendered once.
ls -R "$D" >/dev/null; sleep 3; ls "$D" >/dev/null
check "a lasting outage is logged once, not on every poll ($(grep -c 'refresh failed' "$T_TMP/daemon.log"))" \
	test "$(grep -c 'refresh failed' "$T_TMP/daemon.log")" -le 2

pg_ctl_as start
check "status recovers by itself" poll 15 grep -q '^server: reachable' "$D/migrations/status"
sql app -c "ALTER TABLE item ADD COLUMN price numeric" >/dev/null
check "DDL after the restart shows up" poll 15 test -f "$D/schemas/public/tables/item/columns/price"

# A server restart between two refreshes: the dead connection is replaced
# at once, the refresh after it does not fail. Polls (every 0.5 s here)
# may still land while the server is down during the restart, which is an
# honest failure of each: how many depends on how long the restart takes
# (on a loaded machine, several), and each state it passes through
# (terminating, shutting down, no socket, starting up) has its own
# message. What must hold: the same failure is logged once, not once per
# poll.
nfail=$(grep -c 'refresh failed' "$T_TMP/daemon.log")
pg_ctl_as restart
sql app -c "ALTER TABLE item ADD COLUMN qty int" >/dev/null
check "DDL after a quick restart shows up" poll 15 test -f "$D/schemas/public/tables/item/columns/qty"
fails=$(grep 'refresh failed' "$T_TMP/daemon.log" | tail -n +$((nfail + 1)) | sed 's/.*refresh failed: //')
check_fails "after the restarts, no query met a prepared statement that was gone (a new session prepares again)" \
	grep -qi 'prepared statement' "$T_TMP/daemon.log"
check "over the quick restart, no failure is logged twice in a row ($(printf '%s' "$fails" | grep -c .) logged)" \
	test -z "$(printf '%s\n' "$fails" | uniq -d)"

# A migration holding ACCESS EXCLUSIVE on a table a view uses: the refresh
# gives up after its lock timeout instead of hanging, reads go on, and the
# mount unmounts promptly.
sql app -c "CREATE VIEW item_names AS SELECT name FROM item" >/dev/null
check "view visible" poll 15 test -f "$D/schemas/public/views/item_names.sql"
psql -X -q -d app -c "BEGIN; LOCK TABLE item IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(30); COMMIT;" >/dev/null 2>&1 &
locker=$!
sleep 1
# The comment on the view makes the refresh read it (a changed view is a
# full read): a new table alone is read incrementally, without the view,
# and would not wait for the lock at all.
sql app -c "CREATE TABLE other (id int)" -c "COMMENT ON VIEW item_names IS 'read again'" >/dev/null
check "reads go on while the refresh waits for the lock" timeout 5 cat "$D/schemas/public/views/item_names.sql"
check "status names the lock timeout within 15 s" poll 15 grep -q '^last error: .*lock timeout' "$D/migrations/status"
kill "$locker" 2>/dev/null
psql -X -q -d app -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()" >/dev/null
wait "$locker" 2>/dev/null
check "after the lock: the new table shows up" poll 15 test -d "$D/schemas/public/tables/other"

# A reset drops the tracking table: refreshes must go on.
sql app -c "CREATE SCHEMA drizzle; CREATE TABLE drizzle.__drizzle_migrations (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint)" >/dev/null
check "tracking table seen" poll 15 grep -q '^migrations table: drizzle.__drizzle_migrations (0 applied)' "$D/migrations/status"
sql app -c "DROP SCHEMA drizzle CASCADE" -c "CREATE TABLE after_reset (id int)" >/dev/null
check "after the tracking table is dropped, DDL still shows up" poll 15 test -d "$D/schemas/public/tables/after_reset"
check "and status says it is gone" grep -q '(not created yet)' "$D/migrations/status"

SECONDS=0
umount_fs "$M"
check "unmount took under 10 s" test "$SECONDS" -lt 10
done_testing

#!/usr/bin/env bash
# 30_inval_window: a file opened after a refresh installed a new tree but
# before the kernel took that tree's cache invalidations (they are
# delivered by a thread of their own, invalq.h) is read whole. The kernel
# still holds the old st_size then, and reads through its page cache stop
# there: a longer new content came back cut (issue 15's CI, 57_staging_tools
# "draft: status lists it": status lost its tail to a shadow result
# published just before the grep). SCHEMAFS_TEST_INVAL_DELAY_MS holds each
# batch of invalidations for 5 s, so the window is hit on every run, and the
# daemon logs "test: invalidations delivered after a ... hold" when it ends:
# each read below is checked to be from inside it, and "test: holding
# invalidations" when it begins: none is held when a change is made.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app -c "CREATE TABLE public.t (id integer PRIMARY KEY, a text)"

MNT=$T_TMP/mnt
LOG=$T_TMP/daemon.log
# No shadow database: its news republishes status on a schedule of its own,
# which could hold a batch of its own between a change and the read.
printf '{ "databases": { "app": { "conninfo": "dbname=app", "shadow": false, "ttl": 1 } } }\n' >"$T_TMP/cfg.json"
export SCHEMAFS_TEST_INVAL_DELAY_MS=5000
mount_fs "$MNT" -o config="$T_TMP/cfg.json" || { not_ok "mount"; done_testing; }
unset SCHEMAFS_TEST_INVAL_DELAY_MS
D=$MNT/app
T=$D/schemas/public/tables/t
S=$D/migrations/status
delivered() { grep -c 'test: invalidations delivered after' "$LOG"; }
delivered_since() { [ "$(delivered)" -gt "$1" ]; }
# No batch held now (the refresh after the mount may push one): the next
# one held is the change's own. Twice, 0.3 s apart: a batch just taken by
# the drain is logged as held a moment later.
held_none() { [ "$(grep -c 'test: holding invalidations' "$LOG")" == "$(delivered)" ]; }
settled() { held_none && sleep 0.3 && held_none; }
# The last line of what was read (in $GOT).
last_line() { tail -n 1 "$GOT"; }
GOT=$T_TMP/got

# The kernel learns the sizes and keeps the pages (auto_cache).
check "table.sql read before" grep -q '^CREATE TABLE public.t' "$T/table.sql"
before=$(stat -c %s "$T/table.sql")
check "status read before" grep -q '^migration lock: free' "$S"
cat "$S" "$T/table.sql" >/dev/null
check "no invalidations held before the DDL" poll 30 settled
cat "$S" "$T/table.sql" >/dev/null

# A longer table.sql, installed by a refresh; its invalidation is held.
n0=$(delivered)
ADDED=added_by_someone_else_with_a_long_name
sql app -c "ALTER TABLE public.t ADD COLUMN $ADDED text"
check "the new column's file shows" poll 20 test -e "$T/columns/$ADDED"
cat "$T/table.sql" >"$GOT"
n1=$(delivered)
eq "read inside the window (no batch delivered since the DDL)" "$n0" "$n1"
check "table.sql in the window: the new column is in it" grep -q "$ADDED" "$GOT"
check "table.sql in the window: its new line more than before" \
	test "$(wc -c <"$GOT")" -ge $((before + ${#ADDED}))
check "the held batch is delivered" poll 20 delivered_since "$n1"
eq "table.sql afterwards: st_size is its length" "$(wc -c <"$T/table.sql")" "$(stat -c %s "$T/table.sql")"
check "table.sql in the window was read whole: as it reads afterwards" cmp "$GOT" "$T/table.sql"
cat "$T/table.sql" >/dev/null
check "no invalidations held before the lock is taken" poll 30 settled
cat "$S" >/dev/null

# A longer status, published when another session takes the migration lock.
KEY=$(val app "SELECT hashtextextended('drizzle.__drizzle_migrations', 0)")
psql -X -q -d app -v ON_ERROR_STOP=1 -c "SET application_name = 'a-deploy-with-a-rather-long-name'" \
	-c "SELECT pg_advisory_lock($KEY)" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
holder=$!
n0=$(delivered)
: >"$GOT"
for _ in $(seq 1 200); do
	cat "$S" >"$GOT"
	grep -q '^migration lock: held by' "$GOT" && break
	sleep 0.05
done
n1=$(delivered)
kill "$holder"; wait "$holder" 2>/dev/null
val app "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'a-deploy-with-a-rather-long-name'" >/dev/null
check "status in the window: names the holder" grep -q '^migration lock: held by pid [0-9]* (a-deploy-with-a-rather-long-name' "$GOT"
eq "status read inside the window" "$n0" "$n1"
check "status in the window: read whole (its last line)" grep -q '^last error: ' <(last_line)
check "status in the window: ends with a newline" test -z "$(tail -c 1 "$GOT")"

umount_fs "$MNT"
done_testing

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
export SCHEMAFS_TEST_INVAL_DELAY_MS=5000
mount_fs "$MNT" -o conninfo="dbname=app" -o ttl=1 || { not_ok "mount"; done_testing; }
unset SCHEMAFS_TEST_INVAL_DELAY_MS
D=$MNT/app
T=$D/schemas/public/tables/t
S=$D/migrations/status
delivered() { grep -c 'test: invalidations delivered after' "$LOG"; }
delivered_since() { [ "$(delivered)" -gt "$1" ]; }
# No batch held now (the mount's first refresh and the shadow's news push
# some): the next one held is the change's own.
settled() { [ "$(grep -c 'test: holding invalidations' "$LOG")" == "$(delivered)" ]; }
# The last line of what was read (in $got).
last_line() { printf '%s\n' "$got" | tail -n 1; }

# The kernel learns the sizes and keeps the pages (auto_cache).
check "table.sql read before" grep -q '^CREATE TABLE public.t' "$T/table.sql"
before=$(stat -c %s "$T/table.sql")
check "status read before" grep -q '^migration lock: free' "$S"
cat "$S" "$T/table.sql" >/dev/null
check "no invalidations held before the DDL" poll 30 settled
cat "$S" "$T/table.sql" >/dev/null

# A longer table.sql, installed by a refresh; its invalidation is held.
n0=$(delivered)
sql app -c "ALTER TABLE public.t ADD COLUMN added_by_someone_else_with_a_long_name text"
check "the new column's file shows" poll 20 test -e "$T/columns/added_by_someone_else_with_a_long_name"
got=$(cat "$T/table.sql")
n1=$(delivered)
eq "read inside the window (no batch delivered since the DDL)" "$n0" "$n1"
check "table.sql in the window: the new column is in it" grep -q 'added_by_someone_else_with_a_long_name' <<<"$got"
check "table.sql in the window: longer than before" test "$(printf '%s\n' "$got" | wc -c)" -gt "$before"
check "the held batch is delivered" poll 20 delivered_since "$n1"
eq "table.sql afterwards: st_size is its length" "$(wc -c <"$T/table.sql")" "$(stat -c %s "$T/table.sql")"
eq "table.sql in the window was read whole: as it reads afterwards" "$(cat "$T/table.sql")" "$got"
cat "$T/table.sql" >/dev/null
check "no invalidations held before the lock is taken" poll 30 settled
cat "$S" >/dev/null

# A longer status, published when another session takes the migration lock.
KEY=$(val app "SELECT hashtextextended('drizzle.__drizzle_migrations', 0)")
psql -X -q -d app -v ON_ERROR_STOP=1 -c "SET application_name = 'a-deploy-with-a-rather-long-name'" \
	-c "SELECT pg_advisory_lock($KEY)" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
holder=$!
n0=$(delivered)
got=
for _ in $(seq 1 200); do
	got=$(cat "$S")
	grep -q '^migration lock: held by' <<<"$got" && break
	sleep 0.05
done
n1=$(delivered)
kill "$holder"; wait "$holder" 2>/dev/null
val app "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'a-deploy-with-a-rather-long-name'" >/dev/null
check "status in the window: names the holder" grep -q '^migration lock: held by pid [0-9]* (a-deploy-with-a-rather-long-name' <<<"$got"
eq "status read inside the window" "$n0" "$n1"
check "status in the window: read whole (its last line)" grep -q '^last error: ' <<<"$(last_line)"

umount_fs "$MNT"
done_testing

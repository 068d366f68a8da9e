#!/usr/bin/env bash
# 34_memory: SCHEMAFS_MEMLOG=1 logs the memory checkpoints of the first
# load and of each refresh (README "Memory: where the peak is"); without it
# nothing is logged. A refresh frees the old catalog before it renders the
# new tree: what the new tree shows, and edits judged against it, are the
# new snapshot's.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app >/dev/null <<'SQL'
CREATE TABLE public.accounts (id integer PRIMARY KEY, name text);
CREATE TABLE public.orders (id integer PRIMARY KEY, account_id integer REFERENCES public.accounts);
SQL

MNT=$T_TMP/mnt
LOG=$T_TMP/daemon.log
A=$MNT/app/schemas/public/tables/accounts

# Off by default.
mount_fs "$MNT" -o conninfo="dbname=app" -o ttl=1 || { not_ok "mount"; done_testing; }
check "default mount: accounts is there" test -d "$A"
sql app -c "ALTER TABLE public.accounts ADD COLUMN c1 integer"
check "default mount: c1 shows" poll 30 test -f "$A/columns/c1"
before=$(cat "$MNT/app/schema.sql")
umount_fs "$MNT"
check_fails "without SCHEMAFS_MEMLOG: no memory line" grep -q 'memory at' "$LOG"

# On: the first load's checkpoints, then each refresh's.
SCHEMAFS_MEMLOG=1 mount_fs "$MNT" -o conninfo="dbname=app" -o ttl=1 || { not_ok "mount"; done_testing; }
check "first snapshot read logged" grep -q 'app: memory at first snapshot read: malloc in use .* MB.*; RSS .* MB, peak .* MB; catalog arena .* MB' "$LOG"
check "first tree installed logged" grep -q 'app: memory at first tree installed: ' "$LOG"
eq "same schema.sql as without SCHEMAFS_MEMLOG" "$before" "$(cat "$MNT/app/schema.sql")"

sql app -c "ALTER TABLE public.accounts ADD COLUMN c2 bigint"
check "c2 shows" poll 30 test -f "$A/columns/c2"
check "refresh read logged" poll 30 grep -q 'app: memory at refresh read: ' "$LOG"
check "refresh installed logged" poll 30 grep -q 'app: memory at refresh installed: ' "$LOG"
check "refresh trimmed logged" poll 30 grep -q 'app: memory at refresh, trimmed: ' "$LOG"
eq "c2's file is the new snapshot's" "bigint" "$(cat "$A/columns/c2")"

# Several refreshes in a row, each freeing the catalog before it: the tree
# and edits stay on the newest snapshot.
for i in 3 4 5; do
	sql app -c "ALTER TABLE public.accounts ADD COLUMN c$i integer"
	check "c$i shows" poll 30 test -f "$A/columns/c$i"
done
eq "columns after the refreshes" "c1 c2 c3 c4 c5 id name" "$(ls "$A/columns" | tr '\n' ' ' | sed 's/ $//')"
check "a rename of c5 through the tree is staged" mv "$A/columns/c5" "$A/columns/c6"
check "c6 is in the tree" test -f "$A/columns/c6"
check_fails "c5 is gone from the tree" test -e "$A/columns/c5"
eq "the catalog still has c5 (staged, not applied)" "1" \
	"$(val app "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.accounts'::regclass AND attname = 'c5'")"
umount_fs "$MNT"
done_testing

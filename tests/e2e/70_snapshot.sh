#!/usr/bin/env bash
# 70_snapshot: scripts/snapshot commits schema changes as ordinary git diffs;
# mtimes change only with content, also across a remount, so rsync without
# -c copies only what changed.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE scheduler" >/dev/null
sql scheduler -f "$T_ROOT/scripts/sample/scheduler.sql" >/dev/null

M=$T_TMP/mnt
R=$T_TMP/repo
D=$M/scheduler
mount_fs "$M" -o conninfo=dbname=scheduler -o ttl=1 || { not_ok "mount"; done_testing; }

check "first snapshot commits" "$T_ROOT/scripts/snapshot" "$D" "$R" "first"
eq "one commit" 1 "$(git -C "$R" rev-list --count HEAD)"
check "migrations/status is not in the snapshot" test ! -e "$R/migrations/status"
check "migrations/apply is not in the snapshot" test ! -e "$R/migrations/apply"
check "table.sql is in the snapshot" test -f "$R/schemas/public/tables/booking/table.sql"
eq "unchanged schema: nothing to commit" "nothing to commit" "$("$T_ROOT/scripts/snapshot" "$D" "$R")"

# mtimes of unchanged files survive a remount.
before=$(stat -c %Y.%y "$D/schemas/public/tables/booking/columns/status")
umount_fs "$M"
sleep 1.1
mount_fs "$M" -o conninfo=dbname=scheduler -o ttl=1 || { not_ok "remount"; done_testing; }
eq "mtime of unchanged content survives a remount" "$before" \
	"$(stat -c %Y.%y "$D/schemas/public/tables/booking/columns/status")"
rsync -a --itemize-changes --exclude=/migrations/status "$D/" "$T_TMP/copy1/" >/dev/null
rsync -a --itemize-changes --exclude=/migrations/status "$D/" "$T_TMP/copy1/" >"$T_TMP/rsync0"
eq "rsync -a after a remount: nothing to copy" "" "$(grep '^>f' "$T_TMP/rsync0")"

# Two changes made by someone else.
sql scheduler -c "ALTER TABLE booking ALTER COLUMN source SET DEFAULT 'app'" \
	-c "CREATE INDEX idx_booking_created ON booking (created_at)" >/dev/null
check "new index visible within the TTL" poll 10 test -f "$D/schemas/public/tables/booking/indexes/idx_booking_created.sql"
check "new default visible" poll 10 grep -q "'app'" "$D/schemas/public/tables/booking/columns/source"

rsync -a --itemize-changes --exclude=/migrations/status "$D/" "$T_TMP/copy1/" >"$T_TMP/rsync1"
eq "rsync -a copies exactly the changed files" \
"$(printf '%s\n' schema.sql schemas/public/schema.sql schemas/public/tables/booking/columns/source \
	schemas/public/tables/booking/indexes/idx_booking_created.sql schemas/public/tables/booking/table.sql)" \
	"$(grep '^>f' "$T_TMP/rsync1" | awk '{ print $2 }' | sort)"

check "second snapshot commits" "$T_ROOT/scripts/snapshot" "$D" "$R" "default and index"
# The two objects changed, and the files that contain the whole table and
# the whole schema (which necessarily include them); nothing else.
eq "git diff HEAD~1 names exactly the changed files" \
"$(printf '%s\n' schema.sql schemas/public/schema.sql schemas/public/tables/booking/columns/source \
	schemas/public/tables/booking/indexes/idx_booking_created.sql schemas/public/tables/booking/table.sql)" \
	"$(git -C "$R" diff --name-only HEAD~1 | sort)"
eq "the column file's diff is the default" "+character varying(32) NOT NULL DEFAULT 'app'::character varying" \
	"$(git -C "$R" diff HEAD~1 -- schemas/public/tables/booking/columns/source | grep '^+[^+]')"

# A dropped object's files disappear from the snapshot.
sql scheduler -c "DROP INDEX idx_booking_created" >/dev/null
check "dropped index gone from the mount" poll 10 test ! -e "$D/schemas/public/tables/booking/indexes/idx_booking_created.sql"
check "third snapshot commits" "$T_ROOT/scripts/snapshot" "$D" "$R" "drop index"
check "dropped index gone from the snapshot" test ! -e "$R/schemas/public/tables/booking/indexes/idx_booking_created.sql"
check "the snapshot equals the mount (diff -r)" diff -r -x .git -x status -x apply "$D" "$R"

umount_fs "$M"
done_testing

#!/usr/bin/env bash
# 70_snapshot: a live view (-o live, or "live": true) shows the catalog as it
# is, read-only, without what a normal mount has staged; scripts/snapshot
# commits only such a view (or mounts its own), as ordinary git diffs;
# mtimes change only with content, also across a remount, so rsync without
# -c copies only what changed. Applied generated migrations keep a true
# header (no "rm this file").
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE scheduler" >/dev/null
sql scheduler -f "$T_ROOT/scripts/sample/scheduler.sql" >/dev/null

DIR=$T_TMP/drizzle
mkdir -p "$DIR"
cat >"$T_TMP/normal.json" <<EOF
{ "databases": { "scheduler": { "conninfo": "dbname=scheduler", "migrations_dir": "$DIR" } }, "ttl": 1 }
EOF
cat >"$T_TMP/live.json" <<EOF
{ "databases": { "scheduler": { "conninfo": "dbname=scheduler", "migrations_dir": "$DIR" } }, "ttl": 1,
  "live": true }
EOF
N=$T_TMP/mnt
M=$T_TMP/live
R=$T_TMP/repo
ND=$N/scheduler
D=$M/scheduler
NB=$ND/schemas/public/tables/customer
B=$D/schemas/public/tables/customer
STATE=$XDG_STATE_HOME/schemafs/scheduler
mount_fs "$N" -o config="$T_TMP/normal.json" || { not_ok "mount"; done_testing; }
mount_fs "$M" -o config="$T_TMP/live.json" || { not_ok "mount of the live view"; done_testing; }
column_exists() { val scheduler "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.customer'::regclass AND attname = '$1'"; }

# --- the live view ---
check "the live view is mounted ro" bash -c "grep ' $(realpath "$M") fuse' /proc/mounts | awk '{ print \$4 }' | tr , '\n' | grep -qx ro"
check "the normal mount is not" bash -c "grep ' $(realpath "$N") fuse' /proc/mounts | awk '{ print \$4 }' | tr , '\n' | grep -qx rw"
eq "live status starts with view: live" "view: live" "$(head -n 1 "$D/migrations/status" | cut -d' ' -f1-2)"
eq "normal status starts with view: desired" "view: desired" "$(head -n 1 "$ND/migrations/status" | cut -d' ' -f1-2)"
eq "live migrations/: history, check and status, no pending/ nor apply/" \
	"$(printf '%s\n' applied check journal.json status)" "$(ls "$D/migrations")"
eq "write to a column file: EROFS" "Read-only file system" "$(errno_of bash -c "echo text >'$B/columns/email'")"
eq "new column file: EROFS" "Read-only file system" "$(errno_of touch "$B/columns/extra")"
eq "sed -i: EROFS" "Read-only file system" "$(errno_of sed -i 's/text/integer/' "$B/columns/email")"
eq "mkdir of a table: EROFS" "Read-only file system" "$(errno_of mkdir "$D/schemas/public/tables/guest")"
eq "rm of a column: EROFS" "Read-only file system" "$(errno_of rm "$B/columns/email")"
eq "mv of a column: EROFS" "Read-only file system" "$(errno_of mv "$B/columns/email" "$B/columns/mail")"
eq "... nothing changed in the catalog" "0" "$(column_exists extra)"
eq "... nothing staged on the normal mount" "" "$(ls "$ND/migrations/pending")"

# --- item 15: an applied generated migration's header stays true ---
echo 'text' >"$NB/columns/memo"
gen=$(ls "$ND/migrations/pending")
check "a generated migration is pending" test -n "$gen"
check "mv pending/X apply/ applies it" mv "$ND/migrations/pending/$gen" "$ND/migrations/apply/"
eq "... the column exists" "1" "$(column_exists memo)"
check "applied/ has it" test -f "$ND/migrations/applied/$gen"
check "migrations_dir has it" test -f "$DIR/$gen"
check "applied/ does not tell to rm it" bash -c "! grep -qiE 'rm this file|discard' '$ND/migrations/applied/$gen'"
check "migrations_dir's copy does not tell to rm it" bash -c "! grep -qiE 'rm this file|discard' '$DIR/$gen'"
check "the live view shows it in applied/ (history)" poll 20 test -f "$D/migrations/applied/$gen"
check "... and in journal.json" grep -q "\"tag\": \"${gen%.sql}\"" "$D/migrations/journal.json"
check "... and the column" poll 20 test -f "$B/columns/memo"

# --- a normal mount with staged state: none of it is in the live view ---
echo 'text' >"$NB/columns/nickname"
touch "$NB/columns/draftcol"
echo scratch >"$NB/columns/.nickname.swp"
printf 'CREATE TABLE public.handwritten (id integer);\n' >"$T_TMP/hand.sql"
cp "$T_TMP/hand.sql" "$ND/migrations/pending/0009_hand.sql"
check "normal mount: the staged column shows" test -f "$NB/columns/nickname"
check "normal mount: the draft shows" test -e "$NB/columns/draftcol"
check "normal mount: the scratch file shows" test -f "$NB/columns/.nickname.swp"
eq "normal mount: a generated and a hand-written migration pending" 2 "$(ls "$ND/migrations/pending" | wc -l)"
check "normal mount: schema.sql shows the staged column" grep -q nickname "$ND/schema.sql"
check "normal mount: erd.md shows the staged column" grep -q nickname "$ND/schemas/public/erd.md"
check "normal mount: its stage is saved" test -f "$STATE"/stage-*.json
check "live view: no staged column" test ! -e "$B/columns/nickname"
check "live view: no draft" test ! -e "$B/columns/draftcol"
check "live view: no scratch file" test ! -e "$B/columns/.nickname.swp"
check "live view: schema.sql without the staged column" bash -c "! grep -q nickname '$D/schema.sql'"
check "live view: status names no pending migration" bash -c "! grep -qE 'pending|0009_hand|nickname' '$D/migrations/status'"
stage_sum=$(cat "$STATE"/stage-*.json | sha256sum)
check "live and normal mount keep separate mtimes" test -f "$STATE/mtimes" -a -f "$STATE/mtimes-live"

# --- scripts/snapshot refuses anything but a live view ---
rc=0
"$T_ROOT/scripts/snapshot" "$ND" "$R" >"$T_TMP/refused.out" 2>&1 || rc=$?
eq "snapshot of a normal mount: exit 2" 2 "$rc"
eq "... one line" 1 "$(wc -l <"$T_TMP/refused.out")"
check "... telling to mount with -o live" grep -q -- '-o live' "$T_TMP/refused.out"
check "... no repository written" test ! -e "$R"

check "first snapshot (of the live view) commits" "$T_ROOT/scripts/snapshot" "$D" "$R" "first"
eq "one commit" 1 "$(git -C "$R" rev-list --count HEAD)"
check "migrations/status is not in the snapshot" test ! -e "$R/migrations/status"
check "migrations/apply is not in the snapshot" test ! -e "$R/migrations/apply"
check "migrations/pending is not in the snapshot" test ! -e "$R/migrations/pending"
check "applied/ is in the snapshot" test -f "$R/migrations/applied/$gen"
check "table.sql is in the snapshot" test -f "$R/schemas/public/tables/booking/table.sql"
check "no staged column, draft or scratch file in the snapshot" \
	test ! -e "$R/schemas/public/tables/customer/columns/nickname" -a \
	! -e "$R/schemas/public/tables/customer/columns/draftcol" -a \
	! -e "$R/schemas/public/tables/customer/columns/.nickname.swp"
check "the snapshot's schema.sql and erd.md do not show the staged column" \
	bash -c "! grep -q nickname '$R/schema.sql' '$R/schemas/public/erd.md'"
check "nothing of the stage anywhere in the snapshot" bash -c "! grep -rqE --exclude-dir=.git 'nickname|draftcol|handwritten' '$R'"
eq "unchanged schema: nothing to commit" "nothing to commit" "$("$T_ROOT/scripts/snapshot" "$D" "$R")"

# mtimes of unchanged files survive a remount.
before=$(stat -c %Y.%y "$D/schemas/public/tables/booking/columns/status")
umount_fs "$M"
sleep 1.1
mount_fs "$M" -o config="$T_TMP/live.json" || { not_ok "remount"; done_testing; }
eq "mtime of unchanged content survives a remount" "$before" \
	"$(stat -c %Y.%y "$D/schemas/public/tables/booking/columns/status")"
eq "the live view neither wrote nor changed the stage file" "$stage_sum" "$(cat "$STATE"/stage-*.json | sha256sum)"
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
check "the snapshot equals the live view (diff -r)" diff -r -x .git -x status -x check "$D" "$R"

# --- scripts/snapshot mounts its own live view ---
# Its temporary mountpoints go to $TMPDIR: this test's own directory.
export TMPDIR=$T_TMP
live_mounts() { grep -F " $T_TMP/schemafs-snapshot." /proc/mounts; }
mounts_before=""
R2=$T_TMP/repo2
check "--conninfo: snapshot of a temporary live view" "$T_ROOT/scripts/snapshot" --conninfo dbname=scheduler "$R2"
eq "... no mount left behind (/proc/mounts)" "$mounts_before" "$(live_mounts)"
check "... the same files as the live view's snapshot" diff -r -x .git "$R" "$R2"
check "... without the staged column" test ! -e "$R2/schemas/public/tables/customer/columns/nickname"
eq "--config: unchanged schema, nothing to commit" "nothing to commit" \
	"$("$T_ROOT/scripts/snapshot" --config "$T_TMP/normal.json" "$R2" 2>&1)"
eq "... no mount left behind" "$mounts_before" "$(live_mounts)"
eq "--config --db scheduler: nothing to commit" "nothing to commit" \
	"$("$T_ROOT/scripts/snapshot" --config "$T_TMP/normal.json" --db scheduler "$R2" 2>&1)"
rc=0
"$T_ROOT/scripts/snapshot" --config "$T_TMP/normal.json" --db nosuch "$R2" >/dev/null 2>&1 || rc=$?
eq "--config --db of a database it does not name: exit 2" 2 "$rc"
eq "... no mount left behind" "$mounts_before" "$(live_mounts)"
touch "$T_TMP/not-a-dir"
check_fails "--conninfo into a path that is a file: fails" "$T_ROOT/scripts/snapshot" --conninfo dbname=scheduler "$T_TMP/not-a-dir/repo"
eq "... the mount is gone all the same" "$mounts_before" "$(live_mounts)"
check_fails "--conninfo of a database that does not exist: fails" "$T_ROOT/scripts/snapshot" --conninfo dbname=nosuchdb "$T_TMP/repo3"
eq "... no mount left behind" "$mounts_before" "$(live_mounts)"
check "... no repository written" test ! -e "$T_TMP/repo3"
check "... no temporary mountpoint left" bash -c "! ls -d '$T_TMP'/schemafs-snapshot.* 2>/dev/null"

umount_fs "$M"
umount_fs "$N"
done_testing

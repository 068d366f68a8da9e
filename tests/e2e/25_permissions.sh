#!/usr/bin/env bash
# 25_permissions: a mount shared with allow_other. The Unix user nobody can
# read, and every change it tries (each change path, with the tool a user
# would use) fails with EACCES: nothing staged, nothing run, the refusal in
# the log and status with its uid. A member of writers_group can stage and
# apply; an unknown writers_group refuses the mount; read-only databases
# say EROFS to everyone; status is private; -o default_permissions adds the
# kernel's check. Secrets: a config that holds a password and can be read
# by others is refused (without printing it), a password in -o conninfo is
# warned about, state and log files are private.
. "$(dirname "$0")/../lib.sh"

# A writer who is not the owner (root): a user in a group of its own,
# removed at exit.
WG=sfsw$$
WU=sfsu$$
perm_cleanup() {
	id "$WU" >/dev/null 2>&1 && flock "$T_SHARED/passwd.lock" userdel "$WU" >/dev/null 2>&1
	getent group "$WG" >/dev/null && flock "$T_SHARED/passwd.lock" groupdel "$WG" >/dev/null 2>&1
	return 0
}
trap 'perm_cleanup; t_cleanup' EXIT
# Other tests run at the same time (scripts/test): one change of
# /etc/passwd and /etc/group at a time.
flock "$T_SHARED/passwd.lock" groupadd "$WG" || { not_ok "groupadd $WG"; done_testing; }
flock "$T_SHARED/passwd.lock" useradd -M -N -s /usr/sbin/nologin -G "$WG" "$WU" || { not_ok "useradd $WU"; done_testing; }
NOBODY_UID=$(id -u nobody)

pg_start
sql postgres -c "CREATE DATABASE app" -c "CREATE DATABASE ro" >/dev/null
sql app >/dev/null <<'EOF'
CREATE TABLE public.booking (id integer PRIMARY KEY, note text);
CREATE TABLE public.doomed (x integer);
CREATE INDEX booking_note_idx ON public.booking (note);
EOF
sql ro -c "CREATE TABLE public.frozen (x integer)" >/dev/null

as_nobody() { runuser -u nobody -- "$@"; }
as_writer() { runuser -u "$WU" -- "$@"; }
catalog() {
	val app "SELECT string_agg(c.relname || '.' || a.attname, ',' ORDER BY 1) FROM pg_attribute a
	         JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
	         WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped"
}

ST=$T_TMP/st
LOG=$T_TMP/sfs.log
: >"$LOG"
chmod 644 "$LOG"
cat >"$T_TMP/cfg.json" <<EOF
{ "databases": { "app": { "conninfo": "dbname=app", "writers_group": "$WG", "lock_timeout": 0 },
                 "ro": { "conninfo": "dbname=ro", "read_only": true } },
  "state_dir": "$ST", "ttl": 1 }
EOF
MNT=$T_TMP/mnt
mount_fs "$MNT" -o allow_other -o config="$T_TMP/cfg.json" -o log="$LOG" ||
	{ not_ok "mount with allow_other"; done_testing; }
D=$MNT/app
M=$D/migrations
B=$D/schemas/public/tables/booking
before=$(catalog)

# --- nobody reads ---
eq "nobody: ls of a table" "$(printf '%s\n' id note)" "$(as_nobody ls "$B/columns")"
eq "nobody: cat of a column" "text" "$(as_nobody cat "$B/columns/note")"
eq "nobody: migrations/status is private (EACCES)" "Permission denied" \
	"$(errno_of as_nobody cat "$M/status")"
eq "files show the writers group, group-writable" "664 root $WG" "$(stat -c '%a %U %G' "$B/columns/note")"
eq "directories too" "775 root $WG" "$(stat -c '%a %U %G' "$B/columns")"
eq "status: not for others" "660" "$(stat -c '%a' "$M/status")"

# --- every change path nobody tries: EACCES ---
echo 'CREATE TABLE pwned (x int);' >"$T_TMP/pwned.sql"
chmod 644 "$T_TMP/pwned.sql"
refused() { # DESC CMD...: CMD, run by nobody, fails with EACCES.
	local desc=$1; shift
	eq "nobody: $desc: EACCES" "Permission denied" "$(errno_of as_nobody "$@")"
}
refused "echo > a new column" bash -c 'echo text >"$1"' _ "$B/columns/x"
refused "echo > an existing column" bash -c 'echo integer >"$1"' _ "$B/columns/note"
refused "printf >> a column" bash -c 'printf "varchar(9)\n" >>"$1"' _ "$B/columns/note"
refused "truncate" truncate -s 0 "$B/columns/note"
refused "cp into apply/" cp "$T_TMP/pwned.sql" "$M/apply/0001_pwned.sql"
refused "cp into pending/" cp "$T_TMP/pwned.sql" "$M/pending/0001_pwned.sql"
refused "mv (rename) of a column" mv "$B/columns/note" "$B/columns/remark"
refused "rm of a column" rm "$B/columns/note"
refused "rm of an index" rm "$B/indexes/booking_note_idx.sql"
refused "mkdir of a table" mkdir "$D/schemas/public/tables/pwned"
refused "rmdir of a table" rmdir "$D/schemas/public/tables/doomed"
refused "chmod" chmod 600 "$B/columns/note"
refused "touch -d" touch -d '2020-01-01' "$B/columns/note"
refused "touch of a new file" touch "$B/columns/y"
refused "ln (hard link)" ln "$B/columns/note" "$B/columns/z"
refused "ln -s" ln -s note "$B/columns/s"
refused "mkfifo" mkfifo "$B/columns/f"
refused "setfattr" setfattr -n user.x -v 1 "$B/columns/note"
eq "nothing staged: pending/ is empty" "" "$(ls -A "$M/pending")"
eq "nothing staged: no draft either" "" "$(ls -A "$M/apply")"
check "nothing staged: status says pending: none" grep -qx 'pending: none' "$M/status"
eq "nothing ran: the catalog is unchanged" "$before" "$(catalog)"
eq "nothing ran: no table pwned" "" "$(val app "SELECT to_regclass('public.pwned')")"
check "the log names the uid and pid" grep -qE "app: refused .*uid $NOBODY_UID \(pid [0-9]+\) may not change" "$LOG"
check "status: last refused change names the uid" grep -qE "^last refused change: .*uid $NOBODY_UID \(pid [0-9]+\)" "$M/status"

# A flood of refusals for 3 seconds: at most one log line a second, counted
# over the time the flood took (however long that was), and at least one.
n0=$(grep -c "uid $NOBODY_UID" "$LOG")
t0=$(date +%s%N)
as_nobody bash -c 'end=$((SECONDS + 3)); n=0
	while [ $SECONDS -lt $end ]; do echo text 2>/dev/null >"$1"; n=$((n + 1)); done; echo $n' \
	_ "$B/columns/x" >"$T_TMP/flood.n"
t1=$(date +%s%N)
n1=$(grep -c "uid $NOBODY_UID" "$LOG")
check "a flood of $(cat "$T_TMP/flood.n") refusals: at most one log line a second ($((n1 - n0)) lines in $(( (t1 - t0) / 1000000 )) ms)" \
	test $((n1 - n0)) -le $(( (t1 - t0) / 1000000000 + 1 ))
check "the flood: recorded at least once" test $((n1 - n0)) -ge 1
check "status counts the refusals it did not record" grep -qE "^last refused change: .*more refused since" "$M/status"
check "nobody still reads after the flood" test "$(as_nobody cat "$B/columns/note")" == text

# --- read-only: EROFS for everyone ---
eq "read-only, nobody: EROFS" "Read-only file system" \
	"$(errno_of as_nobody bash -c 'echo text >"$1"' _ "$MNT/ro/schemas/public/tables/frozen/columns/y")"
eq "read-only, nobody: mkdir EROFS" "Read-only file system" \
	"$(errno_of as_nobody mkdir "$MNT/ro/schemas/public/tables/t2")"
eq "read-only, the owner: EROFS" "Read-only file system" \
	"$(errno_of bash -c 'echo text >"$1"' _ "$MNT/ro/schemas/public/tables/frozen/columns/y")"

# --- a member of writers_group stages and applies ---
check "writer: echo > a new column" as_writer bash -c 'echo text >"$1"' _ "$B/columns/notes"
gen=$(ls "$M/pending")
check "writer: the change is staged" test -n "$gen"
refused "mv pending/X apply/" mv "$M/pending/$gen" "$M/apply/"
eq "nobody's mv ran nothing" "$before" "$(catalog)"
check "writer: reads status" as_writer grep -q '^pending:$' "$M/status"
check "writer: mv pending/X apply/" as_writer mv "$M/pending/$gen" "$M/apply/"
eq "writer: the column exists" "notes" \
	"$(val app "SELECT attname FROM pg_attribute WHERE attrelid = 'public.booking'::regclass AND attname = 'notes'")"
echo 'CREATE TABLE public.made_by_writer (x int);' >"$T_TMP/w.sql"
chmod 644 "$T_TMP/w.sql"
check "writer: cp into apply/" as_writer cp "$T_TMP/w.sql" "$M/apply/0002_w.sql"
eq "writer: it ran" "made_by_writer" "$(val app "SELECT to_regclass('public.made_by_writer')")"

# --- a refusal does not wait behind a running migration ---
# A session holds a lock the writer's migration needs (lock_timeout 0: it
# waits as long as it takes); meanwhile nobody is refused and status says so.
locker_ready() {
	test "$(val app "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
	                 WHERE a.application_name = 'locker' AND l.relation = 'public.doomed'::regclass AND l.granted")" == 1
}
migration_waiting() {
	test "$(val app "SELECT count(*) FROM pg_stat_activity
	                 WHERE wait_event_type = 'Lock' AND query LIKE '%doomed%ADD COLUMN y%'")" == 1
}
refusal_recorded() {
	timeout 20 runuser -u nobody -- bash -c 'echo text >"$1"' _ "$B/columns/during_apply" 2>/dev/null
	grep -q "^last refused change: .*columns/during_apply: uid $NOBODY_UID" "$M/status"
}
PGAPPNAME=locker psql -X -q -d app -c "BEGIN; LOCK TABLE public.doomed IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600)" \
	>/dev/null 2>&1 &
locker=$!
check "a session holds the lock" poll 30 locker_ready
echo 'ALTER TABLE public.doomed ADD COLUMN y integer;' >"$T_TMP/slow.sql"
chmod 644 "$T_TMP/slow.sql"
as_writer cp "$T_TMP/slow.sql" "$M/apply/0003_slow.sql" 2>"$T_TMP/slow.err" &
slow=$!
check "the migration is running, waiting for the lock" poll 30 migration_waiting
eq "during the migration, nobody: EACCES at once" "Permission denied" \
	"$(errno_of timeout 20 runuser -u nobody -- bash -c 'echo text >"$1"' _ "$B/columns/during_apply")"
check "during the migration, the refusal is in status" poll 30 refusal_recorded
eq "during the migration, nobody reads" "text" "$(timeout 20 runuser -u nobody -- cat "$B/columns/note")"
check "the migration was still running meanwhile" migration_waiting
val app "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'locker'" >/dev/null
wait "$locker" 2>/dev/null
wait "$slow"
eq "then the migration completes" "0" "$?"
eq "and its column exists" "y" \
	"$(val app "SELECT attname FROM pg_attribute WHERE attrelid = 'public.doomed'::regclass AND attname = 'y'")"

# --- secrets: state and log files are private ---
eq "log file made private (was 644)" "600" "$(stat -c %a "$LOG")"
eq "state_dir created 0700" "700" "$(stat -c %a "$ST")"
eq "state directories 0700" "" "$(find "$ST" -type d ! -perm 700)"
check "there are state files" test -n "$(find "$ST" -type f)"
eq "state files 0600" "" "$(find "$ST" -type f ! -perm 600)"
umount_fs "$MNT"

# --- the kernel's check too: -o default_permissions ---
mount_fs "$MNT" -o allow_other,default_permissions -o config="$T_TMP/cfg.json" -o log="$LOG" ||
	{ not_ok "mount with default_permissions"; done_testing; }
before=$(catalog)
logged=$(grep -c "uid $NOBODY_UID" "$LOG")
refused "default_permissions: echo >" bash -c 'echo text >"$1"' _ "$B/columns/x"
refused "default_permissions: cp into apply/" cp "$T_TMP/pwned.sql" "$M/apply/0003_pwned.sql"
refused "default_permissions: rm" rm "$B/columns/note"
refused "default_permissions: mkdir" mkdir "$D/schemas/public/tables/pwned"
# The kernel's own rule for modes and times: only a file's owner (EPERM).
eq "nobody: default_permissions: chmod: EPERM (the kernel's rule)" "Operation not permitted" \
	"$(errno_of as_nobody chmod 600 "$B/columns/note")"
# Why it is not the default: the kernel checks the modes first, and a
# read-only database's files are 0444, so others get EACCES there, not EROFS.
eq "default_permissions: read-only, nobody: EACCES from the kernel" "Permission denied" \
	"$(errno_of as_nobody bash -c 'echo text >"$1"' _ "$MNT/ro/schemas/public/tables/frozen/columns/y")"
eq "default_permissions: nothing staged" "" "$(ls -A "$M/pending")"
eq "default_permissions: the kernel's refusals never reach the daemon's log" "$logged" \
	"$(grep -c "uid $NOBODY_UID" "$LOG")"
eq "default_permissions: nothing ran" "$before" "$(catalog)"
eq "default_permissions: nobody reads" "text" "$(as_nobody cat "$B/columns/note")"
check "default_permissions: writer stages" as_writer bash -c 'echo integer >"$1"' _ "$B/columns/n2"
check "default_permissions: writer discards (rm of the generated migration)" \
	as_writer bash -c 'rm "$1"/*' _ "$M/pending"
check "default_permissions: writer stages the same column again" as_writer bash -c 'echo integer >"$1"' _ "$B/columns/n2"
check "default_permissions: it is staged" test -n "$(ls -A "$M/pending")"
umount_fs "$MNT"

# --- an unknown writers_group refuses the mount, in one line ---
sed "s/\"$WG\"/\"no_such_group_$$\"/" "$T_TMP/cfg.json" >"$T_TMP/bad.json"
MNT2=$T_TMP/mnt2
mkdir -p "$MNT2"
"$SCHEMAFS" -f -o config="$T_TMP/bad.json" "$MNT2" >"$T_TMP/bad.out" 2>&1
rc=$?
check "unknown writers_group: the mount is refused" test "$rc" != 0
check_fails "unknown writers_group: nothing mounted" is_mounted "$MNT2"
eq "unknown writers_group: one line" \
	"schemafs: config $T_TMP/bad.json: databases.app.writers_group: no group \"no_such_group_$$\"" \
	"$(cat "$T_TMP/bad.out")"

# --- a config that holds a password and others can read ---
secret_refused() { # DESC CONNINFO [EXTRA KEY]
	cat >"$T_TMP/secret.json" <<EOF
{ "databases": { "app": { "conninfo": "$2" ${3:-} } }, "state_dir": "$ST" }
EOF
	chmod 644 "$T_TMP/secret.json"
	"$SCHEMAFS" -f -o config="$T_TMP/secret.json" "$MNT2" >"$T_TMP/secret.out" 2>&1
	local rc=$?
	check "$1: refused" test "$rc" != 0
	check_fails "$1: nothing mounted" is_mounted "$MNT2"
	eq "$1: one line saying why" \
		"schemafs: config $T_TMP/secret.json: holds a password and can be read by others (mode 644): chmod 600 it, as libpq ignores such a .pgpass" \
		"$(cat "$T_TMP/secret.out")"
	check_fails "$1: the password is not printed" grep -q hunter2 "$T_TMP/secret.out"
}
secret_refused "password= in a conninfo" "dbname=app password=hunter2"
secret_refused ":password@ in a URI" "postgresql://postgres:hunter2@/app?host=$PGHOST&port=$PGPORT"
secret_refused "a password key" "dbname=app" ', "password": "hunter2"'
cat >"$T_TMP/secret.json" <<EOF
{ "databases": { "app": { "conninfo": "dbname=app password=hunter2" } }, "state_dir": "$ST" }
EOF
chmod 600 "$T_TMP/secret.json"
mount_fs "$MNT2" -o config="$T_TMP/secret.json" && ok "a private config with a password mounts" ||
	not_ok "a private config with a password mounts"
umount_fs "$MNT2"

# --- a password in -o conninfo: a warning, without the password ---
: >"$T_TMP/daemon.log"
mount_fs "$MNT2" -o conninfo="dbname=app password=hunter2" || not_ok "mount with -o conninfo"
check "-o conninfo with a password: a warning pointing to .pgpass" \
	grep -qE "warning: the password given in -o conninfo= .*\.pgpass.*PGPASSFILE.*service file" "$T_TMP/daemon.log"
check_fails "-o conninfo: the password is not logged" grep -q hunter2 "$T_TMP/daemon.log"
umount_fs "$MNT2"

perm_cleanup
done_testing

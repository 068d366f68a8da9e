#!/usr/bin/env bash
# 20_errors: refusing to mount (unreachable server, broken configs, unusable
# mountpoints) with one clear line on stderr; EROFS for every change attempt;
# ENOENT for missing paths; a password never shows (stderr, debug log, tree,
# mount table).
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE shop" >/dev/null
sql shop >/dev/null <<'EOF'
CREATE TABLE public.items (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
CREATE TABLE public.spare (a integer);
CREATE TYPE public.state AS ENUM ('new', 'done');
EOF

PW=SeCrEt123
REFUSE_MNT=$T_TMP/refuse
mkdir -p "$REFUSE_MNT"

# refuse DESC MOUNTPOINT ARGS...: schemafs ARGS MOUNTPOINT (no -f: the checks
# must happen before daemonizing) exits non-zero within 30 s, prints exactly
# one line on stderr, and leaves nothing mounted. The line is left in
# $T_TMP/refuse.err for further checks. The line starts with "schemafs: "
# unless REFUSE_ANY_PREFIX is set (the contract asks only for one clear line
# when the mountpoint is unusable).
refuse() {
	local desc=$1 mnt=$2 rc; shift 2
	timeout 30 "$SCHEMAFS" "$@" "$mnt" >"$T_TMP/refuse.out" 2>"$T_TMP/refuse.err"
	rc=$?
	if [ -d "$mnt" ] && is_mounted "$mnt"; then
		not_ok "$desc: it mounted anyway"
		fusermount3 -u "$mnt" 2>/dev/null || fusermount3 -uz "$mnt"
	fi
	if [ "$rc" == 124 ]; then not_ok "$desc: still running after 30 s"
	elif [ "$rc" != 0 ]; then ok "$desc: exit status $rc"
	else not_ok "$desc: exit status 0"; fi
	eq "$desc: exactly one line on stderr" 1 "$(grep -c '' "$T_TMP/refuse.err")"
	[ "$(grep -c '' "$T_TMP/refuse.err")" == 1 ] || sed 's/^/#   stderr: /' "$T_TMP/refuse.err" | head -n 5
	[ "${REFUSE_ANY_PREFIX:-}" ] ||
		check "$desc: stderr line starts with 'schemafs: '" grep -q '^schemafs: ' "$T_TMP/refuse.err"
}

# --------------------------------------------------- unreachable server

refuse "unreachable server (keyword conninfo)" "$REFUSE_MNT" \
	-o "conninfo=host=$PGHOST port=1 dbname=shop user=postgres password=$PW"
check "unreachable: libpq's message is shown" grep -Eq 'connection to server|could not connect' "$T_TMP/refuse.err"
check_fails "unreachable: the password is not on stderr" grep -q "$PW" "$T_TMP/refuse.err" "$T_TMP/refuse.out"

refuse "unreachable server (URI conninfo)" "$REFUSE_MNT" \
	-o "conninfo=postgresql://postgres:$PW@/shop?host=$PGHOST&port=1"
check "unreachable URI: libpq's message is shown" grep -Eq 'connection to server|could not connect' "$T_TMP/refuse.err"
check_fails "unreachable URI: the password is not on stderr" grep -q "$PW" "$T_TMP/refuse.err" "$T_TMP/refuse.out"

refuse "nonexistent database" "$REFUSE_MNT" -o "conninfo=dbname=no_such_db password=$PW"
check "nonexistent database: libpq's message names it" grep -q 'no_such_db' "$T_TMP/refuse.err"
check_fails "nonexistent database: no password on stderr" grep -q "$PW" "$T_TMP/refuse.err"

cat >"$T_TMP/unreachable.json" <<EOF
{ "databases": { "shop": { "conninfo": "host=$PGHOST port=1 dbname=shop password=$PW" } } }
EOF
chmod 600 "$T_TMP/unreachable.json"	# a config with a password must be private
refuse "unreachable server in a config" "$REFUSE_MNT" -o "config=$T_TMP/unreachable.json"
check_fails "unreachable (config): the password is not on stderr" grep -q "$PW" "$T_TMP/refuse.err"

# ------------------------------------------------------- broken configs

good_conn="host=$PGHOST port=$PGPORT dbname=shop"
cfg=$T_TMP/bad.json

# JSON syntax error on line 3: the message carries line:column.
printf '{\n  "databases": {\n    "shop" { "conninfo": "%s" }\n  }\n}\n' "$good_conn" >"$cfg"
refuse "config with a JSON syntax error" "$REFUSE_MNT" -o "config=$cfg"
check "JSON syntax error: message has line 3 and a column" \
	grep -Eq '(^|[^0-9])3:[0-9]+|line 3' "$T_TMP/refuse.err"

printf '{ "databases": { "shop": { "conninfo": "%s" } },\n  "colour": "blue" }\n' "$good_conn" >"$cfg"
refuse "config with an unknown top-level key" "$REFUSE_MNT" -o "config=$cfg"
check "unknown top-level key: named in the message" grep -q 'colour' "$T_TMP/refuse.err"

printf '{ "databases": { "shop": { "conninfo": "%s", "read_olny": true } } }\n' "$good_conn" >"$cfg"
refuse "config with an unknown database key" "$REFUSE_MNT" -o "config=$cfg"
check "unknown database key: named in the message" grep -q 'read_olny' "$T_TMP/refuse.err"

printf '{ "databases": { "shop": { "conninfo": "%s", "read_only": "yes" } } }\n' "$good_conn" >"$cfg"
refuse "config with read_only of the wrong type" "$REFUSE_MNT" -o "config=$cfg"
check "wrong type: key named in the message" grep -q 'read_only' "$T_TMP/refuse.err"

printf '{ "databases": { "shop": { "conninfo": "%s", "schemas": "public" } } }\n' "$good_conn" >"$cfg"
refuse "config with schemas as a string" "$REFUSE_MNT" -o "config=$cfg"
check "schemas wrong type: key named in the message" grep -q 'schemas' "$T_TMP/refuse.err"

printf '{ "databases": { "shop": { "conninfo": "%s" } }, "ttl": "2" }\n' "$good_conn" >"$cfg"
refuse "config with ttl as a string" "$REFUSE_MNT" -o "config=$cfg"
check "ttl wrong type: key named in the message" grep -q 'ttl' "$T_TMP/refuse.err"

printf '{ "databases": { "shop": { "conninfo": 42 } } }\n' >"$cfg"
refuse "config with conninfo as a number" "$REFUSE_MNT" -o "config=$cfg"

printf '{ "databases": [ "shop" ] }\n' >"$cfg"
refuse "config with databases as an array" "$REFUSE_MNT" -o "config=$cfg"

printf '{ "databases": { "shop": { "read_only": true } } }\n' >"$cfg"
refuse "config without conninfo" "$REFUSE_MNT" -o "config=$cfg"
check "missing conninfo: the message says so" grep -q 'conninfo' "$T_TMP/refuse.err"

refuse "config file that does not exist" "$REFUSE_MNT" -o "config=$T_TMP/no-such.json"
: >"$cfg"
refuse "empty config file" "$REFUSE_MNT" -o "config=$cfg"

# --------------------------------------------------- unusable mountpoints

REFUSE_ANY_PREFIX=1
refuse "missing mountpoint" "$T_TMP/no/such/dir" -o "conninfo=$good_conn"
check "missing mountpoint: the message names it" grep -q 'no/such/dir' "$T_TMP/refuse.err"
: >"$T_TMP/plainfile"
refuse "mountpoint that is a regular file" "$T_TMP/plainfile" -o "conninfo=$good_conn"
check "regular-file mountpoint: the message names it" grep -q 'plainfile' "$T_TMP/refuse.err"
REFUSE_ANY_PREFIX=

# ------------------------------------------- a working mount: errno checks

# One read-only database from a config carrying a password, with -d; one
# plain -o conninfo mount (read-write), password in the conninfo.
cat >"$T_TMP/ro.json" <<EOF
{ "databases": { "shop": { "conninfo": "$good_conn user=postgres password=$PW", "read_only": true } },
  "ttl": 1 }
EOF
chmod 600 "$T_TMP/ro.json"
RO=$T_TMP/ro
PLAIN=$T_TMP/plain
mount_fs "$RO" -d -o "config=$T_TMP/ro.json" || { not_ok "mount of the read-only config"; done_testing; }
mount_fs "$PLAIN" -o "conninfo=$good_conn password=$PW" || { not_ok "mount with -o conninfo"; done_testing; }

for root in "$RO/shop"; do
	tag=$(basename "$(dirname "$root")")
	T=$root/schemas/public/tables/items
	check "$tag: tree is there" test -f "$T/columns/id"
	before=$(cd "$root" && find . -print0 | sort -z | xargs -0 stat -c '%n %s %a' 2>&1)
	col=$(cat "$T/columns/name")
	rofs="Read-only file system"
	eq "$tag: echo > existing column file: EROFS" "$rofs" "$(errno_of bash -c 'echo "integer" >"$1"' _ "$T/columns/name")"
	eq "$tag: append to a file: EROFS" "$rofs" "$(errno_of bash -c 'echo x >>"$1"' _ "$T/comment")"
	eq "$tag: truncate: EROFS" "$rofs" "$(errno_of truncate -s 0 "$T/columns/name")"
	eq "$tag: echo > new column file: EROFS" "$rofs" "$(errno_of bash -c 'echo "integer" >"$1"' _ "$T/columns/newcol")"
	eq "$tag: touch a new file: EROFS" "$rofs" "$(errno_of touch "$T/columns/newcol2")"
	eq "$tag: touch an existing file: EROFS" "$rofs" "$(errno_of touch "$T/columns/id")"
	eq "$tag: mkdir a table: EROFS" "$rofs" "$(errno_of mkdir "$root/schemas/public/tables/newtable")"
	eq "$tag: mkdir a schema: EROFS" "$rofs" "$(errno_of mkdir "$root/schemas/newschema")"
	eq "$tag: rm a column file: EROFS" "$rofs" "$(errno_of rm "$T/columns/name")"
	eq "$tag: rm -r a table: EROFS" "$rofs" "$(errno_of rm -r "$root/schemas/public/tables/spare")"
	eq "$tag: rmdir an empty directory: EROFS" "$rofs" "$(errno_of rmdir "$T/triggers")"
	eq "$tag: mv a column file: EROFS" "$rofs" "$(errno_of mv "$T/columns/name" "$T/columns/title")"
	eq "$tag: mv a table: EROFS" "$rofs" "$(errno_of mv "$T" "$root/schemas/public/tables/things")"
	eq "$tag: chmod a file: EROFS" "$rofs" "$(errno_of chmod 600 "$T/columns/id")"
	eq "$tag: chmod a directory: EROFS" "$rofs" "$(errno_of chmod 700 "$T/columns")"
	eq "$tag: ln -s: EROFS" "$rofs" "$(errno_of ln -s id "$T/columns/link")"
	eq "$tag: append a label to an enum: EROFS" "$rofs" "$(errno_of bash -c 'echo later >>"$1"' _ "$root/schemas/public/types/state")"
	eq "$tag: cp into migrations/apply: EROFS" "$rofs" "$(errno_of cp "$T/columns/id" "$root/migrations/apply/x.sql")"
	eq "$tag: column file unchanged" "$col" "$(cat "$T/columns/name")"
	after=$(cd "$root" && find . -print0 | sort -z | xargs -0 stat -c '%n %s %a' 2>&1)
	eq "$tag: the tree is unchanged (names, sizes, modes)" "$before" "$after"
	eq "$tag: nothing changed in the database" "id name" \
		"$(val shop "SELECT string_agg(attname, ' ' ORDER BY attnum) FROM pg_attribute
		             WHERE attrelid = 'public.items'::regclass AND attnum > 0 AND NOT attisdropped")"
done
for root in "$RO/shop" "$PLAIN/shop"; do
	tag=$(basename "$(dirname "$root")")
	T=$root/schemas/public/tables/items
	enoent="No such file or directory"
	eq "$tag: cat of a missing column: ENOENT" "$enoent" "$(errno_of cat "$T/columns/nope")"
	eq "$tag: ls of a missing table: ENOENT" "$enoent" "$(errno_of ls "$root/schemas/public/tables/nope")"
	eq "$tag: stat of a missing schema: ENOENT" "$enoent" "$(errno_of stat "$root/schemas/nope")"
	eq "$tag: missing file under a missing table: ENOENT" "$enoent" "$(errno_of cat "$root/schemas/public/tables/nope/comment")"
	eq "$tag: missing top-level entry: ENOENT" "$enoent" "$(errno_of stat "$root/nope")"
	eq "$tag: a file used as a directory: ENOTDIR" "Not a directory" "$(errno_of stat "$T/comment/x")"
done
eq "missing database directory: ENOENT" "No such file or directory" "$(errno_of ls "$RO/nodb")"

# ------------------------------------------------- the password never shows

for m in "$RO" "$PLAIN"; do
	grep -r "$PW" "$m" >"$T_TMP/pw.out" 2>"$T_TMP/pw.err"; rc=$?
	eq "$(basename "$m"): grep -r finds no password in the tree (status 1 = no match)" 1 "$rc"
	eq "$(basename "$m"): grep -r read every file" "" "$(cat "$T_TMP/pw.err")"
	check "$(basename "$m"): the tree has files for grep to read" test -n "$(find "$m" -type f)"
done
check "status and journal.json are readable" cat "$RO/shop/migrations/status" "$RO/shop/migrations/journal.json"
check "the -d debug log has output" test -s "$T_TMP/daemon.log"
check_fails "no password in the daemon's output (-d debug log)" grep -q "$PW" "$T_TMP/daemon.log"
check_fails "no password in the mount table" grep -q "$PW" /proc/mounts

umount_fs "$RO"
umount_fs "$PLAIN"
check_fails "no password in the daemon's output after unmount" grep -q "$PW" "$T_TMP/daemon.log"
done_testing

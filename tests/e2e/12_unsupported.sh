#!/usr/bin/env bash
# 12_unsupported: a server older than 13 (a real PostgreSQL 12, from
# tests/pg-install.sh) is refused at mount with one line on stderr, before
# the daemon detaches, and nothing is left mounted. Runs on a 12 server
# whatever major scripts/test is on.
. "$(dirname "$0")/../lib.sh"

PGBIN=$("$T_ROOT/tests/pg-install.sh" 12) || { not_ok "PostgreSQL 12 installed"; done_testing; }
SCHEMAFS_PG_MAJOR=12 pg_start
sql postgres -c "CREATE DATABASE old" -c "CREATE TABLE t (id int)" >/dev/null
eq "the server is PostgreSQL 12" 12 "$T_PG_MAJOR"

M=$T_TMP/mnt
mkdir -p "$M"
# Without -f: the refusal must come before the daemon detaches.
"$SCHEMAFS" -o conninfo=dbname=old "$M" >"$T_TMP/out" 2>"$T_TMP/err"
rc=$?
check "the mount fails (exit $rc)" test "$rc" -ne 0
eq "one line on stderr" "schemafs: PostgreSQL 12 is not supported (13 or newer)" "$(cat "$T_TMP/err")"
check "nothing is mounted" bash -c "! grep -q ' $M fuse' /proc/mounts"
check "no daemon left behind" bash -c "! pgrep -f '^$SCHEMAFS -o conninfo=dbname=old'"
done_testing

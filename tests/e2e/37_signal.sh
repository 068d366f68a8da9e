#!/usr/bin/env bash
# 37_signal: SIGTERM ends the daemon cleanly even with a file held open (no
# release() ever comes for it): the mount goes away and the daemon, built
# with LeakSanitizer in the test suite, exits 0.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app -c "CREATE TABLE t (id int PRIMARY KEY)" >/dev/null
M=$T_TMP/mnt
mount_fs "$M" -o conninfo=dbname=app || { not_ok "mount"; done_testing; }
pid=${T_DAEMONS[0]}
exec 3<"$M/app/schema.sql"
check "a file is held open" test -e /proc/self/fd/3
kill -TERM "$pid"
for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
rc=0
if kill -0 "$pid" 2>/dev/null; then rc=timeout; kill -9 "$pid"; else wait "$pid" || rc=$?; fi
exec 3<&-
eq "SIGTERM with a file open: the daemon exits 0" 0 "$rc"
check_fails "and the mount is gone" is_mounted "$M"
T_MOUNTS=(); T_DAEMONS=()
done_testing

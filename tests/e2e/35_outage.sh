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
poll() { local i; for i in $(seq 1 60); do "$@" && return 0; sleep 0.25; done; return 1; }

check "status: reachable" grep -q '^server: reachable' "$D/migrations/status"
pg_ctl_as stop
sleep 1
check "reads still served while the server is down" timeout 5 cat "$D/schemas/public/tables/item/columns/name"
eq "from the last snapshot" "text NOT NULL" "$(timeout 5 cat "$D/schemas/public/tables/item/columns/name")"
check "ls does not hang" timeout 5 ls "$D/schemas/public/tables"
check "status says unreachable" poll grep -q '^server: unreachable' "$D/migrations/status"
check "status gives libpq's reason" grep -q '^last error: .*\(connect\|server\|socket\)' "$D/migrations/status"

pg_ctl_as start
check "status recovers by itself" poll grep -q '^server: reachable' "$D/migrations/status"
sql app -c "ALTER TABLE item ADD COLUMN price numeric" >/dev/null
check "DDL after the restart shows up" poll test -f "$D/schemas/public/tables/item/columns/price"

# A server restart between two refreshes: the dead connection is replaced
# at once, the refresh does not fail.
nfail=$(grep -c 'refresh failed' "$T_TMP/daemon.log")
pg_ctl_as restart
sql app -c "ALTER TABLE item ADD COLUMN qty int" >/dev/null
check "DDL after a quick restart shows up" poll test -f "$D/schemas/public/tables/item/columns/qty"
eq "no refresh failed over the quick restart" "$nfail" "$(grep -c 'refresh failed' "$T_TMP/daemon.log")"

umount_fs "$M"
done_testing

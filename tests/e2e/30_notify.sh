#!/usr/bin/env bash
# 30_notify: with scripts/notify-trigger.sql installed, DDL from elsewhere
# shows at once (README "Seeing DDL at once: NOTIFY"): the mount LISTENs while
# the event trigger schemafs_notify exists, and each notification starts a
# refresh. Two databases in one mount with a TTL of an hour, both made busy
# (a DML commit: the next look is one TTL later); only the one with the
# trigger sees an ALTER. Temporary tables notify nothing; a listener whose
# backend is killed connects again; without the trigger, nothing listens.
. "$(dirname "$0")/../lib.sh"

pg_start
for d in nt plain; do
	sql postgres -c "CREATE DATABASE $d" >/dev/null
	sql "$d" -c "CREATE TABLE public.t (a integer); CREATE TABLE public.hits (n integer)" >/dev/null
done
sql nt -f "$T_ROOT/scripts/notify-trigger.sql" >/dev/null 2>&1
eq "the trigger is installed" "schemafs_notify" "$(val nt "SELECT evtname FROM pg_event_trigger")"

cat >"$T_TMP/cfg.json" <<EOF
{ "state_dir": "$T_TMP/state",
  "databases": { "nt": { "conninfo": "dbname=nt host=$PGHOST port=$PGPORT", "shadow": false, "ttl": 3600 },
                 "plain": { "conninfo": "dbname=plain host=$PGHOST port=$PGPORT", "shadow": false, "ttl": 3600 } } }
EOF
MNT=$T_TMP/mnt
mount_fs "$MNT" -o "config=$T_TMP/cfg.json" || { not_ok "mount"; done_testing; }
NS=$MNT/nt/migrations/status
PS=$MNT/plain/migrations/status

check "status of the database with the trigger says it listens" \
	poll 10 grep -q '^notifications: listening on channel schemafs (event trigger schemafs_notify), 0 received$' "$NS"
check_fails "status of the one without says nothing of notifications" grep -q '^notifications:' "$PS"
check "the log says so" grep -q 'nt: notifications: listening (LISTEN schemafs)' "$T_TMP/daemon.log"
eq "one listening backend, on nt" "nt" \
	"$(val nt "SELECT string_agg(datname, ',') FROM pg_stat_activity WHERE query = 'LISTEN schemafs'")"

# busy DB: a DML commit, seen by the quiet look, which then takes a
# fingerprint that finds no DDL; the next look is one TTL (an hour) later.
busy() {
	sql "$1" -c "INSERT INTO public.hits VALUES (1)" >/dev/null
	ls "$MNT/$1/schemas/public/tables" >/dev/null
}
busy nt; busy plain; sleep 1.5

sql nt -c "ALTER TABLE public.t ADD COLUMN seen integer"
sql plain -c "ALTER TABLE public.t ADD COLUMN unseen integer"
check "an ALTER on the database with the trigger shows, a TTL of an hour notwithstanding" \
	poll 20 test -f "$MNT/nt/schemas/public/tables/t/columns/seen"
sleep 1
check_fails "... the same ALTER on the one without does not (its next look is an hour away)" \
	test -e "$MNT/plain/schemas/public/tables/t/columns/unseen"
check "status counts the notification" poll 10 grep -qE '^notifications: listening .*, [1-9][0-9]* received$' "$NS"
n1=$(grep -oE '[0-9]+ received' "$NS" | cut -d' ' -f1)

# Temporary objects notify nothing (the trigger's function leaves them out).
sql nt -c "CREATE TEMP TABLE scratch (x integer)" >/dev/null
sql nt -c "CREATE TABLE public.later (x integer)"
check "a table made after a temporary one shows" poll 20 test -d "$MNT/nt/schemas/public/tables/later"
n2=$(grep -oE '[0-9]+ received' "$NS" | cut -d' ' -f1)
eq "... and the temporary table's commit notified nothing (one more, not two)" "$((n1 + 1))" "$n2"

# The listener's backend is killed: it connects again, and what committed
# meanwhile is read then.
val nt "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN schemafs'" >/dev/null
check "the log says the connection was lost" poll 10 grep -q 'nt: notifications: connection lost' "$T_TMP/daemon.log"
sql nt -c "ALTER TABLE public.t ADD COLUMN meanwhile integer"
check "a column added as it connects again shows" \
	poll 30 test -f "$MNT/nt/schemas/public/tables/t/columns/meanwhile"
check "status says it listens again" poll 10 grep -q '^notifications: listening ' "$NS"
sql nt -c "ALTER TABLE public.t ADD COLUMN after integer"
check "and the next ALTER shows at once" poll 20 test -f "$MNT/nt/schemas/public/tables/t/columns/after"

# Without the trigger (dropped, then seen by the refresh an apply makes),
# nothing listens any more.
sql nt -c "DROP EVENT TRIGGER schemafs_notify"
echo 'CREATE TABLE public.applied (x integer);' >"$T_TMP/m.sql"
check "an apply" cp "$T_TMP/m.sql" "$MNT/nt/migrations/apply/0001_applied.sql"
check "status has no notifications line once the trigger is gone" \
	poll 10 bash -c '! grep -q "^notifications:" "$1"' _ "$NS"
check "the log says so" grep -q 'nt: notifications: the event trigger schemafs_notify is gone or disabled' "$T_TMP/daemon.log"
check "no listening backend is left" poll 10 test "$(val nt "SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN schemafs'")" == 0

umount_fs "$MNT"
done_testing

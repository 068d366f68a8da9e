#!/usr/bin/env bash
# 30_notify: with scripts/notify-trigger.sql installed, DDL from elsewhere
# shows at once (README "Seeing DDL at once: NOTIFY"): the mount LISTENs while
# the event trigger schemafs_notify exists, and each notification starts a
# refresh. Two databases in one mount with a TTL of an hour; before each
# step both are made busy (a DML commit: the mount's next look is then one
# TTL away), so only a notification can show a change. Only the one with the
# trigger sees an ALTER; temporary tables (made or dropped) notify nothing, a
# DROP does; a listener whose backend is killed listens again and reads what
# committed meanwhile; without the trigger, nothing listens.
. "$(dirname "$0")/../lib.sh"

pg_start
for d in nt plain; do
	sql postgres -c "CREATE DATABASE $d" >/dev/null
	sql "$d" -c "CREATE TABLE public.t (a integer); CREATE TABLE public.hits (n integer);
		CREATE TABLE public.doomed (x integer)" >/dev/null
done
sql nt -1 -f "$T_ROOT/scripts/notify-trigger.sql" >/dev/null 2>&1
eq "the triggers are installed" "schemafs_notify,schemafs_notify_drop" \
	"$(val nt "SELECT string_agg(evtname, ',' ORDER BY evtname) FROM pg_event_trigger")"

cat >"$T_TMP/cfg.json" <<EOF
{ "state_dir": "$T_TMP/state",
  "databases": { "nt": { "conninfo": "dbname=nt host=$PGHOST port=$PGPORT", "shadow": false, "ttl": 3600 },
                 "plain": { "conninfo": "dbname=plain host=$PGHOST port=$PGPORT", "shadow": false, "ttl": 3600 } } }
EOF
MNT=$T_TMP/mnt
mount_fs "$MNT" -o "config=$T_TMP/cfg.json" || { not_ok "mount"; done_testing; }
NS=$MNT/nt/migrations/status
PS=$MNT/plain/migrations/status
NT=$MNT/nt/schemas/public/tables

check "status of the database with the trigger says it listens" \
	poll 10 grep -q '^notifications: listening on channel schemafs (event trigger schemafs_notify), 0 received$' "$NS"
check_fails "status of the one without says nothing of notifications" grep -q '^notifications:' "$PS"
check "the log says so" grep -q 'nt: notifications: listening (LISTEN schemafs)' "$T_TMP/daemon.log"
eq "one listening backend, on nt" "nt" \
	"$(val nt "SELECT string_agg(datname, ',') FROM pg_stat_activity WHERE query = 'LISTEN schemafs'")"

# busy DB...: a DML commit, which the quiet look (every 0.05 s) sees; its
# fingerprint finds no DDL, so the next look is one TTL (an hour) later.
busy() {
	local d
	for d in "$@"; do
		sql "$d" -c "INSERT INTO public.hits VALUES (1)" >/dev/null
		ls "$MNT/$d/schemas/public/tables" >/dev/null
	done
	sleep 3	# the quiet look (every 0.05 s) and its fingerprint, loaded (TSan)
}
# received: the notifications status counts.
received() { grep -oE '[0-9]+ received$' "$NS" | cut -d' ' -f1; }

busy nt plain
sql nt -c "ALTER TABLE public.t ADD COLUMN seen integer"
sql plain -c "ALTER TABLE public.t ADD COLUMN unseen integer"
check "an ALTER on the database with the trigger shows, a TTL of an hour notwithstanding" \
	poll 20 test -f "$NT/t/columns/seen"
sleep 1
check_fails "... the same ALTER on the one without does not (its next look is an hour away)" \
	test -e "$MNT/plain/schemas/public/tables/t/columns/unseen"
check "status counts the notification" poll 10 grep -qE '^notifications: listening .*, 1 received$' "$NS"

# Temporary tables, made or dropped, notify nothing (the function leaves
# them out); the next table does: one notification more, not three.
busy nt
sql nt -c "CREATE TEMP TABLE scratch (x integer); DROP TABLE scratch" >/dev/null
sql nt -c "CREATE TEMP TABLE scratch2 (x integer)" -c "DROP TABLE IF EXISTS scratch2" >/dev/null
sql nt -c "CREATE TABLE public.later (x integer)"
check "a table made after temporary ones shows" poll 20 test -d "$NT/later"
eq "... and the temporary tables notified nothing" 2 "$(received)"

# A DROP notifies (through sql_drop).
busy nt
sql nt -c "DROP TABLE public.doomed"
check "a dropped table goes" poll 20 bash -c '! test -e "$1"' _ "$NT/doomed"
eq "... one notification more" 3 "$(received)"

# A change no event trigger fires for (session_replication_role = replica)
# is not seen; the listener's backend is then killed: it connects again and
# reads what committed while nobody listened.
busy nt
sql nt -c "SET session_replication_role = replica" -c "ALTER TABLE public.t ADD COLUMN quiet integer"
sleep 2
check_fails "a change that sent no notification is not seen (the next look is an hour away)" \
	test -e "$NT/t/columns/quiet"
val nt "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN schemafs'" >/dev/null
check "the log says the connection was lost" poll 10 grep -q 'nt: notifications: connection lost' "$T_TMP/daemon.log"
check "once it listens again, it reads what committed meanwhile" poll 30 test -f "$NT/t/columns/quiet"
check "status says it listens" poll 10 grep -q '^notifications: listening ' "$NS"
busy nt
sql nt -c "ALTER TABLE public.t ADD COLUMN after integer"
check "and the next ALTER shows at once" poll 20 test -f "$NT/t/columns/after"
check "... counted" poll 10 grep -qE '^notifications: listening .*, 4 received$' "$NS"

# Without the trigger (dropped, then seen by the refresh an apply makes),
# nothing listens any more.
sql nt -c "DROP EVENT TRIGGER schemafs_notify"
echo 'CREATE TABLE public.applied (x integer);' >"$T_TMP/m.sql"
check "an apply" cp "$T_TMP/m.sql" "$MNT/nt/migrations/apply/0001_applied.sql"
check "status has no notifications line once the trigger is gone" \
	poll 10 bash -c '! grep -q "^notifications:" "$1"' _ "$NS"
check "the log says so" grep -q 'nt: notifications: the event trigger schemafs_notify is gone or disabled' "$T_TMP/daemon.log"
check "no listening backend is left" poll 10 bash -c \
	'[ "$(psql -X -qAt -d nt -c "SELECT count(*) FROM pg_stat_activity WHERE query = '"'LISTEN schemafs'"'")" == 0 ]'

umount_fs "$MNT"
done_testing

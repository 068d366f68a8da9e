#!/usr/bin/env bash
# 33_standby: a mount of a hot standby follows the DDL made on its primary,
# also when a commit moves neither the snapshot's xmin nor its xmax. On a
# standby txid_current_snapshot() lists no running transaction (they are all
# in subxip, which the text leaves out), so the quiet probe of
# fs/database_load.c load_once() (the same snapshot text: nothing committed) must
# not be used there: the mount would stay stale for ever. A standby's
# mount is read-only (EROFS), as a read_only database's is.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app -c "CREATE TABLE public.accounts (id integer PRIMARY KEY, name text)"
# Nothing but this test may commit on the primary: the snapshot texts
# compared below move with any commit (autovacuum's would be one).
sql postgres -c "ALTER SYSTEM SET autovacuum = off" -c "SELECT pg_reload_conf()" >/dev/null

pg_start_standby || { not_ok "hot standby starts"; done_testing; }
ok "hot standby starts: $T_SB_HOW"
# sb DB QUERY: one value from the standby.
sb() { PGHOST=$T_SB_HOST PGPORT=$T_SB_PORT val "$@"; }
# sb_is DB QUERY EXPECTED: the standby answers EXPECTED.
sb_is() { local v; v=$(sb "$1" "$2") && [ "$v" == "$3" ] || { echo "standby: $v"; return 1; }; }
check "standby is in recovery and sees accounts" \
	poll 30 sb_is app "SELECT pg_is_in_recovery() AND to_regclass('public.accounts') IS NOT NULL" t

MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo="host=$T_SB_HOST port=$T_SB_PORT dbname=app" -o ttl=1 ||
	{ not_ok "mount of the standby"; done_testing; }
P=$MNT/app/schemas/public
A=$P/tables/accounts
eq "the standby's table shows" "id
name" "$(ls "$A/columns")"

sql app -c "ALTER TABLE public.accounts ADD COLUMN email text"
check "ADD COLUMN on the primary shows on the standby's mount" poll 30 test -f "$A/columns/email"

# session NAME SQL: a psql on the primary's app, kept open in the background
# (application_name NAME) until its input, fd FD, is closed; waits until it
# sits idle in a transaction that has an xid: S_XID, its psql's pid S_PID.
# Not in a subshell: the fd and the psql are this shell's.
session() {
	local name=$1 fd=$2 sql=$3
	mkfifo "$T_TMP/$name.in"
	PGAPPNAME=$name psql -X -q -v ON_ERROR_STOP=1 -d app <"$T_TMP/$name.in" >"$T_TMP/$name.out" 2>&1 &
	S_PID=$!
	eval "exec $fd>\"\$T_TMP/\$name.in\""
	echo "$sql" >&"$fd"
	poll 30 sql_is "SELECT backend_xid FROM pg_stat_activity WHERE application_name = '$name'
		AND state = 'idle in transaction' AND backend_xid IS NOT NULL" "" not || return 1
	S_XID=$(val app "SELECT backend_xid FROM pg_stat_activity WHERE application_name = '$name'")
}
# sql_is QUERY EXPECTED [not]: the primary answers EXPECTED (or not).
sql_is() {
	local v; v=$(val app "$1") || return 1
	if [ "${3:-}" == not ]; then [ "$v" != "$2" ]; else [ "$v" == "$2" ]; fi || { echo "primary: $v"; return 1; }
}
# end FD PID: commits the session's transaction and waits for its psql.
end() { echo "COMMIT;" >&"$1"; eval "exec $1>&-"; wait "$2"; }

# A long transaction: the standby's snapshots keep its xid as their xmin.
session long 7 "BEGIN; SELECT txid_current();" || { not_ok "long transaction opens"; done_testing; }
L=$S_XID LONG_PID=$S_PID
sql app -c "ALTER TABLE public.accounts ADD COLUMN note text"
check "ADD COLUMN while a transaction is open shows on the standby's mount" poll 30 test -f "$A/columns/note"
check "the standby's snapshot: xmin is the open transaction's, no xid listed" \
	bash -c '[[ "$1" =~ ^$2:[0-9]+:$ ]] || { echo "$1 (xmin $2)"; exit 1; }' _ \
	"$(sb app "SELECT txid_current_snapshot()::text")" "$L"

# The case the rule is for: transaction X takes an xid before Y, Y commits
# and the mount reads it, then X commits. On the primary the snapshot's
# list of running xids shrinks; on the standby neither xmin (the long
# transaction) nor xmax (Y's) moves and there is no list: the same text.
session late 8 "BEGIN; CREATE TABLE public.late (x integer);" || { not_ok "transaction X opens"; done_testing; }
X=$S_XID LATE_PID=$S_PID
sql app -c "CREATE TABLE public.marker (y integer)"
Y=$(val app "SELECT xmin FROM pg_class WHERE oid = 'public.marker'::regclass")
check "X's xid comes before Y's ($X < $Y)" test "$X" -lt "$Y"
check "Y's table shows on the standby's mount" poll 30 test -d "$P/tables/marker"
before=$(sb app "SELECT txid_current_snapshot()::text")
eq "the standby's snapshot after Y: xmin the long transaction, xmax after Y" "$L:$((Y + 1)):" "$before"
end 8 "$LATE_PID"
check "X's table is on the standby" poll 30 sb_is app "SELECT to_regclass('public.late') IS NOT NULL" t
eq "the standby's snapshot text is the same after X's commit" "$before" "$(sb app "SELECT txid_current_snapshot()::text")"
check "X's table shows on the standby's mount" poll 30 test -d "$P/tables/late"
check "its column too" test -f "$P/tables/late/columns/x"

sql app -c "ALTER TABLE public.accounts DROP COLUMN email"
check "DROP COLUMN on the primary shows on the standby's mount" \
	poll 30 bash -c '! test -e "$1"' _ "$A/columns/email"
end 7 "$LONG_PID"
eq "columns of accounts at the end" "id
name
note" "$(ls "$A/columns")"

# A standby refuses every write, so its mount is read-only, as a
# read_only database is (README, "Freshness"): EROFS for a change and for
# an apply, status says why, nothing staged or run.
M=$MNT/app/migrations
check "status: read-only because of the standby" grep -qx "mode: read-only (the server is a hot standby)" "$M/status"
eq "a new column file on the standby's mount: EROFS" "Read-only file system" \
	"$(errno_of bash -c 'echo integer > "$1"' _ "$A/columns/extra")"
printf 'ALTER TABLE public.accounts ADD COLUMN extra integer;\n' >"$T_TMP/0001_extra.sql"
eq "cp of a migration into apply/: EROFS" "Read-only file system" \
	"$(errno_of cp "$T_TMP/0001_extra.sql" "$M/apply/")"
eq "nothing staged: pending/ still empty" "" "$(ls "$M/pending")"
check "the daemon logs why" grep -q "the server is a hot standby: read-only, every change fails with EROFS" "$T_TMP/daemon.log"
eq "nothing ran on the primary" "0" \
	"$(val app "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.accounts'::regclass AND attname = 'extra'")"

done_testing

#!/usr/bin/env bash
# 58_stage_identity: staged edits belong to one database, not to a name.
# Two servers each have a database "app" whose tables have the same OIDs:
# a change staged on one is never offered on the other (it is kept aside,
# and status and the log say so), and it is still there when the first
# comes back. Two mounts of same-named databases keep separate stages. A
# stage.json from before stages were bound is kept aside too.
. "$(dirname "$0")/../lib.sh"

pg_start
A_DATA=$T_PG_DATA
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app -c "CREATE TABLE booking (id int PRIMARY KEY, note text)" >/dev/null
A_OID=$(val app "SELECT 'booking'::regclass::oid")

M=$T_TMP/mnt
mount_fs "$M" -o conninfo=dbname=app || { not_ok "mount of staging"; done_testing; }
MG=$M/app/migrations
rm "$M/app/schemas/public/tables/booking/columns/note"
check "staging: DROP COLUMN note is staged" grep -q 'DROP COLUMN note' <(cat "$MG"/pending/*.sql)
umount_fs "$M"
check "the stage file is named by the database's identity" \
	bash -c "ls '$XDG_STATE_HOME/schemafs/app/' | grep -qE '^stage-[0-9]+-[0-9]+\.json$'"

# A second server on the same socket, with a database of the same name and
# a table of the same OID.
pg_ctl_as stop
T_PG_DATA=$T_TMP/pgdata2
mkdir -p "$T_PG_DATA"; chown postgres: "$T_PG_DATA"; chmod 700 "$T_PG_DATA"
runuser -u postgres -- "$PGBIN/initdb" -A trust --nosync -U postgres -E UTF8 --locale=C.UTF-8 \
	-D "$T_PG_DATA" >"$T_TMP/initdb2.log" 2>&1 || { cat "$T_TMP/initdb2.log"; not_ok "initdb of production"; done_testing; }
pg_ctl_as start || { not_ok "start of production"; done_testing; }
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app -c "CREATE TABLE invoice (id int PRIMARY KEY, amount numeric)" >/dev/null
eq "production's table has staging's OID" "$A_OID" "$(val app "SELECT 'invoice'::regclass::oid")"

mount_fs "$M" -o conninfo=dbname=app || { not_ok "mount of production"; done_testing; }
eq "production: nothing pending" "" "$(ls "$MG/pending")"
check "production: no DROP COLUMN amount anywhere" bash -c "! grep -rq 'DROP COLUMN' '$MG/pending' '$MG/status'"
check "production: status says a stage was kept aside" grep -q '^staged changes kept aside: .*another database' "$MG/status"
check "production: the log says so" grep -q 'kept aside, not applied' "$T_TMP/daemon.log"
eq "production: amount is still there" "numeric" "$(cat "$M/app/schemas/public/tables/invoice/columns/amount")"
# Production stages its own change, in a file of its own.
echo 'text' >"$M/app/schemas/public/tables/invoice/columns/memo"
check "production: its own change is staged" grep -q 'ADD COLUMN memo text' <(cat "$MG"/pending/*.sql)
umount_fs "$M"
eq "two stage files, one per database" 2 "$(ls "$XDG_STATE_HOME/schemafs/app/" | grep -cE '^stage-.*\.json$')"

# Staging again: its change is back, production's is not there.
pg_ctl_as stop
T_PG_DATA=$A_DATA
pg_ctl_as start || { not_ok "restart of staging"; done_testing; }
mount_fs "$M" -o conninfo=dbname=app || { not_ok "remount of staging"; done_testing; }
check "staging: DROP COLUMN note is still staged" grep -q 'DROP COLUMN note' <(cat "$MG"/pending/*.sql)
check "staging: production's change is not" bash -c "! grep -q memo <(cat '$MG'/pending/*.sql)"
check "staging: status names production's stage as another database's, not used" \
	grep -q '^staged changes kept aside: .*another database' "$MG/status"
umount_fs "$M"

# A stage.json of an older schemafs says no database: kept aside, not used.
printf '{"version":1,"tables":[{"oid":%s,"schema":"public","name":"booking","qname":"booking","columns":[{"attnum":1,"drop":true,"name":"id"}]}],"enums":[],"files":[]}\n' \
	"$A_OID" >"$XDG_STATE_HOME/schemafs/app/stage.json"
mount_fs "$M" -o conninfo=dbname=app || { not_ok "mount with an old stage.json"; done_testing; }
check "old stage.json: not applied (no DROP COLUMN id)" bash -c "! grep -q 'DROP COLUMN id' <(cat '$MG'/pending/*.sql)"
check "old stage.json: status says it was kept aside" grep -q 'staged before schemafs recorded which database' "$MG/status"
check "old stage.json: left as it was" grep -q '"drop":true' "$XDG_STATE_HOME/schemafs/app/stage.json"
umount_fs "$M"
done_testing

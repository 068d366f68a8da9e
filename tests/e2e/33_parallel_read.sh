#!/usr/bin/env bash
# 33_parallel_read: a full read of a large database runs three of its
# longest queries (the indexes, the constraints, the columns) on a second
# connection, in the loader's exported snapshot (fs/catalog_aux.c); a
# mount's first read gives it the indexes and the dependency map, and shows
# the tree before the map is in (schema.sql waits for it).
# "parallel_read": 1
# makes every full read do so; the tree must be byte for byte the one read
# on one connection ("parallel_read": 0), on a primary and on a hot
# standby, and DDL committed while the second connection waits (a test
# hook holds it) must not be in the read. When the second connection cannot
# be opened (a role's connection limit) or the role may not export a
# snapshot, the read goes on alone, says why in the log, and shows the same
# tree. An apply during a full read on two connections cancels the
# second connection's query rather than wait for it.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE par" >/dev/null
sql par -f "$T_ROOT/tests/sql/kinds.sql" >/dev/null 2>"$T_TMP/load.err" ||
	{ cat "$T_TMP/load.err"; echo "not ok - loading kinds.sql"; exit 1; }
sql par -f "$T_ROOT/tests/sql/order.sql" >/dev/null 2>"$T_TMP/load.err" ||
	{ cat "$T_TMP/load.err"; echo "not ok - loading order.sql"; exit 1; }
sql par >/dev/null <<'EOF'
CREATE SCHEMA par;
CREATE TABLE par.parent (id integer PRIMARY KEY, code text UNIQUE);
CREATE TABLE par.child (id integer PRIMARY KEY, parent integer REFERENCES par.parent, v text);
CREATE INDEX child_v_idx ON par.child (lower(v)) WHERE v IS NOT NULL;
COMMENT ON INDEX par.child_v_idx IS 'child index note';
CREATE VIEW par.child_v AS SELECT c.id, p.code FROM par.child c JOIN par.parent p ON p.id = c.parent;
-- A foreign table's column options are set on columns the second
-- connection reads: the loader must have them by then.
CREATE FOREIGN DATA WRAPPER par_fdw;
CREATE SERVER par_srv FOREIGN DATA WRAPPER par_fdw;
CREATE FOREIGN TABLE par.far (id integer OPTIONS (column_name 'ident'), v text) SERVER par_srv;
-- Defaults whose constants print by DateStyle and IntervalStyle.
CREATE TABLE par.dated (d date DEFAULT '2020-01-31', i interval DEFAULT '1 day 02:00:00');
CREATE ROLE lone LOGIN CONNECTION LIMIT 1;
CREATE ROLE noexp LOGIN;
EOF

LOG=$T_TMP/daemon.log
# conf NAME CONNINFO PARALLEL [TTL]: a config file with one database, "par",
# by default never refreshed on its own (ttl 3600): each mount shows its
# first read.
conf() {
	printf '{ "state_dir": "%s", "databases": { "par": { "conninfo": "%s", "shadow": false, "ttl": %s, "parallel_read": %s } } }\n' \
		"$T_TMP/state_$1" "$2" "${4:-3600}" "$3" >"$T_TMP/$1.json"
}
# same_tree A B: diff -r of two mounts' par/, but for migrations/status
# (it counts the queries: one more with a second connection).
same_tree() {
	diff -r -x status "$1/par" "$2/par" >"$T_TMP/diff.out" 2>&1 ||
		{ head -n 20 "$T_TMP/diff.out"; return 1; }
}
# A mount's first read (with the hook below) runs two there, the indexes
# and the dependency map; a refresh's, three. Logged once the map is in,
# after the mount shows: waited for.
n_second() { grep -cE 'par: [23] of the read.s queries ran on a second connection' "$LOG" || true; }
n_second_is() { [ "$(n_second)" == "$1" ]; }
# Any number: without the test hook, the loader runs itself a query the
# second connection has not started yet (it may still be connecting).
n_any() { grep -c 'par: [0-3] of the read.s queries ran on a second connection' "$LOG" || true; }
# The test hook with a file that is there: the second connection is given
# its queries before it starts, so that the counts and rows are known.
READY=$T_TMP/ready
touch "$READY"

conf one "dbname=par" 0
conf two "dbname=par" 1
mount_fs "$T_TMP/one" -o config="$T_TMP/one.json" || { not_ok "mount on one connection"; done_testing; }
eq "no second connection with parallel_read 0" "0" "$(n_second)"
cp "$T_TMP/one/par/schema.sql" "$T_TMP/schema.one"
SCHEMAFS_TEST_AUX_WAIT=$READY mount_fs "$T_TMP/two" -o config="$T_TMP/two.json" ||
	{ not_ok "mount on two connections"; done_testing; }
check "the read used a second connection (parallel_read 1)" poll 30 n_second_is 1
check "... for the indexes and the dependency map (log)" \
	grep -qE 'par: 2 of the read.s queries ran on a second connection \(rows: [0-9]+ [0-9]+\)$' "$LOG"
check "the index (read there) and its comment show" grep -rq 'child index note' "$T_TMP/two/par/schemas/par/tables/child"
check "a foreign table's column options show" grep -rq "ALTER COLUMN id OPTIONS (column_name 'ident')" "$T_TMP/two/par/schemas/par"
check "the same tree as read on one connection" same_tree "$T_TMP/one" "$T_TMP/two"
# The export and its privilege check read nothing the tree shows: not
# counted as catalog queries.
queries() { sed -n 's/^snapshot: .*, \([0-9]*\) catalog queries$/\1/p' "$1/par/migrations/status"; }
check "the number of catalog queries is known ($(queries "$T_TMP/one"))" test -n "$(queries "$T_TMP/one")"
eq "as many catalog queries on two connections as on one" "$(queries "$T_TMP/one")" "$(queries "$T_TMP/two")"
umount_fs "$T_TMP/two"
umount_fs "$T_TMP/one"	# it would follow the DDL below

# The second connection reads in the loader's snapshot: an index created
# after that snapshot, before the second connection begins its own
# transaction (the hook holds it there, with its first query taken, so
# the loader waits), is not in what it returned. The log gives the rows of each of its queries; a refresh
# may follow the mount at once, so the tree is not what is looked at.
rows() { grep 'par: 2 of the read.s queries ran on a second connection' "$LOG" | sed -n "$1"'s/.*(rows: \(.*\))$/\1/p'; }
GO=$T_TMP/go
late() {
	poll 60 grep -q "aux: waiting for $GO" "$LOG" &&
		sql par -c "CREATE INDEX late_idx ON par.child (v)" && touch "$GO"
}
late >"$T_TMP/late.log" 2>&1 &
late_pid=$!
SCHEMAFS_TEST_AUX_WAIT=$GO mount_fs "$T_TMP/two" -o config="$T_TMP/two.json" ||
	{ kill "$late_pid" 2>/dev/null; not_ok "mount with the hook"; done_testing; }
check "the index was created while the second connection waited" wait "$late_pid"
eq "... and is in the database" "1" "$(val par "SELECT count(*) FROM pg_class WHERE relname = 'late_idx'")"
check "that read used the second connection" poll 30 n_second_is 2
check "the rows it read are the first read's ($(rows 1))" test -n "$(rows 1)" -a "$(rows 1)" == "$(rows 2)"
umount_fs "$T_TMP/two"
SCHEMAFS_TEST_AUX_WAIT=$READY mount_fs "$T_TMP/two" -o config="$T_TMP/two.json" ||
	{ not_ok "mount after the index"; done_testing; }
check "its map is in (log)" poll 30 n_second_is 3
check "a read after the index has other rows ($(rows 3))" test -n "$(rows 3)" -a "$(rows 1)" != "$(rows 3)"
check "... and the index" test -f "$T_TMP/two/par/schemas/par/tables/child/indexes/late_idx.sql"
umount_fs "$T_TMP/two"
sql par -c "DROP INDEX par.late_idx"

# A mount shows its tree before the dependency map, which only schema.sql
# needs, is in: the hook holds that query on the server (pg_sleep(60)
# first). The tables are there; schema.sql waits. The query is then
# cancelled there: the refresher reads the map on its own connection, in
# the first read's transaction, still open, and schema.sql is the one read
# on one connection. Then the same, but the mount's own connection is cut
# too: schema.sql fails (EIO) until the refresh that reads everything.
MAP=$T_TMP/map
touch "$MAP"
sleeping() { [ "$(val par "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()")" == 1 ]; }
from=$(($(wc -l <"$LOG") + 1))
SCHEMAFS_TEST_AUX_WAIT=$READY SCHEMAFS_TEST_AUX_SLOW_MAP=$MAP mount_fs "$T_TMP/two" -o config="$T_TMP/two.json" ||
	{ not_ok "mount with the map held"; done_testing; }
check "the map's query is held on the server" poll 30 sleeping
check "the tables show meanwhile" test -f "$T_TMP/two/par/schemas/par/tables/child/table.sql"
cat "$T_TMP/two/par/schema.sql" >"$T_TMP/schema.two" 2>"$T_TMP/cat.err" &
cat_pid=$!
sleep 1
check "schema.sql waits for the map" kill -0 "$cat_pid"
sql par -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()" >/dev/null
check "... and comes once the mount reads it itself" wait "$cat_pid"
check "... the same as read on one connection" cmp "$T_TMP/schema.one" "$T_TMP/schema.two"
check "the log says where the map came from" poll 30 sh -c "tail -n +$from '$LOG' | grep -q \
	'par: read the rest on one connection: a query on the second connection failed: .*cancel'"
umount_fs "$T_TMP/two"

conf twom "dbname=par" 1 0.5
from=$(($(wc -l <"$LOG") + 1))
SCHEMAFS_TEST_AUX_WAIT=$READY SCHEMAFS_TEST_AUX_SLOW_MAP=$MAP mount_fs "$T_TMP/twom" -o config="$T_TMP/twom.json" ||
	{ not_ok "mount with the map held, ttl 0.5"; done_testing; }
check "the map's query is held on the server" poll 30 sleeping
cat "$T_TMP/twom/par/schema.sql" >/dev/null 2>"$T_TMP/cat.err" &
cat_pid=$!
sleep 1
check "schema.sql waits for the map" kill -0 "$cat_pid"
rm -f "$MAP"	# the next read's map is not held
sql par -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'par' AND pid <> pg_backend_pid() AND backend_type = 'client backend'" >/dev/null
check_fails "schema.sql fails when the map could not be read at all" wait "$cat_pid"
check "... with EIO" grep -q 'Input/output error' "$T_TMP/cat.err"
check "the log says why" poll 30 sh -c "tail -n +$from '$LOG' | grep -q \
	'par: the first read.s dependency map: .*schema.sql cannot be read until the next refresh'"
schema_same() { cmp "$T_TMP/schema.one" "$T_TMP/twom/par/schema.sql"; }
check "the next refresh reads it: schema.sql is the one read on one connection" poll 60 schema_same
umount_fs "$T_TMP/twom"

# With a shadow database, whose first schema is schema.sql: the mount
# leaves it to the refresher, which hands it in once the map is there.
# While the map is held, the mount answers (database_start() waited for
# the map before serving when it handed the schema in itself).
printf '{ "state_dir": "%s", "databases": { "par": { "conninfo": "dbname=par", "ttl": 3600, "parallel_read": 1 } } }\n' \
	"$T_TMP/state_sh" >"$T_TMP/sh.json"
touch "$MAP"
SCHEMAFS_TEST_AUX_WAIT=$READY SCHEMAFS_TEST_AUX_SLOW_MAP=$MAP mount_fs "$T_TMP/sh" -o config="$T_TMP/sh.json" ||
	{ not_ok "mount with a shadow database"; done_testing; }
rm -f "$MAP"
check "the map's query is held on the server" poll 30 sleeping
check "the mount answers meanwhile" timeout 5 cat "$T_TMP/sh/par/migrations/status"
sql par -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()" >/dev/null
shadow_loaded() { grep -qE '^shadow: .*, loaded in [0-9]+ ms$' "$T_TMP/sh/par/migrations/status"; }
check "the shadow database loads the first read's schema" poll 120 shadow_loaded
umount_fs "$T_TMP/sh"

# In the background (no -f) the daemon forks after its first read, which
# no thread survives: that read waits for its map, as before.
mkdir -p "$T_TMP/bg"
"$SCHEMAFS" -o config="$T_TMP/two.json" -o log="$T_TMP/bg.log" "$T_TMP/bg" >>"$T_TMP/daemon.log" 2>&1
T_OTHER_MOUNTS+=("$T_TMP/bg")
check "a mount in the background comes up" poll 30 is_mounted "$T_TMP/bg"
check "... and its schema.sql is the one read on one connection" \
	sh -c "timeout -s KILL 30 cat '$T_TMP/bg/par/schema.sql' | cmp '$T_TMP/schema.one' -"
fusermount3 -u "$T_TMP/bg"
bg_gone() { ! pgrep -f -- "log=$T_TMP/bg.log" >/dev/null; }
check "... and its daemon exits once unmounted" poll 30 bg_gone
bg_gone || pkill -9 -f -- "log=$T_TMP/bg.log"	# not left behind

# The settings by which constants print are the loader's session's on the
# second connection too. A new connection takes the database's defaults as
# they are now: after ALTER DATABASE ... SET, a full refresh of a mount in
# use (a view created) would print the second connection's share (the
# columns' defaults) by the new DateStyle, the rest by the old one.
conf twot "dbname=par" 1 0.5
conf onet "dbname=par" 0 0.5
n_twot=$(n_second)
SCHEMAFS_TEST_AUX_WAIT=$READY mount_fs "$T_TMP/twot" -o config="$T_TMP/twot.json" ||
	{ not_ok "mount on two connections, ttl 0.5"; done_testing; }
mount_fs "$T_TMP/onet" -o config="$T_TMP/onet.json" || { not_ok "mount on one connection, ttl 0.5"; done_testing; }
DATED=$T_TMP/twot/par/schemas/par/tables/dated
check "a date default prints by the session's DateStyle (ISO)" grep -rq "'2020-01-31'::date" "$DATED"
sql par -c "ALTER DATABASE par SET DateStyle = 'SQL, DMY'" -c "ALTER DATABASE par SET IntervalStyle = 'sql_standard'"
eq "a new session prints dates otherwise" "31/01/2020" "$(val par "SELECT DATE '2020-01-31'")"
n_second_above() { [ "$(n_second)" -gt "$1" ]; }
check "the mount's map is in (log)" poll 30 n_second_above "$n_twot"
before=$(n_second)
sql par -c "CREATE VIEW par.later AS SELECT 1 AS x"
has_view() { [ -n "$(find "$1/par/schemas/par" -name 'later*' 2>/dev/null)" ]; }
check "a full refresh shows the new view (two connections)" poll 30 has_view "$T_TMP/twot"
check "... and on one" poll 30 has_view "$T_TMP/onet"
# (The ALTERs may have made a full refresh of their own: more than one.)
check "a refresh since read on the second connection ($before before)" test "$(n_second)" -gt "$before"
check "the date default still prints as the mount's session prints it" grep -rq "'2020-01-31'::date" "$DATED"
check "so does the interval's" grep -rq "'1 day 02:00:00'::interval" "$DATED"
check "the same tree as read on one connection" same_tree "$T_TMP/onet" "$T_TMP/twot"

# A refresh that expects a change (one found less than 10 s ago, or by one
# of the last two fingerprints) takes its fingerprint on two connections: pg_attribute's,
# pg_attrdef's and pg_constraint's part on the second
# (catalog_fingerprint()), put back
# together into the text one connection gives. After two looks that found
# only DML, and DB_CHANGE_LIKELY_SECONDS (10 s) after the last change, a
# refresh takes it on one. The fingerprints compared must be
# the same text whichever way each was taken: DML after a change read on
# one connection (its fingerprint kept) reads nothing again. The mount's
# SCHEMAFS_TEST_AUX_WAIT makes the refresh wait for the second
# connection's query rather than run it itself when it is faster (a small
# database's fingerprint is). Looks come every 0.5 s (ttl) on a mount in
# use: 2 s apart, each commit is looked at.
n_incr() { grep -c 'par: refresh read [0-9]* relations again (incremental)' "$LOG" || true; }
n_incr_above() { [ "$(n_incr)" -gt "$1" ]; }
new_incr() { grep 'par: refresh read [0-9]* relations again (incremental)' "$LOG" | tail -n +$(($1 + 1)); }
n_reads() { grep -c 'par: refresh read ' "$LOG" || true; }
col_shows() { test -e "$T_TMP/$1/par/schemas/par/tables/child/columns/$2"; }
sleep 2
n=$(n_incr)
sql par -c "ALTER TABLE par.child ADD COLUMN split_a integer"
check "an external ALTER shows on two connections" poll 30 col_shows twot split_a
check "... and on one" poll 30 col_shows onet split_a
check "their refreshes were incremental (log)" poll 10 n_incr_above $((n + 1))
check "... one of them with its fingerprint on two connections (log)" \
	test "$(new_incr "$n" | grep -c 'fingerprint on two connections')" -ge 1
check "the same tree as read on one connection, after it" same_tree "$T_TMP/onet" "$T_TMP/twot"
sql par -c "INSERT INTO par.parent VALUES (901, 'dml one')"
sleep 2
sql par -c "INSERT INTO par.parent VALUES (902, 'dml two')"
sleep 8	# 12 s since the change
n=$(n_incr)
sql par -c "ALTER TABLE par.child ADD COLUMN split_b integer"
check "after two DML commits, 12 s after the change, an ALTER shows on two connections" poll 30 col_shows twot split_b
check "... and on one" poll 30 col_shows onet split_b
check "their refreshes were incremental (log)" poll 10 n_incr_above $((n + 1))
eq "... both with the fingerprint on one connection (none on two in the log)" "" \
	"$(new_incr "$n" | grep 'fingerprint on two connections')"
sleep 1	# any log line of those refreshes is out
reads_before=$(n_reads)
sql par -c "INSERT INTO par.parent VALUES (903, 'dml three')"
sleep 2
eq "DML then: the fingerprint on two connections equals the one kept, taken on one (nothing read again)" \
	"$reads_before" "$(n_reads)"
check "the same tree as read on one connection, after both" same_tree "$T_TMP/onet" "$T_TMP/twot"
umount_fs "$T_TMP/twot"
umount_fs "$T_TMP/onet"
sql par -c "ALTER DATABASE par RESET DateStyle" -c "ALTER DATABASE par RESET IntervalStyle" -c "DROP VIEW par.later"

# An apply while a full refresh waits for a query of its second
# connection: the refresh gives up at once (the apply made it stale), its
# query there is cancelled, and the next refresh shows the apply when cp
# returns. The test hook holds that query on the server (pg_sleep(60),
# log "aux: sleeping"); before, the loader waited for it, and cp returned
# after 30 s with the table not shown. The migration creates a table: it
# takes no lock the refresh's readers hold. With the hook that gives the
# second connection all three queries before it starts (READY is there):
# else the loader may take them all back before that connection opens,
# and nothing would be held.
SLOW=$T_TMP/slow
SCHEMAFS_TEST_AUX_WAIT=$READY SCHEMAFS_TEST_AUX_SLOW=$SLOW mount_fs "$T_TMP/twot" -o config="$T_TMP/twot.json" ||
	{ not_ok "mount on two connections with the slow hook"; done_testing; }
from=$(($(wc -l <"$LOG") + 1))
touch "$SLOW"
sql par -c "CREATE VIEW par.slowed AS SELECT 1 AS x"
check "a full refresh's second connection is held in its first query" \
	poll 30 sh -c "tail -n +$from '$LOG' | grep -q 'aux: sleeping ($SLOW)'"
rm -f "$SLOW"
printf 'CREATE TABLE par.applied_during (id integer);\n' >"$T_TMP/0001_during.sql"
check "cp into apply/ while it is held: succeeds" cp "$T_TMP/0001_during.sql" "$T_TMP/twot/par/migrations/apply/"
check "... and the new table shows when cp returns" test -d "$T_TMP/twot/par/schemas/par/tables/applied_during"
check "the refresh gave up (log)" sh -c "tail -n +$from '$LOG' | grep -q 'par: a refresh gave up after'"
check "... and cancelled the held query (log)" sh -c "tail -n +$from '$LOG' | grep -q \
	'par: 0 of the read.s queries ran on a second connection (rows: ); the read stopped, and the query running there was cancelled'"
eq "no sleep runs on the server any more" "0" \
	"$(val par "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_catalog.pg_sleep(60)' AND state = 'active'")"
umount_fs "$T_TMP/twot"
# (The apply made the tracking table, which the roles below may not read.)
sql par -c "DROP VIEW IF EXISTS par.slowed" -c "DROP TABLE IF EXISTS par.applied_during" \
	-c "DROP SCHEMA IF EXISTS drizzle CASCADE"
mount_fs "$T_TMP/one" -o config="$T_TMP/one.json" || { not_ok "mount on one connection"; done_testing; }

# A role allowed one connection: the second one is refused, the read goes
# on alone. With the hook, so that the loader waits for the second
# connection's outcome: without it, a loader done before the server refused
# that connection stops it, and nothing is said (a race that a loaded
# machine can lose).
conf lone "dbname=par user=lone" 1
SCHEMAFS_TEST_AUX_WAIT=$READY mount_fs "$T_TMP/lone" -o config="$T_TMP/lone.json" ||
	{ not_ok "mount as a role with one connection"; done_testing; }
check "the log says the read went on alone, and why" poll 30 \
	grep -q 'par: read the rest on one connection: cannot open a second connection.*too many connections' "$LOG"
check "the same tree as read on one connection" same_tree "$T_TMP/one" "$T_TMP/lone"
umount_fs "$T_TMP/lone"

# A role that may not export a snapshot: not asked to (the export would
# abort the read's transaction).
sql par -c "REVOKE EXECUTE ON FUNCTION pg_catalog.pg_export_snapshot() FROM PUBLIC"
conf noexp "dbname=par user=noexp" 1
mount_fs "$T_TMP/noexp" -o config="$T_TMP/noexp.json" || { not_ok "mount as a role that may not export"; done_testing; }
check "the log says the read went on alone, and why" \
	grep -q 'par: reading on one connection: this role may not call pg_export_snapshot()' "$LOG"
check "the same tree as read on one connection" same_tree "$T_TMP/one" "$T_TMP/noexp"
umount_fs "$T_TMP/noexp"
umount_fs "$T_TMP/one"

# A refresh that expects a change asks for a second connection for its
# fingerprint. When that fails, it says why once, and the fingerprints
# stay on one connection for DB_SECOND_RETRY_SECONDS (60 s) rather than
# try again, and log it, at every look: here three ALTERs 1 s apart on a
# mount in use (ttl 0.5), as a role that may not export a snapshot, then
# as a role allowed one connection (with the hook, so that the refresh
# waits for the second connection's outcome).
fp_alone() { grep -c "par: the fingerprint on one connection: $1" "$LOG" || true; }
alters_show() {	# MOUNT PREFIX
	local i
	for i in 1 2 3; do
		sql par -c "ALTER TABLE par.child ADD COLUMN $2_$i integer" >/dev/null || return 1
		poll 30 col_shows "$1" "$2_$i" || return 1
		sleep 1
	done
}
conf noexpt "dbname=par user=noexp" 1 0.5
n0=$(fp_alone 'this role may not call pg_export_snapshot')
mount_fs "$T_TMP/noexpt" -o config="$T_TMP/noexpt.json" ||
	{ not_ok "mount as a role that may not export, ttl 0.5"; done_testing; }
check "three ALTERs show as a role that may not export" alters_show noexpt ne
eq "... and the log said once why the fingerprint stays on one connection" "$((n0 + 1))" \
	"$(fp_alone 'this role may not call pg_export_snapshot')"
umount_fs "$T_TMP/noexpt"
sql par -c "GRANT EXECUTE ON FUNCTION pg_catalog.pg_export_snapshot() TO PUBLIC"
conf lonet "dbname=par user=lone" 1 0.5
n0=$(fp_alone 'cannot open a second connection.*too many connections')
SCHEMAFS_TEST_AUX_WAIT=$READY mount_fs "$T_TMP/lonet" -o config="$T_TMP/lonet.json" ||
	{ not_ok "mount as a role with one connection, ttl 0.5"; done_testing; }
check "three ALTERs show as a role allowed one connection" alters_show lonet lo
eq "... and the log said once why the fingerprint stays on one connection" "$((n0 + 1))" \
	"$(fp_alone 'cannot open a second connection.*too many connections')"
umount_fs "$T_TMP/lonet"

# A hot standby exports and imports snapshots too.
pg_start_standby || { not_ok "hot standby starts"; done_testing; }
sb_has() { [ "$(PGHOST=$T_SB_HOST PGPORT=$T_SB_PORT val par "SELECT count(*) FROM pg_class WHERE relname = 'child_v_idx'")" == 1 ]; }
check "the standby has the schema" poll 30 sb_has
conf sb "host=$T_SB_HOST port=$T_SB_PORT dbname=par" 1
before=$(n_any)
n_any_is() { [ "$(n_any)" == "$1" ]; }
mount_fs "$T_TMP/sb" -o config="$T_TMP/sb.json" || { not_ok "mount of the standby"; done_testing; }
check "the standby's read opened a second connection (no hook: 0 to 3 queries there)" poll 30 n_any_is $((before + 1))
mount_fs "$T_TMP/one" -o config="$T_TMP/one.json" || { not_ok "mount on one connection"; done_testing; }
check "the standby's tree is the primary's, read on one connection" same_tree "$T_TMP/one" "$T_TMP/sb"
umount_fs "$T_TMP/sb"
umount_fs "$T_TMP/one"
pg_stop_standby
done_testing

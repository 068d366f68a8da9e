#!/usr/bin/env bash
# 36_wire_faults: faults on the wire, made by a proxy (tests/faultproxy.js)
# between schemafs and the server at points the test chooses by a byte
# pattern: connection resets before BEGIN, mid-statement, before COMMIT and
# while COMMIT is in flight (committed or not, and when the outcome cannot
# be found out), during a probe and during a refresh; refused connections;
# stalls during an apply statement and during a refresh. After each: no
# half-applied migration, no staged edit lost, status says what happened,
# and the mount recovers by itself.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app -c "CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL)" >/dev/null

node "$T_ROOT/tests/faultproxy.js" "$PGHOST/.s.PGSQL.$PGPORT" "$T_TMP/px.ports" &
PX_PID=$!
trap 'kill "$PX_PID" 2>/dev/null; t_cleanup' EXIT
poll 30 test -s "$T_TMP/px.ports" || { not_ok "the proxy listens"; done_testing; }
read -r PX_PORT PX_CTL <"$T_TMP/px.ports"

# px COMMAND...: one control command; fails unless the proxy says ok.
px() {
	local r
	exec 7<>"/dev/tcp/127.0.0.1/$PX_CTL" || return 1
	printf '%s\n' "$*" >&7
	IFS= read -r r <&7
	exec 7>&-
	echo "$r"
	[ "$r" == ok ] || [ "$1" == state ]
}
# fired N: the proxy's triggers fired N times in all.
fired() { px state | grep -q "^fired $1 "; }
nfired=0
# arm TRIGGER...: a one-shot trigger; the next `did_fire` checks it fired.
arm() { px "$@" >/dev/null || not_ok "proxy took: $*"; nfired=$((nfired + 1)); }
did_fire() { check "$1: the proxy's trigger fired" poll 30 fired "$nfired"; }

DIR=$T_TMP/drizzle
mkdir "$DIR"
# The faults are on the mount's own connections; its shadow would go through
# the same proxy and answer for an apply first (63_shadow tests the shadow).
cat >"$T_TMP/cfg.json" <<EOF
{ "databases": { "app": { "conninfo": "host=127.0.0.1 port=$PX_PORT dbname=app", "migrations_dir": "$DIR",
                          "lock_wait": 1000, "statement_timeout": 3000, "connect_timeout": 2,
                          "shadow": false } },
  "ttl": 0.5 }
EOF
MNT=$T_TMP/mnt
mount_fs "$MNT" -o config="$T_TMP/cfg.json" || { not_ok "mount"; done_testing; }
D=$MNT/app
M=$D/migrations
T=$D/schemas/public/tables

catalog() { val app "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class
	WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"; }
rows() {
	[ "$(val app "SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL")" == t ] || { echo 0; return; }
	val app "SELECT count(*) FROM drizzle.__drizzle_migrations"
}
entries() { cat "$DIR/meta/_journal.json" 2>/dev/null | grep -c '"tag"'; }
last_apply() { grep '^last apply: ' "$M/status"; }
# recovers DESC TABLE: DDL from psql (not through the proxy) shows up.
recovers() {
	sql app -c "CREATE TABLE $2 (id int)" >/dev/null
	check "$1: the mount recovers by itself ($2 appears)" poll 30 test -d "$T/$2"
}
# fails_whole DESC FILE TEXT ERRNO: mv pending/FILE apply/ fails with
# ERRNO and nothing of it stays: catalog, tracking rows, journal entries,
# and the file is still in pending/ with its text.
before_fault() { B_CAT=$(catalog); B_ROWS=$(rows); B_ENT=$(entries); }
nothing_applied() {
	eq "$1: the schema is as before" "$B_CAT" "$(catalog)"
	eq "$1: no tracking row" "$B_ROWS" "$(rows)"
	eq "$1: no journal entry" "$B_ENT" "$(entries)"
}
stage() { printf '%s\n' "$2" >"$M/pending/$1"; }
kept() { eq "$1: the file is kept in pending/" "$3" "$(cat "$M/pending/$2" 2>&1)"; }

check "mounted through the proxy" grep -q '^server: reachable' "$M/status"

# --- reset before BEGIN (after the file's hash, the last query before it) ---
F=0101_wire_1.sql; S='CREATE TABLE wire_1 (id int);'
stage "$F" "$S"
before_fault
arm reset-on BEGIN after pg_catalog.sha256
eq "reset before BEGIN: mv fails with EIO" "Input/output error" "$(errno_of mv "$M/pending/$F" "$M/apply/")"
did_fire "reset before BEGIN"
nothing_applied "reset before BEGIN"
kept "reset before BEGIN" "$F" "$S"
check "reset before BEGIN: status says the connection was lost" \
	grep -q "^last apply: .*\(server closed the connection\|connection\).*(Input/output error" "$M/status"
recovers "reset before BEGIN" r1

# --- reset mid-statement: half of the second statement's message sent ---
F=0102_wire_2.sql; S=$'CREATE TABLE wire_2a (id int);\nCREATE TABLE wire_2b (id int);'
stage "$F" "$S"
before_fault
arm reset-mid wire_2b after BEGIN
eq "reset mid-statement: mv fails with EIO" "Input/output error" "$(errno_of mv "$M/pending/$F" "$M/apply/")"
did_fire "reset mid-statement"
nothing_applied "reset mid-statement"
kept "reset mid-statement" "$F" "$S"
check "reset mid-statement: status names the statement" grep -q '^last apply: .*statement 2 of 2' "$M/status"
recovers "reset mid-statement" r2

# --- reset between the last statement and COMMIT ---
F=0103_wire_3.sql; S='CREATE TABLE wire_3 (id int);'
stage "$F" "$S"
before_fault
arm reset-on COMMIT after wire_3
eq "reset before COMMIT: mv fails with EIO" "Input/output error" "$(errno_of mv "$M/pending/$F" "$M/apply/")"
did_fire "reset before COMMIT"
nothing_applied "reset before COMMIT"
kept "reset before COMMIT" "$F" "$S"
check "reset before COMMIT: status says the row was not there" \
	grep -q '^last apply: .*lost during the COMMIT.*tracking row was not there: the server did not commit' "$M/status"
recovers "reset before COMMIT" r3

# --- COMMIT in flight: the server commits, the reply is lost ---
F=0104_wire_4.sql; S='CREATE TABLE wire_4 (id int);'
stage "$F" "$S"
before_fault
arm reset-after COMMIT after wire_4
check "COMMIT in flight, committed: mv succeeds" mv "$M/pending/$F" "$M/apply/"
did_fire "COMMIT in flight, committed"
eq "COMMIT in flight, committed: the table is there" "$B_CAT,wire_4" "$(catalog)"
eq "COMMIT in flight, committed: exactly one new tracking row" "$((B_ROWS + 1))" "$(rows)"
eq "COMMIT in flight, committed: exactly one new journal entry" "$((B_ENT + 1))" "$(entries)"
eq "COMMIT in flight, committed: its hash is the file's" "1" \
	"$(val app "SELECT count(*) FROM drizzle.__drizzle_migrations WHERE hash = '$(printf '%s\n' "$S" | sha256sum | cut -d' ' -f1)'")"
check "COMMIT in flight, committed: status says the row was found" \
	grep -q "^last apply: .*lost during the COMMIT.*tracking row #[0-9]* was found: $F is applied" "$M/status"
check "COMMIT in flight, committed: not in pending/" test ! -e "$M/pending/$F"
recovers "COMMIT in flight, committed" r4

# --- COMMIT in flight, not committed: half the COMMIT message sent ---
F=0105_wire_5.sql; S='CREATE TABLE wire_5 (id int);'
stage "$F" "$S"
before_fault
arm reset-mid COMMIT after wire_5
eq "COMMIT in flight, not committed: mv fails with EIO" "Input/output error" \
	"$(errno_of mv "$M/pending/$F" "$M/apply/")"
did_fire "COMMIT in flight, not committed"
nothing_applied "COMMIT in flight, not committed (the journal entry taken back)"
check "COMMIT in flight, not committed: no file left in migrations_dir" test ! -e "$DIR/0105_wire_5.sql"
kept "COMMIT in flight, not committed" "$F" "$S"
check "COMMIT in flight, not committed: status says so" \
	grep -q '^last apply: .*lost during the COMMIT.*tracking row was not there: the server did not commit' "$M/status"
recovers "COMMIT in flight, not committed" r5

# --- COMMIT in flight, and the server cannot be asked (connections refused) ---
F=0106_wire_6.sql; S='CREATE TABLE wire_6 (id int);'
stage "$F" "$S"
before_fault
arm reset-mid COMMIT after wire_6 then refuse
eq "COMMIT outcome unknown: mv fails with EIO" "Input/output error" "$(errno_of mv "$M/pending/$F" "$M/apply/")"
did_fire "COMMIT outcome unknown"
check "COMMIT outcome unknown: status says the outcome is unknown" \
	grep -q '^last apply: .*lost during the COMMIT.*the outcome is unknown' "$M/status"
check "COMMIT outcome unknown: ... and that the hash check never runs it twice" \
	grep -q '^last apply: .*its hash is checked first, it never runs twice' "$M/status"
kept "COMMIT outcome unknown" "$F" "$S"
eq "COMMIT outcome unknown: the schema is as before (half a COMMIT never commits)" "$B_CAT" "$(catalog)"
eq "COMMIT outcome unknown: no tracking row" "$B_ROWS" "$(rows)"
px pass >/dev/null
recovers "COMMIT outcome unknown" r6
check "COMMIT outcome unknown: applying the file again succeeds" mv "$M/pending/$F" "$M/apply/"
eq "... once: one tracking row" "$((B_ROWS + 1))" "$(rows)"
eq "... one journal entry (the one kept)" "$((B_ENT + 1))" "$(entries)"
check "... the table is there" test -d "$T/wire_6"

# --- reset during a probe (staging a column) ---
ls "$M/pending" >"$T_TMP/pending.before"
cat "$M/pending/"* >"$T_TMP/pending.text" 2>/dev/null
STAGE=$(ls "$T_TMP"/state/schemafs/app/stage-*.json)
cp "$STAGE" "$T_TMP/stage.before"
arm reset-on wire_col
eq "reset during a probe: the write fails with EIO" "Input/output error" \
	"$(errno_of bash -c "echo 'text' > '$T/item/columns/wire_col'")"
did_fire "reset during a probe"
check "reset during a probe: pending/ is as before" diff "$T_TMP/pending.before" <(ls "$M/pending")
check "reset during a probe: ... with the same text" diff "$T_TMP/pending.text" <(cat "$M/pending/"* 2>/dev/null)
check "reset during a probe: the stage file is as before" cmp "$T_TMP/stage.before" "$STAGE"
check "reset during a probe: status names the refused change" \
	grep -q '^last refused change: schemas/public/tables/item/columns/wire_col' "$M/status"
check "reset during a probe: the same write works after" bash -c "echo 'text' > '$T/item/columns/wire_col'"
check "... and is staged" test -f "$T/item/columns/wire_col"
gen=$(ls "$M/pending" | grep -v -x -F -f "$T_TMP/pending.before")
check "... in pending/ ($gen)" grep -q 'wire_col' "$M/pending/$gen"
recovers "reset during a probe" r7

# --- reset during a refresh (the catalog read's BEGIN) ---
# The refresher reconnects and reads again at once (35_outage): the log
# says it reconnected, the refresh does not fail.
n=$(grep -c 'app: reconnected' "$T_TMP/daemon.log")
arm reset-on REPEATABLE
sql app -c "CREATE TABLE wire_r (id int)" >/dev/null
did_fire "reset during a refresh"
check "reset during a refresh: the log says the refresher reconnected" \
	poll 30 sh -c "test \$(grep -c 'app: reconnected' '$T_TMP/daemon.log') -gt $n"
check "reset during a refresh: the mount recovers by itself" poll 30 test -d "$T/wire_r"

# --- connections refused for a while ---
F=0109_wire_9.sql; S='CREATE TABLE wire_9 (id int);'
stage "$F" "$S"
px refuse >/dev/null
px reset >/dev/null
sql app -c "CREATE TABLE r9 (id int)" >/dev/null
before_fault
check "refused: status says the server is unreachable" poll 30 grep -q '^server: unreachable' "$M/status"
check "refused: reads are served" timeout 20 cat "$T/item/columns/name"
eq "refused: mv fails with EIO" "Input/output error" "$(errno_of mv "$M/pending/$F" "$M/apply/")"
check "refused: status says the server cannot be reached" \
	grep -q '^last apply: the server cannot be reached' "$M/status"
nothing_applied "refused"
kept "refused" "$F" "$S"
px pass >/dev/null
check "refused: the mount recovers by itself (r9 appears)" poll 30 test -d "$T/r9"
check "refused: status says reachable again" poll 30 grep -q '^server: reachable' "$M/status"
check "refused: the file applies now" mv "$M/pending/$F" "$M/apply/"

# --- stall during an apply statement: mv returns within the bound ---
F=0110_wire_10.sql; S='CREATE TABLE wire_10 (id int);'
stage "$F" "$S"
before_fault
arm stall-on wire_10 after BEGIN
eq "stalled apply: mv returns, with ETIMEDOUT" "Connection timed out" "$(errno_of mv "$M/pending/$F" "$M/apply/")"
did_fire "stalled apply"
check "stalled apply: status says there was no reply within the bound" \
	grep -q '^last apply: .*no reply from the server within [0-9]* s' "$M/status"
px pass >/dev/null
nothing_applied "stalled apply"
kept "stalled apply" "$F" "$S"
recovers "stalled apply" r10

# --- stall during a refresh: reads go on ---
arm stall-on REPEATABLE
sql app -c "CREATE TABLE wire_s (id int)" >/dev/null
did_fire "stalled refresh"
check "stalled refresh: cat returns" timeout 60 cat "$T/item/columns/name"
check "stalled refresh: ls returns" timeout 60 ls "$T"
px pass >/dev/null
check "stalled refresh: the mount recovers by itself" poll 30 test -d "$T/wire_s"

umount_fs "$MNT"
kill "$PX_PID" 2>/dev/null
done_testing

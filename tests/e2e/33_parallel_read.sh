#!/usr/bin/env bash
# 33_parallel_read: a full read of a large database runs its two longest
# queries (the indexes, the dependency map) on a second connection, in
# the loader's exported snapshot (fs/catalog_aux.c). "parallel_read": 1
# makes every full read do so; the tree must be byte for byte the one read
# on one connection ("parallel_read": 0), on a primary and on a hot
# standby. When the second connection cannot be opened (a role's
# connection limit), the read goes on alone, says why in the log, and
# shows the same tree.
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
CREATE ROLE lone LOGIN CONNECTION LIMIT 1;
EOF

LOG=$T_TMP/daemon.log
# conf NAME CONNINFO PARALLEL: a config file with one database, "par".
conf() {
	printf '{ "state_dir": "%s", "databases": { "par": { "conninfo": "%s", "shadow": false, "parallel_read": %s } } }\n' \
		"$T_TMP/state_$1" "$2" "$3" >"$T_TMP/$1.json"
}
# same_tree A B: diff -r of two mounts' par/, but for migrations/status
# (it counts the queries: one more with a second connection).
same_tree() {
	diff -r -x status "$1/par" "$2/par" >"$T_TMP/diff.out" 2>&1 ||
		{ head -n 20 "$T_TMP/diff.out"; return 1; }
}
n_second() { grep -c 'ran on a second connection' "$LOG" || true; }

conf one "dbname=par" 0
conf two "dbname=par" 1
mount_fs "$T_TMP/one" -o config="$T_TMP/one.json" || { not_ok "mount on one connection"; done_testing; }
eq "no second connection with parallel_read 0" "0" "$(n_second)"
mount_fs "$T_TMP/two" -o config="$T_TMP/two.json" || { not_ok "mount on two connections"; done_testing; }
eq "the read used a second connection (parallel_read 1)" "1" "$(n_second)"
check "the index (read there) and its comment show" grep -rq 'child index note' "$T_TMP/two/par/schemas/par/tables/child"
check "the same tree as read on one connection" same_tree "$T_TMP/one" "$T_TMP/two"
umount_fs "$T_TMP/two"

# A role allowed one connection: the second one is refused, the read goes
# on alone.
conf lone "dbname=par user=lone" 1
mount_fs "$T_TMP/lone" -o config="$T_TMP/lone.json" || { not_ok "mount as a role with one connection"; done_testing; }
check "the log says the read went on alone, and why" \
	grep -q 'par: read the rest on one connection: cannot open a second connection.*too many connections' "$LOG"
check "the same tree as read on one connection" same_tree "$T_TMP/one" "$T_TMP/lone"
umount_fs "$T_TMP/lone"
umount_fs "$T_TMP/one"

# A hot standby exports and imports snapshots too.
pg_start_standby || { not_ok "hot standby starts"; done_testing; }
sb_has() { [ "$(PGHOST=$T_SB_HOST PGPORT=$T_SB_PORT val par "SELECT count(*) FROM pg_class WHERE relname = 'child_v_idx'")" == 1 ]; }
check "the standby has the schema" poll 30 sb_has
conf sb "host=$T_SB_HOST port=$T_SB_PORT dbname=par" 1
before=$(n_second)
mount_fs "$T_TMP/sb" -o config="$T_TMP/sb.json" || { not_ok "mount of the standby"; done_testing; }
eq "the standby's read used a second connection" "$((before + 1))" "$(n_second)"
mount_fs "$T_TMP/one" -o config="$T_TMP/one.json" || { not_ok "mount on one connection"; done_testing; }
check "the standby's tree is the primary's, read on one connection" same_tree "$T_TMP/one" "$T_TMP/sb"
umount_fs "$T_TMP/sb"
umount_fs "$T_TMP/one"
pg_stop_standby
done_testing

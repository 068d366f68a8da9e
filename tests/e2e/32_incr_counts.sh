#!/usr/bin/env bash
# 32_incr_counts: the change query of an incremental refresh finds
# deletions from the fingerprint's row counts (a catalog that grew by
# exactly its new rows lost none) and, when none, keeps each relation's
# count of deletable rows from the previous snapshot (the relations read
# again counted by index lookups). The next refresh compares with those
# counts: a deletion right after such a refresh must still show, on a
# relation it copied (a) and on one it read again (b), and the tree must
# equal a fresh mount's. Each step waits for its change to show, so each
# refresh sees one step.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE cnt" >/dev/null
sql cnt >/dev/null <<'EOF'
CREATE TABLE public.a (id integer PRIMARY KEY, c text);
CREATE INDEX a_c_idx ON public.a (c);
COMMENT ON INDEX public.a_c_idx IS 'a index note';
CREATE TABLE public.b (id integer PRIMARY KEY, v text);
CREATE TABLE public.c1 (id integer PRIMARY KEY);
CREATE TABLE public.c2 (id integer PRIMARY KEY);
CREATE TABLE public.c3 (id integer PRIMARY KEY);
CREATE TABLE public.c4 (id integer PRIMARY KEY);
CREATE TABLE public.c5 (id integer PRIMARY KEY);
CREATE TABLE public.c6 (id integer PRIMARY KEY);
EOF

MNT=$T_TMP/mnt
LOG=$T_TMP/daemon.log
mount_fs "$MNT" -o conninfo="dbname=cnt" -o ttl=1 || { not_ok "mount"; done_testing; }
T=$MNT/cnt/schemas/public/tables
check "a's index comment shows" poll 30 grep -rq 'a index note' "$T/a"
nref() { grep -c 'refresh read' "$LOG" || true; }
before=$(nref)

# Only inserts (a column, its comment: pg_description gains a row, and it
# is new): no catalog lost a row. b is read again and counted by index
# lookups, its new comment included: deleting that comment right after
# must show (with b's count taken before the comment, it would not).
sql cnt -c "BEGIN; ALTER TABLE public.b ADD COLUMN x integer; COMMENT ON COLUMN public.b.x IS 'b x note'; COMMIT"
check "b's new column and its comment show" poll 30 grep -q 'b x note' "$T/b/table.sql"
sql cnt -c "COMMENT ON COLUMN public.b.x IS NULL"
gone_bx() { ! grep -q 'b x note' "$T/b/table.sql"; }
check "b.x's comment, deleted after b was read again, is gone" poll 30 gone_bx

# Inserts again, then a deletion on a, which that refresh copied with its
# previous count.
sql cnt -c "ALTER TABLE public.c1 ADD COLUMN y integer"
check "c1's new column shows" poll 30 test -f "$T/c1/columns/y"
sql cnt -c "COMMENT ON INDEX public.a_c_idx IS NULL"
gone_a() { ! grep -rq 'a index note' "$T/a"; }
check "a's index comment, deleted after that refresh, is gone" poll 30 gone_a

# A dropped index on a table copied since the last refresh that counted.
sql cnt -c "ALTER TABLE public.c2 ADD COLUMN y integer"
check "c2's new column shows" poll 30 test -f "$T/c2/columns/y"
sql cnt -c "DROP INDEX public.a_c_idx"
gone_idx() { [ ! -e "$T/a/indexes/a_c_idx.sql" ]; }
check "a's dropped index is gone" poll 30 gone_idx

more_refreshes() { [ "$(nref)" -gt "$before" ]; }
check "refreshes happened" poll 30 more_refreshes
check "they were incremental" grep -q 'refresh read [0-9]* relations again (incremental)' "$LOG"

equals_fresh_mount "$MNT/cnt" cnt -o conninfo="dbname=cnt"
umount_fs "$MNT"
done_testing

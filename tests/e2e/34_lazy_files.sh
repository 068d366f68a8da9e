#!/usr/bin/env bash
# 34_lazy_files: the whole-schema files (schema.sql, schemas/<s>/schema.sql,
# schemas/<s>/erd.md) are rendered on first use, not at every refresh. What
# users see must not tell: a file first read after a refresh shows the new
# content with a newer mtime; one whose content a refresh did not change
# keeps its mtime although nothing read it in between, across refreshes and
# across a remount; stat's size is the content's; many first readers at once
# all read the same bytes.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app >/dev/null <<'EOF'
CREATE SCHEMA alpha;
CREATE SCHEMA beta;
CREATE TABLE alpha.accounts (id integer PRIMARY KEY, name text);
CREATE TABLE beta.orders (id integer PRIMARY KEY, account integer, total numeric(12,2));
EOF

MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo="dbname=app" -o ttl=1 || { not_ok "mount"; done_testing; }
D=$MNT/app
SA=$D/schemas/alpha
SB=$D/schemas/beta
OT=$SB/tables/orders/table.sql

# mtime in nanoseconds: a new mtime is another number even in the same second.
mt() { date -r "$1" +%s%N; }
size_matches() { [ "$(stat -c %s "$1")" == "$(wc -c <"$1")" ]; }
# refreshed OLD_SIZE: beta's orders/table.sql has a new size, as the kernel
# sees it: the refresh's invalidations (listed in tree order, alpha's files
# first) were delivered.
refreshed() { [ "$(stat -c %s "$OT")" != "$1" ]; }

# A listing with attributes does not need them rendered; stat then does.
check "ls -l of a schema directory lists schema.sql and erd.md" \
	bash -c 'ls -l "$1" | grep -q " erd.md$" && ls -l "$1" | grep -q " schema.sql$"' _ "$SA"
for f in "$D/schema.sql" "$SA/schema.sql" "$SA/erd.md" "$SB/schema.sql"; do
	check "${f#"$MNT"/}: stat's size is the bytes read" size_matches "$f"
done
check "alpha's schema.sql shows its table" grep -q 'CREATE TABLE alpha.accounts' "$SA/schema.sql"

mt_root=$(mt "$D/schema.sql")
mt_a_sql=$(mt "$SA/schema.sql")
mt_a_erd=$(mt "$SA/erd.md")
mt_b_sql=$(mt "$SB/schema.sql")
size_ot=$(stat -c %s "$OT")

# (1) DDL in beta; nothing reads the whole-schema files until the refresh
# is seen elsewhere.
sql app -c "ALTER TABLE beta.orders ADD COLUMN note text"
check "the refresh is seen (beta's table.sql)" poll 30 refreshed "$size_ot"
check "root schema.sql, first read after the refresh, has the new column" grep -q 'note text' "$D/schema.sql"
check "beta's schema.sql too" grep -q 'note text' "$SB/schema.sql"
check "root schema.sql: a newer mtime ($mt_root -> $(mt "$D/schema.sql"))" test "$(mt "$D/schema.sql")" -gt "$mt_root"
check "beta's schema.sql: a newer mtime" test "$(mt "$SB/schema.sql")" -gt "$mt_b_sql"
check "root schema.sql: stat's size is the new content's" size_matches "$D/schema.sql"
check "beta's schema.sql: stat's size is the new content's" size_matches "$SB/schema.sql"

# (2) Alpha's files were not read since; beta changes twice more (two
# refreshes nothing reads them in).
size_ot=$(stat -c %s "$OT")
sql app -c "ALTER TABLE beta.orders ADD COLUMN note2 text"
check "second refresh seen" poll 30 refreshed "$size_ot"
size_ot=$(stat -c %s "$OT")
sql app -c "ALTER TABLE beta.orders ADD COLUMN note3 text"
check "third refresh seen" poll 30 refreshed "$size_ot"
eq "alpha's schema.sql, unread over three refreshes, keeps its mtime" "$mt_a_sql" "$(mt "$SA/schema.sql")"
eq "alpha's erd.md too" "$mt_a_erd" "$(mt "$SA/erd.md")"
check "and its content is alpha's, whole" size_matches "$SA/schema.sql"
check "beta's erd.md shows the new columns" grep -q 'note3' "$SB/erd.md"

# (4) Many first readers at once, right after a refresh.
size_ot=$(stat -c %s "$OT")
sql app -c "ALTER TABLE beta.orders ADD COLUMN note4 text"
check "fourth refresh seen" poll 30 refreshed "$size_ot"
pids=()
for i in 1 2 3 4 5 6 7 8; do
	cat "$D/schema.sql" >"$T_TMP/cat.$i" &
	pids+=($!)
done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
eq "eight concurrent cats succeed" 0 "$bad"
for i in 2 3 4 5 6 7 8; do cmp -s "$T_TMP/cat.1" "$T_TMP/cat.$i" || bad=$((bad + 1)); done
eq "and read the same bytes" 0 "$bad"
check "the new content" grep -q 'note4 text' "$T_TMP/cat.1"
eq "as many as stat says" "$(stat -c %s "$D/schema.sql")" "$(wc -c <"$T_TMP/cat.1")"

# (3) A remount: alpha's schema.sql was last read before the refreshes
# above; its content did not change: the same mtime.
umount_fs "$MNT"
mount_fs "$MNT" -o conninfo="dbname=app" -o ttl=1 || { not_ok "remount"; done_testing; }
eq "after a remount, alpha's schema.sql keeps its mtime" "$mt_a_sql" "$(mt "$SA/schema.sql")"
eq "and alpha's erd.md" "$mt_a_erd" "$(mt "$SA/erd.md")"
check "root schema.sql still has the last column" grep -q 'note4 text' "$D/schema.sql"

umount_fs "$MNT"
done_testing

#!/usr/bin/env bash
# 32_cache: what the kernel keeps (issue 15, item 3). Readers' page cache is
# kept across opens, listings come with their attributes (readdirplus) and
# are kept across opens too, and readers get no flush; the refresher's
# invalidations must still bring every change: a file read (several times,
# so its pages are cached) and then changed by DDL from psql reads its new
# content, whole, once the refresh lands; a listing read before shows an added and a dropped column; sizes and
# modes given with a listing are the ones stat gives; a listing read in
# chunks while refreshes land comes from one tree (no name twice, none lost).
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app >/dev/null <<'EOF'
CREATE TABLE public.accounts (id integer PRIMARY KEY, name text, note varchar(10));
SELECT format('CREATE TABLE public.wide (%s)', string_agg(format('a_rather_long_column_name_%s numeric(12,2) NOT NULL DEFAULT 0', g), ', '))
  FROM generate_series(1, 200) g \gexec
EOF

MNT=$T_TMP/mnt
mount_fs "$MNT" -o conninfo="dbname=app" -o ttl=1 || { not_ok "mount"; done_testing; }
D=$MNT/app
A=$D/schemas/public/tables/accounts
W=$D/schemas/public/tables/wide

# has_content FILE TEXT: FILE reads as TEXT (plus the final newline).
has_content() { [ "$(cat "$1")" == "$2" ]; }
size_matches() { [ "$(stat -c %s "$1")" == "$(wc -c <"$1")" ]; }
lists() { ls -1U "$1" | grep -qx "$2"; }

# Cached: read twice, listed with attributes.
for _ in 1 2; do cat "$A/columns/note" "$A/table.sql" "$W/table.sql" >/dev/null; done
ls -l "$A/columns" "$W/columns" >/dev/null
eq "note before" "character varying(10)" "$(cat "$A/columns/note")"
wide_size=$(stat -c %s "$W/table.sql")
check "wide's table.sql spans several pages ($wide_size bytes)" test "$wide_size" -gt 8192

# Sizes and modes that came with the listing are stat's.
bad=0
for f in "$A"/columns/* "$A"/*.sql "$W"/columns/*; do size_matches "$f" || bad=$((bad + 1)); done
eq "every size listed equals the bytes read" 0 "$bad"
ls -l "$D/migrations" >/dev/null
eq "migrations/status stays private in a listing" 600 "$(stat -c %a "$D/migrations/status")"
eq "journal.json is not" 644 "$(stat -c %a "$D/migrations/journal.json")"

# A cached file changed from psql.
sql app -c "ALTER TABLE public.accounts ALTER COLUMN note TYPE varchar(200)"
check "new content of a cached column file after the refresh" \
	poll 30 has_content "$A/columns/note" "character varying(200)"
check "its size follows" size_matches "$A/columns/note"
check "table.sql (cached) shows it too" poll 30 grep -q 'note character varying(200)' "$A/table.sql"

# A cached multi-page file: read whole, new content, nothing of the old.
sql app -c "ALTER TABLE public.wide ADD COLUMN zz_last text NOT NULL DEFAULT 'end'"
check "wide's table.sql (cached, several pages) shows the new column" \
	poll 30 grep -q "zz_last text" "$W/table.sql"
check "and reads as many bytes as stat says" size_matches "$W/table.sql"
eq "the whole new file, once" 1 "$(grep -c 'CREATE TABLE public.wide' "$W/table.sql")"

# Cached listings: an added and a dropped column.
check "ls of a cached listing shows an added column" poll 30 lists "$W/columns" zz_last
sql app -c "ALTER TABLE public.accounts DROP COLUMN name"
check "a dropped column leaves the cached listing" poll 30 bash -c '! ls -1U "$1" | grep -qx name' _ "$A/columns"
eq "and its file is gone" "No such file or directory" "$(errno_of cat "$A/columns/name")"

# Listings read while refreshes land (wide has 201 column files; a listing
# takes several readdir calls): each from one tree, 201 or 202 names.
(
	for i in $(seq 1 12); do
		sql app -c "ALTER TABLE public.wide ADD COLUMN churn integer"
		sql app -c "ALTER TABLE public.wide DROP COLUMN churn"
	done
) &
CHURN=$!
bad=0 runs=0
while kill -0 "$CHURN" 2>/dev/null || [ "$runs" -lt 20 ]; do
	out=$(ls -1U "$W/columns") || { bad=$((bad + 1)); echo "# ls failed"; }
	n=$(printf '%s\n' "$out" | wc -l)
	d=$(printf '%s\n' "$out" | sort | uniq -d | wc -l)
	if [ "$d" != 0 ] || { [ "$n" != 201 ] && [ "$n" != 202 ]; }; then
		bad=$((bad + 1)); echo "# listing of $n names, $d twice"
	fi
	runs=$((runs + 1))
done
wait "$CHURN"
eq "every listing read during refreshes is whole ($runs listings)" 0 "$bad"
check "the last listing settles on 201 names" poll 30 bash -c '[ "$(ls -1U "$1" | wc -l)" == 201 ]' _ "$W/columns"

umount_fs "$MNT"

# Listings kept in the kernel's cache across opens (fs/fuse_io.c, with the
# libfuse 3.14 of Debian 12): a second listing of a directory sends no
# READDIR, and a change from psql still shows (its invalidation drops it).
# A listing is kept for half the names' timeout after it was sent (150 s;
# 15 s here, the test hook): then it is asked for again, which renews the
# names it brings (else each would be looked up alone). A new tree whose
# listing of a directory is the same keeps that directory's time.
MNT2=$T_TMP/mnt2
SCHEMAFS_TEST_LISTING_KEEP_S=15 mount_fs "$MNT2" -d -o conninfo="dbname=app" -o ttl=1 ||
	{ not_ok "mount with -d"; done_testing; }
C2=$MNT2/app/schemas/public/tables/accounts/columns
n_readdir() { grep -c 'opcode: READDIR' "$T_TMP/daemon.log" || true; }	# and READDIRPLUS
ls "$C2" >/dev/null
before=$(n_readdir)
check "the first listing was read from the daemon" test "$before" -gt 0
ls "$C2" >/dev/null
ls -l "$C2" >/dev/null
eq "two more listings of it send no READDIR (kept by the kernel)" "$before" "$(n_readdir)"
T2=$MNT2/app/schemas/public/tables
ls "$T2" >/dev/null
sql app -c "ALTER TABLE public.wide ADD COLUMN new_tree integer"
check "a new tree (a column of another table)" poll 10 test -e "$T2/wide/columns/new_tree"
n=$(n_readdir)
ls "$T2" >/dev/null
eq "tables/, the same listing in the new tree, is still kept" "$n" "$(n_readdir)"
sleep 16
ls "$C2" >/dev/null
check "past the time a listing is kept, it is asked for again" test "$(n_readdir)" -gt "$before"
before=$(n_readdir)
ls "$C2" >/dev/null
eq "... and kept again" "$before" "$(n_readdir)"
sql app -c "ALTER TABLE public.accounts ADD COLUMN kept integer"
check "the kept listing shows a column added from psql" poll 30 lists "$C2" kept
check "... read from the daemon again" test "$(n_readdir)" -gt "$before"
umount_fs "$MNT2"
done_testing

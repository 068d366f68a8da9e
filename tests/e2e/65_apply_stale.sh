#!/usr/bin/env bash
# 65_apply_stale: a cp into apply/ returns only once the tree shows what it
# applied (applied/ lists it, the new column's file is there), also when a
# refresher cycle was in flight as the migration committed: that cycle may
# have read before the COMMIT, so it cannot be the one the apply waits for.
# SCHEMAFS_TEST_HOLD_CYCLE holds the daemon's first cycle, in flight, until
# an apply makes it stale (the daemon logs "test: refresh cycle N held"),
# so the window is hit on every run, not by luck:
#   after   its read is done (a snapshot from before the COMMIT): it ends
#           as read, and the apply waits for the next cycle;
#   before  it has not read yet: it gives up at its first query instead of
#           being read and shown first, and the next cycle reads at once
#           (README "What an apply costs"); the log shows the give-up.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app -c "CREATE TABLE public.t (id integer)" >/dev/null

MNT=$T_TMP/mnt
LOG=$T_TMP/daemon.log
D=$MNT/app
M=$D/migrations
C=$D/schemas/public/tables/t/columns
N=0

# one_round WHEN EXPECTED_COLUMNS...: mounts with the hold at WHEN, commits
# a column from psql (ext_WHEN) and applies one (add_WHEN) while the
# cycle is held, and looks at the tree once cp returned (no poll).
one_round() {
	local when=$1 from
	from=$(($(wc -l <"$LOG") + 1))
	export SCHEMAFS_TEST_HOLD_CYCLE=$when
	mount_fs "$MNT" -o conninfo="dbname=app" -o ttl=1 || { not_ok "mount ($when)"; done_testing; }
	unset SCHEMAFS_TEST_HOLD_CYCLE
	local pid=${T_DAEMONS[-1]} tag
	tag=$(printf '%04d_add_%s' "$N" "$when")
	check "$when: a refresher cycle is in flight, held (log line)" \
		poll 30 sh -c "tail -n +$from '$LOG' | grep -q 'test: refresh cycle [0-9]* held $when its read'"
	sql app -c "ALTER TABLE public.t ADD COLUMN ext_$when integer" >/dev/null
	printf 'ALTER TABLE public.t ADD COLUMN add_%s integer;\n' "$when" >"$T_TMP/$tag.sql"
	check "$when: cp into apply/ while that cycle is in flight: succeeds" cp "$T_TMP/$tag.sql" "$M/apply/"
	# No poll from here on: all of it shows when cp returns.
	check "$when: ... applied/ lists it when cp returns" test -f "$M/applied/$tag.sql"
	eq "$when: ... the new column's file when cp returns" "integer" "$(cat "$C/add_$when")"
	check "$when: ... and the column committed before it" test -f "$C/ext_$when"
	eq "$when: ... apply/ is empty" "" "$(ls -A "$M/apply")"
	check "$when: ... status: the apply" grep -q "^last apply: $tag.sql applied as $tag " "$M/status"
	eq "$when: the column is in the database" "1" \
		"$(val app "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.t'::regclass AND attname = 'add_$when'")"
	check "$when: the daemon is alive" kill -0 "$pid"
	N=$((N + 1))
}

touch "$LOG"
one_round after
check_fails "after: nothing gave up (its read was done)" grep -q 'a refresh gave up after' "$LOG"
umount_fs "$MNT"

from=$(($(wc -l <"$LOG") + 1))
one_round before
check "before: the held cycle gave up at its first query (log line, after the hold)" \
	sh -c "tail -n +$from '$LOG' | awk '/test: refresh cycle [0-9]* held before/ && !h { h = NR }
	            /a refresh gave up after/ && !g { g = NR }
	            END { exit !(h && g > h) }'"
check_fails "no refresh failed (a give-up is not a failure)" grep -q 'refresh failed' "$LOG"
eq "two tracking rows" "2" "$(val app "SELECT count(*) FROM drizzle.__drizzle_migrations")"

# A third apply, no cycle held: the same guarantee.
printf 'ALTER TABLE public.t ADD COLUMN again integer;\n' >"$T_TMP/0002_again.sql"
check "a third cp into apply/: succeeds" cp "$T_TMP/0002_again.sql" "$M/apply/"
eq "... applied/ lists all three when cp returns" "$(printf '%s\n' 0000_add_after.sql 0001_add_before.sql 0002_again.sql)" \
	"$(ls "$M/applied")"
eq "... its column file when cp returns" "integer" "$(cat "$C/again")"
umount_fs "$MNT"
done_testing

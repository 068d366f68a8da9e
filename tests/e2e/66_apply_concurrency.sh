#!/usr/bin/env bash
# 66_apply_concurrency: three mounts of one database. Three different
# migrations applied at the same moment are all applied exactly once, one
# after another (the advisory lock); the same file applied by all three at
# once is applied once, and the other two are told it already was.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app -c "CREATE TABLE public.booking (id integer PRIMARY KEY)" >/dev/null
for i in 1 2 3; do
	mkdir -p "$T_TMP/state$i"
	# Each mount its own state (as on three machines).
	XDG_STATE_HOME=$T_TMP/state$i mount_fs "$T_TMP/m$i" -o conninfo="dbname=app" -o ttl=1 ||
		{ not_ok "mount $i"; done_testing; }
done
rows() { val app "SELECT count(*) FROM drizzle.__drizzle_migrations"; }

# Three different migrations, each slow enough to overlap.
for i in 1 2 3; do
	printf 'ALTER TABLE public.booking ADD COLUMN c%s integer;\nSELECT pg_sleep(0.5);\n' $i >"$T_TMP/m$i.sql"
done
start=$(date +%s%N)
# (wait for these three only: the daemons run in the background too)
jobs=()
for i in 1 2 3; do ( cp "$T_TMP/m$i.sql" "$T_TMP/m$i/app/migrations/apply/000${i}_c$i.sql"; echo $? >"$T_TMP/rc$i" ) & jobs+=($!); done
wait "${jobs[@]}"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
for i in 1 2 3; do eq "different files: mount $i succeeded" "0" "$(cat "$T_TMP/rc$i")"; done
eq "different files: three rows" "3" "$(rows)"
eq "different files: all three columns" "3" "$(val app "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.booking'::regclass AND attname LIKE 'c_'")"
check "different files: one after another (3 x 0.5 s took ${ms} ms)" test "$ms" -ge 1500
eq "different files: applied_at of each after the previous one's end" "t" "$(val app "
	SELECT bool_and(gap >= interval '0.45 s') FROM (
	  SELECT applied_at - lag(applied_at) OVER (ORDER BY applied_at) gap FROM drizzle.schemafs_migrations) s
	WHERE gap IS NOT NULL")"

# The same file, from all three at once.
printf 'ALTER TABLE public.booking ADD COLUMN same integer;\nSELECT pg_sleep(0.5);\n' >"$T_TMP/same.sql"
jobs=()
for i in 1 2 3; do ( cp "$T_TMP/same.sql" "$T_TMP/m$i/app/migrations/apply/0004_same.sql"; echo $? >"$T_TMP/rc$i" ) & jobs+=($!); done
wait "${jobs[@]}"
for i in 1 2 3; do eq "same file: mount $i succeeded" "0" "$(cat "$T_TMP/rc$i")"; done
eq "same file: applied once" "4" "$(rows)"
already=0
for i in 1 2 3; do grep -q '0004_same.sql was already applied' "$T_TMP/m$i/app/migrations/status" && already=$((already + 1)); done
eq "same file: the other two were told it is already applied" "2" "$already"
for i in 1 2 3; do
	check "mount $i: applied/ shows all four" poll 30 sh -c "test \$(ls '$T_TMP/m$i/app/migrations/applied' | wc -l) = 4"
done

done_testing

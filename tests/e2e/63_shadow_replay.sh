#!/usr/bin/env bash
# 63_shadow_replay: the shadow follows the live schema by replaying what
# this mount applies (the daemon logs "shadow: replayed <file>"), not by
# loading schema.sql again ("shadow: reloaded"); after a replay it holds the
# live schema (a file that depends on the replayed one passes its dry run
# and applies; the shadow's columns are the live ones); applies one after
# another all succeed; external DDL still reloads it.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" >/dev/null
sql app >/dev/null <<'EOF'
CREATE SCHEMA sales;
CREATE TABLE public.booking (id integer PRIMARY KEY, nights integer);
CREATE TABLE sales.invoice (id integer PRIMARY KEY, booking integer REFERENCES public.booking);
CREATE VIEW sales.open AS SELECT i.id, b.nights FROM sales.invoice i JOIN public.booking b ON b.id = i.booking;
INSERT INTO public.booking SELECT g, g % 3 FROM generate_series(1, 20) g;
EOF
cat >"$T_TMP/cfg.json" <<EOF
{ "databases": { "app": { "conninfo": "dbname=app" } }, "ttl": 1 }
EOF
MNT=$T_TMP/mnt
LOG=$T_TMP/daemon.log
mount_fs "$MNT" -o config="$T_TMP/cfg.json" || { not_ok "mount"; done_testing; }
M=$MNT/app/migrations
P=$M/pending
cols() { val "$1" "SELECT string_agg(table_schema || '.' || table_name || ':' || column_name || ':' || data_type, ','
	ORDER BY table_schema, table_name, column_name) FROM information_schema.columns
	WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'drizzle')"; }
reloads() { grep -c 'shadow: reloaded' "$LOG"; }
reloads_are() { [ "$(reloads)" = "$1" ]; }
replayed() { grep -qF "shadow: replayed $1 " "$LOG"; }
tracked() { val app "SELECT count(*) FROM drizzle.__drizzle_migrations"; }
# The shadow holds the live schema (not reloading, nothing running).
current() { grep -qE '^shadow: app_schemafs_shadow, loaded in [0-9]+ ms$' "$M/status"; }

check "the shadow is loaded" poll 60 current
check "it was loaded from scratch once" poll 30 reloads_are 1
check_fails "its own schema.sql is the live one (a replay can be checked against it)" \
	grep -q 'its own schema.sql is not the live one' "$LOG"

# --- an apply is replayed, not reloaded ---
printf 'ALTER TABLE public.booking ADD COLUMN note text;\n' >"$T_TMP/a.sql"
check "cp 0001_note.sql into apply/" cp "$T_TMP/a.sql" "$M/apply/0001_note.sql"
eq "it ran: one tracking row" "1" "$(tracked)"
check "the daemon replays it on the shadow" poll 30 replayed 0001_note.sql
check "the shadow holds the live schema again" poll 30 current
eq "no reload for it" "1" "$(reloads)"
eq "the shadow has the live columns" "$(cols app)" "$(cols app_schemafs_shadow)"
eq "... and still no rows" "0" "$(val app_schemafs_shadow "SELECT count(*) FROM public.booking")"

# --- a file that needs the replayed one: its dry run passes, it applies ---
printf 'CREATE INDEX booking_note ON public.booking (note);\nALTER TABLE sales.invoice ADD COLUMN note text;\n' \
	>"$T_TMP/b.sql"
check "cp 0002_index.sql (it uses the column 0001 added) into pending/" cp "$T_TMP/b.sql" "$P/0002_index.sql"
check "status: its dry run passes" poll 30 grep -qF 'dry run: passes' "$M/status"
check "mv it into apply/" mv "$P/0002_index.sql" "$M/apply/"
eq "it ran: two tracking rows" "2" "$(tracked)"
check "the daemon replays it" poll 30 replayed 0002_index.sql
check "the shadow holds the live schema again" poll 30 current
eq "the shadow has the index" "1" \
	"$(val app_schemafs_shadow "SELECT count(*) FROM pg_indexes WHERE indexname = 'booking_note'")"

# --- a file that fails on the replayed schema is still refused ---
printf 'ALTER TABLE public.booking ADD COLUMN note varchar;\n' >"$T_TMP/dup.sql"
eq "cp of a file adding the replayed column again: ECANCELED (its dry run fails)" "Operation canceled" \
	"$(errno_of cp "$T_TMP/dup.sql" "$M/apply/0003_dup.sql")"
check "status: refused by its dry run on the shadow" \
	grep -qF 'last apply: 0003_dup.sql refused: its dry run on the shadow fails at statement 1 of 1' "$M/status"
eq "nothing ran: still two tracking rows" "2" "$(tracked)"
check "rm it from pending/" rm "$P/0003_dup.sql"

# --- applies one after another: every one succeeds, none reloads ---
ok_all=1
for i in 4 5 6 7 8; do
	printf 'ALTER TABLE public.booking ADD COLUMN c%s integer;\n' "$i" >"$T_TMP/c$i.sql"
	cp "$T_TMP/c$i.sql" "$M/apply/000${i}_c$i.sql" || ok_all=0
done
eq "five applies in a row all succeed" "1" "$ok_all"
eq "... each with its tracking row" "7" "$(tracked)"
check "the daemon replays the last one" poll 30 replayed 0008_c8.sql
check "the shadow holds the live schema" poll 30 current
eq "no reload for any of them" "1" "$(reloads)"
eq "the shadow has the live columns" "$(cols app)" "$(cols app_schemafs_shadow)"

# --- the shadow's connections ended behind the daemon's back ---
# The connection that reads the shadow's catalog back is kept between
# replays (its catalog queries are prepared once): ended, it is opened
# again and the replay still holds, with no reload.
eq "the shadow's sessions ended" "t" \
	"$(val app "SELECT count(pg_catalog.pg_terminate_backend(pid)) > 0 FROM pg_catalog.pg_stat_activity
		WHERE datname = 'app_schemafs_shadow' AND pid <> pg_catalog.pg_backend_pid()")"
printf 'ALTER TABLE public.booking ADD COLUMN after_kill integer;\n' >"$T_TMP/k.sql"
check "cp 0008a_after_kill.sql into apply/" cp "$T_TMP/k.sql" "$M/apply/0008a_after_kill.sql"
check "the daemon replays it" poll 30 replayed 0008a_after_kill.sql
check "the shadow holds the live schema" poll 30 current
eq "no reload for it" "1" "$(reloads)"
eq "the shadow has the live columns" "$(cols app)" "$(cols app_schemafs_shadow)"
check_fails "no query met a prepared statement that was gone" grep -qi 'prepared statement' "$LOG"

# --- what a replayed file set for its session does not outlive it ---
# The shadow's session is kept after a replay and reset (as a new one
# would be): a file's session-level SET search_path must not reach the
# next file's dry run, where an unqualified CREATE TABLE would then land
# in another schema than on the live database.
printf 'SET search_path = sales;\nCREATE TABLE sales.s1 (id integer);\n' >"$T_TMP/sp.sql"
check "cp 0008b_search_path.sql (a session-level SET) into apply/" cp "$T_TMP/sp.sql" "$M/apply/0008b_search_path.sql"
check "the daemon replays it" poll 30 replayed 0008b_search_path.sql
check "the shadow holds the live schema" poll 30 current
printf 'CREATE TABLE y1 (id integer);\nALTER TABLE public.y1 ADD COLUMN z integer;\n' >"$T_TMP/y.sql"
check "cp 0008c_unqualified.sql into apply/: its dry run puts y1 in public, as the apply does" \
	cp "$T_TMP/y.sql" "$M/apply/0008c_unqualified.sql"
eq "it ran" "1" "$(val app "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public' AND tablename = 'y1'")"
check "the daemon replays it" poll 30 replayed 0008c_unqualified.sql
check "the shadow holds the live schema" poll 30 current
eq "no reload for either" "1" "$(reloads)"

# --- external DDL: the shadow is loaded again from scratch ---
sql app -c "ALTER TABLE sales.invoice ADD COLUMN ext integer" >/dev/null
check "external DDL reloads the shadow" poll 30 reloads_are 2
check "the shadow holds the live schema" poll 30 current
eq "the shadow has the external column" "$(cols app)" "$(cols app_schemafs_shadow)"

# --- and the next apply is replayed again ---
printf 'ALTER TABLE sales.invoice ADD COLUMN after_ext integer;\n' >"$T_TMP/d.sql"
check "cp 0009_after.sql into apply/" cp "$T_TMP/d.sql" "$M/apply/0009_after.sql"
check "the daemon replays it" poll 30 replayed 0009_after.sql
check "the shadow holds the live schema" poll 30 current
eq "no reload for it" "2" "$(reloads)"

umount_fs "$MNT"
done_testing

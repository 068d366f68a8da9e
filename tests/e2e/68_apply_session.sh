#!/usr/bin/env bash
# 68_apply_session: a migration runs under the search_path its text was
# written for, and leaves nothing behind in the session (issue 10, items 2
# and 3). Generated migrations run with search_path = public, the path
# their text was deparsed with, whatever the database's own; hand-written
# files run under the session's default, as psql and drizzle's migrator
# run them. What a file SETs (search_path, a role, session_replication_role)
# is reset after it, so later migrations and probes see the defaults.
. "$(dirname "$0")/../lib.sh"

pg_start
sql postgres -c "CREATE DATABASE app" -c "CREATE ROLE deployer" >/dev/null
sql app >/dev/null <<'SQL'
CREATE SCHEMA app;
CREATE TABLE public.room (id int PRIMARY KEY);
CREATE TABLE app.room (id int PRIMARY KEY);
CREATE TABLE public.booking (id int PRIMARY KEY, room_id int);
GRANT ALL ON SCHEMA public TO deployer;
ALTER DATABASE app SET search_path = app, public;
SQL

M=$T_TMP/mnt
mount_fs "$M" -o conninfo=dbname=app || { not_ok "mount"; done_testing; }
MG=$M/app/migrations
B=$M/app/schemas/public/tables/booking

# --- generated: under search_path = public ---
echo 'ALTER TABLE booking ADD CONSTRAINT booking_room_fk FOREIGN KEY (room_id) REFERENCES room(id)' \
	>"$B/constraints/booking_room_fk.sql"
check "the generated migration names room unqualified (deparsed under public)" \
	grep -qF 'REFERENCES room(id)' <(cat "$MG"/pending/*.sql)
check "mv into apply/" mv "$MG"/pending/*.sql "$MG/apply/"
eq "the foreign key references public.room, not app.room" "t" \
	"$(val app "SELECT confrelid = 'public.room'::regclass FROM pg_constraint WHERE conname = 'booking_room_fk'")"
eq "nothing is offered again" "" "$(ls "$MG/pending")"

# --- hand-written: the session's own path ---
printf 'CREATE TABLE handmade (id int);\n' >"$T_TMP/hand.sql"
check "a hand-written file applies" cp "$T_TMP/hand.sql" "$MG/apply/0002_handmade.sql"
eq "... under the database's search_path (app first)" "app" \
	"$(val app "SELECT relnamespace::regnamespace FROM pg_class WHERE relname = 'handmade'")"

# --- what a file SETs does not outlive it ---
assert_defaults() { # NAME: a migration that fails unless the session has its defaults
	printf '%s\n' "DO \$\$ BEGIN
  IF current_setting('search_path') <> 'app, public' THEN RAISE EXCEPTION 'search_path is %', current_setting('search_path'); END IF;
  IF current_setting('session_replication_role') <> 'origin' THEN RAISE EXCEPTION 'session_replication_role leaked'; END IF;
  IF current_user <> session_user THEN RAISE EXCEPTION 'role % leaked', current_user; END IF;
END \$\$;" >"$T_TMP/$1.sql"
	cp "$T_TMP/$1.sql" "$MG/apply/$1.sql"
}
printf "SET search_path = '';\nCREATE TABLE public.a1 (id int);\n" >"$T_TMP/leak1.sql"
check "a file that sets search_path = '' applies" cp "$T_TMP/leak1.sql" "$MG/apply/0003_leak1.sql"
check "the next one sees the default search_path" assert_defaults 0004_check1
printf "SET session_replication_role = replica;\nSET ROLE deployer;\nCREATE TABLE public.a2 (id int);\n" >"$T_TMP/leak2.sql"
check "a file that sets a role and session_replication_role applies" cp "$T_TMP/leak2.sql" "$MG/apply/0005_leak2.sql"
eq "... as that role (a2 is deployer's)" "deployer" "$(val app "SELECT tableowner FROM pg_tables WHERE tablename = 'a2'")"
check "the next one runs as the session's user, replication role origin" assert_defaults 0006_check2
printf 'CREATE TEMP TABLE leftover (id int);\n' >"$T_TMP/temp.sql"
check "a file that creates a temp table applies" cp "$T_TMP/temp.sql" "$MG/apply/0007_temp.sql"
printf '%s\n' "DO \$\$ BEGIN IF to_regclass('pg_temp.leftover') IS NOT NULL THEN RAISE EXCEPTION 'temp table leaked'; END IF; END \$\$;" \
	>"$T_TMP/notemp.sql"
check "the next one does not see it" cp "$T_TMP/notemp.sql" "$MG/apply/0008_notemp.sql"
echo 'text' >"$B/columns/note"
check "a probe after them works: the column is staged" grep -qF 'ADD COLUMN note text' <(cat "$MG"/pending/*.sql)
check "status shows no failure" bash -c "grep '^last apply:' '$MG/status' | grep -q '(ok, at'"
umount_fs "$M"
done_testing

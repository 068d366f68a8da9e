# tests/lib.sh: fixture for end-to-end tests, sourced by tests/e2e/*.sh.
#
# Each test file gets its own throwaway PostgreSQL cluster (initdb -A trust
# --nosync, fsync off, Unix socket in a private temp dir, no TCP) and its own
# mounts. Whatever happens, the EXIT trap unmounts every mount with
# fusermount3 -u, checks that each daemon then exited 0, and stops the server
# with pg_ctl -m fast stop.
#
# Results are TAP-like lines, "ok - ..." and "not ok - ...", counted by
# scripts/test. A test file exits non-zero when any check failed.

set -u
T_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCHEMAFS=${SCHEMAFS:-$T_ROOT/build/schemafs}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
T_TMP=$(mktemp -d /tmp/schemafs-test.XXXXXX)
# What tests share across runs (the initdb'd cluster, locks): a directory
# only root writes, not /tmp, where another user could put a cluster or a
# lock file of their own in its place first.
T_SHARED=${SCHEMAFS_TEST_SHARED:-/var/cache/schemafs/test}
mkdir -p "$T_SHARED" && chmod 755 "$T_SHARED"
chmod 755 "$T_TMP"
T_FAILED=0
# schemafs keeps its state (mtimes, later staged changes) here, not in ~.
export XDG_STATE_HOME=$T_TMP/state
T_MOUNTS=()
T_DAEMONS=()
T_PG_DATA=""
T_PG_MAJOR=""

ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; T_FAILED=$((T_FAILED + 1)); }

# check DESC CMD...: passes when CMD exits 0.
check() {
	local desc=$1; shift
	if "$@" >"$T_TMP/check.out" 2>&1; then ok "$desc"
	else not_ok "$desc"; sed 's/^/#   /' "$T_TMP/check.out" | head -n 20; fi
}

# check_fails DESC CMD...: passes when CMD exits non-zero.
check_fails() {
	local desc=$1; shift
	if "$@" >"$T_TMP/check.out" 2>&1; then not_ok "$desc (command succeeded)"
	else ok "$desc"; fi
}

# eq DESC EXPECTED ACTUAL
eq() {
	if [ "$2" == "$3" ]; then ok "$1"
	else
		not_ok "$1"
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -n 30 | sed 's/^/#   /'
	fi
}

# errno_of CMD...: prints the strerror text a failing command reported, as
# the last ": "-separated field of its stderr (coreutils' format).
errno_of() { "$@" 2>&1 >/dev/null | tail -n 1 | sed 's/.*: //'; }

# poll SECONDS CMD...: retries CMD every 0.2 s until it exits 0; returns 1
# (with CMD's last output on stdout) when it never did within SECONDS.
poll() {
	local secs=$1; shift
	local end=$(( $(date +%s%N) + secs * 1000000000 ))
	while :; do
		"$@" >"$T_TMP/poll.out" 2>&1 && return 0
		[ "$(date +%s%N)" -lt "$end" ] || break
		sleep 0.2
	done
	cat "$T_TMP/poll.out"
	return 1
}

# pg_initdb DIR: a fresh cluster in DIR (empty, owned by postgres, 0700).
# initdb runs once per server build and is copied from then on: a copy
# takes a tenth of initdb's 0.8 s, and a run starts 400 clusters. The
# copies share a system identifier, which no test compares across clusters
# (58_stage_identity runs initdb itself for its second server).
pg_initdb() {
	local opts=(-A trust --nosync -U postgres -E UTF8 --locale=C.UTF-8)
	local key cache=$T_SHARED/initdb
	key=$(printf '%s %s %s' "$PGBIN" "$(stat -c %Y "$PGBIN/initdb")" "${opts[*]}" | md5sum | cut -c1-12)
	cache+=-$key
	if [ ! -f "$cache/PG_VERSION" ]; then
		(
			flock 9
			[ -f "$cache/PG_VERSION" ] && exit 0
			local tmp; tmp=$(mktemp -d "$T_SHARED/initdb-tmp.XXXXXX") && chown postgres: "$tmp" || exit 1
			runuser -u postgres -- "$PGBIN/initdb" "${opts[@]}" \
				-D "$tmp/data" >"$T_TMP/initdb.log" 2>&1 || { cat "$T_TMP/initdb.log"; rm -rf "$tmp"; exit 1; }
			rm -rf "$cache" && mv "$tmp/data" "$cache" && rmdir "$tmp"
		) 9>"$T_SHARED/initdb.lock" || return 1
	fi
	cp -a "$cache/." "$1/"
}

# pg_start: a fresh cluster; exports PGHOST, PGPORT, PGUSER for psql and libpq.
pg_start() {
	T_PG_DATA=$T_TMP/pgdata
	# The server runs as postgres: it needs its own data, socket and log dirs.
	mkdir -p "$T_TMP/pgsock" "$T_PG_DATA" "$T_TMP/pglog"
	chown postgres: "$T_TMP/pgsock" "$T_PG_DATA" "$T_TMP/pglog"
	chmod 700 "$T_PG_DATA"
	pg_initdb "$T_PG_DATA" || exit 1
	export PGPORT=$(( 20000 + RANDOM % 20000 ))
	export PGHOST=$T_TMP/pgsock PGUSER=postgres PGDATABASE=postgres
	pg_ctl_as start || { cat "$T_TMP/pglog/pg.log"; exit 1; }
	# scripts/test runs each file on every major: make sure it is that one.
	T_PG_MAJOR=$(psql -X -qAt -d postgres -c "SELECT current_setting('server_version_num')::int / 10000")
	if [ -n "${SCHEMAFS_PG_MAJOR:-}" ] && [ "$T_PG_MAJOR" != "$SCHEMAFS_PG_MAJOR" ]; then
		not_ok "server is PostgreSQL $SCHEMAFS_PG_MAJOR (it is ${T_PG_MAJOR:-unknown}, from $PGBIN)"; exit 1
	fi
}

# pg_dump_usable: Debian's pg_dump (15) refuses servers of a newer major.
pg_dump_usable() { [ "$(pg_dump --version | grep -oE '[0-9]+' | head -n 1)" -ge "$T_PG_MAJOR" ]; }

# pg_ctl_as start|stop|restart: the test's server, same port and socket.
pg_ctl_as() {
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T_PG_DATA" -w -m fast -l "$T_TMP/pglog/pg.log" \
		-o "-F -p $PGPORT -k $PGHOST -c listen_addresses=''" "$1" >/dev/null
}

pg_stop() {
	[ -n "$T_PG_DATA" ] && [ -f "$T_PG_DATA/postmaster.pid" ] &&
		runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T_PG_DATA" -m fast -w stop >/dev/null 2>&1
	return 0
}

# pg_start_standby: a hot standby of the test's server (after pg_start),
# streaming from it, in its own data directory, socket directory and port:
# T_SB_HOST and T_SB_PORT (PGHOST and PGPORT stay the primary's). Returns
# once its WAL receiver streams. Stopped with pg_ctl -m fast stop at exit,
# before the primary. The copy is pg_basebackup where one of this major or
# a newer one is installed: Debian's 15 (it also copies 13 and 14, and
# refuses servers newer than itself); the embedded builds of 13..18 have
# none. Else a cold copy: the primary stopped cleanly, its data directory
# copied, started again. -R only from the same major (15's writes sslsni
# into primary_conninfo, which 13's libpq refuses); else standby.signal and
# primary_conninfo are written here. T_SB_HOW says which.
T_SB_DATA=""
pg_start_standby() {
	T_SB_DATA=$T_TMP/sbdata T_SB_HOST=$T_TMP/sbsock T_SB_PORT=$((PGPORT + 1))
	mkdir -p "$T_SB_DATA" "$T_SB_HOST"
	chown postgres: "$T_SB_DATA" "$T_SB_HOST"
	chmod 700 "$T_SB_DATA"
	local bb="" b v=""
	for b in "$PGBIN/pg_basebackup" $(ls /usr/lib/postgresql/*/bin/pg_basebackup 2>/dev/null | sort -V); do
		[ -x "$b" ] || continue
		v=$("$b" --version | grep -oE '[0-9]+' | head -n 1)
		[ "$v" -ge "$T_PG_MAJOR" ] && { bb=$b; break; }
	done
	if [ -n "$bb" ]; then
		local r=""
		[ "$v" == "$T_PG_MAJOR" ] && r=-R
		T_SB_HOW="pg_basebackup${r:+ $r} ($bb)"
		runuser -u postgres -- "$bb" -h "$PGHOST" -p "$PGPORT" -U postgres -D "$T_SB_DATA" $r \
			-c fast -X stream >"$T_TMP/pglog/basebackup.log" 2>&1 ||
			{ cat "$T_TMP/pglog/basebackup.log"; return 1; }
	else
		T_SB_HOW="cold copy (no pg_basebackup for PostgreSQL $T_PG_MAJOR)"
		pg_ctl_as stop && runuser -u postgres -- cp -a "$T_PG_DATA/." "$T_SB_DATA/" &&
			pg_ctl_as start || { cat "$T_TMP/pglog/pg.log"; return 1; }
	fi
	if [ ! -f "$T_SB_DATA/standby.signal" ]; then
		runuser -u postgres -- touch "$T_SB_DATA/standby.signal"
		printf "primary_conninfo = 'host=%s port=%s user=postgres'\n" "$PGHOST" "$PGPORT" |
			runuser -u postgres -- tee -a "$T_SB_DATA/postgresql.auto.conf" >/dev/null
	fi
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T_SB_DATA" -w -l "$T_TMP/pglog/standby.log" \
		-o "-F -p $T_SB_PORT -k $T_SB_HOST -c listen_addresses='' -c hot_standby=on" start >/dev/null ||
		{ cat "$T_TMP/pglog/standby.log"; return 1; }
	poll 30 t_sb_streaming || { tail -n 20 "$T_TMP/pglog/standby.log"; return 1; }
}
t_sb_streaming() {
	local s; s=$(PGHOST=$T_SB_HOST PGPORT=$T_SB_PORT val postgres "SELECT status FROM pg_stat_wal_receiver")
	[ "$s" == streaming ] || { echo "standby's WAL receiver: ${s:-none}"; return 1; }
}

pg_stop_standby() {
	[ -n "$T_SB_DATA" ] && [ -f "$T_SB_DATA/postmaster.pid" ] &&
		runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T_SB_DATA" -m fast -w stop >/dev/null 2>&1
	return 0
}

# sql DB STATEMENTS: runs psql quietly, stops at the first error.
sql() { local db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
# val DB QUERY: one value, unaligned.
val() { psql -X -qAt -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

# What the object-kind tests (48, 49, 51 to 53) check of a mount at $D and
# its $T_TMP/schema.sql:
# sizes_exact FILE...: each file's st_size is the length a read gives.
sizes_exact() {
	local f
	for f; do
		eq "st_size of ${f#"$D"/} is its length" "$(wc -c <"$f")" "$(stat -c %s "$f")"
	done
}
# sql_line TEXT: the number of schema.sql's first line holding TEXT (empty: none).
sql_line() { grep -nF -- "$1" "$T_TMP/schema.sql" | head -n 1 | cut -d: -f1; }
# summary DB REGEX: the lines of scripts/catalog-summary.sql's report on DB
# that match REGEX (what a copy made from schema.sql is compared by).
summary() { psql -X -qAt -v ON_ERROR_STOP=1 -d "$1" -f "$T_ROOT/scripts/catalog-summary.sql" | grep -E "$2"; }

is_mounted() { grep -q " $(realpath "$1") fuse" /proc/mounts; }

# mount_fs MOUNTPOINT ARGS...: starts schemafs in the foreground (in the
# background of this shell) and waits until the mount is live.
mount_fs() {
	local mnt=$1; shift
	mkdir -p "$mnt"
	"$SCHEMAFS" -f "$@" "$mnt" >>"$T_TMP/daemon.log" 2>&1 &
	local pid=$!
	T_MOUNTS+=("$mnt"); T_DAEMONS+=("$pid")
	for _ in $(seq 1 300); do
		is_mounted "$mnt" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "# mount of $mnt did not come up; daemon log:"; sed 's/^/#   /' "$T_TMP/daemon.log" | tail -n 20
	return 1
}

# t_daemon_report: why a daemon did not exit 0. A sanitizer report is
# printed whole (its stacks are the point), else the log's tail.
t_daemon_report() {
	local log=$T_TMP/daemon.log
	if grep -qE '^(==[0-9]+==ERROR: (LeakSanitizer|AddressSanitizer)|WARNING: ThreadSanitizer)' "$log"; then
		sed -n -E '/^(==[0-9]+==ERROR: (LeakSanitizer|AddressSanitizer)|WARNING: ThreadSanitizer)/,$p' "$log" | head -n 80
	else
		tail -n 20 "$log"
	fi | sed 's/^/#   /'
}

# equals_fresh_mount DIR DB MOUNT_ARGS...: DIR, database DB's directory
# in a mount in use, against a fresh mount of it made with MOUNT_ARGS,
# byte for byte (status left out).
equals_fresh_mount() {
	local dir=$1 db=$2; shift 2
	mount_fs "$T_TMP/fresh" "$@" || { not_ok "fresh mount"; return; }
	if diff -r -x status "$dir" "$T_TMP/fresh/$db" >"$T_TMP/diff.out" 2>&1; then
		ok "the mount in use equals a fresh mount (diff -r)"
	else
		not_ok "the mount in use equals a fresh mount (diff -r)"
		sed 's/^/#   /' "$T_TMP/diff.out" | head -n 20
	fi
	umount_fs "$T_TMP/fresh"
}

# umount_fs MOUNTPOINT: unmounts and checks the daemon exits 0.
umount_fs() {
	local mnt=$1 i
	for i in "${!T_MOUNTS[@]}"; do
		[ "${T_MOUNTS[$i]}" == "$mnt" ] || continue
		local pid=${T_DAEMONS[$i]}
		fusermount3 -u "$mnt" 2>/dev/null || fusermount3 -uz "$mnt" 2>/dev/null
		local rc=0
		for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; rc=137; fi
		wait "$pid" 2>/dev/null || rc=$?
		if [ "$rc" == 0 ]; then ok "daemon for $(basename "$mnt") exited 0 after unmount"
		else not_ok "daemon for $(basename "$mnt") exited $rc after unmount"
			t_daemon_report; fi
		unset 'T_MOUNTS[i]' 'T_DAEMONS[i]'
	done
}

# Mounts made without mount_fs (mount(8), fstab): unmounted at exit too.
T_OTHER_MOUNTS=()

t_cleanup() {
	local m
	for m in "${T_MOUNTS[@]}"; do umount_fs "$m"; done
	for m in "${T_OTHER_MOUNTS[@]}"; do is_mounted "$m" && { umount "$m" || fusermount3 -uz "$m"; }; done
	pg_stop_standby
	pg_stop
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
# A signal (timeout's TERM, an interrupt) ends the test through its EXIT
# trap: bash runs none when a signal without a trap kills it, and the
# server and mounts would stay behind.
trap 'exit 143' TERM HUP
trap 'exit 130' INT

# done_testing: the exit status of a test file.
done_testing() {
	t_cleanup
	trap - EXIT
	[ "$T_FAILED" == 0 ]
	exit $?
}

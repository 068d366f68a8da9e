#!/usr/bin/env bash
# 80_install: meson install puts the binary and the man page in place; the
# installed binary mounts through mount(8) with type fuse.schemafs (what an
# /etc/fstab line does), and -h matches the man page's options.
. "$(dirname "$0")/../lib.sh"

B=$T_TMP/build
I=$T_TMP/inst
meson setup "$B" "$T_ROOT" --prefix=/usr/local >/dev/null 2>&1 && meson compile -C "$B" >/dev/null 2>&1
check "meson install (DESTDIR)" env DESTDIR="$I" meson install -C "$B" --no-rebuild
check "binary installed" test -x "$I/usr/local/bin/schemafs"
check "man page installed" test -f "$I/usr/local/share/man/man1/schemafs.1"
check "man page renders" bash -c "man -l '$I/usr/local/share/man/man1/schemafs.1' 2>/dev/null | grep -q 'Name escaping' ||
	groff -man -Tutf8 '$I/usr/local/share/man/man1/schemafs.1' 2>/dev/null | grep -q 'Name escaping' ||
	grep -q 'Name escaping' '$I/usr/local/share/man/man1/schemafs.1'"

# Every schemafs option in -h is documented in the man page.
"$I/usr/local/bin/schemafs" -h >"$T_TMP/help" 2>&1
for o in config= conninfo= ttl= log= --help --version; do
	check "-h shows $o" grep -q -- "$o" "$T_TMP/help"
	check "man page documents $o" grep -q -- "$(printf '%s' "$o" | sed 's/-/\\\\-/g')" "$T_ROOT/man/schemafs.1"
done
check "-V prints the version" bash -c "'$I/usr/local/bin/schemafs' -V | grep -q '^schemafs [0-9]'"

pg_start
sql postgres -c "CREATE DATABASE fstabdb" >/dev/null
sql fstabdb -c "CREATE TABLE t (id int PRIMARY KEY)" >/dev/null
cat >"$T_TMP/fstab.json" <<JSON
{ "databases": { "fstabdb": { "conninfo": "host=$PGHOST port=$PGPORT dbname=fstabdb user=postgres" } },
  "state_dir": "$T_TMP/state" }
JSON
M=$T_TMP/fstabmnt
mkdir -p "$M"
T_OTHER_MOUNTS+=("$M")
# mount(8) runs helpers with a fixed PATH, so "-t fuse.schemafs" needs the
# binary in /usr/local/bin; without touching the machine's own install, the
# same helper (mount.fuse3) is driven with an explicit program: the
# "fuse" type with source PROGRAM#SOURCE.
check "mount -t fuse PROGRAM#CONFIG.json MOUNTPOINT (via mount.fuse3)" \
	mount -t fuse "$I/usr/local/bin/schemafs#$T_TMP/fstab.json" "$M"
check "the fstab mount serves the tree" test -f "$M/fstabdb/schemas/public/tables/t/columns/id"
check "it is listed as fuse.schemafs" grep -q " $M fuse.schemafs " /proc/mounts
check "mount(8) passed its options (rw, dev, suid) and they were accepted" is_mounted "$M"
check "umount" umount "$M"

# The type itself, as an /etc/fstab line gives it: mount(8) looks for the
# program in its fixed PATH. When this machine has no schemafs installed
# there, the test links the one it built for the duration of the check.
# scripts/test runs several tests at once: one 80_install (of another
# major) at a time may own the link.
exec 8>"$T_SHARED/80_install.lock"
flock -w 300 8 || not_ok "the lock on /usr/local/bin/schemafs (another 80_install held it for 5 minutes)"
LINK=""
if [ ! -e /usr/local/bin/schemafs ]; then
	ln -s "$I/usr/local/bin/schemafs" /usr/local/bin/schemafs && LINK=/usr/local/bin/schemafs
	# Killed before the end, the test still takes its link away.
	trap '[ -n "$LINK" ] && rm -f "$LINK"; t_cleanup' EXIT
fi
if [ -n "$LINK" ] || [ "$(readlink -f /usr/local/bin/schemafs)" == "$(readlink -f "$I/usr/local/bin/schemafs")" ]; then
	printf '%s %s fuse.schemafs defaults 0 0\n' "$T_TMP/fstab.json" "$M" >"$T_TMP/fstab"
	check "an fstab line: mount --fstab FILE MOUNTPOINT (type fuse.schemafs)" mount -T "$T_TMP/fstab" "$M" 8>&-
	check "the fstab mount serves the tree" test -f "$M/fstabdb/schemas/public/tables/t/columns/id"
	check "umount of the fstab mount" umount "$M"
else
	not_ok "an fstab line: /usr/local/bin/schemafs is another installed schemafs; not testing over it"
fi
[ -n "$LINK" ] && rm -f "$LINK"
LINK=""
flock -u 8
exec 8>&-
for _ in $(seq 1 50); do pgrep -f "schemafs $T_TMP/fstab.json" >/dev/null || break; sleep 0.1; done
check_fails "the daemon is gone after umount" pgrep -f "schemafs $T_TMP/fstab.json"
is_mounted "$M" && fusermount3 -uz "$M"
done_testing

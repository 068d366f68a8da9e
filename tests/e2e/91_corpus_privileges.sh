#!/usr/bin/env bash
# 91_corpus_privileges: 90_corpus with the "privileges" and "owners" keys on
# (ROUNDTRIP_PRIVILEGES=1): every loadable schema of ../shared/corpus
# round-trips through schema.sql with its owners, GRANT/REVOKE and default
# privileges. A missing corpus is a failure, not a skip.
. "$(dirname "$0")/../lib.sh"

CORPUS=${SCHEMAFS_CORPUS:-$T_ROOT/../shared/corpus}
if [ ! -f "$CORPUS/SOURCES.md" ]; then
	not_ok "corpus found at $CORPUS (set SCHEMAFS_CORPUS)"
	done_testing
fi
ROUNDTRIP_PRIVILEGES=1 "$T_ROOT/scripts/roundtrip-corpus" ${SCHEMAFS_PG_MAJOR:+-p "$SCHEMAFS_PG_MAJOR"} \
	-o "$T_TMP/corpus-privs" "$CORPUS" >"$T_TMP/corpus-privs.out" 2>&1
rc=$?
if [ -n "${SCHEMAFS_PG_MAJOR:-}" ]; then
	eq "the corpus ran on PostgreSQL $SCHEMAFS_PG_MAJOR" "PostgreSQL $SCHEMAFS_PG_MAJOR" "$(grep -m1 '^PostgreSQL ' "$T_TMP/corpus-privs.out")"
fi
while read -r status name rest; do
	case $status in
	ok) ok "round-trip with owners and privileges $name" ;;
	NEEDS) ok "not loadable on this major, as expected: $name $rest" ;;
	FAIL|LOADFAIL|SKIP|ERROR) not_ok "round-trip with owners and privileges $name: $status $rest"
		f=$T_TMP/corpus-privs/$(echo "$name" | tr / _)/diff
		[ -f "$f" ] && head -n 20 "$f" | sed 's/^/#   /' ;;
	esac
done <"$T_TMP/corpus-privs.out"
summary=$(grep -E '^[0-9]+/[0-9]+ round-trip' "$T_TMP/corpus-privs.out")
echo "# with owners and privileges: $summary"
check "roundtrip-corpus with owners and privileges ran to the end: ${summary:-no summary}" test -n "$summary"
eq "roundtrip-corpus with owners and privileges: exit status" 0 "$rc"
n=$(grep -cE '^(ok|FAIL|LOADFAIL|SKIP|ERROR|NEEDS) ' "$T_TMP/corpus-privs.out")
check "at least the 19 corpus schemas plus fixtures were tried ($n)" test "$n" -ge 40
done_testing

#!/usr/bin/env bash
# 90_corpus: every loadable schema of ../shared/corpus round-trips through
# schema.sql (scripts/roundtrip-corpus, which starts its own server). Each
# schema is one check; a missing corpus is a failure, not a skip. The same
# with the owners and privileges keys on is 91_corpus_privileges (a test of
# its own, so that scripts/test can run both at once).
. "$(dirname "$0")/../lib.sh"

CORPUS=${SCHEMAFS_CORPUS:-$T_ROOT/../shared/corpus}
if [ ! -f "$CORPUS/SOURCES.md" ]; then
	not_ok "corpus found at $CORPUS (set SCHEMAFS_CORPUS)"
	done_testing
fi
"$T_ROOT/scripts/roundtrip-corpus" ${SCHEMAFS_PG_MAJOR:+-p "$SCHEMAFS_PG_MAJOR"} -o "$T_TMP/corpus" "$CORPUS" \
	>"$T_TMP/corpus.out" 2>&1
rc=$?
if [ -n "${SCHEMAFS_PG_MAJOR:-}" ]; then
	eq "the corpus ran on PostgreSQL $SCHEMAFS_PG_MAJOR" "PostgreSQL $SCHEMAFS_PG_MAJOR" "$(grep -m1 '^PostgreSQL ' "$T_TMP/corpus.out")"
fi
while read -r status name rest; do
	case $status in
	ok) ok "round-trip $name" ;;
	NEEDS) ok "not loadable on this major, as expected: $name $rest" ;;
	FAIL|LOADFAIL|SKIP|ERROR) not_ok "round-trip $name: $status $rest"
		f=$T_TMP/corpus/$(echo "$name" | tr / _)/diff
		[ -f "$f" ] && head -n 20 "$f" | sed 's/^/#   /' ;;
	esac
done <"$T_TMP/corpus.out"
summary=$(grep -E '^[0-9]+/[0-9]+ round-trip' "$T_TMP/corpus.out")
echo "# $summary"
check "roundtrip-corpus ran to the end: ${summary:-no summary}" test -n "$summary"
eq "roundtrip-corpus exit status" 0 "$rc"
n=$(grep -cE '^(ok|FAIL|LOADFAIL|SKIP|ERROR|NEEDS) ' "$T_TMP/corpus.out")
check "at least the 19 corpus schemas plus fixtures were tried ($n)" test "$n" -ge 40
done_testing

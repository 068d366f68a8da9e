# tests/corpus.sh: sourced by 90_corpus and 91_corpus_privileges (after
# tests/lib.sh). corpus_roundtrip LABEL [VAR=VALUE...] runs
# scripts/roundtrip-corpus over ../shared/corpus on the test's major, with
# the environment given (ROUNDTRIP_PRIVILEGES=1), and makes each schema one
# check named "LABEL NAME"; a missing corpus is a failure, not a skip.
corpus_roundtrip() {
	local label=$1; shift
	local corpus=${SCHEMAFS_CORPUS:-$T_ROOT/../shared/corpus}
	if [ ! -f "$corpus/SOURCES.md" ]; then
		not_ok "corpus found at $corpus (set SCHEMAFS_CORPUS)"
		return
	fi
	local out=$T_TMP/corpus rc status name rest f summary n
	env "$@" "$T_ROOT/scripts/roundtrip-corpus" ${SCHEMAFS_PG_MAJOR:+-p "$SCHEMAFS_PG_MAJOR"} \
		-o "$out" "$corpus" >"$out.out" 2>&1
	rc=$?
	if [ -n "${SCHEMAFS_PG_MAJOR:-}" ]; then
		eq "the corpus ran on PostgreSQL $SCHEMAFS_PG_MAJOR" "PostgreSQL $SCHEMAFS_PG_MAJOR" \
			"$(grep -m1 '^PostgreSQL ' "$out.out")"
	fi
	while read -r status name rest; do
		case $status in
		ok) ok "$label $name" ;;
		NEEDS) ok "not loadable on this major, as expected: $name $rest" ;;
		FAIL|LOADFAIL|SKIP|ERROR) not_ok "$label $name: $status $rest"
			f=$out/$(echo "$name" | tr / _)/diff
			[ -f "$f" ] && head -n 20 "$f" | sed 's/^/#   /' ;;
		esac
	done <"$out.out"
	summary=$(grep -E '^[0-9]+/[0-9]+ round-trip' "$out.out")
	echo "# $label: $summary"
	check "roundtrip-corpus ran to the end: ${summary:-no summary}" test -n "$summary"
	eq "roundtrip-corpus exit status" 0 "$rc"
	n=$(grep -cE '^(ok|FAIL|LOADFAIL|SKIP|ERROR|NEEDS) ' "$out.out")
	check "at least the 19 corpus schemas plus fixtures were tried ($n)" test "$n" -ge 40
}

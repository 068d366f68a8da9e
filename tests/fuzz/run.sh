#!/usr/bin/env bash
# tests/fuzz/run.sh: builds the libFuzzer targets (clang, ASan+UBSan, their
# own build directory build-fuzz), replays each checked-in corpus
# (tests/fuzz/corpus/<target>: seeds and every input that once found a
# bug), then fuzzes each target for a fixed number of new inputs from a
# fixed seed, so that CI finds exactly what a developer's run finds. Prints
# one "ok - fuzz: ..." or "not ok - fuzz: ..." line per target.
#
#   tests/fuzz/run.sh                       every target, FUZZ_RUNS (60000) new inputs each
#   FUZZ_RUNS=1000000 tests/fuzz/run.sh plan    one target, longer
#
# New inputs go to a temporary directory, never into the corpus; a crash
# is kept under build-fuzz/artifacts/ and its reproduction command printed.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TARGETS=(names config stage journal split plan lint sqlparse)
[ $# -gt 0 ] && TARGETS=("$@")
RUNS=${FUZZ_RUNS:-60000}
export ASAN_OPTIONS=${FUZZ_ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Dfuzz=true >build-fuzz.setup.log 2>&1 || {
		cat build-fuzz.setup.log; echo "not ok - fuzz: meson setup build-fuzz failed"; exit 1; }
fi
if ! meson compile -C build-fuzz "${TARGETS[@]/#/fuzz_}" >build-fuzz.compile.log 2>&1 ||
	grep -q 'warning:' build-fuzz.compile.log; then
	grep -E 'warning:|error:' build-fuzz.compile.log || tail -20 build-fuzz.compile.log
	echo "not ok - fuzz: building the fuzz targets failed (warnings count)"
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p build-fuzz/artifacts
failed=0
for t in "${TARGETS[@]}"; do
	bin=$ROOT/build-fuzz/fuzz_$t corpus=$ROOT/tests/fuzz/corpus/$t log=$tmp/$t.log
	mkdir -p "$tmp/new-$t"
	start=$SECONDS
	seeds=("$corpus"/*)
	# Each checked-in input once, then RUNS new ones from seed 1.
	if ! "$bin" -artifact_prefix="$ROOT/build-fuzz/artifacts/$t-" "${seeds[@]}" >"$log" 2>&1; then
		what="replaying its corpus"
	elif ! "$bin" -runs="$RUNS" -seed=1 -artifact_prefix="$ROOT/build-fuzz/artifacts/$t-" \
		"$tmp/new-$t" "$corpus" >>"$log" 2>&1; then
		what="fuzzing ($RUNS inputs, -seed=1)"
	else
		echo "ok - fuzz: $t (${#seeds[@]} seeds replayed, $RUNS new inputs, $((SECONDS - start)) s)"
		continue
	fi
	failed=1
	grep -E 'invariant broken|ERROR:|SUMMARY:|runtime error' "$log" | head -5 | sed 's/^/# /'
	# The input: a new one is written out; a corpus file is named as run.
	art=$(grep -o "Test unit written to .*" "$log" | tail -1 | sed 's/Test unit written to //')
	[ -n "$art" ] || art=$(grep -o "^Running: .*" "$log" | tail -1 | sed "s|^Running: $ROOT/||")
	echo "not ok - fuzz: $t: a finding while $what${art:+; reproduce: build-fuzz/fuzz_$t $art}"
done
exit $failed

#!/usr/bin/env bash
# 90_corpus: every loadable schema of ../shared/corpus round-trips through
# schema.sql (scripts/roundtrip-corpus, which starts its own server). Each
# schema is one check; a missing corpus is a failure, not a skip. The same
# with the owners and privileges keys on is 91_corpus_privileges (a test of
# its own, so that scripts/test can run both at once).
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/corpus.sh"

corpus_roundtrip round-trip
done_testing

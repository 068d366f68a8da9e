#!/usr/bin/env bash
# 91_corpus_privileges: 90_corpus with the "privileges" and "owners" keys on
# (ROUNDTRIP_PRIVILEGES=1): every loadable schema of ../shared/corpus
# round-trips through schema.sql with its owners, GRANT/REVOKE and default
# privileges. A missing corpus is a failure, not a skip.
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/corpus.sh"

corpus_roundtrip "round-trip with owners and privileges" ROUNDTRIP_PRIVILEGES=1
done_testing

#!/usr/bin/env bash
# Runs the whole test suite the way CI does: installs the real test peers, then mvn verify.
# With CI set (as .ci/run does) the pom's fuzz profile is on: each *FuzzTest is also fuzzed for a
# few seconds (docs/fuzzing.md); without it the fuzz tests only replay their corpora.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-peers.sh
exec mvn -B verify "$@"

#!/usr/bin/env bash
# Runs the whole test suite the way CI does: installs the real test peers, then mvn verify.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-peers.sh
exec mvn -B verify "$@"

#!/usr/bin/env bash
# The whole test suite, as CI runs it: install what the tests need, build, run every *.test.js with node --test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
bash scripts/install-node-versions.sh
npm run --silent build
mapfile -t files < <(find dist/test -name '*.test.js' | sort)
exec node --test --test-concurrency=2 "${files[@]}"
